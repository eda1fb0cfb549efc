"""What the API accepts: one pydantic model per JSON body and per query string.

These models are the whole input contract. ``http/json_body.py`` parses every request
through them (a refusal is a 400 ``invalid_input`` naming the field), and
``http/openapi.py`` turns the very same models into the OpenAPI document, so what is
documented is what is enforced.

The rules every model shares, through the field types below:

- text never holds NUL (PostgreSQL refuses it) nor a lone surrogate (it has no UTF-8
  form): bodies are parsed by pydantic's own JSON parser, which refuses an unpaired
  ``\\ud800`` escape, and every ``str`` field refuses a surrogate from Python too;
  one-line text (names, a pause reason) holds no control character at all;
- every id is a positive PostgreSQL ``bigint``; query-string integers are ASCII digits
  only (``１２`` or ``+12`` are refused, though Python's ``int()`` takes them);
- JSON types are exact in bodies (``"12"`` is not an id, ``true`` is not a number);
- a body holds only the fields of its model (a misspelt field is refused, not ignored);
  a query string may carry other parameters, which are ignored (cache busters);
- nesting is what the model allows; deeper JSON than pydantic's parser takes (about 200
  levels) is refused as invalid JSON before any model sees it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from callcenter.domain.customer_search import DEFAULT_LIMIT as CUSTOMER_DEFAULT_LIMIT
from callcenter.domain.customer_search import MAX_LIMIT as CUSTOMER_MAX_LIMIT
from callcenter.domain.customer_search import MAX_QUERY_LENGTH as CUSTOMER_QUERY_LENGTH
from callcenter.domain.recordings import MAX_LIMIT, SearchFilters, decode_cursor, phone_keys
from callcenter.services.agents import MAX_REASON
from callcenter.services.wrapup import MAX_NOTES

BIGINT_MAX = 2**63 - 1
INT4_MIN, INT4_MAX = -(2**31), 2**31 - 1

# The patterns are documentation as much as checks: the OpenAPI document carries them, so
# a client (and the fuzzer) knows what text is acceptable. pydantic matches them with its
# Rust engine, where ``$`` is the end of the text (no trailing newline slips through).
_TEXT = r"^[^\x00]*$"
_LINE = r"^[^\x00-\x1f\x7f]*$"


def text(max_length: int, min_length: int = 0) -> FieldInfo:
    """Free text (notes, a description): any characters but NUL."""
    return Field(min_length=min_length, max_length=max_length, pattern=_TEXT)


def line(max_length: int, min_length: int = 0) -> FieldInfo:
    """One line of text (a name, a number as typed): no control characters."""
    return Field(min_length=min_length, max_length=max_length, pattern=_LINE)


def _empty_is_none(value: Any) -> Any:
    return None if value == "" else value


# Text that may be absent, null or empty: all three mean "none".
Notes = Annotated[Annotated[str, text(MAX_NOTES)] | None, BeforeValidator(_empty_is_none)]
Id = Annotated[int, Field(ge=1, le=BIGINT_MAX, description="a positive bigint id")]

_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _ascii_digits(value: Any) -> Any:
    """A query-string integer: ASCII digits only, then the int's own range checks."""
    if isinstance(value, str):
        if not _ASCII_DIGITS.fullmatch(value):
            raise PydanticCustomError("int_parsing", "a whole number in ASCII digits")
        return int(value)
    return value


def _iso_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            if _ISO_DAY.fullmatch(value):
                return date.fromisoformat(value)
        except ValueError:
            pass
        raise PydanticCustomError("date_parsing", "a date such as 2026-11-30")
    return value


def _aware_time(value: Any) -> Any:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError(
                "datetime_parsing",
                "an ISO 8601 time with its zone, e.g. 2026-11-30T09:00:00+08:00") from None
        if parsed.tzinfo is None:
            raise PydanticCustomError("timezone_aware", "give the time zone (e.g. +08:00)")
        return parsed
    return value


def _complaint_filter(value: Any) -> Any:
    """yes, no, or a complaint's id: checked whole here, so a refusal names the field
    (a refusal by one branch of the union would name the branch)."""
    if value in ("yes", "no"):
        return value
    if isinstance(value, str) and _ASCII_DIGITS.fullmatch(value) and \
            1 <= int(value) <= BIGINT_MAX:
        return int(value)
    raise PydanticCustomError("complaint", "yes, no, or a complaint's id")


QueryInt = Annotated[int, BeforeValidator(_ascii_digits)]
QueryId = Annotated[int, Field(ge=1, le=BIGINT_MAX, description="a positive bigint id"),
                    BeforeValidator(_ascii_digits)]
QueryDate = Annotated[date, BeforeValidator(_iso_date)]
QueryTime = Annotated[datetime, BeforeValidator(_aware_time)]

# The choices, as the services and the domain name them (tests/unit/test_validation.py
# checks that each Literal holds exactly the tuple its service keeps).
Category = Literal["inquiry", "complaint", "appointment", "followup", "other"]
Flag = Literal["nuisance", "threat"]
Severity = Literal["normal", "major"]
WorkKind = Literal["maintenance", "repair", "warranty", "inspection", "other"]
WorkList = Literal["today", "overdue", "call_again", "callbacks", "coming"]
Direction = Literal["inbound", "outbound", "internal"]
Disposition = Literal["answered", "busy", "no_answer", "unreachable", "failed", "abandoned",
                      "agent_no_answer", "wrong_number"]
FollowupKind = Literal["sales", "service", "maintenance_reminder", "win_back",
                       "dormant_prospect", "complaint_check"]
FollowupResult = Literal["satisfied", "dissatisfied"]
ComplaintView = Literal["open", "mine", "overdue", "all"]
ComplaintSource = Literal["followup", "hotline", "walk_in", "online", "manufacturer", "other"]
ComplaintStatus = Literal["open", "contacted", "replied", "resolved", "closed"]
ComplaintAction = Literal["assign", "first_contact", "reply", "management_reply", "resolve",
                          "reopen", "note"]
StatisticsPeriod = Literal["week", "month"]
SupervisionMode = Literal["listen", "whisper", "barge"]


class Body(BaseModel):
    """A JSON request body: exact JSON types, no unknown fields."""

    model_config = ConfigDict(strict=True, extra="forbid")


class Query(BaseModel):
    """A query string: every value arrives as text; unknown parameters are ignored."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class NoBody(Body):
    """A POST that takes nothing: its body is the empty JSON object ``{}``."""


# -- bodies ----------------------------------------------------------------------------

class LoginBody(Body):
    username: Annotated[str, line(200, 1)]
    password: Annotated[str, text(200, 1)]


class PlaceCallBody(Body):
    """A click-to-call for a follow-up task, a complaint, or a customer called from their
    card without a task: exactly one of them."""

    followup_id: Id | None = None
    complaint_id: Id | None = None
    customer_id: Id | None = None
    phone: Annotated[str, line(40, 1)] = Field(
        description="E.164, or as the customer's card shows it")
    do_not_disturb_ok: bool = Field(
        False, description="with customer_id: call a do-not-disturb customer anyway (the "
                           "agent confirmed it)")

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        targets = (self.followup_id, self.complaint_id, self.customer_id)
        if sum(target is not None for target in targets) != 1:
            raise PydanticCustomError("call_target",
                                      "give followup_id, complaint_id or customer_id")
        if self.do_not_disturb_ok and self.customer_id is None:
            raise PydanticCustomError("call_target",
                                      "do_not_disturb_ok goes with customer_id")
        return self


class WrapUpBody(Body):
    category: Category
    notes: Notes = None
    flag: Flag | None = None
    flag_details: Notes = Field(None, description="required with a flag")
    customer_id: Id | None = Field(None, description="links a call that had no customer")

    @model_validator(mode="after")
    def _details_with_flag(self) -> Self:
        if self.flag is not None and self.flag_details is None:
            raise PydanticCustomError("missing", "flag_details is required with a flag")
        return self


QuestionId = Annotated[str, line(64, 1)]
Score = Annotated[int, Field(ge=INT4_MIN, le=INT4_MAX)]


Outcome = Literal["answered", "wrong_number", "callback", "do_not_disturb"]


class OutcomeBody(Body):
    """docs/followups.md "Call outcomes"."""

    call_id: Id
    result: Outcome = "answered"
    answers: Annotated[dict[QuestionId, Score], Field(max_length=100)] | None = Field(
        None, description="question id -> score; required for an answered call")
    callback_at: datetime | None = Field(
        None, description="callback: the time the customer named (without a zone: the "
                          "center's), in the future, at most 14 days ahead")
    spoke_with: Annotated[str, line(100, 1)] | None = Field(
        None, description="someone else answered: who (answered or callback)")

    @model_validator(mode="after")
    def _answers_when_answered(self) -> Self:
        if self.result == "answered" and self.answers is None:
            raise PydanticCustomError("missing",
                                      "answers: an object of question id -> score")
        if (self.result == "callback") != (self.callback_at is not None):
            raise PydanticCustomError("callback_at",
                                      "callback_at goes with result callback, and only then")
        return self


class ComplaintBody(Body):
    customer_id: Id
    call_id: Id | None = None
    description: Annotated[str, text(MAX_NOTES, 1)]
    severity: Severity = "normal"


class ComplaintStepBody(Body):
    """One step on a complaint (docs/complaints.md): what each action needs is checked
    by the service (owner_id to assign, with a department and a category if given; a
    note to reply, reopen or note; a resolution to resolve)."""

    action: ComplaintAction
    note: Notes = None
    owner_id: Id | None = None
    department: Annotated[str, line(40, 1)] | None = None
    category: Annotated[str, line(40, 1)] | None = None
    resolution: Notes = None
    compensation: Notes = None
    call_id: Id | None = Field(None, description="the call the step was taken on")


class NewCustomerBody(Body):
    name: Annotated[str, line(100, 1)]
    phone: Annotated[str, line(40, 1)]


class BookingBody(Body):
    customer_id: Id
    vehicle_id: Id
    slot_id: Id
    work_kind: WorkKind = "maintenance"
    call_id: Id | None = Field(None, description="the call the booking was made on")


class PauseBody(Body):
    reason: Annotated[str, line(MAX_REASON)] = ""


class SuperviseBody(Body):
    mode: SupervisionMode = Field(description="listen; whisper: the agent hears the "
                                  "supervisor; barge: both do")


class ForcePauseBody(Body):
    paused: bool
    reason: Annotated[str, line(MAX_REASON)] = ""


# -- query strings ---------------------------------------------------------------------

class ComplaintListQuery(Query):
    view: ComplaintView = "open"
    source: ComplaintSource | None = None
    severity: Severity | None = None
    department: Annotated[str, line(40, 1)] | None = None
    status: ComplaintStatus | None = None
    q: Annotated[str, line(100, 1)] | None = Field(
        None, description="a customer's name from its beginning, a phone's last digits "
                          "or a plate's end")
    since: QueryTime | None = Field(None, alias="from", description="opened at or after")
    until: QueryTime | None = Field(None, alias="to", description="opened before")


class ComplaintStatisticsQuery(Query):
    period: StatisticsPeriod = "month"
    day: QueryDate | None = Field(None, description="a day of the period (default: today)")


class QueueStatisticsQuery(Query):
    start: QueryDate | None = Field(None, alias="from",
                                    description="the first day (default: today, center's zone)")
    end: QueryDate | None = Field(None, alias="to",
                                  description="the last day, included (default: from)")
    by: Literal["day", "hour", "queue", "agent"] = "day"


class WorklistQuery(Query):
    list: WorkList = "today"


class CustomerSearchQuery(Query):
    q: Annotated[str, line(CUSTOMER_QUERY_LENGTH, 1)] = Field(
        description="a name from its beginning, 4 or more digits of a phone number, a plate "
                    "(with or without its province) or a VIN's last 6 or more characters")
    limit: Annotated[int, Field(ge=1, le=CUSTOMER_MAX_LIMIT),
                     BeforeValidator(_ascii_digits)] = CUSTOMER_DEFAULT_LIMIT


class FreeSlotsQuery(Query):
    day: QueryDate | None = Field(None, description="one day's slots instead of the days")


class AudioQuery(Query):
    download: bool = Field(False, description="as an attachment (audited as a download)")


class WebSocketQuery(Query):
    since: Annotated[int, Field(ge=0, le=BIGINT_MAX), BeforeValidator(_ascii_digits)] | None \
        = Field(None, description="replay this user's messages after sequence number N")


class AuditQuery(Query):
    target_type: Annotated[str, line(40)] | None = None
    target_id: Annotated[str, line(40)] | None = None
    actor_id: QueryId | None = None
    before_id: QueryId | None = None
    limit: Annotated[int, Field(ge=1, le=500), BeforeValidator(_ascii_digits)] = 100


# A phone filter: digits as typed (spaces, dashes, a leading +), at least 3 of them.
_PHONE_FILTER = r"^\+?[ -]*([0-9][ -]*){3,}$"
# Compared with durations in milliseconds held in an int4 column.
Seconds = Annotated[int, Field(ge=0, le=INT4_MAX // 1000), BeforeValidator(_ascii_digits)]


class RecordingSearch(Query):
    """GET /api/recordings: every filter optional (docs/recordings.md lists them)."""

    q: Annotated[str, text(200)] | None = Field(
        None, description="words of the transcript or the notes")
    since: QueryTime | None = Field(None, alias="from")
    until: QueryTime | None = Field(None, alias="to")
    agent_id: QueryId | None = None
    customer_id: QueryId | None = None
    customer: Annotated[str, line(100)] | None = Field(
        None, description="the start of the customer's name")
    phone: Annotated[str, Field(max_length=40, pattern=_PHONE_FILTER)] | None = None
    phone_match: Literal["end", "start"] = "end"
    direction: Direction | None = None
    disposition: Disposition | None = None
    min_seconds: Seconds | None = None
    max_seconds: Seconds | None = None
    followup_kind: FollowupKind | None = None
    followup_result: FollowupResult | None = None
    followup_id: QueryId | None = None
    complaint: Annotated[Literal["yes", "no"] | Id, BeforeValidator(_complaint_filter)] | \
        None = Field(None, description="yes, no, or one complaint's id")
    category: Category | None = None
    limit: Annotated[int, Field(ge=1, le=BIGINT_MAX), BeforeValidator(_ascii_digits)] = Field(
        50, description=f"at most {MAX_LIMIT} are returned, whatever is asked")
    cursor: Annotated[str, Field(max_length=200, pattern=r"^[A-Za-z0-9_-]*$")] | None = \
        Field(None, description="next_cursor of the page before")

    def filters(self, words: tuple[str, ...] = ()) -> SearchFilters:
        """As the SQL takes them; ``words`` are the segmented words of ``q``."""
        prefix, suffix_rev = phone_keys(self.phone, self.phone_match)
        complaint = self.complaint
        return SearchFilters(
            since=self.since, until=self.until, agent_id=self.agent_id,
            customer_id=self.customer_id, customer_name=(self.customer or "").strip() or None,
            phone_prefix=prefix, phone_suffix_rev=suffix_rev, direction=self.direction,
            disposition=self.disposition,
            min_ms=None if self.min_seconds is None else self.min_seconds * 1000,
            max_ms=None if self.max_seconds is None else self.max_seconds * 1000,
            followup_kind=self.followup_kind, followup_result=self.followup_result,
            followup_id=self.followup_id,
            complaint_id=complaint if isinstance(complaint, int) else None,
            has_complaint=None if not isinstance(complaint, str) else complaint == "yes",
            category=self.category, words=words, limit=min(self.limit, MAX_LIMIT),
            after=decode_cursor(self.cursor) if self.cursor else None)


class ReportRangeQuery(Query):
    """A report's days in the center's time zone, both included (docs/reports.md)."""

    start: QueryDate | None = Field(None, alias="from",
                                    description="the first day (default: the 1st of to's month)")
    end: QueryDate | None = Field(None, alias="to",
                                  description="the last day, included (default: today)")


class FollowupReportQuery(ReportRangeQuery):
    by: Literal["week", "month", "kind", "agent"] = "week"
    kind: FollowupKind | None = None
    agent_id: Annotated[int, Field(ge=0, le=BIGINT_MAX, description="0: nobody's tasks"),
                        BeforeValidator(_ascii_digits)] | None = None


class CallsReportQuery(ReportRangeQuery):
    direction: Direction | None = None


class SatisfactionReportQuery(ReportRangeQuery):
    kind: Literal["sales", "service"] | None = Field(
        None, description="one kind's follow-ups (default: every kind with a questionnaire)")
    by: Literal["question", "staff", "department", "month"] = "question"


class MileageBody(Body):
    km: int = Field(ge=0, le=2_000_000, description="the odometer reading the customer "
                    "told during the call, in km")


class SchedulerRunsQuery(Query):
    start: QueryDate | None = Field(None, alias="from",
                                    description="the first day (default: 13 days before to)")
    end: QueryDate | None = Field(None, alias="to",
                                  description="the last day, included (default: today, "
                                              "center's zone)")


class CustomersReportQuery(Query):
    """The customers report as of a day (docs/reports.md "Customers")."""

    end: QueryDate | None = Field(None, alias="to",
                                  description="the day (default: today, center's zone)")
    by: Literal["value_level", "temperament", "region", "model", "age", "visits"] = \
        "value_level"
    lost_months: Annotated[int, Field(ge=1, le=120, description="no visit for this many "
                                      "months: 3, 6, 9, 12, 18 or 24"),
                           BeforeValidator(_ascii_digits)] = 12
