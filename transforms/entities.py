"""Entity stage: gazetteer matching (Aho-Corasick), pattern discovery (regex) and linking to canonical ids.

Documents are joined into one string per batch and searched once: Aho-Corasick (`str.find_many` /
`str.extract_many`) for every gazetteer form, `str.extract_all` for the discovery regexes. Everything runs
on UTF-8 *byte* offsets into that string (what polars returns) until the final mentions are chosen; then
they become 0-based, end-exclusive character offsets into their own document by subtracting the number of
UTF-8 continuation bytes before them (a sorted search), so `text[start:end] == surface` for any script.
Context rules live in the gazetteer YAML and are applied as joins, not per-entity code.
"""

from __future__ import annotations

import re
import string

import numpy as np
import polars as pl

from transforms.text import frame_schema
from warehouse.schemas import ENTITIES, ENTITY_TYPES, MENTIONS

METHOD_GAZETTEER = "gazetteer"
METHOD_PATTERN = "pattern"

# Confidence per method/rule: a gazetteer hit is certain up to ambiguity; discovered names are guesses.
CONFIDENCE_GAZETTEER = 1.0
CONFIDENCE_CONTEXT = 0.9  # gazetteer form that needed a context rule (requires_doc)
CONFIDENCE_MODEL_PATTERN = 0.8
CONFIDENCE_ORG_PATTERN = 0.7
CONFIDENCE_PERSON_PATTERN = 0.7

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


def gazetteer_frame(entries: list[dict], version: str) -> pl.DataFrame:
    """One row per surface form (the canonical name included) with its matching rules."""
    rows: list[dict] = []
    for entry in entries:
        name, type_ = str(entry["name"]), str(entry["type"])
        if type_ not in ENTITY_TYPES:
            raise ValueError(f"gazetteer entity {name!r}: type {type_!r} not in {ENTITY_TYPES}")
        base = {k: entry[k] for k in _RULE_KEYS if k in entry}
        forms: list[dict] = [{"alias": name}]
        for alias in entry.get("aliases") or []:
            forms.append(dict(alias) if isinstance(alias, dict) else {"alias": alias})
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
                    "gazetteer_version": version,
                }
            )
    frame = pl.DataFrame(rows, schema=_GAZETTEER_SCHEMA) if rows else pl.DataFrame(schema=_GAZETTEER_SCHEMA)
    # polars lowercases like Python for these names, but use one implementation for both join sides.
    frame = frame.with_columns(pl.col("alias_key").str.to_lowercase())
    return frame.unique(subset=["entity_id", "alias"], keep="first", maintain_order=True)


def entity_rows(gazetteer: pl.DataFrame, version: str) -> pl.DataFrame:
    """The entities table rows for the gazetteer: one per canonical entity."""
    return (
        gazetteer.select("entity_id", "name", "type")
        .unique(subset=["entity_id"], keep="first", maintain_order=True)
        .with_columns(pl.lit(METHOD_GAZETTEER).alias("method"), pl.lit(version).alias("gazetteer_version"))
        .select(ENTITY_COLUMNS)
    )


# ------------------------------------------------------------------------------- discovery rules
# Words that open a capitalised span without being part of a name (sentence starts, determiners).
_STOPWORDS = (
    "The A An This That These Those Its It Their Our Your His Her In On At For Of And But Or As By From With "
    "To After Before While When Where Why How What Meanwhile However Also Then Now Last Next New Both Only "
    "Chinese American European Japanese Korean Indian British German French Global Local Major Rival "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July "
    "August September October November December AI Big Tech US EU UK"
).split()
_STOP = "|".join(_STOPWORDS)
_CAP = r"[A-Z][A-Za-z0-9&]*(?:-[A-Za-z0-9&]+)*"
_NAME = r"[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?"
_LEGAL_FORM = r"Inc|Corp|Corporation|Co\.,? Ltd|Ltd|Limited|LLC|PLC|GmbH"
_ORG_SUFFIX = rf"{_LEGAL_FORM}|Technologies|Labs|Robotics|Holdings|Semiconductor|Semiconductors"
_MODEL_SUFFIX = (
    r"Turbo|Pro|Flash|Lite|Mini|mini|Nano|nano|Ultra|Max|Plus|Instruct|Chat|Coder|Preview|Opus|Sonnet|"
    r"Haiku|Maverick|Scout|Base|Vision|VL|Thinking|Reasoner|Omni|Large|Small|Medium|Air|Deep Research"
)
# Tokens that make a capitalised "person" span an organisation or a place instead.
_NON_PERSON_TOKENS = (
    "Street Group Groups House Bank Banks News Research Post Times Daily Journal Securities Capital "
    "University Institute Ministry Department Agency Lab Labs Inc Corp Tech Technology Technologies Media "
    "Times Partners Sachs Stanley Morgan Analytics Intelligence Insights Reuters Bloomberg Co Company "
    "Council Commission Office Team Foundation Fund Ventures Holdings Review Weekly Week Report"
).split()


def _discovery_rules(
    families: list[str], makers: list[str] | None = None
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
            CONFIDENCE_MODEL_PATTERN,
            "model_size",
        ),
        # Gazetteer organisation names with a corporate suffix: "Unitree Robotics", "Zhipu Technologies"
        (
            "ORG",
            rf"((?:(?:{_STOP}) )*)({b}(?:{_CAP} ){{0,2}}{_CAP}(?:,? (?:{_ORG_SUFFIX}){b})+\.?)",
            CONFIDENCE_ORG_PATTERN,
            "org_suffix",
        ),
        # CEO Sam Altman / founder Liang Wenfeng / President Xi Jinping
        (
            "PERSON",
            r"((?-u:\b)(?:CEO|CTO|CFO|COO|[Ff]ounder|[Cc]o-founder|[Cc]hairman|[Cc]hairwoman|[Pp]resident|"
            r"[Cc]hief [Ee]xecutive(?: [Oo]fficer)?|[Cc]hief [Ss]cientist|[Ss]cientist|[Rr]esearcher|"
            r"[Aa]nalyst|[Pp]rofessor|[Ee]ngineer|[Ss]pokesperson|[Ss]pokesman|[Ss]pokeswoman|[Mm]inister|"
            r"[Ss]ecretary|[Ss]enator|Dr\.|Mr\.|Ms\.|Mrs\.),? )"
            rf"({_NAME}(?: {_NAME}){{1,2}}){b}",
            CONFIDENCE_PERSON_PATTERN,
            "person_title",
        ),
        # Sam Altman said / Liang Wenfeng told
        (
            "PERSON",
            rf"()({b}{_NAME} {_NAME}),? (?:said|says|told|added|noted|wrote|explained|argued){b}",
            CONFIDENCE_PERSON_PATTERN,
            "person_said",
        ),
    ]
    if makers:
        # A known lab or family name + "-<letter><version>": MiniMax-M1, DeepSeek-V3.1, Hunyuan-T1
        mk = "|".join(re.escape(m) for m in sorted(makers, key=len, reverse=True))
        rules.append(
            (
                "MODEL",
                rf"()({b}(?:{mk})-[A-Z]\d{{1,2}}(?:\.\d{{1,2}})?(?:-[A-Za-z][A-Za-z0-9]*)*){b}",
                CONFIDENCE_MODEL_PATTERN,
                "model_maker_version",
            )
        )
    if families:
        fam = "|".join(re.escape(f) for f in sorted(families, key=len, reverse=True))
        rules.append(
            # Family + version (+ size, + tier): Llama 3.1 405B, Gemini 2.5 Pro, GPT-5, Kimi K2, Qwen3-235B
            (
                "MODEL",
                rf"()({b}(?:{fam})(?: (?:{_MODEL_SUFFIX}))?"
                rf"(?:[- ]?v?\d{{1,2}}(?:\.\d{{1,2}})*[a-z]?|[- ][A-Z]\d{{1,2}}(?:\.\d{{1,2}})?)"
                rf"(?:[- ]{size})?(?:[- ](?:{_MODEL_SUFFIX}))*){b}",
                CONFIDENCE_MODEL_PATTERN,
                "model_family",
            )
        )
    return rules


# ---------------------------------------------------------------------------------- extraction
# Documents are searched as one concatenated string per batch: one automaton/regex pass per batch, and
# global byte offsets turn overlap resolution into a single scan (documents never overlap).
# The separator holds a NUL, which no gazetteer form or discovery regex can match across.
_SEP = "\n\x00\n"
# The in-memory engine runs this plan (explode, sort, cumulative scans) ~3x faster than streaming.
_ENGINE = "in-memory"
_BATCH_BYTES = 64_000_000


def _is_word_byte(b: pl.Expr) -> pl.Expr:
    return b.is_between(48, 57) | b.is_between(65, 90) | b.is_between(97, 122)


class _Bytes:
    """The batch string's UTF-8 bytes, for boundary checks and byte -> character offsets as expressions."""

    def __init__(self, text: str | bytes) -> None:
        raw = text.encode() if isinstance(text, str) else text
        # Signed bytes: polars wraps an int8 buffer without copying it. Every lookup here asks about ASCII
        # (0-127, the same either way); bytes >= 0x80 read as negative numbers.
        arr = np.frombuffer(raw, dtype=np.int8)
        self.n = len(arr)
        self.values = pl.Series("b", arr)
        # Positions of UTF-8 continuation bytes (0x80-0xBF, i.e. -128..-65 signed): a byte offset minus how
        # many of them precede it is the character offset.
        self.continuation = pl.Series("c", np.flatnonzero(arr < -64))

    # Lookups run as whole-column Series operations (map_batches): a 50 MB literal inside a lazy plan
    # would be hashed and copied by the optimiser.
    def _gather(self, index: pl.Series) -> pl.Series:
        inside = (index >= 0) & (index < self.n)
        picked = self.values.gather(index.clip(0, max(self.n - 1, 0)).cast(pl.Int64)) if self.n else index * 0
        return pl.select(pl.when(inside).then(picked.cast(pl.Int64))).to_series()

    def _chars(self, index: pl.Series) -> pl.Series:
        if self.continuation.len() == 0:
            return index
        return index - self.continuation.search_sorted(index).cast(pl.Int64)

    def at(self, index: pl.Expr) -> pl.Expr:
        """The byte at `index`, null outside the string."""
        return index.map_batches(self._gather, return_dtype=pl.Int64)

    def char(self, index: pl.Expr) -> pl.Expr:
        """Character offset of a byte offset that sits on a character boundary."""
        return index.map_batches(self._chars, return_dtype=pl.Int64)


def _bounded(raw: _Bytes) -> pl.Expr:
    """True unless the span [bstart, bend) continues a word on a side where it starts/ends with one."""
    return ~(pl.col("check_left") & _is_word_byte(raw.at(pl.col("bstart") - 1)).fill_null(False)) & ~(
        pl.col("check_right") & _is_word_byte(raw.at(pl.col("bend"))).fill_null(False)
    )


def _find(big: pl.DataFrame, patterns: list[str], case_insensitive: bool) -> pl.LazyFrame:
    """(surface, bstart) of every occurrence of any pattern, overlapping, as found in the text."""
    if not patterns:
        return pl.LazyFrame(schema={"surface": pl.String, "bstart": pl.Int64})
    return (
        big.lazy()
        .select(
            pl.col("text")
            .str.extract_many(patterns, ascii_case_insensitive=case_insensitive, overlapping=True)
            .alias("surface"),
            pl.col("text")
            .str.find_many(patterns, ascii_case_insensitive=case_insensitive, overlapping=True)
            .alias("bstart"),
        )
        .explode(["surface", "bstart"])
        .filter(pl.col("surface").is_not_null())
        .with_columns(pl.col("bstart").cast(pl.Int64))
    )


def _gazetteer_hits(found: pl.DataFrame, raw: _Bytes, gazetteer: pl.DataFrame) -> pl.LazyFrame:
    """Gazetteer forms among `found` (every overlapping, ASCII-case-insensitive occurrence of the search
    strings, see `_candidates`), filtered by case and boundary rules: bstart, bend, surface and `_g`, the
    gazetteer row."""
    # Occurrences repeat a few hundred distinct surfaces: match those to gazetteer rows once, then join by
    # surface. A surface counts only if a form equals it up to ASCII case (what the search folds): the
    # search also looked for discovered names, which are not gazetteer forms.
    fold = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
    keys = {a.translate(fold) for a in gazetteer.get_column("alias").to_list()}
    surfaces = found.get_column("surface").unique(maintain_order=True)
    searched = pl.Series([s.translate(fold) in keys for s in surfaces.to_list()], dtype=pl.Boolean)
    forms = (
        surfaces.filter(searched)
        .to_frame()
        .with_columns(pl.col("surface").str.to_lowercase().alias("alias_key"))
        .join(gazetteer, on="alias_key", how="inner", maintain_order="left")
        .filter(~pl.col("case_sensitive") | (pl.col("surface") == pl.col("alias")))
        .select(
            "surface",
            "_g",
            "check_left",
            "check_right",
            "not_before_capitalized",
            pl.col("surface").str.len_bytes().cast(pl.Int64).alias("n"),
        )
    )
    return (
        found.lazy()
        .join(forms.lazy(), on="surface", how="inner", maintain_order="left")
        .with_columns((pl.col("bstart") + pl.col("n")).alias("bend"))
        .filter(
            _bounded(raw),
            # "Silicon Valley Bank": a following capitalised word makes this part of a longer name.
            ~(
                pl.col("not_before_capitalized")
                & (raw.at(pl.col("bend")) == 32)
                & raw.at(pl.col("bend") + 1).is_between(65, 90).fill_null(False)
            ),
        )
        .select("bstart", "bend", "surface", "_g")
    )


def _blocked_by_next_word(big: pl.DataFrame, raw: _Bytes, gazetteer: pl.DataFrame) -> pl.LazyFrame:
    """(bstart, entity_id) of forms followed by a word in their `not_followed_by` rule ("Apple pie")."""
    phrases = (
        gazetteer.filter(pl.col("not_followed_by").list.len() > 0)
        .select("entity_id", "alias", pl.col("not_followed_by").alias("word"))
        .explode("word")
        .with_columns(pl.concat_str([pl.col("alias"), pl.lit(" "), pl.col("word")]).alias("surface"))
    )
    return (
        _find(big, phrases.get_column("surface").unique().to_list(), False)
        .join(phrases.lazy(), on="surface")
        .with_columns((pl.col("bstart") + pl.col("surface").str.len_bytes().cast(pl.Int64)).alias("bend"))
        .filter(~_is_word_byte(raw.at(pl.col("bend"))).fill_null(False))
        .select("bstart", "entity_id")
        .unique()
    )


_PATTERN_FORMS_SCHEMA = {
    "match": pl.String,
    "pre_bytes": pl.Int64,
    "surface": pl.String,
    "type": pl.String,
    "confidence": pl.Float64,
    "rule": pl.String,
}


def _pattern_forms(big: pl.DataFrame, rules: list[tuple[str, str, float, str]]) -> pl.DataFrame:
    """The distinct strings the discovery regexes match, each split once into (context, entity) with its
    groups: match, pre_bytes (context length), surface, type, confidence, rule."""
    parts = []
    for type_, regex, confidence, rule in rules:
        matched = big.select(pl.col("text").str.extract_all(regex).explode().unique().drop_nulls())
        if matched.height == 0:
            continue
        parts.append(
            matched.select(
                pl.col("text").alias("match"),
                pl.col("text").str.extract_groups(rf"^(?:{regex})$").alias("g"),
            ).select(
                "match",
                pl.col("g").struct[0].fill_null("").str.len_bytes().cast(pl.Int64).alias("pre_bytes"),
                pl.col("g").struct[1].alias("surface"),
                pl.lit(type_).alias("type"),
                pl.lit(confidence).alias("confidence"),
                pl.lit(rule).alias("rule"),
            )
        )
    return pl.concat(parts) if parts else pl.DataFrame(schema=_PATTERN_FORMS_SCHEMA)


def _pattern_hits(found: pl.DataFrame, raw: _Bytes, forms: pl.DataFrame) -> pl.LazyFrame:
    """Spans matched by the discovery regexes.

    `extract_all` gives the matched strings but not where they are; they are searched for together with
    the gazetteer forms (`found`), and their exact-case occurrences are kept here.
    """
    if forms.height == 0:
        return pl.LazyFrame(
            schema={
                "bstart": pl.Int64,
                "bend": pl.Int64,
                "surface": pl.String,
                "type": pl.String,
                "confidence": pl.Float64,
                "rule": pl.String,
            }
        )
    hits = (
        found.lazy()
        .filter(pl.col("surface").is_in(forms.get_column("match").unique().implode()))
        .rename({"surface": "match", "bstart": "mstart"})
        .unique(subset=["mstart", "match"])
        .join(forms.lazy(), on="match")
        .filter(pl.col("surface").is_not_null() & (pl.col("surface") != ""))
        .with_columns(
            pl.col("mstart").alias("bstart"),
            (pl.col("mstart") + pl.col("match").str.len_bytes().cast(pl.Int64)).alias("bend"),
            pl.col("match").str.contains(r"^[A-Za-z0-9]").alias("check_left"),
            pl.col("match").str.contains(r"[A-Za-z0-9]$").alias("check_right"),
        )
        .filter(_bounded(raw))
        .with_columns((pl.col("mstart") + pl.col("pre_bytes")).alias("bstart"))
        .with_columns((pl.col("bstart") + pl.col("surface").str.len_bytes().cast(pl.Int64)).alias("bend"))
        .select("bstart", "bend", "surface", "type", "confidence", "rule")
    )
    non_person = "|".join(_NON_PERSON_TOKENS)
    generic_org = rf"^(?:(?:{_STOP}|Artificial|Intelligence|Open|Generative) )*(?:{_ORG_SUFFIX})\.?$"
    return hits.filter(
        ~(
            (pl.col("type") == "PERSON")
            & pl.col("surface").str.contains(rf"(?-u:\b)(?:{non_person}|{_STOP})(?-u:\b)")
        ),
        ~((pl.col("type") == "ORG") & pl.col("surface").str.contains(generic_org)),
    )


def _candidates(batch: pl.DataFrame, gazetteer: pl.DataFrame, rules: list) -> pl.LazyFrame:
    """All gazetteer and pattern candidates of one batch, with doc_id and global byte offsets."""
    sep = len(_SEP.encode())
    index = (
        batch.select("doc_id", pl.col("text").str.len_bytes().cast(pl.Int64).alias("n"))
        .with_columns((pl.col("n") + sep).cum_sum().alias("doc_end_sep"))
        .select("doc_id", (pl.col("doc_end_sep") - pl.col("n") - sep).alias("doc_start"))
        .lazy()
    )
    big = batch.select((pl.col("text") + _SEP).str.join("").alias("text"))  # every document ends with _SEP
    raw = _Bytes(big.get_column("text").cast(pl.Binary)[0])

    gazetteer = gazetteer.with_row_index("_g")
    # One overlapping, ASCII-case-insensitive search for every gazetteer form and every string the
    # discovery regexes matched (the search reads the whole batch twice, for strings and offsets, so it
    # is the dearest step); each side then keeps the occurrences that are its own.
    forms = _pattern_forms(big, rules)
    searched = gazetteer.get_column("alias").unique(maintain_order=True).to_list()
    searched += forms.get_column("match").unique(maintain_order=True).to_list()
    found = _find(big, list(dict.fromkeys(searched)), True).unique(maintain_order=True)
    found = found.collect(engine=_ENGINE)
    hits = _gazetteer_hits(found, raw, gazetteer).join(
        gazetteer.lazy().select(
            "_g",
            "entity_id",
            "name",
            "type",
            (pl.col("requires_doc").list.len() > 0).alias("conditional"),
            (pl.col("unless_doc").list.len() > 0).alias("vetoable"),
        ),
        on="_g",
        how="left",
        maintain_order="left",
    )
    hits = hits.join(_blocked_by_next_word(big, raw, gazetteer), on=["bstart", "entity_id"], how="anti")
    # Materialised once: the context rules below read these hits twice. Rules in list columns are joined
    # by gazetteer row (`_g`) onto the few hits that have them, not carried along by every hit.
    hits = (
        hits.sort("bstart")
        .join_asof(index, left_on="bstart", right_on="doc_start", check_sortedness=False)
        .collect(engine=_ENGINE)
        .lazy()
    )
    # unless_doc: a form is void in documents containing one of its listed words ("qubit" + "quantum").
    vetoes = gazetteer.filter(pl.col("unless_doc").list.len() > 0).select("unless_doc").explode("unless_doc")
    words = vetoes.get_column("unless_doc").unique().to_list()
    if words:
        seen = (
            _find(big, words, False)
            .sort("bstart")
            .join_asof(index, left_on="bstart", right_on="doc_start", check_sortedness=False)
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
    present = unconditional.select("doc_start", pl.col("name").alias("required")).unique()
    conditional = (
        hits.filter(pl.col("conditional"))
        .join(gazetteer.lazy().select("_g", pl.col("requires_doc").alias("required")), on="_g")
        .explode("required")
        .join(present, on=["doc_start", "required"], how="semi")
        .drop("required")
    )
    columns = [
        "doc_id",
        "doc_start",
        "bstart",
        "bend",
        "surface",
        "entity_id",
        "name",
        "type",
        "method",
        "confidence",
    ]
    gaz = pl.concat(
        [
            unconditional.with_columns(pl.lit(CONFIDENCE_GAZETTEER).alias("confidence")),
            conditional.with_columns(pl.lit(CONFIDENCE_CONTEXT).alias("confidence")),
        ]
    ).with_columns(pl.lit(METHOD_GAZETTEER).alias("method"))
    pat = (
        _pattern_hits(found, raw, forms)
        .sort("bstart")
        .join_asof(index, left_on="bstart", right_on="doc_start", check_sortedness=False)
        # One canonical spelling: collapse whitespace runs and drop the legal form, so "Acme Robotics"
        # and "Acme Robotics, Inc." link to one entity.
        .with_columns(
            pl.col("surface")
            .str.replace_all(r"\s+", " ")
            .str.replace(rf"(?:,? (?:{_LEGAL_FORM})(?-u:\b)\.?)+$", "")
            .alias("name")
        )
        .with_columns(
            entity_id_expr(pl.col("type"), pl.col("name")).alias("entity_id"),
            pl.lit(METHOD_PATTERN).alias("method"),
        )
    )
    chosen = _resolve_overlaps(
        pl.concat([gaz.select(columns), pat.select(columns)]).unique(subset=["bstart", "bend", "entity_id"])
    )
    return chosen.sort("bstart").with_columns(
        (raw.char(pl.col("bstart")) - raw.char(pl.col("doc_start"))).alias("start"),
        (raw.char(pl.col("bend")) - raw.char(pl.col("doc_start"))).alias("end"),
    )


def _resolve_overlaps(cands: pl.LazyFrame) -> pl.LazyFrame:
    """Keep non-overlapping mentions: leftmost, then longest, then gazetteer over pattern.

    Offsets are global positions in the batch string, where documents never overlap, so one scan over
    the whole batch is a scan per document.

    Organisation and person patterns never override a gazetteer match they overlap ("Xiaomi AI" is
    Xiaomi + AI); model patterns may extend one ("Llama 3.1 405B" over "Llama 3.1").
    """
    cands = cands.with_row_index("_c")
    # The sorts and scans only need offsets and kinds; the chosen rows are picked by `_c` afterwards, so
    # the string columns are not moved around by every sort.
    c = cands.select(
        "_c",
        "bstart",
        "bend",
        (pl.col("method") == METHOD_GAZETTEER).alias("is_gaz"),
        pl.when(pl.col("method") == METHOD_GAZETTEER).then(0).otherwise(1).alias("prio"),
        pl.col("type").is_in(["ORG", "PERSON"]).alias("org_or_person"),
    ).sort(["bstart", "prio", "bend"], descending=[False, False, True])
    # Does a gazetteer candidate overlap this row? One starting earlier (or at the same start, sorted
    # first) that ends after our start, or one starting later that starts before our end.
    c = c.with_columns(
        pl.when(pl.col("is_gaz"))
        .then(pl.col("bend"))
        .otherwise(0)
        .cum_max()
        .shift(1)
        .fill_null(0)
        .alias("gaz_end_before"),
        pl.when(pl.col("is_gaz")).then(pl.col("bstart")).otherwise(None).shift(-1).alias("_next_gaz_raw"),
    ).with_columns(pl.col("_next_gaz_raw").backward_fill().alias("gaz_start_after"))
    overlaps_gaz = (pl.col("gaz_end_before") > pl.col("bstart")) | (
        pl.col("gaz_start_after").is_not_null() & (pl.col("gaz_start_after") < pl.col("bend"))
    )
    c = c.filter(~(pl.col("org_or_person") & ~pl.col("is_gaz") & overlaps_gaz))
    # Leftmost-longest: sort by start, longer first, gazetteer first; keep a row when no earlier row
    # reaches past its start (an approximation of the greedy scan that is exact unless a dropped
    # candidate was itself the one reaching furthest).
    c = c.sort(["bstart", "bend", "prio"], descending=[False, True, False])
    c = c.with_columns(pl.col("bend").cum_max().shift(1).alias("reach"))
    kept = c.filter(pl.col("reach").is_null() | (pl.col("reach") <= pl.col("bstart"))).select("_c")
    return kept.join(cands, on="_c", how="left", maintain_order="left").drop("_c")


def extract_mentions(
    docs: pl.DataFrame, gazetteer: pl.DataFrame, version: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Find entity mentions in `docs[doc_id, text]`: (mentions, discovered entities not in the gazetteer).

    mentions: doc_id, entity_id, surface, start, end (character offsets, end-exclusive), method,
    confidence, gazetteer_version — non-overlapping within a document.
    """
    docs = docs.select(pl.col("doc_id").cast(pl.String), pl.col("text").cast(pl.String)).filter(
        pl.col("text").is_not_null() & (pl.col("text").str.len_bytes() > 0)
    )
    families = gazetteer.get_column("family_prefix").drop_nulls().unique(maintain_order=True).to_list()
    # Single-token lab names, as prefixes of versioned model names ("MiniMax-M1").
    makers = (
        gazetteer.filter((pl.col("type") == "ORG") | pl.col("family"))
        .filter(pl.col("alias").str.contains(r"^[A-Za-z][A-Za-z0-9]{2,}$"))
        .get_column("alias")
        .unique(maintain_order=True)
        .to_list()
    )
    rules = _discovery_rules(families, makers)
    batches = docs.with_columns(
        (pl.col("text").str.len_bytes().cast(pl.Int64).cum_sum() // _BATCH_BYTES).alias("_batch")
    ).partition_by("_batch", maintain_order=True, include_key=False)
    frames = [
        _candidates(batch, gazetteer, rules).select(
            *MENTION_COLUMNS[:5], "method", "confidence", "name", "type"
        )
        for batch in batches
        if gazetteer.height and batch.height
    ]
    if frames:
        found = (
            pl.concat(frames).with_columns(pl.lit(version).alias("gazetteer_version")).collect(engine=_ENGINE)
        )
    else:
        found = pl.DataFrame(schema={**_MENTIONS_SCHEMA, "name": pl.String, "type": pl.String})
    discovered = (
        found.lazy()
        .filter(pl.col("method") == METHOD_PATTERN)
        .join(gazetteer.select("entity_id").unique().lazy(), on="entity_id", how="anti")
        .group_by("entity_id")
        .agg(pl.col("name").first(), pl.col("type").first())
        .with_columns(pl.lit(METHOD_PATTERN).alias("method"), pl.lit(version).alias("gazetteer_version"))
        .select(ENTITY_COLUMNS)
        .sort("entity_id")
        .collect(engine=_ENGINE)
    )
    mentions = found.select(MENTION_COLUMNS).cast(_MENTIONS_SCHEMA).sort("doc_id", "start")
    return mentions, discovered.cast(_ENTITIES_SCHEMA)
