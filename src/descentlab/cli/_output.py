"""Output files: checked before the run, written whole or not at all (through
:func:`descentlab._files.atomic_path`, re-exported here)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from descentlab._files import atomic_path


def check_output_path(option: str, path: str | None, allow_dash: bool = False) -> None:
    """Fail before the run when ``path`` cannot be written (missing folder, a folder, no right)."""
    if path is None or (allow_dash and path == "-"):
        return
    if not path.strip():
        raise click.BadParameter("give a file name, not an empty string", param_hint=option)
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


def check_output_folder(option: str, path: str | None, files: tuple[str, ...] = ()) -> None:
    """Fail before the run when the folder ``path`` can be neither used nor made (its parent
    missing or not writable, or a file in its place), or when one of the ``files`` the command
    will write there is a folder."""
    if path is None:
        return
    if not path.strip():
        raise click.BadParameter("give a folder's name, not an empty string", param_hint=option)
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise click.BadParameter(f"{path!r} is a file, not a folder", param_hint=option)
    if target.is_dir():
        if not os.access(target, os.W_OK):
            raise click.BadParameter(f"{path!r} cannot be written (no permission)",
                                     param_hint=option)  # fmt: skip
        for name in files:
            check_output_path(option, str(target / name))
        return
    check_output_path(option, path)


def opened_store(kind, path: str):
    """The store ``kind(path)``; one line says so when the default path makes a new file in
    the current folder (people run a sweep before they read its --help)."""
    from descentlab.cli._args import given

    made_here = not given("store_path") and not Path(path).exists()
    store = kind(path)
    if made_here:
        click.echo(f"note: finished cells are kept in ./{path}, made now (--store FILE to keep "
                   "them elsewhere, --no-store for none)", err=True)  # fmt: skip
    return store


__all__ = ["atomic_path", "check_output_folder", "check_output_path", "opened_store"]
