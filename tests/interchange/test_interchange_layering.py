"""Interchange and certificates are domain code: no Flask, no Werkzeug, no pylti1p3, so commands can run them."""

from __future__ import annotations

import pytest

from lti_tool import REPO_ROOT
from lti_tool.content.interchange.qti import qti_id
from tests.content.test_layering import FORBIDDEN, imported_modules

DOMAIN_FILES = sorted((REPO_ROOT / "lti_tool" / "content" / "interchange").glob("*.py")) + [
    REPO_ROOT / "lti_tool" / "learning" / "certificates.py"]


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda path: path.name)
def test_domain_file_imports_neither_flask_nor_pylti1p3(path):
    bad = {name for name in imported_modules(path) if name.split(".")[0] in FORBIDDEN}
    assert not bad, f"{path.name} imports {bad}"


def test_qti_identifiers_are_our_ids_with_a_prefix_only_when_they_start_with_a_digit():
    assert qti_id("q-first") == "q-first"
    assert qti_id("1-first") == "id-1-first"
