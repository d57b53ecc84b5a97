"""Small HTML views for notebooks: a table of fields and an inline SVG sparkline.

Used by the ``_repr_html_`` of :class:`~descentlab.Result`, :class:`~descentlab.Problem` and a
sweep's table. Everything is escaped and self-contained (no scripts, no external assets), so a
notebook shows it offline and a saved notebook keeps it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

import numpy as np

_STYLE = "border-collapse:collapse;font-size:90%;text-align:left"
_CELL = "padding:2px 8px;border-bottom:1px solid #ddd"
#: The points a line is drawn through at most (evenly picked, the first and last kept).
MOST_POINTS = 400


def table(title: str, rows: Iterable[tuple[str, str]], picture: str = "") -> str:
    """A titled two-column table of (name, value) rows, a picture (SVG markup) beside it."""
    body = "".join(
        f"<tr><th style='{_CELL}'>{html.escape(name)}</th>"
        f"<td style='{_CELL}'>{html.escape(value)}</td></tr>"
        for name, value in rows
    )
    figure = f"<div style='margin-left:12px'>{picture}</div>" if picture else ""
    return (
        f"<div style='display:flex;align-items:flex-start'><table style='{_STYLE}'>"
        f"<caption style='text-align:left;font-weight:bold'>{html.escape(title)}</caption>"
        f"{body}</table>{figure}</div>"
    )


def number(value: object, digits: int = 6) -> str:
    """A number as short text (``nan``/``inf`` as themselves)."""
    value = float(value)  # type: ignore[arg-type]
    return f"{value:.{digits}g}"


def vector(values: Sequence[float] | np.ndarray, digits: int = 6, limit: int = 6) -> str:
    """A short vector as ``[a, b, ...]``, its first ``limit`` entries."""
    flat = np.ravel(np.asarray(values, dtype=float))
    shown = ", ".join(number(v, digits) for v in flat[:limit])
    return f"[{shown}{', ...' if flat.size > limit else ''}]"


def polyline(xs: np.ndarray, ys: np.ndarray, *, width: int = 220, height: int = 120,
             log_y: bool = False, label: str = "") -> str:  # fmt: skip
    """An SVG line of ``ys`` over ``xs`` scaled into a ``width`` x ``height`` box (empty text
    when fewer than two finite points remain)."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    if log_y:
        ys = np.log10(np.where(ys > 0, ys, np.nan))
    keep = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[keep], ys[keep]
    if xs.size < 2:
        return ""
    if xs.size > MOST_POINTS:  # a long path would make a notebook cell of megabytes
        every = np.unique(np.linspace(0, xs.size - 1, MOST_POINTS).round().astype(int))
        xs, ys = xs[every], ys[every]
    pad = 6
    sx = (xs - xs.min()) / (np.ptp(xs) or 1.0) * (width - 2 * pad) + pad
    sy = height - pad - (ys - ys.min()) / (np.ptp(ys) or 1.0) * (height - 2 * pad)
    points = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(sx, sy, strict=True))
    caption = f"<title>{html.escape(label)}</title>" if label else ""
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"style='border:1px solid #ddd;background:#fff'>{caption}"
        f"<polyline fill='none' stroke='#1f77b4' stroke-width='1.5' points='{points}'/>"
        f"<circle cx='{sx[0]:.1f}' cy='{sy[0]:.1f}' r='3' fill='#555'/>"
        f"<circle cx='{sx[-1]:.1f}' cy='{sy[-1]:.1f}' r='3' fill='#d62728'/></svg>"
    )


def labelled(picture: str, text: str) -> str:
    """A picture with a one-line caption under it."""
    if not picture:
        return ""
    return f"<figure style='margin:0'>{picture}<figcaption style='font-size:80%'>" \
           f"{html.escape(text)}</figcaption></figure>"  # fmt: skip
