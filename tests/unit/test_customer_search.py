"""What a search box's text means (domain/customer_search.py)."""

from __future__ import annotations

import pytest

from callcenter.domain.customer_search import (
    BadSearch,
    CustomerQuery,
    like_prefix,
    merge_matches,
    parse_query,
)


@pytest.mark.parametrize(("text", "expected"), [
    # phone digits: a run, the last 4, a whole number typed any way
    ("3667", CustomerQuery(digits="3667", plate_tail="3667")),
    ("189 0342 3667", CustomerQuery(digits="18903423667", vin_tail="18903423667")),
    ("+86 189-0342-3667", CustomerQuery(digits="18903423667", vin_tail="18903423667")),
    ("8618903423667", CustomerQuery(digits="18903423667", vin_tail="18903423667")),
    ("0086 755 8135 1929", CustomerQuery(digits="75581351929", vin_tail="75581351929")),
    ("0755-8135 1929", CustomerQuery(digits="075581351929", vin_tail="075581351929")),
    ("８１３５", CustomerQuery(digits="8135", plate_tail="8135")),  # full-width digits
    ("183294", CustomerQuery(digits="183294", plate_tail="183294", vin_tail="183294")),
    # plates, with or without the province and separators
    ("粤B·12345", CustomerQuery(plate_bare="B12345", plate_province="粤")),
    ("粤b 12345", CustomerQuery(plate_bare="B12345", plate_province="粤")),
    ("粤B", CustomerQuery(plate_bare="B", plate_province="粤")),
    ("B1234", CustomerQuery(plate_bare="B1234")),
    ("b12345", CustomerQuery(plate_bare="B12345", vin_tail="B12345")),
    ("B·D1234F", CustomerQuery(plate_bare="BD1234F", vin_tail="BD1234F")),
    # VINs: whole or their end
    ("LSVAU2180N2183294", CustomerQuery(vin_tail="LSVAU2180N2183294")),
    ("n2183294", CustomerQuery(vin_tail="N2183294")),
    # names from their beginning
    ("王", CustomerQuery(name_prefix="王")),
    ("  欧阳  娜 ", CustomerQuery(name_prefix="欧阳 娜")),
    ("Bob", CustomerQuery(name_prefix="Bob")),
    ("苏州", CustomerQuery(name_prefix="苏州")),  # a province character, no plate after it
    ("王2", CustomerQuery(name_prefix="王2")),
    ("IOQ123456", CustomerQuery(name_prefix="IOQ123456")),  # not VIN characters
])
def test_a_query_is_read_as_what_it_looks_like(text: str, expected: CustomerQuery) -> None:
    assert parse_query(text) == expected


def test_shapes_name_the_searches_in_result_order() -> None:
    assert parse_query("183294").shapes == ("phone", "plate", "vin")
    assert parse_query("b12345").shapes == ("plate", "vin")
    assert parse_query("王").shapes == ("name",)


@pytest.mark.parametrize("text", ["", "   ", "\u3000", "123", "+86 12", "王\x07", "a\u200bb",
                                  "王" * 65])
def test_what_cannot_be_searched_is_refused_naming_q(text: str) -> None:
    with pytest.raises(BadSearch) as refused:
        parse_query(text)
    assert refused.value.http_status == 400
    assert refused.value.details["field"] == "q"


def test_a_name_is_matched_literally() -> None:
    assert like_prefix("50%_\\") == "50\\%\\_\\\\%"


def test_matches_are_merged_in_order_each_customer_once() -> None:
    assert merge_matches([[3, 1], [1, 2]], 5) == ([3, 1, 2], False)
    assert merge_matches([[3, 1], [1, 2]], 2) == ([3, 1], True)
    # one search filling its limit + 1 says there are more, though the page is short
    assert merge_matches([[1, 2, 3]], 2) == ([1, 2], True)
    assert merge_matches([], 20) == ([], False)
