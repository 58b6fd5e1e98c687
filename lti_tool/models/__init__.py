"""Every table of the tool. Import from here; Alembic reads ``Base.metadata``."""

from .admin import AdminGrant, AuditEntry, Certificate, RegistrationInvite
from .base import Base, utcnow
from .content import Module, ModuleVersion, Option, Page, Question, Quiz, QuizVersion
from .grading import GradeStatus, GradeSync, LineItem
from .learning import Answer, Attempt, Edition, PageView, Progress, Reflection
from .lti import AccessToken, Deployment, OidcState, Platform, ToolKey
from .people import Course, Enrollment, Launch, ResourceLink, User

__all__ = [
    "AccessToken", "AdminGrant", "Answer", "Attempt", "AuditEntry", "Base", "Certificate", "Course", "Deployment",
    "Edition", "Enrollment", "GradeStatus", "GradeSync", "Launch", "LineItem", "Module", "ModuleVersion",
    "OidcState", "Option", "Page", "PageView", "Platform", "Progress", "Question", "Quiz", "QuizVersion",
    "Reflection", "RegistrationInvite", "ResourceLink", "ToolKey", "User", "utcnow",
]
