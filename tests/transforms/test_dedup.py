"""Near-duplicates: MinHash signatures and LSH lookups against earlier documents."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

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
        "r": "the same three the same three the same three words",  # repeated shingles
        "w": "one two three",
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


def _datasketch_signature(text: str) -> list[int]:
    import re

    from datasketch import MinHash

    words = re.findall(r"[^\W_]+", text.lower())
    grams = [" ".join(words[k : k + 3]) for k in range(len(words) - 2)] if len(words) >= 3 else words
    m = MinHash(num_perm=D.NUM_PERM, seed=D.SEED, scheme=D.SCHEME)
    if grams:
        m.update_batch([g.encode("utf-8") for g in grams])
    return m.hashvalues.tolist()


# Short texts between long ones: a 3-gram must not run across a document boundary, a one- or two-word
# text has its words (repeats included) as shingles, a word may recur in other documents.
BOUNDARY_TEXTS = {
    "long1": "red fox jumps over the lazy red fox",
    "one": "fox",
    "two": "lazy lazy",
    "none": "?!",
    "three": "the red fox",
    "long2": "over the lazy dog and the red fox again",
    "tail": "dog again",
}


# word_bits 2: more than 4 distinct words take the string path; table_bits 2: the hash tables of words
# and shingles start at 4 entries and grow several times.
@pytest.mark.parametrize(
    ("word_bits", "table_bits"), [(D._WORD_BITS, D._TABLE_BITS), (2, D._TABLE_BITS), (D._WORD_BITS, 2)]
)
def test_signatures_at_document_boundaries_match_datasketch(
    monkeypatch, word_bits: int, table_bits: int
) -> None:
    monkeypatch.setattr(D, "_WORD_BITS", word_bits)
    monkeypatch.setattr(D, "_TABLE_BITS", table_bits)
    s = sigs(**BOUNDARY_TEXTS)
    assert s["doc_id"].to_list() == list(BOUNDARY_TEXTS)
    for i, text in enumerate(BOUNDARY_TEXTS.values()):
        assert s["signature"][i].to_list() == _datasketch_signature(text), text
    # literal values, so a change shows even where datasketch would change alike
    assert s["signature"][1].to_list()[:2] == [4588311956102847356, 16139911857488033613]
    assert s["signature"][3].to_list()[:2] == [D._EMPTY, D._EMPTY]


def test_no_words_at_all() -> None:
    s = sigs(a="", b="...")
    assert s["signature"].to_list() == [[D._EMPTY] * D.NUM_PERM] * 2
    assert minhash_signatures(pl.DataFrame(schema={"doc_id": pl.String, "text": pl.String})).height == 0


# Raw 64-bit shingle hashes per row of the signature matrix: row 1 has none (an empty document), row 2
# one; the others 4, 5 and 6, so the kernel's four-at-a-time sweep and its remainder both run.
KERNEL_DOCS = {
    0: [1, 2, 3, 2**64 - 1, 0, 12345678901234567890],
    2: [7],
    3: [5, 6, 7, 8],
    4: [9, 10, 11, 12, 13],
}


@pytest.mark.parametrize("row_dtype", [np.uint32, np.int64])
def test_permuted_minima_kernel_is_datasketch_on_literal_hashes(row_dtype) -> None:
    from datasketch import MinHash

    rows = np.array([r for r, hs in KERNEL_DOCS.items() for _ in hs], dtype=row_dtype)
    h = D._fmix64(np.array([x for hs in KERNEL_DOCS.values() for x in hs], dtype=np.uint64))
    sig = np.full((5, D.NUM_PERM), D._EMPTY, dtype=np.uint64)
    D._permuted_minima(h, rows, *D._permutations(), sig)
    for r in range(5):
        m = MinHash(num_perm=D.NUM_PERM, seed=D.SEED, scheme=D.SCHEME, hashfunc=int)
        for x in KERNEL_DOCS.get(r, []):
            m.update(x)
        assert sig[r].tolist() == m.hashvalues.tolist(), r
    assert sig[1].tolist() == [D._EMPTY] * D.NUM_PERM
    # literal values, so a change shows even where datasketch would change alike
    assert sig[2, :2].tolist() == [7816299755106716983, 9062417802432980058]
    assert sig[0, :2].tolist() == [1476114537958890909, 4785071310207400667]


def test_distinct_keys_in_first_seen_order(monkeypatch) -> None:
    keys = np.array([5, 3, 5, 0, 2**64 - 1, 3, 0], dtype=np.uint64)
    uniq, idx = D._distinct(keys)
    assert uniq.tolist() == [5, 3, 0, 2**64 - 1]
    assert idx.tolist() == [0, 1, 0, 2, 3, 1, 2]
    uniq, idx = D._distinct(np.zeros(0, dtype=np.uint64))
    assert (uniq.tolist(), idx.tolist()) == ([], [])
    monkeypatch.setattr(D, "_TABLE_BITS", 2)  # a table of 4 entries, grown several times
    # many keys sharing table slots: keys that differ only in their low bits, repeated
    keys = np.tile(np.arange(3000, dtype=np.uint64) << np.uint64(40), 3)
    uniq, idx = D._distinct(keys)
    assert uniq.tolist() == keys[:3000].tolist()
    assert idx.tolist() == list(range(3000)) * 3


# Texts whose words (runs of letters and digits of the lowercased text) take the compiled tokenizer
# through empty and null texts, "_" and "-" between letters, two- to four-byte UTF-8, a dotted capital I
# (lowercased to "i" and a combining dot, which is no letter), a combining accent, other numbers (½,
# Arabic-Indic digits) and an emoji.
WORD_TEXTS = [
    "",
    None,
    "The Red fox_den, re-run 2x!",
    "Ünïcode café 東京 x2",
    "İstanbul",
    "e\u0301te ½ ٣٤ 👍ok",
    "fox",
]
WORDS = [
    [],
    [],
    ["the", "red", "fox", "den", "re", "run", "2x"],
    ["ünïcode", "café", "東京", "x2"],
    ["i", "stanbul"],
    ["e", "te", "½", "٣٤", "ok"],
    ["fox"],
]


@pytest.mark.parametrize("table_bits", [D._TABLE_BITS, 2])
def test_lowercase_words_are_str_extract_alls(monkeypatch, table_bits: int) -> None:
    table = np.zeros(0x110000, dtype=np.uint8)  # nothing looked up yet
    table[ord("x")] = 3  # marked by another thread, not looked up yet: this call must look it up too
    monkeypatch.setattr(D, "_WORD_CHARS", table)
    monkeypatch.setattr(D, "_TABLE_BITS", table_bits)
    code, row, counts, vocab = D._lowercase_words(pl.Series(WORD_TEXTS).slice(0))
    assert vocab.to_list() == ["the", "red", "fox", "den", "re", "run", "2x", "ünïcode", "café", "東京", "x2",
                               "i", "stanbul", "e", "te", "½", "٣٤", "ok"]  # fmt: skip
    assert code.tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 2]
    assert row.tolist() == [2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 5, 5, 5, 6]
    assert counts.tolist() == [len(w) for w in WORDS]
    assert [[vocab[int(c)] for c in code[row == d]] for d in range(len(WORDS))] == WORDS
    expected = pl.Series(WORD_TEXTS).str.to_lowercase().str.extract_all(D._WORD).fill_null([]).to_list()
    assert expected == WORDS  # the regex engine agrees
    # what was looked up is remembered: letters and digits 1, other characters 2, unseen ones 0; every
    # ASCII character is looked up with the first batch ("z" and "~" too)
    looked_up = D._WORD_CHARS[[ord(c) for c in "ax東 _\u0301👍z~ж"]]
    assert looked_up.tolist() == [1, 1, 1, 2, 2, 2, 2, 1, 2, 0]
    # a slice of a longer Series: its bytes start past the buffer's start
    _, _, counts, vocab = D._lowercase_words(pl.Series(["pad words", "Café au lait"]).slice(1))
    assert (counts.tolist(), vocab.to_list()) == ([3], ["café", "au", "lait"])
    _, _, counts, vocab = D._lowercase_words(pl.Series([], dtype=pl.String))
    assert (counts.tolist(), vocab.to_list()) == ([], [])


def test_a_character_another_thread_marked_is_looked_up(monkeypatch) -> None:
    table = np.full(0x110000, 2, dtype=np.uint8)  # all looked up but "x", marked by another thread
    table[[ord("a"), ord("b"), ord("y")]] = 1
    table[ord("x")] = 3
    monkeypatch.setattr(D, "_WORD_CHARS", table)
    _, _, _, vocab = D._lowercase_words(pl.Series(["ax by"]))
    assert vocab.to_list() == ["ax", "by"]
    assert table[ord("x")] == 1


def test_many_distinct_words_grow_the_table(monkeypatch) -> None:
    monkeypatch.setattr(D, "_TABLE_BITS", 2)
    # texts 2i and 2i + 1 are the same 50 new words and "shared": the table grows between them
    texts = [" ".join(f"w{i // 2}x{j}" for j in range(50)) + " shared" for i in range(40)]
    code, row, counts, vocab = D._lowercase_words(pl.Series(texts))
    assert vocab.len() == 20 * 50 + 1
    assert vocab.to_list()[:3] == ["w0x0", "w0x1", "w0x2"]
    assert vocab.to_list()[-3:] == ["w19x47", "w19x48", "w19x49"]
    # "shared" is word 50, first seen in text 0
    assert [code[row == d].tolist() for d in (4, 5)] == [list(range(101, 151)) + [50]] * 2
    assert counts.tolist() == [51] * 40


def test_load_kernels_leaves_nothing_to_compile_for_a_batch() -> None:
    D.load_kernels()
    kernels = [v for v in vars(D).values() if hasattr(v, "signatures") and hasattr(v, "py_func")]
    before = [list(k.signatures) for k in kernels]
    assert D._word_codes in kernels and D._permuted_minima in kernels
    sigs(a=A, b=B, e="", s="two words", u="Ünïcode café 東京 x2")
    assert [list(k.signatures) for k in kernels] == before


def _hashlib_sha1_64(text: str) -> int:
    import hashlib

    return int.from_bytes(hashlib.sha1(text.encode("utf-8")).digest()[:8], "little")


def test_sha1_of_shingles_is_hashlibs_for_every_length_around_one_block() -> None:
    # 55 bytes is the longest message of one padded block (vectorised SHA-1); longer ones go to hashlib
    texts = ["a" * n for n in range(0, 70)] + ["é" * 27, "é" * 28, "東京 x", "", "the red fox"]
    shingles = pl.Series(["pad"] * 3 + texts).slice(3)  # a slice: its data starts past the buffer's start
    assert D._sha1_64(shingles).tolist() == [_hashlib_sha1_64(t) for t in texts]
    assert D._sha1_64(pl.Series(["abc"])).tolist() == [
        0x6A810647363E99A9
    ]  # FIPS 180-2 "abc" digest: a9993e36 4706816a ...
    assert D._sha1_64(pl.Series([], dtype=pl.String)).tolist() == []


def test_sha1_of_many_shingles_of_one_and_more_blocks() -> None:
    texts = [f"word{i} " * (i % 9) for i in range(100)]  # 0 to 64 bytes: one block, and two
    assert D._sha1_64(pl.Series(texts)).tolist() == [_hashlib_sha1_64(t) for t in texts]


# Literal signatures for the LSH lookups. With the default threshold 0.8 datasketch uses 9 bands of 13 slots
# (band i = slots 13i..13i+12); the estimated Jaccard is the share of the 128 slots that are equal.
BASE = np.arange(1, D.NUM_PERM + 1, dtype=np.uint64) * 1000


def edited(sig: np.ndarray, slots, salt: int) -> np.ndarray:
    """`sig` with the given slots replaced by values no other signature has."""
    out = sig.copy()
    slots = np.asarray(list(slots))
    out[slots] = np.uint64(10**9 * salt) + slots.astype(np.uint64)
    return out


def frame(*rows: tuple[str, np.ndarray]) -> pl.DataFrame:
    return pl.DataFrame(
        {"doc_id": [d for d, _ in rows], "signature": [s.tolist() for _, s in rows]},
        schema=D.SIGNATURE_COLUMNS,
    )


SIG_A = BASE
SIG_B = edited(SIG_A, range(13, 33), 1)  # 108/128 = 0.84 of A; shares band 0 with A
SIG_C = edited(SIG_B, range(33, 53), 2)  # 0.84 of B, 88/128 = 0.69 of A; shares band 0 with both
EMPTY = np.full(D.NUM_PERM, D._EMPTY, dtype=np.uint64)
OTHER = BASE + np.uint64(7)  # nothing in common with A


def test_lsh_bands_are_datasketch_bands() -> None:
    from datasketch import MinHashLSH

    for t in (0.5, 0.8, 0.9, 0.1, 0.3, 0.7, 0.95):
        lsh = MinHashLSH(threshold=t, num_perm=D.NUM_PERM)
        assert D._lsh_bands(t) == (lsh.b, lsh.r), t
    assert D._lsh_bands(0.8) == (9, 13)
    for t in (0.99, 1.5, -0.1):  # b = 1, or out of range: datasketch refuses both
        with pytest.raises(ValueError):
            MinHashLSH(threshold=t, num_perm=D.NUM_PERM)
        with pytest.raises(ValueError):
            near_duplicates(frame(("a", SIG_A)), None, threshold=t)


def test_chain_within_new_points_to_the_earliest_passing_doc() -> None:
    sig_d = edited(SIG_A, range(100, 116), 3)  # 0.875 of A, 0.72 of B
    sig_e = edited(SIG_C, [120], 4)  # 0.99 of C, 107/128 = 0.84 of B, 0.68 of A
    new = frame(("a", SIG_A), ("b", SIG_B), ("c", SIG_C), ("d", sig_d), ("e", sig_e))
    assert near_duplicates(new).rows() == [("b", "a"), ("c", "b"), ("d", "a"), ("e", "b")]


def test_prior_wins_over_an_earlier_more_similar_new_doc() -> None:
    new = frame(("x", SIG_A), ("y", edited(SIG_A, [127], 5)))  # y is 0.99 of x, 0.83 of p
    prior = frame(("q", OTHER), ("p", SIG_B))
    assert near_duplicates(new, prior).rows() == [("x", "p"), ("y", "p")]


def test_repeated_doc_id_in_new_is_neither_looked_up_nor_a_candidate() -> None:
    far = BASE + np.uint64(3)
    new = frame(("a", SIG_A), ("u", OTHER), ("a", far), ("z", edited(far, [5], 6)), ("a", SIG_B))
    assert near_duplicates(new).rows() == []
    # Same with the doc_id held by a prior doc (the first of repeated prior doc_ids counts).
    prior = frame(("p", OTHER), ("p", SIG_A))
    assert near_duplicates(frame(("p", far), ("z", edited(far, [5], 6)), ("b", SIG_B)), prior).rows() == []


def test_all_empty_signature_is_skipped() -> None:
    new = frame(("e1", EMPTY), ("e2", EMPTY), ("x", SIG_A))
    assert near_duplicates(new, frame(("pe", EMPTY))).rows() == []
    # An empty row is not recorded, so a later row with its doc_id is looked up and indexed as usual.
    assert near_duplicates(frame(("e", EMPTY), ("e", SIG_A), ("f", SIG_B))).rows() == [("f", "e")]


def test_sharing_a_band_is_not_enough_and_is_needed() -> None:
    # C shares band 0 with A (so datasketch's LSH returns A) but its estimated Jaccard is 0.69.
    assert near_duplicates(frame(("c", SIG_C)), frame(("a", SIG_A))).rows() == []
    assert near_duplicates(frame(("c", SIG_C)), frame(("a", SIG_A)), threshold=0.6).rows() == [("c", "a")]
    # One slot changed in each of the 9 bands: 119/128 = 0.93 of A, but no band in common, no candidate.
    every_band = edited(SIG_A, range(0, 117, 13), 7)
    assert near_duplicates(frame(("v", every_band)), frame(("a", SIG_A))).rows() == []


def test_signatures_of_the_wrong_length_are_refused() -> None:
    bad = pl.DataFrame({"doc_id": ["a"], "signature": [[1, 2, 3]]}, schema=D.SIGNATURE_COLUMNS)
    with pytest.raises(ValueError, match="has 3 values, expected 128"):
        near_duplicates(bad)
    with pytest.raises(ValueError, match="expected 128"):
        near_duplicates(frame(("x", SIG_A)), bad)


def test_many_documents_match_the_per_document_definition() -> None:
    """Against a direct transcription of the definition (earliest earlier doc sharing a band and
    reaching the threshold), on clusters of near-copies with repeated doc_ids and empty signatures."""
    rng = np.random.default_rng(0)
    n, n_prior = 600, 200
    sig = np.repeat(SIG_A[None], n, axis=0)
    for i in range(n):
        k = int(rng.integers(0, 60))
        sig[i, rng.choice(D.NUM_PERM, k, replace=False)] = rng.integers(0, 3, k, dtype=np.uint64)
    sig[rng.choice(n, 20, replace=False)] = D._EMPTY
    ids = [f"d{i}" for i in range(n)]
    for i in rng.choice(np.arange(1, n), 40, replace=False):
        ids[i] = ids[int(rng.integers(0, i))]
    rows = list(zip(ids, sig, strict=True))
    prior, new = frame(*rows[:n_prior]), frame(*rows[n_prior:])
    got = near_duplicates(new, prior).rows()

    seen: dict[str, int] = {}
    for i in range(n_prior):
        seen.setdefault(ids[i], i)
    expected = []
    for i in range(n_prior, n):
        if ids[i] in seen or (sig[i] == D._EMPTY).all():
            continue
        for j in sorted(seen.values()):
            eq = sig[i] == sig[j]
            if eq[: 9 * 13].reshape(9, 13).all(axis=1).any() and eq.mean() >= 0.8:
                expected.append((ids[i], ids[j]))
                break
        seen[ids[i]] = i
    assert len(expected) > 100
    assert got == expected


def test_matrix_entry_checks_the_signature_shape() -> None:
    ids = pl.Series(["a", "b"])
    with pytest.raises(ValueError, match=r"\(2, 128\) uint64"):
        D.near_duplicate_rows(ids, np.zeros((2, 64), dtype=np.uint64), 0)
    with pytest.raises(ValueError, match="uint64"):
        D.near_duplicate_rows(ids, np.zeros((2, D.NUM_PERM), dtype=np.int64), 0)
    same = np.tile(BASE, (2, 1))
    assert D.near_duplicate_rows(ids, same, 1).rows() == [("b", "a")]


@pytest.mark.parametrize("fallback", [False, True])
def test_words_found_before_lowercasing_are_numbered_as_lowercased(monkeypatch, fallback: bool) -> None:
    # Spellings of one word ("The", "THE", "the") are one lowercased word, numbered where the first of
    # them appears; with a character that lowercases into a letter the text is lowercased first.
    monkeypatch.setattr(D, "_LOWERCASE_MAKES_WORD_CHARS", [fallback])
    code, row, counts, vocab = D._lowercase_words(pl.Series(["The cat saw THE Cat", None, "a CAT, the end"]))
    assert vocab.to_list() == ["the", "cat", "saw", "a", "end"]
    assert code.tolist() == [0, 1, 2, 0, 1, 3, 1, 0, 4]
    assert row.tolist() == [0, 0, 0, 0, 0, 2, 2, 2, 2]
    assert counts.tolist() == [5, 0, 4]


def test_words_around_eight_bytes_are_told_apart_and_matched() -> None:
    # Up to 8 bytes a word is keyed by its packed bytes (masked off the bytes after it), longer ones by a
    # hash and a byte compare; "ab" last in the buffer is packed byte by byte (no 8 bytes left to load).
    # The compiled pass's own numbering (before lowercasing, which would merge two entries of one word).
    texts = [
        "abcdefgh abcdefghi abcdefghij abcdefghik ab cd",
        "ééééé éééé abcdefgh abcdefghij ab ef",
        "xyzzy abcdefghik éééé ab",
    ]
    code, row, counts, vocab = D._text_words(pl.Series(texts))
    assert vocab.to_list() == ["abcdefgh", "abcdefghi", "abcdefghij", "abcdefghik", "ab", "cd", "ééééé",
                               "éééé", "ef", "xyzzy"]  # fmt: skip
    assert code.tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 0, 2, 4, 8, 9, 3, 7, 4]
    assert row.tolist() == [0] * 6 + [1] * 6 + [2] * 4
    assert counts.tolist() == [6, 6, 4]


def test_characters_past_ascii_are_found_between_ascii_blocks(monkeypatch) -> None:
    table = np.zeros(0x110000, dtype=np.uint8)
    table[:0x80] = 2  # all ASCII looked up: blocks of it are passed unread
    table[[ord("x"), ord("y"), ord("z")]] = 1
    monkeypatch.setattr(D, "_WORD_CHARS", table)
    # "é" straddles the first 16-byte block's end; "ж" lies in a later block
    _, _, counts, vocab = D._lowercase_words(pl.Series(["x" * 15 + "é " + "y" * 20 + " ж " + "z" * 30]))
    assert (counts.tolist(), vocab.to_list()) == ([4], ["x" * 15 + "é", "y" * 20, "ж", "z" * 30])


def test_distinct_shingles_are_spelled_from_their_keys() -> None:
    # 3-grams joined by one space, a short text's words one by one, repeated shingles once
    docs = pl.DataFrame(
        {"doc_id": ["a", "b", "c"], "text": ["The cat sat on", "Hi  there", "ünï café x, the cat sat"]}
    )
    rows, uniq, idx = D._shingles(docs)
    assert uniq.to_list() == [
        "the cat sat",
        "cat sat on",
        "hi",
        "there",
        "ünï café x",
        "café x the",
        "x the cat",
    ]
    assert rows.tolist() == [0, 0, 1, 1, 2, 2, 2, 2]
    assert idx.tolist() == [0, 1, 2, 3, 4, 5, 6, 0]
