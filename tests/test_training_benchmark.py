"""The training benchmark: DeepOBS's quadratic as DeepOBS makes it, the workloads' splits and
metrics, AlgoPerf's rules, one study as one batched run, the store and resume, bad input."""

import json
import math

import numpy as np
import pytest

import descentlab as dl
from descentlab.benchmarking.entrants import parse_entrant
from descentlab.benchmarking.training import TrainingStore, get_workload, training_benchmark
from descentlab.benchmarking.training import protocol as rules
from descentlab.benchmarking.training.harness import SEED, plan, run_cell
from descentlab.benchmarking.training.quadratic_deep import hessian
from descentlab.benchmarking.training.suite import committed_targets
from descentlab.cli import main

pytest.importorskip("sklearn")
GOLDEN = json.loads((__import__("pathlib").Path(__file__).parent / "golden" /
                     "deepobs_quadratic_deep.json").read_text())  # fmt: skip


def test_quadratic_deep_is_deepobs_own():
    q = hessian()
    np.testing.assert_allclose(q[:3], GOLDEN["hessian_first_rows"], rtol=0, atol=1e-12)
    assert np.trace(q) == pytest.approx(GOLDEN["hessian_trace"], rel=1e-13)
    np.testing.assert_allclose(np.linalg.eigvalsh(q), GOLDEN["eigenvalues"], atol=1e-11)
    from descentlab.benchmarking.training.data import quadratic_points

    splits = quadratic_points()
    for name, part in (("train", splits.train), ("valid", splits.valid), ("test", splits.test)):
        np.testing.assert_array_equal(part[0][0, :5], GOLDEN["first_draws"][name])
    workload = get_workload("quadratic-deep")
    theta = np.ones(100)  # DeepOBS's start
    direct = np.mean([0.5 * (theta - x) @ q @ (theta - x) for x in splits.valid[0]])
    assert workload.metrics(theta, "valid")["loss"] == pytest.approx(direct, rel=1e-12)
    g = workload.problem.batch_gradient(theta[None], np.array([[0, 5, 7]]))[0]
    expected = np.mean([q @ (theta - splits.train[0][i]) for i in (0, 5, 7)], axis=0)
    np.testing.assert_allclose(g, expected, rtol=1e-12)


def test_a_classifiers_metrics_are_its_loss_and_accuracy_on_the_split():
    workload = get_workload("mlp-digits")
    x = workload.starts(2, 0)
    from descentlab.benchmarking.training.data import digits
    from descentlab.problems.stochastic.network import forward

    a, y = digits().valid
    _, logits = forward(x, a, workload.problem.shapes)
    found = workload.metrics(x, "valid")
    np.testing.assert_allclose(found["accuracy"], np.mean(np.argmax(logits, -1) == y, -1))
    shifted = logits - logits.max(-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
    np.testing.assert_allclose(found["loss"], -log_probs[:, np.arange(len(y)), y.astype(int)]
                               .mean(-1), rtol=1e-12)  # fmt: skip
    assert np.isnan(workload.metrics(np.full((1, x.shape[1]), np.nan), "test")["loss"]).all()
    train, valid, test = digits().train, digits().valid, digits().test
    assert len(train[1]) + len(valid[1]) + len(test[1]) == 1797
    np.testing.assert_allclose(train[0].mean(axis=0), 0.0, atol=1e-12)  # standardized by train


def test_convex_workloads_know_f_star():
    for name in ("softmax-digits", "logistic-breast-cancer", "least-squares-diabetes"):
        problem = get_workload(name).problem
        found = dl.minimize(problem, dl.Nesterov(step_size=0.1, momentum=0.9), n_iter=3000,
                            x0=np.zeros(problem.dim), record="none")  # fmt: skip
        assert problem.minimum <= float(found.fun) <= problem.minimum + 1e-3, name


def test_time_to_target_and_the_algoperf_score():
    metric = np.array([[0.5, 0.9], [0.2, 0.8], [0.1, np.nan]])
    found = rules.steps_to_target(np.array([0, 10, 20]), metric, 0.2, higher_is_better=False)
    assert found.tolist() == [10.0, math.inf]
    assert rules.external_time(np.array([[5, 3], [9, math.inf], [math.inf, math.inf]])) == 9.0
    times = {"a": {"w1": 10.0, "w2": 40.0}, "b": {"w1": 20.0, "w2": math.inf}}
    found = rules.ratios(times)
    assert found == {"a": {"w1": 1.0, "w2": 1.0}, "b": {"w1": 2.0, "w2": math.inf}}
    # the score is the profile's integral over [1, 4] / 3: b is within 2x on one of two
    taus = np.linspace(1, 4, 300_001)
    numeric = np.trapezoid(rules.profile([2.0, math.inf], taus), taus) / 3
    assert rules.algoperf_score([2.0, math.inf]) == pytest.approx(numeric, abs=1e-5)
    assert rules.algoperf_score([1.0, 1.0]) == 1.0 and rules.algoperf_score([5.0]) == 0.0


def test_each_studys_trials_are_quasi_random_in_the_search_space():
    adam = parse_entrant("adam")
    name, low, high = rules.search_space(adam)
    assert name == "alpha" and low == pytest.approx(1e-3 * 10**-1.5)
    first, again = rules.trial_steps(adam, 0), rules.trial_steps(adam, 0)
    np.testing.assert_array_equal(first, again)
    assert np.all((low <= first) & (first <= high)) and len(set(first)) == 5
    assert not np.allclose(first, rules.trial_steps(adam, 1))


def test_a_study_is_one_batch_whose_rows_train_as_each_alone():
    workload, entrant = get_workload("least-squares-diabetes"), parse_entrant("nesterov")
    cell = run_cell(workload, entrant, "external", target=0.22)
    assert cell["rows"] == 15 and np.shape(cell["valid"]["loss"]) == (21, 15)
    steps = plan(entrant, "external")["settings"]["step_size"]
    k = 7
    alone = dl.minimize(workload.problem, dl.Nesterov(step_size=steps[k]), n_iter=workload.steps,
                        x0=np.zeros(workload.problem.dim), seed=SEED, first_stream=k,
                        batch_size=workload.batch_size, record=workload.eval_every)  # fmt: skip
    np.testing.assert_array_equal(np.asarray(cell["valid"]["loss"])[:, k],
                                  workload.metrics(alone.path, "valid")["loss"])  # fmt: skip
    assert run_cell(workload, entrant, "external", target=0.22)["valid"] == cell["valid"]


def test_the_suite_resumes_from_its_store_with_the_same_numbers(tmp_path, monkeypatch):
    path = tmp_path / "lab.db"
    kwargs = {"optimizers": ["adam", "nesterov"], "workloads": ["least-squares-diabetes"]}
    fresh = training_benchmark("quick", **kwargs)
    partial = training_benchmark("quick", optimizers=["adam"], workloads=kwargs["workloads"],
                                 store=path)  # a run killed after adam's cells  # fmt: skip
    assert len(partial.cells) == 2
    resumed = training_benchmark("quick", **kwargs, store=path)
    numbers = [{k: v for k, v in r.to_dict().items() if k != "seconds"} for r in (resumed, fresh)]
    assert json.dumps(numbers[0], sort_keys=True) == json.dumps(numbers[1], sort_keys=True)
    cell = next(c for c in fresh.cells if c["ruleset"] == "self" and c["entrant"] == "adam")
    seconds = fresh.to_dict()["seconds"]["self"]["adam"]["least-squares-diabetes"]  # wall time
    assert seconds == fresh.time(cell) * cell["seconds_per_step"] / cell["rows"]
    import descentlab.benchmarking.training.suite as suite

    monkeypatch.setattr(suite, "run_cell", lambda *a, **k: pytest.fail("a stored cell reran"))
    assert training_benchmark("quick", **kwargs, store=path).cells == resumed.cells


def test_the_training_suite_through_dl_benchmark():
    results = dl.benchmark("training", ["nesterov"], tier="quick",
                           functions=["least-squares-diabetes"])  # fmt: skip
    assert results.entrants == ["nesterov"] and set(results.rulesets()) == {"external", "self"}
    board = results.leaderboard()
    assert set(board.columns) >= {"ruleset", "entrant", "score", "least-squares-diabetes"}
    assert 0.0 <= board["score"].min() <= board["score"].max() <= 1.0


@pytest.mark.parametrize("call, message", [
    (lambda: training_benchmark("quick", workloads=["nope"]), "unknown workload 'nope'"),
    (lambda: training_benchmark("huge"), "tier must be one of"),
    (lambda: training_benchmark("quick", workloads=["mlp-digits"], targets={"mlp-digits": 1.5}),
     "must be in (0, 1]"),
    (lambda: training_benchmark("quick", workloads=["least-squares-diabetes"],
                                targets={"least-squares-diabetes": 0.01}), "cannot be reached"),
])  # fmt: skip
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("]", r"\]")):
        call()


def test_a_store_of_another_suite_is_refused_and_kept(tmp_path):
    path = tmp_path / "lab.db"
    training_benchmark("quick", optimizers=["nesterov"], workloads=["least-squares-diabetes"],
                       store=path)  # fmt: skip
    before = path.read_bytes()
    with pytest.raises(ValueError, match="holds training-quick, not training-default"):
        training_benchmark("default", optimizers=["nesterov"],
                           workloads=["least-squares-diabetes"], store=path)  # fmt: skip
    with TrainingStore(path) as store:
        assert store.suites() == {"training-quick"}
    assert len(path.read_bytes()) == len(before)


def test_the_committed_targets_cover_every_workload():
    from descentlab.benchmarking.training import WORKLOADS

    targets = committed_targets()
    assert set(targets) == set(WORKLOADS)
    for name, value in targets.items():
        workload = get_workload(name)
        assert (0 < value <= 1) if workload.higher_is_better else value > 0


def test_cli_training_suite_prints_stores_and_reports(capsys, tmp_path):
    store, report = tmp_path / "lab.db", tmp_path / "report"
    args = ["benchmark", "--suite", "training", "--quick", "--workloads",
            "least-squares-diabetes", "--optimizers", "adam,nesterov",
            "--store", str(store)]  # fmt: skip
    assert main([*args, "--json", "-", "--report", str(report)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["schema"] == "descentlab.training-benchmark/1" and set(out["scores"]) == {
        "external", "self"}  # fmt: skip
    page = (report / "index.html").read_text()
    assert page.count("<svg") >= 4 and "<script" not in page and "http" not in page.split(
        "<svg")[0]  # fmt: skip
    assert main(args) == 0
    assert "external tuning: AlgoPerf score" in capsys.readouterr().out


@pytest.mark.parametrize("extra, message", [
    (["--dims", "2"], "--dims does not apply to --suite training"),
    (["--quick", "--full"], "either --quick or --full"),
    (["--workloads", "nope", "--no-store"], "unknown workload 'nope'"),
])  # fmt: skip
def test_cli_training_bad_input_is_one_line(capsys, extra, message):
    assert main(["benchmark", "--suite", "training", *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_the_crowded_valleys_budgets_choose_from_their_own_trials(tmp_path, monkeypatch):
    from descentlab.benchmarking.training.budgets import BUDGETS, EVALUATION_RUNS

    kwargs = {"optimizers": ["nesterov", "adam"], "workloads": ["least-squares-diabetes"],
              "rulesets": ("budgets",), "store": tmp_path / "lab.db",
              "schedules": ("constant",)}  # fmt: skip
    results = training_benchmark("quick", **kwargs)
    import descentlab.benchmarking.training.suite as suite

    monkeypatch.setattr(suite, "run_budget_cell", lambda *a, **k: pytest.fail("reran"))
    assert training_benchmark("quick", **kwargs).cells == results.cells  # kept, read back
    for cell in results.cells:
        tuned = np.asarray(cell["tuning_valid"])
        steps = np.asarray(cell["tuning_steps"])
        assert cell["chosen"]["one-shot"] == steps[0]  # the defaults
        for budget, count in BUDGETS.items():
            if count:  # the best of the first `count` random trials, by validation metric
                assert cell["chosen"][budget] == steps[1 + int(np.argmin(tuned[1 : 1 + count]))]
            assert len(cell["test"][budget]) == EVALUATION_RUNS
    rows = results.budgets()
    assert {(r["entrant"], r["budget"]) for r in rows} == {
        (e, b) for e in ("nesterov", "adam") for b in BUDGETS}  # fmt: skip
    for row in rows:
        assert row["test"][1] <= row["test"][0] <= row["test"][2]


def test_crowded_valley_verdicts_follow_the_numbers():
    from descentlab.benchmarking.training.results import TrainingResults
    from descentlab.benchmarking.training.verdicts import claims

    def cell(workload, entrant, one_shot, large):
        return {"workload": workload, "entrant": entrant, "ruleset": "budgets",
                "chosen": {"one-shot": 1.0, "small": 1.0, "large": 1.0},
                "valid": {b: [v] * 6 for b, v in (("one-shot", one_shot), ("small", large),
                                                   ("large", large))},
                "test": {b: [v + 0.001 * k for k in range(6)] for b, v in (
                    ("one-shot", one_shot), ("small", large), ("large", large))}}  # fmt: skip

    # adam is clearly best on both workloads; tuning gains 0.3, switching 0.1 (losses)
    settings = (("adam", 0.5, 0.2), ("gd", 0.6, 0.3), ("sgd", 0.7, 0.4))
    cells = [cell(w, e, one_shot, large) for w in ("least-squares-diabetes", "softmax-digits")
             for e, one_shot, large in settings]  # fmt: skip
    dominates, tuning, free = claims(TrainingResults(cells, {}, "quick"))
    assert free.verdict == "not tested"  # no schedule-free optimizer ran
    assert dominates.verdict == "not supported" and "adam" in dominates.checks[0][2]
    assert tuning.verdict == "supported"
    cells = [c for c in cells if not (c["workload"] == "softmax-digits" and c["entrant"] == "adam")]
    dominates, _, _ = claims(TrainingResults(cells, {}, "quick"))
    assert dominates.verdict == "supported"  # gd wins softmax-digits: no one wins both


def test_cli_training_budgets_print_their_verdicts(capsys):
    assert main(["benchmark", "--suite", "training", "--quick", "--budgets", "--no-store",
                 "--workloads", "least-squares-diabetes",
                 "--optimizers", "adam,nesterov"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "tuning budgets" in out and "No optimizer dominates every workload. verdict:" in out


@pytest.mark.parametrize("name, target", [
    ("least-squares-diabetes", 0.22),
    pytest.param("mlp-digits", 0.975, marks=pytest.mark.slow),  # 22 s: torch row by row
])  # fmt: skip
def test_pytorchs_and_optaxs_natives_land_on_their_twins_numbers(name, target):
    pytest.importorskip("torch")
    pytest.importorskip("optax")
    from descentlab.benchmarking.training.natives import NATIVES, native_entrant

    workload = get_workload(name)
    for native, twin in NATIVES.items():
        ours = run_cell(workload, parse_entrant(twin), "external", target=target)
        theirs = run_cell(workload, native_entrant(native), "external", target=target)
        assert theirs["design"] == ours["design"]  # the same trials, starts and streams
        assert theirs["steps_to_target"] == ours["steps_to_target"]
        steps = np.asarray(ours["design"]["settings"][native_entrant(native).step_name])
        calm = steps <= 3 * rules.default_step(parse_entrant(twin))  # rounding stays rounding
        a, b = (np.asarray(c["valid"]["loss"])[:, calm] for c in (theirs, ours))
        np.testing.assert_allclose(a, b, rtol=1e-9)
    results = training_benchmark("quick", optimizers=["adam", "torch.adam"],
                                 workloads=["least-squares-diabetes"])  # fmt: skip
    assert results.times("external")["torch.adam"] == results.times("external")["adam"]


def test_the_convolutional_network_equals_torchs_conv2d_and_autograd():
    torch = pytest.importorskip("torch")
    from descentlab.benchmarking.training.convnet import _unpack, convnet, gradient
    from descentlab.problems.stochastic.network import _onehot

    rng = np.random.RandomState(0)
    images, y = rng.normal(size=(20, 64)), rng.randint(0, 10, 20)
    problem = convnet("small", images, y, channels=4, l2=1e-3)
    assert problem.structure.describe() == "K (9, 4), c (4,), W (144, 10), b (10,)"
    x = rng.normal(size=(2, problem.dim)) * 0.5
    for k in range(2):
        t = torch.tensor(x[k], requires_grad=True)
        kernels, c, w, b = _unpack(t, 4, 10)
        filters = kernels.T.reshape(4, 1, 3, 3)  # one filter per column of K
        maps = torch.nn.functional.conv2d(torch.tensor(images).reshape(20, 1, 8, 8), filters)
        maps = maps + c.reshape(1, 4, 1, 1)
        logits = torch.tanh(maps).permute(0, 2, 3, 1).reshape(20, 144) @ w + b
        value = torch.nn.functional.cross_entropy(logits, torch.tensor(y)) + 5e-4 * (t * t).sum()
        value.backward()
        assert problem.f(x[k]) == pytest.approx(value.item(), rel=1e-12)
        np.testing.assert_allclose(problem.grad(x)[k], t.grad.numpy(), rtol=1e-9, atol=1e-14)
    index = rng.randint(0, 20, size=(2, 5))  # a minibatch per network is the same formula
    alone = gradient(x[1], problem.patches_[index[1]], _onehot(y, 10)[index[1]], 4, 10, 1e-3)
    np.testing.assert_allclose(problem.batch_gradient(x, index)[1], alone, rtol=1e-13)


def test_each_studys_best_trial_is_the_first_to_the_target_then_the_best_metric():
    from descentlab.benchmarking.training.results import TrainingResults

    accuracy = np.array([[0.5, 0.6, 0.7, 0.5], [0.9, 0.95, 0.8, 0.85]])  # (K, 2 studies x 2)
    cell = {"workload": "mlp-digits", "entrant": "adam", "ruleset": "external",
            "design": {"studies": 2, "trials": 2}, "steps_to_target": [10.0, 10.0, math.inf,
            math.inf], "valid": {"accuracy": accuracy.tolist(), "loss": accuracy.tolist()},
            "test": {"accuracy": accuracy.tolist()}}  # fmt: skip
    results = TrainingResults([cell], {"mlp-digits": 0.9}, "quick")
    assert results.best_rows(cell) == [1, 3]  # tie on steps: higher accuracy; none: best one
    summary = results.metric_summary(cell)
    assert summary["best valid accuracy"] == pytest.approx([0.9, 0.85, 0.95])
    assert results.time(cell) == math.inf  # the median of 10 and never
