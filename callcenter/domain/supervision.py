"""Call supervision: listen, whisper and barge, and who may.

A supervisor joins an agent's live call from their own phone through Asterisk's
ChanSpy, spying on the agent's channel. What each mode lets through:

| mode    | the supervisor hears | the agent hears the supervisor | the customer does |
| ------- | -------------------- | ------------------------------ | ----------------- |
| listen  | both sides           | no                             | no                |
| whisper | both sides           | yes                            | no                |
| barge   | both sides           | yes                            | yes               |

The ChanSpy options of each mode are the dialplan's ([cc-supervise] in
dialplans/extensions.conf, one extension per mode); ``CHANSPY_OPTIONS`` states them
here too, and tests/unit/test_supervision.py checks that both say the same.
"""

from __future__ import annotations

import enum
import re

from callcenter.domain.users import User
from callcenter.errors import Forbidden


class Mode(enum.StrEnum):
    LISTEN = "listen"
    WHISPER = "whisper"
    BARGE = "barge"


MODES = tuple(mode.value for mode in Mode)

# q: no beep and no channel name spoken when the spy starts (the agent and the customer
# must not notice a listener); E: end when the spied-on channel hangs up, rather than
# look for another channel to spy on; S: end at once when there is no such channel
# (the call ended while the supervisor's phone was ringing).
# w: whisper into the spied-on (agent's) channel only; B: barge, into both channels of
# the bridge (the agent's and the customer's).
COMMON_OPTIONS = "qES"
CHANSPY_OPTIONS = {
    Mode.LISTEN: COMMON_OPTIONS,
    Mode.WHISPER: COMMON_OPTIONS + "w",
    Mode.BARGE: COMMON_OPTIONS + "B",
}

# What the supervisor's phone shows while it rings: the mode and the agent's phone.
_LABELS = {Mode.LISTEN: "Listen", Mode.WHISPER: "Whisper", Mode.BARGE: "Barge"}
_ENDPOINT = re.compile(r"^[A-Za-z]+/([^-]+)-")


def chanspy_options(mode: Mode) -> str:
    return CHANSPY_OPTIONS[mode]


def spy_caller_id(mode: Mode, channel: str) -> str:
    """The Originate's CallerID: ``"Whisper 1001" <1001>`` for PJSIP/1001-0000002a."""
    match = _ENDPOINT.match(channel)
    endpoint = match.group(1) if match else "agent"
    return f'"{_LABELS[mode]} {endpoint}" <{endpoint}>'


def check_may_supervise(user: User, agent_id: int | None) -> None:
    """Supervisors and admins may supervise any live call but their own."""
    check_supervises(user)
    if agent_id == user.id:
        raise Forbidden("you cannot supervise your own call")


def check_supervises(user: User) -> None:
    """Supervision (spying, forcing an agent's queue state) is for supervisors."""
    if not user.supervises:
        raise Forbidden("supervisors only")
