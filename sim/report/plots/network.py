"""One community's social graph, nodes coloured by an agent value (e.g. trust)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection

from sim.report.labels import label_for
from sim.report.style import Width, new_axes, styled


def _canonical_nodes(graph: nx.Graph) -> list[Hashable]:
    """Nodes in sorted order when sortable, else insertion order.

    Spring layout depends on node order, so sorting makes the picture independent of how
    the graph happened to be built.
    """
    nodes = list(graph.nodes)
    try:
        return sorted(nodes)
    except TypeError:
        return nodes


def network_layout(graph: nx.Graph, seed: int = 0) -> dict[Hashable, np.ndarray]:
    """Seeded spring layout: the same graph and seed give the same positions every call."""
    ordered: nx.Graph = nx.Graph()
    ordered.add_nodes_from(_canonical_nodes(graph))
    ordered.add_edges_from(graph.edges(data=True))
    pos = nx.spring_layout(ordered, seed=seed)
    return {node: np.asarray(xy, dtype=float) for node, xy in pos.items()}


def _node_values(
    graph: nx.Graph, values: npt.ArrayLike | Mapping[Hashable, float]
) -> npt.NDArray[np.float64]:
    """Values aligned with ``graph.nodes`` order (array) or looked up per node (mapping)."""
    if isinstance(values, Mapping):
        return np.array([values[node] for node in graph.nodes], dtype=float)
    arr = np.asarray(values, dtype=float).ravel()
    if arr.shape[0] != graph.number_of_nodes():
        raise ValueError(f"{arr.shape[0]} values for {graph.number_of_nodes()} nodes")
    return arr


@styled
def plot_network(
    graph: nx.Graph,
    values: npt.ArrayLike | Mapping[Hashable, float],
    *,
    layout_seed: int = 0,
    label: str = "trust",
    ax: Axes | None = None,
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
    node_size: float = 8.0,
    edge_width: float = 0.3,
    width: Width = "single",
    aspect: float = 0.85,
    **style: Any,
) -> Axes:
    """Graph drawn with a seeded spring layout, nodes coloured by ``values`` + colourbar.

    ``values`` follow ``graph.nodes`` order (or map node -> value). Small nodes and thin,
    translucent edges keep a few hundred residents readable at column width; the colourbar
    is labelled via ``label_for(label)``. ``style`` goes to the node ``Axes.scatter``.
    """
    colour_values = _node_values(graph, values)
    pos = network_layout(graph, seed=layout_seed)
    xy = np.array([pos[node] for node in graph.nodes], dtype=float).reshape(-1, 2)
    if ax is None:
        ax = new_axes(width, aspect)
    segments = [(pos[u], pos[v]) for u, v in graph.edges if u != v]
    ax.add_collection(
        LineCollection(
            segments, colors="0.55", linewidths=edge_width, alpha=0.5, zorder=1, gid="edges"
        )
    )
    kw: dict[str, Any] = {
        "s": node_size,
        "cmap": cmap,
        "vmin": vmin,
        "vmax": vmax,
        "linewidths": 0.2,
        "edgecolors": "white",
        "zorder": 2,
    }
    kw.update(style)
    nodes = ax.scatter(xy[:, 0], xy[:, 1], c=colour_values, gid="nodes", **kw)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.autoscale_view()
    colourbar = ax.figure.colorbar(nodes, ax=ax, shrink=0.8, pad=0.02)
    colourbar.set_label(label_for(label))
    colourbar.outline.set_visible(False)
    return ax
