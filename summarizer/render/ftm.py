"""FollowTheMoney entities (JSON lines) for a batch: what Aleph, yente and nomenklatura read.

Built with followthemoney's own model (its schemata, property types and value cleaning), so
every value written is one FtM accepts; a value it would change or drop (a date it cannot
read, a country name it does not know) is left out rather than written wrong. The mapping
(docs/ftm.md):

* each article an `Article` (title, date and publishedAt when the date is readable, sourceUrl
  for an http(s) source, fileName otherwise, author, summary, bodyText when the text is found);
* each party of the batch (merged as on the parties page, `parties.py`) one `Person`,
  `Organization`, `LegalEntity`, `Vessel` or `Airplane`, as the output's kind says (name, other
  spellings as alias, country, IMO numbers and registrations);
* a `Mention` per place an article names a party (document, name as written, resolved where
  the schema allows it: a person or legal entity, detectedSchema, contextCountry);
* a `Sanction` per sanctions target an article reports (entity, authority = who imposes,
  sourceUrl, summary = the sentence that names it, proof = the article);
* an `UnknownLink` per allegation between two named parties (subject = accuser, object =
  accused, role = status and hedge, summary = the claim, description = the evidence, proof).

Ids are stable: an article's is derived from its input's SHA-256, a party's from its normalised
name and family (or its strong identifier), the others from those and their place, so the same
article and party give the same id on every run and in every batch, and `ftm aggregate` merges
two batches' files without duplicate ids. Parties are merged before any entity names them, so
the batch file is read twice; each article's entities are written as they are made.

Importing followthemoney takes about a second: only this format does it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from ..schema import ArticleSummary, Span
from .base import is_http_url
from .batchfile import BatchFile
from .parties import Party, PartyIndex, stable_id
from .prepare import Report, walk
from .sources import SourceFinder

_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%d.%m.%Y")
_SUMMARY_MAX = 600


def iso_date(value: str | None) -> str | None:
    """A date FtM reads (YYYY-MM-DD), from the forms articles write it in; None if unreadable."""
    if not value or not value.strip():
        return None
    text = " ".join(value.split())
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def sentence_around(text: str | None, span: Span) -> str:
    """The sentence of the article that holds a span, as the grounding cuts sentences (the span's
    own text when the article is not at hand)."""
    from ..grounding.sentences import sentence_spans

    if text is None:
        return span.text
    for start, end in sentence_spans(text):
        if start <= span.start < end:
            return " ".join(text[start:max(end, span.end)].split())[:_SUMMARY_MAX]
    return span.text


class _Writer:
    """Builds entities with the FtM model and writes each as one JSON line."""

    def __init__(self, sink: TextIO) -> None:
        from followthemoney import model

        self.model = model
        self.sink = sink
        self.count = 0

    def entity(self, schema: str, ident: str, props: Iterable[tuple[str, Any]]) -> Any:
        proxy = self.model.make_entity(schema)
        proxy.id = ident
        for prop, value in props:
            self.add(proxy, prop, value)
        return proxy

    @staticmethod
    def add(proxy: Any, prop: str, value: Any) -> None:
        """Add a value only as FtM cleans it, and only if the schema has the property."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return
        if prop not in proxy.schema.properties:
            return
        proxy.add(prop, value, quiet=True)

    def write(self, proxy: Any) -> None:
        data = proxy.to_dict()
        try:
            line = json.dumps(data, ensure_ascii=False, sort_keys=True)
            line.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate from the article: keep it escaped
            line = json.dumps(data, sort_keys=True)
        self.sink.write(line + "\n")
        self.count += 1


def _article(w: _Writer, art_id: str, rid: str | int, result: ArticleSummary, text: str | None,
             title: str | None) -> Any:
    p = result.provenance
    source = p.source or ""
    date = iso_date(p.date)
    props: list[tuple[str, Any]] = [
        ("title", title), ("date", date), ("publishedAt", date), ("author", p.author), ("summary", result.summary),
        ("bodyText", text), ("notes", f"summarizer batch id: {rid}"),
    ]
    if is_http_url(source):
        props.append(("sourceUrl", source))
    elif source:
        props.append(("fileName", os.path.basename(source)))  # a record's: "records.jsonl:12"
    return w.entity("Article", art_id, props)


def _mentions(result: ArticleSummary) -> Iterable[tuple[str, str | None, str | None, Span | None, str | None]]:
    """(role, name, target kind, span, country) of every place the article names a party."""
    for t in result.sanctions_targets:
        yield "target", t.name, t.kind, t.mention, t.country
        yield "imposer", t.imposed_by, None, t.imposed_by_mention, None
    for q in result.quotes:
        yield "speaker", q.speaker, None, q.speaker_mention, None
    for a in result.allegations:
        yield "accuser", a.alleged_by, None, a.alleged_by_mention, None
        yield "accused", a.against, None, a.against_mention, None


_RESOLVABLE = ("Person", "Organization", "LegalEntity")  # Mention.resolved's range is LegalEntity


def _article_entities(w: _Writer, index: PartyIndex, rid: str | int, result: ArticleSummary, text: str | None,
                      title: str | None) -> list[Any]:
    art_id = stable_id("summarizer", "article", result.provenance.input_sha256)
    out: dict[str, Any] = {art_id: _article(w, art_id, rid, result, text, title)}
    source_url = result.provenance.source if is_http_url(result.provenance.source) else None
    for _role, name, kind, span, country in _mentions(result):
        party = index.party_of(name, kind)
        if party is None or span is None:
            continue
        ident = stable_id("summarizer", "mention", art_id, str(span.start), str(span.end), party.id)
        if ident not in out:
            props = [("document", art_id), ("name", span.text), ("detectedSchema", party.schema),
                     ("contextCountry", country)]
            if party.schema in _RESOLVABLE:
                props.append(("resolved", party.id))
            out[ident] = w.entity("Mention", ident, props)
    for t in result.sanctions_targets:
        party = index.party_of(t.name, t.kind)
        if party is None:
            continue
        ident = stable_id("summarizer", "sanction", art_id, party.id)
        props = [("entity", party.id), ("authority", t.imposed_by), ("sourceUrl", source_url),
                 ("summary", sentence_around(text, t.mention)), ("proof", art_id)]
        if ident in out:
            for prop, value in props:
                w.add(out[ident], prop, value)
        else:
            out[ident] = w.entity("Sanction", ident, props)
    for a in result.allegations:
        by, against = index.party_of(a.alleged_by, None), index.party_of(a.against, None)
        if by is None or against is None:
            continue  # an UnknownLink needs both ends
        ident = stable_id("summarizer", "allegation", art_id, by.id, against.id, str(a.evidence.start))
        role = a.status + (f", hedged: {a.hedge}" if a.hedge else "")
        out[ident] = w.entity("UnknownLink", ident, [
            ("subject", by.id), ("object", against.id), ("role", role), ("status", a.status), ("summary", a.claim),
            ("description", a.evidence.text), ("proof", art_id), ("sourceUrl", source_url)])
    return list(out.values())


def _party(w: _Writer, p: Party) -> Any:
    props: list[tuple[str, Any]] = [("name", p.name), *(("alias", v) for v in p.variants[1:])]
    props += [("country", c) for c in p.countries]
    for ident in p.identifiers:
        kind, _, value = ident.partition(":")
        props.append(("imoNumber" if kind == "IMO" else "registrationNumber", f"IMO{value}" if kind == "IMO" else value))
    return w.entity(p.schema, p.id, props)


def write_entities(batch: BatchFile, sink: TextIO, *, dirs: Sequence[Path], report: Report) -> Report:
    """Every article's entities, then every party's, as FtM JSON lines on `sink`."""
    w = _Writer(sink)
    finder = SourceFinder(dirs)
    index = PartyIndex(mentions=False)
    for n, (_, art) in enumerate(walk(batch, finder, None)):
        if art is not None:
            index.add(n, art.result, art.text)
    parties = index.finish()
    for entry, art in walk(batch, finder, report):
        if art is not None:
            for proxy in _article_entities(w, index, entry.id, art.result, art.text, art.title):
                w.write(proxy)
    for p in parties:
        w.write(_party(w, p))
    report.parties = len(parties)
    report.rows = w.count
    return report
