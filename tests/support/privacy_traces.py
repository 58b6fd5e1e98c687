"""Learners who really used the tool: launched from the platform emulator, read a module, took its quiz (answers
and reflections), completed it and downloaded the certificate, all over loopback HTTP; and every trace of one
left in the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_platform_emulator import DEFAULT_CONTEXT_ID
from lti_tool.db import session_factory
from lti_tool.lti.outbox import OutboxSettings, run_until_idle
from lti_tool.models import Base, User
from tests.support.load_scenario import Recorder, launch_and_read, module_plan, start_quiz


@dataclass(frozen=True)
class Learner:
    sub: str
    given_name: str
    family_name: str
    email: str
    sourcedid: str
    user_id: int
    module_url: str

    def identifiers(self) -> list[str]:
        """Every string that would point at this person if found in the database."""
        return [self.sub, self.given_name, self.family_name, self.email, self.sourcedid,
                f"user:{self.user_id}", f"(user {self.user_id})"]


def learner_completes_module(world: Any, db: Session, sub: str, given_name: str, family_name: str) -> Learner:
    email, sourcedid = f"{sub}@hospital.example.nhs.uk", f"SRC-{sub}"
    world.platform_state.add_member(DEFAULT_CONTEXT_ID, sub, given_name, family_name, email=email,
                                    sourcedid=sourcedid, role="learner")
    recorder = Recorder()
    plan = module_plan(db)
    browser, module_url = launch_and_read(world.platform_state, plan, sub, recorder)
    for quiz in plan.quizzes:
        attempt_url, token, answers = start_quiz(browser, module_url, quiz, recorder)
        recorder.request("quiz submit", browser, "POST", attempt_url + "submit",
                         data={"csrf_token": token, **answers})
    certificate = browser.get(module_url + "/certificate.pdf", timeout=10)
    assert certificate.status_code == 200 and certificate.content.startswith(b"%PDF")
    user_id = db.scalars(select(User.id).where(User.sub == sub)).one()
    return Learner(sub, given_name, family_name, email, sourcedid, user_id, module_url)


def deliver_grades(app) -> None:
    run_until_idle(session_factory(app), OutboxSettings.from_config(app.config))


def traces_of(db: Session, learner: Learner) -> list[str]:
    """Every cell of every table that names the learner or points at their user row."""
    db.expire_all()
    needles = learner.identifiers()
    found = []
    for table in Base.metadata.sorted_tables:
        user_columns = {fk.parent.name for fk in table.foreign_keys if fk.column.table.name == "user_account"}
        for row in db.execute(select(table)).mappings():
            for column, value in row.items():
                if column in user_columns and value == learner.user_id:
                    found.append(f"{table.name}.{column} = {value}")
                elif table.name == "user_account" and column == "id" and value == learner.user_id:
                    found.append(f"user_account.id = {value}")
                elif any(needle in str(value) for needle in needles):
                    found.append(f"{table.name}.{column}: {str(value)[:120]}")
    return found
