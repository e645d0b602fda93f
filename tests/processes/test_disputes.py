"""The `disputes` process on small worlds: the direction of each effect (same seed, one lever)."""

from __future__ import annotations

import numpy as np


def test_building_party_coverage_means_earlier_detection(model, run_for, detection_delay) -> None:
    full = run_for(model(**{"policy.party.building_coverage": 1.0, "steps": 40}), 40)
    none = run_for(model(**{"policy.party.building_coverage": 0.0, "steps": 40}), 40)
    (share_full, delay_full), (share_none, delay_none) = (
        detection_delay(full),
        detection_delay(none),
    )
    assert share_full > share_none + 0.1
    assert delay_full < delay_none


def test_grid_workers_mean_earlier_detection(model, run_for, detection_delay) -> None:
    many = run_for(model(**{"policy.grid.workers_per_10k": 40.0, "steps": 40}), 40)
    none = run_for(model(**{"policy.grid.workers_per_10k": 0.0, "steps": 40}), 40)
    assert detection_delay(many)[0] > detection_delay(none)[0] + 0.1


def test_counterparts_follow_the_dispute_kind(model, run_for) -> None:
    m = run_for(model(**{"steps": 40}), 40)
    led = m.ledger
    kinds = np.array(led.frame()["kind"].astype(str))
    fam = (kinds == "family") & (led.counterpart >= 0)
    nb = (kinds == "neighbour") & (led.counterpart >= 0)
    hh = m.pop.household
    assert fam.any() and nb.any()
    assert (hh[led.initiator[fam]] == hh[led.counterpart[fam]]).all()
    assert (hh[led.initiator[nb]] != hh[led.counterpart[nb]]).all()
    outside = np.isin(kinds, ["labour", "civil", "relocation", "property"])
    assert (led.counterpart[outside] == -1).all()


def test_early_detection_records_who_caught_it(model, run_for) -> None:
    party_only = run_for(
        model(
            **{
                "steps": 30,
                "policy.grid.workers_per_10k": 0.0,
                "policy.party.building_coverage": 1.0,
            }
        ),
        30,
    )
    by = party_only.ledger.frame()["detected_by"].astype(str)
    assert set(by) <= {"none", "party", "classified", "online"} and (by == "party").any()
    grid_only = run_for(
        model(
            **{
                "steps": 30,
                "policy.grid.workers_per_10k": 40.0,
                "policy.party.building_coverage": 0.0,
            }
        ),
        30,
    )
    by = grid_only.ledger.frame()["detected_by"].astype(str)
    assert "party" not in set(by) and (by == "grid").any()
