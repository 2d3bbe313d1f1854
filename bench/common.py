"""Command-line options, progress lines, percentiles and result files shared by every figure."""

import argparse
import json
import math
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO_ROOT / "bench" / "results"


def parse_options(description: str, argv: list[str] | None = None) -> argparse.Namespace:
    """Read the options every figure takes: --quick and --output."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true",
                        help="run a short smoke version with small counts (numbers are not comparable)")
    parser.add_argument("--output", type=Path, default=None,
                        help="JSON file for the result (default: bench/results/NAME.json)")
    return parser.parse_args(argv)


def result_path(name: str, quick: bool) -> Path:
    # Quick runs keep their own files, so a smoke run never replaces a full run's numbers.
    return RESULTS_DIR / "quick" / f"{name}.json" if quick else RESULTS_DIR / f"{name}.json"


def save_result(name: str, result: dict, output: Path | None = None) -> Path:
    """Write a figure's result as JSON and return the path."""
    path = output or result_path(name, result.get("quick", False))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    return path


def load_result(name: str, quick: bool = False) -> dict | None:
    path = result_path(name, quick)
    if not path.exists():
        return None
    return json.loads(path.read_text())


def percentile(values: list[float], fraction: float) -> float | None:
    """Return the value below which `fraction` of the values lie, interpolating between ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    lower = math.floor(position)
    upper = math.ceil(position)
    if lower == upper:
        return ordered[lower]
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def summarize_ms(seconds: list[float]) -> dict:
    """Return count, p50, p95, p99 and max of durations given in seconds, in milliseconds."""
    def ms(value):
        return None if value is None else round(value * 1000, 2)

    return {
        "count": len(seconds),
        "p50_ms": ms(percentile(seconds, 0.50)),
        "p95_ms": ms(percentile(seconds, 0.95)),
        "p99_ms": ms(percentile(seconds, 0.99)),
        "max_ms": ms(max(seconds) if seconds else None),
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, 3)


class Progress:
    """One progress line on the terminal, rewritten in place; plain lines every few seconds when piped."""

    LINE_INTERVAL_SECONDS = 5.0

    def __init__(self, label: str, total: float | None = None, unit: str = ""):
        self.label = label
        self.total = total
        self.unit = unit
        self._tty = sys.stderr.isatty()
        self._last_line = 0.0
        self._started = time.monotonic()

    def update(self, done: float, note: str = "") -> None:
        now = time.monotonic()
        if not self._tty and now - self._last_line < self.LINE_INTERVAL_SECONDS:
            return
        self._last_line = now
        total = f"/{self.total:g}" if self.total else ""
        text = f"  {self.label}: {done:g}{total}{self.unit} ({now - self._started:.0f}s) {note}"
        if self._tty:
            sys.stderr.write("\r\x1b[2K" + text)
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def finish(self, note: str = "") -> None:
        elapsed = time.monotonic() - self._started
        text = f"  {self.label}: done in {elapsed:.1f}s {note}"
        sys.stderr.write(("\r\x1b[2K" if self._tty else "") + text + "\n")
        sys.stderr.flush()


def say(text: str) -> None:
    """Print a step of a figure's run to the terminal."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()
