"""Import webcare's own JSONL format: one ``MessageIn`` per line plus a small envelope (see docs/import.md).

Why this shape: the message part is exactly what the REST API accepts, so one validator, one set of error messages
and one document serve both; the envelope only says where a line goes (organisation, channel) and carries labels the
demo uses for evaluation, which the core ignores. A bad line is skipped with its line number and reason and nothing
of it is stored — not even an organisation or channel — while the rest of the file goes on.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from pydantic import ValidationError

from webcare.core.models import Channel, ChannelKind, Organisation, slug_validator
from webcare.importers.common import BatchWriter, ImportStats, Reporter, channel_for, organisation_for
from webcare.ingest.pipeline import format_validation_error
from webcare.ingest.schema import MessageIn
from webcare.ingest.store import ParsedItem

#: Keys of a line that are not part of ``MessageIn``. ``customer_key`` and ``language`` are ground-truth labels of
#: demo/evaluation data: accepted so such files import as they are, and ignored.
ENVELOPE_KEYS = ("organisation", "channel", "channel_kind", "customer_key", "language")
_KINDS = frozenset(ChannelKind.values)


class LineError(Exception):
    """A line cannot be stored; ``reason`` groups it in the summary, ``detail`` is printed with its line number."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def is_slug(value: Any) -> bool:
    """Whether ``value`` is a valid organisation/channel slug (by the models' own validator)."""
    if not isinstance(value, str):
        return False
    try:
        slug_validator(value)
    except DjangoValidationError:
        return False
    return True


class _Destinations:
    """Organisations and channels by slug, cached for the run and created on first use.

    Negative answers are not cached: a later line that carries ``channel_kind`` may still create the channel.
    """

    def __init__(self, stats: ImportStats, default_org: str | None, org_name: str | None) -> None:
        self.stats = stats
        self.default_org = default_org
        self.org_name = org_name
        self._orgs: dict[str, Organisation] = {}
        self._channels: dict[tuple[str, str], Channel] = {}

    def resolve(self, envelope: dict[str, Any]) -> Channel:
        org_slug = envelope.get("organisation") or self.default_org
        if not org_slug:
            raise LineError("organisation: missing", "give it in the line or with --org")
        if not is_slug(org_slug):
            raise LineError("organisation: not a valid slug", "lower-case letters, digits and hyphens")
        channel_slug = envelope.get("channel")
        if not channel_slug:
            raise LineError("channel: Field required")
        if not is_slug(channel_slug):
            raise LineError("channel: not a valid slug", "lower-case letters, digits and hyphens")
        kind = envelope.get("channel_kind")
        if kind is not None and (not isinstance(kind, str) or kind not in _KINDS):
            raise LineError("channel_kind: unknown", f"one of {', '.join(sorted(_KINDS))}")

        cached = self._channels.get((org_slug, channel_slug))
        if cached is not None:
            if kind and cached.kind != kind:
                raise LineError("channel_kind: differs from the existing channel",
                                f"{org_slug}/{channel_slug} is {cached.kind}")
            return cached
        org = self._orgs.get(org_slug) or Organisation.objects.filter(slug=org_slug).first()
        channel = Channel.objects.filter(organisation=org, slug=channel_slug).first() if org else None
        if channel is None and not kind:
            # Checked before creating anything, so a skipped line leaves no organisation behind either.
            raise LineError("unknown channel without channel_kind", f"{org_slug}/{channel_slug}")
        if org is None:
            # --org-name names the --org organisation; without --org it names any organisation the file creates.
            name = self.org_name if self.org_name and (not self.default_org or org_slug == self.default_org) else ""
            org = organisation_for(org_slug, name or org_slug, self.stats)
        self._orgs[org_slug] = org
        if channel is None:
            assert kind is not None
            channel = channel_for(org, channel_slug, kind, channel_slug, self.stats)
        if kind and channel.kind != kind:
            raise LineError("channel_kind: differs from the existing channel",
                            f"{org_slug}/{channel_slug} is {channel.kind}")
        self._channels[(org_slug, channel_slug)] = channel
        return channel


def parse_line(raw: bytes) -> tuple[dict[str, Any], MessageIn]:
    """Split one line into its envelope and its validated message, or raise :class:`LineError`."""
    try:
        data = json.loads(raw.rstrip(b"\r\n"))
    except UnicodeDecodeError as exc:
        raise LineError("not UTF-8", str(exc.reason)) from exc
    except json.JSONDecodeError as exc:
        raise LineError("invalid JSON", exc.msg + f" at column {exc.colno}") from exc
    if not isinstance(data, dict):
        raise LineError("not a JSON object")
    envelope = {key: data.pop(key) for key in ENVELOPE_KEYS if key in data}
    try:
        message = MessageIn.model_validate(data)
    except ValidationError as exc:
        raise LineError(format_validation_error(exc)) from exc
    return envelope, message


def import_jsonl(path: Path, *, reporter: Reporter, stats: ImportStats, batch_size: int,
                 default_org: str | None = None, org_name: str | None = None) -> ImportStats:
    """Stream ``path`` line by line into batches; memory is one batch whatever the file size."""
    started = time.monotonic()
    destinations = _Destinations(stats, default_org, org_name)
    size = path.stat().st_size
    with path.open("rb") as handle, reporter.phase("importing", total=size or None) as phase:
        writer = BatchWriter(stats, reporter, batch_size,
                             on_flush=lambda: phase.update(completed=handle.tell(), rows=stats.rows_read, force=True))
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            stats.rows_read += 1
            try:
                envelope, message = parse_line(raw.removeprefix(b"\xef\xbb\xbf") if number == 1 else raw)
                channel = destinations.resolve(envelope)
            except LineError as exc:
                reporter.skip(number, exc.reason, exc.detail)
                continue
            writer.add(number, ParsedItem(channel, message))
            if not stats.rows_read & 0xFF:
                phase.update(completed=handle.tell(), rows=stats.rows_read)
        writer.flush()
    stats.seconds = time.monotonic() - started
    return stats
