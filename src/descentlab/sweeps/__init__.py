"""Many settings at once: grids run as vectorized batches, a store that survives a kill,
Optuna tuning, and Dask for more than one process or machine."""

from descentlab.sweeps.grid import Axis, Grid, make_grid, parse_axis
from descentlab.sweeps.problems import CatalogProblem
from descentlab.sweeps.store import Store
from descentlab.sweeps.sweep import sweep

__all__ = ["Axis", "CatalogProblem", "Grid", "Store", "make_grid", "parse_axis", "sweep"]
