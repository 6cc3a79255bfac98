#!/usr/bin/env python3
"""`summarizer render` at scale: 10,000 generated articles naming about 50,000 distinct parties.

Each article is a generated text with a grounded result (exact offsets): three sanctions targets,
three quotes with their speakers, two allegations (accuser, accused), an imposer; names drawn
from a pool so that most parties are named once and some in many articles. The result carries
its `text` (as for HTML input), so no source file is looked up.

Every measure runs in a fresh process (peak RSS is the process's own), in the same run as its
ideal: reading the JSONL alone (read each line and parse its JSON), and reading it as results
(also validate each line as an ArticleSummary, which every render must do). Then the review site
(`render -o DIR`: a page per article, the index, the parties and allegations pages), CSV rows,
the parties as CSV, and the FollowTheMoney export; the site's largest page and its size; and
the time Chromium takes to open the index and the parties page (navigation start to the end of
the load event, which includes drawing the first page of the table). Ratios are of CPU time
(the machine is shared; wall time is printed too) and of peak RSS.

Run: python benchmarks/render_scale.py [N]   (N articles, default 10000)
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KINDS = ("person", "organization", "vessel", "organization", "person")
STATUSES = ("alleged", "claimed", "denied", "confirmed", "charged", "alleged")
WORDS = ("Amber", "Baltic", "Cobalt", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Indigo", "Juniper",
         "Kestrel", "Lumen", "Meridian", "Nimbus", "Orion", "Pioneer", "Quartz", "Raven", "Sierra", "Tundra")
FIRST = ("Ali", "Maria", "Ivan", "Chen", "Fatima", "John", "Olga", "Pedro", "Amir", "Sara", "Yusuf", "Lena")
LAST = ("Karimi", "Petrov", "Santos", "Okafor", "Novak", "Haddad", "Kowalski", "Tanaka", "Moreau", "Rossi")


POOL = {"person": 5, "organization": 3, "vessel": 1}  # distinct names per kind, per article of the batch


def _name(rng: random.Random, pool: int, kind: str) -> str:
    """A name from `POOL[kind] * pool` distinct names; low numbers are drawn more often, so some
    parties are named in many articles and most in one or two (about 50,000 for 10,000 articles)."""
    pool *= POOL[kind]
    n = int(rng.paretovariate(1.2)) % pool if rng.random() < 0.3 else rng.randrange(pool)
    if kind == "person":
        return f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]} {n:05d}"
    suffix = {"vessel": "Star", "organization": "Trading LLC"}[kind]
    return f"{WORDS[n % len(WORDS)]} {WORDS[(n // 20) % len(WORDS)]} {n:05d} {suffix}"


def _article(i: int, rng: random.Random, pool: int) -> dict[str, object]:
    """One generated article and its grounded result, as a batch line."""
    parts: list[str] = [f"Headline {i}: regulators act on shipping networks\n\n"]

    def put(text: str) -> dict[str, object]:
        start = sum(map(len, parts))
        parts.append(text)
        return {"start": start, "end": start + len(text), "text": text}

    def say(text: str) -> None:
        parts.append(text)

    targets, quotes, allegations = [], [], []
    imposer = "Treasury" if i % 2 else "the Council"
    for _ in range(3):
        kind = rng.choice(KINDS)
        name = _name(rng, pool, kind)
        say("Officials said that ")
        mention = put(name)
        say(f" was designated on Tuesday by {imposer} for moving oil and money across borders. ")
        targets.append({"name": name, "kind": kind, "country": None, "imposed_by": None, "mention": mention})
    say("\n\n")
    for q in range(3):
        speaker = _name(rng, pool, "person")
        say("\u201c")
        quote = put(f"We will keep acting against these networks, case {i}-{q},")
        say("\u201d said ")
        named = put(speaker)
        say(". ")
        quotes.append({"text": quote["text"], "speaker": speaker, "start": quote["start"], "end": quote["end"],
                       "speaker_mention": named})
    say("\n\n")
    for a in range(2):
        accuser, accused = _name(rng, pool, "organization"), _name(rng, pool, "person")
        start = sum(map(len, parts))
        by = put(accuser)
        say(" allegedly said that ")
        against = put(accused)
        say(f" helped the network evade sanctions in {2015 + a}.")
        evidence = "".join(parts)[start:]
        allegations.append({"claim": f"{accused} helped the network evade sanctions.", "alleged_by": accuser,
                            "alleged_by_mention": by, "against": accused, "against_mention": against,
                            "status": rng.choice(STATUSES), "hedge": "allegedly",
                            "evidence": {"start": start, "end": start + len(evidence), "text": evidence}})
        say(" ")
    say("\n\nThe rest of the article gives background on the programmes and earlier cases. " * 8)
    text = "".join(parts)
    result = {
        "summary": f"Regulators designated three parties in article {i}.",
        "summary_sentences": [], "allegations": allegations, "sanctions_targets": targets, "quotes": quotes,
        "provenance": {"model": "generated", "backend": "rules", "prompt_sha256": "0" * 64, "schema_sha256": "0" * 64,
                       "input_sha256": f"{i:064x}", "attempts": 1, "usage": {}, "elapsed_s": 0.0,
                       "source": f"https://news.example/{i}"},
        "text": text,
    }
    return {"id": f"{i:05d}_story.html", "ok": True, "result": result}


def generate(path: Path, n: int) -> None:
    rng = random.Random(7)
    pool = max(50, n)
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(n):
            handle.write(json.dumps(_article(i, rng, pool), ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------- one measure per process


def _one(name: str, batch: Path, dest: Path) -> dict[str, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    if name == "read":
        with open(batch, "rb") as handle:
            for raw in handle:
                json.loads(raw)
    elif name == "validate":
        from summarizer.schema import ArticleSummary

        with open(batch, "rb") as handle:
            for raw in handle:
                ArticleSummary.model_validate(json.loads(raw)["result"])
    else:
        from summarizer.render.batchfile import open_batch
        from summarizer.render.dest import OutputDir, output_file
        from summarizer.render.many import render_pages, render_stream

        with open_batch(batch) as b:
            if name == "site":
                report = render_pages(b, "html", OutputDir(dest, "html"))
            else:
                fmt = {"csv": "csv", "parties": "parties-csv", "ftm": "ftm"}[name]
                with output_file(dest, batch, bom=fmt != "ftm") as sink:
                    report = render_stream(b, fmt, sink)
        assert report.articles > 0
    return {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0,
            "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _measure(name: str, batch: Path, dest: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--one", name, str(batch), str(dest)], capture_output=True,
                         text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _open_time(page: Path) -> float:
    """Milliseconds from navigation start to the end of the load event in Chromium (median of 3)."""
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        for _ in range(3):
            tab = browser.new_page(viewport={"width": 1280, "height": 900})
            tab.goto(page.as_uri(), wait_until="load")
            assert tab.evaluate("document.querySelectorAll('table.data tbody tr').length") > 0
            times.append(tab.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"))
            tab.close()
        browser.close()
    return sorted(times)[1]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        batch = work / "out.jsonl"
        generate(batch, n)
        print(f"{n:,} articles, batch file {batch.stat().st_size / 1e6:.0f} MB")
        rows = {}
        for name in ("read", "validate", "site", "csv", "parties", "ftm"):
            dest = work / {"site": "site", "csv": "rows.csv", "parties": "parties.csv", "ftm": "e.ftm.json"}.get(name, "x")
            rows[name] = _measure(name, batch, dest)
        site = work / "site"
        files = [p for p in site.iterdir() if p.is_file()]
        largest = max(files, key=lambda p: p.stat().st_size)
        parties = sum(1 for _ in open(work / "parties.csv", encoding="utf-8-sig")) - 1
        read, valid = rows["read"], rows["validate"]
        print(f"{'measure':<50} {'wall':>7} {'CPU':>7} {'x read':>7} {'x valid':>8} {'peak RSS':>9} {'x read':>7}")
        for name, label in (("read", "ideal: read the JSONL (+ json.loads)"),
                            ("validate", "ideal: read + validate as results"),
                            ("site", "review site (pages, index, parties, allegations)"),
                            ("csv", "CSV rows"), ("parties", f"parties CSV ({parties:,} parties)"),
                            ("ftm", "FtM entities (two passes)")):
            r = rows[name]
            print(f"{label:<50} {r['seconds']:>6.1f}s {r['cpu']:>6.1f}s {r['cpu'] / read['cpu']:>6.1f}x "
                  f"{r['cpu'] / valid['cpu']:>7.1f}x {r['rss_mib']:>6.0f} MiB {r['rss_mib'] / read['rss_mib']:>6.1f}x")
        total = sum(p.stat().st_size for p in files)
        print(f"site: {len(files):,} files, {total / 1e6:.0f} MB; largest {largest.name} "
              f"{largest.stat().st_size / 1e6:.2f} MB; index.html {(site / 'index.html').stat().st_size / 1e6:.2f} MB, "
              f"parties.html {(site / 'parties.html').stat().st_size / 1e6:.2f} MB, "
              f"allegations.html {(site / 'allegations.html').stat().st_size / 1e6:.2f} MB")
        try:
            print(f"Chromium: index.html opens in {_open_time(site / 'index.html'):.0f} ms, "
                  f"parties.html in {_open_time(site / 'parties.html'):.0f} ms (navigation start to load end)")
        except ImportError:
            print("Chromium: playwright not installed, open times not measured")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        print(json.dumps(_one(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))))
    else:
        main()
