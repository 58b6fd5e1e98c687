"""The ceiling for the benchmarks: a bare Flask app (a 200 route and a trivial template), nothing else."""

from flask import Flask, render_template_string


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz() -> tuple[str, int]:
        return "ok", 200

    @app.get("/")
    def ok() -> tuple[str, int]:
        return "ok", 200

    @app.get("/template")
    def template() -> str:
        return render_template_string("<!doctype html><title>{{ title }}</title><p>{{ title }}</p>", title="Bare")

    return app
