"""Medians and 90th percentiles per group, computed in the database, the same way on SQLite and PostgreSQL.

Why not PostgreSQL's ``percentile_cont``: SQLite has no such aggregate, and loading every duration of a 30-day window
into Python (a million tickets at scale) to sort it there is what the dashboard must not do. Both databases have
window functions, so one query numbers each group's values in order (``ROW_NUMBER() OVER (PARTITION BY group ORDER BY
value)``) and counts them (``COUNT(*) OVER …``), and returns only the one or two rows around each wanted position —
at most four rows per group for a median and a 90th percentile. Python then interpolates between them exactly as
``percentile_cont`` does (:func:`interpolate`), so the figures are the textbook continuous percentiles on both
databases. The positions are integer arithmetic on fractions (9/10, not 0.9), so both databases pick the same rows.

The database still sorts the window's values (as ``percentile_cont`` would); the windows are bounded (at most 30 days),
and the sort runs where the data is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction
from typing import Any, Final

from django.db import connection
from django.db.models import Expression, F, QuerySet

MEDIAN: Final = Fraction(1, 2)
P90: Final = Fraction(9, 10)


def interpolate(ordered: Sequence[float], fraction: Fraction) -> float:
    """The continuous percentile of ``ordered`` (ascending, not empty), as ``percentile_cont``: the value at
    position fraction × (n − 1), interpolated linearly between its neighbours."""
    if not ordered:
        raise ValueError("a percentile of no values")
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be between 0 and 1, not {fraction}")
    scaled = fraction * (len(ordered) - 1)
    low = scaled.numerator // scaled.denominator
    rest = float(scaled - low)
    if rest == 0:
        return float(ordered[low])
    return float(ordered[low]) + rest * (float(ordered[low + 1]) - float(ordered[low]))


@dataclass(frozen=True)
class Spread:
    """How many values a group has and their percentiles, in seconds (keyed by fraction)."""

    count: int
    values: dict[Fraction, float]

    @property
    def median(self) -> float:
        return self.values[MEDIAN]

    @property
    def p90(self) -> float:
        return self.values[P90]


def seconds(value: Any) -> float:
    """A duration as the database returns it from raw SQL: an interval (PostgreSQL) or microseconds (SQLite)."""
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value) / 1_000_000


def by_group(rows: QuerySet[Any], group: Expression | F, value: Expression,
             fractions: Sequence[Fraction] = (MEDIAN, P90)) -> dict[Hashable, Spread]:
    """The percentiles of ``value`` (a duration expression) over ``rows`` for each distinct ``group``; rows whose
    value is null are left out. One query; at most two rows per group and fraction leave the database."""
    return by_groupings(rows, {"only": group}, value, fractions)["only"]


def by_groupings(rows: QuerySet[Any], groupings: Mapping[str, Expression | F], value: Expression,
                 fractions: Sequence[Fraction] = (MEDIAN, P90)) -> dict[str, dict[Hashable, Spread]]:
    """:func:`by_group` for several groupings of the same rows (per channel and per team) in one query: the rows
    are read once (a common table expression) and numbered once per grouping."""
    names = list(groupings)
    columns = {name: f"wc_group_{i}" for i, name in enumerate(names)}
    inner = rows.annotate(**{columns[name]: expression for name, expression in groupings.items()},
                          wc_value=value).filter(wc_value__isnull=False).values_list(
        *columns.values(), "wc_value").order_by()
    sql, params = inner.query.sql_with_params()
    q = connection.ops.quote_name
    wanted = " OR ".join(
        f"(rn - 1 = ({f.numerator} * (n - 1)) / {f.denominator} OR rn - 1 = ({f.numerator} * (n - 1)) / "
        f"{f.denominator} + 1)" for f in fractions)
    # Only fixed quoted names, integers and Django's own parameterised SQL go into the text.
    ranked = " UNION ALL ".join(
        f"SELECT {i} AS dim, {q(column)} AS g, {q('wc_value')} AS v, "  # noqa: S608  # nosec B608
        f"ROW_NUMBER() OVER (PARTITION BY {q(column)} ORDER BY {q('wc_value')}) AS rn, "
        f"COUNT(*) OVER (PARTITION BY {q(column)}) AS n FROM wc_durations"
        for i, column in enumerate(columns.values()))
    outer = (f"WITH wc_durations AS ({sql}) "  # noqa: S608  # nosec B608
             f"SELECT dim, g, rn, n, v FROM ({ranked}) AS wc_ranked WHERE {wanted}")
    picked: dict[tuple[int, Hashable], dict[int, float]] = defaultdict(dict)
    counts: dict[tuple[int, Hashable], int] = {}
    with connection.cursor() as cursor:
        cursor.execute(outer, params)
        for dim, key, rank, count, raw in cursor.fetchall():
            picked[(int(dim), key)][int(rank) - 1] = seconds(raw)
            counts[(int(dim), key)] = int(count)
    result: dict[str, dict[Hashable, Spread]] = {name: {} for name in names}
    for (dim, key), at in picked.items():
        n = counts[(dim, key)]
        result[names[dim]][key] = Spread(n, {f: _pick(at, f, n) for f in fractions})
    return result


def _pick(at: dict[int, float], fraction: Fraction, n: int) -> float:
    """:func:`interpolate` on the rows the query returned (``at``: position → value)."""
    scaled = fraction * (n - 1)
    low = scaled.numerator // scaled.denominator
    rest = float(scaled - low)
    return at[low] if rest == 0 else at[low] + rest * (at[low + 1] - at[low])
