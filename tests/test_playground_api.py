"""The playground's JSON API with FastAPI's test client: every endpoint, every bad input."""

import json

import numpy as np
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx2")

from fastapi.testclient import TestClient

import descentlab as dl
from descentlab.playground.app import create_app

client = TestClient(create_app(), raise_server_exceptions=False)


def run(**changes):
    body = {
        "problem": {"function": "rosenbrock"},
        "start": [-1.0, 1.0],
        "optimizers": [{"name": "adam", "hyperparameters": {"alpha": 0.05}}],
        "n_iter": 100,
    }
    body.update(changes)  # fmt: skip
    return client.post("/api/run", json=body)


def test_the_page_and_its_assets_are_served_locally():
    page = client.get("/")
    assert page.status_code == 200 and "/static/app.js" in page.text
    assert "http" not in page.text.replace("http-equiv", "")  # no CDN
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/style.css").status_code == 200
    spec = client.get("/openapi.json").json()
    assert {"/api/run", "/api/surface", "/api/functions", "/api/optimizers"} <= set(spec["paths"])


def test_metadata():
    functions = {f["name"]: f for f in client.get("/api/functions").json()}
    assert functions["rosenbrock"]["dims"] == [2] and functions["sphere"]["dims"] == [1, 2]
    optimizers = {o["name"]: o for o in client.get("/api/optimizers").json()}
    assert set(optimizers) == set(dl.OPTIMIZERS)
    sliders = {h["name"]: h for h in optimizers["momentum"]["hyperparameters"]}
    assert (
        sliders["step_size"]["log"]
        and sliders["step_size"]["min"] < 0.1 < sliders["step_size"]["max"]
    )
    assert sliders["momentum"]["max"] < 1
    presets = {p["name"]: p for p in client.get("/api/presets").json()}
    assert set(presets) == {"gd", "momentum", "amsgrad"}


def test_a_run_equals_the_library_and_carries_its_record():
    answer = run().json()
    alone = dl.minimize(dl.get_function("rosenbrock"), dl.Adam(alpha=0.05), n_iter=100,
                        x0=[-1.0, 1.0], tol=dl.Tolerance(fun=1e-8))  # fmt: skip
    first = answer["runs"][0]
    assert first["final_x"] == alone.x.tolist()
    assert np.allclose(np.array(first["path"]), alone.path)
    assert first["record"]["schema"] == "descentlab.run/2"
    assert first["record"]["result"]["path"]["x"] == first["path"]


def test_the_momentum_preset_reproduces_the_tutorial():
    preset = next(p for p in client.get("/api/presets").json() if p["name"] == "momentum")
    body = {k: preset[k] for k in ("problem", "start", "optimizers", "n_iter", "stop_at_target")}
    answer = client.post("/api/run", json=body).json()
    assert answer["runs"][0]["final_x"] == [6.17748881095409e-07]  # the tutorial's last line


def test_surface():
    two = client.post("/api/surface", json={"problem": {"function": "himmelblau"}, "n": 20}).json()
    assert len(two["values"]) == 20 and len(two["values"][0]) == 20 and two["minimum"] == 0
    line = {"problem": {"expr": "x**2 - x", "bounds": [[-1, 1]]}, "n": 11}
    one = client.post("/api/surface", json=line).json()
    assert one["values"][5] == 0.0 and len(one["axes"]) == 1


@pytest.mark.parametrize(
    ("changes", "status", "field", "message"),
    [
        ({"problem": {"function": "nope"}}, 400, "problem.function", "function must be one of"),
        ({"optimizers": [{"name": "sgd"}]}, 400, "optimizers.0.name", "optimizer must be one of"),
        (
            {"optimizers": [{"name": "adam", "hyperparameters": {"alpha": -1}}]},
            400,
            "optimizers.0.hyperparameters",
            "alpha must be finite and > 0",
        ),
        (
            {"optimizers": [{"name": "adam", "hyperparameters": {"lr": 0.1}}]},
            400,
            "optimizers.0.hyperparameters.lr",
            "not 'lr'",
        ),
        ({"problem": {"expr": "__import__('os').system('x')"}}, 400, "problem.expr", ""),
        ({"problem": {"expr": "x**"}}, 400, "problem.expr", ""),
        ({"n_iter": 10**9}, 422, "n_iter", "less than or equal to 5000"),
        ({"optimizers": [{"name": "adam"}] * 7}, 422, "optimizers", "at most 6"),
        ({"start": [0.0, 0.0, 0.0]}, 422, "start", "at most 2"),
        ({"start": [0.5]}, 400, "start", "start must have 2 coordinates"),
        (
            {"n_iter": 5000, "optimizers": [{"name": "adam"}] * 3},
            400,
            "n_iter",
            "must be at most 20,000",
        ),
        ({"extra": 1}, 422, "extra", "Extra inputs"),
        ({"problem": {"function": "sphere", "expr": "x"}}, 400, "problem", "exactly one"),
    ],
)
def test_bad_requests_name_the_field(changes, status, field, message):
    response = run(**changes)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["field"] == field and message in body["error"]
    assert "Traceback" not in response.text


def test_malformed_json_is_a_4xx():
    headers = {"Content-Type": "application/json"}
    response = client.post("/api/run", content=b"{not json", headers=headers)
    assert response.status_code == 422 and "Traceback" not in response.text
    assert json.loads(response.text)["field"]


def test_a_run_over_the_time_limit_is_refused(monkeypatch):
    from descentlab.playground import api

    monkeypatch.setattr(api, "TIME_LIMIT", 0.0)
    response = run()
    assert response.status_code == 400 and "longer than" in response.json()["error"]


def test_serve_binds_to_the_loopback_unless_told(monkeypatch, capsys):
    import uvicorn

    from descentlab.cli import main

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    assert main(["serve", "--port", "8123"]) == 0
    assert calls[-1] == {"host": "127.0.0.1", "port": 8123, "log_level": "warning"}
    err = capsys.readouterr().err
    assert "http://127.0.0.1:8123/" in err and "note" not in err
    assert main(["serve", "--host", "0.0.0.0"]) == 0
    assert calls[-1]["host"] == "0.0.0.0"
    assert "other machines can reach the playground" in capsys.readouterr().err
