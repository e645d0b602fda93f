"""Tests for sim.report.sensitivity on the Ishigami function, whose indices are known."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.report.sensitivity import Method, Problem, analyze, sample

A, B = 7.0, 0.1
S1_TRUE = [0.314, 0.442, 0.0]
ST_TRUE = [0.558, 0.442, 0.244]


def ishigami_problem() -> Problem:
    return Problem.from_dict({name: [-math.pi, math.pi] for name in ("x1", "x2", "x3")})


def ishigami(design: pd.DataFrame) -> np.ndarray:
    x1, x2, x3 = (design[name].to_numpy() for name in ("x1", "x2", "x3"))
    return np.sin(x1) + A * np.sin(x2) ** 2 + B * x3**4 * np.sin(x1)


def test_sobol_recovers_ishigami_indices() -> None:
    problem = ishigami_problem()
    design = sample(problem, "sobol", 2048, seed=11)
    assert list(design.columns) == ["sample_id", "x1", "x2", "x3"]
    assert len(design) == 2048 * (3 + 2)
    assert design.sample_id.tolist() == list(range(len(design)))

    indices = analyze(problem, "sobol", design, ishigami(design), seed=11)
    assert indices.parameter.tolist() == ["x1", "x2", "x3"]
    assert indices.S1.to_numpy() == pytest.approx(S1_TRUE, abs=0.05)
    assert indices.ST.to_numpy() == pytest.approx(ST_TRUE, abs=0.05)
    assert (indices.S1_conf > 0).all() and (indices.S1_conf < 0.1).all()
    assert indices.S1_ci_low.to_numpy() == pytest.approx(indices.S1 - indices.S1_conf)
    assert indices.ST_ci_high.to_numpy() == pytest.approx(indices.ST + indices.ST_conf)


def test_morris_screens_ishigami() -> None:
    problem = ishigami_problem()
    design = sample(problem, "morris", 1000, seed=5)
    assert len(design) == 1000 * (3 + 1)
    indices = analyze(problem, "morris", design, pd.Series(ishigami(design)), seed=5)
    assert list(indices.columns) == ["parameter", "mu", "mu_star", "sigma", "mu_star_conf"]
    x1, x2, x3 = (indices.set_index("parameter").loc[name] for name in ("x1", "x2", "x3"))

    # On the 4-level grid x2 always jumps between sin^2 = 0 and 3/4: |EE| = 7 * 0.75 / (2/3).
    assert x2.mu_star == pytest.approx(A * 0.75 * 1.5)
    # x1 only ever increases sin(x1) along a step, so its effects are all positive.
    assert x1.mu == pytest.approx(x1.mu_star)
    # Main effects of x1 and x2 outrank x3, which acts only through its x1 interaction:
    # its effects cancel in sign (mu ~ 0) while spreading widely (large sigma).
    assert min(x1.mu_star, x2.mu_star) > x3.mu_star > 0
    assert abs(x3.mu) < 0.2 * x3.sigma
    assert x3.sigma > x3.mu_star


@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_sampling_and_analysis_are_deterministic_in_seed(method: Method) -> None:
    problem = ishigami_problem()
    n = 64 if method == "sobol" else 20
    first = sample(problem, method, n, seed=3)
    pd.testing.assert_frame_equal(first, sample(problem, method, n, seed=3))
    assert not first.equals(sample(problem, method, n, seed=4))

    outputs = ishigami(first)
    once = analyze(problem, method, first, outputs, seed=0)
    twice = analyze(problem, method, first, outputs, seed=0)
    pd.testing.assert_frame_equal(once, twice)


def test_analysis_uses_sample_id_order() -> None:
    problem = ishigami_problem()
    design = sample(problem, "morris", 50, seed=1)  # Morris reads the design, not only outputs
    outputs = ishigami(design)
    expected = analyze(problem, "morris", design, outputs, seed=2)
    shuffled = design.sample(frac=1.0, random_state=0)
    pd.testing.assert_frame_equal(analyze(problem, "morris", shuffled, outputs, seed=2), expected)
    # Without sample_id the rows are taken as given, and the shuffled design is garbage.
    positional = analyze(problem, "morris", shuffled.drop(columns="sample_id"), outputs, seed=2)
    assert not np.allclose(positional.mu_star, expected.mu_star)


def test_problem_validation() -> None:
    problem = Problem.from_dict({"world.communities": [10, 40], "policy.x": (0.0, 1.0)})
    assert problem.names == ["world.communities", "policy.x"]
    assert problem.bounds == [(10.0, 40.0), (0.0, 1.0)]
    with pytest.raises(ValueError, match=r"'policy.x' need low < high, got \[1.0, 1.0\]"):
        Problem.from_dict({"policy.x": [1.0, 1.0]})
    with pytest.raises(ValueError, match=r"'a' must be \[low, high\]"):
        Problem.from_dict({"a": [0.0, 1.0, 2.0]})
    with pytest.raises(ValueError, match="must be numbers"):
        Problem.from_dict({"a": ["low", "high"]})  # type: ignore[list-item]
    with pytest.raises(ValueError, match="2 names but 1 bounds"):
        Problem(names=["a", "b"], bounds=[(0.0, 1.0)])
    with pytest.raises(ValueError, match="dist for 'a'"):
        Problem(names=["a"], bounds=[(0.0, 1.0)], dists=["cauchy"])
    normal = Problem(names=["a"], bounds=[(5.0, 2.0)], dists=["norm"])  # (mean, sd)
    assert sample(normal, "sobol", 32, seed=0).a.mean() == pytest.approx(5.0, abs=0.5)


def test_sampling_errors() -> None:
    problem = ishigami_problem()
    with pytest.raises(ValueError, match="power of two"):
        sample(problem, "sobol", 100, seed=0)
    with pytest.raises(ValueError, match="method must be one of morris, sobol"):
        sample(problem, "fast", 8, seed=0)  # type: ignore[arg-type]


def test_analysis_errors() -> None:
    problem = ishigami_problem()
    design = sample(problem, "sobol", 16, seed=0)
    outputs = ishigami(design)
    with pytest.raises(ValueError, match="outputs has 79 values but samples_df has 80 samples"):
        analyze(problem, "sobol", design, outputs[:-1], seed=0)
    with pytest.raises(ValueError, match="has 79 rows; a sobol design for 3 parameters"):
        analyze(problem, "sobol", design.iloc[:-1], outputs[:-1], seed=0)
    with pytest.raises(ValueError, match="NaN"):
        analyze(problem, "sobol", design, np.where(design.sample_id == 3, np.nan, outputs), seed=0)
    with pytest.raises(ValueError, match="lacks parameter column"):
        analyze(problem, "sobol", design.drop(columns="x2"), outputs, seed=0)
    with pytest.raises(ValueError, match="constant"):
        analyze(problem, "sobol", design, np.ones(len(design)), seed=0)
