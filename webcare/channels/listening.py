"""Listening: posts that mention the brand without addressing it, found by keyword searches, so a complaint on a
platform where the brand has no page or was not tagged still reaches the inbox.

:class:`ListeningConnector` is the platform-neutral part: the channel's ``keywords`` become search queries, each
query keeps its own cursor, and a post found by several queries (or again in the overlap of two polls) becomes one
message. A platform implements :meth:`ListeningConnector.search` (and, if it can, ``send``).

The cursor, per query (``poll_state["queries"][query]``): ``mark`` — the newest time the platform indexed a post it
returned — and ``seen`` — the posts indexed in the last ``OVERLAP`` before it. Each poll asks for posts since
``mark - OVERLAP``, because search indexes are eventually consistent (a post can appear in the index a little after
newer ones) and drops what ``seen`` already holds; whatever slips through both is still one message, because the
post id is the event id. The first poll looks back ``lookback_hours`` (setting, default 24). A query removed from the
keywords drops out of the state; a new one starts with its own look-back.

:class:`BlueskyListeningConnector` searches Bluesky (``app.bsky.feed.searchPosts``, newest first). Ids:
``message_id`` = the post's ``at://`` URI, ``conversation_id`` = the URI of its thread's root post (its own URI when
it is no reply), ``author.id`` = the author's DID (stable when the handle changes). Posts by the brand's own account
(``handle`` setting) are stored as the brand's outbound messages.

Bluesky's public AppView often refuses unauthenticated search (403) and never pages it; with the brand's handle and
an app password webcare signs in (``com.atproto.server.createSession`` on the PDS, the session kept in memory for
30 minutes), searches through the PDS, pages with the cursor, and can answer: a public reply is
``com.atproto.repo.createRecord`` of an ``app.bsky.feed.post`` whose ``reply`` names the thread's root and the post
answered (their CIDs are read with ``app.bsky.feed.getPosts`` first).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

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

OVERLAP = timedelta(minutes=10)
DEFAULT_LOOKBACK_HOURS = 24
SEEN_LIMIT = 500


@dataclass(frozen=True)
class Mention:
    """One post a search found, in the terms webcare needs."""

    id: str
    conversation_id: str
    author_id: str
    author_handle: str
    author_name: str
    text: str
    sent_at: datetime
    #: When the platform indexed the post: what the cursor follows (it can differ from when the author wrote it).
    indexed_at: datetime
    in_reply_to: str = ""
    attachments: tuple[dict[str, Any], ...] = ()
    raw: Any = field(default=None, compare=False)


def _obj(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one: platforms omit or null what they have nothing for."""
    return value if isinstance(value, dict) else {}


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time as an aware datetime (no offset: UTC), or None when it is not one."""
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


class ListeningConnector(Connector):
    """Keyword searches on one platform, polled. Subclasses implement :meth:`search`."""

    webhook = False
    polling = True
    max_queries: ClassVar[int] = 20

    # -- what to search for ---------------------------------------------------------------------------------------
    def keywords(self) -> list[str]:
        """The channel's keywords: a list, or one text with one per line or comma; duplicates dropped."""
        value = self.channel.settings.get("keywords")
        if isinstance(value, str):
            value = re.split(r"[\n,]", value)
        if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
            raise ConnectorError("keywords must be a list of search texts, or one text with one search per line")
        found: dict[str, str] = {}
        for keyword in (k.strip() for k in value):
            if keyword:
                found.setdefault(keyword.casefold(), keyword)
        if not found:
            raise ConnectorError(f"channel {self.channel.slug!r} has no keywords to search for")
        if len(found) > self.max_queries:
            raise ConnectorError(f"at most {self.max_queries} keywords per channel ({len(found)} given): each is "
                                 "one search per poll")
        return list(found.values())

    def query_for(self, keyword: str) -> str:
        """The platform's query for one keyword (as written by default: platforms have their own search syntax)."""
        return keyword

    def lookback(self) -> timedelta:
        value = self.setting("lookback_hours", str(DEFAULT_LOOKBACK_HOURS))
        if not value.isdigit():
            raise ConnectorError(f"lookback_hours must be a whole number of hours, not {value!r}")
        return timedelta(hours=int(value))

    def own_ids(self) -> set[str]:
        """The brand's own account ids and handles on the platform: their posts are the brand's messages."""
        return set()

    def search(self, query: str, since: datetime) -> list[Mention]:
        """Posts matching ``query`` indexed since ``since``, newest first."""
        raise NotImplementedError

    # -- polling --------------------------------------------------------------------------------------------------
    def poll(self, state: Mapping[str, Any]) -> tuple[list[InboundItem], dict[str, Any]]:
        before = _obj(state.get("queries"))
        found: dict[str, Mention] = {}
        queries: dict[str, Any] = {}
        for query in dict.fromkeys(self.query_for(k) for k in self.keywords()):
            mentions, queries[query] = self._poll_query(query, _obj(before.get(query)))
            for mention in mentions:
                found.setdefault(mention.id, mention)  # a post several queries found is one message
        ordered = sorted(found.values(), key=lambda m: (m.sent_at, m.id))
        return [self._item(m) for m in ordered], {"queries": queries}

    def _poll_query(self, query: str, before: Mapping[str, Any]) -> tuple[list[Mention], dict[str, Any]]:
        mark = parse_time(before.get("mark")) if before.get("mark") else None
        seen: dict[str, str] = _obj(before.get("seen"))
        since = mark - OVERLAP if mark else timezone.now() - self.lookback()
        fresh = [m for m in self.search(query, since) if m.id not in seen and m.indexed_at >= since]
        for mention in fresh:
            seen[mention.id] = _iso(mention.indexed_at)
        newest = max([mention.indexed_at for mention in fresh] + ([mark] if mark else []), default=None)
        if newest is None:
            return fresh, {}
        window = newest - OVERLAP
        recent = [(i, at) for i, at in seen.items() if (when := parse_time(at)) is not None and when >= window]
        keep = sorted(recent, key=lambda pair: pair[1], reverse=True)[:SEEN_LIMIT]
        return fresh, {"mark": _iso(newest), "seen": dict(keep)}

    def _item(self, mention: Mention) -> InboundItem:
        own = self.own_ids()
        outbound = mention.author_id in own or mention.author_handle.lstrip("@").casefold() in own
        payload = {
            "message_id": mention.id, "conversation_id": mention.conversation_id, "conversation_kind": "public",
            "direction": "outbound" if outbound else "inbound",
            "author": {"id": mention.author_id, "handle": mention.author_handle[:255],
                       "name": mention.author_name[:255]},
            "text": mention.text, "sent_at": _iso(mention.sent_at), "in_reply_to": mention.in_reply_to,
            "attachments": list(mention.attachments),
        }
        return InboundItem(mention.id, ItemKind.MESSAGE, payload, mention.raw, mention.conversation_id)


# -- Bluesky ---------------------------------------------------------------------------------------------------------

SESSION_SECONDS = 30 * 60
#: (channel pk, handle) → (access JWT, DID, monotonic expiry). In memory only: never written to the database.
_SESSIONS: dict[tuple[int, str], tuple[str, str, float]] = {}


def _post_attachments(embed: Any) -> tuple[dict[str, Any], ...]:
    """Images (also beside a quoted post) and videos of a post view's embed."""
    if not isinstance(embed, dict):
        return ()
    if isinstance(embed.get("media"), dict):  # app.bsky.embed.recordWithMedia#view
        embed = embed["media"]
    found: list[dict[str, Any]] = []
    for image in embed.get("images") or []:
        if isinstance(image, dict) and image.get("fullsize"):
            url = str(image["fullsize"])
            found.append({"name": url.rsplit("/", 1)[-1][:255] or "image", "content_type": "image/jpeg", "url": url})
    if embed.get("playlist"):  # app.bsky.embed.video#view: an HLS playlist
        found.append({"name": "video.m3u8", "content_type": "application/vnd.apple.mpegurl",
                      "url": str(embed["playlist"])})
    return tuple(found)


def mention_from_post(post: Mapping[str, Any]) -> Mention:
    """A Bluesky ``PostView`` as a :class:`Mention`; :class:`Malformed` naming what is missing."""
    uri = str(post.get("uri") or "")
    author, record = _obj(post.get("author")), _obj(post.get("record"))
    indexed = parse_time(post.get("indexedAt"))
    if not uri.startswith("at://") or not author.get("did") or indexed is None:
        raise Malformed(f"post {uri or '?'}: needs an at:// uri, author.did and indexedAt")
    created = parse_time(record.get("createdAt"))
    # A client may write any createdAt; one in the future (or none) falls back to when Bluesky saw the post.
    sent_at = created if created is not None and created <= indexed else indexed
    reply = _obj(record.get("reply"))
    root = str(_obj(reply.get("root")).get("uri") or "")
    return Mention(
        id=uri, conversation_id=root or uri, author_id=str(author["did"]),
        author_handle=f"@{author['handle']}" if author.get("handle") else "",
        author_name=str(author.get("displayName") or ""), text=str(record.get("text") or "").strip(),
        sent_at=sent_at, indexed_at=indexed, in_reply_to=str(_obj(reply.get("parent")).get("uri") or ""),
        attachments=_post_attachments(post.get("embed")), raw=dict(post),
    )


class BlueskyListeningConnector(ListeningConnector):
    kind = "listening"
    label = "Listening: Bluesky"
    capabilities = frozenset({Capability.PUBLIC_REPLY})
    credential_fields = (
        CredentialField("keywords", "Keywords", secret=False,
                        help='One search per line (or comma-separated), e.g. Fjordnett, "fjord nett", '
                             "fjordnett.no. Bluesky's search syntax works: lang:nb, -from:fjordnett.no."),
        CredentialField("handle", "Bluesky handle", secret=False, required=False,
                        help="The brand's Bluesky account (e.g. fjordnett.no): its posts count as the brand's, and "
                             "with an app password it searches and replies."),
        CredentialField("app_password", "App password", required=False,
                        help="Bluesky → Settings → Privacy and security → App passwords. Without one, search uses "
                             "Bluesky's public API, which often refuses unauthenticated search, and nobody can "
                             "reply from webcare."),
    )
    default_api_base = "https://public.api.bsky.app"
    default_pds = "https://bsky.social"
    rate_per_second: ClassVar[float] = 1.0
    page_size: ClassVar[int] = 100
    max_pages: ClassVar[int] = 5

    # -- auth -----------------------------------------------------------------------------------------------------
    @property
    def pds(self) -> str:
        return (self.setting("pds_url") or self.default_pds).rstrip("/")

    def _handle(self) -> str:
        return self.setting("handle").strip().lstrip("@")

    def signed_in(self) -> bool:
        return bool(self._handle() and self.credentials.get("app_password"))

    def session(self) -> tuple[str, str]:
        """(access JWT, DID) of the brand's account; a new session every ``SESSION_SECONDS``."""
        handle = self._handle()
        if not handle or not self.credentials.get("app_password"):
            raise ConnectorError(f"channel {self.channel.slug!r} has no Bluesky handle and app password set")
        key = (self.channel.pk, handle)
        cached = _SESSIONS.get(key)
        if cached and cached[2] > time.monotonic():
            return cached[0], cached[1]
        response = call("POST", f"{self.pds}/xrpc/com.atproto.server.createSession", "sign in to Bluesky",
                        json={"identifier": handle, "password": str(self.credentials["app_password"])})
        body = response.json()
        if not isinstance(body, dict) or not body.get("accessJwt") or not body.get("did"):
            raise SendError("Bluesky signed in without a session token", health=HealthStatus.FAILING)
        _SESSIONS[key] = (str(body["accessJwt"]), str(body["did"]), time.monotonic() + SESSION_SECONDS)
        return str(body["accessJwt"]), str(body["did"])

    def _xrpc(self, method: str, name: str, what: str, **kwargs: Any) -> dict[str, Any]:
        """One XRPC call: through the PDS with the session when signed in, else the public API."""
        if self.signed_in():
            token, _ = self.session()
            url, headers = f"{self.pds}/xrpc/{name}", {"Authorization": f"Bearer {token}"}
        else:
            url, headers = f"{self.api_base}/xrpc/{name}", {}
        try:
            response = call(method, url, what, headers=headers, **kwargs)
        except SendError as exc:
            if exc.status_code == 401:  # the session ended early: sign in again next time
                _SESSIONS.pop((self.channel.pk, self._handle()), None)
            raise
        body = response.json() if response.content else {}
        if not isinstance(body, dict):
            raise Malformed(f"{what}: Bluesky answered with something that is not a JSON object")
        return body

    def own_ids(self) -> set[str]:
        handle = self._handle().casefold()
        cached = _SESSIONS.get((self.channel.pk, self._handle()))
        return {value for value in (handle, cached[1] if cached else "") if value}

    # -- search ---------------------------------------------------------------------------------------------------
    def search(self, query: str, since: datetime) -> list[Mention]:
        params: dict[str, Any] = {"q": query, "sort": "latest", "limit": self.page_size,
                                  "since": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        mentions: list[Mention] = []
        for _ in range(self.max_pages):
            body = self._xrpc("GET", "app.bsky.feed.searchPosts", f"search Bluesky for {query!r}", params=params)
            posts = body.get("posts")
            if not isinstance(posts, list):
                raise Malformed(f"search Bluesky for {query!r}: the answer has no list of posts")
            for post in posts:
                try:
                    mention = mention_from_post(post if isinstance(post, dict) else {})
                except Malformed as exc:
                    logger.warning("Bluesky post skipped on channel %s: %s", self.channel.slug, exc)
                    continue
                if mention.text or mention.attachments:
                    mentions.append(mention)
            # The public API refuses a cursor; only a signed-in search pages.
            if not body.get("cursor") or len(posts) < self.page_size or not self.signed_in():
                break
            params["cursor"] = body["cursor"]
        return mentions

    # -- replies --------------------------------------------------------------------------------------------------
    def send(self, request: OutboundRequest) -> SendResult:
        if request.action != Action.REPLY or not request.conversation_public:
            raise SendError(f"Bluesky listening can only reply in public, not {request.action.replace('_', ' ')}")
        if not request.text.strip():
            raise SendError("a reply needs text")
        if not request.target_id.startswith("at://"):
            raise SendError("no Bluesky post to answer: the conversation has no post URI")
        try:
            _, did = self.session()
        except SendError:
            raise
        except ConnectorError as exc:
            raise SendError(f"{exc}; replies need them") from exc
        posts = self._xrpc("GET", "app.bsky.feed.getPosts", "read the post to answer on Bluesky",
                           params={"uris": request.target_id}).get("posts") or []
        parent = posts[0] if posts and isinstance(posts[0], dict) else {}
        if not parent.get("cid"):
            raise SendError(f"the post {request.target_id} is no longer on Bluesky (deleted?)")
        parent_ref = {"uri": str(parent["uri"]), "cid": str(parent["cid"])}
        root = _obj(_obj(_obj(parent.get("record")).get("reply")).get("root"))
        if not (root.get("uri") and root.get("cid")):  # the post answered starts its thread
            root = parent_ref
        record = {"$type": "app.bsky.feed.post", "text": request.text,
                  "createdAt": timezone.now().astimezone(UTC).isoformat().replace("+00:00", "Z"),
                  "reply": {"root": {"uri": str(root["uri"]), "cid": str(root["cid"])}, "parent": parent_ref}}
        body = self._xrpc("POST", "com.atproto.repo.createRecord", "post the reply on Bluesky",
                          json={"repo": did, "collection": "app.bsky.feed.post", "record": record})
        return SendResult(external_id=str(body.get("uri") or ""), sent_at=timezone.now())

    def check(self) -> HealthReport:
        try:
            keywords = self.keywords()
            if self.signed_in():
                self.session()
                return HealthReport(HealthStatus.OK, f"signed in as @{self._handle()}; searching Bluesky for "
                                                     f"{len(keywords)} keyword(s)")
            self._xrpc("GET", "app.bsky.feed.searchPosts", "search Bluesky",
                       params={"q": self.query_for(keywords[0]), "limit": 1})
        except SendError as exc:
            hint = (" — set the brand's handle and an app password: Bluesky often refuses unauthenticated search"
                    if exc.status_code == 403 and not self.signed_in() else "")
            return HealthReport(exc.health or HealthStatus.FAILING, f"Bluesky refused: {exc}{hint}")
        except ConnectorError as exc:
            return HealthReport(HealthStatus.FAILING, str(exc))
        return HealthReport(HealthStatus.OK, f"searching Bluesky's public API for {len(keywords)} keyword(s); "
                                             "without an app password nobody can reply from webcare")
