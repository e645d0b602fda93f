"""The dispute ledger: one record per dispute, columnar and growable.

Each dispute keeps its parties, kind, severity, when it arose and entered the ladder, the
entry/start/exit time of every tier it visited (NaN where it never went), its outcome and
when it closed. Times are continuous weeks; a step t covers [t, t+1).

The per-dispute uniforms (service, success, exit choice at each tier) are drawn when the
dispute is created, so two policy variants on the same seed give the same dispute the same
luck at each tier: common random numbers at the level of the individual dispute.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config import DISPUTE_KINDS, TIERS
from sim.processes.detection import DETECTORS

OPEN = -1
ABANDONED = len(TIERS)  # outcome code after the tier codes 0..5 (resolved at that tier)
OUTCOMES: tuple[str, ...] = (*TIERS, "abandoned")

_FLOAT = (
    "severity",
    "arise_time",
    "entry_time",
    "closed_time",
)
_INT = ("initiator", "counterpart", "courtyard", "community", "street", "opened")
_TIERED = ("tier_entry", "tier_start", "tier_exit", "u_service", "u_success", "u_exit")


class Ledger:
    def __init__(self, capacity: int = 1024) -> None:
        self.n = 0
        self._cap = capacity
        nt = len(TIERS)
        self.cols: dict[str, np.ndarray] = {}
        for name in _FLOAT:
            self.cols[name] = np.full(capacity, np.nan)
        for name in _INT:
            self.cols[name] = np.full(capacity, -1, dtype=np.int64)
        for name in _TIERED:
            self.cols[name] = np.full((capacity, nt), np.nan)
        self.cols["kind"] = np.zeros(capacity, dtype=np.int8)
        self.cols["detected"] = np.zeros(capacity, dtype=bool)
        self.cols["detector"] = np.zeros(capacity, dtype=np.int8)
        self.cols["outcome"] = np.full(capacity, OPEN, dtype=np.int8)
        self.cols["closed_step"] = np.full(capacity, -1, dtype=np.int64)

    def __getattr__(self, name: str) -> np.ndarray:
        cols = self.__dict__.get("cols")
        if cols is not None and name in cols:
            return cols[name][: self.n]
        raise AttributeError(name)

    def _grow(self, need: int) -> None:
        if need <= self._cap:
            return
        cap = max(need, 2 * self._cap)
        for name, arr in self.cols.items():
            fill = np.nan if arr.dtype.kind == "f" else (OPEN if name == "outcome" else -1)
            if arr.dtype == bool:
                fill = False
            new = np.full((cap, *arr.shape[1:]), fill, dtype=arr.dtype)
            new[: self.n] = arr[: self.n]
            self.cols[name] = new
        self._cap = cap

    def add(self, **values: np.ndarray) -> np.ndarray:
        """Append a batch of disputes; returns their ids."""
        k = len(next(iter(values.values())))
        self._grow(self.n + k)
        ids = np.arange(self.n, self.n + k)
        for name, v in values.items():
            self.cols[name][ids] = v
        self.n += k
        return ids

    def frame(self) -> pd.DataFrame:
        """One row per dispute; tier visits as entry_/start_/exit_<tier> columns."""
        n = self.n
        out: dict[str, object] = {"dispute_id": np.arange(n)}
        for name in ("initiator", "counterpart", "courtyard", "community", "street"):
            out[name] = self.cols[name][:n]
        out["kind"] = pd.Categorical(
            np.array(DISPUTE_KINDS)[self.cols["kind"][:n]], categories=list(DISPUTE_KINDS)
        )
        out["severity"] = self.cols["severity"][:n]
        out["detected_early"] = self.cols["detected"][:n]
        out["detected_by"] = pd.Categorical(
            np.array(DETECTORS)[self.cols["detector"][:n]], categories=list(DETECTORS)
        )
        out["step_opened"] = self.cols["opened"][:n]
        out["arise_time"] = self.cols["arise_time"][:n]
        out["entry_time"] = self.cols["entry_time"][:n]
        for j, tier in enumerate(TIERS):
            out[f"entry_{tier}"] = self.cols["tier_entry"][:n, j]
            out[f"start_{tier}"] = self.cols["tier_start"][:n, j]
            out[f"exit_{tier}"] = self.cols["tier_exit"][:n, j]
        codes = self.cols["outcome"][:n].astype(np.int64)
        labels = np.array([*OUTCOMES, "open"])
        out["outcome"] = pd.Categorical(labels[codes], categories=[*OUTCOMES, "open"])
        out["step_closed"] = self.cols["closed_step"][:n]
        out["closed_time"] = self.cols["closed_time"][:n]
        out["time_to_resolution"] = np.where(
            codes < ABANDONED, self.cols["closed_time"][:n] - self.cols["arise_time"][:n], np.nan
        )
        return pd.DataFrame(out)
