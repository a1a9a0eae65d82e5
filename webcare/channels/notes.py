"""The short public note posted when a conversation moves to private messages, in the customer's language.

Why prepared: moving a customer out of public view must be one action, and the public thread must say that an answer
came (others read it, and a silent thread looks like being ignored). The agent can change the text before sending;
the signature is added like on any reply.
"""

from __future__ import annotations

MOVE_TO_PRIVATE_NOTE = {
    "nb": "Hei! Vi har sendt deg en privat melding, så ser vi på dette sammen der.",
    "nn": "Hei! Vi har sendt deg ei privat melding, så ser vi på dette saman der.",
    "da": "Hej! Vi har sendt dig en privat besked, så ser vi på det sammen dér.",
    "sv": "Hej! Vi har skickat ett privat meddelande till dig, så tittar vi på det tillsammans där.",
    "fi": "Hei! Lähetimme sinulle yksityisviestin, katsotaan asiaa yhdessä siellä.",
    "nl": "Hoi! We hebben je een privébericht gestuurd, dan kijken we daar samen naar.",
    "de": "Hallo! Wir haben dir eine private Nachricht geschickt, dort schauen wir uns das gemeinsam an.",
    "en": "Hi! We've sent you a private message so we can look into this together there.",
}


def move_to_private_note(language: str) -> str:
    """The prepared note in ``language`` (ISO 639-1), English when webcare has none in it."""
    return MOVE_TO_PRIVATE_NOTE.get(language, MOVE_TO_PRIVATE_NOTE["en"])
