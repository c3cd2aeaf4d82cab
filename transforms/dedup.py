"""Near-duplicate detection: MinHash signatures of cleaned text, and LSH lookups against earlier docs.

Exact duplicates share a doc_id (sha256 of the raw bytes) and are handled before this stage.
Signatures are deterministic (fixed seed and permutation count), so signatures stored by one run can be
compared with those computed by a later run. Both stages are vectorised (numpy + polars, no loop per
document) and give the results datasketch's MinHash and MinHashLSH would, without using them at run time.
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np
import polars as pl
import pyarrow as pa
from numba import njit

from transforms.text import spelled, utf8_buffer

# Fixed MinHash parameters: changing either makes stored signatures incomparable.
NUM_PERM = 128
SEED = 1
SCHEME = "affine64"  # datasketch >= 2 permutation scheme; 64-bit values stored as list[u64]
SHINGLE_WORDS = 3  # word 3-grams; texts shorter than that use their words as shingles
DEFAULT_THRESHOLD = 0.8
_EMPTY = np.iinfo(np.uint64).max  # every slot of the signature of an empty shingle set
# A shingle is numbered by packing its words' numbers into one uint64 key: SHINGLE_WORDS * _WORD_BITS
# bits, below _SINGLE, the bit marking the one-word shingles of short texts. A batch with 2**21 (2.1 M)
# distinct words or more takes the slower string path.
_WORD_BITS = 21
_SINGLE = np.uint64(1 << 63)
_TABLE_BITS = 16  # first size (2^16 entries, 256 KB) of the hash tables of words and shingles; grown 4x

_WORD = r"[\p{L}\p{N}]+"  # a word of the lowercased text: a run of letters and digits

SIGNATURE_COLUMNS = {"doc_id": pl.String, "signature": pl.List(pl.UInt64)}
DUPLICATE_COLUMNS = {"doc_id": pl.String, "duplicate_of": pl.String}


@functools.lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine64 permutation parameters for (NUM_PERM, SEED), without importing datasketch."""
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 63, NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = gen.randint(0, 1 << 64, NUM_PERM, dtype=np.uint64)
    return a, b


def _fmix64(hv: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer (datasketch's affine64 pre-mix); multiplication wraps mod 2^64."""
    hv = hv ^ (hv >> np.uint64(33))
    hv = hv * np.uint64(0xFF51AFD7ED558CCD)
    hv = hv ^ (hv >> np.uint64(33))
    hv = hv * np.uint64(0xC4CEB9FE1A85EC53)
    return hv ^ (hv >> np.uint64(33))


def _sha1_64(shingles: pl.Series) -> np.ndarray:
    """datasketch.hashfunc.sha1_hash64 of each shingle's UTF-8 bytes (first 8 digest bytes, little endian).

    Shingles of up to _SHA1_ONE_BLOCK bytes (nearly all: three words) are hashed by `_sha1_one_block`,
    compiled; longer ones by hashlib, one call each.
    """
    arr = shingles.to_arrow().cast(pa.large_binary())
    if arr.null_count:
        raise ValueError("shingles must not be null")
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8) if len(arr) else np.zeros(0, np.uint8)
    lens = np.diff(offsets)
    out = np.empty(len(arr), dtype=np.uint64)
    long = np.flatnonzero(lens > _SHA1_ONE_BLOCK)
    if len(long):
        sha1 = hashlib.sha1
        messages = shingles.gather(long).cast(pl.Binary).to_list()
        digests = np.frombuffer(b"".join(map(type(sha1()).digest, map(sha1, messages))), dtype=np.uint8)
        out[long] = np.ascontiguousarray(digests.reshape(-1, 20)[:, :8]).view("<u8").ravel()
    _sha1_one_block(data, offsets, np.flatnonzero(lens <= _SHA1_ONE_BLOCK), out)
    return out


# SHA-1 (FIPS 180-4) of messages that fit one 64-byte block after padding: 2.3 M distinct shingles (a
# batch of news with few repeated 3-grams) took 1.3 s with one hashlib call per shingle, most of it
# Python call overhead; 0.89 s as 80 numpy rounds over blocks of 16 K messages; 0.53 s compiled, one
# message at a time (one core, CPU seconds). Checked against hashlib in the tests.
_SHA1_ONE_BLOCK = 55  # a message of up to 55 bytes, the 0x80 pad byte and the 8-byte length: 64 bytes
# Messages hashed side by side, one per SIMD lane: each step of a round is one loop over the lanes,
# which the compiler turns into vector instructions (uint32 words: 8 or 16 per instruction). 271 k
# distinct shingles (21.7 MB of news paragraphs): 0.067 s one message at a time, 0.056 s with 8 lanes,
# 0.024 s with 16, 0.015 s with 32 or 64 (one core, CPU seconds).
_SHA1_LANES = 32
_SHA1_H = (0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0)


@njit(cache=True, nogil=True)
def _sha1_one_block(data: np.ndarray, offsets: np.ndarray, rows: np.ndarray, out: np.ndarray) -> None:
    """out[r] = the first 8 SHA-1 digest bytes (little-endian uint64) of the message data[offsets[r] :
    offsets[r + 1]], for each r in `rows`; each such message at most _SHA1_ONE_BLOCK bytes.

    The state words live in uint32 arrays: a sum or rotation carried past bit 31 (numba computes in 64
    bits) is cut off when stored, and only the low 32 bits of a sum depend on the low 32 bits of its terms.
    """
    lanes = _SHA1_LANES
    w = np.zeros((80, lanes), dtype=np.uint32)  # per lane the padded block and its message schedule
    a, b, c = np.empty(lanes, np.uint32), np.empty(lanes, np.uint32), np.empty(lanes, np.uint32)
    d, e = np.empty(lanes, np.uint32), np.empty(lanes, np.uint32)
    one, two, five = np.uint32(1), np.uint32(2), np.uint32(5)
    twenty_seven, thirty, thirty_one = np.uint32(27), np.uint32(30), np.uint32(31)
    for first in range(0, len(rows), lanes):
        used = min(lanes, len(rows) - first)
        w[:16, :] = 0  # the message, 0x80, zeros, the length in bits (big endian); unused lanes all zero
        for lane in range(used):
            r = rows[first + lane]
            s, n = offsets[r], offsets[r + 1] - offsets[r]
            for j in range(n):
                w[j >> 2, lane] |= np.uint32(data[s + j]) << np.uint32(24 - 8 * (j & 3))
            w[n >> 2, lane] |= np.uint32(0x80) << np.uint32(24 - 8 * (n & 3))
            w[15, lane] = np.uint32(n * 8)
        for j in range(16, 80):
            for lane in range(lanes):
                x = w[j - 3, lane] ^ w[j - 8, lane] ^ w[j - 14, lane] ^ w[j - 16, lane]
                w[j, lane] = (x << one) | (x >> thirty_one)
        a[:], b[:], c[:] = np.uint32(_SHA1_H[0]), np.uint32(_SHA1_H[1]), np.uint32(_SHA1_H[2])
        d[:], e[:] = np.uint32(_SHA1_H[3]), np.uint32(_SHA1_H[4])
        for j in range(80):  # the round function and constant per 20 rounds; the lanes innermost
            if j < 20:
                k = np.uint32(0x5A827999)
                for lane in range(lanes):
                    al, bl, cl, dl = a[lane], b[lane], c[lane], d[lane]
                    f = dl ^ (bl & (cl ^ dl))
                    t = ((al << five) | (al >> twenty_seven)) + f + e[lane] + k + w[j, lane]
                    e[lane], d[lane], c[lane] = dl, cl, (bl << thirty) | (bl >> two)
                    b[lane], a[lane] = al, t
            elif j < 40 or j >= 60:
                k = np.uint32(0x6ED9EBA1) if j < 40 else np.uint32(0xCA62C1D6)
                for lane in range(lanes):
                    al, bl, cl, dl = a[lane], b[lane], c[lane], d[lane]
                    f = bl ^ cl ^ dl
                    t = ((al << five) | (al >> twenty_seven)) + f + e[lane] + k + w[j, lane]
                    e[lane], d[lane], c[lane] = dl, cl, (bl << thirty) | (bl >> two)
                    b[lane], a[lane] = al, t
            else:
                k = np.uint32(0x8F1BBCDC)
                for lane in range(lanes):
                    al, bl, cl, dl = a[lane], b[lane], c[lane], d[lane]
                    f = (bl & cl) | (dl & (bl | cl))
                    t = ((al << five) | (al >> twenty_seven)) + f + e[lane] + k + w[j, lane]
                    e[lane], d[lane], c[lane] = dl, cl, (bl << thirty) | (bl >> two)
                    b[lane], a[lane] = al, t
        for lane in range(used):
            x = np.uint64(np.uint32(a[lane] + np.uint32(_SHA1_H[0])))
            y = np.uint64(np.uint32(b[lane] + np.uint32(_SHA1_H[1])))
            v = np.uint64(0)  # digest bytes 0-3 are a's, big endian; 4-7 b's
            for q in range(4):
                v |= ((x >> np.uint64(24 - 8 * q)) & np.uint64(0xFF)) << np.uint64(8 * q)
                v |= ((y >> np.uint64(24 - 8 * q)) & np.uint64(0xFF)) << np.uint64(32 + 8 * q)
            out[rows[first + lane]] = v


# Per code point: 0 not looked up yet, 1 a letter or digit (a character of _WORD), 2 neither, 3 seen in a
# batch and to be looked up. Filled on demand by polars' own regex engine (`_learn_word_chars`), so the
# compiled tokenizer splits text exactly where str.extract_all(_WORD) does, whatever Unicode version the
# regex engine has; ASCII and a batch's few other characters cost one small regex call per process.
_WORD_CHARS = np.zeros(0x110000, dtype=np.uint8)


def _learn_word_chars() -> None:
    """Look up the code points `_unseen_chars` marked 3 in _WORD_CHARS."""
    cps = np.flatnonzero(_WORD_CHARS == 3)
    chars = pl.Series([chr(c) for c in cps.tolist()], dtype=pl.String)
    word = chars.str.contains(_WORD)
    if (~word & chars.str.to_lowercase().str.contains(_WORD)).any():
        _LOWERCASE_MAKES_WORD_CHARS[0] = True  # see _lowercase_words
    _WORD_CHARS[cps] = np.where(word.to_numpy(), 1, 2)


# Whether a character looked up in _WORD_CHARS is no letter or digit but lowercases to one (none in
# Unicode 14): then words are found in lowercased text (see _lowercase_words).
_LOWERCASE_MAKES_WORD_CHARS = [False]


@njit(cache=True, nogil=True)
def _code_point(data: np.ndarray, i: int) -> tuple[int, int]:
    """(code point, its byte length) of the UTF-8 character starting at data[i] (valid UTF-8)."""
    c = np.int64(data[i])
    if c < 0x80:
        return c, 1
    if c < 0xE0:
        return ((c & 0x1F) << 6) | (np.int64(data[i + 1]) & 0x3F), 2
    if c < 0xF0:
        return ((c & 0x0F) << 12) | ((np.int64(data[i + 1]) & 0x3F) << 6) | (np.int64(data[i + 2]) & 0x3F), 3
    return (
        ((c & 0x07) << 18)
        | ((np.int64(data[i + 1]) & 0x3F) << 12)
        | ((np.int64(data[i + 2]) & 0x3F) << 6)
        | (np.int64(data[i + 3]) & 0x3F)
    ), 4


# Most bytes of news text are ASCII, all of it looked up with the first batch: a block of 16 bytes is
# passed in one vectorised test when none is past ASCII, and an ASCII byte in a block with some is passed
# without a lookup (0.019 -> 0.011 s CPU on 21.7 MB of cleaned text; 0.013 s with blocks of 32 bytes).
_ASCII_BLOCK = 16


@njit(cache=True, nogil=True)
def _unseen_chars(data: np.ndarray, table: np.ndarray) -> int:
    """Mark 3 in `table` each code point of the UTF-8 bytes `data` not looked up yet; how many code
    points of `data` are marked 3 (also those another thread marked and has not looked up yet: with
    the threads task runner two batches can be here at once, and each must see its own looked up).
    While any ASCII character is not looked up, all ASCII characters not looked up are marked."""
    ascii_known = True
    for c in range(0x80):
        if table[c] == 0:
            table[c] = 3
        if table[c] == 3:
            ascii_known = False
    n, i, unseen = len(data), 0, 0
    while i < n:
        if ascii_known and i + _ASCII_BLOCK <= n:
            high = np.uint8(0)
            for j in range(i, i + _ASCII_BLOCK):
                high |= data[j]
            if high < 0x80:
                i += _ASCII_BLOCK
                continue
        stop = min(n, i + _ASCII_BLOCK)
        while i < stop:  # character by character to the block's end (or past it, in a character)
            if data[i] < 0x80:
                if ascii_known:
                    i += 1
                    continue
                cp, width = np.int64(data[i]), 1
            else:
                cp, width = _code_point(data, i)
            if table[cp] == 0:
                table[cp] = 3
            if table[cp] == 3:
                unseen += 1
            i += width
    return unseen


def _words(
    data: np.ndarray, offsets: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The words of each text data[offsets[d] : offsets[d + 1]] (UTF-8; a word is a run of code points
    marked 1 in _WORD_CHARS), numbered in order of first appearance: (per word its number (uint64) and
    its text's row (int64), in text order; per text its number of words; per distinct word the byte
    offset and length of its first appearance)."""
    n_docs = len(offsets) - 1
    cap = len(data) // 2 + n_docs + 1  # at most one word per two bytes, and one more per text
    # np.empty of many MB maps pages lazily: only the pages written cost memory
    if cap >= 1 << 31:  # the hash table's 4-byte entries number the distinct words
        raise ValueError("MinHash takes batches of fewer than 2^31 words")
    code, row = np.empty(cap, dtype=np.uint64), np.empty(cap, dtype=np.int64)
    counts = np.zeros(n_docs, dtype=np.int64)
    # per distinct word: first byte offset, length, key (a row each: one cache line per lookup)
    vocab = np.empty((cap, 3), dtype=np.int64)
    bounds = np.empty(int(np.diff(offsets).max(initial=0)) + 1, dtype=np.int64)  # one text's word bounds
    d, n, m, bits = 0, 0, 0, _TABLE_BITS
    while True:
        slots = _rehashed(np.ascontiguousarray(vocab[:m, 2]), bits)
        d, n, m = _word_codes(
            data, offsets, _WORD_CHARS, d, n, m, code, row, counts, vocab, slots, bits, bounds
        )
        if d == n_docs:
            return code[:n], row[:n], counts, vocab[:m, 0].copy(), vocab[:m, 1].copy()
        bits += 2


# The arrays are the caller's, sized (or grown) by it: numba adds reference counting to a loop that
# reassigns an array (growing the hash table in the loop made this pass 30x slower).
# A text is read in two loops: its word bounds without a branch per byte (a word's start and end
# alternate in `bounds`: a byte's class changes there), then its words. A word of up to 8 bytes (most
# words) is keyed by its bytes packed into one uint64 (no NUL in a word: the packed value fixes the
# length too), which its copies match with one compare; a longer one by FNV-1a 64 of its bytes, checked
# byte by byte. The one loop (to each word's start, to its end, FNV-1a of every word, a byte compare per
# word) took 0.145 s on the 21.7 MB of cleaned text of 3,000 news documents; this takes 0.088 s (one
# core, CPU seconds, 3.4 M words).
@njit(cache=True, nogil=True)
def _word_codes(
    data: np.ndarray,
    offsets: np.ndarray,
    table: np.ndarray,
    d0: int,
    n: int,
    m: int,
    code: np.ndarray,
    row: np.ndarray,
    counts: np.ndarray,
    vocab: np.ndarray,
    slots: np.ndarray,
    bits: int,
    bounds: np.ndarray,
) -> tuple[int, int, int]:
    """`_words`' pass from text d0 on, with n words and m distinct words found before it, into `code`,
    `row`, `counts` and `vocab`, looking words up in the hash table `slots` (2^bits entries: -1 or a
    distinct word's number; a word's slot is its key's Fibonacci hash). `bounds`: scratch, one more
    entry than the longest text's bytes. Returns (texts done, words, distinct words); fewer texts than
    all when the table is half full (the caller grows it and calls again from the text returned)."""
    n_docs, n_data = len(offsets) - 1, len(data)
    shift, mask = np.uint64(64 - bits), np.uint64((1 << bits) - 1)
    golden, prime = np.uint64(0x9E3779B97F4A7C15), np.uint64(0x100000001B3)
    ones = ~np.uint64(0)
    for d in range(d0, n_docs):
        if 2 * (m + (offsets[d + 1] - offsets[d] + 1) // 2) > len(slots):  # the text could fill it
            return d, n, m
        i, end = offsets[d], offsets[d + 1]
        k, prev = 0, 0  # bounds found; whether the byte before i is in a word
        while i < end:
            c = data[i]
            if c < 0x80:
                word = 1 if table[c] == 1 else 0
                width = 1
            else:
                cp, width = _code_point(data, i)
                word = 1 if table[cp] == 1 else 0
            bounds[k] = i
            k += word ^ prev
            prev = word
            i += width
        if prev:
            bounds[k] = end
            k += 1
        for b in range(0, k, 2):
            start, stop = bounds[b], bounds[b + 1]
            length = stop - start
            if length <= 8:
                if start + 8 <= n_data:  # eight byte loads the compiler makes one, then masked
                    h = (
                        np.uint64(data[start])
                        | (np.uint64(data[start + 1]) << np.uint64(8))
                        | (np.uint64(data[start + 2]) << np.uint64(16))
                        | (np.uint64(data[start + 3]) << np.uint64(24))
                        | (np.uint64(data[start + 4]) << np.uint64(32))
                        | (np.uint64(data[start + 5]) << np.uint64(40))
                        | (np.uint64(data[start + 6]) << np.uint64(48))
                        | (np.uint64(data[start + 7]) << np.uint64(56))
                    ) & (ones >> np.uint64(64 - 8 * length))
                else:
                    h = np.uint64(0)
                    for j in range(length):
                        h |= np.uint64(data[start + j]) << np.uint64(8 * j)
            else:
                h = np.uint64(0xCBF29CE484222325)
                for j in range(start, stop):
                    h = (h ^ np.uint64(data[j])) * prime
            key = np.int64(h)
            slot = (h * golden) >> shift
            while True:
                v = slots[slot]
                if v < 0:
                    vocab[m, 0], vocab[m, 1], vocab[m, 2] = start, length, key
                    slots[slot] = m
                    v = m
                    m += 1
                    break
                if vocab[v, 2] == key and vocab[v, 1] == length:
                    if length <= 8:
                        break
                    s0 = vocab[v, 0]
                    same = True
                    for j in range(length):
                        if data[s0 + j] != data[start + j]:
                            same = False
                            break
                    if same:
                        break
                slot = (slot + np.uint64(1)) & mask
            code[n], row[n] = v, d
            n += 1
        counts[d] = k // 2
    return n_docs, n, m


@njit(cache=True, nogil=True)
def _rehashed(hashes: np.ndarray, bits: int) -> np.ndarray:
    """A hash table of 2^bits entries (linear probing) holding entry i at the slot of hashes[i]."""
    shift, mask = np.uint64(64 - bits), np.uint64((1 << bits) - 1)
    slots = np.full(1 << bits, -1, dtype=np.int32)  # 4-byte entries: fewer cache misses than 8
    for i in range(len(hashes)):
        slot = (np.uint64(hashes[i]) * np.uint64(0x9E3779B97F4A7C15)) >> shift
        while slots[slot] >= 0:
            slot = (slot + np.uint64(1)) & mask
        slots[slot] = i
    return slots


def _lowercase_words(text: pl.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, pl.Series]:
    """The words of each lowercased text, as `text.str.to_lowercase().str.extract_all(_WORD)` has them
    (a null text has none), numbered in order of first appearance: (per word its number (uint64) and its
    text's row (int64), in text order; per text its number of words; the distinct words).

    The words are found in the text as it is and only the batch's distinct words are lowercased
    (lowercasing a 14.6 MB batch took 0.05 s CPU, more than a third of the word pass). That gives the
    lowercased text's words when lowercasing keeps every word one word (not so for "İ": "i" and a
    combining dot) and turns no other character into a letter or digit (none in Unicode 14); when
    either fails, the text is lowercased first, as `str.to_lowercase` does.
    """
    code, row, counts, words = _text_words(text.fill_null(""))
    lower = words.str.to_lowercase()
    if _LOWERCASE_MAKES_WORD_CHARS[0] or not lower.str.contains(_ONE_WORD).all():
        code, row, counts, words = _text_words(text.str.to_lowercase().fill_null(""))
        return code, row, counts, words
    # A lowercased word's first appearance is that of its first-seen spelling: number them in that order.
    distinct = lower.unique(maintain_order=True)
    renumber = lower.replace_strict(distinct, pl.int_range(distinct.len(), eager=True, dtype=pl.UInt64))
    # (indexing by int64 is 4x faster than by uint64; the numbers are below 2^31)
    return (
        np.take(renumber.to_numpy().astype(np.uint64, copy=False), code.view(np.int64)),
        row,
        counts,
        distinct,
    )


_ONE_WORD = rf"^{_WORD}$"


def _text_words(text: pl.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, pl.Series]:
    """`_words` of each text of `text` (no nulls), with the distinct words spelled out."""
    arr = text.to_arrow().cast(pa.large_string())
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8) if len(arr) else np.zeros(0, np.uint8)
    if _unseen_chars(data, _WORD_CHARS):
        _learn_word_chars()
    code, row, counts, first, size = _words(data, offsets)
    return code, row, counts, spelled(data, first, size)


def _string_shingles(words: pl.DataFrame) -> tuple[np.ndarray, pl.Series, np.ndarray]:
    """`_shingles` with the 3-grams built and numbered as strings: the general path, for a batch with more
    distinct words than `_WORD_BITS` can number. `words`: [_row, w list of the document's words]."""
    nxt = [pl.col("w").shift(-i) for i in range(SHINGLE_WORDS)]
    grams = (
        words.with_columns(pl.col("w").list.len().alias("n"))
        .explode("w")
        .select(
            "_row",
            pl.when(pl.col("n") < SHINGLE_WORDS)
            .then(pl.col("w"))
            .when(pl.col("_row").shift(-(SHINGLE_WORDS - 1)) == pl.col("_row"))
            .then(pl.concat_str(nxt, separator=" "))
            .alias("g"),
        )
        .drop_nulls("g")
    )
    uniq = grams.select(pl.col("g").unique(maintain_order=True)).get_column("g")
    codes = pl.int_range(uniq.len(), eager=True, dtype=pl.UInt32)
    idx = grams.get_column("g").replace_strict(uniq, codes, return_dtype=pl.UInt32).to_numpy()
    return grams.get_column("_row").to_numpy(), uniq, idx


def _shingles(docs: pl.DataFrame) -> tuple[np.ndarray, pl.Series, np.ndarray]:
    """The word 3-gram shingles of each document: (document row per shingle, sorted; the batch's distinct
    shingles; per shingle its index in them). A document of fewer than SHINGLE_WORDS words has its words
    as shingles; one without words has none.

    Shingles are numbered without building a string per shingle: the words are found and numbered in one
    compiled pass over the lowercased text (`_word_codes`), a 3-gram packs its three word numbers into
    one uint64 key, and only the distinct keys are spelled out as strings. Numbering the 3-gram strings
    themselves (concat_str, unique, replace_strict) took 0.38 s of a 14.6 MB batch of news text; the
    words as polars lists (str.extract_all, explode, unique, an Enum cast) 0.36 s; lowercasing and the
    compiled pass 0.16 s.
    """
    code, row, counts, vocab = _lowercase_words(docs.get_column("text"))
    if vocab.len() >= 1 << _WORD_BITS:
        words = docs.with_row_index("_row").select(
            "_row", pl.col("text").str.to_lowercase().str.extract_all(_WORD).alias("w")
        )
        return _string_shingles(words)
    row, key = _shingle_keys(code, row, counts, SHINGLE_WORDS, _WORD_BITS)
    k = SHINGLE_WORDS
    u, idx = _distinct(key)
    data, offsets = utf8_buffer(vocab)
    buf, at = _shingle_text(u, data, offsets, k, _WORD_BITS)
    uniq = pl.Series(
        pa.LargeStringArray.from_buffers(len(u), pa.py_buffer(at), pa.py_buffer(buf)), dtype=pl.String
    )
    return row, uniq, idx


# Spelled out by one compiled pass over the distinct keys, where three gathers of the words and a
# concat_str took 0.025 s for 281 k distinct shingles (21.7 MB of news text); this 0.017 s (one core, CPU).
@njit(cache=True, nogil=True)
def _shingle_text(
    keys: np.ndarray, data: np.ndarray, offsets: np.ndarray, k: int, bits: int
) -> tuple[np.ndarray, np.ndarray]:
    """The text of each shingle key of `_shingle_keys` (k word numbers of `bits` bits each, or _SINGLE |
    one word's number): its words joined by single spaces, the words being data[offsets[w] : offsets[w +
    1]] (UTF-8). Returns the texts' bytes and their Arrow offsets (int64, len(keys) + 1)."""
    n, mask, shift = len(keys), np.uint64((1 << bits) - 1), np.uint64(bits)
    at = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        key, size = keys[i], 0
        if key >= _SINGLE:
            w = np.int64(key & mask)
            size = offsets[w + 1] - offsets[w]
        else:
            size = k - 1
            for j in range(k):
                w = np.int64((key >> (shift * np.uint64(k - 1 - j))) & mask)
                size += offsets[w + 1] - offsets[w]
        at[i + 1] = at[i] + size
    out = np.empty(at[n], dtype=np.uint8)
    for i in range(n):
        key, p = keys[i], at[i]
        if key >= _SINGLE:
            w = np.int64(key & mask)
            for b in range(offsets[w], offsets[w + 1]):
                out[p] = data[b]
                p += 1
            continue
        for j in range(k):
            if j:
                out[p] = 32  # " "
                p += 1
            w = np.int64((key >> (shift * np.uint64(k - 1 - j))) & mask)
            for b in range(offsets[w], offsets[w + 1]):
                out[p] = data[b]
                p += 1
    return out, at


@njit(cache=True, nogil=True)
def _shingle_keys(
    code: np.ndarray, row: np.ndarray, counts: np.ndarray, k: int, bits: int
) -> tuple[np.ndarray, np.ndarray]:
    """The shingles of `_shingles` as keys, in text order: (per shingle its document row, its key). A
    k-gram of word numbers (`code`, uint64, each below 2^bits; `row`: each word's document, contiguous)
    lying inside one document is keyed by its numbers packed into one uint64; a document of fewer than
    k words (`counts`) has each word as a shingle, keyed _SINGLE | its number. One pass: as numpy passes
    over the words' arrays (shifts, masks, gathers) this took 0.04 s of 3.4 M words."""
    n = len(code)
    rows, keys = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.uint64)
    m, shift = 0, np.uint64(bits)
    for i in range(n):
        d = row[i]
        if counts[d] < k:
            rows[m], keys[m] = d, _SINGLE | code[i]
            m += 1
        elif i + k - 1 < n and row[i + k - 1] == d:
            v = np.uint64(0)
            for j in range(i, i + k):
                v = (v << shift) | code[j]
            rows[m], keys[m] = d, v
            m += 1
    return rows[:m], keys[:m]


def minhash_signatures(docs: pl.DataFrame) -> pl.DataFrame:
    """MinHash of lowercased word 3-gram shingles per document: [doc_id, signature list[u64] of NUM_PERM].

    Bit-for-bit the signatures of datasketch's `MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine64")`
    updated with the UTF-8 shingles, so signatures already stored stay comparable; but vectorised:
    shingling in polars and numpy (`_shingles`), one SHA-1 per distinct shingle of the batch, then the
    NUM_PERM permutations and their per-document minima in one compiled pass (`_permuted_minima`).
    """
    doc_rows, uniq, idx = _shingles(docs)
    n_docs = docs.height
    sig = np.full((n_docs, NUM_PERM), _EMPTY, dtype=np.uint64)
    if len(idx):
        # Hash each distinct shingle once (SHA-1 is the only per-value Python work left).
        a, b = _permutations()
        _permuted_minima(_fmix64(_sha1_64(uniq))[idx], doc_rows, a, b, sig)
    return pl.DataFrame(
        {"doc_id": docs["doc_id"], "signature": pl.Series(list(sig), dtype=pl.List(pl.UInt64))},
        schema=SIGNATURE_COLUMNS,
    )


def load_kernels() -> None:
    """Load the compiled MinHash kernels now rather than in the first `minhash_signatures` call: from
    numba's cache ~0.4 s CPU in a fresh process (most of it numba's own set-up), compiled ~5 s when the
    cache is absent (once per install). A run does this on a thread while Prefect's server starts."""
    minhash_signatures(pl.DataFrame({"doc_id": ["warm-up"], "text": ["three words each"]}))


# Compiled kernels (numba, cache=True: the machine code is kept in __pycache__ and loaded by later
# processes), because each replaces several numpy passes over millions of values with one. Measured on
# a 16 MB batch of news paragraphs (1,999 documents, 2.3 M shingles, 212 k distinct), one core, CPU
# seconds: the permutations and minima took 0.186 s as NUM_PERM numpy passes (multiply, add,
# np.minimum.reduceat) over cache-sized blocks of documents and take 0.053 s fused (each shingle hash
# read once, the NUM_PERM minima held in L1); the distinct shingle keys took 0.107 s by np.argsort
# (0.096 s with 2.3 M distinct keys) and take 0.026 s (0.06-0.11 s) by a hash table. The whole of
# minhash_signatures: 0.83 -> 0.37 s (1.11 -> 0.57 s with 434 k distinct shingles). A process pays
# once, not per batch: importing numba ~0.15 s, loading the cached code ~0.4 s (see load_kernels).
@njit(cache=True, nogil=True)
def _permuted_minima(
    h: np.ndarray, doc_rows: np.ndarray, a: np.ndarray, b: np.ndarray, sig: np.ndarray
) -> None:
    """In place: sig[d, k] = min(sig[d, k], min over the shingle hashes x of document d of a[k]·x + b[k]
    mod 2^64). `h`: uint64 hash per shingle; `doc_rows`: int64 row of `sig` per shingle, sorted (each
    document's shingles contiguous); `a`, `b`: uint64 (NUM_PERM,); `sig`: uint64 (documents, NUM_PERM)."""
    n, n_perm = len(h), len(a)
    i = 0
    while i < n:
        d = doc_rows[i]
        e = i + 1
        while e < n and doc_rows[e] == d:
            e += 1
        row = sig[d]
        while i + 4 <= e:  # four shingles per sweep over the NUM_PERM minima: fewer loads and stores of row
            x0, x1, x2, x3 = h[i], h[i + 1], h[i + 2], h[i + 3]
            for k in range(n_perm):
                ak, bk = a[k], b[k]
                m01 = min(ak * x0 + bk, ak * x1 + bk)
                m23 = min(ak * x2 + bk, ak * x3 + bk)
                row[k] = min(row[k], min(m01, m23))
            i += 4
        while i < e:
            x = h[i]
            for k in range(n_perm):
                row[k] = min(row[k], a[k] * x + b[k])
            i += 1


def _distinct(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct values of uint64 `key` in first-seen order, per key its index in them)."""
    if len(key) >= 1 << 31:
        raise ValueError("MinHash takes batches of fewer than 2^31 shingles")
    uniq, idx = np.empty(len(key), dtype=np.uint64), np.empty(len(key), dtype=np.int64)
    i, m, bits = 0, 0, _TABLE_BITS
    while True:
        i, m = _distinct_from(key, i, m, uniq, idx, _rehashed(uniq[:m], bits), bits)
        if i == len(key):
            return uniq[:m], idx
        # Sized for the distinct keys extrapolated from those so far: news has few repeated shingles, and
        # growing 4x at a time to 2.3 M distinct keys took 0.19 s instead of 0.08 s.
        bits = max(bits + 2, int(np.ceil(np.log2(2 * m * len(key) / i))))


@njit(cache=True, nogil=True)
def _distinct_from(
    key: np.ndarray, i0: int, m: int, uniq: np.ndarray, idx: np.ndarray, slots: np.ndarray, bits: int
) -> tuple[int, int]:
    """`_distinct`'s pass from key i0 on, with the m distinct keys before it in uniq and in the hash table
    `slots` (2^bits entries, linear probing). Returns (keys done, distinct keys); fewer keys than all
    when the table is half full (the caller grows it and calls again)."""
    shift, mask = np.uint64(64 - bits), np.uint64((1 << bits) - 1)
    for i in range(i0, len(key)):
        if 2 * m >= len(slots):
            return i, m
        k = key[i]
        slot = (k * np.uint64(0x9E3779B97F4A7C15)) >> shift  # Fibonacci hashing: the product's top bits
        while True:
            j = slots[slot]
            if j < 0:
                slots[slot] = m
                uniq[m] = k
                idx[i] = m
                m += 1
                break
            if uniq[j] == k:
                idx[i] = j
                break
            slot = (slot + np.uint64(1)) & mask
    return len(key), m


# LSH lookups: the bands, candidates and result of datasketch's MinHashLSH(threshold, num_perm=NUM_PERM)
# queried document by document, computed with numpy + polars instead. datasketch's index needs a MinHash
# object per document (each one regenerates its NUM_PERM permutations), inserted and queried in a Python
# loop, and every incremental run inserts all prior documents of the warehouse. Measured on random
# signatures: 10,000 new docs took 7.1 s (2.7 s of it importing datasketch.lsh and scipy); under cProfile
# 6.7 s of 11.6 s went to 19,494 MinHash.__init__ calls. 1,000 new docs against 100,000 prior: 42 s.
_MAX_PAIRS = 1 << 22  # candidate pairs compared per round of _earliest_hits: bounds memory
_PAIR_BLOCK = 1 << 14  # pairs compared per numpy block (two gathered 16 MiB signature blocks)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@functools.lru_cache(maxsize=8)
def _lsh_bands(threshold: float) -> tuple[int, int]:
    """(b, r) of `datasketch.MinHashLSH(threshold, num_perm=NUM_PERM)` with its default weights (0.5, 0.5).

    datasketch takes the (b, r), b·r <= NUM_PERM, minimising 0.5·∫_0^t 1-(1-s^r)^b ds + 0.5·∫_t^1 (1-s^r)^b ds
    (first minimum in b-then-r order), integrating with scipy's quad. The integrands are polynomials of
    degree b·r <= NUM_PERM, so Gauss-Legendre with NUM_PERM/2 + 1 nodes integrates them exactly up to
    rounding, without importing scipy. Same errors as datasketch: threshold outside [0, 1], or b < 2.
    """
    if not 0.0 <= threshold <= 1.0:
        raise ValueError("threshold must be in [0.0, 1.0]")
    x, w = np.polynomial.legendre.leggauss(NUM_PERM // 2 + 1)
    lo, w_lo = threshold * (x + 1) / 2, w * threshold / 2
    hi, w_hi = threshold + (1 - threshold) * (x + 1) / 2, w * (1 - threshold) / 2
    br = np.array([(b, r) for b in range(1, NUM_PERM + 1) for r in range(1, NUM_PERM // b + 1)], float)
    b, r = br[:, :1], br[:, 1:]
    false_pos = (1 - (1 - lo**r) ** b) @ w_lo
    false_neg = ((1 - hi**r) ** b) @ w_hi
    n_bands, n_rows = (int(v) for v in br[np.argmin(false_pos * 0.5 + false_neg * 0.5)])
    if n_bands < 2:
        raise ValueError("The number of bands are too small (b < 2)")
    return n_bands, n_rows


def lsh_bands(threshold: float = DEFAULT_THRESHOLD) -> tuple[int, int]:
    """(bands, rows per band) of the LSH index for `threshold`: the first `bands * rows` signature slots
    cut into `bands` runs of `rows`; two documents are candidates when one whole band is equal. For
    callers that look candidates up where the signatures are stored (warehouse.load)."""
    return _lsh_bands(threshold)


def _signature_matrix(frames: list[pl.DataFrame]) -> np.ndarray:
    """The `signature` columns of the frames, stacked as an (n, NUM_PERM) uint64 array."""
    out = np.empty((sum(f.height for f in frames), NUM_PERM), dtype=np.uint64)
    at = 0
    for f in frames:
        s = f.get_column("signature").cast(pl.List(pl.UInt64))
        bad = (s.list.len() != NUM_PERM).fill_null(True)
        if bad.any():
            i = bad.arg_true()[0]
            raise ValueError(
                f"signature of doc_id {f['doc_id'][i]!r} has {s.list.len()[i]} values, expected {NUM_PERM}"
            )
        values = s.explode()
        if values.null_count():
            raise ValueError("signatures must not contain null values")
        out[at : at + f.height] = values.to_numpy().reshape(-1, NUM_PERM)
        at += f.height
    return out


def _row_hash(cols: np.ndarray, seed: np.ndarray) -> np.ndarray:
    """A 64-bit hash of the last axis of `cols` (collisions only cost time: matches are verified)."""
    h = np.broadcast_to(seed, cols.shape[:-1]).copy()
    with np.errstate(over="ignore"):
        for j in range(cols.shape[-1]):
            h ^= cols[..., j]
            h *= _GOLDEN
            h ^= h >> np.uint64(29)
        return _fmix64(h)


def _compare(
    sig: np.ndarray, xs: np.ndarray, ys: np.ndarray, n_bands: int, n_rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per pair (xs[i], ys[i]): how many signature slots are equal, and whether a whole band is."""
    same = np.empty(len(xs), dtype=np.int64)
    band = np.empty(len(xs), dtype=bool)
    for s in range(0, len(xs), _PAIR_BLOCK):
        eq = sig[xs[s : s + _PAIR_BLOCK]] == sig[ys[s : s + _PAIR_BLOCK]]
        same[s : s + _PAIR_BLOCK] = eq.sum(axis=1)
        bands = eq[:, : n_bands * n_rows].reshape(len(eq), n_bands, n_rows)
        band[s : s + _PAIR_BLOCK] = bands.all(axis=2).any(axis=1)
    return same, band


def _earliest_hits(
    sig: np.ndarray,
    keys: np.ndarray,
    reps: np.ndarray,
    queries: np.ndarray,
    n_bands: int,
    n_rows: int,
    threshold: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Per query row x: the earliest indexed row y < x sharing a band with x (the band's values, not just
    its key) whose share of equal slots reaches the threshold. Returns the rows x with a hit and their y.

    The index (rows `reps`) is sorted by (band key, row), so the candidates of x in one band are a prefix
    of a bucket. They are examined in rounds: the 1st member of each of those prefixes, then the 2nd,
    the 3rd-4th, 5th-8th...; x is settled once its best hit precedes every member not yet examined. So a
    cluster of k near-copies costs about k·b comparisons instead of k²/2, and a round holds at most about
    max(_MAX_PAIRS, b per query still open) pairs.
    """
    # Buckets: the distinct band keys of the queries; index entries with other keys cannot match.
    qkeys = keys[queries]
    ukeys = np.unique(qkeys)
    rkeys = keys[reps]
    bucket = np.searchsorted(ukeys, rkeys).clip(max=len(ukeys) - 1)
    used = ukeys[bucket] == rkeys
    rows = np.broadcast_to(reps[:, None], rkeys.shape)[used]
    members = np.sort((bucket[used].astype(np.uint64) << np.uint64(32)) | rows.astype(np.uint64))
    member_y = (members & np.uint64(0xFFFFFFFF)).astype(np.int64)
    base = np.searchsorted(ukeys, qkeys).astype(np.uint64) << np.uint64(32)
    start = np.searchsorted(members, base)  # (query, band) -> first member of its bucket
    end = np.searchsorted(members, base | queries[:, None].astype(np.uint64))  # members y < x

    none = np.iinfo(np.int64).max
    best = np.full(len(queries), none, dtype=np.int64)
    todo = np.flatnonzero((end > start).any(axis=1))  # queries still open
    lo, width = 0, 1
    while len(todo):
        first = start[todo] + lo
        stop = np.minimum(first + width, end[todo])
        n = np.maximum(stop - first, 0).ravel()
        q = np.repeat(np.repeat(todo, n_bands), n)
        at = np.repeat(first.ravel(), n) + np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
        # one comparison per distinct (query, y), in (query, y) order
        pairs = np.unique((q.astype(np.uint64) << np.uint64(32)) | member_y[at].astype(np.uint64))
        q = (pairs >> np.uint64(32)).astype(np.int64)
        y = (pairs & np.uint64(0xFFFFFFFF)).astype(np.int64)
        same, band = _compare(sig, queries[q], y, n_bands, n_rows)
        ok = band & (same / NUM_PERM >= threshold)
        hit_q, i = np.unique(q[ok], return_index=True)  # the first, i.e. earliest, hit of each query
        best[hit_q] = np.minimum(best[hit_q], y[ok][i])
        following = first + width
        pending = np.where(following < end[todo], member_y[following.clip(max=len(member_y) - 1)], none)
        todo = todo[best[todo] > pending.min(axis=1)]
        lo += width
        width = max(1, min(2 * width, _MAX_PAIRS // max(1, len(todo) * n_bands)))
    hit = np.flatnonzero(best != none)
    return queries[hit], best[hit]


def near_duplicates(
    new: pl.DataFrame, prior: pl.DataFrame | None = None, threshold: float = DEFAULT_THRESHOLD
) -> pl.DataFrame:
    """For each doc in `new` whose estimated Jaccard with an earlier doc (all of `prior`, or earlier rows
    of `new`) is >= threshold: [doc_id, duplicate_of]. Prior matches win; then the earliest new row.

    Candidates are the earlier docs sharing a whole LSH band with the doc (datasketch's banding for the
    threshold); a candidate counts if the share of equal signature slots reaches the threshold. A new doc
    whose doc_id came earlier (exact duplicate, handled elsewhere) or whose text has no words (empty
    signature) is neither looked up nor a candidate; of repeated prior doc_ids the first counts.
    """
    frames = [
        f.select(pl.col("doc_id").cast(pl.String), "signature")
        for f in ([] if prior is None else [prior]) + [new]
    ]
    n_prior = 0 if prior is None else prior.height
    sig = _signature_matrix(frames)  # row i has rank i: prior rows first, then new rows
    return near_duplicate_rows(pl.concat([f.get_column("doc_id") for f in frames]), sig, n_prior, threshold)


def near_duplicate_rows(
    ids: pl.Series, sig: np.ndarray, n_prior: int, threshold: float = DEFAULT_THRESHOLD
) -> pl.DataFrame:
    """`near_duplicates` on signatures already stacked as an (n, NUM_PERM) uint64 matrix: row i has rank
    i, the first `n_prior` rows are the prior documents, `ids` their doc_ids. For callers that read
    signatures straight into a matrix (1 KB per document, not held a second time as a list column)."""
    if sig.ndim != 2 or sig.shape[1] != NUM_PERM or sig.dtype != np.uint64 or len(ids) != len(sig):
        raise ValueError(f"signatures must be ({len(ids)}, {NUM_PERM}) uint64, not {sig.shape} {sig.dtype}")
    n_bands, n_rows = _lsh_bands(threshold)
    ids = ids.cast(pl.String)

    # Indexed rows (possible candidates): first occurrences of each doc_id among the prior rows and the
    # new rows with a non-empty signature. Queries: the indexed new rows.
    kept = np.flatnonzero(np.concatenate([np.ones(n_prior, bool), ~(sig[n_prior:] == _EMPTY).all(axis=1)]))
    indexed = kept[ids.gather(kept).is_first_distinct().to_numpy()]
    queries = indexed[indexed >= n_prior]
    if not len(queries):
        return pl.DataFrame(schema=DUPLICATE_COLUMNS)

    keys = _row_hash(  # one key per (row, band); the band is the seed, so keys of different bands differ
        sig[:, : n_bands * n_rows].reshape(len(sig), n_bands, n_rows),
        (np.arange(1, n_bands + 1, dtype=np.uint64) * _GOLDEN),
    )
    # Of rows with identical signatures only the first can be the earliest passing candidate: index it
    # alone (keeps buckets small when many documents share a boilerplate text).
    whole = _row_hash(sig[indexed, n_bands * n_rows :], _row_hash(keys[indexed], _GOLDEN))
    first = pl.DataFrame({"h": whole}).with_row_index("i").select(pl.col("i").first().over("h"))
    first = first.to_series().to_numpy().astype(np.int64)
    dup = np.flatnonzero(first != np.arange(len(indexed)))
    same, _ = _compare(sig, indexed[dup], indexed[first[dup]], n_bands, n_rows)
    reps = np.delete(indexed, dup[same == NUM_PERM])

    xs, ys = _earliest_hits(sig, keys, reps, queries, n_bands, n_rows, threshold)
    return pl.DataFrame({"doc_id": ids.gather(xs), "duplicate_of": ids.gather(ys)}, schema=DUPLICATE_COLUMNS)
