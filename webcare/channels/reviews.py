"""Trustpilot reviews: polled, each review a public conversation of its own, answered with the company reply.

Trustpilot pushes nothing webcare can subscribe to without an Enterprise webhook contract, so this connector polls the
Business Units API: ``GET /v1/private/business-units/{id}/reviews?orderBy=createdat.desc&perPage=100`` (newest first,
``page=2, 3 …`` while the pages are still newer than the cursor).

The cursor (``Channel.poll_state``):

- ``newest`` — the newest ``createdAt`` seen, and ``newest_ids`` — the reviews created at exactly that instant, so a
  review created in the same second as the last one seen is neither lost nor fetched twice;
- ``known`` — for the most recent reviews webcare holds (at most ``KNOWN_LIMIT``): when each was created and a digest
  of its stars, title, text and company reply. A known review whose digest changed was edited by the consumer (an
  ``edited`` update of the review) or got a company reply outside webcare (the brand's outbound message, or an
  ``edited`` update of it). Edits are therefore seen for reviews on the pages a poll reads — always the 100 newest.

The first poll (no cursor) takes the reviews of the last ``backfill_days`` (setting, default 14), not the whole
history.

Ids: ``conversation_id`` = ``message_id`` = the review id; the company reply is ``"<review id>:reply"`` — Trustpilot
gives a reply no id of its own, and a review has at most one reply (posting again replaces it). That is also why a
repeated send cannot post twice (``idempotent_sends``). Stars go into the subject (``★★☆☆☆ title``) and the first
line of the text, so an agent sees them in the list and in the thread, and an edit that changes only the stars shows.

Auth: the ``apikey`` header and an OAuth bearer token, which webcare fetches itself with the client-credentials grant
(API key + secret; tokens live 100 hours and are kept in memory until shortly before they expire), or a fixed
``access_token`` when given instead of the secret.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote

from django.utils import timezone

from webcare.channels.base import (
    Action,
    Capability,
    Connector,
    ConnectorError,
    CredentialField,
    HealthReport,
    HealthStatus,
    InboundItem,
    ItemKind,
    Malformed,
    OutboundRequest,
    SendError,
    SendResult,
)
from webcare.channels.http import call

logger = logging.getLogger("webcare.channels")

PER_PAGE = 100
MAX_PAGES = 20
KNOWN_LIMIT = 300
DEFAULT_BACKFILL_DAYS = 14
TOKEN_PATH = "/v1/oauth/oauth-business-users-for-applications/accesstoken"  # noqa: S105 - a URL path  # nosec B105
#: (channel pk, api key) → (access token, monotonic expiry). In memory only: a token is never written to the database.
_TOKENS: dict[tuple[int, str], tuple[str, float]] = {}


def _obj(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one: Trustpilot sends null for what a review lacks."""
    return value if isinstance(value, dict) else {}


def stars_bar(stars: int) -> str:
    return "★" * stars + "☆" * (5 - stars)


def parse_time(value: Any, what: str) -> datetime:
    """Trustpilot's timestamps; some are written without an offset and are UTC."""
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise Malformed(f"{what} {value!r} is not an ISO 8601 time") from exc
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def _digest(*parts: Any) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:16]


class Review:
    """One review as webcare needs it, read (and checked) from Trustpilot's JSON."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.id = str(raw.get("id") or "")
        consumer = _obj(raw.get("consumer"))
        self.consumer_id = str(consumer.get("id") or "")
        if not self.id or not self.consumer_id:
            raise Malformed(f"review {self.id or '?'}: needs id and consumer.id")
        self.consumer_name = str(consumer.get("displayName") or "")
        self.created = parse_time(raw.get("createdAt"), f"review {self.id}: createdAt")
        stars = raw.get("stars") or 0
        if not isinstance(stars, int) or not 0 <= stars <= 5:
            raise Malformed(f"review {self.id}: stars {stars!r} is not 1 to 5")
        self.stars = stars
        self.title = str(raw.get("title") or "").strip()
        self.body = str(raw.get("text") or "").strip()
        reply = _obj(raw.get("companyReply"))
        self.reply_text = str(reply.get("text") or "").strip()
        replied = reply.get("updatedAt") or reply.get("createdAt")
        self.reply_at = parse_time(replied, f"review {self.id}: companyReply time") if replied else self.created

    @property
    def text(self) -> str:
        return "\n\n".join(part for part in (stars_bar(self.stars), self.title, self.body) if part)

    @property
    def subject(self) -> str:
        return f"{stars_bar(self.stars)} {self.title}".strip()[:500]

    @property
    def review_digest(self) -> str:
        return _digest(self.stars, self.title, self.body)

    @property
    def reply_digest(self) -> str:
        return _digest(self.reply_text) if self.reply_text else ""


class TrustpilotConnector(Connector):
    kind = "reviews"
    label = "Trustpilot reviews"
    capabilities = frozenset({Capability.PUBLIC_REPLY})
    credential_fields = (
        CredentialField("api_key", "API key", help="From Trustpilot Business → Integrations → API (your application)."),
        CredentialField("api_secret", "API secret", required=False,
                        help="With the key, webcare fetches its own access tokens (client credentials)."),
        CredentialField("access_token", "Access token", required=False,
                        help="Instead of the secret: a business user OAuth token. It expires after 100 hours."),
        CredentialField("business_unit_id", "Business unit id", secret=False,
                        help="Your business unit's id (Trustpilot Business → Settings, or the API's find call)."),
        CredentialField("business_user_id", "Business user id", secret=False,
                        help="The Trustpilot Business user the replies are posted as (their profile page shows it)."),
    )
    webhook = False
    polling = True
    idempotent_sends = True
    rate_per_second: ClassVar[float] = 1.0
    default_api_base = "https://api.trustpilot.com"

    # -- auth -----------------------------------------------------------------------------------------------------
    def _token(self) -> str:
        if fixed := self.credentials.get("access_token"):
            return str(fixed)
        key, secret = self.secret("api_key"), self.secret("api_secret")
        cache_key = (self.channel.pk, key)
        cached = _TOKENS.get(cache_key)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        response = call("POST", f"{self.api_base}{TOKEN_PATH}", "get a Trustpilot access token", auth=(key, secret),
                        data={"grant_type": "client_credentials"})
        body = response.json() if response.content else {}
        token = str(body.get("access_token") or "") if isinstance(body, dict) else ""
        if not token:
            raise SendError("Trustpilot issued no access token for this API key and secret",
                            health=HealthStatus.TOKEN_EXPIRED)
        lifetime = float(body.get("expires_in") or 3600)
        _TOKENS[cache_key] = (token, time.monotonic() + max(lifetime - 300, 60))
        return token

    def _headers(self) -> dict[str, str]:
        return {"apikey": self.secret("api_key"), "Authorization": f"Bearer {self._token()}"}

    def _get(self, path: str, what: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            response = call("GET", f"{self.api_base}{path}", what, headers=self._headers(), params=params)
        except SendError as exc:
            if exc.status_code == 401:  # a cached token Trustpilot no longer takes: fetch a new one next time
                _TOKENS.pop((self.channel.pk, self.credentials.get("api_key", "")), None)
            raise
        try:
            body = response.json()
        except ValueError as exc:
            raise Malformed(f"{what}: Trustpilot answered with something that is not JSON") from exc
        if not isinstance(body, dict) or not isinstance(body.get("reviews", []), list):
            raise Malformed(f"{what}: Trustpilot's answer has no list of reviews")
        return body

    def _reviews_path(self) -> str:
        return f"/v1/private/business-units/{quote(self.secret('business_unit_id'), safe='')}/reviews"

    # -- polling --------------------------------------------------------------------------------------------------
    def poll(self, state: Mapping[str, Any]) -> tuple[list[InboundItem], dict[str, Any]]:
        newest = parse_time(state["newest"], "state newest") if state.get("newest") else None
        newest_ids = set(state.get("newest_ids") or [])
        known: dict[str, list[str]] = dict(_obj(state.get("known")))
        floor = newest or timezone.now() - timedelta(days=self._backfill_days())
        items: list[InboundItem] = []
        for review in reversed(self._fetch(floor)):  # oldest first, so events are stored in time order
            is_new = (review.created > newest or (review.created == newest and review.id not in newest_ids)
                      if newest else review.created >= floor)
            if is_new:
                items += self._new_review(review)
            elif review.id in known:
                items += self._changes(review, known[review.id])
            else:
                continue
            known[review.id] = [_iso(review.created), review.review_digest, review.reply_digest]
        return items, self._state(items, known, newest, newest_ids)

    def _backfill_days(self) -> int:
        value = self.setting("backfill_days", str(DEFAULT_BACKFILL_DAYS))
        if not value.isdigit():
            raise ConnectorError(f"backfill_days must be a whole number of days, not {value!r}")
        return int(value)

    def _fetch(self, floor: datetime) -> list[Review]:
        """Reviews newest first, page by page until a page reaches back past ``floor`` (or ends)."""
        reviews: list[Review] = []
        for page in range(1, MAX_PAGES + 1):
            params: dict[str, Any] = {"orderBy": "createdat.desc", "perPage": PER_PAGE}
            if page > 1:
                params["page"] = page
            raw = self._get(self._reviews_path(), "read the Trustpilot reviews", params)["reviews"]
            for item in raw:
                try:
                    reviews.append(Review(item if isinstance(item, dict) else {}))
                except Malformed as exc:
                    logger.warning("Trustpilot review skipped on channel %s: %s", self.channel.slug, exc)
            if len(raw) < PER_PAGE or (reviews and reviews[-1].created < floor):
                break
        else:
            logger.warning("channel %s: more than %d pages of new reviews; the rest come with the next poll",
                           self.channel.slug, MAX_PAGES)
        return reviews

    @staticmethod
    def _state(items: list[InboundItem], known: dict[str, list[str]], newest: datetime | None,
               newest_ids: set[str]) -> dict[str, Any]:
        created = [parse_time(known[item.event_id][0], "known") for item in items
                   if item.kind == ItemKind.MESSAGE and item.event_id in known]
        top = max([*created, *([newest] if newest else [])], default=None)
        if top is not None:
            at_top = {review_id for review_id, (at, *_) in known.items() if parse_time(at, "known") == top}
            newest_ids = at_top | (newest_ids if top == newest else set())
        recent = sorted(known.items(), key=lambda kv: kv[1][0], reverse=True)[:KNOWN_LIMIT]
        return {"newest": _iso(top) if top else None, "newest_ids": sorted(newest_ids), "known": dict(recent)}

    def _review_message(self, review: Review) -> InboundItem:
        payload = {
            "message_id": review.id, "conversation_id": review.id, "conversation_kind": "public",
            "author": {"id": review.consumer_id, "name": review.consumer_name[:255]}, "text": review.text,
            "subject": review.subject, "sent_at": _iso(review.created),
        }
        return InboundItem(review.id, ItemKind.MESSAGE, payload, dict(review.raw), review.id)

    def _reply_message(self, review: Review) -> InboundItem:
        reply_id = f"{review.id}:reply"
        payload = {
            "message_id": reply_id, "conversation_id": review.id, "conversation_kind": "public",
            "direction": "outbound", "author": {"id": self.secret("business_unit_id"), "name": self.channel.name},
            "text": review.reply_text, "sent_at": _iso(review.reply_at), "in_reply_to": review.id,
        }
        return InboundItem(reply_id, ItemKind.MESSAGE, payload, review.raw.get("companyReply"), review.id)

    def _new_review(self, review: Review) -> list[InboundItem]:
        items = [self._review_message(review)]
        if review.reply_text:  # answered on Trustpilot before webcare saw it (or by webcare: then a duplicate)
            items.append(self._reply_message(review))
        return items

    def _changes(self, review: Review, before: list[str]) -> list[InboundItem]:
        _, review_digest, reply_digest = [*before, "", "", ""][:3]
        items: list[InboundItem] = []
        if review.review_digest != review_digest:
            update = {"message_id": review.id, "change": "edited", "text": review.text,
                      "at": _iso(parse_time(review.raw.get("updatedAt") or review.created, "updatedAt"))}
            items.append(InboundItem(f"{review.id}:edit:{review.review_digest}", ItemKind.UPDATE, update,
                                     dict(review.raw), review.id))
        if review.reply_digest != reply_digest and review.reply_text:
            if not reply_digest:
                items.append(self._reply_message(review))
            else:
                update = {"message_id": f"{review.id}:reply", "change": "edited", "text": review.reply_text,
                          "at": _iso(review.reply_at)}
                items.append(InboundItem(f"{review.id}:reply:edit:{review.reply_digest}", ItemKind.UPDATE, update,
                                         review.raw.get("companyReply"), review.id))
        return items

    # -- outbound -------------------------------------------------------------------------------------------------
    def send(self, request: OutboundRequest) -> SendResult:
        if request.action != Action.REPLY:
            raise SendError(f"Trustpilot cannot {request.action.replace('_', ' ')}; a review can only be answered")
        review_id = request.target_id or request.conversation_id
        if not review_id or ":" in review_id:
            raise SendError("no review to answer: the conversation has no review id")
        if not request.text.strip():
            raise SendError("a reply needs text")
        try:
            body = {"authorBusinessUserId": self.secret("business_user_id"), "message": request.text}
            call("POST", f"{self.api_base}/v1/private/reviews/{quote(review_id, safe='')}/reply",
                 "post the reply on Trustpilot", headers=self._headers(), json=body)
        except ConnectorError as exc:
            if isinstance(exc, SendError):
                raise
            raise SendError(str(exc)) from exc
        return SendResult(external_id=f"{review_id}:reply", sent_at=timezone.now())

    def check(self) -> HealthReport:
        try:
            body = self._get(self._reviews_path(), "read the Trustpilot reviews", {"perPage": 1})
        except SendError as exc:
            return HealthReport(exc.health or HealthStatus.FAILING, f"Trustpilot refused: {exc}")
        except ConnectorError as exc:
            return HealthReport(HealthStatus.FAILING, str(exc))
        if not self.setting("business_user_id"):
            return HealthReport(HealthStatus.FAILING, "reviews can be read, but no business_user_id is set to "
                                                      "post replies as")
        reviews = body.get("reviews") or []
        unit = _obj(_obj(reviews[0]).get("businessUnit")) if reviews else {}
        name = unit.get("displayName") or unit.get("identifyingName") or self.setting("business_unit_id")
        return HealthReport(HealthStatus.OK, f"Trustpilot business unit {name}")
