"""The pictures: drawn data read back from the axes, and image files decoded and inspected."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

import descentlab as dl
from descentlab import plot
from descentlab.plot import _data

SPHERE1 = dl.get_function("sphere", dim=1)
SPHERE2 = dl.get_function("sphere", dim=2)
ROSEN = dl.get_function("rosenbrock")
TUTORIAL_1D = dl.minimize(SPHERE1, dl.Momentum(0.1, 0.3), n_iter=30, seed=4)
TUTORIAL_2D = dl.minimize(SPHERE2, dl.AMSGrad(alpha=0.007, beta2=0.99), n_iter=100, seed=1)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def by_gid(ax, gid):
    return [line for line in ax.get_lines() if line.get_gid() == gid]


def legend_labels(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def test_line_view_draws_the_objective_and_the_path():
    ax = plot.plot_line(SPHERE1, TUTORIAL_1D)
    (objective,) = by_gid(ax, "objective")
    x, fx = objective.get_data()
    assert x[0] == -1.0 and x[-1] == 1.0 and np.allclose(fx, x**2)
    (path,) = by_gid(ax, "path")
    np.testing.assert_array_equal(path.get_xdata(), TUTORIAL_1D.path[:, 0])
    np.testing.assert_array_equal(path.get_ydata(), TUTORIAL_1D.path_fun)
    assert path.get_color() == "red" and path.get_marker() == "."
    assert by_gid(ax, "start")[0].get_xdata()[0] == TUTORIAL_1D.path[0, 0]
    assert by_gid(ax, "end")[0].get_xdata()[0] == TUTORIAL_1D.path[-1, 0]
    assert legend_labels(ax) == ["f(x)", "search (start 0)", "start", "end"]


def test_contour_view_levels_path_minima_and_colorbar():
    ax = plot.plot_contour(SPHERE2, TUTORIAL_2D, levels=50, cmap="jet")
    (filled,) = ax.collections
    assert len(filled.levels) == 50 and filled.get_cmap().name == "jet"
    (path,) = by_gid(ax, "path")
    np.testing.assert_array_equal(np.column_stack(path.get_data()), TUTORIAL_2D.path)
    assert path.get_color() == "white"
    (minima,) = by_gid(ax, "minima")
    np.testing.assert_array_equal(np.column_stack(minima.get_data()), [[0.0, 0.0]])
    assert len(ax.figure.axes) == 2  # the colorbar
    assert "known minima" in legend_labels(ax)


def test_default_colormap_is_perceptually_uniform_and_levels_are_linear_for_a_bowl():
    ax = plot.plot_contour(SPHERE2)
    (filled,) = ax.collections
    assert filled.get_cmap().name == "viridis"
    assert np.allclose(np.diff(filled.levels), np.diff(filled.levels)[0])


def test_rosenbrock_gets_log_spaced_levels():
    ax = plot.plot_contour(ROSEN)
    levels = ax.collections[0].levels
    ratios = levels[1:] / levels[:-1]
    assert np.allclose(ratios, ratios[0]) and ratios[0] > 1.1
    assert "log" in ax.figure.axes[1].get_ylabel()
    assert not _data.wants_log_levels(_data.grid_values(SPHERE2).z)


def test_surface_lifts_the_path_onto_the_surface():
    ax = plot.plot_surface(SPHERE2, TUTORIAL_2D)
    assert ax.name == "3d"
    (path,) = by_gid(ax, "path")
    xs, ys, zs = path.get_data_3d()
    np.testing.assert_array_equal(xs, TUTORIAL_2D.path[:, 0])
    np.testing.assert_array_equal(zs, TUTORIAL_2D.path_fun)
    np.testing.assert_allclose(zs, xs**2 + ys**2)


def test_convergence_curves_one_per_run():
    runs = {
        "gd": dl.minimize(SPHERE1, dl.GradientDescent(0.1), n_iter=30, seed=4),
        "momentum": TUTORIAL_1D,
    }
    ax = plot.plot_convergence(SPHERE1, runs)
    lines = by_gid(ax, "convergence")
    assert [line.get_label() for line in lines] == ["gd", "momentum"]
    np.testing.assert_array_equal(lines[1].get_ydata(), TUTORIAL_1D.path_fun)  # f* = 0
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "f(x) - f*"
    by_evaluations = plot.plot_convergence(SPHERE1, runs, against="nfev")
    assert by_gid(by_evaluations, "convergence")[0].get_xdata()[0] == 1.0
    assert by_evaluations.get_xlabel() == "function evaluations"


def test_convergence_without_a_known_minimum_plots_f():
    problem = dl.Problem(lambda x: np.sum(x**2, axis=-1) + 3.0, bounds=[[-1, 1]])
    result = dl.minimize(problem, dl.GradientDescent(0.1), n_iter=10, seed=0)
    ax = plot.plot_convergence(problem, result)
    assert ax.get_ylabel() == "f(x)"
    assert by_gid(ax, "convergence")[0].get_ydata().min() >= 3.0


def test_many_starts_view():
    problem = dl.get_function("himmelblau")
    result = dl.minimize(problem, dl.Adam(alpha=0.05), n_iter=600, seed=0, starts=200, record=20)
    ax = plot.plot_starts(problem, result, max_paths=25)
    assert len(by_gid(ax, "sample-path")) == 25
    (final,) = by_gid(ax, "final")
    assert len(final.get_xdata()) == 200
    counts = [int(t.get_text()) for t in ax.texts if t.get_gid() == "count"]
    assert len(counts) == 4 and sum(counts) == 200


def test_comparison_has_one_color_per_optimizer_and_a_legend():
    x0 = [-1.5, 2.0]
    runs = {
        "adam": dl.minimize(ROSEN, dl.Adam(alpha=0.05), n_iter=300, x0=x0),
        "momentum": dl.minimize(ROSEN, dl.Momentum(1e-4, 0.95), n_iter=300, x0=x0),
    }
    figure = plot.plot_comparison(ROSEN, runs)
    paths_ax, curves_ax = figure.axes[0], figure.axes[1]  # then the colorbar
    paths = by_gid(paths_ax, "path")
    assert [p.get_label() for p in paths] == ["adam", "momentum"]
    assert paths[0].get_color() != paths[1].get_color()
    assert {"adam", "momentum", "start", "end"} <= set(legend_labels(paths_ax))
    assert [line.get_label() for line in by_gid(curves_ax, "convergence")] == ["adam", "momentum"]


def test_comparison_in_more_than_two_dimensions_is_the_convergence_view():
    problem = dl.get_function("sphere", dim=4)
    runs = {"gd": dl.minimize(problem, dl.GradientDescent(0.1), n_iter=20, seed=0)}
    figure = plot.plot_comparison(problem, runs)
    assert len(figure.axes) == 1 and figure.axes[0].get_yscale() == "log"


def test_views_draw_on_the_axes_they_are_given():
    figure, axes = plt.subplots(1, 2)
    assert plot.plot_line(SPHERE1, TUTORIAL_1D, ax=axes[0]) is axes[0]
    assert plot.plot_contour(SPHERE2, TUTORIAL_2D, ax=axes[1], colorbar=False) is axes[1]
    assert len(figure.axes) == 2


def test_diverged_path_is_drawn_up_to_where_it_went_bad():
    result = dl.minimize(SPHERE1, dl.GradientDescent(5.0), n_iter=400, seed=4)
    assert result.status == "diverged"
    (path,) = by_gid(plot.plot_line(SPHERE1, result), "path")
    assert np.isfinite(path.get_xdata()).all() and len(path.get_xdata()) > 10


def test_a_result_without_a_path_is_a_clear_error():
    result = dl.minimize(SPHERE2, dl.Adam(), n_iter=5, seed=0, record="none")
    with pytest.raises(ValueError, match="the result has no recorded path"):
        plot.plot_contour(SPHERE2, result)


# --- image files -------------------------------------------------------------------------


def rendered(figure, tmp_path, name="view.png", dpi=100):
    path = tmp_path / name
    figure.savefig(path, dpi=dpi)
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB")).astype(int)


def test_png_has_its_size_content_and_path_pixels_where_the_path_is(tmp_path):
    figure = plt.figure(figsize=(6, 5))
    ax = plot.plot_contour(SPHERE2, TUTORIAL_2D, ax=figure.add_subplot())
    figure.canvas.draw()
    pixels_of_path = ax.transData.transform(TUTORIAL_2D.path[::10])
    image = rendered(figure, tmp_path)
    assert image.shape == (500, 600, 3)
    assert image.std() > 20  # not blank
    height = image.shape[0]
    for x, y in pixels_of_path:
        patch = image[int(height - y) - 2 : int(height - y) + 3, int(x) - 2 : int(x) + 3]
        assert (patch.min(axis=-1) > 200).any(), "no white path pixel where the path is"
    corner = image[
        int(height - ax.transData.transform([(0.95, -0.95)])[0][1]),
        int(ax.transData.transform([(0.95, -0.95)])[0][0]),
    ]
    assert corner.min() < 200  # the contours are not white where the path is not


@pytest.mark.parametrize("suffix", ["svg", "pdf"])
def test_vector_formats(tmp_path, suffix):
    ax = plot.plot_contour(SPHERE2, TUTORIAL_2D)
    path = tmp_path / f"view.{suffix}"
    ax.figure.savefig(path)
    head = path.read_bytes()[:200]
    assert (b"<svg" in head or b"<?xml" in head) if suffix == "svg" else head.startswith(b"%PDF")


def test_animation_frames_and_gif(tmp_path):
    runs = {"adam": dl.minimize(ROSEN, dl.Adam(alpha=0.05), n_iter=200, x0=[-1.5, 2.0])}
    movie = plot.animate(ROSEN, runs, frames=12, trail=5)
    movie.draw(11)  # the last frame
    (line,) = [line for line in movie.figure.axes[0].get_lines() if line.get_label() == "adam"]
    np.testing.assert_array_equal(np.column_stack(line.get_data()), runs["adam"].path[-5:])
    caption = next(t.get_text() for t in movie.figure.axes[0].texts)
    assert caption.startswith("iteration 200") and "adam: f = " in caption
    written = plot.save_animation(movie, tmp_path / "search.gif", fps=5, dpi=50)
    with Image.open(written) as gif:
        assert gif.n_frames == 12 and gif.size == (320, 260)


def test_animation_of_a_1d_run(tmp_path):
    movie = plot.animate(SPHERE1, TUTORIAL_1D, frames=31)
    written = plot.save_animation(movie, tmp_path / "line.gif", dpi=40)
    with Image.open(written) as gif:
        assert gif.n_frames == 31


def test_animation_refuses_more_than_two_dimensions_and_unknown_files(tmp_path):
    problem = dl.get_function("sphere", dim=3)
    with pytest.raises(ValueError, match="this one has 3 dimensions"):
        plot.animate(problem, dl.minimize(problem, dl.Adam(), n_iter=3, seed=0))
    movie = plot.animate(SPHERE1, TUTORIAL_1D, frames=3)
    with pytest.raises(ValueError, match=r"must end in \.gif or \.mp4"):
        plot.save_animation(movie, tmp_path / "x.avi")
    plot.save_animation(movie, tmp_path / "x.gif", dpi=20)


def test_each_frame_is_rendered_once_over_one_drawn_background(tmp_path, monkeypatch):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    full_draws = []
    original = FigureCanvasAgg.draw
    monkeypatch.setattr(
        FigureCanvasAgg, "draw", lambda self: full_draws.append(1) or original(self)
    )
    run = dl.minimize(ROSEN, dl.Adam(alpha=0.05), n_iter=200, x0=[-1.5, 2.0])
    movie = plot.animate(ROSEN, run, frames=20)
    drawn = []
    draw = movie.draw
    object.__setattr__(movie, "draw", lambda k: drawn.append(k) or draw(k))
    written = plot.save_animation(movie, tmp_path / "once.gif", dpi=40)
    assert len(full_draws) == 1 and drawn == list(range(20))
    with Image.open(written) as gif:
        gif.seek(0)
        first = np.asarray(gif.convert("RGB")).astype(int)
        gif.seek(19)
        last = np.asarray(gif.convert("RGB")).astype(int)
    changed = np.abs(first - last).sum(axis=-1) > 30
    assert 0 < changed.mean() < 0.2  # the path moved; the contours stayed


def test_to_matplotlib_gives_a_func_animation():
    from matplotlib.animation import FuncAnimation

    movie = plot.animate(SPHERE1, TUTORIAL_1D, frames=3).to_matplotlib()
    assert isinstance(movie, FuncAnimation)
    movie._draw_was_started = True  # not shown here: no unsaved-animation warning


def test_convergence_band_is_the_median_and_quartiles_over_replicates():
    noisy = dl.minimize(SPHERE2, dl.GradientDescent(0.1), n_iter=40, seed=2, starts=30,
                        noise=dl.GradientNoise(0.3))  # fmt: skip
    ax = plot.plot_convergence(SPHERE2, {"gd": noisy}, band="iqr")
    (line,) = by_gid(ax, "convergence")
    gaps = noisy.path_fun.reshape(41, 30)
    assert np.allclose(line.get_ydata(), np.median(gaps, axis=1))
    (band,) = [c for c in ax.collections if c.get_gid() == "band"]
    vertices = band.get_paths()[0].vertices
    assert np.isclose(vertices[:, 1].min(), np.percentile(gaps, 25, axis=1).min())
    assert "interquartile range of 30 starts" in legend_labels(ax)[0]
    ax = plot.plot_convergence(SPHERE2, noisy, band="ci95")
    assert "95% interval of the median of 30 starts" in legend_labels(ax)[0]
    with pytest.raises(ValueError, match="band must be one of iqr, ci95"):
        plot.plot_convergence(SPHERE2, noisy, band="sd")


def test_each_optimizer_has_one_color_in_every_panel_of_a_comparison():
    """The finding: the README's compare --plot drew each optimizer in different colors in its
    two panels (white paths, blue curves)."""
    import matplotlib.colors as mcolors

    problem = dl.get_function("rosenbrock")
    names = ["gd", "momentum", "adam", "amsgrad"]
    results = {name: dl.minimize(problem, name, n_iter=50, x0=[-1.0, 1.5]) for name in names}
    figure = plot.plot_comparison(problem, results)
    lines = [line for ax in figure.axes for line in ax.get_lines()]
    path_colors = [line.get_color() for line in lines if line.get_gid() == "path"]
    curve_colors = [line.get_color() for line in lines if line.get_gid() == "convergence"]
    assert len(path_colors) == len(curve_colors) == 4
    assert [mcolors.to_hex(c) for c in path_colors] == [mcolors.to_hex(c) for c in curve_colors]
    assert len({mcolors.to_hex(c) for c in path_colors}) == 4
    plt.close(figure)


def test_the_family_in_one_picture_has_distinct_lines():
    """The finding: 17 optimizers in tab20's light and dark pairs were hard to tell apart."""
    from descentlab.plot._marks import run_style

    styles = {(run_style(k)["color"], run_style(k)["linestyle"]) for k in range(32)}
    assert len(styles) == 32
