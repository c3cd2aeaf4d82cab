"""Text helpers shared by the stage transforms: offsets and segmentation, as polars expressions."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl
import pyarrow as pa
from numba import njit

from warehouse.schemas import Table

# Abbreviations after which a period does not end a sentence (checked on the last token of a chunk).
ABBREVIATIONS = (
    "mr mrs ms dr prof sr jr st inc corp co ltd llc plc gmbh vs etc e.g i.e u.s u.k u.n e.u "
    "jan feb mar apr jun jul aug sep sept oct nov dec no fig approx est dept gov rep sen "
    # (the same in the languages of continental European news: "z.B.", "bzw.", "ca.", "p.ex.", "env.")
    "z.b bzw ca d.h u.a vgl inkl zzgl ggf bspw evtl sog nr p.ex env cf núm aprox p.ej ecc"
).split()
# Abbreviations that may end a sentence, and do not when the next word is lower case, a number or a
# currency: the scale words of continental figures ("1,5 Mrd. Euro", "41.200 Mio. EUR", "Mio. €") and
# of thousands.
SCALE_ABBREVIATIONS = "mio mrd mld md mds mln tsd bio mill".split()

# One sentence chunk: any run of non-terminators, where a terminator followed by a non-space (3.5, e.g,
# U.S.A) does not end the sentence; then terminators, closing quotes/brackets, and trailing whitespace.
# Consecutive matches cover the whole text, so a cumulative sum of lengths gives offsets.
_TERM = r".!?。！？"
_CHUNK = (
    rf"(?:[^{_TERM}\n]|[{_TERM}]+[^\s{_TERM}])*"
    rf"[{_TERM}]*[\"'”’)\]]*[ \t\r\f\v\u00a0]*\n*[ \t\r\f\v\u00a0\n]*"
)
_ABBREV_TAIL = r"(?i)(?:^|[\s(\"'“])(?:" + "|".join(a.replace(".", r"\.") for a in ABBREVIATIONS) + r")\.\s*$"
_INITIAL_TAIL = r"(?:^|\s)[A-Z]\.\s*$"  # "John F. Kennedy", "U. S."
_SCALE_TAIL = r"(?i)(?:^|[\s0-9])(?:" + "|".join(SCALE_ABBREVIATIONS) + r")\.\s*$"
# A chunk that continues the sentence of a scale abbreviation: lower case, a digit or a currency.
_CONTINUED = (
    r"^(?:[a-zà-ÿ0-9]|[$€£¥₩₹]"
    r"|(?:EUR|USD|CHF|GBP|JPY|CNY|Euro|Dollar|US-Dollar|US\$|Franken|Pfund|Yen|Yuan)(?:[^A-Za-z]|$))"
)


# `_CHUNK`'s character classes as bit flags per code point, for the compiled chunker (`_chunk_ends`):
# a terminator; whitespace (`\s`: Unicode White_Space, what the regex engine's \s and Rust's
# char::is_whitespace match); a closing quote or bracket; a horizontal space of the tail; the newline.
_IS_TERM, _IS_SPACE, _IS_CLOSING, _IS_TAIL_SPACE, _IS_NEWLINE = 1, 2, 4, 8, 16
_CHUNK_CLASSES = np.zeros(0x10000, dtype=np.uint8)  # (none past U+FFFF)
for _flag, _chars in (
    (_IS_TERM, _TERM),
    (_IS_SPACE, "".join(map(chr, [*range(0x09, 0x0E), 0x20, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B)]))),
    (_IS_SPACE, "\u2028\u2029\u202f\u205f\u3000"),
    (_IS_CLOSING, "\"'”’)]"),
    (_IS_TAIL_SPACE, " \t\r\f\v\u00a0"),
    (_IS_NEWLINE, "\n"),
):
    _CHUNK_CLASSES[[ord(c) for c in _chars]] |= _flag


@njit(cache=True, nogil=True)
def _class_at(data: np.ndarray, i: int, classes: np.ndarray) -> tuple[int, int]:
    """(class flags, byte length) of the UTF-8 character starting at data[i] (valid UTF-8)."""
    c = np.int64(data[i])
    if c < 0x80:
        return classes[c], 1
    if c < 0xE0:
        return classes[((c & 0x1F) << 6) | (np.int64(data[i + 1]) & 0x3F)], 2
    if c < 0xF0:
        return classes[
            ((c & 0x0F) << 12) | ((np.int64(data[i + 1]) & 0x3F) << 6) | (np.int64(data[i + 2]) & 0x3F)
        ], 3
    return 0, 4  # (no class holds a character past U+FFFF)


@njit(cache=True, nogil=True)
def _chunk_ends(data: np.ndarray, offsets: np.ndarray, classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The `_CHUNK` matches of each text data[offsets[d] : offsets[d + 1]] (UTF-8), as `str.extract_all`
    finds them: (per chunk its text's row, its end byte offset in `data`), in text order. Chunks cover
    each text end to end, so a chunk starts where the one before it in its text ends.

    The regex is deterministic (its alternatives start on disjoint characters, each greedy repeat is
    followed by parts that also match nothing), so one left-to-right scan finds what the regex engine
    does: while the character is no terminator and no newline, or is a run of terminators followed by a
    character that is neither whitespace nor a terminator (taken with the run), go on; then take any
    terminators, closing quotes, horizontal spaces, newlines, and spaces or newlines, in that order.
    `classes`: _CHUNK_CLASSES."""
    term, space, close, tail, newline = _IS_TERM, _IS_SPACE, _IS_CLOSING, _IS_TAIL_SPACE, _IS_NEWLINE
    n = 0
    for d in range(len(offsets) - 1):  # (at most one chunk per byte: each holds one)
        n += offsets[d + 1] - offsets[d]
    rows = np.empty(n, dtype=np.int64)
    ends = np.empty(n, dtype=np.int64)
    k = 0
    for d in range(len(offsets) - 1):
        i, end = offsets[d], offsets[d + 1]
        while i < end:
            while i < end:  # (?:[^TERM\n]|[TERM]+[^\sTERM])*
                f, w = _class_at(data, i, classes)
                if f & newline:
                    break
                if not f & term:
                    i += w
                    continue
                j = i + w
                while j < end:
                    f, w = _class_at(data, j, classes)
                    if not f & term:
                        break
                    j += w
                if j < end and not f & space:
                    i = j + w
                    continue
                break
            for flag in (term, close, tail, newline, tail | newline):  # the tail, each part greedy
                while i < end:
                    f, w = _class_at(data, i, classes)
                    if not f & flag:
                        break
                    i += w
            rows[k], ends[k] = d, i
            k += 1
    return rows[:k], ends[:k]


def _chunks(texts: pl.Series) -> tuple[np.ndarray, pl.Series]:
    """`texts.str.extract_all(_CHUNK)` exploded, without empty chunks or null texts: (per chunk its
    text's row, int64; the chunks). On a 21.7 MB batch of news text the regex took 0.14 s, most of
    the sentence split (0.22 s); this 0.05 s (one core, CPU seconds)."""
    data, rows, starts, ends = _chunk_bounds(texts)
    return rows, spelled(data, starts, ends - starts).alias("chunk")


def _chunk_bounds(texts: pl.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The chunks of `_chunks` as byte ranges: (the texts' UTF-8 buffer; per chunk its text's row, its
    start and end in the buffer; int64)."""
    data, offsets = utf8_buffer(texts)
    rows, ends = _chunk_ends(data, offsets, _CHUNK_CLASSES)
    starts = np.empty_like(ends)
    if len(ends):
        starts[0] = offsets[rows[0]]
        starts[1:] = np.where(rows[1:] != rows[:-1], offsets[rows[1:]], ends[:-1])
    return data, rows, starts, ends


@njit(cache=True, nogil=True)
def _chunk_parts(
    data: np.ndarray, starts: np.ndarray, ends: np.ndarray, classes: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per chunk data[starts[i] : ends[i]] (UTF-8, a `_chunk_ends` chunk): (its characters; its
    characters without trailing whitespace, as `str.strip_chars_end().str.len_chars()` counts them;
    whether it holds a newline; the byte offset of its tail: the whitespace character before its last
    word, or its start when none). Whitespace is Unicode White_Space (`classes`: _CHUNK_CLASSES), Rust's
    char::is_whitespace. A chunk's newlines are in its trailing whitespace (no other part of _CHUNK takes
    one), so only its end is read character by character, backwards; its characters are counted as the
    bytes that start one (one vectorised loop)."""
    n = len(starts)
    chars, core = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    newline, tail = np.zeros(n, dtype=np.bool_), np.empty(n, dtype=np.int64)
    for k in range(n):
        start, end = starts[k], ends[k]
        count = 0
        for i in range(start, end):
            count += (data[i] & 0xC0) != 0x80
        chars[k] = count
        j, spaces = end, 0
        while j > start:  # the trailing whitespace
            i = j - 1
            while (data[i] & 0xC0) == 0x80:
                i -= 1
            f, _ = _class_at(data, i, classes)
            if not f & _IS_SPACE:
                break
            if f & _IS_NEWLINE:
                newline[k] = True
            spaces += 1
            j = i
        core[k] = count - spaces
        tail[k] = start
        while j > start:  # the last word, back to the whitespace before it
            i = j - 1
            while (data[i] & 0xC0) == 0x80:
                i -= 1
            f, _ = _class_at(data, i, classes)
            if f & _IS_SPACE:
                tail[k] = i
                break
            j = i
    return chars, core, newline, tail


@njit(cache=True, nogil=True)
def gather_bytes(data: np.ndarray, starts: np.ndarray, lens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The byte slices data[starts[i] : starts[i] + lens[i]] concatenated, and their Arrow offsets."""
    offsets = np.zeros(len(starts) + 1, dtype=np.int64)
    for i in range(len(starts)):
        offsets[i + 1] = offsets[i] + lens[i]
    out = np.empty(offsets[-1], dtype=np.uint8)
    for i in range(len(starts)):
        out[offsets[i] : offsets[i + 1]] = data[starts[i] : starts[i] + lens[i]]
    return out, offsets


def utf8_buffer(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """The UTF-8 bytes of `texts` (null as ""): (one uint8 buffer, the int64 Arrow offsets of each text
    in it, len(texts) + 1), without copying the text."""
    arr = texts.fill_null("").to_arrow().cast(pa.large_string())
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8) if len(arr) else np.zeros(0, np.uint8)
    return data, offsets


def spelled(data: np.ndarray, starts: np.ndarray, lens: np.ndarray) -> pl.Series:
    """The UTF-8 byte slices data[starts[i] : starts[i] + lens[i]] as a String Series (each slice must
    start and end on a character boundary)."""
    buf, offsets = gather_bytes(data, starts, lens)
    arr = pa.LargeStringArray.from_buffers(len(starts), pa.py_buffer(offsets), pa.py_buffer(buf))
    return pl.Series(arr, dtype=pl.String)


def frame_schema(table: Table, drop: tuple[str, ...] = ("run_id",)) -> dict[str, pl.DataType]:
    """The polars dtypes of a warehouse table's declared columns (minus the ones a flow adds)."""
    schema = pl.from_arrow(table.schema.empty_table()).schema  # type: ignore[union-attr]
    return {name: dtype for name, dtype in schema.items() if name not in drop}


def byte_to_char(text: pl.Expr, byte_offset: pl.Expr) -> pl.Expr:
    """Convert a UTF-8 byte offset (what polars string search returns) into a character offset."""
    return text.cast(pl.Binary).bin.head(byte_offset).cast(pl.String).str.len_chars().cast(pl.Int64)


# Arrow string views (polars' own string layout): 16 bytes each; up to 12 bytes are stored inline,
# longer strings keep a 4-byte prefix and point into a data buffer by (buffer index, int32 offset).
_VIEW_INLINE = 12
_VIEW_BUFFER_BYTES = 1 << 30  # documents are grouped into data buffers well under int32 offsets


def slice_spans(docs: pl.DataFrame, spans: pl.DataFrame, text_col: str = "text") -> pl.Series:
    """`text[start:end]` of each span row, in linear time and without copying the text.

    docs: doc_id, `text_col` (one row per document). spans: doc_id, start, end (character offsets, end
    exclusive). Returns a String Series aligned with `spans`: null where the document is missing or the
    span does not lie inside it. Polars' `str.slice` walks UTF-8 from the start of the string, so slicing a
    long document once per mention cost O(length x mentions) (a 8 MB document: 59 s in the mentions gate).
    Here the batch's text is one UTF-8 buffer; character offsets become byte offsets by counting the UTF-8
    continuation bytes before them (a binary search over their positions), and each span becomes an Arrow
    string view into that buffer (https://arrow.apache.org/docs/format/Columnar.html#variable-size-binary-view-layout).
    """
    if spans.height == 0:
        return pl.Series("slice", [], dtype=pl.String)
    d = docs.select("doc_id", pl.col(text_col).fill_null("").alias("_t")).unique(
        "doc_id", keep="first", maintain_order=True
    )
    arr = d.get_column("_t").cast(pl.Binary).to_arrow(compat_level=pl.CompatLevel.oldest())
    _, offsets_buf, data_buf = arr.buffers()
    data_buf = data_buf if data_buf is not None else pa.py_buffer(b"")
    doc_bytes = np.frombuffer(offsets_buf, dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    b0 = int(doc_bytes[0])  # the data buffer's first document byte (0 unless arrow shares a buffer)
    data = (
        np.frombuffer(data_buf, dtype=np.uint8)[b0 : doc_bytes[-1]]
        if doc_bytes[-1] > b0
        else np.zeros(0, np.uint8)
    )
    # (continuation bytes 0x80-0xBF are exactly the int8 values below -64: one comparison)
    cont = np.flatnonzero(data.view(np.int8) < -64)
    cont_key = cont - np.arange(len(cont))  # code points before each continuation byte's, plus one
    n = d.get_column("_t").str.len_chars().cast(pl.Int64)
    d = d.select(
        "doc_id",
        n.alias("_n"),
        (n.cum_sum() - n).alias("_base"),
        pl.Series(doc_bytes[:-1]).alias("_bbase"),
    )
    rows = spans.select("doc_id", "start", "end").join(d, on="doc_id", how="left", maintain_order="left")
    valid = (
        rows.select(
            (
                pl.col("_n").is_not_null()
                & (pl.col("start") >= 0)
                & (pl.col("end") >= pl.col("start"))
                & (pl.col("end") <= pl.col("_n"))
            ).fill_null(False)
        )
        .to_series()
        .to_numpy()
    )
    base = rows.get_column("_base").fill_null(0).to_numpy()
    cstart = np.where(valid, base + rows.get_column("start").fill_null(0).to_numpy(), 0)
    cend = np.where(valid, base + rows.get_column("end").fill_null(0).to_numpy(), 0)
    if len(cont):
        # Searched in ascending order of start: numpy's binary search narrows each search with the
        # previous answer when the needles ascend (3x faster than spans in hash order from a unique()).
        order = np.argsort(cstart, kind="stable")
        before_start, before_end = np.empty_like(cstart), np.empty_like(cend)
        before_start[order] = np.searchsorted(cont_key, cstart[order], side="right")
        before_end[order] = np.searchsorted(cont_key, cend[order], side="right")
        bstart = cstart + before_start
        blen = cend + before_end - bstart
    else:  # ASCII text: characters are bytes
        bstart, blen = cstart, cend - cstart
    # Data buffers: the whole buffer, or (for text past int32 offsets) runs of whole documents.
    bbase = rows.get_column("_bbase").fill_null(0).to_numpy()
    group = bbase // _VIEW_BUFFER_BYTES
    groups = np.unique(doc_bytes[:-1] // _VIEW_BUFFER_BYTES) if len(doc_bytes) > 1 else np.zeros(1, np.int64)
    first = np.searchsorted(doc_bytes[:-1] // _VIEW_BUFFER_BYTES, groups, side="left")
    last = np.searchsorted(doc_bytes[:-1] // _VIEW_BUFFER_BYTES, groups, side="right")
    buf_start, buf_end = doc_bytes[first], doc_bytes[last]
    buf_index = np.searchsorted(groups, group)
    views = np.zeros((len(blen), 16), dtype=np.uint8)
    words = views.view(np.int32).reshape(-1, 4)
    words[:, 0] = blen
    # The first 12 bytes of every span (zero past its end): a short span's bytes, a long one's prefix.
    # (windows over the text itself, no padded copy of it; the few spans starting within the last 12
    # bytes are gathered by clipped indices)
    last = len(data) - _VIEW_INLINE
    if last >= 0:
        windows = np.lib.stride_tricks.sliding_window_view(data, _VIEW_INLINE)
        views[:, 4:] = windows[np.minimum(bstart, last)]
    near_end = np.flatnonzero(bstart > last) if len(data) else np.zeros(0, np.int64)
    if len(near_end):
        views[near_end, 4:] = data[
            np.minimum(bstart[near_end, None] + np.arange(_VIEW_INLINE), len(data) - 1)
        ]
    views[:, 4:] *= np.arange(_VIEW_INLINE) < blen[:, None]
    short = blen <= _VIEW_INLINE
    words[:, 2] = np.where(short, words[:, 2], buf_index)
    words[:, 3] = np.where(short, words[:, 3], b0 + bstart - buf_start[buf_index])
    buffers = [data_buf.slice(int(a), int(b - a)) for a, b in zip(buf_start, buf_end, strict=True)]
    validity = None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))
    out = pa.Array.from_buffers(pa.string_view(), len(blen), [validity, pa.py_buffer(views), *buffers])
    return pl.Series("slice", out, dtype=pl.String)


def _in_doc_cum_sum(x: pl.Expr, first: pl.Expr) -> pl.Expr:
    """Cumulative sum of `x` restarting at each row where `first` (rows of a document contiguous)."""
    total = x.cum_sum()
    return total - pl.when(first).then(total - x).forward_fill()


def _starts(col: str) -> pl.Expr:
    """True on the first of each run of equal values of `col` (and on row 0)."""
    return (pl.col(col) != pl.col(col).shift(1)).fill_null(True)


# A chunk ending on an abbreviation ends with one of three tails: one alternation finds the few chunks
# that can (one walk of the text instead of three, and one more for the next chunk's start); the tails
# themselves are told apart on those. 186 k chunks of 21.7 MB of news: 0.028 -> 0.008 s.
_ANY_TAIL = f"(?:{_ABBREV_TAIL})|(?:{_INITIAL_TAIL})|(?:{_SCALE_TAIL})"


def _abbreviation_ends(chunk: pl.Series) -> pl.Series:
    """Per chunk (no nulls), whether it ends on an abbreviation that does not end its sentence: a title or
    initial (_ABBREV_TAIL, _INITIAL_TAIL), or a scale abbreviation (_SCALE_TAIL) the next chunk continues
    (_CONTINUED; the last chunk has none). Boolean."""
    return _abbreviations(chunk, chunk.gather)


def _abbreviations(tail: pl.Series, chunks_at: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """`_abbreviation_ends` of the chunks whose tails are `tail`: each chunk, or the part of it from the
    whitespace before its last word on (the tail regexes read no further back: an abbreviation holds no
    whitespace, and what stands before it is the text's start or one whitespace, quote or bracket);
    `chunks_at(idx)`: the whole chunks at the rows `idx` (UInt32 or Int64)."""
    n = tail.len()
    idx = tail.str.contains(_ANY_TAIL).arg_true()
    out = pl.repeat(False, n, dtype=pl.Boolean, eager=True).alias("abbrev")
    if idx.len() == 0:
        return out
    tail = tail.gather(idx)
    nxt = (idx.cast(pl.Int64) + 1).clip(upper_bound=n - 1)
    continued = chunks_at(nxt).str.contains(_CONTINUED) & (idx.cast(pl.Int64) + 1 < n)
    abbrev = tail.str.contains(f"(?:{_ABBREV_TAIL})|(?:{_INITIAL_TAIL})") | (
        tail.str.contains(_SCALE_TAIL) & continued
    )
    return out.scatter(idx, abbrev)


def sentence_spans(docs: pl.DataFrame, text_col: str = "text") -> pl.DataFrame:
    """Split each document into sentences: doc_id, sentence_id, paragraph_id, start, end (char offsets).

    Ends exclude trailing whitespace; empty chunks are dropped. Paragraphs break at newlines.

    The exploded chunks of a document are contiguous, so per-document sums and shifts are global ones
    restarted at the document's first row, and sentences and paragraphs are numbered batch-wide first
    (each document's first chunk starts both) and renumbered per document at the end: no window
    (`over`) or group_by per document (0.21 -> 0.15 s on 14.6 MB of news text). Chunks are not spelled
    out as strings: their lengths and newlines are read from the text's bytes (`_chunk_parts`), and the
    abbreviation rules read each chunk's tail only (0.135 -> 0.100 s on 21.7 MB, one core, CPU seconds).
    """
    data, rows, starts, ends = _chunk_bounds(docs.get_column(text_col))
    n, core, ends_par, tail = _chunk_parts(data, starts, ends, _CHUNK_CLASSES)
    chunks = (
        pl.DataFrame(
            {
                "_doc": pl.Series(rows, dtype=pl.UInt32),
                "doc_id": docs.get_column("doc_id").gather(rows),
                "n": n,
                "core": core,
                "ends_par": ends_par,
                "abbrev": _abbreviations(
                    spelled(data, tail, ends - tail),
                    lambda i: spelled(data, starts[i.to_numpy()], (ends - starts)[i.to_numpy()]),
                ),
            }
        )
        .lazy()
        .with_columns(_starts("_doc").alias("_first"))
        .with_columns((_in_doc_cum_sum(pl.col("n"), pl.col("_first")) - pl.col("n")).alias("start"))
        # A chunk starts a new sentence unless the previous chunk ended on an abbreviation (same line).
        .select(
            "_doc",
            "doc_id",
            "start",
            "core",
            (pl.col("_first") | ~(pl.col("abbrev") & ~pl.col("ends_par")).shift(1))
            .cum_sum()
            .alias("_sentence"),
            (pl.col("_first") | pl.col("ends_par").shift(1)).cum_sum().alias("_paragraph"),
        )
        .filter(pl.col("core") > 0)
        .collect()
    )
    # A sentence's chunks are contiguous: its first chunk gives the start, its last the end.
    heads = chunks.filter(_starts("_sentence"))
    ends = chunks.filter((pl.col("_sentence") != pl.col("_sentence").shift(-1)).fill_null(True))
    first = _starts("_doc")
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    spans = heads.with_columns((ends.get_column("start") + ends.get_column("core")).alias("end")).select(
        "_doc",
        "doc_id",
        (_in_doc_cum_sum(_starts("_paragraph").cast(pl.Int32), first) - 1)
        .cast(pl.Int32)
        .alias("paragraph_id"),
        "start",
        "end",
    )
    return _bounded(spans, docs.get_column(text_col)).select(
        "doc_id",
        (row - pl.when(first).then(row).forward_fill()).cast(pl.Int32).alias("sentence_id"),
        "paragraph_id",
        "start",
        "end",
    )


# The longest sentence the segmenter returns, in characters. Text with no sentence punctuation (a
# transcript, a scraped table, a bullet list flattened into one line) came out as one sentence of the
# whole paragraph, and the metric stage's subject rules pair every figure of a sentence with every name
# in it, each pair with the text between them: a 260 kB line of figures and names took 24 GB and was
# killed. Real sentences are far shorter: 99% of the devset's 769 and the seeds' 353 are at most 278 and
# 299 characters; the devset's longest, 1,999, is a flattened bullet list. Longer ones are cut into
# pieces of at most MAX_SENTENCE_CHARS: at each point _CUT_EVERY characters apart the cut moves back, at
# most MAX_SENTENCE_CHARS - _CUT_EVERY characters, to the last bullet dash after whitespace, else the last
# clause mark (, ; :), else the last whitespace (a hard cut where that stretch holds none).
MAX_SENTENCE_CHARS = 2000
_CUT_EVERY = 1400
# (greedy `.*`: the last boundary of the window; group 1 ends the piece, group 2 is the gap skipped)
_CUTS = (r"(?s)^(.*\S)(\s+)[-–—•·]\s", r"(?s)^(.*[,;:])(\s+)\S", r"(?s)^(.*\S)(\s+)\S")


def _bounded(spans: pl.DataFrame, texts: pl.Series) -> pl.DataFrame:
    """`spans` (rows of one document contiguous, in order; `_doc` its row in `texts`; start, end) with
    every span longer than MAX_SENTENCE_CHARS cut into pieces of at most that many characters, in
    place, in order; the other columns repeated on each piece."""
    long = (spans.get_column("end") - spans.get_column("start")) > MAX_SENTENCE_CHARS
    if not long.any():
        return spans
    back = MAX_SENTENCE_CHARS - _CUT_EVERY  # how far a cut may move back
    window = pl.lit(texts).gather(pl.col("_doc")).str.slice(pl.col("at") - back, back)
    found = [window.str.extract_groups(p) for p in _CUTS]
    cuts = (
        spans.filter(long)
        .select("_doc", "start", pl.int_ranges(pl.col("start") + _CUT_EVERY, "end", _CUT_EVERY).alias("at"))
        .explode("at")
        .select(
            "_doc",
            "start",
            # where the piece ends, and how many characters (whitespace) before the next one starts
            pl.coalesce(
                *(pl.col("at") - back + g.struct["1"].str.len_chars() for g in found), pl.col("at")
            ).alias("_end"),
            pl.coalesce(*(g.struct["2"].str.len_chars() for g in found), pl.lit(0, pl.UInt32)).alias("_gap"),
        )
    )
    pieces = (
        spans.filter(long)
        .join(cuts.group_by("_doc", "start").agg("_end", "_gap"), on=["_doc", "start"], how="left")
        .select(
            pl.exclude("start", "end", "_end", "_gap"),
            pl.concat_list(pl.col("start"), pl.col("_end") + pl.col("_gap")).alias("start"),
            pl.concat_list(pl.col("_end"), pl.col("end")).alias("end"),
        )
        .explode("start", "end")
        .filter(pl.col("end") > pl.col("start"))
    )
    return pl.concat([spans.filter(~long), pieces.select(spans.columns)]).sort(
        "_doc", "start", maintain_order=True
    )
