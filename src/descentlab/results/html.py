"""How a :class:`~descentlab.Result` shows itself in a notebook: the summary as a small table,
the run as a small inline picture (the value along the path; in 2-D the path itself)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from descentlab import _html

if TYPE_CHECKING:
    from descentlab.results.result import Result


def result_html(result: Result) -> str:
    """The HTML view of ``result`` (one start, or a batch's summary)."""
    single = result.n_starts == 1
    rows = _one_start(result) if single else _many_starts(result)
    rows += [
        ("evaluations", f"{result.nfev} f, {result.njev} gradients"),
        ("time", f"{result.time:.3g} s"),
    ]
    what = "one start" if single else f"{result.n_starts} starts"
    title = f"Result of {result.optimizer or 'a run'}: {what}, d = {np.shape(result.x)[-1]}"
    return _html.table(title, rows, _pictures(result))


def _one_start(result: Result) -> list[tuple[str, str]]:
    return [
        ("status", str(np.ravel(result.status)[0])),
        ("message", str(np.ravel(result.message)[0])),
        ("f", _html.number(np.ravel(result.fun)[0])),
        ("x", _html.vector(result.x)),
        ("||g||", _html.number(np.ravel(result.grad_norm)[0], 3)),
        ("iterations", str(int(np.ravel(result.nit)[0]))),
    ]


def _many_starts(result: Result) -> list[tuple[str, str]]:
    counts = Counter(str(s) for s in np.ravel(result.status))
    rows = [("statuses", ", ".join(f"{name} {n}" for name, n in counts.most_common()))]
    values = np.ravel(np.asarray(result.fun, dtype=float))
    best = _best(result)
    if best is None:
        rows.append(("best f", "none: every final value is NaN"))
    else:
        points = np.reshape(result.x, (-1, np.shape(result.x)[-1]))
        rows += [
            ("best f", f"{_html.number(values[best])} (start {best})"),
            ("best x", _html.vector(points[best])),
            ("median f", _html.number(np.median(values[~np.isnan(values)]))),
        ]
    nit = np.ravel(result.nit)
    return [*rows, ("iterations", f"median {np.median(nit):g}, {nit.min()}..{nit.max()}")]


def _best(result: Result) -> int | None:
    """The best start, or None when every final value is NaN (nothing to rank)."""
    return None if np.all(np.isnan(np.asarray(result.fun, dtype=float))) else result.best()


def _pictures(result: Result) -> str:
    if result.path is None or result.path_fun is None or len(result.path_iter) < 2:
        return _sorted_values(result)
    column = _shown_column(result)
    values = np.asarray(result.path_fun, dtype=float)
    values = values if values.ndim == 1 else values[:, column]
    positive = bool(np.all(values[np.isfinite(values)] > 0))
    pictures = [_html.labelled(
        _html.polyline(result.path_iter, values, log_y=positive, label="f along the path"),
        f"f per iteration{' (log)' if positive else ''}",
    )]  # fmt: skip
    path = np.asarray(result.path, dtype=float)
    path = path if path.ndim == 2 else path[:, column, :]
    if path.shape[-1] == 2:
        pictures.append(_html.labelled(
            _html.polyline(path[:, 0], path[:, 1], width=140, height=140, label="the path"),
            "the path in (x, y)",
        ))  # fmt: skip
    return "<div style='display:flex;gap:8px'>" + "".join(pictures) + "</div>"


def _shown_column(result: Result) -> int:
    """Which recorded start the picture shows: the best one where its path was kept."""
    best = _best(result)
    if result.n_starts == 1 or best is None:
        return 0
    if result.record_starts is None:
        return best
    kept = list(np.ravel(result.record_starts))
    return kept.index(best) if best in kept else 0


def _sorted_values(result: Result) -> str:
    if result.n_starts < 2:
        return ""
    values = np.sort(np.ravel(np.asarray(result.fun, dtype=float)))
    positive = bool(np.all(values[np.isfinite(values)] > 0))
    picture = _html.polyline(np.arange(values.size), values, log_y=positive,
                             label="final f of every start, sorted")  # fmt: skip
    return _html.labelled(picture, "final f of each start, sorted")
