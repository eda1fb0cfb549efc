"""The validation layer without a server: bodies and query strings through their models
(http/schemas.py, http/json_body.py).

What these pin down: hostile input is a ValidationError (a 400 ``invalid_input``) naming
the field, never another exception; the value sent is never echoed; the models' choices
are exactly the services' own lists."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, get_args

import pytest
from multidict import MultiDict

from callcenter.domain import recordings as recording_rules
from callcenter.errors import ValidationError
from callcenter.http import schemas
from callcenter.http.json_body import body_as, query_as
from callcenter.services import agent_bookings, followups, wrapup

BODIES = [schemas.LoginBody, schemas.PlaceCallBody, schemas.WrapUpBody, schemas.OutcomeBody,
          schemas.ComplaintBody, schemas.NewCustomerBody, schemas.BookingBody,
          schemas.PauseBody, schemas.NoBody]


def refused(model: type[Any], raw: bytes | str) -> dict[str, Any]:
    with pytest.raises(ValidationError) as caught:
        body_as(model, raw.encode() if isinstance(raw, str) else raw)
    assert caught.value.http_status == 400
    return caught.value.to_dict()


def refused_query(model: type[Any], pairs: list[tuple[str, str]]) -> dict[str, Any]:
    with pytest.raises(ValidationError) as caught:
        query_as(model, MultiDict(pairs))
    return caught.value.to_dict()


@pytest.mark.parametrize("model", BODIES)
@pytest.mark.parametrize("depth", [150, 201, 100_000])
def test_deep_nesting_is_refused(model: type[Any], depth: int) -> None:
    for raw in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        error = refused(model, raw)
        assert error["error_id"] == "invalid_input"
        assert error["details"]["field"] == "body" or "." not in error["details"]["field"]


def test_a_refusal_names_the_field_and_never_echoes_the_value() -> None:
    error = refused(schemas.LoginBody, json.dumps({"username": "li", "password": 12345678901}))
    assert error["details"]["field"] == "password"
    assert error["details"]["errors"] == [{"field": "password",
                                           "problem": "Input should be a valid string"}]
    assert "12345678901" not in json.dumps(error)


@pytest.mark.parametrize("text", ["a\x00b", "\x00"])
def test_nul_is_refused_in_all_text(text: str) -> None:
    for model, name, extra in [(schemas.NewCustomerBody, "name", {"phone": "13800138000"}),
                               (schemas.ComplaintBody, "description", {"customer_id": 1}),
                               (schemas.LoginBody, "password", {"username": "li"}),
                               (schemas.WrapUpBody, "notes", {"category": "other"})]:
        error = refused(model, json.dumps({name: text, **extra}))
        assert error["details"]["field"] == name


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "x\\ud83d", "\\ud83d\\u0041"])
def test_lone_surrogates_are_refused(escape: str) -> None:
    raw = '{"name": "' + escape + '", "phone": "13800138000"}'
    assert refused(schemas.NewCustomerBody, raw)["error_id"] == "invalid_input"
    # A surrogate pair is a character like any other.
    body = body_as(schemas.NewCustomerBody, b'{"name": "\\ud83d\\ude00", "phone": "1"}')
    assert body.name == "😀"


def test_invalid_utf8_is_refused() -> None:
    assert refused(schemas.NewCustomerBody, b'{"name": "\xff", "phone": "1"}')["details"][
        "field"] == "body"


@pytest.mark.parametrize("value", ["2**63", "-1", "0", "99999999999999999999999999999999",
                                   "1e3", "1.0", "true", '"12"', "null"])
def test_ids_are_positive_bigints_of_json_type_integer(value: str) -> None:
    number = value.replace("2**63", str(2**63))
    raw = f'{{"customer_id": {number}, "description": "late"}}'
    assert refused(schemas.ComplaintBody, raw)["details"]["field"] == "customer_id"
    largest = f'{{"customer_id": {2**63 - 1}, "description": "x"}}'.encode()
    assert body_as(schemas.ComplaintBody, largest).customer_id == 2**63 - 1


def test_scores_stay_within_int4() -> None:
    raw = json.dumps({"call_id": 1, "answers": {"q1": 2**31}})
    assert refused(schemas.OutcomeBody, raw)["details"]["field"] == "answers.q1"


def test_one_line_fields_hold_no_control_characters() -> None:
    for text in ("lunch\nAction: Originate", "tab\there", "\x7f"):
        assert refused(schemas.PauseBody, json.dumps({"reason": text}))["details"][
            "field"] == "reason"
    assert refused(schemas.PauseBody, json.dumps({"reason": "x" * 81}))["details"][
        "field"] == "reason"
    assert body_as(schemas.PauseBody, b"{}").reason == ""


def test_unknown_fields_and_wrong_shapes_are_refused() -> None:
    assert refused(schemas.PauseBody, '{"reason": "x", "reasn": "y"}')["details"][
        "field"] == "reasn"
    for raw in ("[]", "1", '"x"', "null", "", "{"):
        assert refused(schemas.LoginBody, raw)["details"]["field"] == "body"


def test_no_body_routes_take_an_empty_object() -> None:
    assert body_as(schemas.NoBody, b" {} ") == schemas.NoBody()
    assert refused(schemas.NoBody, '{"x": 1}')["details"]["field"] == "x"
    assert refused(schemas.NoBody, "")["details"]["field"] == "body"


def test_rules_across_fields() -> None:
    assert "flag_details" in refused(schemas.WrapUpBody, json.dumps(
        {"category": "other", "flag": "threat", "flag_details": ""}))["message"]
    assert refused(schemas.OutcomeBody, '{"call_id": 1}')["message"].startswith("body:")
    wrong = body_as(schemas.OutcomeBody, b'{"call_id": 1, "result": "wrong_number"}')
    assert wrong.answers is None
    notes = body_as(schemas.WrapUpBody, b'{"category": "other", "notes": ""}')
    assert notes.notes is None


# -- query strings -----------------------------------------------------------------------

@pytest.mark.parametrize("value", ["１２", "+12", " 12", "1_2", "12.0", "-1", "0x1", "٣",
                                   str(2**63), "0"])
def test_query_ids_are_ascii_digits_of_a_positive_bigint(value: str) -> None:
    error = refused_query(schemas.AuditQuery, [("actor_id", value)])
    assert error["details"]["field"] == "actor_id"
    assert query_as(schemas.AuditQuery, MultiDict(actor_id="12")).actor_id == 12


def test_query_parameters_given_twice_empty_or_unknown() -> None:
    assert refused_query(schemas.WorklistQuery, [("list", "today"), ("list", "overdue")])[
        "details"]["field"] == "list"
    assert refused_query(schemas.FreeSlotsQuery, [("day", "")])["details"]["field"] == "day"
    assert query_as(schemas.FreeSlotsQuery, MultiDict(other="x")).day is None


@pytest.mark.parametrize("pairs", [
    [("list", "tomorrow")], [("list", "\x00")], [("list", "today\n")]])
def test_worklist_names(pairs: list[tuple[str, str]]) -> None:
    assert refused_query(schemas.WorklistQuery, pairs)["details"]["field"] == "list"


@pytest.mark.parametrize("day", ["2026-02-30", "20261130", "2026-11-30T00:00", "１"])
def test_free_slots_day(day: str) -> None:
    assert refused_query(schemas.FreeSlotsQuery, [("day", day)])["details"]["field"] == "day"


def test_recording_filters_from_the_query_string() -> None:
    f = query_as(schemas.RecordingSearch, MultiDict(
        phone="8000", customer="张", min_seconds="30", complaint="yes", direction="inbound",
        **{"from": "2026-05-01T00:00:00+08:00"})).filters()
    assert (f.phone_suffix_rev, f.phone_prefix) == ("0008", None)
    assert f.customer_name == "张" and f.min_ms == 30_000 and f.has_complaint is True
    assert f.since == datetime.fromisoformat("2026-05-01T00:00:00+08:00")
    f = query_as(schemas.RecordingSearch, MultiDict(
        phone="+86 138-0013", phone_match="start", limit="999")).filters()
    assert (f.phone_prefix, f.phone_suffix_rev, f.limit) == ("1380013", None, 200)
    assert query_as(schemas.RecordingSearch, MultiDict(complaint="42")).filters(
    ).complaint_id == 42
    assert query_as(schemas.RecordingSearch, MultiDict()).filters().restricted_to(
        7).agent_id == 7


@pytest.mark.parametrize("pairs", [
    [("phone", "12")], [("phone", "13800x")], [("phone", "１３８００")],
    [("from", "2026-05-01")], [("from", "nope")], [("direction", "up")],
    [("min_seconds", "-1")], [("min_seconds", str(2**31))], [("complaint", "maybe")],
    [("complaint", str(2**63))], [("cursor", "!!")], [("agent_id", "0")],
    [("customer", "x" * 101)], [("customer", "a\x00")], [("q", "\x00")]])
def test_bad_recording_filters_are_refused(pairs: list[tuple[str, str]]) -> None:
    assert refused_query(schemas.RecordingSearch, pairs)["details"]["field"] == pairs[0][0]


def test_a_cursor_the_server_did_not_give_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        query_as(schemas.RecordingSearch, MultiDict(cursor="abc")).filters()
    assert caught.value.details["field"] == "cursor"


def test_the_choices_are_the_services_own() -> None:
    assert get_args(schemas.Category) == wrapup.CATEGORIES == recording_rules.CATEGORIES
    assert get_args(schemas.Flag) == wrapup.FLAGS
    assert get_args(schemas.Severity) == wrapup.SEVERITIES
    assert get_args(schemas.WorkKind) == agent_bookings.WORK_KINDS
    assert get_args(schemas.WorkList) == followups.LISTS
    assert get_args(schemas.Direction) == recording_rules.DIRECTIONS
    assert get_args(schemas.Disposition) == recording_rules.DISPOSITIONS
    assert get_args(schemas.FollowupKind) == recording_rules.FOLLOWUP_KINDS
    assert get_args(schemas.FollowupResult) == recording_rules.FOLLOWUP_RESULTS
