"""The texts of the SMS messages customers receive, in Chinese (default) and English.

All wording lives in ``TEXTS`` so that it can be reviewed and translated in one place.
A dealer name becomes the 【signature】 that Chinese carriers require on every business
SMS. ``when`` is printed as given: callers pass it in the dealership's time zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache

DEFAULT_LOCALE = "zh-CN"

TEXTS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "signature": "【{dealer}】",
        "greeting": "尊敬的{name}，您好！",
        "greeting_no_name": "尊敬的客户，您好！",
        "hotline": "客服热线{hotline}",
        # SMS follow-ups: the customer was unreachable three times, or asked not to be
        # called. The wording must not mention calls that a do-not-disturb customer never got.
        "followup.sales": "感谢您在我店购车。为了解您对购车服务的满意度，",
        "followup.service": "感谢您近期到店维修保养。为了解您对本次售后服务的满意度，",
        "followup.complaint_check": "您反映的问题已处理完毕。为了解您对处理结果是否满意，",
        "followup.maintenance_reminder": "您的爱车即将到达保养时间。为方便您安排保养，",
        "followup.win_back": "感谢您一直以来的支持，我们为您准备了专属的到店关怀。",
        "followup.dormant_prospect": "感谢您曾关注我们的车型，最新车型和购车优惠已更新。",
        "followup.ask": "请直接回复本短信，或致电{hotline}与我们联系。祝您生活愉快！",
        "appointment_confirmation": "{car}已预约于{when}到店，请准时光临。"
                                    "如需改约或取消，请致电{hotline}。",
        "appointment_cancelled": "{car}原定于{when}的到店预约已取消。"
                                 "如需重新预约，请致电{hotline}。",
        # Greetings (docs/greetings.md): a birthday, or the day's holidays named together.
        "greeting.birthday": "今天是您的生日，祝您生日快乐，身体健康，万事如意！",
        "greeting.holiday": "值此{holidays}到来之际，祝您和家人节日快乐，阖家幸福！",
        "greeting.closing": "用车如有需要，欢迎致电{hotline}。",
        "holiday.new_year": "元旦",
        "holiday.spring_festival": "春节",
        "holiday.lantern_festival": "元宵节",
        "holiday.dragon_boat": "端午节",
        "holiday.mid_autumn": "中秋节",
        "holiday.national_day": "国庆节",
        "holiday.and": "、",
        "car": "您的爱车{plate}",
        "when": "{month}月{day}日（周{weekday}）{time}",
        "weekdays": "一 二 三 四 五 六 日",
        "months": "1 2 3 4 5 6 7 8 9 10 11 12",
        # To the complaint's owner (staff), when a step of the 2-1-2-3 rule is late.
        "complaint_overdue": "投诉{id}（客户{customer}）的“{step}”已超时，请尽快处理。",
        "step.first_contact": "首次联系",
        "step.reply": "答复客户",
        "step.management_reply": "管理层答复",
        "step.check_call": "回访",
    },
    "en": {
        "signature": "[{dealer}] ",
        "greeting": "Dear {name}, ",
        "greeting_no_name": "Dear customer, ",
        "hotline": "our hotline {hotline}",
        "followup.sales": "thank you for buying your car with us. "
                          "We would like to hear how satisfied you are with your purchase: ",
        "followup.service": "thank you for your recent service visit. "
                            "We would like to hear how satisfied you are with it: ",
        "followup.complaint_check": "the issue you reported has been resolved. "
                                    "We would like to hear whether you are satisfied: ",
        "followup.maintenance_reminder": "your car is nearly due for maintenance. "
                                         "To book a visit: ",
        "followup.win_back": "thank you for your loyalty; we have a service offer "
                             "waiting for you: ",
        "followup.dormant_prospect": "thank you for your interest in our cars. "
                                     "To hear about new models and offers: ",
        "followup.ask": "please reply to this message or call {hotline}. Thank you!",
        "appointment_confirmation": "{car} is booked in for {when}. "
                                    "To change or cancel, please call {hotline}.",
        "appointment_cancelled": "the visit of {car} on {when} is cancelled. "
                                 "To book again, please call {hotline}.",
        "greeting.birthday": "happy birthday! We wish you health and happiness in the "
                             "year ahead. ",
        "greeting.holiday": "our warmest wishes to you and your family for {holidays}! ",
        "greeting.closing": "Whenever your car needs us, call {hotline}.",
        "holiday.new_year": "New Year's Day",
        "holiday.spring_festival": "the Spring Festival",
        "holiday.lantern_festival": "the Lantern Festival",
        "holiday.dragon_boat": "the Dragon Boat Festival",
        "holiday.mid_autumn": "the Mid-Autumn Festival",
        "holiday.national_day": "National Day",
        "holiday.and": " and ",
        "car": "your car {plate}",
        "when": "{weekday} {day} {month} {time}",
        "weekdays": "Mon Tue Wed Thu Fri Sat Sun",
        "months": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
        "complaint_overdue": "Complaint {id} (customer {customer}): the {step} is overdue. "
                             "Please act now.",
        "step.first_contact": "first contact",
        "step.reply": "reply to the customer",
        "step.management_reply": "management reply",
        "step.check_call": "check call",
    },
}


def followup_sms(customer_name: str, kind: str, locale: str = DEFAULT_LOCALE,
                 dealer: str = "", hotline: str = "") -> str:
    """The SMS sent instead of a follow-up call, for a follow-up task of ``kind``."""
    texts = _texts(locale)
    if f"followup.{kind}" not in texts:
        raise ValueError(f"no SMS text for follow-ups of kind {kind!r}")
    body = texts[f"followup.{kind}"] + texts["followup.ask"].format(
        hotline=_hotline(texts, hotline))
    return _message(texts, customer_name, body, dealer)


def greeting_sms(customer_name: str, occasions: Sequence[str],
                 locale: str = DEFAULT_LOCALE, dealer: str = "", hotline: str = "") -> str:
    """A greeting: ``("birthday",)``, or the holidays of the day by their names in
    ``callcenter.domain.greetings.Occasion`` (``("national_day", "mid_autumn")``)."""
    texts = _texts(locale)
    return _message(texts, customer_name, _greeting_body(locale, tuple(occasions), hotline),
                    dealer)


@cache
def _greeting_body(locale: str, occasions: tuple[str, ...], hotline: str) -> str:
    # The same for every customer of a day: a holiday greets them all at once.
    texts = _texts(locale)
    if occasions == ("birthday",):
        wish = texts["greeting.birthday"]
    else:
        unknown = [o for o in occasions if f"holiday.{o}" not in texts]
        if unknown or not occasions:
            raise ValueError(f"no SMS text for the occasions {list(occasions)!r}")
        names = texts["holiday.and"].join(texts[f"holiday.{o}"] for o in occasions)
        wish = texts["greeting.holiday"].format(holidays=names)
    return wish + texts["greeting.closing"].format(hotline=_hotline(texts, hotline))


def appointment_confirmation(customer_name: str, when: datetime, plate: str | None,
                             locale: str = DEFAULT_LOCALE, dealer: str = "",
                             hotline: str = "") -> str:
    """The confirmation of a booked service appointment (IVR or agent)."""
    return _appointment("appointment_confirmation", customer_name, when, plate, locale,
                        dealer, hotline)


def appointment_cancelled(customer_name: str, when: datetime, plate: str | None,
                          locale: str = DEFAULT_LOCALE, dealer: str = "",
                          hotline: str = "") -> str:
    """The notice that a service appointment was cancelled."""
    return _appointment("appointment_cancelled", customer_name, when, plate, locale,
                        dealer, hotline)


def complaint_overdue(complaint_id: int, customer_name: str, step: str,
                      locale: str = DEFAULT_LOCALE, dealer: str = "") -> str:
    """The SMS to a complaint's owner when one of its steps is overdue."""
    texts = _texts(locale)
    body = texts["complaint_overdue"].format(id=complaint_id, customer=customer_name.strip(),
                                             step=texts[f"step.{step}"])
    signature = texts["signature"].format(dealer=dealer.strip()) if dealer.strip() else ""
    return signature + body


def _appointment(key: str, customer_name: str, when: datetime, plate: str | None,
                 locale: str, dealer: str, hotline: str) -> str:
    texts = _texts(locale)
    car = texts["car"].format(plate=(plate or "").strip()).strip()
    body = texts[key].format(car=car, when=_when(texts, when),
                             hotline=_hotline(texts, hotline))
    return _message(texts, customer_name, body, dealer)


def _texts(locale: str) -> dict[str, str]:
    if locale not in TEXTS:
        raise ValueError(f"no SMS texts in locale {locale!r}")
    return TEXTS[locale]


def _hotline(texts: dict[str, str], number: str) -> str:
    return texts["hotline"].format(hotline=number.strip()).strip()


def _message(texts: dict[str, str], customer_name: str, body: str, dealer: str) -> str:
    name = customer_name.strip()
    greeting = texts["greeting"].format(name=name) if name else texts["greeting_no_name"]
    signature = texts["signature"].format(dealer=dealer.strip()) if dealer.strip() else ""
    return signature + greeting + body


def _when(texts: dict[str, str], when: datetime) -> str:
    # Names from the table, not strftime's %a/%b, which follow the process's C locale.
    return texts["when"].format(weekday=texts["weekdays"].split()[when.weekday()],
                                month=texts["months"].split()[when.month - 1],
                                day=when.day, time=f"{when:%H:%M}")
