"""The examples of the README and of the documentation's pages run as written (#20, #25).

Each ```python block is run as a script in a fresh process in an empty folder, the blocks of
one page in order (a later block may use what an earlier one made). A block that shows a form
rather than a program (``...`` in place of arguments) is marked on the line before it with the
MyST comment ``% not run: <why>``, which the site does not show. The README's blocks run in the
default test run, the pages' (longer: sweeps, benchmarks, training) in the slow one.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"(?P<before>[^\n]*)\n```python\n(?P<code>.*?)\n```", re.DOTALL)
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").rglob("*.md")
               if "_build" not in p.parts and BLOCK.search("\n" + p.read_text()))  # fmt: skip


def runnable_blocks(path: Path) -> list[str]:
    text = "\n" + path.read_text(encoding="utf-8")
    return [m["code"] for m in BLOCK.finditer(text) if not m["before"].startswith("% not run")]


def run_page(path: Path, folder: Path) -> None:
    program = "\n\n".join(runnable_blocks(path))
    assert program, f"{path.name} has no runnable Python block"
    done = subprocess.run([sys.executable, "-c", program], cwd=folder, capture_output=True,
                          text=True, timeout=900)  # fmt: skip
    assert done.returncode == 0, f"{path.name}:\n{done.stderr[-3000:]}"


def test_the_readme_examples_run(tmp_path):
    run_page(ROOT / "README.md", tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_the_documentation_examples_run(page, tmp_path):
    run_page(ROOT / page, tmp_path)


def test_every_page_with_python_is_tested():
    assert "docs/getting-started.md" in PAGES and "docs/how-to/sweeps.md" in PAGES
    assert len(PAGES) >= 10


def readme_command_lines(page: str = "README.md") -> list[str]:
    """A page's command lines that run descentlab (installs and servers aside)."""
    text = (ROOT / page).read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", text, re.DOTALL)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith("descentlab ") and " serve" not in line]


@pytest.mark.slow
@pytest.mark.parametrize("line", readme_command_lines())
def test_the_readme_command_lines_run(line, tmp_path):
    program = Path(sys.executable).parent / "descentlab"
    done = subprocess.run([str(program), *shlex.split(line)[1:]], cwd=tmp_path,
                          capture_output=True, text=True, timeout=900)  # fmt: skip
    assert done.returncode == 0, f"{line}\n{done.stderr[-2000:]}"
    written = [word for word in shlex.split(line) if re.search(r"\.(png|gif)$|/$", word)]
    for name in written:  # the pictures and reports it was asked for are there
        assert (tmp_path / name).exists(), f"{line} wrote no {name}"


@pytest.mark.slow
def test_the_landscape_pages_command_lines_run_in_order(tmp_path):
    program = Path(sys.executable).parent / "descentlab"
    lines = readme_command_lines("docs/how-to/landscapes.md")
    assert len(lines) == 6
    for line in lines:  # later lines draw the runs the earlier ones saved
        done = subprocess.run([str(program), *shlex.split(line)[1:]], cwd=tmp_path,
                              capture_output=True, text=True, timeout=900)  # fmt: skip
        assert done.returncode == 0, f"{line}\n{done.stderr[-2000:]}"
    for name in ("plane.png", "around.png", "sharpness.png"):
        assert (tmp_path / name).exists()


def test_the_readme_has_command_lines():
    assert len(readme_command_lines()) >= 5
