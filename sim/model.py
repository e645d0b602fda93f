"""GovernanceModel: builds the world and runs the processes in a fixed, documented order.

Step order (one step = one week; step t covers [t, t+1)):
  1. reforms due this week switch on (timeline scenarios);
  2. floating residents leave and newcomers arrive; registrations come through;
  3. grievance fades toward its baseline;
  4. residents decide whether to take part in community affairs;
  5. collective issues arise; quorate councils deliberate, decide and carry out; issues
     left too long turn into property disputes;
  6. disputes arise; early detection sets when each enters the ladder;
  7. the ladder advances every tier in order, so escalations flow on within the week;
  8. outcomes update the parties' grievance and trust;
  9. social organisations fail, are born and (every `trust.interval` weeks) serve;
 10. every `trust.interval` weeks trust and grievance spread on ties, council legitimacy
     pulls trust in the committee; each week the online channel and its monitoring run;
 11. the week's government cost is booked; reporters are collected.
No file I/O happens here (see sim.io).
"""

from __future__ import annotations

import copy
import time
from typing import Any

import mesa
import numpy as np

from sim import capacity, metrics
from sim.agents import (
    Court,
    GrandMediationCentre,
    GridWorker,
    MediationCommittee,
    PartyBranch,
    PetitionOffice,
    Resident,
    ResidentsCommittee,
    ServiceStation,
)
from sim.compose import load_config
from sim.config import GRAND_CENTRES, TIERS, SimConfig, reform_configs, validate
from sim.ledger import N_ROUTES, OPEN, Ledger
from sim.network import build_graph
from sim.population import INSTITUTIONS, NEVER, Population, beta_mean, build_population
from sim.processes import government, migration, outcomes, participation, trust
from sim.processes.councils import Councils, CouncilTally
from sim.processes.detection import ONLINE, detect
from sim.processes.disputes import arise
from sim.processes.ladder import COMMUNITY, COURTYARD, GRAND, Ladder, kind_bias
from sim.processes.social_orgs import OrgSector, OrgTally
from sim.rng import fresh_seed, streams, weekly
from sim.world import build_world


def _seed_from(rng: Any, default: int | None) -> int:
    if rng is None:
        return default if default is not None else fresh_seed()
    if isinstance(rng, (int, np.integer)):
        return int(rng)
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63 - 1))
    raise TypeError(f"rng must be an int seed, a numpy Generator or None, not {type(rng)}")


def largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Unit index of each of `total` items shared in proportion to `weights` (exact total)."""
    quota = weights / max(weights.sum(), 1) * total
    counts = np.floor(quota).astype(np.int64)
    short = total - int(counts.sum())
    counts[np.argsort(-(quota - counts), kind="stable")[:short]] += 1
    return np.repeat(np.arange(len(weights)), counts)


def unit_sum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Sum of `values` over each unit; residents are stored contiguously by courtyard and
    community (the world is built in nested order and migration reuses slots)."""
    return np.add.reduceat(values, starts[:-1], dtype=np.float64)


def _members(unit_of: np.ndarray, n_units: int) -> tuple[np.ndarray, np.ndarray]:
    """(starts, residents sorted by unit): the residents of unit u are order[starts[u]:...]."""
    counts = np.bincount(unit_of, minlength=n_units)
    starts = np.zeros(n_units + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    return starts, np.argsort(unit_of, kind="stable")


class GovernanceModel(mesa.Model):
    """A street (or city) of residents and institutions; see the module docstring for the
    order of processes.

    `GovernanceModel(scenario="chengdu_2014", rng=1, **{"world.communities": 2})`. With
    `rng=None` the config's `seed` is used when `config` is given, else fresh entropy; the
    seed used is recorded in `self.seed`.
    """

    pop: Population
    people: int
    last: metrics.StepView
    totals: metrics.Totals
    council_tally: CouncilTally
    org_tally: OrgTally
    online_tally: trust.OnlineTally
    org_count: int
    newcomers: int
    participants: int
    cost: float

    def __init__(
        self,
        scenario: str = "chengdu_2014",
        rng: Any = None,
        *,
        config: SimConfig | None = None,
        **overrides: Any,
    ) -> None:
        if config is None:
            config = load_config(scenario, overrides)
            seed = _seed_from(rng, None)
        else:
            seed = _seed_from(rng, config.seed)
            validate(config)  # a hand-made config meets every rule load_config checks
        config.seed = seed
        super().__init__(rng=seed)
        self.input_cfg = copy.deepcopy(config)  # what the run was asked for (provenance)
        self.cfg = config  # what is in force now (timeline reforms replace it)
        self.seed = seed
        self.week = -config.burn_in - 1  # the week last simulated; burn-in weeks are < 0
        self.scenario_name = config.scenario
        self.streams = streams(seed)
        self.reforms = reform_configs(config)
        self.reforms_applied: list[dict[str, Any]] = []
        capacity.check(config)  # refuse, in one line, a world that would not fit in memory
        self._build()
        self._burn_in()
        self.datacollector = mesa.DataCollector(model_reporters=metrics.REPORTERS)
        self.panel: list[dict[str, np.ndarray]] = []
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ build

    def _build(self) -> None:
        cfg, rs = self.cfg, self.streams
        w = self.world = build_world(cfg.world, rs["world"])
        self.pop = build_population(cfg.world, w, rs["population"], cfg.trust.online_share)
        self.graph = build_graph(cfg.world, self.pop.household, self.pop.courtyard, rs["network"])
        pop, n = self.pop, self.pop.n
        self.people = pop.people  # persons (adults and children): densities divide by them
        self.court_n = np.bincount(pop.courtyard, minlength=w.n_courtyards)
        self.comm_n = np.bincount(pop.community, minlength=w.n_communities)
        self.comm_people = pop.community_people.astype(np.float64)  # persons per community
        self.crowding = (self.court_n / max(self.court_n.mean(), 1e-9)).astype(np.float32)
        self.courtyard_members = _members(pop.courtyard, w.n_courtyards)
        self.community_members = _members(pop.community, w.n_communities)
        assert np.all(np.diff(pop.courtyard) >= 0), "residents must be stored by courtyard"
        self.floating_idx = np.flatnonzero(pop.floating)
        self.online_idx = np.flatnonzero(pop.online)
        self.group_code = pop.group_code()
        self.group_n = np.bincount(self.group_code, minlength=metrics.N_GROUPS)
        self.court_floating = np.bincount(
            pop.courtyard, weights=pop.floating, minlength=w.n_courtyards
        )
        # Fixed per-unit uniforms: coverage and capacity variants add units monotonically.
        cap = rs["capacity"]
        self.unit_uniforms = {
            "building": cap.random(w.n_buildings),
            "courtyard": cap.random(w.n_courtyards),
            "community": cap.random(w.n_communities),
        }
        units = max(w.n_courtyards, w.n_communities, len(GRAND_CENTRES))
        capacity_uniforms = {name: cap.random(units) for name in TIERS}
        council_u = (cap.random(w.n_courtyards), cap.random(w.n_communities))
        self.ledger = Ledger()
        self.ladder = Ladder(
            cfg.mediation,
            self.ledger,
            pop,
            {
                "courtyard": w.n_courtyards,
                "community": w.n_communities,
                "street": w.n_streets,
                "city": 1,
            },
            capacity_uniforms,
            kind_bias(cfg.disputes),
            people=self.people,
        )
        self.councils = Councils(w.courtyard_community, *council_u)
        self.orgs = OrgSector(
            self,
            self.community_members,
            w.community_street,
            self.comm_people,
        )
        self.ties = trust.Ties(self.graph)
        self.recent_window = np.zeros((cfg.participation.recent_weeks, w.n_courtyards))
        self.recent_window_floating = np.zeros_like(self.recent_window)
        self.peer_share = np.zeros(n, dtype=np.float32)
        self.pending_registration: tuple[np.ndarray, np.ndarray] = (
            np.empty(0, dtype=np.int64),
            np.empty(0),
        )
        self._settle_floating()
        self.trust_baseline = {name: pop.trust[name].copy() for name in INSTITUTIONS}
        # each resident's own resting grievance (the draw at build, or on arrival)
        self.grievance_baseline = pop.grievance.copy()
        self.risk_levels = (np.inf, np.inf)  # grievance of key / high-risk floating residents
        self.totals = metrics.Totals()
        self.last = metrics.StepView.empty()
        self.council_tally = CouncilTally()
        self.org_tally = OrgTally()
        self.online_tally = trust.OnlineTally()
        self.cost = 0.0
        self.participants = 0
        self.newcomers = 0
        self._apply_policy(initial=True)
        self._settle_councils()
        self._seed_participation()
        if cfg.world.resident_agents:
            self.residents = [Resident(self, i) for i in range(n)]

    def registration_lag(self) -> float:
        """Mean weeks before a newcomer is registered: short under managed registration."""
        cfg = self.cfg
        if cfg.policy.floating.classified:
            return cfg.policy.floating.registration_lag
        return cfg.migration.registration_lag

    def _settle_floating(self) -> None:
        """Start floating residents where the steady flow of arrivals would leave them: each
        arrived a geometric number of weeks ago (weekly leaving chance `turnover`), with a
        newcomer's trust, and is registered once their registration lag has run out."""
        cfg, pop, idx = self.cfg, self.pop, self.floating_idx
        rng, m, start = self.streams["migration"], len(self.floating_idx), self.week + 1
        if cfg.migration.turnover > 0:
            pop.arrival[idx] = start - rng.geometric(cfg.migration.turnover, size=m)
        for name in INSTITUTIONS:
            pop.trust[name][idx] = beta_mean(rng, cfg.migration.newcomer_trust, 10.0, m)
        lag = self.registration_lag()
        due = pop.arrival[idx] + (rng.exponential(lag, size=m) if lag > 0 else np.zeros(m))
        waiting = (due >= start) & (pop.arrival[idx] > NEVER)
        pop.registered[idx[waiting]] = False
        self.pending_registration = (idx[waiting], due[waiting])

    def _seed_participation(self) -> None:
        """Start from the stationary state: who took part in the past year, and when."""
        p = participation.probability(self._logit_now())
        window = self.cfg.participation.window_weeks
        rng = self.streams["participation"]
        took = rng.random(self.pop.n) < 1.0 - (1.0 - p) ** window
        start = self.week + 1
        self.pop.last_part[took] = start - rng.integers(1, window + 1, size=int(took.sum()))
        self._refresh_peers()

    def _apply_policy(self, initial: bool = False) -> None:
        """(Re)derive policy-dependent structure: party branches, councils, mediation,
        grid workers, social-organisation targets, budget and cached decision terms."""
        cfg, w, pop = self.cfg, self.world, self.pop
        for cls in (
            PartyBranch,
            MediationCommittee,
            GrandMediationCentre,
            Court,
            PetitionOffice,
            GridWorker,
            ResidentsCommittee,
            ServiceStation,
        ):
            for agent in list(self.agents_by_type.get(cls, [])):
                agent.remove()
        party = cfg.policy.party
        u = self.unit_uniforms
        self.building_branch = u["building"] < party.building_coverage
        self.courtyard_branch = u["courtyard"] < party.courtyard_coverage
        self.community_branch = u["community"] < party.community_coverage
        for level, present in (
            ("community", self.community_branch),
            ("courtyard", self.courtyard_branch),
            ("building", self.building_branch),
        ):
            for unit in np.flatnonzero(present).tolist():
                PartyBranch(self, unit, level)
        for c in range(w.n_communities):
            ResidentsCommittee(self, c)
            ServiceStation(self, c)
        self.councils.configure(cfg.policy.councils)
        self.budget = government.budget(cfg.policy.government, pop.n)
        self.orgs.configure(cfg.policy.social_orgs, self.week, self.funding_ratio, initial=initial)
        # at build the first week is week + 1; a reform switches on at the start of `week`
        self._refresh_orgs(now=float(self.week + 1 if initial else self.week))
        servers = self.ladder.servers
        for level, j in (("courtyard", COURTYARD), ("community", COMMUNITY)):
            for unit in np.flatnonzero(servers[j]).tolist():
                MediationCommittee(self, unit, level, int(servers[j][unit]))
        for centre in np.flatnonzero(servers[GRAND]).tolist():
            GrandMediationCentre(self, centre, int(servers[GRAND][centre]))
        Court(self, int(servers[TIERS.index("litigation")][0]))
        PetitionOffice(self, int(servers[TIERS.index("petition")][0]))
        self.grid_workers = int(round(cfg.policy.grid.workers_per_10k * self.people / 10_000))
        for c in largest_remainder(self.comm_people, self.grid_workers).tolist():
            GridWorker(self, c)
        self.static_logit = participation.static_logit(pop, cfg.participation, self.building_branch)

    def funding_ratio(self, organisations: float) -> float:
        """Share of organisations' running cost covered with this many organisations."""
        so = self.cfg.policy.social_orgs
        return self.budget.funding_ratio(organisations, so.weekly_cost, so.foundation_grants)

    def _refresh_orgs(self, now: float) -> None:
        """Per-community organisation aggregates, their ties and the mediators they add."""
        count, capacity, mediators = self.orgs.per_community()
        self.orgs_per_1000 = count / np.maximum(self.comm_n, 1) * 1000.0
        self.capacity_per_1000 = capacity / np.maximum(self.comm_n, 1) * 1000.0
        self.org_count = int(count.sum())
        self.funding = self.funding_ratio(self.org_count)
        self.ties.set_extra(self.orgs.tie_edges())
        self.ladder.configure(self.cfg.mediation, extra={COMMUNITY: mediators}, now=now)

    # ------------------------------------------------------------------- step

    def _logit_now(self) -> np.ndarray:
        cfg = self.cfg.participation
        mob = self.cfg.policy.social_orgs.mobilisation * self.orgs_per_1000
        per_courtyard = (
            cfg.efficacy_effect
            * (self.councils.efficacy(self.cfg.participation.no_council_efficacy) - 0.5)
            + mob[self.world.courtyard_community]
        )
        z = self.static_logit + per_courtyard.astype(np.float32)[self.pop.courtyard]
        z += np.float32(cfg.trust_effect) * self.pop.trust["committee"]
        z += np.float32(cfg.peer_effect) * self.peer_share
        return z

    def _recent(self) -> np.ndarray:
        """1.0 for residents who took part in the last `recent_weeks` weeks."""
        return (self.pop.last_part > self.week - self.cfg.participation.recent_weeks).astype(
            np.float32
        )

    def _refresh_peers(self) -> None:
        self.peer_share = self.ties.neighbour_mean(self._recent())

    def _apply_reforms(self, t: int) -> None:
        for reform, cfg in self.reforms:
            if reform.step == t:
                cfg.seed, cfg.steps, cfg.output = self.cfg.seed, self.cfg.steps, self.cfg.output
                self.cfg = cfg
                self.reforms_applied.append(
                    {"step": t, "label": reform.label, "set": dict(reform.set)}
                )
                self._apply_policy()

    def _migrate(self, t: int) -> None:
        cfg, pop = self.cfg, self.pop
        lag = self.registration_lag()
        slots, due = migration.turnover(
            pop,
            self.floating_idx,
            t,
            cfg.migration,
            lag,
            cfg.world.party_member_share,
            self.grievance_baseline,
            cfg.world.initial_grievance,
            self.streams["migration"],
        )
        for name in INSTITUTIONS:  # a newcomer's resting trust is what they arrive with
            self.trust_baseline[name][slots] = pop.trust[name][slots]
        waiting, when = self.pending_registration
        keep = ~np.isin(waiting, slots)
        waiting, when = np.concatenate([waiting[keep], slots]), np.concatenate([when[keep], due])
        now = when < t + 1
        pop.registered[waiting[now]] = True
        self.pending_registration = (waiting[~now], when[~now])
        touched = np.concatenate([slots, waiting[now]])
        if len(touched):
            self.group_n -= np.bincount(self.group_code[slots], minlength=metrics.N_GROUPS)
            self.group_code[slots] = pop.group_code(slots)
            self.group_n += np.bincount(self.group_code[slots], minlength=metrics.N_GROUPS)
            self.static_logit[touched] = participation.static_logit(
                pop, cfg.participation, self.building_branch, touched
            )
        self.newcomers = len(slots)

    def _participate(self, t: int) -> None:
        pop = self.pop
        who = participation.decide(self._logit_now(), self.streams["participation"])
        pop.last_part[who] = t
        self.participants = len(who)
        slot = t % self.recent_window.shape[0]
        nc = self.world.n_courtyards
        self.recent_window[slot] = np.bincount(pop.courtyard[who], minlength=nc)
        self.recent_window_floating[slot] = np.bincount(
            pop.courtyard[who], weights=pop.floating[who], minlength=nc
        )

    def _council_inputs(
        self, recent: np.ndarray, recent_floating: np.ndarray
    ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """(share, representativeness) at (courtyard, community) level from participation
        events per courtyard over the recent weeks (all, and by floating residents).

        share: events per resident; representativeness: the floating share among
        participants relative to that among residents, capped at 1."""
        cc, nc = self.world.courtyard_community, self.world.n_communities
        comm = np.bincount(cc, weights=recent, minlength=nc)
        comm_f = np.bincount(cc, weights=recent_floating, minlength=nc)
        comm_floating = np.bincount(cc, weights=self.court_floating, minlength=nc)

        def rep(part_f: np.ndarray, part: np.ndarray, res_f: np.ndarray, res: np.ndarray) -> Any:
            res_share = res_f / np.maximum(res, 1)
            part_share = part_f / np.maximum(part, 1)
            return np.where(
                res_share > 0, np.minimum(part_share / np.maximum(res_share, 1e-9), 1), 1.0
            )

        share = (recent / np.maximum(self.court_n, 1), comm / np.maximum(self.comm_n, 1))
        reps = (
            rep(recent_floating, recent, self.court_floating, self.court_n),
            rep(comm_f, comm, comm_floating, self.comm_n),
        )
        return share, reps

    def _settle_councils(self) -> None:
        """Start councils, and residents' trust in them, at the stationary state that goes
        with the participation they bring about (rounds of the fixed point, in expectation:
        no draws). Trust in the committee is pulled toward the councils' legitimacy and
        fades toward each resident's resting trust, so it settles at the weighted mean."""
        cfg, pop, nc = self.cfg, self.pop, self.world.n_courtyards
        weeks = cfg.participation.recent_weeks
        pull = min(cfg.trust.legitimacy_pull * cfg.trust.interval, 1.0) / cfg.trust.interval
        decay = cfg.trust.trust_decay
        resting = self.trust_baseline["committee"]
        has = (
            self.councils.has_courtyard
            | self.councils.has_community[self.world.courtyard_community]
        )
        for _ in range(5):
            if pull + decay > 0:
                eff = self.councils.efficacy(cfg.participation.no_council_efficacy)
                settled = (pull * eff[pop.courtyard] + decay * resting) / (pull + decay)
                pop.trust["committee"][:] = np.where(has[pop.courtyard], settled, resting)
            p = participation.probability(self._logit_now())
            recent = np.bincount(pop.courtyard, weights=p * weeks, minlength=nc)
            recent_f = np.bincount(pop.courtyard, weights=p * weeks * pop.floating, minlength=nc)
            share, rep = self._council_inputs(recent, recent_f)
            self.councils.settle_legitimacy(
                share,
                rep,
                (self.courtyard_branch, self.community_branch),
                self.budget.resources_ratio,
                cfg.disputes.issue_patience,
            )
            self.peer_share = self.ties.neighbour_mean((1 - (1 - p) ** weeks).astype(np.float32))

    def _deliberate(self, t: int) -> np.ndarray:
        """Councils' week; returns the courtyards whose issue festered into a dispute."""
        cfg, w = self.cfg, self.world
        rng = self.streams["councils"]
        share, rep = self._council_inputs(
            self.recent_window.sum(axis=0), self.recent_window_floating.sum(axis=0)
        )
        lam = cfg.disputes.issue_rate * (1.0 + self.court_grievance)
        tally = self.councils.step(
            t,
            rng.poisson(lam),
            *share,
            *rep,
            self.courtyard_branch,
            self.community_branch,
            self.budget.resources_ratio,
            cfg.disputes.issue_patience,
            cfg.disputes.community_issue_share,
            rng,
        )
        self.council_tally = tally
        delta = np.zeros(w.n_courtyards, dtype=np.float32)
        np.add.at(delta, tally.implemented_courtyards, -cfg.trust.issue_relief)
        np.add.at(delta, tally.festered_courtyards, cfg.trust.issue_grievance)
        wide = np.zeros(w.n_communities, dtype=np.float32)  # issues of the whole community
        np.add.at(wide, tally.implemented_communities, -cfg.trust.issue_relief)
        np.add.at(wide, tally.festered_communities, cfg.trust.issue_grievance)
        delta += wide[w.courtyard_community]
        if delta.any():
            g = self.pop.grievance
            np.clip(g + delta[self.pop.courtyard], 0, 1, out=g)
        return tally.escalated_courtyards

    def _extra_detection(self, initiators: np.ndarray) -> np.ndarray | None:
        fl = self.cfg.policy.floating
        if not fl.classified:
            return None
        g = self.pop.grievance[initiators]
        key = self.risk_levels[0]
        return fl.key_detection * (g >= key) * self._managed(initiators)

    def _managed(self, idx: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Floating residents under classified management (registered, when it is on)."""
        if not self.cfg.policy.floating.classified:
            return np.zeros(len(self.pop.floating[idx]), dtype=bool)
        return self.pop.floating[idx] & self.pop.registered[idx]

    def _classify_floating(self) -> None:
        """Rank managed floating residents by grievance: the top `key_share` are key persons,
        the top `high_risk_share` high-risk and tracked, whose follow-up visits relieve
        grievance (seed: 一般人口常规管、重点人员重点管、高危人群跟踪管)."""
        fl = self.cfg.policy.floating
        self.risk_levels = (np.inf, np.inf)
        managed = self.floating_idx[self._managed(self.floating_idx)]
        if not len(managed):
            return
        g = self.pop.grievance[managed]
        key, high = np.quantile(g, [1 - fl.key_share, 1 - fl.high_risk_share])
        self.risk_levels = (
            float(key) if fl.key_share > 0 else np.inf,
            float(high) if fl.high_risk_share > 0 else np.inf,
        )
        tracked = managed[g >= self.risk_levels[1]]
        relief = np.float32(fl.tracking_relief)
        self.pop.grievance[tracked] = np.maximum(self.pop.grievance[tracked] - relief, 0)

    def _find_online(self, t: int) -> None:
        """Online monitoring finds posts about festering disputes; they are followed up
        offline and enter the ladder next week, caught early (网上发现、落地查人)."""
        online = self.cfg.policy.online
        chance = online.monitoring * online.posting
        ids, initiators = self.ladder.festering()
        if not len(ids) or chance <= 0:
            return
        posted = self.pop.online[initiators]
        found = ids[posted & (self.streams["online"].random(len(ids)) < chance)]
        self.ladder.expedite(found, float(t + 1), ONLINE)

    def _serve_and_spread(self, t: int) -> None:
        cfg, pop = self.cfg, self.pop
        interval = cfg.trust.interval
        if t % interval:
            return
        so = cfg.policy.social_orgs
        per = (self.capacity_per_1000 * self.funding * interval).astype(np.float32)[pop.community]
        g = pop.grievance
        np.clip(g - np.float32(so.service_relief) * per, 0, 1, out=g)
        tg = pop.trust["government"]
        tg += np.float32(so.service_trust) * per * (1 - tg)
        np.clip(tg, 0, 1, out=tg)
        eff = self.councils.efficacy(self.cfg.participation.no_council_efficacy).astype(np.float32)
        has = (
            self.councils.has_courtyard
            | self.councils.has_community[self.world.courtyard_community]
        )
        pull = np.float32(min(cfg.trust.legitimacy_pull * interval, 1.0)) * has[pop.courtyard]
        tc = pop.trust["committee"]
        tc += pull * (eff[pop.courtyard] - tc)
        settled = migration.settled(pop, t, cfg.migration.integration_weeks)
        self.peer_share = trust.spread(pop, self.ties, cfg.trust, settled, self._recent())

    def _burn_in(self) -> None:
        """Run `burn_in` weeks before week 0 so outputs start from the model's steady state
        (queues, trust, grievance, legitimacy and organisations settle); nothing is recorded.
        Timeline reforms count their weeks from the end of the burn-in."""
        t0 = time.perf_counter()
        for t in range(-self.cfg.burn_in, 0):
            self._advance(t)
        self.totals = metrics.Totals()  # week 0 starts afresh: no flows carried over
        self.last = metrics.StepView.empty()
        self.council_tally, self.org_tally = CouncilTally(), OrgTally()
        self.online_tally, self.cost = trust.OnlineTally(), 0.0
        self.burn_in_seconds = time.perf_counter() - t0

    def step(self) -> None:
        """One week of output: the processes (`_advance`), then the records."""
        t = self.steps - 1
        self._advance(t)
        cfg = self.cfg
        self.totals.add(self.last, self)
        if t % cfg.output.panel_interval == 0 or self.steps >= cfg.steps:
            self.panel.append(metrics.community_panel(self, t))
        self.datacollector.collect(self)
        if self.steps >= cfg.steps:
            self.running = False

    def _advance(self, t: int) -> None:
        """The processes of week t, in the documented order."""
        self.week = t
        self.streams = weekly(self.seed, t)
        self._apply_reforms(t)
        cfg, rs, pop = self.cfg, self.streams, self.pop
        self._migrate(t)
        outcomes.fade(pop.grievance, self.grievance_baseline, cfg.disputes.grievance_decay)
        for name in INSTITUTIONS:
            outcomes.fade(pop.trust[name], self.trust_baseline[name], cfg.trust.trust_decay)
        self._classify_floating()
        self._participate(t)
        self.court_grievance = unit_sum(pop.grievance, self.courtyard_members[0]) / self.court_n
        festered = self._deliberate(t)
        new = arise(
            t,
            pop,
            self.graph,
            self.crowding,
            self.courtyard_members,
            self.court_grievance,
            cfg.disputes,
            rs["arrivals"],
            festered,
        )
        k, nt, c = len(new), len(TIERS), new.candidates

        def per_candidate(stream: str, *shape: int) -> np.ndarray:
            """Draws for every candidate arrival, kept for the ones that became disputes."""
            return rs[stream].random((c, *shape))[new.candidate]

        detector, entry, severity = detect(
            new.severity,
            new.arise_time,
            self.building_branch[pop.building[new.initiator]],
            pop.registered[new.initiator],
            cfg.policy,
            per_candidate("detection"),
            per_candidate("detection"),
            self._extra_detection(new.initiator),
        )
        ids = self.ledger.add(
            initiator=new.initiator,
            counterpart=new.counterpart,
            kind=new.kind,
            severity=severity,
            arise_time=new.arise_time,
            opened=np.full(k, t),
            detected=detector != 0,
            detector=detector,
            courtyard=pop.courtyard[new.initiator],
            community=pop.community[new.initiator],
            street=pop.street[new.initiator],
            u_service=per_candidate("mediation", nt),
            u_success=per_candidate("mediation", nt),
            u_exit=per_candidate("petition", nt),
            u_patience=per_candidate("patience", nt),
            u_route=per_candidate("referral", N_ROUTES),
        )
        self.ladder.submit(ids, entry)
        tally = self.ladder.step(t)
        outcomes.apply(tally, self.ledger, pop, cfg.mediation)
        self.org_tally = self.orgs.step(t, self.funding)
        if self.org_tally.born or self.org_tally.failed:
            self._refresh_orgs(now=float(t + 1))
        self._serve_and_spread(t)
        self.online_tally = trust.online_round(
            pop, self.online_idx, cfg.trust, cfg.policy.online, rs["online"]
        )
        self._find_online(t)
        self.last = metrics.StepView.from_tally(k, int((detector != 0).sum()), tally, self.ladder)
        self.cost = government.weekly_cost(
            cfg.policy.government,
            self.grid_workers,
            self.ladder.total_servers(),
            min(self.budget.purchase, self.org_count * cfg.policy.social_orgs.weekly_cost),
            int(tally.entered[TIERS.index("petition")]),
            int(tally.entered[TIERS.index("litigation")]),
            self.online_tally.warnings,
            cfg.policy.online.response_cost,
        )

    def run(self, progress: bool = False) -> None:
        """Step until `steps` weeks have run (or `running` turns False)."""
        from tqdm import tqdm

        with tqdm(total=self.cfg.steps, initial=self.steps, disable=not progress, unit="wk") as bar:
            while self.running and self.steps < self.cfg.steps:
                self.step()
                bar.update()

    def participation_active(self) -> np.ndarray:
        """Who took part at least once within the participation window."""
        return self.pop.last_part > self.week - self.cfg.participation.window_weeks

    def community_network(self, community: int = 0) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """One community's residents (id, state) and the ties among them, incl. org ties."""
        pop = self.pop
        starts, order = self.community_members
        ids = order[starts[community] : starts[community + 1]]
        nodes: dict[str, np.ndarray] = {
            "resident": ids,
            "courtyard": pop.courtyard[ids],
            "floating": pop.floating[ids],
            "party": pop.party[ids],
            "grievance": pop.grievance[ids],
            "participated": self.participation_active()[ids],
        }
        for inst in ("party", "committee", "government"):
            nodes[f"trust_{inst}"] = pop.trust[inst][ids]
        edges = np.concatenate([self.graph.edges(), self.orgs.tie_edges()])
        inside = np.isin(edges[:, 0], ids) & np.isin(edges[:, 1], ids)
        e = np.unique(np.sort(edges[inside], axis=1), axis=0)
        return nodes, e

    @property
    def open_disputes(self) -> int:
        """Disputes open now, whenever they arose (burn-in included)."""
        return int((self.ledger.outcome == OPEN).sum())

    def total_ties(self) -> int:
        return len(self.graph.indices) // 2 + self.ties.extra_edges


__all__ = ["GovernanceModel", "NEVER"]
