"""One particle: a parameter vector run over several seeds, reduced to target values.

The summary statistic of a particle is the mean, over `seeds_per_particle` runs, of each
target's value (`Target.value(run.summary)`; a contrast against another scenario, such as
grand mediation against `no_grand_mediation`, runs that scenario with the same parameters
on the same seeds and reads `Target.value(run.summary, versus.summary)`). Its model seeds
are drawn from a `SeedSequence` keyed by the calibration seed, a stream name and a hash of
the parameter vector, so every seed a particle uses flows from the calibration seed
whatever sampler or worker evaluates it, and the same particle always gets the same seeds.
"""

from __future__ import annotations

import copy
import hashlib
import math
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sim.calibrate.spec import Spec, base_config
from sim.calibrate.targets import Observed, values
from sim.config import SimConfig, apply_overrides, validate


def derived_seeds(seed: int, stream: str, key: bytes, n: int) -> list[int]:
    """`n` model seeds from the calibration seed, a named stream and a key."""
    tag = int.from_bytes(hashlib.blake2b(key, digest_size=4).digest(), "big")
    ss = np.random.SeedSequence(entropy=seed, spawn_key=(zlib.crc32(stream.encode()), tag))
    return [int(s) for s in ss.generate_state(n, dtype=np.uint64) % np.uint64(2**63)]


class ParticleModel:
    """Callable pyabc model: `parameters -> {target: mean over seeds}` for every target
    (fitted and held out; the distance reads only the fitted ones)."""

    def __init__(self, spec: Spec, targets: Sequence[Observed]) -> None:
        self.base: SimConfig = base_config(spec)
        self.versus: dict[str, SimConfig] = {
            name: base_config(spec, scenario=name)
            for name in sorted({t.target.versus for t in targets if t.target.versus})
        }
        self.names = list(spec.parameters)
        self.seed = spec.seed
        self.seeds_per_particle = spec.seeds_per_particle
        self.targets = list(targets)

    def key(self, theta: Mapping[str, float]) -> bytes:
        return np.array([float(theta[n]) for n in self.names], dtype=np.float64).tobytes()

    def config(self, theta: Mapping[str, float], base: SimConfig | None = None) -> SimConfig:
        overrides = {n: float(theta[n]) for n in self.names}
        return validate(apply_overrides(self.base if base is None else base, overrides))

    def run_values(
        self, theta: Mapping[str, float], seeds: Sequence[int]
    ) -> list[dict[str, float]]:
        """Target values of each run of `theta` on `seeds`."""
        from sim.run import run

        cfg = self.config(theta)
        versus = {name: self.config(theta, base) for name, base in self.versus.items()}
        out = []
        for s in seeds:
            one = copy.deepcopy(cfg)
            one.seed = int(s)
            paired = {}
            for name, vcfg in versus.items():
                other = copy.deepcopy(vcfg)
                other.seed = int(s)
                paired[name] = run(other).summary
            out.append(values(self.targets, run(one).summary, paired))
        return out

    def simulate(self, theta: Mapping[str, float], seeds: Sequence[int]) -> dict[str, float]:
        runs = self.run_values(theta, seeds)
        return {t.name: _mean([r[t.name] for r in runs]) for t in self.targets}

    def __call__(self, parameters: Mapping[str, Any]) -> dict[str, float]:
        theta = {n: float(parameters[n]) for n in self.names}
        seeds = derived_seeds(self.seed, "particle", self.key(theta), self.seeds_per_particle)
        return self.simulate(theta, seeds)


def _mean(xs: Sequence[float]) -> float:
    finite = [x for x in xs if math.isfinite(x)]
    return float(np.mean(finite)) if len(finite) == len(xs) and finite else math.nan
