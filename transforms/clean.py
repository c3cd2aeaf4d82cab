"""Clean stage: decoded text in, article text out, with every cut recorded and named.

How it works (all columns at once, no per-line Python):
1. Each document's `raw_text` is exploded into lines, remembering each line's character offsets in
   `raw_text`.
2. Each line is normalised: ftfy (only on lines a cheap regex flags as mojibake), zero-width and
   control characters dropped, exotic spaces to " ", NFC, bullets ("•", "●", "▪", ...) to "- ",
   runs of spaces collapsed, ends trimmed. These character edits are not recorded as spans. This and
   the line rules of step 3 are worked out once per distinct line (page furniture repeats) and
   joined back.
3. Line-level boilerplate rules (one named rule each) flag whole lines: short lines by their form
   (counters and widgets, one-line menus, link lead-ins, captions and image alt text, bylines, markup,
   English and Chinese platform chrome), paragraphs of up to 120 words only as disclosures or as
   chrome vocabulary in the site's voice. Context rules then look at the surviving lines in order (a
   reader comment section to the end of the document, a cookie banner with all its paragraphs and
   buttons, link lines after a "Read more:" lead-in, a network promo and the paragraph after it,
   repeated menu lines, later copies of a repeated paragraph or caption, runs of tiny menu lines, runs
   of related headlines, a promo block at the top, headline-like footer lines at the end), repeated
   until nothing changes. Every rule is a kind of page furniture, never one site's wording.
   A press release's trailer (About <Company>, safe harbor, media contacts, "###") goes to the end of
   the document as a comment section does; a line of contact details (phones, e-mails) goes anywhere.
4. Surviving lines are joined back; any run of blank lines becomes one paragraph break.

`removed_spans` offsets are 0-based, end-exclusive CHARACTER offsets into the decoded `raw_text`
(before normalisation), so `raw_text[start:end] == text`; consecutive lines cut by the same rule form
one span. Documents that end up empty, too short or mostly boilerplate go to `rejects` (and are not
in `documents`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import polars as pl
import pyarrow as pa
from numba import njit

from transforms.text import frame_schema, sentence_spans, slice_spans
from warehouse.schemas import DOCUMENTS, QUARANTINE, REMOVED_SPANS

CLEAN_VERSION = "clean-2026.12.02.3"  # .3: sentences capped at 2,000 characters (transforms.text)

# Rule names (removed_spans.rule).
PROMO_BLOCK = "promo_block"
CALL_TO_ACTION = "call_to_action"
NEWSLETTER = "newsletter"
COOKIE_BANNER = "cookie_banner"
LINK_LEAD_IN = "link_lead_in"
RELATED_LINKS = "related_links"
RELATED_HEADLINES = "related_headlines"
NETWORK_PROMO = "network_promo"
ADVERTISEMENT = "advertisement"
PHOTO_CAPTION = "photo_caption"
SHARE_WIDGET = "share_widget"
TAG_LINE = "tag_line"
COPYRIGHT = "copyright"
BYLINE = "byline"
DATELINE = "dateline"
REPEATED_MENU = "repeated_menu"
NAVIGATION = "navigation"
DUPLICATE_PARAGRAPH = "duplicate_paragraph"
COUNTER = "counter"  # reading time, audio player, post/view/comment counters
DISCLOSURE = "disclosure"  # affiliate disclosures and platform disclaimers
MARKUP = "markup"  # HTML left in the text
READER_COMMENTS = "reader_comments"  # a comment section and everything after it
PRESS_RELEASE_TRAILER = "press_release_trailer"  # About <Company>, safe harbor, media contacts, "###"
CONTACT_DETAILS = "contact_details"  # a line of phone numbers and e-mail addresses (a contact block's)
FOOTER = "footer"  # headline-like lines that end the document
CHROME_VOCABULARY = "chrome_vocabulary"  # paragraphs dense with newsletter/subscription/sponsor words

# Reason codes (rejects.reason).
EMPTY_AFTER_CLEANING = "empty_after_cleaning"
TOO_SHORT = "too_short"
MOSTLY_BOILERPLATE = "mostly_boilerplate"

# A news item with fewer words than this after cleaning is a stub, teaser or error page (a headline
# or one line); the shortest real wire briefs, two sentences, hold 25-30 words. The floor counts words,
# not characters, so it means the same in every script: see WORD_PATTERN. A run parameter (min_words).
MIN_CLEAN_WORDS = 20
# Scripts written without spaces between words, counted one character per word: a Han character (or
# kana) carries about as much as an English word (a morpheme; by the translators' rule of thumb 1,000
# English words come out as about 1,500-1,800 Chinese characters, so this errs towards keeping).
_UNSPACED = r"\p{Han}\p{Hiragana}\p{Katakana}"
# One "word": an unspaced-script character, or a whitespace-delimited token of any other script that
# holds a letter or digit ("$2.5bn" is one, a lone "—" none). Thai, Lao, Khmer and Myanmar also go
# unspaced but their characters are letters, not morphemes: a space-delimited run counts as one word.
WORD_PATTERN = rf"[{_UNSPACED}]|[^\s{_UNSPACED}]*[[\p{{L}}\p{{N}}]--[{_UNSPACED}]][^\s{_UNSPACED}]*"
# Reject when rules cut more than this share of the (stripped) raw characters: what is left is rarely
# the article (menus, link farms, promo pages).
MAX_BOILERPLATE_SHARE = 0.8
# Language id looks at the start of the text only; below LANG_MIN_CHARS or LANG_MIN_PROB it is `und`.
LANG_SAMPLE_CHARS = 600  # enough for a confident guess; the classifier costs ~0.8 ms per 1000 chars
LANG_MIN_CHARS = 20
LANG_MIN_PROB = 0.5
# The pre-check that spares the classifier: with at least LANG_SURE_CHARS letters in the sample, a text
# that is mostly Han (and has no kana/hangul) is `zh`, and a text in ASCII letters where English-only
# function words ("the", "which"; none that are also German, French or Dutch words, like "in", "was",
# "on", "of") make 8% of the words is `en` (English news: 5-25%, 1% below 7%). On the seeds and on 55 MB
# of varied news text the classifier agreed on every such text.
LANG_SURE_CHARS = 200
LANG_SURE_SHARE = 0.5
LANG_ASCII_SHARE = 0.97
LANG_EN_FUNCTION_SHARE = 0.08
_EN_FUNCTION_WORDS = (
    r"(?i)(?-u:\b)(?:the|and|that|with|this|from|have|has|for|are|its|which|were|been|would|said)(?-u:\b)"
)
PROMO_WINDOW = 15  # a top-of-document promo block is looked for in the first N non-blank lines
MAX_LINKS_AFTER_LEAD_IN = 8
MAX_CONTEXT_PASSES = 5

# Output columns, read off the warehouse schema (the flow adds the versions of later stages and run_id).
DOCUMENT_COLUMNS = frame_schema(DOCUMENTS, drop=("gazetteer_version", "extractor_version", "run_id"))
SPAN_COLUMNS = frame_schema(REMOVED_SPANS)
REJECT_COLUMNS = frame_schema(QUARANTINE, drop=("run_id", "stage", "quarantined_at"))


class CleanResult(NamedTuple):
    """Cleaned documents, what was cut from them, and the documents held back."""

    documents: pl.DataFrame
    removed_spans: pl.DataFrame
    rejects: pl.DataFrame


# --- character-level normalisation -------------------------------------------------------------------

# Windows-1252/Latin-1 mojibake of UTF-8 ("â€™", "Ã©"): the only lines ftfy is called on.
_MOJIBAKE = (
    r"[ÂÃâÅÆÐÑØ][\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    r"\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]|ï»¿|ï¿½"
)
# Zero-width characters that carry no meaning here. ZWNJ (U+200C) is kept: Persian and Indic scripts
# need it.
_ZERO_WIDTH = r"[\u200b\u200d\u2060\ufeff\u00ad\u180e]"
_SPACES = r"[\t\x0b\x0c\x85\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
_CONTROLS = r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\r]"
_BULLET = r"^[•●▪◦‣∙■□►▸◆◇❖➢➤]\s*"
_INVISIBLE = _ZERO_WIDTH[:-1] + _SPACES[1:-1] + _CONTROLS[1:]
# Characters that NFC leaves alone wherever they stand: no decomposition, combining class 0, never the
# second half of a composition (checked against unicodedata over all code points when this was written).
_NFC_STABLE = (
    r"[\x00-\u02ff\u2010-\u2027\u2030-\u205e\u20a0-\u20c0\u3000-\u3029\u3030-\u303f\u4e00-\u9fff"
    r"\uff01-\uff60\U0001f300-\U0001faff]"
)
_NFC_STABLE_LINE = rf"^{_NFC_STABLE}*$"


def _fix_mojibake(lines: pl.Series) -> pl.Series:
    import ftfy

    # Keep meaningful characters: no quote uncurling, no width folding, no ligature splitting.
    cfg = ftfy.TextFixerConfig(
        unescape_html=False,
        uncurl_quotes=False,
        fix_character_width=False,
        fix_latin_ligatures=False,
        normalization="NFC",
        explain=False,
    )
    return pl.Series(lines.name, [ftfy.fix_text(s, cfg) for s in lines.to_list()], dtype=pl.String)


def _strip_chars(e: pl.Expr) -> pl.Expr:
    return e.str.replace_all(_ZERO_WIDTH, "").str.replace_all(_SPACES, " ").str.replace_all(_CONTROLS, "")


def _where(values: pl.Series, mask: pl.Series, edit: pl.Expr) -> pl.Series:
    """`values` with `edit` (an expression of pl.col(values.name)) applied to the rows in `mask` only.

    `pl.when(mask).then(edit)` would still run `edit` on every row; most lines need none of these edits.
    """
    idx = mask.arg_true()
    if idx.len() == 0:
        return values
    return values.scatter(idx, values.gather(idx).to_frame().select(edit).to_series())


# A line none of the edits below would change matches none of these: no invisible character, no
# mojibake, only characters NFC leaves alone, no bullet, no whitespace at either end or next to more.
_NEEDS_EDIT = rf"{_INVISIBLE}|{_MOJIBAKE}|[^{_NFC_STABLE[1:]}|{_BULLET}|^\s|\s$|\s\s"


def _normalise(lines: pl.DataFrame) -> pl.DataFrame:
    """Add `line`: the normalised text of `raw` (ftfy only where mojibake is likely)."""
    text = lines["raw"].alias("line")
    idx = text.str.contains(_NEEDS_EDIT).arg_true()
    if idx.len():
        text = text.clone().scatter(idx, _normalised(text.gather(idx)))
    return lines.with_columns(text)


def _normalised(text: pl.Series) -> pl.Series:
    """The normalised text of each line in `text` (a Series named "line")."""
    line = pl.col("line")
    # Invisible characters go first, so the mojibake check sees what the reader will see.
    text = _where(text, text.str.contains(_INVISIBLE), _strip_chars(line))
    moj = text.str.contains(_MOJIBAKE)
    if moj.any():
        idx = moj.arg_true()
        # Strip again: ftfy may decode to a no-break space or a control character.
        fixed = _fix_mojibake(text.gather(idx)).to_frame().select(_strip_chars(line)).to_series()
        text = text.scatter(idx, fixed)
    # NFC changes nothing on a line made of characters that never (de)compose: ASCII, Latin-1, CJK, ...
    text = _where(text, ~text.str.contains(_NFC_STABLE_LINE), line.str.normalize("NFC"))
    return (
        text.to_frame()
        .select(
            line.str.strip_chars().str.replace(_BULLET, "- ").str.replace_all(r" {2,}", " ").str.strip_chars()
        )
        .to_series()
    )


# --- line classification -----------------------------------------------------------------------------

_I = "(?i)"
_END_SENTENCE = r"[.!?。！？;；,，…][\"'”’)\]]*$"
_TITLE_START = r"^[\p{Lu}\p{N}\"'“‘(]"
_URL = r"(?i)https?://|www\.\S"

_ADVERTISEMENT = (
    _I + r"^\W*(?:ad|ads|advert|advertisement|advertising|sponsored(?: content| post)?|promoted(?: content)?|"
    r"paid (?:content|post|partnership)|story continues below(?: advertisement)?|"
    r"(?:article|story) continues below|continue reading below|scroll to continue(?: with content)?|"
    r"广告|推广|赞助内容|anzeige|werbung|publicité|publicidad|pubblicità)"
    r"(?:\W+(?:scroll|continue|story|article)[\w ]*)?\W*$"
)
_SHARE_WORDS = (
    r"share(?: this| on| via)?(?: article| story| post| page)?|tweet|email|e-mail|print|copy link|"
    r"whatsapp|facebook|twitter|x|linkedin|reddit|pinterest|telegram|flipboard|weibo|wechat|threads|bluesky|"
    r"分享到|分享至|转发到|微博|微信|朋友圈|qq空间"
)
_SHARE_WIDGET = _I + rf"^(?:(?:{_SHARE_WORDS})[\s|·•,/:：、\-]*){{1,10}}$"
_SHARE_WORD = _I + r"\bshare\b|分享|转发"
_NETWORKS = _I + r"\b(?:facebook|twitter|linkedin|reddit|pinterest|whatsapp|telegram|flipboard|weibo)\b"
_COOKIE = (
    _I + r"\bwe use cookies\b|\b(?:site|website|page) uses cookies\b|"
    r"\bcookie (?:policy|settings|preferences|consent)\b|"
    r"\baccept (?:all )?cookies\b|\bby continuing to (?:use|browse)\b"
)
_NEWSLETTER = (
    _I + r"\b(?:our|free|daily|weekly) newsletters?\b|"
    r"\b(?:lands?|delivered|straight) (?:in|to|into) your inbox\b|"
    r"\bsign up (?:for|to) (?:our|the|my)\b|^(?:subscribe|sign up|join|get|grab)\b.*\b(?:newsletter|inbox)\b|"
    r"\bgrab it (?:for )?free\b|\bsubscribe (?:now|today|for free|to our)\b"
)
_CALL_TO_ACTION = (
    _I + r"^(?:(?:originally )?published (?:via|on) \S[^.!?]{0,40}[.!]?$|via \S[^.!?]{0,30}$|"
    r"扫码|扫描二维码|长按(?:识别|二维码)|关注(?:我们|公众号|微信|官方)|点击关注|"
    r"关注[^\s,，。]{1,12}[,，][^\s。]{0,20}[!！]$|阅读原文|"
    r"点击(?:这里|下方|阅读|查看)|下载\S{0,8}(?:app|客户端)|本文来自|原标题[:：]|"
    r"click here|tap here|download (?:our|the) app|follow us (?:on|for)|join (?:us|our) on|"
    r"like us on|get the app|don[’']t miss (?:out|a)|to read the full (?:article|story)|"
    r"this (?:article|story|content) (?:is|was) (?:originally )?(?:published|produced) (?:by|on|in)\b)"
)
_PHOTO_CAPTION = (
    _I + r"^\W*(?:photo|photos|photograph|image|images|picture|pic|video|illustration|graphic|file photo|"
    r"featured image|cover image|credit|credits|source image|photo illustration)s?"
    r"(?:\s+(?:credit|credits|courtesy|source|by))?\s*[:：|]|"
    r"^(?:photo|image|picture|illustration)s? (?:by|courtesy of)\b|"
    r"\((?:[^()]*[/|;,]\s*)?(?:getty images|reuters|afp|ap photo|ap|shutterstock|istock|bloomberg|xinhua|"
    r"file photo|epa|dpa|alamy|unsplash)(?:\s*(?:via|/)[^()]*)?\)\s*$|\|\s*(?:getty images|reuters|afp)\s*$|"
    # A caption's credit glued to its end, and image alt text ("Site logo", "Facebook Social Icon").
    r"\((?:image|photo|picture|foto|illustration)s?\s*(?:credit)?\s*[:：][^()]{1,60}\)\s*$|"
    r"^\W*\S+(?:\s\S+)?\s(?:logo|icon|social icon|avatar|thumbnail|profile (?:picture|photo))$"
)
# A caption's credit line ("Cover photo: Jane Doe"): the credit after the label (group 1) has at most
# PHOTO_CREDIT_MAX_CHARS characters after its capital, checked apart (`_photo_caption`): as a {0,30}
# repeat of \p{L} it took 9 ms to compile, in every batch (see MENU_ITEM_MAX_CHARS).
PHOTO_CREDIT_MAX_CHARS = 30
_PHOTO_CREDIT = _I + r"^\S+(?:\s\S+){0,3}\s(?:photo|image|picture)s?\s*[:：]\s*(?-i:\p{Lu})([\p{L}/&.\- ]*)$"
_TAG_LINE = (
    _I
    + r"^(?:tags?|tagged|topics?|keywords?|filed under|categories|category|tickers?|related tickers?)\s*[:：]"
    r"|^(?:\$[A-Za-z]{1,6}|#[\p{L}\p{N}_]+)(?:[\s,]+(?:\$[A-Za-z]{1,6}|#[\p{L}\p{N}_]+))*$"
)
_COPYRIGHT = _I + r"^(?:©|\(c\)|copyright\b)|\ball rights reserved\b"
_BYLINE_LABEL = (
    r"^(?:责任编辑|本文编辑|编辑|作者|记者|撰文|校对|审核|来源|出品|策划|文|图)\s*[:：]\s*(\S.*)$|"
    r"^(?:- )?(?i:source|sources|author|authors|writer|writers|written by|words by|text by|editor|edited by|"
    r"reporter|reported by|reporting by|compiled by|byline|contributor|contributors)\s*[:：]\s*(\S.*)$"
)
_BYLINE_BY = r"^(?i:by)\s+(\p{Lu}[\p{L}.'’\-]*(?:(?:,\s*|\s+|\s+and\s+|\s*&\s*)\p{Lu}[\p{L}.'’\-]*){0,5})$"
_AUTHOR_LABEL = (
    r"^(?:- )?(?i:author|authors|writer|written by|words by|text by|reporter|reported by|reporting by|byline)"
    r"\s*[:：]\s*(\S.*)$"
)
# Month names of German, French, Spanish and Italian datelines, a closed vocabulary (the languages' full
# month names, lower case), mapped to the English name `_parse_date` reads.
_FOREIGN_MONTHS = {
    **dict.fromkeys(("januar", "jänner", "janvier", "enero", "gennaio"), "january"),
    **dict.fromkeys(("februar", "février", "febrero", "febbraio"), "february"),
    **dict.fromkeys(("märz", "mars", "marzo"), "march"),
    **dict.fromkeys(("avril", "abril", "aprile"), "april"),
    **dict.fromkeys(("mai", "mayo", "maggio"), "may"),
    **dict.fromkeys(("juni", "juin", "junio", "giugno"), "june"),
    **dict.fromkeys(("juli", "juillet", "julio", "luglio"), "july"),
    **dict.fromkeys(("août", "agosto"), "august"),
    **dict.fromkeys(("septembre", "septiembre", "setiembre", "settembre"), "september"),
    **dict.fromkeys(("oktober", "octobre", "octubre", "ottobre"), "october"),
    **dict.fromkeys(("novembre", "noviembre"), "november"),
    **dict.fromkeys(("dezember", "décembre", "diciembre", "dicembre"), "december"),
}
_MONTH = (
    rf"(?:(?:{'|'.join(sorted(_FOREIGN_MONTHS, key=len, reverse=True))})\b|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?)"
)
# Month first ("Nov. 20, 2026"), day first in English and the continental forms ("21. November 2026",
# "le 22 octobre 2026", "1er mars 2026", "5 de noviembre de 2026", "5 novembre 2026"), or ISO.
_DATE = (
    rf"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|"
    rf"(?:le\s+)?\d{{1,2}}(?:er)?\.?\s+(?:de\s+)?{_MONTH},?\s+(?:de\s+|del\s+)?\d{{4}}|"
    r"\d{4}-\d{2}-\d{2}|\d{4}/\d{1,2}/\d{1,2})"
)
# A place opening a dateline, in capitalised words, up to three comma-separated ("SAN JOSE, Calif.,").
_PLACE = r"(?:\p{Lu}[\p{L}.'’\-]*(?:\s+\p{Lu}[\p{L}.'’\-]*){0,3},\s+){0,3}"
_DATELINE = (
    rf"^{_PLACE}"
    r"(?i:(?:(?:first |last )?(?:published|posted|updated)|date)(?:\s+(?:on|at))?\s*[:：]?\s*)?"
    rf"(?i:({_DATE}))"
    r"(?i:(?:,?\s*(?:at\s*)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?)?(?:\s*\(?(?:utc|gmt|[a-z]{2,4}t)\)?)?)"
    r"(?i:\s*[|·•,\-–]?\s*(?:updated|last updated)\b[^.!?]{0,40})?\s*$"
)
# A wire dateline opening a body paragraph: an optional place in capitalised words ("SAN JOSE, Calif.,"),
# a date with its year, an optional agency credit ("/PRNewswire/", "(Newsfile Corp.)"), then a dash
# before the story ("LYON, France, Nov. 20, 2026 /PRNewswire/ -- Acme ..."). The line is kept (the
# story goes on after the dash); the date fills published_at when no dateline line gave one. A dateline
# without a year: _WIRE_DATELINE_NO_YEAR.
_WIRE_DATELINE = (
    rf"^{_PLACE}(?i:({_DATE}))"
    r"\s*(?:/[^/]{2,40}/|\([^)]{2,40}\))?\s*(?:--|[-–—])\s"
)
# A month name as a yearless date writes it: whole, or its usual abbreviation ("Marching 5" names no
# month, as _MONTH's "mar[a-z]*" would let it), English or continental (_FOREIGN_MONTHS).
_MONTH_WORD = (
    rf"(?:{'|'.join(sorted(_FOREIGN_MONTHS, key=len, reverse=True))}|jan(?:uary)?|feb(?:ruary)?|"
    r"mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|"
    r"dec(?:ember)?)\b\.?"
)
_MONTH_DAY = rf"(?:{_MONTH_WORD}\s+\d{{1,2}}|\d{{1,2}}\.?\s+{_MONTH_WORD})\b"
_CREDIT = r"(?:/[^/]{2,40}/|\([^)]{2,40}\))"
# A wire dateline without its year ("TOKYO, Nov. 28 (Reuters) -", "March 3 (AP) —"): a place or an
# agency credit or both (a bare "June 3 — " opens sentences and date ranges too), then the dash. Its year
# is the one that puts the date last on or before the document's reference time (`_resolve_year`).
_WIRE_DATELINE_NO_YEAR = (
    rf"^(?:\p{{Lu}}[\p{{L}}.'’\-]*(?:\s+\p{{Lu}}[\p{{L}}.'’\-]*){{0,3}},\s+){{1,3}}(?i:({_MONTH_DAY}))"
    rf"\s*{_CREDIT}?\s*(?:--|[-–—])(?:\s|$)|^(?i:({_MONTH_DAY}))\s*{_CREDIT}\s*(?:--|[-–—])(?:\s|$)"
)
# Wire-service credit lines: "Reporting by X in Beijing; Editing by Y".
_CREDITS = r"^(?i:(?:additional )?(?:reporting|writing|editing|research|compiled|graphics) by)\s"
# Site chrome that trafilatura or a copy-paste leaves behind.
_NAVIGATION = (
    r"^(?i:skip to (?:the )?(?:main )?(?:content|navigation|main|article)|jump to (?:content|navigation)|"
    r"toggle navigation|(?:main |open |close )?menu|search|sign in|log in|sign out|register|subscribe|"
    r"back to top|go to top|top of (?:the )?page|print this (?:page|article)|listen to (?:this )?article|"
    r"purchase licensing rights|"
    r"reprints?(?: & permissions)?)\W*$"
)
# "Updated 2 hours ago": a relative timestamp, which carries no date to parse.
_RELATIVE_DATELINE = (
    r"^(?i:(?:(?:last )?(?:updated|published|posted)\s*[:：]?\s*)?(?:\d+|an?|one)\s+"
    r"(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?)\s+ago)$"
)
_DATE_FORMATS = ("%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d", "%Y/%m/%d")
_LEAD_IN = (
    r"^(?i:read more|read also|also read|read next|read on(?:,? my dear)?|see also|more reading|"
    r"related(?: articles?| stories| story| coverage| news| posts?| reading| content| links?)?|"
    r"more from [^:：]{1,40}|more on (?:this|that)(?: story| topic)?|"
    r"recommended(?: for you| stories| reading)?|"
    r"further reading|you (?:may|might) also (?:like|enjoy)|why (?:this|it) matters|what to read next|"
    r"editor[’']?s picks?|trending(?: now| stories)?|most (?:popular|read)|top stories|latest news|"
    r"in case you missed it|other news|suggested topics|related topics|more about|related \p{L}+|"
    r"latest (?:from|in) [^:：]{1,40}|more (?:in|from) this (?:category|section)|"
    r"推荐阅读|相关阅读|延伸阅读|相关文章|相关新闻|热门推荐|猜你喜欢|更多精彩)"
    r"\s*(?:[:：\-–—|»>]+\s*|$)(.*)$"
)
# Lead-ins that introduce a link even when text follows on the same line.
_STRONG_LEAD_IN = (
    r"^(?i:read more|read also|also read|read next|see also|related|more from|recommended|"
    r"推荐阅读|相关阅读|延伸阅读|相关文章|相关新闻)"
)
_NETWORK_PROMO = (
    r"^(?i:let[’']?s (?:talk|connect|chat|work together)|get in touch|contact us|work with us|"
    r"about (?:the )?authors?|about us|join (?:our|the) (?:network|community|team)|"
    r"become a (?:contributor|member|partner)|partner with us)\W*$"
)
_PROMO = (
    _I + r"\b(?:contest|giveaway|prize pool|prizes?|airdrop|sweepstakes?|is now live|now live|event period|"
    r"how to participate|participate|promo code|coupon|limited[- ]time|register now|sign up now|join now|"
    r"claim (?:your|now)|win (?:up to|a share)|rewards?|exclusive|celebrate|bonus|campaign)\b|#\w+#"
)
_EMOJI_LEAD = r"^\p{Extended_Pictographic}"
# A line cut off mid-sentence: ends on a function word, without punctuation.
_TRUNCATED = (
    _I + r"\b(?:the|a|an|of|or|and|to|its|their|his|her|for|in|on|at|by|with|from|that|which|as|is|are)$"
)

# Counters and widgets: reading time ("4 min read", "2 min Reading Time"), audio players, and the
# post/view/comment counters of forums and comment boxes ("Posts: 223", "1.2K views", "0条评论").
_COUNTER = (
    _I + r"\b\d+\s*(?:-\s*)?(?:min|mins|minutes?)\.?\s+(?:read|reading(?: time)?|read time|listen(?:ing)?)\b|"
    r"^(?:listen|read|audio)\W{1,3}\d+\s*(?:min|mins|minutes?)\b|"
    r"^(?:posts|comments|replies|views|likes|shares|followers|reputation|points|karma)\s*[:：]\s*\d|"
    r"^\d[\d,.]*\s*[km]?\s+(?:comments?|replies|views|likes|shares)$|"
    r"^(?:listen|play|pause)(?: to)?(?: this)? (?:article|story|audio|episode)\b|"
    r"^\d{1,2}:\d{2}(?:\s*/\s*\d{1,2}:\d{2})?$|^\d+\s*(?:条评论|人阅读|次阅读|阅读|赞|人点赞)$|^阅读\s*[:：]?\s*\d"
)
_COUNTER_WORDS = r"(?i)\d|listen|play|pause"
# Affiliate disclosures and platform disclaimers (English and Chinese): the site speaking about
# itself, never the story.
_DISCLOSURE = (
    _I + r"\baffiliate (?:links?|commissions?|partners?|programs?|marketing)\b|"
    r"\b(?:we|i) (?:may )?(?:earn|receive|get) (?:a )?(?:small )?(?:commission|compensation)\b|"
    r"^(?:disclaimer|disclosure|editorial disclosure|notice)\s*[:：]|"
    r"\b(?:uploaded|posted) by (?:a|an|our) (?:user|member|contributor)s?\b|"
    r"\bonly provides? information storage services?\b|"
    r"\bdoes not constitute (?:investment|financial|legal) advice\b|"
    r"\bviews expressed (?:here |in this \w+ )?are (?:those of the author|solely)\b|"
    r"免责声明|特别声明|^声明\s*[:：]|仅提供信息存储服务|不构成(?:任何)?投资建议|本文(?:为|系)(?:企业|商业|品牌)?(?:推广|广告)|"
    r"仅代表作者(?:本人)?观点|不代表本(?:站|网|平台)|转载请注明|未经授权[,，]?禁止转载"
)
_DISCLOSURE_WORDS = (
    r"ffiliate|FFILIATE|ommission|ompensation|isclaimer|ISCLAIMER|isclosure|ISCLOSURE|otice|OTICE|ploaded|"
    r"osted by|torage|dvice|iews expressed|声明|推广|观点|存储|建议|不代表|转载"
)
# HTML that extraction left in the text: a line that opens with a tag.
_MARKUP = (
    r"^</?(?i:p|div|span|a|small|br|img|li|ul|ol|section|figure|figcaption|script|style|iframe|noscript|"
    r"strong|em|b|i|h[1-6]|table|tr|td|th|blockquote|footer|header|nav|aside)\b[^>]*>"
)
# A menu or breadcrumb on one line: 3+ short label items split by | · / » > and no figures
# ("Home > Tech > AI", "USA | Europe | Asia"). A table row of figures has digits and stays.
# An item is a letter and then up to 24 more; the length is checked apart (`_menu_line`): a bounded repeat
# of \p{L} ({0,24}) made this the costliest regex of the stage to compile (19 ms, and polars' cache of
# 32 compiled regexes per thread does not hold the stage's 70, so it was compiled in every batch).
MENU_ITEM_MAX_CHARS = 25
_MENU_ITEM = r"\p{L}[\p{L}&'’.\- ]*"
_MENU_LINE = rf"^{_MENU_ITEM}(?:\s*[|·•»>/]\s*{_MENU_ITEM}){{2,}}$"
_MENU_SEPARATED = r"[^|·•»>/]+"  # an item with the whitespace around it
# Its first pass: every character is one _MENU_LINE allows, and one is a separator.
_MENU_CHARS = r"[\p{L}&'’.\-\s|·•»>/]"
_MENU_LINE_CHARS = rf"^{_MENU_CHARS}*[|·•»>/]{_MENU_CHARS}*$"
# Where a reader comment section starts: its heading, a prompt to comment, or the first comment's
# author line ("Posts: 223; Member since: ...").
_COMMENT_MARKER = (
    _I + r"^(?:\d+\s+)?(?:comments?|reader comments|user comments|show comments|view comments|"
    r"load comments|add a comment|post a comment|leave a (?:comment|reply)|write a comment|"
    r"join the (?:discussion|conversation)|no comments yet|be the first to comment|comments are closed)"
    r"(?:\s*\(\d+\))?\W*$|"
    r"\blet us know (?:what you think |your thoughts )?in the comments\b|\bmember since\s*[:：]|"
    r"^(?:posts|replies)\s*[:：]\s*\d|"
    r"^(?:网友评论|发表评论|评论区|全部评论|最新评论|热门评论|我要评论)|^\d+\s*条评论|请登录后.{0,6}评论|请文明发言"
)
_COMMENT_WORDS = (
    r"omment|OMMENT|iscussion|onversation|ember since|EMBER SINCE|osts|OSTS|eplies|EPLIES|评论|发言"
)
# A comment section must start in the lower part of the document (by characters), or a comment counter
# under the headline would take the article with it.
COMMENTS_MIN_POSITION = 0.4
# A press release's trailer (the release as a newswire distributes it): the company's boilerplate
# ("About <Company>", "Über <X>", "À propos de <X>"), the legal paragraphs ("Forward-Looking Statements",
# "Safe Harbor Statement", "Cautionary Statement"), the contact blocks ("Media Contact", "Investor
# Relations", "Pressekontakt", "Contact presse") and the wire's end marks ("###", "-30-"). A closed
# vocabulary of the section headings newswire style guides prescribe (English, German, French), matched
# on heading lines only (TRAILER_HEADING_MAX_WORDS) or, for the legal headings, as a paragraph's run-in
# heading ("Safe Harbor Statement: This release ..."). Group 1 is the run-in heading's text.
_TRAILER_LEGAL = (
    r"cautionary (?:note|statement|language)s?|"
    r"(?:cautionary|special|important) (?:note|statement|information)s? "
    r"(?:regarding|concerning|about|on|relating to) forward[- ]looking (?:statements|information)|"
    r"forward[- ]looking (?:statements?|information)(?: disclaimer| statement)?|"
    r"safe[- ]harbou?r(?: statement| provision| disclaimer)?s?|"
    r"zukunftsgerichtete aussagen|zukunftsbezogene aussagen|"
    r"(?:déclarations|énoncés|informations) prospectives"
)
_TRAILER_HEADING = (
    r"^(?:#{1,6}\s+)?[*_]*(?:"
    # "About Orbel Systems", "About Orbel S.A.": a name, no sentence ("About Orbel, the regulator said");
    # ", Inc. (NASDAQ: X)" and "S.A." are the name's; ", the" or ". The" start a sentence.
    r"(?i:about|über|à propos d[e'’]|a propos d[e'’])\s*\p{Lu}(?:[^,;!?.。]|\.\S|\.\s\(|,\s?\p{Lu})*\.?|"
    r"(?i:about (?:the )?company|über (?:das unternehmen|uns)|à propos de (?:la société|nous))|"
    rf"(?i:{_TRAILER_LEGAL}|"
    r"(?:media|press|investor|analyst|company)(?: (?:and|&) (?:media|press|investor|analyst)s?)? "
    r"(?:contacts?|relations|inquiries|enquiries)|"
    r"contacts?|contact information|for (?:further|more|additional) information(?:,? (?:please )?contact)?|"
    r"pressekontakt|medienkontakt|kontakt|ansprechpartner(?:in)?|"
    r"contacts? (?:presse|médias?|investisseurs)|relations? (?:presse|investisseurs)))"
    r"[*_]*\s*[:：]?[*_]*$|"
    r"^(?:#{3}|-\s?30\s?-)$"
)
_TRAILER_RUN_IN = rf"^[*_]*(?i:({_TRAILER_LEGAL}))[*_]*\s*[:：—]\s*\S"
# Case-sensitive literal stems (as _CHROME_VOCABULARY_WORDS), a fast first pass for the two patterns.
_TRAILER_WORDS = (
    r"bout|BOUT|ber|BER|ropos|ROPOS|ooking|OOKING|arbo|ARBO|autionary|AUTIONARY|ontact|ONTACT|elations|"
    r"ELATIONS|nquiries|NQUIRIES|nformation|NFORMATION|ontakt|ONTAKT|nsprechpartner|ussagen|rospectives|#|30"
)
# A run-in heading opens its line: an anchored first pass looks at the line's start only.
_TRAILER_RUN_IN_START = (
    r"(?i)^[*_]*(?:forward|safe|cautionary|special|important|zukunfts|d[ée]cl|[ée]nonc|informations)"
)
TRAILER_HEADING_MAX_WORDS = 10
# A trailer starts in the lower part of the document (by characters), as a comment section does (see
# COMMENTS_MIN_POSITION), but lower: a release's legal paragraphs alone can run as long as its body.
TRAILER_MIN_POSITION = 0.25
# A line of contact details: phone numbers (international "+1 408 555 0142", "+49 (0)30 1234 567";
# North American "(408) 555-0142"; any digits after a phone label) and e-mail addresses, with labels,
# a name and a job title around them ("Jane Roe, Head of Communications, +1 ...") but no sentence: once
# the details go, what is left has at most CONTACT_REST_MAX_WORDS words and at most one lowercase word
# of 4+ letters (a title's "of"/"and" are shorter; "Residents can call the hotline at ..." has more).
# (ASCII classes, (?-u): cheaper to compile, and lines are normalised to plain spaces by now.)
_EMAIL = r"(?-u:[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+)"
_PHONE_LABEL = (
    r"(?i:(?-u:\b)(?:(?:tel|tél|phone|telephone|téléphone|telefon|mobile|mobil|cell|fax|handy|portable|ph|"
    r"e-?mail|courriel|mail)\.?\s*[:：]?|[tmpfe]\.?\s*[:：])\s*)"
)
_PHONE = (
    r"(?-u:\+\d{1,3}[\s.\-]?(?:\(\d{1,4}\)[\s.\-]?)?\d{1,4}(?:[\s.\-/]\d{2,5}){2,4}|"
    r"(?:\(\d{3}\)\s?|\b\d{3}[.\-\s])\d{3}[.\-]\d{4}\b)|"
    rf"{_PHONE_LABEL}(?-u:\(?\d[\d\s().\-/]{{5,}}\d)"
)
_CONTACT = rf"{_EMAIL}|{_PHONE}"
_CONTACT_STRIP = rf"{_EMAIL}|{_PHONE}|{_PHONE_LABEL}|https?://\S+|www\.\S+"
# First passes (literal bytes, and an anchored label: a phone number without "+" or "(" needs one).
_CONTACT_WORDS = r"[@+(]"
_CONTACT_LABEL_START = (
    r"(?i)^(?:tel|phone|telephone|telefon|mobile|mobil|cell|fax|handy|ph|t|m|p|f)\.?\s*[:：]"
)
CONTACT_REST_MAX_WORDS = 8
CONTACT_MAX_WORDS = 20
# Paragraphs dense with newsletter/subscription/sponsor/course vocabulary, in the site's voice
# ("Join over 10,000 subscribers ... become a sponsor"). Source of the vocabulary: the chrome classes
# the issue lists (newsletter, subscribe, affiliate, course and community promos).
_CHROME_VOCABULARY = (
    _I + r"\b(?:newsletters?|subscribe|subscribers|subscription|unsubscribe|inbox|sign up|sponsors?|"
    r"sponsorship|advertise|advertisers|affiliate|premium membership|free trial|courses?|lessons?|"
    r"certification|webinars?|enrol\w*|promo code|discount code|podcast|(?:stay|keep) up to date|"
    r"latest (?:news|updates|developments)|don[’']t miss|join (?:over|thousands|\d|our|us))\b"
)
# Case-sensitive literal stems (each cased form of a first letter left out) are the fastest first pass.
_CHROME_VOCABULARY_WORDS = (
    r"ewsletter|EWSLETTER|ubscri|UBSCRI|nbox|ign up|IGN UP|ponsor|PONSOR|dvertis|ffiliate|ourse|esson|"
    r"ertific|"
    r"ebinar|nrol|romo code|iscount code|odcast|p to date|atest|on't miss|on’t miss|oin "
)
_SITE_VOICE = r"(?i)(?-u:\b)(?:you|your|we|our|us)(?-u:\b)"
CHROME_VOCABULARY_MIN_HITS = 3
CHROME_VOCABULARY_MIN_SHARE = 0.05  # hits per word
CHROME_VOCABULARY_MAX_WORDS = 120
# A cookie/consent banner: a paragraph in the site's voice about cookies with other consent words;
# the banner's other paragraphs and buttons around it go with it.
_CONSENT = (
    _I + r"\b(?:cookies?|consent|privacy|partners|personal data|legitimate interest|vendors|preferences|"
    r"opt[- ]out|tracking|store and/or access|device|advertising|measurement|accept|reject|manage)\b"
)
_CONSENT_BUTTON = (
    _I + r"^(?:accept|reject|agree|i agree|i accept|(?:show|view) (?:purposes|vendors|partners)|decline|"
    r"allow|deny|manage|customi[sz]e|more options|learn more|"
    r"got it|ok|okay|settings|preferences|cookie settings|manage preferences|accept all|reject all|"
    r"allow all|necessary only|save (?:and|&) (?:close|exit))(?:\s+(?:all|cookies|settings|preferences))?\W*$"
)
# A footer line at the end of the document: a headline, label or clickbait title rather than prose.
# Title Case shows itself by its lowercase words: only function words (jusText's English stop-list).
_FIGURE = _I + r"[$€£¥]\s?\d|\d\s?%|\d(?:\.\d+)?\s?(?:bn|billion|million|trillion|亿|万)\b"


def _stopword_regex() -> str:
    """jusText's English stop-list (lowercase words only) as one case-sensitive alternation, each word
    starting after a space or the line start and ending at an ASCII word boundary."""
    import re

    import justext

    words = sorted(
        (w for w in justext.get_stoplist("English") if re.fullmatch(r"[a-z]+", w)), key=len, reverse=True
    )
    return r"(?:^|\s)(?:" + "|".join(words) + r")(?-u:\b)"


_LOWER_STOPWORDS = _stopword_regex()


# Unicode-aware \b makes the regex engine fall back to a slow path (measured 30x slower on these
# alternations); every keyword here is ASCII, so an ASCII word boundary is equivalent.
for _name in ("_SHARE_WORD", "_NETWORKS", "_COOKIE", "_NEWSLETTER", "_CALL_TO_ACTION", "_PHOTO_CAPTION",
              "_COPYRIGHT", "_PROMO", "_TRUNCATED", "_URL", "_COUNTER", "_DISCLOSURE", "_COMMENT_MARKER",
              "_CHROME_VOCABULARY", "_CONSENT", "_FIGURE"):  # fmt: skip
    globals()[_name] = globals()[_name].replace(r"\b", r"(?-u:\b)")


# A keyword every match of the slow keyword rules above contains, for a fast first pass (case folding as
# in the rule, so it never misses one).
_COOKIE_WORDS = r"(?i)cookie|by continuing to"
_NEWSLETTER_WORDS = r"(?i)newsletter|inbox|sign up|grab it|subscribe"
_PHOTO_CAPTION_WORDS = r"(?i)[:：|(]|photo|image|picture|illustration|logo|icon|avatar|thumbnail|profile"
_COPYRIGHT_WORDS = r"(?i)©|\(c\)|copyright|all rights reserved"


def _full(name: str, value: object, n: int, dtype: pl.DataType) -> pl.Series:
    """A Series of `n` times `value` (a Python list of that length costs ms per call)."""
    return pl.repeat(value, n, dtype=dtype, eager=True).alias(name)


def _only_where(mask: pl.Series, text: pl.Series, test: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """`test(text)` on the rows in `mask`, False elsewhere."""
    idx = mask.arg_true()
    out = _full(text.name, False, text.len(), pl.Boolean)
    return out.scatter(idx, test(text.gather(idx))) if idx.len() else out


def _contains_if(text: pl.Series, regex: str, words: str, within: pl.Series | None = None) -> pl.Series:
    """`text.str.contains(regex)`, run only on the lines that contain `words` (most lines have none),
    among the lines in `within` (all when None); False elsewhere."""
    return _only_where(_prefilter(text, words, within), text, lambda t: t.str.contains(regex))


def _prefilter(text: pl.Series, words: str, within: pl.Series | None) -> pl.Series:
    if within is None:
        return text.str.contains(words)
    return _only_where(within, text, lambda t: t.str.contains(words))


def _count_if(text: pl.Series, regex: str, words: str, within: pl.Series | None = None) -> pl.Series:
    """`text.str.count_matches(regex)`, run only on the lines that contain `words`, among the lines in
    `within` (all when None); 0 elsewhere."""
    idx = _prefilter(text, words, within).arg_true()
    out = _full(text.name, 0, text.len(), pl.Int64)
    return out.scatter(idx, text.gather(idx).str.count_matches(regex).cast(pl.Int64)) if idx.len() else out


def _split_lines(docs: pl.LazyFrame) -> pl.LazyFrame:
    """One row per line: _row, line_no, start/end (char offsets of the line without its terminator), raw."""
    # A line ends at "\r\n", "\r" or "\n". Splitting at "\n" is ten times faster than the regex, and
    # the same wherever there is no "\r".
    cr = pl.col("raw_text").str.contains("\r", literal=True)
    chunks = pl.concat(
        [
            docs.filter(~cr).select(
                "_row", pl.col("raw_text").str.split("\n", inclusive=True).alias("chunk")
            ),
            docs.filter(cr).select(
                "_row", pl.col("raw_text").str.extract_all(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+").alias("chunk")
            ),
        ]
    )
    # Chunks are in document order: per-document sums and counters are global ones restarted at each
    # document's first chunk (no window per document), and the terminator stripped off a line is as
    # many characters as bytes (no second character count); 0.057 -> 0.044 s on 23.5 MB.
    n, i = pl.col("n"), pl.int_range(pl.len())
    first = pl.col("_first")
    return (
        chunks.sort("_row")
        .explode("chunk")
        .filter(pl.col("chunk").is_not_null())
        .with_columns(pl.col("chunk").str.len_chars().cast(pl.Int64).alias("n"), _doc_start().alias("_first"))
        .with_columns(
            (n.cum_sum() - pl.when(first).then(n.cum_sum() - n).forward_fill() - n).alias("start"),
            pl.col("chunk").str.strip_chars_end("\r\n").alias("raw"),
            (i - pl.when(first).then(i).forward_fill()).alias("line_no"),
        )
        .with_columns(
            (
                pl.col("start")
                + n
                - (pl.col("chunk").str.len_bytes() - pl.col("raw").str.len_bytes()).cast(pl.Int64)
            ).alias("end")
        )
        .select("_row", "line_no", "start", "end", "raw")
    )


def _line_rules(lines: pl.DataFrame) -> pl.DataFrame:
    """Normalise `raw` into `line` (dropping `raw`) and add features and `rule` for the rules that judge a
    line on its own.

    Everything but the table-header test (which reads the next line) depends on the line's text alone,
    so it is worked out once per distinct line and joined back: page furniture (menus, share widgets,
    credits, blank lines) repeats within and across documents.
    """
    judged = _judge(_normalise(lines.select(pl.col("raw").unique())))
    judged = judged.with_columns(_wire_date(judged["line"]), _wire_month_day(judged["line"]))
    # An id per distinct normalised text, for the rules that look for copies of a line.
    ids = judged.select(pl.col("line").unique()).with_row_index("_lid")
    judged = judged.join(ids, on="line", how="left", maintain_order="left")
    # Joined back by a 64-bit hash of the raw text when no two distinct lines share one (a join on
    # integers instead of 16 MB of strings: 20 -> 12 ms), else by the text itself.
    key = judged["raw"].hash()
    if key.n_unique() == key.len():
        lines = lines.with_columns(pl.col("raw").hash()).rename({"raw": "_key"})
        judged = judged.with_columns(key).rename({"raw": "_key"})
    else:
        lines, judged = lines.rename({"raw": "_key"}), judged.rename({"raw": "_key"})
    lines = lines.join(judged, on="_key", how="left", maintain_order="left").drop("_key")
    # A one-line menu that is a table's header row (the next line has the same "|" separator) is no
    # menu: such lines take the rule the later rules give them.
    other = lines["rule"].ne_missing(lines["_rule_if_header"])
    at = other.arg_true().cast(pl.Int64)
    if at.len():
        nxt = (at + 1).clip(0, lines.height - 1)
        text, row = lines["line"], lines["_row"]
        header = (
            text.gather(at).str.contains("|", literal=True)
            & text.gather(nxt).str.contains("|", literal=True)
            & (row.gather(nxt) == row.gather(at))
            & (nxt != at)
        )
        at = at.filter(header)
        lines = lines.with_columns(lines["rule"].scatter(at, lines["_rule_if_header"].gather(at)))
    return lines.drop("_rule_if_header").with_columns(
        # Paragraph block = number of blank lines seen so far; runs of headlines stay within one block.
        pl.col("blank").cast(pl.Int64).cum_sum().over("_row").alias("block"),
    )


def _judge(lines: pl.DataFrame) -> pl.DataFrame:
    """Features and `rule` of each line of `lines` (distinct texts in `line`) on its own; `_rule_if_header`
    is the rule should the line be a table's header row (see _line_rules)."""
    line = pl.col("line")
    words = pl.col("words")
    lines = lines.with_columns(
        # Lines are trimmed with single spaces by now, so words = spaces + 1 (a regex for words is 3x
        # slower; polars counts a one-space regex twice as fast as the literal).
        pl.when(line == "").then(0).otherwise(line.str.count_matches(" ") + 1).cast(pl.Int64).alias("words"),
        line.str.len_chars().cast(pl.Int64).alias("chars"),
        (line.str.len_chars() == 0).alias("blank"),
        line.str.contains(_END_SENTENCE).alias("ends_sentence"),
    )
    short = words <= 40
    title_like = (
        words.is_between(3, 20)
        & (pl.col("chars") <= 160)
        & ~pl.col("ends_sentence")
        & ~line.str.ends_with(":")
        & ~line.str.ends_with("：")
        & line.str.contains(_TITLE_START)
    )
    link_like = (words <= 30) & (~line.str.contains(r"[.!?。！？][\"'”’)\]]*$") | line.str.contains(_URL))
    lead_in = pl.col("lead_in_rest").is_not_null() & (words <= 40)
    lead_in_cut = lead_in & (
        (pl.col("lead_in_rest") == "")
        | pl.col("_strong_lead_in")
        | ~pl.col("lead_in_rest").str.contains(r"[.!?。！？][\"'”’)\]]*$")
    )
    share = pl.col("_share")
    rule = (
        pl.when(pl.col("blank"))
        .then(None)
        .when(pl.col("_navigation"))
        .then(pl.lit(NAVIGATION))
        .when(pl.col("_advertisement"))
        .then(pl.lit(ADVERTISEMENT))
        .when(pl.col("_markup"))
        .then(pl.lit(MARKUP))
        .when((words <= 20) & pl.col("_counter"))
        .then(pl.lit(COUNTER))
        .when((words <= 60) & pl.col("_disclosure"))
        .then(pl.lit(DISCLOSURE))
        # A table's header row (followed by more rows with the same separator) is no menu.
        .when((words <= 30) & pl.col("_menu_line"))
        .then(pl.lit(NAVIGATION))
        # A comment section's heading standing where no comment section can start (see _reader_comments).
        .when((words <= 4) & pl.col("comment_marker"))
        .then(pl.lit(READER_COMMENTS))
        .when((words <= CONTACT_MAX_WORDS) & pl.col("_contact"))
        .then(pl.lit(CONTACT_DETAILS))
        .when(share)
        .then(pl.lit(SHARE_WIDGET))
        .when(short & pl.col("_cookie"))
        .then(pl.lit(COOKIE_BANNER))
        .when(short & pl.col("_newsletter"))
        .then(pl.lit(NEWSLETTER))
        .when(short & pl.col("_call_to_action"))
        .then(pl.lit(CALL_TO_ACTION))
        .when((words <= 30) & pl.col("_photo_caption"))
        .then(pl.lit(PHOTO_CAPTION))
        .when((words <= 30) & pl.col("_tag_line"))
        .then(pl.lit(TAG_LINE))
        .when((words <= 30) & pl.col("_copyright"))
        .then(pl.lit(COPYRIGHT))
        .when(
            (pl.col("_byline_label") & (words <= 14))
            | pl.col("_byline_by")
            | (pl.col("_credits") & (words <= 30))
        )
        .then(pl.lit(BYLINE))
        .when(line.str.contains(_DATELINE) | pl.col("_relative_dateline"))
        .then(pl.lit(DATELINE))
        .when(lead_in_cut)
        .then(pl.lit(LINK_LEAD_IN))
        .when(_chrome_vocabulary())
        .then(pl.lit(CHROME_VOCABULARY))
        .otherwise(None)
        .cast(pl.String)
    )
    lines = lines.with_columns(title_like.alias("title_like"), link_like.alias("link_like"))
    # Every line rule needs a short line: run the regexes on those only (article paragraphs are long).
    # Lines up to CHROME_VOCABULARY_MAX_WORDS are judged too, by the two rules that take paragraphs.
    idx = lines.select(~pl.col("blank") & short).to_series().arg_true()
    long_idx = lines.select(~pl.col("blank") & ~short & (words <= CHROME_VOCABULARY_MAX_WORDS)).to_series()
    long_idx = long_idx.arg_true()
    # Judged on a slim copy of those lines, and scattered back: the frame keeps its (_row, line_no) order.
    judged = lines.select("line", "words", "blank", "ends_sentence").gather(idx)
    text = judged["line"]
    n_words = judged["words"]
    anchored = _anchored_rules(text)
    share_widget = anchored.pop("_share_widget")
    menu_line = _only_where(_prefilter(text, _MENU_LINE_CHARS, n_words <= 30), text, _menu_line)
    cookie = _prefilter(text, _COOKIE_WORDS, None)
    judged = judged.with_columns(
        _only_where(cookie, text, lambda t: t.str.contains(_COOKIE)).alias("_cookie"),
        _contains_if(text, _NEWSLETTER, _NEWSLETTER_WORDS).alias("_newsletter"),
        _only_where(_prefilter(text, _PHOTO_CAPTION_WORDS, n_words <= 30), text, _photo_caption).alias(
            "_photo_caption"
        ),
        _contains_if(text, _COPYRIGHT, _COPYRIGHT_WORDS, n_words <= 30).alias("_copyright"),
        _only_where(
            share_widget,
            text,
            lambda t: t.str.contains(_SHARE_WORD) | (t.str.count_matches(_NETWORKS) >= 2),
        ).alias("_share"),
        _contains_if(text, _COUNTER, _COUNTER_WORDS, n_words <= 20).alias("_counter"),
        _only_where(text.str.starts_with("<"), text, lambda t: t.str.contains(_MARKUP)).alias("_markup"),
        menu_line.alias("_menu_line"),
        _contains_if(text, _COMMENT_MARKER, _COMMENT_WORDS, n_words <= 30).alias("comment_marker"),
        _only_where(_contact_candidates(text, n_words), text, _contact_line).alias("_contact"),
        cookie.alias("cookie"),
        *anchored.values(),
    ).with_columns(_paragraph_features(text, n_words))
    # The rule of a one-line menu should it be a table's header row: worked out on those few lines.
    menus = judged["_menu_line"].arg_true()
    judged = judged.with_columns(rule.alias("rule"))
    if_header = judged[menus].with_columns(pl.lit(False).alias("_menu_line")).select(rule).to_series()
    judged = judged.with_columns(
        judged["rule"].clone().scatter(menus, if_header).alias("_rule_if_header")
    ).select(
        "rule",
        "_rule_if_header",
        (lead_in & (pl.col("lead_in_rest") == "")).alias("lead_in_label"),
        "comment_marker",
        "cookie",
    )
    # Longer lines: only a disclosure or a paragraph of chrome vocabulary can be cut.
    paragraphs = lines.select("line", "words", "ends_sentence").gather(long_idx)
    paragraphs = paragraphs.with_columns(_paragraph_features(paragraphs["line"], paragraphs["words"])).select(
        pl.when((words <= 60) & pl.col("_disclosure"))
        .then(pl.lit(DISCLOSURE))
        .when(_chrome_vocabulary())
        .then(pl.lit(CHROME_VOCABULARY))
        .cast(pl.String)
        .alias("rule"),
        _prefilter(paragraphs["line"], _COOKIE_WORDS, None).alias("cookie"),
    )
    n = lines.height
    rule = _full("rule", None, n, pl.String).scatter(long_idx, paragraphs["rule"])
    return lines.with_columns(
        rule.clone().scatter(idx, judged["rule"]),
        rule.scatter(idx, judged["_rule_if_header"]).alias("_rule_if_header"),
        _full("lead_in_label", False, n, pl.Boolean).scatter(idx, judged["lead_in_label"]),
        _full("comment_marker", False, n, pl.Boolean).scatter(idx, judged["comment_marker"]),
        _full("cookie", False, n, pl.Boolean)
        .scatter(idx, judged["cookie"])
        .scatter(long_idx, paragraphs["cookie"]),
        # Features of context rules that depend on the line alone (see _network_promo, _menu_runs).
        lines["line"].str.contains(_NETWORK_PROMO).alias("network_label"),
        _trailer_marker(lines["line"], lines["words"]).alias("trailer_marker"),
        _only_where(
            lines.select((pl.col("words") <= 3) & (pl.col("chars") <= 25)).to_series(),
            lines["line"],
            lambda t: ~t.str.contains(r"[.!?:;。！？：；][\"'”’)\]]*$") & ~t.str.starts_with("- "),
        ).alias("tiny"),
    )


# The line rules anchored at the line's start, matched first as one alternation: the regex engine walks a
# line once for all of them (and stops within its first words), where one call per rule walked every
# line once per rule. On 34 k distinct short lines (23.5 MB of news): 11 calls 0.039 s, the alternation
# 0.004 s; the rules themselves then run on the few lines it matches. (_DATELINE stays apart: its
# capitalised place words make the alternation's automaton 5x slower.)
_ANCHORED_RULES = {
    "_navigation": _NAVIGATION,
    "_advertisement": _ADVERTISEMENT,
    "_call_to_action": _CALL_TO_ACTION,
    "_tag_line": _TAG_LINE,
    "_byline_label": _BYLINE_LABEL,
    "_byline_by": _BYLINE_BY,
    "_credits": _CREDITS,
    "_relative_dateline": _RELATIVE_DATELINE,
    "_strong_lead_in": _STRONG_LEAD_IN,
    "lead_in_rest": _LEAD_IN,
    "_share_widget": _SHARE_WIDGET,
}
_ANY_ANCHORED_RULE = "|".join(f"(?:{regex})" for regex in _ANCHORED_RULES.values())


def _anchored_rules(text: pl.Series) -> dict[str, pl.Series]:
    """Per rule of _ANCHORED_RULES, whether each line of `text` matches it (Boolean), named as there; but
    `lead_in_rest` is the text after a link lead-in (_LEAD_IN's group 1), else NULL, and `_byline_label`
    is a label byline that ends no sentence."""
    hit = text.str.contains(_ANY_ANCHORED_RULE)
    out = {
        name: _only_where(hit, text, lambda t, regex=regex: t.str.contains(regex)).alias(name)
        for name, regex in _ANCHORED_RULES.items()
        if name != "lead_in_rest"
    }
    out["_byline_label"] = out["_byline_label"] & ~_only_where(
        out["_byline_label"], text, lambda t: t.str.contains(r"[.!?。！？][\"'”’)\]]*$")
    )
    idx = hit.arg_true()
    rest = _full("lead_in_rest", None, text.len(), pl.String)
    out["lead_in_rest"] = rest.scatter(idx, text.gather(idx).str.extract(_LEAD_IN, 1)) if idx.len() else rest
    return out


def _wire_date(text: pl.Series) -> pl.Series:
    """`wire_date`: the date of a wire dateline opening each line (_WIRE_DATELINE, by `_parse_date`), else
    NULL. Worked out per distinct line (see _line_rules); clean_documents reads it on the kept lines.

    The capture search (Unicode classes) and `_parse_date` run only on the few lines that can match: a
    dash before whitespace (the regex's "--" or [-–—] and \\s: a cheap literal search) and a four-digit
    year (every date `_WIRE_DATELINE` reads holds one). 49 k distinct lines of 23.5 MB of news: 0.10 s
    over every kept line with the year alone, 0.05 s per distinct line, 0.01 s with the dash first."""
    dash = text.str.contains(r"[-–—]\s")
    idx = _only_where(dash, text, lambda t: t.str.contains(r"\d{4}")).arg_true()
    out = _full("wire_date", None, text.len(), pl.Int64)
    if idx.len():
        found = text.gather(idx).str.extract(_WIRE_DATELINE, 1)
        at = found.is_not_null().arg_true()
        dates = found.gather(at).to_frame("t").select(_parse_date(pl.col("t")).cast(pl.Int64)).to_series()
        out = out.scatter(idx.gather(at), dates)
    return out.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")


def _wire_month_day(text: pl.Series) -> pl.Series:
    """`wire_month_day`: month * 100 + day (Int32) of a yearless wire dateline opening each line
    (_WIRE_DATELINE_NO_YEAR), else NULL; a day no year has (Nov 31) is NULL, Feb 29 is kept. Searched
    only on lines with a dash before whitespace or at the end (cheap, as in `_wire_date`)."""
    idx = text.str.contains(r"[-–—](?:\s|$)").arg_true()
    out = _full("wire_month_day", None, text.len(), pl.Int32)
    if idx.len():
        found = text.gather(idx).str.extract_groups(_WIRE_DATELINE_NO_YEAR)
        found = found.struct.field("1").fill_null(found.struct.field("2"))
        at = found.is_not_null().arg_true()
        # read in a leap year, so that Feb 29 is a day; its own year comes later (_resolve_year)
        day = found.gather(at).to_frame("t").select(_parse_date(pl.col("t") + " 2000")).to_series()
        out = out.scatter(idx.gather(at), (day.dt.month().cast(pl.Int32) * 100 + day.dt.day()).cast(pl.Int32))
    return out


def _resolve_year(month_day: pl.Expr, reference: pl.Expr) -> pl.Expr:
    """The date (UTC Datetime(us) at midnight) of `month_day` (month * 100 + day) in the year that makes it
    the latest such date on or before `reference` (a UTC Datetime): a Dec 30 dateline read on Jan 2 is
    of last year, Feb 29 of the last leap year. One day of slack past `reference`: a dateline is a local
    date, up to a day ahead of UTC east of Greenwich (to UTC+14). NULL when either is NULL."""
    ref = reference + pl.duration(days=1)
    year = ref.dt.year() - (month_day > ref.dt.month().cast(pl.Int32) * 100 + ref.dt.day()).cast(pl.Int32)
    leap = year - year % 4
    leap = pl.when((leap % 100 == 0) & (leap % 400 != 0)).then(leap - 4).otherwise(leap)
    year = pl.when(month_day == 229).then(leap).otherwise(year)
    return pl.datetime(year, month_day // 100, month_day % 100, time_unit="us", time_zone="UTC")


def _menu_line(text: pl.Series) -> pl.Series:
    """Lines that are a one-line menu: _MENU_LINE, each item at most MENU_ITEM_MAX_CHARS characters
    (the separators split the line into its items; the whitespace around a separator is the regex's
    \\s*, whitespace ending the line is the last item's)."""
    item = pl.element().str.strip_chars_start()
    last = pl.int_range(pl.len()) == pl.len() - 1
    items = text.str.extract_all(_MENU_SEPARATED).list.eval(
        pl.when(last).then(item).otherwise(item.str.strip_chars_end()).str.len_chars()
    )
    return text.str.contains(_MENU_LINE) & (items.list.max() <= MENU_ITEM_MAX_CHARS).fill_null(False)


def _contact_candidates(text: pl.Series, n_words: pl.Series) -> pl.Series:
    """Lines of at most CONTACT_MAX_WORDS words that may hold contact details (see _contact_line)."""
    short = n_words <= CONTACT_MAX_WORDS
    return _prefilter(text, _CONTACT_WORDS, short) | _prefilter(text, _CONTACT_LABEL_START, short)


def _contact_line(text: pl.Series) -> pl.Series:
    """Lines that are contact details: a phone number or e-mail address (_CONTACT) and, once those and
    their labels go, at most CONTACT_REST_MAX_WORDS words with at most one lowercase word of 4+ letters
    and no currency or percent sign."""

    def no_sentence(t: pl.Series) -> pl.Series:
        rest = t.str.replace_all(_CONTACT_STRIP, " ")
        return (
            (rest.str.count_matches(r"\p{L}[\p{L}'’.\-]*") <= CONTACT_REST_MAX_WORDS)
            & (rest.str.count_matches(r"(?:^|\s)\p{Ll}[\p{L}'’\-]{3,}") <= 1)
            # A figure with a currency or percent sign ("+1 234 567 890 €") is a table row, not a phone.
            & ~rest.str.contains(r"[%€$£¥]")
        )

    return _only_where(text.str.contains(_CONTACT), text, no_sentence)


def _trailer_marker(text: pl.Series, n_words: pl.Series) -> pl.Series:
    """Lines that open a press release's trailer: a heading of _TRAILER_HEADING (at most
    TRAILER_HEADING_MAX_WORDS words), or a paragraph run in with a legal heading (_TRAILER_RUN_IN)."""
    heading = _contains_if(text, _TRAILER_HEADING, _TRAILER_WORDS, n_words <= TRAILER_HEADING_MAX_WORDS)
    return heading | _contains_if(text, _TRAILER_RUN_IN, _TRAILER_RUN_IN_START)


def _photo_caption(text: pl.Series) -> pl.Series:
    """Lines that are a photo caption or credit: _PHOTO_CAPTION, or _PHOTO_CREDIT with a short credit."""
    credit = text.str.extract(_PHOTO_CREDIT, 1).str.len_chars() <= PHOTO_CREDIT_MAX_CHARS
    return text.str.contains(_PHOTO_CAPTION) | credit.fill_null(False)


def _paragraph_features(text: pl.Series, n_words: pl.Series) -> list[pl.Series]:
    """Features of the rules that also judge paragraphs: `_disclosure`, `_vocabulary` (chrome words) and
    `voice` (the site speaking: we/our/you, looked for only where chrome words are)."""
    vocabulary = _count_if(text, _CHROME_VOCABULARY, _CHROME_VOCABULARY_WORDS)
    return [
        _contains_if(text, _DISCLOSURE, _DISCLOSURE_WORDS, n_words <= 60).alias("_disclosure"),
        vocabulary.alias("_vocabulary"),
        _only_where(vocabulary >= 2, text, lambda t: t.str.contains(_SITE_VOICE)).alias("voice"),
    ]


def _chrome_vocabulary() -> pl.Expr:
    """A line dense with chrome vocabulary in the site's voice (see _CHROME_VOCABULARY)."""
    words, vocabulary = pl.col("words"), pl.col("_vocabulary")
    return (
        (words <= CHROME_VOCABULARY_MAX_WORDS)
        & (
            (vocabulary >= CHROME_VOCABULARY_MIN_HITS)
            # A short teaser that is no sentence ("Take our 30-lesson course: ...") needs two.
            | ((vocabulary >= 2) & (words <= 20) & ~pl.col("ends_sentence"))
        )
        & (vocabulary >= CHROME_VOCABULARY_MIN_SHARE * words)
        & pl.col("voice")
    )


def _context_rules(lines: pl.DataFrame) -> pl.DataFrame:
    """Rules that need the neighbouring lines; each sees only lines no earlier rule removed.

    A cut can make new neighbours (a menu run closes up once a headline run between it goes), so the
    rules repeat until nothing changes: that is what makes cleaning idempotent. Every rule looks at one
    document at a time, so a document a pass left unchanged is final and is not passed through again.
    """
    todo = lines.with_row_index("_li")
    done = []
    for _ in range(MAX_CONTEXT_PASSES):
        before = todo["rule"].is_not_null()
        # Banners and comment sections first: their buttons and short lines are theirs, not menus.
        todo = _consent_banner(_press_release_trailer(_reader_comments(todo)))
        todo = _promo_block(
            _related_headlines(_menu_runs(_repeats(_network_promo(_links_after_lead_in(todo)))))
        )
        todo = _footer(todo)
        changed = todo.filter(todo["rule"].is_not_null() & ~before)["_row"].unique()
        if changed.len() < todo["_row"].n_unique():
            unchanged = ~todo["_row"].is_in(changed.implode())
            done.append(todo.filter(unchanged))
            todo = todo.filter(~unchanged)
        if todo.height == 0:
            break
    return pl.concat([*done, todo]).drop("_li")


def _alive(lines: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """The non-blank lines no rule has cut yet, with `_li`, `_row` and `columns` only (a filter copies
    every column it keeps, and the text columns are most of the frame)."""
    return lines.select("_li", "_row", *columns).filter(~lines["blank"] & lines["rule"].is_null())


def _set_rule(lines: pl.DataFrame, hits: pl.DataFrame, rule: str) -> pl.DataFrame:
    """Set `rule` on the lines listed in `hits` (by `_li`, the line's index) that have none yet."""
    if hits.height == 0:
        return lines
    hit = pl.col("_li").is_in(hits["_li"].implode()) & pl.col("rule").is_null()
    return lines.with_columns(pl.when(hit).then(pl.lit(rule)).otherwise(pl.col("rule")).alias("rule"))


# Window helpers for frames in document order (sorted by _row, then line): a shift or forward fill that
# stops at document starts does what `.over("_row")` would, without hashing every row into groups.
def _doc_start() -> pl.Expr:
    """True on the first line of each document."""
    return pl.col("_row").ne_missing(pl.col("_row").shift(1))


def _index_in_doc() -> pl.Expr:
    """0, 1, 2, ... within each document: `pl.int_range(pl.len()).over("_row")`."""
    i = pl.int_range(pl.len())
    return i - pl.when(_doc_start()).then(i).forward_fill()


def _promo_block(lines: pl.DataFrame) -> pl.DataFrame:
    """A promo/contest block opening the document (>= 3 promo lines among its first lines)."""
    alive = _alive(lines, "line", "words", "ends_sentence").with_columns(_index_in_doc().alias("k"))
    promo = pl.col("line").str.contains(_PROMO) | pl.col("line").str.contains(_EMOJI_LEAD)
    top = alive.filter(pl.col("k") < PROMO_WINDOW + 1)
    # The block must open the document: only documents whose first line is a promo line are looked at.
    opened = top.filter(pl.col("k") == 0).filter(promo)["_row"]
    if opened.len() == 0:
        return lines
    top = top.filter(pl.col("_row").is_in(opened.implode())).with_columns(promo.alias("promo"))
    top = top.with_columns(
        pl.col("promo").cast(pl.Int64).cum_sum().over("_row").alias("c"),
        # A promo block is made of short lines: it never reaches past the first long paragraph.
        pl.col("k")
        .filter(pl.col("words") > 30)
        .min()
        .over("_row")
        .fill_null(PROMO_WINDOW + 1)
        .alias("first_long"),
    )
    ends = (
        top.filter(
            pl.col("promo")
            & (pl.col("k") < PROMO_WINDOW)
            & (pl.col("k") < pl.col("first_long"))
            & (pl.col("c") >= 3)
            & (pl.col("c") >= 0.4 * (pl.col("k") + 1))
            & pl.col("promo").first().over("_row")
        )
        .group_by("_row")
        .agg(pl.col("k").max().alias("e"))
    )
    if ends.height == 0:
        return lines
    top = top.join(ends, on="_row")
    # The line after the block belongs to it when the promo was cut off mid-sentence.
    hits = top.filter(
        (pl.col("k") <= pl.col("e"))
        | (
            (pl.col("k") == pl.col("e") + 1)
            & (pl.col("k") < pl.col("first_long"))
            & pl.col("line").str.contains(_TRUNCATED)
            & ~pl.col("ends_sentence")
        )
    )
    return _set_rule(lines, hits, PROMO_BLOCK)


def _links_after_lead_in(lines: pl.DataFrame) -> pl.DataFrame:
    """Link-like lines right after a label-only lead-in ("Read more:", "Related:", "Why this matters:")."""
    # Only a document with a label-only lead-in can have hits.
    labelled = lines.filter(pl.col("lead_in_label"))["_row"].unique()
    if labelled.len() == 0:
        return lines
    seq = lines.select("_li", "_row", "blank", "rule", "lead_in_label", "link_like").filter(
        pl.col("_row").is_in(labelled.implode())
        & ~pl.col("blank")
        & (pl.col("rule").is_null() | pl.col("rule").eq_missing(LINK_LEAD_IN))
    )
    # Segments start at a label, a non-link line, a cut lead-in or a new document. Lines are in document
    # order, so a forward fill from each segment start does what a window per (_row, segment) would.
    starts = (
        pl.col("lead_in_label")
        | ~pl.col("link_like")
        | pl.col("rule").eq_missing(LINK_LEAD_IN)
        | pl.col("_row").ne_missing(pl.col("_row").shift(1))
    )
    i = pl.int_range(pl.len())
    seq = seq.with_columns(
        pl.when(starts).then(pl.col("lead_in_label")).forward_fill().alias("after_label"),
        (i - pl.when(starts).then(i).forward_fill()).alias("pos"),
    )
    hits = seq.filter(
        pl.col("rule").is_null()
        & pl.col("after_label")
        & pl.col("link_like")
        & (pl.col("pos") >= 1)
        & (pl.col("pos") <= MAX_LINKS_AFTER_LEAD_IN)
    )
    return _set_rule(lines, hits, RELATED_LINKS)


def _section_from_marker(
    lines: pl.DataFrame, marker: str, min_position: float, extra: list[str] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """Where a closing section (reader comments, a press release's trailer) starts: the first line
    flagged by the boolean column `marker` that starts past `min_position` (a share, 0-1) of its
    document's characters. Returns (the lines of the documents with a marker: _li, _row, start, end,
    blank, rule and `extra` columns; [_row, from] the first such marker's start per document), or None
    when no document has one."""
    marked = lines.filter(pl.col(marker))["_row"].unique()
    if marked.len() == 0:
        return None
    doc = lines.select("_li", "_row", "start", "end", "blank", "rule", *(extra or [])).filter(
        pl.col("_row").is_in(marked.implode())
    )
    first = (
        lines.filter(pl.col(marker))
        .select("_row", "start")
        .join(doc.group_by("_row").agg(pl.col("end").max().alias("size")), on="_row")
        .filter(pl.col("start") >= min_position * pl.col("size"))
        .group_by("_row")
        .agg(pl.col("start").min().alias("from"))
    )
    return None if first.height == 0 else (doc, first)


def _reader_comments(lines: pl.DataFrame) -> pl.DataFrame:
    """A reader comment section: from its first marker (heading, prompt to comment, a comment's author
    line) to the end of the document, with the commenter's name line just before the marker.

    The marker must start past COMMENTS_MIN_POSITION of the document's characters: comments follow the
    article. Markers are looked for on every non-blank line, cut or not (a counter line is one).
    """
    found = _section_from_marker(lines, "comment_marker", COMMENTS_MIN_POSITION, ["words", "ends_sentence"])
    if found is None:
        return lines
    doc, first = found
    nonblank = doc.filter(~pl.col("blank")).join(first, on="_row")
    alive = nonblank.filter(pl.col("rule").is_null())
    # The commenter's name: the line right before the marker, when it is a tiny label ("1. jdoe").
    name = (
        nonblank.filter(pl.col("start") < pl.col("from"))
        .group_by("_row")
        .agg(pl.all().sort_by("start").last())
        .filter(pl.col("rule").is_null() & (pl.col("words") <= 3) & ~pl.col("ends_sentence"))
    )
    hits = pl.concat([alive.filter(pl.col("start") >= pl.col("from")).select("_li"), name.select("_li")])
    return _set_rule(lines, hits, READER_COMMENTS)


def _press_release_trailer(lines: pl.DataFrame) -> pl.DataFrame:
    """A press release's trailer: from its first section heading (see _TRAILER_HEADING: About <Company>,
    forward-looking statements, media contacts, "###") to the end of the document.

    As with _reader_comments, the heading must start past TRAILER_MIN_POSITION of the document's
    characters (a release's body comes first) and is looked for on every non-blank line, cut or not.
    """
    found = _section_from_marker(lines, "trailer_marker", TRAILER_MIN_POSITION)
    if found is None:
        return lines
    doc, first = found
    hits = (
        doc.filter(~pl.col("blank") & pl.col("rule").is_null())
        .join(first, on="_row")
        .filter(pl.col("start") >= pl.col("from"))
    )
    return _set_rule(lines, hits.select("_li"), PRESS_RELEASE_TRAILER)


def _consent_banner(lines: pl.DataFrame) -> pl.DataFrame:
    """A cookie/consent banner, all its paragraphs and buttons: a run of consecutive lines that speak
    consent vocabulary or are consent buttons, holding at least one paragraph in the site's voice with
    3+ consent words including a cookie."""
    seeds = lines.filter(pl.col("cookie"))["_row"].unique()
    if seeds.len() == 0:
        return lines
    alive = _alive(lines, "line", "words").filter(pl.col("_row").is_in(seeds.implode()))
    alive = alive.with_columns(
        pl.col("line").str.count_matches(_CONSENT).alias("consent"),
        pl.col("line").str.contains(_SITE_VOICE).alias("voice"),
    )
    member = ((pl.col("consent") >= 1) & pl.col("voice")) | (
        (pl.col("words") <= 5) & pl.col("line").str.contains(_CONSENT_BUTTON)
    )
    seed = pl.col("voice") & (pl.col("consent") >= 3) & pl.col("line").str.contains(r"(?i)cookie")
    alive = alive.with_columns(member.alias("member"), seed.alias("seed"))
    new_run = _doc_start() | (pl.col("member") != pl.col("member").shift(1))
    alive = alive.with_columns(new_run.cast(pl.Int64).cum_sum().alias("run"))
    hits = alive.filter(pl.col("member") & pl.col("seed").any().over("run"))
    return _set_rule(lines, hits, COOKIE_BANNER)


def _footer(lines: pl.DataFrame) -> pl.DataFrame:
    """Headline-like lines that end the document (clickbait and related-story titles, "Try our app"
    teasers, a label ending in ":" whose list is gone): the lines after the last prose line.

    A footer line does not end a sentence, is not a bullet, holds no figure (a table line of figures
    stays), and either ends with ":", or is a Title Case headline (every lowercase word is on jusText's
    English stop-list, so a sentence cut off mid-way stays), or is a short credit in brackets. The
    document's first line (its headline) is never a footer line.
    """
    alive = _alive(lines, "line", "words", "chars", "ends_sentence").with_columns(_index_in_doc().alias("k"))
    last = alive.filter(pl.col("_row").ne_missing(pl.col("_row").shift(-1)) & ~pl.col("ends_sentence"))
    if last.height == 0:
        return lines
    line = pl.col("line")
    # Only documents whose last line is a candidate can have a footer, and only the lines after their
    # last sentence, bullet or long line: the regexes below run on those few.
    alive = alive.filter(pl.col("_row").is_in(last["_row"].implode()))
    prose = pl.col("ends_sentence") | (pl.col("words") > 40) | line.str.starts_with("- ") | (pl.col("k") == 0)
    alive = alive.filter(pl.col("k") > pl.col("k").filter(prose).max().over("_row").fill_null(0))
    if alive.height == 0:
        return lines
    lowercase_words = line.str.count_matches(r"(?:^|\s)\p{Ll}")
    candidate = ~line.str.contains(_FIGURE) & (
        line.str.ends_with(":")
        | line.str.ends_with("：")
        # A Title Case headline: its only lowercase words are function words.
        | (
            (pl.col("words") >= 2)
            & line.str.contains(_TITLE_START)
            & (lowercase_words <= line.str.count_matches(_LOWER_STOPWORDS))
        )
        # A source credit in brackets: "(Example Daily app)".
        | ((pl.col("chars") <= 30) & line.str.contains(r"^[(（\[【][^()（）]+[)）\]】]$"))
    )
    alive = alive.with_columns(candidate.alias("candidate"))
    keep_to = alive.filter(~pl.col("candidate")).group_by("_row").agg(pl.col("k").max().alias("keep"))
    hits = alive.join(keep_to, on="_row", how="left").filter(pl.col("k") > pl.col("keep").fill_null(0))
    return _set_rule(lines, hits, FOOTER)


def _network_promo(lines: pl.DataFrame) -> pl.DataFrame:
    """A "Let's talk" / "About the author" label and the paragraph that follows it."""
    alive = _alive(lines, "network_label")
    label = pl.col("network_label")
    after_label = pl.when(_doc_start()).then(False).otherwise(label.shift(1))
    hits = alive.filter(label | after_label)
    return _set_rule(lines, hits, NETWORK_PROMO)


def _menu_runs(lines: pl.DataFrame) -> pl.DataFrame:
    """Runs of >= 3 consecutive tiny lines (1-3 words, no sentence punctuation): menus, topic and
    share-button lists ("Home / World / Business", "X / Facebook / Email")."""
    # `tiny` (from _judge): 1-3 words, <= 25 characters (CJK text has no spaces: a whole paragraph is one
    # "word"), no sentence punctuation at the end, no bullet.
    alive = _alive(lines, "tiny")
    # Runs are numbered across the whole frame; a new document always starts a new run.
    new_run = _doc_start() | (pl.col("tiny") != pl.col("tiny").shift(1))
    alive = alive.with_columns(new_run.cast(pl.Int64).cum_sum().alias("run"))
    # A run is all tiny lines or none: the window needs only the tiny ones.
    hits = alive.filter(pl.col("tiny")).filter(pl.len().over("run") >= 3)
    return _set_rule(lines, hits, NAVIGATION)


def _related_headlines(lines: pl.DataFrame) -> pl.DataFrame:
    """Runs of >= 3 consecutive headline-like lines in one paragraph block: a related-stories list.

    A run at the end (only headline-like lines after it) needs 5+ words a line on average; elsewhere it
    needs 4+ lines of 6+ words, so a short spec list ("6.7-inch OLED display", ...) inside an article
    stays.
    """
    alive = _alive(lines, "title_like", "block", "words").with_columns(_index_in_doc().alias("k"))
    # Runs are numbered across the whole frame; a new document always starts a new run.
    new_run = (
        _doc_start()
        | (pl.col("title_like") != pl.col("title_like").shift(1))
        | (pl.col("block") != pl.col("block").shift(1))
    )
    alive = alive.with_columns(
        new_run.cast(pl.Int64).cum_sum().alias("run"),
        pl.col("k").filter(~pl.col("title_like")).max().over("_row").fill_null(-1).alias("last_text"),
    )
    n = pl.len().over("run")
    mean_words = pl.col("words").mean().over("run")
    trailing = pl.col("k").min().over("run") > pl.col("last_text")
    # A run is all headline-like lines or none: the windows need only the headline-like ones.
    hits = alive.filter(pl.col("title_like")).filter(
        (n >= 3) & ((trailing & (mean_words >= 5)) | ((n >= 4) & (mean_words >= 6)))
    )
    return _set_rule(lines, hits, RELATED_HEADLINES)


def _repeats(lines: pl.DataFrame) -> pl.DataFrame:
    """Menu lines repeated >= 3 times go entirely; later copies of a repeated paragraph go."""
    # Copies of a line share its features (title_like, words, chars come from the text alone), so copies
    # are counted among the lines that qualify, not among all lines: far fewer strings to hash.
    # Lines are compared by `_lid` (equal ids, equal texts), and "within a document" by a key that holds
    # the document and the line: integers to hash, not texts.
    in_doc = pl.col("_row").cast(pl.UInt64) * 2**32 + pl.col("_lid").cast(pl.UInt64)
    menu = (
        _alive(lines, "_lid", "title_like", "words")
        .filter(pl.col("title_like") & (pl.col("words") <= 8))
        .filter(pl.len().over(in_doc) >= 3)
    )
    lines = _set_rule(lines, menu, REPEATED_MENU)
    dups = _alive(lines, "_lid", "chars").filter(pl.col("chars") >= 30).filter(~in_doc.is_first_distinct())
    lines = _set_rule(lines, dups, DUPLICATE_PARAGRAPH)
    # A caption printed twice, once with its credit in brackets, on neighbouring lines
    # ("A robot at work.(Photo: X)" / "A robot at work."): the copy without the credit goes.
    text = lines["line"]
    ends = (
        text.str.ends_with(")")
        | text.str.ends_with("]")
        | text.str.ends_with("）")
        | text.str.ends_with("】")
    )
    longer = ends.arg_true().cast(pl.Int64)  # only a line ending in a bracket can be the copy with the credit
    if longer.len() == 0:
        return lines
    credit = r"^\s*[(\[（【][^()\[\]（）【】]{1,60}[)\]）】]\s*$"
    found = []
    for step in (-1, 1):
        shorter = (longer + step).clip(0, lines.height - 1)
        pair = pl.DataFrame(
            {
                "long": text.gather(longer),
                "long_row": lines["_row"].gather(longer),
                "short": text.gather(shorter),
                "_row": lines["_row"].gather(shorter),
                "_li": lines["_li"].gather(shorter),
                "rule": lines["rule"].gather(shorter),
            }
        )
        found.append(
            pair.filter(
                (pl.col("_row") == pl.col("long_row"))
                & pl.col("rule").is_null()
                & (pl.col("short").str.len_chars() >= 20)
                & (pl.col("short") != pl.col("long"))
                & pl.col("long").str.starts_with(pl.col("short"))
            )
            .filter(pl.col("long").str.slice(pl.col("short").str.len_chars()).str.contains(credit))
            .select("_li")
        )
    near = pl.concat(found)
    return _set_rule(lines, near, DUPLICATE_PARAGRAPH)


# --- assembling the result ---------------------------------------------------------------------------


def _language(texts: pl.Series) -> pl.Series:
    """ISO 639-1 code per text via py3langid (offline model), `und` when short or unsure.

    py3langid costs ~0.5 ms a text (a Python loop per byte; ~0.15 ms batched, see _classify), so texts
    whose script or function words leave no doubt are labelled by a vectorised pre-check, and only the
    rest go to the classifier.
    """
    sample = texts.str.slice(0, LANG_SAMPLE_CHARS)
    ascii_letters, ascii_words = _ascii_letters_and_words(sample)
    letters, han, kana = _script_counts(sample)
    f = pl.DataFrame({"s": sample, "ascii": ascii_letters, "words": ascii_words}).select(
        # Letters: the ASCII ones and the others (few in most news), counted from the bytes.
        (pl.col("ascii") + letters).alias("letters"),
        pl.Series("han", han),
        pl.Series("kana", kana),
        "ascii",
        "words",
        pl.col("s").str.count_matches(_EN_FUNCTION_WORDS).alias("function_words"),
    )
    enough = f["letters"] >= LANG_MIN_CHARS
    confident = f["letters"] >= LANG_SURE_CHARS
    chinese = confident & (f["han"] >= LANG_SURE_SHARE * f["letters"]) & (f["kana"] == 0)
    english = (
        confident
        & (f["ascii"] >= LANG_ASCII_SHARE * f["letters"])
        & (f["function_words"] >= LANG_EN_FUNCTION_SHARE * f["words"])
    )
    out = pl.select(
        pl.when(~enough).then(pl.lit("und")).when(chinese).then(pl.lit("zh")).when(english).then(pl.lit("en"))
    ).to_series()
    ask = out.is_null().arg_true()
    if ask.len():
        guesses = [
            lang if prob >= LANG_MIN_PROB else "und" for lang, prob in _classify(sample.gather(ask).to_list())
        ]
        out = out.scatter(ask, pl.Series(guesses, dtype=pl.String))
    return out.cast(pl.String).alias("language")


def _ascii_letters_and_words(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per text (no nulls): its ASCII letters, and its runs of them (what `str.count_matches` of
    "[A-Za-z]" and "[A-Za-z]+" count; int64), from the UTF-8 bytes, where an ASCII byte is always its own
    character. Counting them with the regex engine took a third of the language pre-check; with numpy
    passes over the bytes 0.027 s of 3,000 samples (1.9 MB); compiled, one pass, 0.006 s (one core, CPU)."""
    arr = texts.cast(pl.Binary).to_arrow(compat_level=pl.CompatLevel.oldest())
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    buf = arr.buffers()[2]
    data = np.frombuffer(buf, dtype=np.uint8) if buf is not None else np.zeros(0, np.uint8)
    return _ascii_counts(data, offsets)


@njit(cache=True, nogil=True)
def _ascii_counts(data: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ASCII letters, runs of them) of each text data[offsets[d] : offsets[d + 1]] (UTF-8)."""
    n = len(offsets) - 1
    letters, words = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    for d in range(n):
        in_run = False
        for i in range(offsets[d], offsets[d + 1]):
            lower = data[i] | np.uint8(0x20)  # A-Z to a-z; no other byte lands in a-z
            letter = lower >= np.uint8(ord("a")) and lower <= np.uint8(ord("z"))
            if letter:
                letters[d] += 1
                if not in_run:
                    words[d] += 1
            in_run = letter
    return letters, words


# The language pre-check's scripts, one character class each (what `str.count_matches` of each counts).
_SCRIPT_CLASSES = (r"[\p{L}--[\x00-\x7F]]", r"\p{Han}", r"[\p{Hiragana}\p{Katakana}\p{Hangul}]")


def _script_counts(texts: pl.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per text (no nulls): how many of its characters are in each of _SCRIPT_CLASSES (non-ASCII
    letters, Han, kana or Hangul; int64 each), as `str.count_matches` of each counts them (a match of a
    one-character class is one character). The regex engine classifies the samples' distinct characters
    past ASCII (a few hundred), and one compiled pass counts: the three regexes walked every sample,
    0.020 s of 3,000 samples (1.9 MB); this 0.006 s (one core, CPU seconds)."""
    arr = texts.cast(pl.Binary).to_arrow(compat_level=pl.CompatLevel.oldest())
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    buf = arr.buffers()[2]
    data = np.frombuffer(buf, dtype=np.uint8) if buf is not None else np.zeros(0, np.uint8)
    classes = np.zeros(0x110000, dtype=np.uint8)
    cps = np.flatnonzero(_non_ascii_chars(data, classes))
    if len(cps):
        chars = pl.Series([chr(c) for c in cps.tolist()], dtype=pl.String)
        flags = np.zeros(len(cps), dtype=np.uint8)
        for bit, regex in enumerate(_SCRIPT_CLASSES):
            flags |= chars.str.contains(regex).to_numpy().astype(np.uint8) << np.uint8(bit)
        classes[cps] = flags  # (over the marks of _non_ascii_chars)
    return _class_counts(data, offsets, classes)


@njit(cache=True, nogil=True)
def _non_ascii_chars(data: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """`seen` (uint8 per code point) set to 1 at each code point past ASCII in the UTF-8 bytes `data`."""
    n, i = len(data), 0
    while i < n:
        c = np.int64(data[i])
        if c < 0x80:
            i += 1
            continue
        if c < 0xE0:
            cp, w = ((c & 0x1F) << 6) | (np.int64(data[i + 1]) & 0x3F), 2
        elif c < 0xF0:
            cp, w = (
                ((c & 0x0F) << 12) | ((np.int64(data[i + 1]) & 0x3F) << 6) | (np.int64(data[i + 2]) & 0x3F),
                3,
            )
        else:
            cp = (
                ((c & 0x07) << 18)
                | ((np.int64(data[i + 1]) & 0x3F) << 12)
                | ((np.int64(data[i + 2]) & 0x3F) << 6)
                | (np.int64(data[i + 3]) & 0x3F)
            )
            w = 4
        seen[cp] = 1
        i += w
    return seen


@njit(cache=True, nogil=True)
def _class_counts(
    data: np.ndarray, offsets: np.ndarray, classes: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per text data[offsets[d] : offsets[d + 1]] (UTF-8): its characters past ASCII with bit 0, 1 and 2
    of `classes` (uint8 per code point) set."""
    n = len(offsets) - 1
    counts = np.zeros((3, n), dtype=np.int64)
    for d in range(n):
        i, end = offsets[d], offsets[d + 1]
        while i < end:
            c = np.int64(data[i])
            if c < 0x80:
                i += 1
                continue
            if c < 0xE0:
                cp, w = ((c & 0x1F) << 6) | (np.int64(data[i + 1]) & 0x3F), 2
            elif c < 0xF0:
                cp = (
                    ((c & 0x0F) << 12)
                    | ((np.int64(data[i + 1]) & 0x3F) << 6)
                    | (np.int64(data[i + 2]) & 0x3F)
                )
                w = 3
            else:
                cp = (
                    ((c & 0x07) << 18)
                    | ((np.int64(data[i + 1]) & 0x3F) << 12)
                    | ((np.int64(data[i + 2]) & 0x3F) << 6)
                    | (np.int64(data[i + 3]) & 0x3F)
                )
                w = 4
            f = classes[cp]
            counts[0, d] += f & 1
            counts[1, d] += (f >> 1) & 1
            counts[2, d] += (f >> 2) & 1
            i += w
    return counts[0], counts[1], counts[2]


def load_language_model() -> None:
    """Load py3langid's model now (about 1 s: an LZMA-compressed pickle) rather than in the first
    `clean_documents` call; a run does this on a thread while Prefect's server starts. The clean task's
    compiled kernels (numba, cached machine code: the language pre-check's, the text join's and the
    sentence split's) are loaded too."""
    _identifier()
    _ascii_letters_and_words(pl.Series(["warm-up"]))
    _script_counts(pl.Series(["warm-up"]))
    _join_lines(pl.Series(["warm-up"]), pl.Series([0], dtype=pl.Int8))
    sentence_spans(pl.DataFrame({"doc_id": ["warm-up"], "text": ["Warm up. Done"]}))


def _identifier():  # noqa: ANN202 - py3langid has no type hints
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    global _IDENTIFIER, _DFA
    if _IDENTIFIER is None:
        model = LanguageIdentifier.from_model_file(MODEL_DIR / MODEL_FILE, norm_probs=True)
        # The model's tokenizer DFA and Naive Bayes table as numpy arrays, for _classify.
        _DFA = (
            model,
            np.frombuffer(model.tk_nextmove, dtype=model.tk_nextmove.typecode),
            np.asarray(model._rowbase, dtype=np.int64),
            np.asarray(model.tk_output, dtype=np.int64),
            # numpy casts the float16 table's rows to float32 for every product anyway (half the
            # scoring time): cast once, exactly (57 MB).
            model.nb_ptc.astype(np.float32),
        )
        _IDENTIFIER = model
    return _IDENTIFIER


_IDENTIFIER = None
_DFA = None
_CLASSIFY_BATCH = 512  # texts walked together: two (bytes x batch) int64 arrays, about 10 MB each


def _classify(texts: list[str]) -> list[tuple[str, float]]:
    """`(language, probability)` of each text: what py3langid's `LanguageIdentifier.classify` returns, to
    the bit.

    py3langid walks its byte-level DFA (the n-gram tokenizer) in a Python loop per byte, 0.5 ms a text;
    here the DFA is walked for a batch of texts at once with numpy, one step per byte position, and the
    rest (Naive Bayes scores, calibration, script aliases) follows py3langid's `_decide` on the same
    feature counts, in the same order.
    """
    import math

    model = _identifier()
    if _DFA is None or _DFA[0] is not model:  # another identifier (a stand-in): its own classify
        return [model.classify(t) for t in texts]
    _, nextmove, rowbase, output, table = _DFA
    encoded = [model._encode(t) for t in texts]
    results: list[tuple[str, float]] = []
    for lo in range(0, len(encoded), _CLASSIFY_BATCH):
        batch = encoded[lo : lo + _CLASSIFY_BATCH]
        # Longest first, so the texts still being walked at step t are the first `active[t]` rows.
        order = sorted(range(len(batch)), key=lambda i: -len(batch[i]))
        lengths = np.array([len(batch[i]) for i in order], dtype=np.int64)
        width = int(lengths[0]) if len(lengths) else 0
        data = np.zeros((width, len(batch)), dtype=np.int64)  # byte t of every text in row t
        for r, i in enumerate(order):
            data[: lengths[r], r] = np.frombuffer(batch[i], dtype=np.uint8)
        active = (lengths[None, :] > np.arange(width)[:, None]).sum(axis=1)
        state = np.zeros(len(batch), dtype=np.int64)
        features = np.full((width, len(batch)), -1, dtype=np.int64)
        for t in range(width):
            k = active[t]
            state[:k] = nextmove[rowbase[state[:k]] + data[t, :k]]
            features[t, :k] = output[state[:k]]
        scores_of = {}
        for r, i in enumerate(order):
            row = features[: lengths[r], r]
            row = row[row >= 0]
            if row.size == 0:  # no features: all classes alike
                scores_of[i] = np.zeros(len(model.nb_classes), dtype=np.float32)
                continue
            # py3langid's `_sparse_score`, with features in order of first appearance as its Counter has
            # them (the sum's order, so the float32 scores are the same to the bit).
            feats, first, counts = np.unique(row, return_index=True, return_counts=True)
            seen = np.argsort(first)
            scores_of[i] = np.log1p(counts[seen].astype(np.float32)) @ table[feats[seen]] + model.nb_pc
        for i, text in enumerate(batch):
            # `_identifier` builds the model with norm_probs=True and no min_confidence.
            scores = scores_of[i]
            scores *= 1.0 / math.sqrt(len(text) or 1)
            np.exp(scores - scores.max(), out=scores)
            scores /= scores.sum()
            for first_col, alias in model._alias_pairs:
                scores[first_col] += scores[alias]
                scores[alias] = 0.0
            best = int(scores.argmax())
            results.append((model.nb_classes[best], float(scores[best])))
    return results


def _join_lines(line: pl.Series, sep: pl.Series) -> pl.Series:
    """The lines of each document joined into its text: `line` (no nulls) in document order, `sep` (Int8)
    per line 0 where a document starts, 1 after a newline, 2 after a paragraph break ("\n\n"). One
    String per document, in order."""
    arr = line.to_arrow().cast(pa.large_string())
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8) if len(arr) else np.zeros(0, np.uint8)
    codes = sep.to_numpy()
    # All read-only, always: a Series of one chunk comes back as a read-only view, one of several as a
    # writable copy (and no lines as new zeros), and numba compiles (~2.5 s) each kind of array apart.
    for a in (data, offsets, codes):
        a.flags.writeable = False
    buf, text_offsets = _joined(data, offsets, codes)
    text = pa.LargeStringArray.from_buffers(
        len(text_offsets) - 1, pa.py_buffer(text_offsets), pa.py_buffer(buf)
    )
    return pl.Series("text", text, dtype=pl.String)


@njit(cache=True, nogil=True)
def _joined(data: np.ndarray, offsets: np.ndarray, sep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`_join_lines` on the lines' UTF-8 bytes and Arrow offsets: the texts' bytes and offsets."""
    n_docs, size = 0, offsets[-1] - offsets[0]
    for i in range(len(sep)):
        n_docs += sep[i] == 0
        size += sep[i]
    out, at = np.empty(size, dtype=np.uint8), np.zeros(n_docs + 1, dtype=np.int64)
    p, d = 0, 0
    for i in range(len(sep)):
        if sep[i] == 0:
            at[d] = p
            d += 1
        for _ in range(sep[i]):
            out[p] = 0x0A
            p += 1
        a, b = offsets[i], offsets[i + 1]
        out[p : p + b - a] = data[a:b]
        p += b - a
    at[n_docs] = p
    return out, at


def _parse_date(col: pl.Expr) -> pl.Expr:
    """A `_DATE` match as a UTC Datetime(us) at midnight; NULL when it names no real day."""
    d = (
        col.str.to_lowercase()
        .str.replace_all(r"[.,]", " ")
        # the French "le", "1er" and the Spanish/Italian "de"/"del" around a day-first date
        .str.replace_all(r"\b(?:le|del|de)\b", " ")
        .str.replace(r"\b(\d{1,2})er\b", "$1")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    # the one word left after the weekday is the month: a continental name becomes its English one
    parts = d.str.extract_groups(r"^((?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]* )?[^\p{L}]*)(\p{L}+)(.*)$")
    month = parts.struct.field("2")
    d = (
        pl.when(month.is_in(list(_FOREIGN_MONTHS)))
        .then(pl.concat_str(parts.struct.field("1"), month.replace(_FOREIGN_MONTHS), parts.struct.field("3")))
        .otherwise(d)
    )
    d = d.str.to_titlecase()
    d = d.str.replace(r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]* ", "").str.replace(r"^Sept ", "Sep ")
    parsed = [d.str.strptime(pl.Date, fmt, strict=False) for fmt in _DATE_FORMATS]
    return pl.coalesce(parsed).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")


def count_words(text: pl.Expr) -> pl.Expr:
    """Words of `text` by WORD_PATTERN (UInt32): spaced scripts by token, Han and kana by character."""
    return text.str.count_matches(WORD_PATTERN)


def _fewer_words(texts: pl.Series, n: int) -> pl.Series:
    """`count_words(texts) < n` (Boolean), counting whole texts only where their start has fewer than `n`
    words: a prefix never holds more words than its text (a word cut by the prefix is still one word),
    and counting every character of every document cost a tenth of the stage."""
    start = texts.to_frame("t").select(count_words(pl.col("t").str.slice(0, 20 * max(n, 1)))).to_series()
    return _only_where(
        start < n, texts, lambda t: t.to_frame("t").select(count_words(pl.col("t")) < n).to_series()
    )


def _rejects(out: pl.DataFrame, min_words: int) -> pl.DataFrame:
    """[source, doc_id, reason, detail] of the rows of `out` (clean_documents' frame: text, reason,
    raw_chars, share) that have a reason, the detail saying why in words.

    `out` is rechunked first: polars 2.1 panics ("assertion failed: i < self.len()" in binview) when a
    when/then/otherwise picks among string branches by a mask in two chunks while the strings are in
    one; `reason` and `share` come out of clean_documents' steps in two chunks on some batches (seen on
    one 16 MB batch of resampled news, which crashed its run)."""
    return (
        out.rechunk()
        .filter(pl.col("reason").is_not_null())
        .select(
            "source",
            "doc_id",
            "reason",
            pl.when(pl.col("reason") == EMPTY_AFTER_CLEANING)
            .then(pl.format("Nothing is left after cleaning {} raw characters.", "raw_chars"))
            .when(pl.col("reason") == MOSTLY_BOILERPLATE)
            .then(
                pl.format(
                    "Cleaning rules cut {}% of the text, so what is left is unlikely to be the article.",
                    (pl.col("share") * 100).round(0).cast(pl.Int64),
                )
            )
            .otherwise(
                pl.format(
                    "Only {} words are left after cleaning (a Han or kana character counts as one); "
                    "at least {} are needed.",
                    count_words(pl.col("text")),
                    pl.lit(min_words),
                )
            )
            .alias("detail"),
        )
    )


def clean_documents(docs: pl.DataFrame, min_words: int = MIN_CLEAN_WORDS) -> CleanResult:
    """Clean decoded documents: (documents, removed_spans, rejects); see the module docstring.

    A document left with fewer than `min_words` words (count_words) is rejected as `too_short`.
    `docs` may hold `reference_at` (UTC Datetime): a time the document existed by (the caller's choice,
    e.g. its file's modification time); a yearless wire dateline takes the year that puts its date last
    on or before it (`_resolve_year`). Without it such a dateline gives no published_at.
    """
    reference = (
        pl.col("reference_at") if "reference_at" in docs.columns else pl.lit(None, pl.Datetime("us", "UTC"))
    )
    docs = docs.with_row_index("_row")
    for c, t in (("title", pl.String), ("author", pl.String), ("url", pl.String)):
        if c not in docs.columns:
            docs = docs.with_columns(pl.lit(None, dtype=t).alias(c))
    if "published_at" not in docs.columns:
        docs = docs.with_columns(pl.lit(None, dtype=pl.Datetime("us", "UTC")).alias("published_at"))

    lines = _split_lines(docs.lazy()).collect()
    lines = _line_rules(lines)  # from here on, rules read the normalised `line`
    lines = _context_rules(lines).sort("_row", "line_no")

    # Removed spans: consecutive non-blank lines cut by the same rule become one span.
    nonblank = lines.filter(~pl.col("blank")).with_columns(
        (pl.col("rule").ne_missing(pl.col("rule").shift(1).over("_row")))
        .cast(pl.Int64)
        .cum_sum()
        .over("_row")
        .alias("span")
    )
    spans = (
        nonblank.filter(pl.col("rule").is_not_null())
        .group_by("_row", "span")
        .agg(pl.col("rule").first(), pl.col("start").min(), pl.col("end").max())
        .join(docs.select("_row", "doc_id"), on="_row")
        .sort("_row", "start")
    )
    # Linear in document length (`str.slice` per span walked the text from its start: 16 MB took 62 s).
    spans = spans.with_columns(slice_spans(docs, spans, "raw_text").alias("text"))

    # Text: kept lines joined; any blank run between kept lines becomes one paragraph break. Lines are in
    # document order, so a blank run shows as a step of the running count of blank lines, and each
    # document's text is a run of lines (joined by `_join_lines`: as a group_by with str.join, 0.05 s
    # of 23.5 MB).
    kept = (
        lines.filter(pl.col("rule").is_null())
        .with_columns(pl.col("blank").cast(pl.Int64).cum_sum().alias("blanks"))
        .filter(~pl.col("blank"))
        .select(
            "_row",
            "line",
            pl.when(_doc_start())
            .then(0)
            .when(pl.col("blanks") != pl.col("blanks").shift(1))
            .then(2)
            .otherwise(1)
            .cast(pl.Int8)
            .alias("sep"),
        )
    )
    firsts = kept.get_column("sep").eq(0).arg_true()
    texts = kept[firsts].select(
        "_row",
        _join_lines(kept.get_column("line"), kept.get_column("sep")).alias("text"),
        pl.col("line").alias("first_line"),
        pl.Series(np.diff(np.append(firsts.to_numpy(), kept.height)), dtype=pl.UInt32).alias("n_lines"),
    )

    # Metadata cues from the text.
    author_cue = (
        lines.filter(pl.col("rule") == BYLINE)
        .with_columns(
            pl.coalesce(
                pl.col("line").str.extract(_AUTHOR_LABEL, 1), pl.col("line").str.extract(_BYLINE_BY, 1)
            )
            .str.strip_chars()
            .alias("author_cue")
        )
        .filter(pl.col("author_cue").is_not_null() & (pl.col("author_cue") != ""))
        .group_by("_row")
        .agg(pl.col("author_cue").first())
    )
    date_cue = (
        lines.filter(pl.col("rule") == DATELINE)
        .with_columns(_parse_date(pl.col("line").str.extract(_DATELINE, 1)).alias("date_cue"))
        .filter(pl.col("date_cue").is_not_null())
        .group_by("_row")
        .agg(pl.col("date_cue").first())
    )
    wire_date_cue = (
        # (`wire_date` is worked out once per distinct line, in _line_rules: over every kept line, the
        # year prefilter and the capture search cost ~0.1 s per 23.5 MB)
        lines.select("_row", pl.col("wire_date").alias("wire_date_cue"))
        .filter(lines["rule"].is_null() & lines["wire_date"].is_not_null())
        .group_by("_row")
        .agg(pl.col("wire_date_cue").first())
    )
    month_day_cue = (
        lines.select("_row", pl.col("wire_month_day").alias("month_day_cue"))
        .filter(lines["rule"].is_null() & lines["wire_month_day"].is_not_null())
        .group_by("_row")
        .agg(pl.col("month_day_cue").first())
    )
    stats = lines.group_by("_row").agg(
        (pl.col("end") - pl.col("start")).filter(pl.col("rule").is_not_null()).sum().alias("cut_chars"),
    )

    first = pl.col("first_line")
    headline = (
        (pl.col("n_lines") > 1)
        & first.str.count_matches(r"\S+").is_between(1, 20)
        & (first.str.len_chars() <= 160)
        & ~first.str.contains(r"[.!?;,。！？；，:：][\"'”’)\]]*$")
        & ~first.str.starts_with("- ")
    )
    out = (
        docs.join(texts, on="_row", how="left")
        .join(author_cue, on="_row", how="left")
        .join(date_cue, on="_row", how="left")
        .join(wire_date_cue, on="_row", how="left")
        .join(month_day_cue, on="_row", how="left")
        .join(stats, on="_row", how="left")
        .with_columns(
            pl.col("text").fill_null(""),
            # (a Markdown heading's "# " marks the line as a title; it is not part of it)
            pl.coalesce("title", pl.when(headline).then(first.str.replace(r"^#{1,6}\s+", ""))).alias("title"),
            pl.coalesce("author", "author_cue").alias("author"),
            pl.coalesce(
                "published_at", "date_cue", "wire_date_cue", _resolve_year(pl.col("month_day_cue"), reference)
            ).alias("published_at"),
            pl.col("raw_text").str.len_chars().cast(pl.Int64).alias("raw_chars"),
        )
        .with_columns(pl.col("text").str.len_chars().cast(pl.Int64).alias("clean_chars"))
    )
    share = pl.col("cut_chars").fill_null(0) / pl.col("raw_text").str.strip_chars().str.len_chars().clip(1)
    out = out.with_columns(
        pl.when(pl.col("clean_chars") == 0)
        .then(pl.lit(EMPTY_AFTER_CLEANING))
        .when(share > MAX_BOILERPLATE_SHARE)
        .then(pl.lit(MOSTLY_BOILERPLATE))
        .when(_fewer_words(out["text"], min_words))
        .then(pl.lit(TOO_SHORT))
        .otherwise(None)
        .cast(pl.String)
        .alias("reason"),
        share.alias("share"),
    )
    rejects = _rejects(out, min_words)
    good = out.filter(pl.col("reason").is_null())
    good = good.with_columns(
        _language(good["text"]),
        pl.lit(None, dtype=pl.String).alias("duplicate_of"),
        pl.lit(CLEAN_VERSION).alias("clean_version"),
    )
    documents = good.select([pl.col(c).cast(t) for c, t in DOCUMENT_COLUMNS.items()])
    removed = spans.select([pl.col(c).cast(t) for c, t in SPAN_COLUMNS.items()])
    return CleanResult(
        documents, removed, rejects.select([pl.col(c).cast(t) for c, t in REJECT_COLUMNS.items()])
    )
