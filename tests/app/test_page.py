"""The page without a browser (Mesa's tests/test_solara_viz.py pattern): render it with
`solara.render`, move a slider, press Reset and Step, and read the model and widgets."""

from __future__ import annotations

import ipyvuetify as vw
import ipywidgets
import solara

from sim.dashboard.page import Dashboard


def render(settings):
    box, rc = solara.render(solara.AppLayout(children=[Dashboard(settings)]), handle_error=False)
    return box, rc


def button(rc, label):
    return rc.find(vw.Btn, children=[label]).widget


def texts(rc):
    return " ".join(str(c) for w in rc.find(vw.Html) for c in (w.widget.children or []))


def test_step_advances_the_model_and_redraws_the_plots(tiny):
    _, rc = render(tiny)
    image = rc.find(ipywidgets.Image).widget
    before = bytes(image.value)
    assert "week 0 of 12" in texts(rc)
    button(rc, "Step").click()
    assert "week 1 of 12" in texts(rc)
    assert bytes(rc.find(ipywidgets.Image).widget.value) != before


def test_a_lever_slider_is_bounded_by_the_schema_and_applies_on_reset(tiny):
    _, rc = render(tiny)
    rc.find(vw.Select, label="lever group").widget.v_model = "policy.online"
    slider = rc.find(vw.Slider, label="monitoring (probability): 0.8").widget
    assert (slider.min, slider.max, slider.step) == (0.0, 1.0, 0.01)
    slider.v_model = 0.25
    assert "press Reset" in texts(rc)  # staged, as in SolaraViz, until Reset
    button(rc, "Reset").click()
    button(rc, "Step").click()
    from sim.dashboard import page

    session = page.last_session()
    assert session.a.model.cfg.policy.online.monitoring == 0.25
    assert session.a.weeks == 1
    assert rc.find(vw.Slider, label="monitoring (probability): 0.25").widget.v_model == 0.25
    assert "press Reset" not in texts(rc)


def test_a_value_outside_the_schema_range_is_refused_and_never_reaches_a_model(tiny):
    _, rc = render(tiny)
    fields = rc.find(vw.TextField, label="servers (servers per unit), 0 to 10000")
    field = fields.widgets[0]
    field.v_model = "-3"
    assert "out of range: allowed 0 to 10000" in texts(rc)
    assert "press Reset" not in texts(rc)  # nothing was staged


def test_compare_mode_shows_both_runs_on_shared_axes(tiny):
    from dataclasses import replace

    _, rc = render(replace(tiny, compare=True, b_scenario="no_grid"))
    rc.find(vw.Tab, children=["Compare"]).assert_single()
    tabs = rc.find(vw.Tabs).widget
    tabs.v_model = 4
    button(rc, "Step").click()
    assert "comparing with B" in texts(rc)
    toggle = rc.find(vw.BtnToggle)
    toggle.assert_single()
    from sim.dashboard import page

    session = page.last_session()
    assert session.b is not None and session.b.weeks == session.a.weeks == 1


def test_the_community_tab_shows_the_network_and_the_institutions_table(tiny):
    _, rc = render(tiny)
    rc.find(vw.Tabs).widget.v_model = 2
    assert "Institutions of community 0" in texts(rc)
    net = rc.find(ipywidgets.Image).widget
    first = bytes(net.value)
    select = rc.find(vw.Select, label="colour residents by").widget
    select.v_model = "grievance"
    assert bytes(rc.find(ipywidgets.Image).widget.value) != first
