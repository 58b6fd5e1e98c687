"""Every setting the tool reads, with its default and meaning, in one place.

Settings are layered: these defaults, then a TOML file named by ``LTI_TOOL_CONFIG_FILE``, then
``LTI_TOOL_<NAME>`` environment variables, then test overrides passed to ``create_app``.
``config/settings.example.toml`` documents the same list; a test keeps the two in step.
"""

from __future__ import annotations

import os
import secrets
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

ENV_PREFIX = "LTI_TOOL_"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("ENV", "production", "`production` or `development`. Development turns on the local launch page "
            "and allows plain HTTP on loopback; never use it on a server others can reach."),
    Setting("SECRET_KEY", None, "Signs session cookies and CSRF tokens. Required in production; in development a "
            "random key is generated and kept in the instance folder.", secret=True),
    Setting("DATABASE_URL", None, "SQLAlchemy URL. Default: SQLite file `lti_tool.sqlite3` in the instance folder. "
            "Production: `postgresql+psycopg://user:password@host/dbname`."),
    Setting("BASE_URL", None, "Public base URL of the tool, e.g. `https://btg.example.ac.uk`. Used for the URLs "
            "given to platforms (login, redirect, JWKS). Default: taken from each request."),
    Setting("CONTENT_DIR", None, "Folder holding `modules/` and `quizzes/`. Default: the repository root."),
    Setting("PROXY_HOPS", 0, "Number of trusted reverse proxies setting X-Forwarded-* headers (0 = none)."),
    Setting("JWT_LEEWAY_SECONDS", 10, "Clock skew allowed when checking `iat`/`exp` of platform tokens."),
    Setting("OIDC_STATE_SECONDS", 600, "How long an OIDC state and nonce stay valid between login and launch."),
    Setting("LAUNCH_SECONDS", 28800, "How long a validated launch (the learner's session) stays usable."),
    Setting("JWKS_CACHE_SECONDS", 3600, "How long a platform's public keys are cached (re-fetched at once when a "
            "token names an unknown key id)."),
    Setting("KEY_GRACE_DAYS", 7, "After `keys rotate`, how long the previous tool key stays in the JWKS."),
    Setting("HTTP_TIMEOUT_SECONDS", 10, "Time-out for every call the tool makes to a platform."),
    Setting("GRADE_MAX_ATTEMPTS", 12, "Attempts before a grade send that keeps failing temporarily is marked failed."),
    Setting("GRADE_RETRY_BASE_SECONDS", 30, "First retry delay for a grade send; doubles each attempt, with jitter."),
    Setting("GRADE_RETRY_MAX_SECONDS", 3600, "Longest delay between two attempts of one grade send."),
    Setting("GRADE_CLAIM_SECONDS", 120, "How long a worker holds a grade send it has claimed; a worker that dies "
            "mid-send leaves a row that another worker retries after this."),
    Setting("WORKER_POLL_SECONDS", 5, "How often `grades worker` looks for grades to send."),
    Setting("LEARNER_RETENTION_DAYS", 2190, "How many days after their last activity a learner's records (progress, "
            "attempts, answers, reflections, certificates, delivered grade rows, enrolments, and people with nothing "
            "left) are removed by `data purge`. 0 keeps them until a person is erased. See docs/privacy.md."),
    Setting("ROSTER_CACHE_SECONDS", 900, "How long a course roster fetched through NRPS is reused."),
    Setting("RATE_LIMIT_LTI", "3000 per minute", "Rate limit per client address on the LTI login, launch, "
            "registration and certificate verification routes. NHS trusts send whole cohorts through a few shared "
            "addresses: the default admits 300 people launching from one address within a minute, several times."),
    Setting("RATE_LIMIT_LTI_USER", "30 per minute", "Rate limit per platform user (issuer and user id) on the LTI "
            "login and launch routes, on top of the limit per address."),
    Setting("RATE_LIMIT_STORAGE", "memory://", "Where rate-limit counters live. `memory://` counts per worker "
            "process; with several workers or hosts use `redis://host:6379` so they share one count."),
    Setting("FRAME_ANCESTORS", "", "Extra origins allowed to show the tool in a frame, space separated (the "
            "registered platforms and the sites they launched from are allowed already)."),
    Setting("LOG_LEVEL", "INFO", "Python logging level."),
)

DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}
KNOWN = frozenset(DEFAULTS)


class SettingsError(click.ClickException):
    """A setting is missing or malformed; the message says how to fix it. A ``ClickException``, so every
    ``flask --app lti_tool`` command that meets one prints that one line and exits with status 1."""


def _coerce(name: str, raw: str) -> Any:
    default = DEFAULTS[name]
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError as exc:
            raise SettingsError(f"{ENV_PREFIX}{name} must be a whole number, not {raw!r}") from exc
    return raw


def load_settings(environ: dict[str, str] | None = None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then the config file, then the environment, then explicit overrides."""
    environ = dict(os.environ if environ is None else environ)
    values = dict(DEFAULTS)
    config_file = environ.get(f"{ENV_PREFIX}CONFIG_FILE")
    if config_file:
        path = Path(config_file)
        if not path.is_file():
            raise SettingsError(f"{ENV_PREFIX}CONFIG_FILE names {path}, which does not exist")
        with path.open("rb") as fh:
            from_file = tomllib.load(fh)
        unknown = set(k.upper() for k in from_file) - KNOWN
        if unknown:
            raise SettingsError(f"{path}: unknown setting(s) {', '.join(sorted(unknown))}")
        values.update({k.upper(): v for k, v in from_file.items()})
        _refuse_secrets_in_file(path, {k.upper(): v for k, v in from_file.items()},
                                environ.get(f"{ENV_PREFIX}ENV", values["ENV"]))
    for name in KNOWN:
        if f"{ENV_PREFIX}{name}" in environ:
            values[name] = _coerce(name, environ[f"{ENV_PREFIX}{name}"])
    values.update({k.upper(): v for k, v in (overrides or {}).items()})
    if values["ENV"] not in {"production", "development", "testing"}:
        raise SettingsError(f"{ENV_PREFIX}ENV must be production or development, not {values['ENV']!r}")
    if values["ENV"] == "testing" and not under_pytest(environ):
        raise SettingsError(f"{ENV_PREFIX}ENV=testing is only for the test suite (no secret key needed, cookies "
                            "without Secure, no HSTS). Use production, or development on your own computer.")
    return values


def under_pytest(environ: dict[str, str]) -> bool:
    """The test suite itself, or a server it started (which inherits PYTEST_CURRENT_TEST)."""
    return "pytest" in sys.modules or bool(environ.get("PYTEST_CURRENT_TEST"))


def _refuse_secrets_in_file(path: Path, from_file: dict[str, Any], env: str) -> None:
    """In production, secrets come from the environment only: a config file is too easily committed or copied."""
    if env != "production":
        return
    secrets_found = [s.name for s in SETTINGS if s.secret and from_file.get(s.name)]
    url = str(from_file.get("DATABASE_URL") or "")
    if url:
        from sqlalchemy.engine import make_url

        if make_url(url).password:
            secrets_found.append("DATABASE_URL (it contains a password)")
    if secrets_found:
        raise SettingsError(f"{path} holds secrets ({', '.join(secrets_found)}). In production set them in the "
                            f"environment ({ENV_PREFIX}<NAME>) and remove them from the file.")


def ensure_secret_key(values: dict[str, Any], instance_path: Path) -> str:
    """Production must be given a key; development keeps a generated one in the instance folder."""
    if values.get("SECRET_KEY"):
        return str(values["SECRET_KEY"])
    if values["ENV"] == "production":
        raise SettingsError(
            f"{ENV_PREFIX}SECRET_KEY is not set. Generate one with "
            "`python -c 'import secrets; print(secrets.token_hex(32))'` and set it in the environment "
            f"(production is the default; on your own machine set {ENV_PREFIX}ENV=development)."
        )
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def example_toml() -> str:
    """The documented example config file, generated from SETTINGS (config/settings.example.toml)."""
    import textwrap

    lines = [
        "# Bridging the Gaps: every setting, with its default.",
        "# Copy this file, uncomment what you change, and point LTI_TOOL_CONFIG_FILE at it, or set the",
        "# environment variable LTI_TOOL_<NAME> instead (the environment wins over this file).",
        "# Secrets (SECRET_KEY, database passwords) belong in the environment, never in a file in git.",
        "",
    ]
    for setting in SETTINGS:
        lines.extend("# " + line for line in textwrap.wrap(setting.help, 100))
        default = setting.default
        shown = '""' if default is None else f'"{default}"' if isinstance(default, str) else str(default)
        lines.extend([f"# {setting.name.lower()} = {shown}", ""])
    return "\n".join(lines)
