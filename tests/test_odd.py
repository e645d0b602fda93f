"""The ODD document (docs/ODD.md) is complete and its generated tables are up to date."""

from __future__ import annotations

import enum
import re
from pathlib import Path

import pytest

from sim import odd
from sim.config import DISPUTE_KINDS, TIERS, SimConfig
from sim.params import ROLES, iter_params

ROOT = Path(__file__).resolve().parent.parent
ODD = ROOT / "docs" / "ODD.md"
PROCESSES = ROOT / "sim" / "processes"

ODD_SECTIONS = (
    (1, "Purpose and patterns"),
    (2, "Entities, state variables and scales"),
    (3, "Process overview and scheduling"),
    (4, "Design concepts"),
    (5, "Initialization"),
    (6, "Input data"),
    (7, "Submodels"),
)
DESIGN_CONCEPTS = (
    "Basic principles",
    "Emergence",
    "Adaptation",
    "Objectives",
    "Learning",
    "Prediction",
    "Sensing",
    "Interaction",
    "Stochasticity",
    "Collectives",
    "Observation",
)


@pytest.fixture(scope="module")
def text() -> str:
    return ODD.read_text(encoding="utf-8")


def headings(text: str, level: int) -> list[str]:
    marks = "#" * level
    return [m.group(1).strip() for m in re.finditer(rf"^{marks} (.+)$", text, re.M)]


def section(text: str, number: int) -> str:
    """The body of top-level section `number` (from its heading to the next `## `)."""
    m = re.search(rf"^## {number}\. .*$", text, re.M)
    assert m, f"docs/ODD.md has no section '## {number}. ...'"
    rest = text[m.end() :]
    nxt = re.search(r"^## ", rest, re.M)
    return rest[: nxt.start()] if nxt else rest


def table_rows(table: str) -> dict[str, list[list[str]]]:
    """Parameter name -> the cells of every row naming it (pipes inside cells are escaped)."""
    rows: dict[str, list[list[str]]] = {}
    for line in table.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        rows.setdefault(cells[0].strip("`"), []).append(cells)
    return rows


# ---------------------------------------------------------------- the generated block


def test_parameter_table_in_odd_is_up_to_date(text: str) -> None:
    assert odd.block(text, odd.BEGIN, odd.END) == odd.parameter_table(), (
        "docs/ODD.md parameter table is out of date; run python -m sim.odd"
    )


def test_scenario_table_in_odd_is_up_to_date(text: str) -> None:
    assert odd.block(text, odd.SCENARIO_BEGIN, odd.SCENARIO_END) == odd.scenario_table(), (
        "docs/ODD.md scenario table is out of date; run python -m sim.odd"
    )


def test_every_parameter_appears_once_with_unit_range_and_source() -> None:
    rows = table_rows(odd.parameter_table())
    params = list(iter_params(SimConfig()))
    assert len(params) > 100
    for name, value, meta in params:
        assert meta is not None, f"{name} is declared without param(...) in sim/config.py"
        assert len(rows.get(name, [])) == 1, f"{name} appears {len(rows.get(name, []))} times"
        _, role, unit, rng, default, doc, source = rows[name][0]
        assert role == meta.role and role in ROLES, name
        assert unit == " ".join(meta.unit.split()), name
        assert source == " ".join(meta.source.split()), name
        assert doc == " ".join(meta.doc.split()), name
        assert default, name
        if isinstance(value, enum.Enum):
            assert [v.strip() for v in rng.split(",")] == [m.value for m in type(value)], name
        elif isinstance(value, bool):
            assert rng == "true, false", name
        elif isinstance(value, (int, float)):
            m = re.match(r"\[(\S+), (\S+)\]", rng)
            assert m, f"{name}: range {rng!r} is not an interval"
            for bound, got in ((meta.low, m.group(1)), (meta.high, m.group(2))):
                want = float("inf") if bound is None else float(bound)
                if bound is None and got == "-inf":
                    continue
                assert float(got) == pytest.approx(want, rel=1e-12), name
            assert rng.endswith("integer") == isinstance(value, int), name
    assert "assumption" in {r[0][6] for r in rows.values()}


def test_nested_kinds_and_tiers_have_dotted_names() -> None:
    rows = table_rows(odd.parameter_table())
    for kind in DISPUTE_KINDS:
        assert f"disputes.{kind}.share" in rows
    for tier in TIERS:
        assert f"mediation.{tier}.servers" in rows
    assert "timeline[].set" in rows


def test_one_table_per_group_in_schema_order() -> None:
    keys = [s.key for s in odd.sections()]
    assert keys[0] == odd.RUN_GROUP
    for group in ("world", "disputes", "mediation", "participation", "trust", "migration"):
        assert group in keys
    assert "output" in keys
    policy = [k for k in keys if k.startswith("policy.")]
    assert {"policy.party", "policy.grid", "policy.councils", "policy.social_orgs"} <= set(policy)
    run = {r.name for r in odd.sections()[0].rows}
    assert {"seed", "steps", "timeline"} <= run


def test_generation_is_deterministic() -> None:
    assert odd.parameter_table() == odd.parameter_table()
    assert odd.scenario_table() == odd.scenario_table()


def test_check_flags_a_stale_file_and_main_repairs_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = ODD.read_text(encoding="utf-8")
    stale = odd.replace_block(good, odd.BEGIN, odd.END, "| stale |\n")
    path = tmp_path / "ODD.md"
    path.write_text(stale, encoding="utf-8")
    assert odd.main(["--check", "--path", str(path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].endswith(
        "parameter table is out of date; run python -m sim.odd"
    )
    assert odd.main(["--path", str(path)]) == 0
    repaired = path.read_text(encoding="utf-8")
    assert repaired == odd.render(good)
    assert odd.main(["--check", "--path", str(path)]) == 0
    assert odd.main(["--path", str(path)]) == 0 and path.read_text(encoding="utf-8") == repaired


def test_missing_markers_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "ODD.md"
    path.write_text("# no markers\n", encoding="utf-8")
    assert odd.main(["--check", "--path", str(path)]) == 2


def test_pipes_in_text_are_escaped() -> None:
    assert odd.cell("a | b\n c") == "a \\| b c"


# ---------------------------------------------------------------- the document


def test_odd_has_the_seven_sections_in_order(text: str) -> None:
    found = headings(text, 2)
    positions = []
    for number, title in ODD_SECTIONS:
        want = f"{number}. {title}"
        assert want in found, f"docs/ODD.md lacks the section '## {want}'"
        positions.append(found.index(want))
    assert positions == sorted(positions)


def test_design_concepts_and_odd_d_decision_making(text: str) -> None:
    concepts = section(text, 4)
    subs = " ".join(headings(concepts, 3))
    for concept in DESIGN_CONCEPTS:
        assert concept in subs, f"design concept '{concept}' missing in section 4"
    assert "Individual decision-making (ODD+D)" in subs
    body = concepts.split("Individual decision-making (ODD+D)", 1)[1]
    for topic in ("Bounded rationality", "Participation decision", "After a failure", "Bypass"):
        assert topic in body, f"ODD+D decision-making lacks '{topic}'"


def test_every_process_module_is_described_in_submodels(text: str) -> None:
    submodels = " ".join(headings(section(text, 7), 3))
    modules = sorted(p.stem for p in PROCESSES.glob("*.py") if p.stem != "__init__")
    assert modules
    missing = [m for m in modules if f"`{m}`" not in submodels]
    assert not missing, f"sim/processes modules without a Submodels subsection: {missing}"


def test_scheduling_follows_the_model_docstring(text: str) -> None:
    from sim import processes

    doc = processes.__doc__ or ""
    steps = re.findall(r"^\s*(\d+)\. ", doc, re.M)
    schedule = section(text, 3)
    numbered = re.findall(r"^(\d+)\. \*\*", schedule, re.M)
    assert steps and numbered == steps, (
        "section 3 must list the same steps as sim/processes/__init__.py"
    )


def _documented(name: str, prose: str) -> bool:
    parts = name.split(".")
    generic = ".".join(
        "<kind>" if p in DISPUTE_KINDS and i == 1 and parts[0] == "disputes" else p
        for i, p in enumerate(parts)
    )
    generic = ".".join(
        "<tier>" if p in TIERS and i == 1 and parts[0] == "mediation" else p
        for i, p in enumerate(generic.split("."))
    )
    return any(re.search(rf"`{re.escape(n)}[`=]", prose) for n in (name, generic))


def test_every_model_parameter_is_named_in_the_prose(text: str) -> None:
    """Every parameter that drives the model is named (dotted) outside the generated table,
    so the submodels say where it acts; run-control fields are exempt."""
    prose = text.split(odd.BEGIN, 1)[0]
    prose = odd.replace_block(prose, odd.SCENARIO_BEGIN, odd.SCENARIO_END, "")
    exempt = {"seed", "steps", "scenario", "description", "basis", "timeline"}
    missing = [
        name
        for name, _, _ in iter_params(SimConfig())
        if name not in exempt and not name.startswith("output.") and not _documented(name, prose)
    ]
    assert not missing, f"parameters not named in docs/ODD.md sections 1-9: {missing}"


def test_every_scenario_is_in_the_scenario_table(text: str) -> None:
    table = odd.block(text, odd.SCENARIO_BEGIN, odd.SCENARIO_END)
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        assert f"| `{path.stem}` |" in table, f"scenario {path.stem} missing from docs/ODD.md"
