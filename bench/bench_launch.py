"""Full LTI launch benchmark over real HTTP on loopback: every hop from the platform's login to the first page.

Run: python bench/bench_launch.py [--launches N] [--workers W]
Serves the tool with gunicorn (W gthread workers, PostgreSQL when LTI_TOOL_BENCH_DATABASE_URL is set, else a fresh
SQLite file) and the platform emulator in a thread, and the null tool (bench/null_tool.py: the two hops of a launch,
nothing else) the same way, then drives both with the same client: each launch a fresh browser following every
redirect to the first page, in alternating rounds (null tool, this tool, three times) so that both see the same load
on a shared machine. Prints, for both, the median and p95 of the whole launch, the median of each hop,
launches per second (one after another, then 8 browsers at once) and a worker's resident memory.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))

from lti_platform_emulator import PlatformSettings, create_platform_app, platform_state, serve_in_thread  # noqa: E402
from lti_tool import REPO_ROOT, create_app  # noqa: E402
from lti_tool.content import publish  # noqa: E402
from lti_tool.db import session_factory  # noqa: E402
from lti_tool.lti import registration  # noqa: E402
from lti_tool.migrate import upgrade  # noqa: E402
from tests.support.lti_world import form_of  # noqa: E402

sys.path.insert(0, str(BENCH))
from serving import free_port, max_worker_rss_mib, start_gunicorn, stop, tool_env  # noqa: E402

HOP_NAMES = {"/lti/login": "login", "/login": "login", "/auth": "platform auth", "/lti/launch": "launch POST",
             "/launch": "launch POST"}
PLATFORM_HOPS = {"platform auth"}


def one_launch(state, n: int) -> list[tuple[str, float]]:
    """One launch in a fresh browser, following every redirect to the first page: (hop, seconds) in order."""
    hops: list[tuple[str, float]] = []
    with requests.Session() as browser:
        login_url = state.prepare_launch(user_id=f"learner-{1 + n % 3}", role="learner")

        def hop(method: str, url: str, **kwargs) -> requests.Response:
            started = time.perf_counter()
            response = browser.request(method, url, allow_redirects=False, timeout=10, **kwargs)
            hops.append((HOP_NAMES.get(urlsplit(url).path, "first page"), time.perf_counter() - started))
            assert response.status_code < 400, (url, response.status_code, response.text[:300])
            return response

        login = hop("GET", login_url)
        auth = hop("GET", login.headers["Location"])
        action, fields = form_of(auth.text)
        response = hop("POST", action, data=fields)
        while response.is_redirect:
            response = hop("GET", urljoin(response.url, response.headers["Location"]))
        assert response.status_code == 200
    return hops


def summarise(runs: list[list[tuple[str, float]]], concurrent_rate: float) -> dict[str, float]:
    whole = sorted(sum(t for _, t in hops) for hops in runs)
    per_hop: dict[str, list[float]] = defaultdict(list)
    for hops in runs:
        for name, seconds in hops:
            per_hop[name].append(seconds)
    figures = {
        "launch_median_ms": statistics.median(whole) * 1000,
        "launch_p95_ms": whole[int(len(whole) * 0.95) - 1] * 1000,
        "tool_side_median_ms": statistics.median(
            sum(t for name, t in hops if name not in PLATFORM_HOPS) for hops in runs) * 1000,
        "tool_hops": float(sum(1 for name, _ in runs[0] if name not in PLATFORM_HOPS)),
        "launches_per_second_sequential": len(whole) / sum(whole),
        "launches_per_second_8_concurrent": concurrent_rate,
    }
    figures.update({f"hop {name} median_ms": statistics.median(times) * 1000 for name, times in per_hop.items()})
    return figures


@contextmanager
def serving_tool(workers: int, database_url: str | None) -> Iterator[tuple[object, subprocess.Popen]]:
    """This tool under gunicorn with content published and the emulator registered; yields (platform, server)."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
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
    with session_factory(app)() as session:
        publish(session, str(REPO_ROOT), actor="bench")
        registration.add_platform(session, issuer=emulator.url, client_id="bench",
                                  auth_login_url=f"{emulator.url}/auth", auth_token_url=f"{emulator.url}/token",
                                  keyset_url=f"{emulator.url}/jwks.json", deployment_ids=("bench-dep",))
        session.commit()
    tool = start_gunicorn("lti_tool:create_app()", port, workers, tool_env(database_url, port))
    try:
        yield platform_state(platform_app), tool
    finally:
        stop(tool)
        emulator.stop()
        app.extensions["db_engine"].dispose()


@contextmanager
def serving_null(workers: int) -> Iterator[tuple[object, subprocess.Popen]]:
    """The null tool under the same gunicorn setup, with an emulator of its own; yields (platform, server)."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = PlatformSettings(client_id="null", deployment_id="null-dep", tool_login_url=f"{base}/login",
                                tool_launch_url=f"{base}/launch", tool_jwks_url=f"{base}/jwks.json")
    platform_app = create_platform_app(settings)
    emulator = serve_in_thread(platform_app)
    settings.issuer = emulator.url
    env = {"NULL_TOOL_AUTH_URL": f"{emulator.url}/auth", "NULL_TOOL_CLIENT_ID": "null",
           "NULL_TOOL_LAUNCH_URL": f"{base}/launch"}
    tool = start_gunicorn("null_tool:create_app()", port, workers, env, chdir=BENCH)
    try:
        yield platform_state(platform_app), tool
    finally:
        stop(tool)
        emulator.stop()


def run(launches: int = 200, workers: int = 2, database_url: str | None = None,
        rounds: int = 3) -> tuple[dict[str, float], dict[str, float]]:
    """This tool's launch figures and the null tool's, measured in alternating rounds so that both see the same
    load on a shared machine; each with its largest worker's resident memory (MiB) after the launches."""
    per_round = max(1, launches // rounds)
    with serving_null(workers) as (null_state, null_server), serving_tool(workers, database_url) as (state, server):
        tools = {"null": (null_state, null_server), "tool": (state, server)}
        runs: dict[str, list[list[tuple[str, float]]]] = {name: [] for name in tools}
        concurrent_seconds = dict.fromkeys(tools, 0.0)
        for platform, _ in tools.values():
            for n in range(10):
                one_launch(platform, n)
        for _ in range(rounds):
            for name, (platform, _) in tools.items():
                runs[name] += [one_launch(platform, n) for n in range(per_round)]
                started = time.perf_counter()
                with ThreadPoolExecutor(8) as pool:
                    list(pool.map(lambda n, platform=platform: one_launch(platform, n), range(per_round)))
                concurrent_seconds[name] += time.perf_counter() - started
        figures = {name: summarise(runs[name], per_round * rounds / concurrent_seconds[name]) for name in tools}
        for name, (_, process) in tools.items():
            figures[name]["worker_rss_mib"] = max_worker_rss_mib(process)
    return figures["tool"], figures["null"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launches", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    database = "PostgreSQL" if os.environ.get("LTI_TOOL_BENCH_DATABASE_URL") else "SQLite"
    tool, null = run(args.launches, args.workers)
    print(f"Full LTI launch, {args.launches} launches, gunicorn {args.workers} workers, {database}")
    print(f"  {'figure':40s} {'this tool':>10s} {'null tool':>10s} {'ratio':>6s}")
    for name in tool:
        ceiling = null.get(name)
        ratio = f"{tool[name] / ceiling:6.2f}" if ceiling else ""
        print(f"  {name:40s} {tool[name]:10.1f} {ceiling if ceiling is not None else float('nan'):10.1f} {ratio}")


if __name__ == "__main__":
    main()
