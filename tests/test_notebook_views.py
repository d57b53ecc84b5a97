"""The notebook views (#25): Result, Problem and a sweep's table show themselves as HTML."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

import descentlab as dl


def text_of(markup: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup))


def test_one_start_shows_its_summary_and_its_path():
    problem = dl.get_function("rosenbrock")
    result = dl.minimize(problem, dl.Adam(alpha=0.05), n_iter=300, x0=[-1.0, 1.0])
    markup = result._repr_html_()
    shown = text_of(markup)
    assert "one start" in shown and "adam" in shown
    assert f"status {result.status}" in shown
    assert f"iterations {int(result.nit)}" in shown
    assert f"{result.nfev} f" in shown
    assert markup.count("<svg") == 2  # f along the path, and the path in the plane
    points = re.findall(r"points='([^']*)'", markup)[1].split()
    assert len(points) == len(result.path_iter)  # every recorded step of the path is drawn


def test_many_starts_show_their_statuses_and_best():
    problem = dl.get_function("himmelblau")
    result = dl.minimize(problem, dl.Adam(alpha=0.05), n_iter=400, seed=0, starts=30,
                         record="none", tol=dl.Tolerance(grad=1e-6))  # fmt: skip
    shown = text_of(result._repr_html_())
    converged = int(np.sum(result.status == "converged"))
    assert f"converged {converged}" in shown
    assert f"(start {result.best()})" in shown
    assert "30 starts" in shown
    assert "<svg" in result._repr_html_()  # the sorted final values


def test_the_views_escape_what_they_show():
    problem = dl.Problem(lambda x: np.sum(x**2, axis=-1), bounds=[(-1, 1)] * 2,
                         name="<script>alert(1)</script>")  # fmt: skip
    markup = problem._repr_html_()
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert "central differences" in text_of(markup)


def test_a_problem_shows_what_it_is():
    markup = dl.get_function("sphere", dim=1)._repr_html_()
    shown = text_of(markup)
    assert "dimension 1" in shown and "f* 0" in shown and "given" in shown
    assert "<svg" in markup


def test_a_problem_that_cannot_be_drawn_still_shows():
    def broken(x):
        raise ValueError("no")

    markup = dl.Problem(broken, bounds=[(-1, 1)], vectorized=True)._repr_html_()
    assert "<svg" not in markup and "dimension 1" in text_of(markup)


def test_a_sweep_table_leads_with_a_summary_and_stays_a_dataframe():
    frame = dl.sweep("sphere", "gd", {"step_size": [0.001, 0.1, 0.4, 1.5]}, seeds=3, n_iter=200,
                     target=1e-8)  # fmt: skip
    assert isinstance(frame, pd.DataFrame)
    assert type(frame[frame["seed"] == 0]) is pd.DataFrame
    assert type(frame.sort_values("iterations")) is pd.DataFrame
    shown = text_of(frame._repr_html_())
    assert "12 (4 settings x 3 seeds)" in shown
    counts = frame["status"].value_counts()
    for status, n in counts.items():
        assert f"{status} {n}" in shown
    reached = frame.assign(i=frame["iterations"].astype(float).fillna(np.inf))
    best = reached.groupby("step_size")["i"].median().idxmin()
    assert f"step_size={best:.4g}" in shown
    assert "<table" in frame._repr_html_().split("</table>", 1)[1]  # then the rows themselves


def test_an_empty_sweep_table_shows():
    from descentlab.sweeps.frame import SweepTable
    from descentlab.sweeps.table import to_frame

    assert "no cells" in text_of(SweepTable(to_frame([]))._repr_html_())


def test_a_batch_whose_every_start_diverged_still_shows():
    problem = dl.get_function("sphere", dim=2)
    result = dl.minimize(problem, dl.GradientDescent(step_size=1e200), n_iter=20, seed=0,
                         starts=5)  # fmt: skip
    assert np.all(result.status == "diverged")
    shown = text_of(result._repr_html_())
    assert "diverged 5" in shown and "5 starts" in shown


def test_a_batch_with_no_finite_value_says_so():
    problem = dl.Problem(lambda x: np.full(x.shape[:-1], np.nan), grad=lambda x: 0 * x,
                         bounds=[(-1, 1)] * 2, vectorized=True)  # fmt: skip
    result = dl.minimize(problem, "gd", n_iter=5, seed=0, starts=4)
    assert "none: every final value is NaN" in text_of(result._repr_html_())


def test_a_long_path_is_drawn_through_a_few_hundred_points():
    from descentlab._html import MOST_POINTS

    problem = dl.get_function("rosenbrock")
    result = dl.minimize(problem, dl.Adam(alpha=0.01), n_iter=20_000, x0=[-1.0, 1.0])
    markup = result._repr_html_()
    for line in re.findall(r"points='([^']*)'", markup):
        assert len(line.split()) == MOST_POINTS
    assert len(markup) < 40_000


def test_a_problem_view_costs_little_and_calls_nothing_heavy():
    """The finding: the view of a 300,000-dimensional box took 2 s and 462 MB, and called the
    user's function just to show itself."""
    import tracemalloc

    calls = []

    def own(x):
        calls.append(np.shape(x))
        return np.sum(x**2, axis=-1)

    for problem in (
        dl.Problem(own, bounds=[(-1, 1)] * 300_000),
        dl.Problem(own, bounds=[(-1, 1)] * 300_000, vectorized=True),
        dl.Problem(own, bounds=[(-1, 1)] * 3),
    ):  # not known to be vectorized
        tracemalloc.start()
        markup = problem._repr_html_()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert "dimension" in text_of(markup) and peak < 1e6
    assert calls == []
    drawn = dl.Problem(own, bounds=[(-1, 1)] * 3, vectorized=True)._repr_html_()
    assert "<svg" in drawn and calls == [(101, 3)]  # one call on the diagonal's points
