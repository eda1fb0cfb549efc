"""The end-of-session secret scan (tests/harness/log_scan.py) finds what it must: a
secret in a log record, in a watched server log, in a sipp folder removed meanwhile,
and in what Asterisk wrote during the session, not before it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.console import AGENT_PASSWORD
from tests.harness import log_scan

AMI_SECRET = "ami-secret-value-42"
SIP_PASSWORD = "sip-password-value-7"


@pytest.fixture
def sandbox_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "asterisk-root"
    state = tmp_path / "asterisk-root-state"
    (root / "var" / "log" / "asterisk").mkdir(parents=True)
    state.mkdir()
    (state / "ami-secret").write_text(AMI_SECRET + "\n")
    (state / "sip-password").write_text(SIP_PASSWORD + "\n")
    monkeypatch.setenv("CALLCENTER_SANDBOX_DIR", str(root))
    monkeypatch.delenv("CALLCENTER_AMI_SECRET", raising=False)
    monkeypatch.delenv("CALLCENTER_SIP_PASSWORD", raising=False)
    return root


def test_every_kind_of_log_is_scanned(sandbox_dir: Path, tmp_path: Path) -> None:
    messages = sandbox_dir / "var" / "log" / "asterisk" / "messages.log"
    messages.write_text(f"an old line with {SIP_PASSWORD}, from before the session\n")
    scan = log_scan.begin()
    try:
        logging.getLogger("callcenter.test").info("logged in with %s", AGENT_PASSWORD)
        server_log = tmp_path / "server.log"
        server_log.write_text(f"Secret: {AMI_SECRET}\n")
        log_scan.watch(server_log)
        phone = tmp_path / "sipp-phone"
        phone.mkdir()
        (phone / "register-messages.log").write_text(f"-ap {SIP_PASSWORD}\n")
        log_scan.watch(phone)
        log_scan.keep(phone)
        (phone / "register-messages.log").unlink()
        with messages.open("a") as log:
            log.write(f"a new line with {AMI_SECRET}\n")
        log_scan.secret("temporary-pass-9")
        logging.getLogger("callcenter.test").warning("reset to temporary-pass-9")
        hits = scan.hits()
    finally:
        log_scan.end(scan)
        scan.remove()
    assert len(hits) == 5, hits
    assert any("the users' password" in h and "test process" in h for h in hits)
    assert any("the AMI secret" in h and "server.log" in h for h in hits)
    assert any("the SIP password" in h and "register-messages.log" in h for h in hits)
    assert any("the AMI secret" in h and "messages.log, line 1" in h for h in hits)
    assert any("a user's password" in h for h in hits)
    assert not any(s in h for h in hits for s in (AMI_SECRET, SIP_PASSWORD, AGENT_PASSWORD))


def test_a_clean_session_has_no_hits(sandbox_dir: Path) -> None:
    scan = log_scan.begin()
    try:
        logging.getLogger("callcenter.test").info("Secret: ***")
        assert scan.hits() == []
    finally:
        log_scan.end(scan)
        scan.remove()
