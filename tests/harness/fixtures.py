"""Real AMI frames saved as fixtures for the unit tests of the event translator."""

from __future__ import annotations

import os
from pathlib import Path

from tests.harness.ami import AmiClient

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ami"


def save_frames(name: str, client: AmiClient, since: int = 0) -> None:
    """With CALLCENTER_RECORD_AMI_FIXTURES=1, write the frames received (from index
    ``since``) to tests/fixtures/ami/<name>.txt exactly as Asterisk sent them."""
    if os.environ.get("CALLCENTER_RECORD_AMI_FIXTURES") != "1":
        return
    FIXTURES.mkdir(parents=True, exist_ok=True)
    (FIXTURES / f"{name}.txt").write_bytes(b"".join(f.raw for f in client.frames[since:]))
