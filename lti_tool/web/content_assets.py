"""Images and PDFs of a module, served from that module's own folder to anyone with a live launch."""

from __future__ import annotations

import os

from flask import Blueprint, current_app, send_file
from werkzeug.security import safe_join

from ..content.assets import ASSET_ROUTE, asset_media_type, module_folder
from ..db import get_session
from ..errors import NotFound
from .auth import current_launch

bp = Blueprint("content_assets", __name__)


@bp.get(ASSET_ROUTE)
def module_asset(module_slug: str, filename: str):
    current_launch()
    folder = module_folder(get_session(), current_app.config["CONTENT_DIR"], module_slug)
    media_type = asset_media_type(filename)
    path = safe_join(str(folder), filename)
    if media_type is None or path is None or not os.path.isfile(path):
        raise NotFound("There is no such file.")
    response = send_file(path, mimetype=media_type, max_age=3600, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
