"""The tutorials' runs reproduce their printed traces digit for digit.

``golden/*.txt`` hold the lines the tutorials print (``../shared/seeds``). The pages folded
runs of spaces into one (NumPy pads ``[-5.7e-11  2.1e-03]`` with two), so lines are compared
with whitespace folded; every digit is compared as printed.
"""

import pytest

from descentlab.tutorials import TUTORIALS
from tests.conftest import fold


@pytest.mark.parametrize("name", ["gd", "momentum", "amsgrad"])
def test_trace_matches_the_tutorial_line_for_line(name, golden, capsys):
    TUTORIALS[name].run(verbose=True)
    printed = fold(capsys.readouterr().out)
    expected = golden(name)
    # The AMSGrad page prints only iterations 90-99 and the result; the others print all.
    assert printed[-len(expected) :] == expected
    assert len(printed) == TUTORIALS[name].n_iter + 2


@pytest.mark.parametrize(
    ("name", "last_line"),
    [
        ("gd", "f([0.00115631]) = 0.000001"),
        ("momentum", "f([6.17748881e-07]) = 0.000000"),
        ("amsgrad", "f([-6.78222208e-12 1.27905115e-03]) = 0.000002"),
    ],
)
def test_last_line(name, last_line, capsys):
    TUTORIALS[name].run(verbose=True)
    assert fold(capsys.readouterr().out)[-1] == last_line


def test_amsgrad_trace_was_printed_without_eps(capsys):
    """With the 1e-8 of the tutorial's code the printed digits are not reproduced."""
    from dataclasses import replace

    from descentlab import minimize

    t = TUTORIALS["amsgrad"]
    with_eps = minimize(t.problem, replace(t.optimizer, eps=1e-8), n_iter=t.n_iter, seed=t.seed)
    assert f"{with_eps.x[1]:.8e}" != "1.27905115e-03"
    assert f"{t.run().x[1]:.8e}" == "1.27905115e-03"


def test_momentum_reaches_the_optimum_in_fewer_iterations_than_gd():
    """The tutorial's point: f < 1e-5 after 13 iterations with momentum, 27 without."""
    gd, momentum = TUTORIALS["gd"].run(), TUTORIALS["momentum"].run()

    def first_below(result, level):
        return int((result.path_fun < level).argmax())

    assert first_below(momentum, 5e-6) < first_below(gd, 5e-6)
