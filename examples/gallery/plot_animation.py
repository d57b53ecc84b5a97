"""
An animation of the search
==========================

``plot.animate`` makes the search move: each frame draws the paths up to that step, with a
fading trail. ``save_animation`` writes a GIF (the contours are drawn once, only the paths per
frame), which plays anywhere; in a notebook, ``movie.to_matplotlib()`` gives a matplotlib
``FuncAnimation`` instead (``IPython.display.HTML(animation.to_jshtml())`` plays it in the page).
"""

import descentlab as dl
from descentlab import plot

problem = dl.get_function("rosenbrock")
runs = {
    "momentum": dl.minimize(
        problem, dl.Momentum(step_size=5e-4, momentum=0.9), n_iter=300, x0=[-1.5, 2.5]
    ),
    "adam": dl.minimize(problem, dl.Adam(alpha=0.05), n_iter=300, x0=[-1.5, 2.5]),
}
movie = plot.animate(problem, runs, trail=30, frames=40)
plot.save_animation(movie, "search.gif", fps=8)
