"""Dutch names, places and companies for generated relations and administrations.

Only the lists and a few pickers live here, so that the generator reads as bookkeeping, not as string assembly.
"""

from __future__ import annotations

import random

FIRST_NAMES = (
    "Jan",
    "Piet",
    "Kees",
    "Henk",
    "Sanne",
    "Lotte",
    "Emma",
    "Daan",
    "Sem",
    "Fleur",
    "Anouk",
    "Bram",
    "Ruben",
    "Iris",
    "Jeroen",
    "Marieke",
    "Willem",
    "Femke",
    "Thijs",
    "Noor",
    "Lars",
    "Eva",
    "Joost",
    "Ilse",
    "Maarten",
    "Esther",
    "Bas",
    "Roos",
    "Sven",
    "Yara",
    "Mohammed",
    "Fatima",
    "Priya",
    "Jesse",
    "Tess",
    "Niels",
)
LAST_NAMES = (
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van der Linden",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "van den Heuvel",
    "van der Veen",
    "van den Broek",
    "de Bruijn",
    "Schouten",
    "El Amrani",
    "Öztürk",
)
CITIES = (
    ("Amsterdam", "1012"),
    ("Rotterdam", "3011"),
    ("Den Haag", "2511"),
    ("Utrecht", "3511"),
    ("Eindhoven", "5611"),
    ("Groningen", "9711"),
    ("Tilburg", "5038"),
    ("Almere", "1315"),
    ("Breda", "4811"),
    ("Nijmegen", "6511"),
    ("Apeldoorn", "7311"),
    ("Haarlem", "2011"),
    ("Arnhem", "6811"),
    ("Enschede", "7511"),
    ("Amersfoort", "3811"),
    ("Zaandam", "1501"),
    ("'s-Hertogenbosch", "5211"),
    ("Zwolle", "8011"),
    ("Leiden", "2311"),
    ("Maastricht", "6211"),
    ("Dordrecht", "3311"),
    ("Deventer", "7411"),
    ("Delft", "2611"),
    ("Leeuwarden", "8911"),
    ("Alkmaar", "1811"),
    ("Hengelo", "7551"),
    ("Gouda", "2801"),
    ("Sneek", "8601"),
)
STREETS = (
    "Kerkstraat",
    "Dorpsstraat",
    "Schoolstraat",
    "Molenweg",
    "Stationsweg",
    "Nieuwstraat",
    "Hoofdstraat",
    "Julianastraat",
    "Beatrixlaan",
    "Wilhelminastraat",
    "Prinsengracht",
    "Industrieweg",
    "Marktplein",
    "Kastanjelaan",
    "Lindelaan",
    "Havenkade",
    "Parallelweg",
    "Zuiderzeestraatweg",
)
COMPANY_WORDS = (
    "Bouw",
    "Techniek",
    "Installatie",
    "Advies",
    "Design",
    "Media",
    "Logistiek",
    "Transport",
    "Schilders",
    "Hoveniers",
    "Administratie",
    "ICT",
    "Automatisering",
    "Catering",
    "Bakkerij",
    "Drukkerij",
    "Metaal",
    "Elektro",
    "Dakwerken",
    "Fietsen",
    "Kapsalon",
    "Fysiotherapie",
    "Vastgoed",
    "Groothandel",
    "Verhuur",
)
COMPANY_PREFIXES = ("", "", "Van", "De", "Het", "Noord", "Zuid", "Oost", "West", "Groen", "Blauw", "Holland")
COMPANY_SUFFIXES = ("B.V.", "B.V.", "V.O.F.", "", "Holding B.V.", "& Zn.", "Groep", "Nederland B.V.")
BANKS = (
    ("RABO", "RABONL2U"),
    ("INGB", "INGBNL2A"),
    ("ABNA", "ABNANL2A"),
    ("SNSB", "SNSBNL2A"),
    ("TRIO", "TRIONL2U"),
    ("BUNQ", "BUNQNL2A"),
    ("ASNB", "ASNBNL21"),
)


def person_name(rng: random.Random) -> tuple[str, str]:
    """A (first name, last name) pair."""
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def company_name(rng: random.Random) -> str:
    """A plausible Dutch company name."""
    pattern = rng.randrange(4)
    word = rng.choice(COMPANY_WORDS)
    suffix = rng.choice(COMPANY_SUFFIXES)
    if pattern == 0:
        base = f"{rng.choice(LAST_NAMES).split(' ')[-1]} {word}"
    elif pattern == 1:
        prefix = rng.choice(COMPANY_PREFIXES)
        base = f"{prefix} {word}".strip()
    elif pattern == 2:
        base = f"{word}bedrijf {rng.choice(LAST_NAMES)}"
    else:
        base = f"{rng.choice(CITIES)[0]} {word}"
    return f"{base} {suffix}".strip()


def city(rng: random.Random) -> tuple[str, str]:
    """A (city, postal code) pair with a random postal-code suffix."""
    name, digits = rng.choice(CITIES)
    return name, f"{digits} {chr(65 + rng.randrange(26))}{chr(65 + rng.randrange(26))}"


def street_address(rng: random.Random) -> str:
    return f"{rng.choice(STREETS)} {rng.randint(1, 240)}"


# Places just across the border, with the country as a Dutch bookkeeper writes it.
FOREIGN_PLACES = (
    ("Antwerpen", "2000", "België", "Meir"),
    ("Gent", "9000", "België", "Veldstraat"),
    ("Hasselt", "3500", "België", "Hoogstraat"),
    ("Düsseldorf", "40213", "Duitsland", "Königsallee"),
    ("Aachen", "52062", "Duitsland", "Pontstraße"),
    ("Münster", "48143", "Duitsland", "Ludgeristraße"),
)


def foreign_address(rng: random.Random) -> tuple[str, str, str, str]:
    """A (street and number, postal code, city, country) in Belgium or Germany."""
    city_name, postal_code, country, street = rng.choice(FOREIGN_PLACES)
    return f"{street} {rng.randint(1, 120)}", postal_code, city_name, country


def iban(rng: random.Random) -> tuple[str, str]:
    """A Dutch IBAN with a valid mod-97 check and its BIC."""
    bank, bic = rng.choice(BANKS)
    account = f"{rng.randrange(10**10):010d}"
    # Check digits: move country and "00" to the end, letters to numbers, 98 minus the remainder.
    numeric = "".join(str(int(ch, 36)) for ch in f"{bank}{account}NL00")
    check = 98 - int(numeric) % 97
    return f"NL{check:02d}{bank}{account}", bic
