"""Which coordinates form which matrices: a problem's (or a bridge's) parameter structure.

Flat coordinates stay the common currency: a point is ``(..., d)``, one start or a batch of
them. A :class:`Structure` says how the ``d`` coordinates split into :class:`Block` s, each a
vector or a matrix (row-major, in order), as ``mlp-digits``'s ``W1 (64, h), b1 (h,), W2 (h, 10),
b2 (10,)``. Elementwise optimizers never look at it; matrix-aware ones (Muon, Adafactor, SOAP,
Shampoo) update each matrix block as a matrix, batched over the starts as ``(..., p, q)``, and
layer-wise ones (LAMB, LARS) take norms per block. A problem without one is a single vector
block of its ``d`` coordinates.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from descentlab._namespace import namespace


@dataclass(frozen=True)
class Block:
    """``shape`` coordinates (a vector ``(n,)`` or a matrix ``(p, q)``), named ``name``."""

    name: str
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def is_matrix(self) -> bool:
        """Two axes, each longer than one: what a matrix-aware method updates as a matrix."""
        return len(self.shape) == 2 and min(self.shape) > 1


@dataclass(frozen=True)
class Structure:
    """The blocks of a point's coordinates, in order (hashable: part of what is compiled)."""

    blocks: tuple[Block, ...]

    def __post_init__(self) -> None:
        if not self.blocks:
            raise ValueError("a structure needs at least one block")
        for block in self.blocks:
            if not block.shape or any(int(n) < 1 for n in block.shape) or len(block.shape) > 2:
                raise ValueError(f"block {block.name!r} must be a vector (n,) or a matrix "
                                 f"(p, q) of positive sizes, not {block.shape}")  # fmt: skip

    @classmethod
    def of(cls, shapes: Sequence[tuple[str, Sequence[int]]]) -> Structure:
        """``Structure.of([("W1", (64, 32)), ("b1", (32,))])``."""
        return cls(tuple(Block(str(name), tuple(int(n) for n in shape)) for name, shape in shapes))

    @classmethod
    def vector(cls, d: int) -> Structure:
        """One vector block of ``d`` coordinates: a problem without structure."""
        return cls((Block("x", (int(d),)),))

    @property
    def dim(self) -> int:
        return sum(block.size for block in self.blocks)

    def describe(self) -> str:
        """``W1 (64, 32), b1 (32,)``."""
        return ", ".join(f"{b.name} {b.shape}" for b in self.blocks)

    @property
    def has_matrix(self) -> bool:
        return any(block.is_matrix for block in self.blocks)

    def spans(self) -> Iterator[tuple[Block, int, int]]:
        """Each block with its first and past-the-last coordinate."""
        start = 0
        for block in self.blocks:
            yield block, start, start + block.size
            start += block.size


def as_structure(value: object, dim: int | None = None) -> Structure:
    """``value`` as a structure: a :class:`Structure`, or ``(name, shape)`` pairs; of ``dim``
    coordinates when ``dim`` is known."""
    if not isinstance(value, Structure):
        try:
            value = Structure.of(list(value))  # type: ignore[call-overload]
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"structure must be a dl.Structure or (name, shape) pairs such as "
                f"[('W', (20, 10)), ('b', (10,))], not {value!r} ({error})"
            ) from None
    if dim is not None and value.dim != dim:
        raise ValueError(f"structure has {value.dim} coordinates ({value.describe()}), the "
                         f"bounds {dim}")  # fmt: skip
    return value


def split(x, structure: Structure) -> list:
    """``x`` (``(..., d)``) as one array per block, ``(..., *block.shape)``."""
    xp, lead = namespace(x), tuple(x.shape[:-1])
    return [xp.reshape(x[..., a:b], (*lead, *block.shape)) for block, a, b in structure.spans()]


def join(parts: Sequence, structure: Structure):
    """The inverse of :func:`split`: the blocks back as one ``(..., d)`` array."""
    xp = namespace(parts[0])
    flat = [xp.reshape(part, (*part.shape[: part.ndim - len(block.shape)], block.size))
            for part, block in zip(parts, structure.blocks, strict=True)]  # fmt: skip
    return flat[0] if len(flat) == 1 else xp.concat(flat, axis=-1)


def blockwise(structure: Structure, update, *arrays):
    """``update(block, *parts)`` on every block of ``arrays`` (each ``(..., d)``), the results
    (arrays, or tuples of arrays) joined back into ``(..., d)`` arrays."""
    pieces = [split(a, structure) for a in arrays]
    results = [update(block, *(p[k] for p in pieces)) for k, block in enumerate(structure.blocks)]
    if isinstance(results[0], tuple):
        return tuple(join(list(column), structure) for column in zip(*results, strict=True))
    return join(results, structure)


def block_norm(a, block: Block):
    """The Euclidean (Frobenius) norm of a block's part ``(..., *block.shape)``, per start,
    with the block's axes kept (it broadcasts against the part)."""
    xp = namespace(a)
    axes = tuple(range(-len(block.shape), 0))
    return xp.sqrt(xp.sum(a * a, axis=axes, keepdims=True))


def for_block(value, block: Block):
    """A per-start value (a number, or an array ``(..., 1)``) made to broadcast against a
    block's part ``(..., *block.shape)``."""
    if not getattr(value, "ndim", 0):
        return value
    xp = namespace(value)
    return xp.reshape(value, (*value.shape, *(1,) * (len(block.shape) - 1)))
