"""The machine the figures ran on: CPU, memory, versions, and the other work running at the time."""

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from sqlalchemy import create_engine, text

PACKAGES = ("flask", "werkzeug", "gunicorn", "sqlalchemy", "psycopg", "redis", "rq", "twilio", "aiohttp")
# Processes that count as other work when they use this much CPU (percent of one core, over their lifetime).
BUSY_PROCESS_CPU_PERCENT = 5.0


def describe_machine() -> dict:
    cpu_model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), platform.processor())
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal:"))
    return {
        "cpu_model": cpu_model,
        "cpus": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": _postgres_version(),
        "redis": _redis_version(),
        "packages": {name: _package_version(name) for name in PACKAGES},
    }


def _package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _postgres_version() -> str | None:
    from bench.services import DEFAULT_POSTGRES_URL

    url = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SHOW server_version")).scalar_one()
    except Exception as error:  # the report then shows which error stopped the query
        return f"unavailable ({error.__class__.__name__})"
    finally:
        engine.dispose()


def _redis_version() -> str | None:
    try:
        output = subprocess.run(["redis-server", "--version"], capture_output=True, text=True, timeout=10).stdout
    except OSError:
        return None
    for part in output.split():
        if part.startswith("v="):
            return part[2:]
    return output.strip() or None


def snapshot_load() -> dict:
    """Return the load average and the processes that used CPU, leaving out this benchmark's own."""
    listing = subprocess.run(["ps", "-eo", "pid,ppid,pcpu,etimes,args", "--sort=-pcpu"], capture_output=True,
                             text=True, timeout=10).stdout.splitlines()[1:]
    rows = [line.split(None, 4) for line in listing]
    own = _descendants({int(pid): int(ppid) for pid, ppid, *_rest in rows}, os.getpid()) | {os.getppid()}
    busy = []
    for pid, _ppid, cpu, _elapsed, command in rows:
        # ps shows each process's CPU share over its whole life, which is enough to tell busy from idle.
        if int(pid) in own or float(cpu) < BUSY_PROCESS_CPU_PERCENT:
            continue
        busy.append({"pid": int(pid), "cpu_percent": float(cpu), "command": command[:120]})
    return {"load_average": [round(value, 2) for value in os.getloadavg()], "busy_processes": busy[:8]}


def _descendants(parents: dict[int, int], root: int) -> set[int]:
    found = {root}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in found and pid not in found:
                found.add(pid)
                grew = True
    return found
