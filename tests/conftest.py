from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def golden():
    """The lines a tutorial printed, whitespace folded (the web page collapsed runs of spaces)."""

    def read(name: str) -> list[str]:
        return (GOLDEN / f"{name}.txt").read_text().splitlines()

    return read


def fold(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]
