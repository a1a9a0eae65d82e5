"""Which data is due for removal: the policies and a moment in, one cut-off per policy out. Pure: no database.

A policy for one channel kind wins over the organisation-wide policy (``channel_kind`` "") of the same data kind,
so the wide one covers every channel kind *except* those with their own; both are applied in the same run, each to
its own rows, and no row is covered twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Protocol

from webcare.retention.models import PER_CHANNEL, DataKind

#: The order the kinds are applied in and shown: files before the metadata that points to them goes with the texts,
#: the raw deliveries (which copy the texts) next, then the organisation-wide kinds.
ORDER: Final = (DataKind.ATTACHMENTS, DataKind.MESSAGE_BODIES, DataKind.RAW_EVENTS, DataKind.NOTIFICATIONS,
                DataKind.LIVE_EVENTS)

#: A new organisation's policies (organisation-wide), in days. Why these numbers: docs/privacy.md, "Retention".
DEFAULT_DAYS: Final[dict[str, int]] = {
    DataKind.ATTACHMENTS: 180,
    DataKind.MESSAGE_BODIES: 730,
    DataKind.RAW_EVENTS: 30,
    DataKind.NOTIFICATIONS: 90,
    DataKind.LIVE_EVENTS: 1,
}
#: Ten years: a longer "retention" is a typo for "keep forever", which is no policy.
MAX_DAYS: Final = 3650


class PolicyLike(Protocol):
    """What the plan reads of a policy (a :class:`~webcare.retention.models.RetentionPolicy` or a test double)."""

    @property
    def pk(self) -> int | None: ...

    channel_kind: str
    data_kind: str
    days: int


@dataclass(frozen=True)
class Cutoff:
    """One policy's due rows: those of ``data_kind`` older than ``before`` on ``channel_kind`` ("" = every channel
    kind but ``except_kinds``)."""

    policy_id: int
    data_kind: str
    channel_kind: str
    except_kinds: tuple[str, ...]
    days: int
    before: datetime

    @property
    def per_channel(self) -> bool:
        return self.data_kind in PER_CHANNEL


def cutoffs(policies: Iterable[PolicyLike], now: datetime) -> list[Cutoff]:
    """A cut-off per policy, in :data:`ORDER` (then wide before specific, then by channel kind)."""
    rows = list(policies)
    specific: dict[str, set[str]] = {}
    for policy in rows:
        if policy.channel_kind:
            specific.setdefault(policy.data_kind, set()).add(policy.channel_kind)
    found = [
        Cutoff(policy_id=int(policy.pk or 0), data_kind=policy.data_kind, channel_kind=policy.channel_kind,
               except_kinds=tuple(sorted(specific.get(policy.data_kind, ()))) if not policy.channel_kind else (),
               days=policy.days, before=now - timedelta(days=policy.days))
        for policy in rows if policy.data_kind in ORDER
    ]
    return sorted(found, key=lambda c: (ORDER.index(DataKind(c.data_kind)), c.channel_kind != "", c.channel_kind))

