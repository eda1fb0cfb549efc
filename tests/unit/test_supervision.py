"""Call supervision's rules: the ChanSpy options per mode (the same in the domain and in
the dialplan), the supervisor's caller ID, who may supervise, and ChanSpy's AMI events
as recorded from the real Asterisk 22 (tests/fixtures/ami/chanspy_whisper.txt)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from callcenter.domain.call_events import SupervisionEnded
from callcenter.domain.supervision import (
    MODES,
    Mode,
    chanspy_options,
    check_may_supervise,
    check_supervises,
    spy_caller_id,
)
from callcenter.domain.users import Role, User
from callcenter.errors import Forbidden
from callcenter.http import replies, schemas
from callcenter.telephony.ami_events import WANTED_EVENTS, translate
from tests.frames import events

DIALPLAN = Path(__file__).resolve().parents[2] / "dialplans" / "extensions.conf"


def _user(role: Role, user_id: int = 7) -> User:
    return User(user_id, "zhao", "Zhao", role, "1008", "en")


def _context(name: str) -> str:
    text = DIALPLAN.read_text()
    return text.split(f"[{name}]\n", 1)[1].split("\n[", 1)[0]


def test_each_mode_has_its_options() -> None:
    assert chanspy_options(Mode.LISTEN) == "qES"
    assert chanspy_options(Mode.WHISPER) == "qESw"
    assert chanspy_options(Mode.BARGE) == "qESB"
    # Listening alone never talks into the call.
    assert not set("wWB") & set(chanspy_options(Mode.LISTEN))


def test_the_dialplan_runs_chanspy_with_the_domains_options() -> None:
    context = _context("cc-supervise")
    found = dict(re.findall(r"^exten = spy-(\w+),1,ChanSpy\(\$\{CC_SPY_CHANNEL\},(\w*)\)$",
                            context, re.M))
    assert found == {mode.value: chanspy_options(mode) for mode in Mode}
    assert "exten = s,1,Goto(spy-${CC_SPY_MODE},1)" in context
    assert "exten = i,1,Hangup()" in context  # an unknown mode spies on nothing


def test_the_api_offers_exactly_the_modes() -> None:
    assert get_args(schemas.SupervisionMode) == MODES == ("listen", "whisper", "barge")
    assert get_args(replies.Supervision.model_fields["mode"].annotation) == MODES


@pytest.mark.parametrize(("mode", "channel", "caller_id"), [
    (Mode.WHISPER, "PJSIP/1001-0000002a", '"Whisper 1001" <1001>'),
    (Mode.LISTEN, "PJSIP/1042-00000001", '"Listen 1042" <1042>'),
    (Mode.BARGE, "Local/odd", '"Barge agent" <agent>'),
])
def test_the_supervisors_phone_shows_the_mode_and_the_agent(mode: Mode, channel: str,
                                                             caller_id: str) -> None:
    assert spy_caller_id(mode, channel) == caller_id


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_supervisors_and_admins_may_supervise_another_agents_call(role: Role) -> None:
    check_supervises(_user(role))
    check_may_supervise(_user(role), agent_id=3)
    check_may_supervise(_user(role), agent_id=None)  # a call whose agent is not a user


def test_agents_may_not() -> None:
    with pytest.raises(Forbidden):
        check_supervises(_user(Role.AGENT))
    with pytest.raises(Forbidden):
        check_may_supervise(_user(Role.AGENT), agent_id=3)


def test_nobody_supervises_their_own_call() -> None:
    with pytest.raises(Forbidden, match="own call"):
        check_may_supervise(_user(Role.SUPERVISOR, user_id=3), agent_id=3)


def test_chanspy_stop_is_the_end_of_the_supervisors_leg() -> None:
    start, stop = events("chanspy_whisper")
    assert translate(start) is None  # the start is the Originate's: nothing to learn
    ended = translate(stop)
    assert ended == SupervisionEnded(1796144822.323739,
                                     "cc-spy-9ee297d1a6804bab998ac1962aa24eae",
                                     "PJSIP/1001-000000b7")
    assert "ChanSpyStop" in WANTED_EVENTS
    # What the supervisor's phone showed while it rang, as Asterisk reports it.
    assert stop["SpyerCallerIDName"] == "Whisper 1001"
    assert stop["SpyerExten"] == "spy-whisper"
