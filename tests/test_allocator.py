"""sim.allocator: freed memory is kept for reuse on glibc, and the switch turns it off."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CHECK = (
    "import resource, numpy as np\n"
    "from sim.allocator import retain_freed_memory\n"
    "print(retain_freed_memory())\n"
    "a = np.ones(5_000_000)\n"
    "for _ in range(3): a * 2.0\n"  # warm up, then count faults of fresh temporaries
    "r0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
    "for _ in range(20): a * 2.0\n"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - r0)\n"
)


def run(env_value: str | None) -> tuple[str, int]:
    env = {k: v for k, v in os.environ.items() if k != "JICENG_MALLOC"}
    if env_value is not None:
        env["JICENG_MALLOC"] = env_value
    out = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, env=env, check=True
    )
    result, faults = out.stdout.split()
    return result, int(faults)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_temporaries_reuse_freed_memory_unless_switched_off() -> None:
    kept, faults_kept = run(None)
    default, faults_default = run("default")
    assert (kept, default) == ("True", "False")
    # a 40 MB temporary (a float64 per resident of the city) is above glibc's largest
    # dynamic mmap threshold (32 MB): without the tuning it is faulted in afresh each time
    assert faults_kept < 100 < faults_default
