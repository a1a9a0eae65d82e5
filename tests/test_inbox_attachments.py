"""Attachments in the conversation: stored files open from webcare (images inline), platform links open on the
platform, platform references still being downloaded say so — and only the organisation's agents get the files."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.conftest import Personas, client_for, ingest_ticket
from webcare.channels.attachments import store_attachment

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _pane(personas: Personas, attachments: list[dict[str, Any]]) -> tuple[str, Any]:
    ticket = ingest_ticket(personas, 1, attachments=attachments)
    response = client_for(personas.agent).get(f"/inbox/tickets/{ticket.pk}/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode(), ticket


def test_a_stored_image_shows_inline_and_downloads_for_agents_only(personas: Personas) -> None:
    stored = store_attachment(personas.org.pk, "ruter.png", "image/png", PNG)
    page, _ = _pane(personas, [stored])
    assert f'<img src="{stored["url"]}" alt="ruter.png" loading="lazy">' in page
    assert f'<a href="{stored["url"]}" download>ruter.png</a>' in page
    assert b"".join(client_for(personas.agent).get(stored["url"]).streaming_content) == PNG
    assert Client().get(stored["url"]).status_code == 302  # not signed in: to the sign-in page
    assert client_for(personas.outsider).get(stored["url"]).status_code == 404


def test_a_stored_file_is_a_download_link_with_its_size(personas: Personas) -> None:
    stored = store_attachment(personas.org.pk, "faktura.pdf", "application/pdf", b"%PDF-1.7 " + b"x" * 2000)
    page, _ = _pane(personas, [stored])
    assert f'<a href="{stored["url"]}" download>faktura.pdf</a>' in page
    assert "<img" not in page.split('class="attachments"')[1].split("</ul>")[0]
    assert "2.0\xa0KB" in page


def test_platform_links_and_references_say_where_the_file_is(personas: Personas) -> None:
    page, _ = _pane(personas, [
        {"name": "video.mp4", "content_type": "video/mp4", "url": "https://video.twimg.com/v/1.mp4"},
        {"name": "bilde.jpg", "content_type": "image/jpeg", "url": "whatsapp-media:1234567890"},
    ])
    assert ('<a href="https://video.twimg.com/v/1.mp4" target="_blank" rel="noopener noreferrer">video.mp4</a> '
            '<span class="meta">on the platform</span>') in page
    assert '<span>bilde.jpg</span> <span class="meta">being downloaded from the platform</span>' in page
    assert "whatsapp-media:" not in page.split('class="attachments"')[1].split("</ul>")[0].replace(
        "bilde.jpg", "")  # the reference itself is not a link


def test_a_message_without_attachments_has_no_list(personas: Personas) -> None:
    page, _ = _pane(personas, [])
    assert 'class="attachments"' not in page
