"""Personal data through the API: masked by default; unmasked only for a token allowed to, with a purpose, recorded.

Responses mask what the inbox masks (webcare/access/mask.py): a message's ``text`` is its redacted text, contact
data in identities, author names, customer numbers and notes is partly hidden, and an inbound event's payload has
its strings masked. An integration that needs the originals (a CRM sync, a legal export tool) gets a token made with
``webcare apitoken --can-reveal`` and asks for them per request with ``?reveal=<purpose key>`` (and
``reveal_reason=…`` where the purpose needs one). Each such request writes one ``Reveal`` row and one audit entry
(``privacy.reveal``: the purpose, the ids, how many items) before the answer is built.

A token without the permission gets 403 for ``reveal``; an unknown purpose or a missing reason is 400 naming the
parameter, and nothing is recorded.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from pydantic import BaseModel, ConfigDict, Field

from webcare.access.purposes import PurposeError
from webcare.access.reveal import Target, do_api_reveal
from webcare.api.errors import ApiError
from webcare.core.models import ApiToken
from webcare.tickets.actions import ActionError


class RevealParams(BaseModel):
    """``reveal`` and ``reveal_reason`` query parameters of the endpoints that return personal data."""

    model_config = ConfigDict(extra="forbid")

    reveal: str | None = Field(
        default=None, min_length=1, max_length=40,
        description="Return personal data unmasked, for this purpose (a purpose key of the organisation, e.g. "
                    "order_lookup). Only for tokens made with --can-reveal; every such request is recorded as a "
                    "reveal.")
    reveal_reason: str | None = Field(default=None, min_length=1, max_length=500,
                                      description="The written reason, for purposes that need one (legal_request, "
                                                  "other).")


def revealing(request: HttpRequest, params: RevealParams, target: Target, count: int | None = None) -> bool:
    """Whether this request gets originals: False without ``reveal``; True after the reveal is recorded; 403 for a
    token without the permission, 400 for a bad purpose or a missing reason."""
    if params.reveal is None:
        if params.reveal_reason is not None:
            raise ActionError("reveal", "reveal_reason needs reveal=<purpose>")
        return False
    token = cast(ApiToken, cast(Any, request).api_token)
    if not token.can_reveal:
        raise ApiError(403, "this API token may not reveal personal data (issue one with --can-reveal)",
                       {"reveal": "not allowed for this token"})
    try:
        do_api_reveal(token, target, params.reveal, params.reveal_reason or "", request, count)
    except PurposeError as exc:
        field = "reveal_reason" if exc.field == "reason" else "reveal"
        raise ActionError(field, exc.message) from exc
    return True
