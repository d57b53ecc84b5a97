"""``descentlab tutorial NAME``: a tutorial's run with its published settings and trace."""

from __future__ import annotations

import click

from descentlab.cli._engine import engine_option
from descentlab.tutorials import TUTORIALS


@click.command("tutorial")
@click.argument("name", type=click.Choice(list(TUTORIALS)))
@engine_option
def tutorial_command(name: str) -> None:
    """Run a tutorial's configuration and print its trace (gd, momentum or amsgrad)."""
    TUTORIALS[name].run(verbose=True)
