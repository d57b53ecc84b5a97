"""The training benchmark's structured workloads held to outside references: the recurrent
language model to ``torch.nn.RNN`` and autograd, matrix sensing to autograd and its known
minimum, both on either engine."""

import numpy as np
import pytest

from descentlab.benchmarking.training import charlm, get_workload
from descentlab.benchmarking.training import matrix_sensing as ms

pytest.importorskip("sklearn")


def test_the_text_is_kept_with_its_source_and_split_in_order():
    text = charlm.text()
    assert text.startswith("First Citizen:\nBefore we proceed any further, hear me speak.")
    assert len(text) == 39_908
    assert "karpathy/char-rnn" in charlm.__doc__
    splits = charlm.windows(16)
    train, valid, test = (part[0] for part in (splits.train, splits.valid, splits.test))
    assert train.shape[1] == 17 and len(train) + len(valid) + len(test) == len(text) // 17
    decoded = "".join(charlm.ALPHABET[k] for k in train[0])
    assert decoded == text[:17].lower()
    assert "".join(charlm.ALPHABET[k] for k in test[-1]) in text.lower()


def test_the_recurrent_network_equals_torchs_rnn_and_autograd():
    torch = pytest.importorskip("torch")
    codes = charlm.windows(16).train[0][:6].astype(int)
    problem = charlm.char_rnn("small", codes, hidden=8)
    assert problem.structure.describe() == "E (36, 8), U (8, 8), b (8,), W (8, 36), c (36,)"
    x = np.random.default_rng(0).uniform(-0.5, 0.5, (2, problem.dim))
    rnn = torch.nn.RNN(36, 8, nonlinearity="tanh", batch_first=True, dtype=torch.float64)
    for k in range(2):
        t = torch.tensor(x[k], requires_grad=True)
        e, u, b, w, c = torch.split(t, [288, 64, 8, 288, 36])
        with torch.no_grad():
            rnn.weight_ih_l0.copy_(e.reshape(36, 8).T)
            rnn.weight_hh_l0.copy_(u.reshape(8, 8).T)
            rnn.bias_ih_l0.copy_(b)
            rnn.bias_hh_l0.zero_()
        inputs = torch.nn.functional.one_hot(torch.tensor(codes[:, :-1]), 36).double()
        states, _ = rnn(inputs)
        states_ours, _ = charlm.forward(x[k], codes, 8)
        np.testing.assert_allclose(states_ours, states.detach().numpy(), rtol=1e-12, atol=1e-14)
        h = torch.zeros(6, 8, dtype=torch.float64)  # the same network, by autograd
        logits = []
        for step in range(16):
            h = torch.tanh(inputs[:, step] @ e.reshape(36, 8) + h @ u.reshape(8, 8) + b)
            logits.append(h @ w.reshape(8, 36) + c)
        value = torch.nn.functional.cross_entropy(
            torch.stack(logits, 1).reshape(-1, 36), torch.tensor(codes[:, 1:]).reshape(-1)
        )
        value.backward()
        assert problem.f(x[k]) == pytest.approx(value.item(), rel=1e-12)
        np.testing.assert_allclose(problem.grad(x)[k], t.grad.numpy(), rtol=1e-9, atol=1e-14)
    index = np.array([[0, 3, 5], [1, 1, 2]])  # a network's own minibatch: the same formula
    alone = charlm.gradient(x[1], codes[index[1]], 8)
    np.testing.assert_allclose(problem.batch_gradient(x, index)[1], alone, rtol=1e-13)


def test_the_language_models_metrics_are_per_character():
    workload = get_workload("rnn-shakespeare")
    x = np.zeros((1, workload.problem.dim))  # every character equally likely
    found = workload.metrics(x, "valid")
    assert found["loss"][0] == pytest.approx(np.log(36), rel=1e-12)
    x = workload.starts(20, 0)  # more networks than one chunk: the same as one by one
    together = workload.metrics(x, "test")
    np.testing.assert_allclose(together["loss"][13], workload.metrics(x[13], "test")["loss"])


def test_matrix_sensing_is_fitted_by_the_truth_and_its_gradient_is_autograds():
    torch = pytest.importorskip("torch")
    workload = get_workload("matrix-sensing")
    problem = workload.problem
    assert problem.structure.describe() == "L (20, 4), R (20, 4)" and problem.minimum == 0.0
    u, s, vt = np.linalg.svd(problem.truth)
    assert np.sum(s > 1e-12) == 2
    exact = np.concatenate(
        [(u[:, :4] * np.sqrt(s[:4])).ravel(), (vt[:4].T * np.sqrt(s[:4])).ravel()]
    )
    for split in ("train", "valid", "test"):
        assert workload.metrics(exact, split)["loss"] < 1e-28
    x = workload.starts(2, 0)
    a, y = problem.features, problem.targets
    for k in range(2):
        t = torch.tensor(x[k], requires_grad=True)
        left, right = t[:80].reshape(20, 4), t[80:].reshape(20, 4)
        value = (
            0.5 * ((torch.tensor(a) @ (left @ right.T).reshape(-1) - torch.tensor(y)) ** 2).mean()
        )
        value.backward()
        assert problem.f(x[k]) == pytest.approx(value.item(), rel=1e-12)
        np.testing.assert_allclose(problem.grad(x)[k], t.grad.numpy(), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("name", ["matrix-sensing", "rnn-shakespeare"])
def test_the_structured_workloads_gradients_are_the_same_on_jax(name):
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    problem = get_workload(name).problem
    x = get_workload(name).starts(3, 1)
    index = np.random.default_rng(0).integers(0, problem.n_examples, (3, 8))
    ours = problem.batch_gradient(x, index)
    traced = jax.jit(problem.batch_gradient)(jax.numpy.asarray(x), jax.numpy.asarray(index))
    np.testing.assert_allclose(np.asarray(traced), ours, rtol=1e-10, atol=1e-14)
    grad_of_f = jax.grad(lambda z: problem.f(z))(jax.numpy.asarray(x[0]))
    np.testing.assert_allclose(np.asarray(grad_of_f), problem.grad(x)[0], rtol=1e-8, atol=1e-12)


def test_matrix_sensing_splits_are_fresh_measurements_of_one_matrix():
    splits, truth = ms.sensing_splits()
    assert np.linalg.norm(truth) == pytest.approx(1.0)
    for a, y in (splits.train, splits.valid, splits.test):
        np.testing.assert_allclose(a @ truth.ravel(), y)
    assert not np.allclose(splits.train[0][:300], splits.valid[0])
