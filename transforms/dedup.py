"""Near-duplicate detection: MinHash signatures of cleaned text, and LSH lookups against earlier docs.

Exact duplicates share a doc_id (sha256 of the raw bytes) and are handled before this stage.
Signatures are deterministic (fixed seed and permutation count), so signatures stored by one run can be
compared with those computed by a later run.
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np
import polars as pl

# Fixed MinHash parameters: changing either makes stored signatures incomparable.
NUM_PERM = 128
SEED = 1
SCHEME = "affine64"  # datasketch >= 2 permutation scheme; 64-bit values stored as list[u64]
SHINGLE_WORDS = 3  # word 3-grams; texts shorter than that use their words as shingles
DEFAULT_THRESHOLD = 0.8
_EMPTY = np.iinfo(np.uint64).max  # every slot of the signature of an empty shingle set

SIGNATURE_COLUMNS = {"doc_id": pl.String, "signature": pl.List(pl.UInt64)}
DUPLICATE_COLUMNS = {"doc_id": pl.String, "duplicate_of": pl.String}


def _minhash(values: np.ndarray | list[int]):
    from datasketch import MinHash

    return MinHash(
        num_perm=NUM_PERM, seed=SEED, hashvalues=np.asarray(values, dtype=np.uint64), scheme=SCHEME
    )


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


def _sha1_64(shingles: list[str]) -> np.ndarray:
    """datasketch.hashfunc.sha1_hash64 of each shingle's UTF-8 bytes (first 8 digest bytes, little endian)."""
    sha1 = hashlib.sha1
    buf = b"".join([sha1(s.encode("utf-8")).digest()[:8] for s in shingles])
    return np.frombuffer(buf, dtype="<u8").astype(np.uint64, copy=False)


def minhash_signatures(docs: pl.DataFrame) -> pl.DataFrame:
    """MinHash of lowercased word 3-gram shingles per document: [doc_id, signature list[u64] of NUM_PERM].

    Bit-for-bit the signatures of datasketch's `MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine64")`
    updated with the UTF-8 shingles, so signatures already stored stay comparable; but vectorised:
    shingling in polars, one SHA-1 per distinct shingle of the batch, then per permutation one numpy pass
    over all shingles and a per-document minimum (`np.minimum.reduceat` over document offsets).
    """
    # Exploded words are contiguous per document, so plain shifts (no window) give the next words; a
    # 3-gram is kept where the word two ahead still belongs to the same document.
    words = docs.with_row_index("_row").select(
        "_row", pl.col("text").str.to_lowercase().str.extract_all(r"[\p{L}\p{N}]+").alias("w")
    )
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
    # Hash each distinct shingle once (SHA-1 is the only per-value Python work left).
    uniq = grams.select(pl.col("g").unique(maintain_order=True)).get_column("g")
    hv = _fmix64(_sha1_64(uniq.to_list()))
    codes = pl.int_range(uniq.len(), eager=True, dtype=pl.UInt32)
    idx = grams.get_column("g").replace_strict(uniq, codes, return_dtype=pl.UInt32).to_numpy()
    doc_rows = grams.get_column("_row").to_numpy()
    n_docs = docs.height
    sig = np.full((n_docs, NUM_PERM), _EMPTY, dtype=np.uint64)
    if len(idx):
        present, offsets = np.unique(doc_rows, return_index=True)  # doc_rows is sorted
        h = hv[idx]
        a, b = _permutations()
        with np.errstate(over="ignore"):
            for k in range(NUM_PERM):
                sig[present, k] = np.minimum.reduceat(h * a[k] + b[k], offsets)
    return pl.DataFrame(
        {"doc_id": docs["doc_id"], "signature": pl.Series(list(sig), dtype=pl.List(pl.UInt64))},
        schema=SIGNATURE_COLUMNS,
    )


def near_duplicates(
    new: pl.DataFrame, prior: pl.DataFrame | None = None, threshold: float = DEFAULT_THRESHOLD
) -> pl.DataFrame:
    """For each doc in `new` whose estimated Jaccard with an earlier doc (all of `prior`, or earlier rows
    of `new`) is >= threshold: [doc_id, duplicate_of]. Prior matches win; then the earliest new row."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    order: dict[str, int] = {}
    sigs: dict[str, np.ndarray] = {}

    def add(doc_id: str, sig: np.ndarray, rank: int) -> None:
        lsh.insert(doc_id, _minhash(sig))
        order[doc_id], sigs[doc_id] = rank, sig

    if prior is not None:
        for i, (doc_id, sig) in enumerate(prior.select("doc_id", "signature").iter_rows()):
            if doc_id not in order:
                add(doc_id, np.asarray(sig, dtype=np.uint64), i - prior.height)  # priors rank first
    hits: dict[str, list] = {"doc_id": [], "duplicate_of": []}
    for i, (doc_id, sig) in enumerate(new.select("doc_id", "signature").iter_rows()):
        if doc_id in order:
            continue  # an exact duplicate (same doc_id) is handled elsewhere
        sig = np.asarray(sig, dtype=np.uint64)
        if (sig == _EMPTY).all():
            continue  # a text without words matches nothing
        # LSH gives candidates; keep those whose estimated Jaccard really reaches the threshold.
        found = [c for c in lsh.query(_minhash(sig)) if float(np.mean(sigs[c] == sig)) >= threshold]
        if found:
            hits["doc_id"].append(doc_id)
            hits["duplicate_of"].append(min(found, key=order.__getitem__))
        add(doc_id, sig, i)
    return pl.DataFrame(hits, schema=DUPLICATE_COLUMNS)
