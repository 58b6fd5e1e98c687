"""Full LTI launch benchmark: login + platform auth + launch, over real HTTP on loopback.

Run: python bench/bench_launch.py [--launches N] [--workers W]
Serves the tool with gunicorn (W gthread workers, PostgreSQL when LTI_TOOL_BENCH_DATABASE_URL is set, else a fresh
SQLite file) and the platform emulator in a thread; prints the median and p95 of the whole launch and of the
tool's own two requests, launches per second (sequential, then with 8 concurrent browsers) and a worker's
resident memory.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lti_tool import create_app  # noqa: E402
from lti_tool.db import session_factory  # noqa: E402
from lti_tool.devplatform import PlatformSettings, create_platform_app, platform_state, serve_in_thread  # noqa: E402
from lti_tool.lti import registration  # noqa: E402
from lti_tool.migrate import upgrade  # noqa: E402
from tests.lti_harness import form_of  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from serving import free_port, max_worker_rss_mib, start_gunicorn, stop, tool_env  # noqa: E402


def one_launch(state, n: int) -> tuple[float, float]:
    """Returns (whole launch seconds, tool-side seconds)."""
    browser = requests.Session()
    login_url = state.prepare_launch(user_id=f"learner-{1 + n % 3}", role="learner")
    started = time.perf_counter()
    login = browser.get(login_url, allow_redirects=False, timeout=10)
    tool_time = time.perf_counter() - started
    auth = browser.get(login.headers["Location"], timeout=10)
    action, fields = form_of(auth.text)
    before_launch = time.perf_counter()
    launched = browser.post(action, data=fields, allow_redirects=False, timeout=10)
    tool_time += time.perf_counter() - before_launch
    assert launched.status_code == 303, launched.text[:300]
    return time.perf_counter() - started, tool_time


def run(launches: int = 200, workers: int = 2, database_url: str | None = None) -> dict[str, float]:
    """Launch figures, and the largest worker's resident memory (MiB) after the launches."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-launch-"))
    database_url = (database_url or os.environ.get("LTI_TOOL_BENCH_DATABASE_URL")
                    or f"sqlite:///{workdir / 'bench.sqlite3'}")
    upgrade(database_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = PlatformSettings(client_id="bench", deployment_id="bench-dep", tool_login_url=f"{base}/lti/login",
                                tool_launch_url=f"{base}/lti/launch", tool_jwks_url=f"{base}/lti/jwks.json")
    platform_app = create_platform_app(settings)
    emulator = serve_in_thread(platform_app)
    settings.issuer = emulator.url
    app = create_app({"ENV": "development", "SECRET_KEY": "bench", "DATABASE_URL": database_url,
                      "LOG_LEVEL": "WARNING"})
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with session_factory(app)() as session:
        registration.add_platform(session, issuer=emulator.url, client_id="bench",
                                  auth_login_url=f"{emulator.url}/auth", auth_token_url=f"{emulator.url}/token",
                                  keyset_url=f"{emulator.url}/jwks.json", deployment_ids=("bench-dep",))
    tool = start_gunicorn("lti_tool:create_app()", port, workers, tool_env(database_url, port))
    state = platform_state(platform_app)
    try:
        for n in range(10):
            one_launch(state, n)
        timings = [one_launch(state, n) for n in range(launches)]
        started = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda n: one_launch(state, n), range(launches)))
        concurrent_rate = launches / (time.perf_counter() - started)
        worker_rss = max_worker_rss_mib(tool)
    finally:
        stop(tool)
        emulator.stop()
        app.extensions["db_engine"].dispose()
    whole = sorted(t for t, _ in timings)
    tool_side = sorted(t for _, t in timings)
    return {
        "launch_median_ms": statistics.median(whole) * 1000,
        "launch_p95_ms": whole[int(len(whole) * 0.95) - 1] * 1000,
        "tool_side_median_ms": statistics.median(tool_side) * 1000,
        "launches_per_second_sequential": len(whole) / sum(whole),
        "launches_per_second_8_concurrent": concurrent_rate,
        "worker_rss_mib": worker_rss,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launches", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    figures = run(args.launches, args.workers)
    database = "PostgreSQL" if os.environ.get("LTI_TOOL_BENCH_DATABASE_URL") else "SQLite"
    print(f"Full LTI launch, {args.launches} launches, gunicorn {args.workers} workers, {database}")
    for name, value in figures.items():
        print(f"  {name:36s} {value:10.1f}")


if __name__ == "__main__":
    main()
