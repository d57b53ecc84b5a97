"""descentlab's optimizers in PyTorch, optax and SciPy: each adapter trains a small network (or
minimizes a function) exactly as its native twin does, in float64.

A path is compared step by step. Where it does not amplify rounding, every step agrees to 1e-10;
where it does (a 1e-15 nudge of the start moves the adapter's path, or its twin's, by more than
1e-12 at some step), the two must agree until the nudge itself shows, as tests/test_engines.py
does for the two engines. Both twins are nudged: one uniform nudge of the start can excite one
implementation's rounding far less than the other's (centered RMSProp on an AMD EPYC: at step 146
the adapter's nudged path had moved 1e-12, PyTorch's 8e-11).
"""

from __future__ import annotations

import io

import numpy as np
import pytest

import descentlab as dl
from tests.test_references import OPTAX_CASES, TORCH_CASES, torch_float64

torch = pytest.importorskip("torch")
STEPS = 200
RTOL = 1e-10


def agreement(ours, native, nudged_ours, nudged_native) -> None:
    """``ours`` and ``native`` (weights per step) agree to RTOL at every step, or, where the
    path amplifies rounding, at every step before a nudged path (either twin from a start moved
    by 1e-15, made by ``nudged_ours()`` and ``nudged_native()``) shows the nudge (moves by more
    than 1e-12)."""
    gaps = [relative_gap(a, b) for a, b in zip(ours, native, strict=True)]
    if max(gaps) <= RTOL:
        return
    departures = [departure(nudged_ours(), ours), departure(nudged_native(), native)]
    departs = min(d for d in departures if d is not None)  # none: the path is tame
    assert departs > 0
    assert max(gaps[:departs]) <= RTOL, (departs, max(gaps[:departs]))


def departure(nudged, path) -> int | None:
    """The first step at which ``nudged`` is more than 1e-12 from ``path`` (None: never)."""
    own = [relative_gap(a, b) for a, b in zip(nudged, path, strict=True)]
    return next((k for k, gap in enumerate(own) if gap > 1e-12), None)


def relative_gap(a, b) -> float:
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


# --- PyTorch -------------------------------------------------------------------------------------


def torch_network(nudge: float = 0.0):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    net = net.double()
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(1 + nudge)
    return net


def torch_data():
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(64, 4, dtype=torch.float64, generator=generator)
    y = torch.randint(0, 3, (64,), generator=generator)
    return x, y


def torch_training(make_optimizer, steps: int = STEPS, nudge: float = 0.0, net=None,
                   scheduler=None):  # fmt: skip
    """The flat weights after every step of full-batch training of a 4-8-3 tanh network."""
    x, y = torch_data()
    net = net or torch_network(nudge)
    optimizer = make_optimizer(net.parameters())
    schedule = None if scheduler is None else scheduler(optimizer)
    path = []
    with torch_float64():
        for _ in range(steps):
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()
            if schedule is not None:
                schedule.step()
            path.append(torch.cat([p.detach().reshape(-1) for p in net.parameters()]).numpy())
    return np.array(path)


#: Every case's update is held to its twin step by step in tests/test_references.py (default
#: run); the whole training through the bridge runs for these there, for all under -m slow
#: (the others' paths amplify rounding, so their check trains twice more: ~10 s each).
QUICK_TORCH = {"adam", "adam-options", "nadam", "rmsprop", "nesterov", "adadelta",
               "amsgrad-pytorch", "adagrad-options", "radam-options", "adamax-options"}  # fmt: skip


def torch_cases():
    for case in TORCH_CASES:
        marks = () if case.id in QUICK_TORCH else pytest.mark.slow
        yield pytest.param(case, marks=marks, id=case.id)


@pytest.mark.parametrize("case", list(torch_cases()))
def test_torch_adapter_trains_as_torch_optim(case):
    from descentlab.torch import Optimizer

    ours = torch_training(lambda params: Optimizer(params, case.ours))
    native = torch_training(case.reference)
    assert not np.allclose(ours[-1], ours[0])
    agreement(ours, native,
              lambda: torch_training(lambda params: Optimizer(params, case.ours), nudge=1e-15),
              lambda: torch_training(case.reference, nudge=1e-15))  # fmt: skip


@pytest.mark.parametrize(
    ("ours", "native"),
    [
        (lambda b: dl.Momentum(0.05, 0.9, buffer=b), lambda p: torch.optim.SGD(p, 0.05, 0.9)),
        (lambda b: dl.Nesterov(0.05, 0.9, buffer=b),
         lambda p: torch.optim.SGD(p, 0.05, 0.9, nesterov=True)),
    ],
    ids=["momentum", "nesterov"],
)  # fmt: skip
def test_torch_momentum_with_a_scheduler_follows_pytorch_with_a_gradient_buffer(ours, native):
    """The finding: with lr changed every step, the tutorial's form (the step size inside the
    buffer) ended 0.13 away from torch.optim.SGD after 50 steps. buffer='gradient' is PyTorch's
    form and equals it; the tutorial's form differs and says so when lr first changes."""
    from descentlab.torch import Optimizer, StepsInBufferWarning

    def decaying(optimizer):
        return torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.95)

    twin = torch_training(native, 50, scheduler=decaying)
    gradients = torch_training(lambda p: Optimizer(p, ours("gradient")), 50, scheduler=decaying)
    assert relative_gap(gradients, twin) <= 1e-12
    with pytest.warns(StepsInBufferWarning, match="buffer='gradient' for PyTorch's form"):
        steps = torch_training(lambda p: Optimizer(p, ours("step")), 50, scheduler=decaying)
    assert relative_gap(steps, twin) > 1e-3
    constant = torch_training(lambda p: Optimizer(p, ours("step")), 50)
    assert relative_gap(constant, torch_training(native, 50)) <= 1e-12


def test_torch_param_groups_carry_their_own_hyperparameters():
    from descentlab.torch import Optimizer

    def groups(params):
        params = list(params)
        return [{"params": params[:2], "alpha": 0.05, "beta1": 0.8}, {"params": params[2:]}]

    def native_groups(params):
        params = list(params)
        return [{"params": params[:2], "lr": 0.05, "betas": (0.8, 0.999)}, {"params": params[2:]}]

    ours = torch_training(lambda p: Optimizer(groups(p), dl.Adam(alpha=0.01)))
    native = torch_training(lambda p: torch.optim.Adam(native_groups(p), lr=0.01))
    assert np.max(np.abs(ours - native)) <= RTOL * np.max(np.abs(native))
    # lr is the step size's other name: a group may give either
    by_lr = torch_training(lambda p: Optimizer([{"params": list(p), "lr": 0.05}], dl.Adam()))
    by_alpha = torch_training(lambda p: Optimizer([{"params": list(p), "alpha": 0.05}], dl.Adam()))
    assert np.array_equal(by_lr, by_alpha)


def test_torch_state_dict_resumes_bit_for_bit():
    from descentlab.torch import Optimizer

    straight = torch_training(lambda p: Optimizer(p, dl.AMSGrad(alpha=0.01)), steps=2 * 50)
    net = torch_network()
    first = Optimizer(net.parameters(), dl.AMSGrad(alpha=0.01))
    torch_training(lambda p: first, steps=50, net=net)
    saved = io.BytesIO()
    torch.save({"model": net.state_dict(), "optimizer": first.state_dict()}, saved)
    saved.seek(0)
    loaded = torch.load(saved, weights_only=False)
    again = torch_network(nudge=0.5)  # other weights, until the saved ones are loaded
    again.load_state_dict(loaded["model"])
    second = Optimizer(again.parameters(), dl.AMSGrad(alpha=0.01))
    second.load_state_dict(loaded["optimizer"])
    rest = torch_training(lambda p: second, steps=50, net=again)
    assert np.array_equal(rest[-1], straight[-1])
    assert all(s["count"] == 100 for s in second.state.values())


def test_torch_closures_and_lr_schedulers():
    from descentlab.torch import Optimizer

    x, y = torch_data()
    net = torch_network()
    optimizer = Optimizer(net.parameters(), dl.Adam(alpha=0.01))

    def closure():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(x), y)
        loss.backward()
        return loss

    first = optimizer.step(closure)
    assert isinstance(first, torch.Tensor) and first.item() > optimizer.step(closure).item()

    def halving(optimizer):
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=20, gamma=0.5)

    ours = torch_training(lambda p: Optimizer(p, dl.Adam(alpha=0.02)), 60, scheduler=halving)
    native = torch_training(lambda p: torch.optim.Adam(p, lr=0.02), 60, scheduler=halving)
    assert np.max(np.abs(ours - native)) <= RTOL * np.max(np.abs(native))


def test_torch_follows_a_descentlab_schedule_and_refuses_a_second_one():
    from descentlab.torch import Optimizer

    schedule = dl.schedules.CosineDecay(0.05, steps=30, final=0.001)
    ours = torch_training(lambda p: Optimizer(p, dl.Adam(alpha=schedule)), steps=30)
    native = torch_training(lambda p: torch.optim.Adam(p, lr=0.05), steps=30)
    assert not np.allclose(ours[-1], native[-1])  # the schedule did something
    net = torch_network()
    optimizer = Optimizer(net.parameters(), dl.Adam(alpha=schedule))
    assert optimizer.param_groups[0]["lr"] == 0.05
    optimizer.param_groups[0]["lr"] = 0.01  # what a scheduler would do
    x, y = torch_data()
    torch.nn.functional.cross_entropy(net(x), y).backward()
    with pytest.raises(ValueError, match="follows a descentlab schedule: use one or the other"):
        optimizer.step()


def test_torch_float32_parameters_stay_float32_and_per_row_steps():
    from descentlab.torch import Optimizer

    layer = torch.nn.Linear(3, 4)  # float32
    per_row = np.array([0.0, 0.1, 0.0, 0.2]) + 1e-12  # one step size per output unit
    optimizer = Optimizer([{"params": [layer.weight], "step_size": per_row}], dl.GradientDescent())
    before = layer.weight.detach().clone()
    layer.weight.grad = torch.ones_like(layer.weight)
    optimizer.step()
    assert layer.weight.dtype == torch.float32
    moved = (before - layer.weight.detach())[:, 0].numpy()
    assert np.allclose(moved, per_row, rtol=1e-6)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda p: __import__("descentlab.torch").torch.Optimizer(p, dl.Adam), TypeError,
         "not the class Adam: add the parentheses"),
        (lambda p: __import__("descentlab.torch").torch.Optimizer(p, torch.optim.Adam), TypeError,
         "must be a descentlab optimizer"),
        (lambda p: __import__("descentlab.torch").torch.Optimizer(
            [{"params": list(p), "lr": 0.1, "alpha": 0.2}], dl.Adam()), ValueError,
         "not both with different values"),
        (lambda p: __import__("descentlab.torch").torch.Optimizer(
            [{"params": list(p), "momentum": 0.9}], dl.Adam()), ValueError,
         "adam has no hyperparameter 'momentum'"),
        (lambda p: __import__("descentlab.torch").torch.Optimizer(
            [{"params": list(p), "beta1": 1.5}], dl.Adam()), ValueError,
         "param group 0: beta1 must be in [0, 1)"),
        (lambda p: __import__("descentlab.torch").torch.Optimizer(
            [{"params": list(p), "alpha": np.ones(5) * 1e-3}], dl.Adam()), ValueError,
         "must broadcast to its leading dimensions"),
    ],
)  # fmt: skip
def test_torch_bad_input_is_one_clear_error(make, error, message):
    with pytest.raises(error, match=__import__("re").escape(message)):
        make(torch_network().parameters())


def test_torch_refuses_integer_parameters_sparse_gradients_and_foreign_states():
    from descentlab.torch import Optimizer

    with pytest.raises(TypeError, match=r"floating-point parameters, not torch\.int64"):
        Optimizer([torch.zeros(3, dtype=torch.int64)], dl.Adam())
    embedding = torch.nn.Embedding(10, 3, sparse=True).double()
    optimizer = Optimizer(embedding.parameters(), dl.Adam())
    embedding(torch.tensor([1, 2])).sum().backward()
    with pytest.raises(RuntimeError, match="does not update sparse gradients"):
        optimizer.step()
    net = torch_network()
    theirs = torch.optim.Adam(net.parameters())
    torch_training(lambda p: theirs, steps=2, net=net)
    ours = Optimizer(net.parameters(), dl.Adam())
    with pytest.raises(ValueError, match="saved by another optimizer"):
        ours.load_state_dict(theirs.state_dict())
    nadam = Optimizer(net.parameters(), dl.Nadam())
    torch_training(lambda p: nadam, steps=2, net=net)
    with pytest.raises(ValueError, match=r"saved by descentlab's nadam, not by .* with adam"):
        ours.load_state_dict(nadam.state_dict())


# --- optax ---------------------------------------------------------------------------------------

jax = pytest.importorskip("jax")
optax = pytest.importorskip("optax")
jnp = jax.numpy
jax.config.update("jax_enable_x64", True)
#: The default run checks these; -m slow checks every optax twin.
QUICK_OPTAX = {"adam", "amsgrad-optax", "amsgrad-paper", "nesterov", "rmsprop", "adagrad", "adamw"}


def jax_network(nudge: float = 0.0):
    rng = np.random.RandomState(0)
    shapes = {"w1": (4, 8), "b1": (8,), "w2": (8, 3), "b2": (3,)}
    return {k: jnp.asarray(rng.normal(size=s) * 0.5 * (1 + nudge)) for k, s in shapes.items()}


def jax_loss(params, x, y):
    hidden = jnp.tanh(x @ params["w1"] + params["b1"])
    logits = hidden @ params["w2"] + params["b2"]
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


def jax_training(transformation, steps: int = STEPS, nudge: float = 0.0):
    rng = np.random.RandomState(1)
    x, y = jnp.asarray(rng.normal(size=(64, 4))), jnp.asarray(rng.randint(0, 3, 64))
    params = jax_network(nudge)

    def step(carry, _):
        params, state = carry
        grads = jax.grad(jax_loss)(params, x, y)
        updates, state = transformation.update(grads, state, params)
        params = optax.apply_updates(params, updates)
        return (params, state), jnp.concatenate([v.ravel() for v in jax.tree.leaves(params)])

    _, path = jax.lax.scan(step, (params, transformation.init(params)), None, length=steps)
    return np.asarray(path)


def optax_cases():
    for case in OPTAX_CASES:
        marks = () if case.id in QUICK_OPTAX else pytest.mark.slow
        yield pytest.param(case, marks=marks, id=case.id)


@pytest.mark.parametrize("case", list(optax_cases()))
def test_optax_adapter_trains_as_optax(case):
    from descentlab.optax import transform

    ours = jax_training(transform(case.ours))
    native = jax_training(case.reference)
    assert not np.allclose(ours[-1], ours[0])
    agreement(ours, native, lambda: jax_training(transform(case.ours), nudge=1e-15),
              lambda: jax_training(case.reference, nudge=1e-15))  # fmt: skip


def test_optax_chains_and_keeps_float32():
    from descentlab.optax import transform

    clipped = optax.chain(optax.clip_by_global_norm(0.1), transform(dl.Adam(alpha=0.01)))
    native = optax.chain(optax.clip_by_global_norm(0.1), optax.adam(0.01))
    ours, theirs = jax_training(clipped, steps=50), jax_training(native, steps=50)
    assert np.max(np.abs(ours - theirs)) <= RTOL * np.max(np.abs(theirs))
    params = {"w": jnp.ones((3, 2), dtype=jnp.float32)}
    tx = transform(dl.AMSGrad(alpha=0.1))
    state = tx.init(params)
    updates, state = jax.jit(tx.update)({"w": jnp.full((3, 2), 0.5, jnp.float32)}, state, params)
    assert updates["w"].dtype == jnp.float32
    assert all(leaf.dtype in (jnp.float32, jnp.int32) for leaf in jax.tree.leaves(state))


def test_optax_bad_input():
    from descentlab.optax import transform

    with pytest.raises(TypeError, match="not the class AdamW: add the parentheses"):
        transform(dl.AdamW)
    tx = transform(dl.AdamW(weight_decay=0.1))
    params = {"w": jnp.ones(3)}
    with pytest.raises(ValueError, match="weight_decay needs the parameters"):
        tx.update(params, tx.init(params))
    plain = transform(dl.Adam())
    updates, _ = plain.update(params, plain.init(params))  # no weight decay: no params needed
    assert np.allclose(updates["w"], -1e-3)


def test_optax_array_hyperparameters_fit_each_leaf_and_keep_its_shape():
    """One value per row, as the PyTorch bridge takes them: a (3,) step size fits a (3, 4) leaf
    (each row its own), and is refused for a (3,) or (5,) leaf instead of reshaping it."""
    from descentlab.optax import transform

    rows = np.array([0.1, 0.2, 0.3])
    tx = transform(dl.GradientDescent(step_size=rows))
    params = {"w": jnp.ones((3, 4))}
    updates, _ = tx.update({"w": jnp.ones((3, 4))}, tx.init(params), params)
    assert updates["w"].shape == (3, 4)
    np.testing.assert_allclose(updates["w"], -np.repeat(rows[:, None], 4, axis=1), rtol=1e-15)
    for bad in ({"a": jnp.ones(3)}, {"a": jnp.ones(5), "w": jnp.ones((3, 4))}):
        with pytest.raises(ValueError, match=r"parameter \['a'\] of shape \(\d,\): array "
                           r"hyperparameters \(step_size \(3,\)\) must broadcast"):  # fmt: skip
            tx.init(bad)


def test_optax_refuses_complex_leaves():
    from descentlab.optax import transform

    tx = transform(dl.Adam(alpha=0.1))
    with pytest.raises(TypeError, match=r"parameter \['c'\] is complex128: .* real"):
        tx.init({"c": jnp.array([1 + 1j, 2 - 1j]), "r": jnp.ones(2)})


# --- SciPy ---------------------------------------------------------------------------------------

so = pytest.importorskip("scipy.optimize")


def rosen_problem():
    return dl.Problem(so.rosen, so.rosen_der, vectorized=False)


def test_scipy_method_equals_descentlab_minimize():
    import descentlab.scipy

    chosen = descentlab.scipy.method("adam", n_iter=3000, alpha=0.05)
    found = so.minimize(so.rosen, [-1.0, 1.0], jac=so.rosen_der,
                                    method=chosen, tol=1e-6)  # fmt: skip
    ours = dl.minimize(rosen_problem(), dl.Adam(alpha=0.05), n_iter=3000, x0=[-1.0, 1.0],
                       tol=1e-6, record="none")  # fmt: skip
    assert isinstance(found, so.OptimizeResult)
    assert np.array_equal(found.x, ours.x) and found.fun == float(ours.fun)
    assert (found.nit, found.nfev, found.njev) == (int(ours.nit), ours.nfev, ours.njev)
    assert found.success and found.status == 0 and found.message == str(ours.message)
    assert np.allclose(found.jac, so.rosen_der(found.x))
    limited = so.minimize(so.rosen, [-1.0, 1.0], method=chosen,
                                      jac=so.rosen_der, options={"maxiter": 10})  # fmt: skip
    assert limited.nit == 10 and limited.status == 1 and not limited.success


def test_scipy_method_takes_jac_true_no_jac_bounds_and_callbacks():
    import descentlab.scipy

    chosen = descentlab.scipy.method("gd", n_iter=200, step_size=1e-3)
    both = so.minimize(lambda x: (so.rosen(x),
                                              so.rosen_der(x)),
                                   [-1.0, 1.0], jac=True, method=chosen)  # fmt: skip
    given = so.minimize(so.rosen, [-1.0, 1.0],
                                    jac=so.rosen_der, method=chosen)  # fmt: skip
    assert np.array_equal(both.x, given.x)
    differences = so.minimize(so.rosen, [-1.0, 1.0], method=chosen)
    assert np.allclose(differences.x, given.x, rtol=1e-6)
    boxed = so.minimize(so.rosen, [-1.0, 1.0], method=chosen,
                                    jac=so.rosen_der,
                                    bounds=[(-0.5, 0.5), (None, None)])  # fmt: skip
    assert -0.5 <= boxed.x[0] <= 0.5
    seen = []

    def stop_after_five(intermediate_result):
        seen.append(intermediate_result.x)
        if len(seen) == 5:
            raise StopIteration

    stopped = so.minimize(so.rosen, [-1.0, 1.0], method=chosen,
                                      jac=so.rosen_der, callback=stop_after_five)  # fmt: skip
    assert stopped.status == 99 and stopped.nit == 5 and len(seen) == 5
    xs = []
    so.minimize(so.rosen, [-1.0, 1.0], method=chosen,
                            jac=so.rosen_der, callback=xs.append)  # fmt: skip
    assert len(xs) == 200 and np.array_equal(xs[-1], given.x)


def test_scipy_method_bad_input_and_errors_propagate():
    import descentlab.scipy

    with pytest.raises(ValueError, match="optimizer must be one of"):
        descentlab.scipy.method("sgd9000")
    with pytest.raises(ValueError, match="alpha must be finite and > 0"):
        descentlab.scipy.method("adam", alpha=-1)
    chosen = descentlab.scipy.method("adam")
    with pytest.raises(ValueError, match=r"options\['maxiter'\] must be a whole number >= 0"):
        so.minimize(so.rosen, [0.0, 0.0], method=chosen, options={"maxiter": -1})
    with pytest.raises(ValueError, match=r"options\['maxfun'\] must be a whole number >= 1"):
        so.minimize(so.rosen, [0.0, 0.0], method=chosen, options={"maxfun": 0})
    with pytest.raises(ValueError, match="do not take constraints"):
        so.minimize(so.rosen, [0.0, 0.0], method=chosen,
                                constraints=[{"type": "eq", "fun": lambda x: x[0]}])  # fmt: skip

    def broken(x):
        raise ZeroDivisionError("inside fun")

    with pytest.raises(ZeroDivisionError, match="inside fun"):
        so.minimize(broken, [0.0, 0.0], jac=lambda x: x, method=chosen)


def test_scipy_maxiter_zero_makes_no_update():
    import descentlab.scipy

    chosen = descentlab.scipy.method("adam", n_iter=500, alpha=0.05)
    found = so.minimize(so.rosen, [-1.0, 1.0], jac=so.rosen_der, method=chosen,
                        options={"maxiter": 0})  # fmt: skip
    assert found.nit == 0 and found.x.tolist() == [-1.0, 1.0] and found.fun == so.rosen([-1, 1])
    assert found.status == 1 and not found.success and (found.nfev, found.njev) == (1, 1)
    np.testing.assert_array_equal(found.jac, so.rosen_der(np.array([-1.0, 1.0])))


def counted(function, counts, key):
    def call(x):
        counts[key] += 1
        return function(x)

    return call


def test_scipy_nfev_and_njev_count_the_calls():
    """As SciPy counts them: calls of fun and of jac; with jac=True, calls of fun (each
    answering both); without jac, every call of fun and every gradient estimated."""
    import descentlab.scipy

    chosen = descentlab.scipy.method("adam", n_iter=300, alpha=0.05)
    counts = {"both": 0, "f": 0, "g": 0, "fd": 0}
    both = counted(lambda x: (so.rosen(x), so.rosen_der(x)), counts, "both")
    found = so.minimize(both, [-1.0, 1.0], jac=True, method=chosen)
    assert found.nfev == found.njev == counts["both"] == 301  # the start and 300 updates
    found = so.minimize(counted(so.rosen, counts, "f"), [-1.0, 1.0], method=chosen,
                        jac=counted(so.rosen_der, counts, "g"))  # fmt: skip
    assert (found.nfev, found.njev) == (counts["f"], counts["g"]) == (2, 301)
    found = so.minimize(counted(so.rosen, counts, "fd"), [-1.0, 1.0], method=chosen,
                        options={"maxiter": 3})  # fmt: skip
    assert found.nfev == counts["fd"] == 2 + 4 * 2 * 2 and found.njev == 4


def test_scipy_options_of_first_order_methods(capsys):
    import descentlab.scipy

    chosen = descentlab.scipy.method("adam", n_iter=5000, alpha=0.05)
    loose = so.minimize(so.rosen, [-1.0, 1.0], jac=so.rosen_der, method=chosen,
                        options={"gtol": 1e-2})  # fmt: skip
    tight = so.minimize(so.rosen, [-1.0, 1.0], jac=so.rosen_der, method=chosen, tol=1e-6)
    assert loose.success and tight.success and loose.nit < tight.nit
    assert np.linalg.norm(loose.jac) <= 1e-2 < np.linalg.norm(so.rosen_der(np.array([-1.0, 1])))
    limited = so.minimize(so.rosen, [-1.0, 1.0], jac=so.rosen_der, method=chosen,
                          options={"maxfun": 40, "disp": True})  # fmt: skip
    assert limited.nfev == 40 and limited.status == 1 and "maxfun" in limited.message
    printed = capsys.readouterr().out
    assert "Function evaluations: 40" in printed and f"Iterations: {limited.nit}" in printed
    every = so.minimize(so.rosen, [-1.0, 1.0], jac=so.rosen_der, method=chosen,
                        options={"maxiter": 4, "return_all": True})  # fmt: skip
    assert len(every.allvecs) == 5 and np.array_equal(every.allvecs[-1], every.x)
    with pytest.warns(so.OptimizeWarning, match="does not use the options c1, norm"):
        so.minimize(so.rosen, [-1.0, 1.0], jac=so.rosen_der, method=chosen,
                    options={"maxiter": 2, "c1": 1e-4, "norm": 2})  # fmt: skip
    with pytest.warns(so.OptimizeWarning, match="Unknown solver options: colour"):
        so.minimize(so.rosen, [-1.0, 1.0], jac=so.rosen_der, method=chosen,
                    options={"maxiter": 2, "colour": "red"})  # fmt: skip


def test_scipy_callback_answer_is_ignored_as_scipy_does():
    import descentlab.scipy

    chosen = descentlab.scipy.method("gd", n_iter=20, step_size=1e-3)
    found = so.minimize(so.rosen, [-1.0, 1.0], jac=so.rosen_der, method=chosen,
                        callback=lambda xk: True)  # fmt: skip
    assert found.nit == 20 and found.status == 1


def test_scipy_tol_with_bounds_converges_on_the_box_edge():
    """The minimum (2, 2) lies outside the box: the constrained minimum (1, 2) sits on its
    edge, where the gradient never vanishes but the projected gradient does."""
    import descentlab.scipy

    chosen = descentlab.scipy.method("gd", n_iter=5000, step_size=0.1)
    found = so.minimize(lambda x: ((x - 2) ** 2).sum(), [0.0, 0.0], jac=lambda x: 2 * (x - 2),
                        method=chosen, bounds=[(-1, 1), (-1, 3)], tol=1e-8)  # fmt: skip
    assert found.success and found.nit < 200 and "projected ||g||" in found.message
    np.testing.assert_allclose(found.x, [1.0, 2.0], atol=1e-8)


# --- the array API: every optimizer on NumPy, JAX and PyTorch inputs --------------------------


@pytest.mark.parametrize("name", list(dl.OPTIMIZERS))
def test_every_optimizer_steps_on_numpy_jax_and_torch_arrays(name):
    """The fixes the adapters needed (a number meeting a tensor in maximum, sqrt of a number):
    every optimizer's own step runs on all three and gives the same numbers."""
    optimizer = dl.get_optimizer(name)
    start = np.array([0.5, -1.2, 2.0])
    ends = {}
    for kind, wrap in (("numpy", np.asarray), ("jax", jnp.asarray),
                       ("torch", lambda a: torch.tensor(a, dtype=torch.float64))):  # fmt: skip
        x = wrap(start)
        state = optimizer.init(x)
        for k in range(5):
            x, state = optimizer.step(x, 2 * x + 0.1 * (k + 1), state)
        ends[kind] = x
    assert isinstance(ends["torch"], torch.Tensor) and ends["torch"].dtype == torch.float64
    assert isinstance(ends["jax"], jax.Array)
    # Shampoo's inverse roots of eps I plus outer products are conditioned ~1e8: the three
    # libraries' solvers agree to ~1e-12 there (tests/test_engines.py says more)
    rtol = 1e-10 if name == "shampoo" else 1e-14
    for kind in ("jax", "torch"):
        assert np.allclose(np.asarray(ends[kind]), ends["numpy"], rtol=rtol, atol=0)
