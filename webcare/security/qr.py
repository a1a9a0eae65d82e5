"""The enrolment QR code as inline SVG (segno): no image request, no JavaScript, nothing sent to a QR service.

The secret is in the code, so it must never leave the page: rendering it here keeps it out of URLs and logs.
"""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str, title: str) -> SafeString:
    """``data`` as an SVG QR code with a white quiet zone (readable in dark mode too), titled for screen readers."""
    code = segno.make(data, error="m")
    svg = code.svg_inline(scale=5, border=4, dark="#000", light="#fff", title=title, svgclass="qr",
                          lineclass=None, omitsize=True)  # a viewBox: the stylesheet sizes it
    # segno escapes the title and the data is not in the markup (only the drawn modules): safe to embed.
    svg = svg.replace("<svg ", '<svg role="img" ', 1)
    return mark_safe(svg)  # noqa: S308 - segno's own markup, its title escaped by segno  # nosec B308 B703
