"""Entity stage: gazetteer matching (a trie scan), pattern discovery (regex) and linking to canonical ids.

Documents are joined into one string per batch and searched once: one compiled trie scan (`_search`)
for every string any rule looks for, `str.extract_all` for the discovery regexes. Everything runs on UTF-8
*byte* offsets into that string (what both report) until the final mentions are chosen; then they
become 0-based, end-exclusive character offsets into their own document by subtracting the number of UTF-8
continuation bytes before them (a sorted search), so `text[start:end] == surface` for any script.
Context rules live in the gazetteer YAML and are applied as joins, not per-entity code.
"""

from __future__ import annotations

import functools
import itertools
import re
import string
import unicodedata
from collections import Counter

import numpy as np
import polars as pl
import pyarrow as pa
from numba import njit

from transforms.text import frame_schema
from warehouse.schemas import ENTITIES, ENTITY_TYPES, MENTIONS

METHOD_GAZETTEER = "gazetteer"
METHOD_PATTERN = "pattern"
# A discovered entity's name found without its cue, because the registry knows it (transforms/registry.py).
METHOD_REGISTRY = "registry"

# Confidence of a mention = the measured precision of the rule family that found it, on the devset of
# real news (../shared/devset, 40 documents): share of (document, entity) predictions that were right,
# smoothed as (right + 1) / (predictions + 2) because some families made only a few predictions there.
# Source: flows.evaluate.rule_precision (its docstring has the command), 2026-11-30 after the list,
# model-number and possessive rules, right/predictions: gazetteer 194/197 + context rules (requires_doc)
# 1/1, lexicon 16/16, organisation rules (suffix 18/18, cue 8/9, list 9/9), person rules (title,
# apposition, given name) 19/19, model rules 2/3, product rules (kind 1/1, organisation 6/6, model
# number 3/3, possessive 5/5, list 1/1), links 2/2. Families are pooled where a rule alone made too few
# predictions to measure.
# Re-measure and update when rules change; they are figures, not tuning knobs.
CONFIDENCE_GAZETTEER = 0.98  # (195 + 1) / (198 + 2)
_ORG_RULES, _PERSON_RULES, _PRODUCT_RULES = 0.95, 0.95, 0.94  # 36/38, 20/21, 17/18
RULE_CONFIDENCE = {
    "gazetteer": CONFIDENCE_GAZETTEER,
    "context": CONFIDENCE_GAZETTEER,
    "lexicon": 0.94,  # 17/18
    "model_size": 0.6,  # model rules: 3/5
    "model_maker_version": 0.6,
    "model_family": 0.6,
    "org_suffix": _ORG_RULES,
    "org_cue": _ORG_RULES,
    "org_head": _ORG_RULES,  # (no prediction on the devset, 2026-12-01: pooled with its family)
    "org_cue_pair": _ORG_RULES,
    "org_list": _ORG_RULES,
    "org_government": _ORG_RULES,
    "org_acronym": _ORG_RULES,
    # What only an organisation does, its name otherwise unknown (`_ORG_VERBS`: "Corbel employs 1,200
    # people"): no prediction on the devset (2026-12-01), whose organisations these verbs follow are all
    # known by other rules; below the cue rules' figure, and at the registry's trust threshold, until
    # measured on news with more unknown names.
    "org_verb": 0.9,
    "person_title": _PERSON_RULES,
    "person_said": _PERSON_RULES,
    "person_apposition": _PERSON_RULES,
    "person_given": _PERSON_RULES,
    "person_zh_title": _PERSON_RULES,
    "product_kind": _PRODUCT_RULES,
    "product_org": _PRODUCT_RULES,
    "product_code": _PRODUCT_RULES,
    "product_sibling": _PRODUCT_RULES,
    "product_possessive": _PRODUCT_RULES,
    "product_list": _PRODUCT_RULES,
    "link": 0.75,  # 3/4
    # Registry mentions (a name learnt in an earlier run, found bare): not measurable on the devset, whose
    # documents share almost no discovered names (26 registry mentions with all 81 discovered entities
    # registered, every one a (document, entity) pair a cue also found); set to the trust threshold
    # transforms.registry.MIN_CONFIDENCE. Re-measure on a corpus with recurring names.
    "registry": 0.9,
}

# Output columns are the warehouse's declared ones (warehouse/schemas.py), less the run_id the flow adds.
_MENTIONS_SCHEMA = frame_schema(MENTIONS)
_ENTITIES_SCHEMA = frame_schema(ENTITIES)
MENTION_COLUMNS = list(_MENTIONS_SCHEMA)
ENTITY_COLUMNS = list(_ENTITIES_SCHEMA)

_GAZETTEER_SCHEMA = {
    "entity_id": pl.String,
    "name": pl.String,
    "type": pl.String,
    "alias": pl.String,
    "alias_key": pl.String,
    "case_sensitive": pl.Boolean,
    "requires_doc": pl.List(pl.String),
    "unless_doc": pl.List(pl.String),
    "not_followed_by": pl.List(pl.String),
    "not_before_capitalized": pl.Boolean,
    "family": pl.Boolean,
    "family_prefix": pl.String,
    "check_left": pl.Boolean,
    "check_right": pl.Boolean,
    "initial_upper": pl.Boolean,
    "lexicon": pl.Boolean,
    # a place read only as a capitalised dateline ("BOSTON, Nov 3 (Reuters) -"): its name is a common word
    "dateline_only": pl.Boolean,
    "gazetteer_version": pl.String,
}

_RULE_KEYS = ("case_sensitive", "requires_doc", "unless_doc", "not_followed_by", "not_before_capitalized")


# ------------------------------------------------------------------------------------------- ids
def _slug(name: str) -> str:
    return re.sub(r"[\W_]+", "-", name.lower()).strip("-")


def entity_id(type_: str, name: str) -> str:
    """Stable id `<type>:<slug>`; the slug keeps letters of any script (CJK included), digits become
    themselves, every other run of characters becomes '-'."""
    return f"{type_.lower()}:{_slug(name)}"


def entity_id_expr(type_: pl.Expr, name: pl.Expr) -> pl.Expr:
    """`entity_id` as a polars expression (same result as the Python function)."""
    slug = name.str.to_lowercase().str.replace_all(r"[\W_]+", "-").str.strip_chars("-")
    return pl.concat_str([type_.str.to_lowercase(), pl.lit(":"), slug])


# ------------------------------------------------------------------------------------- gazetteer
def _default_case_sensitive(alias: str) -> bool:
    # Short forms and acronyms collide with ordinary words in other cases (US/us, MATH/math).
    letters = [c for c in alias if c.isalpha()]
    return len(alias) <= 3 or (len(letters) > 1 and all(c.isupper() for c in letters))


def _word_char(c: str) -> bool:
    return c.isascii() and c.isalnum()


def gazetteer_frame(entries: list[dict], version: str, lexicon: list[dict] | None = None) -> pl.DataFrame:
    """One row per surface form (the canonical name included) with its matching rules.

    `lexicon`: more entries in the same shape from maintained lexicons (warehouse.reference.load_lexicons:
    places, index companies). Their forms are case-sensitive, void before a capitalised word (part of a
    longer name) and yield to a gazetteer form with the same key; their mentions may be overridden by a
    discovered name they overlap (`lexicon` = True). A lexicon entry's `dateline_only: true` (a place
    whose name is a common word) matches only as a capitalised dateline ("BOSTON, Nov 3 (Reuters) -")."""
    rows: list[dict] = []
    # Every form the gazetteer has, lowercased -> its entry's (name, type): a lexicon entry that names a
    # known entity only adds its new forms to that entity ("美国" to United States).
    known = {
        str(a).lower(): (str(e["name"]), str(e["type"]))
        for e in entries
        for a in [e["name"], *(_alias_text(x) for x in e.get("aliases") or [])]
    }
    bare = _bare_names([*entries, *(lexicon or [])], known)
    extra = []
    for entry in lexicon or []:
        forms = [a for a in [entry["name"], *(entry.get("aliases") or [])] if a.lower() not in known]
        name, type_ = known.get(entry["name"].lower(), (entry["name"], entry["type"]))
        if forms:
            extra.append(
                {
                    "name": name,
                    "type": type_,
                    "aliases": [f for f in forms if f != name],
                    "case_sensitive": True,
                    # (an entry may say otherwise: a central bank's phrase is its whole name)
                    "not_before_capitalized": entry.get("not_before_capitalized", True),
                    "_lex": True,
                    "_known": entry["name"].lower() in known,
                    "dateline_only": bool(entry.get("dateline_only", False)),
                }
            )
    for entry in [*entries, *extra]:
        name, type_ = str(entry["name"]), str(entry["type"])
        if type_ not in ENTITY_TYPES:
            raise ValueError(f"gazetteer entity {name!r}: type {type_!r} not in {ENTITY_TYPES}")
        base = {k: entry[k] for k in _RULE_KEYS if k in entry}
        forms: list[dict] = [] if entry.get("_known") else [{"alias": name}]
        for alias in entry.get("aliases") or []:
            forms.append(dict(alias) if isinstance(alias, dict) else {"alias": alias})
        if type_ == "ORG" and name in bare and not entry.get("_known"):
            forms.append(
                {
                    "alias": bare[name],
                    "case_sensitive": True,
                    "requires_doc": [name],
                    "not_before_capitalized": True,
                }
            )
        for form in forms:
            alias = str(form["alias"])
            rules = {**base, **{k: form[k] for k in _RULE_KEYS if k in form}}
            rows.append(
                {
                    "entity_id": entity_id(type_, name),
                    "name": name,
                    "type": type_,
                    "alias": alias,
                    "alias_key": alias.lower(),
                    "case_sensitive": bool(rules.get("case_sensitive", _default_case_sensitive(alias))),
                    "requires_doc": [str(r) for r in rules.get("requires_doc") or []],
                    "unless_doc": [str(w) for w in rules.get("unless_doc") or []],
                    "not_followed_by": [str(w).lower() for w in rules.get("not_followed_by") or []],
                    "not_before_capitalized": bool(rules.get("not_before_capitalized", False)),
                    "family": bool(entry.get("family", False)),
                    # `family: true` makes the name a model-family prefix; a string names another prefix.
                    "family_prefix": (
                        (entry["family"] if isinstance(entry["family"], str) else name)
                        if entry.get("family")
                        else None
                    ),
                    # Word-boundary checks only make sense next to an ASCII letter/digit (not for 小米).
                    "check_left": _word_char(alias[0]),
                    "check_right": _word_char(alias[-1]),
                    # A form written with a capital never matches a lowercase word ("micron", "scale").
                    "initial_upper": alias[0].isupper(),
                    "lexicon": bool(entry.get("_lex", False)),
                    "dateline_only": bool(entry.get("dateline_only", False)),
                    "gazetteer_version": version,
                }
            )
    frame = pl.DataFrame(rows, schema=_GAZETTEER_SCHEMA) if rows else pl.DataFrame(schema=_GAZETTEER_SCHEMA)
    # polars lowercases like Python for these names, but use one implementation for both join sides.
    frame = frame.with_columns(pl.col("alias_key").str.to_lowercase())
    return frame.unique(subset=["entity_id", "alias"], keep="first", maintain_order=True)


def _bare_names(entries: list[dict], known: dict) -> dict[str, str]:
    """Canonical name -> the bare name it is called by after the full one ("Arm Holdings" -> "Arm"), for
    organisations named "<Word> <designator>" (`_BARE_TAILS`) whose bare word no entry has as a form.

    Those are the names left without their short form because it is an ordinary word (the lexicons
    drop "Target", "Align", "Arm": in news the word far more often than the company): a form only in a
    document that names the company in full (`requires_doc`), case-sensitive, and not before a
    capitalised word (part of another name). A bare word two such names share names neither."""
    forms = (f for e in entries for f in [e["name"], *(_alias_text(a) for a in e.get("aliases") or [])])
    taken = set(known) | {str(f).lower() for f in forms}
    found: dict[str, str] = {}
    for entry in entries:
        words = str(entry["name"]).split(" ")
        if str(entry["type"]) != "ORG" or len(words) != 2 or words[1] not in _BARE_TAILS:
            continue
        word = words[0]
        if len(word) >= 3 and word[0].isupper() and word.replace("-", "").isalpha():
            if word not in _STOPWORDS:
                found[str(entry["name"])] = word
    uses = Counter(found.values())
    return {name: w for name, w in found.items() if uses[w] == 1 and w.lower() not in taken}


def _alias_text(alias: str | dict) -> str:
    return str(alias["alias"]) if isinstance(alias, dict) else str(alias)


def entity_rows(gazetteer: pl.DataFrame, version: str) -> pl.DataFrame:
    """The entities table rows for the gazetteer: one per canonical entity. Entities known only from the
    lexicons (thousands of places and companies) are left out: they enter the table when mentioned,
    among `extract_mentions`' discovered entities."""
    return (
        gazetteer.filter(~pl.col("lexicon"))
        .select("entity_id", "name", "type")
        .unique(subset=["entity_id"], keep="first", maintain_order=True)
        .with_columns(pl.lit(METHOD_GAZETTEER).alias("method"), pl.lit(version).alias("gazetteer_version"))
        .pipe(_entity_frame)
    )


def _entity_frame(rows: pl.DataFrame) -> pl.DataFrame:
    """`rows` in the entities columns; the registry's (confidence, counts, first seen), which the load
    fills in across runs, as nulls."""
    return rows.with_columns(
        pl.lit(None, dtype).alias(c) for c, dtype in _ENTITIES_SCHEMA.items() if c not in rows.columns
    ).select(ENTITY_COLUMNS)


def registry_frame(registry: pl.DataFrame, version: str) -> pl.DataFrame:
    """Gazetteer rows (the shape of `gazetteer_frame`) for the registry's entities (entity_id, name,
    type: transforms.registry.recognisable): the canonical name as the one form, matched like a lexicon
    form (exact case, void before a capitalised word, a cued discovery may override it)."""
    name = pl.col("name")
    return (
        registry.select("entity_id", "name", "type")
        .with_columns(
            name.alias("alias"),
            name.str.to_lowercase().alias("alias_key"),
            pl.lit(True).alias("case_sensitive"),
            pl.lit([], pl.List(pl.String)).alias("requires_doc"),
            pl.lit([], pl.List(pl.String)).alias("unless_doc"),
            pl.lit([], pl.List(pl.String)).alias("not_followed_by"),
            pl.lit(True).alias("not_before_capitalized"),
            pl.lit(False).alias("family"),
            pl.lit(None, pl.String).alias("family_prefix"),
            name.str.contains(r"^[A-Za-z0-9]").alias("check_left"),
            name.str.contains(r"[A-Za-z0-9]$").alias("check_right"),
            name.str.contains(r"^\p{Lu}").alias("initial_upper"),
            pl.lit(True).alias("lexicon"),
            pl.lit(False).alias("dateline_only"),
            pl.lit(version).alias("gazetteer_version"),
        )
        .select(list(_GAZETTEER_SCHEMA))
        .cast(_GAZETTEER_SCHEMA)
    )


# ------------------------------------------------------------------------------- discovery rules
# Words that open a capitalised span without being part of a name (sentence starts, determiners).
_STOPWORDS = (
    "The A An This That These Those Its It Their Our Your His Her In On At For Of And But Or As By From With "
    "To After Before While When Where Why How What Meanwhile However Also Then Now Last Next New Both Only "
    "Chinese American European Japanese Korean Indian British German French Global Local Major Rival "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July "
    "August September October November December AI Big Tech US EU UK He She They We I You Shares Analysts "
    "Investors Sales Revenue Profit Some Many Most Other Such Its If Under Over Since Despite Among "
    # the rest of English's prepositions: a closed class, never the first word of a name
    "Inside Within Across Outside Behind Beyond Through Throughout During Against Toward Towards Into Onto "
    "Upon Without Via Amid Amidst Beside Besides Beneath Above Below Near Around About Until Unlike "
    "Following Including According Beginning Starting"
).split()
_STOP = "|".join(_STOPWORDS)
# Sentence openers stripped from the front of an organisation's name ("New" opens "New York Times").
_LEAD = "|".join(w for w in _STOPWORDS if w not in {"New", "Global", "Big", "Major", "Local", "Rival"})
_CAP = r"[A-Z][A-Za-z0-9&]*(?:-[A-Za-z0-9&]+)*"
# Unicode-aware name tokens ("Koç", "Zaharia", "Jean-Luc"), organisation tokens ("T-Mobile", "G42",
# "McDonald's") and the names they make.
# (a Korean given name's second syllable is written in lower case after its hyphen: "Park Ji-hoon")
_NAME_TOKEN = r"\p{Lu}\p{Ll}+(?:-\p{Lu}?\p{Ll}+)?"
_PERSON = rf"{_NAME_TOKEN}(?: {_NAME_TOKEN}){{1,2}}"
_ORG_TOKEN = r"\p{Lu}[\p{L}\p{N}&]*(?:-[\p{L}\p{N}]+)*"
# (two names joined by an ampersand are one firm's: "Baxter & Crane", "Larsen & Toubro")
_ORG = rf"{_ORG_TOKEN}(?: (?:& )?{_ORG_TOKEN}){{0,3}}"
# Legal forms after a company's name. Only the abbreviated ones take a period of their own ("Acme Corp.
# said"); after a written-out form ("... Acme Corporation.") a period is the sentence's full stop.
# "Co" is one only with its period ("Acme Co."; "Acme Co-founder" is no company's name).
# (Beyond the English ones, the forms of the markets whose companies English news names most: Australia's
# Pty, Malaysia's Bhd, Indonesia's Tbk, Italy's S.p.A., the Netherlands' B.V., Finland's Oyj, Norway's ASA,
# Sweden's AB, Germany's KGaA, Italy's Srl, the LLP of partnerships.)
# (And of the markets whose small companies' news names them by theirs: India's Pvt (Private Limited),
# Malaysia's Sdn Bhd, Denmark's A/S, Turkey's A.S., Spain's S.L., Romania's S.R.L., France's S.A.S., the
# Plc of Nigeria, Ghana and Ireland, Brazil's Ltda, Finland's Oy, Russia's and Kazakhstan's JSC/PJSC,
# Hungary's Kft and Zrt. Not Norway's "AS": a word of upper-case headlines.)
_LEGAL_ABBREV = (
    r"Inc|Corp|Co\.,? Ltd|Ltd|Pte|Pty|Bhd|Tbk|S\.A\.S|S\.A|N\.V|S\.p\.A|B\.V|Pvt|Sdn|A/S|A\.S|S\.R\.L|S\.L"
)
_LEGAL_WORD = (
    r"Corporation|Limited|LLC|LLP|PLC|plc|GmbH|KGaA|AG|SA|SpA|SE|NV|BV|KK|Oyj|ASA|AB|Srl|"
    r"Private Limited|Plc|Ltda|Oy|PJSC|JSC|Kft|Zrt"
)
_LEGAL_FORM = rf"(?:{_LEGAL_ABBREV}|{_LEGAL_WORD})(?-u:\b)\.?|Co\."
# Corporate designators: words that add no identity to the one name before them ("Acme Holdings" is
# Acme). A document that also writes the bare name calls the company by it (`_short_names`).
_DESIGNATOR = r"Group|Holdings|Systems|Technology|Technologies|Corporation"
# The word the field's start-ups put after their name ("Scale AI", "Figure AI"), dropped as a designator
# is once the document has named the company in full ("Figure's valuation"): `_link_forms`, `_BARE_TAILS`.
_START_UP_TAIL = "AI"
# The second word of a two-word known company name that a document drops once it has named the company
# in full ("Arm Holdings" ... "Arm's revenue"; "Target Corporation" ... "Target said"; "Figure AI" ...
# "Figure's valuation"), `_bare_names`: the designators, the short legal forms news writes without a
# full stop, and the start-ups' "AI".
_BARE_TAILS = frozenset(
    [
        *_DESIGNATOR.split("|"),
        *"Holding Corp Inc Company Limited Ltd plc PLC AG SE SA NV".split(),
        _START_UP_TAIL,
    ]
)
# Organisational words that end a name ("Thrive Capital", "Deutsche Bank", "Info-Tech Research Group").
_ORG_SUFFIX = (
    r"Technologies|Technology|Labs|Robotics|Holdings|Semiconductor|Semiconductors|Group|"
    r"Capital|Ventures|Partners|Bank|Analytics|Systems|Management|Motors|Electronics|Authority|"
    r"Board|Securities|Investments|Associates|Foundation|Institute|Research|Networks|Software|Computing|"
    r"Therapeutics|Energy|Industries|Financial|Insurance|Pharmaceuticals|Airlines|Telecom|Communications"
)
_MODEL_SUFFIX = (
    r"Turbo|Pro|Flash|Lite|Mini|mini|Nano|nano|Ultra|Max|Plus|Instruct|Chat|Coder|Preview|Opus|Sonnet|"
    r"Haiku|Maverick|Scout|Base|Vision|VL|Thinking|Reasoner|Omni|Large|Small|Medium|Air|Deep Research"
)
# Roles that introduce a person's name (before: "analyst Jane Roe") or follow it ("Jane Roe, a partner").
_ROLE = (
    r"CEO|CTO|CFO|COO|[Ff]ounder|[Cc]o-founder|[Cc]hairman|[Cc]hairwoman|[Pp]resident|[Vv]ice [Pp]resident|"
    r"[Cc]hief [Ee]xecutive(?: [Oo]fficer)?|[Cc]hief [A-Za-z]+ [Oo]fficer|[Cc]hief [Ss]cientist|"
    r"[Ss]cientist|[Rr]esearcher|[Aa]nalyst|[Pp]rofessor|[Ee]ngineer|[Ss]pokesperson|[Ss]pokesman|"
    r"[Ss]pokeswoman|[Mm]inister|[Ss]ecretary|[Ss]enator|[Dd]irector|[Pp]artner|[Ff]ellow|[Hh]ead|"
    r"[Ee]conomist|[Ii]nvestor|[Ee]xecutive|[Ll]awyer|[Aa]ttorney|[Gg]overnor|[Mm]ayor|[Cc]hair|"
    r"[Cc]hancellor|[Cc]ommissioner|[Tt]reasurer|[Aa]mbassador|"
    # the same titles in the languages of European business news: German (a noun, capitalised, in
    # compounds of "-chef": Vorstandschef, Finanzchef, Konzernchef; and Sprecher), French (PDG,
    # directeur général) and Spanish (consejero delegado, presidente, director general)
    # (ASCII "g.n.ral": the pass is read with ASCII classes on ASCII lines, `_ASCII_PASSES`)
    r"(?:Vorstands|Finanz|Konzern|Aufsichtsrats|Unternehmens)?[Cc]hef(?:in)?|Sprecher(?:in)?|PDG|"
    r"[Dd]irect(?:eur|rice) g.n.ral(?:e)?|[Cc]onsejer[oa] delegad[oa]|[Pp]residente|[Pp]r.sident(?:e)?|"
    r"[Dd]irector general"
)
# What only an organisation does, after a bare name: it employs a counted workforce, lists its shares,
# wins orders, cuts a share of "its" staff ("Corbel employs 1,200 people", "Tupa listed its shares",
# "Larsen & Toubro won orders", "Twiga Foods cut 30% of its staff"; a person employs a method, wins an
# award, and has "his" staff). Read inside `_ORG_AFTER` (one regex pass); a name found by one of them has
# the `org_verb` confidence (`_org_verb_confidence` knows them by `_ORG_VERB_MARKS`).
_ORG_VERBS = (
    r"employs (?:about |around |nearly |almost |more than |over |some |roughly )?\d+|"
    r"listed (?:its |their )?shares|"
    r"won (?:an? )?(?:orders?|contracts?)|"
    r"cut (?:about |nearly |some |almost )?\d[\d,.]*%? of its"
)
# What only a listed company or another organisation has, after its name's possessive: its shares moving,
# its market value, its net income ("Halvorsen's shares fell", "Tupa's market value"; "Roe's shares" alone
# may be a holder's, a move of the shares is the company's).
_ORG_VERB_POSSESSIVE = (
    r"(?:shares|stock) (?:rose|fell|jumped|climbed|dropped|slid|gained|surged|tumbled|sank|plunged|"
    r"rallied|slumped|soared|edged|closed|opened|were up|were down)|"
    r"market (?:value|capitalisation|capitalization|cap)|net (?:income|profit|loss)|"
    r"operating (?:profit|loss)|pre-?tax profit|order book|workforce|share price"
)
# Literal pieces of the matches `_ORG_VERBS` and `_ORG_VERB_POSSESSIVE` make (plain string tests, no
# regex: the note above `_WHITESPACE`).
_ORG_VERB_MARKS = [
    " employs ",
    " listed its shares",
    " listed their shares",
    " listed shares",
    " won order",
    " won contract",
    " won an order",
    " won a contract",
    " of its",
    *(
        f"{apostrophe} {word}"
        for apostrophe in ("'s", "’s")
        for word in (
            "shares ", "stock ", "market ", "net income", "net profit", "net loss", "operating ",
            "pre-tax", "pretax", "order book", "workforce", "share price",
        )
    ),
]  # fmt: skip
# Business verbs and phrases after an organisation's name, and phrases before it.
_ORG_AFTER = (
    rf"{_ORG_VERBS}|"
    r"raised|has raised|had raised|reported|had reported|posted|shipped|acquired|agreed to|announced|"
    r"unveiled|launched|is valued|"
    # deliveries counted ("Acme delivered 5,000 robots"; a person delivers speeches, not counts)
    r"delivered (?:about |around |nearly |more than |over )?\d+|"
    # a firm's analysts at work ("Acme analysts said"; "Wall Street analysts" is an ordinary word's)
    r"analysts? (?:said|say|says|wrote|write|expect|expects|estimate|estimates|noted|note)|"
    # what kind of firm it is, after its name ("the Roe Doe law firm")
    r"law firm|investment bank|brokerage|hedge fund|consultancy|"
    # a data provider's figures ("according to Acme data", "Acme estimates showed")
    r"(?:data|figures|estimates) (?:showed|shows|show)|"
    # workforce moves: "Acme is cutting 3,000 jobs", "Acme laid off"
    r"is cutting|cuts|will cut|plans to cut|laid off|lays off|is laying off|will lay off|is hiring|"
    r"was valued|shares|stock|said on|said in a statement|declined to comment|did not respond|"
    # its chief before the chief's name ("Acme CEO Jane Roe")
    # (ASCII classes: Unicode ones cost this regex 1 ms more to compile, on every call that compiles it)
    # (not its spokesperson: a politician has one too, "Brenning spokesman Jane Roe")
    r"(?:CEO|CFO|CTO|COO|chief executive|Chief Executive|[Cc]hairman|[Cc]hairwoman) [A-Z][a-z]+"
)
# A listed company's ticker in parentheses after its name: an exchange's code and the symbol ("(NASDAQ:
# ACME)", "(NYSE: ACM)") or a Reuters instrument code, the symbol and the exchange's suffix ("(ACME.O)",
# "(0700.HK)", "(7203.T)").
_TICKER = r"\((?:(?:[A-Z]{2,6}|Nasdaq): ?[A-Z0-9]{1,6}(?:\.[A-Z]{1,2})?|[A-Z0-9]{1,6}\.[A-Z]{1,2})\)"
# What an organisation has, after its name's possessive ("Acme's chief executive", "Acme's board"): only
# what a person has not ("Roe's chief of staff", "Roe's shares" are a person's). (Written apart from
# `_ORG_AFTER`, which follows a space.)
_ORG_POSSESSIVE = (
    r"(?:'s|’s) (?:CEO|CFO|CTO|chief (?:executive|financial|technology|operating)|board|co-?founders?|"
    r"founders?|revenue|revenues|headquarters|subsidiary|parent|chairman|chairwoman|spokesperson|"
    r"spokesman|spokeswoman|"
    rf"{_ORG_VERB_POSSESSIVE})"
)
# Kinds of organisation, in the plural, whose examples are organisations.
_ORG_KINDS = (
    r"companies|firms|rivals|competitors|retailers|lenders|banks|brands|start-?ups|carmakers|automakers|"
    r"chipmakers|makers|manufacturers|suppliers|providers|insurers|operators|vendors|labs|developers"
)
# Examples of such a kind ("rivals such as Acme"): case-sensitive inside the cues' (?i:...), a capital
# only first (Unicode case folding of each letter made the regexes that hold the cues slower to compile,
# which a call that compiles them pays).
_ORG_EXAMPLES = (
    "(?-i:(?:"
    + "|".join(f"[{w[0].upper()}{w[0]}]{w[1:]}" for w in _ORG_KINDS.split("|"))
    + ") (?:like|such as|including))"
)
_ORG_BEFORE = (
    r"shares of|shares in|analysts? at|analysts? with|polled by|investors? in|stake in|acquisition of|"
    r"acquire|"
    # a deal's target ("the takeover of Acme", "its merger with Acme"; "agreed to buy Acme": `_DEAL`)
    r"takeover of|buyout of|merger with|"
    # the head of an organisation, or who founded it ("chief executive of Acme", "co-founded Acme")
    r"CEO of|chief executive of|co-?founder of|founder of|chairman of|co-?founded|"
    r"acquired|research firm|research agency|news agency|agency|consultancy|investment bank|start-?up|"
    r"chipmaker|carmaker|automaker|retailer|lender|rival|firm|utility|insurer|fintech|conglomerate|"
    r"producers?|makers?|manufacturers?|suppliers?|companies|company|investors? including|backed by|"
    # (where it is based or listed: "Paris-based Acme", "Oslo-listed Acme", "Nasdaq-listed Acme")
    r"(?:[\p{L}-]+-(?:based|listed))|"
    # examples of a kind of organisation: "rivals such as Acme", "carmakers like Acme and Borealis"
    rf"{_ORG_EXAMPLES}"
)
# A deal's target after the buyer's agreement ("Borvia agreed to buy Acme", "a deal to acquire Acme"):
# read in a pass of its own rules (`org_cue_pair`'s), as the buyer's cue ("Borvia agreed to") ends the
# organisation cues' match where the target's would start.
_DEAL = r"(?:agreed|agrees|deal|offer|bid|plans?|agreement|move) to (?:buy|acquire)"
_ORG_KIND = (
    r"start-?up|company|firm|maker|chipmaker|bank|lender|retailer|group|provider|developer|manufacturer|"
    r"supplier|carmaker|automaker|fund|investor|platform|unit|subsidiary|rival|competitor|giant|operator|"
    r"consultancy|"
    # (trades of the companies small-company news describes: "Acme, a Norwegian utility")
    r"utility|insurer|airline|conglomerate|brewer|fintech|refiner|shipbuilder|telco|wholesaler|carrier"
)
# The kinds of `_ORG_KIND` that describe a company and never a person ("Acme, the second-largest operator,
# posted": an investor, developer, rival or giant may be a person): a name in apposition to one is an
# organisation's even when its first word is a given name ("Bharti", "Morgan").
_COMPANY_KINDS = (
    "company firm maker chipmaker bank lender retailer group provider manufacturer supplier carmaker "
    "automaker operator carrier insurer airline conglomerate brewer refiner shipbuilder telco wholesaler "
    "utility subsidiary unit start-up startup"
).split()
# Role and descriptor nouns that open a sentence before an organisation's name and are no part of it
# ("Rival Acme Holdings reported", "Lender Borvia Bank said", "Parent Acme Group"): the singular kinds of
# organisation (`_ORG_KIND`, capitalised) and the words for one company's relation to another. Not the
# kinds that open real names ("Group", "Fund", "Platform", "Bank", "Giant", "Developer", "Investor"):
# those are read as part of the name. A name whose remainder would be generic keeps the word ("Carrier
# Global Corp", "Unit Corp").
_ROLE_LEAD = "|".join(
    sorted(
        {
            w[:1].upper() + w[1:]
            for w in _ORG_KIND.split("|")
            if "?" not in w
            and w not in {"group", "fund", "platform", "bank", "giant", "developer", "investor"}
        }
        | {"Peer", "Competitor", "Parent", "Owner", "Partner", "Affiliate", "Start-up", "Startup"}
    )
)
# Government departments and ministries by portfolio, the closed class of cabinet portfolios in English
# ("Department of Justice", "the Finance Ministry", "U.S. Department of Homeland Security"); a country's
# prefix is part of the mention (over the country's own mention, as an organisational suffix extends a
# name) but not of the name, and "<Portfolio> Department" is named "Department of <Portfolio>".
_PORTFOLIO = "|".join(
    sorted(  # longest first: "Economy, Trade and Industry" before "Economy"
        (
            "Justice|Commerce|State|Defense|Defence|Treasury|Energy|Labor|Labour|Education|Transportation|"
            "Transport|Interior|Agriculture|Health|Homeland Security|Veterans Affairs|Health and Human "
            "Services|Housing and Urban Development|Finance|Foreign Affairs|Home Affairs|Trade|Industry|"
            "Economy|Economy, Trade and Industry|Trade and Industry|Science and Technology|Industry and "
            "Information Technology"
        ).split("|"),
        key=len,
        reverse=True,
    )
)
# Government offices and statistics bureaus: "Office for National Statistics", "Office of Management
# and Budget" (an office "for"/"of" one to four capitalised words), "Australian Bureau of Statistics",
# "Bureau of Labor Statistics", "National Bureau of Statistics".
_STATISTICS_OFFICE = (
    r"Office (?:for|of) [A-Z][a-z]+(?: (?:and )?[A-Z][a-z]+){0,3}|"
    r"(?:[A-Z][a-z]+ )?Bureau of (?:[A-Z][a-z]+ )?Statistics"
)
_GOVERNMENT = (
    rf"(?:(?:U\.S\.|US|UK) )?(?:(?:Department|Ministry) of (?:the )?(?:{_PORTFOLIO})|(?:{_PORTFOLIO}) "
    rf"(?:Department|Ministry)|{_STATISTICS_OFFICE})"
)
# An organisation's name followed by the acronym it defines ("National Reform Commission (NRC)",
# "Cyberspace Administration of China (CAC)"): the long form's capitals spell the short form (Schwartz &
# Hearst 2003, "A simple algorithm for identifying abbreviation definitions in biomedical text") and it
# holds a word for an institution (`_ACRONYM_ORG`; "Initial Public Offering (IPO)" names no one). The
# acronym then names the organisation in that document.
_LONG_FORM_CONNECTORS = ["of", "and", "for", "on", "the"]
# (a comma may end a word of a series: "Ministry of Economy, Trade and Industry (METI)")
_LONG_FORM_WORD = rf"[A-Z][a-z]+,? (?:(?:{'|'.join(_LONG_FORM_CONNECTORS)}) )?"
_ACRONYM_ORG = (
    r"Commission|Corporation|Company|Agency|Administration|Association|Authority|Bureau|Council|"
    r"Institute|University|Organization|Organisation|Department|Ministry|Bank|Fund|Group|Foundation|"
    r"Board|Office|Committee|Federation|Laboratory|Laboratories|Center|Centre|Exchange|Alliance|"
    r"Consortium|Court|Parliament|Party|Forum|Society|Academy|College|School"
)
# Generic nouns that name no one before an organisational word ("an AI Lab Foundation Model team" holds
# no organisation called "Lab Foundation").
_GENERIC_NOUNS = (
    "Lab|Team|Teams|Unit|Division|Department|Center|Centre|Model|Models|Data|Project|Program|Programme|"
    "Product|Products|Business|Industry|Sector"
)
# Adjectives that make a kind of institution, not a name, of an organisational word ("Central Bank",
# "Monetary Authority"): "Central Bank of Brazil" is the name (warehouse.reference.central_bank_names).
_GENERIC_INSTITUTION = "Central|National|Reserve|Federal|Monetary"
# Tokens that make a capitalised "person" span an organisation or a place instead.
_NON_PERSON_TOKENS = (
    "Street Group Groups House Bank Banks News Research Post Times Daily Journal Securities Capital "
    "University Institute Ministry Department Agency Lab Labs Inc Corp Tech Technology Technologies Media "
    "Times Partners Sachs Stanley Morgan Analytics Intelligence Insights Reuters Bloomberg Co Company "
    "Council Commission Office Team Foundation Fund Ventures Holdings Review Weekly Week Report Systems "
    "Markets Motors Electronics Authority Board Cloud Global Valley City Street Avenue Square State"
).split()
# Head nouns of companies' names: the trade a name ends with ("Harlow Motor", "Dunmore Steel", "Ravell
# Pharma", "Orvane Airlines") and the written-out legal forms ("Kestrel Limited"), a closed class (most
# of them end several names of the index companies in pytickersymbols, the lexicons' company list:
# Group 95 names, Holdings 46, Energy 27, Bank 25, Electric 7, Steel 3, Airlines 3, ...). A
# capitalised name that ends with one is an organisation's, never a person's, even where a person's
# cue follows it ("Harlow Motor said": `_valid_forms` reads it as `org_head`). (Not "Power" nor
# "Banks": they are surnames too.)
_ORG_HEAD = (
    "Motor Motors Automotive Auto Motorcycles Air Airlines Airline Airways Aviation Aerospace Bank Bancorp "
    "Bancshares Energy Pharma Pharmaceutical Pharmaceuticals Biotech Biosciences Therapeutics Healthcare "
    "Steel Metals Mining Minerals Resources Petroleum Oil Gas Chemical Chemicals Electric Electronics "
    "Telecom Telecommunications Communications Semiconductor Semiconductors Holdings Holding Group "
    "Industries Logistics Shipping Foods Beverages Brewing Breweries Textiles Cement Construction "
    "Engineering Utilities Insurance Financial Securities Investments Realty Properties Hotels Resorts "
    "Retail Stores Computer Computers Devices Materials Solar Corporation Company Limited Incorporated"
).split()
# The same trades and forms in the languages whose companies news names in their own words ("Fjordkraft
# Energi", "Cerradao Alimentos", "Anadolu Cam Sanayi", "Hyosan Gruppe"): Nordic, German, Spanish,
# Portuguese, Italian, French, Turkish, Indonesian.
_ORG_HEAD += (
    "Energi Energia Energie Alimentos Logistik Logistica Logística Sanayi Gruppe Gruppen Groupe Gruppo "
    "Industrier Industrias Indústrias Industrie Tecnologia Teknologi Seguros Bankasi Telekom Cimentos "
    "Cementos Construcciones Construtora Petroleo Petróleo Quimica Química Mineração Mineracao"
).split()
# And more trades a small company's name ends with ("Asante Cocoa Works", "Okoro Farms", "Baltic
# Shipyards"); not "Mills", a surname too.
_ORG_HEAD += (
    "Works Farms Plantations Packaging Shipyard Shipyards Refinery Refineries Fisheries Dairies Ceramics "
    "Tyres Tires Cables Garments Apparel Fertilizers Fertilisers Plastics"
).split()

# Words that open a company's name in those languages ("Grupo Pacifico", "Banco Andino", "Usinas Tupa",
# "Compagnie des Alpes"), and Indonesia's legal form, which opens it ("PT Nusantara Mitra Tbk").
_ORG_OPENERS = (
    "Grupo Groupe Gruppo Banco Banca Banque Compañía Compania Companhia Compagnie Industrias Usinas Cia PT"
).split()
# And the trades of the industry classification news sorts listed companies by (GICS industries: "Air
# Freight & Logistics", "Electronic Equipment, Instruments & Components", "Leisure Products", ...), in
# the words a company's name ends with ("Lumen Freight", "Kyoto Instruments", "Wingtip Toys"). Not
# "Power" or "Water": surnames too.
_INDUSTRY_HEADS = (
    "Freight Transport Transportation Trucking Rail Railway Railways Marine Maritime Machinery Equipment "
    "Instruments Components Distributors Supplies Products Software Media Entertainment Studios Games "
    "Toys Tobacco Brands Finance Mortgage Leisure Hospitality Restaurants Defense "
    "Defence Biotechnology Paper Containers Diagnostics Optics Photonics Robotics Appliances Furniture "
    "Cosmetics"
    # (and the mined commodities a miner is named after, "Arcadium Lithium", "Northern Uranium": not
    # Gold, Silver, Iron or Coal, surnames too)
    " Lithium Uranium Cobalt Nickel Graphite Platinum Potash Zinc Copper Aluminium Aluminum"
).split()
_ORG_HEAD += _INDUSTRY_HEADS
# The heads `_short_names` drops for the bare name the document also writes ("Harlow Motor" is Harlow);
# not the industry's ("Acme Robotics" stays its name where the document also writes "Acme").
_HEADS = "|".join(h for h in _ORG_HEAD if h not in _INDUSTRY_HEADS)

# Words that open a title and never a company's name ("Chief Financial Officer", "Vice President",
# "Deputy Governor"): an organisation's name found by its suffix ends before one ("Financial" of "Chief
# Financial Officer" is an organisational word, `_ORG_SUFFIX`), and a name made of a title is none.
_TITLE_OPENERS = ("Chief", "Vice", "Deputy")

# Chinese: common surnames (the most frequent family names of the mainland household register), titles
# next to a person's name, and the words that make a known name a longer organisation's name.
_ZH_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢"
)
_ZH_TITLE = (
    r"联合创始人|创始人|创办人|首席执行官|首席技术官|首席财务官|首席科学家|董事长|副总裁|总裁|总经理|合伙人|"
    r"分析师|研究员|负责人|教授|发言人|主席|CEO|CTO|CFO|COO"
)
# Characters that end a two-character name rather than continue it (verbs and particles after a name).
_ZH_AFTER_NAME = "表说在的和称指透曾也于是等将已对与及向为以从被把就都还又并则而即均近此认坦回早再"
_ZH_ORG_SUFFIX = r"集团|公司|汽车|科技|银行|证券|资本|实验室|研究院|大学"
# The English a known organisation's unit is named with ("小米汽车" is Xiaomi Auto); the group or company
# itself (集团, 公司) is the organisation.
_ZH_UNIT_EN = {
    "集团": "", "公司": "", "汽车": "Auto", "科技": "Technology", "银行": "Bank", "证券": "Securities",
    "资本": "Capital", "实验室": "Lab", "研究院": "Research Institute", "大学": "University",
}  # fmt: skip


# Products: a known organisation's name followed by product tokens ("Acme Orbit 3", "Acme Cloud
# Infrastructure"), or a name followed by a word for a kind of product ("the Orbit chips", "a Zentro
# server").
_PRODUCT_TOKEN = r"(?:\p{Lu}[\p{L}\p{N}]*|\d+[\p{L}\d]*)(?:-[\p{L}\p{N}]+)*"
_PRODUCT_KIND = (
    r"chips?|processors?|accelerators?|GPUs?|CPUs?|platform|app|apps|assistant|chatbot|service|software|"
    r"database|smartphones?|phones?|handsets?|laptops?|tablets?|headsets?|glasses|servers?|chipsets?|"
    r"memory|SUVs?|sedans?|operating system|browser|search engine|framework|library|tool|suite|agents?"
)
# A model number: capitals then digits, maybe a capital or two ("MX450", "HBM3E", "K7"), named as a
# product by a kind-of-product word next to it ("the GPU MX450", "MX450 chips", "the MX450 series") or by
# a memory capacity ("64GB of HBM3E"). Fiscal periods (Q3, H1, FY25) have the shape and are not products.
_CODE = r"\p{Lu}{1,4}\d{1,4}\p{Lu}{0,2}"
_NOT_CODE = r"^(?:Q|H|FY|CY)\d{1,4}$"
# A model number whose letters name its product line ("MX" of MX450 and MX550), read from its start.
_SIBLING_CODE = r"[A-Z]{2,4}\d{2,4}[A-Z]{0,2}"
_CODE_LETTERS = r"^([A-Z]{2,4})\d"
_CODE_KIND_BEFORE = (
    r"GPUs?|CPUs?|NPUs?|chips?|chipsets?|processors?|accelerators?|smartphones?|phones?|handsets?|"
    r"laptops?|SUVs?|sedans?"
)
_CODE_KIND_AFTER = (
    r"chips?|chipsets?|GPUs?|CPUs?|NPUs?|processors?|accelerators?|series|memory|modules?|smartphones?|"
    r"phones?|handsets?|laptops?|servers?|SUVs?|sedans?|"
    # aircraft ("20 A350 aircraft", "the K7 jets")
    r"aircraft|jets?|jetliners?|airliners?|planes?|helicopters?"
)
# A possessive before capitalised words and a version or model number names a product: a known
# organisation's ("Acme's Rover 3", "Acme's Model K", "Acme's MX450"; the product's name carries the
# organisation's) or "its"/"their" ("its Wafer-Scale Engine 3"; the first word then is no ordinary word:
# "its Phase 2", "its Series B").
_CAP_WORD = r"\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?"
_VERSIONED = rf"{_CAP_WORD}(?: {_CAP_WORD}){{0,2}} (?:\d{{1,3}}\p{{Ll}}?|\p{{Lu}}\d{{0,2}})|{_CODE}"
# Items of a coordinated list: up to four capitalised words; an item before the last may hold an "and"
# ("Acme, Telegraph and Telephone Co, Borealis and Quillon").
_LIST_ITEM = r"[A-Z][A-Za-z0-9&-]*(?: [A-Z][A-Za-z0-9&-]*){0,3}"
_LIST_ITEM_AND = rf"{_LIST_ITEM}(?: and {_LIST_ITEM})?"
# Words that end a product name's tail or show the capitalised words are a headline or a role instead.
_NOT_PRODUCT = (
    "Says Said Is Has Have Will To And Or Unveils Launches Reports Plans Shares Stock CEO CFO CTO COO "
    "Chief President Founder Cofounder Co-founder Chairman Spokesperson Executive Executives Analyst "
    "Analysts Investors Board Revenue Sales Profit Earnings Inc Corp Ltd Group Capital Ventures Partners "
    "Holdings Foundation Research Labs Lab Electronics Motors Systems Technologies Technology Photo Photos "
    "Image Images Icon Logo Results Closes Q1 Q2 Q3 Q4 H1 H2 FY Quarter "
    # titles before a person's name ("Acme Governor Jane Roe" is Acme's governor, no product)
    "Chair Chairwoman Governor Deputy Director Directors Minister Secretary Official Officials Economist "
    "Economists Spokesman Spokeswoman Vice "
    # a company's corporate matters, no product: "Acme IPO", "Acme HQ", "built on Acme IP" (its listing,
    # head office, intellectual property), "the Acme AGM", "Acme ESG"
    "IP IPO HQ AGM EGM ESG"
).split()


def _discovery_rules(
    families: list[str],
    makers: list[str] | None = None,
    zh_names: list[str] | None = None,
    orgs: list[str] | None = None,
    confidence: dict[str, float] | None = None,
) -> list[tuple[str, str, float, str]]:
    """(type, regex, confidence, rule) where each regex has groups (pre-context, entity)."""
    b = r"(?-u:\b)"
    size = r"(?:\d+x)?\d+(?:\.\d+)?[BTbt]"
    rules = [
        # Name-7B, QwQ-32B-Preview, Qwen2.5-72B-Instruct, DeepSeek-R1-Distill-Qwen-32B
        (
            "MODEL",
            rf"()({b}(?:[A-Z][A-Za-z0-9]+|[a-z]+[A-Z][A-Za-z0-9]*)(?:[.-][A-Za-z0-9]+)*-{size}"
            rf"(?:-[A-Za-z][A-Za-z0-9.]*)*){b}",
            "model_size",
        ),
        # CEO Sam Altman / founder Liang Wenfeng / analyst Jane Roe
        # (a capitalised word before the title is read with it, "Acme Governor Jane Roe": else the
        # given-name rule, which reads names two words at a time, would take "Acme Governor" and go on
        # after the title. An ASCII word: with Unicode classes there the pass took 6x the time on the
        # lines it reads with Unicode regexes, next to the possessive rule's names of organisations)
        (
            "PERSON",
            rf"({b}(?:[A-Z][a-z]+(?:-[A-Z][a-z]+)? )?(?:{_ROLE}|Dr\.|Mr\.|Ms\.|Mrs\.),? )({_PERSON})",
            "person_title",
        ),
        # said Jane Roe
        ("PERSON", rf"({b}(?:said|says|according to|wrote) )({_PERSON})(?:[,.]| said)", "person_said"),
        # Organisation names ending with an organisational word: "Thrive Capital", "Acme Robotics Inc.";
        # a bank's with the place it is of: "Royal Bank of Canada", "Commonwealth Bank of Australia" (one
        # or two capitalised words after "of": the name, not "Royal Bank" and a place)
        (
            "ORG",
            rf"()({b}(?:{_ORG_TOKEN} ){{0,3}}{_ORG_TOKEN}"
            rf"(?:,? (?:(?:{_LEGAL_ABBREV})(?:\.|{b})|Co\.|(?:{_LEGAL_WORD}){b})"
            rf"| Bank of \p{{Lu}}\p{{Ll}}+(?: \p{{Lu}}\p{{Ll}}+)?{b}| (?:{_ORG_SUFFIX}){b})+"
            rf"(?: Markets{b})?)",
            "org_suffix",
        ),
        # Jane Roe, an analyst at / Jane Roe, Acme's chief executive / Jane Roe said
        (
            "PERSON",
            rf"()({b}{_PERSON})(?:, (?:an? |the |its |{_ORG_TOKEN}(?:'s|’s) )?(?:[\p{{Ll}}-]+ ){{0,3}}"
            rf"(?:{_ROLE})|,? (?:said|says|told|added|noted|wrote|explained|argued){b})",
            "person_apposition",
        ),
        # shares of Acme / analysts at Acme / Paris-based Acme
        # (A cue is lowercase inside a sentence, capitalised only where a sentence or line starts: a
        # capitalised cue after a word is a headline's Title Case, checked at each occurrence in
        # `_candidates`.)
        ("ORG", rf"({b}(?i:{_ORG_BEFORE}) )({_ORG})", "org_cue"),
        # two names a cue introduces: "producers Acme and Borealis" (this rule reads the second;
        # `_first_of_pairs` adds the first; both are then `org_cue` forms)
        ("ORG", rf"({b}(?i:{_ORG_BEFORE}) {_ORG} and )({_ORG})", "org_cue_pair"),
        # a deal's target: "Borvia agreed to buy Acme" (an `org_cue` form too, `_first_of_pairs`)
        ("ORG", rf"({b}{_DEAL} )({_ORG})", "org_cue_pair"),
        # a government department or ministry: "the Justice Department", "Ministry of Finance"
        ("ORG", rf"()({b}{_GOVERNMENT}){b}", "org_government"),
        # a country's statistics office named the other way round, "Statistics Canada", before a
        # lowercase word or punctuation (in a Title Case headline "Statistics Show" is no name)
        ("ORG", rf"()({b}Statistics [A-Z][a-z]+)(?: [a-z]+{b}|[,.;:])", "org_government"),
        # an organisation's name and the acronym it defines: "National Reform Commission (NRC)"
        ("ORG", rf"()({b}(?:{_LONG_FORM_WORD}){{1,7}}[A-Z][a-z]+) \([A-Z]{{2,6}}\)", "org_acronym"),
        # a data provider: "according to Acme data", "according to Acme.", "data from Acme,"
        (
            "ORG",
            rf"({b}(?:[Aa]ccording to|(?:data|figures|estimates) from) )({_ORG})"
            rf"(?: (?:data|figures|estimates|research){b}|[.,;])",
            "org_cue",
        ),
        # a news agency credited in a dateline, after its place or date: "SEOUL, Nov 5 (Agencia) --",
        # "MADRID, 5 nov (Agencia) -", "TOKYO (Agencia) --", read from the word before the parenthesis: a
        # day or year, a month's short name or a place in capitals ("Acme (ACME) -" is a ticker's). (A
        # regex that read the whole place and date from the place's start cost 0.1 s more per 20 MB.)
        (
            "ORG",
            rf"({b}(?:\d[\d.]*|\p{{Lu}}{{2,}}|\p{{L}}{{3,4}}\.?) \()"
            rf"(\p{{Lu}}[\p{{L}}&]+(?: \p{{Lu}}[\p{{L}}&]+){{0,2}})\) ?(?:-|–|—)",
            "org_cue",
        ),
        # Acme raised / Acme's chief executive / Acme (ACME.O) / Acme, a Paris-based start-up / Acme,
        # Borvia's biggest lender
        (
            "ORG",
            rf"()({b}{_ORG})(?: (?:{_ORG_AFTER}){b}|{_ORG_POSSESSIVE}{b}| {_TICKER}|"
            rf", (?:an?|the|[A-Z][A-Za-z]+(?:'s|’s)) (?:[\p{{L}}'’-]+ ){{0,3}}(?:{_ORG_KIND}){b})",
            "org_cue",
        ),
        # A given name and a surname: "Jane Roe" (given names from a lexicon; checked after matching)
        # (not followed by a hyphen: "Marta Vellmora-based" describes something else)
        ("PERSON", rf"()({b}{_NAME_TOKEN} {_NAME_TOKEN})[^\p{{L}}\p{{N}}-]", "person_given"),
    ]
    rules.append(
        # 创始人兼CEO王小明, 分析师李华: a title (or two joined by 兼), a surname and one or two characters
        (
            "PERSON",
            rf"((?:{_ZH_TITLE})(?:兼(?:{_ZH_TITLE}))?)([{_ZH_SURNAMES}]\p{{Han}}{{1,2}})",
            "person_zh_title",
        )
    )
    rules.append(
        (
            "PRODUCT",
            rf"((?-u:\b)(?:the|an?|its|their|our|new|latest) )({_ORG_TOKEN}(?: {_PRODUCT_TOKEN}){{0,2}}) "
            rf"(?:{_PRODUCT_KIND})(?-u:\b)",
            "product_kind",
        )
    )
    if orgs:
        og = "|".join(re.escape(m) for m in sorted(orgs, key=len, reverse=True))
        rules.append(
            (
                "PRODUCT",
                rf"()((?-u:\b)(?:{og})(?: {_PRODUCT_TOKEN}){{1,3}})",
                "product_org",
            )
        )
        rules.append(
            (
                "PRODUCT",
                rf"((?-u:\b)(?:(?:{og})(?:'s|’s)|its|their) )((?:{_VERSIONED}))(?-u:\b)",
                "product_possessive",
            )
        )
        # A known organisation's possessive before a name and a kind of product: "Acme's Orbit Relay
        # servers" (the name is not made of ordinary words alone: "Acme's Cloud platform").
        rules.append(
            (
                "PRODUCT",
                rf"((?-u:\b)(?:{og})(?:'s|’s) )({_ORG_TOKEN}(?: {_PRODUCT_TOKEN}){{0,2}}) "
                rf"(?:{_PRODUCT_KIND})(?-u:\b)",
                "product_kind",
            )
        )
    rules.append(("PRODUCT", rf"((?-u:\b)(?:{_CODE_KIND_BEFORE}) )({_CODE})(?-u:\b)", "product_code"))
    rules.append(("PRODUCT", rf"()((?-u:\b){_CODE}) (?:{_CODE_KIND_AFTER})(?-u:\b)", "product_code"))
    rules.append(("PRODUCT", rf"((?-u:\b)\d+ ?[GT]B of )({_CODE})(?-u:\b)", "product_code"))
    # Any model number of two or more capitals: a product only in a document where a cue named one with
    # the same letters ("the GPU MX450 ... the MX550"; `_siblings`).
    rules.append(("PRODUCT", rf"()((?-u:\b){_SIBLING_CODE})(?-u:\b)", "product_sibling"))
    # "Acme, Borealis Partners and Quillon": a coordinated list of capitalised names (its items are
    # judged together in `_list_items`: one known or cued organisation makes the others organisations).
    # ASCII classes keep it in the regex engine's DFA; it shares the Chinese title rule's pass (measured
    # on a 20 MB generated corpus, one core: 0.052 s alone, 0.050 s for both rules instead of 0.063 s).
    rules.append(
        (
            "ORG",
            rf"()((?-u:\b){_LIST_ITEM_AND}(?:, {_LIST_ITEM_AND}){{1,8}},? (?:and|or) {_LIST_ITEM})(?-u:\b)",
            "org_list",
        )
    )
    if zh_names:
        # 小米汽车, 华为手机: a known Chinese name + an organisational word is that organisation
        zh = "|".join(re.escape(m) for m in sorted(zh_names, key=len, reverse=True))
        rules.append(("ORG", rf"()((?:{zh})(?:{_ZH_ORG_SUFFIX}))", "org_suffix"))
    if makers:
        # A known lab or family name + "-<letter><version>": MiniMax-M1, DeepSeek-V3.1, Hunyuan-T1
        mk = "|".join(re.escape(m) for m in sorted(makers, key=len, reverse=True))
        rules.insert(
            1,
            (
                "MODEL",
                rf"()({b}(?:{mk})-[A-Z]\d{{1,2}}(?:\.\d{{1,2}})?(?:-[A-Za-z0-9][A-Za-z0-9]*)*){b}",
                "model_maker_version",
            ),
        )
    if families:
        fam = "|".join(re.escape(f) for f in sorted(families, key=len, reverse=True))
        rules.insert(
            1,
            # Family + version (+ size, + tier): Llama 3.1 405B, Gemini 2.5 Pro, GPT-5, Kimi K2, Qwen3-235B
            (
                "MODEL",
                rf"()({b}(?:{fam})(?: (?:{_MODEL_SUFFIX}))?"
                rf"(?:[- ]?v?\d{{1,2}}(?:\.\d{{1,2}})*[a-z]?|[- ][A-Z]\d{{1,2}}(?:\.\d{{1,2}})?)"
                rf"(?:[- ]{size})?(?:[- ](?:{_MODEL_SUFFIX}))*){b}",
                "model_family",
            ),
        )
    confidence = confidence or RULE_CONFIDENCE
    return [(t, rx, confidence[rule], rule) for t, rx, rule in rules]


# ---------------------------------------------------------------------------------- extraction
# Documents are searched as one concatenated string per batch: one automaton/regex pass per batch, and
# global byte offsets turn overlap resolution into a single scan (documents never overlap).
# The separator holds a NUL, which no gazetteer form or discovery regex can match across.
_SEP = "\n\x00\n"
# The in-memory engine runs this plan (explode, sort, cumulative scans) ~3x faster than streaming.
_ENGINE = "in-memory"
_BATCH_BYTES = 64_000_000


_WORD_BYTE = np.zeros(256, dtype=bool)
_WORD_BYTE[[ord(c) for c in string.ascii_letters + string.digits]] = True


class _Bytes:
    """The batch string's UTF-8 bytes: as bytes (ASCII-lowercased for the search) and as a numpy array
    for boundary checks and byte -> character offsets."""

    def __init__(self, text: str | bytes) -> None:
        self.raw = text.encode() if isinstance(text, str) else bytes(text)
        self.u8 = np.frombuffer(self.raw, dtype=np.uint8)
        self.n = len(self.u8)

    def word_byte_before(self, index: np.ndarray) -> np.ndarray:
        """Whether the byte before each offset is an ASCII letter or digit (False at the start)."""
        return (index > 0) & _WORD_BYTE[self.u8[np.maximum(index - 1, 0)]]

    def word_byte_at(self, index: np.ndarray) -> np.ndarray:
        """Whether the byte at each offset is an ASCII letter or digit (False past the end)."""
        return (index < self.n) & _WORD_BYTE[self.u8[np.minimum(index, self.n - 1)]]

    @functools.cached_property
    def _continuation(self) -> np.ndarray:
        # Positions of UTF-8 continuation bytes (0x80-0xBF, below -64 read as int8: one comparison): a
        # byte offset minus how many of them precede it is the character offset.
        return np.flatnonzero(self.u8.view(np.int8) < -64)

    def chars(self, index: np.ndarray) -> np.ndarray:
        """Character offsets of byte offsets that sit on character boundaries."""
        return index - np.searchsorted(self._continuation, index)


_FOUND_SCHEMA = {"surface": pl.String, "bstart": pl.Int64}

# Where an occurrence starts (`_trie_scan`), by its first byte and the byte before it: 0 at a word that
# begins with a capital or a digit, 1 at a word that begins with a lowercase letter, 2 anywhere else
# (inside a word, or at a byte that is no ASCII letter or digit).
_START_CLASS = np.full(256, 2, dtype=np.uint8)
_START_CLASS[[ord(c) for c in string.ascii_uppercase + string.digits]] = 0
_START_CLASS[[ord(c) for c in string.ascii_lowercase]] = 1
_ASCII_LOWER = np.arange(256, dtype=np.uint8)
_ASCII_LOWER[ord("A") : ord("Z") + 1] += 32


@njit(cache=True, nogil=True)
def _trie(data: np.ndarray, starts: np.ndarray, ends: np.ndarray, ids: np.ndarray) -> tuple:
    """The trie of the keys data[starts[k] : ends[k]] (sorted, distinct, not empty; key k is reported as
    ids[k]): (root: child of the root by byte, -1 for none; child_start: node v's children
    are child_byte/child_node[child_start[v] : child_start[v + 1]], by byte; child_byte; child_node;
    node_key: the id of the key that ends at each node, -1 for none)."""
    total, longest = 1, 0
    for k in range(len(starts)):
        total += ends[k] - starts[k]
        longest = max(longest, ends[k] - starts[k])
    parent = np.empty(total, np.int32)
    byte = np.empty(total, np.uint8)
    node_key = np.full(total, -1, np.int32)
    path = np.zeros(longest + 1, np.int32)  # the nodes of the key before, from the root
    n, before, before_len = 1, 0, 0
    for k in range(len(starts)):
        start, size = starts[k], ends[k] - starts[k]
        shared = 0  # (sorted keys: the nodes the key shares with the one before are its path's)
        while shared < min(size, before_len) and data[start + shared] == data[before + shared]:
            shared += 1
        for j in range(shared, size):
            parent[n], byte[n], path[j + 1] = path[j], data[start + j], n
            n += 1
        node_key[path[size]] = ids[k]
        before, before_len = start, size
    child_start = np.zeros(n + 1, np.int64)
    for v in range(1, n):
        child_start[parent[v] + 1] += 1
    for v in range(n):
        child_start[v + 1] += child_start[v]
    fill = child_start[:-1].copy()
    child_byte = np.empty(n - 1, np.uint8)
    child_node = np.empty(n - 1, np.int32)
    for v in range(1, n):  # (in key order: each node's children by byte)
        p = parent[v]
        child_byte[fill[p]], child_node[fill[p]] = byte[v], v
        fill[p] += 1
    root = np.full(256, -1, np.int32)
    for i in range(child_start[0], child_start[1]):
        root[child_byte[i]] = child_node[i]
    return root, child_start, child_byte, child_node, node_key[:n].copy()


@njit(cache=True, nogil=True)
def _trie_scan(
    text: np.ndarray,
    roots: np.ndarray,
    child_start: np.ndarray,
    child_byte: np.ndarray,
    child_node: np.ndarray,
    node_key: np.ndarray,
    dense_of: np.ndarray,
    dense: np.ndarray,
    pairs: np.ndarray,
    key_out: np.ndarray,
    start_out: np.ndarray,
    begin: int,
) -> tuple[int, int]:
    """Every occurrence, from byte offset `begin` on, of the keys of the trie whose root
    (roots[c], c the `_START_CLASS` of the offset) it starts at, the text read ASCII-lowercased: its
    key id and start into key_out/start_out. A node with many children finds the next one in its row
    of `dense` (dense_of[node], -1 for none; by byte), the others in their list. (count, offset to
    resume from: len(text) when done; less when the arrays are full, none of that offset's occurrences
    written)."""
    count, n, full = 0, len(text), len(key_out)
    in_word = begin > 0 and _START_CLASS[text[begin - 1]] < 2
    for i in range(begin, n):
        b = text[i]
        c = _START_CLASS[b]
        r = c if c < 2 and not in_word else 2
        node = roots[r, _ASCII_LOWER[b]]
        in_word = c < 2
        if node >= 0 and i + 1 < n and not pairs[r, _ASCII_LOWER[b], _ASCII_LOWER[text[i + 1]]]:
            continue
        first = count
        j = i + 1
        while node >= 0:
            if node_key[node] >= 0:
                if count == full:
                    return first, i
                key_out[count], start_out[count] = node_key[node], i
                count += 1
            if j == n:
                break
            x = _ASCII_LOWER[text[j]]
            if dense_of[node] >= 0:
                node = dense[dense_of[node], x]
            else:
                lo, hi, node = child_start[node], child_start[node + 1], -1
                while lo < hi:  # (children by byte: most nodes have one or two)
                    if child_byte[lo] >= x:
                        if child_byte[lo] == x:
                            node = child_node[lo]
                        break
                    lo += 1
            j += 1
    return count, n


# Children from which a trie node's next node is read from a table (`_key_trie`).
_DENSE_CHILDREN = 6


def _key_trie(keys: list[bytes], sets: np.ndarray) -> tuple:
    """One trie (`_trie`) per row of `sets` (which keys it holds) in shared arrays: (roots, one row per
    trie, child_start, child_byte, child_node, node_key); a key is reported as its index in `keys`."""
    order = np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)
    data = np.frombuffer(b"".join(keys), dtype=np.uint8)
    key_end = np.cumsum(np.fromiter(map(len, keys), dtype=np.int64, count=len(keys)))
    key_start = key_end - np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    roots, starts, child_bytes, child_nodes, node_keys = [], [], [], [], []
    nodes = edges = 0
    for member in sets:
        chosen = order[member[order]]  # (its keys, sorted)
        root, child_start, child_byte, child_node, node_key = _trie(
            data, key_start[chosen], key_end[chosen], chosen.astype(np.int32)
        )
        roots.append(np.where(root >= 0, root + nodes, -1))
        starts.append(child_start[:-1] + edges)
        child_bytes.append(child_byte)
        child_nodes.append(child_node + nodes)
        node_keys.append(node_key)
        nodes, edges = nodes + node_key.size, edges + child_byte.size
    child_start = np.concatenate([*starts, [edges]]).astype(np.int64)
    child_byte, child_node = np.concatenate(child_bytes), np.concatenate(child_nodes).astype(np.int32)
    # Nodes with many children (the first letters after a word's first) read the next node from a
    # table by byte instead of their list (`_trie_scan` in 0.9x the time with these rows, measured on
    # the distinct lines of the 21.7 MB corpus of tests/transforms/bench_entities_speed.py, one core).
    # The first two bytes of each trie's keys (any second byte after a one-byte key): most words begin
    # with a pair no key does, and are not followed into the trie.
    pairs = np.zeros((len(sets), 256, 256), dtype=np.bool_)
    for row, member in enumerate(sets):
        chosen = [keys[i] for i in np.flatnonzero(member)]
        two = np.frombuffer(b"".join(k[:2] for k in chosen if len(k) > 1), dtype=np.uint8)
        pairs[row, two[0::2], two[1::2]] = True
        one = np.frombuffer(b"".join(k for k in chosen if len(k) == 1), dtype=np.uint8)
        pairs[row, one, :] = True
    counts = np.diff(child_start)
    many = np.flatnonzero(counts >= _DENSE_CHILDREN)
    dense_of = np.full(nodes, -1, dtype=np.int32)
    dense_of[many] = np.arange(many.size, dtype=np.int32)
    dense = np.full((many.size, 256), -1, dtype=np.int32)
    edge = np.arange(edges)[np.repeat(dense_of >= 0, counts)]
    dense[np.repeat(np.arange(many.size), counts[many]), child_byte[edge]] = child_node[edge]
    return (
        np.stack(roots).astype(np.int32),
        child_start,
        child_byte,
        child_node,
        np.concatenate(node_keys),
        dense_of,
        dense,
        pairs,
    )


def _search(
    raw: _Bytes, groups: list[tuple[list[str], bool, bool | list[bool]]], lines: _Lines | None = None
) -> list[pl.DataFrame]:
    """For each (patterns, bounded, cased) group, (surface, bstart) of the occurrences of its patterns
    up to ASCII case, overlapping, surface as found in the text, by end, then longer first. `bounded`
    drops the occurrences that continue a word on a side where the pattern starts/ends with a word
    character: every rule that reads such a group rejects them anyway. `cased` (one flag for every
    pattern, or one per pattern): a cased pattern that begins with an ASCII letter needs only the
    occurrences, at a word's start, whose first letter has its case (every rule that reads such a
    group keeps only those: it joins on the exact string, or the gazetteer form has a capital); those
    are all reported, others of the same key may be (when another pattern has it).

    One compiled scan (`_trie_scan`) reads the batch once for all groups: at each word start only the
    keys that may begin there (a capital or a digit; a lowercase letter), elsewhere only the keys that
    begin with a byte that is no ASCII letter or digit or that an unbounded group holds. (The
    Aho-Corasick automaton it replaces, ahocorasick_rs, read every key at every word start, whatever
    its case, and reported every case: `_search` in 0.19 s instead of 0.30 s CPU on the 21.7 MB corpus
    of tests/transforms/bench_entities_speed.py, one core, the same mentions.)

    `lines`: the batch string's distinct lines (`_Lines`): the scan reads each once and every
    occurrence is reported at each copy of its line (the same occurrences as in `raw`, fewer bytes read).
    """
    # (the keys prepared by C-level maps and numpy, not a Python loop per key: 15,000 keys a call)
    patterns = [p for group in groups for p in group[0]]
    encoded = list(map(str.encode, patterns))
    lowered = list(map(bytes.lower, encoded))
    keys = list(dict.fromkeys(lowered))
    if b"" in keys:
        keys.remove(b"")
    if not keys or raw.n == 0:
        return [pl.DataFrame(schema=_FOUND_SCHEMA) for _ in groups]
    index = dict(zip(keys, range(len(keys)), strict=True))
    at_key = np.fromiter(map(index.get, lowered, itertools.repeat(-1)), dtype=np.int64, count=len(lowered))
    sizes = [len(group[0]) for group in groups]
    group_of = np.repeat(np.arange(len(groups)), sizes)
    members = []
    for g in range(len(groups)):
        member = np.zeros(len(keys), dtype=bool)
        member[at_key[(group_of == g) & (at_key >= 0)]] = True
        members.append(member)
    unbounded_keys = np.zeros(len(keys), dtype=bool)
    for member, group in zip(members, groups, strict=True):
        if not group[1]:
            unbounded_keys |= member
    # Where each key is read (`_START_CLASS` of the occurrence's first byte): a pattern that begins
    # with a capital or a digit at class 0, with a lowercase letter at class 1 (at both when it is not
    # cased), with another byte at class 2; a pattern of an unbounded group also inside words (2).
    valid = at_key >= 0
    first_class = _START_CLASS[np.frombuffer(b"".join(e[:1] if e else b" " for e in encoded), dtype=np.uint8)]
    cased = np.concatenate(
        [np.broadcast_to(np.asarray(g[2], dtype=bool), (n,)) for g, n in zip(groups, sizes, strict=True)]
    )
    word = first_class < 2
    unbounded_pattern = ~np.repeat(np.array([bool(g[1]) for g in groups]), sizes)
    read_at = np.zeros((3, len(keys)), dtype=bool)
    for c, wanted in (
        (0, (first_class == 0) | (word & ~cased)),
        (1, (first_class == 1) | (word & ~cased)),
        (2, (first_class == 2) | (word & unbounded_pattern)),
    ):
        read_at[c, at_key[wanted & valid]] = True
    key_len = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    starts = np.cumsum(key_len + 1) - key_len - 1
    plain = np.frombuffer(b" ".join(keys), dtype=np.uint8)
    # (a key that holds a newline may run across lines)
    if lines is not None and np.isin(np.flatnonzero(plain == 10), starts + key_len - 1, invert=True).any():
        lines = None
    read = lines.raw if lines is not None else raw
    trie = _key_trie(keys, read_at)
    # (arrays for about one occurrence per 32 bytes, more when they fill up)
    found_keys, found_starts, begin = [], [], 0
    while begin < read.n:
        key_out = np.empty(max(1024, read.n // 32), dtype=np.int64)
        start_out = np.empty_like(key_out)
        count, begin = _trie_scan(read.u8, *trie, key_out, start_out, begin)
        found_keys.append(key_out[:count])
        found_starts.append(start_out[:count])
    pat, bstart = np.concatenate(found_keys), np.concatenate(found_starts)
    lens = key_len[pat]
    # Word boundaries and surfaces are read where the scan found them, before each occurrence in
    # the distinct lines is copied to every copy of its line: a line's bytes and the bytes around it
    # (a newline, or the start) are the same in both strings, and there are fewer occurrences to read.
    word_first = _WORD_BYTE[plain[starts]][pat]
    word_last = _WORD_BYTE[plain[starts + key_len - 1]][pat]
    unbounded = (word_first & read.word_byte_before(bstart)) | (word_last & read.word_byte_at(bstart + lens))
    # (occurrences that every group that has their key drops are dropped here)
    keep = ~unbounded | unbounded_keys[pat]
    pat, bstart, lens, unbounded = pat[keep], bstart[keep], lens[keep], unbounded[keep]
    surfaces = _slices(read, bstart, lens)
    copy = np.arange(pat.size)
    if lines is not None:
        copy, bstart = lines.occurrences(bstart)
        pat, lens, unbounded = pat[copy], lens[copy], unbounded[copy]
    # By end; at one end, longer first. (No two occurrences share a start and a length: the keys are
    # distinct and the scan reports each at most once. So no tie needs a stable sort: numpy's default
    # one took 0.5x the time on the 21.7 MB corpus of tests/transforms/bench_entities_speed.py.)
    order = np.argsort((bstart + lens) * (key_len.max() + 1) - lens)
    bstart, pat, unbounded, copy = bstart[order], pat[order], unbounded[order], copy[order]
    frames = []
    for member, group in zip(members, groups, strict=True):
        pick = member[pat] & ~unbounded if group[1] else member[pat]
        frames.append(
            pl.DataFrame(
                {"surface": surfaces.gather(copy[pick]), "bstart": bstart[pick]}, schema=_FOUND_SCHEMA
            )
        )
    return frames


def _slices(raw: _Bytes, bstart: np.ndarray, lens: np.ndarray) -> pl.Series:
    """The text's bytes [bstart, bstart + len) as strings (they start and end on character boundaries)."""
    offsets = np.zeros(lens.size + 1, dtype=np.int64)
    np.cumsum(lens, out=offsets[1:])
    pos = np.arange(offsets[-1]) - np.repeat(offsets[:-1] - bstart, lens)
    data = raw.u8[pos]
    array = pa.LargeStringArray.from_buffers(lens.size, pa.py_buffer(offsets), pa.py_buffer(data))
    return pl.Series("surface", pl.from_arrow(array), dtype=pl.String)


def _gazetteer_hits(found: pl.DataFrame, raw: _Bytes, gazetteer: pl.DataFrame) -> pl.DataFrame:
    """Gazetteer forms among `found` (every overlapping, ASCII-case-insensitive, word-bounded occurrence of
    the gazetteer's forms, see `_search`), filtered by case rules: bstart, bend, surface and `_g`, the
    gazetteer row."""
    # Occurrences repeat a few hundred distinct surfaces: match those to gazetteer rows once, then join by
    # surface.
    forms = (
        found.get_column("surface")
        .unique(maintain_order=True)
        .to_frame()
        .with_columns(pl.col("surface").str.to_lowercase().alias("alias_key"))
        .join(gazetteer, on="alias_key", how="inner", maintain_order="left")
        # (a place in capitals is read where a dateline names it: checked below)
        .with_columns(
            (
                pl.col("case_sensitive")
                & (pl.col("type") == "GPE")
                & (pl.col("surface") != pl.col("alias"))
                & (pl.col("surface") == pl.col("alias").str.to_uppercase())
            ).alias("_caps")
        )
        .filter(~pl.col("case_sensitive") | (pl.col("surface") == pl.col("alias")) | pl.col("_caps"))
        # (a place whose name is a common word: only its dateline form, in capitals or, before a date,
        # as the place writes it ("Essen, 12. November 2026 -"), checked below)
        .with_columns((pl.col("dateline_only") & ~pl.col("_caps")).alias("_dated"))
        .filter(~pl.col("dateline_only") | pl.col("_caps") | (pl.col("surface") == pl.col("alias")))
        .filter(~pl.col("initial_upper") | pl.col("surface").str.contains(r"^\p{Lu}"))
        .select(
            "surface",
            "_g",
            "not_before_capitalized",
            pl.col("surface").str.len_bytes().cast(pl.Int64).alias("n"),
            ((pl.col("type") == "GPE") & pl.col("lexicon")).alias("_place"),
            "_caps",
            "_dated",
        )
    )
    hits = found.join(forms, on="surface", how="inner", maintain_order="left").with_columns(
        (pl.col("bstart") + pl.col("n")).alias("bend")
    )
    # "Silicon Valley Bank": a following capitalised word makes this part of a longer name. (Word
    # boundaries were checked by `_search`.)
    bend = hits.get_column("bend").to_numpy()
    after = raw.u8[np.minimum(bend, raw.n - 1)], raw.u8[np.minimum(bend + 1, raw.n - 1)]
    capitalised = (bend + 1 < raw.n) & (after[0] == 32) & (after[1] >= 65) & (after[1] <= 90)
    blocked = hits.get_column("not_before_capitalized").to_numpy() & capitalised & ~_code_follows(raw, bend)
    # "US$20 billion", "HK$", "NT$": a form glued to a dollar sign is a currency prefix, not a mention of
    # the place (on the generated corpus every one of 1,466 false positives of "United States" was this).
    currency = (bend < raw.n) & (after[0] == ord("$"))
    grade = _commodity_grade(raw, bend, hits.get_column("_place").to_numpy())
    dateline = _dateline(raw, hits.get_column("bstart").to_numpy(), bend)
    caps = hits.get_column("_caps").to_numpy() & ~dateline
    dated = hits.get_column("_dated").to_numpy() & ~(dateline & _date_follows(raw, bend))
    return hits.filter(pl.Series(~(blocked | currency | grade | caps | dated))).select(
        "bstart", "bend", "surface", "_g"
    )


def _code_follows(raw: _Bytes, bend: np.ndarray) -> np.ndarray:
    """Whether each span ending at `bend` (a batch byte offset) is followed by a space and a model number:
    one to four capitals and a digit ("Airbus A350", "Acme K7"): a maker's product, which makes no longer
    name of the maker's ("Silicon Valley Bank" does)."""
    out = np.zeros(bend.size, dtype=bool)
    letters = np.ones(bend.size, dtype=bool)
    for k in range(2, 6):
        prev = raw.u8[np.minimum(bend + k - 1, raw.n - 1)]
        letters &= (prev >= 65) & (prev <= 90)
        nxt = raw.u8[np.minimum(bend + k, raw.n - 1)]
        out |= letters & (bend + k < raw.n) & (nxt >= 48) & (nxt <= 57)
    return out


def _dateline(raw: _Bytes, bstart: np.ndarray, bend: np.ndarray) -> np.ndarray:
    """Whether each span [bstart, bend) of the batch string opens a line (a document's first line too:
    `_SEP` ends with a newline) and is followed by a comma or a spaced dash ("PARIS -", "MUMBAI, Nov 28
    (Reuters) -", "TOKYO —"): where a news agency's dateline names the place it writes from, in capitals."""
    opens = (bstart == 0) | (raw.u8[np.maximum(bstart - 1, 0)] == ord("\n"))
    nxt, dash = raw.u8[np.minimum(bend, raw.n - 1)], raw.u8[np.minimum(bend + 1, raw.n - 1)]
    # (0xE2: the first byte of an en or em dash)
    spaced_dash = (nxt == 32) & ((dash == ord("-")) | (dash == 0xE2))
    return opens & (bend < raw.n) & ((nxt == ord(",")) | spaced_dash)


# How a dateline's date begins after the place and its comma, where it is no digit ("Nov 3", "Okt.", "janv."):
# the months' first three letters in English, German, French and Spanish, ASCII-lowercased (those with a
# non-ASCII third letter, "mär", "fév", "déc", are left to the digit of the day that other conventions put
# first).
_MONTH_STARTS = sorted(
    {
        *"jan feb mar apr may jun jul aug sep oct nov dec".split(),
        *"mai okt dez".split(),
        *"avr jui".split(),
        *"ene abr ago dic".split(),
    }
)


def _date_follows(raw: _Bytes, bend: np.ndarray) -> np.ndarray:
    """Whether each span ending at `bend` (a batch byte offset) is followed by ", " and a date's start: a
    digit ("Essen, 12. November") or a month's first three letters (`_MONTH_STARTS`: "Boston, Nov 3")."""
    at = [raw.u8[np.minimum(bend + i, raw.n - 1)] for i in range(5)]
    digit = (at[2] >= ord("0")) & (at[2] <= ord("9"))
    low = [_ASCII_LOWER[b] for b in at[2:5]]
    month = np.zeros(bend.size, dtype=bool)
    for m in _MONTH_STARTS:
        month |= (low[0] == ord(m[0])) & (low[1] == ord(m[1])) & (low[2] == ord(m[2]))
    return (bend + 5 < raw.n) & (at[0] == ord(",")) & (at[1] == 32) & (digit | month)


# Nouns after a place's name that make it the name of a traded grade or blend ("Brent crude", "Dubai
# crude", "Brent futures"): the grade is named after an oilfield or a trading hub, no place the text is
# about. (Not "oil" or "gas": "Texas oil", "Iran gas" are the place's.)
_GRADE_NOUNS = (b" crude", b" blend", b" futures")


def _commodity_grade(raw: _Bytes, bend: np.ndarray, place: np.ndarray) -> np.ndarray:
    """Whether each lexicon place's form (`place`; its end `bend`, a batch byte offset) is followed by
    one of `_GRADE_NOUNS` and a non-word byte: byte comparisons, no string is made."""
    out = np.zeros(bend.size, dtype=bool)
    at = np.flatnonzero(place)
    for noun in _GRADE_NOUNS:
        same = np.ones(at.size, dtype=bool)
        for i, byte in enumerate(noun):
            same &= raw.u8[np.minimum(bend[at] + i, raw.n - 1)] == byte
        out[at[same & ~raw.word_byte_at(bend[at] + len(noun))]] = True
    return out


def _blocking_phrases(gazetteer: pl.DataFrame) -> pl.DataFrame:
    """(entity_id, alias, word, surface) for every form + word of a `not_followed_by` rule."""
    return (
        gazetteer.filter(pl.col("not_followed_by").list.len() > 0)
        .select("entity_id", "alias", pl.col("not_followed_by").alias("word"))
        .explode("word")
        .with_columns(pl.concat_str([pl.col("alias"), pl.lit(" "), pl.col("word")]).alias("surface"))
    )


def _blocked_by_next_word(found: pl.DataFrame, raw: _Bytes, phrases: pl.DataFrame) -> pl.LazyFrame:
    """(bstart, entity_id) of forms followed by a word in their `not_followed_by` rule ("Apple pie").
    `found` holds the phrases' occurrences up to ASCII case; the join keeps the exact ones."""
    hits = found.join(phrases, on="surface")
    bend = (hits.get_column("bstart") + hits.get_column("surface").str.len_bytes().cast(pl.Int64)).to_numpy()
    return hits.filter(pl.Series(~raw.word_byte_at(bend))).select("bstart", "entity_id").unique().lazy()


_PATTERN_FORMS_SCHEMA = {
    "match": pl.String,
    "pre_bytes": pl.Int64,
    "surface": pl.String,
    "type": pl.String,
    "confidence": pl.Float64,
    "rule": pl.String,
}


# Rules read together in one regex pass (an alternation): at one start the first rule listed wins, as the
# rules of one kind would decide anyway. Larger alternations leave the regex engine's DFA (organisation
# rules together ran 30x slower, measured on the generated corpus); these groups are each faster than
# their rules apart.
_PASSES = (
    ("model_size", "model_family", "model_maker_version"),
    # (a model number or a versioned name after a possessive never starts where a person's name does:
    # sharing this pass costs 0.007 s per 20 MB, a pass of their own 0.054 s)
    (
        "person_title",
        "person_said",
        "person_apposition",
        "person_given",
        "product_code",
        "product_possessive",
        "product_sibling",
    ),
    # (Chinese titles and ASCII lists never compete for a start; a cue's pair starts at its lowercase
    # cue, before a list would: 0.047 s per 16 MB for the three, 0.043 s without the pair, 0.045 s for a
    # pass of its own; in the cue rules' pass it took that pass out of the DFA, 0.1 s -> 6.6 s; an
    # acronym's long form, read where no list starts, brings the pass to 0.051 s)
    ("person_zh_title", "org_list", "org_cue_pair", "org_acronym"),
    # (a government's department starts at a capital word, a product's name after "the"/"its" or a
    # known organisation: sharing their pass costs 0.001 s per 16 MB, a pass of its own 0.042 s)
    ("product_kind", "product_org", "org_government"),
    ("org_cue",),
    ("org_suffix",),
)


class _Lines:
    """The distinct lines of the batch string (`_Bytes` of the `_SEP`-joined documents), each with its
    ending newline, and where each occurs in the batch string.

    Lines repeat across news documents (bylines, share rows, disclaimers, syndicated paragraphs); the
    discovery regexes (`_pattern_forms`) and the trie scan (`_search`) read each distinct line
    once and find the same strings as in the batch string: no discovery regex matches a newline except as
    the last character of a match (`person_given`'s closing `[^\p{L}\p{N}-]`), no searched string holds
    one before its end, and a line starts after a newline, where `(?-u:\b)` and `_trie_scan` read as at
    the start of a string. (On the 29 MB resampled corpus of the speed benchmark,
    tests/transforms/bench_entities_speed.py, 14 MB of 29 MB are distinct lines; `_repeated_lines`
    decides when reading them pays.)

    `text`: the distinct lines joined, in one row (one regex search per pass, not one per line: 0.8x the
    time); `raw`: the same as `_Bytes`; `starts`: each line's byte offset in them; `at`, `where`: line i
    occurs in the batch string at byte offsets where[at[i]:at[i + 1]]."""

    def __init__(self, batch: _Bytes, distinct: pl.DataFrame | None = None) -> None:
        """`distinct`: `_distinct_lines(_line_frame(batch))`, when already made."""
        if distinct is None:
            distinct = _distinct_lines(_line_frame(batch))
        self.text = distinct.select(pl.col("text").str.join(""))
        self.raw = _Bytes(self.text.get_column("text").cast(pl.Binary)[0])
        sizes = distinct.get_column("text").str.len_bytes().cast(pl.Int64).to_numpy()
        self.starts = np.cumsum(sizes) - sizes
        self.at = np.zeros(distinct.height + 1, dtype=np.int64)
        np.cumsum(distinct.get_column("at").list.len().to_numpy(), out=self.at[1:])
        self.where = distinct.get_column("at").explode().to_numpy()

    def occurrences(self, bstart: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For byte offsets into `raw`: (index of each offset's copies, their offsets in the batch
        string), every copy of its line in turn."""
        line = np.searchsorted(self.starts, bstart, "right") - 1
        count = self.at[line + 1] - self.at[line]
        index = np.repeat(np.arange(bstart.size), count)
        # position of each copy among its line's occurrences: 0, 1, ... count - 1
        first = np.cumsum(count) - count
        k = np.arange(index.size) - np.repeat(first, count)
        return index, self.where[self.at[line][index] + k] + (bstart - self.starts[line])[index]


def _line_frame(batch: _Bytes) -> pl.DataFrame:
    """The lines of the batch string (`text`, each with its ending newline) and their byte offsets
    (`at`), as strings over the batch string's own buffer (no copy), and whether each is `narrow`
    (`_narrow_lines`)."""
    ends, narrow = _narrow_lines(batch.u8, _PUNCTUATION)
    offsets = np.concatenate(([0], ends)).astype(np.int64)
    text = pa.LargeStringArray.from_buffers(ends.size, pa.py_buffer(offsets), pa.py_buffer(batch.raw))
    return pl.DataFrame({"text": pl.from_arrow(text), "at": offsets[:-1], "narrow": narrow})


# Characters outside ASCII that are no letter, digit or mark of any script: punctuation, symbols and
# spaces (Unicode general categories P, S, Z) of the Latin-1 Supplement, General Punctuation to
# Miscellaneous Symbols and Arrows, CJK Symbols and Punctuation and Halfwidth and Fullwidth Forms blocks
# (’ “ ” — – … € £ ¥ × ▼). No Unicode class a discovery rule uses (`_ASCII_CLASSES`) holds one, nor the
# ASCII classes `_ascii_regex` narrows them to, nor what case-insensitive matching adds to those (K, ſ),
# so in a line whose other characters are ASCII both regexes match the same strings.
_PUNCTUATION = np.zeros(0x10000, dtype=bool)
_PUNCTUATION[
    [
        c
        for c in (*range(0xA0, 0x100), *range(0x2000, 0x2C00), *range(0x3000, 0x3040), *range(0xFF00, 0xFFF0))
        if unicodedata.category(chr(c))[0] in "PSZ"
    ]
] = True


@njit(cache=True, nogil=True)
def _narrow_lines(text: np.ndarray, punctuation: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lines of `text` (UTF-8 bytes): where each ends (after its newline; the last may have none)
    and whether each holds only ASCII and `punctuation` characters (`_PUNCTUATION`; read with
    `_ascii_regex`: the narrowed passes in 0.8x the time of reading the lines that hold punctuation
    with the Unicode regexes, on the 21.7 MB corpus of tests/transforms/bench_entities_speed.py, one
    core). One pass over the bytes, decoding the characters that are not ASCII. (Done with numpy from
    the positions of UTF-8 continuation bytes, `_line_frame` took 46 ms instead of 29 ms on that
    corpus, 12 ms of them the positions, which `_Bytes.chars` then computes when it needs them.)"""
    n = len(text)
    count = 1
    for i in range(n):
        count += text[i] == 10
    ends = np.empty(count, dtype=np.int64)
    narrow = np.ones(count, dtype=np.bool_)
    k = i = 0
    while i < n:
        b = np.int64(text[i])
        if b < 0x80:
            i += 1
            if b == 10:
                ends[k] = i
                k += 1
        elif b < 0xE0:
            narrow[k] &= punctuation[(b & 0x1F) << 6 | (np.int64(text[i + 1]) & 0x3F)]
            i += 2
        elif b < 0xF0:
            code = (b & 0x0F) << 12 | (np.int64(text[i + 1]) & 0x3F) << 6 | (np.int64(text[i + 2]) & 0x3F)
            narrow[k] &= punctuation[code]
            i += 3
        else:  # (no character past U+FFFF is punctuation here)
            narrow[k] = False
            i += 4
    if n and (k == 0 or ends[k - 1] != n):
        ends[k] = n
        k += 1
    return ends[:k], narrow[:k]


# Distinct lines are read instead of the batch string when they hold at most this share of its bytes:
# grouping the lines and reporting each occurrence at every copy cost about a tenth of what the regex
# and automaton passes save per repeated byte (tests/transforms/bench_entities_speed.py, one core: on the
# 29 MB resampled corpus, 49% of its bytes in distinct lines, 1.33x the speed of the whole string; on
# 14 MB of those lines once each, 0.94x).
_DISTINCT_SHARE = 0.9


def _repeated_lines(batch: _Bytes, distinct: pl.DataFrame | None = None) -> _Lines | None:
    """The batch string's distinct lines (`_Lines`) when they hold at most `_DISTINCT_SHARE` of its
    bytes, else None (reading the batch string itself is then faster). `distinct`:
    `_distinct_lines(_line_frame(batch))`, when already made."""
    # (the lines are grouped once, for the decision, for `_Lines` and for `_line_texts`)
    if distinct is None:
        distinct = _distinct_lines(_line_frame(batch))
    size = distinct.select(pl.col("text").str.len_bytes().cast(pl.Int64).sum()).item()
    return _Lines(batch, distinct) if size <= _DISTINCT_SHARE * batch.n else None


def _distinct_lines(lines: pl.DataFrame) -> pl.DataFrame:
    """`_line_frame`'s lines grouped: each distinct line (`text`), the offsets of its copies (`at`) and
    whether it is `narrow`."""
    return lines.group_by("text").agg("at", pl.col("narrow").first())


def _line_texts(distinct: pl.DataFrame) -> pl.DataFrame:
    """The distinct lines (`_distinct_lines`) joined in two rows for `_pattern_forms`: `text` of the lines
    written in ASCII and punctuation alone (`narrow`; `ascii` True) and of the others."""
    return distinct.group_by(pl.col("narrow").alias("ascii")).agg(pl.col("text").str.join(""))


# ASCII members of the Unicode classes the discovery rules use (`_ascii_regex`).
_ASCII_CLASSES = {"Lu": "A-Z", "Ll": "a-z", "L": "A-Za-z", "N": "0-9", "Han": ""}


@functools.lru_cache(maxsize=64)
def _ascii_regex(regex: str) -> str:
    r"""`regex` with each Unicode class of `_ASCII_CLASSES` (\p{Lu}, in a bracket class or alone) narrowed
    to its ASCII members: in text written in ASCII alone both match the same strings (every other Unicode
    construct, \d or (?i), already reads ASCII text as ASCII), as they do where the text's other
    characters are `_PUNCTUATION` (no class holds those), and the regex engine's automaton for the
    narrow one is smaller and faster (the person, product and organisation passes of `_PASSES` in 0.6x
    the time on the ASCII lines of the 29 MB corpus of tests/transforms/bench_entities_speed.py, one
    core). KeyError for any other class. (Cached: a character loop over the passes' long regexes cost
    2 ms per call.)"""
    out, depth, i = [], 0, 0
    while i < len(regex):
        if regex.startswith("\\p{", i):
            end = regex.index("}", i)
            members = _ASCII_CLASSES[regex[i + 3 : end]]
            # (alone, a class with no ASCII member becomes an empty class, which matches nothing)
            out.append(members if depth else f"[{members}]" if members else r"[^\x00-\x{10FFFF}]")
            i = end + 1
            continue
        if regex[i] == "\\":
            out.append(regex[i : i + 2])
            i += 2
            continue
        if regex[i] == "[":
            depth += 1
        elif regex[i] == "]" and depth:
            depth -= 1
        out.append(regex[i])
        i += 1
    return "".join(out)


# Passes read with `_ascii_regex` in ASCII lines: those it speeds up most (a regex more per pass costs its
# compilation whenever polars' regex cache has dropped it). (Narrowing the Chinese-title/list and suffix
# passes too read the ASCII lines of the 21.7 MB corpus of tests/transforms/bench_entities_speed.py in
# 16 ms less, but with two regexes more a call of `extract_mentions` on that corpus compiled regexes
# again (the passes over the other lines took 68 ms instead of 11 ms): 0.30 s in the regex passes
# instead of 0.24 s, one core.)
_ASCII_PASSES = ("person_title", "product_kind", "org_cue")


def _pattern_forms(big: pl.DataFrame, rules: list[tuple[str, str, float, str]]) -> pl.DataFrame:
    """The distinct strings the discovery regexes match in the rows of `big` (`text`: the batch's
    distinct lines, `_line_texts`, or any strings; with an `ascii` column, rows where it is True are
    read with `_ascii_regex`), each split once into (context, entity) with its groups:
    match, pre_bytes (context length), surface, type, confidence, rule.

    One regex pass per group of `_PASSES`; each distinct match then goes to the first rule of its group
    that matches all of it: the first alternative of the group's rules, anchored at both ends, that
    matches it (leftmost-first), read from the capture groups of that alternative (every rule has two).
    One anchored regex per group, not one per rule: polars compiles a regex again whenever more than its
    cache's 32 other regexes ran since, which every call of `extract_mentions` does. (Splitting with the
    pass's own, unanchored regex, already in the cache, took 110 ms instead of 7 ms on the distinct
    matches of the 21.7 MB corpus of tests/transforms/bench_entities_speed.py, one core.)"""
    parts = []
    for names in _PASSES:
        group = [r for r in rules if r[3] in names]
        if not group:
            continue
        combined = "|".join(f"(?:{regex})" for _, regex, _, _ in group)
        if "ascii" in big.columns and names[0] in _ASCII_PASSES:
            found = pl.concat(
                [
                    big.filter(pl.col("ascii")).select(
                        pl.col("text").str.extract_all(_ascii_regex(combined))
                    ),
                    big.filter(~pl.col("ascii")).select(pl.col("text").str.extract_all(combined)),
                ]
            )
        else:
            found = big.select(pl.col("text").str.extract_all(combined))
        found = found.select(pl.col("text").explode().unique().drop_nulls()).to_series()
        if found.len() == 0:
            continue
        split = found.to_frame("match").with_columns(
            pl.col("match").str.extract_groups(rf"^(?:{combined})$").alias("g")
        )
        for i, (type_, _, confidence, rule) in enumerate(group):
            context, entity = pl.col("g").struct[2 * i], pl.col("g").struct[2 * i + 1]
            parts.append(
                split.filter(entity.is_not_null()).select(
                    "match",
                    context.fill_null("").str.len_bytes().cast(pl.Int64).alias("pre_bytes"),
                    entity.alias("surface"),
                    pl.lit(type_).alias("type"),
                    pl.lit(confidence).alias("confidence"),
                    pl.lit(rule).alias("rule"),
                )
            )
    return pl.concat(parts) if parts else pl.DataFrame(schema=_PATTERN_FORMS_SCHEMA)


# Regexes and polars' regex cache: polars compiles a regex once per thread and keeps the last 32 it
# compiled there (polars_utils::regex_cache, an LRU cache of 32). One call of `extract_mentions` on one
# document runs about 32 distinct regexes on the calling thread, so any regex more, wherever it runs,
# makes the discovery passes (`_PASSES`, 3-15 ms each to compile) compile again on every call: measured
# on one document, 0.12 s CPU per call at 32 regexes, 0.22 s at 35. Hence the plain string operations
# below and in `_valid_forms`, `_acronym_long_forms` and `extract_mentions` where a regex would be a new
# one. (`str.contains(literal=True)` is a regex too, an escaped one; `contains_any`, `starts_with`,
# `ends_with`, `split`, `strip_chars` and `replace_many` are not.) Which regexes run depends on the
# documents (a rule's checks run only where it found something): on 300 documents of the 21.7 MB corpus
# of tests/transforms/bench_entities_speed.py one regex more still fits (0.21 s CPU a call), two more
# do not (0.31 s).
# Unicode's White_Space characters (regex \s): a first word's `\S+` by string operations.
_WHITESPACE = [
    *"\t\n\x0b\x0c\r \x85\xa0\u1680",
    *map(chr, range(0x2000, 0x200B)),
    *"\u2028\u2029\u202f\u205f\u3000",
]
_ASCII_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _ascii_word(text: pl.Expr, extra: str, min_chars: int) -> pl.Expr:
    """Whether `text` is an ASCII letter followed by ASCII letters, digits or `extra` characters, at
    least `min_chars` characters in all (`^[A-Za-z][A-Za-z0-9<extra>]{min_chars - 1,}$`, without a
    regex: see the note on polars' regex cache above `_WHITESPACE`)."""
    return (
        (text.str.len_chars() >= min_chars)
        & (text.str.strip_chars(_ASCII_LETTERS + "0123456789" + extra) == "")
        & (text.str.slice(0, 1).str.strip_chars(_ASCII_LETTERS) == "")
    )


def _acronym(match: pl.Expr) -> pl.Expr:
    """The acronym an `org_acronym` match ends with ("... Commission (NRC)" -> "NRC"); other matches give
    their text after their last "(" or all of it. (No regex: see the note above `_WHITESPACE`.)"""
    return match.str.split("(").list.last().str.strip_suffix(")")


def _without_country(name: pl.Expr) -> pl.Expr:
    """`name` without a leading "U.S. ", "US " or "UK " (`_GOVERNMENT`'s country prefixes)."""
    return (
        pl.when(name.str.starts_with("U.S. "))
        .then(name.str.slice(5))
        .when(name.str.starts_with("US ") | name.str.starts_with("UK "))
        .then(name.str.slice(3))
        .otherwise(name)
    )


def _department_of(name: pl.Expr) -> pl.Expr:
    """ "<Portfolio> Department" / "<Portfolio> Ministry" as "Department of <Portfolio>" / "Ministry of
    <Portfolio>"; any other name as it is."""
    out = name
    for unit in ("Ministry", "Department"):
        out = (
            pl.when(name.str.ends_with(f" {unit}") & (name.str.len_chars() > len(unit) + 1))
            .then(
                pl.concat_str(
                    [pl.lit(f"{unit} of "), name.str.slice(0, name.str.len_chars() - len(unit) - 1)]
                )
            )
            .otherwise(out)
        )
    return out


def _first_of_pairs(forms: pl.DataFrame) -> pl.DataFrame:
    """`forms` (`_PATTERN_FORMS_SCHEMA`) and, for each organisation cue that introduces two names
    ("producers Acme and Borealis", read as Borealis), a form for the first of them (Acme)."""
    cue = rf"^((?i:{_ORG_BEFORE}) )({_ORG}) and "
    pair = pl.col("rule") == "org_cue_pair"
    pairs = forms.filter(pair)
    if pairs.height == 0:
        return forms
    forms = forms.with_columns(pl.when(pair).then(pl.lit("org_cue")).otherwise("rule").alias("rule"))
    firsts = pairs.with_columns(
        pl.col("match").str.extract(cue, 1).str.len_bytes().cast(pl.Int64).alias("pre_bytes"),
        pl.col("match").str.extract(cue, 2).alias("surface"),
        pl.lit("org_cue").alias("rule"),
    ).filter(pl.col("surface").is_not_null())
    return pl.concat([forms, firsts.select(forms.columns)])


def _acronym_long_forms(forms: pl.DataFrame) -> pl.DataFrame:
    """`forms` (match, surface, pre_bytes, rule, ...) with each `org_acronym` form's surface cut to the
    long form its acronym defines and its pre_bytes moved to match; a null surface where none does.
    "The National Reform Commission (NRC)": the long form is the last words whose capitals are as many
    as the acronym's letters; they must spell it and hold an institution's word (`_ACRONYM_ORG`).

    Words, not regexes (the note above `_WHITESPACE`: five regexes here, one per length, pushed the
    discovery passes' regexes out of polars' cache, to be compiled again on every call). Computed on the
    rule's rows alone, one row per word (list operations on every row cost 0.03 s per 4,000 forms)."""
    is_acronym = pl.col("rule") == "org_acronym"
    if not forms.select(is_acronym.any()).item():
        return forms
    rows = forms.with_row_index("_row")
    found = rows.filter(is_acronym).with_columns(_acronym(pl.col("match")).alias("_acronym"))
    # one row per word (capitalised words and `_LONG_FORM_CONNECTORS`), with the capitals from it to
    # the name's end
    capital = ~pl.col("_word").is_in(_LONG_FORM_CONNECTORS)
    words = (
        found.select("_row", "_acronym", pl.col("surface").str.split(" ").alias("_word"))
        .explode("_word")
        .with_columns(capital.cast(pl.Int32).reverse().cum_sum().reverse().over("_row").alias("_back"))
    )
    letters = pl.col("_acronym").str.len_chars()
    long = (
        words.filter((pl.col("_back") < letters) | ((pl.col("_back") == letters) & capital))
        .group_by("_row", maintain_order=True)
        .agg(
            pl.col("_word").str.join(" ").alias("_long"),
            pl.col("_back").max().alias("_capitals"),
            pl.col("_word").filter(capital).str.slice(0, 1).str.join("").alias("_initials"),
            pl.col("_word").is_in(_ACRONYM_ORG.split("|")).any().alias("_institution"),
        )
    )
    long_form = pl.when((pl.col("_capitals") == letters) & letters.is_between(2, 6)).then(pl.col("_long"))
    defined = (pl.col("_initials") == pl.col("_acronym")) & pl.col("_institution")
    found = found.join(long, on="_row", how="left", maintain_order="left").with_columns(
        (pl.col("pre_bytes") + pl.col("surface").str.len_bytes() - long_form.str.len_bytes()).alias(
            "pre_bytes"
        ),
        pl.when(defined).then(long_form).alias("surface"),
    )
    # (written back in place: a frame rebuilt from parts left later steps' regexes on the calling thread,
    # whose cache of 32 then lost the discovery passes' ones)
    at = found.get_column("_row")
    return forms.with_columns(
        forms.get_column(name).clone().scatter(at, found.get_column(name))
        for name in ("pre_bytes", "surface")
    )


def _org_head(surface: pl.Expr) -> pl.Expr:
    """Whether a name ends with a company's head noun (`_ORG_HEAD`), as its last word or the last part of
    a hyphenated one ("Harlow Motor", "Ganesh Agro-Foods", "Daewon Bio-Pharma"), or opens with a word
    that opens companies' names (`_ORG_OPENERS`: "Grupo Pacifico Azul"). (`str.split`, not a
    regex: the note above `_WHITESPACE`)"""
    words = surface.str.split(" ")
    last = words.list.last()
    return (
        last.is_in(_ORG_HEAD)
        | last.str.split("-").list.last().is_in(_ORG_HEAD)
        | ((words.list.len() > 1) & words.list.first().is_in(_ORG_OPENERS))
    )


def _valid_forms(
    forms: pl.DataFrame,
    lexicons: dict | None,
    known: pl.Series | None = None,
    confidence: dict[str, float] = RULE_CONFIDENCE,
) -> pl.DataFrame:
    """Discovered forms that pass the checks that depend only on the string, with their canonical name
    and byte length. `lexicons` gives `given_names` and `common_words` (warehouse.reference); without
    them the given-name rule finds nothing. `known`: the gazetteer's forms (a product's name does not
    end in one: "Acme Copilot" is Acme + Copilot). A name a person's cue found that ends with a
    company's head noun (`_ORG_HEAD`: "Harlow Motor said") is an organisation's: rule `org_head`, of
    `confidence`'s figure."""
    known_forms = (known if known is not None else pl.Series([], dtype=pl.String)).implode()
    lexicons = lexicons or {}
    given = pl.Series(lexicons.get("given_names") or [], dtype=pl.String).implode()
    common = pl.Series(lexicons.get("common_words") or [], dtype=pl.String).implode()
    non_person = "|".join(_NON_PERSON_TOKENS)
    generic_org = (
        rf"^(?:(?:{_STOP}|{_GENERIC_NOUNS}|{_GENERIC_INSTITUTION}|Artificial|Intelligence|Open|Generative) )*"
        rf"(?:(?:{_ORG_SUFFIX})\.?|{_LEGAL_FORM})$"
    )
    first = pl.col("surface").str.extract(r"^(\S+)")
    last = pl.col("surface").str.extract(r"(\S+)$")
    tail = pl.col("surface").str.extract(r"^\S+ (.+)$")
    tail_first = tail.str.extract(r"^(\S+)")
    not_product = "|".join(sorted({*_NOT_PRODUCT, *_STOPWORDS, *_NON_PERSON_TOKENS}) + [_ORG_SUFFIX])
    # Inside a longer product name "AI" and "Cloud" are part of it ("Acme AI Database", "Acme Cloud
    # Infrastructure"); alone after the organisation they name the organisation's unit ("Acme AI").
    not_product_tail = "|".join(
        sorted({*_NOT_PRODUCT, *_STOPWORDS, *_NON_PERSON_TOKENS} - {"AI", "Cloud"}) + [_ORG_SUFFIX]
    )
    rule = pl.col("rule")
    person, org = pl.col("type") == "PERSON", pl.col("type") == "ORG"
    # A match opening with a possessive word ("Acme's Orbit chips"), as `^\S+(?:'s|’s) ` finds it, without a
    # regex (the note above `_WHITESPACE`), on product_kind's rows alone, where it is used.
    kind_match = pl.when(rule == "product_kind").then(pl.col("match"))
    match_first = kind_match.str.splitn(" ", 2).struct[0]
    possessive = (
        (match_first.str.ends_with("'s") | match_first.str.ends_with("’s"))
        & (match_first.str.len_chars() > 2)
        & ~match_first.str.contains_any(_WHITESPACE)
        & kind_match.str.contains_any([" "])
    )
    # "Harlow Motor said", "said Dunmore Steel.": the cue is a person's, the name a company's.
    # (`str.split`, not a regex: the note above `_WHITESPACE`)
    said = rule.is_in(["person_said", "person_apposition"])
    headed = said & _org_head(pl.when(said).then(pl.col("surface")))
    forms = forms.with_columns(
        pl.when(headed).then(pl.lit("ORG")).otherwise(pl.col("type")).alias("type"),
        pl.when(headed).then(confidence["org_head"]).otherwise(pl.col("confidence")).alias("confidence"),
        pl.when(headed).then(pl.lit("org_head")).otherwise(rule).alias("rule"),
    )
    # A Chinese name is a surname and one or two characters: a third that is a verb or particle ends it.
    forms = forms.with_columns(
        pl.when(
            (rule == "person_zh_title")
            & (pl.col("surface").str.len_chars() == 3)
            # (literal tests, not a regex: the note above `_WHITESPACE`)
            & pl.any_horizontal(pl.col("surface").str.ends_with(c) for c in _ZH_AFTER_NAME)
        )
        .then(pl.col("surface").str.slice(0, 2))
        .otherwise(pl.col("surface"))
        .alias("surface")
    )
    # "Acme Orbit chips": the kind of product after a product's name is not part of it.
    forms = forms.with_columns(
        pl.when(rule == "product_org")
        .then(pl.col("surface").str.replace(rf" (?:{_PRODUCT_KIND})$", ""))
        .otherwise(pl.col("surface"))
        .alias("surface")
    )
    forms = _acronym_long_forms(forms)
    forms = _without_title(forms)
    # Sentence-opening words before an organisation's name are context, not name ("The Acme Group").
    # (and role words, `_ROLE_LEAD`: "Rival Acme Holdings" is Acme Holdings, unless what is left would be
    # a generic name, "Carrier Global Corp"; one regex reads both, the role words' span its second group)
    leads = pl.col("surface").str.extract_groups(rf"^((?:(?:{_LEAD}) )*)((?:(?:{_LEAD}|{_ROLE_LEAD}) )*)")
    lead = leads.struct[0].fill_null("").str.len_bytes()
    role_lead = lead + leads.struct[1].fill_null("").str.len_bytes()
    forms = (
        # (a country before a government department is part of its mention: "US Department of Justice")
        forms.with_columns(
            pl.when(org & ~rule.is_in(["org_government", "org_acronym"]))
            .then(
                pl.when(
                    (role_lead > lead)
                    & (role_lead < pl.col("surface").str.len_bytes())
                    & ~pl.col("surface").str.slice(role_lead).str.contains(generic_org)
                )
                .then(role_lead)
                .otherwise(lead)
                .cast(pl.Int64)
            )
            .otherwise(0)
            .alias("_lead")
        )
        .with_columns(
            (pl.col("pre_bytes") + pl.col("_lead")).alias("pre_bytes"),
            pl.col("surface").str.slice(pl.col("_lead")).alias("surface"),  # ASCII: bytes = characters
        )
        .drop("_lead")
    )
    forms = _without_descriptor(forms)
    # (the lexicons narrowed to the words and strings the filter below looks up in them: its first,
    # second and last words, the whole surface and its words lowercased)
    surface = forms.get_column("surface")
    lower = surface.str.to_lowercase()
    words = _words(surface)
    given, common = _among(
        [
            words,
            words.str.to_lowercase(),
            lower,
            lower.str.split(" ").explode(),
            lower.filter(lower.str.contains_any(["-"])).str.split("-").explode(),
        ],
        given,
        common,
    )
    # "Acme, the second-largest operator, posted": a name in apposition to a company's kind (`_COMPANY_KINDS`;
    # the only cue of `org_cue` with a comma in its match) is an organisation's, whatever its first word.
    appositive = (
        (rule == "org_cue")
        & pl.col("match").str.contains_any([", "])
        & pl.any_horizontal(pl.col("match").str.ends_with(f" {k}") for k in _COMPANY_KINDS)
    )
    ordinary_only = (
        pl.col("surface")
        .str.to_lowercase()
        .str.split(" ")
        .list.eval(pl.element().is_in(common.explode()))
        .list.all()
    )
    return (
        # (computed once: the filter reads each of them three times)
        forms.with_columns(
            possessive.alias("_possessive"),
            last.alias("_last"),
            _org_head(pl.col("surface")).alias("_headed"),
            appositive.fill_null(False).alias("_appositive"),
        )
        .filter(
            pl.col("surface").is_not_null() & (pl.col("surface") != ""),
            # "Paris-based", "state-owned": a word describing a name is not part of it.
            ~pl.col("surface").str.contains(r"-(?:based|owned|backed|listed|led|made|born)(?-u:\b)"),
            ~(person & pl.col("surface").str.contains(rf"(?-u:\b)(?:{non_person}|{_STOP})(?-u:\b)")),
            # "analyst Dorrin Electric": a company's head noun ends no person's name
            ~(person & pl.col("_headed")),
            ~(org & pl.col("surface").str.contains(generic_org)),
            # "Acme Orbit 3": the words after the organisation are neither a known name, a role, a
            # headline's verb nor an organisational word.
            (rule != "product_org")
            | ~(
                ~tail.str.contains(r"\p{L}")
                | tail.str.contains(rf"^(?:(?:{_PRODUCT_KIND}) ?)+$")
                | tail.is_in(known_forms)
                | tail_first.is_in(known_forms)
                | tail_first.is_in(given)
                | tail.str.contains(rf"(?-u:\b)(?:{not_product_tail})(?-u:\b)")
                | tail.is_in(["AI", "Cloud"])
            ),
            (~pl.col("rule").is_in(["product_code", "product_possessive", "product_sibling"]))
            | ~pl.col("surface").str.contains(_NOT_CODE),
            # "Acme's Llama 4": a known name or model family keeps its own reading.
            (rule != "product_possessive") | ~first.is_in(known_forms),
            (rule != "product_possessive")
            | ~(_starts_with_any(pl.col("match"), "its ", "their ") & first.str.to_lowercase().is_in(common)),
            # "the Orbit chips": the name is not an ordinary word or a role; after a known organisation's
            # possessive, not only ordinary words nor a known name ("Acme's Llama chips" is Llama).
            (rule != "product_kind")
            | ~(
                pl.when(pl.col("_possessive"))
                .then(ordinary_only | first.is_in(known_forms))
                .otherwise(first.str.to_lowercase().is_in(common))
                | first.is_in(_STOPWORDS)
                # (each regex reads only the rows it judges: a search of every row costs)
                | pl.when(pl.col("_possessive"))
                .then(
                    pl.when(pl.col("_possessive"))
                    .then(pl.col("surface"))
                    .str.contains(rf"(?-u:\b)(?:{not_product_tail})(?-u:\b)")
                )
                .otherwise(
                    pl.when((rule == "product_kind") & ~pl.col("_possessive").fill_null(False))
                    .then(pl.col("surface"))
                    .str.contains(rf"(?-u:\b)(?:{not_product})(?-u:\b)")
                )
            ),
            # "Jane Roe": the first word is a given name, the last is not an ordinary word.
            (rule != "person_given")
            | (first.is_in(given) & ~pl.col("_last").str.to_lowercase().is_in(common)),
            # "Shares of Tech rose", "Jane Roe raised": a business cue needs a name that is neither an
            # ordinary word nor a person's.
            (rule != "org_cue")
            | ~(
                (
                    ~pl.col("surface").str.contains_any([" "])
                    & pl.col("surface").str.to_lowercase().is_in(common)
                )
                # (a partnership's name is made of people's: "Baxter & Crane")
                # (and a company's head noun after a given name: "Ganesh Agro-Foods raised")
                # (and a company's kind in apposition: "Morgan Fenwick, the second-largest lender")
                | (
                    first.is_in(given)
                    & ~pl.col("_appositive")
                    & ~pl.col("surface").str.contains_any([" & "])
                    & ~(pl.col("surface").str.contains_any([" "]) & pl.col("_headed"))
                )
                | first.is_in(_STOPWORDS)
                # (a company's head noun after an ordinary first word makes a name: "companies like
                # Grand Vellum Steel")
                | (
                    first.str.to_lowercase().is_in(common)
                    & ~(
                        pl.col("surface").str.contains_any([" "])
                        & (pl.col("_headed") | pl.col("_appositive"))
                    )
                )
                # "Non-Executive Chairman Jane Roe": one word made of ordinary words joined by hyphens
                # (not of a letter: "T-Mobile")
                | pl.when(
                    (rule == "org_cue")
                    & pl.col("surface").str.contains_any(["-"])
                    & ~pl.col("surface").str.contains_any([" "])
                )
                .then(pl.col("surface").str.to_lowercase().str.split("-"))
                .list.eval(pl.element().is_in(common.explode()) & (pl.element().str.len_chars() > 1))
                .list.all()
                .fill_null(False)
            ),
        )
        # (an apposition that alone made an organisation of a name a given name or an ordinary word opens
        # is checked at each occurrence, `_candidates`: not before a possessive, "Jane Roe, the company's
        # chief executive", where the person's name keeps its reading)
        .with_columns(
            (pl.col("_appositive") & (first.is_in(given) | first.str.to_lowercase().is_in(common))).alias(
                "apposed"
            )
        )
        .drop("_possessive", "_last", "_headed", "_appositive")
        .with_columns(
            # One canonical spelling: collapse whitespace runs and drop the legal form, so "Acme Robotics"
            # and "Acme Robotics, Inc." link to one entity.
            pl.col("surface")
            .str.replace_all(r"\s+", " ")
            .str.replace(rf"(?:,? (?:{_LEGAL_FORM}))+$", "")
            .alias("name"),
            pl.col("surface").str.len_bytes().cast(pl.Int64).alias("n"),
            # "Acme NLP technology": a lone acronym after the organisation modifies a lowercase noun
            # that follows it (the organisation's NLP technology); it is no product's name there.
            # Checked at each occurrence (`_candidates`), so the regex's matches stay few.
            ((rule == "product_org") & tail.str.contains(r"^\p{Lu}{2,}$")).alias("modifier"),
            # "A Small Company Diversifies": a cue written with a capital is read only where a sentence
            # or line starts; after a word it is a headline's Title Case, where capitals say nothing
            # about names. Checked at each occurrence too.
            (
                (rule == "org_cue")
                & pl.col("match").str.contains(r"^\p{Lu}")
                & pl.col("match").str.contains(rf"^(?i:{_ORG_BEFORE}) ")
                & ~pl.col("match").str.contains(r"^[\p{L}-]+-(?:based|listed) ")
                # (an acronym is capitalised anywhere)
                & ~pl.col("match").str.starts_with("CEO ")
            ).alias("title_cue"),
        )
        .with_columns(
            # "Acme's Rover 3" is the product "Acme Rover 3".
            pl.when((rule == "product_possessive") & ~_starts_with_any(pl.col("match"), "its ", "their "))
            .then(
                pl.concat_str([pl.col("match").str.extract(r"^(.+?)(?:'s|’s) "), pl.lit(" "), pl.col("name")])
            )
            # "the U.S. Justice Department" is the "Department of Justice" (`_GOVERNMENT`).
            .when(rule == "org_government")
            .then(_department_of(_without_country(pl.col("name"))))
            .otherwise(pl.col("name"))
            .alias("name")
        )
        .with_columns(
            # (Indonesia's legal form opens the name: "PT Nusantara Mitra Tbk" is Nusantara Mitra)
            pl.when(org).then(pl.col("name").str.strip_prefix("PT ")).otherwise(pl.col("name")).alias("name")
        )
        .with_columns(entity_id_expr(pl.col("type"), pl.col("name")).alias("entity_id"))
    )


# Words that describe an organisation glued to its name's first word by a hyphen ("Nasdaq-listed Acme
# Technologies", "Lagos-based Acme Foods", "state-owned Acme Bank"): the name a suffix rule reads from
# its first capital holds them.
_DESCRIBED_BY = ("-based", "-listed", "-backed", "-owned", "-led", "-made", "-born")


def _without_descriptor(forms: pl.DataFrame) -> pl.DataFrame:
    """`forms` with a first word that describes an organisation's name ("Nasdaq-listed", `_DESCRIBED_BY`)
    moved from an organisation's surface to its context (`pre_bytes`), as `_LEAD` words are, and such a
    word's ending cut from a person's name ("Jane Roe-led"). (String
    tests, not a regex: the note above `_WHITESPACE`.)"""
    first = pl.col("surface").str.split(" ").list.first()
    described = (
        (pl.col("type") == "ORG")
        & pl.col("surface").str.contains_any([" "])
        & pl.any_horizontal(first.str.ends_with(d) for d in _DESCRIBED_BY)
    )
    # (and from a person's name's end, which a title's rule reads with it: "analyst Jane Roe-led teams";
    # a name found without a title is a place's there: "Marta Vellmora-based startups")
    person = (pl.col("rule") == "person_title") & pl.any_horizontal(
        pl.col("surface").str.ends_with(d) for d in _DESCRIBED_BY
    )
    stripped = pl.col("surface")
    for d in _DESCRIBED_BY:
        stripped = stripped.str.strip_suffix(d)
    return forms.with_columns(
        pl.when(described)
        .then(pl.col("pre_bytes") + first.str.len_bytes().cast(pl.Int64) + 1)
        .otherwise(pl.col("pre_bytes"))
        .alias("pre_bytes"),
        pl.when(described)
        .then(pl.col("surface").str.slice(first.str.len_chars() + 1))
        .when(person)
        .then(stripped)
        .otherwise(pl.col("surface"))
        .alias("surface"),
    )


def _org_verb_confidence(forms: pl.DataFrame, confidence: dict[str, float]) -> pl.DataFrame:
    """`forms` (as `_valid_forms` returns them) with the `org_verb` rule and confidence on the cue rule's
    names found by what only an organisation does (`_ORG_VERBS`, `_ORG_VERB_POSSESSIVE`): a name no
    other cue names, on a verb, is less sure than one a cue before it names."""
    verb = (pl.col("rule") == "org_cue") & pl.col("match").str.contains_any(_ORG_VERB_MARKS)
    return forms.with_columns(
        pl.when(verb).then(confidence["org_verb"]).otherwise(pl.col("confidence")).alias("confidence"),
    )


def _without_title(forms: pl.DataFrame) -> pl.DataFrame:
    """Organisation forms (surface, type, ...) cut before a word that opens a title (`_TITLE_OPENERS`):
    "Acme Chief Financial" (before "Officer") -> "Acme", "Chief Financial" -> "" (dropped by the
    filter). The start stays, so the byte offsets hold. (String operations, not a regex: the note
    above `_WHITESPACE`.)"""
    titled = (pl.col("type") == "ORG") & pl.col("surface").str.contains_any([f"{w} " for w in _TITLE_OPENERS])
    if not forms.select(titled.any()).item():
        return forms
    words = pl.when(titled).then(pl.col("surface")).str.split(" ")
    opener = words.list.eval(pl.element().is_in(_TITLE_OPENERS))
    return forms.with_columns(
        pl.when(titled & opener.list.any())
        .then(words.list.head(opener.list.arg_max()).list.join(" "))
        .otherwise(pl.col("surface"))
        .alias("surface")
    )


def _among(values: list[pl.Series], *lexicons: pl.Series) -> list[pl.Series]:
    """Each of `lexicons` (an imploded list of strings, for `is_in`) narrowed to its members among
    `values`: `x.is_in` answers the same with either list for any x of `values`. polars' `is_in` builds a
    hash set of its list whenever it runs (2 ms for the 45,000 given names, several times a call); the
    narrowed lists are small, and narrowing hashes each long list once. (No regex: the note above
    `_WHITESPACE`.)"""
    seen = pl.concat(values).drop_nulls().unique().implode()
    return [lex.explode().filter(lex.explode().is_in(seen)).implode() for lex in lexicons]


def _words(texts: pl.Series) -> pl.Series:
    """The words of `texts` split at whitespace (regex `\\S+`, without a regex), empty strings included."""
    return texts.str.replace_many(_WHITESPACE, [" "] * len(_WHITESPACE)).str.split(" ").explode()


def _starts_with_any(text: pl.Expr, *prefixes: str) -> pl.Expr:
    """Whether `text` starts with one of `prefixes`. (Literal tests keep polars' regex cache, 32 regexes,
    for the regexes that cost most to compile: `_ASCII_PASSES`.)"""
    return pl.any_horizontal(text.str.starts_with(p) for p in prefixes)


def _list_items(
    lists: pl.Series,
    gazetteer: pl.DataFrame,
    cued: pl.Series,
    lexicons: dict | None,
    confidence: dict[str, float],
) -> pl.DataFrame:
    """Organisations and products named by coordination: the items of each list matched by the
    `org_list` regex ("Acme, Borealis Partners and Quillon"), as pattern forms (match = the list,
    pre_bytes = the item's byte offset in it).

    A list (three or more items, by the regex) is of organisations when one of its items is a known
    organisation (a gazetteer form) or a cued one found in this batch (`cued`) and no known item is of
    another type; of products when its known items are all products ("Orbit, Android and Chrome").
    Lists with a known place or person, or with both kinds, name nothing. Its new items take the
    list's type unless they begin with a known name ("Intel Stocks Fall" in a headline), open with a
    sentence word ("The"), are a person's name (as `person_given` reads one) or are one ordinary word
    ("Target"): alone, such a word is too often the word to be named everywhere else it occurs.

    Like every discovered form, an item is then a mention wherever the batch writes it in that case.
    The regex pass is one extra DFA scan (ASCII classes); the splitting runs on the distinct lists."""
    schema = _PATTERN_FORMS_SCHEMA
    if lists.len() == 0:
        return pl.DataFrame(schema=schema)
    lexicons = lexicons or {}
    given = pl.Series(lexicons.get("given_names") or [], dtype=pl.String).implode()
    common = pl.Series(lexicons.get("common_words") or [], dtype=pl.String).implode()
    known = gazetteer.get_column("alias").implode()
    # The kind of each known item: an organisation (a gazetteer form or a cued name) before a product
    # before anything else ("Toyota" is a city and a carmaker: it counts as an organisation).
    kinds = (
        pl.concat(
            [
                pl.DataFrame({"item": cued, "kind": "ORG"}, schema={"item": pl.String, "kind": pl.String}),
                gazetteer.select(
                    pl.col("alias").alias("item"),
                    pl.when(pl.col("type").is_in(["ORG", "PRODUCT"]))
                    .then(pl.col("type"))
                    .otherwise(pl.lit("OTHER"))
                    .alias("kind"),
                ),
            ]
        )
        .with_columns(pl.col("kind").replace_strict({"ORG": 0, "PRODUCT": 1, "OTHER": 2}).alias("_rank"))
        .sort("_rank", maintain_order=True)
        .unique("item", keep="first", maintain_order=True)
        .drop("_rank")
    )
    item, size = pl.col("item"), pl.col("item").str.len_bytes().cast(pl.Int64)
    chunks = (
        lists.rename("match")
        .to_frame()
        .with_row_index("list")
        .with_columns(pl.col("match").str.split(", ").alias("item"))
        .explode("item")
        .with_columns(
            (size + 2).cum_sum().over("list").alias("_end"),
            (pl.int_range(pl.len()).over("list") == pl.len().over("list") - 1).alias("last"),
        )
        .with_columns((pl.col("_end") - size - 2).alias("off"))
    )
    # The last chunk holds the last two items ("Borealis and Quillon") unless an Oxford comma split
    # them ("and Quillon"). (A known name with an "and" split here is still found by the gazetteer,
    # whose mention no organisation pattern overrides.)
    last = chunks.filter(pl.col("last"))
    conjunction = _starts_with_any(item, "and ", "or ")
    tail = last.filter(conjunction)
    pair = last.filter(~conjunction)

    def piece(frame: pl.DataFrame, text: pl.Expr) -> pl.DataFrame:
        # `text` ends where the chunk ends (Oxford-comma item, right item) or starts where it starts.
        return frame.select("list", "match", text.alias("item"), "off", size.alias("_size")).with_columns(
            pl.col("item").str.len_bytes().cast(pl.Int64).alias("_n")
        )

    stripped = pl.when(item.str.starts_with("and ")).then(item.str.slice(4)).otherwise(item.str.slice(3))
    left, right = item.str.extract(r"^(.*) (?:and|or) "), item.str.extract(r"^.* (?:and|or) (.+)$")
    ends = pl.concat([piece(tail, stripped), piece(pair, right)]).with_columns(
        (pl.col("off") + pl.col("_size") - pl.col("_n")).alias("off")
    )
    parts = pl.concat(
        [
            chunks.filter(~pl.col("last")).select("list", "match", "item", "off"),
            piece(pair, left).select("list", "match", "item", "off"),
            ends.select("list", "match", "item", "off"),
        ]
    ).filter(pl.col("item").is_not_null() & (pl.col("item") != ""))
    first = item.str.extract(r"^(\S+)")
    parts = parts.join(kinds, on="item", how="left")
    # (the lists narrowed to the words and strings looked up in them below: `_among`)
    words = _words(parts.get_column("item"))
    lower = parts.get_column("item").str.to_lowercase()
    known, given, common = _among([words, words.str.to_lowercase(), lower], known, given, common)
    lists_ok = (
        parts.group_by("list")
        .agg(pl.col("kind").drop_nulls().unique().alias("kinds"), pl.col("kind").is_null().any().alias("new"))
        .filter(pl.col("new") & (pl.col("kinds").list.len() == 1))
        .select("list", pl.col("kinds").list.first().alias("type"))
        .filter(pl.col("type").is_in(["ORG", "PRODUCT"]))
    )
    return (
        parts.join(lists_ok, on="list")
        .filter(
            pl.col("kind").is_null(),
            ~first.is_in(known),
            ~first.is_in(_STOPWORDS),
            # a person's name: a given name and a last word that is no ordinary word ("Jane Roe")
            ~(
                first.is_in(given)
                & item.str.contains_any([" "])
                & ~item.str.extract(r"(\S+)$").str.to_lowercase().is_in(common)
            ),
            ~(~item.str.contains_any([" "]) & item.str.to_lowercase().is_in(common)),
        )
        .select(
            "match",
            pl.col("off").alias("pre_bytes"),
            pl.col("item").alias("surface"),
            "type",
            pl.when(pl.col("type") == "ORG")
            .then(confidence["org_list"])
            .otherwise(confidence["product_list"])
            .alias("confidence"),
            pl.when(pl.col("type") == "ORG")
            .then(pl.lit("org_list"))
            .otherwise(pl.lit("product_list"))
            .alias("rule"),
        )
        .cast(schema)
    )


def _known_names(forms: pl.DataFrame, gazetteer: pl.DataFrame) -> pl.DataFrame:
    """Discovered organisations that a legal form ends and the gazetteer knows ("X Corp." where it knows
    "X Corp", "Acme Robotics Inc." where it knows "Acme Robotics") are the gazetteer's entity (entity_id,
    name): the legal form (or its period) names no other company. The surface less its final period is
    tried before the name less its legal form. Forms the gazetteer gives to one ORG entity only, and only
    unconditionally (no `requires_doc`/`unless_doc`)."""
    known = (
        gazetteer.filter(
            (pl.col("type") == "ORG")
            & (pl.col("requires_doc").list.len() == 0)
            & (pl.col("unless_doc").list.len() == 0)
        )
        .select("alias", "entity_id", "name")
        .unique()
        .filter(pl.len().over("alias") == 1)
    )
    legal = (pl.col("type") == "ORG") & (pl.col("name") != pl.col("surface"))
    if known.height == 0 or not forms.select(legal.any()).item():
        return forms
    keys = forms.with_columns(
        pl.when(legal)
        .then(pl.col("surface").str.replace_all(r"\s+", " ").str.strip_suffix("."))
        .alias("_k1"),
        pl.when(legal).then(pl.col("name")).alias("_k2"),
    )
    for key in ("_k1", "_k2"):
        keys = (
            keys.join(
                known.rename({"alias": key, "entity_id": "_id", "name": "_name"}),
                on=key,
                how="left",
                maintain_order="left",
            )
            .with_columns(
                pl.coalesce("_id", "entity_id").alias("entity_id"),
                pl.coalesce("_name", "name").alias("name"),
                # (the first key that is known decides)
                pl.when(pl.col("_id").is_not_null()).then(None).otherwise(pl.col("_k2")).alias("_k2"),
            )
            .drop("_id", "_name")
        )
    return keys.drop("_k1", "_k2")


# Words of an organisation's name that name no one organisation alone (`_link_forms`): legal forms,
# organisational and generic words, company heads, sentence openers.
_DISTINCT_NOT = sorted(
    {
        *_STOPWORDS,
        *_ORG_HEAD,
        *_ORG_OPENERS,
        *_NON_PERSON_TOKENS,
        *_TITLE_OPENERS,
        *_ORG_SUFFIX.split("|"),
        *_DESIGNATOR.split("|"),
        *_GENERIC_NOUNS.split("|"),
        *_GENERIC_INSTITUTION.split("|"),
        *_ACRONYM_ORG.split("|"),
        *(w.replace("\\", "") for w in _LEGAL_ABBREV.split("|")),
        *_LEGAL_WORD.split("|"),
        "Co",
    }
)


def _link_forms(forms: pl.DataFrame, lexicons: dict | None) -> pl.DataFrame:
    """(entity_id, name, type, link): strings that name a discovered entity at its other occurrences in
    a document where a cue found it: the name itself, a model number's or versioned product's surface
    ("MX450", "Rover 3" after "Acme's Rover 3"), a person's surname ("Roe" after "Jane Roe"), an
    organisation's first word when it is an acronym or not an ordinary word ("ZT" after "ZT Systems"),
    or when the rest is a corporate designator (`_DESIGNATOR`: "Reed" after "Reed Holdings")."""
    common = pl.Series((lexicons or {}).get("common_words") or [], dtype=pl.String).implode()
    first = pl.col("name").str.extract(r"^(\S+) ")
    last = pl.col("name").str.extract(r" (\S+)$")
    # (and a start-up's bare name: "Figure" after "Figure AI", as `_BARE_TAILS` for known names)
    designated = pl.col("name").str.contains(rf"^\p{{Lu}}\S+ (?:{_DESIGNATOR}|{_START_UP_TAIL})$")
    short = (
        pl.when(pl.col("type") == "PERSON")
        .then(last)
        .when(
            (pl.col("type") == "ORG")
            & (first.str.contains(r"^\p{Lu}[\p{Lu}\d]+$") | (first.str.len_chars() >= 4) | designated)
            & ~first.is_in(_STOPWORDS)
        )
        .then(first)
    )
    base = forms.filter(pl.col("type").is_in(["ORG", "PERSON"])).select("entity_id", "name", "type").unique()
    links = pl.concat(
        [
            base.with_columns(pl.col("name").alias("link")),
            # (An ordinary word is no link, unless all the name adds to it is a designator: "Reed" of
            # "Reed Holdings" is the company in a document that names "Reed Holdings".)
            # (an organisation's first word, like its other words below, only where no other entity of
            # the document has it: `_word`)
            base.with_columns(
                short.alias("link"), designated.alias("_designated"), (pl.col("type") == "ORG").alias("_word")
            )
            .filter(
                pl.col("link").is_not_null()
                & (~pl.col("link").str.to_lowercase().is_in(common) | pl.col("_designated"))
            )
            .drop("_designated"),
            # Any other distinctive word of an organisation's longer name ("Jio" of "Reliance Jio
            # Infocomm"): capitalised, not an ordinary English word (`common_words`, wordfreq), a legal
            # form, an organisational or generic word ("Holdings", "Energy", "Bank": `_DISTINCT_NOT`) or a
            # sentence opener; `_link_hits` keeps it only where no other entity of the document has it.
            base.filter((pl.col("type") == "ORG") & pl.col("name").str.contains_any([" "]))
            .with_columns(pl.col("name").str.split(" ").alias("link"), pl.lit(True).alias("_word"))
            .explode("link")
            .filter(
                (pl.col("link").str.len_chars() >= 3)
                # (a capital first, no punctuation but a hyphen: string tests, the note above `_WHITESPACE`)
                & (pl.col("link").str.slice(0, 1).str.to_lowercase() != pl.col("link").str.slice(0, 1))
                # (an acronym after the first word is a kind's or a unit's more often than the name's:
                # "YU7 SUV", "Acme AI"; the first word's is `short`'s)
                & (pl.col("link").str.to_uppercase() != pl.col("link"))
                & ~pl.col("link").str.contains_any([".", ",", "&", "'", "’", "(", ")", "/"])
                & ~pl.col("link").str.to_lowercase().is_in(common)
                & ~pl.col("link").is_in(_DISTINCT_NOT)
            ),
            # An acronym its organisation's name defined ("... Commission (NRC)") names it.
            forms.filter(pl.col("rule") == "org_acronym").select(
                "entity_id", "name", "type", _acronym(pl.col("match")).alias("link")
            ),
            # A model number named once by its cue ("the GPU MX450", "Acme's Rover 3") is the product
            # wherever else the document writes it.
            forms.filter(pl.col("rule").is_in(["product_code", "product_possessive"])).select(
                "entity_id", "name", "type", pl.col("surface").alias("link")
            ),
        ],
        how="diagonal",
    )
    return links.with_columns(pl.col("_word").fill_null(False)).unique(
        ["entity_id", "link"], maintain_order=True
    )


def _pattern_hits(found: pl.DataFrame, forms: pl.DataFrame) -> pl.LazyFrame:
    """Spans matched by the discovery regexes.

    `extract_all` gives the matched strings but not where they are; they are searched for together with
    the gazetteer forms (`found`, already word-bounded), and their exact-case occurrences are kept here.
    """
    return (
        found.lazy()
        .filter(pl.col("surface").is_in(forms.get_column("match").unique().implode()))
        .rename({"surface": "match", "bstart": "mstart"})
        .unique(subset=["mstart", "match"], maintain_order=True)
        .join(forms.lazy(), on="match", maintain_order="left")
        .with_columns((pl.col("mstart") + pl.col("pre_bytes")).alias("bstart"))
        .with_columns((pl.col("bstart") + pl.col("n")).alias("bend"))
        .select(
            "bstart",
            "bend",
            "surface",
            "type",
            "confidence",
            "rule",
            "name",
            "entity_id",
            "modifier",
            "title_cue",
            "apposed",
            "mstart",
            (pl.col("mstart") + pl.col("match").str.len_bytes().cast(pl.Int64)).alias("mend"),
        )
    )


def _link_hits(
    found: pl.DataFrame, pattern: pl.DataFrame, links: pl.DataFrame, confidence: float
) -> pl.DataFrame:
    """Occurrences of a discovered entity's link strings (`_link_forms`) in the documents where a cue
    found it; `found` holds their word-bounded occurrences up to ASCII case (exact case kept here)."""
    # Ordered, so that where two entities share a link string at one occurrence ("YU2" of a product
    # and of an organisation), `_resolve_overlaps` keeps the same one on every run (the first by id).
    where = (
        pattern.select("doc_start", "entity_id")
        .unique()
        .sort("doc_start", "entity_id")
        .join(links, on="entity_id", maintain_order="left")
        # (a word of a longer name names the organisation only where no other entity of the document has it)
        .filter(~pl.col("_word") | (pl.col("entity_id").n_unique().over("doc_start", "link") == 1))
    )
    return (
        found.join(
            where,
            left_on=["doc_start", "surface"],
            right_on=["doc_start", "link"],
            maintain_order="left_right",
        )
        .with_columns(
            (pl.col("bstart") + pl.col("surface").str.len_bytes().cast(pl.Int64)).alias("bend"),
            pl.lit(confidence).alias("confidence"),
        )
        .select("doc_start", "bstart", "bend", "surface", "entity_id", "name", "type", "confidence")
    )


def _candidates(
    batch: pl.DataFrame,
    gazetteer: pl.DataFrame,
    rules: list,
    lexicons: dict | None = None,
    confidence: dict[str, float] = RULE_CONFIDENCE,
    registry_ids: pl.Series | None = None,
) -> pl.LazyFrame:
    """All gazetteer and pattern candidates of one batch, with doc_id and global byte offsets.
    `registry_ids`: entities whose gazetteer rows come from the registry (method `registry`)."""
    sep = len(_SEP.encode())
    lengths = batch.get_column("text").str.len_bytes().cast(pl.Int64).to_numpy() + sep
    doc_starts = np.cumsum(lengths) - lengths
    # every document ends with _SEP (joined as bytes: one copy, not one per step)
    sep_bytes = _SEP.encode()
    raw = _Bytes(sep_bytes.join([*batch.get_column("text").cast(pl.Binary).to_list(), b""]))

    gazetteer = gazetteer.with_row_index("_g")
    distinct = _distinct_lines(_line_frame(raw))
    lines = _repeated_lines(raw, distinct)
    # (a rule that names a newline, through a gazetteer name it holds, may match across lines)
    newline_rule = any("\n" in regex for _, regex, _, _ in rules)
    raw_forms = _first_of_pairs(
        _pattern_forms(
            pl.DataFrame({"text": [raw.raw.decode()]}) if newline_rule else _line_texts(distinct), rules
        )
    )
    is_list = pl.col("rule") == "org_list"
    # Lists read the other rules' organisations as found (one `_valid_forms` pass for all forms).
    items = _list_items(
        raw_forms.filter(is_list).get_column("match").unique(),
        gazetteer,
        raw_forms.filter(pl.col("rule").is_in(["org_suffix", "org_cue"])).get_column("surface"),
        lexicons,
        confidence,
    )
    forms = _known_names(
        _org_verb_confidence(
            _valid_forms(
                pl.concat([raw_forms.filter(~is_list), items]),
                lexicons,
                gazetteer.get_column("alias"),
                confidence,
            ),
            confidence,
        ),
        gazetteer,
    )
    # Model numbers are looked for only when their letters are a cued one's somewhere in the batch.
    letters = pl.col("surface").str.extract(_CODE_LETTERS)
    cued_letters = forms.filter(pl.col("rule") == "product_code").select(letters).to_series().drop_nulls()
    forms = forms.filter((pl.col("rule") != "product_sibling") | letters.is_in(cued_letters.implode()))
    # Only names the gazetteer does not know are linked (it finds its own names everywhere already).
    links = (
        _link_forms(forms, lexicons)
        .join(gazetteer.select("entity_id").unique(), on="entity_id", how="anti")
        .join(gazetteer.select(pl.col("alias").alias("link")).unique(), on="link", how="anti")
    )
    aliases = gazetteer.get_column("alias").unique(maintain_order=True).to_list()
    matches = forms.get_column("match").unique(maintain_order=True).to_list()
    phrases = _blocking_phrases(gazetteer)
    vetoes = gazetteer.filter(pl.col("unless_doc").list.len() > 0).select("unless_doc").explode("unless_doc")
    words = vetoes.get_column("unless_doc").unique().to_list()
    # One overlapping, ASCII-case-insensitive scan over the batch for every string any rule looks for:
    # gazetteer forms, strings the discovery regexes matched, `not_followed_by` phrases, `unless_doc`
    # words and the link strings of discovered names (the exact-case ones are picked by the joins that
    # use them: all but the gazetteer's are cased). Each side then keeps the occurrences that are its own.
    # A gazetteer form that begins with a lowercase letter may match a capitalised word (a form in any
    # case; a place in capitals, `_gazetteer_hits`); one with a capital matches only capitals
    # (`initial_upper`).
    alias_cased = (
        pl.Series(aliases, dtype=pl.String)
        .str.slice(0, 1)
        .is_in(list(string.ascii_lowercase))
        .not_()
        .to_list()
    )
    alias_found, match_found, phrase_found, word_found, link_found = _search(
        raw,
        [
            (aliases, True, alias_cased),
            (matches, True, True),
            (phrases.get_column("surface").to_list(), True, True),
            (words, False, True),
            (links.get_column("link").unique().to_list(), True, True),
        ],
        lines,
    )
    # (sorted while it has four columns; the gazetteer's are gathered in that order)
    hits = _gazetteer_hits(alias_found, raw, gazetteer).sort("bstart", maintain_order=True)
    hits = pl.concat(
        [
            hits,
            gazetteer.select(
                "entity_id",
                "name",
                "type",
                "lexicon",
                (pl.col("requires_doc").list.len() > 0).alias("conditional"),
                (pl.col("unless_doc").list.len() > 0).alias("vetoable"),
            )[hits.get_column("_g")],
        ],
        how="horizontal",
    )
    blocked = _blocked_by_next_word(phrase_found, raw, phrases).collect(engine=_ENGINE)
    if blocked.height:
        # (the join does not promise the order of the hits: sorted again)
        hits = hits.join(blocked, on=["bstart", "entity_id"], how="anti").sort("bstart", maintain_order=True)
    # Materialised once: the context rules below read these hits twice. Rules in list columns are joined
    # by gazetteer row (`_g`) onto the few hits that have them, not carried along by every hit.
    # Documents are told apart by their start offset; their ids are only attached to the chosen mentions.
    hits = _with_doc_start(hits, doc_starts).lazy()
    # unless_doc: a form is void in documents containing one of its listed words ("qubit" + "quantum").
    if words:
        seen = (
            _with_doc_start(word_found, doc_starts)
            .lazy()
            .select("doc_start", pl.col("surface").alias("veto"))
            .unique()
        )
        vetoed = (
            hits.filter(pl.col("vetoable"))
            .select("doc_start", "bstart", "entity_id", "_g")
            .join(gazetteer.lazy().select("_g", pl.col("unless_doc").alias("veto")), on="_g")
            .explode("veto")
            .join(seen, on=["doc_start", "veto"], how="semi")
            .select("bstart", "entity_id")
            .unique()
        )
        hits = hits.join(vetoed, on=["bstart", "entity_id"], how="anti")
    # Context rules: a conditional form needs an unconditional mention of a named entity in the same doc.
    unconditional = hits.filter(~pl.col("conditional"))
    # (only the names some rule requires: a few of the batch's 100,000s of hits)
    required = gazetteer.get_column("requires_doc").explode().drop_nulls().unique().implode()
    present = (
        unconditional.filter(pl.col("name").is_in(required))
        .select("doc_start", pl.col("name").alias("required"))
        .unique()
    )
    conditional = (
        hits.filter(pl.col("conditional"))
        .join(gazetteer.lazy().select("_g", pl.col("requires_doc").alias("required")), on="_g")
        .explode("required")
        .join(present, on=["doc_start", "required"], how="semi")
        .drop("required")
    )
    columns = [
        "doc_start",
        "bstart",
        "bend",
        "surface",
        "entity_id",
        "name",
        "type",
        "method",
        "confidence",
        "protected",
        "extends",
    ]
    gaz = (
        pl.concat(
            [
                unconditional.with_columns(
                    pl.when(pl.col("lexicon"))
                    .then(confidence["lexicon"])
                    .otherwise(confidence["gazetteer"])
                    .alias("confidence")
                ),
                conditional.with_columns(pl.lit(confidence["context"]).alias("confidence")),
            ]
        )
        .with_columns(
            pl.lit(METHOD_GAZETTEER).alias("method"),
            (
                pl.col("entity_id").is_in(registry_ids.implode())
                if registry_ids is not None
                else pl.lit(False)
            ).alias("_registry"),
        )
        .with_columns(
            pl.when("_registry").then(pl.lit(METHOD_REGISTRY)).otherwise("method").alias("method"),
            pl.when("_registry").then(confidence["registry"]).otherwise("confidence").alias("confidence"),
            (~pl.col("lexicon")).alias("protected"),
            pl.lit(False).alias("extends"),
        )
    )
    pat_frame = _with_doc_start(
        _pattern_hits(match_found, forms).collect(engine=_ENGINE).sort("bstart", maintain_order=True),
        doc_starts,
    )
    bend = pat_frame.get_column("bend").to_numpy()
    after = raw.u8[np.minimum(bend, raw.n - 1)], raw.u8[np.minimum(bend + 1, raw.n - 1)]
    lower_next = (bend + 1 < raw.n) & (after[0] == 32) & (after[1] >= 97) & (after[1] <= 122)
    # A word (or a comma) right before a capitalised cue: the cue is inside a Title Case line.
    mstart = pat_frame.get_column("mstart").to_numpy()
    before = raw.u8[np.maximum(mstart - 1, 0)], raw.u8[np.maximum(mstart - 2, 0)]
    mid_line = (mstart >= 2) & (before[0] == 32) & (_WORD_BYTE[before[1]] | (before[1] == ord(",")))
    drop = (pat_frame.get_column("modifier").to_numpy() & lower_next) | (
        pat_frame.get_column("title_cue").to_numpy() & mid_line
    )
    pat_frame = _apposed(pat_frame.filter(pl.Series(~drop)), raw)
    pat_frame = _siblings(pat_frame)
    linked = _link_hits(_with_doc_start(link_found, doc_starts), pat_frame, links, confidence["link"])
    pat = (
        pl.concat(
            [
                pat_frame.select(
                    *linked.columns,
                    pl.col("rule").is_in(["org_suffix", "org_government", "org_head"]).alias("extends"),
                ),
                linked.with_columns(pl.lit(False).alias("extends")),
            ]
        )
        .lazy()
        .with_columns(pl.lit(METHOD_PATTERN).alias("method"), pl.lit(False).alias("protected"))
    )
    chosen = _resolve_overlaps(
        _full_stops(pl.concat([gaz.select(columns), pat.select(columns)]).collect(engine=_ENGINE), raw)
    )
    doc = np.searchsorted(doc_starts, chosen.get_column("bstart").to_numpy(), "right") - 1
    doc_start = raw.chars(doc_starts)[doc]  # (one search per document, not per mention)
    return chosen.with_columns(
        batch.get_column("doc_id").gather(doc),
        batch.get_column("_rank").gather(doc),
        pl.Series("start", raw.chars(chosen.get_column("bstart").to_numpy()) - doc_start),
        pl.Series("end", raw.chars(chosen.get_column("bend").to_numpy()) - doc_start),
    ).lazy()


def _apposed(pat: pl.DataFrame, raw: _Bytes) -> pl.DataFrame:
    """Pattern hits (bstart, bend, type, apposed, mend, ...) where a name in apposition to a company's kind
    (`apposed`: "Morgan Fenwick, the second-largest lender") is the organisation: the person a given name
    makes of the same span is dropped, unless a possessive follows the kind ("Jane Roe, the company's
    chief executive": the organisation's reading is dropped instead)."""
    apposed = pat.get_column("apposed").fill_null(False).to_numpy()
    if not apposed.any():
        return pat
    mend = pat.get_column("mend").to_numpy()
    a, b = raw.u8[np.minimum(mend, raw.n - 1)], raw.u8[np.minimum(mend + 2, raw.n - 1)]
    # (' or the right single quotation mark, U+2019: E2 80 99)
    possessive = (mend < raw.n) & ((a == ord("'")) | ((a == 0xE2) & (b == 0x99)))
    wrong = apposed & possessive
    spans = pat.filter(pl.Series(apposed & ~possessive)).select("bstart", "bend").unique()
    person = pat.select((pl.col("type") == "PERSON").alias("p")).to_series().to_numpy()
    keyed = pat.select("bstart", "bend").with_row_index("_i")
    yielded = keyed.join(spans, on=["bstart", "bend"]).get_column("_i").to_numpy()
    drop = wrong.copy()
    drop[yielded[person[yielded]]] = True
    return pat.filter(pl.Series(~drop))


def _siblings(pat: pl.DataFrame) -> pl.DataFrame:
    """Pattern hits (doc_start, surface, rule, ...) less the `product_sibling` model numbers of documents
    where no `product_code` hit has their letters: a model number is a product next to a sibling a cue
    named ("the GPU MX450 ... MX550 later"), not by its shape alone (H20 of a chemical, A380 of a plane)."""
    sibling = pl.col("rule") == "product_sibling"
    if not pat.select(sibling.any()).item():
        return pat
    letters = pl.col("surface").str.extract(_CODE_LETTERS).alias("_letters")
    cued = pat.filter(pl.col("rule") == "product_code").select("doc_start", letters).drop_nulls().unique()
    return pat.filter(~sibling | pl.struct("doc_start", letters).is_in(cued.to_struct().implode()))


def _with_doc_start(frame: pl.DataFrame, doc_starts: np.ndarray) -> pl.DataFrame:
    """`frame` with the start offset of the document each `bstart` falls in."""
    bstart = frame.get_column("bstart").to_numpy()
    return frame.with_columns(
        pl.Series("doc_start", doc_starts[np.searchsorted(doc_starts, bstart, "right") - 1], dtype=pl.Int64)
    )


# A mention ending in an abbreviated legal form's period ("Acme Corp.", found by a rule or as a gazetteer
# form). Initialisms ("S.A.", "U.S.") keep their last period: it is a letter's, wherever it stands.
_ABBREV_STOP = r"(?-u:\b)(?:Inc|Corp|Co|Ltd|Pte|Pty|Bhd|Tbk)\.$"
# Bytes after a period that show the sentence going on: a lowercase ASCII letter or a digit after a space
# ("Acme Corp. said", "Acme Inc. 2"), any other byte straight after it ("Acme Co., Ltd.") but a closing
# quote, and a quote that is a possessive's ("Acme Inc.'s"). Otherwise (end of line or document, a
# capital, a closing quote) the period ends the sentence.
_GOES_ON_AFTER_SPACE = np.zeros(256, dtype=bool)
_GOES_ON_AFTER_SPACE[[ord(c) for c in string.ascii_lowercase + string.digits]] = True
_ENDS_AT = np.zeros(256, dtype=bool)
_ENDS_AT[[ord(c) for c in "\n\r\"'"] + [0xE2]] = True  # 0xE2: first byte of ” and ’ (3 bytes)


def _full_stops(cands: pl.DataFrame, raw: _Bytes) -> pl.DataFrame:
    """Candidates whose surface ends with an abbreviated legal form's period that is also the sentence's
    full stop ("... led by Acme Corp." -> "Acme Corp"): the full stop is no part of a mention, so the
    name reads as it does inside a sentence and meets the gazetteer's form of one span. English writes
    one period for both the abbreviation and the sentence, never two; the mention leaves it to the
    sentence. `cands`: bstart, bend (batch byte offsets), surface, ...; the same rows back."""
    bend = cands.get_column("bend").to_numpy()
    nxt = raw.u8[np.minimum(bend, raw.n - 1)]
    after_space = raw.u8[np.minimum(bend + 1, raw.n - 1)]
    space = (nxt == 32) | (nxt == 9)
    quote = (nxt == ord("'")) | (nxt == 0xE2)
    after_quote = raw.u8[np.minimum(bend + np.where(nxt == 0xE2, 3, 1), raw.n - 1)]
    ends = (
        (bend >= raw.n)
        | (_ENDS_AT[nxt] & ~(quote & _WORD_BYTE[after_quote]))
        | (space & ((bend + 1 >= raw.n) | ~_GOES_ON_AFTER_SPACE[after_space]))
    )
    # (the regex reads only the surfaces that end with a period where a sentence may end: a few in
    # 100,000s of candidates)
    surface = cands.get_column("surface")
    at = np.flatnonzero(ends & surface.str.ends_with(".").fill_null(False).to_numpy())
    trim = np.zeros(cands.height, dtype=bool)
    trim[at] = surface.gather(at).str.contains(_ABBREV_STOP).fill_null(False).to_numpy()
    if not trim.any():
        return cands
    t = pl.Series(trim)
    return cands.with_columns(
        pl.when(t).then(pl.col("bend") - 1).otherwise(pl.col("bend")).alias("bend"),
        pl.when(t)
        .then(pl.col("surface").str.slice(0, pl.col("surface").str.len_chars() - 1))
        .otherwise(pl.col("surface"))
        .alias("surface"),
    )


def _resolve_overlaps(cands: pl.DataFrame) -> pl.DataFrame:
    """Keep non-overlapping mentions: leftmost, then longest, then gazetteer over pattern.

    Offsets are global positions in the batch string, where documents never overlap, so one scan over
    the whole batch is a scan per document.

    Organisation and person patterns never override a gazetteer match they overlap ("Xiaomi AI" is
    Xiaomi + AI); model patterns may extend one ("Llama 3.1 405B" over "Llama 3.1").
    """
    # Only offsets and kinds take part, as numpy arrays (stable sorts: ties keep the candidates' order);
    # the chosen rows are gathered at the end, so the string columns are not moved by every sort.
    # Candidates with one span and entity need no dedup first: the first of them (a gazetteer reading
    # before a pattern's) is the one kept, and the others change no other candidate's fate.
    bstart = cands.get_column("bstart").to_numpy()
    bend = cands.get_column("bend").to_numpy()
    is_gaz = (cands.get_column("method") == METHOD_GAZETTEER).to_numpy()
    # Lexicon forms (places, index companies) are gazetteer readings that a discovered name may override.
    protected = cands.get_column("protected").to_numpy()
    org_or_person = cands.get_column("type").is_in(["ORG", "PERSON"]).fill_null(False).to_numpy()
    if bstart.size == 0:
        return cands
    # A registry reading (a name learnt in an earlier run) yields to a cued one of the same span.
    prio = (~is_gaz).astype(np.int64) + (cands.get_column("method") == METHOD_REGISTRY).to_numpy()
    # Sort keys packed into one int64 (offsets are below `m`): start, gazetteer first, longer first.
    m = int(bend.max()) + 1
    c = np.argsort((bstart * 3 + prio) * m + (m - 1 - bend), kind="stable")
    # Does a gazetteer candidate overlap this row? One starting earlier (or at the same start, sorted
    # first) that ends after our start, or one starting later that starts before our end.
    gaz_end_before = np.concatenate(([0], np.maximum.accumulate(np.where(protected[c], bend[c], 0))[:-1]))
    gaz_start = np.where(protected[c], bstart[c], m)
    gaz_start_after = np.concatenate((np.minimum.accumulate(gaz_start[::-1])[::-1][1:], [m]))
    overlaps_gaz = (gaz_end_before > bstart[c]) | (gaz_start_after < bend[c])
    # An organisational suffix may extend a known name ("Intel Capital" over "Intel").
    extends = cands.get_column("extends").to_numpy()
    c = c[~(org_or_person[c] & ~is_gaz[c] & overlaps_gaz & ~extends[c])]
    # Leftmost-longest: sort by start, longer first, gazetteer first; keep a row when no earlier row
    # reaches past its start (an approximation of the greedy scan that is exact unless a dropped
    # candidate was itself the one reaching furthest).
    c = c[np.argsort((bstart[c] * m + (m - 1 - bend[c])) * 3 + prio[c], kind="stable")]
    reach = np.maximum.accumulate(bend[c])
    keep = np.concatenate(([True], reach[:-1] <= bstart[c][1:])) if c.size else np.zeros(0, dtype=bool)
    # (gathered from one chunk per column: 0.2x the time of gathering across the chunks of the concatenated
    # candidates, on the 29 MB corpus of tests/transforms/bench_entities_speed.py)
    return cands.rechunk()[c[keep]]


def _short_names(found: pl.DataFrame) -> pl.DataFrame:
    """A discovered organisation named "<Name> <designator>" ("Acme Holdings", `_DESIGNATOR`) whose
    document also calls it by the bare name ("Acme said ...") is, in that document, the organisation the
    bare name is, or else named by the bare name (entity_id and name): the name the document uses, the
    one readers and other documents know it by."""
    designated = (
        found.filter((pl.col("type") == "ORG") & (pl.col("method") == METHOD_PATTERN))
        .select("doc_id", "entity_id", "surface", "name")
        # (a company's head noun is dropped as a designator is: "Harlow Motor" is Harlow where the
        # document also writes "Harlow", `_ORG_HEAD`)
        .with_columns(
            # (and a name of two or three capitalised words: "Contoso Financial Group" is Contoso
            # Financial in a document whose headline writes "Contoso Financial")
            pl.col("name")
            .str.extract(rf"^(\p{{Lu}}\S+(?: \p{{Lu}}\S+){{0,2}}) (?:{_DESIGNATOR}|{_HEADS})$")
            .alias("_bare")
        )
        # (as the document writes it: "小米汽车", named "Xiaomi Auto" by `_zh_unit_names`, is the unit)
        .filter(pl.col("_bare").is_not_null() & pl.col("surface").str.starts_with(pl.col("_bare")))
    )
    if designated.height == 0:
        return found
    # (the bare name's own entity, not a link back to the designated one)
    known = (
        found.filter(
            pl.col("surface").is_in(designated.get_column("_bare").unique().implode())
            & (pl.col("type") == "ORG")
            & (pl.col("surface") == pl.col("name"))
        )
        .select(
            "doc_id",
            pl.col("surface").alias("_bare"),
            pl.col("entity_id").alias("_id"),
            pl.col("name").alias("_name"),
        )
        .unique(["doc_id", "_bare"], keep="first", maintain_order=True)
    )
    renamed = (
        designated.group_by("doc_id", "entity_id", "_bare")
        .agg((pl.col("surface") == pl.col("_bare")).any().alias("_said"))
        .join(known, on=["doc_id", "_bare"], how="left")
        .with_columns(
            pl.coalesce("_id", pl.when("_said").then(entity_id_expr(pl.lit("ORG"), pl.col("_bare")))).alias(
                "_id"
            ),
            pl.coalesce("_name", pl.when("_said").then("_bare")).alias("_name"),
        )
        .filter(pl.col("_id").is_not_null())
        .select("doc_id", "entity_id", "_id", "_name")
    )
    if renamed.height == 0:
        return found

    def rename(rows: pl.DataFrame) -> pl.DataFrame:
        return (
            rows.join(renamed, on=["doc_id", "entity_id"], how="left", maintain_order="left")
            .with_columns(
                pl.coalesce("_id", "entity_id").alias("entity_id"), pl.coalesce("_name", "name").alias("name")
            )
            .drop("_id", "_name")
        )

    if renamed.select(pl.struct("doc_id", "entity_id").is_duplicated().any()).item():
        return rename(found)  # (a mention renamed twice is repeated, once per name)
    # Only the mentions of renamed entities are joined (a few in a batch's 100,000s), then written back
    # in place.
    at = found.get_column("entity_id").is_in(renamed.get_column("entity_id").implode()).arg_true()
    new = rename(found.select("doc_id", "entity_id", "name")[at])
    return found.with_columns(
        found.get_column(c).clone().scatter(at, new.get_column(c)) for c in ("entity_id", "name")
    )


# A one-word organisation a cue found: the rows `_surnames` and `_name_words` may read as a longer name.
_LONE_CUED_ORG = (
    (pl.col("type") == "ORG")
    & (pl.col("method") == METHOD_PATTERN)
    & ~pl.col("surface").str.contains_any([" "])
)


def _surnames(found: pl.DataFrame) -> pl.DataFrame:
    """A one-word organisation a cue found ("..., Roe said on Monday", "Roe declined to comment": cues a
    company's name takes too) that is the surname of a person found in the same document ("Jane Roe")
    is that person there (entity_id, name, type): news names a person in full once, then by surname."""
    at = found.select(_LONE_CUED_ORG).to_series().arg_true()
    if at.len() == 0:
        return found
    people = (
        found.filter((pl.col("type") == "PERSON") & pl.col("name").str.contains_any([" "]))
        .select(
            "doc_id",
            pl.col("name").str.split(" ").list.last().alias("surface"),
            pl.col("entity_id").alias("_id"),
            pl.col("name").alias("_name"),
        )
        .unique(["doc_id", "surface", "_id"])
        # (a surname two people of the document share names neither)
        .filter(pl.len().over("doc_id", "surface") == 1)
    )
    new = (
        found.select("doc_id", "surface", "entity_id", "name", "type")[at]
        .join(people, on=["doc_id", "surface"], how="left", maintain_order="left")
        .select(
            pl.coalesce("_id", "entity_id").alias("entity_id"),
            pl.coalesce("_name", "name").alias("name"),
            pl.when(pl.col("_id").is_not_null()).then(pl.lit("PERSON")).otherwise("type").alias("type"),
        )
    )
    return found.with_columns(
        found.get_column(c).clone().scatter(at, new.get_column(c)) for c in ("entity_id", "name", "type")
    )


def _name_words(found: pl.DataFrame) -> pl.DataFrame:
    """A one-word organisation a cue found that is the first or last word of exactly one longer
    organisation's name in the same document ("Daewon" of "Daewon Bio-Pharm", "Svea-Nord" of "Svea-Nord
    Logistik", "Tupa" of "Usinas Tupa") is that organisation there (entity_id, name): news names a company
    in full once, then by its distinctive word. (A word two longer names share names neither.)"""
    at = found.select(_LONE_CUED_ORG).to_series().arg_true()
    if at.len() == 0:
        return found
    words = pl.col("name").str.split(" ")
    longer = (
        found.filter((pl.col("type") == "ORG") & pl.col("name").str.contains_any([" "]))
        .select("doc_id", pl.col("entity_id").alias("_id"), pl.col("name").alias("_name"), words.alias("_w"))
        .unique(["doc_id", "_id"])
        .with_columns(pl.concat_list(pl.col("_w").list.first(), pl.col("_w").list.last()).alias("surface"))
        .explode("surface")
        .unique(["doc_id", "surface", "_id"])
        .filter(pl.len().over("doc_id", "surface") == 1)
        .select("doc_id", "surface", "_id", "_name")
    )
    new = (
        found.select("doc_id", "surface", "entity_id", "name")[at]
        .join(longer, on=["doc_id", "surface"], how="left", maintain_order="left")
        .select(
            pl.coalesce("_id", "entity_id").alias("entity_id"), pl.coalesce("_name", "name").alias("name")
        )
    )
    return found.with_columns(
        found.get_column(c).clone().scatter(at, new.get_column(c)) for c in ("entity_id", "name")
    )


def _zh_unit_names(found: pl.DataFrame, gazetteer: pl.DataFrame) -> pl.DataFrame:
    """A discovered "<known Chinese name><organisational word>" ("小米汽车") is named in English after the
    known organisation's canonical name and the word's English (`_ZH_UNIT_EN`: Xiaomi Auto); with 集团 or
    公司 it is the known organisation itself."""
    suffix = pl.col("surface").str.extract(rf"(?:{_ZH_ORG_SUFFIX})$", 0)
    units = (
        found.filter(
            (pl.col("type") == "ORG")
            & (pl.col("method") == METHOD_PATTERN)
            & pl.col("surface").str.contains(rf"^\p{{Han}}+(?:{_ZH_ORG_SUFFIX})$")
        )
        .select("entity_id", "surface")
        .unique("entity_id")
        .with_columns(
            pl.col("surface")
            .str.slice(0, pl.col("surface").str.len_chars() - suffix.str.len_chars())
            .alias("_prefix"),
            suffix.replace_strict(_ZH_UNIT_EN, default=None, return_dtype=pl.String).alias("_en"),
        )
    )
    if units.height == 0:
        return found
    known = (
        gazetteer.filter((pl.col("type") == "ORG") & pl.col("alias").str.contains(r"^\p{Han}{2,}$"))
        .select(
            pl.col("alias").alias("_prefix"),
            pl.col("entity_id").alias("_kid"),
            pl.col("name").alias("_kname"),
        )
        .unique("_prefix", keep="first", maintain_order=True)
    )
    named = (
        units.join(known, on="_prefix")
        .filter(pl.col("_en").is_not_null())
        .with_columns(
            pl.when(pl.col("_en") == "")
            .then(pl.col("_kname"))
            .otherwise(pl.concat_str([pl.col("_kname"), pl.lit(" "), pl.col("_en")]))
            .alias("_name")
        )
        .with_columns(
            pl.when(pl.col("_en") == "")
            .then(pl.col("_kid"))
            .otherwise(entity_id_expr(pl.lit("ORG"), pl.col("_name")))
            .alias("_id")
        )
    )
    if named.height == 0:
        return found
    old = named.get_column("entity_id")
    return found.with_columns(
        pl.col("entity_id")
        .replace_strict(old, named.get_column("_name"), default=pl.col("name"))
        .alias("name"),
        pl.col("entity_id")
        .replace_strict(old, named.get_column("_id"), default=pl.col("entity_id"))
        .alias("entity_id"),
    )


def extract_mentions(
    docs: pl.DataFrame,
    gazetteer: pl.DataFrame,
    version: str,
    lexicons: dict | None = None,
    confidence: dict[str, float] | None = None,
    registry: pl.DataFrame | None = None,
    rejected: pl.Series | list[str] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Find entity mentions in `docs[doc_id, text]`: (mentions, entities mentioned that are not in the
    gazetteer: discovered by pattern, or known only from the lexicons, method `gazetteer`).

    `registry`: entities learnt in earlier runs (entity_id, name, type; transforms.registry.recognisable),
    found without their cue: mentions of method `registry` (confidence RULE_CONFIDENCE["registry"]); an
    entity the gazetteer or lexicons know keeps their reading. `rejected`: entity ids never reported
    (the user's reject list, warehouse.reference.load_rejects), whatever found them.

    `lexicons`: {"given_names": [...], "common_words": [...]} (warehouse.reference.load_lexicons), used by
    discovery to tell a person's name from an ordinary capitalised phrase; optional.
    `confidence`: figures per rule to use instead of RULE_CONFIDENCE (flows.evaluate.rule_precision
    gives each rule a marker value to measure them).

    mentions: doc_id, entity_id, surface, start, end (character offsets, end-exclusive), method,
    confidence, gazetteer_version — non-overlapping within a document.
    """
    docs = docs.select(pl.col("doc_id").cast(pl.String), pl.col("text").cast(pl.String)).filter(
        pl.col("text").is_not_null() & (pl.col("text").str.len_bytes() > 0)
    )
    # Each document's place in doc_id order (equal ids share one; a null id sorts first): the mentions are
    # sorted by it and their start, integers, instead of by the id strings (a third of the time of the
    # stage's final steps on the 29 MB corpus of tests/transforms/bench_entities_speed.py).
    docs = docs.with_columns(pl.col("doc_id").rank("dense").fill_null(0).cast(pl.Int64).alias("_rank"))
    families = gazetteer.get_column("family_prefix").drop_nulls().unique(maintain_order=True).to_list()
    # Single-token lab names, as prefixes of versioned model names ("MiniMax-M1").
    makers = (
        gazetteer.filter(((pl.col("type") == "ORG") | pl.col("family")) & ~pl.col("lexicon"))
        .filter(_ascii_word(pl.col("alias"), "", 3))
        .get_column("alias")
        .unique(maintain_order=True)
        .to_list()
    )
    # Chinese names of known organisations, as the start of a longer organisation's name ("小米汽车").
    zh_names = (
        gazetteer.filter((pl.col("type") == "ORG") & pl.col("alias").str.contains(r"^\p{Han}{2,}$"))
        .get_column("alias")
        .unique(maintain_order=True)
        .to_list()
    )
    # Known organisations' names, as the start of their products' names ("Acme Orbit 3").
    orgs = (
        gazetteer.filter((pl.col("type") == "ORG") & ~pl.col("lexicon"))
        .filter(_ascii_word(pl.col("alias"), ".", 2))
        .get_column("alias")
        .unique(maintain_order=True)
        .to_list()
    )
    confidence = {**RULE_CONFIDENCE, **(confidence or {})}
    rejected_ids = pl.Series("entity_id", list(rejected) if rejected is not None else [], dtype=pl.String)
    registry_ids = pl.Series("entity_id", [], dtype=pl.String)
    if registry is not None and registry.height:
        registry = registry.join(gazetteer.select("entity_id").unique(), on="entity_id", how="anti").filter(
            ~pl.col("entity_id").is_in(rejected_ids.implode())
        )
        registry_ids = registry.get_column("entity_id")
        gazetteer = pl.concat([gazetteer, registry_frame(registry, version)])
    rules = _discovery_rules(families, makers, zh_names, orgs, confidence)
    batches = docs.with_columns(
        (pl.col("text").str.len_bytes().cast(pl.Int64).cum_sum() // _BATCH_BYTES).alias("_batch")
    ).partition_by("_batch", maintain_order=True, include_key=False)
    frames = [
        _candidates(batch, gazetteer, rules, lexicons, confidence, registry_ids).select(
            *MENTION_COLUMNS[:5], "method", "confidence", "name", "type", "_rank"
        )
        for batch in batches
        if gazetteer.height and batch.height
    ]
    if frames:
        found = (
            pl.concat(frames).with_columns(pl.lit(version).alias("gazetteer_version")).collect(engine=_ENGINE)
        )
    else:
        found = pl.DataFrame(
            schema={**_MENTIONS_SCHEMA, "name": pl.String, "type": pl.String, "_rank": pl.Int64}
        )
    found = _name_words(_surnames(_short_names(_zh_unit_names(found, gazetteer))))
    # after the renames above, so a rejected entity stays out under whichever name it was found
    found = found.filter(~pl.col("entity_id").is_in(rejected_ids.implode()))
    discovered = (
        found.lazy()
        .join(
            gazetteer.filter(~pl.col("lexicon")).select("entity_id").unique().lazy(),
            on="entity_id",
            how="anti",
        )
        .group_by("entity_id")
        .agg(pl.col("name").first(), pl.col("type").first(), pl.col("method").min())
        .with_columns(
            # an entity the registry recognised was discovered by pattern in an earlier run
            pl.col("method").replace(METHOD_REGISTRY, METHOD_PATTERN),
            pl.lit(version).alias("gazetteer_version"),
        )
        .sort("entity_id")
        .collect(engine=_ENGINE)
        .pipe(_entity_frame)
    )
    # (by doc_id, then start: character offsets stay far below 2**32)
    mentions = found.sort(pl.col("_rank") * (1 << 32) + pl.col("start")).select(MENTION_COLUMNS)
    mentions = mentions.cast(_MENTIONS_SCHEMA)
    return mentions, discovered.cast(_ENTITIES_SCHEMA)
