#!/usr/bin/env python
"""How fast are bank statements read?

Builds a camt.053 (version .001.08) and an MT940 statement of N entries in memory, with the
builders of the tests, and times statements.parsers.parse_statement on each: the best of R runs,
entries per second, and the file size. Needs no database.

    .venv/bin/python bench/statements_parse.py --entries 10000 --runs 3
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from statements.parsers import parse_statement  # noqa: E402
from tests.statements.builders import camt053_many, mt940_many  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for name, build in (("camt.053", camt053_many), ("MT940", mt940_many)):
        data = build(args.entries)
        timings = []
        for _ in range(max(args.runs, 1)):
            start = time.perf_counter()
            statement = parse_statement(data)
            timings.append(time.perf_counter() - start)
        assert len(statement.entries) == args.entries, (name, len(statement.entries))
        best = min(timings)
        print(f"{name:9} {args.entries:>7} entries  {len(data) / 1024 / 1024:6.2f} MB  best {best:6.3f} s  "
              f"{args.entries / best:>9,.0f} entries/s")


if __name__ == "__main__":
    main()
