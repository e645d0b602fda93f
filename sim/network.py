"""The social graph: household, courtyard-neighbour and bridging ties, frozen to CSR.

Neighbour ties inside each courtyard come from networkx's Watts-Strogatz generator
(clustered, short paths), seeded from the run's network generator, never global state.
Households are cliques; a few bridging ties join random residents anywhere. The result is
frozen to CSR (`indptr`, `indices`) for the step; `to_networkx` rebuilds a Graph on demand.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from sim.config import WorldConfig


@dataclass(frozen=True)
class SocialGraph:
    indptr: np.ndarray
    indices: np.ndarray

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    def degree(self) -> np.ndarray:
        return np.diff(self.indptr)

    def neighbours(self, i: int) -> np.ndarray:
        return self.indices[self.indptr[i] : self.indptr[i + 1]]

    def edges(self) -> np.ndarray:
        """Each undirected edge once, as an (m, 2) array with u < v."""
        src = np.repeat(np.arange(self.n, dtype=np.int64), self.degree())
        keep = src < self.indices
        return np.column_stack([src[keep], self.indices[keep]])

    def to_networkx(self, nodes: np.ndarray | None = None) -> nx.Graph:
        """A networkx view of the whole graph, or of the subgraph induced by `nodes`."""
        e = self.edges()
        g = nx.Graph()
        if nodes is None:
            g.add_nodes_from(range(self.n))
        else:
            g.add_nodes_from(nodes.tolist())
            mask = np.isin(e[:, 0], nodes) & np.isin(e[:, 1], nodes)
            e = e[mask]
        g.add_edges_from(e.tolist())
        return g


def freeze(n: int, edges: np.ndarray) -> SocialGraph:
    """Symmetric, de-duplicated CSR adjacency from an (m, 2) edge array."""
    e = edges[edges[:, 0] != edges[:, 1]]
    both = np.concatenate([e, e[:, ::-1]])
    key = np.unique(both[:, 0].astype(np.int64) * n + both[:, 1])
    src, dst = key // n, key % n
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return SocialGraph(indptr=indptr, indices=dst.astype(np.int32))


def household_edges(household: np.ndarray) -> np.ndarray:
    """All pairs inside each household (households are contiguous runs)."""
    starts = np.flatnonzero(np.r_[True, household[1:] != household[:-1]])
    sizes = np.diff(np.r_[starts, len(household)])
    parts = []
    for size in np.unique(sizes[sizes > 1]):
        base = starts[sizes == size]
        iu, ju = np.triu_indices(int(size), 1)
        parts.append(np.column_stack([(base[:, None] + iu).ravel(), (base[:, None] + ju).ravel()]))
    return np.concatenate(parts) if parts else np.empty((0, 2), dtype=np.int64)


def courtyard_edges(
    courtyard: np.ndarray, k: int, p: float, rng: np.random.Generator
) -> np.ndarray:
    """Watts-Strogatz ties inside each courtyard (residents of a courtyard are contiguous)."""
    if k == 0:
        return np.empty((0, 2), dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, courtyard[1:] != courtyard[:-1]])
    sizes = np.diff(np.r_[starts, len(courtyard)])
    seeds = rng.integers(0, 2**31 - 1, size=len(starts))
    parts = []
    for start, size, seed in zip(starts.tolist(), sizes.tolist(), seeds.tolist(), strict=True):
        if size < 2:
            continue
        if size <= k:
            g = nx.complete_graph(size)
        else:
            g = nx.watts_strogatz_graph(size, k, p, seed=seed)
        local = np.fromiter((x for edge in g.edges() for x in edge), dtype=np.int64)
        parts.append(local.reshape(-1, 2) + start)
    return np.concatenate(parts) if parts else np.empty((0, 2), dtype=np.int64)


def bridge_edges(n: int, mean_ties: float, rng: np.random.Generator) -> np.ndarray:
    m = rng.poisson(mean_ties * n / 2.0)
    return rng.integers(0, n, size=(m, 2))


def build_graph(
    cfg: WorldConfig, household: np.ndarray, courtyard: np.ndarray, rng: np.random.Generator
) -> SocialGraph:
    n = len(household)
    edges = np.concatenate(
        [
            household_edges(household),
            courtyard_edges(courtyard, cfg.neighbour_ties, cfg.tie_rewiring, rng),
            bridge_edges(n, cfg.bridge_ties, rng),
        ]
    )
    return freeze(n, edges)
