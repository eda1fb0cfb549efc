// The recordings page's own strings (zh-CN and en); to be merged into web/i18n.js.
export const STRINGS = {
  "zh-CN": {
    title: "通话录音", search: "搜索", more: "加载更多", from: "开始时间", to: "结束时间",
    agent: "坐席ID", customer: "客户姓名", phone: "电话(尾号或开头)", phoneStart: "按开头匹配",
    direction: "方向", disposition: "结果", minSeconds: "最短(秒)", maxSeconds: "最长(秒)",
    followupKind: "回访类型", followupResult: "回访结果", complaint: "投诉", category: "类别",
    text: "备注/转写关键词", any: "全部", yes: "有", no: "无", total: "共 {n} 条",
    started: "时间", duration: "时长", noResults: "没有符合条件的录音",
    loginFirst: "请先在坐席控制台登录。", details: "详情", notes: "备注", transcript: "转写",
    download: "下载", status: "状态", vehicle: "车辆", followup: "回访", language: "English",
    inbound: "呼入", outbound: "呼出", internal: "内部", failed: "请求失败：{m}",
  },
  en: {
    title: "Call recordings", search: "Search", more: "Load more", from: "From", to: "To",
    agent: "Agent id", customer: "Customer name", phone: "Phone (last or first digits)",
    phoneStart: "match the start", direction: "Direction", disposition: "Outcome",
    minSeconds: "Min (s)", maxSeconds: "Max (s)", followupKind: "Follow-up kind",
    followupResult: "Follow-up result", complaint: "Complaint", category: "Category",
    text: "Words in notes/transcript", any: "Any", yes: "Yes", no: "No",
    total: "{n} recordings", started: "Time", duration: "Length",
    noResults: "No recording matches", loginFirst: "Log in on the agent console first.",
    details: "Details", notes: "Notes", transcript: "Transcript", download: "Download",
    status: "Status", vehicle: "Vehicle", followup: "Follow-up", language: "中文",
    inbound: "Inbound", outbound: "Outbound", internal: "Internal", failed: "Request failed: {m}",
  },
};

export function translate(locale, key, vars = {}) {
  const text = (STRINGS[locale] || STRINGS.en)[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}
