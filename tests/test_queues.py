"""The tier queues are correct: an M/M/c tier reproduces Erlang C."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import GovernanceModel
from sim.config import Discipline, ServiceDist
from sim.processes.queues import Pool, advance, service_time


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of M/M/c (Erlang C)."""
    a = lam / mu
    top = a**c / math.factorial(c) * c / (c - a)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


def simulate_pool(lam: float, mean_service: float, c: int, steps: int, seed: int) -> np.ndarray:
    """Poisson arrivals (uniform times within each step), exponential service, FIFO."""
    rng = np.random.default_rng(seed)
    pool = Pool(c)
    waits: list[float] = []
    did = 0
    for t in range(steps):
        for time in np.sort(t + rng.random(rng.poisson(lam))).tolist():
            pool.waiting.append((time, 0.0, did))
            did += 1
        for _, arrival, start, _ in advance(
            pool, t + 1.0, Discipline.fifo, lambda _d: float(rng.exponential(mean_service))
        ):
            waits.append(start - arrival)
    return np.asarray(waits)


def batch_se(x: np.ndarray, batches: int = 40) -> float:
    means = np.array([b.mean() for b in np.array_split(x, batches)])
    return float(means.std(ddof=1) / math.sqrt(batches))


@pytest.mark.parametrize(
    ("lam", "mean_service", "c"), [(2.0, 1.2, 3), (0.7, 2.0, 2), (5.0, 0.15, 1)]
)
def test_pool_reproduces_erlang_c(lam: float, mean_service: float, c: int) -> None:
    waits = simulate_pool(lam, mean_service, c, steps=30_000, seed=7)[2000:]
    expected = erlang_c_wait(lam, 1.0 / mean_service, c)
    se = batch_se(waits)
    assert abs(waits.mean() - expected) < 4 * se, (waits.mean(), expected, se)
    assert abs(waits.mean() / expected - 1) < 0.1


def test_model_courtyard_tier_is_mmc() -> None:
    """In a one-courtyard world with constant rates, the courtyard tier receives a thinned
    Poisson stream (outputs of M/M/inf self-settlement), so its mean wait is Erlang C at the
    measured arrival rate."""
    over = {
        "world.communities": 1,
        "world.courtyards_per_community": 1,
        "world.buildings_per_courtyard": 4,
        "world.households_per_building": 20,
        "disputes.base_rate": 0.03,
        "disputes.grievance_effect": 0.0,
        "disputes.density_effect": 0.0,
        "disputes.property_rate": 0.0,
        "mediation.courtyard.servers": 2,
        "mediation.courtyard.service_mean": 1.0,
        "mediation.courtyard.success": 0.9,
        "mediation.bypass": 0.0,
        "steps": 6000,
        "output.progress": False,
        "output.panel_interval": 10000,
    }
    m = GovernanceModel("chengdu_2014", rng=3, **over)
    m.run()
    led = m.ledger
    entry, start = led.tier_entry[:, 1], led.tier_start[:, 1]
    served = ~np.isnan(start) & (entry > 500)
    lam = served.sum() / (np.nanmax(entry) - 500)
    waits = (start - entry)[served]
    expected = erlang_c_wait(lam, 1.0, 2)
    assert 0.4 < lam / 2 < 0.95  # a loaded but stable queue
    se = batch_se(waits[np.argsort(entry[served])])
    assert abs(waits.mean() - expected) < 4 * se + 0.02 * expected, (waits.mean(), expected, se)


def test_severity_discipline_serves_most_severe_first() -> None:
    pool = Pool(1)
    pool.waiting = [(0.1, 0.2, 0), (0.2, 0.9, 1), (0.3, 0.5, 2)]
    served = advance(pool, 100.0, Discipline.severity, lambda _d: 1.0)
    assert [d for d, *_ in served] == [0, 1, 2]  # 0 starts alone at 0.1; then 1 (0.9), 2
    pool = Pool(1)
    pool.free = [5.0]
    pool.waiting = [(0.1, 0.2, 0), (0.2, 0.9, 1), (0.3, 0.5, 2)]
    served = advance(pool, 100.0, Discipline.severity, lambda _d: 1.0)
    assert [d for d, *_ in served] == [1, 2, 0]
    assert [s for _, _, s, _ in served] == [5.0, 6.0, 7.0]


def test_fifo_holds_back_work_past_the_step() -> None:
    pool = Pool(1)
    pool.waiting = [(0.5, 0.0, 0), (0.6, 0.0, 1)]
    served = advance(pool, 1.0, Discipline.fifo, lambda _d: 0.8)
    assert [d for d, *_ in served] == [0]
    assert pool.waiting == [(0.6, 0.0, 1)]
    served = advance(pool, 2.0, Discipline.fifo, lambda _d: 0.8)
    assert served == [(1, 0.6, pytest.approx(1.3), pytest.approx(2.1))]


@pytest.mark.parametrize("dist", list(ServiceDist))
def test_service_time_means(dist: ServiceDist) -> None:
    u = (np.arange(20_000) + 0.5) / 20_000
    draws = np.array([service_time(x, 3.0, dist, 0.5) for x in u])
    assert draws.mean() == pytest.approx(3.0, rel=0.01)
    assert (draws >= 0).all()
