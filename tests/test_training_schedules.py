"""The training benchmark's schedules (the crowded valley's constant, cosine and warm-up +
cosine), the schedule-free verdict, and the suite on a local Dask cluster."""

import numpy as np
import pytest

from descentlab.benchmarking.entrants import parse_entrant
from descentlab.benchmarking.training import get_workload, training_benchmark
from descentlab.benchmarking.training.budgets import run_budget_cell, scheduled, schedules_for
from descentlab.benchmarking.training.natives import native_entrant
from descentlab.benchmarking.training.results import TrainingResults
from descentlab.benchmarking.training.verdicts import claims
from descentlab.cli import main

pytest.importorskip("sklearn")


def test_the_schedules_peak_at_the_tuned_step_and_end_at_zero():
    optax = pytest.importorskip("optax")
    steps = np.array([0.1, 0.02])
    assert scheduled(steps, "constant", 500) is steps
    cosine = scheduled(steps, "cosine", 500)
    twin = optax.cosine_decay_schedule(0.1, 500)
    for t in (1, 2, 250, 500, 501):  # optax computes in float32
        assert cosine(t)[0] == pytest.approx(float(twin(t - 1)), rel=1e-6, abs=1e-8)
    warm = scheduled(steps, "warmup-cosine", 500)
    twin = optax.warmup_cosine_decay_schedule(0.0, 0.1, 25, 500)
    for t in (1, 13, 26, 27, 300, 501):
        assert warm(t)[0] == pytest.approx(float(twin(t - 1)), rel=1e-6, abs=1e-8)
    with pytest.raises(ValueError, match="schedule must be one of constant, cosine"):
        scheduled(steps, "linear", 500)


def test_schedule_free_and_the_controls_run_without_a_schedule():
    assert schedules_for(parse_entrant("adamw")) == ("constant", "cosine", "warmup-cosine")
    assert schedules_for(parse_entrant("schedule-free-adamw")) == ("constant",)
    assert schedules_for(native_entrant("torch.adam")) == ("constant",)
    assert schedules_for(parse_entrant("schedule-free-sgd"), ("cosine",)) == ()


def test_a_scheduled_budget_trains_under_its_schedule():
    workload, entrant = get_workload("least-squares-diabetes"), parse_entrant("nesterov")
    constant = run_budget_cell(workload, entrant, schedule="constant")
    cosine = run_budget_cell(workload, entrant, schedule="cosine")
    assert cosine["schedule"] == "cosine" and cosine["tuning_steps"] == constant["tuning_steps"]
    assert cosine["tuning_valid"] != constant["tuning_valid"]  # the steps decayed
    import descentlab as dl

    steps = np.asarray(constant["tuning_steps"])  # the tuning run by hand: the same numbers
    by_hand = dl.minimize(workload.problem, entrant.build({"step_size": dl.schedules.CosineDecay(
        steps, workload.steps)}), n_iter=workload.steps, seed=2000,
        x0=workload.starts(len(steps), 2000), batch_size=workload.batch_size,
        record="none")  # fmt: skip
    found = workload.metrics(by_hand.x, "valid")["loss"]
    np.testing.assert_allclose(found, cosine["tuning_valid"], rtol=1e-12)


def _cell(workload, entrant, schedule, value):
    return {"workload": workload, "entrant": entrant, "ruleset": "budgets", "schedule": schedule,
            "chosen": {"one-shot": 1.0, "small": 1.0, "large": 1.0},
            "valid": {b: [value] * 6 for b in ("one-shot", "small", "large")},
            "test": {b: [value + 0.01 * k for k in range(6)]
                     for b in ("one-shot", "small", "large")}}  # fmt: skip


def test_the_schedule_free_verdict_follows_the_numbers():
    cells = [_cell("least-squares-diabetes", "schedule-free-adamw", "constant", 0.30),
             _cell("least-squares-diabetes", "adamw", "cosine", 0.32),
             _cell("softmax-digits", "schedule-free-adamw", "constant", 0.50),
             _cell("softmax-digits", "adamw", "cosine", 0.20)]  # fmt: skip
    free = claims(TrainingResults(cells, {}, "quick"))[2]
    assert [holds for _, holds, _ in free.checks] == [True, False]  # losses: lower is better
    assert free.verdict == "depends"
    assert "0.525 [0.5, 0.55] against 0.225 [0.2, 0.25]" in free.checks[1][2]
    free = claims(TrainingResults(cells[:2], {}, "quick"))[2]
    assert free.verdict == "supported"


def test_the_suite_on_a_local_dask_cluster_gives_the_same_cells(tmp_path):
    pytest.importorskip("distributed")
    kwargs = {"optimizers": ["adam", "schedule-free-adamw"],
              "workloads": ["least-squares-diabetes"], "rulesets": ("self", "budgets"),
              "schedules": ("constant", "cosine")}  # fmt: skip
    here = training_benchmark("quick", **kwargs)
    there = training_benchmark("quick", workers=2, store=tmp_path / "lab.db", **kwargs)
    strip = [{k: v for k, v in c.items() if k not in ("seconds", "seconds_per_step")}
             for c in here.cells]  # fmt: skip
    assert [
        {k: v for k, v in c.items() if k not in ("seconds", "seconds_per_step")}
        for c in there.cells
    ] == strip  # same order, same numbers
    assert [(c["entrant"], c.get("schedule")) for c in here.cells] == [
        ("adam", None), ("adam", "constant"), ("adam", "cosine"),
        ("schedule-free-adamw", None), ("schedule-free-adamw", "constant")]  # fmt: skip


@pytest.mark.parametrize("extra, message", [
    (["--schedules", "cosine"], "--schedules chooses the schedules of --budgets"),
    (["--budgets", "--schedules", "linear"], "schedules must be some of constant, cosine"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "either --workers or --scheduler"),
])  # fmt: skip
def test_cli_schedules_and_workers_bad_input_is_one_line(capsys, extra, message):
    assert main(["benchmark", "--suite", "training", "--quick", "--no-store", *extra]) != 0
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow  # a Dask cluster and optax's first compilations: about 10 s
def test_cli_budgets_under_schedules_on_workers_with_a_control(capsys, tmp_path):
    pytest.importorskip("distributed")
    pytest.importorskip("optax")
    report = tmp_path / "report"
    assert main(["benchmark", "--suite", "training", "--quick", "--budgets", "--schedules",
                 "constant,cosine", "--workloads", "least-squares-diabetes", "--optimizers",
                 "adamw,optax.adam,schedule-free-adamw", "--workers", "2",
                 "--store", str(tmp_path / "lab.db"), "--report", str(report)]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "optax.adam" in out and "cosine" in out
    assert "Schedule-free without a schedule matches a tuned cosine. verdict:" in out
    page = (report / "index.html").read_text()
    assert "seconds on this machine" in page and "schedule-free-adamw" in page


def test_cli_runs_the_crowded_valleys_experiment(capsys):
    assert main(["experiment", "crowded-valley-schedule-free", "--quick"]) == 0
    out = capsys.readouterr().out
    assert "verdict:" in out and "Schedule-free AdamW without a schedule" in out
