"""Ingest stage: raw bytes in, decoded text out; what cannot be decoded is rejected with a reason.

`decode_documents` is pure: it takes the bytes the reader loaded and returns two frames, the accepted
documents and the rejects. Byte decoding needs a per-document Python call (codecs, charset-normalizer,
trafilatura), so each document takes the cheapest path that works: UTF-8 first, then BOMs, and only
then charset detection; HTML extraction only for HTML. Binary is judged by the share of control bytes
(MAX_CONTROL_SHARE), and stray control characters in kept text are removed. An HTML page whose
extracted text is a consent/cookie/subscription banner (is_banner) falls back to other extractions.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

import polars as pl

from transforms.text import frame_schema
from warehouse.schemas import QUARANTINE, RAW_DOCUMENTS

# Reason codes (snake_case constants, stored in quarantine.reason).
EMPTY = "empty"
BINARY = "binary"
UNDECODABLE = "undecodable"
NO_MAIN_TEXT = "no_main_text"  # an HTML page from which no article text could be extracted

# File signatures of formats that are never news text.
MAGIC_NUMBERS: dict[bytes, str] = {
    b"%PDF": "PDF",
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"PK\x03\x04": "ZIP",
    b"PK\x05\x06": "ZIP",
    b"\x1f\x8b": "gzip",
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
    b"7z\xbc\xaf\x27\x1c": "7z",
    b"Rar!\x1a\x07": "RAR",
    b"\x7fELF": "ELF",
    b"MZ": "Windows executable",
    b"PAR1": "Parquet",
    b"SQLite format 3\x00": "SQLite",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "OLE (doc/xls)",
    b"OggS": "Ogg",
    b"ID3": "MP3",
    b"fLaC": "FLAC",
}
# Binary is judged by the SHARE of control bytes/characters, never by one stray NUL: uniformly random
# bytes (compressed or encrypted data without a signature) hold 26/256 = 10% bytes of the non-text
# class below, uncompressed binary formats far more (NUL padding, little-endian integers). Half that
# density, 5%, catches both with a margin while a text with a stray byte every 20+ characters is kept.
MAX_CONTROL_SHARE = 0.05
# Bytes that never occur in text in UTF-8 or a single-byte code page: file(1)'s "not text" class
# (src/encoding.c, text_chars: C0 controls except BEL BS HT LF FF CR ESC, and DEL).
NON_TEXT_BYTES = bytes([*range(0x00, 0x07), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
HTML_FORMATS = ("html", "htm")

DOCUMENT_COLUMNS = frame_schema(RAW_DOCUMENTS, drop=())
REJECT_COLUMNS = frame_schema(QUARANTINE, drop=("run_id", "stage", "quarantined_at"))

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# Stray C0 controls and DEL, removed from text that is not binary. C1 (U+0080-U+009F) is left for the
# clean stage: it is usually cp1252 mojibake that ftfy repairs there, and clean drops the rest.
_STRAY_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Content that is clearly a whole HTML page, whatever its declared format.
_HTML_PAGE = re.compile(rb"^\s*(?:<!doctype html|<html[\s>]|<head[\s>])", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.IGNORECASE)


def _magic(content: bytes) -> str | None:
    for magic, name in MAGIC_NUMBERS.items():
        if content.startswith(magic):
            return name
    return None


def _decode_bytes(content: bytes, is_html: bool) -> tuple[str | None, str, str]:
    """Decode bytes: (text or None, reason if None, detail). Cheapest path first."""
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            return content[3:].decode("utf-8"), "", ""
        except UnicodeDecodeError:
            return None, UNDECODABLE, "The file starts with a UTF-8 byte order mark but is not valid UTF-8."
    if content.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        try:
            return content.decode("utf-32"), "", ""
        except UnicodeDecodeError:
            return None, UNDECODABLE, "The file has a UTF-32 byte order mark but is not valid UTF-32."
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16"), "", ""
        except UnicodeDecodeError:
            return None, UNDECODABLE, "The file has a UTF-16 byte order mark but is not valid UTF-16."
    magic = _magic(content)
    if magic is not None:
        return None, BINARY, f"The content starts with the {magic} file signature, not text."
    nontext = len(content) - len(content.translate(None, NON_TEXT_BYTES))
    if nontext > MAX_CONTROL_SHARE * len(content):
        return (
            None,
            BINARY,
            f"{nontext} of {len(content)} bytes are control bytes such as NUL, far more than text holds: "
            "the content is binary (or UTF-16 without a byte order mark).",
        )
    try:
        return content.decode("utf-8"), "", ""
    except UnicodeDecodeError:
        pass
    if is_html:
        # An HTML page declares its charset; trust the declaration when it decodes cleanly.
        m = _META_CHARSET.search(content[:4096])
        if m:
            try:
                return content.decode(m.group(1).decode("ascii")), "", ""
            except (LookupError, UnicodeDecodeError):
                pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(content))
    if not matches:
        return None, UNDECODABLE, "The bytes are not valid UTF-8 and no character encoding fits them."
    best = matches[0]
    # Short texts often fit several single-byte code pages equally well; then prefer Windows-1252,
    # by far the most common legacy encoding of web news (cp1250 would turn "è" into "č"). DOS and
    # Mac code pages, which charset-normalizer may rank first on short text, do not set the bar.
    western = [m for m in matches if not m.encoding.startswith(("cp4", "cp7", "cp8", "mac_"))]
    bar = western[0] if western else best
    for m in matches:
        if (
            m.chaos <= bar.chaos + 0.01
            and m.coherence >= bar.coherence - 0.05
            and ("cp1252" in m.could_be_from_charset)
        ):
            return content.decode("cp1252", errors="replace"), "", ""
    return str(best), "", ""


# --- HTML main text, and the consent banner that must never stand in for it ------------------------

# A consent, cookie or subscription banner is told by its KIND, not by one site's wording: its sentences
# address the reader ("you", "your", "we", "our") about consent, cookies, privacy, data, partners,
# advertising, settings, subscribing or signing in. News sentences are written in the third person, so
# an article ABOUT privacy or subscriptions does not read as a banner.
_CONSENT_TERMS = re.compile(
    r"(?i)\b(?:cookies?|consent\w*|privacy|personal (?:data|information)|data protection|"
    r"personali[sz]ed|advertis\w*|ads|partners?|vendors?|third[- ]part(?:y|ies)|devices?|geolocation|"
    r"identifiers?|preferences|settings|opt[- ]?(?:out|in)|tracking|gdpr|legitimate interests?|"
    r"subscribe|subscribing|subscriber|subscription|newsletter|sign (?:in|up)|log ?in|register|"
    r"paywall|ad ?-?blockers?|free trial|unlimited access|terms of (?:use|service)|"
    r"datenschutz\w*|einwilligung\w*|zustimm\w*|abonn\w*|confidentialit\w*|consentement|"
    r"donn\w+ personnelles|privacidad|consentimiento|suscri\w*)\b|"
    r"隐私|同意|订阅|个人信息|プライバシー|クッキー|購読"
)
_READER = re.compile(
    r"(?i)\b(?:you|your|yours|we|our|us|sie|ihre?|wir|unsere?|vous|votre|vos|nous|nos|usted|"
    r"nosotros|nuestr[oa]s?)\b|您|我们|お客様|"
    # or an imperative or question put to the reader: "Subscribe now", "Already a subscriber?"
    r"^\W*(?:subscribe|sign|log|register|accept|reject|allow|manage|click|continue|join|start|already)\b"
)
# A quoted or reported sentence is a source speaking in the article ("We value privacy," she said).
_REPORTED = re.compile(r"[\"“”«»„]|\b(?:said|says|told)\b")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])|\n+")
# A text is a banner when at least this share of its sentences are consent sentences: an article may
# carry a consent line or two (the clean stage cuts those), a banner is made of little else.
BANNER_SHARE = 0.5
# Leaf blocks judged one by one when a banner is pruned from the page.
_BLOCK_TAGS = frozenset(
    "p div section aside article main li ul ol dl dd td tr table blockquote form dialog figure "
    "header footer nav h1 h2 h3 h4 h5 h6 pre".split()
)
_NEVER_TEXT = "//script|//style|//noscript|//template|//button|//select|//svg|//nav|//iframe|//footer"


def consent_share(text: str) -> float:
    """Share (0-1) of `text`'s sentences that speak to the reader about consent, cookies, privacy,
    advertising partners, settings or subscribing; 0.0 for a text without sentences."""
    sentences = [x for x in _SENTENCE_END.split(text) if len(x.strip()) > 1]
    if not sentences:
        return 0.0
    hits = sum(
        1 for x in sentences if _CONSENT_TERMS.search(x) and _READER.search(x) and not _REPORTED.search(x)
    )
    return hits / len(sentences)


def is_banner(text: str) -> bool:
    """True when `text` is a consent/cookie/subscription banner rather than an article (BANNER_SHARE)."""
    return consent_share(text) >= BANNER_SHARE


def _block_text(el) -> str:  # noqa: ANN001 - an lxml element
    return re.sub(r"\s+", " ", el.text_content()).strip()


def _leaf_blocks(tree) -> list:  # noqa: ANN001 - an lxml tree
    """Block elements with no block element inside them, in document order (one pass up the tree)."""
    blocks = [el for el in tree.iter() if isinstance(el.tag, str) and el.tag in _BLOCK_TAGS]
    inner: set = set()
    for el in blocks:
        for up in el.iterancestors():
            if up in inner:  # and so is everything above it
                break
            inner.add(up)
    return [el for el in blocks if el not in inner]


def _prune_banners(tree) -> list:  # noqa: ANN001 - an lxml tree, edited in place
    """Drop never-text elements and every leaf block that is a banner; return the leaf blocks kept."""
    for el in tree.xpath(_NEVER_TEXT):
        el.drop_tree()
    kept = []
    for el in _leaf_blocks(tree):
        if is_banner(_block_text(el)):
            el.drop_tree()
        else:
            kept.append(el)
    return kept


def _largest_block(leaves: list) -> str:
    """The text of the container whose leaf blocks hold the most text (one line per block)."""
    groups: dict[object, list[str]] = {}
    for el in leaves:
        text = _block_text(el)
        if text and el.getparent() is not None:
            groups.setdefault(el.getparent(), []).append(text)
    best = max(groups.values(), key=lambda lines: sum(map(len, lines)), default=[])
    return "\n".join(best)


def _without_banner_lines(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if not is_banner(line))


def _fallback_text(html: str) -> str:
    """Main text of a page whose precise extraction was only a banner: prune the banner's blocks from
    the page, then take trafilatura's recall-oriented extraction and the largest text
    block, whichever carries more words; '' when what is left is still a banner or nothing."""
    import copy

    import trafilatura

    tree = trafilatura.load_html(html)
    if tree is None:
        return ""
    leaves = _prune_banners(tree)
    recall = trafilatura.bare_extraction(
        copy.deepcopy(tree), favor_recall=True, include_comments=False, include_tables=True, deduplicate=False
    )
    candidates = [_largest_block(leaves), getattr(recall, "text", None) or ""]
    candidates = [_without_banner_lines(c).strip() for c in candidates]
    candidates = [c for c in candidates if c and not is_banner(c)]
    # The one carrying more words; on a tie the block, which keeps the page's paragraphs (trafilatura
    # flattens a table layout into one "| cell |" line).
    return max(candidates, key=lambda c: len(re.findall(r"\w+", c)), default="")


def _extract_html(html: str) -> tuple[str, str | None, str | None, datetime | None, bool]:
    """Main text and metadata of an HTML page via trafilatura (text is '' when nothing is found), and
    whether the precise extraction was a banner.

    When the precise extraction is a consent/cookie/subscription banner (is_banner), the text comes
    from _fallback_text instead: a banner is never stored as the article.
    """
    import trafilatura

    # deduplicate=False: trafilatura's deduplication is a process-wide cache that drops a paragraph
    # once it has been seen a few times, so the 4th copy of a syndicated story became `no_main_text`
    # and the outcome hung on document order. Repeats inside a document are the clean stage's work.
    # extensive_search=False: htmldate's extensive search falls back to dates anywhere in the page, so a
    # footer's "Copyright 2019" became a publication date of 2019-01-01; only a date the page states
    # as its own (meta tags, JSON-LD, <time>, the URL) is one.
    doc = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
        date_extraction_params={"original_date": True, "extensive_search": False},
    )
    if doc is None:
        return "", None, None, None, False
    get = doc.get if isinstance(doc, dict) else lambda k: getattr(doc, k, None)
    published = None
    date = get("date")
    if date:
        try:
            published = datetime.fromisoformat(str(date)).replace(tzinfo=UTC)
        except ValueError:
            published = None
    text = get("text") or ""
    banner = bool(text) and is_banner(text)
    if banner:
        text = _fallback_text(html)
    return text, get("title") or None, get("author") or None, published, banner


def decode_documents(raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Decode raw bytes into text: (documents[doc_id, source, raw_text, title, author, published_at, url],
    rejects[source, doc_id, reason, detail]). doc_id is the sha256 hex of `content`."""
    cols = raw.columns
    n = raw.height
    sources = raw["source"].to_list()
    contents = raw["content"].to_list()
    formats = raw["format"].to_list() if "format" in cols else ["txt"] * n
    meta = {
        c: (raw[c].to_list() if c in cols else [None] * n) for c in ("title", "author", "published_at", "url")
    }

    docs: dict[str, list] = {c: [] for c in DOCUMENT_COLUMNS}
    rejects: dict[str, list] = {c: [] for c in REJECT_COLUMNS}

    def reject(i: int, doc_id: str, reason: str, detail: str) -> None:
        rejects["source"].append(sources[i])
        rejects["doc_id"].append(doc_id)
        rejects["reason"].append(reason)
        rejects["detail"].append(detail)

    for i in range(n):
        content = contents[i] or b""
        doc_id = hashlib.sha256(content).hexdigest()
        if not content.strip():
            reject(i, doc_id, EMPTY, f"The content is {len(content)} bytes with no visible characters.")
            continue
        fmt = (formats[i] or "").lower()
        is_html = fmt in HTML_FORMATS or bool(_HTML_PAGE.match(content[:512]))
        text, reason, detail = _decode_bytes(content, is_html)
        if text is None:
            reject(i, doc_id, reason, detail)
            continue
        controls = len(_CONTROL.findall(text)) if _CONTROL.search(text) else 0
        if controls > MAX_CONTROL_SHARE * len(text):
            reject(i, doc_id, BINARY, f"{controls} of {len(text)} characters are control characters.")
            continue
        if controls:
            text = _STRAY_CONTROL.sub("", text)
        title, author, published, url = (meta[c][i] for c in ("title", "author", "published_at", "url"))
        if is_html:
            text, h_title, h_author, h_date, banner = _extract_html(text)
            if not text.strip():
                reject(
                    i,
                    doc_id,
                    NO_MAIN_TEXT,
                    "The HTML page holds only a consent, cookie or subscription banner, no article text."
                    if banner
                    else "The HTML page has no extractable article text.",
                )
                continue
            title, author, published = title or h_title, author or h_author, published or h_date
        if not text.strip():
            reject(i, doc_id, EMPTY, "The decoded text contains only whitespace.")
            continue
        docs["doc_id"].append(doc_id)
        docs["source"].append(sources[i])
        docs["raw_text"].append(text)
        docs["title"].append(title)
        docs["author"].append(author)
        docs["published_at"].append(published)
        docs["url"].append(url)

    return pl.DataFrame(docs, schema=DOCUMENT_COLUMNS), pl.DataFrame(rejects, schema=REJECT_COLUMNS)
