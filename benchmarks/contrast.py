"""WCAG contrast of the inbox's colour pairs, read from the stylesheet (the figures in docs/inbox.md).

    .venv/bin/python benchmarks/contrast.py

Each pair is text colour on background as the stylesheet uses them; WCAG AA asks ≥ 4.5:1 for normal text and
≥ 3:1 for large text and for focus rings and control borders against their background. The browser tests check the
rendered pages with axe-core as well (tests/test_accessibility.py); this table is the design's own numbers.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

CSS = Path(__file__).resolve().parents[1] / "webcare" / "inbox" / "static" / "inbox" / "inbox.css"

#: (what, foreground, background, the WCAG minimum for it)
PAIRS = [
    ("body text", "--fg", "--bg", 4.5),
    ("body text on side pane", "--fg", "--pane", 4.5),
    ("muted text (times, counts)", "--muted", "--bg", 4.5),
    ("muted text on side pane", "--muted", "--pane", 4.5),
    ("links and buttons' text", "--accent", "--bg", 4.5),
    ("button label on accent", "#ffffff", "--accent", 4.5),
    ("urgent / error text", "--urgent", "--bg", 4.5),
    ("text in an internal note", "--fg", "--note", 4.5),
    ("text in our reply", "--fg", "--out", 4.5),
    ("selected row text", "--fg", "#eef4fb", 4.5),
    ("current view text", "--fg", "#dde8f5", 4.5),
    ("label chip text", "--fg", "#efe7fb", 4.5),
    ("triage chip text", "--fg", "--chip", 4.5),
    ("complaint chip text", "--fg", "--chip-warn", 4.5),
    ("urgency signal chip text", "--warn-fg", "--chip-warn", 4.5),
    ("praise chip text", "--fg", "--chip-good", 4.5),
    ("sales-lead chip text", "--fg", "--chip-lead", 4.5),
    ("masked personal data chip", "--fg", "--pii-chip", 4.5),
    ("row text, personal data in public", "--fg", "--pii-row", 4.5),
    ("muted text, personal data in public", "--muted", "--pii-row", 4.5),
    ("urgent text on the personal-data row", "--urgent", "--pii-row", 4.5),
    ("'personal data in public' marker", "#ffffff", "--urgent", 4.5),
    ("positive tone mark", "--good", "--bg", 4.5),
    ("negative tone mark on chip", "--urgent", "--chip", 4.5),
    ("focus ring on page", "--accent", "--bg", 3.0),
    ("focus ring on side pane", "--accent", "--pane", 3.0),
    ("input border", "#8a94a3", "--bg", 3.0),
    *[(f"channel icon: {kind}", "#ffffff", colour, 4.5) for kind, colour in [
        ("facebook", "#1b4f9c"), ("instagram", "#a3195b"), ("x", "#1b1f24"), ("whatsapp", "#0d6b3a"),
        ("telegram", "#0b5a8a"), ("email", "#6b4e00"), ("webchat", "#5b3fa0"), ("reviews", "#8a3b00"),
        ("api", "#4a5360")]],
]


def variables(css: str) -> dict[str, str]:
    return dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6})", css))


def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2.x) of ``#rrggbb``."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ratio(foreground: str, background: str) -> float:
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def main() -> int:
    palette = variables(CSS.read_text())
    table = Table(title="WCAG contrast of the inbox's colours")
    for column in ("what", "foreground", "background", "ratio", "needs", "ok"):
        table.add_column(column)
    failures = 0
    for what, fg, bg, needed in PAIRS:
        fg_hex, bg_hex = palette.get(fg, fg), palette.get(bg, bg)
        value = ratio(fg_hex, bg_hex)
        failures += value < needed
        table.add_row(what, f"{fg} {fg_hex}", f"{bg} {bg_hex}", f"{value:.2f}:1", f"{needed}:1",
                      "yes" if value >= needed else "NO")
    Console().print(table)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
