"""The AMI secret never reaches a log, on the very lines panoramisk writes.

panoramisk's AMIProtocol (the one our client runs, with its log pointed at
``callcenter.telephony.ami.protocol``) logs a whole Login action in two places:
``self.log.exception('Fail to send %r' % data)`` when the transport refuses the write
(the action's dict repr, ``'Secret': '...'``), and ``self.log.info('Adding action "%s"
to awaiting list: %s', ..., str(action))`` when the link closes with the action
unanswered (the wire text, ``Secret: ...``). Both are produced here by panoramisk's own
code, not retyped, with secrets that hold spaces, quotes and backslashes.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from callcenter.telephony.ami import _Link, _Protocol

SECRETS = ["hunter2", "two words", "it's \"quoted\"", "back\\slash and 'more'"]


class _Transport(asyncio.Transport):
    def __init__(self, broken: bool) -> None:
        super().__init__()
        self.broken = broken

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self.broken:
            raise OSError("the connection is gone")

    def close(self) -> None:
        pass


def _protocol(broken: bool) -> _Protocol:
    link = _Link(asyncio.Queue(), None, asyncio.get_running_loop().create_future())
    protocol = _Protocol(link)
    protocol.connection_made(_Transport(broken))
    return protocol


def _login(secret: str) -> dict[str, str]:
    return {"Action": "Login", "Username": "callcenter", "Secret": secret, "Events": "on"}


@pytest.mark.parametrize("secret", SECRETS)
async def test_a_failed_write_logs_the_action_without_its_secret(
        secret: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, "callcenter.telephony.ami"):
        _protocol(broken=True).send(_login(secret))
    [record] = [r for r in caplog.records if "Fail to send" in r.getMessage()]
    assert "'Secret': '***'" in record.getMessage()
    assert "'Username': 'callcenter'" in record.getMessage()  # the rest is still there
    assert secret not in caplog.text


@pytest.mark.parametrize("secret", SECRETS)
async def test_an_action_parked_at_close_is_logged_without_its_secret(
        secret: str, caplog: pytest.LogCaptureFixture) -> None:
    protocol = _protocol(broken=False)
    with caplog.at_level(logging.INFO, "callcenter.telephony.ami"):
        protocol.send(_login(secret))
        protocol.close()
    [record] = [r for r in caplog.records if "awaiting list" in r.getMessage()]
    assert "Secret: ***\r\n" in record.getMessage()
    assert "Username: callcenter" in record.getMessage()
    assert secret not in caplog.text
