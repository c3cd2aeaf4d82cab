"""Near-duplicate detection: MinHash signatures of cleaned text, and LSH lookups against earlier docs.

Exact duplicates share a doc_id (sha256 of the raw bytes) and are handled before this stage.
Signatures are deterministic (fixed seed and permutation count), so signatures stored by one run can be
compared with those computed by a later run.
"""

from __future__ import annotations

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


def minhash_signatures(docs: pl.DataFrame) -> pl.DataFrame:
    """MinHash of lowercased word 3-gram shingles per document: [doc_id, signature list[u64] of NUM_PERM]."""
    from datasketch import MinHash

    # Shingling (word 3-grams joined by spaces) is vectorised; only the sketch update is per document.
    rows = docs.with_row_index("_row")
    exploded = (
        rows.select("_row", pl.col("text").str.to_lowercase().str.extract_all(r"[\p{L}\p{N}]+").alias("w"))
        .explode("w")
        .with_columns(pl.len().over("_row").alias("n"))
    )
    following = [pl.col("w").shift(-i).over("_row") for i in range(SHINGLE_WORDS)]
    grams = (
        exploded.with_columns(
            pl.when(pl.col("n") >= SHINGLE_WORDS)
            .then(pl.concat_str(following, separator=" "))
            .otherwise(pl.col("w"))
            .alias("g")
        )
        .group_by("_row", maintain_order=True)
        .agg(pl.col("g").drop_nulls())
    )
    grams = rows.select("_row").join(grams, on="_row", how="left", maintain_order="left")
    sigs = []
    template = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    for g in grams["g"].to_list():
        m = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=template.permutations, scheme=SCHEME)
        if g:
            m.update_batch([s.encode("utf-8") for s in g])
        sigs.append(m.hashvalues.astype(np.uint64).tolist())
    return pl.DataFrame(
        {"doc_id": docs["doc_id"], "signature": pl.Series(sigs, dtype=pl.List(pl.UInt64))},
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
