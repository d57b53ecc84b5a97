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

# The JAX engine spreads big batches over one CPU device per core when it is the first to start
# JAX; which test starts JAX first depends on the order, so the tests fix two devices for every
# process (each test that needs one device, or none, says so).
os.environ.setdefault("DESCENTLAB_CPU_DEVICES", "2")
try:
    import jax

    jax.config.update("jax_num_cpu_devices", int(os.environ["DESCENTLAB_CPU_DEVICES"]))
except ImportError:  # the engine's tests skip themselves
    pass
