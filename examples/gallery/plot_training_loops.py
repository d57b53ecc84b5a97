"""
In your own training loop: PyTorch, optax and SciPy
===================================================

The bridges call descentlab's own ``step`` on your tensors and pytrees, so the update you read
in ``optimizers/amsgrad.py`` trains your model: ``descentlab.torch.Optimizer`` is a
``torch.optim.Optimizer``, ``descentlab.optax.transform`` an ``optax.GradientTransformation``
and ``descentlab.scipy.method`` a method for ``scipy.optimize.minimize``.
"""

import matplotlib.pyplot as plt
import torch

import descentlab as dl
import descentlab.torch

torch.set_default_dtype(torch.float64)  # float64: the two agree to rounding
torch.manual_seed(0)
inputs, labels = torch.randn(256, 4), torch.randint(0, 3, (256,))
losses = {}
for name, make in {
    "descentlab AMSGradPyTorch": lambda p: descentlab.torch.Optimizer(
        p, dl.AMSGradPyTorch(alpha=1e-2)
    ),
    "torch Adam(amsgrad=True)": lambda p: torch.optim.Adam(p, lr=1e-2, amsgrad=True),
}.items():
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3))
    optimizer = make(model.parameters())
    losses[name] = []
    for _ in range(200):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(inputs), labels)
        loss.backward()
        optimizer.step()
        losses[name].append(loss.item())

fig, ax = plt.subplots(figsize=(6, 3.5))
for name, curve in losses.items():
    ax.plot(curve, label=name, ls="-" if "descentlab" in name else "--")
ax.set(xlabel="step", ylabel="training loss")
ax.legend()
print("largest difference between the two loss curves:",
      max(abs(a - b) for a, b in zip(*losses.values(), strict=True)))  # fmt: skip

# %%
# ``dl.AMSGradPyTorch`` is PyTorch's variant (bias-corrected, ``vhat`` the largest raw ``v``);
# ``dl.AMSGrad`` is the paper's. Each optimizer's page names its twins.
#
# optax: a ``GradientTransformation`` that chains and jits.
import jax
import jax.numpy as jnp
import optax

import descentlab.optax

params = {"w": jnp.zeros((4, 3)), "b": jnp.zeros(3)}
x, y = jnp.asarray(inputs.numpy(), dtype=jnp.float32), jnp.asarray(labels.numpy())
tx = optax.chain(optax.clip_by_global_norm(1.0), descentlab.optax.transform(dl.Adam(alpha=1e-2)))
state = tx.init(params)


def loss(p):
    return optax.softmax_cross_entropy_with_integer_labels(x @ p["w"] + p["b"], y).mean()


@jax.jit
def train_step(params, state):
    updates, state = tx.update(jax.grad(loss)(params), state, params)
    return optax.apply_updates(params, updates), state


for _ in range(200):
    params, state = train_step(params, state)
print("optax loss after 200 steps:", float(loss(params)))

# %%
# SciPy: one argument switches ``scipy.optimize.minimize`` to a descentlab optimizer.
from scipy.optimize import minimize, rosen, rosen_der

import descentlab.scipy

found = minimize(rosen, [-1.0, 1.0], jac=rosen_der, tol=1e-6,
                 method=descentlab.scipy.method("adam", n_iter=3000, alpha=0.05))  # fmt: skip
print(found.message, found.x, found.nit)
