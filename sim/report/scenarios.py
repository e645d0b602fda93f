"""How a scenario looks in every figure: its label, colour and marker, from the `display:`
block of its own YAML file (`scenarios/NAME.yaml`), never from lists of names in code.

    display:
      label: Chengdu 2014
      colour: blue        # an Okabe-Ito name (sim.report.style.OKABE_ITO) or #RRGGBB
      marker: s
      order: 2            # position in legends and tables

A name without a file or block (a user's scenario, a grid variant) gets its own name as the
label and a (colour, marker) pair picked by a stable hash from what no scenario declares,
so the same name looks the same in every process and never takes a declared pair.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from sim.report.style import LINE_COLOURS, OKABE_ITO

SPARE_MARKERS = ("d", "H", "8", "1", "2", "3", "4")
"""Markers no shipped scenario declares: undeclared names draw from these."""


@dataclass(frozen=True)
class Display:
    label: str
    colour: str  # hex
    marker: str
    order: float = float("inf")


def _scenario_folder() -> Path:
    from sim.compose import scenario_dir

    return scenario_dir()


def _colour(value: str, path: Path) -> str:
    text = str(value)
    if text in OKABE_ITO:
        return OKABE_ITO[text]
    if text.startswith("#") and len(text) in (4, 7):
        return text.upper()
    raise ValueError(
        f"{path}: display.colour {text!r} is not an Okabe-Ito name ({', '.join(OKABE_ITO)}) "
        "nor #RRGGBB; fix the scenario file"
    )


@cache
def declared() -> dict[str, Display]:
    """Every shipped scenario's display block, by scenario name."""
    out: dict[str, Display] = {}
    for path in sorted(_scenario_folder().glob("*.yaml")):
        block = (yaml.safe_load(path.read_text()) or {}).get("display")
        if not block:
            continue
        out[path.stem] = Display(
            label=str(block.get("label", path.stem.replace("_", " "))),
            colour=_colour(block["colour"], path),
            marker=str(block["marker"]),
            order=float(block.get("order", float("inf"))),
        )
    return out


def _stable_hash(name: str) -> int:
    """Hash that is the same in every process (``hash()`` is salted per interpreter)."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "big")


def display(name: Any) -> Display:
    """The look of a scenario (or any named series)."""
    key = str(name)
    known = declared().get(key)
    if known is not None:
        return known
    h = _stable_hash(key)
    return Display(
        label=key.replace("_", " "),
        colour=LINE_COLOURS[h % len(LINE_COLOURS)],
        marker=SPARE_MARKERS[(h // len(LINE_COLOURS)) % len(SPARE_MARKERS)],
    )


def scenario_style(name: Any) -> dict[str, str]:
    """Colour and marker as matplotlib keywords: ``{"color": ..., "marker": ...}``."""
    d = display(name)
    return {"color": d.colour, "marker": d.marker}


def scenario_label(name: Any) -> str:
    """Legend text of a scenario."""
    return display(name).label


def scenario_order(names: Iterable[Any]) -> list[Any]:
    """Declared scenarios in their `order` first, then the rest sorted by name, so legends
    and rows keep their place across figures."""
    unique = list(dict.fromkeys(names))
    known = declared()
    first = sorted((n for n in unique if str(n) in known), key=lambda n: known[str(n)].order)
    rest = sorted((n for n in unique if str(n) not in known), key=str)
    return first + rest
