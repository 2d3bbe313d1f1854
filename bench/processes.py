"""Start the production processes as the Procfile does (gunicorn, rq worker) and read their memory and CPU.

Commands are read from the Procfile at each start, so a figure always
measures the settings that deployments use.
"""

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.common import REPO_ROOT, RESULTS_DIR
from bench.services import free_port, wait_for_port

PROCFILE = REPO_ROOT / "Procfile"
PRODUCT_APP = "gateway:create_app()"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def procfile_command(kind: str) -> list[str]:
    """Return the Procfile's command for a process type, split into arguments."""
    for line in PROCFILE.read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == kind:
            return shlex.split(command.strip())
    raise RuntimeError(f"the Procfile has no {kind!r} process")


def _venv_program(name: str) -> str:
    # The programs of the environment that runs the benchmark, whatever PATH contains.
    return str(Path(sys.executable).parent / name)


def web_command(port: int, app_target: str = PRODUCT_APP) -> list[str]:
    """Return the Procfile's web command bound to 127.0.0.1:port and serving app_target."""
    arguments = procfile_command("web")
    if arguments[-1] != PRODUCT_APP:
        raise RuntimeError(f"the Procfile's web command no longer ends with {PRODUCT_APP!r}: {arguments}")
    arguments = [argument.replace("${PORT:-5000}", str(port)) for argument in arguments]
    arguments = [argument.replace("0.0.0.0:", "127.0.0.1:") for argument in arguments]
    arguments[0] = _venv_program(arguments[0])
    arguments[-1] = app_target
    return arguments


def worker_command(redis_url: str) -> list[str]:
    """Return the Procfile's RQ worker command pointed at redis_url.

    BENCH_RQ_WORKER_ARGS (for example "--worker-class rq.worker.SimpleWorker")
    adds options after `rq worker`, to compare a changed command with the Procfile's.
    """
    arguments = [argument.replace("$REDIS_URL", redis_url) for argument in procfile_command("worker")]
    arguments[0] = _venv_program(arguments[0])
    extra = shlex.split(os.environ.get("BENCH_RQ_WORKER_ARGS", ""))
    return arguments[:2] + extra + arguments[2:]


def rss_mb(pid: int) -> float | None:
    """Return a process's resident memory in MB (VmRSS), or None once it has exited."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user and system) a process has used so far, 0 once it has exited."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    # After the command name: state is field 3, utime field 14 and stime field 15 of stat(5).
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def child_pids(pid: int) -> list[int]:
    """Return the direct children of a process."""
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children.extend(int(child) for child in (task / "children").read_text().split())
        except FileNotFoundError:
            continue
    return children


def _stop(process: subprocess.Popen, timeout: float = 15, signalled: bool = False) -> None:
    if process.poll() is not None:
        return
    if not signalled:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


class WebServer:
    """gunicorn with the Procfile's web settings, serving the product or a reference app."""

    def __init__(self, name: str, env: dict, app_target: str = PRODUCT_APP, port: int | None = None):
        self.name = name
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = web_command(self.port, app_target)
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        # The access log goes to stdout as in production; it is kept for a look after the run.
        self.log_path = RESULTS_DIR / f"gunicorn-{name}.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(self.command, env=env, cwd=REPO_ROOT, stdout=self._log,
                                        stderr=subprocess.STDOUT)
        try:
            wait_for_port(self.port, timeout=30, process=self.process)
            self._wait_for_workers()
        except BaseException:
            self.stop()
            raise

    def _wait_for_workers(self) -> None:
        deadline = time.monotonic() + 30
        while len(self.worker_pids()) < 1 and time.monotonic() < deadline:
            time.sleep(0.1)

    def worker_pids(self) -> list[int]:
        return sorted(child_pids(self.process.pid))

    def worker_rss_mb(self) -> list[float]:
        return [value for value in (rss_mb(pid) for pid in self.worker_pids()) if value is not None]

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(pid) for pid in [self.process.pid, *self.worker_pids()])

    def stop(self) -> None:
        _stop(self.process)
        self._log.close()


class RqWorkers:
    """RQ workers started with the Procfile's worker command."""

    def __init__(self, env: dict, redis_url: str, count: int = 2):
        self.command = worker_command(redis_url)
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = RESULTS_DIR / "rq-workers.log"
        self._log = self.log_path.open("w")
        self.processes = [
            subprocess.Popen(self.command, env=env, cwd=REPO_ROOT, stdout=self._log, stderr=subprocess.STDOUT)
            for _ in range(count)
        ]

    def wait_until_registered(self, redis, timeout: float = 30) -> None:
        """Wait until every worker has registered with Redis, so jobs are taken at once."""
        from rq import Worker

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"an RQ worker exited with code {process.returncode}; see {self.log_path}")
            if Worker.count(connection=redis) >= len(self.processes):
                return
            time.sleep(0.1)
        raise RuntimeError(f"RQ workers did not register within {timeout:.0f}s; see {self.log_path}")

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    def rss_mb(self) -> list[float]:
        return [value for value in (rss_mb(pid) for pid in self.pids) if value is not None]

    def cpu_seconds(self) -> float:
        """Return the CPU time of the workers, their finished work horses included."""
        total = 0.0
        for pid in self.pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            # utime, stime, cutime, cstime: the forked work horses count once they are reaped.
            total += sum(int(value) for value in fields[11:15]) / CLOCK_TICKS
        return total

    def stop(self) -> None:
        # One SIGTERM each: RQ takes a second one as a request for a cold shutdown.
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            _stop(process, signalled=True)
        self._log.close()
