"""Names the model gives, resolved to the places where the article names them.

A named field (speaker, accuser, accused, imposer, country) is only returned when it resolves
here: the article must contain the name, up to what does not change whom it names (case,
typography, a possessive, a title, a leading "the"). The value returned is the fullest form
the article gives ("Blinken" -> "Antony Blinken") as the article spells it, and the mention
is one place where the article names it. Nothing fuzzier: "Ivan Petrov of Gazprom" does not
resolve because Gazprom occurs, and a heading fragment ("KHEDRI NETWORK\\n\\nFor") does not
resolve because a name never spans a line break.

Also here: the check that a summary sentence names nobody and no number the article does not.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .countries import country_of, forms_of
from .spans import NEEDLE_STRIP, find_normalised

# A title before a name is not part of it ("Secretary of State Antony Blinken" is Antony
# Blinken): a run of these words, with at least one core title in it, is dropped from the front.
# Compared casefolded, a trailing "." dropped.
_CORE_TITLES = frozenset(  # held casefolded as they are compared ("außenminister" as "aussenminister")
    w.casefold()
    for w in """
    secretary minister president premier chancellor mr mrs ms mx dr prof sen senator rep
    representative gov governor gen general col colonel lt cmdr commander adm admiral capt
    captain maj major sgt spokesperson spokesman spokeswoman chairman chairwoman chair chief
    director ambassador envoy king queen prince princess sheikh sir lord lady judge justice
    attorney treasurer commissioner mayor leader officer herr frau bundeskanzler kanzler
    präsident präsidentin minister ministerin außenminister außenministerin sprecher sprecherin
    außenbeauftragte außenbeauftragter beauftragte beauftragter kommissar kommissarin
    regierungssprecher regierungssprecherin kanzlerin bundeskanzlerin honourable honorable
    tánaiste taoiseach
    """.split()
)
_TITLE_MODIFIERS = frozenset(
    "of the and state foreign vice prime deputy former acting defense defence finance "
    "interior justice treasury u.s. u.k. us uk eu un u.n. des der "
    "high special under assistant senior associate principal permanent executive".split()
)
TITLES = _CORE_TITLES | _TITLE_MODIFIERS  # for callers that only need "is this a title word"

# The words of an office's portfolio or body ("Under Secretary for Terrorism and Financial
# Intelligence Jane Rivers", "Director of the Office of Foreign Assets Control Laura Whitfield"):
# a person's name is not made of them, nor extended across them.
PORTFOLIOS = frozenset(
    "affairs intelligence security policy trade finance financing financial terrorism terrorist enforcement "
    "sanctions development defense defence justice energy health operations management counterterrorism "
    "crime crimes narcotics proliferation nonproliferation cooperation relations economy economic commerce "
    "industry labor labour information communications strategy planning international global rights "
    "migration climate environment europe asia africa americas control assets asset export exports".split()
)


_UNIT_PREFIX = re.compile(r"^(?:eu|us|u\.s\.|uk|un|nato|kreml)-")


def _without_unit(word: str) -> str:
    """A casefolded word without the body it is prefixed with ("eu-außenbeauftragte")."""
    return _UNIT_PREFIX.sub("", word) if "-" in word else word


# German joins a body to an office in one word ("Kremlsprecher", "Bundesaußenminister").
_COMPOUND_TITLE_ENDS = ("sprecher", "sprecherin", "minister", "ministerin", "präsident", "präsidentin", "chef", "chefin",
                        "beauftragte", "beauftragter", "kanzler", "kanzlerin")


def title_length(words: list[str]) -> int:
    """How many leading `words` are a title ("U.K. Foreign Minister David Lammy" -> 3,
    "Secretary of State Antony Blinken" -> 3); 0 when the leading run of title words holds no
    core title ("State Department" keeps its "State"). At least one word is always left."""
    run, core = 0, False
    for word in words[:-1]:
        low = _without_unit(word.casefold().rstrip("."))  # "EU-Außenbeauftragte": the title
        if low in _CORE_TITLES or low.endswith(_COMPOUND_TITLE_ENDS) and low.isalpha():  # "Kremlsprecher"
            core = True
        elif not (low in _TITLE_MODIFIERS or word.casefold() in _TITLE_MODIFIERS or country_of(word)):
            break
        run += 1
    while run and words[run - 1].casefold() in ("of", "the", "and", "des", "der"):
        run -= 1  # "President of the" + "United States ..." keeps its name whole
    return run if core else 0


# "Russian-backed", "Hong Kong-registered": the end of a word that describes a party, never names it
DESCRIBING = r"(?:backed|led|linked|based|owned|aligned|controlled|funded|run|allied|affiliated|flagged|registered|headquartered)"
DESCRIBED = re.compile(rf"-{DESCRIBING}$")

# Capitalised words that start sentences or name no one on their own.
STOPWORDS = frozenset(
    """
    the a an and or but if in on at to of for by with from as after before when while since
    this that these those it its he she they we i you his her their our my your there here
    today yesterday tomorrow on monday tuesday wednesday thursday friday saturday sunday
    according however meanwhile also still last next earlier later now then thus so
    sometimes often usually instead
    der die das den dem des ein eine einen einem einer und oder aber wenn im am zum zur
    nach vor bei mit von für auf aus laut heute gestern
    """.split()
)

OPENERS = STOPWORDS | frozenset(
    """
    many some most several few all both other others such each every another no none one two three
    what who why how during under over yet mr mrs ms dr le la les un une el los las
    january february march april june july august september october november december
    """.split()
)
"""Words that open a sentence or a clause before a name but never begin one ("Many Iranians
said", "In March Iran", "But Mr Smith"): cut off the front of a candidate speaker or accuser.
"May" is not among them: it begins "May said"."""

# Words that make a name an organisation or a place, so a person-style extension must not
# absorb them ("Iran" is not "Iran Air").
_ORG_WORDS = frozenset(
    """
    air airline airlines airways co company corp corporation inc ltd llc plc gmbh ag sa bank
    group holding holdings network ministry department office agency council committee
    commission party army navy force forces guard corps police court parliament assembly
    government administration embassy university institute foundation fund trust service
    services shipping lines line sea ocean gulf strait river republic kingdom union
    federation state states city province region news times post press
    """.split()
)

PRONOUNS = frozenset(
    "he she they him her them it we i you his hers their unknown unnamed unidentified "
    "unspecified none null n/a anonymous somebody someone".split()
)

_MAX_WORDS = 12
_MAX_CHARS = 160
_WORD = re.compile(r"[^\W_][\w.'\u2019-]*")
_POSSESSIVE = re.compile(r"(?:['\u2019]s|s['\u2019])$", re.IGNORECASE)


def _without_possessive(word: str) -> str:
    """`word` without a final "'s" or "s'" (checked for an apostrophe first: most words have none)."""
    return _POSSESSIVE.sub("", word) if "'" in word or "\u2019" in word else word


@dataclass(frozen=True)
class Resolved:
    """A name as the article gives it, and one place where it is named."""

    value: str
    start: int
    end: int
    how: str  # "as written", "case", "title dropped", "fuller form", "country by adjective", ...


def _bounded(article: str, start: int, end: int) -> bool:
    """The hit is whole words (not "Iran" in "Iranian") on one line. A hyphen or an apostrophe
    is a boundary: "EU-Aussenminister" names the EU, "Iran's" names Iran."""
    if start > 0 and article[start - 1].isalnum() and article[start].isalnum():
        return False
    if end < len(article) and article[end].isalnum() and article[end - 1].isalnum():
        return False
    return article.find("\n", start, end) < 0


def occurrences(article: str, name: str, *, inflected: bool = False) -> list[tuple[int, int]]:
    """Where the article names `name`: THE rule for "the article names it", used for targets,
    speakers, accusers and accused, imposers, hedges and the names in summary sentences alike.

    - whole words on one line: "Iran" is not named by "Iranian" (see `inflected`), but a hyphen
      or an apostrophe ends a word, so "EU-Aussenminister" names the EU and "Iran's" Iran;
    - a possessive on `name` does not matter ("Iran's" is looked up as "Iran" when the
      article has no "Iran's");
    - case and typography do not matter (curly/straight quotes, dashes, spaces: see
      `spans.find_all`); diacritics and letters do: "Bocangel" is not "Bocángel", and the
      transliteration "Peskov" is not the article's "Peskow";
    - `inflected` (summary sentences only, which are prose: "Iranian officials" for an article
      that says "Iran"): a single word is also named by an inflection of it that shares a stem
      of >= 4 letters ("Iran"/"Iranian", "Sanktion"/"Sanktionen"). Named fields (targets,
      speakers, parties) are not inflected: a target "Iran" is not in an article that only
      says "Iranian" (countries have their own forms: `resolve_country`).

    Places spelled exactly as `name` win when there are any (they are the article's own
    spelling of the name); else the places up to case and typography.
    """
    if not name.strip():
        return []
    hits = _as_written(article, name)
    if not hits and inflected and len(name.split()) == 1:
        hits = _inflected(article, name)
    return hits


def _as_written(article: str, name: str) -> list[tuple[int, int]]:
    """`occurrences` but for inflections: the name, else the name without a possessive."""
    hits = _whole_words(article, name)
    if not hits:
        bare = _without_possessive(name.strip())
        if bare and bare != name.strip():
            hits = _whole_words(article, bare)
    return hits


def _inflected(article: str, name: str) -> list[tuple[int, int]]:
    """The places of the first word of the article (in sorted order) that inflects `name`."""
    low = _without_possessive(name.strip()).rstrip(".").casefold()
    for word in sorted(_words_by_initial(article).get(low[:1], ())):
        if word != low and _same_word(low, word) and (hits := _whole_words(article, word)):
            return hits
    return []


def _whole_words(article: str, name: str) -> list[tuple[int, int]]:
    """Whole-word places of `name` as written, else case and typography aside."""
    return list(_whole_word_places(article, name))


@lru_cache(maxsize=1024)
def _whole_word_places(article: str, name: str) -> tuple[tuple[int, int], ...]:
    """`_whole_words`, once per article and name: a party is looked up as a target, as an
    accused and as a word of each summary sentence.

    The places of `spans.find_all` (exact, else up to typography) that are whole words
    (`_bounded`), else those up to case and typography."""
    needle = name.strip(NEEDLE_STRIP)
    if not needle:
        return ()
    exact = _exact_whole_words(article, needle)
    if exact is None:  # not in the article as written: up to typography, as find_all looks
        exact = [h for h in find_normalised(article, needle) if _bounded(article, *h)]
    return tuple(exact or [h for h in find_normalised(article, name, fold_case=True) if _bounded(article, *h)])


def _exact_whole_words(article: str, needle: str) -> list[tuple[int, int]] | None:
    """The places of `needle` as written (left to right, not overlapping, as `spans.find_all`
    finds them) that `_bounded` accepts, judged in the one pass that finds them; None when it
    does not occur as written at all. Every place is `needle` itself, so its own ends and any
    newline in it are read from the needle, once."""
    at = article.find(needle)
    if at < 0:
        return None
    if "\n" in needle:
        return []  # every place spans a line break
    n, size = len(needle), len(article)
    left, right = needle[0].isalnum(), needle[-1].isalnum()
    out = []
    while at >= 0:
        end = at + n
        if not (left and at > 0 and article[at - 1].isalnum()) and not (right and end < size and article[end].isalnum()):
            out.append((at, end))
        at = article.find(needle, end)
    return out


def _clean(name: str) -> str:
    return " ".join(name.split()).strip(" \t,;:!?\"'\u201c\u201d\u2018\u2019()[]")


def _variants(name: str) -> Iterable[tuple[str, str]]:
    """(needle, how) to look for, most literal first: without a possessive ("Iran's"), without
    a leading "the", without a trailing "." the article may not have ("Co."), as written."""
    bare = _without_possessive(name).strip()
    if bare and bare != name:
        yield bare, "possessive dropped"
    else:
        yield name, "as written"
    words = bare.split()
    if len(words) > 1 and words[0].casefold() == "the":
        yield " ".join(words[1:]), "'the' dropped"
    if bare.endswith(".") and len(bare) > 2:
        yield bare[:-1], "final '.' dropped"
    cut = title_length(words)
    if cut:
        yield " ".join(words[cut:]), "title dropped"


def _name_like(word: str) -> bool:
    """A word that can be part of a personal or proper name: capitalised, not a title, not a
    sentence-opening word, not the end of a sentence ("Friday."); initials ("T.") allowed."""
    if not word or not word[0].isupper():
        return False
    low = word.casefold().rstrip(".")
    if _without_unit(low) in TITLES or low in STOPWORDS or country_of(word) is not None:
        return False
    return not _ends_sentence(word)


def _ends_sentence(word: str) -> bool:
    """ "Friday.", "Lammy.": a word with the sentence's full stop, not initials ("T.", "U.S.")."""
    return word.endswith(".") and len(word) > 2 and not re.fullmatch(r"(?:\w\.)+", word)


def is_organisation(name: str) -> bool:
    """A name with a word that makes it a body, not a person ("Department of the Treasury",
    "Mahan Air"): what "it said" can refer to."""
    return any(w.casefold().strip(".,’'") in _ORG_WORDS for w in name.split())


_NEAR = 160  # characters read beside a name for its fuller form: three words and more
# German capitalises every noun: a capitalised word after an article, with lower-case adjectives
# between ("die russische Reederei", "der Tanker"), is a noun, not the first word of a name
_GERMAN_ARTICLES = frozenset("der die das des den dem".split())
_GERMAN_NOUN_BEFORE = re.compile(
    r"(?<![\w-])(?:[Dd](?:er|ie|as|en|em|es)|[Ee]in(?:e[mnrs]?)?)(?:[ \t]+[a-zäöüß]+(?:e|en|er|es|em))?[ \t]$"
)


def _left_words(article: str, start: int) -> list[str]:
    """Name-like words directly before `start` on the same line, nearest last: read backwards
    from `start`, a word at a time, to the first that is not one (usually the first)."""
    if start == 0 or article[start - 1] != " ":
        return []  # no space before it (a line's start, a mark, a letter): no word to read
    near = start - _NEAR  # 3 words, not the paragraph
    line_start = max(article.rfind("\n", max(near, 0), start) + 1, near)
    first_cut = line_start == near  # the window's first word may be cut
    taken: list[str] = []
    end = first = start - 1
    while len(taken) < 3:
        space = article.rfind(" ", line_start, end)
        if space < 0 and first_cut:
            break
        w = article[space + 1 if space >= 0 else line_start : end]
        if not w or w[-1] in ",;:" or not _name_like(w) or w.casefold() in _ORG_WORDS or DESCRIBED.search(w) \
                or w.endswith(("'s", "\u2019s")):
            break  # (not "Hong Kong-registered" before a company's name, nor "Lithuania's" before a person's)
        if w.casefold().rstrip(".") in PORTFOLIOS:
            break  # "... Financial Intelligence Jane Rivers" is Jane Rivers
        taken.insert(0, w)
        if space < 0:
            first = line_start - 1  # the line's first word: nothing before it to read
            break
        end = first = space
    if taken and _GERMAN_NOUN_BEFORE.search(article, max(line_start, first - 40), first + 1):
        return taken[1:]  # "die russische Reederei Baltic Star Shipping": a German noun, not a name
    return taken


def _right_words(article: str, end: int) -> list[str]:
    """Name-like words directly after `end` on the same line ("Yoon" -> "Yoon Suk Yeol")."""
    line_end = article.find("\n", end, end + _NEAR)
    after = article[end : line_end if line_end >= 0 else end + _NEAR]
    if not after.startswith(" "):
        return []
    taken: list[str] = []
    words = after.split(" ")[1:]
    for i, raw in enumerate(words):
        w = raw.rstrip(",;:")
        if _ends_sentence(w):
            w = w[:-1]  # "said Foreign Secretary David Lammy.": the name ends the sentence
        if not w or not _name_like(w) or w.casefold() in _ORG_WORDS or len(taken) == 3:
            break
        if w == raw and i + 1 < len(words) and words[i + 1] in _GERMAN_ARTICLES:
            break  # "der EU-Kommission Öltanker der Schattenflotte": a German noun before its genitive
        taken.append(w)
        if w != raw:
            break  # a comma or a full stop ends the name
    return taken


def _headline(article: str, pos: int) -> bool:
    """Is `pos` on a title-case or all-caps line, where capitals say nothing about names?"""
    return _headline_line(article, article.rfind("\n", 0, pos) + 1)


@lru_cache(maxsize=4096)
def _headline_line(article: str, start: int) -> bool:
    """`_headline` for the line at `start`: once per line, not once per name on it."""
    end = article.find("\n", start)
    words = [w for w in article[start : end if end >= 0 else len(article)].split() if w[0].isalpha()]
    if len(words) < 3:
        return False
    return sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def fullest_form(article: str, name: str, hits: list[tuple[int, int]]) -> str:
    """The longest form of `name` the article gives, when there is exactly one: the
    name-like words next to its places ("Blinken" -> "Antony Blinken", "Yoon" -> "Yoon Suk
    Yeol"). Headlines are not read (their capitals name nothing); a country is never
    extended to the right ("Iran" is not "Iran Air"); two different fuller forms ("North
    Korea", "South Korea") mean the short one is ambiguous, and it stays as it is."""
    forms: dict[str, str] = {}
    extend_right = country_of(name) is None
    for start, end in hits:
        left = _left_words(article, start)
        right = _right_words(article, end) if extend_right and not left else []
        # the words beside a place first: most places have none, and their lines are not read
        if (left or right) and not _headline(article, start):
            base = " ".join(article[start:end].split())
            full = " ".join([*left, base, *right])
            forms.setdefault(full.casefold(), full)
    distinct = list(forms.values())
    if len(distinct) == 1 and len(distinct[0]) > len(name):
        return distinct[0]
    return name


def too_long(name: str) -> bool:
    """More words or characters than a name has (and than the answer's fields hold): a run of
    capitalised words in a scraped menu or headline is not a name."""
    return len(name) > _MAX_CHARS or len(name.split()) > _MAX_WORDS


def _plausible(name: str) -> bool:
    """Shape checks before looking: not empty, not a pronoun, not a paragraph."""
    if not name or too_long(name):
        return False
    if name.casefold() in PRONOUNS or not any(ch.isalpha() for ch in name):
        return False
    # a one-word lowercase "name" is a common word ("officials" passes as two words or capitals)
    return any(ch.isupper() for ch in name) or len(name.split()) > 1


def _nearest(hits: Sequence[tuple[int, int]], near: int | None) -> tuple[int, int]:
    """The place nearest `near`, the earlier of two as near (the first listed of two at one
    start). `hits` are in text order, so only the places on either side of `near` are compared."""
    if near is None:
        return hits[0]
    starts = [start for start, _ in hits]
    i = bisect_left(starts, near)
    before = [hits[bisect_left(starts, starts[i - 1])]] if i else []
    return min([*before, *hits[i : i + 1]], key=lambda h: (abs(h[0] - near), h[0]))


def resolve_name(
    article: str, name: str, *, near: int | None = None, countries: bool = False
) -> Resolved | None:
    """`name` as the article gives it, with the place nearest `near` where it is named; None
    when the article does not name it (see the module docstring for what counts as the same)."""
    found = _found(article, name, countries)
    return None if found is None else _placed(found, near)


_Found = tuple[str, str, tuple[tuple[int, int], ...]]  # value, how, every place


@lru_cache(maxsize=256)
def _found(article: str, name: str, countries: bool) -> _Found | None:
    """`resolve_name` before the place is chosen, once per article and name: an answer names
    the same people again and again (each quotation's speaker, the accuser of each allegation)."""
    cleaned = _clean(name)
    if not _plausible(cleaned):
        return None
    found = _looked_up(article, cleaned)
    return _country(article, cleaned) if found is None and countries else found


@lru_cache(maxsize=256)
def _looked_up(article: str, cleaned: str) -> _Found | None:
    """`cleaned` looked up as a name, once for every field that names it: the same party is a
    target's country and the accused of an allegation."""
    for needle, how in _variants(cleaned):
        if not _plausible(needle):
            continue
        hits = occurrences(article, needle)
        if hits:
            return _resolved(article, hits, how, needle)
    return None


def _placed(found: _Found, near: int | None) -> Resolved:
    value, how, hits = found
    start, end = _nearest(hits, near)
    return Resolved(value=value, start=start, end=end, how=how)


def _resolved(article: str, hits: list[tuple[int, int]], how: str, needle: str) -> _Found:
    """The name at `hits` without a leading title, in its fullest form, with its places."""
    start, end = hits[0]
    words = article[start:end].split()
    cut = title_length(words)
    if not cut and len(words) > 1 and words[0].casefold() == "the" and _plausible(" ".join(words[1:])):
        cut = 1  # "the State Department" names the State Department; "the government" stays whole
    if cut:  # the article's own text has the title ("Secretary of State Antony Blinken")
        how = "title dropped" if words[0].casefold() != "the" else "'the' dropped"
        hits = occurrences(article, " ".join(words[cut:]))
        words = words[cut:]
    spelled = " ".join(words)
    if how == "as written" and spelled != needle:
        how = "case or typography"
    value = fullest_form(article, spelled, hits)
    if value != spelled:
        how = f"{how}, fuller form"
        full = value.split()
        value = " ".join(full[title_length(full) :])  # "Foreign Secretary" -> "Foreign Secretary David Lammy" -> David Lammy
    return value, how, tuple(hits)


def resolve_country(article: str, name: str, *, near: int | None = None) -> Resolved | None:
    """A country named in any of its forms ("Iranian", "Russland"): value = its English name."""
    found = _country(article, name)
    return None if found is None else _placed(found, near)


def _country(article: str, name: str) -> _Found | None:
    forms = forms_of(name)
    for form in forms:
        if hits := occurrences(article, form):
            return forms[0], f"country named as {form!r}", tuple(hits)
    return None


def joined(names: Sequence[str]) -> str:
    """Names as a list reads: "A", "A and B", "A, B and C" (what `resolve_names` splits again)."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


_LIST_SPLIT = re.compile(r"\s*(?:,|;|\band\b|\bund\b|&)\s*")


def resolve_names(article: str, name: str, *, near: int | None = None) -> Resolved | None:
    """Like `resolve_name`, and a list of names ("Yoon Suk Yeol, Kim Yong-hyun and Lee
    Sang-min") resolves when every name in it does: the value lists their fullest forms and
    the mention is the first one's."""
    whole = resolve_name(article, name, near=near)
    if whole is not None:
        return whole
    parts = [p for p in _LIST_SPLIT.split(_clean(name)) if p]
    if len(parts) < 2:
        return None
    resolved = [resolve_name(article, p, near=near) for p in parts]
    if any(r is None for r in resolved):
        return None
    found = [r for r in resolved if r is not None]
    values = list(dict.fromkeys(r.value for r in found))
    value = joined(values)
    return Resolved(value=value, start=found[0].start, end=found[0].end, how="each name of a list")


# --------------------------------------------------------------------------- summary sentences

_TOKEN = re.compile(r"[^\W_][\w'\u2019.-]*[\w]|[^\W_]")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
# A number not glued to a letter ("5G", "350Prosperidad" stay one token), else a word.
_NUMBER_OR_TOKEN = re.compile(rf"(?>{_NUMBER.pattern})(?![^\W\d_])|{_TOKEN.pattern}")
_SUFFIXES = ("", "s", "n", "en", "an", "ian", "ians", "ns", "es", "er", "ern", "e", "isch", "ische", "ischen", "i")


@lru_cache(maxsize=64)
def _article_words(article: str) -> frozenset[str]:
    """The article's words, once per article (every summary sentence is checked against them)."""
    return frozenset(
        (w[:-2] if w[-2:] in _POSSESSIVE_ENDS else w).rstrip(".").casefold() for w in set(_TOKEN.findall(article))
    )


_POSSESSIVE_ENDS = frozenset(
    q + s if first else s + q for q in "'\u2019" for s in "sS\u017f" for first in (True, False)
)
"""What `_POSSESSIVE` removes from the end of a word, spelled out (its IGNORECASE "s" is also
the long s, U+017F): cheaper than the regex on every word of an article."""


@lru_cache(maxsize=64)
def _words_by_initial(article: str) -> dict[str, list[str]]:
    """The article's words by their first character, for the inflection check."""
    by_initial: dict[str, list[str]] = {}
    for word in _article_words(article):
        by_initial.setdefault(word[:1], []).append(word)
    return by_initial


def _same_word(a: str, b: str) -> bool:
    """Inflections of one word ("Iranian"/"Iran", "Sanktionen"/"Sanktion")."""
    if a == b:
        return True
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n >= 4 and a[n:] in _SUFFIXES and b[n:] in _SUFFIXES


# Capitals that name no one: a summary may say "its CEO" of an article that says "Geschäftsführer".
_COMMON_ACRONYMS = frozenset("ceo cfo coo cto gdp vat tv ai faq hq".split())
_SPACED_INITIALS = re.compile(r"\b([A-Z])\.\s(?=[A-Z]\.)")


def unsupported_words(sentence: str, article: str) -> list[str]:
    """Names and numbers in a summary sentence that the article does not contain.

    A name here is any capitalised word or acronym (other than a sentence-opening function
    word); it is supported when the article names it by the rule every field uses
    (`occurrences`, with inflections, since a summary is prose), or names the same country.
    A number is supported when the article has the same digits.
    """
    digits: set[str] | None = None
    missing: list[str] = []
    sentence = _SPACED_INITIALS.sub(r"\1.", sentence)  # "U. S." is how a model may write "U.S."
    for token in _NUMBER_OR_TOKEN.findall(sentence):  # "1,000" is one number, as in the article
        if token.isalpha() and not token[0].isupper():
            continue  # a common word (most of a sentence): no number, no name
        token = _without_possessive(token).rstrip(".")
        if not token:
            continue
        low = token.casefold()
        if not token.isalpha() and any(ch.isdigit() for ch in token):
            if digits is None:
                digits = {n.replace(",", "") for n in _NUMBER.findall(article)}
            for number in _NUMBER.findall(token):
                if number.replace(",", "") not in digits:
                    missing.append(number)
            continue
        if not token[0].isupper() or low in STOPWORDS or low in _COMMON_ACRONYMS:
            continue
        # `occurrences(article, token, inflected=True)`, with a word of the article taken as
        # named before inflections are tried; the article's words are only gathered (a pass
        # over the whole article) for a token that is not named as written.
        if _as_written(article, token) or low in _article_words(article) or _inflected(article, token):
            continue
        country = country_of(token)
        if country and any(occurrences(article, f) for f in forms_of(country)):  # "US" for "United States"
            continue
        missing.append(token)
    return list(dict.fromkeys(missing))
