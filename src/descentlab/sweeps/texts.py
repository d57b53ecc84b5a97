"""Many settings as JSON at once: one ``json.dumps`` of a template, then each setting's numbers
put in their places.

A sweep writes every setting's JSON twice (for its cells' hashes and for the store), 10,000
settings in a big sweep; a ``json.dumps`` call each cost more than the rest of the work on
them. The texts made here are exactly ``json.dumps``'s (tested against it): JSON writes a float
as Python's shortest repr, and ``NaN``, ``Infinity`` and ``-Infinity`` for the others.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

_MARK = re.compile(r'"@@descentlab-(\d+)@@"')


def json_texts(build: Callable[[Mapping[str, Any]], Any], columns: Mapping[str, np.ndarray],
               rows: Sequence[int], **options: Any) -> list[str]:  # fmt: skip
    """``json.dumps(build(values), sort_keys=True, **options)`` for each row index in ``rows``,
    where ``values`` maps each column's name to ``float(columns[name][row])``."""
    names = list(columns)
    text = json.dumps(build({name: f"@@descentlab-{k}@@" for k, name in enumerate(names)}),
                      sort_keys=True, **options)  # fmt: skip
    pieces = _MARK.split(text)
    literals, slots = pieces[0::2], [names[int(k)] for k in pieces[1::2]]
    index = np.asarray(rows, dtype=np.int64)
    numbers = {name: [_number(v) for v in np.asarray(columns[name], float)[index].tolist()]
               for name in set(slots)}  # fmt: skip
    texts = []
    for r in range(len(index)):
        parts = [literals[0]]
        for name, literal in zip(slots, literals[1:], strict=True):
            parts.append(numbers[name][r])
            parts.append(literal)
        texts.append("".join(parts))
    return texts


def _number(value: float) -> str:
    return repr(value) if math.isfinite(value) else json.dumps(value)
