"""Sales leads: people and businesses who want to become Fjordnett customers.

Why: a social desk is not only a complaints desk. Someone asking "do you have fibre in my street?" on a Friday
evening is worth money, and the demo shows such messages being routed to the sales team (and answered by sales
people, who sign with their first names like everyone else). One family starts on the chat and continues by e-mail.
"""

from __future__ import annotations

from webcare.demo.content.base import Convo, a, c, convo, pdf

CONVERSATIONS: list[Convo] = [
    convo("nb", "lead-family-chat", "webchat", "private", "sales_lead", "sales-lead mobile broadband",
          c("Hei! Vi er en familie på fire som vurderer å flytte både mobil og internett til dere. Hva kan dere "
            "tilby? Har fiber i dag, og fire mobilabonnement."),
          a("Hei! Så hyggelig at dere vurderer oss 😊 Med Familie får dere 20 % rabatt på alle mobilabonnement "
            "utenom det første, og 150 kr i måneden i rabatt på fiber når dere har begge deler. Send meg gjerne "
            "numrene og hvor mye data hver bruker på e-post til salg@fjordnett.example, så lager jeg et konkret "
            "tilbud. Hilsen {agent}"),
          c("Supert, sender i kveld!"),
          window=(5.0, 8.0), agent="silje", hours=(9, 19)),
    convo("nb", "lead-family-email", "email", "private", "sales_lead", "sales-lead mobile broadband",
          c("Hei Silje!\n\nViser til chatten i går. Vi er to voksne som bruker ca. 15 GB hver, og to tenåringer "
            "som bruker «alt de får». Fiber 500 i dag. Adressen er Lillevannsveien 9, Oslo.\n\nMvh\n{full}"),
          a("Hei {first},\n\nTakk for opplysningene! Her er forslaget mitt:\n\n"
            "- 2 x Mobil 15 GB: 399 + 319 kr\n- 2 x Ung Fri data: 319 + 319 kr\n- Fiber 500: 599 kr (med "
            "familierabatt)\n\nTotalt 1 955 kr/mnd, som er 410 kr mindre enn dere betaler i dag etter det du "
            "beskrev. Ingen binding, og vi ordner flyttingen av numrene. Tilbudet ligger også vedlagt. Skal jeg "
            "sende avtalen til signering med BankID?\n\nVennlig hilsen\n{agent}\nFjordnett salg",
            pdf("tilbud_familie.pdf", 102_554)),
          subject="Tilbud mobil og fiber", follows="nb-lead-family-chat", window=(1.0, 4.5), ending="pending",
          priority=2, agent="silje"),
    convo("nb", "lead-plumber", "email", "private", "sales_lead", "sales-lead business",
          c("Hei.\n\nVi er et rørleggerfirma i Drammen med 8 ansatte. Vi vurderer å samle mobil for alle ansatte "
            "pluss internett på kontoret hos én leverandør. Har dere bedriftsavtaler?\n\nMed vennlig hilsen\n"
            "{full}\nDaglig leder"),
          a("Hei {first},\n\nTakk for henvendelsen! Ja, med Fjordnett Bedrift får dere felles faktura, "
            "administrasjon i bedriftsportalen og fast kontaktperson. For 8 ansatte med 20 GB hver og Fiber 1000 på "
            "kontoret vil prisen ligge rundt 3 900 kr/mnd eks. mva. Passer det med en kort telefonprat på "
            "{workday+2}, så lager jeg et tilbud tilpasset dere?\n\nVennlig hilsen\n{agent}\nFjordnett Bedrift"),
          subject="Bedriftsavtale mobil og internett", ending="pending", priority=2),
    convo("da", "lead-aarhus-fibre", "webchat", "private", "sales_lead", "sales-lead broadband",
          c("Hej, jeg flytter til Aarhus C til marts. Kan I levere fiber på Frederiks Allé 40?"),
          a("Hej! Ja, adressen har fiber fra os, med op til 1000 Mbit. Fiber 1000 koster 329 kr/md. uden "
            "binding, og vi sender routeren gratis. Vil du have, at jeg reserverer en startdato? /{agent}"),
          c("ja, 1. marts tak"),
          a("Det er reserveret! Du får en bekræftelse på mail med et link til at godkende ordren med MitID. /{agent}"),
          priority=3),
    convo("sv", "lead-villa-uppsala", "instagram", "private", "sales_lead", "sales-lead broadband",
          c("Hej! Vi har precis köpt villa i Sunnersta, Uppsala. Kan man få fiber från er där?"),
          a("Hej och grattis till huset! 🏡 Sunnersta har fiber via stadsnätet, och där kan vi leverera upp till "
            "1000 Mbit. Vill du att jag skickar ett erbjudande till din mejl? /{agent}"),
          ending="pending"),
    convo("nl", "lead-fibre-tv", "whatsapp", "private", "sales_lead", "sales-lead broadband tv",
          c("Hoi! Ik zit nu bij een andere provider maar mijn contract loopt over twee maanden af. Wat kost glasvezel "
            "+ TV "
            "bij jullie in Eindhoven?"),
          a("Hoi {first}! In Eindhoven kun je glasvezel 1 Gbit + TV Basis krijgen voor € 59,50 per maand, de "
            "eerste 3 maanden voor € 39,50. We regelen de overstap en het opzeggen bij je huidige provider. Zal ik "
            "een aanbod voor je klaarzetten? Groet, {agent}"),
          c("Ja graag, postcode is 5611 AB"),
          a("Staat klaar! Je krijgt een mail met de link om te bestellen. Groet, {agent}")),
    convo("fi", "lead-housing-company", "email", "private", "sales_lead", "sales-lead business broadband",
          c("Hei,\n\nOlen asunto-osakeyhtiö Koivukuja 3:n hallituksen puheenjohtaja Espoossa. Taloyhtiössämme on 36 "
            "asuntoa, ja harkitsemme valokuidun vetämistä jokaiseen asuntoon. Voisitteko tehdä meille tarjouksen "
            "ennen yhtiökokousta maaliskuussa?\n\nYstävällisin terveisin\n{full}"),
          a("Hei {first},\n\nKiitos yhteydenotostanne! Teemme mielellämme tarjouksen. Taloyhtiökuidussa jokainen "
            "asunto saa 1 Gbit/s yhteyden, ja kuukausimaksu sisällytetään vastikkeeseen (tyypillisesti 15–20 € / "
            "asunto). Voisimmeko sopia katselmuksen taloyhtiön tiloihin jollekin päivälle ensi viikolla?\n\n"
            "Ystävällisin terveisin\n{agent}\nFjordnett Yritysmyynti"),
          subject="Valokuitu taloyhtiöön", ending="pending", priority=2),
    convo("en", "lead-tromso", "x", "public", "sales_lead", "sales-lead mobile coverage",
          c("Thinking of switching to @fjordnett. Is the coverage in Tromsø any good? Especially up towards "
            "Kvaløya"),
          a("Hi! Tromsø city has great 4G and 5G, and on Kvaløya you'll have 4G along the main roads and in most "
            "villages. Happy to send you a coverage check for your address – just DM us! ^{agent}"),
          c("DMing you now"),
          market="no", window=(6.0, 10.0)),
    convo("en", "lead-tromso-dm", "x", "private", "sales_lead", "sales-lead mobile coverage",
          c("Hi again! It's Kvaløyvegen 410, near Kaldfjord. Me and my partner both work from home a lot, so we'd need "
            "decent data on two phones."),
          a("Thanks! At that address you'll have good 4G outdoors and decent 4G indoors. For two people working from "
            "home, I'd suggest Fri data on both (20% off the second), 838 kr/month in total, no lock-in. Want me to "
            "send you the order link? ^{agent}"),
          c("yes please"),
          a("Sent! If the coverage disappoints within the first 30 days, you can cancel for free. ^{agent}"),
          follows="en-lead-tromso", window=(2.0, 5.5), market="no"),
]
