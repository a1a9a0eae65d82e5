#!/usr/bin/env python3
"""Check an audit-log export (``webcare audit export --out FILE.jsonl``) without webcare: Python's standard library
only, so this one file can be copied to any machine.

    python3 verify_export.py FILE.jsonl [--anchor HASH ...] [--partial]

Exit 0 and "intact: N entries, last hash …", or exit 1 naming the first broken line. ``--partial`` is for an
export of one organisation's entries (``--org``): each entry's own hash is checked, but not the links between
entries, since the other organisations' entries between them are not in the file. ``--anchor`` names a hash noted
earlier (from ``webcare audit verify``) that must still be in the file.

The rule, the same as webcare/audit/chain.py: for each line, remove ``id``, ``prev_hash`` and ``hash``; the rest is
the entry's fields. hash = SHA-256(prev_hash + "\\n" + json.dumps(fields, sort_keys=True, separators=(",", ":"),
ensure_ascii=False)) as lower-case hex over UTF-8; the first entry's prev_hash is 64 zeros; each later entry's
prev_hash is the hash of the line before.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys

GENESIS = "0" * 64


def entry_hash(prev_hash: str, fields: dict) -> str:  # type: ignore[type-arg]
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + "\n" + body).encode("utf-8")).hexdigest()


def check(path: str, anchors: set[str], partial: bool) -> tuple[bool, str]:
    """(intact, what to print)."""
    expected_prev = GENESIS
    count, last, seen = 0, GENESIS, set()
    with open(path, encoding="utf-8") as lines:
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            entry = json.loads(text)
            fields = {key: value for key, value in entry.items() if key not in ("id", "prev_hash", "hash")}
            where = f"line {number} (id {entry.get('id')}, {entry.get('at')}, {entry.get('action')})"
            if entry_hash(entry["prev_hash"], fields) != entry["hash"]:
                return False, f"broken at {where}: hash mismatch — the entry was changed after it was written"
            if not partial and entry["prev_hash"] != expected_prev:
                return False, (f"broken at {where}: prev_hash mismatch — an entry before it was removed, inserted "
                               "or changed and re-hashed")
            expected_prev = last = entry["hash"]
            seen.add(entry["hash"])
            count += 1
    missing = anchors - seen
    if missing:
        return False, f"anchor not found: {', '.join(sorted(missing))} — entries were removed or rewritten"
    return True, f"intact: {count} entries, last hash {last}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check a webcare audit-log export (JSON lines).")
    parser.add_argument("path")
    parser.add_argument("--anchor", action="append", default=[], help="a hash that must be in the file")
    parser.add_argument("--partial", action="store_true", help="one organisation's export: skip the links")
    args = parser.parse_args(argv)
    intact, text = check(args.path, {anchor.lower() for anchor in args.anchor}, args.partial)
    print(text)
    return 0 if intact else 1


if __name__ == "__main__":
    sys.exit(main())
