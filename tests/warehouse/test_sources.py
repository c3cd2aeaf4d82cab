from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from dataclasses import astuple
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import served_over_http
from warehouse.sources import (
    SourceError,
    SourceRef,
    check_source,
    file_index,
    list_sources,
    local_glob,
    parse_published,
    plan_batches,
    read_batch,
)

REPO = Path(__file__).resolve().parents[2]


def test_directory_lists_its_files_in_order_not_subfolders_or_dotfiles(tmp_path):
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / "a.md").write_text("a")
    (tmp_path / ".hidden").write_text("x")
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "x.json").write_text("{}")
    refs, rejects = list_sources(str(tmp_path))
    assert [(os.path.basename(r.path), r.format, r.size) for r in refs] == [
        ("a.md", "md", 1),
        ("b.txt", "txt", 1),
    ]
    assert rejects == []


def test_glob_and_missing_source(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "a.txt").write_text("a")
    refs, _ = list_sources(str(tmp_path / "**" / "*.txt"))
    assert [os.path.basename(r.path) for r in refs] == ["a.txt"]
    with pytest.raises(SourceError, match="does not exist"):
        list_sources(str(tmp_path / "nope"))
    with pytest.raises(SourceError, match="matches no files"):
        list_sources(str(tmp_path / "*.html"))


def test_empty_folder_source_is_an_error(tmp_path):
    """An unmounted share looks like an empty folder: it must not pass for a night with no news."""
    empty = tmp_path / "drop"
    (empty / "sub").mkdir(parents=True)  # sub-folders are not part of a folder source
    (empty / ".keep").write_text("")  # nor are hidden files
    with pytest.raises(SourceError) as err:
        check_source(str(empty))
    assert str(err.value) == (
        f"source {str(empty)!r} is a folder with no files in it (not mounted, or the wrong folder?)"
    )
    (empty / "a.txt").write_text("a")
    check_source(str(empty))  # one file is enough


def _loop_tree(root: Path, *loops: tuple[str, str]) -> None:
    """root/{a.txt, alias.txt -> a.txt, sub/b.txt, .hid/c.txt} plus the (link, target) symlinks `loops`."""
    (root / "sub").mkdir(parents=True)
    (root / ".hid").mkdir()
    (root / "a.txt").write_text("one")
    (root / "sub" / "b.txt").write_text("two")
    (root / ".hid" / "c.txt").write_text("three")
    (root / "alias.txt").symlink_to("a.txt")
    for link, target in loops:
        (root / link).symlink_to(target)


def _rel(paths: list[str], root: Path) -> list[str]:
    return sorted(os.path.relpath(p, root) for p in paths)


def test_glob_double_star_does_not_descend_a_symlinked_folder(tmp_path):
    # glob.glob(recursive=True) follows `self` about 40 levels deep: the same files 40 times over.
    root = tmp_path / "src"
    _loop_tree(root, ("self", "."), ("sub/back", "../sub"))
    refs, rejects = list_sources(f"{root}/**/*.txt")
    assert [os.path.relpath(r.path, root) for r in refs] == ["a.txt", "alias.txt", "sub/b.txt"]
    assert rejects == []
    assert _rel(local_glob(f"{root}/**"), root) == [
        ".", "a.txt", "alias.txt", "self", "sub", "sub/b.txt", "sub/back",
    ]  # fmt: skip
    # a symlinked folder named by `*` or literally is still read, one level, as glob does
    assert _rel(local_glob(f"{root}/*/a.txt"), root) == ["self/a.txt"]
    assert _rel(local_glob(f"{root}/sub/back/*.txt"), root) == ["sub/back/b.txt"]


def test_glob_over_two_loop_links_finishes(tmp_path):
    # links to `.` and `..`: glob.glob's listing grows as 2^depth and never ends. A thread, so that a
    # regression fails here instead of hanging the suite.
    import threading

    root = tmp_path / "src"
    _loop_tree(root, ("self", "."), ("up", ".."))
    out: list = []
    listing = threading.Thread(target=lambda: out.append(list_sources(f"{root}/**/*.txt")), daemon=True)
    listing.start()
    listing.join(20)
    assert not listing.is_alive(), "listing a glob over a symlink loop did not finish in 20 s"
    refs, rejects = out[0]
    assert [os.path.relpath(r.path, root) for r in refs] == ["a.txt", "alias.txt", "sub/b.txt"]
    assert rejects == []
    check_source(f"{root}/**/*.txt")  # it globbed with glob.glob too, and hung the same way


def test_local_glob_matches_glob_on_a_tree_without_symlinks(tmp_path, monkeypatch):
    import glob

    for rel in ("1.txt", ".2.txt", "a/3.txt", "a/b/4.txt", "a/b/5", ".h/6.txt", "[x]/7.txt", "c/8.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(rel)
    monkeypatch.chdir(tmp_path)
    patterns = [
        *("**/*.txt", "**", "**/", "*/**", "a/**", "a/**/", "**/b/*", "**/.*", ".*/**", "[[]x]/**/*.txt"),
        *("a**/*.txt", "**/*.md", f"{tmp_path}/**/*.txt", "nowhere/**/*.txt"),
    ]
    assert {p: sorted(local_glob(p)) for p in patterns} == {
        p: sorted(glob.glob(p, recursive=True)) for p in patterns
    }


def test_symlink_outside_root_is_refused(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "link.txt").symlink_to(outside)
    refs, rejects = list_sources(str(root))
    assert refs == []
    assert [(r["reason"], os.path.basename(r["source"])) for r in rejects] == [("outside_root", "link.txt")]


def test_read_batch_refuses_large_vanished_and_reads_rows(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 200)
    gone = SourceRef(str(tmp_path / "gone.txt"), 5, "txt")
    jl = tmp_path / "d.jsonl"
    jl.write_text(
        json.dumps({"text": "first", "title": "T", "published_at": "2025-04-30T08:00:00Z"})
        + "\n"
        + "not json\n"
        + json.dumps({"text": "second", "url": "https://x"})
        + "\n"
    )
    pq = tmp_path / "d.parquet"
    pl.DataFrame({"text": ["p0", None], "author": ["A", "B"]}).write_parquet(pq)
    refs = [
        SourceRef(str(big), 200, "txt"),
        gone,
        SourceRef(str(jl), jl.stat().st_size, "jsonl"),
        SourceRef(str(pq), pq.stat().st_size, "parquet"),
    ]
    raw, rejects = read_batch(refs, max_bytes=120)
    assert [(os.path.basename(r["source"]), r["reason"]) for r in rejects] == [
        ("big.txt", "too_large"),
        ("gone.txt", "vanished"),
        ("d.jsonl:2", "bad_record"),
        ("d.parquet#1", "bad_record"),
    ]
    rows = raw.select(
        pl.col("source").str.split("/").list.last(), "content", "format", "title", "author", "url"
    ).rows()
    assert rows == [
        ("d.jsonl:1", b"first", "jsonl", "T", None, None),
        ("d.jsonl:3", b"second", "jsonl", None, None, "https://x"),
        ("d.parquet#0", b"p0", "parquet", None, "A", None),
    ]
    assert raw.get_column("published_at").dt.year().to_list() == [2025, None, None]


# Imports first, as root (the interpreter lives under /root), then the process becomes `nobody`.
_AS_NOBODY = """
import json, os, pwd, sys
from warehouse.sources import SourceRef, read_batch
nobody = pwd.getpwnam("nobody")
os.setgroups([])
os.setgid(nobody.pw_gid)
os.setuid(nobody.pw_uid)
refs = [SourceRef(*r) for r in json.loads(sys.argv[1])]
raw, rejects = read_batch(refs, int(sys.argv[2]))
print(json.dumps([os.geteuid(), raw.get_column("source").to_list(), rejects]))
"""


def _read_batch_as_nobody(refs: list[SourceRef], max_bytes: int) -> tuple[list[str], list[dict]]:
    """read_batch in a child process that drops root for `nobody` (root reads any file; a user does
    not): (sources read, quarantine rows). A fresh process, not a fork: polars' thread pool does not
    survive fork."""
    out = subprocess.run(
        [sys.executable, "-c", _AS_NOBODY, json.dumps([astuple(r) for r in refs]), str(max_bytes)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    euid, read, rejects = json.loads(out.stdout)
    assert euid == pwd.getpwnam("nobody").pw_uid
    return read, rejects


@pytest.mark.skipif(os.geteuid() != 0, reason="dropping to `nobody` needs root")
def test_unreadable_file_is_quarantined():
    root = Path(tempfile.mkdtemp())
    try:
        root.chmod(0o755)  # nobody may list the folder; the one file's own mode refuses it
        readable, locked = root / "open.txt", root / "locked.txt"
        readable.write_text("anyone may read this")
        locked.write_text("only its owner may read this")
        locked.chmod(0o600)
        refs = [SourceRef(str(p), p.stat().st_size, "txt", str(root)) for p in (readable, locked)]
        read, rejects = _read_batch_as_nobody(refs, 100)
        assert read == [str(readable)]
        assert rejects == [
            {
                "source": str(locked),
                "doc_id": None,
                "reason": "unreadable",
                "detail": "PermissionError: Permission denied",
            }
        ]
    finally:
        shutil.rmtree(root)


def test_plan_batches_by_count_and_bytes():
    refs = [SourceRef(str(i), size, "txt") for i, size in enumerate([5, 5, 5, 20, 1])]
    assert [[r.path for r in b] for b in plan_batches(refs, batch_size=2, batch_bytes=100)] == [
        ["0", "1"],
        ["2", "3"],
        ["4"],
    ]
    assert [[r.path for r in b] for b in plan_batches(refs, batch_size=10, batch_bytes=12)] == [
        ["0", "1"],
        ["2"],
        ["3"],
        ["4"],
    ]


GOOD_FIRST = '{"text": "Harbour cranes at the port moved 4,100 containers on Monday."}\n'
GOOD_LAST = '{"text": "The port authority expects 5,000 a day by spring."}\n'


@pytest.mark.parametrize(
    ("middle", "detail"),
    [
        (
            b'{"text": "half a pair \\udcb2 here"}\n',
            "line 2 holds a lone surrogate \\udcb2, which is not Unicode text",
        ),
        (
            b'{"text": "quay", "title": "Dock \\ud800"}\n',
            "line 2 holds a lone surrogate \\ud800, which is not Unicode text",
        ),
        (
            b"{'text': 'single quotes are not JSON'}\n",
            "line 2 is not a JSON object with `text`: Expecting property name enclosed in double quotes: "
            "line 1 column 2 (char 1)",
        ),
        (
            b'{"text": "raw \x00 byte"}\n',
            "line 2 is not a JSON object with `text`: "
            "Invalid control character at: line 1 column 15 (char 14)",
        ),
        (b"[" * 100_000 + b"\n", None),
    ],
    ids=["lone_surrogate", "surrogate_in_title", "invalid_json", "raw_nul", "deep_nesting"],
)
def test_one_bad_jsonl_line_is_quarantined_alone(tmp_path, middle, detail):
    jl = tmp_path / "feed.jsonl"
    jl.write_bytes(GOOD_FIRST.encode() + middle + GOOD_LAST.encode())
    raw, rejects = read_batch([SourceRef(str(jl), jl.stat().st_size, "jsonl")], max_bytes=1_000_000)
    assert raw.select("source", "content").rows() == [
        (f"{jl}:1", b"Harbour cranes at the port moved 4,100 containers on Monday."),
        (f"{jl}:3", b"The port authority expects 5,000 a day by spring."),
    ]
    assert [(r["source"], r["reason"]) for r in rejects] == [(f"{jl}:2", "bad_record")]
    if detail is not None:
        assert rejects[0]["detail"] == detail


def test_escaped_nul_in_jsonl_text_is_read_as_text(tmp_path):
    # "\u0000" is valid JSON; the stray NUL it carries is dropped later by decoding, not here.
    jl = tmp_path / "feed.jsonl"
    jl.write_text('{"text": "Ferry traffic rose 3%.\\u0000"}\n')
    raw, rejects = read_batch([SourceRef(str(jl), jl.stat().st_size, "jsonl")], max_bytes=1000)
    assert raw["content"].to_list() == [b"Ferry traffic rose 3%.\x00"]
    assert rejects == []


@pytest.fixture
def memfs():
    """fsspec's in-memory filesystem: a real non-local filesystem behind `memory://` URLs."""
    import fsspec

    fs = fsspec.filesystem("memory")
    fs.mkdir("/corpus")
    fs.pipe_file("/corpus/b.txt", b"Second story body.")
    fs.pipe_file("/corpus/a.md", b"# First\n\nFirst story body.")
    fs.pipe_file(
        "/corpus/c.jsonl",
        (
            json.dumps({"text": "row one", "author": "R"}) + "\n" + json.dumps({"title": "no text"}) + "\n"
        ).encode(),
    )
    fs.mkdir("/corpus/sub")
    fs.pipe_file("/corpus/sub/d.txt", b"in a sub-folder")
    yield fs
    fs.rm("/corpus", recursive=True)


def test_fsspec_url_source_lists_and_reads(memfs):
    refs, rejects = list_sources("memory://corpus")
    assert [(r.path, r.format, r.size) for r in refs] == [
        ("memory:///corpus/a.md", "md", 26),
        ("memory:///corpus/b.txt", "txt", 18),
        ("memory:///corpus/c.jsonl", "jsonl", 56),
    ]
    # the object's modification time (memory: its creation), so a later run can skip it unread
    created = [int(memfs.info(r.path.removeprefix("memory://"))["created"].timestamp() * 1e9) for r in refs]
    assert [r.mtime_ns for r in refs] == created
    assert rejects == []
    raw, rejects = read_batch(refs, 1000)
    assert raw.select("source", "content", "format", "author").rows() == [
        ("memory:///corpus/a.md", b"# First\n\nFirst story body.", "md", None),
        ("memory:///corpus/b.txt", b"Second story body.", "txt", None),
        ("memory:///corpus/c.jsonl:1", b"row one", "jsonl", "R"),
    ]
    assert [(r["source"], r["reason"]) for r in rejects] == [("memory:///corpus/c.jsonl:2", "bad_record")]
    # a glob over the URL, and a file too large for the limit, refused unread
    refs, _ = list_sources("memory://corpus/*.txt")
    assert [r.path for r in refs] == ["memory:///corpus/b.txt"]
    raw, rejects = read_batch(refs, 10)
    assert (raw.height, [r["reason"] for r in rejects]) == (0, ["too_large"])
    with pytest.raises(SourceError, match="matches no files"):
        list_sources("memory://corpus/*.html")


def test_plan_batches_in_even_parts_for_parallel_workers():
    refs = [SourceRef(str(i), size, "txt") for i, size in enumerate([5, 5, 5, 20, 1, 3, 3, 3])]

    def paths(batches: list[list[SourceRef]]) -> list[list[str]]:
        return [[r.path for r in b] for b in batches]

    # two workers: two batches of 15 and 30 bytes, not a greedy 22.5-byte cut and a sliver
    assert paths(plan_batches(refs, batch_size=100, batch_bytes=1000, parts=2)) == [
        ["0", "1", "2"],
        ["3", "4", "5", "6", "7"],
    ]
    # the per-batch file limit still holds when the even share would exceed it
    assert paths(plan_batches(refs, batch_size=3, batch_bytes=1000, parts=2)) == [
        ["0", "1"],
        ["2"],
        ["3"],
        ["4", "5", "6"],
        ["7"],
    ]
    # a multiple of the workers: 40 bytes at 6 a batch is 7 batches alone, 8 for two workers (the 7th
    # would run by itself at the end)
    ones = [SourceRef(str(i), 1, "txt") for i in range(40)]
    assert [len(b) for b in plan_batches(ones, batch_size=100, batch_bytes=6)] == [6] * 6 + [4]
    assert [len(b) for b in plan_batches(ones, batch_size=100, batch_bytes=6, parts=2)] == [5] * 8


def test_file_index_maps_records_back_to_their_file_and_leaves_out_refused_files():
    refs = [
        SourceRef("/s/a.txt", 10, "txt", "/s", 1),
        SourceRef("/s/feed.jsonl", 20, "jsonl", "/s", 2),
        SourceRef("/s/t.parquet", 30, "parquet", "/s", 3),
        SourceRef("/s/bad.jsonl", 40, "jsonl", "/s", 4),  # only bad lines: one NO_DOCUMENT row
        SourceRef("/s/big.jsonl", 50, "jsonl", "/s", 5),  # one line too large: indexed with the limit
        SourceRef("/s/huge.txt", 80, "txt", "/s", 8),  # too large itself: NO_DOCUMENT with the limit
        SourceRef("/s/locked.txt", 90, "txt", "/s", 9),  # unreadable: read again next run
        SourceRef("/s/x.txt:7", 60, "txt", "/s", 6),  # a file's own name ending like a record's
        SourceRef("mem://r/u.jsonl", 70, "jsonl"),  # no mtime: never indexed
    ]
    read = pl.DataFrame(
        {
            "source": [
                "/s/a.txt",
                "/s/feed.jsonl:1",
                "/s/feed.jsonl:3",
                "/s/t.parquet#0",
                "/s/big.jsonl:1",
                "/s/x.txt:7",
                "mem://r/u.jsonl:1",
                "/s/feed.jsonl:4",
            ],
            "doc_id": ["d1", "d2", "d3", "d4", "d5", "d6", "d7", None],
        }
    )
    refused = pl.DataFrame(
        {
            "source": ["/s/feed.jsonl:2", "/s/bad.jsonl:1", "/s/big.jsonl:2", "/s/huge.txt", "/s/locked.txt"],
            "reason": ["bad_record", "bad_record", "too_large", "too_large", "unreadable"],
        }
    )
    assert file_index(refs, read, refused, 45).sort("source", "doc_id").rows() == [
        ("/s/a.txt", 10, 1, "d1", None),
        ("/s/bad.jsonl", 40, 4, "", None),
        ("/s/big.jsonl", 50, 5, "d5", 45),
        ("/s/feed.jsonl", 20, 2, "d2", None),
        ("/s/feed.jsonl", 20, 2, "d3", None),
        ("/s/huge.txt", 80, 8, "", 45),
        ("/s/t.parquet", 30, 3, "d4", None),
        ("/s/x.txt:7", 60, 6, "d6", None),
    ]


def test_published_at_reads_every_common_format_in_one_batch_and_names_the_rest(caplog):
    # polars infers one format from the first value and nulls the others: a feed mixing ISO and
    # RSS dates lost every RSS date.
    values = pl.Series(
        "published_at",
        [
            "2026-11-30",
            "2026-11-30T08:00:00+01:00",
            "Mon, 30 Nov 2026 08:00:00 GMT",
            "30 November 2026",
            "Nov. 30, 2026 8:00 AM EST",
            "1764489600",
            "1764489600000",
            "Tuesday",
            "garbage",
            None,
            "2026-11-30",
        ],
    )
    parsed, unreadable = parse_published(values)
    assert parsed.dtype == pl.Datetime("us", "UTC")
    assert [None if v is None else v.strftime("%Y-%m-%d %H:%M") for v in parsed.to_list()] == [
        "2026-11-30 00:00",
        "2026-11-30 07:00",
        "2026-11-30 08:00",
        "2026-11-30 00:00",
        "2026-11-30 13:00",
        "2025-11-30 08:00",
        "2025-11-30 08:00",
        None,
        None,
        None,
        "2026-11-30 00:00",
    ]
    assert unreadable == ["Tuesday", "garbage"]


def test_a_batch_with_unreadable_dates_lands_and_warns(tmp_path, caplog):
    jl = tmp_path / "feed.jsonl"
    jl.write_text(
        json.dumps({"text": "a", "published_at": "2026-11-30T08:00:00Z"})
        + "\n"
        + json.dumps({"text": "b", "published_at": "Mon, 30 Nov 2026 09:30:00 +0000"})
        + "\n"
        + json.dumps({"text": "c", "published_at": "soon"})
        + "\n"
    )
    with caplog.at_level("WARNING", logger="warehouse.sources"):
        raw, rejects = read_batch([SourceRef(str(jl), jl.stat().st_size, "jsonl")], max_bytes=1000)
    assert rejects == []
    assert raw.get_column("published_at").dt.strftime("%H:%M").to_list() == ["08:00", "09:30", None]
    assert [r.getMessage() for r in caplog.records] == [
        "1 published_at value(s) are not dates and are stored as NULL, e.g. 'soon'"
    ]


def test_a_csv_file_holds_one_document_per_row(tmp_path):
    feed = tmp_path / "export.csv"
    feed.write_text(
        "\ufefftitle,text,published_at\n"
        'One,"Xiaomi said revenue rose.\nA second line, quoted.",2026-11-30\n'
        "Two,,2026-11-29\n"
        f"Three,{'x' * 50},\n"
        "Four,Short text.,Mon 30 Nov 2026\n",
        encoding="utf-8",
    )
    headless = tmp_path / "no_text.csv"
    headless.write_text("title,body\nA,B\n", encoding="utf-8")
    refs = [SourceRef(str(p), p.stat().st_size, "csv") for p in (feed, headless)]
    raw, rejects = read_batch(refs, max_bytes=49)
    assert [(os.path.basename(r["source"]), r["reason"], r["detail"]) for r in rejects] == [
        ("export.csv#1", "bad_record", "row 1 has an empty `text`"),
        ("export.csv#2", "too_large", "row 2 has 50 characters, over the limit"),
        ("no_text.csv", "bad_record", "CSV header has no `text` column"),
    ]
    rows = raw.select(pl.col("source").str.split("/").list.last(), "content", "format", "title").rows()
    assert rows == [
        ("export.csv#0", b"Xiaomi said revenue rose.\nA second line, quoted.", "csv", "One"),
        ("export.csv#3", b"Short text.", "csv", "Four"),
    ]
    assert raw.get_column("published_at").dt.strftime("%Y-%m-%d").to_list() == ["2026-11-30", "2026-11-30"]
    assert list_sources(str(tmp_path))[0][0].format == "csv"


def test_remote_modification_times_of_each_fsspec_flavour():
    from datetime import UTC, datetime

    from warehouse.sources import _modified_ns

    t = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    ns = int(t.timestamp() * 1e9)
    assert [
        _modified_ns(info)
        for info in (
            {"mtime": t.timestamp()},  # local, sftp
            {"LastModified": t},  # s3
            {"updated": "2026-11-30T08:00:00.000Z"},  # gcs
            {"last_modified": datetime(2026, 11, 30, 8, 0)},  # azure, naive = UTC
            {"created": t},  # memory
            {"Last-Modified": "Mon, 30 Nov 2026 08:00:00 GMT"},  # http(s)
            {"ETag": "abc"},  # nothing to go by: never indexed, read every run
            {"updated": "yesterday"},
        )
    ] == [ns, ns, ns, ns, ns, ns, None, None]


def test_files_served_over_http_are_listed_and_read_like_local_ones(tmp_path):
    """The standard library's HTTP server on loopback: its directory page links the files (and a
    sub-folder, not a document); a JSONL feed is read line by line, a Parquet file by seeking."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "inner.txt").write_text("not listed")
    (tmp_path / "a.txt").write_text("Xiaomi said revenue rose 10%.")
    long_line = json.dumps({"text": "x" * 300})
    (tmp_path / "feed.jsonl").write_text(
        f'{{"text": "MiMo has 7 billion parameters."}}\n{long_line}\nnot json\n'
    )
    pl.DataFrame({"text": ["MiLM has 6.4 billion parameters."]}).write_parquet(tmp_path / "t.parquet")
    with served_over_http(tmp_path) as url:
        refs, rejects = list_sources(url)
        raw, quarantined = read_batch(refs, max_bytes=200)
    assert ([r.path for r in refs], rejects) == ([url + "a.txt", url + "feed.jsonl", url + "t.parquet"], [])
    # each file's Last-Modified: its mtime, to the second
    files = [tmp_path / n for n in ("a.txt", "feed.jsonl", "t.parquet")]
    assert [r.mtime_ns for r in refs] == [int(f.stat().st_mtime) * 10**9 for f in files]
    assert raw.select("source", "content").rows() == [
        (url + "a.txt", b"Xiaomi said revenue rose 10%."),
        (url + "feed.jsonl:1", b"MiMo has 7 billion parameters."),
        (url + "t.parquet#0", b"MiLM has 6.4 billion parameters."),
    ]
    assert [(q["source"], q["reason"]) for q in quarantined] == [
        (url + "feed.jsonl:2", "too_large"),
        (url + "feed.jsonl:3", "bad_record"),
    ]


def test_an_unreachable_remote_source_is_a_source_error():
    with pytest.raises(SourceError, match=r"^cannot read source 'http://127\.0\.0\.1:9/': Cannot connect"):
        list_sources("http://127.0.0.1:9/")
