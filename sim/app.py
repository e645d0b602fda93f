"""The live dashboard as a Solara app: `jiceng-app`, or `solara run sim/app.py`.

A thin entry module (Solara looks for `Page`); everything else is in `sim.dashboard`.
"""

import solara

from sim.dashboard.page import Dashboard


@solara.component
def Page():
    Dashboard()
