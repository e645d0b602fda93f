"""`jiceng-app`: serve the live dashboard on 127.0.0.1 and print its address.

It checks what it was given before starting anything (a scenario that exists, a world size
in range, a free port), each problem in one line with the fix and exit code 2, then runs
`solara run sim/app.py` in this process, on loopback only, in production mode and with
Solara's network calls off (version check, telemetry, CDN proxy): the machine is offline
and the page must load nothing from outside.
"""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
EXIT_USAGE = 2
OFFLINE = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    "SOLARA_ASSETS_PROXY": "false",
    "SOLARA_ASSETS_FONTAWESOME_ENABLED": "false",
}
"""Solara settings that would otherwise reach the internet (read when Solara imports)."""


class UsageError(Exception):
    """One line naming the problem and the fix."""


def parse(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="jiceng-app",
        description="Serve jiceng's live dashboard on 127.0.0.1 (open the printed address).",
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (0: any free port)")
    p.add_argument("--scenario", default="chengdu_2014", help="scenario to open on")
    p.add_argument("--seed", type=int, default=0, help="seed to open on")
    p.add_argument("--communities", type=int, default=20, help="world size to open on")
    return p.parse_args(list(argv))


def free_port(port: int) -> int:
    """`port` if it can be bound on 127.0.0.1 (any free one for 0), else UsageError."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port} is not a port number; give one in 1..65535 (or 0)")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            s.bind((HOST, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(
                    f"port {port} on {HOST} is in use; pass --port with a free port "
                    "(or --port 0 for any free one)"
                ) from None
            raise UsageError(f"cannot listen on {HOST}:{port}: {exc.strerror}") from None
        return int(s.getsockname()[1])


def check(ns: argparse.Namespace) -> None:
    """Refuse a bad scenario, seed or world size before the server starts."""
    from sim.compose import load_config
    from sim.dashboard.page import MAX_COMMUNITIES
    from sim.params import ConfigError

    if not 1 <= ns.communities <= MAX_COMMUNITIES:
        raise UsageError(
            f"--communities {ns.communities} is outside the dashboard's range 1..{MAX_COMMUNITIES};"
            " give a smaller world (run larger ones with jiceng)"
        )
    try:
        load_config(ns.scenario, {"world.communities": ns.communities, "seed": ns.seed})
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def serve(port: int, ns: argparse.Namespace) -> None:
    for key, value in OFFLINE.items():
        os.environ.setdefault(key, value)
    os.environ["JICENG_APP_SCENARIO"] = ns.scenario
    os.environ["JICENG_APP_SEED"] = str(ns.seed)
    os.environ["JICENG_APP_COMMUNITIES"] = str(ns.communities)
    from solara.__main__ import run as solara_run

    app = str(Path(__file__).resolve().parent.parent / "app.py")
    print(f"jiceng-app: serving the dashboard at http://{HOST}:{port}/ (Ctrl-C stops it)")
    sys.stdout.flush()
    args = [app, "--host", HOST, "--port", str(port), "--no-open", "--production"]
    solara_run.main(args=[*args, "--no-check-version"], prog_name="jiceng-app")


def main(argv: Sequence[str] | None = None) -> int:
    ns = parse(sys.argv[1:] if argv is None else argv)
    try:
        port = free_port(ns.port)
        check(ns)
    except UsageError as exc:
        print(f"jiceng-app: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        serve(port, ns)
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
