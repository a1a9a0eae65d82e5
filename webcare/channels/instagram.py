"""Instagram professional accounts: direct messages, and comments on the account's posts and reels — in and out.

Works with both of Meta's ways in: the Instagram API with Facebook Login (``graph.facebook.com``, the page access
token of the Facebook Page linked to the account) and with Instagram Login (set ``api_base_url`` to
``https://graph.instagram.com`` and use the Instagram user access token). The paths are the same on both.

Ids, chosen so that :meth:`InstagramConnector.send` has what the Graph API needs:

- **Direct messages** (``messaging[]`` and ``standby[]``, the same shape as Messenger): ``conversation_id`` and
  ``author.id`` are the customer's IGSID (Instagram-scoped id), which the Send API addresses (``POST /me/messages``,
  ``recipient.id``). ``message_id`` is the ``mid``. Story replies carry the story as an attachment ("story replied
  to"); story mentions arrive as a message whose attachment is the story; shared posts and reels as attachments.
  Unsend → ``deleted``; "seen" → ``read``; a message Instagram cannot pass on (``is_unsupported``) is kept with a note
  saying so, so the customer is not ignored. Echoes of the account's own messages are outbound.
- **Comments** (``changes[].field`` ``comments`` / ``live_comments``): the public conversation is the media (post,
  reel) id; ``message_id`` is the comment id; ``in_reply_to`` the parent comment (a reply) or the media; ``author.id``
  the commenter's IGSID with ``@username`` as handle. A comment by the account itself is outbound.
- A public reply is ``POST /{comment-id}/replies`` (or a comment on the media when there is no comment to answer); a
  private reply is a direct message addressed by ``recipient.comment_id`` (one per comment, within 7 days).

Not stored: ``mentions`` (an @mention in a comment or caption on someone else's media). Meta's notice carries only the
comment and media ids — no text, no author — and reading them needs a Graph call per mention; this connector does
no network calls while a delivery is being acknowledged, so mentions are logged and skipped (docs/channels/
instagram.md). Reactions, referrals and other fields are skipped and logged too. Instagram cannot like a comment
through the API, so LIKE is not offered.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, ClassVar

from django.utils.translation import gettext_noop

from webcare.channels.base import (
    Action,
    Capability,
    CredentialField,
    HealthReport,
    InboundItem,
    OutboundRequest,
    SendError,
    SendResult,
)
from webcare.channels.meta import MetaConnector, ident, message_item, obj, optional_id, part

logger = logging.getLogger("webcare.channels")

#: Instagram takes 1,000 bytes (UTF-8) in a direct message and 2,200 characters in a comment.
MAX_DM_BYTES = 1000
MAX_COMMENT = 2200


class InstagramConnector(MetaConnector):
    """One Instagram professional (business or creator) account."""

    kind: ClassVar[str] = "instagram"
    label: ClassVar[str] = "Instagram"
    meta_object: ClassVar[str] = "instagram"
    account_setting: ClassVar[str] = "instagram_account_id"
    access_field: ClassVar[str] = "access_token"
    messaging_name: ClassVar[str] = gettext_noop("Direct messages")
    access_label: ClassVar[str] = "Instagram access token"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({
        Capability.PUBLIC_REPLY, Capability.PRIVATE_REPLY, Capability.HIDE, Capability.DELETE,
    })
    fetches_profiles: ClassVar[bool] = True
    credential_fields: ClassVar[tuple[CredentialField, ...]] = (
        CredentialField("instagram_account_id", "Instagram account ID", secret=False,
                        help="The numeric ID of the Instagram professional account (not the @username)."),
        CredentialField("access_token", "Access token",
                        help="With Facebook Login: the linked Facebook Page's access token (instagram_basic, "
                             "instagram_manage_messages, instagram_manage_comments). With Instagram Login: the "
                             "Instagram user token, and set api_base_url to https://graph.instagram.com."),
        CredentialField("app_secret", "App secret",
                        help="The Meta app's secret (Instagram Login: the Instagram app secret): proves that "
                             "deliveries come from Meta."),
        CredentialField("verify_token", "Verify token",
                        help="Any long random string; type the same into the webhook's Verify token field at Meta."),
        CredentialField("human_agent", "Human Agent permission approved", secret=False, required=False,
                        help="'yes' only when Meta approved the app's Human Agent permission: replies are then "
                             "allowed up to 7 days after the customer's last message instead of 24 hours."),
    )

    def fetch_profile(self, user_id: str) -> dict[str, str]:
        """Instagram's User Profile API: name and @username by the Instagram-scoped id (IGSID)."""
        answer = self.graph("GET", user_id, "Instagram profile", params={"fields": "name,username"})
        username = str(answer.get("username") or "").strip()
        return {"name": str(answer.get("name") or "").strip()[:255], "handle": f"@{username}"[:255] if username else ""}

    # -- inbound: comments and the dashboard's test messages ---------------------------------------------------------
    def change_items(self, change: dict[str, Any], account: str, where: str, entry_at: datetime) -> list[InboundItem]:
        field = change.get("field")
        if field in ("comments", "live_comments"):
            return self._comment(obj(change.get("value"), f"{where}.value"), account, f"{where}.value", entry_at)
        if field == "messages":  # the App Dashboard's "Test" button sends a messaging event this way
            value = obj(change.get("value"), f"{where}.value")
            return self.messaging_items(value, account, f"{where}.value", entry_at)
        if field == "mentions":
            mention = part(change, "value")
            logger.info("instagram: skipped a mention (comment %s on media %s): the notice has no text or author",
                        mention.get("comment_id") or "-", mention.get("media_id") or "-")
            return []
        logger.info("instagram: skipped a %r change (webcare reads comments and messaging)", field)
        return []

    def _comment(self, value: dict[str, Any], account: str, where: str, entry_at: datetime) -> list[InboundItem]:
        """A comment on the account's media. Instagram's notice has no time of its own: ``entry.time`` (when Meta
        sent it, seconds after the comment) is used."""
        comment = ident(value.get("id"), f"{where}.id")
        media = ident(obj(value.get("media"), f"{where}.media").get("id"), f"{where}.media.id")
        sender = part(value, "from")
        author_id = optional_id(sender.get("id"))
        if not author_id:
            logger.warning("instagram: skipped comment %s: the notice names no author", comment)
            return []
        text = str(value.get("text") or "")
        if not text.strip():
            logger.info("instagram: skipped comment %s without text", comment)
            return []
        username = str(sender.get("username") or "")
        outbound = author_id == account
        author = {"id": author_id, "handle": f"@{username}" if username else "",
                  "name": self.channel.name if outbound else ""}
        return [message_item(message_id=comment, conversation_id=media, public=True, author=author, text=text,
                             sent_at=entry_at, outbound=outbound, raw=value,
                             in_reply_to=optional_id(value.get("parent_id")) or media)]

    # -- outbound --------------------------------------------------------------------------------------------------
    def send(self, request: OutboundRequest) -> SendResult:
        """Replies (a direct message or a comment reply), private replies, hide/unhide and delete."""
        self.refuse_attachments(request)
        if request.action == Action.REPLY and request.conversation_public:
            return SendResult(external_id=self._comment_reply(request))
        if request.action == Action.REPLY:
            igsid = request.conversation_id or str(request.recipient.get("id") or "")
            if not igsid:
                raise SendError("no Instagram recipient: the request has no conversation id (IGSID)")
            text = self.check_text(request.text, MAX_DM_BYTES, MAX_DM_BYTES)
            mid = self.send_message({"id": igsid}, text, "Instagram message", self.messaging_type(request))
            return SendResult(external_id=mid)
        if request.action == Action.PRIVATE_REPLY:
            if not request.target_id or request.target_id == request.conversation_id:
                raise SendError("an Instagram private reply needs the comment it answers")
            text = self.check_text(request.text, MAX_DM_BYTES, MAX_DM_BYTES)
            mid = self.send_message({"comment_id": request.target_id}, text, "Instagram private reply")
            return SendResult(external_id=mid)
        if not request.target_id:
            raise SendError(f"{request.action} needs the id of the comment to act on")
        if request.action in (Action.HIDE, Action.UNHIDE):
            self.graph("POST", request.target_id, f"Instagram {request.action}",
                       body={"hide": request.action == Action.HIDE})
        elif request.action == Action.DELETE:
            self.graph("DELETE", request.target_id, "Instagram delete")
        else:
            raise SendError(f"Instagram cannot {request.action.replace('_', ' ')} through its API")
        return SendResult()

    def _comment_reply(self, request: OutboundRequest) -> str:
        """A reply under the comment it answers, or a comment on the media when there is no comment to answer."""
        text = self.check_text(request.text, MAX_COMMENT)
        if request.target_id and request.target_id != request.conversation_id:
            path, what = f"{request.target_id}/replies", "Instagram comment reply"
        elif request.conversation_id:
            path, what = f"{request.conversation_id}/comments", "Instagram comment"
        else:
            raise SendError("a public reply needs the media or comment it answers")
        return self.new_id(self.graph("POST", path, what, body={"message": text}), "id", what)

    def check(self) -> HealthReport:
        """``GET /{ig-account-id}?fields=username,name`` with the access token."""
        def describe(account: dict[str, Any]) -> str:
            username, name = str(account.get("username") or ""), str(account.get("name") or "")
            handle = f"@{username}" if username else self.account_id
            return f"{handle} ({name})" if name else handle

        return self.check_account("username,name", describe)
