"""The tier queues are correct: an M/M/c tier reproduces Erlang C."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import GovernanceModel
from sim.config import Discipline, ServiceDist
from sim.queues import Pool, advance, service_time


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of M/M/c (Erlang C)."""
    a = lam / mu
    top = a**c / math.factorial(c) * c / (c - a)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


def simulate_pool(
    lam: float,
    mean_service: float,
    c: int,
    steps: int,
    seed: int,
    patience: float = math.inf,
    resize: tuple[int, int] | None = None,
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Poisson arrivals (uniform times within each step), exponential service, FIFO,
    exponential patience; `resize=(step, c2)` changes the servers at that step.

    Returns (arrival, wait) of the disputes started, and the counts arrived and reneged."""
    rng = np.random.default_rng(seed)
    pool = Pool(c)
    arrivals: list[float] = []
    waits: list[float] = []
    did = reneged = 0
    for t in range(steps):
        if resize is not None and t == resize[0]:
            pool.resize(resize[1], float(t))
        for time in np.sort(t + rng.random(rng.poisson(lam))).tolist():
            pool.waiting.append((time, 0.0, did, time + rng.exponential(patience)))
            did += 1
        done = advance(
            pool, t + 1.0, Discipline.fifo, lambda _d: float(rng.exponential(mean_service))
        )
        for s in done.started:
            arrivals.append(s.arrival)
            waits.append(s.start - s.arrival)
        reneged += len(done.reneged)
    return np.asarray(arrivals), np.asarray(waits), did, reneged


def erlang_a_abandonment(lam: float, mu: float, c: int, theta: float, top: int = 400) -> float:
    """P(abandon) of M/M/c+M: the birth-death chain with births lam and deaths
    min(n, c) mu + max(n - c, 0) theta, truncated far in the tail."""
    logp = [0.0]
    for n in range(1, top):
        logp.append(logp[-1] + math.log(lam / (min(n, c) * mu + max(n - c, 0) * theta)))
    p = np.exp(np.array(logp) - max(logp))
    p /= p.sum()
    waiting = np.maximum(np.arange(top) - c, 0)
    return float((p * waiting).sum() * theta / lam)


def batch_se(x: np.ndarray, batches: int = 40) -> float:
    means = np.array([b.mean() for b in np.array_split(x, batches)])
    return float(means.std(ddof=1) / math.sqrt(batches))


@pytest.mark.parametrize(
    ("lam", "mean_service", "c"), [(2.0, 1.2, 3), (0.7, 2.0, 2), (5.0, 0.15, 1)]
)
def test_pool_reproduces_erlang_c(lam: float, mean_service: float, c: int) -> None:
    waits = simulate_pool(lam, mean_service, c, steps=60_000, seed=7)[1][2000:]
    expected = erlang_c_wait(lam, 1.0 / mean_service, c)
    se = batch_se(waits)
    assert abs(waits.mean() - expected) < 4 * se, (waits.mean(), expected, se)
    assert abs(waits.mean() / expected - 1) < 0.1


def test_capacity_stepped_up_mid_run_reaches_erlang_c_for_the_new_servers() -> None:
    """2 servers overloaded (rho = 1.25), then 4 from step 5,000: the queue drains and the
    waits after the change settle at Erlang C for c = 4."""
    lam, mean_service = 2.5, 1.0
    arrival, wait, _, _ = simulate_pool(lam, mean_service, 2, 40_000, 11, resize=(5000, 4))
    after = wait[arrival > 6000]
    expected = erlang_c_wait(lam, 1.0 / mean_service, 4)
    se = batch_se(after)
    assert abs(after.mean() - expected) < 4 * se, (after.mean(), expected, se)


def test_servers_added_mid_run_start_no_one_before_they_exist() -> None:
    """A backlog of 50 waits for one busy server; at week 10 nine servers join. Nobody may
    start before week 10 except on the original server, whose starts follow its frees."""
    pool = Pool(1)
    pool.free = [9.5]  # busy until 9.5
    pool.waiting = [(0.01 * i, 0.0, i, math.inf) for i in range(50)]
    advance(pool, 10.0, Discipline.fifo, lambda _d: 100.0)  # one starts at 9.5
    pool.resize(10, now=10.0)
    done = advance(pool, 11.0, Discipline.fifo, lambda _d: 100.0)
    starts = [s.start for s in done.started]
    assert len(starts) == 9
    assert min(starts) >= 10.0
    assert all(s.start >= s.arrival for s in done.started)


def test_impatient_parties_leave_as_erlang_a_predicts() -> None:
    """M/M/c+M with rho = 1.2: the share who give up waiting matches Erlang A."""
    lam, mean_service, c, patience = 2.4, 1.0, 2, 2.0
    _, _, arrived, reneged = simulate_pool(lam, mean_service, c, 30_000, 5, patience=patience)
    expected = erlang_a_abandonment(lam, 1.0 / mean_service, c, 1.0 / patience)
    share = reneged / arrived
    se = math.sqrt(expected * (1 - expected) / arrived) * 5  # autocorrelated: 5x binomial se
    assert abs(share - expected) < 4 * se, (share, expected, se)
    assert 0.05 < expected < 0.5


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
        "mediation.courtyard.skill": 2.0,
        "mediation.courtyard.patience": 1e6,
        "mediation.bypass": 0.0,
        "mediation.police_referral": 0.0,
        "burn_in": 0,
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
    inf = math.inf
    pool = Pool(1)
    pool.waiting = [(0.1, 0.2, 0, inf), (0.2, 0.9, 1, inf), (0.3, 0.5, 2, inf)]
    served = advance(pool, 100.0, Discipline.severity, lambda _d: 1.0).started
    assert [s.dispute for s in served] == [0, 1, 2]  # 0 starts alone at 0.1; then 1 (0.9), 2
    pool = Pool(1)
    pool.free = [5.0]
    pool.waiting = [(0.1, 0.2, 0, inf), (0.2, 0.9, 1, inf), (0.3, 0.5, 2, inf)]
    served = advance(pool, 100.0, Discipline.severity, lambda _d: 1.0).started
    assert [s.dispute for s in served] == [1, 2, 0]
    assert [s.start for s in served] == [5.0, 6.0, 7.0]
    assert [s.queue for s in served] == [2, 1, 0]  # others waiting at each start


def test_a_party_whose_patience_runs_out_leaves_without_taking_a_server() -> None:
    pool = Pool(1)
    pool.free = [3.0]
    pool.waiting = [(0.0, 0.0, 0, 2.0), (0.5, 0.0, 1, 10.0)]
    done = advance(pool, 5.0, Discipline.fifo, lambda _d: 1.0)
    assert done.reneged == [(0, 0.0, 2.0)]
    assert [(s.dispute, s.start) for s in done.started] == [(1, 3.0)]


def test_fifo_holds_back_work_past_the_step() -> None:
    inf = math.inf
    pool = Pool(1)
    pool.waiting = [(0.5, 0.0, 0, inf), (0.6, 0.0, 1, inf)]
    served = advance(pool, 1.0, Discipline.fifo, lambda _d: 0.8).started
    assert [s.dispute for s in served] == [0]
    assert pool.waiting == [(0.6, 0.0, 1, inf)]
    served = advance(pool, 2.0, Discipline.fifo, lambda _d: 0.8).started
    assert [(s.dispute, s.arrival) for s in served] == [(1, 0.6)]
    assert served[0].start == pytest.approx(1.3)
    assert served[0].end == pytest.approx(2.1)


@pytest.mark.parametrize("dist", list(ServiceDist))
def test_service_time_means(dist: ServiceDist) -> None:
    u = (np.arange(20_000) + 0.5) / 20_000
    draws = np.array([service_time(x, 3.0, dist, 0.5) for x in u])
    assert draws.mean() == pytest.approx(3.0, rel=0.01)
    assert (draws >= 0).all()
