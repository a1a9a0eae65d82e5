"""English conversations: people who moved to the Nordics or the Netherlands, students, visitors.

Why: every Nordic telecom answers English every day, and these customers have problems of their own (no BankID or
national ID number yet, invoices in a language they cannot read, calling home). ``market`` says which country each
writer lives in, so the reply comes from an agent who knows that country.
"""

from __future__ import annotations

from webcare.demo.content.base import Convo, Lang, a, c, convo, pdf

EN: Lang = "en"

CONVERSATIONS: list[Convo] = [
    convo(EN, "no-bankid", "webchat", "private", "question", "signup",
          c("Hi, I just moved to Oslo for work and don't have BankID yet, only a D-number. Can I still get a phone "
            "plan with you?"),
          a("Hi {first}, welcome to Norway! Yes, you can. Visit one of our stores with your passport and your "
            "D-number letter, and we'll set you up on the spot. Until you have BankID, you'll get invoices by "
            "e-mail instead of eFaktura. Best, {agent}"),
          c("Perfect, thanks. Is the store at Oslo S open on Sundays?"),
          a("It is: 12–18 on Sundays. See you there! Best, {agent}"),
          c("great 👍"),
          market="no"),
    convo(EN, "tourist-sim", "x", "public", "question", "prepaid",
          c("Visiting Norway for 10 days in {month+1}. Does @fjordnett sell prepaid SIMs for tourists? Where do I get "
            "one at OSL?"),
          a("Hi! Yes, our Prepaid Travel SIM (299 kr, 30 GB for 30 days) is sold at Narvesen in the arrivals hall. "
            "Or get an eSIM online before you land. Enjoy the trip! ^{agent}"),
          c("eSIM it is, thanks!"),
          market="no"),
    convo(EN, "english-support", "facebook", "private", "question", "language",
          c("Hello, sorry, my Norwegian is still very basic. Can I get help in English?"),
          a("Hi {first}, of course, no need to apologise! What can we help you with? – {agent}"),
          c("I want to add my wife to my plan as a second number. We live in Stavanger."),
          a("Easy! I've sent a link to your e-mail where you can add a family member. She'll get 20% off, and the "
            "SIM card arrives in 1–2 working days. – {agent}"),
          c("Done. Thank you so much!"),
          market="no"),
    convo(EN, "norwegian-invoice", "email", "private", "question", "billing invoice",
          c("Hi,\n\nI received my first invoice but it's all in Norwegian. What are \"Etableringsgebyr\" and "
            "\"Forskuddsvis\"? And can I get future invoices in English?\n\nThanks,\n{first}",
            pdf("faktura_88412207.pdf", 90_441)),
          a("Hi {first},\n\n\"Etableringsgebyr\" is the one-time setup fee for your broadband (299 kr, only on this "
            "invoice). \"Forskuddsvis\" means \"in advance\": we charge the coming month upfront.\n\nI've switched "
            "your invoice language to English, so the next one will be in English.\n\nKind regards,\n{agent}\n"
            "Fjordnett Customer Service"),
          c("That's really helpful, thank you!"),
          subject="Invoice in Norwegian", market="no"),
    convo(EN, "us-roaming-nl", "whatsapp", "private", "question", "roaming",
          c("Hey, flying to Chicago next week for work. What does data cost there on my plan?"),
          a("Hi {first}! The US isn't covered by EU roaming, so the Travel Bundle World applies: € 7.50 per day for "
            "1 GB plus calls home. It starts automatically the first time you use data there. Safe travels! "
            "Groet, {agent}"),
          c("Cheers"),
          market="nl"),
    convo(EN, "wfh-amsterdam", "email", "private", "question", "broadband",
          c("Hello,\n\nI work from home (video calls all day) in Amsterdam Oost. Is your 1 Gbit fibre available "
            "at my address, and is there a business-grade option with a fixed IP?\n\nBest regards,\n{full}"),
          a("Hello {first},\n\nYes, your address has fibre, and 1 Gbit is available. A fixed IPv4 address is € 5 per "
            "month on top of any plan, no business contract needed. Shall I send you an offer?\n\n"
            "Kind regards,\n{agent}"),
          subject="Fibre + fixed IP in Amsterdam", ending="pending", market="nl"),
    convo(EN, "new-flat-oslo", "webchat", "private", "question", "broadband moving",
          c("hi, moving into a flat in Grünerløkka on the 1st. how fast can I get internet?"),
          a("Hi! If the building already has our fibre, we can activate it within 1–2 working days. What's the "
            "address? Best, {agent}"),
          c("Thorvald Meyers gate 54, flat H0302"),
          a("Good news, the building has our fibre. Order today and it'll be ready on the 1st. The router comes by "
            "post. Best, {agent}"),
          c("ordering now, thanks!"),
          market="no"),
    convo(EN, "nat-strict", "telegram", "private", "question", "broadband router",
          c("PS5 says NAT type strict, can't join my friends' parties. Can you help?"),
          a("Hi! Your connection is on a shared IP (CGNAT), which often causes this. I've switched you to a public IP "
            "free of charge. Restart the router in about an hour and check again. – {agent}"),
          c("NAT type 2 now 🎮 legend"),
          market="no"),
    convo(EN, "parents-esim", "instagram", "private", "question", "esim prepaid",
          c("hi! my parents are visiting from Canada for 3 weeks. can they get an esim from you?"),
          a("Hi! Yes, the Travel eSIM (299 kr, 30 GB, 30 days) can be bought on our website and installed with a QR "
            "code before they fly 🇨🇦✈️ – {agent}"),
          c("amazing, thanks!"),
          market="no"),
    convo(EN, "review-cancel-fee", "reviews", "public", "complaint", "cancellation",
          c("Nobody told me about the 12-month lock-in when I signed up in the store, and everything I was given "
            "was in Norwegian. Now they want 2,000 kr to cancel. Feels like they take advantage of foreigners."),
          a("Hi {first}, we're sorry you feel that way, and you have a point: you should have been given the terms "
            "in English. We've waived the cancellation fee and sent you a confirmation by e-mail. – {agent}, "
            "Fjordnett"),
          subject="Hidden lock-in", market="no"),
    convo(EN, "review-english", "reviews", "public", "praise", "praise",
          c("As an expat, it's great to get support in proper English on chat. Quick, friendly, solved my router "
            "issue in 10 minutes."),
          a("Thank you, {first}! We're happy to help in English any time 😊 – {agent}"),
          subject="Great English support", priority=4, market="no"),
    convo(EN, "down-copenhagen", "x", "public", "complaint", "broadband",
          c("Is @fjordnett down in Copenhagen? No internet in Nørrebro for the last 30 min"),
          ending="new", market="dk"),
    convo(EN, "chat-new", "webchat", "private", "question", "billing",
          c("Hi, I was charged twice this month, once by card and once by direct debit. Can someone check?"),
          ending="new", market="no"),
    convo(EN, "phishing", "x", "public", "question", "fraud",
          c("@fjordnett got a text saying my account will be suspended unless I \"verify\" at fjordnett-secure.net. "
            "Legit?"),
          a("Hi! No, that's a scam. Please don't click, just delete it. We never ask you to verify your account via "
            "a link in a text. ^{agent}"),
          c("thought so, thanks"),
          market="no"),
    convo(EN, "stockholm-move", "whatsapp", "private", "question", "moving broadband",
          c("Hi! I'm moving from Uppsala to Stockholm (Södermalm) in {month+2}. Can I keep my broadband?"),
          a("Hi {first}! Your new address has fibre we can deliver to. Do you want me to move it on 1 {month+2}? "
            "Best, {agent}"),
          ending="pending", market="se"),
    convo(EN, "bill-dispute", "email", "private", "complaint", "billing",
          c("Hello,\n\nMy bill says 1,240 kr but my plan is 499 kr. There's a line \"Utland sone 3\" for 741 kr. I was "
            "in Serbia for a wedding. Nobody warned me.\n\nRegards,\n{full}"),
          a("Hello {first},\n\nSerbia is outside the EU/EEA, so data there is charged per MB. You should have "
            "received a text message when you arrived, and when you reached 500 kr. I can see both were sent. Out "
            "of goodwill I've refunded half, 370 kr.\n\nKind regards,\n{agent}"),
          c("I never got those texts. I want the whole amount refunded. I'm not paying for a warning I never "
            "received."),
          subject="Unexpected roaming charge", ending="open", market="no",
          notes=["SMS-varsel sendt ved ankomst og ved 500 kr ifølge loggen. Leveringsstatus ukjent (roamingpartner)."]),
    convo(EN, "technician-stavanger", "facebook", "private", "complaint", "broadband technician",
          c("Hi, our fibre has been down for three days in Hinna, Stavanger. Restarted everything. Still nothing."),
          a("Hi {first}, so sorry about this. There's a fault on the fibre into your building, and I've booked a "
            "technician for {workday+2} 08–12. I've added 50 GB of mobile data in the meantime. Does {workday+2} work? "
            "– {agent}"),
          c("{workday+2} is fine"),
          a("Great, the technician will call 30 minutes before arriving. – {agent}"),
          ending="on_hold", priority=2, market="no"),
    convo(EN, "student-trondheim", "instagram", "private", "question", "mobile price",
          c("Hi, I'm an international student at NTNU. What's your cheapest plan with a lot of data?"),
          a("Hi! Welcome to Trondheim 🎓 With Ung (under 30) you get 30 GB for 299 kr/month, and unused data rolls "
            "over. You can sign up in the store at Solsiden with your passport. – {agent}"),
          c("perfect, thank you!"),
          market="no", origin="in"),
    convo(EN, "website-english", "x", "public", "complaint", "website",
          c("@fjordnett your English website switches back to Norwegian halfway through checkout. Had to use Google "
            "Translate to order 🙃"),
          a("Oops, sorry about that, and thanks for telling us! We've passed it on to the web team. ^{agent}"),
          market="no"),
    convo(EN, "calls-poland", "whatsapp", "private", "question", "mobile",
          c("hello, I work in Bergen and call my family in Poland every day. what is best plan for this?"),
          a("Hi {first}! Fri data includes calls to all EU countries, Poland too, so you pay nothing extra. With "
            "Mobil 5 GB it's 1.49 kr per minute. Would you like to switch to Fri data? – {agent}"),
          c("yes please"),
          a("Done! It applies from today. Your family will be happy 😊 – {agent}"),
          market="no", origin="pl"),
    convo(EN, "refugee-no-id", "webchat", "private", "question", "signup",
          c("Hello. I came from Ukraine two months ago. I have no Norwegian ID number yet, only the papers from UDI. "
            "Can I get a phone number?"),
          a("Hello {first}, welcome to Norway. Yes, you can get a prepaid SIM with your UDI papers in any of our "
            "stores, and calls to Ukraine are included in it. If you need help in the store, just show them this "
            "chat. Best regards, {agent}"),
          c("Thank you very much. This is very good."),
          market="no", origin="ua"),
    convo(EN, "dubai-roaming", "email", "private", "question", "roaming",
          c("Hi,\n\nI travel to Dubai for work next month (5 days). What's the best option for data?\n\n"
            "Thanks,\n{full}"),
          a("Hi {first},\n\nFor the UAE, I'd recommend the 7-day Travel Bundle: 5 GB for 349 kr. You can buy it "
            "in the app under \"Abroad\" before you leave, and it starts when you land. Without it, data is charged "
            "per MB there, which gets expensive fast.\n\nBest regards,\n{agent}"),
          subject="Data in Dubai", market="se"),
    convo(EN, "dutch-invoice", "webchat", "private", "question", "billing invoice",
          c("hi, what does \"eenmalige kosten\" mean on my invoice?"),
          a("Hi! It means \"one-time costs\", in your case the € 25 connection fee for the new fibre line. It only "
            "appears on this first invoice. Groetjes, {agent}"),
          c("got it, thanks"),
          market="nl"),
    convo(EN, "finland-english", "telegram", "private", "question", "billing language",
          c("can i get my invoices in english? living in Espoo and my finnish is... not there yet 😅"),
          a("Hi! Sure, I've set your invoice language to English from the next invoice. Terveisin, {agent}"),
          c("kiitos! (I know that one)"),
          market="fi"),
    convo(EN, "review-slow-fix", "reviews", "public", "complaint", "broadband",
          c("Internet down for 5 days in Oslo. Support was polite but nobody could tell me when it would be fixed."),
          a("Hi {first}, sorry for the long outage and for the lack of clear answers. A damaged cable took longer to "
            "repair than planned. You'll get a full month's credit on your next invoice. – {agent}, Fjordnett"),
          subject="Slow fix", market="no"),
    convo(EN, "ipad-esim", "facebook", "public", "question", "esim",
          c("Does Fjordnett support eSIM on iPad? Want a data SIM for the kids' iPad for the car"),
          a("Hi {first}! Yes, our Data SIM works as eSIM on iPads with cellular. You can order it in the app, and it "
            "shares data with your own plan. – {agent}"),
          c("sweet, thanks"),
          market="no"),
    convo(EN, "praise-x", "x", "public", "praise", "praise",
          c("Moved to Norway 3 months ago and @fjordnett is honestly the easiest company I've dealt with here. "
            "English support, no drama 🙌"),
          a("That's lovely to hear, welcome to Norway! 🇳🇴 ^{agent}"),
          priority=4, market="no"),
    convo(EN, "ferry-coverage", "x", "public", "question", "coverage roaming maritime",
          c("Taking the Hurtigruten from Bergen to Kirkenes next week. Will my @fjordnett plan work on board?"),
          a("Hi! Along the coast you'll mostly be on our regular network, so it works as normal. Out at sea the ship "
            "may switch to satellite, which is expensive: turn off data roaming to be safe. Enjoy the trip! ^{agent}"),
          c("Great tip, thanks!"),
          market="no"),
    convo(EN, "router-login", "webchat", "private", "question", "broadband router",
          c("what's the admin password for the router? the one on the sticker doesn't work"),
          a("Hi! If it has been changed, you can reset it: hold the reset button on the back for 10 seconds. Note "
            "that this also resets your Wi-Fi name and password to the ones on the sticker. Best, {agent}"),
          c("ok that worked"),
          market="no"),
]
