"""``descentlab serve``: the playground page on a local web server."""

from __future__ import annotations

import socket
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
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free one, printed).")  # fmt: skip
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a browser.")
@click.option("--engine", type=click.Choice(ENGINES), default="numpy", show_default=True,
              help=ENGINE_HELP)  # fmt: skip
@click.option("--time-limit", type=click.FloatRange(0.1, 600), default=5.0, show_default=True,
              help="Seconds of CPU time one request's work may take (its worker is killed "
                   "after); the JAX engine may also spend 30 s compiling.")  # fmt: skip
@click.option("--workers", "processes", type=click.IntRange(1, 64),
              help="Worker processes for requests (default: the cores, at most 4).")  # fmt: skip
def serve_command(host: str, port: int, open_browser: bool, engine: str, time_limit: float,
                  processes: int | None) -> None:  # fmt: skip
    """Serve the playground: pick a function, click a start, move sliders, watch the paths."""
    try:
        import uvicorn

        from descentlab.playground.app import LOOPBACK_HOSTS, create_app
        from descentlab.playground.workers import Workers
    except ImportError:
        raise ImportError(NEEDS_SERVE) from None
    if engine == "jax":
        load_jax_engine()  # says how to install JAX before the server starts
    listening = _listen(host, port)
    port = listening.getsockname()[1]
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    loopback = host in LOOPBACK
    if not loopback:
        click.echo(
            f"note: listening on {host}, so other machines can reach the playground", err=True
        )
    app = create_app(engine, workers=Workers(engine, processes, time_limit),
                     allowed_hosts=LOOPBACK_HOSTS if loopback else None)  # fmt: skip
    click.echo(f"descentlab playground at {url} (Ctrl-C stops it)", err=True)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    # log_config=None: uvicorn's own dictConfig would close every logging handler already set
    # up in this process (a caller's, pytest's); its warnings still reach standard error.
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", log_config=None))
    server.run(sockets=[listening])


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything is printed: a port in use or an address
    this machine does not have is one clear error, not a server that exits at once."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise click.BadParameter(f"{host!r} is not an address to listen on ({error.strerror})",
                                 param_hint="--host") from None  # fmt: skip
    family, kind, protocol, _, address = infos[0]
    listening = socket.socket(family, kind, protocol)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind(address)
    except OSError as error:
        listening.close()
        if error.errno == 98:  # EADDRINUSE
            raise click.BadParameter(f"port {port} is in use on {host}: give another --port",
                                     param_hint="--port") from None  # fmt: skip
        raise click.BadParameter(f"cannot listen on {host}:{port} ({error.strerror})",
                                 param_hint="--host") from None  # fmt: skip
    listening.listen(128)
    listening.set_inheritable(True)
    return listening
