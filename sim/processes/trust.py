"""Trust and grievance: spread along ties, the online channel and its monitoring.

Every `trust.interval` weeks each resident moves `diffusion` (trust) and
`grievance_diffusion` of the way toward the mean of their ties (household, neighbour,
bridging and social-organisation ties), scaled by how settled they are (newcomers' ties are
weaker). Online, residents meet others beyond their ties at random and, if their
grievances differ by less than `confidence_bound`, each moves `convergence` toward the other
(Deffuant et al. 2000); trust in government converges in the same encounters. Monitoring
flags online residents above the warning level, and the two-level response relieves them
(seed: online opinion monitoring, early warning, two-level response).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from sim.config import OnlineConfig, TrustConfig
from sim.network import SocialGraph
from sim.population import INSTITUTIONS, Population


def adjacency(graph: SocialGraph) -> sp.csr_matrix:
    data = np.ones(len(graph.indices), dtype=np.float32)
    return sp.csr_matrix((data, graph.indices, graph.indptr), shape=(graph.n, graph.n))


def edge_matrix(n: int, edges: np.ndarray) -> sp.csr_matrix:
    """Symmetric 0/1 matrix of extra ties (duplicates count once)."""
    if len(edges) == 0:
        return sp.csr_matrix((n, n), dtype=np.float32)
    e = edges[edges[:, 0] != edges[:, 1]]
    rows = np.concatenate([e[:, 0], e[:, 1]])
    cols = np.concatenate([e[:, 1], e[:, 0]])
    m = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, n))
    m.data[:] = 1.0
    return m


class Ties:
    """The fixed social graph plus social-organisation ties, as row-normalised matrices.

    `W_base @ x + W_extra @ x` is the mean of x over each resident's ties. Isolated
    residents get a self-loop, so their "neighbour mean" is their own value.
    """

    def __init__(self, graph: SocialGraph) -> None:
        self.n = graph.n
        base = adjacency(graph)
        isolated = np.flatnonzero(graph.degree() == 0)
        if len(isolated):
            base = base + sp.csr_matrix(
                (np.ones(len(isolated), np.float32), (isolated, isolated)), shape=base.shape
            )
        self.base = base.tocsr()
        self.base_row_nnz = np.diff(self.base.indptr)
        self.base_degree = self.base_row_nnz.astype(np.float32)
        self.set_extra(np.empty((0, 2), dtype=np.int64))

    def set_extra(self, edges: np.ndarray) -> None:
        extra = edge_matrix(self.n, edges)
        degree = self.base_degree + np.asarray(extra.sum(axis=1), dtype=np.float32).ravel()
        inv = (1.0 / degree).astype(np.float32)
        self.base.data = np.repeat(inv, self.base_row_nnz)
        extra_rows = np.repeat(np.arange(self.n), np.diff(extra.indptr))
        extra.data = inv[extra_rows]
        self.extra = extra
        self.degree = degree

    @property
    def extra_edges(self) -> int:
        return int(self.extra.nnz // 2)

    def neighbour_mean(self, x: np.ndarray) -> np.ndarray:
        """Mean of x over each resident's ties (own value where isolated)."""
        total = self.base @ x
        if self.extra.nnz:
            total += self.extra @ x
        return total


def spread(
    pop: Population, ties: Ties, cfg: TrustConfig, settled: np.ndarray, also: np.ndarray
) -> np.ndarray:
    """One diffusion round of trust (every institution) and grievance along ties.

    Returns the neighbour mean of `also` (recent participation, for the peer effect),
    computed in the same sparse product.
    """
    k = len(INSTITUTIONS)
    x = np.column_stack([*(pop.trust[name] for name in INSTITUTIONS), pop.grievance, also])
    m = ties.neighbour_mean(x)
    for j, col in enumerate([*(pop.trust[name] for name in INSTITUTIONS), pop.grievance]):
        rate = np.float32(cfg.diffusion if j < k else cfg.grievance_diffusion)
        col += (m[:, j] - col) * (rate * settled)
    return np.ascontiguousarray(m[:, k + 1])


@dataclass
class OnlineTally:
    encounters: int = 0
    converged: int = 0
    warnings: int = 0


def online_round(
    pop: Population,
    online_idx: np.ndarray,
    trust_cfg: TrustConfig,
    online_cfg: OnlineConfig,
    rng: np.random.Generator,
) -> OnlineTally:
    """Bounded-confidence encounters among online residents, then monitoring."""
    tally = OnlineTally()
    n_on = len(online_idx)
    if n_on < 2:
        return tally
    k = int(rng.poisson(trust_cfg.online_contacts * n_on / 2))
    i = online_idx[rng.integers(0, n_on, size=k)]
    j = online_idx[rng.integers(0, n_on, size=k)]
    g, tg = pop.grievance, pop.trust["government"]
    close = np.abs(g[i] - g[j]) < trust_cfg.confidence_bound
    i, j = i[close], j[close]
    mu = np.float32(trust_cfg.convergence)
    gi, gj = g[i], g[j]
    g[i], g[j] = gi + mu * (gj - gi), gj + mu * (gi - gj)
    ti, tj = tg[i], tg[j]
    tg[i], tg[j] = ti + mu * (tj - ti), tj + mu * (ti - tj)
    tally.encounters, tally.converged = k, int(close.sum())
    if online_cfg.monitoring > 0:
        hot = online_idx[g[online_idx] > online_cfg.warning_level]
        flagged = hot[rng.random(len(hot)) < online_cfg.monitoring]
        g[flagged] = np.maximum(g[flagged] - np.float32(online_cfg.response_relief), 0)
        tally.warnings = len(flagged)
    return tally
