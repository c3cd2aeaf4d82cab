"""Metric extraction: figures an analyst can sum (value, unit, qualifier, subject) from cleaned text.

Pure and vectorised: one regex pass marks candidate figures, and one compiled walk over the marked
UTF-8 text reads their character offsets (polars regex offsets are bytes); polars expressions parse
value/scale/unit and drop non-metrics with a reason (`metric_candidates`); joins attach the sentence
and the subject entity. No IO, no clock.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from functools import reduce

import numpy as np
import polars as pl
from numba import njit

from transforms.text import frame_schema, slice_spans, spelled, utf8_buffer
from warehouse.schemas import (
    CODE_ONLY_CURRENCIES,
    CURRENCIES,
    CURRENCY_NAMES,
    CURRENCY_NOUNS,
    CURRENCY_SYMBOLS,
    METRICS,
    RATE_KINDS,
    UNITS,
    WORD_CURRENCIES,
)

EXTRACTOR_VERSION = "metrics-2026.12.06"  # ranges of percents in words, moved counts, commodity prices

OUTPUT_SCHEMA = frame_schema(METRICS, drop=("extractor_version", "run_id"))  # the flow adds those

# Lazy plans here are collected by polars' in-memory engine: on one core the streaming engine (the
# default of polars 2 for engine="auto") spent 1.5-3x longer on these joins of wide candidate frames
# (tests/transforms/bench_metrics_speed.py). The engine changes speed only, never a result.
_ENGINE = "in-memory"

# Drop reasons (snake_case): why a candidate figure is not reported.
NO_UNIT = "no_unit"
PART_OF_NAME = "part_of_name"  # MiMo-7B, GPT-4, 4o-0513, A100, 1810.HK
VERSION_NUMBER = "version_number"  # Qwen 2.5, Round 59, CyberDog 2
INSIDE_ENTITY = "inside_entity_mention"  # "6B parameter version" tagged as a MODEL mention
YEAR = "year"
DIMENSIONS = "dimensions"  # 512×512
RATIO = "ratio"  # "1 in 3 users"
SMALL_WORD_COUNT = "small_word_count"  # "two people": too vague to sum (things counted in words are kept)
OUTSIDE_SENTENCE = "outside_sentence"
BAD_VALUE = "unparsable_value"
TICKER = "ticker_widget"  # "(ARM 4.11%)": a quote box inside the article
PROMO = "promotion"  # "Join over 80,000 subscribers": the publisher's own pitch
RELATIVE_TIME = "relative_time"  # "in the past four days": when, not how much
WORD_IDIOM = "word_not_figure"  # "the first half of 2024", "double-digit", "met twice"
# "cash flow was -$3 billion": a signed level (an income's minus is a loss, a percent's a fall)
NEGATIVE = "negative_figure"

# ---------------------------------------------------------------------------------------------
# Vocabulary. ASCII word boundaries (?-u:\b) keep the regex engine on its fast DFA for non-ASCII
# text (a Unicode \b makes it fall back to a slow NFA at the first curly quote).
B = r"(?-u:\b)"
# Number formats of the world, most specific first: Indian grouping (1,00,000), continental grouping
# with a decimal comma (1.234,5), Western grouping (1,234,567.5), dot grouping (1.234.567), a decimal
# comma (14,3 / 199,90), plain (1234.5).
_DIG = (
    r"[0-9]{1,2}(?:,[0-9]{2})+,[0-9]{3}(?:\.[0-9]+)?|[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]+"
    r"|[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?"
    r"|[0-9]{1,3}(?:\.[0-9]{3}){2,}|[0-9]{1,3},[0-9]{1,2}|[0-9]+(?:\.[0-9]+)?"
)
_ONES = "one two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_WORD_VALUES = {w: float(i + 1) for i, w in enumerate(_ONES)}
_WORD_VALUES |= {w: float(i + 10) for i, w in enumerate(_TEENS)}
_WORD_VALUES |= {w: float(20 + 10 * i) for i, w in enumerate(_TENS)}
_WORD_VALUES |= {"a": 1.0, "an": 1.0, "a half": 0.5, "half a": 0.5}
_WORDNUM = (
    rf"{B}(?:(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(_ONES)}))?|{'|'.join(_TEENS)}|{'|'.join(_ONES)})"
    rf"(?:\s+hundred)?{B}"
)
# "a billion", "half a million": only together with a scale word.
_A_SCALE = rf"{B}(?:an?|half[\s-]an?)[\s-](?:hundred\s+)?(?:thousand|million|billion|trillion){B}"
_NUM = rf"(?:{_DIG}|{_WORDNUM})"
# The low end of a range is never a year: "from $1.14bn in 2013 to $3.40bn" is two figures, not a range
# from 2,013 billion. Four-digit numbers 1900-2099 are left out; the finder then takes the year alone.
_NUM_NOT_YEAR = (
    r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?"
    r"|(?:[0-9]{1,3}|[0-9]{5,}|1[0-8][0-9]{2}|2[1-9][0-9]{2}|[03-9][0-9]{3})(?:\.[0-9]+)?|(?:19|20)[0-9]{2}\.[0-9]+"
    rf"|{_WORDNUM})"
)
_ZH_SCALE = r"万亿|千万|百万|亿|万"
# Scale words, with those of continental European business news (German, French, Spanish, Italian,
# Dutch, Portuguese), full and abbreviated: "1,5 Mrd.", "41.200 Mio.", "52,4 milliards", "3 mil millones"
# (`_EU_SCALE_VALUES`). Their numbers are written the continental way: a comma marks decimals, a dot
# groups thousands. (German "Billion" is 1e12 and English "billion" 1e9: only the plural "Billionen" is
# read as German.)
_SCALE = (
    # (one alternation, its words sharing their stems: the finder and the parser run it on every figure)
    r"(?:\s*-?\s*(?:(?:mil(?:\s+mill(?:ones|hões)|l(?:ions?|ionen|iards?|iarden?|ones|on)|ion[ei]|iard[oi]|"
    r"joen(?:en)?|jard(?:en)?|h(?:ões|ão)|a)?|thousand|tausend|billion|billionen|bilh(?:ões|ão)|trillion|mln|mn|bn|tn|"
    # (Indian scale words: a lakh is 1e5, a crore 1e7, a lakh crore 1e12)
    rf"lakhs?\s+crores?|lakhs?|lacs?|crores?|(?-i:cr)){B}|millón|(?:mio|mrd|mld|tsd|(?-i:Mds?|Bio))(?:\.|{B}))"
    rf"|\s?(?:{_ZH_SCALE})|[kmbt]{B})"
)
_SCALE_VALUES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mln": 1e6, "mn": 1e6, "mil": 1e6, "m": 1e6,
    "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12, "t": 1e12,
    "万": 1e4, "百万": 1e6, "千万": 1e7, "亿": 1e8, "万亿": 1e12,
    "lakh": 1e5, "lakhs": 1e5, "lac": 1e5, "lacs": 1e5, "crore": 1e7, "crores": 1e7, "cr": 1e7,
    "lakhcrore": 1e12, "lakhcrores": 1e12, "lakhscrore": 1e12, "lakhscrores": 1e12,
}  # fmt: skip
# (continental European, `_EU_SCALE`: keys without spaces and periods)
_EU_SCALE_VALUES = {
    "millions": 1e6, "millionen": 1e6, "mio": 1e6, "millones": 1e6, "millón": 1e6, "millon": 1e6,
    "milione": 1e6, "milioni": 1e6, "miljoen": 1e6, "miljoenen": 1e6, "milhão": 1e6, "milhões": 1e6,
    "milliard": 1e9, "milliards": 1e9, "milliarde": 1e9, "milliarden": 1e9, "mrd": 1e9, "md": 1e9,
    "mds": 1e9, "mld": 1e9, "milmillones": 1e9, "milmilhões": 1e9, "miliardo": 1e9, "miliardi": 1e9,
    "miljard": 1e9, "miljarden": 1e9, "bilhão": 1e9, "bilhões": 1e9,
    "billionen": 1e12, "bio": 1e12, "tausend": 1e3, "tsd": 1e3, "mila": 1e3,
}  # fmt: skip
_SCALE_VALUES |= _EU_SCALE_VALUES

# The other ISO 4217 codes in use (`CODE_ONLY_CURRENCIES`), in capitals only ("NOK 410 million",
# "95m DKK"): lower-case "all", "try", "mad" are words.
# (grouped by first letter, "A(?:ED|FN|...)|B(?:...)": a smaller automaton to compile on every call)
_CUR_CODES_CASED = "(?-i:{})".format(
    "|".join(
        f"{first}(?:{'|'.join(c[1:] for c in CODE_ONLY_CURRENCIES if c[0] == first)})"
        for first in sorted({c[0] for c in CODE_ONLY_CURRENCIES})
    )
)


# CLDR's other symbols of one currency (`CURRENCY_SYMBOLS`): "R$", "MX$", "NZ$"; "₪", "₱", "₫".
_LETTER_DOLLARS = "".join(
    f"|{re.escape(s)}" for s in CURRENCY_SYMBOLS if s.endswith("$") and s not in ("HK$", "NT$", "A$", "CA$")
)
_SIGNS = "".join(s for s in CURRENCY_SYMBOLS if len(s) == 1 and s not in "$¥￥€£₩₹")


def _cur_pre(codes: str) -> str:
    return (
        # Letter prefixes start a word: "secures$2bn" is dollars, not Singapore dollars.
        rf"(?:{B}(?:U\.?S\.?\s?\$|HK\$|NT\$|S\$|A\$|AU\$|C\$|CA\${_LETTER_DOLLARS})\s?|[$¥￥€£₩₹{_SIGNS}]\s?|"
        rf"{B}(?:RMB|CNY|USD|EUR|HKD|GBP|JPY|KRW|INR|TWD|SGD|CAD|AUD|CHF|{codes})\s?|{B}Rs\.?\s?)"
    )


_CUR_PRE = _cur_pre(_CUR_CODES_CASED)
# (the parse reads surfaces the finder found: any three capitals there are a code of `_CUR_PRE`)
_CUR_PRE_FOUND = _cur_pre(r"(?-i:[A-Z]{3})")
_CUR_PRE_CODES = {
    **CURRENCY_SYMBOLS,
    "US$": "USD", "U.S.$": "USD", "$": "USD", "HK$": "HKD", "NT$": "TWD", "S$": "SGD", "A$": "AUD",
    "AU$": "AUD", "C$": "CAD", "CA$": "CAD", "¥": "CNY", "￥": "CNY", "€": "EUR", "£": "GBP",
    "₩": "KRW", "₹": "INR", "RMB": "CNY", "Rs": "INR",
    **{c: c for c in CURRENCIES},
}  # fmt: skip
# "de"/"d'"/"di" before a currency after a scale word: "52,4 milliards d'euros", "800 millones de dólares".
_CUR_OF = r"(?:(?:de|di)\s+|d['’]\s?)?"
# Currency words after the number, most specific first: (regex, ISO code).
_CUR_WORDS = [
    # A currency's sub-unit, where it names one currency (value in the unit: `_UNIT_FACTORS`): "45 cents",
    # "99¢" are US cents as the US press writes them, "20p" / "15 pence" British pence; "euro cents",
    # paise (India) and Rappen (Switzerland) name their own. (anchored at the end: "p" is no "people")
    (r"(?:euro[\s-]?cents?|eurocents?)$", "EUR"),
    (r"(?:cents?|¢)$", "USD"),
    (r"(?:pence|p)$", "GBP"),
    (r"paise$", "INR"),
    (r"rappen$", "CHF"),
    (r"(?:hong\s+kong|hk)\s+dollars?|港元|港币", "HKD"),
    (r"(?:new\s+)?taiwan(?:ese)?\s+dollars?|nt\s+dollars?", "TWD"),
    (r"singapore\s+dollars?", "SGD"),
    (r"canadian\s+dollars?", "CAD"),
    (r"australian\s+dollars?", "AUD"),
    (r"(?:us|u\.s\.|american)?\s*dollars?|us-dollars?|dólares|dollari|美元", "USD"),
    (r"yuan|renminbi|rmb|cny|人民币|元", "CNY"),
    (r"euros?|欧元", "EUR"),
    (r"pounds?\s+sterling|british\s+pounds?|livres?\s+sterling|pfund|英镑", "GBP"),
    (r"yen|日元", "JPY"),
    (r"won|韩元", "KRW"),
    (r"rupees?", "INR"),
    (r"swiss\s+francs?|francs?\s+suisses|franken", "CHF"),
    # (a bare franc is the Swiss one: the only franc of note in business news since the euro; the CFA
    # and other francs are written with their name, which the finder does not take)
    (r"francs?", "CHF"),
    # (a bare pound is sterling only in a sentence about money: `figure_units`, "5 pounds" may weigh)
    (r"pounds?", "GBP"),
    (r"usd|hkd|eur|gbp|jpy|krw|inr|twd|sgd|cad|aud|chf", None),  # the code itself
]
_GPU_NAME = (
    r"(?:H100|H200|H800|H20|A100|A800|B100|B200|GB200|GB300|V100|L40S?|MI300X?|MI325X|Ascend\s?910[BC]?)s?"
)
_TEAM_MODS = r"(?:full[\s-]time|AI|R&D|technical|engineering|research|software|hardware|tech)"
_TEAM_WORDS = (
    r"(?:employees?|staff(?:ers)?|workers|engineers|researchers|specialists|scientists|"
    r"experts|technicians|programmers|hires|jobs|headcount|job\s+cuts|layoffs|lay-offs|roles|positions|"
    r"redundancies|"
    # (the word for employees in the languages of European business news: "680.000 Mitarbeiter")
    r"mitarbeiter(?:innen)?|beschäftigten?|angestellten?|salariés|employés|collaborateurs|empleados|"
    r"trabajadores|dipendenti|lavoratori|"
    # (and the jobs they hold: "5.600 Stellen", "1 200 postes", "300 puestos")
    r"stellen|arbeitsplätze|postes|emplois|puestos|empleos|posti)"
)
# A job noun past one or two modifiers of any kind: "4,000 customer support jobs", "14,000 corporate roles"
# (words of three letters or more: "$2 million in jobs" is money; only the nouns of jobs, not "128 MoE
# experts")
_JOB_MODIFIED = r"(?:[a-z][a-z-]{2,}\s+){1,2}(?:jobs|roles|positions|posts|workers|employees|staff(?:ers)?)"
# Things made and sold: vehicles (cars, NEVs, deliveries of cars) and units (devices shipped: phones,
# robots, drives). Generic words ("units", "deliveries", "orders") take the kind of thing the
# sentence or document counts (devset README's label rule).
_VEHICLE_NOUNS = (
    r"(?:vehicles|cars|evs|nevs|bevs|phevs|hevs|hybrids|suvs|sedans|pickups|trucks|vans|buses|motorcycles|"
    r"new[\s-]energy\s+(?:passenger\s+)?(?:vehicles|cars))"
)
_DEVICE_NOUNS = (
    r"(?:phones|smartphones|handsets|tablets|laptops|notebooks|pcs|robots|humanoids|hard\s+drives|drives|"
    r"consoles|headsets|wearables|smartwatches|wafers)"
)
_GENERIC_NOUNS = r"(?:units|deliveries|orders|shipments)"
_COUNT_NOUNS = (
    r"(?:devices|transistors|dogs|patents|apps|applications|stores|servers|data\s+centers|datacenters|"
    r"customers|clients|downloads|queries|requests|subscriptions|countries|cities|languages|"
    r"startups|companies|enterprises|partners|chips|images|videos|papers|repositories|shares|homes|"
    r"households|experts|materials|deals|contracts|suppliers|factories|plants|sites)"
)
# The measures of industries past tech, in the units their reports use: barrels (of oil, a day: "2.4
# billion barrels", "700,000 bpd"; "of oil equivalent per day" after them, `_barrels_a_day`), troy
# ounces of gold and silver, square feet and metres of property ("420,000 square feet", "a
# 45,000-square-metre warehouse"), TEU (twenty-foot equivalent units, container volume); and what
# airlines, ports, miners and retailers count: passengers and other visitors (people), flights,
# aircraft, ships, outlets, mines, wells (`_unit_from_rest` names their units).
_PASSENGER_NOUNS = r"passengers|travell?ers|visitors|tourists|guests"
_INDUSTRY_NOUNS = (
    r"flights|aircraft|airplanes|airliners|planes|jets|vessels|ships|tankers|locations|outlets|branches|"
    r"restaurants|mines|wells|rigs"
)
_MEASURE = (
    # (one branch for the words after a space: each branch more cost the finder ~1% of the stage)
    r"|\s+(?:(?:barrels?|bbl)(?:\s+(?:per|a)\s+day)?|bpd|boepd|boe/d|b/d|(?:troy\s+)?(?:ounces|oz)|TEUs?|"
    r"twenty-foot\s+equivalent\s+units?)"
    + B
    + r"|[\s-]+(?:square[\s-]+(?:feet|foot|met(?:re|er)s?)|sq\.?\s?(?:ft|m))"
    + B
)


def _words_alternation(words: Iterable[str]) -> str:
    """Regex alternation of `words` (an iterable of lower-case phrases), longest first, any run of
    white space between their words."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=lambda w: (-len(w), w)))


_CUR_NAMES = _words_alternation(CURRENCY_NAMES)
_CUR_NOUNS = _words_alternation(CURRENCY_NOUNS)
_CUR_NAME_CODES = {**CURRENCY_NAMES, **CURRENCY_NOUNS}
# Unit phrase right after the number (ordered: the first alternative that matches wins in the finder).
_UNIT = (
    r"(?:"
    r"\s?(?:%|％)"
    # (the percent of German, French, Spanish, Italian news: "12 Prozent", "5 pour cent", "3 per cento";
    # "Prozentpunkte" are percentage points)
    r"|\s(?:prozent(?:punkte?)?|pour\s+cent|por\s+ciento|per\s+cento|points?\s+de\s+pourcentage|"
    r"puntos?\s+porcentuales?|punt[oi]\s+percentual[ei])"
    + B
    + r"|\s?(?:per\s?cent|percent|pct)(?:age\s+points?)?|pc|[\s-]?(?:bps|basis[\s-]points?|(?-i:bp))"
    + B
    + r"|\s*(?:个百分点|倍|元|人民币|美元|港元|港币|欧元|日元|英镑|韩元|(?:个)?参数|名?(?:员工|工程师|研究人员)|名?人|"  # noqa: E501
    r"(?:月活跃?|日活跃?|活跃)?用户|(?:块|张)(?:GPU|显卡|卡)|项?专利|台|家)"
    r"|\s?(?:[×xX](?:\s?[0-9]+)?" + B + r"|×(?:\s?[0-9]+)?)"
    r"|[\s-]fold"
    + B
    + r"|\s+times\s+(?:faster|more|larger|bigger|higher|greater|better|cheaper|lower|smaller|as|the|over|"
    r"that\s+of|what)"
    + B
    + r"|\s?tokens?\s*(?:per\s+second|a\s+second|/\s?s(?:ec)?"
    + B
    + r")"
    + r"|\s?(?:"
    + _GPU_NAME
    + r"\s+)?GPU[\s-]hours"
    + B
    + r"|[\s-]?(?:token\s+)?(?:tokens"
    + B
    + r"|token[\s-](?:context|window|input|output|inference|budget|limit)|context(?:\s+(?:window|length))?"
    + B
    + r")"
    + r"|[\s-]+(?:(?:open[\s-]source|total|active|activated)\s+)?param(?:eter)?s?"
    + B
    # (and joined by a hyphen in a compound adjective: "a 3-billion-dollar deal", "a 500-million-euro loan")
    + r"|[\s-]+"
    + _CUR_OF
    + r"(?:(?:hong\s+kong|hk|new\s+taiwan|taiwan(?:ese)?|nt|singapore|canadian|australian|us|u\.s\.|american)"
    r"\s+|us-)?(?:dollars?|dólares|dollari)"
    + B
    # (a currency's sub-unit, `_CUR_WORDS`; "euro cents" before "euros": a cent is no euro; a "p" glued
    # to the number only, lower-case: "5 P" or "5 pp" is none)
    + r"|\s+(?:euro[\s-]?cents?|eurocents?|cents?|pence|paise|rappen)"
    + B
    + r"|\s?¢|(?-i:p)"
    + B
    + r"|[\s-]+"
    + _CUR_OF
    + r"(?:yuans?|renminbi|rmb|euros?|pounds?\s+sterling|british\s+pounds?|livres?\s+sterling|pfund|yens?|"
    r"won|rupees?|swiss\s+francs?|francs?\s+suisses|franken|francs?|pounds?|usd|cny|hkd|eur|gbp|jpy|krw|inr|twd|sgd|cad|aud|chf)"
    + B
    + r"|\s+"
    + _CUR_CODES_CASED
    + B
    + r"|\s+(?:(?:nvidia|amd|huawei)\s+)?(?:"
    + _GPU_NAME
    + r"(?:\s+(?:GPUs?|chips|accelerators|graphics\s+cards|units))?"
    r"|(?:AI\s+)?(?:GPUs?|graphics\s+processing\s+units|graphics\s+cards|AI\s+chips|AI\s+accelerators))"
    + B
    + r"|\s+(?:(?:monthly|weekly|daily)\s+)?(?:active\s+)?(?:(?:paying|paid|registered|global|enterprise|business|"  # noqa: E501
    r"individual)\s+)?(?:users|subscribers|members|seats|MAUs?|DAUs?|WAUs?)"
    + B
    + r"|\s+(?:"
    + _TEAM_MODS
    + r"\s+)?"
    + _TEAM_WORDS
    + B
    + r"|\s+"
    + _JOB_MODIFIED
    + B
    + r"|\s+(?:people|persons|individuals|contractors)"
    + B
    + r"|\s+(?:[a-z][a-z-]*\s+)?(?:"
    + _VEHICLE_NOUNS
    + "|"
    + _DEVICE_NOUNS
    + "|"
    + _GENERIC_NOUNS
    + "|"
    + _COUNT_NOUNS
    # (`_MEASURE`'s nouns and any subscribers: "410,000 mobile subscribers", "2,400 flights")
    + f"|{_PASSENGER_NOUNS}|{_INDUSTRY_NOUNS}|subscribers"
    + ")"
    + B
    # (a hyphen joins them in a compound adjective: "a 350-megawatt plant", "a 12-gigawatt-hour battery",
    # "a 40-tonne truck", read as "350 megawatts")
    + r"|[\s-]?(?:[kmgt]wh|(?:kilo|mega|giga|tera)watt[\s-]hours?)"
    + B
    # (mass in tonnes, the metric ton of trade statistics; a bare "tons" may be a short ton)
    + r"|[\s-]+(?:tonnes?|metric[\s-]+tons?)"
    + B
    + r"|[\s-]?(?:[kmgt]w|(?:kilo|mega|giga|tera)watts?)"
    + B
    + r"|[\s-]?(?:[kmgtp]b|(?:kilo|mega|giga|tera|peta)bytes?)"
    + B
    + r"|\s?(?:[kmgt]bps)"
    + B
    + r"|\s+(?:days|weeks)"
    + B
    + r"|\s*(?:天|万?辆)"
    + _MEASURE
    + r")"
)
# "per share" as English, German, French, Spanish and Italian write it ("1,20 Euro je Aktie", "2 euros par
# action", "0,5 euros por acción", "0,3 euro per azione")
_PER_SHARE_WORDS = r"(?:per|a)\s+share|je\s+aktie|par\s+action|por\s+acci[oó]n|per\s+azione"
_PER_SHARE = (
    rf"(?:\s+(?:{_PER_SHARE_WORDS})"
    + B
    + r"|\s*(?:/|per\s+)(?:1\s*)?(?:million|m)\s+(?:input\s+|output\s+)?tokens"
    + B
    + r")"
)
_CONN = r"(?:\s*(?:[-–—~]|to)\s*)"
# (and the "to" of a range in German, French, Spanish, Italian between two bare numbers: "6 bis 8 Prozent",
# "de 6 à 8 %", "de 5 a 7"; "de 6 % à 8 %", "de 6 milliards à 8 milliards" are mostly a move from one to
# the other, which only English "from ... to" splits: `_split_changes`)
_CONN_EU = r"(?:\s*(?:[-–—~]|to)\s*|\s+(?:bis|à|a)\s+)"
# A currency's sub-unit closing each end of a range (`_CUR_WORDS`; a "p" glued to the number, lower-case)
_SUBUNIT = rf"(?:\s(?:euro[\s-]?cents?|cents?|pence|paise|rappen){B}|\s?¢|(?-i:p){B})"
# A percent closing a range's low end, as a sign or in words: "34% to 42%", "4 per cent to 6 per cent"
# (British and Australian news write the word, "4 percent to 6 percent" American wire copy)
_PCT_END = rf"(?:\s?[%％]|\s?(?:per\s?cent|percent|pct){B})"
_FIGURE = (
    # (a percent on both ends too: "between 3.75% and 4%", "between 4 per cent and 6 per cent")
    rf"(?:between\s+{_CUR_PRE}?{_NUM}{_SCALE}?{_PCT_END}?\s+and\s+{_CUR_PRE}?{_NUM}{_SCALE}?"
    # Ranges whose ends carry their own scale or percent: "$11.1B to $11.2B", "34% to 42%".
    rf"|{_CUR_PRE}?{_NUM_NOT_YEAR}{_SCALE}{_CONN}{_CUR_PRE}?{_NUM}{_SCALE}"
    rf"|{_NUM_NOT_YEAR}{_PCT_END}{_CONN}{_NUM}{_PCT_END}"
    # (and their own sub-unit, named again after the second: "89 cents to 91 cents", "40p-45p")
    rf"|{_NUM_NOT_YEAR}{_SUBUNIT}{_CONN}{_NUM}{_SUBUNIT}"
    rf"|{_CUR_PRE}?(?:{_A_SCALE}|{_NUM_NOT_YEAR}{_CONN_EU}{_CUR_PRE}?{_NUM}{_SCALE}?|{_NUM}{_SCALE}?))"
    rf"{_UNIT}?{_PER_SHARE}?"
)
_ZH_NUM = r"[零一二两三四五六七八九十百千]+"
_ZH_FIGURE = rf"{_ZH_NUM}(?:{_ZH_SCALE})?{_UNIT}?"
_RANK = rf"{B}rank(?:ed|s|ing)?\s+(?:No\.\s?|#)?(?:first|second|third|fourth|fifth|[0-9]{{1,3}}(?:st|nd|rd|th)?){B}"  # noqa: E501
# Word figures naming a factor or a share (devset README): "doubled", "twice the", "half of".
_MULT_WORDS = {
    "doubled": 2.0, "tripled": 3.0, "trebled": 3.0, "quadrupled": 4.0,
    "twice": 2.0, "double": 2.0, "triple": 3.0, "quadruple": 4.0,
}  # fmt: skip
_FRACTIONS = {
    "half": 0.5, "a third": 1 / 3, "one third": 1 / 3, "one-third": 1 / 3, "two thirds": 2 / 3,
    "two-thirds": 2 / 3, "a quarter": 0.25, "one quarter": 0.25, "three quarters": 0.75,
    "three-quarters": 0.75,
}  # fmt: skip
_MULT_WORD = (
    rf"{B}(?:doubled|tripled|trebled|quadrupled|twice|double|triple|quadruple|half|(?:a|one)[\s-]third|"
    rf"two[\s-]thirds|(?:a|one)\s+quarter|three[\s-]quarters){B}"
)
# Word figures of a rate move, in percentage points (unit percent): "a quarter point", "half a
# percentage point", "three-quarters of a point".
_POINT_WORD = (
    rf"{B}(?:half(?:\s+of)?\s+an?|(?:a|one)[\s-]half(?:\s+of\s+an?)?|(?:a|one|three)[\s-]quarters?(?:\s+of\s+an?)?)"
    rf"\s+(?:full\s+)?(?:percentage[\s-])?points?{B}"
)
_POINT_FRACTIONS = {
    "half": 0.5, "a half": 0.5, "one half": 0.5, "a quarter": 0.25, "one quarter": 0.25,
    "three quarters": 0.75, "three quarter": 0.75,
}  # fmt: skip
# A space (a no-break or narrow one before cleaning) groups thousands in French, Nordic and SI style:
# "117 000 salariés", "12 000 employees". Only right before the noun of a count of whole things, set
# apart by a space: "Windows 11 100 users" is rarer than "12 000 users", but "in 2024 500 firms", "2
# 512GB machines" or a list of numbers is not one number.
_SPACED = r"[0-9]{1,3}(?: [0-9]{3})+"
_WHOLE_NOUN = (
    rf"(?:\s+(?:{_TEAM_MODS}\s+)?{_TEAM_WORDS}|\s+{_JOB_MODIFIED}|\s+(?:people|persons|individuals|contractors)"
    r"|\s+(?:(?:monthly|weekly|daily)\s+)?(?:active\s+)?(?:users|subscribers|customers)"
    rf"|\s+(?:[a-z][a-z-]*\s+)?(?:{_VEHICLE_NOUNS}|{_DEVICE_NOUNS}|{_GENERIC_NOUNS}|{_COUNT_NOUNS})){B}"
)
# A decimal-comma number of points is percentage points, as French, German, Spanish and Italian news
# write a rate's move ("a reculé de 0,5 point", "um 0,25 Punkte"); an index moves by whole points.
_EU_POINTS = rf"{B}[0-9]{{1,2}},[0-9]{{1,2}}\s(?:points?|punkte?|puntos?|punti){B}"
FIND = (
    rf"(?i)(?:{_RANK}|{_EU_POINTS}|{_CUR_PRE}?{_A_SCALE}{_UNIT}?|{_POINT_WORD}|{_MULT_WORD}|{B}{_SPACED}{_WHOLE_NOUN}|{_FIGURE}"
    rf"|{_ZH_FIGURE})"
)

_PARSE = (
    rf"^(?i)(?P<between>between\s+)?(?P<cur>{_CUR_PRE_FOUND})?\s*(?P<lo>{_SPACED}|{_DIG}|{_WORDNUM}|an?|half[\s-]an?|{_ZH_NUM})"
    rf"(?P<los>{_SCALE})?(?P<lopct>{_PCT_END})?(?:(?P<losub>{_SUBUNIT})?(?P<conn>{_CONN_EU}|\s+and\s+)(?P<cur2>{_CUR_PRE_FOUND})?(?P<hi>{_DIG}|{_WORDNUM}))?"
    rf"(?P<his>{_SCALE})?(?P<rest>.*)$"
)

_QUALIFIERS = [
    (r"up\s+to|as\s+(?:much|many|high)\s+as", "up_to"),
    (r"at\s+least|no\s+(?:less|fewer)\s+than|a\s+minimum\s+of", "at_least"),
    (r"more\s+than|upwards\s+of|in\s+excess\s+of|超过|逾", "more_than"),
    (r"over|above|exceed(?:s|ed|ing)?|surpass(?:es|ed|ing)?|top(?:s|ped)|beyond", "over"),
    (r"nearly|almost|close\s+to|近", "nearly"),
    (r"less\s+than|fewer\s+than|under|below|just\s+under", "under"),
    (r"about|around|approximately|approx\.|roughly|some|circa|an\s+estimated|estimated|~|≈|约|大约", "about"),
]
# A name after a word of comparison or competition is the rival, not the owner: "beat X", "ahead of X",
# "overtook X", "outsold X", "trailing X" (the verbs of passing, out-doing and following another).
_COMPARE = (
    r"(?i)(?-u:\b)(?:than|outperform[A-Za-z0-9_]*|beat[A-Za-z0-9_]*|against|versus|vs\.?|compared|rival[A-Za-z0-9_]*|"
    r"surpass[A-Za-z0-9_]*|ahead\s+of|overt(?:ook|akes?|aken|aking)|out(?:sold|sell|sells|selling|pac(?:e|es|ed|ing)|"
    r"gr[eo]w|grows|growing|grown|ship(?:s|ped|ping)?|earn(?:s|ed|ing)?|strip(?:s|ped|ping)?)|trail(?:s|ed|ing)?)"
    r"(?-u:\b)"
)
_SOURCE = (
    r"(?i)(?-u:\b)(?:reported|reports|said|says|according\s+to|told|wrote|noted|cited|citing)(?-u:\b)[^.;]*"
    r"(?-u:\b)the\s+(?:company|firm|group|startup|start-up|giant|maker)(?-u:\b)"
)
# ("share" alone is a portion, "a 12% share" of a market; the stock is "shares", "share price".)
_STOCK = r"(?i)(?-u:\b)(?:shares|stocks?|share\s+price|market\s+(?:cap|value)|traded|trading)(?-u:\b)|股价"
# Words that refer back to an entity: "its", "the company", "the Chinese smartphone maker", "the CRM giant".
# The same in the Romance languages and German: a definite article and a noun for a company ("la
# compañía", "la empresa", "el grupo", "a empresa", "le groupe", "la société", "l'entreprise", "il
# gruppo", "das Unternehmen", "der Konzern", "der Essener Energiekonzern"). (No closing word boundary:
# in ASCII mode none follows an accented letter; a plural or a longer form still refers back.)
_COREF_EU = (
    r"(?:(?:la|el|a|o|le|il|lo)\s+(?:compa[ñn][íi]a|companhia|empresa|firma|sociedad|sociedade|soci[ée]t[àée]|"
    r"entidad|grupo|groupe|gruppo|fabricante|fabricant|operadora|op[ée]rateur|constructeur|marca|marque|"
    r"multinacional|multinational|compagnie|azienda|holding)|l['’]\s*(?:entreprise|azienda|op[ée]rateur|"
    r"enseigne|[ée]nergéticien)|(?:der|die|das|dem|den|des)\s+(?:\p{L}+\s+){0,2}\p{L}*(?:[Kk]onzern|"
    r"[Uu]nternehmen|[Hh]ersteller|[Gg]ruppe|[Ff]irma|[Gg]esellschaft|[Vv]ersorger|[Aa]nbieter|[Bb]etreiber))"
)
_COREF = (
    r"(?i)(?-u:\b)(?:(?:its|it|they|their|the\s+(?:[A-Za-z-]+\s+){0,2}(?:company|firm|group|startup|start-up|"
    r"giant|maker|manufacturer|automaker|carmaker|chipmaker|lab|business|retailer|vendor|provider|developer|"
    r"designer|operator|conglomerate))(?-u:\b)|" + _COREF_EU + ")"
)
# A mention that reports or funds a figure does not own it (devset README, "Subjects"): a source
# ("according to X", "X said", "X reported", "told X", "X data shows") or an investor ("led by X",
# "backed by X", "from X", "X is leading a round", 由X领投). Left cues end right before the mention;
# right cues start after it.
_SOURCE_LEFT = (
    r"(?i)(?:(?-u:\b)(?:according\s+to|told|reported\s+by|cited\s+by|citing|per|via|led\s+by|backed\s+by|"
    r"co-led\s+by|from|including|include[sd]?|investors?|analysts?\s+at|research\s+firm|data\s+from)\s+(?:the\s+)?"
    # (the rest of a list, "from Amazon, Google and Microsoft", is one with its first member: _list_runs)
    r"|由\s*|据\s*)$"
)
_SOURCE_RIGHT = (
    r"(?i)^(?:'s\s+(?:data|figures|estimates?|report|analysts?|research)|\s+(?:data|figures|research|analysts?)"
    r"(?-u:\b)|\s*领投|\s*数据"
    # "X led the round", "a round X led." ("X led the market" is no investor)
    r"|\s+(?:co-)?led(?:\s*[.,;)]|\s*$|\s+(?:an?\s+(?:[$€£¥\d]|US\$|series|seed|round|funding|financing|investment)|"
    r"the\s+(?:round|financing|funding|investment|raise|deal|series)|(?:it|this|that)(?-u:\b)))"
    # An investor leading a round in the present ("X is leading a $600 million round", "X leads the
    # round"); "X leads the market" is no investor. (m_right holds 20 characters.)
    # ("leads a team of 50" is no investor either: "a" must be followed by an amount or a round.)
    r"|\s+(?:is\s+|are\s+)?(?:co-)?lead(?:s|ing)\s+(?:an?\s+(?:[$€£¥\d]|US\$|series|seed|round|funding)|"
    r"the\s+(?:round|financing|funding|investment|raise)))"
)
# A research firm that reports figures ("IDC data show", "analysts at UBS", "research firm Canalys",
# "analysts polled by UBS": the poll's consensus figures are about the company polled on)
# owns none of the document's figures (devset README, "Subjects"), wherever it is named. ("According
# to X" is only a mention-level source: companies are the source of their own results.)
_RESEARCH_LEFT = (
    r"(?i)(?:(?-u:\b)(?:data\s+from|analysts?\s+at|(?:polled|surveyed)\s+by|"
    r"(?:market\s+)?(?:research|analyst|analysis|consulting|consultancy|tracking)\s+"
    r"(?:firm|house|company|group|agency))\s+(?:the\s+)?|(?:调研|研究|咨询)机构\s*)$"
)
# ("AMD's report" and "AMD data center" are the company's own: "data" counts only as "X data show").
_RESEARCH_RIGHT = (
    r"(?i)^(?:['’]s?\s+(?:estimates?|analysts?|survey|tracker)|\s+(?:data|figures)\s+(?:shows?|showed|"
    r"suggests?|suggested|indicates?|indicated)|\s+(?:analysts?|estimates|survey)(?-u:\b)|\s*(?:数据|统计))"
)
# An official statistics office publishes the figures of others (an economy, a market, its companies):
# it reports them as a research firm does, and owns none ("retail sales fell 3.2%, the Office for
# National Statistics said"; Statistics Canada, the Census Bureau, the Bureau of Labor Statistics,
# Eurostat, Destatis, INSEE, Istat), read from the entity's name.
_STATISTICS_OFFICE = r"(?i)(?-u:\b)(?:statistics|statistical|census|eurostat|destatis|insee|istat)(?-u:\b)"
# A speaker ("X said", "X reckons its cloud unit will grow 77%") owns a figure only when nothing else in
# the clause can: another candidate or a reference back ("its", "the company") takes precedence.
_REPORTER_RIGHT = (
    r"(?i)^\s+(?:said|says|reported|reports|noted|notes|told|estimated|estimates|reckons|reckoned|expects|"
    r"expected|believes|believed|predicts|predicted|forecasts?|projects|projected|showed|shows|added|adds)"
    r"(?-u:\b)"
)
# ... but a company that "reported" or "posted" its own results is their owner, no speaker: "Acme
# reported net profit of $2 billion" (as against "Canalys reported that shipments rose"). (m_right: 20
# characters, the word after the verb opening the results.)
_OWN_RESULTS_RIGHT = (
    r"(?i)^\s+(?:reported|reports|posted|posts)\s+(?:a|an|its|net|record|quarterly|annual|full-year|half-year|"
    r"interim|first|second|third|fourth|[a-z]+-quarter|revenues?|sales|profits?|earnings|operating|pre-tax|"
    r"underlying|adjusted)(?-u:\b)"
)
# ... but "added" / "adds" with a figure right after it is a price or count moving, not speech: "Acme
# slipped 2.3% and Globex added 1.1%", "the index added 120 points", "Acme adds $2bn in market value".
# (m_right holds 20 characters; the figure may open with a qualifier, a sign or a currency.)
_MOVE_ADDED_RIGHT = (
    r"(?i)^\s+add(?:ed|s)\s+(?:(?:about|around|nearly|almost|roughly|some|another|over|more\s+than|"
    r"a\s+further|just|up\s+to)\s+)?(?:[+$€£¥₹₩0-9]|[A-Z]{1,3}\$|Rs\.?\s)"
)
# A speaker named by a title ("X CEO Jane Roe told reporters", "X's chief economist said") speaks as
# the mention before it. (m_right holds 20 characters.)
_TITLE_RIGHT = (
    r"^(?:['’]s)?\s+(?:(?:chief|senior|lead)\s+)?(?:CEO|CFO|CTO|COO|[Cc]hief\s+[Ee]xecutive|founder|co-founder|president|"
    r"chair(?:man|woman|person)?|spokes(?:man|woman|person)|executive|economist|strategist|boss)(?-u:\b)"
)
# A speaker's "it" / "its" is the speaker ("X said it will cut 1,000 jobs", "X said its revenue rose"),
# not an earlier name; an estimating speaker's is not ("Canalys estimates its revenue at $5 billion").
# (a day or an adverb may stand between: "said on Thursday that its", "said separately that its",
# "said earlier this week that its", "said in a statement that its")
_SAID_IT = (
    r"(?i)(?-u:\b)(?:said|says|added|noted|announced|confirmed|stated)\s+"
    r"(?:(?:on\s+[A-Za-z]+|[a-z]+ly|separately|earlier|later|also|too|today|yesterday|this\s+week|"
    r"earlier\s+this\s+(?:week|month|year)|in\s+a\s+(?:statement|filing|release))\s+)?(?:that\s+)?"
    r"(?:it|its|they|their)(?-u:\b)"
)
# "The latter" / "the former" refer back to the last / first name of the sentence before.
_ORDER_REF = r"(?i)(?-u:\b)the\s+(?:latter|former)(?-u:\b)"
# "The market grew 5%, X said": a market or an industry as the clause's subject owns no entity's figure.
_MARKET_SUBJECT = r"(?i)(?-u:\b)the\s+(?:[a-z-]+\s+){0,2}(?:market|industry|sector)(?-u:\b)"
# A name inside a description ("the CRM giant", "the EV maker") describes the entity referred back to;
# it is not the owner.
_DESCRIPTOR_LEFT = r"(?i)(?-u:\b)the\s+(?:[A-Za-z-]+\s+)?$"
_DESCRIPTOR_RIGHT = (
    r"(?i)^\s+(?:[A-Za-z-]+\s+)?(?:company|firm|group|startup|start-up|giant|maker|manufacturer|automaker|"
    r"carmaker|chipmaker|business|retailer|vendor|provider|developer|designer|operator|conglomerate)(?-u:\b)"
)
# A possessor that names a relation ("X's rival Y", "X's parent company, Y,", "Y, X's largest customer,")
# describes the other entity, the one that owns the clause's figures; the possessor owns none of them.
# (m_right holds 20 characters: a relation noun cut short at the window's end still counts.)
_RELATION_NOUNS = (
    r"(?:arch-?)?rival|competitor|peer|partner|subsidiary|parent|supplier|customer|client|affiliate|"
    r"spin-?off|investor|backer|shareholder|acquirer"
)
_RELATION = rf"(?:{_RELATION_NOUNS})"
_RELATION_RIGHT = (
    rf"(?i)^['’]s?\s+(?:[a-z-]+\s+)?(?:{_RELATION_NOUNS}|unit|division)"
    r"(?:s?\s+(?:company\s+|firm\s+|group\s+)?(?-i:[A-Z])|(?:\s+(?:company|firm|group))?\s*,|[a-z]*$)"
)
# ... and the entity it describes is no rival of the clause's subject ("X's rival Y sold ..." is Y's).
_OWN_RIVAL_LEFT = rf"(?i)['’]s?\s+(?:[a-z-]+\s+)?{_RELATION}s?,?\s+$"
# A role noun in apposition before a name opening its sentence ("Rival Acme posted a profit", "Peer
# Globex ...", "Its telecom unit Acme Mobile added 8 million subscribers"): the name after it is the
# clause's grammatical subject, neither a rival compared with ("rival" is also a word of comparison,
# `_COMPARE`) nor a speaker referring back to the paragraph's company ("Rival Acme reported that its
# profit fell": "its" is Acme). (m_left holds 30 characters of the sentence; "..., and rival Acme" in
# mid-sentence is not read.) The first word before the role noun may be capitalised where it opens the
# sentence or names a place or a company ("Smaller rival Acme", "Chinese rival Acme", "Globex rival Acme":
# Acme is the subject either way).
# A clause that opens after ", and", ", while", ", but" or ";" inside the sentence opens the same way
# ("..., and rival Acme posted ...", "..., while its Finnish rival Acme delivered ...", "..., and rival
# glassmaker Acme's shares fell").
_APPOSITION_LEFT = (
    r"(?i)(?:^|(?:,\s+(?:and|while|but|whereas)|;)\s+)[\s\"“‘(]*(?:(?:its|their|his|her|the|a)\s+)?"
    rf"(?-i:(?:[A-Za-z][a-z-]*\s+)?(?:[a-z][a-z-]*\s+)?)(?:{_RELATION_NOUNS}|unit|division|arm)"
    # (the role noun may name the trade after it: "rival glassmaker Acme")
    r"(?-i:\s+[a-z][a-z-]*)?\s+$"
)
# A name followed by a participle after "and" / ", with" ("..., with Acme gaining 0.5% and Globex adding
# 0.7%") is the subject of that participle's clause: it owns the figures after it, none before it.
# ("following", "including" and the like are prepositions, not a clause's verb; "a deal with X spanning
# ten years", with no comma, is no such clause.)
_PARTICIPLE_JOIN = r"(?:(?-u:\b)(?i:and|while|whereas)|(?:^|,)\s*(?i:with))\s+(?:the\s+)?"
_PARTICIPLE_RIGHT = r"^\s+[a-z]{2,}ing(?-u:\b)"
_NOT_PARTICIPLE_RIGHT = (
    r"^\s+(?:following|including|excluding|according|regarding|concerning|during|pending|starting|beginning|"
    r"ending|bring|king|spring|string|thing|nothing|something|anything|everything)(?-u:\b)"
)
# (read at the mention, in the text left of it: a join ending right before it; a figure before the
# join then lies before the clause)
_PARTICIPLE_LEFT = r"(?:(?-u:\b)(?i:and|while|whereas)|,\s*(?i:with))\s+(?:the\s+)?$"
# ... and a name quarry does not know there, right before the figure ("with the S&P 500 gaining 0.5%"),
# is still that clause's subject: the figure has no owner, never a name of another clause.
_PARTICIPLE_SUBJECT = (
    _PARTICIPLE_JOIN + r"\p{Lu}[\p{L}\p{N}.&-]*(?:\s+(?:\p{Lu}[\p{L}\p{N}.&-]*|[0-9]+))*"
    r"\s+[a-z]{2,}ing\s+(?:(?:by|about|around|nearly|almost|roughly|some|over|more\s+than)\s+)?$"
)
# (the sentences that may hold one, found by their inner literal "ing" ~5x faster than by the whole
# pattern: a participle, up to two words, then a figure in digits or after a currency sign)
_PARTICIPLE_HINT = r"ing\s+(?:[a-z]+\s+){0,2}[A-Z]{0,3}[$€£¥0-9]"
# A figure right after a possessive is the possessor's ("Globex's 8%", "Acme's estimated $2 billion"),
# even after a word of comparison (the text between the mention and the figure).
_POSSESSIVE_GAP = (
    r"(?i)^['’]s?\s+(?:(?:estimated|expected|projected|reported|record|roughly|about|around|nearly|almost|"
    r"some|over|more\s+than|just|approximately)\s+){0,2}$"
)
# A deal's price belongs to its target (devset labels: "invest $X in T", "the $X acquisition of T", "a $X
# deal to buy T"): money of a deal, investment, funding or valuation goes to the mention these cues name.
_TARGET_LEFT = (
    r"(?i)(?-u:\b)(?:invest(?:s|ed|ing|ments?)?\s+(?:[^.;]{1,40}?\s+)?in|stake\s+in|acquisition\s+of|takeover\s+of|purchase\s+of|"
    r"acquir(?:e|es|ed|ing)|buy(?:s|ing)?|bought|snap(?:s|ped|ping)?\s+up|take\s+over|merger\s+with|"
    r"funding\s+for|valu(?:e|es|ed|ing))\s+(?:(?:the|a|an|its|their|her|his)\s+)?"
    # a description before the name: "AI startup, Scale AI", "data software maker Informatica"
    r"(?-i:(?:(?:[a-z][a-z-]*|\(?[A-Z]{2,}\)?)[,:]?\s+){0,5})$"
)
# The agent of a passive deal ("T was acquired by B for $X", "bought from S") is the buyer or seller,
# never the deal's target, though a deal verb precedes it.
_AGENT_LEFT = r"(?i)(?-u:\b)(?:by|from)\s+(?:the\s+)?$"
# What a figure counts or prices is named right after it by "for": "289,000 orders for the YU7",
# "deliveries for Xiaomi SU7" (the text between figure and mention).
_FOR_BETWEEN = r"(?i)^\s*(?:(?:[a-z-]+|in)\s+){0,3}for\s+(?:the\s+|its\s+|their\s+)?[\"“‘']?$"
# A factor's base of comparison, named after it ("80x the capacity of X", "three times the level for
# X", "1.3x more bandwidth than X"), is not its owner (devset labels: the owner is the one compared).
_FACTOR_BASE = (
    r"(?i)^\s*(?:(?:more|less|higher|lower|faster|greater|bigger|larger|smaller|cheaper)\s+)?(?:the\s+|that\s+)?"
    r"(?:[A-Za-z0-9/-]+\s+){0,5}(?:of|for|than|at)\s+(?:the\s+|its\s+|their\s+|[A-Z][\w-]*['’]s?\s+)?$"
)
# Things made and sold are the product named right after them by "of": "5,000 units of its Vela robot",
# "9 million units of the X phone", "40,000 units of Acme's Vela" (devset labels: units, vehicles).
_OF_BETWEEN = r"^\s*of\s+(?:the\s+|its\s+|their\s+|[A-Z][\w-]*['’]s?\s+)?[\"“‘']?$"
# ... and money that is part of a possessor's own is the possessor's: "$12 billion of Globex's net
# debt", "$2 billion of Acme's cash" (the text from the figure to the first letter after the possessive).
_OF_POSSESSOR = r"(?i)^\s+of\s+(?:the\s+)?\S[^,;:]*['’]s\s\p{L}$"
# A share price or stock move belongs to the company whose shares the sentence names: "X's share
# price", "X shares", "shares of X".
_STOCK_RIGHT = (
    r"(?i)^['’]s?\s+(?:shares?|stock|share\s+price|market\s+(?:cap|value))(?-u:\b)"
    r"|^\s+(?:shares|stock)(?-u:\b)"
)
_STOCK_LEFT = r"(?i)(?-u:\b)shares?\s+(?:of|in)\s+(?:the\s+)?(?:[a-z-]+\s+){0,3}$"
_STOCK_KINDS = ["share_price", "stock_change", "market_cap"]
# A sentence opening with a participle ("Establishing an AI team of 1,200 ...", "Launching its own
# model, ...") has no subject of its own: the names in it are objects.
_SUBJECTLESS = (
    r"^\W*(?:(?:After|Before|By|While|Since)\s+)?[A-Z][a-z]{2,}ing\s+"
    r"(?:an?|the|its|their|his|her|new|over|more|up)\s"
)
_DEAL_KINDS = ["acquisition", "investment", "funding", "valuation"]
# A class of companies rather than one ("the average SaaS company", "tech companies", "those three
# phone makers together"): with no name in the sentence, the figure belongs to no entity (an industry
# figure), not to the paragraph's last name.
_GENERIC_SUBJECT = (
    r"(?i)(?-u:\b)(?:(?:the\s+)?(?:average|typical|median)\s+(?:[a-z-]+\s+){0,2}(?:company|firm|startup|business|"
    r"vendor|maker|user|customer|household)|(?:companies|firms|startups|businesses|vendors|makers|producers|"
    r"manufacturers|carmakers|automakers|chipmakers|brands|players)(?:\s+together)?)(?-u:\b)"
)
# Clause punctuation; a comma between digits (1,000) is a digit group.
# (an appositive after a name, "Acme, the No. 2 operator behind Globex, posted a profit of ": the text
# from the name to its figure, no clause punctuation after the appositive's closing comma)
_APPOSITIVE_GAP = r"(?i)^,\s+(?:the|a|an|its|their)\s+[^,;:()]{1,80},\s+(?:[^,;:!?，；。！？]|[0-9],[0-9])*$"
_CLAUSE_BREAK = r"(?:^|[^0-9]),|,(?:[^0-9]|$)|[;，；、。！？]"
# A mention after a preposition is an object ("in OpenAI", "with Broadcom technology"), not the
# clause's grammatical subject: figures prefer a subject-position mention.
_PREP_LEFT = r"(?i)(?-u:\b)(?:in|to|with|for|by|of|at|on|into|than|over|against)\s+(?:the\s+)?$"

# A figure inside a relative clause belongs to the name the clause describes ("Globex, which has 2,500
# employees"; no clause punctuation between).
_RELATIVE_GAP = r"(?i)^,\s*(?:which|that)\s+(?:[a-z-]+\s+){0,4}$"
# A deal's target named in the sentence before ("Acme agreed to buy Globex. The deal is worth $4.9
# billion", "... It will pay $4.9 billion") owns the money of a sentence about the deal.
_DEAL_TARGET_LEFT = (
    r"(?i)(?-u:\b)(?:acquir(?:e|es|ed|ing)|buy(?:s|ing)?|bought|purchas(?:e|es|ed|ing)|(?:acquisition|takeover|"
    r"purchase|buyout)\s+of|merger\s+with|stake\s+in)\s+(?:(?:the|a|an)\s+)?(?:[a-z][a-z-]*\s+){0,3}$"
)
_DEAL_WORDS = (
    r"(?i)(?-u:\b)(?:deal|transaction|pays?|paid|paying|price|purchase|acquisition|takeover|merger|buyout|bid)"
    r"(?-u:\b)"
)
# A name inside a relative clause ("Acme, which Globex backs, said ...") is not the sentence's subject.
_RELATIVE_LEFT = r"(?i),\s*(?:which|whom|whose\s+[a-z-]+|that)\s+(?:[a-z-]+\s+){0,2}$"

# A news agency credited in a dateline or byline reports the article; it owns none of its figures:
# a name alone in parentheses before the dash that opens the story ("PLACE, date (Agency) - ...", "(Agency)
# —"), or closing its sentence ("... (Agency)"), and a name after a wire credit ("Reporting by X",
# "Editing by X"). The shape decides, not a list of agencies.
_PAREN_LEFT = r"\(\s*$"
_CREDIT_RIGHT = r"^\s*\)\s*(?:[-–—]|$)"
_CREDIT_LEFT = (
    r"(?i)(?-u:\b)(?:(?:additional\s+)?(?:reporting|writing|written|editing|edited|compiled|graphics)"
    r"\s+by)\s+$"
)
# An exchange in a ticker parenthetical ("Acme Inc. (NASDAQ: ACM)", "(NYSE:ACM; TSX:ACM)") lists where
# the company before it trades; it owns none of its figures. The shape decides (a colon, then an
# upper-case ticker closing the parenthesis or the listing), not a list of exchanges. (m_right: the
# text right after the mention.) So does an exchange, place or investor joined by a hyphen to a word that
# describes the name after it ("Nasdaq-listed Acme", "Oslo-based Acme", "Globex-backed Acme"): Acme
# owns the figures.
_TICKER_RIGHT = (
    r"^\s*:\s*[A-Z][A-Z0-9.]{0,7}\s*[);,]|^-(?:listed|based|backed|owned|headquartered|controlled)(?-u:\b)"
)
# A market price as the clause's subject, moving: a currency ("the pound fell 0.4% to $1.3125",
# "sterling rose"), a bond's yield or price ("yields on two-year notes fell 6 basis points", "the
# 10-year Treasury yield", "bond prices"), a commodity's price ("Brent crude rose 2%", "oil prices",
# "gold gained 1%"). A market's price is no company's figure, whoever the sentence before named.
# (A currency or commodity word alone is no subject: "a copper miner", "sales in dollars"; it needs
# its determiner or its price word and a verb of movement.)
_MARKET_MOVE = (
    r"(?:(?:was|were|has|had|have|is|are)\s+)?(?:fell|falls|fall|rose|rises|rise|climbed|climbs|dropped|drops|"
    r"gained|gains|lost|loses|slipped|slips|slid|slides|jumped|jumps|edged|edges|eased|eases|firmed|firms|"
    r"weakened|weakens|strengthened|strengthens|rallied|rallies|tumbled|tumbles|surged|surges|sank|sinks|"
    r"soared|soars|advanced|advances|declined|declines|traded|trades|trading|hit|hits|touched|touches|"
    r"settled|settles|plunged|plunges|retreated|retreats|rebounded|rebounds|steadied|hovered|hovers|ended|"
    r"ends|closed|closes|stood|stands|up|down|higher|lower)"
)
_MARKET_PRICES = (
    r"(?i)(?-u:\b)(?:(?:the\s+(?:[a-z.-]+\s+)?(?:dollar|pound|euro|yen|yuan|renminbi|franc|rupee|peso|rouble|"
    r"ruble|lira|rand|krona|krone|ringgit|rupiah|baht|dong|shekel|zloty|forint)|sterling|bitcoin)"
    r"(?:\s+index)?\s+" + _MARKET_MOVE + r"|"
    r"yields?\s+on\s+(?:the\s+)?(?:[a-z0-9.-]+\s+){0,3}(?:notes?|bonds?|gilts?|bunds?|treasur(?:y|ies)|debt|"
    r"paper|securities)|(?:[0-9]+-year|bund|note|jgb)\s+yields?|(?:bond|treasury|gilt|bund)\s+prices|"
    r"(?:brent|wti|(?:crude\s+)?oil|crude|gold|silver|copper|aluminium|aluminum|nickel|zinc|iron\s+ore|"
    r"natural\s+gas|wheat|corn|soybeans?|coffee|cocoa|sugar)(?:\s+(?:crude|oil|futures|prices?|spot\s+prices?)){0,2}"
    r"\s+" + _MARKET_MOVE + r"|"
    r"(?:brent|wti|crude|oil|gold|copper|commodity|energy)\s+(?:futures|prices))(?-u:\b)"
)
# "Revenue fell 12%, the company said": a reference back speaking after the figure, in its sentence,
# refers to the owner before the sentence as one before the figure does (`_COREF`, read after it).
_COREF_SAID_AFTER = (
    r"(?i)^[^;:!?；。！？]*,\s*(?:" + _COREF[len("(?i)") :] + r"\s+(?:said|says|reported|reports|added|"
    r"noted|stated|announced|confirmed|told)|(?:said|says|reported|added|noted|stated|announced)\s+"
    + _COREF[len("(?i)") :]
    + r")(?-u:\b)"
)
# Figures of the economy or of a whole market belong to no company ("inflation eased to 2.4%", "the
# global market for X is worth $80 billion", "the central bank held rates at 3%") unless a name's
# possessive claims them ("Acme's home market"); "market share" and "market value" are a company's.
_MACRO = (
    r"(?i)(?-u:\b)(?:inflation|deflation|unemployment|jobless\s+(?:rate|claims)|payrolls|gdp|"
    r"gross\s+domestic\s+product|(?:the\s+)?economy|economic\s+(?:growth|output|activity)|consumer\s+prices|"
    r"cpi|(?:benchmark|policy|key|base|interest|lending|deposit)\s+rates?|(?:bond|treasury|gilt)\s+yields?|"
    r"central\s+banks?|monetary\s+authorit(?:y|ies)|policymakers|"
    r"the\s+(?:[a-z-]+\s+){0,3}(?:market|industry|sector)s?\s+(?:for|in|size|as\s+a\s+whole|overall|worldwide|"
    r"globally|is|was|will|would|could|grew|rose|fell|expanded|reached|shrank|hit|totall?ed|stood))(?-u:\b)"
)
# A clause's own subject: a capitalised name directly before its verb ("while Globex fell 4%", "the Bank
# of England held rates at 3%", "its Vela unit lost 3,000 jobs"). Groups: the text before the name,
# its determiner (the, its, their; at a sentence's start the name needs one: "Revenue rose" is no
# name), the name, the verb.
# (the same in Chinese: a market's total or size, inflation, unemployment, GDP, consumer prices, the
# central bank)
_MACRO_ZH = (
    r"[^\s,，。；;、]{0,8}市场的?(?:总|整体|规模)|通胀|通货膨胀|失业率|国内生产总值|消费者?物价|央行|中央银行"
)
# (a name's possessive claims no market price: `_MACRO_OWNED` reads the economy's words alone, ~half
# the pattern to compile on every call)
_MACRO_ANY = f"{_MACRO}|{_MACRO_ZH}|{_MARKET_PRICES}"
_MACRO_OWNED = r"(?i)^['’]s?\s+(?:[a-z-]+\s+){0,2}" + _MACRO[len("(?i)") :]
_LEAD_WORD = (
    r"(?:Meanwhile|However|Separately|Elsewhere|Also|Earlier|Later|Still|Instead|Overall|Yesterday|Today|"
    r"(?:On|In|By|Last|This|Next)\s+\p{L}+)"
)
_CAP_NAME = r"\p{Lu}[\p{L}\p{N}.&-]*(?:\s+(?:of\s+(?:the\s+)?)?\p{Lu}[\p{L}\p{N}.&-]*)*"
_CLAUSE_SUBJECT = (
    rf"^([\s\"“‘(]*(?:{_LEAD_WORD},?\s+)?(?:([Tt]he|its|their)\s+)?)({_CAP_NAME})"
    r"(['’]s\s+(?:[a-z-]+\s+){1,3}|(?:['’]s?)?\s+(?:(?:shares?|stock|unit|division|arm|subsidiary)\s+)?)"
    r"([a-z]+)(?:[^a-z]|$)"
)
# Without a determiner, a capital opening a sentence is a name as the subject only when it is no function
# or time word and either claims what follows as a possessive ("Acmeco's sales fell 3%") or does what
# only an agent does ("Target cut 1,800 jobs", "Shell will buy back shares"; "Revenue rose" is no
# name). Group 4 of `_CLAUSE_SUBJECT` then starts with the possessive; `_AGENT_VERB` reads the words
# after the name.
_NOT_A_NAME = (
    r"^(?:It|Its|He|His|She|Her|They|Their|We|Our|I|You|Your|This|That|These|Those|There|Here|Who|Which|"
    r"What|All|Both|Each|Some|Many|Most|Several|Others?|Today|Yesterday|Tomorrow|"
    r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|January|February|March|April|May|June|July|August|"
    r"September|October|November|December)$"
)
_AGENT_VERB = (
    r"^\s+(?:will\s+|would\s+|plans\s+to\s+|agreed\s+to\s+)?(?:cut|cuts|slashed|slashes|bought|buys?|"
    r"sold|sells?|paid|pays?|spent|spends?|hired|hires?|acquired|acquires?|invested|invests?|employs?|"
    r"built|builds?|laid|lays?|shed|sheds|repurchased|repurchases?)(?:[^a-z]|$)"
)
_CLAUSE_VERB = (
    r"^(?:[a-z]{2,}ed|held|holds?|kept|keeps?|cuts?|sets?|fell|falls|rose|rises|grew|grows|sold|sells|made|"
    r"makes|took|takes|paid|pays|spent|spends|lost|loses|won|wins|bought|buys|built|builds|hits?|led|leads|"
    r"left|leaves|had|has|have|is|was|are|were|will|would|could|can|may|might|plans|aims|raises|lowers|"
    r"slashes|trims|jumps|drops|climbs|gains|posts|ships|delivers|employs|hires|sank|sinks|slid|slides|soars|"
    r"tumbles|shed|sheds|brought|got|gets|gave|gives|puts?|ran|runs|became|becomes|began|begins|beats?|owns|"
    r"generates|earns|targets|invests|acquires|spent)$"
)
# A speaker's verb makes no owner: "The Daily Ledger reported Acme's sales rose 5%".
_CLAUSE_REPORTING = (
    r"^(?:said|says|reported|reports|noted|notes|stated|estimated|estimates|expected|expects|added|adds|"
    r"announced|announces|forecast|forecasts|forecasted|predicted|predicts|projected|projects|cited|quoted|"
    r"warned|warns|claimed|claims|confirmed|told|tells|wrote|writes|believed|believes|argued|argues|saw|sees)$"
)

# Subject types per unit class: (preferred type tiers, fallback types, fallback scope).
_UNIT_CLASS = {
    **{c: "money" for c in CURRENCIES},
    **{f"{c}_per_share": "money" for c in CURRENCIES},
    "parameters": "model_size", "tokens": "model", "tokens_per_second": "model", "score": "model",
    "GPU_hours": "model_org", "GPU": "org", "employees": "org", "people": "org_only",
    "users": "product", "count": "product", "percent": "product", "multiplier": "product", "rank": "product",
    "vehicles": "product", "units": "product", "ratio": "product", "GB": "product", "Tbps": "product",
    "days": "product", "months": "product", "years": "product", "hours": "product",
    "customers": "org", "W": "org", "GWh": "org", "t": "org",
    "barrels": "org", "barrels_per_day": "org", "oz": "org", "m2": "org", "TEU": "org",
    **{f"{c}_per_million_tokens": "model" for c in CURRENCIES},
}  # fmt: skip
# (class, type) -> tier; lower is preferred. Types not listed cannot be the subject.
_TIERS = {
    "money": {"ORG": 0, "PRODUCT": 1, "MODEL": 1},
    "stock": {"ORG": 0},
    "org": {"ORG": 0, "MODEL": 1},
    "org_only": {"ORG": 0},
    "model": {"MODEL": 0, "PRODUCT": 1},
    # a model's size with no model named near it is its maker's ("Acme's current model, which has 150
    # billion parameters"): the organisation last, after any model or product in reach
    "model_size": {"MODEL": 0, "PRODUCT": 1, "ORG": 2},
    "model_org": {"MODEL": 0, "ORG": 1},
    "product": {"PRODUCT": 0, "MODEL": 0, "ORG": 1},
}
# A stock index named as one ("the STOXX 600 index", "the benchmark Nikkei 225"; the gazetteer types
# an index ORG, as the labels do): in its document it owns only its own moves, in percent, never a
# company's money or headcount ("Acme jumped 6%, lifting the index; it raised its cash forecast to
# $3 billion" is Acme's, or no one's when Acme is unknown). Read on a mention's m_right / m_left.
_INDEX_RIGHT = r"(?i)^\s+(?:index|indices|indexes)(?-u:\b)"
_INDEX_LEFT = r"(?i)(?-u:\b)(?:benchmark|index)\s+$"
# Kinds that measure an economy, never a company (README: such figures have no company owner): a
# central bank or statistics office that states them ("The Federal Reserve said inflation was 2.6%") is
# their source. No subject rule may give them an ORG; a place (GPE) is no subject type of a percentage.
_ECONOMY_KINDS = [
    k + change for k in ("inflation", "unemployment_rate", "gdp_growth") for change in ("", "_change")
]
# And the price of a traded commodity (`_commodity_kinds`): a market's, whichever producer the clause
# names ("Newmont's profit rose as gold averaged $2,400 an ounce": the $2,400 is no one's).
_MARKET_KINDS = ["commodity_price", "commodity_price_change"]
# Fallback (no suitable mention in the sentence): which types, looked up in earlier sentences.
_FALLBACK = {
    "money": "ORG", "stock": "ORG", "org": "ORG", "model": "MODEL", "model_org": "MODEL", "product": "ANY",
    "model_size": "MODEL",
}  # fmt: skip


def _first_of(cases: list[tuple[pl.Expr, str | pl.Expr]]) -> pl.Expr:
    """The value of the first (condition, value) case whose condition holds (a string value is a
    literal), null when none does: one when/then chain, in the order given (String)."""
    expr: pl.Expr | pl.Then | pl.ChainedThen = pl  # type: ignore[assignment]
    for cond, value in cases:
        expr = expr.when(cond).then(pl.lit(value) if isinstance(value, str) else value)  # type: ignore[union-attr]
    return expr.otherwise(pl.lit(None, dtype=pl.String))  # type: ignore[union-attr]


def _first_match_map(text: pl.Expr, pairs: list[tuple[str, str | None]], anchor: str) -> pl.Expr:
    """The value of the first (pattern, value) pair whose pattern matches `text` (anchored by `anchor`)."""
    return _first_of(
        [
            (
                text.str.contains(anchor.format(pat)),
                val if val is not None else text.str.extract(anchor.format(f"({pat})"), 1).str.to_uppercase(),
            )
            for pat, val in pairs
        ]
    )


def _alternatives(alternation: str) -> list[str]:
    """The top-level alternatives of a regex alternation ("a|b(?:c|d)|[|]" -> ["a", "b(?:c|d)", "[|]"])."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(alternation):
        ch = alternation[i]
        if ch == "\\":
            i += 1
        elif ch == "[":
            i = alternation.index("]", i + 2)  # (a "]" right after "[" is a literal one)
        elif ch in "()":
            depth += 1 if ch == "(" else -1
        elif ch == "|" and depth == 0:
            out.append(alternation[start:i])
            start = i + 1
        i += 1
    return [*out, alternation[start:]]


def _literal_head(alternative: str) -> str:
    """The literal text every match of `alternative` starts with ("dipp?(?:s|ed)" -> "di")."""
    head = ""
    for i, ch in enumerate(alternative):
        if ch in "\\[](){}|.*+?^$":
            break
        if alternative[i + 1 : i + 2] in ("?", "*", "{"):
            break
        head += ch
    return head


def _gather_stems(alternation: str) -> str:
    """`alternation` with its open stems (alternatives ending in the only `\\w*`: "climb\\w*", "drop\\w*")
    gathered first into one `(?:climb|drop)\\w*`. The regex engine compiles each Unicode `\\w` into a
    large automaton: one instead of one per stem makes the pattern ~5x cheaper to compile and its
    capture search ~2x cheaper (it clears state per automaton state on every search). The same texts
    match, and a capture is the same: leftmost-first alternation prefers the first alternative that
    matches, so moving a stem ahead changes nothing when no other alternative's literal start is a
    prefix of the stem's or the stem's of its (ValueError otherwise)."""
    parts = _alternatives(alternation)
    stems = [a for a in parts if a.endswith(r"\w*") and r"\w" not in a[:-3] and _literal_head(a)]
    if not stems:
        return alternation
    rest = [a for a in parts if a not in stems]
    for stem in stems:
        s = _literal_head(stem[:-3])
        for other in parts:
            o = _literal_head(other)
            if other != stem and (not o or o.startswith(s) or s.startswith(o)):
                raise ValueError(f"{other!r} may match where the stem {stem!r} does")
    return "|".join([f"(?:{'|'.join(a[:-3] for a in stems)})\\w*", *rest])


def _add_columns(
    frame: pl.DataFrame | pl.LazyFrame,
    other: pl.DataFrame | pl.LazyFrame,
    on: str,
    *,
    nulls_equal: bool = False,
) -> pl.DataFrame:
    """`frame` (eager) with the other columns of `other` (unique in `on`) beside it: a left join in
    `frame`'s row order, null where `other` lacks the key. Only the key column is joined and the result
    stacked beside `frame`: a join of the wide frame itself gathered every one of its columns (its
    texts) again."""
    if isinstance(frame, pl.LazyFrame):
        frame = frame.collect(engine=_ENGINE)
    if isinstance(other, pl.LazyFrame):
        other = other.collect(engine=_ENGINE)
    # (`other` row for row in `frame`'s order, as a frame's own rows come back from a narrow copy:
    # the join is the identity and is skipped. Null keys match nothing in the join: not skipped.)
    key = other.get_column(on)
    if (
        other.height == frame.height
        and key.null_count() == 0
        and key.dtype == frame.schema[on]
        and key.equals(frame.get_column(on))
    ):
        return frame.hstack(other.drop(on).get_columns())
    added = (
        frame.lazy()
        .select(on)
        .join(other.lazy(), on=on, how="left", maintain_order="left", nulls_equal=nulls_equal)
        .drop(on)
        .collect(engine=_ENGINE)
    )
    return frame.hstack(added.get_columns())


def _on_rows(frame: pl.DataFrame, rows: pl.Expr, **exprs: pl.Expr) -> pl.DataFrame:
    """`frame` with the columns `exprs` (name=expression) evaluated on the rows where `rows` holds
    alone, null in the others: a costly text rule runs only on the rows whose outcome it decides (a
    when/then chain evaluates every branch on every row)."""
    mask = frame.select(rows.fill_null(False)).to_series()
    if not mask.any():  # (common in a small batch: no plan to run)
        schema = frame.lazy().select(**exprs).collect_schema()
        return frame.with_columns(pl.lit(None, dtype=t).alias(n) for n, t in schema.items())
    # (only the columns the rules read are filtered)
    read = {c for e in exprs.values() for c in e.meta.root_names()}
    part = frame.select(c for c in frame.columns if c in read or not read).filter(mask)
    part = part.lazy().select(**exprs).collect(engine=_ENGINE)
    where = mask.arg_true()
    return frame.with_columns(
        pl.repeat(None, frame.height, dtype=s.dtype, eager=True).alias(s.name).scatter(where, s)
        for s in part.get_columns()
    )


def _number_value(s: pl.Expr) -> pl.Expr:
    """Digits ("1,234.5"), English number words ("twenty-five hundred") or Chinese numerals -> f64."""
    return pl.coalesce(*_number_parts(s))


def _number_parts(s: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(value of digits, value of words or Chinese numerals) of `_number_value`: each null where the
    other reads the number (a number opening with a digit has no word value, and words never parse as
    digits)."""
    low = s.str.to_lowercase().str.strip_chars().str.replace(r"^half-an?$", "half a")
    digits = (
        pl.when(low.str.contains(r"^[0-9]{1,3},[0-9]{1,2}$"))
        .then(low.str.replace(",", ".", literal=True))
        .when(low.str.contains(r"^[0-9]{1,3}(?:\.[0-9]{3}){2,}$"))
        .then(low.str.replace_all(".", "", literal=True))
        .otherwise(low.str.replace_all(",", "", literal=True).str.replace_all(" ", "", literal=True))
        .cast(pl.Float64, strict=False)
    )
    base = low.str.replace(r"\s+hundred$", "")
    hundred = pl.when(low.str.ends_with("hundred")).then(100.0).otherwise(1.0)
    first = base.str.extract(r"^([a-z]+(?:\s+an?)?)", 1)
    second = base.str.extract(rf"^(?:{'|'.join(_TENS)})[- ]([a-z]+)$", 1)
    words = (
        first.replace_strict(_WORD_VALUES, default=None, return_dtype=pl.Float64)
        + second.replace_strict(_WORD_VALUES, default=0.0, return_dtype=pl.Float64).fill_null(0.0)
    ) * hundred
    return digits, pl.coalesce(words, _zh_value(s))


def _continental_number(s: pl.Expr) -> pl.Expr:
    """A number written the continental European way (a dot groups thousands, a comma marks decimals:
    "1.234,5", "41.200", "1,234") -> f64; null for any other form."""
    return (
        pl.when(s.str.contains(r"^[0-9]{1,3}(?:\.[0-9]{3})*(?:,[0-9]+)?$"))
        .then(s.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True))
        .cast(pl.Float64, strict=False)
    )


_ZH_DIGITS = {"零": 0.0, "一": 1.0, "二": 2.0, "两": 2.0, "三": 3.0, "四": 4.0, "五": 5.0, "六": 6.0, "七": 7.0,  # noqa: E501
              "八": 8.0, "九": 9.0}  # fmt: skip


def _zh_value(s: pl.Expr) -> pl.Expr:
    """Chinese numeral section below 10,000 (六十四, 两千, 三百零五) -> f64; null when not one."""
    ok = s.str.contains(r"^[零一二两三四五六七八九十百千]+$")

    def place(marker: str) -> pl.Expr:
        d = s.str.extract(rf"([一二两三四五六七八九])?{marker}", 1)
        has = s.str.contains(marker)
        return pl.when(has).then(
            d.replace_strict(_ZH_DIGITS, default=1.0, return_dtype=pl.Float64).fill_null(1.0)
        )

    ones = s.str.extract(r"([一二两三四五六七八九])$", 1).replace_strict(
        _ZH_DIGITS, default=0.0, return_dtype=pl.Float64
    )
    total = (
        place("千").fill_null(0.0) * 1000
        + place("百").fill_null(0.0) * 100
        + place("十").fill_null(0.0) * 10
        + ones.fill_null(0.0)
    )
    return pl.when(ok).then(total)


def _scale_key(s: pl.Expr) -> pl.Expr:
    """A scale word as a `_SCALE_VALUES` key: lower case, without spaces, hyphens and periods."""
    return s.str.to_lowercase().str.replace_all(r"[\s.-]", "")


def _scale_value(s: pl.Expr) -> pl.Expr:
    key = _scale_key(s)
    return (
        pl.when(s.is_null())
        .then(1.0)
        .otherwise(key.replace_strict(_SCALE_VALUES, default=None, return_dtype=pl.Float64))
    )


# Unit words that carry their own scale: the word after the number -> factor to the unit of
# `_unit_from_rest` (W, GWh, GB, Tbps, days, percent).
_UNIT_FACTORS = {
    "kwh": 1e-6, "kilowatt-hour": 1e-6, "mwh": 1e-3, "megawatt-hour": 1e-3, "gwh": 1.0, "gigawatt-hour": 1.0,
    "twh": 1e3, "terawatt-hour": 1e3,
    "kw": 1e3, "kilowatt": 1e3, "mw": 1e6, "megawatt": 1e6, "gw": 1e9, "gigawatt": 1e9, "tw": 1e12,
    "terawatt": 1e12,
    "kb": 1e-6, "kilobyte": 1e-6, "mb": 1e-3, "megabyte": 1e-3, "gb": 1.0, "gigabyte": 1.0, "tb": 1e3,
    "terabyte": 1e3, "pb": 1e6, "petabyte": 1e6,
    "kbps": 1e-9, "mbps": 1e-6, "gbps": 1e-3, "tbps": 1.0,
    "square-feet": 0.09290304, "square-foot": 0.09290304, "sq-ft": 0.09290304, "sq.-ft": 0.09290304,
    "sq.ft": 0.09290304, "sqft": 0.09290304,
    "week": 7.0, "bps": 0.01, "bp": 0.01, "basis-point": 0.01,
    # (a currency's sub-unit is a hundredth of it: `_CUR_WORDS`)
    "cent": 0.01, "cents": 0.01, "¢": 0.01, "pence": 0.01, "p": 0.01, "paise": 0.01, "rappen": 0.01,
    "euro-cent": 0.01, "euro-cents": 0.01, "eurocent": 0.01, "eurocents": 0.01,
}  # fmt: skip


def _unit_factor(rest: pl.Expr) -> pl.Expr:
    """Factor from the unit word after the number to its vocabulary unit (1.0 when none)."""
    word = (
        rest.str.extract(
            r"(?i)^[\s-]*((?:kilo|mega|giga|tera|peta)?(?:watt[\s-]hour|watt|byte)s?|[kmgtp](?:wh|w|b|bps)|weeks?|bps?|"
            r"basis[\s-]points?|(?:euro[\s-]?)?cents?|¢|pence|p|paise|rappen|square[\s-]f(?:ee|oo)t|sq\.?\s?ft)$",
            1,
        )
        .str.to_lowercase()
        .str.replace(r"(watt|byte|week|hour|point)s$", "$1")
        .str.replace(r"\s+", "-")
    )
    return word.replace_strict(_UNIT_FACTORS, default=1.0, return_dtype=pl.Float64)


def _unit_from_rest(rest: pl.Expr) -> pl.Expr:
    """Unit named by the words after the number (null when none)."""
    r = rest.str.to_lowercase()
    rules: list[tuple[str, str]] = [
        # (a basis point is a hundredth of a percentage point: "25 basis points" -> 0.25 percent)
        # (and the percent and percentage points of other languages: "12 Prozent", "0,5 point de pourcentage")
        (
            r"^\s*(?:%|％|per\s?cent|percent|pct|个百分点|prozent|pour\s+cent|por\s+ciento|points?\s+de\s+pourcentage|"
            r"puntos?\s+porcentuales?|punt[oi]\s+percentual[ei])|^\s(?:points?|punkte?|puntos?|punti)$|"
            # (not "bpd", barrels per day: "1 million bpd")
            r"^[\s-]?(?:bps?|basis[\s-]points?)(?:[^a-z]|$)|^pc$",
            "percent",
        ),
        (r"^\s?tokens?\s*(?:per|a|/)", "tokens_per_second"),
        (r"gpu[\s-]hours", "GPU_hours"),
        (r"^[\s-]?(?:token|context)", "tokens"),
        (r"^[\s-]+(?:(?:open[\s-]source|total|active|activated)\s+)?param|^\s*(?:个)?参数", "parameters"),
        (r"^\s*(?:[×x]|倍|[\s-]fold|\s+times)", "multiplier"),
        (
            r"gpu|graphics|chips$|accelerators|h100|h200|h800|h20|a100|a800|b100|b200|gb200|gb300|v100|l40|mi3|ascend|"  # noqa: E501
            r"显卡|卡$",
            "GPU",
        ),
        (r"users|subscribers|members|seats$|maus?$|daus?$|waus?$|用户", "users"),
        (
            rf"^\s+(?:{_TEAM_MODS.lower()}\s+)?{_TEAM_WORDS.lower()}|^\s+{_JOB_MODIFIED}|员工|工程师|研究人员",
            "employees",
        ),
        (r"^\s+(?:people|persons|individuals|contractors)|^\s*名?人", "people"),
        (r"^\s+(?:\S+\s+)?" + _VEHICLE_NOUNS + r"|辆$", "vehicles"),
        (r"^\s+(?:\S+\s+)?" + _DEVICE_NOUNS, "units"),
        (r"^\s+(?:\S+\s+)?" + _GENERIC_NOUNS + r"|台$", "_generic"),
        (r"^\s+(?:\S+\s+)?" + _COUNT_NOUNS + r"|专利|家$", "count"),
        (r"^[\s-]?(?:[kmgt]wh|(?:kilo|mega|giga|tera)watt[\s-]hour)", "GWh"),
        (r"^[\s-]+(?:tonnes?|metric[\s-]+tons?)$", "t"),
        (r"^[\s-]?(?:[kmgt]w|(?:kilo|mega|giga|tera)watts?)$", "W"),
        (r"^[\s-]?(?:[kmgtp]b|(?:kilo|mega|giga|tera|peta)bytes?)$", "GB"),
        (r"^\s?[kmgt]bps$", "Tbps"),
        (r"^\s+(?:days|weeks)$|^\s*天$", "days"),
        # (`_MEASURE`: a barrel a day before a barrel; square feet in square metres, `_UNIT_FACTORS`)
        (r"^\s+(?:(?:barrels?|bbl)\s+(?:per|a)\s+day|bpd|boepd|boe/d|b/d)$", "barrels_per_day"),
        (r"^\s+(?:barrels?|bbl)", "barrels"),
        (r"^\s+(?:troy\s+)?(?:ounces|oz)$", "oz"),
        (r"^[\s-]+(?:square|sq)", "m2"),
        (r"^\s+(?:teus?|twenty-foot)", "TEU"),
        (rf"^\s+(?:\S+\s+)?(?:{_PASSENGER_NOUNS})$", "people"),
        (rf"^\s+(?:\S+\s+)?(?:{_INDUSTRY_NOUNS})$", "count"),
    ]
    return _first_of([(r.str.contains(pat), unit) for pat, unit in rules])


# Left-context cues for a bare number: "patents exceeds 32,000", "scored 85.2", "valued at 3 billion".
_LEFT_CUES = [
    (r"(?:users|subscribers)\s+(?:[A-Za-z0-9_]+\s+){0,2}", "users"),
    # (a count of jobs moved: "payrolls fell by 32,000", "nonfarm payrolls rose 150,000")
    (r"(?:employees|staff|headcount|workforce|payrolls)\s+(?:[A-Za-z0-9_]+\s+){0,2}", "employees"),
    (
        r"(?:patents|devices|downloads|units|vehicles|deliveries|shipments)\s+(?:[A-Za-z0-9_]+\s+){0,2}",
        "count",
    ),
    (r"(?:scor(?:e|ed|es|ing)|elo)\s+(?:of\s+|an?\s+)?", "score"),
    (r"param(?:eter)?s?\s+(?:scale|size|count)\s+", "parameters"),
]
_LEFT_VERBS = (
    r"(?:exceed(?:s|ed)?|surpass(?:es|ed)?|reach(?:es|ed)?|total(?:s|ed|led|ing)?|top(?:s|ped)?|hit|"
    r"stood\s+at|stands\s+at|of|is|was|are|were|(?:rose|grew|climbed|jumped|increased)\s+to|numbered|number|"
    r"(?:rose|grew|climbed|jumped|increased|fell|dropped|declined|decreased|shrank)(?:\s+by)?)"
)


def _unit_from_left(left: pl.Expr) -> pl.Expr:
    low = left.str.to_lowercase()
    qual = r"(?:(?:more\s+than|over|about|nearly|approximately|around|almost|some|at\s+least)\s+)?"
    full = [
        (pat + _LEFT_VERBS + r"\s+" + qual if unit != "score" else pat + qual) + r"$"
        for pat, unit in _LEFT_CUES
    ]
    return _first_of([(low.str.contains(f), unit) for f, (_, unit) in zip(full, _LEFT_CUES, strict=True)])


# Every left cue opens with one of these words: a left context without one matches none of them.
_LEFT_CUE_WORDS = (
    "users|subscribers|employees|staff|headcount|workforce|payrolls|patents|devices|downloads|units|vehicles|"
    "deliveries|shipments|scor|elo|param"
)


def _left_units(frame: pl.LazyFrame, rows: pl.Expr) -> pl.LazyFrame:
    """_left -> _lu, the `_unit_from_left` of the distinct left contexts of `rows` holding a cue word
    (the cue patterns are costly and most left contexts repeat or hold no cue); others are absent."""
    # (the distinct contexts are collected first: left lazy, the optimiser pushed the cue-word filter
    # below `unique`, lower-casing every row's context instead of each distinct one once)
    distinct = frame.filter(rows).select("_left").unique().collect(engine=_ENGINE)
    return (
        distinct.lazy()
        .filter(pl.col("_left").str.to_lowercase().str.contains(_LEFT_CUE_WORDS))
        .with_columns(_unit_from_left(pl.col("_left")).alias("_lu"))
    )


# The statement nouns of continental European business news (German, French, Spanish, Italian), next
# to the English ones of `_MONEY_CUES` and `_KIND_SENTENCE`: loss, profit (net profit, net result),
# revenue (turnover, sales). (Each word ends in an ASCII letter: the sentence flags bound them by an ASCII
# \b; "Erlös" is written in the plural its statements use.)
_LOSS_EU = r"verlust(?:e|en)?|pertes?|pérdidas?|perdit[ae]"
_PROFIT_EU = (
    r"(?:netto|rein|konzern)?gewinn(?:e|s)?|bénéfices?|résultat\s+net|beneficios?|gananci(?:a|as)|"
    r"utile(?:\s+netto)?|utili|"
    # (the "result" of a statement is its profit: "operatives Ergebnis", "résultat d'exploitation")
    r"(?:netto|konzern|betriebs)?ergebnis(?:se)?|résultat\s+(?:opérationnel|d['’]exploitation)|"
    r"resultado\s+(?:neto|operativo|de\s+explotación)|risultato\s+(?:netto|operativo)"
)
_REVENUE_EU = (
    r"(?:konzern)?umsatz|umsätze|erlöse|chiffre\s+d['’]affaires|ventes|ingresos|facturación|ventas|ricavi|"
    r"fatturato"
)
# A market share in German, French, Spanish and Italian ("Marktanteil", "part de marché", "cuota de mercado",
# "quota di mercato")
_MARKET_SHARE_EU = r"marktanteile?|parts?\s+de\s+marché|cuotas?\s+de\s+mercado|quot[ae]\s+di\s+mercato"
# Patterns the kind rules look for anywhere in the figure's sentence (lower-cased): tested once per
# sentence, not once per figure (`figure_kinds`); a tuple holds when any of its patterns matches.
_KIND_SENTENCE = {
    "_s_context": r"context|window",
    "_s_training": r"train|pre-?train|dataset|corpus",
    "_s_stock": _STOCK,
    "_s_market_share": rf"market\s+share|share\s+of\s+the\s+[A-Za-z0-9_]*\s*market|{_MARKET_SHARE_EU}",
    "_s_revenue": rf"(?-u:\b)(?:revenues?|sales|turnover|{_REVENUE_EU})(?-u:\b)|营收|收入",
    "_s_market_cap": r"market\s+(?:cap|value)",
    "_s_funding": r"融资|(?-u:\b)(?:raised?|raising|funding|financing|round|series\s+[a-f](?-u:\b)|seed|backed)",  # noqa: E501
    "_s_profit": rf"profit|net\s+income|earnings|利润|盈利|(?-u:\b)(?:{_PROFIT_EU})(?-u:\b)",
    "_s_loss": rf"(?-u:\b)(?:loss(?:es)?|{_LOSS_EU})(?-u:\b)|亏损",
    "_s_acquisition": r"acqui|takeover|buyout|to\s+buy",
    # (two scans: "r&d" opens with a letter too common to look for first, and in one pattern with the
    # others it kept the regex engine from looking for their words first: 2x slower)
    "_s_investment": (r"投资|invest|capex|capital\s+expenditure|spend", r"r\s?&\s?d"),
    "_s_valu": r"valu|估值",
    "_s_change": (
        # (ASCII \w, as every figure pattern's boundaries: the same matches, and a Unicode \w cost ~5 ms to
        # compile, again on every call, as polars keeps only 32 compiled patterns per thread)
        r"(?-u)(?-u:\b)(?:up|down|rose|rise[sn]?|fell|fall(?:s|en)?|grew|grow(?:s|n)?|increas\w*|decreas\w*|jump\w*|"  # noqa: E501
        r"drop\w*|declin\w*|gain\w*|surg\w*|plung\w*|climb\w*|slid|slump\w*|soar\w*|cut|lower\w*|boost\w*)(?-u:\b)"  # noqa: E501
        # (the nouns of a change in French and German news: "une hausse de 4 %", "ein Plus von 3 Prozent")
        r"|(?-u:\b)(?:hausse|baisse|(?:ein|einem)\s+(?:plus|minus)\s+von)(?-u:\b)"
    ),
    "_s_price": r"price|cost|priced|charge",
}


# The kind rules' units, and which of them read each sentence pattern (a flag is read only together
# with its unit: `figure_kinds` tests it only in the sentences holding such a figure).
_MONEY = pl.col("unit").is_in([*CURRENCIES])
_PERCENT = pl.col("unit") == "percent"
_TOKENS = pl.col("unit") == "tokens"
_PER_SHARE = pl.col("unit").str.ends_with("_per_share")
_KIND_SENTENCE_UNITS = [
    ("_t", ["_s_context", "_s_training"]),
    ("_p", ["_s_market_share", "_s_change"]),
    ("_m", ["_s_revenue", "_s_market_cap", "_s_funding", "_s_profit", "_s_loss", "_s_acquisition",
            "_s_investment", "_s_valu", "_s_price"]),
]  # fmt: skip


# What an amount of money is, named by the nearest noun of a financial statement (lower-cased): the
# last cue before the figure with only words between ("net loss of", "revenue rose to", "估值达"), or
# the first after it past modifiers ("a $2 billion net loss", "$5 billion in capital expenditures").
# A nearer cue outranks the sentence's words: "gross profit rose to $X" in a sentence about revenue.
# (with the nouns of continental European statements, a closed vocabulary: `_LOSS_EU`, ...)
_MONEY_CUES = [
    ("loss", rf"loss(?:es)?|亏损|{_LOSS_EU}"),
    ("profit", rf"profits?|net\s+income|operating\s+income|earnings|ebit(?:da)?|利润|盈利|{_PROFIT_EU}"),
    # (whole words: "sales" inside "Salesforce" is a name, not revenue)
    ("revenue", rf"revenues?|sales|turnover|营收|收入|{_REVENUE_EU}"),
    # an order book is not revenue yet
    ("backlog", r"backlogs?|order\s+book|remaining\s+performance\s+obligations?|未完成订单|在手订单"),
    # capital expenditure is spending on the company's own assets: `investment` (as `_s_investment`)
    ("investment", r"capex|capital\s+(?:expenditures?|spending)|资本开支|资本支出"),
    # ("a €10bn cost-cutting programme": the compound is written with a hyphen as often as a space)
    # (and the verb right before the amount: "plans to save about $1 billion a year")
    (
        "cost_savings",
        r"(?:cost[\s-]+)?savings|cost[\s-]+(?:saving|reductions?|cuts?|cutting|synerg(?:y|ies))|sav(?:e|es|ed|ing)|降本",
    ),
    # money a company pays its own shareholders is neither an acquisition nor revenue: a share buyback
    # ("a $10 billion share buyback", "¥50 billion to buy back shares") and a dividend
    (
        "buyback",
        r"(?:share\s+|stock\s+)?(?:buy-?backs?|re-?purchases?|repurchas(?:ed|ing))|(?:to\s+)?(?:buy|buys|buying|bought)[\s-]+back|回购",  # noqa: E501
    ),
    ("dividend", r"dividends?|股息|分红"),
    # (the verb of a valuation right before the amount: "a round that values it at $3bn", "valuing the
    # company at $2bn"; nearer than the round's noun, which would make it funding)
    ("valuation", r"估值|valu(?:e|es|ed|ing)\s+(?:[a-z0-9_-]+\s+){0,2}at"),
    # cash generated after capital expenditure: no funding raised, no profit
    ("free_cash_flow", r"free\s+cash\s+flows?|fcf"),
    # the money a platform or a market moves for its customers is no revenue of its own: "processed
    # £48bn of payments", "a gross merchandise volume of $10bn", "trading volume of $90bn" (kind volume)
    (
        "volume",
        r"(?:gross\s+merchandise|total\s+payments?|payments?|transactions?|trading|checkout|processing)\s+(?:volumes?|value)|"  # noqa: E501
        r"gmv|tpv|process(?:ed|es|ing)",
    ),
    # money raised from investors: "$5 million in funding", "a funding round of $5 million" (the verb
    # counts only right before the amount: `_kind_words`; "guidance was raised to $X" is no funding)
    ("funding", r"funding|financing|(?:funding\s+|seed\s+)?rounds?|融资"),
]  # fmt: skip
_CUE_ANY = "|".join(f"(?:{pat})" for _, pat in _MONEY_CUES)
# One-off costs booked against earnings, named by the nearest noun as `_MONEY_CUES` are (money only: a
# percent's nouns are `_CUE_ANY`'s): a charge, an impairment, a write-down or write-off, a provision
# ("restructuring charges of $95 million", "an impairment of EUR 1.2 billion", "$300m of write-downs"),
# and the words of German, French, Spanish and Italian statements for them (Wertminderung, Rückstellungen,
# dépréciation, deterioro, saneamiento, svalutazione, accantonamento, oneri straordinari). Kind `charge`.
# A bare English "charge" is also a price ("charges $5 a month", "a $5 charge"): "_charge", decided by
# `_charge_or_price`.
_CHARGE_CUES = [
    (
        "charge",
        r"(?:restructuring|impairment|one-?(?:off|time)|non-?cash|pre-?tax|special|exceptional|severance|"
        r"accounting|litigation|legal)\s+charges?|impairments?|write-?downs?|write-?offs?|provisions?|"
        r"wertminderung(?:en)?|wertberichtigung(?:en)?|abschreibung(?:en)?|rückstellung(?:en)?|sonderbelastung(?:en)?|"
        r"dépréciations?|charges?\s+(?:exceptionnelles?|de\s+restructuration)|deterioros?|saneamientos?|provisiones|"
        r"cargos?\s+(?:extraordinarios?|por\s+deterioro)|svalutazion[ei]|accantonament[oi]|"
        r"oneri\s+(?:straordinari|di\s+ristrutturazione)",
    ),
    ("_charge", r"charges?"),
]
_MONEY_CUE_ANY = "|".join(f"(?:{pat})" for _, pat in [*_MONEY_CUES, *_CHARGE_CUES])
# The nouns of a financial statement's lines: loss, profit, revenue.
_STATEMENT_ANY = "|".join(f"(?:{pat})" for _, pat in _MONEY_CUES[:3])
_CUE_HINT = f"(?i){_MONEY_CUE_ANY}"
# "loss of", "revenue for the quarter was", "loss widened to": up to four words between; a digit, a
# comma or a full stop between them ends the clause the cue names — except the noun's own change in
# percent ("revenue rose 10% to $5 billion"). A sign glued to the figure is not a word between
# ("operating income was -$45 million").
# (a word is of Latin letters, accented ones too: "a progressé de 4% à", "cayó un")
_PCT_BETWEEN = r"[0-9]+(?:\.[0-9]+)?\s?(?:%|per\s?cent|percent)\s+(?:[a-zß-ÿ-]+\s+){0,2}"
# (a cue may be an abbreviation in brackets after its words: "gross merchandise volume (GMV) of $50bn")
_CUE_LEFT = (
    rf"^.*(?:^|[^a-z])({_MONEY_CUE_ANY})\)?(?:\s+(?:[a-zß-ÿ-]+\s+){{0,4}}(?:{_PCT_BETWEEN})?|[为达了约至到超过是]{{0,3}})"
    r"[-−–]?$"
)
_CUE_MODIFIERS = (
    r"(?:net|gross|operating|annual|quarterly|adjusted|pre-?tax|total|full-year|fiscal|[a-z]+-(?:quarter|year|half)"
    r"|cumulative|combined|的|净)"
)
# ("$5 billion in capital expenditures", "£150m of cost savings")
_CUE_RIGHT = rf"^\s*(?:\)\s*)?(?:(?:in|of)\s+)?(?:{_CUE_MODIFIERS}\s*){{0,2}}({_MONEY_CUE_ANY})(?:[^a-z]|$)"
# Earnings per share, not a share price: the nearest cue before the figure in its clause is an
# earnings word ("EPS was €1.73 versus €3.20", "earnings of $0.29 a share", "earned $4.37 per share",
# "a profit of $1.10 a share"), or EPS follows it; a dividend word names a dividend per share ("a
# dividend of $0.30 a share").
_EPS_LEFT = (
    r"^.*(?:^|[^a-z])(eps|earnings|earn(?:s|ed)?|profits?|net\s+income|每股收益|dividends?|payouts?|股息|分红|"
    # (the earnings and dividend words of continental European statements: "Gewinn je Aktie", "dividende")
    r"gewinn|ergebnis|bénéfice|beneficio|utile|dividenden?|dividendos?|dividendi|"
    r"shares?|stocks?|prices?|priced|traded|trading|股价)"
    r"(?:[^.;:]|\.[0-9])*$"
)
_EPS_WORDS = ["eps", "earnings", "earn", "earns", "earned", "profit", "profits", "每股收益", "gewinn",
              "ergebnis", "bénéfice", "beneficio", "utile"]  # fmt: skip
_DIVIDEND_WORDS = ["dividend", "dividends", "payout", "payouts", "股息", "分红", "dividende", "dividenden",
                   "dividendo", "dividendos", "dividendi"]  # fmt: skip
_EPS_RIGHT = (
    r"^\s*(?:(?:per|a)\s+share\s+)?(?:in\s+)?(?:adjusted\s+|diluted\s+|gaap\s+)?(?:earnings|eps)(?-u:\b)"
)
_DIVIDEND_RIGHT = (
    r"^\s*(?:(?:per|a)\s+share\s+)?(?:in\s+)?(?:(?:quarterly|annual|final|interim|special)\s+)?dividends?"
)


# What a percent measures, named by the nearest noun before it in its clause (only words between):
# "shares fell 7.5%" is a stock move; "revenue rose 10%" a change of revenue (`<kind>_change`, named as
# `stock_change`); "margin shrank by 2.5 points" neither, whatever a later clause says ("... and shares
# fell"). A statement noun names the figure's change only through a verb of change between them.
_STOCK_CUE = (
    r"shares|stocks?|share\s+price|market\s+(?:cap|value)|"
    # (French and German, with their article: "l'action a gagné 2 %", "die Aktie verlor 3 Prozent"; a bare
    # "Aktie" is also the "je Aktie" of an amount per share, "action" an English word)
    r"l['’]action|les\s+actions|(?:die|der|den)\s+aktien?(?:kurs)?"
)
# The nouns that make "<noun> rate" an interest rate: a central bank's rates (policy, deposit, lending,
# refinancing, repo, discount, overnight, key, base, bank, cash, federal funds), the rates banks charge or
# pay (loan, loan prime, prime, mortgage, borrowing, interbank) and their generic names.
_RATE_NOUNS = (
    r"interest|policy|deposit|lending|loan(?:\s+prime)?|borrowing|refinancing|repo|discount|overnight|benchmark|"
    r"base|bank|cash|prime|key|interbank|mortgage|(?:federal|fed)\s+funds"
)
# Rates a percent is the level of, named by the noun before it (lower-cased): a central bank's policy
# rate ("raised its deposit rate to 4%", "held rates at 4.75-5.00%", bare "rates" only after a verb of
# rate setting: "tax rates" is none), inflation ("consumer prices rose 3.2%" is a rate of inflation),
# unemployment, GDP growth ("the economy grew 0.6%"), a margin; a rate cut or hike is a change of the
# policy rate. The nouns are those of central banks' and statistics offices' releases.
_RATE_CUES = [
    (
        "interest_rate_change",
        r"(?:interest\s+|policy\s+)?rate\s+(?:cuts?|hikes?|increases?|reductions?|rises?)",
    ),
    (
        "interest_rate",
        # (a central bank's "target range"; a bond's yield is the interest rate its price pays: "ten-year
        # yields", "Treasury yields", "the yield on the 10-year note")
        rf"(?:{_RATE_NOUNS})\s+rates?(?:\s+(?:range|target))?|target\s+range|"
        r"(?:bond|treasury|gilt|bund|[a-z0-9]+-year)\s+yields?|yields?\s+on\s+(?:the\s+)?(?:[a-z0-9-]+\s+){0,2}"
        r"(?:notes?|bonds?|treasur(?:y|ies)|gilts?|bunds?)|(?:rais|hik|cut|lower|held|hold|"
        r"kept|keep|left|leav|trim|reduc|slash)[a-z]*\s+(?:its\s+|their\s+|the\s+)?(?:key\s+)?rates|利率",
    ),
    (
        "inflation",
        r"(?:core\s+|headline\s+)?inflation(?:\s+rate)?|(?:consumer|producer)\s+prices?(?:\s+index|\s+inflation)?|cpi|ppi|"
        r"hicp|通胀|通货膨胀|消费者物价",
    ),
    ("unemployment_rate", r"(?:unemployment|jobless)(?:\s+rate)?|失业率"),
    (
        "gdp_growth",
        r"gdp(?:\s+growth)?|gross\s+domestic\s+product|(?:the|its|[a-z]+['’]s)\s+economy|economic\s+(?:growth|output)|"
        r"经济增长|国内生产总值",
    ),
]  # fmt: skip
# What may follow a bare rate noun (`_percent_cue`): a verb of being, reaching or pace, or a preposition.
_RATE_VERBS = (
    r"is|was|were|are|has|had|have|will|would|could|may|might|also|still|stood|stands|hit|hits|reached|reaches|"
    r"remained|remains|held|holds|came|comes|eas\w*|edg\w*|accelerat\w*|slow\w*|cool\w*|pick\w*|quicken\w*|"
    r"ran|runs|running|of|at|to|in|on|for|by|over|year-on-year|annually"
)
# The same rates as German, French, Spanish and Italian central banks and statistics offices name them
# ("der Leitzins liegt bei 4 Prozent", "le taux de chômage s'est établi à 7,3 %", "la tasa de paro se situó
# en el 12 %", "l'inflazione si è attestata all'1,8 %"): one branch more of each kind's pattern.
_RATE_CUES_EU = {
    "interest_rate": (
        r"leitzins(?:satz|en)?|einlagenzins(?:satz)?|zinssatz|taux\s+(?:directeurs?|d['’]intérêt)|"
        r"tipos?\s+de\s+(?:interés|referencia)|tasas?\s+de\s+interés|tass[oi]\s+(?:di\s+interesse|di\s+riferimento)"
    ),
    "inflation": (
        r"inflationsrate|teuerung(?:srate)?|inflación|inflazione|"
        r"(?:tasa\s+de|tasso\s+di|tasso\s+d['’]|taux\s+d['’])\s*(?:inflación|inflazione|inflation)"
    ),
    "unemployment_rate": (
        r"arbeitslosen(?:quote|rate)|(?:taux\s+de\s+)?chômage|(?:tasa\s+de\s+)?(?:paro|desempleo)|"
        r"(?:tasso\s+di\s+)?disoccupazione"
    ),
    "gdp_growth": r"bruttoinlandsprodukts?|bip|pib|pil",
}
_RATE_CUES = [
    (kind, f"{pat}|{_RATE_CUES_EU[kind]}" if kind in _RATE_CUES_EU else pat) for kind, pat in _RATE_CUES
]
# A rate noun of `_RATE_CUES_EU` that names the rate itself, as "rate" does in English (`_percent_cue`)
_RATE_NAMED_EU = r"zins(?:satz|en)?$|rate$|quote$|^(?:taux|tasa|tasso|tipo)s?\s"
# The verbs of a level and the prepositions after a bare rate noun in the same languages ("lag bei",
# "s'est établie à", "se situó en", "si è attestata al")
_RATE_VERBS_EU = (
    r"lag|liegt|lagen|liegen|betrug|beträgt|erreichte|verharrte|blieb|bleibt|im|bei|von|"
    # (no character class of the curly apostrophe: `_RATE_NEXT` is ASCII mode)
    r"s(?:'|’)est|s(?:'|’)établit|est|était|reste|ressort\w*|atteint|a|au|à|de|"
    r"se|fue|era|es|sigue|alcanzó|en|el|del|"
    r"si|è|resta|rimane|ha|al|all(?:'|’)|nel"
)
_RATE_ANY = "|".join(f"(?:{pat})" for _, pat in _RATE_CUES)
# A margin, also as the translation of 毛利率 / 利润率 ("gross profit rate").
_MARGIN_CUE = (
    r"margins?|(?:gross\s+|operating\s+|net\s+)?profit\s+rates?|"
    # (German, French, Spanish, Italian: "Bruttomarge", "EBIT-Marge", "marge opérationnelle", "margen")
    r"[a-zß-ÿ]*marge|marges|márgenes|margen|margine|margini"
)
# An amount in `_PCT_CUE_LEFT` (lower-cased text): "$14.6 billion", "34.4 billion yuan", "€2bn"
_PCT_AMOUNT = r"(?:[$€£¥]|us\$)?[0-9][0-9.,]*(?:\s?(?:billion|million|trillion|bn|mn|m|b))?(?:\s+[a-z]+)?"
# (one figure may stand between the noun and a level reached or left: "inflation fell 0.4 points to 2.6%";
# "revenue rose 10% while costs fell 3%" gives the 3% no noun)
_PCT_CUE_LEFT = (
    rf"^.*(?:^|[^a-z])({_STOCK_CUE}|{_MARGIN_CUE}|{_CUE_ANY}|{_RATE_ANY}|market\s+share|{_MARKET_SHARE_EU})"
    r"((?:\s+[a-zß-ÿ][a-zß-ÿ0-9'’-]*){0,6}(?:\s+[0-9]+(?:\.[0-9]+)?\s?(?:%|per\s?cent|percent(?:age\s+points?)?|"
    r"basis\s+points?|pc|bps|points?)(?:\s+[a-zß-ÿ][a-zß-ÿ0-9'’-]*){0,2}\s+(?:to|from|at|and|or)(?:\s+[a-z]+)?"
    # (or the noun's amount, then its change: "revenue of $14.6 billion, up 4%", "sales were €2bn, down 3%";
    # the amount per share or in another currency between them: "net income of $3.4 billion, or $2.10 per
    # share, up 6%", "34.4 billion yuan ($4.7 billion), up 6%")
    rf"|\s+{_PCT_AMOUNT}(?:,\s+or\s+{_PCT_AMOUNT}(?:\s+(?:per|a)\s+share)?|\s*\({_PCT_AMOUNT}\))?,?\s+"
    r"(?:up|down|rising|falling|growing|increasing|decreasing|declining))?)\s*$"
)
_PCT_CUE_HINT = (
    rf"(?i){_STOCK_CUE}|{_CUE_ANY}|margin|marge|margen|margine|zins|taux|tasa|tasso|tipos?\s|inflaci|inflaz|"
    rf"teuerung|arbeitslos|chômage|(?-u:\b)(?:paro|bip|pib|pil)(?-u:\b)|desempleo|disoccupazione|{_MARKET_SHARE_EU}|"
    r"market\s+share|rates?(?-u:\b)|target\s+range|yields?|inflation|prices?|"
    r"cpi|ppi|hicp|jobless|"
    r"unemploy|gdp|domestic|econom|利率|通胀|通货膨胀|消费者物价|失业率|经济增长|国内生产总值"
)
# The same rates named right after the percent, past modifiers ("a 4.1% jobless rate", "3.2% core
# inflation", "a 25 basis-point rate cut", "a 0.5% cut in interest rates"); "3% of GDP" is a share of
# it, no growth ("of" is no modifier).
_RATE_RIGHT = (
    r"^[\s-]+(?:(?:annual|annuali[sz]ed|year-on-year|yearly|monthly|quarterly|core|headline|average|key|"
    r"benchmark)\s+){0,2}("
    r"(?:interest\s+|policy\s+)?rate\s+(?:cuts?|hikes?|increases?|reductions?|rises?)"
    r"|(?:cuts?|hikes?|reductions?|increases?|rises?)\s+(?:in|to|of)\s+(?:(?:its|the|their)\s+)?(?:key\s+|interest\s+|"
    r"policy\s+|benchmark\s+)?rates?"
    rf"|(?:{_RATE_NOUNS})\s+rates?"
    r"|inflation(?:\s+rate)?|(?:consumer|producer)\s+price\s+(?:inflation|index)|(?:unemployment|jobless)\s+rate"
    r"|gdp(?:\s+growth)?|economic\s+growth)(?:[^a-z]|$)"
)
_RATE_RIGHT_HINT = r"(?i)rates?(?-u:\b)|inflation|price|jobless|unemploy|gdp|economic"
# Words of a rise and of a fall read alike by the kind rules (a statement noun changed: `_CHANGE_WORDS`)
# and the direction rules (`_UP_WORDS`, `_DOWN_WORDS`): the English ones both write the same way, and a
# closed vocabulary of the verbs and nouns of change of continental European business news (German,
# French, Spanish, Italian: "Umsatz stieg um 5%", "le bénéfice a baissé de 2%", "los ingresos subieron un
# 6%", "l'utile è calato del 2%"). (Stems open with `\w*` only where no English word shares them; an
# alternative opening with "di" is written out: `_gather_stems` keeps "dipp?" apart.)
_CHANGE_UP_WORDS = (
    r"up|rose|grew|climb\w*|jump\w*|gain\w*|increas\w*|soar\w*|boost\w*|widen\w*|"
    r"stieg\w*|steig\w*|gestiegen|anstieg\w*|wuchs|gewachsen|wächst|kletter\w*|zugelegt|erhöh\w*|"
    r"hausse\w*|augment(?:é|e|ent|ation)|progress(?:é|e|ent)|grimp\w*|"
    r"subi\w*|aument\w*|crec\w*|alza\w*|repunt\w*|"
    r"cresciut[oaie]|crescita|cresce|crescono|crebbe(?:ro)?|salit[oaie]|salgono|rialz\w*"
)
_CHANGE_DOWN_WORDS = (
    r"down|fell|sank|drop\w*|declin\w*|decreas\w*|plung\w*|slump\w*|tumbl\w*|shr[aiu]nk\w*|narrow\w*|"
    r"slip(?:s|ped|ping)?|"
    r"gesunken|sinkt|fiel|gefallen|fällt|rückgang\w*|schrumpf\w*|"
    r"baiss\w*|recul\w*|chut(?:e|é|ent|es)|diminu(?:é|ée|és|ées|e|ent|tion)|"
    r"cay(?:ó|eron|endo)|caíd[ao]s?|baj(?:ó|aron|ada)|descen\w*|disminu(?:yó|yeron|ción|ido)|"
    r"calò|calat[oaie]|calo|sces[oaie]|scend\w*|ribass\w*|flession\w*|diminuit[oaie]"
)
# (the trailing boundary is a character that is no ASCII word character: "cayó" ends in a letter
# that is none either, where an ASCII \b finds no boundary before a space)
_CHANGE_WORDS = (
    # ("growth": "sales growth of 4%", the noun of the verb "grew")
    rf"(?-u)(?-u:\b)(?:{_CHANGE_UP_WORDS}|{_CHANGE_DOWN_WORDS}|rise[sn]?|fall(?:s|en)?|grow(?:s|n|th)?|surg\w*|slid|"
    r"lower\w*|dipp?\w*|expand\w*|contract\w*)(?:(?u:[^A-Za-z0-9_])|$)"
)
_RATE_NEXT = (
    rf"(?-u)^(?:\s+(?:{_RATE_VERBS}|{_RATE_VERBS_EU})(?:\s|$)|$)|^\s+{_CHANGE_WORDS.removeprefix('(?-u)')}"
)


def _percent_cue(cue: pl.Expr, between: pl.Expr, points: pl.Expr) -> pl.Expr:
    """The kind a percent's nearest noun before it names, from that noun and the words between them
    (`_PCT_CUE_LEFT`'s groups): stock_change, `<kind>_change` of a statement noun with a verb of change
    between, a rate of `_RATE_CUES` (its `_change` when changed "by" it), margin_change for a margin with
    such a verb (`points`: the figure is in points; change when it is a percent, relative or not), margin
    for a margin reached or held, "" for a noun that names none of them (a market share, a
    statement noun without a change); null when no noun is near."""
    statement = _first_match_map(cue, [(pat, kind) for kind, pat in _MONEY_CUES], "^(?:{})$")
    # (a conjunction between hands the figure to another noun: "GDP and tax rates rose to 21%"; a bare
    # "unemployment", "inflation" or "GDP" names the rate only when a verb or preposition follows it:
    # "jobless claims rose 5%", "GDP per capita grew 3%" are other figures)
    rate = pl.when(
        ~between.str.contains(r"(?:^|\s)(?:and|or|but|while|whereas)\s+[a-z]")
        & (
            cue.str.contains(r"rates?$|利率|失业率")
            | cue.str.contains(_RATE_NAMED_EU)
            | between.str.contains(_RATE_NEXT)
        )
    ).then(_first_match_map(cue, [(pat, kind) for kind, pat in _RATE_CUES], "^(?:{})$"))
    return (
        pl.when(cue.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(cue.str.contains(f"^(?:{_STOCK_CUE})$"))
        .then(pl.lit("stock_change"))
        # ("earnings per share rose 32%": a change of earnings per share)
        .when(
            (statement == "profit")
            & between.str.contains(rf"^\s+(?:{_PER_SHARE_WORDS})\s")
            & between.str.contains(_CHANGE_WORDS)
        )
        .then(pl.lit("eps_change"))
        .when(statement.is_not_null() & between.str.contains(_CHANGE_WORDS))
        .then(statement + "_change")
        .when(rate.str.ends_with("_change"))
        .then(rate)
        # (a rate changed "by" a percent is changed by that many points: "cut rates by 0.25%"; prices or
        # an economy that rose by 3% is a rate of 3%)
        .when(
            rate.is_not_null()
            & cue.str.contains(r"rate|inflation|利率")
            & between.str.contains(r"(?:^|\s)by$")
        )
        .then(rate + "_change")
        # (a rate is the level it is at or moved to: "inflation of 10.1%", "rose to 4%", "held rates at")
        .when(rate.is_not_null())
        .then(rate)
        # (a margin's change: "margin narrowed by 1.5 points", whatever else the sentence says; the
        # margin reached or left is a level: "margin rose to 33%", "fell from 40%")
        .when(
            cue.str.contains(f"^(?:{_MARGIN_CUE})$")
            & between.str.contains(_CHANGE_WORDS)
            & ~between.str.contains(r"(?:^|\s)(?:to|from|at)$")
        )
        .then(pl.when(points).then(pl.lit("margin_change")).otherwise(pl.lit("change")))
        .when(cue.str.contains(f"^(?:{_MARGIN_CUE})$"))
        .then(pl.lit("margin"))
        .otherwise(pl.lit(""))
    )


# A percent's change noun and the statement noun it changes, right after it: "a 14% rise in net profit",
# "a 5 per cent drop in quarterly revenue", "a 10% increase in its dividend" (the noun's `<kind>_change`).
_CHANGE_IN_RIGHT = (
    r"^\s+(?:(?:year-on-year|annual|quarterly|sharp|steep|modest|slight)\s+)?(?:rise|increase|jump|gain|surge|"
    r"growth|climb|boost|fall|drop|decline|decrease|slump|plunge|dip|slide|reduction)s?\s+in\s+"
    rf"(?:(?:its|the|their)\s+)?(?:{_CUE_MODIFIERS}\s+){{0,2}}({_CUE_ANY})(?:[^a-z]|$)"
)
_CHANGE_IN_HINT = r"(?-u)^\s+(?:[A-Za-z-]+\s+){1,2}in\s"


def _change_in_kind(right: pl.Expr) -> pl.Expr:
    """The `<kind>_change` a percent's change noun names after it (`_CHANGE_IN_RIGHT`), null when none."""
    noun = right.str.head(60).str.to_lowercase().str.extract(_CHANGE_IN_RIGHT, 1)
    return _first_match_map(noun, [(pat, f"{kind}_change") for kind, pat in _MONEY_CUES], "^(?:{})$")


# The words before the price of a currency in another: "the dollar traded at 153.8 yen", "the euro rose to
# $1.08", "the Swiss franc fell to 0.88 euros" (an exchange rate, no share price).
_FX_LEFT = (
    r"(?:^|[^a-z])the\s+(?:(?:us|u\.s\.|american|japanese|swiss|british|canadian|australian|chinese|indian|new\s+zealand|"
    r"single|common)\s+)?(?:dollar|euro|yen|yuan|renminbi|sterling|pound|franc|rupee|won|greenback|loonie|ruble|"
    r"rouble|peso|lira|krona|krone|zloty|rand)s?\s+(?:[a-z]+\s+){0,3}(?:at|to|from|near|around|above|below)\s+"
    r"(?:about\s+|around\s+|nearly\s+|almost\s+)?$"
)


def _per_share_kind(left: pl.Expr, right: pl.Expr) -> pl.Expr:
    """What an amount per share is: eps, dividend or share_price (`_EPS_LEFT`, `_EPS_RIGHT`,
    `_DIVIDEND_RIGHT`); a word after the amount outranks the nearest one before it."""
    # ("earnings per share of": "per share" belongs to the noun before it, no share cue of its own)
    before = (
        left.str.tail(80)
        .str.to_lowercase()
        .str.replace_all(_PER_SHARE_WORDS, " ")
        .str.replace_all(r"net\s+income", "net income")
        .str.extract(_EPS_LEFT, 1)
    )
    after = right.str.head(60).str.to_lowercase()
    return (
        pl.when(after.str.contains(_EPS_RIGHT))
        .then(pl.lit("eps"))
        .when(after.str.contains(_DIVIDEND_RIGHT))
        .then(pl.lit("dividend"))
        .when(before.is_in([*_EPS_WORDS, "net income"]).fill_null(False))
        .then(pl.lit("eps"))
        .when(before.is_in(_DIVIDEND_WORDS).fill_null(False))
        .then(pl.lit("dividend"))
        .otherwise(pl.lit("share_price"))
    )


def _kind_words(left: pl.Expr, right: pl.Expr) -> tuple[dict[str, pl.Expr], dict[str, pl.Expr]]:
    """The kind rules on the words around a figure: (those read for money, those read for percent)."""
    lft = left.str.to_lowercase()
    rgt = right.str.to_lowercase()
    verb = lft.str.extract(
        r"(?-u)\b(rais(?:e|es|ed|ing)|earned)\s+(?:(?:about|around|nearly|over|more\s+than|some|an?|another|"
        r"an\s+additional|a\s+further)\s+)?$",
        1,
    )
    money = {
        "exchange_rate": lft.str.contains(_FX_LEFT),
        # "raise USD 2 million", "raised about $5m" (an amount raised to: "raised to $5m" is a new level)
        # and "earned $212 million": a profit reported (the verb right before the amount only; "to earn",
        # "earns" may be income of any kind)
        "raised": verb.str.starts_with("rais"),
        "earned": verb == "earned",
        "share_price": lft.str.contains(r"(?:to|at|from)\s+$"),
        "valuation": rgt.str.contains(r"^\s*(?:\)\s*)?(?:pre-money\s+|post-money\s+)?valuation")
        | lft.str.contains(
            r"(?:valu(?:e|es|ed|ing|ation)\s+(?:[A-Za-z0-9_]+\s+){0,2}(?:at|of)|worth)\s+(?:about\s+|around\s+|over\s+|more\s+than\s+|nearly\s+)?(?:an?\s+)?$"  # noqa: E501
        ),
    }
    percent = {
        # "9% of its workforce": a part of the headcount (`figure_directions` makes a cut of it a
        # headcount_change), no change of anything
        "staff_share": rgt.str.contains(
            r"(?-u)^\s+of\s+(?:its|the|their|our|his|her)\s+(?:(?:[a-z'-]|’)+\s+){0,2}"
            r"(?:workforce|staff|employees|headcount|workers|personnel)\b"
        ),
        # "a 14% share of phone shipments", "a 9 per cent global share": a portion, not a stock move.
        "market_share": rgt.str.contains(
            r"^\s+(?:[a-z-]+\s+){0,2}share(?:\s*[,.;:)]|\s+(?:of|in|among|on)\s|\s*$)"
        ),
        # "fell to 84.2% from 88.9%", "rose 6% to 87.5%": a level reached or left, whatever changed (the
        # sentence's words of change name no kind of it; its own noun still does: `_percent_cue`)
        "level": lft.str.contains(
            r"(?-u:\b)(?:to|from)\s+(?:(?:about|around|nearly|almost|roughly|some|a\s+record)\s+)?$"
        ),
        # ("on MMLU" is a benchmark; "on Friday", "on May 5", "on 5 May" are dates)
        "benchmark": right.str.contains(r"^\s+on\s+(?:the\s+)?[A-Z0-9]")
        & ~right.str.contains(
            r"^\s+on\s+(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|"
            r"Nov|Dec)[a-z]*\.?(?:\s|,|$)|[0-9]{1,2}(?:st|nd|rd|th)?\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|"
            r"Nov|Dec))"
        ),
    }
    return money, percent


# Units whose kind is the unit's own.
_UNIT_KINDS = {
    "parameters": "parameter_count", "users": "user_count", "employees": "headcount", "GPU": "gpu_count",
    "GPU_hours": "training_compute", "tokens_per_second": "throughput", "score": "benchmark_score",
    "rank": "ranking",
}  # fmt: skip


def _kind_rules(left: pl.Expr, right: pl.Expr) -> list[tuple[pl.Expr, str, pl.Expr]]:
    """What a figure of tokens, money or percent measures, when its words or sentence say so (null
    otherwise), as (the figures of the unit, column, rule): each rule is read only for its unit's
    figures. Reads the sentence's `_KIND_SENTENCE` flags (one boolean column per pattern, named by
    its key, over the lower-cased sentence: `figure_kinds`)."""
    words, pct = _kind_words(left, right)
    s = pl.col
    tokens = _first_of([(s("_s_context"), "context_length"), (s("_s_training"), "training_tokens")])
    # (the cue named nearest the amount, `_near`, outranks every rule below: they run only where there
    # is none, and `_kind` takes `_near` first)
    money = _first_of(
        [
            # (an unscaled price of one currency in another: `_FX_LEFT`)
            (words["exchange_rate"] & (s("_lo_scale") < 1e6), "exchange_rate"),
            (words["raised"], "funding"),
            (words["earned"], "profit"),
            # (a price of one share in millions is no share price: "cut its forecast to $1.1 billion")
            (s("_s_stock") & words["share_price"] & (s("_lo_scale") < 1e6), "share_price"),
            (words["valuation"], "valuation"),
            (pl.col("_far").is_not_null(), pl.col("_far")),
            (s("_s_revenue"), "revenue"),
            (s("_s_market_cap"), "market_cap"),
            (s("_s_funding"), "funding"),
            (s("_s_profit"), "profit"),
            (s("_s_acquisition"), "acquisition"),
            (s("_s_investment"), "investment"),
            (s("_s_loss"), "loss"),
            (s("_s_valu"), "valuation"),
            (s("_s_price"), "price"),
        ]
    )
    # (the nearest noun before a percent in its clause: `_percent_cue`; with none, a stock word before
    # it or right after it names a stock move: "Shares of X, which makes chips, rose 5%", "a 5% jump in
    # its shares"; one in a later clause does not)
    cue = pl.col("_pct_cue")
    percent = _first_of(
        [
            (pct["market_share"], "market_share"),
            (pct["staff_share"], "headcount"),
            (pl.col("_rate_r").is_not_null(), pl.col("_rate_r")),
            (pl.col("_change_in").is_not_null(), pl.col("_change_in")),
            (cue.is_not_null() & (cue != ""), cue),
            (cue.is_null() & s("_s_stock") & s("_stock_near"), "stock_change"),
            (pct["benchmark"], "benchmark_score"),
            (s("_s_market_share"), "market_share"),
            (pct["level"], pl.lit(None, dtype=pl.String)),
            (s("_rate_range").fill_null(False), "interest_rate"),
            (s("_s_change"), "change"),
        ]
    )
    return [
        (_TOKENS, "_kind_tokens", tokens),
        (_MONEY & pl.col("_near").is_null(), "_kind_money", money),
        (_PERCENT, "_kind_percent", percent),
        (
            _PER_SHARE,
            "_kind_per_share",
            _per_share_kind(left, right),
        ),
    ]


def _kind(unit: pl.Expr) -> pl.Expr:
    """What the figure measures, when the sentence says so; null otherwise: the unit's own kind, the
    cue named nearest an amount of money (`_near`), or the `_kind_rules` column of its unit (the units
    are disjoint)."""
    kind = pl.coalesce(
        unit.replace_strict(_UNIT_KINDS, default=None, return_dtype=pl.String),
        pl.col("_kind_per_share"),
        pl.col("_kind_tokens"),
        pl.col("_near"),
        pl.col("_kind_money"),
        pl.col("_kind_percent"),
    )
    # (a cue of `_MONEY_CUES` named "_..." names a figure of no kind the schema holds, and keeps the
    # sentence's words from naming one, as would its "_..._change")
    return pl.when(kind.str.starts_with("_")).then(pl.lit(None, dtype=pl.String)).otherwise(kind)


# Qualifiers are short phrases right before the figure: 24 characters hold the longest.
_QUALIFIER_CHARS = 24


def _qualifier_tail(left: pl.Expr) -> pl.Expr:
    return left.str.tail(_QUALIFIER_CHARS).str.to_lowercase()


# A tail ending in any qualifier: the first of `_QUALIFIERS` to match is looked for only in those.
_ANY_QUALIFIER = rf"(?:^|[^a-z])(?:{'|'.join(pat for pat, _ in _QUALIFIERS)})\s*$"


# A verb of motion in the past before "up to" makes it a level reached, no hedge: "inflation picked up to
# 3.5%", "prices went up to 4%", "the rate ticked up to 4.1%" ("up to 700 roles", "could go up to $5
# billion" are hedges).
_MOVED_UP_TO = (
    r"(?:^|[^a-z])(?:picked|went|gone|moved|ticked|edged|crept|inched|shot|jumped|climbed|revised|pushed|driven|"
    r"drove|ramped|sped|notched)\s+up\s+to\s*$"
)


def _qualifier(tail: pl.Expr) -> pl.Expr:
    """The qualifier of the first `_QUALIFIERS` pattern ending `tail` (`_qualifier_tail`), or null
    (a verb of motion's "up to" is none: `_MOVED_UP_TO`)."""
    return _first_of(
        [(tail.str.contains(_MOVED_UP_TO), pl.lit(None, dtype=pl.String))]
        + [(tail.str.contains(rf"(?:^|[^a-z])(?:{pat})\s*$"), q) for pat, q in _QUALIFIERS]
    )


# A unit noun's modifier is never a function word: "-$45 million and shares fell" ends at "million"
# (the finder's one optional word before a counted noun took "and"); "5 million new phones" stays whole,
# and so does "in" ("100,000 in orders", "$2 million in shares": what the figure is counted in).
_LOOSE_TAIL = (
    r"(?i)\s+(?:and|or|but|nor|of|to|for|from|with|by|at|on|as|than|while|whereas|the|its|their|his|her)"
    r"\s+[a-z][a-z -]*$"
)


class _Utf8Texts:
    """A batch's texts as one UTF-8 buffer, to cut character spans out of by byte offsets: a character
    offset becomes a byte offset by counting the UTF-8 continuation bytes before it (a binary search
    over their positions, as `transforms.text.slice_spans` does), with no walk of the text per span."""

    def __init__(self, texts: pl.Series) -> None:
        self.data, offsets = utf8_buffer(texts)
        # (continuation bytes 0x80-0xBF are exactly the int8 values below -64)
        cont = np.flatnonzero(self.data.view(np.int8) < -64)
        self.cont_key = cont - np.arange(len(cont))  # characters before each continuation byte's, plus one
        before = np.searchsorted(cont, offsets)
        self.char_base = offsets[:-1] - before[:-1]  # characters before each text
        self.n_chars = np.diff(offsets) - np.diff(before)

    def byte(self, d: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Byte offsets in `data` of the character offsets `c` inside texts `d` (row indices)."""
        g = self.char_base[d] + c
        return g + np.searchsorted(self.cont_key, g, side="right")

    def cut(self, d: np.ndarray, start: np.ndarray, end: np.ndarray) -> pl.Series:
        """text[start:end] of texts `d` (character offsets inside the text, 0 <= start <= end <= its
        length), one String per row."""
        b = self.byte(d, start)
        return spelled(self.data, b, self.byte(d, end) - b)


@njit(cache=True, nogil=True)
def _marked_hits(
    data: np.ndarray, offsets: np.ndarray, markers: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The spans between pairs of NUL markers (`markers` of them in all) in each text
    data[offsets[d] : offsets[d + 1]]: (text row, character start and end in the text without its
    markers, byte start and end in `data`), in order."""
    rows = np.empty(markers // 2, dtype=np.int64)
    cstart, cend = np.empty(markers // 2, dtype=np.int64), np.empty(markers // 2, dtype=np.int64)
    bstart, bend = np.empty(markers // 2, dtype=np.int64), np.empty(markers // 2, dtype=np.int64)
    k = 0
    for d in range(len(offsets) - 1):
        lead = 0  # the characters' first bytes so far, markers included
        seen = 0
        for i in range(offsets[d], offsets[d + 1]):
            b = data[i]
            if b == 0:
                if seen % 2:
                    cend[k], bend[k] = lead - seen, i
                    k += 1
                else:
                    rows[k], cstart[k], bstart[k] = d, lead - seen, i + 1
                seen += 1
            lead += (b & 0xC0) != 0x80
    return rows[:k], cstart[:k], cend[:k], bstart[:k], bend[:k]


def _candidates(docs: pl.DataFrame) -> pl.LazyFrame:
    """Every regex hit with its character offsets: _d (doc index), doc_id, surface, start, end.

    One scan wraps each hit in NUL markers; a compiled walk over the marked UTF-8 bytes then reads each
    hit's character offsets (counting characters, not markers) and bytes (polars regex offsets would be
    bytes; splitting the marked texts into gap and hit rows copied every gap). Existing NULs are first
    swapped for another single character, which keeps every character offset.
    """
    text = pl.col("text")
    # (a copy of every text only when one holds a NUL)
    if docs.select(text.str.contains("\x00", literal=True).any()).item():
        text = text.str.replace_all("\x00", "\x01", literal=True)
    marked = docs.select(text.str.replace_all(FIND, "\x00${0}\x00")).to_series()
    data, offsets = utf8_buffer(marked)
    rows, cstart, cend, bstart, bend = _marked_hits(data, offsets, int(np.count_nonzero(data == 0)))
    keep = cend > cstart
    rows, cstart, bstart, bend = rows[keep], cstart[keep], bstart[keep], bend[keep]
    segs = pl.DataFrame(
        {
            "_d": pl.Series(rows, dtype=pl.Int64),
            "doc_id": docs.get_column("doc_id").gather(rows),
            "surface": spelled(data, bstart, bend - bstart),
            "start": pl.Series(cstart, dtype=pl.Int64),
        }
    )
    return (
        segs.lazy()
        .select(
            "_d",
            "doc_id",
            # ("a quarter of a point" is whole: only a rate move's word figure ends in "point")
            pl.when(pl.col("surface").str.ends_with("point") | pl.col("surface").str.ends_with("points"))
            .then(pl.col("surface"))
            .otherwise(pl.col("surface").str.replace(_LOOSE_TAIL, ""))
            .alias("surface"),
            "start",
        )
        .with_columns((pl.col("start") + pl.col("surface").str.len_chars().cast(pl.Int64)).alias("end"))
    )


def _key(d: pl.Expr, offset: pl.Expr) -> pl.Expr:
    return d * (1 << 32) + offset


def sentence_frame(docs: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    """Sentences keyed for as-of joins: _d (row of the document in `docs`), sentence_id, paragraph_id,
    sentence_start, sentence_end, _k; sorted by _k."""
    doc_index = docs.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("_d"), "doc_id").lazy()
    return (
        sentences.lazy()
        .join(doc_index, on="doc_id")
        .select(
            "_d",
            pl.col("sentence_id").cast(pl.Int64),
            pl.col("paragraph_id").cast(pl.Int64),
            pl.col("start").cast(pl.Int64).alias("sentence_start"),
            pl.col("end").cast(pl.Int64).alias("sentence_end"),
        )
        .with_columns(_key(pl.col("_d"), pl.col("sentence_start")).alias("_k"))
        .sort("_k")
        .collect(engine=_ENGINE)
    )


# A change is not a range. "Revenue fell by $2 billion to $10 billion" names the change and the level it
# reached; "margin rose from 20% to 25%" two levels. "from X to Y" after a word of change in any form
# (verb or noun: "is expected to rise from", "an increase from") is two levels; "by X to Y" is a change
# and a level after a verb in the past or third person ("fell by", "grows by"), a range after a
# forecast's bare verb ("expected to increase by 11 to 13 percent"). Other "X to Y" stay ranges
# ("expects revenue of $2 billion to $3 billion", "ranged from").
_CHANGE_REGULAR = (
    r"(?:increas|decreas|declin|surg|plung|tumbl|rais|reduc|improv|mov|hik|advanc|edg|revis|chang|upgrad|"
    r"downgrad|doubl|tripl|halv|spik|accelerat|slic)"
)
_CHANGE_PLAIN = (
    r"(?:climb|jump|soar|plummet|expand|contract|gain|lower|widen|narrow|shift|boost|lift|retreat|rebound|"
    r"recover|inch|slump|adjust|weaken|strengthen|slow|dwindl)"
)
_CHANGE_DOUBLED = r"(?:drop|slip|dip|trim|slash|cut|swell)"  # (a doubled final consonant: dropped, trimmed)
_CHANGE_IRREGULAR_PAST = (
    r"rose|risen|fell|fallen|grew|grown|went|gone|swung|sank|sunk|shrank|shrunk|lost|cut|swollen"
)
_CHANGE_THIRD = r"(?:rise|fall|grow|go|swing|sink|shrink|lose)s"
_CHANGE_BASE = (
    r"rise|rising|fall|falling|grow|growing|growth|going|swing|swinging|sink|sinking|shrink|shrinking|losing"
)
_CHANGE_NOUNS = r"expansion|contraction|reduction|improvement|loss|hike|slide"
_CHANGE_GAP = (
    r"(?:\s+[^\s,;:.]+){0,4}?\s+{by}(?:\s+(?:about|around|roughly|nearly|almost|some|just|over|under|more\s+than|"
    r"less\s+than|an?\s+[a-z-]+\s+of))?\s*$"
)
_CHANGE_FROM = (
    rf"(?i)(?-u:\b)(?:{_CHANGE_REGULAR}(?:e|es|ed|ing)|{_CHANGE_PLAIN}(?:s|ed|ing)?|{_CHANGE_DOUBLED}(?:s|[a-z]ed|[a-z]ing)?|"
    rf"{_CHANGE_IRREGULAR_PAST}|{_CHANGE_THIRD}|{_CHANGE_BASE}|{_CHANGE_NOUNS})(?-u:\b)"
    + _CHANGE_GAP.replace("{by}", "from")
)
_CHANGE_BY = (
    rf"(?i)(?-u:\b)(?:{_CHANGE_REGULAR}(?:es|ed)|{_CHANGE_PLAIN}(?:s|ed)|{_CHANGE_DOUBLED}(?:s|[a-z]ed)|"
    rf"{_CHANGE_IRREGULAR_PAST}|{_CHANGE_THIRD})(?-u:\b)" + _CHANGE_GAP.replace("{by}", "by")
)
# A change's verb right before a range of sub-units: "gained 15 pence to 310 pence" is a move by one to
# the other (`_SUBUNIT` ranges; "earnings of 89 cents to 91 cents" stays a range)
_CHANGE_VERB_END = (
    rf"(?-u)(?i)\b(?:{_CHANGE_REGULAR}(?:es|ed)|{_CHANGE_PLAIN}(?:s|ed)|{_CHANGE_DOUBLED}(?:s|[a-z]ed)|"
    rf"{_CHANGE_IRREGULAR_PAST}|{_CHANGE_THIRD})\s*$"
)
# ("cut" is also the bare verb of a plan: "will cut costs by $2 billion to $3 billion" is a range)
_PLANNED_CUT = r"(?i)(?-u:\b)(?:to|will|would|could|may|might|should|can|must|shall|['’]ll)\s+cut(?-u:\b)"


def _inverted_range(surface: pl.Expr) -> pl.Expr:
    """True where an "X to Y <scale>" surface's bare low end exceeds its high end: scaled alike
    ("2396 to $34 million" -> 2.396e9 to 3.4e7) it is no range but two figures (Boolean, per row)."""
    ends = surface.str.extract_groups(
        r"^[^0-9]*?([0-9][0-9,]*(?:\.[0-9]+)?) to [^0-9\s]{0,4}([0-9][0-9,]*(?:\.[0-9]+)?)\s?[A-Za-z]"
    )
    lo = ends.struct.field("1").str.replace_all(",", "").cast(pl.Float64, strict=False)
    hi = ends.struct.field("2").str.replace_all(",", "").cast(pl.Float64, strict=False)
    return (lo > hi).fill_null(False)


_TO = r"(?i)^(.*?[0-9].*?)(\s+to\s+)\S*[0-9]"  # an "X to Y" surface: its low end, its "to"


def _change_split(hits: pl.DataFrame) -> pl.Series:
    """Per hit (reads surface, _left): whether it is an "X to Y" after a change (`_CHANGE_FROM`,
    `_CHANGE_BY`) that `_split_changes` splits in two (Boolean)."""
    maybe = pl.col("surface").str.contains(_TO)
    left = pl.col("_left")
    split = maybe & (
        left.str.contains(_CHANGE_FROM)
        | (left.str.contains(_CHANGE_BY) & ~left.str.contains(_PLANNED_CUT))
        | _inverted_range(pl.col("surface"))
        | (
            pl.col("surface").str.contains(
                r"(?-u)(?i)^[0-9.,]+\s?(?:(?:euro[\s-]?)?cents?|pence|paise|rappen|p)\b\s+to\s"
            )
            & left.str.contains(_CHANGE_VERB_END)
        )
    )
    return (
        _on_rows(hits.select("surface", "_left"), maybe, _split=split).get_column("_split").fill_null(False)
    )


def _change_parts(pairs: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The two figures of each split hit of `pairs`: (the first, the second), each the hit's row with
    its own surface, start and end, and `_change` "lo" / "hi"."""
    lo = pl.col("surface").str.extract(_TO, 1)
    lead = lo.str.len_chars() + pl.col("surface").str.extract(_TO, 2).str.len_chars()
    los = pairs.with_columns(
        lo.alias("surface"), (pl.col("start") + lo.str.len_chars()).cast(pl.Int64).alias("end")
    ).with_columns(pl.lit("lo").alias("_change"))
    his = pairs.with_columns(
        pl.col("surface").str.slice(lead).alias("surface"),
        (pl.col("start") + lead).cast(pl.Int64).alias("start"),
    ).with_columns(pl.lit("hi").alias("_change"))
    return los, his


def _split_changes(hits: pl.DataFrame) -> pl.DataFrame:
    """`hits` (of `find_candidates`) with each "X to Y" hit after a change (`_change_split`) split into
    its two figures, in the order of the text, and a column `_change`: "lo" on the first of such a
    pair, "hi" on the second, null elsewhere (`parse_figures` lends a bare first figure the second's
    unit)."""
    split = _change_split(hits)
    if not split.any():
        return hits.with_columns(pl.lit(None, dtype=pl.String).alias("_change"))
    hits = hits.with_columns(split.alias("_split"))
    los, his = _change_parts(hits.filter(pl.col("_split")))
    rel = pl.col("start") - pl.col("sentence_start")
    parts = pl.concat([los, his]).with_columns(
        _key(pl.col("_d"), pl.col("start")).alias("_k"),
        pl.col("_stext").str.slice(0, rel.clip(0)).str.tail(60).alias("_left"),
        pl.col("_stext").str.slice((pl.col("end") - pl.col("sentence_start")).clip(0), 80).alias("_right"),
    )
    return (
        pl.concat(
            [
                hits.filter(~pl.col("_split")).with_columns(pl.lit(None, dtype=pl.String).alias("_change")),
                parts,
            ]
        )
        .sort("_k", maintain_order=True)
        .drop("_split")
        .with_columns(pl.col("_k").set_sorted())
    )


def _split_in_place(hits: pl.DataFrame, split: np.ndarray) -> pl.DataFrame:
    """`hits` (in the order of the text; no _stext, _left, _right) with each row where `split` holds
    replaced by its two figures (`_change_parts`) and a column `_change`. In the order of the text
    they take the hit's place: the first starts where the hit did, the second inside it, both before
    the next hit (hits do not overlap), so one gather of the narrow frame places them."""
    hits = hits.with_columns(pl.lit(None, dtype=pl.String).alias("_change"))
    if not split.any():
        return hits
    los, his = _change_parts(hits.filter(pl.Series(split)))
    n, m = len(split), los.height
    rows = np.repeat(np.arange(n), np.where(split, 2, 1))
    pair = np.cumsum(split)[rows] - 1  # (the pair's index among the split hits)
    second = np.zeros(len(rows), dtype=bool)
    second[1:] = rows[1:] == rows[:-1]
    rows = np.where(split[rows], n + pair + np.where(second, m, 0), rows)
    both = pl.concat([hits, los, his], rechunk=True)[rows]
    return both.with_columns(_key(pl.col("_d"), pl.col("start")).alias("_k").set_sorted())


def _placed(values: pl.Series, placed: pl.Series) -> pl.Series:
    """`values` (one per true row of `placed`) spread over the rows of `placed`, null in the others."""
    if placed.all():
        return values
    return (
        pl.repeat(None, len(placed), dtype=values.dtype, eager=True)
        .alias(values.name)
        .scatter(placed.arg_true(), values)
    )


def _sentence_windows(
    texts: _Utf8Texts,
    keys: pl.Series,
    d: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    ss: np.ndarray,
    se: np.ndarray,
) -> tuple[pl.Series, pl.Series, pl.Series]:
    """Per hit (text row d, character offsets start, end, inside its sentence ss..se, sentence keys
    `keys` ascending): its sentence's text (_stext, cut once per sentence), up to 60 characters of it
    left of the hit (_left) and up to 80 right of it (_right), as `str.slice` and `str.tail` on _stext
    read them (a window past the sentence is cut at its end)."""
    first = (keys != keys.shift(1)).fill_null(True)
    runs = first.arg_true().to_numpy()
    stext = texts.cut(d[runs], ss[runs], se[runs]).gather(first.cum_sum().cast(pl.Int64) - 1)
    return stext.alias("_stext"), *_windows(texts, d, start, end, ss, se)


def _windows(
    texts: _Utf8Texts, d: np.ndarray, start: np.ndarray, end: np.ndarray, ss: np.ndarray, se: np.ndarray
) -> tuple[pl.Series, pl.Series]:
    """Up to 60 characters of each hit's sentence left of it (_left) and 80 right of it (_right):
    `_sentence_windows` without the sentence."""
    length = se - ss
    m = np.clip(start - ss, 0, length)
    o = np.maximum(end - ss, 0)
    left = texts.cut(d, ss + np.maximum(m - 60, 0), ss + m)
    right = texts.cut(d, ss + np.minimum(o, length), ss + np.minimum(o + 80, length))
    return left.alias("_left"), right.alias("_right")


def find_candidates(docs: pl.DataFrame, sents: pl.DataFrame, texts: _Utf8Texts | None = None) -> pl.DataFrame:
    """Step `candidates`: every regex hit with its offsets (_d, doc_id, surface, start, end), its
    sentence (from `sentence_frame`), the sentence text _stext, and up to 60 characters left (_left)
    and 80 right (_right) of the hit inside its sentence. `texts`: `_Utf8Texts` of docs.text, when the
    caller has it."""
    sents_lf = sents.lazy()
    hits = (
        _candidates(docs)
        # (hits come in the order of the documents, then of the text: _k ascends already)
        .with_columns(_key(pl.col("_d"), pl.col("start")).alias("_k").set_sorted())
        .join_asof(sents_lf.drop("_d"), on="_k", strategy="backward")
        .collect(engine=_ENGINE)
    )
    # Only sentences holding a candidate are sliced out of the document text, each once, in linear time
    # (`str.slice` per hit walked the document from its start: quadratic in a long document).
    # (a sentence keyed by one integer, in the order of the text)
    sentence_key = _key(pl.col("_d"), pl.col("sentence_id"))
    key = hits.select(sentence_key).to_series()
    placed = key.is_not_null()
    keys = key.filter(placed)
    # The keys ascend with the hits (each hit lies in a sentence of its own document): a sentence's hits
    # are adjacent, and its text and each hit's windows are cut out of the batch's UTF-8 text by byte
    # offsets (`_Utf8Texts`), with no string walk per hit. The hits to split are found first (their
    # windows cut alone) and split in the narrow frame; the wide one is built once, in its final order.
    if not (keys.diff() < 0).any() and not docs.get_column("doc_id").is_duplicated().any():
        texts = texts or _Utf8Texts(docs.get_column("text"))
        cols = ("_d", "start", "end", "sentence_start", "sentence_end")
        at = hits.filter(placed).select(cols)
        d, start, end, ss, se = (at.get_column(c).to_numpy() for c in cols)
        if len(d) == 0 or ((ss >= 0) & (se >= ss) & (se <= texts.n_chars[d])).all():
            split = np.zeros(hits.height, dtype=bool)
            maybe = (hits.get_column("surface").str.contains(_TO) & placed).to_numpy()
            if maybe.any():
                near = hits.filter(pl.Series(maybe)).select(cols + ("surface",))
                left, _ = _windows(texts, *(near.get_column(c).to_numpy() for c in cols))
                split[maybe] = _change_split(near.with_columns(left)).to_numpy()
            hits = _split_in_place(hits, split)
            key = hits.select(sentence_key).to_series()
            placed = key.is_not_null()
            at = hits.filter(placed).select(cols)
            d, start, end, ss, se = (at.get_column(c).to_numpy() for c in cols)
            stext, left, right = _sentence_windows(texts, key.filter(placed), d, start, end, ss, se)
            return hits.with_columns(_placed(s, placed) for s in (stext, left, right)).select(
                *hits.columns[:-1], "_stext", "_left", "_right", "_change"
            )
    # (a hit before its document's first sentence takes the previous document's last one: the keys
    # then fall back somewhere, a sentence's hits may lie apart, and the sentences are found by hash)
    held = hits.filter(sentence_key.is_first_distinct() & pl.col("sentence_start").is_not_null()).select(
        sentence_key.alias("_sk"),
        "doc_id",
        pl.col("sentence_start").alias("start"),
        pl.col("sentence_end").alias("end"),
    )
    held = held.select("_sk", slice_spans(docs, held).alias("_stext"))
    hits = _add_columns(hits.with_columns(sentence_key.alias("_sk")), held, "_sk").drop("_sk")
    hits = (
        hits.lazy()
        .with_columns(
            pl.col("_stext")
            .str.slice(0, (pl.col("start") - pl.col("sentence_start")).clip(0))
            .str.tail(60)
            .alias("_left"),
            pl.col("_stext")
            .str.slice((pl.col("end") - pl.col("sentence_start")).clip(0), 80)
            .alias("_right"),
        )
        .collect(engine=_ENGINE)
    )
    return _split_changes(hits)


# A currency named after the number (`CURRENCY_NAMES`, in any case; `CURRENCY_NOUNS`, in lower case),
# right after a number or its scale word.
_NAMED_CURRENCY_RIGHT = rf"^([\s-]+{_CUR_OF}(?:(?i:{_CUR_NAMES})|{_CUR_NOUNS})){B}"
_ENDS_NUMBER = rf"(?i)(?:[0-9]|{B}(?:thousand|million|billion|trillion|mn|bn|tn|[kmbt]))$"


def currency_name_spans(hits: pl.DataFrame) -> pl.DataFrame:
    """Hits followed by a currency's name take it into their surface ("1.1 billion" + " Swedish
    crowns", "30 billion" + " zloty"; `end` and `_right` move with it), so that the parse reads the
    currency (`parse_figures`). The finder's own unit words stop at the currencies with words of their
    own: a name of every currency in the finder's pattern made it ~10x slower (the words before the
    noun are any capitalised words to its automaton), one anchored match on the text after each hit
    costs little."""
    # (one match over every hit's right context; the few it finds are read apart and set in place)
    found = hits.get_column("_right").str.contains(_NAMED_CURRENCY_RIGHT).fill_null(False)
    if not found.any():
        return hits
    at = found.arg_true()
    # (after a number or its scale word, not after a unit: "40 Swiss francs" is no "40 Swiss"; nor after
    # a year: "in 2023 Turkish lira lost a third")
    surface = pl.col("surface")
    named = (
        hits.select("surface", "end", "_right")[at]
        .with_columns(pl.Series("_at", at))
        .filter(surface.str.contains(_ENDS_NUMBER) & ~surface.str.contains(r"^(?:19|20)[0-9]{2}$"))
    )
    if named.is_empty():
        return hits
    tail = pl.col("_right").str.extract(_NAMED_CURRENCY_RIGHT, 1)
    n = tail.str.len_chars()
    named = named.select(
        "_at",
        (surface + tail).alias("surface"),
        (pl.col("end") + n).alias("end"),
        pl.col("_right").str.slice(n),
    )
    where = named.get_column("_at")
    return hits.with_columns(
        hits.get_column(c).scatter(where, named.get_column(c)) for c in ("surface", "end", "_right")
    )


def screen_bare_numbers(hits: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Most hits are bare numbers (years, versions, list items). Without a cue to their left
    ("patents exceeds 32,000") they cannot be metrics. Returns (those hits as dropped rows with their
    reason, the hits left to parse, in their order). A hit followed by a currency's name is first
    given it (`currency_name_spans`): "145 Norwegian crowns" is no bare number."""
    hits = currency_name_spans(hits)
    bare_hit = pl.col("surface").str.contains(r"^[0-9][0-9,]*(?:\.[0-9]+)?$")
    coordinated = pl.col("_right").str.contains(
        r"(?i)^\s+(?:and|or)\s+[0-9.,]+\s*(?:thousand|million|billion|trillion|bn|mn|tn|[kmbt]\b)"
        r"|^\s+of\s+(?:them|those|these)(?-u:\b)"
    )
    # Only bare hits need their left context read (lazy: shared subexpressions computed once).
    is_bare = hits.select(bare_hit.alias("b")).to_series()
    bare = hits.filter(is_bare).lazy()
    bare = (
        _add_columns(bare, _left_units(bare, pl.lit(True)), "_left")
        .lazy()
        .with_columns(
            pl.coalesce(
                pl.col("_lu"), pl.when(coordinated | (pl.col("_change") == "lo")).then(pl.lit("_coord"))
            ).alias("_left_unit")
        )
        .drop("_lu")
        .collect(engine=_ENGINE)
    )
    early = bare.filter(pl.col("_left_unit").is_null())
    early = early.select(
        "_d",
        "doc_id",
        "surface",
        "start",
        "end",
        "sentence_start",
        "sentence_end",
        pl.col("surface").str.replace_all(",", "").cast(pl.Float64, strict=False).alias("value"),
        pl.lit(None, dtype=pl.Float64).alias("value_high"),
        pl.lit(None, dtype=pl.String).alias("unit"),
        pl.when(pl.col("_left").str.contains(r"(?:[A-Za-z0-9_]|[A-Za-z0-9][-.:/])$"))
        .then(pl.lit(PART_OF_NAME))
        .otherwise(pl.lit(NO_UNIT))
        .alias("reason"),
    )
    # (the hits left keep their order, the order of the text: the sorts and joins on _k downstream
    # find their input sorted)
    cued = bare.get_column("_left_unit").is_not_null()
    return early, hits.filter((~is_bare).scatter(is_bare.arg_true(), cued))


# The line counts of the video modes written "<lines>p" (ITU-R BT.601/709/2020 and the web's lower
# ones): "1080p" is a resolution, "20p" pence.
_VIDEO_LINES = ["144", "240", "360", "480", "540", "576", "720", "1080", "1440", "2160", "4320"]


def parse_figures(hits: pl.DataFrame) -> pl.DataFrame:
    """Step `parse`: number, scale, range and currency of each hit. Adds the regex groups of _PARSE
    and value, value_high (floats, scale words applied), _currency (ISO code or null), _rest_unit
    (unit named after the number), _per_share, _bare (nothing after the number), _is_rank, _mult."""
    # All of it depends on the surface alone, and surfaces repeat ("$1 billion", "10%"): each distinct
    # surface is parsed once and joined back.
    forms = hits.select("surface").unique()
    cands = (
        forms.lazy()
        .with_columns(pl.col("surface").str.extract_groups(_PARSE).alias("_p"))
        .unnest("_p")
        # "17%" alone: the percent sign taken as a range's low end belongs to the rest.
        .with_columns(
            pl.when(pl.col("lopct").is_not_null() & pl.col("hi").is_null())
            .then(pl.col("lopct") + pl.col("rest").fill_null(""))
            .otherwise(pl.col("rest"))
            .alias("rest")
        )
        .collect(engine=_ENGINE)  # (read by several plans below)
        .lazy()
    )
    lo_scale = _scale_value(pl.coalesce(pl.col("los"), pl.col("his")))
    hi_scale = _scale_value(pl.coalesce(pl.col("his"), pl.col("los")))
    # Numbers repeat across surfaces ("$2 billion", "2 million users"): each distinct one is read once.
    numbers = (
        pl.concat([cands.select(pl.col(c).alias("_num")) for c in ("lo", "hi")])
        .drop_nulls()
        .unique()
        .collect(engine=_ENGINE)
    )
    # (joined twice below; most numbers are digits: the word rules read only the others)
    digits, words = _number_parts(pl.col("_num"))
    numbers = (
        _on_rows(numbers, ~pl.col("_num").str.contains(r"^[0-9]"), _words=words)
        .lazy()
        .select(
            "_num",
            pl.coalesce(digits, "_words").alias("_value"),
            _continental_number(pl.col("_num")).alias("_eu"),
            # (a dot group "1.500", a decimal comma "1,5" / "1.234,5": the marks of a continental number)
            pl.col("_num").str.contains(r"^[0-9]{1,3}(?:\.[0-9]{3})+$").alias("_dots"),
            pl.col("_num").str.contains(r"^[0-9]{1,3}(?:\.[0-9]{3})*,[0-9]{1,2}$").alias("_comma"),
        )
        .collect(engine=_ENGINE)
        .lazy()
    )
    for c in ("lo", "hi"):
        cands = cands.join(
            numbers.rename(
                {
                    "_num": c,
                    "_value": f"_{c}_num",
                    "_eu": f"_{c}_eu",
                    "_dots": f"_{c}_dots",
                    "_comma": f"_{c}_comma",
                }
            ),
            on=c,
            how="left",
            maintain_order="left",
        )
    lo_num, hi_num = pl.col("_lo_num"), pl.col("_hi_num")
    surf_l = pl.col("surface").str.to_lowercase()
    rank_value = (
        surf_l.str.extract(r"(first|second|third|fourth|fifth|[0-9]+)", 1)
        .replace({"first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5"})
        .cast(pl.Float64, strict=False)
    )
    mult_word = surf_l.replace_strict(_MULT_WORDS, default=None, return_dtype=pl.Float64)
    fraction = surf_l.str.replace_all(r"\s+", " ").replace_strict(
        _FRACTIONS, default=None, return_dtype=pl.Float64
    )
    is_rank = surf_l.str.starts_with("rank")
    rest = pl.col("rest").fill_null("")
    per_mtok = rest.str.contains(r"(?i)(?:/|per\s+)(?:1\s*)?(?:million|m)\s+(?:input\s+|output\s+)?tokens$")
    rest_wo_share = rest.str.replace(rf"(?i)\s+(?:{_PER_SHARE_WORDS})$", "").str.replace(
        r"(?i)\s*(?:/|per\s+)(?:1\s*)?(?:million|m)\s+(?:input\s+|output\s+)?tokens$", ""
    )
    per_share = rest.str.contains(rf"(?i)\s(?:{_PER_SHARE_WORDS})$")
    cur_pre = pl.coalesce(pl.col("cur"), pl.col("cur2")).str.replace_all(r"[\s.]", "").str.to_uppercase()
    cur_pre = cur_pre.replace_strict(
        {k.replace(".", "").upper(): v for k, v in _CUR_PRE_CODES.items()},
        default=None,
        return_dtype=pl.String,
    )
    # A code read only in capitals precedes an amount with its scale word ("NOK 410 million", "DKK 95m"):
    # before a bare number it is as often a word or a name ("ALL 5 members", "PHP 8").
    cur_pre = (
        pl.when(cur_pre.is_in(CODE_ONLY_CURRENCIES) & pl.col("los").is_null() & pl.col("his").is_null())
        .then(None)
        .otherwise(cur_pre)
    )
    # (a hyphen before the word in a compound adjective: "a 3-billion-dollar deal")
    cur_word = _first_match_map(
        rest_wo_share.str.to_lowercase(), _CUR_WORDS, r"^[\s-]*" + _CUR_OF + r"(?:{})(?-u:\b)?"
    )
    # (a currency by its name or its noun alone: `CURRENCY_NAMES`, `CURRENCY_NOUNS`)
    cur_name = (
        rest_wo_share.str.extract(rf"(?i)^[\s-]*{_CUR_OF}({_CUR_NAMES}|(?-i:{_CUR_NOUNS})){B}", 1)
        .str.to_lowercase()
        .str.replace_all(r"\s+", " ")
        .replace_strict(_CUR_NAME_CODES, default=None, return_dtype=pl.String)
    )
    # (the codes read in capitals only: `_CUR_CODES_CASED`)
    code = rest_wo_share.str.extract(r"(?-u)^\s*([A-Z]{3})\b")
    cur_word = pl.coalesce(cur_name, cur_word, pl.when(code.is_in(CODE_ONLY_CURRENCIES)).then(code))
    rest_unit = _unit_from_rest(rest_wo_share)
    bare = rest.str.strip_chars() == ""
    # The words after the number repeat far more than surfaces do ("%", " billion users"): each
    # distinct rest is read once.
    rest_words = (
        cands.select("rest")
        .unique()
        .with_columns(
            cur_word.alias("_cur_word"),
            rest_unit.alias("_rest_unit"),
            per_share.alias("_per_share"),
            per_mtok.alias("_per_mtok"),
            bare.alias("_bare"),
            _unit_factor(rest_wo_share).alias("_factor"),
        )
    )
    names = cands.collect_schema().names()
    # ("1080p", "720p": a video mode's line count, no pence)
    video = (pl.col("rest") == "p") & pl.col("lo").is_in(_VIDEO_LINES)
    cands = cands.join(rest_words, on="rest", how="left", nulls_equal=True, maintain_order="left").select(
        *names,
        pl.when(~video).then(pl.coalesce(pl.col("_cur_word"), cur_pre)).alias("_currency"),
        *("_rest_unit", "_per_share", "_per_mtok", "_bare", "_factor"),
    )
    currency, rest_unit, per_share, bare = (
        pl.col(c) for c in ("_currency", "_rest_unit", "_per_share", "_bare")
    )
    # A rank's number is read only in ranks, a fraction word only in surfaces opening with a letter
    # (every `_FRACTIONS` key does; no other character lower-cases to one): a when/then chain
    # evaluated both on every distinct surface.
    cands = _on_rows(cands.collect(engine=_ENGINE), is_rank, _rank_value=rank_value)
    point = (
        surf_l.str.extract(
            r"^((?:a|one|three)?[\s-]?(?:half|quarters?))(?:\s+of)?(?:\s+an?)?\s+(?:full\s+)?(?:percentage[\s-])?points?$",
            1,
        )
        .str.replace_all(r"[\s-]+", " ")
        .str.strip_chars()
        .replace_strict(_POINT_FRACTIONS, default=None, return_dtype=pl.Float64)
    )
    cands = _on_rows(
        cands, pl.col("surface").str.contains(r"^[A-Za-z]"), _fraction_value=fraction, _point_value=point
    ).lazy()
    rank_value, fraction, point = pl.col("_rank_value"), pl.col("_fraction_value"), pl.col("_point_value")
    # (columns read by several expressions below are computed once)
    cands = cands.with_columns(
        lo_scale.alias("_lo_scale"),
        hi_scale.alias("_hi_scale"),
        is_rank.alias("_is_rank"),
        _scale_key(pl.coalesce(pl.col("los"), pl.col("his")))
        .is_in(list(_EU_SCALE_VALUES))
        .alias("_eu_scaled"),
    )
    lo_scale, hi_scale, is_rank = pl.col("_lo_scale"), pl.col("_hi_scale"), pl.col("_is_rank")
    value = (
        pl.when(is_rank)
        .then(rank_value)
        .when(mult_word.is_not_null())
        .then(mult_word)
        .when(point.is_not_null())
        .then(point)
        .when(fraction.is_not_null())
        .then(fraction)
        .otherwise(lo_num * lo_scale * pl.col("_factor"))
    )
    # "1.499 EUR", "15.000 workers": a dot groups thousands in euro prices (three decimals are not a
    # price) and in counts of things that come whole (no one employs 15.0 workers); a scale word makes
    # it a decimal again ("2.500 million workers" is rare, "2.5 million" the form).
    eu_grouped = (
        pl.col("lo").str.contains(r"^[0-9]{1,3}\.[0-9]{3}$")
        & pl.col("los").is_null()
        & pl.col("his").is_null()
        & ((currency == "EUR") | rest_unit.is_in(_WHOLE_UNITS).fill_null(False))
    )
    # "1.500 Mio.", "1,234 Mrd.", "1.234,5 Mio.": a continental scale word makes the number continental
    # (a comma marks decimals, a dot groups thousands), and so does the euro or a whole unit with a dot
    # group. In a document written that way (`_eu_mark`), "€1.500 million" is read so too (below).
    eu_scaled = pl.col("_eu_scaled")
    # A dot group and a decimal comma in one number is continental whatever follows it: no English
    # text writes "1.234,5" ("€1.234,5 million", "1.234,5 million euros" are 1,234.5 million).
    both_marks = pl.col("lo").str.contains(r"^[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]+$")
    cands = cands.with_columns((eu_grouped | eu_scaled | both_marks).alias("_continental"))
    continental = pl.col("_continental")
    lo_eu = pl.col("_lo_eu") * lo_scale * pl.col("_factor")
    hi_eu = pl.col("_hi_eu") * hi_scale * pl.col("_factor")
    value = pl.when(continental & lo_eu.is_not_null()).then(lo_eu).otherwise(value)
    value_high = pl.when(pl.col("hi").is_not_null()).then(hi_num * hi_scale * pl.col("_factor"))
    value_high = pl.when(continental & hi_eu.is_not_null()).then(hi_eu).otherwise(value_high)
    dot_grouped = pl.col("_lo_dots").fill_null(False)
    decimal_comma = pl.col("_lo_comma").fill_null(False) & ~bare
    parsed = (
        cands.with_columns(
            value.alias("value"),
            value_high.alias("value_high"),
            (eu_scaled | decimal_comma).alias("_eu_mark"),
            pl.when(dot_grouped & ~continental & ~is_rank).then(lo_eu).alias("_eu_value"),
            pl.when(dot_grouped & ~continental & ~is_rank).then(hi_eu).alias("_eu_value_high"),
            mult_word.alias("_mult"),
            fraction.alias("_fraction"),
            # (a rate move's word figure is in percentage points, and has no number of digits or words)
            pl.when(point.is_not_null())
            .then(pl.lit("percent"))
            .otherwise(pl.col("_rest_unit"))
            .alias("_rest_unit"),
            pl.when(point.is_null()).then(pl.col("lo")).alias("lo"),
        )
        .drop(
            "_lo_num",
            "_hi_num",
            "_lo_eu",
            "_hi_eu",
            "_lo_dots",
            "_hi_dots",
            "_lo_comma",
            "_hi_comma",
            "_hi_scale",
            "_eu_scaled",
            "_continental",
            "_rank_value",
            "_fraction_value",
            "_point_value",
        )
        .collect(engine=_ENGINE)
    )
    out = _add_columns(hits, parsed, "surface", nulls_equal=True)
    # A document that writes a continental figure anywhere writes its dot groups so ("€1.500 million").
    eu_doc = pl.col("_eu_mark").any().over("_d")
    if not out.get_column("_eu_mark").any():
        eu_doc = pl.lit(False)
    out = out.with_columns(
        pl.when(pl.col("_eu_value").is_not_null() & eu_doc)
        .then(pl.col("_eu_value"))
        .otherwise(pl.col("value"))
        .alias("value"),
        pl.when(pl.col("_eu_value").is_not_null() & eu_doc)
        .then(pl.col("_eu_value_high"))
        .otherwise(pl.col("value_high"))
        .alias("value_high"),
    ).drop("_eu_mark", "_eu_value", "_eu_value_high")
    return _lend_change_units(out)


def _lend_change_units(parsed: pl.DataFrame) -> pl.DataFrame:
    """The first figure of a split change (`_split_changes`) without a unit of its own takes the
    second's: "fell by 20 to 25%" -> 20 percent; its scale too, unless written out in full with a
    thousands group ("rose from 2 to 3 billion" -> 2e9, "fell by 6,333 to 6.08 lakh" -> 6,333)."""
    if parsed.get_column("_change").null_count() == parsed.height:
        return parsed
    lend = (
        (pl.col("_change") == "lo")
        & (pl.col("_change").shift(-1) == "hi")
        & (pl.col("_d").shift(-1) == pl.col("_d"))
        & pl.col("_currency").is_null()
        & pl.col("_rest_unit").is_null()
        & pl.col("lopct").is_null()
        & pl.col("los").is_null()
    ).fill_null(False)
    if not parsed.select(lend.any()).item():
        return parsed
    # (a pair split for its inverted ends alone, no change on its left: `_inverted_range`, lends nothing)
    next_bare = pl.col("value").shift(-1) / (pl.col("_lo_scale") * pl.col("_factor")).shift(-1)
    inverted = pl.col("value") > next_bare
    parsed = _on_rows(
        parsed,
        lend & inverted,
        _no_change=~pl.col("_left").str.contains(_CHANGE_FROM) & ~pl.col("_left").str.contains(_CHANGE_BY),
    )
    lend = lend & ~pl.col("_no_change").fill_null(False)
    full = pl.col("lo").str.contains(r"[0-9][,. ][0-9]{3}")
    scale = pl.when(full).then(1.0).otherwise(pl.col("_lo_scale").shift(-1))
    nxt = ("_currency", "_rest_unit", "_per_share", "_per_mtok", "_factor")
    return parsed.with_columns(
        pl.when(lend)
        .then(pl.col("value") * scale * pl.col("_factor").shift(-1))
        .otherwise(pl.col("value"))
        .alias("value"),
        pl.when(lend).then(scale).otherwise(pl.col("_lo_scale")).alias("_lo_scale"),
        *(pl.when(lend).then(pl.col(c).shift(-1)).otherwise(pl.col(c)).alias(c) for c in nxt),
    ).drop("_no_change")


# Units of things counted whole (`_unit_from_rest`; "_generic" is units or vehicles): a fraction of
# one is never meant, so "15.000 workers" is grouped thousands (German, Italian, Spanish, ... style).
_WHOLE_UNITS = ["employees", "people", "vehicles", "units", "_generic", "count", "users", "GPU"]


# What a document or sentence is about, for units the figure's own words leave open.
_VEHICLE_CUE = (
    r"(?i)(?-u:\b)(?:vehicles?|cars?|evs?|nevs?|bevs?|phevs?|suvs?|sedans?|automakers?|carmakers?|"
    r"car\s+makers?|autos?|motors?)(?-u:\b)|车|辆"
)
_DEVICE_CUE = (
    r"(?i)(?-u:\b)(?:(?:smart)?phones?|handsets?|tablets?|laptops?|pcs?|robots?|humanoids?|wearables?|"
    r"drives?|consoles?|headsets?)(?-u:\b)|手机|机器人"
)
# (also Japan's stock indices and the Bank of Japan's short name: the words of Japanese market news)
_JAPAN_CUE = r"(?i)(?-u:\b)(?:japan|japanese|tokyo|osaka|yen|nikkei|topix|boj)(?-u:\b)|日本|日元|日经"
_CHINA_CUE = r"(?i)(?-u:\b)(?:china|chinese|beijing|shanghai|shenzhen|yuan|rmb|renminbi)(?-u:\b)|中国|人民币"
# The words of a sentence about pence: British money, a price, a share and what it pays.
_PENCE_CUE = (
    r"(?i)£|(?-u:\b)(?:pence|penny|sterling|pounds?|costs?|prices?|priced|charges?|charged|fees?|fares?|pays?|"
    r"paid|shares?|stocks?|dividends?|payouts?|eps|earnings|ftse)(?-u:\b)"
)
# The words of a sentence about money in pounds (sterling, not weight): "shares fell to 46.10 pounds".
_POUND_CUE = (
    r"(?i)£|(?-u:\b)(?:pence|penny|sterling|costs?|prices?|priced|charges?|charged|fees?|fares?|pays?|paid|shares?|"
    r"stocks?|dividends?|payouts?|eps|earnings|ftse|revenues?|sales|profits?|worth|valued|wages?|salar(?:y|ies)|"
    r"billion|million|bn|mn)(?-u:\b)"
)
# Money words to the left of a bare scaled number: "valuation passed 38 billion" (currency implied).
_MONEY_LEFT = (
    r"(?i)(?:(?-u:\b)(?:valuation|valued|market\s+(?:cap|value)|revenue|sales|funding|raised|worth)"
    r"(?-u:\b)[^.;,]{0,25}|估值|市值|营收|收入|融资)[^.;,。，]{0,6}$"
)


def _outnumbers(docs: pl.LazyFrame, cue: str, other: str, name: str) -> pl.LazyFrame:
    """_d and `name`: whether the document's text holds more matches of `cue` than of `other` (null
    for a null text). The two match disjoint whole words (or disjoint CJK words), so one scan for either
    finds the matches each scan alone would: the text is read once and its (few, short) matches told
    apart."""
    return (
        docs.select(
            "_d",
            pl.col("text").is_null().alias("_none"),
            pl.col("text").str.extract_all(f"(?:{cue})|(?:{other})").alias("_m"),
        )
        .explode("_m", empty_as_null=True)
        .group_by("_d", maintain_order=True)
        .agg(
            pl.col("_none").first(),
            pl.col("_m").is_not_null().sum().alias("_n"),
            # (whole matches, told apart by their words alone: a word boundary next to the match
            # may have been the text's, not the match's own)
            pl.col("_m").str.contains(f"^(?:{other.replace(B, '')})$").sum().alias("_o"),
        )
        .select(
            "_d", pl.when(~pl.col("_none")).then((pl.col("_n") - pl.col("_o")) > pl.col("_o")).alias(name)
        )
    )


def document_context(docs: pl.DataFrame, wanted: pl.Series, japan: pl.Series | None = None) -> pl.DataFrame:
    """For the documents whose row index (_d) is in `wanted`: _d, _doc_vehicles and _doc_japan —
    whether vehicle words outnumber device words, and Japan cues outnumber China cues. With `japan`,
    the Japan cues are counted only in those documents (_doc_japan is null in the others)."""
    indexed = docs.lazy().select(pl.int_range(pl.len(), dtype=pl.Int64).alias("_d"), "text")
    vehicles = _outnumbers(
        indexed.filter(pl.col("_d").is_in(wanted.implode())), _VEHICLE_CUE, _DEVICE_CUE, "_doc_vehicles"
    )
    japan_docs = _outnumbers(
        indexed.filter(pl.col("_d").is_in((wanted if japan is None else japan).implode())),
        _JAPAN_CUE,
        _CHINA_CUE,
        "_doc_japan",
    )
    return vehicles.join(japan_docs, on="_d", how="left", maintain_order="left").collect(engine=_ENGINE)


# The words of money around an amount in a code that is also a word (`WORD_CURRENCIES`): "PROFIT OF TRY 3
# BILLION", "RAISED ARS 2.5 BILLION", "BONDS WORTH TRY 3 BILLION".
_WORD_CODE_MONEY = (
    r"(?i)(?-u:\b)(?:revenues?|sales|turnover|profits?|loss(?:es)?|earnings|income|ebitda|funding|rais(?:e|es|ed|ing)|"
    r"worth|valu(?:e|ed|ation)|paid|pays?|spen[dt]|invest\w*|bonds?|debt|loans?|deals?|budget|costs?|prices?|"
    r"fines?|dividends?|capital|cash|fund|assets|bid|offer)(?-u:\b)"
)


def _word_code_units(base: pl.DataFrame) -> pl.DataFrame:
    """Amounts in a code that is also an English word (`WORD_CURRENCIES`: "ALL", "TRY", "CUP") stay money
    only where the text writes it as a code: in text with lower-case letters around the figure (a
    headline or an all-caps line writes every word in capitals: "TRY 3 MILLION TIMES", "3 MILLION CUP
    HOLDERS"), or with a money cue (a decimal, another currency in the document, a money word within a
    few words: `_WORD_CODE_MONEY`), and never before a noun of things counted ("ALL 3 MILLION
    CUSTOMERS" counts customers). Otherwise the unit is that noun's or none. A word code before the
    number that is no currency is no part of the figure: the surface and `start` leave it out ("ALL 40
    STORES" -> "40 STORES")."""
    code = pl.col("_currency").is_in(WORD_CURRENCIES).fill_null(False)
    prefix = pl.col("cur").str.strip_chars().is_in(WORD_CURRENCIES).fill_null(False)
    rows = code | prefix
    if not base.select(rows.any()).item():
        return base
    window = pl.col("_left").str.tail(40) + pl.col("surface") + pl.col("_right").str.head(40)
    # (a document naming another currency: any figure of a currency that is no word code)
    other = base.filter(pl.col("unit").is_in(list(CURRENCIES)) & ~code).get_column("_d").unique()
    money = pl.col("_rest_unit").is_null() & (
        window.str.contains(r"[a-z]")
        | pl.col("lo").str.contains(r"[.,][0-9]{1,2}$")
        | pl.col("_d").is_in(other.implode())
        | window.str.contains(_WORD_CODE_MONEY)
    )
    base = _on_rows(base, rows, _wc_money=money)
    money = pl.col("_wc_money").fill_null(True)
    unit = pl.when(code & ~money).then(pl.col("_rest_unit")).otherwise(pl.col("unit"))
    base = base.with_columns(unit.alias("unit"))
    # (the code before the number, now no currency: out of the surface, into the left context)
    cut = prefix & ~pl.col("unit").is_in(list(CURRENCIES)).fill_null(False)
    kept = pl.col("surface").str.slice(pl.col("cur").str.len_chars()).str.strip_chars_start()
    shift = pl.col("surface").str.len_chars() - kept.str.len_chars()
    return base.with_columns(
        pl.when(cut).then(pl.col("start") + shift).otherwise(pl.col("start")).alias("start"),
        pl.when(cut)
        .then(pl.col("_left") + pl.col("surface").str.head(shift))
        .otherwise(pl.col("_left"))
        .alias("_left"),
        pl.when(cut).then(kept).otherwise(pl.col("surface")).alias("surface"),
    ).drop("_wc_money")


def _barrels_a_day(base: pl.DataFrame) -> pl.DataFrame:
    """Barrels whose words go on to a day are barrels a day: "612,000 barrels of oil equivalent per day"
    (the finder leaves "of oil equivalent per day" out of the surface, as any loose tail after "of")."""
    rows = pl.col("unit") == "barrels"
    if not base.select(rows.any()).item():
        return base
    a_day = pl.col("_right").str.contains(
        r"(?i)^\s+of\s+(?:oil|crude|oil\s+equivalent|crude\s+oil)\s+(?:(?:per|a)\s+day|daily)(?-u:\b)"
    )
    return base.with_columns(
        pl.when(rows & a_day).then(pl.lit("barrels_per_day")).otherwise(pl.col("unit")).alias("unit")
    )


# What stands between a count and the next figure when the next is the level the count's change reached
# or the figure it is compared with (`figure_units`): "by 150,000 to 2.1 million", "2.1 million vehicles,
# up from 1.5 million", "210,000 cars, compared with 1.4 million", "against 1.1 million".
_MOVE_GAP_CHARS = 40
_MOVE_BETWEEN = (
    r"(?i)^(?:\s+[a-z]+)?\s*,?\s*(?:(?:up|down)\s+from|from|to|compared\s+(?:with|to)|against|versus|vs\.?)\s+"
    r"(?:(?:almost|nearly|about|around|over|more\s+than|some|roughly|just)\s+)?$"
)


def figure_units(parsed: pl.DataFrame, doc_context: pl.DataFrame | None = None) -> pl.DataFrame:
    """Step `unit`: adds `unit` (a UNITS code or null) from the currency, the words after the number
    or a cue to its left, then corrected by the sentence and document (`document_context`): a team's
    people are employees; a currency after "shares ... to" or "EPS was" is a price per share; "units"
    and "deliveries" count vehicles in a text about cars and units (devices) otherwise; "¥" in a text
    about Japan is JPY; a bare scaled number after a money word takes the last currency named."""
    if doc_context is None:
        doc_context = pl.DataFrame(
            schema={"_d": pl.Int64, "_doc_vehicles": pl.Boolean, "_doc_japan": pl.Boolean}
        )
    parsed = _add_columns(parsed, doc_context, "_d").lazy()
    is_rank, mult_word = pl.col("_is_rank"), pl.col("_mult")
    currency, rest_unit, per_share, bare = (
        pl.col(c) for c in ("_currency", "_rest_unit", "_per_share", "_bare")
    )
    unit = (
        pl.when(is_rank)
        .then(pl.lit("rank"))
        .when(mult_word.is_not_null())
        .then(pl.lit("multiplier"))
        .when(pl.col("_fraction").is_not_null())
        .then(pl.lit("ratio"))
        .when(currency.is_not_null() & per_share)
        .then(currency + "_per_share")
        .when(currency.is_not_null() & pl.col("_per_mtok"))
        .then(currency + "_per_million_tokens")
        .when(currency.is_not_null())
        .then(currency)
        .when(rest_unit.is_not_null())
        .then(rest_unit)
        .when(bare & pl.col("conn").is_null())
        .then(pl.col("_lu"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    lookup = _left_units(parsed, bare & pl.col("conn").is_null())
    base = (
        _add_columns(parsed, lookup, "_left")
        .lazy()
        .with_columns(unit.alias("unit"))
        .drop("_lu")
        .collect(engine=_ENGINE)
    )
    base = _barrels_a_day(_word_code_units(base))
    # The sentence and document are read only for the units they may change (most figures keep theirs).
    needs = pl.col("unit").is_in(["people", "_generic", "CNY_per_share", *CURRENCIES]).fill_null(False)
    is_people = pl.col("unit") == "people"
    per_share_rows = (
        pl.col("unit").is_in(list(CURRENCIES)) & pl.col("los").is_null() & pl.col("his").is_null()
    )
    is_generic = pl.col("unit") == "_generic"
    # (an amount per share too: "¥50 per share" of a Japanese company is yen)
    yen_rows = pl.col("unit").is_in(["CNY", "CNY_per_share"]) & pl.col("cur").str.contains(r"^[¥￥]")
    # A "p" glued to a number is pence only in a sentence about money or shares: "24p", "60p" are also a
    # video's frame rate, "3p.m." a time.
    pence_rows = (pl.col("unit") == "GBP") & (pl.col("rest") == "p")
    pence = pl.col("_stext").str.contains(_PENCE_CUE) & ~pl.col("_right").str.starts_with(".m")
    pounds_rows = (pl.col("unit") == "GBP") & pl.col("rest").str.contains(r"(?i)^\s+pounds?$")
    pounds = pl.col("_stext").str.contains(_POUND_CUE)
    # Each rule reads the sentence only for the figures of its own unit.
    team = ~pl.col("rest").str.contains(r"(?i)contractors") & pl.col("_stext").str.contains(
        r"(?i)(?-u:\b)(?:team|staff|employ[A-Za-z0-9_]*|workforce|hire[A-Za-z0-9_]*|recruit[A-Za-z0-9_]*|headcount|lab)(?-u:\b)|团队|员工|实验室"  # noqa: E501
    )
    eps = pl.col("_left").str.contains(
        # (and the share and "per share" of German, French, Spanish, Italian: "Ergebnis je Aktie lag bei")
        rf"(?i)(?:(?-u:\b)(?:shares?|stock|eps|aktien?|{_PER_SHARE_WORDS})(?-u:\b)(?:[^.;:]|\.[0-9]){{0,50}}|股价[^。；]{{0,12}})$"
    ) | pl.col("_right").str.contains(
        r"(?i)^\s*(?:to\s+\S+\s+)?(?:in\s+)?(?:adjusted\s+|diluted\s+|gaap\s+)?(?:earnings|eps)\s+per\s+share"
    )
    generic_unit = (
        pl.when(pl.col("_stext").str.contains(_VEHICLE_CUE))
        .then(pl.lit("vehicles"))
        .when(pl.col("_stext").str.contains(_DEVICE_CUE))
        .then(pl.lit("units"))
        .when(pl.col("_doc_vehicles").fill_null(False))
        .then(pl.lit("vehicles"))
        .when(pl.col("rest").str.contains(r"(?i)units|台"))
        .then(pl.lit("units"))
        .otherwise(pl.lit("count"))
    )
    japan = (pl.col("_stext").str.contains(_JAPAN_CUE) & ~pl.col("_stext").str.contains(_CHINA_CUE)) | pl.col(
        "_doc_japan"
    ).fill_null(False)
    rules = [
        (is_people, team, "_team"),
        (per_share_rows, eps, "_eps"),
        (is_generic, generic_unit, "_generic_unit"),
        (yen_rows, japan, "_japan"),
        (pence_rows, pence, "_pence"),
        (pounds_rows, pounds, "_pounds"),
    ]
    # (only the figures whose unit may change, and only the columns the rules read: the new units are
    # scattered into the unit column, the figures' wide frame is neither filtered nor stacked again)
    mask = base.select(needs).to_series()
    read = {c for rows, rule, _ in rules for e in (rows, rule) for c in e.meta.root_names()}
    needed = base.select(c for c in base.columns if c in read).filter(mask)
    for rows, rule, name in rules:
        needed = _on_rows(needed, rows, **{name: rule})
    fixed = (
        pl.when(pence_rows & ~pl.col("_pence"))
        .then(pl.lit(None, dtype=pl.String))
        .when(pounds_rows & ~pl.col("_pounds"))
        .then(pl.lit(None, dtype=pl.String))
        # "3,000 people" about a team is a headcount.
        .when(is_people & pl.col("_team"))
        .then(pl.lit("employees"))
        # "shares fell 3.2% to $118.42", "EPS was €1.73 versus €3.20", "股价约170美元": a price per
        # share (an unscaled amount after a share or EPS word in the same clause, or before "in EPS").
        .when(per_share_rows & pl.col("_eps"))
        .then(pl.col("unit") + "_per_share")
        .when(is_generic)
        .then(pl.col("_generic_unit"))
        .otherwise(pl.col("unit"))
        .alias("_fixed")
    )
    fixed = (
        needed.with_columns(fixed)
        .select(
            # "¥590bn" for a Japanese chipmaker, "shares closed at ¥2,000": yen (per share or not), when the
            # sentence or the document is about Japan.
            pl.when(yen_rows & pl.col("_japan"))
            .then(pl.col("_fixed").str.replace("^CNY", "JPY"))
            .otherwise(pl.col("_fixed"))
        )
        .to_series()
    )
    units = base.with_columns(base.get_column("unit").clone().scatter(mask.arg_true(), fixed))
    # Neighbouring figures, from a narrow sorted copy (sorting the wide frame would move every text).
    # Sorted by document, a neighbour is in the same document when its _d is equal: shifts of whole
    # columns, masked, instead of windows per document.
    next_in_doc = pl.col("_d").shift(-1) == pl.col("_d")
    prev_in_doc = pl.col("_d").shift(1) == pl.col("_d")
    currency = pl.col("unit").is_in(list(CURRENCIES))
    neighbours = (
        units.select("_k", "_d", "sentence_id", "unit", "_lo_scale", "end")
        .sort("_k")
        .select(
            "_k",
            pl.when(prev_in_doc).then(pl.col("end").shift(1)).alias("_prev_end"),
            pl.when(next_in_doc).then(pl.col("unit").shift(-1)).alias("_next_unit"),
            pl.when(next_in_doc).then(pl.col("_lo_scale").shift(-1)).alias("_next_scale"),
            pl.when(next_in_doc)
            .then(pl.col("sentence_id").shift(-1) == pl.col("sentence_id"))
            .alias("_next_same"),
            pl.when(prev_in_doc).then(pl.col("unit").shift(1)).alias("_prev_unit"),
            pl.when(prev_in_doc)
            .then(pl.col("sentence_id").shift(1) == pl.col("sentence_id"))
            .alias("_prev_same"),
            # (the last currency before the figure, when it was named in the figure's document)
            pl.when(pl.when(currency).then(pl.col("_d")).forward_fill().shift(1) == pl.col("_d"))
            .then(pl.when(currency).then(pl.col("unit")).forward_fill().shift(1))
            .alias("_last_currency"),
        )
    )
    # The words around a figure are read only when it has no unit yet (the rules below fill no other).
    units = _on_rows(
        _add_columns(units, neighbours, "_k"),
        pl.col("unit").is_null(),
        _and_next=pl.col("_right").str.contains(r"(?i)^\s+(?:and|or)\s+[0-9]"),
        _of_them=pl.col("_right").str.contains(r"(?i)^\s+of\s+(?:them|those|these)(?-u:\b)"),
        _and_prev=pl.col("_left").str.contains(
            r"(?i)(?-u:\b)(?:and|or|versus|vs\.?)\s+(?:(?:almost|nearly|about|around|over|more\s+than|"
            r"up\s+to|some|roughly|another)\s+)?$"
        ),
        _money_left=pl.col("_left").str.contains(_MONEY_LEFT),
    )
    # The words between a figure and the one before it, when they are few (a connector's length)
    gap = pl.col("start") - pl.col("_prev_end")
    between = pl.when(
        pl.col("unit").is_null()
        & gap.is_between(1, _MOVE_GAP_CHARS)
        & (pl.col("_left").str.len_chars() >= gap)
    ).then(pl.col("_left").str.slice(pl.col("_left").str.len_chars() - gap))
    units = units.with_columns(_moved_from=between.str.contains(_MOVE_BETWEEN).fill_null(False))
    return (
        units.lazy()
        # Coordination: "7 and 18 trillion tokens" — the bare first number takes the next figure's
        # scale and unit; "produced 479,700 vehicles and delivered 466,140 of them" and "3 billion
        # parameters and almost 2 trillion total" — a bare or scaled number without a unit takes the
        # unit of the figure before it in the same sentence.
        .with_columns(
            pl.when(
                pl.col("unit").is_null()
                & pl.col("_next_same").fill_null(False)
                & pl.col("_and_next")
                & (pl.col("_lo_scale") == 1.0)
            )
            .then(pl.col("value") * pl.col("_next_scale"))
            .otherwise(pl.col("value"))
            .alias("value"),
            pl.when(pl.col("unit").is_null() & pl.col("_next_same").fill_null(False) & pl.col("_and_next"))
            .then(pl.col("_next_unit"))
            .when(
                pl.col("unit").is_null()
                & pl.col("_prev_same").fill_null(False)
                & (
                    pl.col("_of_them")
                    | ((pl.col("los").is_not_null() | pl.col("his").is_not_null()) & pl.col("_and_prev"))
                )
            )
            .then(pl.col("_prev_unit"))
            # The level a change of a count reached, or the figure it is compared with: "headcount
            # shrank by 150,000 to 2.1 million", "sold 2.1 million vehicles, up from 1.5 million" (a
            # scaled number right after a counted figure and a connector; never after a percent:
            # "rose 5% to 2.1 million" names the level of something else)
            .when(
                pl.col("unit").is_null()
                & pl.col("_prev_same").fill_null(False)
                & (pl.col("los").is_not_null() | pl.col("his").is_not_null())
                & pl.col("_moved_from")
                & ~pl.col("_prev_unit").is_in(["percent", "multiplier", "rank"]).fill_null(True)
            )
            .then(pl.col("_prev_unit"))
            .otherwise(pl.col("unit"))
            .alias("unit"),
        )
        .with_columns(
            # "valuation passed 38 billion" after dollar figures: the currency last named in the document.
            pl.when(
                pl.col("unit").is_null()
                & (pl.col("los").is_not_null() | pl.col("his").is_not_null())
                & pl.col("_money_left")
            )
            .then(pl.col("_last_currency"))
            .otherwise(pl.col("unit"))
            .alias("unit")
        )
        .drop("_and_next", "_of_them", "_and_prev", "_money_left", "_moved_from")
    ).collect(engine=_ENGINE)


def mention_frame(
    docs: pl.DataFrame,
    mentions: pl.DataFrame,
    entities: pl.DataFrame,
    sents: pl.DataFrame,
    texts: _Utf8Texts | None = None,
) -> pl.DataFrame:
    """Mentions with their entity type and sentence: _d, entity_id, m_start, m_end, m_type, _k,
    m_sentence, m_par, and up to 30 characters of their sentence left of them (m_left) and 20 right
    (m_right); sorted by _k. `texts`: `_Utf8Texts` of docs.text, when the caller has it."""
    doc_index = docs.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("_d"), "doc_id").lazy()
    sents_lf = sents.lazy()
    ments = (
        mentions.lazy()
        .select(
            "doc_id",
            "entity_id",
            pl.col("start").cast(pl.Int64).alias("m_start"),
            pl.col("end").cast(pl.Int64).alias("m_end"),
        )
        .join(doc_index, on="doc_id")
        .join(
            entities.lazy()
            .select(
                "entity_id",
                pl.col("type").alias("m_type"),
                pl.col("name").str.contains(_STATISTICS_OFFICE).fill_null(False).alias("m_stats"),
            )
            .unique("entity_id"),
            on="entity_id",
        )
        .with_columns(_key(pl.col("_d"), pl.col("m_start")).alias("_k"))
        .sort("_k")
        .join_asof(
            sents_lf.select(
                "_k",
                pl.col("sentence_id").alias("m_sentence"),
                pl.col("paragraph_id").alias("m_par"),
                pl.col("sentence_start").alias("_ss"),
                pl.col("sentence_end").alias("_se"),
            ),
            on="_k",
            strategy="backward",
        )
        .collect(engine=_ENGINE)
    )
    # Context words decide whether a mention can own figures (a source, an object, a description):
    # up to 30 characters of its sentence left of it and 20 right.
    left_start = pl.max_horizontal(pl.col("m_start") - 30, pl.col("_ss").fill_null(0), pl.lit(0))
    right_end = pl.min_horizontal(pl.col("m_end") + 20, pl.col("_se").fill_null(pl.col("m_end") + 20))
    if not docs.get_column("doc_id").is_duplicated().any():
        # Each window is cut out of the batch's UTF-8 text by byte offsets (`_Utf8Texts`); a window
        # that does not lie in its text (none on clean input) is empty.
        texts = texts or _Utf8Texts(docs.get_column("text"))
        at = ments.select("_d", left_start.alias("_ls"), "m_start", "m_end", right_end.alias("_re"))
        d, ls, m_start, m_end, re_ = (at.get_column(c).to_numpy() for c in at.columns)
        n = texts.n_chars[d]
        left = (ls >= 0) & (ls <= m_start) & (m_start <= n)
        right = (m_end >= 0) & (m_end <= re_) & (re_ <= n)
        m_left = texts.cut(d, np.where(left, ls, 0), np.where(left, m_start, 0))
        m_right = texts.cut(d, np.where(right, m_end, 0), np.where(right, re_, 0))
        return ments.with_columns(m_left.alias("m_left"), m_right.alias("m_right")).drop("_ss", "_se")
    # (a batch holding a doc_id twice: the windows are sliced from its first text, as `slice_spans` does)
    # One span per mention (left window, the mention, right window) is sliced out of the batch's text
    # and cut in three: half the spans of slicing each window alone.
    bounds = ments.select(
        "doc_id",
        "m_start",
        "m_end",
        left_start.alias("_ls"),
        right_end.alias("_re"),
        pl.min_horizontal(left_start, pl.col("m_start")).alias("start"),
        pl.max_horizontal(right_end, pl.col("m_end")).alias("end"),
    )
    whole = slice_spans(docs, bounds)
    a, b = pl.col("start"), pl.col("end")
    # (the span holds both windows when it lies in the text and the mention inside it; any other row
    # (none on clean input) has each window sliced alone, as a window outside its text is empty)
    inside = (
        pl.col("_w").is_not_null() & pl.col("m_start").is_between(a, b) & pl.col("m_end").is_between(a, b)
    )
    windows = bounds.with_columns(whole.alias("_w")).select(
        inside.alias("_inside"),
        pl.when(pl.col("_ls") <= pl.col("m_start"))
        .then(pl.col("_w").str.slice(pl.col("_ls") - a, pl.col("m_start") - pl.col("_ls")))
        .otherwise(pl.lit(""))
        .alias("m_left"),
        pl.when(pl.col("m_end") <= pl.col("_re"))
        .then(pl.col("_w").str.slice(pl.col("m_end") - a, pl.col("_re") - pl.col("m_end")))
        .otherwise(pl.lit(""))
        .alias("m_right"),
    )
    outside = windows.get_column("_inside").not_().arg_true()
    m_left, m_right = windows.get_column("m_left"), windows.get_column("m_right")
    if len(outside):
        rest = bounds[outside]
        left = rest.select("doc_id", pl.col("_ls").alias("start"), pl.col("m_start").alias("end"))
        right = rest.select("doc_id", pl.col("m_end").alias("start"), pl.col("_re").alias("end"))
        m_left = m_left.scatter(outside, slice_spans(docs, left).fill_null(""))
        m_right = m_right.scatter(outside, slice_spans(docs, right).fill_null(""))
    return ments.with_columns(m_left.alias("m_left"), m_right.alias("m_right")).drop("_ss", "_se")


def exclusion_reasons(cands: pl.DataFrame, ments: pl.DataFrame) -> pl.DataFrame:
    """Step `exclusions`: adds `reason` (a drop reason, or null for a metric) from the parse, the
    unit, the words around the figure and the entity mentions (`mention_frame`) it may sit inside."""
    rest = pl.col("rest").fill_null("")
    value, unit, is_rank, mult_word = pl.col("value"), pl.col("unit"), pl.col("_is_rank"), pl.col("_mult")
    digits_only = pl.col("lo").str.contains(r"^[0-9]+(?:\.[0-9]+)?$")
    prev_word = pl.col("_left").str.extract(r"([A-Za-z][[A-Za-z0-9_]\-]*)\s+$", 1)
    version_word = prev_word.str.contains(
        r"^(?:[A-Z][A-Za-z0-9-]*|v|version|round|phase|step|level|gen|generation|series|model|chapter|page|"
        r"section|part|line|episode|season|tier|no)$"
    ) & ~prev_word.str.contains(
        r"^(?i:the|a|an|about|over|nearly|some|around|approximately|more|up|only|just|with|in|at|by|for|of|and|"  # noqa: E501
        r"than|to|from|its|their|his|her|our|all|almost|roughly|under|below|above|least|exceeded|exceeds|"
        r"reached|hit|had|has|have|is|was|were|are|be|been|another|additional|extra|total|than|as|whopping)$"
    )
    year_like = (
        digits_only
        & pl.col("lo").str.contains(r"^(?:19|20)[0-9]{2}$")
        & pl.col("los").is_null()
        & pl.col("his").is_null()
    )
    is_zh = pl.col("lo").str.contains(r"^[零一二两三四五六七八九十百千]+$")
    is_word = pl.col("lo").str.contains(r"^(?i)[a-z]")
    idiom = (
        mult_word.is_not_null()
        & ~pl.col("surface").str.contains(r"(?i)ed$")
        & ~pl.col("_right").str.contains(
            r"(?i)^\s+(?:the|as|that|its|their|his|her|our|what|over|from|in|to)(?-u:\b)"
        )
    ) | (
        pl.col("_fraction").is_not_null()
        & (
            ~pl.col("_right").str.contains(r"(?i)^\s+of(?-u:\b)")
            | pl.col("_right").str.contains(
                r"(?i)^\s+of\s+(?:the\s+|this\s+|that\s+|next\s+|last\s+)?(?:(?:fiscal\s+)?(?:19|20)[0-9]{2}|year|month|decade|century|quarter|season|fiscal|day|week|game|match)"
            )
            | pl.col("_left").str.contains(
                r"(?i)(?-u:\b)(?:first|second|third|fourth|last|latter|former|next|past|other|each|every)\s+$"
            )
        )
    )
    # The rules that read the words around a figure run only on the figures of the units they judge.
    promo_rows = unit.is_in(["users", "people", "count", "customers"])
    idiom_rows = mult_word.is_not_null() | pl.col("_fraction").is_not_null()
    version_rows = (
        ~is_rank
        & mult_word.is_null()
        & digits_only.fill_null(False)
        & pl.col("cur").is_null()
        & pl.col("los").is_null()
        & pl.col("his").is_null()
        & (unit != "percent")
    )
    temp = {
        "_ticker": (
            unit == "percent",
            pl.col("_left").str.contains(r"\(\s*[A-Z]{1,6}(?:\.[A-Z]{1,3})?:?\s*[+\-−]?$")
            & pl.col("_right").str.contains(r"^\s*\)"),
        ),
        "_promo": (
            promo_rows,
            pl.col("_left").str.contains(
                r"(?i)(?:^|[^a-z])(?:join|subscribe|sign\s+up)(?:\s+(?:to|with))?(?:\s+(?:our|the)\s+\S+)?"
                r"\s+(?:more\s+than\s+|over\s+|some\s+|about\s+|nearly\s+)?$"
            ),
        ),
        "_relative": (
            unit == "days",
            pl.col("_left").str.contains(r"(?i)(?-u:\b)(?:past|next|last|coming|previous|following)\s+$"),
        ),
        "_idiom": (idiom_rows, idiom),
        "_version": (version_rows, version_word.fill_null(False)),
    }
    for name, (rows, rule) in temp.items():
        cands = _on_rows(cands, rows, **{name: rule})
    reason = (
        pl.when(value.is_null() | ~value.is_finite() | (value < 0))
        .then(pl.lit(BAD_VALUE))
        .when(
            pl.col("sentence_start").is_null()
            | (pl.col("end") > pl.col("sentence_end"))
            | (pl.col("start") < pl.col("sentence_start"))
        )
        .then(pl.lit(OUTSIDE_SENTENCE))
        # A figure opening with a currency symbol is a figure even glued to a word ("secures$2bn").
        .when(
            # (the last character a word character, or the last two one and a joiner)
            pl.col("_left").str.contains(r"(?:[A-Za-z0-9_]|[A-Za-z0-9][-.:/])$")
            & ~pl.col("surface").str.contains(r"^[$¥￥€£₩₹]")
        )
        .then(pl.lit(PART_OF_NAME))
        .when(rest.str.contains(r"[×xX]\s?[0-9]"))
        .then(pl.lit(DIMENSIONS))
        .when(pl.col("_left").str.contains(r"[0-9]\s+(?:in|out\s+of)\s+$"))
        .then(pl.lit(RATIO))
        .when(unit.is_null() | ~unit.is_in(list(UNITS)))
        .then(pl.lit(NO_UNIT))
        # "(ARM 4.11%)": a ticker and its move in brackets, a quote widget.
        .when((unit == "percent") & pl.col("_ticker"))
        .then(pl.lit(TICKER))
        # "Join over 80,000 subscribers": a publisher's invitation, not a fact about the story.
        .when(promo_rows & pl.col("_promo"))
        .then(pl.lit(PROMO))
        .when((unit == "days") & pl.col("_relative"))
        .then(pl.lit(RELATIVE_TIME))
        # Word figures only where they name a factor or share: "twice the", "half of its revenue" —
        # not "met twice", "double-digit", "the first half of 2024".
        .when(idiom_rows & pl.col("_idiom"))
        .then(pl.lit(WORD_IDIOM))
        .when(year_like & ~unit.is_in([*CURRENCIES, "percent"]))
        .then(pl.lit(YEAR))
        .when(version_rows & pl.col("_version"))
        .then(pl.lit(VERSION_NUMBER))
        .when(
            (is_word | is_zh).fill_null(False)
            & pl.col("los").is_null()
            & pl.col("his").is_null()
            & (unit.is_in(["people", "employees", "GPU", "users"]) | (value <= 1))
        )
        .then(pl.lit(SMALL_WORD_COUNT))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    cands = cands.lazy().with_columns(reason.alias("reason")).drop(*temp).collect(engine=_ENGINE)
    ments_lf = ments.lazy()
    # A figure inside a MODEL/PRODUCT mention is that entity's name ("6B parameter version", "QwQ-32B").
    # Mentions do not overlap, so only the last one starting at or before a figure can hold it: an as-of
    # join, linear in a long document (joining every figure to every mention of its document was not).
    inside = (
        cands.lazy()
        .filter(pl.col("reason").is_null())
        .select("_d", "start", "end", _key(pl.col("_d"), pl.col("start")).alias("_k"))
        .sort("_k")
        .join_asof(
            ments_lf.filter(pl.col("m_type").is_in(["MODEL", "PRODUCT"]))
            .select(pl.col("_d").alias("_md"), "m_end", _key(pl.col("_d"), pl.col("m_start")).alias("_k"))
            .sort("_k"),
            on="_k",
            strategy="backward",
        )
        .filter((pl.col("_md") == pl.col("_d")) & (pl.col("m_end") >= pl.col("end")))
        .select("_k", pl.lit(True).alias("_inside"))
        .unique()
    )
    cands = (
        _add_columns(cands, inside, "_k")
        .lazy()
        .with_columns(
            pl.when(pl.col("reason").is_null() & pl.col("_inside").fill_null(False))
            .then(pl.lit(INSIDE_ENTITY))
            .otherwise(pl.col("reason"))
            .alias("reason")
        )
        .drop("_inside")
    )
    return cands.collect(engine=_ENGINE)


# Where one clause of a sentence ends and a coordinate one begins: "; ", ", and ", ", while ", ", but ".
_CLAUSE_JOIN = r"(?i)[;；]\s*|,\s+(?:and|but|while|whereas|yet)\s+"
# Clauses of a sentence keyed apart (a sentence's own key is clause 0): at most this many per sentence.
_MAX_CLAUSES = 64


def clause_context(kept: pl.DataFrame) -> pl.DataFrame:
    """Adds `_sk` (an integer key of the figure's clause) and `_ctext` (that clause's text, null when it
    is the whole sentence `_stext`): the span of the sentence between the `_CLAUSE_JOIN`s around the
    figure, where the kind rules look for their sentence words (`_KIND_SENTENCE`). "revenue rose 10% to
    $5 billion, and the company spent $2 billion" gives the $2 billion the second clause alone: no
    revenue word. A clause with under two words before its figure continues the one before ("revenue
    was $5 billion in May, and $6 billion in June"): such a figure, and every figure of a sentence with
    no join, reads the whole sentence (clause 0)."""
    # (searched once per run of figures of one sentence, ~2 figures: a sentence's figures are adjacent
    # in the order of the text, and a sentence split in two runs is only searched twice)
    run = (
        (pl.col("_d") != pl.col("_d").shift(1)) | (pl.col("sentence_id") != pl.col("sentence_id").shift(1))
    ).fill_null(True)
    joined = pl.col("_stext").filter(run).str.contains(_CLAUSE_JOIN).gather(run.cum_sum().cast(pl.Int64) - 1)
    prefix = pl.col("_stext").str.slice(0, (pl.col("start") - pl.col("sentence_start")).clip(0))
    kept = _on_rows(
        kept,
        joined,
        _ci=prefix.str.count_matches(_CLAUSE_JOIN),
        # (under two words since the last join: at most one word, or one character of a script
        # without spaces, between it and the figure)
        _own=~prefix.str.contains(
            r"(?:[;；]\s*|,\s+(?i:and|but|while|whereas|yet)\s+)(?:[A-Za-z0-9_$€£¥.,%'’-]+\s*|[^\x00-\x7f]\s*)?$"
        ),
    )
    clause = (
        pl.when(pl.col("_own").fill_null(False))
        .then(pl.col("_ci") + 1)
        .otherwise(0)
        .clip(0, _MAX_CLAUSES - 1)
    )
    kept = kept.with_columns(clause.alias("_cl")).drop("_ci", "_own")
    # (split only in the sentences read by clause: a when/then split every sentence)
    kept = _on_rows(
        kept,
        pl.col("_cl") > 0,
        _ctext=pl.col("_stext")
        .str.replace_all(_CLAUSE_JOIN, "\x00")
        .str.split("\x00")
        .list.get(pl.col("_cl") - 1, null_on_oob=True),
    )
    return kept.with_columns(
        _key(pl.col("_d"), pl.col("sentence_id") * _MAX_CLAUSES + pl.col("_cl")).alias("_sk")
    ).drop("_cl")


# The words before an amount that make a bare "charge" a one-off cost whatever its size ("a one-time
# charge of $900,000").
_CHARGE_MODIFIER_LEFT = (
    r"(?i)(?-u:\b)(?:restructuring|impairment|one-?(?:off|time)|non-?cash|pre-?tax|special|exceptional|"
    r"severance|accounting|litigation|legal)\s+charges?\s+(?:[a-z]+\s+){0,3}$"
)


def _charge_or_price(kept: pl.DataFrame) -> pl.DataFrame:
    """`_near` "_charge" (a bare "charge" named nearest an amount, `_CHARGE_CUES`) -> charge when the
    amount is in millions or more or a one-off word qualifies the noun, price otherwise: companies book
    charges of millions, and charge customers prices ("charges $5 a month", "a $5 charge")."""
    bare = pl.col("_near") == "_charge"
    if not kept.select(bare.any()).item():
        return kept
    kept = _on_rows(
        kept,
        bare.fill_null(False),
        _ch=pl.when(
            (pl.col("_lo_scale") >= 1e6) | pl.col("_left").str.tail(60).str.contains(_CHARGE_MODIFIER_LEFT)
        )
        .then(pl.lit("charge"))
        .otherwise(pl.lit("price")),
    )
    return kept.with_columns(pl.coalesce("_ch", "_near").alias("_near")).drop("_ch")


# The change of a statement line told after its amount and the period it covers: "a pre-tax profit of $8.5
# billion for the third quarter, up 10%", "net sales of $13.2 billion in the three months to June, down 2%"
# (the period phrase puts the noun past `_PCT_CUE_LEFT`'s reach, which allows one word after the amount).
# The figure is the change of that noun (`<kind>_change`), read from the clause's text before it.
_PERIOD_PHRASE = (
    r"(?:for|in|over|during)\s+(?:the\s+|its\s+)?(?:[a-z0-9-]+\s+){0,3}(?:quarter|year|half|months?|weeks?|"
    r"period)(?:\s+(?:to|ended|ending|through|until)(?:\s+[a-z]+)?(?:\s+[0-9]{1,2})?(?:,?\s+[0-9]{4})?)?"
)
_CHANGE_AFTER = (
    r"(?:up|down|rising|falling|growing|increasing|decreasing|declining|"
    r"an?\s+(?:rise|increase|fall|drop|decline)\s+of)"
)
_PERIOD_CHANGE_HINT = rf"(?-u),\s+{_CHANGE_AFTER}\s+$"
_PERIOD_CHANGE_LEFT = (
    rf"(?:^|[^a-z])({_CUE_ANY})\s+(?:[a-z.]+\s+){{0,3}}(?:[$€£¥]|us\$)?[0-9][0-9.,]*"
    r"(?:\s?[a-z]+)?(?:\s+[a-z]+)?\s+"
    rf"{_PERIOD_PHRASE},?\s+{_CHANGE_AFTER}\s+$"
)


def _period_change(kept: pl.DataFrame) -> pl.DataFrame:
    """A percent of no kind or the generic `change` whose left words are a statement noun, its amount, a
    period phrase and a word of change (`_PERIOD_CHANGE_LEFT`) -> that noun's `<kind>_change` (a
    `_MONEY_CUES` kind: "profit of $8.5 billion for the third quarter, up 10%" -> profit_change)."""
    open_kind = _PERCENT & (pl.col("kind").is_null() | (pl.col("kind") == "change"))
    hinted = _masked_value(open_kind, "_left", lambda t: t.str.tail(24).str.contains(_PERIOD_CHANGE_HINT))
    kept = _on_rows(
        kept,
        hinted.fill_null(False),
        _pchg=_first_match_map(
            # (the sentence's text before the figure: the noun stands past `_left`'s 60 characters)
            pl.col("_stext")
            .str.slice(0, (pl.col("start") - pl.col("sentence_start")).clip(0))
            .str.tail(160)
            .str.to_lowercase()
            .str.extract(_PERIOD_CHANGE_LEFT, 1),
            [(pat, f"{kind}_change") for kind, pat in _MONEY_CUES],
            "^(?:{})$",
        ),
    )
    return kept.with_columns(pl.coalesce("_pchg", "kind").alias("kind")).drop("_pchg")


# Commodities quoted by a market report (the traded raw materials of energy, metals and farming: the
# exchange-traded classes of the CME and ICE contract lists, by their common English names) and the units
# their prices are quoted in. A commodity moving is no stock: "Brent crude rose 1.2%", "gold fell 1%" ->
# commodity_price_change; an amount of money per such unit is the commodity's price, no share price:
# "$73.40 a barrel", "$2,400 an ounce" -> commodity_price.
_COMMODITY_NAMES = (
    r"brent|wti|west\s+texas\s+intermediate|crude|oil|natural\s+gas|gas\s+oil|heating\s+oil|gasoline|diesel|"
    r"jet\s+fuel|coal|lng|uranium|gold|silver|platinum|palladium|copper|aluminium|aluminum|nickel|zinc|"
    r"iron\s+ore|steel|lithium|cobalt|wheat|corn|maize|soybeans?|soy|rice|oats|barley|canola|rapeseed|"
    r"palm\s+oil|coffee|cocoa|sugar|cotton|orange\s+juice|lumber|cattle|hogs|rubber"
)
# (read in the text's own case: a commodity's name is lower-case inside a sentence, "U.S. crude fell", so
# a capitalised one there is part of a company's name, "Barrick Gold rose 3%"; Brent and WTI are names)
_COMMODITY_MOVE_LEFT = (
    rf"(?:(?:^|[.;:]\s+)(?i:{_COMMODITY_NAMES})|(?:^|[^A-Za-z])(?:{_COMMODITY_NAMES}|(?i:brent|wti|"
    r"west\s+texas\s+intermediate)))(?i:\s+(?:crude|oil|futures|prices?|spot\s+prices?|contracts?)){0,2}"
    rf"(?i:\s+(?:(?:was|were|has|had|have|is|are)\s+)?(?:{_CHANGE_UP_WORDS}|{_CHANGE_DOWN_WORDS}|lost|added|"
    r"slid|eased|firmed|rallied|surged|advanced|retreated|rebounded|fallen|risen)\s+(?:by\s+)?(?:about\s+|nearly\s+|"
    r"almost\s+|some\s+|around\s+|roughly\s+)?)$"
)
# (ASCII case-folding: the names are ASCII, and a Unicode case-insensitive alternation costs ~5x more)
_COMMODITY_HINT = rf"(?-u)(?i)\b(?:{_COMMODITY_NAMES})\b"
_COMMODITY_UNIT_RIGHT = (
    r"(?-u)(?i)^\s+(?:a|an|per|/)\s*(?:barrel|bbl|(?:troy\s+)?ounce|oz|(?:metric\s+)?tonne|(?:metric\s+|short\s+)?ton|"
    r"bushel|mmbtu|million\s+british\s+thermal\s+units|megawatt[\s-]hour|mwh|therm|pound|lb|kilogram|kg)"
    r"(?-u:\b)"
)


def _commodity_kinds(kept: pl.DataFrame) -> pl.DataFrame:
    """A percent whose clause moves a commodity right before it (`_COMMODITY_MOVE_LEFT`) ->
    commodity_price_change; an amount of money followed by "a barrel", "an ounce", "per tonne", ...
    (`_COMMODITY_UNIT_RIGHT`) -> commodity_price. Either outranks the generic kinds a market report's
    words give it (change, stock_change, share_price, price, or none)."""
    generic = pl.col("kind").is_null() | pl.col("kind").is_in(
        ["change", "stock_change", "share_price", "price"]
    )
    # (each scan a column of its own, on the rows the one before kept: a commodity's name, then its move)
    kept = kept.with_columns(generic.alias("_cg"))
    kept = _on_rows(kept, _PERCENT & pl.col("_cg"), _chint=pl.col("_left").str.contains(_COMMODITY_HINT))
    kept = _on_rows(kept, pl.col("_chint"), _cmove=pl.col("_left").str.contains(_COMMODITY_MOVE_LEFT))
    kept = _on_rows(kept, _MONEY, _cunit=pl.col("_right").str.contains(_COMMODITY_UNIT_RIGHT))
    # An amount per barrel or ounce is no company's statement either when the clause names the commodity
    # ("profit fell 20% as Brent crude averaged $84 a barrel": not a profit); without the name it may be
    # the company's own ("production costs of $40 a barrel"), and keeps its kind.
    kept = _on_rows(
        kept,
        pl.col("_cunit").fill_null(False) & ~pl.col("_cg"),
        _cnamed=pl.col("_left").str.contains(_COMMODITY_HINT),
    )
    kept = kept.with_columns(
        (pl.col("_cunit").fill_null(False) & (pl.col("_cg") | pl.col("_cnamed").fill_null(False))).alias(
            "_cunit"
        )
    )
    return kept.with_columns(
        pl.when(pl.col("_cmove").fill_null(False))
        .then(pl.lit("commodity_price_change"))
        .when(pl.col("_cunit").fill_null(False))
        .then(pl.lit("commodity_price"))
        .otherwise(pl.col("kind"))
        .alias("kind")
    ).drop("_cg", "_chint", "_cmove", "_cunit", "_cnamed")


# A percent followed by a comparative of more or less: the Spanish, French, Italian and German way to
# write a change ("un beneficio de 1.230 millones, un 8% más que un año antes", "8 % de plus", "l'8% in
# più", "8% weniger"): a rise or a fall of the statement noun before it (`figure_directions` reads the
# same words for the direction).
_COMPARATIVE_RIGHT = (
    r"(?i)^\s+(?:(más|de\s+plus|in\s+più|mehr)|(menos|de\s+moins|in\s+meno|weniger))(?:[^a-zà-ÿ]|$)"
)


def _comparative_change(kept: pl.DataFrame) -> pl.DataFrame:
    """A percent of no kind or the generic `change` followed by a comparative (`_COMPARATIVE_RIGHT`) ->
    the `<kind>_change` of the last statement noun before it in its sentence (past a semicolon none is
    read: "un beneficio de X, un 8% más" -> profit_change), `change` when there is none."""
    open_kind = _PERCENT & (pl.col("kind").is_null() | (pl.col("kind") == "change"))
    compared = _contains_where(open_kind, "_right", _COMPARATIVE_RIGHT, length=20)
    noun = (
        pl.col("_stext")
        .str.slice(0, (pl.col("start") - pl.col("sentence_start")).clip(0))
        .str.to_lowercase()
        .str.replace(r"^.*[;；]", "")
        .str.extract(rf"^.*(?:^|[^a-zà-ÿ])({_STATEMENT_ANY})(?:[^a-zà-ÿ]|$)", 1)
    )
    kept = _on_rows(
        kept,
        compared,
        _cchg=pl.coalesce(
            _first_match_map(noun, [(pat, f"{kind}_change") for kind, pat in _MONEY_CUES[:3]], "^(?:{})$"),
            pl.lit("change"),
        ),
    )
    return kept.with_columns(pl.coalesce("_cchg", "kind").alias("kind")).drop("_cchg")


def figure_kinds(kept: pl.DataFrame) -> pl.DataFrame:
    """Step `kind`: adds `qualifier` (up_to, over, about, ...) and `kind` (what the figure measures:
    revenue, funding, share_price, ...; null when the sentence does not say)."""
    # The sentence patterns run once per sentence (a sentence holds ~2 figures on news), joined back by
    # one integer key. Each is read only with a figure of its unit (money, percent, tokens:
    # `_kind_rules`), so it is tested only in the sentences holding one.
    # (per clause: a figure does not borrow the words of a coordinate clause, `clause_context`)
    kept = clause_context(kept)
    sentences = (
        kept.lazy()
        .filter(_MONEY | _PERCENT | _TOKENS)
        .group_by("_sk")
        .agg(
            pl.coalesce(pl.col("_ctext").first(), pl.col("_stext").first()).str.to_lowercase().alias("_low"),
            _MONEY.any().alias("_m"),
            _PERCENT.any().alias("_p"),
            _TOKENS.any().alias("_t"),
        )
        .collect(engine=_ENGINE)
    )
    patterns = {
        name: reduce(operator.or_, (pl.col("_low").str.contains(q) for q in p))
        if isinstance(p, tuple)
        else pl.col("_low").str.contains(p)
        for name, p in _KIND_SENTENCE.items()
    }
    sentences = _on_rows(sentences, pl.col("_m") | pl.col("_p"), _s_stock=patterns["_s_stock"])
    for has, names in _KIND_SENTENCE_UNITS:
        sentences = _on_rows(sentences, pl.col(has), **{n: patterns[n] for n in names})
    kept = _add_columns(kept, sentences.select("_sk", *_KIND_SENTENCE), "_sk")
    # The kind of `_MONEY_CUES` named nearest the figure: the noun right after the amount names the
    # amount itself (`_CUE_RIGHT`) and outranks a cue before it (`_CUE_LEFT`). The two capturing
    # regexes run only on the money figures a cue word is near, each side only where a cue word is
    # on it (and the left one only where the right one found none).
    # (the hints are looked for in the money figures' words alone)
    kept = kept.with_columns(
        _masked_value(_MONEY, "_left", lambda t: t.str.tail(80).str.contains(_CUE_HINT)).alias("_hl"),
        _masked_value(_MONEY, "_right", lambda t: t.str.head(60).str.contains(_CUE_HINT)).alias("_hr"),
    )
    kept = _on_rows(
        kept,
        pl.col("_hr"),
        _cue_r=pl.col("_right").str.head(60).str.to_lowercase().str.extract(_CUE_RIGHT, 1),
    )
    kept = _on_rows(
        kept,
        pl.col("_hl") & pl.col("_cue_r").is_null(),
        _cue_l=pl.col("_left").str.tail(80).str.to_lowercase().str.extract(_CUE_LEFT, 1),
    )
    cue = pl.coalesce(pl.col("_cue_r"), pl.col("_cue_l"))
    kept = _on_rows(
        kept,
        cue.is_not_null(),
        _near=_first_match_map(cue, [(pat, kind) for kind, pat in [*_MONEY_CUES, *_CHARGE_CUES]], "^(?:{})$"),
    ).drop("_hl", "_hr", "_cue_r", "_cue_l")
    kept = _charge_or_price(kept)
    # A percent's nearest noun before it (`_PCT_CUE_LEFT`: the noun _pc, the words between _pb) and
    # the kind it names (`_percent_cue`), read only where a cue word is on the left.
    # (the hint is looked for in the percent figures' words alone: a quarter of the figures; both groups
    # come from one capture search, the costly part, stored as a struct column before its fields are
    # read: a struct expression read twice was evaluated twice)
    kept = kept.with_columns(
        _masked_value(_PERCENT, "_left", lambda t: t.str.tail(60).str.contains(_PCT_CUE_HINT))
        .fill_null(False)
        .alias("_hp")
    )
    kept = kept.with_columns(
        _masked_value(
            pl.col("_hp"),
            "_left",
            lambda t: t.str.tail(60).str.to_lowercase().str.extract_groups(_PCT_CUE_LEFT),
        ).alias("_pcg")
    )
    kept = kept.with_columns(
        pl.col("_pcg").struct.field("1").alias("_pc"), pl.col("_pcg").struct.field("2").alias("_pb")
    ).drop("_hp", "_pcg")
    kept = _on_rows(
        kept,
        pl.col("_pc").is_not_null(),
        _pct_cue=_percent_cue(pl.col("_pc"), pl.col("_pb"), pl.col("surface").str.contains(_POINTS)),
    )
    # A rate named right after the percent (`_RATE_RIGHT`), read only where a rate word is there.
    head = pl.col("_right").str.head(40)
    kept = _on_rows(
        kept,
        _masked_value(_PERCENT, "_right", lambda t: t.str.head(40).str.contains(_RATE_RIGHT_HINT)),
        _rate_r=_first_match_map(
            head.str.to_lowercase().str.extract(_RATE_RIGHT, 1),
            [(r"(?:.*\s)?(?:cuts?|hikes?|reductions?|increases?|rises?)(?:\s.*)?", "interest_rate_change"),
             *((pat, kind) for kind, pat in _RATE_CUES[1:])],
            "^(?:{})$",
        ),
    )  # fmt: skip
    # A statement noun changed by the percent, named after it ("a 14% rise in net profit").
    # (the hint read in the percents' words alone)
    kept = _on_rows(
        kept,
        _masked_value(_PERCENT, "_right", lambda t: t.str.contains(_CHANGE_IN_HINT), length=60),
        _change_in=_change_in_kind(pl.col("_right")),
    )
    # With no cue next to an amount of money, the statement noun nearest before it in its clause, past
    # other figures ("cut its profit forecast to ¥400 billion from ¥1.25 trillion, as sales fell": both
    # are profit; a word of forecast or guidance names no kind of its own), read only where the clause
    # names a statement noun at all.
    prefix = pl.col("_stext").str.slice(0, (pl.col("start") - pl.col("sentence_start")).clip(0))
    kept = _on_rows(
        kept,
        _MONEY & pl.col("_near").is_null() & (pl.col("_s_revenue") | pl.col("_s_profit")).fill_null(False),
        _far=_first_match_map(
            prefix.str.to_lowercase()
            .str.replace(r"^.*(?:[;；]|,\s+(?:and|but|while|whereas|yet)\s)", "")
            .str.extract(rf"^.*(?:^|[^a-z])({_STATEMENT_ANY})(?:[^a-z]|$)", 1),
            [(pat, kind) for kind, pat in _MONEY_CUES[:3]],
            "^(?:{})$",
        ),
    )
    # With no such noun, whether a stock word stands before the percent in its sentence or right after
    # it (read only where the sentence holds one).
    kept = _on_rows(
        kept,
        _PERCENT & pl.col("_s_stock").fill_null(False) & pl.col("_pc").is_null(),
        _stock_near=pl.col("_stext")
        .str.slice(0, (pl.col("start") - pl.col("sentence_start")).clip(0))
        .str.contains(_STOCK)
        | pl.col("_right")
        .str.head(40)
        .str.contains(
            r"(?i)^\s+(?:[a-z-]+\s+){0,2}(?:in|of)\s+(?:its\s+|the\s+|their\s+)?(?:shares|stocks?)(?-u:\b)"
        ),
    )
    # A range of percent "to a range of" in a sentence naming an interest rate before it: a central bank's
    # target range, the rate's level ("cut rates by 25 basis points on Friday, to a range of 3.50% to
    # 3.75%"; the noun may stand further back than `_PCT_CUE_LEFT` reads).
    kept = _on_rows(
        kept,
        _PERCENT & pl.col("value_high").is_not_null() & pl.col("_left").str.contains(r"(?-u)range\s+of\s+$"),
        _rate_range=prefix.str.to_lowercase().str.contains(
            rf"(?:^|[^a-z])(?:{_RATE_NOUNS})\s+rates?(?:[^a-z]|$)"
        ),
    )
    rules = _kind_rules(pl.col("_left"), pl.col("_right"))
    for rows, name, rule in rules:
        kept = _on_rows(kept, rows, **{name: rule})
    # Most figures have no qualifier: the rules, in order, run only on the tails some qualifier ends,
    # each distinct tail once ("more than ", "up to " repeat).
    # (the tails are lower-cased only once each distinct raw tail is found: lower-casing is costly)
    kept = kept.with_columns(pl.col("_left").str.tail(_QUALIFIER_CHARS).alias("_tail"))
    distinct = kept.select("_tail").unique()
    qualified = (
        distinct.lazy()
        .with_columns(_qualifier_tail(pl.col("_tail")).alias("_low"))
        .filter(pl.col("_low").str.contains(_ANY_QUALIFIER))
        .select("_tail", _qualifier(pl.col("_low")).alias("qualifier"))
    )
    kept = _add_columns(kept, qualified, "_tail").drop("_tail")
    kept = kept.with_columns(_kind(pl.col("unit")).alias("kind")).drop(
        "_sk",
        "_ctext",
        "_near",
        "_pc",
        "_pb",
        "_pct_cue",
        "_stock_near",
        "_rate_r",
        "_change_in",
        "_far",
        "_rate_range",
        *_KIND_SENTENCE,
        *(name for _, name, _ in rules),
    )
    kept = _period_change(kept)
    kept = _commodity_kinds(kept)
    kept = _comparative_change(kept)
    # A minus glued to the figure ("income was -$45 million", "(−3%)"): `value` is a magnitude (METRICS
    # docs: a loss is kind loss, not a negative profit), so a negative income is a loss; any other kind
    # has no place for the sign, and the figure is dropped rather than reported with the opposite sign.
    negative = pl.col("_left").str.contains(r"(?:^|[\s(\[:])[-−–]$")
    income = pl.col("kind").is_in(["profit", "loss"]).fill_null(False)
    # A signed percent is a change ("growth of -2%", "(−3%)"): its minus is a fall (`figure_directions`),
    # kept as a magnitude; a share of a market or a score has no sign to read.
    change = _PERCENT & ~pl.col("kind").is_in(["market_share", "benchmark_score"]).fill_null(False)
    kept = kept.with_columns(
        pl.when(negative & income)
        .then(pl.lit("loss"))
        .when(negative & change & pl.col("kind").is_null())
        .then(pl.lit("change"))
        .otherwise(pl.col("kind"))
        .alias("kind"),
        pl.when(negative & ~income & ~change)
        .then(pl.lit(NEGATIVE))
        .otherwise(pl.col("reason"))
        .alias("reason"),
    )
    points = _PERCENT & pl.col("surface").str.contains(_POINTS)
    kept = _on_rows(kept, points, _pk=_points_kind(pl.col("kind")))
    return kept.with_columns(pl.coalesce("_pk", "kind").alias("kind")).drop("_pk")


# A company's name as the direct subject of a verb of price moves, right before a percent: "Vodafone
# slipped 2.3%", "BP added 1.1%", "Acme was up 4%" (a market wrap names the stock by its company, with no
# word "shares"). `_MARKET_MOVE`'s verbs, and "added" / "shed" (a stock adds or sheds a percent), past a
# qualifier ("rose about 3%", "fell by as much as 5%").
_COMPANY_MOVE_TAIL = (
    rf"(?i)(\s+(?:{_MARKET_MOVE}|add(?:ed|s)|shed(?:s)?)(?:\s+by)?(?:\s+(?:about|around|nearly|almost|some|"
    r"roughly|more\s+than|over|as\s+much\s+as|just\s+under|less\s+than))?\s+)$"
)


def company_move_kinds(kept: pl.DataFrame, ments: pl.DataFrame) -> pl.DataFrame:
    """Step `kind`, share moves of a market wrap: a percent of kind `change` or none (a change of nothing
    its clause names: no revenue, profit, sales, margin; `figure_kinds`) whose direct subject is a mention
    of an organisation (`ments`: `mention_frame`), joined to the figure by a verb of price moves
    (`_COMPANY_MOVE_TAIL`), is the move of that company's stock: kind `stock_change` ("Vodafone slipped
    2.3% and BP added 1.1%"). "Revenue slipped 2.3%" names its noun and stays `revenue_change`; "Acme
    grew 5%" (no price verb) stays `change`."""
    rows = _PERCENT & (pl.col("kind").is_null() | (pl.col("kind") == "change"))
    # (the few figures a verb's tail ends the left context of are read apart, and their kind set in
    # place: a join of the wide frame cost ~10x the rule)
    moves = _on_rows(kept, rows, _m=pl.col("_left").str.contains(_COMPANY_MOVE_TAIL)).get_column("_m")
    if not moves.any():
        return kept
    at = moves.fill_null(False).arg_true()
    # (the name ends where the verb's tail starts: a mention of an organisation ending there)
    tail = pl.col("_left").str.extract(_COMPANY_MOVE_TAIL, 1)
    moved = (
        kept.select("_d", "start", "_left")[at]
        .select("_d", (pl.col("start") - tail.str.len_chars()).alias("m_end"), pl.Series("_at", at))
        .join(ments.filter(pl.col("m_type") == "ORG").select("_d", "m_end"), on=["_d", "m_end"], how="semi")
        .get_column("_at")
    )
    if moved.is_empty():
        return kept
    return kept.with_columns(kept.get_column("kind").scatter(moved, "stock_change"))


# What stands between a figure and the same figure restated in another unit: "cut about 10% of its
# workforce, or roughly 7,000 jobs", "350 employees, or about 15% of its staff" (`restated_kinds`).
_RESTATED_GAP = (
    r"(?i)^(?:\s+of\s+(?:its|the|their)\s+(?:[a-z-]+\s+){0,2}?(?:workforce|staff|employees|jobs|headcount|"
    r"revenues?|sales|profits?|earnings))?\s*,\s*or\s+(?:(?:about|around|roughly|some|nearly|almost|approximately|"
    r"more\s+than|over|just\s+over|just\s+under|less\s+than|an\s+estimated)\s+)?$"
)
_RESTATED_GAP_CHARS = 60
# The statements whose amount's change is the statement's kind with a direction ("revenue rose $2
# billion": revenue, up), whose percent is `<kind>_change` (`_MONEY_CUES`)
_STATEMENT_KINDS = [kind for kind, _ in _MONEY_CUES]


def restated_kinds(kept: pl.DataFrame) -> pl.DataFrame:
    """Step `kind` (after `figure_directions`): a figure restating the change before it in another unit,
    joined by ", or" (`_RESTATED_GAP`), is that change, and moves its way: "cut 10% of its workforce, or
    roughly 7,000 jobs" -> the 7,000 is a headcount_change as the 10% is; "350 employees, or about 15%
    of its staff" -> the 15% too; "revenue rose $2 billion, or 10%" -> the 10% is a revenue_change (an
    amount's change is its statement's kind and a direction). Only a figure of no kind, the generic
    `change` or the level the change's kind changes (headcount for headcount_change) takes it; a figure
    of another kind keeps its own."""
    if kept.height < 2:
        return kept
    order = kept.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"),
        *("_d", "start", "end", "sentence_start", "kind", "direction", "unit", "_left"),
    ).sort("_d", "start")
    same = (pl.col("_d").shift(1) == pl.col("_d")) & (
        pl.col("sentence_start").shift(1) == pl.col("sentence_start")
    )
    gap = pl.col("start") - pl.col("end").shift(1)
    prev_kind, prev_direction = pl.col("kind").shift(1), pl.col("direction").shift(1)
    target = (
        pl.when(prev_kind.str.ends_with("_change"))
        .then(prev_kind)
        .when(
            prev_kind.is_in(_STATEMENT_KINDS) & prev_direction.is_not_null() & (pl.col("unit") == "percent")
        )
        .then(prev_kind + "_change")
    )
    candidate = (
        same
        & gap.is_between(1, _RESTATED_GAP_CHARS)
        & target.is_not_null()
        & (pl.col("kind").is_null() | (pl.col("kind") == "change") | ((pl.col("kind") + "_change") == target))
        & (pl.col("_left").str.len_chars() >= gap)
    ).fill_null(False)
    found = order.with_columns(
        target.alias("_target"),
        prev_direction.alias("_prev_direction"),
        gap.alias("_gap"),
        candidate.alias("_c"),
    ).filter("_c")
    if found.height:
        found = found.filter(
            pl.col("_left")
            .str.slice(pl.col("_left").str.len_chars() - pl.col("_gap"))
            .str.contains(_RESTATED_GAP)
        )
    if found.height == 0:
        return kept
    rows = found.get_column("_row")
    direction = found.select(pl.coalesce("direction", "_prev_direction")).to_series()
    return kept.with_columns(
        kept.get_column("kind").scatter(rows, found.get_column("_target")),
        kept.get_column("direction").scatter(rows, direction),
    )


# A percent written in percentage points or basis points ("1.2 percentage points", "25 bps", "3个百分点"):
# the labels' unit is `percent` (devset README), the kind says it is a difference of two rates.
_POINTS = r"(?i)points?$|bps?$|个百分点$|prozentpunkte?$|pourcentage$|porcentuales?$|percentual[ei]$"


def _points_kind(kind: pl.Expr) -> pl.Expr:
    """The kind of a percent written in points: the change of its rate (`warehouse.schemas.RATE_KINDS`:
    "margin widened by 1.2 percentage points" -> margin_change, "cut rates by 25 basis points" ->
    interest_rate_change), point_change when no rate is named (a relative `<kind>_change` or `change`
    would misread it as a percent of the earlier value)."""
    rate_changes = [f"{k}_change" for k in RATE_KINDS]
    return (
        pl.when(kind.is_in(RATE_KINDS))
        .then(kind + "_change")
        .when(kind.is_in(rate_changes))
        .then(kind)
        .otherwise(pl.lit("point_change"))
    )


# Which way a figure moved, from the words of its own clause (`figure_directions`). The verbs and nouns
# of rise and fall are the ones financial news reports a change with ("rose 10%", "a 5% drop", "down 3%",
# "cut 2,500 jobs"); a figure that is the level reached or left ("rose to $5 billion", "up from 3%") is
# no change and has none.
_UP_WORDS = (
    rf"{_CHANGE_UP_WORDS}|ris(?:e|es|en|ing)|grow(?:s|n|ing)?|growth|surg(?:e|es|ed|ing)|"
    r"rall(?:y|ies|ied|ying)|spik(?:e|es|ed|ing)|leap(?:s|t|ed|ing)?|hik(?:e|es|ed|ing)|"
    r"rebound\w*|improv\w*|expan(?:d|ds|ded|ding|sion)|skyrocket\w*|balloon\w*|higher|"
    r"rais(?:e|es|ed|ing)|lift(?:s|ed|ing)?|"
    # (French and German: "l'action a gagné 2 %", "die Aktie gewann 3 Prozent", "ein Plus von 3 Prozent")
    r"gagn(?:é|e|ent|ait)|gewann|gewinnt|gewonnen|plus\s+von|"
    r"增长|上涨|上升|增加|提升|提高|增"
)
# "raised" / "lifted" move a figure only with "by" ("raised its rate by 25 basis points", "lifted prices by
# 4%"); before the figure itself they name an amount ("raised $2 billion" is funding, no rise).
_RAISE_WORDS = r"^(?:rais|lift)"
_BY_BEFORE_FIGURE = r"(?-u)\bby(?:\s+[a-z]+){0,2}\s*$"
_DOWN_WORDS = (
    rf"{_CHANGE_DOWN_WORDS}|fall(?:s|en|ing)?|slid(?:e|es|ing)?|plummet\w*|sink(?:s|ing)?|dipp?(?:s|ed|ing)?|"
    r"cut|cuts|cutting|contract(?:ed|ing|ion)|reduc\w*|slash\w*|lower(?:s|ed|ing)?|eas(?:ed|ing)|retreat\w*|"
    r"downturn|lower|minus\s+von|"
    r"下降|下跌|下滑|减少|降低|跌|降"
)
# Money lost is a loss (kind loss), not a fall: these name a fall of anything else ("shares lost 5%",
# "the loss of 700 jobs").
_LOSS_WORDS = r"lost|los(?:e|es|ing)|loss(?:es)?|perd(?:u|ait|ent)|verlor(?:en)?|verliert"
# A change of headcount (devset README: employees covers jobs created, job cuts and layoffs).
_HIRE_WORDS = r"hir(?:e|es|ed|ing)|recruit\w*|add(?:s|ed|ing)?|creat(?:e|es|ed|ing)|schaff\w*|geschaffen"
_FIRE_WORDS = (
    r"la(?:y|ys|ying|id)\s+off|fir(?:e|es|ed|ing)|sack\w*|shed\w*|eliminat\w*|ax(?:e|es|ed|ing)|trim\w*|"
    r"let\s+go(?:\s+of)?|job\s+cuts|layoffs|lay-offs|redundancies|"
    # (the verbs of cutting jobs in German, French, Spanish, Italian: "streicht 5.600 Stellen", "supprimer
    # 1 200 postes", "recortará 300 empleos", "taglierà 500 posti")
    r"streich\w*|gestrichen|abbau\w*|abgebaut|supprim\w*|suppressions?|recort\w*|despid\w*|licenzi\w*|taglie\w*"
)
# Phrasal verbs whose "up" is no rise ("set up 3 labs", "signed up 5 million users").
_UP_PHRASAL_VERBS = _gather_stems(
    r"set|sets|setting|sign\w*|pick\w*|ramp\w*|build\w*|built|scal\w*|step\w*|put|puts|open\w*|make|made|take\w*|took"
)
_UP_PHRASAL = rf"(?:{_UP_PHRASAL_VERBS})\s+up$"
# Words that may stand between a cue and the figure it moves: "by", hedges, adverbs ("fell sharply by",
# "rose nearly", "a drop of"), "its workforce by", "in revenue of". A preposition of a level ("to",
# "from", "at") or another clause's word ends the cue's reach (only these words: the cue is in the clause).
_DIRECTION_GAP = (
    r"(?:\s+(?:by|of|um|de|en|un|del|di|about|around|nearly|almost|roughly|approximately|some|over|more|less|than|"
    r"just|only|as|"
    r"much|many|an?|estimated|further|another|additional|extra|[a-z]+ly|year-(?:on|over)-year|yoy|"
    r"sequentially|up\s+to|(?:(?:its|their|the|his|her)\s+)?[a-zß-ÿ-]+(?:\s+[a-zß-ÿ-]+){0,2}\s+(?:by|um|de|un|del)|"
    r"in\s+[a-z-]+(?:\s+[a-z-]+)?\s+of|"
    r"at\s+(?:the\s+|an?\s+)?(?:[a-z]+\s+){0,2}(?:rate|pace)\s+of|"
    # (a move in points restated in percent: "rose 289 points, or 0.6%", "fell $2, or 3%")
    r"[$€£]?[0-9][0-9.,]*\s?(?:%|[a-z]+)?,\s+or)"
    r"){0,4}"
)
# (the stems gathered: `_gather_stems`)
_DIRECTION_CUE = _gather_stems(rf"{_UP_WORDS}|{_DOWN_WORDS}|{_LOSS_WORDS}|{_HIRE_WORDS}|{_FIRE_WORDS}")
_DIRECTION_LEFT = rf"^.*(?:^|[^a-z])({_DIRECTION_CUE}){_DIRECTION_GAP}\s*(?:[了约近达超过]{{0,3}})$"
# Nouns after the figure that name it as a change ("a 5% drop", "5% growth", "3% lower", "a 12%
# year-on-year increase", "a 10% revenue decline"), past at most two modifiers of a change.
_RIGHT_MODIFIER = (
    r"(?:(?:year-(?:on|over)-year|\(?(?:y/y|yoy)\)?|annual|quarterly|monthly|sequential|[a-z]+ly|sharp|steep|modest|slight|"
    r"further|overall|organic|net|total|revenue|sales|price|share|stock|workforce|headcount|staff|job|profit|"
    r"earnings|cost|spending)\s+)"
)
_DIRECTION_RIGHT = (
    rf"^(?:\s*{_RIGHT_MODIFIER}{{0,2}}|的?)(growth|increases?|rises?|gains?|jumps?|surges?|rall(?:y|ies)|boosts?|"
    r"hikes?|spikes?|rebounds?|upticks?|higher|drops?|declines?|decreases?|falls?|slumps?|plunges?|cuts?|"
    r"reductions?|dips?|slides?|downturns?|contractions?|tumbles?|lower|loss(?:es)?|"
    r"增长|增幅|涨幅|上涨|下降|下滑|降幅|跌幅)(?:[^a-z]|$)"
)
# A workforce moved after the figure: "700 workers have been laid off", "1,000 jobs will be created".
# (the stems gathered: `_gather_stems`)
_STAFF_WORDS = _gather_stems(f"{_HIRE_WORDS}|{_FIRE_WORDS}")
_FIRE_STEMS = _gather_stems(_FIRE_WORDS)
_DIRECTION_PASSIVE = (
    r"^\s+(?:(?:have|has|had|were|was|are|is|will|would|could|may|to|be|been|being)\s+){1,3}"
    rf"((?:{_STAFF_WORDS}|cut))(?:[^a-z]|$)"
)
# A German verb of cutting or creating jobs stands after its object: "will 5.000 Stellen abbauen", "hat 800
# Jobs gestrichen", "soll 300 Stellen schaffen".
_DIRECTION_VERB_LAST = (
    r"^\s+(?:zu\s+)?(abbau\w*|abgebaut|streich\w*|gestrichen|schaff\w*|geschaffen)(?:[^a-zß-ÿ]|$)"
)
# A multiplier that is itself a change: "doubled", "more than tripled" (not "double its spending").
_DIRECTION_SURFACE = r"^(?:doubled|tripled|trebled|quadrupled|halved)$"
_UP_HIRE_WORDS = _gather_stems(f"{_UP_WORDS}|{_HIRE_WORDS}")
_DIRECTION_CUES_UP = (
    rf"^(?:{_UP_HIRE_WORDS}|growth|increases?|rises?|gains?|jumps?|surges?|rall(?:y|ies)|boosts?|hikes?|"
    r"spikes?|rebounds?|upticks?|增幅|涨幅|doubled|tripled|trebled|quadrupled)$"
)


def _direction_of(cue: pl.Expr) -> pl.Expr:
    """'up' for a cue word of rise or hiring, 'down' for any other cue, null for none."""
    return (
        pl.when(cue.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(cue.str.contains(_DIRECTION_CUES_UP))
        .then(pl.lit("up"))
        .otherwise(pl.lit("down"))
    )


def _comparative_direction(kept: pl.DataFrame) -> pl.DataFrame:
    """A percent of no direction followed by a comparative (`_COMPARATIVE_RIGHT`): up for more ("un 8%
    más", "8 % de plus", "in più", "mehr"), down for less ("menos", "de moins", "in meno", "weniger")."""
    none = _PERCENT & pl.col("direction").is_null()
    compared = _contains_where(none, "_right", _COMPARATIVE_RIGHT, length=20)
    kept = _on_rows(
        kept,
        compared,
        _cdir=pl.when(pl.col("_right").str.head(20).str.extract(_COMPARATIVE_RIGHT, 1).is_not_null())
        .then(pl.lit("up"))
        .otherwise(pl.lit("down")),
    )
    return kept.with_columns(pl.coalesce("direction", "_cdir").alias("direction")).drop("_cdir")


def figure_directions(kept: pl.DataFrame) -> pl.DataFrame:
    """Step `direction`: adds `direction` ('up', 'down' or null): whether the figure's own clause states
    it as a rise or a fall; a headcount that moves becomes kind `headcount_change`.

    Read, nearest first: a sign glued to the figure ("-2%", "(+5%)"); the figure's own words ("15,000
    job cuts", "doubled"); a change noun right after it ("a 5% drop", "3% lower", "87.8%的增长"); for
    employees, a passive verb after it ("700 workers were laid off"); the nearest cue before it with only
    `_DIRECTION_GAP` words between ("rose 10%", "down 3%", "growth of 12%", "laying off 700 staff"):
    "revenue rose 10% while costs fell 3%" is 10% up and 3% down (a figure or a comma between ends a
    cue's reach). Verbs of hiring and firing count only for employees; "lost" and "loss" not for money
    (a loss is kind loss); an income's sign is its kind already (`figure_kinds`).
    Reads `_left`, `_right`, `surface`, `unit`, `kind`; columns in, the same plus `direction` out."""
    unit, kind = pl.col("unit"), pl.col("kind")
    money = _MONEY | _PER_SHARE
    employees = unit == "employees"
    income = kind.is_in(["loss", "profit"]).fill_null(False)
    low_left = pl.col("_left").str.to_lowercase()
    low_right = pl.col("_right").str.head(40).str.to_lowercase()
    low_surface = pl.col("surface").str.to_lowercase()
    sign_at_end = r"(?:^|[\s(\[:])([-−–+])$"
    signed = pl.col("_left").str.contains(sign_at_end)
    # (each pattern runs only on the figures it may match: a cue word near, then the whole pattern
    # without captures before the one with them; most figures have no cue)
    hint = rf"(?i)(?:^|[^a-z])(?:{_DIRECTION_CUE})|增|涨|降|跌|下滑"
    kept = _on_rows(kept, pl.col("_left").str.contains(hint), _hl=low_left.str.contains(_DIRECTION_LEFT))
    # (the capture search, the costly part, reads only the text after the last punctuation mark of the
    # first line, cut to a comma: no cue, gap word or space holds one, so the cue `_DIRECTION_LEFT`
    # finds lies after it, and the mark itself is the non-letter before the cue; `.` stops at a line's
    # end, so a later line stays in the text as it was)
    kept = _on_rows(
        kept,
        pl.col("_hl"),
        _dl=pl.when(low_left.str.contains(r",\s+or\s*$"))
        # (a move restated after ", or" reads back past its comma: "rose 289 points, or 0.6%")
        .then(low_left)
        .otherwise(low_left.str.replace(r"^[^\n]*[,.;:!?%$()\"'’“”]", ","))
        .str.extract(_DIRECTION_LEFT, 1),
    )
    kept = _on_rows(
        kept,
        pl.col("_right").str.head(40).str.contains(hint),
        _dr=low_right.str.extract(_DIRECTION_RIGHT, 1),
        _dp=pl.when(employees).then(
            pl.coalesce(
                low_right.str.extract(_DIRECTION_PASSIVE, 1), low_right.str.extract(_DIRECTION_VERB_LAST, 1)
            )
        ),
    )
    kept = _on_rows(
        kept,
        pl.col("surface").str.contains(r"(?i)(?:cuts|offs|ies|hires|led|ved|go|of)$"),
        _ds=low_surface.str.extract(rf"((?:{_FIRE_STEMS})|hires|{_DIRECTION_SURFACE.strip('^$')})$", 1),
    )
    left, right = pl.col("_dl"), pl.col("_dr")
    # ("project economic growth of 1.8%", "2% GDP growth": "growth" names the rate, the level it is at,
    # no rise)
    rate_named = (kind == "gdp_growth").fill_null(False) & pl.coalesce(right, left).str.contains("^growth$")
    staff_cue = rf"^(?:{_STAFF_WORDS})$"
    loss_cue = rf"^(?:{_LOSS_WORDS})$"
    # ("rose to $5 billion" never reaches `_dl`: "to" is no `_DIRECTION_GAP` word)
    # ("adding 1.2%", "added 300 points": an index or a price adds what it gains; only a percent is read,
    # "added $2 billion" or "added 5 stores" stay a level)
    added = left.str.contains(r"^add") & (unit == "percent")
    left_ok = (
        ~(left.str.contains(staff_cue) & ~employees & ~added)
        & ~(left.str.contains(loss_cue) & money)
        & ~((left == "up") & low_left.str.contains(rf"(?:^|[^a-z]){_UP_PHRASAL.removesuffix('$')}\s*$"))
        & ~(left.str.contains(_RAISE_WORDS) & ~low_left.str.contains(_BY_BEFORE_FIGURE))
        # ("a book gain of 2 billion euros": money gained is an amount, as money lost is)
        & ~(left.str.contains(r"^gains?$") & money)
        & ~rate_named
    )
    right_ok = ~income & ~(right.str.contains(loss_cue) & money) & ~rate_named
    sign = pl.col("_left").str.extract(sign_at_end, 1)
    # (the cue word is read first, as a column of its own, then its direction: one pass of
    # `_direction_of`'s pattern; an expression used twice in a when/then chain is evaluated twice)
    cue = _first_of(
        [
            (pl.col("_ds").is_not_null(), pl.col("_ds")),
            (right.is_not_null() & right_ok, right),
            (pl.col("_dp").is_not_null(), pl.col("_dp")),
            (left.is_not_null() & left_ok, left),
        ]
    )
    direction = _first_of(
        [
            (sign.is_in(["-", "−", "–"]) & ~income, "down"),
            ((sign == "+") & ~income, "up"),
            (pl.col("_cue").is_not_null(), _direction_of(pl.col("_cue"))),
        ]
    )
    # (the rows with a sign or a cue are found once, for both passes)
    found = signed | pl.any_horizontal(pl.col("_dl", "_dr", "_dp", "_ds").is_not_null())
    kept = kept.with_columns(found.alias("_found"))
    kept = _on_rows(kept, pl.col("_found"), _cue=cue)
    kept = _on_rows(kept, pl.col("_found"), direction=direction).drop("_cue", "_found")
    kept = _comparative_direction(kept)
    return kept.with_columns(
        pl.when((kind == "headcount") & pl.col("direction").is_not_null())
        .then(pl.lit("headcount_change"))
        .otherwise(kind)
        .alias("kind")
    ).drop("_hl", "_dl", "_dr", "_dp", "_ds")


# Step `outlook`: words that state a figure as expected rather than reported, in the figure's own clause
# before it: a company's guidance, outlook, target or plan, a modal verb, an estimate, analysts'
# consensus. English with the German, French, Spanish and Italian words of the same closed class.
# ("target" and Spanish "meta" only lower-case: "Target" and "Meta" open a company's name; "projects" only
# as a verb before a statement noun: "won projects worth $5 billion" is no projection)
_OUTLOOK_WORDS = (
    r"expect(?:s|ed|ing|ations?)?|anticipat[a-z]*|sees|forecast[a-z]*|projected|projections?|"
    r"projects\s+(?:revenues?|sales|profits?|earnings|margins?|growth)|predict[a-z]*|guidance|guid(?:es|ed)|"
    r"outlooks?|(?-i:targets?|targeted|targeting)|goals?|aim(?:s|ed|ing)?|ambitions?|"
    r"plan(?:s|ned)?\s+to|planning\s+to|intends?\s+to|on\s+track\s+to|poised\s+to|likely\s+to|"
    r"will|would|could|going\s+to|estimat[a-z]*|consensus|polled\s+by|"
    # German
    r"erwart[a-zäöüß]*|prognos[a-zäöüß]*|ausblick[a-z]*|ziel(?:e|en|t|s|marke)?|anvisiert[a-z]*|peilt|"
    r"soll(?:en|te|ten)?|wird|werden|rechnen\s+mit|rechnet\s+mit|schätz[a-zäöüß]*|geschätzt[a-z]*|"
    # French
    r"prévoi[a-zé]*|prévoy[a-zé]*|prévu[es]*|prévisions?|objectifs?|vis(?:e|ent|ait|aient)|"
    r"tabl(?:e|ent)\s+sur|s['’]attend[a-z]*|devr(?:ait|aient|a|ont)|pourr(?:ait|aient)|perspectives?|"
    r"attendu[es]*|"
    # Spanish
    r"prev(?:é|én|eía)|previst[oa]s?|previsi(?:ón|ones|one|oni)|pronóstic[a-z]*|objetivos?|(?-i:metas?)|"
    r"esper(?:a|an|aba|aban|ad[oa]s?)|proyecta|proyectan|proyecci(?:ón|ones)|"
    # Italian
    r"preved[a-z]*|previst[ie]|obiettiv[oi]|stim(?:a|e|ano|at[oaie])|aspett[a-z]*|attes[aei]|punta(?:no)?\s+a"
)
# (a word may follow an elided article, "l'objectif"; "'ll" follows its subject: "it'll")
_OUTLOOK_LEFT = rf"(?i)(?:(?:^|[^a-zà-ÿ])(?:{_OUTLOOK_WORDS})|['’]ll)(?:[^a-zà-ÿ]|$)"
# A figure compared with what was expected is reported: "better-than-expected", "than analysts forecast",
# "as expected" name no forecast of this figure (removed before the words above are looked for).
_OUTLOOK_NOT = (
    r"(?i)than[\s-]+(?:[a-z]+\s+){0,2}?(?:expect|forecast|estimat|anticipat|project|predict)[a-z]*|"
    r"as\s+(?:[a-z]+\s+)?(?:expected|forecast|predicted|anticipated)"
)
# Right after the figure: "$12.4 billion expected by analysts", "a $5 billion revenue target", "the
# $11.9 billion analysts had expected" (a participle before "to" is a property of a thing: "a deal
# expected to close" is no forecast of its value).
_OUTLOOK_RIGHT = (
    r"(?i)^\s*(?:(?:(?:is|are|was|were|had\s+been|has\s+been|been)\s+)?"
    r"(?:expected|forecast|estimated|projected|anticipated|predicted|targeted)"
    r"(?:\s+(?:by|for|in|from|next|this|last|at|on|earlier)(?:[^a-z]|$)|\s*[,.;)]|\s*$)"
    r"|(?:[a-z-]+\s+){0,2}?(?:(?-i:targets?)|goals?|forecasts?|guidance|outlook|estimates?|projections?|consensus)"
    r"(?:[^a-z]|$)"
    r"|(?:(?:wall\s+street|the\s+market|analysts?|economists?|investors?)\s+(?:had\s+|were\s+|have\s+)?"
    r"(?:expected|forecast|estimated|projected|predicted|anticipated|expecting|looking\s+for)))"
)
# A change reported in a clause of its own after the word of expectation: "raised its forecast after sales
# rose 4.1%", "cut its outlook because revenue fell 3%" (a subordinating conjunction, then a subject and a
# verb of change in the past tense right before the figure): the figure is reported.
_REPORTED_AFTER = (
    r"(?i)(?:^|\s)(?:after|because|since|when|as|once|following)\s+(?:[^\s,;]+\s+){1,8}?"
    r"(?:rose|fell|grew|climbed|jumped|gained|dropped|declined|increased|decreased|slipped|slid|surged|soared|"
    r"plunged|tumbled|sank|shrank|advanced|edged\s+(?:up|down|higher|lower)|was\s+(?:up|down)|were\s+(?:up|down))"
    r"\s+(?:by\s+)?(?:about\s+|around\s+|nearly\s+|almost\s+|some\s+)?$"
)
# A phrase with no verb of its own continues the clause before its comma: "expects revenue of $90 billion,
# with an operating margin of about 15%" (the margin is expected as well). The sentence before the figure:
# a word of expectation (`_OUTLOOK_LEFT`, no `_OUTLOOK_NOT`), then ", with" or ", including" and words with
# no clause break up to the figure.
_OUTLOOK_WITH = r"(?i),\s*(?:with|including)\s+[^,;:.!?]*$"
# (the phrase is a metric's noun and its figure alone, no verb of its own: "with an operating margin of
# about 15%", "including revenue of $2 billion"; "with some indicating they possess fewer than ..." is a
# clause)
_OUTLOOK_WITH_NOUN = (
    rf"(?i),\s*(?:with|including)\s+(?:(?:an?|the|its|their)\s+)?(?:[a-z-]+\s+){{0,3}}?(?:{_CUE_ANY}|margins?|"
    r"growth)\s+(?:(?:of|at)\s+)?(?:[a-z]+\s+)?$"
)
# The text before a figure from its clause's start: past the last semicolon, comma (not a thousands
# separator) or contrasting conjunction.
_CLAUSE_START = r"(?s)^.*(?:[;；]|[^0-9],|,[^0-9]|\s(?:while|whereas|but)\s)"
# Step `segment`: the kind nouns whose modifiers name a business segment, and the kinds they name.
_SEGMENT_NOUNS = r"revenues?|sales|turnover|profits?|income|earnings|margins?|ebitda|ebit|bookings"
_SEGMENT_KINDS = [
    *(k for b in ("revenue", "profit", "loss", "margin") for k in (b, f"{b}_change")),
]
_SEGMENT_WORD = r"[a-z][a-z&-]*"
# The clause up to the kind noun nearest before the figure, then the modifier words at its end: up to
# four lower-case words right before the noun ("first-quarter data center segment revenue"), the first
# capitalised when it opens the clause ("Cloud revenue rose 20%").
_SEGMENT_BEFORE = rf"(?is)^(.*[^a-z]|)(?:{_SEGMENT_NOUNS})(?:[^a-z-]|$)"
_SEGMENT_LEFT = rf"(?:^|[^a-zA-Z&'’-])((?:^[A-Z]|[a-z])[a-z&-]*(?:\s+{_SEGMENT_WORD}){{0,3}})\s*$"
# "revenue from its cloud unit", "sales at the consumer division", then "$3 billion in cloud revenue".
_SEGMENT_UNIT = (
    rf"(?i:{_SEGMENT_NOUNS})\s+(?:from|at|in)\s+(?:its|the|their)\s+"
    rf"({_SEGMENT_WORD}(?:\s+{_SEGMENT_WORD})?)\s+(?:unit|division|segment|business|arm|operations)(?:[^a-z]|$)"
)
# "the mobile division's revenue was", "its cloud unit's operating profit": a unit's possessive.
_SEGMENT_POSSESSIVE = (
    rf"(?i:(?:^|\s)(?:its|the|their)\s+)({_SEGMENT_WORD}(?:\s+{_SEGMENT_WORD})?)\s+(?:unit|division|segment|"
    rf"business|arm)['’]s\s+(?:{_SEGMENT_WORD}\s+){{0,2}}(?i:{_SEGMENT_NOUNS})(?:[^a-z]|$)"
)
_SEGMENT_RIGHT = rf"^\s+(?:in|of|from)\s+((?:{_SEGMENT_WORD}\s+){{1,3}}?)(?i:{_SEGMENT_NOUNS})(?:[^a-z-]|$)"
# Words that end a run of modifiers (a determiner, preposition, auxiliary or reporting verb: "posted cloud
# revenue"; the scale or currency word ending a figure: "$60 billion and operating profit"), and
# modifiers that name the period, basis or size of the whole subject's figure rather than a part of its
# business (skipped: "first-quarter cloud revenue" is cloud).
_SEGMENT_STOP = (
    "the a an its their his her our this that these those or of in on at for from to by with as than "
    "while whereas but is was are were be been has had have will would could said says say which who whose "
    "per plus about around nearly almost over under more less expects expect sees see forecasts forecast "
    "projects project posts post reports report generates generate records delivers deliver estimates "
    "estimate targets target predicts predict anticipates anticipate guides guide lifts lift raises raise "
    "cuts cut lowers boosts boost increases increase drives drive reaches reach tops top beats beat misses "
    "miss puts put gets get makes make made saw grew grow grows hit hits got took takes bring brings brought "
    "including excluding hundred thousand million billion trillion bn mn percent cent points dollars euros "
    "yuan yen pounds"
).split()
_SEGMENT_GENERIC = (
    "quarterly annual annualized annualised yearly monthly weekly daily total overall net gross operating "
    "group consolidated adjusted underlying organic reported comparable core recurring pre-tax pretax "
    "after-tax record full-year half-year fiscal fiscal-year year-on-year year-over-year like-for-like "
    "same-store global worldwide company-wide companywide new higher lower stronger weaker better worse "
    "bigger larger smaller greater strong weak solid robust slower faster flat estimated expected projected "
    "forecast targeted trailing remaining rising falling growing declining existing current previous prior "
    "last next first second third fourth half quarter year full whole combined cumulative average gaap "
    "non-gaap ifrs ttm ltm top-line bottom-line revenue sales profit income earnings ebitda ebit segment "
    "unit division business"
).split()
_SEGMENT_GENERIC_FORM = (
    r"[a-z&-]*(?:-(?:quarter|half|year|month|week|day)s?|(?:quarter|year|month|week|dai)ly)"
)
# A segment is a noun phrase of a business unit: no English function word ends its run of modifiers
# ("after sales rose" names none), nor an article of the continental languages whose statement nouns are
# read ("Das bereinigte EBITDA", "le résultat"); the parts of a metric's own compound name ("net interest
# margin", "interest income") and the continental basis adjectives (adjusted, operating, net: "bereinigte",
# "ajusté", "ajustado", "rettificato") name the metric, no part of the business.
_SEGMENT_FUNCTION_WORDS = (
    "after before since until when whenever once because although though if unless whether despite amid "
    "amidst among across against between into onto through throughout during within without via up down "
    "out off so not no nor all both each every some any such other another also only even just then there "
    "here where how why what it they we he she you me them him and "
    "der die das den dem des ein eine einen einem einer eines und im vom zum zur "
    "le la les l un une du au aux et "
    "el lo los las una unos unas del al y "
    "il gli i uno dei degli delle della dello e"
).split()
_SEGMENT_METRIC_PARTS = (
    "interest fee fees commission tax taxes cash flow return returns "
    r"bereinigt[a-z]* operativ[a-z]* gesamt[a-z]* ajust[a-zé]* opérationnel[a-z]* ajustad[a-z]* "
    r"rettificat[a-z]* consolidad[a-z]* consolidat[a-z]* consolidé[a-z]* neto bruto brut nett[oa]"
).split()
# (over words written each between two spaces of its own: "  first-quarter  cloud  "; a stop word that
# is "and" stays a joiner: `_segment_words`)
_SEGMENT_STOP_CUT = (
    rf"^.*\s(?:{'|'.join(_SEGMENT_STOP)}|{'|'.join(w for w in _SEGMENT_FUNCTION_WORDS if w != 'and')}"
    r"|[a-z&-]*ed)\s"
)
_SEGMENT_GENERIC_CUT = (
    rf"\s(?:{'|'.join(_SEGMENT_GENERIC)}|{'|'.join(_SEGMENT_METRIC_PARTS)}|{_SEGMENT_GENERIC_FORM})\s"
)


def _segment_words(words: pl.Expr) -> pl.Expr:
    """The segment named by a run of modifier words: the words after the last `_SEGMENT_STOP` word, less
    the `_SEGMENT_GENERIC` ones, joined by a space ("" when none is left); "and" joins two segments
    ("subscription and support revenue") but opens or ends none."""
    # (each word between two spaces of its own, so that adjacent generic words are each removed)
    spaced = pl.concat_str(pl.lit("  "), words.str.to_lowercase().str.replace_all(r"\s+", "  "), pl.lit("  "))
    after_stop = spaced.str.replace(_SEGMENT_STOP_CUT, " ")
    modifiers = after_stop.str.replace_all(_SEGMENT_GENERIC_CUT, " ")
    return (
        modifiers.str.replace_all(r"\s+", " ")
        .str.strip_chars()
        .str.replace_all(r"^(?:and )+|(?: and)+$|^and$", "")
    )


def _reported_or_continued(kept: pl.DataFrame) -> pl.DataFrame:
    """`outlook` corrected by the clause structure around the figure: a forecast whose figure is a past
    change in a subordinate clause after the word of expectation (`_REPORTED_AFTER`) is reported (null);
    a figure of no outlook in a verbless ", with ..." phrase after a clause holding a word of expectation
    (`_OUTLOOK_WITH`) is a forecast."""
    # (each scan runs only on the rows the one before kept, as a column of its own: an ASCII scan for
    # the conjunction first, as most forecasts have none; two literal scans for the phrase's opening)
    kept = _on_rows(
        kept,
        pl.col("outlook").is_not_null(),
        _sub=pl.col("_left").str.contains(r"(?-u)(?i)\b(?:after|because|since|when|as|once|following)\s"),
    )
    kept = _on_rows(kept, pl.col("_sub"), _rep=pl.col("_left").str.contains(_REPORTED_AFTER))
    kept = _on_rows(
        kept,
        pl.col("outlook").is_null(),
        _ph=pl.col("_left").str.contains(", with", literal=True)
        | pl.col("_left").str.contains(", including", literal=True),
    )
    # (the last 200 characters before the figure hold the clause and its phrase)
    before = (
        pl.col("_stext")
        .str.slice(0, (pl.col("start") - pl.col("sentence_start")).clip(0))
        .str.tail(200)
        .str.replace(_OUTLOOK_WITH, "")
        .str.replace_all(_OUTLOOK_NOT, " ")
    )
    # (the earlier clause's own start: past its last clause break)
    kept = _on_rows(
        kept,
        pl.col("_ph"),
        _ow=pl.col("_left").str.contains(_OUTLOOK_WITH_NOUN)
        & before.str.replace(_CLAUSE_START, "").str.contains(_OUTLOOK_LEFT),
    )
    return kept.with_columns(
        pl.when(pl.col("_rep").fill_null(False))
        .then(pl.lit(None, dtype=pl.String))
        .when(pl.col("_ow").fill_null(False))
        .then(pl.lit("forecast"))
        .otherwise(pl.col("outlook"))
        .alias("outlook")
    ).drop("_sub", "_rep", "_ph", "_ow")


def figure_outlooks(kept: pl.DataFrame) -> pl.DataFrame:
    """Step `outlook`: adds `outlook` ('forecast' or null, `warehouse.schemas.OUTLOOKS`) and `segment`
    (the business segment the figure is about, lower-cased, or null).

    `outlook` is 'forecast' when its clause before the figure holds a word of expectation
    (`_OUTLOOK_WORDS`: "expects revenue of $13 billion", "sees margins of 20%", "aims to reach 1 million
    users", "analysts had expected $12.4 billion", "prévoit", "erwartet") that is not a comparison with
    one ("better-than-expected"), or one follows it ("$12.4 billion expected", "a $5 billion target").
    `segment` is read for a revenue, profit, loss or margin figure (and its change): the modifiers of the
    kind noun nearest before it in its clause ("cloud revenue of $3 billion" -> cloud), of a unit it is
    from ("revenue from its cloud unit" -> cloud), or of the noun right after it ("$3 billion in cloud
    revenue"); a rule of the kind, not a list of segments. A capitalised name is no modifier (mid-clause),
    so "Acme's revenue" is the whole of Acme. Reads `_left`, `_right`, `kind`; columns in, the same plus
    the two out."""
    left, right = pl.col("_left"), pl.col("_right")
    # (each pattern runs only where its words are near the figure: most figures have none; the clause is
    # cut once, for the figures either part reads)
    kept = kept.with_columns(
        left.str.contains(_OUTLOOK_LEFT).alias("_oh"),
        pl.col("kind").is_in(_SEGMENT_KINDS).fill_null(False).alias("_sk"),
    )
    # (a window of 60 characters cut inside the sentence opens on a part of a word: dropped)
    window = pl.when(left.str.len_chars() >= 60).then(left.str.slice(left.str.find(" ", literal=True) + 1))
    window = window.otherwise(left)
    kept = _on_rows(kept, pl.col("_oh") | pl.col("_sk"), _cl=window.str.replace(_CLAUSE_START, ""))
    clause = pl.col("_cl")
    kept = _on_rows(
        kept, pl.col("_oh"), _ol=clause.str.replace_all(_OUTLOOK_NOT, " ").str.contains(_OUTLOOK_LEFT)
    )
    kept = kept.with_columns(
        pl.when(pl.col("_ol").fill_null(False) | right.str.contains(_OUTLOOK_RIGHT))
        .then(pl.lit("forecast"))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("outlook")
    )
    kept = _reported_or_continued(kept)
    before = clause.str.extract(_SEGMENT_BEFORE, 1)
    # (a unit is read only where its word is; a noun before the figure with no modifier lets one after
    # it name the segment: "revenue of $3 billion in cloud sales" is cloud)
    unit = pl.when(clause.str.contains(r"unit|division|segment|business|arm|operations")).then(
        clause.str.extract(_SEGMENT_UNIT, 1)
    )
    possessive = pl.when(clause.str.contains(r"(?:unit|division|segment|business|arm)['’]s\s")).then(
        clause.str.extract(_SEGMENT_POSSESSIVE, 1)
    )
    words = pl.coalesce(
        unit, possessive, before.str.extract(_SEGMENT_LEFT, 1), right.str.extract(_SEGMENT_RIGHT, 1)
    )
    kept = _on_rows(kept, pl.col("_sk"), _sw=words)
    named = _segment_words(pl.col("_sw"))
    kept = _on_rows(kept, pl.col("_sw").is_not_null(), segment=pl.when(named != "").then(named))
    return kept.drop("_oh", "_sk", "_cl", "_ol", "_sw")


def _list_runs(ments: pl.DataFrame) -> pl.DataFrame:
    """`ments` (sorted by _k) with `_list`: an id shared by the members of one coordinated list ("A, B
    and C", "A or B"): mentions of one sentence joined by commas that end in "and"/"or" before the last
    member. A mention outside any list has an id of its own. ("Backed by A, B raised ..." is no list.)"""
    # (_k orders by document, then offset: neighbours need no window per document.)
    gap_len = pl.col("m_start") - pl.col("m_end").shift(1)
    joined = (
        (pl.col("_d") == pl.col("_d").shift(1))
        & (pl.col("m_sentence") == pl.col("m_sentence").shift(1))
        & gap_len.is_between(1, 30)
    ).fill_null(False)
    # The separator right before the mention, when it spans the whole gap from the previous one: read
    # only after a near mention of the same sentence (a quarter of the rows), its two flags scattered
    # back (a masked string column over every row cost 2x more than the search).
    near = ments.select(
        pl.int_range(pl.len(), dtype=pl.Int64).filter(joined).alias("_row"),
        pl.col("m_left").filter(joined),
        gap_len.filter(joined).alias("_gap"),
    )
    sep = pl.col("m_left").str.extract(r"((?:\s*,)?\s+(?:and|or|&)\s+|\s*,\s*)$")
    near = near.select("_row", "_gap", sep.alias("_sep")).with_columns(
        (pl.col("_sep").str.len_chars() == pl.col("_gap")).fill_null(False).alias("_whole")
    )
    sep = pl.col("_sep")
    conj = pl.col("_whole") & ~sep.str.ends_with(",") & sep.str.contains(r"[a-z&]")
    near = near.select("_row", "_whole", conj.alias("_conj"))
    rows = near.get_column("_row")
    flags = [
        pl.repeat(False, ments.height, eager=True).scatter(rows, near.get_column(c)).alias(c)
        for c in ("_whole", "_conj")
    ]
    run = pl.col("_run")
    # A comma joins only when an "and"/"or" follows it in the same run (the next "and"'s run is its own).
    conj_ahead = pl.when(pl.col("_conj")).then(run).backward_fill() == run
    comma = pl.col("_whole") & ~pl.col("_conj")
    return (
        ments.with_columns(flags)
        .with_columns((~pl.col("_whole")).cum_sum().alias("_run"))
        .with_columns((~(pl.col("_conj") | (comma & conj_ahead.fill_null(False)))).cum_sum().alias("_list"))
        .drop("_whole", "_conj", "_run")
    )


def _pair_rank() -> pl.Expr:
    """A figure-mention pair's preference as one Int64 (lower is preferred), ordered as the keys
    (not a deal's target: null first, then false; _after, _other_clause, _prep, _reporter, _tier,
    _dist): one integer key sorts ~2x faster than seven. _tier < 16 (`_TIERS`), 0 <= _dist < 2**32
    (characters inside one sentence)."""

    def bit(col: str) -> pl.Expr:
        return pl.col(col).cast(pl.Int64)

    not_target = ((~pl.col("_target")).cast(pl.Int64) + 1).fill_null(0)
    flags = (((not_target * 2 + bit("_after")) * 2 + bit("_other_clause")) * 2 + bit("_prep")) * 2
    return ((flags + bit("_reporter")) * 16 + bit("_tier")) * (1 << 32) + bit("_dist")


def _unbounded(pattern: str) -> str:
    """`pattern` ("(?i)(?-u:\\b)...(?-u:\\b)") without its outer word boundaries: it matches wherever
    `pattern` matches in any part of the text, so it can rule out a search in every part at once."""
    head, tail = r"(?i)(?-u:\b)", r"(?-u:\b)"
    if not (pattern.startswith(head) and pattern.endswith(tail)):
        raise ValueError(f"not a bounded pattern: {pattern}")
    return "(?i)" + pattern[len(head) : -len(tail)]


def _masked_value(
    mask: pl.Expr,
    text: str,
    value: Callable[[pl.Expr], pl.Expr],
    offset: pl.Expr | int = 0,
    length: pl.Expr | int | None = None,
) -> pl.Expr:
    """Per row: `value` of column `text`, sliced from character `offset` for `length` characters (all of it
    by default), computed only in the rows where `mask` holds; null elsewhere. The rows are filtered
    before the slice and `value`, and the results gathered back: `pl.when(mask).then(text)` would copy
    every selected text first, and reading every row reads text no rule needs."""
    mask = mask.fill_null(False)

    def rows(e: pl.Expr | int | None) -> pl.Expr | int | None:
        return e.filter(mask) if isinstance(e, pl.Expr) else e

    found = pl.col(text).filter(mask)
    if isinstance(offset, pl.Expr) or offset != 0 or length is not None:
        found = found.str.slice(rows(offset), rows(length))
    # (one null row appended: the gather below stays in bounds when no row is selected)
    found = value(found).extend_constant(None, 1)
    return pl.when(mask).then(found.gather((mask.cast(pl.Int64).cum_sum() - 1).clip(0)))


def _contains_where(
    mask: pl.Expr, text: str, pattern: str, offset: pl.Expr | int = 0, length: pl.Expr | int | None = None
) -> pl.Expr:
    """`_masked_value` for `str.contains(pattern)`: false where `mask` does not hold (null where the text
    is null)."""
    return mask.fill_null(False) & _masked_value(
        mask, text, lambda t: t.str.contains(pattern), offset, length
    )


def _any_in_runs(flag: pl.Expr, run: pl.Expr) -> pl.Expr:
    """`flag.any().over(run)` for a frame whose equal `run` values are adjacent (a run id from a cumulative
    sum, or a sorted key): per row, whether any row of its run has `flag` (non-null). Cumulative counts read
    at the run's ends instead of a hash window: ~10x cheaper."""
    first = (run != run.shift(1)).fill_null(True)
    last = (run != run.shift(-1)).fill_null(True)
    count = flag.cast(pl.Int64).cum_sum()
    at_end = pl.when(last).then(count).backward_fill()
    before = pl.when(first).then(count - flag.cast(pl.Int64)).forward_fill()
    return at_end > before


def _run_position(run: pl.Expr, position: str, size: str) -> tuple[pl.Expr, pl.Expr]:
    """For a frame whose equal `run` values are adjacent: each row's place in its run (from 0) and the
    run's length (Int64), read from row numbers at the runs' ends (no hash window)."""
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    start = pl.when((run != run.shift(1)).fill_null(True)).then(row).forward_fill()
    end = pl.when((run != run.shift(-1)).fill_null(True)).then(row).backward_fill()
    return (row - start).alias(position), (end - start + 1).alias(size)


# Where a coordinate clause begins: clause_context's joins, and "while" / "whereas" without a comma
# ("Acme rose 2% while Globex fell 4%").
_SUBJECT_JOIN = rf"(?:{_CLAUSE_JOIN})|\s+(?i:while|whereas)\s+"
_LAST_JOIN = rf"(?s)^.*(?:{_SUBJECT_JOIN})"
# (what follows a text's first join, cut off: what is left is as long as the offset of the join, in
# characters; `str.find` counts bytes)
_FIRST_JOIN_ON = rf"(?s)(?:{_SUBJECT_JOIN}).*$"
# (the sentences where `_CLAUSE_SUBJECT` may find a figure's clause's subject: those with a join, and
# those opened by "The" + a name. Supersets, searched once per sentence, each alone: literals are
# found ~4x faster than in one pattern with the anchored part)
_JOIN_HINT = r"[;；]|while |whereas |, and |, but |, yet "
_THE_HINT = (
    r"^[\s\"“‘(]*(?:(?:\p{L}+,?\s+){0,2}[Tt]he\s+\p{Lu}|\p{Lu}[\p{L}\p{N}.&-]*(?:['’]s\s|\s+(?:will|would|plans|"
    r"agreed|cut|slash|bought|buy|sold|sell|paid|pay|spen|hire|acquir|invest|employ|built|build|laid|lay|"
    r"shed|repurchas)))"
)


def _clause_subjects(fig: pl.DataFrame, first: pl.Expr) -> pl.DataFrame:
    """Adds `_cl_start`, the offset in the text where the figure's clause begins (after the last
    `_SUBJECT_JOIN` before it; the sentence's start when none), `_cs_start` / `_cs_end`, the span of
    the clause's own subject name (`_CLAUSE_SUBJECT`) when one opens the clause and its verb is no
    speaker's (else null), and `_next_join`, where the first join after the figure starts (null when
    none). `fig`: the figures sorted by offset; `first` marks each sentence's first figure."""
    n = fig.height
    # Per sentence (its first figure's row): whether it holds a join or opens with "The" + a name, and
    # where its first join starts (in characters: `str.find` counts bytes; null when it has none).
    # Each step reads only the rows that may need it, gathered and scattered back by index: a masked
    # expression over every row cost ~2x more.
    sent = fig.select(
        pl.int_range(pl.len(), dtype=pl.Int64).filter(first).alias("_row"),
        pl.col("_stext").filter(first),
    ).with_columns(
        pl.col("_stext").str.contains(_JOIN_HINT).alias("_join_s"),
        pl.col("_stext").str.contains(_THE_HINT).alias("_the_s"),
    )
    joins = sent.filter(pl.col("_join_s")).select(
        "_row",
        pl.col("_stext").str.replace(_FIRST_JOIN_ON, "").str.len_chars().alias("_at"),
        pl.col("_stext").str.len_chars().alias("_len"),
    )
    join_at = pl.repeat(None, sent.height, dtype=pl.Int64, eager=True).scatter(
        sent.get_column("_join_s").arg_true(),
        joins.select(pl.when(pl.col("_at") < pl.col("_len")).then(pl.col("_at"))).to_series(),
    )
    in_sentence = fig.select(first.cum_sum() - 1).to_series()
    fig = fig.with_columns(
        join_at.gather(in_sentence).alias("_join_at"),
        sent.get_column("_the_s").gather(in_sentence).alias("_the_s"),
    )
    head_len = (pl.col("start") - pl.col("sentence_start")).clip(0)
    joined = (head_len > pl.col("_join_at")).fill_null(False)
    first_join = pl.col("sentence_start") + pl.col("_join_at")
    later = (first_join < pl.col("end")).fill_null(False)
    rows = fig.select(joined | pl.col("_the_s") | later).to_series().arg_true()
    tail_from = pl.col("end") - pl.col("sentence_start")
    sub = (
        fig[rows]
        .lazy()
        .select(
            "start",
            "end",
            "sentence_start",
            # (a figure past a join: its clause is what follows the last join before it; else, in a
            # sentence opened by "The" + a name, the sentence's head)
            # (each search reads only the rows it decides: a when/then evaluates its branch on every row)
            pl.when(joined)
            .then(_masked_value(joined, "_stext", lambda t: t.str.replace(_LAST_JOIN, ""), 0, head_len))
            .when(pl.col("_the_s"))
            .then(pl.col("_stext").str.slice(0, head_len))
            .alias("_chead"),
            # (the first join after the figure: the sentence's first, or, for a figure past that,
            # sought from the figure's end)
            pl.when(later)
            .then(
                _masked_value(
                    later, "_stext", lambda t: t.str.replace(_FIRST_JOIN_ON, "").str.len_chars(), tail_from
                )
                + pl.col("end")
            )
            .otherwise(first_join)
            .alias("_next"),
            pl.when(later)
            .then(pl.col("_stext").str.len_chars() - tail_from + pl.col("end"))
            .alias("_tail_end"),
        )
        .with_columns(
            pl.coalesce(pl.col("start") - pl.col("_chead").str.len_chars(), pl.col("sentence_start")).alias(
                "_cl_start"
            ),
            pl.col("_chead").str.extract_groups(_CLAUSE_SUBJECT).alias("_csp"),
            # (no join found after the figure: none)
            pl.when(pl.col("_tail_end").is_null() | (pl.col("_next") < pl.col("_tail_end")))
            .then(pl.col("_next"))
            .alias("_next_join"),
        )
        .with_columns(pl.col("_csp").struct.field(f) for f in ("1", "2", "3", "4", "5"))
    )
    # (at the sentence's start a capital is no name without its determiner, "Revenue rose 5%", unless it
    # is a possessive or an agent's: `_NOT_A_NAME`, `_AGENT_VERB`)
    bare = (pl.col("_cl_start") <= pl.col("sentence_start")) & pl.col("2").is_null()
    agent = (
        pl.col("4").str.contains(r"^['’]s\s")
        | pl.col("_chead")
        .str.slice(pl.col("1").str.len_chars() + pl.col("3").str.len_chars())
        .str.contains(_AGENT_VERB)
    ) & ~pl.col("3").str.contains(_NOT_A_NAME)
    own = (
        pl.col("3").is_not_null()
        & (~bare | agent)
        & pl.col("5").str.contains(_CLAUSE_VERB)
        & ~pl.col("5").str.contains(_CLAUSE_REPORTING)
    ).fill_null(False)
    cs_start = pl.col("_cl_start") + pl.col("1").str.len_chars()
    sub = sub.select(
        "_cl_start",
        pl.when(own).then(cs_start).alias("_cs_start"),
        pl.when(own).then(cs_start + pl.col("3").str.len_chars()).alias("_cs_end"),
        "_next_join",
    ).collect(engine=_ENGINE)
    added = [
        pl.repeat(None, n, dtype=pl.Int64, eager=True)
        .scatter(rows, sub.get_column(c).cast(pl.Int64))
        .alias(c)
        for c in sub.columns
    ]
    return (
        fig.with_columns(added)
        .with_columns(
            pl.coalesce(pl.col("_cl_start"), pl.col("sentence_start")).alias("_cl_start"),
            pl.when(later).then(pl.col("_next_join")).otherwise(first_join).alias("_next_join"),
        )
        .drop("_join_at", "_the_s")
    )


# Figure-mention pairs built and reduced at once in `attach_subjects` (see there). Measured: a 19.3 MB
# document of figures and names peaked at 3.0 GB with this, 7.7 GB in one piece.
_PAIRS_PER_SLICE = 2_000_000


def _sorted_by(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    """`frame` sorted by `key` (stable: rows of one key keep their order), flagged sorted: a join of two
    frames flagged sorted on their key merges them (~4x cheaper than hashing the key, on the pairs of
    `attach_subjects`). A frame already in order (the usual case) is only flagged."""
    if frame.get_column(key).is_sorted():
        return frame.with_columns(pl.col(key).set_sorted())
    return frame.sort(key, maintain_order=True)


def attach_subjects(kept: pl.DataFrame, ments: pl.DataFrame) -> pl.DataFrame:
    """Step `subject`: adds `subject_entity_id` (null when no owner is found) to the kept figures,
    given the mentions of `mention_frame` (sorted by _k)."""
    # (figures come in the order of the text from `metric_candidates`: flagged so, polars skips the sort)
    if kept.get_column("_k").is_sorted():
        kept = kept.with_columns(pl.col("_k").set_sorted())
    # The figures' own columns the rules read (the wide frame is joined once, at the end).
    fig = (
        kept.lazy()
        .select(
            "_d",
            "_k",
            "start",
            "end",
            "sentence_id",
            "paragraph_id",
            "sentence_start",
            "_stext",
            "kind",
            pl.col("unit").is_in(["units", "vehicles"]).alias("_made"),
            (pl.col("unit") == "multiplier").alias("_factor"),
            (pl.col("unit") == "percent").alias("_percent"),
            # (the sentence is read only for percentages)
            pl.when(_contains_where(pl.col("unit") == "percent", "_stext", _STOCK))
            .then(pl.lit("stock"))
            .otherwise(pl.col("unit").replace_strict(_UNIT_CLASS, default=None, return_dtype=pl.String))
            .alias("_class"),
        )
        .sort("_k")
    )
    # Cues searched in the text between a figure and a mention, or before a figure (a source phrase, a
    # comparison, a class of companies), are first looked for anywhere in the sentence, once per
    # sentence (sorted by offset, a sentence's figures are adjacent); most sentences hold none, and
    # their figures' pairs are then not searched.
    first = (
        (pl.col("_d") != pl.col("_d").shift(1)) | (pl.col("sentence_id") != pl.col("sentence_id").shift(1))
    ).fill_null(True)
    in_sentence = first.cum_sum() - 1
    cues = {
        "_source_s": _SOURCE,
        "_rival_s": _COMPARE,
        "_generic_s": _GENERIC_SUBJECT,
        "_order_s": _ORDER_REF,
        "_deal_s": _DEAL_WORDS,
    }
    fig = fig.collect(engine=_ENGINE)
    first_rows = fig.select(first).to_series()
    in_sentence_rows = fig.select(in_sentence).to_series()
    # (each sentence's text once; each cue searched in the sentences holding any, its answers scattered
    # to the sentences and gathered to their figures: no per-figure masks and gathers per cue)
    sentences = fig.get_column("_stext").filter(first_rows)
    any_cue = sentences.str.contains("|".join(f"(?:{_unbounded(p)})" for p in cues.values()))
    hits = any_cue.arg_true()
    hit_texts = sentences.gather(hits)
    # A sentence opened by a participle, with no subject of its own (`_SUBJECTLESS`; "During the
    # quarter, X ..." is a preposition, not a participle): read once per sentence.
    subjectless = sentences.str.contains(_SUBJECTLESS)
    opened = subjectless.arg_true()
    subjectless = subjectless.scatter(opened, ~sentences.gather(opened).str.contains(r"^\W*During\s"))
    fig = fig.with_columns(
        any_cue.gather(in_sentence_rows).alias("_cue"),
        subjectless.gather(in_sentence_rows).alias("_subjectless"),
        # (a participle right before a figure, anywhere in the sentence: an eighth of the sentences)
        sentences.str.contains(_PARTICIPLE_HINT).gather(in_sentence_rows).alias("_ing_s"),
        *(
            pl.repeat(False, sentences.len(), eager=True)
            .scatter(hits, hit_texts.str.contains(_unbounded(p)))
            .gather(in_sentence_rows)
            .alias(c)
            for c, p in cues.items()
        ),
    )
    fig = _clause_subjects(fig, first).lazy()

    # What each mention's context says of it (mention_frame's m_left / m_right, inside its sentence):
    # a source, investor or description (never an owner, there or in later sentences), a research
    # firm (owns nothing anywhere in its document), an object after a preposition, a speaker. (Each
    # side's cues are first searched at once; a quarter of the left contexts and a twentieth of the
    # right ones hold any, and only those are searched for each cue.)
    side_cues = {
        "m_left": [_SOURCE_LEFT, _DESCRIPTOR_LEFT, _RESEARCH_LEFT, _PREP_LEFT, _STOCK_LEFT]
        + [_AGENT_LEFT, _OWN_RIVAL_LEFT, _RELATIVE_LEFT, _DEAL_TARGET_LEFT, _PAREN_LEFT, _CREDIT_LEFT]
        + [_APPOSITION_LEFT],
        "m_right": [_SOURCE_RIGHT, _DESCRIPTOR_RIGHT, _RESEARCH_RIGHT, _REPORTER_RIGHT, _STOCK_RIGHT]
        + [_RELATION_RIGHT, _TITLE_RIGHT, _CREDIT_RIGHT, _PARTICIPLE_RIGHT, _NOT_PARTICIPLE_RIGHT]
        + [_TICKER_RIGHT, _MOVE_ADDED_RIGHT, _OWN_RESULTS_RIGHT],
    }

    base = (
        _list_runs(ments)
        .lazy()
        .with_columns(
            pl.col(col).str.contains("|".join(f"(?:{p})" for p in cues)).alias(f"_any{col}")
            for col, cues in side_cues.items()
        )
        .collect(engine=_ENGINE)
    )

    def search(col: str, patterns: list[str], rows: pl.Series) -> list[pl.Series]:
        # (the rows' texts gathered once per side, every cue searched in them, and the answers
        # scattered back: cheaper than a filter and gather per cue inside an expression)
        texts = base.get_column(col).gather(rows)
        found = pl.select(texts.str.contains(p).alias(str(i)) for i, p in enumerate(patterns))
        return [pl.repeat(False, base.height, eager=True).scatter(rows, f) for f in found.get_columns()]

    cue = {
        p: found
        for col, cues in side_cues.items()
        for p, found in zip(cues, search(col, cues, base.get_column(f"_any{col}").arg_true()), strict=True)
    }
    # (a preposition opening the sentence frames its topic: "For Acme, ...")
    (opening,) = search("m_left", [r"^\W*[A-Za-z]+\s+(?:the\s+)?$"], cue[_PREP_LEFT].arg_true())
    # (a participle's subject: its join is read only before the few mentions a participle follows)
    (participle_left,) = search("m_left", [_PARTICIPLE_LEFT], cue[_PARTICIPLE_RIGHT].arg_true())

    def has(pattern: str) -> pl.Expr:
        return pl.lit(cue[pattern])

    flags = (
        base.lazy()
        .select(
            "_d",
            "entity_id",
            "m_start",
            "m_end",
            "m_type",
            "m_sentence",
            "m_par",
            "_k",
            (
                has(_SOURCE_LEFT)
                | has(_SOURCE_RIGHT)
                | (has(_DESCRIPTOR_LEFT) & has(_DESCRIPTOR_RIGHT))
                | has(_RELATION_RIGHT)
                | has(_CREDIT_LEFT)
                | (has(_PAREN_LEFT) & has(_CREDIT_RIGHT))
                | has(_TICKER_RIGHT)
            ).alias("_source"),
            (has(_CREDIT_LEFT) | (has(_PAREN_LEFT) & has(_CREDIT_RIGHT))).alias("_credit"),
            (has(_RESEARCH_LEFT) | has(_RESEARCH_RIGHT) | pl.col("m_stats")).alias("_research"),
            (has(_PREP_LEFT) | has(_RELATIVE_LEFT)).alias("_prep"),
            ((has(_PREP_LEFT) & ~pl.lit(opening)) | has(_RELATIVE_LEFT)).alias("_object"),
            (
                has(_REPORTER_RIGHT)
                & ~has(_APPOSITION_LEFT)
                & ~has(_MOVE_ADDED_RIGHT)
                & ~has(_OWN_RESULTS_RIGHT)
            ).alias("_reporter"),
            (has(_STOCK_RIGHT) | has(_STOCK_LEFT)).alias("_shares"),
            has(_AGENT_LEFT).alias("_agent"),
            (pl.lit(participle_left) & has(_PARTICIPLE_RIGHT) & ~has(_NOT_PARTICIPLE_RIGHT)).alias(
                "_participle"
            ),
            (has(_OWN_RIVAL_LEFT) | has(_APPOSITION_LEFT)).alias("_own_rival"),
            ((has(_REPORTER_RIGHT) & ~has(_MOVE_ADDED_RIGHT)) | has(_TITLE_RIGHT)).alias("_speaker"),
            (has(_DEAL_TARGET_LEFT) & ~has(_AGENT_LEFT)).alias("_deal_target"),
            "_list",
        )
        # A coordinated list ("include Alpha, Beta and Gamma") is a source as a whole when any member is
        # one (the left cue may be further away than the last members' context windows).
        .with_columns(
            _any_in_runs(pl.col("_source"), pl.col("_list")).alias("_source"),
            # (a member's place in its list and the list's length: "A and B grew 12% and 8%")
            *_run_position(pl.col("_list"), "_lpos", "_lsize"),
        )
        .collect(engine=_ENGINE)
    )
    research = flags.filter(pl.col("_research")).select("_d", "entity_id").unique()
    # (rows of the few research firms' entities, found among the rows naming one anywhere)
    research_rows = (
        flags.with_row_index("_i")
        .filter(pl.col("entity_id").is_in(research.get_column("entity_id")))
        .join(research, on=["_d", "entity_id"], how="semi")
        .get_column("_i")
    )
    flags = flags.with_columns(
        pl.int_range(pl.len(), dtype=pl.UInt32).is_in(research_rows).alias("_research")
    )
    # Sources own nothing: every mention at a source's offset (_k) is dropped.
    cand = flags.filter(~_any_in_runs(pl.col("_source") | pl.col("_research"), pl.col("_k"))).lazy()
    # Mentions that share an offset (nested names) each take the context flags of every mention at that
    # offset, one row per combination (the rows a join on _k makes): rare, so only those are joined.
    shared = (pl.col("_k") == pl.col("_k").shift(1)) | (pl.col("_k") == pl.col("_k").shift(-1))
    context = ["_prep", "_object", "_reporter", "_shares", "_agent", "_own_rival", "_speaker", "_participle"]
    cand = pl.concat(
        [
            cand.filter(~shared.fill_null(False)),
            cand.filter(shared)
            .drop(context)
            .join(cand.filter(shared).select("_k", *context), on="_k")
            .select(flags.columns),
        ]
    ).collect(engine=_ENGINE)

    # Same-sentence candidates: a deal's target first, then before the figure, subject position, not a
    # speaker, type tier, distance. A mention after the figure past a comparison word ("outperforms
    # o1-mini") is a rival, not the subject.
    # Cheap integer conditions first (a mention inside the figure, overlap, type tier, sources), so that
    # only the pairs still able to win slice their sentence; per-figure and per-mention facts are
    # computed once, not once per pair.
    # (class, type) -> tier read from a flat table at class row + type column: no join on two strings
    classes, types = list(_TIERS), sorted({t for m in _TIERS.values() for t in m})
    tier_table = pl.Series([_TIERS[c].get(t) for c in classes for t in types], dtype=pl.Int64)
    class_row = pl.col("_class").replace_strict(
        {c: i * len(types) for i, c in enumerate(classes)}, default=None, return_dtype=pl.Int64
    )
    type_col = pl.col("m_type").replace_strict(
        {t: i for i, t in enumerate(types)}, default=None, return_dtype=pl.Int64
    )
    tier = pl.lit(tier_table).gather(pl.col("_class_row") + pl.col("_type_col"))
    after = pl.col("m_start") >= pl.col("end")
    rel = pl.col("sentence_start")
    pair_figs = _sorted_by(
        fig.select(
            _key(pl.col("_d"), pl.col("sentence_id")).alias("_sk"),
            "start",
            "end",
            "sentence_start",
            "_stext",
            # (the kinds the rules read, as flags: no text joined to every pair; null where the kind is)
            pl.col("kind").is_in(_DEAL_KINDS).alias("_deal_kind"),
            pl.col("kind").is_in(_STOCK_KINDS).alias("_stock_kind"),
            "_source_s",
            "_rival_s",
            "_next_join",
            "_made",
            "_factor",
            (pl.col("_class") == "money").alias("_money"),
            class_row.alias("_class_row"),
            "_subjectless",
            pl.col("_k").alias("_fig"),
        ).collect(engine=_ENGINE),
        "_sk",
    )
    pair_mentions = _sorted_by(
        cand.select(
            _key(pl.col("_d"), pl.col("m_sentence")).alias("_sk"),
            "_k",
            "entity_id",
            "m_start",
            "m_end",
            type_col.alias("_type_col"),
            "_prep",
            "_reporter",
            "_shares",
            "_agent",
            "_own_rival",
            "_speaker",
            "_participle",
            "_list",
            "_lsize",
        ),
        "_sk",
    )

    def preferred(figs: pl.DataFrame, mentions: pl.DataFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
        """Each figure's preferred same-sentence pair (`same`) and its sentence's opener (`opener`)."""
        pairs = (
            figs.lazy()
            .join(mentions.lazy(), on="_sk")
            .filter(
                # A mention inside a figure's own words ("512 H800 units") names its unit, not an owner.
                # (the few such mentions' keys, looked up: no hash window over every pair)
                ~pl.col("_k").is_in(
                    pl.col("_k")
                    .filter((pl.col("m_start") >= pl.col("start")) & (pl.col("m_end") <= pl.col("end")))
                    .implode()
                )
                & ((pl.col("m_end") <= pl.col("start")) | after)
                & tier.is_not_null()
                # "Acme rose 2%, while Globex fell 4%": a name in a coordinate clause after the figure's
                # is that clause's, not the figure's
                & ~(pl.col("m_start") >= pl.col("_next_join")).fill_null(False)
            )
            # (the cheap integer conditions first: the possessive and rival cues below read fewer pairs)
            .with_columns(
                _contains_where(
                    (pl.col("start") - pl.col("m_end")).is_between(1, 40),
                    "_stext",
                    _POSSESSIVE_GAP,
                    pl.col("m_end") - rel,
                    pl.col("start") - pl.col("m_end"),
                ).alias("_poss"),
                # "ahead of Globex at 15%": the rival's own figure ("overtook Globex with 20%" is not)
                _contains_where(
                    pl.col("_rival_s") & (pl.col("start") - pl.col("m_end")).is_between(1, 20),
                    "_stext",
                    r"(?i)^\s+at\s+(?:about\s+|around\s+|nearly\s+|almost\s+|roughly\s+)?$",
                    pl.col("m_end") - rel,
                    pl.col("start") - pl.col("m_end"),
                ).alias("_rival_at"),
            )
            .filter(
                # "MiMo outperforms o1-mini with 7 billion parameters": the rival is not the subject. (The
                # cue is sought in the 25 characters before the mention, in sentences that hold one.) A
                # rival's own figure, right after its possessive ("beating Globex's 8%"), is still its own.
                ~(
                    _contains_where(
                        pl.col("_rival_s") & ~pl.col("_own_rival"),
                        "_stext",
                        _COMPARE,
                        (pl.col("m_start") - rel - 25).clip(0),
                        (pl.col("m_start") - rel).clip(0, 25),
                    )
                    & ~pl.col("_poss")
                    & ~pl.col("_rival_at")
                )
            )
            .with_columns(
                tier.alias("_tier"),
                after.alias("_after"),
                pl.col("_stext")
                .str.slice(
                    pl.when(after).then(pl.col("end")).otherwise(pl.col("m_end")) - rel,
                    pl.when(after)
                    .then(pl.col("m_start") - pl.col("end"))
                    .otherwise(pl.col("start") - pl.col("m_end"))
                    .clip(0),
                )
                .alias("_gap"),
            )
            # (each cue is looked for only in the pairs it can apply to, in sentences that hold it)
            .filter(
                ~_contains_where(pl.col("_after") & pl.col("_rival_s"), "_gap", _COMPARE)
                # "80x the capacity of Llama 3", "three times the level for its SU7": the base compared with
                & ~_contains_where(pl.col("_after") & pl.col("_factor"), "_gap", _FACTOR_BASE, 0, 60)
                # "Jiemian reported that the company bought ...": a source, not the subject.
                & ~_contains_where(~pl.col("_after") & pl.col("_source_s"), "_gap", _SOURCE)
                # "Acme gaining 0.5% and Globex adding 0.7%": Globex's clause begins after the 0.5%
                & ~(pl.col("_after") & pl.col("_participle"))
            )
            .with_columns(
                # (a possessive right before the figure is its owner's, after a preposition too:
                # "than X's 8%")
                (pl.col("_prep") | pl.col("_subjectless")) & ~pl.col("_poss"),
                # A deal's money goes to its target; a share price to the company whose shares are named;
                # what a figure counts or prices "for" to the mention after "for".
                (
                    (
                        pl.col("_money")
                        & pl.col("_deal_kind")
                        & ~pl.col("_agent")
                        & _contains_where(
                            pl.col("_money") & pl.col("_deal_kind").fill_null(True),
                            "_stext",
                            _TARGET_LEFT,
                            (pl.col("m_start") - rel - 60).clip(0),
                            (pl.col("m_start") - rel).clip(0, 60),
                        )
                    )
                    | (pl.col("_stock_kind") & pl.col("_shares"))
                    | _contains_where(pl.col("_after"), "_gap", _FOR_BETWEEN, 0, 40)
                    | _contains_where(pl.col("_after") & pl.col("_made"), "_gap", _OF_BETWEEN, 0, 40)
                    # "assume $12 billion of Globex's net debt": a part of a possessor's own money is the
                    # possessor's (read from the figure's end through the possessive and the noun's first
                    # letter; "50% of Globex's" alone compares)
                    | _contains_where(
                        pl.col("_after")
                        & pl.col("_money")
                        & (pl.col("m_start") - pl.col("end")).is_between(3, 10),
                        "_stext",
                        _OF_POSSESSOR,
                        pl.col("end") - rel,
                        pl.col("m_end") - pl.col("end") + 4,
                    )
                    # "paid $4.9 billion for Globex, which has 2,500 employees": a relative clause's figure
                    | _contains_where(
                        ~pl.col("_after")
                        & (pl.col("start") - pl.col("m_end")).is_between(1, 60)
                        & pl.col("_gap").str.starts_with(","),
                        "_gap",
                        _RELATIVE_GAP,
                    )
                ).alias("_target"),
                pl.when(pl.col("_after"))
                .then(pl.col("m_start") - pl.col("end"))
                .otherwise(pl.col("start") - pl.col("m_end"))
                .alias("_dist"),
                # The figure's own clause (no clause punctuation between): its subject is the owner, not a
                # name in a clause before it ("Since its SU7 launched, the carmaker built 500,000 cars").
                # A name in apposition with its description ("Acme, the second-largest operator behind
                # Globex, posted ...") heads the figure's clause: the appositive's commas part no clauses.
                (
                    pl.col("_gap").str.contains(_CLAUSE_BREAK)
                    & ~_contains_where(
                        ~pl.col("_after") & pl.col("_gap").str.starts_with(","), "_gap", _APPOSITIVE_GAP
                    )
                ).alias("_other_clause"),
            )
        )
        # Each figure's preferred pair: sorted by figure, then preference, its first row (the row where the
        # figure changes: no hash of the figures, as a group_by takes; ~40 ms of 0.19 s). Rows tied on every
        # key agree on every column read.
        same = (
            pairs.select(
                "_fig",
                pl.col("entity_id").alias("_same_subject"),
                pl.col("_tier").alias("_best_tier"),
                (pl.col("_reporter") & ~pl.col("_target")).alias("_best_reporter"),
                (pl.col("_subjectless") & ~pl.col("_target")).alias("_best_object"),
                (~pl.col("_after") & ~pl.col("_other_clause")).alias("_best_near"),
                pl.col("_list").alias("_best_list"),
                pl.col("_lsize").alias("_best_lsize"),
                pl.col("m_start").alias("_best_start"),
                pl.col("m_end").alias("_best_end"),
                # (a null target is a money figure of unknown kind after a deal cue: ranked as a target)
                (pl.col("_target").fill_null(True) | pl.col("_poss")).alias("_best_target"),
                # a speaker in a clause after the figure's ("Sales rose 12%, X CEO Jane Roe said")
                (pl.col("_speaker") & pl.col("_after") & pl.col("_other_clause") & ~pl.col("_target")).alias(
                    "_best_trailing"
                ),
                _pair_rank().alias("_rank"),
                (-pl.col("m_end")).alias("_neg_end"),
            )
            .sort("_fig", "_rank", "_neg_end", "_same_subject")
            .filter((pl.col("_fig") != pl.col("_fig").shift(1)).fill_null(True))
            .drop("_rank", "_neg_end")
        )
        # (figures are joined by their one-integer _k, the key of (_d, start))
        # The sentence's subject: its first name before the figure that is no object, speaker or target
        # ("Acme bought Globex for $4.9 billion, and its shares rose 5%": "its" is Acme).
        opener = (
            pairs.filter(
                ~pl.col("_after")
                & ~pl.col("_prep")
                & ~pl.col("_reporter")
                & ~pl.col("_target").fill_null(False)
            )
            .select("_fig", pl.col("entity_id").alias("_opener"), "m_start")
            .sort("_fig", "m_start")
            .filter((pl.col("_fig") != pl.col("_fig").shift(1)).fill_null(True))
            .drop("m_start")
        )
        return same, opener

    # Every figure of a sentence is paired with every candidate of it: pairs are built and reduced in
    # slices of whole sentences of at most _PAIRS_PER_SLICE pairs, so that a batch's memory does not
    # grow with the pairs of all its sentences at once (a 19 MB document of figures and names: 7.7 GB
    # peak in one piece). A batch of news holds far fewer: one slice, the plan as before.
    per_sentence = (
        pair_figs.group_by("_sk")
        .len("_nf")
        .join(pair_mentions.group_by("_sk").len("_nm"), on="_sk")
        .sort("_sk")
        .select("_sk", (pl.col("_nf") * pl.col("_nm")).cum_sum().alias("_upto"))
    )
    if per_sentence.height == 0 or per_sentence.get_column("_upto").item(-1) <= _PAIRS_PER_SLICE:
        same, opener = preferred(pair_figs, pair_mentions)
    else:
        slices = per_sentence.select("_sk", ((pl.col("_upto") - 1) // _PAIRS_PER_SLICE).alias("_slice"))
        parts = [
            _sorted_by(frame.join(slices, on="_sk", maintain_order="left"), "_sk").partition_by(
                "_slice", include_key=False, maintain_order=True
            )
            for frame in (pair_figs, pair_mentions)
        ]
        reduced = [pl.collect_all(preferred(f, m), engine=_ENGINE) for f, m in zip(*parts, strict=True)]
        same = pl.concat([r[0] for r in reduced]).lazy()
        opener = pl.concat([r[1] for r in reduced]).lazy()
    # The mention opening the figure's clause as its own subject (`_clause_subjects`): an owner when
    # its type may own the figure's unit; a place or a person there ("while Europe sales fell 3%")
    # leaves the clause without a subject of its own. (Few figures have one: those alone are joined.)
    owner_types = pl.DataFrame(
        [(c, t) for c, tiers in _TIERS.items() for t in tiers], schema=["_class", "m_type"], orient="row"
    ).lazy()
    subject_at = (
        fig.filter(pl.col("_cs_start").is_not_null())
        .select("_k", "_class", _key(pl.col("_d"), pl.col("_cs_start")).alias("_ck"))
        .collect(engine=_ENGINE)
    )
    # (a source's or research firm's mention there owns nothing: the clause's figures have no owner)
    at_subject = subject_at.lazy().join(
        flags.lazy()
        .filter(pl.col("_k").is_in(subject_at.get_column("_ck").implode()))
        .select(
            pl.col("_k").alias("_ck"),
            "entity_id",
            "m_type",
            (pl.col("_source") | pl.col("_research")).alias("_drop"),
        ),
        on="_ck",
    )
    clause_owner = (
        at_subject.filter(~pl.col("_drop"))
        .join(owner_types, on=["_class", "m_type"], how="semi")
        .group_by("_k")
        .agg(pl.col("entity_id").min().alias("_cs_subject"))
    )
    clause_other = (
        at_subject.filter(~pl.col("m_type").is_in(["ORG", "PRODUCT", "MODEL"]))
        .select("_k", pl.lit(True).alias("_cs_other"))
        .unique("_k")
    )
    fig = (
        fig.join(same.rename({"_fig": "_k"}), on="_k", how="left")
        .join(opener.rename({"_fig": "_k"}), on="_k", how="left")
        .join(clause_owner, on="_k", how="left")
        .join(clause_other, on="_k", how="left")
        .collect(engine=_ENGINE)
        .lazy()
    )
    # Coordinated owners own coordinated figures in order ("Acme and Globex grew 12% and 8%,
    # respectively"; "A, B and C held 20%, 15% and 10%"). Figures of one sentence joined by a comma or
    # "and" form a run; its n-th figure goes to the list's n-th member when the lengths agree. (A
    # list's lone figure keeps its nearest member: the devset labels give a joint project's figure to
    # the last-named partner.)
    prev_end = pl.col("end").shift(1)
    fig = (
        fig.sort("_k")
        .with_columns(
            (
                (pl.col("_d") == pl.col("_d").shift(1))
                & (pl.col("sentence_id") == pl.col("sentence_id").shift(1))
                & (pl.col("start") - prev_end).is_between(1, 12)
            )
            .fill_null(False)
            .alias("_fj")
        )
        .with_columns(
            _contains_where(
                pl.col("_fj"),
                "_stext",
                r"^\s*(?:,\s*(?:and\s+|or\s+)?|(?:and|or)\s+)$",
                prev_end - pl.col("sentence_start"),
                pl.col("start") - prev_end,
            ).alias("_fj")
        )
        .with_columns(*_run_position((~pl.col("_fj")).cum_sum(), "_fpos", "_fsize"))
        .join(
            cand.lazy()
            .filter(pl.col("_lsize") > 1)
            .select(
                pl.col("_list").alias("_best_list"),
                pl.col("_lpos").alias("_fpos"),
                pl.col("entity_id").alias("_member"),
            )
            .unique(["_best_list", "_fpos"], keep="first"),
            on=["_best_list", "_fpos"],
            how="left",
        )
        .collect(engine=_ENGINE)
        .lazy()
    )
    # Fallback for "the company bought ...", "its 7-billion-parameter model": the latest suitable mention
    # before the sentence — same paragraph, or anywhere earlier when the sentence refers back
    # (its, the company) or the unit belongs to a model.
    fig = fig.with_columns(
        pl.col("_class").replace_strict(_FALLBACK, default=None, return_dtype=pl.String).alias("_fb_type"),
        _key(pl.col("_d"), pl.col("sentence_start") - 1).alias("_fk"),
    )
    fb_frames = []
    # A sentence's first suitable mention stands for its grammatical subject ("Transsion was put
    # into Canalys' list ... Its report placed the vendor fifth"): references back resolve to it.
    # Ties (nested mentions at one offset) go to the longer name, then the id: deterministic. (One
    # sort serves the three pools: a filter keeps the order. Sorted by sentence first, a sentence's
    # first row is where the sentence changes: no hash of the sentences. The second key packs _prep,
    # _reporter and _k, which is below 2**61 for fewer than 2**29 documents.)
    ranked = (
        cand.lazy()
        # (the pools' types alone are sorted)
        .filter(pl.col("m_type").is_in(["ORG", "PRODUCT", "MODEL"]))
        .select(
            "_d",
            "_k",
            "entity_id",
            "m_end",
            "m_type",
            "m_par",
            "_prep",
            "_object",
            "_reporter",
            "_list",
            "_lsize",
            _key(pl.col("_d"), pl.col("m_sentence")).alias("_msk"),
        )
        .sort(
            "_msk",
            (pl.col("_prep").cast(pl.Int64) * 2 + pl.col("_reporter").cast(pl.Int64)) * (1 << 61)
            + pl.col("_k"),
            -pl.col("m_end"),
            "entity_id",
        )
        .collect(engine=_ENGINE)
        .lazy()
    )
    # (a null sentence, before a batch's first sentence, is one sentence, as in a hash of the keys)
    sentence_starts = pl.col("_msk").ne_missing(pl.col("_msk").shift(1)) | (pl.int_range(pl.len()) == 0)
    for fb_type in ("ORG", "MODEL", "ANY"):
        types = ["ORG", "PRODUCT", "MODEL"] if fb_type == "ANY" else [fb_type]
        pool = (
            ranked.filter(pl.col("m_type").is_in(types))
            # An organisation or product named after a preposition ("a deal with OpenAI") is an object,
            # never the owner a later sentence refers back to; a model after one ("a tool built on
            # Orvix 2") is still the model meant.
            .filter(~pl.col("_object") | pl.lit(fb_type == "MODEL"))
        )
        # A subject of several names of the pool's types ("Acme and Globex signed a deal. The
        # company will pay ...") leaves a later reference back without one certain owner. (Only a
        # list of several mentions can name several: those alone are grouped, not every mention.)
        several = (
            pool.filter(pl.col("_lsize") > 1)
            .group_by("_list")
            .agg((pl.col("entity_id").n_unique() > 1).alias("_several"))
        )
        pool = (
            pool.filter(sentence_starts)
            .join(several, on="_list", how="left")
            .with_columns(pl.col("_several").fill_null(False))
            .sort("_k")
        )
        part = (
            fig.filter(pl.col("_fb_type") == fb_type)
            .select("_d", "_k", "_fk", "paragraph_id")
            .sort("_fk")
            .join_asof(
                pool.select(
                    pl.col("_k").alias("_fk"),
                    pl.col("_d").alias("_fd"),
                    pl.col("entity_id").alias("_fb_subject"),
                    "m_par",
                    "_several",
                    pl.col("_msk").alias("_fb_sk"),
                ),
                on="_fk",
                strategy="backward",
            )
            .filter(pl.col("_fd") == pl.col("_d"))
            .select(
                "_k",
                "_fb_subject",
                (pl.col("m_par") == pl.col("paragraph_id")).alias("_fb_same_par"),
                "_several",
                "_fb_sk",
            )
        )
        fb_frames.append(part)
    # "Globex was fourth, followed by Acme. The latter shipped 9 million units": "the latter" in the
    # figure's sentence before it is the last name (objects too) of the sentence before, in the
    # paragraph; "the former" its first. (Read only in the sentences holding either word.)
    refs = (
        fig.filter(pl.col("_order_s").fill_null(False))
        .select(
            "_d",
            "_k",
            "_fk",
            "paragraph_id",
            pl.col("_stext")
            .str.slice(0, (pl.col("start") - pl.col("sentence_start")).clip(0))
            .str.extract(r"(?i)(?-u:\b)the\s+(latter|former)(?-u:\b)[^;:!?；。！？]*$", 1)
            .str.to_lowercase()
            .alias("_which"),
        )
        .sort("_fk")
        .collect(engine=_ENGINE)
    )
    named = (
        cand.lazy()
        # (only the few documents with such a reference are read: whole documents, so a sentence's
        # first name stays its first)
        .filter(pl.col("_d").is_in(refs.get_column("_d").unique().implode()))
        .filter(pl.col("m_type").is_in(["ORG", "PRODUCT", "MODEL"]))
        .select(
            pl.col("_k").alias("_fk"),
            pl.col("_d").alias("_fd"),
            pl.col("entity_id").alias("_ref_subject"),
            "m_par",
            _key(pl.col("_d"), pl.col("m_sentence")).alias("_msk"),
        )
        .sort("_fk")
    )
    pools = {
        "latter": named,
        "former": named.filter(pl.col("_msk").ne_missing(pl.col("_msk").shift(1))),
    }
    ref_frame = pl.concat(
        refs.lazy()
        .filter(pl.col("_which") == which)
        .join_asof(pool.drop("_msk"), on="_fk", strategy="backward")
        .filter((pl.col("_fd") == pl.col("_d")) & (pl.col("m_par") == pl.col("paragraph_id")))
        .select("_k", "_ref_subject")
        for which, pool in pools.items()
    )
    deal_frame = (
        fig.filter(pl.col("_deal_s").fill_null(False) & (pl.col("_class") == "money"))
        .select("_d", "_k", "_fk", "paragraph_id")
        .sort("_fk")
        .join_asof(
            cand.lazy()
            .filter(pl.col("_deal_target"))
            .select(
                pl.col("_k").alias("_fk"),
                pl.col("_d").alias("_fd"),
                pl.col("entity_id").alias("_deal_subject"),
                "m_par",
            )
            .sort("_fk"),
            on="_fk",
            strategy="backward",
        )
        .filter((pl.col("_fd") == pl.col("_d")) & (pl.col("m_par") == pl.col("paragraph_id")))
        .select("_k", "_deal_subject")
    )
    fig = (
        fig.join(pl.concat(fb_frames), on="_k", how="left")
        .join(ref_frame, on="_k", how="left")
        .join(deal_frame, on="_k", how="left")
        .collect(engine=_ENGINE)
    )
    # A figure with no name of its own sentence, opening a paragraph ("Acme beat estimates.\n\nRevenue
    # rose 6%"), continues the sentence right before it when that sentence names one company alone (of
    # every ORG, PRODUCT or MODEL mention there, sources included): wire copy makes each sentence a
    # paragraph. Two names there leave it without one certain owner (null beats wrong), and so does a
    # name-like word before the figure that quarry does not know: a capital after the sentence's first
    # word, a list item or a label ("- Zentro: 24,500 vehicles"). (Only the few such sentences'
    # mentions are counted.)
    prev_sk = _key(pl.col("_d"), pl.col("sentence_id") - 1)
    follow_on = (
        pl.col("_same_subject").is_null()
        & pl.col("_cs_start").is_null()
        & ~pl.col("_fb_same_par").fill_null(True)
        & (pl.col("_fb_sk") == prev_sk).fill_null(False)
    )
    follow_on = follow_on & ~_contains_where(
        follow_on,
        "_stext",
        r"^\s*[-•*–·]|:|^\W*\S+[^\p{Lu}]*\p{Lu}",
        0,
        (pl.col("start") - pl.col("sentence_start")).clip(0),
    )
    wanted = fig.filter(follow_on).get_column("_fb_sk").unique()
    single = (
        flags.lazy()
        .filter(pl.col("m_type").is_in(["ORG", "PRODUCT", "MODEL"]))
        .select(_key(pl.col("_d"), pl.col("m_sentence")).alias("_fb_sk"), "entity_id")
        .filter(pl.col("_fb_sk").is_in(wanted.implode()))
        .group_by("_fb_sk")
        .agg((pl.col("entity_id").n_unique() == 1).alias("_fb_single"))
    )
    fig = (
        fig.lazy()
        .join(single, on="_fb_sk", how="left")
        .with_columns((follow_on & pl.col("_fb_single").fill_null(False)).alias("_fb_prev"))
    )
    # An ORG named before the figure in its sentence: the first ORG's end is before the figure's start.
    # (grouped and joined by one integer sentence key: ~2x cheaper than the pair (_d, sentence))
    org_end = (
        flags.lazy()
        .filter(pl.col("m_type") == "ORG")
        .group_by(_key(pl.col("_d"), pl.col("m_sentence")).alias("_sk"))
        .agg(pl.col("m_end").min().alias("_org_end"))
    )
    fig = (
        fig.with_columns(_key(pl.col("_d"), pl.col("sentence_id")).alias("_sk"))
        .join(org_end, on="_sk", how="left")
        .drop("_sk")
    )
    # The document's topic: its most mentioned ORG, when it clearly leads (at least 3 mentions and
    # half again as many as the next ORG). A figure with no owner in its sentence or paragraph belongs
    # to it when its unit may belong to an ORG ("Total revenue for the quarter was $6.8 billion").
    org_counts = (
        flags.lazy()
        .filter(~pl.col("_research") & ~pl.col("_credit") & (pl.col("m_type") == "ORG"))
        .group_by("_d", "entity_id")
        .agg(pl.len().alias("_n"))
        .sort("_d", "_n", "entity_id", descending=[False, True, False])
    )
    # (sorted by document: a document's first row and the next, read where the document changes)
    same_doc_next = pl.col("_d").shift(-1) == pl.col("_d")
    topic = (
        org_counts.select(
            "_d",
            pl.col("entity_id").alias("_topic"),
            pl.col("_n").alias("_n1"),
            pl.when(same_doc_next).then(pl.col("_n").shift(-1)).otherwise(0).alias("_n2"),
        )
        .filter((pl.col("_d") != pl.col("_d").shift(1)).fill_null(True))
        .filter((pl.col("_n1") >= 3) & (pl.col("_n1") >= 1.5 * pl.col("_n2")))
        .select("_d", "_topic")
    )
    fig = fig.join(topic, on="_d", how="left")
    org_ok = pl.col("_class").is_in([c for c, tiers in _TIERS.items() if "ORG" in tiers])
    # (the classes a model owns first: those whose fallback looks for a model)
    model_class = pl.col("_class").is_in([c for c, t in _FALLBACK.items() if t == "MODEL"])
    fig = fig.with_columns((pl.col("_org_end") <= pl.col("start")).fill_null(False).alias("_orgb"))
    # The words before the figure in its sentence, read only for the figures whose rule needs them: a
    # class of companies ("tech companies", in a sentence naming one) with no owner in the sentence; a
    # reference back ("its", "the company") with a fallback owner, where the choice below depends on it
    # (a speaker's figure, or a fallback not already settled by the paragraph, a model's unit, the
    # document's topic or an owner in the sentence).
    model_fb = model_class & pl.col("_fb_subject").is_not_null() & ~pl.col("_orgb")
    settled = (
        pl.col("_fb_same_par").fill_null(False)
        | (model_class & ~pl.col("_orgb")).fill_null(False)
        | (
            pl.col("_same_subject").is_null() & org_ok & ~model_class & pl.col("_topic").is_not_null()
        ).fill_null(False)
        | (
            pl.col("_same_subject").is_not_null()
            & ~(model_fb & (pl.col("_best_tier") > 0))
            & ~(pl.col("_best_object").fill_null(False) & pl.col("_fb_same_par").fill_null(False))
        ).fill_null(False)
    )
    head = (pl.col("start") - pl.col("sentence_start")).clip(0)
    coref_rows = pl.col("_fb_subject").is_not_null() & (pl.col("_best_reporter").fill_null(False) | ~settled)
    fig = fig.with_columns(
        (
            _contains_where(coref_rows, "_stext", _COREF, 0, head)
            # (or speaking after the figure, in its sentence, where no name of the sentence owns it)
            | _contains_where(
                coref_rows & pl.col("_same_subject").is_null(),
                "_stext",
                _COREF_SAID_AFTER,
                pl.col("end") - pl.col("sentence_start"),
            )
        ).alias("_coref"),
        # (in the figure's own clause: "... venture-backed companies. He hired 10 engineers" is not;
        # one search: the class words hold no clause punctuation, so none may follow them)
        _contains_where(
            pl.col("_same_subject").is_null() & pl.col("_generic_s"),
            "_stext",
            _GENERIC_SUBJECT + r"[^,;:!?，；。！？“”\"]*$",
            0,
            head,
        ).alias("_generic"),
        _contains_where(
            pl.col("_best_reporter") & pl.col("_fb_subject").is_not_null(), "_stext", _SAID_IT, 0, head
        ).alias("_said_it"),
        # a reference back in the figure's own clause, whose best name is in another clause
        _contains_where(
            pl.col("_opener").is_not_null()
            & ~pl.col("_best_near").fill_null(True)
            & ~pl.col("_best_target").fill_null(True)
            & (pl.col("_opener") != pl.col("_same_subject")).fill_null(False),
            "_stext",
            _COREF + r"[^,;:!?，；。！？]*$",
            0,
            head,
        ).alias("_clause_coref"),
        _contains_where(
            pl.col("_best_trailing"), "_stext", _MARKET_SUBJECT + r"[^,;:!?，；。！？“”\"]*$", 0, head
        ).alias("_market"),
    )
    trailing = pl.col("_best_trailing").fill_null(False)
    use_same = (
        pl.col("_same_subject").is_not_null()
        & ~(model_class & (pl.col("_best_tier") > 0) & pl.col("_fb_subject").is_not_null() & ~pl.col("_orgb"))
        & ~(
            # "Canalys estimates its revenue at $5 billion": "its" is the earlier owner, not the speaker.
            pl.col("_best_reporter").fill_null(False)
            & pl.col("_coref")
            & pl.col("_fb_subject").is_not_null()
            & ~pl.col("_said_it")
        )
        # A source after the figure's clause reports it: the paragraph's owner keeps it ("Acme sold 9
        # million phones. That is up 12%, Globex said"), and a market's figure has none.
        & ~(trailing & (pl.col("_fb_same_par").fill_null(False) | pl.col("_market")))
        & ~(
            # "Xiaomi made steps in AI. Establishing a team of 1,200 specialists at its lab ...": a clause
            # with no subject of its own continues the paragraph's subject; its names are objects.
            pl.col("_best_object").fill_null(False) & pl.col("_fb_same_par").fill_null(False)
        )
    )
    fb_ok = pl.col("_fb_subject").is_not_null() & (
        pl.col("_fb_same_par").fill_null(False) | pl.col("_coref") | (model_class & ~pl.col("_orgb"))
    )
    # (a subject of several names leaves a reference back without one certain owner: none)
    fb_subject = pl.when(~pl.col("_several").fill_null(False)).then(pl.col("_fb_subject"))
    # A clause with a subject of its own ("while Globex fell 4%", "The Bank of England held rates at
    # 3%") gives its figures to that name, or to none when it is no entity, never to a name of another
    # clause or sentence; unless the figure's best name follows that subject in the clause ("The Daily
    # Ledger said Acme's sales rose 5%").
    best_after_subject = (
        (pl.col("_best_start") >= pl.col("_cs_start")) & (pl.col("_best_start") < pl.col("start"))
    ).fill_null(False)
    # (nor when the best name after the figure is what it is paid for or invested in: "Acme invested
    # $10 billion in Globex" is the deal's target's, as without a clause subject)
    best_target_after = (pl.col("_best_start") >= pl.col("end")) & pl.col("_best_target")
    own_clause = (
        pl.col("_cs_start").is_not_null()
        & ~pl.col("_cs_other").fill_null(False)
        & ~best_after_subject
        & ~best_target_after.fill_null(False)
    )
    # A figure of the economy or a whole market, named in its clause with no name as its subject (none
    # before it in the clause, or only a speaker: "Acme said inflation eased to 2.4%"), and not a
    # name's possessive ("Acme's home market grew 5%"): no owner. ("Acme dominates the market and
    # holds 80% of it" is Acme's.)
    best_in_clause = (
        (pl.col("_best_end") <= pl.col("start")) & (pl.col("_best_start") >= pl.col("_cl_start"))
    ).fill_null(False)
    macro_from = pl.when(best_in_clause).then(pl.col("_best_end")).otherwise(pl.col("_cl_start"))
    macro_rows = ~best_in_clause | pl.col("_best_reporter").fill_null(False)
    macro_text = _masked_value(
        macro_rows,
        "_stext",
        lambda t: t.str.contains(_MACRO_ANY) & ~t.str.contains(_MACRO_OWNED),
        macro_from - pl.col("sentence_start"),
        (pl.col("start") - macro_from).clip(0),
    )
    # (the 60 characters before the figure, after its best name when that is in the clause)
    ing_from = pl.max_horizontal(macro_from, pl.col("start") - 60)
    ing_subject = _contains_where(
        pl.col("_ing_s"),
        "_stext",
        _PARTICIPLE_SUBJECT,
        ing_from - pl.col("sentence_start"),
        (pl.col("start") - ing_from).clip(0),
    )
    # A market price as the subject of the figure's clause after the clause's name ("Acme shares rose 2%
    # as the dollar traded at 153.8 yen"): the price is the market's, not the name's, even where the
    # name is the clause's subject. (The rows `macro_text` does not read: a name in the clause, no speaker.)
    price_text = _contains_where(
        ~macro_rows,
        "_stext",
        _MARKET_PRICES,
        macro_from - pl.col("sentence_start"),
        (pl.col("start") - macro_from).clip(0),
    )
    fig = fig.with_columns(
        (macro_text.fill_null(False) | ing_subject.fill_null(False)).alias("_macro"),
        price_text.alias("_market_price"),
    )
    subject = fig.select(
        "_k",
        "_d",
        "_percent",
        pl.when(pl.col("kind").is_in([*_ECONOMY_KINDS, *_MARKET_KINDS]).fill_null(False))
        .then(pl.lit(None, dtype=pl.String))
        .when(pl.col("_ref_subject").is_not_null() & ~pl.col("_best_near").fill_null(False))
        .then(pl.col("_ref_subject"))
        .when(pl.col("_deal_subject").is_not_null() & ~pl.col("_best_target").fill_null(False))
        .then(pl.col("_deal_subject"))
        .when(pl.col("_market_price"))
        .then(pl.lit(None, dtype=pl.String))
        .when(own_clause)
        .then(pl.col("_cs_subject"))
        .when(pl.col("_macro"))
        .then(pl.lit(None, dtype=pl.String))
        .when(use_same & pl.col("_clause_coref"))
        .then(pl.col("_opener"))
        .when(use_same & (pl.col("_best_lsize") > 1) & (pl.col("_fsize") == pl.col("_best_lsize")))
        .then(pl.col("_member"))
        .when(use_same)
        .then(pl.col("_same_subject"))
        .when((pl.col("_same_subject").is_null() & pl.col("_generic")) | (trailing & pl.col("_market")))
        .then(pl.lit(None, dtype=pl.String))
        # No owner in the sentence: the latest suitable mention earlier in the paragraph; else the
        # document's topic ("the company", "its" and ownerless figures); else, for a reference back
        # or a model's figure, the latest suitable mention before the sentence.
        .when(pl.col("_fb_subject").is_not_null() & pl.col("_fb_same_par").fill_null(False))
        .then(fb_subject)
        .when(pl.col("_same_subject").is_null() & org_ok & ~model_class & pl.col("_topic").is_not_null())
        .then(pl.col("_topic"))
        .when(pl.col("_fb_prev"))
        .then(fb_subject)
        .when(fb_ok)
        .then(fb_subject)
        .otherwise(pl.col("_same_subject"))
        .alias("subject_entity_id"),
    )
    # (the few documents' indices, found among the ORG mentions with an index word beside them)
    orgs = base.filter(pl.col("m_type") == "ORG")
    indices = orgs.filter(
        orgs.get_column("m_right").str.contains(_INDEX_RIGHT)
        | orgs.get_column("m_left").str.contains(_INDEX_LEFT)
    ).select("_d", pl.col("entity_id").alias("subject_entity_id"), pl.lit(True).alias("_index"))
    subject = subject.join(
        indices.unique(["_d", "subject_entity_id"]).lazy(), on=["_d", "subject_entity_id"], how="left"
    ).select(
        "_k",
        pl.when(pl.col("_index").fill_null(False) & ~pl.col("_percent").fill_null(False))
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(pl.col("subject_entity_id"))
        .alias("subject_entity_id"),
    )
    return _add_columns(kept, subject, "_k")


def pair_size_versions(kept: pl.DataFrame, sizes: pl.DataFrame, entities: pl.DataFrame) -> pl.DataFrame:
    """Step `sizes`: "the versions are 6B and 1.3B (6.4 billion and 1.3 billion parameters)". A sentence
    that lists bare model sizes (`sizes`: dropped candidates "6B", "1.3B") and as many parameter counts
    pairs them in order, first with first; a count whose subject is a model family F goes to the model
    "F-<size>" (or "F <size>") when `entities` (entity_id, name, type) knows it. Other figures are left
    as they are."""
    size_re = r"^[0-9]+(?:\.[0-9]+)?[BT]$"
    listed = (
        sizes.lazy()
        .filter(pl.col("surface").str.contains(size_re))
        .select("_d", "sentence_id", "start", pl.col("surface").alias("_size"))
        .sort("_d", "start")
        .with_columns(
            pl.int_range(pl.len()).over("_d", "sentence_id").alias("_pos"),
            pl.len().over("_d", "sentence_id").alias("_n"),
        )
        .drop("start")
    )
    models = entities.lazy().filter(pl.col("type") == "MODEL").select("entity_id", "name")
    counts = (
        kept.lazy()
        .filter((pl.col("unit") == "parameters") & pl.col("subject_entity_id").is_not_null())
        .select("_d", "start", "sentence_id", "subject_entity_id")
        .sort("_d", "start")
        .with_columns(
            pl.int_range(pl.len()).over("_d", "sentence_id").alias("_pos"),
            pl.len().over("_d", "sentence_id").alias("_n"),
        )
        .join(listed, on=["_d", "sentence_id", "_pos", "_n"])
        .join(models.rename({"entity_id": "subject_entity_id", "name": "_family"}), on="subject_entity_id")
        .with_columns(
            pl.concat_str([pl.col("_family"), pl.lit("-"), pl.col("_size")]).str.to_lowercase().alias("_v1"),
            pl.concat_str([pl.col("_family"), pl.lit(" "), pl.col("_size")]).str.to_lowercase().alias("_v2"),
        )
    )
    by_name = models.select(
        pl.col("entity_id").alias("_version"), pl.col("name").str.to_lowercase().alias("_key")
    )
    versions = (
        pl.concat(
            [
                counts.join(by_name, left_on="_v1", right_on="_key"),
                counts.join(by_name, left_on="_v2", right_on="_key"),
            ]
        )
        .unique(["_d", "start"], keep="first", maintain_order=True)
        .select("_d", "start", "_version")
    )
    return (
        kept.lazy()
        .join(versions, on=["_d", "start"], how="left")
        .with_columns(pl.coalesce("_version", "subject_entity_id").alias("subject_entity_id"))
        .drop("_version")
        .collect(engine=_ENGINE)
    )


def link_conversions(kept: pl.DataFrame) -> pl.DataFrame:
    """Adds `linked_metric_id`: "20 billion yuan ($2.76 billion)" are two metrics linked both ways."""
    # Neighbours from a narrow sorted copy (sorting the wide frame would move every text).
    links = (
        kept.lazy()
        .select("_k", "_d", "doc_id", "start", "end", "unit", "_right")
        .sort("_k")
        # (sorted by document: a neighbour in the same document has an equal _d; masked shifts of
        # whole columns, not windows per document)
        .with_columns((pl.col("_d").shift(1) == pl.col("_d")).alias("_prev_in_doc"))
        .with_columns(
            pl.when(pl.col("_prev_in_doc").shift(-1)).then(pl.col("start").shift(-1)).alias("_nstart"),
            pl.when(pl.col("_prev_in_doc").shift(-1)).then(pl.col("unit").shift(-1)).alias("_nunit"),
        )
    )
    money_units = [*CURRENCIES]
    near = (
        pl.col("unit").is_in(money_units)
        & pl.col("_nunit").is_in(money_units)
        & (pl.col("unit") != pl.col("_nunit"))
        & ((pl.col("_nstart") - pl.col("end")) <= 20)
    )
    # (the words between are read only for near pairs of amounts in two currencies)
    linked_fwd = near & _contains_where(
        near,
        "_right",
        r"^\s*[(（]\s*(?:(?:about|approximately|roughly|around|or|about|approx\.|~|≈|or\s+about|约|大约|合|折合|即)\s*)?$",
        0,
        (pl.col("_nstart") - pl.col("end")).clip(0, 40),
    )
    links = (
        links.with_columns(
            pl.when(linked_fwd).then(pl.col("doc_id") + ":" + pl.col("_nstart").cast(pl.String)).alias("_lf"),
        )
        .with_columns(
            pl.coalesce(
                pl.col("_lf"),
                pl.when(pl.col("_prev_in_doc") & pl.col("_lf").shift(1).is_not_null()).then(
                    pl.col("doc_id").shift(1) + ":" + pl.col("start").shift(1).cast(pl.String)
                ),
            ).alias("linked_metric_id")
        )
        .select("_k", "linked_metric_id")
    )
    return _add_columns(kept, links, "_k")


_SIGNIFICANT_DIGITS = 12


def metric_candidates(
    docs: pl.DataFrame, mentions: pl.DataFrame, entities: pl.DataFrame, sentences: pl.DataFrame
) -> pl.DataFrame:
    """Every candidate figure with its parse and a `reason` it is dropped (null when it is a metric).

    Named steps, each over whole columns: candidates -> screen -> parse -> unit -> exclusions ->
    kind -> direction -> outlook -> subject -> sizes -> conversions.
    """
    sents = sentence_frame(docs, sentences)
    # (the batch's text as one UTF-8 buffer, for the windows both steps cut)
    texts = _Utf8Texts(docs.get_column("text"))
    early, hits = screen_bare_numbers(find_candidates(docs, sents, texts))
    ments = mention_frame(docs, mentions, entities, sents, texts)
    parsed = parse_figures(hits)
    yen = pl.col("cur").str.contains(r"^[¥￥]")
    wanted = parsed.filter((pl.col("_rest_unit") == "_generic") | yen).get_column("_d")
    # Japan cues matter only to figures in "¥" (figure_units): counted in their documents alone.
    japan = parsed.filter(yen).get_column("_d")
    units = figure_units(parsed, document_context(docs, wanted.unique(), japan.unique()))
    cands = exclusion_reasons(units, ments).lazy()
    kept = figure_kinds(cands.filter(pl.col("reason").is_null()).collect(engine=_ENGINE))
    kept = company_move_kinds(kept, ments)
    kept = restated_kinds(figure_directions(kept))
    kept = figure_outlooks(kept)
    kept = attach_subjects(kept, ments)
    unitless = cands.filter(pl.col("reason") == NO_UNIT).collect(engine=_ENGINE)
    kept = pair_size_versions(kept, unitless, entities)
    kept = link_conversions(kept).lazy()
    cols = [c for c in OUTPUT_SCHEMA if c != "metric_id"] + ["reason", "_d"]
    nulls = {c: pl.lit(None, dtype=t) for c, t in OUTPUT_SCHEMA.items()}
    dropped = pl.concat(
        [
            cands.filter(pl.col("reason").is_not_null()).select(
                "_d",
                *[
                    c
                    for c in cols
                    if c
                    in {
                        "doc_id",
                        "surface",
                        "start",
                        "end",
                        "sentence_start",
                        "sentence_end",
                        "value",
                        "value_high",
                        "unit",
                        "reason",
                    }
                ],
            ),
            early.lazy(),
        ],
        how="diagonal_relaxed",
    )
    dropped = dropped.with_columns(
        [
            nulls[c].alias(c)
            for c in (
                "qualifier",
                "kind",
                "direction",
                "outlook",
                "segment",
                "subject_entity_id",
                "linked_metric_id",
            )
        ]
    )
    out = (
        pl.concat([kept.select(cols), dropped.select(cols)], how="vertical_relaxed")
        .sort(_key(pl.col("_d"), pl.col("start")))  # (one integer key: the order of _d, start)
        .drop("_d")
    )
    return out.with_columns(
        (pl.col("doc_id") + ":" + pl.col("start").cast(pl.String)).alias("metric_id"),
        # 8.3 × 1e9 is 8300000000.000001 in binary floating point: a user's `value = 8.3e9` missed it.
        # News figures carry far fewer than 12 significant digits, so rounding there is exact for them.
        *(pl.col(c).round_sig_figs(_SIGNIFICANT_DIGITS) for c in ("value", "value_high")),
    ).collect(engine=_ENGINE)


def extract_metrics(
    docs: pl.DataFrame, mentions: pl.DataFrame, entities: pl.DataFrame, sentences: pl.DataFrame
) -> pl.DataFrame:
    """Figures in `docs.text` with normalised value, unit, qualifier, kind, subject entity and offsets."""
    if docs.height == 0:
        return pl.DataFrame(schema=OUTPUT_SCHEMA)
    cands = metric_candidates(docs, mentions, entities, sentences)
    return cands.filter(pl.col("reason").is_null()).select(
        [pl.col(c).cast(t) for c, t in OUTPUT_SCHEMA.items()]
    )
