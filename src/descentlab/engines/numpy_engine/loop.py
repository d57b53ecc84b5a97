"""The loop of :func:`descentlab.minimize`, vectorized over the batch of starts.

Every start is a row of one ``(..., d)`` array; one call of the objective, the gradient and the
optimizer's step serves all of them. A start that converges, diverges or stops is held fixed
while the others go on. An exception from the user's code ends the run with status ``error``;
Ctrl-C ends it with the partial result attached to the :class:`Interrupted` it raises.

The JAX engine's compiled loop (:mod:`descentlab.engines.jax_engine.loop`) follows the same order of
tests per iteration; ``tests/test_engines.py`` holds the two to the same statuses, messages,
iteration counts and calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from descentlab.engines.numpy_engine.evaluation import Evaluator
from descentlab.engines.numpy_engine.guards import (
    all_finite,
    apply_rule,
    held,
    held_state,
    mark_diverged,
    norm,
    wants_stop,
)
from descentlab.engines.numpy_engine.run_state import RunState
from descentlab.engines.recorder import Recorder
from descentlab.optimizers import Optimizer
from descentlab.problems.calls import UserFunctionError, call_user
from descentlab.results.result import Result, Status


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a run; ``result`` holds the run up to there (unfinished starts ``stopped``)."""

    def __init__(self, result: Result) -> None:
        super().__init__("interrupted")
        self.result = result


@dataclass(frozen=True)
class IterationInfo:
    """What a callback sees after each update (read-only arrays: the run's own)."""

    iteration: int
    x: np.ndarray
    fun: np.ndarray
    active: np.ndarray


@dataclass(frozen=True)
class Stopping:
    """The stopping rules: gradient-norm and value targets (either may be None). In a run
    projected on a box (``projected``), the gradient test is on the projected gradient
    ``x - clip(x - g, lo, hi)``, which vanishes at a minimum on the box's edge."""

    gtol: float | None
    ftol: float | None
    minimum: float | None
    projected: bool = False

    def converged_on_gradient(self, iteration: int) -> str:
        """The message of a start that met the gradient tolerance at ``iteration``."""
        what = "projected ||g||" if self.projected else "||g||"
        return f"{what} <= {self.gtol:g} at iteration {iteration}"

    @property
    def target(self) -> float | None:
        return None if self.ftol is None else self.minimum + self.ftol


class Loop:
    """One run: the state ``(x, f(x), g(x))`` of every start, moved until all have stopped."""

    def __init__(self, problem, optimizer: Optimizer, x: np.ndarray, n_iter: int,
                 stopping: Stopping, callback: Callable | None, recorder: Recorder | None,
                 reporter, raise_errors: bool, evaluator: Evaluator,
                 box: np.ndarray | None = None, initial_state=None,
                 step_rule=None) -> None:  # fmt: skip
        self.optimizer = optimizer
        self.n_iter = n_iter
        self.stopping = stopping
        self.callback = callback
        self.recorder = recorder
        self.reporter = reporter
        self.raise_errors = raise_errors
        self.evaluate = evaluator
        self.box = box  # (lo, hi) to project every new point on, or None
        self.initial_state = initial_state  # a resumed run's optimizer state
        self.step_rule = step_rule  # a line search or step-size rule, or None
        self.rule_memory: dict | None = None  # the step rule's, made at its first search
        self.last_step = None  # the step length per unit gradient of the last update
        self.run = RunState(x.shape[:-1])
        # f is evaluated at every iteration for a value target, a trace, a callback or a
        # recorder; without them only at the start and the end (divergence shows in the points:
        # a non-finite gradient makes them so). A problem whose values are dear (a full
        # objective over a data set) is evaluated only at the recorded iterations.
        every_step = (stopping.target is not None or reporter is not None
                      or callback is not None or step_rule is not None)  # fmt: skip
        if recorder is None or every_step:
            self.value_every = 1 if every_step else None
        else:
            self.value_every = recorder.every if problem.costly_values else 1
        # A start's status rests on what the run itself needs: its points, its gradients, and the
        # values at the start, at the end and where a value target or a step rule reads them.
        # A value computed only to be recorded, printed or shown to a callback decides nothing,
        # so a run ends the same whatever it records.
        self.values_decide = stopping.target is not None or step_rule is not None
        self.x, self.fx, self.g = x, np.full(x.shape[:-1], np.nan), None
        self.fx_at = -1  # the iteration whose value fx is
        self.i = 0  # the iteration of x: updates made so far
        self.at = 0  # the iteration whose point the user's code is being called at
        self.stopped_by_callback = False
        # What an iteration must do beyond step, value and gradient, decided once: the common
        # run has none of it, and at a few microseconds per step every test shows.
        self.shapes_step = step_rule is not None or box is not None
        self.looks_on = reporter is not None or callback is not None
        # A method that evaluates another point than it takes gradients at (schedule-free,
        # Lookahead, SAM): values, records and the result are at that point, and a stopped
        # start's state is held with its point, so the point it shows stays where it stopped.
        two_points = type(optimizer).evaluation_point is not Optimizer.evaluation_point
        self.evaluated = optimizer.evaluation_point if two_points else None

    def execute(self) -> Result:
        try:
            self._start()
            self._iterate()
            self._final_value()
        except UserFunctionError as error:
            if self.raise_errors:
                raise error.original from None
            self.run.stop_all(self.i, Status.ERROR, f"{error} at iteration {self.at}")
            self._record_the_end()
        except KeyboardInterrupt:
            self.run.stop_all(self.i, Status.STOPPED, f"interrupted after iteration {self.i}")
            self._record_the_end()
            raise Interrupted(self._result()) from None
        return self._result()

    def _start(self) -> None:
        self.x.flags.writeable = False
        self.state = self.initial_state
        if self.state is None:
            self.state = self.optimizer.init(self.x)
        self.fx, self.fx_at = self.evaluate.value(self._shown(self.x)), 0
        self.run.stop(~np.isfinite(self.fx), 0, Status.DIVERGED, "non-finite value at the start")
        self._check_target()
        self.g = self.evaluate.gradient(self.x, self.i)

    def _shown(self, x: np.ndarray) -> np.ndarray:
        """The point users evaluate at the runner's iterate ``x`` (``x`` itself for most)."""
        if self.evaluated is None:
            return x
        shown = np.asarray(self.evaluated(x, self.state))
        shown.flags.writeable = False
        return shown

    def _iterate(self) -> None:
        """Step until the last iteration, or until every start has stopped.

        Each pass reads top to bottom: the tests at ``x`` (gradient tolerance, last iteration?)
        and its record; the update to ``x_new``; at ``x_new`` the value when due, the finite test
        and the stopped starts held where they were; the value target, the trace and the
        callback; the gradient at ``x_new``. This is the hot loop of a small run, so what it
        reads often is kept in locals, and what a run does beyond step, value and gradient was
        decided once in ``__init__``.
        """
        run, stopping, recorder = self.run, self.stopping, self.recorder
        step, value, gradient = self.optimizer.step, self.evaluate.value, self.evaluate.gradient
        n_iter, every = self.n_iter, self.value_every
        record_every = None if recorder is None else recorder.every
        plain_record = self.evaluate.rounds is None and self.step_rule is None
        add = None if recorder is None else recorder.add
        has_gtol, has_ftol = stopping.gtol is not None, stopping.ftol is not None
        while True:
            # at x, iteration i: the gradient test, whether this is the last iteration, the record
            i = self.i
            if has_gtol:
                self._converge_on_gradient()
            last = i == n_iter or self.stopped_by_callback or not run.any_active()
            if record_every is not None and (last or i % record_every == 0):
                if plain_record and self.fx_at == i:
                    add(i, self._shown(self.x), self.fx, self.g)
                else:
                    self._record()
            if last:
                return
            # the update (shaped by the step rule and the box, where there are)
            x, fx, state = self.x, self.fx, self.state
            x_new, self.state = step(x, self.g, state)
            if self.shapes_step:
                x_new = self._shaped(x, x_new)
            x_new.flags.writeable = False
            # at x_new, iteration i + 1; `at` names it in the message should the user's code raise
            i = self.at = i + 1
            f_new = None
            if every == 1 or (every is not None and (i % every == 0 or i == n_iter)):
                f_new = value(self._shown(x_new))
            self.i = i
            deciding = f_new if self.values_decide else None
            if not all_finite(deciding, x_new):
                mark_diverged(run, deciding, self.g, x_new, i)
            if not run.all_active:
                x_new, f_new = held(run.active, x_new, f_new, x, fx)
                if self.evaluated is not None:
                    self.state = held_state(run.active, self.state, state)
            self.x, self.g = x_new, None
            if f_new is not None:
                self.fx, self.fx_at = f_new, i
            # the value target, the trace and the callback, then the gradient for the next pass
            if has_ftol:
                self._check_target()
            if self.looks_on:
                self._report_and_call_back()
            self.g = gradient(x_new, i)

    def _converge_on_gradient(self) -> None:
        stopping, i = self.stopping, self.i
        g = self.g if self.box is None else self.x - np.clip(self.x - self.g, *self.box)
        met = norm(g) <= stopping.gtol
        self.run.stop(met, i, Status.CONVERGED, stopping.converged_on_gradient(i))

    def _record(self) -> None:
        if self.fx_at != self.i:
            self._current_value()
        self.recorder.add(self.i, self._shown(self.x), self.fx, self.g, self._regret(),
                          self._step())  # fmt: skip

    def _step(self) -> np.ndarray | None:
        """The step that led to the current point (NaN at the start), when a rule picks it."""
        if self.step_rule is None:
            return None
        if self.last_step is None:
            return np.full(self.x.shape[:-1], np.nan)
        return self.last_step

    def _current_value(self) -> None:
        """Make ``fx`` the value at ``x`` if it is older (a run that skips values)."""
        if self.fx_at != self.i:
            self.fx, self.fx_at = self.evaluate.value(self._shown(self.x)), self.i

    def _regret(self) -> np.ndarray | None:
        rounds = self.evaluate.rounds
        return None if rounds is None else rounds.regret

    def _shaped(self, x: np.ndarray, x_new: np.ndarray) -> np.ndarray:
        """The step rule's choice along the proposed update, then the projection on the box."""
        if self.step_rule is not None:
            x_new, self.state, self.last_step = apply_rule(self, x, x_new)
        if self.box is not None:
            x_new = np.clip(x_new, self.box[0], self.box[1])
        return x_new

    def _report_and_call_back(self) -> None:
        if self.reporter is not None:
            self.reporter.iteration(self.i - 1, self._shown(self.x), self.fx)
        if self.callback is not None:
            info = IterationInfo(self.i, self._shown(self.x), self.fx, self.run.active)
            answer = call_user("callback", self.callback, info)
            self.stopped_by_callback = wants_stop(answer)

    def _check_target(self) -> None:
        target = self.stopping.target
        if target is not None:
            message = f"f - f* <= {self.stopping.ftol:g} at iteration {self.i}"
            self.run.stop(self.fx <= target, self.i, Status.CONVERGED, message)

    def _final_value(self) -> None:
        """The value at the end; a start that ends at a non-finite value has diverged, even
        one that met the gradient tolerance there."""
        self._current_value()
        self.run.diverge_where(~np.isfinite(self.fx), self.i)

    def _record_the_end(self) -> None:
        """Record where an unfinished run ended, unless that row is recorded already."""
        recorder = self.recorder
        if recorder is not None and recorder.last_iteration != self.i:
            g = self.g if self.g is not None else np.full(self.x.shape, np.nan)
            recorder.add(self.i, self._shown(self.x), self.fx, g, self._regret(), self._step())

    def _result(self) -> Result:
        self.run.finish(self.i, self.stopped_by_callback)
        g = self.g if self.g is not None else np.full(self.x.shape, np.nan)
        path, path_fun, path_grad_norm, path_iter, path_regret = (
            (None, None, None, np.zeros(0, dtype=int), None)
            if self.recorder is None
            else self.recorder.arrays()
        )
        path_step = None if self.recorder is None else self.recorder.steps()
        shown = self.x if self.evaluated is None or not hasattr(self, "state") else \
            np.array(self._shown(self.x))  # fmt: skip
        return Result(
            x=_writable(shown),
            fun=np.asarray(self.fx),
            grad_norm=norm(g),
            nit=self.run.nit,
            status=self.run.status,
            message=self.run.message,
            path=path,
            path_fun=path_fun,
            path_grad_norm=path_grad_norm,
            path_iter=path_iter,
            record_starts=None if self.recorder is None else self.recorder.starts,
            nfev=self.evaluate.nfev,
            njev=self.evaluate.njev,
            time=0.0,
            regret=self._regret(),
            path_regret=path_regret,
            state=getattr(self, "state", None),
            optimizer=self.optimizer.name,
            path_step=path_step,
        )


def _writable(x: np.ndarray) -> np.ndarray:
    """``x`` writable again for the caller (the run is over), or a copy where it is a view."""
    try:
        x.flags.writeable = True
    except ValueError:
        return x.copy()
    return x
