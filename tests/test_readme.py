"""README starts with the two commands, and CI runs exactly the second."""

import re

from conftest import REPO


def commands():
    return re.findall(r"```sh\n(.+?)\n```", (REPO / "README.md").read_text(encoding="utf-8"))


def test_readme_starts_with_install_and_build_then_install_and_test():
    first, second = commands()[:2]
    assert first == ".ci/install && .venv/bin/sitegen build"
    assert second.startswith(".ci/install --test && ") and "pytest" in second


def test_ci_runs_readmes_test_command():
    lines = (REPO / ".ci/run").read_text().strip().splitlines()
    assert lines[-1] == commands()[1]
