"""The launch step (LTI Core §5; Security Framework §5.1.3): validate the id_token posted to ``/lti/launch`` with
the functions of :mod:`.validation`, then record who launched from where with :mod:`.recording`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy.orm import Session

from . import validation
from .context import LaunchContext, LaunchSettings
from .recording import record_launch


def validate_launch(session: Session, form: Mapping[str, str], cookies: Mapping[str, str],
                    settings: LaunchSettings, *, storage_checked: bool = False,
                    handoff_token: str | None = None) -> LaunchContext:
    """Validate the POSTed id_token and record the launch, in one transaction the caller commits (the consumed
    nonce with it).

    ``storage_checked``: the tool's own page found the state in the platform's storage and re-posted the
    launch from the tool's origin (the caller checks the Origin header), standing in for the state cookie.
    ``handoff_token``: the one-time token the first page (or ``/lti/resume``) takes (from
    :func:`.launches.issue_handoff`).
    Raises :class:`.validation.NeedsPlatformStorage` when the state must first be checked in the platform's
    storage.
    """
    state = validation.check_state(session, form, cookies, storage_checked)
    id_token = form["id_token"]
    header, body = validation.unverified_parts(id_token)
    platform = validation.check_registration(session, state, body)
    validation.check_signature(session, platform, id_token, header, body, settings)
    validation.consume_nonce(session, state, body)
    deployment = validation.active_deployment(session, platform, body)
    validation.check_message(body)
    # The id pylti1p3 gave launches, kept so ids stay alike across the upgrade.
    launch_id = "lti1p3-launch-" + str(uuid.uuid4())
    return record_launch(session, platform, deployment, body, launch_id, settings, handoff_token=handoff_token)
