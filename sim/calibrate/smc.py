"""ABC-SMC with pyabc 0.13: priors, distance, epsilon schedule, sampler, run and resume.

pyabc draws proposals from numpy's global generator. The single-core sampler here seeds that
generator at the start of every generation from (calibration seed, generation), so a run is
deterministic for a given seed with one worker, and a run resumed from its SQLite history
after an interruption continues exactly as an uninterrupted one would: each generation
depends only on the stored populations before it and its own seed. The multicore sampler
(pyabc's MulticoreEvalParallelSampler) reseeds its workers from fresh entropy, so its
proposals vary between runs; the model seeds of a particle still flow from the calibration
seed (`sim.calibrate.simulate`). pyabc's Redis and Dask samplers take the same model and
distance on a cluster.
"""

from __future__ import annotations

import logging
import math
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibrate.simulate import ParticleModel
from sim.calibrate.spec import Spec
from sim.calibrate.targets import Observed, distance

Report = Callable[[int, int, int], None]  # generation, accepted, evaluations


def _quiet() -> None:
    for name in ("ABC", "pyabc", "History", "Sampler", "Epsilon", "Distance"):
        logging.getLogger(name).setLevel(logging.WARNING)


def generation_state(seed: int, t: int) -> np.ndarray:
    """The legacy-generator seed for generation t (t = -1: the prior sample)."""
    ss = np.random.SeedSequence(entropy=seed, spawn_key=(zlib.crc32(b"abc"), t + 1))
    return ss.generate_state(4)


def priors(spec: Spec) -> Any:
    import pyabc

    rvs = {}
    for name, p in spec.parameters.items():
        if p.family == "uniform":
            rvs[name] = pyabc.RV("uniform", p.low, p.width())
        else:
            rvs[name] = pyabc.RV("loguniform", p.low, p.high)
    return pyabc.Distribution(**rvs)


def make_sampler(spec: Spec, report: Report | None) -> Any:
    from pyabc.sampler import MulticoreEvalParallelSampler, SingleCoreSampler

    base = SingleCoreSampler if spec.sampler == "single" else MulticoreEvalParallelSampler

    class SeededSampler(base):  # type: ignore[valid-type,misc]
        """Seeds numpy's global generator per generation; reports each generation."""

        def sample_until_n_accepted(self, n: int, simulate_one: Any, t: int, **kw: Any) -> Any:
            np.random.seed(generation_state(spec.seed, t))  # noqa: NPY002 (pyabc draws here)
            sample = super().sample_until_n_accepted(n, simulate_one, t, **kw)
            if report is not None:
                report(t, int(sample.n_accepted), int(self.nr_evaluations_))
            return sample

    if spec.sampler == "single":
        return SeededSampler()
    return SeededSampler(n_procs=spec.workers)


def make_transition(spec: Spec) -> Any:
    """The proposal kernel; a wider one (scaling > 1) keeps importance weights even when the
    posterior is a ridge the Silverman bandwidth under-covers (docs/CALIBRATION.md)."""
    import pyabc

    if spec.transition == "local":
        return pyabc.LocalTransition(scaling=spec.transition_scaling)
    return pyabc.MultivariateNormalTransition(scaling=spec.transition_scaling)


def make_abc(spec: Spec, targets: Sequence[Observed], report: Report | None = None) -> Any:
    import pyabc

    _quiet()
    fitted = [t for t in targets if t.role == "fit"]

    def rms(x: dict[str, float], x_0: dict[str, float]) -> float:
        return distance(fitted, x)

    if isinstance(spec.epsilon, str):
        eps = pyabc.QuantileEpsilon(
            initial_epsilon="from_sample", alpha=0.5, quantile_multiplier=spec.epsilon_multiplier
        )
    else:
        eps = pyabc.ListEpsilon(list(spec.epsilon))
    return pyabc.ABCSMC(
        models=ParticleModel(spec, targets),
        parameter_priors=priors(spec),
        distance_function=pyabc.distance.FunctionDistance(rms),
        population_size=spec.population,
        transitions=make_transition(spec),
        eps=eps,
        sampler=make_sampler(spec, report),
    )


def observed_point(targets: Sequence[Observed]) -> dict[str, float]:
    """What pyabc stores as the observed data: each target's midpoint (or bound)."""
    return {t.name: (t.mean if math.isfinite(t.mean) else t.low) for t in targets}


def max_generations(spec: Spec) -> int:
    if isinstance(spec.epsilon, str):
        return spec.generations
    return min(spec.generations, len(spec.epsilon))


def run(
    spec: Spec, targets: Sequence[Observed], db: Path, *, resume: bool, report: Report | None
) -> Any:
    """Run (or continue) ABC-SMC into the SQLite file `db`; returns the pyabc History."""
    abc = make_abc(spec, targets, report)
    url = f"sqlite:///{Path(db).resolve()}"
    if resume:
        history = abc.load(url, 1)
        done = history.n_populations
    else:
        abc.new(url, observed_point(targets), meta_info={"calibration": spec.name})
        done = 0
    remaining = max_generations(spec) - done
    if remaining > 0:
        abc.run(
            minimum_epsilon=spec.minimum_epsilon,
            max_nr_populations=remaining,
            min_acceptance_rate=spec.min_acceptance_rate,
        )
    return abc.history


def open_history(db: Path) -> Any:
    """The History in `db` (raises when unreadable)."""
    from pyabc import History

    history = History(f"sqlite:///{Path(db).resolve()}", _id=1, create=False)
    return history


def finished_generations(db: Path) -> int:
    """Generations stored in a history (0 when none finished); raises if it is unreadable."""
    history = open_history(db)
    max_t = history.max_t
    return 0 if max_t is None else int(max_t) + 1


def posterior_frame(history: Any, names: Sequence[str]) -> pd.DataFrame:
    """Every generation's particles: generation, particle, weight, distance, parameters."""
    frames = []
    for t in range(history.n_populations):
        pars, w = history.get_distribution(m=0, t=t)
        full = history.get_population_extended(m=0, t=t, tidy=False)
        dist = full.drop_duplicates("particle_id").set_index("particle_id")["distance"]
        df = pd.DataFrame(
            {
                "generation": t,
                "particle": np.arange(len(pars), dtype=np.int64),
                "weight": np.asarray(w, dtype=float),
                "distance": dist.reindex(pars.index).to_numpy(dtype=float),
            }
        )
        for n in names:
            df[n] = pars[n].to_numpy(dtype=float)
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size, (sum w)^2 / sum w^2: how many equally weighted particles
    the weighted sample is worth (a generation whose weight sits on a few particles gives
    medians and intervals that rest on those few)."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w**2).sum()) if len(w) and (w**2).sum() > 0 else 0.0


def generations_table(history: Any, posterior: pd.DataFrame) -> pd.DataFrame:
    """Per generation: epsilon, evaluations, accepted particles, acceptance rate, wall time,
    and the effective sample size of its weights in `posterior` (`posterior_frame`)."""
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0].sort_values("t")
    out = pd.DataFrame(
        {
            "generation": pops["t"].astype(int).to_numpy(),
            "epsilon": pops["epsilon"].astype(float).to_numpy(),
            "evaluations": pops["samples"].astype(int).to_numpy(),
            "accepted": pops["particles"].astype(int).to_numpy(),
            "wall_time_s": pops["wall_time"].astype(float).to_numpy(),
        }
    )
    out["acceptance_rate"] = out["accepted"] / out["evaluations"]
    ess = posterior.groupby("generation")["weight"].agg(effective_sample_size)
    out["effective_sample_size"] = out["generation"].map(ess).to_numpy(dtype=float)
    return out
