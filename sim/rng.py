"""One seed per run -> SeedSequence -> one named, independent generator per process.

A child is keyed by the process's name (not its position), so adding a process never
shifts another's stream, and a policy that changes one process leaves every other
process's draws unchanged (common random numbers across variants). During the run each
process draws from a child keyed by its name and the week (`weekly`), so draws never
drift out of step between variants from one week to the next.
"""

from __future__ import annotations

import zlib

import numpy as np

STREAMS: tuple[str, ...] = (
    "world",
    "population",
    "network",
    "capacity",
    "arrivals",
    "detection",
    "mediation",
    "petition",
    "patience",
    "referral",
    "participation",
    "councils",
    "social_orgs",
    "migration",
    "online",
)


def stream(seed: int, name: str) -> np.random.Generator:
    key = zlib.crc32(name.encode())
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(key,)))


BUILD_STREAMS: tuple[str, ...] = ("world", "population", "network", "capacity")
_WEEK_OFFSET = 2**31  # spawn keys are non-negative; burn-in weeks are negative


def streams(seed: int) -> dict[str, np.random.Generator]:
    return {name: stream(seed, name) for name in STREAMS}


def weekly(seed: int, week: int) -> dict[str, np.random.Generator]:
    """Each process's generator for one week, keyed by (process, week).

    A process that draws a state-dependent number of numbers in one week (more disputes,
    more issues) then shifts nothing in any later week, nor in another process: variants
    on the same seed keep common random numbers week after week."""
    out = {}
    for name in STREAMS:
        if name in BUILD_STREAMS:
            continue
        key = (zlib.crc32(name.encode()), week + _WEEK_OFFSET)
        out[name] = np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=key))
    return out


def fresh_seed() -> int:
    """Entropy for a run given no seed; the run records it so it can be repeated."""
    return int(np.random.SeedSequence().entropy) % (2**63)  # type: ignore[arg-type]
