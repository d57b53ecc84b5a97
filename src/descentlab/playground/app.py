"""The playground's web app: one page (shipped in the package, no CDN) and the JSON API.

The API document (``/openapi.json``) describes the API as it behaves: the request models carry
their constraints, and every answer that is not a 200 (400, 413, 422, 500) has the documented
``{"error", "field"}`` body. There is no ``/docs`` page (Swagger UI would load from a CDN).
Served on the loopback, the app answers only requests addressed to the loopback's names, so a
web page elsewhere cannot reach it through DNS rebinding.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from descentlab._version import __version__
from descentlab.playground import api
from descentlab.playground.limits import RequestLimits
from descentlab.playground.workers import Workers

STATIC = resources.files("descentlab.playground") / "static"
#: The names a browser uses for the loopback; with ``loopback_only`` no other Host is answered.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": api.ErrorBody, "description": "The library refused the request (an "
          "expression off the allow-list, bounds with lo > hi, a start of the wrong length, "
          "work over the time limit)."},
    413: {"model": api.ErrorBody, "description": "The body is larger than 64 KB."},
    422: {"model": api.ErrorBody, "description": "The request does not fit the schema."},
    500: {"model": api.ErrorBody, "description": "A fault of the server."},
}  # fmt: skip


def create_app(engine: str = "numpy", *, workers: Workers | None = None,
               allowed_hosts: Sequence[str] | None = None) -> FastAPI:  # fmt: skip
    """The app; ``engine`` runs the optimizers (``"jax"``: compiled, see ``api.run``) in
    ``workers`` (a pool of processes with a time limit); ``allowed_hosts`` are the Host names
    it answers (None: any)."""
    pool = workers or Workers(engine)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        pool.close()

    app = FastAPI(title="descentlab playground", version=__version__, docs_url=None,
                  redoc_url=None, lifespan=lifespan,
                  description="Run descentlab's optimizers on 1-D and 2-D problems.")  # fmt: skip
    app.state.workers = pool
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> str:
        return (STATIC / "index.html").read_text(encoding="utf-8")

    # The metadata is computed once and served from the event loop, so it stays quick while
    # the workers run.
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

    @app.post("/api/surface", responses=ERRORS)
    async def surface(request: api.SurfaceRequest) -> dict[str, Any]:
        """The objective on a grid, for the contour map (2-D) or the line (1-D)."""
        return await pool.call(api.surface_plain, request.model_dump(), field="n")

    @app.post("/api/run", responses=ERRORS)
    async def run(request: api.RunRequest) -> dict[str, Any]:
        """Run the optimizers from one start: paths, convergence, table rows, run records."""
        return await pool.call(api.run_plain, request.model_dump(), engine, field="n_iter")

    app.add_exception_handler(api.BadRequest, _bad_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(Exception, _internal)
    app.add_middleware(RequestLimits)
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    return app


async def _bad_request(request: Request, error: Exception) -> JSONResponse:
    field = getattr(error, "field", "request")
    return JSONResponse({"error": str(error), "field": field}, status_code=400)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    """Starlette's own refusals (a body that is not UTF-8 JSON, an unknown path) with the
    documented body."""
    status = getattr(error, "status_code", 500)
    field = "body" if status == 400 else None
    return JSONResponse({"error": str(getattr(error, "detail", error)), "field": field},
                        status_code=status, headers=getattr(error, "headers", None))  # fmt: skip


async def _invalid(request: Request, error: Exception) -> JSONResponse:
    first = _most_relevant(error.errors(), getattr(error, "body", None))  # type: ignore[attr-defined]
    field = _field(first["loc"]) or "body"
    if first["type"] in ("union_tag_invalid", "union_tag_not_found"):
        field += "." + str(first.get("ctx", {}).get("discriminator", "")).strip("'")
    if first["type"] == "union_tag_not_found" and field == "problem.function":
        field, message = "problem", ("problem: give either function (a catalog name) or expr "
                                     "(an expression)")  # fmt: skip
    else:
        message = f"{field}: {first['msg']}"
    return JSONResponse({"error": message, "field": field}, status_code=422)


def _most_relevant(errors: list[dict], body: object) -> dict:
    """The error of the branch the request meant: a problem with ``expr`` is an expression,
    one with ``function`` a catalog function (pydantic reports the failure of every branch)."""
    problem = body.get("problem") if isinstance(body, dict) else None
    said = set(problem) if isinstance(problem, dict) else set()

    def off_branch(error: dict) -> bool:
        where = [str(part) for part in error["loc"]]
        if "ExpressionProblem" in where:
            return "expr" not in said
        if any(part.startswith("tagged-union[Function_") for part in where):
            return "function" not in said and "expr" in said
        return False

    return next((e for e in errors if not off_branch(e)), errors[0])


def _field(loc: Sequence[object]) -> str:
    """A pydantic location as the request's field path, without union branches and tags."""
    parts = []
    for k, part in enumerate(loc):
        text = str(part)
        if k == 0 and text == "body":
            continue
        if text.startswith("tagged-union[") or text == "ExpressionProblem":
            continue
        if k > 0 and isinstance(loc[k - 1], int) and text in api.OPTIMIZERS:
            continue  # the tag of an optimizer in the list
        if k > 0 and str(loc[k - 1]).startswith("tagged-union["):
            continue  # the tag of a catalog function
        if text.startswith(("Function_", "Optimizer_")):
            continue
        parts.append(text)
    return ".".join(parts)


async def _internal(request: Request, error: Exception) -> JSONResponse:
    # no traceback to the client; the server's log has it
    return JSONResponse({"error": f"internal error ({type(error).__name__})", "field": None},
                        status_code=500)  # fmt: skip
