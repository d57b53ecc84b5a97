"""The whole run as one compiled program: the NumPy engine's loop
(:mod:`descentlab.engines.numpy_engine.loop`) written with ``lax.while_loop`` over a flat
batch of starts ``(n, d)``.

Per iteration ``i``, as the NumPy engine does: the gradient tolerance at ``x``, the record (a
row of preallocated buffers), then the optimizer's own ``step`` (the one in
``descentlab/optimizers``, traced), the projection, the value when it is needed, the finite test
(a start that produced non-finite numbers is held at its last point, with the reason as a code),
the value target, and the gradient at the new points. Statuses are small integer codes and the
iteration they happened at; the host turns them into the NumPy engine's words
(:mod:`descentlab.engines.jax_engine`).

A run with nothing to test along the way (no tolerance, no record, no projection) takes a
quicker road: chunks of :data:`CHUNK` steps without per-start bookkeeping, each kept only if
every point is still finite at its end (a non-finite point stays non-finite: ``x - u`` is
non-finite whenever ``x`` is). A chunk in which some start diverged is run again from its
beginning with the per-start tests, so statuses and final points are the same either way. A run
with tests but no record or step rule runs its tested steps in such chunks too, tile by tile
(:func:`~descentlab.engines.jax_engine.quick.tested_road`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax
from jax.sharding import Mesh

from descentlab.engines.jax_engine import draws, options, quick, rules
from descentlab.engines.jax_engine.draws import DrawInputs, DrawPlan
from descentlab.engines.jax_engine.problem import TracedProblem

# Why a start stopped (``code``), with the iteration in ``nit``; RUNNING ends as max_iter.
RUNNING, CONVERGED_GRAD, CONVERGED_FUN = 0, 1, 2
DIVERGED_START, DIVERGED_GRAD, DIVERGED_POINT, DIVERGED_VALUE, DIVERGED_END = 3, 4, 5, 6, 7


@dataclass(frozen=True)
class Plan:
    """What a compiled program is specialized to, beyond array shapes and the optimizer's
    structure: the functions, which tests run, and the record's size. Hashable: the cache key."""

    problem: TracedProblem
    has_gtol: bool
    has_ftol: bool
    project: bool
    record_every: int | None  # None: nothing recorded
    record_rows: int  # rows the record can take (the start and the last included)
    record_some: bool  # only the starts in record_index
    #: f at every iteration (1: a value target or a record needs it), at every k-th and the last
    #: (k: a record of a problem whose values are dear, a finite sum), or at both ends (None)
    value_every: int | None = None
    draws: DrawPlan | None = None  # noise, minibatches, online rounds
    step_rule: object | None = None  # a line search or step-size rule (its values each step)
    tile: int = 0  # starts per tile on the quick road (0: the whole batch at once)
    shards: int = 1  # devices the starts are spread over
    mesh: Mesh | None = None  # their mesh (axis "starts"), when more than one

    @property
    def values_decide(self) -> bool:
        """Whether values along the way may stop a start (a value target or a step rule reads
        them); a value computed only for the record decides nothing."""
        return self.has_ftol or self.step_rule is not None

    @property
    def quick(self) -> bool:
        return not (self.has_gtol or self.has_ftol or self.project or self.record_every
                    or self.step_rule)  # fmt: skip

    @property
    def tested_tiles(self) -> bool:
        """True when the tested steps may run tile by tile: nothing recorded (a record row is
        the whole batch's) and no step rule (a line search counts its calls over the batch)."""
        return self.record_every is None and self.step_rule is None

    @property
    def online(self) -> bool:
        return self.draws is not None and self.draws.online is not None


class Carry(NamedTuple):
    i: jax.Array  # the iteration of x
    x: jax.Array
    g: jax.Array
    fx: jax.Array
    state: object
    active: jax.Array
    nit: jax.Array
    code: jax.Array
    rows: jax.Array  # rows recorded so far
    path: jax.Array  # rows of (x, f, ||g||[, regret]) per recorded start, one spare row for
    # writes that do not count
    extra: dict  # the draws' own state (a minibatch order, an online run's sums)
    fx_at: jax.Array  # the iteration whose values fx holds
    calls: jax.Array  # (2,): batch calls of f and of the gradient so far


class Output(NamedTuple):
    """What the host reads, in few arrays: each output costs the call a few microseconds."""

    per_start: jax.Array  # (n, d + 2): final x, f and ||g||
    stops: jax.Array  # (n, 2): nit and code
    counts: jax.Array  # (4,): the last iteration, the recorded rows, nfev and njev
    path: jax.Array
    state: object
    regret: jax.Array  # (n,) for an online problem, else (0,)


class Inputs(NamedTuple):
    """The traced inputs: values that change from call to call without a new compilation."""

    optimizer: object
    x0: jax.Array
    state0: object
    n_iter: jax.Array
    gtol: jax.Array
    target: jax.Array
    lo: jax.Array
    hi: jax.Array
    record_index: jax.Array
    draws: DrawInputs | None = None
    minimum: jax.Array = 0.0  # f*, for Polyak's step


#: How often a program was traced (compiled), for tests of the cache.
TRACE_COUNT = [0]


def _run(plan: Plan, inputs: Inputs):
    """Run to the end; returns the final carry (the host reads the arrays it needs)."""
    TRACE_COUNT[0] += 1
    inputs = inputs._replace(state0=_initial_state(inputs))
    carry = _visit(plan, inputs, _start(plan, inputs))
    if plan.quick:
        carry = quick.quick_road(plan, inputs, carry)
    elif plan.tile and plan.tested_tiles:
        carry = quick.tested_road(plan, inputs, carry, _tested_step)
    carry = lax.while_loop(
        lambda c: (c.i < inputs.n_iter) & jnp.any(c.active),
        lambda c: _visit(plan, inputs, _advance(plan, inputs, c)),
        carry,
    )
    c = _finish(plan, inputs, carry)
    shown = _shown(inputs, c.x, c.state)
    return Output(
        per_start=jnp.concatenate([shown, c.fx[:, None], rules.norm(c.g)[:, None]], axis=1),
        stops=jnp.stack([c.nit, c.code.astype(jnp.int32)], axis=1),
        counts=jnp.concatenate([jnp.stack([c.i, c.rows]), c.calls]),
        path=c.path,
        state=c.state,
        regret=draws.regret(plan.draws, c.extra, c.x.dtype) if plan.online else jnp.zeros(0),
    )


#: The compiled run, cached per plan (see :mod:`~descentlab.engines.jax_engine.options`).
compiled_run = options.Compiled(_run, 0, options.compiler_options())


def _tested_step(plan: Plan, inputs: Inputs, carry: Carry) -> Carry:
    """One iteration with every test: the step, then the tests at the new point."""
    return _visit(plan, inputs, _advance(plan, inputs, carry))


def _initial_state(inputs: Inputs):
    """The state before the first step, every array at the shape and dtype the step gives it:
    ``init`` may answer with numbers (0.0) that the first step turns into arrays, and a
    ``lax.while_loop`` keeps its carry's shapes fixed."""
    optimizer, x0, start = inputs.optimizer, inputs.x0, inputs.state0
    shapes = jax.eval_shape(lambda s: optimizer.step(x0, x0, s)[1], start)
    return jax.tree_util.tree_map(
        lambda leaf, shape: jnp.broadcast_to(jnp.asarray(leaf, shape.dtype), shape.shape),
        start,
        shapes,
    )


def _two_points(inputs: Inputs) -> bool:
    """Whether the optimizer evaluates another point than the one it steps (decided when the
    program is traced: its class is part of the compiled structure)."""
    from descentlab.optimizers import Optimizer

    return type(inputs.optimizer).evaluation_point is not Optimizer.evaluation_point


def _shown(inputs: Inputs, x, state):
    """The point users evaluate at the iterate ``x`` (``x`` itself for most optimizers)."""
    return inputs.optimizer.evaluation_point(x, state) if _two_points(inputs) else x


def _stop(carry: Carry, which, iteration, code) -> Carry:
    """Stop the active starts in ``which`` at ``iteration`` for ``code`` (one, or one each)."""
    which = which & carry.active
    return carry._replace(
        active=carry.active & ~which,
        nit=jnp.where(which, iteration, carry.nit),
        code=jnp.where(which, jnp.asarray(code, jnp.int8), carry.code),
    )


def _gradient(plan: Plan, inputs: Inputs, x, i, extra: dict):
    """The gradient the optimizer sees at ``x``, the ``i``-th point (drawn, where it is)."""
    return draws.gradient(plan.draws, plan.problem.grad, inputs.draws, x, i, extra)


def _start(plan: Plan, inputs: Inputs) -> Carry:
    x, f = inputs.x0, plan.problem.f
    n, d = x.shape
    fx = f(_shown(inputs, x, inputs.state0))
    rows = plan.record_rows + 1 if plan.record_every is not None else 0
    r = inputs.record_index.shape[0] if plan.record_some else n
    path = jnp.zeros((rows, r, d + 2 + plan.online + (plan.step_rule is not None)), x.dtype)
    extra = {} if plan.draws is None else draws.initial_extra(plan.draws, n, d, x.dtype)
    if plan.step_rule is not None:
        extra["rule"] = rules.initial_memory(plan.step_rule, n, d, x.dtype)
    g, extra = _gradient(plan, inputs, x, jnp.int32(0), extra)
    carry = Carry(jnp.int32(0), x, g, fx, inputs.state0, jnp.ones(n, bool),
                  jnp.zeros(n, jnp.int32), jnp.zeros(n, jnp.int8), jnp.int32(0), path, extra,
                  jnp.int32(0), jnp.ones(2, jnp.int32))  # fmt: skip
    carry = _stop(carry, ~jnp.isfinite(fx), 0, DIVERGED_START)
    if plan.has_ftol:
        carry = _stop(carry, fx <= inputs.target, 0, CONVERGED_FUN)
    return carry


def _visit(plan: Plan, inputs: Inputs, carry: Carry) -> Carry:
    """At iteration ``i``: the gradient tolerance, then the record when ``i`` is due."""
    if plan.has_gtol:
        g = carry.g  # projected on the box where the run is (as on NumPy)
        if plan.project:
            g = carry.x - jnp.clip(carry.x - carry.g, inputs.lo, inputs.hi)
        carry = _stop(carry, rules.norm(g) <= inputs.gtol, carry.i, CONVERGED_GRAD)
    if plan.record_every is None:
        return carry
    due = carry.i % plan.record_every == 0
    return _record(plan, inputs, carry, due)


def _record(plan: Plan, inputs: Inputs, carry: Carry, due) -> Carry:
    """Write the current row at ``rows`` (or at the spare row when not ``due``)."""
    slot = jnp.where(due, carry.rows, plan.record_rows)
    columns = [_shown(inputs, carry.x, carry.state), carry.fx[:, None],
               rules.norm(carry.g)[:, None]]  # fmt: skip
    if plan.online:
        columns.append(draws.regret(plan.draws, carry.extra, carry.x.dtype)[:, None])
    if plan.step_rule is not None:
        columns.append(carry.extra["rule"]["step"][:, None])
    row = jnp.concatenate(columns, axis=1)
    if plan.record_some:
        row = row[inputs.record_index]
    path = carry.path.at[slot].set(row)
    return carry._replace(path=path, rows=carry.rows + due.astype(jnp.int32))


def _moved(plan: Plan, inputs: Inputs, carry: Carry):
    """The optimizer's step from every start, shaped by the step rule (its search counted in
    ``calls``) and projected on the box when asked; the carry with the new state."""
    x_new, state = inputs.optimizer.step(carry.x, carry.g, carry.state)
    if plan.step_rule is not None:
        x_new, state, ruled, calls = rules.ruled(
            plan.step_rule, plan.problem, inputs.optimizer, inputs.minimum, carry.x, carry.fx,
            carry.g, carry.active, x_new, state, carry.extra["rule"])  # fmt: skip
        carry = carry._replace(extra=dict(carry.extra, rule=ruled), calls=carry.calls + calls)
    if plan.project:
        x_new = jnp.clip(x_new, inputs.lo, inputs.hi)
    return x_new, carry._replace(state=state)


def _value_if_due(plan: Plan, inputs: Inputs, carry: Carry, x_new, i):
    """``f`` at the new points when this iteration's values are due, else the old values;
    and whether they were."""
    shown = _shown(inputs, x_new, carry.state)
    if plan.value_every == 1:
        return plan.problem.f(shown), jnp.bool_(True)
    due = (i % plan.value_every == 0) | (i == inputs.n_iter)
    return lax.cond(due, plan.problem.f, lambda _: carry.fx, shown), due


def _advance(plan: Plan, inputs: Inputs, carry: Carry) -> Carry:
    before = carry.state
    x_new, carry = _moved(plan, inputs, carry)
    i = carry.i + 1
    carry = carry._replace(i=i)
    bad_point = ~jnp.all(jnp.isfinite(x_new), axis=-1)
    bad = bad_point
    if plan.value_every is not None:
        f_new, due = _value_if_due(plan, inputs, carry, x_new, i)
        if plan.values_decide:  # a value only recorded decides nothing (as on NumPy)
            bad = bad | (due & ~jnp.isfinite(f_new))
        carry = carry._replace(fx_at=jnp.where(due, i, carry.fx_at),
                               calls=carry.calls + _counted(due, False))  # fmt: skip
    bad_grad = ~jnp.all(jnp.isfinite(carry.g), axis=-1)
    # as the NumPy engine names the culprit: the gradient, else the point, else the value
    culprit = jnp.where(bad_grad, DIVERGED_GRAD, jnp.where(bad_point, DIVERGED_POINT,
                                                           DIVERGED_VALUE))  # fmt: skip
    carry = _stop(carry, bad, i - 1, culprit)
    x = jnp.where(carry.active[:, None], x_new, carry.x)
    carry = carry._replace(x=x)
    if _two_points(inputs):  # a stopped start's state held with its point (as on NumPy)
        carry = carry._replace(state=_held_state(carry.active, carry.state, before))
    if plan.value_every is not None:
        carry = carry._replace(fx=jnp.where(carry.active, f_new, carry.fx))
    if plan.has_ftol:
        carry = _stop(carry, carry.fx <= inputs.target, i, CONVERGED_FUN)
    return _with_gradient(plan, inputs, carry, x, i)


def _with_gradient(plan: Plan, inputs: Inputs, carry: Carry, x, i) -> Carry:
    g, extra = _gradient(plan, inputs, x, i, carry.extra)
    return carry._replace(g=g, extra=extra, calls=carry.calls + _counted(False, True))


def _finish(plan: Plan, inputs: Inputs, carry: Carry) -> Carry:
    if plan.value_every != 1:  # the value at the end when it is older, as the NumPy engine does
        stale = carry.fx_at != carry.i
        fx = lax.cond(stale, plan.problem.f, lambda _: carry.fx,
                      _shown(inputs, carry.x, carry.state))  # fmt: skip
        carry = carry._replace(fx=fx, calls=carry.calls + _counted(stale, False))
    # a start that ends at a non-finite value has diverged, even one that met the gradient
    # tolerance there (it keeps the iteration it stopped at)
    bad_end = ~jnp.isfinite(carry.fx)
    carry = _stop(carry, bad_end, carry.i, DIVERGED_END)
    carry = carry._replace(
        code=jnp.where(bad_end & (carry.code == CONVERGED_GRAD), jnp.int8(DIVERGED_END), carry.code)
    )
    if plan.record_every is not None:
        carry = _record(plan, inputs, carry, carry.i % plan.record_every != 0)
    return carry


def _held_state(active, state, before):
    """``state`` with the stopped starts' rows from ``before`` (a leaf without rows is the
    run's, such as the count)."""

    def hold(new, old):
        if jnp.ndim(new) == 0 or jnp.shape(new)[0] != active.shape[0]:
            return new
        return jnp.where(jnp.reshape(active, (-1,) + (1,) * (jnp.ndim(new) - 1)), new, old)

    return jax.tree_util.tree_map(hold, state, before)


def _counted(values: object, gradients: object):
    """The calls of f and of the gradient an iteration made, to add to ``calls``."""
    return jnp.stack([values, gradients]).astype(jnp.int32)
