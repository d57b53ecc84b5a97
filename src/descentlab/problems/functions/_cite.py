"""Citations shared by many catalog entries."""

SFU = "Surjanovic & Bingham, Virtual Library of Simulation Experiments (SFU), '{}'"


def sfu(title: str) -> str:
    """The SFU Virtual Library page ``title``."""
    return SFU.format(title)
