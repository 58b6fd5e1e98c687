"""Injected failures, so tests can prove the tool retries, backs off and times out sanely."""

import threading
import time
from dataclasses import dataclass
from typing import Any

FAULT_POINTS = frozenset(
    (
        "jwks",
        "auth",
        "token",
        "lineitems",
        "scores",
        "results",
        "memberships",
        "deep_link_return",
    )
)


@dataclass
class _Failure:
    status: int
    remaining: int | None  # None: no count limit
    until: float | None  # time.monotonic() deadline; None: no time limit
    retry_after: int | None


@dataclass(frozen=True)
class Fault:
    """What to do to one request: wait, then maybe fail with a status."""

    delay: float = 0.0
    status: int | None = None
    retry_after: int | None = None


class FaultPlan:
    """Failures and delays per endpoint, consumed as requests arrive (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: dict[str, list[_Failure]] = {}
        self._delays: dict[str, tuple[float, int | None]] = {}
        self._down: set[str] = set()

    @staticmethod
    def _check(endpoint: str) -> None:
        if endpoint not in FAULT_POINTS:
            raise ValueError(
                f"unknown fault point {endpoint!r}; use one of {sorted(FAULT_POINTS)}"
            )

    def fail_next(
        self,
        endpoint: str,
        status: int = 503,
        count: int = 1,
        retry_after: int | None = None,
    ) -> None:
        """Fail the next `count` requests to `endpoint` with `status`."""
        self._add(endpoint, _Failure(status, count, None, retry_after))

    def fail_for(
        self,
        endpoint: str,
        seconds: float,
        status: int = 503,
        retry_after: int | None = None,
    ) -> None:
        """Fail every request to `endpoint` for the next `seconds`."""
        self._add(
            endpoint, _Failure(status, None, time.monotonic() + seconds, retry_after)
        )

    def delay(self, endpoint: str, seconds: float, count: int | None = None) -> None:
        """Hold requests for `seconds` before answering (all of them, or the next `count`)."""
        self._check(endpoint)
        with self._lock:
            self._delays[endpoint] = (seconds, count)

    def set_down(self, endpoint: str, down: bool = True) -> None:
        """Answer 503 to every request until set back up."""
        self._check(endpoint)
        with self._lock:
            if down:
                self._down.add(endpoint)
            else:
                self._down.discard(endpoint)

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()
            self._delays.clear()
            self._down.clear()

    def _add(self, endpoint: str, failure: _Failure) -> None:
        self._check(endpoint)
        with self._lock:
            self._failures.setdefault(endpoint, []).append(failure)

    def take(self, endpoint: str) -> Fault | None:
        """Consume what applies to one request to `endpoint`."""
        with self._lock:
            delay = self._take_delay(endpoint)
            if endpoint in self._down:
                return Fault(delay=delay, status=503)
            failure = self._take_failure(endpoint)
        if failure is None:
            return Fault(delay=delay) if delay else None
        retry_after = failure.retry_after
        if failure.status == 429 and retry_after is None:
            retry_after = 1
        return Fault(delay=delay, status=failure.status, retry_after=retry_after)

    def _take_delay(self, endpoint: str) -> float:
        if endpoint not in self._delays:
            return 0.0
        seconds, count = self._delays[endpoint]
        if count is not None:
            if count <= 1:
                del self._delays[endpoint]
            else:
                self._delays[endpoint] = (seconds, count - 1)
        return seconds

    def _take_failure(self, endpoint: str) -> _Failure | None:
        queue = self._failures.get(endpoint, [])
        now = time.monotonic()
        queue[:] = [f for f in queue if f.until is None or f.until > now]
        if not queue:
            return None
        failure = queue[0]
        if failure.remaining is not None:
            failure.remaining -= 1
            if failure.remaining <= 0:
                queue.pop(0)
        return failure

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "down": sorted(self._down),
                "delays": {
                    name: seconds for name, (seconds, _) in self._delays.items()
                },
                "failures": {
                    name: [
                        {"status": f.status, "remaining": f.remaining} for f in queue
                    ]
                    for name, queue in self._failures.items()
                    if queue
                },
            }

    def apply_json(self, body: dict[str, Any]) -> None:
        """Set a fault from the JSON of POST /_emulator/faults (kinds as the methods)."""
        kind = body.get("kind")
        endpoint = str(body.get("endpoint", ""))
        status = int(body.get("status", 503))
        retry_after = body.get("retry_after")
        retry = int(retry_after) if retry_after is not None else None
        if kind == "fail_next":
            self.fail_next(endpoint, status, int(body.get("count", 1)), retry)
        elif kind == "fail_for":
            self.fail_for(endpoint, float(body["seconds"]), status, retry)
        elif kind == "delay":
            count = body.get("count")
            self.delay(
                endpoint,
                float(body["seconds"]),
                int(count) if count is not None else None,
            )
        elif kind == "down":
            self.set_down(endpoint, bool(body.get("down", True)))
        elif kind == "clear":
            self.clear()
        else:
            raise ValueError(
                "kind must be one of fail_next, fail_for, delay, down, clear"
            )
