"""Resampling real articles into a benchmark corpus: literal inputs, exact outputs."""

from __future__ import annotations

import random
from itertools import islice

import pytest

from transforms.resample import iter_resampled, perturb_figures, split_pool

ARTICLE_A = (
    "Home | World | Business\n\n"
    "Northwind Corp said revenue rose 12% to $4.5 billion in the quarter.\n\n"
    "The company expects 3,000 new hires next year.\n\n"
    "Read more"
)
ARTICLE_B = "Sign in\n\nA rival, Contoso, cut 250 jobs.\nIts shares fell 7.5% on Tuesday.\n\n2 min read"


def test_paragraphs_and_chrome_lines_are_told_apart():
    body, chrome = split_pool([ARTICLE_A, ARTICLE_B])
    assert body == [
        "Northwind Corp said revenue rose 12% to $4.5 billion in the quarter.",
        "The company expects 3,000 new hires next year.",
        "A rival, Contoso, cut 250 jobs.\nIts shares fell 7.5% on Tuesday.",
    ]
    assert chrome == ["Home | World | Business", "Read more", "Sign in", "2 min read"]


def test_figures_keep_their_shape_and_are_redrawn():
    out = perturb_figures("rose 12% to $4.5 billion; 3,000 hires in 2024 (07)", random.Random(1))
    assert out == "rose 39% to $2.5 billion; 2,077 hires in 8631 (07)"


def test_documents_are_deterministic_by_seed_and_cross_articles():
    first = [d["text"] for d in islice(iter_resampled([ARTICLE_A, ARTICLE_B], seed=3), 5)]
    again = [d["text"] for d in islice(iter_resampled([ARTICLE_A, ARTICLE_B], seed=3), 5)]
    other = [d["text"] for d in islice(iter_resampled([ARTICLE_A, ARTICLE_B], seed=4), 5)]
    assert first == again and first != other
    names = [d["name"] for d in islice(iter_resampled([ARTICLE_A], seed=3), 3)]
    assert names == ["real-3-0000000", "real-3-0000001", "real-3-0000002"]
    # every document holds paragraphs of both articles (sizes ~1-16 KB need many paragraphs)
    assert all("Northwind" in t and "Contoso" in t for t in first)


def test_prose_is_required():
    with pytest.raises(ValueError, match="no paragraph of prose"):
        next(iter_resampled(["Home\n\nLogin"]))
