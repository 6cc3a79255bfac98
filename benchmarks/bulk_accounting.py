"""What the batch engine's accounting costs on top of the pipeline itself.

    python benchmarks/bulk_accounting.py [--n 10000]

`--n` short articles (JSONL records, each with two quotations) are exported as a request file,
answered offline the way a batch engine would (one valid result line per request, shuffled),
and then:
- measured: `--import-results` through the engine, in-process: reading and matching the
  results file by custom id, running every article through the pipeline (instructor, the
  openai client, validation, grounding), writing OUT.jsonl, the tally;
- ideal (same run): the same pipeline calls alone, `Pipeline.run` with the same answers in
  memory and nothing else: no results file, no matching, no output file.
The machine is shared, so both are timed in process CPU time, interleaved slice by slice (the
ideal, then the engine on the same slice), best of `--runs` per slice, after a warm-up.
The difference is the accounting overhead, reported per 10,000 results. Nothing touches the
network; the export's own time is shown for reference.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.batch import expand_inputs  # noqa: E402
from summarizer.batch.engine.format import custom_id  # noqa: E402
from summarizer.batch.engine.rounds import Engine, Options  # noqa: E402
from summarizer.pipeline import Pipeline  # noqa: E402
from summarizer.settings import Settings  # noqa: E402
from summarizer.transports.base import chat_completion  # noqa: E402
from summarizer.transports.batch_answers import Answer, Answered, Asked, asking  # noqa: E402

OFFLINE = "http://batch-engine.invalid/v1"


def article(i: int) -> str:
    return (
        f'Officials met on day {i}. "We will hold them to account," said the minister. '
        f'The company denied it. "We did nothing wrong," a spokesperson said on day {i}.'
    )


PAYLOAD = {
    "summary": [{"text": "Officials promised to hold them to account; the company denied it.", "support": ["S2", "S3"]}],
    "allegations": [],
    "sanctions_targets": [],
    "quotes": [{"ref": "Q1", "speaker": "the minister"}, {"ref": "Q2", "speaker": "a spokesperson"}],
}


def _answer(body: dict[str, Any], cid: str) -> dict[str, Any]:
    return chat_completion(body, json.dumps(PAYLOAD), model=str(body.get("model")), ident=cid,
                           prompt_tokens=100, completion_tokens=50)


def measure(n: int, runs: int = 2, slice_size: int = 1000) -> dict[str, float]:
    """CPU seconds of the engine's import and of the pipeline alone, over the same `n` results.

    The machine is shared, so the two are interleaved slice by slice (`slice_size` results,
    the ideal then the engine, each slice its own results file and output file) and timed
    in process CPU time, best of `runs` per slice: load that comes and goes hits both alike.
    """
    settings = Settings.resolve(base_url=OFFLINE, api_key="not-needed")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        records = tmp / "in.jsonl"
        records.write_text("".join(json.dumps({"id": i, "text": article(i)}) + "\n" for i in range(n)))
        requests = tmp / "requests.jsonl"

        t0 = time.process_time()
        Engine(expand_inputs([str(records)]), tmp / "export.jsonl", settings, Options(export=requests),
               say=lambda m: None).run()
        export_s = time.process_time() - t0

        answers: dict[str, Answer] = {}
        lines: dict[int, str] = {}  # article id -> its result line (one request per article here)
        for raw in requests.read_bytes().splitlines():
            req = json.loads(raw)
            body = _answer(req["body"], req["custom_id"])
            answers[req["custom_id"]] = Answer(200, body)
            lines[int(req["custom_id"].split(".")[0])] = json.dumps({"id": f"r-{req['custom_id']}", "custom_id": req["custom_id"],
                                                  "response": {"status_code": 200, "request_id": "r", "body": body},
                                                  "error": None}) + "\n"

        summarizer = Pipeline(settings, transport=Answered())
        from summarizer.inputs import article_from_text

        all_records = records.read_text().splitlines(keepends=True)

        def ideal(ids: range) -> float:
            t0 = time.process_time()
            for i in ids:
                with asking(Asked(name=partial(custom_id, i), answers=answers)):
                    summarizer.run(article_from_text(article(i), f"{records}:{i + 1}"))
            return time.process_time() - t0

        def engine(ids: range, run: int) -> float:
            part = tmp / f"in-{ids.start}.jsonl"
            part.write_text("".join(all_records[i] for i in ids))
            mine = [lines[i] for i in ids]
            random.Random(ids.start).shuffle(mine)
            results = tmp / f"results-{ids.start}.jsonl"
            results.write_text("".join(mine))
            out = tmp / f"out-{ids.start}-{run}.jsonl"
            t0 = time.process_time()
            tally = Engine(expand_inputs([str(part)]), out, settings, Options(imports=[results]),
                           say=lambda m: None).run()
            elapsed = time.process_time() - t0
            assert tally.done == len(ids) and tally.failed == 0 and tally.pending == 0, tally
            assert sum(1 for _ in out.open("rb")) == len(ids)
            return elapsed

        warm = range(0, min(n, 100))
        ideal(warm)  # warm both paths (imports, pydantic and instructor caches)
        engine(warm, 0)
        ideal_s = import_s = 0.0
        for start in range(0, n, slice_size):
            ids = range(start, min(n, start + slice_size))
            ideal_s += min(ideal(ids) for _ in range(runs))
            import_s += min(engine(ids, r + 1) for r in range(runs))
        summarizer.close()
    return {"n": n, "export_s": export_s, "ideal_s": ideal_s, "import_s": import_s}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=2, help="best of this many runs of each slice")
    ap.add_argument("--slice", type=int, default=1000, help="results per interleaved slice")
    args = ap.parse_args()
    m = measure(args.n, args.runs, args.slice)
    scale = 10_000 / m["n"]
    print(f"results: {m['n']} (CPU seconds)")
    print(f"export of the requests:           {m['export_s']:.2f} s")
    print(f"pipeline alone (ideal):           {m['ideal_s']:.2f} s  ({m['ideal_s'] / m['n'] * 1000:.2f} ms/result)")
    print(f"import through the engine:        {m['import_s']:.2f} s  ({m['import_s'] / m['n'] * 1000:.2f} ms/result)")
    print(f"accounting overhead per 10,000:   {(m['import_s'] - m['ideal_s']) * scale:.2f} s "
          f"(ratio {m['import_s'] / m['ideal_s']:.2f}x)")


if __name__ == "__main__":
    main()
