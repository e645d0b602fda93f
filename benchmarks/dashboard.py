"""How fast the dashboard advances with a redraw every week (not a test: a measurement).

Renders the page in-process with `solara.render` (no browser) at 20 communities, then does
what Mesa's ModelController does on each played step with render interval 1 (step the
session, `force_update`, which redraws the visible tab) for `--weeks` weeks on each tab,
and prints one JSON line: simulated weeks per wall second per tab, the frame time, and
the same at the start and end of the run (the cost of a frame must not grow with the run).
The play interval's sleep is not included: weeks/s at play interval P ms is
1 / (1/rate + P/1000).

    python benchmarks/dashboard.py --weeks 100
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("MPLBACKEND", "Agg")

import ipyvuetify as vw  # noqa: E402
import solara  # noqa: E402
from mesa.visualization.utils import force_update  # noqa: E402

from sim.dashboard import page  # noqa: E402
from sim.dashboard.state import Settings  # noqa: E402


def measure(weeks: int, communities: int, compare: bool) -> dict[str, object]:
    settings = Settings(overrides=(("world.communities", communities),), compare=compare)
    if compare:
        settings = Settings(**{**vars(settings), "b_scenario": "no_grid"})
    _, rc = solara.render(solara.AppLayout(children=[page.Dashboard(settings)]))
    session = page.last_session()
    tabs = rc.find(vw.Tabs).widget
    out: dict[str, object] = {}
    names = page.TABS if compare else page.TABS[:-1]
    for i, name in enumerate(names):
        tabs.v_model = i
        times = []
        for _ in range(weeks):
            t0 = time.perf_counter()
            session.step()
            force_update()
            times.append(time.perf_counter() - t0)
        tenth = max(weeks // 10, 1)
        out[name] = {
            "weeks_per_s": round(weeks / sum(times), 2),
            "ms_per_week_first_tenth": round(1000 * sum(times[:tenth]) / tenth, 1),
            "ms_per_week_last_tenth": round(1000 * sum(times[-tenth:]) / tenth, 1),
        }
    out["weeks_run"] = session.steps
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--weeks", type=int, default=50, help="weeks per tab")
    p.add_argument("--communities", type=int, default=20)
    p.add_argument("--compare", action="store_true", help="two runs in lockstep")
    a = p.parse_args()
    result = {
        "communities": a.communities,
        "compare": a.compare,
        "load_average_1min": os.getloadavg()[0],
        "cpus": os.cpu_count(),
        **measure(a.weeks, a.communities, a.compare),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
