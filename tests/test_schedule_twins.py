"""Every schedule against its optax and PyTorch twins: 1,000 steps, relative error <= 1e-12.

descentlab's ``t`` counts updates from 1; optax's ``count`` and the number of PyTorch
``scheduler.step()`` calls count from 0: ours at ``t`` is theirs at ``t - 1``.
"""

import numpy as np
import pytest

from descentlab.schedules import (
    CosineDecay,
    ExponentialDecay,
    Join,
    LinearDecay,
    OneCycle,
    PiecewiseConstant,
    StepDecay,
    Warmup,
)

optax = pytest.importorskip("optax")
torch = pytest.importorskip("torch")
jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)

STEPS = 1000
T = np.arange(1, STEPS + 1)


def ours(schedule, steps=STEPS):
    return np.array([schedule(int(t)) for t in range(1, steps + 1)], dtype=float)


def from_optax(schedule, steps=STEPS):
    return np.array([float(schedule(count)) for count in range(steps)])


def from_torch(make, steps=STEPS, lr=1.0):
    """The learning rate before each of ``steps`` updates, PyTorch's scheduler stepping after."""
    parameter = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([parameter], lr=lr)
    scheduler = make(optimizer)
    rates = []
    for _ in range(steps):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return np.array(rates)


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=0)


def test_step_decay():
    schedule = StepDecay(0.1, rate=0.5, every=100)
    close(ours(schedule), from_optax(optax.exponential_decay(0.1, 100, 0.5, staircase=True)))
    close(ours(schedule), from_torch(lambda o: torch.optim.lr_scheduler.StepLR(o, 100, 0.5),
                                     lr=0.1))  # fmt: skip


def test_piecewise_constant():
    schedule = PiecewiseConstant(0.1, boundaries=(200, 500, 800), scales=(0.1, 0.1, 0.1))
    twin = optax.piecewise_constant_schedule(0.1, {200: 0.1, 500: 0.1, 800: 0.1})
    close(ours(schedule), from_optax(twin))
    steps = torch.optim.lr_scheduler.MultiStepLR
    close(ours(schedule), from_torch(lambda o: steps(o, [200, 500, 800], 0.1), lr=0.1))


def test_linear_decay():
    schedule = LinearDecay(0.1, final=0.01, steps=600)
    close(ours(schedule), from_optax(optax.linear_schedule(0.1, 0.01, 600)))
    close(ours(schedule), from_torch(lambda o: torch.optim.lr_scheduler.LinearLR(
        o, start_factor=1.0, end_factor=0.1, total_iters=600), lr=0.1))  # fmt: skip


def test_cosine_decay():
    schedule = CosineDecay(0.1, steps=STEPS, final=0.001)
    close(ours(schedule), from_optax(optax.cosine_decay_schedule(0.1, STEPS, alpha=0.01)))
    close(ours(schedule), from_torch(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(
        o, T_max=STEPS, eta_min=0.001), lr=0.1))  # fmt: skip
    # after its steps it holds the floor, as optax does (PyTorch would climb back up)
    assert CosineDecay(0.1, steps=10, final=0.001)(50) == 0.001


def test_warmup_then_cosine():
    schedule = Warmup(CosineDecay(0.1, steps=STEPS - 100, final=0.001), steps=100, start=0.002)
    twin = optax.warmup_cosine_decay_schedule(0.002, 0.1, 100, STEPS, end_value=0.001)
    close(ours(schedule), from_optax(twin))
    close(ours(schedule), from_torch(lambda o: torch.optim.lr_scheduler.SequentialLR(o, [
        torch.optim.lr_scheduler.LinearLR(o, start_factor=0.02, end_factor=1.0, total_iters=100),
        torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=STEPS - 100, eta_min=0.001),
    ], milestones=[100]), lr=0.1))  # fmt: skip


def test_one_cycle():
    schedule = OneCycle(0.1, steps=STEPS, pct_start=0.3)
    cycle = torch.optim.lr_scheduler.OneCycleLR
    close(ours(schedule), from_torch(lambda o: cycle(o, max_lr=0.1, total_steps=STEPS,
                                                     pct_start=0.3, cycle_momentum=False),
                                     lr=0.1))  # fmt: skip
    twin = optax.cosine_onecycle_schedule(STEPS - 1, 0.1, (0.3 * STEPS - 1) / (STEPS - 1))
    close(ours(schedule), from_optax(twin))


def test_join_and_exponential():
    schedule = Join((LinearDecay(0.1, 0.05, 300), ExponentialDecay(0.05, rate=0.99)), (300,))
    twin = optax.join_schedules([optax.linear_schedule(0.1, 0.05, 300),
                                 optax.exponential_decay(0.05, 1, 0.99)], [300])  # fmt: skip
    close(ours(schedule), from_optax(twin))


def test_array_initial_values_run_many_settings():
    schedule = CosineDecay(np.array([0.1, 0.2]), steps=100)
    assert schedule(51).tolist() == [0.05, 0.1]


def test_a_momentum_schedule_and_the_command_line(capsys, tmp_path):
    import descentlab as dl
    from descentlab.cli import main

    momentum = LinearDecay(0.95, 0.85, 20)
    optimizer = dl.Momentum(step_size=0.1, momentum=momentum)
    result = dl.minimize(dl.get_function("sphere", dim=2), optimizer, n_iter=40, seed=0)
    x, change = result.path[0].copy(), 0.0
    for t in range(1, 41):  # the tutorial's update with the scheduled momentum
        change = 0.1 * (2 * x) + momentum(t) * change
        x = x - change
    assert result.x.tolist() == x.tolist()
    assert momentum(21) == 0.85 and momentum(1) == 0.95
    with pytest.raises(ValueError, match=r"momentum.final must be in \[0, 1\)"):
        dl.Momentum(momentum=LinearDecay(0.9, 1.5, 10))
    assert main(["schedules", "--plot", str(tmp_path / "all.png")]) == 0
    assert "CosineAnnealingLR" in capsys.readouterr().out
    assert (tmp_path / "all.png").stat().st_size > 10_000
    code = main(["run", "gd", "-f", "sphere", "--n-iter", "50", "--schedule", "cosine",
                 "--decay-steps", "50", "--warmup", "60", "-q"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "warmup must be shorter than the run (50 iterations)" in err
    code = main(["run", "gd", "-f", "sphere", "--seed", "0", "--n-iter", "50", "--schedule",
                 "one-cycle", "--decay-steps", "50", "--json", "-", "-q"])  # fmt: skip
    assert code == 0
    assert '"schedule": "OneCycle"' in capsys.readouterr().out


def test_cli_piecewise(capsys):
    from descentlab.cli import main

    code = main(["run", "gd", "-f", "sphere", "--seed", "0", "--n-iter", "30", "--schedule",
                 "piecewise", "--boundaries", "10,20", "--scales", "0.5,0.5", "--json", "-",
                 "-q"])  # fmt: skip
    assert code == 0 and '"PiecewiseConstant"' in capsys.readouterr().out
    for args, message in [
        (["--boundaries", "10"], "--boundaries needs --schedule"),
        (["--schedule", "piecewise"], "needs boundaries and scales"),
        (["--schedule", "piecewise", "--boundaries", "10,20", "--scales", "0.5"], "pair up"),
        (["--schedule", "cosine", "--boundaries", "10", "--scales", "0.5"], "belong to"),
    ]:
        assert main(["run", "gd", "-f", "sphere", "-q", *args]) == 2
        assert message in capsys.readouterr().err
