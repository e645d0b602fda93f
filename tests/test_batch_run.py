"""Mesa interop: `mesa.batch_run` drives GovernanceModel and returns its reporters."""

from __future__ import annotations

import mesa
import pandas as pd

from sim import GovernanceModel
from sim.metrics import REPORTERS


def test_mesa_batch_run_returns_the_models_reporters() -> None:
    results = mesa.batch_run(
        GovernanceModel,
        parameters={"scenario": ["baseline_2008", "chengdu_2014"], "world.communities": 1},
        rng=[1, 2],
        max_steps=6,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    df = pd.DataFrame(results)
    assert len(df) == 4
    assert set(df["scenario"]) == {"baseline_2008", "chengdu_2014"}
    assert set(df["Step"]) == {6}
    assert set(REPORTERS) <= set(df.columns)
    # the same seed and scenario through batch_run and directly give the same reporters
    model = GovernanceModel(scenario="chengdu_2014", rng=2, **{"world.communities": 1})
    for _ in range(6):
        model.step()
    direct = model.datacollector.get_model_vars_dataframe().iloc[-1]
    row = df[(df["scenario"] == "chengdu_2014") & (df["rng"] == 2)].iloc[0]
    for name in REPORTERS:
        assert row[name] == direct[name] or (pd.isna(row[name]) and pd.isna(direct[name])), name
