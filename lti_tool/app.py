"""The application factory: the one place that builds the Flask app (``flask --app lti_tool`` finds it through
the package's lazy ``create_app``), kept out of the package's ``__init__`` so the domain imports without Flask."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

from . import REPO_ROOT, db
from .settings import ensure_secret_key, load_settings


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: settings, database, security, blueprints, CLI. No network, no migrations."""
    app = Flask("lti_tool", instance_relative_config=True)
    settings = load_settings(overrides=test_config)
    instance_path = Path(app.instance_path)
    app.config.update(settings)
    app.config["SECRET_KEY"] = ensure_secret_key(settings, instance_path)
    if not app.config["DATABASE_URL"]:
        instance_path.mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = db.default_database_url(app.instance_path)
    app.config["CONTENT_DIR"] = str(Path(app.config["CONTENT_DIR"] or REPO_ROOT).resolve())
    app.config["DEVELOPMENT"] = app.config["ENV"] == "development"
    logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)

    db.init_app(app)

    from .lti.gradebook import connect as connect_grade_book

    connect_grade_book()

    from .web import init_web

    init_web(app)

    from .cli import register_cli

    register_cli(app)
    return app
