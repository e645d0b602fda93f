"""Trust and grievance: spread along ties, the online channel and its monitoring.

Every `trust.interval` weeks each resident moves `diffusion` (trust) and
`grievance_diffusion` of the way toward the mean of their ties (household, neighbour,
bridging and social-organisation ties), scaled by how settled they are (newcomers' ties are
weaker). Online, residents meet others beyond their ties in random disjoint pairs and, if
their grievances differ by less than `confidence_bound`, each moves `convergence` toward the
other (asynchronous pairwise bounded confidence: Deffuant, Neau, Amblard and Weisbuch 2000,
"Mixing beliefs among interacting agents", Advances in Complex Systems 3: 87-98); trust in
government converges in the same encounters. Monitoring flags online residents above the
warning level and the two-level response relieves them; posts about festering disputes
that monitoring finds are followed up offline (seed: online opinion monitoring, early
warning, two-level response; 网上发现、落地查人).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from sim.agents.councils import efficacy, has_council
from sim.config import OnlineConfig, SimConfig, TrustConfig
from sim.ledger import ONLINE
from sim.network import SocialGraph
from sim.population import INSTITUTIONS, Population
from sim.processes.base import Process, Tally
from sim.processes.ladder import Ladder
from sim.processes.migration import settled
from sim.processes.participation import Participation

if TYPE_CHECKING:
    from sim.model import GovernanceModel


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
        self.degree: np.ndarray | None = None
        self.set_extra(np.empty((0, 2), dtype=np.int64))

    def set_extra(self, edges: np.ndarray) -> None:
        """Replace the extra ties; only the rows of residents whose degree changed are
        renormalised (organisations come and go weekly in a large city: a full pass over
        every tie each time cost more than the diffusion it serves)."""
        extra = edge_matrix(self.n, edges)
        degree = self.base_degree + np.asarray(extra.sum(axis=1), dtype=np.float32).ravel()
        inv = (1.0 / degree).astype(np.float32)
        old = self.degree
        if old is None:
            self.base.data = np.repeat(inv, self.base_row_nnz)
        else:
            rows = np.flatnonzero(degree != old)
            counts = self.base_row_nnz[rows]
            offsets = np.repeat(self.base.indptr[rows] - np.cumsum(counts) + counts, counts)
            self.base.data[offsets + np.arange(len(offsets))] = np.repeat(inv[rows], counts)
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
class OnlineTally(Tally):
    """Online encounters, those that converged, and early warnings this week."""

    encounters: int = 0
    converged: int = 0
    warnings: int = 0


def disjoint_pairs(who: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """Random disjoint pairs (k, 2) among `who`: a share `share` of them meet once.

    One random permutation; consecutive entries meet. Nobody meets themself or meets twice
    in a round, so one round is a set of independent pairwise encounters.
    """
    k = int(round(min(max(share, 0.0), 1.0) * len(who) / 2))
    order = rng.permutation(who)[: 2 * k]
    return order.reshape(k, 2)


def bounded_confidence(
    x: np.ndarray,
    pairs: np.ndarray,
    bound: float,
    convergence: float,
    also: np.ndarray | None = None,
) -> np.ndarray:
    """Deffuant et al. (2000): each pair whose opinions differ by less than `bound` moves
    `convergence` of the way toward each other (sum conserved). `also` (e.g. trust) converges in the
    same encounters. Returns which pairs converged."""
    i, j = pairs[:, 0], pairs[:, 1]
    close = np.abs(x[i] - x[j]) < bound
    i, j = i[close], j[close]
    for v in (x,) if also is None else (x, also):
        left, right = v[i], v[j]
        shift = (right - left) * v.dtype.type(convergence)
        v[i], v[j] = left + shift, right - shift
    return close


def online_round(
    pop: Population,
    online_idx: np.ndarray,
    trust_cfg: TrustConfig,
    online_cfg: OnlineConfig,
    rng: np.random.Generator,
) -> OnlineTally:
    """A week of online discussion, then monitoring.

    Residents meet in rounds of disjoint random pairs: `online_contacts` rounds a week (a
    fractional round pairs that share of them), each an asynchronous bounded-confidence
    step on grievance, with trust in government converging in the same encounters.
    Monitoring then flags online residents above the warning level, and the response
    relieves them (festering disputes found through posts: `GovernanceModel._find_online`).
    """
    tally = OnlineTally()
    if len(online_idx) < 2:
        return tally
    g, trust_government = pop.grievance, pop.trust["government"]
    contacts = trust_cfg.online_contacts
    rounds = [1.0] * int(contacts) + ([contacts - int(contacts)] if contacts % 1 else [])
    for share in rounds:
        pairs = disjoint_pairs(online_idx, share, rng)
        close = bounded_confidence(
            g, pairs, trust_cfg.confidence_bound, trust_cfg.convergence, trust_government
        )
        tally.encounters += len(pairs)
        tally.converged += int(close.sum())
    if online_cfg.monitoring > 0:
        hot = online_idx[g[online_idx] > online_cfg.warning_level]
        flagged = hot[rng.random(len(hot)) < online_cfg.monitoring]
        g[flagged] = np.maximum(g[flagged] - np.float32(online_cfg.response_relief), 0)
        tally.warnings = len(flagged)
    return tally


@dataclass
class DiffusionTally(Tally):
    """Whether trust and grievance spread on ties this week."""

    spread: int = 0  # 1 in the weeks trust and grievance spread


class Diffusion(Process):
    """Every `trust.interval` weeks: trust in the committee is pulled toward the councils'
    legitimacy, then trust and grievance spread on ties (this module's `spread`)."""

    name = "diffusion"
    tally_type = DiffusionTally

    def configure(self, cfg: SimConfig) -> None:
        self.cfg: TrustConfig = cfg.trust
        self.no_council_efficacy = cfg.participation.no_council_efficacy
        self.integration_weeks = cfg.migration.integration_weeks

    def step(self, model: GovernanceModel, t: int) -> DiffusionTally:
        cfg, pop, interval = self.cfg, model.pop, self.cfg.interval
        if t % interval:
            return DiffusionTally()
        eff = efficacy(model, self.no_council_efficacy).astype(np.float32)
        has = has_council(model)
        pull = np.float32(min(cfg.legitimacy_pull * interval, 1.0)) * has[pop.courtyard]
        trust_committee = pop.trust["committee"]
        trust_committee += pull * (eff[pop.courtyard] - trust_committee)
        part = model.process(Participation)
        weights = settled(pop, t, self.integration_weeks)
        part.peer_share = spread(pop, model.ties, cfg, weights, part.recent(t))
        return DiffusionTally(spread=1)


class Online(Process):
    """Online discussion and its monitoring (`online_round`); posts about festering
    disputes that monitoring finds are followed up offline and enter the ladder next week,
    caught early (网上发现、落地查人)."""

    name = "online"
    tally_type = OnlineTally

    def __init__(self, model: GovernanceModel) -> None:
        super().__init__(model)
        self.online_idx = np.flatnonzero(model.pop.online)

    def configure(self, cfg: SimConfig) -> None:
        self.trust_cfg: TrustConfig = cfg.trust
        self.cfg: OnlineConfig = cfg.policy.online

    def step(self, model: GovernanceModel, t: int) -> OnlineTally:
        rng = model.streams["online"]
        tally = online_round(model.pop, self.online_idx, self.trust_cfg, self.cfg, rng)
        chance = self.cfg.monitoring * self.cfg.posting
        ladder = model.process(Ladder)
        ids, initiators = ladder.festering()
        if len(ids) and chance > 0:
            posted = model.pop.online[initiators]
            found = ids[posted & (rng.random(len(ids)) < chance)]
            ladder.expedite(found, float(t + 1), ONLINE)
        return tally
