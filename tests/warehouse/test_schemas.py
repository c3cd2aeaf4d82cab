"""schemas: the accepted values derived from maintained sources."""

from __future__ import annotations

from wordfreq import zipf_frequency

from warehouse.schemas import (
    _PRESS_NOUNS,
    CODE_ONLY_CURRENCIES,
    CURRENCIES,
    CURRENCY_NAMES,
    CURRENCY_NOUN_ZIPF,
    CURRENCY_NOUNS,
    CURRENCY_SYMBOLS,
    NAMED_CURRENCIES,
    WORD_CODE_ZIPF,
    WORD_CURRENCIES,
)


def test_word_currencies_are_the_codes_that_are_english_words() -> None:
    derived = tuple(c for c in CODE_ONLY_CURRENCIES if zipf_frequency(c.lower(), "en") >= WORD_CODE_ZIPF)
    assert WORD_CURRENCIES == derived
    assert {"ALL", "TRY", "CUP"} <= set(WORD_CURRENCIES)
    assert not {"NOK", "SEK", "DKK"} & set(WORD_CURRENCIES)


def test_currency_nouns_are_the_nouns_of_one_currency_that_are_no_english_words() -> None:
    from babel.localedata import load

    names = load("en")
    codes: dict[str, set[str]] = {}
    for c in CURRENCIES:
        for name in {names["currency_names"][c], *names["currency_names_plural"][c].values()}:
            noun = name.lower().rsplit(" ", 1)[-1]
            for n in (noun, *_PRESS_NOUNS.get(noun, ())):
                codes.setdefault(n, set()).add(c)
    derived = {
        n: min(cs)
        for n, cs in sorted(codes.items())
        if len(cs) == 1 and not cs & set(NAMED_CURRENCIES) and zipf_frequency(n, "en") < CURRENCY_NOUN_ZIPF
    }
    assert CURRENCY_NOUNS == derived
    assert {"rand": "ZAR", "zloty": "PLN", "forints": "HUF", "reais": "BRL"}.items() <= CURRENCY_NOUNS.items()
    assert not {"mark", "real", "gold", "krone", "pesos", "dinar"} & set(CURRENCY_NOUNS)


def test_currency_names_and_symbols() -> None:
    assert {
        "swedish crowns": "SEK", "swedish kronor": "SEK", "norwegian kroner": "NOK", "danish krone": "DKK",
        "south korean won": "KRW", "mexican pesos": "MXN", "brazilian reais": "BRL", "israeli shekels": "ILS",
        "new zealand dollars": "NZD", "turkish lira": "TRY", "south african rand": "ZAR",
    }.items() <= CURRENCY_NAMES.items()  # fmt: skip
    assert "euro" not in CURRENCY_NAMES  # (one word: a noun)
    assert {"R$": "BRL", "MX$": "MXN", "NZ$": "NZD", "₪": "ILS"}.items() <= CURRENCY_SYMBOLS.items()
    assert "$" not in CURRENCY_SYMBOLS and "¥" not in CURRENCY_SYMBOLS
