"""The quick and the tested roads of a compiled run: steps in chunks, tiled for the cache and
spread over the devices.

A run with nothing to test along the way (no tolerance, record, projection or step rule) steps
every start every iteration, so its starts are independent within a chunk of :data:`CHUNK`
steps. That buys two things a batch-at-a-time loop (``vmap`` of a ``scan``) cannot have:

- **tiles**: each device runs the chunk on one tile of starts at a time (``lax.map``), about
  :data:`TILE_BYTES` of state, which stays in the core's cache for the whole chunk instead of
  streaming the batch through memory at every step;
- **devices**: the starts are split over the CPU's cores as JAX devices (``shard_map``), each
  core running its share of the tiles.

After a chunk every point is tested once; a chunk in which some start diverged is taken back
and run again with the per-start tests (:mod:`descentlab.engines.jax_engine.loop`), so statuses
and final points are the same either way. Where the gradient needs no state of its own (no
minibatch order, no online sums), it is computed from the point inside the step instead of being
carried from the step before, which saves one pass over memory per step.

A run with tests but no record and no step rule takes the **tested road** (:func:`tested_road`):
the same chunks and tiles, each step with all of its per-start tests (tolerances, divergence,
projection), so a tile's bookkeeping stays in the cache too; the tiles' starts are independent,
and every tile counts the same calls. What a tile cannot know is when the whole batch has
stopped (the step-by-step loop ends there, and a stopped start's optimizer state still moves
until then): so a chunk at whose end no start is going is taken back, and the step-by-step loop
runs it again. On the 10,000-setting sweep's batch of 50,000 starts with a value target this
took a run from 0.39 s to 0.24 s (2 cores, AMD EPYC, 2026-12-02).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax
from jax.sharding import PartitionSpec

from descentlab.engines.jax_engine import draws

#: Steps per chunk: the finite test and the choice between the chunk and its rerun cost about
#: one step's memory traffic per chunk.
CHUNK = 128
#: The state a tile of starts holds (points, gradients, optimizer state): about what a core's
#: second-level cache keeps.
TILE_BYTES = 256 * 1024
AXIS = "starts"


def quick_road(plan, inputs, carry):
    """Chunks of plain steps while every point stays finite; returns the carry to go on from
    with the per-start tests (at the end, or at the start of the chunk in which some start
    diverged)."""
    return _chunks(inputs, carry, lambda c: _plain_chunk(plan, inputs, c),
                   lambda c: jnp.all(jnp.isfinite(c.x)), jnp.all(carry.active))  # fmt: skip


def tested_road(plan, inputs, carry, step):
    """Chunks of ``step`` (an iteration with every test) run tile by tile, each tile for the
    whole chunk; a chunk at whose end no start is going any more is taken back, for the
    step-by-step loop to run again and end where the last start stopped."""
    per_start, whole = _apart(inputs)

    def ahead(c):
        end = jnp.minimum(c.i + CHUNK, inputs.n_iter)

        def steps(moving, given):
            given = whole(given)
            return lax.while_loop(lambda c: c.i < end, lambda c: step(plan, given, c), moving)

        return _spread(plan, steps, c, per_start, c.x.shape[0])

    return _chunks(inputs, carry, ahead, lambda c: jnp.any(c.active), jnp.any(carry.active))


def _chunks(inputs, carry, ahead, keep, going):
    """``ahead`` (the carry a chunk on) while ``keep`` holds at a chunk's end and iterations
    are left; the chunk at whose end it fails is taken back (``going``: whether to begin)."""

    def chunk(both):
        c, _ = both
        later = ahead(c)
        kept = keep(later)
        return jax.tree_util.tree_map(lambda a, b: jnp.where(kept, a, b), later, c), kept

    carry, _ = lax.while_loop(lambda both: both[1] & (both[0].i < inputs.n_iter), chunk,
                              (carry, going))  # fmt: skip
    return carry


def _spread(plan, steps, moving, given, n: int):
    """``steps(moving, given)`` laid out as the plan says: tile by tile on each device's share
    of the ``n`` starts."""
    if plan.tile and plan.tile < n // plan.shards:
        steps = _tiled(steps, n // plan.shards, plan.tile)
    if plan.mesh is not None:
        steps = _sharded(steps, plan.mesh, moving, given, n)
    return steps(moving, given)


def _apart(inputs):
    """``inputs`` without the arrays that are not per start (the box, the record's index, the
    normal table, the starts themselves), and a function putting them back. Leaves are split
    into tiles and shards by their first axis, and a box of as many coordinates as a device has
    starts would be cut with them."""
    table = None if inputs.draws is None else inputs.draws.table
    draws = None if table is None else inputs.draws._replace(table=None)
    per_start = inputs._replace(x0=None, state0=None, lo=None, hi=None, record_index=None,
                                draws=draws)  # fmt: skip

    def whole(given):
        draws = given.draws if table is None else given.draws._replace(table=table)
        return given._replace(lo=inputs.lo, hi=inputs.hi, record_index=inputs.record_index,
                              draws=draws)  # fmt: skip

    return per_start, whole


def _plain_chunk(plan, inputs, c):
    """Up to CHUNK plain steps of every start from the carry ``c``."""
    end = jnp.minimum(c.i + CHUNK, inputs.n_iter)
    per_start, whole = _apart(inputs)

    def steps(moving, given):
        given = whole(given)
        return _steps(plan, inputs, (given.optimizer, given.draws), c.i, end, *moving)

    moving = (c.x, c.g, c.state, c.extra)
    x, g, state, extra = _spread(plan, steps, moving, per_start, c.x.shape[0])
    calls = c.calls + jnp.stack([0, end - c.i]).astype(jnp.int32)
    return c._replace(i=end, x=x, g=g, state=state, extra=extra, calls=calls)


def _steps(plan, inputs, given, start, end, x, g, state, extra):
    """Plain steps from iteration ``start`` to ``end`` on the starts at hand."""
    optimizer, draw_inputs = given
    problem_grad = plan.problem.grad

    def gradient(x, i, extra):
        return draws.gradient(plan.draws, problem_grad, draw_inputs, x, i, extra)

    if plan.draws is None or plan.draws.pure:  # the gradient from the point, inside the step

        def one(loop):
            i, x, state = loop
            x, state = optimizer.step(x, gradient(x, i, extra)[0], state)
            return i + 1, x, state

        _, x, state = lax.while_loop(lambda loop: loop[0] < end, one, (start, x, state))
        return x, gradient(x, end, extra)[0], state, extra

    def carried(loop):
        i, x, g, state, extra = loop
        x, state = optimizer.step(x, g, state)
        g, extra = gradient(x, i + 1, extra)
        return i + 1, x, g, state, extra

    _, x, g, state, extra = lax.while_loop(lambda loop: loop[0] < end, carried,
                                           (start, x, g, state, extra))  # fmt: skip
    return x, g, state, extra


def _rows(leaf, n: int) -> bool:
    """True for a leaf that holds one row per start (its first axis is the batch of ``n``)."""
    return getattr(leaf, "ndim", 0) >= 1 and leaf.shape[0] == n


# The trees are handled as flat lists of leaves: an optimizer is a pytree whose structure
# depends on its values' types, so a tree of flags or specs in its place would not line up.


def _tiled(steps, n: int, tile: int):
    """``steps`` run on tiles of ``tile`` starts one after another (``n`` a multiple of it)."""

    def run(moving, given):
        leaves, tree = jax.tree_util.tree_flatten((moving, given))
        flags = [_rows(leaf, n) for leaf in leaves]
        tiled = [a.reshape(n // tile, tile, *a.shape[1:])
                 for a, f in zip(leaves, flags, strict=True) if f]  # fmt: skip

        def one_tile(rows):
            rows = iter(rows)
            full = [next(rows) if f else a for a, f in zip(leaves, flags, strict=True)]
            return steps(*jax.tree_util.tree_unflatten(tree, full))

        out = lax.map(one_tile, tiled)
        return jax.tree_util.tree_map(lambda a: _untile(a, n), out)

    return run


def _untile(a, n: int):
    """A tiled output back to the batch: ``(tiles, tile, ...)`` to ``(n, ...)``; a value all
    tiles share (a scalar of the state, the epoch) from the first tile."""
    if a.ndim >= 2 and a.shape[0] * a.shape[1] == n:
        return a.reshape(n, *a.shape[2:])
    return a[0]


def _sharded(steps, mesh, moving, given, n: int):
    """``steps`` on each device's share of the starts (``shard_map``); what it returns has the
    structure of ``moving``."""
    leaves, tree = jax.tree_util.tree_flatten((moving, given))
    out_leaves, out_tree = jax.tree_util.tree_flatten(moving)

    def spec(leaf):
        return PartitionSpec(AXIS) if _rows(leaf, n) else PartitionSpec()

    def flat(*leaves):
        out = steps(*jax.tree_util.tree_unflatten(tree, list(leaves)))
        return tuple(jax.tree_util.tree_leaves(out))

    mapped = jax.shard_map(
        flat,
        mesh=mesh,
        in_specs=tuple(spec(a) for a in leaves),
        out_specs=tuple(spec(a) for a in out_leaves),
        check_vma=False,
    )

    def run(moving, given):
        out = mapped(*jax.tree_util.tree_leaves((moving, given)))
        return jax.tree_util.tree_unflatten(out_tree, list(out))

    return run
