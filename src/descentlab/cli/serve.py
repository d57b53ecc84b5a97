"""``descentlab serve``: the playground page on a local web server."""

from __future__ import annotations

import threading
import webbrowser

import click

from descentlab.cli._engine import ENGINE_HELP
from descentlab.engines import ENGINES, load_jax_engine

NEEDS_SERVE = "the playground needs FastAPI and uvicorn: pip install 'descentlab[serve]'"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but the loopback is reachable by others.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a browser.")
@click.option("--engine", type=click.Choice(ENGINES), default="numpy", show_default=True,
              help=ENGINE_HELP)  # fmt: skip
def serve_command(host: str, port: int, open_browser: bool, engine: str) -> None:
    """Serve the playground: pick a function, click a start, move sliders, watch the paths."""
    try:
        import uvicorn

        from descentlab.playground.app import create_app
    except ImportError:
        raise ImportError(NEEDS_SERVE) from None
    if engine == "jax":
        load_jax_engine()  # says how to install JAX before the server starts
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    if host not in LOOPBACK:
        click.echo(
            f"note: listening on {host}, so other machines can reach the playground", err=True
        )
    click.echo(f"descentlab playground at {url} (Ctrl-C stops it)", err=True)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(create_app(engine), host=host, port=port, log_level="warning")
