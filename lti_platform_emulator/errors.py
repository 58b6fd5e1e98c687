"""The emulator's refusals, each mapped to the response a real platform would give."""


class PlatformError(Exception):
    """A refusal; `error` is the OAuth/LTI error code, `description` says what to fix."""

    status = 400

    def __init__(self, error: str, description: str, status: int | None = None) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        if status is not None:
            self.status = status


class ServiceError(PlatformError):
    """Refusal of a machine-to-machine call (token, AGS, NRPS): answered as JSON."""


class BrowserError(PlatformError):
    """Refusal of a browser step (login, auth, deep link return): answered as an HTML page."""
