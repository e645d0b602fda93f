"""`jiceng-app` refuses bad input in one line, before any server starts."""

from __future__ import annotations

import socket

from sim.dashboard.cli import main


def test_a_port_in_use_is_one_line_naming_the_fix(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["--port", str(port)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert f"port {port} on 127.0.0.1 is in use; pass --port with a free port" in err


def test_an_unknown_scenario_is_one_line_with_the_close_name(capsys):
    assert main(["--port", "0", "--scenario", "chengdu2014"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "did you mean chengdu_2014?" in err


def test_a_world_too_big_for_the_dashboard_is_refused(capsys):
    assert main(["--port", "0", "--communities", "5000"]) == 2
    assert "outside the dashboard's range 1..100" in capsys.readouterr().err
