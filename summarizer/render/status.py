"""Whether, and how much of, an article was screened, said the same way on every rendering.

An empty list of hits must never read as "no hits" when nothing was screened. Two sources:

* the output's `screening` field (written when screening was asked for): `null` when it was
  not, else `{"lists", "scope": "targets"|"all", "screened", "not_screened", "hits", "reason"}`;
* the hits on each item (`screening` on targets, and on named mentions with `--screen-all`):
  `None` when that item was not screened, `[]` when it was and nothing matched.

Batch files written before the field existed lack it: then the items say what was screened
(lists from the hits, scope "all" when any named mention was screened), and an article with
no screened item is "not screened". Read as a plain dict: the typed model is the schema's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..schema import ArticleSummary, ScreeningHit

NOT_SCREENED = "not screened"
LISTED = "listed"
NOT_LISTED = "not listed"
NO_TARGETS_REASON = "no sanctions targets named; --screen-all screens every named party"


@dataclass(frozen=True)
class Screening:
    """An article's screening status (`asked` False: not screened at all)."""

    asked: bool
    lists: tuple[str, ...] = ()
    scope: str = "targets"
    screened: int = 0
    not_screened: int = 0
    hits: int = 0
    reason: str | None = None

    @property
    def label(self) -> str:
        """Short words for a table cell: "not screened", "nothing screened", "2 of 5 listed"."""
        if not self.asked:
            return NOT_SCREENED
        if self.screened == 0:
            return "nothing screened"
        listed = f"{self.hits} of {self.screened} listed" if self.hits else f"0 of {self.screened} listed"
        return listed

    @property
    def sentence(self) -> str:
        """One plain sentence for a page: what was screened, against what, and what was not."""
        if not self.asked:
            return "Not screened against any sanctions list."
        lists = ", ".join(self.lists) or "the lists given"
        if self.screened == 0:
            why = f" ({self.reason})" if self.reason else ""
            return f"Screening against {lists} was asked for, but nothing was screened{why}."
        what = "every named party" if self.scope == "all" else "sanctions targets only"
        out = f"Screened {self.screened} name(s) ({what}) against {lists}: {self.hits} with a list match."
        if self.not_screened:
            out += f" {self.not_screened} other named part{'y was' if self.not_screened == 1 else 'ies were'} not screened."
        return out

    def as_dict(self) -> dict[str, Any] | None:
        """The output field's shape (None when not screened)."""
        if not self.asked:
            return None
        return {"lists": list(self.lists), "scope": self.scope, "screened": self.screened,
                "not_screened": self.not_screened, "hits": self.hits, "reason": self.reason}


def _named(result: ArticleSummary) -> Iterator[Any]:
    """Every named-party mention that `--screen-all` screens (speakers, accusers, accused)."""
    for q in result.quotes:
        if q.speaker is not None and q.speaker_mention is not None:
            yield q.speaker_mention
    for a in result.allegations:
        for name, mention in ((a.alleged_by, a.alleged_by_mention), (a.against, a.against_mention)):
            if name is not None and mention is not None:
                yield mention


def from_items(result: ArticleSummary, lists: Sequence[str] = (), scope: str | None = None) -> Screening:
    """The status the items' hits show (for files without the field, and `render --screen`)."""
    targets = [t.screening for t in result.sanctions_targets]
    mentions = [m.screening for m in _named(result)]
    screened = [h for h in targets + mentions if h is not None]
    if not screened and not lists:
        return Screening(asked=False)
    if scope is None:
        scope = "all" if any(h is not None for h in mentions) else "targets"
    names = tuple(lists) or tuple(dict.fromkeys(h.list for hits in screened for h in hits))
    reason = None
    if not screened:
        reason = NO_TARGETS_REASON if scope == "targets" else "no named parties in the result"
    return Screening(asked=True, lists=names, scope=scope, screened=len(screened),
                     not_screened=len(targets) + len(mentions) - len(screened), hits=sum(bool(h) for h in screened),
                     reason=reason)


def of(result: ArticleSummary, field: Mapping[str, Any] | None, present: bool) -> Screening:
    """An article's status: the output's field when the file has it, else what its items show."""
    if not present:
        return from_items(result)
    if not isinstance(field, Mapping):
        return Screening(asked=False)

    def count(key: str) -> int:
        value = field.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0

    lists = field.get("lists")
    reason = field.get("reason")
    return Screening(
        asked=True, lists=tuple(str(x) for x in lists) if isinstance(lists, list) else (),
        scope="all" if field.get("scope") == "all" else "targets", screened=count("screened"),
        not_screened=count("not_screened"), hits=count("hits"), reason=str(reason) if reason else None,
    )


def item_status(hits: Sequence[ScreeningHit] | None) -> str:
    """One item's status: listed, not listed, or not screened."""
    if hits is None:
        return NOT_SCREENED
    return LISTED if hits else NOT_LISTED

