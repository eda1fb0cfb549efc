import pytest

from callcenter.domain.users import check_new_user
from callcenter.errors import ValidationError
from callcenter.services.passwords import hash_password, verify_password


def test_password_hash_round_trip() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("scrypt$") and "correct horse" not in stored
    assert verify_password("correct horse", stored)
    assert not verify_password("wrong horse", stored)
    assert not verify_password("x", "garbage")


@pytest.mark.parametrize(("args", "field"), [
    (("Bad Name", "agent", "1001", "zh-CN", "x" * 12), "username"),
    (("li", "boss", None, "zh-CN", "x" * 12), "role"),
    (("li", "agent", None, "zh-CN", "x" * 12), "extension"),
    (("li", "agent", "10a", "zh-CN", "x" * 12), "extension"),
    (("li", "supervisor", None, "fr", "x" * 12), "locale"),
    (("li", "supervisor", None, "en", "short"), "password"),
])
def test_new_user_rules(args: tuple, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_new_user(*args)
    assert caught.value.details["field"] == field


def test_a_supervisor_needs_no_extension() -> None:
    check_new_user("wang.li", "supervisor", None, "en", "x" * 12)



def test_an_account_change_keeps_what_it_does_not_name() -> None:
    from callcenter.domain.users import AccountChange, Role, User

    li = User(7, "li", "Li", Role.AGENT, "1001", "en")
    assert AccountChange(locale="zh-CN").applied_to(li) == User(
        7, "li", "Li", Role.AGENT, "1001", "zh-CN")
    boss = AccountChange(role="supervisor", clear_extension=True, display_name=" ")
    assert boss.applied_to(li) == User(7, "li", "li", Role.SUPERVISOR, None, "en")
    with pytest.raises(ValidationError) as caught:
        AccountChange(clear_extension=True).applied_to(li)  # an agent needs a phone
    assert caught.value.details["field"] == "extension"
