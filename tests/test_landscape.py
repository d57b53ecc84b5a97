"""Landscapes: sharpness from Hessian-vector products held to dense Hessians, Li et al.'s
filter normalization, principal directions, slices and their pictures."""

import matplotlib
import numpy as np
import pytest

import descentlab as dl
from descentlab.landscape import (
    dense_hessian,
    explained_share,
    filter_normalized,
    filter_norms,
    loss_slice,
    principal_directions,
    project,
    sharpness_along,
    top_eigenvalues,
)
from descentlab.problems.stochastic.finite_sum import _sklearn_datasets
from descentlab.problems.stochastic.network import mlp_digits, network

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def small_network():
    """A 310-weight network on 200 digits: small enough to form its Hessian."""
    data = _sklearn_datasets().load_digits()
    return network("small", data.data[:200], data.target[:200], hidden=4, l2=1e-4)


_HESSIANS = {}


def jax_hessian(problem, x):
    """The dense Hessian by JAX's autodiff of the objective itself (not of the gradient the
    products differentiate), compiled once per problem."""
    import jax

    from descentlab.engines.jax_engine.problem import traced_problem

    if problem.name not in _HESSIANS:
        f = traced_problem(problem, 1, x.size, np.float64).f
        _HESSIANS[problem.name] = jax.jit(jax.hessian(lambda z: f(z[None])[0]))
    return np.asarray(_HESSIANS[problem.name](x))


@pytest.mark.parametrize("engine, tolerance", [("jax", 1e-12), ("numpy", 1e-6)])
def test_lanczos_equals_the_dense_hessians_top_eigenvalues(small_network, engine, tolerance):
    points = dl.uniform_starts(small_network.bounds, 2, 0)
    found = top_eigenvalues(small_network, points, 3, iterations=60, engine=engine)
    for point, values in zip(points, found, strict=True):
        exact = np.linalg.eigvalsh(jax_hessian(small_network, point))[::-1][:3]
        np.testing.assert_allclose(values, exact, rtol=tolerance)


def test_the_hessian_from_differences_of_gradients_is_the_autodiff_one(small_network):
    point = dl.uniform_starts(small_network.bounds, 1, 3)[0]
    exact = jax_hessian(small_network, point)
    assert np.abs(dense_hessian(small_network, point) - exact).max() < 1e-6 * np.abs(exact).max()
    np.testing.assert_allclose(dense_hessian(small_network, point, "jax"), exact, atol=1e-12)


def test_catalog_function_sharpness_is_exact():
    rosenbrock = dl.get_function("rosenbrock")
    # At (1, 1) the Hessian is [[802, -400], [-400, 200]].
    exact = np.linalg.eigvalsh([[802.0, -400.0], [-400.0, 200.0]])[::-1]
    # Differences of gradients: second-order accurate, to 1e-11 of the largest eigenvalue here.
    np.testing.assert_allclose(top_eigenvalues(rosenbrock, [1.0, 1.0], 2), exact, atol=1e-8)
    np.testing.assert_allclose(top_eigenvalues(rosenbrock, [1.0, 1.0], 2, engine="jax"), exact,
                               rtol=1e-12)  # fmt: skip


def test_power_iteration_finds_a_positive_definite_quadratics_top_eigenvalue():
    scales = np.array([1.0, 3.0, 10.0, 30.0])
    quadratic = dl.Problem(lambda x: 0.5 * np.sum(scales * x**2, axis=-1), bounds=[[-1, 1]] * 4,
                           grad=lambda x: scales * x, vectorized=True)  # fmt: skip
    found = top_eigenvalues(quadratic, np.ones((3, 4)), method="power", iterations=200)
    np.testing.assert_allclose(found[:, 0], 30.0, rtol=1e-9)


def test_sharpness_along_a_run_fills_every_kth_recorded_point():
    problem = dl.get_function("rosenbrock")
    result = dl.minimize(problem, dl.GradientDescent(step_size=1e-3), n_iter=40,
                         x0=[[-1.0, 1.5], [0.5, 0.5]], record=5)  # fmt: skip
    measured = sharpness_along(problem, result, 2, every=2)
    column = measured.path_sharpness
    assert column.shape == (len(result.path_iter), 2, 2)
    assert np.isnan(column[1::2]).all() and np.isfinite(column[::2]).all()
    np.testing.assert_allclose(column[4, 1], top_eigenvalues(problem, result.path[4, 1], 2))
    assert result.path_sharpness is None  # the run itself is left as it was
    assert measured.to_dict(include_path=True)["path"]["sharpness"][1][0] == [None, None]


@pytest.mark.parametrize("call, message", [
    (lambda p, r: sharpness_along(p, dl.minimize(p, dl.Adam(), n_iter=3, x0=[0.0, 0.0],
                                                 record="none")), "no recorded path"),
    (lambda p, r: top_eigenvalues(p, [0.0, 0.0], method="newton"), "method must be one of"),
    (lambda p, r: top_eigenvalues(p, [0.0, 0.0], 3), "top must be at most"),
    (lambda p, r: top_eigenvalues(p, [0.0, 0.0], 2, method="power"), "top must be 1"),
    (lambda p, r: top_eigenvalues(p, [0.0, 0.0], iterations=0), "iterations must be a whole"),
    (lambda p, r: loss_slice(p, {"a": r}, kind="random"), "kind must be one of"),
    (lambda p, r: loss_slice(p, kind="pca", center=[0.0, 0.0]), "needs at least one recorded"),
    (lambda p, r: loss_slice(p, {"a": np.zeros(3)}), "must be a result or a (K, d) array"),
])  # fmt: skip
def test_bad_input_is_named(call, message):
    problem = dl.get_function("rosenbrock")
    result = dl.minimize(problem, dl.Adam(), n_iter=3, x0=[0.0, 0.0], record="all")
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call(problem, result)


def test_filter_normalized_directions_match_each_filters_norm():
    problem = mlp_digits()
    weights = dl.uniform_starts(problem.bounds, 1, 0)[0]
    direction = filter_normalized(weights, problem.structure, seed=1)
    for ours, theirs in zip(filter_norms(direction, problem.structure),
                            filter_norms(weights, problem.structure), strict=True):  # fmt: skip
        assert ours.shape == (problem.hidden,) or ours.shape == (problem.classes,)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    for block, a, b in problem.structure.spans():
        if len(block.shape) == 1:
            assert not direction[a:b].any(), f"bias {block.name} moves"
    assert not np.allclose(direction, filter_normalized(weights, problem.structure, seed=2))


def test_a_plain_vectors_direction_has_the_points_norm():
    point = np.array([3.0, 4.0, 0.0])
    assert np.linalg.norm(filter_normalized(point)) == pytest.approx(5.0)


def test_principal_directions_of_a_planar_path_explain_all_of_it():
    rng = np.random.default_rng(0)
    plane = np.linalg.qr(rng.standard_normal((6, 2)))[0].T
    coordinates = rng.standard_normal((20, 2)) * [3.0, 1.0]
    center = rng.standard_normal(6)
    path = center + coordinates @ plane
    directions, shares = principal_directions([path], center)
    np.testing.assert_allclose(directions @ directions.T, np.eye(2), atol=1e-12)
    assert shares.sum() == pytest.approx(1.0) and shares[0] > shares[1]
    assert explained_share(path, center, directions) == pytest.approx(1.0)
    normal = np.linalg.svd(plane)[2][-1]  # a unit vector out of the plane
    in_plane = np.sum(coordinates**2)
    assert explained_share(path + normal, center, directions) == pytest.approx(
        in_plane / (in_plane + 20))  # fmt: skip


def test_projection_recovers_coordinates_along_oblique_directions():
    directions = np.array([[1.0, 0.0, 0.0], [1.0, 1.0, 0.0]])
    center = np.array([1.0, 2.0, 3.0])
    points = center + np.array([[2.0, -1.0], [0.5, 0.5]]) @ directions
    np.testing.assert_allclose(project(points, center, directions), [[2.0, -1.0], [0.5, 0.5]])


def test_a_slices_grid_values_are_the_objective_there():
    problem = dl.get_function("rosenbrock")
    result = dl.minimize(problem, dl.Adam(alpha=0.05), n_iter=100, x0=[-1.0, 1.5], record="all")
    plane = loss_slice(problem, {"Adam": result}, points=9)
    corner = plane.center + plane.a[-1] * plane.directions[0] + plane.b[0] * plane.directions[1]
    assert plane.values[0, -1] == pytest.approx(float(problem.f(corner)), rel=1e-12)
    assert plane.shares["Adam"] == pytest.approx(1.0)  # two coordinates: the plane is all
    track = plane.paths["Adam"]
    np.testing.assert_allclose(plane.center + track @ plane.directions, result.path, atol=1e-9)
    on_jax = loss_slice(problem, {"Adam": result}, points=9, engine="jax")
    np.testing.assert_allclose(on_jax.values, plane.values, rtol=1e-12)


def test_the_digits_networks_paths_on_their_principal_plane(small_network):
    start = dl.uniform_starts(small_network.bounds, 1, 0)[0]
    optimizers = {"Adam": dl.Adam(alpha=1e-2), "Muon": dl.Muon(),
                  "Momentum": dl.Momentum(step_size=0.1, momentum=0.9)}  # fmt: skip
    runs = {name: dl.minimize(small_network, optimizer, n_iter=60, x0=start, record=5)
            for name, optimizer in optimizers.items()}  # fmt: skip
    plane = loss_slice(small_network, runs, points=7)
    assert set(plane.shares) == set(runs)
    assert all(0.0 < share <= 1.0 + 1e-12 for share in plane.shares.values())
    assert plane.variance[0] >= plane.variance[1] > 0
    ax = dl.plot.plot_landscape(plane)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(text.startswith("Muon (") and "% of its movement" in text for text in legend)
    assert "% of the movement" in ax.get_xlabel()
    assert dl.plot.plot_landscape_surface(plane).name == "3d"
    movie = dl.plot.animate_landscape(plane, frames=4)
    assert movie.frames == 4 and len(movie.draw(3)) == 3
    filtered = loss_slice(small_network, runs, kind="filter", points=5)
    assert filtered.values.shape == (5, 5) and filtered.values[2, 2] == pytest.approx(
        float(small_network.f(filtered.center)))  # fmt: skip


def test_sharpness_picture_draws_the_two_over_eta_line():
    problem = dl.get_function("rosenbrock")
    result = dl.minimize(problem, dl.GradientDescent(step_size=1e-3), n_iter=20, x0=[0.5, 0.5],
                         record=2)  # fmt: skip
    ax = dl.plot.plot_sharpness(sharpness_along(problem, result), step_size=1e-3)
    assert any(line.get_ydata()[0] == pytest.approx(2000.0) for line in ax.get_lines()[1:])
    with pytest.raises(ValueError, match="no sharpness"):
        dl.plot.plot_sharpness(result)


def test_the_surface_lifts_paths_onto_the_slice_bilinearly():
    from descentlab.plot.landscape import _interpolated

    values = np.array([[0.0, 1.0, 2.0], [10.0, 11.0, 12.0]])
    plane = dl.landscape.Slice("plane", "filter", np.zeros(2), np.eye(2), np.linspace(0, 2, 3),
                               np.linspace(0, 1, 2), values)  # fmt: skip
    points = np.array([[0.5, 0.5], [2.0, 1.0], [5.0, -1.0]])  # the last outside: clipped
    np.testing.assert_allclose(_interpolated(plane, points), [5.5, 12.0, 2.0])
