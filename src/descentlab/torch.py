"""descentlab's optimizers in a PyTorch training loop (see :mod:`descentlab.adapters.torch`).

    import descentlab as dl
    import descentlab.torch

    optimizer = descentlab.torch.Optimizer(model.parameters(), dl.AMSGrad(alpha=1e-3))
"""

from descentlab.adapters.torch import Optimizer

__all__ = ["Optimizer"]
