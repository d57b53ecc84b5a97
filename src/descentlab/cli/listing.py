"""``descentlab functions`` and ``descentlab optimizers``: what exists, as tables or JSON."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from descentlab.functions import FUNCTIONS
from descentlab.optimizers import OPTIMIZERS


def _functions_rows() -> list[dict]:
    rows = []
    for entry in FUNCTIONS.values():
        dim = entry.resolve_dim(None)
        rows.append(
            {
                "name": entry.name,
                "dim": entry.dim if entry.dim is not None else f">= {entry.min_dim}",
                "domain": entry.bounds(dim).tolist() if entry.dim else list(entry.domain[0]),
                "minimum": entry.minimum_value(dim),
                "minimizers": entry.minimizers(dim).tolist(),
                "shown_for_dim": dim,
                "parameters": dict(entry.parameters),
                "formula": entry.formula,
                "description": entry.description,
                "citation": entry.citation,
            }
        )
    return rows


def _point(values) -> str:
    """A point or a list of bounds, numbers to 4 significant digits."""
    if isinstance(values, (list, tuple)):
        return "(" + ", ".join(_point(v) for v in values) + ")"
    return f"{values:.4g}"


def _optimizers_rows() -> list[dict]:
    return [
        {
            "name": name,
            "class": cls.__name__,
            "hyperparameters": {h.name: h.default for h in cls.hyperparameters()},
            "summary": cls.summary,
            "reference": cls.reference,
        }
        for name, cls in OPTIMIZERS.items()
    ]


@click.command("functions")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def functions_command(as_json: bool) -> None:
    """List the test functions: formula, domain and known minimum."""
    rows = _functions_rows()
    if as_json:
        click.echo(json.dumps(rows, indent=1))
        return
    table = Table(title="descentlab test functions")
    for column in ("name", "dim", "domain", "minimum at", "formula"):
        table.add_column(column)
    for row in rows:
        where = "\n".join(_point(m) for m in row["minimizers"])
        for_dim = "" if isinstance(row["dim"], int) else f" (d={row['shown_for_dim']})"
        table.add_row(
            row["name"],
            str(row["dim"]),
            _point(row["domain"]),
            f"{row['minimum']:.6g}{for_dim} at\n{where}",
            row["formula"],
        )
    Console().print(table)


@click.command("optimizers")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def optimizers_command(as_json: bool) -> None:
    """List the optimizers: hyperparameters with defaults, update rule and reference."""
    rows = _optimizers_rows()
    if as_json:
        click.echo(json.dumps(rows, indent=1))
        return
    table = Table(title="descentlab optimizers")
    for column in ("name", "hyperparameters (defaults)", "update", "reference"):
        table.add_column(column)
    for row in rows:
        hypers = "\n".join(f"{k}={v}" for k, v in row["hyperparameters"].items())
        table.add_row(row["name"], hypers, row["summary"], row["reference"])
    Console().print(table)
