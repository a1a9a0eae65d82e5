"""Which language a help-page visitor reads in (pure).

Order: the ``?lang=`` the visitor chose (the language links on the page set it), then the browser's Accept-Language in
the visitor's order of preference, then the brand's first language, then whatever the brand has articles in. Only
languages the brand has published articles in are ever chosen, so a German browser on a brand without German articles
gets the brand's own first language instead of an empty page. Browsers say "no" (or "nn"/"nb") for Norwegian; "no"
counts as bokmål with nynorsk as its second choice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_TAG = re.compile(r"^\s*([A-Za-z]{1,8})(?:[-_][A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")
#: What a browser's primary tag means here (the keys not listed mean themselves).
_ALIASES = {"no": ("nb", "nn"), "nb": ("nb", "nn"), "nn": ("nn", "nb")}


def accept_language(header: str) -> list[str]:
    """The language codes of an Accept-Language header, most wanted first (q=0 dropped, malformed parts skipped)."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        match = _TAG.match(part)
        if not match:
            continue
        try:
            quality = float(match.group(2)) if match.group(2) is not None else 1.0
        except ValueError:
            continue
        if quality <= 0:
            continue
        weighted.append((-quality, position, match.group(1).lower()))
    codes: list[str] = []
    for _, _, code in sorted(weighted):
        for meaning in _ALIASES.get(code, (code,)):
            if meaning not in codes:
                codes.append(meaning)
    return codes


def available_languages(brand_languages: Sequence[str], published: Sequence[str]) -> list[str]:
    """The languages with published articles, the brand's own order first."""
    have = set(published)
    ordered = [code for code in brand_languages if code in have]
    return ordered + sorted(have - set(ordered))


def choose_language(requested: str, header: str, brand_languages: Sequence[str], published: Sequence[str]) -> str:
    """The visitor's language among those with published articles ("" when the brand has none)."""
    available = available_languages(brand_languages, published)
    if not available:
        return ""
    wanted = requested.strip().lower()
    if wanted in available:
        return wanted
    for code in accept_language(header):
        if code in available:
            return code
    return available[0]
