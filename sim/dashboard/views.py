"""The dashboard's figures over one run (A) or a compared pair: series, ladder, ends.

Each view builds its figure and artists once and `update`s them from the run's `History`
(strided to at most `MAX_POINTS` per series), so a frame is one Agg draw whatever the
run's length. Network, map and institutions live in `sim.dashboard.community`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.text import Text

from sim.config import TIERS
from sim.dashboard.figures import PALETTE, TIER_LABELS, Frame, nice_ceiling, sticky_ylim, style
from sim.dashboard.history import History
from sim.dashboard.state import Run, Session
from sim.population import AGE_LABELS, INSTITUTIONS

Series = tuple[tuple[str, str], ...]  # (history key, legend label)

DISPUTE_SERIES: Series = (
    ("disputes_arising", "arising"),
    ("disputes_open", "open"),
    ("resolved_total", "resolved"),
)
GROUP_SERIES: Series = (
    ("participation_rate", "all"),
    ("participation_registered", "registered"),
    ("participation_floating", "floating"),
    ("participation_party", "party members"),
    ("participation_non_party", "non-members"),
)
TRUST_SERIES: Series = tuple((f"trust_{i}", i) for i in INSTITUTIONS)
ENDS = (*TIERS, "abandoned")
SHORT = {"self_settle": "self-settled", "grand": "grand med."}


class _Lines:
    """Lines on one axes over the run's planned weeks, each fed by one history column."""

    def __init__(
        self, frame: Frame, ax, series: Series, weeks: int, *, legend: bool = True, ncol=1
    ) -> None:
        self.ax = ax
        self.lines: list[tuple[str, Line2D]] = []
        for i, (key, label) in enumerate(series):
            (line,) = ax.plot([], [], color=PALETTE[i % len(PALETTE)], lw=1.5, label=label)
            self.lines.append((key, line))
        frame.animate(line for _, line in self.lines)
        ax.set_xlim(0, max(weeks, 1))
        ax.set_ylim(0, 1)
        if legend:
            ax.legend(fontsize=8, loc="upper left", frameon=False, ncol=ncol)

    def update(self, h: History, *, cap: float | None = None) -> None:
        x = h.weeks()
        for key, line in self.lines:
            line.set_data(x, h.view(key))
        sticky_ylim(self.ax, (line for _, line in self.lines), cap=cap)


class DisputesView:
    """Disputes per week, resolution and petition rates, time to resolution, the ladder
    (queue and wait at each tier) and where disputes ended so far."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.frame = frame = Frame(1040, 620)
        fig, weeks = frame.fig, run.planned
        gs = fig.add_gridspec(2, 4, height_ratios=(1, 1.05), hspace=0.55, wspace=0.42)
        fig.subplots_adjust(left=0.06, right=0.985, top=0.93, bottom=0.08)
        ax = [fig.add_subplot(gs[0, i]) for i in range(4)]
        style(ax[0], "Disputes per week", "disputes")
        style(ax[1], "Resolution rate", "share resolved (cumulative)")
        style(ax[2], "Petition rate", "petitions / 10k people / yr")
        style(ax[3], "Time to resolution", "weeks")
        self.counts = _Lines(frame, ax[0], DISPUTE_SERIES, weeks)
        self.resolution = _Lines(
            frame, ax[1], (("resolution_rate_cumulative", "since week 0"),), weeks
        )
        self.petitions = _Lines(
            frame,
            ax[2],
            (("petition_rate_week", "this week"), ("petition_rate_cum", "since week 0")),
            weeks,
        )
        self.ttr = _Lines(
            frame,
            ax[3],
            (("mean_time_to_resolution", "mean"), ("p90_time_to_resolution", "90th pct")),
            weeks,
        )
        self.ladder = Ladder(frame, fig.add_subplot(gs[1, :3]))
        self.ends = Ends(frame, fig.add_subplot(gs[1, 3]))

    def update(self) -> bytes:
        h = self.run.history
        self.counts.update(h)
        self.resolution.update(h, cap=1.0)
        self.petitions.update(h)
        self.ttr.update(h)
        self.ladder.update(self.run)
        self.ends.update(h)
        return self.frame.render()


class Ladder:
    """The dispute ladder as boxes and arrows; each box shows its queue and mean wait this
    week, shaded by queue length; petition is the costly exit beside the ladder."""

    def __init__(self, frame: Frame, ax) -> None:
        self.ax = ax
        self.frame = frame
        ax.set_xlim(0, 10.3)
        ax.set_ylim(0, 3.2)
        ax.set_axis_off()
        ax.set_title(
            "Dispute ladder: disputes waiting and mean wait (weeks) this week",
            fontsize=11,
            loc="left",
        )
        steps = TIERS[:-1]  # self-settlement ... litigation, left to right
        self.boxes: dict[str, FancyBboxPatch] = {}
        self.texts: dict[str, Text] = {}
        width, gap, y = 1.7, 0.35, 0.25
        xs = [0.1 + i * (width + gap) for i in range(len(steps))]
        for i, name in enumerate(steps):
            self._box(name, xs[i], y, width)
            if i:
                self._arrow((xs[i] - gap, y + 0.45), (xs[i], y + 0.45), "#777777", "-")
        px, py = xs[2] + width / 2 + gap, 2.05
        self._box("petition", px, py, width)
        for i in (2, 3):  # petition is the exit from community and grand mediation
            self._arrow((xs[i] + width / 2, y + 0.9), (px + width / 2, py), "#d1495b", "--")
        ax.text(0.1, 2.5, "escalation runs left to right;", fontsize=8.5, color="#555555")
        ax.text(0.1, 2.22, "petition (dashed) is the costly exit", fontsize=8.5, color="#555555")

    def _arrow(self, start, end, colour: str, ls: str) -> None:
        self.ax.add_patch(
            FancyArrowPatch(
                start, end, arrowstyle="-|>", mutation_scale=12, color=colour, linestyle=ls
            )
        )

    def _box(self, name: str, x: float, y: float, width: float) -> None:
        box = FancyBboxPatch(
            (x, y), width, 0.9, boxstyle="round,pad=0.02", fc="#ffffff", ec="#555555", lw=1
        )
        self.ax.add_patch(box)
        self.boxes[name] = box
        label = self.ax.text(x + width / 2, y + 0.6, TIER_LABELS[name], ha="center", fontsize=9)
        self.texts[name] = self.ax.text(x + width / 2, y + 0.18, "", ha="center", fontsize=8.5)
        self.frame.animate((box, label, self.texts[name]))

    def update(self, run: Run) -> None:
        from sim.processes.ladder import Ladder as LadderProcess

        queues = run.model.process(LadderProcess).queue_lengths()
        h = run.history
        top = max(float(queues.max()), 1.0)
        for j, name in enumerate(TIERS):
            q = int(queues[j])
            if j == 0:
                text = f"settled {h.last('resolved_self_settle'):.0f} this week"
            else:
                wait = h.last(f"wait_{name}")
                wait_text = "-" if not np.isfinite(wait) else f"{wait:.1f}"
                text = f"queue {q}   wait {wait_text}"
            self.texts[name].set_text(text)
            shade = 0.15 + 0.7 * q / top if q else 0.0
            self.boxes[name].set_facecolor((0.82, 0.29, 0.36, shade) if q else "#f4f7fb")


class Ends:
    """Where the disputes closed since week 0 ended: a bar per tier, and abandoned."""

    def __init__(self, frame: Frame, ax) -> None:
        self.ax = ax
        style(ax, "Where disputes ended", "", xlabel="disputes closed since week 0")
        y = np.arange(len(ENDS))
        colours = [PALETTE[i % len(PALETTE)] for i in range(len(ENDS))]
        self.bars = ax.barh(y, np.zeros(len(ENDS)), color=colours)
        ax.set_yticks(y, [SHORT.get(e, e) for e in ENDS], fontsize=8)
        ax.invert_yaxis()
        ax.grid(False)
        self.labels = [ax.text(0, i, "", va="center", fontsize=8) for i in y]
        ax.set_xlim(0, 10)
        frame.animate((*self.bars, *self.labels))

    def update(self, h: History) -> None:
        values = [h.last(f"ended_{e}") for e in ENDS]
        top = max(max(values), 1.0)
        if top > self.ax.get_xlim()[1] / 1.3:
            self.ax.set_xlim(0, nice_ceiling(top * 1.6))
        right = self.ax.get_xlim()[1]
        for bar, text, v in zip(self.bars, self.labels, values, strict=True):
            bar.set_width(v)
            text.set_position((v + right * 0.02, text.get_position()[1]))
            text.set_text(f"{v:.0f}")


class PeopleView:
    """Participation overall and by group, trust in each institution, mean grievance."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.frame = frame = Frame(1040, 600)
        fig, weeks = frame.fig, run.planned
        gs = fig.add_gridspec(2, 2, hspace=0.45, wspace=0.22)
        fig.subplots_adjust(left=0.07, right=0.985, top=0.93, bottom=0.09)
        ax = [fig.add_subplot(gs[i // 2, i % 2]) for i in range(4)]
        style(ax[0], "Participation by group", "share active in the window")
        style(ax[1], "Participation by age band (now)", "share active", xlabel="age")
        style(ax[2], "Trust in each institution", "mean trust (0-1)")
        style(ax[3], "Mean grievance", "grievance (0-1)")
        self.groups = _Lines(frame, ax[0], GROUP_SERIES, weeks, ncol=3)
        x = np.arange(len(AGE_LABELS))
        self.age_ax = ax[1]
        self.ages = ax[1].bar(x, np.zeros(len(x)), color=PALETTE[0])
        ax[1].set_xticks(x, [a.replace("_", "-") for a in AGE_LABELS], fontsize=8)
        ax[1].set_ylim(0, 1)
        frame.animate(self.ages)
        self.trust = _Lines(frame, ax[2], TRUST_SERIES, weeks, ncol=3)
        self.grievance = _Lines(
            frame, ax[3], (("mean_grievance", "mean grievance"),), weeks, legend=False
        )

    def update(self) -> bytes:
        h = self.run.history
        self.groups.update(h, cap=1.0)
        for bar, label in zip(self.ages, AGE_LABELS, strict=True):
            v = h.last(f"participation_age_{label}")
            bar.set_height(v if np.isfinite(v) else 0.0)
        self.trust.update(h, cap=1.0)
        self.grievance.update(h)
        return self.frame.render()


COMPARE_SERIES: Series = (
    ("resolution_rate_cumulative", "resolution rate (cumulative share)"),
    ("disputes_open", "open disputes"),
    ("petition_rate_cum", "petitions / 10k / yr (cumulative)"),
    ("mean_grievance", "mean grievance"),
    ("participation_rate", "participation rate"),
    ("trust_government", "trust in government"),
)


class CompareView:
    """A and B on shared axes (top), and B - A below each, week by week."""

    def __init__(self, session: Session, series: Series = COMPARE_SERIES[:4]) -> None:
        assert session.b is not None, "compare mode needs two runs"
        self.session = session
        self.series = series
        n = len(series)
        self.frame = frame = Frame(1040, 560)
        fig, weeks = frame.fig, session.a.planned
        gs = fig.add_gridspec(2, n, height_ratios=(1.6, 1), hspace=0.12, wspace=0.38)
        fig.subplots_adjust(left=0.06, right=0.985, top=0.86, bottom=0.09)
        self.pairs: list[tuple[str, Line2D, Line2D, Line2D, Axes, Axes]] = []
        a = session.a
        for i, (key, label) in enumerate(series):
            top = fig.add_subplot(gs[0, i])
            bottom = fig.add_subplot(gs[1, i], sharex=top)
            style(top, "", "", xlabel=None)
            top.set_title(label, fontsize=9.5, loc="left")
            style(bottom, "", "B - A" if i == 0 else "")
            top.tick_params(labelbottom=False)
            (la,) = top.plot([], [], color=PALETTE[0], lw=1.6)
            (lb,) = top.plot([], [], color=PALETTE[1], lw=1.6, ls="--")
            (ld,) = bottom.plot([], [], color="#444444", lw=1.3)
            bottom.axhline(0.0, color="#999999", lw=0.8)
            top.set_xlim(0, max(weeks, 1))
            top.set_ylim(0, 1)
            bottom.set_ylim(-1, 1)
            bottom.ticklabel_format(axis="y", style="sci", scilimits=(-2, 3))
            frame.animate((la, lb, ld))
            self.pairs.append((key, la, lb, ld, top, bottom))
        fig.legend(
            [self.pairs[0][1], self.pairs[0][2]],
            [f"A: {a.scenario}", f"B: {self._b_label(session)}"],
            loc="upper left",
            ncol=2,
            fontsize=9,
            frameon=False,
            bbox_to_anchor=(0.05, 1.0),
        )

    @staticmethod
    def _b_label(session: Session) -> str:
        s = session.settings
        scenario, _ = s.variant()
        text = scenario
        if s.b_lever is not None:
            text += f", {s.b_lever}={s.b_value}"
        return text

    def update(self) -> bytes:
        b = self.session.b
        assert b is not None
        ha, hb = self.session.a.history, b.history
        x = ha.weeks()
        for key, la, lb, ld, top, bottom in self.pairs:
            ya, yb = ha.view(key), hb.view(key)
            la.set_data(x, ya)
            lb.set_data(x, yb)
            ld.set_data(x, yb - ya)
            sticky_ylim(top, (la, lb))
            sticky_ylim(bottom, (ld,), floor=None)
        return self.frame.render()
