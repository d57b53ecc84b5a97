"""Problems whose unknowns are matrices, and the matrix-aware optimizers running on them.

The gradients are held to finite differences, the minima to the problems' construction, and
a batch of starts of Muon, SOAP and Adafactor to each start stepped by hand with the problem's
structure (so the runner really passes the blocks on).
"""

import numpy as np
import pytest

import descentlab as dl
from descentlab._structure import Structure

MATRIX_PROBLEMS = ["matrix-least-squares", "matrix-factorization", "matrix-sensing"]


def central_differences(f, x, h=1e-6):
    out = np.empty_like(x)
    for i in range(x.shape[-1]):
        e = np.zeros(x.shape[-1])
        e[i] = h
        out[..., i] = (f(x + e) - f(x - e)) / (2 * h)
    return out


@pytest.mark.parametrize("name", MATRIX_PROBLEMS)
def test_gradients_are_the_derivatives(name):
    problem = dl.get_function(name)
    x = np.random.RandomState(0).uniform(-0.7, 0.7, size=(2, problem.dim))
    numeric = central_differences(problem.f, x)
    exact = problem.gradient(x)
    assert np.max(np.abs(exact - numeric)) <= 1e-6 * max(1.0, np.max(np.abs(exact)))
    # one point alone is the same as in the batch
    np.testing.assert_allclose(problem.gradient(x[1]), exact[1], rtol=1e-12, atol=1e-14)


def test_least_squares_has_its_minimum_at_the_planted_matrix():
    problem = dl.get_function("matrix-least-squares", rows=6, cols=4, examples=12, kappa=50.0)
    assert problem.structure == Structure.of([("W", (6, 4))])
    w_star = problem.minimizers[0]
    assert problem.f(w_star) == pytest.approx(0.0, abs=1e-20)
    assert np.max(np.abs(problem.gradient(w_star))) < 1e-12
    steps = np.eye(problem.dim) * 1e-4
    columns = [(problem.gradient(w_star + e) - problem.gradient(w_star - e)) / 2e-4 for e in steps]
    hessian = np.linalg.eigvalsh(np.column_stack(columns))
    assert hessian.max() / hessian.min() == pytest.approx(50.0, rel=1e-6)


@pytest.mark.parametrize("name", ["matrix-factorization", "matrix-sensing"])
def test_factorizations_reach_zero_at_the_planted_factors(name):
    """f = 0 where U V^T is the planted matrix, so the known minimum 0 is attained."""
    problem = dl.get_function(name, rows=5, cols=4, rank=2, seed=3)
    result = dl.minimize(problem, dl.Adam(0.02), n_iter=4000, seed=0, record="none")
    assert problem.minimum == 0.0 and result.fun < 1e-10


def test_bad_sizes_name_themselves():
    with pytest.raises(ValueError, match="examples must be >= rows"):
        dl.get_function("matrix-least-squares", rows=10, examples=5)
    with pytest.raises(ValueError, match="rank must be a whole number >= 1, not 0"):
        dl.get_function("matrix-factorization", rank=0)
    with pytest.raises(ValueError, match="kappa must be a finite number >= 1"):
        dl.get_function("matrix-least-squares", kappa=0.5)
    with pytest.raises(ValueError, match="structure has 6 coordinates"):
        dl.Problem(lambda x: x.sum(-1), bounds=[(-1, 1)] * 5, structure=[("W", (2, 3))])
    with pytest.raises(TypeError, match=r"structure must be a dl\.Structure or"):
        dl.Problem(lambda x: x.sum(-1), bounds=[(-1, 1)] * 5, structure="W")


@pytest.mark.parametrize("optimizer", [dl.Muon(0.05, fallback=None), dl.SOAP(0.01),
                                       dl.Adafactor(0.02), dl.LAMB(0.01)],
                         ids=lambda o: o.name)  # fmt: skip
@pytest.mark.parametrize("name", ["matrix-factorization", "deep-mlp-digits"])
def test_a_batch_steps_each_block_as_the_optimizer_alone(optimizer, name):
    kwargs = {"hidden": 6, "depth": 2} if name == "deep-mlp-digits" else {}
    problem = dl.get_function(name, **kwargs)
    if name == "deep-mlp-digits" and optimizer.name == "muon":
        optimizer = dl.Muon(0.05)  # the biases need the fallback
    result = dl.minimize(problem, optimizer, n_iter=12, seed=1, starts=3, record="all")
    bound = optimizer.bound(problem.structure)
    for k in range(3):
        x = result.path[0][k]
        state = bound.init(x)
        for _ in range(12):
            x, state = bound.step(x, problem.gradient(x), state)
        np.testing.assert_allclose(result.x[k], x, rtol=1e-10, atol=1e-12)
    # without the structure (one vector) the run is another one (Muon's is AdamW's)
    if optimizer.name == "muon":
        optimizer = dl.Muon(0.05)
    flat = dl.minimize(dl.Problem(problem.f, problem.grad, bounds=problem.bounds,
                                  vectorized=True), optimizer, n_iter=12, seed=1, starts=3,
                       record="none")  # fmt: skip
    assert np.max(np.abs(flat.x - result.x)) > 1e-6


def test_muon_without_a_fallback_refuses_a_problem_with_vectors_in_one_line():
    problem = dl.get_function("mlp-digits", hidden=4)
    with pytest.raises(ValueError, match=r"blocks \['b1', 'b2'\] of this problem are not"):
        dl.minimize(problem, dl.Muon(fallback=None), n_iter=2, seed=0)


def test_a_deep_network_backpropagates_as_torch():
    torch = pytest.importorskip("torch")
    from descentlab.problems.stochastic.network import backpropagation, loss, network

    rng = np.random.RandomState(0)
    a, y = rng.normal(size=(40, 5)), rng.randint(0, 3, size=40)
    problem = network("small", a, y, hidden=4, l2=1e-3, depth=3)
    assert [b.name for b in problem.structure.blocks] == [
        "W1", "b1", "W2", "b2", "W3", "b3", "W4", "b4"]  # fmt: skip
    x = rng.normal(size=problem.dim) * 0.8
    onehot = np.eye(3)[y]
    ours = backpropagation(x, problem.features, onehot, problem.shapes, 1e-3)
    weights = torch.tensor(x, requires_grad=True)
    h, start = torch.tensor(problem.features), 0
    for k, block in enumerate(problem.structure.blocks):
        part = weights[start : start + block.size].reshape(block.shape)
        start += block.size
        h = h @ part if k % 2 == 0 else h + part
        if k % 2 == 1 and k < len(problem.structure.blocks) - 1:
            h = torch.tanh(h)
    value = torch.nn.functional.cross_entropy(h, torch.tensor(y)) + 0.5e-3 * (weights**2).sum()
    value.backward()
    assert abs(loss(x, problem.features, onehot, problem.shapes, 1e-3) - value.item()) < 1e-12
    assert np.max(np.abs(ours - weights.grad.numpy())) <= 1e-12 * np.max(np.abs(ours))
