"""Parameter metadata: every tunable value carries unit, range, description and source.

`param(...)` wraps `dataclasses.field` so the schema in `sim.config` is the single source of
truth for validation, the CLI's error messages and the ODD parameter table.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


class ConfigError(ValueError):
    """A user-facing configuration problem; its message is one line naming the fix."""


ROLES: tuple[str, ...] = ("lever", "world", "behaviour", "control")
"""A parameter's role (EMA Workbench's levers vs uncertainties): `lever` is a policy choice;
`world` (a world condition) and `behaviour` (a behavioural assumption) are uncertainties;
`control` says how a run is done (size, length, output), not what is modelled."""
UNCERTAINTIES: tuple[str, ...] = ("world", "behaviour")


@dataclass(frozen=True)
class Meta:
    unit: str
    low: float | None
    high: float | None
    doc: str
    source: str
    role: str | None = None  # None: inherited from the enclosing group

    @property
    def is_uncertainty(self) -> bool:
        return self.role in UNCERTAINTIES

    def range_text(self) -> str:
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "inf" if self.high is None else f"{self.high:g}"
        return f"[{low}, {high}]"


def param(
    default: Any,
    low: float | None = None,
    high: float | None = None,
    *,
    unit: str = "-",
    doc: str,
    source: str = "assumption",
    role: str | None = None,
) -> Any:
    """A dataclass field with its range, unit, one-line description, source and role
    (one of ROLES; by default the role of the enclosing `group`)."""
    if role is not None and role not in ROLES:
        raise ValueError(f"role {role!r} is not one of {ROLES}")
    meta = Meta(unit=unit, low=low, high=high, doc=doc, source=source, role=role)
    if isinstance(default, (list, dict)) or dataclasses.is_dataclass(default):
        factory = default if callable(default) else (lambda d=default: _copy(d))
        return field(default_factory=factory, metadata={"jiceng": meta})
    return field(default=default, metadata={"jiceng": meta})


def group(factory: Any, *, doc: str, role: str | None = None) -> Any:
    """A nested config group (a dataclass) with a description and the default role of
    its parameters."""
    if role is not None and role not in ROLES:
        raise ValueError(f"role {role!r} is not one of {ROLES}")
    return field(default_factory=factory, metadata={"jiceng_group": doc, "jiceng_role": role})


def _copy(value: Any) -> Any:
    import copy

    return copy.deepcopy(value)


def iter_params(
    obj: Any, prefix: str = "", role: str | None = None
) -> Iterator[tuple[str, Any, Meta | None]]:
    """Yield (dotted name, value, meta) for every leaf field of a config dataclass tree;
    each meta carries its resolved role (its own, else its nearest group's)."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        name = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            yield from iter_params(value, name + ".", f.metadata.get("jiceng_role") or role)
        else:
            meta = f.metadata.get("jiceng")
            if meta is not None and meta.role is None:
                meta = dataclasses.replace(meta, role=role or "control")
            yield name, value, meta


def iter_schema(cls: Any, prefix: str = "") -> Iterator[tuple[str, Any, Meta | None]]:
    """Yield (dotted name, default, meta) for every leaf of a config class's defaults."""
    yield from iter_params(cls(), prefix)


def check_ranges(obj: Any) -> None:
    """Raise ConfigError naming the first value that is not finite or is outside its range.

    NaN and infinities are refused first: NaN compares false with every bound, so a range
    check alone lets it through and a mechanism silently computes with it.
    """
    for name, value, meta in iter_params(obj):
        if isinstance(value, (bool, str, enum.Enum, list, dict)) or value is None:
            continue
        allowed = f"allowed {meta.range_text()} ({meta.unit})" if meta else "allowed: any number"
        if not math.isfinite(value):
            raise ConfigError(
                f"{name}={value!r} is not a finite number: {allowed}; "
                f"set {name} to a finite value in that range"
            )
        if meta is None:
            continue
        if (meta.low is not None and value < meta.low) or (
            meta.high is not None and value > meta.high
        ):
            raise ConfigError(
                f"{name}={value!r} is out of range: {allowed}; set {name} to a value in that range"
            )
