"""The JAX engine: ``minimize(..., engine="jax")`` as one compiled program.

The run is compiled once per *structure*: the problem's functions, the optimizer's class and its
switches (``beta1_decay``, ``centered``), which tests run, the record's size and the arrays'
shapes and dtype. Hyperparameter values, starts, tolerances and ``n_iter`` (when nothing is
recorded) are traced inputs, so a second call with other values reuses the compiled program;
sweeps and the playground pay compilation once.

Devices: the program runs on JAX's default device, the first GPU with ``jax[cuda]`` installed,
else the CPU. Choose with JAX's usual means (``JAX_PLATFORMS=cpu``, ``jax.default_device``).
Only the CPU is tested here.

float64 is the default and agrees with the NumPy engine to rounding; ``dtype="float32"`` is
faster and is not bit-equal to anything float64 computes.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import sys

import jax
import numpy as np

from descentlab._trees import map_state
from descentlab.engines.jax_engine import layout, loop
from descentlab.engines.jax_engine.draws import DrawPlan, draw_inputs
from descentlab.engines.jax_engine.problem import FunctionRaised, NotTraceable, traced_problem
from descentlab.engines.jax_engine.setup import register
from descentlab.results.result import Result, Status, filled

__all__ = ["FunctionRaised", "NotTraceable", "run", "trace_count"]


def trace_count() -> int:
    """How many times a run has been traced (compiled) in this process."""
    return loop.TRACE_COUNT[0]


def run(problem, optimizer, x: np.ndarray, n_iter: int, stopping, recorder, box, state,
        dtype: str, reporter=None, draws=None, step_rule=None) -> Result:  # fmt: skip
    """Run ``optimizer`` on ``problem`` from ``x`` (shape ``batch + (d,)``), compiled.

    The arguments are those :func:`descentlab.minimize` has checked: ``stopping`` its tolerances,
    ``recorder`` what to record (or None), ``box`` the ``(lo, hi)`` to project on (or None),
    ``state`` a resumed run's optimizer state (or None), ``draws`` its randomness
    (:class:`~descentlab.engines.draws.Draws`: noise, minibatches, an online problem) and
    ``step_rule`` the rule that picks each step's length (or None).
    """
    batch_shape, d = x.shape[:-1], x.shape[-1]
    n = math.prod(batch_shape)
    asked = recorder
    if reporter is not None and (recorder is None or recorder.every != 1 or recorder.starts
                                 is not None):  # fmt: skip
        from descentlab.engines.recorder import Recorder

        recorder = Recorder(1, None, batch_shape)  # the trace prints every point
    register(optimizer)
    traced = traced_problem(problem, n, d, dtype)
    x0 = np.asarray(x.reshape(n, d), dtype=dtype)
    optimizer_in = _per_start(optimizer, batch_shape, n, dtype)
    plan = loop.Plan(
        problem=traced,
        has_gtol=stopping.gtol is not None,
        has_ftol=stopping.ftol is not None,
        project=box is not None,
        record_every=None if recorder is None else recorder.every,
        record_rows=0 if recorder is None else _record_rows(n_iter, recorder.every),
        record_some=recorder is not None and recorder.starts is not None,
        value_every=_value_every(problem, stopping, recorder, step_rule),
        draws=_draw_plan(problem, draws),
        step_rule=step_rule,
    )
    scalar = np.dtype(dtype).type
    start_state = (
        optimizer_in.init(x0) if state is None else _flat_state(state, x0.shape, batch_shape)
    )
    inputs = loop.Inputs(
        optimizer=optimizer_in,
        x0=x0,
        state0=start_state,
        n_iter=np.int32(n_iter),
        gtol=scalar(stopping.gtol or 0.0),
        target=scalar(0.0 if stopping.target is None else stopping.target),
        lo=np.asarray(box[0] if box is not None else np.zeros(d), dtype),
        hi=np.asarray(box[1] if box is not None else np.zeros(d), dtype),
        record_index=_record_index(recorder),
        draws=None if plan.draws is None else draw_inputs(draws, n, dtype),
        minimum=scalar(0.0 if stopping.minimum is None else stopping.minimum),
    )
    where = layout.layout(n, _bytes_per_start(inputs), plan.quick or plan.tested_tiles)
    plan = dataclasses.replace(plan, tile=where.tile, shards=where.shards, mesh=where.mesh)
    inputs = layout.placed(_padded(inputs, n, where.padded), where, where.padded)
    end = jax.device_get(loop.compiled_run(plan, inputs))  # all outputs in one transfer
    result = _result(plan, stopping, recorder, end, batch_shape, optimizer.name, n)
    if reporter is not None:
        _print_trace(reporter, result)
        if recorder is not asked:
            _keep_what_was_asked(result, asked)
    return result


def gradient_function(problem, d: int, dtype: str = "float64"):
    """The gradient the JAX engine runs ``problem`` with, as a function of NumPy points
    ``(..., d)`` (for checking it against finite differences)."""

    def gradient(x: np.ndarray) -> np.ndarray:
        flat = np.asarray(x, dtype=dtype).reshape(-1, d)
        traced = traced_problem(problem, flat.shape[0], d, dtype)
        return np.asarray(_compiled(traced.grad)(flat)).reshape(np.shape(x))

    return gradient


@functools.cache
def _compiled(function):
    return jax.jit(function)


def _bytes_per_start(inputs) -> int:
    """About the memory one start's point, gradient and optimizer state take: a point's worth
    for each field of the state but its step count."""
    fields = len(inputs.state0) - 1 if isinstance(inputs.state0, tuple) else 1
    return (2 + fields) * inputs.x0[0].nbytes


def _padded(inputs, n: int, size: int):
    """The inputs with every per-start row (points, hyperparameters, state, stream keys)
    padded to ``size`` starts by copies of the last (see ``layout``)."""
    if size == n:
        return inputs

    def pad(leaf):
        if getattr(leaf, "ndim", 0) >= 1 and leaf.shape[0] == n:
            return layout.padded(np.asarray(leaf), size)
        return leaf

    tree = jax.tree_util.tree_map
    draws_in = inputs.draws
    if draws_in is not None:
        keys = ("noise_keys", "minibatch_keys", "online_keys")
        draws_in = draws_in._replace(**{name: pad(getattr(draws_in, name)) for name in keys})
    return inputs._replace(optimizer=tree(pad, inputs.optimizer), x0=pad(inputs.x0),
                           state0=tree(pad, inputs.state0), draws=draws_in)  # fmt: skip


def _value_every(problem, stopping, recorder, step_rule) -> int | None:
    """How often the run evaluates f, as the NumPy engine does (see ``loop.Plan``)."""
    if stopping.target is not None or step_rule is not None:
        return 1
    if recorder is not None:
        return recorder.every if problem.costly_values else 1
    return None


def _draw_plan(problem, draws) -> DrawPlan | None:
    if draws is None or not (draws.random or draws.online):
        return None
    return DrawPlan(noise=draws.noise, batch_size=draws.batch_size,
                    online=problem if draws.online else None, random_online=draws.random_problem,
                    finite_sum=problem if draws.batch_size is not None else None)  # fmt: skip


def _record_rows(n_iter: int, every: int) -> int:
    return n_iter // every + 1 + (n_iter % every != 0)


def _record_index(recorder) -> np.ndarray:
    if recorder is None or recorder.starts is None:
        return np.zeros(0, dtype=np.int32)
    return recorder.starts.astype(np.int32)


def _per_start(optimizer, batch_shape, n: int, dtype: str):
    """The optimizer with each array hyperparameter as one value per flat start, and every
    float in ``dtype`` (a float64 number would draw float32 points up to float64 where it meets
    the step count, an integer)."""

    def flat(leaf):
        if isinstance(leaf, np.ndarray):
            return np.broadcast_to(leaf, batch_shape).reshape(n).astype(dtype)
        if isinstance(leaf, float):
            return np.dtype(dtype).type(leaf)
        return leaf

    if not optimizer._array_fields and dtype == "float64":
        return optimizer
    return jax.tree_util.tree_map(flat, optimizer)


def _flat_state(state, flat_shape, batch_shape):
    """A resumed state's arrays on the flat batch: the batch's axes of each array (its leading
    ones) made one of ``n`` starts, the rest kept (a point's ``d``, a block's matrix)."""
    lead = len(batch_shape)

    def flat(leaf):
        array = np.asarray(leaf)
        if array.ndim == 0:
            return array
        return array.reshape(flat_shape[0], *array.shape[lead:]) if lead else array[None]

    return map_state(flat, state)


_WHY = {
    loop.CONVERGED_GRAD: (Status.CONVERGED, lambda s, k: s.converged_on_gradient(k)),
    loop.CONVERGED_FUN: (Status.CONVERGED, lambda s, k: f"f - f* <= {s.ftol:g} at iteration {k}"),
    loop.DIVERGED_START: (Status.DIVERGED, lambda s, k: "non-finite value at the start"),
    loop.DIVERGED_GRAD: (Status.DIVERGED, lambda s, k: f"non-finite gradient at iteration {k + 1}"),
    loop.DIVERGED_POINT: (Status.DIVERGED, lambda s, k: f"non-finite point at iteration {k + 1}"),
    loop.DIVERGED_VALUE: (Status.DIVERGED, lambda s, k: f"non-finite value at iteration {k + 1}"),
    loop.DIVERGED_END: (Status.DIVERGED, lambda s, k: f"non-finite value at iteration {k}"),
}


def _statuses(stopping, code: np.ndarray, nit: np.ndarray, last: int):
    """Status and message per start, in the NumPy engine's words; starts that stopped for the
    same reason at the same iteration share one message string."""
    status = filled(code.shape, Status.MAX_ITER.value)
    message = filled(code.shape, f"reached n_iter = {last} iterations")
    for value in np.unique(code).tolist():
        if value != loop.RUNNING:
            kind, words = _WHY[value]
            rows = np.flatnonzero(code == value)
            status[rows] = kind.value
            iterations, where = np.unique(nit[rows], return_inverse=True)
            texts = np.array([words(stopping, int(k)) for k in iterations], dtype=object)
            message[rows] = texts[where]
    return status, message


def _result(plan, stopping, recorder, end, batch_shape, name: str, n: int) -> Result:
    last, rows, nfev, njev = (int(k) for k in np.asarray(end.counts))
    stops = np.asarray(end.stops)[:n]
    code, nit = stops[:, 1], stops[:, 0].astype(int)
    nit = np.where(code == loop.RUNNING, last, nit)
    status, message = _statuses(stopping, code, nit, last)
    per_start = np.asarray(end.per_start)[:n]
    d = per_start.shape[1] - 2
    path = path_fun = path_grad_norm = path_regret = path_step = None
    path_iter = np.zeros(0, dtype=int)
    if recorder is not None:
        recorded = np.asarray(end.path)[:rows]
        if recorder.starts is None:
            recorded = recorded[:, :n]  # without the padding's copies
        shape = batch_shape if recorder.starts is None else (len(recorder.starts),)
        path = recorded[..., :d].reshape((rows, *shape, d))
        path_fun = recorded[..., d].reshape((rows, *shape))
        path_grad_norm = recorded[..., d + 1].reshape((rows, *shape))
        if plan.online:
            path_regret = recorded[..., d + 2].reshape((rows, *shape))
        if plan.step_rule is not None:
            path_step = recorded[..., d + 2 + plan.online].reshape((rows, *shape))
        path_iter = _recorded_iterations(last, recorder.every)
    return Result(
        x=per_start[:, :d].reshape((*batch_shape, d)),
        fun=per_start[:, d].reshape(batch_shape),
        grad_norm=per_start[:, d + 1].reshape(batch_shape),
        nit=nit.reshape(batch_shape),
        status=status.reshape(batch_shape),
        message=message.reshape(batch_shape),
        path=path,
        path_fun=path_fun,
        path_grad_norm=path_grad_norm,
        path_iter=path_iter,
        record_starts=None if recorder is None else recorder.starts,
        nfev=nfev,
        njev=njev,
        time=0.0,
        regret=np.asarray(end.regret)[:n].reshape(batch_shape) if plan.online else None,
        path_regret=path_regret,
        state=_state_on_host(end.state, batch_shape, n),
        optimizer=name,
        path_step=path_step,
    )


def _recorded_iterations(last: int, every: int) -> np.ndarray:
    """The iterations a run that ended at ``last`` recorded: every ``every``-th, and the last."""
    iterations = np.arange(0, last + 1, every)
    return iterations if iterations[-1] == last else np.append(iterations, last)


def _state_on_host(state, batch_shape, n: int):
    """The final state as the NumPy engine keeps it: NumPy arrays of the batch's shape."""

    def host(leaf):
        array = np.asarray(leaf)
        if array.ndim == 0:
            return array.item()
        return array[:n].reshape((*batch_shape, *array.shape[1:]))

    return map_state(host, state)


def _keep_what_was_asked(result: Result, asked) -> None:
    """Cut the full record a trace needed down to the one the caller asked for."""
    if asked is None:
        result.path = result.path_fun = result.path_grad_norm = None
        result.path_regret = result.path_step = None
        result.path_iter = np.zeros(0, dtype=int)
        return
    iters = result.path_iter
    rows = (iters % asked.every == 0) | (iters == iters[-1])
    starts = slice(None) if asked.starts is None else asked.starts
    flat = result.path.reshape((len(iters), -1, result.path.shape[-1]))
    result.path = flat[rows][:, starts] if asked.starts is not None else result.path[rows]
    for name in ("path_fun", "path_grad_norm", "path_regret", "path_step"):
        if getattr(result, name) is None:
            continue
        values = getattr(result, name).reshape((len(iters), -1))[rows][:, starts]
        setattr(result, name, values if asked.starts is not None else getattr(result, name)[rows])
    result.path_iter = iters[rows]
    result.record_starts = asked.starts


def _print_trace(reporter, result: Result) -> None:
    """The tutorials' trace, printed from the record once the compiled run is over."""
    for row in range(1, len(result.path_iter)):
        reporter.iteration(int(result.path_iter[row]) - 1, result.path[row], result.path_fun[row])
    sys.stdout.flush()
