"""The calibration folder: what state it is in, and its provenance records.

    calibration.json   the resolved calibration (spec, hash, base config, targets); first
    history.db         pyabc's SQLite history (every generation; the resume point)
    posterior.parquet  generation, particle, weight, distance, every free parameter
    predictive.parquet posterior-predictive draws (parameters and every target's value)
    posterior_summary.{csv,md,tex}, predictive_check.{csv,md,tex}, validation.{csv,md,tex}
    figures/           marginals, pairs, predictive (PDF, SVG, PNG)
    scenario/NAME.yaml the calibrated scenario
    meta.json          status completed, seed, versions, acceptance per generation; last

A folder with `meta.json` status `completed` is finished and never overwritten; one with
`calibration.json` of the same hash resumes; anything else is refused.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Any

from sim.calibrate.spec import Spec
from sim.files import read_json, write_json
from sim.io import COMPLETED, versions
from sim.params import ConfigError

CALIBRATION, META, HISTORY = "calibration.json", "meta.json", "history.db"
NEW, RESUME = "new", "resume"


def calibration_versions() -> dict[str, str]:
    out = dict(versions())
    for name in ("pyabc", "sqlalchemy", "scipy"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def state(out: Path, spec: Spec) -> str:
    """NEW or RESUME for `out`, or a ConfigError saying why it cannot be used."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is a file, not a folder; choose another --out")
    if not out.exists():
        return NEW
    meta_path = out / META
    if meta_path.exists():
        meta = read_json(meta_path)
        if meta is not None and meta.get("status") == COMPLETED:
            raise ConfigError(
                f"{out} holds a finished calibration (config {meta.get('config_hash', '?')}); "
                "choose another --out, or delete the folder to run it again"
            )
    record_path = out / CALIBRATION
    if not record_path.exists():
        if any(out.iterdir()):
            raise ConfigError(
                f"{out} exists and is not a calibration folder; choose a new or empty --out"
            )
        return NEW
    record = read_json(record_path)
    if record is None:
        raise ConfigError(
            f"{record_path} is unreadable or corrupt; move the folder away or choose another --out"
        )
    if record.get("config_hash") != spec.hash():
        raise ConfigError(
            f"{out} holds a calibration of another configuration (hash "
            f"{record.get('config_hash')} vs {spec.hash()}); choose another --out, or delete "
            "it to start again"
        )
    return RESUME


def check_writable(out: Path) -> None:
    try:
        Path(out).mkdir(parents=True, exist_ok=True)
        probe = Path(out) / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"cannot write to {out} ({reason}); choose another --out") from None


def read_record(out: Path) -> dict[str, Any] | None:
    return read_json(Path(out) / CALIBRATION)


def write_record(out: Path, record: dict[str, Any]) -> None:
    write_json(Path(out) / CALIBRATION, record)


def write_meta(out: Path, record: dict[str, Any]) -> None:
    write_json(Path(out) / META, record)
