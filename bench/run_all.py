"""Every benchmark in one run, each figure beside a ceiling measured in the same run on the same machine.

Run: python bench/run_all.py [--quick] [--database-url URL]

Prints one table (and writes it as Markdown to bench/results/latest.md): figure, value, unit, ceiling, ratio and
the target. The ceiling is measured in the same run: for the launch, the null tool (bench/null_tool.py: the two
tool hops of a launch, no validation, no storage) under the same gunicorn setup, through the same emulator and
client, every hop to the first page; for worker memory, a worker serving the bare app; for learner and tutor
pages, a bare Flask route through the test client; for grade delivery, the emulator's scores endpoint hit
directly with a pre-fetched token. For times the ratio is value ÷ ceiling (how many times
the bare cost); for rates it is value ÷ ceiling (the share of the bare rate). SQLite unless --database-url (or
LTI_TOOL_BENCH_DATABASE_URL) names a PostgreSQL database, where each benchmark gets a schema it drops afterwards.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import bench_grades  # noqa: E402
import bench_launch  # noqa: E402
import bench_learner  # noqa: E402
import bench_tutor  # noqa: E402
from bare_app import create_app as create_bare_app  # noqa: E402
from serving import PG_ENV, drop_schema, free_port, max_worker_rss_mib, schema_url, start_gunicorn, stop  # noqa: E402

from lti_platform_emulator import (  # noqa: E402
    DEFAULT_CONTEXT_ID,
    PlatformSettings,
    create_platform_app,
    platform_state,
    serve_in_thread,
)
from lti_tool.vocabulary import SCOPE_SCORE  # noqa: E402

RESULTS = BENCH / "results" / "latest.md"


@dataclass(frozen=True)
class Row:
    figure: str
    value: float
    unit: str
    ceiling: float
    ceiling_is: str
    target: str = ""

    @property
    def ratio(self) -> float:
        return self.value / self.ceiling if self.ceiling else float("nan")


@dataclass(frozen=True)
class Counts:
    launches: int
    iterations: int
    learners: int
    modules: int
    repeats: int
    scores: int
    deanery_learners: int


QUICK = Counts(launches=30, iterations=40, learners=300, modules=10, repeats=3, scores=100, deanery_learners=1000)
FULL = Counts(launches=200, iterations=200, learners=2000, modules=10, repeats=5, scores=500, deanery_learners=10000)


@contextmanager
def database(base_url: str | None, schema: str, folder: Path):
    """A fresh SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    if not base_url:
        yield f"sqlite:///{folder / (schema + '.sqlite3')}"
        return
    try:
        yield schema_url(base_url, schema)
    finally:
        drop_schema(base_url, schema)


def timed_ms(action: Callable[[], object], count: int) -> list[float]:
    durations = []
    for _ in range(count):
        started = time.perf_counter()
        action()
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def per_second(durations_ms: list[float]) -> float:
    return len(durations_ms) / (sum(durations_ms) / 1000)


def bare_gunicorn(workers: int, count: int) -> tuple[list[float], float]:
    """Milliseconds per GET of a bare 200 route (a new client session each, as each launch has), and worker RSS."""
    port = free_port()
    server = start_gunicorn("bare_app:create_app()", port, workers, chdir=BENCH)
    url = f"http://127.0.0.1:{port}/"

    def one() -> None:
        with requests.Session() as browser:
            assert browser.get(url, timeout=10).status_code == 200

    try:
        timed_ms(one, 20)
        durations = timed_ms(one, count)
        rss = max_worker_rss_mib(server)
    finally:
        stop(server)
    return durations, rss


def bare_test_client(path: str, count: int) -> list[float]:
    client = create_bare_app().test_client()

    def one() -> None:
        assert client.get(path).status_code == 200

    timed_ms(one, 20)
    return timed_ms(one, count)


def bare_scores(count: int) -> list[float]:
    """Milliseconds per score POSTed straight to the emulator with a token fetched beforehand."""
    settings = PlatformSettings(client_id="bare", deployment_id="bare", tool_login_url="http://127.0.0.1:9/login",
                                tool_launch_url="http://127.0.0.1:9/launch", tool_jwks_url="http://127.0.0.1:9/jwks")
    platform_app = create_platform_app(settings)
    emulator = serve_in_thread(platform_app)
    settings.issuer = emulator.url
    state = platform_state(platform_app)
    members = state.seed_roster(DEFAULT_CONTEXT_ID, count)
    token = state.issue_access_token(frozenset({SCOPE_SCORE}))
    url = f"{emulator.url}/contexts/{DEFAULT_CONTEXT_ID}/lineitems/li-img-supervision/scores"
    http = requests.Session()
    people = iter(members)

    def one() -> None:
        body = {"userId": next(people).user_id, "scoreGiven": 80.0, "scoreMaximum": 100.0, "comment": "bare",
                "activityProgress": "Completed", "gradingProgress": "FullyGraded",
                "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds")}
        response = http.post(url, json=body, timeout=10, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/vnd.ims.lis.v1.score+json"})
        assert response.status_code in (200, 204), response.text

    try:
        return timed_ms(one, count)
    finally:
        http.close()
        emulator.stop()


def measure(counts: Counts, base_url: str | None, workers: int) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"launch: {counts.launches} launches, gunicorn {workers} workers, and the null tool…", flush=True)
        with database(base_url, "btg_bench_launch", folder) as url:
            launch, null = bench_launch.run(counts.launches, workers, database_url=url)
        _, bare_rss = bare_gunicorn(workers, 20)
        null_tool = "null tool, same gunicorn, emulator and client"
        launch_share = "≥ 0.40 × null" if base_url else "≥ 0.45 × null"
        rows += [Row("Full LTI launch, every hop to the first page, median", launch["launch_median_ms"], "ms",
                     null["launch_median_ms"], null_tool),
                 Row("Full LTI launches, one after another", launch["launches_per_second_sequential"], "launches/s",
                     null["launches_per_second_sequential"], null_tool, launch_share),
                 Row("Full LTI launches, 8 browsers at once", launch["launches_per_second_8_concurrent"],
                     "launches/s", null["launches_per_second_8_concurrent"], null_tool, launch_share)]
        for hop in ("login", "platform auth", "launch POST", "first page"):
            key = f"hop {hop} median_ms"
            if key in launch:
                rows.append(Row(f"  launch hop: {hop}, median", launch[key], "ms", null.get(key, float("nan")),
                                "null tool's hop" if key in null else "(the null tool lands on its launch POST)"))
        rows.append(Row("Memory per gunicorn worker after the launches", launch["worker_rss_mib"], "MiB", bare_rss,
                        "worker serving the bare app", "≤ 100 MiB"))

        print(f"learner: {counts.iterations} page views and quiz submissions…", flush=True)
        with database(base_url, "btg_bench_learner", folder) as url:
            bench_learner.upgrade(url)
            learner = bench_learner.run(url, counts.iterations)
        bare_route = bare_test_client("/", counts.iterations)
        targets = {"Module page view": "≤ 3 ms" if base_url else "≤ 2 ms",
                   "Quiz submission": "≤ 8 ms" if base_url else "≤ 6 ms"}
        for name, durations in (("Module page view", learner["page view"]),
                                ("Quiz submission", learner["quiz submit"])):
            rows += [Row(f"{name}, median", statistics.median(durations), "ms", statistics.median(bare_route),
                         "bare route, Flask test client", targets[name]),
                     Row(f"{name}s, one after another", per_second(durations), "req/s", per_second(bare_route),
                         "bare route req/s")]

        print(f"tutor: {counts.learners} × {counts.modules} course view…", flush=True)
        with database(base_url, "btg_bench_tutor", folder) as url:
            tutor = bench_tutor.run(url, "db", counts.learners, counts.modules, counts.repeats)
        bare_template = bare_test_client("/template", counts.repeats * 10)
        rows.append(Row(f"Tutor course view, {counts.learners:,} learners × {counts.modules} modules, median",
                        float(tutor["view median ms"]), "ms", statistics.median(bare_template),
                        "bare route rendering a trivial template",
                        "≤ 150 ms (PostgreSQL, 2,000 × 10)"))
        print(f"tutor: {counts.deanery_learners} × {counts.modules} first page…", flush=True)
        with database(base_url, "btg_bench_deanery", folder) as url:
            deanery = bench_tutor.run(url, "db", counts.deanery_learners, counts.modules, counts.repeats)
        rows.append(Row(f"Tutor course view, {counts.deanery_learners:,} learners × {counts.modules} modules, "
                        "first page, first request", float(deanery["first request ms"]), "ms",
                        statistics.median(bare_template), "bare route rendering a trivial template",
                        "≤ 600 ms (PostgreSQL, 10,000 × 10)"))

        print(f"grades: {counts.scores} scores…", flush=True)
        with database(base_url, "btg_bench_grades", folder) as url:
            grades = bench_grades.run(counts.scores, 1, database_url=url)
        bare_score_ms = bare_scores(counts.scores)
        rows += [Row("Grade delivery to the grade book", grades["scores_per_second"], "scores/s",
                     per_second(bare_score_ms), "emulator scores endpoint, token fetched beforehand",
                     "≥ 0.6 × ceiling"),
                 Row("Token requests per 100 scores", grades["token_requests_per_100"], "requests",
                     100 / counts.scores, "one token for the whole run", "≤ 1")]
    return rows


def number(value: float) -> str:
    return f"{value:,.2f}" if value < 10 else f"{value:,.1f}"


def render(rows: list[Row], heading: str) -> tuple[str, str]:
    headers = ("figure", "value", "unit", "ceiling", "ratio", "target", "ceiling is")
    cells = [(r.figure, number(r.value), r.unit, number(r.ceiling), f"{r.ratio:.2f}", r.target, r.ceiling_is)
             for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    text = "\n".join([heading, "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
                      "  ".join("-" * w for w in widths),
                      *("  ".join(c.ljust(w) for c, w in zip(cell, widths, strict=True)).rstrip() for cell in cells)])
    markdown = "\n".join([f"{heading}\n", "| " + " | ".join(headers) + " |",
                          "|" + "|".join(["---", "---:", "---", "---:", "---:", "---", "---"]) + "|",
                          *("| " + " | ".join(cell) + " |" for cell in cells)]) + "\n"
    return text, markdown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small counts: about two minutes")
    parser.add_argument("--database-url", default=os.environ.get(PG_ENV),
                        help="PostgreSQL URL (default: SQLite files in a temporary folder)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers for the launch benchmark")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = measure(QUICK if args.quick else FULL, args.database_url, args.workers)
    backend = "PostgreSQL" if args.database_url else "SQLite"
    heading = (f"Benchmarks ({'quick' if args.quick else 'full'}), {backend}, {os.cpu_count()} CPUs, Python "
               f"{platform.python_version()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
               f"{time.perf_counter() - started:.0f} s")
    text, markdown = render(rows, heading)
    print(text)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(markdown)
    print(f"written to {RESULTS.relative_to(BENCH.parent)}")


if __name__ == "__main__":
    main()
