"""The user's own Python callables, named on the command line as ``package.module:name``."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable


def load_callable(reference: str, what: str = "function") -> Callable:
    """Import ``module:attribute`` (the attribute may be dotted) and check it is callable.

    The current directory is searched first, as ``python -m`` would, so a ``myfuncs.py``
    next to you is found as ``myfuncs:rosen``.
    """
    module_name, colon, attribute = reference.partition(":")
    if not colon or not module_name or not attribute:
        raise ValueError(f"{what} must be given as package.module:callable, not {reference!r}")
    cwd = os.getcwd()
    added = cwd not in sys.path
    if added:
        sys.path.insert(0, cwd)
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ValueError(f"{what} {reference!r}: cannot import {module_name!r} ({error})") from None
    finally:
        if added:
            sys.path.remove(cwd)
    target = module
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise ValueError(
                f"{what} {reference!r}: {module_name!r} has no {attribute!r}"
            ) from None
    if not callable(target):
        raise ValueError(f"{what} {reference!r} is not callable (it is {type(target).__name__})")
    return target
