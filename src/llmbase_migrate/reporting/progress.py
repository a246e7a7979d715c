"""A one-line progress display for long runs on a terminal.

It only renders text; the CLI decides whether to show it (stderr is a terminal, the
output is for people) and writes it. Nothing shows for a run that ends within
``delay`` seconds, so short runs and pre-commit hooks stay quiet.
"""

from __future__ import annotations

import time
from collections.abc import Callable

# Erase the current terminal line and return to its start.
CLEAR_LINE = "\r\x1b[K"


class ProgressLine:
    def __init__(
        self,
        *,
        delay: float = 1.0,
        interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._started = clock()
        self._delay = delay
        self._interval = interval
        self._last_shown: float | None = None

    def update(self, done: int, total: int) -> str | None:
        """The text to write for this update, or None (too early, too soon, nothing to do)."""
        now = self._clock()
        if total == 0 or now - self._started < self._delay:
            return None
        recent = self._last_shown is not None and now - self._last_shown < self._interval
        if recent and done < total:  # the last update always shows
            return None
        self._last_shown = now
        percent = 100 * done // total
        return f"{CLEAR_LINE}Analysing: {done}/{total} files ({percent}%)"

    def finish(self) -> str:
        """The text that removes the line again ("" when it never showed)."""
        return CLEAR_LINE if self._last_shown is not None else ""
