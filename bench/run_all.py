"""Run every figure, each in its own process, and write BENCHMARKS.md (what `make bench` runs).

A full run takes about 15 minutes. --quick makes a smoke run of a minute or
two and writes bench/results/BENCHMARKS-quick.md instead.

    python -m bench.run_all
    python -m bench.run_all --quick
    python -m bench.run_all --only capacity,memory
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from bench.common import REPO_ROOT, RESULTS_DIR, say
from bench.machine import describe_machine, snapshot_load
from bench.report import write

FIGURES = ("capacity", "time_to_volunteer", "drain", "growth", "memory")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the benchmarks and write BENCHMARKS.md.")
    parser.add_argument("--quick", action="store_true", help="small counts, for a smoke run of a minute or two")
    parser.add_argument("--only", default=",".join(FIGURES),
                        help=f"comma-separated figures to run (default: all of {', '.join(FIGURES)})")
    parser.add_argument("--report-only", action="store_true",
                        help="write the report from the results of the last run without running anything")
    parser.add_argument("--report", type=Path, default=None,
                        help="Markdown file to write (default: BENCHMARKS.md, or bench/results/BENCHMARKS-quick.md "
                             "with --quick)")
    options = parser.parse_args(argv)
    figures = [name.strip() for name in options.only.split(",") if name.strip()]
    unknown = sorted(set(figures) - set(FIGURES))
    if unknown:
        parser.error(f"unknown figure {', '.join(unknown)}: choose from {', '.join(FIGURES)}")

    report = options.report or (RESULTS_DIR / "BENCHMARKS-quick.md" if options.quick else REPO_ROOT / "BENCHMARKS.md")
    runs_path = RESULTS_DIR / ("quick" if options.quick else "") / "runs.json"
    if options.report_only:
        saved = json.loads(runs_path.read_text())
        write(report, saved["machine"], saved["runs"], options.quick)
        say(f"== report written to {report}")
        return

    machine = describe_machine()
    runs = []
    failed = []
    for name in figures:
        command = [sys.executable, "-m", f"bench.{name}"] + (["--quick"] if options.quick else [])
        command_text = "python -m bench." + name + (" --quick" if options.quick else "")
        say(f"== {command_text}")
        before = snapshot_load()
        started = time.monotonic()
        completed = subprocess.run(command, cwd=REPO_ROOT)
        runs.append({"command": command_text, "seconds": time.monotonic() - started, "before": before,
                     "after": snapshot_load(), "returncode": completed.returncode})
        if completed.returncode != 0:
            failed.append(name)
            say(f"== {command_text} failed with exit code {completed.returncode}")

    runs = _merge_with_last_run(runs_path, runs)
    runs_path.parent.mkdir(parents=True, exist_ok=True)
    runs_path.write_text(json.dumps({"machine": machine, "runs": runs}, indent=2) + "\n")
    write(report, machine, runs, options.quick)
    say(f"== report written to {report}")
    if failed:
        sys.exit(f"figures that failed: {', '.join(failed)}")


def _merge_with_last_run(runs_path: Path, runs: list[dict]) -> list[dict]:
    """Keep the last run's entries for the figures that --only left out, in the order of FIGURES."""
    if not runs_path.exists():
        return runs
    by_figure = {run["command"].split()[2]: run for run in json.loads(runs_path.read_text())["runs"]}
    by_figure.update({run["command"].split()[2]: run for run in runs})
    return [by_figure[f"bench.{name}"] for name in FIGURES if f"bench.{name}" in by_figure]


if __name__ == "__main__":
    main()
