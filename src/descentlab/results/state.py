"""An optimizer's state as plain data, for run files and for continuing a run.

A state is a ``NamedTuple`` whose first field is ``count`` (the steps taken); its other fields
are numbers, arrays whose leading axes are the batch's, tuples of them (one per block of a
matrix-aware method) or an inner optimizer's state (a wrapper's, a fallback's). As JSON-ready
data it is ``{"optimizer", "type", "count", "fields": {name: nested lists}}``, an inner state
a mapping of its own fields.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from descentlab._trees import is_record


def plain(value: Any) -> Any:
    """A state's field as JSON-ready data: nested lists, an inner state as a mapping."""
    if is_record(value):
        return {name: plain(v) for name, v in value._asdict().items()}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    return np.asarray(value).tolist()


def state_to_dict(optimizer: str, state: Any) -> dict[str, Any]:
    """An optimizer state (a NamedTuple whose first field is ``count``) as JSON-ready data."""
    fields = {name: plain(value) for name, value in state._asdict().items() if name != "count"}
    return {"optimizer": optimizer, "type": type(state).__name__, "count": int(state.count),
            "fields": fields}  # fmt: skip
