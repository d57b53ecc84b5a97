"""What a run ends with and how it is kept.

- :mod:`~descentlab.results.result`: :class:`Result` and the statuses;
- :mod:`~descentlab.results.state`: an optimizer's state as plain data;
- :mod:`~descentlab.results.resume`: continuing a run from its final points and state;
- :mod:`~descentlab.results.records` and :mod:`~descentlab.results.schema`: run files
  (``descentlab.run/2``), written and read back with every field checked;
- :mod:`~descentlab.results.multistart`: the minima many starts found;
- :mod:`~descentlab.results.statistics`: medians with distribution-free intervals;
- :mod:`~descentlab.results.trace`: the tutorials' printed trace.
"""

from descentlab.results.result import Result, Status

__all__ = ["Result", "Status"]
