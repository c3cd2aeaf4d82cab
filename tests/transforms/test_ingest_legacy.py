"""Legacy-encoded news must be decoded into the right characters, not quarantined and not mojibake."""

from __future__ import annotations

import polars as pl

from transforms.ingest import decode_documents

# Short Windows-1252 text: it fits DOS code pages (cp852, cp437) just as well by charset statistics.
CP1252_SHORT = "Xiaomi’s MiMo model – the “reasoning” release – costs €5 million, said Lei Jun in Beijing. "
GBK = "小米公司发布了新的人工智能大模型，参数规模达到七十亿。雷军在北京表示，该模型在多个基准测试中表现优异。"


def _decode(content: bytes) -> tuple[list[str], list[str]]:
    raw = pl.DataFrame(
        {"source": ["a.txt"], "content": [content], "format": ["txt"]},
        schema={"source": pl.String, "content": pl.Binary, "format": pl.String},
    )
    docs, rejects = decode_documents(raw)
    return docs.get_column("raw_text").to_list(), rejects.get_column("reason").to_list()


def test_gbk_text_is_decoded():
    assert _decode((GBK * 4).encode("gbk")) == ([GBK * 4], [])


def test_short_cp1252_text_is_decoded_as_cp1252_not_a_dos_code_page():
    text = CP1252_SHORT * 5
    assert _decode(text.encode("cp1252")) == ([text], [])
