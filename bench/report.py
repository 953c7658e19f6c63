"""The results table of the HTTP benchmarks (bench/catalogue.py, bench/million.py): a header of the
date, machine, database and mode, one row per kind of request, and what the CPU columns mean."""
from __future__ import annotations

import os
from datetime import datetime
from datetime import timezone as dt_timezone

CPU_NOTE = ("cpu ms: CPU time of the gunicorn workers and their PostgreSQL backends per request (parallel query "
            "workers not counted); it depends much less than the latencies on what else runs on the machine. "
            "app ms: the gunicorn workers' part of it (the application's CPU, without PostgreSQL's).")


def _ms(value) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def print_results(*, machine: str, database: str, mode: str, kinds, results, queries, load_before: float) -> None:
    """Prints the header lines, then for each (name, path template) of `kinds` its row of `results`
    (rps, p50, p95, p99, errors, cpu_ms, app_cpu_ms) with the query count and status of one request
    from `queries`, then CPU_NOTE."""
    print()
    print(f"date:      {datetime.now(dt_timezone.utc):%Y-%m-%d %H:%M} UTC, 1-minute load average "
          f"{load_before:.1f} before the run, {os.getloadavg()[0]:.1f} after")
    print(f"machine:   {machine}")
    print(f"database:  {database}")
    print(f"mode:      {mode}")
    print()
    width = max([16, *(len(name) for name, _template in kinds)])
    header = (f"{'kind':<{width}} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'queries':>8} "
              f"{'cpu ms':>7} {'app ms':>7}  path")
    print(header)
    print("-" * len(header))
    for name, template in kinds:
        row = results[name]
        count, status = queries[name]
        print(f"{name:<{width}} {row['rps']:>8.1f} {row['p50']:>8.1f} {row['p95']:>8.1f} {row['p99']:>8.1f} "
              f"{row['errors']:>7} {count:>8} {_ms(row.get('cpu_ms')):>7} {_ms(row.get('app_cpu_ms')):>7}  {template}"
              + ("" if status == 200 else f"  (status {status})"))
    print()
    print(CPU_NOTE)
