"""Output files: checked before the run, written whole or not at all.

A file is first written under a temporary name beside its target and renamed into place only
when complete, so an error or Ctrl-C never leaves half a picture or half a JSON at the path.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import click


def check_output_path(option: str, path: str | None, allow_dash: bool = False) -> None:
    """Fail before the run when ``path`` cannot be written (missing folder, a folder, no right)."""
    if not path or (allow_dash and path == "-"):
        return
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    problem = None
    if target.is_dir():
        problem = "is a folder"
    elif not folder.is_dir():
        problem = f"is in a folder that does not exist ({folder})"
    elif not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        problem = "cannot be written (no permission)"
    if problem:
        raise click.BadParameter(f"{path!r} {problem}", param_hint=option)


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path with the same suffix as ``path``, renamed to it if the block succeeds."""
    target = Path(path)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=f".partial{target.suffix}", dir=target.parent or "."
    )
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, 0o666 & ~_umask())  # as a file opened the ordinary way would be
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_output_folder(option: str, path: str | None) -> None:
    """Fail before the run when the folder ``path`` can be neither used nor made (its parent
    missing or not writable, or a file in its place)."""
    if not path:
        return
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise click.BadParameter(f"{path!r} is a file, not a folder", param_hint=option)
    if target.is_dir():
        if not os.access(target, os.W_OK):
            raise click.BadParameter(f"{path!r} cannot be written (no permission)",
                                     param_hint=option)  # fmt: skip
        return
    check_output_path(option, path)
