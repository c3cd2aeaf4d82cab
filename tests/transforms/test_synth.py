"""The synthetic corpus: deterministic bytes, realistic sizes, and labels that point at real text."""

from __future__ import annotations

import json
import re

import pytest

from transforms.synth import MAX_DOC_BYTES, MIN_DOC_BYTES, generate, iter_documents
from warehouse.reference import load_gazetteer

N = 400


@pytest.fixture(scope="module")
def entries() -> list[dict]:
    return load_gazetteer()[0]


@pytest.fixture(scope="module")
def corpus(entries) -> tuple[list[dict], dict[str, dict]]:
    return generate(N, 11, entries)


def _bytes(docs: list[dict], labels: dict[str, dict]) -> bytes:
    return json.dumps([docs, labels], ensure_ascii=False, sort_keys=True).encode()


def test_same_seed_same_bytes_other_seed_other_bytes(entries, corpus):
    docs, labels = corpus
    assert _bytes(*generate(N, 11, entries)) == _bytes(docs, labels)
    assert _bytes(*generate(N, 12, entries)) != _bytes(docs, labels)


def test_a_longer_corpus_starts_with_the_shorter_one(entries, corpus):
    docs, _ = corpus
    more = [d for d, _ in iter_documents(N + 5, 11, entries, start=N - 5)]
    assert more[:5] == docs[-5:] and len(more) == 10


def test_names_are_unique_and_labelled(corpus):
    docs, labels = corpus
    names = [d["name"] for d in docs]
    assert len(set(names)) == N and list(labels) == names


def test_sizes_span_half_a_kilobyte_to_twenty(corpus):
    docs, _ = corpus
    sizes = [len(d["text"].encode()) for d in docs]
    assert min(sizes) >= MIN_DOC_BYTES * 0.8
    assert max(sizes) <= MAX_DOC_BYTES * 1.3
    assert sum(s < 2_000 for s in sizes) > N * 0.2 and sum(s > 10_000 for s in sizes) > N * 0.1


def test_every_labelled_entity_and_figure_occurs_in_its_document(corpus):
    docs, labels = corpus
    for d in docs:
        lab = labels[d["name"]]
        for e in lab["entities"] + lab["noise_entities"]:
            for form in (e["text"], *e.get("aliases", [])):
                assert form in d["text"], (d["name"], form)
        for m in lab["metrics"] + lab["noise_metrics"]:
            assert m["text"] in d["text"], (d["name"], m["text"])


def test_labels_follow_the_seed_label_format(corpus):
    _, labels = corpus
    types = {"ORG", "PERSON", "MODEL", "PRODUCT", "BENCHMARK", "GPE"}
    for lab in labels.values():
        assert set(lab) >= {"entities", "metrics", "noise_metrics", "noise_entities"}
        assert all(e["type"] in types and e["canonical"] for e in lab["entities"])
        assert all(
            isinstance(m["value"], int | float) and m["unit"] and "subject" in m for m in lab["metrics"]
        )


def test_mix_of_chinese_near_duplicates_and_boilerplate(corpus):
    docs, _ = corpus
    texts = [d["text"] for d in docs]
    chinese = sum(len(re.findall(r"[\u4e00-\u9fff]", t)) > len(t) * 0.3 for t in texts)
    assert 0.01 * N <= chinese <= 0.07 * N
    assert any("Advertisement" in t or "ADVERTISEMENT" in t for t in texts)
    assert any("Share this article" in t for t in texts)
    assert any("Read more:" in t for t in texts)
    # near-duplicates: a document whose first line (headline) and most lines another document shares
    firsts = [t.split("\n", 1)[0] for t in texts]
    assert len(set(firsts)) < len(firsts)


def test_figures_come_in_many_forms(corpus):
    _, labels = corpus
    texts = {m["text"] for lab in labels.values() for m in lab["metrics"]}
    forms = [r"-billion-parameter$", r" billion yuan$", r"^\$[\d.]+ billion$", r"monthly active users$"]
    forms += [r"^[\d.]+%$", r"GPUs$", r"亿"]
    for pattern in forms:
        assert any(re.search(pattern, t) for t in texts), pattern
