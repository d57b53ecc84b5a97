"""One HTML page of a benchmark that opens offline: the pictures (embedded SVG), the
leaderboard, and what was run, with what, where and when.

Nothing is fetched: no script, no font, no stylesheet from elsewhere.
"""

from __future__ import annotations

import html
import io
import time
from pathlib import Path
from typing import Any

from descentlab._files import atomic_path
from descentlab._machine import describe
from descentlab.benchmarking.pictures import plot_data_profile, plot_ecdf, plot_performance_profile
from descentlab.benchmarking.results import INTERVAL_NOTE, LEADERBOARD_TARGETS, leaderboard

STYLE = """body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;font-size:0.9em}td,th{border:1px solid #ccc;padding:4px 8px}
th{background:#f3f3f3}.pictures{display:flex;flex-wrap:wrap;gap:1em}
.pictures div{flex:1 1 480px}pre{background:#f6f6f6;padding:0.6em;overflow-x:auto}"""


def write_report(frame, folder: str | Path, *, command: str = "", settings: dict | None = None,
                 target: float = 1e-4) -> Path:  # fmt: skip
    """Write ``folder/index.html`` for the benchmark ``frame``; returns its path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pictures = [
        _svg(plot_performance_profile, frame, target),
        _svg(plot_data_profile, frame, target),
    ]
    if frame["target"].max() >= 1.0 and frame["target"].min() <= 1e-7:
        pictures.append(_svg(plot_ecdf, frame))
    page = PAGE.format(
        style=STYLE,
        title=html.escape(f"descentlab benchmark: {', '.join(frame['suite'].unique())}"),
        pictures="".join(f"<div>{svg}</div>" for svg in pictures),
        leaderboard=_table(leaderboard(frame)),
        interval_note=html.escape(INTERVAL_NOTE[0].upper() + INTERVAL_NOTE[1:] + "."),
        about=_table_rows(_about(frame, command, settings or {})),
    )
    path = folder / "index.html"
    with atomic_path(path) as partial:  # never half a page at the path
        partial.write_text(page, encoding="utf-8")
    return path


PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title><style>{style}</style></head><body>
<h1>{title}</h1>
<h2>Profiles</h2><div class="pictures">{pictures}</div>
<h2>Leaderboard</h2>{leaderboard}<p><small>{interval_note}</small></p>
<h2>What was run</h2>{about}
</body></html>
"""


def _svg(draw, frame, *args) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = draw(frame, *args)
    buffer = io.StringIO()
    ax.figure.savefig(buffer, format="svg")
    plt.close(ax.figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _about(frame, command: str, settings: dict[str, Any]) -> list[tuple[str, str]]:
    from descentlab import __version__

    rows = [("command", command or "(the Python API)"), ("descentlab", __version__),
            ("problems", str(frame["problem"].nunique())),
            ("optimizers", ", ".join(dict.fromkeys(frame["optimizer"]))),
            ("seeds", ", ".join(map(str, sorted(frame["seed"].unique())))),
            ("targets", f"{len(frame['target'].unique())} from {frame['target'].max():g} to "
                        f"{frame['target'].min():g}; leaderboard at "
                        f"{', '.join(f'{t:g}' for t in LEADERBOARD_TARGETS)}"),
            ("machine", describe()),
            ("date", time.strftime("%Y-%m-%d %H:%M %Z"))]  # fmt: skip
    return rows + [(str(k), str(v)) for k, v in settings.items()]


def _table(frame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))  # fmt: skip
    return f"<table><tr>{head}</tr>{body}</table>"


def _table_rows(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{html.escape(k)}</th><td><pre>{html.escape(v)}</pre></td></tr>"
                   for k, v in rows)  # fmt: skip
    return f"<table>{body}</table>"


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "-" if value != value else f"{value:.3g}"
    if isinstance(value, tuple):
        return "[" + ", ".join(_cell(v) for v in value) + "]"
    return str(value)
