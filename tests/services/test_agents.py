"""The agent's pause in the hotline queue, with a fake AMI: Asterisk's refusals become
the right answers (a 409 for a non-member, a 503 for anything else)."""

from __future__ import annotations

from typing import Any

import pytest

from callcenter.domain.users import Role, User
from callcenter.errors import TelephonyUnavailable
from callcenter.services.agents import NotInQueue, pause
from callcenter.telephony.ami import AmiActionFailed

AGENT = User(7, "li", "Li", Role.AGENT, "1001", "en")


class RefusingAmi:
    """Answers every action with the Message Asterisk would refuse it with."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.sent: list[dict[str, str]] = []

    async def send(self, action: dict[str, str], **_: Any) -> Any:
        self.sent.append(action)
        raise AmiActionFailed(f"AMI {action['Action']} refused: {self.message}",
                              action=action["Action"], reason=self.message)


@pytest.mark.parametrize("paused", [True, False])
async def test_pause_outside_the_queue_is_a_conflict(paused: bool) -> None:
    # app_queue's answer to QueuePause for an interface that is not a member.
    ami = RefusingAmi("Interface not found")
    with pytest.raises(NotInQueue) as caught:
        await pause(ami, AGENT, paused, "lunch")
    assert caught.value.http_status == 409
    assert caught.value.error_id == "not_in_queue"
    assert ami.sent[0]["Action"] == "QueuePause"


async def test_other_refusals_stay_telephony_errors() -> None:
    with pytest.raises(TelephonyUnavailable) as caught:
        await pause(RefusingAmi("Permission denied"), AGENT, True, "lunch")
    assert caught.value.http_status == 503
