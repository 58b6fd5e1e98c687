"""An admin action and its audit entry are one transaction: both are kept, or neither is."""

from __future__ import annotations

from sqlalchemy import select

from lti_tool import audit
from lti_tool.db import session_factory
from lti_tool.lti import registration
from lti_tool.models import AuditEntry, Deployment


def _platform_id(db) -> int:
    platform = registration.add_platform(db, issuer="https://learn.example", client_id="c1",
                                         auth_login_url="https://learn.example/auth",
                                         auth_token_url="https://learn.example/token",
                                         keyset_url="https://learn.example/jwks", deployment_ids=("d1",))
    db.commit()
    return platform.id


def _add_audited_deployment(db, platform_id: int) -> None:
    registration.add_deployment(db, platform_id, "d2")
    audit.record(db, "Ada Admin (user 1)", "deployment.add", f"platform:{platform_id}", {"deployment_id": "d2"})


def _kept(app) -> tuple[list[str], list[str]]:
    """What another connection sees: the deployments and the audit log's actions."""
    with session_factory(app)() as other:
        return (list(other.scalars(select(Deployment.deployment_id).order_by(Deployment.deployment_id))),
                list(other.scalars(select(AuditEntry.action))))


def test_an_action_rolled_back_takes_its_audit_entry_with_it(app, db):
    platform_id = _platform_id(db)
    _add_audited_deployment(db, platform_id)
    db.rollback()
    assert _kept(app) == (["d1"], [])


def test_an_action_committed_is_kept_with_its_audit_entry(app, db):
    platform_id = _platform_id(db)
    _add_audited_deployment(db, platform_id)
    assert _kept(app) == (["d1"], []), "nothing is committed before the caller commits"
    db.commit()
    assert _kept(app) == (["d1", "d2"], ["deployment.add"])
