"""The hotline's FastAGI route until the IVR menu exists: straight to the agent queue.

The dialplan contract (docs/asterisk.md): the route may set CC_IVR_CHOICE (what the
caller chose) and CC_NEXT ("queue" or "hangup"); if the route fails or the server is
down, the dialplan queues the call anyway.
"""

from __future__ import annotations

from callcenter.telephony.agi import AgiChannel


async def hotline_to_queue(channel: AgiChannel) -> None:
    await channel.set_variable("CC_IVR_CHOICE", "agent")
    await channel.set_variable("CC_NEXT", "queue")
