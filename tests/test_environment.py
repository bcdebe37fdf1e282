"""environment.yml, pyproject.toml and requirements.lock agree."""

import re
import tomllib

import yaml
from conftest import ROOT
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + project["optional-dependencies"]["test"]
    return {canonicalize_name(Requirement(d).name): str(Requirement(d).specifier) for d in deps}


def environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    entries = []
    for item in env["dependencies"]:
        if isinstance(item, dict):
            entries += [p for p in item["pip"] if not p.startswith("-")]
        elif not re.match(r"^(python|pip)([=<> ]|$)", item):
            entries.append(item)
    return {canonicalize_name(Requirement(e).name): str(Requirement(e).specifier) for e in entries}


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    return pins


def test_environment_yml_lists_exactly_the_pyproject_dependencies():
    assert environment_requirements() == pyproject_requirements()


def test_environment_yml_pins_python_311():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]


def test_lock_pins_every_dependency_inside_its_range():
    pins = lock_pins()
    for name, spec in pyproject_requirements().items():
        assert name in pins, f"{name} is not pinned in requirements.lock"
        assert Requirement(f"{name}{spec}").specifier.contains(pins[name]), (name, pins[name], spec)


def test_lock_pins_are_exact():
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line.startswith("#"):
            continue
        assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+\-]+", line), line
