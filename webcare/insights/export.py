"""The topics view as CSV — pure: one row per topic, figures and names only (no message text, no personal data).

Choices, for product teams who open it in Excel in the Nordics as often as in a script:

- **UTF-8 with a byte-order mark**: without it Excel on Windows reads UTF-8 as the local code page and "Påske",
  "Störung" come out garbled; pandas, R and Google Sheets skip the mark.
- **Commas** between fields by default (RFC 4180: what every tool reads); ``;`` on request (``sep=semicolon``),
  because Excel with a Nordic, Dutch or German list separator opens a double-clicked comma file as one column.
- **Whole numbers only** (the per-cent change rounded), so no decimal separator can be misread by either.
- Cells that would start with ``=``, ``+``, ``-``, ``@`` or a tab are prefixed with an apostrophe: a discovered
  topic is a customer's word, and a spreadsheet must not run it as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Final
from zoneinfo import ZoneInfo

from webcare.insights.topics import Topic, View
from webcare.insights.weeks import Comparison

HEADER: Final = ("week", "period_start", "period_end", "compared_start", "compared_end", "topic", "kind", "total",
                 "complaints", "praise", "neutral", "last_week_total", "last_week_complaints", "last_week_praise",
                 "last_week_neutral", "change", "change_percent", "top_channels", "top_languages")
BOM: Final = "\ufeff"
DELIMITERS: Final = {"comma": ",", "semicolon": ";"}
_FORMULA: Final = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula."""
    return "'" + value if value.startswith(_FORMULA) else value


def _local(moment: object, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")  # type: ignore[attr-defined]


def _row(comparison: Comparison, topic: Topic, channels: Mapping[int, str], zone: ZoneInfo) -> list[str | int]:
    top_channels = "; ".join(f"{channels.get(pk, pk)} ({n})" for pk, n in topic.channels)
    top_languages = "; ".join(f"{language or '?'} ({n})" for language, n in topic.languages)
    return [comparison.week.label, _local(comparison.this.start, zone), _local(comparison.this.end, zone),
            _local(comparison.last.start, zone), _local(comparison.last.end, zone), cell(topic.name), topic.kind,
            topic.this.total, topic.this.complaints, topic.this.praise, topic.this.neutral,
            topic.last.total, topic.last.complaints, topic.last.praise, topic.last.neutral,
            topic.change.absolute, "" if topic.change.percent is None else topic.change.percent,
            cell(top_channels), top_languages]


def csv_text(comparison: Comparison, view: View, channels: Mapping[int, str], zone: ZoneInfo,
             delimiter: str = ",") -> str:
    """The CSV file's text, byte-order mark first, CRLF line ends (RFC 4180)."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADER)
    for topic in view.topics:
        writer.writerow(_row(comparison, topic, channels, zone))
    return out.getvalue()


def filename(comparison: Comparison) -> str:
    return f"topics-{comparison.week.label}{'-so-far' if comparison.so_far else ''}.csv"
