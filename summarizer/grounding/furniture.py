"""Site furniture: the lines of a page that are not the article.

Why: a text copied or extracted from a web page keeps its paywall notice, sign-in and
newsletter prompts, share buttons, menus, language switchers, search-form labels, cookie and
legal links and photo credits. They are words of the file, so a quote, an allegation or a
summary sentence "supported" by them would pass every verbatim check while saying nothing
about the article. Grounding drops whatever rests only on these lines.

The rules work on lines of plain text (a `.txt` input, or the text extracted from HTML) and
look at one line at a time. A line is furniture when:

- it is a known furniture phrase (English, German, French, Spanish), alone or as the line's
  start ("Skip to content", "Already have an account? Sign In", "This post is for paying
  subscribers only", "Zum Inhalt springen", "Abonnez-vous", "Inicia sesión"), or a notice
  that is furniture wherever it appears ("To sign up for updates ... enter your contact
  information", "This translation is provided as a courtesy ...", "All rights reserved");
- it is a link line to other stories ("MIRA | ...", "Related: ...", "Lire aussi : ...") or
  short link text ("For more information on the individual and entities designated today.");
- every word on it is a furniture word ("Share Tweet Email", "Menu Search", "Sign In");
- it lists only language names ("Español Español, Português Português");
- it is short, has no sentence punctuation and holds several items split by "|", "•", "·"
  ("Home | World | Politics"), which is what a menu or breadcrumb looks like;
- it is a short photo credit ("Ezra Acayan / Getty Images", "(Foto: Andina)"), or a caption
  that ends with one ("... in Chisinau on Monday. (Photo: Reuters/Andrei Popa)");
- it is a wire story's credits ("Reporting by Jane Doe; Editing by John Roe") or standards
  line ("Our Standards: The Thomson Reuters Trust Principles."), or a time stamp ("Published
  3 hours ago", "Updated: 12 March 2026, 10:04 GMT");
- it has no letter or digit at all ("####", "___").

A headline or a subhead is short and unpunctuated too ("Prisons plagued by understaffing"),
so shortness alone never makes a line furniture. Menus glued into one line with the article
(a scrape without separators) are not found: the rules never cut a line.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_right
from functools import lru_cache

# Lines that are furniture when they are this phrase, or start with it when it has two words or
# more ("Search" alone is a search box, "Search and rescue teams..." is not; compared folded:
# case, accents and punctuation dropped, whitespace collapsed). At most _PHRASE_LINE_WORDS words.
_PHRASES = tuple(
    p.strip()
    for p in """
    skip to content|skip to main content|skip to navigation|jump to content|zum inhalt springen|
    direkt zum inhalt|aller au contenu|aller au contenu principal|passer au contenu|saltar al contenido|
    ir al contenido|saltar intro|
    this post is for paying subscribers only|this post is for subscribers only|
    this article is for subscribers only|subscribe to continue reading|subscribe to read|
    already have an account|already a subscriber|already subscribed|sign in|sign up|log in|
    login|log out|register|create an account|create a free account|subscribe|subscribe now|
    subscribe today|become a member|become a subscriber|continue reading|to continue reading|
    read more|read the full article|unlock this article|start your free trial|
    anmelden|einloggen|abmelden|registrieren|jetzt abonnieren|abonnieren|abo abschließen|
    bereits abonnent|weiterlesen|mehr lesen|jetzt lesen|
    se connecter|connexion|sinscrire|s inscrire|abonnez vous|je mabonne|je m abonne|
    deja abonne|reserve aux abonnes|cet article est reserve aux abonnes|lire la suite|
    inicia sesion|iniciar sesion|registrate|suscribete|suscribirse|ya eres suscriptor|
    ya tienes una cuenta|sigue leyendo|seguir leyendo|leer mas|ver planes|
    has alcanzado el limite de noticias|
    newsletter|sign up for our newsletter|sign up for the newsletter|subscribe to our newsletter|
    get our newsletter|email updates|e mail updates|get email updates|
    newsletter abonnieren|zum newsletter anmelden|inscrivez vous a la newsletter|
    recevez notre newsletter|suscribete al newsletter|suscribete a nuestro boletin|
    share|share this|share this article|share this story|share on facebook|share on twitter|
    share on x|share via email|copy link|copy the link|print this page|
    teilen|artikel teilen|partager|partager cet article|compartir|compartir en|
    menu|main menu|navigation|open menu|close menu|back to top|nach oben|haut de page|
    volver arriba|search|suche|rechercher|buscar|search in title|search in content|
    exact matches only|generic selectors|post type selectors|search for|
    related|related articles|related stories|related content|related topics|more on this story|
    more from|you may also like|recommended|most read|most popular|latest news|top stories|
    mehr zum thema|das konnte sie auch interessieren|meistgelesen|a lire aussi|lire aussi|
    sur le meme sujet|les plus lus|te puede interesar|ultimas noticias|las mas leidas|
    lo mas visto|video recomendado|tags|
    cookie policy|cookie settings|manage cookies|accept cookies|accept all cookies|
    privacy policy|privacy notice|terms of use|terms of service|terms and conditions|
    datenschutz|datenschutzerklarung|impressum|cookie einstellungen|nutzungsbedingungen|
    mentions legales|politique de confidentialite|gestion des cookies|cgu|
    politica de privacidad|politica de cookies|terminos y condiciones|aviso legal|
    advertisement|anzeige|publicite|publicidad|sponsored|
    image caption|media caption|photo caption|bildunterschrift|legende|pie de foto|
    reporting by|additional reporting by|writing by|editing by|compiled by|our standards
    """.replace("\n", "").split("|")
    if p.strip()
)
_PHRASE_SET = frozenset(_PHRASES)
_PHRASE_STARTS = tuple(p + " " for p in _PHRASES if " " in p)
_PHRASE_LINE_WORDS = 12

# Notices that make their line furniture wherever they appear in it (lines up to _NOTICE_WORDS).
_NOTICES = (
    "sign up for updates", "subscriber preferences", "enter your email", "enter your e mail",
    "enter your contact information", "translation is provided as a courtesy",
    "all rights reserved", "alle rechte vorbehalten", "tous droits reserves",
    "todos los derechos reservados", "we use cookies", "this site uses cookies",
    "this website uses cookies", "wir verwenden cookies", "nous utilisons des cookies",
    "utilizamos cookies", "for paying subscribers", "reserve aux abonnes",
)
# (a line that only starts with one of these is furniture too, up to _PHRASE_LINE_WORDS words)
_LINK_TEXT = ("for more information on", "for more information about", "click here", "hier klicken",
              "cliquez ici", "haga clic aqui", "haz clic aqui")
_NOTICE_WORDS = 40  # also the longest line any rule but the link line's looks at

# A line starting like this links to another story ("MIRA | Kenji Fujimori: ..."), within its
# first _LINK_HEAD characters.
_LINK_HEAD = 40
_LINK_LINE = re.compile(
    r"^\s*(?:mira|lee mas|lea tambien|ver mas|related|read more|read also|see also|also read|"
    r"more|watch|lire aussi|a lire aussi|voir aussi|mehr dazu|lesen sie auch|auch interessant)\s*[|:>»]",
    re.IGNORECASE,
)

# Lines made only of these words are buttons, menus or prompts ("Share Tweet Email", "Sign In").
_FURNITURE_WORDS = frozenset(
    """
    share shares tweet email e-mail mail print facebook twitter x linkedin whatsapp telegram
    reddit pinterest flipboard messenger copy link links comment comments menu search home
    login log logout sign signin in up out register subscribe subscribed newsletter newsletters
    updates alerts close open next previous prev back top skip to content main navigation
    cookies accept settings more less account my profile follow us on
    teilen drucken suche anmelden abmelden startseite
    partager imprimer recherche accueil connexion
    compartir imprimir buscar inicio menú
    """.split()
)
_FURNITURE_WORDS_MAX = 8

_LANGUAGES = frozenset(
    """
    english español espanol português portugues français francais deutsch italiano русский
    العربية فارسی 中文 简体中文 繁體中文 日本語 한국어 türkçe turkce polski nederlands українська
    ελληνικά bahasa indonesia melayu tiếng việt हिन्दी اردو svenska norsk dansk suomi čeština
    română magyar עברית
    """.split()
)

# A photo credit: an agency after a slash ("Ezra Acayan / Getty Images", "Jane Doe / AFP"), or
# a credit label ("Photo:", "Foto:", "(Foto: Andina)"). An agency named in a headline is not.
_CREDIT = re.compile(
    r"/\s*(?:getty|afp|reuters|ap|epa|dpa|imago|shutterstock|anadolu|xinhua|efe|sipa|bloomberg)\b|"
    r"getty images|shutterstock|\bap photo\b|\b(?:photo|foto|image|credit|bild|crédit photo|photograph|contributing)\s*:|"
    r"^\((?:foto|photo)[^)]*\)$",
    re.IGNORECASE,
)
_CREDIT_WORDS = 10
# A caption: a line that ends with its photo credit in brackets ("... in Chisinau on Monday.
# (Photo: Reuters/Andrei Popa)"), however long its description.
_CAPTION = re.compile(r"\((?:photo|foto|image|picture|credit|bild|crédit photo|photograph)\s*:[^()]{1,80}\)\s*$",
                      re.IGNORECASE)
# A time stamp line: "Published 3 hours ago", "Updated: 12 March 2026, 10:04 GMT".
_STAMP = re.compile(r"^(?:published|updated|last updated|posted|veröffentlicht|aktualisiert|publié|mis à jour|"
                    r"publicado|actualizado)\b[^.!?]{0,60}$", re.IGNORECASE)
_STAMP_WORDS = 9
_MENU_SEPARATORS = re.compile(r"\s[|•·]\s|\s[|•·]$|^[|•·]\s")
_MENU_WORDS = 20
_SENTENCE_END = re.compile(r"[.!?…:;]['\"”’»)\]]*\s*$")


def _fold(line: str) -> str:
    """Casefolded, accents dropped, every run of non-letters one space: for phrase lookups."""
    return " ".join(re.findall(r"[^\W_]+", _fold_keep_marks(line)))


def _phrase_line(folded: str, words: int) -> bool:
    if words > _PHRASE_LINE_WORDS:
        return False
    return folded in _PHRASE_SET or folded.startswith(_PHRASE_STARTS)


def is_furniture(line: str) -> bool:
    """Whether one line of text is site furniture (the rules are in the module docstring)."""
    text = line.strip()
    if not text:
        return False
    if not any(c.isalnum() for c in text):
        return True  # "####", "___", "* * *"
    words = len(text.split())
    if words > _NOTICE_WORDS:  # a paragraph: only a link line's opening can make it furniture
        return _LINK_LINE.match(_fold_keep_marks(text[:_LINK_HEAD])) is not None
    folded = _fold(text)
    if _phrase_line(folded, words):
        return True
    if any(n in folded for n in _NOTICES):
        return True
    if words <= _PHRASE_LINE_WORDS and folded.startswith(_LINK_TEXT):
        return True
    if _LINK_LINE.match(_fold_keep_marks(text)):
        return True
    tokens = re.findall(r"[^\W_][\w-]*", text.casefold())
    if tokens and len(tokens) <= _FURNITURE_WORDS_MAX and all(t in _FURNITURE_WORDS for t in tokens):
        return True
    if tokens and all(t in _LANGUAGES for t in re.findall(r"[^\W\d_]+", text.casefold())):
        return True
    if _CAPTION.search(text) or (words <= _STAMP_WORDS and _STAMP.match(text) and re.search(r"\d|\bago\b", text)):
        return True
    unpunctuated = not _SENTENCE_END.search(text)
    if unpunctuated and words <= _MENU_WORDS and len(_MENU_SEPARATORS.findall(text)) >= 2:
        return True
    return words <= _CREDIT_WORDS and _CREDIT.search(text) is not None and (unpunctuated or text.startswith("("))


def _fold_keep_marks(line: str) -> str:
    """Casefolded and accent-free, punctuation kept (the link-line marks "|", ":" count)."""
    folded = line.casefold()
    if folded.isascii():
        return folded  # nothing to decompose: most lines, and the per-character walk is the cost
    decomposed = unicodedata.normalize("NFKD", folded)
    return _NON_ASCII.sub(_without_marks, decomposed)  # only these can be combining marks


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _without_marks(m: re.Match[str]) -> str:
    return "".join(c for c in m.group() if not unicodedata.combining(c))


def furniture_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every furniture line of `text`, the whole line without its newline."""
    spans: list[tuple[int, int]] = []
    start = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if is_furniture(body):
            spans.append((start, start + len(body)))
        start += len(line)
    return spans


_LINE_END = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")  # where str.splitlines ends a line
_RARE_LINE_ENDS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # every line end but "\n"


def line_starts(text: str) -> array[int]:
    """Where each line of `text` starts (as `str.splitlines` cuts it), as machine integers.

    A text with no line end but "\n" (most) is read with `str.find`, which skips to each
    newline; the pattern engine would try `_LINE_END` at every character (20 µs for a 2 KB
    article, against 3)."""
    starts = array("q", [0])
    if any(c in text for c in _RARE_LINE_ENDS):
        starts.extend(m.end() for m in _LINE_END.finditer(text))
        return starts
    at = text.find("\n")
    while at >= 0:
        at += 1
        starts.append(at)
        at = text.find("\n", at)
    return starts


class _Lines:
    """The lines of one text, each judged furniture or not when a range first touches it: a
    quote or a summary's support lies on a line or two, so most lines of an article are never
    judged. The line starts are kept as machine integers (a text of 5 MB may hold millions)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = line_starts(text)
        self._judged: dict[int, tuple[int, int] | None] = {}  # line -> its furniture span, or None
        self._any: bool | None = None

    def furniture(self, i: int) -> tuple[int, int] | None:
        """Line `i`'s span without its newline when it is furniture, else None."""
        if i not in self._judged:
            start = self.starts[i]
            stop = self.starts[i + 1] if i + 1 < len(self.starts) else len(self.text)
            body = self.text[start:stop].rstrip("\r\n")
            self._judged[i] = (start, start + len(body)) if is_furniture(body) else None
        return self._judged[i]

    def any_furniture(self) -> bool:
        if self._any is None:
            self._any = bool(furniture_spans(self.text))
        return self._any


@lru_cache(maxsize=64)
def _lines(text: str) -> _Lines:
    """Cached: grounding asks once per item, for the same article."""
    return _Lines(text)


def only_furniture(text: str, start: int, end: int) -> bool:
    """Whether every non-blank character of text[start:end] lies in furniture lines (for a
    blank range: whether the text has furniture at all)."""
    lines = _lines(text)
    blank = True
    for m in _NON_BLANK.finditer(text, start, end):
        blank = False
        a = m.start()
        span = lines.furniture(bisect_right(lines.starts, a) - 1)
        if span is None or not span[0] <= a < span[1]:
            return False
    return not blank or lines.any_furniture()


_NON_BLANK = re.compile(r"\S+")
