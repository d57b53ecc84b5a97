import os
from pathlib import Path

import pytest
from hypothesis import settings

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def golden():
    """The lines a tutorial printed, whitespace folded (the web page collapsed runs of spaces)."""

    def read(name: str) -> list[str]:
        return (GOLDEN / f"{name}.txt").read_text().splitlines()

    return read


def fold(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


# CI replays the same property-test examples every run (a red CI must be reproducible);
# a developer's run explores new ones.
settings.register_profile("ci", derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")
