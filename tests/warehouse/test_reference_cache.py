"""The lexicons' on-disk cache: built once per lexicon version, read back whole, rebuilt when unreadable."""

from __future__ import annotations

import json

import pytest

from warehouse import reference


@pytest.fixture
def built(monkeypatch, tmp_path):
    """Count builds of a small stand-in lexicon; cache under tmp_path."""
    calls: list[str] = []

    def build(version: str) -> dict:
        calls.append(version)
        return {
            "version": version,
            "entries": [{"name": "Oslo", "type": "GPE", "aliases": []}],
            "given_names": ["Ada"],
            "common_words": ["the"],
        }

    monkeypatch.setenv("QUARRY_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(reference, "_build_lexicons", build)
    monkeypatch.setattr(reference, "lexicon_version", lambda: "lexicons-test(x=1)")
    reference.load_lexicons.cache_clear()
    yield calls
    reference.load_lexicons.cache_clear()


def test_second_process_reads_the_cache_instead_of_building(built, tmp_path):
    first = reference.load_lexicons()
    reference.load_lexicons.cache_clear()  # as a new process would
    second = reference.load_lexicons()
    assert built == ["lexicons-test(x=1)"]
    assert second == first
    assert [p.name for p in tmp_path.iterdir()] == [reference._lexicon_cache_file("lexicons-test(x=1)").name]


def test_a_corrupt_or_other_version_cache_is_rebuilt(built, tmp_path):
    cache = reference._lexicon_cache_file("lexicons-test(x=1)")
    cache.write_text("{not json", encoding="utf-8")
    assert reference.load_lexicons()["given_names"] == ["Ada"]
    reference.load_lexicons.cache_clear()
    cache.write_text(json.dumps({"version": "lexicons-old", "given_names": ["Bo"]}), encoding="utf-8")
    assert reference.load_lexicons()["given_names"] == ["Ada"]
    assert built == ["lexicons-test(x=1)", "lexicons-test(x=1)"]
