"""An optimizer's state as plain data, for run files and for continuing a run.

A state is a ``NamedTuple`` whose first field is ``count`` (the steps taken); as JSON-ready
data it is ``{"optimizer", "type", "count", "fields": {name: nested lists}}``.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def state_to_dict(optimizer: str, state: Any) -> dict[str, Any]:
    """An optimizer state (a NamedTuple whose first field is ``count``) as JSON-ready data."""
    fields = {name: np.asarray(value).tolist() for name, value in state._asdict().items()
              if name != "count"}  # fmt: skip
    return {"optimizer": optimizer, "type": type(state).__name__, "count": int(state.count),
            "fields": fields}  # fmt: skip
