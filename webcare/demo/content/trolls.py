"""Trolls: rude, profane messages with no question in them, in several languages.

Why: every public brand account gets them, and a desk must triage them fast, usually by not answering (or answering
once, calmly) and closing them, without letting them hide the real complaints. They swear the way people really do in
each language, but there are no slurs: the demo shows abuse, it does not repeat hate. Priority is always 4.
"""

from __future__ import annotations

from webcare.demo.content.base import Convo, a, c, convo

CONVERSATIONS: list[Convo] = [
    convo("nb", "troll-svindel", "x", "public", "troll", "abusive",
          c("@fjordnett er et jævla svindelselskap. Faen ta dere og den dritttjenesten deres 🖕🖕"),
          priority=4, notes=["Ingen konkret sak, ingen kundehistorikk på handle. Ikke svar, følg med."]),
    convo("nb", "troll-fjordnednett", "facebook", "public", "troll", "abusive",
          c("hahaha FjordNEDnett 😂😂 dritt firma, kommer aldri til å funke. idioter alle sammen"),
          a("Hei! Så leit at du er misfornøyd. Har du et konkret problem, hjelper vi gjerne – send oss en melding. "
            "Mvh {agent}"),
          c("stikk av"),
          priority=4, notes=["Svarte én gang, følger ikke opp videre."]),
    convo("nb", "troll-bot", "whatsapp", "private", "troll", "abusive",
          c("HAHA TESTER OM NOEN SVARER 🤡🤡"),
          c("svar da din bot"),
          a("Hei! Her sitter det faktisk et menneske 😊 Trenger du hjelp med noe? /{agent}"),
          c("nei lol. dere suger"),
          priority=4),
    convo("da", "troll-idioter", "instagram", "public", "troll", "abusive",
          c("I er sgu de største idioter i hele telebranchen. Pis firma, pis net, pis kundeservice 🤮"),
          priority=4, notes=["Kommentar skjult pga. sprog. Ingen kundesag."]),
    convo("sv", "troll-skitbolag", "x", "public", "troll", "abusive",
          c("Fy fan vilket skitbolag ni är @fjordnett. Hoppas ni går i konkurs, era jävla clowner 🤡"),
          priority=4),
    convo("nl", "troll-kolere", "facebook", "public", "troll", "abusive",
          c("Kutbedrijf. Stelletje oplichters zijn jullie. Krijg allemaal de kolere"),
          priority=4, notes=["Geen klant gevonden op deze naam. Reactie verborgen, niet beantwoord."]),
    convo("en", "troll-muppets", "x", "public", "troll", "abusive",
          c("lmao imagine paying @fjordnett for this garbage. fire your entire \"support\" team, bunch of useless "
            "muppets"),
          a("Sorry to hear you're unhappy. If there's something specific we can help with, send us a DM. ^{agent}"),
          priority=4, market="no"),
    convo("fi", "troll-paska", "facebook", "public", "troll", "abusive",
          c("Ihan paska firma, vittu mitä touhua. Ette osaa yhtään mitään 🤬"),
          priority=4),
    convo("nn", "troll-drittselskap", "instagram", "public", "troll", "abusive",
          c("for eit drittselskap. de burde skjemmast, heile gjengen 💩"),
          priority=4),
]
