"""The reader against hostile inputs: every odd file is refused with a reason, nothing blocks or crashes.

Tests run as root, so `chmod 000` cannot make a file unreadable; the unreadable files here are ones the
kernel itself refuses (symlink loops, dangling links, FIFOs, directories, swaps after listing).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile.make_corpus import BIG_BYTES, sparse
from warehouse.sources import list_sources, read_batch

REPO = Path(__file__).resolve().parents[2]
MB = 1_000_000


def _reasons(rejects: list[dict]) -> dict[str, str]:
    return {os.path.basename(r["source"]): r["reason"] for r in rejects}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    (d / "ok.txt").write_text("Xiaomi released MiMo.")
    return d


def test_fifo_is_refused_from_its_mode_without_opening_it(root):
    # Opening a FIFO with no writer blocks forever; the lister must refuse it from stat alone.
    os.mkfifo(root / "pipe.txt")
    refs, rejects = list_sources(str(root))
    assert [os.path.basename(r.path) for r in refs] == ["ok.txt"]
    assert _reasons(rejects) == {"pipe.txt": "not_a_file"}
    assert "FIFO" in rejects[0]["detail"]


def test_fifo_swapped_in_after_listing_is_refused_without_blocking(root):
    refs, _ = list_sources(str(root))
    (root / "ok.txt").unlink()
    os.mkfifo(root / "ok.txt")
    # In a child with a timeout: a reader that blocks on the FIFO would hang the test run itself.
    code = (
        "import sys; from warehouse.sources import list_sources, read_batch, SourceRef\n"
        f"ref = SourceRef({refs[0].path!r}, {refs[0].size}, 'txt', {refs[0].root!r})\n"
        "raw, rej = read_batch([ref], 1000)\n"
        "print(raw.height, [r['reason'] for r in rej])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "0 ['not_a_file']"


def test_socket_and_directory_named_like_a_document_are_not_files(root):
    (root / "folder.txt").mkdir()
    (root / "notes").mkdir()  # a plain sub-folder stays out of the source silently
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(root / "sock.txt"))
    try:
        refs, rejects = list_sources(str(root))
    finally:
        sock.close()
    assert [os.path.basename(r.path) for r in refs] == ["ok.txt"]
    assert _reasons(rejects) == {"folder.txt": "not_a_file", "sock.txt": "not_a_file"}


def test_symlink_loop_and_dangling_link_are_unreadable_not_a_crash(root):
    # Python 3.11's Path.resolve raises RuntimeError on a loop: unguarded, it ends the whole run.
    (root / "loop.txt").symlink_to("loop.txt")
    (root / "dangling.txt").symlink_to(root / "missing.txt")
    refs, rejects = list_sources(str(root))
    assert [os.path.basename(r.path) for r in refs] == ["ok.txt"]
    assert _reasons(rejects) == {"dangling.txt": "unreadable", "loop.txt": "unreadable"}


def test_glob_source_refuses_special_files_too(root):
    os.mkfifo(root / "pipe.txt")
    (root / "loop.txt").symlink_to("loop.txt")
    refs, rejects = list_sources(str(root / "*.txt"))
    assert [os.path.basename(r.path) for r in refs] == ["ok.txt"]
    assert _reasons(rejects) == {"loop.txt": "unreadable", "pipe.txt": "not_a_file"}


def test_file_deleted_between_listing_and_reading_is_vanished(root):
    refs, _ = list_sources(str(root))
    (root / "ok.txt").unlink()
    raw, rejects = read_batch(refs, MB)
    assert raw.height == 0
    assert _reasons(rejects) == {"ok.txt": "vanished"}


@pytest.mark.parametrize(
    ("swap", "reason"),
    [
        ("loop", "unreadable"),  # open() raises ELOOP
        ("directory", "not_a_file"),  # open() succeeds on a directory; fstat refuses it
        ("outside", "outside_root"),  # now a symlink out of the root: refused before opening
    ],
)
def test_file_swapped_between_listing_and_reading(root, tmp_path, swap, reason):
    refs, _ = list_sources(str(root))
    (root / "ok.txt").unlink()
    if swap == "loop":
        (root / "ok.txt").symlink_to("ok.txt")
    elif swap == "directory":
        (root / "ok.txt").mkdir()
    else:
        secret = tmp_path / "secret.txt"
        secret.write_text("not yours")
        (root / "ok.txt").symlink_to(secret)
    raw, rejects = read_batch(refs, MB)
    assert raw.height == 0
    assert _reasons(rejects) == {"ok.txt": reason}


def test_file_grown_past_the_cap_after_listing_is_refused_from_its_size(root):
    refs, _ = list_sources(str(root))
    sparse(root / "ok.txt", 50 * MB)
    raw, rejects = read_batch(refs, MB)
    assert raw.height == 0 and _reasons(rejects) == {"ok.txt": "too_large"}


def test_jsonl_line_over_the_cap_is_refused_and_the_next_line_still_read(root):
    jl = root / "d.jsonl"
    jl.write_bytes(b'{"text": "' + b"x" * (3 * MB) + b'"}\n{"text": "second"}\n')
    refs, _ = list_sources(str(jl))
    raw, rejects = read_batch(refs, MB)
    assert _reasons(rejects) == {"d.jsonl:1": "too_large"}
    assert raw.get_column("content").to_list() == [b"second"]


def test_oversized_documents_are_refused_with_bounded_memory(tmp_path):
    """Peak RSS of a reader given two 200 MB files (a .txt and a one-line .jsonl) stays far below 200 MB."""
    sparse(tmp_path / "huge.txt")
    sparse(tmp_path / "huge.jsonl")
    code = (
        "import resource, sys\n"
        "from warehouse.sources import list_sources, read_batch\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "refs, _ = list_sources(sys.argv[1])\n"
        "raw, rej = read_batch(refs, 1_000_000)\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(raw.height, sorted(r['reason'] for r in rej), (after - before) // 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    grown_mb = int(out.stdout.split()[-1])
    assert out.stdout.startswith("0 ['too_large', 'too_large']"), out.stdout
    assert grown_mb < BIG_BYTES // (1024 * 1024) // 10, f"reader grew by {grown_mb} MB for a 200 MB file"
