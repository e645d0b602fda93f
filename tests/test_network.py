"""The vectorised social graph: Watts-Strogatz as networkx builds it, a clean CSR, and
networkx views of a community or the city."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from scipy.stats import chi2_contingency

from sim import GovernanceModel
from sim.network import freeze, watts_strogatz_edges

GRAPHS = 400


def ours(n: int, k: int, p: float, seed: int) -> list[nx.Graph]:
    """GRAPHS courtyards of n residents generated at once, one networkx Graph each."""
    starts = np.arange(GRAPHS) * n
    u, v = watts_strogatz_edges(starts, np.full(GRAPHS, n), k, p, np.random.default_rng(seed))
    graphs = [nx.empty_graph(n) for _ in range(GRAPHS)]
    for a, b in zip(u.tolist(), v.tolist(), strict=True):
        graphs[a // n].add_edge(a % n, b % n)
    return graphs


@pytest.mark.parametrize(("n", "k", "p"), [(100, 4, 0.05), (30, 6, 0.2), (50, 4, 0.5)])
def test_courtyard_graphs_match_networkx_watts_strogatz(n: int, k: int, p: float) -> None:
    """Degree distribution and clustering of 400 generated courtyards against 400
    `networkx.watts_strogatz_graph`s of the same size.

    Clustering: a two-sample z-test on the graphs' average clustering; |z| < 4 has a false
    alarm chance of 6e-5 when both generators draw from the same distribution (seeds are
    fixed, so the test is deterministic) and detects a bias of 4 standard errors (0.006,
    1.4% of the clustering at the default k=4, p=0.05). Degrees: a chi-square test of
    homogeneity on the pooled degree counts; degrees inside one graph sum to n*k, which
    makes the test conservative, so p > 1e-4 is a strict bar. Edge counts: networkx keeps
    n*k/2 ties per graph, and so must we.
    """
    a, b = ours(n, k, p, seed=1), [nx.watts_strogatz_graph(n, k, p, seed=s) for s in range(GRAPHS)]
    assert [g.number_of_edges() for g in a] == [g.number_of_edges() for g in b]
    ca = np.array([nx.average_clustering(g) for g in a])
    cb = np.array([nx.average_clustering(g) for g in b])
    z = (ca.mean() - cb.mean()) / np.sqrt(ca.var(ddof=1) / GRAPHS + cb.var(ddof=1) / GRAPHS)
    assert abs(z) < 4, (ca.mean(), cb.mean(), z)
    da = np.bincount([d for g in a for _, d in g.degree()], minlength=2 * k + 8)
    db = np.bincount([d for g in b for _, d in g.degree()], minlength=2 * k + 8)
    table = np.array([da[: len(db)], db[: len(da)]]) if len(da) == len(db) else None
    assert table is not None
    table = table[:, table.sum(axis=0) >= 10]
    assert chi2_contingency(table).pvalue > 1e-4


def test_rewiring_never_ties_a_resident_to_itself_or_twice() -> None:
    rng = np.random.default_rng(0)
    e = watts_strogatz_edges(np.array([0, 50]), np.array([50, 40]), 6, 0.5, rng)
    keys = np.minimum(*e) * 100 + np.maximum(*e)
    assert (e[0] != e[1]).all()
    assert len(np.unique(keys)) == len(keys)
    assert ((e[0] < 50) == (e[1] < 50)).all()  # ties stay inside their courtyard


def test_freeze_gives_symmetric_deduplicated_sorted_rows() -> None:
    rng = np.random.default_rng(3)
    edges = rng.integers(0, 300, size=(5000, 2))
    g = freeze(300, edges)
    expected: list[set[int]] = [set() for _ in range(300)]
    for u, v in edges.tolist():
        if u != v:
            expected[u].add(v)
            expected[v].add(u)
    assert [g.neighbours(i).tolist() for i in range(300)] == [sorted(s) for s in expected]


def test_to_networkx_gives_a_communitys_ties_with_resident_ids(small: dict) -> None:
    m = GovernanceModel("chengdu_2014", rng=2, **{**small, "world.resident_agents": False})
    starts, order = m.community_members
    ids = order[starts[1] : starts[2]]
    g = m.graph.to_networkx(ids)
    assert set(g.nodes) == set(ids.tolist())
    e = m.graph.edges()
    inside = e[np.isin(e[:, 0], ids) & np.isin(e[:, 1], ids)]
    assert {tuple(sorted(x)) for x in g.edges} == {tuple(x) for x in inside.tolist()}
    city = m.graph.to_networkx()
    assert city.number_of_nodes() == m.pop.n
    assert city.number_of_edges() == len(e)
