"""The `timeline` process on small worlds: the direction of each effect (same seed, one lever)."""

from __future__ import annotations

import pytest

from sim import GovernanceModel
from sim.agents import GrandMediationCentre
from sim.compose import load_config
from sim.config import Reform


def test_timeline_switches_reforms_on_at_their_week(run_for) -> None:
    cfg = load_config("baseline_2008", {"world.communities": 2, "burn_in": 0, "steps": 12})
    cfg.timeline = [Reform(step=5, label="grand mediation", set={"mediation.grand.servers": 4.0})]
    m = GovernanceModel(config=cfg, rng=1)
    assert len(m.agents_by_type.get(GrandMediationCentre, [])) == 0
    run_for(m, 5)
    assert len(m.agents_by_type.get(GrandMediationCentre, [])) == 0
    m.step()  # week 5
    assert m.reforms_applied == [
        {"step": 5, "label": "grand mediation", "set": {"mediation.grand.servers": 4.0}}
    ]
    assert len(m.agents_by_type[GrandMediationCentre]) > 0
    assert m.cfg.mediation.grand.servers == 4.0


def test_timeline_with_a_bad_key_is_rejected_before_the_run() -> None:
    from sim.params import ConfigError

    with pytest.raises(ConfigError, match=r"timeline\[0\] unknown key 'mediation.grand.servres'"):
        load_config(
            "baseline_2008",
            {"timeline": [{"step": 1, "label": "x", "set": {"mediation.grand.servres": 1}}]},
        )


def test_a_reform_cannot_change_what_the_world_was_built_from() -> None:
    from sim.params import ConfigError

    with pytest.raises(ConfigError, match=r"timeline\[0\] cannot change 'world.communities'"):
        load_config(
            "baseline_2008",
            {"timeline": [{"step": 1, "label": "x", "set": {"world.communities": 5}}]},
        )
