"""Per-week series kept for drawing: preallocated numpy columns, appended once per step.

The dashboard never rebuilds a DataFrame from the DataCollector to draw a frame. Each
column doubles its capacity when full (amortised O(1) appends), and `view` returns at most
`max_points` evenly strided points, so the work of drawing a frame does not grow with the
run's length.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

MAX_POINTS = 600
"""Points drawn per series: beyond this the history is strided (decimated) to fit."""


class History:
    """Named float columns over weeks; row i is the state after week i (row 0: week 0's start)."""

    def __init__(self, keys: Iterable[str], capacity: int = 64) -> None:
        self.keys = tuple(keys)
        self._data = np.full((len(self.keys), max(capacity, 1)), np.nan)
        self._index = {k: i for i, k in enumerate(self.keys)}
        self.n = 0

    def append(self, row: dict[str, Any]) -> None:
        if self.n == self._data.shape[1]:
            grown = np.full((len(self.keys), 2 * self.n), np.nan)
            grown[:, : self.n] = self._data
            self._data = grown
        col = self._data[:, self.n]
        for k, i in self._index.items():
            value = row.get(k)
            col[i] = np.nan if value is None else float(value)
        self.n += 1

    def column(self, key: str) -> np.ndarray:
        """The whole column (a view, not a copy): for checks and export comparisons."""
        return self._data[self._index[key], : self.n]

    def last(self, key: str) -> float:
        return float(self._data[self._index[key], self.n - 1]) if self.n else float("nan")

    def stride(self, max_points: int = MAX_POINTS) -> int:
        return max(1, -(-self.n // max_points))

    def weeks(self, max_points: int = MAX_POINTS) -> np.ndarray:
        """The x values matching `view`: the week of each drawn point."""
        return np.arange(0, self.n, self.stride(max_points), dtype=np.float64)

    def view(self, key: str, max_points: int = MAX_POINTS) -> np.ndarray:
        return self._data[self._index[key], : self.n : self.stride(max_points)]


def read_row(model: Any, reporters: dict[str, Callable[[Any], Any]]) -> dict[str, Any]:
    """The reporters' values now, as the DataCollector would record them."""
    return {k: f(model) for k, f in reporters.items()}
