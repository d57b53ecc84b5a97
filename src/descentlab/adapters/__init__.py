"""descentlab's optimizers where people train: bridges to PyTorch, optax and SciPy.

- :mod:`descentlab.torch` (:mod:`~descentlab.adapters.torch`): ``Optimizer(params, dl.Adam())``,
  a ``torch.optim.Optimizer``;
- :mod:`descentlab.optax` (:mod:`~descentlab.adapters.optax`): ``transform(dl.Adam())``, an
  ``optax.GradientTransformation``;
- :mod:`descentlab.scipy` (:mod:`~descentlab.adapters.scipy`): ``method("adam", n_iter=...)``,
  a method for ``scipy.optimize.minimize``.

Each calls the descentlab optimizer's own ``step``: no update is written twice. Each imports
its library only when it is imported itself.
"""
