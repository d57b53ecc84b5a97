"""``--hyper [OPT.]NAME=VALUE``: hyperparameters for the optimizers a command runs."""

from __future__ import annotations

import click

from descentlab.optimizers import OPTIMIZERS


def check_hypers(names: tuple[str, ...], given: tuple[str, ...]) -> None:
    """Every --hyper must name a hyperparameter of at least one compared optimizer."""
    for text in given:
        key, equals, _ = text.partition("=")
        target, dot, hyper = key.rpartition(".")
        if not equals or not hyper:
            raise click.BadParameter(
                f"expected [OPT.]NAME=VALUE, got {text!r}", param_hint="--hyper"
            )
        if dot and target not in names:
            raise click.BadParameter(
                f"{target!r} is not among {', '.join(names)}", param_hint="--hyper"
            )
        owners = [target] if dot else [n for n in names if n in OPTIMIZERS]
        if not any(hyper in _names_of(owner) for owner in owners):
            raise click.BadParameter(
                f"no compared optimizer has a hyperparameter {hyper!r} ({text!r})",
                param_hint="--hyper",
            )


def _names_of(optimizer: str) -> set[str]:
    if optimizer not in OPTIMIZERS:
        return set()
    return {h.name for h in OPTIMIZERS[optimizer].hyperparameters()}


def hypers_for(name: str, given: tuple[str, ...]) -> dict[str, float | str]:
    """The --hyper values that apply to optimizer ``name``."""
    known = {h.name: h for h in OPTIMIZERS[name].hyperparameters()} if name in OPTIMIZERS else {}
    chosen: dict[str, float | str] = {}
    for text in given:
        key, _, value = text.partition("=")  # checked by check_hypers
        target, dot, hyper = key.rpartition(".")
        if (dot and target != name) or hyper not in known:
            continue
        kind = known[hyper].kind
        if kind in ("choice", "optimizer"):  # an optimizer by its name, checked by the class
            chosen[hyper] = value
        elif kind == "switch":
            chosen[hyper] = _boolean(text, value)
        elif kind == "whole":
            chosen[hyper] = _whole(text, value)
        else:
            chosen[hyper] = _number(text, value)
    return chosen


def _number(text: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise click.BadParameter(f"expected a number in {text!r}", param_hint="--hyper") from None


def _whole(text: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise click.BadParameter(f"expected a whole number in {text!r}",
                                 param_hint="--hyper") from None  # fmt: skip


def _boolean(text: str, value: str) -> bool:
    spelled = value.strip().lower()
    if spelled in ("true", "yes", "1", "on"):
        return True
    if spelled in ("false", "no", "0", "off"):
        return False
    raise click.BadParameter(f"expected true or false in {text!r}", param_hint="--hyper")


def parse_hyper_values(given: tuple[str, ...]) -> dict[str, object]:
    """``[OPT.]NAME=VALUE`` texts as a mapping, values as numbers, switches or text (the
    optimizers then check them)."""
    chosen: dict[str, object] = {}
    for text in given:
        key, equals, value = text.partition("=")
        if not equals or not key.strip() or not value.strip():
            raise click.BadParameter(f"expected [OPT.]NAME=VALUE, got {text!r}",
                                     param_hint="--hyper")  # fmt: skip
        if value.lower() in ("true", "false"):
            chosen[key.strip()] = value.lower() == "true"
            continue
        try:
            chosen[key.strip()] = float(value)
        except ValueError:
            chosen[key.strip()] = value.strip()
    return chosen
