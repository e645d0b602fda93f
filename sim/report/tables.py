"""Render result tables as CSV, Markdown and LaTeX (booktabs) without extra dependencies.

Markdown and LaTeX are hand-rolled so reports need neither ``tabulate`` nor ``jinja2``.
Files are written atomically so a crashed or concurrent report never leaves half a table.
"""

from __future__ import annotations

import math
import os
from numbers import Integral, Real
from pathlib import Path

import pandas as pd

from sim.files import write_text

MISSING = "NA"
"""How missing values (None, NaN, pd.NA) appear in Markdown and LaTeX."""

_LATEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def format_cell(value: object, floatfmt: str = ".3g") -> str:
    """Text for one cell: integers exactly, other reals with ``floatfmt``, missing as NA."""
    if value is None or value is pd.NA or value is pd.NaT:
        return MISSING
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Integral):
        return str(int(value))
    if isinstance(value, Real):
        number = float(value)
        return MISSING if math.isnan(number) else format(number, floatfmt)
    return str(value)


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _cells(df: pd.DataFrame, floatfmt: str) -> list[list[str]]:
    return [[format_cell(v, floatfmt) for v in row] for row in df.itertuples(index=False)]


def to_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` (without its index) as CSV at full precision, atomically."""
    target = Path(path)
    write_text(target, df.to_csv(index=False))
    return target


def _escape_markdown(text: str) -> str:
    return text.replace("|", r"\|").replace("\n", " ")


def to_markdown(df: pd.DataFrame, floatfmt: str = ".3g") -> str:
    """GitHub pipe table; numeric columns are right-aligned."""
    header = [_escape_markdown(str(c)) for c in df.columns]
    rule = ["---:" if _is_numeric(df[c]) else "---" for c in df.columns]
    body = [[_escape_markdown(cell) for cell in row] for row in _cells(df, floatfmt)]
    lines = ["| " + " | ".join(row) + " |" for row in [header, rule, *body]]
    return "\n".join(lines) + "\n"


def escape_latex(text: str) -> str:
    """Escape LaTeX special characters so arbitrary labels compile in text mode."""
    return "".join(_LATEX_ESCAPES.get(ch, ch) for ch in text)


def to_latex_booktabs(
    df: pd.DataFrame,
    floatfmt: str = ".3g",
    caption: str | None = None,
    label: str | None = None,
) -> str:
    """A ``table`` float holding a booktabs ``tabular`` (\\toprule/\\midrule/\\bottomrule)."""
    align = "".join("r" if _is_numeric(df[c]) else "l" for c in df.columns)
    header = " & ".join(escape_latex(str(c)) for c in df.columns) + r" \\"
    body = [" & ".join(escape_latex(cell) for cell in row) + r" \\" for row in _cells(df, floatfmt)]
    lines = [r"\begin{table}[htbp]", r"\centering"]
    if caption is not None:
        lines.append(rf"\caption{{{escape_latex(caption)}}}")
    if label is not None:
        lines.append(rf"\label{{{label}}}")
    lines += [rf"\begin{{tabular}}{{{align}}}", r"\toprule", header, r"\midrule", *body]
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return "\n".join(lines) + "\n"


def write_table(
    df: pd.DataFrame,
    stem: str | os.PathLike[str],
    *,
    floatfmt: str = ".3g",
    caption: str | None = None,
    label: str | None = None,
) -> dict[str, Path]:
    """Write ``stem.csv``, ``stem.md`` and ``stem.tex``; returns ``{"csv"|"md"|"tex": path}``.

    Suffixes are appended to the stem's name (a dotted stem such as ``t.v1`` keeps its dot).
    """
    base = Path(stem)
    paths = {ext: base.with_name(f"{base.name}.{ext}") for ext in ("csv", "md", "tex")}
    to_csv(df, paths["csv"])
    write_text(paths["md"], to_markdown(df, floatfmt))
    write_text(paths["tex"], to_latex_booktabs(df, floatfmt, caption=caption, label=label))
    return paths
