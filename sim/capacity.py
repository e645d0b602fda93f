"""How much memory a run needs, estimated from its config before anything is built.

A run's peak resident memory is close to linear in counts the config determines:

    bytes = BASE + PER_RESIDENT x residents + PER_TIE x ties + PER_UNIT x units
            + PER_DISPUTE x disputes + PER_PANEL_ROW x community-panel rows
            + PER_VIEW x Resident views

(units: communities, courtyards and buildings, each with its institutions and per-unit
arrays; views: one Mesa `Resident` per resident when `world.resident_agents` is on). The
counts are expectations from the config (`counts`); the constants were measured on this
code by `python benchmarks/capacity.py`, which runs `jiceng` on a small design of worlds
and fits them to each run's peak RSS (see MEASURED). `check` refuses, with one line, a
world that would not fit in the memory available to this process (the machine's available
memory, or its cgroup's limit under SLURM or a container, or `JICENG_MEMORY_LIMIT`), and
names the largest `world.communities` that fits.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from sim.config import SimConfig, WorldConfig
from sim.params import ConfigError

GIB = 2**30

# Fitted by `python benchmarks/capacity.py` (peak RSS of `jiceng` runs; see its output).
BASE = 215e6  # bytes: interpreter, numpy/pandas/Hydra/matplotlib and fixed costs
PER_RESIDENT = 147.0  # per adult resident: state, build transients, step temporaries
PER_TIE = 58.0  # per undirected tie: CSR both ways, trust matrices, build transients
PER_UNIT = 92.0  # per community, courtyard or building: institutions, unit arrays
PER_DISPUTE = 789.0  # per dispute of the run: ledger row, its growth, the output frame
PER_PANEL_ROW = 239.0  # per community-panel row: dicts, DataFrame, parquet
PER_VIEW = 283.0  # per Resident view (Mesa agent) when world.resident_agents is on
CONSTANTS = (PER_RESIDENT, PER_TIE, PER_UNIT, PER_DISPUTE, PER_PANEL_ROW, PER_VIEW)
MEASURED = "2026-12-02 on 2 cores: 11 jiceng runs, worst fit error 7% (0.2-0.7 GiB)"
HEADROOM = 1.1  # the estimate must fit with 10% to spare
LIMIT_ENV = "JICENG_MEMORY_LIMIT"


class CapacityError(ConfigError):
    """The world would not fit in the memory available."""


@dataclass(frozen=True)
class Counts:
    residents: float  # adult residents (the agents)
    people: float  # adults and children
    households: float
    units: float  # communities + courtyards + buildings
    ties: float  # undirected ties, incl. social-organisation ties
    disputes: float  # disputes over the whole run
    panel_rows: float  # community-panel rows over the whole run
    views: float  # Resident views (Mesa agents), 0 unless world.resident_agents


def _poisson_pmf(lam: float, top: int) -> list[float]:
    pmf = [math.exp(-lam)]
    for x in range(1, top + 1):
        pmf.append(pmf[-1] * lam / x)
    return pmf


def household_ties(world: WorldConfig) -> tuple[float, float]:
    """Per household: expected pairs (the clique), and expected ring ties between members
    (ring neighbours within `neighbour_ties / 2` that already share a household tie).

    Household adults are 1 + Poisson(a - 1): E[pairs] = ((a - 1)^2 + 2 (a - 1)) / 2; a
    household of s adults holds max(s - j, 0) ring pairs at distance j."""
    lam = max(world.household_size - 1.0, 0.0)
    pairs = (lam * lam + 2 * lam) / 2
    top = int(lam + 12 * math.sqrt(lam) + 12)
    pmf = _poisson_pmf(lam, top)
    half = world.neighbour_ties // 2
    shared = sum(q * sum(max(1 + x - j, 0) for j in range(1, half + 1)) for x, q in enumerate(pmf))
    return pairs, shared


def counts(cfg: SimConfig) -> Counts:
    """Expected sizes of a run of `cfg` (the means the world is drawn from)."""
    w = cfg.world
    courtyards = max(round(w.communities * w.courtyards_per_community), w.communities)
    households = courtyards * w.buildings_per_courtyard * w.households_per_building
    residents = households * w.household_size
    pairs, shared = household_ties(w)
    so = cfg.policy.social_orgs
    people = households * (w.household_size + w.children_per_household)
    # organisations at most where founding meets the lowest failure hazard (full funding
    # and hub links), within the schema's ceiling of 50 per 10,000
    floor = so.failure * (1 - so.funding_protection) * (1 - so.hub_protection) * 52
    density = min(so.founding_rate * (1 + so.incubation) / max(floor, 1e-9), 50.0)
    org_ties = density * people / 1e4 * so.members * round(so.member_ties / 2)
    ties = (
        households * (pairs - shared)
        + residents * (w.neighbour_ties / 2 + w.bridge_ties / 2)
        + org_ties
    )
    d = cfg.disputes
    weekly = d.base_rate * residents * (1 + d.grievance_effect * w.initial_grievance)
    weekly *= 1 + d.floating_effect * w.floating_share
    weekly += (d.property_rate + d.issue_rate) * courtyards * (1 + d.grievance_effect * 0.5)
    panels = cfg.steps // cfg.output.panel_interval + 2
    return Counts(
        residents=residents,
        people=people,
        households=households,
        units=w.communities + courtyards * (1 + w.buildings_per_courtyard),
        ties=ties,
        disputes=weekly * (cfg.steps + cfg.burn_in),  # the ledger keeps the burn-in's too
        panel_rows=float(w.communities * panels),
        views=residents if w.resident_agents else 0.0,
    )


def estimate_bytes(cfg: SimConfig) -> float:
    return BASE + sum(k * x for k, x in zip(CONSTANTS, terms(counts(cfg)), strict=True))


def terms(c: Counts) -> tuple[float, ...]:
    """The counts each constant multiplies, in the order of CONSTANTS."""
    return (c.residents, c.ties, c.units, c.disputes, c.panel_rows, c.views)


def largest_communities(cfg: SimConfig, available: float) -> int:
    """The largest `world.communities` whose estimate (with headroom) fits in `available`."""
    import copy

    probe = copy.deepcopy(cfg)
    probe.world.communities = 1000
    per = (estimate_bytes(probe) - BASE) / 1000
    return max(int((available / HEADROOM - BASE) // per), 0)


_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def parse_size(text: str) -> int:
    """Bytes from '8G', '512M', '1.5GiB' or a plain number of bytes."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([KMGT]?)(i?B)?\s*", text, re.IGNORECASE)
    if not m:
        raise CapacityError(
            f"{LIMIT_ENV}={text!r} is not a size; use bytes or a number with K, M, G or T (e.g. 8G)"
        )
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _cgroup_free() -> int | None:
    """Memory left under the tightest memory limit of this process's cgroup and its
    ancestors (cgroup v2 or v1), if any is set."""
    files = {
        True: ("memory.max", "memory.current"),
        False: ("memory.limit_in_bytes", "memory.usage_in_bytes"),
    }
    free = []
    for entry in (_read(Path("/proc/self/cgroup")) or "").splitlines():
        hierarchy, controllers, rel = (entry.split(":", 2) + ["", ""])[:3]
        v2 = hierarchy == "0"
        if not (v2 or "memory" in controllers.split(",")):
            continue
        node = Path("/sys/fs/cgroup") if v2 else Path("/sys/fs/cgroup/memory")
        for part in [""] + [p for p in rel.split("/") if p]:
            node = node / part if part else node
            limit, usage = (_read(node / name) for name in files[v2])
            if limit and usage and limit.isdigit() and usage.isdigit() and int(limit) < 2**60:
                free.append(max(int(limit) - int(usage), 0))
    return min(free) if free else None


def _meminfo_available() -> int | None:
    text = _read(Path("/proc/meminfo"))
    if text:
        m = re.search(r"^MemAvailable:\s+(\d+) kB", text, re.M)
        if m:
            return int(m.group(1)) * 1024
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def available_memory() -> tuple[int | None, str]:
    """(bytes available to a new run, where the figure comes from); None if unknown."""
    limit = os.environ.get(LIMIT_ENV)
    if limit:
        return parse_size(limit), LIMIT_ENV
    found = [
        (b, src)
        for b, src in ((_meminfo_available(), "available memory"), (_cgroup_free(), "cgroup limit"))
        if b is not None
    ]
    if not found:
        return None, "unknown"
    return min(found)


def check(cfg: SimConfig) -> float:
    """The estimate in bytes; raise CapacityError (one line) if it would not fit."""
    need = estimate_bytes(cfg)
    available, source = available_memory()
    if available is not None and need * HEADROOM > available:
        fits = largest_communities(cfg, available)
        raise CapacityError(
            f"world.communities={cfg.world.communities} needs about {need / GIB:.1f} GiB "
            f"(estimate: {counts(cfg).residents:,.0f} residents) but {available / GIB:.1f} GiB "
            f"is free ({source}); the largest that fits is world.communities={fits}: lower "
            f"world.communities or run where more memory is free (or set {LIMIT_ENV})"
        )
    return need


def main(argv: list[str] | None = None) -> int:
    """`jiceng-memory [scenario=NAME] [key=value ...]`: a run's size and peak memory, to size
    a cluster job (SLURM's --mem, Ray's memory) before submitting it."""
    import sys

    from sim.compose import load_config

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        for a in args:
            if "=" not in a:
                raise ConfigError(
                    f"'{a}' is not key=value; e.g. jiceng-memory scenario=chengdu_city steps=260"
                )
        overrides = dict(a.split("=", 1) for a in args)
        scenario = overrides.pop("scenario", "chengdu_2014")
        cfg = load_config(scenario, {k: _number(v) for k, v in overrides.items()})
    except (ConfigError, ValueError) as exc:
        print(f"jiceng-memory: error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    c, need = counts(cfg), estimate_bytes(cfg)
    print(
        f"{scenario} (world.communities={cfg.world.communities}, steps={cfg.steps}): "
        f"{c.residents:,.0f} residents, {c.people:,.0f} people, {c.ties:,.0f} ties, "
        f"{c.disputes:,.0f} disputes; peak memory about {need / GIB:.2f} GiB "
        f"(request {need * HEADROOM / GIB:.2f} GiB per job)"
    )
    return 0


def _number(text: str) -> object:
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text, text)
