"""`jiceng-calibrate NAME [--out DIR] [overrides...]`: run or resume a calibration.

Bad input (an unknown NAME, a lever among the free parameters, a prior outside the schema,
an unwritable or finished --out, a corrupt history) is one line naming the problem and the
fix, exit code 2, and nothing already written is touched. Interrupted (Ctrl-C), it says how
to resume: the same command continues from the last finished generation.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from sim.params import ConfigError

EXIT_USAGE, EXIT_INTERRUPTED = 2, 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="jiceng-calibrate",
        description="Calibrate a scenario by ABC-SMC against the documented targets.",
        epilog="Overrides set keys of the calibration file: population=20 seed=3 "
        "set.world.communities=2 parameters.participation.intercept.high=-4",
    )
    p.add_argument("name", help="a calibration file experiments/NAME.yaml (or a path to one)")
    p.add_argument("overrides", nargs="*", help="key=value changes to the calibration file")
    p.add_argument("--out", type=Path, help="the calibration folder (default calibrations/NAME)")
    p.add_argument(
        "--install",
        action="store_true",
        help="also copy the calibrated scenario into scenarios/ (jiceng scenario=... finds it)",
    )
    p.add_argument(
        "--draw",
        type=int,
        help="write particle DRAW of the final population as the scenario, not the medians",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    from sim.calibrate import calibrate
    from sim.report.tables import to_markdown

    args = parser().parse_intermixed_args(list(sys.argv[1:] if argv is None else argv))
    try:
        result = calibrate(
            args.name, args.out, args.overrides, install=args.install, draw=args.draw
        )
    except ConfigError as exc:
        print(f"jiceng-calibrate: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        out = args.out or f"calibrations/{Path(args.name).stem}"
        print(
            f"\njiceng-calibrate: interrupted; finished generations are kept in {out}/history.db; "
            "resume with the same command",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    cols = ["parameter", "median", "ci90_low", "ci90_high", "prior_low", "prior_high"]
    print(to_markdown(result.summary[cols]), end="")
    held = result.validation
    if not held.empty and not result.predictive.empty:
        print()
        print(to_markdown(held[["target", "low", "high", "predictive_median", "covered"]]), end="")
    print(
        f"-> {result.folder} ({result.wall_time:.0f} s, config {result.config_hash}); "
        f"calibrated scenario {result.scenario}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
