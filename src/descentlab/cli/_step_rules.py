"""``--step-rule`` and its constants: the rule a run uses, and how a run file keeps it."""

from __future__ import annotations

from typing import Any

import click

from descentlab.cli._args import given

STEP_RULE_NAMES = ("armijo", "wolfe", "polyak", "bb-long", "bb-short")
#: The step rules each constant belongs to; giving it with another rule (or none) is refused.
STEP_RULE_OPTIONS = {
    "c1": ("armijo", "wolfe"),
    "c2": ("wolfe",),
    "shrink": ("armijo",),
    "initial_step": ("armijo", "wolfe"),
    "max_step": ("polyak", "bb-long", "bb-short"),
}


def step_rule(options: dict[str, Any]):
    """The step rule --step-rule names, with its constants."""
    from descentlab.optimizers.step_rules import Armijo, BarzilaiBorwein, Polyak, Wolfe

    name = options["step_rule"]
    for option, rules in STEP_RULE_OPTIONS.items():
        if name not in rules and given(option):
            flag = "--" + option.replace("_", "-")
            uses = " or ".join(f"--step-rule {rule}" for rule in rules)
            raise click.UsageError(
                f"{flag} applies only with {uses}, not "
                f"{'no step rule' if name is None else name}: drop it"
            )
    if name is None:
        return None
    if name == "armijo":
        return Armijo(options["c1"], options["shrink"], options["initial_step"])
    if name == "wolfe":
        return Wolfe(options["c1"], options["c2"], options["initial_step"])
    if name == "polyak":
        return Polyak(options["max_step"])
    return BarzilaiBorwein(name.removeprefix("bb-"), options["max_step"])


def step_rule_settings(options: dict[str, Any]) -> dict[str, Any] | None:
    """The step rule as a run file keeps it: its name and the constants it uses."""
    name = options["step_rule"]
    if name is None:
        return None
    constants = {key: options[key] for key, rules in STEP_RULE_OPTIONS.items() if name in rules}
    return {"name": name, **constants}
