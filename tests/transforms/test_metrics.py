"""metrics: literal sentences with exact (surface, value, value_high, unit, qualifier, kind, subject),
properties, seeds."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from transforms import metrics as M
from transforms.metrics import EXTRACTOR_VERSION, OUTPUT_SCHEMA, extract_metrics, metric_candidates
from transforms.text import sentence_spans, utf8_buffer
from warehouse.schemas import METRICS, UNITS

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

# Entities the literal tests may mention: name -> type.
ENTITIES = {
    "Xiaomi": "ORG", "OpenAI": "ORG", "Alibaba": "ORG", "Nvidia": "ORG", "DeepSeek": "ORG", "Microsoft": "ORG",  # noqa: E501
    "Jiemian": "ORG", "Office for National Statistics": "ORG", "Inflection AI": "ORG", "Tencent": "ORG",
    "MiMo": "MODEL", "MiMo-7B-RL": "MODEL", "o1-mini": "MODEL", "QwQ-32B-Preview": "MODEL", "PaLM 2": "MODEL",
    "Gecko": "MODEL", "GPT-4": "MODEL", "Qwen 2.5": "MODEL", "MiLM-6B": "MODEL", "1.3B parameter version": "MODEL",  # noqa: E501
    "ChatGPT": "PRODUCT", "Xiao Ai": "PRODUCT", "CyberGear": "PRODUCT", "CyberDog 2": "PRODUCT",
    "Lei Jun": "PERSON", "Google": "ORG", "Snapdragon 8": "PRODUCT",
    "Canalys": "ORG", "Sequoia": "ORG", "Rapidus": "ORG", "AMD": "ORG", "H800": "PRODUCT",
    "Salesforce": "ORG", "Informatica": "ORG", "IDC": "ORG", "CRM": "ORG",
    "Acme": "ORG", "Globex": "ORG", "Vela": "PRODUCT", "Ledger": "ORG", "Riksbank": "ORG",
}  # fmt: skip


def _eid(name: str) -> str:
    return f"{ENTITIES[name].lower()}:{name.lower()}"


def _frames(
    texts: list[str], names: dict[str, str]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """docs, mentions (every whole-word occurrence of each name, longest first), entities, sentences."""
    docs = pl.DataFrame(
        {"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts},
        schema={"doc_id": pl.String, "text": pl.String},
    )
    rows = []
    alts = sorted(names, key=len, reverse=True)
    pat = re.compile(r"(?<![\w-])(" + "|".join(re.escape(a) for a in alts) + r")(?![\w-])")
    for i, text in enumerate(texts if names else []):
        for m in pat.finditer(text):
            rows.append({"doc_id": f"d{i}", "entity_id": names[m.group(1)], "surface": m.group(1),
                         "start": m.start(), "end": m.end()})  # fmt: skip
    mentions = pl.DataFrame(
        rows,
        schema={
            "doc_id": pl.String,
            "entity_id": pl.String,
            "surface": pl.String,
            "start": pl.Int64,
            "end": pl.Int64,
        },
    )
    ents = pl.DataFrame(
        [
            {"entity_id": eid, "name": eid.split(":", 1)[1], "type": eid.split(":", 1)[0].upper()}
            for eid in set(names.values())
        ],
        schema={"entity_id": pl.String, "name": pl.String, "type": pl.String},
    )
    return docs, mentions, ents, sentence_spans(docs)


# --- literal cases, extracted a batch at a time ------------------------------------------------------
# A case is one short text and its exact figures. The cases of one set of entity names are extracted
# together, each text its own document, in one `extract_metrics` call (as a pipeline batch holds many
# documents): one call pays the stage's fixed cost (~0.25 s: its plans and its ~350 regexes, which
# polars' 32-entry regex cache cannot keep) once instead of once per case. A case's figures are its own
# document's rows; `test_a_documents_figures_do_not_depend_on_its_batch` holds them to the figures of
# the text alone and of the batch in another order.
_REGISTERED: dict[tuple, list[str]] = {}
_EXTRACTED: dict[tuple, tuple[dict[str, str], pl.DataFrame]] = {}


def _key(names: dict[str, str]) -> tuple:
    return tuple(sorted(names.items()))


def _batched(names: dict[str, str], cases: list[tuple]) -> list[tuple]:
    """`cases` ((text, ...) tuples), unchanged; their texts join the batch of `names`."""
    _REGISTERED.setdefault(_key(names), []).extend(c[0] for c in cases)
    return cases


def _extract_batch(texts: list[str], names: dict[str, str]) -> tuple[dict[str, str], pl.DataFrame]:
    """({text: doc_id}, the figures of every text, each text its own document, in one call)."""
    texts = list(dict.fromkeys(texts))
    return {t: f"d{i}" for i, t in enumerate(texts)}, extract_metrics(*_frames(texts, names))


def _extract(text: str, names: dict[str, str]) -> pl.DataFrame:
    """The figures of `text` with `names` as its entities: its rows of its registered batch (the whole
    batch extracted on first use), or of `text` alone when it is not registered."""
    key = _key(names)
    if key not in _EXTRACTED and text in _REGISTERED.get(key, ()):
        _EXTRACTED[key] = _extract_batch(_REGISTERED[key], names)
    doc_ids, out = _EXTRACTED.get(key, ({}, None))
    if text not in doc_ids:
        return extract_metrics(*_frames([text], names))
    return out.filter(pl.col("doc_id") == doc_ids[text])


_ALL_NAMES = {n: _eid(n) for n in ENTITIES}


def _run(text: str) -> list[tuple]:
    out = _extract(text, _ALL_NAMES)
    for r in out.iter_rows(named=True):
        assert text[r["start"] : r["end"]] == r["surface"]
    return out.select(
        "surface", "value", "value_high", "unit", "qualifier", "kind", "subject_entity_id"
    ).rows()


X, MIMO, INFL = _eid("Xiaomi"), _eid("MiMo"), _eid("Inflection AI")
ACME, GLOBEX = _eid("Acme"), _eid("Globex")

CASES = _batched(_ALL_NAMES, [
    # numbers, scales, currencies
    ("Xiaomi will invest 20 billion yuan this year.", [("20 billion yuan", 2e10, None, "CNY", None, "investment", X)]),  # noqa: E501
    ("OpenAI raised $6.6 billion at a $157 billion valuation.",
     [("$6.6 billion", 6.6e9, None, "USD", None, "funding", _eid("OpenAI")), ("$157 billion", 1.57e11, None, "USD", None, "valuation", _eid("OpenAI"))]),  # noqa: E501
    ("Tencent posted revenue of HK$365.9 billion.", [("HK$365.9 billion", 3.659e11, None, "HKD", None, "revenue", _eid("Tencent"))]),  # noqa: E501
    ("Alibaba spent US$1.3B and €200m and £5 mil.",
     [("US$1.3B", 1.3e9, None, "USD", None, None, _eid("Alibaba")), ("€200m", 2e8, None, "EUR", None, None, _eid("Alibaba")),  # noqa: E501
      ("£5 mil", 5e6, None, "GBP", None, None, _eid("Alibaba"))]),
    ("DeepSeek paid ¥3 bn and RMB 500 million and 2 million euros.",
     [("¥3 bn", 3e9, None, "CNY", None, None, _eid("DeepSeek")), ("RMB 500 million", 5e8, None, "CNY", None, None, _eid("DeepSeek")),  # noqa: E501
      ("2 million euros", 2e6, None, "EUR", None, None, _eid("DeepSeek"))]),
    ("Xiaomi raised $5–6 million.", [("$5–6 million", 5e6, 6e6, "USD", None, "funding", X)]),
    ("Xiaomi has between 3 and 5 million users.", [("between 3 and 5 million users", 3e6, 5e6, "users", None, "user_count", X)]),  # noqa: E501
    ("Nvidia sold a billion dollars of chips.", [("a billion dollars", 1e9, None, "USD", None, None, _eid("Nvidia"))]),  # noqa: E501
    ("小米投入64亿元，模型有七十亿参数。", [("64亿元", 6.4e9, None, "CNY", None, None, None), ("七十亿参数", 7e9, None, "parameters", None, "parameter_count", None)]),  # noqa: E501
    ("小米AI团队超过3000人，约1.5万名员工。",
     [("3000人", 3000.0, None, "employees", "more_than", "headcount", None), ("1.5万名员工", 15000.0, None, "employees", "about", "headcount", None)]),  # noqa: E501
    ("Nvidia sold half a million units for twenty-five dollars.",
     [("half a million units", 5e5, None, "units", None, None, _eid("Nvidia")), ("twenty-five dollars", 25.0, None, "USD", None, None, _eid("Nvidia"))]),  # noqa: E501
    # a year is never the low end of a range; a figure glued to a word is read as if spaced
    ("Xiaomi sales went from $1.2bn in 2019 to $4.5bn.",
     [("$1.2bn", 1.2e9, None, "USD", None, "revenue", X), ("$4.5bn", 4.5e9, None, "USD", None, "revenue", X)]),  # noqa: E501
    ("Xiaomi was valued at $2 billion in May 2022to $5 billion.",
     [("$2 billion", 2e9, None, "USD", None, "valuation", X), ("$5 billion", 5e9, None, "USD", None, "valuation", X)]),  # noqa: E501
    ("Xiaomi's margin went from 4% in 2020 to 10% in 2024.",
     [("4%", 4.0, None, "percent", None, "margin", X), ("10%", 10.0, None, "percent", None, None, X)]),
    ("Xiaomi secures$2bn at$10 billion, around$1 billion.",
     [("$2bn", 2e9, None, "USD", None, None, X), ("$10 billion", 1e10, None, "USD", None, None, X),
      ("$1 billion", 1e9, None, "USD", "about", None, X)]),
    # a range of percents written in words, as British, Australian and wire copy write them
    ("Xiaomi expects sales growth of 4 per cent to 6 per cent, and a margin of between 10 percent and 12 percent.",  # noqa: E501
     [("4 per cent to 6 per cent", 4, 6, "percent", None, "revenue_change", X), ("between 10 percent and 12 percent", 10, 12, "percent", None, "margin", X)]),  # noqa: E501
    # the level a count's change reached, and the count it is compared with, are counted in its unit;
    # never a percent's ("rose 5% to 2.1 million" does not say what the 2.1 million counts)
    ("Xiaomi said its headcount shrank by 150,000 to 2.1 million over the decade.",
     [("150,000", 150000, None, "employees", None, "headcount_change", X), ("2.1 million", 2.1e6, None, "employees", None, "headcount", X)]),  # noqa: E501
    ("Xiaomi sold 2.1 million vehicles, up from 1.5 million a year earlier.",
     [("2.1 million vehicles", 2.1e6, None, "vehicles", None, None, X), ("1.5 million", 1.5e6, None, "vehicles", None, None, X)]),  # noqa: E501
    ("Xiaomi said revenue rose 5% to 2.1 million.", [("5%", 5, None, "percent", None, "revenue_change", X)]),
    # "bpd" is barrels per day, no basis points; a dot group and a decimal comma make a number continental
    # whatever scale word follows
    ("Xiaomi said rivals cut output by 1 million bpd, and by 25 bp.",
     [("1 million bpd", 1e6, None, "barrels_per_day", None, None, X), ("25 bp", 0.25, None, "percent", None, "point_change", X)]),  # noqa: E501
    ("Xiaomi said revenue rose to €1.234,5 million.", [("€1.234,5 million", 1.2345e9, None, "EUR", None, "revenue", X)]),  # noqa: E501
    # a statement's change after its amount and that amount per share or in another currency
    ("Xiaomi reported net income of $3.4 billion, or $2.10 per share, up 6%.",
     [("$3.4 billion", 3.4e9, None, "USD", None, "profit", X), ("$2.10 per share", 2.1, None, "USD_per_share", None, "eps", X), ("6%", 6, None, "percent", None, "profit_change", X)]),  # noqa: E501
    ("Xiaomi said revenue was 34.4 billion yuan ($4.7 billion), up 6%.",
     [("34.4 billion yuan", 3.44e10, None, "CNY", None, "revenue", X), ("$4.7 billion", 4.7e9, None, "USD", None, "revenue", X), ("6%", 6, None, "percent", None, "revenue_change", X)]),  # noqa: E501
    # a change restated in another unit after ", or" is the same change
    ("Xiaomi will cut about 10% of its workforce, or roughly 7,000 jobs.",
     [("10%", 10, None, "percent", "about", "headcount_change", X), ("7,000 jobs", 7000, None, "employees", "about", "headcount_change", X)]),  # noqa: E501
    ("Xiaomi will lay off 350 employees, or about 15% of its staff.",
     [("350 employees", 350, None, "employees", None, "headcount_change", X), ("15%", 15, None, "percent", "about", "headcount_change", X)]),  # noqa: E501
    ("Xiaomi said revenue rose $2 billion, or 10%.",
     [("$2 billion", 2e9, None, "USD", None, "revenue", X), ("10%", 10, None, "percent", None, "revenue_change", X)]),  # noqa: E501
    # a commodity's price in a company's sentence is the market's, not the company's statement
    ("Xiaomi's profit fell 20% as Brent crude averaged $84 a barrel.",
     [("20%", 20, None, "percent", None, "profit_change", X), ("$84", 84, None, "USD", None, "commodity_price", None)]),  # noqa: E501
    # units of the business world, number formats, word figures, coordination, exclusions (issue 16)
    ("Xiaomi delivered 1,00,000 cars in 2024 and 5,781 units by May.",
     [("1,00,000 cars", 100000, None, "vehicles", None, None, X), ("5,781 units", 5781, None, "vehicles", None, None, X)]),  # noqa: E501
    ("Xiaomi shipped 22.7 million units and 9 million smartphones last year.",
     [("22.7 million units", 2.27e7, None, "units", None, None, X), ("9 million smartphones", 9e6, None, "units", None, None, X)]),  # noqa: E501
    ("小米交付35万台新车。",
     [("35万台", 350000, None, "vehicles", None, None, None)]),  # noqa: E501
    ("Xiaomi will build 10 gigawatts and 750 megawatts of capacity, a 2GW+ site and 9.954 GWh of batteries.",
     [("10 gigawatts", 1e10, None, "W", None, None, X), ("750 megawatts", 7.5e8, None, "W", None, None, X), ("2GW", 2e9, None, "W", None, None, X), ("9.954 GWh", 9.954, None, "GWh", None, None, X)]),  # noqa: E501
    ("The chip has 256GB of memory and 6Tbps of bandwidth; training took three weeks.",
     [("256GB", 256, None, "GB", None, None, None), ("6Tbps", 6, None, "Tbps", None, None, None), ("three weeks", 21, None, "days", None, None, None)]),  # noqa: E501
    ("Xiaomi costs 1.499 EUR, 199,90 EUR, or $14,3-billion.",
     [("1.499 EUR", 1499, None, "EUR", None, "price", X), ("199,90 EUR", 199.9, None, "EUR", None, "price", X), ("$14,3-billion", 1.43e10, None, "USD", None, "price", X)]),  # noqa: E501
    # a dot groups thousands in a count of whole things; a scale word or a decimal stays a decimal
    ("Acme will hire 15.000 workers and sell 2.500 cars, not 2.5 million phones or 1.5 robots per line.",
     [("15.000 workers", 15000, None, "employees", None, "headcount_change", ACME), ("2.500 cars", 2500, None, "vehicles", None, None, ACME),  # noqa: E501
      ("2.5 million phones", 2.5e6, None, "units", None, None, ACME), ("1.5 robots", 1.5, None, "units", None, None, ACME)]),  # noqa: E501
    # continental scale words (de, fr, es, it) make their number continental: a comma marks decimals, a
    # dot groups thousands; "de"/"d'"/"di" may stand before the currency
    ("Acme meldete ein EBIT von €1,5 Mrd. und einen Umsatz von 41.200 Mio. EUR im Jahr.",
     [("€1,5 Mrd.", 1.5e9, None, "EUR", None, "profit", ACME), ("41.200 Mio. EUR", 4.12e10, None, "EUR", None, "revenue", ACME)]),  # noqa: E501
    ("Acme erzielte 1.234,5 Mio. EUR und 9,5 Mrd. Euro, dazu 3,2 Milliarden Euro.",
     [("1.234,5 Mio. EUR", 1.2345e9, None, "EUR", None, None, ACME), ("9,5 Mrd. Euro", 9.5e9, None, "EUR", None, None, ACME),  # noqa: E501
      ("3,2 Milliarden Euro", 3.2e9, None, "EUR", None, None, ACME)]),
    ("Acme a levé 1,2 milliard d'euros puis 800 millions de dollars auprès de fonds.",
     [("1,2 milliard d'euros", 1.2e9, None, "EUR", None, None, ACME), ("800 millions de dollars", 8e8, None, "USD", None, None, ACME)]),  # noqa: E501
    ("Acme invertirá 3 mil millones de dólares y Globex 1.500 millones de euros.",
     [("3 mil millones de dólares", 3e9, None, "USD", None, None, ACME), ("1.500 millones de euros", 1.5e9, None, "EUR", None, None, GLOBEX)]),  # noqa: E501
    # (Italian "ricavi" is revenue; the debt after it takes the clause's statement noun too, as "revenue of
    # €2.5 billion and €12 billion of debt" does in English: a limit of the `_far` rule, not of the language)
    ("Acme ha ricavi per 2,5 miliardi di euro e 12 mld di euro di debito.",
     [("2,5 miliardi di euro", 2.5e9, None, "EUR", None, "revenue", ACME), ("12 mld di euro", 1.2e10, None, "EUR", None, "revenue", ACME)]),  # noqa: E501
    # a dot group before an English scale word is continental only in a document written that way
    ("Acme verkaufte Teile für 3,5 Mio. Euro. Acme paid €1.500 million for a plant.",
     [("3,5 Mio. Euro", 3.5e6, None, "EUR", None, None, ACME), ("€1.500 million", 1.5e9, None, "EUR", None, None, ACME)]),  # noqa: E501
    ("Acme paid €1.500 million for a plant and $1.125 billion for land.",
     [("€1.500 million", 1.5e6, None, "EUR", None, None, ACME), ("$1.125 billion", 1.125e9, None, "USD", None, None, ACME)]),  # noqa: E501
    # a change is not a range: "by X to Y" after a past verb is the change and the level, "from X to Y"
    # after a word of change two levels; a bare first figure takes the second's unit, and its scale
    # unless written out in full; a forecast's "by X to Y", "revenue of X to Y" and a plan stay ranges
    ("Acme's revenue fell by $2 billion to $10 billion.",
     [("$2 billion", 2e9, None, "USD", None, "revenue", ACME), ("$10 billion", 1e10, None, "USD", None, "revenue", ACME)]),  # noqa: E501
    ("Acme's gross margin rose from 20% to 25%.",
     [("20%", 20.0, None, "percent", None, "margin", ACME), ("25%", 25.0, None, "percent", None, "margin", ACME)]),  # noqa: E501
    ("Acme's headcount fell by 6,333 to 6.08 lakh employees.",
     [("6,333", 6333.0, None, "employees", None, "headcount_change", ACME), ("6.08 lakh employees", 608000.0, None, "employees", None, "headcount", ACME)]),  # noqa: E501
    ("Acme's sales rose from 2 to 3 billion yuan.",
     [("2", 2e9, None, "CNY", None, "revenue", ACME), ("3 billion yuan", 3e9, None, "CNY", None, "revenue", ACME)]),  # noqa: E501
    ("Acme lifted its revenue outlook from $2 billion to $3 billion.",
     [("$2 billion", 2e9, None, "USD", None, "revenue", ACME), ("$3 billion", 3e9, None, "USD", None, "revenue", ACME)]),  # noqa: E501
    ("Acme expects revenue of $2 billion to $3 billion and sales to increase by 11 to 13 percent.",
     [("$2 billion to $3 billion", 2e9, 3e9, "USD", None, "revenue", ACME), ("11 to 13 percent", 11.0, 13.0, "percent", None, "revenue_change", ACME)]),  # noqa: E501
    ("Acme will cut its spending by $2 billion to $3 billion.",
     [("$2 billion to $3 billion", 2e9, 3e9, "USD", None, "investment", ACME)]),  # noqa: E501
    # word figures of a rate move are percentage points (unit percent), not ratios
    ("Acme cut its loan rate by a quarter point and its deposit rate by half a percentage point.",
     [("a quarter point", 0.25, None, "percent", None, "interest_rate_change", ACME), ("half a percentage point", 0.5, None, "percent", None, "interest_rate_change", ACME)]),  # noqa: E501
    ("Acme lifted its fee by a quarter of a percentage point, then by three-quarters of a point.",
     [("a quarter of a percentage point", 0.25, None, "percent", None, "point_change", ACME), ("three-quarters of a point", 0.75, None, "percent", None, "point_change", ACME)]),  # noqa: E501
    # thousands grouped by a space before a unit (French, Nordic, SI style), employees in other languages
    ("Acme has 12 000 employees; Globex compte 117 000 salariés. Tencent beschäftigt 680.000 Mitarbeiter.",
     [("12 000 employees", 12000, None, "employees", None, "headcount", ACME), ("117 000 salariés", 117000, None, "employees", None, "headcount", GLOBEX),  # noqa: E501
      ("680.000 Mitarbeiter", 680000, None, "employees", None, "headcount", _eid("Tencent"))]),  # noqa: E501
    ("It runs on 2 512GB machines.", [("512GB", 512, None, "GB", None, None, None)]),
    ("Xiaomi's margin rose to 33pc and grew 490 bps.",
     [("33pc", 33, None, "percent", None, "margin", X), ("490 bps", 4.9, None, "percent", None, "margin_change", X)]),  # noqa: E501
    ("MiMo charges 0.8 RMB/million tokens.",
     [("0.8 RMB/million tokens", 0.8, None, "CNY_per_million_tokens", None, None, _eid("MiMo"))]),  # noqa: E501
    ("Xiaomi EPS was €1.73 versus €3.20 last year.",
     [("€1.73", 1.73, None, "EUR_per_share", None, "eps", X), ("€3.20", 3.2, None, "EUR_per_share", None, "eps", X)]),  # noqa: E501
    ("Xiaomi shares closed higher at $617.15 on Tuesday.",
     [("$617.15", 617.15, None, "USD_per_share", None, "share_price", X)]),  # noqa: E501
    ("Tokyo offered ¥590bn in subsidies to Japanese chipmakers.",
     [("¥590bn", 5.9e11, None, "JPY", None, None, None)]),  # noqa: E501
    ("Xiaomi raised $2 billion. Its valuation passed 38 billion.",
     [("$2 billion", 2e9, None, "USD", None, "funding", X), ("38 billion", 3.8e10, None, "USD", None, "valuation", X)]),  # noqa: E501
    ("Xiaomi guided $11.1B to $11.2B and margins of 34% to 42%.",
     [("$11.1B to $11.2B", 1.11e10, 1.12e10, "USD", None, None, X), ("34% to 42%", 34, 42, "percent", None, "margin", X)]),  # noqa: E501
    ("Xiaomi plans 15,000 job cuts, up to 700 roles and 500 contractors.",
     [("15,000 job cuts", 15000, None, "employees", None, "headcount_change", X), ("700 roles", 700, None, "employees", "up_to", "headcount", X), ("500 contractors", 500, None, "people", None, None, X)]),  # noqa: E501
    ("ChatGPT has 15 million paid seats.",
     [("15 million paid seats", 1.5e7, None, "users", None, "user_count", _eid("ChatGPT"))]),  # noqa: E501
    ("Xiaomi held half of all phones sold and twice the amount of rivals; in the first half of 2024 it met twice.",  # noqa: E501
     [("half", 0.5, None, "ratio", None, None, X), ("twice", 2, None, "multiplier", None, None, X)]),  # noqa: E501
    ("Xiaomi produced 479,700 vehicles and delivered 466,140 of them.",
     [("479,700 vehicles", 479700, None, "vehicles", None, None, X), ("466,140", 466140, None, "vehicles", None, None, X)]),  # noqa: E501
    ("MiMo was trained on 7 and 18 trillion tokens, with a parameter scale of 456 billion.",
     [("7", 7e12, None, "tokens", None, "training_tokens", _eid("MiMo")), ("18 trillion tokens", 1.8e13, None, "tokens", None, "training_tokens", _eid("MiMo")), ("456 billion", 4.56e11, None, "parameters", None, "parameter_count", _eid("MiMo"))]),  # noqa: E501
    ("Xiaomi (XIA 4.11%) rose. Join over 80,000 subscribers today.",
     []),  # noqa: E501
    ("Xiaomi got 5,000 orders in the past four days from eight Japanese companies.",
     [("5,000 orders", 5000, None, "count", None, None, X), ("eight Japanese companies", 8, None, "count", None, None, X)]),  # noqa: E501
    # qualifiers
    ("Inflection AI is a chat company. up to $4 billion.", [("$4 billion", 4e9, None, "USD", "up_to", None, INFL)]),  # noqa: E501
    ("The Xiaomi AI team has exceeded 3,000 people.", [("3,000 people", 3000.0, None, "employees", "over", "headcount", X)]),  # noqa: E501
    ("Xiaomi has about 10,000 GPUs.", [("10,000 GPUs", 1e4, None, "GPU", "about", "gpu_count", X)]),
    ("Xiao Ai supports more than 5,900 smart devices.", [("5,900 smart devices", 5900.0, None, "count", "more_than", None, _eid("Xiao Ai"))]),  # noqa: E501
    ("Xiaomi bought nearly 10,000 graphics processing units.",
     [("10,000 graphics processing units", 1e4, None, "GPU", "nearly", "gpu_count", X)]),
    ("Nvidia expects at least $2 billion.", [("$2 billion", 2e9, None, "USD", "at_least", None, _eid("Nvidia"))]),  # noqa: E501
    # units
    ("MiMo, an open-source model with 7 billion parameters, beats o1-mini.",
     [("7 billion parameters", 7e9, None, "parameters", None, "parameter_count", MIMO)]),
    ("MiMo-7B-RL likely refers to a 7-billion parameter model.",
     [("7-billion parameter", 7e9, None, "parameters", None, "parameter_count", _eid("MiMo-7B-RL"))]),
    ("Xiaomi unveiled MiMo. The company claims its 7-billion-parameter model outperforms OpenAI's o1-mini.",
     [("7-billion-parameter", 7e9, None, "parameters", None, "parameter_count", MIMO)]),
    ("Xiao Ai has 110 million monthly active users.", [("110 million monthly active users", 1.1e8, None, "users", None, "user_count", _eid("Xiao Ai"))]),  # noqa: E501
    ("ChatGPT has 400 million weekly active users.", [("400 million weekly active users", 4e8, None, "users", None, "user_count", _eid("ChatGPT"))]),  # noqa: E501
    ("Xiaomi built a team with over 1,200 AI specialists.", [("1,200 AI specialists", 1200.0, None, "employees", "over", "headcount", X)]),  # noqa: E501
    ("Xiaomi's stock jumped 5.3% on the news.", [("5.3%", 5.3, None, "percent", None, "stock_change", X)]),
    ("Nvidia shares fell 3.2 percent.", [("3.2 percent", 3.2, None, "percent", None, "stock_change", _eid("Nvidia"))]),  # noqa: E501
    ("PaLM 2 launched the smallest Gecko version, which can process 20 tokens per second.",
     [("20 tokens per second", 20.0, None, "tokens_per_second", None, "throughput", _eid("Gecko"))]),
    ("MiMo was trained on 25 trillion tokens.", [("25 trillion tokens", 2.5e13, None, "tokens", None, "training_tokens", MIMO)]),  # noqa: E501
    ("MiMo used 2.788M H800 GPU hours.", [("2.788M H800 GPU hours", 2.788e6, None, "GPU_hours", None, "training_compute", MIMO)]),  # noqa: E501
    ("Xiaomi simulated 30,000 robot dogs.", [("30,000 robot dogs", 3e4, None, "count", None, None, X)]),
    ("The CyberGear motor by Xiaomi is 20% lighter.", [("20%", 20.0, None, "percent", None, None, _eid("CyberGear"))]),  # noqa: E501
    ("MiMo is 2.29× faster and costs doubled.", [("2.29×", 2.29, None, "multiplier", None, None, MIMO), ("doubled", 2.0, None, "multiplier", None, None, MIMO)]),  # noqa: E501
    ("MiLM-6B ranked first on the list.", [("ranked first", 1.0, None, "rank", None, "ranking", _eid("MiLM-6B"))]),  # noqa: E501
    ("MiMo scored 85.5 on the math test.", [("85.5", 85.5, None, "score", None, "benchmark_score", MIMO)]),
    ("The number of Xiaomi's patents exceeds 32,000.", [("32,000", 32000.0, None, "count", "over", None, X)]),
    ("Alibaba paid HK$3.5 per share.", [("HK$3.5 per share", 3.5, None, "HKD_per_share", None, "share_price", _eid("Alibaba"))]),  # noqa: E501
    # subjects and fallbacks
    ("Jiemian reported that Xiaomi grew. Jiemian said the company had acquired approximately 10,000 graphics processing units.",  # noqa: E501
     [("10,000 graphics processing units", 1e4, None, "GPU", "about", "gpu_count", X)]),
    ("Xiaomi isn't slowing down. Reports suggest the company bought 10,000 graphics processing units.",
     [("10,000 graphics processing units", 1e4, None, "GPU", None, "gpu_count", X)]),
    ("For Xiaomi, the car crashed. The stock took a 15% hit after that.", [("15%", 15.0, None, "percent", None, "stock_change", X)]),  # noqa: E501
    ("Lei Jun said 5% of people agree.", [("5%", 5.0, None, "percent", None, None, None)]),
    ("DeepSeek's release sent Nvidia shares down 17% to $118.42.",
     [("17%", 17.0, None, "percent", None, "stock_change", _eid("Nvidia")), ("$118.42", 118.42, None, "USD_per_share", None, "share_price", _eid("Nvidia"))]),  # noqa: E501
    # a deal's money belongs to its target (devset labels: "invest $X in T" -> T)
    ("Microsoft invested $10 billion in OpenAI.", [("$10 billion", 1e10, None, "USD", None, "investment", _eid("OpenAI"))]),  # noqa: E501
    ("OpenAI said ChatGPT has 400 million weekly active users.",
     [("400 million weekly active users", 4e8, None, "users", None, "user_count", _eid("ChatGPT"))]),
    ("MiMo has 1 trillion total parameters with 32 billion active parameters.",
     [("1 trillion total parameters", 1e12, None, "parameters", None, "parameter_count", MIMO),
      ("32 billion active parameters", 3.2e10, None, "parameters", None, "parameter_count", MIMO)]),
    ("About 1 in 3 users of Xiao Ai agree.", []),
    ("MiMo outperforms o1-mini with 7 billion parameters.", [("7 billion parameters", 7e9, None, "parameters", None, "parameter_count", MIMO)]),  # noqa: E501
    # a model's size with no model named in reach is its maker's; a model named in reach keeps it
    ("Acme said its current model, which is rumoured to comprise 150 billion parameters, is ready.",
     [("150 billion parameters", 1.5e11, None, "parameters", None, "parameter_count", ACME)]),
    ("Acme released MiMo, which has 7 billion parameters.",
     [("7 billion parameters", 7e9, None, "parameters", None, "parameter_count", MIMO)]),
    # subjects: sources and investors are not owners, subject position beats an object, references
    # back, the document topic, null when unsure (issue 16)
    ("Xiaomi phones sold well; Canalys estimates 9 million units.",
     [("9 million units", 9e6, None, "units", None, None, X)]),  # noqa: E501
    ("Rapidus, backed by Sequoia, raised $2 billion.",
     [("$2 billion", 2e9, None, "USD", None, "funding", _eid("Rapidus"))]),  # noqa: E501
    ("Xiaomi, working with AMD chips, plans 3 gigawatts.",
     [("3 gigawatts", 3e9, None, "W", None, None, X)]),  # noqa: E501
    ("Rapidus makes chips. Rapidus opened a plant. Rapidus hired staff.\n\nRevenue rose to $5 billion.",
     [("$5 billion", 5e9, None, "USD", None, "revenue", _eid("Rapidus"))]),  # noqa: E501
    ("Xiaomi launched a phone.\n\nThe Chinese smartphone maker sold 9 million units.",
     [("9 million units", 9e6, None, "units", None, None, X)]),  # noqa: E501
    ("Revenue rose to $5 billion.",
     [("$5 billion", 5e9, None, "USD", None, "revenue", None)]),  # noqa: E501
    ("MiMo used 512 H800 GPUs for three weeks.",
     [("512 H800 GPUs", 512, None, "GPU", None, "gpu_count", _eid("MiMo")), ("three weeks", 21, None, "days", None, None, _eid("MiMo"))]),  # noqa: E501
    ("Nvidia chief Jensen Huang told Google sales rose 3%.",
     [("3%", 3, None, "percent", None, "revenue_change", _eid("Nvidia"))]),  # noqa: E501
    ("Rapidus makes chips. Rapidus opened a plant. Rapidus hired staff.\n\nThe company told Canalys its sales rose 20%.",  # noqa: E501
     [("20%", 20, None, "percent", None, "revenue_change", _eid("Rapidus"))]),  # noqa: E501
    ("Tencent agreed a $8 billion deal to buy data software maker Informatica.",
     [("$8 billion", 8e9, None, "USD", None, "acquisition", _eid("Informatica"))]),  # noqa: E501
    # a share price belongs to the company whose shares are named, not to a bidder named nearer
    ("Informatica's share price fell as Tencent's bid faded; it traded at $30 per share.",
     [("$30 per share", 30.0, None, "USD_per_share", None, "share_price", _eid("Informatica"))]),  # noqa: E501
    # what a figure counts is named after it by "for"
    ("Xiaomi booked 75,000 orders for the CyberGear.",
     [("75,000 orders", 75000.0, None, "count", None, None, _eid("CyberGear"))]),  # noqa: E501
    # a clause with no subject of its own continues the paragraph's subject; its names are objects
    ("Xiaomi grew its AI work. Setting up a lab that Tencent once ran, with 900 researchers, it hired widely.",  # noqa: E501
     [("900 researchers", 900.0, None, "employees", None, "headcount", X)]),  # noqa: E501
    # a research firm owns nothing in its document; "the company" is the earlier owner
    ("Xiaomi shipped 9 million phones, IDC data show. IDC ranked the company third with 12% of shipments.",
     [("9 million phones", 9e6, None, "units", None, None, X), ("12%", 12.0, None, "percent", None, None, X)]),  # noqa: E501
    # a pollster owns none of the consensus it reports: the company polled on does
    ("Salesforce beat forecasts. Analysts polled by Canalys had expected $10 billion in revenue.",
     [("$10 billion", 1e10, None, "USD", None, "revenue", _eid("Salesforce"))]),  # noqa: E501
    # a name inside a description ("the CRM giant") describes the entity referred back to
    ("Salesforce had a strong quarter. The CRM giant posted a $10 billion profit.",
     [("$10 billion", 1e10, None, "USD", None, "profit", _eid("Salesforce"))]),  # noqa: E501
    # a speaker owns a figure only when nothing else in the clause can
    ("Xiaomi expects Xiao Ai to earn $2 billion next year.",
     [("$2 billion", 2e9, None, "USD", None, None, _eid("Xiao Ai"))]),  # noqa: E501
    ("Xiaomi reported revenue of $5 billion.",
     [("$5 billion", 5e9, None, "USD", None, "revenue", X)]),  # noqa: E501
    # a reference back resolves to the earlier sentence's subject, not to an object named later in it
    ("Xiaomi climbed into the top five of the list kept by IDC.\n\nIts tally gave the vendor 9 million units.",  # noqa: E501
     [("9 million units", 9e6, None, "units", None, None, X)]),  # noqa: E501
    ("Alibaba's cloud revenue from Google, Tencent and Microsoft grew 30%.",
     [("30%", 30, None, "percent", None, "change", _eid("Alibaba"))]),  # noqa: E501
    # kind words are whole words ("sales" inside a name is no revenue); "a 14% share" is a portion of a
    # market, not a stock move, even next to "shares"
    ("Salesforce will invest $3 billion in offices.", [("$3 billion", 3e9, None, "USD", None, "investment", _eid("Salesforce"))]),  # noqa: E501
    ("Xiaomi held a 14% share of phone shipments as its shares rose 3%.",
     [("14%", 14.0, None, "percent", None, "market_share", X), ("3%", 3.0, None, "percent", None, "stock_change", X)]),  # noqa: E501
    ("Xiaomi took a 14% global share, shipping 9 million phones, up 12%.",
     [("14%", 14.0, None, "percent", None, "market_share", X), ("9 million phones", 9e6, None, "units", None, None, X),  # noqa: E501
      ("12%", 12.0, None, "percent", None, "change", X)]),
    # the figure's own clause owns it, not a name in a clause before it; digit groups are no clause break
    ("After CyberGear shipped in May, Xiaomi sold 9 million units.", [("9 million units", 9e6, None, "units", None, None, X)]),  # noqa: E501
    ("Xiaomi targets 1,000,000 deliveries for the CyberDog 2 and keeps its margin at 12 percent.",
     [("1,000,000 deliveries", 1e6, None, "count", None, None, _eid("CyberDog 2")), ("12 percent", 12.0, None, "percent", None, "margin", X)]),  # noqa: E501
    # a coordinated list is a source as a whole ("include A, B, C and D"); "Backed by A, B ..." is no list
    ("Xiaomi sold 9 million phones. Its backers include Alibaba, Tencent, Google and Nvidia, with stakes above 5%.",  # noqa: E501
     [("9 million phones", 9e6, None, "units", None, None, X), ("5%", 5.0, None, "percent", "over", None, X)]),  # noqa: E501
    ("Backed by Tencent, Xiaomi raised $2 billion.", [("$2 billion", 2e9, None, "USD", None, "funding", X)]),  # noqa: E501
    # an organisation after a preposition is an object: a later reference back skips it
    ("Xiaomi had a strong year.\n\nThe company signed a deal with OpenAI. Its revenue rose to $2 billion.",  # noqa: E501
     [("$2 billion", 2e9, None, "USD", None, "revenue", X)]),
    # a class of companies in the figure's clause, and no name in the sentence: an industry figure
    ("Xiaomi sold 9 million phones. For context, the average phone maker earns $2 million a year.",
     [("9 million phones", 9e6, None, "units", None, None, X), ("$2 million", 2e6, None, "USD", None, None, None)]),  # noqa: E501
    ("Xiaomi grew fast. Rival phone makers together shipped 40 million units.",
     [("40 million units", 4e7, None, "units", None, None, None)]),  # noqa: E501
    ("Xiaomi grew fast. It beat rival phone makers, shipping 9 million units.",
     [("9 million units", 9e6, None, "units", None, None, X)]),  # noqa: E501
    # kinds named by the nearest statement noun (issue 16): a loss keeps its magnitude under kind loss;
    # a noun after the amount outranks one before it, which outranks the sentence's words
    ("Xiaomi posted a net loss of $1.6 billion on revenue of $5 billion.",
     [("$1.6 billion", 1.6e9, None, "USD", None, "loss", X), ("$5 billion", 5e9, None, "USD", None, "revenue", X)]),  # noqa: E501
    ("Xiaomi's operating loss widened to $2.8 billion.", [("$2.8 billion", 2.8e9, None, "USD", None, "loss", X)]),  # noqa: E501
    ("Xiaomi booked a $900 million quarterly loss.", [("$900 million", 9e8, None, "USD", None, "loss", X)]),  # noqa: E501
    ("小米净亏损16亿元。", [("16亿元", 1.6e9, None, "CNY", None, "loss", None)]),
    # a loss of jobs is no money loss
    ("The loss of 700 jobs at Xiaomi followed $2 billion in sales.",
     [("700 jobs", 700.0, None, "employees", None, "headcount_change", X), ("$2 billion", 2e9, None, "USD", None, "revenue", X)]),  # noqa: E501
    ("Xiaomi revenue rose 5% while gross profit rose to $467.9 million.",
     [("5%", 5.0, None, "percent", None, "revenue_change", X), ("$467.9 million", 4.679e8, None, "USD", None, "profit", X)]),  # noqa: E501
    # the nearest noun before a figure in its own clause names its kind, not a stock word in a later
    # clause: a percent of a statement noun through a verb of change is that noun's change; a share price
    # is never in millions; money raised is funding
    ("Globex's sales climbed 12% to $4 billion, while its shares slid on the news.",
     [("12%", 12.0, None, "percent", None, "revenue_change", GLOBEX), ("$4 billion", 4e9, None, "USD", None, "revenue", GLOBEX)]),  # noqa: E501
    ("Acme lowered its outlook to between $2.1 billion and $2.4 billion as its stock dropped.",
     [("between $2.1 billion and $2.4 billion", 2.1e9, 2.4e9, "USD", None, None, ACME)]),  # noqa: E501
    ("Acme hopes to raise EUR 3 million from angel investors after sales grew.",
     [("EUR 3 million", 3e6, None, "EUR", None, "funding", ACME)]),  # noqa: E501
    ("Acme's gross margin narrowed by 1.5 percentage points and its stock lost 4%.",
     [("1.5 percentage points", 1.5, None, "percent", None, "margin_change", ACME), ("4%", 4.0, None, "percent", None, "stock_change", ACME)]),  # noqa: E501
    ("Acme shares closed at $41.20, up 2%.",
     [("$41.20", 41.2, None, "USD_per_share", None, "share_price", ACME), ("2%", 2.0, None, "percent", None, "stock_change", ACME)]),  # noqa: E501
    ("Acme's annual revenue outlook was raised to $9 billion after it raised $300 million in June.",
     [("$9 billion", 9e9, None, "USD", None, "revenue", ACME), ("$300 million", 3e8, None, "USD", None, "funding", ACME)]),  # noqa: E501
    ("Acme's stock opened 6% higher in morning trade before it gave back gains to close up 1%.",
     [("6%", 6.0, None, "percent", None, "stock_change", ACME), ("1%", 1.0, None, "percent", None, "stock_change", ACME)]),  # noqa: E501
    ("Acme's diluted earnings per share climbed 12% to $1.10.",
     [("12%", 12.0, None, "percent", None, "eps_change", ACME), ("$1.10", 1.1, None, "USD_per_share", None, "eps", ACME)]),  # noqa: E501
    ("Xiaomi sales grew, and it holds a $240 billion backlog.", [("$240 billion", 2.4e11, None, "USD", None, "backlog", X)]),  # noqa: E501
    ("Xiaomi revenue grew and it plans $175-185 billion in capital expenditures.",
     [("$175-185 billion", 1.75e11, 1.85e11, "USD", None, "investment", X)]),  # noqa: E501
    ("Xiaomi announced a $350 million cost reduction plan as prices fell.",
     [("$350 million", 3.5e8, None, "USD", None, "cost_savings", X)]),  # noqa: E501
    ("小米估值280亿美元，融资10亿美元。",
     [("280亿美元", 2.8e10, None, "USD", None, "valuation", None), ("10亿美元", 1e9, None, "USD", None, "funding", None)]),  # noqa: E501
    # a minus glued to an income figure makes it a loss of that magnitude (value is a magnitude), to a
    # percent a fall (kept: `direction` down), to another amount nothing (dropped); a figure
    # ends before a function word ("and shares" is no unit), a real modifier stays ("new phones")
    ("Globex said operating income was -$12 million, and its sales rose.",
     [("$12 million", 1.2e7, None, "USD", None, "loss", GLOBEX)]),  # noqa: E501
    ("Acme's EBITDA came in at −€4.5 million.", [("€4.5 million", 4.5e6, None, "EUR", None, "loss", ACME)]),
    ("Acme's free cash flow was -$300 million. Acme guided growth of –2% for the year.",
     [("2%", 2.0, None, "percent", None, "change", ACME)]),
    ("Acme paid $20 million and shares for the stake, and will ship 5 million new phones.",
     [("$20 million", 2e7, None, "USD", None, None, ACME), ("5 million new phones", 5e6, None, "units", None, None, ACME)]),  # noqa: E501
    ("Acme booked 100,000 in orders for its new car.", [("100,000 in orders", 1e5, None, "vehicles", None, None, ACME)]),  # noqa: E501
    # an amount per share is earnings per share after an earnings word, a share price otherwise
    ("Xiaomi reported earnings per share of $0.29.", [("$0.29", 0.29, None, "USD_per_share", None, "eps", X)]),  # noqa: E501
    ("Xiaomi guided EPS of $3.02-$3.04.", [("$3.02-$3.04", 3.02, 3.04, "USD_per_share", None, "eps", X)]),  # noqa: E501
    # exclusions: years, dates, times, versions, names, idioms, durations, dimensions
    ("In 2023, on March 31, 2023, at 6 a.m. and 09:00, GPT-4 and Qwen 2.5 and 4o-0513 met PaLM 2.", []),
    ("Snapdragon 8 and CyberDog 2 and MiMo-7B and MiLM-6B and the 32B in QwQ-32B-Preview.", []),
    ("Round 59 with a 70,000 WXTM prize pool; ticker 1810.HK; call +86 10 8888 1234.", []),
    ("The large model is four or two thousand pounds.", []),
    ("He was born 6 years ago, spent 4 years of university and the past 30 years in a three-hour speech.", []),  # noqa: E501
    ("It generates a 512×512-pixel image in 15 steps on the second-generation chip.", []),
    ("1. First item\n2. Second item", []),
    ("The focus is the 1.3B parameter version on phones.", []),  # the model's own name (a MODEL mention)
    # owners (issue 16): a name after a verb of passing or out-doing is the rival, not the owner
    ("Acme overtook Globex with 20% of the market.", [("20%", 20.0, None, "percent", None, None, ACME)]),
    ("Acme outsold Globex, trailing Vela with 9 million units.",
     [("9 million units", 9e6, None, "units", None, None, ACME)]),  # noqa: E501
    # the agent of a passive deal is the buyer: the price stays with the target
    ("Globex was acquired by Acme for $4.9 billion.",
     [("$4.9 billion", 4.9e9, None, "USD", None, "acquisition", GLOBEX)]),  # noqa: E501
    # a figure right after a possessive is the possessor's, even after a word of comparison
    ("Acme's revenue rose 10%, beating Globex's 8%.",
     [("10%", 10.0, None, "percent", None, "revenue_change", ACME), ("8%", 8.0, None, "percent", None, "change", GLOBEX)]),  # noqa: E501
    ("Acme grew faster than Globex's 8%.", [("8%", 8.0, None, "percent", None, "change", GLOBEX)]),
    # a possessor naming a relation describes the other entity, which owns the figures
    ("Globex's rival Acme sold 3 million phones.", [("3 million phones", 3e6, None, "units", None, None, ACME)]),  # noqa: E501
    ("Acme, Globex's largest customer, bought 2 million phones.",
     [("2 million phones", 2e6, None, "units", None, None, ACME)]),  # noqa: E501
    ("Acme's subsidiary Globex reported a loss of $40 million.",
     [("$40 million", 4e7, None, "USD", None, "loss", GLOBEX)]),  # noqa: E501
    # things made and sold belong to the product named right after them by "of"
    ("Acme delivered 5,000 units of its Vela robot last year.",
     [("5,000 units", 5000.0, None, "units", None, None, _eid("Vela"))]),  # noqa: E501
    ("Globex shipped 40,000 units of Acme's “Vela”.",
     [("40,000 units", 4e4, None, "units", None, None, _eid("Vela"))]),  # noqa: E501
    # a subject of several names leaves a later reference back without one certain owner: null
    ("Acme and Globex signed a deal. The company will pay $300 million.",
     [("$300 million", 3e8, None, "USD", None, None, None)]),  # noqa: E501
    ("Acme and Globex grew. Their revenue rose 5%.", [("5%", 5.0, None, "percent", None, "revenue_change", None)]),  # noqa: E501
    ("Acme makes chips. Acme opened a plant. Acme hired staff.\n\nGlobex and Tencent signed a deal. Revenue rose to $5 billion.",  # noqa: E501
     [("$5 billion", 5e9, None, "USD", None, "revenue", None)]),  # noqa: E501
    # a factor's base of comparison, named after it, is not its owner
    ("Globex has a long context. That is nearly 80x the capacity of Vela.",
     [("80x", 80.0, None, "multiplier", "nearly", None, GLOBEX)]),  # noqa: E501
    ("Acme's new model is fast. It has 1.3x the compute performance of the Vela.",
     [("1.3x", 1.3, None, "multiplier", None, None, ACME)]),  # noqa: E501
    # a speaker's "it" is the speaker; a source after the figure's clause (also named by a title)
    # leaves the figure to the paragraph's owner, and a market's figure to none; "X led the market"
    # is no investor
    ("Globex grew. Acme said it will cut 1,000 jobs.", [("1,000 jobs", 1000.0, None, "employees", None, "headcount_change", ACME)]),  # noqa: E501
    # (and with a day or an adverb between: "said separately that its", "said in a statement that its")
    ("Globex grew 3%, Xiaomi said. Acme said separately that its sales rose 12%.",
     [("3%", 3.0, None, "percent", None, "change", GLOBEX), ("12%", 12.0, None, "percent", None, "revenue_change", ACME)]),  # noqa: E501
    ("Acme sold 9 million phones. That is up 12%, Globex said.",
     [("9 million phones", 9e6, None, "units", None, None, ACME), ("12%", 12.0, None, "percent", None, "change", ACME)]),  # noqa: E501
    ("Acme grew fast. Sales rose 12%, Globex CEO Jane Roe told reporters.",
     [("12%", 12.0, None, "percent", None, "revenue_change", ACME)]),  # noqa: E501
    ("The market grew 5%, Globex said.", [("5%", 5.0, None, "percent", None, "change", None)]),
    # a company that "reported" its own results is their owner, no speaker: the next sentence's figure
    # is its, not a unit's named after it
    ("Xiaomi reported net profit of $2 billion as its Tencent stores benefited. Revenue rose 3%.",
     [("$2 billion", 2e9, None, "USD", None, "profit", X), ("3%", 3.0, None, "percent", None, "revenue_change", X)]),  # noqa: E501
    # an official statistics office reports figures and owns none, as a research firm
    ("Retail sales fell 3.2% in December, the Office for National Statistics said.",
     [("3.2%", 3.2, None, "percent", None, "revenue_change", None)]),
    ("Acme led the market. Shipments rose 5%, Globex said.", [("5%", 5.0, None, "percent", None, "change", ACME)]),  # noqa: E501
    # "the latter" / "the former" are the last / first name of the sentence before; a name inside a
    # relative clause is not the sentence's subject
    ("Globex was fourth, followed by Acme. The latter shipped 9 million units.",
     [("9 million units", 9e6, None, "units", None, None, ACME)]),  # noqa: E501
    ("Globex and Acme both grew. The former shipped 9 million units.",
     [("9 million units", 9e6, None, "units", None, None, GLOBEX)]),  # noqa: E501
    ("Globex was fourth, followed by Acme. As for the latter, it shipped 9 million units.",
     [("9 million units", 9e6, None, "units", None, None, ACME)]),  # noqa: E501
    ("Acme, which Globex backs, said its sales rose 12%.", [("12%", 12.0, None, "percent", None, "revenue_change", ACME)]),  # noqa: E501
    # Indian scale words: a lakh is 1e5, a crore 1e7, a lakh crore 1e12; "Rs" is the rupee ("CR" in a
    # name is no crore)
    ("Acme sold 3.5 lakh cars and raised Rs 2,000 crore, or 1.2 lakh crore rupees in all, for 5 CR-V cars.",
     [("3.5 lakh cars", 3.5e5, None, "vehicles", None, None, ACME), ("Rs 2,000 crore", 2e10, None, "INR", None, "funding", ACME),  # noqa: E501
      ("1.2 lakh crore rupees", 1.2e12, None, "INR", None, "funding", ACME), ("5 CR-V cars", 5.0, None, "vehicles", None, None, ACME)]),  # noqa: E501
    # coordinated owners own coordinated figures in order; a rival's figure right after "at" is its own
    ("Acme and Globex grew 12% and 8%, respectively.",
     [("12%", 12.0, None, "percent", None, "change", ACME), ("8%", 8.0, None, "percent", None, "change", GLOBEX)]),  # noqa: E501
    ("Acme, Globex and Vela held 20%, 15% and 10% of the market.",
     [("20%", 20.0, None, "percent", None, None, ACME), ("15%", 15.0, None, "percent", None, None, GLOBEX),
      ("10%", 10.0, None, "percent", None, None, _eid("Vela"))]),
    ("Acme led with 20%, ahead of Globex at 15%.",
     [("20%", 20.0, None, "percent", None, None, ACME), ("15%", 15.0, None, "percent", None, None, GLOBEX)]),  # noqa: E501
    # a relative clause's figure belongs to the name it describes; a deal's target named in the sentence
    # before owns the money of a sentence about the deal (not a possessor's own figure)
    ("Acme paid $4.9 billion for Globex, which has 2,500 employees.",
     [("$4.9 billion", 4.9e9, None, "USD", None, None, GLOBEX), ("2,500 employees", 2500.0, None, "employees", None, "headcount", GLOBEX)]),  # noqa: E501
    ("Acme agreed to acquire Globex. It will pay $4.9 billion.", [("$4.9 billion", 4.9e9, None, "USD", None, None, GLOBEX)]),  # noqa: E501
    ("Acme agreed to buy Globex. The deal is worth $4.9 billion, given Acme's $20 billion in debt.",
     [("$4.9 billion", 4.9e9, None, "USD", None, "valuation", GLOBEX), ("$20 billion", 2e10, None, "USD", None, None, ACME)]),  # noqa: E501
    # a reference back in the figure's own clause is the sentence's subject, not a nearer object
    ("Acme bought Globex for $4.9 billion, and its shares rose 5%.",
     [("$4.9 billion", 4.9e9, None, "USD", None, None, GLOBEX), ("5%", 5.0, None, "percent", None, "stock_change", ACME)]),  # noqa: E501
    ("Acme signed Globex as a client, and its revenue rose 12%.", [("12%", 12.0, None, "percent", None, "revenue_change", ACME)]),  # noqa: E501
    # basis points are hundredths of a percentage point (labels: "490 bps" -> 4.9 percent): "bp" in lower
    # case only ("BP" is also a company), hyphenated before a noun too; a date after "on" is no benchmark
    ("Acme's margin fell 15bp at its 5 BP stations, after a 25-basis-point rise.",
     [("15bp", 0.15, None, "percent", None, "margin_change", ACME), ("25-basis-point", 0.25, None, "percent", None, "point_change", ACME)]),  # noqa: E501
    ("The Fed cut rates by 1 basis point and 50 bps on Wednesday.",
     [("1 basis point", 0.01, None, "percent", None, "interest_rate_change", None), ("50 bps", 0.5, None, "percent", None, "interest_rate_change", None)]),  # noqa: E501
    # rates named by the nearest noun before the percent in its clause, or right after it: a level is the
    # rate's kind, a change in points its `_change`; "tax rates" and "3% of GDP" are none of them
    ("The central bank raised its deposit rate to 4.5% and kept the lending rate at 5.25%-5.50%.",
     [("4.5%", 4.5, None, "percent", None, "interest_rate", None), ("5.25%-5.50%", 5.25, 5.5, "percent", None, "interest_rate", None)]),  # noqa: E501
    ("Policymakers held rates at 3.75–4.00% while annual inflation of 6.2% eased.",
     [("3.75–4.00%", 3.75, 4.0, "percent", None, "interest_rate", None), ("6.2%", 6.2, None, "percent", None, "inflation", None)]),  # noqa: E501
    ("Consumer prices rose 2.9% in May and the jobless rate was 5.3%.",
     [("2.9%", 2.9, None, "percent", None, "inflation", None), ("5.3%", 5.3, None, "percent", None, "unemployment_rate", None)]),  # noqa: E501
    ("The economy grew 1.4% last quarter, and GDP growth slowed by 0.3 percentage points.",
     [("1.4%", 1.4, None, "percent", None, "gdp_growth", None), ("0.3 percentage points", 0.3, None, "percent", None, "gdp_growth_change", None)]),  # noqa: E501
    ("Core inflation fell 0.2 percentage points to 3.1%.",
     [("0.2 percentage points", 0.2, None, "percent", None, "inflation_change", None), ("3.1%", 3.1, None, "percent", None, "inflation", None)]),  # noqa: E501
    ("Economists expect a 4.8% jobless rate and a 50 basis-point rate hike.",
     [("4.8%", 4.8, None, "percent", None, "unemployment_rate", None), ("50 basis-point", 0.5, None, "percent", None, "interest_rate_change", None)]),  # noqa: E501
    ("Jobless claims rose 5% last week while mortgage rates climbed to 7.1%.",
     [("5%", 5.0, None, "percent", None, "change", None), ("7.1%", 7.1, None, "percent", None, "interest_rate", None)]),  # noqa: E501
    ("Analysts expect a 3% consumer price inflation and a 0.5% rise in interest rates.",
     [("3%", 3.0, None, "percent", None, "inflation", None), ("0.5%", 0.5, None, "percent", None, "interest_rate_change", None)]),  # noqa: E501
    ("Taxes took 3% of GDP and tax rates rose to 21%.",
     [("3%", 3.0, None, "percent", None, "change", None), ("21%", 21.0, None, "percent", None, None, None)]),  # noqa: E501
    # a percent in points names a rate's change, point_change when no rate is named (never a relative change)
    ("Globex's gross margin widened by 2.1 percentage points, and revenue growth slowed by 4 percentage points.",  # noqa: E501
     [("2.1 percentage points", 2.1, None, "percent", None, "margin_change", GLOBEX), ("4 percentage points", 4.0, None, "percent", None, "point_change", GLOBEX)]),  # noqa: E501
    # an amount per share after an earnings word is eps, after a dividend word a dividend
    ("Acme earned $2.15 per share and paid a dividend of $0.40 a share.",
     [("$2.15 per share", 2.15, None, "USD_per_share", None, "eps", ACME), ("$0.40 a share", 0.4, None, "USD_per_share", None, "dividend", ACME)]),  # noqa: E501
    ("Globex made a profit of $1.05 a share as its stock rose.",
     [("$1.05 a share", 1.05, None, "USD_per_share", None, "eps", GLOBEX)]),  # noqa: E501
    # money paid to shareholders (buyback, dividend) is no acquisition; a cost-cutting plan is no price; a
    # forecast keeps the kind of its statement noun, past the figure between
    ("Acme unveiled a $6 billion share repurchase plan, and Globex will use €2 billion to buy back shares.",
     [("$6 billion", 6e9, None, "USD", None, "buyback", ACME), ("€2 billion", 2e9, None, "EUR", None, "buyback", GLOBEX)]),  # noqa: E501
    ("Globex will pay dividends of €900 million after it agreed to buy Vela.",
     [("€900 million", 9e8, None, "EUR", None, "dividend", GLOBEX)]),  # noqa: E501
    ("Acme launched a $3 billion cost-cutting drive as prices fell.",
     [("$3 billion", 3e9, None, "USD", None, "cost_savings", ACME)]),  # noqa: E501
    ("Acme cut its net profit forecast to $800 million from the earlier forecast of $1.2 billion as sales slowed.",  # noqa: E501
     [("$800 million", 8e8, None, "USD", None, "profit", ACME), ("$1.2 billion", 1.2e9, None, "USD", None, "profit", ACME)]),  # noqa: E501
    # a news agency in a dateline or credit ("PLACE, date (Agency) -", "Reporting by X") owns nothing
    ("OSLO, May 2 (Ledger) - Acme said revenue rose 12% to $3 billion in the quarter.",
     [("12%", 12.0, None, "percent", None, "revenue_change", ACME), ("$3 billion", 3e9, None, "USD", None, "revenue", ACME)]),  # noqa: E501
    ("BERGEN (Ledger) — Globex said orders fell 8%.", [("8%", 8.0, None, "percent", None, "change", GLOBEX)]),
    ("Additional reporting by Ledger; revenue rose to $5 billion.", [("$5 billion", 5e9, None, "USD", None, "revenue", None)]),  # noqa: E501
    # a coordinate clause with a subject of its own ("while X fell", "; X's sales fell") owns its
    # figures; an unrecognised name there gives none, and a name in a later clause owns nothing before it
    ("Acme shares rose 2% while Globex fell 4% on Tuesday.",
     [("2%", 2.0, None, "percent", None, "stock_change", ACME), ("4%", 4.0, None, "percent", None, "stock_change", GLOBEX)]),  # noqa: E501
    ("Zentro jumped 21% on Monday, while Globex slid 4%.",
     [("21%", 21.0, None, "percent", None, "change", None), ("4%", 4.0, None, "percent", None, "stock_change", GLOBEX)]),  # noqa: E501
    ("The group spent $2 billion on plants, while its Globex unit lost 3,000 jobs.",
     [("$2 billion", 2e9, None, "USD", None, None, None), ("3,000 jobs", 3000.0, None, "employees", None, "headcount_change", GLOBEX)]),  # noqa: E501
    ("Acme's revenue rose 5%; Globex's sales fell 3%.",
     [("5%", 5.0, None, "percent", None, "revenue_change", ACME), ("3%", 3.0, None, "percent", None, "revenue_change", GLOBEX)]),  # noqa: E501
    # (offsets in characters, not bytes: curly quotes and accents before the join)
    ("Zentro’s “naïve” café sales jumped 21% while Globex slid 4%.",
     [("21%", 21.0, None, "percent", None, "revenue_change", None), ("4%", 4.0, None, "percent", None, "stock_change", GLOBEX)]),  # noqa: E501
    # a central bank as a clause's subject owns its figures, or none when it is no entity; never the
    # company of a sentence before
    ("Acme reported a profit of $13 billion. The Federal Reserve raised rates to 5.25%-5.50% in July.",
     [("$13 billion", 1.3e10, None, "USD", None, "profit", ACME), ("5.25%-5.50%", 5.25, 5.5, "percent", None, "interest_rate", None)]),  # noqa: E501
    ("Acme posted a profit of $8 billion. Meanwhile the Bank of England held rates at 3% on Thursday.",
     [("$8 billion", 8e9, None, "USD", None, "profit", ACME), ("3%", 3.0, None, "percent", None, "interest_rate", None)]),  # noqa: E501
    ("Acme grew fast. The Riksbank cut rates to 2% in June.", [("2%", 2.0, None, "percent", None, "interest_rate", _eid("Riksbank"))]),  # noqa: E501
    # a name that only reports ("The Daily Post reported") is no subject of its own
    ("Acme had a strong year. The Daily Post reported that sales rose 5%.",
     [("5%", 5.0, None, "percent", None, "revenue_change", ACME)]),
    # figures of the economy or of a whole market have no owner, unless a name is their subject
    ("Acme said sales rose 4%. Inflation in the region eased to 2.4% in May, while unemployment held at 6.5%.",  # noqa: E501
     [("4%", 4.0, None, "percent", None, "revenue_change", ACME), ("2.4%", 2.4, None, "percent", None, "inflation", None),  # noqa: E501
      ("6.5%", 6.5, None, "percent", None, "unemployment_rate", None)]),
    ("Acme said the market for robots grew 5% last year.", [("5%", 5.0, None, "percent", None, "change", None)]),  # noqa: E501
    ("Acme raised prices. Acme hired staff. Acme sold cars. Acme sells robots, and the market for robots is worth $80 billion.",  # noqa: E501
     [("$80 billion", 8e10, None, "USD", None, "valuation", None)]),
    ("Acme dominates the market for robots and holds 80% of it.", [("80%", 80.0, None, "percent", None, None, ACME)]),  # noqa: E501
    # a name quarry does not know, as the subject (a possessive before the figure's noun, or a capital
    # before an agent's verb), leaves its clause's figures without an owner: never a neighbour's
    ("The Riksbank kept its deposit rate at 2%. Acmeco's sales fell 3%.",
     [("2%", 2.0, None, "percent", None, "interest_rate", _eid("Riksbank")), ("3%", 3.0, None, "percent", None, "revenue_change", None)]),  # noqa: E501
    ("Target cut 1,800 jobs and Globex's sales dropped 15%.",
     [("1,800 jobs", 1800.0, None, "employees", None, "headcount_change", None), ("15%", 15.0, None, "percent", None, "revenue_change", GLOBEX)]),  # noqa: E501
    ("Globex sold 2 million phones. Shell will buy back $3.5 billion of shares.",
     [("2 million phones", 2e6, None, "units", None, None, GLOBEX), ("$3.5 billion", 3.5e9, None, "USD", None, "buyback", None)]),  # noqa: E501
    # (a known name there keeps its figures; a function word or a figure's noun is no name)
    ("Acme cut 1,800 jobs and Globex's sales dropped 15%.",
     [("1,800 jobs", 1800.0, None, "employees", None, "headcount_change", ACME), ("15%", 15.0, None, "percent", None, "revenue_change", GLOBEX)]),  # noqa: E501
    ("Acme sold 2 million phones. Revenue rose 5%. It cut 300 jobs.",
     [("2 million phones", 2e6, None, "units", None, None, ACME), ("5%", 5.0, None, "percent", None, "revenue_change", ACME),  # noqa: E501
      ("300 jobs", 300.0, None, "employees", None, "headcount_change", ACME)]),
])  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_literal_sentences(text: str, expected: list[tuple]) -> None:
    got = _run(text)
    assert [(s, u, q, k, subj) for s, _, _, u, q, k, subj in got] == [
        (s, u, q, k, subj) for s, _, _, u, q, k, subj in expected
    ]
    for (_, v, vh, *_), (_, ev, evh, *_) in zip(got, expected, strict=True):
        assert v == pytest.approx(ev)
        assert vh == (None if evh is None else pytest.approx(evh))


def _doc_rows(out: pl.DataFrame, doc_id: str) -> list[tuple]:
    """`doc_id`'s figures without the document's id (the figure ids keep their offsets)."""
    return (
        out.filter(pl.col("doc_id") == doc_id)
        .drop("doc_id")
        .with_columns(pl.col("metric_id", "linked_metric_id").str.replace(r"^[^:]*:", ""))
        .rows()
    )


def test_a_documents_figures_do_not_depend_on_its_batch() -> None:
    # What lets the literal cases share one call, and a pipeline batch hold any documents: the same
    # figures, every column, whether a text comes alone, first or last among 200 others.
    texts = list(dict.fromkeys(c[0] for c in CASES))
    doc_ids, out = _extract_batch(texts, _ALL_NAMES)
    reversed_ids, reversed_out = _extract_batch(texts[::-1], _ALL_NAMES)
    assert len(texts) > 200 and out.height > 300
    for text in texts:
        assert _doc_rows(out, doc_ids[text]) == _doc_rows(reversed_out, reversed_ids[text]), text
    for text in texts[::20]:
        alone = extract_metrics(*_frames([text], _ALL_NAMES))
        assert _doc_rows(alone, "d0") == _doc_rows(out, doc_ids[text]), text


def test_subjects_built_in_slices_of_sentences_are_the_subjects_built_at_once(monkeypatch) -> None:
    # Figure-mention pairs are reduced in slices of whole sentences when a batch holds many: one slice
    # per few sentences must give every figure the owner one slice gives it.
    import transforms.metrics as metrics_module

    texts = list(dict.fromkeys(c[0] for c in CASES))
    doc_ids, at_once = _extract_batch(texts, _ALL_NAMES)
    monkeypatch.setattr(metrics_module, "_PAIRS_PER_SLICE", 3)
    sliced_ids, sliced = _extract_batch(texts, _ALL_NAMES)
    assert sliced_ids == doc_ids and at_once.height > 300
    assert sliced.get_column("subject_entity_id").null_count() < sliced.height
    assert sliced.equals(at_once)


def test_parenthetical_conversion_links_both_ways() -> None:
    docs, mentions, ents, sents = _frames(
        ["Xiaomi will annually invest 20 billion yuan ($2.76 billion) in AI."], {"Xiaomi": X}
    )
    out = extract_metrics(docs, mentions, ents, sents)
    assert out.select("metric_id", "unit", "kind", "linked_metric_id", "subject_entity_id").rows() == [
        ("d0:28", "CNY", "investment", "d0:45", X),
        ("d0:45", "USD", "investment", "d0:28", X),
    ]


def test_chinese_parenthetical_conversion() -> None:
    docs, mentions, ents, sents = _frames(["小米投资二十亿元（约2.76亿美元）。"], {})
    out = extract_metrics(docs, mentions, ents, sents)
    assert out.select("surface", "value", "unit", "kind", "linked_metric_id").rows() == [
        ("二十亿元", 2e9, "CNY", "investment", "d0:10"),
        ("2.76亿美元", 2.76e8, "USD", "investment", "d0:4"),
    ]


def test_range_and_kind() -> None:
    docs, mentions, ents, sents = _frames(
        ["OpenAI raised $6.6 billion at a $157 billion valuation, with 3-5% dilution."], {}
    )
    out = extract_metrics(docs, mentions, ents, sents)
    assert out.select("surface", "value", "value_high", "kind").rows() == [
        ("$6.6 billion", 6.6e9, None, "funding"),
        ("$157 billion", 1.57e11, None, "valuation"),
        ("3-5%", 3.0, 5.0, None),
    ]


@pytest.mark.parametrize(
    ("text", "surface", "reason"),
    [
        ("GPT-4 is here.", "4", "part_of_name"),
        ("the 32B in QwQ-32B", "32B", "no_unit"),
        ("a 512×512-pixel image", "512×512", "dimensions"),
        ("Qwen 2.5 users", "2.5 users", "version_number"),
        ("in 2023 users grew", "2023 users", "year"),
        ("two people came", "two people", "small_word_count"),
        # a minus glued to a figure whose kind has no sign (only an income's minus makes a loss)
        ("Its free cash flow was -$300 million.", "$300 million", "negative_figure"),
    ],
)
def test_drop_reasons(text: str, surface: str, reason: str) -> None:
    docs, mentions, ents, sents = _frames([text], {})
    c = metric_candidates(docs, mentions, ents, sents)
    assert (surface, reason) in c.select("surface", "reason").rows()


def test_output_schema_and_non_ascii_offsets() -> None:
    text = "“Xiaomi’s” 模型 stock — jumped 5.3% and 小米投入64亿元 with 😀 10,000 GPUs."
    docs, mentions, ents, sents = _frames([text], {"Xiaomi": X})
    out = extract_metrics(docs, mentions, ents, sents)
    assert dict(out.schema) == OUTPUT_SCHEMA
    assert list(out.columns) == [c for c in METRICS.columns if c not in ("extractor_version", "run_id")]
    assert out["surface"].to_list() == ["5.3%", "64亿元", "10,000 GPUs"]
    for r in out.iter_rows(named=True):
        assert text[r["start"] : r["end"]] == r["surface"]
        assert r["sentence_start"] <= r["start"] < r["end"] <= r["sentence_end"]
    assert EXTRACTOR_VERSION


def test_empty_inputs() -> None:
    docs, mentions, ents, sents = _frames([], {})
    assert dict(extract_metrics(docs, mentions, ents, sents).schema) == OUTPUT_SCHEMA
    docs, mentions, ents, sents = _frames(["", "no figures here"], {})
    assert extract_metrics(docs, mentions, ents, sents).height == 0


_ALPHABET = st.sampled_from(
    list("0123456789 ,.-–%$¥€£×x()亿万元十二两billionmparetusk’“”\n") + ["million", " users", "GPT-", "😀"]
)


_ARBITRARY = st.one_of(st.text(max_size=40), st.lists(_ALPHABET, max_size=30).map("".join))


# Many documents per example, few examples: as many generated documents (~120) as 60 examples of 1-3
# gave, in a quarter of the extract_metrics calls (each costs ~0.15 s of polars planning whatever its
# size: 20 s -> 6 s serially). The batch size is drawn uniformly (st.lists alone draws mostly short ones).
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.data_too_large])
@given(st.integers(1, 15).flatmap(lambda n: st.lists(_ARBITRARY, min_size=n, max_size=n)))
def test_arbitrary_text_never_raises(texts: list[str]) -> None:
    docs, mentions, ents, sents = _frames(texts, {})
    out = extract_metrics(docs, mentions, ents, sents)
    for r in out.iter_rows(named=True):
        text = texts[int(r["doc_id"][1:])]
        assert 0 <= r["start"] < r["end"] <= len(text)
        assert text[r["start"] : r["end"]] == r["surface"]
        assert math.isfinite(r["value"]) and r["value"] >= 0
        assert r["value_high"] is None or (math.isfinite(r["value_high"]) and r["value_high"] >= 0)
        assert r["unit"] in UNITS


# ----------------------------------------------------------------------------------------------- seeds
def _seed_text(stem: str, text: str) -> str:
    """The article body: what cleaning keeps per each label's noise_note."""
    lines = text.split("\n")
    if stem.startswith("000"):
        lines = lines[10:]  # Gate Square / WXTM crypto promo
    body = "\n".join(lines)
    for footer in ("\nWhy this matters:", "\nXiaomi bolsters high-end push"):
        body = body.split(footer)[0]  # 002 newsletter footer, 003 related-article list and promo
    return body


def _seed_frames() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame, dict]:
    texts, labels, stems = [], {}, []
    for path in sorted(SEEDS.glob("*.txt")):
        stems.append(path.stem)
        texts.append(_seed_text(path.stem, path.read_text(encoding="utf-8")))
        labels[path.stem] = json.loads((SEEDS / "labels" / f"{path.stem}.json").read_text(encoding="utf-8"))
    docs = pl.DataFrame({"doc_id": stems, "text": texts})
    # Test-only stand-in for the entity extractor: whole-word regex over non-optional labelled surfaces.
    rows, ents = [], {}
    for stem, text in zip(stems, texts, strict=True):
        forms = {}
        for e in labels[stem]["entities"]:
            if e.get("optional"):
                continue
            eid = f"{e['type'].lower()}:{e['canonical'].lower()}"
            ents[eid] = (e["canonical"], e["type"])
            for f in [e["text"], e["canonical"], *e.get("aliases", [])]:
                forms.setdefault(f, eid)
        pat = re.compile(
            r"(?<![\w-])("
            + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
            + r")(?![\w])"
        )
        for m in pat.finditer(text):
            rows.append(
                {
                    "doc_id": stem,
                    "entity_id": forms[m.group(1)],
                    "surface": m.group(1),
                    "start": m.start(),
                    "end": m.end(),
                }
            )
    mentions = pl.DataFrame(rows)
    entities = pl.DataFrame([{"entity_id": k, "name": v[0], "type": v[1]} for k, v in ents.items()])
    return docs, mentions, entities, sentence_spans(docs), labels


def _score(out: pl.DataFrame, entities: pl.DataFrame, labels: dict) -> dict:
    names = dict(entities.select("entity_id", "name").rows())
    tp = fp = fn = subj_ok = noise = 0
    for stem, label in labels.items():
        preds = out.filter(pl.col("doc_id") == stem).to_dicts()
        used = set()
        for lab in label["metrics"]:
            hit = next((i for i, p in enumerate(preds) if i not in used and p["unit"] == lab["unit"]
                        and abs(p["value"] - lab["value"]) <= 0.01 * abs(lab["value"])), None)  # fmt: skip
            if hit is None:
                fn += 0 if lab.get("optional") else 1
                continue
            used.add(hit)
            if not lab.get("optional"):
                tp += 1
                subject = names.get(preds[hit]["subject_entity_id"])
                subj_ok += (subject or "").lower() == (lab["subject"] or "").lower()
        for i, p in enumerate(preds):
            if i in used:
                continue
            if any(
                p["unit"] == n["unit"] and abs(p["value"] - n["value"]) <= 0.01 * n["value"]
                for n in label["noise_metrics"]
            ):
                noise += 1
            opt = any(p["unit"] == m["unit"] and abs(p["value"] - m["value"]) <= 0.01 * m["value"]
                      for m in label["metrics"] if m.get("optional"))  # fmt: skip
            fp += 0 if opt else 1
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,  # noqa: E501
            "subject_accuracy": subj_ok / tp if tp else 0.0, "noise": noise}  # fmt: skip


def test_seeds_f1_and_no_noise() -> None:
    docs, mentions, entities, sents, labels = _seed_frames()
    out = extract_metrics(docs, mentions, entities, sents)
    score = _score(out, entities, labels)
    assert score["noise"] == 0, score
    assert score["f1"] >= 0.90, score
    assert score["subject_accuracy"] >= 0.80, score


def test_every_unit_has_a_subject_class_and_a_plausibility_bound() -> None:
    from expectations.metrics import MAX_VALUE
    from transforms.metrics import _UNIT_CLASS

    assert [u for u in UNITS if u not in _UNIT_CLASS or u not in MAX_VALUE] == []


# ------------------------------------------------------------------------------------------- steps
def _hits(text: str, names: dict[str, str] | None = None) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(docs, sentence frame, candidate hits) of one literal text."""
    docs, _, _, sents = _frames([text], names or {})
    frame = M.sentence_frame(docs, sents)
    return docs, frame, M.find_candidates(docs, frame)


def test_step_candidates_offsets_and_context() -> None:
    text = "“Xiaomi” sold 9 million phones. Then 5% more."
    _, _, hits = _hits(text)
    assert hits.sort("start").select("surface", "start", "end", "sentence_id", "_left", "_right").rows() == [
        ("9 million phones", 14, 30, 0, "“Xiaomi” sold ", "."),
        ("5%", 37, 39, 1, "Then ", " more."),
    ]


def test_step_screen_keeps_cued_and_coordinated_bare_numbers() -> None:
    _, _, hits = _hits("Round 59 began. Patents total 32,000. It used 7 and 18 trillion tokens.")
    early, rest = M.screen_bare_numbers(hits)
    assert early.select("surface", "reason").rows() == [("59", "no_unit")]
    assert sorted(rest["surface"].to_list()) == ["18 trillion tokens", "32,000", "7"]


@pytest.mark.parametrize(
    ("text", "value", "value_high"),
    [
        ("It sold 1,00,000 cars.", 1e5, None),  # Indian grouping
        ("It paid $14,3-billion.", 1.43e10, None),  # decimal comma before a scale word
        ("It holds 1.234.567 shares.", 1234567.0, None),  # dot grouping
        ("It costs 199,90 EUR.", 199.9, None),  # decimal comma
        ("It costs 1.499 EUR.", 1499.0, None),  # a dot groups thousands in a euro price
        ("It owes half-a-trillion dollars.", 5e11, None),
        ("Margins fell 490 bps.", 4.9, None),  # basis points in percent
        ("It plans 10 gigawatts.", 1e10, None),  # watts
        ("It took three weeks.", 21.0, None),  # days
        ("It guided $11.1B to $11.2B.", 1.11e10, 1.12e10),
        ("Margins of 34% to 42%.", 34.0, 42.0),
        ("It grew from $1.2bn in 2019 to $4.5bn.", 1.2e9, None),
    ],
)
def test_step_parse_values(text: str, value: float, value_high: float | None) -> None:
    _, _, hits = _hits(text)
    _, rest = M.screen_bare_numbers(hits)
    first = M.parse_figures(rest).sort("start").row(0, named=True)
    assert first["value"] == pytest.approx(value)
    assert first["value_high"] == (None if value_high is None else pytest.approx(value_high))


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("The carmaker delivered 5,781 units.", "vehicles"),
        ("The phone maker shipped 5,781 units.", "units"),
        ("It shipped 5,781 units.", "units"),
        ("It took 5,781 orders.", "count"),
        ("Cars are its business.\n\nIt took 5,781 orders.", "vehicles"),  # the document is about cars
        ("Japan gave ¥590bn.", "JPY"),
        ("China gave ¥590bn.", "CNY"),
        ("Tokyo backs chips.\n\nIt gave ¥590bn.", "JPY"),  # the document is about Japan
        ("The Nikkei index rose as it gave ¥590bn.", "JPY"),  # Japan's market words are Japan cues
        # an amount per share in yen: written so, or a price after a share word
        ("Tokyo backs chips.\n\nIt pays ¥50 per share.", "JPY_per_share"),
        ("In Tokyo, its shares closed at ¥2,000.", "JPY_per_share"),
        ("In Beijing, its shares closed at ¥20.", "CNY_per_share"),
        ("EPS was €1.73.", "EUR_per_share"),
        ("It charges $2 per million tokens.", "USD_per_million_tokens"),
        ("It plans 15,000 job cuts.", "employees"),
        ("It let go 500 contractors.", "people"),
        ("It raised $2 billion. Its valuation passed 38 billion.", "USD"),
    ],
)
def test_step_units(text: str, unit: str) -> None:
    docs, _, hits = _hits(text)
    _, rest = M.screen_bare_numbers(hits)
    parsed = M.parse_figures(rest)
    units = M.figure_units(parsed, M.document_context(docs, parsed["_d"].unique()))
    assert units.sort("start")["unit"].to_list()[-1] == unit


def test_step_document_context_counts_each_pair_of_cues_per_document() -> None:
    texts = [
        "Cars, more cars and one phone.",
        "Phones and tablets outsell cars.",
        None,
        "Tokyo and yen, not yuan.",
    ]
    docs = pl.DataFrame(
        {"doc_id": ["a", "b", "c", "d"], "text": texts}, schema={"doc_id": pl.String, "text": pl.String}
    )
    out = M.document_context(docs, pl.Series([0, 1, 2, 3]), pl.Series([3]))
    assert out.rows() == [(0, True, None), (1, False, None), (2, None, None), (3, False, True)]


@pytest.mark.parametrize(
    ("text", "surface", "reason"),
    [
        ("Arm Holdings (ARM 4.11%) rose.", "4.11%", "ticker_widget"),
        ("Join over 80,000 subscribers today.", "80,000 subscribers", "promotion"),
        ("Orders came in the past four days.", "four days", "relative_time"),
        ("In the first half of 2024 it grew.", "half", "word_not_figure"),
        ("It posted double-digit growth.", "double", "word_not_figure"),
        ("They met twice.", "twice", "word_not_figure"),
        ("它是一家公司。", "一家", "small_word_count"),  # "one" is an article, not a figure
    ],
)
def test_step_exclusions(text: str, surface: str, reason: str) -> None:
    docs, frame, hits = _hits(text)
    _, rest = M.screen_bare_numbers(hits)
    empty = M.mention_frame(docs, *_frames([text], {})[1:3], frame)
    out = M.exclusion_reasons(M.figure_units(M.parse_figures(rest)), empty)
    assert out.filter(pl.col("surface") == surface)["reason"].to_list() == [reason]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # no other company named: nobody, rather than the investor
        ("Parkway Ventures is leading a $600 million round that values the startup at $8 billion.",
         [("$600 million", "funding", None), ("$8 billion", "valuation", None)]),
        ("Parkway Ventures co-leads a $90 million round in Nimbus Labs.",
         [("$90 million", "funding", "org:nimbus labs")]),
        ("Parkway Ventures leads the round, which values Nimbus Labs at $8 billion.",
         [("$8 billion", "valuation", "org:nimbus labs")]),
        # leading a market, or a team, is no investment
        ("Parkway Ventures leads the market with a 20% share.",
         [("20%", "market_share", "org:parkway ventures")]),
        ("Parkway Ventures leads a team of 50 engineers.",
         [("50 engineers", "headcount", "org:parkway ventures")]),
    ],
)  # fmt: skip
def test_an_investor_leading_a_round_does_not_own_it(text: str, expected: list[tuple]) -> None:
    names = {"Parkway Ventures": "org:parkway ventures", "Nimbus Labs": "org:nimbus labs"}
    out = extract_metrics(*_frames([text], names))
    assert out.select("surface", "kind", "subject_entity_id").rows() == expected


_OWNER_NAMES = {
    "Acme": "org:acme", "Globex": "org:globex", "Riksbank": "org:riksbank",
    "Hooli Mobile": "org:hooli mobile", "Calder Composite": "org:calder composite",
}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched(_OWNER_NAMES, [
        # a market price as the clause's subject (a bond's yield, a currency, a commodity) is no company's
        # figure: not the central bank's, nor the company's named in the sentence before
        ("The Riksbank held its rate at 2%. Yields on two-year government notes fell 6 basis points to 3.48%.",  # noqa: E501
         [("2%", None, "org:riksbank"), ("6 basis points", "interest_rate_change", None), ("3.48%", "interest_rate", None)]),  # noqa: E501
        ("The Riksbank held its rate at 2%. The pound fell 0.4% to $1.3125 on Friday.",
         [("2%", None, "org:riksbank"), ("0.4%", "change", None), ("$1.3125", None, None)]),
        ("Acme sells jet fuel to airlines. Brent crude rose 2% to $81 a barrel, and the dollar rose 0.3% against the yen.",  # noqa: E501
         [("2%", "commodity_price_change", None), ("$81", "commodity_price", None), ("0.3%", "change", None)]),  # noqa: E501
        # a role noun in apposition before a name ("Rival X", "Its unit X"): the name is the subject, and
        # "its" after it refers back to it, not to the paragraph's company
        ("Globex had a good year. Rival Acme posted a record profit of $2 billion.",
         [("$2 billion", "profit", "org:acme")]),
        ("Globex had a good year. Its telecom unit Hooli Mobile added 8 million subscribers.",
         [("8 million subscribers", "user_count", "org:hooli mobile")]),
        ("Globex had a good year. Rival Acme reported that its profit fell 2%.",
         [("2%", "profit_change", "org:acme")]),
        # an adjective opening the sentence before the role noun ("Smaller rival X", "Chinese rival X")
        ("Globex had a good year. Smaller rival Acme posted a record profit of $2 billion.",
         [("$2 billion", "profit", "org:acme")]),
        ("Globex had a good year. Chinese rival Acme posted a record profit of $2 billion.",
         [("$2 billion", "profit", "org:acme")]),
        # ... and in a clause opened by ", and" / ", while" inside the sentence
        ("Globex sold 9,000 cars, while its German rival Acme sold 3,100 cars.",
         [("9,000 cars", None, "org:globex"), ("3,100 cars", None, "org:acme")]),
        ("Globex posted a profit of $1 billion, and rival Acme posted a profit of $2 billion.",
         [("$1 billion", "profit", "org:globex"), ("$2 billion", "profit", "org:acme")]),
        ("Globex posted a profit of $1 billion, and rival glassmaker Acme posted a profit of $2 billion.",
         [("$1 billion", "profit", "org:globex"), ("$2 billion", "profit", "org:acme")]),
        # "<name> <verb>ing <figure>": each name owns its own participle clause's figure; an unknown name
        # leaves its figure without an owner, never the next clause's name or the sentence's first
        ("Markets were calm, with the Norvik 30 gaining 0.5% and the Calder Composite adding 0.7%.",
         [("0.5%", "change", None), ("0.7%", "change", "org:calder composite")]),
        ("Markets rose 0.5% on Monday, with the Calder Composite adding 0.7%.",
         [("0.5%", "change", None), ("0.7%", "change", "org:calder composite")]),
        ("Globex had a good year, with Zentro gaining 5% and Acme adding 7%.",
         [("5%", "change", None), ("7%", "change", "org:acme")]),
        ("Globex had a good year, with Acme gaining 5% and Zentro adding 7%.",
         [("5%", "change", "org:acme"), ("7%", "change", None)]),
    ]),
)  # fmt: skip
def test_the_clause_subject_owns_its_figures(text: str, expected: list[tuple]) -> None:
    out = _extract(text, _OWNER_NAMES)
    assert out.select("surface", "kind", "subject_entity_id").rows() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched(_OWNER_NAMES, [
        # an economy's figure stated by a central bank's officer is the economy's, never the bank's
        ("Riksbank Governor Erik Thedeen said inflation had eased to 2.1% in May and the unemployment "
         "rate had climbed to 8.7%.",
         [("2.1%", "inflation", None), ("8.7%", "unemployment_rate", None)]),
        # ... while a company's own figure in the same sentence keeps its owner
        ("Acme's economists see GDP growth of 1.2%, and Acme expects its sales to rise 4%.",
         [("1.2%", "gdp_growth", None), ("4%", "revenue_change", "org:acme")]),
    ]),
)  # fmt: skip
def test_economy_wide_figures_have_no_company_owner(text: str, expected: list[tuple]) -> None:
    out = _extract(text, _OWNER_NAMES)
    assert out.select("surface", "kind", "subject_entity_id").rows() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched({**_OWNER_NAMES, "Norvik 30": "org:norvik 30"}, [
        # an index owns its own move, never the money of an unknown company referred to by "it"
        ("The Norvik 30 index slipped 0.4% on Friday.\n\nZentro's bonds rallied after it lifted its "
         "cash forecast to $3 billion.",
         [("0.4%", "org:norvik 30"), ("$3 billion", None)]),
        ("The benchmark Norvik 30 slipped 0.4%. It holds stocks worth $3 billion.",
         [("0.4%", "org:norvik 30"), ("$3 billion", None)]),
        # a company named beside the index keeps its money
        ("Acme rose 2%, lifting the Norvik 30 index, after it reported profit of $3 billion.",
         [("2%", "org:acme"), ("$3 billion", "org:acme")]),
    ]),
)  # fmt: skip
def test_a_stock_index_owns_no_company_money(text: str, expected: list[tuple]) -> None:
    out = _extract(text, {**_OWNER_NAMES, "Norvik 30": "org:norvik 30"})
    assert out.select("surface", "subject_entity_id").rows() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched(_OWNER_NAMES, [
        # wire style: a paragraph of one sentence naming one company, then a figure with no name
        ("Acme topped forecasts on Tuesday, the toolmaker said.\n\nSales rose 6.5% to $4.1 billion.",
         [("6.5%", "org:acme"), ("$4.1 billion", "org:acme")]),
        # two companies in the sentence before: no certain owner
        ("Acme and Globex agreed to merge.\n\nSales rose 6.5% to $4.1 billion.",
         [("6.5%", None), ("$4.1 billion", None)]),
        # a name quarry does not know before the figure, or a list item's label, is the figure's own
        ("Acme topped forecasts.\n\nZentro's sales rose 6.5%.", [("6.5%", None)]),
        ("Acme topped forecasts.\n\n- Zentro: 24,500 cars", [("24,500 cars", None)]),
        # a document's leading company keeps its figures after another company's sentence
        ("Acme sold tools. Acme hired staff. Acme grew.\n\nGlobex lost ground.\n\nSales rose 6.5%.",
         [("6.5%", "org:acme")]),
        # the company two sentences back is no follow-on owner
        ("Acme topped forecasts.\n\nNothing more was said.\n\nSales rose 6.5% to $4.1 billion.",
         [("6.5%", None), ("$4.1 billion", None)]),
    ]),
)  # fmt: skip
def test_a_paragraph_opening_figure_continues_the_one_company_before_it(
    text: str, expected: list[tuple]
) -> None:
    out = _extract(text, _OWNER_NAMES)
    assert out.select("surface", "subject_entity_id").rows() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched(_OWNER_NAMES, [
        # a market word needs its determiner or price word and a verb of movement to be a subject
        ("Acme, a copper miner, said output rose 5%. Acme's gold sales rose 4%. It paid 3% more in dollars.",
         [("5%", "org:acme"), ("4%", "org:acme"), ("3%", "org:acme")]),
        # "with" opens a participle's clause only after a comma: a deal's words are no clause
        ("Acme signed a deal with Zentro totalling $5 billion.", [("$5 billion", "org:acme")]),
    ]),
)  # fmt: skip
def test_words_near_the_subject_rules_keep_their_owner(text: str, expected: list[tuple]) -> None:
    # (guards for the rules above: these owners held before them and must still hold)
    out = _extract(text, _OWNER_NAMES)
    assert out.select("surface", "subject_entity_id").rows() == expected


_LISTED_NAMES = {**_OWNER_NAMES, "Tamsin Tools Inc.": "org:tamsin tools", "Nasdaq": "org:nasdaq",
                 "NASDAQ": "org:nasdaq", "NYSE": "org:nyse", "TSX": "org:tsx"}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched(_LISTED_NAMES, [
        # an exchange in a ticker parenthetical is where the company trades, never a figure's owner
        ("Tamsin Tools Inc. (NASDAQ: TMSN) posted revenue of $1.4 billion for the year.",
         [("$1.4 billion", "org:tamsin tools")]),
        ("Tamsin Tools Inc. (TSX:TMS; NYSE:TMS) booked a net profit of $90 million.",
         [("$90 million", "org:tamsin tools")]),
        # (guard) ... while an exchange named as a subject keeps its own figures
        ("Nasdaq reported revenue of $2 billion for the year.", [("$2 billion", "org:nasdaq")]),
        # a currency as the subject of the figure's clause, after a company's name, owns the price
        ("Acme shares rose 2% as the dollar traded at 153.8 yen.",
         [("2%", "org:acme"), ("153.8 yen", None)]),
        # (guard: a currency's own clause after "while")
        ("Acme sold 9,000 cars while the euro strengthened 1.5% against the yen.",
         [("9,000 cars", "org:acme"), ("1.5%", None)]),
        # "the company said" after the figure refers back to the company named before, in another paragraph
        ("Acme builds robots for warehouses.\n\nSales fell 12% to $6.8 billion, the company said.",
         [("12%", "org:acme"), ("$6.8 billion", "org:acme")]),
        ("Acme builds robots for warehouses.\n\nSales fell 12% to $6.8 billion, said the firm.",
         [("12%", "org:acme"), ("$6.8 billion", "org:acme")]),
        # (guard) ... but with no reference back, a figure far from the name stays without an owner (the
        # sentence right after the name continues it: test_a_paragraph_opening_figure_...)
        ("Acme builds robots for warehouses.\n\nDemand was weak.\n\nSales fell 12% to $6.8 billion.",
         [("12%", None), ("$6.8 billion", None)]),
        # (guard) a sentence opening with a company owns the figures of its coordinated verbs
        ("Globex sells tools. Acme employs about 9,800 people and has repurchased $600 million of stock.",
         [("9,800 people", "org:acme"), ("$600 million", "org:acme")]),
    ]),
)  # fmt: skip
def test_exchanges_currencies_and_references_back(text: str, expected: list[tuple]) -> None:
    # (owners only: the figures' kinds are another step's)
    out = _extract(text, _LISTED_NAMES)
    assert out.select("surface", "subject_entity_id").rows() == expected


def test_sentence_cues_in_a_batch_reach_their_own_figures() -> None:
    # attach_subjects reads a sentence's cues (a participle opening it, "the latter" / "the former")
    # once per sentence, and the names "the latter" may mean only in the documents that use it: in a
    # batch, each answer must come back to its own sentence's figures and document.
    texts = [
        "Acme makes robots. Globex sold 5 million phones, and Acme shipped 2 million units.",
        "Globex was fourth, followed by Acme. The latter shipped 9 million units.",
        "Acme opened a lab in May. Hiring the Globex team of 300 engineers, it grew fast.",
        "Acme opened a lab in May. During the year Globex hired 300 engineers.",
        "Globex and Acme both grew. The former shipped 4 million units, Acme said.",
    ]
    docs, mentions, ents, sents = _frames(texts, {n: _eid(n) for n in ENTITIES})
    out = extract_metrics(docs, mentions, ents, sents)
    assert out.select("metric_id", "subject_entity_id").rows() == [
        ("d0:31", GLOBEX),
        ("d0:66", ACME),
        ("d1:56", ACME),
        # (a sentence opened by a participle has no subject of its own: the paragraph's owns it)
        ("d2:52", ACME),
        # ("During" is a preposition: the clause's own subject owns it)
        ("d3:55", GLOBEX),
        ("d4:46", GLOBEX),
    ]


def test_sorted_by_flags_a_frame_in_order_and_sorts_another_stably() -> None:
    # attach_subjects merges figures and mentions on a key flagged sorted: a frame out of order (the
    # mentions of nested names are appended after the others) must be sorted, its rows of one key
    # keeping their order, and a frame already in order only flagged.
    ordered = pl.DataFrame({"k": [1, 1, 2, 5], "v": ["a", "b", "c", "d"]})
    got = M._sorted_by(ordered, "k")
    assert got.rows() == ordered.rows()
    assert got.get_column("k").flags["SORTED_ASC"]
    shuffled = pl.DataFrame({"k": [2, 5, 1, 2, 1], "v": ["a", "b", "c", "d", "e"]})
    got = M._sorted_by(shuffled, "k")
    assert got.rows() == [(1, "c"), (1, "e"), (2, "a"), (2, "d"), (5, "b")]
    assert got.get_column("k").flags["SORTED_ASC"]


def test_step_kinds_and_subjects() -> None:
    names = {n: _eid(n) for n in ("Xiaomi", "Canalys", "Sequoia")}
    text = "Xiaomi, backed by Sequoia, raised $2 billion. Canalys estimates its revenue at $5 billion."
    docs, frame, hits = _hits(text, names)
    _, rest = M.screen_bare_numbers(hits)
    ments = M.mention_frame(docs, *_frames([text], names)[1:3], frame)
    kept = M.exclusion_reasons(M.figure_units(M.parse_figures(rest)), ments)
    kept = kept.filter(pl.col("reason").is_null())
    out = M.attach_subjects(M.figure_kinds(kept), ments).sort("start")
    assert out.select("surface", "kind", "subject_entity_id").rows() == [
        ("$2 billion", "funding", X),
        ("$5 billion", "revenue", X),
    ]


def _kept(text: str) -> pl.DataFrame:
    """The figures of `text` kept by the exclusion step, in text order (the input of the kind step)."""
    docs, frame, hits = _hits(text)
    _, rest = M.screen_bare_numbers(hits)
    ments = M.mention_frame(docs, *_frames([text], {})[1:3], frame)
    kept = M.exclusion_reasons(M.figure_units(M.parse_figures(rest)), ments)
    return kept.filter(pl.col("reason").is_null()).sort("start")


def test_step_directions_read_the_nearest_cue_in_the_figures_clause() -> None:
    text = (
        "Revenue rose 10% while costs fell 3%, a 5% drop in margin, and it plans to hire 1,000 engineers. "
        "It has 30,000 employees; output grew to 9 million units. Its stock was down 4%. It guided growth "
        "of -2%. It will cut 2,500 jobs."
    )
    out = M.figure_directions(M.figure_kinds(_kept(text)))
    expected = pl.DataFrame(
        {
            "surface": ["10%", "3%", "5%", "1,000 engineers", "30,000 employees", "9 million units", "4%",
                        "2%", "2,500 jobs"],
            "kind": ["revenue_change", "change", "change", "headcount_change", "headcount", None,
                     "stock_change", "change", "headcount_change"],
            "direction": ["up", "down", "down", "up", None, None, "down", "down", "down"],
        }
    )  # fmt: skip
    assert_frame_equal(out.select("surface", "kind", "direction"), expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched({}, [
        # a level reached or left is no change; the word "up" of a hedge or a phrasal verb is no rise
        ("Sales rose to $5 billion, up from $4 billion.", [("$5 billion", "revenue", None), ("$4 billion", "revenue", None)]),  # noqa: E501
        ("Acme plans up to 700 roles.", [("700 roles", "headcount", None)]),
        ("Acme signed up 2 million users.", [("2 million users", "user_count", None)]),
        # money lost is a loss, not a fall; shares lost are a fall
        ("Acme lost $2 billion as its shares lost 6%.", [("$2 billion", None, None), ("6%", "stock_change", "down")]),  # noqa: E501
        # the figure's own words, a noun after it, a passive verb after a workforce, Chinese
        ("Acme shares closed 5% higher after sales more than doubled.",
         [("5%", "stock_change", "up"), ("doubled", None, "up")]),
        ("Acme said 800 workers were laid off. It made 300 hires.",
         [("800 workers", "headcount_change", "down"), ("300 hires", "headcount_change", "up")]),
        ("营收同比下降8%，利润获得了12%的增长。", [("8%", None, "down"), ("12%", None, "up")]),
        # an income's minus is its kind (loss), not a direction
        ("Operating income was -$12 million.", [("$12 million", "loss", None)]),
        # a verb of moving reaches past the thing moved to its "by" ("cut rates by", "lowered interest
        # rates by", "cut its benchmark interest rate by"); "raised" / "lifted" move only with "by":
        # before the figure itself they name an amount (money raised is funding)
        ("The bank raised its policy rate by 25 basis points, then cut its benchmark interest rate by 0.5 percentage points.",  # noqa: E501
         [("25 basis points", "interest_rate_change", "up"), ("0.5 percentage points", "interest_rate_change", "down")]),  # noqa: E501
        ("The bank lowered interest rates by 0.25 percentage point.", [("0.25 percentage point", "interest_rate_change", "down")]),  # noqa: E501
        ("Acme raised prices by 4% and lifted its dividend by 10%.", [("4%", None, "up"), ("10%", None, "up")]),  # noqa: E501
        ("Acme raised nearly $300 million and raised its stake to 20%.", [("$300 million", "funding", None), ("20%", None, None)]),  # noqa: E501
        # a cue right after a punctuation mark (the text before the last mark is not searched)
        ("Unit sales of the phone (down 7%) missed forecasts; its shares, up 3%, closed higher.",
         [("7%", "change", "down"), ("3%", "stock_change", "up")]),
        ("Margins narrowed: down 40 basis points.", [("40 basis points", "point_change", "down")]),
    ]),
)  # fmt: skip
def test_directions(text: str, expected: list[tuple]) -> None:
    out = _extract(text, {})
    assert out.select("surface", "kind", "direction").rows() == expected


def test_step_outlooks_tell_forecasts_and_segments_from_reported_totals() -> None:
    text = (
        "Cloud revenue rose 20% to $3 billion, and total revenue was $20 billion. Acme expects revenue of "
        "$23 billion next year, above the $22.5 billion analysts had expected. It posted "
        "better-than-expected profit of $2 billion. Its automotive gross margin was 18%, while it sees "
        "margins of 21% in 2027."
    )
    out = M.figure_outlooks(M.figure_directions(M.figure_kinds(_kept(text))))
    expected = pl.DataFrame(
        {
            "surface": ["20%", "$3 billion", "$20 billion", "$23 billion", "$22.5 billion", "$2 billion",
                        "18%", "21%"],
            "kind": ["revenue_change", "revenue", "revenue", "revenue", "revenue", "profit", "margin",
                     "margin"],
            "outlook": [None, None, None, "forecast", "forecast", None, None, "forecast"],
            "segment": ["cloud", "cloud", None, None, None, None, "automotive", None],
        }
    )  # fmt: skip
    assert_frame_equal(out.select("surface", "kind", "outlook", "segment"), expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched({}, [
        # guidance, targets, plans and consensus before the figure; a comparison with one is reported
        ("Acme aims to reach 1 million users by 2028.", [("1 million users", "forecast", None)]),
        ("Analysts polled by a data firm had expected revenue of $12.4 billion.", [("$12.4 billion", "forecast", None)]),  # noqa: E501
        ("Acme said it would cut 2,500 jobs.", [("2,500 jobs", "forecast", None)]),
        ("Revenue came in at $8 billion, ahead of the consensus estimate of $7.8 billion.",
         [("$8 billion", None, None), ("$7.8 billion", "forecast", None)]),
        ("Sales rose 4% to $2 billion, higher than analysts forecast.", [("4%", None, None), ("$2 billion", None, None)]),  # noqa: E501
        # after the figure: a participle or a noun of expectation; a company named Target is no target
        ("It guided to $5 billion expected for the full year.", [("$5 billion", "forecast", None)]),
        ("Acme set a $5 billion revenue target.", [("$5 billion", "forecast", None)]),
        ("Target reported revenue of $25 billion.", [("$25 billion", None, None)]),
        # German, French, Spanish, Italian words of expectation
        ("Der Konzern erwartet einen Umsatz von 5 Mrd. Euro.", [("5 Mrd. Euro", "forecast", None)]),
        ("Le groupe prévoit un chiffre d'affaires de 3 milliards d'euros.", [("3 milliards d'euros", "forecast", None)]),  # noqa: E501
        ("La empresa prevé unas ventas de 2.000 millones de euros.", [("2.000 millones de euros", "forecast", None)]),  # noqa: E501
        ("Il gruppo prevede ricavi per 4 miliardi di euro.", [("4 miliardi di euro", "forecast", None)]),
        ("Acme said it'll spend $2 billion.", [("$2 billion", "forecast", None)]),
        ("Le groupe maintient l'objectif de 5 milliards d'euros.", [("5 milliards d'euros", "forecast", None)]),  # noqa: E501
        # the segment: modifiers of the kind noun before the figure, of a unit, or of the noun after it
        ("Acme reported first-quarter data-center sales of $4 billion.", [("$4 billion", None, "data-center")]),  # noqa: E501
        ("Sales in its consumer division fell 4% to $2 billion.",
         [("4%", None, "consumer"), ("$2 billion", None, "consumer")]),
        ("The company booked $3 billion in services revenue.", [("$3 billion", None, "services")]),
        ("Its data center segment operating income was $4 billion.", [("$4 billion", None, "data center")]),
        ("Subscription and support revenue was $5 billion.", [("$5 billion", None, "subscription and support")]),  # noqa: E501
        # the whole subject: a possessive, generic modifiers, a noun of its own after the segment's
        ("Acme's quarterly adjusted revenue was $7 billion.", [("$7 billion", None, None)]),
        ("Advertising revenue rose 9% to $60 billion and operating profit was $2 billion.",
         [("9%", None, "advertising"), ("$60 billion", None, "advertising"), ("$2 billion", None, None)]),
    ]),
)  # fmt: skip
def test_outlooks_and_segments(text: str, expected: list[tuple]) -> None:
    out = _extract(text, {})
    assert out.select("surface", "outlook", "segment").rows() == expected


def test_step_clause_context_keeps_a_kind_word_in_its_own_clause() -> None:
    text = (
        "Revenue rose 10% to $5 billion, and the company spent $2 billion on plants. "
        "Revenue was $5 billion in May, and $6 billion in June."
    )
    kept = M.clause_context(_kept(text))
    assert kept.select("surface", "_ctext").rows() == [
        ("10%", "Revenue rose 10% to $5 billion"),
        ("$5 billion", "Revenue rose 10% to $5 billion"),
        ("$2 billion", "the company spent $2 billion on plants."),
        ("$5 billion", "Revenue was $5 billion in May"),
        # (a clause with under two words before its figure continues the one before: the sentence)
        ("$6 billion", None),
    ]
    assert kept.get_column("_sk").n_unique() == 4
    out = M.figure_kinds(_kept(text))
    assert out.select("surface", "kind").rows() == [
        ("10%", "revenue_change"),
        ("$5 billion", "revenue"),
        ("$2 billion", None),
        ("$5 billion", "revenue"),
        ("$6 billion", "revenue"),
    ]


def test_listed_sizes_pair_with_parameter_counts_in_order() -> None:
    # "7B and 70B ... 7.2 billion ... 70.5 billion": first size with first count, to the family's versions.
    names = {"Orvix": "model:orvix", "Orvix-7B": "model:orvix-7b", "Orvix 70B": "model:orvix 70b"}
    texts = [
        "Orvix has two versions, 7B and 70B, with 7.2 billion parameters and 70.5 billion parameters.",
        # as many sizes as counts, or nothing is paired
        "Orvix has a 7B version, with 7.2 billion parameters and 70.5 billion parameters.",
    ]
    out = extract_metrics(*_frames(texts, names))
    assert out.select("doc_id", "surface", "subject_entity_id").rows() == [
        ("d0", "7.2 billion parameters", "model:orvix-7b"),
        ("d0", "70.5 billion parameters", "model:orvix 70b"),
        ("d1", "7.2 billion parameters", "model:orvix"),
        ("d1", "70.5 billion parameters", "model:orvix"),
    ]


def test_masked_value_reads_only_selected_rows_and_gathers_back() -> None:
    df = pl.DataFrame({"t": ["alpha beta", "gamma", "beta", None], "m": [True, False, True, True]})
    out = df.select(
        M._masked_value(pl.col("m"), "t", lambda t: t.str.len_chars(), 2, 3).alias("n"),
        M._contains_where(pl.col("m"), "t", "beta").alias("c"),
        # no row selected: all false, nothing searched
        M._contains_where(pl.col("m") & ~pl.col("m"), "t", "beta").alias("none"),
    )
    assert out.rows() == [(3, True, False), (None, False, False), (2, True, False), (None, None, False)]


def test_any_in_runs_matches_a_window_over_adjacent_runs() -> None:
    df = pl.DataFrame({"run": [1, 1, 2, 3, 3, 3, 5], "f": [False, True, False, False, False, True, False]})
    out = df.select(M._any_in_runs(pl.col("f"), pl.col("run")).alias("a"))
    assert out["a"].to_list() == [True, True, False, True, True, True, False]


def test_unbounded_drops_only_the_outer_word_boundaries() -> None:
    assert M._unbounded(r"(?i)(?-u:\b)(?:than|vs)(?-u:\b)") == r"(?i)(?:than|vs)"
    # the bounded pattern misses "xthan", the unbounded one (a prefilter for parts of the text) finds it
    assert re.search(M._unbounded(M._COMPARE), "xthany") and not re.search(
        M._COMPARE.replace("(?-u:\\b)", r"\b"), "xthany"
    )
    with pytest.raises(ValueError, match="not a bounded pattern"):
        M._unbounded(r"(?i)than")


def test_scaled_values_are_the_numbers_as_written() -> None:
    # 8.3 * 1e9 == 8300000000.000001 in floating point: `WHERE value = 8.3e9` found nothing.
    docs, mentions, ents, sents = _frames(["Arm raised £8.3 billion and 0.7 million dollars, up 1.1%."], {})
    out = extract_metrics(docs, mentions, ents, sents)
    assert out.select("surface", "value").rows() == [
        ("£8.3 billion", 8.3e9),
        ("0.7 million dollars", 7e5),
        ("1.1%", 1.1),
    ]


def test_candidates_offsets_restart_per_document_in_characters() -> None:
    # A NUL in the text, a null and an empty document, a hit at offset 0 and an accented letter: offsets
    # are characters from the start of each document.
    docs = pl.DataFrame(
        {"doc_id": ["a", "b", "c", "d"], "text": [None, "", "12 apples\x00 and $3 million", "é rose 5%"]}
    )
    assert M._candidates(docs).collect().rows() == [
        (2, "c", "12", 0, 2),
        (2, "c", "$3 million", 15, 25),
        (3, "d", "5%", 7, 9),
    ]


def test_marked_hits_count_characters_not_markers_or_continuation_bytes() -> None:
    import numpy as np

    texts = pl.Series(["\x00é5\x00 x \x00€7\x00", "", "no hit", "ab\x00c\x00"])
    data, offsets = utf8_buffer(texts)
    rows, cstart, cend, bstart, bend = M._marked_hits(data, offsets, int(np.count_nonzero(data == 0)))
    assert [rows.tolist(), cstart.tolist(), cend.tolist()] == [[0, 0, 3], [0, 5, 2], [2, 7, 3]]
    assert [bytes(data[a:b]).decode() for a, b in zip(bstart, bend, strict=True)] == ["é5", "€7", "c"]


def test_utf8_texts_cut_character_spans_of_each_text() -> None:
    import numpy as np

    texts = M._Utf8Texts(pl.Series(["aé€😀b", None, "xyz", "ü"]))
    assert texts.n_chars.tolist() == [5, 0, 3, 1]
    d, start, end = np.array([0, 0, 1, 2, 3, 0]), np.array([1, 3, 0, 1, 0, 5]), np.array([4, 5, 0, 3, 1, 5])
    assert texts.cut(d, start, end).to_list() == ["é€😀", "😀b", "", "yz", "ü", ""]


def test_candidate_windows_and_change_splits_agree_with_sliced_sentences() -> None:
    # Multi-byte text, windows longer than the room left in the sentence, a change's "X to Y" split in
    # two, two documents: the windows cut by byte offsets are the ones `str.slice` reads from the
    # sentence (the path a batch takes when a doc_id repeats, kept for that case).
    texts = [
        "Ventes: le chiffre d’affaires «net» a progressé — revenue rose from €5 million to €7 million.",
        "Über 12% Wachstum. Costs fell by 3% to 9% in 2024, un cycle où l’on gagne 4 milliards €.",
    ]
    docs, _, _, sents = _frames(texts, {})
    frame = M.sentence_frame(docs, sents)
    hits = M.find_candidates(docs, frame)
    assert hits.select("surface", "start", "end", "_change", "_left", "_right").rows() == [
        ("€5 million", 68, 78, "lo", "le chiffre d’affaires «net» a progressé — revenue rose from ", " to €7 million."),  # noqa: E501
        ("€7 million", 82, 92, "hi", "ffaires «net» a progressé — revenue rose from €5 million to ", "."),
        ("12%", 5, 8, None, "Über ", " Wachstum."),
        ("3%", 33, 35, "lo", "Costs fell by ", " to 9% in 2024, un cycle où l’on gagne 4 milliards €."),
        ("9%", 39, 41, "hi", "Costs fell by 3% to ", " in 2024, un cycle où l’on gagne 4 milliards €."),
        ("2024", 45, 49, None, "Costs fell by 3% to 9% in ", ", un cycle où l’on gagne 4 milliards €."),
        ("4 milliards", 74, 85, None, "Costs fell by 3% to 9% in 2024, un cycle où l’on gagne ", " €."),
    ]  # fmt: skip
    # (a repeated doc_id: the hits of the first copy come out of the other path alike)
    twice = pl.concat([docs, docs.head(1)])
    again = M.find_candidates(twice, M.sentence_frame(twice, sents)).filter(pl.col("_d") < 2)
    assert_frame_equal(again, hits)


def test_mention_windows_stop_at_the_sentence_and_count_characters() -> None:
    names = {"Zürich Bank": "org:zürich bank", "Acme": "org:acme"}
    text = "Das Büro in Köln. Die Zürich Bank meldet 5% mehr — Acme auch."
    docs, mentions, entities, sents = _frames([text], names)
    ments = M.mention_frame(docs, mentions, entities, M.sentence_frame(docs, sents))
    assert ments.select("entity_id", "m_start", "m_left", "m_right").rows() == [
        ("org:zürich bank", 22, "Die ", " meldet 5% mehr — Ac"),
        ("org:acme", 51, " Zürich Bank meldet 5% mehr — ", " auch."),
    ]


def test_add_columns_joins_in_frame_order_and_skips_an_aligned_join() -> None:
    frame = pl.DataFrame({"k": [3, 1, 2], "a": ["x", "y", "z"]})
    aligned = pl.DataFrame({"k": [3, 1, 2], "b": [30, 10, 20]})
    shuffled = pl.DataFrame({"k": [2, 3], "b": [20, 30]})
    clash = pl.DataFrame({"k": [3, 1, 2], "a": ["p", "q", "r"]})
    assert M._add_columns(frame, aligned, "k").rows() == [(3, "x", 30), (1, "y", 10), (2, "z", 20)]
    assert M._add_columns(frame, shuffled.lazy(), "k").rows() == [(3, "x", 30), (1, "y", None), (2, "z", 20)]
    with pytest.raises(pl.exceptions.DuplicateError):  # (a column `frame` holds already)
        M._add_columns(frame, clash, "k")


@pytest.mark.parametrize(
    ("text", "surface", "unit"),
    _batched(
        _ALL_NAMES,
        [
            (
                "Cars are its business.\n\nAcme took 5,781 orders.",
                "5,781 orders",
                "vehicles",
            ),  # by the document
            (
                "Cars are its business.\n\nAcme took 5,781 orders for phones.",
                "5,781 orders",
                "units",
            ),  # sentence
            ("Phones are its business.\n\nAcme took 5,781 orders.", "5,781 orders", "count"),
            ("Tokyo backs chips.\n\nAcme gave ¥590bn.", "¥590bn", "JPY"),
        ],
    ),
)
def test_document_context_reaches_the_figures_it_decides(text: str, surface: str, unit: str) -> None:
    # (through the whole stage: `metric_candidates` reads the documents only for the figures whose
    # sentence leaves the unit open)
    assert [(s, u, subj) for s, _, _, u, _, _, subj in _run(text)] == [(surface, unit, ACME)]


def test_gather_stems_keeps_what_matches_and_what_is_captured() -> None:
    from transforms.metrics import _gather_stems

    words = r"up|climb\w*|cut|cuts|drop\w*|增"
    gathered = _gather_stems(words)
    assert gathered == r"(?:climb|drop)\w*|up|cut|cuts|增"
    texts = pl.Series(["it climbed 5", "cuts 3", "dropping", "up 2", "增 4", "cutter"])
    for pat in (words, gathered):
        assert texts.str.extract(rf"^.*(?:^|[^a-z])({pat})\s+[0-9]$", 1).to_list() == [
            "climbed", "cuts", None, "up", "增", None
        ]  # fmt: skip
    # (a stem another alternative may start like: moving it first could change a capture)
    with pytest.raises(ValueError):
        _gather_stems(r"drops|drop\w*")


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched({}, [
        # a currency's sub-unit is a hundredth of it: US cents, British pence, and those naming their own
        ("Acme reported earnings of 45 cents a share.", [("45 cents a share", 0.45, "USD_per_share", "eps", None)]),  # noqa: E501
        ("Acme shares fell 12 cents to $3.40.",
         [("12 cents", 0.12, "USD_per_share", "share_price", "down"), ("$3.40", 3.4, "USD_per_share", "share_price", None)]),  # noqa: E501
        ("The game sells for 99¢ on phones.", [("99¢", 0.99, "USD", None, None)]),
        ("Acme declared a dividend of 20p a share.", [("20p a share", 0.2, "GBP_per_share", "dividend", None)]),  # noqa: E501
        ("Acme stock gained 15 pence to 310 pence.",
         [("15 pence", 0.15, "GBP_per_share", "share_price", "up"), ("310 pence", 3.1, "GBP_per_share", "share_price", None)]),  # noqa: E501
        ("Acme charges 50 paise, 30 Rappen or 8 euro cents per call.",
         [("50 paise", 0.5, "INR", "price", None), ("30 Rappen", 0.3, "CHF", "price", None), ("8 euro cents", 0.08, "EUR", "price", None)]),  # noqa: E501
        # a "p" glued to a number is pence in a sentence about money or shares, not a video's lines or
        # frame rate, nor a time
        ("A stamp now costs 85p.", [("85p", 0.85, "GBP", "price", None)]),
        ("Acme cameras record 1080p and 720p video.", []),
        ("Acme cameras film at 60p or 24p.", []),
        ("Acme shares trade until 4p.m. daily.", []),
    ]),
)  # fmt: skip
def test_currency_sub_units(text: str, expected: list[tuple]) -> None:
    out = _extract(text, {})
    got = out.select("surface", "value", "unit", "kind", "direction").rows()
    assert [(s, u, k, d) for s, _, u, k, d in got] == [(s, u, k, d) for s, _, u, k, d in expected]
    assert [v for _, v, *_ in got] == pytest.approx([v for _, v, *_ in expected])


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched({}, [
        # the rate nouns of central banks and of the rates banks charge or pay, before or after the percent
        ("The bank kept its loan rate at 3.45% and its lending rate at 4%.", ["interest_rate", "interest_rate"]),  # noqa: E501
        ("The deposit rate is 2%, the repo rate 6.5% and the prime rate 8.5%.",
         ["interest_rate", "interest_rate", "interest_rate"]),
        ("The policy rate stayed at 5% and the mortgage rate eased to 6.1%.", ["interest_rate", "interest_rate"]),  # noqa: E501
        ("Buyers face a 6.1% mortgage rate and a 3.45% loan prime rate.", ["interest_rate", "interest_rate"]),
        ("The interbank rate was 1.9% and its borrowing rate 3%.", ["interest_rate", "interest_rate"]),
    ]),
)  # fmt: skip
def test_rate_nouns_name_an_interest_rate(text: str, expected: list[str]) -> None:
    out = _extract(text, {})
    assert out.get_column("kind").to_list() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched({}, [
        # the statement nouns and words of change of German, French, Spanish and Italian business news
        ("Der Umsatz stieg um 5% auf 20 Mrd. Euro.", [("5%", "revenue_change", "up"), ("20 Mrd. Euro", "revenue", None)]),  # noqa: E501
        ("Der Gewinn sank um 3%, der Verlust wuchs um 4%.", [("3%", "profit_change", "down"), ("4%", "loss_change", "up")]),  # noqa: E501
        ("Le chiffre d'affaires a progressé de 4% à 10 milliards d'euros et le bénéfice a baissé de 2%.",
         [("4%", "revenue_change", "up"), ("10 milliards d'euros", "revenue", None), ("2%", "profit_change", "down")]),  # noqa: E501
        ("Los ingresos subieron un 6% y el beneficio cayó un 1%.", [("6%", "revenue_change", "up"), ("1%", "profit_change", "down")]),  # noqa: E501
        ("I ricavi sono cresciuti del 7% e l'utile è calato del 2%.", [("7%", "revenue_change", "up"), ("2%", "profit_change", "down")]),  # noqa: E501
        # words between the noun, its verb and the figure, as English has them ("rose in the quarter by 5%")
        ("Der Umsatz von Acme stieg im Quartal um 5%, der Gewinn sank dagegen um 3%.",
         [("5%", "revenue_change", "up"), ("3%", "profit_change", "down")]),
        ("Le bénéfice a progressé au premier semestre de 4%.", [("4%", "profit_change", "up")]),
        # a level reached is no change, in any language
        ("Le bénéfice a atteint 3 milliards d'euros.", [("3 milliards d'euros", "profit", None)]),
    ]),
)  # fmt: skip
def test_kinds_and_directions_in_european_languages(text: str, expected: list[tuple]) -> None:
    out = _extract(text, {})
    assert out.select("surface", "kind", "direction").rows() == expected


def test_change_words_are_read_alike_by_kinds_and_directions() -> None:
    # every word of change both lists share: a change of a statement noun (kinds) and its direction
    words = pl.Series(
        ["rose", "jumped", "stieg", "hausse", "subió", "crebbe", "fell", "sank", "cayó", "calò", "baissé"]
    )  # noqa: E501
    frame = pl.DataFrame({"w": words})
    out = frame.select(
        pl.col("w").str.contains(M._CHANGE_WORDS).alias("change"),
        M._direction_of(pl.col("w").str.extract(f"^({M._DIRECTION_CUE})$", 1)).alias("direction"),
    )
    assert out.get_column("change").to_list() == [True] * 11
    assert out.get_column("direction").to_list() == ["up"] * 6 + ["down"] * 5


def _figures(text: str) -> list[tuple]:
    out = _extract(text, {})
    return out.select("surface", "value", "value_high", "unit", "qualifier", "kind", "direction").rows()


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched({}, [
        # the percent of German, French, Spanish and Italian news, its ranges ("bis", "à", "a") and points
        ("Der Umsatz stieg um 12 Prozent auf 3 Mrd. Euro.",
         [("12 Prozent", 12.0, None, "percent", None, "revenue_change", "up"),
          ("3 Mrd. Euro", 3e9, None, "EUR", None, "revenue", None)]),
        ("Die Inflation lag zuletzt bei 2,4 Prozent.", [("2,4 Prozent", 2.4, None, "percent", None, "inflation", None)]),  # noqa: E501
        ("Die Preise sollen um 6 bis 8 Prozent steigen.", [("6 bis 8 Prozent", 6.0, 8.0, "percent", None, None, None)]),  # noqa: E501
        ("Les ventes ont progressé de 12 pour cent.", [("12 pour cent", 12.0, None, "percent", None, "revenue_change", "up")]),  # noqa: E501
        ("Les prix augmenteront de 6 à 8 pour cent.", [("6 à 8 pour cent", 6.0, 8.0, "percent", None, None, None)]),  # noqa: E501
        ("Las ventas crecieron un 5 por ciento.", [("5 por ciento", 5.0, None, "percent", None, "revenue_change", "up")]),  # noqa: E501
        ("Los precios subirán de 5 a 7 por ciento.", [("5 a 7 por ciento", 5.0, 7.0, "percent", None, None, "up")]),  # noqa: E501
        ("Le vendite sono salite del 3 per cento.", [("3 per cento", 3.0, None, "percent", None, None, "up")]),  # noqa: E501
        ("Le taux directeur a reculé de 0,5 point.", [("0,5 point", 0.5, None, "percent", None, "interest_rate_change", "down")]),  # noqa: E501
        ("Der Leitzins sank um 0,25 Prozentpunkte.",
         [("0,25 Prozentpunkte", 0.25, None, "percent", None, "interest_rate_change", "down")]),
        ("The index rose 289 points on the day.", []),
        # a move from one percent to another is two figures, no range
        ("Le taux de marge est passé de 6% à 8% cette année.",
         [("6%", 6.0, None, "percent", None, "margin", None), ("8%", 8.0, None, "percent", None, None, None)]),  # noqa: E501
    ]),
)  # fmt: skip
def test_percent_words_of_other_languages(text: str, expected: list[tuple]) -> None:
    assert _figures(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched({}, [
        # a job noun past modifiers, jobs counted before a verb, the job nouns and verbs of other languages
        ("Acme will cut 4,000 support jobs this year.",
         [("4,000 support jobs", 4000.0, None, "employees", None, "headcount_change", "down")]),
        ("Acme plans to lay off about 4,000 customer support positions.",
         [("4,000 customer support positions", 4000.0, None, "employees", "about", "headcount_change", "down")]),  # noqa: E501
        ("Acme is eliminating 14,000 corporate roles.",
         [("14,000 corporate roles", 14000.0, None, "employees", None, "headcount_change", "down")]),
        ("Acme raised $2 million in jobs funding.", [("$2 million", 2e6, None, "USD", None, "funding", None)]),  # noqa: E501
        ("Acme runs 128 MoE experts.", [("128 MoE experts", 128.0, None, "count", None, None, None)]),
        ("Nonfarm payrolls fell by 32,000 in May.", [("32,000", 32000.0, None, "employees", None, "headcount_change", "down")]),  # noqa: E501
        ("Acme streicht 5.600 Stellen in Europa.",
         [("5.600 Stellen", 5600.0, None, "employees", None, "headcount_change", "down")]),
        ("Acme va supprimer 1 200 postes en France.",
         [("1 200 postes", 1200.0, None, "employees", None, "headcount_change", "down")]),
        # counted things past a product name, and the nouns of hybrids and members
        ("Acme sold 1.1 million hybrids and 3.9 million Vela units.",
         [("1.1 million hybrids", 1.1e6, None, "vehicles", None, None, None),
          ("3.9 million Vela units", 3.9e6, None, "units", None, None, None)]),
        ("Acme now has 23 million members worldwide.", [("23 million members", 2.3e7, None, "users", None, "user_count", None)]),  # noqa: E501
    ]),
)  # fmt: skip
def test_job_cuts_and_counted_nouns(text: str, expected: list[tuple]) -> None:
    assert _figures(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched({}, [
        # a bare franc is Swiss; a bare pound is sterling only in a sentence about money
        ("Acme shares closed at 86.50 francs in Zurich.",
         [("86.50 francs", 86.5, None, "CHF_per_share", None, "share_price", None)]),
        ("Acme, a Swiss drugmaker, reported sales of 2.5 billion francs.",
         [("2.5 billion francs", 2.5e9, None, "CHF", None, "revenue", None)]),
        ("Acme shares fell to 46.10 pounds in London.",
         [("46.10 pounds", 46.1, None, "GBP_per_share", None, "share_price", None)]),
        ("The parcel weighed 8 pounds.", []),
        # "per share" in German, French, Spanish, Italian, with their dividend and earnings words
        ("Acme zahlt eine Dividende von 1,20 Euro je Aktie.",
         [("1,20 Euro je Aktie", 1.2, None, "EUR_per_share", None, "dividend", None)]),
        ("Acme versera un dividende de 2 euros par action.",
         [("2 euros par action", 2.0, None, "EUR_per_share", None, "dividend", None)]),
        ("Acme pagará un dividendo de 0,5 euros por acción.",
         [("0,5 euros por acción", 0.5, None, "EUR_per_share", None, "dividend", None)]),
        ("Acme pagherà un dividendo di 0,3 euro per azione.",
         [("0,3 euro per azione", 0.3, None, "EUR_per_share", None, "dividend", None)]),
        ("Acme meldete einen Gewinn von 2,10 Euro je Aktie.",
         [("2,10 Euro je Aktie", 2.1, None, "EUR_per_share", None, "eps", None)]),
    ]),
)  # fmt: skip
def test_currency_words_and_per_share_in_other_languages(text: str, expected: list[tuple]) -> None:
    assert _figures(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched({}, [
        # "slipped"; an index "adding" a percent; a move restated ", or X%"; "picked up to" is no hedge
        ("Acme shares slipped 2% on Monday.", [("2%", 2.0, None, "percent", None, "stock_change", "down")]),
        ("The index closed at 5,100, adding 1.2%.", [("1.2%", 1.2, None, "percent", None, None, "up")]),
        ("The index rose 289 points, or 0.6%, to 44,000.", [("0.6%", 0.6, None, "percent", None, "change", "up")]),  # noqa: E501
        ("The index fell 120 points, or 0.3%.", [("0.3%", 0.3, None, "percent", None, "change", "down")]),
        ("Inflation had picked up to 3.5% in March.", [("3.5%", 3.5, None, "percent", None, "inflation", None)]),  # noqa: E501
        ("Acme plans up to 700 roles.", [("700 roles", 700.0, None, "employees", "up_to", "headcount", None)]),  # noqa: E501
        ("Sales could go up to $5 billion next year.", [("$5 billion", 5e9, None, "USD", "up_to", "revenue", None)]),  # noqa: E501
        ("The economy grew at an annualized pace of 2.8% in the quarter.",
         [("2.8%", 2.8, None, "percent", None, "gdp_growth", "up")]),
        # rate levels: a target range, a yield reached after its move in points
        ("The central bank lowered its target range to between 3.75% and 4.00%.",
         [("between 3.75% and 4.00%", 3.75, 4.0, "percent", None, "interest_rate", None)]),
        ("Ten-year yields fell 6 basis points to 3.48%.",
         [("6 basis points", 0.06, None, "percent", None, "interest_rate_change", "down"),
          ("3.48%", 3.48, None, "percent", None, "interest_rate", None)]),
        # the noun changed, named after the change or before the amount; savings; a currency's price
        ("Acme reported a 14 per cent rise in net profit.",
         [("14 per cent", 14.0, None, "percent", None, "profit_change", "up")]),
        ("Acme posted revenue of $14.6 billion, up 4% from a year earlier.",
         [("$14.6 billion", 1.46e10, None, "USD", None, "revenue", None),
          ("4%", 4.0, None, "percent", None, "revenue_change", "up")]),
        ("Acme plans to save about $1 billion a year.", [("$1 billion", 1e9, None, "USD", "about", "cost_savings", None)]),  # noqa: E501
        ("The dollar traded at 153.8 yen on Tuesday.", [("153.8 yen", 153.8, None, "JPY", None, "exchange_rate", None)]),  # noqa: E501
        ("The euro rose to $1.08 after the data.", [("$1.08", 1.08, None, "USD", None, "exchange_rate", None)]),  # noqa: E501
        ("Acme offers a dividend yield of 3% to investors.", [("3%", 3.0, None, "percent", None, None, None)]),  # noqa: E501
        ("Acme booked a 3% increase in its dividend.", [("3%", 3.0, None, "percent", None, "dividend_change", "up")]),  # noqa: E501
    ]),
)  # fmt: skip
def test_directions_and_kinds_of_market_news(text: str, expected: list[tuple]) -> None:
    assert _figures(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched(
        {},
        [
            # the ISO 4217 codes of currencies in use, before or after the amount, with scale words
            (
                "Fjordvik reported sales of NOK 410 million for the quarter.",
                [("NOK 410 million", 4.1e8, None, "NOK", None, "revenue", None)],
            ),
            (
                "Lindqvist raised SEK 2.1 billion from investors last week.",
                [("SEK 2.1 billion", 2.1e9, None, "SEK", None, "funding", None)],
            ),
            (
                "The shipping group booked a profit of DKK 95m for the year.",
                [("DKK 95m", 9.5e7, None, "DKK", None, "profit", None)],
            ),
            (
                "The retailer said sales reached 410 million NOK last year.",
                [("410 million NOK", 4.1e8, None, "NOK", None, "revenue", None)],
            ),
            (
                "The lender posted revenue of 3.2 billion ZAR in the half.",
                [("3.2 billion ZAR", 3.2e9, None, "ZAR", None, "revenue", None)],
            ),
            # (in capitals only, and before a bare number not at all: a word or a name)
            ("They try 5 million times a day.", []),
            ("The team moved PHP 8 to its servers.", []),
            # mass in tonnes and metric tons
            (
                "The miner shipped 412,000 tonnes of copper and 1.2 million metric tons of zinc.",
                [
                    ("412,000 tonnes", 4.12e5, None, "t", None, None, None),
                    ("1.2 million metric tons", 1.2e6, None, "t", None, None, None),
                ],
            ),
        ],
    ),
)
def test_currency_codes_and_tonnes(text: str, expected: list[tuple]) -> None:
    assert _figures(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched(
        {},
        [
            # a unit joined to its number by a hyphen in a compound adjective reads as the unit written apart
            (
                "Nordvind will build a 350-megawatt wind farm beside a 12-gigawatt-hour battery.",
                [
                    ("350-megawatt", 3.5e8, None, "W", None, None, None),
                    ("12-gigawatt-hour", 12.0, None, "GWh", None, None, None),
                ],
            ),
            (
                "The carrier signed a 3-billion-dollar deal and bought a 40-tonne crane.",
                [
                    ("3-billion-dollar", 3e9, None, "USD", None, None, None),
                    ("40-tonne", 40.0, None, "t", None, None, None),
                ],
            ),
            (
                "The carrier bought a 500-million-euro stake and a 2-terabyte drive.",
                [
                    ("500-million-euro", 5e8, None, "EUR", None, None, None),
                    ("2-terabyte", 2000.0, None, "GB", None, None, None),
                ],
            ),
            # currencies named with their country (CLDR's names, the press's "crowns", Brazil's "reais")
            (
                "Fjordvik reported revenue of 1.1 billion Swedish crowns for the year.",
                [("1.1 billion Swedish crowns", 1.1e9, None, "SEK", None, "revenue", None)],
            ),
            (
                "The brewer lifted profit to 3 billion Danish kroner, and sales hit 20 billion "
                "Mexican pesos.",
                [
                    ("3 billion Danish kroner", 3e9, None, "DKK", None, "profit", None),
                    ("20 billion Mexican pesos", 2e10, None, "MXN", None, "revenue", None),
                ],
            ),
            (
                "Revenue rose to 900 billion South Korean won and 2 trillion Japanese yen.",
                [
                    ("900 billion South Korean won", 9e11, None, "KRW", None, "revenue", None),
                    ("2 trillion Japanese yen", 2e12, None, "JPY", None, "revenue", None),
                ],
            ),
            (
                "The miner booked a loss of 6 billion Brazilian reais and 40 billion Turkish lira.",
                [
                    ("6 billion Brazilian reais", 6e9, None, "BRL", None, "loss", None),
                    ("40 billion Turkish lira", 4e10, None, "TRY", None, "loss", None),
                ],
            ),
            # (a bare number before the name is an amount too)
            (
                "Shares of the lender closed at 145 Norwegian crowns on Friday.",
                [("145 Norwegian crowns", 145.0, None, "NOK_per_share", None, "share_price", None)],
            ),
            # a noun of one currency alone, in lower case; an everyday word ("mark") or a name ("Rand")
            # is none
            (
                "The bank earned 30 billion rand and 4 billion zloty and 90 billion forints.",
                [
                    ("30 billion rand", 3e10, None, "ZAR", None, "profit", None),
                    ("4 billion zloty", 4e9, None, "PLN", None, None, None),
                    ("90 billion forints", 9e10, None, "HUF", None, None, None),
                ],
            ),
            ("The app passed the 1 million mark in May, with 5 Rand users.", []),
            # CLDR's other symbols
            (
                "The insurer earned R$10 billion, MX$2 billion and ₪500 million.",
                [
                    ("R$10 billion", 1e10, None, "BRL", None, "profit", None),
                    ("MX$2 billion", 2e9, None, "MXN", None, None, None),
                    ("₪500 million", 5e8, None, "ILS", None, None, None),
                ],
            ),
        ],
    ),
)
def test_currency_names_symbols_and_hyphenated_units(text: str, expected: list[tuple]) -> None:
    assert _figures(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched(
        {},
        [
            # a range whose ends each carry a currency's sub-unit is one range in the currency
            (
                "Halvorsen guided to adjusted earnings of 89 cents to 91 cents per share for the year.",
                [("89 cents to 91 cents per share", 0.89, 0.91, "USD_per_share", None, "eps", None)],
            ),
            (
                "The brewer expects its shares to trade at 40p to 45p.",
                [("40p to 45p", 0.4, 0.45, "GBP_per_share", None, "share_price", None)],
            ),
            # (a move from one to the other stays two figures)
            (
                "The price rose from 89 cents to 91 cents.",
                [
                    ("89 cents", 0.89, None, "USD", None, "price", None),
                    ("91 cents", 0.91, None, "USD", None, "price", None),
                ],
            ),  # noqa: E501
        ],
    ),
)
def test_sub_unit_ranges(text: str, expected: list[tuple]) -> None:
    assert _figures(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched(
        {},
        [
            # a bare low end above the high end, scaled alike, is no range: the scaled end stands alone
            (
                "Analysts put sales at 2750 to $41 million for the period.",
                [("$41 million", 4.1e7, None, "USD", None, "revenue", None)],
            ),
            # (a change keeps lending its scale to the bare first figure)
            (
                "Its debt was cut by 500 to 40 million euros.",
                [
                    ("500", 5e8, None, "EUR", None, None, "down"),
                    ("40 million euros", 4e7, None, "EUR", None, None, None),
                ],
            ),  # noqa: E501
        ],
    ),
)
def test_inverted_ranges(text: str, expected: list[tuple]) -> None:
    assert _figures(text) == expected


def test_sub_unit_range_after_a_change_verb_is_two_figures() -> None:
    assert _figures("Shares of the brewer gained 20 pence to 415 pence.") == [
        ("20 pence", 0.2, None, "GBP_per_share", None, "share_price", "up"),
        ("415 pence", 4.15, None, "GBP_per_share", None, "share_price", None),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched(
        {},
        [
            # cost savings named after the amount ("of"), and cost synergies
            (
                "The grocer aims for £150m of cost savings within two years.",
                [("£150m", 1.5e8, None, "GBP", None, "cost_savings", None)],
            ),
            (
                "The merger should yield annual cost synergies of $180 million.",
                [("$180 million", 1.8e8, None, "USD", None, "cost_savings", None)],
            ),
            # an amount a company earned is its profit; one earned "in revenue" stays revenue
            (
                "Over the year the insurer earned $212 million.",
                [("$212 million", 2.12e8, None, "USD", None, "profit", None)],
            ),
            (
                "The insurer earned $5 billion in revenue.",
                [("$5 billion", 5e9, None, "USD", None, "revenue", None)],
            ),  # noqa: E501
            # a percent of the workforce is a part of the headcount; cut, a headcount change
            (
                "The carrier will cut about 9% of its workforce.",
                [("9%", 9.0, None, "percent", "about", "headcount_change", "down")],
            ),
            (
                "About 12% of the bank's staff work abroad.",
                [("12%", 12.0, None, "percent", "about", "headcount", None)],
            ),  # noqa: E501
        ],
    ),
)
def test_money_and_staff_kinds(text: str, expected: list[tuple]) -> None:
    assert _figures(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched({}, [
        # a one-off cost booked against earnings is a charge, named before or after the amount
        ("Acme booked restructuring charges of $95 million.", [("$95 million", "charge")]),
        ("Acme recorded an impairment of EUR 1.2 billion and write-downs of $300m.",
         [("EUR 1.2 billion", "charge"), ("$300m", "charge")]),
        ("Acme took a $2 billion charge and set aside provisions of $40 million.",
         [("$2 billion", "charge"), ("$40 million", "charge")]),
        ("Acme took a one-time charge of $900,000.", [("$900,000", "charge")]),
        # a bare "charge" of a small amount stays a price
        ("Acme charges $5 a month and adds a $2 delivery charge.", [("$5", "price"), ("$2", "price")]),
        # the words of German, French, Spanish and Italian statements
        ("Acme bildete Rückstellungen von 800 Millionen Euro.", [("800 Millionen Euro", "charge")]),
        ("Acme a passé une dépréciation de 500 millions d'euros.", [("500 millions d'euros", "charge")]),
        ("Acme registró un deterioro de 300 millones de euros.", [("300 millones de euros", "charge")]),
        ("Acme ha registrato svalutazioni per 200 milioni di euro.", [("200 milioni di euro", "charge")]),
    ]),
)  # fmt: skip
def test_one_off_costs_are_charges_not_prices(text: str, expected: list[tuple]) -> None:
    out = _extract(text, {})
    assert out.select("surface", "kind").rows() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched({}, [
        # a code that is also a word, in a line written in capitals, is the word: no money
        ("WE WILL TRY 2 MILLION TIMES, SAYS ACME.", []),
        ("ACME TO SELL 3 MILLION CUP HOLDERS THIS YEAR.", []),
        # before a noun of things counted it is the word in any case, and no part of the figure
        ("ALL 40 STORES WILL CLOSE, ACME SAYS.", [("40 STORES", 4, 40.0, "count")]),
        ("ALL 3 MILLION CUSTOMERS GET A REFUND.", [("3 MILLION CUSTOMERS", 4, 3e6, "count")]),
        # with a money word near it, or in text with lower-case letters, it is the currency
        ("ACME POSTS PROFIT OF TRY 3 BILLION.", [("TRY 3 BILLION", 21, 3e9, "TRY")]),
        ("Acme sold bonds worth TRY 3 billion.", [("TRY 3 billion", 22, 3e9, "TRY")]),
        # a code that is no word keeps today's reading
        ("ACME SELLS UNIT FOR NOK 410 MILLION.", [("NOK 410 MILLION", 20, 4.1e8, "NOK")]),
    ]),
)  # fmt: skip
def test_word_currency_codes_need_a_money_cue(text: str, expected: list[tuple]) -> None:
    out = _extract(text, {})
    assert out.select("surface", "start", "value", "unit").rows() == expected
    assert [text[s:e] for s, e in out.select("start", "end").rows()] == [r[0] for r in expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched({}, [
        # a rate's or margin's noun and a verb of a level, in German, French, Spanish and Italian
        ("Die operative Marge lag bei 12 Prozent, die Arbeitslosenquote bei 6,1 Prozent.",
         [("12 Prozent", "margin"), ("6,1 Prozent", "unemployment_rate")]),
        ("Der Leitzins liegt bei 4 Prozent.", [("4 Prozent", "interest_rate")]),
        ("Le taux de chômage s'est établi à 7,3 %.", [("7,3 %", "unemployment_rate")]),
        ("L'inflation s'est établie à 2,1 % sur un an.", [("2,1 %", "inflation")]),
        ("La inflación se situó en el 3,2 %.", [("3,2 %", "inflation")]),
        ("El margen operativo se situó en el 11 %.", [("11 %", "margin")]),
        ("L'inflazione si è attestata all'1,8 %.", [("1,8 %", "inflation")]),
        ("Der Marktanteil lag bei 15 Prozent.", [("15 Prozent", "market_share")]),
        # the "result" of a statement is its profit, per share its earnings per share
        ("Das operative Ergebnis lag bei 800 Millionen Euro.", [("800 Millionen Euro", "profit")]),
        ("Das Ergebnis je Aktie lag bei 1,20 Euro.", [("1,20 Euro", "eps")]),
    ]),
)  # fmt: skip
def test_level_statements_in_european_languages(text: str, expected: list[tuple]) -> None:
    out = _extract(text, {})
    assert out.select("surface", "kind").rows() == expected


def test_a_percent_reached_or_left_is_a_level_not_a_change() -> None:
    text = "Occupancy fell to 84.2% from 88.9%, and the load factor rose 2% to about 87.5%."
    out = extract_metrics(*_frames([text], {}))
    assert out.select("surface", "kind", "direction").rows() == [
        ("84.2%", None, None),
        ("88.9%", None, None),
        ("2%", "change", "up"),
        ("87.5%", None, None),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched({}, [
        # the measures of oil, mining, property and shipping, in the units their reports use
        ("Acme pumped 612,000 barrels of oil equivalent per day and holds 2.4 billion barrels in reserves.",
         [("612,000 barrels", 612000.0, "barrels_per_day"), ("2.4 billion barrels", 2.4e9, "barrels")]),
        ("Acme aims for 700,000 barrels per day.", [("700,000 barrels per day", 700000.0, "barrels_per_day")]),  # noqa: E501
        ("Acme mined 412,000 ounces of gold.", [("412,000 ounces", 412000.0, "oz")]),
        ("Acme leased 420,000 square feet and built a 45,000 square metre depot.",
         [("420,000 square feet", 39019.2768, "m2"), ("45,000 square metre", 45000.0, "m2")]),
        ("The port handled 2.8 million TEU, and Acme ordered ships of 24,000 twenty-foot equivalent units.",
         [("2.8 million TEU", 2.8e6, "TEU"), ("24,000 twenty-foot equivalent units", 24000.0, "TEU")]),
        # what airlines, retailers and telecoms count
        ("Acme carried 4.2 million passengers on 2,400 flights with 12 new aircraft.",
         [("4.2 million passengers", 4.2e6, "people"), ("2,400 flights", 2400.0, "count"), ("12 new aircraft", 12.0, "count")]),  # noqa: E501
        ("Acme added 410,000 mobile subscribers and shut 40 outlets.",
         [("410,000 mobile subscribers", 410000.0, "users"), ("40 outlets", 40.0, "count")]),
    ]),
)  # fmt: skip
def test_units_of_oil_mining_property_shipping_and_travel(text: str, expected: list[tuple]) -> None:
    out = _extract(text, {})
    got = out.select("surface", "value", "unit").rows()
    assert [(s, u) for s, _, u in got] == [(s, u) for s, _, u in expected]
    assert [v for _, v, _ in got] == pytest.approx([v for _, v, _ in expected])


@pytest.mark.parametrize(
    ("text", "glued", "expected"),
    [
        ("Acme grew, while Nasdaq-listed Tamsin Tools Inc. said it had 40,000 customers.", "Nasdaq",
         [("40,000 customers", "org:tamsin tools")]),
        ("Globex grew, while Acme-backed Tamsin Tools Inc. raised $12 million.", "Acme",
         [("$12 million", "org:tamsin tools")]),
        # (guard: a name followed by another hyphenated word keeps its figures)
        ("Globex grew, while Acme-style robots sold 12,000 units.", "Acme", [("12,000 units", "org:acme")]),
    ],
)  # fmt: skip
def test_a_name_joined_by_a_hyphen_to_what_it_says_of_the_next_owns_nothing(
    text: str, glued: str, expected: list[tuple]
) -> None:
    # an exchange, place or investor before "-listed", "-based", "-backed" describes the name after it
    docs, mentions, ents, sents = _frames([text], _LISTED_NAMES)
    at = text.index(f"{glued}-")
    extra = pl.DataFrame(
        {"doc_id": ["d0"], "entity_id": [_LISTED_NAMES[glued]], "surface": [glued], "start": [at],
         "end": [at + len(glued)]},
        schema=mentions.schema,
    )  # fmt: skip
    mentions = pl.concat([mentions, extra]).sort("doc_id", "start")
    out = extract_metrics(docs, mentions, ents, sents)
    assert out.select("surface", "subject_entity_id").rows() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched({}, [
        # German and French nouns of change, and share moves named with their article
        ("Beim Absatz verbuchte Globex ein Plus von 4 Prozent.", [("4 Prozent", 4.0, None, "percent", None, "change", "up")]),  # noqa: E501
        ("Im Export gab es ein Minus von 6 Prozent.", [("6 Prozent", 6.0, None, "percent", None, "change", "down")]),  # noqa: E501
        ("Les commandes affichent une baisse de 3 % sur un an.", [("3 %", 3.0, None, "percent", None, "change", "down")]),  # noqa: E501
        ("L'action a perdu 4 % lundi.", [("4 %", 4.0, None, "percent", None, "stock_change", "down")]),
        ("Die Aktie gewann 5 Prozent im Handel.", [("5 Prozent", 5.0, None, "percent", None, "stock_change", "up")]),  # noqa: E501
        ("Gewinn je Aktie stieg um 8 Prozent.", [("8 Prozent", 8.0, None, "percent", None, "eps_change", "up")]),  # noqa: E501
        # a German verb after the jobs it cuts or creates
        ("Der Zulieferer will 4.200 Stellen abbauen.", [("4.200 Stellen", 4200.0, None, "employees", None, "headcount_change", "down")]),  # noqa: E501
        ("Das Werk soll 300 Stellen schaffen.", [("300 Stellen", 300.0, None, "employees", None, "headcount_change", "up")]),  # noqa: E501
        # money: a valuation named by its verb nearer than a round's noun, free cash flow, a volume processed
        # (a platform's or a market's: kind volume, its cue also as an abbreviation in brackets)
        ("Globex closed a funding round that values it at $4bn.", [("$4bn", 4e9, None, "USD", None, "valuation", None)]),  # noqa: E501
        ("Acme lifted its free cash flow guidance to £2.1 billion.", [("£2.1 billion", 2.1e9, None, "GBP", None, "free_cash_flow", None)]),  # noqa: E501
        ("Acme processed $30bn of transactions as revenue rose.", [("$30bn", 3e10, None, "USD", None, "volume", None)]),  # noqa: E501
        ("Its payment volume of $12bn beat revenue forecasts.", [("$12bn", 1.2e10, None, "USD", None, "volume", None)]),  # noqa: E501
        ("The marketplace said gross merchandise volume (GMV) of $50bn passed through it.",
         [("$50bn", 5e10, None, "USD", None, "volume", None)]),
        ("Trading volume on the exchange rose 20% to $90 billion in May.",
         [("20%", 20.0, None, "percent", None, "volume_change", "up"), ("$90 billion", 9e10, None, "USD", None, "volume", None)]),  # noqa: E501
        # no direction: money gained is an amount, "growth" names the rate of an economy
        ("Acme booked a gain of 3 billion euros on the sale.", [("3 billion euros", 3e9, None, "EUR", None, None, None)]),  # noqa: E501
        ("Officials see economic growth of 1.5% next year.", [("1.5%", 1.5, None, "percent", None, "gdp_growth", None)]),  # noqa: E501
        # a central bank's target range, its noun far back
        ("The central bank lowered its benchmark lending rate by 50 basis points on Thursday, to a range of 4.00% to 4.25%.",  # noqa: E501
         [("50 basis points", 0.5, None, "percent", None, "interest_rate_change", "down"),
          ("4.00% to 4.25%", 4.0, 4.25, "percent", None, "interest_rate", None)]),
    ]),
)  # fmt: skip
def test_continental_change_nouns_and_money_kinds(text: str, expected: list[tuple]) -> None:
    assert _figures(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched(
        {n: _eid(n) for n in ENTITIES},
        [
            # an organisation as the direct subject of a verb of price moves: its stock moved (a market wrap)
            (
                "In London, Acme slipped 2.3% and Globex gained 1.1%.",
                [("2.3%", "stock_change", "down", ACME), ("1.1%", "stock_change", "up", GLOBEX)],
            ),
            ("Globex added 1.1% on Tuesday.", [("1.1%", "stock_change", "up", GLOBEX)]),
            ("Acme closed 4% higher after the results.", [("4%", "stock_change", "up", ACME)]),
            # a noun of the statement keeps its kind; a verb of growth is no price move; no organisation,
            # no stock
            ("Revenue slipped 2.3% at Acme in the quarter.", [("2.3%", "revenue_change", "down", ACME)]),
            ("Acme grew 5% in the quarter, the company said.", [("5%", "change", "up", ACME)]),
            ("Prices slipped 2.3% in the quarter, the agency said.", [("2.3%", None, "down", None)]),
        ],
    ),
)
def test_company_moves_of_a_market_wrap_are_stock_changes(text: str, expected: list[tuple]) -> None:
    out = _extract(text, {n: _eid(n) for n in ENTITIES})
    assert out.select("surface", "kind", "direction", "subject_entity_id").rows() == expected


def test_a_year_before_a_currency_name_takes_no_currency() -> None:
    text = "Since 2023 Turkish lira deposits have grown fast, the bank said."
    out = metric_candidates(*_frames([text], {}))
    assert out.select("surface", "unit").rows() == [("2023", None)]


_DEAL_NAMES = {**_OWNER_NAMES, "Pellar": "org:pellar", "Quenby": "org:quenby"}


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched(_DEAL_NAMES, [
        # "added" with a figure right after it is a price move, not a speech verb: the second clause's
        # own subject owns its figure (coordinated without a comma, or after "while")
        ("Acme slipped 2.3% and Globex added 1.1% on the day.", [("2.3%", ACME), ("1.1%", GLOBEX)]),
        ("Acme lost 3% as Globex added $2 billion in market value.", [("3%", ACME), ("$2 billion", GLOBEX)]),
        # (guards) after "while" the clause was already Globex's; "added" as speech still yields to a
        # possessor
        ("Acme fell 2%, while Globex added about 0.8% by the close.", [("2%", ACME), ("0.8%", GLOBEX)]),
        ("Sales at Acme rose 4%, Globex added.", [("4%", ACME)]),
        # money that is part of a possessor's own is the possessor's
        ("Pellar agreed to buy Quenby. Pellar will also assume $3.2 billion of Quenby's net debt.",
         [("$3.2 billion", "org:quenby")]),
        # (guards) "values X at" values X, and "X's net debt of" is X's
        ("Pellar agreed to buy Quenby. The deal values Quenby at $9 billion including Quenby's net debt of "
         "$3.2 billion.", [("$9 billion", "org:quenby"), ("$3.2 billion", "org:quenby")]),
        # (guard) a share compared with a possessor's is not the possessor's
        ("Acme's fee is 50% of Globex's, the filing showed.", [("50%", ACME)]),
        # a name in apposition with its description heads the clause; a name inside the appositive does not
        ("Acme, the second-largest operator behind Globex, posted a net profit of $410 million.",
         [("$410 million", ACME)]),
    ]),
)  # fmt: skip
def test_the_clause_subject_owns_its_figure_across_added_possessives_and_appositives(
    text: str, expected: list[tuple]
) -> None:
    out = _extract(text, _DEAL_NAMES)
    assert out.select("surface", "subject_entity_id").rows() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched({}, [
        # the change told after the amount and its period is the change of the amount's noun
        ("Acme reported a pre-tax profit of $8.5 billion for the third quarter, up 10% from a year earlier.",
         [("$8.5 billion", "profit", None), ("10%", "profit_change", "up")]),
        ("Globex posted a net profit of 68.5 billion yen for the six months to September, up 21% on the year.",  # noqa: E501
         [("68.5 billion yen", "profit", None), ("21%", "profit_change", "up")]),
        ("Acme booked net sales of $13.2 billion in the three months to June 30, 2025, down 2% on the year.",
         [("$13.2 billion", "revenue", None), ("2%", "revenue_change", "down")]),
        # a change in another clause names another thing
        ("Acme's revenue was $4 billion in the quarter, while costs in the year rose 3%.",
         [("$4 billion", "revenue", None), ("3%", "change", "up")]),
    ]),
)  # fmt: skip
def test_a_change_after_an_amount_and_its_period_is_the_nouns_change(
    text: str, expected: list[tuple]
) -> None:
    out = _extract(text, {})
    assert out.select("surface", "kind", "direction").rows() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched(_OWNER_NAMES, [
        # a company noun with its article refers back to the company named before, in the Romance
        # languages and German as "the company" does in English
        ("Acme ganó 1.200 millones de euros en el año.\n\nLas ventas fueron buenas. "
         "La compañía también anunció un dividendo de 0,30 "
         "euros por acción.", [("1.200 millones de euros", ACME), ("0,30 euros por acción", ACME)]),
        ("Acme ganó 1.200 millones de euros en el año.\n\nLas ventas fueron buenas. "
         "El grupo también anunció un dividendo de 0,30 "
         "euros por acción.", [("1.200 millones de euros", ACME), ("0,30 euros por acción", ACME)]),
        ("Acme a gagné 1,2 milliard d'euros sur l'année.\n\nLes ventes ont progressé. "
         "Le groupe versera un dividende de 0,30 euro par "
         "action.", [("1,2 milliard d'euros", ACME), ("0,30 euro par action", ACME)]),
        ("Acme verdiente 1,2 Mrd. Euro im Jahr.\n\nDer Konzern will 2.000 Stellen streichen.",
         [("1,2 Mrd. Euro", ACME), ("2.000 Stellen", ACME)]),
        ("Acme verdiente 1,2 Mrd. Euro im Jahr.\n\nDas Unternehmen will 2.000 Stellen streichen.",
         [("1,2 Mrd. Euro", ACME), ("2.000 Stellen", ACME)]),
    ]),
)  # fmt: skip
def test_a_company_noun_refers_back_in_romance_languages_and_german(text: str, expected: list[tuple]) -> None:
    out = _extract(text, _OWNER_NAMES)
    assert out.select("surface", "subject_entity_id").rows() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched({}, [
        # a commodity that moves is no stock, and its price per unit is no share price
        ("Brent crude rose 1.2% to $73.40 a barrel, while Acme shares slipped 0.8%.",
         [("1.2%", "commodity_price_change", "up"), ("$73.40", "commodity_price", None), ("0.8%", "stock_change", "down")]),  # noqa: E501
        ("Energy stocks lagged as U.S. crude fell 2.1% to $58.10 a barrel.",
         [("2.1%", "commodity_price_change", "down"), ("$58.10", "commodity_price", None)]),
        ("Copper prices eased 1% in London, and wheat futures were up 3% to $5.20 a bushel.",
         [("1%", "commodity_price_change", "down"), ("3%", "commodity_price_change", "up"), ("$5.20", "commodity_price", None)]),  # noqa: E501
        ("Gold rose 0.7% to $4,080 an ounce.", [("0.7%", "commodity_price_change", "up"), ("$4,080", "commodity_price", None)]),  # noqa: E501
        ("Lithium prices have fallen about 80% since 2022.", [("80%", "commodity_price_change", "down")]),
        # a company named after a commodity is a stock
        ("Shares of miners rallied as Barrick Gold rose 4% on the news.", [("4%", "stock_change", "up")]),
    ]),
)  # fmt: skip
def test_commodity_prices_and_their_moves(text: str, expected: list[tuple]) -> None:
    out = _extract(text, {})
    assert out.select("surface", "kind", "direction").rows() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched({}, [
        # a function word, a part of the metric's own name, a continental article or basis adjective is
        # no segment
        ("Acme raised its full-year forecast after sales at the biggest grocer rose 4.1% in the half.", [("4.1%", None)]),  # noqa: E501
        ("Wealth revenue climbed 12% to $2.4 billion, while the lender's net interest margin narrowed to 1.57%.",  # noqa: E501
         [("12%", "wealth"), ("$2.4 billion", "wealth"), ("1.57%", None)]),
        ("Das bereinigte EBITDA stieg um 8% auf 4,1 Mrd. Euro.", [("8%", None), ("4,1 Mrd. Euro", None)]),
        # a unit's possessive names the segment
        ("Chip revenue reached $26 billion, while the mobile division's revenue was $34 billion.",
         [("$26 billion", "chip"), ("$34 billion", "mobile")]),
        ("Its cloud unit's operating profit rose 8% to $2 billion.", [("8%", "cloud"), ("$2 billion", "cloud")]),  # noqa: E501
    ]),
)  # fmt: skip
def test_segments_are_business_units_only(text: str, expected: list[tuple]) -> None:
    out = _extract(text, {})
    assert out.select("surface", "segment").rows() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched({}, [
        # a past change in a clause of its own after the word of expectation is reported
        ("Acme raised its full-year forecast after sales at the biggest grocer rose 4.1% in the half.", [("4.1%", None)]),  # noqa: E501
        ("Acme cut its outlook because revenue fell 3% in May.", [("3%", None)]),
        # an expected change stays a forecast
        ("Acme expects sales to rise 5% as demand grows.", [("5%", "forecast")]),
        # a verbless "with" phrase continues the expected clause; after a reported one it is reported
        ("Acme expects revenue of $90 billion to $93 billion, with an operating margin of about 15%.",
         [("$90 billion to $93 billion", "forecast"), ("15%", "forecast")]),
        ("Acme reported revenue of $5 billion, with an operating margin of 12%.", [("$5 billion", None), ("12%", None)]),  # noqa: E501
        ("Acme expects revenue of $5 billion, and it posted a margin of 12%.", [("$5 billion", "forecast"), ("12%", None)]),  # noqa: E501
    ]),
)  # fmt: skip
def test_outlook_follows_the_clause_of_the_figure(text: str, expected: list[tuple]) -> None:
    out = _extract(text, {})
    assert out.select("surface", "outlook").rows() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _batched({}, [
        # a percent followed by a comparative of more or less is a change of the statement noun before it
        ("La compañía obtuvo un beneficio neto de 1.230 millones de euros en el semestre, un 8% más que un año antes.",  # noqa: E501
         [("1.230 millones de euros", "profit", None), ("8%", "profit_change", "up")]),
        ("Las ventas fueron de 900 millones de euros, un 3% menos que en 2024.",
         [("900 millones de euros", "revenue", None), ("3%", "revenue_change", "down")]),
        ("Le groupe a livré ses commandes, soit 5 % de plus qu'en 2024.", [("5 %", "change", "up")]),
    ]),
)  # fmt: skip
def test_a_percent_more_or_less_is_a_change(text: str, expected: list[tuple]) -> None:
    out = _extract(text, {})
    assert out.select("surface", "kind", "direction").rows() == expected


def test_a_with_clause_of_its_own_verb_does_not_continue_an_estimate() -> None:
    text = "Estimates vary, with some sources saying it holds fewer than 900 million users."
    out = extract_metrics(*_frames([text], {}))
    assert out.select("surface", "outlook").rows() == [("900 million users", None)]
