"""The playground's web app: one page (shipped in the package, no CDN) and the JSON API."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from descentlab import __version__
from descentlab.playground import api

STATIC = resources.files("descentlab.playground") / "static"


def create_app(engine: str = "numpy") -> FastAPI:
    """The app; ``engine`` runs the optimizers (``"jax"``: compiled, see ``api.run``)."""
    app = FastAPI(title="descentlab playground", version=__version__,
                  description="Run descentlab's optimizers on 1-D and 2-D problems.")  # fmt: skip
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> str:
        return (STATIC / "index.html").read_text(encoding="utf-8")

    # The metadata is computed once and served from the event loop, so it stays quick while
    # runs fill the thread pool.
    @app.get("/api/functions")
    async def functions() -> list[dict[str, Any]]:
        """The catalog functions the page can draw."""
        return api.functions()

    @app.get("/api/optimizers")
    async def optimizers() -> list[dict[str, Any]]:
        """The optimizers, their hyperparameters, defaults and slider ranges."""
        return api.optimizers()

    @app.get("/api/presets")
    async def presets() -> list[dict[str, Any]]:
        """The tutorials' configurations."""
        return api.presets()

    @app.post("/api/surface")
    def surface(request: api.SurfaceRequest) -> dict[str, Any]:
        """The objective on a grid, for the contour map (2-D) or the line (1-D)."""
        return api.surface(request)

    @app.post("/api/run")
    def run(request: api.RunRequest) -> dict[str, Any]:
        """Run the optimizers from one start: paths, convergence, table rows, run records."""
        return api.run(request, engine)

    app.add_exception_handler(api.BadRequest, _bad_request)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(Exception, _internal)
    return app


async def _bad_request(request: Request, error: Exception) -> JSONResponse:
    field = getattr(error, "field", "request")
    return JSONResponse({"error": str(error), "field": field}, status_code=400)


async def _invalid(request: Request, error: Exception) -> JSONResponse:
    first = error.errors()[0]  # type: ignore[attr-defined]
    field = ".".join(str(part) for part in first["loc"] if part != "body") or "body"
    return JSONResponse({"error": f"{field}: {first['msg']}", "field": field}, status_code=422)


async def _internal(request: Request, error: Exception) -> JSONResponse:
    # no traceback to the client; the server's log has it
    return JSONResponse({"error": f"internal error ({type(error).__name__})", "field": None},
                        status_code=500)  # fmt: skip
