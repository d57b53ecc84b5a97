"""The command line: ``descentlab run | tutorial | compare | plot | check-grad | ...``.

The CLI only parses, calls the public API and prints or writes. Every mistake in the input ends
as one line on standard error and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from descentlab.cli._app import cli
from descentlab.cli._args import spread_multi_value_options

USAGE_ERROR = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    args = spread_multi_value_options(list(sys.argv[1:] if argv is None else argv))
    try:
        code = cli.main(args=args, prog_name="descentlab", standalone_mode=False)
    except click.UsageError as error:
        hint = "" if error.ctx is None else f" (see '{error.ctx.command_path} --help')"
        return _fail(error.format_message() + hint, USAGE_ERROR)
    except click.ClickException as error:
        return _fail(error.format_message(), error.exit_code)
    except (ValueError, TypeError) as error:
        return _fail(str(error), USAGE_ERROR)
    except ImportError as error:
        return _fail(str(error), 1)
    except click.Abort:
        return _fail("aborted", 1)
    except OSError as error:
        return _fail(f"{error.strerror or error}: {error.filename or ''}".rstrip(": "), 1)
    return code if isinstance(code, int) else 0


def _fail(message: str, code: int) -> int:
    one_line = " ".join(message.split())
    click.echo(f"descentlab: error: {one_line}", err=True)
    return code


__all__ = ["cli", "main"]
