"""Pictures of the search: every view takes ``ax=`` and returns it, and never shows or saves.

=======================  ===========================================================
``plot_line``            1-D: the objective with the path as red dots on it
``plot_contour``         2-D: filled contours, the path in white, minima, colorbar
``plot_surface``         2-D as a 3-D surface with the path lifted onto it
``plot_convergence``     ``f - f*`` per iteration (or evaluation), log axis, per run
``plot_starts``          many starts: final points, a sample of paths, minima found
``plot_step_sizes``      the step a line search (or Polyak, BB) took at each iteration
``plot_paths``           several optimizers from one start, one color each
``plot_comparison``      paths and convergence side by side (a Figure)
``animate``              the search moving, one or several optimizers
``plot_landscape``       a slice of any problem (a network) with the paths on it
``plot_sharpness``       the top Hessian eigenvalue along a run, with ``2 / eta``
=======================  ===========================================================

The numbers behind each view come from pure functions in :mod:`descentlab.plot._data`.
"""

from descentlab.plot.animate import animate, save_animation
from descentlab.plot.compare import plot_comparison, plot_paths
from descentlab.plot.contour import plot_contour
from descentlab.plot.convergence import plot_convergence, plot_step_sizes
from descentlab.plot.landscape import (
    animate_landscape,
    plot_landscape,
    plot_landscape_surface,
    plot_sharpness,
)
from descentlab.plot.line import plot_line
from descentlab.plot.starts import plot_starts
from descentlab.plot.surface import plot_surface

__all__ = [
    "animate",
    "animate_landscape",
    "plot_comparison",
    "plot_contour",
    "plot_convergence",
    "plot_landscape",
    "plot_landscape_surface",
    "plot_line",
    "plot_paths",
    "plot_sharpness",
    "plot_starts",
    "plot_step_sizes",
    "plot_surface",
    "save_animation",
]
