"""Calibration targets, each with its source, kind and uncertainty, and a check against them.

    python -m sim.calibration --scenario chengdu_2014 --seeds 10

runs the scenario (after its burn-in) over several seeds and prints each target's mean,
range across seeds and verdict. Every pattern target is an emergent quantity: none equals,
or follows in closed form from, an input parameter (`docs/ODD.md` §7 says which parameters
drive which target). A target's interval is its documented uncertainty: the calibration
(`jiceng-calibrate`) reads it as the target's midpoint +- 2 standard errors. `kind` says
what the target constrains: a `level`, a `gradient` across groups, or a `contrast` between
groups or scenarios. Facts of the seed that are inputs, not outcomes (654 communities,
13,595 courtyards, the social group : private non-enterprise unit mix of new
organisations), are checked as structure (`STRUCTURE`, `tests/test_calibration.py`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

SEED = (
    "Social Governance Innovation Development Report (2014), Chengdu chapter (社会治理创新"
    "发展报告(2014), 成都市基层治理)"
)
XINHUA_2010 = (
    "Xinhua, 'New law to make conflict-solving neighborhood issue', China Daily online, "
    "22 June 2010 (Minister of Justice Wu Aiying to the NPC Standing Committee: 7.67 million "
    "disputes mediated in 2009, 97.2% resolved, 'only 1 percent went on to litigation')"
)
WHITE_PAPER_2012 = (
    "Information Office of the State Council, 'Judicial Reform in China' (white paper), "
    "October 2012, section 'Establishing Multiple Dispute Resolution Mechanisms': 8.935 "
    "million disputes mediated in 2011, 96.9% resolved"
)
SICHUAN_DAILY_2014 = (
    "Sichuan Daily (四川日报, Yang Jinzhong and Ran Qianting), '大调解微创新 植入专人化纠纷', "
    "Nov 2014, citing the Chengdu grand-mediation office: Jan-Sep 2014, 24,940 disputes, "
    "97.33% settled"
)
SICHUAN_DAILY_2012 = (
    "Sichuan Daily (四川日报), '四川新增10万个基层调解室 大调解网络覆盖达96%', republished "
    "on www.gov.cn, 22 April 2012: 927,230 disputes in 2011, 83.6% settled; civil disputes "
    "(marriage and family, neighbours, damages; 45% of the total) 93.9%"
)
SUNS = (
    "Shanghai Urban Neighborhood Survey (SUNS, Shanghai University; PIs Wu Xiaogang and Sun "
    "Xiulin; first wave 2017), as reported in 《嬗变中的上海:民生发展与社会治理》, ch. 5, "
    "section 三(一), Figure 5-13 (N = 6,581): 47.89% voted in the last residents' committee "
    "election; 13.77% of 18-29s vs 77.74% of 70-79s; 65.09% of party members vs 48.36% of "
    "'masses' (the volume's editors and publisher could not be confirmed)"
)
NBS_2012 = (
    "National Bureau of Statistics, China Statistical Yearbook 2012, Table 23-9 (civil "
    "disputes mediated, by type): 8,418,393 (2010) and 8,935,341 (2011); population "
    "1,347 million (2011)"
)
CCTV_2010 = (
    "CCTV Xinwen Lianbo, 22 March 2010: in 2009, the first year of grand mediation, Sichuan "
    "mediated 527,000 disputes and litigation-related petitions fell 47.3%"
)


@dataclass(frozen=True)
class Target:
    """A documented pattern the model should reproduce.

    `value(summary)` reads a run's `summary.json`; a `contrast` against another scenario
    (`versus`) reads both: `value(summary, versus_summary)`. `[low, high]` is the documented
    uncertainty interval of the source figure.
    """

    name: str
    low: float
    high: float
    kind: str  # "level", "gradient" or "contrast"
    source: str
    uncertainty: str
    value: Callable[..., float]
    versus: str | None = None

    def holds(self, x: float) -> bool:
        return bool(self.low <= x <= self.high)

    @property
    def centre(self) -> float:
        return 0.5 * (self.low + self.high) if np.isfinite(self.high) else self.low


def _key(name: str) -> Callable[[dict[str, Any]], float]:
    return lambda s: float(s[name])


PATTERNS: tuple[Target, ...] = (
    Target(
        "peoples_mediation_success",
        0.95,
        0.98,
        "level",
        f"{XINHUA_2010}; {WHITE_PAPER_2012}; {SICHUAN_DAILY_2014}",
        "official self-reported rates, 96.9-97.3% in 2009-2014; +-1.5 points for definitions "
        "(what counts as mediated and as settled)",
        _key("peoples_mediation_success"),
    ),
    Target(
        "litigation_share_of_mediated",
        0.005,
        0.03,
        "level",
        XINHUA_2010,
        "'about 1%', denominator not stated (all mediated or failed ones): a factor of 3 "
        "either way",
        _key("litigation_share_of_mediated"),
    ),
    Target(
        "peoples_mediation_per_10k_year",
        40.0,
        120.0,
        "level",
        f"{NBS_2012} (66 per 10,000 people a year nationally, 2011); {SICHUAN_DAILY_2012} "
        "(about 115 per 10,000 in Sichuan's whole grand-mediation system, 2011)",
        "national to provincial range; urban disputes are mediated less often than rural "
        "ones (Read and Michelson 2008, Journal of Conflict Resolution 52(5): 737-764)",
        _key("peoples_mediation_per_10k_year"),
    ),
    Target(
        "grassroots_mediation_share",
        0.90,
        1.0,
        "level",
        "Luo Gan on Jiangsu's grand mediation, Dec 2004 (Jiangsu High People's Court site, "
        "jsfy.gov.cn/article/59778): 'more than 90% of disputes resolved at the grassroots'",
        "a political remark, not a statistic, and its 'grassroots' includes street level: "
        "a floor only",
        _key("grassroots_mediation_share"),
    ),
    Target(
        "participation_rate",
        0.40,
        0.56,
        "level",
        SUNS,
        "voting in the last committee election (47.9%) is a narrower act than taking part "
        "in community affairs in the past year; Shanghai, not Chengdu: +-8 points",
        _key("participation_rate"),
    ),
    Target(
        "participation_age_gradient",
        3.0,
        9.0,
        "gradient",
        SUNS,
        "ratio 5.65 of 70-79s to 18-29s; small cells and the definitional gap: 3 to 9",
        lambda s: (
            float(s["participation_age_70_79"]) / max(float(s["participation_age_18_29"]), 1e-9)
        ),
    ),
    Target(
        "participation_party_gap",
        0.05,
        0.30,
        "contrast",
        f"{SUNS}; lower bound from Wang and Sun (2017), 'Social Class and Voter Turnout in "
        "China', Political Research Quarterly 70(2), who find no party-member effect on "
        "urban turnout",
        "gap 0.167 against 'masses'; other surveys find none: 0.05 to 0.30",
        lambda s: float(s["participation_party"]) - float(s["participation_non_party"]),
    ),
    Target(
        "social_orgs_per_10k",
        4.3,
        5.3,
        "level",
        f"{SEED}: 7,059 registered organisations, 4.8 per 10,000 people (July 2013)",
        "a registered stock on an uncertain population base: +-0.5",
        _key("social_orgs_per_10k"),
    ),
    Target(
        "civil_mediation_advantage",
        0.05,
        0.30,
        "gradient",
        SICHUAN_DAILY_2012,
        "93.9% for civil disputes vs 75.2% for the rest (derived from 83.6% overall and a "
        "45% civil share), Sichuan 2011, all mediation tiers: gap 0.19, +-0.1",
        lambda s: float(s["mediation_success_civil"]) - float(s["mediation_success_other"]),
    ),
    Target(
        "grand_mediation_petition_ratio",
        0.4,
        0.95,
        "contrast",
        CCTV_2010,
        "an official claim for the launch year (-47%) and for litigation-related petitions "
        "only: petitions with grand mediation / without, 0.4 to 0.95",
        lambda s, v: float(s["petitions"]) / max(float(v["petitions"]), 1e-9),
        versus="no_grand_mediation",
    ),
)

STRUCTURE = {
    "communities": (654, f"{SEED}: 654 urban communities"),
    "courtyards": (13_595, f"{SEED}: 13,595 residential courtyards"),
    "group_to_pnu": (
        2597 / 4462,
        f"{SEED}: 2,597 social groups : 4,462 private non-enterprise units (input: the mix "
        "of new organisations)",
    ),
}


def target_values(
    target: Target,
    summaries: Sequence[dict[str, Any]],
    versus: Sequence[dict[str, Any]] | None = None,
) -> np.ndarray:
    """The target's value in each run (paired by position with `versus` for contrasts)."""
    if target.versus is None:
        return np.array([target.value(s) for s in summaries])
    if versus is None:
        raise ValueError(f"{target.name} needs runs of {target.versus} on the same seeds")
    return np.array([target.value(s, v) for s, v in zip(summaries, versus, strict=True)])


def evaluate(
    summaries: Sequence[dict[str, Any]],
    versus: dict[str, Sequence[dict[str, Any]]] | None = None,
    targets: Sequence[Target] = PATTERNS,
) -> list[dict[str, Any]]:
    """Each target over the runs: mean, min, max across seeds and whether the mean lies
    in the target range. `versus[name]` holds the same seeds' runs of scenario `name`."""
    rows = []
    for target in targets:
        other = (versus or {}).get(target.versus) if target.versus else None
        if target.versus and other is None:
            continue
        values = target_values(target, summaries, other)
        mean = float(np.nanmean(values))
        rows.append(
            {
                "target": target.name,
                "kind": target.kind,
                "low": target.low,
                "high": target.high,
                "mean": mean,
                "min": float(np.nanmin(values)),
                "max": float(np.nanmax(values)),
                "ok": target.holds(mean),
                "source": target.source,
            }
        )
    return rows


def _summary(job: tuple[str, int, int]) -> dict[str, Any]:
    from sim.run import run

    scenario, seed, communities = job
    size: dict[str, Any] = {"world.communities": communities}
    return run(scenario=scenario, seed=seed, **size).summary


def main(argv: Sequence[str] | None = None) -> int:
    from concurrent.futures import ProcessPoolExecutor

    ap = argparse.ArgumentParser(description="Check a scenario against the calibration targets.")
    ap.add_argument("--scenario", default="chengdu_2014")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--communities", type=int, default=20)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    names = [args.scenario, *sorted({t.versus for t in PATTERNS if t.versus})]
    jobs = [(n, s, args.communities) for n in names for s in range(args.seeds)]
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(_summary, jobs))
    by: dict[str, Sequence[dict[str, Any]]] = {
        n: results[i * args.seeds : (i + 1) * args.seeds] for i, n in enumerate(names)
    }
    rows = evaluate(by[args.scenario], by)
    print(f"{args.scenario}, {args.seeds} seeds, {args.communities} communities, after burn-in")
    for r in rows:
        verdict = "ok  " if r["ok"] else "MISS"
        print(
            f"{verdict} {r['target']:32s} {r['kind']:9s} mean {r['mean']:.4f} "
            f"[{r['min']:.4f}, {r['max']:.4f}] target [{r['low']:g}, {r['high']:g}]"
        )
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
