"""Sanctions list files: recognise the format from the content, then parse it into entries.

Formats (detected from the first bytes, never from the file name):
- OFAC legacy `sdn.csv`: no header, 12 columns, `-0-` for empty; aliases (`a.k.a. 'X'`,
  `f.k.a.`, `n.k.a.`), IMO numbers and aircraft tail numbers sit inside Remarks. A sibling
  `alt.csv` (OFAC's alias file, 5 columns) in the same folder is read too when present.
- OFAC legacy `sdn.xml` (`<sdnList>`: sdnEntry, akaList, idList, programList). OFAC's newer
  SDN_ENHANCED / SDN_ADVANCED XML is not read (see docs/screening.md: no sample to test against).
- OpenSanctions `targets.simple.csv` (header id, schema, name, aliases, ..., identifiers,
  sanctions, program_ids, dataset, ...; several values in a cell joined by `;`).
- FollowTheMoney JSON lines (OpenSanctions' `entities.ftm.json`): one entity per line, schema
  names resolved with `followthemoney`'s model; Sanction entities give their programs to the
  entity they point at.
Anything else is one `ScreeningError` line saying what the file looked like.

Long module: one detector and four small parsers (OFAC CSV, OFAC XML, OpenSanctions CSV,
FtM JSON lines) of 40 to 90 lines each that share the entry-building helpers; whoever adds or
fixes a format looks here.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import ScreeningError
from .entries import Entry, Identifier, imo_numbers, is_tail_number, unique

OFAC_URL = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={id}"
OPENSANCTIONS_URL = "https://www.opensanctions.org/entities/{id}/"
SDN_TYPES = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft", "-0-": "organization", "": "organization"}
ALT_KINDS = {"aka": "a.k.a.", "fka": "f.k.a.", "nka": "n.k.a."}
SNIFF_BYTES = 64 * 1024


@dataclass
class ParsedList:
    """A list file read into entries; `label` names the publisher, `date` when it was issued."""

    format: str
    label: str
    entries: list[Entry]
    date: str | None = None
    notes: list[str] = field(default_factory=list)


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
        except ValueError:
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
    """Parse `path`, already detected as `fmt`, into entries."""
    if fmt == "ofac-sdn-csv":
        return parse_ofac_csv(path)
    if fmt == "ofac-sdn-xml":
        return parse_ofac_xml(path)
    if fmt == "opensanctions-csv":
        return parse_opensanctions_csv(path)
    if fmt == "ftm-jsonl":
        return parse_ftm(path)
    if fmt == "ofac-alt-csv":
        raise ScreeningError(
            f"{path} is OFAC's alt.csv (aliases only)",
            "pass sdn.csv; an alt.csv next to it is read automatically",
        )
    raise ScreeningError(f"{path}: unknown list format {fmt!r}")  # pragma: no cover


def _read_text(path: Path) -> str:
    """The whole file as text: UTF-8, else Windows-1252 (OFAC's legacy files); no EOF byte."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text.rstrip("\x1a\r\n ") + "\n"


def _file_date(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).date().isoformat()


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


def parse_ofac_csv(path: Path) -> ParsedList:
    rows = csv.reader(io.StringIO(_read_text(path)))
    alt = _sibling_alt(path)
    entries: list[Entry] = []
    for lineno, row in enumerate(rows, 1):
        if not row or row == ["\x1a"]:
            continue
        if not _is_sdn_row(row):
            raise ScreeningError(
                f"{path}: line {lineno} is not an OFAC sdn.csv row (12 columns expected, got {len(row)})",
                "download the list again (`summarizer lists update`)",
            )
        ent_num, name, sdn_type, program = row[0].strip(), _empty(row[1]), _empty(row[2]).lower(), _empty(row[3])
        aliases, identifiers = parse_remarks(row[11])
        etype = SDN_TYPES.get(sdn_type or "-0-", "other")
        if etype == "aircraft" and is_tail_number(name):
            identifiers.insert(0, Identifier("tail", name, "listed name (aircraft registration)"))
        imo_in_vessel_fields = [i for i in imo_numbers(" ".join(row[5:11])) if i]
        identifiers += [Identifier("IMO", i, "vessel field") for i in imo_in_vessel_fields]
        for kind, alias in alt.get(ent_num, []):
            if all(alias != a for _, a in aliases):
                aliases.append((kind, alias))
        entries.append(
            Entry(
                entry_id=ent_num,
                name=name,
                type=etype,
                programs=tuple(p.strip() for p in program.split("] [") if p.strip()),
                aliases=tuple(a for _, a in aliases),
                alias_kinds=tuple(k for k, _ in aliases),
                identifiers=unique(identifiers),
                url=OFAC_URL.format(id=ent_num),
            )
        )
    notes = [f"aliases also from {path.parent / 'alt.csv'}"] if alt else []
    return ParsedList("ofac-sdn-csv", "OFAC SDN", entries, date=_file_date(path), notes=notes)


def _sibling_alt(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Aliases from an OFAC alt.csv in the same folder (any case of the name), if there is one."""
    try:
        siblings = [p for p in path.parent.iterdir() if p.name.lower() == "alt.csv" and p.is_file()]
    except OSError:
        return {}
    if not siblings:
        return {}
    alt_path = siblings[0]
    try:
        text = _read_text(alt_path)
    except OSError:
        return {}
    if detect(text[:SNIFF_BYTES].encode()) != "ofac-alt-csv":
        return {}  # a file called alt.csv that is not OFAC's: ignored rather than misread
    out: dict[str, list[tuple[str, str]]] = {}
    for row in csv.reader(io.StringIO(text)):
        if _is_alt_row(row) and _empty(row[3]):
            out.setdefault(row[0].strip(), []).append((ALT_KINDS[row[2].strip().lower()], _empty(row[3])))
    return out


# --------------------------------------------------------------------------- OFAC sdn.xml


def parse_ofac_xml(path: Path) -> ParsedList:
    import xml.etree.ElementTree as ET

    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise ScreeningError(f"{path}: XML with a DOCTYPE or entities is refused", "use OFAC's sdn.xml as published")
    entries: list[Entry] = []
    date = None
    try:
        for _, elem in ET.iterparse(path, events=("end",)):
            tag = _local(elem.tag)
            if tag == "Publish_Date" and elem.text:
                date = _us_date(elem.text.strip())
            if tag != "sdnEntry":
                continue
            entries.append(_xml_entry(elem))
            elem.clear()
    except ET.ParseError as exc:
        raise ScreeningError(f"{path}: broken XML ({exc})", "download the list again") from None
    return ParsedList("ofac-sdn-xml", "OFAC SDN", entries, date=date or _file_date(path))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


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


def _xml_entry(elem: Any) -> Entry:
    uid = _child(elem, "uid")
    etype = {"individual": "person", "entity": "organization", "vessel": "vessel", "aircraft": "aircraft"}.get(
        _child(elem, "sdnType").lower(), "other"
    )
    name = _xml_name(elem)
    aliases = [(_child(a, "type") or "a.k.a.", _xml_name(a)) for a in _children(elem, "aka")]
    identifiers: list[Identifier] = []
    for i in _children(elem, "id"):
        id_type, number = _child(i, "idType"), _child(i, "idNumber")
        if "Tail Number" in id_type:
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
        url=OFAC_URL.format(id=uid),
    )


def _us_date(text: str) -> str | None:
    try:
        return datetime.strptime(text, "%m/%d/%Y").date().isoformat()
    except ValueError:
        return None


# --------------------------------------------------------------------------- OpenSanctions


def _entry_type(schema_name: str) -> str:
    """Our entry type for a FollowTheMoney schema name, through followthemoney's own model."""
    from followthemoney import model

    schema = model.get(schema_name)
    if schema is None:
        return "other"
    for ftm, ours in (("Person", "person"), ("Vessel", "vessel"), ("Airplane", "aircraft"), ("Organization", "organization")):
        if schema.is_a(ftm):
            return ours
    return "organization" if schema.is_a("LegalEntity") else "other"


def _split(cell: str | None) -> list[str]:
    return [v.strip() for v in (cell or "").split(";") if v.strip()]


def parse_opensanctions_csv(path: Path) -> ParsedList:
    entries: list[Entry] = []
    datasets: set[str] = set()
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            if not row.get("id") or not row.get("name"):
                continue
            etype = _entry_type(row.get("schema") or "")
            idents: list[Identifier] = []
            for value in _split(row.get("identifiers")):
                idents += [Identifier("IMO", n, "IMO number") for n in imo_numbers(value)]
                if etype == "aircraft" and is_tail_number(value):
                    idents.append(Identifier("tail", value, "registration number"))
            programs = _split(row.get("program_ids")) or _split(row.get("sanctions"))
            datasets.update(_split(row.get("dataset")))
            entries.append(
                Entry(
                    entry_id=row["id"],
                    name=row["name"].strip(),
                    type=etype,
                    programs=tuple(programs),
                    aliases=tuple(_split(row.get("aliases"))),
                    identifiers=unique(idents),
                    url=OPENSANCTIONS_URL.format(id=row["id"]),
                )
            )
    return ParsedList("opensanctions-csv", "OpenSanctions", entries, date=_file_date(path))


_NAME_PROPS = ("name", "alias", "previousName", "weakAlias", "abbreviation")


def _ftm_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with open(path, encoding="utf-8-sig") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                raise ScreeningError(
                    f"{path}: line {lineno} is not JSON", "FollowTheMoney JSON lines hold one entity per line"
                ) from None
            if isinstance(obj, dict) and isinstance(obj.get("properties"), dict):
                yield lineno, obj


def parse_ftm(path: Path) -> ParsedList:
    """Entities with names from FtM JSON lines; Sanction entities lend their programs."""
    programs: dict[str, list[str]] = {}
    raw: list[dict[str, Any]] = []
    for _, obj in _ftm_lines(path):
        props = obj["properties"]
        if obj.get("schema") == "Sanction":
            for target in props.get("entity", []):
                ref = target.get("id") if isinstance(target, dict) else target
                programs.setdefault(str(ref), []).extend(props.get("programId", []) or props.get("program", []))
        elif any(props.get(p) for p in _NAME_PROPS):
            raw.append(obj)
    entries: list[Entry] = []
    for obj in raw:
        etype = _entry_type(str(obj.get("schema", "")))
        if etype == "other":
            continue  # addresses, documents, sanctions, ...: nothing to screen against
        props = obj["properties"]
        names = [str(n) for p in _NAME_PROPS for n in props.get(p, [])]
        caption = str(obj.get("caption") or "")
        primary = caption if caption in names else names[0]
        idents = [Identifier("IMO", n, "imoNumber") for v in props.get("imoNumber", []) for n in imo_numbers(str(v))]
        if etype == "aircraft":
            idents += [Identifier("tail", str(v), "registrationNumber") for v in props.get("registrationNumber", []) if is_tail_number(str(v))]
        own = [str(p) for p in props.get("programId", []) or props.get("program", [])]
        entries.append(
            Entry(
                entry_id=str(obj.get("id")),
                name=primary,
                type=etype,
                programs=tuple(dict.fromkeys(own + programs.get(str(obj.get("id")), []))),
                aliases=tuple(n for n in dict.fromkeys(names) if n != primary),
                identifiers=unique(idents),
                # only OpenSanctions' own exports carry "datasets"; other FtM data has no page there
                url=OPENSANCTIONS_URL.format(id=obj.get("id")) if obj.get("datasets") else None,
            )
        )
    return ParsedList("ftm-jsonl", "OpenSanctions", entries, date=_file_date(path))
