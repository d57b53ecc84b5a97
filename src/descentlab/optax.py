"""descentlab's optimizers in an optax training loop (see :mod:`descentlab.adapters.optax`).

    import optax
    import descentlab as dl
    import descentlab.optax

    tx = optax.chain(optax.clip_by_global_norm(1.0), descentlab.optax.transform(dl.Adam()))
"""

from descentlab.adapters.optax import TransformState, transform

__all__ = ["TransformState", "transform"]
