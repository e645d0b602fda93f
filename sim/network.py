"""The social graph: household, courtyard-neighbour and bridging ties, frozen to CSR.

Households are cliques. Neighbour ties inside each courtyard follow Watts and Strogatz
(1998) as `networkx.watts_strogatz_graph` builds them (a ring where each resident is tied to
the k/2 nearest on each side, each tie rewired with probability p to a uniformly chosen
resident it is not yet tied to), generated for every courtyard at once with numpy and
seeded from the run's network stream. A few bridging ties join random residents anywhere.
The edges are frozen to CSR (`indptr`, `indices`) by a counting sort on the source
resident; `to_networkx` gives researchers a networkx Graph of a community or of the city.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp

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

    def adjacency(self, nodes: np.ndarray | None = None) -> sp.csr_array:
        """0/1 adjacency of the whole graph, or of the subgraph induced by `nodes` (rows and
        columns in the order of `nodes`)."""
        data = np.ones(len(self.indices), dtype=np.int8)
        a = sp.csr_array((data, self.indices, self.indptr), shape=(self.n, self.n))
        if nodes is None:
            return a
        nodes = np.asarray(nodes, dtype=np.int64)
        return a[nodes][:, nodes]

    def to_networkx(self, nodes: np.ndarray | None = None) -> nx.Graph:
        """A networkx Graph of the whole graph, or of the subgraph induced by `nodes` (e.g. a
        community's residents), with residents' ids as node labels; built in one call from
        the CSR (`nx.from_scipy_sparse_array`)."""
        g = nx.from_scipy_sparse_array(self.adjacency(nodes))
        if nodes is not None:
            g = nx.relabel_nodes(g, dict(enumerate(np.asarray(nodes).tolist())))
        return g


Edges = tuple[np.ndarray, np.ndarray]
"""Undirected edges as two equal-length arrays of endpoints (u[i], v[i])."""


def _index_dtype(n: int) -> type[np.signedinteger]:
    return np.int32 if n < 2**31 else np.int64


def freeze(n: int, edges: np.ndarray) -> SocialGraph:
    """Symmetric, de-duplicated CSR adjacency from an (m, 2) edge array, self-loops dropped."""
    e = edges[edges[:, 0] != edges[:, 1]]
    return freeze_parts(n, [(e[:, 0], e[:, 1])])


def freeze_parts(n: int, parts: list[Edges]) -> SocialGraph:
    """Symmetric, de-duplicated CSR adjacency from lists of edges without self-loops.

    scipy's COO-to-CSR conversion is a counting sort on the source resident (O(m + n), no
    global sort); duplicates are then merged inside each row, which holds a handful of ties.
    """
    index = _index_dtype(n)
    rows = np.concatenate([u for u, _ in parts] + [v for _, v in parts]).astype(index, copy=False)
    cols = np.concatenate([v for _, v in parts] + [u for u, _ in parts]).astype(index, copy=False)
    data = np.ones(len(rows), dtype=np.int8)
    a = sp.coo_array((data, (rows, cols)), shape=(n, n)).tocsr()
    del rows, cols, data
    a.sum_duplicates()
    return SocialGraph(
        indptr=a.indptr.astype(np.int64, copy=False), indices=a.indices.astype(np.int32, copy=False)
    )


def runs(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(start, size) of each run of equal labels (households, courtyards are contiguous)."""
    if len(labels) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    return starts, np.diff(np.r_[starts, len(labels)])


def _concat(parts: list[Edges], dtype: type[np.signedinteger]) -> Edges:
    if not parts:
        return np.empty(0, dtype=dtype), np.empty(0, dtype=dtype)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def clique_edges(starts: np.ndarray, sizes: np.ndarray, dtype: type = np.int64) -> Edges:
    """All pairs inside each group of residents [start, start + size)."""
    parts = []
    for size in np.unique(sizes[sizes > 1]).tolist():
        base = starts[sizes == size].astype(dtype)
        upper_i, upper_j = np.triu_indices(size, 1)
        parts.append(((base[:, None] + upper_i).ravel(), (base[:, None] + upper_j).ravel()))
    return _concat(parts, dtype)


def household_edges(household: np.ndarray) -> Edges:
    """All pairs inside each household (households are contiguous runs)."""
    return clique_edges(*runs(household), dtype=_index_dtype(len(household)))


def watts_strogatz_edges(
    starts: np.ndarray, sizes: np.ndarray, k: int, p: float, rng: np.random.Generator
) -> Edges:
    """Watts-Strogatz ties inside every group [start, start + size) at once.

    As `networkx.watts_strogatz_graph(size, k, p)`: each resident is tied to its k/2 nearest
    on each side of a ring; the ties (u, u + j) are visited in networkx's order (j = 1..k/2,
    then u) and each is rewired with probability p to (u, w), w uniform among the residents
    u is not tied to at that moment: those off the ring, plus ring neighbours whose tie to u
    an earlier rewiring removed, less partners of ties earlier rewirings added (a later
    rewiring that repeats an earlier pair is redrawn). Groups of at most k + 1 residents
    are complete graphs, as networkx has no target left to rewire to.
    """
    half = k // 2
    total = int(starts[-1] + sizes[-1]) if len(starts) else 0
    dtype = _index_dtype(total)
    if half == 0:
        return np.empty(0, dtype=dtype), np.empty(0, dtype=dtype)
    ring = sizes > k + 1
    small = (sizes > 1) & ~ring
    cliques = clique_edges(starts[small], sizes[small], dtype)
    u = np.flatnonzero(np.repeat(ring, sizes)).astype(dtype)
    first = np.repeat(starts[ring].astype(dtype), sizes[ring])
    size = np.repeat(sizes[ring].astype(dtype), sizes[ring])
    n = len(u)
    rewire = rng.random((half, n)) < p  # row j - 1: is tie (u, u + j) rewired?
    hits = np.flatnonzero(rewire.ravel())
    freed = _freed_offsets(hits, rewire, u - first, size)
    offset = np.repeat(np.arange(1, half + 1, dtype=dtype), n)  # tie e joins u and u + offset
    offset[hits] = _target_offsets(size[hits % n], half, freed, rng)
    _redraw_repeats(offset, hits, freed, u, first, size, half, rng)
    v = np.tile(u - first, half) + offset
    big = np.tile(size, half)
    v -= big * (v >= big)
    v += np.tile(first, half)
    return _concat([cliques, (np.tile(u, half), v)], dtype)


def _freed_offsets(
    hits: np.ndarray, rewire: np.ndarray, local: np.ndarray, size: np.ndarray
) -> np.ndarray:
    """For each rewiring (flat index j-1, u), the ring offsets of u's neighbours whose tie
    to u an earlier rewiring (in networkx's order) removed; 0 marks no such neighbour."""
    half, n = rewire.shape
    j, r = hits // n + 1, hits % n
    out = np.zeros((len(hits), 2 * half), dtype=size.dtype)
    for step in range(1, half + 1):
        own = (step < j) & rewire[step - 1, r]  # u's own tie to u + jp, rewired in round jp
        out[:, step - 1] = np.where(own, step, 0)
        wrap = local[r] < step
        owner = r - step + size[r] * wrap  # the resident u - jp, who owns tie (u - jp, u)
        before = (step < j) | ((step == j) & ~wrap)
        out[:, half + step - 1] = np.where(before & rewire[step - 1, owner], size[r] - step, 0)
    return out


def _target_offsets(
    size: np.ndarray, half: int, freed: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """A uniform ring offset among those u is not tied to: off the ring (half+1 ..
    size-half-1) or a freed neighbour (`freed`, 0 = none)."""
    off_ring = size - 2 * half - 1
    has = freed > 0
    pick = (rng.random(len(size)) * (off_ring + has.sum(axis=1))).astype(size.dtype)
    nth = pick - off_ring  # >= 0: take the nth freed neighbour
    column = np.argmax(np.cumsum(has, axis=1) > np.maximum(nth, 0)[:, None], axis=1)
    return np.where(nth < 0, half + 1 + pick, freed[np.arange(len(size)), column])


def _redraw_repeats(
    offset: np.ndarray,
    hits: np.ndarray,
    freed: np.ndarray,
    u: np.ndarray,
    first: np.ndarray,
    size: np.ndarray,
    half: int,
    rng: np.random.Generator,
    rounds: int = 50,
) -> None:
    """Redraw later rewirings that repeat an earlier one's pair (networkx refuses a second
    tie between the same residents); only the few rewired ties are sorted. A rewiring still
    repeating after `rounds` redraws has no target left and keeps its ring tie, as networkx
    skips it."""
    n = len(u)
    r = hits % n
    a = u[r].astype(np.int64)
    again = np.empty(0, dtype=np.int64)
    for _ in range(rounds):
        b = first[r] + (u[r] - first[r] + offset[hits]) % size[r]
        key = np.minimum(a, b) * (int(u[-1]) + 1 if n else 1) + np.maximum(a, b)
        order = np.argsort(key, kind="stable")
        again = order[1:][key[order][1:] == key[order][:-1]]
        if len(again) == 0:
            return
        offset[hits[again]] = _target_offsets(size[r[again]], half, freed[again], rng)
    offset[hits[again]] = hits[again] // n + 1


def courtyard_edges(courtyard: np.ndarray, k: int, p: float, rng: np.random.Generator) -> Edges:
    """Watts-Strogatz ties inside each courtyard (residents of a courtyard are contiguous)."""
    return watts_strogatz_edges(*runs(courtyard), k, p, rng)


def bridge_edges(n: int, mean_ties: float, rng: np.random.Generator) -> Edges:
    """Poisson(mean_ties x n / 2) ties between uniformly random residents (self-ties dropped)."""
    m = rng.poisson(mean_ties * n / 2.0)
    e = rng.integers(0, n, size=(m, 2)).astype(_index_dtype(n))
    e = e[e[:, 0] != e[:, 1]]
    return e[:, 0].copy(), e[:, 1].copy()


def build_graph(
    cfg: WorldConfig, household: np.ndarray, courtyard: np.ndarray, rng: np.random.Generator
) -> SocialGraph:
    n = len(household)
    return freeze_parts(
        n,
        [
            household_edges(household),
            courtyard_edges(courtyard, cfg.neighbour_ties, cfg.tie_rewiring, rng),
            bridge_edges(n, cfg.bridge_ties, rng),
        ],
    )
