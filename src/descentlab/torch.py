"""descentlab's optimizers in a PyTorch training loop: ``descentlab.torch.Optimizer(
model.parameters(), dl.AMSGrad(alpha=1e-3))`` is a ``torch.optim.Optimizer`` (see
:mod:`descentlab.adapters.torch`)."""

from descentlab._lazy import needs

with needs("descentlab.torch", "torch", ("torch",)):
    from descentlab.adapters.torch import Optimizer, StepsInBufferWarning

__all__ = ["Optimizer", "StepsInBufferWarning"]
