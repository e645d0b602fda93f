"""Calibration by ABC-SMC (pyabc) against the pattern targets of `sim.calibration`.

    jiceng-calibrate calibrate_smoke                       # experiments/calibrate_smoke.yaml
    jiceng-calibrate calibrate_chengdu_2014 --out DIR population=200

    import sim
    result = sim.calibrate("calibrate_smoke", out="calibrations/smoke")
    result.summary            # median, 90% credible interval and prior range per parameter

The calibration file declares the scenario, free parameters and priors, the targets fitted
and held out, seeds per particle, horizon, burn-in and the ABC-SMC settings
(`sim.calibrate.spec`); targets carry their uncertainty and the distance is scaled by it
(`sim.calibrate.targets`); runs are deterministic for a seed with one worker and resume
from their SQLite history (`sim.calibrate.smc`); the folder is described in
`sim.calibrate.folder`. docs/CALIBRATION.md explains how to read the outputs.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sim.params import ConfigError

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_ROOT = Path("calibrations")


@dataclass
class CalibrationResult:
    folder: Path
    posterior: pd.DataFrame
    summary: pd.DataFrame
    predictive: pd.DataFrame
    check: pd.DataFrame
    generations: pd.DataFrame
    scenario: Path
    config_hash: str
    wall_time: float
    notes: list[str] = field(default_factory=list)

    @property
    def validation(self) -> pd.DataFrame:
        return self.check[self.check["role"] == "held out"].reset_index(drop=True)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def calibrate(
    name: str,
    out: str | Path | None = None,
    overrides: Sequence[str] = (),
    *,
    install: bool = False,
    draw: int | None = None,
    echo: Callable[[str], None] | None = _say,
) -> CalibrationResult:
    """Run (or resume) the calibration `experiments/NAME.yaml` into `out`.

    `overrides` are `key=value` strings on the calibration file (`population=20`,
    `set.world.communities=2`, `parameters.X.high=3`). `install` also copies the calibrated
    scenario into the scenario folder so `jiceng scenario=NAME_calibrated` finds it; `draw`
    writes particle `draw` of the final population instead of the posterior medians.
    Bad input raises `ConfigError` (one line) before anything is written.
    """
    from sim.calibrate import figures, folder, results, smc, targets
    from sim.calibrate.simulate import ParticleModel, derived_seeds
    from sim.calibrate.spec import base_config, load
    from sim.config import config_hash as model_hash
    from sim.config import to_dict
    from sim.files import write_text
    from sim.io import git_commit, write_parquet
    from sim.report.tables import write_table

    t0 = time.perf_counter()
    say = echo or (lambda _: None)
    spec = load(name, overrides)
    out = Path(out) if out is not None else DEFAULT_ROOT / spec.name
    if draw is not None and not 0 <= draw < spec.population:
        raise ConfigError(f"--draw {draw}: choose a particle 0..{spec.population - 1}")
    mode = folder.state(out, spec)
    if install:
        _check_install(spec.scenario_name)
    folder.check_writable(out)
    digest = spec.hash()
    db = out / folder.HISTORY
    record = folder.read_record(out) if mode == folder.RESUME else None
    intervals = dict((record or {}).get("synthetic_intervals") or {}) or None
    if spec.synthetic is not None and intervals is None:
        plain = targets.from_spec(spec.fit, spec.validate, spec.uncertainty)
        model = ParticleModel(spec, plain)
        seeds = derived_seeds(spec.seed, "synthetic", b"truth", spec.synthetic.seeds)
        say(f"synthetic targets: {len(seeds)} runs at the true values")
        runs = model.run_values(spec.synthetic.truth, seeds)
        intervals = targets.synthetic_intervals(plain, runs, spec.seeds_per_particle)
    given = {k: (float(v[0]), float(v[1])) for k, v in (intervals or {}).items()}
    observed = targets.from_spec(spec.fit, spec.validate, spec.uncertainty, given)
    base = base_config(spec)
    if mode == folder.NEW:
        folder.write_record(
            out,
            {
                "config_hash": digest,
                "calibration": spec.to_dict(),
                "source": spec.source,
                "base_config_hash": model_hash(base),
                "base_config": to_dict(base),
                "targets": [t.record() for t in observed],
                "synthetic_intervals": intervals,
            },
        )
    resume = mode == folder.RESUME and db.exists()
    if resume:
        try:
            done = smc.finished_generations(db)
        except Exception as exc:  # sqlalchemy/sqlite errors: the file is not a history
            text = str(exc).strip()
            first = text.splitlines()[0][:120] if text else type(exc).__name__
            raise ConfigError(
                f"{db} is not a readable pyabc history ({first}); move it away to start the "
                "calibration again, or choose another --out"
            ) from None
        if done == 0:
            db.unlink()
            resume = False
            say(f"{db} held no finished generation; starting again")
        else:
            say(f"resuming {out}: {done} generation(s) already done")

    earlier = float((record or {}).get("elapsed_s", 0.0)) if resume else 0.0

    def report(t: int, accepted: int, evaluations: int) -> None:
        # The wall time of every invocation up to its last finished generation, so a resumed
        # run reports what it cost in all (the work an interruption lost is not counted).
        elapsed = earlier + time.perf_counter() - t0
        folder.write_record(out, {**(folder.read_record(out) or {}), "elapsed_s": elapsed})
        if t < 0:
            say(f"prior sample: {evaluations} evaluations")
        else:
            rate = accepted / max(evaluations, 1)
            say(f"generation {t}: {accepted} accepted of {evaluations} evaluations ({rate:.2f})")

    if resume and (record or {}).get("abc_finished"):  # interrupted after the ABC: no more
        history = smc.open_history(db)
    else:
        history = smc.run(spec, observed, db, resume=resume, report=report)
        done_record = folder.read_record(out) or {}
        folder.write_record(out, {**done_record, "abc_finished": True})
    names = list(spec.parameters)
    posterior = smc.posterior_frame(history, names)
    generations = smc.generations_table(history, posterior)
    write_parquet(out / "posterior.parquet", posterior)
    truth = spec.synthetic.truth if spec.synthetic is not None else None
    summary = results.posterior_summary(spec, posterior, truth)
    ess = float(generations["effective_sample_size"].iloc[-1]) if len(generations) else 0.0
    caption = (
        f"Posterior of {spec.name} (final generation; weighted, effective sample size "
        f"{ess:.1f}; 90% credible interval)"
    )
    write_table(summary, out / "posterior_summary", caption=caption)
    say(f"posterior predictive: {spec.predictive_draws} draws x {spec.seeds_per_particle} seeds")
    model = ParticleModel(spec, observed)
    draws = results.predictive(spec, observed, posterior, model)
    write_parquet(out / "predictive.parquet", draws)
    check = results.predictive_check(observed, draws)
    held = check[check["role"] == "held out"].reset_index(drop=True)
    notes = []
    if ess < 0.1 * spec.population:
        notes.append(
            f"the final generation's effective sample size is {ess:.1f} of {spec.population} "
            "particles: its medians and intervals rest on a few particles (more generations or "
            "a larger population spread the weight)"
        )
    if draws.empty:
        notes.append("predictive_draws=0: no predictive check or validation table written")
    else:
        caption = f"Posterior-predictive check of {spec.name}"
        write_table(check, out / "predictive_check", caption=caption)
    if held.empty:
        notes.append("no held-out targets: validation table not written")
    elif not draws.empty:
        write_table(held, out / "validation", caption=f"Held-out validation of {spec.name}")
    figures.write_all(out, spec, observed, posterior, draws, truth)
    values = results.calibrated_values(spec, posterior, draw)
    what = "posterior medians" if draw is None else f"particle {draw} of the final population"
    text = results.scenario_yaml(spec, values, config_hash=digest, folder=out, what=what)
    scenario_path = out / "scenario" / f"{spec.scenario_name}.yaml"
    write_text(scenario_path, text)
    if install:
        installed = install_scenario(scenario_path)
        notes.append(f"installed {installed}; run python -m sim.odd to list it in docs/ODD.md")
    wall = time.perf_counter() - t0
    folder.write_meta(
        out,
        {
            "status": "completed",
            "calibration": spec.name,
            "config_hash": digest,
            "seed": spec.seed,
            "config": spec.to_dict(),
            "source": spec.source,
            "base_config_hash": model_hash(base),
            "targets": [t.record() for t in observed],
            "priors": {n: vars(p) for n, p in spec.parameters.items()},
            "generations": generations.to_dict("records"),
            "evaluations": int(generations["evaluations"].sum()),
            "model_runs": int(generations["evaluations"].sum()) * spec.seeds_per_particle,
            "git_commit": git_commit(),
            "versions": folder.calibration_versions(),
            "wall_time_s": wall,
            "total_wall_time_s": earlier + wall,
            "abc_wall_time_s": float(generations["wall_time_s"].sum()),
            "resumed": bool(resume),
            "scenario_file": str(scenario_path),
            "notes": notes,
        },
    )
    for note in notes:
        say(f"note: {note}")
    return CalibrationResult(
        folder=out,
        posterior=posterior,
        summary=summary,
        predictive=draws,
        check=check,
        generations=generations,
        scenario=scenario_path,
        config_hash=digest,
        wall_time=wall,
        notes=notes,
    )


def _check_install(name: str) -> None:
    from sim.compose import available_scenarios

    if name in available_scenarios():
        raise ConfigError(
            f"--install: a scenario '{name}' already exists; remove scenarios/{name}.yaml or set "
            "calibrated_name to another name"
        )


def install_scenario(path: Path) -> Path:
    """Copy a calibrated scenario into the scenario folder (never over a different file)."""
    from sim.compose import scenario_dir
    from sim.files import write_text

    target = scenario_dir() / path.name
    text = path.read_text()
    if target.exists() and target.read_text() != text:
        raise ConfigError(
            f"scenario {target.stem} already exists with other values; remove {target} or set "
            "calibrated_name to another name"
        )
    write_text(target, text)
    return target


__all__ = ["CalibrationResult", "calibrate", "install_scenario"]
