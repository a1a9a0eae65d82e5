"""`webcare triage` (JSON lines in and out), `webcare eval` and `webcare train --check`."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from webcare.triage.analyse import channel_is_public
from webcare.triage.management.commands.eval import KEPT_MARKER, render, summary_table
from webcare.triage.management.commands.triage import parse_languages, run
from webcare.triage.paths import default_data_dir
from webcare.triage.quality import Section, confusion_table, f1_table

OUTPUT_KEYS = {"id", "language", "pii", "redacted_text", "profanity", "abuse_score", "sentiment", "sentiment_label",
               "intents", "register", "priority"}


def triage_lines(*lines: str | None) -> list[dict[str, object]]:
    out = io.StringIO()
    run(enumerate(lines, start=1), out, ("nb", "nn", "da", "sv", "fi", "nl", "de", "en"))
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_it_writes_one_result_per_line_with_every_field() -> None:
    results = triage_lines(
        json.dumps({"id": "a1", "text": "Ring meg på 412 34 567, pakken har ikke kommet!", "channel": "facebook"}),
        json.dumps({"id": 2, "text": "Thanks so much, great help today!", "channel": "email"}),
    )
    assert [r["id"] for r in results] == ["a1", 2]
    first, second = results
    assert set(first) >= OUTPUT_KEYS
    assert first["language"] == "nb" and second["language"] == "en"
    assert first["pii"] == [{"type": "PHONE", "start": 12, "end": 22}]
    assert first["redacted_text"] == "Ring meg på [PHONE], pakken har ikke kommet!"
    assert first["priority"] == 1  # personal data in a public comment
    assert second["pii"] == [] and second["redacted_text"] == "Thanks so much, great help today!"
    assert second["sentiment_label"] == "positive" and "praise" in second["intents"]
    assert second["register"] == "unknown"  # English has no formal/informal "you"
    assert isinstance(second["profanity"], bool) and 0 <= second["abuse_score"] <= 1


def test_it_reports_a_bad_line_by_number_and_goes_on() -> None:
    results = triage_lines(
        "{not json",
        "[1, 2]",
        json.dumps({"id": 3}),
        json.dumps({"id": 4, "text": 42}),
        json.dumps({"id": 5, "text": "hei", "public": "yes"}),
        None,  # not UTF-8
        "",
        json.dumps({"id": 8, "text": "Hei, når kommer pakken?"}),
    )
    errors = {r["line"]: r["error"] for r in results if "error" in r}
    assert set(errors) == {1, 2, 3, 4, 5, 6, 7}
    assert "not valid JSON" in errors[1]
    assert "expected a JSON object" in errors[2]
    assert errors[3] == "missing field: text"
    assert errors[4] == "text: must be a string"
    assert errors[5] == "public: must be true or false"
    assert errors[6] == "not valid UTF-8"
    assert results[-1]["id"] == 8 and results[-1]["language"] == "nb"


def test_it_triages_an_empty_text_without_failing() -> None:
    (result,) = triage_lines(json.dumps({"id": 1, "text": ""}))
    assert result["language"] == "" and result["pii"] == [] and result["intents"]


def test_it_reads_public_or_private_from_the_channel_name() -> None:
    for public in ("x", "twitter", "facebook", "facebook_comment", "instagram", "trustpilot", "reviews", ""):
        assert channel_is_public(public), public
    for private in ("email", "e-mail", "whatsapp", "telegram", "facebook_messenger", "x_dm", "webchat", "sms"):
        assert not channel_is_public(private), private


def test_it_refuses_bad_language_lists() -> None:
    assert parse_languages("nb, en") == ("nb", "en")
    with pytest.raises(CommandError, match="not an ISO 639-1 code"):
        parse_languages("nb,norsk")
    with pytest.raises(CommandError, match="at least one"):
        parse_languages(" , ")


def test_it_runs_as_a_command_on_standard_input(tmp_path: Path) -> None:
    webcare = Path(sys.executable).with_name("webcare")
    lines = [json.dumps({"id": 1, "text": "Kan De hjelpe meg med fakturaen?", "channel": "email"}), "oops"]
    done = subprocess.run([str(webcare), "triage"], input="\n".join(lines) + "\n", capture_output=True, text=True,
                          env={**os.environ, "WEBCARE_DATA_DIR": str(tmp_path)}, timeout=120, check=True)
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert results[0]["id"] == 1 and results[0]["language"] == "nb" and results[0]["register"] == "formal"
    assert results[1] == {"line": 2, "error": results[1]["error"]} and "not valid JSON" in results[1]["error"]


def test_it_scores_and_tabulates_honestly() -> None:
    table, macro = f1_table(["a", "a", "b", "b"], ["a", "b", "b", "b"], ["a", "b"])
    assert round(macro, 3) == round((2 / 3 + 0.8) / 2, 3)
    assert "| a | 1.000 | 0.500 | 0.667 | 2 |" in table
    matrix = confusion_table(["nb", "nb", "nn"], ["nb", "da", "nn"], ["nb", "nn"])
    assert "| **nb** | 1 | 0 | 1 |" in matrix
    sections = [Section("Language", "text", {"accuracy": 0.96}, {"accuracy": 0.97}),
                Section("Intent", "text", {"macro-F1": 0.8}, {"macro-F1": 0.75})]
    summary = summary_table(sections)
    assert "| accuracy | 0.960 | ≥ 0.97 | **short** |" in summary
    assert "| macro-F1 | 0.800 | ≥ 0.75 | met |" in summary
    assert render(sections, Path("data"), 1.0).startswith("# Triage quality")


def test_it_refuses_unknown_tasks_and_missing_data(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="unknown task"):
        call_command("eval", "telepathy", "--data", str(tmp_path))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("eval", "--data", str(tmp_path / "missing"))
    with pytest.raises(CommandError, match="unknown task"):
        call_command("train", "telepathy", "--data", str(tmp_path))


@pytest.mark.skipif(not default_data_dir().is_dir(), reason="needs ../shared/data beside the checkout")
def test_it_writes_the_quality_page(tmp_path: Path) -> None:
    out = tmp_path / "quality.md"
    call_command("eval", "register", "--out", str(out))
    page = out.read_text()
    assert page.startswith("# Triage quality") and "## Summary" in page and "register" in page.lower()


@pytest.mark.slow
@pytest.mark.skipif(not default_data_dir().is_dir(), reason="needs ../shared/data beside the checkout")
def test_it_proves_the_shipped_models_are_what_training_makes() -> None:
    """Every committed artefact is byte for byte what `webcare train` makes from the data and lexicons: a lexicon
    edit without retraining, or a hand-edited model, fails here. In a fresh process, as `webcare train` runs, and with
    a thread count asked for by the environment (the e5 engine sets OMP_NUM_THREADS=1 in any process that loads it,
    a test's included) changes nothing, because training holds BLAS at one thread itself."""
    import subprocess

    from tests.support import ROOT, WEBCARE, child_env

    result = subprocess.run([WEBCARE, "train", "--check"], env=child_env(OMP_NUM_THREADS="3"), cwd=ROOT,
                            capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


@pytest.mark.skipif(not default_data_dir().is_dir(), reason="needs ../shared/data beside the checkout")
def test_rewriting_the_quality_page_keeps_the_benchmark_sections(tmp_path: Path) -> None:
    """The choir detector's figures come from a benchmark, not from `webcare eval`; rerunning eval must not drop them,
    and must not keep an old copy of eval's own sections."""
    out = tmp_path / "quality.md"
    out.write_text("# Triage quality\n\n## Register\n\nold figures\n\n" + KEPT_MARKER
                   + "\n\n## Choir detection\n\ndetected in 4 min\n", encoding="utf-8")
    call_command("eval", "register", "--out", str(out))
    page = out.read_text(encoding="utf-8")
    assert "old figures" not in page
    assert page.count(KEPT_MARKER) == 1 and page.rstrip().endswith("## Choir detection\n\ndetected in 4 min")
