#!/usr/bin/env python
"""Peak memory and speed of ``import_responses`` on big files.

    DJANGO_DEBUG=1 .venv/bin/python bench/import_memory.py [--rows 1000000 5000000]

For each row count it writes, in a temporary directory, a responses CSV of
respondents who each rate all 61 benefit nodes on both scales (122 rows per
respondent, about 4% "Don't know"), creates a fresh SQLite database there
(migrate, load_taxonomy), then runs ``manage.py import_responses`` on it as a
child process and prints the child's peak resident memory (``ru_maxrss``,
from ``os.wait4``: that process alone, Django's own ~60 MB included), the
file's size, the time and the rows per second. Everything it made is deleted
at the end. With ``--bad-line N`` the file has a bad value on line N
(the import must stop there, holding as little).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
# Every path in taxonomy order, from the database just loaded.
PATHS = "from taxonomy.selectors import benefits_in_tree_order; print(*(b.path for b in benefits_in_tree_order()))"


def write_csv(path: Path, paths: list[str], rows: int, bad_line: int | None) -> int:
    """A file of about ``rows`` data rows (whole respondents); returns the exact count."""
    respondents = max(1, rows // (2 * len(paths)))
    rng = random.Random(7)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("respondent,benefit,dimension,value\n")
        for r in range(respondents):
            lines = []
            for p in paths:
                for dimension in ("importance", "realization"):
                    value = "" if rng.random() < 0.04 else str(rng.randint(1, 5))
                    count += 1
                    if count + 1 == bad_line:
                        value = "7"
                    lines.append(f"r{r:07d},{p},{dimension},{value}\n")
            f.write("".join(lines))
    return count


def run(env: dict, *args: str, quiet: bool = False) -> tuple[int, float, float]:
    """Run ``manage.py args`` as a child: its exit status, peak RSS in MB and wall time in seconds."""
    start = time.perf_counter()
    stderr = subprocess.DEVNULL if quiet else None
    proc = subprocess.Popen([PY, "manage.py", *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--bad-line", type=int, default=None, help="put a bad value on this line")
    options = parser.parse_args()
    for rows in options.rows:
        with tempfile.TemporaryDirectory(prefix="hp-import-bench-") as tmp:
            tmp = Path(tmp)
            env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}", "DJANGO_DEBUG": "1"}
            for step in (("migrate", "--no-input", "-v", "0"), ("load_taxonomy", "-v", "0")):
                if run(env, *step, quiet=True)[0] != 0:
                    raise SystemExit(f"{' '.join(step)} failed")
            listing = subprocess.run(
                [PY, "manage.py", "shell", "-v", "0", "-c", PATHS],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            csv_path = tmp / "responses.csv"
            count = write_csv(csv_path, listing.stdout.split(), rows, options.bad_line)
            size = csv_path.stat().st_size / 2**20
            args = ("import_responses", str(csv_path), "--organization", "Bench Org", "--assessment", "Memory")
            status, peak, elapsed = run(env, *args)
            outcome = "imported" if status == 0 else f"refused (exit {status})"
            print(
                f"{count:>10,} rows ({size:,.0f} MB file): {outcome}, peak memory {peak:,.0f} MB, "
                f"{elapsed:.1f} s, {count / elapsed:,.0f} rows/s",
                flush=True,
            )


if __name__ == "__main__":
    main()
