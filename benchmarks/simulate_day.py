"""Replay one busy day of a real brand's Twitter support through webcare's triage, routing and assignment, with ten
agents, and report how long customers wait for an answer.

What is real and what is modelled:

- **Arrivals are real**: every customer tweet to @SpotifyCares on the busiest day of ``spotifycares_inbound.csv``
  (../shared/data/twcs, CC BY-NC-SA 4.0: read at run time, never copied into the project), at the second it was
  sent. The file has the customers' side only, so a customer's tweets that day are one conversation (a public X
  thread), as webcare would thread them.
- **Decisions are webcare's own code**: each tweet is triaged by ``webcare.triage.analyse.analyse`` (priority,
  intents, language), a new ticket is routed by ``webcare.routing.rules.route`` with the default rules of
  ``webcare.routing.defaults`` (spam set aside; sales leads to sales & marketing; questions and complaints to
  customer service; everything else to the shared pool), and tickets are handed out by
  ``webcare.routing.assignment.plan`` — at arrival (the ingestion step), every 15 s (the automation pass: pool and
  reclaim) and when an agent comes online, exactly where webcare calls it.
- **People are modelled** (stated in the results): ten agents on three 8-hour shifts that follow the day's traffic
  (UTC: two 00–08, three 08–16, five 16–24, the brand's peak in US daytime), each going "away" 15 minutes before
  the end of the shift (no new work; they finish what they hold) and offline at the end (whatever they still hold
  waits for the reclaim time). An agent works one ticket at a time and may hold up to ``--capacity`` (3); a
  ticket's handling time is log-normal with mean ``--handling`` minutes (6, ``Organisation.handling_minutes``'s
  default) and σ = 0.8 (median 4.4 min, 90th percentile 12 min). The reply is sent when the handling ends.
  Starting a ticket counts as touching it (in webcare an agent who takes a ticket sets it open or adds a note; a
  reply, note or change is what ``touched_at`` records). Customer service and the shared pool have all ten agents
  (least loaded), sales & marketing two of them; nobody lists languages or channels (every agent takes every
  ticket). Reclaim after 30 minutes.
- A customer who writes again after an answer reopens their ticket, which goes back to the agent who answered — or,
  when that agent is offline, to the pool at once (as in webcare) — and counts as a *next* response; first
  responses are each conversation's first answer.

Run: ``.venv/bin/python benchmarks/simulate_day.py`` (about half a minute; ``--help`` for the knobs). Writes
``benchmarks/results/simulate_day.json`` and ``simulate_day.svg`` (and ``simulate_day.png`` when Debian's chromium
is installed, rendered by Playwright). Also reported: a grid of other settings (handling time, capacity, mode), the
Erlang C estimate for the same hours (``webcare.supervision.erlang``) and, for scale, how fast the real brands of
``sample.csv`` answered.
"""

from __future__ import annotations

import argparse
import csv
import heapq
import json
import math
import os
import random
import shutil
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DATA = ROOT.parent / "shared" / "data" / "twcs"

PASS_SECONDS = 15  # settings.WEBCARE_AUTOMATION_SECONDS
AWAY_BEFORE_END = timedelta(minutes=15)
SIGMA = 0.8
SERVICE, SALES, POOL = 1, 2, 3
TEAM_NAMES = {SERVICE: "customer service", SALES: "sales & marketing", POOL: "shared pool (no team)"}
TEAM_SLUGS = {"customer-service": SERVICE, "sales-marketing": SALES}
#: (first hour UTC, agents); each shift is 8 hours. Ten agents: 2 at night, 3 by day, 5 in the evening, when this
#: brand's traffic peaks (US daytime).
SHIFTS = ((0, 2), (8, 3), (16, 5))
SHIFT_HOURS = 8


# -- the data ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tweet:
    at: datetime
    author: str
    text: str


def parse_time(value: str) -> datetime:
    return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)


def read_tweets(path: Path) -> list[Tweet]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [Tweet(parse_time(row["created_at"]), row["author_id"], row["text"])
                for row in csv.DictReader(handle) if row["inbound"].strip().lower() == "true"]


def busiest_day(tweets: Sequence[Tweet]) -> date:
    return Counter(t.at.date() for t in tweets).most_common(1)[0][0]


def real_brand_first_responses(path: Path) -> list[float]:
    """Minutes the brands in ``sample.csv`` took to answer a customer's first tweet of a thread (for scale only)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = {row["tweet_id"]: row for row in csv.DictReader(handle)}
    waits = []
    for row in rows.values():
        if row["inbound"].strip().lower() != "true" or row["in_response_to_tweet_id"]:
            continue
        answers = [rows[r] for r in row["response_tweet_id"].split(",") if r in rows]
        brand = [parse_time(a["created_at"]) for a in answers if a["inbound"].strip().lower() != "true"]
        if brand:
            waits.append((min(brand) - parse_time(row["created_at"])).total_seconds() / 60)
    return [w for w in waits if w >= 0]


# -- triage and routing: webcare's own code ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Triaged:
    tweet: Tweet
    priority: int
    language: str
    team: int
    spam: bool
    intents: tuple[str, ...]


def triage_and_route(tweets: Sequence[Tweet], progress: Progress) -> list[Triaged]:
    from webcare.routing.defaults import DEFAULT_RULES
    from webcare.routing.rules import Facts, parse_rule, route
    from webcare.triage.analyse import analyse, warm_up
    from webcare.triage.language import DEFAULT_LANGUAGES

    warm_up()
    rules = [parse_rule(spec) for spec in DEFAULT_RULES]
    task = progress.add_task("triage and routing (webcare's code)", total=len(tweets))
    out = []
    for tweet in tweets:
        result = analyse(tweet.text, public=True, languages=DEFAULT_LANGUAGES)
        decision = route(rules, Facts(channel_kind="x", channel_slug="x", language=result.language,
                                      intents=result.intents, sentiment=result.sentiment_label,
                                      register=result.register, text=result.redacted_text, priority=result.priority,
                                      profane=result.profane, public=True, public_pii="pii_public" in result.signals))
        out.append(Triaged(tweet, decision.priority or result.priority, result.language,
                           TEAM_SLUGS.get(decision.team or "", POOL), decision.spam, result.intents))
        progress.advance(task)
    return out


# -- the simulation ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    agents: int = 10
    capacity: int = 3
    handling_minutes: float = 6.0
    mode: str = "least_loaded"
    reclaim_minutes: int = 30
    seed: int = 1
    #: A customer's new message on a ticket whose agent is offline sends it back to the pool at once (webcare's
    #: ingestion step does); False: it waits for the reclaim time (for comparison).
    release_offline: bool = True


@dataclass
class SimTicket:
    id: int
    author: str
    team: int
    priority: int
    waiting_since: datetime | None
    assignee: int | None = None
    assigned_at: datetime | None = None
    touched_at: datetime | None = None
    in_progress: bool = False
    answers: int = 0


@dataclass
class SimAgent:
    id: int
    shift_start_hour: int
    teams: tuple[int, ...]
    presence: str = "offline"
    current: int | None = None
    #: Tickets assigned to the agent: waiting for an answer (their load) or answered and pending.
    owned: set[int] = field(default_factory=set)
    busy_seconds: float = 0.0
    online_seconds: float = 0.0


@dataclass(frozen=True)
class Answer:
    kind: str  # first or next
    team: int
    priority: int
    waited_minutes: float
    asked_at: datetime


@dataclass
class Outcome:
    answers: list[Answer] = field(default_factory=list)
    spam: int = 0
    tickets: int = 0
    assignments: int = 0
    reclaims: int = 0
    unanswered: int = 0
    agents: list[SimAgent] = field(default_factory=list)
    ended_at: datetime | None = None


def roster(config: Config) -> list[SimAgent]:
    """Ten agents over the three shifts; the last two of the evening shift also work sales & marketing."""
    starts = [hour for hour, count in SHIFTS for _ in range(count)]
    if config.agents != len(starts):
        starts = [SHIFTS[i % len(SHIFTS)][0] for i in range(config.agents)]
    agents = [SimAgent(i + 1, start, (SERVICE, POOL)) for i, start in enumerate(starts)]
    for agent in agents[-2:]:
        agent.teams = (SERVICE, SALES, POOL)
    return agents


class Day:
    """A discrete-event simulation of one day's tickets: arrivals, assignment, work, reclaim, shifts."""

    def __init__(self, triaged: Sequence[Triaged], day: date, config: Config) -> None:
        from webcare.routing import assignment

        self.assignment = assignment
        self.config = config
        self.start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        self.agents = {a.id: a for a in roster(config)}
        self.tickets: dict[int, SimTicket] = {}
        self.by_author: dict[str, SimTicket] = {}
        self.last_assigned: dict[int, int | None] = {SERVICE: None, SALES: None, POOL: None}
        self.queue: list[tuple[datetime, int, str, Any]] = []
        self.seq = 0
        self.outcome = Outcome()
        self.triaged = triaged
        self.mu = math.log(config.handling_minutes) - SIGMA**2 / 2

    # events
    def at(self, moment: datetime, kind: str, payload: Any = None) -> None:
        self.seq += 1
        heapq.heappush(self.queue, (moment, self.seq, kind, payload))

    def run(self) -> Outcome:
        for item in self.triaged:
            self.at(item.tweet.at, "arrive", item)
        for day_offset in (-1, 0, 1, 2):
            for agent in self.agents.values():
                begins = self.start + timedelta(days=day_offset, hours=agent.shift_start_hour)
                ends = begins + timedelta(hours=SHIFT_HOURS)
                if ends <= self.start:
                    continue
                self.at(max(begins, self.start), "online", agent.id)
                self.at(ends - AWAY_BEFORE_END, "away", agent.id)
                self.at(ends, "offline", agent.id)
        self.at(self.start + timedelta(seconds=PASS_SECONDS), "pass")
        last_arrival = max(item.tweet.at for item in self.triaged)
        while self.queue:
            now, _seq, kind, payload = heapq.heappop(self.queue)
            getattr(self, f"_{kind}")(now, payload)
            if kind == "pass":
                waiting = any(t.waiting_since is not None for t in self.tickets.values())
                if now > last_arrival and not waiting:
                    break
                if now < self.start + timedelta(days=3):
                    self.at(now + timedelta(seconds=PASS_SECONDS), "pass")
        self.outcome.ended_at = now
        for agent in self.agents.values():
            if agent.presence != "offline":  # still at work when the simulation stops
                agent.online_seconds += (now - self.start).total_seconds()
        self.outcome.tickets = len(self.tickets)
        self.outcome.unanswered = sum(1 for t in self.tickets.values() if t.waiting_since is not None)
        self.outcome.agents = list(self.agents.values())
        return self.outcome

    def _arrive(self, now: datetime, item: Triaged) -> None:
        ticket = self.by_author.get(item.tweet.author)
        if ticket is None:
            ticket = SimTicket(len(self.tickets) + 1, item.tweet.author, item.team, item.priority,
                               None if item.spam else now)
            self.tickets[ticket.id] = ticket
            self.by_author[ticket.author] = ticket
            if item.spam:  # set aside by routing: labelled spam, solved, never assigned
                self.outcome.spam += 1
                return
            self.assign({ticket.team}, now)
            return
        ticket.priority = min(ticket.priority, item.priority)  # later messages only raise priority
        if ticket.waiting_since is None:  # answered before (or spam): the customer's new message reopens it
            ticket.waiting_since = now
            if (ticket.assignee is not None and self.config.release_offline
                    and self.agents[ticket.assignee].presence == "offline"):
                self.agents[ticket.assignee].owned.discard(ticket.id)
                ticket.assignee = ticket.assigned_at = None
            if ticket.assignee is not None:  # back to the agent who answered, as in webcare
                self.work(self.agents[ticket.assignee], now)
            else:
                self.assign({ticket.team}, now)

    def _online(self, now: datetime, agent_id: int) -> None:
        agent = self.agents[agent_id]
        agent.presence = "online"
        agent.online_seconds -= (now - self.start).total_seconds()
        self.assign(set(agent.teams), now)  # do_set_presence offers the waiting tickets at once
        self.work(agent, now)

    def _away(self, now: datetime, agent_id: int) -> None:
        self.agents[agent_id].presence = "away"

    def _offline(self, now: datetime, agent_id: int) -> None:
        agent = self.agents[agent_id]
        agent.presence = "offline"
        agent.online_seconds += (now - self.start).total_seconds()

    def _finish(self, now: datetime, ticket_id: int) -> None:
        ticket = self.tickets[ticket_id]
        agent = self.agents[ticket.assignee or 0]
        assert ticket.waiting_since is not None
        self.outcome.answers.append(Answer("first" if ticket.answers == 0 else "next", ticket.team, ticket.priority,
                                           (now - ticket.waiting_since).total_seconds() / 60, ticket.waiting_since))
        ticket.answers += 1
        ticket.waiting_since = None
        ticket.in_progress = False
        ticket.touched_at = now
        agent.current = None
        self.work(agent, now)

    def _pass(self, now: datetime, _payload: Any) -> None:
        """The automation pass: reclaim untouched tickets, then assign the pools (webcare.routing.reclaim.run)."""
        cutoff = now - timedelta(minutes=self.config.reclaim_minutes)
        taken_from: dict[int, int] = {}
        for ticket in self.tickets.values():
            if (ticket.assignee is not None and ticket.waiting_since is not None and not ticket.in_progress
                    and ticket.assigned_at is not None and ticket.assigned_at < cutoff
                    and (ticket.touched_at is None or ticket.touched_at < cutoff) and ticket.waiting_since < cutoff):
                taken_from[ticket.id] = ticket.assignee
                self.agents[ticket.assignee].owned.discard(ticket.id)
                ticket.assignee = ticket.assigned_at = None
                self.outcome.reclaims += 1
        self.assign({SERVICE, SALES, POOL}, now, taken_from)

    # decisions: webcare's pure core
    def held(self, agent: SimAgent) -> list[SimTicket]:
        """The agent's tickets waiting for an answer: their load."""
        return [self.tickets[t] for t in agent.owned if self.tickets[t].waiting_since is not None]

    def candidates(self) -> dict[int, Any]:
        """The agents as webcare's assignment sees them, as ``webcare.routing.pool.load_staff`` reads them: load = the
        new and open tickets they hold; last assignment = the newest ``assigned_at`` of their open tickets, answered
        (pending) ones included."""
        out = {}
        for agent in self.agents.values():
            owned = [self.tickets[t] for t in agent.owned]
            out[agent.id] = self.assignment.Candidate(
                agent.id, agent.presence, len(self.held(agent)), self.config.capacity,
                last_assigned_at=max((t.assigned_at for t in owned if t.assigned_at), default=None))
        return out

    def assign(self, teams: Iterable[int], now: datetime, taken_from: dict[int, int] | None = None) -> None:
        taken_from = taken_from or {}
        teams = set(teams)
        pool = [self.assignment.PoolTicket(t.id, t.team, t.priority, t.waiting_since, not_agent_id=taken_from.get(t.id))
                for t in self.tickets.values()
                if t.team in teams and t.assignee is None and t.waiting_since is not None]
        if not pool:
            return
        mode = self.config.mode
        policies = {team: self.assignment.TeamPolicy(team, mode, tuple(sorted(a.id for a in self.agents.values()
                                                                             if team in a.teams)),
                                                     self.last_assigned[team])
                    for team in teams}
        result = self.assignment.plan(pool, self.candidates(), policies, now)
        for made in result.assignments:
            ticket = self.tickets[made.ticket_id]
            ticket.assignee, ticket.assigned_at, ticket.touched_at = made.agent_id, now, None
            self.agents[made.agent_id].owned.add(ticket.id)
            self.outcome.assignments += 1
        self.last_assigned.update(result.last_assigned)
        for agent_id in {made.agent_id for made in result.assignments}:
            self.work(self.agents[agent_id], now)

    def work(self, agent: SimAgent, now: datetime) -> None:
        """A free agent who is online or away takes the most urgent, longest-waiting ticket they hold."""
        held = self.held(agent) if agent.current is None and agent.presence != "offline" else []
        if not held:
            return
        ticket = min(held, key=lambda t: (t.priority, t.waiting_since or now, t.id))
        ticket.in_progress = True
        ticket.touched_at = now
        agent.current = ticket.id
        rng = random.Random(self.config.seed * 1_000_003 + ticket.id * 101 + ticket.answers)
        minutes = rng.lognormvariate(self.mu, SIGMA)
        agent.busy_seconds += minutes * 60
        self.at(now + timedelta(minutes=minutes), "finish", ticket.id)


# -- figures ----------------------------------------------------------------------------------------------------------


def summary(minutes: Sequence[float]) -> dict[str, Any]:
    if not minutes:
        return {"n": 0}
    values = np.asarray(minutes)
    return {"n": len(values), "median_min": round(float(np.median(values)), 1),
            "p90_min": round(float(np.percentile(values, 90)), 1),
            "p99_min": round(float(np.percentile(values, 99)), 1), "max_min": round(float(values.max()), 1),
            "within_1h": round(float((values <= 60).mean()), 3)}


def figures(outcome: Outcome, start: datetime) -> dict[str, Any]:
    first = [a for a in outcome.answers if a.kind == "first"]
    nexts = [a for a in outcome.answers if a.kind == "next"]
    by_hour: dict[int, list[float]] = defaultdict(list)
    for answer in first:
        hour = int((answer.asked_at - start).total_seconds() // 3600)
        if 0 <= hour < 24:
            by_hour[hour].append(answer.waited_minutes)
    return {
        "tickets": outcome.tickets, "spam_set_aside": outcome.spam, "assignments": outcome.assignments,
        "reclaims": outcome.reclaims, "unanswered_at_end": outcome.unanswered,
        "first_response": summary([a.waited_minutes for a in first]),
        "next_response": summary([a.waited_minutes for a in nexts]),
        "first_response_by_team": {TEAM_NAMES[team]: summary([a.waited_minutes for a in first if a.team == team])
                                   for team in (SERVICE, SALES, POOL)},
        "first_response_by_priority": {str(p): summary([a.waited_minutes for a in first if a.priority == p])
                                       for p in sorted({a.priority for a in first})},
        "first_response_by_hour": {str(h): summary(by_hour[h]) for h in range(24)},
        "agent_busy_share": {str(a.id): round(a.busy_seconds / max(a.online_seconds, 1.0), 2)
                             for a in outcome.agents},
    }


def agents_on(hour: int) -> int:
    """Agents scheduled in this hour of the day (UTC)."""
    return sum(count for first, count in SHIFTS if (hour - first) % 24 < SHIFT_HOURS)


def erlang_comparison(answers: Sequence[Answer], start: datetime, handling: float) -> dict[str, Any] | None:
    """What Erlang C (M/M/N, one ticket at a time) predicts for each hour's arrivals and staffing."""
    try:
        from webcare.supervision.erlang import average_speed_of_answer, service_level
    except ImportError:
        return None
    per_hour = Counter(int((a.asked_at - start).total_seconds() // 3600) for a in answers)
    predicted = weight = 0.0
    hours = {}
    for hour in range(24):
        arrivals, agents = per_hour.get(hour, 0), agents_on(hour)
        level = service_level(agents, arrivals, handling, 60)
        asa = average_speed_of_answer(agents, arrivals, handling)
        hours[str(hour)] = {"arrivals": arrivals, "agents": agents, "within_1h": round(level, 3),
                            "mean_wait_min": round(asa, 2) if math.isfinite(asa) else None}
        predicted += level * arrivals
        weight += arrivals
    return {"within_1h": round(predicted / weight, 3) if weight else None, "hours": hours}


# -- the chart (SVG by hand: matplotlib is not installed) ----------------------------------------------------------


def chart(path: Path, result: dict[str, Any], answers: Sequence[Answer], start: datetime, title: str) -> None:
    width, height, left, right = 900, 560, 60, 60
    top1, h1 = 60, 200
    top2, h2 = 330, 170
    plot_w = width - left - right
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="#fff"/>',
           f'<text x="{left}" y="24" font-size="15" font-weight="bold">{title}</text>']
    # top: arrivals per hour (bars), agents online (steps), median and p90 first-response wait (dots)
    hours = result["first_response_by_hour"]
    arrivals = Counter(int((a.asked_at - start).total_seconds() // 3600) for a in answers if a.kind == "first")
    peak = max(max(arrivals.values(), default=1), 1)
    bar_w = plot_w / 24
    waits = [hours[str(h)].get("p90_min", 0) or 0 for h in range(24)]
    wait_top = max(10, math.ceil(max(waits) / 10) * 10)
    svg.append(f'<text x="{left}" y="{top1 - 12}">New conversations per hour (bars, left) · agents online (line) · '
               f'first-response wait, median ● and 90th percentile ○ (right, minutes)</text>')
    for h in range(24):
        x = left + h * bar_w
        bar = h1 * arrivals.get(h, 0) / peak
        svg.append(f'<rect x="{x + 2:.1f}" y="{top1 + h1 - bar:.1f}" width="{bar_w - 4:.1f}" height="{bar:.1f}" '
                   f'fill="#c9d7ea"/>')
        if h % 3 == 0:
            svg.append(f'<text x="{x:.1f}" y="{top1 + h1 + 16}">{h:02d}:00</text>')
        for key, fill in (("median_min", "#1f4e8c"), ("p90_min", "none")):
            value = hours[str(h)].get(key)
            if value is not None:
                y = top1 + h1 - h1 * min(value, wait_top) / wait_top
                svg.append(f'<circle cx="{x + bar_w / 2:.1f}" cy="{y:.1f}" r="4" fill="{fill}" stroke="#1f4e8c"/>')
    steps = " ".join(f"{left + h * bar_w:.1f},{top1 + h1 - h1 * agents_on(h) / 10:.1f} "
                     f"{left + (h + 1) * bar_w:.1f},{top1 + h1 - h1 * agents_on(h) / 10:.1f}" for h in range(24))
    svg.append(f'<polyline points="{steps}" fill="none" stroke="#b35900" stroke-width="2"/>')
    svg.append(f'<line x1="{left}" y1="{top1 + h1}" x2="{left + plot_w}" y2="{top1 + h1}" stroke="#444"/>')
    svg.append(f'<text x="{left - 8}" y="{top1 + 4}" text-anchor="end">{peak}</text>')
    svg.append(f'<text x="{left - 8}" y="{top1 + h1}" text-anchor="end">0</text>')
    svg.append(f'<text x="{left + plot_w + 8}" y="{top1 + 4}">{wait_top} min</text>')
    svg.append(f'<text x="{left + plot_w + 8}" y="{top1 + h1}">0</text>')
    for begins, count in SHIFTS:
        y = top1 + h1 - h1 * count / 10 - 5
        svg.append(f'<text x="{left + begins * bar_w + 4:.1f}" y="{y:.1f}" fill="#b35900">{count} agents</text>')
    # bottom: share of conversations answered within t minutes (first responses)
    first = sorted(a.waited_minutes for a in answers if a.kind == "first")
    horizon = 120
    svg.append(f'<text x="{left}" y="{top2 - 12}">Share of conversations with a first answer within t minutes</text>')
    points = []
    for i, value in enumerate(first):
        x = left + plot_w * min(value, horizon) / horizon
        y = top2 + h2 - h2 * (i + 1) / len(first)
        points.append(f"{x:.1f},{y:.1f}")
    svg.append(f'<polyline points="{left},{top2 + h2} {" ".join(points)} {left + plot_w},'
               f'{points[-1].split(",")[1] if points else top2 + h2}" fill="none" stroke="#1f4e8c" '
               f'stroke-width="2"/>')
    for t in range(0, horizon + 1, 15):
        x = left + plot_w * t / horizon
        svg.append(f'<line x1="{x:.1f}" y1="{top2 + h2}" x2="{x:.1f}" y2="{top2 + h2 + 4}" stroke="#444"/>')
        svg.append(f'<text x="{x:.1f}" y="{top2 + h2 + 18}" text-anchor="middle">{t}</text>')
    for share in (0.0, 0.5, 1.0):
        y = top2 + h2 - h2 * share
        svg.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>')
        svg.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{share:.0%}</text>')
    hour_x = left + plot_w * 60 / horizon
    within = result["first_response"].get("within_1h", 0)
    svg.append(f'<line x1="{hour_x:.1f}" y1="{top2}" x2="{hour_x:.1f}" y2="{top2 + h2}" stroke="#b35900" '
               f'stroke-dasharray="4 3"/>')
    svg.append(f'<text x="{hour_x + 6:.1f}" y="{top2 + 14}" fill="#b35900">1 hour: {within:.1%} answered</text>')
    svg.append(f'<text x="{left + plot_w}" y="{top2 + h2 + 34}" text-anchor="end">minutes</text>')
    svg.append("</svg>")
    path.write_text("\n".join(svg) + "\n", encoding="utf-8")


def render_png(svg: Path, png: Path) -> bool:
    """The SVG as a PNG, drawn by Debian's chromium through Playwright (no imaging library is installed)."""
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        return False
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 900, "height": 560})
        page.goto(svg.resolve().as_uri())
        page.screenshot(path=str(png))
        browser.close()
    return True


# -- main -------------------------------------------------------------------------------------------------------------


def simulate(triaged: Sequence[Triaged], day: date, config: Config) -> tuple[dict[str, Any], Outcome]:
    outcome = Day(triaged, day, config).run()
    return figures(outcome, datetime(day.year, day.month, day.day, tzinfo=UTC)), outcome


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the twcs folder (../shared/data/twcs)")
    parser.add_argument("--day", type=date.fromisoformat, help="the day to replay (default: the busiest)")
    parser.add_argument("--capacity", type=int, default=Config.capacity)
    parser.add_argument("--handling", type=float, default=Config.handling_minutes, help="mean handling minutes")
    parser.add_argument("--mode", choices=("least_loaded", "round_robin"), default=Config.mode)
    parser.add_argument("--reclaim", type=int, default=Config.reclaim_minutes)
    parser.add_argument("--seed", type=int, default=Config.seed)
    parser.add_argument("--no-grid", action="store_true", help="skip the grid of other settings")
    args = parser.parse_args(argv)
    source = args.data / "spotifycares_inbound.csv"
    if not source.exists():
        raise SystemExit(f"{source} not found: ../shared/data must be checked out beside the repository")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webcare.settings")
    import django

    django.setup()
    console = Console(width=None if sys.stdout.isatty() else 110)
    tweets = read_tweets(source)
    day = args.day or busiest_day(tweets)
    todays = sorted((t for t in tweets if t.at.date() == day), key=lambda t: (t.at, t.author))
    config = Config(capacity=args.capacity, handling_minutes=args.handling, mode=args.mode,
                    reclaim_minutes=args.reclaim, seed=args.seed)
    columns = (TextColumn("{task.description:<40}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
               TimeElapsedColumn())
    grid_configs = [] if args.no_grid else [
        Config(capacity=capacity, handling_minutes=handling, mode=mode, reclaim_minutes=config.reclaim_minutes,
               seed=config.seed)
        for handling in (4.0, 6.0, 10.0) for capacity in (1, 3) for mode in ("least_loaded", "round_robin")]
    with Progress(*columns, console=console) as progress:
        triaged = triage_and_route(todays, progress)
        task = progress.add_task("simulating the day", total=1 + len(grid_configs))
        result, outcome = simulate(triaged, day, config)
        progress.advance(task)
        grid = []
        for other in grid_configs:
            figures_ = simulate(triaged, day, other)[0]
            grid.append({"handling_min": other.handling_minutes, "capacity": other.capacity, "mode": other.mode,
                         **{k: figures_["first_response"][k] for k in ("median_min", "p90_min", "p99_min",
                                                                       "within_1h")},
                         "reclaims": figures_["reclaims"]})
            progress.advance(task)
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    what_if = simulate(triaged, day, Config(capacity=config.capacity, handling_minutes=config.handling_minutes,
                                            mode=config.mode, reclaim_minutes=config.reclaim_minutes,
                                            seed=config.seed, release_offline=False))[0]
    one_at_a_time = simulate(triaged, day, Config(capacity=1, handling_minutes=config.handling_minutes,
                                                  mode=config.mode, seed=config.seed))[0]
    erlang = erlang_comparison(outcome.answers, start, config.handling_minutes)
    brands = real_brand_first_responses(args.data / "sample.csv") if (args.data / "sample.csv").exists() else []
    report = {
        "day": day.isoformat(), "tweets": len(todays), "customers": len({t.author for t in todays}),
        "model": {**asdict(config), "handling": f"log-normal, mean {config.handling_minutes} min, sigma {SIGMA}",
                  "shifts_utc": [f"{first:02d}:00-{(first + SHIFT_HOURS) % 24:02d}:00 × {count}"
                                 for first, count in SHIFTS],
                  "away_before_shift_end_min": int(AWAY_BEFORE_END.total_seconds() // 60),
                  "teams": {"customer service": "all 10 agents", "sales & marketing": "agents 9 and 10",
                            "shared pool (no team)": "all 10 agents"},
                  "pass_seconds": PASS_SECONDS},
        "routing": {TEAM_NAMES[team]: n for team, n in sorted(Counter(t.team for t in triaged if not t.spam).items())}
        | {"spam": sum(t.spam for t in triaged)},
        "priorities": {str(p): n for p, n in sorted(Counter(t.priority for t in triaged).items())},
        **result,
        "grid": grid,
        "without_release_from_offline_agents": {"first_response": what_if["first_response"],
                                                        "next_response": what_if["next_response"],
                                                        "reclaims": what_if["reclaims"]},
        "erlang_c": erlang and {**erlang, "simulated_capacity_1_within_1h": one_at_a_time["first_response"]
                                ["within_1h"]},
        "real_brands_sample_first_response": summary(brands),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "simulate_day.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    svg = RESULTS / "simulate_day.svg"
    chart(svg, result, outcome.answers, start,
          f"@SpotifyCares, {day.isoformat()} (UTC): {len(todays)} tweets, 10 agents, {config.mode.replace('_', ' ')}, "
          f"capacity {config.capacity}, handling ~{config.handling_minutes:g} min")
    png = render_png(svg, RESULTS / "simulate_day.png")
    print_report(console, report, png)
    return 0


def print_report(console: Console, report: dict[str, Any], png: bool) -> None:
    table = Table(title=f"First-response times, {report['day']} ({report['tweets']} tweets, "
                        f"{report['customers']} customers)")
    for column in ("", "n", "median", "p90", "p99", "max", "≤ 1 h"):
        table.add_column(column, justify="right" if column else "left")

    def row(label: str, s: dict[str, Any]) -> None:
        if s.get("n"):
            table.add_row(label, str(s["n"]), f"{s['median_min']} min", f"{s['p90_min']} min",
                          f"{s['p99_min']} min", f"{s['max_min']} min", f"{s['within_1h']:.1%}")

    row("all first responses", report["first_response"])
    row("next responses (reopened)", report["next_response"])
    for team, s in report["first_response_by_team"].items():
        row(f"team: {team}", s)
    for priority, s in report["first_response_by_priority"].items():
        row(f"priority {priority}", s)
    console.print(table)
    console.print(f"reclaims {report['reclaims']}, assignments {report['assignments']}, spam set aside "
                  f"{report['spam_set_aside']}, unanswered at the end {report['unanswered_at_end']}")
    if report["grid"]:
        grid = Table(title="Other settings (first responses)")
        for column in ("handling", "capacity", "mode", "median", "p90", "p99", "≤ 1 h", "reclaims"):
            grid.add_column(column)
        for g in report["grid"]:
            grid.add_row(f"{g['handling_min']:g} min", str(g["capacity"]), g["mode"], f"{g['median_min']} min",
                         f"{g['p90_min']} min", f"{g['p99_min']} min", f"{g['within_1h']:.1%}", str(g["reclaims"]))
        console.print(grid)
    without = report["without_release_from_offline_agents"]["next_response"]
    console.print(f"if reopened tickets of offline agents waited for the reclaim time instead: next responses "
                  f"median {without['median_min']} min, p90 {without['p90_min']} min, max {without['max_min']} min")
    if report["erlang_c"]:
        console.print(f"Erlang C predicts {report['erlang_c']['within_1h']:.1%} answered within 1 h for the same "
                      f"hours and staffing; simulated with capacity 1: "
                      f"{report['erlang_c']['simulated_capacity_1_within_1h']:.1%}")
    brands = report["real_brands_sample_first_response"]
    if brands.get("n"):
        console.print(f"for scale, the real brands of sample.csv: median {brands['median_min']} min, p90 "
                      f"{brands['p90_min']} min, {brands['within_1h']:.1%} within 1 h (n={brands['n']})")
    console.print(f"results: {RESULTS / 'simulate_day.json'}, chart: {RESULTS / 'simulate_day.svg'}"
                  + (f" and {RESULTS / 'simulate_day.png'}" if png else ""))


if __name__ == "__main__":
    raise SystemExit(main())
