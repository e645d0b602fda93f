"""Memory estimates from the config, and worlds that would not fit are refused in one line."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from sim import GovernanceModel, capacity
from sim.cli import main
from sim.compose import load_config


def test_expected_counts_match_a_built_world() -> None:
    cfg = load_config("chengdu_2014", {"world.communities": 20, "world.resident_agents": False})
    c = capacity.counts(cfg)
    m = GovernanceModel(config=cfg, rng=4)
    assert c.residents == pytest.approx(m.pop.n, rel=0.03)
    assert c.people == pytest.approx(m.pop.people, rel=0.03)
    assert c.households == pytest.approx(m.world.n_households, rel=0.03)
    assert c.ties == pytest.approx(m.total_ties(), rel=0.03)
    units = m.world.n_communities + m.world.n_courtyards + m.world.n_buildings
    assert c.units == pytest.approx(units, rel=0.03)


def test_estimate_grows_with_residents_ties_units_and_steps() -> None:
    base = {"world.communities": 100}
    estimate = lambda over: capacity.estimate_bytes(load_config("chengdu_2014", over))  # noqa: E731
    for change in (
        {"world.communities": 200},
        {"world.households_per_building": 16.0},
        {"world.neighbour_ties": 8},
        {"world.buildings_per_courtyard": 12.0, "world.households_per_building": 4.0},
        {"steps": 520},
    ):
        assert estimate({**base, **change}) > estimate(base), change


def test_a_world_too_big_is_refused_naming_the_largest_that_fits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(capacity.LIMIT_ENV, "1G")
    cfg = load_config("chengdu_city", {"steps": 52})
    with pytest.raises(capacity.CapacityError) as err:
        capacity.check(cfg)
    text = str(err.value)
    assert "\n" not in text and "world.communities=654 needs about" in text
    fits = int(text.split("largest that fits is world.communities=")[1].split(":")[0])
    ok, over = copy.deepcopy(cfg), copy.deepcopy(cfg)
    ok.world.communities, over.world.communities = fits, fits + 1
    capacity.check(ok)
    with pytest.raises(capacity.CapacityError):
        capacity.check(over)
    with pytest.raises(capacity.CapacityError):
        GovernanceModel(config=cfg, rng=0)  # the model refuses before building anything


def test_every_size_up_to_the_maximum_is_estimated_without_building() -> None:
    cfg = load_config("chengdu_city", {"world.communities": 20000})
    c = capacity.counts(cfg)
    assert c.residents > 1e8 and capacity.estimate_bytes(cfg) > 30 * capacity.GIB


def test_memory_limits_are_read_as_sizes(monkeypatch: pytest.MonkeyPatch) -> None:
    assert capacity.parse_size("8G") == 8 * 2**30
    assert capacity.parse_size("1.5GiB") == int(1.5 * 2**30)
    assert capacity.parse_size("512m") == 512 * 2**20
    assert capacity.parse_size("1000") == 1000
    monkeypatch.delenv(capacity.LIMIT_ENV, raising=False)
    free, source = capacity.available_memory()
    assert free is None or (free > 0 and source in ("available memory", "cgroup limit"))


def test_cli_refuses_a_city_that_does_not_fit_in_one_line_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(capacity.LIMIT_ENV, "1G")
    code = main(["scenario=chengdu_city", "steps=52", f"hydra.run.dir={tmp_path / 'run'}"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.count("\n") == 0 and err.startswith("jiceng: error: world.communities=654")
    assert "largest that fits is world.communities=" in err
    assert not (tmp_path / "run").exists()


def test_cli_names_a_bad_memory_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(capacity.LIMIT_ENV, "lots")
    assert main(["world.communities=2", f"hydra.run.dir={tmp_path / 'run'}"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "jiceng: error: JICENG_MEMORY_LIMIT='lots' is not a size; use bytes or a number with "
        "K, M, G or T (e.g. 8G)"
    )


def test_jiceng_memory_prints_a_runs_size_to_request_per_job(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert capacity.main(["scenario=chengdu_city", "steps=260"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("chengdu_city (world.communities=654, steps=260): 4,08")
    assert "GiB per job" in out
    assert capacity.main(["scenario=chengdu_city", "world.communitis=3"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("jiceng-memory: error: unknown key 'world.communitis'")
    assert capacity.main(["chengdu_city"]) == 2
    assert "is not key=value" in capsys.readouterr().err
