"""The array-API names the updates use, for PyTorch tensors, in plain ``torch`` calls.

array-api-compat's PyTorch wrapper answers the same names, but its type promotion calls
``torch.result_type`` and its module looks names up lazily, which ``torch.compile`` cannot trace
(every step broke the graph there). The names the updates call on their hot path are written
here with torch's own operations, each with the standard's meaning, so the same update runs
eagerly and compiled; any other name is array-api-compat's (``__getattr__`` below).
"""

from __future__ import annotations

import torch


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def sum(x, axis=None, keepdims=False):
    if axis is None:
        return torch.sum(x)
    return torch.sum(x, dim=_axis(axis), keepdim=keepdims)


def mean(x, axis=None, keepdims=False):
    if axis is None:
        return torch.mean(x)
    return torch.mean(x, dim=_axis(axis), keepdim=keepdims)


def any(x, axis=None, keepdims=False):
    if axis is None:
        return torch.any(x)
    return torch.any(x, dim=axis, keepdim=keepdims)


def maximum(a, b):
    """Elementwise maximum of tensors or a tensor and a number."""
    if not isinstance(a, torch.Tensor):
        a, b = b, a
    if not isinstance(b, torch.Tensor):
        return torch.clamp(a, min=b)
    return torch.maximum(a, b)


def minimum(a, b):
    if not isinstance(a, torch.Tensor):
        a, b = b, a
    if not isinstance(b, torch.Tensor):
        return torch.clamp(a, max=b)
    return torch.minimum(a, b)


def where(condition, a, b):
    if not isinstance(condition, torch.Tensor):  # a Python bool, as NumPy takes it
        like = a if isinstance(a, torch.Tensor) else b
        condition = torch.as_tensor(condition, device=getattr(like, "device", None))
    return torch.where(condition, a, b)


def astype(x, dtype):
    return x.to(dtype)


def asarray(x, dtype=None, device=None):
    return torch.as_tensor(x, dtype=dtype, device=device)


def concat(arrays, axis=0):
    return torch.cat(list(arrays), dim=axis)


def flip(x, axis=None):
    return torch.flip(x, dims=tuple(range(x.ndim)) if axis is None else (axis,))


def take_along_axis(x, indices, axis=-1):
    return torch.take_along_dim(x, indices, dim=axis)


def argsort(x, axis=-1, descending=False, stable=True):
    return torch.argsort(x, dim=axis, descending=descending, stable=stable)


def clip(x, min=None, max=None):
    return torch.clamp(x, min=min, max=max)


def eye(n, m=None, *, dtype=None, device=None):
    return torch.eye(n, n if m is None else m, dtype=dtype, device=device)


def zeros(shape, *, dtype=None, device=None):
    return torch.zeros(shape, dtype=dtype, device=device)


def pow(a, b):
    if HOIST[0] and _is_scalar(a) and _is_scalar(b):
        return _scalar_pow(_as_float64(a, like=b), _as_float64(b, like=a))
    return torch.pow(a, b)


def _as_float64(value, like):
    if isinstance(value, torch.Tensor):
        return value
    device = like.device if isinstance(like, torch.Tensor) else None
    return torch.as_tensor(value, dtype=torch.float64, device=device)


#: Set by the compiled bridge while it traces a large parameter. Inductor inlines a power of
#: two numbers (Adam's ``beta1 ** t``) into the loop over the parameter's elements, and builds
#: C++ with -fmath-errno, so ``std::pow`` runs once per 16 elements (half of Adam's time on a
#: 10M tensor). As an opaque operation it is computed once and read by the loop; it costs a
#: call into Python (~15 us), so small parameters keep the inlined power.
HOIST = [False]


def _is_scalar(value) -> bool:
    return not isinstance(value, torch.Tensor) or value.dim() == 0


@torch.library.custom_op("descentlab::scalar_pow", mutates_args=())
def _scalar_pow(base: torch.Tensor, exponent: torch.Tensor) -> torch.Tensor:
    return torch.pow(base, exponent)


@_scalar_pow.register_fake
def _(base, exponent):
    return torch.empty((), dtype=torch.result_type(base, exponent), device=exponent.device)


sqrt, abs, sign, exp, log, tanh = (
    torch.sqrt,
    torch.abs,
    torch.sign,
    torch.exp,
    torch.log,
    torch.tanh,
)
sin, cos, isfinite, reshape = torch.sin, torch.cos, torch.isfinite, torch.reshape
einsum, zeros_like, ones_like, full_like = (
    torch.einsum,
    torch.zeros_like,
    torch.ones_like,
    torch.full_like,
)
finfo, linalg = torch.finfo, torch.linalg
float32, float64, bfloat16, int32, int64 = (
    torch.float32,
    torch.float64,
    torch.bfloat16,
    torch.int32,
    torch.int64,
)
newaxis = None


def __getattr__(name: str):
    """Any other name of the standard: array-api-compat's (eager only; rare in an update)."""
    import array_api_compat.torch

    return getattr(array_api_compat.torch, name)
