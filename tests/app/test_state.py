"""The dashboard's model side: growing series, lockstep pairs, schema-generated controls."""

from __future__ import annotations

import numpy as np

from sim.compose import load_config
from sim.dashboard.controls import control_for, lever_controls
from sim.dashboard.history import MAX_POINTS, History
from sim.dashboard.state import Session, Settings
from sim.params import iter_params


def test_history_grows_past_its_capacity_and_draws_a_bounded_number_of_points():
    h = History(["x"], capacity=2)
    for i in range(5 * MAX_POINTS):
        h.append({"x": i})
    assert h.n == 5 * MAX_POINTS
    assert h.column("x")[-1] == 5 * MAX_POINTS - 1
    assert len(h.view("x")) <= MAX_POINTS
    assert len(h.view("x")) == len(h.weeks())
    assert np.array_equal(h.view("x"), h.weeks())  # the strided points keep their weeks


def test_recorded_series_equal_the_datacollector(tiny):
    s = Session(tiny)
    for _ in range(5):
        s.step()
    df = s.a.model.datacollector.get_model_vars_dataframe()
    for key in ("disputes_arising", "disputes_open", "mean_grievance", "trust_party"):
        assert np.allclose(s.a.history.column(key), df[key].to_numpy(float), equal_nan=True)
    ended = sum(s.a.history.last(f"ended_{t}") for t in ("self_settle", "courtyard"))
    assert ended <= df["resolved_total"].iloc[1:].sum()


def test_compare_mode_runs_two_models_on_one_seed_in_lockstep(tiny):
    from dataclasses import replace

    s = Session(replace(tiny, compare=True, b_lever="policy.grid.workers_per_10k", b_value=0.0))
    assert s.b is not None
    for _ in range(4):
        s.step()
    assert s.a.weeks == s.b.weeks == 4
    assert s.a.model.seed == s.b.model.seed
    assert s.b.model.cfg.policy.grid.workers_per_10k == 0.0
    assert s.a.model.cfg.policy.grid.workers_per_10k > 0.0
    # same seed, same candidates: the arrivals differ only through the residents' state
    assert not np.array_equal(
        s.a.history.column("detected_early"), s.b.history.column("detected_early")
    )


def test_every_lever_of_the_schema_gets_a_control_bounded_by_its_range():
    cfg = load_config("chengdu_2014", {})
    levers = [(n, v, m) for n, v, m in iter_params(cfg) if m is not None and m.role == "lever"]
    controls = lever_controls(cfg)
    assert [c.name for c, _ in controls] == [n for n, _, _ in levers]
    for (control, _), (_, value, meta) in zip(controls, levers, strict=True):
        if isinstance(value, bool):
            assert control.kind == "check"
        elif control.kind in ("slider", "number"):
            assert (control.low, control.high) == (meta.low, meta.high)
            assert control.refuse(meta.high) is None
            if meta.high is not None:
                assert control.refuse(meta.high + 1) is not None
            if meta.low is not None:
                assert control.refuse(meta.low - 1) is not None
        else:
            assert control.kind == "select" and str(value.value) in control.choices


def test_a_control_refuses_nan_and_values_out_of_range_in_one_line():
    control = control_for("policy.online.monitoring", 0.8, _meta("policy.online.monitoring"))
    assert control.kind == "slider"
    message = control.refuse(1.5)
    assert message is not None and "allowed 0 to 1" in message and "\n" not in message
    assert control.refuse(float("nan")) is not None
    assert control.refuse(0.25) is None


def _meta(name):
    cfg = load_config("chengdu_2014", {})
    return next(m for n, _, m in iter_params(cfg) if n == name)


def test_settings_of_a_variant_carry_a_s_overrides_and_b_s_change():
    s = Settings(overrides=(("world.communities", 3),), compare=True, b_scenario="no_grid")
    scenario, over = s.variant()
    assert scenario == "no_grid" and over == {"world.communities": 3}
