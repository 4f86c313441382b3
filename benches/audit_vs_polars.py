#!/usr/bin/env python3
"""`crmclean audit` against the parse floor: the time python-polars needs just to parse the same
contacts and deals CSVs, measured side by side on one machine.

    pip install polars
    cargo build --release
    python3 benches/audit_vs_polars.py /tmp/gen1m            # the generator's 1M export
    python3 benches/audit_vs_polars.py /tmp/gen1m --runs 3 --out /tmp/audit-bench

The floor is `pl.read_csv(path, separator=…, infer_schema=False)` on the contacts and the deals
file, one after the other, in this process. The generator writes the contacts as Windows-1251,
which polars cannot decode; they are read with `encoding="utf8-lossy"`: the same bytes are
split into the same rows and cells, only the Cyrillic letters come out as U+FFFD. That is a
floor (polars does less than decoding), so the ratio is conservative. The separator is sniffed
from the header line (`;` or `,`), as crmclean does.

Then `crmclean audit DIR --out OUT --force --quiet` runs as a child process (every file of DIR:
contacts, deals, client base, managers); its wall time and peak RSS come from wait4. Each run
alternates floor and audit, so both see the same machine load. Prints every run, then the best
and the range, the ratio of the best times, the ratio of CPU times (user + system; on a shared
machine the wall ratio follows the neighbours' load), and audit's phase times (summary.json).
Peak RSS is printed in GB of 10^9 bytes.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def sniff_separator(path: Path) -> str:
    with open(path, "rb") as f:
        header = f.readline()
    return ";" if header.count(b";") > header.count(b",") else ","


def is_utf8(path: Path) -> bool:
    with open(path, "rb") as f:
        sample = f.read(1 << 20)
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as e:
        return e.start > len(sample) - 4  # a character cut at the end of the sample


def polars_floor(files):
    import polars as pl

    started = time.perf_counter()
    cpu_started = cpu_seconds(resource.RUSAGE_SELF)
    rows = []
    for path in files:
        encoding = "utf8" if is_utf8(path) else "utf8-lossy"
        frame = pl.read_csv(
            path,
            separator=sniff_separator(path),
            infer_schema=False,
            encoding=encoding,
        )
        rows.append(frame.height)
        del frame
    return time.perf_counter() - started, cpu_seconds(resource.RUSAGE_SELF) - cpu_started, rows


def cpu_seconds(who) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def audit(binary: Path, data: Path, out: Path, extra):
    started = time.perf_counter()
    child = subprocess.Popen(
        [str(binary), "--quiet", "audit", str(data), "--out", str(out), "--force", *extra],
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"crmclean audit exited {code}")
    cpu = usage.ru_utime + usage.ru_stime
    rss_gb = usage.ru_maxrss * 1024 / 1e9  # ru_maxrss is in KiB on Linux
    timings = json.loads((out / "summary.json").read_text())["timings_ms"]
    return wall, cpu, rss_gb, timings


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="export folder (contacts.csv, deals.csv, …)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, help="audit output folder (default: a temp dir)")
    parser.add_argument(
        "--binary",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "target" / "release" / "crmclean",
    )
    parser.add_argument("extra", nargs="*", help="more audit options, after --")
    args = parser.parse_args()

    files = [args.data / "contacts.csv", args.data / "deals.csv"]
    for f in files:
        if not f.is_file():
            sys.exit(f"{f}: missing (generate it: cargo run --release --example gen)")
    if args.out:
        measure(args, files, args.out)
    else:
        # The 1M export's outputs are 1.4 GB: not left behind in the temp folder.
        with tempfile.TemporaryDirectory(prefix="audit-bench-") as tmp:
            measure(args, files, Path(tmp))


def measure(args, files, out):
    floors, audits = [], []
    for run in range(1, args.runs + 1):
        floor, floor_cpu, rows = polars_floor(files)
        wall, cpu, rss, timings = audit(args.binary, args.data, out, args.extra)
        floors.append((floor, floor_cpu))
        audits.append((wall, cpu, rss, timings))
        print(
            f"run {run}: polars parse {floor:6.2f} s wall, {floor_cpu:6.2f} s CPU "
            f"({rows[0]} + {rows[1]} rows)   audit {wall:6.2f} s wall, {cpu:6.2f} s CPU, "
            f"{rss:.2f} GB peak RSS, phases {timings}   ratio {wall / floor:.2f}",
            flush=True,
        )

    walls = [f[0] for f in floors]
    best_floor = min(floors)
    best = min(audits, key=lambda a: a[0])
    audit_walls = [a[0] for a in audits]
    print()
    print(
        f"polars parse floor: {best_floor[0]:.2f} s (range {min(walls):.2f}–{max(walls):.2f}), "
        f"{best_floor[1]:.2f} s CPU"
    )
    print(
        f"crmclean audit:     {best[0]:.2f} s (range {min(audit_walls):.2f}–{max(audit_walls):.2f}), "
        f"{best[1]:.2f} s CPU, peak RSS {max(a[2] for a in audits):.2f} GB"
    )
    print(f"phases of the best run (ms): {best[3]}")
    print(f"ratio audit / parse floor: {best[0] / best_floor[0]:.2f} (target ≤ 5)")
    print(
        f"CPU-time ratio (less sensitive to other load on the machine): "
        f"{min(a[1] for a in audits) / min(f[1] for f in floors):.2f}"
    )


if __name__ == "__main__":
    main()
