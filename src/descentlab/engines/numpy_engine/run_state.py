"""The bookkeeping of one run: which starts are still moving, and why the others stopped."""

from __future__ import annotations

import numpy as np

from descentlab.results.result import Status, filled


class RunState:
    """Per start: active or not, iterations made, status and message."""

    def __init__(self, batch_shape: tuple[int, ...]) -> None:
        self.active = np.ones(batch_shape, dtype=bool)
        self.all_active = True
        self.nit = np.zeros(batch_shape, dtype=int)
        self.status = filled(batch_shape, Status.MAX_ITER.value)
        self.message = filled(batch_shape, "")

    def any_active(self) -> bool:
        return self.all_active or bool(self.active.any())

    def stop(self, which: np.ndarray, iteration: int, status: Status, message: str) -> None:
        which = which & self.active
        if not which.any():
            return
        self.active = self.active & ~which
        self.all_active = False
        self.nit[which] = iteration
        self.status[which] = status.value
        self.message[which] = message

    def diverge_where(self, which: np.ndarray, iteration: int) -> None:
        """Mark the starts in ``which`` (their final value is not finite) diverged: the active
        ones at ``iteration``, the converged ones at the iteration they stopped."""
        self.stop(which, iteration, Status.DIVERGED, f"non-finite value at iteration {iteration}")
        converged = which & (self.status == Status.CONVERGED.value)
        for k in np.flatnonzero(converged):
            at = np.unravel_index(k, converged.shape)
            self.status[at] = Status.DIVERGED.value
            self.message[at] = f"non-finite value at iteration {self.nit[at]}"

    def stop_all(self, iteration: int, status: Status, message: str) -> None:
        self.stop(np.ones(self.active.shape, dtype=bool), iteration, status, message)

    def finish(self, iteration: int, stopped_by_callback: bool) -> None:
        rest = self.active
        self.nit[rest] = iteration
        if stopped_by_callback:
            self.status[rest] = Status.STOPPED.value
            self.message[rest] = f"stopped by the callback after iteration {iteration}"
        else:
            self.message[rest] = f"reached n_iter = {iteration} iterations"
