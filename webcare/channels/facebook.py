"""Facebook Pages: Messenger conversations, and posts, visitor posts and comments on the page — in and out.

Ids, chosen so that :meth:`FacebookConnector.send` has what the Graph API needs:

- **Messenger**: ``conversation_id`` and ``author.id`` are the customer's PSID (page-scoped id): a page has one thread
  with each person and the Send API addresses it by the PSID (``POST /{page-id}/messages``, ``recipient.id``).
  ``message_id`` is the ``mid``. The page's own messages come back as echoes (``is_echo``): outbound, written by the
  page; the echo of webcare's own reply has the ``mid`` the Send API returned, so it is not stored twice.
- **Feed** (``changes[].field == "feed"``): a post on the page is a public conversation whose ``conversation_id``
  is the post id. A visitor's post is that conversation's first (inbound) message, ``message_id`` = the post id; the
  page's own post is stored as the page's (outbound) message, so agents see what people are commenting on. A comment
  is a message with ``message_id`` = the comment id and ``in_reply_to`` = the parent comment (a reply) or the post.
  ``author.id`` is the commenter's id as the feed gives it — **not** their PSID: the same person writing in Messenger
  is a second identity (agents can merge them).
- A public reply goes under the comment it answers (``POST /{comment-id}/comments``), or under the post when it
  answers the post itself. A private reply to a comment or visitor post is a Messenger message addressed by
  ``recipient.comment_id`` / ``recipient.post_id`` (one per comment, within 7 days); the customer's answer opens a
  Messenger thread (their PSID), which is a separate conversation.

- A **post of the brand's own** (an announcement during an incident, webcare/incidents) is ``POST /{page-id}/feed``
  with ``message``; Meta answers with the new post's id (``{page-id}_{post-id}``). Its echo through the feed webhook
  is the page's own post and is recognised by that id.

Skipped and logged: reactions and likes, hide/unhide notices, unpublished posts, receipts with only a watermark,
other webhook fields (mention, ratings …).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, ClassVar

from django.utils.translation import gettext_noop

from webcare.channels.base import (
    Action,
    Capability,
    ConnectorError,
    CredentialField,
    HealthReport,
    InboundItem,
    OutboundRequest,
    SendError,
    SendResult,
)
from webcare.channels.meta import (
    MAX_URL,
    MetaConnector,
    event_time,
    ident,
    message_item,
    obj,
    optional_id,
    part,
    text_digest,
    update_item,
)

logger = logging.getLogger("webcare.channels")

#: Feed items that are posts (the rest — comment apart — are reactions, likes, events …).
POST_ITEMS = frozenset({"status", "post", "photo", "video", "share", "link", "note"})
#: Messenger takes 2,000 characters in a text message; a comment up to 8,000.
MAX_MESSENGER = 2000
MAX_COMMENT = 8000
#: A page post's text: Facebook takes up to 63,206 characters.
MAX_POST = 63206


class FacebookConnector(MetaConnector):
    """One Facebook Page: Messenger, and the page's posts and comments."""

    kind: ClassVar[str] = "facebook"
    label: ClassVar[str] = "Facebook"
    meta_object: ClassVar[str] = "page"
    account_setting: ClassVar[str] = "page_id"
    access_field: ClassVar[str] = "page_access_token"
    messaging_name: ClassVar[str] = gettext_noop("Messenger")
    access_label: ClassVar[str] = "page access token"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({
        Capability.PUBLIC_REPLY, Capability.PRIVATE_REPLY, Capability.HIDE, Capability.DELETE, Capability.LIKE,
        Capability.POST,
    })
    post_limit: ClassVar[int] = MAX_POST
    fetches_profiles: ClassVar[bool] = True
    credential_fields: ClassVar[tuple[CredentialField, ...]] = (
        CredentialField("page_id", "Page ID", secret=False,
                        help="The page's numeric ID (the page's About › Page transparency, or Meta Business Suite)."),
        CredentialField("page_access_token", "Page access token",
                        help="A long-lived page access token with pages_messaging, pages_manage_engagement, "
                             "pages_read_user_content and pages_manage_metadata, and pages_manage_posts for "
                             "posts during incidents (best: a system user's token)."),
        CredentialField("app_secret", "App secret",
                        help="App settings › Basic › App secret: proves that deliveries come from Meta."),
        CredentialField("verify_token", "Verify token",
                        help="Any long random string; type the same into the webhook's Verify token field at Meta."),
        CredentialField("human_agent", "Human Agent permission approved", secret=False, required=False,
                        help="'yes' only when Meta approved the app's Human Agent permission: replies are then "
                             "allowed up to 7 days after the customer's last message instead of 24 hours."),
    )

    def fetch_profile(self, user_id: str) -> dict[str, str]:
        """Messenger's User Profile API: a person's name by their page-scoped id (PSID), with the page token."""
        answer = self.graph("GET", user_id, "Messenger profile", params={"fields": "first_name,last_name,name"})
        name = str(answer.get("name") or " ".join(
            part for part in (str(answer.get("first_name") or ""), str(answer.get("last_name") or "")) if part))
        return {"name": name.strip()[:255], "handle": ""}

    @property
    def messages_owner(self) -> str:
        try:
            return self.secret("page_id")
        except ConnectorError as exc:
            raise SendError(str(exc)) from exc

    # -- inbound: the page feed ------------------------------------------------------------------------------------
    def change_items(self, change: dict[str, Any], account: str, where: str, entry_at: datetime) -> list[InboundItem]:
        if change.get("field") != "feed":
            logger.info("facebook: skipped a %r change (webcare reads 'feed' and messaging)", change.get("field"))
            return []
        value = obj(change.get("value"), f"{where}.value")
        where += ".value"
        item, verb = str(value.get("item") or ""), str(value.get("verb") or "")
        if item == "comment":
            comment = ident(value.get("comment_id"), f"{where}.comment_id")
            post = ident(value.get("post_id"), f"{where}.post_id")
            parent = optional_id(value.get("parent_id"))
            return self._feed_item(value, verb, comment, post, parent or post, account, where, entry_at)
        if item in POST_ITEMS:
            if value.get("published") in (0, "0", False):
                logger.info("facebook: skipped an unpublished %s", item)
                return []
            post = ident(value.get("post_id"), f"{where}.post_id")
            return self._feed_item(value, verb, post, post, "", account, where, entry_at)
        logger.info("facebook: skipped a feed %r item (verb %r)", item or "(none)", verb or "(none)")
        return []

    def _feed_item(self, value: dict[str, Any], verb: str, message_id: str, post: str, in_reply_to: str,
                   account: str, where: str, entry_at: datetime) -> list[InboundItem]:
        """A post or comment added, edited or removed. Edits and removals carry no time of their own: the time
        Meta sent the notice (``entry.time``) is the closest."""
        text = str(value.get("message") or "")
        if verb == "add":
            return self._added(value, message_id, post, in_reply_to, text, account, where, entry_at)
        if verb == "edited":
            if not text.strip():
                logger.info("facebook: skipped an edit of %s without text", message_id)
                return []
            return [update_item(event_id=f"{message_id}:edit:{text_digest(text)}", message_id=message_id,
                                change="edited", at=entry_at, conversation_id=post, raw=value, text=text)]
        if verb == "remove":
            return [update_item(event_id=f"{message_id}:deleted", message_id=message_id, change="deleted",
                                at=entry_at, conversation_id=post, raw=value)]
        logger.info("facebook: skipped verb %r on %s", verb or "(none)", message_id)
        return []

    def _added(self, value: dict[str, Any], message_id: str, post: str, in_reply_to: str, text: str, account: str,
               where: str, entry_at: datetime) -> list[InboundItem]:
        sender = part(value, "from")
        author_id = optional_id(sender.get("id")) or optional_id(value.get("sender_id"))
        if not author_id:
            # Meta leaves the author out where its privacy rules hide them; without one there is nobody to answer.
            logger.warning("facebook: skipped %s: the feed change names no author", message_id)
            return []
        attachments = _feed_attachments(value)
        if not text.strip() and not attachments:
            logger.info("facebook: skipped %s: no text and no attachment", message_id)
            return []
        outbound = author_id == account
        name = str(sender.get("name") or value.get("sender_name") or (self.channel.name if outbound else ""))
        return [message_item(
            message_id=message_id, conversation_id=post, public=True, author={"id": author_id, "name": name},
            text=text, sent_at=event_time(value, "created_time", where, entry_at), outbound=outbound, raw=value,
            in_reply_to=in_reply_to, attachments=attachments,
        )]

    # -- outbound --------------------------------------------------------------------------------------------------
    def send(self, request: OutboundRequest) -> SendResult:
        """Replies (Messenger or a comment), private replies, comment moderation and posts of the page's own; returns
        Meta's new id."""
        self.refuse_attachments(request)
        if request.action == Action.POST:
            if problem := self.post_problem(request.text):
                raise SendError(problem)
            answer = self.graph("POST", f"{self.messages_owner}/feed", "Facebook post",
                                body={"message": request.text.strip()})
            return SendResult(external_id=self.new_id(answer, "id", "Facebook post"))
        if request.action == Action.REPLY and request.conversation_public:
            return SendResult(external_id=self._comment(request))
        if request.action == Action.REPLY:
            psid = request.conversation_id or str(request.recipient.get("id") or "")
            if not psid:
                raise SendError("no Messenger recipient: the request has no conversation id (PSID)")
            text = self.check_text(request.text, MAX_MESSENGER)
            mid = self.send_message({"id": psid}, text, "Messenger reply", self.messaging_type(request))
            return SendResult(external_id=mid)
        if request.action == Action.PRIVATE_REPLY:
            target = request.target_id or request.conversation_id
            if not target:
                raise SendError("a private reply needs the comment or visitor post it answers")
            key = "post_id" if target == request.conversation_id else "comment_id"
            text = self.check_text(request.text, MAX_MESSENGER)
            return SendResult(external_id=self.send_message({key: target}, text, "Facebook private reply"))
        target = request.target_id
        if not target:
            raise SendError(f"{request.action} needs the id of the comment or post to act on")
        if request.action in (Action.HIDE, Action.UNHIDE):
            self.graph("POST", target, f"Facebook {request.action}", body={"is_hidden": request.action == Action.HIDE})
        elif request.action == Action.DELETE:
            self.graph("DELETE", target, "Facebook delete")
        elif request.action == Action.LIKE:
            self.graph("POST", f"{target}/likes", "Facebook like")
        else:
            raise SendError(f"Facebook cannot {request.action}")
        return SendResult()

    def _comment(self, request: OutboundRequest) -> str:
        """A public reply under the comment it answers, or under the post when it answers the post itself."""
        under = request.target_id or request.conversation_id
        if not under:
            raise SendError("a public reply needs the post or comment it answers")
        text = self.check_text(request.text, MAX_COMMENT)
        answer = self.graph("POST", f"{under}/comments", "Facebook comment", body={"message": text})
        return self.new_id(answer, "id", "Facebook comment")

    def check(self) -> HealthReport:
        """``GET /{page-id}?fields=name`` with the page access token."""
        return self.check_account("name", lambda page: str(page.get("name") or page.get("id") or self.account_id))


def _feed_attachments(value: dict[str, Any]) -> list[dict[str, Any]]:
    """The photo(s), video or link a feed post or comment carries (URLs only; the files stay at Meta)."""
    more = value.get("photos")
    photos = [value.get("photo"), *(more if isinstance(more, list) else [])]
    urls = [url for url in dict.fromkeys(photos) if isinstance(url, str) and url]
    found = [{"name": f"photo {index}" if len(urls) > 1 else "photo", "content_type": "image/*", "url": url}
             for index, url in enumerate(urls, start=1)]
    if isinstance(value.get("video"), str) and value["video"]:
        found.append({"name": "video", "content_type": "video/*", "url": value["video"]})
    if isinstance(value.get("link"), str) and value["link"] and not found:
        found.append({"name": "link", "content_type": "text/html", "url": value["link"]})
    return [dict(item, url=item["url"] if len(item["url"]) <= MAX_URL else "") for item in found]
