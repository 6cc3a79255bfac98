"""What a recordings directory holds, in words: the article, model and settings of each fixture.

Fixture files are named by a request hash, which tells a person nothing. When replay meets a
request with no recording, `missing_recording` says what was asked (endpoint path, model,
settings, and which article: its first words and the SHA-256 of its text) and what the
directory has for that article (model, settings, when recorded, and how the request differs),
so "the prompt changed" or "this was recorded with another model" is visible at once.

The article is read back from the request: the text between the prompt's fence lines
(`==== BEGIN ARTICLE` ... `==== END ARTICLE`, or EXCERPT for a focused question), without the
sentence ids the prompt adds. For a whole, unchunked article its SHA-256 is the result's
`provenance.input_sha256` (and the `input_sha256` of `summarizer logs`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import MissingRecordingError, SummarizerError
from ..grounding.sentences import without_sentence_ids

MAX_FILES = 5000  # a directory bigger than this is described by its first files only
SHOWN = 3  # recordings of the article listed in the message

_FENCED = re.compile(r"^(=+) BEGIN ([A-Z ]+)\n(.*?)\n\1 END \2$", re.S | re.M)


@dataclass(frozen=True)
class Described:
    """One request (recorded or not), as a person would name it."""

    model: str
    path: str
    mode: str
    max_tokens: Any
    temperature: Any
    part: str  # "article", "excerpt", "part summaries", or "message"
    text: str  # the article (or excerpt) as the prompt carried it, sentence ids removed
    messages: int
    system: str
    template: str  # the user message with the article cut out: what the prompt template made
    schema: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def first_words(self, words: int = 8, chars: int = 60) -> str:
        flat = " ".join(self.text.split()[:words])
        if len(flat) > chars:
            flat = flat[: chars - 1].rstrip()
        return flat + ("\u2026" if len(flat) < len(" ".join(self.text.split())) else "")

    def settings(self) -> str:
        return f"mode {self.mode}, max_tokens {self.max_tokens}, temperature {self.temperature}"


def describe(body: Any, path: str = "/v1/chat/completions") -> Described:
    """A chat request body, described; anything unexpected is described as far as it goes."""
    body = body if isinstance(body, dict) else {}
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    system = next((str(m.get("content")) for m in messages if m.get("role") == "system"), "")
    user = next((str(m.get("content")) for m in messages if m.get("role") == "user"), "")
    match = _FENCED.search(user)
    if match:
        part, text = match.group(2).lower(), without_sentence_ids(match.group(3))
        template = user[: match.start(3)] + user[match.end(3) :]
    else:
        part, text, template = "message", user, ""
    schema = json.dumps([body.get("tools"), body.get("response_format")], sort_keys=True, default=str)
    return Described(
        model=str(body.get("model")),
        path=path,
        mode=_mode(body),
        max_tokens=body.get("max_tokens"),
        temperature=body.get("temperature"),
        part=part,
        text=text,
        messages=len(messages),
        system=system,
        template=template,
        schema=schema,
    )


def _mode(body: dict[str, Any]) -> str:
    if body.get("tools"):
        return "tools"
    kind = (body.get("response_format") or {}).get("type") if isinstance(body.get("response_format"), dict) else None
    return {"json_schema": "json_schema", "json_object": "json"}.get(str(kind), "plain")


@dataclass(frozen=True)
class Recording:
    """One fixture file and what it answers."""

    file: Path
    request: Described
    recorded_at: str
    synthetic: bool


MAX_FIXTURE_BYTES = 256 * 1024 * 1024
"""The largest fixture read (a recorded answer is kilobytes)."""


def inventory(directory: Path) -> list[Recording]:
    """Every readable fixture in `directory` (not its subdirectories), oldest first."""
    from ..inputs.reading import read_file

    out = []
    for file in sorted(directory.glob("*.json"))[:MAX_FILES]:
        try:  # through the one reader: a FIFO or device named *.json is skipped, never waited on
            data = json.loads(read_file(file, limit=MAX_FIXTURE_BYTES, what="recording"))
            request = data["request"]
            meta = data.get("meta") or {}
        except (SummarizerError, ValueError, KeyError, TypeError, AttributeError):
            continue  # not a fixture: nothing to say about it
        out.append(
            Recording(
                file=file,
                request=describe(request.get("body"), str(request.get("path") or "")),
                recorded_at=str(meta.get("recorded_at") or "an unknown time"),
                synthetic=bool(meta.get("synthetic")),
            )
        )
    return sorted(out, key=lambda r: r.recorded_at)


def differences(wanted: Described, recorded: Described) -> list[str]:
    """What a recorded request has that the wanted one does not, named as a user would."""
    out = [name for name in ("model", "mode", "max_tokens", "temperature") if getattr(wanted, name) != getattr(recorded, name)]
    if wanted.system != recorded.system or wanted.template != recorded.template:
        out.append("prompt")
    if wanted.schema != recorded.schema:
        out.append("output schema")
    if wanted.messages != recorded.messages:
        out.append(f"conversation ({recorded.messages} messages, not {wanted.messages}: a re-ask has more)")
    if wanted.path != recorded.path:
        out.append(f"endpoint ({recorded.path})")
    return out


def missing_recording(directory: Path, key: str, body: Any, path: str) -> MissingRecordingError:
    """The error for a request with no fixture: one paragraph, on one line."""
    wanted = describe(body, path)
    asked = (
        f"no recording for request {key[:16]} in {directory}: POST {path} for model {wanted.model} "
        f"({wanted.settings()}), {wanted.part} \u201c{wanted.first_words()}\u201d "
        f"(sha256 {wanted.sha256[:16]})"
    )
    recordings = inventory(directory) if directory.is_dir() else []
    same = [r for r in recordings if r.request.text == wanted.text]
    if same:
        shown = []
        for r in same[-SHOWN:]:
            diff = differences(wanted, r.request)
            what = f"model {r.request.model} ({r.request.settings()}) recorded {r.recorded_at}"
            what += " (synthetic)" if r.synthetic else ""
            shown.append(what + (f", differs in {', '.join(diff)}" if diff else ""))
        more = f" (the {len(same) - SHOWN} older ones not shown)" if len(same) > SHOWN else ""
        there = f"; recordings of this {wanted.part} there: " + " | ".join(shown) + more
    else:
        others = len({r.request.sha256 for r in recordings})
        there = f"; there is no recording of this {wanted.part} there" + (
            f" ({len(recordings)} recording(s) of {others} other text(s))" if recordings else " (the directory is empty)"
        )
    return MissingRecordingError(
        asked + there,
        f"record it with --record {directory} (or SUMMARIZER_RECORD) against a live model; in pytest, "
        "--summarizer-record-mode=new_episodes records what is missing",
    )
