"""Synthetic AI-industry news with its own answer key: a corpus of any size for `quarry bench`.

`generate(n_docs, seed, gazetteer_entries)` returns documents (`name`, `text`) and, per name, labels in
the seeds/labels format (seeds/labels/README.md) for everything it planted: entities (canonical/type,
the surface forms used), metrics (exact span, normalised value, unit, subject), and the figures and
entities it put inside boilerplate (`noise_metrics`, `noise_entities`), which cleaning must remove.

What a document is made of, so each stage has real work to do:
- a headline line, paragraphs of fact sentences (entity and figure slots) and filler, bullet lists;
- boilerplate of the kinds cleaning removes: a promo block at the top, "Advertisement", "Read more:",
  a newsletter pitch, photo credits, "Share this article", a trailing related-headline list;
- a verbatim repeated paragraph (~15%), near-duplicates (~3%: an earlier story with small edits) and
  Chinese documents (~3%);
- lengths log-uniform between 0.5 and 20 KB (mean about 5 KB).

Pure: no IO, clock or environment. Each document draws from its own `random.Random(f"{seed}/{i}")`, so
the output is byte-identical for a seed, and the first n documents of `generate(n + k, ...)` are those
of `generate(n, ...)` (the benchmark's incremental run relies on that).
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

MIN_DOC_BYTES = 500
MAX_DOC_BYTES = 20_000
NEAR_DUPLICATE_SHARE = 0.03
CHINESE_SHARE = 0.03
REPEATED_PARAGRAPH_SHARE = 0.15
TYPES = ("ORG", "PERSON", "MODEL", "PRODUCT", "BENCHMARK", "GPE")
# Rules that make a surface form conditional on its document: such forms are never planted, so a label
# never depends on what else the generator happened to write.
_CONDITIONAL = ("requires_doc", "unless_doc", "not_before_capitalized", "not_followed_by")
_CJK = re.compile(r"[\u3400-\u9fff]")


# ------------------------------------------------------------------------------------- entities
@dataclass(frozen=True)
class _Entity:
    name: str
    type: str
    forms: tuple[str, ...]  # Latin-script surface forms, canonical name first
    zh_forms: tuple[str, ...]  # Chinese surface forms


def _entity_pool(entries: list[dict]) -> dict[str, list[_Entity]]:
    """Plantable entities per type: entries without document-conditional rules, unambiguous forms only."""
    owners: dict[str, int] = {}
    for e in entries:
        for form in _all_forms(e):
            owners[form.lower()] = owners.get(form.lower(), 0) + 1
    pool: dict[str, list[_Entity]] = {t: [] for t in TYPES}
    for e in entries:
        if e.get("type") not in pool or any(k in e for k in _CONDITIONAL):
            continue
        forms = [f for f in _plain_forms(e) if owners.get(f.lower(), 0) == 1]
        latin = [f for f in forms if not _CJK.search(f)]
        if e["name"] not in latin:
            continue
        latin.remove(e["name"])
        zh = tuple(f for f in forms if _CJK.search(f))
        pool[e["type"]].append(_Entity(e["name"], e["type"], (e["name"], *latin), zh))
    return pool


def _all_forms(e: dict) -> list[str]:
    aliases = [a["alias"] if isinstance(a, dict) else a for a in e.get("aliases", [])]
    return [str(e["name"]), *(str(a) for a in aliases)]


def _plain_forms(e: dict) -> list[str]:
    out = [str(e["name"])]
    for a in e.get("aliases", []):
        if isinstance(a, dict):
            if not any(k in a for k in _CONDITIONAL):
                out.append(str(a["alias"]))
        else:
            out.append(str(a))
    return out


# ------------------------------------------------------------------------------------- figures
def _num(x: float, decimals: int) -> str:
    return f"{x:,.{decimals}f}" if decimals else f"{int(round(x)):,}"


def _scaled(rng: random.Random) -> tuple[str, float, str]:
    """A number with a scale word: ("6.6", 6.6e9, "billion")."""
    scale, mult = rng.choice([("million", 1e6), ("billion", 1e9), ("billion", 1e9)])
    decimals = rng.choice([0, 1, 1, 2])
    x = round(rng.uniform(1.2, 95 if scale == "billion" else 900), decimals)
    return _num(x, decimals), x * mult, scale


def _value(v: float) -> float | int:
    r = round(v, 6)
    return int(r) if float(r).is_integer() else r


def _m(text: str, value: float, unit: str) -> dict:
    return {"text": text, "value": _value(value), "unit": unit}


# Each figure kind: (surface in the text, labels [{text, value, unit}]). The label text is the figure
# span only ("10,000 GPUs" in "about 10,000 GPUs").
def _fig_usd(rng: random.Random) -> tuple[str, list[dict]]:
    s, v, scale = _scaled(rng)
    pre = rng.choice(["$", "$", "$", "US$"])
    text = f"{pre}{s}{'bn' if scale == 'billion' and rng.random() < 0.15 else ' ' + scale}"
    qual = rng.choice(["", "", "", "about ", "more than ", "nearly "])
    return qual + text, [_m(text, v, "USD")]


def _fig_cny_usd(rng: random.Random) -> tuple[str, list[dict]]:
    yuan = rng.randint(3, 150)
    usd = round(yuan / 7.25, 2)
    a, b = f"{yuan} billion yuan", f"${usd:g} billion"
    return f"{a} ({b})", [_m(a, yuan * 1e9, "CNY"), _m(b, usd * 1e9, "USD")]


def _fig_other_money(rng: random.Random) -> tuple[str, list[dict]]:
    s, v, scale = _scaled(rng)
    pre, unit = rng.choice([("€", "EUR"), ("HK$", "HKD"), ("£", "GBP")])
    text = f"{pre}{s} {scale}"
    return text, [_m(text, v, unit)]


_PARAM_SIZES = [0.5, 1.3, 1.5, 3, 6.4, 7, 8, 9, 13, 14, 27, 32, 34, 70, 72, 110, 236, 405, 671, 1000]


def _fig_params_adj(rng: random.Random) -> tuple[str, list[dict]]:
    n = rng.choice(_PARAM_SIZES)
    text = f"{n:g}-billion-parameter"
    return text, [_m(text, n * 1e9, "parameters")]


def _fig_params(rng: random.Random) -> tuple[str, list[dict]]:
    n = rng.choice(_PARAM_SIZES)
    text = f"{n:g} billion parameters"
    return text, [_m(text, n * 1e9, "parameters")]


def _fig_users(rng: random.Random) -> tuple[str, list[dict]]:
    if rng.random() < 0.2:  # a few products have billions of users, none has tens of billions
        x = round(rng.uniform(1.0, 3.0), 1)
        s, v, scale = f"{x:g}", x * 1e9, "billion"
    else:
        s, v, scale = _scaled(rng)
        if scale == "billion":
            s, v, scale = s, v / 1e3, "million"
    kind = rng.choice(["monthly active users", "users", "weekly active users", "daily active users"])
    text = f"{s} {scale} {kind}"
    qual = rng.choice(["", "", "more than ", "over "])
    return qual + text, [_m(text, v, "users")]


def _fig_pct(rng: random.Random) -> tuple[str, list[dict]]:
    x = round(rng.uniform(0.5, 35), rng.choice([0, 1]))
    text = f"{x:g}%"
    return text, [_m(text, x, "percent")]


def _fig_gpus(rng: random.Random) -> tuple[str, list[dict]]:
    n = rng.choice([16_384, 24_576, rng.randint(1, 200) * 500])
    noun = rng.choice(["GPUs", "GPUs", "graphics processing units", "graphics cards", "AI chips"])
    text = f"{n:,} {noun}"
    qual = rng.choice(["", "about ", "roughly ", "more than "])
    return qual + text, [_m(text, n, "GPU")]


def _fig_employees(rng: random.Random) -> tuple[str, list[dict]]:
    n = rng.randint(4, 1500) * 10
    noun = rng.choice(["employees", "engineers", "AI researchers", "AI specialists"])
    text = f"{n:,} {noun}"
    qual = rng.choice(["", "over ", "about "])
    return qual + text, [_m(text, n, "employees")]


def _fig_context(rng: random.Random) -> tuple[str, list[dict]]:
    k = rng.choice([8, 16, 32, 64, 100, 128, 200, 256, 400, 512, 1000])
    text = f"{k}K-token"
    return text, [_m(text, k * 1000, "tokens")]


def _fig_tps(rng: random.Random) -> tuple[str, list[dict]]:
    n = rng.randint(12, 480)
    text = f"{n} tokens per second"
    return text, [_m(text, n, "tokens_per_second")]


def _fig_gpu_hours(rng: random.Random) -> tuple[str, list[dict]]:
    x = round(rng.uniform(0.5, 40), rng.choice([1, 2]))
    text = f"{x:g} million GPU hours"
    return text, [_m(text, x * 1e6, "GPU_hours")]


_FIGURES = {
    "usd": _fig_usd,
    "cny_usd": _fig_cny_usd,
    "money": _fig_other_money,
    "params_adj": _fig_params_adj,
    "params": _fig_params,
    "users": _fig_users,
    "pct": _fig_pct,
    "gpus": _fig_gpus,
    "employees": _fig_employees,
    "context": _fig_context,
    "tps": _fig_tps,
    "gpu_hours": _fig_gpu_hours,
}


# Chinese figures: (surface, label text, value, unit).
def _zh_figure(kind: str, rng: random.Random) -> tuple[str, list[dict]]:
    if kind == "usd":
        n = rng.randint(2, 300)
        t = f"{n}亿美元"
        return t, [_m(t, n * 1e8, "USD")]
    if kind in ("cny_usd", "money"):
        n = rng.randint(10, 900)
        t = f"{n}亿元"
        return t, [_m(t, n * 1e8, "CNY")]
    if kind in ("params", "params_adj"):
        n = rng.randint(10, 6710)
        t = f"{n}亿参数"
        return t, [_m(t, n * 1e8, "parameters")]
    if kind == "users":
        n = round(rng.uniform(0.1, 9.9), 1)
        t = f"{n:g}亿月活跃用户"
        return t, [_m(t, n * 1e8, "users")]
    if kind == "gpus":
        if rng.random() < 0.5:
            n = rng.randint(500, 9999)
            t = f"{n}块GPU"
            return t, [_m(t, n, "GPU")]
        n = rng.randint(1, 30)
        t = f"{n}万块GPU"
        return t, [_m(t, n * 1e4, "GPU")]
    if kind == "employees":
        n = rng.randint(50, 9000)
        t = f"{n}名工程师"
        return t, [_m(t, n, "employees")]
    x = round(rng.uniform(1, 30), 1)
    t = f"{x:g}%"
    return t, [_m(t, x, "percent")]


# ------------------------------------------------------------------------------------- templates
# Fact sentences: slots {ORG} {ORG2} {MODEL} {PRODUCT} {PERSON} {GPE} {BENCH}; one figure slot {F:kind}
# at most; the subject of the figure (an entity slot, or None for a general figure).
_FACTS: list[tuple[str, str | None]] = [
    ("{ORG} raised {F:usd} in a new funding round led by {ORG2}.", "ORG"),
    ("{ORG} said it would invest {F:cny_usd} a year to bring AI into its products.", "ORG"),
    ("The company behind {PRODUCT}, {ORG}, is now valued at {F:usd}.", "ORG"),
    ("{ORG} unveiled {MODEL}, a {F:params_adj} model trained for reasoning and coding.", "MODEL"),
    ("{MODEL} has {F:params} and was released under an open licence by {ORG}.", "MODEL"),
    ("{PRODUCT} now has {F:users}, according to {ORG}.", "PRODUCT"),
    ("{ORG} shares jumped {F:pct} after the launch of {MODEL}.", "ORG"),
    ("Shares of {ORG} fell {F:pct} in {GPE} trading as investors weighed the cost of the race.", "ORG"),
    ("{ORG} has bought {F:gpus} to train its next models, people familiar with the matter said.", "ORG"),
    ("{ORG} now employs {F:employees} in its AI division, {PERSON} told reporters.", "ORG"),
    ("{MODEL} supports a {F:context} context window and runs on {PRODUCT}.", "MODEL"),
    ("On a single device, {MODEL} generates {F:tps}.", "MODEL"),
    ("Training {MODEL} took {F:gpu_hours}, a fraction of what rivals spend.", "MODEL"),
    ("{MODEL} scored {F:pct} on {BENCH}, ahead of the previous version.", "MODEL"),
    ("{ORG} reported quarterly revenue of {F:money}, helped by demand for {PRODUCT}.", "ORG"),
    ("Analysts expect spending on AI infrastructure in {GPE} to reach {F:usd} this year.", None),
    ("{PERSON}, who leads {ORG}, said the budget for AI would grow by {F:pct}.", "ORG"),
    ("{ORG} will spend {F:usd} on data centers in {GPE}, {PERSON} said on a call with analysts.", "ORG"),
]
# Entity-only sentences (no figure).
_MENTIONS = [
    "{PERSON} said {ORG} would keep releasing open models such as {MODEL}.",
    "{ORG} compared {MODEL} with systems from {ORG2} on {BENCH}.",
    "{MODEL} will be built into {PRODUCT} later this year, {ORG} said.",
    "Developers in {GPE} have started testing {MODEL} through {PRODUCT}.",
    "{ORG2} declined to comment on the results reported by {ORG}.",
    "The launch puts {ORG} in direct competition with {ORG2} in {GPE}.",
    "{PERSON} has repeatedly said that {ORG} sees AI as its most important bet.",
    "Results on {BENCH} suggest that {MODEL} is strongest at maths and code.",
]
_FILLER_SUBJECTS = [
    "Industry observers", "Investors", "Developers", "Rival labs", "Smaller startups", "Regulators",
    "Chip suppliers", "Cloud providers", "Enterprise customers", "Researchers", "Hardware makers",
    "Many engineers", "Some critics", "Open-source communities", "Device makers",
]  # fmt: skip
_FILLER_VERBS = [
    "expect", "are watching", "have questioned", "welcome", "remain cautious about", "are racing toward",
    "keep debating", "underestimate", "are betting on", "want clearer rules for",
]  # fmt: skip
_FILLER_OBJECTS = [
    "the cost of training ever larger models", "on-device assistants that work without a network",
    "the shift from chatbots to agents", "cheaper inference for everyday apps",
    "the supply of advanced chips", "open weights as a way to win developers",
    "the energy demands of new data centers", "reasoning models that check their own work",
    "the pace of model releases", "how much of the value the platforms will capture",
    "the privacy questions raised by personal assistants", "the gap between benchmarks and real use",
]  # fmt: skip
_FILLER_TAILS = [
    "", "", " over the coming months", ", even as prices fall", ", according to people in the industry",
    " as competition intensifies", ", a trend that shows no sign of slowing",
]  # fmt: skip
_FILLER_STANDALONE = [
    "The announcement caps a busy season of launches across the industry.",
    "It is not yet clear how quickly the new features will reach ordinary users.",
    "The move reflects a wider push to make AI useful on phones, cars and home appliances.",
    "Benchmarks capture only part of what makes a model useful in practice.",
    "The race has become as much about hardware and distribution as about algorithms.",
    "Critics warn that the rapid pace leaves little time for safety testing.",
    "For now, the company is focusing on features that run locally to protect user data.",
    "Pricing details were not disclosed.",
]
_HEADLINES = [
    "{ORG} unveils {MODEL} as the AI race heats up",
    "{ORG} bets on on-device AI with {MODEL}",
    "Inside {ORG}'s push into large language models",
    "{PERSON} lays out the AI strategy of {ORG}",
    "{MODEL} puts {ORG} in the AI spotlight",
    "Why {ORG} is betting big on artificial intelligence",
]
_SECTION_HEADS = [
    "What the model can do", "The competitive landscape", "Key takeaways", "Why it matters for users",
    "Hardware meets AI", "The road ahead", "Challenges and barriers",
]  # fmt: skip
_ZH_FACTS: list[tuple[str, str | None]] = [
    ("{ORG}宣布推出{MODEL}大模型，参数规模达{F:params}。", "MODEL"),
    ("{ORG}表示，每年将投入{F:cny_usd}用于人工智能研发。", "ORG"),
    ("{PRODUCT}已拥有{F:users}。", "PRODUCT"),
    ("消息公布后，{ORG}股价上涨{F:pct}。", "ORG"),
    ("据知情人士透露，{ORG}已采购{F:gpus}用于模型训练。", "ORG"),
    ("{ORG}目前在人工智能领域拥有{F:employees}。", "ORG"),
    ("{ORG}完成新一轮融资，金额达{F:usd}。", "ORG"),
]
_ZH_MENTIONS = [
    "{PERSON}在发布会上表示，{ORG}将继续开源{MODEL}。",
    "{ORG}与{ORG2}在{GPE}的竞争日趋激烈。",
    "业内人士认为，{MODEL}将率先应用于{PRODUCT}。",
]
_ZH_FILLER = [
    "业内人士认为，大模型竞争正在从参数规模转向实际应用。",
    "端侧大模型可以在没有网络的情况下运行，响应速度更快，也更好地保护用户隐私。",
    "分析人士指出，算力成本仍是行业面临的主要挑战。",
    "随着技术逐渐成熟，更多厂商开始将人工智能融入手机、汽车和智能家居产品。",
    "开源模型降低了开发者的使用门槛，也加快了整个行业的创新速度。",
]
_ZH_HEADLINES = [
    "{ORG}发布{MODEL}，加速布局人工智能",
    "{ORG}押注端侧大模型",
    "{PERSON}：人工智能是{ORG}的关键变量",
]

# Boilerplate. Figures and entities inside it are the labels' noise items.
_PROMO_BRANDS = ["Gate Square", "CandyDrop", "BitPulse", "Tokenhaven", "MetaLoot Arena"]
_PROMO_LINES = [
    "📢 {B} Exclusive: #{T} Creative Contest# Is Now Live!",
    "Celebrate {B} Round {R} featuring {T} — compete for a {N} {T} prize pool!",
    "🎯 How to Participate: post original content and win rewards",
    "🎨 Event Period: limited-time campaign, register now",
    "Claim your bonus: join now and get {P} off trading fees!",
]
_NEWSLETTERS = [
    ("Fuel your morning with AI insights. Lands in your inbox 6 a.m. PST daily. Grab it free now!", None),
    ("Join {N} subscribers who get our daily AI newsletter.", "users"),
    ("Sign up for our free newsletter and get the week in AI, every Friday.", None),
]
_READ_MORE = [
    "Read more: {ORG} bolsters high-end push with latest AI and foldables",
    "Read more: What the latest model launches mean for the chip market",
    "Related: Investors pile into AI startups despite valuation worries",
]
_RELATED_HEADLINES = [
    "{ORG} signals major investment in research with AI focus",
    "{ORG} takes shot at premium AI phone sector",
    "How {ORG} plans to catch up in the chatbot race",
    "{ORG} shares climb {P} after strong quarterly results",
    "The startups racing to build smaller and cheaper models",
    "What a new wave of reasoning models means for developers",
]
_PHOTO = [
    "Photo: A visitor tries an AI assistant at a technology fair (Getty Images)",
    "Image credit: company handout",
    "Photo: Engineers at work in a research lab | Reuters",
]
_SHARE = [
    "Share this article",
    "Share this article: Facebook | X | LinkedIn | Email",
    "Share on WeChat | Weibo",
]
_REPORTERS = ["By Wendy Sato", "By Daniel Kovacs and Mei Lin", "By Tom Hardy"]
# Near-duplicate edits: filler words swapped (never inside a planted entity or figure).
_SYNONYMS = {
    "Investors": "Shareholders", "expect": "anticipate", "cautious": "wary", "cheaper": "less costly",
    "busy": "hectic", "wider": "broader", "ordinary": "everyday", "Critics": "Skeptics",
}  # fmt: skip


# ------------------------------------------------------------------------------------- assembly
@dataclass
class _Doc:
    """What one document has planted so far."""

    rng: random.Random
    cast: dict[str, list[_Entity]]
    chinese: bool
    entities: dict[str, dict] = field(default_factory=dict)  # canonical -> label entity
    metrics: list[dict] = field(default_factory=list)
    noise_metrics: list[dict] = field(default_factory=list)
    noise_entities: dict[str, dict] = field(default_factory=dict)

    def form(self, ent: _Entity, noise: bool = False) -> str:
        """A surface form for `ent`, recorded in the (noise) entity labels."""
        forms = ent.zh_forms if self.chinese and ent.zh_forms else ent.forms
        text = forms[0] if len(forms) == 1 or self.rng.random() < 0.7 else self.rng.choice(forms[1:])
        book = self.noise_entities if noise else self.entities
        label = book.setdefault(ent.name, {"text": text, "canonical": ent.name, "type": ent.type})
        if text != label["text"] and text not in label.setdefault("aliases", []):
            label["aliases"].append(text)
        return text

    def pick(self, slot: str) -> _Entity:
        key = {"ORG2": "ORG", "BENCH": "BENCHMARK"}.get(slot, slot)
        options = self.cast[key]
        if slot == "ORG2" and len(options) > 1:
            return self.rng.choice(options[1:])
        return options[0] if self.rng.random() < 0.6 else self.rng.choice(options)


_SLOT = re.compile(r"\{(ORG2|ORG|MODEL|PRODUCT|PERSON|GPE|BENCH|F:[a-z_]+)\}")


def _fill(doc: _Doc, template: str, subject: str | None = None, noise: bool = False) -> str:
    """Fill a template's slots, recording the entities and the figure it plants."""
    chosen: dict[str, _Entity] = {}
    out: list[str] = []
    pos = 0
    for m in _SLOT.finditer(template):
        out.append(template[pos : m.start()])
        pos = m.end()
        slot = m.group(1)
        if slot.startswith("F:"):
            surface, labels = _figure(doc, slot[2:])
            subj = chosen.get(subject) if subject else None
            for lab in labels:
                lab["subject"] = subj.name if subj else None
            (doc.noise_metrics if noise else doc.metrics).extend(labels)
            out.append(surface)
            continue
        ent = chosen.get(slot) or doc.pick(slot)
        if slot == "ORG2" and "ORG" in chosen and ent == chosen["ORG"]:
            ent = next((e for e in doc.cast["ORG"] if e != chosen["ORG"]), ent)
        chosen[slot] = ent
        out.append(doc.form(ent, noise))
    out.append(template[pos:])
    return "".join(out)


def _figure(doc: _Doc, kind: str) -> tuple[str, list[dict]]:
    """A figure of `kind` whose (value, unit) the document does not hold yet: two equal labels in one
    document could not be told apart when scoring."""
    seen = {(m["value"], m["unit"]) for m in doc.metrics}
    for _ in range(8):
        surface, labels = _zh_figure(kind, doc.rng) if doc.chinese else _FIGURES[kind](doc.rng)
        if not any((m["value"], m["unit"]) in seen for m in labels):
            break
    return surface, labels


def _filler(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return rng.choice(_FILLER_STANDALONE)
    s = (
        f"{rng.choice(_FILLER_SUBJECTS)} {rng.choice(_FILLER_VERBS)} {rng.choice(_FILLER_OBJECTS)}"
        f"{rng.choice(_FILLER_TAILS)}."
    )
    return s


def _sentence(doc: _Doc) -> str:
    r = doc.rng.random()
    if doc.chinese:
        if r < 0.35:
            return _fill(doc, *doc.rng.choice(_ZH_FACTS))
        if r < 0.55:
            return _fill(doc, doc.rng.choice(_ZH_MENTIONS))
        return doc.rng.choice(_ZH_FILLER)
    if r < 0.3:
        return _fill(doc, *doc.rng.choice(_FACTS))
    if r < 0.5:
        return _fill(doc, doc.rng.choice(_MENTIONS))
    return _filler(doc.rng)


def _paragraph(doc: _Doc) -> str:
    sep = "" if doc.chinese else " "
    return sep.join(_sentence(doc) for _ in range(doc.rng.randint(2, 6)))


def _bullets(doc: _Doc) -> list[str]:
    bullet = doc.rng.choice(["- ", "• ", "  • "])
    items = [bullet + _fill(doc, *doc.rng.choice(_FACTS)) for _ in range(doc.rng.randint(3, 5))]
    return [doc.rng.choice(_SECTION_HEADS), *items]


def _cast(rng: random.Random, pool: dict[str, list[_Entity]], chinese: bool) -> dict[str, list[_Entity]]:
    cast = {}
    for t in TYPES:
        options = pool[t]
        if chinese and t in ("ORG", "PERSON", "GPE", "PRODUCT"):
            options = [e for e in options if e.zh_forms] or options
        k = {"ORG": 4, "MODEL": 3, "PRODUCT": 2}.get(t, 2)
        cast[t] = rng.sample(options, min(k, len(options)))
    return cast


def _promo_block(doc: _Doc) -> list[str]:
    rng = doc.rng
    brand, tag = rng.choice(_PROMO_BRANDS), rng.choice(["WXTM", "GSQ", "PLSX", "HVN"])
    n = rng.choice([10_000, 50_000, 70_000])
    pct = rng.choice([20, 30, 50])
    lines = []
    for tpl in _PROMO_LINES[: rng.randint(3, len(_PROMO_LINES))]:
        line = tpl.format(B=brand, T=tag, R=rng.randint(11, 99), N=f"{n:,}", P=f"{pct}%")
        if "{P}" in tpl:
            doc.noise_metrics.append({**_m(f"{pct}%", pct, "percent"), "subject": None})
        lines.append(line)
    return lines


def _newsletter(doc: _Doc) -> str:
    tpl, unit = doc.rng.choice(_NEWSLETTERS)
    n = doc.rng.choice([50_000, 120_000, 250_000])
    if unit:
        doc.noise_metrics.append({**_m(f"{n:,} subscribers", n, unit), "subject": None})
    elif "6 a.m." in tpl:
        doc.noise_metrics.append({**_m("6 a.m.", 6, "hour"), "subject": None})
    return tpl.format(N=f"{n:,}")


def _related(doc: _Doc) -> list[str]:
    out = []
    for tpl in doc.rng.sample(_RELATED_HEADLINES, doc.rng.randint(3, 4)):
        pct = doc.rng.choice([3, 4, 6, 8])
        if "{P}" in tpl:
            doc.noise_metrics.append({**_m(f"{pct}%", pct, "percent"), "subject": None})
        out.append(_fill(doc, tpl.replace("{P}", f"{pct}%"), noise=True))
    return out


def _target_bytes(rng: random.Random) -> int:
    return int(math.exp(rng.uniform(math.log(MIN_DOC_BYTES), math.log(MAX_DOC_BYTES))))


def _story(rng: random.Random, pool: dict[str, list[_Entity]], chinese: bool) -> tuple[str, dict]:
    """One document's text and its labels."""
    doc = _Doc(rng, _cast(rng, pool, chinese), chinese)
    target = _target_bytes(rng)
    heavy = target > 1_500 and not chinese  # short notes carry little or no boilerplate
    top: list[str] = []
    if heavy and rng.random() < 0.15:
        top += _promo_block(doc)
    headline = _fill(doc, rng.choice(_ZH_HEADLINES if chinese else _HEADLINES))
    top.append(headline)
    if heavy and rng.random() < 0.3:
        top.append(rng.choice(_REPORTERS))
    if heavy and rng.random() < 0.2:
        top.append(rng.choice(_PHOTO))

    body: list[str] = []
    size = 0
    while size < max(target - 400, 350) or len(body) < 2:
        if not chinese and rng.random() < 0.12:
            block = _bullets(doc)
            body.extend(block)
            size += sum(len(b.encode()) + 1 for b in block)
            continue
        para = _paragraph(doc)
        body.append(para)
        size += len(para.encode()) + 1
        if heavy and rng.random() < 0.06:
            body.append(rng.choice(["Advertisement", "ADVERTISEMENT", "Story continues below advertisement"]))
        if heavy and rng.random() < 0.04:
            body.append(_fill(doc, rng.choice(_READ_MORE), noise=True))
    paragraphs = [b for b in body if len(b) >= 60]
    if paragraphs and rng.random() < REPEATED_PARAGRAPH_SHARE:
        copy = rng.choice(paragraphs)
        body.insert(rng.randint(body.index(copy) + 1, len(body)), copy)

    tail: list[str] = []
    if heavy:
        if rng.random() < 0.3:
            tail.append(rng.choice(_SHARE))
        if rng.random() < 0.3:
            tail.append(_newsletter(doc))
        if rng.random() < 0.25:
            tail += ["", *_related(doc)]
    sep = "\n\n" if rng.random() < 0.4 else "\n"
    text = "\n".join(top) + "\n" + sep.join(body) + ("\n" + "\n".join(tail) if tail else "") + "\n"
    return text, _labels(doc)


def _labels(doc: _Doc) -> dict:
    # An entity named in the article is not noise even when a boilerplate line names it too.
    noise_entities = [e for name, e in doc.noise_entities.items() if name not in doc.entities]
    return {
        "entities": list(doc.entities.values()),
        "metrics": doc.metrics,
        "noise_metrics": doc.noise_metrics,
        "noise_entities": noise_entities,
        "noise_note": "synthetic: promo block, advertisement, read-more, newsletter, share, photo credit, "
        "related headlines and a repeated paragraph are boilerplate",
    }


def _near_duplicate(text: str, rng: random.Random) -> str:
    """The same story with small edits: a few filler words swapped and one sentence appended to a
    paragraph (always, so it never repeats the original byte for byte)."""
    for old, new in _SYNONYMS.items():
        if rng.random() < 0.6:
            text = re.sub(rf"\b{re.escape(old)}\b", new, text, count=1)
    lines = text.split("\n")
    chinese = len(_CJK.findall(text)) > len(text) // 5
    body = [i for i, line in enumerate(lines) if len(line) > (60 if chinese else 200)]
    i = rng.choice(body) if body else max(range(len(lines)), key=lambda k: len(lines[k]))
    lines[i] += rng.choice(_ZH_FILLER) if chinese else " " + rng.choice(_FILLER_STANDALONE)
    return "\n".join(lines)


def _document(i: int, seed: int, pool: dict[str, list[_Entity]]) -> tuple[str, dict]:
    rng = random.Random(f"{seed}/{i}")
    r = rng.random()
    if i >= 10 and r < NEAR_DUPLICATE_SHARE:
        source = rng.randrange(max(0, i - 500), i)
        original, labels = _document(source, seed, pool)
        return _near_duplicate(original, rng), labels
    chinese = NEAR_DUPLICATE_SHARE <= r < NEAR_DUPLICATE_SHARE + CHINESE_SHARE
    return _story(rng, pool, chinese)


def iter_documents(
    n_docs: int, seed: int, gazetteer_entries: list[dict], start: int = 0
) -> Iterator[tuple[dict, dict]]:
    """(document, labels) for documents start..n_docs-1, one at a time (constant memory)."""
    pool = _entity_pool(gazetteer_entries)
    missing = [t for t in TYPES if not pool[t]]
    if missing:
        raise ValueError(f"gazetteer has no plantable entity of type {', '.join(missing)}")
    for i in range(start, n_docs):
        text, labels = _document(i, seed, pool)
        yield {"name": document_name(i), "text": text}, labels


def generate(n_docs: int, seed: int, gazetteer_entries: list[dict]) -> tuple[list[dict], dict[str, dict]]:
    """`n_docs` synthetic news documents (name, text) and their labels by name; same seed, same bytes."""
    docs: list[dict] = []
    labels: dict[str, dict] = {}
    for doc, lab in iter_documents(n_docs, seed, gazetteer_entries):
        docs.append(doc)
        labels[doc["name"]] = lab
    return docs, labels


def document_name(i: int) -> str:
    """The file stem of the i-th generated document."""
    return f"syn_{i:07d}"
