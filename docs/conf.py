"""Sphinx configuration of descentlab's documentation site.

Build it with ``descentlab docs`` (or ``python -m sphinx -W -b html docs docs/_build/html``).
Everything is offline: the PyData theme's assets are bundled, no intersphinx inventory is
fetched, and formulas are written as code (MathJax would come from a CDN).
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DESCENTLAB_CPU_DEVICES", "2")

import descentlab  # noqa: E402

project = "descentlab"
author = "the descentlab developers"
copyright = "2026, the descentlab developers"
release = descentlab.__version__
version = release

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.viewcode",
    "sphinx_click",
    "sphinx_copybutton",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "**/*.ipynb", "**/*.py.md5", "**/*.codeobj.json",
                    "**/sg_execution_times.rst"]  # fmt: skip
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autosummary_generate = True
autodoc_typehints = "none"
autodoc_preserve_defaults = True  # `xp=np`, not `xp=<module 'numpy' from '/home/...'>`
templates_path = ["_templates"]
autodoc_default_options: dict = {}
numpydoc_show_class_members = False
numpydoc_validation_checks: set[str] = set()
numpydoc_xref_param_type = False


BUILD_STARTED = time.time()  # GIFs older than the build are not an example's output


def gif_scraper(block, block_vars, gallery_conf):
    """Show the GIFs an example wrote (``plot.save_animation``) as its pictures.

    Matplotlib's own animation output needs ffmpeg or loads its buttons' icons from a CDN; a
    GIF is what descentlab writes anyway, and it plays offline. The GIF is moved out of the
    examples' folder into the gallery's images.
    """
    from sphinx_gallery.scrapers import figure_rst

    folder = Path(block_vars["src_file"]).parent
    written = [gif for gif in sorted(folder.glob("*.gif")) if gif.stat().st_mtime >= BUILD_STARTED]
    moved = []
    targets = block_vars["image_path_iterator"]
    for gif, target in zip(written, targets, strict=False):
        target = Path(target).with_suffix(".gif")
        shutil.move(gif, target)
        moved.append(str(target))
    return figure_rst(moved, gallery_conf["src_dir"])


sphinx_gallery_conf = {
    "examples_dirs": [str(ROOT / "examples" / "tutorials"), str(ROOT / "examples" / "gallery")],
    "gallery_dirs": ["tutorials", "gallery"],
    "filename_pattern": r"/(plot|run)_",
    "image_scrapers": ("matplotlib", gif_scraper),
    "write_computation_times": False,  # its page loads jQuery and DataTables from a CDN
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "show_memory": False,
    "reset_modules": ("matplotlib",),
    "capture_repr": ("_repr_html_", "__repr__"),
    # a block ending in a plotting call would print Text(...) or <matplotlib.legend.Legend ...>
    "ignore_repr_types": r"matplotlib|mpl_toolkits|PIL",
}

html_theme = "pydata_sphinx_theme"
html_title = "descentlab"
html_static_path = ["_static"]
html_css_files = ["descentlab.css"]
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "use_edit_page_button": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "getting-started": []}
html_show_sourcelink = False
html_last_updated_fmt = None
# Offline: no external inventories; the pages write formulas as code, so no page needs MathJax
# (a test checks that no built page loads anything from another host).
intersphinx_mapping: dict = {}
suppress_warnings = ["config.cache"]
