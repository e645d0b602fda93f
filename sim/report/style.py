"""Paper conventions shared by every figure: sizes, palettes, rc style, legends and saving.

Figures go straight into journals, so what a reader compares across figures (colours,
font sizes at print width, where legends sit) is decided here once instead of per plot.
Words live elsewhere: axis labels in `sim.report.labels` (from `sim.outcomes`), each
scenario's label, colour and marker in its YAML file (`sim.report.scenarios`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import matplotlib as mpl
import matplotlib.style
import numpy as np
from cycler import cycler
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.legend import Legend

from sim.files import atomic_write
from sim.outcomes import ENDINGS

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

# --------------------------------------------------------------------------- sizes

SINGLE_COLUMN = 3.5
"""Single-column figure width in inches (most journals: 85-90 mm)."""
DOUBLE_COLUMN = 7.0
"""Double-column (full page) figure width in inches (170-180 mm)."""

Width = Literal["single", "double"] | float


def figure_size(width: Width = "single", aspect: float = 0.75) -> tuple[float, float]:
    """(width, height) in inches; ``aspect`` is height / width so panels scale together."""
    if width == "single":
        w = SINGLE_COLUMN
    elif width == "double":
        w = DOUBLE_COLUMN
    elif isinstance(width, int | float) and not isinstance(width, bool) and width > 0:
        w = float(width)
    else:
        raise ValueError(f"width must be 'single', 'double' or inches > 0, got {width!r}")
    if not aspect > 0:
        raise ValueError(f"aspect must be > 0, got {aspect!r}")
    return (w, w * aspect)


# --------------------------------------------------------------------------- colours

OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
"""Okabe & Ito (2008) palette: distinguishable under the common colour-vision deficiencies."""

# Yellow is too pale for lines and markers on white, so it only appears in fills.
LINE_COLOURS = [c for k, c in OKABE_ITO.items() if k != "yellow"]


def _tier_colours() -> dict[str, str]:
    """Escalation ladder from light to dark viridis; abandoned in neutral grey.

    Viridis is monotonic in lightness, so the order survives colour-vision deficiency and
    greyscale printing; grey (plus a hatch in the bars) keeps "abandoned" off the ladder.
    """
    cmap = mpl.colormaps["viridis"]
    ladder = ENDINGS[:-2]
    points = np.linspace(0.95, 0.08, len(ladder))
    colours = {t: to_hex(cmap(float(p))) for t, p in zip(ladder, points, strict=True)}
    colours["abandoned"] = "#BBBBBB"
    colours["open"] = "#E8E8E8"
    return colours


TIER_COLOURS: dict[str, str] = _tier_colours()


def text_colour_on(background: Any) -> str:
    """Black or white, whichever reads better on ``background`` (relative luminance)."""
    r, g, b = (
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(background)
    )
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.18 else "white"


# --------------------------------------------------------------------------- rc styles

HOUSE_RC: dict[RcKeyType, Any] = {
    # Generic family here; use_style pins the installed preferred fonts (see _house_fonts).
    "font.family": "sans-serif",
    "font.sans-serif": ["Arial", "Helvetica", "Liberation Sans", "DejaVu Sans"],
    "mathtext.default": "regular",
    # >= 7 pt at 3.5 in wide, i.e. at final print size.
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.title_fontsize": 7,
    "figure.titlesize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.6,
    "axes.axisbelow": True,
    "axes.grid": True,
    "grid.color": "0.88",
    "grid.linewidth": 0.5,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.major.size": 3.0,
    "ytick.major.size": 3.0,
    "lines.linewidth": 1.2,
    "lines.markersize": 3.5,
    "patch.linewidth": 0.5,
    "errorbar.capsize": 2.0,
    "axes.prop_cycle": cycler(color=LINE_COLOURS),
    "image.cmap": "viridis",
    "legend.frameon": False,
    "legend.handlelength": 1.6,
    "legend.columnspacing": 1.0,
    "figure.constrained_layout.use": True,
    "figure.facecolor": "white",
    "savefig.dpi": 300,
    # Embedded TrueType so text stays text in PDF/PS (no Type 3 bitmaps; see save_figure).
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "none",
}
"""House rc: print-size fonts, no top/right spines, light grid, Okabe-Ito cycle."""

STYLE_NAMES = ("house", "science")


def _house_fonts() -> list[str]:
    """Installed fonts from the house preference list, then the generic family.

    A generic family is resolved when the figure is *drawn*, i.e. with whatever rc is
    active at save time; naming the fonts keeps the house font after the ``use_style``
    block ends. Only installed names are listed: matplotlib logs a warning per missing one.
    """
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [n for n in HOUSE_RC["font.sans-serif"] if n in installed] + ["sans-serif"]


_ACTIVE_STYLE: ContextVar[str | None] = ContextVar("jiceng_active_style", default=None)


def _science_rc() -> list[Any]:
    """SciencePlots' 'science' style without LaTeX, plus our font embedding settings."""
    try:
        import scienceplots  # noqa: F401  (import registers the styles with matplotlib)
    except ImportError:
        raise ImportError(
            "use_style('science') needs SciencePlots: pip install SciencePlots"
        ) from None
    embed = {k: HOUSE_RC[k] for k in ("pdf.fonttype", "ps.fonttype", "svg.fonttype")}
    return ["science", "no-latex", {**embed, "figure.constrained_layout.use": True}]


@contextlib.contextmanager
def use_style(name: str = "house") -> Iterator[None]:
    """Draw inside a paper style: ``"house"`` or ``"science"`` (needs SciencePlots).

    Artists read rc parameters when they are created, so build the figure *and* draw
    inside the block. Plot functions called outside any block apply the house style.
    """
    if name == "house":
        spec: Any = {**HOUSE_RC, "font.family": _house_fonts()}
    elif name == "science":
        spec = _science_rc()
    else:
        raise ValueError(f"unknown style {name!r}; choose one of {STYLE_NAMES}")
    with matplotlib.style.context(spec):
        token = _ACTIVE_STYLE.set(name)
        try:
            yield
        finally:
            _ACTIVE_STYLE.reset(token)


def ensure_style() -> contextlib.AbstractContextManager[None]:
    """The house style unless a ``use_style`` block is already active."""
    return use_style("house") if _ACTIVE_STYLE.get() is None else contextlib.nullcontext()


def styled[**P, R](fn: Callable[P, R]) -> Callable[P, R]:
    """Decorator: run a plot function under :func:`ensure_style`."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with ensure_style():
            return fn(*args, **kwargs)

    return wrapper


# --------------------------------------------------------------------------- figures


@styled
def figure(width: Width = "single", aspect: float = 0.75, **fig_kw: Any) -> Figure:
    """A constrained-layout figure at paper width; not registered with pyplot.

    Plain ``Figure`` objects keep plotting free of global state (no leaked pyplot figures
    in batch reports); in a notebook show one with ``display(fig)``.
    """
    fig_kw.setdefault("layout", "constrained")
    return Figure(figsize=figure_size(width, aspect), **fig_kw)


@styled
def subplots(
    nrows: int = 1,
    ncols: int = 1,
    *,
    width: Width = "single",
    aspect: float = 0.75,
    **subplot_kw: Any,
) -> tuple[Figure, np.ndarray]:
    """Figure plus a 2-D array of axes, all created under the active (or house) style."""
    fig = figure(width, aspect)
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplot_kw)
    return fig, np.asarray(axes)


@styled
def new_axes(width: Width = "single", aspect: float = 0.75) -> Axes:
    """A single styled Axes on its own figure (used when a plot gets ``ax=None``)."""
    return figure(width, aspect).add_subplot()


def root_figure(ax: Axes) -> Figure:
    """The top-level Figure holding ``ax`` (through any subfigures)."""
    fig = ax.get_figure(root=True)
    if fig is None:
        raise ValueError("axes is not attached to a figure")
    return fig


def _constrained(ax: Axes) -> bool:
    """Whether the figure holding ``ax`` uses constrained layout (needed for outside legends)."""
    return isinstance(root_figure(ax).get_layout_engine(), ConstrainedLayoutEngine)


def place_legend(
    ax: Axes,
    where: Literal["top", "right", "best"] = "top",
    *,
    ncols: int | None = None,
    offset: float = 0.0,
    **legend_kw: Any,
) -> Legend | None:
    """Legend outside the data area so it never hides data; ``None`` if nothing to label.

    ``top`` sits above the axes (figures carry no titles; captions do that), ``right`` is
    a single column beside it. When ``ax`` is alone in a constrained-layout figure the
    legend is a figure legend placed "outside", so the layout reserves room for it and any
    labels above the axes. Next to other panels it is an axes legend just above the axes,
    lifted by ``offset`` font sizes (e.g. over reform labels). Either way the number of
    columns shrinks until the legend fits the figure / the panel's slot: never clipped.
    """
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    if where == "best":
        return ax.legend(handles, labels, loc="best", ncols=ncols or 1, **legend_kw)
    if where not in ("top", "right"):
        raise ValueError(f"where must be 'top', 'right' or 'best', got {where!r}")
    parent = ax.figure
    alone = len(parent.axes) == 1 and _constrained(ax)
    slot = ax.get_position(original=True).width * parent.bbox.width
    limit = 0.98 * (parent.bbox.width if alone or where == "right" else slot)
    start = ncols or (min(len(handles), 3) if where == "top" else 1)
    for n in range(max(start, 1), 0, -1):
        if alone and where == "top":
            legend = parent.legend(
                handles, labels, loc="outside upper center", ncols=n, **legend_kw
            )
        elif alone:
            legend = parent.legend(handles, labels, loc="outside right upper", ncols=n, **legend_kw)
        elif where == "top":
            legend = ax.legend(
                handles,
                labels,
                loc="lower center",
                bbox_to_anchor=(0.5, 1.0),
                borderaxespad=0.3 + offset,
                ncols=n,
                **legend_kw,
            )
        else:
            legend = ax.legend(
                handles,
                labels,
                loc="upper left",
                bbox_to_anchor=(1.0, 1.0),
                borderaxespad=0.5,
                ncols=n,
                **legend_kw,
            )
        if n == 1 or legend.get_window_extent().width <= limit:
            return legend
        legend.remove()
    return None  # pragma: no cover - the loop always returns at n == 1


# --------------------------------------------------------------------------- saving

SAVE_RC: dict[RcKeyType, Any] = {
    # Type 42 = embedded TrueType: text stays selectable/editable and prints identically;
    # the default Type 3 is rejected by many journal submission systems.
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    # "none" writes real <text> elements with a CSS font stack ending in a generic family:
    # editors (Inkscape, Illustrator) can fix a label, and any machine still renders it with
    # a fallback font. "path" would be pixel-identical everywhere but no longer text. The
    # PDF is the fully embedded, portable copy; the SVG is the editable one.
    "svg.fonttype": "none",
    # Fixed ids make SVG output byte-reproducible across runs.
    "svg.hashsalt": "jiceng",
}

_NO_DATES: dict[str, dict[str, Any]] = {
    "pdf": {"CreationDate": None},
    "svg": {"Date": None},
}


def save_figure(
    fig: Figure,
    stem: Path | str,
    formats: Sequence[str] = ("pdf", "svg", "png"),
    *,
    dpi: int = 300,
) -> list[Path]:
    """Write ``stem.<fmt>`` for each format, atomically; return the paths written.

    Each file is rendered to a temp file in the target directory and moved into place with
    ``os.replace``, so a crash or a concurrent reader never sees half a figure. Vector
    formats embed fonts (see ``SAVE_RC``); raster output uses ``dpi`` (300 for print).
    Dates are left out of the metadata so reruns produce identical files.
    """
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for raw in formats:
        fmt = raw.lower().lstrip(".")
        target = stem.parent / f"{stem.name}.{fmt}"

        def render(tmp: Path, fmt: str = fmt) -> None:
            with mpl.rc_context(SAVE_RC):
                fig.savefig(tmp, format=fmt, dpi=dpi, metadata=_NO_DATES.get(fmt))

        atomic_write(target, render)
        written.append(target)
    return written


__all__ = [
    "DOUBLE_COLUMN",
    "HOUSE_RC",
    "LINE_COLOURS",
    "OKABE_ITO",
    "SAVE_RC",
    "SINGLE_COLUMN",
    "STYLE_NAMES",
    "TIER_COLOURS",
    "ensure_style",
    "figure",
    "figure_size",
    "new_axes",
    "place_legend",
    "root_figure",
    "save_figure",
    "styled",
    "subplots",
    "text_colour_on",
    "use_style",
]
