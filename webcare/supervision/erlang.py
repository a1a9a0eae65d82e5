"""Erlang C: how many agents a stream of customers needs, as a pure calculation (no database, no clock).

The model (M/M/N): customers arrive at random (Poisson) at ``arrivals_per_hour``, each takes on average
``handling_minutes`` of one agent's time (exponentially distributed), and nobody gives up while waiting. The offered
load A = arrivals per minute × handling minutes is how many agents would be busy all the time; with N ≤ A the queue
grows without bound.

Why Erlang B first: the textbook formula for Erlang C has A^N / N!, which overflows a float by N ≈ 170 and loses all
precision long before. Erlang B has a stable recurrence, B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1)), whose terms stay
in [0, 1]; Erlang C follows from it exactly: C = N·B / (N − A·(1 − B)). So thousands of agents cost a loop of
thousands of multiplications and no factorial.

Social media is not a telephone queue (an agent can hold several chats; customers wait hours rather than seconds),
so the estimate is a guide for supervisors in a surge, not a rota: see docs/supervision.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

#: The share of their time agents may be busy before the estimate adds agents anyway: beyond it people burn out and
#: any small rise in arrivals sends waiting times up steeply (a common planning ceiling in contact centres).
DEFAULT_MAX_OCCUPANCY: Final = 0.85
#: More agents than any organisation could ask for: a guard against a nonsense rate running a long loop.
MAX_AGENTS: Final = 100_000


def _check(name: str, value: float, *, minimum: float = 0.0, above: bool = False) -> float:
    """``value`` as a finite float, or ``ValueError`` naming ``name``: bad input never becomes a quiet NaN."""
    number = float(value)
    if not math.isfinite(number) or number < minimum or (above and number <= minimum):
        relation = "greater than" if above else "at least"
        raise ValueError(f"{name} must be a finite number {relation} {minimum:g}, not {value!r}")
    return number


def offered_load(arrivals_per_hour: float, handling_minutes: float) -> float:
    """The offered load A in erlangs: how many agents would be busy all the time at this rate."""
    arrivals = _check("arrivals_per_hour", arrivals_per_hour)
    handling = _check("handling_minutes", handling_minutes, above=True)
    return arrivals / 60.0 * handling


def _erlang_b_series(load: float) -> Iterator[tuple[int, float]]:
    """(n, B(n, A)) for n = 1, 2, …, by the stable recurrence."""
    blocking = 1.0
    n = 0
    while True:
        n += 1
        blocking = load * blocking / (n + load * blocking)
        yield n, blocking


def erlang_b(agents: int, load: float) -> float:
    """Erlang B: the share of arrivals that would find every one of ``agents`` busy if nobody could wait."""
    if agents < 0:
        raise ValueError(f"agents must be at least 0, not {agents!r}")
    load = _check("load", load)
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = load * blocking / (n + load * blocking)
    return blocking


def _c_from_b(agents: int, load: float, blocking: float) -> float:
    if agents <= load:
        return 1.0
    return agents * blocking / (agents - load * (1.0 - blocking))


def erlang_c(agents: int, load: float) -> float:
    """Erlang C: the probability that a customer has to wait at all (1.0 when ``agents`` cannot keep up)."""
    return _c_from_b(agents, _check("load", load), erlang_b(agents, load))


def _service_level(agents: int, load: float, waiting: float, handling_minutes: float, target_minutes: float) -> float:
    if agents <= load:
        return 0.0
    return max(0.0, 1.0 - waiting * math.exp(-(agents - load) * target_minutes / handling_minutes))


def service_level(agents: int, arrivals_per_hour: float, handling_minutes: float, target_minutes: float) -> float:
    """The share of customers answered within ``target_minutes``: 1 − C·e^(−(N − A)·T / AHT); 0 when the queue grows
    without bound."""
    load = offered_load(arrivals_per_hour, handling_minutes)
    target = _check("target_minutes", target_minutes)
    return _service_level(agents, load, erlang_c(agents, load), handling_minutes, target)


def average_speed_of_answer(agents: int, arrivals_per_hour: float, handling_minutes: float) -> float:
    """The mean wait in minutes before an agent takes the customer: C·AHT / (N − A); infinite when N ≤ A."""
    load = offered_load(arrivals_per_hour, handling_minutes)
    if agents <= load:
        return math.inf
    return erlang_c(agents, load) * handling_minutes / (agents - load)


def agents_needed(arrivals_per_hour: float, handling_minutes: float, target_share: float, target_minutes: float,
                  max_occupancy: float | None = DEFAULT_MAX_OCCUPANCY) -> int:
    """The fewest agents that answer ``target_share`` (0–1) of customers within ``target_minutes`` at this rate, with
    more agents than the offered load and — unless ``max_occupancy`` is None — nobody busier than that share.

    No arrivals need no agents. One pass of the Erlang B recurrence, checking each N as it goes: O(N).
    """
    load = offered_load(arrivals_per_hour, handling_minutes)
    share = _check("target_share", target_share)
    if share >= 1.0:
        raise ValueError(f"target_share must be below 1 (every customer within a time needs infinite agents), "
                         f"not {target_share!r}")
    target = _check("target_minutes", target_minutes)
    ceiling = 1.0 if max_occupancy is None else _check("max_occupancy", max_occupancy, above=True)
    if ceiling > 1.0:
        raise ValueError(f"max_occupancy must be at most 1, not {max_occupancy!r}")
    if load == 0.0:
        return 0
    if load >= MAX_AGENTS:
        raise ValueError(f"arrivals_per_hour × handling_minutes is {load:.0f} erlangs: more than {MAX_AGENTS} agents")
    for n, blocking in _erlang_b_series(load):
        if n <= load or load / n > ceiling:
            continue
        waiting = _c_from_b(n, load, blocking)
        if _service_level(n, load, waiting, handling_minutes, target) >= share:
            return n
    raise AssertionError("unreachable: the service level tends to 1 as agents grow")  # pragma: no cover


def backlog_agents(waiting: int, arrivals_per_hour: float, handling_minutes: float, target_minutes: float) -> int:
    """Agents needed to work off ``waiting`` customers within ``target_minutes`` while new ones keep arriving: the
    work in the queue spread over the target time, plus the offered load of the arrivals. Erlang C is steady state
    and says nothing about a queue that is already long (a surge found by its oldest wait); this does, roughly."""
    target = _check("target_minutes", target_minutes, above=True)
    if waiting <= 0:
        return 0
    work = waiting * _check("handling_minutes", handling_minutes) / target
    return math.ceil(work + offered_load(arrivals_per_hour, handling_minutes))


@dataclass(frozen=True)
class Estimate:
    """What a supervisor reads in a surge: the agents needed and what they would achieve."""

    arrivals_per_hour: float
    handling_minutes: float
    target_share: float
    target_minutes: float
    load: float
    agents: int
    #: With ``agents``: the probability of waiting, the share answered in time, the mean wait, how busy they are.
    waiting_probability: float
    service_level: float
    average_speed_of_answer_minutes: float
    occupancy: float


def estimate(arrivals_per_hour: float, handling_minutes: float, target_share: float, target_minutes: float,
             max_occupancy: float | None = DEFAULT_MAX_OCCUPANCY) -> Estimate:
    """:func:`agents_needed` with the figures that go with it."""
    agents = agents_needed(arrivals_per_hour, handling_minutes, target_share, target_minutes, max_occupancy)
    load = offered_load(arrivals_per_hour, handling_minutes)
    if agents == 0:
        return Estimate(arrivals_per_hour, handling_minutes, target_share, target_minutes, 0.0, 0, 0.0, 1.0, 0.0, 0.0)
    return Estimate(
        arrivals_per_hour=arrivals_per_hour, handling_minutes=handling_minutes, target_share=target_share,
        target_minutes=target_minutes, load=load, agents=agents, waiting_probability=erlang_c(agents, load),
        service_level=service_level(agents, arrivals_per_hour, handling_minutes, target_minutes),
        average_speed_of_answer_minutes=average_speed_of_answer(agents, arrivals_per_hour, handling_minutes),
        occupancy=load / agents,
    )
