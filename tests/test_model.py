"""The model shell: burn-in and recording."""

from __future__ import annotations

from sim import GovernanceModel
from sim.processes.disputes import Disputes


def test_burn_in_runs_before_week_0_and_is_not_recorded(small: dict) -> None:
    m = GovernanceModel("chengdu_2014", rng=2, **{**small, "burn_in": 30, "steps": 10})
    assert m.steps == 0 and m.process(Disputes).total.arising == 0
    assert (m.ledger.opened < 0).all() and m.ledger.n > 0  # disputes of the burn-in
    m.run()
    assert m.process(Disputes).total.arising == int((m.ledger.opened >= 0).sum())
    ts = m.datacollector.get_model_vars_dataframe()
    assert len(ts) == 11 and ts["disputes_arising"].iloc[0] == 0
