"""Who may use the console, and the rules on their account fields."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from datetime import datetime

from callcenter.errors import ValidationError

_USERNAME = re.compile(r"^[a-z0-9_.-]{2,64}$")
_EXTENSION = re.compile(r"^[0-9]{2,8}$")
_MOBILE = re.compile(r"^\+[1-9][0-9]{6,14}$")
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
    # Set by an admin's password reset: the session may only change the password.
    must_change_password: bool = False
    # E.164; where the SMS of a late complaint step goes (docs/complaints.md).
    mobile: str | None = None

    @property
    def supervises(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN)

    @property
    def administers(self) -> bool:
        return self.role is Role.ADMIN

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "username": self.username, "display_name": self.display_name,
                "role": self.role.value, "extension": self.extension, "locale": self.locale,
                "must_change_password": self.must_change_password, "mobile": self.mobile}


@dataclass(frozen=True, slots=True)
class Account:
    """A user as an admin sees them: the account's state besides who they are."""

    user: User
    active: bool
    sessions: int  # unexpired sessions
    created_at: datetime

    def to_dict(self) -> dict[str, object]:
        return {**self.user.to_dict(), "active": self.active, "sessions": self.sessions,
                "created_at": self.created_at.isoformat()}


@dataclass(frozen=True, slots=True)
class AccountChange:
    """What an admin may change on an account; None leaves a field as it is, and
    ``clear_extension`` takes the extension away (a supervisor without a phone)."""

    display_name: str | None = None
    role: str | None = None
    extension: str | None = None
    clear_extension: bool = False
    locale: str | None = None
    mobile: str | None = None
    clear_mobile: bool = False

    def applied_to(self, user: User) -> User:
        """The account after the change, checked (ValidationError names the field)."""
        extension = None if self.clear_extension else (self.extension or user.extension)
        role = self.role or user.role.value
        locale = self.locale or user.locale
        check_account(role, extension, locale)
        display_name = user.display_name if self.display_name is None else (
            self.display_name.strip() or user.username)
        mobile = None if self.clear_mobile else (self.mobile or user.mobile)
        if mobile is not None and not _MOBILE.match(mobile):
            raise ValidationError("mobile: an E.164 number such as +8613800138000",
                                  field="mobile")
        return replace(user, display_name=display_name, role=Role(role),
                       extension=extension, locale=locale, mobile=mobile)


def check_new_user(username: str, role: str, extension: str | None, locale: str,
                   password: str) -> None:
    """Raise ValidationError naming the first field that is not acceptable."""
    if not _USERNAME.match(username):
        raise ValidationError(
            "username: 2-64 characters of a-z, 0-9, '.', '_' or '-'", field="username")
    check_account(role, extension, locale)
    check_password(password)


def check_account(role: str, extension: str | None, locale: str) -> None:
    """The fields an admin may change later: role, extension, locale."""
    if role not in Role.__members__.values():
        raise ValidationError(f"role: one of {', '.join(Role)}", field="role")
    if extension is not None and not _EXTENSION.match(extension):
        raise ValidationError("extension: 2-8 digits", field="extension")
    if role == Role.AGENT and extension is None:
        raise ValidationError("extension: an agent needs the extension of their phone",
                              field="extension")
    if locale not in LOCALES:
        raise ValidationError(f"locale: one of {', '.join(LOCALES)}", field="locale")


def check_password(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"{field}: at least {MIN_PASSWORD_LENGTH} characters", field=field)
