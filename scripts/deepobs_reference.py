"""Write tests/golden/deepobs_quadratic_deep.json from DeepOBS itself, for the test that holds
descentlab's quadratic_deep to it.

    pip download deepobs==1.1.2 --no-deps -d /tmp/deepobs
    unzip -o -q /tmp/deepobs/*.whl -d /tmp/deepobs
    python scripts/deepobs_reference.py /tmp/deepobs

DeepOBS's package imports TensorFlow, so its rotation is read from its source file and run
alone (with the module's own ``RandomState(42)``, fresh, as in a process's first problem).
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def deepobs_rotation(folder: Path):
    source = (folder / "deepobs/pytorch/testproblems/quadratic_deep.py").read_text()
    function = next(node for node in ast.parse(source).body
                    if isinstance(node, ast.FunctionDef)
                    and node.name == "random_rotation")  # fmt: skip
    names = {"np": np, "rng": np.random.RandomState(42)}
    exec(compile(ast.Module([function], []), "deepobs", "exec"), names)
    return names["random_rotation"]


def main() -> None:
    folder = Path(sys.argv[1])
    rng = np.random.RandomState(42)  # set_up's own generator, as DeepOBS draws the spectrum
    eigenvalues = np.concatenate((rng.uniform(0.0, 1.0, 90), rng.uniform(30.0, 60.0, 10)))
    rotation = deepobs_rotation(folder)(100)
    q = rotation.T @ np.diag(eigenvalues) @ rotation
    draws = {name: np.random.RandomState(seed).normal(0.0, 0.6, (1000, 100))
             for name, seed in (("train", 42), ("valid", 44), ("test", 43))}  # fmt: skip
    golden = {"source": "deepobs 1.1.2 (pytorch/testproblems/quadratic_deep.py, "
                        "pytorch/datasets/quadratic.py)",
              "hessian_first_rows": q[:3].tolist(), "hessian_trace": float(np.trace(q)),
              "eigenvalues": np.sort(eigenvalues).tolist(),
              "first_draws": {k: v[0, :5].tolist() for k, v in draws.items()}}  # fmt: skip
    path = ROOT / "tests/golden/deepobs_quadratic_deep.json"
    path.write_text(json.dumps(golden, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
