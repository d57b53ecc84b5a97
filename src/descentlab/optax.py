"""descentlab's optimizers in an optax training loop: ``descentlab.optax.transform(dl.Adam())``
is an ``optax.GradientTransformation`` (see :mod:`descentlab.adapters.optax`)."""

from descentlab._lazy import needs

with needs("descentlab.optax", "optax", ("optax", "jax", "jaxlib")):
    from descentlab.adapters.optax import (
        JointState,
        OptaxSchedule,
        TransformState,
        alias,
        eval_params,
        schedule,
        transform,
    )

__all__ = ["JointState", "OptaxSchedule", "TransformState", "alias", "eval_params", "schedule",
           "transform"]  # fmt: skip
