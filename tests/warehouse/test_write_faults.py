"""The atomic writers under a full disk: the write fails loudly, the old file stays whole, no tmp leaks.

A full disk is simulated with RLIMIT_FSIZE in a child process (writes past the limit fail with EFBIG,
the same OSError path as ENOSPC); root ignores permission bits but not resource limits.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

CHILD = """
import errno, resource, signal, sys
from pathlib import Path
import polars as pl
from warehouse.files import write_table, write_text_atomic
from warehouse.schemas import ENTITIES

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))
kind, target = sys.argv[1], Path(sys.argv[2])
n = 5000
try:
    if kind == "parquet":
        df = pl.DataFrame({
            "entity_id": [f"ORG:{i:x}{i * 7919:x}" for i in range(n)],
            "name": [f"Company {i * 104729:x}" for i in range(n)],
            "type": ["ORG"] * n, "method": ["pattern"] * n, "gazetteer_version": ["1"] * n,
        })
        write_table(df, ENTITIES, target)
    else:
        write_text_atomic("".join(f'{{"n": {i}, "pad": "{i * 7919:x}"}}\\n' for i in range(n)), target)
except OSError as exc:
    print("OSError", errno.errorcode.get(exc.errno, exc.errno))
else:
    print("written")
"""


@pytest.mark.parametrize(("kind", "name"), [("parquet", "entities.parquet"), ("text", "gx.clean.json")])
def test_failed_atomic_write_keeps_the_old_file_and_leaves_no_tmp(tmp_path, kind, name):
    target = tmp_path / name
    target.write_bytes(b"the previous, complete version")
    out = subprocess.run(
        [sys.executable, "-c", CHILD, kind, str(target)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.stdout.strip() == "OSError EFBIG", out.stderr[-2000:]
    assert target.read_bytes() == b"the previous, complete version"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
