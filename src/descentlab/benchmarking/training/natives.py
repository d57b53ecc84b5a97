"""Controls: PyTorch's own updates trained by the same harness as descentlab's twins, so a
reader sees the harness does not favour descentlab's code (``torch.adam`` must land on the
numbers of ``adam``, ``torch.sgd-momentum`` on those of ``momentum``).

Each native keeps its state as arrays the runner holds like any optimizer's, and at every
step hands each start's row to ``torch.optim.adam.adam`` / ``torch.optim.sgd.sgd`` (PyTorch's
functional update, the one ``torch.optim.Adam`` and ``SGD`` call) with that start's learning
rate, in float64. It searches the twin's space: same trials, same seeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from descentlab.benchmarking.entrants import Entrant
from descentlab.benchmarking.training.protocol import default_step
from descentlab.optimizers._base import Optimizer

#: Native label: its descentlab twin.
NATIVES = {"torch.adam": "adam", "torch.sgd-momentum": "momentum"}


class NativeState(NamedTuple):
    count: int
    first: np.ndarray | float  # Adam's exp_avg, or SGD's momentum buffer
    second: np.ndarray | float  # Adam's exp_avg_sq (0 for SGD)


@dataclass(frozen=True)
class TorchNative(Optimizer):
    """PyTorch's functional ``adam`` or ``sgd`` (momentum 0.9) on each start's row."""

    name = "torch-native"
    summary = "PyTorch's own update, row by row (a control in the training benchmark)"
    reference = "torch.optim.adam.adam, torch.optim.sgd.sgd"

    kind: str = "adam"
    lr: Any = 1e-3

    def init(self, x: np.ndarray) -> NativeState:
        return NativeState(0, np.zeros_like(x), np.zeros_like(x))

    def step(self, x, grad, state):
        import torch
        from torch.optim.adam import adam
        from torch.optim.sgd import sgd

        copies = (np.array(a, dtype=float, copy=True) for a in (x, state.first, state.second))
        x, first, second = copies
        rows = x.reshape(-1, x.shape[-1])
        lrs = np.broadcast_to(np.asarray(self.lr, dtype=float), rows.shape[:1])
        g, m, v = (a.reshape(rows.shape) for a in (np.asarray(grad, float), first, second))
        for k in range(len(rows)):
            p, gk = torch.from_numpy(rows[k]), torch.from_numpy(np.ascontiguousarray(g[k]))
            mk, vk = torch.from_numpy(m[k]), torch.from_numpy(v[k])
            if self.kind == "adam":
                adam([p], [gk], [mk], [vk], [], [torch.tensor(float(
                    state.count))], foreach=False, amsgrad=False, beta1=0.9, beta2=0.999,
                    lr=float(lrs[k]), weight_decay=0.0, eps=1e-8, maximize=False)  # fmt: skip
            else:
                buffer = [mk] if state.count else [None]
                sgd([p], [gk], buffer, foreach=False, weight_decay=0.0,
                                    momentum=0.9, lr=float(lrs[k]), dampening=0.0,
                                    nesterov=False, maximize=False)  # fmt: skip
                if not state.count:  # torch keeps its new buffer in the list; copy it back
                    m[k] = buffer[0].numpy()
        return rows.reshape(x.shape), NativeState(state.count + 1, m.reshape(x.shape),
                                                  v.reshape(x.shape))  # fmt: skip


@dataclass(frozen=True)
class NativeEntrant:
    """An entrant the suite runs like a registered one: the twin's search space and seeds."""

    label: str
    optimizer: str  # the twin, whose defaults and search space it takes
    rule: None = None

    @property
    def step_name(self) -> str:
        """The twin's step-size name (``alpha``, ``step_size``): its settings are the twin's."""
        return Entrant(self.optimizer, self.optimizer).step_name

    def build(self, settings: dict[str, Any]) -> TorchNative:
        lr = settings.get(self.step_name, default_step(self))
        return TorchNative(kind="adam" if self.label == "torch.adam" else "sgd", lr=lr)

    def step_rule(self):
        return None


def native_entrant(label: str) -> NativeEntrant:
    return NativeEntrant(label, NATIVES[label])
