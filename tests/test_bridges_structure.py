"""The optimizers since 2018 through the bridges, on real models, against their twins.

Muon, Adafactor and SOAP step each weight as a matrix inside a PyTorch training loop and an
optax one; Prodigy's estimate and SAM's norm run over every parameter; the schedule-free
methods' two points are reached by ``eval()``/``train()`` (PyTorch) and ``eval_params``
(optax). Every case trains a small network full-batch in float64 and compares every step's
weights with the twin's to 1e-10 (the agreement the bridges' other tests use).
"""

from unittest import mock

import numpy as np
import pytest

import descentlab as dl
from tests.test_adapters import agreement, jax_network, jax_training, torch_training
from tests.test_twins import same_dtype_newton_schulz

torch = pytest.importorskip("torch")
optax = pytest.importorskip("optax")
jax = pytest.importorskip("jax")
STEPS = 60


def square_network(nudge: float = 0.0):
    """Square weights (6 x 6) whose gradients are full rank: SOAP's eigenbases are defined."""
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 6),
                              torch.nn.Tanh(), torch.nn.Linear(6, 3)).double()  # fmt: skip
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(1 + nudge)
    return net


def muon_and_adamw(params):
    """torch.optim.Muon on the matrices, torch.optim.AdamW on the rest: PyTorch's pairing."""
    params = list(params)
    muon = torch.optim.Muon([p for p in params if p.ndim == 2], lr=0.02, weight_decay=0.1)
    adamw = torch.optim.AdamW([p for p in params if p.ndim != 2], lr=0.02, weight_decay=0.1)

    class Both:
        def zero_grad(self):
            muon.zero_grad()
            adamw.zero_grad()

        def step(self):
            muon.step()
            adamw.step()

    return Both()


def torch_cases():
    import prodigyopt
    import pytorch_optimizer as po

    return [
        ("muon-pytorch", lambda p: dl.MuonPyTorch(0.02, weight_decay=0.1), muon_and_adamw, None),
        ("adafactor", lambda p: dl.Adafactor(0.05, weight_decay=0.01),
         lambda p: torch.optim.Adafactor(p, lr=0.05, weight_decay=0.01), None),
        ("soap", lambda p: dl.SOAP(0.01, weight_decay=0.01, frequency=100),
         lambda p: po.SOAP(p, lr=0.01, weight_decay=0.01, precondition_frequency=100),
         square_network),
        ("prodigy", lambda p: dl.Prodigy(d_coef=0.5),
         lambda p: prodigyopt.Prodigy(p, d_coef=0.5, use_bias_correction=True), None),
    ]  # fmt: skip


@pytest.mark.parametrize("case", torch_cases(), ids=lambda c: c[0])
def test_torch_bridge_steps_each_weight_as_its_twin(case):
    from descentlab.torch import Optimizer

    _, ours, twin, network = case
    make = network or (lambda nudge=0.0: None)

    def run(optimizer, nudge=0.0):
        with mock.patch("torch.optim._muon._zeropower_via_newtonschulz",
                        same_dtype_newton_schulz):  # fmt: skip
            return torch_training(optimizer, STEPS, nudge=nudge, net=make(nudge))

    mine = run(lambda p: Optimizer(p, ours(p)))
    native = run(twin)
    assert not np.allclose(mine[-1], mine[0])
    agreement(mine, native, lambda: run(lambda p: Optimizer(p, ours(p)), 1e-15),
              lambda: run(twin, 1e-15))  # fmt: skip


def test_torch_eval_and_train_switch_schedule_free_points_as_schedulefree():
    import schedulefree

    from descentlab.torch import Optimizer

    def run(make):
        x, y = (
            torch.randn(64, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(1)),
            torch.randint(0, 3, (64,), generator=torch.Generator().manual_seed(2)),
        )
        net = square_network()
        optimizer = make(net.parameters())
        optimizer.train()
        points = []
        for _ in range(20):
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()
            optimizer.eval()
            points.append(torch.cat([p.detach().reshape(-1) for p in net.parameters()]).numpy())
            optimizer.train()
        return np.array(points)

    ours = run(lambda p: Optimizer(p, dl.ScheduleFreeAdamW(0.01, weight_decay=0.01)))
    twin = run(lambda p: schedulefree.AdamWScheduleFreeReference(p, lr=0.01, weight_decay=0.01))
    assert np.max(np.abs(ours - twin)) <= 1e-12 * np.max(np.abs(twin))


def test_torch_bridge_refuses_what_a_joint_group_cannot_do():
    from descentlab.torch import Optimizer

    net = square_network()
    optimizer = Optimizer(net.parameters(), dl.Muon())
    next(net.parameters()).grad = torch.ones(6, 4, dtype=torch.float64)
    with pytest.raises(RuntimeError, match="parameter 1 has no gradient"):
        optimizer.step()
    with pytest.raises(ValueError, match="must be numbers, not arrays"):
        Optimizer(net.parameters(), dl.LAMB(alpha=np.array([0.1, 0.2])))
    optimizer.eval()
    with pytest.raises(RuntimeError, match=r"call optimizer.train\(\) before step\(\)"):
        optimizer.step()


@pytest.mark.slow  # 9 s: jit of Muon and LAMB through optax (CI runs it)
def test_optax_bridge_muon_and_lamb_as_optax_and_schedule_free_eval_params():
    from descentlab.optax import eval_params, transform

    for ours, native in [(dl.Muon(0.02, weight_decay=0.01),
                          optax.contrib.muon(0.02, weight_decay=0.01)),
                         (dl.LAMB(0.01, weight_decay=0.01), optax.lamb(0.01, weight_decay=0.01)),
                         (dl.Prodigy(weight_decay=0.01),
                          optax.contrib.prodigy(weight_decay=0.01))]:  # fmt: skip
        mine, twin = jax_training(transform(ours), STEPS), jax_training(native, STEPS)
        assert not np.allclose(mine[-1], mine[0])
        agreement(mine, twin, lambda o=ours: jax_training(transform(o), STEPS, nudge=1e-15),
                  lambda n=native: jax_training(n, STEPS, nudge=1e-15))  # fmt: skip

    params = jax_network()
    grads = jax.tree.map(lambda p: 0.1 * jax.numpy.sin(p), params)
    for tx, ours in [(optax.contrib.schedule_free_adamw(0.01), dl.ScheduleFreeAdamW(0.01))]:
        mine, twin = transform(ours), tx
        s1, s2, p1, p2 = mine.init(params), twin.init(params), params, params
        for _ in range(5):
            u1, s1 = mine.update(grads, s1, p1)
            u2, s2 = twin.update(grads, s2, p2)
            p1, p2 = optax.apply_updates(p1, u1), optax.apply_updates(p2, u2)
        a = eval_params(ours, s1, p1)
        b = optax.contrib.schedule_free_eval_params(s2, p2)
        for key in params:
            np.testing.assert_allclose(a[key], b[key], rtol=1e-12, atol=1e-14)


def test_scipy_method_passes_a_structure_to_a_matrix_method():
    from scipy.optimize import minimize

    from descentlab.scipy import method

    problem = dl.get_function("matrix-least-squares", rows=6, cols=4, examples=12)
    found = minimize(problem.f, np.zeros(24), jac=problem.grad,
                     method=method("muon", n_iter=50, step_size=0.05, fallback=None,
                                   structure=[("W", (6, 4))]))  # fmt: skip
    alone = dl.minimize(problem, dl.Muon(0.05, fallback=None), n_iter=50, x0=np.zeros(24))
    np.testing.assert_array_equal(found.x, alone.x)
    with pytest.raises(ValueError, match="muon updates matrices"):
        minimize(problem.f, np.zeros(24), jac=problem.grad,
                 method=method("muon", n_iter=5, fallback=None))  # fmt: skip
