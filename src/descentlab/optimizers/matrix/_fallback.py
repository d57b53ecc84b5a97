"""What a matrix-aware method does with the blocks that are not matrices: a fallback
optimizer steps them, as one vector made of those blocks."""

from __future__ import annotations

from descentlab._namespace import namespace
from descentlab._structure import Structure


def rest_of(parts: list, structure: Structure, take):
    """The blocks ``take(block)`` rejects (the vectors), as one ``(..., n)`` vector, or None."""
    chosen = [p for p, b in zip(parts, structure.blocks, strict=True) if not take(b)]
    if not chosen:
        return None
    return chosen[0] if len(chosen) == 1 else namespace(chosen[0]).concat(chosen, axis=-1)


def put_back(parts: list, rest, structure: Structure, take) -> list:
    """``parts`` with the rejected blocks replaced by the pieces of ``rest``."""
    out, start = list(parts), 0
    for k, block in enumerate(structure.blocks):
        if not take(block):
            out[k] = rest[..., start : start + block.size]
            start += block.size
    return out


def refusal(name: str, structure: Structure) -> str:
    vectors = [b.name for b in structure.blocks if len(b.shape) != 2]
    return (
        f"{name} updates matrices, and blocks {vectors[:3]} of this problem are not "
        "matrices: give a fallback for them (fallback='adamw', or an optimizer such as "
        "dl.AdamW()), or a problem whose coordinates form matrices"
    )
