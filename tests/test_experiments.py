"""The experiments: statistics they rest on, verdicts that follow their checks, and every
experiment's --quick verdict with the numbers that decide it."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from descentlab import experiments
from descentlab.cli import main
from descentlab.experiments import DEPENDS, NOT_SUPPORTED, SUPPORTED, Check
from descentlab.experiments._base import decide
from descentlab.results.statistics import (
    Summary,
    band,
    disjoint,
    first_reach,
    iterations_per_decade,
    median_interval,
    quartiles,
)

# --- statistics ---------------------------------------------------------------------------------


def test_median_interval_takes_the_binomial_order_statistics():
    summary = median_interval(np.arange(100.0)[::-1])
    # n = 100: ranks floor(50 - 9.8) = 40 and ceil(50 + 9.8) = 60
    assert (summary.median, summary.low, summary.high, summary.n) == (49.5, 40.0, 60.0, 100)


def test_the_median_interval_covers_the_true_median_about_95_percent_of_the_time():
    rng = np.random.default_rng(0)
    samples = rng.exponential(size=(2000, 50))
    true_median = math.log(2.0)
    covered = [median_interval(row).low <= true_median <= median_interval(row).high
               for row in samples]  # fmt: skip
    assert 0.93 <= np.mean(covered) <= 0.99


def test_diverged_replicates_count_as_the_worst_not_as_missing():
    summary = quartiles([1.0, 2.0, 3.0, np.nan])
    assert summary.high == np.inf
    with pytest.raises(ValueError, match="at least 6 samples"):
        median_interval([1.0, 2.0])


def test_bands_over_replicates():
    values = np.arange(12.0).reshape(2, 6)
    median, low, high = band(values, "iqr")
    assert np.allclose(median, [2.5, 8.5]) and np.allclose(low, [1.25, 7.25])
    median, low, high = band(values, "ci95")
    assert np.all(low <= median) and np.all(median <= high)
    with pytest.raises(ValueError, match="band must be one of iqr, ci95"):
        band(values, "sd")


def test_first_reach_and_decay_rate():
    values = np.array([[5.0, 1.0], [2.0, 1.0], [0.5, 1.0]])
    hits = first_reach(values, np.array([0, 10, 20]), 1.0)
    assert hits[0] == 20 and hits[1] == 0
    r = 0.8
    k = np.arange(200)
    assert iterations_per_decade(k, r**k, 1e-2, 1e-12) == pytest.approx(math.log(10) / -math.log(r))
    assert math.isnan(iterations_per_decade(k, np.ones(200), 1e-2, 1e-12))


def test_disjoint_intervals():
    a, b = Summary(1, 0, 2, 10, "ci95"), Summary(5, 3, 6, 10, "ci95")
    assert disjoint(a, b) == -1 and disjoint(b, a) == 1 and disjoint(a, a) == 0


# --- verdicts ------------------------------------------------------------------------------------


def test_a_verdict_follows_its_checks():
    yes, no = Check("a", True, "1 < 2"), Check("b", False, "3 > 2")
    assert decide([yes, yes]).outcome == SUPPORTED
    assert decide([no]).outcome == NOT_SUPPORTED
    mixed = decide([yes, no])
    assert (
        mixed.outcome == DEPENDS
        and "holds for: a" in mixed.reason
        and "Fails for: b" in mixed.reason
    )
    with pytest.raises(ValueError):
        decide([])


def test_changing_the_data_changes_the_verdict():
    from descentlab.experiments.noisy_gradients import _lower

    low, high = Summary(1, 0.5, 1.5, 200, "ci95"), Summary(5, 4, 6, 200, "ci95")
    assert _lower("momentum lower", gd=high, hb=low).holds
    assert not _lower("momentum lower", gd=low, hb=high).holds


# --- the experiments, quick ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def findings():
    return {}


def quick(name: str, findings: dict):
    if name not in findings:
        findings[name] = experiments.run(name, quick=True)
    return findings[name]


def test_every_experiment_is_listed_with_a_claim_and_a_source():
    assert list(experiments.EXPERIMENTS) == [
        "step-size", "curvature", "noisy-gradients", "flat-spots", "adam-amsgrad",
        "effective-step", "logistic-regression", "adam-amsgrad-training", "edge-of-stability",
        "muon-adamw", "schedule-free", "learning-rate-free", "crowded-valley-dominance",
        "crowded-valley-budgets", "crowded-valley-schedule-free",
    ]  # fmt: skip
    for experiment in experiments.EXPERIMENTS.values():
        assert experiment.claim and experiment.source and experiment.title
    with pytest.raises(ValueError, match="unknown experiment 'nope'"):
        experiments.get("nope")


def test_step_size_finds_2_over_L_from_runs(findings):
    finding = quick("step-size", findings)
    assert finding.verdict.outcome == SUPPORTED
    for row in finding.numbers["problems"]:
        assert abs(row["relative error"]) <= 0.01
        assert row["largest stable step"] == pytest.approx(2 / row["L"], rel=0.01)


def test_curvature_rates_match_theory(findings):
    finding = quick("curvature", findings)
    assert finding.verdict.outcome == SUPPORTED
    for row in finding.numbers["kappas"]:
        assert row["gd measured"] == pytest.approx(row["gd theory"], rel=0.01)
        assert row["hb measured"] == pytest.approx(row["hb theory"], rel=0.10)
    assert finding.numbers["ratio exponent"] == pytest.approx(0.5, abs=0.05)


def test_noisy_gradients_momentum_helps_only_at_large_effective_steps(findings):
    finding = quick("noisy-gradients", findings)
    best_step_checks = [c for c in finding.checks if "best effective step" in c.condition]
    largest_step_checks = [c for c in finding.checks if "largest effective step" in c.condition]
    assert len(best_step_checks) == len(largest_step_checks) == 2
    assert not any(c.holds for c in best_step_checks)
    assert all(c.holds for c in largest_step_checks)
    assert finding.verdict.outcome == DEPENDS
    for row in finding.numbers["settings"]:
        assert row["final f - f* median"] < 0.05


def test_flat_spots_momentum_crosses_sooner(findings):
    finding = quick("flat-spots", findings)
    assert finding.verdict.outcome == SUPPORTED
    gd, _, heavy, gd_effective = finding.numbers["methods"]
    assert heavy["crossed"]["median"] * 2 < gd["crossed"]["median"]
    assert gd_effective["starts settled"] < heavy["starts settled"]


def test_adam_goes_to_the_worst_point_and_amsgrad_towards_the_best(findings):
    finding = quick("adam-amsgrad", findings)
    runs = {(r["problem"], r["optimizer"]): r for r in finding.numbers["runs"]}
    for problem in ("reddi-theorem1", "reddi-online", "reddi-stochastic"):
        assert runs[(problem, "Adam")]["final x (median)"] >= 0.9
    for problem in ("reddi-theorem1", "reddi-online"):
        assert runs[(problem, "AMSGrad")]["final x (median)"] <= -0.9
    # the quick design says what it cannot show instead of failing a check on a short horizon
    assert ("reddi-stochastic", "AMSGrad") not in runs
    assert "AMSGrad on reddi-stochastic is left out" in finding.design
    assert finding.verdict == decide(finding.checks)
    assert finding.verdict.outcome == SUPPORTED


def test_amsgrad_effective_step_never_rises(findings):
    finding = quick("effective-step", findings)
    online = finding.numbers["sequences"][0]
    assert online["AMSGrad steps that increased"] == 0
    assert online["Adam largest rise within 100 steps"] >= 2.0
    for curves in finding.data["steps"].values():
        assert np.all(np.diff(curves["AMSGrad"]) <= 0)


def test_logistic_regression_is_tuned_and_converges(findings):
    pytest.importorskip("sklearn")
    finding = quick("logistic-regression", findings)
    for row in finding.numbers["optimizers"]:
        assert row["final f - f* median"] < 0.05
        assert row["grid"][0] < row["tuned step"] < row["grid"][-1]
    assert finding.verdict == decide(finding.checks)
    json.dumps(finding.to_dict())


def test_adam_and_amsgrad_in_training_are_compared_at_their_tuned_steps(findings):
    pytest.importorskip("sklearn")
    finding = quick("adam-amsgrad-training", findings)
    runs = finding.numbers["runs"]
    assert [(r["problem"], r["optimizer"]) for r in runs] == [
        ("logistic regression", "Adam"), ("logistic regression", "AMSGrad"),
        ("one-hidden-layer network", "Adam"), ("one-hidden-layer network", "AMSGrad"),
    ]  # fmt: skip
    for row in runs:
        medians = np.asarray(row["tuning medians"])
        assert row["tuned step"] == pytest.approx(
            float(np.geomspace(1e-4, 1e-1, 7)[int(np.argmin(medians))])
        )
        low, high = row["95% interval"]
        final = next(v for k, v in row.items() if k.startswith("final"))
        assert low <= final <= high
    assert len(finding.checks) == 2 and finding.verdict == decide(finding.checks)
    for check in finding.checks:  # the verdict follows the intervals, whichever way they fall
        assert "against Adam" in check.evidence


def test_edge_of_stability_measures_the_sharpness_against_two_over_eta(findings):
    pytest.importorskip("sklearn")
    finding = quick("edge-of-stability", findings)
    runs = finding.numbers["runs"]
    assert {r["loss"] for r in runs} == {"squared-error", "cross-entropy"}
    for row in runs:
        assert row["2 / eta"] == pytest.approx(2 / row["step size"])
        assert row["lowest ratio"] <= row["final ratio"] <= row["largest ratio"]
        if row["reached at"] is not None:  # the band is where the data say it is
            assert row["largest ratio"] >= 0.9 and 0.0 <= row["share in band"] <= 1.0
    curves = finding.data["curves"]
    steps, ratio, _ = curves[("squared-error", 0.4)]
    assert steps[0] == 0 and np.isfinite(ratio).all()
    assert len(finding.checks) == 4 and finding.verdict == decide(finding.checks)


@pytest.mark.parametrize("name, pairs", [
    ("muon-adamw", [("mlp-digits", "Muon"), ("mlp-digits", "AdamW"),
                    ("deep-mlp-digits", "Muon"), ("deep-mlp-digits", "AdamW")]),
    ("schedule-free", [("logistic regression", "schedule-free AdamW"),
                       ("logistic regression", "AdamW, warm-up + cosine"),
                       ("one-hidden-layer network", "schedule-free AdamW"),
                       ("one-hidden-layer network", "AdamW, warm-up + cosine")]),
])  # fmt: skip
def test_training_comparisons_tune_each_method_on_the_same_grid(findings, name, pairs):
    pytest.importorskip("sklearn")
    finding = quick(name, findings)
    runs = finding.numbers["runs"]
    assert [(r["problem"], r["optimizer"]) for r in runs] == pairs
    grid = np.geomspace(1e-4, 1.0, 9)
    for row in runs:
        medians = np.asarray(row["tuning medians"])
        assert row["tuned step"] == pytest.approx(float(grid[int(np.argmin(medians))]))
        low, high = row["95% interval"]
        assert low <= next(v for k, v in row.items() if k.startswith("final")) <= high
    assert len(finding.checks) == 2 and finding.verdict == decide(finding.checks)


def test_learning_rate_free_estimates_are_read_from_the_runs(findings):
    pytest.importorskip("sklearn")
    finding = quick("learning-rate-free", findings)
    for row in finding.numbers["runs"]:
        if row["optimizer"] == "Adam":
            assert row["step is"] == "tuned" and row["step"] in np.geomspace(1e-4, 1.0, 17)
        else:  # the median of the estimates the runs ended with, d0 = 1e-6 grown
            assert row["step"] == pytest.approx(float(np.median(row["d per replicate"])))
            assert row["step"] > 1e-4
    assert len(finding.checks) == 8 and finding.verdict == decide(finding.checks)


def test_a_finding_is_kept_in_the_store_and_read_back(tmp_path):
    path = tmp_path / "kept.db"
    first = experiments.run("flat-spots", quick=True, store=path)
    experiments.run("flat-spots", quick=True, store=path)
    kept = experiments.FindingStore(path).findings("flat-spots")
    assert [row["id"] for row in kept] == [1, 2] and kept[0]["quick"] is True
    assert kept[0]["finding"] == json.loads(json.dumps(first.to_dict()))
    assert kept[0]["verdict"] == first.verdict.outcome and kept[0]["machine"]
    assert experiments.FindingStore(path).findings("curvature") == []


def test_the_crowded_valleys_claims_are_read_from_the_suites_budgets(findings):
    pytest.importorskip("sklearn")
    from descentlab.benchmarking.training.verdicts import claims

    found = [quick(name, findings) for name in ("crowded-valley-dominance",
             "crowded-valley-budgets", "crowded-valley-schedule-free")]  # fmt: skip
    rows = found[0].numbers["budgets"]
    assert {r["workload"] for r in rows} == {"least-squares-diabetes", "logistic-breast-cancer"}
    assert {(r["entrant"], r["schedule"]) for r in rows} == {
        ("adamw", "constant"), ("adamw", "cosine"), ("nesterov", "constant"),
        ("nesterov", "cosine"), ("schedule-free-adamw", "constant")}  # fmt: skip
    from descentlab.experiments.crowded_valley import _results

    for finding, claim in zip(found, claims(_results(True, None)), strict=True):
        assert [(c.condition, c.holds) for c in finding.checks] == [
            (condition, holds) for condition, holds, _ in claim.checks]  # fmt: skip
        assert finding.verdict.outcome == claim.verdict
    assert len(found[2].checks) == 2  # schedule-free AdamW against AdamW's cosine, per workload


def test_every_finding_is_plain_json(findings):
    pytest.importorskip("sklearn")
    for name in experiments.EXPERIMENTS:
        data = json.loads(json.dumps(quick(name, findings).to_dict(), allow_nan=False))
        assert data["verdict"] in (SUPPORTED, NOT_SUPPORTED, DEPENDS) and data["checks"]


# --- command line --------------------------------------------------------------------------------


def test_cli_keeps_a_finding_and_lists_the_kept(capsys, tmp_path):
    store = tmp_path / "lab.db"
    assert main(["experiment", "curvature", "--quick", "--store", str(store)]) == 0
    assert "kept as finding 1" in capsys.readouterr().err
    assert main(["experiments", "--store", str(store), "--json"]) == 0
    kept = json.loads(capsys.readouterr().out)
    assert [(row["name"], row["quick"]) for row in kept] == [("curvature", True)]
    assert main(["experiments", "--store", str(tmp_path / "none.db")]) == 2
    assert "no store at" in capsys.readouterr().err


def test_cli_lists_and_runs_an_experiment(capsys, tmp_path):
    assert main(["experiments", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [row["name"] for row in listed] == list(experiments.EXPERIMENTS)
    picture, record = tmp_path / "flat.png", tmp_path / "flat.json"
    assert main(["experiment", "flat-spots", "--quick", "--plot", str(picture),
                 "--json", str(record)]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "verdict: supported" in out and "claim:" in out
    assert picture.read_bytes()[:4] == b"\x89PNG"
    data = json.loads(record.read_text())
    assert data["schema"] == "descentlab.experiment/1" and data["verdict"] == SUPPORTED
    assert main(["experiment", "curvature", "--quick", "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "curvature"


@pytest.mark.parametrize(
    "args, message",
    [
        (["experiment", "nope"], "unknown experiment 'nope'"),
        (["experiment", "flat-spots", "--plot", "x.gif"], "must end in .png"),
        (["experiment", "flat-spots", "--json", "/no/such/folder/x.json"], "does not exist"),
    ],
)
def test_cli_bad_experiment_input_is_one_line_and_exit_2(capsys, args, message):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
