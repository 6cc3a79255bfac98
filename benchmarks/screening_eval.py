#!/usr/bin/env python3
"""Precision and recall of screening on the development articles, against the full SDN list.

1. Gold sanctions targets (tests/articles/*.gold.json, with their kinds) are screened against
   OFAC's SDN list of 3 May 2024. `EXPECTED` says, by hand, which SDN entry each gold target
   is (found by reading the list; None when the target is not on it: countries, the EU).
   Recall = gold targets on the list whose entry was found / gold targets on the list.
   Precision = hits that are the expected entry / all hits. Every other hit is a false match.
2. The other named parties of the same articles (speakers, accusers, accused: people and
   institutions that are not sanctions targets) are screened with no kind, as `--screen-all`
   does for speakers. None of them is on the SDN list, so every hit is a false match.
Run: python benchmarks/screening_eval.py [sdn.csv] (writes benchmarks/results/screening-eval.json)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ../shared beside the checkout (a worktree one level deeper finds it one level up)
DEFAULT_LIST = next(
    (p for p in (r / "shared" / "lists" / "ofac-sdn-2024-05-03.csv" for r in (ROOT.parent, ROOT.parent.parent)) if p.is_file()),
    ROOT.parent / "shared" / "lists" / "ofac-sdn-2024-05-03.csv",
)
ARTICLES = ROOT / "tests" / "articles"

EXPECTED: dict[str, str | None] = {
    "Abdolhossein Khedri": "28103",
    "Khedri Jahan Darya Co": "28104",
    "Maritime Silk Road LLC": "28107",
    "Genava 11": "28106",
    "Genava 12": "28105",
    "Gatewick LLC": "28124",
    "Jahan Destination Travel and Tourism LLC": "28108",
    "Gomei Air Services Co., Ltd.": "28110",
    "Mahan Air": "12927",
    "Iran Air": "25237",
    "Russland": None,
    "Europäische Union": None,
    "Sudan": None,
    # the development articles 06-15
    "Consorcio Venezolano de Industrias Aeronáuticas y Servicios Aéreos, S.A.": "28230",
    "Syria": None,
    "Mikhail Fridman": "44291",
    "Petr Aven": "44290",
    "German Khan": "44292",
    "Mikhail Mishustin": "35282",
    "Sergei Shoigu": "35173",
    "Dmitry Medvedev": "36407",
    "Dmitry Peskov": "35320",
    "Maria Zakharova": "37509",
    "Internet Research Agency": "23943",
    "Akhilesh Kumar": "27305",
    "Adrian Darya 1": "27304",
    "John Mark Dougan": None,  # EU-listed (2024-12), not on OFAC's SDN of May 2024
    "Jacques Baud": None,
    "Xavier Moreau": None,
}
# Spellings the gold notes accept for the same targets ("Aliases in the text").
ALIASES = {"Khedri Jahan Darya Co.": "28104", "Khedri": "28103", "Gomei Air Services": "28110"}
# Named parties of the development articles that are not sanctions targets (from the gold
# speakers, accusers and accused, descriptions stripped to the names the articles print).
OTHERS = [
    "Steven T. Mnuchin", "U.S. Treasury", "Charles Simpson", "Farhan Aziz Haq", "Omar Lamrani", "Sean Robertson",
    "The Pentagon", "Polygraph.info", "Dmitri Peskow", "Han Dong-hoon", "Lee Jae-myung", "Margie Kim",
    "Vedant Patel", "Yoon Suk Yeol", "Kim Yong-hyun", "Lee Sang-min", "Eric Reeves", "International Criminal Court",
    "Omar Hassan al-Bashir", "Antony Blinken", "David Lammy", "U.S. State Department",
]


def main() -> None:
    from summarizer.screening import index as index_mod
    from summarizer.screening.match import DEFAULT_THRESHOLD, screen_name

    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_LIST
    index = index_mod.load(path)
    gold: list[tuple[str, str, str]] = []
    for f in sorted(ARTICLES.glob("*.gold.json")):
        for t in json.loads(f.read_text("utf-8"))["sanctions_targets"]:
            gold.append((f.name.split(".")[0], t["name"], t["kind"]))
    queries = [(a, n, k, EXPECTED[n]) for a, n, k in gold]
    kinds = {n: k for _, n, k in gold}
    queries += [("(alias in the gold note)", n, kinds.get("Khedri Jahan Darya Co") if e == "28104" else
                 ("person" if e == "28103" else "organization"), e) for n, e in ALIASES.items()]
    rows, false_matches = [], []
    found = on_list = correct_hits = all_hits = 0
    for article, name, kind, expected in queries:
        hits = screen_name(index, name, kind)
        all_hits += len(hits)
        ok = [h for h in hits if h.entry_id == expected]
        correct_hits += len(ok)
        if expected is not None:
            on_list += 1
            found += bool(ok)
        for h in hits:
            if h.entry_id != expected:
                false_matches.append({"query": name, "kind": kind, "entry_id": h.entry_id, "name": h.name,
                                      "score": h.score, "why": h.why})
        rows.append({"article": article, "name": name, "kind": kind, "expected": expected,
                     "hits": [(h.entry_id, h.name, h.score) for h in hits]})
    sweep = {}
    for t in (0.7, 0.75, 0.8, 0.85, 0.9):  # a higher threshold only drops hits below it
        kept = [(r["expected"], [h for h in r["hits"] if h[2] >= t]) for r in rows]
        n_hits = sum(len(h) for _, h in kept)
        n_ok = sum(1 for e, h in kept for x in h if x[0] == e)
        n_found = sum(1 for e, h in kept if e is not None and any(x[0] == e for x in h))
        sweep[str(t)] = {"recall": n_found / on_list, "precision": n_ok / n_hits if n_hits else None,
                         "false_matches": n_hits - n_ok}
    other_hits = []
    for name in OTHERS:
        for h in screen_name(index, name, None):
            other_hits.append({"query": name, "entry_id": h.entry_id, "name": h.name, "score": h.score, "why": h.why})
    report = {
        "list": str(path.name), "entries": len(index.entries), "threshold": DEFAULT_THRESHOLD,
        "targets": {"queries": len(queries), "on_list": on_list, "found": found,
                    "recall": found / on_list if on_list else None,
                    "hits": all_hits, "correct_hits": correct_hits,
                    "precision": correct_hits / all_hits if all_hits else None,
                    "false_matches": false_matches, "rows": rows},
        "threshold_sweep": sweep,
        "other_parties": {"queries": len(OTHERS), "false_matches": other_hits},
    }
    out = ROOT / "benchmarks" / "results" / "screening-eval.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    t = report["targets"]
    print(f"gold targets: {t['queries']} queries, {on_list} on the list, {found} found: recall {t['recall']:.2f}")
    print(f"hits: {all_hits}, correct {correct_hits}: precision {t['precision']:.2f}; false matches {len(false_matches)}")
    for fm in false_matches:
        print(f"  false: {fm['query']!r} -> {fm['entry_id']} {fm['name']} {fm['score']}: {fm['why']}")
    for r in rows:
        if r["expected"] and r["expected"] not in [h[0] for h in r["hits"]]:
            print(f"  missed: {r['name']!r} (expected {r['expected']})")
    for t, v in sweep.items():
        print(f"  threshold {t}: recall {v['recall']:.2f}, precision {v['precision']:.2f}, false matches {v['false_matches']}")
    print(f"other named parties: {len(OTHERS)} names, {len(other_hits)} false matches")
    for fm in other_hits:
        print(f"  false: {fm['query']!r} -> {fm['entry_id']} {fm['name']} {fm['score']}: {fm['why']}")


if __name__ == "__main__":
    main()
