"""Widgets generated from the config schema: one per lever, bounded by its range.

Nothing here lists a parameter by hand: `lever_controls(cfg)` walks `sim.params.iter_params`
and turns each `role == "lever"` leaf into a `Control` (checkbox for a flag, select for a
choice, slider for a bounded range, a checked number field for a wide one). A value
outside the schema's range is refused by the widget (`refuse`) and never reaches a model.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import solara

from sim.config import SimConfig
from sim.params import Meta, iter_params

SLIDER_SPAN = 1000.0
"""Ranges wider than this get a checked number field: a slider over [0, 10000] cannot
hit a value like 6."""


@dataclass(frozen=True)
class Control:
    """How one parameter is edited: kind is check, select, slider or number."""

    name: str
    kind: str
    integer: bool = False
    low: float | None = None
    high: float | None = None
    step: float = 1.0
    unit: str = "-"
    doc: str = ""
    choices: tuple[str, ...] = ()

    @property
    def group(self) -> str:
        return self.name.rpartition(".")[0]

    @property
    def leaf(self) -> str:
        return self.name.rpartition(".")[2].replace("_", " ")

    @property
    def label(self) -> str:
        """The parameter's own name and, where it says more, its unit."""
        plain = self.unit in ("-", "flag", "choice", "integer", "name", "text", self.leaf)
        return self.leaf if plain else f"{self.leaf} ({self.unit})"

    def refuse(self, value: Any) -> str | None:
        """Why `value` cannot be used (one line naming the allowed range), or None."""
        if self.kind == "check":
            return None if isinstance(value, bool) else f"{self.name} takes true or false"
        if self.kind == "select":
            return None if value in self.choices else f"{self.name}: choose one of {self.choices}"
        if value is None or not isinstance(value, (int, float)) or isinstance(value, bool):
            return f"{self.name} needs a number in {self.range_text()}"
        if not math.isfinite(value):
            return f"{self.name}={value} is not a finite number: allowed {self.range_text()}"
        if self.integer and value != int(value):
            return f"{self.name} needs a whole number in {self.range_text()}"
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            return f"{self.name}={value:g} is out of range: allowed {self.range_text()}"
        return None

    def range_text(self) -> str:
        low = "-inf" if self.low is None else f"{self.low:g}"
        if self.high is None or self.high >= 1e15:
            return f">= {low}"
        return f"{low} to {self.high:g}"

    def clean(self, value: Any) -> Any:
        """A slider's float rounded to its step's decimals (0.35000000000000003 -> 0.35)."""
        if self.kind != "slider" or self.integer:
            return int(value) if self.integer and self.kind in ("slider", "number") else value
        digits = max(0, -math.floor(math.log10(self.step))) if self.step > 0 else 6
        return round(float(value), digits + 1)


def nice_step(span: float) -> float:
    """About a hundredth of the span, as 1, 2 or 5 x 10^k."""
    raw = span / 100
    base = 10 ** math.floor(math.log10(raw))
    return next(m * base for m in (1, 2, 5, 10) if m * base >= raw)


def control_for(name: str, value: Any, meta: Meta | None) -> Control:
    unit, doc = (meta.unit, meta.doc) if meta else ("-", "")
    if isinstance(value, bool):
        return Control(name, "check", unit=unit, doc=doc)
    if isinstance(value, enum.Enum):
        choices = tuple(str(m.value) for m in type(value))
        return Control(name, "select", unit=unit, doc=doc, choices=choices)
    low = meta.low if meta else None
    high = meta.high if meta else None
    integer = isinstance(value, int)
    bounded = low is not None and high is not None
    if bounded and (high - low) <= SLIDER_SPAN:  # type: ignore[operator]
        step = 1.0 if integer else nice_step(high - low)  # type: ignore[operator]
        return Control(name, "slider", integer, low, high, step, unit, doc)
    return Control(name, "number", integer, low, high, 1.0, unit, doc)


def current(value: Any) -> Any:
    return str(value.value) if isinstance(value, enum.Enum) else value


def lever_controls(cfg: SimConfig) -> list[tuple[Control, Any]]:
    """(control, value in `cfg`) for every policy lever of the schema, in schema order."""
    return [
        (control_for(name, value, meta), current(value))
        for name, value, meta in iter_params(cfg)
        if meta is not None and meta.role == "lever"
    ]


def control_of(cfg: SimConfig, name: str, high: float | None = None) -> tuple[Control, Any]:
    """The control and current value of any one parameter (world size, steps, seed),
    optionally with a lower ceiling than the schema's (the dashboard's live range)."""
    for n, value, meta in iter_params(cfg):
        if n == name:
            if meta is not None and high is not None:
                top = high if meta.high is None else min(meta.high, high)
                meta = dataclasses.replace(meta, high=top)
            return control_for(n, value, meta), current(value)
    raise KeyError(name)


@solara.component
def ControlWidget(control: Control, value: Any, on_value: Callable[[Any], None]):
    """The widget for one control; refused values show why and are not passed on."""
    error, set_error = solara.use_state(cast(str | None, None))

    def accept(v: Any) -> None:
        v = control.clean(v) if v is not None else v
        problem = control.refuse(v)
        set_error(problem)
        if problem is None:
            on_value(v)

    if control.kind == "check":
        solara.Checkbox(label=control.label, value=bool(value), on_value=accept)
    elif control.kind == "select":
        solara.Select(
            label=control.label, values=list(control.choices), value=value, on_value=accept
        )
    elif control.kind == "slider":
        assert control.low is not None and control.high is not None
        label = f"{control.label}: {value:g}"
        if control.integer:
            solara.SliderInt(
                label=label,
                value=int(value),
                min=int(control.low),
                max=int(control.high),
                step=int(control.step),
                on_value=accept,
            )
        else:
            solara.SliderFloat(
                label=label,
                value=float(value),
                min=control.low,
                max=control.high,
                step=control.step,
                on_value=accept,
            )
    else:
        field = solara.InputInt if control.integer else solara.InputFloat
        field(
            label=f"{control.label}, {control.range_text()}",
            value=value,
            on_value=accept,
            continuous_update=True,  # every keystroke is checked against the range
        )
    if error:
        solara.Text(error, style={"color": "#b00020", "font-size": "12px"})
