"""jiceng: an agent-based simulator of urban grassroots governance.

`from sim import GovernanceModel, run` is the Python API; it needs no Hydra. The names are
imported on first use (PEP 562), so `import sim.cli` or `import sim.report` does not pay
for the model, the calibration or the sweep machinery it does not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# `run`, `sweep` and `calibrate` share their names with modules: imported here, after their
# modules (all light to import), so the names stay the functions.
import sim.sweep as _sweep_module
from sim.api import sweep
from sim.calibrate import calibrate
from sim.run import RunResult, run

if TYPE_CHECKING:
    from sim.compose import load_config
    from sim.config import SimConfig
    from sim.model import GovernanceModel

_HOMES = {
    "GovernanceModel": "sim.model",
    "SimConfig": "sim.config",
    "load_config": "sim.compose",
}

__all__ = [
    "GovernanceModel",
    "RunResult",
    "SimConfig",
    "calibrate",
    "load_config",
    "run",
    "sweep",
]
__version__ = "0.1.0"
del _sweep_module


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
