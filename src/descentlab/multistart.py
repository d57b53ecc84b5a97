"""The path the README taught for many-start summaries: see :mod:`descentlab.results.multistart`."""

from descentlab.results.multistart import Minimum, MultiStartSummary, summarize

__all__ = ["Minimum", "MultiStartSummary", "summarize"]
