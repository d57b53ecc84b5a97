"""The playground page in a real browser: Playwright driving the system's Chromium.

Chromium comes from the system packages (``apt-get install -y chromium``, done by ``.ci/run``);
Playwright's own browser download is not used.
"""

import shutil

import numpy as np
import pytest

sync_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("fastapi")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("no system Chromium (apt-get install -y chromium)", allow_module_level=True)

from tests.playground_server import running_server  # noqa: E402

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
IDLE = "document.body.dataset.ready === 'yes' && window.playground.busy === 0"


@pytest.fixture(scope="module")
def browser():
    with running_server() as base, sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        chromium.base = base
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(browser.base + "/")
    page.wait_for_function(IDLE, timeout=20_000)
    yield page
    page.close()


def drawn(page):
    return page.evaluate("window.playground.drawn")


def act(page, action):
    """Do ``action`` and wait until the page has shown the answer to it (no fixed delays:
    the page counts the answers it has drawn or said)."""
    before = page.evaluate("window.playground.answers")
    action()
    page.wait_for_function(f"window.playground.answers > {before} && window.playground.busy === 0",
                           timeout=20_000)  # fmt: skip


def test_the_page_loads_without_errors_and_draws(page):
    assert page.errors == []
    picture = drawn(page)
    assert picture["contourLevels"] >= 8
    assert [len(p["points"]) for p in picture["paths"]] == [301, 301]
    assert page.locator("#results tbody tr").count() == 2


def test_choosing_a_function_draws_its_contours(page):
    act(page, lambda: page.select_option("#function", "himmelblau"))
    assert page.evaluate("window.playground.lastRun.problem.name") == "himmelblau"
    assert page.evaluate("window.playground.surface.minimum") == 0
    assert drawn(page)["contourLevels"] >= 8
    assert page.locator("#formula").inner_text() == page.evaluate(
        "window.playground.meta.functions.find(f => f.name === 'himmelblau').formula"
    )


def test_a_click_sets_the_start_and_a_path_appears(page):
    box = page.locator("#map").bounding_box()
    act(page, lambda: page.mouse.click(box["x"] + box["width"] * 0.7,
                                       box["y"] + box["height"] * 0.3))  # fmt: skip
    start = page.evaluate("window.playground.state.start")
    assert start[0] > 0.5 and start[1] > 0.5  # right and up of the middle of [-2, 2]^2
    paths = drawn(page)["paths"]
    assert all(np.allclose(p["points"][0], start) for p in paths)
    assert all(len(p["points"]) > 10 for p in paths)


def test_moving_a_slider_changes_the_path(page):
    before = drawn(page)["paths"][0]["points"]
    slider = page.locator("input[type=range][data-optimizer=momentum][data-hyper=step_size]")
    act(page, lambda: slider.evaluate("(s) => { s.value = 300; "
                                      "s.dispatchEvent(new Event('input')); }"))  # fmt: skip
    after = drawn(page)["paths"][0]["points"]
    step = page.evaluate("window.playground.state.optimizers[0].hyperparameters.step_size")
    assert step != 0.0002
    assert after[0] == before[0] and after[5] != before[5]


def test_the_tutorial_preset_reproduces_the_tutorial(page):
    act(page, lambda: page.click("button[data-preset=momentum]"))
    run = page.evaluate("window.playground.lastRun")
    assert run["problem"]["dim"] == 1
    assert run["runs"][0]["final_x"] == [6.17748881095409e-07]  # the tutorial's last line
    assert len(drawn(page)["paths"][0]["points"]) == 31


def test_the_url_holds_the_state(page, browser):
    act(page, lambda: page.click("button[data-preset=amsgrad]"))
    url, state = page.url, page.evaluate("window.playground.state")
    final = page.evaluate("window.playground.lastRun.runs[0].final_x")
    other = browser.new_page()
    other.goto(url)
    other.wait_for_function(IDLE, timeout=20_000)
    assert other.evaluate("window.playground.state") == state
    assert other.evaluate("window.playground.lastRun.runs[0].final_x") == final
    other.close()


def test_a_bad_expression_shows_a_readable_message(page):
    page.fill("#expr", "x**2 + import(y)")
    page.click("#use-expr")
    page.wait_for_function("document.getElementById('message').textContent.length > 0")
    message = page.locator("#message").inner_text()
    assert "does not parse" in message and "Traceback" not in message
    # the only console line is the browser's own note of the 400 answer the page then showed
    assert all("status of 400" in error for error in page.errors)


def test_the_picture_is_not_blank(page, tmp_path):
    path = tmp_path / "map.png"
    page.locator("#map").screenshot(path=str(path))
    import matplotlib.pyplot as plt

    pixels = plt.imread(path)[..., :3]
    colors = np.unique((pixels * 255).astype(int).reshape(-1, 3), axis=0)
    assert len(colors) > 50 and pixels.std() > 0.1


def test_choices_and_switches_are_editable(page):
    act(page, lambda: page.check("#optimizer-list input[data-optimizer=rmsprop]"))
    act(
        page,
        lambda: page.check("input[type=checkbox][data-optimizer=rmsprop][data-hyper=centered]"),
    )
    chosen = page.evaluate("window.playground.state.optimizers.find(o => o.name === 'rmsprop')")
    assert chosen["hyperparameters"]["centered"] is True
    assert page.evaluate("window.playground.lastRun.runs.map(r => r.optimizer)")[-1] == "rmsprop"
    assert page.errors == []


def test_inner_optimizers_counts_and_derived_numbers_are_editable(page):
    act(page, lambda: page.check("#optimizer-list input[data-optimizer=lookahead]"))
    inner = "select[data-optimizer=lookahead][data-hyper=inner]"
    assert page.input_value(inner) == "adam"
    act(page, lambda: page.select_option(inner, "nesterov"))
    chosen = page.evaluate("window.playground.state.optimizers.find(o => o.name === 'lookahead')")
    assert chosen["hyperparameters"]["inner"] == "nesterov"
    act(page, lambda: page.check("#optimizer-list input[data-optimizer=muon]"))
    derived = page.locator("input[data-optimizer=muon][data-hyper-value=consistent_rms]")
    assert derived.input_value() == "" and derived.get_attribute("placeholder") == "auto"
    act(page, lambda: derived.fill("0.2") or derived.dispatch_event("change"))
    steps = page.locator("input[type=range][data-optimizer=muon][data-hyper=ns_steps]")
    act(page, lambda: steps.fill("700"))
    chosen = page.evaluate("window.playground.state.optimizers.find(o => o.name === 'muon')")
    assert chosen["hyperparameters"]["consistent_rms"] == 0.2
    assert chosen["hyperparameters"]["ns_steps"] == round(1 + 0.7 * (20 - 1))  # whole, 1..20
    runs = page.evaluate("window.playground.lastRun.runs.map(r => r.optimizer)")
    assert {"lookahead", "muon"} <= set(runs)
    assert page.errors == []


def test_a_link_naming_an_unknown_optimizer_still_works(browser):
    """The finding: a URL state naming an unknown optimizer broke the page."""
    import json
    import urllib.parse

    state = {
        "problem": {"function": "himmelblau", "dim": 2},
        "start": [1, 1],
        "n_iter": 50,
        "noise": 0,
        "seed": 0,
        "stop_at_target": True,
        "optimizers": [
            {"name": "sgd9000", "hyperparameters": {}},
            {"name": "adam", "hyperparameters": {"alpha": 0.1, "bogus": 3}},
        ],
    }
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(browser.base + "/#state=" + urllib.parse.quote(json.dumps(state)))
    page.wait_for_function(IDLE, timeout=20_000)
    assert errors == []
    assert page.evaluate("window.playground.lastRun.runs.map(r => r.optimizer)") == ["adam"]
    assert "sgd9000" in page.locator("#message").inner_text()
    page.close()


@pytest.mark.parametrize(
    ("text", "names"),
    [("x1**2 + x2**2", ["x1", "x2"]), ("x**2 + z**2", ["x", "z"]), ("(x - 1)**2", ["x"])],
)
def test_expressions_in_their_own_variables_are_drawn(page, text, names):
    """The finding: the page guessed the dimension from the letter y."""
    page.fill("#expr", text)
    act(page, lambda: page.click("#use-expr"))
    assert page.locator("#message").inner_text() == ""
    assert page.evaluate("window.playground.surface.variables") == names
    assert len(drawn(page)["paths"][0]["points"]) > 1
