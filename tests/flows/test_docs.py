"""`quarry docs`: the warehouse's Data Docs served on 127.0.0.1, complete without a network."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

from flows.pipeline import RunParameters, quarry_pipeline
from warehouse.catalog import Warehouse

REPO = Path(__file__).resolve().parents[2]
SEEDS = sorted((REPO / "seeds").glob("*.txt"))


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as r:  # noqa: S310 - a loopback http URL
        return r.status, r.read().decode("utf-8")


def test_quarry_docs_serves_the_site_offline_over_http(prefect_server, tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    for seed in SEEDS[:2]:
        (corpus / seed.name).write_bytes(seed.read_bytes())
    wh = tmp_path / "d.duckdb"
    quarry_pipeline(RunParameters(source=str(corpus), warehouse=str(wh)))
    site = Warehouse.at(wh).docs_dir
    pages = sorted(p.relative_to(site).as_posix() for p in (site / "validations").rglob("*.html"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "docs", "--warehouse", str(wh), "--port", "0"],
        cwd=REPO,
        env=os.environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        found = re.fullmatch(
            rf"Data Docs of {re.escape(str(site.parent))}: "
            r"(http://127\.0\.0\.1:\d+)/index\.html \(Ctrl-C stops\)\n",
            line,
        )
        assert found, (line, proc.stderr.read() if proc.poll() is not None and proc.stderr else "")
        base = found.group(1)
        status, index = _get(f"{base}/index.html")
        assert status == 200
        # Nothing the browser would fetch from the network: no remote stylesheet, script or image.
        assert re.findall(r'(?:src|<link[^>]*href)="https?://', index) == []
        assert re.findall(r"url\(['\"]?https?://", index) == []  # nor a stylesheet's background
        assert "<script" not in index
        # The validation list GX fills with JavaScript is a static table: one linked row per page.
        rows = re.findall(r'<tr><td><a href="(validations/[^"]+)">', index)
        assert sorted(rows) == pages and len(pages) == 8  # one batch: 8 non-empty tables validated
        assert "Success" in index
        status, page = _get(f"{base}/{rows[0]}")
        assert status == 200 and re.findall(r'(?:src|<link[^>]*href)="https?://', page) == []
    finally:
        proc.terminate()
        proc.wait(20)


def test_quarry_docs_without_a_site_is_one_line(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "flows.cli", "docs", "--warehouse", str(tmp_path / "none.duckdb")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (out.returncode, out.stdout) == (2, "")
    assert out.stderr == (
        f"quarry: error: no Data Docs at {tmp_path / 'none' / 'data_docs'}: "
        "a `quarry run` on this warehouse builds them\n"
    )
