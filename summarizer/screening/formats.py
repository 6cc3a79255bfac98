"""Sanctions list files: recognise the format from the content, then stream its entries.

Formats (detected from the first bytes, never from the file name):
- OFAC legacy `sdn.csv`: no header, 12 columns, `-0-` for empty; aliases (`a.k.a. 'X'`,
  `f.k.a.`, `n.k.a.`), IMO numbers and aircraft tail numbers sit inside Remarks. A sibling
  `alt.csv` (OFAC's alias file, 5 columns) in the same folder is read too when present.
- OFAC legacy `sdn.xml` (`<sdnList>`: sdnEntry, akaList, idList, programList), parsed with
  `defusedxml`: a DOCTYPE, an entity declaration or an external reference anywhere in the file
  refuses the whole file. OFAC's newer SDN_ENHANCED / SDN_ADVANCED XML is not read.
- OpenSanctions `targets.simple.csv` (header id, schema, name, aliases, ..., identifiers,
  sanctions, program_ids, dataset, ...; several values in a cell joined by `;`).
- FollowTheMoney JSON lines (OpenSanctions' `entities.ftm.json`): one entity per line, schema
  names resolved with `followthemoney`'s model (imported only for these two OpenSanctions
  formats, and only while an index is built); Sanction entities give their programs to the
  entity they point at.

A list file is foreign input. Every value is type-checked where it is read; an entry that cannot
be read (a field over the CSV size limit, a JSON line nested too deep, a property of the wrong
type) is skipped and counted in `ParsedList.warnings`, and a file that is not the format at all
is one `ScreeningError`. Parsers are generators: an index is built while the file streams by.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from ..errors import ScreeningError
from .entries import Entry, Identifier, imo_numbers, is_tail_number, unique

SDN_TYPES = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft", "-0-": "organization", "": "organization"}
ALT_KINDS = {"aka": "a.k.a.", "fka": "f.k.a.", "nka": "n.k.a."}
SNIFF_BYTES = 64 * 1024
MAX_LINE = 16 * 1024 * 1024  # one FtM entity; OpenSanctions' largest are well under 1 MiB
MAX_FIELD = 128 * 1024  # one CSV cell (the csv module's default limit); OFAC's longest Remarks are a few KiB
MAX_WARNINGS = 20  # skipped entries named one by one; the rest are counted

# Entity ids that may go into a URL path as they are: OpenSanctions ids ("NK-...", "ofac-123",
# "Q7747") and OFAC's numbers. Anything else gets no link (and is escaped wherever it is shown).
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


def ofac_url(uid: str) -> str | None:
    """OFAC's sanctions-search page of an SDN entry (numeric ids only)."""
    return f"https://sanctionssearch.ofac.treas.gov/Details.aspx?id={uid}" if uid.isdigit() and uid.isascii() else None


def opensanctions_url(entity_id: str) -> str | None:
    """OpenSanctions' page of an entity, for ids of the shape OpenSanctions gives (else None)."""
    if not _SAFE_ID.match(entity_id):
        return None
    return f"https://www.opensanctions.org/entities/{quote(entity_id, safe='')}/"


@dataclass
class ParsedList:
    """A list file being read: `entries` streams; `date`, `warnings` and `ref_programs` are
    complete once `entries` is exhausted. `date_kind` says what the date is ("published" for
    OFAC's publish date, "data as of" for OpenSanctions' newest `last_seen`)."""

    format: str
    label: str
    entries: Iterator[Entry]
    date: str | None = None
    date_kind: str = "published"
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0
    ref_programs: dict[str, list[str]] = field(default_factory=dict)  # entity id -> programs (FtM Sanctions)

    def skip(self, where: str, why: str) -> None:
        """Count an entry that could not be read; name the first few."""
        self.skipped += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(f"{where}: {why}")


def detect(head: bytes) -> str | None:
    """The format of a file from its first bytes, or None when it is none we read."""
    text = head.lstrip(b"\xef\xbb\xbf").decode("utf-8", errors="replace").lstrip()
    if text.startswith("<"):
        if re.search(r"<(?:\w+:)?sdnList\b", text[:4096]):
            return "ofac-sdn-xml"
        return None
    if text.startswith("{"):
        first = text.split("\n", 1)[0]
        try:
            obj = json.loads(first)
        except (ValueError, RecursionError):
            return None
        if isinstance(obj, dict) and "schema" in obj and isinstance(obj.get("properties"), dict):
            return "ftm-jsonl"
        return None
    rows = _csv_rows(text, 5)
    if not rows:
        return None
    header = [c.strip().lower() for c in rows[0]]
    if {"id", "schema", "name", "aliases"} <= set(header):
        return "opensanctions-csv"
    if all(_is_sdn_row(r) for r in rows if r and r != ["\x1a"]):
        return "ofac-sdn-csv"
    if all(_is_alt_row(r) for r in rows if r and r != ["\x1a"]):
        return "ofac-alt-csv"
    return None


def _csv_rows(text: str, n: int) -> list[list[str]]:
    lines = text.splitlines()[: n + 1]
    if len(lines) > n:  # the last sniffed line may be cut short
        lines = lines[:n]
    try:
        return list(csv.reader(lines))
    except csv.Error:
        return []


def _is_sdn_row(row: list[str]) -> bool:
    return len(row) == 12 and row[0].strip().isdigit() and row[2].strip().lower() in SDN_TYPES


def _is_alt_row(row: list[str]) -> bool:
    return (
        len(row) == 5
        and row[0].strip().isdigit()
        and row[1].strip().isdigit()
        and row[2].strip().lower() in ALT_KINDS
    )


def describe(head: bytes) -> str:
    """A few words on what an unrecognised file looks like, for the error message."""
    if not head.strip():
        return "it is empty"
    if b"\x00" in head[:4096]:
        return "it is binary"
    first = head.decode("utf-8", errors="replace").strip().splitlines()[0][:60]
    return f"it starts with {first!r}"


def parse(path: Path, fmt: str) -> ParsedList:
    """Start reading `path`, already detected as `fmt`; entries stream from `.entries`."""
    if fmt == "ofac-sdn-csv":
        return _start(path, fmt, "OFAC SDN", _ofac_csv_entries)
    if fmt == "ofac-sdn-xml":
        return _start(path, fmt, "OFAC SDN", _ofac_xml_entries)
    if fmt == "opensanctions-csv":
        return _start(path, fmt, "OpenSanctions", _opensanctions_entries, date_kind="data as of")
    if fmt == "ftm-jsonl":
        return _start(path, fmt, "OpenSanctions", _ftm_entries, date_kind="data as of")
    if fmt == "ofac-alt-csv":
        raise ScreeningError(
            f"{path} is OFAC's alt.csv (aliases only)",
            "pass sdn.csv; an alt.csv next to it is read automatically",
        )
    raise ScreeningError(f"{path}: unknown list format {fmt!r}")  # pragma: no cover


def _start(path: Path, fmt: str, label: str, parser: Any, date_kind: str = "published") -> ParsedList:
    parsed = ParsedList(fmt, label, iter(()), date_kind=date_kind)
    parsed.entries = parser(path, parsed)
    return parsed


def _encoding(path: Path) -> str:
    """UTF-8 (with or without a BOM) when the whole file decodes as UTF-8, else Windows-1252
    (OFAC's legacy files have been published in both). One streaming pass, no copy kept."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _open_text(path: Path) -> TextIO:
    return open(path, encoding=_encoding(path), errors="replace", newline="")


def _csv_stream(reader: Any, parsed: ParsedList, path: Path) -> Iterator[tuple[int, Any]]:
    """Rows of a csv reader with their line numbers; a row the csv module cannot read, or with a
    field over MAX_FIELD, is skipped with a warning, and reading goes on. (The csv module's own
    limit is process-wide state that other libraries change: followthemoney raises it.)"""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            parsed.skip(f"{path.name} line {reader.line_num}", f"unreadable CSV row ({exc})")
            continue
        cells = row.values() if isinstance(row, dict) else row
        if any(isinstance(c, str) and len(c) > MAX_FIELD for c in cells):
            parsed.skip(f"{path.name} line {reader.line_num}", f"a field over {MAX_FIELD >> 10} KiB")
            continue
        yield reader.line_num, row


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _iso_date(text: object) -> str | None:
    """YYYY-MM-DD from an ISO date or timestamp string, or None."""
    if not isinstance(text, str) or not re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return datetime.strptime(text[:10], "%Y-%m-%d").date().isoformat()
    except ValueError:
        return None


# --------------------------------------------------------------------------- OFAC sdn.csv


def _empty(value: str) -> str:
    value = value.strip()
    return "" if value == "-0-" else value


_ALIAS = re.compile(r"^(a\.k\.a\.|f\.k\.a\.|n\.k\.a\.)\s*'(.*)'\.?$", re.S)
_TAIL_REMARK = re.compile(r"^((?:Previous )?Aircraft Tail Number)\s+(\S+?)\.?$")


def parse_remarks(remarks: str) -> tuple[list[tuple[str, str]], list[Identifier]]:
    """Aliases [(kind, name)] and strong identifiers out of an SDN Remarks field."""
    aliases: list[tuple[str, str]] = []
    identifiers: list[Identifier] = []
    for part in _empty(remarks).split(";"):
        part = part.strip()
        if not part:
            continue
        m = _ALIAS.match(part)
        if m:
            name = m.group(2).strip()
            if name:
                aliases.append((m.group(1), name))
            continue
        m = _TAIL_REMARK.match(part)
        if m:
            identifiers.append(Identifier("tail", m.group(2), m.group(1)))
            continue
        for imo in imo_numbers(part):
            label = part.split("IMO")[0].strip() or "IMO number"
            identifiers.append(Identifier("IMO", imo, label))
    return aliases, identifiers


def _ofac_csv_entries(path: Path, parsed: ParsedList) -> Iterator[Entry]:
    alt = _sibling_alt(path, parsed)
    if alt:
        parsed.notes.append(f"aliases also from {path.parent / 'alt.csv'}")
    with _open_text(path) as fh:
        for lineno, row in _csv_stream(csv.reader(fh), parsed, path):
            if not row or row == ["\x1a"]:
                continue
            if not _is_sdn_row(row):
                raise ScreeningError(
                    f"{path}: line {lineno} is not an OFAC sdn.csv row (12 columns expected, got {len(row)})",
                    "download the list again (`summarizer lists update`)",
                )
            ent_num, name, sdn_type, program = row[0].strip(), _empty(row[1]), _empty(row[2]).lower(), _empty(row[3])
            if not name:
                parsed.skip(f"{path.name} line {lineno}", "entry without a name")
                continue
            aliases, identifiers = parse_remarks(row[11])
            etype = SDN_TYPES.get(sdn_type or "-0-", "other")
            if etype == "aircraft" and is_tail_number(name):
                identifiers.insert(0, Identifier("tail", name, "listed name (aircraft registration)"))
            identifiers += [Identifier("IMO", i, "vessel field") for i in imo_numbers(" ".join(row[5:11])) if i]
            for kind, alias in alt.get(ent_num, []):
                if all(alias != a for _, a in aliases):
                    aliases.append((kind, alias))
            yield Entry(
                entry_id=ent_num,
                name=name,
                type=etype,
                programs=tuple(p.strip() for p in program.split("] [") if p.strip()),
                aliases=tuple(a for _, a in aliases),
                alias_kinds=tuple(k for k, _ in aliases),
                identifiers=unique(identifiers),
                url=ofac_url(ent_num),
            )


def _sibling_alt(path: Path, parsed: ParsedList) -> dict[str, list[tuple[str, str]]]:
    """Aliases from an OFAC alt.csv in the same folder (any case of the name), if there is one."""
    try:
        siblings = [p for p in path.parent.iterdir() if p.name.lower() == "alt.csv" and p.is_file()]
    except OSError:
        return {}
    if not siblings:
        return {}
    alt_path = siblings[0]
    try:
        with open(alt_path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
        if detect(head) != "ofac-alt-csv":
            return {}  # a file called alt.csv that is not OFAC's: ignored rather than misread
        out: dict[str, list[tuple[str, str]]] = {}
        with _open_text(alt_path) as fh:
            for _, row in _csv_stream(csv.reader(fh), parsed, alt_path):
                if _is_alt_row(row) and _empty(row[3]):
                    out.setdefault(row[0].strip(), []).append((ALT_KINDS[row[2].strip().lower()], _empty(row[3])))
    except OSError:
        return {}
    return out


# --------------------------------------------------------------------------- OFAC sdn.xml


def _ofac_xml_entries(path: Path, parsed: ParsedList) -> Iterator[Entry]:
    import xml.etree.ElementTree as ET

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    try:
        for _, elem in iterparse(str(path), events=("end",), forbid_dtd=True, forbid_entities=True, forbid_external=True):
            tag = _local(elem.tag)
            if tag == "Publish_Date" and elem.text:
                parsed.date = _us_date(elem.text.strip())
            if tag != "sdnEntry":
                continue
            entry = _xml_entry(elem)
            elem.clear()
            if entry is None:
                parsed.skip(f"{path.name} sdnEntry", "no numeric uid or no name")
                continue
            yield entry
    except DefusedXmlException:
        raise ScreeningError(
            f"{path}: XML with a DOCTYPE, entities or external references is refused", "use OFAC's sdn.xml as published"
        ) from None
    except ET.ParseError as exc:
        raise ScreeningError(f"{path}: broken XML ({exc})", "download the list again") from None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(elem: Any, name: str) -> str:
    for c in elem:
        if _local(c.tag) == name:
            return (c.text or "").strip()
    return ""


def _children(elem: Any, name: str) -> list[Any]:
    return [c for c in elem.iter() if _local(c.tag) == name]


def _xml_name(elem: Any) -> str:
    last, first = _child(elem, "lastName"), _child(elem, "firstName")
    return f"{last}, {first}" if last and first else last or first


def _xml_entry(elem: Any) -> Entry | None:
    uid = _child(elem, "uid")
    name = _xml_name(elem)
    if not uid.isdigit() or not name:
        return None
    etype = {"individual": "person", "entity": "organization", "vessel": "vessel", "aircraft": "aircraft"}.get(
        _child(elem, "sdnType").lower(), "other"
    )
    aliases = [(_child(a, "type") or "a.k.a.", _xml_name(a)) for a in _children(elem, "aka")]
    identifiers: list[Identifier] = []
    for i in _children(elem, "id"):
        id_type, number = _child(i, "idType"), _child(i, "idNumber")
        if "Tail Number" in id_type and number:
            identifiers.append(Identifier("tail", number, id_type))
        else:
            identifiers += [Identifier("IMO", n, id_type) for n in imo_numbers(number)]
    if etype == "aircraft" and is_tail_number(name):
        identifiers.insert(0, Identifier("tail", name, "listed name (aircraft registration)"))
    return Entry(
        entry_id=uid,
        name=name,
        type=etype,
        programs=tuple(p.text.strip() for p in _children(elem, "program") if p.text and p.text.strip()),
        aliases=tuple(a for _, a in aliases if a),
        alias_kinds=tuple(k for k, a in aliases if a),
        identifiers=unique(identifiers),
        url=ofac_url(uid),
    )


def _us_date(text: str) -> str | None:
    try:
        return datetime.strptime(text, "%m/%d/%Y").date().isoformat()
    except ValueError:
        return None


# --------------------------------------------------------------------------- OpenSanctions


@lru_cache(maxsize=512)
def _entry_type(schema_name: str) -> str:
    """Our entry type for a FollowTheMoney schema name, through followthemoney's own model."""
    from followthemoney import model

    schema = model.get(schema_name) if schema_name else None
    if schema is None:
        return "other"
    for ftm, ours in (("Person", "person"), ("Vessel", "vessel"), ("Airplane", "aircraft"), ("Organization", "organization")):
        if schema.is_a(ftm):
            return ours
    return "organization" if schema.is_a("LegalEntity") else "other"


def _split(cell: str | None) -> list[str]:
    return [v.strip() for v in (cell or "").split(";") if v.strip()]


def _newer(current: str | None, candidate: object) -> str | None:
    """The later of two ISO dates (the candidate checked only when it would be the later one)."""
    if not isinstance(candidate, str) or (current is not None and candidate[:10] <= current):
        return current
    day = _iso_date(candidate)
    return day if day is not None and (current is None or day > current) else current


def _opensanctions_entries(path: Path, parsed: ParsedList) -> Iterator[Entry]:
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        for lineno, row in _csv_stream(csv.DictReader(fh), parsed, path):
            entity_id, name = _str_or_none(row.get("id")), _str_or_none(row.get("name"))
            if not entity_id or not name or not name.strip():
                parsed.skip(f"{path.name} line {lineno}", "no id or no name")
                continue
            etype = _entry_type(_str_or_none(row.get("schema")) or "")
            idents: list[Identifier] = []
            for value in _split(_str_or_none(row.get("identifiers"))):
                idents += [Identifier("IMO", n, "IMO number") for n in imo_numbers(value)]
                if etype == "aircraft" and is_tail_number(value):
                    idents.append(Identifier("tail", value, "registration number"))
            programs = _split(_str_or_none(row.get("program_ids"))) or _split(_str_or_none(row.get("sanctions")))
            parsed.date = _newer(parsed.date, row.get("last_seen"))
            yield Entry(
                entry_id=entity_id,
                name=name.strip(),
                type=etype,
                programs=tuple(programs),
                aliases=tuple(_split(_str_or_none(row.get("aliases")))),
                identifiers=unique(idents),
                url=opensanctions_url(entity_id),
            )


_NAME_PROPS = ("name", "alias", "previousName", "weakAlias", "abbreviation")


def _strings(value: object) -> list[str]:
    """A FtM property's values: a list of strings; anything else in it is dropped."""
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str) and v.strip()]


def _ftm_lines(path: Path, parsed: ParsedList) -> Iterator[dict[str, Any]]:
    """Entities (JSON objects with a `properties` object), one per line, each line bounded."""
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        lineno = 0
        while True:
            line = fh.readline(MAX_LINE + 1)
            if not line:
                return
            lineno += 1
            if len(line) > MAX_LINE and not line.endswith("\n"):
                while (rest := fh.readline(MAX_LINE)) and not rest.endswith("\n"):
                    pass  # the rest of an over-long line
                parsed.skip(f"{path.name} line {lineno}", f"a line over {MAX_LINE >> 20} MiB")
                continue
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except RecursionError:
                parsed.skip(f"{path.name} line {lineno}", "JSON nested too deep")
                continue
            except ValueError:
                raise ScreeningError(
                    f"{path}: line {lineno} is not JSON", "FollowTheMoney JSON lines hold one entity per line"
                ) from None
            if isinstance(obj, dict) and isinstance(obj.get("properties"), dict):
                yield obj
            else:
                parsed.skip(f"{path.name} line {lineno}", "not an entity (no `properties` object)")


def _ftm_entries(path: Path, parsed: ParsedList) -> Iterator[Entry]:
    """Entities with names from FtM JSON lines; Sanction entities lend their programs (collected
    in `parsed.ref_programs` and applied by the index once the file is read)."""
    for lineno, obj in enumerate(_ftm_lines(path, parsed), 1):
        props: dict[str, Any] = obj["properties"]
        schema = _str_or_none(obj.get("schema")) or ""
        parsed.date = _newer(parsed.date, obj.get("last_seen"))
        programs = _strings(props.get("programId")) or _strings(props.get("program"))
        if schema == "Sanction":
            refs = props.get("entity")
            for target in refs if isinstance(refs, list) else []:
                ref = target.get("id") if isinstance(target, dict) else target
                if isinstance(ref, str) and programs:
                    parsed.ref_programs.setdefault(ref, []).extend(programs)
            continue
        names = [n for p in _NAME_PROPS for n in _strings(props.get(p))]
        if not names:
            continue
        entity_id = _str_or_none(obj.get("id"))
        if not entity_id:
            parsed.skip(f"{path.name} entity {lineno}", "no string `id`")
            continue
        etype = _entry_type(schema)
        if etype == "other":
            continue  # addresses, documents, ...: nothing to screen against
        caption = _str_or_none(obj.get("caption")) or ""
        primary = caption if caption in names else names[0]
        idents = [Identifier("IMO", n, "imoNumber") for v in _strings(props.get("imoNumber")) for n in imo_numbers(v)]
        if etype == "aircraft":
            idents += [Identifier("tail", v, "registrationNumber") for v in _strings(props.get("registrationNumber")) if is_tail_number(v)]
        datasets = obj.get("datasets")
        yield Entry(
            entry_id=entity_id,
            name=primary,
            type=etype,
            programs=tuple(dict.fromkeys(programs)),
            aliases=tuple(n for n in dict.fromkeys(names) if n != primary),
            identifiers=unique(idents),
            # only OpenSanctions' own exports carry "datasets"; other FtM data has no page there
            url=opensanctions_url(entity_id) if isinstance(datasets, list) and datasets else None,
        )

