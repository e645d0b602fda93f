"""The online channel is asynchronous pairwise bounded confidence (Deffuant et al. 2000)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim.config import OnlineConfig, TrustConfig
from sim.processes.trust import bounded_confidence, disjoint_pairs, online_round


def major_clusters(x: np.ndarray, gap: float = 0.02, major: float = 0.05) -> int:
    """Groups of opinions separated by more than `gap`, holding at least `major` of all."""
    s = np.sort(x)
    cuts = np.flatnonzero(np.diff(s) > gap)
    sizes = np.diff(np.r_[0, cuts + 1, len(s)])
    return int((sizes >= major * len(s)).sum())


def test_pairs_are_disjoint_and_nobody_meets_themself() -> None:
    rng = np.random.default_rng(0)
    who = np.arange(100, 201)
    for share in (0.0, 0.3, 1.0):
        pairs = disjoint_pairs(who, share, rng)
        flat = pairs.ravel()
        assert len(flat) == len(set(flat.tolist()))
        assert (pairs[:, 0] != pairs[:, 1]).all()
        assert np.isin(flat, who).all()
        assert len(pairs) == round(share * len(who) / 2)


def test_an_encounter_conserves_the_opinion_mass_and_respects_the_bound() -> None:
    x = np.array([0.1, 0.2, 0.5, 0.95], dtype=np.float32)
    close = bounded_confidence(x, np.array([[0, 1], [2, 3]]), bound=0.3, convergence=0.5)
    assert close.tolist() == [True, False]
    assert x.tolist() == pytest.approx([0.15, 0.15, 0.5, 0.95])


@pytest.mark.parametrize(("bound", "clusters"), [(0.4, 1), (0.22, 2), (0.15, 3)])
@pytest.mark.parametrize("contacts", [0.05, 1.0, 10.0])
def test_uniform_opinions_split_into_the_known_number_of_clusters(
    bound: float, clusters: int, contacts: float
) -> None:
    """Complete mixing, uniform initial opinions, mu = 0.5: the number of major clusters is
    floor(1 / (2 bound)) (Deffuant et al. 2000, Fig. 1; Lorenz 2007), whatever the weekly
    contact rate, once each resident has had ~400 encounters; the mean is conserved."""
    rng = np.random.default_rng(1)
    g = rng.random(1000).astype(np.float32)
    pop = SimpleNamespace(grievance=g, trust={"government": np.full(1000, 0.5, np.float32)})
    trust_cfg = TrustConfig(online_contacts=contacts, confidence_bound=bound, convergence=0.5)
    mass = g.sum(dtype=np.float64)
    for _ in range(int(400 / contacts) + 1):
        online_round(pop, np.arange(1000), trust_cfg, OnlineConfig(monitoring=0.0), rng)  # type: ignore[arg-type]
    assert major_clusters(g) == clusters
    assert g.sum(dtype=np.float64) == pytest.approx(mass, abs=1e-3)
