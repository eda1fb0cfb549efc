"""The Mandarin the hotline speaks, as the tone-numbered pinyin espeak-ng is given
(telephony/prompt_text.py): every prompt, the numbers, and the dates, times and plates
that Asterisk's zh ``say`` composes from the say-zh.txt files (modelled on main/say.c)."""

from __future__ import annotations

from datetime import date, time

import pytest

from callcenter.domain import ivr
from callcenter.domain.ivr import Language
from callcenter.telephony import prompt_text
from callcenter.telephony.prompt_text import chinese_number, normalize_numbers, to_pinyin

EN = "en-us"
ZH = "cmn-latn-pinyin"
NAME = "华通汽车"
# What espeak-ng is given for each Mandarin prompt, the greeting naming 华通汽车.
EXPECTED = {
    "welcome": "huan1 ying2 zhi4 dian4 hua2 tong1 qi4 che1 shou4 hou4 fu2 wu4 re4 xian4.",
    "welcome-back": "huan1 ying2 zai4 ci4 zhi4 dian4 hua2 tong1 qi4 che1.",
    "closed-now": "wo3 men5 xian4 zai4 yi3 jing1 xia4 ban1, nin2 reng2 ran2 ke2 yi3 yu4 yue1 "
                  "bao3 yang3 wei2 xiu1.",
    "main-menu": "yu4 yue1 bao3 yang3 wei2 xiu1 qing3 an4 yi1, cha2 xun2 huo4 qu3 xiao1 yu4 "
                 "yue1 qing3 an4 er4, tou2 su4 qing3 an4 san1, ren2 gong1 fu2 wu4 qing3 an4 "
                 "ling2.",
    "identify": "qing3 shu1 ru4 nin2 de5 shou3 ji1 hao4 ma3, huo4 zhe3 che1 pai2 hao4 ma3 "
                "zhong1 de5 shu4 zi4, yi3 jing3 hao4 jian4 jie2 shu4.",
    "not-found": "bao4 qian4, mei2 you3 zhao3 dao4 nin2 de5 xin4 xi1.",
    "no-vehicle": "nin2 ming2 xia4 mei2 you3 deng1 ji4 de5 che1 liang4.",
    "choose-vehicle": "qing3 xuan3 ze2 che1 liang4.",
    "choose-day": "qing3 xuan3 ze2 ri4 qi1.",
    "choose-time": "qing3 xuan3 ze2 shi2 jian1.",
    "press": "an4",
    "for": "xuan3 ze2",
    "your-choice": "qing3 nin2 xuan3 ze2.",
    "no-free-time": "bao4 qian4, ben3 zhou1 yi3 jing1 mei2 you3 kong4 xian2 shi2 jian1.",
    "appointment": "nin2 de5 yu4 yue1 ri4 qi1,",
    "at": "shi2 jian1,",
    "car": "che1 liang4,",
    "two-oclock": "liang3 dian3",
    "confirm": "que4 ren4 qing3 an4 yi1, fan3 hui2 qing3 an4 er4.",
    "booked": "yu4 yue1 cheng2 gong1, shao1 hou4 nin2 hui4 shou1 dao4 que4 ren4 duan3 xin4. "
              "zai4 jian4.",
    "slot-taken": "bao4 qian4, zhe4 ge5 shi2 jian1 gang1 gang1 bei4 yue1 man3 le5. xia4 yi2 "
                  "ge4 kong4 xian2 shi2 jian1 shi4,",
    "already-booked": "zhe4 liang4 che1 zai4 zhe4 ge5 shi2 jian1 yi3 jing1 you3 yu4 yue1 le5.",
    "no-appointments": "nin2 mu4 qian2 mei2 you3 yu4 yue1.",
    "cancel-or-keep": "qu3 xiao1 yu4 yue1 qing3 an4 yi1, bao3 liu2 yu4 yue1 qing3 an4 er4.",
    "cancelled": "nin2 de5 yu4 yue1 yi3 jing1 qu3 xiao1. zai4 jian4.",
    "goodbye": "gan3 xie4 nin2 de5 lai2 dian4, zai4 jian4.",
    "invalid": "bao4 qian4, nin2 de5 an4 jian4 wu2 xiao4.",
    "transfer": "qing3 shao1 hou4, zheng4 zai4 zhuan3 jie1.",
    "province-beijing": "jing1", "province-tianjin": "jin1", "province-shanghai": "hu4",
    "province-chongqing": "yu2", "province-hebei": "ji4", "province-henan": "yu4",
    "province-yunnan": "yun2", "province-liaoning": "liao2", "province-heilongjiang": "hei1",
    "province-hunan": "xiang1", "province-anhui": "wan3", "province-shandong": "lu3",
    "province-xinjiang": "xin1", "province-jiangsu": "su1", "province-zhejiang": "zhe4",
    "province-jiangxi": "gan4", "province-hubei": "e4", "province-guangxi": "gui4",
    "province-gansu": "gan1", "province-shanxi": "jin4", "province-neimenggu": "meng2",
    "province-shaanxi": "shan3", "province-jilin": "ji2", "province-fujian": "min3",
    "province-guizhou": "gui4", "province-guangdong": "yue4", "province-qinghai": "qing1",
    "province-xizang": "zang4", "province-sichuan": "chuan1", "province-ningxia": "ning2",
    "province-hainan": "qiong2",
}
PROMPTS = {p.name: p for p in prompt_text.read_prompts()}
SAY = prompt_text.read_say_files()


def _zh(name: str) -> list[tuple[str, str]]:
    return prompt_text.spoken(PROMPTS[name].chinese.replace(prompt_text.DEALERSHIP_MARK, NAME))


@pytest.mark.parametrize("name", sorted(set(PROMPTS) - {"other-language"}))
def test_every_mandarin_prompt_becomes_the_expected_pinyin(name: str) -> None:
    assert _zh(name) == [(ZH, EXPECTED[name])]


def test_every_prompt_has_its_expected_pinyin() -> None:
    assert set(EXPECTED) | {"other-language"} == ivr.PROMPTS


def test_each_set_offers_the_other_language_in_that_language() -> None:
    assert _zh("other-language") == [(EN, "For English, press 9.")]
    assert prompt_text.spoken(PROMPTS["other-language"].english) == [
        (ZH, "pu3 tong1 hua4 fu2 wu4 qing3 an4 jiu3.")]


def test_the_english_greeting_says_the_chinese_name_in_mandarin() -> None:
    text = PROMPTS["welcome"].english.replace(prompt_text.DEALERSHIP_MARK, NAME)
    assert prompt_text.spoken(text) == [(EN, "Welcome to the"), (ZH, "hua2 tong1 qi4 che1"),
                                        (EN, "service hotline.")]


@pytest.mark.parametrize(("n", "words"), [
    (0, "零"), (7, "七"), (10, "十"), (15, "十五"), (20, "二十"), (25, "二十五"),
    (100, "一百"), (105, "一百零五"), (110, "一百一十"), (2000, "两千"), (2026, "两千零二十六"),
    (10000, "一万"), (20000, "两万"), (10001, "一万零一"), (100000, "十万"),
    (12345678, "一千二百三十四万五千六百七十八")])
def test_chinese_numbers(n: int, words: str) -> None:
    assert chinese_number(n) == words


def test_numbers_in_text_become_words_first() -> None:
    assert normalize_numbers("请按9") == "请按九"
    assert normalize_numbers("30分钟") == "三十分钟"
    assert normalize_numbers("拨打0755") == "拨打零七五五"
    assert normalize_numbers("13800138000") == "一三八零零一三八零零零"
    assert to_pinyin("请在30分钟内到店。") == "qing3 zai4 san1 shi2 fen1 zhong1 nei4 dao4 dian4."


# -- what Asterisk's zh say composes (main/say.c ast_say_date_with_format_zh) ------------


def _day_files(day: int) -> list[str]:
    if day % 10 == 0 or day < 10:
        return [f"digits/{day}"]
    return [f"digits/{day - day % 10}", f"digits/{day % 10}"]


def zh_date_files(day: date) -> list[str]:
    """Format BdA: month, day of month + "day", weekday (say.c: tm_wday, Sunday 0)."""
    assert ivr.date_format(Language.ZH) == "BdA"
    return [f"digits/mon-{day.month - 1}", *_day_files(day.day), "digits/day",
            f"digits/day-{day.isoweekday() % 7}"]


def zh_time_files(at: time) -> list[str]:
    files = []
    for code in ivr.time_format(Language.ZH, at).split("'")[::2]:
        for letter in code:
            if letter == "p":
                files.append("digits/p-m" if at.hour > 11 else "digits/a-m")
            elif letter == "I":
                hour = at.hour - 12 if at.hour > 12 else at.hour or 12
                files += [f"digits/{hour}", "digits/oclock"]
            elif letter == "M":
                files += (["digits/0", f"digits/{at.minute}"] if at.minute < 10
                          else _day_files(at.minute)) + ["minute"]
    if "'" in ivr.time_format(Language.ZH, at):
        files.insert(1, "callcenter/two-oclock")
    return files


def _said(files: list[str]) -> str:
    texts = [PROMPTS[f.split("/")[1]].chinese if f.startswith("callcenter/") else SAY[f]
             for f in files]
    return " ".join(to_pinyin(t) for t in texts)


@pytest.mark.parametrize(("day", "pinyin"), [
    (date(2026, 6, 5), "liu4 yue4 wu3 hao4 xing1 qi1 wu3"),
    (date(2026, 3, 25), "san1 yue4 er4 shi2 wu3 hao4 xing1 qi1 san1"),
    (date(2026, 1, 11), "yi1 yue4 shi2 yi1 hao4 xing1 qi1 ri4"),
    (date(2026, 10, 30), "shi2 yue4 san1 shi2 hao4 xing1 qi1 wu3"),
    (date(2026, 12, 1), "shi2 er4 yue4 yi1 hao4 xing1 qi1 er4")])
def test_dates_read_back_in_mandarin(day: date, pinyin: str) -> None:
    assert _said(zh_date_files(day)) == pinyin


@pytest.mark.parametrize(("at", "pinyin"), [
    (time(8, 30), "shang4 wu3 ba1 dian3 san1 shi2 fen1"),
    (time(14, 30), "xia4 wu3 liang3 dian3 san1 shi2 fen1"),
    (time(11, 0), "shang4 wu3 shi2 yi1 dian3"),
    (time(12, 15), "xia4 wu3 shi2 er4 dian3 shi2 wu3 fen1"),
    (time(17, 5), "xia4 wu3 wu3 dian3 ling2 wu3 fen1")])
def test_times_read_back_in_mandarin(at: time, pinyin: str) -> None:
    assert _said(zh_time_files(at)) == pinyin


@pytest.mark.parametrize(("plate", "pinyin"), [
    ("粤B12345", "yue4 B yi1 er4 san1 si4 wu3"),
    ("京A·88888", "jing1 A ba1 ba1 ba1 ba1 ba1"),
    ("藏A00001", "zang4 A ling2 ling2 ling2 ling2 yi1"),
    ("沪AD12345", "hu4 A D yi1 er4 san1 si4 wu3")])
def test_plates_read_back_in_mandarin(plate: str, pinyin: str) -> None:
    """The province prompt, then SAY ALPHA: letters from English letters/, digits zh."""
    province = ivr.province_prompt(plate)
    assert province is not None
    spoken = [to_pinyin(PROMPTS[province].chinese)]
    for char in ivr.speakable_plate(plate):
        spoken.append(char if char.isalpha() else to_pinyin(SAY[f"digits/{char}"]))
    assert " ".join(spoken) == pinyin
