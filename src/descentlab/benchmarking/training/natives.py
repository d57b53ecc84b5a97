"""Controls: PyTorch's and optax's own updates trained by the same harness as descentlab's
twins, so a reader sees the harness does not favour descentlab's code (``torch.adam`` and
``optax.adam`` must land on the numbers of ``adam``, ``torch.sgd-momentum`` and
``optax.sgd-momentum`` on those of ``momentum``).

Each native keeps its state as arrays the runner holds like any optimizer's. At every step a
PyTorch native hands each start's row to ``torch.optim.adam.adam`` / ``torch.optim.sgd.sgd``
(PyTorch's functional update, the one ``torch.optim.Adam`` and ``SGD`` call) with that start's
learning rate; an optax native hands the whole batch to ``optax.adam(lr)`` /
``optax.sgd(lr, momentum=0.9)`` with one learning rate per row (``lr`` of shape ``(n, 1)``:
optax's last step multiplies by ``-lr``, and every other operation is elementwise), its state
rebuilt from the arrays; both in float64. A native searches its twin's space: same trials,
same seeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import numpy as np

from descentlab.benchmarking.entrants import Entrant
from descentlab.benchmarking.training.protocol import default_step
from descentlab.optimizers._base import Optimizer

#: Native label: its descentlab twin.
NATIVES = {"torch.adam": "adam", "torch.sgd-momentum": "momentum", "optax.adam": "adam",
           "optax.sgd-momentum": "momentum"}  # fmt: skip


class NativeState(NamedTuple):
    count: int
    first: np.ndarray | float  # Adam's exp_avg, or SGD's momentum buffer
    second: np.ndarray | float  # Adam's exp_avg_sq (0 for SGD)


@dataclass(frozen=True)
class _Native(Optimizer):
    """A library's ``adam`` or ``sgd`` (momentum 0.9) with a learning rate per start."""

    kind: str = "adam"
    lr: Any = 1e-3

    def init(self, x: np.ndarray) -> NativeState:
        return NativeState(0, np.zeros_like(x), np.zeros_like(x))


@dataclass(frozen=True)
class TorchNative(_Native):
    """PyTorch's functional ``adam`` or ``sgd`` (momentum 0.9) on each start's row."""

    name = "torch-native"
    summary = "PyTorch's own update, row by row (a control in the training benchmark)"
    reference = "torch.optim.adam.adam, torch.optim.sgd.sgd"

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
class OptaxNative(_Native):
    """optax's ``adam`` or ``sgd`` (momentum 0.9) on the whole batch, a learning rate per row."""

    name = "optax-native"
    summary = "optax's own update on every row at once (a control in the training benchmark)"
    reference = "optax.adam, optax.sgd"

    def step(self, x, grad, state):
        import jax
        import optax

        jax.config.update("jax_enable_x64", True)  # float64, as the twins run
        rows = np.reshape(np.asarray(x, dtype=float), (-1, np.shape(x)[-1]))
        lrs = np.broadcast_to(np.asarray(self.lr, dtype=float), rows.shape[:1])[:, None]
        first, second = (np.reshape(a, rows.shape) for a in (state.first, state.second))
        if self.kind == "adam":
            transform = optax.adam(lrs, b1=0.9, b2=0.999, eps=1e-8)
            own = optax.ScaleByAdamState(count=jax.numpy.asarray(state.count, jax.numpy.int32),
                                         mu=first, nu=second)  # fmt: skip
        else:
            transform = optax.sgd(lrs, momentum=0.9)
            own = optax.TraceState(trace=first)
        kept = transform.init(rows)
        updates, new = transform.update(np.reshape(grad, rows.shape), (own, *kept[1:]), rows)
        moved = np.asarray(optax.apply_updates(rows, updates)).reshape(np.shape(x))
        new_first = new[0].mu if self.kind == "adam" else new[0].trace
        new_second = new[0].nu if self.kind == "adam" else second
        return moved, NativeState(state.count + 1, *(np.asarray(a).reshape(np.shape(x))
                                                     for a in (new_first, new_second)))  # fmt: skip


@dataclass(frozen=True)
class NativeEntrant:
    """An entrant the suite runs like a registered one: the twin's search space and seeds."""

    label: str
    optimizer: str  # the twin, whose defaults and search space it takes
    rule: None = None
    schedulable: ClassVar[bool] = False  # torch's functional update takes a number

    @property
    def step_name(self) -> str:
        """The twin's step-size name (``alpha``, ``step_size``): its settings are the twin's."""
        return Entrant(self.optimizer, self.optimizer).step_name

    def build(self, settings: dict[str, Any]) -> TorchNative | OptaxNative:
        lr = settings.get(self.step_name, default_step(self))
        library, _, update = self.label.partition(".")
        native = TorchNative if library == "torch" else OptaxNative
        return native(kind="adam" if update == "adam" else "sgd", lr=lr)

    def step_rule(self):
        return None


def native_entrant(label: str) -> NativeEntrant:
    return NativeEntrant(label, NATIVES[label])
