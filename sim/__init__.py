"""jiceng: an agent-based simulator of urban grassroots governance.

`from sim import GovernanceModel, run` is the Python API; it needs no Hydra.
"""

from sim.calibrate import calibrate
from sim.compose import load_config
from sim.config import SimConfig
from sim.model import GovernanceModel
from sim.run import RunResult, run
from sim.sweep import sweep

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
