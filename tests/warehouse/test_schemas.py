"""schemas: the accepted values derived from maintained sources."""

from __future__ import annotations

from wordfreq import zipf_frequency

from warehouse.schemas import CODE_ONLY_CURRENCIES, WORD_CODE_ZIPF, WORD_CURRENCIES


def test_word_currencies_are_the_codes_that_are_english_words() -> None:
    derived = tuple(c for c in CODE_ONLY_CURRENCIES if zipf_frequency(c.lower(), "en") >= WORD_CODE_ZIPF)
    assert WORD_CURRENCIES == derived
    assert {"ALL", "TRY", "CUP"} <= set(WORD_CURRENCIES)
    assert not {"NOK", "SEK", "DKK"} & set(WORD_CURRENCIES)
