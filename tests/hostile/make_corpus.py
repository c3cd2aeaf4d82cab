"""A hostile corpus: every kind of input a news feed should never send, built fresh in a directory.

`make_hostile(root, outside)` writes the files and returns the exact quarantine reason expected for
each bad one (file name → reason); `DECODED` names the files that look odd but must become documents.
Nothing big is committed: the oversized files are sparse (they take no disk blocks) and built here.
"""

from __future__ import annotations

import os
from pathlib import Path

BIG_BYTES = 200 * 1024 * 1024

# Text that a legacy code page must carry through intact (not quarantined, not mojibake).
CP1252_TEXT = (
    "Xiaomi’s MiMo model – the “reasoning” release – cost €5 million to train, "
    "Lei Jun told reporters in Beijing. The café-side briefing was naïve about rivals. "
)
GBK_TEXT = (
    "小米公司发布了新的人工智能大模型，参数规模达到七十亿。雷军在北京表示，该模型在多个基准测试中表现优异。"
)
# (figures and names in one unpunctuated line: the metric stage paired every figure of a sentence with
# every name in it, and this line was one sentence; see transforms.text.MAX_SENTENCE_CHARS)
LONG_LINE_WORDS = "Xiaomi shipped the MiMo model as sales rose 12% to $3 billion without a line break "

# file name → the quarantine reason it must get.
EXPECTED: dict[str, str] = {
    "empty.txt": "empty",
    "blank.txt": "empty",
    "report.pdf": "binary",
    "image.png": "binary",
    "nul_bytes.txt": "binary",
    "control_chars.txt": "binary",
    "invalid_utf8.txt": "undecodable",
    "script_only.html": "no_main_text",
    "huge.txt": "too_large",
    "huge.jsonl:1": "too_large",
    "escape.txt": "outside_root",
    "folder.txt": "not_a_file",
    "pipe.txt": "not_a_file",
    "loop.txt": "unreadable",
    "dangling.txt": "unreadable",
}
# Files that must be decoded into documents, not quarantined.
DECODED = ("cp1252.txt", "gbk.txt", "long_line.txt", "article.html")


def sparse(path: Path, size: int = BIG_BYTES) -> Path:
    """A file of `size` bytes that occupies no disk blocks (reads as NUL bytes)."""
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def make_hostile(root: Path, outside: Path) -> dict[str, str]:
    """Write the hostile files into `root` (and one target into `outside`); return EXPECTED."""
    root.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {
        "empty.txt": b"",
        "blank.txt": b" \n\t\r\n   \n",
        "report.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        "image.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00\x00\x00\x01" * 2,
        "nul_bytes.txt": b"Xiaomi released MiMo\x00\x00\x00 on Tuesday\x00.",
        "control_chars.txt": ("Xiaomi released MiMo.\x01\x02\x03\x1b[31m\x7f" * 40).encode(),
        "invalid_utf8.txt": bytes(range(0x80, 0x100)) * 4,
        "script_only.html": (
            b"<!DOCTYPE html><html><head><title>App</title><script>window.boot=1;</script>"
            b"<style>body{margin:0}</style></head><body><div id='app'></div></body></html>"
        ),
        "cp1252.txt": (CP1252_TEXT * 3).encode("cp1252"),
        "gbk.txt": (GBK_TEXT * 4).encode("gbk"),
        "long_line.txt": (LONG_LINE_WORDS * 1500).encode(),  # ~120 KB, no newline
        "article.html": (
            "<!doctype html><html><head><meta charset='utf-8'><title>MiMo ships</title></head><body>"
            "<nav><a href='/'>Home</a></nav><article><h1>Xiaomi ships MiMo</h1>"
            + "".join(
                f"<p>Paragraph {i}: Xiaomi said its MiMo model, trained on 25 trillion tokens, now serves "
                f"developers across China and beyond, according to the company's statement.</p>"
                for i in range(6)
            )
            + "</article><footer>© News</footer></body></html>"
        ).encode(),
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    sparse(root / "huge.txt")
    sparse(root / "huge.jsonl")  # one 200 MB "line" of NUL bytes: refused without holding it
    secret = outside / "secret.txt"
    secret.write_text("a file outside the source root that must not be read\n")
    (root / "escape.txt").symlink_to(secret)
    (root / "folder.txt").mkdir()
    os.mkfifo(root / "pipe.txt")
    (root / "loop.txt").symlink_to("loop.txt")
    (root / "dangling.txt").symlink_to(root / "no-such-file.txt")
    return dict(EXPECTED)
