// Every string the console shows, in both languages: the only place UI text lives.
// Keys are grouped by prefix; enumerations from the API are "<group>.<value>"
// (kind.sales, call_state.busy...), so a value the table does not know is shown as is.

export const LOCALES = ["zh-CN", "en"];

export const STRINGS = {
  "zh-CN": {
    "app.title": "客户关怀中心 · 坐席工作台",
    "app.skip": "跳到正文",
    "app.loading": "正在加载…",
    "app.none": "无",
    "app.unknown": "—",
    "app.retry": "重试",
    "app.back_to_list": "返回任务列表",
    "app.language": "语言",
    "app.logout": "退出登录",
    "app.signed_in_as": "当前用户：{name}（分机 {extension}）",
    "app.signed_in_as_no_ext": "当前用户：{name}（无分机）",
    "app.not_found": "找不到这个页面。",
    "locale.zh-CN": "中文",
    "locale.en": "English",

    "ws.connecting": "正在连接实时通道…",
    "ws.open": "实时通道已连接",
    "ws.reconnecting": "连接中断，正在重新连接…",
    "ws.stopped": "实时通道已关闭",

    "login.heading": "坐席登录",
    "login.username": "用户名",
    "login.password": "密码",
    "login.submit": "登录",
    "login.busy": "正在登录…",

    "work.heading": "我的工作",
    "work.tabs": "任务列表",
    "work.tab.today": "今日到期",
    "work.tab.overdue": "已逾期",
    "work.tab.call_again": "待再次拨打",
    "work.empty.today": "今天没有到期的回访任务。",
    "work.empty.overdue": "没有逾期的回访任务。",
    "work.empty.call_again": "没有需要再次拨打的任务。",
    "work.col.customer": "客户",
    "work.col.kind": "类型",
    "work.col.due": "到期日",
    "work.col.next": "下次拨打",
    "work.col.attempts": "已拨次数",
    "work.col.vehicle": "车辆",
    "work.col.flags": "标记",
    "work.refresh": "刷新",
    "work.open_task": "打开 {name} 的回访任务",

    "badge.vip": "VIP",
    "badge.key": "重点客户",
    "badge.dnd": "勿扰",

    "task.heading": "回访任务 #{id}",
    "task.status": "状态",
    "task.due": "到期日",
    "task.attempts": "已拨次数",
    "task.next_attempt": "下次拨打",
    "task.vehicle": "车辆",
    "task.score": "得分",
    "task.result": "结果",
    "task.completed_at": "完成时间",

    "card.heading": "客户资料",
    "card.profile": "基本信息",
    "card.name": "姓名",
    "card.external_ref": "客户编号",
    "card.gender": "性别",
    "card.birthday": "生日",
    "card.value_level": "客户价值",
    "card.temperament": "性格类型",
    "card.address": "地址",
    "card.notes": "备注",
    "card.next_maintenance_date": "下次保养日期",
    "card.do_not_disturb": "勿扰",
    "card.phones": "电话",
    "card.vehicles": "车辆",
    "card.service_orders": "维修保养记录",
    "card.followups": "历史回访",
    "card.complaints": "投诉",
    "card.appointments": "预约",
    "card.calls": "通话记录",
    "card.empty": "暂无记录",
    "card.unavailable": "客户资料暂时无法加载。",
    "card.call": "拨打",
    "card.call_label": "拨打 {phone}（{label}）",
    "card.dnd_note": "该客户要求勿扰：不能电话回访，请改用短信回访。",
    "card.closed_note": "该任务已结束，不能再拨打。",
    "card.yes": "是",
    "card.no": "否",

    "col.plate": "车牌",
    "col.model": "车型",
    "col.vin": "车架号",
    "col.sale_date": "购车日期",
    "col.delivery_date": "交车日期",
    "col.mileage": "里程（公里）",
    "col.order_no": "工单号",
    "col.settled_at": "结算时间",
    "col.kind": "类型",
    "col.advisor": "服务顾问",
    "col.amount": "金额（元）",
    "col.due_date": "到期日",
    "col.status": "状态",
    "col.attempts": "已拨次数",
    "col.answers": "答案",
    "col.score": "得分",
    "col.result": "结果",
    "col.opened_at": "受理时间",
    "col.severity": "级别",
    "col.source": "来源",
    "col.description": "内容",
    "col.starts_at": "时间",
    "col.work_kind": "项目",
    "col.channel": "渠道",
    "col.started_at": "时间",
    "col.direction": "方向",
    "col.agent": "坐席",
    "col.disposition": "结果",
    "col.category": "类别",
    "col.recording": "录音",
    "col.id": "编号",
    "col.duration": "时长",

    "recording.play": "播放录音",
    "recording.pending": "录音处理中",
    "recording.none": "无录音",

    "call.heading": "通话",
    "call.idle": "尚未拨打。点击客户电话旁的“拨打”按钮：您的话机先振铃，接起后再呼叫客户。",
    "call.placing": "正在发起呼叫…",
    "call.state": "当前状态",
    "call.phone": "号码",
    "call.timeline": "通话过程",
    "call.duration": "通话时长：{duration}",
    "call.elapsed": "已通话：{duration}",
    "call.refused": "无法拨打",
    "call.after.answered": "通话已结束，请填写并提交问卷。",
    "call.after.busy": "客户忙线，任务已转入“待再次拨打”。",
    "call.after.no_answer": "客户无人接听，任务已转入“待再次拨打”。",
    "call.after.unreachable": "客户无法接通，任务已转入“待再次拨打”。",
    "call.after.failed": "呼叫失败，任务已转入“待再次拨打”。",
    "call.after.agent_no_answer": "您的话机没有接听，客户未被呼叫，任务保持不变。",
    "call.after.wrong_number": "号码错误，任务已转入“待再次拨打”。",
    "call.after.other": "通话已结束。",
    "call.task_now": "任务当前状态：{status}（已拨 {attempts} 次）",

    "call_state.agent_ringing": "您的话机正在振铃",
    "call_state.agent_answered": "您已接起，正在呼叫客户",
    "call_state.customer_ringing": "客户电话正在振铃",
    "call_state.answered": "客户已接听，通话中",
    "call_state.busy": "客户忙线",
    "call_state.no_answer": "客户无人接听",
    "call_state.unreachable": "客户无法接通",
    "call_state.failed": "呼叫失败",
    "call_state.agent_no_answer": "您的话机未接听",
    "call_state.ended": "通话已结束",
    "call_state.ringing": "振铃中",

    "form.heading": "回访问卷",
    "form.no_template": "这类回访没有问卷模板。",
    "form.wait_answer": "客户接听后即可记录答案并提交。",
    "form.score_hint": "0 到 {max} 分",
    "form.submit": "提交回访结果",
    "form.submitting": "正在提交…",
    "form.wrong_number": "号码错误（非本人）",
    "form.result": "回访已完成：得分 {score}，{result}。",
    "form.complaint": "已自动生成投诉 #{id}，并关联本次通话和录音。",
    "form.wrong_number_done": "已记录为号码错误，任务转入“待再次拨打”。",
    "form.completed": "该回访已完成，答案不可修改。",
    "form.pass_score": "合格分数线：{score}",

    "pop.heading": "来电",
    "pop.caller": "来电号码：{phone}",
    "pop.withheld": "来电号码：未显示",
    "pop.ivr": "语音导航选择：{choice}",
    "pop.match.one": "已识别客户",
    "pop.match.several": "该号码对应多位客户",
    "pop.match.none": "未找到该号码的客户",
    "pop.match.withheld": "来电未显示号码",
    "pop.open": "查看 {name} 的资料",
    "pop.dismiss": "关闭",

    "customer.heading": "客户 #{id}",

    "agent_state.logged_out": "未签入",
    "agent_state.available": "空闲",
    "agent_state.ringing": "振铃中",
    "agent_state.on_call": "通话中",
    "agent_state.wrap_up": "话后处理",
    "agent_state.paused": "暂停",
    "agent_state.unavailable": "话机不可用",

    "kind.sales": "销售回访",
    "kind.service": "售后回访",
    "kind.maintenance_reminder": "保养提醒",
    "kind.win_back": "流失客户召回",
    "kind.dormant_prospect": "休眠潜客",
    "kind.complaint_check": "投诉回访",

    "status.open": "待回访",
    "status.call_again": "待再次拨打",
    "status.completed": "已完成",
    "status.unreachable": "无法联系（已发短信）",
    "status.sms": "已改短信回访",
    "status.cancelled": "已取消",

    "result.satisfied": "满意",
    "result.dissatisfied": "不满意",

    "value_level.vip": "VIP",
    "value_level.key": "重点客户",
    "value_level.normal": "普通",

    "gender.male": "男",
    "gender.female": "女",

    "temperament.decisive": "果断型",
    "temperament.sociable": "社交型",
    "temperament.analytical": "分析型",
    "temperament.venting": "宣泄型",
    "temperament.cautious": "谨慎型",

    "phone_label.mobile": "手机",
    "phone_label.home": "住宅",
    "phone_label.work": "单位",
    "phone_label.other": "其他",

    "order_kind.maintenance": "保养",
    "order_kind.repair": "维修",
    "order_kind.warranty": "保修",
    "order_kind.accident": "事故车",
    "order_kind.other": "其他",

    "complaint_status.open": "待处理",
    "complaint_status.contacted": "已联系",
    "complaint_status.replied": "已答复",
    "complaint_status.resolved": "已解决",
    "complaint_status.closed": "已关闭",
    "severity.normal": "一般",
    "severity.major": "重大",
    "complaint_source.followup": "回访",
    "complaint_source.hotline": "热线",
    "complaint_source.walk_in": "到店",
    "complaint_source.online": "网络",
    "complaint_source.other": "其他",

    "appointment_status.booked": "已预约",
    "appointment_status.cancelled": "已取消",
    "appointment_status.done": "已完成",
    "appointment_status.no_show": "未到店",
    "work_kind.maintenance": "保养",
    "work_kind.repair": "维修",
    "work_kind.warranty": "保修",
    "work_kind.inspection": "检测",
    "work_kind.other": "其他",
    "channel.ivr": "电话自助",
    "channel.agent": "坐席",
    "channel.walk_in": "到店",
    "channel.online": "网络",

    "direction.inbound": "呼入",
    "direction.outbound": "呼出",
    "direction.internal": "内部",
    "disposition.answered": "已接通",
    "disposition.busy": "忙线",
    "disposition.no_answer": "无人接听",
    "disposition.unreachable": "无法接通",
    "disposition.failed": "失败",
    "disposition.abandoned": "放弃",
    "disposition.agent_no_answer": "坐席未接",
    "disposition.wrong_number": "号码错误",
    "category.inquiry": "咨询",
    "category.complaint": "投诉",
    "category.appointment": "预约",
    "category.followup": "回访",
    "category.other": "其他",

    "error.bad_credentials": "用户名或密码不正确。",
    "error.unauthorized": "登录已过期，请重新登录。",
    "error.do_not_disturb": "该客户要求勿扰，不能拨打电话，请改用短信回访。",
    "error.agent_busy": "您已有一通电话正在进行或正在建立。",
    "error.invalid_number": "这个号码无效，或不是该客户的号码。",
    "error.telephony_unavailable": "电话系统暂时不可用，请稍后再试。",
    "error.followup_closed": "该回访任务已结束。",
    "error.forbidden": "这是其他坐席的任务。",
    "error.no_extension": "您的账号没有分配分机，无法拨打。",
    "error.invalid_answers": "问卷答案不完整或超出范围。",
    "error.call_not_answered": "只有客户接听的通话才能提交问卷结果。",
    "error.not_found": "找不到该记录。",
    "error.network_error": "无法连接服务器，请检查网络。",
    "error.generic": "操作失败。",
  },

  "en": {
    "app.title": "Customer care center · Agent console",
    "app.skip": "Skip to content",
    "app.loading": "Loading…",
    "app.none": "None",
    "app.unknown": "—",
    "app.retry": "Retry",
    "app.back_to_list": "Back to my work",
    "app.language": "Language",
    "app.logout": "Log out",
    "app.signed_in_as": "Signed in as {name} (extension {extension})",
    "app.signed_in_as_no_ext": "Signed in as {name} (no extension)",
    "app.not_found": "This page does not exist.",
    "locale.zh-CN": "中文",
    "locale.en": "English",

    "ws.connecting": "Connecting live updates…",
    "ws.open": "Live updates connected",
    "ws.reconnecting": "Connection lost, reconnecting…",
    "ws.stopped": "Live updates off",

    "login.heading": "Agent log in",
    "login.username": "Username",
    "login.password": "Password",
    "login.submit": "Log in",
    "login.busy": "Logging in…",

    "work.heading": "My work",
    "work.tabs": "Task lists",
    "work.tab.today": "Due today",
    "work.tab.overdue": "Overdue",
    "work.tab.call_again": "Call again",
    "work.empty.today": "No follow-ups due today.",
    "work.empty.overdue": "No overdue follow-ups.",
    "work.empty.call_again": "No follow-ups to call again.",
    "work.col.customer": "Customer",
    "work.col.kind": "Kind",
    "work.col.due": "Due",
    "work.col.next": "Next attempt",
    "work.col.attempts": "Attempts",
    "work.col.vehicle": "Vehicle",
    "work.col.flags": "Flags",
    "work.refresh": "Refresh",
    "work.open_task": "Open the follow-up of {name}",

    "badge.vip": "VIP",
    "badge.key": "Key",
    "badge.dnd": "Do not disturb",

    "task.heading": "Follow-up #{id}",
    "task.status": "Status",
    "task.due": "Due",
    "task.attempts": "Attempts",
    "task.next_attempt": "Next attempt",
    "task.vehicle": "Vehicle",
    "task.score": "Score",
    "task.result": "Result",
    "task.completed_at": "Completed",

    "card.heading": "Customer",
    "card.profile": "Profile",
    "card.name": "Name",
    "card.external_ref": "Customer no.",
    "card.gender": "Gender",
    "card.birthday": "Birthday",
    "card.value_level": "Value level",
    "card.temperament": "Temperament",
    "card.address": "Address",
    "card.notes": "Notes",
    "card.next_maintenance_date": "Next maintenance",
    "card.do_not_disturb": "Do not disturb",
    "card.phones": "Phones",
    "card.vehicles": "Vehicles",
    "card.service_orders": "Service history",
    "card.followups": "Earlier follow-ups",
    "card.complaints": "Complaints",
    "card.appointments": "Appointments",
    "card.calls": "Calls",
    "card.empty": "Nothing yet",
    "card.unavailable": "The customer card could not be loaded.",
    "card.call": "Call",
    "card.call_label": "Call {phone} ({label})",
    "card.dnd_note": "This customer asked not to be called: follow up by SMS instead.",
    "card.closed_note": "This follow-up is closed: it cannot be called again.",
    "card.yes": "Yes",
    "card.no": "No",

    "col.plate": "Plate",
    "col.model": "Model",
    "col.vin": "VIN",
    "col.sale_date": "Sold",
    "col.delivery_date": "Delivered",
    "col.mileage": "Mileage (km)",
    "col.order_no": "Order",
    "col.settled_at": "Settled",
    "col.kind": "Kind",
    "col.advisor": "Advisor",
    "col.amount": "Amount (CNY)",
    "col.due_date": "Due",
    "col.status": "Status",
    "col.attempts": "Attempts",
    "col.answers": "Answers",
    "col.score": "Score",
    "col.result": "Result",
    "col.opened_at": "Opened",
    "col.severity": "Severity",
    "col.source": "Source",
    "col.description": "Description",
    "col.starts_at": "When",
    "col.work_kind": "Work",
    "col.channel": "Channel",
    "col.started_at": "When",
    "col.direction": "Direction",
    "col.agent": "Agent",
    "col.disposition": "Outcome",
    "col.category": "Category",
    "col.recording": "Recording",
    "col.id": "No.",
    "col.duration": "Duration",

    "recording.play": "Play recording",
    "recording.pending": "Recording being processed",
    "recording.none": "No recording",

    "call.heading": "Call",
    "call.idle": "No call yet. Click Call next to a number: your phone rings first, and the customer is dialed when you pick up.",
    "call.placing": "Placing the call…",
    "call.state": "State",
    "call.phone": "Number",
    "call.timeline": "Call progress",
    "call.duration": "Duration: {duration}",
    "call.elapsed": "Talking for {duration}",
    "call.refused": "The call was not placed",
    "call.after.answered": "The call has ended: fill in and submit the questionnaire.",
    "call.after.busy": "The customer's line was busy: the follow-up moved to Call again.",
    "call.after.no_answer": "The customer did not answer: the follow-up moved to Call again.",
    "call.after.unreachable": "The customer could not be reached: the follow-up moved to Call again.",
    "call.after.failed": "The call failed: the follow-up moved to Call again.",
    "call.after.agent_no_answer": "Your phone was not picked up, so the customer was not called; the follow-up is unchanged.",
    "call.after.wrong_number": "Wrong number: the follow-up moved to Call again.",
    "call.after.other": "The call has ended.",
    "call.task_now": "The follow-up is now: {status} (attempts: {attempts})",

    "call_state.agent_ringing": "Your phone is ringing",
    "call_state.agent_answered": "You picked up: dialing the customer",
    "call_state.customer_ringing": "The customer's phone is ringing",
    "call_state.answered": "The customer answered: talking",
    "call_state.busy": "The customer is busy",
    "call_state.no_answer": "The customer did not answer",
    "call_state.unreachable": "The customer cannot be reached",
    "call_state.failed": "The call failed",
    "call_state.agent_no_answer": "Your phone was not picked up",
    "call_state.ended": "Call ended",
    "call_state.ringing": "Ringing",

    "form.heading": "Questionnaire",
    "form.no_template": "There is no questionnaire for this kind of follow-up.",
    "form.wait_answer": "Once the customer answers you can record the answers and submit them.",
    "form.score_hint": "0 to {max}",
    "form.submit": "Submit the outcome",
    "form.submitting": "Submitting…",
    "form.wrong_number": "Wrong number (not the customer)",
    "form.result": "Follow-up completed: score {score}, {result}.",
    "form.complaint": "Complaint #{id} was opened, linked to this call and its recording.",
    "form.wrong_number_done": "Recorded as a wrong number: the follow-up moved to Call again.",
    "form.completed": "This follow-up is completed; its answers are final.",
    "form.pass_score": "Pass score: {score}",

    "pop.heading": "Incoming call",
    "pop.caller": "Caller: {phone}",
    "pop.withheld": "Caller: number withheld",
    "pop.ivr": "IVR choice: {choice}",
    "pop.match.one": "Known customer",
    "pop.match.several": "Several customers share this number",
    "pop.match.none": "No customer has this number",
    "pop.match.withheld": "The caller withheld the number",
    "pop.open": "Open {name}'s card",
    "pop.dismiss": "Dismiss",

    "customer.heading": "Customer #{id}",

    "agent_state.logged_out": "Logged out",
    "agent_state.available": "Available",
    "agent_state.ringing": "Ringing",
    "agent_state.on_call": "On a call",
    "agent_state.wrap_up": "Wrap-up",
    "agent_state.paused": "Paused",
    "agent_state.unavailable": "Phone unreachable",

    "kind.sales": "Sales",
    "kind.service": "Service",
    "kind.maintenance_reminder": "Maintenance reminder",
    "kind.win_back": "Win-back",
    "kind.dormant_prospect": "Dormant prospect",
    "kind.complaint_check": "Complaint check",

    "status.open": "Open",
    "status.call_again": "Call again",
    "status.completed": "Completed",
    "status.unreachable": "Unreachable (SMS sent)",
    "status.sms": "Moved to SMS",
    "status.cancelled": "Cancelled",

    "result.satisfied": "satisfied",
    "result.dissatisfied": "dissatisfied",

    "value_level.vip": "VIP",
    "value_level.key": "Key",
    "value_level.normal": "Normal",

    "gender.male": "Male",
    "gender.female": "Female",

    "temperament.decisive": "Decisive",
    "temperament.sociable": "Sociable",
    "temperament.analytical": "Analytical",
    "temperament.venting": "Venting",
    "temperament.cautious": "Cautious",

    "phone_label.mobile": "mobile",
    "phone_label.home": "home",
    "phone_label.work": "work",
    "phone_label.other": "other",

    "order_kind.maintenance": "Maintenance",
    "order_kind.repair": "Repair",
    "order_kind.warranty": "Warranty",
    "order_kind.accident": "Accident",
    "order_kind.other": "Other",

    "complaint_status.open": "Open",
    "complaint_status.contacted": "Contacted",
    "complaint_status.replied": "Replied",
    "complaint_status.resolved": "Resolved",
    "complaint_status.closed": "Closed",
    "severity.normal": "Normal",
    "severity.major": "Major",
    "complaint_source.followup": "Follow-up",
    "complaint_source.hotline": "Hotline",
    "complaint_source.walk_in": "Walk-in",
    "complaint_source.online": "Online",
    "complaint_source.other": "Other",

    "appointment_status.booked": "Booked",
    "appointment_status.cancelled": "Cancelled",
    "appointment_status.done": "Done",
    "appointment_status.no_show": "No-show",
    "work_kind.maintenance": "Maintenance",
    "work_kind.repair": "Repair",
    "work_kind.warranty": "Warranty",
    "work_kind.inspection": "Inspection",
    "work_kind.other": "Other",
    "channel.ivr": "IVR",
    "channel.agent": "Agent",
    "channel.walk_in": "Walk-in",
    "channel.online": "Online",

    "direction.inbound": "Inbound",
    "direction.outbound": "Outbound",
    "direction.internal": "Internal",
    "disposition.answered": "Answered",
    "disposition.busy": "Busy",
    "disposition.no_answer": "No answer",
    "disposition.unreachable": "Unreachable",
    "disposition.failed": "Failed",
    "disposition.abandoned": "Abandoned",
    "disposition.agent_no_answer": "Agent did not answer",
    "disposition.wrong_number": "Wrong number",
    "category.inquiry": "Inquiry",
    "category.complaint": "Complaint",
    "category.appointment": "Appointment",
    "category.followup": "Follow-up",
    "category.other": "Other",

    "error.bad_credentials": "Wrong username or password.",
    "error.unauthorized": "Your session has ended: please log in again.",
    "error.do_not_disturb": "This customer asked not to be called: follow up by SMS instead.",
    "error.agent_busy": "You already have a call in progress or being set up.",
    "error.invalid_number": "This number is not valid, or not one of the customer's.",
    "error.telephony_unavailable": "The phone system is unavailable: try again shortly.",
    "error.followup_closed": "This follow-up is already closed.",
    "error.forbidden": "This follow-up belongs to another agent.",
    "error.no_extension": "Your account has no phone extension, so it cannot place calls.",
    "error.invalid_answers": "The answers are incomplete or out of range.",
    "error.call_not_answered": "Only a call the customer answered can carry an outcome.",
    "error.not_found": "Not found.",
    "error.network_error": "The server cannot be reached: check the network.",
    "error.generic": "That did not work.",
  },
};

let current = "zh-CN";

export function locale() {
  return current;
}

export function setLocale(name) {
  current = LOCALES.includes(name) ? name : "zh-CN";
  document.documentElement.lang = current;
  return current;
}

export function has(key) {
  return Object.hasOwn(STRINGS[current], key);
}

/** The text of `key` in the current language, with {name} placeholders filled in. */
export function t(key, params = {}) {
  const text = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole);
}

/** An API enumeration value shown in words: tEnum("kind", "sales"). Unknown values as is. */
export function tEnum(group, value) {
  if (value === null || value === undefined || value === "") return t("app.unknown");
  const key = `${group}.${value}`;
  return has(key) ? t(key) : String(value);
}

/** A {"zh-CN": ..., "en": ...} text from the API in the current language. */
export function localized(texts) {
  if (texts === null || texts === undefined) return "";
  if (typeof texts === "string") return texts;
  return texts[current] ?? texts["zh-CN"] ?? texts.en ?? Object.values(texts)[0] ?? "";
}

export function formatDate(iso) {
  if (!iso) return t("app.unknown");
  // Plain dates ("2026-11-30") are calendar days: never shift them through a time zone.
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  const date = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return new Intl.DateTimeFormat(current, {
    year: "numeric", month: "2-digit", day: "2-digit", ...(m ? { timeZone: "UTC" } : {}),
  }).format(date);
}

export function formatDateTime(iso) {
  if (!iso) return t("app.unknown");
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return new Intl.DateTimeFormat(current, {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  }).format(date);
}

export function formatTime(iso) {
  const date = iso instanceof Date ? iso : new Date(iso);
  if (Number.isNaN(date.getTime())) return t("app.unknown");
  return new Intl.DateTimeFormat(current, {
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).format(date);
}

/** Seconds as m:ss (or h:mm:ss). */
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return t("app.unknown");
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

export function formatNumber(value) {
  if (value === null || value === undefined) return t("app.unknown");
  return new Intl.NumberFormat(current).format(value);
}
