"""The README's `manage.py` commands run as written from a fresh shell in the checkout: each
one's environment prefix is enough for the settings to load (the README once gave them bare, and
without DEBUG=1 the settings refuse to load for want of a SECRET_KEY)."""

import re
import shlex

from tests.conftest import ROOT
from tests.test_settings_deploy import base_environment, run_manage


def readme_manage_commands() -> list[list[str]]:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"^```sh\n(.*?)^```", readme, re.S | re.M)
    lines = [line.split("#", 1)[0] for block in blocks for line in block.splitlines()]
    # The compose stack's commands run in the image, with its environment.
    return [shlex.split(line) for line in lines if "manage.py" in line and "docker" not in line]


def test_each_readme_manage_command_loads_with_the_environment_it_is_given():
    commands = readme_manage_commands()
    assert {words[words.index("manage.py") + 1] for words in commands} >= {
        "import_author",
        "import_snapshot",
    }

    for words in commands:
        at = words.index("manage.py")
        prefix = dict(word.split("=", 1) for word in words[: at - 1])
        assert words[at - 1] == ".venv/bin/python"
        # --help loads the settings and the command, and touches no network or data.
        result = run_manage(words[at + 1], "--help", env=base_environment() | prefix)
        assert result.returncode == 0, f"{shlex.join(words)}:\n{result.stderr[-2000:]}"
