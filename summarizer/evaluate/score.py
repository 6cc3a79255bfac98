"""Counts, per-file scores and the run over a gold folder.

Long module: the score types (Counts, FileScore, EvalReport) and the run that fills them are
read together, field by field; matching and gold loading already live in match.py and gold.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, SummarizerError
from .gold import _haystacks, collapse, load_gold
from .match import (
    _CONTAIN_MIN_CHARS,
    _QUOTE_MIN_OVERLAP,
    ALLEGATION_THRESHOLD,
    _pair_targets,
    allegation_similarity,
    note_aliases,
    party_match,
    quote_overlap,
    speaker_match,
)
from .split import Split, select

if TYPE_CHECKING:
    from ..inputs import Article
    from ..schema import ArticleSummary

# =============================================================================== scores


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass
class Counts:
    """Summable counts; every rate is computed from them (so overall = micro average)."""

    files: int = 0
    errors: int = 0
    targets_gold: int = 0
    targets_pred: int = 0
    targets_matched: int = 0
    targets_invented: int = 0
    quotes_gold: int = 0
    quotes_pred: int = 0
    quotes_found: int = 0
    speakers_correct: int = 0
    quotes_verbatim: int = 0
    allegations_gold: int = 0
    allegations_pred: int = 0
    allegations_found: int = 0
    allegations_direction_right: int = 0  # found allegations whose accuser and accused both match
    quotes_pred_gold: int = 0  # returned quotes that are gold quotes (for quote precision)
    named_given: int = 0  # named fields the model filled in (kept or dropped)
    named_resolved: int = 0  # ...that came back with a mention in the article
    summary_given: int = 0  # summary sentences the model wrote (kept or dropped)
    summary_supported: int = 0  # ...that came back with support in the article
    summary_on_furniture: int = 0  # ...whose support is only site furniture (paywall, menus; must be 0)
    unsupported_names: int = 0  # names/numbers in the result the article does not contain (must be 0)

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    # Target P/R with nothing to divide by: an empty list is right when the gold is empty too
    # (02 and 04 have no targets), so both are 1.0 then; otherwise (or after an error) 0.0.
    @property
    def target_precision(self) -> float:
        if self.targets_pred:
            return self.targets_matched / self.targets_pred
        return 0.0 if self.targets_gold or self.errors else 1.0

    @property
    def target_recall(self) -> float:
        if self.targets_gold:
            return self.targets_matched / self.targets_gold
        return 0.0 if self.targets_pred or self.errors else 1.0

    @property
    def target_f1(self) -> float:
        p, r = self.target_precision, self.target_recall
        return 2 * p * r / (p + r) if p + r else 0.0

    # The other rates are None (shown as "–") when there is nothing to divide by.
    @property
    def quote_recall(self) -> float | None:
        return _ratio(self.quotes_found, self.quotes_gold)

    @property
    def speaker_accuracy(self) -> float | None:
        """Over found gold quotes: was the quote given to the right speaker?"""
        return _ratio(self.speakers_correct, self.quotes_found)

    @property
    def verbatim_share(self) -> float | None:
        """Over returned quotes: must be 1.0 for this tool, which grounds every quote."""
        return _ratio(self.quotes_verbatim, self.quotes_pred)

    @property
    def allegation_recall(self) -> float | None:
        return _ratio(self.allegations_found, self.allegations_gold)

    @property
    def direction_accuracy(self) -> float | None:
        """Over found gold allegations: were accuser and accused both right (`party_match`)?"""
        return _ratio(self.allegations_direction_right, self.allegations_found)

    @property
    def quote_precision(self) -> float | None:
        """Over returned quotes: the share that are gold quotes (not scare quotes, nicknames)."""
        return _ratio(self.quotes_pred_gold, self.quotes_pred)

    @property
    def named_resolved_share(self) -> float | None:
        """Over named fields the model filled in: the share that resolved to a mention."""
        return _ratio(self.named_resolved, self.named_given)

    @property
    def summary_supported_share(self) -> float | None:
        """Over summary sentences the model wrote: the share returned with support."""
        return _ratio(self.summary_supported, self.summary_given)

    def to_json(self) -> dict[str, Any]:
        rates = ("target_precision", "target_recall", "target_f1", "quote_recall", "quote_precision",
                 "speaker_accuracy", "verbatim_share", "allegation_recall", "direction_accuracy", "named_resolved_share",
                 "summary_supported_share")
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out.update({r: _round(getattr(self, r)) for r in rates})
        return out


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


@dataclass
class FileScore:
    """The score of one article, with the items behind each number (for debugging prompts)."""

    name: str
    counts: Counts
    error: str | None = None  # one-line message of the SummarizerError, if the run failed
    error_kind: str | None = None
    exit_code: int | None = None
    targets_matched: list[tuple[str, str]] = field(default_factory=list)  # (gold, pred)
    targets_missed: list[str] = field(default_factory=list)
    targets_false: list[str] = field(default_factory=list)  # predicted, matching no gold target
    targets_invented: list[str] = field(default_factory=list)  # ...and not even in the article
    quotes_missed: list[str] = field(default_factory=list)
    speakers_wrong: list[tuple[str, str, str | None]] = field(default_factory=list)  # quote, gold, pred
    quotes_not_verbatim: list[str] = field(default_factory=list)
    allegations_missed: list[str] = field(default_factory=list)
    # found, with accuser or accused wrong: (claim, gold "by -> against", returned "by -> against")
    directions_wrong: list[tuple[str, str, str]] = field(default_factory=list)
    quotes_not_gold: list[str] = field(default_factory=list)  # returned, matching no gold quote
    unsupported_names: list[str] = field(default_factory=list)
    summary_on_furniture: list[str] = field(default_factory=list)  # summary sentences resting on furniture

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "error": self.error,
            "error_kind": self.error_kind,
            **self.counts.to_json(),
            "details": {
                "targets_matched": [{"gold": g, "pred": p} for g, p in self.targets_matched],
                "targets_missed": self.targets_missed,
                "targets_false": self.targets_false,
                "targets_invented": self.targets_invented,
                "quotes_missed": self.quotes_missed,
                "speakers_wrong": [
                    {"quote": q, "gold": g, "pred": p} for q, g, p in self.speakers_wrong
                ],
                "quotes_not_verbatim": self.quotes_not_verbatim,
                "allegations_missed": self.allegations_missed,
                "directions_wrong": [
                    {"claim": c, "gold": g, "pred": p} for c, g, p in self.directions_wrong
                ],
                "quotes_not_gold": self.quotes_not_gold,
                "unsupported_names": self.unsupported_names,
                "summary_on_furniture": self.summary_on_furniture,
            },
        }


@dataclass
class EvalReport:
    """Per-file scores and their micro-averaged total, and the split part they cover (None: all)."""

    files: list[FileScore]
    split: Split | None = None

    @property
    def overall(self) -> Counts:
        total = Counts()
        for f in self.files:
            total = total + f.counts
        return total

    @property
    def failed(self) -> list[FileScore]:
        return [f for f in self.files if f.error is not None]

    def to_json(self) -> dict[str, Any]:
        split = self.split
        return {
            "split": None if split is None else {"name": split.name, "file": split.shown, "articles": len(split.names)},
            "overall": self.overall.to_json(),
            "files": [f.to_json() for f in self.files],
            "rules": {
                "allegation_threshold": ALLEGATION_THRESHOLD,
                "quote_min_overlap": _QUOTE_MIN_OVERLAP,
                "target_contain_min_chars": _CONTAIN_MIN_CHARS,
            },
        }


def _short(s: str, n: int = 70) -> str:
    s = collapse(s)
    return s if len(s) <= n else s[: n - 1] + "…"


def score(
    result: ArticleSummary, gold: dict[str, Any], article_text: str, raw_text: str, *, name: str = ""
) -> FileScore:
    """Score one result against one gold dict. `article_text` is what the tool read
    (`Article.text`, the extraction for HTML); `raw_text` is the file as decoded (the HTML
    source), from which the gold's visible text is computed for HTML articles.

    Targets: pairs are one-to-one (see `_pair_targets` / `target_match`). A predicted target
    that matches no gold target is a false positive; it is also "invented" when its name
    (casefolded, whitespace-collapsed) occurs in none of the article texts. A prediction that
    matches a gold alias is never invented, even when the alias is a translation the article
    does not contain ("Russia" for "Russland").

    Quotes: a gold quote is found when some returned quote has `quote_overlap` >= 0.5 with it
    (places compared in the article text that holds the gold quote); its speaker is right when
    the best-overlapping such quote (ties: the one closest in length) `speaker_match`es. A returned
    quote is verbatim when its collapsed text is a substring of a collapsed article text (for
    HTML: our extraction or the gold's visible text).

    Allegations: pairs one-to-one, greedily by `allegation_similarity`, highest first, keeping
    pairs >= ALLEGATION_THRESHOLD; found = gold allegations paired. A found allegation has the
    right direction when its accuser and accused both `party_match` the gold's.

    `name` labels the file in the report.
    """
    fs = FileScore(name=name, counts=Counts(files=1))
    c = fs.counts
    hay = _haystacks(gold, article_text, raw_text)

    # ---- targets
    gold_targets = [str(t["name"]) for t in gold.get("sanctions_targets", [])]
    pred_targets = [t.name for t in result.sanctions_targets]
    pairs = _pair_targets(pred_targets, gold_targets, note_aliases(gold))
    c.targets_gold, c.targets_pred, c.targets_matched = len(gold_targets), len(pred_targets), len(pairs)
    fs.targets_matched = [(gold_targets[g], pred_targets[p]) for p, g in sorted(pairs.items())]
    fs.targets_missed = [g for j, g in enumerate(gold_targets) if j not in pairs.values()]
    fs.targets_false = [p for i, p in enumerate(pred_targets) if i not in pairs]
    folded_hay = [h.casefold() for h in hay]
    fs.targets_invented = [
        p for p in fs.targets_false if not any(collapse(p).casefold() in h for h in folded_hay)
    ]
    c.targets_invented = len(fs.targets_invented)

    # ---- quotes
    gold_quotes = [q for q in gold.get("quotes", []) if isinstance(q, dict)]
    c.quotes_gold, c.quotes_pred = len(gold_quotes), len(result.quotes)
    for gq in gold_quotes:
        gtext = collapse(str(gq["text"]))
        # positions are compared in the text that holds the gold quote (visible text for HTML)
        where = next((h for h in reversed(hay) if gtext in h), None)
        best: tuple[float, float, int] | None = None
        for i, pq in enumerate(result.quotes):
            ov = quote_overlap(pq.text, gtext, where)
            # ties (a gold quote inside two returned ones) go to the closer length:
            # "patently false," is the Pentagon's, "is patently false," Robertson's
            closeness = min(len(gtext), len(pq.text)) / max(len(gtext), len(pq.text), 1)
            if ov >= _QUOTE_MIN_OVERLAP and (best is None or (ov, closeness) > best[:2]):
                best = (ov, closeness, i)
        if best is None:
            fs.quotes_missed.append(_short(str(gq["text"])))
            continue
        c.quotes_found += 1
        pred_speaker = result.quotes[best[2]].speaker
        if speaker_match(pred_speaker, str(gq.get("speaker", ""))):
            c.speakers_correct += 1
        else:
            fs.speakers_wrong.append((_short(str(gq["text"]), 50), str(gq.get("speaker")), pred_speaker))
    for pq in result.quotes:
        t = collapse(pq.text)
        if t and any(t in h for h in hay):
            c.quotes_verbatim += 1
        else:
            fs.quotes_not_verbatim.append(_short(pq.text))
        if any(_quote_found(pq.text, collapse(str(gq["text"])), hay) for gq in gold_quotes):
            c.quotes_pred_gold += 1
        else:
            fs.quotes_not_gold.append(_short(pq.text))

    _score_grounding(result, article_text, fs)

    # ---- allegations
    gold_alls = [a for a in gold.get("allegations", []) if isinstance(a, dict)]
    c.allegations_gold, c.allegations_pred = len(gold_alls), len(result.allegations)
    candidates = sorted(
        (
            (allegation_similarity(pa.claim, pa.against, ga), i, j)
            for i, pa in enumerate(result.allegations)
            for j, ga in enumerate(gold_alls)
        ),
        reverse=True,
    )
    used_p: set[int] = set()
    used_g: set[int] = set()
    for sim, i, j in candidates:
        if sim < ALLEGATION_THRESHOLD:
            break
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        pa, ga = result.allegations[i], gold_alls[j]
        g_by, g_against = ga.get("alleged_by"), ga.get("against")
        if party_match(pa.alleged_by, None if g_by is None else str(g_by)) and party_match(
            pa.against, None if g_against is None else str(g_against)
        ):
            c.allegations_direction_right += 1
        else:
            fs.directions_wrong.append(
                (_short(str(ga.get("claim", "")), 50), f"{g_by} -> {g_against}", f"{pa.alleged_by} -> {pa.against}")
            )
    c.allegations_found = len(used_g)
    fs.allegations_missed = [_short(str(a.get("claim", ""))) for j, a in enumerate(gold_alls) if j not in used_g]
    return fs


def _quote_found(pred: str, gold_text: str, hay: list[str]) -> bool:
    where = next((h for h in reversed(hay) if gold_text in h), None)
    return quote_overlap(pred, gold_text, where) >= _QUOTE_MIN_OVERLAP


_NAMED_DROPS = frozenset({"speaker", "alleged_by", "against", "imposed_by", "country"})


def _score_grounding(result: ArticleSummary, article: str, fs: FileScore) -> None:
    """How much of the result points into the article: named fields resolved to a mention,
    summary sentences supported (and how many only by site furniture), and (re-checked here on the final result) any name or number
    the article does not contain."""
    from ..grounding.furniture import only_furniture
    from ..grounding.names import resolve_name, resolve_names, unsupported_words

    c = fs.counts
    named: list[tuple[str | None, Any, bool]] = [(q.speaker, q.speaker_mention, False) for q in result.quotes]
    for a in result.allegations:
        named += [(a.alleged_by, a.alleged_by_mention, False), (a.against, a.against_mention, False)]
    for t in result.sanctions_targets:
        named += [(t.country, t.country_mention, True), (t.imposed_by, t.imposed_by_mention, False)]
    dropped = result.provenance.dropped
    c.named_given = sum(v is not None for v, _, _ in named) + sum(d.kind in _NAMED_DROPS for d in dropped)
    for value, mention, country in named:
        if value is None:
            continue
        in_text = mention is not None and article[mention.start : mention.end] == mention.text
        c.named_resolved += in_text
        resolved = resolve_name(article, value, countries=True) if country else resolve_names(article, value)
        if not in_text or resolved is None:
            fs.unsupported_names.append(value)
    c.summary_supported = len(result.summary_sentences)
    # a sentence kept without its cut-off end ("summary[0].text") was given once, and is counted kept
    c.summary_given = c.summary_supported + sum(
        d.kind == "summary_sentence" and not (d.where or "").endswith(".text") for d in dropped
    )
    for sentence in result.summary_sentences:
        fs.unsupported_names += unsupported_words(sentence.text, article)
        if not sentence.support:
            fs.unsupported_names.append(f"(unsupported summary sentence) {_short(sentence.text)}")
        elif all(only_furniture(article, sp.start, sp.end) for sp in sentence.support):
            c.summary_on_furniture += 1
            fs.summary_on_furniture.append(_short(sentence.text))
    c.unsupported_names = len(fs.unsupported_names)


def _failed(name: str, gold: dict[str, Any], err: SummarizerError) -> FileScore:
    """A failed article: nothing predicted, every gold item missed, the error kept."""
    gold_targets = [str(t["name"]) for t in gold.get("sanctions_targets", [])]
    gold_quotes = [q for q in gold.get("quotes", []) if isinstance(q, dict)]
    gold_alls = [a for a in gold.get("allegations", []) if isinstance(a, dict)]
    return FileScore(
        name=name,
        counts=Counts(
            files=1,
            errors=1,
            targets_gold=len(gold_targets),
            quotes_gold=len(gold_quotes),
            allegations_gold=len(gold_alls),
        ),
        error=err.one_line(),
        error_kind=err.kind,
        exit_code=err.exit_code,
        targets_missed=gold_targets,
        quotes_missed=[_short(str(q.get("text", ""))) for q in gold_quotes],
        allegations_missed=[_short(str(a.get("claim", ""))) for a in gold_alls],
    )


def _raw_text(path: Path, encoding: str) -> str:
    """The file decoded as the reader decoded it (needed for the HTML visible text)."""
    return path.read_bytes().decode(encoding, errors="replace")


def evaluate(
    gold_dir: Path,
    run: Callable[[Article], ArticleSummary],
    *,
    split: str | None = None,
    split_file: Path | None = None,
    on_file: Callable[[FileScore], None] | None = None,
) -> EvalReport:
    """Read every gold article with `read_article`, call `run` on it, score, and aggregate.

    A `SummarizerError` from reading or running one article (missing recording, provider
    refusal, invalid output...) is recorded for that file, which then counts as all-missed;
    the other files are still scored. Any other exception is a bug and propagates.
    `split` scores only that part of the folder (see `summarizer.evaluate.split`; `split_file`
    chooses the split file). `on_file` is called after each file (progress output).
    """
    from ..inputs import read_article

    cases = load_gold(gold_dir)
    chosen = None
    if split is not None:
        cases, chosen = select(cases, gold_dir, split, split_file)
    elif split_file is not None:
        raise InputError("--split-file needs --split NAME", "name the part of the split to score")
    files: list[FileScore] = []
    for case in cases:
        gold = case.gold
        try:
            article = read_article(str(case.article_path))
            result = run(article)
        except SummarizerError as err:
            fs = _failed(case.name, gold, err)
        else:
            raw = _raw_text(case.article_path, article.encoding)
            fs = score(result, gold, article.text, raw, name=case.name)
        files.append(fs)
        if on_file is not None:
            on_file(fs)
    return EvalReport(files=files, split=chosen)
