"""Pictures from the command line: run --plot/--animate, plot RUN.json, compare."""

import re

import numpy as np
import pytest
from PIL import Image

from descentlab.cli import main


def run(capsys, *args):
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def image(path):
    with Image.open(path) as picture:
        return np.asarray(picture.convert("RGB")).astype(int)


def test_run_plot_1d_png_has_the_default_size_and_content(capsys, tmp_path):
    target = tmp_path / "line.png"
    code, out, err = run(capsys, "run", "momentum", "-f", "sphere", "--dim", "1", "--seed", "4",
                         "--n-iter", "30", "--momentum", "0.3", "--plot", target)  # fmt: skip
    assert code == 0 and f"wrote {target}" in err
    assert out.splitlines()[-2] == "f([6.17748881e-07]) = 0.000000"
    pixels = image(target)
    assert pixels.shape == (672, 768, 3) and pixels.std() > 20
    red = (pixels[..., 0] > 200) & (pixels[..., 1] < 80) & (pixels[..., 2] < 80)
    assert red.sum() > 100  # the tutorials' red path


@pytest.mark.parametrize(
    ("extra", "suffix"),
    [([], "png"), (["--surface"], "png"), (["--starts", "50"], "svg"), (["--cmap", "jet"], "pdf")],
)
def test_run_plot_2d_views_and_formats(capsys, tmp_path, extra, suffix):
    target = tmp_path / f"view.{suffix}"
    code, _, _ = run(capsys, "run", "adam", "-f", "himmelblau", "--seed", "0", "--alpha", "0.1",
                     "-q", "--plot", target, "--size", "4,3", "--dpi", "50", *extra)  # fmt: skip
    assert code == 0 and target.stat().st_size > 1000
    if suffix == "png":
        assert image(target).shape == (150, 200, 3)


def test_final_only_keeps_no_path_but_still_maps_many_starts(capsys, tmp_path):
    saved, target = tmp_path / "run.json", tmp_path / "map.png"
    code, _, _ = run(capsys, "run", "adam", "-f", "himmelblau", "--starts", "300", "--seed", "0",
                     "--final-only", "--json", saved, "--save-path", "--plot", target)  # fmt: skip
    assert code == 0 and image(target).std() > 20
    assert "path" not in saved.read_text()


def test_run_plot_in_five_dimensions_says_it_draws_convergence(capsys, tmp_path):
    target = tmp_path / "five.png"
    code, _, err = run(capsys, "run", "gd", "-f", "sphere", "--dim", "5", "--seed", "0", "-q",
                       "--plot", target)  # fmt: skip
    assert code == 0 and "note: d = 5: drawing the convergence view" in err
    assert image(target).std() > 10


def test_run_animate_gif(capsys, tmp_path):
    target = tmp_path / "search.gif"
    code, _, _ = run(capsys, "run", "amsgrad", "-f", "sphere", "--dim", "2", "--seed", "1",
                     "--alpha", "0.007", "--beta2", "0.99", "-q", "--animate", target,
                     "--frames", "10", "--fps", "5", "--dpi", "40", "--trail", "20")  # fmt: skip
    assert code == 0
    with Image.open(target) as gif:
        assert gif.n_frames == 10


def test_plot_a_saved_run(capsys, tmp_path):
    saved, target = tmp_path / "run.json", tmp_path / "again.png"
    code, _, _ = run(capsys, "run", "gd", "-f", "quadratic", "--param", "kappa=10", "--dim", "2",
                     "--seed", "3", "-q", "--json", saved, "--save-path")  # fmt: skip
    assert code == 0
    code, _, _ = run(capsys, "plot", saved, "--plot", target)
    assert code == 0 and target.exists() and image(target).std() > 20
    code, _, _ = run(capsys, "plot", saved, "--animate", tmp_path / "again.gif", "--frames", "5")
    assert code == 0


def test_plot_of_a_run_without_its_path(capsys, tmp_path):
    saved = tmp_path / "run.json"
    run(capsys, "run", "gd", "-f", "sphere", "--seed", "3", "-q", "--json", saved)
    code, _, err = run(capsys, "plot", saved, "--plot", tmp_path / "x.png")
    assert code == 2 and "has no path: save runs with --json FILE --save-path" in err


def iterations_column(out):
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃]", line) if c.strip()]
        if len(cells) == 4 and cells[0] in ("gd", "momentum", "amsgrad"):
            rows[cells[0]] = cells[1]
    return rows


def test_compare_shows_the_tutorials_point(capsys, tmp_path):
    target = tmp_path / "compare.png"
    code, out, _ = run(
        capsys, "compare", "gd", "momentum", "amsgrad", "-f", "sphere", "--dim", "1", "--seed",
        "4", "--n-iter", "30", "--hyper", "step_size=0.1", "--hyper", "momentum=0.3",
        "--hyper", "amsgrad.alpha=0.1", "--ftol", "1e-5", "--plot", target,
    )  # fmt: skip
    assert code == 0
    rows = iterations_column(out)
    assert int(rows["momentum"]) < int(rows["gd"])  # momentum gets there first
    assert image(target).shape[1] > image(target).shape[0]  # two panels side by side


def test_compare_not_reached(capsys):
    code, out, _ = run(capsys, "compare", "gd", "momentum", "-f", "sphere", "--dim", "1",
                       "--seed", "4", "--n-iter", "30", "--hyper", "momentum=0.3",
                       "--ftol", "1e-9")  # fmt: skip
    assert code == 0 and iterations_column(out)["gd"] == "not reached"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "gd", "-f", "sphere", "--plot", "x.jpg"], "must end in .png, .svg, .pdf"),
        (["run", "gd", "-f", "sphere", "--animate", "x.avi"], "must end in .gif or .mp4"),
        (["run", "gd", "-f", "sphere", "--plot", "x.png", "--cmap", "nope"], "unknown colormap"),
        (["run", "gd", "-f", "sphere", "--plot", "x.png", "--size", "4"], "expected W,H in inches"),
        (["run", "gd", "-f", "sphere", "--dim", "3", "--animate", "x.gif"], "has 3 dimensions"),
        (["compare", "gd", "adamz", "-f", "sphere"], "optimizer must be one of"),
        (["run", "gd", "-f", "sphere", "--final-only", "--plot", "x.png"], "drop --final-only"),
        (["compare", "gd", "-f", "sphere", "--hyper", "step_size"], "expected [OPT.]NAME=VALUE"),
        (["compare", "gd", "-f", "sphere", "--hyper", "gd.step=1"], "no compared optimizer has"),
        (["compare", "gd", "-f", "sphere", "--hyper", "adam.alpha=1"], "'adam' is not among gd"),
        (["plot", "missing.json", "--plot", "x.png"], "does not exist"),
    ],
)
def test_picture_errors_are_one_line(capsys, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err
    assert not list(tmp_path.iterdir())  # nothing was written


def test_animating_many_starts_says_which_one_moves(capsys, tmp_path):
    """The finding: run --starts 500 --animate animated one start without saying which."""
    import descentlab as dl
    from descentlab import plot

    gif = tmp_path / "run.gif"
    assert main(["run", "adam", "-f", "rosenbrock", "--alpha", "0.05", "--starts", "20",
                 "--seed", "1", "-q", "--frames", "4", "--animate", str(gif)]) == 0  # fmt: skip
    err = capsys.readouterr().err
    result = dl.minimize(dl.get_function("rosenbrock"), dl.Adam(alpha=0.05), n_iter=200,
                         seed=1, starts=20)  # fmt: skip
    best = result.best()
    assert f"note: --animate shows start {best} of 20, the one that ended lowest" in err
    movie = plot.animate(dl.get_function("rosenbrock"), result, start=best, frames=3)
    assert movie.figure.axes[0].get_title() == f"rosenbrock: start {best} of 20"


@pytest.fixture(scope="module")
def network_runs(tmp_path_factory):
    """Three saved runs of the digits network from one start, paths recorded."""
    folder = tmp_path_factory.mktemp("runs")
    for name, extra in (("adam", ["--alpha", "0.01"]), ("muon", []),
                        ("gd", ["--step-size", "1"])):  # fmt: skip
        code = main(["run", name, "-f", "mlp-digits", "--n-iter", "40", "--seed", "0",
                     "--record-every", "10", "--json", str(folder / f"{name}.json"),
                     "--save-path", "-q", *extra])  # fmt: skip
        assert code == 0
    return folder


def test_plot_landscape_of_several_network_runs(capsys, tmp_path, network_runs):
    files = [network_runs / f"{name}.json" for name in ("adam", "muon", "gd")]
    target = tmp_path / "plane.png"
    code, _, err = run(capsys, "plot", *files, "--landscape", "pca", "--points", "9",
                       "--plot", target)  # fmt: skip
    assert code == 0, err
    shares = re.findall(r"(adam|muon|gd): ([\d.]+)% of its movement lies in the plane", err)
    assert [name for name, _ in shares] == ["adam", "muon", "gd"]
    assert all(0 < float(share) <= 100 for _, share in shares)
    assert image(target).std() > 20
    gif = tmp_path / "plane.gif"
    code, _, err = run(capsys, "plot", *files[:2], "--landscape", "filter", "--points", "5",
                       "--animate", gif, "--frames", "3")  # fmt: skip
    assert code == 0
    with Image.open(gif) as movie:
        assert movie.n_frames == 3


def test_plot_sharpness_of_a_run_with_its_two_over_eta_line(capsys, tmp_path, network_runs):
    target = tmp_path / "sharp.png"
    code, _, err = run(capsys, "plot", network_runs / "gd.json", "--sharpness", "--plot", target)
    assert code == 0 and f"wrote {target}" in err and image(target).std() > 5


@pytest.mark.parametrize("extra, message", [
    (["--landscape", "pca", "--sharpness", "--plot", "x.png"], "either --landscape or"),
    (["--sharpness", "--animate", "x.gif"], "--sharpness draws to --plot FILE"),
    (["--plot", "x.png"], "several run files are drawn together with --landscape"),
    (["--landscape", "spiral", "--plot", "x.png"], "'spiral' is not one of 'pca', 'filter'"),
])  # fmt: skip
def test_plot_landscape_bad_input_is_one_line(capsys, network_runs, extra, message):
    files = [network_runs / "adam.json", network_runs / "gd.json"]
    code, _, err = run(capsys, "plot", *files, *extra)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_plot_landscape_refuses_runs_of_two_problems(capsys, tmp_path, network_runs):
    other = tmp_path / "rosenbrock.json"
    assert main(["run", "adam", "-f", "rosenbrock", "--n-iter", "5", "--json", str(other),
                 "--save-path", "-q"]) == 0  # fmt: skip
    code, _, err = run(capsys, "plot", network_runs / "adam.json", other, "--landscape", "pca",
                       "--plot", tmp_path / "x.png")  # fmt: skip
    assert code == 2 and "must be of one problem" in err
