"""Who may use the console, and the rules on their account fields."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from callcenter.errors import ValidationError

_USERNAME = re.compile(r"^[a-z0-9_.-]{2,64}$")
_EXTENSION = re.compile(r"^[0-9]{2,8}$")
LOCALES = ("zh-CN", "en")
MIN_PASSWORD_LENGTH = 10


class Role(enum.StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class User:
    """The logged-in user, as every request sees them."""

    id: int
    username: str
    display_name: str
    role: Role
    extension: str | None
    locale: str

    @property
    def supervises(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN)

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "username": self.username, "display_name": self.display_name,
                "role": self.role.value, "extension": self.extension, "locale": self.locale}


def check_new_user(username: str, role: str, extension: str | None, locale: str,
                   password: str) -> None:
    """Raise ValidationError naming the first field that is not acceptable."""
    if not _USERNAME.match(username):
        raise ValidationError(
            "username: 2-64 characters of a-z, 0-9, '.', '_' or '-'", field="username")
    if role not in Role.__members__.values():
        raise ValidationError(f"role: one of {', '.join(Role)}", field="role")
    if extension is not None and not _EXTENSION.match(extension):
        raise ValidationError("extension: 2-8 digits", field="extension")
    if role == Role.AGENT and extension is None:
        raise ValidationError("extension: an agent needs the extension of their phone",
                              field="extension")
    if locale not in LOCALES:
        raise ValidationError(f"locale: one of {', '.join(LOCALES)}", field="locale")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"password: at least {MIN_PASSWORD_LENGTH} characters", field="password")
