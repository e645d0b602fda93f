"""The quick-look PNG is honest: units on every axis, cumulative rates called cumulative,
trust series told apart, legends beside the data rather than on it."""

from __future__ import annotations

import re

import pytest
from matplotlib.figure import Figure

import sim.quicklook as ql
from sim.run import run


@pytest.fixture(scope="module")
def figure(tmp_path_factory: pytest.TempPathFactory) -> Figure:
    """The quick look of a short run, kept open (the module closes it after saving)."""
    result = run(scenario="chengdu_2014", seed=1, **{"world.communities": 1, "steps": 30})
    kept: list[Figure] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ql.plt, "close", kept.append)
        ql.quicklook(result, tmp_path_factory.mktemp("ql") / "quicklook.png")
    (fig,) = kept
    fig.canvas.draw()
    return fig


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
