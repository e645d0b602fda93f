"""The dispute ledger: one record per dispute, columnar and growable.

Each dispute keeps its parties, kind, severity, when it arose and entered the ladder, the
entry/start/exit time of every tier it visited (NaN where it never went; an exit without a
start means the party gave up waiting there), the grand-mediation centre it reached, its
outcome and when it closed. Times are continuous weeks; a step t covers [t, t+1).

The per-dispute uniforms (service, success, exit choice at each tier) are drawn when the
dispute is created, so two policy variants on the same seed give the same dispute the same
luck at each tier: common random numbers at the level of the individual dispute.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config import DISPUTE_KINDS, GRAND_CENTRES, TIERS

NONE, PARTY, GRID, CLASSIFIED, ONLINE = 0, 1, 2, 3, 4
DETECTORS: tuple[str, ...] = ("none", "party", "grid", "classified", "online")
"""Who caught a dispute early (the `detector` column's codes)."""

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
_TIERED = (
    "tier_entry",
    "tier_start",
    "tier_exit",
    "u_service",
    "u_success",
    "u_exit",
    "u_patience",
)
N_ROUTES = 3  # referral uniforms: police, court, petition office (sim.processes.ladder)


class Ledger:
    def __init__(self, capacity: int = 1024) -> None:
        self.n = 0
        self._cap = capacity
        n_tiers = len(TIERS)
        self.cols: dict[str, np.ndarray] = {}
        for name in _FLOAT:
            self.cols[name] = np.full(capacity, np.nan)
        for name in _INT:
            self.cols[name] = np.full(capacity, -1, dtype=np.int64)
        for name in _TIERED:
            self.cols[name] = np.full((capacity, n_tiers), np.nan)
        self.cols["u_route"] = np.full((capacity, N_ROUTES), np.nan)
        self.cols["reneged"] = np.zeros((capacity, n_tiers), dtype=bool)
        self.cols["grand_centre"] = np.full(capacity, -1, dtype=np.int8)
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
            fill: object = np.nan if arr.dtype.kind == "f" else -1
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

    def frame(self, since: float | None = None) -> pd.DataFrame:
        """One row per dispute; tier visits as entry_/start_/exit_<tier> columns.

        With `since` (the first recorded week, after a burn-in), only the disputes that
        arose from then on, plus those still open then (`carried_over`), are kept."""
        n = self.n
        rows = np.arange(n)
        if since is not None:
            closed = self.cols["closed_time"][:n]
            arose = self.cols["arise_time"][:n] >= since
            rows = rows[arose | np.isnan(closed) | (closed >= since)]
        out: dict[str, object] = {"dispute_id": rows}
        for name in ("initiator", "counterpart", "courtyard", "community", "street"):
            out[name] = self.cols[name][rows]
        out["kind"] = pd.Categorical(
            np.array(DISPUTE_KINDS)[self.cols["kind"][rows]], categories=list(DISPUTE_KINDS)
        )
        out["severity"] = self.cols["severity"][rows]
        out["detected_early"] = self.cols["detected"][rows]
        out["detected_by"] = pd.Categorical(
            np.array(DETECTORS)[self.cols["detector"][rows]], categories=list(DETECTORS)
        )
        out["step_opened"] = self.cols["opened"][rows]
        out["carried_over"] = self.cols["arise_time"][rows] < (
            since if since is not None else -np.inf
        )
        out["arise_time"] = self.cols["arise_time"][rows]
        out["entry_time"] = self.cols["entry_time"][rows]
        for j, tier in enumerate(TIERS):
            out[f"entry_{tier}"] = self.cols["tier_entry"][rows, j]
            out[f"start_{tier}"] = self.cols["tier_start"][rows, j]
            out[f"exit_{tier}"] = self.cols["tier_exit"][rows, j]
            out[f"reneged_{tier}"] = self.cols["reneged"][rows, j]
        centre = self.cols["grand_centre"][rows].astype(np.int64)
        out["grand_centre"] = pd.Categorical(
            np.array([*GRAND_CENTRES, "none"])[centre], categories=[*GRAND_CENTRES, "none"]
        )
        codes = self.cols["outcome"][rows].astype(np.int64)
        labels = np.array([*OUTCOMES, "open"])
        out["outcome"] = pd.Categorical(labels[codes], categories=[*OUTCOMES, "open"])
        out["step_closed"] = self.cols["closed_step"][rows]
        out["closed_time"] = self.cols["closed_time"][rows]
        out["time_to_resolution"] = np.where(
            codes < ABANDONED,
            self.cols["closed_time"][rows] - self.cols["arise_time"][rows],
            np.nan,
        )
        return pd.DataFrame(out)
