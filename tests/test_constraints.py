"""A fresh machine installs what CI tested: constraints.txt pins every package `make run` and
`make test` install (the Makefile installs with -c constraints.txt), and this environment has
exactly those versions."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pinned() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    return {_name(n): v for n, v in (line.split("==") for line in lines
                                     if line.strip() and not line.startswith("#"))}


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_dependency_and_test_tool_is_pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    missing = sorted({_name(r) for r in wanted} - set(pinned()))
    assert not missing, f"not in constraints.txt: {missing}"


def test_the_makefile_installs_with_the_constraints():
    assert "-c constraints.txt" in (ROOT / "Makefile").read_text()


def test_this_environment_has_the_pinned_versions():
    differ = {name: (version, metadata.version(name)) for name, version in pinned().items()
              if _installed(name) and metadata.version(name) != version}
    assert not differ, f"installed versions differ from constraints.txt: {differ}"


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True
