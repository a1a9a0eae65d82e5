"""Customer names per country, for the demo's invented customers.

Why: a newcomer should see people who plausibly live where they write from (a Bergen customer writing nynorsk has a
west-coast name, a Dutch customer a Dutch one), and English-writing customers are mostly people who moved to the
Nordics or the Netherlands. The first names of Fjordnett's agents are left out, so a reply's greeting and signature
can never be mistaken for each other.
"""

from __future__ import annotations

from webcare.demo.content.base import Lang

#: Pool name -> (first names, last names).
POOLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "no": (
        (
            "Sigrid", "Ingvild", "Marius", "Eirik", "Ole", "Hanne", "Trine", "Bjørn", "Knut", "Astrid", "Nora",
            "Emma", "Jakob", "Filip", "Maja", "Mathias", "Sondre", "Vegard", "Anette", "Camilla", "Ragnhild",
            "Torstein", "Kjetil", "Gunnar", "Liv", "Randi", "Per", "Arne", "Solveig", "Håkon", "Magnus", "Ida",
            "Thea", "Tiril", "Andreas", "Kristoffer", "Martine", "Mona", "Geir", "Stian", "Frode", "Hilde",
            "Elisabeth", "Øyvind", "Aslak", "Ahmed", "Fatima", "Anders", "Linnea", "Oda", "Even", "Sander", "Terje",
            "Rune", "Turid", "Berit", "Grete", "Amira", "Yusuf", "Siri", "Vilde", "Petter", "Espen", "Marit",
            "Tone", "Hassan", "Ylva", "Benedikte", "Lise", "Roar", "Kenneth", "Agnes", "Simen", "Jørgen",
        ),
        (
            "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Karlsen", "Haugen", "Berg",
            "Hagen", "Johnsen", "Jensen", "Dahl", "Lunde", "Moen", "Halvorsen", "Bakken", "Solberg", "Eide", "Ruud",
            "Aune", "Tangen", "Kvam", "Brekke", "Sæther", "Nygård", "Løken", "Birkeland", "Rønning", "Hovland",
            "Aasen", "Fossum", "Amundsen", "Lund", "Iversen", "Ali", "Hussain", "Nguyen", "Khan", "Sandvik",
            "Mathisen", "Ødegård", "Engen", "Foss", "Wold", "Skogen", "Thorsen", "Bråthen", "Granli",
        ),
    ),
    "nn": (
        (
            "Eirik", "Solveig", "Synnøve", "Torbjørn", "Ragnhild", "Sindre", "Vetle", "Åsmund", "Gunnhild",
            "Ingebjørg", "Olav", "Halldis", "Kjartan", "Brynjar", "Marta", "Ane", "Jorunn", "Oddvar", "Sigve",
            "Trond", "Eldrid", "Magne", "Hallvard", "Torunn", "Ivar", "Sunniva", "Ådne", "Helga", "Leiv", "Brita",
        ),
        (
            "Tveit", "Hjelmeland", "Vik", "Aarskog", "Førde", "Sunde", "Nesheim", "Bjørkhaug", "Rong", "Haukeland",
            "Kvåle", "Lothe", "Sandal", "Midtbø", "Hauge", "Gjerde", "Eikeland", "Tysse", "Skeie", "Hollund",
            "Thue", "Ljones", "Utne", "Hovden", "Brakstad", "Fimreite", "Lægreid", "Seim", "Natvig", "Aase",
        ),
    ),
    "dk": (
        (
            "Mads", "Frederikke", "Sofie", "Jens", "Camilla", "Anne", "Mikkel", "Søren", "Lone", "Bente", "Kasper",
            "Nikolaj", "Ida", "Freja", "Line", "Jesper", "Pia", "Malene", "Christian", "Laura", "Asger", "Karina",
            "Tobias", "Signe", "Birgitte", "Morten", "Helle", "Jonas", "Sara", "Rikke", "Thomas", "Dorthe",
            "Anders", "Louise", "Niels", "Marianne", "Oliver", "Ahmad", "Esben", "Kirsten",
        ),
        (
            "Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen",
            "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Poulsen", "Johansen", "Møller",
            "Mortensen", "Frandsen", "Lauridsen", "Bech", "Dam", "Holst", "Skov", "Juhl", "Bak", "Kjeldsen",
            "Østergaard", "Lind", "Friis", "Brandt",
        ),
    ),
    "se": (
        (
            "Erik", "Anna", "Karin", "Oskar", "Ebba", "Wilma", "Linnea", "Maja", "Anders", "Per", "Björn", "Sara",
            "Elsa", "Hugo", "Viktor", "Gustav", "Emma", "Ulla", "Lena", "Mats", "Fredrik", "Kerstin", "Agnes",
            "Axel", "Alva", "Malin", "Sofia", "Jenny", "Pontus", "Birgitta", "Ingemar", "Tove", "Samir", "Leila",
            "Nils", "Klara", "Ludvig", "Moa", "Göran", "Annika",
        ),
        (
            "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
            "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindberg", "Lindström", "Bergström", "Holmgren",
            "Sjöberg", "Wallin", "Ek", "Forsberg", "Engström", "Hedlund", "Åberg", "Nyström", "Lundqvist",
            "Sandberg", "Björk", "Hassan", "Falk", "Norén",
        ),
    ),
    "fi": (
        (
            "Juha", "Jussi", "Antti", "Laura", "Sanna", "Heikki", "Timo", "Päivi", "Riikka", "Eero", "Ville",
            "Veera", "Iida", "Elina", "Tuomas", "Kaisa", "Marjatta", "Pekka", "Minna", "Outi", "Joonas", "Niko",
            "Aleksi", "Hanna", "Satu", "Kari-Pekka", "Tiina", "Jani", "Emmi", "Aleksanteri", "Seppo", "Pirjo",
            "Lotta", "Anni",
        ),
        (
            "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Heikkinen", "Koskinen", "Järvinen",
            "Lehtonen", "Lehtinen", "Saarinen", "Salminen", "Heinonen", "Niemi", "Kinnunen", "Turunen", "Salo",
            "Tuominen", "Rantanen", "Lindholm", "Karjalainen", "Jokinen", "Hiltunen", "Peltonen", "Räsänen",
            "Laaksonen", "Ojala", "Manninen",
        ),
    ),
    "nl": (
        (
            "Jeroen", "Lotte", "Bram", "Fleur", "Thijs", "Anouk", "Joost", "Maaike", "Sem", "Lieke", "Ruud", "Mark",
            "Kees", "Femke", "Niels", "Marloes", "Bas", "Sophie", "Ilse", "Wouter", "Esther", "Mohamed", "Yasmine",
            "Jan", "Henk", "Tess", "Luuk", "Noor", "Gerrit", "Annemieke", "Stijn", "Iris", "Koen", "Willemijn",
            "Fatima", "Robin", "Mirjam", "Jesse",
        ),
        (
            "de Jong", "Jansen", "van den Berg", "van Dijk", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
            "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit",
            "Dijkstra", "Smits", "de Graaf", "van der Meer", "Kok", "Postma", "El Amrani", "Yılmaz", "Verhoeven",
            "van Beek", "Koster", "Prins", "Kuipers", "Hoekstra",
        ),
    ),
    # English-writing customers: people who moved here (or visit) from elsewhere, one pool per origin so that first
    # and last names fit together.
    "intl-anglo": (
        ("James", "Emily", "Daniel", "Michael", "Sarah", "Chloe", "Liam", "Ben", "Hannah", "Sean", "Rachel",
         "Oliver", "Fiona", "Patrick", "Megan", "Ryan", "Kate", "Gavin", "Laura", "Craig"),
        ("Smith", "Walker", "O'Brien", "Murphy", "Wright", "Taylor", "Brown", "Evans", "Hughes", "Reid", "Bennett",
         "Clarke", "Doyle", "Campbell", "Fletcher", "McKenna"),
    ),
    "intl-pl": (
        ("Tomasz", "Katarzyna", "Marek", "Agnieszka", "Piotr", "Magdalena", "Krzysztof", "Ewa", "Paweł", "Joanna"),
        ("Nowak", "Wójcik", "Kowalczyk", "Mazur", "Krawczyk", "Zając", "Król", "Wieczorek"),
    ),
    "intl-ua": (
        ("Olena", "Dmytro", "Oksana", "Andrii", "Iryna", "Serhii", "Yulia", "Taras"),
        ("Shevchenko", "Bondarenko", "Kovalenko", "Tkachenko", "Kravchenko", "Melnyk", "Boyko", "Savchenko"),
    ),
    "intl-in": (
        ("Priya", "Raj", "Arjun", "Ananya", "Rahul", "Deepa", "Vikram", "Sneha"),
        ("Nair", "Patel", "Sharma", "Iyer", "Reddy", "Gupta", "Menon", "Rao"),
    ),
    "intl-es": (
        ("Carlos", "Lucía", "Diego", "Ana", "Javier", "Marta", "Pablo", "Elena"),
        ("García", "Fernández", "López", "Martínez", "Sánchez", "Romero", "Torres", "Ruiz"),
    ),
    "intl-it": (
        ("Giulia", "Marco", "Francesca", "Luca", "Chiara", "Matteo", "Alessandro", "Federica"),
        ("Rossi", "Bianchi", "Romano", "Colombo", "Ricci", "Greco", "Conti", "Marino"),
    ),
    "intl-br": (
        ("Gabriel", "Beatriz", "Rafael", "Camila", "Lucas", "Mariana"),
        ("Silva", "Costa", "Santos", "Oliveira", "Pereira", "Almeida"),
    ),
    "intl-gh": (
        ("Kwame", "Ama", "Kofi", "Akosua", "Yaw", "Abena"),
        ("Mensah", "Boateng", "Owusu", "Asante", "Appiah"),
    ),
    "intl-cn": (
        ("Mei", "Wei", "Lin", "Jun", "Xiaoling", "Hao"),
        ("Chen", "Wang", "Zhang", "Liu", "Huang", "Zhou"),
    ),
    "intl-de": (
        ("Lukas", "Anna", "Felix", "Lena", "Maximilian", "Sophie", "Tobias", "Katrin"),
        ("Müller", "Schmidt", "Fischer", "Weber", "Becker", "Wagner", "Hoffmann"),
    ),
}


#: How often each origin turns up among English-writing customers when the conversation does not say.
INTL_ORIGINS: dict[str, float] = {
    "anglo": 4.0, "pl": 1.5, "ua": 1.0, "in": 1.5, "es": 1.0, "it": 1.0, "br": 0.7, "gh": 0.6, "cn": 0.7, "de": 1.0,
}


def pool_for(lang: Lang, market: str, origin: str | None = None) -> str:
    """Which name pool fits a customer writing ``lang`` from ``market`` (English writers: see ``origin``)."""
    if lang == "en":
        return f"intl-{origin or 'anglo'}"
    if lang == "nn":
        return "nn"
    if lang == "sv" and market == "fi":
        return "se"  # Finland-Swedes carry Swedish names as often as not
    return {"nb": "no", "da": "dk", "sv": "se", "fi": "fi", "nl": "nl"}[lang]
