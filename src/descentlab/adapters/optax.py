"""descentlab's optimizers in an optax training loop: :func:`transform`.

``descentlab.optax.transform(dl.Adam(alpha=1e-3))`` is an ``optax.GradientTransformation``
over any pytree of parameters: ``init(params)`` gives each leaf the descentlab optimizer's
state (its fields as full arrays, so the state keeps its shapes inside ``jax.jit``,
``lax.scan`` and ``fori_loop``), and ``update(grads, state, params)`` calls the optimizer's own
pure ``step(x, grad, state)`` on each leaf and returns ``x_new - x`` as the update, which
``optax.apply_updates`` adds back. It chains (``optax.chain(optax.clip_by_global_norm(1.0),
transform(...))``: the optimizer sees the clipped gradients) and jits.

The update is the difference of two points, so ``params + update`` equals the descentlab step
to rounding (the last bit), not bit for bit; against optax's own optimizers the tests hold
200 steps of a small network to 1e-10.

A matrix-aware or layer-wise optimizer (Muon, SOAP, LAMB), and those that sum over every
parameter (Prodigy, D-Adaptation, DoG, SAM, the wrappers), step all leaves as one vector whose
blocks are the leaves (a leaf of more than two axes as the matrix ``(shape[0], rest)``); the
state is then one for the whole tree. For schedule-free methods, Lookahead and SAM the
parameters are the points the gradients are taken at; :func:`eval_params` gives the points to
evaluate (as ``optax.contrib.schedule_free_eval_params`` does).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from descentlab.adapters._instance import check_fits, check_instance
from descentlab.adapters._joint import is_joint, offsets, structure_of
from descentlab.optimizers import Optimizer as Update


class TransformState(NamedTuple):
    """The descentlab optimizer's state of every leaf, in the parameters' tree."""

    leaves: Any


def transform(optimizer: Update) -> optax.GradientTransformation:
    """The descentlab ``optimizer`` as an optax gradient transformation.

    ``params`` must be given to ``update`` when the optimizer's step depends on the point (a
    weight decay); without it the step is taken from zero, which is the same update for
    every other optimizer here.
    """
    check_instance(optimizer)
    if is_joint(optimizer):
        return _joint_transform(optimizer)

    def init(params) -> TransformState:
        leaves, _ = jax.tree_util.tree_flatten_with_path(params)
        for path, leaf in leaves:
            _check_leaf(optimizer, leaf, jax.tree_util.keystr(path))
        return TransformState(jax.tree.map(lambda p: _full_state(optimizer, p), params))

    def update(updates, state: TransformState, params=None):
        grads, treedef = jax.tree.flatten(updates)
        points = _points(optimizer, grads, treedef, params)
        states = treedef.flatten_up_to(state.leaves)
        steps, new_states = [], []
        for x, g, s in zip(points, grads, states, strict=True):
            x_new, s_new = optimizer.step(x, g, s)
            steps.append((x_new - x).astype(g.dtype))
            new_states.append(_keep_shapes(s_new, s))
        return treedef.unflatten(steps), TransformState(treedef.unflatten(new_states))

    return optax.GradientTransformation(init, update)


class JointState(NamedTuple):
    """The descentlab optimizer's state of all leaves stepped as one vector."""

    joint: Any


def _joint_transform(optimizer: Update) -> optax.GradientTransformation:
    """All leaves joined into one vector whose blocks they are, stepped once."""

    def init(params) -> JointState:
        leaves, _ = jax.tree_util.tree_flatten_with_path(params)
        for path, leaf in leaves:
            _check_leaf(optimizer, leaf, jax.tree_util.keystr(path), joint=True)
        x, bound = _joined(optimizer, [leaf for _, leaf in leaves])
        return JointState(_full_joint_state(bound, x))

    def update(updates, state: JointState, params=None):
        grads, treedef = jax.tree.flatten(updates)
        points = _points(optimizer, grads, treedef, params)
        x, bound = _joined(optimizer, points)
        g = jnp.concatenate([jnp.ravel(leaf) for leaf in grads])
        x_new, s_new = bound.step(x, g, state.joint)
        steps = _split(x_new - x, grads)
        return treedef.unflatten(steps), JointState(_keep_shapes(s_new, state.joint))

    return optax.GradientTransformation(init, update)


def eval_params(optimizer: Update, state, params):
    """The points users evaluate, for the state of :func:`transform` of ``optimizer`` and its
    ``params`` (the points the gradients are taken at): schedule-free's ``x``, Lookahead's slow
    weights, SAM's point before its ascent; ``params`` themselves for the other optimizers."""
    leaves, treedef = jax.tree.flatten(params)
    if isinstance(state, JointState):
        x, bound = _joined(optimizer, leaves)
        return treedef.unflatten(_split(bound.evaluation_point(x, state.joint), leaves))
    states = treedef.flatten_up_to(state.leaves)
    return treedef.unflatten([optimizer.evaluation_point(x, s).astype(x.dtype)
                              for x, s in zip(leaves, states, strict=True)])  # fmt: skip


def _joined(optimizer: Update, leaves: list):
    """The leaves as one vector, and the optimizer bound to their blocks."""
    x = jnp.concatenate([jnp.ravel(leaf) for leaf in leaves])
    return x, optimizer.bound(structure_of([jnp.shape(leaf) for leaf in leaves]))


def _split(x, like: list) -> list:
    return [x[start:stop].reshape(jnp.shape(leaf)).astype(jnp.result_type(leaf))
            for leaf, (start, stop) in zip(like, offsets([jnp.shape(v) for v in like]),
                                           strict=True)]  # fmt: skip


def _full_joint_state(optimizer: Update, x) -> Any:
    """The initial state in the shapes and dtypes a step gives it (numbers that become arrays
    after one step are arrays from the start), so ``jit`` and ``lax.scan`` see one shape."""
    state = optimizer.init(x)
    after = jax.eval_shape(lambda s: optimizer.step(x, jnp.zeros_like(x), s)[1], state)
    return jax.tree.map(lambda value, shape: jnp.broadcast_to(
        jnp.asarray(value, dtype=shape.dtype), shape.shape), state, after)  # fmt: skip


def _points(optimizer: Update, grads: list, treedef, params) -> list:
    if params is None:
        _check_needs_no_point(optimizer)
        return [jnp.zeros_like(g) for g in grads]
    return treedef.flatten_up_to(params)


def _check_leaf(optimizer: Update, leaf, where: str, joint: bool = False) -> None:
    """Refuse a leaf the optimizer cannot update as it is: a complex one (the updates are
    written for real numbers, and optax's complex algebra is not theirs), or one that an array
    hyperparameter (one value per row) does not fit."""
    dtype = jnp.result_type(leaf)
    if not jnp.issubdtype(dtype, jnp.floating):
        raise TypeError(f"parameter {where or '(the root)'} is {dtype}: descentlab's optimizers "
                        "update real floating-point parameters (for a complex one, optimize its "
                        "real and imaginary parts as two real leaves)")  # fmt: skip
    if joint and optimizer._array_fields:
        raise ValueError(f"{optimizer.name} steps all parameters together as one vector, so "
                         "its hyperparameters must be numbers, not arrays")  # fmt: skip
    if not joint:
        check_fits(optimizer, tuple(jnp.shape(leaf)), f"parameter {where or '(the root)'}")


def _full_state(optimizer: Update, p) -> NamedTuple:
    """The initial state with every field a full array of the leaf's shape and dtype (the
    step count an integer scalar), so its shapes never change from step to step."""
    state = optimizer.init(p)
    fields = {name: jnp.broadcast_to(jnp.asarray(value, dtype=p.dtype), jnp.shape(p))
              for name, value in state._asdict().items() if name != "count"}  # fmt: skip
    return state._replace(count=jnp.zeros((), dtype=jnp.int32), **fields)


def _keep_shapes(new: Any, old: Any) -> Any:
    """``new`` in the dtypes (and integer counts) of ``old``, field by field and block by
    block: a step can promote a float32 state through a float64 number."""
    return jax.tree.map(lambda n, o: jnp.asarray(n, dtype=jnp.result_type(o)), new, old)


def _check_needs_no_point(optimizer: Update) -> None:
    decay = getattr(optimizer, "weight_decay", 0.0)
    if not (isinstance(decay, float) and decay == 0.0):
        raise ValueError(f"{optimizer.name} with weight_decay needs the parameters: call "
                         "update(grads, state, params)")  # fmt: skip


__all__ = ["JointState", "TransformState", "eval_params", "transform"]
