"""A web worker loads only what every request needs: exports, certificates and their fonts load on first use, and
so do the publisher (Markdown, YAML, the HTML sanitiser), Dynamic Registration (pylti1p3), key making (jwcrypto)
and the command-line groups, none of which a learner's launch or page uses."""

import subprocess
import sys

from lti_tool import REPO_ROOT

ONLY_ON_FIRST_USE = ("openpyxl", "fpdf", "uharfbuzz", "anyascii", "fontTools", "markdown", "bleach", "yaml",
                     "pygments", "pylti1p3", "jwcrypto")
OWN_MODULES_ON_FIRST_USE = ("lti_tool.content.publishing", "lti_tool.content.render", "lti_tool.content.validate",
                            "lti_tool.content.parse", "lti_tool.content.authoring.editing",
                            "lti_tool.lti.dynamic_registration", "lti_tool.cli.content_commands",
                            "lti_tool.cli.data_commands", "lti_tool.cli.grade_commands", "lti_tool.privacy.retention")


def test_building_the_app_leaves_spreadsheet_pdf_font_and_publishing_libraries_unloaded(tmp_path):
    probe = (
        "import sys\n"
        "from lti_tool import create_app\n"
        f"create_app({{'ENV': 'production', 'SECRET_KEY': 'probe', 'BASE_URL': 'https://tool.example',\n"
        f"            'DATABASE_URL': 'sqlite:///{tmp_path / 'probe.db'}'}})\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({ONLY_ON_FIRST_USE!r})))\n"
        f"print(sorted(set(sys.modules) & set({OWN_MODULES_ON_FIRST_USE!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["[]", "[]"]


def test_the_command_groups_still_load_when_a_command_line_names_them(tmp_path):
    probe = (
        "import click\n"
        "from lti_tool import create_app\n"
        f"app = create_app({{'ENV': 'development', 'SECRET_KEY': 'probe',\n"
        f"                  'DATABASE_URL': 'sqlite:///{tmp_path / 'probe.db'}'}})\n"
        "ctx = click.Context(app.cli)\n"
        "names = app.cli.list_commands(ctx)\n"
        "print(' '.join(names))\n"
        "print(' '.join(sorted(app.cli.get_command(ctx, 'content').commands)))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    groups, content_commands = result.stdout.splitlines()
    assert {"admin", "content", "data", "db", "grades", "keys", "platform", "quiz"} <= set(groups.split())
    assert "publish" in content_commands.split()
