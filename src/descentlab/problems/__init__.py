"""What is minimized: the problem (objective, gradient, box, known minimum) and where it comes
from.

- :mod:`~descentlab.problems.problem`: :class:`Problem` and its bounds;
- :mod:`~descentlab.problems.gradients`: central differences, PyTorch and JAX gradients;
- :mod:`~descentlab.problems.vectorization`, :mod:`~descentlab.problems.outputs`,
  :mod:`~descentlab.problems.calls`: functions written for one point, what a user's function
  returns, and what it raises;
- :mod:`~descentlab.problems.expressions`: objectives typed as text, differentiated exactly;
- :mod:`~descentlab.problems.loading`: ``package.module:callable`` from the command line;
- :mod:`~descentlab.problems.starts`: the tutorials' random starts in the box;
- :mod:`~descentlab.problems.functions`: the catalog of test functions;
- :mod:`~descentlab.problems.stochastic`: gradient noise, finite sums and online problems.
"""

from descentlab.problems.problem import Problem, as_bounds

__all__ = ["Problem", "as_bounds"]
