"""``webcare triage``: JSON lines in, one JSON line of triage out per input line — or triage stored messages.

Input lines are ``{"id": …, "text": "…", "channel": "x"}`` (``channel`` optional; ``public`` may be given as a
boolean to override what the channel name implies). A line that is not a valid JSON object with a text yields
``{"line": N, "error": "…"}`` and the run goes on. Lines are read and written one at a time (output flushed every
batch), so memory stays flat however long the input is.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from webcare.triage.analyse import analyse, channel_is_public
from webcare.triage.language import DEFAULT_LANGUAGES

FLUSH_EVERY = 256


def parse_languages(value: str) -> tuple[str, ...]:
    codes = tuple(code.strip().lower() for code in value.split(",") if code.strip())
    if not codes:
        raise CommandError("--languages needs at least one ISO 639-1 code, e.g. nb,nn,da,sv,fi,nl,de,en")
    bad = [code for code in codes if not (2 <= len(code) <= 3 and code.isalpha())]
    if bad:
        raise CommandError(f"--languages: {', '.join(bad)} is not an ISO 639-1 code")
    return codes


def read_item(line: str) -> dict[str, Any]:
    """The validated input object of one line; raises ValueError with what is wrong."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(item, dict):
        raise ValueError(f"expected a JSON object, got {type(item).__name__}")
    if "text" not in item:
        raise ValueError("missing field: text")
    if not isinstance(item["text"], str):
        raise ValueError("text: must be a string")
    if not isinstance(item.get("channel", ""), str):
        raise ValueError("channel: must be a string")
    if "public" in item and not isinstance(item["public"], bool):
        raise ValueError("public: must be true or false")
    return item


def triage_line(number: int, line: str, languages: tuple[str, ...]) -> dict[str, Any]:
    """The output object for input line ``number`` (1-based)."""
    try:
        item = read_item(line)
    except ValueError as exc:
        return {"line": number, "error": str(exc)}
    public = item["public"] if "public" in item else channel_is_public(item.get("channel", ""))
    result = analyse(item["text"], public=public, languages=languages)
    return {
        "id": item.get("id"),
        "language": result.language,
        "pii": [{"type": s.type, "start": s.start, "end": s.end} for s in result.pii],
        "redacted_text": result.redacted_text,
        "profanity": result.profane,
        "profanity_terms": list(result.profanity_terms),
        "abuse_score": result.abuse_score,
        "sentiment": result.sentiment,
        "sentiment_label": result.sentiment_label,
        "intents": list(result.intents),
        "register": result.register,
        "signals": list(result.signals),
        "priority": result.priority,
    }


def lines_of(stream: IO[bytes]) -> Iterator[tuple[int, str | None]]:
    """(line number, text) per input line; text is None when the bytes are not UTF-8."""
    for number, raw in enumerate(stream, start=1):
        try:
            yield number, raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            yield number, None


def run(lines: Iterable[tuple[int, str | None]], out: IO[str], languages: tuple[str, ...]) -> int:
    """Triage every line to ``out``; returns how many lines were read."""
    count = 0
    for number, text in lines:
        count += 1
        if text is None:
            result: dict[str, Any] = {"line": number, "error": "not valid UTF-8"}
        else:
            result = triage_line(number, text, languages)
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        if count % FLUSH_EVERY == 0:
            out.flush()
    out.flush()
    return count


class Command(BaseCommand):
    help = ("Triage JSON lines from standard input ({\"id\", \"text\", \"channel\"}) to JSON lines on standard "
            "output; or, with --stored, triage stored inbound messages that were never triaged.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--languages", default=",".join(DEFAULT_LANGUAGES),
                            help="languages to tell apart, comma-separated ISO 639-1 (default: %(default)s)")
        parser.add_argument("--stored", action="store_true",
                            help="triage stored inbound messages not triaged yet (e.g. after an upgrade)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["stored"]:
            from webcare.triage.backfill import triage_stored

            done = triage_stored(progress=True)
            self.stderr.write(f"triaged {done} stored message(s)")
            return
        languages = parse_languages(options["languages"])
        run(lines_of(sys.stdin.buffer), sys.stdout, languages)
