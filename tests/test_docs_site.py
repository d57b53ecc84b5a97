"""The documentation site (#25): it builds with warnings as errors, every public name and every
command has a page, its local links resolve, nothing is loaded from another host, its pages look
right in a real browser, and the gallery's notebooks run top to bottom.

Slow: the site is built as the README says, after installing the docs extra in a fresh virtual
environment (about 3.5 minutes on two cores: 2 to install, 1.3 to build with every gallery
example), and the notebooks run again in nbclient.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import pytest

pytest.importorskip("sphinx")
pytest.importorskip("sphinx_gallery")

import descentlab as dl
from descentlab.cli._app import COMMANDS

# With --dist loadgroup (as .ci/run runs the slow tests) one worker builds the site once; without
# it each worker that gets one of these tests builds its own copy.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("docs-site")]
ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*/plot_*.py"))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site built exactly as the README says, in a fresh copy of the checkout (its tracked
    files) with a fresh virtual environment: ``pip install -e '.[docs]'``, then
    ``descentlab docs``. So the docs extra is held to build the site on its own (it had lacked
    the gallery's and the API pages' libraries), and the build never touches the checkout."""
    root = tmp_path_factory.mktemp("checkout")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, root / name)
    began = time.perf_counter()
    for command in (
        "python3 -m venv .venv",
        ".venv/bin/pip install -q -e '.[docs]'",
        ".venv/bin/descentlab docs",
    ):  # the README's words
        done = subprocess.run(command, shell=True, cwd=root, capture_output=True, text=True,
                              timeout=2400)  # fmt: skip
        assert done.returncode == 0, command + "\n" + done.stdout[-3000:] + done.stderr[-3000:]
    print(f"installed and built in {time.perf_counter() - began:.0f} s")
    return root / "docs" / "_build" / "html"


class Page(HTMLParser):
    """The ids, links and loaded assets of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("script", "img", "iframe", "source") and attrs.get("src"):
            self.assets.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.assets.append(attrs["href"])
            self.links.append(attrs["href"])


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def pages(site: Path) -> dict[Path, Page]:
    skipped = {"_modules", "_static"}  # highlighted sources; the theme's own template files
    return {path: parse(path) for path in site.rglob("*.html") if not skipped & set(path.parts)}


def test_every_public_name_has_a_page(site):
    documented = set().union(*(page.ids for page in pages(site).values()))
    own_page = {path.stem for path in (site / "reference" / "generated").glob("*.html")}
    missing = [name for name in dl.__all__
               if f"descentlab.{name}" not in documented | own_page]  # fmt: skip
    assert not missing, f"no page documents {missing}"


def test_every_command_has_a_page(site):
    page = parse(site / "reference" / "cli.html")
    missing = [name for name in COMMANDS if f"descentlab-{name}" not in page.ids]
    assert not missing, f"the CLI reference lacks {missing}"
    nested = {"runs": ["list", "show", "export"], "run": ["adam", "amsgrad"]}
    for group, subcommands in nested.items():
        for sub in subcommands:
            assert f"descentlab-{group}-{sub}" in page.ids


def test_local_links_resolve(site):
    parsed = pages(site)
    broken = []
    for path, page in parsed.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("//", "mailto:")):
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{path.relative_to(site)} -> {link}")
            elif parts.fragment and target in parsed and \
                    unquote(parts.fragment) not in parsed[target].ids:  # fmt: skip
                broken.append(f"{path.relative_to(site)} -> {link} (no such anchor)")
    assert not broken, "\n".join(broken[:20])


def test_nothing_is_loaded_from_another_host(site):
    remote = [(path.name, asset) for path, page in pages(site).items() for asset in page.assets
              if urlsplit(asset).scheme in ("http", "https") or asset.startswith("//")]  # fmt: skip
    assert not remote, remote[:10]


def test_every_example_ran_and_offers_its_script_and_notebook(site):
    assert len(EXAMPLES) >= 17  # the gallery's 15 and more, and the two tutorials
    for example in EXAMPLES:
        page = site / example.parent.name / f"{example.stem}.html"
        text = page.read_text(encoding="utf-8")
        assert "sphx-glr-single-img" in text or "sphx-glr-multi-img" in text or \
            "sphx-glr-script-out" in text, f"{example.name} shows no output"  # fmt: skip
        assert f"{example.stem}.py" in text and f"{example.stem}.ipynb" in text


def test_gallery_outputs_show_no_matplotlib_reprs(site):
    """The finding: gallery pages printed Out: Text(...) and <matplotlib.legend.Legend ...>."""
    noisy = [path.name for folder in ("gallery", "tutorials")
             for path in (site / folder).glob("plot_*.html")
             if re.search(r"&lt;matplotlib\.|\bText\(|&lt;mpl_toolkits",
                          path.read_text(encoding="utf-8"))]  # fmt: skip
    assert not noisy, noisy


def test_the_api_pages_say_what_minimize_returns(site):
    text = (site / "reference" / "generated" / "descentlab.minimize.html").read_text("utf-8")
    assert ">Returns<" in text and "descentlab.results.result.Result" in text
    assert "&lt;module" not in text  # defaults as written (xp=np), not a module's repr


def test_the_tutorials_reproduce_the_printed_traces(site):
    text = (site / "tutorials" / "plot_1_momentum.html").read_text(encoding="utf-8")
    assert "f([6.17748881e-07]) = 0.000000" in text  # the tutorial's last line, digit for digit


class VisibleText(HTMLParser):
    """The text a reader sees on a page, outside code blocks, scripts and styles."""

    HIDDEN = frozenset({"pre", "script", "style", "code"})

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.depth += tag in self.HIDDEN

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag in self.HIDDEN

    def handle_data(self, data: str) -> None:
        if self.depth == 0:
            self.parts.append(data)


RAW_MARKUP = re.compile(r"\.\. [a-z][a-z-]*::|:default:|``[^`\s][^`]*``|\{[a-z]+\}`")


def test_no_page_shows_raw_markup(site):
    """The finding: sphinx-click's reST inside a Markdown page showed over a thousand raw
    directives (.. program::, .. option:: --version, :default: ``200``) as text."""
    shown = {}
    for path in site.rglob("*.html"):
        reader = VisibleText()
        reader.feed(path.read_text(encoding="utf-8"))
        found = RAW_MARKUP.findall(" ".join(reader.parts))
        if found:
            shown[str(path.relative_to(site))] = found[:3]
    assert not shown, shown
    cli = (site / "reference" / "cli.html").read_text(encoding="utf-8")
    assert cli.count('class="std option"') > 100 and "–version" not in cli


# --- in a real browser -------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
BROKEN_IMAGES = (
    "[...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
)


@pytest.mark.skipif(CHROMIUM is None, reason="no system Chromium (apt-get install -y chromium)")
@pytest.mark.parametrize("page_path", ["index.html", "tutorials/plot_1_momentum.html",
                                       "gallery/index.html"])  # fmt: skip
def test_pages_look_right_in_chromium(site, page_path, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto((site / page_path).as_uri())
            page.wait_for_load_state("load")
            page.wait_for_function("[...document.images].every(i => i.complete)")
            assert page.evaluate(BROKEN_IMAGES) == []
            assert page.evaluate("document.images.length") >= 3
            shot = tmp_path / "page.png"
            page.screenshot(path=str(shot), full_page=False)
        finally:
            browser.close()
    assert not errors, errors
    pixels = _pixels(shot)
    assert pixels.std() > 10, "the page looks blank"
    assert len(np.unique(pixels.reshape(-1, pixels.shape[-1]), axis=0)) > 50


OVERFLOW = """() => {
    const column = document.querySelector('.bd-article') || document.body;
    const right = column.getBoundingClientRect().right + 2;
    // blocks that scroll inside themselves, and the pilcrow links shown only on hover
    const scrolls = 'pre, .highlight, table, .table-wrapper, .sphx-glr-script-out, svg, '
        + '.headerlink';
    return [...column.querySelectorAll('*')]
        .filter(e => e.getBoundingClientRect().right > right && !e.closest(scrolls))
        .slice(0, 3).map(e => e.tagName + ': ' + (e.textContent || '').slice(0, 60));
}"""


@pytest.mark.skipif(CHROMIUM is None, reason="no system Chromium (apt-get install -y chromium)")
def test_every_page_loads_whole_and_stays_in_its_column(site):
    """Every page in Chromium: no script error, no broken image, and nothing but scrollable
    blocks past the content column's right edge (a long command had run off it)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    faults = {}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            for path in sorted(site.rglob("*.html")):
                errors.clear()
                page.goto(path.as_uri())
                page.wait_for_load_state("load")
                page.wait_for_function("[...document.images].every(i => i.complete)")
                found = [*errors, *page.evaluate(BROKEN_IMAGES), *page.evaluate(OVERFLOW)]
                if found:
                    faults[str(path.relative_to(site))] = found
        finally:
            browser.close()
    assert not faults, faults


def _pixels(path: Path) -> np.ndarray:
    import matplotlib.image

    return (matplotlib.image.imread(path)[..., :3] * 255).astype(np.uint8)


# --- the gallery's notebooks -------------------------------------------------------------------


def test_the_gallery_notebooks_run_top_to_bottom(site, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebooks = {path.name: path for path in (site / "_downloads").rglob("plot_*.ipynb")}
    assert sorted(notebooks) == sorted(f"{e.stem}.ipynb" for e in EXAMPLES)
    for name, path in sorted(notebooks.items()):
        notebook = nbformat.read(path, as_version=4)
        where = {"metadata": {"path": str(tmp_path)}}  # the files a notebook writes go there
        client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                         resources=where)  # fmt: skip
        client.execute()  # raises CellExecutionError, naming the cell, when one fails
        outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
        assert not any(o.get("output_type") == "error" for o in outputs), name
        assert outputs, f"{name} printed and drew nothing"
