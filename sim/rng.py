"""One seed per run -> SeedSequence -> one named, independent generator per process.

A child is keyed by the process's name (not its position), so adding a process never
shifts another's stream, and a policy that changes one process leaves every other
process's draws unchanged (common random numbers across variants).
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


def streams(seed: int) -> dict[str, np.random.Generator]:
    return {name: stream(seed, name) for name in STREAMS}


def fresh_seed() -> int:
    """Entropy for a run given no seed; the run records it so it can be repeated."""
    return int(np.random.SeedSequence().entropy) % (2**63)  # type: ignore[arg-type]
