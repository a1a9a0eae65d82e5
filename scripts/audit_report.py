"""Report pip-audit's findings, and audit what it had to skip from PyPI's project-level data.

Why: pip-audit asks PyPI's per-release endpoint (``/pypi/<name>/<version>/json``) for each package; where only the
project endpoint (``/pypi/<name>/json``) is reachable — as on machines that reach PyPI through a registry mirror —
every package comes back "skipped" and the audit would pass having checked nothing. The project endpoint lists the
known vulnerabilities of the *latest* release, so a skipped package whose installed version is the latest is
audited from it; any other is reported, by name, as not audited. Exit 1 on any known vulnerability.

Usage: python scripts/audit_report.py PIP_AUDIT_JSON
"""

from __future__ import annotations

import json
import re
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

PROJECT_URL = "https://pypi.org/pypi/{name}/json"


def project_data(name: str) -> dict[str, Any] | None:
    """PyPI's project JSON, or None when it cannot be had (the package then counts as not audited)."""
    try:
        with urllib.request.urlopen(PROJECT_URL.format(name=name), timeout=15) as response:  # noqa: S310 (fixed https URL)
            return json.load(response)
    except (urllib.error.URLError, TimeoutError, ValueError):
        return None


def vulnerabilities_if_latest(dep: dict[str, Any], data: dict[str, Any] | None) -> list[str] | None:
    """The ids of the known, not withdrawn vulnerabilities of ``dep`` if PyPI's data covers its version, else None."""
    if data is None or data.get("info", {}).get("version") != dep["version"]:
        return None
    return [v.get("id", "?") for v in data.get("vulnerabilities", []) if not v.get("withdrawn")]


def installed_version(dep: dict[str, Any]) -> str:
    """The version pip-audit saw: a skipped package has it only inside its skip reason ("… (1.4.6)")."""
    if dep.get("version"):
        return str(dep["version"])
    match = re.search(r"\(([^()\s]+)\)\s*$", dep.get("skip_reason", ""))
    return match.group(1) if match else "?"


def main(path: str) -> int:
    with open(path, encoding="utf-8") as handle:
        deps = [d for d in json.load(handle)["dependencies"] if d["name"] != "webcare"]
    for dep in deps:
        dep["version"] = installed_version(dep)
    found: list[str] = []
    for dep in deps:
        for vuln in dep.get("vulns", []):
            fixed = ", ".join(vuln.get("fix_versions") or ["-"])
            found.append(f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})")
    skipped = [d for d in deps if d.get("skip_reason")]
    with ThreadPoolExecutor(max_workers=8) as pool:
        data = list(pool.map(lambda d: project_data(d["name"]), skipped))
    by_project, not_audited = 0, []
    for dep, project in zip(skipped, data, strict=True):
        vulns = vulnerabilities_if_latest(dep, project)
        if vulns is None:
            latest = (project or {}).get("info", {}).get("version", "unknown")
            not_audited.append(f"{dep['name']} {dep['version']} (latest {latest})")
            continue
        by_project += 1
        found += [f"{dep['name']} {dep['version']}: {vid}" for vid in vulns]
    for line in found:
        print(f"  {line}")
    audited = len(deps) - len(skipped) + by_project
    print(f"pip-audit: {audited} of {len(deps)} packages audited ({by_project} from PyPI's project data), "
          f"{len(found)} known vulnerabilities")
    if not_audited:
        print(f"  not audited (older than the latest release, whose data PyPI's project endpoint gives): "
              f"{', '.join(not_audited)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
