"""Recording helpers, shipped with the package: record articles, write synthetic fixtures, and
say what a recordings directory holds.

    # record the exchanges of some articles against the provider of the environment
    python -m summarizer.testing.recording record tests/recordings article1.txt article2.html
    python -m summarizer.testing.recording record tests/recordings *.txt --model gpt-4o-mini --new-only
    # hand-written answers (ANSWERS/NAME.json answers the article NAME.txt), served by the
    # loopback fake server and labelled synthetic
    python -m summarizer.testing.recording record fixtures/synthetic article.txt --synthetic answers/
    # what the hash-named files are: article, model, settings, when recorded
    python -m summarizer.testing.recording list tests/recordings

From Python: `record(paths, directory, model=..., ...)` takes any `summarize()` option. Every
exchange, re-asks included, becomes one file named by the request hash; no header is ever
written, so no key can reach a fixture.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..transports.inventory import inventory

SYNTHETIC_USAGE = {"prompt_tokens": 1500, "completion_tokens": 300, "total_tokens": 1800}


@dataclass
class Outcome:
    """What recording one article did."""

    path: Path
    result: Any = None  # an ArticleSummary
    error: str | None = None
    files: tuple[Path, ...] = ()  # fixture files written (or rewritten) for it

    def line(self) -> str:
        if self.error is not None:
            return f"{self.path}: {self.error}"
        r = self.result
        return (
            f"{self.path}: {len(r.quotes)} quotes, {len(r.sanctions_targets)} targets, "
            f"{r.provenance.attempts} request(s), {len(self.files)} file(s) written"
        )


def record(
    articles: Iterable[Path | str], directory: Path, *, new_only: bool = False, **options: Any
) -> list[Outcome]:
    """Summarize each article file with its exchanges recorded into `directory`.

    `new_only` replays what is already recorded and records only the missing exchanges (the
    "new_episodes" record mode). `options` are `summarize()` options (model, base_url, backend,
    api_key...); unset ones come from the environment, as in the CLI. An article that fails is
    reported in its Outcome; the others are still recorded.
    """
    from ..api import summarize
    from ..errors import SummarizerError
    from ..inputs import read_article

    directory.mkdir(parents=True, exist_ok=True)
    options = {**options, "record_dir": directory, "record_mode": "new_episodes" if new_only else "all"}
    outcomes = []
    for raw in articles:
        path = Path(raw)
        before = _stamps(directory)
        try:
            article = read_article(str(path))
            result = summarize(article, **options)
            outcome = Outcome(path, result=result)
        except SummarizerError as err:
            outcome = Outcome(path, error=err.one_line())
        after = _stamps(directory)
        outcome.files = tuple(sorted(p for p, stamp in after.items() if before.get(p) != stamp))
        outcomes.append(outcome)
    return outcomes


def _stamps(directory: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in directory.glob("*.json")}


@contextmanager
def synthetic_server(answers: dict[str, Any], usage: dict[str, int] | None = None) -> Iterator[str]:
    """A loopback fake OpenAI server that answers each article with its hand-written answer.

    `answers` maps an article's text to the answer payload (the model-facing extraction). The
    base URL is yielded; a request for an article with no answer gets a 404.
    """
    from ..grounding.sentences import without_sentence_ids
    from .server import FakeOpenAI, Reply

    def answer(body: dict[str, Any]) -> Reply:
        user = without_sentence_ids(str(body["messages"][-1]["content"]))
        for text, payload in answers.items():
            if text in user:
                return Reply(payload=payload, usage=dict(usage or SYNTHETIC_USAGE))
        return Reply(status=404)

    with FakeOpenAI(default=answer) as server:
        yield server.url


def label_synthetic(files: Iterable[Path], why: str, source: str = "written by hand, not a real model") -> None:
    """Mark fixtures as written by hand (`"synthetic": true`, why, where from)."""
    for path in files:
        data = json.loads(path.read_text("utf-8"))
        data["meta"].update(synthetic=True, why=why, endpoint_host="127.0.0.1 (fake server)", source=source)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")


def record_synthetic(
    articles: Sequence[Path], answers_dir: Path, directory: Path, why: str, **options: Any
) -> list[Outcome]:
    """Record `articles` against hand-written answers (`answers_dir/NAME.json` answers the
    article whose file stem is NAME), and label the new fixtures synthetic."""
    from ..inputs import read_article

    answers = {}
    for path in articles:
        answer = answers_dir / f"{Path(path).stem}.json"
        if answer.is_file():
            answers[read_article(str(path)).text] = json.loads(answer.read_text("utf-8"))
    with synthetic_server(answers) as url:
        outcomes = record(articles, directory, base_url=url, api_key="synthetic", **options)
    label_synthetic(
        (f for o in outcomes for f in o.files),
        why,
        source=f"written by hand ({answers_dir}), not a real model",
    )
    return outcomes


def describe_directory(directory: Path) -> list[str]:
    """One line per recording, oldest first: when, model, settings, article, file."""
    lines = []
    for r in inventory(directory):
        q = r.request
        tag = " synthetic" if r.synthetic else ""
        lines.append(
            f"{r.recorded_at}{tag}  {q.model}  {q.settings()}, {q.messages} messages  "
            f"{q.part} \u201c{q.first_words()}\u201d sha256 {q.sha256[:16]}  {r.file.name}"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m summarizer.testing.recording record|list ...`; exit 1 when an article failed."""
    ap = argparse.ArgumentParser(prog="python -m summarizer.testing.recording", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="record the model exchanges of some articles")
    rec.add_argument("directory", type=Path)
    rec.add_argument("articles", nargs="+", type=Path)
    rec.add_argument("--model")
    rec.add_argument("--base-url")
    rec.add_argument("--provider", help="a provider by name (summarizer providers): its endpoint and its own key")
    rec.add_argument("--backend")
    rec.add_argument("--new-only", action="store_true", help="record only exchanges not recorded yet")
    rec.add_argument("--synthetic", type=Path, metavar="ANSWERS",
                     help="answer from hand-written ANSWERS/NAME.json through a loopback fake server")
    rec.add_argument("--why", default="hand-written answers for tests", help="why the synthetic fixtures exist")
    lst = sub.add_parser("list", help="what a recordings directory holds")
    lst.add_argument("directory", type=Path)
    args = ap.parse_args(argv)

    if args.command == "list":
        for line in describe_directory(args.directory):
            print(line)
        return 0
    given = (("model", args.model), ("base_url", args.base_url), ("provider", args.provider), ("backend", args.backend))
    options = {k: v for k, v in given if v}
    if args.synthetic is not None:
        outcomes = record_synthetic(args.articles, args.synthetic, args.directory, args.why, new_only=args.new_only, **options)
    else:
        outcomes = record(args.articles, args.directory, new_only=args.new_only, **options)
    for o in outcomes:
        print(o.line(), file=sys.stderr if o.error else sys.stdout)
    return 1 if any(o.error for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
