"""The training stacks people put the bridges in, each run as its users run it (issue #34):
PyTorch's schedulers that cycle momentum or start from lr = 0, copies and pickles of the
optimizer, state dicts read by ``torch.load``'s default; flax.nnx, ``optax.inject_hyperparams``
and optax's schedules. The compiled PyTorch path is held equal to the eager one (slow: each
optimizer compiles once, seconds on a cold cache)."""

from __future__ import annotations

import copy
import io
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import descentlab as dl
from tests.test_adapters import relative_gap, torch_training

torch = pytest.importorskip("torch")


def ours(update, **options):
    from descentlab.torch import Optimizer

    return lambda params: Optimizer(params, update, **options)


def test_one_cycle_with_cycled_momentum_equals_torch_adam():
    """OneCycleLR's default cycle_momentum=True cycles group["betas"][0]: the bridge takes
    PyTorch's name for beta1 and follows it, as torch.optim.Adam does."""

    def one_cycle(optimizer):
        return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.05, total_steps=60)

    mine = torch_training(ours(dl.Adam(1e-3)), 60, scheduler=one_cycle)
    twin = torch_training(lambda p: torch.optim.Adam(p, 1e-3), 60, scheduler=one_cycle)
    assert relative_gap(mine, twin) <= 1e-12
    assert not np.allclose(mine[-1], mine[0])


def test_schedule_free_takes_pytorch_momentum_and_groups_keep_both_names():
    from descentlab.torch import Optimizer

    net = torch.nn.Linear(3, 2)
    optimizer = Optimizer(net.parameters(), dl.ScheduleFreeSGD(0.1))
    group = optimizer.param_groups[0]
    assert group["momentum"] == group["beta"] == 0.9
    group["momentum"] = 0.5
    net(torch.ones(1, 3)).sum().backward()
    optimizer.step()
    assert group["beta"] == 0.5 and group["momentum"] == 0.5
    adam = Optimizer(net.parameters(), dl.Adam(1e-3, beta1=0.8))
    assert adam.param_groups[0]["betas"] == (0.8, 0.999)
    with pytest.raises(ValueError, match="give beta1 as 'betas' or 'beta1'"):
        Optimizer([{"params": net.parameters(), "betas": (0.7, 0.9), "beta1": 0.6}], dl.Adam())


def test_warm_up_from_zero_and_cosine_to_zero_equal_torch():
    """lr = 0 means "do not move", as in PyTorch: a linear warm-up from 0, and
    CosineAnnealingLR (eta_min = 0) reaching 0 at T_max."""

    def warm_up(optimizer):
        return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min(step / 10, 1.0))

    def cosine(optimizer):
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=20)

    for scheduler in (warm_up, cosine):
        mine = torch_training(ours(dl.Adam(0.01)), 30, scheduler=scheduler)
        twin = torch_training(lambda p: torch.optim.Adam(p, 0.01), 30, scheduler=scheduler)
        assert relative_gap(mine, twin) <= 1e-12
    net = torch.nn.Linear(2, 1)
    optimizer = ours(dl.Adam(0.01))(net.parameters())
    warm_up(optimizer)  # lr = 0 at the first step
    before = net.weight.detach().clone()
    net(torch.ones(1, 2)).sum().backward()
    optimizer.step()
    assert torch.equal(net.weight, before)


@pytest.mark.parametrize("bad", [-0.1, float("nan")])
def test_negative_or_nan_lr_is_refused_at_the_step(bad):
    from descentlab.torch import Optimizer

    net = torch.nn.Linear(2, 1)
    optimizer = Optimizer(net.parameters(), dl.Adam(0.01))
    optimizer.param_groups[0]["lr"] = bad
    net(torch.ones(1, 2)).sum().backward()
    before = net.weight.detach().clone()
    with pytest.raises(
        ValueError, match=r"param group 0: the step size \(alpha, lr\) must be >= 0"
    ):
        optimizer.step()
    assert torch.equal(net.weight, before)


def test_a_tensor_lr_is_read_as_a_number():
    mine = torch_training(ours(dl.Adam(0.01)), 20)

    def tensor_lr(params):
        optimizer = ours(dl.Adam(0.5))(params)
        optimizer.param_groups[0]["lr"] = torch.tensor(0.01, dtype=torch.float64)
        return optimizer

    assert relative_gap(torch_training(tensor_lr, 20), mine) == 0.0


def _trained(update):
    from descentlab.torch import Optimizer

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    optimizer = Optimizer(net.parameters(), update)
    _train(net, optimizer, 3)
    return net, optimizer


def _train(net, optimizer, steps):
    generator = torch.Generator().manual_seed(1)
    x, y = torch.randn(16, 4, generator=generator), torch.randint(0, 3, (16,), generator=generator)
    for _ in range(steps):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(net(x), y).backward()
        optimizer.step()
    return torch.cat([p.detach().reshape(-1) for p in net.parameters()])


@pytest.mark.parametrize("duplicate", ["deepcopy", "pickle"])
def test_a_copied_optimizer_continues_as_the_original(duplicate):
    net, optimizer = _trained(dl.Adam(0.01))
    if duplicate == "deepcopy":
        twin_net, twin = copy.deepcopy((net, optimizer))
    else:
        twin_net, twin = pickle.loads(pickle.dumps((net, optimizer)))
    assert torch.equal(_train(twin_net, twin, 3), _train(net, optimizer, 3))


@pytest.mark.parametrize(
    "update",
    [
        dl.Adam(alpha=dl.ExponentialDecay(0.01, 0.9)),
        dl.Lookahead(dl.Adam(0.01), k=2),
    ],
    ids=["schedule", "wrapper"],
)
def test_state_dict_loads_with_torch_load_default_and_resumes_bit_for_bit(update):
    from descentlab.torch import Optimizer

    net, optimizer = _trained(update)
    buffer = io.BytesIO()
    torch.save({"model": net.state_dict(), "optimizer": optimizer.state_dict()}, buffer)
    buffer.seek(0)
    saved = torch.load(buffer)  # weights_only=True, the default since torch 2.6
    torch.manual_seed(5)
    resumed_net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    resumed_net.load_state_dict(saved["model"])
    resumed = Optimizer(resumed_net.parameters(), update)
    resumed.load_state_dict(saved["optimizer"])
    assert torch.equal(_train(resumed_net, resumed, 3), _train(net, optimizer, 3))


def test_an_array_step_size_survives_torch_load_default():
    from descentlab.torch import Optimizer

    rows = np.array([0.01, 0.02, 0.03])
    weight = torch.nn.Parameter(torch.ones(3, 2))
    optimizer = Optimizer([weight], dl.Adam(alpha=rows))
    weight.grad = torch.ones(3, 2)
    optimizer.step()
    buffer = io.BytesIO()
    torch.save(optimizer.state_dict(), buffer)
    buffer.seek(0)
    again = Optimizer([torch.nn.Parameter(torch.ones(3, 2))], dl.Adam(alpha=rows))
    again.load_state_dict(torch.load(buffer))
    assert np.array_equal(again.param_groups[0]["alpha"], rows)


# --- optax -----------------------------------------------------------------------------------


def test_flax_nnx_optimizer_trains_a_model_with_submodules_as_optax_adam():
    jnp = pytest.importorskip("jax.numpy")
    optax = pytest.importorskip("optax")
    nnx = pytest.importorskip("flax.nnx")
    import descentlab.optax

    class MLP(nnx.Module):
        def __init__(self, rngs):
            self.hidden = nnx.Linear(4, 8, rngs=rngs)
            self.out = nnx.Linear(8, 3, rngs=rngs)

        def __call__(self, x):
            return self.out(jnp.tanh(self.hidden(x)))

    x, y = jnp.linspace(-1, 1, 64).reshape(16, 4), jnp.arange(16) % 3

    def losses(transformation):
        model = MLP(nnx.Rngs(0))
        optimizer = nnx.Optimizer(model, transformation, wrt=nnx.Param)

        @nnx.jit
        def step(model, optimizer):
            loss_of = lambda m: optax.softmax_cross_entropy_with_integer_labels(m(x), y).mean()  # noqa: E731
            loss, grads = nnx.value_and_grad(loss_of)(model)
            optimizer.update(model, grads)
            return loss

        return np.array([float(step(model, optimizer)) for _ in range(10)])

    mine = losses(descentlab.optax.transform(dl.Adam(0.01)))
    np.testing.assert_allclose(mine, losses(optax.adam(0.01)), rtol=1e-5)
    assert mine[-1] < mine[0]


def test_inject_hyperparams_under_jit_equals_optax_adam():
    jax = pytest.importorskip("jax")
    optax = pytest.importorskip("optax")
    import descentlab.optax

    params = {"w": jax.numpy.ones((3, 2)), "b": jax.numpy.zeros(2)}

    def run(transformation, name):
        state, current, path = transformation.init(params), params, []
        for k in range(6):
            grads = jax.tree.map(lambda p: jax.numpy.sin(p + k), current)  # noqa: B023
            state.hyperparams[name] = jax.numpy.asarray(0.1 / (k + 1))
            updates, state = jax.jit(transformation.update)(grads, state, current)
            current = optax.apply_updates(current, updates)
            path.append(np.concatenate([np.ravel(v) for v in jax.tree.leaves(current)]))
        return np.array(path)

    mine = run(optax.inject_hyperparams(descentlab.optax.alias("adam"))(alpha=0.1), "alpha")
    twin = run(optax.inject_hyperparams(optax.adam)(learning_rate=0.1), "learning_rate")
    np.testing.assert_allclose(mine, twin, rtol=1e-6)


def test_optax_schedules_as_the_step_size_equal_optax_adam():
    jax = pytest.importorskip("jax")
    optax = pytest.importorskip("optax")
    import descentlab.optax as dlo

    schedule = optax.warmup_cosine_decay_schedule(0.0, 0.1, 3, 12)
    params = jax.numpy.array([1.0, -2.0, 0.5])

    def run(transformation):
        state, x, path = transformation.init(params), params, []
        for _ in range(12):
            updates, state = jax.jit(transformation.update)(2 * x, state, x)
            x = optax.apply_updates(x, updates)
            path.append(np.asarray(x))
        return np.array(path)

    twin = run(optax.adam(schedule))
    np.testing.assert_allclose(run(dlo.transform(dl.Adam(alpha=dlo.schedule(schedule)))), twin,
                               rtol=1e-6)  # fmt: skip
    injected = optax.inject_hyperparams(dlo.alias("adam"))(alpha=schedule)
    np.testing.assert_allclose(run(injected), twin, rtol=1e-6)


def test_optax_tree_utilities_see_the_count_and_the_parameters():
    jnp = pytest.importorskip("jax.numpy")
    optax = pytest.importorskip("optax")
    import descentlab.optax

    params = {"w": jnp.ones((3, 2)), "b": jnp.zeros(2)}
    transformation = descentlab.optax.transform(dl.Adam(0.1))
    state = transformation.init(params)
    assert int(optax.tree.get(state, "count")) == 0
    cast = optax.tree_utils.tree_map_params(transformation, lambda p: p.astype(jnp.bfloat16), state)
    assert cast.count.dtype == jnp.int32
    assert {str(leaf.dtype) for leaf in jax_leaves(cast.fields)} == {"bfloat16"}


def jax_leaves(tree):
    import jax

    return jax.tree.leaves(tree)


# --- the compiled PyTorch step ---------------------------------------------------------------


COMPILED = [
    dl.Adam(0.01),
    dl.Nadam(0.01),
    dl.Momentum(0.05, buffer="gradient"),
    dl.Lion(1e-3),
    dl.ScheduleFreeAdamW(0.01),
    # read together: the group as one structured vector
    dl.Muon(0.02),
    dl.Adafactor(0.01),
    dl.Prodigy(),
    dl.LAMB(0.01),
]


@pytest.mark.slow
@pytest.mark.parametrize("update", COMPILED, ids=lambda u: u.name)
def test_compiled_step_equals_the_eager_one_under_a_scheduler_without_recompiling(update):
    from torch._dynamo.utils import counters

    def halving(optimizer):
        return torch.optim.lr_scheduler.StepLR(optimizer, 5, 0.5)

    torch_training(ours(update, compile=True), 6)  # compiled here, at a constant lr
    graphs = counters["stats"]["unique_graphs"]
    compiled = torch_training(ours(update, compile=True), 30, scheduler=halving)
    assert counters["stats"]["unique_graphs"] == graphs  # lr changed 5 times: no new graph
    eager = torch_training(ours(update), 30, scheduler=halving)
    assert relative_gap(compiled, eager) <= 1e-13
    assert not np.allclose(compiled[-1], compiled[0])


@pytest.mark.slow
@pytest.mark.parametrize("update", [dl.Adam(0.01), dl.Adafactor(0.01)], ids=lambda u: u.name)
def test_the_compiled_step_of_large_parameters_equals_the_eager_one(update, monkeypatch):
    """Large parameters hoist powers of numbers out of the loop (an opaque operation): every
    parameter counts as large here, so that path runs on the small network."""
    from descentlab.adapters import _torch_compiled

    monkeypatch.setattr(_torch_compiled, "LARGE", 0)
    compiled = torch_training(ours(update, compile=True), 12)
    assert relative_gap(compiled, torch_training(ours(update), 12)) <= 1e-13


def test_optimizers_with_periodic_work_step_eagerly_under_compile():
    """SOAP's refresh every few steps would run at every step if traced with the step count
    as a tensor (4.4x slower than eager, measured): the compiled bridge leaves it eager."""
    from descentlab.adapters._torch_compiled import compilable

    assert compilable(dl.Adam(), joint=False) and compilable(dl.Lookahead(dl.Adam()), False)
    for periodic in (dl.SOAP(), dl.Shampoo(), dl.Lookahead(dl.SOAP())):
        assert not compilable(periodic, joint=False)


@pytest.mark.slow
def test_compiled_and_eager_states_load_into_each_other():
    from descentlab.torch import Optimizer

    net, eager = _trained(dl.Adam(0.01))
    twin_net = copy.deepcopy(net)
    compiled = Optimizer(twin_net.parameters(), dl.Adam(0.01), compile=True)
    compiled.load_state_dict(saved(eager))  # saved and read: a state dict shares the tensors
    after = _train(twin_net, compiled, 4)
    assert torch.allclose(after, _train(net, eager, 4), rtol=1e-6, atol=0)
    back = Optimizer(net.parameters(), dl.Adam(0.01))
    back.load_state_dict(saved(compiled))
    assert back.state[next(net.parameters())]["count"].dtype == torch.float64


def saved(optimizer):
    buffer = io.BytesIO()
    torch.save(optimizer.state_dict(), buffer)
    buffer.seek(0)
    return torch.load(buffer)


@pytest.mark.slow
def test_without_a_compiler_the_compiled_path_runs_eagerly():
    code = (
        "import torch, descentlab as dl, descentlab.torch as dt\n"
        "p = torch.nn.Parameter(torch.ones(3)); o = dt.Optimizer([p], dl.Adam(0.1), compile=True)\n"
        "for _ in range(3):\n    p.grad = torch.ones(3); o.step()\n"
        "print(round(float(p[0]), 6))\n"
    )
    env = {**os.environ, "TORCHDYNAMO_DISABLE": "1"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=300, check=True)  # fmt: skip
    assert done.stdout.strip() == "0.7"
