"""The array namespace of the arrays at hand: NumPy, or ``jax.numpy`` inside a compiled run.

The optimizers, schedules and catalog functions are written once against the array API
(``xp.sqrt``, ``xp.where``, ...) and take ``xp`` from their inputs, so the code a reader sees is
the code the JAX engine compiles. NumPy arrays and plain numbers are answered first, without
asking array-api-compat: a step of the tutorial's run takes a few microseconds, and the look-up
alone costs about one.
"""

from __future__ import annotations

import functools
import numbers
import sys
from types import ModuleType

import numpy as np

_NUMPY_TYPES = (np.ndarray, np.generic, numbers.Number)


def namespace(x: object) -> ModuleType:
    """The namespace of ``x``: ``numpy`` for NumPy arrays and numbers, otherwise the one
    array-api-compat finds (``jax.numpy`` for JAX arrays and tracers)."""
    if type(x) is np.ndarray or isinstance(x, _NUMPY_TYPES):
        return np
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(x, torch.Tensor):
        # asked directly: torch.compile cannot trace array_namespace's look-up
        return _TORCH[0] if _TORCH else _torch_namespace()
    # JAX's own namespace, which follows the standard already. Imported here: NumPy runs
    # never ask.
    from array_api_compat import array_namespace

    return array_namespace(x)


_TORCH: list = []  # descentlab._torch_namespace, once imported


def _torch_namespace() -> ModuleType:
    from descentlab import _torch_namespace

    _TORCH.append(_torch_namespace)
    return _torch_namespace


def is_number(x: object) -> bool:
    """True for a Python or NumPy scalar (a value that no array library needs to hold)."""
    return isinstance(x, numbers.Number | np.generic)


def power(base: object, exponent: object) -> object:
    """``base ** exponent`` by the array library's power, for numbers too.

    Python's float power and NumPy's vectorized one differ in the last bit for a few percent
    of inputs (``0.999 ** 7``); taking NumPy's for both keeps a setting's run the same, bit
    for bit, whether its hyperparameters are numbers or one row of an array.
    """
    if (type(base) is float and type(exponent) is int) or (
        isinstance(base, float) and isinstance(exponent, int | float)
    ):
        return _number_power(base, exponent)
    if type(base) is np.ndarray or type(exponent) is np.ndarray:
        return np.power(base, exponent)
    return namespace(base if not isinstance(base, _NUMPY_TYPES) else exponent).pow(base, exponent)


@functools.lru_cache(maxsize=4096)
def _number_power(base: float, exponent: int | float) -> float:
    # one np.power call on numbers costs ~0.7 us, a cached answer ~0.1 us; a run asks for the
    # same few (beta, t) again and again
    return float(np.power(base, exponent))
