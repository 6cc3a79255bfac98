"""Words that decide: the cue words and sentence patterns the focused plan trusts over a model.

Where the wording settles a question (a status word such as "denied", a headline in the
passive, "accused by X"), these rules decide it and the model is not asked; where it does not,
they narrow the model's choice to the few names the sentence holds. A 1.5B model chooses well
among two to five options and badly in the open (docs/local-model.md has the figures).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .grounding.countries import country_of
from .grounding.names import DESCRIBED, DESCRIBING, OPENERS, PRONOUNS, title_length, too_long
from .grounding.spans import SPEECH_VERBS

READ_BACK = 160  # characters read back from a verb for its subject: a name and its title, not a paragraph


def read_back(pattern: re.Pattern[str], text: str, at: int, window: int = READ_BACK) -> re.Match[str] | None:
    """`pattern` (anchored at its end with `$`) in the `window` characters before `at`: a
    subject is read back from the verb found first, so a long run of capitalised words (a
    scraped menu) costs one window per verb, where a search for subject-then-verb from every
    word would be quadratic. The match's offsets are relative to the window."""
    return pattern.search(text[max(0, at - window) : at])


# The words of a sanctions measure in every language read here: the one list that a paragraph
# that may name a target (`SANCTION_CUE`), a release's lead-in to a list (`listings`) and a name
# put under sanctions (`sanctioned_before`) share; each adds the words of its own question.
SANCTION_WORDS = r"sanction|designat|blacklist|restrictive measure|Sanktion|Strafmaßnahm|restriktive Maßnahme|sancion|mesures restrictives"
# A paragraph that may name a sanctions target.
SANCTION_CUE = re.compile(
    rf"{SANCTION_WORDS}|blocked|asset freeze|frozen|embargo|\bOFAC\b|identified as|"
    r"\blift|(?:[Tt]hose|persons|individuals|entities) listed|gesperrt|eingefroren|Einreiseverbot|[Bb]etroffen sind|"
    r"\bgel[ée]|liste noire",
    re.IGNORECASE,
)
# A sentence that may report an accusation: the accusation verbs, and the verbs that carry one
# in press releases and wire copy ("designated for", "is responsible for", "facilitated").
# A party saying it did no wrong, in so many words ("has always complied with all applicable sanctions")
INNOCENCE = r"always[ \t]+complied|compl(?:ied|ies)[ \t]+with[ \t]+all|(?:done|did)[ \t]+nothing[ \t]+wrong"
ACCUSATION_CUE = re.compile(
    r"\b(accus\w*|alleg\w*|claim\w*|den(?:y|ies|ied)|reject\w*|charg\w*|suspect\w*|blam\w*|"
    r"false|untrue|lie[sd]?|lying|violat\w*|condemn\w*|insurrection|treason|fraud\w*|smuggl\w*|"
    r"designated for|responsible for|engag\w* in|involved in|facilitat\w*|reportedly|according to|"
    r"mislead\w*|deceiv\w*|corrupt\w*|propaganda|disinformation|interference|destabili\w*|"
    r"piracy|genocide|abus\w*|atrocit\w*|terroris\w*|murder\w*|rap(?:e|ed)|assault\w*|"
    r"support(?:ed|ing|s)? terror\w*|unconstitutional|illegal\w*|unlawful\w*|"
    r"unfair\w*|wrong\w*|pressur\w*|warned|stand trial|to account|politically motivated|repress\w*|"
    rf"as a weapon|weaponi[sz]\w*|blackmail\w*|{INNOCENCE}|(?:pleaded|pled)\s+(?:not\s+)?guilty|steal\w*|stole|stolen|theft|hack(?:ed|ing)|cyberattack\w*|"
    r"vorgeworfen|Vorwurf|Vorwürfe|beschuldig\w*|mutmaßlich\w*|angeblich\w*|nach Angaben|"
    r"soll(?:en)?\s(?:[^.;]{1,150}?\s)?\w+(?:t|en)\s+haben|"  # "soll ... betrieben haben": is said to have
    r"\w+(?:t|en)\s+haben\s+soll(?:en|te|ten)?|(?:wirft|warf|werfen|warfen)\s[^.;]{1,150}?\svor|"  # "die ... beliefert haben sollen", "wirft X vor"
    r"accusé\w*|présum\w*|ingérence|propagande|presunt\w*|acusad\w*|supuest\w*|denunci\w*)\b",
    re.IGNORECASE,
)
# Words that make a sentence report an accusation whatever a small model answers ("Russia and
# the Syrian government have been accused of creating a humanitarian disaster").
ACCUSES = re.compile(r"\b(?:accus(?:ed|es|ing|ation|ations)|alleg(?:ed|es|ing|edly|ation|ations)|charged with|"
                     r"vorgeworfen|vorwurf|vorwürfe|beschuldig\w*|(?:wirft|warf|werfen|warfen)\s[^.;]{1,150}?\svor)\b",
                     re.IGNORECASE)  # (and German: "die Vorwürfe", "wirft X vor")
HEDGE = re.compile(
    r"\b(allegedly|alleged|alleges|allegation|accused|accuses|claimed|claims|suspected|reportedly|"
    r"denied|denies|rejected|charged|mutmaßlich|angeblich|présumée?s?|presunt[oa]s?|supuestamente)\b",
    re.IGNORECASE,
)
# Speech somewhere near a short quotation (else it is a scare quote): the speech verbs, and the
# words that introduce a quoted phrase ("called it", "described as", "dubbed", "according to").
SPEECH_CUE = re.compile(
    r"\b(" + "|".join(SPEECH_VERBS) + r"|say|(?<!so-)called|calls|telling|according|urg\w*|reaffirm\w*|"
    r"describ\w*|dubb\w*|alleg\w*|accus\w*|claim\w*|acknowledg\w*|admitt\w*|betonte|a déclaré|a dit|dijo|declaró|"
    r"afirmó)\b",
    re.IGNORECASE,
)
# The words before whose own sanctions they are ("its", "seine", "leurs"), and the endings that make
# an adjective describe a party it does not name ("Russian-backed", "British-flagged").
POSSESSIVES = r"(?:its|their|seine|ihre|ses|leurs|sus)"
# "Treasury designated X", "the EU imposed sanctions": the subject imposes, it is not a target.
# ... or owns the sanctions: "Moskau will seine Strafmaßnahmen ... aufrechterhalten", "Russia
# extended its own sanctions".
IMPOSER = re.compile(r"^\s*(?:(?:is|has|have|had|was|were|today|also|now|again|will|would)\s+)*"
                     # (or only threatens to: "said it was ready to impose", "threatened to sanction")
                     r"(?:(?:said|says)\s+(?:it|they)\s+(?:(?:is|are|was|were|would|will|could)\s+)?)?"
                     r"(?:(?:ready|prepared|poised|planning|preparing|set|threatening|threatened|threatens|vowed|vows|"
                     r"plans?|intends?|wants?)\s+to\s+)?"
                     r"(?:designat|sanction|impos|announc|identif|lift|extend|block|target|took|take)"
                     rf"|^\s*(?:[\w-]+\s+){{0,2}}{POSSESSIVES}\s+(?:own\s+|eigenen\s+)?"
                     r"(?:counter-?|gegen)?(?:sanction|strafmaßnahm|sanktion|mesures|sanciones|restrictions)", re.IGNORECASE)
# Lower-case words that belong inside proper names ("Travel and Tourism LLC", "Bank of Iran",
# "Osama bin Laden", "Ursula von der Leyen"); any other lower-case word makes a description.
NAME_PARTICLES = frozenset(
    "and of the for de del della di da do dos du la le les van von der den des al el bin ibn bint "
    "abu y e et und für zu & ltd co inc llc plc".split()
)
# Laws and orders are what sanctions are imposed under, never a target.
INSTRUMENT = re.compile(r"^(?:(?:Executive Order|Section|Resolution|Regulation|Council Regulation|Act)\b|E\.\s?O\.)")
# The agencies that administer sanctions impose them; they are not what an article reports as
# sanctioned (a country or a bloc can be both, so those are left to the verification question).
AUTHORITIES = re.compile(
    r"^(?:the\s+)?(?:OFAC|Office of Foreign Assets Control|(?:U\.?S\.?\s+)?(?:Department of (?:the )?Treasury|"
    r"Treasury(?: Department)?|State Department|Department of State|Commerce Department|Department of Commerce)|"
    r"BIS|Bureau of Industry and Security|OFSI|HM Treasury)$",
    re.IGNORECASE,
)
# "X was not sanctioned", "X is not among those designated": the article rules X out.
_NOT_SANCTIONED = re.compile(
    r"\b(?:(?:not|never|no longer)\s+(?:been\s+|be\s+|yet\s+)?(?:sanction|designat|list)|"
    r"(?:stopped|stops|stop) short of (?:targeting|sanctioning|designating|listing)|"
    r"(?:did not|didn't|does not|declined to|refused to)\s+(?:target|sanction|designate|list)|spared|spares)",
    re.IGNORECASE,
)

# ----------------------------------------------------------------------------- allegations

_STATUS = (  # first match wins: a denial beats the claim it denies
    ("convicted", re.compile(r"\b(convicted|found guilty|pleaded guilty|pled guilty|verurteilt|condamn[ée]|condenad)\w*", re.IGNORECASE)),
    ("denied", re.compile(rf"\b((?:pleaded|pled)[ \t]+(?:not[ \t]+guilty|innocent)|den(?:y|ies|ied|ying)(?![ \t]+(?:him|her|them|us|me|access|entry|visas?)\b)|reject\w*|rebut\w*|refut\w*|untrue|{INNOCENCE}|false(?![ \t]+(?!(?:and|or|claims?|allegations?|accusations?|reports?|charges?|"
                          r"narratives?|information|news|propaganda)\b)[a-z])|dismiss\w*|"
                          r"not true|zurückgewiesen|bestritten|bestreite\w*|bestritt\w*|dementier\w*|"
                          r"(?:wies|weist|weisen|wiesen)\s[^.;]{1,60}?\szurück|"
                          r"démenti\w*|niega\w*|neg[óo])\b", re.IGNORECASE)),
    ("charged", re.compile(r"\b(charged|charges|indicted|indictment|angeklagt|inculp\w*|acusad\w*)\b", re.IGNORECASE)),
    ("claimed", re.compile(r"\b(claim\w*|insist\w*|assert\w*|behauptet\w*|affirm\w*)\b", re.IGNORECASE)),
)


def status(sentence: str) -> str:
    """How the sentence presents its accusation, from its own words: "claimed", "alleged" and
    "said" are never a denial; "denied", "rejected", "false" are, and so is a party calling the
    accusations something (`denier`)."""
    clauses = sentence.split(";")
    if len(clauses) > 1 and (accusing := next((c for c in clauses if ACCUSES.search(c)), None)):
        sentence = accusing  # "Moldova accuses X of buying votes; Moscow denies": the accusation's clause
    main = _RELATIVE.sub(",", sentence)  # "Orlenko, who was convicted of fraud in 2023, reportedly ..."
    for name, pattern in _STATUS:
        if pattern.search(main):
            return "denied" if name in ("charged", "claimed") and denier(sentence) else name
    return "denied" if denier(sentence) else "alleged"


# A relative clause between commas says something else about its name: not the accusation's status.
_RELATIVE = re.compile(r",[ \t]+(?:who|which|whose)[ \t][^,;]{1,120},")


def hedge(sentence: str) -> str | None:
    """The hedging word of the sentence, as written."""
    m = HEDGE.search(sentence)
    return m.group(1) if m else None


# A name, as the rules here and in `rules` find one (a sentence's full stop ends it). Its
# particles ("Osama bin Laden", "Ursula von der Leyen") count only before a capital.
PARTICLE_WORDS = ("bin", "ibn", "de", "van", "von", "der", "den", "del", "della", "da", "di", "du", "dos", "la", "le",
                  "al", "el")
PARTICLES = rf"(?:(?:{'|'.join(PARTICLE_WORDS)})[ \t]+)*"
NAME = rf"[A-Z][\w.'’-]*(?:(?<![a-z]{{3}}\.)[ \t]+(?:{PARTICLES}[A-Z][\w.'’-]*|al-\w+|(?:of|and)(?=[ \t]+[A-Z])))*"
# The bodies a name or a people's adjective qualifies: "the Syrian government", "Federal
# prosecutors", "Iranian forces". The one list of them (`_BODY` adds the longer descriptions a
# possessive takes: "Sudan's security services"; `rules` has the offices of one person).
BODIES = (r"(?:government|regime|military|forces|troops|army|authorities|officials?|ministry|ministries|police|"
          r"prosecutors?|investigators|lawmakers|diplomats)")
# The groups of people that act together, written in lower case ("prosecutors alleged",
# "Iranian officials said"): an accuser or a speaker without a name (`_ROLE_NOUNS` adds the
# people a sentence may name by their part alone: "a judge", "witnesses").
GROUPS = r"(?:prosecutors|officials|authorities|police|investigators|lawmakers|diplomats|critics)"
# The offices of one person, written in lower case before or after the name ("Treasury official
# Jane Doe", "Kremlin spokesman Dmitry Peskov", "EU foreign policy chief Kaja Kallas").
OFFICES = (r"(?:official|spokesman|spokeswoman|spokesperson|minister|secretary|envoy|ambassador|lawyer|attorney|"
           r"director|adviser|advisor|analyst|expert|chief|head|leader|president|chairman|senator|prosecutor|judge)")
# "Iran Sanctioned for Allegedly Sending ...", "Tova Noel and Michael Thomas were charged with",
# "The Conservative Party was accused of", "Russia and the Syrian government have been accused
# of": the subject is the accused, whoever accuses.
_VERB = r"(?i:sanctioned|designated|accused|charged|indicted|blamed|suspected|blacklisted)"
_PARTY = rf"{NAME}(?:[ \t]+{BODIES})?"
_SUBJECT = rf"{_PARTY}(?:,?[ \t]+(?:and|or)[ \t]+(?:the[ \t]+)?{_PARTY})?"
_PASSIVE = re.compile(  # with its auxiliary ("was charged"), or headline style ("Sanctioned for")
    rf"^\s*(?:[Tt]he\s+)?({_SUBJECT})\s+(?:(?i:is|was|were|are|has been|have been|had been|is being)\s+{_VERB}\b"
    rf"|{_VERB}\s+(?i:for|over|of|with|by|after|as)\b)"
)
_BY = re.compile(rf"\b(?:accused|charged|blamed|criticized|criticised|condemned)\s+by\s+(?:the\s+)?({NAME})")
# Actors written in lower case that gold and readers accept as an accuser ("prosecutors alleged").
_ROLE_NOUNS = re.compile(
    rf"\b({GROUPS}|prosecutor|official|diplomat|senators?|lawyers?|attorneys?|judge|the court|the government|"
    r"ministers?|experts?|activists|opponents|rivals|the opposition|residents|witnesses|sources?)\b(?!-)",
    re.IGNORECASE,
)


_ACCUSING = "accused accuses charged charges blamed blames denied denies rejected rejects contended contends maintained maintains"
# who speaks an accusation: the speech verbs and the verbs of accusing and denying, any case
_SAYS = (r"(?:has\s+|have\s+|had\s+)?(?:also\s+|repeatedly\s+|previously\s+)?(?!States\b)(?i:"  # (not "United States")
         + "|".join(SPEECH_VERBS + tuple(_ACCUSING.split())) + r")\b")
# a name, with the body it qualifies ("Syrian defense ministries", "Justice Department officials")
_ACTOR = (rf"(?:{NAME}(?:(?:[ \t]+[a-z]+)?[ \t]+{BODIES})?"
          rf"|(?:(?:federal|state|local|senior|government|police)[ \t]+)?(?i:{GROUPS}))")
_ACCORDING = re.compile(rf"\b(?i:according to)\s+(?:the\s+)?({_ACTOR})")
# German: "nach Angaben der EU-Kommission", "laut dem Auswärtigen Amt", "nach Angaben von Marek Dunaj"
# German: "Die EU wirft den Unternehmen vor, ...": who accuses opens the clause
_ACCUSES_DE = re.compile(rf"^(?:(?:Die|Der|Das)[ \t]+)?({NAME})[ \t]+(?:wirft|warf|werfen|warfen|beschuldigt|beschuldigte)[ \t]")
_ACCORDING_DE = re.compile(rf"\b(?:[Nn]ach (?:Angaben|Darstellung)|[Ll]aut)\s+(?:(?:der|des|dem|von)\s+)?({NAME})")
_SAID_BY = re.compile(rf"(?:^|[,;:\u201d\"]\s*|\b(?i:but|and|while|as|when)\s+)(?:[Tt]he\s+)?({_ACTOR})(?:,[^,]{{1,80}},)?\s+{_SAYS}")
# "The company's director, Declan Rourke, said": the name in apposition to a description speaks
_DESCRIBED_SAYS = re.compile(rf"(?:^|[,;:\u201d\"]\s*)(?:[Tt]he\s+)?(?:[\w-]+['\u2019]s\s+)?(?:[\w-]+\s+){{0,2}}?[a-z-]+,\s+"
                             rf"({_ACTOR}),\s+{_SAYS}")
# "A spokesperson for Gatik Energy said": the body speaks
_SPOKESPERSON_SAYS = re.compile(rf"(?:^|[,;:\u201d\"]\s*)(?:[Aa]n?|[Tt]he)\s+(?:spokes(?:man|woman|person)|representative)\s+"
                                rf"(?:for|of)\s+(?:the\s+)?({_ACTOR})\s+{_SAYS}")
_PRONOUN_SAYS = re.compile(rf"(?:^|[,;:\u201d\"]\s*|\b(?i:but|and|while|as|when)\s+)(?i:he|she|they)\s+{_SAYS}")
_SAYS_THAT = re.compile(rf"\b{_SAYS}\s+that\s+")
# "Lee said Yoon's declaration was illegal": what is said follows the verb without "that" (not
# after a quotation: "...,” said Jane Doe" names the speaker; not "told", whose object is heard)
_SAYS_WHAT = re.compile(r"(?<![”\"’] )\b(?i:said|says|alleged|alleges|claimed|claims|added|adds|argued|argues|"
                        r"insisted|insists|stated|states|wrote|writes)\s+")
# the accused: a name, or a few lower-case words ("accused the opposition-controlled parliament
# of", "accused his opponents of"), never a pronoun or a preposition
_LOWER = r"(?!(?:of|for|with|over|by|in|on|at|to|that|them|him|her|it|us|me|each|one)\b)[a-z][\w’'-]*"
_OBJECT = rf"(?:{_PARTY}|{_LOWER}(?:[ \t]+{_LOWER}){{0,2}})"
# ... and a name's place may stand between it and "of" ("accused U.S. forces in southern Syria's
# al-Tanf of controlling")
_ACCUSES = re.compile(
    rf"\b(?i:accus\w*|blam\w*|charg\w*|suspect\w*)\s+(?:((?:the|his|her|their|its)\s+)(?={_LOWER}\s+(?i:of|for|with|over)\b)"
    rf"|(?:the|his|her|their|its)\s+)?({_OBJECT})"
    r"(?:[ \t]+(?:in|at|on|near)[ \t]+[^\s.;,]+(?:[ \t]+[^\s.;,]+){0,3}?)?\s+(?i:of|for|with|over)\b"
)


def attribution(sentence: str) -> str | None:
    """Who the sentence says speaks or accuses ("according to X", "X said", "X, the minister,
    alleged", "...," X said): the accuser a reader would name, decided by the wording."""
    if _UNNAMED_SOURCES_DE.search(sentence):
        return None  # "nach Angaben von Diplomaten": sources it does not name
    for pattern in (_ACCORDING, _ACCORDING_DE, _ACCUSES_DE, _SAID_BY, _SPOKESPERSON_SAYS, _DESCRIBED_SAYS):
        for m in pattern.finditer(sentence):
            name = _actor(m.group(1))
            if name:
                return name
    return None


# someone speaks: the verbs of `_SAYS`, and "say", "according to", condemning, denouncing,
# criticising, calling it something, any form of accusing, alleging, blaming, denying, rejecting
_VOICED = re.compile(
    rf"\b{_SAYS}|\b(?:[Nn]ach Angaben|[Ll]aut|wirft|warf|werfen|warfen|beschuldigt\w*)\b|\b(?i:say|according to|condemn\w*|denounc\w*|critici[sz]\w*|accus\w*|alleg\w*|blam\w*|"
    r"deni\w*|den(?:y|ies)|reject\w*|call(?:s|ed|ing)? (?:it|them|him|her|the|on|upon)|urg(?:e|es|ed|ing)|demand(?:s|ed|ing)?)\b"
)


# "According to the indictment, Jane Roe and John Doe used ...": a court document (or a report)
# speaks; what it says follows the comma, and its subject is the accused.
_BY_DOCUMENT = re.compile(
    r"\b(?i:according to|as described in|as alleged in)\s+(?:the|an|a|court|charging)?\s*(?i:indictment|complaint|"
    r"criminal complaint|court documents?|court records?|court filings?|charging documents?|filing|lawsuit|"
    r"affidavit|report|documents?)\b[^,]{0,60},\s*"
)
# "according to two officials familiar with the investigation", "three diplomats said": sources
# the article counts but does not name.
_UNNAMED_SOURCES = re.compile(
    r"\b(?i:according to|said|told)\s+(?:(?i:two|three|four|five|several|some|many|multiple|numerous|a few)\s+)"
    r"(?:[a-z]+\s+){0,2}?(?i:officials|diplomats|sources|people|persons|officers|investigators|lawmakers)\b"
    r"|\b(?i:two|three|four|five|several|multiple)\s+(?:[a-z]+\s+){0,2}?(?i:officials|diplomats|sources|people)"
    r"\s+(?:[a-z]+\s+){0,4}?(?i:said|say|told)\b"
)
# German: "nach Angaben von Diplomaten", "aus Regierungskreisen", "hieß es" (it was said)
_UNNAMED_SOURCES_DE = re.compile(
    r"\b(?:[Nn]ach Angaben|[Ll]aut)\s+(?:von\s+|mehrerer\s+|zweier\s+|dreier\s+)?(?:[\w-]*(?:[Dd]iplomaten|[Bb]eamten|"
    r"Insidern?|[Ee]rmittlern?|[Ee]xperten|[Kk]reisen?|[Ii]nformanten|Quellen|[Vv]ertretern?|Mitarbeitern?))\b"
    r"|\b(?:aus|in)\s+[\w-]*[Kk]reisen\b|\bhieß es\b"
)
# Boilerplate of a prosecutor's release: "An indictment is merely an allegation, and the
# defendants are presumed innocent" accuses no one, whatever its nouns.
DISCLAIMER = re.compile(r"\b(?:merely|only) an? (?:allegation|accusation)|\bpresumed innocent\b", re.IGNORECASE)


# A court report's attribution: "..., a jury has heard", "the court heard", "jurors were told"
_COURT_HEARD = re.compile(
    r"\b(?i:an?|the)\s+(?i:jury|court|inquest|tribunal|hearing|trial)\s+(?:has\s+|had\s+|was\s+)?(?i:heard|told)\b"
    r"|\b(?i:jurors|the\s+jury|the\s+court)\s+(?:were|was|had\s+been|have\s+been)\s+told\b"
)


# "..., according to an indictment unsealed in federal court in Brooklyn.", "The indictment alleges that"
_BY_DOCUMENT_END = re.compile(
    r",\s+(?i:according to|as described in|as alleged in)\s+(?:the\s+|an\s+|a\s+)?(?:court\s+|charging\s+|criminal\s+)?"
    r"(?i:indictment|complaint|court documents?|court records?|court filings?|charging documents?|filing|lawsuit|affidavit)"
    r"\b[^,;]{0,80}\.?$"
)
_DOCUMENT_SAYS = re.compile(
    r"^(?:The|An|A)\s+(?:[a-z]+\s+)?(?:indictment|complaint|lawsuit|affidavit|filing|charging document)\s+"
    r"(?:alleges|alleged|says|said|states|stated|claims|claimed|accuses|accused|charges|charged)\b"
)


def by_document(sentence: str) -> bool:
    """The sentence reports what a court document or a report says ("According to the
    indictment, ..."), what sources it counts but does not name say ("according to two
    officials"), or what a court heard ("..., a jury has heard"): its accuser is named by no one."""
    return any(p.search(sentence) for p in (_BY_DOCUMENT, _UNNAMED_SOURCES, _UNNAMED_SOURCES_DE, _COURT_HEARD,
                                             _BY_DOCUMENT_END, _DOCUMENT_SAYS))


def voiced(sentence: str) -> bool:
    """Whether the sentence has someone say, claim, accuse or deny (a verb that gives it an
    accuser); without one it is the article's own narration, and a name the model offers as
    its accuser is the most prominent one, not the one who accuses."""
    return _VOICED.search(sentence) is not None


def said_by_pronoun(sentence: str) -> bool:
    """The sentence's speaker is a pronoun ("He said that ..."): its antecedent is the accuser."""
    return _PRONOUN_SAYS.search(sentence) is not None


# inside a sentence: "the Sudanese government, which was suspected of", "which Sudan has been
# suspected of inflaming": the subject of the passive is the accused (read back from the verb).
_PASSIVE_WITHIN = re.compile(r"[ \t]+(?:is|was|were|are|has been|have been|had been)[ \t]+(?:suspected|accused)[ \t]+of\b")
_SUBJECT_BEFORE = re.compile(rf"(?<![\w’'.-])({_SUBJECT})(?:,[ \t]+(?:which|who))?$")
# "Belarus has denied organizing the flights", "Iran rejected the U.S. claims", "In a statement,
# the Foreign Ministry called the accusations absurd": who denies an accusation is the accused,
# and a spokesman's body is ("Kremlin spokesman Dmitry Peskov dismissed": the Kremlin); "...
# denied the allegations against his client" names no accused.
_DENIES = re.compile(
    rf"^(?:[^,]{{1,60}},[ \t]+)?(?:[Tt]he[ \t]+)?(?:({_SUBJECT})[ \t]+(?:[a-z]+[ \t]+){{0,2}}?{OFFICES},?[ \t]+{NAME},?|({_SUBJECT}))"
    r"[ \t]+(?:(?i:has|have|had)[ \t]+)?"
    r"(?:(?i:also|again|repeatedly|strongly|flatly|always|previously|consistently)[ \t]+)?"
    r"(?:(?i:denied|denies|rejected|rejects|dismissed|dismisses|refuted|refutes)[ \t]+"
    r"(?:(?i:the|any|all|these|those|such)[ \t]+)?(?:[\w.’'-]+[ \t]+){0,2}?"
    r"(?i:accusations?|allegations?|claims?|charges?|reports?|wrongdoing|involvement|responsibility|"
    r"any[ \t]+role|\w+ing|having|that|it|this|them)"
    r"|(?i:called|calls)[ \t]+(?i:the|these|those|such)[ \t]+(?i:accusations?|allegations?|claims?|charges?|reports?))"
    r"\b(?!.*\bagainst\b)"
)


# "Orlenko, who lives in Moscow, reportedly organised the scheme": the name whose deed the hedge qualifies.
_HEDGED_SUBJECT = re.compile(  # ("The Hong Kong trader, Li Wei, allegedly ...": the name in apposition)
    rf"^(?:[Tt]he[ \t]+(?:[\w-]+[ \t]+){{0,3}}?[a-z][\w-]*,[ \t]+(?=[A-Z][^,;]{{1,60}},[ \t]+(?:(?i:has|have|had|was|were|is|are)[ \t]+)?"
    r"(?i:allegedly|reportedly)))?"
    rf"(?:[Tt]he[ \t]+)?({_SUBJECT})(?:,[^,;]{{1,120}},|,)?[ \t]+(?:(?i:has|have|had|was|were|is|are)[ \t]+)?"
    r"(?i:allegedly|reportedly|is alleged to|are alleged to|is suspected of|are suspected of|is believed to have)\b"
)


_HEDGED_UNNAMED = re.compile(  # "The network allegedly moved money": an accused the article does not name
    r"^(?:[Tt]he|[Tt]his|[Tt]hat|[Tt]hese|[Tt]hose|An?)[ \t]+(?:[\w-]+[ \t]+){0,2}?[a-z][\w-]*[ \t]+"
    r"(?:(?i:has|have|had|was|were|is|are)[ \t]+)?(?i:allegedly|reportedly)\b"
)


# "Moldova accuses Russian-backed network of buying votes": the accused is described, not named
_GROUPS = r"(?:firms|companies|entities|individuals|people|officials|banks|traders|suppliers|networks?|groups|executives|men|women)"
_ACCUSES_DESCRIBED = re.compile(
    rf"\b(?i:accus\w*|blam\w*)[ \t]+(?:(?:a|an|the)[ \t]+)?(?:[\w.’'-]+-{DESCRIBING}[ \t]+(?:[a-z][\w-]*[ \t]+){{1,2}}?"
    rf"|(?:[A-Z][\w-]*[ \t]+)?(?:[a-z][\w-]*[ \t]+)?{_GROUPS}[ \t]+)(?i:of|for)\b"  # ("accuses Chinese firms of")
)


# "US sanctions Chinese firms accused of supplying drone parts": a described group accused
_GROUP_ACCUSED = re.compile(
    rf"\b{_GROUPS}"
    r"[ \t]+(?:(?:it|they|he|she|we|officials|prosecutors)[ \t]+(?:say[s]?[ \t]+)?)?(?:accused|accuse|suspected|charged|alleged)[ \t]+(?:of|with|to)\b"
)
# "NEW YORK — Two executives of a New Jersey trading firm were charged with": a count or an
# article and a common noun, in the passive of an accusation
_PASSIVE_UNNAMED = re.compile(
    r"^(?:[A-Z][A-Z.,' ]{1,40}[ \t]*[\u2013\u2014-]+[ \t]*)?(?:[Tt]wo|[Tt]hree|[Ff]our|[Ff]ive|[Ss]everal|[Tt]he|[Aa]n?|\d{1,3})"
    r"[ \t]+(?:[a-z][\w-]*[ \t]+){0,2}?[a-z][\w-]*(?:[ \t]+(?:of|at|from|in)[ \t]+[^,.;]{1,60}?)?[ \t]+"
    r"(?:were|was|have been|has been|are|is|had been)[ \t]+(?:charged|accused|indicted|suspected|arrested)\b"
    r"|^(?:Two|Three|Four|Five|Six|Several|\d{1,3})[ \t]+(?:[a-z][\w-]*[ \t]+){0,2}?"  # a headline's "Two charged with"
    r"(?:charged|accused|indicted|arrested|suspected)[ \t]+(?:with|of|over|for|in)\b"
    rf"|^[A-Z][\w.'’]*-{DESCRIBING}[ \t]+(?:[a-z][\w-]*[ \t]+){{0,2}}?(?:company|firm|businessman|businesswoman|man|woman|"
    r"trader|executive|official|bank|network|group)[ \t]+(?:charged|accused|indicted|arrested|suspected)[ \t]+(?:with|of|over|for|in)\b"
)


# "Federal prosecutors on Monday charged two men with running ...": a count accused
_ACCUSES_COUNTED = re.compile(
    r"\b(?i:accus\w*|blam\w*|charg\w*|indict\w*|suspect\w*)[ \t]+(?i:two|three|four|five|six|seven|eight|nine|ten|several|\d{1,3})"
    r"[ \t]+(?:[\w-]+[ \t]+){0,2}?[a-z][\w-]*[ \t]+(?i:of|for|with|over)\b"
)
# '"These defendants put profit ahead of ...," X said': a quotation whose subject is described
_QUOTED_DESCRIBED = re.compile(rf"^[\u201c\"](?:These|Those|The|This)[ \t]+(?:[a-z-]+[ \t]+){{0,2}}?"
                               rf"(?:defendants|suspects|men|women|{_GROUPS})\b")
# "The indictment alleges that the two men falsely told suppliers ...": what is said of a count
_THAT_COUNTED = re.compile(r"\b(?:alleges?|alleged|says|said|claims?|claimed)[ \t]+that[ \t]+(?:the|these|those)[ \t]+"
                           r"(?:two|three|four|five|six|seven|eight|nine|ten|\d{1,3})[ \t]+[a-z]+")


def unnamed_accused(sentence: str) -> bool:
    """The sentence opens with what it accuses, described and not named ("The network allegedly
    moved money", "Two executives of a New Jersey firm were charged"), or accuses a description
    ("accuses Russian-backed network of", '"These defendants put profit ..."', "alleges that the
    two men ..."): no name the model offers is its accused."""
    return _HEDGED_UNNAMED.match(sentence) is not None or passive_unnamed(sentence) \
        or _ACCUSES_DESCRIBED.search(sentence) is not None or _GROUP_ACCUSED.search(sentence) is not None \
        or _QUOTED_DESCRIBED.match(sentence) is not None or _THAT_COUNTED.search(sentence) is not None \
        or _ACCUSES_COUNTED.search(sentence) is not None


def pleads(sentence: str) -> bool:
    """The sentence opens with who pleads guilty or not guilty ("Kevin Lam, 61, has pleaded not
    guilty to six charges"): the accused answers charges brought by no one it names."""
    return _PLEADED.match(sentence) is not None


def passive_unnamed(sentence: str) -> bool:
    """"Two executives ... were charged with": accused in the passive, by no one the sentence
    names as its agent (its accuser is who the wording says speaks, if anyone)."""
    return _PASSIVE_UNNAMED.match(sentence) is not None


def accused_in(sentence: str) -> str | None:
    """Who the sentence's accusation verb takes as its object ("accused X of", "blamed X for"),
    the subject of a passive ("X, which was suspected of"), who denies it ("X has denied
    organizing"), or the first actor of what a speaker says ("alleged that X ...", "said that
    X's government")."""
    if _ACCUSES_COUNTED.search(sentence):
        return None  # "charged two men with": described, not named
    m = _ACCUSES.search(sentence)
    if m:  # a group named by one common word keeps its determiner ("his opponents", "the administration")
        name = _actor(m.group(2))
        return f"{m.group(1).strip()} {name}" if name and m.group(1) else name
    verb = _PASSIVE_WITHIN.search(sentence)
    subject = read_back(_SUBJECT_BEFORE, sentence, verb.start(), 120) if verb else None
    if subject and (name := _actor(subject.group(1))):
        return name
    if name := denier(sentence):
        return name
    if name := quoted_actor(sentence):
        return name
    if (pleaded := _PLEADED.match(sentence)) and (name := _actor(pleaded.group(1))):
        return name if name.casefold() not in PRONOUNS else None
    if (hedged := _HEDGED_SUBJECT.match(sentence)) and (name := _actor(hedged.group(1))):
        return name if name.casefold() not in PRONOUNS else None
    if name := _attributed_conduct(sentence):
        return name
    said = _said_subject(sentence)
    return said[0] if said and not said[1] else None


# A quotation that opens with a name doing something ("“Lukashenko is using desperate people as a
# weapon against Europe,” Landsbergis told reporters"): what it does is the accusation. A name
# that is something ("“Rukban is another example of the Assad regime's ...”") is no actor.
_QUOTED_ACTOR = re.compile(
    rf"^[“\"]({_SUBJECT})[ \t]+(?:(?:is|are|was|were|has been|have been|had been)[ \t]+[a-z]+ing"
    r"|(?:has|have|had)[ \t]+(?:been[ \t]+)?[a-z]+ed|(?:continues|continue|keeps|keep)[ \t]+(?:to[ \t]+)?[a-z]+"
    r"|(?:uses|funds|supplies|arms|sends|ships|smuggles|finances))\b"
)


# "Alvarez pleaded guilty to one count of conspiracy ...", "Lam has pleaded not guilty to six
# charges": the one who admits or denies it is the accused
_PLEADED = re.compile(rf"^(?:[Tt]he[ \t]+)?({_SUBJECT})(?:,[^,;]{{1,80}},)?(?:[ \t]+(?:was|were)[ \t]+[^,;.]{{1,80}}?[ \t]+and)?"
                      r"[ \t]+(?:has[ \t]+|have[ \t]+)?(?:pleaded|pled)[ \t]+"
                      r"(?:not[ \t]+)?(?:guilty|innocent)\b")


# "Gulf Horizon facilitated payments ... for the network, according to the Treasury": conduct
# told in the article's voice and credited at the end to whoever alleges it
_CONDUCT_SUBJECT = re.compile(rf"^(?:[Tt]he[ \t]+)?({_SUBJECT})[ \t]+(?:(?:has|have|had)[ \t]+)?(?=[a-z])")
_CREDITED_AT_END = re.compile(r",[ \t]+(?:according[ \t]+to[ \t]+[^,;]{1,80}|[^,;]{1,80}[ \t]+(?:said|says|alleged|alleges))\.?[\"”]?\s*$")


def _attributed_conduct(sentence: str) -> str | None:
    """Who the sentence opens with doing what a designation is for, credited to a source at its
    end ("X facilitated payments ..., according to the Treasury"): the accused."""
    m = _CONDUCT_SUBJECT.match(sentence)
    if m is None or not _CONDUCT.match(sentence, m.end()) or not _CREDITED_AT_END.search(sentence[-200:]):
        return None
    name = _actor(m.group(1))
    return name if name and name.casefold() not in PRONOUNS else None


def quoted_actor(sentence: str) -> str | None:
    """The name a quotation opens with doing something ("“The Iranian regime uses its aviation
    ... to supply", "“Lukashenko is using desperate people"): whom its speaker accuses."""
    m = _QUOTED_ACTOR.match(sentence)
    name = _actor(m.group(1)) if m else None
    return name if name and name.casefold() not in PRONOUNS else None


def denier(sentence: str) -> str | None:
    """Who the sentence opens by denying an accusation ("Belarus has denied organizing the
    flights"): the accused, and not its accuser, though a denial is spoken. None for a pronoun
    ("He has denied": whose denial, the model reads from the article)."""
    m = _DENIES.match(sentence)
    name = _actor(m.group(1) or m.group(2)) if m else None  # "Kremlin spokesman Dmitry Peskov": the Kremlin
    if m is None and (german := _DENIES_DE.match(sentence)):
        name = _actor(german.group(1))
    if m is None and name is None and (client := _CLIENT_DENIES.match(sentence)):
        name = _actor(client.group(1))  # "Reyes's lawyer, Thomas Bell, said his client denies the charges"
    if m is None and name is None and _INNOCENT.search(sentence):
        name = attribution(sentence)  # "A spokesperson for Gatik Energy said the company “has always complied ...”"
    return name if name and name.casefold() not in PRONOUNS else None


# a lawyer speaking for the accused: "Reyes's lawyer, Thomas Bell, said his client denies the charges"
_CLIENT_DENIES = re.compile(
    rf"^({_SUBJECT})['\u2019]s[ \t]+(?:lawyer|attorney|counsel|barrister|solicitor|defen[cs]e[ \t]+(?:lawyer|attorney))s?\b"
    r"[^.;]{0,80}?\b(?:said|says|told[ \t]+[^.;]{1,40}?)[ \t]+(?:that[ \t]+)?(?:his|her|their)[ \t]+clients?[ \t]+"
    r"(?:has[ \t]+|have[ \t]+|had[ \t]+)?(?:denies|denied|deny|rejects|rejected|disputes|disputed)\b"
)
# a party saying it did no wrong, in so many words: a denial by whoever says it
_INNOCENT = re.compile(rf"\b(?:{INNOCENCE})\b")


def speaks_for_denier(sentence: str, name: str) -> bool:
    """`name` stands in the subject of the sentence's denial ("Russia's Foreign Ministry
    spokeswoman, Maria Vorontsova, rejected the accusations"; "Reyes's lawyer, Thomas Bell, said
    his client denies"): the denier's side speaks, as the accused, not as an accuser."""
    m = _DENIES.match(sentence) or _CLIENT_DENIES.match(sentence)  # (and a lawyer for a client who denies)
    return m is not None and name in sentence[: m.end()]


# German: "Der Kreml wies die Vorwürfe zurück", "Das Ministerium bestritt die Berichte", "Das
# iranische Außenministerium wies die Vorwürfe als „haltlos“ zurück".
_DENIES_DE = re.compile(
    rf"^(?:(?:Der|Die|Das)[ \t]+)?((?:[a-zäöüß]+(?:e|en|er|es|em)[ \t]+)?{_SUBJECT})[ \t]+"  # ("Das iranische Außenministerium")
    r"(?:(?:wies|weist|wiesen|weisen)[ \t]+[^.;]{0,60}?"
    r"(?:Vorw[üu]rfe?|Anschuldigung(?:en)?|Beschuldigung(?:en)?|Berichte?|Darstellung(?:en)?|Behauptung(?:en)?)"
    r"[ \t]+(?:[\w„“\"]+[ \t]+){0,3}?zurück|(?:bestritt|bestreitet|bestritten|dementierte|dementiert|dementierten))\b"
)


# "Kremlin spokesman Dmitry Peskov called the sanctions illegal", "Iran condemned the measures",
# "Kremlsprecher Dmitri Peskow nannte die Strafmaßnahmen „illegal“": who speaks accuses whoever
# imposed them (the other side answers; it is not accused).
_CONDEMNS = re.compile(
    rf"^(?:[^,]{{1,60}},[ \t]+)?(?:(?:[Tt]he|Der|Die|Das)[ \t]+)?(?:{_SUBJECT}[ \t]+(?:[a-z]+[ \t]+){{0,2}}?{OFFICES}[ \t]+"
    rf"({NAME})|({_SUBJECT}(?:[ \t]+(?:[a-z]+[ \t]+)?(?:embassy|mission|ministry|party|government)(?:[ \t]+in[ \t]+{NAME})?)?))"  # "Russia's
    # embassy in London", "The Georgian Dream party"
    r"[ \t]+(?:(?:has|have|had|hat|haben)[ \t]+)?(?:(?:also|again|auch)[ \t]+)?"
    r"(?:called|calls|described|describes|condemned|condemns|denounced|denounces|criticized|criticised|criticizes|"
    r"criticises|slammed|slams|rejected|rejects|dismissed|dismisses|"
    r"nannte|nennt|bezeichnete|bezeichnet|verurteilte|verurteilt|kritisierte|kritisiert)[ \t]+"
    r"(?!(?:for|on|upon|off)\b)(?:(?:the|these|those|such|die|diese|den|das)[ \t]+)?(?:[\w.-]+[ \t]+){0,2}?"
    r"(?:sanctions|measures|restrictions|designations?|listings?|decision|discussions|proposals?|Sanktionen|Strafmaßnahmen|"
    r"Maßnahmen|Strafen|Entscheidung)\b"
)
# ... and whose measures they are, where the sentence names them ("called the EU discussions", "Seoul's sanctions")
_CONDEMNED_OWNER = re.compile(
    rf"\b(?:called|described|condemned|denounced|criticized|criticised|slammed|rejected|dismissed)[ \t]+(?:the[ \t]+)?"
    rf"({NAME})(?:['\u2019]s)?[ \t]+(?:[a-z-]+[ \t]+)?(?:sanctions|measures|restrictions|discussions|proposals?|decision)\b"
)


def condemned_owner(sentence: str) -> str | None:
    """Who imposes or proposes the measures a sentence condemns, where it names them ("called the
    EU discussions \u201cblackmail\u201d"): the condemner's accused in a story with no issuer."""
    m = _CONDEMNED_OWNER.search(sentence)
    return _actor(m.group(1)) if m else None


def condemner(sentence: str) -> str | None:
    """Who opens the sentence condemning the sanctions ("Iran condemned the measures"): an
    accuser of whoever imposed them. A person after their office is named, not the body."""
    m = _CONDEMNS.match(sentence) or _CONDEMNS.match(_RELATIVE.sub("", sentence))  # ("X, which has governed since 2012, called")
    name = _actor(m.group(1) or m.group(2)) if m else None
    return name if name and name.casefold() not in PRONOUNS else None


def _said_subject(sentence: str) -> tuple[str, bool] | None:
    """The subject of what the sentence says ("said that X ...", "According to the indictment,
    X ..."), and whether it is advised rather than accused ("said the EU should also look at
    ..."); None when what is said opens with no actor."""
    that = _SAYS_THAT.search(sentence) or _SAYS_WHAT.search(sentence) or _BY_DOCUMENT.search(sentence)
    said = sentence[that.end() :] if that else ""
    first = actors(said, 1)
    if not first or said.find(first[0]) > len("the "):
        return None  # its subject only
    return first[0], _ADVISED.match(said[said.find(first[0]) + len(first[0]) :]) is not None


def advised(sentence: str) -> str | None:
    """Who the sentence says should, must or will do something ("Mayer said the EU should also
    look at airlines ..."): told what to do, not accused, whatever a model picks."""
    subject = _said_subject(sentence)
    return subject[0] if subject and subject[1] else None


# what a subject is told to do, not accused of: "said the EU should also look at airlines that ..."
_ADVISED = re.compile(r"\s+(?:also\s+)?(?i:should|must|ought to|needs? to|has to|have to|will|would|could|can|may|might)\b")


def trimmed(found: str) -> str:
    """A found name without the sentence's opening words ("But", "The", "Monday") and without
    trailing punctuation."""
    words = found.split()
    while words and words[0].casefold().strip(".,") in OPENERS:
        words = words[1:]
    return " ".join(words).rstrip(".,;:'’")


# "Russian-backed", "Kremlin-linked": an adjective that describes an unnamed party


def _actor(found: str) -> str | None:
    name = trimmed(found)
    return name if len(name) >= 2 and not name.endswith(("'s", "’s")) and not too_long(name) \
        and not DESCRIBED.search(name) else None


def title_case(sentence: str) -> bool:
    """A headline written in title case ("Sanctioning Venezuelan Officials Responsible for Election
    Fraud"): its capitals mark no names, so the names it seems to hold are not asked about."""
    if sentence.rstrip().endswith((".", "!", '"', "”")):
        return False  # a sentence of the text, whatever its capitals (German capitalises nouns)
    words = re.findall(r"[^\W\d_]{4,}", sentence)
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def passive_accused(sentence: str) -> tuple[str, str | None] | None:
    """(accused, accuser or None) when the sentence opens with a name in the passive of an
    accusation or sanctioning verb; None otherwise."""
    m = _PASSIVE.match(sentence)
    if not m or m.group(1).split()[0].casefold() in OPENERS or too_long(m.group(1)):
        return None
    by = _BY.search(sentence)
    accuser = by.group(1).strip() if by else None
    return m.group(1).strip(), (None if accuser is None or too_long(accuser) else accuser)


# "Sudanese security services", "the Iranian regime": a people's adjective names an actor only
# with the body it qualifies; alone ("Sudanese") it is no option.
_BODY = re.compile(
    rf"[ \t]+((?:[a-z-]+[ \t]+){{0,2}}?(?:{BODIES}|security services|militias?|intelligence|navy|embassy|state media|"
    r"leaders?|president|courts?|parliament|opposition))\b(?!-)"
)
_ROLE_AFTER = re.compile(rf"[ \t]+({GROUPS}|forces|troops)\b")
_DEMONYM_END = ("an", "ese", "ish", "i", "ic", "ch")
# German capitalises every noun: one capitalised word after an article or a determiner ("das
# Unternehmen", "der sogenannten Schattenflotte", "am Montag") is a noun, unless a country ("die
# Ukraine") or an acronym ("die EU"). ("des" is French too: "des Etats-Unis".)
_GERMAN_NOUN = re.compile(
    r"(?<![\w-])(?i:der|die|das|den|dem|ein|eine|einen|einem|einer|eines|kein\w*|seine[mnrs]?|ihre[mnrs]?|unsere[mnrs]?|"
    r"diese[mnrs]?|jede[mnrs]?|deren|dessen|im|am|zum|zur|vom|beim)[ \t]+(?:[a-zäöüß][\w-]*[ \t]+){0,2}$"
)
_DETERMINERS = frozenset("der die das den dem ein eine einen einem einer eines im am zum zur vom beim".split())
_ADJECTIVE_END = ("e", "en", "er", "es", "em")  # "Europäische Union", "Islamische Republik"


def _without_german_nouns(text: str, start: int, name: str) -> str | None:
    """`name` (found at `start`) less the German nouns it opens with (after a determiner, or
    before a genitive "der": "Angaben der EU-Kommission"), or None when nothing of a name is
    left; a country ("die Ukraine") and an acronym ("die EU", "die EU-Kommission") are names."""
    words = name.split()
    after = _GERMAN_NOUN.search(text, max(0, start - 80), start) is not None  # (a window: no rescan per name)
    if " der " in name and not re.search(r"(?i:von|van) der ", name):
        words, after = name.rpartition(" der ")[2].split(), True  # "Angaben der EU-Kommission": of whom
    if len(words) > 1 and words[0].casefold() in _DETERMINERS:
        words, after = words[1:], True  # "Das Unternehmen soll ..." at a sentence's start
    if not after:
        return name
    if len(words) > 1:  # "Reederei" of "die russische Reederei Baltic Star Shipping"; not "Europäische"
        return " ".join(words if words[0].endswith(_ADJECTIVE_END) else words[1:])
    return words[0] if re.match(r"[A-Z]{2,}(?:-|$)", words[0]) or country_of(words[0]) else None


# "South Sudan" is not "Sudan": a place so prefixed is another place, not a longer form.
_COMPASS = frozenset("north south east west new central upper lower greater".split())


def same_party(a: str, b: str) -> bool:
    """Whether two names name one party: the same, or a surname and the full name ("Joly",
    "Honourable Mélanie Joly"); not "South Korea" and "North Korea"."""
    short, longer = sorted((a.casefold(), b.casefold()), key=len)
    return short == longer or (" " not in short and _same_actor(short, longer) and longer.split()[-1] == short)


def _same_actor(short: str, longer: str) -> bool:
    """"Blinken" after "Antony Blinken" is the same actor; "Sudan" after "South Sudan" is not."""
    words = longer.casefold().split()
    return short == longer.casefold() or short in words and words[0] not in _COMPASS


_FUNCTION_WORDS = frozenset(
    "despite although though because unless whereas whether however therefore moreover nevertheless "
    "furthermore additionally nonetheless separately meanwhile "
    "jan feb mar apr jun jul aug sep sept oct nov dec "  # (the months in full are openers)
    "four five six seven eight nine ten eleven twelve dozens hundreds thousands".split()
)
_CREDITED_DATELINE = re.compile(r"[ \t]*\([A-Za-z][\w ./-]{0,20}\)[ \t]*[\u2013\u2014-]+[ \t]")  # "Brüssel (dpa) - "
_DATELINE_AFTER = re.compile(  # "WASHINGTON —", "CHISINAU, Moldova (Reuters) -", "LONDON, March 4 (Reuters) -"
    r"(?:,[ \t]+[A-Z][\w.]*(?:[ \t]+\d{1,2})?)?[ \t]*(?:\([A-Z][\w ]*\)[ \t]*)?[\u2013\u2014-]+[ \t]")
_INDEFINITE_BEFORE = re.compile(r"(?<![\w-])(?:[Aa]n?)[ \t]+$")
_NOUN_AFTER = re.compile(r"[ \t]+[a-z]")
_LAW_END = re.compile(r"[ \t](?:Act|Law|Regulations?|Directive|Statute|Treaty|Convention)$")
_CREDIT_END = re.compile(r"\)[ \t]*[\u2013\u2014-]+[ \t]")
# a wire story's dateline credits its agency: "LONDON, March 4 (Reuters) -", "Brüssel (dpa) -"
WIRE_CREDIT = re.compile(r"^[^\n]{0,60}?\((?:Reuters|AP|AFP|dpa|DPA|Bloomberg|UPI|ANSA|EFE|Xinhua|TASS|Interfax)\)[ \t]*[\u2013\u2014-]")


# what a people's adjective may qualify that is a party of its own, not its country
_OTHER_PARTIES = re.compile(r"[ \t]+(?:[a-z-]+[ \t]+)?(?:entit|compan|firm|individual|people|person|national|citizen|vessel|"
                            r"ship|tanker|bank|business|network|group|operator|supplier|airline|militia|rebel|fighter)")


_EDGE_PUNCTUATION = ".,;:!?\"'“”‘’„«»()[]{}"
_ADDRESS = re.compile(r"[/@]|\.\w")  # "reuters.com/world", "press@treasury.gov": no word of the text


@lru_cache(maxsize=4)
def words_of(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The words of `text` (not web or mail addresses), and those it writes in lower case: read
    once per article, since every option of every question looks them up."""
    words = {w for token in text.split() if (w := token.strip(_EDGE_PUNCTUATION)) and not _ADDRESS.search(w)}
    return frozenset(words), frozenset(w for w in words if w[:1].islower())


def _places_in(text: str, name: str) -> bool:
    """`text` has every word of `name`."""
    return all(word in words_of(text)[0] for word in name.split())


def _no_party(text: str, start: int, end: int, name: str, common: str) -> bool:
    """`name` (at `start`..`end` of `text`) names no one who could accuse or be accused: a word
    of the sentence's grammar ("Despite", "We’re", "It", "Ten"), a month ("Oct"), a title alone,
    a dateline ("WASHINGTON —", "Brüssel (dpa) -"), a law, a sanctions measure ("Sanktionen"), or one
    word that the article (`common`) also writes in lower case: a common noun opening a sentence
    ("Prison", "Information", "Regime")."""
    key = name.casefold().rstrip(".")
    if key in _FUNCTION_WORDS or key in PRONOUNS or key in _COMPASS or re.search(r"[’'](?:re|ve|ll|d|m)$", key):
        return True
    if INSTRUMENT.match(name) or _LAW_END.search(name):
        return True  # "the International Emergency Economic Powers Act": what is violated, not who
    if " " not in key and title_length([key, "X"]):
        return True  # a title alone ("Cmdr" of "Cmdr. Sean Robertson") is its holder's, named beside it
    if not text[:start].strip() and (name.isupper() and len(name) > 3 and _DATELINE_AFTER.match(text, end)
                                     or _CREDITED_DATELINE.match(text, end)):
        return True  # "WASHINGTON —", "Brüssel (dpa) -"
    if text[start - 1 : start] == "(" and _CREDIT_END.match(text, end):
        return True  # the agency of "LONDON, March 4 (Reuters) -"
    if " " not in key and re.search(SANCTION_WORDS, name, re.IGNORECASE):
        return True  # "Sanktionen", "Sanctions": the measure, not a party
    if _INDEFINITE_BEFORE.search(text, max(0, start - 4), start) and _NOUN_AFTER.match(text, end):
        return True  # "A Sydney businessman", "an Exeter researcher": a name qualifying a noun
    return " " not in key and key in words_of(common)[1]


def actors(text: str, limit: int = 5, common: str = "") -> list[str]:
    """The names (and lower-case actors such as "prosecutors") in `text`, in order, each once:
    the options a small model chooses the accuser and the accused among. `common`: the article,
    whose lower-case words are common nouns wherever a sentence opens with them."""
    found: list[tuple[int, str]] = []
    for m in re.finditer(NAME, text):
        name, joint = trimmed(m.group(0)), False
        while " " in name and DESCRIBED.search(name.split()[0]):
            name = name.split(" ", 1)[1]  # "British-flagged Stena Impero"
        if len(name) < 2 or name.isdigit() or DESCRIBED.search(name):
            continue  # nothing, a number, or "Russian-backed": it describes an unnamed party
        if name.endswith(("'s", "’s")):  # "Sudan’s military-dominated government"; else "Sudan"
            body = _BODY.match(text, m.end())
            name = f"{name} {body.group(1)}" if body else name[:-2]
        elif body := _ROLE_AFTER.match(text, m.end()):
            name = f"{name} {body.group(1)}"  # "Federal prosecutors", "Iranian officials"
        if (german := _without_german_nouns(text, m.start() + m.group(0).find(name), name)) != name:
            if german is None:
                continue  # "das Unternehmen", "der sogenannten Schattenflotte": a German noun, not a name
            name = german  # "die russische Reederei Baltic Star Shipping": the name after the noun
        elif all(part.split()[-1].endswith(_DEMONYM_END) and country_of(part) not in (None, part)
                 for part in name.split(" and ")):  # ("North Korean coal")
            if body := _BODY.match(text, m.end()):
                name = f"{name} {body.group(1)}"
            else:  # "Russian and Syrian claims": the countries, where the article names them
                countries = [country_of(part) or "" for part in name.split(" and ")]
                if not common or _OTHER_PARTIES.match(text, m.end()) or not all(_places_in(common, c) for c in countries):
                    continue  # "Sudanese" alone, "Iranian and Russian entities": no country acts here
                name = " and ".join(countries)
                joint = True  # "the Russian and Syrian claims": one party of two countries
        at = m.start() + max(m.group(0).find(name.split()[0]), 0)
        if _no_party(text, at, m.end(), name, common):
            continue
        parts = name.split(" and ")
        if len(parts) > 1 and not joint and all(country_of(part) == part for part in parts):
            found += [(at + name.find(part), part) for part in parts]  # "Indonesia and Vietnam": two countries
        else:
            found.append((at, name))
    found += [(m.start(), m.group(1)) for m in _ROLE_NOUNS.finditer(text)]
    out: list[str] = []
    for _pos, name in sorted(found):
        key = name.casefold()
        if not any(_same_actor(key, o) for o in out):
            out.append(name)
    return out[:limit]


_ARTICLES = r"(?:(?i:the|die|der|den|la|le|les|el|los|las)\s+|l[’']|)"
_PUT_ON = (r"(?i:sanction\w*|embargo\w*|measures|restrictions|sanktion\w*|strafmaßnahm\w*|mesures|sanciones)"
           r"(?:\s+[^\s,;:]+){0,4}?\s+(?i:on|against|gegen|contre|contra|targeting|imposed on|target|targets)\s+")
# (and a delisting: "removed X ... from the SDN List", not "police removed protesters")
REMOVED_FROM_LIST = r"(?i:removed|removes|removing)(?=[^.;]{1,200}?\s(?i:from)\s[^.;]{0,60}?(?i:list|sanctions)\b)"
_DONE = (r"designated|designating|designate|blacklisted|blocked|took action against|taking action against|"
         rf"imposed sanctions on|has sanctioned|have sanctioned|sanctioned|listed|delisted|{REMOVED_FROM_LIST}")
_DONE_TO = rf"(?i:{_DONE})\s+"
_BEING = (r"(?:\s*,[^.;]{0,60}?,)?(?:\s+and\s+[^.;]{1,40}?)?\s+(?i:is|are|was|were|has been|have been|had been)\s+"
          r"(?:(?i:being|also|now)\s+){0,2}(?i:designated|sanctioned|identified as|blocked|listed|blacklisted|delisted)\b")


# What a designation is for, in a release's own words ("Mahan Air transported weapons", "Gatewick
# LLC provided services to", "owned or controlled by", "designated for", "is responsible for",
# "facilitated"): conduct the issuer accuses a target of.
_CONDUCT = re.compile(
    r"\b(?:used|uses|using|transport\w*|provid\w*|shipp\w*|supplie[sd]|supply\w*|smuggl\w*|procur\w*|"
    r"financ\w*|fund(?:s|ed|ing)|launder\w*|evad\w*|conceal\w*|operat\w*|owned|controlled|on behalf of|"
    r"support(?:s|ed|ing)|assist\w*|deliver\w*|sold|sell\w*|purchas\w*|moved|transferr\w*|"
    r"facilitat\w*|responsible for|engag\w* in|involve(?:d|ment) in|designated for|benefit(?:s|ed|ing|ted|ting)?)\b"
)  # in lower case: "Caspian Tideway Shipping", "Gulf Supply Co" are names, not what they did
_AGENTLESS = re.compile(r"\b(?:been|be|being|was|were|is|are)[ \t]+$")  # "have been sold to new owners"
_BY_AGENT = re.compile(r"(?:[ \t]+\w+){0,3}?[ \t]+by\b")  # "... owned or controlled by X"


def conduct(sentence: str) -> bool:
    """The sentence says what someone did that a designation is for: a conduct verb, not in a
    passive without its agent ("the vessels have been sold to owners with no ties" says what
    became of them; "is owned or controlled by X" names X), or the grounds of a designation
    ("was designated for being a leader of ...")."""
    for m in _CONDUCT.finditer(sentence):
        if m.group(0) == "designated for" or not _AGENTLESS.search(sentence[max(0, m.start() - 12) : m.start()]) \
                or _BY_AGENT.match(sentence, m.end(), m.end() + 40):
            return True
    return False


def forms(name: str) -> list[str]:
    """How the text may name `name` after its first mention: in full, a person or firm by its
    last word ("Abdolhossein Khedri" -> "Khedri"), a company without its legal form ("Celtic
    Circuit Supplies Ltd" -> "Celtic Circuit Supplies")."""
    words = name.split()
    if len(words) >= 2 and len(words[-1]) >= 4 and words[-1][:1].isupper():
        return [name, words[-1]]
    if len(words) >= 3 and _LEGAL_FORM.fullmatch(words[-1]):
        return [name, " ".join(words[:-1]).rstrip(",")]
    return [name]


def short_form(text: str, name: str) -> str | None:
    """The short form the text defines for `name` right after it ("Orion Tech Trading LLC (Orion
    Tech)"), or None."""
    at = text.find(name)
    m = _SHORT_AFTER.match(text, at + len(name)) if at >= 0 else None
    return m.group(1) if m else None


_SHORT_AFTER = re.compile(r"[ \t]+\((?:a\.k\.a\.[ \t]+)?([A-Z][^()\n]{1,60})\)")


def defined_as(text: str, name: str) -> str | None:
    """The full name the text gives before defining `name` as its short form ("Mikhail Yurievich
    Orlov (Orlov)", "Orion Tech Trading LLC (Orion Tech)", "... LLC (a.k.a. Ala-Too Logistics)"),
    or None: a release names each party once in full, then by the short form."""
    at = text.find(f"({name})")
    if at < 0:
        at = text.find(f"(a.k.a. {name})")
    if at < 0:
        return None
    run = _FULL_BEFORE.search(text, max(0, at - 200), at)
    full = trimmed(run.group(1)) if run else ""
    return full if " " in full else None  # not a legal form alone ("S.A." of "..., S.A. (X)" read short)


_FULL_BEFORE = re.compile(r"((?:[A-Z][\w.'\u2019&-]*,?[ \t]+(?:(?:of|the|and|al|bin|von|van|de|der|du|la|del|di|da|do|dos|y|e)[ \t]+)*)"
                          r"{0,10}[A-Z][\w.'\u2019&-]*,?)[ \t]+$")  # ("Petróleos de Venezuela, S.A. (PDVSA)")
_LEGAL_FORM = re.compile(r"(?i:ltd|llc|inc|corp|plc|gmbh|ag|jsc|pjsc|ooo|fze|fzco|dmcc|llp)\.?")


def _mentions(sentence: str, name: str) -> list[re.Match[str]]:
    """Where the sentence names `name`, in full or by a short form, as a whole word."""
    return [m for form in forms(name) for m in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", sentence)]


def first_named(sentence: str, names: list[str]) -> str | None:
    """Of `names`, the one `sentence` names first (in full or by a short form), or None."""
    places = []
    for name in names:
        for form in forms(name):
            m = re.search(rf"(?<![\w-]){re.escape(form)}(?![\w-])", sentence)
            if m:
                places.append((m.start(), name))
                break
    return min(places)[1] if places else None


# "conspiring to evade U.S. sanctions on PDVSA", "violating sanctions against Iran": sanctions that
# stand already, the context of a case, not sanctions put on anyone by what the article reports
_EVADING = re.compile(r"\b(?i:evad\w*|evasion|violat\w*|circumvent\w*|breach\w*|bust\w*|skirt\w*)[ \t]+(?:[\w.-]+[ \t]+){0,2}$")


def _evaded(text: str, at: int) -> bool:
    """The sanctions named at `at` are evaded or violated ("conspiring to evade U.S. sanctions")."""
    return _EVADING.search(text, max(0, at - 40), at) is not None


def _put_on(pattern: str, text: str) -> bool:
    """Whether `pattern` (sanctions put on a name) occurs in `text` other than as sanctions
    evaded or violated."""
    return any(not _evaded(text, m.start()) for m in re.finditer(pattern, text))


# "sanctioned three Chinese companies and a Hong Kong-based trader": sanctions on a count of
# parties, who are then named in the next paragraph
_COUNTED = re.compile(
    rf"(?:{_PUT_ON}|{_DONE_TO})(?:(?:the|an?)[ \t]+)?(?:(?:additional|further|new|other)[ \t]+)?"
    r"(?i:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a dozen|\d{1,3})"
    r"[ \t]+(?:[\w-]+[ \t]+){0,2}?(?i:companies|firms|entities|individuals|people|persons|officials|vessels|ships|tankers|"
    r"banks|businesses|executives|traders|networks)\b"
    r"(?:[ \t]+and[ \t]+(?:one|an?)[ \t]+(?:[\w-]+[ \t]+)?(?i:company|firm|entity|individual|person|vessel|bank|network))?"
)


def counts_targets(paragraph: str) -> bool:
    """The paragraph puts sanctions on a number of parties it does not name yet."""
    return _COUNTED.search(paragraph) is not None


# "The individuals include Ri Kwang-chol and ...", "The two entities are ...": the counted parties named
_NAMES_COUNTED = re.compile(
    r"(?:^|(?<=[.!?])[ \t]+)\s*(?:Those[ \t]+(?:sanctioned|designated|listed|targeted)[ \t]+(?:include|are)\b|The[ \t]+(?:(?i:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|other|remaining|\d{1,3})[ \t]+)?"
    r"(?:[\w-]+[ \t]+)?(?:(?i:companies|firms|entities|individuals|people|persons|officials|vessels|ships|tankers|banks|"
    r"businesses|executives|traders|networks)[ \t]+(?:include|includes|included|are|were)"
    r"|(?i:company|firm|entity|individual|person|vessel|bank|network)[ \t]+(?:is|was))\b)"
)


def counted_named(paragraph: str) -> str:
    """The clauses of the paragraph that name parties the one before counted ("The individuals
    include X and Y", "The entity is the Basij Cooperative Foundation" of "..., which funds ...",
    "Those sanctioned include ..."), joined; "" when it has none. Their names are the counted
    targets in so many words, and the paragraph after may name more of them."""
    clauses = []
    for m in _NAMES_COUNTED.finditer(paragraph):
        rest = paragraph[m.start() : m.start() + 400]
        clauses.append(re.split(r",[ \t]+(?:which|who|whose|a|an|the)\b|;|\.(?:[ \t\n]|$)", rest, maxsplit=1)[0].strip())
    return "\n".join(clauses)


def sanctioned_here(text: str, name: str) -> bool:
    """The wording itself puts sanctions on `name` ("Khedri is being designated", "the sanctions
    target Iran Air", "Genava 11 and Genava 12 are being identified as", "sanctions on Syria"):
    then no question is needed. A person may be named in full once and by surname after. Not
    "sanctions on Venezuela's state oil company" (on what it owns), nor sanctions evaded."""
    for form in forms(name):
        n = re.escape(form)
        if _put_on(rf"(?:{_PUT_ON}|{_DONE_TO}){_ARTICLES}{n}(?![\w-])(?!['’]s\b)", text) \
                or re.search(rf"(?<![\w-]){n}{_BEING}", text):
            return True
    return False


def sanctions_on(text: str, name: str) -> bool:
    """The text puts sanctions on `name` itself ("sanctions on Syria", "Sanktionen gegen
    Russland", "Sudan was sanctioned"), not on its "Iranian entities" or on "Venezuela's state
    oil company", nor sanctions evaded: what a country must show to be a target, since articles
    name countries around sanctions all the time."""
    n = re.escape(name)
    passive = rf"(?<![\w-]){n}\s+(?:(?i:is|was|were|has been|have been|had been)\s+)?(?i:sanctioned|designated|blacklisted)\b"
    return _put_on(rf"{_PUT_ON}{_ARTICLES}{n}(?![\w-])(?!['’]s\b)", text) or re.search(passive, text) is not None


# (the verbs in lower case: "Specially Designated Nationals" names a list, not what it designates)
_PUT_ON_NAME = re.compile(rf"(?:{_PUT_ON}|(?:{_DONE})\s+){_ARTICLES}([A-ZÄÖÜ][\w’'.-]*(?:(?<![a-z]{{3}}\.)[ \t]+(?:[A-ZÄÖÜ][\w’'.-]*|of|and(?=[ \t]+[A-Z])))*)")


def named_under_sanctions(text: str) -> list[str]:
    """Names the text puts sanctions on directly ("sanctions against Russland", "Strafmaßnahmen
    gegen die Europäische Union", "OFAC designated Mahan Air", "removed Marek Dunaj ... from the
    SDN List"): candidates found without the model, which misses them in long or foreign
    sentences. An adjective ("on Iranian and Russian entities") is no name."""
    out: list[str] = []
    for m in _PUT_ON_NAME.finditer(text):
        if m.group(1).endswith(("'s", "’s")) or _evaded(text, m.start()):
            continue  # "on Venezuela's state oil company": what it owns; "evade sanctions on X": context
        name = m.group(1).rstrip(".,;:’'")
        first = name.split()[0]
        if re.search(r"(?:ian|ean|ese|ish)\b", name) or _demonym(first) or first.casefold() in OPENERS or too_long(name):
            continue  # "on Iranian and Russian entities", "on Moldovan oligarchs": a demonym describes what follows
        for each in _each_name(text, name):
            if each not in out:
                out.append(each)
    return out


def _demonym(word: str) -> bool:
    """ "Moldovan", "Iraqi", "French": a country's adjective, not one of its names ("Russland",
    "Britain", "US")."""
    stem = word[:-1] if word.endswith("s") else word  # "Afghans"
    return country_of(word) not in (None, word) and stem.endswith((*_DEMONYM_END, "ot", "ek"))  # "Cypriot", "Greek"


def _each_name(text: str, name: str) -> list[str]:
    """ "Gatewick LLC and Abdolhossein Khedri" is two names when the text names one of them
    elsewhere too; "Jahan Destination Travel and Tourism LLC" is one."""
    parts = name.split(" and ")
    if len(parts) > 1 and any(len(p) > 2 and text.count(p) > text.count(name) for p in parts):
        return parts
    return [name]


# Sanctions put on someone before, named as context ("the previously designated IRGC-QF", "was
# added to the Entity List in 2021"), and what says they are put on now.
_PUT_UNDER = re.compile(rf"{SANCTION_WORDS}|block|added to|\blist(?:ed|ing)?\b|Entity List", re.IGNORECASE)
_EARLIER = re.compile(r"\b(?:previously|already|earlier|formerly|(?:in|since) (?:(?:January|February|March|April|May|June|July|"
                      r"August|September|October|November|December) )?(?:19|20)\d\d|last (?:year|month|week))\b",
                      re.IGNORECASE)
_NOW = re.compile(r"\b(?:today|this week|now|new|again|also|(?:on )?(?:Monday|Tuesday|Wednesday|Thursday|Friday|"
                  r"Saturday|Sunday))\b", re.IGNORECASE)


def sanctioned_before(sentences: list[str]) -> bool:
    """Every one of a name's own sentences that puts it under sanctions says it was done before,
    and none says now: a party named as context, not a target of what the article reports."""
    about = [s for s in sentences if _PUT_UNDER.search(s)]
    return bool(about) and all(_EARLIER.search(s) and not _NOW.search(s) or _only_evaded(s) for s in about)


# Sanctions only proposed, weighed or threatened: "would impose asset freezes and travel bans on a
# dozen people, including ...", "are discussing possible sanctions on", "threatened to sanction"
_PROPOSED = re.compile(
    r"\b(?:(?:would|could|might|may)[ \t]+(?:also[ \t]+)?(?:impose|freeze|sanction|target|designate|blacklist|face|be[ \t]+(?:sanctioned|"
    r"designated|blacklisted|targeted))|(?:possible|proposed|potential|planned|prospective|threatened|further)[ \t]+"
    r"(?:\w+[ \t]+)?(?:sanctions|asset[ \t]+freezes|measures)|(?:the|a|this)[ \t]+proposal|threaten\w*[ \t]+(?:to[ \t]+)?(?:impose[ \t]+)?"
    r"sanction\w*|(?:weigh\w*|consider\w*|discuss\w*|debat\w*|prepar\w*|draft\w*)[ \t]+(?:\w+[ \t]+){0,2}?sanctions)",
    re.IGNORECASE,
)
_MEASURES = re.compile(rf"{SANCTION_WORDS}|asset[ \t]+freez\w*|travel[ \t]+bans?", re.IGNORECASE)


def only_proposed(sentences: list[str]) -> bool:
    """Every one of a name's own sentences that names sanctions has them only proposed, weighed
    or threatened ("The proposal ... would impose asset freezes ... on ..., including X"): no
    sanctions are put on it yet."""
    about = [s for s in sentences if _MEASURES.search(s)]
    return bool(about) and all(_PROPOSED.search(s) for s in about)


def _only_evaded(sentence: str) -> bool:
    """Every sanctions word of the sentence names sanctions evaded or violated ("pleaded guilty
    today to conspiring to evade U.S. sanctions on PDVSA"): they stood before."""
    return all(_evaded(sentence, m.start()) for m in _PUT_UNDER.finditer(sentence))


# "Caspian Tideway Shipping, which was designated in 2019, remains on the SDN List": still under
# sanctions put on it before, named as context.
_STILL = (r"(?:,[^,;]{1,120},|[ \t]+(?:himself|herself|itself))?(?:[ \t]+and[ \t]+[^.;,]{1,60}?)?"  # "Lukashenko himself and X remain"
          r"[ \t]+(?:remains?|remained|will[ \t]+remain|stays?|stayed|(?:is|are|was|were)[ \t]+still)[ \t]+"
          r"(?:on[ \t]+the[ \t]+[^.;]{0,40}?\b(?i:list)|(?i:sanctioned|designated|listed|blocked|under[ \t]+(?:[\w.]+[ \t]+)?sanctions|"
          r"subject[ \t]+to[ \t]+(?:[\w.]+[ \t]+)?sanctions))\b")


def still_listed(sentence: str, name: str) -> bool:
    """The sentence says `name` stays under sanctions put on it before: context, not a target."""
    return any(re.search(rf"(?<![\w-]){re.escape(form)}{_STILL}", sentence) for form in forms(name))


# A party that answers sanctions or an accusation ("The Kremlin rejected the accusations",
# "Der Kreml wies die Vorwürfe zurück", "Kremlsprecher Dmitri Peskow nannte die Strafmaßnahmen
# „illegal“"): the other side of the story. The verbs of opposing only; "said" is anyone's.
_REACTING = re.compile(
    r"^(?:[^,]{1,60},[ \t]+)?((?:\S+[ \t]+){1,5}?)(?:(?:has|have|had|hat|haben)[ \t]+)?(?:(?:also|auch)[ \t]+)?"
    r"(?:denied|denies|rejected|rejects|dismissed|dismisses|condemned|condemns|denounced|denounces|criticized|"
    r"criticised|criticizes|criticises|called|calls|vowed|vows|protested|protests|slammed|slams|"
    r"welcomed|welcomes|praised|praises|hailed|hails|urged|urges|"
    r"wies|weist|bestritt|bestreitet|dementierte|dementiert|nannte|nennt|kritisierte|kritisiert|verurteilte|"
    r"verurteilt|bezeichnete|bezeichnet|drohte|droht|kündigte|kündigt|protestierte|protestiert)\b"
)


def reacts(sentence: str, name: str) -> bool:
    """`name` opens the sentence as who denies, condemns or answers, and the sentence puts no
    sanctions on it."""
    m = _REACTING.match(sentence) or _REACTING.match(_RELATIVE.sub("", sentence))  # ("The Houthis, who control ..., dismissed")
    return m is not None and any(f.casefold() in m.group(1).casefold() for f in forms(name)) \
        and not sanctioned_here(sentence, name) and not _SANCTIONED_ITSELF.search(sentence)


# The one the sanctions are about, not on: "over the death of opposition activist Pavel Sorokin",
# "Sorokin's widow", "subjected Sorokin to inhumane treatment", "Sorokin had died" (not "Yoon's
# wife": a relative may be the accused).
_HARMED_BEFORE = re.compile(
    r"(?:\b(?:death|killing|murder|poisoning|jailing|imprisonment|detention|torture|persecution|arrest)[ \t]+of"
    r"(?:[ \t]+[\w-]+){0,3}?|\b(?:subjected|tortured|killed|murdered|poisoned|jailed|detained|imprisoned|abused|"
    r"mistreated|persecuted|beat|beaten)|\bdenied)[ \t]+$"
)
_HARMED_AFTER = re.compile(
    r"^(?:['’]s[ \t]+(?:death|killing|murder|poisoning|jailing|imprisonment|detention|widow|widower|orphans)\b|,?[ \t]+(?:who[ \t]+)?(?:had[ \t]+)?(?:died|was killed|was murdered|"
    r"was poisoned|was jailed)\b)"
)


# "transporting weapons on behalf of the IRGC-QF", "accused of working for the Lazarus Group":
# whom the conduct serves, named as context
_SERVED_BEFORE = re.compile(
    r"\b(?:on[ \t]+behalf[ \t]+of|for[ \t]+the[ \t]+benefit[ \t]+of|in[ \t]+support[ \t]+of|benefit(?:t)?ing|"
    r"controlled[ \t]+by|owned[ \t]+by|(?:arms|weapons|fighters|personnel|funds|money)[ \t]+(?:to|for)|"
    r"(?:work|works|worked|working|act|acts|acted|acting)[ \t]+for|members?[ \t]+of)[ \t]+"
    r"(?:(?:the|Iran['’]s|Russia['’]s)[ \t]+)?(?:[\w-]+[ \t]+){0,5}?\(?$"
)  # ("... of the Islamic Revolutionary Guard Corps-Qods Force (IRGC-QF)": the short form in brackets)


def served(sentence: str, name: str) -> bool:
    """Every place of `name` in the sentence is whom the conduct serves ("on behalf of the
    IRGC-QF", "ultimately benefitting Iran's Islamic Revolutionary Guard Corps"): a principal
    named as context."""
    places = _mentions(sentence, name)
    return bool(places) and all(_SERVED_BEFORE.search(sentence, max(0, m.start() - 80), m.start()) for m in places)


def harmed(sentence: str, name: str) -> bool:
    """Every place of `name` in the sentence is as the one harmed or bereaved ("the death of
    activist Pavel Sorokin", "Sorokin's widow"): whom the sanctions answer for, not whom they
    are on."""
    places = _mentions(sentence, name)
    return bool(places) and all(
        _HARMED_BEFORE.search(sentence, max(0, m.start() - 60), m.start()) or _HARMED_AFTER.match(sentence[m.end() : m.end() + 40])
        for m in places
    )


_SANCTIONED_ITSELF = re.compile(r"\b(?:was|were|been|being|is|are)[ \t]+(?:sanctioned|designated|blacklisted|listed)\b",
                                re.IGNORECASE)  # "... after it was sanctioned"


def ruled_out(sentence: str) -> bool:
    """The sentence says its subject was not sanctioned."""
    return _NOT_SANCTIONED.search(sentence) is not None
