"""A golden run: one seeded run's summary is pinned, so refactors provably keep behaviour.

Update `tests/golden/chengdu_2014_seed7.json` only in a commit that says why the model's
behaviour changed (`python tests/test_golden.py` rewrites it).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import pytest

from sim.run import run

GOLDEN = Path(__file__).parent / "golden" / "chengdu_2014_seed7.json"
CONFIG: dict[str, Any] = {
    "world.communities": 3,
    "steps": 52,
    "burn_in": 26,
    "output.progress": False,
}


def golden_summary() -> dict[str, Any]:
    summary = run(scenario="chengdu_2014", seed=7, **CONFIG).summary
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in summary.items()}


def test_the_seeded_run_reproduces_its_pinned_summary() -> None:
    pinned = json.loads(GOLDEN.read_text())
    now = golden_summary()
    assert set(now) == set(pinned)
    for key, want in pinned.items():
        got = now[key]
        if isinstance(want, float):
            assert got == pytest.approx(want, rel=1e-9, abs=1e-12), key
        else:
            assert got == want, key


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(golden_summary(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}", file=sys.stderr)
