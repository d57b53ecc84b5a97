"""Experiment 9: the edge of stability, the seeds' step-size lesson inside a network.

On a quadratic, gradient descent at step size ``eta`` is stable only while the curvature
stays below ``2 / eta`` (experiment 1). Cohen et al. (2021) found that full-batch gradient
descent on a network does not stay below it: the sharpness (the top Hessian eigenvalue) rises
during training until it reaches ``2 / eta`` ("progressive sharpening") and then hovers just
above it while the loss keeps falling, non-monotonically ("the edge of stability").

The design trains ``mlp-digits`` (32 tanh units, Glorot's start, seed 0) by full-batch
gradient descent at several step sizes in one batch, on the two losses Cohen et al. use:
half the squared error to the one-hot targets (their main setting) and cross-entropy. The
sharpness is measured every few steps by Lanczos on Hessian-vector products (differences of
backpropagated gradients; held to a dense Hessian in the tests). For each run the checks ask
from its data: does ``eta * sharpness / 2`` reach 0.9 after the first steps, does it stay
within ``[0.9, 1.1]`` for 80% of the measurements after that, and is the loss lower at the end
than when the edge was reached?
"""

from __future__ import annotations

import numpy as np

import descentlab as dl
from descentlab.experiments._base import Check, Experiment, Finding, Progress
from descentlab.landscape import sharpness_along

#: Step sizes per loss: from where ``2 / eta`` lies above the start's sharpness (about 7.7
#: with the squared error, 1.0 with cross-entropy) to several times below it.
STEP_SIZES = {"squared-error": (0.25, 0.3, 0.4, 0.5), "cross-entropy": (2.0, 4.0, 8.0, 16.0)}
QUICK_STEP_SIZES = {"squared-error": (0.4,), "cross-entropy": (8.0,)}
#: The band around 2 / eta that counts as "at the edge", and the share of measurements that
#: must stay in it.
BAND, STAYS = (0.9, 1.1), 0.8


def run(quick: bool, progress: Progress) -> Finding:
    steps, every = (600, 30) if quick else (4000, 100)
    sizes = QUICK_STEP_SIZES if quick else STEP_SIZES
    progress.plan(2 * len(sizes))
    checks, rows, curves = [], [], {}
    for loss, etas in sizes.items():
        problem = dl.get_function("mlp-digits", loss=loss)
        etas = np.asarray(etas)
        start = np.tile(dl.uniform_starts(problem.bounds, 1, 0), (len(etas), 1))
        result = dl.minimize(problem, dl.GradientDescent(step_size=etas), n_iter=steps,
                             x0=start, record=every)  # fmt: skip
        progress.advance(f"gradient descent on the {loss} loss")
        result = sharpness_along(problem, result, iterations=20)
        progress.advance(f"sharpness along the {loss} runs")
        for k, eta in enumerate(etas):
            ratio = result.path_sharpness[:, k, 0] * eta / 2
            row = _edge(ratio, result.path_fun[:, k], result.status[k], result.path_iter)
            rows.append({"loss": loss, "step size": float(eta), "2 / eta": 2 / float(eta),
                         **row})  # fmt: skip
            curves[(loss, float(eta))] = (result.path_iter, ratio, result.path_fun[:, k])
        checks += _checks(loss, [r for r in rows if r["loss"] == loss])
    design = (
        f"mlp-digits (32 tanh units, l2=1e-4, Glorot start seed 0), full-batch gradient descent "
        f"for {steps} steps at step sizes {dict((k, list(v)) for k, v in sizes.items())}, one "
        f"batch per loss; sharpness every {every} steps by 20 Lanczos iterations on Hessian-"
        f"vector products (differences of gradients). At the edge: eta * sharpness / 2 in "
        f"[{BAND[0]}, {BAND[1]}] for {STAYS:.0%} of the measurements after reaching {BAND[0]}."
    )
    return EXPERIMENT.finding(design=design, quick=quick, checks=checks,
                              numbers={"runs": rows}, data={"curves": curves})  # fmt: skip


def _edge(ratio: np.ndarray, loss: np.ndarray, status: str, steps: np.ndarray) -> dict:
    """Where a run's ``eta * sharpness / 2`` first reaches the band (past the start), how much
    of the rest stays in it, and the loss then and at the end."""
    measured = np.flatnonzero(np.isfinite(ratio))
    later = measured[measured > 0]  # the start's curvature is the initialization's, not learnt
    reached = later[ratio[later] >= BAND[0]]
    nan = float("nan")
    row = {"status": str(status), "start ratio": float(ratio[0]),
           "lowest ratio": float(np.nanmin(ratio[1:])) if later.size else nan,
           "largest ratio": float(np.nanmax(ratio[1:])) if later.size else nan,
           "final ratio": float(ratio[measured[-1]]) if measured.size else nan}  # fmt: skip
    if status == "diverged" or not reached.size:
        return {**row, "reached at": None, "share in band": 0.0, "loss then": None,
                "final loss": float(loss[-1])}  # fmt: skip
    first = int(reached[0])
    after = ratio[first:][np.isfinite(ratio[first:])]
    inside = np.mean((after >= BAND[0]) & (after <= BAND[1]))
    return {**row, "reached at": int(steps[first]), "share in band": float(inside),
            "loss then": float(loss[first]), "final loss": float(loss[-1])}  # fmt: skip


def _checks(loss: str, rows: list[dict]) -> list[Check]:
    """Progressive sharpening (every run's sharpness ends at least 10% above its lowest after
    the start, or reaches the edge) and the edge itself (every run that reaches 2/eta stays
    in the band while the loss falls; none reaching is no support)."""
    rising = [r["reached at"] is not None or r["final ratio"] >= 1.1 * r["lowest ratio"]
              for r in rows if r["status"] != "diverged"]  # fmt: skip
    reached = [r for r in rows if r["reached at"] is not None]
    at_edge = [r["share in band"] >= STAYS and r["final loss"] < r["loss then"] for r in reached]
    return [
        Check(f"with the {loss} loss, the sharpness rises during training at every step size",
              bool(rising) and all(rising) and len(rising) == len(rows), _evidence(rows)),
        Check(f"with the {loss} loss, once at 2/eta the sharpness stays there while the loss "
              "falls", bool(reached) and all(at_edge), _evidence(reached) if reached else
              "no run reached 0.9 x 2/eta"),
    ]  # fmt: skip


def _evidence(rows: list[dict]) -> str:
    return "; ".join(
        f"eta={r['step size']:g}: " + (
            "diverged" if r["status"] == "diverged" else
            f"eta*sharpness/2 lowest {r['lowest ratio']:.3g}, largest {r['largest ratio']:.3g}, "
            f"final {r['final ratio']:.3g}, " + (
                "never reached 0.9" if r["reached at"] is None else
                f"reached 0.9 at step {r['reached at']}, {r['share in band']:.0%} of the "
                f"measurements after in band, loss {r['loss then']:.3g} -> {r['final loss']:.3g}"))
        for r in rows)  # fmt: skip


def draw(finding: Finding):
    import matplotlib.pyplot as plt

    curves = finding.data["curves"]
    losses = list(dict.fromkeys(loss for loss, _ in curves))
    figure, axes = plt.subplots(2, len(losses), figsize=(5.4 * len(losses), 7.2),
                                layout="constrained", squeeze=False, sharex="col")  # fmt: skip
    for column, loss in enumerate(losses):
        top, bottom = axes[0, column], axes[1, column]
        for k, ((name, eta), (steps, ratio, values)) in enumerate(
                (key, value) for key, value in curves.items() if key[0] == loss):  # fmt: skip
            color = plt.get_cmap("viridis")(k / max(1, len(STEP_SIZES[name]) - 1))
            seen = np.isfinite(ratio)
            top.plot(steps[seen], ratio[seen], ".-", color=color, label=f"eta = {eta:g}")
            bottom.semilogy(steps, values, color=color)
        top.axhline(1.0, color="black", linestyle="--", linewidth=1, label="2 / eta")
        top.axhspan(*BAND, color="0.85", zorder=0)
        top.set(title=f"{loss} loss", ylabel="eta x sharpness / 2")
        top.legend(fontsize="small")
        bottom.set(xlabel="step", ylabel="training loss")
        for ax in (top, bottom):
            ax.grid(True, alpha=0.3)
    figure.suptitle("Full-batch gradient descent on mlp-digits: the sharpness against 2 / eta")
    return figure


EXPERIMENT = Experiment(
    name="edge-of-stability",
    title="The edge of stability",
    claim="Under full-batch gradient descent at step size eta, a network's sharpness rises "
    "until it reaches 2/eta and then hovers at it while the loss keeps falling.",
    source="Cohen, Kaur, Li, Kolter & Talwalkar, ICLR 2021, 'Gradient Descent on Neural "
    "Networks Typically Occurs at the Edge of Stability' (Figure 1; Appendix on cross-entropy)",
    run=run,
    draw=draw,
)
