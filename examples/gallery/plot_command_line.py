"""
The command line
================

Every command is also a Python call, ``descentlab.cli.main([...])``, which returns the exit code
instead of leaving: this page runs the command families and shows what they print.
``descentlab COMMAND --help`` tells each one's options.
"""

import tempfile
from pathlib import Path

from descentlab.cli import main

out = Path(tempfile.mkdtemp())  # the files this page writes
main(["tutorial", "gd", "--quiet"])

# %%
# One run, then many starts, of any optimizer on any catalog function (``run OPTIMIZER --help``
# lists that optimizer's hyperparameters):
main(["run", "adam", "-f", "himmelblau", "--starts", "200", "--seed", "0", "--alpha", "0.05",
      "--n-iter", "1000", "--gtol", "1e-8"])  # fmt: skip

# %%
# Compare optimizers from the same start, with a picture:
main(["compare", "gd", "momentum", "amsgrad", "-f", "sphere", "--dim", "1", "--seed", "4",
      "--n-iter", "30", "--hyper", "step_size=0.1", "--hyper", "momentum=0.3",
      "--hyper", "amsgrad.alpha=0.1", "--plot", str(out / "compare.png")])  # fmt: skip

# %%
# The picture ``--plot`` wrote:
import matplotlib.pyplot as plt

plt.figure(figsize=(10, 4.5))
plt.imshow(plt.imread(out / "compare.png"))
plt.axis("off")

# %%
# A sweep into a results store, and the store's list of sweeps:
store = str(out / "gallery.db")
main(["sweep", "gd", "-f", "quadratic", "--dim", "5", "--param", "kappa=10",
      "--grid", "step_size=log:1e-3:1:30", "--seeds", "3", "--store", store])  # fmt: skip
main(["runs", "list", "--store", store])

# %%
# The catalogs, and bad input: one line naming the argument, exit code 2.
main(["functions"])
code = main(["run", "momentum", "-f", "sphere", "--momentum", "1.5"])
print("exit code", code)
