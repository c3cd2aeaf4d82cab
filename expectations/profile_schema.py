"""Staging table the distribution checks validate: one row per document of a batch, never committed.

Declared here rather than in `warehouse/schemas.py` for now; it belongs beside the other tables.
"""

from __future__ import annotations

import pyarrow as pa

from warehouse.schemas import Table

BATCH_PROFILE = Table(
    "batch_profile",
    pa.schema(
        [
            pa.field("doc_id", pa.string(), nullable=False),
            pa.field("clean_chars", pa.int64(), nullable=False),
            pa.field("n_mentions", pa.int64(), nullable=False),
            pa.field("n_metrics", pa.int64(), nullable=False),
            pa.field("no_mentions", pa.float64(), nullable=False),
            pa.field("mentions_per_kchar", pa.float64()),
            pa.field("metrics_per_kchar", pa.float64()),
        ]
    ),
    key=("doc_id",),
    kind="staging",
    description="Per-document counts of one batch, so table-level GX expectations can watch distributions.",
    column_docs={
        "no_mentions": "1.0 when the document has no entity mention, else 0.0: its mean is the share",
        "mentions_per_kchar": "mentions per 1,000 characters of cleaned text, null for an empty text",
        "metrics_per_kchar": "metrics per 1,000 characters of cleaned text, null for an empty text",
    },
)
