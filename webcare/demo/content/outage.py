"""The Bergen outage: mobile data down in Bergen and Vestland for about two and a half hours, three days ago.

Why: an outage is the moment a social desk earns its keep. Dozens of people complain at once, on every channel, in
bokmål, nynorsk, English and Swedish, each in their own words and none of them using the word "outage". The demo
shows whether the desk notices that these are one incident, answers them consistently and closes them when the fault
is fixed. Times are minutes after the outage started (``at``): the first complaints trickle in, the wave peaks after
half an hour, the fix comes at about minute 150. Every ticket carries only the label ``outage-bergen``.
"""

from __future__ import annotations

from webcare.demo.content.base import ChannelKind, ConversationKind, Convo, Lang, Line, a, c, convo, img, pdf

LABEL = "outage-bergen"


def _outage(lang: Lang, key: str, channel: ChannelKind, *lines: Line, kind: ConversationKind = "public",
            priority: int = 2, notes: tuple[str, ...] = ()) -> Convo:
    """One complaint thread about the outage (anchored to the outage start, solved once the fix is confirmed)."""
    if channel in ("whatsapp", "webchat", "telegram", "email"):
        kind = "private"
    return convo(lang, f"outage-{key}", channel, kind, "outage", LABEL, *lines, priority=priority, notes=notes,
                 anchored=True)


CONVERSATIONS: list[Convo] = [
    # --- the first trickle ----------------------------------------------------------------------------------------
    _outage("nb", "sentrum", "x",
            c("Mobildata har slutta å virke i Bergen sentrum. Noen andre? @fjordnett", at=2),
            a("Hei! Takk for beskjed, vi undersøker saken nå og kommer tilbake så fort vi vet mer. ^{agent}"),
            a("Oppdatering: feilen er rettet, og mobildata skal virke igjen i hele Bergen. Beklager bryet! ^{agent}",
              at=153),
            notes=("Flere meldinger om mobildata nede i Bergen siste minuttene. Meldt til NOC.",)),
    _outage("nb", "asane", "facebook",
            c("4G borte på Åsane. Kan ringe, men ingenting som bruker nett virker", at=4),
            a("Hei {first}, takk for at du sier fra! Vi har fått flere meldinger fra Bergen nå og undersøker. "
              "Mvh {agent}"),
            c("Fortsatt helt dødt her", at=41),
            a("Beklager, {first}! Det er bekreftet en feil på mobildata i Bergen og omegn. Teknikerne jobber med "
              "den, og samtaler og SMS virker som normalt. Mvh {agent}", at=47),
            a("Nå er feilen rettet, og alt skal virke igjen. Takk for tålmodigheten! Mvh {agent}", at=155),
            notes=("NOC bekrefter: transmisjonsfeil Vestland, INC-20931. Bruk standardsvar.",)),
    _outage("nn", "voss", "facebook",
            c("Mobildata verkar ikkje på Voss. Er det feil no?", at=6),
            a("Hei {first}! Me har fått fleire meldingar om det same frå Bergen og omegn, og teknikarane ser på det. "
              "Helsing {agent}"),
            a("No er feilen retta, og mobildata skal verke som normalt att. Takk for tolmodet! Helsing {agent}",
              at=156)),
    _outage("nb", "iphone-error", "x",
            c("Får «Mobildatanettverket er ikke tilgjengelig» på iPhonen. Restarta to ganger. Bergen. @fjordnett??",
              img("IMG_7781.PNG", 301_227), at=9),
            a("Hei! Det er ikke telefonen din, vi har en feil på mobildata i Bergen-området nå. Vi er på saken! "
              "^{agent}"),
            c("ok takk for svar", at=31),
            a("Nå er det oppe igjen 👍 ^{agent}", at=154)),
    _outage("en", "bryggen", "x",
            c("Is @fjordnett mobile data down in Bergen? No connection at all near Bryggen", at=11),
            a("Hi! Yes, we have a fault affecting mobile data in the Bergen area. Calls and texts still work, and our "
              "engineers are on it. Sorry! ^{agent}"),
            a("Update: the fault is fixed and mobile data is back. Thanks for your patience! ^{agent}", at=158)),
    _outage("nb", "danmarksplass", "instagram",
            c("null dekning på Danmarksplass 🤬🤬", at=13),
            a("Hei! Vi har en feil på mobildata i Bergen nå. Teknikerne jobber med saken, og vi oppdaterer så snart "
              "det er løst. Beklager 🙏 /{agent}"),
            a("Nå skal mobildata virke igjen 🙌 /{agent}", at=160)),
    _outage("nb", "vipps-kiwi", "x",
            c("Står i kassa på Kiwi og får ikke betalt med Vipps fordi mobilnettet er nede. Takk @fjordnett 🙃",
              at=15),
            a("Uff, beklager! Vi har en feil på mobildata i Bergen akkurat nå og jobber på spreng med å rette den. "
              "^{agent}"),
            c("heldigvis hadde jeg kort. men seriøst", at=38),
            a("Feilen er rettet nå. Beklager igjen for bryet i kassa! ^{agent}", at=157)),
    _outage("nn", "os", "whatsapp",
            c("Hei. Eg har ikkje hatt mobildata i Os sidan kvart på fem. Kva skjer?", at=17),
            a("Hei {first}! Me har ein feil på mobildata i Bergen og omegn no, og teknikarane jobbar med han. "
              "Samtalar og SMS verkar. Helsing {agent}"),
            c("ok, takk for svar", at=40),
            a("No er feilen retta 👍 Start gjerne telefonen på nytt viss det framleis ikkje går. Helsing {agent}",
              at=159)),
    # --- the wave -------------------------------------------------------------------------------------------------
    _outage("nb", "skyss", "facebook",
            c("Bussen er forsinket og jeg kan ikke engang sjekke Skyss-appen. Er nettet nede?", at=19),
            a("Hei {first}! Ja, vi har dessverre en feil på mobildata i Bergen nå. Vi er på saken og oppdaterer her. "
              "Mvh {agent}"),
            a("Nå er det i orden igjen. Beklager forsinkelsen (vår del av den 😅). Mvh {agent}", at=161)),
    _outage("nb", "fana", "x",
            c("Har 5 streker men ingenting laster 🤔 Fana. Noen andre med @fjordnett?", at=20),
            a("Hei! Du er ikke alene – det er en feil på mobildata i Bergen-området. Teknikerne jobber med den. "
              "^{agent}"),
            a("Oppe igjen nå! ^{agent}", at=152)),
    _outage("nb", "laksevag", "webchat",
            c("Hei, mobildata er helt død i Laksevåg. Har prøvd flymodus av og på, hjelper ikke", at=21),
            a("Hei! Beklager, det er en feil på mobildata i Bergen og omegn, så det er ikke noe du kan gjøre selv. "
              "Teknikerne jobber med saken, og du får SMS når det er løst. Hilsen {agent}"),
            c("ok. vet dere hvor lenge det varer?", at=24),
            a("Vi har ikke et anslag ennå, men vi regner med et par timer. Hilsen {agent}", at=26),
            c("ok takk", at=27)),
    _outage("en", "lost-maps", "instagram",
            c("No mobile data in Bergen for half an hour. Google Maps is dead and I'm lost 😅", at=23),
            a("Sorry about that! There's a fault on mobile data in the Bergen area right now. Calls still work, and "
              "we're on it. If you're stuck, any café will have Wi-Fi ☕ – {agent}"),
            c("found a café with wifi haha", at=48),
            a("Good call! Data is back now 🙌 – {agent}", at=163)),
    _outage("nn", "askoy", "x",
            c("Nettet er daudt på Askøy. Eg får ringt, men ingenting anna fungerer @fjordnett", at=24),
            a("Hei! Me har ein feil på mobildata i Bergen og omegn, og jobbar med å rette han. Takk for tolmodet! "
              "/{agent}"),
            a("No er det oppe att 👍 /{agent}", at=155)),
    _outage("nb", "home-nurse", "whatsapp",
            c("Hei. Jeg jobber i hjemmesykepleien i Bergen og appen vi registrerer besøk i bruker mobildata. Ingenting "
              "virker. Haster!", at=25),
            a("Hei {first}. Vi har en feil på mobildata i Bergen-området nå, og den har høyeste prioritet hos "
              "teknikerne. Samtaler virker, så ring gjerne kontoret for å melde besøkene i mellomtiden. Vi sender "
              "SMS når det er løst. Mvh {agent}"),
            c("Takk, vi gjør det sånn", at=33),
            a("Nå er mobildata tilbake. Takk for at dere holdt ut! Mvh {agent}", at=151),
            priority=1, notes=("Kommunal hjemmetjeneste rammet. Meldt til NOC som samfunnskritisk bruker.",)),
    _outage("nb", "card-terminal", "facebook",
            c("Kortterminalen på kaféen vår går på 4G fra dere, og nå har vi ikke kunnet ta kort på en halvtime. Dere "
              "koster oss penger nå!", at=27),
            a("Hei {first}, det er vi virkelig lei oss for. Det er en feil på mobildata i Bergen, og teknikerne jobber "
              "med den nå. Send oss en melding med organisasjonsnummeret, så ser vi på kompensasjon når feilen er "
              "løst. Mvh {agent}"),
            c("Har sendt", at=44),
            a("Takk! Feilen er rettet nå, og vi tar kontakt om kompensasjon i morgen. Mvh {agent}", at=158),
            priority=1),
    _outage("sv", "visit", "x",
            c("Hej @fjordnett, jag är på besök i Bergen och mobildatan har slutat fungera. Är det fel på nätet?",
              at=28),
            a("Hej! Ja, vi har ett fel på mobildatan i Bergenområdet just nu. Våra tekniker jobbar på det. Ursäkta! "
              "/{agent}"),
            a("Nu fungerar det igen! /{agent}", at=160)),
    _outage("nb", "sandviken-hotspot", "webchat",
            c("Hotspot fra mobilen til laptopen er død. Jobber hjemmefra i Sandviken og har møte om 10 min!!", at=29),
            a("Hei! Beklager, vi har en feil på mobildata i hele Bergen-området nå. Har du mulighet til å bli med på "
              "møtet via telefon i mellomtiden? Vanlige samtaler virker. Hilsen {agent}"),
            c("ringer inn da. men dette er ikke bra", at=33),
            a("Forstår det godt, og beklager igjen. Du får SMS når det er oppe. Hilsen {agent}", at=34)),
    _outage("nn", "sotra", "instagram",
            c("4G er borte i heile Sotra? 😩", at=30),
            a("Hei! Ja, me har ein feil på mobildata i Bergen og omegn no. Teknikarane er på saka 🙏 /{agent}"),
            a("Mobildata er tilbake no! 🙌 /{agent}", at=162)),
    _outage("nb", "messenger", "facebook",
            c("Får ikke sendt bilder på Messenger, står bare «venter på nettverk». Er det dere?", at=31),
            a("Hei {first}! Ja, det er oss, beklager 😬 Vi har en feil på mobildata i Bergen-området, og jobber med å "
              "rette den. Mvh {agent}"),
            a("Nå er det fikset! Mvh {agent}", at=154)),
    _outage("nb", "taxi", "x",
            c("Kjører taxi i Bergen og appen får ikke turer fordi mobildata er borte. @fjordnett når er dere oppe "
              "igjen?",
              at=32),
            a("Hei, beklager! Feilen på mobildata i Bergen har høyeste prioritet, og vi oppdaterer så fort vi har et "
              "tidspunkt. ^{agent}"),
            c("hele sentralen står jo stille...", at=50),
            a("Nå er det oppe igjen. Beklager tapt inntekt i kveld. ^{agent}", at=153)),
    _outage("nn", "arna", "whatsapp",
            c("Mobildata virkar ikkje i Arna. Har starta telefonen på nytt tre gongar 🙄", at=33),
            a("Hei {first}! Det er ikkje telefonen din. Me har ein feil på mobildata i Bergen og omegn, og teknikarane "
              "jobbar med han. Helsing {agent}"),
            a("No skal alt verke att. Takk for tolmodet! Helsing {agent}", at=157)),
    _outage("nb", "lte-flicker", "facebook",
            c("LTE-ikonet forsvinner og kommer tilbake, men ingenting lastes. Minde. Noen som vet noe?", at=34),
            a("Hei {first}! Vi har en feil på mobildata i Bergen-området nå, teknikerne er på saken. Beklager! "
              "Mvh {agent}"),
            a("Feilen er rettet nå 👍 Mvh {agent}", at=159)),
    _outage("en", "uber", "x",
            c("mobile internet down in bergen?? can't order a ride home @fjordnett", at=35),
            a("Hi! Yes, sorry, there's a fault on mobile data in the Bergen area. Calls work, so you can still phone a "
              "taxi company. We're working on it! ^{agent}"),
            a("Mobile data is back up now! ^{agent}", at=156)),
    _outage("nb", "e-not-4g", "instagram",
            c("«E» i stedet for 4G i hele Bergenhus. Hva skjer? 🐌", at=36),
            a("Hei! Det er en feil på mobildata i Bergen-området. Vi jobber med saken og oppdaterer så snart vi vet "
              "mer 🙏 /{agent}"),
            a("Nå skal det være 4G igjen 📶 /{agent}", at=161)),
    _outage("nn", "knarvik", "facebook",
            c("Ingen nett her i Knarvik. Treng å sjå kva tid ferja går!", at=37),
            a("Hei {first}! Me har ein feil på mobildata i Bergen og omegn. Ruteopplysninga hjå Skyss kan du ringje, "
              "samtalar verkar. Helsing {agent}"),
            c("Ringde, takk", at=45),
            a("No er mobildata tilbake 👍 Helsing {agent}", at=158)),
    _outage("nb", "electricity-joke", "x",
            c("Har dere glemt å betale strømregninga i Bergen eller @fjordnett? 😅 Null nett", at=38),
            a("Haha, strømmen er betalt 😅 Men vi har en feil på mobildata i Bergen, og teknikerne er på saken. "
              "^{agent}"),
            a("Oppe igjen nå! ^{agent}", at=155)),
    _outage("nb", "only-bergen", "webchat",
            c("Er det bare i Bergen? Har venner i Oslo som har nett", at=39),
            a("Hei! Ja, feilen gjelder mobildata i Bergen og deler av Vestland. Resten av landet er ikke rammet. "
              "Teknikerne jobber med saken. Hilsen {agent}"),
            c("ok takk", at=42)),
    _outage("en", "nordnes", "facebook",
            c("Phone says \"No Internet Connection\" on 4G. Bergen, Nordnes. Is it you or me?", at=41),
            a("Hi {first}, it's us, sorry! There's a fault affecting mobile data in the Bergen area, and our engineers "
              "are working on it. – {agent}"),
            a("It's fixed now, data should work again. Thanks for bearing with us! – {agent}", at=160)),
    _outage("nn", "stord", "whatsapp",
            c("Hei, eg har ikkje nett på Stord. Er det same feilen som i Bergen?", at=43),
            a("Hei {first}! Ja, feilen gjeld store delar av Vestland, også Sunnhordland. Me jobbar med han. "
              "Helsing {agent}"),
            a("No er feilen retta. Helsing {agent}", at=164)),
    _outage("nb", "kids-snapchat", "facebook",
            c("Ungene mine på Straume har fått panikk, Snapchat virker ikke 😂 Er nettet nede?", at=45),
            a("Haha, vi skjønner panikken 😅 Ja, det er en feil på mobildata i Bergen-området. Vi jobber med å rette "
              "den! Mvh {agent}"),
            c("Samtaler går i hvert fall, så de har faktisk ringt meg 😄", at=52),
            a("Noe godt kom ut av det 😄 Nå er mobildata tilbake! Mvh {agent}", at=159)),
    # --- the tail -------------------------------------------------------------------------------------------------
    _outage("nb", "status-page", "x",
            c("@fjordnett driftsmeldingssiden deres sier «ingen kjente feil». Samtidig har ingen i Bergen nett. "
              "Kanskje "
              "oppdatere den?", at=48),
            a("Helt riktig, den skulle vært oppdatert. Det er gjort nå. Takk for at du sa fra! ^{agent}"),
            a("Feilen er rettet. ^{agent}", at=154)),
    _outage("nb", "mms", "webchat",
            c("Får ikke lastet ned bildet som svigermor sendte på MMS. Feil hos dere?", at=52),
            a("Hei! Ja, MMS bruker mobildata, og vi har en feil på mobildata i Bergen nå. Bildet kommer når feilen er "
              "rettet. Hilsen {agent}"),
            c("ok, da venter jeg", at=55)),
    _outage("nn", "bus-bored", "x",
            c("Kjem mobildata snart tilbake @fjordnett? Sit på bussen til Odda og kjedar meg 😩", at=55),
            a("Hei! Me jobbar på spreng. Ei god bok er ikkje å forakte i mellomtida 📖 /{agent}"),
            a("No er det oppe att! God tur vidare 🚌 /{agent}", at=162)),
    _outage("nb", "restart-again", "facebook",
            c("Dette er tredje gangen i år at mobilnettet i Bergen går ned. Hva er det dere ikke får til?", at=58),
            a("Hei {first}. Vi forstår frustrasjonen. Feilen i dag skyldes en skade på en fiberforbindelse mellom "
              "Bergen og Oslo som mobilnettet vårt bruker. Den repareres nå, og vi skal se på hvordan vi kan få en "
              "reserveforbindelse på plass. Mvh {agent}"),
            c("Ja, det bør dere", at=70),
            a("Feilen er rettet nå. Takk for tålmodigheten. Mvh {agent}", at=156)),
    _outage("en", "cafe-hotspot", "webchat",
            c("Hi, any ETA on the mobile data outage? I'm working remotely from a café in Bergen using my phone as a "
              "hotspot, and I have a client call at 18:30.", at=61),
            a("Hi {first}, sorry about this. We don't have an exact time yet, but we expect a fix within a couple of "
              "hours. The café Wi-Fi is probably your best bet for the call. We'll text you when it's fixed. "
              "– {agent}"),
            c("ok. not great, I pay for unlimited data exactly for this", at=64),
            a("Completely understandable. If this caused you costs, write to us by e-mail and we'll look at "
              "compensation. – {agent}", at=66)),
    _outage("nn", "osteroy", "telegram",
            c("Mobilnettet er nede på Osterøy, får ikkje opna nettbanken. Er det ein feil hjå dykk?", at=50),
            a("Hei! Ja, me har ein feil på mobildata i Bergen og omegn. Teknikarane jobbar med saka, og du får SMS når "
              "ho er løyst. /{agent}"),
            c("Takk for rask melding", at=58),
            a("No verkar det att 👍 /{agent}", at=165)),
    _outage("nb", "eta", "whatsapp",
            c("Hei. Vet dere når mobildata er tilbake i Bergen? Sønnen min er på tur og jeg får ikke tak i ham på "
              "Snapchat", at=66),
            a("Hei {first}! Vi regner med at feilen er rettet i løpet av et par timer. Vanlige samtaler og SMS virker, "
              "så du kan ringe eller sende SMS til ham. Mvh {agent}"),
            c("Fikk tak i ham på SMS. Takk", at=74),
            a("Så bra! Nå er mobildata tilbake også. Mvh {agent}", at=153)),
    _outage("nb", "nesttun", "instagram",
            c("fortsatt ikke nett på Nesttun... 1,5 time nå 😤", at=82),
            a("Hei! Beklager at det tar tid. Teknikerne er i gang med reparasjonen, og vi forventer at det er oppe "
              "innen en time 🙏 /{agent}"),
            a("Nå er det oppe igjen 🙌 /{agent}", at=158)),
    _outage("sv", "avbrott", "facebook",
            c("Ingen mobildata i Bergen sedan en timme. Är det ett avbrott?", at=85),
            a("Hej {first}! Ja, vi har ett fel på mobildatan i Bergenområdet. Teknikerna arbetar med det och vi räknar "
              "med att det är löst inom en timme. /{agent}"),
            a("Nu är felet åtgärdat. Tack för ditt tålamod! /{agent}", at=161)),
    _outage("nb", "after-fix-still-down", "x",
            c("@fjordnett fortsatt ingen mobildata her i Loddefjord 😠", at=88),
            a("Hei! Vi jobber fortsatt med feilen og regner med at det er oppe om en liten stund. ^{agent}"),
            c("nå sier dere at det er fikset, men jeg har fortsatt ikke nett?", at=166),
            a("Prøv å slå flymodus på og av igjen, eller start telefonen på nytt, så kobler den seg opp på nytt. "
              "Virker det? ^{agent}", at=171),
            c("ja nå funka det. takk", at=176)),
]

#: After the outage: the remote worker from the café asks for compensation by e-mail (same person, second channel).
CONVERSATIONS.append(
    convo("en", "outage-compensation", "email", "private", "complaint", "billing compensation",
          c("Hello,\n\nAs suggested by your colleague on the chat: during the mobile data outage in Bergen the "
            "other evening I lost my connection for two hours and had to pay for a day pass at a coworking space "
            "(250 kr, receipt attached) to take a client call. I'd like to be compensated for this.\n\n"
            "Best regards,\n{full}", pdf("receipt_coworking.pdf", 41_872)),
          a("Hello {first},\n\nThank you for the receipt, and sorry again for the trouble the outage caused. We have "
            "credited 250 kr for the day pass plus 149 kr for the lost data, which you will see on your next "
            "invoice.\n\nKind regards,\n{agent}\nFjordnett Customer Service"),
          c("Thank you, that's fair."),
          subject="Compensation for the outage", follows="en-outage-cafe-hotspot", window=(0.3, 2.3), market="no"),
)
