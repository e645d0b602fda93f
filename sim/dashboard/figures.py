"""Shared matplotlib plumbing: one Agg figure per view, drawn to PNG bytes by blitting.

Views keep their artists and update them in place (`set_data`, `set_height`, `set_text`).
The changing artists are `animated`: a frame restores the cached background (axes, ticks,
labels), draws only them and encodes the buffer, so it costs the same at week 5 and week
500. The background is redrawn only when some axis limit changes; x axes span the run's
planned length from the start and y limits grow in steps (`Sticky`), so that is rare. No
pyplot: figures are not registered globally and nothing loads a GUI backend.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

DPI = 80
PALETTE = ("#1b6ca8", "#d1495b", "#2e933c", "#edae49", "#6b4e9b", "#00798c", "#8d6a9f")
TIER_LABELS = {
    "self_settle": "self-settlement",
    "courtyard": "courtyard mediation",
    "community": "community mediation",
    "grand": "grand mediation",
    "litigation": "litigation",
    "petition": "petition",
    "abandoned": "abandoned",
}


class Frame:
    """A figure whose `animated` artists are redrawn over a cached background."""

    def __init__(self, width_px: int, height_px: int) -> None:
        self.fig = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI)
        self.canvas = FigureCanvasAgg(self.fig)
        self.fig.set_facecolor("white")
        self.dynamic: list[Artist] = []
        self._background = None
        self._limits: tuple[float, ...] = ()
        self.full_draws = 0  # how often the background was redrawn (tests, benchmark)

    def animate(self, artists: Iterable[Artist]) -> None:
        for a in artists:
            a.set_animated(True)
            self.dynamic.append(a)

    def invalidate(self) -> None:
        """Something in the background changed (a colour bar's limits): redraw it next."""
        self._background = None

    def _limit_key(self) -> tuple[float, ...]:
        return tuple(v for ax in self.fig.axes for v in (*ax.get_xlim(), *ax.get_ylim()))

    def render(self) -> bytes:
        """The figure as PNG bytes: background redrawn only if a limit changed."""
        key = self._limit_key()
        if self._background is None or key != self._limits:
            self.canvas.draw()  # animated artists are left out of a full draw
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            self._limits = key
            self.full_draws += 1
        else:
            self.canvas.restore_region(self._background)
        for a in self.dynamic:
            if a.get_visible():
                self.fig.draw_artist(a)
        return encode(self.canvas)

    def png(self) -> bytes:
        """A full, ordinary draw (for saving screenshots or checking the blit)."""
        buf = io.BytesIO()
        for a in self.dynamic:
            a.set_animated(False)
        try:
            self.fig.savefig(buf, format="png", dpi=DPI, facecolor="white")
        finally:
            for a in self.dynamic:
                a.set_animated(True)
            self._background = None
        return buf.getvalue()


def encode(canvas: FigureCanvasAgg) -> bytes:
    """PNG of the canvas buffer; fast compression (frames are sent to one browser tab)."""
    rgba = np.asarray(canvas.buffer_rgba())
    buf = io.BytesIO()
    Image.fromarray(rgba[..., :3]).save(buf, format="png", compress_level=1)
    return buf.getvalue()


def nice_ceiling(x: float) -> float:
    """The next of 1, 2, 2.5, 5 x 10^k at or above x (so limits grow in few steps)."""
    if not math.isfinite(x) or x <= 0:
        return 1.0
    base = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 2.5, 5, 10):
        if m * base >= x * (1 - 1e-9):
            return m * base
    return 10 * base


def data_range(lines: Iterable) -> tuple[float, float]:
    lo, hi = math.inf, -math.inf
    for line in lines:
        y = np.asarray(line.get_ydata(), dtype=np.float64)
        y = y[np.isfinite(y)]
        if len(y):
            lo, hi = min(lo, float(y.min())), max(hi, float(y.max()))
    return lo, hi


def sticky_ylim(ax: Axes, lines: Iterable, *, floor: float | None = 0.0, cap=None) -> None:
    """Grow (or, when the data fall below a third, shrink) y limits to a nice ceiling.

    With `floor=None` the limits are symmetric about zero (differences)."""
    lo, hi = data_range(lines)
    if not math.isfinite(hi):
        return
    cur_lo, cur_hi = ax.get_ylim()
    if floor is None:
        span = max(abs(lo), abs(hi))
        if span > cur_hi or span < cur_hi / 3 or cur_lo != -cur_hi:
            top = nice_ceiling(span * 1.15) if span > 0 else 1.0
            ax.set_ylim(-top, top)
        return
    if cap is not None:
        hi = min(hi, cap)
    if hi > cur_hi or hi < cur_hi / 3 or cur_lo != floor:
        top = nice_ceiling(hi * 1.15) if hi > 0 else 1.0
        ax.set_ylim(floor, min(top, cap) if cap is not None else top)


def style(ax: Axes, title: str, ylabel: str, xlabel: str | None = "week") -> None:
    if title:
        ax.set_title(title, fontsize=11, loc="left")
    ax.set_ylabel(ylabel, fontsize=9)
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=9)
    ax.tick_params(labelsize=8)
    ax.grid(True, color="#e5e5e5", linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
