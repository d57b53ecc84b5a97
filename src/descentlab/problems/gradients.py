"""Gradients a problem does not provide: central finite differences."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from descentlab.problems.outputs import as_gradient, as_values

#: Relative step of the central differences: the cube root of the float64 machine epsilon,
#: which balances truncation error (O(h**2)) against rounding error (O(eps / h)).
RELATIVE_STEP = float(np.finfo(float).eps ** (1.0 / 3.0))

# Above this many evaluation points at once, perturb one coordinate at a time to bound memory.
_MAX_POINTS_AT_ONCE = 2_000_000


@dataclass(frozen=True)
class CentralDifference:
    """The gradient of ``f`` by central differences, vectorized over the batch.

    For each coordinate ``i``, with ``h_i = RELATIVE_STEP * max(1, |x_i|)``::

        df/dx_i ~= (f(x + h_i e_i) - f(x - h_i e_i)) / (2 h_i)

    The error is O(h**2): about 1e-10 relative on smooth functions. Costs ``2 d`` evaluations
    of ``f`` per point, done as two calls on a ``(..., d, d)`` stack where memory allows.
    """

    f: Callable[[np.ndarray], np.ndarray]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        h = RELATIVE_STEP * np.maximum(1.0, np.abs(x))
        d = x.shape[-1]
        if x.size * d <= _MAX_POINTS_AT_ONCE:
            shifts = h[..., np.newaxis, :] * np.eye(d)
            ahead = self._values(x[..., np.newaxis, :] + shifts)
            behind = self._values(x[..., np.newaxis, :] - shifts)
            return (ahead - behind) / (2.0 * h)
        grad = np.empty_like(x)
        for i in range(d):
            shift = np.zeros_like(x)
            shift[..., i] = h[..., i]
            grad[..., i] = (self._values(x + shift) - self._values(x - shift)) / (2.0 * h[..., i])
        return grad

    def _values(self, points: np.ndarray) -> np.ndarray:
        return as_values(self.f(points), points.shape[:-1])


class TorchGradient:
    """The gradient of ``f`` by PyTorch's reverse-mode autodiff, in float64.

    ``f`` must be written with ``torch`` operations on a tensor of shape ``(..., d)`` and return
    shape ``(...)``. Each value depends only on its own point, so the gradient of the sum is the
    batch of gradients.
    """

    def __init__(self, f: Callable) -> None:
        self.f = f
        self._torch = _require("torch", "torch")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        torch = self._torch
        point = torch.tensor(np.asarray(x, dtype=float), dtype=torch.float64, requires_grad=True)
        try:
            (grad,) = torch.autograd.grad(self.f(point).sum(), point)
        except Exception as error:
            raise _not_differentiable("torch", "torch.sin(x), x.sum(dim=-1)", error) from None
        return grad.detach().numpy()


class JaxGradient:
    """The gradient of ``f`` by JAX's ``grad``, compiled once, in float64.

    ``f`` must be written with ``jax.numpy`` on an array of shape ``(..., d)``. Using it turns on
    JAX's 64-bit mode (``jax_enable_x64``) for the whole process.
    """

    def __init__(self, f: Callable) -> None:
        jax = _require("jax", "jax")
        jax.config.update("jax_enable_x64", True)
        self.f = f
        self._grad = jax.jit(jax.grad(lambda x: f(x).sum()))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        try:
            return np.asarray(self._grad(np.asarray(x, dtype=float)))
        except Exception as error:
            raise _not_differentiable("jax", "jnp.sin(x), jnp.sum(x, axis=-1)", error) from None


GRADIENT_METHODS = ("finite-difference", "torch", "jax")


def checked_gradient(grad: Callable, x: np.ndarray) -> np.ndarray:
    """``grad(x)`` as floats, or a clear error when it is not real numbers of the shape of ``x``."""
    return as_gradient(grad(x), x.shape)


def gradient_for(f: Callable, method: str) -> Callable[[np.ndarray], np.ndarray]:
    """A gradient of ``f`` computed by ``method``, one of :data:`GRADIENT_METHODS`."""
    if method == "finite-difference":
        return CentralDifference(f)
    if method == "torch":
        return TorchGradient(f)
    if method == "jax":
        return JaxGradient(f)
    allowed = ", ".join(repr(m) for m in GRADIENT_METHODS)
    raise ValueError(f"grad must be a callable or one of {allowed}, not {method!r}")


def _not_differentiable(library: str, example: str, error: Exception) -> TypeError:
    detail = " ".join(f"{type(error).__name__}: {error}".split())[:200]
    return TypeError(
        f"grad={library!r} differentiates f with {library}, and f failed on a {library} array "
        f"({detail}); write f with {library} operations ({example}), or use "
        "grad='finite-difference'"
    )


def _require(module: str, extra: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(
            f"automatic differentiation with {module} needs {module} installed "
            f"(pip install 'descentlab[{extra}]'), and it is not"
        ) from None
