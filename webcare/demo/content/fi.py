"""Finnish conversations from Fjordnett's customers in Finland.

Why: Finnish is the one language of the demo that is not related to the others, so it is where a language detector
or a keyword rule fails first. The threads use everyday spoken-style Finnish (mä, sä, mun) as people type it, the
formal "te" from older customers, euros, and Finnish services (OmaFjordnett, e-lasku, verkkopankki, mökki life).
"""

from __future__ import annotations

from webcare.demo.content.base import Convo, Lang, a, c, convo, img

FI: Lang = "fi"

CONVERSATIONS: list[Convo] = [
    convo(FI, "invoice-formal", "email", "private", "complaint", "billing invoice",
          c("Hyvä vastaanottaja,\n\nVoisitteko ystävällisesti selvittää, miksi viime kuun laskuni on 54,80 euroa, "
            "vaikka liittymäni kuukausimaksu on 24,90 euroa? En ole tilannut mitään lisäpalveluita.\n\n"
            "Ystävällisin terveisin\n{full}"),
          a("Hyvä {full},\n\nKiitos viestistänne. Tarkistin laskun: siinä on kahden kuukauden maksut, koska "
            "vaihdoitte paperilaskusta e-laskuun ja ensimmäinen e-lasku siirtyi kuukaudella. Ette siis ole "
            "maksanut liikaa, ja seuraava lasku on tavallinen 24,90 euroa.\n\nYstävällisin terveisin\n{agent}\n"
            "Fjordnett asiakaspalvelu"),
          c("Kiitos selvityksestä.\n\n{full}"),
          subject="Kysymys laskusta"),
    convo(FI, "e-invoice", "webchat", "private", "question", "billing payment",
          c("moi, miten saan laskut e-laskuna?"),
          a("Hei! E-laskun voit tilata omasta verkkopankistasi: hae laskuttajaksi Fjordnett ja syötä asiakasnumerosi "
            "laskun yläkulmasta. Seuraava lasku tulee sitten e-laskuna. Terveisin {agent}"),
          c("kiitti!")),
    convo(FI, "cabin-coverage", "facebook", "public", "complaint", "coverage",
          c("Miksi mökillä Puumalassa ei kuulu mitään? Viime kesänä toimi vielä ihan ok, nyt ei edes puhelut kulje."),
          a("Hei {first}! Kiitos että kerroit. Puumalan alueella vaihdettiin syksyllä tukiaseman laitteita, ja yksi "
            "sektori on edelleen säätämättä. Korjaus on tulossa ensi viikolla. Laitatko yksityisviestillä mökin "
            "osoitteen, niin tarkistan vielä? Terveisin {agent}"),
          c("Laitoin viestiä. Kiitos!")),
    convo(FI, "roaming-thailand", "whatsapp", "private", "question", "roaming",
          c("Moi! Ollaan Phuketissa ja data loppu jo. Voiko ostaa lisää?"),
          a("Hei {first}! Voit ostaa lisää sovelluksesta kohdasta «Ulkomaat» → «Osta lisää»: 3 Gt / 7 päivää "
            "maksaa 19 €. Hyvää lomaa! 🌴 t. {agent}"),
          c("ostettu, kiitos 🙏")),
    convo(FI, "esim", "webchat", "private", "question", "esim",
          c("Voiko mun liittymän siirtää eSIMille? Ostin uuden iPhonen"),
          a("Hei! Voi toki. Lähetän QR-koodin sähköpostiisi, ja skannaat sen kohdassa Asetukset → Mobiilidata → "
            "Lisää eSIM. Vanha SIM-kortti lakkaa toimimasta, kun eSIM aktivoituu. Lähetänkö koodin nyt? "
            "Terveisin {agent}"),
          c("joo kiitos"),
          a("Lähetetty! Kerro jos tulee ongelmia. Terveisin {agent}"),
          c("toimii, kiitti")),
    convo(FI, "moving-tampere", "email", "private", "question", "moving broadband",
          c("Hei,\n\nMuutan Helsingistä Tampereelle (Hervanta) ensi kuun alussa. Saanko laajakaistan "
            "mukaan?\n\nTerveisin {full}"),
          a("Hei {first},\n\nUudessa osoitteessasi on valokuitu, johon voimme toimittaa liittymän. Haluatko, että "
            "siirrämme laajakaistan ensi kuun alusta alkaen? Vanha osoite irtisanotaan samalla.\n\nTerveisin\n{agent}"),
          subject="Laajakaistan muutto", ending="pending"),
    convo(FI, "router-red", "whatsapp", "private", "complaint", "broadband router",
          c("Reititin vilkkuu punaisena eikä netti toimi. Kokeiltu jo sammuttaa ja käynnistää"),
          c("tältä näyttää", img("reititin.jpg", 1_612_092)),
          a("Hei {first}! Punainen vilkku tarkoittaa, että reititin ei saa yhteyttä kuituun. Voisitko tarkistaa, että "
            "kuitukaapeli on kunnolla kiinni seinärasiassa? t. {agent}"),
          c("oli löysällä, nyt toimii 😅"),
          a("Hienoa! Mukavaa päivänjatkoa! t. {agent}")),
    convo(FI, "5g-oulu", "instagram", "public", "question", "coverage 5g",
          c("koska tulee 5G Ouluun? 👀"),
          a("Hei! Oulun keskustassa 5G on jo käytössä, ja laajennamme Kaakkuriin ja Linnanmaalle kevään aikana 📶 "
            "/{agent}"),
          c("nice")),
    convo(FI, "praise-x", "x", "public", "praise", "praise",
          c("Pakko kehua @fjordnett asiakaspalvelua: chatissa vastattiin minuutissa ja ongelma ratkesi heti. "
            "Kiitos! 🙏"),
          a("Kiitos paljon kehuista! 😊 /{agent}"),
          priority=4),
    convo(FI, "review-complaint", "reviews", "public", "complaint", "installation",
          c("Asentaja ei tullut sovittuna päivänä, eikä kukaan ilmoittanut mitään. Otin töistä vapaata turhaan."),
          a("Hei {first}, pahoittelemme todella. Tämä ei ole sitä palvelua, jota haluamme tarjota. Olemme "
            "hyvittäneet seuraavasta laskusta 30 € ja sopineet uuden ajan. Terveisin {agent}, Fjordnett"),
          subject="Asentaja ei tullut"),
    convo(FI, "review-praise", "reviews", "public", "praise", "praise",
          c("Vaihdoin Fjordnettiin ja olen ollut tyytyväinen. Netti on nopea ja hinta kohdillaan."),
          a("Kiitos {first}, mukava kuulla! 😊 Terveisin {agent}"),
          subject="Hyvä vaihto", priority=4),
    convo(FI, "oulu-drops", "x", "public", "complaint", "broadband",
          c("netti pätkii taas Oulussa koko illan @fjordnett 😤 mikä on?"),
          ending="new", hours=(19, 23)),
    convo(FI, "telegram-new", "telegram", "private", "question", "billing",
          c("moi, miks mun laskussa on 9,90 € \"palvelumaksu\"?"),
          ending="new"),
    convo(FI, "scam-sms", "facebook", "public", "question", "fraud",
          c("Tuli tekstiviesti \"Fjordnett: laskusi on erääntynyt, maksa linkistä\". Onko tää teiltä?"),
          a("Hei {first}! Ei ole meiltä, vaan huijaus. Älä klikkaa linkkiä, vaan poista viesti. Emme koskaan lähetä "
            "maksulinkkejä tekstiviestillä. Terveisin {agent}"),
          c("Kiitos, poistin")),
    convo(FI, "mokkula", "webchat", "private", "question", "broadband coverage",
          c("Tarvitsen nettiä mökille Kuusamoon. Toimiiko mokkula siellä?"),
          a("Hei! Kerrotko mökin osoitteen? Tarkistan kuuluvuuden. Terveisin {agent}"),
          c("Rukatunturintie, lähellä Rukaa"),
          a("Siellä on hyvä 4G ja 5G, joten mokkula tai 4G/5G-reititin toimii hyvin. Suosittelen reititintä, jos "
            "käyttäjiä on useampia. Terveisin {agent}"),
          c("kiitos, tilaan reitittimen")),
    convo(FI, "porting", "webchat", "private", "question", "porting",
          c("jos vaihdan teille niin saanko pitää numeron?"),
          a("Hei! Totta kai. Valitse tilauksessa «Säilytä numero», niin hoidamme siirron. Se kestää yleensä 1–3 "
            "arkipäivää. Terveisin {agent}"),
          c("ok kiitos")),
    convo(FI, "invoice-dispute", "email", "private", "complaint", "billing",
          c("Hei,\n\nLaskussani on 79 € maksu palauttamattomasta reitittimestä, vaikka palautin sen postissa "
            "viime kuussa.\n\nTerveisin {full}"),
          a("Hei {first},\n\nPahoittelut! Voisitko lähettää kuvan postin kuitista tai lähetystunnuksen, niin "
            "selvitämme asian?\n\nTerveisin {agent}"),
          c("Kuitti on hävinnyt, mutta palautin sen Kampin postiin viime kuun puolivälissä. Ei kai se ole minun "
            "vikani, jos te ette "
            "löydä sitä?"),
          subject="Maksu reitittimestä", ending="open"),
    convo(FI, "technician", "facebook", "private", "complaint", "broadband technician",
          c("Hei, kuitu ei ole toiminut kahteen päivään Jyväskylässä. Mitä tehdään?"),
          a("Hei {first}, pahoittelut! Näen vian kuituyhteydessä taloonne. Varasin asentajan {workday+2} klo 8–12, "
            "ja olet saanut 50 Gt lisädataa mobiililiittymääsi siksi aikaa. Käykö aika? Terveisin {agent}"),
          c("Käy"),
          a("Hienoa, asentaja soittaa puoli tuntia ennen tuloaan. Terveisin {agent}"),
          ending="on_hold", priority=2),
    convo(FI, "tv-app", "instagram", "private", "question", "tv app",
          c("hei, toimiiks teidän tv-sovellus chromecastilla?"),
          a("Hei! Toimii 📺 Paina sovelluksessa oikean yläkulman Cast-kuvaketta. t. {agent}"),
          c("kiitti")),
    convo(FI, "data-ran-out", "whatsapp", "private", "complaint", "mobile",
          c("miksi mun data on jo loppu? kuu on vasta puolessa välissä"),
          a("Hei {first}! Liittymässäsi on 10 Gt, ja siitä on kulunut suurin osa videoiden katseluun. Vaihdetaanko "
            "rajattomaan (29,90 €/kk)? Muutos tulee voimaan heti. t. {agent}"),
          ending="pending"),
    convo(FI, "child-plan", "email", "private", "question", "mobile",
          c("Hei,\n\nPoikani aloittaa koulun ja saa ensimmäisen puhelimensa. Millainen liittymä olisi hyvä, ettei "
            "hän voi tehdä ostoksia?\n\nTerveisin {full}"),
          a("Hei {first},\n\nFjordnett Lapsi (9,90 €/kk) sopii hyvin: 5 Gt dataa, lisäpalvelut estetty valmiiksi ja "
            "näet käytön sovelluksesta. Liittymä on sinun nimissäsi, joten päätät itse kaikista muutoksista.\n\n"
            "Terveisin {agent}"),
          c("Kuulostaa hyvältä, kiitos!"),
          subject="Liittymä lapselle"),
    convo(FI, "estonia-roaming", "telegram", "private", "question", "roaming",
          c("toimiiko data Tallinnassa normaalisti?"),
          a("Hei! Toimii, Viro kuuluu EU-roamingiin, joten käytät liittymää kuten kotona 🙂 /{agent}"),
          c("👍")),
]
