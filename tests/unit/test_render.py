"""dialplans/render: the agents' phones come from one template, once per agent."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _render(dest: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "AMI_SECRET": "s", "SIP_PASSWORD": "p",
           "MODDIR": "/usr/lib/asterisk/modules", **variables}
    return subprocess.run([str(REPO / "dialplans" / "render"), str(REPO / "dialplans"),
                           str(dest)], capture_output=True, text=True, env=env, check=False)


def test_fifty_agents_by_default_each_on_its_phone_port(tmp_path: Path) -> None:
    done = _render(tmp_path)
    assert done.returncode == 0, done.stderr
    agents = (tmp_path / "pjsip_agents.conf").read_text()
    contacts = re.findall(r"^contact = sip:(\d+)@127\.0\.0\.1:(\d+)$", agents, re.M)
    assert contacts == [(str(n), str(16000 + n - 1000)) for n in range(1001, 1051)]
    assert agents.count("(agent-endpoint)") == agents.count("(agent-auth)") == 50
    assert "#include pjsip_agents.conf" in (tmp_path / "pjsip.conf").read_text()
    assert not list(tmp_path.glob("*.in")) and not list(tmp_path.glob("*.tmp"))


def test_the_number_of_agents_is_a_setting_below_one_hundred(tmp_path: Path) -> None:
    done = _render(tmp_path, AGENTS="3", PHONES_HOST="10.0.0.9")
    assert done.returncode == 0, done.stderr
    agents = (tmp_path / "pjsip_agents.conf").read_text()
    assert re.findall(r"^contact = (\S+)$", agents, re.M) == [
        "sip:1001@10.0.0.9:16001", "sip:1002@10.0.0.9:16002", "sip:1003@10.0.0.9:16003"]
    for wrong in ("0", "100", "5x"):
        refused = _render(tmp_path / wrong, AGENTS=wrong)
        assert refused.returncode != 0 and "AGENTS" in refused.stderr
