"""Near-duplicates: MinHash signatures and LSH lookups against earlier documents."""

from __future__ import annotations

import polars as pl

from transforms import dedup as D
from transforms.dedup import minhash_signatures, near_duplicates

A = (
    "Xiaomi just crashed the AI party. The Chinese tech giant unveiled MiMo, its first large language "
    "model, marking a dramatic shift from smartphones and electric cars to artificial intelligence. "
    "The company claims its 7-billion-parameter model outperforms both OpenAI's o1-mini and Alibaba's "
    "QwQ-32B-Preview in math reasoning and coding tasks."
)
A_EDITED = A + " Shares rose."  # word 3-gram Jaccard with A is about 0.93
B = (
    "Alibaba unveiled its third-generation Qwen AI models on Tuesday, boasting enhanced performance and "
    "multilingual capabilities, as competition among Chinese technology firms intensifies this year."
)


def sigs(**texts: str) -> pl.DataFrame:
    return minhash_signatures(pl.DataFrame({"doc_id": list(texts), "text": list(texts.values())}))


def test_signature_shape_and_determinism() -> None:
    s = sigs(a=A, b=B)
    assert s.schema == pl.Schema(D.SIGNATURE_COLUMNS)
    assert s["signature"].list.len().to_list() == [D.NUM_PERM, D.NUM_PERM]
    assert s["signature"][0].to_list() == sigs(x=A)["signature"][0].to_list()
    # Case and punctuation do not matter; words do.
    assert sigs(x=A.upper().replace(",", ""))["signature"][0].to_list() == s["signature"][0].to_list()


def test_near_duplicate_of_prior() -> None:
    prior = sigs(a=A, b=B)
    new = sigs(c=A_EDITED)
    assert near_duplicates(new, prior).rows() == [("c", "a")]


def test_near_duplicate_within_batch_points_to_earliest() -> None:
    new = sigs(a=A, b=B, c=A_EDITED, d=A_EDITED + " More.")
    assert near_duplicates(new, None).rows() == [("c", "a"), ("d", "a")]


def test_prior_wins_over_batch() -> None:
    assert near_duplicates(sigs(x=A, c=A_EDITED), sigs(p=A)).sort("doc_id").rows() == [("c", "p"), ("x", "p")]


def test_different_texts_are_not_duplicates() -> None:
    assert near_duplicates(sigs(b=B), sigs(a=A)).height == 0


def test_threshold_is_honoured() -> None:
    half = " ".join(A.split()[: len(A.split()) // 2]) + " " + B
    assert near_duplicates(sigs(h=half), sigs(a=A), threshold=0.8).height == 0


def test_same_doc_id_and_empty_text_are_skipped() -> None:
    assert near_duplicates(sigs(a=A), sigs(a=A)).height == 0
    assert near_duplicates(sigs(e1="", e2=""), None).height == 0
    assert near_duplicates(sigs(a=A).clear(), None).schema == pl.Schema(D.DUPLICATE_COLUMNS)


def _estimate(x: pl.DataFrame, i: int, j: int) -> float:
    a, b = x["signature"][i].to_numpy(), x["signature"][j].to_numpy()
    return float((a == b).mean())


def test_vectorised_signatures_score_jaccard() -> None:
    s = sigs(a=A, c=A_EDITED, b=B, d=A_EDITED + " More.")
    assert _estimate(s, 0, 1) >= 0.8  # near-duplicates
    assert _estimate(s, 0, 3) >= 0.8
    assert _estimate(s, 0, 2) < 0.3  # unrelated texts


def test_signatures_match_datasketch_bit_for_bit() -> None:
    """Signatures already stored in a warehouse (computed per document with datasketch) stay comparable."""
    import re

    from datasketch import MinHash

    texts = {
        "a": A,
        "b": B,
        "c": A_EDITED,
        "e": "",
        "s": "two words",
        "p": "!!!",
        "u": "Ünïcode café 東京 x2",
    }
    s = sigs(**texts)
    for i, text in enumerate(texts.values()):
        words = re.findall(r"[^\W_]+", text.lower())
        grams = [" ".join(words[k : k + 3]) for k in range(len(words) - 2)] if len(words) >= 3 else words
        m = MinHash(num_perm=D.NUM_PERM, seed=D.SEED, scheme=D.SCHEME)
        if grams:
            m.update_batch([g.encode("utf-8") for g in grams])
        assert s["signature"][i].to_list() == m.hashvalues.tolist(), text


def test_signatures_of_many_documents_keep_row_order() -> None:
    texts = {f"d{i}": (B if i % 3 else A) + f" item {i}" for i in range(50)}
    texts["empty"] = ""
    s = sigs(**texts)
    assert s["doc_id"].to_list() == list(texts)
    for i, (doc_id, text) in enumerate(texts.items()):
        assert s["signature"][i].to_list() == sigs(**{doc_id: text})["signature"][0].to_list()
