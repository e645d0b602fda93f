"""Scenario discovery figures: PRIM's peeling trajectory and the chosen box's limits."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from sim.report.style import OKABE_ITO, root_figure, subplots

if TYPE_CHECKING:
    from sim.report.discover import Discovery


def plot_trajectory(result: Discovery) -> Figure:
    """Coverage against density along the peeling trajectory, coloured by the number of
    restricted dimensions; the chosen box is ringed."""
    fig, axes = subplots(1, 1, width="single", aspect=0.8)
    ax = axes[0, 0]
    t = result.trajectory
    points = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=10,
                        zorder=3)  # fmt: skip
    row = t.iloc[result.chosen]
    ax.scatter([row["coverage"]], [row["density"]], s=60, facecolors="none",
               edgecolors=OKABE_ITO["vermillion"], linewidths=1.2, zorder=4,
               label=f"box {result.chosen}")  # fmt: skip
    ax.set_xlabel("coverage (share of cases of interest in the box)")
    ax.set_ylabel("density (share of the box of interest)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    bar = root_figure(ax).colorbar(points, ax=ax)
    bar.set_label("restricted dimensions")
    ax.legend(loc="lower left")
    return fig


def plot_box(result: Discovery) -> Figure:
    """Each restricted dimension's box limits within its sampled range (normalised), with
    the limits and quasi-p-values written beside it."""
    box = result.box
    n = len(box)
    fig, axes = subplots(1, 1, width="single", aspect=0.09 * n + 0.2)
    ax = axes[0, 0]
    for i, r in enumerate(box.to_dict("records")):
        y = n - 1 - i
        ax.plot([0, 1], [y, y], color="0.8", lw=4, solid_capstyle="butt")
        if r["categories"]:
            ax.text(0.5, y, str(r["categories"]), ha="center", va="center", fontsize=6)
            continue
        low, high, r0, r1 = (float(r[k]) for k in ("min", "max", "range_min", "range_max"))
        width = r1 - r0
        lo = (low - r0) / width if width else 0.0
        hi = (high - r0) / width if width else 1.0
        ax.plot([lo, hi], [y, y], color=OKABE_ITO["blue"], lw=4, solid_capstyle="butt")
        qps = [f"{float(v):.2g}" for v in (r["qp_low"], r["qp_high"]) if np.isfinite(float(v))]
        ax.text(1.04, y, f"[{low:.3g}, {high:.3g}]  qp {', '.join(qps) or '-'}",
                va="center", fontsize=6)  # fmt: skip
    ax.set_yticks(range(n))
    ax.set_yticklabels(list(box["dimension"])[::-1], fontsize=6)
    ax.set_xlim(0, 2.0)  # the right half holds the limits and quasi-p-values
    ax.set_xticks([0, 0.5, 1])
    ax.spines["bottom"].set_bounds(0, 1)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlabel("position in the sampled range")
    ax.grid(False)
    return fig
