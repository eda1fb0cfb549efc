"""Handling tips per customer temperament, shown on the screen-pop (zh-CN and en)."""

from __future__ import annotations

TIPS: dict[str, dict[str, str]] = {
    "decisive": {
        "zh-CN": "直奔主题，给出明确方案和时间，少寒暄。",
        "en": "Get to the point: a clear proposal and a time, little small talk.",
    },
    "sociable": {
        "zh-CN": "热情回应，先拉近关系再谈事情，多肯定。",
        "en": "Be warm, build rapport before business, acknowledge often.",
    },
    "analytical": {
        "zh-CN": "提供数据和依据，回答要准确，不要夸大。",
        "en": "Give facts and reasons; answer precisely, never overstate.",
    },
    "venting": {
        "zh-CN": "先耐心倾听、不打断，表示理解后再给解决办法。",
        "en": "Listen patiently without interrupting; show understanding before solutions.",
    },
    "cautious": {
        "zh-CN": "放慢节奏，说明每一步，给客户考虑的时间。",
        "en": "Slow down, explain each step, give time to decide.",
    },
}


def tips_for(temperament: str | None) -> dict[str, str] | None:
    return TIPS.get(temperament or "")
