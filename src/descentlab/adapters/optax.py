"""descentlab's optimizers in an optax training loop: :func:`transform` and :func:`alias`.

``descentlab.optax.transform(dl.Adam(alpha=1e-3))`` is an ``optax.GradientTransformation``
over any pytree of parameters: ``update(grads, state, params)`` calls the optimizer's own pure
``step(x, grad, state)`` and returns ``x_new - x`` as the update, which
``optax.apply_updates`` adds back. It chains (``optax.chain(optax.clip_by_global_norm(1.0),
transform(...))``: the optimizer sees the clipped gradients), jits, scans, and takes the extra
arguments of ``GradientTransformationExtraArgs`` (ignored).

The state is laid out as optax's own: one step ``count`` for the tree and each of the
optimizer's moments as a tree shaped like the parameters (``TransformState(count, fields)``),
so ``optax.tree.get(state, "count")``, ``optax.tree_utils.tree_map_params`` (which maps the
moments and leaves the count alone) and ``flax.nnx.Optimizer`` work on it.

A matrix-aware or layer-wise optimizer (Muon, SOAP, LAMB), and those that sum over every
parameter (Prodigy, D-Adaptation, DoG, SAM, the wrappers), step all leaves as one vector whose
blocks are the leaves (a leaf of more than two axes as the matrix ``(shape[0], rest)``); the
state is then one for the whole tree (:class:`JointState`). For schedule-free methods,
Lookahead and SAM the parameters are the points the gradients are taken at; :func:`eval_params`
gives the points to evaluate (as ``optax.contrib.schedule_free_eval_params`` does).

:func:`alias` makes a factory of keyword hyperparameters, as ``optax.adam`` is one, which
``optax.inject_hyperparams`` can wrap; an optax schedule (a function of the step count from 0)
may be given as the step size there and to :func:`schedule`.

The update is the difference of two points, so ``params + update`` equals the descentlab step
to rounding (the last bit), not bit for bit; against optax's own optimizers the tests hold
200 steps of a small network to 1e-10.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from descentlab.adapters._instance import check_fits, check_instance
from descentlab.adapters._joint import is_joint, offsets, structure_of
from descentlab.optimizers import OPTIMIZERS, get_optimizer
from descentlab.optimizers import Optimizer as Update
from descentlab.schedules import Schedule


class TransformState(NamedTuple):
    """The steps so far (one count for the tree) and each moment of the optimizer's state as
    a tree shaped like the parameters (``fields["m"]``, ``fields["v"]`` for Adam)."""

    count: Any
    fields: Any


class JointState(NamedTuple):
    """The descentlab optimizer's state of all leaves stepped as one vector."""

    joint: Any


def transform(optimizer: Update) -> optax.GradientTransformationExtraArgs:
    """The descentlab ``optimizer`` as an optax gradient transformation.

    ``params`` must be given to ``update`` when the optimizer's step depends on the point (a
    weight decay); without it the step is taken from zero, which is the same update for
    every other optimizer here.
    """
    check_instance(optimizer)
    if is_joint(optimizer):
        return _joint_transform(optimizer)
    kind = type(optimizer.init(np.zeros(1)))  # the optimizer's state, a NamedTuple
    names = [name for name in kind._fields if name != "count"]

    def init(params) -> TransformState:
        leaves, treedef = _leaves(params, optimizer)
        states = [_full_state(optimizer, leaf) for leaf in leaves]
        fields = {n: treedef.unflatten([getattr(s, n) for s in states]) for n in names}
        return TransformState(jnp.zeros((), dtype=jnp.int32), fields)

    def update(updates, state: TransformState, params=None, **extra_args):
        grads, treedef = jax.tree.flatten(updates)
        grads = [jnp.asarray(g) for g in grads]
        points = _points(optimizer, grads, treedef, params)
        fields = {n: treedef.flatten_up_to(state.fields[n]) for n in names}
        steps, new = [], {n: [] for n in names}
        for k, (x, g) in enumerate(zip(points, grads, strict=True)):
            s = kind(count=state.count, **{n: fields[n][k] for n in names})
            x_new, s_new = optimizer.step(x, g, s)
            steps.append((x_new - x).astype(g.dtype))
            for n in names:
                new[n].append(jnp.asarray(getattr(s_new, n), dtype=jnp.result_type(fields[n][k])))
        count = (state.count + 1).astype(jnp.result_type(state.count))
        tree = {n: treedef.unflatten(new[n]) for n in names}
        return treedef.unflatten(steps), TransformState(count, tree)

    return optax.GradientTransformationExtraArgs(init, update)


def _joint_transform(optimizer: Update) -> optax.GradientTransformationExtraArgs:
    """All leaves joined into one vector whose blocks they are, stepped once."""

    def init(params) -> JointState:
        leaves, _ = _leaves(params, optimizer, joint=True)
        x, bound = _joined(optimizer, leaves)
        return JointState(_full_joint_state(bound, x))

    def update(updates, state: JointState, params=None, **extra_args):
        grads, treedef = jax.tree.flatten(updates)
        grads = [jnp.asarray(g) for g in grads]
        points = _points(optimizer, grads, treedef, params)
        x, bound = _joined(optimizer, points)
        g = jnp.concatenate([jnp.ravel(leaf) for leaf in grads])
        x_new, s_new = bound.step(x, g, state.joint)
        steps = _split(x_new - x, grads)
        kept = jax.tree.map(lambda n, o: jnp.asarray(n, dtype=jnp.result_type(o)), s_new,
                            state.joint)  # fmt: skip
        return treedef.unflatten(steps), JointState(kept)

    return optax.GradientTransformationExtraArgs(init, update)


def eval_params(optimizer: Update, state, params):
    """The points users evaluate, for the state of :func:`transform` of ``optimizer`` and its
    ``params`` (the points the gradients are taken at): schedule-free's ``x``, Lookahead's slow
    weights, SAM's point before its ascent; ``params`` themselves for the other optimizers."""
    leaves, treedef = jax.tree.flatten(params)
    leaves = [jnp.asarray(leaf) for leaf in leaves]
    if isinstance(state, JointState):
        x, bound = _joined(optimizer, leaves)
        return treedef.unflatten(_split(bound.evaluation_point(x, state.joint), leaves))
    kind = type(optimizer.init(np.zeros(1)))
    fields = {n: treedef.flatten_up_to(v) for n, v in state.fields.items()}
    points = []
    for k, x in enumerate(leaves):
        s = kind(count=state.count, **{n: fields[n][k] for n in fields})
        points.append(jnp.asarray(optimizer.evaluation_point(x, s)).astype(x.dtype))
    return treedef.unflatten(points)


@dataclass(frozen=True)
class OptaxSchedule(Schedule):
    """An optax schedule (a function of the count before the update, from 0) as a descentlab
    one (of the update's count ``t``, from 1): ``fn(t - 1)``."""

    fn: Callable

    @property
    def initial(self):
        return self.fn(0)

    def __call__(self, t):
        return self.fn(t - 1)


def schedule(fn: Callable) -> OptaxSchedule:
    """An optax schedule, such as ``optax.cosine_decay_schedule(1e-3, 1000)``, to give as a
    descentlab optimizer's step size."""
    if not callable(fn):
        raise TypeError(f"schedule must be an optax schedule (a function of the step count), "
                        f"not {fn!r}")  # fmt: skip
    return fn if isinstance(fn, Schedule) else OptaxSchedule(fn)


def alias(name: str) -> Callable[..., optax.GradientTransformationExtraArgs]:
    """The optimizer ``name`` as a factory of its hyperparameters, as ``optax.adam`` is one:
    ``alias("adam")(alpha=1e-3)``, and ``optax.inject_hyperparams(alias("adam"))(alpha=1e-3)``
    (whose hyperparameters arrive as arrays, traced under ``jit``; an optax schedule as the
    step size is followed)."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, not {name!r}")
    cls = OPTIMIZERS[name]
    steps = {h.name for h in cls.hyperparameters() if h.schedule}

    def make(**hyperparameters: Any) -> optax.GradientTransformationExtraArgs:
        given = {k: (schedule(v) if k in steps and callable(v) else _plain_number(v))
                 for k, v in hyperparameters.items()}  # fmt: skip
        if any(isinstance(v, jax.core.Tracer) for v in given.values()):
            # traced (inject_hyperparams under jit): the values were checked when concrete
            unknown = set(given) - {h.name for h in cls.hyperparameters()}
            if unknown:
                raise TypeError(f"{name} has no hyperparameter {sorted(unknown)[0]!r}")
            return transform(cls.unchecked(**given))
        zero = [k for k in steps if isinstance(given.get(k), int | float) and given[k] == 0]
        if not zero:
            return transform(get_optimizer(name, **given))
        # a step size of 0 does not move (optax's schedules warm up from 0): the rest checked
        checked = get_optimizer(name, **{**given, **dict.fromkeys(zero, 1.0)})
        fields = {f.name: getattr(checked, f.name) for f in dataclasses.fields(checked)}
        return transform(cls.unchecked(**{**fields, **dict.fromkeys(zero, 0.0)}))

    # named keyword parameters: inject_hyperparams binds its arguments to the signature
    make.__signature__ = inspect.Signature([inspect.Parameter(
        h.name, inspect.Parameter.KEYWORD_ONLY, default=h.default)
        for h in cls.hyperparameters()])  # fmt: skip
    make.__name__ = name.replace("-", "_")
    make.__doc__ = f"descentlab's {name} as an optax transformation ({cls.summary})."
    return make


def _plain_number(value: Any) -> Any:
    """A concrete 0-d array (inject_hyperparams keeps its hyperparameters as arrays) as the
    number it holds; anything else as it is."""
    if isinstance(value, jax.Array) and not isinstance(value, jax.core.Tracer) and value.ndim == 0:
        return value.item()
    return value


def _leaves(params, optimizer: Update, joint: bool = False):
    """The parameters' leaves as arrays (Python numbers too), checked."""
    flat, treedef = jax.tree_util.tree_flatten_with_path(params)
    leaves = []
    for path, leaf in flat:
        leaf = jnp.asarray(leaf)
        _check_leaf(optimizer, leaf, jax.tree_util.keystr(path), joint)
        leaves.append(leaf)
    return leaves, treedef


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


def _full_state(optimizer: Update, p) -> NamedTuple:
    """The initial state of one leaf with every field a full array of its shape and dtype."""
    state = optimizer.init(p)
    fields = {name: jnp.broadcast_to(jnp.asarray(value, dtype=p.dtype), jnp.shape(p))
              for name, value in state._asdict().items() if name != "count"}  # fmt: skip
    return state._replace(**fields)


def _points(optimizer: Update, grads: list, treedef, params) -> list:
    if params is None:
        _check_needs_no_point(optimizer)
        return [jnp.zeros_like(g) for g in grads]
    return [jnp.asarray(p) for p in treedef.flatten_up_to(params)]


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


def _check_needs_no_point(optimizer: Update) -> None:
    decay = getattr(optimizer, "weight_decay", 0.0)
    if not (isinstance(decay, float) and decay == 0.0):
        raise ValueError(f"{optimizer.name} with weight_decay needs the parameters: call "
                         "update(grads, state, params)")  # fmt: skip


__all__ = ["JointState", "OptaxSchedule", "TransformState", "alias", "eval_params", "schedule",
           "transform"]  # fmt: skip
