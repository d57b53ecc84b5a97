"""The neural-network problem: backpropagation by hand equals PyTorch's autograd, and a batch of
networks trains each exactly as it trains alone."""

import numpy as np
import pytest

import descentlab as dl
from descentlab.cli import main
from descentlab.problems.stochastic.network import backpropagation, loss, network, unpack

pytest.importorskip("sklearn")
torch = pytest.importorskip("torch")


def torch_loss(x, a, y, shapes, l2):
    """The same network in PyTorch, from the same flat weights."""
    p, h, c = shapes
    w1, b1, w2, b2 = torch.split(x, [p * h, h, h * c, c])
    hidden = torch.tanh(a @ w1.reshape(p, h) + b1)
    logits = hidden @ w2.reshape(h, c) + b2
    value = torch.nn.functional.cross_entropy(logits, y)
    return value + 0.5 * l2 * (x * x).sum()


@pytest.mark.parametrize("l2", [0.0, 1e-3])
def test_backpropagation_equals_autograd(l2):
    rng = np.random.RandomState(0)
    a, y = rng.normal(size=(50, 7)), rng.randint(0, 4, size=50)
    problem = network("small", a, y, hidden=5, l2=l2)
    shapes = problem.shapes
    weights = rng.normal(size=(3, problem.dim)) * 0.7
    features, onehot = problem.features, np.eye(4)[y]
    ours = backpropagation(weights, features, onehot, shapes, l2)
    values = loss(weights, features, onehot, shapes, l2)
    for k in range(3):
        x = torch.tensor(weights[k], requires_grad=True)
        value = torch_loss(x, torch.tensor(features), torch.tensor(y), shapes, l2)
        value.backward()
        assert abs(values[k] - value.item()) <= 1e-12 * abs(value.item())
        reference = x.grad.numpy()
        assert np.max(np.abs(ours[k] - reference)) <= 1e-10 * np.max(np.abs(reference))
    # the minibatch gradient of examples index (one set per network) is the same formula
    index = rng.randint(0, 50, size=(3, 8))
    batch = problem.batch_gradient(weights, index)
    for k in range(3):
        alone = backpropagation(weights[k], features[index[k]], onehot[index[k]], shapes, l2)
        assert np.allclose(batch[k], alone, rtol=1e-12, atol=0)


@pytest.mark.parametrize("l2", [0.0, 1e-3])
def test_squared_error_backpropagation_equals_autograd(l2):
    rng = np.random.RandomState(1)
    a, y = rng.normal(size=(40, 6)), rng.randint(0, 3, size=40)
    problem = network("small", a, y, hidden=4, l2=l2, depth=2, loss="squared-error")
    weights = rng.normal(size=(2, problem.dim)) * 0.7
    ours = problem.grad(weights)
    for k in range(2):
        x = torch.tensor(weights[k], requires_grad=True)
        parts = unpack(x, problem.shapes)
        out = torch.tensor(problem.features)
        for j in range(0, len(parts) - 2, 2):
            out = torch.tanh(out @ parts[j] + parts[j + 1])
        logits = out @ parts[-2] + parts[-1]
        onehot = torch.nn.functional.one_hot(torch.tensor(y), 3).double()
        value = 0.5 * ((logits - onehot) ** 2).sum(dim=1).mean() + 0.5 * l2 * (x * x).sum()
        value.backward()
        assert problem.f(weights[k]) == pytest.approx(value.item(), rel=1e-12)
        np.testing.assert_allclose(ours[k], x.grad.numpy(), rtol=1e-10, atol=1e-13)
    with pytest.raises(ValueError, match="loss must be one of 'cross-entropy', 'squared-error'"):
        network("small", a, y, hidden=4, l2=l2, loss="hinge")


def test_depth_zero_is_multinomial_logistic_regression():
    rng = np.random.RandomState(2)
    a, y = rng.normal(size=(30, 5)), rng.randint(0, 3, size=30)
    problem = network("softmax", a, y, hidden=1, l2=1e-3, depth=0)
    assert problem.structure.describe() == "W1 (5, 3), b1 (3,)" and problem.dim == 18
    weights = rng.normal(size=(2, problem.dim))
    for k in range(2):
        x = torch.tensor(weights[k], requires_grad=True)
        w, b = torch.split(x, [15, 3])
        logits = torch.tensor(problem.features) @ w.reshape(5, 3) + b
        value = torch.nn.functional.cross_entropy(logits, torch.tensor(y)) + 0.5e-3 * (x * x).sum()
        value.backward()
        assert problem.f(weights[k]) == pytest.approx(value.item(), rel=1e-12)
        np.testing.assert_allclose(problem.grad(weights)[k], x.grad.numpy(), rtol=1e-10)


def test_the_weights_unpack_as_the_layers():
    problem = dl.get_function("mlp-digits", hidden=4)
    assert problem.dim == 64 * 4 + 4 + 4 * 10 + 10 and problem.minimum is None
    x = np.arange(problem.dim, dtype=float)
    w1, b1, w2, b2 = unpack(x, problem.shapes)
    assert w1.shape == (64, 4) and w1[0, 1] == 1 and w1[1, 0] == 4
    assert b1.tolist() == [256, 257, 258, 259] and w2.shape == (4, 10) and b2[-1] == problem.dim - 1
    low, high = problem.bounds[:, 0], problem.bounds[:, 1]
    assert np.all(low[256:260] == 0) and np.all(high[256:260] == 0)  # biases start at 0
    assert high[0] == pytest.approx(np.sqrt(6 / 68))  # Glorot


def test_a_hundred_replicates_in_one_batch_train_as_each_alone():
    problem = dl.get_function("mlp-digits", hidden=8)
    optimizer = dl.Adam(alpha=0.01)
    many = dl.minimize(problem, optimizer, n_iter=60, seed=3, starts=100, batch_size=32,
                       record="none")  # fmt: skip
    assert float(np.median(many.fun)) < 0.5 * float(np.median(problem.f(
        dl.uniform_starts(problem.bounds, 100, 3))))  # fmt: skip
    for i in (0, 41, 99):
        alone = dl.minimize(problem, optimizer, n_iter=60, seed=3, x0=many_starts(problem)[i],
                            first_stream=i, batch_size=32, record="none")  # fmt: skip
        assert np.array_equal(alone.x, many.x[i])


def many_starts(problem):
    return dl.uniform_starts(problem.bounds, 100, 3)


def test_cli_trains_the_network(capsys):
    code = main(["run", "adam", "-f", "mlp-digits", "--param", "hidden=8", "--starts", "4",
                 "--batch-size", "64", "--n-iter", "50", "--seed", "0",
                 "--alpha", "0.01"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and "mlp-digits (d=610" in out
    code = main(["functions", "--json"])
    assert code == 0 and '"mlp-digits"' in capsys.readouterr().out
