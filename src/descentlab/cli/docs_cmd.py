"""``descentlab docs``: build the documentation site from a checkout with Sphinx."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from descentlab.cli._errors import CommandFailed

#: Where a checkout keeps the site's sources, seen from this file (src/descentlab/cli/).
CHECKOUT_DOCS = Path(__file__).resolve().parents[3] / "docs"


@click.command("docs")
@click.option("--source", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The site's sources (the folder with conf.py) [default: docs/ of the "
                   "checkout descentlab runs from].")  # fmt: skip
@click.option("--out", default=None, metavar="FOLDER",
              help="Where the HTML goes [default: SOURCE/_build/html].")  # fmt: skip
@click.option(
    "--no-gallery",
    is_flag=True,
    help="Do not run the gallery's examples (pages without their output; fast).",
)
@click.option(
    "--keep-warnings",
    is_flag=True,
    help="Let warnings pass instead of failing the build on the first one.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only warnings, errors and the result.")
def docs_command(source: Path | None, out: str | None, no_gallery: bool, keep_warnings: bool,
                 quiet: bool) -> None:  # fmt: skip
    """Build the documentation site (tutorials, gallery, how-to pages, API and CLI reference)
    with Sphinx, warnings as errors, and print where it is.

    Needs a checkout of descentlab (the sources are not installed with the package) and the
    docs extra: pip install -e '.[docs]'.
    """
    source = (source or CHECKOUT_DOCS).resolve()
    if not (source / "conf.py").is_file():
        raise click.BadParameter(
            f"must be a folder with the site's conf.py, as docs/ of a descentlab checkout; "
            f"{source} has none (clone the repository and run from it, or pass --source)",
            param_hint="--source",
        )
    out = _checked_out(out, source)
    build = _sphinx_build()
    arguments = ["-b", "html", str(source), str(out)]
    arguments += [] if keep_warnings else ["-W", "--keep-going"]
    arguments += ["-D", "sphinx_gallery_conf.plot_gallery=0"] if no_gallery else []
    arguments += ["-q"] if quiet else []
    began = time.perf_counter()
    if build(arguments) != 0:
        raise CommandFailed(f"the site did not build (see the messages above); sources {source}")
    click.echo(f"built {out / 'index.html'} in {time.perf_counter() - began:.0f} s")


def _checked_out(given: str | None, source: Path) -> Path:
    """Where the HTML goes, made (or refused) before Sphinx starts: an empty name, a file in its
    place (``/dev/null``), the sources' own folder or one holding them (the build would write
    over them), or a place that cannot be made or written."""
    if given is not None and not given.strip():
        raise click.BadParameter("give a folder's name, not an empty string", param_hint="--out")
    out = (source / "_build" / "html" if given is None else Path(given)).resolve()
    if out == source or out in source.parents:
        raise click.BadParameter(f"{out} holds the site's sources; give a folder of its "
                                 "own (the default is SOURCE/_build/html)",
                                 param_hint="--out")  # fmt: skip
    existing = next(p for p in (out, *out.parents) if p.exists())
    if not existing.is_dir():
        raise click.BadParameter(f"{existing} is not a folder", param_hint="--out")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise click.BadParameter(f"{out} cannot be made ({error.strerror})",
                                 param_hint="--out") from None  # fmt: skip
    if not os.access(out, os.W_OK):
        raise click.BadParameter(f"{out} cannot be written (no permission)", param_hint="--out")
    return out


def _sphinx_build():
    try:
        from sphinx.cmd.build import build_main
    except ImportError:
        raise ImportError("the docs command needs Sphinx and its extensions: pip install -e "
                          "'.[docs]' in a checkout of descentlab") from None  # fmt: skip
    return build_main
