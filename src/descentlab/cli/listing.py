"""``descentlab functions`` and ``descentlab optimizers``: what exists, as tables or JSON."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from descentlab.optimizers import OPTIMIZERS
from descentlab.problems.functions import FUNCTIONS
from descentlab.problems.stochastic.online import ONLINE_PROBLEMS


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
    return rows + _stochastic_rows()


#: The online problems and data sets, described without loading the data (which needs the
#: descentlab[data] extra and an L-BFGS solve).
STOCHASTIC_ROWS = [
    ("reddi-theorem1", 1, "f_t(x) = 3x if t mod 3 == 1 else -x (online; parameter C = 3)",
     "Reddi, Kale & Kumar, ICLR 2018, Theorem 1"),
    ("reddi-online", 1, "f_t(x) = 1010x if t mod 101 == 1 else -10x (online)",
     "Reddi, Kale & Kumar, ICLR 2018, Sec. 5"),
    ("reddi-stochastic", 1, "f_t(x) = 1010x with probability 0.01 else -10x (online, random)",
     "Reddi, Kale & Kumar, ICLR 2018, Sec. 5"),
    ("least-squares-diabetes", 10, "mean_i 1/2 (a_i.x - y_i)^2 over 442 examples "
     "(--batch-size B for minibatches)", "scikit-learn load_diabetes; needs descentlab[data]"),
    ("logistic-breast-cancer", 31, "mean_i log(1 + exp(-y_i a_i.x)) + 1e-3/2 |x|^2 over 569 "
     "examples", "scikit-learn load_breast_cancer; needs descentlab[data]"),
    ("logistic-digits", 65, "mean_i log(1 + exp(-y_i a_i.x)) + 1e-3/2 |x|^2 over 1797 "
     "examples (digits 0-4 vs 5-9)", "scikit-learn load_digits; needs descentlab[data]"),
    ("mlp-digits", 2410, "mean_i cross-entropy of softmax(tanh(a_i W1 + b1) W2 + b2) + 1e-4/2 "
     "|x|^2 over 1797 examples, 10 classes (--param hidden=32)",
     "scikit-learn load_digits; one hidden layer, backpropagation by hand"),
    ("deep-mlp-digits", 4522, "mlp-digits with three hidden layers of 32 tanh units "
     "(--param depth=3, hidden=32): four weight matrices", "scikit-learn load_digits"),
    ("matrix-least-squares", 200, "1/(2N) ||A W - B||_F^2, W 20x10, B = A W*, Hessian "
     "condition kappa=100 (--param rows, cols, examples, kappa, seed); minimum 0 at W*",
     "a matrix unknown: matrix-aware methods see one 20x10 block"),
    ("matrix-factorization", 105, "1/(2pq) ||U V^T - M||_F^2, M 20x15 of rank 3, U 20x3, "
     "V 15x3 (--param rows, cols, rank, seed); minimum 0", "low-rank factorization"),
    ("matrix-sensing", 40, "1/(2m) sum_i (<A_i, U V^T> - y_i)^2, 300 Gaussian measurements "
     "of a 10x10 matrix of rank 2 (--param rows, cols, rank, measurements, seed); minimum 0",
     "low-rank matrix sensing"),
]  # fmt: skip


def _stochastic_rows() -> list[dict]:
    online = {name: make() for name, make in ONLINE_PROBLEMS.items()}  # instant to build
    return [
        {
            "name": name,
            "dim": dim,
            "domain": [-1.0, 1.0],
            "minimum": online[name].minimum
            if name in online
            else 0.0
            if name.startswith("matrix")
            else None,
            "minimizers": online[name].minimizers.tolist() if name in online else [],
            "shown_for_dim": dim,
            "parameters": {"C": 3.0} if name == "reddi-theorem1" else {},
            "formula": formula,
            "description": _description(name),
            "citation": citation,
        }
        for name, dim, formula, citation in STOCHASTIC_ROWS
    ]


def _description(name: str) -> str:
    if name.startswith("reddi"):
        return "online problem: regret recorded"
    if name.endswith("mlp-digits"):
        return "neural network: no known minimum"
    if name.startswith("matrix"):
        return "matrix unknown (a structure of blocks): minimum 0"
    return "finite sum: f* computed by L-BFGS when loaded"


def _point(values) -> str:
    """A point or a list of bounds, numbers to 4 significant digits."""
    if isinstance(values, (list, tuple)):
        return "(" + ", ".join(_point(v) for v in values) + ")"
    return f"{values:.4g}"


def _optimizers_rows() -> list[dict]:
    return [
        {
            "name": name,
            "family": cls.family,
            "class": cls.__name__,
            "hyperparameters": {h.name: h.shown_default for h in cls.hyperparameters()},
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
        at = (
            "by L-BFGS, when loaded"
            if row["minimum"] is None
            else f"{row['minimum']:.6g}{for_dim} at\n{where}"
        )
        table.add_row(row["name"], str(row["dim"]), _point(row["domain"]), at, row["formula"])
    Console().print(table)


@click.command("optimizers")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def optimizers_command(as_json: bool) -> None:
    """List the optimizers by family: hyperparameters with defaults, update rule and reference."""
    rows = _optimizers_rows()
    if as_json:
        click.echo(json.dumps(rows, indent=1))
        return
    table = Table(title="descentlab optimizers, by family")
    for column in ("name", "hyperparameters (defaults)", "update", "reference"):
        table.add_column(column, no_wrap=column == "hyperparameters (defaults)")
    previous = None
    for row in rows:
        if row["family"] != previous:  # a branch of the family tree: a heading row
            if previous is not None:
                table.add_section()
            table.add_row(f"[bold]{row['family']}[/bold]", "", "", "")
            previous = row["family"]
        hypers = "\n".join(f"{k}={v}" for k, v in row["hyperparameters"].items())
        table.add_row(row["name"], hypers, row["summary"], row["reference"])
    Console().print(table)
