"""The `ladder` process on small worlds: the direction of each effect (same seed, one lever)."""

from __future__ import annotations

import numpy as np

from sim.config import GRAND_CENTRES, TIERS
from sim.processes.ladder import Ladder


def test_the_court_refers_lawsuits_to_its_mediation_centre_first(model, run_for) -> None:
    over = {
        "steps": 60,
        "mediation.grand.servers": 100.0,  # a centre with mediators, even in a tiny world
        "mediation.court_referral": 1.0,
        "mediation.direct_litigation": 1.0,
        "mediation.police_referral": 0.0,
        "disputes.base_rate": 0.003,  # enough failed mediations to reach the court
    }
    m = run_for(model(**over), 60)
    led = m.ledger
    sued = ~np.isnan(led.tier_entry[:, TIERS.index("litigation")])
    at_court = led.grand_centre == GRAND_CENTRES.index("intermediate_court")
    assert at_court.any()
    # nobody reaches the court without first meeting its mediators (unless they already had)
    grand_first = ~np.isnan(led.tier_entry[:, TIERS.index("grand")])
    assert (grand_first[sued]).all()
    none = run_for(model(**{**over, "mediation.grand.servers": 0.0}), 60)
    assert (none.ledger.grand_centre == -1).all()


def test_police_and_petition_office_refer_disputes_to_their_centres(model, run_for) -> None:
    over = {
        "steps": 60,
        "mediation.grand.servers": 100.0,
        "mediation.police_referral": 1.0,
        "mediation.petition_referral": 1.0,
    }
    m = run_for(model(**over), 60)
    centres = {GRAND_CENTRES[c] for c in m.ledger.grand_centre if c >= 0}
    assert {"public_security_bureau", "petition_bureau"} <= centres


def test_waiting_parties_give_up_and_it_is_recorded_and_felt(model, run_for) -> None:
    over = {
        "steps": 60,
        "mediation.courtyard.servers": 0.0,
        "mediation.community.servers": 0.1,
        "mediation.community.patience": 1.0,
    }
    m = run_for(model(**over), 60)
    led = m.ledger
    gave_up = led.reneged[:, TIERS.index("community")]
    assert gave_up.any()
    assert np.isnan(led.tier_start[gave_up, TIERS.index("community")]).all()
    assert m.process(Ladder).total.reneged[TIERS.index("community")] == gave_up.sum()
    patient = run_for(model(**{**over, "mediation.community.patience": 1e6}), 60)
    assert not patient.ledger.reneged[:, TIERS.index("community")].any()
    unfelt = run_for(model(**{**over, "mediation.renege_grievance": 0.0}), 60)
    assert m.pop.grievance.mean() > unfelt.pop.grievance.mean()
