"""Intent detection: the six intents in each of the eight languages, the labelling conventions, and bad input.

The sentences here are not in the labelled sets, so these tests check that the cue lists generalise beyond them.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from webcare.triage import intent
from webcare.triage.intent import INTENTS, LEXICON_LANGUAGES, SECTIONS, cues, detect_intents, read_cue_file
from webcare.triage.quality.intent import exact_accuracy, macro_f1, per_label

# (language, text, an intent it must have, an intent it must not have)
CASES = [
    # question
    ("nb", "Hvordan bytter jeg passord i nettbanken", "question", "spam"),
    ("nn", "Korleis endrar eg PIN-koden på kortet", "question", "spam"),
    ("da", "Hvornår kommer teknikeren i morgen", "question", "spam"),
    ("sv", "Hur länge gäller presentkortet", "question", "spam"),
    ("fi", "Toimiiko lahjakortti myös verkkokaupassa", "question", "spam"),
    ("nl", "Hoe lang is de cadeaubon geldig", "question", "spam"),
    ("de", "Wie lange ist der Gutschein gültig", "question", "spam"),
    ("en", "how long is the gift card valid for", "question", "spam"),
    # complaint (and a question that is also a complaint)
    ("nb", "Mobilnettet har vært nede hele dagen og ingen svarer på chatten", "complaint", "praise"),
    ("nn", "Pakka har ikkje kome enno, og det er gått to veker", "complaint", "praise"),
    ("da", "Min pakke er stadig ikke leveret efter to uger", "complaint", "praise"),
    ("sv", "Varför har jag fortfarande inte fått min återbetalning?", "complaint", "praise"),
    ("fi", "Sovellus ei toimi ja asiakaspalvelu ei vastaa", "complaint", "praise"),
    ("nl", "Mijn pakket is nog steeds niet bezorgd, echt belachelijk", "complaint", "praise"),
    ("de", "Mein Paket ist immer noch nicht angekommen, echt ärgerlich", "complaint", "praise"),
    ("en", "Why is my broadband down AGAIN", "complaint", "praise"),
    # praise
    ("nb", "Tusen takk for kjempegod hjelp i butikken i dag!", "praise", "complaint"),
    ("nn", "Takk for god hjelp på telefonen, de er flinke", "praise", "complaint"),
    ("da", "Tusind tak for den hurtige hjælp, super service", "praise", "complaint"),
    ("sv", "Stort tack för snabb hjälp, supernöjd!", "praise", "complaint"),
    ("fi", "Iso kiitos nopeasta avusta, tosi tyytyväinen!", "praise", "complaint"),
    ("nl", "Heel erg bedankt voor de snelle hulp, top service!", "praise", "complaint"),
    ("de", "Vielen Dank für die schnelle Hilfe, super Service!", "praise", "complaint"),
    ("en", "Thanks so much for sorting this so quickly, brilliant service!", "praise", "complaint"),
    # sales lead (not a complaint)
    ("nb", "Hva koster bredbånd hos dere? Vurderer å bytte fra Telia", "sales_lead", "complaint"),
    ("nn", "Eg vil gjerne bli kunde hjå dykk, kva kostar fiber?", "sales_lead", "complaint"),
    ("da", "Kan jeg skifte til jer og beholde mit nummer?", "sales_lead", "complaint"),
    ("sv", "Vad kostar bredband hos er? Funderar på att byta", "sales_lead", "complaint"),
    ("fi", "Haluaisin tulla asiakkaaksi, paljonko kuitu maksaa?", "sales_lead", "complaint"),
    ("nl", "Ik wil graag overstappen naar jullie, wat kost glasvezel?", "sales_lead", "complaint"),
    ("de", "Wie kann ich bei euch Kunde werden?", "sales_lead", "complaint"),
    ("en", "Thinking of switching to you, how much is your fibre?", "sales_lead", "complaint"),
    # spam
    ("nb", "Tjen 3000 kr i uka hjemmefra, sjekk profilen min 💰", "spam", "question"),
    ("nn", "Tén pengar heimanfrå, sjå profilen min 💰💰", "spam", "question"),
    ("da", "Følg mig og jeg følger tilbage #f4f", "spam", "question"),
    ("sv", "Tjäna 1000 kr om dagen med krypto, klicka här www.snabbapengar.xyz", "spam", "question"),
    ("fi", "Tienaa 200 € päivässä kotoa käsin, katso profiilini 💸", "spam", "question"),
    ("nl", "Verdien snel geld met bitcoin, volg mij en stuur een DM", "spam", "question"),
    ("de", "Verdiene 500€ am Tag von zu Hause, schreib mir eine DM 💰", "spam", "question"),
    ("en", "Earn $300 a day from home, DM me now 💰💰", "spam", "question"),
]


@pytest.mark.parametrize(("language", "text", "wanted", "unwanted"), CASES)
def test_it_finds_each_intent_and_not_its_opposite_in_every_language(language: str, text: str, wanted: str,
                                                                     unwanted: str) -> None:
    found = detect_intents(text, language)
    assert wanted in found, (text, found)
    assert unwanted not in found, (text, found)


@pytest.mark.parametrize(("language", "text"), [
    ("nb", "Takk for ingenting, Telenor 🙄"),
    ("nn", "Så flott at ferja er innstilt igjen. Verkeleg toppteneste 😒"),
    ("da", "Tak for intet, DSB. Aflyst igen 🙄"),
    ("sv", "Tack för inget, toppen att tåget är inställt igen 🙄"),
    ("fi", "Kiitos ei mistään, paketti taas myöhässä 🙄"),
    ("nl", "Bedankt voor niks, trein weer vertraagd 🙄"),
    ("de", "Danke für nichts, Zug schon wieder verspätet 🙄"),
    ("en", "Love waiting an hour on hold, great service really 🙄"),
])
def test_it_reads_sarcastic_praise_as_a_complaint(language: str, text: str) -> None:
    found = detect_intents(text, language)
    assert "complaint" in found
    assert "praise" not in found


@pytest.mark.parametrize(("language", "text"), [
    ("nb", "ok"), ("nn", "Hei hei"), ("da", "God weekend alle sammen"), ("sv", "Hej"), ("fi", "Moi"),
    ("nl", "Fijne avond"), ("de", "Moin"), ("en", "👍"),
])
def test_it_calls_greetings_and_chit_chat_other_and_only_other(language: str, text: str) -> None:
    assert detect_intents(text, language) == ["other"]


@pytest.mark.parametrize(("language", "text"), [
    ("nb", "Mottatt, takk"), ("da", "Modtaget, tak"), ("sv", "Tack, uppfattat"), ("en", "Got it, thanks"),
])
def test_it_does_not_take_a_polite_thanks_for_praise(language: str, text: str) -> None:
    assert detect_intents(text, language) == ["other"]


@pytest.mark.parametrize(("language", "text"), [
    ("nb", "Jeg sendte en e-post i går om fakturaen"),
    ("sv", "Jag skickade ett mejl igår om fakturan"),
    ("de", "Ich habe gestern eine Mail wegen der Rechnung geschickt"),
    ("en", "I sent an email yesterday about the bill"),
])
def test_it_does_not_call_a_plain_statement_a_question(language: str, text: str) -> None:
    assert "question" not in detect_intents(text, language)


def test_it_reads_a_complaint_with_a_question_mark_as_both() -> None:
    assert detect_intents("Why is my internet down AGAIN?", "en") == ["question", "complaint"]


def test_it_keeps_praise_next_to_a_problem_only_with_a_contrast_word() -> None:
    both = detect_intents("Love the new app, but login doesn't work on my phone", "en")
    assert "praise" in both and "complaint" in both


def test_it_returns_spam_alone_even_when_it_asks_something() -> None:
    assert detect_intents("Want to earn $500 a day from home? DM me 💰 bit.ly/xyz", "en") == ["spam"]


def test_it_lets_a_strongly_negative_sentiment_make_a_complaint_the_cues_missed() -> None:
    text = "Three hours at the gate with a toddler."
    assert "complaint" not in detect_intents(text, "en", sentiment_score=0.0)
    assert "complaint" in detect_intents(text, "en", sentiment_score=-0.8)


def test_it_works_without_knowing_the_language() -> None:
    assert "question" in detect_intents("Hvorfor er nettet nede igjen?", "")
    assert "complaint" in detect_intents("Hvorfor er nettet nede igjen?", "")
    assert "question" in detect_intents("Wie kann ich bei euch Kunde werden?", "xx")


def test_it_always_answers_with_known_labels_in_a_fixed_order() -> None:
    for language, text, _wanted, _unwanted in CASES:
        found = detect_intents(text, language)
        assert found, text
        assert all(label in INTENTS for label in found)
        assert found == [label for label in INTENTS if label in found]
        assert "other" not in found or found == ["other"]


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "?", "@Telenor", "https://example.com"])
def test_it_handles_empty_and_odd_input(text: str) -> None:
    found = detect_intents(text, "nb")
    assert found and all(label in INTENTS for label in found)


def test_it_stays_fast_on_a_100000_character_message() -> None:
    text = "Hei! Hvorfor virker ikke appen? " * 3200
    detect_intents("warm up", "nb")
    start = time.perf_counter()
    found = detect_intents(text, "nb")
    assert time.perf_counter() - start < 0.05
    assert "question" in found


def test_it_scores_multi_label_predictions_per_label() -> None:
    gold = [{"question", "complaint"}, {"praise"}, {"other"}]
    predicted = [{"question"}, {"praise"}, {"complaint"}]
    scores = per_label(gold, predicted)
    assert scores["question"][:3] == (1.0, 1.0, 1.0)
    assert scores["complaint"][:3] == (0.0, 0.0, 0.0)
    assert exact_accuracy(gold, predicted) == pytest.approx(1 / 3)
    assert macro_f1(gold, predicted, present_only=True) == pytest.approx((1 + 0 + 1 + 0) / 4)


def test_it_ships_a_labelled_set_with_every_intent_in_every_language() -> None:
    path = Path(intent.__file__).parent / "labelled" / "intent.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for language in ("nb", "nn", "da", "sv", "fi", "nl", "de", "en"):
        mine = [r for r in rows if r["language"] == language]
        assert len(mine) >= 60, language
        assert {i for r in mine for i in r["intents"]} == set(INTENTS), language


def test_it_reads_every_cue_file_and_every_section_in_it() -> None:
    for language in LEXICON_LANGUAGES:
        sections = read_cue_file(language)
        assert set(sections) == set(SECTIONS)
        for needed in ("question", "complaint", "praise", "sales_lead", "spam"):
            assert sections[needed], (language, needed)


def test_it_does_not_count_a_word_again_inside_a_longer_cue() -> None:
    c = cues("Ikke fornøyd med svaret", "nb")
    assert c.complaint == 1 and c.praise == 0
    c = cues("Thinking of switching to you", "en")
    assert c.sales == 1 and c.complaint == 0


def test_it_ignores_sign_offs_that_look_like_cues() -> None:
    assert detect_intents("Best regards, Anna", "en") == ["other"]
    assert detect_intents("Med vennlig hilsen Ola", "nb") == ["other"]


def test_it_counts_a_finnish_ko_question_and_not_a_noun_ending_in_kko() -> None:
    assert "question" in detect_intents("Toimiiko netti teillä", "fi")
    assert "question" not in detect_intents("On pakko maksaa lasku huomenna", "fi")


def _shipped(text: str, language: str) -> list[str]:
    """Intents as the pipeline computes them: with the sentiment detector's score."""
    from webcare.triage.sentiment import sentiment

    return detect_intents(text, language, sentiment(text, language)[0])


# A problem that survived the customer's own fixes, and the same fix that worked (no problem reported).
PERSISTING = {
    "nb": ("Har prøvd alt, men får fortsatt samme feilmelding", "Har prøvd på nytt nå, og alt fungerer fint"),
    "nn": ("Eg har prøvd alt, men det er same feilen", "Eg prøvde igjen, og no fungerer det fint"),
    "da": ("Har prøvet alt, men der sker ingenting", "Har prøvet igen, og nu virker det fint"),
    "sv": ("Har provat allt men det är samma fel", "Jag provade igen och nu fungerar det bra"),
    "fi": ("Olen kokeillut kaikkea, mutta sama virhe tulee", "Kokeilin uudelleen ja nyt kaikki toimii hyvin"),
    "nl": ("Alles geprobeerd maar het is hetzelfde probleem", "Nog een keer geprobeerd en nu werkt alles goed"),
    "de": ("Alles versucht, aber es ist das gleiche Problem", "Nochmal versucht und jetzt funktioniert alles gut"),
    "en": ("Reinstalled the app twice and it's still the same", "Reinstalled the app and it works now"),
}


@pytest.mark.parametrize("language", LEXICON_LANGUAGES)
def test_it_hears_a_complaint_in_a_problem_that_persists_after_a_fix(language: str) -> None:
    persists, fixed = PERSISTING[language]
    assert "complaint" in _shipped(persists, language)
    assert "complaint" not in _shipped(fixed, language)


# "Why" + a negation asks about a failure; a plain "why" question does not complain.
WHY_NOT = {
    "nb": ("Hvorfor får jeg ikke logget inn?", "Hvorfor trenger jeg PIN-kode i appen?"),
    "nn": ("Kvifor kan eg ikkje logge inn?", "Kvifor treng eg PIN-kode i appen?"),
    "da": ("Hvorfor kan jeg ikke logge ind?", "Hvorfor skal jeg bruge en PIN-kode i appen?"),
    "sv": ("Varför kan jag inte logga in?", "Varför behöver jag en PIN-kod i appen?"),
    "nl": ("Waarom kan ik niet inloggen?", "Waarom heb ik een pincode nodig in de app?"),
    "de": ("Warum kann ich mich nicht einloggen?", "Warum brauche ich eine PIN in der App?"),
    "en": ("Why can't I log in to my account?", "Why do I need a PIN for the app?"),
}


@pytest.mark.parametrize("language", sorted(WHY_NOT))
def test_it_reads_why_with_a_negation_as_question_and_complaint(language: str) -> None:
    failing, plain = WHY_NOT[language]
    assert _shipped(failing, language) == ["question", "complaint"]
    assert _shipped(plain, language) == ["question"]


COURTESY = {
    "nb": ("Takk! 😊", "Flott hjelp, takk 😊"),
    "nn": ("Takk! 😊", "Flott hjelp, takk 😊"),
    "da": ("Tak! 😊", "Flot hjælp, tak 😊"),
    "sv": ("Tack! 😊", "Bra hjälp, tack 😊"),
    "fi": ("Kiitos! 😊", "Hyvä palvelu, kiitos 😊"),
    "nl": ("Bedankt! 😊", "Goed geholpen, bedankt 😊"),
    "de": ("Danke! 😊", "Gut geholfen, danke 😊"),
    "en": ("Thanks! 😊", "Great help, thanks 😊"),
}


@pytest.mark.parametrize("language", LEXICON_LANGUAGES)
def test_it_takes_thanks_with_a_smiley_as_courtesy_but_thanks_with_a_compliment_as_praise(language: str) -> None:
    polite, praising = COURTESY[language]
    assert _shipped(polite, language) == ["other"]
    assert _shipped(praising, language) == ["praise"]


def test_it_lets_the_sentiment_score_tip_weak_praise_only_beyond_a_courtesy_word() -> None:
    weak = cues("ok cool", "en")
    assert weak.praise_weak == 1 and weak.praise == 0
    assert intent.rule_intents(weak, intent.PRAISE_TIP - 0.05) == set()
    assert intent.rule_intents(weak, intent.PRAISE_TIP) == {"praise"}


def test_it_does_not_count_if_it_happens_again_as_a_complaint() -> None:
    assert _shipped("Seems to be working now. Will let you know if it happens again, cheers", "en") == ["other"]
    assert "complaint" in _shipped("It happened again this morning, same error", "en")


# Something stopped working: the commonest complaint, often written without a single negative word.
STOPPED_WORKING = {
    "nb": "Ruteren min har sluttet å virke",
    "nn": "Ruteren min har slutta å verke",
    "da": "Min router er holdt op med at virke",
    "sv": "Min router har slutat fungera",
    "fi": "Reititin lakkasi toimimasta",
    "nl": "Mijn router is kapot gegaan",
    "de": "Mein Router hat aufgehört zu funktionieren",
    "en": "My router stopped working",
}


@pytest.mark.parametrize("language", LEXICON_LANGUAGES)
def test_it_hears_a_complaint_when_something_stopped_working(language: str) -> None:
    assert "complaint" in _shipped(STOPPED_WORKING[language], language)
