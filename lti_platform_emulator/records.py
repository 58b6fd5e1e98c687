"""What the emulated Learn site holds: people, courses, links, grade columns and scores."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import constants as c


@dataclass
class Member:
    """A Learn user as NRPS describes them, with the roles they hold in one course."""

    user_id: str
    given_name: str
    family_name: str
    email: str
    roles: tuple[str, ...]
    sourcedid: str
    status: str = "Active"

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def to_nrps(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "name": self.name,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "email": self.email,
            "user_id": self.user_id,
            "lis_person_sourcedid": self.sourcedid,
            "roles": list(self.roles),
        }


@dataclass
class LineItem:
    """A grade-book column (AGS §3.2). Blackboard only shows the tool the columns it made."""

    id: str
    label: str
    score_maximum: float
    resource_link_id: str | None = None
    resource_id: str | None = None
    tag: str | None = None
    start_date_time: str | None = None
    end_date_time: str | None = None
    grades_released: bool = True

    def to_json(self, url: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": url,
            "label": self.label,
            "scoreMaximum": self.score_maximum,
            "gradesReleased": self.grades_released,
        }
        optional = {
            "resourceLinkId": self.resource_link_id,
            "resourceId": self.resource_id,
            "tag": self.tag,
            "startDateTime": self.start_date_time,
            "endDateTime": self.end_date_time,
        }
        body.update(
            {name: value for name, value in optional.items() if value is not None}
        )
        return body


@dataclass(frozen=True)
class Score:
    """One accepted score POST, kept exactly as sent, in arrival order."""

    user_id: str
    timestamp: datetime
    body: dict[str, Any]


@dataclass
class ResourceLink:
    """A placement in a course; launches from it carry its line item and custom params."""

    id: str
    title: str
    lineitem_id: str | None = None
    custom: dict[str, str] = field(default_factory=dict)
    url: str | None = None


@dataclass
class Course:
    """An LTI context with its roster and its AGS data."""

    id: str
    label: str
    title: str
    members: dict[str, Member] = field(default_factory=dict)
    resource_links: dict[str, ResourceLink] = field(default_factory=dict)
    lineitems: dict[str, LineItem] = field(default_factory=dict)
    scores: dict[str, list[Score]] = field(default_factory=dict)

    def claim(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "title": self.title,
            "type": [c.CONTEXT_TYPE_COURSE],
        }


@dataclass
class LaunchScenario:
    """Everything a launch will say, kept server-side under its lti_message_hint."""

    user_id: str
    roles: tuple[str, ...]
    context_id: str
    message_type: str
    resource_link_id: str | None
    target_link_uri: str
    custom: dict[str, str] = field(default_factory=dict)
    pii: bool = True
    ags: bool = True
    nrps: bool = True
    lti_storage_target: str | None = None
    extra_claims: dict[str, Any] = field(default_factory=dict)
    omit_claims: tuple[str, ...] = ()
    deep_link_data: str | None = None


DEFAULT_CONTEXT_ID = "btg-101"
GRADED_RESOURCE_LINK_ID = "rl-img-supervision"
UNGRADED_RESOURCE_LINK_ID = "rl-course-tool"


def sample_people() -> list[tuple[Member, bool]]:
    """The sample users, each with whether they are enrolled in the sample course.

    The administrator is deliberately not enrolled: on Blackboard such users can launch
    from admin placements but never appear in NRPS or receive grades.
    """
    learner = c.ROLE_PRESETS["learner"]
    return [
        (
            Member(
                "learner-1",
                "Amara",
                "Okafor",
                "amara.okafor@example.ac.uk",
                learner,
                "aokafor",
            ),
            True,
        ),
        (
            Member(
                "learner-2",
                "Tomasz",
                "Nowak",
                "tomasz.nowak@example.ac.uk",
                learner,
                "tnowak",
            ),
            True,
        ),
        (
            Member(
                "learner-3",
                "Priya",
                "Raman",
                "priya.raman@example.ac.uk",
                learner,
                "praman",
            ),
            True,
        ),
        (
            Member(
                "instructor-1",
                "Helen",
                "Carter",
                "helen.carter@example.ac.uk",
                c.ROLE_PRESETS["instructor"],
                "hcarter",
            ),
            True,
        ),
        (
            Member(
                "ta-1",
                "Samuel",
                "Osei",
                "samuel.osei@example.ac.uk",
                c.ROLE_PRESETS["teaching_assistant"],
                "sosei",
            ),
            True,
        ),
        (
            Member(
                "preview-1",
                "Helen",
                "Carter (Student Preview)",
                "",
                c.ROLE_PRESETS["student_preview"],
                "hcarter_previewuser",
            ),
            True,
        ),
        (
            Member(
                "admin-1",
                "Dana",
                "Whitfield",
                "dana.whitfield@example.ac.uk",
                c.ROLE_PRESETS["administrator"],
                "dwhitfield",
            ),
            False,
        ),
    ]


def sample_course() -> Course:
    """One course with a graded module link and an ungraded course-tool link."""
    course = Course(
        id=DEFAULT_CONTEXT_ID,
        label="BTG101",
        title="Bridging the Gaps: supervising doctors in training",
    )
    course.members = {m.user_id: m for m, enrolled in sample_people() if enrolled}
    course.lineitems["li-img-supervision"] = LineItem(
        id="li-img-supervision",
        label="Supervising international medical graduates",
        score_maximum=100,
        resource_link_id=GRADED_RESOURCE_LINK_ID,
        resource_id="img-supervision",
        tag="module",
    )
    course.resource_links[GRADED_RESOURCE_LINK_ID] = ResourceLink(
        id=GRADED_RESOURCE_LINK_ID,
        title="Supervising international medical graduates",
        lineitem_id="li-img-supervision",
        custom={"module": "img-supervision"},
    )
    course.resource_links[UNGRADED_RESOURCE_LINK_ID] = ResourceLink(
        id=UNGRADED_RESOURCE_LINK_ID, title="Bridging the Gaps"
    )
    return course
