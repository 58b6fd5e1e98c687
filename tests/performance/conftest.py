"""Counting the SQL statements each request issues, on whichever database the tests run against."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from flask import has_request_context, request
from sqlalchemy import event

WRITES = ("INSERT", "UPDATE", "DELETE")


@dataclass
class StatementLog:
    """Statements by request (``"GET /path"``), in the order the database received them."""

    by_request: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def record(self, conn, cursor, statement: str, parameters, context, executemany) -> None:
        key = f"{request.method} {request.path}" if has_request_context() else "outside a request"
        self.by_request[key].append(" ".join(statement.split()))

    def clear(self) -> None:
        self.by_request.clear()

    def count(self, prefix: str = "") -> int:
        """Statements of every request whose ``METHOD /path`` starts with ``prefix``."""
        return sum(len(s) for key, s in self.by_request.items() if key.startswith(prefix))

    def writes(self, prefix: str = "") -> list[str]:
        return [s for key, stmts in self.by_request.items() if key.startswith(prefix) for s in stmts
                if s.lstrip("(").upper().startswith(WRITES)]

    def report(self) -> str:
        return "\n".join(f"{key}: {len(s)}\n  " + "\n  ".join(s) for key, s in self.by_request.items())


@pytest.fixture
def statements(app) -> Iterator[StatementLog]:
    """Every statement the app's engines run while a request is being handled."""
    log = StatementLog()
    engines = {id(e): e for e in (app.extensions["db_engine"], app.extensions["db_read_engine"])}.values()
    for engine in engines:
        event.listen(engine, "before_cursor_execute", log.record)
    yield log
    for engine in engines:
        event.remove(engine, "before_cursor_execute", log.record)
