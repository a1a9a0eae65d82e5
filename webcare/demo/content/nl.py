"""Dutch conversations from Fjordnett's customers in the Netherlands.

Why: the Dutch market brings its own words and habits (glasvezel, modem, storing, automatische incasso, iDEAL,
nummerbehoud, monteur) and a direct tone that can read as rude to a Nordic agent but usually is not. Most customers
write "je"; some use "u", and the agents answer in kind.
"""

from __future__ import annotations

from webcare.demo.content.base import Convo, Lang, a, c, convo, img, pdf

NL: Lang = "nl"

CONVERSATIONS: list[Convo] = [
    convo(NL, "invoice-formal", "email", "private", "complaint", "billing invoice",
          c("Geachte heer/mevrouw,\n\nMijn factuur van {month-1} bedraagt € 87,40, terwijl mijn abonnement € 42,50 per "
            "maand kost. Ik heb geen extra diensten afgenomen. Kunt u mij uitleggen hoe dit bedrag tot stand is "
            "gekomen?\n\nMet vriendelijke groet,\n{full}", pdf("factuur_{month-1}.pdf", 81_207)),
          a("Geachte {full},\n\nDank voor uw bericht. Ik heb uw factuur bekeken: er staan twee maanden op, {month-2} "
            "en {month-1}, omdat de eerste automatische incasso na uw overstap een maand later is gestart. U heeft dus "
            "niet te veel betaald, en uw volgende factuur is weer € 42,50.\n\nMet vriendelijke groet,\n{agent}\n"
            "Fjordnett Klantenservice"),
          c("Dank u wel voor de duidelijke uitleg.\n\n{full}"),
          subject="Factuur {month-1}"),
    convo(NL, "direct-debit", "webchat", "private", "question", "billing payment",
          c("hoi! kan ik overstappen van iDEAL naar automatische incasso?"),
          a("Hoi! Zeker. In Mijn Fjordnett ga je naar Facturen → Betaalwijze → Automatische incasso, en vul je je "
            "IBAN in. Dat geldt vanaf de volgende factuur. Groet, {agent}"),
          c("top, dank je")),
    convo(NL, "roaming-turkey", "whatsapp", "private", "question", "roaming",
          c("Hoi, ik ga naar Istanbul. Werkt mijn bundel daar?"),
          a("Hoi {first}! Turkije valt buiten de EU, dus je bundel werkt daar niet automatisch. Met de Reisbundel "
            "Wereld betaal je € 7,50 per dag voor 1 GB en bellen naar Nederland. Die start vanzelf zodra je daar data "
            "gebruikt. Goede reis! ✈️ Groet, {agent}"),
          c("Helder, bedankt!")),
    convo(NL, "texel", "facebook", "public", "complaint", "coverage",
          c("Waarom is het bereik op Texel zo slecht? We zitten in een vakantiehuisje bij De Koog en hebben bijna "
            "geen 4G."),
          a("Hoi {first}, vervelend! In de zomer plaatsen we extra capaciteit op Texel, maar rond De Koog is het in "
            "de duinen soms nog lastig. Stuur ons een DM met het adres, dan laten we onze netwerkafdeling kijken. "
            "Groet, {agent}"),
          c("Gestuurd!")),
    convo(NL, "fibre-delay", "x", "public", "complaint", "broadband installation",
          c("Al 8 weken wachten op de aanleg van glasvezel in Zwolle. Drie keer een afspraak verzet. @fjordnett wat "
            "is er aan de hand?"),
          a("Hoi, dat is echt te lang, excuses. Stuur ons een DM met je ordernummer, dan zoeken we uit waar het "
            "vastzit. ^{agent}"),
          ending="pending"),
    convo(NL, "modem-red", "whatsapp", "private", "complaint", "broadband router",
          c("Hoi, mijn modem knippert rood en ik heb geen internet"),
          a("Hoi {first}! Rood knipperen betekent dat het modem geen signaal krijgt van de glasvezelaansluiting. Wil "
            "je controleren of de glasvezelkabel goed in het aansluitpunt zit, en het modem 30 seconden "
            "uitzetten? Groet, {agent}"),
          c("Kabel zat los, werkt weer 👍"),
          a("Mooi zo! Fijne dag nog. Groet, {agent}")),
    convo(NL, "esim", "webchat", "private", "question", "esim",
          c("hoi, kan ik mijn nummer op een esim zetten? heb een nieuwe pixel"),
          a("Hoi! Ja hoor. Ik stuur je een QR-code per mail, die je scant via Instellingen → Netwerk → Simkaarten → "
            "eSIM toevoegen. Je fysieke simkaart stopt dan met werken. Zal ik hem nu sturen? Groetjes, {agent}"),
          c("graag"),
          a("Verstuurd! Laat maar weten als het niet lukt. Groetjes, {agent}"),
          c("gelukt, bedankt!")),
    convo(NL, "moving-amersfoort", "email", "private", "question", "moving broadband",
          c("Hoi,\n\nWe verhuizen op 1 {month+3} van Utrecht naar Amersfoort. Kunnen we ons internet meenemen?\n\n"
            "Groeten,\n{full}"),
          a("Hoi {first},\n\nGoed nieuws: op jullie nieuwe adres ligt glasvezel waarop we kunnen leveren. Zal ik de "
            "verhuizing inplannen voor 1 {month+3}? Dan zeggen we het oude adres per die datum op.\n\nGroet,\n{agent}"),
          subject="Verhuizing internet", ending="pending"),
    convo(NL, "tv-channels", "instagram", "private", "question", "tv",
          c("hoi, zit NPO in het basispakket?"),
          a("Hoi! Ja, NPO 1, 2 en 3 en alle regionale zenders zitten in TV Basis 📺 Groet, {agent}"),
          c("top")),
    convo(NL, "compliment-x", "x", "public", "praise", "praise",
          c("Shoutout naar @fjordnett: storing om 21:00 gemeld, om 21:20 al opgelost. Zo kan het dus ook 👌"),
          a("Dankjewel, fijn om te horen! 😊 ^{agent}"),
          priority=4),
    convo(NL, "review-negative", "reviews", "public", "complaint", "billing",
          c("Na het opzeggen nog twee maanden gefactureerd. Drie keer gebeld, elke keer een ander verhaal. "
            "Nooit meer."),
          a("Hoi {first}, dat had niet mogen gebeuren, onze excuses. Ik heb je dossier bekeken en beide maanden "
            "gecrediteerd; het geld staat binnen vijf werkdagen op je rekening. Groet, {agent}, Fjordnett"),
          subject="Opzeggen was een drama"),
    convo(NL, "review-positive", "reviews", "public", "praise", "praise",
          c("Overgestapt naar Fjordnett en heel tevreden. Snelle glasvezel, monteur was vriendelijk en netjes."),
          a("Wat fijn om te lezen, {first}! Veel internetplezier 😊 Groet, {agent}"),
          subject="Prima overstap", priority=4),
    convo(NL, "outage-rotterdam", "x", "public", "complaint", "broadband",
          c("storing in Rotterdam-Zuid? al een uur geen internet @fjordnett"),
          ending="new"),
    convo(NL, "chat-new", "webchat", "private", "question", "billing",
          c("Hallo, ik heb een aanmaning gekregen maar volgens mij heb ik alles betaald. Kan iemand dit nakijken?"),
          ending="new"),
    convo(NL, "phishing", "facebook", "public", "question", "fraud",
          c("Krijg net een sms van \"Fjordnett\" dat mijn simkaart wordt geblokkeerd als ik niet via de link "
            "betaal. Is dit echt??"),
          a("Hoi {first}, nee, dit is phishing! Klik niet op de link en verwijder het bericht. Wij sturen nooit "
            "betaallinks per sms. Groet, {agent}"),
          c("Dacht ik al, bedankt!")),
    convo(NL, "number-keep", "webchat", "private", "question", "porting",
          c("als ik overstap, kan ik dan mijn 06-nummer houden?"),
          a("Hoi! Ja, kies bij je bestelling voor nummerbehoud, dan regelen wij de overstap en het opzeggen bij je "
            "oude provider. Dat duurt meestal 1–3 werkdagen. Groet, {agent}"),
          c("super")),
    convo(NL, "router-fee", "email", "private", "complaint", "billing equipment",
          c("Beste,\n\nIk heb € 95 kosten voor een niet-teruggestuurd modem op mijn factuur, maar ik heb het modem "
            "op 3 {month-1} bij een PostNL-punt ingeleverd. Bewijs in de bijlage.\n\nGroet,\n{full}",
            img("verzendbewijs.jpg", 980_114)),
          a("Beste {first},\n\nDank voor het verzendbewijs. Ik heb het magazijn gevraagd het pakket te zoeken. Zodra "
            "zij het bevestigen, crediteren we de € 95.\n\nGroet,\n{agent}"),
          c("Het is nu een week later en ik heb nog steeds niets gehoord. Ik verwacht dat dit nu wordt opgelost.",
            delay=7 * 24 * 60),
          subject="Kosten modem onterecht", ending="open", window=(7.2, 9.4)),
    convo(NL, "technician", "facebook", "private", "complaint", "broadband technician",
          c("Hoi, al drie dagen geen internet in Haarlem. Modem opnieuw opgestart, niks."),
          a("Hoi {first}, vervelend! Ik zie een storing op de glasvezel naar je woning en heb een monteur ingepland "
            "voor {workday+2} tussen 8 en 13 uur. Je krijgt 20 GB extra data op je mobiel zolang het duurt. Groet, "
            "{agent}"),
          c("{workday+2:cap} is goed"),
          a("Top, de monteur belt een half uur van tevoren. Groet, {agent}"),
          ending="on_hold", priority=2, notes=["Monteur {workday+2} 8–13, order MT-30912. 20 GB compensatie."]),
    convo(NL, "data-limit-child", "instagram", "private", "question", "mobile",
          c("Kan ik een datalimiet instellen voor mijn dochter? Ze is 11"),
          a("Hoi! Ja, in de app bij haar nummer → Verbruik → Datalimiet. Je krijgt ook een melding bij 80% 🙂 Groet, "
            "{agent}"),
          c("gelukt, dank je!")),
    convo(NL, "wifi-range", "whatsapp", "private", "question", "broadband wifi",
          c("Wifi komt niet tot de zolder. Wat kan ik doen?"),
          a("Hoi {first}! Een wifi-versterker (mesh-punt) lost dat meestal op: € 3 per maand. Zet hem halverwege "
            "tussen modem en zolder. Zal ik er een sturen? Groet, {agent}"),
          ending="pending"),
    convo(NL, "cancel", "email", "private", "question", "cancellation",
          c("Goedendag,\n\nIk wil graag mijn abonnement opzeggen per 1 {month+1}, omdat ik naar het buitenland "
            "verhuis.\n\nMet vriendelijke groet,\n{full}"),
          a("Goedendag {first},\n\nUw opzegging is verwerkt per 1 {month+1}. U ontvangt een bevestiging per e-mail en "
            "een retourlabel voor het modem. Succes met de verhuizing!\n\nMet vriendelijke groet,\n{agent}"),
          subject="Opzeggen abonnement"),
    convo(NL, "football", "telegram", "private", "question", "tv",
          c("Heb ik bij jullie Eredivisie? Zo ja welk pakket?"),
          a("Hoi! Ja, met het pakket Sport+ (€ 14,95 p/m) kijk je alle wedstrijden live ⚽ Je kunt het maandelijks "
            "opzeggen. /{agent}"),
          c("Top, bedankt")),
    convo(NL, "price-increase", "facebook", "public", "complaint", "price-change",
          c("Alweer een prijsverhoging van € 3 per maand. Waarvoor eigenlijk? Niks is beter geworden."),
          a("Hoi {first}, we snappen dat dit vervelend is. De verhoging komt door gestegen energie- en netwerkkosten. "
            "Stuur ons gerust een DM, dan kijken we samen of er een voordeliger abonnement bij je gebruik past. "
            "Groet, {agent}"),
          c("Doe ik")),
    convo(NL, "5g", "instagram", "public", "question", "coverage 5g",
          c("heb ik 5G in Groningen? 📶"),
          a("Hoi! Ja, in heel Groningen-stad heb je 5G. Check wel of 5G aan staat in je telefooninstellingen 😉 "
            "Groet, {agent}"),
          c("stond uit 🙈 thx")),
    convo(NL, "student", "webchat", "private", "question", "mobile price",
          c("hebben jullie studentenkorting?"),
          a("Hoi! Ja, met Jong (t/m 27 jaar) krijg je dubbele data voor dezelfde prijs 🎓 Zal ik je de link sturen? "
            "Groetjes, {agent}"),
          c("ja graag"),
          a("Hier: fjordnett.example/nl/jong 😊 Groetjes, {agent}")),
    convo(NL, "switzerland", "x", "public", "question", "roaming",
          c("@fjordnett kan ik in Zwitserland gewoon mijn bundel gebruiken? wintersport volgende week ⛷️"),
          a("Hoi! Ja, bij ons valt Zwitserland gewoon onder je bundel, net als de EU. Veel skiplezier! ^{agent}"),
          c("top!")),
    convo(NL, "wa-thanks", "whatsapp", "private", "praise", "praise",
          c("Hoi, ik wilde even laten weten dat de monteur gisteren super was. Alles werkt, dank jullie wel!"),
          a("Wat leuk om te horen! We geven het door aan de monteur 😊 Groet, {agent}"),
          priority=4),
]
