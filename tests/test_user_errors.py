"""Mistakes in and around the user's code: clear errors, or the status 'error' with the path."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import descentlab as dl
from descentlab import memory
from descentlab.cli import main
from descentlab.engines.gradient_check import check_gradient
from descentlab.runner import Interrupted

SPHERE2 = dl.get_function("sphere", dim=2)


def sphere(x):
    return np.sum(x**2, axis=-1)


def problem(f=sphere, grad=lambda x: 2 * x, **kwargs):
    return dl.Problem(f, grad=grad, bounds=[(-1, 1)] * 2, vectorized=True, **kwargs)


# --- what a function returns -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("f", "grad", "error", "message"),
    [
        (lambda x: None, lambda x: 2 * x, TypeError, "the objective returned None"),
        (lambda x: sphere(x) + 0j, lambda x: 2 * x, TypeError, r"complex numbers \(dtype complex"),
        (sphere, lambda x: 2 * x + 0j, TypeError, r"the gradient returned complex"),
        (lambda x: np.array("a"), lambda x: 2 * x, TypeError, "dtype <U1"),
        (sphere, lambda x: None, TypeError, "the gradient returned None"),
    ],
)
def test_bad_outputs_raise_naming_what_was_returned(f, grad, error, message):
    with pytest.raises(error, match=message):
        dl.minimize(problem(f, grad), "gd", n_iter=3, seed=0)


def test_none_from_a_finite_difference_objective_is_named_too():
    with pytest.raises(TypeError, match="the objective returned None"):
        dl.minimize(dl.Problem(lambda x: None, bounds=[(-1, 1)]), "gd", n_iter=3, seed=0)


def test_a_gradient_that_changes_shape_later_is_caught_at_that_call():
    calls = []

    def grad(x):
        calls.append(1)
        return 2 * x if len(calls) < 4 else (2 * x)[..., :1]  # broadcastable, but wrong

    with pytest.raises(ValueError, match=r"for x of shape \(2,\) it returned shape \(1,\)"):
        dl.minimize(problem(grad=grad), "gd", n_iter=10, seed=0)


def test_a_value_that_changes_shape_later_is_caught():
    calls = []

    def f(x):
        calls.append(1)
        return sphere(x) if len(calls) < 3 else np.stack([sphere(x)] * 2)

    with pytest.raises(ValueError, match=r"returned shape \(2,\)"):
        dl.minimize(problem(f), "gd", n_iter=10, seed=0)


# --- exceptions inside the user's code -----------------------------------------------------


def raises_after(n):
    calls = []

    def f(x):
        calls.append(1)
        if len(calls) > n:
            raise ZeroDivisionError("division by zero")
        return sphere(x)

    return f


def test_an_objective_that_raises_ends_the_run_with_status_error_and_its_path():
    result = dl.minimize(problem(raises_after(4)), "gd", n_iter=10, seed=0)
    assert str(result.status) == "error"
    assert str(result.message) == (
        "the objective raised ZeroDivisionError: division by zero at iteration 4"
    )
    assert int(result.nit) == 3 and result.path.shape == (4, 2)
    expected = dl.minimize(problem(), "gd", n_iter=3, seed=0)
    np.testing.assert_array_equal(result.path, expected.path)
    np.testing.assert_array_equal(result.x, expected.x)


def test_errors_in_a_batch_stop_every_start_and_keep_the_finished_statuses():
    x0 = np.array([[0.0, 0.0], [0.5, 0.5]])
    result = dl.minimize(problem(raises_after(3)), "gd", n_iter=10, x0=x0, tol=dl.Tolerance(1e-9))
    assert result.status.tolist() == ["converged", "error"]
    assert result.nit.tolist() == [0, 2]


def test_gradient_and_callback_errors_are_named():
    def bad_grad(x):
        raise RuntimeError("no gradient here")

    result = dl.minimize(problem(grad=bad_grad), "gd", n_iter=5, seed=0)
    assert (
        str(result.message) == "the gradient raised RuntimeError: no gradient here at iteration 0"
    )
    assert np.isnan(result.grad_norm) and result.path.shape == (1, 2)

    def callback(info):
        if info.iteration == 2:
            raise KeyError("k")
        return None

    result = dl.minimize(problem(), "gd", n_iter=5, seed=0, callback=callback)
    assert str(result.status) == "error" and int(result.nit) == 2
    assert str(result.message) == "the callback raised KeyError: 'k' at iteration 2"


def test_raise_errors_gives_back_the_original_exception():
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        dl.minimize(problem(raises_after(2)), "gd", n_iter=10, seed=0, raise_errors=True)


def test_an_objective_that_writes_into_its_input_cannot_corrupt_the_record():
    def f(x):
        x[..., 0] = 0.0
        return sphere(x)

    result = dl.minimize(problem(f), "gd", n_iter=5, x0=[0.5, 0.5])
    assert str(result.status) == "error" and "read-only" in str(result.message)
    assert "x = x.copy()" in str(result.message)
    assert result.path.tolist() == [[0.5, 0.5]]
    fine = dl.minimize(problem(), "gd", n_iter=5, x0=[0.5, 0.5])
    fine.x[0] = 1.0  # the caller's result is the caller's to change


def test_ctrl_c_raises_interrupted_with_the_partial_run():
    def callback(info):
        if info.iteration == 6:
            raise KeyboardInterrupt
        return None

    with pytest.raises(Interrupted) as caught:
        dl.minimize(SPHERE2, "gd", n_iter=50, seed=0, callback=callback)
    partial = caught.value.result
    assert isinstance(caught.value, KeyboardInterrupt)
    assert str(partial.status) == "stopped" and int(partial.nit) == 6
    assert "interrupted after iteration 6" in str(partial.message)
    assert partial.path.shape == (7, 2) and partial.time > 0


# --- callbacks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [True, np.True_, 1, "yes"])
def test_any_true_answer_stops(answer):
    result = dl.minimize(SPHERE2, "gd", n_iter=30, seed=0, callback=lambda info: answer)
    assert str(result.status) == "stopped" and int(result.nit) == 1


@pytest.mark.parametrize("answer", [None, False, np.False_, 0])
def test_false_answers_go_on(answer):
    result = dl.minimize(SPHERE2, "gd", n_iter=30, seed=0, callback=lambda info: answer)
    assert str(result.status) == "max_iter"


def test_an_array_answer_is_refused():
    with pytest.raises(TypeError, match=r"not an array of shape \(2,\)"):
        dl.minimize(SPHERE2, "gd", n_iter=3, seed=0, callback=lambda info: info.x > 0)


# --- arguments -------------------------------------------------------------------------------


def test_hyperparameter_arrays_must_fit_the_batch():
    message = (
        r"alpha is an array of shape \(5,\), which does not fit the batch of starts of shape "
        r"\(\)"
    )
    with pytest.raises(ValueError, match=message):
        dl.minimize(SPHERE2, dl.Adam(alpha=np.linspace(0.01, 0.1, 5)), n_iter=3, seed=0)
    with pytest.raises(ValueError, match=r"beta1 is an array of shape \(3,\).*\(4,\)"):
        dl.minimize(SPHERE2, dl.Adam(beta1=[0.8, 0.9, 0.95]), n_iter=3, seed=0, starts=4)
    schedule = dl.ExponentialDecay(np.array([0.1, 0.2]), rate=0.9)
    with pytest.raises(ValueError, match=r"step_size\.initial is an array of shape \(2,\)"):
        dl.minimize(SPHERE2, dl.GradientDescent(schedule), n_iter=3, seed=0, starts=3)
    fits = dl.minimize(SPHERE2, dl.Adam(alpha=[0.1]), n_iter=3, seed=0, starts=4)  # broadcasts
    assert fits.x.shape == (4, 2)


def test_convenient_forms_are_accepted():
    by_name = dl.minimize(SPHERE2, "adam", n_iter=5, seed=0)
    by_object = dl.minimize(SPHERE2, dl.Adam(), n_iter=5, seed=0)
    np.testing.assert_array_equal(by_name.x, by_object.x)
    plain = dl.minimize(sphere, "gd", n_iter=200, x0=[0.5, -0.5], tol=1e-6)
    assert str(plain.status) == "converged" and float(plain.grad_norm) <= 1e-6


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"problem": 3}, "problem must be a dl.Problem or a function f"),
        ({"optimizer": 3}, r"optimizer must be a descentlab optimizer \(dl.Adam\(...\)\)"),
        ({"optimizer": "adamm"}, "optimizer must be one of gd"),
        ({"tol": "small"}, r"tol must be a dl.Tolerance\(grad=..., fun=...\), a number"),
        ({"tol": -1.0}, r"tol.grad must be a finite number >= 0, not -1.0"),
        ({"record_limit": 1.5}, "record_limit must be a whole number of bytes"),
    ],
)
def test_wrong_types_say_what_is_expected(kwargs, message):
    arguments = {"problem": SPHERE2, "optimizer": "gd", "n_iter": 3, "seed": 0, **kwargs}
    with pytest.raises((TypeError, ValueError), match=message):
        dl.minimize(arguments.pop("problem"), arguments.pop("optimizer"), **arguments)


@pytest.mark.parametrize("minimum", [float("nan"), float("inf"), "0", True])
def test_problem_minimum_must_be_a_finite_number(minimum):
    with pytest.raises(ValueError, match="minimum must be a finite number or None"):
        dl.Problem(sphere, minimum=minimum)


def test_check_gradient_arguments():
    with pytest.raises(ValueError, match=r"points must have 2 coordinates each.*\(4, 3\)"):
        check_gradient(SPHERE2, np.zeros((4, 3)))
    for threshold in (float("nan"), -1.0, 0.0):
        with pytest.raises(ValueError, match="threshold must be a finite number > 0"):
            check_gradient(SPHERE2, threshold=threshold)
    with pytest.raises(ValueError, match=r"n_points must be a whole number in \[1, 100,000\]"):
        check_gradient(SPHERE2, n_points=100_000_000)


# --- memory ----------------------------------------------------------------------------------


def test_a_recording_above_the_limit_is_refused_with_the_estimate_and_the_way_out():
    with pytest.raises(ValueError, match=r"about 14.4 GB \(2001 recorded iterations x 100000 st"):
        dl.minimize(SPHERE2, "adam", n_iter=2000, seed=0, starts=100_000)
    small = dl.minimize(SPHERE2, "adam", n_iter=10, seed=0, starts=100, record_limit=10**6)
    assert small.path.shape == (11, 100, 2)
    with pytest.raises(ValueError, match=r"more than record_limit = 1e\+03 bytes|record=k"):
        dl.minimize(SPHERE2, "adam", n_iter=10, seed=0, starts=100, record_limit=1000)


def test_working_memory_is_checked_against_what_is_available(monkeypatch):
    monkeypatch.setattr(memory, "available_memory", lambda: 10**6)
    monkeypatch.setattr(memory, "SMALL_RUN_BYTES", 0)
    with pytest.raises(ValueError, match=r"needs about 1.44 MB of memory .* 1 MB available"):
        dl.minimize(SPHERE2, "adam", n_iter=1, seed=0, starts=10_000, record="none")


def test_format_bytes():
    assert memory.format_bytes(999) == "999 bytes"
    assert memory.format_bytes(1536) == "1.54 KB"
    assert memory.format_bytes(9.6e9) == "9.6 GB"


# --- the command line --------------------------------------------------------------------------


@pytest.fixture
def broken_module(tmp_path, monkeypatch):
    (tmp_path / "broken.py").write_text(
        textwrap.dedent(
            """
            import time
            import numpy as np
            def f(x):
                if np.any(np.abs(x) > 1):
                    raise ValueError("outside the domain")
                return np.sum(x**2, axis=-1)
            def ascent(x):
                return -2 * x  # a wrong sign: the run walks out of the box
            def slow(x):
                with open("slow-calls.txt", "a") as calls:  # what the Ctrl-C test waits on
                    calls.write("call\\n")
                time.sleep(0.05)
                return np.sum(x**2, axis=-1)
            def grad(x):
                return 2 * x
            """
        )
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_cli_run_broken_by_the_user_function_writes_what_it_has_and_exits_1(capsys, broken_module):
    code = main(["run", "gd", "-f", "broken:f", "--grad", "broken:ascent", "--bounds", "-1,1",
                 "--dim", "2", "--seed", "0", "-q", "--json", "run.json", "--save-path",
                 "--plot", "run.png"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    last = err.strip().splitlines()[-1]
    assert last == (
        "descentlab: error: the objective raised ValueError: outside the domain at iteration 5 "
        "(the run so far is in run.json)"
    )
    record = json.loads((broken_module / "run.json").read_text())
    assert record["result"]["status"] == "error" and record["result"]["nit"] == 4
    assert len(record["result"]["path"]["x"]) == 5
    assert (broken_module / "run.png").stat().st_size > 1000


def test_cli_ctrl_c_writes_the_partial_run_and_no_picture(broken_module):
    env = {**os.environ, "PYTHONPATH": str(broken_module)}
    # As from a terminal: Ctrl-C raises KeyboardInterrupt in the child, whatever an earlier test
    # in this worker (a server, a process pool) left SIGINT at in ours (an ignored SIGINT is
    # inherited, and Python then installs no handler of its own).
    program = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from descentlab.cli import main; sys.exit(main())"
    )
    command = [sys.executable, "-c", program, "run", "gd", "-f", "broken:slow",
               "--grad", "broken:grad", "--bounds", "-1,1", "--dim", "2", "--seed", "0", "-q",
               "--n-iter", "1000", "--json", "partial.json", "--plot", "never.png"]  # fmt: skip
    process = subprocess.Popen(command, cwd=broken_module, env=env, stderr=subprocess.PIPE,
                               text=True)  # fmt: skip
    calls = broken_module / "slow-calls.txt"
    deadline = time.monotonic() + 120
    while not (calls.exists() and calls.read_text().count("call") >= 12):  # the run is under way
        assert process.poll() is None and time.monotonic() < deadline, "the run never started"
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert err.strip().startswith("descentlab: error: interrupted after iteration")
    assert err.count("\n") == 1 and "Traceback" not in err
    record = json.loads((broken_module / "partial.json").read_text())
    assert record["result"]["status"] == "stopped" and 0 < record["result"]["nit"] < 1000
    assert not (broken_module / "never.png").exists()
    assert not list(broken_module.glob(".*partial*"))


def test_cli_picture_of_a_function_that_raises_is_one_line(capsys, broken_module):
    code = main(["run", "gd", "-f", "broken:f", "--grad", "broken:grad", "--bounds", "-2,2",
                 "--dim", "2", "--x0", "0.5,0.5", "-q", "--plot", "run.png"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and err.strip().splitlines()[-1] == (
        "descentlab: error: the objective raised ValueError: outside the domain"
    )
    assert not (broken_module / "run.png").exists()
