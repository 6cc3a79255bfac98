#!/usr/bin/env python3
"""Output tokens per article: citing sentence ids vs copying excerpts, at equal content.

The model's output tokens are most of an extraction's latency and cost. For each development
article this builds the same answer (the gold quotes, targets and allegations, and a summary
of the gold's must-mention facts) in two shapes and counts their tokens with a real tokenizer
(the embedded model's, read with `vocab_only`):

* before: evidence copied as the verbatim sentence, the summary as one string (the schema up to
  this change; listed quotes were already cited by id);
* after: evidence cited as a sentence id ("S12"), the summary as sentences with support ids.

    python benchmarks/output_tokens.py [--model-path FILE.gguf] [--json]

The ideal is "no output tokens spent on copying"; the ratio after/before says how close.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.grounding.sentences import numbered_sentences  # noqa: E402
from summarizer.grounding.spans import numbered_quotations  # noqa: E402
from summarizer.inputs import read_article  # noqa: E402

ARTICLES = ROOT / "tests" / "articles"
_WORDS = re.compile(r"[^\W\d_]{4,}")


def _words(text: str) -> set[str]:
    return {w.casefold()[:6] for w in _WORDS.findall(text)}


def _best_sentence(claim: str, sentences: dict[str, tuple[int, int]], text: str) -> str:
    """The id of the article sentence sharing most words with `claim` (the evidence a model cites)."""
    want = _words(claim)
    return max(sentences, key=lambda ref: len(want & _words(text[slice(*sentences[ref])])))


def answers(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    gold = json.loads((ARTICLES / f"{name}.gold.json").read_text("utf-8"))
    path = next(p for p in (ARTICLES / f"{name}.txt", ARTICLES / f"{name}.html") if p.exists())
    text = read_article(str(path)).text
    sentences = numbered_sentences(text)
    listed = numbered_quotations(text)
    quotes = []
    for q in gold["quotes"]:
        ref = next((r for r, (a, b) in listed.items() if q["text"].strip(" ,.") in text[a:b]), None)
        quotes.append({"ref": ref, "text": None if ref else q["text"], "speaker": q["speaker"]})
    targets = [{"name": t["name"], "kind": t["kind"], "country": t.get("country"), "imposed_by": None}
               for t in gold["sanctions_targets"]]
    facts = [str(f) for f in gold.get("must_mention", [])][:4]
    before_alls, after_alls = [], []
    for a in gold["allegations"]:
        ref = _best_sentence(a["claim"], sentences, text)
        common = {"claim": a["claim"], "alleged_by": a["alleged_by"], "against": a["against"],
                  "status": "alleged" if a.get("hedged") else "claimed", "hedge": None}
        before_alls.append({**common, "evidence": text[slice(*sentences[ref])]})
        after_alls.append({**common, "evidence": ref})
    before = {"summary": " ".join(facts), "allegations": before_alls, "sanctions_targets": targets, "quotes": quotes}
    after = {
        "summary": [{"text": f, "support": [_best_sentence(f, sentences, text)]} for f in facts],
        "allegations": after_alls, "sanctions_targets": targets, "quotes": quotes,
    }
    return before, after


def _tokenizer(model_path: str | None) -> Any:
    import llama_cpp

    from summarizer.local import default_model_path

    path = model_path or str(default_model_path())
    llama = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)
    return lambda s: len(llama.tokenize(s.encode("utf-8"), add_bos=False)), Path(path).name


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-path", help="GGUF whose tokenizer counts (default: the local backend's model)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    count, tokenizer = _tokenizer(args.model_path)
    rows = []
    for gold in sorted(ARTICLES.glob("*.gold.json")):
        name = gold.name[: -len(".gold.json")]
        before, after = answers(name)
        b = count(json.dumps(before, ensure_ascii=False))
        a = count(json.dumps(after, ensure_ascii=False))
        rows.append({"article": name, "before": b, "after": a, "ratio": round(a / b, 3)})
    total_b = sum(r["before"] for r in rows)
    total_a = sum(r["after"] for r in rows)
    summary = {"tokenizer": tokenizer, "articles": rows, "mean_before": round(total_b / len(rows), 1),
               "mean_after": round(total_a / len(rows), 1), "ratio": round(total_a / total_b, 3)}
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(f"output tokens per article, tokenizer {tokenizer} (same content, two shapes)")
    print(f"{'article':42} {'before':>7} {'after':>7} {'ratio':>6}")
    for r in rows:
        print(f"{r['article']:42} {r['before']:>7} {r['after']:>7} {r['ratio']:>6.2f}")
    print(f"{'mean':42} {summary['mean_before']:>7} {summary['mean_after']:>7} {summary['ratio']:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
