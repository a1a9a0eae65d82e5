"""Swedish conversations, from Sweden and from Swedish-speaking Finland.

Why: Swedish customers expect Swedish answers with Swedish realities (BankID, Swish, autogiro, kronor, stadsnät),
and Finland-Swedes expect to be answered in Swedish, not Finnish. Most write "du"; a few older customers use the
formal "Ni", and the agents follow their lead.
"""

from __future__ import annotations

from webcare.demo.content.base import Convo, Lang, a, c, convo, img

SV: Lang = "sv"

CONVERSATIONS: list[Convo] = [
    convo(SV, "autogiro", "webchat", "private", "question", "billing payment",
          c("hej! hur kopplar jag fakturan till autogiro?"),
          a("Hej! Enklast är via din internetbank: sök efter Fjordnett under autogiro och ange ditt kundnummer, som "
            "står överst på fakturan. Det börjar gälla från nästa faktura. Hälsningar, {agent}"),
          c("tack!")),
    convo(SV, "roaming-usa", "instagram", "private", "question", "roaming",
          c("Hej! Ska till Florida med familjen om två veckor. Vad kostar det att surfa där?"),
          a("Hej {first}! USA ingår inte i EU-roaming, men med Resepaket Världen betalar du 79 kr per dygn för 1 GB "
            "och fria samtal hem. Paketet startar automatiskt första gången du använder data där. Trevlig resa! 🌴 "
            "/{agent}"),
          c("Tack, bra att veta!")),
    convo(SV, "coverage-jamtland", "facebook", "public", "complaint", "coverage",
          c("Varför har ni så dålig täckning i Åre-fjällen? Stugan ligger 5 km från byn och vi har knappt en streck. "
            "Har varit kund i åtta år."),
          a("Hej {first}! Tack för att du hör av dig. Vi bygger en ny mast vid Tegefjäll som ska vara klar i "
            "{month+3}, "
            "och den bör förbättra täckningen mycket i ert område. Skicka gärna adressen i ett meddelande så kan vi "
            "kolla mer exakt. Hälsningar, {agent}"),
          c("Låter lovande! Skickar adressen.")),
    convo(SV, "stadsnat", "email", "private", "question", "broadband",
          c("Hej,\n\nVi har fiber via stadsnätet i Västerås och vill byta till er som tjänsteleverantör. Hur går det "
            "till, och måste vi byta router?\n\nMed vänlig hälsning\n{full}"),
          a("Hej {first},\n\nVad roligt att ni vill bli kunder! I Västerås stadsnät beställer ni bara bredband från "
            "oss på fjordnett.example, så sköter vi bytet. Er nuvarande router fungerar oftast, men vi skickar med "
            "vår Fjordnett Hub utan extra kostnad. Bytet tar vanligtvis 5–10 arbetsdagar.\n\n"
            "Vänliga hälsningar\n{agent}\nFjordnett kundservice"),
          c("Tack, vi beställer i helgen."),
          subject="Byta till Fjordnett i stadsnätet"),
    convo(SV, "router-blinking", "whatsapp", "private", "complaint", "broadband router",
          c("Hej, routern blinkar orange och vi har inget internet sedan i morse"),
          a("Hej {first}! Orange blink betyder att routern inte får kontakt med fiberboxen. Kan du dra ur strömmen ur "
            "båda i 30 sekunder och sätta tillbaka fiberboxen först? /{agent}"),
          c("nu funkar det igen 🙏"),
          a("Toppen! Hör av dig om det händer igen. /{agent}")),
    convo(SV, "esim", "webchat", "private", "question", "esim",
          c("Kan jag flytta mitt nummer till eSIM på min nya Samsung?"),
          a("Hej! Absolut. Jag skickar en QR-kod till din mejl, som du skannar under Inställningar → Anslutningar → "
            "SIM-hanterare → Lägg till eSIM. Ska jag skicka den nu? Hälsningar, {agent}"),
          c("ja tack"),
          a("Skickad! Ditt gamla SIM-kort slutar fungera när eSIM:et aktiveras. Hälsningar, {agent}"),
          c("klart, tack för hjälpen")),
    convo(SV, "moving-gothenburg", "email", "private", "question", "moving broadband",
          c("Hej!\n\nJag flyttar från Uppsala till Göteborg (Majorna) den 1 {month+2}. Kan jag ta med mitt bredband?"
            "\n\nMvh {full}"),
          a("Hej {first}!\n\nDin nya adress har fiber som vi kan leverera på. Vill du att vi flyttar abonnemanget "
            "den 1 {month+2}? Då säger vi samtidigt upp den gamla adressen.\n\nHälsningar,\n{agent}"),
          subject="Flytt av bredband", ending="pending"),
    convo(SV, "tv-channel-list", "facebook", "private", "question", "tv",
          c("Hej, vilka kanaler ingår i TV Mellan? Hittar ingen lista"),
          a("Hej {first}! Här finns den fullständiga kanallistan: fjordnett.example/se/tv/kanaler. TV Mellan har "
            "42 kanaler, varav 12 i HD. Hälsningar, {agent}"),
          c("tack!")),
    convo(SV, "praise-x", "x", "public", "praise", "praise",
          c("Måste säga att @fjordnett har den snabbaste kundtjänsten jag varit med om. Svar på 3 minuter i chatten "
            "en söndag kväll 👏"),
          a("Tack för de fina orden! Det värmer 😊 /{agent}"),
          priority=4),
    convo(SV, "review-complaint", "reviews", "public", "complaint", "billing",
          c("Blev lovad 199 kr/mån i butiken men fakturan säger 299. När jag ringde fick jag höra att "
            "kampanjen gällt \"i tre månader\". Det sa ingen i butiken."),
          a("Hej {first}, vi beklagar verkligen missförståndet. Jag har kollat ditt avtal och sett att "
            "kampanjvillkoren inte skrevs ut tydligt. Vi ger dig därför 199 kr/mån i tolv månader. Hälsningar, "
            "{agent}, Fjordnett"),
          subject="Fel pris"),
    convo(SV, "review-praise", "reviews", "public", "praise", "praise",
          c("Smidig flytt av bredbandet, tekniker kom i tid och allt var klart på en timme. Rekommenderas!"),
          a("Tack så mycket, {first}! Välkommen till nya hemmet 🏡 Hälsningar, {agent}"),
          subject="Smidig flytt", priority=4),
    convo(SV, "no-data-malmo", "x", "public", "complaint", "mobile",
          c("Ingen mobildata i Malmö sedan i morse @fjordnett. Är det bara jag?"),
          ending="new", hours=(9, 18)),
    convo(SV, "chat-invoice-new", "webchat", "private", "question", "billing",
          c("Hej, jag har fått två påminnelser men ingen faktura. Vad ska jag betala?"),
          ending="new"),
    convo(SV, "formal-ni", "email", "private", "complaint", "billing",
          c("Hej,\n\nJag vill be Er att förklara varför jag debiterats 149 kronor för \"Tjänst 2345\" i {month-1}. "
            "Jag har inte beställt någonting.\n\nMed vänlig hälsning\n{full}"),
          a("Hej {first},\n\nTack för Ert mejl. Debiteringen gäller en sms-tjänst för parkering som startades den "
            "3 {month-1}. Om Ni inte känner igen köpet har vi nu krediterat beloppet och spärrat betalning via "
            "mobilräkningen på Ert nummer. Krediteringen syns på nästa faktura.\n\nMed vänliga hälsningar\n"
            "{agent}\nFjordnett kundservice"),
          c("Tack för snabbt svar.\n\n{full}"),
          subject="Okänd debitering"),
    convo(SV, "swish-scam", "instagram", "public", "question", "fraud",
          c("Är det ni som skickar sms om att jag ska swisha 49 kr för ett \"nytt SIM-kort\"? 🤨"),
          a("Hej! Nej, det är bedrägeri. Vi ber aldrig om Swish via sms. Radera meddelandet och swisha inget 🙅 "
            "/{agent}"),
          c("trodde väl det, tack")),
    convo(SV, "porting", "webchat", "private", "question", "porting",
          c("hur lång tid tar en nummerflytt till er?"),
          a("Hej! Oftast 3–5 arbetsdagar. Du väljer \"Behåll nummer\" när du beställer, så säger vi upp det gamla "
            "abonnemanget åt dig. Hälsningar, {agent}"),
          c("okej tack")),
    convo(SV, "data-ran-out", "telegram", "private", "question", "mobile",
          c("datan tog slut igen. kan jag uppgradera mitt abonnemang mitt i månaden?"),
          a("Hej! Ja, uppgraderingen gäller direkt och du betalar bara mellanskillnaden för resten av månaden. Vill "
            "du ha 30 GB (299 kr) eller Fri data (399 kr)? /{agent}"),
          ending="pending"),
    convo(SV, "router-replacement", "email", "private", "complaint", "broadband router",
          c("Hej,\n\nMin router har slutat fungera helt, inga lampor lyser. Jag har provat ett annat uttag.\n\n"
            "Mvh {full}", img("router.jpg", 1_544_011)),
          a("Hej {first},\n\nTråkigt att höra. Routern är trasig, så vi skickar en ny med expressfrakt i dag. Den "
            "gamla "
            "skickar du tillbaka i samma kartong.\n\nHälsningar,\n{agent}"),
          c("Nu har jag fått den nya men den hittar inget internet. Lampan blinkar rött.", delay=30 * 60),
          subject="Routern död", ending="open", priority=2, window=(1.4, 3.6)),
    convo(SV, "ig-coverage-dm", "instagram", "private", "question", "coverage",
          c("Hej! Har ni 5G i Sundsvall? Funderar på att byta operatör"),
          a("Hej! Ja, centrala Sundsvall har 5G och vi bygger ut mot Birsta under året 📶 Vad använder du mobilen mest "
            "till? Då kan jag tipsa om rätt abonnemang. /{agent}"),
          c("mest streaming och spel"),
          a("Då passar Fri data (399 kr/mån) bäst, inga gränser alls. Vill du ha länken? /{agent}"),
          c("jag hör av mig på whatsapp när jag bestämt mig 😊"),
          window=(7.0, 10.0)),
    convo(SV, "wa-order", "whatsapp", "private", "question", "mobile order",
          c("Hej! Det är jag som skrev på Instagram om 5G i Sundsvall. Nu vill jag beställa Fri data och flytta mitt "
            "nummer."),
          a("Hej {first}, kul att du bestämt dig! 🎉 Jag skickar en länk där du signerar med BankID. Numret flyttas "
            "inom 3–5 arbetsdagar, och vi säger upp ditt gamla abonnemang åt dig. /{agent}"),
          c("klart! signerat"),
          a("Toppen, välkommen till Fjordnett! Du får ett sms när flytten är klar. /{agent}"),
          follows="sv-ig-coverage-dm", window=(1.0, 6.0)),
    convo(SV, "vasa-language", "facebook", "private", "complaint", "billing language",
          c("Hej från Vasa! Varför kommer mina fakturor på finska fast jag har valt svenska som språk?"),
          a("Hej {first}! Ursäkta, där hade ditt språkval inte sparats rätt i faktureringen. Jag har ändrat det nu, "
            "och nästa faktura kommer på svenska. Hälsningar, {agent}"),
          c("Tack så mycket!"),
          market="fi", agent="aino"),
    convo(SV, "pargas-cabin", "email", "private", "question", "coverage broadband",
          c("Hej,\n\nVi har en sommarstuga i skärgården utanför Pargas. Fungerar ert mobila bredband där, och kan "
            "man pausa det på vintern?\n\nMed vänlig hälsning\n{full}"),
          a("Hej {first},\n\nPå Nagu och Pargas huvudö är täckningen god, men ute på de mindre öarna varierar den. "
            "Mobilt bredband kan pausas upp till sex månader per år för 3 €/mån.\n\nVill du skicka stugans adress, "
            "så kollar jag täckningen exakt där?\n\nVänliga hälsningar\n{agent}"),
          subject="Mobilt bredband i skärgården", ending="pending", market="fi", agent="aino"),
    convo(SV, "data-gone", "whatsapp", "private", "complaint", "mobile",
          c("har använt 20 GB på en vecka?? jag har knappt använt telefonen"),
          a("Hej {first}! Jag ser att det mesta gick åt i natt mellan 01 och 05, vilket ofta är säkerhetskopiering "
            "till molnet eller automatiska uppdateringar. Har du fått ny telefon nyligen? /{agent}"),
          c("ja i lördags..."),
          a("Då är det säkert därför – nya telefoner laddar ner allt från molnet. Jag har lagt på 10 GB extra som "
            "plåster på såren 😊 /{agent}"),
          c("åh tack!")),
    convo(SV, "speed-public", "facebook", "public", "complaint", "broadband",
          c("Varför får jag bara 40 Mbit när jag betalar för 250? Har testat med kabel. Lund."),
          a("Hej {first}, det ska vi titta på. Skicka oss ett meddelande med ditt kundnummer så kör vi en mätning "
            "på linjen. Hälsningar, {agent}"),
          ending="pending"),
    convo(SV, "phone-queue", "x", "public", "complaint", "queue",
          c("Tre timmar. TRE TIMMAR i telefonkö hos @fjordnett idag. Hur är det ens möjligt"),
          a("Det är inte ok, och vi ber om ursäkt. Vi har haft ovanligt många samtal efter prisändringen. Skriv till "
            "oss här i DM så hjälper vi dig direkt. /{agent}"),
          c("skrivit nu"),
          window=(5.0, 9.0), hours=(11, 21)),
    convo(SV, "phone-queue-dm", "x", "private", "question", "billing cancellation",
          c("Hej, jag ville bara veta om min bindningstid har gått ut. Jag har kö-ilskan fortfarande 😅"),
          a("Hej {first}! Förstår det 🙈 Din bindningstid gick ut förra månaden, så du kan byta abonnemang eller säga "
            "upp med en månads uppsägningstid. Vill du att jag tittar på om ett billigare abonnemang passar dig? "
            "/{agent}"),
          c("ja gärna"),
          a("Du använder runt 8 GB i månaden, så 10 GB för 199 kr räcker gott – 100 kr billigare än idag. Jag har "
            "bytt från nästa månad. /{agent}"),
          c("toppen, tack!"),
          follows="sv-phone-queue", window=(0.5, 4.5)),
    convo(SV, "5g-phone", "webchat", "private", "question", "mobile 5g",
          c("Min telefon visar aldrig 5G trots att jag bor i Stockholm. Varför?"),
          a("Hej! Vilken telefonmodell har du? Vissa äldre modeller stöder bara 5G på andra frekvenser än de vi "
            "använder. Hälsningar, {agent}"),
          c("iPhone 11"),
          a("iPhone 11 har tyvärr inte stöd för 5G alls – det började med iPhone 12. Men 4G+ hos oss är fortfarande "
            "riktigt snabbt! Hälsningar, {agent}"),
          c("haha okej, tack")),
    convo(SV, "owner-change", "email", "private", "question", "ownership",
          c("Hej!\n\nMin dotter fyller 18 nästa vecka och ska ta över sitt abonnemang från mig. Hur gör vi?\n\n"
            "Mvh {full}"),
          a("Hej {first}!\n\nGrattis till dottern! Ni gör ägarbytet på Mina sidor under Abonnemang → \"Byt "
            "ägare\". Hon signerar med sitt eget BankID och numret följer med. Det kostar inget.\n\n"
            "Hälsningar,\n{agent}"),
          subject="Ägarbyte"),
    convo(SV, "technician-malmo", "facebook", "private", "complaint", "broadband technician",
          c("Hej. Fibern har inte fungerat på fyra dagar i Limhamn. Ingen har hört av sig."),
          a("Hej {first}, jag beklagar verkligen. Jag ser ett avbrott i fiberkabeln fram till huset och har bokat en "
            "tekniker på {workday+2} kl. 8–12. Du får 200 kr avdrag på nästa faktura. Hälsningar, {agent}"),
          ending="on_hold", priority=2,
          notes=["Kabelbrott vid grävarbete, Limhamnsvägen. Tekniker {workday+2}. 200 kr kompensation."]),
    convo(SV, "review-price", "reviews", "public", "complaint", "price-change",
          c("Höjde priset med 50 kr i månaden utan någon förbättring. Byter nog operatör."),
          a("Hej {first}. Vi förstår att en prishöjning är tråkig. Hör gärna av dig innan du byter, så tittar vi på om "
            "det finns ett billigare abonnemang som passar din användning. Hälsningar, {agent}"),
          subject="Prishöjning"),
    convo(SV, "ig-praise", "instagram", "public", "praise", "praise",
          c("Äntligen täckning i vår stuga i Härjedalen! 🙌📶", img("stugan.jpg", 2_204_519)),
          a("Vad härligt! Njut av stugan 🌲 /{agent}"),
          priority=4),
    convo(SV, "kivra", "webchat", "private", "question", "billing invoice",
          c("Kan jag få fakturan till Kivra?"),
          a("Hej! Ja, aktivera Fjordnett som avsändare i Kivra-appen, så kommer fakturorna dit från nästa månad. "
            "Hälsningar, {agent}"),
          c("perfekt")),
]
