"""What the API answers, and what the WebSocket sends: models for the OpenAPI document.

The server builds its answers in the services (plain dicts); these models describe
them, field by field, and are never used to build them. What keeps them true is the
schemathesis run and the response checks in tests/integration/test_openapi.py, which
validate real answers against the document. Objects may carry more fields than listed
(JSON Schema's default), never fewer, and a listed field has exactly the type shown.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from callcenter.domain.recordings import COUNT_BOUND

Role = Literal["agent", "supervisor", "admin"]
Locale = Literal["zh-CN", "en"]
AgentQueueState = Literal["logged_out", "available", "ringing", "on_call", "wrap_up",
                          "paused", "unavailable"]
Localized = dict[str, str]  # {"zh-CN": ..., "en": ...}


class Error(BaseModel):
    """Every refusal: clients match on ``error_id``; ``message`` is English."""

    error_id: str
    message: str
    details: dict[str, Any] = Field(
        default_factory=dict,
        description="e.g. field and errors (invalid_input), question and problems")


class User(BaseModel):
    id: int
    username: str
    display_name: str
    role: Role
    extension: str | None
    locale: Locale


class UserReply(BaseModel):
    user: User


class AgentListing(BaseModel):
    id: int
    display_name: str
    extension: str | None
    active: bool


class AgentList(BaseModel):
    agents: list[AgentListing]


# -- follow-ups ------------------------------------------------------------------------

class TaskCustomer(BaseModel):
    id: int
    name: str
    value_level: str | None
    do_not_disturb: bool


class Vehicle(BaseModel):
    id: int
    plate: str | None
    model: str | None
    vin: str | None


class Phone(BaseModel):
    e164: str
    label: str | None


class Task(BaseModel):
    id: int
    kind: str
    status: Literal["open", "call_again", "completed", "unreachable", "sms"]
    due_date: str = Field(json_schema_extra={"format": "date"})
    attempts: int
    next_attempt_at: str | None
    assigned_to: int | None
    customer: TaskCustomer
    vehicle: Vehicle | None
    phones: list[Phone]
    answers: dict[str, Any] | None
    score: float | None
    result: str | None
    completed_at: str | None


class Question(BaseModel):
    id: str
    text: Localized
    max: int
    floor: int


class Template(BaseModel):
    id: int
    kind: str
    title: Localized
    pass_score: float
    questions: list[Question]


class WorkList(BaseModel):
    items: list[Task]


class TaskReply(BaseModel):
    task: Task
    template: Template | None


class IdOnly(BaseModel):
    id: int


class OutcomeReply(TaskReply):
    complaint: IdOnly | None


# -- customers, complaints, appointments -----------------------------------------------

class CallSummary(BaseModel):
    """A past call as the customer card and the complaint page list it."""

    id: int
    direction: str
    started_at: str | None
    answered_at: str | None
    ended_at: str | None
    disposition: str | None
    agent_id: int | None
    recording_id: int | None
    recording_status: str | None
    recording_duration_ms: int | None


class CardCall(CallSummary):
    category: str | None
    agent: str | None


class CustomerCard(BaseModel):
    id: int
    name: str
    phones: list[dict[str, Any]]
    vehicles: list[dict[str, Any]]
    service_orders: list[dict[str, Any]]
    followups: list[dict[str, Any]]
    complaints: list[dict[str, Any]]
    appointments: list[dict[str, Any]]
    calls: list[CardCall]


class CustomerReply(BaseModel):
    customer: CustomerCard


class SearchPhone(BaseModel):
    e164: str
    label: str | None
    invalid: bool


class SearchVehicle(BaseModel):
    plate: str | None
    model: str | None
    vin: str


class CustomerMatch(BaseModel):
    id: int
    name: str
    value_level: str
    do_not_disturb: bool
    phones: list[SearchPhone]
    vehicles: list[SearchVehicle]
    open_tasks: int


class CustomerSearchReply(BaseModel):
    customers: list[CustomerMatch]
    more: bool = Field(description="more customers match: type more to narrow it down")


class NewCustomerReply(BaseModel):
    customer: IdOnly


class ComplaintReply(BaseModel):
    complaint: IdOnly


class ComplaintDeadline(BaseModel):
    step: Literal["first_contact", "reply", "management_reply", "check_call"]
    due_at: str
    done_at: str | None
    state: Literal["met", "pending", "due_soon", "missed", "overdue"]


class ComplaintClock(BaseModel):
    state: Literal["met", "pending", "due_soon", "missed", "overdue"]
    deadlines: list[ComplaintDeadline]


class ComplaintItem(BaseModel):
    id: int
    customer_id: int
    customer_name: str
    source: str
    severity: str
    category: str | None
    department: str | None
    status: str
    description: str
    owner_id: int | None
    owner_name: str | None
    opened_at: str
    clock: ComplaintClock


class ComplaintCounts(BaseModel):
    open: int
    mine: int
    overdue: int


class ComplaintList(BaseModel):
    view: str
    items: list[ComplaintItem]
    counts: ComplaintCounts


class TimelineEntry(BaseModel):
    id: int
    at: str
    kind: str
    note: str | None
    details: dict[str, Any] | None
    call_id: int | None
    actor_id: int | None
    actor_name: str | None


class ComplaintPage(ComplaintItem):
    customer_phone: str | None
    vehicle: Vehicle | None = Field(description="the vehicle of the follow-up it came from")
    check_task_id: int | None = Field(description="the complaint_check follow-up to call")
    resolution: str | None
    compensation: str | None
    timeline: list[TimelineEntry]
    calls: list[CallSummary]


class ComplaintPageReply(BaseModel):
    complaint: ComplaintPage


class PeriodFigures(BaseModel):
    total: int
    by: dict[str, dict[str, int]]
    on_time: dict[str, dict[str, Any]]
    hours_to: dict[str, dict[str, Any]]
    check_calls: dict[str, Any]


class ComplaintStatistics(BaseModel):
    period: Literal["week", "month"]
    label: str
    starts: str
    ends: str
    previous_label: str
    current: PeriodFigures
    previous: PeriodFigures
    change: dict[str, Any]


class QueueFigures(BaseModel):
    """domain/queue_statistics.figures_from_sums (docs/queue_statistics.md)."""

    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    service_level: float | None
    service_level_seconds: int
    average_wait_seconds: float | None
    longest_wait_seconds: int | None
    average_talk_seconds: float | None
    average_answer_seconds: float | None


class QueueBucket(QueueFigures):
    bucket: str | None = Field(description="the day, hour (2026-12-01T09:00), queue or "
                                           "agent (its interface; null: no agent)")
    agent_name: str | None = None


class QueueStatistics(BaseModel):
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    by: Literal["day", "hour", "queue", "agent"]
    short_abandon_seconds: int
    rows: list[QueueBucket]
    total: QueueFigures


class AppointmentReply(BaseModel):
    appointment: IdOnly


class Slot(BaseModel):
    id: int
    starts_at: str
    ends_at: str


class FreeSlots(BaseModel):
    """Without ``day``: the days with a free place; with it: that day's free slots."""

    days: list[str] | None = None
    day: str | None = None
    slots: list[Slot] | None = None


# -- calls -----------------------------------------------------------------------------

class Call(BaseModel):
    id: int
    linkedid: str
    direction: str
    state: str
    agent_id: int | None
    customer_id: int | None
    followup_id: int | None
    phone: str | None
    ivr_choice: str | None
    started_at: str | None
    answered_at: str | None
    ended_at: str | None
    duration: float | None
    disposition: str | None
    recording: dict[str, Any] | None


class CallReply(BaseModel):
    call: Call


class Supervision(BaseModel):
    call_id: int
    mode: Literal["listen", "whisper", "barge"]
    channel: str = Field(description="the agent's channel the supervisor joins")


class SupervisionReply(BaseModel):
    supervision: Supervision


class AbandonedCaller(BaseModel):
    """A number whose calls today were abandoned and that no later call has reached."""

    phone: str = Field(description="E.164")
    customer_id: int | None
    customer_name: str | None
    abandoned_count: int
    last_abandoned_at: str = Field(description="the latest abandoned call's hang-up")
    longest_wait_seconds: int = Field(description="arrival to hang-up, IVR included")
    ivr_choice: str | None
    call_id: int = Field(description="the latest abandoned call: the one to call back")
    call_ids: list[int] = Field(description="every abandoned call of today, latest first")


class CallbackList(BaseModel):
    callbacks: list[AbandonedCaller]


class CallMessage(BaseModel):
    """POST /api/calls answers with the call's first ``call`` message."""

    type: Literal["call"]
    call: Call


class AgentStateMessage(BaseModel):
    type: Literal["agent_state"]
    state: AgentQueueState
    paused_reason: str
    wrap_up_call_id: int | None


# -- recordings and the audit trail ----------------------------------------------------

class RecordingItem(BaseModel):
    id: int
    started_at: str
    customer_name: str | None
    phone: str | None
    agent_name: str | None
    direction: str | None
    disposition: str | None
    duration_ms: int | None


class RecordingPage(BaseModel):
    items: list[RecordingItem]
    total: int = Field(
        description=f"matches, exact up to {COUNT_BOUND}; see total_is_lower_bound")
    total_is_lower_bound: bool = Field(
        description="true: more than `total` match (the count stopped at its bound)")
    next_cursor: str | None


class Recording(BaseModel):
    id: int
    status: str
    started_at: str | None
    duration_ms: int | None
    peaks: list[int]


class RecordingReply(BaseModel):
    recording: Recording


class Waveform(BaseModel):
    peaks: list[int]
    duration_ms: int | None


class AuditEntry(BaseModel):
    id: int
    at: str
    actor_id: int | None
    actor: str | None
    action: str
    target_type: str | None
    target_id: str | None


class AuditTrail(BaseModel):
    items: list[AuditEntry]


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: str
    ami: dict[str, Any]
    live: dict[str, Any]


# -- the WebSocket (GET /api/ws): what the server sends ----------------------------------

class CallerId(BaseModel):
    raw: str | None
    e164: str | None
    withheld: bool


class PopMessage(BaseModel):
    """The hotline queue rings this agent: the caller's card(s) before they answer."""

    type: Literal["pop"]
    seq: int
    call_id: int
    linkedid: str
    queue: str
    caller: CallerId
    ivr_choice: str | None
    match: Literal["one", "several", "none", "withheld"]
    candidates: list[dict[str, Any]]
    rung_at: float


class PopWithdrawnMessage(BaseModel):
    type: Literal["pop_withdrawn"]
    seq: int
    call_id: int
    linkedid: str
    reason: Literal["not_answered", "answered_elsewhere", "caller_hung_up"]


class WsCallMessage(CallMessage):
    seq: int
    snapshot: bool = Field(False, description="part of the state sent on (re)connection")


class WsAgentStateMessage(AgentStateMessage):
    seq: int
    snapshot: bool = False


class WsError(BaseModel):
    """The answer to anything a console sends but pings."""

    type: Literal["error"]
    error_id: Literal["unexpected_message"]
    message: str


class BoardAgent(BaseModel):
    """An agent's row on the supervisors' board (docs/board.md)."""

    id: int
    name: str
    extension: str
    role: str
    state: AgentQueueState
    paused_reason: str
    calls_today: int
    talk_seconds_today: int


class BoardCall(Call):
    queued_at: str | None = Field(description="an inbound caller's queue join")
    agent_name: str | None
    customer_name: str | None


class BoardMessage(BaseModel):
    """The whole board, to a supervisor's or admin's console on every (re)connection."""

    type: Literal["board"]
    seq: int
    snapshot: bool
    server_time: str
    agents: list[BoardAgent]
    calls: list[BoardCall]
    figures: dict[str, Any] = Field(description="today's queue figures, as "
                                    "GET /api/queue/statistics' total")


class BoardCallMessage(BaseModel):
    type: Literal["board_call"]
    seq: int
    call: BoardCall = Field(description="an ended call leaves the board")


class BoardAgentMessage(BaseModel):
    type: Literal["board_agent"]
    seq: int
    agent: dict[str, Any] = Field(description="id, and state and paused_reason, or "
                                  "calls_today and talk_seconds_today")


class BoardFiguresMessage(BaseModel):
    type: Literal["board_figures"]
    seq: int
    figures: dict[str, Any]


WEBSOCKET_MESSAGES: tuple[type[BaseModel], ...] = (
    WsCallMessage, PopMessage, PopWithdrawnMessage, WsAgentStateMessage, BoardMessage,
    BoardCallMessage, BoardAgentMessage, BoardFiguresMessage, WsError)


# -- reports (docs/reports.md) ---------------------------------------------------------

class FollowupReportFigures(BaseModel):
    """domain/reports.followup_figures: rates are fractions, null when nothing to divide."""

    due: int
    completed: int
    in_time: int
    late: int
    unreachable: int
    sms: int
    pending: int
    overdue: int
    in_time_rate: float | None
    completion_rate: float | None
    attempts: int
    answered: int
    reach_rate: float | None
    attempts_per_completed: float | None


class FollowupReportRow(FollowupReportFigures):
    bucket: str | int | None = Field(description="the week's Monday, the month (YYYY-MM), "
                                                 "the kind, or the agent's id (null: nobody)")
    agent_name: str | None = None


class FollowupReport(BaseModel):
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    by: Literal["week", "month", "kind", "agent"]
    kind: str | None
    agent_id: int | None
    rows: list[FollowupReportRow]
    total: FollowupReportFigures


class CallReportFigures(BaseModel):
    calls: int
    answered: int
    answer_rate: float | None
    talk_seconds: int
    average_talk_seconds: float | None
    wrapped_up: int
    wrap_up_seconds: int = Field(description="from each call's end to its wrap-up")
    average_wrap_up_seconds: float | None


class CallReportValue(CallReportFigures):
    value: str | int | None = Field(description="the direction, category or disposition "
                                                "(null: not set), hour 0-23, ISO weekday 1-7")


class CallReportBreakdowns(BaseModel):
    direction: list[CallReportValue]
    category: list[CallReportValue]
    disposition: list[CallReportValue]
    hour: list[CallReportValue]
    weekday: list[CallReportValue]


class AgentPauses(BaseModel):
    reason: str | None
    pauses: int
    seconds: int


class AgentReportRow(CallReportFigures):
    agent_id: int | None = Field(description="null: calls without an agent, or a queue "
                                             "member no user has the extension of")
    agent_name: str | None
    followups_completed: int
    average_score_percent: float | None
    pause_seconds: int
    pauses: list[AgentPauses] = Field(description="by reason (null: none given)")


class HotlineDays(BaseModel):
    total: QueueFigures
    days: list[QueueBucket] = Field(description="each day with a caller (bucket: the day)")


class CallsReport(BaseModel):
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    direction: str | None
    total: CallReportFigures
    by: CallReportBreakdowns
    agents: list[AgentReportRow]
    hotline: HotlineDays = Field(description="the hotline queue from Asterisk's queue_log "
                                             "(docs/queue_statistics.md), whatever the direction")


class ReportAgent(BaseModel):
    id: int
    name: str


class ReportAgents(BaseModel):
    agents: list[ReportAgent]


class SatisfactionScoreCount(BaseModel):
    score: int
    answers: int


class SatisfactionQuestion(BaseModel):
    question: str
    text: dict[str, str] | None = Field(description="null in a breakdown's rows: the "
                                                    "total's version names it")
    max: int
    answered: int
    mean: float | None
    fraction: float | None = Field(description="the mean as a share of the question's max")
    distribution: list[SatisfactionScoreCount] | None = Field(
        description="answers per score value 0..max (null in the by-staff rows)")
    mean_change: float | None = Field(None, description="by month: against the month before")


class SatisfactionTemplate(BaseModel):
    template_id: int
    kind: str
    version: int
    title: dict[str, str]
    department: Literal["sales", "service", "customer_service"]
    completed: int
    mean_score: float | None
    max_score: int
    satisfied: int
    dissatisfied: int
    satisfied_rate: float | None
    dissatisfied_rate: float | None
    questions: list[SatisfactionQuestion]
    strongest: str | None = Field(description="the question with the highest mean / max")
    weakest: str | None = Field(description="the question with the lowest mean / max")
    satisfied_rate_change: float | None = None


class SatisfactionGroup(BaseModel):
    completed: int
    satisfied: int
    dissatisfied: int
    satisfied_rate: float | None
    dissatisfied_rate: float | None
    score_percent: float | None = Field(description="points scored out of those allowed")
    templates: list[SatisfactionTemplate]


class SatisfactionRow(SatisfactionGroup):
    staff: str | None = Field(None, description="by staff: the salesperson or service "
                                                "advisor (null: unknown)")
    department: Literal["sales", "service", "customer_service"] | None = None
    month: str | None = Field(None, description="by month: YYYY-MM")
    satisfied_rate_change: float | None = None


class SatisfactionReport(BaseModel):
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    kind: str | None
    by: Literal["question", "staff", "department", "month"]
    total: SatisfactionGroup
    rows: list[SatisfactionRow]


class CustomersReportRow(BaseModel):
    value: str | None = Field(description="the level, temperament, region (province), model, "
                                          "age bucket or visit grade (null: unknown)")
    count: int = Field(description="customers, or vehicles for model and age")
    share: float | None


class LostCustomers(BaseModel):
    customers: int
    share: float | None
    win_back_called: int
    won_back: int
    won_back_rate: float | None


class CustomersReport(BaseModel):
    end: str = Field(alias="to")
    by: Literal["value_level", "temperament", "region", "model", "age", "visits"]
    lost_months: int
    customers: int
    vehicles: int
    rows: list[CustomersReportRow]
    lost: LostCustomers


class SchedulerRun(BaseModel):
    """One rule's work for one day of the center's zone (docs/scheduler.md)."""

    rule: str
    day: str
    started_at: str
    finished_at: str | None = Field(description="null: not done yet (failed, retried)")
    made: int | None
    error: str | None
    failures: int


class SchedulerRuns(BaseModel):
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    runs: list[SchedulerRun]


class LostContactCustomer(BaseModel):
    id: int
    name: str
    address: str | None
    phones: list[str]
    lost_contact_at: str


class LostContactList(BaseModel):
    customers: list[LostContactCustomer]


class CardMailedReply(BaseModel):
    id: int
    card_mailed_at: str


class MileageVehicle(BaseModel):
    id: int
    mileage_km: int
    maintenance_due: str | None


class MileageCustomer(BaseModel):
    id: int
    next_maintenance_date: str | None


class MileageReply(BaseModel):
    vehicle: MileageVehicle
    customer: MileageCustomer
