"""Multi-server queues in continuous time, advanced one step (one week) at a time.

Within a step the queue is simulated exactly in continuous time: arrivals carry real-valued
times, each server remembers when it becomes free, and a waiting dispute starts at
max(arrival, earliest free server) when a server is free before the step ends. Poisson
arrivals with uniform times inside each step are exactly a Poisson process, so a tier set
up with Poisson arrivals, exponential service and c servers *is* an M/M/c queue at any
per-step rate; the step only decides when an outcome is reported. Disciplines: FIFO, or
highest severity first (ties by arrival) among the disputes already waiting. Waiting
parties have finite patience: one not started by its deadline leaves the queue (reneging),
which with exponential patience makes a tier an M/M/c+M (Erlang-A) queue.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import NormalDist

from scipy.special import gammaincinv

from sim.config import Discipline, ServiceDist

_NORMAL = NormalDist()


def service_time(u: float, mean: float, dist: ServiceDist, variation: float) -> float:
    """Inverse-CDF draw of a service time from the dispute's own uniform `u`."""
    u = min(max(u, 1e-12), 1 - 1e-12)
    if dist is ServiceDist.exponential:
        return -mean * math.log1p(-u)
    if dist is ServiceDist.deterministic or variation <= 0:
        return mean
    if dist is ServiceDist.gamma:
        shape = 1.0 / (variation * variation)
        return float(gammaincinv(shape, u)) * mean / shape
    sigma2 = math.log1p(variation * variation)
    return math.exp(math.log(mean) - sigma2 / 2 + math.sqrt(sigma2) * _NORMAL.inv_cdf(u))


Waiting = tuple[float, float, int, float]  # (arrival, severity, dispute, deadline)


@dataclass
class Pool:
    """c servers and the disputes waiting for them at one unit (a courtyard, a centre...).

    A waiting dispute leaves the queue unserved at its `deadline` (arrival + patience) if no
    server has started it by then (reneging; infinite patience gives the plain M/M/c queue).
    """

    servers: int
    free: list[float] = field(default_factory=list)  # heap of server free times
    waiting: list[Waiting] = field(default_factory=list)
    opened: float = -math.inf  # servers that exist from the start are free from then

    def __post_init__(self) -> None:
        self.free = [self.opened] * self.servers

    def resize(self, servers: int, now: float) -> None:
        """Add servers, free from `now` (never earlier: a mediator hired in week t cannot
        have served anyone before week t), or retire the ones that free up last."""
        if servers > len(self.free):
            self.free.extend([now] * (servers - len(self.free)))
        elif servers < len(self.free):
            self.free = sorted(self.free)[:servers]
        heapq.heapify(self.free)
        self.servers = servers


@dataclass
class Started:
    dispute: int
    arrival: float
    start: float
    end: float
    queue: int  # others waiting in this pool when it started (the mediators' load)


@dataclass
class Advanced:
    """What one call of `advance` did: disputes started and disputes that gave up waiting."""

    started: list[Started] = field(default_factory=list)
    reneged: list[tuple[int, float, float]] = field(default_factory=list)  # (id, arrival, left)


def advance(
    pool: Pool,
    t_end: float,
    discipline: Discipline,
    duration: Callable[[int], float],
) -> Advanced:
    """Serve `pool` up to t_end, exactly in continuous time.

    Start times are non-decreasing (earliest free server first), so under the severity
    discipline every dispute already in `ready` can start no earlier than the last start.
    A dispute whose deadline passes before a server reaches it reneges at its deadline; it
    takes no server's time. The queue length at a start counts the disputes that have
    arrived and not started (any that renege unnoticed before that moment included).
    """
    out = Advanced()
    waiting = pool.waiting
    if not waiting:
        return out
    waiting.sort()
    i, n = 0, len(waiting)
    arrivals = [w[0] for w in waiting]
    ready: list[tuple[float, float, int, float]] = []  # (-severity, arrival, id, deadline)
    last = -math.inf
    fifo = discipline is Discipline.fifo
    while pool.servers > 0:
        free_at = pool.free[0]
        if fifo or not ready:
            if i >= n:
                break
            start = max(free_at, waiting[i][0], last)
        else:
            start = max(free_at, last)
        if start >= t_end:
            break
        if fifo:
            arrival, _, did, deadline = waiting[i]
            i += 1
            queue = bisect.bisect_right(arrivals, start, lo=i) - i
        else:
            while i < n and waiting[i][0] <= start:
                a, sev, d, deadline = waiting[i]
                heapq.heappush(ready, (-sev, a, d, deadline))
                i += 1
            _, arrival, did, deadline = heapq.heappop(ready)
            queue = len(ready)
        if deadline < start:  # it gave up before a server could take it
            out.reneged.append((did, arrival, deadline))
            continue
        end = start + duration(did)
        heapq.heapreplace(pool.free, end)
        out.started.append(Started(did, arrival, start, end, queue))
        last = start
    rest = [(a, -s, d, deadline) for s, a, d, deadline in ready] + waiting[i:]
    pool.waiting = [w for w in rest if w[3] >= t_end]
    out.reneged += [(d, a, deadline) for a, _, d, deadline in rest if deadline < t_end]
    return out
