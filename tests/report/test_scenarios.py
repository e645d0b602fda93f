"""A scenario's label, colour and marker come from its own YAML file's `display:` block,
which the model's config never holds."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from sim.compose import load_config, scenario_dir
from sim.config import to_dict
from sim.report import scenarios


def test_a_scenario_looks_as_its_yaml_file_says() -> None:
    looks = scenarios.display("baseline_2008")
    assert (looks.label, looks.colour, looks.marker) == ("Baseline 2008", "#000000", "o")
    block = yaml.safe_load((scenario_dir() / "no_grid.yaml").read_text())["display"]
    assert scenarios.scenario_label("no_grid") == block["label"]


def test_declared_looks_are_distinct_pairs_in_the_declared_order() -> None:
    declared = scenarios.declared()
    pairs = [(d.colour, d.marker) for d in declared.values()]
    assert len(set(pairs)) == len(pairs)
    names = list(declared)
    expected = sorted(names, key=lambda n: declared[n].order)
    assert scenarios.scenario_order(reversed(names)) == expected


def test_an_undeclared_name_gets_its_own_name_and_a_spare_marker() -> None:
    looks = scenarios.display("no_such_scenario")
    assert looks.label == "no such scenario" and looks.marker in scenarios.SPARE_MARKERS


def test_the_display_block_stays_out_of_the_model_config() -> None:
    cfg = load_config("baseline_2008")
    assert "display" not in to_dict(cfg)
    assert "display" not in {f.name for f in dataclasses.fields(cfg)}


def test_a_bad_colour_names_the_file_and_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mine.yaml").write_text("display: {label: Mine, colour: teal, marker: o}\n")
    monkeypatch.setattr(scenarios, "_scenario_folder", lambda: tmp_path)
    scenarios.declared.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"mine.yaml: display.colour 'teal' .* fix the"):
            scenarios.declared()
    finally:
        scenarios.declared.cache_clear()
