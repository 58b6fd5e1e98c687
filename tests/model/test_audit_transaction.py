"""An admin action and its audit entry are one transaction: both are kept, or neither is."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool import audit
from lti_tool.content import authoring, publish
from lti_tool.db import session_factory
from lti_tool.lti import registration
from lti_tool.models import AuditEntry, Deployment, ModuleVersion


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


def _published_demo(db: Session, demo_content: Path) -> None:
    publish(db, demo_content, note="first", actor="cli")
    db.commit()


def _publish_edit_audited(db: Session, demo_content: Path) -> None:
    """What the editor's view does before it commits: publish the edit, then write its audit entry."""
    text = authoring.load_file(db, "demo", "01-first.md").text
    authoring.publish_edit(db, demo_content, "demo", "01-first.md", text + "\nOne more line.\n", base_number=1,
                           change="minor", note="edited", actor="Ada (user 1)")
    audit.record(db, "Ada (user 1)", "content.publish", "module:demo", {"version": 2})


def _import_zip_audited(db: Session, demo_content: Path) -> None:
    """What the import view does before it commits: import the module's zip, then write its audit entry."""
    with zipfile.ZipFile(io.BytesIO(authoring.export_zip(db, demo_content, "demo"))) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files["modules/demo/01-first.md"] += b"\nImported line.\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    authoring.import_zip(db, demo_content, buffer.getvalue(), change="minor", note="zip", actor="Ada (user 1)")
    audit.record(db, "Ada (user 1)", "content.import", "module:demo", {"version": 2})


def _content_kept(app) -> tuple[list[int], list[str]]:
    """What another connection sees: the demo module's version numbers and the audit log's actions."""
    with session_factory(app)() as other:
        return (list(other.scalars(select(ModuleVersion.number).order_by(ModuleVersion.number))),
                list(other.scalars(select(AuditEntry.action))))


CONTENT_ACTIONS = pytest.mark.parametrize(("action", "logged"), [(_publish_edit_audited, "content.publish"),
                                                                 (_import_zip_audited, "content.import")],
                                          ids=["publish", "zip import"])


@CONTENT_ACTIONS
def test_content_published_then_failing_before_commit_leaves_neither_version_nor_entry(app, db, demo_content,
                                                                                       action, logged):
    _published_demo(db, demo_content)
    action(db, demo_content)
    assert _content_kept(app) == ([1], []), "nothing is committed before the caller commits"
    db.rollback()
    assert _content_kept(app) == ([1], [])


@CONTENT_ACTIONS
def test_content_published_and_committed_keeps_the_version_with_its_entry(app, db, demo_content, action, logged):
    _published_demo(db, demo_content)
    action(db, demo_content)
    db.commit()
    assert _content_kept(app) == ([1, 2], [logged])
