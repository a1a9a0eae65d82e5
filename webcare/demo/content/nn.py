"""Norwegian nynorsk conversations, mostly from the west coast and the valleys.

Why: a real Norwegian desk gets nynorsk every day, and a language detector that lumps it in with bokmål (or with
Danish) is a classic mistake. These threads are written in everyday nynorsk, answered in nynorsk, so the demo shows
that the desk keeps the two apart (the Bergen outage in ``outage.py`` adds more).
"""

from __future__ import annotations

from webcare.demo.content.base import Convo, Lang, a, c, convo, pdf

NN: Lang = "nn"

CONVERSATIONS: list[Convo] = [
    convo(NN, "invoice-higher", "email", "private", "question", "billing invoice",
          c("Hei.\n\nKvifor er fakturaen for {month} nesten 300 kr høgare enn vanleg? Eg har ikkje endra noko på "
            "abonnementet.\n\nHelsing\n{full}", pdf("faktura_{month}.pdf", 88_120)),
          a("Hei {first},\n\nTakk for at du tok kontakt. Eg ser at det er kjøpt to ekstra datapakkar på 149 kr i "
            "{month-1}, den 9. og den 23. Det skjer når kvoten er brukt opp og nokon trykkjer «Kjøp meir» i SMS-en. "
            "Vil du at eg set ei sperre for ekstrakjøp, slik at det ikkje skjer att?\n\nHelsing\n{agent}\n"
            "Fjordnett kundeservice"),
          c("Ja, det må vere sonen min. Set gjerne på sperra.\n\n{first}"),
          a("Då er sperra sett på. Han får framleis SMS når kvoten er brukt opp, men kan ikkje kjøpe meir utan at du "
            "godkjenner det.\n\nHelsing\n{agent}"),
          subject="Høg faktura"),
    convo(NN, "jostedalen", "facebook", "public", "complaint", "coverage",
          c("Når får me skikkeleg dekning i Jostedalen? Halve dalen har ikkje mobildekning i det heile. Det er "
            "faktisk eit tryggleiksproblem når folk går på breen."),
          a("Hei {first}, du har heilt rett i at dekning er viktig for tryggleiken. Me har søkt om å setje opp ein "
            "ny mast ved Gjerde, og ventar på svar frå kommunen. Eg skal gje beskjed her når me veit meir. "
            "Helsing {agent}"),
          c("Takk for svar. Hugs at 112 òg treng dekning 🙏"),
          priority=2),
    convo(NN, "fiber-olve", "email", "private", "question", "broadband installation",
          c("Hei!\n\nKjem det fiber til Ølve i Kvinnherad snart? Me har berre gamal kopar i dag, og det går "
            "tregt.\n\nHelsing {full}"),
          a("Hei {first}!\n\nGode nyhende: Ølve er med i utbygginga neste år, saman med Kvinnherad kommune. Du kan "
            "melde interesse på fjordnett.example/fiber, så får du tilbod før graving startar. Vil du at eg "
            "registrerer adressa di no?\n\nHelsing\n{agent}"),
          subject="Fiber til Ølve?", ending="pending"),
    convo(NN, "roaming-spain", "whatsapp", "private", "question", "roaming",
          c("Hei! Me skal til Gran Canaria om tre veker. Treng eg å gjere noko med mobilen for å bruke den der?"),
          a("Hei {first}! Nei, Spania (og Kanariøyane) er med i EU-roaminga, så du brukar mobilen som heime. Sjå "
            "berre til at «Dataroaming» er slått på. God tur! ☀️ Helsing {agent}"),
          c("Supert, takk!")),
    convo(NN, "esim-new-phone", "webchat", "private", "question", "esim",
          c("Hei, eg har fått ny telefon og vil ha eSIM i staden for vanleg SIM. Korleis gjer eg det?"),
          a("Hei! Det ordnar eg. Du får ein QR-kode på e-post som du skannar med den nye telefonen. Det gamle "
            "SIM-kortet sluttar å verke når eSIM-en er aktivert. Skal eg sende koden til e-postadressa me har "
            "registrert? Helsing {agent}"),
          c("ja takk"),
          a("Sendt no! Seier du frå viss det ikkje verkar? Helsing {agent}"),
          c("det gjekk fint, takk for hjelpa")),
    convo(NN, "router-setup", "webchat", "private", "question", "broadband router",
          c("Eg har fått ny rutar i posten. Kva kabel skal kor? Det er tre kablar i eska"),
          a("Hei! Den grå kabelen går frå fiberboksen på veggen til den blå porten (WAN) på rutaren. Straumkabelen "
            "seier seg sjølv, og den gule kan du bruke til TV-boksen eller PC-en. Lyser lampa kvitt etter eit par "
            "minutt, er alt i orden. Helsing {agent}"),
          c("kvitt lys! takk 😊")),
    convo(NN, "moving-voss", "email", "private", "question", "moving broadband",
          c("Hei.\n\nEg flyttar frå Bergen til Voss 1. {month+1}. Kan eg ta med meg breibandet?\n\nMvh {full}"),
          a("Hei {first}!\n\nAdressa på Voss har fiber frå oss, så du kan ta med både rutaren og abonnementet. "
            "Eg har registrert flyttinga til 1. {month+1}. Du får ein SMS dagen før med det du treng å vite. "
            "Lukke til med flyttinga!\n\nHelsing\n{agent}"),
          c("Tusen takk, det var enkelt!"),
          subject="Flytting til Voss"),
    convo(NN, "tv-app", "instagram", "private", "question", "tv app",
          c("hei, kan eg sjå tv-appen på to einingar samstundes?"),
          a("Hei! Ja, med TV Medium kan du sjå på to einingar samstundes, og på tre med TV Stor 📺 /{agent}"),
          c("flott, takk")),
    convo(NN, "praise-forde", "facebook", "public", "praise", "praise installation",
          c("Stor takk til montøren som kom til oss i Førde i dag! Han fann feilen på ti minutt, og var både "
            "triveleg og ryddig. Slik skal det vere 👍"),
          a("Så kjekt å høyre, {first}! Me sender rosen vidare 😊 Helsing {agent}"),
          priority=4, hours=(12, 21)),
    convo(NN, "queue", "x", "public", "complaint", "queue",
          c("30 minutt i telefonkø hjå @fjordnett for å endre ei adresse. Kom igjen no..."),
          a("Hei, beklagar ventetida! Adresseendring kan du gjere sjølv på Mi side, eller send oss ei DM, så "
            "ordnar me det med ein gong. /{agent}"),
          c("ordna det på Mi side. men kunne vore betre skilta"),
          hours=(8, 20)),
    convo(NN, "cabin-broadband", "webchat", "private", "question", "broadband coverage",
          c("Hei. Me har hytte i Hemsedal og tenkjer på trådlaust breiband. Korleis er dekninga ved Tuv?"),
          a("Hei! Ved Tuv er det god 4G frå oss, og 5G kjem i løpet av året. Du kan rekne med 40–80 Mbit/s i dag. "
            "Det er inga binding, så de kan seie opp viss det ikkje held mål. Helsing {agent}"),
          c("Høyrest bra ut. Me bestiller i helga."),
          a("Kjekt! Ta kontakt om de treng hjelp med oppsettet. Helsing {agent}")),
    convo(NN, "missing-invoice", "whatsapp", "private", "question", "billing invoice",
          c("Hei, eg har ikkje fått faktura for {month-1}. Treng eg å betale noko?"),
          ending="new"),
    convo(NN, "review-nynorsk", "reviews", "public", "praise", "praise",
          c("Kjekt å få svar på nynorsk når ein skriv nynorsk! Fekk hjelp med ein feil på rutaren på chatten på "
            "nokre få minutt. Anbefalast."),
          a("Tusen takk for fine ord, {first}! Me svarar gjerne på nynorsk 😊 Helsing {agent}, Fjordnett"),
          subject="Snøgg hjelp – på nynorsk", priority=4, agent="ingrid"),
    convo(NN, "review-outage-sunnmore", "reviews", "public", "complaint", "broadband",
          c("Breibandet har falle ut tre gonger denne månaden her i Ørsta. Kvar gong tek det ein heil dag før det er "
            "oppe att. Ikkje godt nok."),
          a("Hei {first}, me forstår at det er frustrerande. Utfalla skuldast ein skadd kabel over fjorden som vart "
            "bytt førre veke, så det skal vere stabilt no. Du har fått kompensasjon på neste faktura. Helsing {agent}"),
          subject="Ustabilt breiband"),
    convo(NN, "data-quota", "telegram", "private", "question", "mobile",
          c("korleis ser eg kor mykje data eg har att?"),
          a("Hei! Opne Fjordnett-appen, så står det øvst på framsida. Du kan òg sende SMS med «DATA» til 2020, så får "
            "du svar med ein gong. /{agent}"),
          c("takk!")),
    convo(NN, "price-fri-data", "instagram", "public", "question", "mobile price",
          c("Kva kostar Fri data hjå dykk no? 😊"),
          a("Hei! Fri data kostar 499 kr/mnd, og du får 20 % rabatt på nummer nummer to i familien 📱 /{agent}"),
          c("takk 👍")),
    convo(NN, "no-warning", "x", "public", "complaint", "mobile",
          c("@fjordnett kvifor kjem det ikkje noko varsel når datakvoten er brukt opp? Plutseleg gjekk ingenting"),
          a("Hei! Det skal kome SMS ved 80 % og 100 %. Send oss ei DM med nummeret, så sjekkar me om varslinga er "
            "slått av hjå deg. /{agent}"),
          ending="pending"),
    convo(NN, "mother-nursing-home", "email", "private", "question", "cancellation",
          c("Hei.\n\nMor mi har flytta på sjukeheim og treng ikkje lenger fasttelefon og breiband heime. Eg har "
            "fullmakt. Korleis seier eg opp for henne?\n\nHelsing\n{full}"),
          a("Hei {first},\n\nTakk for at du tek kontakt. Send oss ein kopi av fullmakta som svar på denne e-posten, "
            "så seier me opp begge delar frå den datoen du ønskjer. Når de har flytta ut, kan rutaren leverast på "
            "næraste postkontor med returlappen me sender. Kva dato passar for oppseiinga?\n\nHelsing\n{agent}"),
          subject="Oppseiing for mor mi", ending="pending"),
    convo(NN, "equipment-return", "webchat", "private", "question", "equipment",
          c("Kvar leverer eg den gamle tv-boksen?"),
          a("Hei! Du kan levere han på næraste postkontor eller post i butikk. Returlappen ligg på Mi side under "
            "«Utstyr». Det er gratis. Helsing {agent}"),
          c("Fint, takk for hjelpa!"),
          window=(0.2, 1.5)),
    convo(NN, "sim-card-kid", "facebook", "private", "question", "mobile",
          c("Hei. Kva abonnement anbefaler de til ein 10-åring som skal få sin fyrste mobil? Vil ikkje at han skal "
            "kunne kjøpe ting"),
          a("Hei {first}! Fjordnett Barn (149 kr/mnd) har 3 GB, sperre for kjøp og innhaldstenester som standard, "
            "og du kan sjå og styre alt i appen. Skal eg sende deg ein lenkje til bestilling? Helsing {agent}"),
          ending="pending"),
]
