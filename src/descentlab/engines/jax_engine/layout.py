"""Where a compiled run's starts go: over which devices, in which tiles, padded to fit.

**Devices.** XLA's CPU backend may split a large fused loop over its threads, but does so only
for some programs and, for the same program, in some processes and not in others (a hand-written
optax loop over 100,000 starts ran 1.0-1.9x faster on two cores than on one, by process); and it
never keeps a batch in a core's cache. So when the JAX engine is first loaded and JAX has not
started yet, it asks JAX for one CPU device per core the process may use
(``jax_num_cpu_devices``), unless the user chose a number already (that setting, or
``--xla_force_host_platform_device_count`` in ``XLA_FLAGS``). ``DESCENTLAB_CPU_DEVICES=N``
chooses N; ``DESCENTLAB_CPU_DEVICES=1`` turns the spreading off. A run then spreads its starts
over the devices when each gets at least :data:`MIN_STARTS_PER_DEVICE`. On a GPU machine the
devices are the GPUs (JAX's default backend): the starts spread over them the same way, and are
not tiled (the tiles are for a CPU core's cache). A process that started JAX before loading the
engine keeps its devices.

**Tiles and padding.** See :mod:`descentlab.engines.jax_engine.quick` (the quick and the tested
roads; a run that records or uses a step rule is not tiled). Tiles are used with more than one
device only: one core streaming the whole batch is as quick as one working tile by
tile (XLA pays per loop iteration and per tile), but two cores streaming at once share the
memory bus, and tiles take them off it. The batch is padded with
copies of its last start to a multiple of (devices x tile size); a copy does exactly what its
original does, so it changes no count and no stopping decision, and the host drops the copies
from the result.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from descentlab.engines.jax_engine.quick import AXIS, TILE_BYTES

ENVIRONMENT = "DESCENTLAB_CPU_DEVICES"
MIN_STARTS_PER_DEVICE = 512
MAX_CPU_DEVICES = 256
_ALIGN = 8  # tile sizes in whole vectors


def ask_for_cpu_devices() -> None:
    """One CPU device per usable core, before JAX starts (see the module's docstring)."""
    from jax._src import xla_bridge

    if xla_bridge.backends_are_initialized() or jax.config.jax_num_cpu_devices != -1:
        return
    if re.search(r"xla_force_host_platform_device_count", os.environ.get("XLA_FLAGS", "")):
        return
    count = wanted_devices(os.environ.get(ENVIRONMENT, ""))
    if count and count > 1:
        jax.config.update("jax_num_cpu_devices", count)


def wanted_devices(text: str) -> int | None:
    """The device count ``DESCENTLAB_CPU_DEVICES`` asks for (``text``), or the usable cores
    when it is empty."""
    wanted = text.strip()
    if not wanted:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    # ASCII digits only ("²".isdigit() is True), and a bound: XLA makes every device asked for,
    # and 100,000 of them keep it busy for good
    if not re.fullmatch(r"[0-9]{1,4}", wanted) or not 1 <= int(wanted) <= MAX_CPU_DEVICES:
        raise ValueError(f"{ENVIRONMENT} must be a whole number of devices from 1 to "
                         f"{MAX_CPU_DEVICES}, not {wanted!r}")  # fmt: skip
    return int(wanted)


@dataclass(frozen=True)
class Layout:
    """``shards`` devices (their ``mesh``, or None for one), ``tile`` starts per tile on the
    quick road (0: no tiles), and the padded batch size ``padded``."""

    shards: int
    mesh: Mesh | None
    tile: int
    padded: int


def layout(n: int, bytes_per_start: int, tileable: bool) -> Layout:
    """The layout of a run of ``n`` starts holding ``bytes_per_start`` of state each, in tiles
    when ``tileable`` (a run on the quick or the tested road)."""
    devices = jax.devices()
    shards = len(devices) if n >= MIN_STARTS_PER_DEVICE * len(devices) else 1
    local = math.ceil(n / shards)
    tile = 0
    if tileable and shards > 1 and devices[0].platform == "cpu":
        size = max(_ALIGN, TILE_BYTES // max(bytes_per_start, 1))
        if size < local:
            tiles = math.ceil(local / size)
            tile = _ALIGN * math.ceil(math.ceil(local / tiles) / _ALIGN)
            local = tiles * tile
    mesh = Mesh(np.array(devices[:shards]), (AXIS,)) if shards > 1 else None
    return Layout(shards, mesh, tile, local * shards)


def padded(array: np.ndarray, size: int) -> np.ndarray:
    """``array`` with its last row repeated up to ``size`` rows."""
    extra = size - array.shape[0]
    if extra <= 0:
        return array
    return np.concatenate([array, np.repeat(array[-1:], extra, axis=0)])


def placed(tree, plan_layout: Layout, n: int):
    """The per-start leaves of ``tree`` (first axis ``n``) spread over the devices, the rest on
    every device, in one transfer; unchanged with one device."""
    if plan_layout.mesh is None:
        return tree
    spread = NamedSharding(plan_layout.mesh, PartitionSpec(AXIS))
    everywhere = NamedSharding(plan_layout.mesh, PartitionSpec())
    leaves, structure = jax.tree_util.tree_flatten(tree)
    arrays = [i for i, leaf in enumerate(leaves) if isinstance(leaf, np.ndarray | np.generic)]
    where = [spread if leaves[i].ndim >= 1 and leaves[i].shape[0] == n else everywhere
             for i in arrays]  # fmt: skip
    for i, array in zip(arrays, jax.device_put([leaves[i] for i in arrays], where), strict=True):
        leaves[i] = array
    return jax.tree_util.tree_unflatten(structure, leaves)
