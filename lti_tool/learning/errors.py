"""What can go wrong on a learner's way through a module, each with a message a person can act on."""

from __future__ import annotations

from ..errors import Conflict, NotFound, ToolError


class ModuleNotAvailable(NotFound):
    code = "module_not_available"
    title = "This module is not available here"

    def __init__(self, module_slug: str) -> None:
        super().__init__(f"There is no published module “{module_slug}” in this course.",
                         advice="Open the module from its link on your course page.")


class PageNotInModule(NotFound):
    code = "page_not_in_module"
    title = "Page not found"

    def __init__(self, page_slug: str) -> None:
        super().__init__(f"This module has no page “{page_slug}”.",
                         advice="Use the module's contents list to find the page you want.")


class QuizNotInModule(NotFound):
    code = "quiz_not_in_module"
    title = "Quiz not found"

    def __init__(self, quiz_slug: str) -> None:
        super().__init__(f"This module has no quiz “{quiz_slug}”.",
                         advice="Use the module's contents list to find the quiz.")


class AttemptNotFound(NotFound):
    code = "attempt_not_found"
    title = "Attempt not found"

    def __init__(self) -> None:
        super().__init__("We could not find that attempt at this quiz.",
                         advice="Go back to the quiz to see your attempts.")


class NoAttemptsLeft(Conflict):
    code = "no_attempts_left"
    title = "No attempts left"

    def __init__(self, allowed: int) -> None:
        super().__init__(f"This quiz allows {allowed} attempt{'s' if allowed != 1 else ''} and you have used "
                         "them all.", advice="Your best result counts. Ask your tutor if you need another attempt.")


class AttemptAlreadySubmitted(Conflict):
    code = "attempt_already_submitted"
    title = "This attempt has been submitted"

    def __init__(self) -> None:
        super().__init__("This attempt was already submitted, so its answers can no longer change.",
                         advice="Open your result to see how you did, or start a new attempt if you have one left.")


class UnknownQuestion(ToolError):
    code = "unknown_question"
    title = "That question is not part of this attempt"

    def __init__(self, question_slug: str) -> None:
        super().__init__(f"The question “{question_slug}” is not part of this attempt.",
                         advice="Reload the quiz page and answer again.")


class InvalidAnswer(ToolError):
    code = "invalid_answer"
    title = "That answer could not be saved"


class AnswersIncomplete(ToolError):
    """Raised on submit when questions are unanswered or invalid; ``errors`` maps question slug to a message."""

    code = "answers_incomplete"
    title = "There is a problem"

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Some questions need an answer before you can submit.")
        self.errors = errors
