"""Stored attachments (e-mail files, chat uploads): content-addressed files, encrypted at rest, served only to the
organisation's agents.

Why content-addressed (``MEDIA_ROOT/attachments/<organisation>/<digest>``): the same file sent twice by one customer,
or a delivery retried after a failure, is stored once, and a write can never replace a file under another's name.
The digest is an HMAC of the content keyed by the owner's data key, so it says nothing about the content to anyone
without that key (a plain SHA-256 would let anyone confirm a guessed file).

Encrypted at rest: each file is sealed (:mod:`webcare.keys.sealing`: ``WCF1`` + key id + AES-GCM) with the data key
of the customer it belongs to, so erasing the customer makes every copy of their files unreadable, backups included.
Files stored before their owner is known (an e-mail's attachments and original, stored when the mail is read, before
the worker creates its customer) get a key of their own that the worker hands to the customer
(:func:`webcare.keys.keyring.adopt`). Files stored before encryption existed are read as they are. The file name the
customer gave is not part of the path (it is only shown, and sent back in Content-Disposition), so a hostile name can
neither escape the folder nor collide. Files are kept per organisation, so one brand's agents can never reach another
brand's files even if they learn a digest.

Serving: only a signed-in agent of the organisation gets the bytes, always as a download (``Content-Disposition:
attachment``) with ``X-Content-Type-Options: nosniff`` and a sandboxing Content-Security-Policy, so an HTML or SVG file
a customer sent can never run in webcare's origin. Files a failed delivery left behind are harmless (the retry finds
them); removing files no message points to is the retention work's.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import mimetypes
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext

from webcare.core.models import Agent
from webcare.keys.keyring import Key, Missing, MissingReason, file_key, key_for_customer
from webcare.keys.sealing import file_key_id, open_bytes, seal_bytes

DIGEST = re.compile(r"^[0-9a-f]{64}$")
URL = re.compile(r"^/attachments/(?P<org>\d+)/(?P<digest>[0-9a-f]{64})/(?P<name>[^/]+)$")
MAX_NAME = 150
#: Types a browser may be told as they are: they cannot run script. Everything else is served as octet-stream.
SAFE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain",
                        "audio/mpeg", "audio/ogg", "video/mp4"})


class AttachmentError(ValueError):
    """An attachment reference that does not name a stored file."""


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / "attachments"


def safe_name(name: str, fallback: str = "attachment") -> str:
    """A file name fit to show and to put in a URL path: no folders, no control characters, at most 150 characters
    (the extension kept). Customers' mail clients send anything here, including ``../`` and empty names."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".").strip()
    if not name:
        name = fallback
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        ext = ext if dot and len(ext) <= 10 else ""
        name = (stem if ext else name)[: MAX_NAME - len(ext) - 1].rstrip() + ("." + ext if ext else "")
    return name


def path_for(organisation_id: int, digest: str) -> Path:
    if not DIGEST.match(digest):
        raise AttachmentError(f"not a 256-bit hex digest: {digest[:80]!r}")
    return root() / str(int(organisation_id)) / digest


def _label(organisation_id: int, digest: str) -> str:
    """What a sealed file is authenticated with: a file moved to another name or organisation does not open."""
    return f"attachment:{int(organisation_id)}:{digest}"


def owner_key(organisation_id: int, platform: str, author_id: str) -> Key:
    """The key for files of the person with this handle: their customer's key when webcare knows them already, else a
    new key of its own that the worker gives to their customer once it has made one."""
    from webcare.customers.models import Identity

    customer_id = (Identity.objects.filter(organisation_id=organisation_id, platform=platform, external_id=author_id)
                   .values_list("customer_id", flat=True).first())
    return key_for_customer(organisation_id, customer_id) if customer_id else file_key(organisation_id)


def store_attachment(organisation_id: int, name: str, content_type: str, data: bytes, *,
                     key: Key | None = None) -> dict[str, Any]:
    """Write ``data`` (once), sealed with ``key`` — the owner's data key; without one, a new key of its own — and
    return its metadata for a message: ``{"name", "content_type", "size", "url"}``.

    The write goes to a temporary file in the same folder and is renamed into place, so a reader never sees half a
    file and two processes storing the same bytes at once both succeed.
    """
    key = key or file_key(organisation_id)
    digest = hmac.new(hashlib.sha256(b"webcare:attachment-digest:" + key.secret).digest(), data,
                      hashlib.sha256).hexdigest()
    path = path_for(organisation_id, digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(seal_bytes(key, data, _label(organisation_id, digest)))
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    shown = safe_name(name)
    return {
        "name": shown,
        "content_type": (content_type or "application/octet-stream")[:255],
        "size": len(data),
        "url": f"/attachments/{int(organisation_id)}/{digest}/{quote(shown, safe='')}",
    }


def _opened(organisation_id: int, digest: str, path: Path) -> bytes | Missing:
    return open_bytes(path.read_bytes(), _label(organisation_id, digest))


def load_attachment(organisation_id: int, url: str) -> bytes:
    """The bytes behind an attachment URL of this organisation, decrypted (for sending an agent's attachment on, an
    export); an :class:`AttachmentError` naming the URL when it is not one of this organisation's stored files or
    its key was destroyed."""
    match = URL.match(url or "")
    if match is None or int(match["org"]) != int(organisation_id):
        raise AttachmentError(f"not a stored attachment of this organisation: {url[:200]!r}")
    path = path_for(organisation_id, match["digest"])
    if not path.is_file():
        raise AttachmentError(f"attachment file is missing: {url[:200]!r}")
    data = _opened(organisation_id, match["digest"], path)
    if isinstance(data, Missing):
        why = "was erased" if data.reason == MissingReason.ERASED else "cannot be decrypted"
        raise AttachmentError(f"attachment {url[:200]!r} {why}")
    return data


def stored_key_ids(organisation_id: int, value: Any) -> set[str]:
    """The ids of the keys sealing this organisation's stored files that ``value`` (a message's attachments, a raw
    delivery: any JSON) points to — read from each file's header, without decrypting."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and item.startswith("/attachments/") and (match := URL.match(item)):
            if int(match["org"]) != int(organisation_id):
                continue
            try:
                with path_for(organisation_id, match["digest"]).open("rb") as handle:
                    key_id = file_key_id(handle.read(32))
            except (AttachmentError, OSError):
                continue
            if key_id is not None:
                found.add(str(key_id))
    return found


def name_from_url(url: str) -> str:
    match = URL.match(url or "")
    return unquote(match["name"]) if match else ""


def _served_type(name: str) -> str:
    guessed = mimetypes.guess_type(name)[0] or ""
    return guessed if guessed in SAFE_TYPES else "application/octet-stream"


def serve(request: HttpRequest, organisation_id: int, digest: str, name: str) -> HttpResponseBase:
    """Download one stored file. Not signed in → the sign-in page; signed in but not an agent of this organisation,
    or no such file → 404 (the same answer, so nobody learns which files exist elsewhere)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not Agent.objects.filter(user_id=request.user.pk, organisation_id=organisation_id).exists():
        raise Http404("no such attachment")
    try:
        path = path_for(organisation_id, digest)
    except AttachmentError as exc:
        raise Http404("no such attachment") from exc
    if not path.is_file():
        raise Http404("no such attachment")
    data = _opened(organisation_id, digest, path)
    if isinstance(data, Missing):
        # Gone for good (the customer was erased) or no configured master key opens it: said plainly, not a crash.
        gone = data.reason == MissingReason.ERASED
        text = gettext("This file was erased.") if gone else gettext("This file cannot be decrypted.")
        return HttpResponse(text, status=410 if gone else 500, content_type="text/plain; charset=utf-8")
    filename = safe_name(name)
    response = FileResponse(io.BytesIO(data), as_attachment=True, filename=filename,
                            content_type=_served_type(filename))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
