#!/usr/bin/env python3
"""Re-record the test suite's fixtures, or record your own, against any OpenAI-compatible model.

    # against a real endpoint (OPENAI_API_KEY / --base-url as for `summarizer summarize`)
    python scripts/record_fixtures.py fixtures/my-model --model gpt-4o-mini examples/*.txt
    # against the embedded local model (needs the [local] extra)
    python scripts/record_fixtures.py fixtures/local-smollm2 --backend local --model smollm2-135m-instruct
    # the hand-written fixtures the suite replays (fixtures/synthetic): served by the loopback
    # fake server from fixtures/synthetic/answers/NAME.json, then labelled synthetic
    python scripts/record_fixtures.py fixtures/synthetic --synthetic

Every exchange, re-asks included, becomes one file named by the request hash. No header is
ever written, so no key can leak into a fixture.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHY = (
    "written by hand for the test suite: a correct answer for the bundled example article, "
    "served by the loopback fake server, so replay tests check grounding and the output "
    "contract with known expected values"
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("articles", nargs="*", type=Path, default=[ROOT / "examples" / "iran-missiles-russia.txt"])
    ap.add_argument("--model")
    ap.add_argument("--base-url")
    ap.add_argument("--backend", default=None)
    ap.add_argument("--synthetic", action="store_true", help="serve answers/NAME.json from the fake server")
    args = ap.parse_args()

    from summarizer.api import summarize
    from summarizer.errors import SummarizerError

    server = None
    options: dict[str, object] = {"record_dir": args.out}
    if args.synthetic:
        from summarizer.testing.fake_openai import FakeOpenAI, Reply

        answers = {p.stem: json.loads(p.read_text("utf-8")) for p in (args.out / "answers").glob("*.json")}

        from summarizer.sentences import without_sentence_ids

        def answer(body: dict) -> Reply:
            user = without_sentence_ids(body["messages"][-1]["content"])
            for name, payload in answers.items():
                text = (ROOT / "examples" / f"{name}.txt").read_text("utf-8")
                if text in user:
                    return Reply(payload=payload, usage={"prompt_tokens": 1500, "completion_tokens": 300, "total_tokens": 1800})
            return Reply(status=404)

        server = FakeOpenAI(default=answer).start()
        options.update(base_url=server.url, api_key="synthetic")
    else:
        options.update({k: v for k, v in (("model", args.model), ("base_url", args.base_url), ("backend", args.backend)) if v})

    before = set(args.out.glob("*.json")) if args.out.is_dir() else set()
    failures = 0
    try:
        for path in args.articles:
            try:
                result = summarize(path.read_text("utf-8"), source=str(path), **options)  # type: ignore[arg-type]
                print(f"{path}: {len(result.quotes)} quotes, {len(result.sanctions_targets)} targets, "
                      f"{result.provenance.attempts} request(s)")
            except SummarizerError as err:
                failures += 1
                print(f"{path}: {err.one_line()}", file=sys.stderr)
    finally:
        if server is not None:
            server.stop()
    if args.synthetic:
        for path in set(args.out.glob("*.json")) - before:
            data = json.loads(path.read_text("utf-8"))
            data["meta"].update(synthetic=True, why=WHY, endpoint_host="127.0.0.1 (fake server)",
                                source="written by hand (fixtures/synthetic/answers), not a real model")
            path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
