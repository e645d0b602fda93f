"""The quick-look PNG is honest: units on every axis, cumulative rates called cumulative,
trust series told apart, legends beside the data rather than on it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import sim.quicklook as ql
from sim.run import run


@pytest.fixture(scope="module")
def figure() -> Figure:
    """The quick look of a short run, drawn."""
    result = run(scenario="chengdu_2014", seed=1, **{"world.communities": 1, "steps": 30})
    fig = ql.quicklook_figure(result.timeseries, "test")
    FigureCanvasAgg(fig).draw()
    return fig


def test_a_run_folder_drawn_later_gives_the_same_png(tmp_path: Path) -> None:
    from sim.io import write_run

    result = run(scenario="chengdu_2014", seed=1, **{"world.communities": 1, "steps": 5})
    write_run(result, tmp_path / "run", draw=ql.draw)
    assert "quicklook.png" in json.loads((tmp_path / "run" / "meta.json").read_text())["files"]
    ql.draw_from_folder(tmp_path / "run", tmp_path / "later.png")
    assert (tmp_path / "later.png").read_bytes() == (
        tmp_path / "run" / "quicklook.png"
    ).read_bytes()


def test_every_axis_names_its_unit(figure: Figure) -> None:
    for ax in figure.axes:
        assert re.search(r"\(.+\)$", ax.get_ylabel()), ax.get_ylabel()
    assert figure.axes[-1].get_xlabel() == "time (weeks)"


def test_the_cumulative_resolution_rate_is_labelled_cumulative(figure: Figure) -> None:
    labels = [t.get_text() for ax in figure.axes if ax.get_legend() for t in ax.get_legend().texts]
    (label,) = [t for t in labels if "resolution rate" in t]
    assert label.startswith("cumulative resolution rate")
    assert ql.CUMULATIVE_RESOLUTION == "resolution_rate_cumulative"  # the column it draws


def test_series_sharing_a_panel_differ_in_line_and_marker(figure: Figure) -> None:
    trust = [ax for ax in figure.axes if "trust" in ax.get_ylabel()]
    assert len(trust) == 1 and len(trust[0].get_lines()) == 3  # trust has its own panel
    for ax in figure.axes:
        looks = [(line.get_linestyle(), line.get_marker()) for line in ax.get_lines()]
        assert len(set(looks)) == len(looks), ax.get_ylabel()


def test_legends_sit_beside_the_data_not_on_it(figure: Figure) -> None:
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    for ax in figure.axes:
        legend = ax.get_legend()
        assert legend is not None, ax.get_ylabel()
        box, data = legend.get_window_extent(renderer), ax.get_window_extent(renderer)
        assert box.x0 >= data.x1 or box.y0 >= data.y1 or box.y1 <= data.y0, ax.get_ylabel()
