"""SMS gateways: the adapters behind the outbox's ``SmsSender`` port (services/sms.py)."""

from __future__ import annotations

import logging

import aiohttp

from callcenter.services.sms import SmsDeliveryError, SmsSender, mask_phone
from callcenter.settings import Settings

log = logging.getLogger(__name__)


class LoggingSender:
    """For a center without an SMS gateway: records that a message would have gone out.

    The body is not logged: it holds the customer's name and what they bought.
    """

    async def send(self, phone: str, body: str, *, message_id: int, kind: str = "") -> None:
        log.info("SMS %d (%s) to %s, %d characters: no gateway configured, logged only",
                 message_id, kind or "sms", mask_phone(phone), len(body))


class WebhookSender:
    """POSTs ``{"id", "kind", "to", "body"}`` as JSON; any answer but 2xx is a failure."""

    def __init__(self, url: str, session: aiohttp.ClientSession, timeout: float = 10) -> None:
        self._url = url
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def send(self, phone: str, body: str, *, message_id: int, kind: str = "") -> None:
        payload = {"id": message_id, "kind": kind, "to": phone, "body": body}
        async with self._session.post(self._url, json=payload,
                                      timeout=self._timeout) as response:
            if not 200 <= response.status < 300:
                raise SmsDeliveryError(
                    f"SMS webhook answered HTTP {response.status} {response.reason or ''}"
                    .rstrip(), status=response.status)


def sender_from_settings(settings: Settings, session: aiohttp.ClientSession) -> SmsSender:
    if settings.sms_webhook_url:
        return WebhookSender(settings.sms_webhook_url, session)
    return LoggingSender()
