"""The world's structure: exact courtyard totals, a seeded clustered graph, institutions."""

from __future__ import annotations

import numpy as np
import pytest

from sim import GovernanceModel
from sim.agents import MediationCommittee, PartyBranch, Resident
from sim.compose import load_config
from sim.rng import stream
from sim.world import build_world, household_sizes


def test_chengdu_structure_at_city_scale() -> None:
    cfg = load_config("chengdu_2014", {"world.communities": 654})
    w = build_world(cfg.world, stream(0, "world"))
    assert w.n_communities == 654
    assert w.n_courtyards == 13_595
    assert np.bincount(w.courtyard_community).min() >= 1


def test_graph_is_symmetric_seeded_and_clustered(small: dict) -> None:
    a = GovernanceModel("chengdu_2014", rng=1, **small)
    b = GovernanceModel("chengdu_2014", rng=1, **small)
    g = a.graph
    assert np.array_equal(g.indices, b.graph.indices)
    e = g.edges()
    assert (e[:, 0] != e[:, 1]).all()
    nx_graph = g.to_networkx()
    assert nx_graph.number_of_edges() == len(e)
    import networkx as nx

    assert nx.average_clustering(nx_graph) > 0.2  # households and WS rings cluster
    # household members are tied to each other
    hh = a.pop.household
    i = int(np.flatnonzero(np.r_[hh[1:] == hh[:-1], False])[0])
    assert i + 1 in set(g.neighbours(i).tolist())


def test_residents_are_views_over_the_arrays(small: dict) -> None:
    m = GovernanceModel("chengdu_2014", rng=1, **small)
    residents = m.agents_by_type[Resident]
    assert len(residents) == m.pop.n
    r = m.residents[10]
    r.grievance = 0.9
    assert m.pop.grievance[10] == np.float32(0.9)
    older = residents.select(lambda a: a.age >= 70)
    assert len(older) == int((m.pop.age >= 70).sum())


def test_institutions_follow_coverage(small: dict) -> None:
    full = GovernanceModel("chengdu_2014", rng=1, **{**small, "policy.party.building_coverage": 1})
    none = GovernanceModel("chengdu_2014", rng=1, **{**small, "policy.party.building_coverage": 0})
    levels = lambda m: [a.level for a in m.agents_by_type[PartyBranch]]  # noqa: E731
    assert levels(full).count("building") == full.world.n_buildings
    assert levels(none).count("building") == 0
    base = GovernanceModel("baseline_2008", rng=1, **small)
    courtyard_med = [a for a in base.agents_by_type[MediationCommittee] if a.level == "courtyard"]
    assert 0 < len(courtyard_med) < base.world.n_courtyards


def test_chengdu_city_is_the_documented_city_of_4_74_million_people() -> None:
    """654 communities, 13,595 courtyards, 1.75 M households, 4.09 M adults, 0.65 M children:
    4,741,929 people (the five central districts at the 2010 census; docs/ODD.md, section 5).
    Counts are sums of millions of draws, so 1% is many standard deviations."""
    cfg = load_config("chengdu_city")
    w = build_world(cfg.world, stream(0, "world"))
    adults = int(household_sizes(cfg.world, stream(0, "population"), w.n_households).sum())
    assert (w.n_communities, w.n_courtyards) == (654, 13_595)
    assert w.n_households == pytest.approx(1_749_789, rel=0.01)
    assert adults == pytest.approx(4_087_508, rel=0.01)
    assert w.n_children == pytest.approx(654_421, rel=0.01)
    assert adults + w.n_children == pytest.approx(4_741_929, rel=0.01)


def test_people_are_adults_and_their_households_children(small: dict) -> None:
    m = GovernanceModel("chengdu_2014", rng=3, **small)
    pop, w = m.pop, m.world
    assert pop.children == w.n_children > 0
    assert pop.people == pop.n + w.n_children
    per_community = np.bincount(w.household_community(), weights=w.household_children)
    assert (
        pop.community_people.tolist()
        == (m.community_residents + per_community).astype(int).tolist()
    )
    assert pop.people_per(pop.courtyard, w.n_courtyards).sum() == pop.people
    assert pop.people_per(pop.community, w.n_communities).tolist() == pop.community_people.tolist()
    expected = w.n_households * m.cfg.world.children_per_household
    assert abs(w.n_children - expected) < 5 * np.sqrt(expected)  # Poisson: 5 sd
