"""One community up close (its social network and its institutions) and every community
at a glance (a map-like grid coloured by an outcome).

The network layout is deterministic and computed once per community: courtyards sit on a
ring, each courtyard's residents on a sunflower (Vogel) disc around its centre, so the
picture is the same for every seed and every frame and costs no spring-layout iterations.
Institutions are drawn as distinct markers: community-level ones at the centre, courtyard
ones at their courtyard's centre, building party groups around their courtyard's rim.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.patches import Circle, Rectangle

from sim.agents import (
    Council,
    Institution,
    MediationCommittee,
    PartyBranch,
    ResidentsCommittee,
    ServiceStation,
    SocialOrg,
)
from sim.dashboard.figures import Frame
from sim.dashboard.state import Run
from sim.metrics import community_panel

COLOUR_BY = {
    "trust in party": ("trust_party", "viridis", (0.0, 1.0)),
    "trust in committee": ("trust_committee", "viridis", (0.0, 1.0)),
    "trust in government": ("trust_government", "viridis", (0.0, 1.0)),
    "participation": ("participated", "coolwarm_r", (0.0, 1.0)),
    "grievance": ("grievance", "magma_r", (0.0, 0.3)),
}
"""Resident colourings: label -> (community_network column, colour map, value range)."""

MARKERS = {
    PartyBranch: ("^", "#c0392b", "party branch"),
    Council: ("s", "#1b6ca8", "council"),
    ResidentsCommittee: ("*", "#2e933c", "residents' committee"),
    MediationCommittee: ("D", "#6b4e9b", "mediation committee"),
    ServiceStation: ("P", "#00798c", "service station"),
    SocialOrg: ("h", "#edae49", "social organisation"),
}
"""How each kind of institution is drawn in the network view: marker, colour, legend."""


def sunflower(n: int, radius: float) -> np.ndarray:
    """n points spread evenly over a disc (Vogel's spiral): deterministic, no overlap."""
    k = np.arange(n) + 0.5
    r = radius * np.sqrt(k / max(n, 1))
    theta = k * math.pi * (3 - math.sqrt(5))
    return np.column_stack((r * np.cos(theta), r * np.sin(theta)))


@dataclass(frozen=True)
class Layout:
    """Positions of one community's residents and courtyards (computed once)."""

    residents: np.ndarray  # resident ids, in community order
    xy: np.ndarray  # (n, 2) positions of those residents
    courtyards: np.ndarray  # courtyard ids
    centres: np.ndarray  # (k, 2) centre of each courtyard
    radii: np.ndarray  # disc radius of each courtyard


def layout(nodes: dict[str, np.ndarray]) -> Layout:
    ids, yard = nodes["resident"], nodes["courtyard"]
    yards, counts = np.unique(yard, return_counts=True)
    radii = 0.12 * np.sqrt(counts / max(counts.mean(), 1))
    ring = 1.0 if len(yards) > 1 else 0.0
    angle = 2 * np.pi * np.arange(len(yards)) / max(len(yards), 1) + np.pi / 2
    centres = np.column_stack((ring * np.cos(angle), ring * np.sin(angle)))
    xy = np.zeros((len(ids), 2))
    for j, c in enumerate(yards):
        members = np.flatnonzero(yard == c)
        xy[members] = centres[j] + sunflower(len(members), radii[j])
    return Layout(ids, xy, yards, centres, radii)


def institutions_of(run: Run, community: int) -> list[Institution]:
    """The institution agents of one community (residents and city-level ones excluded)."""
    out: list[Institution] = []
    for cls, agents in run.model.agents_by_type.items():
        if issubclass(cls, Institution):
            out.extend(a for a in agents if getattr(a, "community", None) == community)
    return out


def institutions_table(run: Run, community: int) -> pd.DataFrame:
    """A row per institution of the community: kind, level, unit and its public state
    (`Institution.state()`, as `name=value` pairs: kinds have different attributes)."""
    rows = []
    for agent in institutions_of(run, community):
        state = agent.state()
        level, unit = state.pop("level", ""), state.pop("unit", "")
        state.pop("community", None)
        pairs = ", ".join(f"{k}={_cell(v)}" for k, v in state.items())
        rows.append(
            {"institution": type(agent).__name__, "level": level, "unit": unit, "state": pairs}
        )
    frame = pd.DataFrame(rows, columns=["institution", "level", "unit", "state"])
    order = {"community": 0, "courtyard": 1, "building": 2}
    frame["_rank"] = frame["level"].map(order).fillna(3)
    frame = frame.sort_values(["_rank", "institution", "unit"], kind="stable")
    return frame.drop(columns="_rank").reset_index(drop=True)


def _cell(v: Any) -> Any:
    if isinstance(v, float):
        return round(v, 3)
    if isinstance(v, (list, tuple, set, dict)):
        return f"{len(v)} items"
    if isinstance(v, (bool, int, str)) or v is None:
        return v
    return str(v)


class NetworkView:
    """One community's ties, residents coloured by a chosen variable, institutions as
    distinct markers and courtyards as discs."""

    def __init__(self, run: Run, community: int, colour_by: str) -> None:
        self.run, self.community = run, community
        self.column, cmap, (lo, hi) = COLOUR_BY[colour_by]
        nodes, edges = run.model.community_network(community)
        self.layout = lay = layout(nodes)
        self.index = {int(r): i for i, r in enumerate(lay.residents)}
        self.frame = frame = Frame(760, 640)
        fig = frame.fig
        ax = self.ax = fig.add_axes((0.01, 0.02, 0.72, 0.9))
        ax.set_aspect("equal")
        ax.set_axis_off()
        span = 1.0 + 2.2 * float(lay.radii.max()) if len(lay.radii) else 1.3
        ax.set_xlim(-span, span)
        ax.set_ylim(-span, span)
        for j, c in enumerate(lay.courtyards):
            ax.add_patch(Circle(lay.centres[j], lay.radii[j] * 1.25, fc="#f2f2f2", ec="#cccccc"))
            label_at = (
                lay.centres[j] * (1 + 1.9 * lay.radii[j])
                if len(lay.courtyards) > 1
                else (0, -lay.radii[j] * 1.5)
            )
            ax.text(
                float(label_at[0]),
                float(label_at[1]),
                f"courtyard {c}",
                fontsize=7,
                ha="center",
                va="center",
                color="#666666",
            )
        self.edges = LineCollection([], colors="#9aa5b1", linewidths=0.3, alpha=0.35)
        ax.add_collection(self.edges)
        self._n_edges = -1
        self.points = ax.scatter(
            lay.xy[:, 0],
            lay.xy[:, 1],
            s=7,
            c=np.zeros(len(lay.xy)),
            cmap=cmap,
            norm=Normalize(lo, hi),
            linewidths=0,
        )
        self.inst = {
            cls: ax.scatter(
                [],
                [],
                marker=m,
                s=90 if cls is ResidentsCommittee else 42,
                c=colour,
                edgecolors="black",
                linewidths=0.5,
                label=label,
                zorder=5,
            )
            for cls, (m, colour, label) in MARKERS.items()
        }
        frame.animate((self.edges, self.points, *self.inst.values()))
        fig.legend(
            handles=list(self.inst.values()),
            loc="upper left",
            bbox_to_anchor=(0.73, 0.9),
            fontsize=8.5,
            frameon=False,
            title="institutions",
            title_fontsize=9,
        )
        cax = fig.add_axes((0.76, 0.1, 0.025, 0.35))
        fig.colorbar(self.points, cax=cax).set_label(colour_by, fontsize=9)
        cax.tick_params(labelsize=8)
        fig.text(
            0.01,
            0.96,
            f"Community {community}: {len(lay.xy)} residents, {len(lay.courtyards)} courtyards",
            fontsize=11,
        )
        self._edges_now(edges)

    def _edges_now(self, edges: np.ndarray) -> None:
        if len(edges) == self._n_edges:
            return
        idx = self.index
        a = np.fromiter((idx[int(u)] for u in edges[:, 0]), dtype=np.int64, count=len(edges))
        b = np.fromiter((idx[int(v)] for v in edges[:, 1]), dtype=np.int64, count=len(edges))
        segments = np.stack((self.layout.xy[a], self.layout.xy[b]), axis=1)
        self.edges.set_segments(list(segments))
        self._n_edges = len(edges)

    def _place_institutions(self) -> None:
        lay = self.layout
        yard_at = {int(c): j for j, c in enumerate(lay.courtyards)}
        world = self.run.model.world
        where: dict[type, list[tuple[float, float]]] = {cls: [] for cls in MARKERS}
        offsets = {PartyBranch: (-0.5, 0.5), Council: (0.5, 0.5), MediationCommittee: (0.0, -0.6)}
        centre_slots = {
            ResidentsCommittee: (0, 0),
            PartyBranch: (-0.09, 0.07),
            Council: (0.09, 0.07),
            MediationCommittee: (0.0, -0.09),
            ServiceStation: (0.1, -0.07),
        }
        n_orgs = 0
        for agent in institutions_of(self.run, self.community):
            cls = next((c for c in MARKERS if isinstance(agent, c)), None)
            if cls is None:
                continue
            level = getattr(agent, "level", "community")
            if cls is SocialOrg:
                angle = 0.6 * n_orgs
                where[cls].append((0.3 * math.cos(angle), 0.3 * math.sin(angle)))
                n_orgs += 1
            elif level == "community":
                where[cls].append(centre_slots.get(cls, (0.0, 0.0)))
            elif level == "courtyard" and agent.unit in yard_at:
                j = yard_at[agent.unit]
                dx, dy = offsets.get(cls, (0.0, 0.0))
                r = lay.radii[j]
                where[cls].append((lay.centres[j][0] + dx * r, lay.centres[j][1] + dy * r))
            elif level == "building":
                yard = int(world.building_courtyard[agent.unit])
                if yard in yard_at:
                    j = yard_at[yard]
                    angle = 2.399 * agent.unit
                    r = lay.radii[j] * 1.25
                    c = lay.centres[j]
                    where[cls].append((c[0] + r * math.cos(angle), c[1] + r * math.sin(angle)))
        for cls, points in where.items():
            self.inst[cls].set_offsets(np.array(points).reshape(-1, 2))

    def update(self) -> bytes:
        nodes, edges = self.run.model.community_network(self.community)
        self._edges_now(edges)
        self.points.set_array(np.asarray(nodes[self.column], dtype=np.float64))
        self._place_institutions()
        return self.frame.render()


MAP_OUTCOMES = (
    "mean_grievance",
    "trust_party",
    "trust_committee",
    "trust_mediation",
    "trust_court",
    "trust_government",
    "participation_rate",
    "floating_share",
    "social_orgs_per_1000",
    "disputes_opened",
    "disputes_resolved",
    "disputes_abandoned",
)
"""Columns of `sim.metrics.community_panel` the map can be coloured by (the disputes
columns count the last `output.panel_interval` weeks)."""


class MapView:
    """Every community as a cell of a grid, coloured by one per-community outcome; the
    selected community is outlined."""

    def __init__(self, run: Run, outcome: str, selected: int) -> None:
        self.run, self.outcome, self.selected = run, outcome, selected
        n = run.model.world.n_communities
        self.cols = cols = max(1, math.ceil(math.sqrt(n * 1.6)))
        self.rows = rows = math.ceil(n / cols)
        self.frame = frame = Frame(900, 150 + 80 * rows)
        fig = frame.fig
        ax = self.ax = fig.add_axes((0.02, 0.04, 0.82, 0.82))
        ax.set_axis_off()
        self.grid = np.full((rows, cols), np.nan)
        self.image = ax.imshow(
            self.grid, cmap="viridis", aspect="auto", extent=(-0.5, cols - 0.5, rows - 0.5, -0.5)
        )
        ax.set_xlim(-0.5, cols - 0.5)
        ax.set_ylim(rows - 0.5, -0.5)
        self.labels = []
        for c in range(n):
            r, k = divmod(c, cols)
            self.labels.append(ax.text(k, r, "", ha="center", va="center", fontsize=8.5))
        r, k = divmod(selected, cols)
        outline = Rectangle((k - 0.5, r - 0.5), 1, 1, fill=False, ec="#d1495b", lw=3)
        ax.add_patch(outline)
        cax = fig.add_axes((0.86, 0.1, 0.02, 0.7))
        self.bar = fig.colorbar(self.image, cax=cax)
        cax.tick_params(labelsize=8)
        self.title = fig.text(0.02, 0.92, "", fontsize=11)
        frame.animate((self.image, *self.labels, outline, self.title))

    def values(self) -> np.ndarray:
        m = self.run.model
        return np.asarray(community_panel(m, max(m.week, 0))[self.outcome], dtype=np.float64)

    def update(self) -> bytes:
        v = self.values()
        grid = self.grid
        grid.flat[: len(v)] = v
        self.image.set_data(grid)
        finite = v[np.isfinite(v)]
        lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        c_lo, c_hi = self.image.get_clim()
        if self.frame.full_draws == 0 or lo < c_lo or hi > c_hi or hi - lo < (c_hi - c_lo) / 4:
            pad = max(hi - lo, abs(hi) * 0.05, 1e-6) * 0.25
            self.image.set_clim(lo - pad, hi + pad)  # the colour bar is background
            self.frame.invalidate()
        lo, hi = self.image.get_clim()
        mid = (lo + hi) / 2
        for c, text in enumerate(self.labels):
            text.set_text(f"{c}\n{v[c]:.3g}")
            text.set_color("white" if v[c] < mid else "black")
        self.title.set_text(
            f"All {len(v)} communities: {self.outcome.replace('_', ' ')} "
            f"(week {self.run.weeks}); outlined: community {self.selected}"
        )
        return self.frame.render()
