"""Serving helpers shared by the benchmarks and the load test: gunicorn on loopback, worker memory, schemas."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
PG_ENV = "LTI_TOOL_BENCH_DATABASE_URL"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(target: str, port: int, workers: int, env: dict[str, str] | None = None,
                   chdir: Path = ROOT) -> subprocess.Popen:
    """gunicorn with ``workers`` gthread workers (4 threads each) serving ``target``; returns once it answers.

    One malloc arena per process and a 5-second keep-alive, as config/gunicorn.conf.py sets in production (that
    file is not used here: its worker recycling would reset the memory figures). With gunicorn's default of 2 s the
    load test saw connections closed without a response once requests queued for seconds; with 5 s it saw none."""
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "gthread", "--threads",
                                "4", "--keep-alive", "5", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                                "--chdir", str(chdir),
                                target], cwd=chdir, env={**os.environ, "MALLOC_ARENA_MAX": "1", **(env or {})},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return process
        except requests.RequestException:
            time.sleep(0.1)
    stop(process)
    raise RuntimeError(f"gunicorn did not start {target}")


def tool_env(database_url: str, port: int) -> dict[str, str]:
    return {"LTI_TOOL_ENV": "development", "LTI_TOOL_SECRET_KEY": "bench", "LTI_TOOL_LOG_LEVEL": "WARNING",
            "LTI_TOOL_DATABASE_URL": database_url, "LTI_TOOL_BASE_URL": f"http://127.0.0.1:{port}",
            # One benchmark user launches hundreds of times a minute: lift both launch limits.
            "LTI_TOOL_RATE_LIMIT_LTI": "100000 per minute", "LTI_TOOL_RATE_LIMIT_LTI_USER": "100000 per minute"}


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def worker_pids(master_pid: int) -> list[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return [int(pid) for pid in children]


def rss_mib(pid: int) -> float:
    """Resident memory of a process, from /proc/<pid>/status VmRSS."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def max_worker_rss_mib(process: subprocess.Popen) -> float:
    return max(rss_mib(pid) for pid in worker_pids(process.pid))


def schema_url(base_url: str, schema: str) -> str:
    """A fresh PostgreSQL schema in ``base_url``'s database, and the URL that uses it."""
    engine = create_engine(base_url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)


def drop_schema(base_url: str, schema: str) -> None:
    engine = create_engine(base_url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()
