"""`run(cfg) -> RunResult`: build, step and collect one run. Writes nothing (see sim.io)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported on first run, so `import sim` stays light
    import pandas as pd

    from sim.config import SimConfig
    from sim.model import GovernanceModel


@dataclass
class RunResult:
    config: SimConfig
    timeseries: pd.DataFrame
    disputes: pd.DataFrame
    communities: pd.DataFrame
    network_nodes: pd.DataFrame
    network_edges: pd.DataFrame
    summary: dict[str, Any]
    reforms: list[dict[str, Any]]  # reforms applied: step, label, what changed
    build_time: float  # world build, without the burn-in
    burn_in_time: float
    wall_time: float
    model: GovernanceModel | None = field(default=None, repr=False)

    @property
    def seed(self) -> int:
        return self.config.seed


def timeseries_frame(model: GovernanceModel) -> pd.DataFrame:
    ts = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    ts.insert(0, "step", range(len(ts)))
    return ts


def run(
    cfg: SimConfig | None = None,
    *,
    scenario: str = "chengdu_2014",
    seed: int | None = None,
    progress: bool = False,
    keep_model: bool = False,
    **overrides: Any,
) -> RunResult:
    """Run one simulation. Either pass a validated `cfg`, or a scenario name and overrides."""
    import pandas as pd

    from sim import metrics
    from sim.compose import load_config
    from sim.model import GovernanceModel

    if cfg is None:
        cfg = load_config(scenario, overrides)
    if seed is not None:
        cfg.seed = seed
    t0 = time.perf_counter()
    model = GovernanceModel(config=cfg, rng=cfg.seed)
    built = time.perf_counter()
    model.run(progress=progress)
    nodes, edges = model.community_network(0)
    result = RunResult(
        config=model.input_cfg,
        timeseries=timeseries_frame(model),
        disputes=model.ledger.frame(since=0.0),
        communities=pd.concat([pd.DataFrame(p) for p in model.panel], ignore_index=True),
        network_nodes=pd.DataFrame(nodes),
        network_edges=pd.DataFrame({"source": edges[:, 0], "target": edges[:, 1]}),
        summary=metrics.summary(model),
        reforms=list(model.reforms_applied),
        build_time=built - t0 - model.burn_in_seconds,
        burn_in_time=model.burn_in_seconds,
        wall_time=time.perf_counter() - t0,
        model=model if keep_model else None,
    )
    return result
