"""The `rules` backend: an OpenAI chat-completions endpoint answered by `summarizer.rules`
(quotations and their speakers, hedged allegations, the lede) and, for the sanctions targets, by
the wording alone (`focused.targets_by_wording`: the focused plan with no question answered).

It reads the article from between the prompt's fence lines and answers in the request's own
shape (a tool call in TOOLS mode, else content), so the rules baseline runs through exactly
the pipeline a model does: instructor validation, grounding, provenance, record/replay, eval.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx2

from .. import focused, rules
from ..grounding.sentences import without_sentence_ids
from .base import Transport, chat_completion, json_body

_ARTICLE = re.compile(r"(=+) BEGIN ARTICLE\n(.*)\n\1 END ARTICLE", re.S)
_SUMMARIES = re.compile(r"(=+) BEGIN PART SUMMARIES\n(.*)\n\1 END PART SUMMARIES", re.S)


def _answer(body: dict[str, Any]) -> dict[str, Any] | None:
    user = next((m.get("content") for m in reversed(body.get("messages") or []) if m.get("role") == "user"), "")
    text = user if isinstance(user, str) else ""
    if m := _ARTICLE.search(text):
        article = without_sentence_ids(m.group(2))
        answer = rules.extract(article)
        answer["sanctions_targets"] = [t.model_dump(mode="json") for t in focused.targets_by_wording(article)]
        return answer
    if m := _SUMMARIES.search(text):
        parts = json.loads(m.group(2))  # [{"id": "P1", "text": ...}, ...]
        return {"summary": [{"text": p["text"], "support": [p["id"]]} for p in parts[:2]]}  # the lede
    return None


class Rules(Transport):
    """No model, no network: deterministic answers, zero tokens."""

    def _respond(self, request: httpx2.Request) -> httpx2.Response:
        body = json_body(request.content)
        payload = _answer(body) if isinstance(body, dict) else None
        if payload is None:
            error = {"error": {"message": "rules backend: no fenced article in the request", "code": None}}
            return httpx2.Response(400, json=error, request=request)
        answer = json.dumps(payload, ensure_ascii=False)
        completion = chat_completion(body, answer, model="rules", ident="rules")
        return httpx2.Response(200, json=completion, request=request)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        return self._respond(request)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        return self._respond(request)
