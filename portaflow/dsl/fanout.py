"""How a fan-out (``ctx.map``, ``ctx.parallel``) treats the items that failed: the one rule every engine
and target follows (docs/semantics.md, "Partial failure").

By default the lowest-index failure is raised once every item has finished. ``return_exceptions=True``
puts each failure in its item's place instead, as ``asyncio.gather`` does. A tolerance
(``tolerated_failures=N``, ``tolerated_failure_percentage=P``: Step Functions' ``ToleratedFailureCount`` and
``ToleratedFailurePercentage``) also returns the outcomes while the failures stay within it, and raises
:class:`~portaflow.dsl.errors.TooManyFailures` beyond it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portaflow.dsl.errors import PortaflowError, TooManyFailures, WorkflowError


@dataclass(frozen=True)
class Tolerance:
    """A fan-out's failure policy, validated by :func:`tolerance`."""

    return_exceptions: bool = False
    count: int | None = None
    percentage: float | None = None

    @property
    def collects(self) -> bool:
        """Whether failures take their item's place in the result (instead of the first being raised)."""
        return self.return_exceptions or self.bounded

    @property
    def bounded(self) -> bool:
        return self.count is not None or self.percentage is not None

    def exceeded(self, failed: int, total: int) -> bool:
        """More failures than tolerated: more than ``count``, or ``failed / total`` above ``percentage``
        percent, compared exactly as ``failed * 100 > percentage * total`` (no rounding; an empty
        fan-out never fails)."""
        over_count = self.count is not None and failed > self.count
        over_share = self.percentage is not None and failed * 100 > self.percentage * total
        return over_count or over_share

    def describe(self) -> str:
        """The tolerance as the TooManyFailures message shows it: ``1``, ``25%``, ``1 or 25%``."""
        parts = [] if self.count is None else [str(self.count)]
        if self.percentage is not None:
            parts.append(f"{self.percentage:g}%")
        return " or ".join(parts)

    def settle(self, results: list[Any], errors: dict[int, BaseException], noun: str) -> list[Any]:
        """The fan-out's value once every item finished: ``results`` with the failures (``errors`` by
        index) in place when collected, else the lowest-index failure raised. Portaflow's own errors (a
        misused DSL, non-determinism) are bugs of the workflow, never an item's outcome: always raised."""
        for i in sorted(errors):
            if (
                not self.collects
                or not isinstance(errors[i], Exception)
                or isinstance(errors[i], PortaflowError)
            ):
                raise errors[i]
        if self.bounded and self.exceeded(len(errors), len(results)):
            first = min(errors)
            raise TooManyFailures(noun, len(errors), len(results), self.describe(), first, errors[first])
        merged = list(results)
        for i, exc in errors.items():
            merged[i] = exc
        return merged


def tolerance(
    what: str,
    return_exceptions: object = False,
    tolerated_failures: object = None,
    tolerated_failure_percentage: object = None,
) -> Tolerance:
    """The validated policy of ``ctx.map``/``ctx.parallel`` (``what``), or one WorkflowError saying why."""
    if not isinstance(return_exceptions, bool):
        raise WorkflowError(f"{what} return_exceptions must be True or False, not {return_exceptions!r}")
    count = tolerated_failures
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        raise WorkflowError(f"{what} tolerated_failures must be an integer >= 0 (a count), not {count!r}")
    pct = tolerated_failure_percentage
    if pct is not None and (
        isinstance(pct, bool) or not isinstance(pct, int | float) or not 0 <= pct <= 100  # NaN fails too
    ):
        raise WorkflowError(
            f"{what} tolerated_failure_percentage must be a number from 0 to 100 (a percentage), not {pct!r}"
        )
    return Tolerance(return_exceptions, count, None if pct is None else float(pct))


DEFAULT = Tolerance()
