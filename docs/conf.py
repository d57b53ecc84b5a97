"""Sphinx configuration of descentlab's documentation site.

Build it with ``descentlab docs`` (or ``python -m sphinx -W -b html docs docs/_build/html``).
Everything is offline: the PyData theme's assets are bundled, no intersphinx inventory is
fetched, and math is written as code (MathJax would come from a CDN).
"""

from __future__ import annotations

import os
import sys
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
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_validation_checks: set[str] = set()
numpydoc_xref_param_type = False

sphinx_gallery_conf = {
    "examples_dirs": [str(ROOT / "examples" / "tutorials"), str(ROOT / "examples" / "gallery")],
    "gallery_dirs": ["tutorials", "gallery"],
    "filename_pattern": r"/(plot|run)_",
    "matplotlib_animations": True,
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "show_memory": False,
    "reset_modules": ("matplotlib",),
    "capture_repr": ("_repr_html_", "__repr__"),
}

html_theme = "pydata_sphinx_theme"
html_title = "descentlab"
html_static_path = ["_static"]
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
# Offline: no MathJax from a CDN (the pages write formulas as code), no external inventories.
mathjax_path = ""
intersphinx_mapping: dict = {}
suppress_warnings = ["config.cache"]
