"""Registries whose entries are imported when first looked up, so that listing names, checking
``name in registry`` and starting the command line import none of the modules behind them."""

from __future__ import annotations

import contextlib
import functools
import importlib
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Any


class LazyMapping(Mapping[str, Any]):
    """A read-only mapping whose values are made by ``factories[name]()`` when first looked up
    (and kept); listing the names and ``name in mapping`` make none of them."""

    def __init__(self, factories: Mapping[str, Callable[[], Any]]) -> None:
        self._factories = dict(factories)
        self._made: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._made:
            self._made[name] = self._factories[name]()
        return self._made[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._factories)

    def __len__(self) -> int:
        return len(self._factories)

    def __contains__(self, name: object) -> bool:
        return name in self._factories

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self._factories)})"


class LazyRegistry(LazyMapping):
    """A read-only mapping from names to objects given as ``"package.module:attribute"`` (or
    ``"package.module"`` for the module itself), imported when first looked up."""

    def __init__(self, homes: Mapping[str, str]) -> None:
        super().__init__({name: functools.partial(_load, home) for name, home in homes.items()})


def _load(home: str) -> Any:
    module, _, attribute = home.partition(":")
    loaded = importlib.import_module(module)
    return getattr(loaded, attribute) if attribute else loaded


def homes_of(names_by_module: Mapping[str, str]) -> dict[str, str]:
    """``{"pkg.mod": "A B"}`` -> ``{"A": "pkg.mod:A", "B": "pkg.mod:B"}``."""
    return {n: f"{module}:{n}" for module, names in names_by_module.items() for n in names.split()}


def attach(module_globals: dict[str, Any], homes: Mapping[str, str]):
    """A module ``__getattr__`` (PEP 562) that imports ``name`` from ``homes[name]`` on first
    use and keeps it in the module, so later lookups cost nothing."""
    registry = LazyRegistry(homes)

    def __getattr__(name: str) -> Any:
        if name not in registry:
            raise AttributeError(f"module {module_globals['__name__']!r} has no attribute {name!r}")
        module_globals[name] = registry[name]
        return module_globals[name]

    return __getattr__


def public_dir(module_globals: dict[str, Any], *more: str):
    """A module ``__dir__`` (PEP 562) that lists what the module offers, imported yet or not:
    its ``__all__``, ``more`` names (lazy subpackages) and its dunders; not the helpers it
    was built with (``attach``, ``TYPE_CHECKING``...), so tab completion shows the API."""

    def __dir__() -> list[str]:
        dunders = {name for name in module_globals if name.startswith("__")}
        return sorted({*module_globals.get("__all__", ()), *more, *dunders})

    return __dir__


def isinstance_loaded(obj: object, module: str, name: str) -> bool:
    """``isinstance(obj, module.name)`` without importing ``module``: an instance of the class
    can only exist once its module has been imported, so an unloaded module answers False."""
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(obj, getattr(loaded, name))


@contextlib.contextmanager
def needs(what: str, extra: str, modules: tuple[str, ...]):
    """Imports under this block that miss one of ``modules`` fail with the extra to install
    (``pip install 'descentlab[extra]'``), saying ``what`` needs it."""
    try:
        yield
    except ModuleNotFoundError as missing:
        if missing.name not in modules:
            raise
        raise ModuleNotFoundError(
            f"{what} needs {missing.name}: pip install 'descentlab[{extra}]'", name=missing.name
        ) from None
