"""Erlang C (webcare/supervision/erlang.py) against published worked examples, and the properties any staffing model
must have.

Published figures used:

- Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example": 100 calls in 30 minutes, average
  handling time 180 s, target 80 % answered within 20 s. Traffic intensity 10 erlangs; with 11 agents the probability
  of waiting is 68.21 % and the service level 39.0 %; 12 agents: 64.0 %; 13: 79.6 %; 14: 88.8 % — so 14 agents are
  needed (the article's raw answer, before shrinkage).
- Mike Tanner's "Erlang-C formula" page (the mitan.co.uk call centre calculator): 360 calls per half hour, 4-minute
  calls, 55 agents, target 15 s. Traffic intensity 48 erlangs, occupancy 87.3 %, Erlang C 0.2387, average speed of
  answer 8.18 s, 84.6 % answered within 15 s.
- Erlang B tables (any teletraffic handbook, e.g. ITU-T's): 10 trunks carry 5.08 erlangs at 2 % blocking, 4.46 at 1 %.
"""

from __future__ import annotations

import math
from itertools import pairwise

import pytest

from webcare.supervision import erlang

# The Call Centre Helper example in webcare's units: 200 arrivals per hour, 3 minutes' handling, 20 s = 1/3 minute.
CCH = {"arrivals_per_hour": 200.0, "handling_minutes": 3.0}
CCH_TARGET = 20 / 60


def test_it_computes_the_offered_load_in_erlangs() -> None:
    assert erlang.offered_load(**CCH) == pytest.approx(10.0)
    assert erlang.offered_load(720, 4) == pytest.approx(48.0)  # Tanner: 360 per half hour × 4 minutes


@pytest.mark.parametrize(("agents", "service_level"), [(11, 0.390), (12, 0.640), (13, 0.796), (14, 0.888)])
def test_it_matches_the_call_centre_helper_worked_example(agents: int, service_level: float) -> None:
    assert erlang.service_level(agents, target_minutes=CCH_TARGET, **CCH) == pytest.approx(service_level, abs=5e-4)


def test_it_matches_the_published_probability_of_waiting() -> None:
    assert erlang.erlang_c(11, 10.0) == pytest.approx(0.6821, abs=5e-5)
    assert erlang.erlang_c(55, 48.0) == pytest.approx(0.2387, abs=5e-5)


def test_it_matches_tanners_service_level_and_speed_of_answer() -> None:
    assert erlang.service_level(55, 720, 4, 15 / 60) == pytest.approx(0.846, abs=5e-4)
    assert erlang.average_speed_of_answer(55, 720, 4) * 60 == pytest.approx(8.18, abs=5e-3)


def test_it_needs_fourteen_agents_for_eighty_percent_in_twenty_seconds() -> None:
    assert erlang.agents_needed(target_share=0.8, target_minutes=CCH_TARGET, max_occupancy=None, **CCH) == 14
    estimate = erlang.estimate(target_share=0.8, target_minutes=CCH_TARGET, max_occupancy=None, **CCH)
    assert estimate.agents == 14
    assert estimate.service_level == pytest.approx(0.888, abs=5e-4)
    assert estimate.occupancy == pytest.approx(10 / 14)


def test_it_matches_erlang_b_tables() -> None:
    assert erlang.erlang_b(10, 5.08) == pytest.approx(0.02, abs=5e-4)
    assert erlang.erlang_b(10, 4.46) == pytest.approx(0.01, abs=5e-4)
    assert erlang.erlang_b(0, 3.0) == 1.0


def test_it_adds_agents_to_keep_occupancy_under_the_ceiling() -> None:
    # A loose target (50 % within an hour) is met by 11 agents at 10 erlangs, but they would be 91 % busy.
    loose = {"target_share": 0.5, "target_minutes": 60.0, **CCH}
    assert erlang.agents_needed(max_occupancy=None, **loose) == 11
    assert erlang.agents_needed(**loose) == 12  # 10 / 12 = 83 % ≤ 85 %
    assert erlang.agents_needed(max_occupancy=0.5, **loose) == 20


def test_it_stays_finite_and_exact_for_thousands_of_agents() -> None:
    # A! / N! overflows a float at N ≈ 170; the recurrence does not. At 2,000 erlangs the answer sits just above the
    # load, and the recurrence agrees with the direct sum computed in logarithms.
    load = 2000.0
    needed = erlang.agents_needed(arrivals_per_hour=load * 60 / 5, handling_minutes=5, target_share=0.9,
                                  target_minutes=0.5, max_occupancy=None)
    assert load < needed < load * 1.05
    direct = _erlang_c_in_logs(needed, load)
    assert erlang.erlang_c(needed, load) == pytest.approx(direct, rel=1e-9)
    assert 0.0 < erlang.erlang_c(needed, load) < 1.0


def _erlang_c_in_logs(agents: int, load: float) -> float:
    """The textbook formula, summed in log space (slow but independent of the recurrence)."""
    logs = [k * math.log(load) - math.lgamma(k + 1) for k in range(agents)]
    top = agents * math.log(load) - math.lgamma(agents + 1) + math.log(agents / (agents - load))
    peak = max([*logs, top])
    below = sum(math.exp(x - peak) for x in logs)
    return math.exp(top - peak) / (below + math.exp(top - peak))


def test_more_agents_answer_more_customers_in_time() -> None:
    levels = [erlang.service_level(n, target_minutes=CCH_TARGET, **CCH) for n in range(10, 30)]
    assert levels[0] == 0.0  # as many agents as the load: the queue never empties
    assert all(a < b for a, b in pairwise(levels[:12]))
    assert all(a <= b for a, b in pairwise(levels))
    assert levels[-1] == pytest.approx(1.0, abs=1e-6)
    waits = [erlang.average_speed_of_answer(n, **CCH) for n in range(11, 30)]
    assert all(a > b for a, b in pairwise(waits))


@pytest.mark.parametrize("rate", [10.0, 60.0, 200.0, 1000.0])
def test_more_arrivals_or_longer_handling_never_need_fewer_agents(rate: float) -> None:
    def needed(arrivals: float, handling: float) -> int:
        return erlang.agents_needed(arrivals, handling, 0.8, 1.0)

    assert needed(rate, 6) <= needed(rate * 1.5, 6) <= needed(rate * 3, 6)
    assert needed(rate, 6) <= needed(rate, 9) <= needed(rate, 18)
    assert needed(rate * 3, 6) > needed(rate, 6)


def test_a_stricter_target_needs_at_least_as_many_agents() -> None:
    assert (erlang.agents_needed(300, 6, 0.8, 5) <= erlang.agents_needed(300, 6, 0.9, 5)
            <= erlang.agents_needed(300, 6, 0.9, 1))


def test_no_arrivals_need_no_agents() -> None:
    assert erlang.agents_needed(0, 6, 0.8, 60) == 0
    assert erlang.estimate(0, 6, 0.8, 60).agents == 0


def test_too_few_agents_never_keep_up() -> None:
    assert erlang.erlang_c(10, 10.0) == 1.0
    assert erlang.service_level(9, target_minutes=5, **CCH) == 0.0
    assert erlang.average_speed_of_answer(10, **CCH) == math.inf


@pytest.mark.parametrize(("call", "field"), [
    (lambda: erlang.agents_needed(-1, 6, 0.8, 5), "arrivals_per_hour"),
    (lambda: erlang.agents_needed(math.nan, 6, 0.8, 5), "arrivals_per_hour"),
    (lambda: erlang.agents_needed(100, 0, 0.8, 5), "handling_minutes"),
    (lambda: erlang.agents_needed(100, 6, 1.0, 5), "target_share"),
    (lambda: erlang.agents_needed(100, 6, 0.8, -5), "target_minutes"),
    (lambda: erlang.agents_needed(100, 6, 0.8, 5, max_occupancy=1.5), "max_occupancy"),
    (lambda: erlang.agents_needed(1e9, 60, 0.8, 5), "arrivals_per_hour"),
    (lambda: erlang.erlang_b(-1, 5), "agents"),
])
def test_it_refuses_nonsense_by_name(call: object, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        call()  # type: ignore[operator]


def test_the_backlog_needs_its_work_spread_over_the_target_time_plus_the_arrivals() -> None:
    """60 customers waiting, 6 minutes each, to be answered within 60 minutes: 6 agents' worth of queue, plus the
    offered load of 30 arrivals an hour at 6 minutes (3 erlangs) = 9."""
    assert erlang.backlog_agents(60, 30, 6, 60) == 9
    assert erlang.backlog_agents(0, 30, 6, 60) == 0
    assert erlang.backlog_agents(1, 0, 6, 60) == 1
    assert erlang.backlog_agents(120, 0, 6, 60) > erlang.backlog_agents(60, 0, 6, 60)
    with pytest.raises(ValueError, match="target_minutes"):
        erlang.backlog_agents(10, 0, 6, 0)
