"""Neutralise control characters in text meant for people (terminal, Markdown, stderr).

Model output, article text, file names and JSONL ids can all carry characters that a terminal
obeys instead of showing: ESC starts escape sequences (retitle the window, clear the screen,
fake a prompt, hyperlinks), BEL rings, CR rewrites the line, C1 controls (0x80-0x9f) are
escape introducers on some terminals, and bidi embeddings/overrides/isolates reorder what
follows them ("Trojan Source"). An article can get such text into a model's answer by prompt
injection, so every human-facing rendering passes its strings through `clean` at the point
where they are written out. JSON output keeps the text exactly (it is for programs, and JSON
escapes C0 controls itself).

Each unsafe character becomes U+FFFD (the replacement character, as Markdown output already
did), one character for one, so lengths and offsets are unchanged. Tab and newline are kept;
so are the invisible bidi *marks* (LRM, RLM, ALM), which right-to-left text needs and which
reorder nothing beyond their neighbours.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """`text` with every control character a terminal would act on made visible and inert."""
    return _UNSAFE.sub("\ufffd", text)
