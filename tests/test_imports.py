"""Start-up imports only what a command needs, and the API's names stay what they say."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("matplotlib", "pyabc", "ema_workbench", "SALib")


def _loaded(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize("module", ["sim", "sim.cli", "sim.io", "sim.sweep", "sim.report.cli"])
def test_a_command_does_not_import_what_it_does_not_use(module: str) -> None:
    loaded = _loaded(f"import {module}")
    assert not [m for m in HEAVY if m in loaded], module


def test_io_never_imports_matplotlib_even_after_writing_a_run() -> None:
    code = (
        "import tempfile, pathlib\n"
        "from sim.io import write_run\nfrom sim.run import run\n"
        "r = run(scenario='chengdu_2014', seed=0, steps=2, burn_in=0, "
        "**{'world.communities': 1})\n"
        "write_run(r, pathlib.Path(tempfile.mkdtemp()))"
    )
    assert "matplotlib" not in _loaded(code)


def test_api_names_are_the_functions_whichever_module_came_first() -> None:
    code = (
        "import sim.run, sim.sweep, sim.calibrate\n"
        "import sim\nfrom sim import calibrate, run, sweep\n"
        "assert all(callable(f) for f in (run, sweep, calibrate, sim.run, sim.sweep))"
    )
    _loaded(code)
