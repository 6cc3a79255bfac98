#!/usr/bin/env python3
"""Write an OpenSanctions-sized FollowTheMoney JSON lines file for the screening benchmarks.

Synthetic (no real person or company): names are drawn with a seeded random generator from
tables of common given names, family names and company words (a third of the words) and from
tens of thousands of invented words (the long tail a real list has), so the same arguments
give the same file. Shaped like OpenSanctions' `entities.ftm.json`: Person / Company / Organization /
Vessel entities with `name` and `alias` properties, `datasets`, `last_seen`, and a Sanction
entity for every tenth target. Default: 300,000 entities with 1,000,000 names.

Run: python benchmarks/screening_gen_ftm.py OUT.ftm.json [--entities N] [--names M]
The file is not committed; the benchmarks write it under a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

GIVEN = ("Mohammad Ali Hassan Ahmad Olga Ivan Sergei Dmitry Maria Anna Wei Li Jun Kim Jose Juan Carlos Ana Luis "
         "Fatima Aisha Omar Yusuf Ibrahim Elena Natalia Pavel Alexei Viktor Igor Sofia Mehmet Ayse Emre Hiroshi "
         "Yuki Kenji Pedro Miguel Jorge Rafael Abdul Karim Reza Hossein Mahmoud Samir Nadia Leila Tariq").split()
FAMILY = ("Ivanov Petrov Smirnov Kuznetsov Popov Sokolov Lebedev Kozlov Novikov Morozov Hosseini Rezaei Mohammadi "
          "Ahmadi Karimi Rahimi Al-Masri Al-Tikriti Haddad Khoury Chen Wang Zhang Liu Yang Huang Zhao Wu Zhou Garcia "
          "Rodriguez Martinez Hernandez Lopez Gonzalez Perez Sanchez Ramirez Torres Yilmaz Kaya Demir Sahin Celik "
          "Tanaka Suzuki Takahashi Watanabe Kim Lee Park Choi Jung Kang").split()
WORDS = ("Global Trading Shipping Petro Energy Maritime Logistics General Industrial Star Ocean Gulf Eastern Western "
         "Northern Silk Road Holding Capital Investment Technology Aviation Air Metals Mining Chemical Engineering "
         "Construction Development Supply Services International Group United Alliance Pacific Atlantic Delta").split()
FORMS = ("LLC", "Ltd", "Co., Ltd.", "JSC", "GmbH", "FZE", "S.A.", "DOO", "Limited", "Company")
SYLLABLES = ("ab ad al am an ar as ba be bi bo da de di do el em en er es fa fe fi ga ge gi go ha he hi ho ib id "
             "il im in ir is ka ke ki ko la le li lo ma me mi mo na ne ni no ol om on or os pa pe pi po ra re ri ro "
             "sa se si so ta te ti to ul um un ur us va ve vi vo ya ye yo za ze zi zo").split()


def _invented(rng: random.Random, n: int, parts: tuple[int, ...]) -> list[str]:
    """`n` distinct invented name words (a long tail, as real lists have)."""
    out: set[str] = set()
    while len(out) < n:
        out.add("".join(rng.choice(SYLLABLES) for _ in range(rng.choice(parts))).capitalize())
    return sorted(out)


_VOCAB = random.Random(1)
GIVEN = GIVEN + _invented(_VOCAB, 3_000, (2, 3))  # common names stay common; most are rare
FAMILY = FAMILY + _invented(_VOCAB, 60_000, (2, 3, 4))
WORDS = WORDS + _invented(_VOCAB, 20_000, (2, 3))

PROGRAMS = ("US-IRAN", "US-SDGT", "US-RUS-EO14024", "EU-RUS", "GB-RUS", "US-VEN", "UN-1718")


def _pick(rng: random.Random, words: list[str], common: int) -> str:
    """A word: one of the first `common` (the real names above) a third of the time, else any."""
    return rng.choice(words[:common]) if rng.random() < 0.33 else rng.choice(words)


def person(rng: random.Random) -> str:
    given = " ".join(_pick(rng, GIVEN, 50) for _ in range(rng.choice((1, 1, 2))))
    return f"{given} {_pick(rng, FAMILY, 55)}"


def company(rng: random.Random) -> str:
    return " ".join(_pick(rng, WORDS, 36) for _ in range(rng.choice((2, 3)))) + " " + rng.choice(FORMS)


def write(path: Path, entities: int = 300_000, names: int = 1_000_000, seed: int = 24) -> tuple[int, int]:
    """Write the file; returns (entities, names) written."""
    rng = random.Random(seed)
    extra = names - entities  # aliases to spread over the entities
    written_names = 0
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(entities):
            schema = rng.choices(("Person", "Company", "Organization", "Vessel"), (55, 35, 6, 4))[0]
            make = person if schema == "Person" else company
            if schema == "Vessel":
                make = lambda r: f"{r.choice(WORDS).upper()} {r.randint(1, 99)}"  # noqa: E731
            n_alias = min(extra, rng.choice((1, 2, 2, 3, 4))) if extra > 0 and i < entities - 1 else max(extra, 0)
            extra -= n_alias
            primary = make(rng)
            aliases = [make(rng) if rng.random() < 0.3 else primary.upper() if j == 0 else make(rng) for j in range(n_alias)]
            written_names += 1 + n_alias
            entity = {
                "id": f"NK-gen{i:07d}",
                "schema": schema,
                "caption": primary,
                "properties": {"name": [primary], "alias": aliases},
                "datasets": ["synthetic"],
                "first_seen": "2022-01-01T00:00:00",
                "last_seen": "2024-05-03T00:00:00",
                "target": True,
            }
            if schema == "Vessel":
                entity["properties"]["imoNumber"] = [f"IMO{9000000 + i}"]
            fh.write(json.dumps(entity, ensure_ascii=False) + "\n")
            if i % 10 == 0:
                fh.write(json.dumps({"id": f"NK-san{i:07d}", "schema": "Sanction",
                                     "properties": {"entity": [entity["id"]], "programId": [rng.choice(PROGRAMS)]}}) + "\n")
    return entities, written_names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--entities", type=int, default=300_000)
    parser.add_argument("--names", type=int, default=1_000_000)
    args = parser.parse_args()
    n, m = write(args.out, args.entities, args.names)
    print(f"{args.out}: {n} entities, {m} names, {args.out.stat().st_size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
