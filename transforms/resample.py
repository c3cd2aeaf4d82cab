"""A benchmark corpus made of real text: documents resampled from the paragraphs of real articles.

Synthetic news (transforms/synth.py) is regular; real pages are not (long and short paragraphs, chrome
lines, quotes, lists, other scripts), and on it the pipeline runs ~2.4x slower. This builds documents of
any total size from a small set of real articles, deterministically by seed:

- paragraphs (blank-line separated blocks) of every source are pooled and shuffled across articles;
- figures are perturbed (each digit run keeps its length and grouping, its digits are redrawn), so a
  paragraph reused many times does not become a near-duplicate of itself;
- chrome lines (short lines without sentence punctuation: menus, bylines, "Read more" lines, counters)
  are kept and placed where pages carry them, at the top and bottom of a document;
- document sizes follow a log-normal spread around a median of ~4 KB (a typical news article; 5th-95th
  percentile ~1-16 KB), capped at 64 KB.

Pure: texts in, texts out (the caller reads the source files and writes the corpus).
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterator

MEDIAN_BYTES = 4000
SIGMA = 0.85  # log-normal spread: exp(±1.645·0.85) ≈ ×4 → 5th-95th percentile ≈ 1-16 KB
MAX_BYTES = 64_000
CHROME_MAX_CHARS = 80  # a chrome line is short and does not end like a sentence
_SENTENCE_END = (".", "!", "?", "。", "！", "？", "”", '"', ":", "；", ";")
_DIGITS = re.compile(r"\d+")


def split_pool(texts: list[str]) -> tuple[list[str], list[str]]:
    """(body paragraphs, chrome lines) of `texts`: blocks split on blank lines; a one-line block that is
    short and does not end like a sentence is chrome."""
    body: list[str] = []
    chrome: list[str] = []
    for text in texts:
        for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
            block = block.strip()
            if not block:
                continue
            if "\n" not in block and len(block) <= CHROME_MAX_CHARS and not block.endswith(_SENTENCE_END):
                chrome.append(block)
            else:
                body.append(block)
    return body, chrome


def perturb_figures(text: str, rng: random.Random) -> str:
    """Redraw the digits of every digit run (same length; a leading digit stays non-zero)."""

    def redraw(m: re.Match[str]) -> str:
        s = m.group(0)
        first = str(rng.randint(1, 9)) if s[0] != "0" else "0"
        return first + "".join(str(rng.randint(0, 9)) for _ in s[1:])

    return _DIGITS.sub(redraw, text)


def iter_resampled(texts: list[str], seed: int = 7) -> Iterator[dict[str, str]]:
    """Endless documents {name, text} resampled from `texts` (see the module docstring).

    Raises ValueError when `texts` hold no body paragraph."""
    body, chrome = split_pool(texts)
    if not body:
        raise ValueError("the source texts hold no paragraph of prose to resample")
    rng = random.Random(seed)
    order: list[int] = []
    i = 0
    while True:
        target = min(MAX_BYTES, int(MEDIAN_BYTES * math.exp(rng.gauss(0.0, SIGMA))))
        head = [rng.choice(chrome) for _ in range(rng.randint(0, 3))] if chrome else []
        tail = [rng.choice(chrome) for _ in range(rng.randint(0, 4))] if chrome else []
        paras: list[str] = []
        size = sum(len(x.encode("utf-8")) for x in head + tail)
        while size < target:
            if not order:  # a fresh shuffle of the whole pool: paragraphs cross articles
                order = list(range(len(body)))
                rng.shuffle(order)
            p = perturb_figures(body[order.pop()], rng)
            paras.append(p)
            size += len(p.encode("utf-8")) + 2
        yield {"name": f"real-{seed}-{i:07d}", "text": "\n\n".join(head + paras + tail) + "\n"}
        i += 1
