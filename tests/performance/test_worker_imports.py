"""A web worker loads only what every request needs: exports, certificates and their fonts load on first use."""

import subprocess
import sys

from lti_tool import REPO_ROOT

ONLY_ON_FIRST_USE = ("openpyxl", "fpdf", "uharfbuzz", "anyascii", "fontTools")


def test_building_the_app_leaves_spreadsheet_pdf_and_font_libraries_unloaded(tmp_path):
    probe = (
        "import sys\n"
        "from lti_tool import create_app\n"
        f"create_app({{'ENV': 'production', 'SECRET_KEY': 'probe', 'BASE_URL': 'https://tool.example',\n"
        f"            'DATABASE_URL': 'sqlite:///{tmp_path / 'probe.db'}'}})\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({ONLY_ON_FIRST_USE!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
