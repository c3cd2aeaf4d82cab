"""Scoring against hand labels: matching rules, optional and noise items, per-group rows."""

from __future__ import annotations

import polars as pl
import pytest

from transforms.evaluate import (
    METRIC_PREDICTION_COLUMNS,
    entity_outcomes,
    metric_outcomes,
    score_entities,
    score_metrics,
)

LABELS = {
    "d1": {
        "entities": [
            {"text": "Xiaomi", "canonical": "Xiaomi", "type": "ORG", "aliases": ["millet"]},
            {"text": "Jinshan", "canonical": "Kingsoft", "type": "ORG"},
            {"text": "US", "canonical": "United States", "type": "GPE"},
            {"text": "Meng Chen", "canonical": "Meng Chen", "type": "PERSON", "optional": True},
        ],
        "noise_entities": [
            {"text": "Gate Square", "canonical": "Gate Square", "type": "PRODUCT"},
            {"text": "SH600000", "canonical": "SH600000", "type": "ORG", "in_body": True},
        ],
        "metrics": [
            {
                "text": "6.4 billion parameters",
                "value": 6400000000,
                "unit": "parameters",
                "subject": "MiLM-6B",
            },
            {"text": "5.3%", "value": 5.3, "unit": "percent", "subject": "Xiaomi"},
            {"text": "ranked first", "value": 1, "unit": "rank", "subject": "MiLM-6B", "optional": True},
            {"text": "20%", "value": 20, "unit": "percent", "subject": None},
        ],
        "noise_metrics": [
            {
                "text": "four or two thousand pounds",
                "value": 2000,
                "unit": "pounds",
                "subject": None,
                "in_body": True,
            }
        ],
    },
    "d2": {"entities": [{"text": "MiMo", "canonical": "MiMo-7B", "type": "MODEL"}], "metrics": []},
}


def ents(*rows: tuple[str, str, str, str]) -> pl.DataFrame:
    schema = {c: pl.String for c in ("doc", "entity_name", "type", "surface")}
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def row(scores: pl.DataFrame, group: str, key: str = "type") -> dict:
    return scores.filter(pl.col(key) == group).row(0, named=True)


def test_entity_perfect_with_canonical_alias_and_surface_matches() -> None:
    pred = ents(
        ("d1", "xiaomi", "ORG", "Xiaomi"),  # canonical, case-insensitive
        ("d1", "xiaomi", "ORG", "millet"),  # same entity again: one entry per doc
        ("d1", "Jinshan Software", "ORG", "Jinshan"),  # surface equals the label text
        ("d1", "United States", "GPE", "U.S."),
        ("d2", "MiMo-7B", "MODEL", "MiMo"),
    )
    s = score_entities(pred, LABELS)
    assert s.columns == ["type", "tp", "fp", "fn", "precision", "recall", "f1"]
    assert row(s, "ALL") == {
        "type": "ALL",
        "tp": 4,
        "fp": 0,
        "fn": 0,
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
    }
    assert row(s, "ORG")["tp"] == 2 and row(s, "MODEL")["tp"] == 1 and row(s, "GPE")["tp"] == 1


def test_entity_misses_false_positives_noise_and_optional() -> None:
    pred = ents(
        ("d1", "Xiaomi", "ORG", "Xiaomi"),
        ("d1", "Meng Chen", "PERSON", "Meng Chen"),  # optional: neither hit nor FP
        ("d1", "SH600000", "ORG", "SH600000"),  # in-body noise: FP
        ("d1", "Apple", "ORG", "Apple"),  # not labelled: FP
        ("d2", "Qwen", "MODEL", "Qwen"),  # FP of type MODEL
        ("d9", "Other", "ORG", "Other"),  # unlabelled document: ignored
    )
    s = score_entities(pred, LABELS)
    assert row(s, "ALL") == {
        "type": "ALL",
        "tp": 1,
        "fp": 3,
        "fn": 3,
        "precision": 0.25,
        "recall": 0.25,
        "f1": 0.25,
    }
    assert (row(s, "ORG")["tp"], row(s, "ORG")["fp"], row(s, "ORG")["fn"]) == (1, 2, 1)
    assert (row(s, "GPE")["fn"], row(s, "MODEL")["fp"], row(s, "MODEL")["fn"]) == (1, 1, 1)
    assert "PERSON" not in s["type"].to_list()


def test_entity_split_prediction_is_a_duplicate_not_a_false_positive() -> None:
    # Two different predicted entities both matching the Xiaomi label: the same fact twice.
    pred = ents(("d1", "Xiaomi", "ORG", "Xiaomi"), ("d1", "Xiaomi Millet", "ORG", "millet"))
    assert (
        row(score_entities(pred, LABELS), "ORG")["tp"],
        row(score_entities(pred, LABELS), "ORG")["fp"],
    ) == (1, 0)
    out = entity_outcomes(pred, LABELS).filter(pl.col("group") == "ORG")
    assert out.select("outcome", "name").rows() == [
        ("duplicate", "Xiaomi Millet"),
        ("fn", "Kingsoft"),
        ("tp", "Xiaomi"),
    ]


def test_entity_outcomes_list_every_miss_noise_and_false_positive() -> None:
    pred = ents(
        ("d1", "Xiaomi", "ORG", "Xiaomi"),
        ("d1", "Meng Chen", "PERSON", "Meng Chen"),
        ("d1", "SH600000", "ORG", "SH600000"),
        ("d1", "Apple", "ORG", "Apple"),
    )
    assert entity_outcomes(pred, LABELS).rows() == [
        ("d1", "ORG", "fn", "Kingsoft"),
        ("d1", "GPE", "fn", "United States"),
        ("d1", "ORG", "fp", "Apple"),
        ("d1", "ORG", "noise", "SH600000"),
        ("d1", "PERSON", "optional", "Meng Chen"),
        ("d1", "ORG", "tp", "Xiaomi"),
        ("d2", "MODEL", "fn", "MiMo-7B"),
    ]


def test_entity_empty_prediction() -> None:
    s = score_entities(ents(), LABELS)
    assert row(s, "ALL")["fn"] == 4 and row(s, "ALL")["precision"] is None and row(s, "ALL")["f1"] == 0.0


def mets(*rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(
        list(rows),
        schema=METRIC_PREDICTION_COLUMNS,
        orient="row",
    )


def test_metrics_tolerance_unit_subject_optional_and_noise() -> None:
    pred = mets(
        ("d1", 6.45e9, None, "parameters", "MiLM-6B", "6.45 billion parameters"),  # within 1%
        ("d1", 5.3, None, "percent", "Apple", "5.3%"),  # hit, wrong subject
        ("d1", 20.0, None, "percent", None, "20%"),  # hit, both subjects null
        ("d1", 1.0, None, "rank", "MiLM-6B", "ranked first"),  # optional: neutral
        ("d1", 2000.0, None, "pounds", None, "two thousand pounds"),  # noise: FP
        ("d1", 5.3, None, "USD", None, "$5.3"),  # unit differs: FP
    )
    s = score_metrics(pred, LABELS)
    assert s.columns == ["unit", "tp", "fp", "fn", "precision", "recall", "f1", "subject_accuracy"]
    total = row(s, "ALL", "unit")
    assert (total["tp"], total["fp"], total["fn"]) == (3, 2, 0)
    assert total["subject_accuracy"] == pytest.approx(2 / 3)
    assert row(s, "percent", "unit")["subject_accuracy"] == 0.5
    assert row(s, "pounds", "unit")["fp"] == 1


def test_metrics_value_outside_tolerance_is_miss_and_fp() -> None:
    s = score_metrics(mets(("d1", 6.6e9, None, "parameters", "MiLM-6B", "6.6 billion")), LABELS)
    r = row(s, "parameters", "unit")
    assert (r["tp"], r["fp"], r["fn"]) == (0, 1, 1)
    assert row(s, "ALL", "unit")["fn"] == 3


@pytest.mark.parametrize(
    ("subject", "ok"),
    [
        ("Xiaomi", True),
        ("XIAOMI", True),
        ("millet", True),  # a form of the labelled subject in its document: the same entity
        ("Jinshan", False),  # a form of another labelled entity
        ("Xiaomi Group", False),  # no form of it in this document
        (None, False),
    ],
)
def test_a_subject_is_right_when_it_names_the_labelled_entity_by_any_of_its_forms(subject, ok) -> None:  # noqa: ANN001
    s = score_metrics(mets(("d1", 5.3, None, "percent", subject, "5.3%")), LABELS)
    assert row(s, "percent", "unit")["subject_accuracy"] == (1.0 if ok else 0.0)


def test_a_figure_of_zero_is_hit_by_zero_alone() -> None:
    labels = {"d9": {"metrics": [{"text": "$0", "value": 0, "unit": "USD", "subject": "Acme"}]}}
    hit = score_metrics(mets(("d9", 0.0, None, "USD", "Acme", "$0")), labels)
    assert [row(hit, "ALL", "unit")[k] for k in ("tp", "fp", "fn", "subject_accuracy")] == [1, 0, 0, 1.0]
    miss = score_metrics(mets(("d9", 0.001, None, "USD", "Acme", "$0.001")), labels)
    assert [row(miss, "ALL", "unit")[k] for k in ("tp", "fp", "fn")] == [0, 1, 1]


def test_metrics_one_label_one_hit() -> None:
    # The same fact found twice (headline and body) is one hit and no false positive.
    pred = mets(
        ("d1", 5.3, None, "percent", "Xiaomi", "5.3%"), ("d1", 5.31, None, "percent", "Xiaomi", "5.31%")
    )
    r = row(score_metrics(pred, LABELS), "percent", "unit")
    # The second figure is the same fact found twice: neither a hit nor a false positive.
    assert (r["tp"], r["fp"], r["fn"]) == (1, 0, 1)
    assert metric_outcomes(pred, LABELS).filter(pl.col("group") == "percent").select(
        "outcome", "name"
    ).rows() == [("duplicate", "5.31%"), ("fn", "20%"), ("tp", "5.3%")]


RANGES = {
    "r1": {
        "metrics": [
            {"text": "$10-12", "value": 10, "value_high": 12, "unit": "USD", "subject": None},
            {"text": "40%", "value": 40, "unit": "percent", "subject": None},
        ],
        "noise_metrics": [
            {"text": "(ACME 3.1%)", "value": 3.1, "unit": "percent", "subject": None, "in_body": True},
            {"text": "5 min read", "value": 5, "unit": "count", "subject": None},
        ],
    }
}


def test_metrics_match_value_high_and_tell_in_body_noise_from_boilerplate() -> None:
    pred = mets(
        ("r1", 12.05, None, "USD", None, "$12.05"),  # within 1% of value_high
        ("r1", 3.1, None, "percent", None, "3.1%"),  # in-body noise
        ("r1", 5.0, None, "count", None, "5"),  # boilerplate noise: a plain false positive
    )
    assert metric_outcomes(pred, RANGES).select("outcome", "name").rows() == [
        ("fn", "40%"),
        ("fp", "5"),
        ("noise", "3.1%"),
        ("tp", "$12.05"),
    ]
    total = row(score_metrics(pred, RANGES), "ALL", "unit")
    assert (total["tp"], total["fp"], total["fn"]) == (1, 2, 1)


# --- cleaning figures -------------------------------------------------------------------------------

from transforms.evaluate import CHROME_REMOVED, CONTENT_KEPT, score_cleaning  # noqa: E402

CLEAN_LABELS = {
    "a": {
        "entities": [
            {"text": "Acme", "canonical": "Acme", "type": "ORG"},
            {"text": "Bo Li", "canonical": "Bo Li", "type": "PERSON", "optional": True},
        ],
        "metrics": [{"text": "4%", "value": 4, "unit": "percent", "subject": "Acme"}],
        "noise_metrics": [
            {"text": "9 min read", "value": 9, "unit": "count", "subject": None},
            {"text": "(ACM 1.2%)", "value": 1.2, "unit": "percent", "subject": None, "in_body": True},
        ],
        "noise_entities": [{"text": "Daily Example", "canonical": "Daily Example", "type": "ORG"}],
    },
    "b": {
        "entities": [{"text": "Zeta", "canonical": "Zeta", "type": "ORG"}],
        "noise_entities": [{"text": "Example Wire", "canonical": "Example Wire", "type": "ORG"}],
    },
}


def test_cleaning_scores_chrome_removed_and_content_kept() -> None:
    cleaned = pl.DataFrame({"doc": ["a"], "text": ["Acme rose 4% (ACM 1.2%). Daily Example"]})
    out = score_cleaning(cleaned, CLEAN_LABELS).rows()
    # "b" was rejected: its chrome is gone and its content lost; optional and in-body items are not judged.
    assert out == [(CHROME_REMOVED, 3, 2, 2 / 3), (CONTENT_KEPT, 3, 2, 2 / 3)]


def test_cleaning_scores_perfect_and_empty_labels() -> None:
    cleaned = pl.DataFrame({"doc": ["a", "b"], "text": ["Acme rose 4%.", "Zeta fell."]})
    assert score_cleaning(cleaned, CLEAN_LABELS).rows() == [
        (CHROME_REMOVED, 3, 3, 1.0),
        (CONTENT_KEPT, 3, 3, 1.0),
    ]
    assert score_cleaning(cleaned, {}).rows() == [(CHROME_REMOVED, 0, 0, None), (CONTENT_KEPT, 0, 0, None)]


def test_metrics_equal_figures_pair_up_one_to_one_whatever_their_order() -> None:
    # Two labelled "1 million tokens" (a context window and a training batch) and two predictions of
    # 1 million: two hits. Each prediction taking its closest label let both take the first one.
    labels = {
        "t1": {
            "metrics": [
                {"text": "1 million", "value": 1e6, "unit": "tokens", "subject": "A"},
                {"text": "1,000,000", "value": 1e6, "unit": "tokens", "subject": "B"},
                {"text": "2 million", "value": 2e6, "unit": "tokens", "subject": "B"},
            ]
        }
    }
    for order in ([0, 1, 2], [2, 1, 0]):
        rows = [
            ("t1", 1e6, None, "tokens", "A", "1 million"),
            ("t1", 1.005e6, None, "tokens", "B", "1,000,000"),
            ("t1", 1e6, None, "tokens", "B", "1M"),
        ]
        pred = mets(*[rows[i] for i in order])
        out = metric_outcomes(pred, labels).select("outcome", "name", "subject_ok").rows()
        # the two exact predictions pair with the two labels, each with the label of its own subject;
        # the near one is a duplicate; "2 million" is missed
        assert sorted(out) == [
            ("duplicate", "1,000,000", None),
            ("fn", "2 million", None),
            ("tp", "1 million", True),
            ("tp", "1M", True),
        ], (order, out)
