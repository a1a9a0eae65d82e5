"""What the choir detector reads in a message (webcare/incidents/choir/normalise.py, terms.py, minhash.py): the noise
it drops, the codes it keeps, the names and stemmed words it finds per language — the candidates for salient terms —
and the MinHash signatures that tell near-duplicates from strangers."""

from __future__ import annotations

import numpy as np
import pytest

from webcare.incidents.choir import salient_terms
from webcare.incidents.choir.minhash import MinHasher, similarity
from webcare.incidents.choir.normalise import codes, fold, strip_noise
from webcare.incidents.choir.terms import analyse


def test_it_folds_case_and_diacritics_the_way_people_type_them() -> None:
    assert fold("Tromsø") == fold("tromso") == "tromso"
    assert fold("Päivitys") == "paivitys"
    assert fold("FÅR") == "far"
    assert fold("Æble Straße") == "aeble strasse"


def test_it_drops_links_mentions_and_masked_personal_data() -> None:
    text = "@SpotifyCares see https://t.co/abc and www.example.com, call me on [PHONE] or [EMAIL] #SpotifyDown"
    cleaned = strip_noise(text)
    for gone in ("@SpotifyCares", "https://", "www.example.com", "[PHONE]", "[EMAIL]", "#"):
        assert gone not in cleaned
    assert "SpotifyDown" in cleaned
    assert "phone" not in salient_terms(text, "en") and "email" not in salient_terms(text, "en")


@pytest.mark.parametrize(("text", "expected"), [
    ("Getting error E-503 again", {"E503", "503"}),
    ("feilkode e503 på alle enheter", {"E503", "503"}),
    ("ERR_404 when I open the app", {"ERR404", "404"}),
    ("Fly DY 612 til Tromsø er innstilt", {"DY612"}),
    ("SK1234 delayed, and D8 2910 too", {"SK1234", "D82910"}),
    ("Updated to 8.4.24 and it broke", {"8.4.24"}),
    ("Error 404 on the login page", {"404"}),
])
def test_it_keeps_codes_flight_numbers_and_versions(text: str, expected: set[str]) -> None:
    assert expected <= {code for code, _ in codes(strip_noise(text))}
    assert expected <= set(salient_terms(text, ""))


@pytest.mark.parametrize("text", [
    "I paid €9,99 for 2 months", "at 10:30 it stopped", "2x betaald", "bought it in 2017", "my 64gb phone",
    "kl 10 i morgen", "the 3rd time today", "call 98765432",
])
def test_it_drops_numbers_that_count_price_or_date_something(text: str) -> None:
    assert codes(strip_noise(text)) == []


def test_codes_come_first_then_names_then_words() -> None:
    analysis = analyse("Spotify er nede i Oslo, feilkode E-503 på mobilen", "nb")
    kinds = list(analysis.kinds)
    assert kinds == sorted(kinds, key=["code", "name", "word"].index)
    assert analysis.terms[0] == "E503"
    assert ("oslo", "name") in zip(analysis.terms, analysis.kinds, strict=True)


@pytest.mark.parametrize(("language", "text", "present", "absent"), [
    ("nb", "Jeg får ikke logget inn på appen i Bergen", {"logg", "app", "bergen"}, {"jeg", "ikke", "pa", "far"}),
    ("nn", "Eg får ikkje logga inn, kva skjer med appen i Bergen?", {"logg", "bergen"}, {"eg", "ikkje", "kva"}),
    ("da", "Jeg kan ikke logge ind efter opdateringen i Aarhus", {"opdatering", "aarhus"}, {"jeg", "ikke", "kan"}),
    ("sv", "Jag kan inte logga in efter uppdateringen i Göteborg", {"uppdatering", "goteborg"}, {"jag", "inte"}),
    ("fi", "En pääse kirjautumaan päivityksen jälkeen Helsingissä", {"paivityks", "helsingissa"}, {"en"}),
    ("nl", "Ik kan niet inloggen na de update in Amsterdam", {"inlog", "amsterdam", "updat"}, {"ik", "niet", "de"}),
    ("de", "Ich kann mich nach dem Update in München nicht anmelden", {"munchen", "anmeld"}, {"ich", "nicht"}),
    ("en", "I can't log in since the update, my downloads are gone", {"log", "download", "gone"},
     {"i", "cant", "the", "my", "are"}),
])
def test_it_finds_content_words_without_stop_words_per_language(language: str, text: str, present: set[str],
                                                                 absent: set[str]) -> None:
    terms = set(salient_terms(text, language))
    assert present <= terms, terms
    assert not absent & terms, absent & terms


def test_stemming_joins_inflections_and_folding_joins_spellings() -> None:
    assert "download" in salient_terms("downloads gone", "en")
    assert "download" in salient_terms("nothing downloaded", "en")
    assert set(salient_terms("innloggingen feiler", "nb")) & set(salient_terms("innlogging feiler", "nb"))
    assert "tromso" in salient_terms("flyet til Tromsø", "nb") and "tromso" in salient_terms("flyet til Tromso", "nb")


def test_names_are_capitalised_words_inside_a_sentence_or_in_mixed_case() -> None:
    analysis = analyse("Nothing works. Stockholm and Oslo are down, my iPhone too", "en")
    names = {term for term, kind in zip(analysis.terms, analysis.kinds, strict=True) if kind == "name"}
    assert {"oslo", "iphone"} <= names
    assert "nothing" not in names  # a capital that starts a sentence says nothing


def test_surface_forms_keep_how_a_term_was_written() -> None:
    analysis = analyse("Flight DY 612 to Tromsø", "en")
    surfaces = dict(zip(analysis.terms, analysis.surfaces, strict=True))
    assert surfaces["DY612"] == "DY612"
    assert surfaces["tromso"] == "Tromsø"


def test_empty_and_noise_only_messages_have_no_terms() -> None:
    assert salient_terms("", "en") == ()
    assert salient_terms("@SpotifyCares https://t.co/x 🙏🙏", "en") == ()


def test_near_duplicates_have_similar_signatures_and_strangers_do_not() -> None:
    hasher = MinHasher(64, seed=8)
    a = hasher.signature(analyse("Spotify is down again, nothing plays in Oslo", "en").tokens)
    b = hasher.signature(analyse("spotify is down AGAIN!! nothing plays in oslo", "en").tokens)
    c = hasher.signature(analyse("How do I change the card for my family plan?", "en").tokens)
    rows = np.stack([b, c])
    scores = similarity(rows, a, bands=16)
    assert scores[0] >= 0.9
    assert scores[1] == 0.0


def test_signatures_are_the_same_in_every_process() -> None:
    tokens = analyse("Error E-503 since the update", "en").tokens
    first = MinHasher(64, seed=8).signature(tokens)
    assert np.array_equal(first, MinHasher(64, seed=8).signature(tokens))
    assert first.dtype == np.uint32 and first.nbytes == 256
    assert not np.array_equal(first, MinHasher(64, seed=9).signature(tokens))
