"""Publication figures over the tidy result tables (timeseries, runs, comparisons, ...).

Every ``plot_*`` is a pure function of its table: it draws on the given Axes or makes its
own figure at paper width and returns it; nothing is written to disk (use
``sim.report.style.save_figure``). The ``*_table``/``*_band`` helpers return exactly the
numbers drawn, so tests and captions can quote them.
"""

from sim.report.plots.forest import plot_forest
from sim.report.plots.heatmap import heatmap_table, plot_heatmap
from sim.report.plots.network import network_layout, plot_network
from sim.report.plots.resolution import plot_resolution_ecdf, resolution_ecdf
from sim.report.plots.sensitivity import plot_morris, plot_sobol
from sim.report.plots.tiers import plot_tier_shares, tier_share_table
from sim.report.plots.timeseries import plot_timeseries

__all__ = [
    "heatmap_table",
    "network_layout",
    "plot_forest",
    "plot_heatmap",
    "plot_morris",
    "plot_network",
    "plot_resolution_ecdf",
    "plot_sobol",
    "plot_tier_shares",
    "plot_timeseries",
    "resolution_ecdf",
    "tier_share_table",
]
