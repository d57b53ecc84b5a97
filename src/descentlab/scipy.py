"""descentlab's optimizers as ``scipy.optimize.minimize`` methods (see
:mod:`descentlab.adapters.scipy`)::

    from scipy.optimize import minimize, rosen, rosen_der
    import descentlab.scipy

    found = minimize(rosen, [-1.0, 1.0], jac=rosen_der, method=descentlab.scipy.method("adam"))
"""

from descentlab._lazy import needs

with needs("descentlab.scipy", "scipy", ("scipy",)):
    from descentlab.adapters.scipy import STATUS, method

__all__ = ["STATUS", "method"]
