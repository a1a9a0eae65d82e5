"""Danish conversations from Fjordnett's customers in Denmark.

Why: Danish and Norwegian look alike on the screen, and a desk that answers a Dane in Norwegian loses the customer.
These threads use Danish spelling, prices in kroner (DKK), Danish services (MitID, MobilePay, Betalingsservice) and
both registers: mostly "du", and the formal "De/Dem/Deres" from a few older customers, which the agents mirror.
"""

from __future__ import annotations

from webcare.demo.content.base import Convo, Lang, a, c, convo, img, pdf

DA: Lang = "da"

CONVERSATIONS: list[Convo] = [
    convo(DA, "invoice-formal", "email", "private", "complaint", "billing invoice",
          c("Kære Fjordnett\n\nJeg skal bede Dem forklare, hvorfor min regning for {month-1} er på 412 kr, når mit "
            "abonnement koster 199 kr om måneden. Jeg har ikke bestilt noget nyt.\n\nMed venlig hilsen\n{full}",
            pdf("regning_{month-1}.pdf", 77_412)),
          a("Kære {full}\n\nTak for Deres henvendelse. Jeg har gennemgået regningen: beløbet dækker både {month-2} og "
            "{month-1}, fordi De skiftede fra papirregning til Betalingsservice i {month-2}, og den første regning "
            "derfor blev udskudt en måned. De har altså ikke betalt for meget, og næste regning vil være på de "
            "sædvanlige 199 kr.\n\nDe er velkommen til at kontakte os igen, hvis noget er uklart.\n\n"
            "Med venlig hilsen\n{agent}\nFjordnett Kundeservice"),
          c("Tak for den klare forklaring.\n\n{full}"),
          subject="Regning for {month-1}"),
    convo(DA, "betalingsservice", "webchat", "private", "question", "billing payment",
          c("hej, hvordan tilmelder jeg regningen til betalingsservice?"),
          a("Hej! Det gør du nemmest i din netbank under Betalingsservice med vores PBS-nr. 04417782 og dit "
            "kundenummer, som står øverst på regningen. Vil du have, at jeg sender oplysningerne på sms? /{agent}"),
          c("ja tak"),
          a("Sendt! Der går typisk en måned, før den første regning trækkes automatisk. /{agent}"),
          c("super, tak for hjælpen")),
    convo(DA, "roaming-turkey", "facebook", "private", "question", "roaming",
          c("Hej! Jeg skal til Antalya i næste uge. Virker min mobil dernede, og hvad koster det? Har Fri Data"),
          a("Hej {first}! Tyrkiet er ikke med i EU-roaming, men du kan bruge Rejsepakke Verden til 69 kr pr. døgn "
            "(1 GB og fri tale til Danmark). Den starter af sig selv, første gang du bruger data dernede, og du får "
            "en sms. God tur! ☀️ Mvh {agent}"),
          c("perfekt, tak!")),
    convo(DA, "summerhouse-lokken", "instagram", "private", "question", "coverage",
          c("hej 👋 hvordan er dækningen ved Løkken? vi har købt sommerhus og skal arbejde derfra om sommeren"),
          a("Hej! Løkken har fin 4G og 5G i byen, og ude i klitterne er der god 4G. Hvis du sender adressen, kan jeg "
            "tjekke præcis jeres hus 😊 /{agent}"),
          c("Strandvejen 210"),
          a("Der har I rigtig god 5G udendørs og 4G indendørs. Til hjemmearbejde vil mobilt bredbånd med 5G-router "
            "give jer 100–300 Mbit/s. Skriv endelig, hvis I vil have et tilbud! /{agent}"),
          c("lyder godt, vender tilbage når vi har fået nøglerne ☀️")),
    convo(DA, "slow-fibre-public", "facebook", "public", "complaint", "broadband",
          c("Betaler for 1000 Mbit men har haft max 100 de sidste tre dage. Er der andre i Valby med samme problem?"),
          a("Hej {first}, det er vi kede af at høre. Vi kan ikke se nogen fejl i Valby lige nu, så vi vil gerne kigge "
            "på din forbindelse. Skriv til os på chatten eller i en besked, så tager vi den derfra. Mvh {agent}"),
          c("Gør jeg i morgen"),
          window=(6.0, 9.0)),
    convo(DA, "slow-fibre-chat", "webchat", "private", "complaint", "broadband",
          c("Hej, jeg skrev på jeres Facebook i går om langsom fibernet i Valby. Stadig max 100 Mbit."),
          a("Hej {first}, tak fordi du skriver igen. Jeg kan se, at din router kører 100 Mbit på porten mod "
            "fiberboksen, hvilket tyder på et defekt netværkskabel. Har du mulighed for at skifte kablet mellem "
            "fiberboksen og routeren? /{agent}"),
          c("skiftede til det kabel der fulgte med routeren... nu 940 😳"),
          a("Sådan! Det gamle kabel kunne kun klare 100 Mbit. God fornøjelse med den fulde hastighed 🚀 /{agent}"),
          c("tak, det havde jeg aldrig selv fundet ud af"),
          follows="da-slow-fibre-public", window=(1.0, 5.5)),
    convo(DA, "esim", "webchat", "private", "question", "esim",
          c("kan jeg få esim til min pixel 8?"),
          a("Hej! Ja, det kan du. Jeg sender en QR-kode til din e-mail, som du scanner under Indstillinger → "
            "Netværk → SIM-kort → Tilføj eSIM. Dit fysiske SIM holder op med at virke, når eSIM'et er aktiveret. "
            "Skal jeg sende den nu? /{agent}"),
          c("ja gerne"),
          a("Sendt! Sig til, hvis noget driller. /{agent}"),
          c("virkede 👍")),
    convo(DA, "moving-aarhus", "email", "private", "question", "moving broadband",
          c("Hej\n\nVi flytter fra Odense til Aarhus den 15. {month+2}. Kan vi tage vores fibernet med?\n\nMvh {full}"),
          a("Hej {first}\n\nTillykke med flytningen! Jeres nye adresse har fiber fra os, men stikket er ikke "
            "aktiveret endnu, så der skal en tekniker forbi. Vil I have en tid den 15. eller 16. {month+2}?\n\n"
            "Mvh\n{agent}\nFjordnett Kundeservice"),
          subject="Flytning til Aarhus", ending="pending"),
    convo(DA, "mesh", "whatsapp", "private", "question", "broadband wifi",
          c("Hej! Wifi'en når ikke op på første sal. Hvad kan man gøre?"),
          a("Hej {first}! Et mesh-punkt løser det typisk. Det koster 29 kr/md., og du sætter det bare i en stikkontakt "
            "cirka halvvejs mellem routeren og første sal. Skal jeg sende et? Mvh {agent}"),
          c("ja tak, send et"),
          a("Det er bestilt og kommer med posten inden for 2–3 hverdage. Mvh {agent}"),
          c("🙏")),
    convo(DA, "sports-package", "webchat", "private", "question", "tv",
          c("hvordan får man sportspakken på tv? vil se superliga"),
          a("Hej! Du kan tilføje Sport+ for 149 kr/md. i appen under «TV» → «Tilkøb». Den er aktiv med det samme og "
            "kan opsiges løbende. Skal jeg tilføje den for dig? /{agent}"),
          ending="pending"),
    convo(DA, "praise-mette", "x", "public", "praise", "praise",
          c("Kæmpe tak til Mette hos @fjordnett, som fik styr på min flytning på ti minutter efter at jeg havde "
            "været i telefonkø hos et andet selskab i en time 🙌"),
          a("Tusind tak for de søde ord! Det var så lidt 😊 /{agent}"),
          agent="mette", priority=4),
    convo(DA, "review-bad-service", "reviews", "public", "complaint", "queue",
          c("Har ventet tre uger på svar på en mail om en fejl på min regning. Ingen svar. Ringede og blev afbrudt "
            "efter 40 minutter i kø. Elendigt."),
          a("Hej {first}. Det er slet ikke i orden, og vi beklager. Jeg har fundet din mail og rettet fejlen på "
            "regningen i dag; du får en kreditnota på e-mail. Tak fordi du gjorde os opmærksom på det. "
            "Mvh {agent}, Fjordnett"),
          subject="Ingen svar"),
    convo(DA, "review-praise", "reviews", "public", "praise", "praise",
          c("Skiftede til Fjordnett i sommer. Stabilt net, god pris, og da routeren gik i stykker, fik jeg en ny "
            "dagen efter. Kan varmt anbefales."),
          a("Tak for den fine anmeldelse, {first}! Det glæder os meget 😊 Mvh {agent}"),
          subject="Godt skifte", priority=4),
    convo(DA, "cancel", "email", "private", "question", "cancellation",
          c("Hej\n\nJeg vil gerne opsige mit mobilabonnement, da jeg flytter til udlandet. Nummeret er {phone}.\n\n"
            "Venlig hilsen\n{full}"),
          a("Hej {first}\n\nDet er registreret. Abonnementet lukker ved udgangen af næste måned, som er "
            "opsigelsesperioden. Vil du gerne beholde nummeret, kan du i stedet skifte til Hvilende for 19 kr/md. "
            "Sig endelig til!\n\nGod rejse og venlig hilsen\n{agent}"),
          subject="Opsigelse"),
    convo(DA, "mitid-login", "x", "public", "complaint", "app login",
          c("Kan ikke logge ind på Mit Fjordnett med MitID. Fejlkode 1102. Nogen der ved noget @fjordnett?"),
          a("Hej! Der var en fejl hos vores login-udbyder i formiddags, men det skulle virke nu. Prøv igen – og skriv "
            "til os, hvis det stadig driller 🙏 /{agent}"),
          c("virker nu 👍"),
          hours=(11, 17)),
    convo(DA, "number-blocked", "whatsapp", "private", "complaint", "sim",
          c("Hej mit nummer er blevet spærret?? Jeg har betalt min regning"),
          ending="new", priority=2),
    convo(DA, "outage-aalborg", "facebook", "public", "complaint", "broadband",
          c("Er der nedbrud i Aalborg? Intet internet siden kl 19"),
          ending="new", hours=(19, 23)),
    convo(DA, "data-child", "telegram", "private", "question", "mobile",
          c("Hej, kan jeg sætte en grænse for hvor meget data min søn bruger?"),
          a("Hej! Ja, i appen under hans nummer → «Forbrug» → «Datagrænse». Er du ejer af abonnementet? Så kan jeg "
            "også sætte den for dig. /{agent}"),
          ending="pending"),
    convo(DA, "phishing", "facebook", "public", "question", "fraud",
          c("Har lige fået en sms fra \"Fjordnett\" om at jeg har en pakke der venter og skal betale 19 kr i told. Er "
            "det jer??"),
          a("Hej {first}! Nej, det er ikke os, og det er svindel. Klik ikke på linket, og slet beskeden. Vi sender "
            "aldrig betalingslinks på sms. Mvh {agent}"),
          c("Tak, tænkte det nok")),
    convo(DA, "parental-control", "instagram", "private", "question", "mobile",
          c("hej kan man spærre for køb på min datters telefon? hun har lige brugt 300 kr på et spil 😤"),
          a("Hej! Ja, jeg har nu sat spærring for køb via mobilregningen på hendes nummer. Køb i selve spillet går "
            "dog via App Store/Google Play, så der skal du også slå køb fra i indstillingerne. Vil du have en "
            "vejledning? /{agent}"),
          c("ja tak"),
          a("Her er den: fjordnett.example/koebsspaerring 😊 /{agent}"),
          c("tak!")),
    convo(DA, "call-germany", "webchat", "private", "question", "mobile",
          c("Hvad koster det at ringe til Tyskland fra Danmark?"),
          a("Hej! Med Fri Data er opkald til EU inkluderet. Med Mobil 20 GB koster det 1,25 kr/min. /{agent}"),
          c("ok tak")),
    convo(DA, "porting", "webchat", "private", "question", "porting",
          c("Hvis jeg skifter til jer, kan jeg så beholde mit nummer?"),
          a("Hej! Ja selvfølgelig. Du vælger «Flyt nummer» når du bestiller, så klarer vi opsigelsen hos dit gamle "
            "selskab. Det tager typisk 3–5 hverdage. /{agent}"),
          c("fedt, tak")),
    convo(DA, "dispute", "email", "private", "complaint", "billing",
          c("Hej\n\nI har trukket 450 kr for et gebyr for \"ikke returneret udstyr\". Jeg returnerede routeren den "
            "2. {month-1} og har kvitteringen fra posthuset (vedhæftet).\n\nMvh\n{full}",
            img("kvittering_post.jpg", 1_102_884)),
          a("Hej {first}\n\nTak for kvitteringen. Jeg har bedt lageret om at finde routeren ud fra "
            "forsendelsesnummeret. Så snart de bekræfter, krediterer vi de 450 kr. Det tager normalt et par dage."
            "\n\nMvh {agent}"),
          c("Det er nu en uge siden, og jeg har ikke hørt noget. Jeg forventer at få pengene tilbage nu.",
            delay=7 * 24 * 60),
          subject="Gebyr for router", ending="open", window=(7.2, 9.4),
          notes=["Lageret har ikke fundet pakken. Overvej at kreditere uden svar – kunden har gyldig kvittering."]),
    convo(DA, "technician", "facebook", "private", "complaint", "broadband technician",
          c("Hej, internettet har været nede i to dage i Roskilde. Jeg har genstartet routeren mange gange."),
          a("Hej {first}, det er vi kede af. Jeg kan se, at der er fejl på fiberen ind til huset, og har booket en "
            "tekniker på {workday+2} mellem 8 og 12. Passer det? Imens har jeg givet dig 100 GB ekstra data på "
            "mobilen. "
            "Mvh {agent}"),
          c("{workday+2:cap} passer fint. Tak for data"),
          a("Super, teknikeren ringer en halv time før. Mvh {agent}"),
          ending="on_hold", priority=2,
          notes=["Tekniker bestilt {workday+2} 8–12, ordre TK-55120. 100 GB kompensation."]),
    convo(DA, "deaf-sms", "email", "private", "question", "accessibility",
          c("Hej\n\nJeg er døv og kan ikke ringe til jeres kundeservice. Kan jeg få hjælp via sms eller chat i "
            "stedet? Jeg har brug for at skifte abonnement.\n\nMvh {full}"),
          a("Hej {first}\n\nSelvfølgelig! Du kan altid skrive til os her, på chatten eller på WhatsApp, og vi hjælper "
            "dig med det samme, som hvis du ringede. Hvilket abonnement vil du gerne skifte til? Jeg kan også sende "
            "en oversigt.\n\nMvh {agent}"),
          c("Tak! Jeg vil gerne have Fri Data."),
          a("Det er gjort fra den 1. i næste måned. Du får en bekræftelse på sms. Skriv endelig, hvis der er andet!\n\n"
            "Mvh {agent}"),
          subject="Hjælp uden telefon"),
    convo(DA, "storebaelt", "x", "public", "complaint", "coverage",
          c("Hvorfor mister jeg altid forbindelsen midt på Storebæltsbroen? Hver. Eneste. Gang. @fjordnett"),
          a("Hej! Det er et kendt hul midt på broen, som vi arbejder på sammen med Sund & Bælt. Ny antenne er planlagt "
            "i løbet af næste år 🤞 /{agent}"),
          c("glæder mig")),
    convo(DA, "student-discount", "instagram", "public", "question", "mobile price",
          c("har I studierabat? 🎓"),
          a("Hej! Ja, med Ung får du dobbelt data til samme pris, hvis du er under 30 🎉 /{agent}"),
          c("nice")),
    convo(DA, "static-ip", "email", "private", "question", "broadband",
          c("Hej,\n\nJeg arbejder hjemmefra og har brug for en fast IP-adresse til VPN. Er det muligt på privat "
            "fibernet, og hvad koster det?\n\nVenlig hilsen\n{full}"),
          a("Hej {first},\n\nJa, fast IPv4 koster 39 kr/md. på privat fibernet. Jeg har tilføjet det nu, og adressen "
            "står i appen under «Mit hjem» → «Netværk». Genstart routeren, så er den aktiv.\n\nMvh {agent}"),
          c("Det virker. Tak!"),
          subject="Fast IP"),
    convo(DA, "review-installation", "reviews", "public", "complaint", "installation",
          c("Teknikeren borede hul det forkerte sted i stuen trods min tydelige beskrivelse. Nu har vi et ekstra hul "
            "i væggen."),
          a("Hej {first}, det er vi meget kede af. Jeg har sendt sagen til vores installationspartner, som kontakter "
            "dig om udbedring. Mvh {agent}"),
          subject="Skuffende installation", ending="on_hold"),
    convo(DA, "whatsapp-thanks", "whatsapp", "private", "praise", "praise",
          c("Hej igen, bare lige for at sige at den nye router virker perfekt. Tak for hurtig levering 😊"),
          a("Hvor dejligt at høre! Tak fordi du skriver 😊 Mvh {agent}"),
          priority=4),
    convo(DA, "roaming-norway-ferry", "telegram", "private", "question", "roaming maritime",
          c("Skal med færgen til Oslo. Er der roaming-gebyr på båden?"),
          a("Hej! Ja, pas på: på åbent hav kobler mobilen sig på skibets satellitnet, som ikke er med i EU-roaming og "
            "er dyrt. Sæt telefonen på flytilstand og brug skibets wifi. I Norge bruger du mobilen som hjemme. "
            "/{agent}"),
          c("godt jeg spurgte 😅 tak")),
]
