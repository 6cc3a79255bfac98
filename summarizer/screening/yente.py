"""Screening through a yente server (OpenSanctions' open-source matching API).

`POST {base}/match/{dataset}?threshold=T&limit=N` with `{"queries": {"q0": {"schema": "Person",
"properties": {"name": ["..."]}}, ...}}`; the answer is `{"responses": {"q0": {"status": 200,
"results": [{"id", "caption", "schema", "properties", "datasets", "score", "match",
"features"}, ...], "total", "query"}}, "matcher", "limit"}` (yente's `EntityMatchQuery` /
`EntityMatchResponse`). All names of one article go in one request.

The key (`SUMMARIZER_YENTE_KEY`, sent as `Authorization: ApiKey ...` as OpenSanctions' hosted
API expects) goes only to the host of the URL: redirects are not followed, and no message
ever contains it. Every wait is bounded by the timeout, and the whole exchange by a deadline,
so a trickling server cannot hang a run.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import ScreeningError
from ..redact import redact, redact_url
from ..terminal import clean
from .entries import Identifier
from .formats import opensanctions_url
from .match import DEFAULT_THRESHOLD, Hit
from .scores import rounded

KEY_ENV = "SUMMARIZER_YENTE_KEY"
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
SCHEMA_FOR_KIND = {
    "person": "Person",
    "organization": "Organization",
    "government": "Organization",
    "vessel": "Vessel",
    "aircraft": "Airplane",
}
TYPE_FOR_SCHEMA = {"Person": "person", "Vessel": "vessel", "Airplane": "aircraft"}


@dataclass
class YenteClient:
    """Where the server is (`base` without the path, `dataset`) and how long to wait."""

    base: str
    dataset: str = "default"
    key: str | None = None
    timeout: float = 20.0
    threshold: float = DEFAULT_THRESHOLD
    limit: int = 5

    @classmethod
    def from_url(cls, url: str, *, threshold: float = DEFAULT_THRESHOLD, timeout: float = 20.0) -> YenteClient:
        """`http://host:8000` (dataset "default") or `http://host:8000/match/sanctions`."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ScreeningError(f"--screen-url {redact_url(url)} is not an http(s) URL", "e.g. http://localhost:8000")
        path = parts.path.rstrip("/")
        dataset = "default"
        if "/match/" in path + "/":
            path, _, dataset = path.rpartition("/match/")
            dataset = dataset.strip("/") or "default"
        base = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
        return cls(base=base, dataset=dataset, key=os.environ.get(KEY_ENV) or None, timeout=timeout, threshold=threshold)

    @property
    def host(self) -> str:
        return urlsplit(self.base).hostname or "?"

    @property
    def label(self) -> str:
        return f"yente {self.host}/{self.dataset}"

    def match(self, queries: list[tuple[str, str | None, list[tuple[Identifier, str]]]]) -> list[list[Hit]]:
        """Hits for each (name, kind, identifiers) query, in order; one HTTP request.

        Every value of the answer is type-checked before use: a result with a score that is
        not a finite number in [0, 1], or a name, id, caption or feature of the wrong type, is
        a ScreeningError naming the field (the server is broken or not yente), never a crash
        or an `Infinity` in the output."""
        if not queries:
            return []
        body = {"queries": {f"q{i}": _example(name, kind, idents) for i, (name, kind, idents) in enumerate(queries)}}
        data = self._post(body)
        responses = data.get("responses") if isinstance(data, dict) else None
        if not isinstance(responses, dict):
            raise ScreeningError(f"{self.label}: the answer has no `responses`", "is this a yente server?")
        out: list[list[Hit]] = []
        for i in range(len(queries)):
            resp = responses.get(f"q{i}")
            if resp is None:
                resp = {}
            if not isinstance(resp, dict):
                raise self._bad(f"responses.q{i}", resp)
            results = resp.get("results")
            if results is None:
                results = []
            if not isinstance(results, list):
                raise self._bad(f"responses.q{i}.results", results)
            hits = [self._hit(r, f"responses.q{i}.results[{j}]") for j, r in enumerate(results)]
            out.append(sorted((h for h in hits if h.score >= self.threshold), key=lambda h: -h.score))
        return out

    def _bad(self, where: str, value: object) -> ScreeningError:
        shown = clean(redact(repr(value), self.key)[:60])
        return ScreeningError(f"{self.label}: the answer's {where} is malformed ({shown})", "is this a yente server?")

    def _post(self, body: dict[str, Any]) -> Any:
        import httpx2

        url = f"{self.base}/match/{self.dataset}"
        headers = {"Accept": "application/json", "User-Agent": "summarizer (+screening)"}
        if self.key:
            headers["Authorization"] = f"ApiKey {self.key}"
        deadline = time.monotonic() + self.timeout
        chunks: list[bytes] = []
        total = 0
        try:
            with (
                httpx2.Client(timeout=self.timeout, follow_redirects=False) as client,
                client.stream(
                    "POST", url, params={"threshold": self.threshold, "limit": self.limit}, json=body, headers=headers
                ) as response,
            ):
                status = response.status_code
                for chunk in response.iter_bytes():
                    total += len(chunk)
                    if total > MAX_RESPONSE_BYTES:
                        raise ScreeningError(f"{self.label}: the answer is over {MAX_RESPONSE_BYTES >> 20} MiB")
                    if time.monotonic() > deadline:
                        raise httpx2.ReadTimeout("deadline")
                    chunks.append(chunk)
        except httpx2.TimeoutException:
            raise ScreeningError(
                f"{self.label}: no answer within {self.timeout:g} s", "check the server, or screen a local list with --screen"
            ) from None
        except httpx2.HTTPError as exc:
            raise ScreeningError(
                f"{self.label}: cannot reach the server ({type(exc).__name__})", "check --screen-url and that yente runs"
            ) from None
        if status in (401, 403):
            raise ScreeningError(f"{self.label}: HTTP {status}, the key was refused", f"set {KEY_ENV} to a valid key")
        if 300 <= status < 400:
            raise ScreeningError(f"{self.label}: HTTP {status} redirect, not followed", "give the server's final URL")
        if status >= 400:
            # a server may echo the request (Authorization included) in its error body
            detail = _detail(b"".join(chunks), self.key)
            raise ScreeningError(f"{self.label}: HTTP {status}{detail}", "check the dataset name and the server")
        try:
            return json.loads(b"".join(chunks))
        except (ValueError, RecursionError):
            raise ScreeningError(f"{self.label}: the answer is not JSON", "is this a yente server?") from None

    def _hit(self, result: object, where: str) -> Hit:
        if not isinstance(result, dict):
            raise self._bad(where, result)
        props = result.get("properties", {})
        if not isinstance(props, dict):
            raise self._bad(f"{where}.properties", props)
        names = props.get("name", [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise self._bad(f"{where}.properties.name", names)
        score = result.get("score")
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score) or not 0 <= score <= 1:
            raise self._bad(f"{where}.score", score)
        rid, caption, schema = result.get("id"), result.get("caption"), result.get("schema", "")
        if not isinstance(rid, str) or not rid:
            raise self._bad(f"{where}.id", rid)
        if caption is not None and not isinstance(caption, str):
            raise self._bad(f"{where}.caption", caption)
        if not isinstance(schema, str):
            raise self._bad(f"{where}.schema", schema)
        features = result.get("features", {})
        if features is None:
            features = {}
        if not isinstance(features, dict) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in features.values()
        ):
            raise self._bad(f"{where}.features", features)
        datasets = result.get("datasets")
        score = rounded(score)
        top = sorted(features.items(), key=lambda kv: -float(kv[1]))[:3]
        detail = ", ".join(f"{k} {float(v):.2f}" for k, v in top)
        return Hit(
            list=self.label,
            entry_id=rid,
            name=caption or (names[0] if names else rid),
            matched_name=names[0] if names else caption or rid,
            programs=_programs(props),
            type=TYPE_FOR_SCHEMA.get(schema, "organization" if schema in ("Organization", "Company", "LegalEntity", "PublicBody") else "other"),
            score=score,
            why=f"yente {self.dataset} scored {score:.2f}" + (f" ({detail})" if detail else ""),
            url=opensanctions_url(rid) if isinstance(datasets, list) and datasets else None,
        )


def _example(name: str, kind: str | None, idents: list[tuple[Identifier, str]]) -> dict[str, Any]:
    schema = SCHEMA_FOR_KIND.get(kind or "", "LegalEntity")
    props: dict[str, list[str]] = {"name": [name]}
    imos = [f"IMO{i.value}" for i, _ in idents if i.kind == "IMO"]
    if imos and schema in ("Vessel", "LegalEntity", "Organization"):
        props["imoNumber" if schema == "Vessel" else "registrationNumber"] = imos
    tails = [i.value for i, _ in idents if i.kind == "tail"]
    if tails and schema == "Airplane":
        props["registrationNumber"] = tails
    return {"schema": schema, "properties": props}


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _programs(props: dict[str, Any]) -> list[str]:
    """Programs of a result: its own `programId`, and those of its nested Sanction entities."""
    out = _strings(props.get("programId"))
    sanctions = props.get("sanctions")
    for sanction in sanctions if isinstance(sanctions, list) else []:
        sp = sanction.get("properties") if isinstance(sanction, dict) else None
        if isinstance(sp, dict):
            out += _strings(sp.get("programId")) or _strings(sp.get("program"))
    return list(dict.fromkeys(out))


def _detail(body: bytes, key: str | None) -> str:
    """The `detail` of an error body on one line: the key redacted (before it is cut short, so
    no slice of it survives), control characters made inert."""
    try:
        detail = json.loads(body).get("detail")
    except (ValueError, AttributeError, RecursionError):
        return ""
    return f": {clean(redact(' '.join(str(detail).split()), key)[:200])}" if detail else ""
