"""Conservation of disputes, a ladder that only goes up, probabilities in [0, 1]."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import GovernanceModel
from sim.agents.grid import grid_chance
from sim.compose import load_config
from sim.config import TIERS, Discipline, ServiceDist, SimConfig
from sim.ledger import ABANDONED, OPEN
from sim.metrics import ladder_total
from sim.params import iter_params
from sim.processes.disputes import Disputes
from sim.processes.ladder import Ladder


def check_invariants(m: GovernanceModel) -> None:
    led = m.ledger
    arising = m.process(Disputes).total.arising
    closed = m.process(Ladder).total.cohort_closed
    outcome = led.outcome
    opened = led.n
    resolved = int(((outcome >= 0) & (outcome < ABANDONED)).sum())
    abandoned = int((outcome == ABANDONED).sum())
    still_open = int((outcome == OPEN).sum())
    assert opened == resolved + abandoned + still_open
    cohort = led.opened >= 0
    assert arising == int(cohort.sum())
    assert closed == int((cohort & (outcome != OPEN)).sum())
    assert arising - closed == int((cohort & (outcome == OPEN)).sum())
    assert m.open_disputes == still_open
    entry, start, exit_ = led.tier_entry, led.tier_start, led.tier_exit
    for d in range(led.n):
        visited = np.flatnonzero(~np.isnan(entry[d]))
        times = entry[d, visited]
        assert np.all(np.diff(times) >= 0), "a dispute moved down the ladder"
        for j in visited:
            if not np.isnan(start[d, j]):
                assert start[d, j] >= entry[d, j]
            if led.reneged[d, j]:  # gave up waiting: left after arriving, never started
                assert np.isnan(start[d, j]) and exit_[d, j] >= entry[d, j]
            elif not np.isnan(exit_[d, j]):
                assert exit_[d, j] >= start[d, j]
        if 0 <= outcome[d] < ABANDONED:
            assert outcome[d] == visited.max(), "resolved below the highest tier visited"
        if outcome[d] != OPEN:
            assert led.closed_time[d] >= led.arise_time[d]
    ladder = m.process(Ladder)
    for d in range(led.n):
        for j in range(len(TIERS)):
            assert 0.0 <= ladder.success_probability(d, j) <= 1.0
        assert 0.0 <= ladder.petition_probability(d) <= 1.0
    chance = grid_chance(m, m.cfg.policy.grid.saturation)
    assert ((chance >= 0) & (chance <= 1)).all()
    g = m.pop.grievance
    assert g.min() >= 0 and g.max() <= 1
    for t in m.pop.trust.values():
        assert t.min() >= 0 and t.max() <= 1


def test_invariants_each_step(small: dict) -> None:
    m = GovernanceModel("baseline_2008", rng=11, **{**small, "steps": 40})
    for _ in range(40):
        m.step()
        still_open = int(((m.ledger.opened >= 0) & (m.ledger.outcome == OPEN)).sum())
        assert still_open == m.process(Disputes).total.arising - ladder_total(m).cohort_closed
    check_invariants(m)
    assert ladder_total(m).cohort_closed > 0


def _random_value(name: str, value: object, meta, draw) -> object:  # noqa: ANN001
    if isinstance(value, bool) or meta is None:
        return value
    if isinstance(value, ServiceDist):
        return draw(st.sampled_from(list(ServiceDist)))
    if isinstance(value, Discipline):
        return draw(st.sampled_from(list(Discipline)))
    if isinstance(value, str):
        return value
    low = meta.low if meta.low is not None else 0
    high = meta.high if meta.high is not None else 1
    if isinstance(value, int):
        return value  # sizes stay small and fixed below
    high = min(high, max(3 * float(value), low + 1e-3), low + 10)
    return draw(st.floats(low, high, allow_nan=False))


TUNABLE = [
    name
    for name, value, meta in iter_params(SimConfig())
    if meta is not None and isinstance(value, float) and not name.startswith("world.")
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.data(),
    st.sampled_from(["chengdu_2014", "baseline_2008", "reform_2008_2014", "wuhou"]),
    st.integers(0, 2**32),
)
def test_random_valid_configs_keep_invariants(data, scenario: str, seed: int) -> None:  # noqa: ANN001
    base = load_config(scenario, {"world.communities": 1, "steps": 15, "burn_in": 10})
    flat = {n: (v, meta) for n, v, meta in iter_params(base)}
    picks = data.draw(st.lists(st.sampled_from(TUNABLE), min_size=1, max_size=8, unique=True))
    overrides = {n: _random_value(n, flat[n][0], flat[n][1], data.draw) for n in picks}
    overrides.update({"world.communities": 1, "steps": 15, "burn_in": 10, "output.progress": False})
    if data.draw(st.booleans()):
        overrides["mediation.community.discipline"] = data.draw(st.sampled_from(list(Discipline)))
    cfg = load_config(scenario, overrides)
    assert dataclasses.asdict(cfg)  # validated
    m = GovernanceModel(config=cfg, rng=seed)
    m.run()
    check_invariants(m)


def test_no_escalation_and_no_petition_office() -> None:
    """Regression (found by hypothesis): failures with nowhere to go are abandoned."""
    over = {
        "world.communities": 1,
        "steps": 30,
        "mediation.escalate_share": 0.0,
        "mediation.petition.servers": 0.0,
        "mediation.petition_exit": 1.0,
        "burn_in": 0,
        "output.progress": False,
    }
    m = GovernanceModel("chengdu_2014", rng=0, **over)
    m.run()
    check_invariants(m)
    assert np.isnan(m.ledger.tier_entry[:, TIERS.index("petition")]).all()
    assert ladder_total(m).abandoned > 0
