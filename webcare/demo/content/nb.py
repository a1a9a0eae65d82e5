"""Norwegian bokmål conversations: the bulk of Fjordnett's traffic.

Why: most of Fjordnett's customers are in Norway and write bokmål, so this is the largest module. It covers the
everyday work of the desk (invoices, roaming, coverage, eSIM, moving house, routers, TV, the app, fraud) in the way
Norwegians actually write to a telecom: mostly informal, sometimes formal, with typos, slang and emoji here and there.
"""

from __future__ import annotations

from webcare.demo.content.base import Convo, Lang, a, c, convo, img, pdf

NB: Lang = "nb"

CONVERSATIONS: list[Convo] = [
    # --- billing and invoices -------------------------------------------------------------------------------------
    convo(NB, "invoice-double", "x", "public", "complaint", "billing invoice",
          c("Har fått to fakturaer for {month} fra @fjordnett. Samme beløp, samme KID. Hvilken skal jeg betale? "
            "Ringte kundeservice, 40 min kø 🙄"),
          a("Hei! Beklager køen. Send oss bilde av begge fakturaene på e-post til kundeservice@fjordnett.example, "
            "så rydder vi opp med en gang. ^{agent}"),
          c("Gjør det i kveld"),
          window=(8.0, 10.5), hours=(8, 18)),
    convo(NB, "invoice-double-email", "email", "private", "complaint", "billing invoice",
          c("Hei,\n\nSom avtalt med dere på X: jeg har fått to fakturaer for {month}, nr. 88123410 og 88123977, "
            "begge på 749 kr. Bilder av begge er vedlagt.\n\nJeg har AvtaleGiro, så jeg er redd for at begge blir "
            "trukket. Kan dere se på det?\n\nMvh\n{full}",
            img("faktura_1.jpg", 1_482_113), img("faktura_2.jpg", 1_390_870)),
          a("Hei {first},\n\nTakk for at du sendte oss dette. Faktura 88123977 ble dessverre laget to ganger etter en "
            "feil hos oss da vi byttet fakturasystem, og den er nå kreditert. AvtaleGiro trekker bare 88123410.\n\n"
            "Beklager bryet!\n\nMed vennlig hilsen\n{agent}\nFjordnett kundeservice"),
          c("Takk for rask hjelp!\n\n{first}"),
          subject="To fakturaer for {month}", follows="nb-invoice-double", window=(4.0, 8.0),
          notes=["Dobbel faktura fra migreringen av fakturasystemet. Kreditert 88123977, AvtaleGiro-trekk sjekket."]),
    convo(NB, "price-increase", "email", "private", "question", "billing price-change",
          c("Hei.\n\nJeg fikk en SMS om at prisen på abonnementet mitt øker med 30 kr fra {month+2}. Jeg har hatt "
            "samme "
            "abonnement i seks år. Hvorfor øker prisen, og kan jeg bytte til noe billigere?\n\nVennlig hilsen\n{full}"),
          a("Hei {first},\n\nTakk for spørsmålet. Prisjusteringen gjelder alle med Mobil 10 GB, og skyldes økte "
            "kostnader til drift og utbygging av 5G. Du kan bytte eller si opp uten kostnad før endringen trer i "
            "kraft.\n\nJeg ser at du i snitt har brukt 3,1 GB de siste seks månedene, så Mobil 5 GB til 279 kr/mnd "
            "kan passe deg godt – det er 70 kr mindre enn du betaler i dag. Vil du at jeg bytter for deg fra neste "
            "måned?\n\nMed vennlig hilsen\n{agent}, Fjordnett kundeservice"),
          c("Ja takk, gjør det.\n\nHilsen {first}"),
          a("Hei igjen,\n\nDet er ordnet. Du har Mobil 5 GB fra den 1. neste måned, og får en bekreftelse på SMS.\n\n"
            "Hilsen {agent}"),
          subject="Prisøkning på mobilabonnement?"),
    convo(NB, "paper-fee", "webchat", "private", "question", "billing",
          c("hvorfor betaler jeg 49 kr i fakturagebyr??"),
          a("Hei! Gebyret kommer fordi du får fakturaen på papir i posten. Bytter du til eFaktura eller AvtaleGiro i "
            "nettbanken, forsvinner det. Vil du at jeg sender deg en lenke til eFaktura-avtalen på SMS? Mvh {agent}"),
          c("ja gjerne"),
          a("Sendt nå! Når du har godkjent avtalen i nettbanken, er neste faktura uten gebyr. Mvh {agent}"),
          c("takk")),
    convo(NB, "debt-collection", "email", "private", "complaint", "billing debt-collection",
          c("Hei.\n\nJeg har fått inkassovarsel på faktura 88209113 på 649 kr. Den ble betalt 28. {month-1}, se "
            "vedlagt "
            "kvittering fra nettbanken. Dette er svært ubehagelig, og jeg forventer at saken stoppes umiddelbart.\n\n"
            "{full}",
            pdf("kvittering_nettbank.pdf", 38_211)),
          a("Hei {first},\n\nTakk for kvitteringen, og beklager så mye for ubehaget. Innbetalingen din kom inn med "
            "feil KID, og ble derfor ikke koblet til fakturaen. Jeg har nå koblet betalingen riktig og stoppet "
            "inkassovarselet. Du trenger ikke gjøre noe mer, og saken blir ikke registrert noe sted.\n\n"
            "Med vennlig hilsen\n{agent}\nFjordnett kundeservice"),
          subject="Inkassovarsel – men jeg har betalt!", priority=2,
          notes=["Betaling 28.10 lå på konto for ukjent KID, flyttet manuelt. Varsel stoppet hos inkassobyrået."]),
    convo(NB, "premium-sms", "email", "private", "complaint", "billing content-services",
          c("Hei\n\nPå de to siste fakturaene står det «Innholdstjeneste GameStars» 4 x 99 kr. Dette har vi aldri "
            "bestilt. Abonnementet er datteren min sitt (14 år). Jeg vil ha pengene tilbake og sperre for alt sånt."
            "\n\nMvh {full}"),
          a("Hei {first},\n\nBeklager at dere har blitt belastet for dette. Tjenesten ble startet via en reklame i et "
            "spill 2. {month-1}. Vi har nå stoppet den, kreditert 792 kr og lagt på sperre for innholdstjenester på "
            "datterens nummer, så det kan ikke skje igjen. Kreditnotaen kommer som eFaktura i løpet av et par dager."
            "\n\nMed vennlig hilsen\n{agent}"),
          c("Tusen takk, det gikk raskt."),
          subject="Trekk for ukjent tjeneste GameStars 99 kr/uke",
          notes=["Kreditert 8 x 99 kr. Sperre for innholdstjenester lagt på. Leverandøren er meldt videre til "
                 "innholdsteamet."]),
    convo(NB, "ferry-bill", "x", "public", "complaint", "billing roaming maritime",
          c("@fjordnett seriøst?? 1 840 kr ekstra på regninga etter en tur med Danmarksferga. Ingen advarsel, "
            "ingenting. "
            "Dette er ran på høylys dag 😡"),
          a("Hei! Det høres ut som mobilen har koblet seg på satellittnettet om bord, og det er dessverre ikke med i "
            "EU-roamingen. Send oss en DM med mobilnummeret ditt, så ser vi på fakturaen. ^{agent}"),
          c("sendt"),
          a("Takk, vi har svart deg på DM nå 👍 ^{agent}"),
          priority=2, window=(3.0, 9.0)),
    convo(NB, "ferry-bill-dm", "x", "private", "complaint", "billing roaming maritime",
          c("Hei, det er meg med ferjeregninga. Nummeret er {phone}. Hadde flymodus på det meste av turen, men "
            "glemte det visst en stund 🙄"),
          a("Takk! Mobilen var koblet på satellittnettet om bord fra 12:40 til 15:10. Vi har kreditert 1 640 kr som "
            "en engangsgest, og lagt på en sperre for maritimt nett så det ikke skjer igjen. Kreditnotaen ser du på "
            "Min side i morgen. ^{agent}"),
          c("Wow, det hadde jeg ikke forventet. Tusen takk!"),
          follows="nb-ferry-bill", window=(0.3, 3.0), priority=2,
          notes=["Maritimt nett 12:40–15:10. Kreditert 1 640 kr som engangsgest og lagt på sperre for maritimt nett."]),
    convo(NB, "mms-dm", "x", "private", "question", "mobile",
          c("Hei! Får ikke lastet ned MMS på den nye telefonen. Bilder fra mamma kommer bare som «Last ned» og så "
            "skjer ingenting"),
          a("Hei {first}! Da mangler telefonen MMS-innstillingene. Send SMS med «MMS» til 2020, så får du dem "
            "tilsendt. Lagre dem og start telefonen på nytt. Virker det etterpå? ^{agent}"),
          c("Ja! Nå kom alle bildene på en gang 😄"),
          a("Så bra, kos deg med bildene! ^{agent}")),
    convo(NB, "invoice-after-cancel", "facebook", "private", "complaint", "billing cancellation",
          c("Hei. Sa opp bredbåndet 1. {month-1} og leverte ruteren på posten, men har nå fått faktura for {month} "
            "også?? 749 kr"),
          a("Hei {first}, det skal vi få ordnet. Oppsigelsestiden er én måned, så {month-1}-fakturaen er riktig, men "
            "{month} skal du ikke betale. Kan du sende meg kundenummeret eller adressen bredbåndet var levert til, "
            "så finner jeg saken din? Mvh {agent}"),
          ending="pending"),
    convo(NB, "payment-date", "webchat", "private", "question", "billing",
          c("Hei! kan jeg flytte forfallsdatoen på regningen til den 20.? får lønn den 20 😅"),
          a("Hei! Ja, det går fint. Jeg har flyttet forfall til den 20. fra neste faktura. Den første kan bli litt "
            "høyere/lavere fordi perioden justeres. Noe mer jeg kan hjelpe med? Hilsen {agent}"),
          c("nei det var alt, tusen takk!")),
    convo(NB, "deceased-father", "email", "private", "question", "billing ownership",
          c("Hei.\n\nPappa, Arne, døde i {month-1}. Han hadde mobilabonnement og bredbånd hos dere. Mamma bor fortsatt "
            "i "
            "huset og vil beholde internett, men telefonen hans kan avsluttes. Hvordan går vi fram? Jeg har "
            "skifteattest.\n\nMvh\n{full}"),
          a("Hei {first},\n\nVi er lei for tapet deres.\n\nVi ordner dette så enkelt som mulig. Send oss en kopi av "
            "skifteattesten som svar på denne e-posten, så avslutter vi mobilabonnementet fra dødsdatoen uten "
            "oppsigelsestid, og flytter bredbåndet over på moren din uten kostnad. Hun får da fakturaen i sitt navn "
            "fra neste måned. Kan du også sende oss fødselsdatoen hennes og hvilken e-postadresse fakturaen skal til?"
            "\n\nMed vennlig hilsen\n{agent}\nFjordnett kundeservice"),
          subject="Avslutte abonnement etter dødsfall", ending="pending"),
    convo(NB, "vipps-pay", "whatsapp", "private", "question", "billing payment",
          c("Hei, kan jeg betale regningen med Vipps?"),
          a("Hei {first}! Ja 😊 Du finner fakturaen i Vipps under «Regninger» hvis du har slått på eFaktura i Vipps. "
            "Ellers kan du betale med KID-nummeret i nettbanken som vanlig. Mvh {agent}"),
          c("fant den, takk 👍")),
    convo(NB, "credit-note", "email", "private", "complaint", "billing invoice",
          c("Hei,\n\nJeg fikk en kreditnota på 312 kr, men fakturaen etterpå er like høy som før. Jeg skjønner ikke "
            "noe. Har dere faktisk trukket fra beløpet?\n\nHilsen {full}", pdf("faktura_88311902.pdf", 92_441)),
          a("Hei {first},\n\nKreditnotaen på 312 kr er trukket fra på fakturaen, på linja «Tidligere kreditert» "
            "nederst på side 2. At totalen er lik skyldes at den nye fakturaen også inneholder {month}, som er med "
            "forskuddsvis. Ser du linja på side 2?\n\nMed vennlig hilsen\n{agent}"),
          c("Nei, den står ikke der. Det står bare «Mobil 15 GB» og «Fiber 500» og totalen 1 148 kr. Jeg er fortsatt "
            "ikke fornøyd."),
          subject="Kreditnota som ikke er trukket fra?", ending="open",
          notes=["Kreditnotaen ser ut til å ligge på feil fakturakonto (gammel bedriftskonto). Må sjekkes med "
                 "økonomi."]),
    convo(NB, "installment", "webchat", "private", "question", "billing devices",
          c("hei, kan man kjøpe telefon på avbetaling hos dere? Og hva skjer hvis jeg bytter abonnement midt i?"),
          a("Hei! Ja, du kan dele opp telefonen over 12, 24 eller 36 måneder uten renter. Avbetalingen følger deg, "
            "ikke abonnementet, så du kan godt bytte abonnement underveis. Sier du opp alt, må restbeløpet betales "
            "på sluttfakturaen. Hvilken telefon tenker du på? Hilsen {agent}"),
          c("bare sjekka, takk 👍")),
    # --- roaming --------------------------------------------------------------------------------------------------
    convo(NB, "roaming-usa", "facebook", "private", "question", "roaming",
          c("Hei! Skal til New York om tre uker. Hva koster det å bruke mobilen der? Har Fri data 🙂"),
          a("Hei {first}! USA er ikke med i EU/EØS-roamingen, så der koster det 89 kr per døgn for Reisepakke Verden "
            "(1 GB data og fri tale og SMS til Norge). Pakken starter automatisk første gang du bruker data der, og du "
            "får SMS med en gang. Vil du heller ha 5 GB for sju dager til 349 kr, kan du bestille det i appen under "
            "«Utland». God tur! Mvh {agent}"),
          c("ok, så hvis jeg skrur av mobildata og bare bruker wifi på hotellet betaler jeg ingenting?"),
          a("Helt riktig! Med mobildata av (og gjerne «Dataroaming» av under Innstillinger) blir det ingen døgnpris. "
            "Ringer du eller tar imot samtaler, blir det vanlig minuttpris. Mvh {agent}"),
          c("Supert, takk for raskt svar!")),
    convo(NB, "roaming-thailand", "whatsapp", "private", "question", "roaming",
          c("Hei! Vi er i Thailand nå og jeg har brukt opp Reisepakken etter to dager 😬 Kan jeg kjøpe mer data?"),
          a("Hei {first}! Ja, i appen under «Utland» → «Kjøp mer» kan du kjøpe 3 GB for 199 kr som varer i 7 dager. "
            "Tips: et lokalt turist-SIM er ofte billigere hvis dere skal være lenge. God ferie! 🌴 /{agent}"),
          c("kjøpt! tusen takk"), c("fra Krabi med sol 🌞", img("IMG_20241104_1723.jpg", 2_811_402))),
    convo(NB, "spain-no-data", "x", "public", "complaint", "roaming",
          c("Landa i Alicante for en time siden og har null mobildata. Står 4G men ingenting laster. "
            "@fjordnett hjelp?"),
          a("Hei! Sjekk at «Dataroaming» er slått på under Innstillinger → Mobilnett. Den er ofte av som standard "
            "på nye telefoner. Spania er med i EU, så det koster ikke noe ekstra ☀️ ^{agent}"),
          c("å herregud den var av. funker nå, takk 😂")),
    convo(NB, "switzerland", "webchat", "private", "question", "roaming",
          c("Er Sveits med i EU-roaming? Skal på skitur til Zermatt"),
          a("Hei! Sveits er ikke med i EU/EØS, men hos oss er det likevel inkludert i abonnementet ditt, på samme måte "
            "som EU. Så du kan bruke mobilen som hjemme der. God tur i bakken! ⛷️ Hilsen {agent}"),
          c("så bra!")),
    convo(NB, "cruise", "email", "private", "question", "roaming maritime",
          c("Hei\n\nMin kone og jeg skal på cruise i Karibien i {month+2}. Kan vi bruke mobilene om bord, og hva "
            "koster "
            "det? Vi vil ikke få en sjokkregning.\n\nVennlig hilsen\n{full}"),
          a("Hei {first},\n\nGodt spørsmål å stille før avreise! Om bord bruker skipet et satellittnett som ikke er "
            "med i noen pakker, og det er dyrt: ca. 29 kr per minutt og 49 kr per MB. Vi anbefaler derfor:\n\n"
            "1. Slå på flymodus mens dere er på sjøen, og bruk skipets Wi-Fi.\n"
            "2. Når dere går i land i f.eks. USA eller Mexico, gjelder Reisepakke Verden (89 kr per døgn).\n\n"
            "Vi har også lagt på en beløpsgrense på 500 kr for utlandsbruk på begge numrene deres, så dere får SMS og "
            "data stoppes hvis den nås. Ønsker dere en annen grense, er det bare å si fra.\n\n"
            "God tur!\n\nVennlig hilsen\n{agent}\nFjordnett kundeservice"),
          c("Tusen takk for grundig svar. Det var veldig betryggende.\n\n{first}"),
          subject="Mobil på cruise"),
    convo(NB, "uk-roaming", "telegram", "private", "question", "roaming",
          c("heisann, er UK fortsatt inkludert etter brexit? skal til London på konsert"),
          a("Hei! Ja, Storbritannia er fortsatt inkludert i alle abonnementene våre, så du bruker mobilen som i "
            "Norge 🎸 /{agent}"),
          c("nice 🤘")),
    convo(NB, "sweden-border", "facebook", "public", "question", "roaming coverage",
          c("Fikk «Velkommen til Sverige» på SMS mens jeg satt i stua i Halden 😂 Koster det noe?"),
          a("Haha, grensa er nær der 😄 Siden Sverige er med i EU-roamingen koster det ikke noe ekstra. Vil du unngå "
            "at mobilen hopper over, kan du velge Fjordnett manuelt under Innstillinger → Mobilnett → "
            "Nettverksvalg. Mvh {agent}"),
          c("takk! godt å vite")),
    # --- coverage -------------------------------------------------------------------------------------------------
    convo(NB, "cabin-hovden", "instagram", "private", "question", "coverage",
          c("hei! har dere dekning på Hovden? skal kjøpe hytte der og trenger å jobbe hjemmefra noen dager i uka"),
          a("Hei! Hovden sentrum har god 4G og 5G fra oss, men det varierer litt i liene rundt. Har du adressen? Da "
            "kan jeg sjekke akkurat den tomta 😊 /{agent}"),
          c("det er oppe ved Breiva, nr 38"),
          a("Der viser kartet god 4G ute, men inne kan det bli svakere med tykke tømmervegger. For hjemmekontor "
            "anbefaler jeg Trådløst bredbånd med utendørsantenne, da får du som regel 50–100 Mbit/s der. Si fra om "
            "du vil at en rådgiver ringer deg! /{agent}"),
          c("supert, tar kontakt når vi har fått nøkkelen 🙌")),
    convo(NB, "5g-gjovik", "instagram", "public", "question", "coverage 5g",
          c("når kommer 5G til Gjøvik? 👀"),
          a("Hei! Gjøvik sentrum fikk 5G i {month-2}, og vi bygger videre mot Biri og Raufoss i år 📶 Vises det "
            "ikke på telefonen din, sjekk at «5G auto» er på under Mobilnett. /{agent}"),
          c("åja den var av 😂 takk")),
    convo(NB, "indoor-bjorvika", "whatsapp", "private", "complaint", "coverage",
          c("Hei. Har flyttet inn i ny leilighet i Bjørvika og har nesten ikke dekning inne. Samtaler brytes hele "
            "tiden. Ute er det fullt."),
          a("Hei {first}! Nye bygg med energiglass slipper dessverre lite signal inn. Det beste rådet er å slå på "
            "Wi-Fi-samtaler: Innstillinger → Mobilnett → Wi-Fi-samtaler. Da går samtalene over wifi når dekningen er "
            "dårlig, uten ekstra kostnad. Har du wifi i leiligheten? Mvh {agent}"),
          c("ja har fiber. slått på nå, skal teste"),
          c("ringte mamma i 20 min uten brudd 👌"),
          a("Så bra! Da lar du bare den innstillingen stå på. Ha en fin dag! Mvh {agent}")),
    convo(NB, "sjusjoen", "x", "public", "complaint", "coverage",
          c("Null dekning på Sjusjøen siden i går. @fjordnett hva skjer? Halve hytte-Norge er her og ingen kan ringe"),
          a("Hei, beklager! Vi hadde strømbrudd på masta ved Sjusjøen fra i går morges. Strømmen er tilbake, og "
            "masta har vært oppe igjen en times tid. Virker det som normalt nå? ^{agent}"),
          c("ja nå er det greit igjen. men et helt døgn altså..."),
          hours=(9, 22)),
    convo(NB, "coverage-map", "facebook", "public", "complaint", "coverage",
          c("Dekningskartet deres viser «svært god 4G» hjemme hos meg i Vestre Toten. Realiteten er én strek og "
            "E. Hvordan kan dere vise noe sånt?", img("Screenshot_20241110-191233.png", 412_880)),
          a("Hei {first}, takk for at du sier fra, det er nyttig for oss. Kartet er en beregning og kan bomme, "
            "særlig i skog og daler. Send oss gjerne en melding med adressen, så ber jeg nettavdelingen om en "
            "måling der. Mvh {agent}"),
          ending="pending"),
    convo(NB, "wifi-calling", "webchat", "private", "question", "coverage",
          c("Hei, hva er egentlig wifi-samtaler? Naboen sa jeg burde skru det på"),
          a("Hei! Da går samtalene dine over internett når du er på wifi, i stedet for over mobilnettet. Det er smart "
            "der det er dårlig dekning inne, og det koster ingenting ekstra. Du slår det på under Innstillinger → "
            "Mobilnett → Wi-Fi-samtaler. Hilsen {agent}"),
          c("ah ok, skjønner. takk!")),
    convo(NB, "finse", "x", "public", "question", "coverage",
          c("@fjordnett når får vi dekning over Finse? Tre timer på Bergensbanen uten nett er ikke 2020-tallet"),
          a("Hei! Vi er enige 😅 Vi har fått konsesjon for to nye master langs banen mellom Haugastøl og Myrdal, og "
            "første skal stå klar til påske. ^{agent}"),
          c("høres lovende ut, heier på dere")),
    # --- eSIM and SIM ---------------------------------------------------------------------------------------------
    convo(NB, "esim-iphone", "webchat", "private", "question", "esim",
          c("hei, har kjøpt ny iphone og skal flytte esim fra den gamle. hvordan gjør jeg det?"),
          a("Hei! Det går fint 😊 På den nye iPhonen: Innstillinger → Mobilnett → Legg til eSIM → «Overfør fra iPhone "
            "i nærheten». Ha den gamle låst opp ved siden av. Får du feilmelding, kan jeg sende en ny QR-kode i "
            "stedet. Hilsen {agent}"),
          c("står bare «Kan ikke overføre eSIM» 😕", img("IMG_2291.png", 284_117)),
          a("Takk for skjermbildet! Da sender vi en ny QR-kode. Kan du bekrefte e-postadressen vi skal sende den til? "
            "/{agent}"),
          c("{email}"),
          a("Nå er QR-koden sendt. Skann den med kameraet på den nye telefonen, så er du i gang på et par minutter. "
            "Den "
            "gamle eSIM-en slutter å virke når du aktiverer den nye. Noe mer jeg kan hjelpe med? /{agent}"),
          c("nei det funka! takk 🙌")),
    convo(NB, "apple-watch", "instagram", "private", "question", "esim",
          c("Hei! Kan jeg bruke Apple Watch med eget nummer hos dere? Sånn at jeg kan løpe uten telefonen"),
          a("Hei! Ja 🏃 Med Klokke-SIM (49 kr/mnd) deler klokka nummeret med telefonen din. Du aktiverer det i "
            "Watch-appen på iPhonen → Mobil → Konfigurer mobil, og logger inn med Fjordnett-brukeren din. /{agent}"),
          c("fikk det til! takk ❤️")),
    convo(NB, "puk", "webchat", "private", "question", "sim",
          c("hei er det noen her? trenger PUK-kode, har tastet feil PIN 3 ganger"),
          c("hallo?"),
          ending="new"),
    convo(NB, "sim-blocked", "whatsapp", "private", "complaint", "sim",
          c("Hei, fikk nettopp SMS om at SIM-kortet mitt er sperret?? Jeg har ikke gjort noe"),
          c("kan ikke ringe nå heller. hva skjer"),
          ending="new", priority=2),
    convo(NB, "lost-phone", "webchat", "private", "question", "sim security",
          c("Jeg har mistet telefonen på trikken. Kan dere sperre SIM-kortet? Nummeret er {phone}"),
          a("Hei {first}, kjipt! Jeg har sperret SIM-kortet nå, så ingen kan ringe eller bruke data på ditt nummer. "
            "Vil du at vi sender et nytt SIM-kort i posten, eller vil du heller ha eSIM hvis du får en ny telefon? "
            "Hilsen {agent}"),
          c("nytt sim i posten takk, samme adresse"),
          a("Bestilt! Det kommer i løpet av 1–2 virkedager. Tips: sperr også telefonen via «Finn min» om du ikke "
            "har gjort det. Hilsen {agent}"),
          c("takk for hjelpen"),
          priority=2),
    convo(NB, "new-sim-activate", "facebook", "private", "question", "sim",
          c("Hei! Fikk nytt SIM-kort i posten i dag. Må jeg aktivere det, eller bare sette det i?"),
          a("Hei {first}! Bare sett det i telefonen, så er det aktivt innen 15 minutter. Det gamle slutter å virke "
            "samtidig. PIN-koden står på plastkortet det satt i. Mvh {agent}"),
          c("Takk!"),
          hours=(10, 22)),
    convo(NB, "esim-samsung", "telegram", "private", "complaint", "esim",
          c("QR-koden for eSIM virker ikke på Samsungen min. Står «Kan ikke legge til abonnement»"),
          a("Hei! Det skjer hvis koden allerede er skannet én gang. Jeg har laget en ny kode. Kan du bekrefte hvilken "
            "modell du har, så jeg sender riktig veiledning med? /{agent}"),
          ending="pending"),
    convo(NB, "twin-sim-ipad", "email", "private", "question", "sim",
          c("Hei.\n\nKan jeg få et ekstra SIM-kort til iPaden min som bruker samme data som mobilen? Jeg har Fri data."
            "\n\nHilsen {full}"),
          a("Hei {first},\n\nJa, med Fri data kan du få Data-SIM uten ekstra kostnad, og det deler datamengden med "
            "mobilen din. Jeg har bestilt et kort til deg som kommer i posten i løpet av et par dager. Hvis iPaden "
            "din støtter eSIM, kan du i stedet få en QR-kode i appen under «Mine SIM-kort».\n\nHilsen {agent}"),
          subject="Ekstra SIM til iPad"),
    # --- moving house ---------------------------------------------------------------------------------------------
    convo(NB, "moving-kolbotn", "email", "private", "question", "moving broadband",
          c("Hei.\n\nVi flytter fra Lørenskog til Kolbotn 1. {month+1}. Kan vi ta med fiberabonnementet, og hva skjer "
            "med ruteren?\n\nMvh\n{full}"),
          a("Hei {first}!\n\nTakk for at du sier fra i god tid. Den nye adressen har allerede fiber fra oss, så "
            "flyttingen er enkel: dere tar med ruteren og kobler den til fiberboksen i den nye boligen. Skal vi sette "
            "flyttedatoen til 1. {month+1}? Da avslutter vi samtidig på den gamle adressen.\n\n"
            "Vennlig hilsen\n{agent}"),
          subject="Flytting 1. {month+1} – ta med fiber?", ending="pending"),
    convo(NB, "moving-partner", "webchat", "private", "question", "moving cancellation",
          c("Hei. Jeg flytter inn hos samboeren min som allerede har internett fra en annen leverandør. Hvordan sier "
            "jeg opp bredbåndet?"),
          a("Hei! Gratulerer med flyttingen 🏡 Du kan si opp på Min side → Bredbånd → «Si opp», eller så gjør jeg det "
            "for deg nå. Oppsigelsestiden er én måned fra slutten av denne måneden. Vil du at jeg ordner det? "
            "Hilsen {agent}"),
          c("ja takk, gjør det"),
          a("Det er gjort, og du får bekreftelse på e-post. Ruteren sender du gratis tilbake med returlappen du får "
            "tilsendt. Lykke til med flyttingen! Hilsen {agent}")),
    convo(NB, "moved-router-dead", "whatsapp", "private", "complaint", "moving broadband technician",
          c("Hei. Flyttet i går og koblet ruteren til fiberboksen, men får ikke nett. Lampen på boksen lyser rødt."),
          a("Hei {first}! Jeg ser at fiberen på den nye adressen ikke er koblet opp i sentralen ennå. Det er vår feil, "
            "den skulle vært klar til flyttedatoen. Jeg har sendt en hastebestilling til teknikerne. Trenger du mobil "
            "data i mellomtiden? Da kan jeg gi deg 50 GB ekstra gratis. Mvh {agent}"),
          c("ja takk, jobber hjemmefra i morgen"),
          a("Lagt på 50 GB nå. Teknikeren kobler deg opp i sentralen i morgen før kl. 12, og du får SMS når det er "
            "klart. Mvh {agent}"),
          ending="on_hold", priority=2,
          notes=["Flytteordre 4417820 var ikke sendt til utstyrsleverandør. Hasteordre sendt, 50 GB kompensasjon."]),
    convo(NB, "student-pause", "instagram", "private", "question", "moving",
          c("hei! kan man pause mobilabonnementet? skal på utveksling i Australia et halvt år"),
          a("Hei! Du kan ikke pause, men du kan bytte til Mobil Hvile for 49 kr/mnd. Da beholder du nummeret og får "
            "SMS-er (f.eks. fra banken) også i utlandet. Når du kommer hjem, bytter du tilbake i appen 🦘 /{agent}"),
          c("perfekt, gjør det i appen nå")),
    convo(NB, "moving-how-long", "facebook", "private", "question", "moving broadband",
          c("Hei, hvor lang tid tar det å få fiber flyttet til ny adresse? Vi flytter om tre uker"),
          a("Hei {first}! Har den nye adressen fiber fra oss allerede, tar det bare noen dager. Må vi koble til nytt, "
            "tar det 2–4 uker. Hva er den nye adressen, så sjekker jeg? Mvh {agent}"),
          ending="pending"),
    convo(NB, "new-address", "webchat", "private", "question", "moving billing",
          c("skal endre adresse for fakturaen, hvor gjør jeg det?"),
          a("Hei! Det gjør du på Min side → Profil → Adresse. Vil du at jeg endrer den for deg nå? Hilsen {agent}"),
          c("nei fikk det til selv. takk")),
    # --- routers and broadband ------------------------------------------------------------------------------------
    convo(NB, "router-red-cat", "whatsapp", "private", "complaint", "broadband router",
          c("Hei, internett har vært borte siden i morges. Ruteren blinker rødt"),
          c("sånn ser den ut", img("IMG_4471.jpg", 1_902_338)),
          a("Hei {first}, så kjedelig! Jeg ser at fiberboksen din ikke får signal. Kan du sjekke at den grønne "
            "fiberkabelen sitter helt inn i boksen på veggen, og at den ikke er bøyd skarpt? Si fra hva du ser 🙂 "
            "Mvh {agent}"),
          c("den hadde blitt dratt halvveis ut, katten 🙈 nå lyser den grønt igjen"),
          a("Haha, katter er en av de vanligste feilene vi har 😄 Flott at det virker igjen! Mvh {agent}"),
          hours=(8, 16)),
    convo(NB, "slow-wifi", "facebook", "private", "complaint", "broadband wifi",
          c("Betaler for 500 Mbit men får 80 på speedtest. Hva skjer?", img("speedtest.png", 211_904)),
          a("Hei {first}! Takk for skjermbildet. Er målingen tatt over wifi eller med kabel? Over wifi, særlig gjennom "
            "vegger, er det vanlig å få mye lavere hastighet. Kan du prøve én måling med kabel rett i ruteren? "
            "Mvh {agent}"),
          c("med kabel 470 🤷 så det er wifien da"),
          a("Da er linja helt i orden 👍 Står ruteren langt unna der du bruker nettet? Med et mesh-punkt (39 kr/mnd) "
            "får du god dekning i hele huset. Vil du ha ett tilsendt? Mvh {agent}"),
          ending="pending"),
    convo(NB, "wifi-password", "webchat", "private", "question", "broadband router",
          c("Hvordan endrer jeg navn og passord på wifi?"),
          a("Hei! Enklest i Fjordnett-appen: «Mitt hjem» → «Wi-Fi» → «Endre nettverksnavn og passord». Alle enhetene "
            "må kobles til på nytt etterpå. Mvh {agent}"),
          c("finner ikke «Mitt hjem» i appen?"),
          a("Da har du nok en eldre versjon. Oppdater appen i App Store/Google Play, så dukker det opp nederst i "
            "menyen. Går det bra nå? Mvh {agent}"),
          c("ja nå fant jeg det. takk!")),
    convo(NB, "port-forward", "telegram", "private", "question", "broadband router",
          c("Yo, må åpne port 25565 for en minecraft-server. Hvor gjør jeg det på huben deres?"),
          a("Hei! Logg inn på 192.168.1.1 → «Avansert» → «Portvideresending», og legg til TCP 25565 til maskinen som "
            "kjører serveren. Men: har du delt IP (CGNAT), virker ikke portvideresending. Vil du at jeg sjekker? "
            "/{agent}"),
          c("ja sjekk, hvordan vet jeg det?"),
          a("Du har delt IP i dag. Jeg har bestilt offentlig IPv4 til deg (gratis). Den er aktiv når du har startet "
            "ruteren på nytt om ca. en time. /{agent}"),
          c("legend 🙏")),
    convo(NB, "bridge-mode", "email", "private", "question", "broadband router",
          c("Hei,\n\nJeg vil bruke min egen ruter (Ubiquiti) i stedet for Fjordnett Hub. Kan huben settes i "
            "bridge-modus, eller kan jeg koble min ruter rett på fiberboksen? Trenger jeg VLAN-tagging?\n\n"
            "Mvh {full}"),
          a("Hei {first},\n\nDu kan koble din egen ruter rett på fiberboksen. Bruk port LAN1 på boksen, DHCP og "
            "ingen VLAN-tagging – vi tagger i boksen. Du må registrere MAC-adressen til ruteren din i appen under "
            "«Mitt hjem» → «Eget utstyr» første gang, ellers får den ikke IP.\n\nHuben kan du sende tilbake gratis "
            "hvis du ikke trenger den.\n\nMvh {agent}\nFjordnett kundeservice"),
          c("Perfekt, det virket med en gang. Takk for et ordentlig teknisk svar!"),
          subject="Egen ruter – bridge mode?"),
    convo(NB, "drops-every-evening", "facebook", "public", "complaint", "broadband",
          c("Nettet faller ut HVER kveld rundt kl 21 i Tromsø. Har restarta ruteren 100 ganger. Noen andre?"),
          a("Hei {first}! Det skal vi finne ut av. Send oss en melding med adressen din, så ser vi på linjen og "
            "loggene fra ruteren de siste kveldene. Mvh {agent}"),
          c("Sendt! Skjedde igjen i går 21:07 btw"),
          a("Takk! Vi ser feil på en forsterker i området ditt og har sendt saken til nettavdelingen. Du hører fra oss "
            "senest {workday+3}. Mvh {agent}"),
          ending="on_hold", priority=2,
          notes=["Samme mønster hos 6 kunder i Tromsdalen. Nettsak NET-8812 opprettet."]),
    convo(NB, "old-router", "webchat", "private", "question", "broadband router",
          c("ruteren min er fra 2017 tror jeg. får jeg ny gratis?"),
          a("Hei! Ja, har du en gammel ruter (modell FN-R200), bytter vi den gratis til Fjordnett Hub med Wi-Fi 6. "
            "Den sendes i posten, og du returnerer den gamle i samme eske. Skal jeg bestille? Hilsen {agent}"),
          c("ja!"),
          a("Bestilt 📦 Du får SMS når den er på vei. Hilsen {agent}"),
          c("👍")),
    convo(NB, "fiber-delay-ski", "facebook", "public", "complaint", "broadband installation",
          c("Bestilte fiber fra Fjordnett i {month-3}. Fått tre datoer for graving, ingen av dem har holdt. Nå sier de "
            "«om noen uker». Noen andre i Ski som har opplevd det samme?"),
          a("Hei {first}, det beklager vi virkelig. Gravingen i Ski er forsinket fordi entreprenøren venter på nye "
            "tillatelser fra kommunen, men det unnskylder ikke at du har fått datoer som ikke holdt. Send oss en "
            "melding med ordrenummeret, så sjekker jeg hva som står på din adresse. Mvh {agent}"),
          ending="pending"),
    convo(NB, "technician-no-show", "x", "public", "complaint", "broadband installation technician",
          c("Tok fri fra jobb i dag fordi @fjordnett skulle komme og installere fiber 08–12. Klokka er 13. Ingen kom, "
            "ingen ringte. Takk for det."),
          a("Det er ikke greit, og vi beklager. Send oss en DM med ordrenummeret, så finner vi ut hva som skjedde og "
            "får en ny time så fort som mulig. ^{agent}"),
          c("sendt"),
          a("Takk. Ny time er {workday+1} 08–10 (første jobb), og du får 500 kr kreditert for dagen du tapte. Beklager "
            "igjen! ^{agent}"),
          ending="on_hold", priority=2,
          notes=["Montør sykemeldt, oppdraget ble ikke flyttet. 500 kr kreditert. Ny time {workday+1} 08–10 "
                 "bekreftet."],
          hours=(13, 14)),
    convo(NB, "lawn-not-fixed", "email", "private", "complaint", "broadband installation",
          c("Hei\n\nDet er nå fem uker siden dere gravde fiber over plenen vår i Asker. Grøfta er fylt igjen med grus "
            "og "
            "ingen har sådd eller lagt plen tilbake slik vi ble lovet. Vedlagt bilder.\n\nVi ønsker at dette "
            "utbedres så snart som mulig.\n\nMed vennlig hilsen\n{full}",
            img("plen1.jpg", 3_104_556), img("plen2.jpg", 2_987_201)),
          a("Hei {first},\n\nTakk for bildene, og beklager at dette ikke er fulgt opp. Det er ikke slik det skal "
            "se ut. Jeg har sendt saken til entreprenøren med krav om utbedring, og de skal ta kontakt med deg for å "
            "avtale tidspunkt innen ti dager. Jeg følger opp saken til den er lukket.\n\nMed vennlig hilsen\n{agent}\n"
            "Fjordnett kundeservice"),
          subject="Plen ikke satt i stand etter fibergraving", ending="on_hold",
          notes=["Reklamasjon sendt til entreprenør (Graving Øst AS), frist 10 dager."]),
    convo(NB, "mesh-blue", "whatsapp", "private", "question", "broadband wifi",
          c("Mesh-punktet blinker blått og vil ikke koble seg til. Hva gjør jeg?"),
          a("Hei {first}! Blått blink betyr at det venter på paring. Sett det i samme rom som ruteren, og trykk på "
            "WPS-knappen på ruteren og deretter på mesh-punktet innen to minutter. Lyser det hvitt etterpå? "
            "Mvh {agent}"),
          c("hvitt nå! 👍"),
          a("Flott! Nå kan du flytte det dit du trenger dekning, gjerne midt mellom ruteren og det svake området. "
            "Mvh {agent}")),
    convo(NB, "mobile-broadband-cabin", "webchat", "private", "question", "broadband coverage",
          c("Hei, vi vurderer trådløst bredbånd på hytta i Trysil. Funker det med 4 stk som streamer samtidig?"),
          a("Hei! På adresser med god 4G/5G er det som regel ikke noe problem. Oppgi gjerne adressen, så sjekker jeg "
            "forventet hastighet. Hilsen {agent}"),
          c("Skihytta ligger i Fageråsen, nr 112"),
          a("Der ligger dere fint til for 5G, med forventet 150–300 Mbit/s. Fire som streamer i 4K bruker ca. "
            "100 Mbit/s, så det holder godt. Abonnementet har ingen binding, så dere kan si opp om det ikke fungerer "
            "som forventet. Hilsen {agent}"),
          c("høres bra ut, takk")),
    convo(NB, "speed-upgrade", "webchat", "private", "question", "broadband",
          c("kan jeg oppgradere fra 300 til 1000 uten å bytte ruter?"),
          a("Hei! Ja, har du Fjordnett Hub, klarer den 1000 Mbit. Oppgraderingen skjer i løpet av noen minutter etter "
            "bestilling, og prisen endres fra neste faktura. Vil du at jeg gjør det? Hilsen {agent}"),
          ending="pending"),
    # --- TV -------------------------------------------------------------------------------------------------------
    convo(NB, "sport-channel", "facebook", "public", "complaint", "tv",
          c("Hvorfor er Nordsport 1 borte fra pakken min?? Betaler for Sport-pakken og nå står det «Kanalen er ikke "
            "tilgjengelig». Kampen starter om en time!"),
          a("Hei {first}! Vi har hatt en feil i kanaloppdateringen i kveld som har rammet noen bokser. Trekk ut "
            "strømmen på TV-boksen i 30 sekunder, så henter den kanallisten på nytt. Hjelper ikke det, send oss en "
            "melding! Mvh {agent}"),
          c("funka etter restart, rakk avspark 😅⚽"),
          a("Herlig! God kamp 😄 Mvh {agent}"),
          hours=(17, 21)),
    convo(NB, "tv-app-503", "facebook", "public", "complaint", "tv app",
          c("Er det bare meg eller er Fjordnett TV-appen nede? Får «Noe gikk galt (kode 503)»",
            img("Screenshot_TV-app.png", 198_304)),
          ending="new"),
    convo(NB, "tv-cabin", "webchat", "private", "question", "tv",
          c("kan jeg se TV-pakken min på hytta? har ikke TV-boks der"),
          a("Hei! Ja, med Fjordnett TV-appen kan du se kanalene dine på mobil, nettbrett og Chromecast/Apple TV hvor "
            "som helst i Norge. Du logger inn med samme bruker som på Min side. Noen sportskanaler kan bare ses hjemme "
            "på grunn av rettighetene. Hilsen {agent}"),
          c("nice takk")),
    convo(NB, "remote", "whatsapp", "private", "question", "tv",
          c("fjernkontrollen til tv-boksen funker ikke lenger. byttet batterier"),
          a("Hei! Prøv å pare den på nytt: hold inne «OK» og «Tilbake» samtidig i fem sekunder mens du peker mot "
            "boksen, til lyset blinker. Virker den etterpå? Mvh {agent}"),
          c("yes! takk"),
          a("Så bra 👍 Mvh {agent}")),
    convo(NB, "cancel-tv", "email", "private", "question", "tv cancellation",
          c("Hei,\n\nJeg vil si opp TV-pakken min fra 1. {month+1}. Bredbåndet skal jeg beholde.\n\nMvh\n{full}"),
          subject="Oppsigelse av TV", ending="new"),
    convo(NB, "recordings-gone", "email", "private", "complaint", "tv",
          c("Hei.\n\nEtter at TV-boksen oppdaterte seg i natt er alle opptakene mine borte. Det var blant annet hele "
            "sesongen av en serie barna ser på. Dette er ikke greit. Hva skjer?\n\nHilsen {full}"),
          a("Hei {first},\n\nBeklager så mye. Oppdateringen i natt flyttet opptakene til nettskyen, men hos noen "
            "kunder ble ikke listen oppdatert. Opptakene er ikke slettet. Gå til Meny → Opptak → «Oppdater liste», "
            "så skal de komme tilbake. Gir du beskjed om det fungerer?\n\nMed vennlig hilsen\n{agent}"),
          c("Det fungerte. Takk. Men si gjerne fra før dere gjør sånt neste gang."),
          a("Det er en helt rettferdig tilbakemelding, og jeg har sendt den videre. Ha en fin dag!\n\nHilsen {agent}"),
          subject="Alle opptak borte etter oppdatering", hours=(7, 15)),
    # --- app, login, account --------------------------------------------------------------------------------------
    convo(NB, "app-logout", "x", "public", "complaint", "app",
          c("@fjordnett appen logger meg ut hver gang jeg åpner den. iPhone 15, nyeste iOS. Noen andre?"),
          ending="new"),
    convo(NB, "bankid-login", "facebook", "public", "complaint", "app login",
          c("Får ikke logget inn på Min side med BankID. Bare spinner og spinner"),
          a("Hei {first}! Vi hadde problemer med innlogging en times tid i formiddag, men det skal være i orden nå. "
            "Prøv gjerne igjen – går det fortsatt ikke, send oss en melding. Mvh {agent}"),
          c("nå gikk det, takk"),
          hours=(11, 17)),
    convo(NB, "app-invoices", "telegram", "private", "question", "app billing",
          c("hvorfor ser jeg bare fakturaene fra i år i appen?"),
          a("Hei! Appen viser de siste 12 månedene. Eldre fakturaer finner du på Min side på nett under «Fakturaer» → "
            "«Arkiv», helt tilbake til 2019. /{agent}"),
          c("takk")),
    convo(NB, "gdpr-access", "email", "private", "question", "privacy",
          c("Hei.\n\nJeg ber om innsyn i alle personopplysninger dere har lagret om meg, jf. personvernforordningen "
            "artikkel 15, inkludert trafikkdata og eventuelle opptak av samtaler med kundeservice.\n\n"
            "Med vennlig hilsen\n{full}"),
          a("Hei {first},\n\nVi har mottatt innsynsbegjæringen din og sendt den til personvernombudet vårt. Du får "
            "svar innen 30 dager, og for sikkerhets skyld vil vi be deg bekrefte identiteten din med BankID via en "
            "lenke du får på e-post i dag.\n\nMed vennlig hilsen\n{agent}\nFjordnett kundeservice"),
          subject="Innsynsbegjæring", ending="on_hold",
          notes=["Sendt til personvernombudet (sak PVO-2291). Frist 30 dager."]),
    convo(NB, "2fa-code", "webchat", "private", "complaint", "app login",
          c("Engangskoden på SMS kommer ikke når jeg prøver å logge inn"),
          a("Hei! Jeg ser at nummeret ditt har sperre for SMS fra korte numre, og da kommer ikke koden fram. Vil du at "
            "jeg fjerner den sperren? Hilsen {agent}"),
          c("ja, hadde ikke peiling på at den var der"),
          a("Fjernet nå! Prøv igjen om et minutt. Hilsen {agent}"),
          c("kom inn nå 👌")),
    # --- fraud and safety -----------------------------------------------------------------------------------------
    convo(NB, "phishing-sms", "x", "public", "question", "fraud",
          c("@fjordnett fikk nettopp sms om at «Fjordnett-regningen din er ubetalt» med lenke til fjordnett-betal.com. "
            "Er det dere?? ser fishy ut"),
          a("Hei! Nei, det er ikke oss, og bra at du spør ⚠️ Vi sender aldri betalingslenker på SMS. Ikke klikk, bare "
            "slett meldingen. ^{agent}"),
          c("takk, slettet 👍")),
    convo(NB, "fake-caller", "facebook", "public", "question", "fraud",
          c("Advarsel! Ble nettopp ringt av en som sa han var fra Fjordnett og at jeg skulle få pengene tilbake hvis "
            "jeg logget inn med BankID mens han var i telefonen. La på. Er dette kjent?"),
          a("Takk for at du deler dette, {first}! Det er svindel. Vi ringer aldri og ber deg logge inn med BankID, "
            "oppgi koder eller installere apper. Bra du la på! Meld gjerne nummeret til politiet. Mvh {agent}"),
          c("Gjort. Mamma på 78 hadde sikkert gått på det..."),
          hours=(9, 20)),
    convo(NB, "wangiri", "whatsapp", "private", "question", "fraud",
          c("Får tapte anrop fra +225-numre flere ganger om dagen. Skal jeg ringe tilbake?"),
          a("Hei {first}! Nei, ikke ring tilbake. Det er en kjent svindel der de håper du ringer et dyrt nummer. Vi "
            "har satt på sperre for utgående anrop til Elfenbenskysten og noen andre høyrisikoland på nummeret ditt. "
            "Mvh {agent}"),
          c("flott, takk")),
    convo(NB, "block-harassment", "whatsapp", "private", "question", "security",
          c("Hei. En eks sender meg meldinger og ringer fra skjult nummer hele tiden. Kan dere blokkere det?"),
          a("Hei {first}, det høres slitsomt ut, og vi hjelper gjerne. Vi har nå slått på sperre for anrop fra "
            "skjulte numre på nummeret ditt. Hvis det er snakk om trusler eller trakassering, anbefaler vi også å "
            "anmelde det; politiet kan be oss om utskrift av trafikkdata. Mvh {agent}"),
          c("takk ❤️ det hjelper mye"),
          priority=2),
    # --- devices and orders ---------------------------------------------------------------------------------------
    convo(NB, "wrong-colour", "whatsapp", "private", "complaint", "order devices",
          c("Hei! Bestilte iPhone i svart, fikk hvit 😕 ordre 7719204"),
          a("Hei {first}! Beklager forvekslingen. Jeg har sendt en returlapp til e-posten din, og en svart sendes "
            "samme dag som vi skanner returen. Du trenger ikke vente på at den kommer fram til oss. Mvh {agent}"),
          c("takk, leverer på posten i morgen")),
    convo(NB, "router-parcel", "facebook", "private", "complaint", "order router",
          c("Hei, ny ruter ble sendt for en uke siden men har ikke kommet. Sporing står stille"),
          a("Hei {first}! Beklager ventetiden. Pakken ser ut til å ha stoppet på terminalen. Jeg har sendt en ny i dag "
            "med ekspress. Kan du bekrefte at adressen på bestillingen stemmer? Mvh {agent}"),
          ending="pending"),
    convo(NB, "iphone-stock", "instagram", "private", "question", "order devices",
          c("Hei! Når kommer iPhone 17 Pro i sølv tilbake på lager? 🙏"),
          ending="new"),
    convo(NB, "transfer-contacts", "webchat", "private", "question", "devices",
          c("Hei. Jeg har fått ny telefon av barnebarna, og lurer på hvordan jeg får med kontaktene fra den gamle."),
          a("Hei {first}! Så hyggelig med ny telefon. Det enkleste er å legge de to telefonene ved siden av hverandre "
            "når du setter opp den nye, så spør den om du vil overføre alt. Er den nye allerede satt opp, kan du "
            "gå til butikken vår, så hjelper de deg gratis. Hilsen {agent}"),
          c("Tusen takk, da tar jeg den med til butikken på Storo.")),
    # --- praise ---------------------------------------------------------------------------------------------------
    convo(NB, "review-chat-jonas", "reviews", "public", "praise", "praise",
          c("Hadde problemer med TV-boksen og fikk hjelp på chatten på under fem minutter. Jonas var tålmodig og "
            "forklarte alt. Sånn skal det være!"),
          a("Tusen takk for hyggelige ord! Vi skal hilse til Jonas 😊 Hilsen {agent}, Fjordnett"),
          subject="Rask og hyggelig hjelp", agent="kari", priority=4),
    convo(NB, "technician-praise", "facebook", "public", "praise", "praise installation",
          c("Vil bare gi en stor takk til montøren som installerte fiber hos oss i Sandefjord i dag. Ryddig, "
            "forklarte alt, og la kablene pent langs listene. 10/10 👏"),
          a("Så hyggelig å høre, {first}! Vi sender rosen videre til montøren 🙌 Lykke til med det nye nettet! "
            "Mvh {agent}"),
          priority=4, hours=(12, 21)),
    convo(NB, "hardangervidda", "x", "public", "praise", "praise coverage",
          c("Må bare si at @fjordnett hadde dekning hele veien over Hardangervidda i dag. Imponert 👏"),
          a("Takk! Det gleder nettfolka våre 😊 God tur videre! ^{agent}"),
          priority=4, hours=(12, 22)),
    convo(NB, "gaustatoppen", "instagram", "public", "praise", "praise coverage",
          c("5G på toppen av Gaustatoppen 🏔️📶 Videosamtale med mormor fra 1883 moh!",
            img("gausta_5g.jpg", 2_440_120)),
          a("For en utsikt! 😍 Hils mormor! /{agent}"),
          priority=4),
    convo(NB, "review-switched", "reviews", "public", "praise", "praise",
          c("Byttet til Fjordnett i sommer, både mobil og fiber. Alt har fungert fra dag én, og prisen er lavere enn "
            "før. Eneste minus er at appen kunne vært litt enklere."),
          a("Tusen takk for en fin anmeldelse, {first}! Vi jobber med en ny versjon av appen som kommer tidlig neste "
            "år, og "
            "tar med oss tilbakemeldingen din. Hilsen {agent}"),
          subject="Fornøyd etter bytte", priority=4),
    convo(NB, "chat-thanks", "webchat", "private", "praise", "praise",
          c("hei, ville bare si takk for hjelpen med ruteren i går! alt funker supert nå"),
          a("Så hyggelig at du tar deg tid til å si det! Ha en fin dag 😊 Hilsen {agent}"),
          priority=4),
    convo(NB, "elderly-thanks", "email", "private", "praise", "praise",
          c("Hei.\n\nJeg vil takke Kari som hjalp meg i telefonen forrige uke med den nye mobilen. Hun var tålmodig "
            "med en gammel mann, og nå kan jeg sende bilder til barnebarna.\n\nVennlig hilsen\n{full}"),
          a("Kjære {first},\n\nTusen takk for den fine e-posten – den gjorde dagen min! Det var hyggelig å snakke med "
            "deg. Kos deg med bildene fra barnebarna.\n\nVennlig hilsen\n{agent}"),
          subject="Takk for hjelpen", agent="kari", priority=4),
    convo(NB, "review-4star", "reviews", "public", "praise", "praise",
          c("Stabilt nett og god dekning i hele huset med mesh. Trekker én stjerne for lang ventetid på telefon da jeg "
            "skulle flytte abonnementet."),
          a("Takk for tilbakemeldingen! Vi har hatt lengre kø enn vi ønsker den siste tiden, og setter inn flere folk "
            "på "
            "telefon de neste ukene. Husk at chatten vår ofte er raskere 😊 Hilsen {agent}"),
          subject="Bra nett, lang kø", priority=4),
    # --- complaints -----------------------------------------------------------------------------------------------
    convo(NB, "review-cancel", "reviews", "public", "complaint", "cancellation billing",
          c("Prøvde å si opp TV-pakken i tre uker. Chatten sa ring, telefonen sa bruk Min side, Min side sa "
            "«kontakt kundeservice». Fikk til slutt sagt opp, men ble fakturert en måned ekstra. Uholdbart."),
          a("Hei {first}. Dette er ikke sånn det skal være, og vi beklager at du ble sendt fram og tilbake. "
            "Oppsigelsen ble registrert 3. {month-1}, og den ekstra måneden er nå kreditert. Du får pengene tilbake "
            "på konto innen en uke. Hilsen {agent}, Fjordnett"),
          subject="Umulig å si opp"),
    convo(NB, "review-phone-queue", "reviews", "public", "complaint", "queue",
          c("Satt 55 minutter i telefonkø for å endre en adresse. Ga opp. Chatten var stengt. Hva betaler vi for?"),
          a("Hei {first}, beklager ventetiden, det er altfor lenge. Adresseendring kan du gjøre selv på Min side "
            "under Profil, og vi utvider åpningstiden på chatten fra neste uke. Trenger du fortsatt hjelp, send oss "
            "en melding på e-post eller Facebook. Hilsen {agent}"),
          subject="Elendig tilgjengelighet"),
    convo(NB, "never-answer", "facebook", "public", "complaint", "queue",
          c("Dere svarer jo aldri på telefonen. Har prøvd tre dager på rad"),
          a("Hei {first}, beklager, telefonkøen har vært lang etter prisvarselet. Vi er her på Facebook hver dag til "
            "kl. 22. Hva kan vi hjelpe deg med? Mvh {agent}"),
          c("Vil bare vite om bindingstiden min er ute"),
          a("Send oss en melding med navn og fødselsdato (ikke her i kommentarfeltet), så sjekker jeg med en gang! "
            "Mvh {agent}"),
          ending="pending"),
    convo(NB, "trondheim-fibercut", "x", "public", "complaint", "broadband",
          c("Tredje dag uten internett på Lade i Trondheim. @fjordnett når er dette fikset? Har hjemmekontor"),
          a("Hei, beklager! Kommunen kuttet en fiberkabel under gravearbeid for tre dager siden. Skjøtingen er ferdig "
            "i kveld, "
            "og alle skal være oppe før midnatt. Dere får kompensasjon automatisk på neste faktura. ^{agent}"),
          c("oppe igjen nå 🙏 takk for info"),
          priority=2, hours=(8, 18)),
    convo(NB, "binding-period", "email", "private", "complaint", "cancellation contract",
          c("Hei,\n\nJeg prøvde å si opp abonnementet mitt og fikk beskjed om at jeg har 12 måneders binding og må "
            "betale 2 400 kr. Dette ble aldri sagt da jeg kjøpte telefonen i butikken. Jeg vil se avtalen jeg "
            "angivelig har signert.\n\nMvh {full}"),
          a("Hei {first},\n\nJeg forstår at dette kom overraskende. Jeg har lagt ved avtalen fra butikken, der "
            "bindingen står i punkt 3. Samtidig ser jeg at du ikke fikk avtalen tilsendt på e-post slik du skulle, og "
            "det er vår feil. Vil du fortsatt si opp, frafaller vi derfor bruddgebyret. Skal jeg gjøre det?\n\n"
            "Med vennlig hilsen\n{agent}", pdf("avtale_7723019.pdf", 144_090)),
          subject="Bindingstid jeg ikke ble informert om", ending="pending",
          notes=["Avtalen ble ikke sendt på e-post fra butikk Sandvika (feil i kassesystemet). Frafaller gebyr."]),
    convo(NB, "telemarketing", "facebook", "private", "complaint", "sales privacy",
          c("En selger fra dere ringte meg i dag, selv om jeg står i Reservasjonsregisteret. Ikke greit."),
          a("Hei {first}, beklager, det skal ikke skje. Jeg har meldt nummeret ditt til salgsavdelingen, og lagt deg "
            "på vår egen «ikke ring»-liste også. Vet du omtrent når samtalen kom? Da kan vi følge opp med selgeren. "
            "Mvh {agent}"),
          c("ca 17:40 i dag"),
          a("Takk, vi har funnet samtalen og tatt det opp med leverandøren som ringte. Beklager igjen! Mvh {agent}"),
          hours=(18, 22)),
    convo(NB, "loyal-customers", "instagram", "public", "complaint", "billing price-change",
          c("hvorfor får nye kunder 50% rabatt mens vi som har vært kunder i 10 år får prisøkning? 🤔"),
          a("Forståelig at det føles urettferdig! Send oss en DM, så ser vi om du har det beste abonnementet for "
            "bruken din. Ofte kan vi spare deg for en del 🙂 /{agent}"),
          c("sendt dm")),
    convo(NB, "review-drammen", "reviews", "public", "complaint", "broadband",
          c("Internett faller ut flere ganger om dagen i Drammen. Har klaget fire ganger. Ingen bedring."),
          a("Hei {first}, det er ikke godt nok, og vi beklager. Jeg har sett på linjen din og sendt den til "
            "nettavdelingen med høy prioritet. Du blir kontaktet på e-post i løpet av morgendagen. Hilsen {agent}"),
          subject="Ustabilt nett", priority=2),
    convo(NB, "queue-music", "x", "public", "complaint", "queue",
          c("45 min i telefonkø hos @fjordnett nå. Kan hele ventemusikken utenat 🎵🎵"),
          a("Uff, beklager! Vil du heller ta det her? Send oss en DM, så hjelper vi deg med en gang ^{agent}"),
          c("kom gjennom akkurat nå, men takk 😅"),
          hours=(8, 20)),
    # --- misc questions -------------------------------------------------------------------------------------------
    convo(NB, "porting", "webchat", "private", "question", "porting",
          c("Hvor lang tid tar det å flytte nummeret mitt til dere?"),
          a("Hei! Vanligvis 2–3 virkedager. Du bestiller abonnement hos oss og krysser av for «Behold nummeret», så "
            "ordner vi oppsigelsen hos den gamle operatøren. Du er aldri uten dekning underveis. Hilsen {agent}"),
          c("ok takk, bestiller i kveld")),
    convo(NB, "secret-number", "email", "private", "question", "privacy",
          c("Hei,\n\nHvordan får jeg hemmelig nummer? Jeg ønsker ikke å stå i telefonkatalogen.\n\nHilsen {full}"),
          a("Hei {first},\n\nDet har jeg ordnet nå: nummeret ditt er reservert mot oppføring i alle "
            "nummeropplysninger. "
            "Det kan ta opptil en uke før det er borte fra alle søketjenester.\n\nHilsen {agent}"),
          subject="Hemmelig nummer"),
    convo(NB, "call-log", "email", "private", "question", "billing",
          c("Hei.\n\nJeg trenger en spesifisert oversikt over samtaler for {month-1} til regnskapet i "
            "enkeltpersonforetaket "
            "mitt. Hvor finner jeg det?\n\nMvh\n{full}"),
          a("Hei {first},\n\nSpesifikasjonen ligger på Min side under Fakturaer → velg faktura → «Last ned "
            "spesifikasjon» (PDF eller CSV). Jeg har også lagt ved {month-1} her.\n\nMvh {agent}",
            pdf("spesifikasjon_{month-1}.pdf", 61_333)),
          subject="Samtalespesifikasjon {month-1}"),
    convo(NB, "store-hours", "instagram", "private", "question", "store",
          c("hei når stenger butikken deres på Lagunen?"),
          a("Hei! Butikken på Lagunen har åpent 10–21 på hverdager og 10–18 på lørdager 😊 /{agent}"),
          c("takk!")),
    convo(NB, "data-share", "whatsapp", "private", "question", "mobile",
          c("kan jeg gi data til dattera mi? hun har gått tom og jeg har masse igjen"),
          a("Hei {first}! Ja, dere har Familie, så du kan dele data i appen: velg nummeret ditt → «Del data» → velg "
            "datteren din og hvor mye. Det går med en gang. Mvh {agent}"),
          c("fikk det til 👍 takk")),
    convo(NB, "esim-watch-stopped", "webchat", "private", "complaint", "esim",
          c("Klokka mi mistet mobilnett etter at jeg byttet telefon"),
          ending="new"),
    convo(NB, "invoice-spec-question", "telegram", "private", "question", "billing",
          c("hva er «Tjenester fra tredjepart 29 kr» på fakturaen?"),
          a("Hei! Det er et abonnement på «Parkering+» som er kjøpt med mobilregningen 14. {month-1}. Vil du at jeg "
            "stopper det? /{agent}"),
          ending="pending"),
    convo(NB, "bill-higher", "facebook", "private", "question", "billing",
          c("Hei, hvorfor er regningen min 200 kr høyere denne måneden?"),
          a("Hei {first}! Jeg ser at det er kjøpt ekstra data to ganger (2 x 99 kr) den 12. og 19. {month-1}. Var det "
            "deg eller noen i familien? Mvh {agent}"),
          c("å ja, det var sønnen min... ok, da skjønner jeg"),
          a("Da er det oppklart 😊 Tips: du kan sette en grense for ekstrakjøp i appen under Innstillinger. "
            "Mvh {agent}")),
    convo(NB, "international-calls", "webchat", "private", "question", "mobile",
          c("hva koster det å ringe til Polen fra Norge?"),
          a("Hei! Med Fri data og Mobil 15 GB er samtaler til EU inkludert, også Polen. På Mobil 5 GB koster det "
            "1,49 kr/min. Hilsen {agent}"),
          c("har fri data så da er det gratis, takk!")),
    convo(NB, "new-customer-welcome", "email", "private", "question", "billing",
          c("Hei,\n\nJeg er ny kunde og har fått en faktura på 1 150 kr, men abonnementet koster 499. Hva er resten?"
            "\n\nMvh {full}"),
          ending="new", subject="Første faktura"),
    convo(NB, "tv-subtitles", "facebook", "public", "question", "tv",
          c("Hvordan skrur jeg av undertekster på TV-boksen? Har trykket på alt 😤"),
          a("Hei {first}! Trykk på «OK» mens programmet går, så på tannhjulet → «Undertekster» → «Av». Blir det "
            "fortsatt stående, er det på i innstillingene: Meny → Innstillinger → Språk. Mvh {agent}"),
          c("endelig 😅 takk")),
    convo(NB, "speedtest-dm", "instagram", "private", "complaint", "broadband",
          c("Nettet går sååå tregt i kveld. Er det noe feil i Stavanger?"),
          a("Hei {first}! Vi ser ingen feil i Stavanger nå. Kan du starte ruteren på nytt og se om det hjelper? Er det "
            "like tregt etterpå, send meg gjerne en speedtest 🙂 /{agent}"),
          ending="pending", hours=(17, 23)),
    convo(NB, "mobile-data-slow-city", "x", "public", "complaint", "mobile",
          c("mobildata i Oslo sentrum går på sneglefart i dag @fjordnett 🐌"),
          a("Hei! Vi har uvanlig mye trafikk rundt Spektrum i kveld på grunn av konserten. Det skal bedre seg når den "
            "er ferdig. ^{agent}"),
          priority=3, hours=(16, 21)),
    convo(NB, "young-plan", "webchat", "private", "question", "mobile",
          c("hei! er 27, kan jeg få Ung-abonnement?"),
          a("Hei! Ja, Ung gjelder til og med 29 år 🎉 Du får dobbel data til samme pris. Vil du at jeg bytter deg over "
            "nå? Det skjer fra neste faktura. Hilsen {agent}"),
          c("ja takk!!"),
          a("Ordnet! Du får bekreftelse på SMS. Hilsen {agent}")),
]
