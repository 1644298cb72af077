"""Seconds per stage of a long job, for the numbers `kynangso build` prints.

Both the pipeline (`build`) and the team materials (`teams`) time their stages; the one clock
sits at the top of the package because `teams` may not import `build`, and it imports nothing,
so the core install (without the `teams` extra) can use it.
"""

from __future__ import annotations

import time


class Stopwatch:
    """Laps since the last lap (or since it was made), in seconds."""

    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()

    def lap(self) -> float:
        """Seconds since the previous lap, and start the next one."""
        now = time.perf_counter()
        seconds, self.last = now - self.last, now
        return seconds

    def total(self) -> float:
        """Seconds since the stopwatch was made."""
        return time.perf_counter() - self.started
