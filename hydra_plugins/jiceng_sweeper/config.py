"""`hydra/sweeper=jiceng`: the sweeper's settings, registered for every Hydra app.

No `from __future__ import annotations`: Hydra's plugin scan executes this module before
it is in sys.modules, where dataclasses cannot resolve string annotations.
"""

from dataclasses import dataclass
from typing import Any

from hydra.core.config_store import ConfigStore


@dataclass
class JicengSweeperConf:
    _target_: str = "hydra_plugins.jiceng_sweeper.sweeper.JicengSweeper"
    # {key: "v1,v2" | "range(0,30)"}: the grid, crossed with sweeps on the command line.
    params: Any = None
    # Runs per Hydra job: "auto" (one job per worker, at most 64 runs each) or a number;
    # 1 gives Hydra's one-job-per-run behaviour.
    runs_per_job: Any = "auto"
    # Jobs handed to the launcher at once (null: all; submitit's local mode: one per core).
    max_batch_size: Any = None
    # A Morris, Sobol or latin (Latin hypercube) design replacing a grid, e.g.
    #   {method: sobol, n: 64, seed: 0,
    #   parameters: {mediation.grand.servers: [0, 8]}, outcomes: [resolution_rate]}
    sensitivity: Any = None
    # Write runs.parquet / timeseries.parquet (and sensitivity indices) after the sweep.
    aggregate: bool = True
    # Show runs done of the total, failures and an ETA on stderr.
    progress: bool = True


ConfigStore.instance().store(
    group="hydra/sweeper", name="jiceng", node=JicengSweeperConf, provider="jiceng"
)
