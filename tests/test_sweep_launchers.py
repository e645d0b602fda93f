"""Every launcher (and any batching of runs into jobs) gives the same run files, byte for byte."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

TINY = ["experiment=smoke", "world.communities=1", "steps=10"]
PER_RUN = ("timeseries.parquet", "disputes.parquet", "communities.parquet", "summary.json")


def sweep(tmp_path: Path, name: str, *args: str, wrap: Sequence[str] = ()) -> Path:
    out = tmp_path / name
    proc = subprocess.run(
        [*wrap, sys.executable, "-m", "sim", *TINY, f"hydra.sweep.dir={out}", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def run_files(out: Path) -> dict[str, bytes]:
    files = {}
    for folder in sorted(p for p in out.iterdir() if p.is_dir() and "=" in p.name):
        for name in PER_RUN:
            files[f"{folder.name}/{name}"] = (folder / name).read_bytes()
    return files


def test_basic_joblib_and_submitit_local_give_identical_run_files(tmp_path: Path) -> None:
    reference = run_files(sweep(tmp_path, "basic", "hydra/launcher=basic"))
    assert len(reference) == 4 * len(PER_RUN)
    joblib = sweep(tmp_path, "joblib", "hydra/launcher=joblib", "hydra.sweeper.runs_per_job=1")
    assert run_files(joblib) == reference
    submitit = sweep(
        tmp_path, "submitit", "hydra/launcher=local_submitit", "hydra.sweeper.runs_per_job=2"
    )
    assert run_files(submitit) == reference
    assert (submitit / ".submitit").is_dir()


def loopback_only() -> list[str]:
    """A command prefix running its command in a network namespace holding only loopback.

    Ray's core servers listen on every interface whatever node address they are given, so
    the Ray test runs where 127.0.0.1 is the only address there is.
    """
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return []
    probe = subprocess.run(
        ["unshare", "--net", "ip", "link", "set", "lo", "up"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        return []
    return ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]


@pytest.mark.skipif(
    importlib.util.find_spec("hydra_plugins.hydra_ray_launcher") is None
    or importlib.util.find_spec("ray") is None,
    reason="Ray is an optional extra: pip install 'jiceng[ray]'",
)
def test_ray_on_a_local_instance_bound_to_localhost_gives_identical_run_files(
    tmp_path: Path,
) -> None:
    wrap = loopback_only()
    if not wrap:
        pytest.skip("cannot confine Ray to 127.0.0.1 here (needs `unshare --net`, as root)")
    reference = run_files(sweep(tmp_path, "basic", "hydra/launcher=basic"))
    ray = sweep(
        tmp_path,
        "ray",
        "hydra/launcher=ray_local",
        "hydra.launcher.ray.init.num_cpus=2",
        wrap=wrap,
    )
    assert run_files(ray) == reference
