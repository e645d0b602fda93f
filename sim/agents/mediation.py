"""Who settles disputes: people's mediation committees, the grand-mediation centres, the
court and the petition office. Each owns its queue (`sim.queues.Pool`) and its
servers; the ladder (`sim.processes.ladder`) routes disputes between them."""

from __future__ import annotations

from collections.abc import Callable

from sim.agents.institution import Institution
from sim.config import GRAND_CENTRES, Discipline
from sim.queues import Advanced, Pool, advance


class Desk(Institution):
    """An institution that serves disputes in a multi-server queue: `own` servers of its
    own plus `lent` ones (mediators social organisations provide)."""

    def __init__(
        self, model: object, unit: int, level: str, community: int | None, servers: int
    ) -> None:
        super().__init__(model, unit, level, community)  # type: ignore[arg-type]
        self.own = servers
        self.lent = 0
        self.queue = Pool(servers)
        self.served = 0

    @property
    def servers(self) -> int:
        return self.own + self.lent

    def staff(self, own: int, lent: int, now: float) -> None:
        """Set the servers; those added at `now` are free from `now`, never earlier."""
        self.own, self.lent = own, lent
        self.queue.resize(self.servers, now)

    def mediate(
        self, t_end: float, discipline: Discipline, duration: Callable[[int], float]
    ) -> Advanced:
        """Serve the queue up to `t_end` (starts and the parties who gave up waiting)."""
        done = advance(self.queue, t_end, discipline, duration)
        self.served += len(done.started)
        return done

    def state(self) -> dict[str, object]:
        out = super().state()
        out.pop("queue", None)
        out.update(servers=self.servers, waiting=len(self.queue.waiting))
        return out


class MediationCommittee(Desk):
    """People's mediation (人民调解委员会) of a courtyard or a community."""


class GrandMediationCentre(Desk):
    """One of the city's five people's-mediation centres of grand mediation (大调解, from
    2009), at the judicial bureau, legal affairs office, intermediate court, public security
    bureau or petition bureau (`GRAND_CENTRES[unit]`). `referral` is the chance that its
    host `refer`s a dispute to it (per unit severity for the police; none for the two
    centres that take escalations from community mediation)."""

    def __init__(self, model: object, unit: int, servers: int, referral: float) -> None:
        super().__init__(model, unit, "city", None, servers)
        self.name = GRAND_CENTRES[unit]
        self.referral = referral

    def refer(self, u: float, scale: float = 1.0) -> bool:
        """Whether the host sends this dispute here (the dispute's own uniform `u`)."""
        return self.servers > 0 and u < self.referral * scale


class Court(Desk):
    """The basic-level court: hears lawsuits (judges as servers)."""

    def __init__(self, model: object, servers: int) -> None:
        super().__init__(model, 0, "city", None, servers)


class PetitionOffice(Desk):
    """The petition (letters and visits, 信访) office: handles petitions (officers)."""

    def __init__(self, model: object, servers: int) -> None:
        super().__init__(model, 0, "city", None, servers)
