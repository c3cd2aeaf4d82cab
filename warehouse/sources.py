"""Reading source documents: list what a source holds, read a batch of it as raw bytes.

A source is a directory (its files, not recursive), a glob (`corpus/**/*.txt`), a single file, or
any fsspec URL (`s3://bucket/news/*.jsonl`). Files that cannot be read become quarantine rows with a
reason; they never stop the run.

A local glob is Python's `glob.glob(recursive=True)` (hidden names skipped unless the pattern names
them, `**` = zero or more folders) except that `**` does not descend into symlinked folders, as
pathlib's `**` (Python 3.11) and `find` (without -L) do: `glob` follows them, so a link to `.` or `..`
made it list the same files 40 levels deep (40 duplicates), and two such links never finished.
Symlinked files still match, and a symlinked folder named by a literal or `*` component is still read.
"""

from __future__ import annotations

import email.utils
import glob as globlib
import io
import json
import logging
import os
import re
import stat
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import fsspec
import polars as pl
from dateutil import parser as date_parser

from warehouse.schemas import NO_DOCUMENT, SOURCE_FILES

_log = logging.getLogger(__name__)

_SOURCE_FILES_SCHEMA = pl.from_arrow(SOURCE_FILES.schema.empty_table()).schema  # type: ignore[union-attr]
# Formats whose one file holds many documents, each named `path:line` (jsonl) or `path#row` (parquet).
MULTI_DOCUMENT_FORMATS = ("jsonl", "parquet", "csv")
_RECORD_NAME = {
    "jsonl": r"^(.*):\d+$",
    "parquet": r"^(.*)#\d+$",
    "csv": r"^(.*)#\d+$",
}  # a record's `source` -> its file's path
FORMATS = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".csv": "csv",
}
# Row-level metadata columns a jsonl/parquet source may carry besides `text`.
META_COLUMNS = ("title", "author", "published_at", "url")

# Reason codes for inputs that are refused before decoding.
TOO_LARGE = "too_large"
UNREADABLE = "unreadable"
VANISHED = "vanished"
OUTSIDE_ROOT = "outside_root"
NOT_A_FILE = "not_a_file"  # a directory, FIFO, socket or device where a document was expected
BAD_RECORD = "bad_record"
NOT_FOUND = "source_not_found"

RAW_SCHEMA = {
    "source": pl.String,
    "content": pl.Binary,
    "format": pl.String,
    "title": pl.String,
    "author": pl.String,
    "published_at": pl.Datetime("us", "UTC"),
    "url": pl.String,
}


class SourceError(ValueError):
    """The source itself is unusable (missing path, nothing matches)."""


class SourceUnavailable(SourceError, OSError):
    """A remote source could not be listed (a network error): an OSError, so the IO task that lists it
    is retried like any flaky share, and a SourceError, so what the user finally reads names the source."""


@dataclass(frozen=True)
class SourceRef:
    """One file of a source, as listed."""

    path: str
    size: int
    format: str
    root: str = ""
    mtime_ns: int | None = None  # lets a later run skip an unchanged file unread (None: never indexed)


# Where fsspec filesystems put an object's modification time: local/sftp `mtime`, s3 `LastModified`,
# gcs `updated`, azure `last_modified`, http(s) the `Last-Modified` header (RFC 9110 date), memory
# `created` (a rewrite creates the object anew).
_MODIFIED_KEYS = ("mtime", "LastModified", "last_modified", "updated", "Last-Modified", "created")


def _modified_ns(info: dict) -> int | None:
    """An fsspec `info` dict's modification time in ns since the epoch (None when it has none): with
    the size, what lets a nightly run skip an unchanged remote file instead of downloading it again."""
    for key in _MODIFIED_KEYS:
        value = info.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                try:  # an HTTP date: "Mon, 30 Nov 2026 08:00:00 GMT"
                    value = email.utils.parsedate_to_datetime(value)
                except (TypeError, ValueError):
                    continue
        if isinstance(value, datetime):
            value = (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
        if isinstance(value, int | float):
            return int(value * 1e9)
    return None


def _is_url(source: str) -> bool:
    return "://" in source and not source.startswith("file://")


def _format_of(path: str) -> str:
    return FORMATS.get(os.path.splitext(path)[1].lower(), "txt")


def file_stats(refs: list[SourceRef]) -> pl.DataFrame:
    """[source, size, mtime_ns] of the refs the file index can cover: those with a modification time
    (local files, and remote ones whose filesystem reports one)."""
    return pl.DataFrame(
        [(r.path, r.size, r.mtime_ns) for r in refs if r.mtime_ns is not None],
        schema={c: t for c, t in _SOURCE_FILES_SCHEMA.items() if c in ("source", "size", "mtime_ns")},
        orient="row",
    )


def file_index(
    refs: list[SourceRef], read: pl.DataFrame, refused: pl.DataFrame, max_bytes: int
) -> pl.DataFrame:
    """`source_files` rows [source, size, mtime_ns, doc_id, max_doc_bytes] for the files of
    `refs`: one per (file, document it yielded), `source` being the file's path (a jsonl/parquet
    record's `path:line` / `path#row` mapped back to it).

    `read` [source, doc_id]: the documents identified (doc_id null: not identified, left out).
    `refused` [source, reason]: what `read_batch` refused. A file refused as too large (or a jsonl/parquet
    file with a record refused as too large) is indexed with `max_doc_bytes` = `max_bytes`, a single
    file as NO_DOCUMENT: unchanged, it would be refused again, so the next run need not read it (nor
    quarantine it again) unless the limit is raised. A file with any other refusal (unreadable,
    vanished...) is left out: the next run reads it again. A multi-document file that yielded no
    document gets one NO_DOCUMENT row.
    """
    stats = pl.DataFrame(
        [(r.path, r.size, r.mtime_ns, r.format) for r in refs if r.mtime_ns is not None],
        schema={
            **{c: t for c, t in _SOURCE_FILES_SCHEMA.items() if c in ("source", "size", "mtime_ns")},
            "format": pl.String,
        },
        orient="row",
    )
    read = read.select("source", "doc_id").drop_nulls("doc_id")
    multi = stats.filter(pl.col("format").is_in(MULTI_DOCUMENT_FORMATS))
    singles = stats.join(multi, on="source", how="anti")
    single = singles.join(read, on="source", how="inner")
    # A record's file: its `source` without the `:line` / `#row` its format appends (a listed file's
    # own path is never a record's name, even if it ends like one).
    records = read.join(stats, on="source", how="anti").rename({"source": "record"})
    by_file = pl.concat(
        [
            multi.filter(pl.col("format") == fmt).join(
                records.with_columns(pl.col("record").str.extract(rx, 1).alias("source")),
                on="source",
                how="inner",
            )
            for fmt, rx in _RECORD_NAME.items()
        ]
    )

    def files_of(rows: pl.DataFrame) -> pl.DataFrame:
        """Refusals name the file or one of its records: map them back the same way."""
        names = pl.concat(
            [
                rows.select("source"),
                *(rows.select(pl.col("source").str.extract(rx, 1)) for rx in _RECORD_NAME.values()),
            ]
        )
        return names.drop_nulls().unique()

    refused = refused.filter(pl.col("reason") != BAD_RECORD)
    too_large = files_of(refused.filter(pl.col("reason") == TOO_LARGE))
    failed = files_of(refused.filter(pl.col("reason") != TOO_LARGE))
    multi = multi.join(failed, on="source", how="anti")
    by_file = by_file.join(failed, on="source", how="anti")
    empty_files = pl.concat(
        [
            multi.join(by_file, on="source", how="anti"),
            singles.join(too_large, on="source", how="semi").join(failed, on="source", how="anti"),
        ]
    ).with_columns(pl.lit(NO_DOCUMENT).alias("doc_id"))
    limit = (
        pl.when(pl.col("source").is_in(too_large.get_column("source").implode()))
        .then(pl.lit(max_bytes, pl.Int64))
        .otherwise(pl.lit(None, pl.Int64))
        .alias("max_doc_bytes")
    )
    cols = ["source", "size", "mtime_ns", "doc_id"]
    return (
        pl.concat([single.select(cols), by_file.select(cols), empty_files.select(cols)])
        .unique(maintain_order=True)
        .with_columns(limit)
    )


def local_glob(pattern: str) -> list[str]:
    """The paths matching a local glob `pattern`, unsorted: `glob.glob(pattern, recursive=True)`, but a
    `**` component only descends into real folders (symlinked ones are neither entered nor matched by
    it), so a symlink loop under the source costs nothing. Hidden names (a leading `.`) are skipped by
    `**` as by glob. See the module docstring."""
    parts = pattern.split(os.sep)
    if "**" not in parts:
        return globlib.glob(pattern, recursive=True)
    i = parts.index("**")
    head, tail = os.sep.join(parts[:i]), os.sep.join(parts[i + 1 :])
    if i and not head:  # "/**/...": the filesystem root
        head = os.sep
    if globlib.has_magic(head):
        bases = [b for b in globlib.glob(head) if os.path.isdir(b)]
    else:
        bases = [head] if not head or os.path.isdir(head) else []
    last = i == len(parts) - 1  # a trailing `**` matches the folders and files below, `**/` folders only
    found: list[str] = []
    for base in bases:
        if last and base:
            found.append(os.path.join(base, ""))
        for d in _real_dirs(base):
            if not last:
                if d or tail:
                    found.extend(local_glob(os.path.join(globlib.escape(d), tail) if d else tail))
            else:
                with os.scandir(d or os.curdir) as it:
                    found.extend(os.path.join(d, e.name) for e in it if not e.name.startswith("."))
    return list(dict.fromkeys(found))  # "**/**" reaches a folder twice


def _real_dirs(base: str) -> Iterator[str]:
    """`base` ("" = the current folder, named relatively) and its non-hidden sub-folders at any depth,
    never through a symlinked folder (os.walk's default)."""
    top = base or os.curdir
    for dirpath, dirnames, _ in os.walk(top):
        dirnames[:] = [n for n in dirnames if not n.startswith(".")]
        yield dirpath if base else ("" if dirpath == os.curdir else os.path.relpath(dirpath))


def check_source(source: str) -> None:
    """SourceError when a local `source` cannot hold a document: a path that does not exist, a folder with
    no files, or a glob that matches nothing. Cheap (no full listing of a directory); URLs are checked
    when listed."""
    if _is_url(source):
        return
    local = source.removeprefix("file://")
    if globlib.has_magic(local):
        if not local_glob(local):
            raise SourceError(f"source {source!r} matches no files")
    elif not os.path.exists(local):
        raise SourceError(f"source {source!r} does not exist")
    elif os.path.isdir(local) and not _holds_a_file(local):
        # An unmounted share or a mistyped drop folder is an existing, empty directory: a quiet "succeeded,
        # 0 documents" would pass for a quiet night. Same answer as a glob that matches nothing.
        raise SourceError(
            f"source {source!r} is a folder with no files in it (not mounted, or the wrong folder?)"
        )


def _holds_a_file(folder: str) -> bool:
    """True when `folder` has a non-hidden entry other than a sub-folder (sub-folders are not part of a
    folder source). Stops at the first such entry, so a folder of 100k files costs one entry."""
    with os.scandir(folder) as it:
        return any(not e.name.startswith(".") and not e.is_dir() for e in it)


def list_sources(source: str) -> tuple[list[SourceRef], list[dict]]:
    """List the files of `source` in a stable order; return (refs, quarantine rows for refused files)."""
    if _is_url(source):
        try:
            fs, path = fsspec.core.url_to_fs(source)
        except (ImportError, ValueError) as exc:  # an unknown scheme, or its filesystem not installed
            raise SourceError(f"cannot read source {source!r}: {exc}") from None
        protocol = source.split("://", 1)[0]
        refs = []
        try:
            paths = (
                fs.glob(path)
                if globlib.has_magic(path)
                else (fs.ls(path, detail=False) if fs.isdir(path) else [path])
            )
            for p in sorted(paths):
                info = fs.info(p)
                # (an http directory page links its sub-folders as ".../sub/": not documents)
                if info.get("type") == "file" and not p.endswith("/"):
                    url = p if "://" in p else f"{protocol}://{p}"  # http(s) paths keep their scheme
                    size, modified = int(info.get("size") or 0), _modified_ns(info)
                    refs.append(SourceRef(url, size, _format_of(p), mtime_ns=modified))
        except FileNotFoundError:
            raise SourceError(f"source {source!r} does not exist") from None
        except OSError as exc:  # (aiohttp's connection errors are OSErrors too)
            raise SourceUnavailable(f"cannot read source {source!r}: {exc}") from None
        except Exception as exc:  # noqa: BLE001 - any other failure to list a remote source is the source's
            raise SourceError(f"cannot read source {source!r}: {exc}") from None
        if not paths:
            raise SourceError(f"source {source!r} matches no files")
        return refs, []

    source = source.removeprefix("file://")
    if globlib.has_magic(source):
        root = Path(source.split("*")[0].rsplit("/", 1)[0] or ".").resolve()
        candidates = [Path(p) for p in sorted(local_glob(source))]
        if not candidates:
            raise SourceError(f"source {source!r} matches no files")
    else:
        p = Path(source)
        if not p.exists():
            raise SourceError(f"source {source!r} does not exist")
        if p.is_dir():
            return _list_dir(p)
        else:
            root = p.resolve().parent
            candidates = [p]
    refs: list[SourceRef] = []
    rejects: list[dict] = []
    for c in candidates:
        ref, reject = _list_one(c, root)
        if ref is not None:
            refs.append(ref)
        elif reject is not None:
            rejects.append(reject)
    return refs, rejects


def _list_one(c: Path, root: Path) -> tuple[SourceRef | None, dict | None]:
    """One candidate path: a ref to read, a reject, or (None, None) for a sub-folder to skip."""
    try:
        real = c.resolve()
    except (RuntimeError, OSError) as exc:  # Python 3.11 raises RuntimeError on a symlink loop
        return None, _reject(str(c), UNREADABLE, f"cannot resolve the path: {exc}")
    if real != root and root not in real.parents:
        return None, _reject(
            str(c), OUTSIDE_ROOT, f"symlink resolves to {real}, outside the source root {root}"
        )
    try:
        st = c.stat()
    except FileNotFoundError:
        if c.is_symlink():
            return None, _reject(str(c), UNREADABLE, f"broken symlink to {os.readlink(c)}")
        return None, _reject(str(c), VANISHED, "file disappeared while listing")
    except OSError as exc:
        return None, _reject(str(c), UNREADABLE, f"{type(exc).__name__}: {exc.strerror or exc}")
    return _from_stat(c, st, root)


def _list_dir(p: Path) -> tuple[list[SourceRef], list[dict]]:
    """A directory source, listed with one `stat` per plain file: `resolve()` per file cost 1 s per
    19k files, paid by every nightly run, so only symlinks take the resolving path."""
    root = p.resolve()
    with os.scandir(p) as it:
        entries = sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
    refs: list[SourceRef] = []
    rejects: list[dict] = []
    for e in entries:
        c = e.path  # a str: a Path per entry cost 0.1 s per 19k files
        if e.is_symlink():
            ref, reject = _list_one(Path(c), root)
        else:  # a plain entry of the source directory lies inside the root by construction
            try:
                ref, reject = _from_stat(c, e.stat(), root)
            except FileNotFoundError:
                ref, reject = None, _reject(str(c), VANISHED, "file disappeared while listing")
            except OSError as exc:
                ref, reject = (
                    None,
                    _reject(str(c), UNREADABLE, f"{type(exc).__name__}: {exc.strerror or exc}"),
                )
        if ref is not None:
            refs.append(ref)
        elif reject is not None:
            rejects.append(reject)
    return refs, rejects


def _from_stat(c: Path | str, st: os.stat_result, root: Path) -> tuple[SourceRef | None, dict | None]:
    if stat.S_ISDIR(st.st_mode):
        # Sub-folders are not part of a source; one named like a document is reported, not lost.
        if os.path.splitext(c)[1].lower() in FORMATS:
            return None, _reject(str(c), NOT_A_FILE, "a directory, not a file")
        return None, None
    if not stat.S_ISREG(st.st_mode):
        # Opening a FIFO blocks until a writer appears, a device may never end: refuse from the mode.
        return None, _reject(str(c), NOT_A_FILE, f"a {_kind(st.st_mode)}, not a regular file")
    return SourceRef(str(c), st.st_size, _format_of(str(c)), str(root), st.st_mtime_ns), None


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISDIR, "directory"),
    ):
        if test(mode):
            return name
    return "special file"


def _reject(source: str, reason: str, detail: str, doc_id: str | None = None) -> dict:
    return {"source": source, "doc_id": doc_id, "reason": reason, "detail": detail}


class NotAFileError(OSError):
    """The path holds something other than a regular file at read time (swapped after listing)."""


class _OutsideRoot(Exception):
    """The path resolves outside the source root at read time (a symlink swapped in after listing)."""


def _open_local(path: str, root: str = "") -> tuple[object, int]:
    """Open a local file for reading without ever blocking; return (binary file object, size).

    O_NONBLOCK makes opening a FIFO that replaced the file return at once; fstat on the open
    descriptor then refuses anything that is not a regular file, so what is read is what was checked.
    """
    if root:
        real = os.path.realpath(path)
        if real != root and not real.startswith(root.rstrip(os.sep) + os.sep):
            raise _OutsideRoot(f"now resolves to {real}, outside the source root {root}")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotAFileError(f"a {_kind(st.st_mode)}, not a regular file")
        return os.fdopen(fd, "rb"), st.st_size
    except BaseException:
        os.close(fd)
        raise


def _read_bytes(ref: SourceRef, max_bytes: int) -> bytes:
    if _is_url(ref.path):
        with fsspec.open(ref.path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    else:
        fh, size = _open_local(ref.path, ref.root)
        with fh:  # type: ignore[attr-defined]
            if size > max_bytes:  # grew since listing: still refused from its size, unread
                raise OverflowError
            # read(n) allocates n bytes up front: ask for what fstat saw (+1 to notice growth), not the
            # limit (9,500 files: 0.19 s -> 0.07 s with a 10 MB limit); a file still growing reads on.
            data = fh.read(size + 1)  # type: ignore[attr-defined]
            if len(data) > size:
                data += fh.read(max_bytes + 1 - len(data))  # type: ignore[attr-defined]
    if len(data) > max_bytes:
        raise OverflowError
    return data


def read_batch(refs: list[SourceRef], max_bytes: int) -> tuple[pl.DataFrame, list[dict]]:
    """Read the files of one batch: (raw frame with RAW_SCHEMA columns, quarantine rows).

    A file larger than `max_bytes` is refused without being read whole, so memory stays bounded.
    Whatever goes wrong with one file becomes its quarantine row; the other files are still read.
    """
    rows: list[dict] = []
    rejects: list[dict] = []
    for ref in refs:
        try:
            if ref.format == "jsonl":
                _rows_from_jsonl(ref, max_bytes, rows, rejects)
                continue
            if ref.format == "parquet":
                _rows_from_parquet(ref, max_bytes, rows, rejects)
                continue
            if ref.format == "csv":
                _rows_from_csv(ref, max_bytes, rows, rejects)
                continue
            if ref.size > max_bytes:
                rejects.append(
                    _reject(ref.path, TOO_LARGE, f"{ref.size:,} bytes exceeds the {max_bytes:,}-byte limit")
                )
                continue
            data = _read_bytes(ref, max_bytes)
        except OverflowError:
            rejects.append(
                _reject(ref.path, TOO_LARGE, f"grew past the {max_bytes:,}-byte limit while reading")
            )
            continue
        except FileNotFoundError:
            rejects.append(_reject(ref.path, VANISHED, "file was deleted between listing and reading"))
            continue
        except NotAFileError as exc:
            rejects.append(_reject(ref.path, NOT_A_FILE, str(exc)))
            continue
        except _OutsideRoot as exc:
            rejects.append(_reject(ref.path, OUTSIDE_ROOT, str(exc)))
            continue
        except OSError as exc:
            rejects.append(_reject(ref.path, UNREADABLE, f"{type(exc).__name__}: {exc.strerror or exc}"))
            continue
        except Exception as exc:  # noqa: BLE001 - one odd file (fsspec, codec, parser) must not stop a batch
            rejects.append(_reject(ref.path, UNREADABLE, f"{type(exc).__name__}: {exc}"))
            continue
        rows.append({"source": ref.path, "content": data, "format": ref.format})
    return _frame(rows), rejects


def _frame(rows: list[dict]) -> pl.DataFrame:
    df = pl.DataFrame(
        [{k: r.get(k) if k != "published_at" else None for k in RAW_SCHEMA} for r in rows],
        schema={**RAW_SCHEMA, "published_at": pl.String},
    )
    published = pl.Series("published_at", [r.get("published_at") for r in rows], dtype=pl.String)
    parsed, unreadable = parse_published(published)
    if unreadable:
        _log.warning(
            "%d published_at value(s) are not dates and are stored as NULL, e.g. %s",
            len(unreadable),
            ", ".join(repr(v[:40]) for v in unreadable[:3]),
        )
    return df.with_columns(parsed.alias("published_at"))


# Abbreviations with one meaning in news datelines. CST (US Central / China), IST (India / Ireland /
# Israel) and BST (British Summer / Bangladesh) are ambiguous: read as unknown, i.e. UTC.
_TZ_ABBREVIATIONS = {
    "EST": -5 * 3600, "EDT": -4 * 3600, "CDT": -5 * 3600, "MST": -7 * 3600, "MDT": -6 * 3600,
    "PST": -8 * 3600, "PDT": -7 * 3600, "CET": 3600, "CEST": 2 * 3600, "JST": 9 * 3600, "KST": 9 * 3600,
}  # fmt: skip
_YEAR = re.compile(r"(?<!\d)(?:1[89]|2[01])\d\d(?!\d)")
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?(?:\.\d+)?$")


def _one_timestamp(value: str) -> datetime | None:
    v = value.strip()
    if _EPOCH.match(v):  # Unix time, seconds (10 digits) or milliseconds (13)
        seconds = float(v) / (1000 if len(v.split(".")[0]) == 13 else 1)
        return datetime.fromtimestamp(seconds, tz=UTC)
    if not _YEAR.search(v):  # "Tuesday", "yesterday": dateutil would fill in today's date
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an unknown zone name reads as UTC, like a missing one
            dt = date_parser.parse(v, tzinfos=_TZ_ABBREVIATIONS)
    except (ValueError, OverflowError):
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def parse_published(values: pl.Series) -> tuple[pl.Series, list[str]]:
    """Publication times as given by JSONL/Parquet records -> (Datetime[us, UTC] series, the distinct
    values that are not dates, stored as NULL).

    Feeds mix formats (ISO 8601 with or without offset, RFC 2822 from RSS, "30 November 2026",
    Unix seconds/milliseconds); polars' `str.to_datetime` infers one format from the first value
    and silently nulls every other format, so each distinct value is read by dateutil (the
    metadata of one batch has few distinct values; the text columns never go through here).
    A value without a four-digit year is not a date. A value without a zone is UTC."""
    distinct = values.drop_nulls().unique().to_list()
    found = {v: _one_timestamp(v) for v in distinct}
    keys = pl.Series(list(found), dtype=pl.String)
    dates = pl.Series(list(found.values()), dtype=pl.Datetime("us", "UTC"))
    out = values.replace_strict(keys, dates, default=None, return_dtype=pl.Datetime("us", "UTC"))
    return out, sorted(v for v, dt in found.items() if dt is None and v.strip())


def _record(source: str, rec: dict, fmt: str) -> dict:
    """One raw row; UnicodeEncodeError when a string holds a lone surrogate (JSON can escape one,
    "\\udcb2", but it is not a Unicode character and no UTF-8 column can store it)."""
    row = {"source": source, "content": str(rec["text"]).encode("utf-8"), "format": fmt}
    for k in META_COLUMNS:
        v = rec.get(k)
        row[k] = None if v is None else str(v)
        if row[k] is not None:
            row[k].encode("utf-8")
    return row


def _open(ref: SourceRef):  # noqa: ANN202 - a binary file object, local or fsspec
    if _is_url(ref.path):
        # Buffered: fsspec's own files (http's among them) take no size in readline(), which bounds
        # how much of an over-long JSONL line is read at once.
        return io.BufferedReader(fsspec.open(ref.path, "rb").open())
    return _open_local(ref.path, ref.root)[0]


def _lines(fh, max_bytes: int) -> Iterator[tuple[bytes, int]]:  # noqa: ANN001 - a binary file object
    """Yield (line, length): a line longer than `max_bytes` is skipped unread (b"", its length)."""
    while True:
        line = fh.readline(max_bytes + 1)
        if not line:
            return
        if len(line) <= max_bytes or line.endswith(b"\n"):
            yield line, len(line)
            continue
        n = len(line)
        while not line.endswith(b"\n"):  # drain the rest of an over-long line in bounded chunks
            line = fh.readline(1 << 20)
            if not line:
                break
            n += len(line)
        yield b"", n


def _rows_from_jsonl(ref: SourceRef, max_bytes: int, rows: list[dict], rejects: list[dict]) -> None:
    """One document per line, streamed: a huge file (or a huge line) never sits in memory whole."""
    path = ref.path
    with _open(ref) as fh:
        for i, (line, n) in enumerate(_lines(fh, max_bytes), start=1):
            src = f"{path}:{i}"
            if n > max_bytes:
                rejects.append(
                    _reject(src, TOO_LARGE, f"line {i} has {n:,} bytes, over the {max_bytes:,}-byte limit")
                )
                continue
            if not line.strip():
                continue
            # A broken line is quarantined alone as `path:line`; the lines after it still load.
            try:
                rec = json.loads(line)
                if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                    raise ValueError("no string `text` field")
                rows.append(_record(src, rec, "jsonl"))
            except UnicodeEncodeError as exc:
                # A lone surrogate is a broken record (a UTF-16 pair cut in half upstream), not text to
                # guess at: the line is held back rather than stored with a replacement character.
                bad = exc.object[exc.start : exc.end].encode("unicode_escape", "backslashreplace").decode()
                detail = f"line {i} holds a lone surrogate {bad}, which is not Unicode text"
                rejects.append(_reject(src, BAD_RECORD, detail))
            except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
                rejects.append(_reject(src, BAD_RECORD, f"line {i} is not a JSON object with `text`: {exc}"))


def _rows_from_parquet(ref: SourceRef, max_bytes: int, rows: list[dict], rejects: list[dict]) -> None:
    """One document per row, read a record batch at a time."""
    import pyarrow.parquet as pq

    path = ref.path
    with _open(ref) as fh:
        try:
            pf = pq.ParquetFile(fh)
        except Exception as exc:  # noqa: BLE001 - any parse failure is a quarantine reason, not a crash
            rejects.append(_reject(path, BAD_RECORD, f"not a readable Parquet file: {exc}"))
            return
        if "text" not in pf.schema_arrow.names:
            rejects.append(_reject(path, BAD_RECORD, "Parquet file has no `text` column"))
            return
        cols = ["text", *(c for c in META_COLUMNS if c in pf.schema_arrow.names)]
        i = 0
        for batch in pf.iter_batches(batch_size=1024, columns=cols):
            for rec in batch.to_pylist():
                src = f"{path}#{i}"
                text = rec.get("text")
                if text is None:
                    rejects.append(_reject(src, BAD_RECORD, f"row {i} has a null `text`"))
                elif len(text) > max_bytes:
                    rejects.append(
                        _reject(src, TOO_LARGE, f"row {i} has {len(text):,} characters, over the limit")
                    )
                else:
                    rows.append(_record(src, rec, "parquet"))
                i += 1


def _rows_from_csv(ref: SourceRef, max_bytes: int, rows: list[dict], rejects: list[dict]) -> None:
    """One document per row of a UTF-8 CSV file with a header naming a `text` column (plus any of
    META_COLUMNS), streamed row by row with the csv module (quoted fields may span lines); a record is
    named `path#row` (0-based data row), as a Parquet row is."""
    import csv
    import io

    path = ref.path
    # the csv module refuses fields over its limit (128 KB by default); ours is the document limit
    csv.field_size_limit(max(csv.field_size_limit(), max_bytes + 1))
    with _open(ref) as fh:
        text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
        try:
            reader = csv.DictReader(text)
            header = reader.fieldnames or []
        except (UnicodeDecodeError, csv.Error) as exc:
            rejects.append(_reject(path, BAD_RECORD, f"not a readable UTF-8 CSV file: {exc}"))
            return
        if "text" not in header:
            rejects.append(_reject(path, BAD_RECORD, "CSV header has no `text` column"))
            return
        i = 0
        while True:
            try:
                rec = next(reader)
            except StopIteration:
                return
            except (UnicodeDecodeError, csv.Error) as exc:  # the rest of the file cannot be trusted
                rejects.append(_reject(f"{path}#{i}", BAD_RECORD, f"row {i} and after unreadable: {exc}"))
                return
            src = f"{path}#{i}"
            body = rec.get("text")
            if not body:
                rejects.append(_reject(src, BAD_RECORD, f"row {i} has an empty `text`"))
            elif len(body) > max_bytes:
                rejects.append(
                    _reject(src, TOO_LARGE, f"row {i} has {len(body):,} characters, over the limit")
                )
            else:
                rows.append(_record(src, {k: v or None for k, v in rec.items()}, "csv"))
            i += 1


def plan_batches(
    refs: list[SourceRef], batch_size: int, batch_bytes: int, parts: int = 1
) -> list[list[SourceRef]]:
    """Group files, in order, into batches of at most `batch_size` files and about `batch_bytes` bytes.

    `parts` > 1 (one per parallel worker): a multiple of that many batches, all of about the same files and
    bytes (a greedy cut at 1/parts of the bytes leaves a last sliver of a batch, which pays a batch's
    whole fixed cost, nine GX validations, for a few documents)."""
    if parts > 1 and refs:
        return _even_batches(refs, batch_size, batch_bytes, parts)
    batches: list[list[SourceRef]] = []
    cur: list[SourceRef] = []
    cur_bytes = 0
    for ref in refs:
        if cur and (len(cur) >= batch_size or cur_bytes + ref.size > batch_bytes):
            batches.append(cur)
            cur, cur_bytes = [], 0
        cur.append(ref)
        cur_bytes += ref.size
    if cur:
        batches.append(cur)
    return batches


def _even_batches(
    refs: list[SourceRef], batch_size: int, batch_bytes: int, parts: int
) -> list[list[SourceRef]]:
    """`refs` in order, in about n batches of even files and bytes: n a multiple of `parts`, enough that no
    batch exceeds `batch_size` files or (but for a single larger file) `batch_bytes` bytes. Each batch
    aims at an equal share of what is left, so a large file early on does not leave a sliver at the end.
    """
    left_files, left_bytes = len(refs), sum(r.size for r in refs)
    n = max(parts, -(-left_files // batch_size), -(-left_bytes // max(batch_bytes, 1)))
    # A multiple of `parts`: 7 batches on 2 workers end with one batch running alone (100 MB at 16 MB
    # a batch); 8 smaller ones keep both busy to the end.
    n = -(-n // parts) * parts
    batches: list[list[SourceRef]] = []
    cur: list[SourceRef] = []
    cur_bytes = 0
    files_goal, bytes_goal = -(-left_files // n), left_bytes / n
    for ref in refs:
        over_goal = len(cur) >= files_goal or cur_bytes + ref.size / 2 > bytes_goal
        if cur and (over_goal or len(cur) >= batch_size or cur_bytes + ref.size > batch_bytes):
            batches.append(cur)
            left_files, left_bytes = left_files - len(cur), left_bytes - cur_bytes
            cur, cur_bytes = [], 0
            k = max(1, n - len(batches))
            files_goal, bytes_goal = -(-left_files // k), left_bytes / k
        cur.append(ref)
        cur_bytes += ref.size
    batches.append(cur)
    return batches
