"""The command line: ``descentlab run | tutorial | compare | plot | check-grad | ...``.

The CLI only parses, calls the public API and prints or writes. Every mistake in the input ends
as one line on standard error and exit code 2, never a traceback; a run that the user's own
function broke ends with exit code 1 (after writing what was asked for), Ctrl-C with 130.
Warnings of the library (a function evaluated point by point) are printed as ``note:`` lines.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence

import click

from descentlab.cli._app import cli
from descentlab.cli._args import spread_multi_value_options
from descentlab.cli._errors import CommandFailed

USAGE_ERROR = 2
INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    args = spread_multi_value_options(list(sys.argv[1:] if argv is None else argv))
    with warnings.catch_warnings():
        warnings.simplefilter("always", UserWarning)
        warnings.showwarning = _note
        return _main(args)


def _main(args: list[str]) -> int:
    try:
        code = cli.main(args=args, prog_name="descentlab", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as error:
        click.echo(error.ctx.get_help())
        return 0
    except click.UsageError as error:
        hint = "" if error.ctx is None else f" (see '{error.ctx.command_path} --help')"
        return _fail(error.format_message() + hint, USAGE_ERROR)
    except CommandFailed as error:
        return _fail(error.message, error.exit_code)
    except click.ClickException as error:
        return _fail(error.format_message(), error.exit_code)
    except (ValueError, TypeError) as error:
        return _fail(str(error), USAGE_ERROR)
    except ImportError as error:  # a missing optional extra: the message says how to get it
        return _fail(str(error), USAGE_ERROR)
    except (click.Abort, KeyboardInterrupt):
        return _fail("interrupted", INTERRUPTED)
    except MemoryError:  # what the estimates before the run did not foresee
        return _fail("out of memory: use fewer starts, dimensions or recorded iterations "
                     "(--final-only, --record-every)", USAGE_ERROR)  # fmt: skip
    except OSError as error:
        return _fail(f"{error.strerror or error}: {error.filename or ''}".rstrip(": "), 1)
    except Exception as error:
        if _raised_by_user_function(error):
            return _fail(str(error), 1)
        raise
    return code if isinstance(code, int) else 0


def _raised_by_user_function(error: Exception) -> bool:
    # Looked up, not imported: the error can only come from a module that has been loaded, and
    # importing it here would load the problems (and NumPy) for every command, --help too.
    calls = sys.modules.get("descentlab.problems.calls")
    return calls is not None and isinstance(error, calls.UserFunctionError)


def _fail(message: str, code: int) -> int:
    click.echo(f"descentlab: error: {one_line(message)}", err=True)
    return code


def one_line(message: str) -> str:
    return " ".join(str(message).split())


def _note(message, category, filename, lineno, file=None, line=None) -> None:
    click.echo(f"descentlab: note: {one_line(message)}", err=True)


__all__ = ["cli", "main"]
