"""What the dashboard runs: one model, or two on the same seed stepped in lockstep.

`Settings` is what the controls stage (scenario, seed, dotted overrides, the compare
variant); `Session(settings=...)` builds the model(s) from it. Mesa's `ModelController`
re-creates the session as `type(session)(**params)` on Reset and calls `step()` and reads
`running`, exactly as it would for a Mesa model, so the controller is Mesa's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sim.compose import load_config
from sim.config import TIERS, SimConfig
from sim.dashboard.history import History
from sim.model import GovernanceModel

DEFAULT_SCENARIO = "chengdu_2014"
DEFAULT_COMMUNITIES = 20
LIVE = {"output.progress": False, "output.plot": False}
"""Output switches of the live model: they change no simulated value (the export runs
`jiceng` with its own defaults)."""


@dataclass(frozen=True)
class Settings:
    """A run as the controls describe it: `overrides` are dotted names -> values (levers,
    world size, steps), kept as a sorted tuple so that settings compare and hash."""

    scenario: str = DEFAULT_SCENARIO
    seed: int = 0
    overrides: tuple[tuple[str, Any], ...] = (("world.communities", DEFAULT_COMMUNITIES),)
    compare: bool = False
    b_scenario: str | None = None  # None: A's scenario
    b_lever: str | None = None
    b_value: Any = None

    def override_dict(self) -> dict[str, Any]:
        return dict(self.overrides)

    def with_override(self, key: str, value: Any) -> Settings:
        d = self.override_dict()
        d[key] = value
        return replace(self, overrides=tuple(sorted(d.items())))

    def without_levers(self, keep: set[str]) -> Settings:
        """These settings with only the overrides named in `keep` (a new scenario's
        levers start from that scenario's own values)."""
        return replace(self, overrides=tuple((k, v) for k, v in self.overrides if k in keep))

    def variant(self) -> tuple[str, dict[str, Any]]:
        """Run B: A's overrides, with B's scenario and B's changed lever on top."""
        over = self.override_dict()
        if self.b_lever is not None:
            over[self.b_lever] = self.b_value
        return (self.b_scenario or self.scenario), over

    def config(self) -> SimConfig:
        """A's validated config (raises `ConfigError` with a one-line message)."""
        return load_config(self.scenario, self.override_dict())


DERIVED = (
    "petition_rate_week",
    "petition_rate_cum",
    *(f"ended_{t}" for t in (*TIERS, "abandoned")),
)
"""Series the dashboard derives from each week's row as it is appended (O(1) per week):
petitions per 10,000 people per year, this week and since week 0, and the disputes that
ended at each tier (or were abandoned) since week 0."""


@dataclass
class Run:
    """One live model and the series drawn from it."""

    label: str
    scenario: str
    overrides: dict[str, Any]
    seed: int
    model: GovernanceModel = field(init=False)
    history: History = field(init=False)

    def __post_init__(self) -> None:
        cfg = load_config(self.scenario, {**self.overrides, **LIVE})
        self.model = GovernanceModel(config=cfg, rng=self.seed)
        keys = (*self.model.datacollector.model_vars, *DERIVED)
        self.history = History(keys, capacity=cfg.steps + 1)
        self._petitions = 0.0
        self._record()

    def _record(self) -> None:
        """Append the row the DataCollector has just collected (no reporter runs twice),
        with the derived series. Row 0 is the state at week 0: its weekly counts belong to
        the burn-in, so the cumulative series start from zero there."""
        mv = self.model.datacollector.model_vars
        row = {k: v[-1] for k, v in mv.items()}
        h, weeks = self.history, self.weeks
        per_year = 52 * 10_000 / max(self.model.people, 1)
        row["petition_rate_week"] = row["petitions"] * per_year
        if weeks == 0:
            for t in (*TIERS, "abandoned"):
                row[f"ended_{t}"] = 0.0
            row["petition_rate_cum"] = float("nan")
        else:
            self._petitions += row["petitions"]
            row["petition_rate_cum"] = self._petitions * per_year / weeks
            for t in TIERS:
                row[f"ended_{t}"] = h.last(f"ended_{t}") + row[f"resolved_{t}"]
            row["ended_abandoned"] = h.last("ended_abandoned") + row["abandoned"]
        h.append(row)

    def step(self) -> None:
        if self.model.running:
            self.model.step()
            self._record()

    @property
    def planned(self) -> int:
        """Weeks the run will record (`steps`): the x axes span them from the start."""
        return int(self.model.cfg.steps)

    @property
    def weeks(self) -> int:
        """Recorded weeks run so far."""
        return int(self.model.steps)


class Session:
    """The run (A) and, in compare mode, its variant (B) on the same seed, in lockstep."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings = settings or Settings()
        self.runs = [Run("A", settings.scenario, settings.override_dict(), settings.seed)]
        if settings.compare:
            scenario, over = settings.variant()
            self.runs.append(Run("B", scenario, over, settings.seed))

    @property
    def a(self) -> Run:
        return self.runs[0]

    @property
    def b(self) -> Run | None:
        return self.runs[1] if len(self.runs) > 1 else None

    @property
    def running(self) -> bool:
        return all(r.model.running for r in self.runs)

    @property
    def steps(self) -> int:
        return self.a.weeks

    @property
    def time(self) -> int:  # what Mesa's ShowSteps would read
        return self.steps

    def step(self) -> None:
        """One week of every run, so the two are always at the same week."""
        for r in self.runs:
            r.step()
