"""Multi-server queues in continuous time, advanced one step (one week) at a time.

Within a step the queue is simulated exactly in continuous time: arrivals carry real-valued
times, each server remembers when it becomes free, and a waiting dispute starts at
max(arrival, earliest free server) when a server is free before the step ends. Poisson
arrivals with uniform times inside each step are exactly a Poisson process, so a tier set
up with Poisson arrivals, exponential service and c servers *is* an M/M/c queue at any
per-step rate; the step only decides when an outcome is reported. Disciplines: FIFO, or
highest severity first (ties by arrival) among the disputes already waiting.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import NormalDist

from scipy.special import gammaincinv

from sim.config import Discipline, ServiceDist

_NORMAL = NormalDist()


def service_time(u: float, mean: float, dist: ServiceDist, cv: float) -> float:
    """Inverse-CDF draw of a service time from the dispute's own uniform `u`."""
    u = min(max(u, 1e-12), 1 - 1e-12)
    if dist is ServiceDist.exponential:
        return -mean * math.log1p(-u)
    if dist is ServiceDist.deterministic or cv <= 0:
        return mean
    if dist is ServiceDist.gamma:
        shape = 1.0 / (cv * cv)
        return float(gammaincinv(shape, u)) * mean / shape
    sigma2 = math.log1p(cv * cv)
    return math.exp(math.log(mean) - sigma2 / 2 + math.sqrt(sigma2) * _NORMAL.inv_cdf(u))


@dataclass
class Pool:
    """c servers and the disputes waiting for them at one unit (a courtyard, a street...)."""

    servers: int
    free: list[float] = field(default_factory=list)  # heap of server free times
    waiting: list[tuple[float, float, int]] = field(default_factory=list)  # (arrival, sev, id)

    def __post_init__(self) -> None:
        self.free = [-math.inf] * self.servers

    def resize(self, servers: int) -> None:
        """Add servers (free now) or retire the ones that free up last."""
        if servers > len(self.free):
            self.free.extend([-math.inf] * (servers - len(self.free)))
        elif servers < len(self.free):
            self.free = sorted(self.free)[:servers]
        heapq.heapify(self.free)
        self.servers = servers


def advance(
    pool: Pool,
    t_end: float,
    discipline: Discipline,
    duration: Callable[[int], float],
) -> list[tuple[int, float, float, float]]:
    """Serve `pool` up to t_end; returns (id, arrival, start, end) for each start.

    Start times are non-decreasing (earliest free server first), so under the severity
    discipline every dispute already in `ready` can start no earlier than the last start.
    """
    out: list[tuple[int, float, float, float]] = []
    if pool.servers == 0 or not pool.waiting:
        return out
    waiting = pool.waiting
    waiting.sort()
    i, n = 0, len(waiting)
    ready: list[tuple[float, float, int]] = []  # (-severity, arrival, id)
    last = -math.inf
    fifo = discipline is Discipline.fifo
    while True:
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
            arrival, _, did = waiting[i]
            i += 1
        else:
            while i < n and waiting[i][0] <= start:
                a, sev, d = waiting[i]
                heapq.heappush(ready, (-sev, a, d))
                i += 1
            _, arrival, did = heapq.heappop(ready)
        end = start + duration(did)
        heapq.heapreplace(pool.free, end)
        out.append((did, arrival, start, end))
        last = start
    pool.waiting = [(a, -s, d) for s, a, d in ready] + waiting[i:]
    return out
