#!/usr/bin/env python3
"""Re-record the test suite's fixtures: a thin wrapper over `summarizer.testing.recording`
(shipped in the package; `python -m summarizer.testing.recording --help` for your own).

    # against a real endpoint (OPENAI_API_KEY / --base-url as for `summarizer summarize`)
    python scripts/record_fixtures.py fixtures/my-model --model gpt-4o-mini examples/*.txt
    # against the embedded local model (needs the [local] extra)
    python scripts/record_fixtures.py fixtures/local-smollm2 --backend local --model smollm2-135m-instruct
    # the hand-written fixtures the suite replays (fixtures/synthetic): served by the loopback
    # fake server from fixtures/synthetic/answers/NAME.json, then labelled synthetic
    python scripts/record_fixtures.py fixtures/synthetic --synthetic

Articles default to the bundled example.
"""

from __future__ import annotations

import argparse
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
    ap.add_argument("--backend")
    ap.add_argument("--synthetic", action="store_true", help="serve OUT/answers/NAME.json from the fake server")
    args = ap.parse_args()

    from summarizer.testing.recording import main as recording

    argv = ["record", str(args.out), *map(str, args.articles)]
    argv += [x for flag, v in (("--model", args.model), ("--base-url", args.base_url), ("--backend", args.backend)) if v for x in (flag, v)]
    if args.synthetic:
        argv += ["--synthetic", str(args.out / "answers"), "--why", WHY]
    return recording(argv)


if __name__ == "__main__":
    sys.exit(main())
