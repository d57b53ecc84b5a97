"""A sweep's table: a pandas DataFrame that, in a notebook, leads with a summary.

``SweepTable`` is the DataFrame :func:`~descentlab.sweeps.sweep.sweep` returns. It behaves as
any DataFrame; whatever is computed from it (a selection, a sort, a group) is a plain
``pandas.DataFrame``. Its ``_repr_html_`` shows how many cells, settings and seeds it holds,
their statuses and the best setting, then the first rows.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from descentlab import _html
from descentlab.sweeps.table import RESULT_COLUMNS

#: Rows shown under the summary in a notebook.
SHOWN_ROWS = 10


class SweepTable(pd.DataFrame):
    """The cells of a sweep, one row per setting x seed (see :func:`descentlab.sweep`)."""

    @property
    def _constructor(self):
        return pd.DataFrame

    def settings_columns(self) -> list[str]:
        """The hyperparameter columns (between ``optimizer`` and ``seed``)."""
        return [c for c in self.columns if c not in ("problem", "optimizer", *RESULT_COLUMNS)]

    def _repr_html_(self) -> str:
        frame = pd.DataFrame(self)
        if frame.empty:
            return _html.table("Sweep: no cells", []) + frame._repr_html_()
        names = self.settings_columns()
        settings = len(frame.drop_duplicates(["problem", "optimizer", *names]))
        counts = Counter(frame["status"])
        rows = [
            ("cells", f"{len(frame)} ({settings} settings x {frame['seed'].nunique()} seeds)"),
            ("statuses", ", ".join(f"{name} {n}" for name, n in counts.most_common())),
        ]
        best = _best_setting(frame, names)
        if best is not None:
            rows.append(("best setting", best))
        title = f"Sweep of {', '.join(map(str, frame['optimizer'].unique()))}"
        head = frame.head(SHOWN_ROWS)._repr_html_() or ""
        return _html.table(title, rows) + head


def _best_setting(frame: pd.DataFrame, names: list[str]) -> str | None:
    """The setting with the least median iterations to the target, a seed that missed counting
    as never (else the least median final gap), as text."""
    keys = ["problem", "optimizer", *names]
    reached = frame["iterations"].astype(float).fillna(np.inf)
    iterations = reached.groupby([frame[k] for k in keys], dropna=False, sort=False).median()
    grouped = frame.groupby(keys, dropna=False, sort=False)
    if np.isfinite(iterations).any():
        key, value, what = iterations.idxmin(), iterations.min(), "median iterations to target"
    else:
        gaps = grouped["final_gap"].median()
        if not np.isfinite(gaps).any():
            return None
        key, value, what = gaps.idxmin(), gaps.min(), "median final f - f*"
    setting = ", ".join(f"{name}={_shown(v)}" for name, v in zip(names, key[2:], strict=True))
    return f"{key[1]} {setting}: {what} {_html.number(value, 4)}"


def _shown(value: object) -> str:
    """A setting's value: a number in four digits, anything else (text of a list) as it is."""
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return _html.number(value, 4)
    return str(value)
