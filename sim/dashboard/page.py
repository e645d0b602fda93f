"""The Solara page: SolaraViz's layout and Mesa's own `ModelController`, over jiceng views.

As in `mesa.visualization.SolaraViz`: an app bar, a sidebar with the controller card (play
interval, render interval, Reset / play-pause / Step) and the model-parameter card, and the
views in tabs. Parameter changes are staged and take effect on Reset (Mesa's convention);
Step advances `render interval` weeks, play steps every `play interval` ms and redraws
every `render interval` weeks. Only the visible tab is drawn, and each view updates its
artists in place (`sim.dashboard.figures`), so a frame's cost does not grow with the run.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import ipywidgets
import reacton.ipywidgets as rw
import solara
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter

from sim.compose import available_scenarios
from sim.dashboard import community as cv
from sim.dashboard import export as ex
from sim.dashboard import views
from sim.dashboard.controls import ControlWidget, control_of, lever_controls
from sim.dashboard.state import DEFAULT_COMMUNITIES, DEFAULT_SCENARIO, Run, Session, Settings
from sim.params import ConfigError

PLAY_INTERVAL = 50
"""Default pause between played steps (ms): Mesa's slider, starting low enough for speed
but leaving the browser time to show each frame."""
MAX_COMMUNITIES = 100
"""Largest world the dashboard offers (schema allows more; bigger worlds run headless)."""
LOCK = threading.RLock()
"""Held while a model steps and while a view reads it: play runs in a worker thread."""


def initial_settings() -> Settings:
    """Settings from `jiceng-app`'s options (passed through the environment to Solara)."""
    env = os.environ
    communities = int(env.get("JICENG_APP_COMMUNITIES", DEFAULT_COMMUNITIES))
    return Settings(
        scenario=env.get("JICENG_APP_SCENARIO", DEFAULT_SCENARIO),
        seed=int(env.get("JICENG_APP_SEED", "0")),
        overrides=(("world.communities", communities),),
    )


_LAST: list[Session] = []


def last_session() -> Session:
    """The session most recently built (for tests and the benchmark, one page at a time)."""
    return _LAST[-1]


class LockedSession(Session):
    """A Session whose steps hold the page lock, so views never read a model mid-step."""

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__(settings)
        _LAST[:] = [self]

    def step(self) -> None:
        with LOCK:
            super().step()


def image(png: bytes, width: str = "100%") -> Any:
    return rw.Image(
        value=png, format="png", layout=ipywidgets.Layout(width=width, max_width="100%")
    )


@solara.component
def Figure(make: Callable[[], Any], dependencies: list[Any], width: str = "100%"):
    """A view built once per `dependencies` and redrawn on every controller update."""
    update_counter.get()
    view = solara.use_memo(make, dependencies)
    with LOCK:
        png = view.update()
    return image(png, width)


@solara.component
def DisputesTab(session: Session):
    Figure(lambda: views.DisputesView(session.a), [session])


@solara.component
def PeopleTab(session: Session):
    Figure(lambda: views.PeopleView(session.a), [session])


@solara.component
def CompareTab(session: Session):
    key, set_key = solara.use_state("first")
    if session.b is None:
        solara.Info("Compare mode is off: tick 'compare with a variant B' and press Reset.")
        return
    sets = {
        "first": views.COMPARE_SERIES[:4],
        "more": views.COMPARE_SERIES[2:],
    }
    solara.ToggleButtonsSingle(value=key, values=list(sets), on_value=set_key)
    Figure(lambda: views.CompareView(session, sets[key]), [session, key])


@solara.component
def CommunityTab(session: Session, selected: solara.Reactive[int]):
    colour, set_colour = solara.use_state(next(iter(cv.COLOUR_BY)))
    n = session.a.model.world.n_communities
    with solara.Row():
        solara.SliderInt(f"community {selected.value}", value=selected, min=0, max=n - 1)
        solara.Select(
            "colour residents by", values=list(cv.COLOUR_BY), value=colour, on_value=set_colour
        )
    c = min(selected.value, n - 1)
    Figure(lambda: cv.NetworkView(session.a, c, colour), [session, c, colour], width="760px")
    InstitutionsTable(session.a, c)


@solara.component
def InstitutionsTable(run: Run, community: int):
    update_counter.get()
    with LOCK:
        frame = cv.institutions_table(run, community)
    solara.Text(
        f"Institutions of community {community} ({len(frame)} agents, state now)",
        style={"font-weight": "bold"},
    )
    solara.DataFrame(frame, items_per_page=10)


@solara.component
def MapTab(session: Session, selected: solara.Reactive[int]):
    outcome, set_outcome = solara.use_state(cv.MAP_OUTCOMES[0])
    solara.Select(
        "colour communities by", values=list(cv.MAP_OUTCOMES), value=outcome, on_value=set_outcome
    )
    c = selected.value
    Figure(lambda: cv.MapView(session.a, outcome, c), [session, outcome, c])


TABS = ("Disputes", "People", "Community", "Map", "Compare")


@solara.component
def Views(session: Session, selected: solara.Reactive[int]):
    tab, set_tab = solara.use_state(0)
    with solara.v.Tabs(v_model=tab, on_v_model=set_tab):
        for name in TABS:
            solara.v.Tab(children=[name])
    # only the visible tab renders (and so costs a draw per frame)
    if tab == 0:
        DisputesTab(session)
    elif tab == 1:
        PeopleTab(session)
    elif tab == 2:
        CommunityTab(session, selected)
    elif tab == 3:
        MapTab(session, selected)
    else:
        CompareTab(session)


@solara.component
def RunSettings(staged: solara.Reactive[dict[str, Any]]):
    """Scenario, seed, world size, length, compare variant and the schema's levers."""
    s: Settings = staged.value["settings"]
    try:
        cfg = s.config()
    except ConfigError as exc:  # cannot happen through the widgets; say so if it does
        solara.Error(str(exc))
        return
    scenarios = available_scenarios()

    def put(new: Settings) -> None:
        staged.value = {**staged.value, "settings": new}

    def set_override(key: str) -> Callable[[Any], None]:
        return lambda v: put(staged.value["settings"].with_override(key, v))

    def set_scenario(name: str) -> None:
        # a new scenario brings its own lever values; world size and length are kept
        keep = {"world.communities", "steps"}
        put(replace(s.without_levers(keep), scenario=name))

    solara.Select("scenario", values=scenarios, value=s.scenario, on_value=set_scenario)
    seed_control, _ = control_of(cfg, "seed")
    ControlWidget(seed_control, s.seed, lambda v: put(replace(s, seed=v)))
    size, size_value = control_of(cfg, "world.communities", high=MAX_COMMUNITIES)
    ControlWidget(size, size_value, set_override("world.communities"))
    steps, steps_value = control_of(cfg, "steps")
    ControlWidget(steps, steps_value, set_override("steps"))

    solara.Checkbox(
        label="compare with a variant B (same seed, lockstep)",
        value=s.compare,
        on_value=lambda v: put(replace(s, compare=v)),
    )
    levers = lever_controls(cfg)
    if s.compare:
        solara.Select(
            "B: scenario",
            values=scenarios,
            value=s.b_scenario or s.scenario,
            on_value=lambda v: put(replace(s, b_scenario=v)),
        )
        names = ["(none)"] + [c.name for c, _ in levers]

        def set_b_lever(name: str) -> None:
            if name == "(none)":
                put(replace(s, b_lever=None, b_value=None))
                return
            value = dict((c.name, v) for c, v in levers)[name]
            put(replace(s, b_lever=name, b_value=value))

        solara.Select(
            "B: changed lever", values=names, value=s.b_lever or "(none)", on_value=set_b_lever
        )
        if s.b_lever is not None:
            control = next(c for c, _ in levers if c.name == s.b_lever)
            ControlWidget(control, s.b_value, lambda v: put(replace(s, b_value=v)))

    LeverPanel(levers, set_override)


@solara.component
def LeverPanel(levers: list[tuple[Any, Any]], set_override: Callable[[str], Any]):
    """The levers of one group at a time (a small widget tree keeps each frame cheap:
    Solara reconciles the whole page on every redraw)."""
    groups: dict[str, list[tuple[Any, Any]]] = {}
    for control, value in levers:
        groups.setdefault(control.group, []).append((control, value))
    group, set_group = solara.use_state(next(iter(groups)))
    solara.Text("Levers (policy parameters, from the schema)", style={"font-weight": "bold"})
    solara.Select("lever group", values=list(groups), value=group, on_value=set_group)
    for control, value in groups.get(group, []):
        ControlWidget(control, value, set_override(control.name))


@solara.component
def ExportCard(session: Session):
    default = Path("dashboard_runs") / (
        f"{session.a.scenario}_seed{session.a.seed}_{dt.datetime.now():%Y%m%d-%H%M%S}"
    )
    folder, set_folder = solara.use_state(str(default))
    status, set_status = solara.use_state("")
    busy, set_busy = solara.use_state(False)

    def work() -> None:
        set_busy(True)
        set_status(f"exporting {session.steps} weeks with jiceng ...")
        messages = []
        ok = True
        targets = [(session.a, Path(folder))]
        if session.b is not None:
            targets = [(session.a, Path(folder) / "A"), (session.b, Path(folder) / "B")]
        for run, where in targets:
            with LOCK:
                watched = ex.Watched.of(run)
            done = ex.export(watched, where)
            ok = ok and done.ok
            messages.append(done.message)
        set_status(("" if ok else "export failed: ") + " | ".join(messages))
        set_busy(False)

    solara.InputText("export folder", value=folder, on_value=set_folder)
    solara.Button(
        "Export run folder",
        color="primary",
        disabled=busy,
        on_click=lambda: threading.Thread(target=work, daemon=True).start(),
    )
    if status:
        solara.Text(status, style={"font-size": "12px", "word-break": "break-all"})


@solara.component
def Dashboard(initial: Settings | None = None):
    """The whole page (the `Page` of `sim/app.py`)."""
    start = solara.use_memo(lambda: initial or initial_settings(), [])
    first = solara.use_memo(lambda: LockedSession(start), [])
    model = solara.use_reactive(cast(Any, first))
    staged = solara.use_reactive({"settings": start})
    play_interval = solara.use_reactive(PLAY_INTERVAL)
    render_interval = solara.use_reactive(1)
    selected = solara.use_reactive(0)
    use_threads = solara.use_reactive(False)
    session: Session = model.value

    with solara.AppBar():
        solara.AppBarTitle("jiceng: live dashboard")
    with solara.Sidebar(), solara.Column():
        with solara.Card("Controls"):
            solara.SliderInt("Play Interval (ms)", value=play_interval, min=1, max=500, step=10)
            solara.SliderInt("Render Interval (steps)", value=render_interval, min=1, max=100)
            ModelController(
                model,
                model_parameters=staged,
                play_interval=play_interval,
                render_interval=render_interval,
                use_threads=use_threads,
            )
            Status(session, staged.value["settings"])
        with solara.Card("Model Parameters"):
            RunSettings(staged)
        with solara.Card("Export"):
            ExportCard(session)
    Views(session, selected)


@solara.component
def Status(session: Session, staged: Settings):
    update_counter.get()
    a = session.a
    text = f"week {a.weeks} of {a.planned} · {a.scenario} · seed {a.seed} · " + (
        f"{a.model.world.n_communities} communities, {a.model.pop.n:,} residents"
    )
    if session.b is not None:
        text += " · comparing with B"
    solara.Text(text, style={"font-size": "13px"})
    if staged != session.settings:
        solara.Warning("Settings changed: press Reset to start a run with them.", dense=True)
