package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode"

	"kefu/internal/access"
	"kefu/internal/appraisal"
	"kefu/internal/auth"
	"kefu/internal/comms"
	"kefu/internal/contracts"
	"kefu/internal/customers"
	"kefu/internal/fieldwork"
	"kefu/internal/org"
	"kefu/internal/scorecards"
	"kefu/internal/surveys"
	"kefu/internal/tickets"
	"kefu/internal/workcal"
)

// op describes one route for the OpenAPI document.
type op struct {
	Tag    string // group in the document
	Zh, En string // summary in Chinese and English
	Desc   string // optional longer description (both languages)

	Query []param // query parameters (path parameters come from the pattern)
	Body  any     // JSON request body: a value of its Go type
	// BodyOptional: the JSON body may be left out.
	BodyOptional bool
	Form         []param // multipart/form-data fields
	// RawCSV: the body may also be text/csv itself.
	RawCSV bool

	Resp   any   // JSON response: a value of its Go type (or its item type with Shape)
	Shape  shape // one value, {"items"} or {"items","next"}
	Binary bool  // the response is a file download
	XLSX   bool  // the response is an XLSX workbook download
	Status int   // success status; default 200
}

type shape int

const (
	shapeOne shape = iota
	shapeList
	shapePage
)

// param is a query parameter or a multipart field.
type param struct {
	Name     string
	Type     string // string (default), integer, boolean, file
	Format   string // date, date-time
	Zh, En   string
	Required bool
	Enum     []string
	Default  any
	Min, Max int
}

// anyJSON stands for a free-form JSON document.
type anyJSON struct{}

// Field descriptions shared by every schema that has the field; a key
// "Type.field" (the Go type that declares the field) describes that type's
// field only and wins over the plain name.
var fieldDocs = map[string]string{
	"version":        "读取时的版本号，修改时原样带回；过期返回 409。 The version you read; send it back with an update (a stale version is 409).",
	"known_on":       knownOnZh + " " + knownOnEn,
	"recorded_at":    recordedAtZh + " " + recordedAtEn,
	"late_days":      "记录日期晚于知悉日期的天数（>0 即档案未当日更新）。 Days recorded after the change became known (>0 is a late archive update).",
	"class":          "客户等级（分级管理）· customer class",
	"owner_id":       "分管客服（客服专员）的员工 id · the owning customer-service specialist",
	"sales_owner_id": "销售负责人的员工 id · the sales owner",
	"orphan":         "孤儿客户：销售负责人已离职 · the sales owner has left",
	"decision_maker": "负责人（决策人）· the customer's decision maker",
	"valid":          "仍有效：客户方为在任联系人，我方为在职员工 · still valid: an active contact or an active staff member",
	"reason":         "无效原因（待清退）· why the member is invalid (to be removed)",
	"supervisor_id":  "直属上级或组长的员工 id · the supervisor's staff id",
	"specialist_id":  "分管客服的员工 id · the owning specialist's staff id",
	"paper_location": "纸质档案存放位置 · where the paper originals are filed",
	"windows":        "每天的工作时段，如 08:30-12:00 · daily working windows",
	"weekdays":       "工作日，0 = 星期日 … 6 = 星期六 · working weekdays, 0 = Sunday",

	// Contracts and money: amounts are integers in fen (分).
	"amount_fen":                  "金额，单位为分（整数，12345 即 ¥123.45）· amount in fen (an integer; 12345 is ¥123.45)",
	"paid_fen":                    "已回款，单位为分 · paid so far, in fen",
	"invoiced_fen":                "已开票，单位为分 · invoiced so far, in fen",
	"open_fen":                    "未付，单位为分 · still open, in fen",
	"credit_fen":                  "超出未付总额、记为预收的部分，单位为分 · the part kept as credit (more than was open), in fen",
	"emc_fee_fen":                 "EMC 业主收费每期金额，单位为分 · EMC owner fee per period, in fen",
	"Receivables.total":           "筛选范围内未付合计，单位为分 · total open over the selection, in fen",
	"Receivables.totals":          "各账龄区间的未付合计，单位为分 · open amount per ageing bucket, in fen",
	"days_overdue":                "逾期天数（未到期或已付清为 0）· days past due (0 when not due or paid)",
	"bucket":                      "账龄区间（逾期天数）· ageing bucket (days overdue)",
	"renewed_from":                "被续签的原合同 id · the contract this one renews",
	"schedule_differs":            "付款计划合计与合同金额不一致（须填写 schedule_note）· the schedule does not add up to amount_fen (explain in schedule_note)",
	"outcome":                     "续约结果：pending 跟进中、renewed 已续签、lost 未续签 · renewal outcome",
	"reference":                   "凭证号（如银行流水号）；同一合同、日期、金额和凭证号只能登记一次 · the payment's reference; one payment per contract, day, amount and reference",
	"Contract.received_on":        "客服接到立项合同的日期 · the day customer service received the contract",
	"ContractInput.received_on":   "客服接到立项合同的日期 · the day customer service received the contract",
	"Payment.received_on":         "回款日期（不晚于今天）· the day the money arrived (not in the future)",
	"PaymentInput.received_on":    "回款日期（不晚于今天）· the day the money arrived (not in the future)",
	"PaymentInput.installment_id": "先冲抵的分期 id（可选；默认按到期日从早到晚冲抵）· the installment to pay first (optional; default oldest due first)",
	"InvoiceInput.installment_id": "开票所属的分期 id · the installment invoiced",
	"ContractView.status":         "由状态与日期推算：draft 草稿、active 生效中、expired 已到期未续签、renewed 已续签、terminated 已终止 · derived from state and dates",
	"contractCreate.activate":     "true：直接生效；默认为草稿 · true: in force at once; default a draft",
	"stateChange.reason":          "终止原因（state=terminated 时必填）· why it is terminated (required with terminated)",
	"outcomeChange.reason":        "未续签原因（outcome=lost 时必填）· why it is not renewed (required with lost)",
	"paymentDelete.reason":        "删除原因 · why the payment is deleted",
	"contractContact.tag":         "renewal 续约联系 · dunning 催款",
	"renewal_window_months":       "合同到期前几个月进入续约窗口（1–12）· months before the end date the renewal window opens (1–12)",
	"renewal_contact_days":        "窗口打开后几天内须联系决策人，否则标记（1–60）· days after the window opens for the first renewal contact before it is flagged (1–60)",
	"quote_followup_working_days": "报价发出后几个工作日内须跟进（1–30）· working days to follow up a sent quote (1–30)",
	"due_soon_days":               "提前几天提醒即将到期的分期（1–60）· days ahead to remind of installments falling due (1–60)",

	// Needs and quotes.
	"Need.status":           "open 跟进中、quoted 已报价、won 已成交、lost 未成交 · open, quoted, won or lost",
	"Need.owner_id":         "登记时客户的分管客服 · the customer's owning specialist when the need was recorded",
	"won_contract_id":       "成交的新合同 id · the contract the need was won with",
	"Need.lost_reason":      "未成交原因 · why the need was lost",
	"raised_on":             "客户提出需求的日期（默认今天）· the day the customer raised the need (default today)",
	"NeedView.quotes":       "报价数 · number of quotes",
	"last_sent_at":          "最近一次发送报价的时间 · when a quote was last sent",
	"last_follow_up":        "最近一次跟进的时间 · when the need was last followed up",
	"follow_up_due":         "报价须跟进的截止时间（合同规则中的工作日数）· when the sent quote must be followed up by (the policy's working days)",
	"follow_up_overdue":     "报价已发出但未按时跟进 · the quote was sent and not followed up in time",
	"quote_list":            "报价（含明细行），按创建时间 · the quotes with their lines, oldest first",
	"follow_ups":            "跟进记录（quote 标签的沟通记录）· the follow-ups (communications tagged quote)",
	"total_fen":             "报价合计，单位为分（各行金额之和）· the quote's total in fen (the sum of its lines)",
	"unit_price_fen":        "单价，单位为分（整数，0 及以上）· unit price in fen (an integer, 0 or more)",
	"quantity":              "数量（1–1000000）· quantity (1 to 1,000,000)",
	"QuoteLine.amount_fen":  "行金额 = quantity × unit_price_fen，单位为分 · the line's amount, quantity × unit_price_fen, in fen",
	"valid_until":           "报价有效期至 · the quote is valid until",
	"QuoteInput.send":       "true：保存即标记为已发送 · true: mark it sent as it is saved",
	"QuoteInput.sent_at":    "实际发送时间（补录；不晚于现在）· when it was really sent (for one sent before it was entered; not in the future)",
	"Quote.sent_at":         "发送给客户的时间；未发送为 null · when it was sent to the customer; null while not sent",
	"needClose.outcome":     "won 成交（须 contract_id）· lost 未成交（须 reason）",
	"needClose.contract_id": "成交的新合同 id（同一客户）· the new contract of the same customer (with won)",
	"needClose.reason":      "未成交原因（outcome=lost 时必填）· why it was lost (required with lost)",

	// Rates.
	"rateRatio.num":                 "分子：已续签的合同数（续约率）或当月回款，单位为分（回款率）· numerator: contracts renewed (renewal) or fen collected in the month (collection)",
	"rateRatio.den":                 "分母：当月到期的合同数（续约率）或月初未收合计，单位为分（回款率）· denominator: contracts ending in the month (renewal) or fen open at its start (collection)",
	"rateRatio.percent":             "百分比，两位小数、四舍五入、最高 100.00%，如 \"87.50%\"；nothing_due 时为 \"100.00%\" · the rate with two decimals, rounded half up and capped at 100.00%; \"100.00%\" when nothing is due",
	"rateRatio.nothing_due":         "本月无应考核项（den 为 0），按 100% 计 · nothing was due (den 0): counts as 100%",
	"specialistRates.specialist_id": "客服专员 id；空字符串为无分管客服的客户 · the specialist; \"\" for customers nobody owned",
	"renewalRateRow.owner_id":       "合同到期当天客户的分管客服 · who owned the customer on the end date",
	"renewalRateRow.renewed":        "在 as_of 前已签订续约合同 · a successor was signed by as_of",
	"successor_id":                  "计为续签的续约合同 id · the successor counted as the renewal",
	"successor_signed_on":           "续约合同签订日期 · the day the successor was signed",
	"collectionRateRow.owner_id":    "分期到期当天客户的分管客服 · who owned the customer on the due day",
	"open_at_start_fen":             "月初未收，单位为分 · still owed at the start of the month, in fen",
	"collected_fen":                 "当月收到并冲抵本期的金额（不超过月初未收），单位为分 · received against it in the month (at most what was open), in fen",
	"carried_in":                    "逾期结转：到期日早于当月 · overdue, carried in: due before the month",
	"collectionRateRow.payments":    "当月冲抵本期的回款 · the month's payments applied to it",
	"ratesReport.month":             "考核月 YYYY-MM · the month",
	"ratesReport.as_of":             "续签统计截至日期 · renewals signed up to this day count",

	// Orphans, notifications, reminders.
	"next_end_on":            "在执行合同中最早的结束日期 · the earliest end date of the running contracts",
	"active_contracts":       "在执行合同数 · running contracts",
	"overdue_fen":            "已逾期未付，单位为分 · overdue and unpaid, in fen",
	"sales_left_on":          "销售负责人离职日期 · the day the sales owner left",
	"Notification.kind":      "通知类型，如 renewal_window、installment_due、installment_overdue、quote_follow_up · the kind of notice, such as renewal_window, installment_due, installment_overdue, quote_follow_up",
	"subject_kind":           "通知所涉记录的类型，如 contract、need · what the notice is about, such as contract or need",
	"Notification.link":      "网页中相关记录的路径 · the web page of what it is about",
	"read_at":                "已读时间；未读为 null · when it was read; null while unread",
	"unread_notifications":   "本人未读通知数 · the caller's unread notifications",
	"renewal_window":         "新增的续约期提醒数 · renewal-window reminders added",
	"installment_due":        "新增的分期即将到期提醒数 · due-soon reminders added",
	"ReminderCounts.overdue": "新增的分期逾期提醒数 · overdue reminders added",
	"quote_follow_up":        "新增的报价跟进提醒数 · quote follow-up reminders added",

	// Tickets, complaints, callbacks.
	"Ticket.number":                   "工单号 GD-YYYYMMDD-NNNN（按受理日编号）· the ticket number, per company day received",
	"Ticket.received_at":              "受理时间 · when the request was received",
	"TicketInput.received_at":         "受理时间，默认现在；补录历史时可为过去的时间，不能晚于现在 · when it was received, default now; past times migrate history, future ones are refused",
	"caller":                          "未匹配客户时来电的号码或姓名 · the caller's number or name when no customer matches",
	"first_owner_id":                  "首问责任人（受理人，至工单关闭前负责；默认登记人，只有客服经理可指定他人）· the first-contact owner (首问责任人), accountable until closed; default the caller, only managers name another",
	"assignee_id":                     "处理人 · the assignee",
	"urgency":                         "urgent 紧急 · normal 一般（默认）",
	"promised_at":                     "解决方案期限 · the promised solution deadline",
	"appointment_at":                  "预约上门时间 · the appointment time",
	"repair_object":                   "报修对象 · what is to be repaired",
	"model_spec":                      "型号规格 · model and specification",
	"special_needs":                   "特殊需求 · special needs",
	"incident_who":                    "投诉事件：何人 · the complaint's incident: who",
	"incident_what":                   "投诉事件：何事 · the complaint's incident: what",
	"incident_when":                   "投诉事件：何时 · the complaint's incident: when",
	"demand":                          "客户诉求 · the customer's demand",
	"Ticket.incomplete":               "登记不全：缺少该类型的登记要素 · the registration lacks fields its type requires (登记不全)",
	"Ticket.missing":                  "缺少的登记要素（字段名）· the registration fields missing",
	"escalation_level":                "当前升级层级 · the current escalation level",
	"Ticket.resolved_at":              "解决时间（重新打开后为 null）· when it was resolved (null after a reopen)",
	"Ticket.closed_at":                "关闭时间 · when it was closed",
	"allowed_next":                    "现在可转为的状态 · the states the ticket may move to now",
	"can_work":                        "调用者可否处理该工单 · whether the caller may change the ticket",
	"ticketDetail.events":             "以该工单为证据的考核事件（合理的服务态度投诉）· appraisal events citing the ticket (justified attitude complaints)",
	"Transition.from":                 "原状态（登记时为空）· the status before (empty for the registration)",
	"Transition.reopen":               "重新打开 · the change reopened the ticket",
	"Transition.at":                   "变更时间（补录时为过去的时间）· when it changed (a past time when migrated)",
	"Transition.recorded_at":          "实际记录时间 · when the change was recorded",
	"TransitionInput.at":              "变更时间，默认现在；补录历史时不早于上一次状态变更，不晚于现在 · when it changed, default now; for history not before the previous transition, never in the future",
	"TransitionInput.note":            "说明（重新打开时必填）· a note (required to reopen)",
	"reopenInput.reason":              "重新打开的原因（必填）· why the ticket is reopened (required)",
	"reopenInput.at":                  "重新打开的时间，默认现在 · when it was reopened, default now",
	"to_staff_id":                     "升级给的员工 id · the staff member escalated to",
	"to_text":                         "升级给的部门或人员（文字）· the department or person escalated to, as text",
	"Complaint.against_staff_id":      "被投诉的员工 id · the staff member complained about",
	"ComplaintInput.against_staff_id": "被投诉的员工 id · the staff member complained about",
	"against_text":                    "被投诉的对象（非本公司员工或未确定时的文字）· who is complained about, as text",
	"justified":                       "是否合理（客服经理判定）：yes 合理、no 不合理、undecided 待定 · judged by a manager",
	"ComplaintInput.reason":           "判定理由：成为考核事件或撤销事件的原因 · why it was judged so: the appraisal event's reason, or the reason of its withdrawal",
	"root_cause":                      "问题原因（原因不清不放过）· the root cause",
	"responsibility":                  "责任（责任不清不放过）· who is responsible",
	"corrective_action":               "纠正措施（问题未解决不放过）· the corrective action",
	"preventive_action":               "预防措施 · the preventive action",
	"escalated_to":                    "重大投诉升级给的客服经理 · the manager a major complaint went to",
	"reply_due_at":                    "重大投诉回复期限 · when a major complaint must be answered by",
	"reply_note":                      "经理的回复 · the manager's reply",
	"Complaint.event_id":              "生效中的 attitude_complaint 考核事件 · the attitude_complaint event in force",
	"Event.reason":                    "标记原因 · why the event was flagged",
	"withdrawn_at":                    "撤销时间；生效中为 null · when it was withdrawn; null while in force",
	"withdraw_reason":                 "撤销原因 · why it was withdrawn",
	"Callback.staff_id":               "负责回访的员工：解决时客户的分管客服，无则首问责任人 · charged with the callback: the customer's owner when resolved, else the first-contact owner",
	"Callback.resolved_at":            "工单解决时间 · when the ticket was resolved",
	"Callback.due_at":                 "回访期限（最后一天结束时）· the deadline (the end of the last allowed day)",
	"Callback.done_at":                "回访时间；未回访为 null · when the callback was made; null while open",
	"Callback.cancelled_at":           "取消时间（工单重新打开）· when it was cancelled (the ticket was reopened)",
	"satisfaction":                    "满意度 1–5 · satisfaction 1–5",
	"ReplyInput.at":                   "回复时间，默认现在；电话回复后补录时为过去的时间，不早于受理时间，不晚于现在 · when the manager replied, default now; a reply logged later gives its past time, not before the ticket was received, never in the future",
	"CallbackInput.at":                "回访时间，默认现在；不早于解决时间，不晚于现在 · when the call was made, default now; not before the resolution, never in the future",
	"CallbackInput.communication_id":  "回访电话的沟通记录 id（可选）· the communication record of the call (optional)",
	"ResampleInput.at":                "抽查回访时间，默认现在 · when the manager called, default now",
	"callbackRate.num":                "按期完成的回访数 · callbacks done by their deadline",
	"callbackRate.den":                "应回访数（期限已过或已登记）· callbacks due (deadline passed, or done)",
	"callbackRate.percent":            "回访率，两位小数，如 \"87.50%\"；nothing_due 时为 \"100.00%\" · the rate with two decimals; \"100.00%\" when nothing is due",
	"callbackRate.nothing_due":        "本月无应回访（den 为 0），按 100% 计 · nothing was due (den 0): counts as 100%",
	"callbackRate.late":               "逾期登记的回访数 · callbacks recorded after the deadline",
	"callbackRate.missed":             "逾期未登记的回访数 · callbacks past the deadline and not recorded",
	"callbackRate.pending":            "本月尚未到期、未登记的回访数（不计入）· callbacks not yet due nor done (not counted)",
	"callbackRates.month":             "月份 YYYY-MM · the month",
	"ResampleSet.done":                "已登记的抽查数 · re-calls recorded",
	"ResampleSet.pending":             "待抽查数 · re-calls still to make",
	"Count.justified":                 "其中合理的 · of which justified",
	"Count.major":                     "其中重大的 · of which major",
	"repair_callback_working_days":    "报修解决后几个工作日内回访（1–30）· working days to call back a resolved repair (1–30)",
	"complaint_callback_days":         "投诉解决后几天内回访（1–30）· days to call back a resolved complaint (1–30)",
	"major_reply_working_days":        "重大投诉自受理起几个工作日内回复（1–10）· working days from receipt to answer a major complaint (1–10)",
	"resample_percent":                "经理每季度抽查回访的比例（1–100）· the share of callbacks the manager re-calls each quarter (1–100)",

	"Rating.reason":             "评分理由（手工评分低于满分时必填）· the reason (required for a manual score below full)",
	"scorecardRating.reason":    "评分理由（手工评分低于满分时必填）· the reason (required for a manual score below full)",
	"scorecardRating.points":    "rubric 选定的等级分或 manual 的分数 · the rubric level chosen or the manual score",
	"scorecardRating.grades":    "checklist：子项 key → 符合/基本符合/一般符合/不符合 · checklist: sub-item key → grade",
	"sampleRecord.date":         "抽查日期 YYYY-MM-DD · the day sampled",
	"sampleRecord.checked":      "当天抽查条数 · records checked that day",
	"sampleRecord.failed":       "其中不合格条数 · of which failing",
	"sampleRecord.evidence":     "不合格沟通记录的 id · the failing communication records' ids",
	"CheckInput.scheme":         "检查方案代码（check: true）· the check scheme's code",
	"CheckInput.period":         "月检 YYYY-MM；周检为周一 YYYY-MM-DD · YYYY-MM, or a weekly check's Monday YYYY-MM-DD",
	"scorecardAppeal.reason":    "申诉理由 · why the line is appealed",
	"scorecardTransition.note":  "提交自评时为总体意见；退回时为原因（必填）· the overall comment with the self-review; the reason when returning (required)",
	"appealDecision.adjustment": "调整分（±，仅成立且考核表已提交审批后），计入 final · the adjustment (±; upheld appeals on cards submitted for approval or later), added to final",
	"appealDecision.note":       "处理意见 · the decision's reasoning",
	"Detail.adjustment":         "申诉调整合计，已计入 final · the sum of the upheld appeals' adjustments, included in final",
	"Detail.not_counted":        "本月未计入考核表的有效事件（上次计算后新增，或冻结后补录：计入下一张未审批考核表的上期补记，或经申诉处理）· standing events of the month the stored card does not count (recorded since the last computation, or after the card was frozen: carried to the next open card as 上期补记, or through an appeal)",
	"appeal_days":               "发布后的申诉期天数（0–60，默认 5）· days of the appeal window after publication (0–60, default 5)",
	"appeal_until":              "申诉截止时间 · the end of the appeal window",
	// Appraisal schemes and rater flags.
	"SchemeRecord.version":         "方案版本号（同一 code 递增）· the scheme's version number (increasing per code)",
	"SchemeRecord.row_version":     "读取时的行版本，修改、批准、停用时原样带回；过期返回 409。 The row version you read; send it back to change, approve or retire (stale is 409).",
	"SchemeRecord.status":          "draft 草稿 / approved 已批准 / retired 已停用 · draft, approved or retired",
	"SchemeRecord.effective_from":  "生效日期（YYYY-MM-DD）· the day it takes effect",
	"SchemeRecord.applies_to":      "适用角色 · the role it applies to",
	"SchemeCheck.version":          "将要使用的版本号 · the version it would get",
	"SchemeCheck.valid":            "没有问题 · no problems",
	"SchemeDraft.base_id":          "要延续的方案版本 id · the version continued",
	"SchemeDraft.code":             "方案代码（无 base_id 时；省略则取文档的 key）· the scheme's code (without base_id; default the document's key)",
	"SchemeDraft.document":         "方案 JSON 对象 · the scheme as a JSON object",
	"SchemeDraft.effective_from":   "生效日期（月度方案为某月 1 日；默认下月 1 日）· the day it takes effect (a monthly scheme: the first of a month; default the first of next month)",
	"schemeUpdate.row_version":     "读取时的行版本；过期返回 409 · the row version you read (stale is 409)",
	"rowVersionBody.row_version":   "读取时的行版本；过期返回 409 · the row version you read (stale is 409)",
	"retireBody.row_version":       "读取时的行版本；过期返回 409 · the row version you read (stale is 409)",
	"retireBody.reason":            "停用原因 · why it is retired",
	"FlagInput.reason":             "标记理由 · why it is flagged",
	"FlagInput.points":             "bonus：加分；dispatch_error：扣分（整数分，在方案范围内）；penalty：处罚分（可选）· bonus: the bonus; dispatch_error: points deducted (whole points within the scheme's range); penalty: optional points",
	"FlagInput.evidence":           "证明记录 · the records that prove it",
	"FlaggedEvent.quantity":        "次数；dispatch_error、bonus、penalty 为整数分值 · occurrences; dispatch_error, bonus and penalty: whole points",
	"FlaggedEvent.reason":          "标记理由 · why it was flagged",
	"Input.external_id":            "外部编号：接口提交（POST /communications）时必填，同一编号只登记一次，重试不会重复；人工登记可不填 · the sender's id of the record: required when posted to POST /communications (the same id is stored once, so a retry never duplicates); optional when a person logs it",
	"FlaggedEvent.withdraw_reason": "撤销原因 · why it was withdrawn",
}

const (
	knownOnZh    = "知悉日期 YYYY-MM-DD，默认今天。"
	knownOnEn    = "The day the change became known, default today."
	recordedAtZh = "补录历史时的实际记录时间（仅经理/管理员），默认现在。"
	recordedAtEn = "When it was really recorded, for migrating history (managers and admins only); default now."
)

// dateFields are YYYY-MM-DD text.
var dateFields = map[string]bool{"known_on": true, "recorded_on": true, "created_on": true, "joined_on": true, "removed_on": true,
	"installed_on": true, "paper_received_on": true, "since": true, "left_on": true, "day": true,
	"signed_on": true, "received_on": true, "start_on": true, "end_on": true, "terminated_on": true, "due_on": true,
	"period_from": true, "period_to": true, "issued_on": true, "as_of": true, "window_opened": true, "contact_due_by": true,
	"raised_on": true, "valid_until": true, "next_end_on": true, "sales_left_on": true, "successor_signed_on": true}

// fieldEnums are the allowed values of fields, keyed by the Go type that
// declares the field and its JSON name (so embedding types inherit them).
var fieldEnums = map[string][]string{
	"Customer.class": customers.Classes, "CustomerInput.class": customers.Classes,
	"Customer.status": customers.Statuses, "CustomerInput.status": customers.Statuses,
	"Member.side": {"customer", "staff"}, "MemberInput.side": {"customer", "staff"},
	"Holiday.kind": {"holiday", "workday"}, "holidayInput.kind": {"holiday", "workday"},
	"importApply.mode": {"reject", "skip"}, "importResult.mode": {"reject", "skip"},
	"importApply.kind": importKinds(), "importResult.kind": allImportKinds(),
	"contractImportApply.mode": {"reject", "skip"},
	"importRow.action":         {"create", "update", "unchanged"},
	"meResponse.via":           {"token", "session"},
	"Staff.locale":             {"zh-CN", "en"}, "StaffInput.locale": {"zh-CN", "en"},

	"Contract.kind": contracts.Kinds, "ContractInput.kind": contracts.Kinds,
	"Contract.state":   {"draft", "active", "terminated"},
	"Contract.outcome": renewalOutcomeNames, "RenewalItem.outcome": renewalOutcomeNames,
	"ContractView.status": contracts.Statuses,
	"Contract.emc_cycle":  contracts.EMCCycles, "ContractInput.emc_cycle": contracts.EMCCycles,
	"ScopeItem.service_type": contracts.ServiceTypes, "ScopeItemInput.service_type": contracts.ServiceTypes,
	"ScopeItem.frequency": contracts.Frequencies, "ScopeItemInput.frequency": contracts.Frequencies,
	"Installment.kind": {"regular", "emc_fee"}, "InstallmentInput.kind": {"regular", "emc_fee"},
	"Payment.method": contracts.PaymentMethods, "PaymentInput.method": contracts.PaymentMethods,
	"Payment.source":        {"manual", "import", "api"},
	"Communication.channel": contracts.Channels, "CommunicationInput.channel": contracts.Channels,
	"Communication.direction": {"in", "out"}, "CommunicationInput.direction": {"in", "out"},
	"ReceivableRow.bucket": contracts.Buckets,
	"stateChange.state":    contractStates,
	"Plan.status":          surveys.Statuses,
	"Plan.method":          surveys.Methods, "PlanInput.method": surveys.Methods,
	"Plan.scope_class": append([]string{""}, surveys.Classes...), "PlanInput.scope_class": append([]string{""}, surveys.Classes...),
	"Question.kind": {surveys.KindScore, surveys.KindText}, "QuestionInput.kind": {surveys.KindScore, surveys.KindText},
	"Task.outcome": append([]string{""}, surveys.Outcomes...), "ResponseInput.outcome": surveys.Outcomes,
	"Task.channel": append([]string{""}, surveys.Methods...), "ResponseInput.channel": append([]string{""}, surveys.Methods...),
	"outcomeChange.outcome": renewalOutcomes,
	"contractContact.tag":   contactTags,

	"Need.status":            needStatuses,
	"needClose.outcome":      needOutcomes,
	"renewalRateRow.outcome": renewalOutcomeNames,

	"Ticket.type": tickets.Types, "TicketInput.type": tickets.Types, "CallbackView.type": tickets.Types,
	"Ticket.status": tickets.Statuses, "TransitionInput.to": tickets.Statuses, "Transition.to": tickets.Statuses,
	"Transition.from": append([]string{""}, tickets.Statuses...),
	"Ticket.channel":  tickets.Channels, "TicketInput.channel": tickets.Channels,
	"Ticket.urgency": ticketUrgencies, "TicketInput.urgency": ticketUrgencies,
	"Ticket.escalation_level": tickets.Levels, "Escalation.from_level": tickets.Levels, "Escalation.to_level": tickets.Levels,
	"EscalationInput.to_level": tickets.Levels[1:],
	"Complaint.nature":         tickets.Natures, "ComplaintInput.nature": tickets.Natures,
	"Complaint.severity": tickets.Severities, "ComplaintInput.severity": tickets.Severities,
	"Complaint.justified": tickets.Judgements, "ComplaintInput.justified": tickets.Judgements,
	"Callback.kind": {tickets.TypeRepair, tickets.TypeComplaint},
	"Event.type":    {tickets.EventAttitudeComplaint},

	"Scorecard.status": scorecards.Statuses, "ListRow.status": scorecards.Statuses, "scorecardTransition.to": scorecards.Statuses,
	"AppealRecord.kind": {scorecards.KindComment, scorecards.KindAppeal}, "AppealRecord.decision": {"", scorecards.DecisionUpheld, scorecards.DecisionRejected},
	"appealDecision.decision": {scorecards.DecisionUpheld, scorecards.DecisionRejected},
	// Appraisal schemes and rater flags.
	"FlagInput.type": scorecards.FlagTypeKeys, "FlaggedEvent.type": scorecards.FlagTypeKeys,
	"SchemeRecord.status": {"draft", "approved", "retired"},
}

// ticketUrgencies are the urgencies of a ticket: 紧急 / 一般.
var ticketUrgencies = []string{"urgent", "normal"}

// renewalOutcomeNames are the stored renewal outcomes.
var renewalOutcomeNames = []string{"pending", "renewed", "lost"}

// requestFields lists, for every type used as a request body, the fields
// a caller must send. The builder refuses a body type missing here.
var requestFields = map[reflect.Type][]string{
	reflect.TypeFor[passwordChange]():           {"old_password", "new_password"},
	reflect.TypeFor[staffCreate]():              {"login", "name", "roles"},
	reflect.TypeFor[staffUpdate]():              {"version"},
	reflect.TypeFor[rolesUpdate]():              {"version", "roles"},
	reflect.TypeFor[activeUpdate]():             {"version", "active"},
	reflect.TypeFor[passwordSet]():              {"password"},
	reflect.TypeFor[departmentInput]():          {"name"},
	reflect.TypeFor[departmentUpdate]():         {"version"},
	reflect.TypeFor[groupInput]():               {"name"},
	reflect.TypeFor[groupUpdate]():              {"version"},
	reflect.TypeFor[regionInput]():              {"name"},
	reflect.TypeFor[regionUpdate]():             {"version"},
	reflect.TypeFor[customers.CustomerInput]():  {"name", "class", "region_id"},
	reflect.TypeFor[customerUpdate]():           {"version"},
	reflect.TypeFor[customers.ContactInput]():   {"name"},
	reflect.TypeFor[contactUpdate]():            {"version"},
	reflect.TypeFor[customers.EquipmentInput](): {"kind"},
	reflect.TypeFor[equipmentUpdate]():          {"version"},
	reflect.TypeFor[customers.GroupInput]():     {"name"},
	reflect.TypeFor[groupUpdateBody]():          {"version"},
	reflect.TypeFor[customers.MemberInput]():    {"display_name", "side"},
	reflect.TypeFor[customers.Change]():         {},
	reflect.TypeFor[importApply]():              {"kind"},
	reflect.TypeFor[settingsInput]():            {},
	reflect.TypeFor[holidayInput]():             {"name", "kind"},
	reflect.TypeFor[tokenInput]():               {"name"},

	reflect.TypeFor[fieldwork.Settings]():          {},
	reflect.TypeFor[fieldwork.ProjectInput]():      {"contract_id"},
	reflect.TypeFor[fieldwork.ItemInput]():         {"service_type"},
	reflect.TypeFor[projectUpdate]():               {"version"},
	reflect.TypeFor[reasonInput]():                 {"reason"},
	reflect.TypeFor[fieldwork.WorkOrderInput]():    {},
	reflect.TypeFor[workOrderUpdate]():             {"version"},
	reflect.TypeFor[dispatchInput]():               {"version"},
	reflect.TypeFor[returnInput]():                 {"version", "fields", "points", "reason"},
	reflect.TypeFor[completeInput]():               {"version"},
	reflect.TypeFor[versionReasonInput]():          {"version", "reason"},
	reflect.TypeFor[fieldwork.ProgressPolicy]():    {},
	reflect.TypeFor[customers.ArchiveLatePolicy](): {},
	reflect.TypeFor[fieldwork.ReportInput]():       {"status"},
	reflect.TypeFor[fieldwork.FollowupInput]():     {"customer_id", "kind"},
	reflect.TypeFor[summarySubmit]():               {"version"},
	reflect.TypeFor[fieldwork.ProblemInput]():      {"type", "description", "evidence"},
	reflect.TypeFor[forwardInput]():                {"version"},
	reflect.TypeFor[resolveInput]():                {"version", "resolution"},
	reflect.TypeFor[monthlySubmit]():               {"version"},
	reflect.TypeFor[groupPostInput]():              {"version"},
	reflect.TypeFor[paperInput]():                  {"version"},
	reflect.TypeFor[workCallbackInput]():           {"version", "result", "satisfaction"},

	reflect.TypeFor[scorecards.YearEndReviewInput](): {"staff_id", "year", "score"},
	reflect.TypeFor[purgeInput]():                    {"cutoff"},

	reflect.TypeFor[contractCreate]():             {"number", "customer_id", "kind", "start_on", "end_on"},
	reflect.TypeFor[contractUpdate]():             {"version"},
	reflect.TypeFor[contracts.ScopeItemInput]():   {"service_type"},
	reflect.TypeFor[contracts.InstallmentInput](): {"due_on", "amount_fen"},
	reflect.TypeFor[stateChange]():                {"version", "state"},
	reflect.TypeFor[outcomeChange]():              {"version", "outcome"},
	reflect.TypeFor[contractContact]():            {"tag", "channel", "summary"},
	reflect.TypeFor[comms.Input]():                {"channel", "occurred_at"},
	reflect.TypeFor[ingestRecord]():               {"external_id", "channel", "occurred_at"},
	reflect.TypeFor[matchInput]():                 {"customer_id"},
	reflect.TypeFor[commImportApply]():            {"kind"},
	reflect.TypeFor[reasonBody]():                 {"reason"},
	reflect.TypeFor[pauseInput]():                 {"version", "reason"},
	reflect.TypeFor[versionInput]():               {"version"},
	reflect.TypeFor[comms.Policy]():               {},
	reflect.TypeFor[contracts.PaymentInput]():     {"contract_id", "received_on", "amount_fen"},
	reflect.TypeFor[paymentDelete]():              {},
	reflect.TypeFor[contracts.InvoiceInput]():     {"installment_id", "number", "issued_on", "amount_fen"},
	reflect.TypeFor[policyInput]():                {},

	reflect.TypeFor[contracts.NeedInput]():          {"customer_id", "title"},
	reflect.TypeFor[contracts.QuoteInput]():         {"number", "lines"},
	reflect.TypeFor[contracts.QuoteLineInput]():     {"item", "quantity", "unit_price_fen"},
	reflect.TypeFor[contracts.CommunicationInput](): {"channel", "summary"},
	reflect.TypeFor[needClose]():                    {"version", "outcome"},
	reflect.TypeFor[contractImportApply]():          {},

	reflect.TypeFor[tickets.TicketInput]():   {"type", "channel"},
	reflect.TypeFor[ticketUpdate]():          {"version"},
	reflect.TypeFor[transitionInput]():       {"version", "to"},
	reflect.TypeFor[reopenInput]():           {"version", "reason"},
	reflect.TypeFor[escalationInput]():       {"version", "to_level"},
	reflect.TypeFor[ticketLink]():            {"communication_id"},
	reflect.TypeFor[complaintUpdate]():       {"version"},
	reflect.TypeFor[complaintReply]():        {"version", "note"},
	reflect.TypeFor[callbackRecord]():        {"version", "result", "satisfaction"},
	reflect.TypeFor[resampleRecord]():        {"version", "result", "satisfaction"},
	reflect.TypeFor[surveys.PlanInput]():     {"title", "period", "due_on", "method"},
	reflect.TypeFor[surveys.QuestionInput](): {"text", "kind"},
	reflect.TypeFor[surveyPlanUpdate]():      {"version", "title", "period", "due_on", "method"},
	reflect.TypeFor[surveyPlanStep]():        {"version"},
	reflect.TypeFor[surveyResponse]():        {"version", "outcome"},
	reflect.TypeFor[surveys.AnswerInput]():   {"question_id"},
	reflect.TypeFor[ticketsPolicyInput]():    {},

	reflect.TypeFor[scorecards.LifecyclePolicy](): {},
	reflect.TypeFor[scorecardRating]():            {"version", "item"},
	reflect.TypeFor[scorecardTransition]():        {"version", "to"},
	reflect.TypeFor[sampleRecord]():               {"version", "item", "date", "checked", "failed"},
	reflect.TypeFor[scorecards.CheckInput]():      {"staff_id", "scheme", "period"},
	reflect.TypeFor[scorecardComment]():           {"item", "text"},
	reflect.TypeFor[scorecardAppeal]():            {"item", "reason"},
	reflect.TypeFor[appealDecision]():             {"decision", "note"},
	// Appraisal schemes and rater flags.
	reflect.TypeFor[scorecards.SchemeDraft](): {},
	reflect.TypeFor[schemeValidate]():         {},
	reflect.TypeFor[schemeUpdate]():           {"row_version"},
	reflect.TypeFor[rowVersionBody]():         {"row_version"},
	reflect.TypeFor[retireBody]():             {"row_version", "reason"},
	reflect.TypeFor[scorecards.FlagInput]():   {"staff_id", "type", "occurred_at", "reason"},
}

// schemaNames renames Go types whose bare name would be unclear.
var schemaNames = map[reflect.Type]string{
	reflect.TypeFor[org.Group]():                   "MaintGroup",
	reflect.TypeFor[customers.Change]():            "ArchiveChangeTime",
	reflect.TypeFor[workcal.Settings]():            "CalendarSettings",
	reflect.TypeFor[settingsInput]():               "CalendarSettingsInput",
	reflect.TypeFor[auth.Token]():                  "APIToken",
	reflect.TypeFor[auditEntry]():                  "AuditEntry",
	reflect.TypeFor[customers.File]():              "CustomerFile",
	reflect.TypeFor[groupUpdateBody]():             "WeChatGroupUpdate",
	reflect.TypeFor[customers.GroupInput]():        "WeChatGroupInput",
	reflect.TypeFor[wechatGroupView]():             "WeChatGroupWithMembers",
	reflect.TypeFor[groupInput]():                  "MaintGroupInput",
	reflect.TypeFor[groupUpdate]():                 "MaintGroupUpdate",
	reflect.TypeFor[tokenCreated]():                "APITokenCreated",
	reflect.TypeFor[tokenInput]():                  "APITokenInput",
	reflect.TypeFor[contracts.Policy]():            "ContractsPolicy",
	reflect.TypeFor[policyInput]():                 "ContractsPolicyInput",
	reflect.TypeFor[stateChange]():                 "ContractStateChange",
	reflect.TypeFor[outcomeChange]():               "RenewalOutcomeChange",
	reflect.TypeFor[contractContact]():             "ContractContactInput",
	reflect.TypeFor[needClose]():                   "NeedClose",
	reflect.TypeFor[ratesReport]():                 "RatesReport",
	reflect.TypeFor[specialistRates]():             "SpecialistRates",
	reflect.TypeFor[renewalRate]():                 "RenewalRate",
	reflect.TypeFor[renewalRateRow]():              "RenewalRateRow",
	reflect.TypeFor[collectionRate]():              "CollectionRate",
	reflect.TypeFor[collectionRateRow]():           "CollectionRateRow",
	reflect.TypeFor[collectionPayment]():           "CollectionRatePayment",
	reflect.TypeFor[contractImportApply]():         "ContractImportApply",
	reflect.TypeFor[contracts.OrphanCustomer]():    "OrphanCustomer",
	reflect.TypeFor[comms.Input]():                 "CommunicationRecordInput",
	reflect.TypeFor[ingestRecord]():                "CommunicationRecordIngest",
	reflect.TypeFor[comms.Record]():                "CommunicationRecord",
	reflect.TypeFor[comms.File]():                  "CommunicationFile",
	reflect.TypeFor[comms.View]():                  "CommunicationRecordView",
	reflect.TypeFor[comms.Result]():                "CommunicationIngestResult",
	reflect.TypeFor[comms.ItemError]():             "CommunicationItemError",
	reflect.TypeFor[ingestResponse]():              "CommunicationIngest",
	reflect.TypeFor[matchInput]():                  "CommunicationMatch",
	reflect.TypeFor[commImportResult]():            "CommunicationImportResult",
	reflect.TypeFor[commImportApply]():             "CommunicationImportApply",
	reflect.TypeFor[comms.Policy]():                "ResponsePolicy",
	reflect.TypeFor[comms.RulePolicy]():            "ResponseTarget",
	reflect.TypeFor[comms.QueueItem]():             "QueueItem",
	reflect.TypeFor[comms.NoContact]():             "NoContactCustomer",
	reflect.TypeFor[tickets.SatisfactionSummary](): "SatisfactionSummary",
	reflect.TypeFor[tickets.SatisfactionGroup]():   "SatisfactionGroup",

	reflect.TypeFor[tickets.View]():                "TicketView",
	reflect.TypeFor[tickets.Transition]():          "TicketTransition",
	reflect.TypeFor[tickets.Escalation]():          "TicketEscalation",
	reflect.TypeFor[tickets.Complaint]():           "TicketComplaint",
	reflect.TypeFor[tickets.LinkedCommunication](): "TicketCommunication",
	reflect.TypeFor[tickets.Event]():               "TicketEvent",
	reflect.TypeFor[tickets.Count]():               "ComplaintCount",
	reflect.TypeFor[tickets.Policy]():              "TicketsPolicy",
	reflect.TypeFor[tickets.CallbackFact]():        "CallbackRateRow",
	reflect.TypeFor[ticketsPolicyInput]():          "TicketsPolicyInput",
	reflect.TypeFor[transitionInput]():             "TicketTransitionInput",
	reflect.TypeFor[reopenInput]():                 "TicketReopen",
	reflect.TypeFor[escalationInput]():             "TicketEscalationInput",
	reflect.TypeFor[ticketLink]():                  "TicketCommunicationLink",
	reflect.TypeFor[complaintUpdate]():             "ComplaintUpdate",
	reflect.TypeFor[complaintReply]():              "ComplaintReply",
	reflect.TypeFor[callbackRecord]():              "CallbackRecord",
	reflect.TypeFor[resampleRecord]():              "ResampleRecord",

	reflect.TypeFor[tickets.SatisfactionSection](): "SatisfactionSection",
	reflect.TypeFor[surveys.PlanView]():            "SurveyPlan",
	reflect.TypeFor[surveys.PlanDetail]():          "SurveyPlanDetail",
	reflect.TypeFor[surveys.PlanInput]():           "SurveyPlanInput",
	reflect.TypeFor[surveys.Question]():            "SurveyQuestion",
	reflect.TypeFor[surveys.QuestionInput]():       "SurveyQuestionInput",
	reflect.TypeFor[surveys.Progress]():            "SurveyProgress",
	reflect.TypeFor[surveys.StaffProgress]():       "SurveyStaffProgress",
	reflect.TypeFor[surveys.Results]():             "SurveyResults",
	reflect.TypeFor[surveys.QuestionResult]():      "SurveyQuestionResult",
	reflect.TypeFor[surveys.Group]():               "SurveyResultGroup",
	reflect.TypeFor[surveys.LowScore]():            "SurveyLowScore",
	reflect.TypeFor[surveys.Remark]():              "SurveyRemark",
	reflect.TypeFor[surveys.TaskView]():            "SurveyTask",
	reflect.TypeFor[surveys.TaskDetail]():          "SurveyTaskDetail",
	reflect.TypeFor[surveys.Answer]():              "SurveyAnswer",
	reflect.TypeFor[surveys.AnswerInput]():         "SurveyAnswerInput",
	reflect.TypeFor[surveys.ReminderCounts]():      "SurveyReminderCounts",
	reflect.TypeFor[surveyPlanUpdate]():            "SurveyPlanUpdate",
	reflect.TypeFor[surveyPlanStep]():              "SurveyPlanStep",
	reflect.TypeFor[surveyResponse]():              "SurveyResponse",

	reflect.TypeFor[scorecards.Detail]():          "ScorecardDetail",
	reflect.TypeFor[scorecards.ListRow]():         "ScorecardRow",
	reflect.TypeFor[scorecards.AppealRecord]():    "ScorecardAppeal",
	reflect.TypeFor[scorecards.RatedItem]():       "ScorecardRatedItem",
	reflect.TypeFor[scorecards.Actions]():         "ScorecardActions",
	reflect.TypeFor[scorecards.LifecyclePolicy](): "ScorecardSettings",
	reflect.TypeFor[scorecards.ComputeCounts]():   "ScorecardComputeCounts",
	reflect.TypeFor[openedCount]():                "ScorecardsOpened",
	reflect.TypeFor[scorecardRating]():            "ScorecardRatingInput",
	reflect.TypeFor[scorecardTransition]():        "ScorecardTransitionInput",
	reflect.TypeFor[sampleRecord]():               "ScorecardSampleInput",
	reflect.TypeFor[scorecards.CheckInput]():      "CheckInput",
	reflect.TypeFor[scorecards.CheckCard]():       "CheckCard",
	reflect.TypeFor[scorecards.CheckOption]():     "CheckOption",
	reflect.TypeFor[scorecardComment]():           "ScorecardCommentInput",
	reflect.TypeFor[scorecardAppeal]():            "ScorecardAppealInput",
	reflect.TypeFor[appealDecision]():             "ScorecardAppealDecision",
}

var tagDocs = []struct{ name, zh, en string }{
	{"me", "当前用户", "The caller"},
	{"staff", "员工与角色", "Staff and roles"},
	{"org", "部门、维修组、区域", "Departments, maintenance groups, regions"},
	{"customers", "客户档案", "Customer archive"},
	{"contacts", "联系人", "Contacts"},
	{"equipment", "设备", "Equipment"},
	{"wechat", "客户服务微信群", "WeChat service groups"},
	{"files", "电子档案", "Electronic files"},
	{"archive", "档案变更与当日更新", "Archive history and the same-day rule"},
	{"import", "导入", "Import"},
	{"contracts", "合同", "Contracts"},
	{"finance", "开票、回款与应收账龄", "Invoices, payments received and receivables ageing"},
	{"renewals", "合同续签与规则", "Renewals and the contracts policy"},
	{"needs", "老客户新需求与报价", "Needs of existing customers and quotes"},
	{"rates", "续约率与回款率", "Renewal and collection rates"},
	{"notifications", "站内通知与提醒", "In-app notifications and reminders"},
	{"communications", "沟通记录（微信、电话、来访……）", "Communication records (WeChat, calls, visits, …)"},
	{"tickets", "工单：登记、状态、升级、关联沟通记录", "Tickets: registration, lifecycle, escalation, linked communication records"},
	{"fieldwork", "现场工作：立项、派工、派工看板、派单考核", "Field work: projects, work orders, the dispatch board, dispatch appraisal events"},
	{"complaints", "投诉：三不放过、重大投诉回复、季度分析", "Complaints: the three nots, replies to major complaints, quarterly analysis"},
	{"callbacks", "回访、回访率、经理季度抽查与规则", "Callbacks, callback rates, the manager's quarterly re-call sample and the policy"},
	{"surveys", "满意度调查：计划、任务、结果与提醒", "Satisfaction surveys by plan: plans, tasks, results and reminders"},
	{"events", "考核事件及其证据、事件计算", "Appraisal events with their evidence, and deriving them"},
	{"scorecards", "绩效考核表：计算、自评、上级评价、审批发布、申诉、定稿", "Scorecards: computing, self-review, rating, approval and publication, appeals, finalizing"},
	{"appraisal-records", "考核记录：记录表、统计表、年终考核、部门概览、记录清除", "Appraisal records: record and statistics workbooks, the year-end score, department views, purging old records"},
	{"schemes", "考核方案：版本、校验、审批", "Appraisal schemes: versions, validation, approval"},
	{"calendar", "工作日历", "Work calendar"},
	{"tokens", "API 令牌", "API tokens"},
	{"audit", "审计日志", "Audit log"},
	{"meta", "API 描述", "API description"},
}

var pathParamRE = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)

// pathParamDocs describe the path wildcards by name.
var pathParamDocs = map[string][2]string{
	"id":      {"记录 id", "record id"},
	"key":     {"预览返回的暂存文件 key", "the staged file's key from the dry run"},
	"kind":    {"导入内容：" + strings.Join(importKinds(), "、"), "what is imported: " + strings.Join(importKinds(), ", ")},
	"day":     {"日期 YYYY-MM-DD", "date YYYY-MM-DD"},
	"comm":    {"沟通记录 id", "communication record id"},
	"quarter": {"季度，如 2026Q1", "quarter such as 2026Q1"},
	"month":   {"月份 YYYY-MM", "month YYYY-MM"},
}

// OpenAPI returns the OpenAPI 3.1 document of the API as indented JSON.
// It is built once from the route table.
func (s *Server) OpenAPI() ([]byte, error) {
	s.docOnce.Do(func() {
		var doc map[string]any
		if doc, s.docErr = buildDocument(s.table()); s.docErr != nil {
			return
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		s.docErr = enc.Encode(doc)
		s.doc = b.Bytes()
	})
	return s.doc, s.docErr
}

// buildDocument walks the route table. It fails on a route without a
// complete description, so a route cannot be added undescribed.
func buildDocument(routes []route) (map[string]any, error) {
	g := &schemaGen{defs: map[string]any{}, names: map[string]reflect.Type{}}
	paths := map[string]map[string]any{}
	opIDs := map[string]string{}
	for _, rt := range routes {
		method, path, found := strings.Cut(rt.Pattern, " ")
		if !found {
			return nil, fmt.Errorf("openapi: route %q has no method", rt.Pattern)
		}
		if err := rt.Doc.check(); err != nil {
			return nil, fmt.Errorf("openapi: route %q: %w", rt.Pattern, err)
		}
		id := handlerName(rt.Handle)
		if prev, dup := opIDs[id]; dup {
			return nil, fmt.Errorf("openapi: routes %q and %q share the handler %s", prev, rt.Pattern, id)
		}
		opIDs[id] = rt.Pattern
		o, err := g.operation(rt, method, path, id)
		if err != nil {
			return nil, fmt.Errorf("openapi: route %q: %w", rt.Pattern, err)
		}
		key := pathParamRE.ReplaceAllString(path, "{$1}")
		if paths[key] == nil {
			paths[key] = map[string]any{}
		}
		paths[key][strings.ToLower(method)] = o
	}
	tags := []any{}
	for _, t := range tagDocs {
		tags = append(tags, map[string]any{"name": t.name, "description": t.zh + " · " + t.en})
	}
	errSchema := map[string]any{
		"type":     "object",
		"required": []string{"error"},
		"properties": map[string]any{"error": map[string]any{
			"type":     "object",
			"required": []string{"code", "message"},
			"properties": map[string]any{
				"code": map[string]any{"type": "string", "enum": []string{"invalid", "not_found", "conflict", "forbidden", "unauthorized", "too_large", "rate_limited", "method_not_allowed", "internal"},
					"description": "错误类别 · error kind"},
				"field":   map[string]any{"type": "string", "description": "出错的字段（body 指整个请求体）· the field at fault (body: the request body as a whole)"},
				"message": map[string]any{"type": "string", "description": "给人看的说明（中文）· a message for people (Chinese)"},
			},
		}},
	}
	g.defs["Error"] = errSchema
	responses := map[string]any{}
	for _, e := range errorResponses {
		responses[e.name] = map[string]any{
			"description": e.desc,
			"content":     map[string]any{"application/json": map[string]any{"schema": ref("Error")}},
		}
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "kefu API",
			"version": "1",
			"description": "kefu 客服平台的 JSON API：客户档案、合同与应收、组织、工作日历、导入、审计。认证：`Authorization: Bearer kf_…` 令牌或网页会话 Cookie。" +
				"错误统一为 `{\"error\":{\"code\",\"field\",\"message\"}}`。修改带 version 做乐观锁；补录历史用 known_on / recorded_at；金额（*_fen）为整数，单位为分。\n\n" +
				"JSON API of the kefu customer-service platform: customer archive, contracts and receivables, organisation, work calendar, import, audit. " +
				"Authenticate with an `Authorization: Bearer kf_…` token or the web session cookie (browsers' state-changing " +
				"cross-origin requests are refused). Errors are `{\"error\":{\"code\",\"field\",\"message\"}}`. Updates carry the " +
				"version read (optimistic locking); archive writes take known_on / recorded_at for the real event time. " +
				"Amounts (the *_fen fields) are integers in fen (1 yuan = 100 fen).",
		},
		"tags":     tags,
		"paths":    paths,
		"security": []any{map[string]any{"bearer": []string{}}, map[string]any{"session": []string{}}},
		"components": map[string]any{
			"schemas":   g.defs,
			"responses": responses,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "kf_<prefix>_<secret>",
					"description": "API 令牌（/api/v1/tokens 或 `kefu token create`）· an API token"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": "kefu_session",
					"description": "网页登录会话 · the web login session"},
			},
		},
	}, nil
}

var errorResponses = []struct {
	status int
	name   string
	desc   string
}{
	{http.StatusBadRequest, "BadRequest", "输入有误，field 指出字段 · invalid input; field names it"},
	{http.StatusUnauthorized, "Unauthorized", "未登录或令牌无效 · not authenticated"},
	{http.StatusForbidden, "Forbidden", "没有权限（角色或分管关系）· not allowed (role or ownership)"},
	{http.StatusNotFound, "NotFound", "记录不存在 · no such record"},
	{http.StatusConflict, "Conflict", "版本过期或重复 · stale version or duplicate"},
	{http.StatusRequestEntityTooLarge, "TooLarge", "文件或请求体过大 · file or body too large"},
}

// check reports what a route's description lacks.
func (o op) check() error {
	switch {
	case strings.TrimSpace(o.Zh) == "":
		return fmt.Errorf("no Chinese summary")
	case strings.TrimSpace(o.En) == "":
		return fmt.Errorf("no English summary")
	case !slices.ContainsFunc(tagDocs, func(t struct{ name, zh, en string }) bool { return t.name == o.Tag }):
		return fmt.Errorf("unknown tag %q", o.Tag)
	case o.Resp == nil && !o.Binary && !o.XLSX && o.Status != http.StatusNoContent:
		return fmt.Errorf("no response described (Resp, Binary, XLSX or 204)")
	case o.Body != nil && o.Form != nil:
		return fmt.Errorf("both a JSON and a multipart body")
	}
	for _, p := range append(slices.Clone(o.Query), o.Form...) {
		if p.Name == "" || p.Zh == "" || p.En == "" {
			return fmt.Errorf("parameter %q lacks a name or description", p.Name)
		}
	}
	return nil
}

// handlerName is the method name of a handler: the operationId.
func handlerName(h func(http.ResponseWriter, *http.Request) error) string {
	name := runtime.FuncForPC(reflect.ValueOf(h).Pointer()).Name()
	name = strings.TrimSuffix(name, "-fm")
	if i := strings.LastIndex(name, "."); i >= 0 {
		name = name[i+1:]
	}
	return name
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

func (g *schemaGen) operation(rt route, method, path, id string) (map[string]any, error) {
	d := rt.Doc
	o := map[string]any{
		"operationId":  id,
		"summary":      d.Zh + " · " + d.En,
		"tags":         []string{d.Tag},
		"x-permission": string(rt.Perm),
	}
	desc := "权限 Permission: `" + string(rt.Perm) + "`"
	if d.Desc != "" {
		desc = d.Desc + "\n\n" + desc
	}
	o["description"] = desc
	if rt.Perm == access.Public {
		o["security"] = []any{}
	}
	var params []any
	for _, m := range pathParamRE.FindAllStringSubmatch(path, -1) {
		pd, ok := pathParamDocs[m[1]]
		if !ok {
			return nil, fmt.Errorf("path parameter {%s} has no description in pathParamDocs", m[1])
		}
		sch := map[string]any{"type": "string"}
		switch m[1] {
		case "day":
			sch["format"] = "date"
		case "kind":
			sch["enum"] = importKinds()
		}
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": sch, "description": pd[0] + " · " + pd[1]})
	}
	for _, p := range d.Query {
		pm := map[string]any{"name": p.Name, "in": "query", "schema": p.schema(), "description": p.Zh + " · " + p.En}
		if p.Required {
			pm["required"] = true
		}
		params = append(params, pm)
	}
	if params != nil {
		o["parameters"] = params
	}

	hasBody := false
	switch {
	case d.Body != nil:
		t := reflect.TypeOf(d.Body)
		if _, ok := requestFields[t]; !ok {
			return nil, fmt.Errorf("request body type %s is not listed in requestFields", t)
		}
		sch, err := g.schema(t, true)
		if err != nil {
			return nil, err
		}
		o["requestBody"] = map[string]any{"required": !d.BodyOptional,
			"content": map[string]any{"application/json": map[string]any{"schema": sch}}}
		hasBody = true
	case d.Form != nil:
		props := map[string]any{}
		var req []string
		for _, p := range d.Form {
			sch := p.schema()
			sch["description"] = p.Zh + " · " + p.En
			props[p.Name] = sch
			if p.Required {
				req = append(req, p.Name)
			}
		}
		form := map[string]any{"type": "object", "properties": props}
		if req != nil {
			form["required"] = req
		}
		content := map[string]any{"multipart/form-data": map[string]any{"schema": form}}
		if d.RawCSV {
			content["text/csv"] = map[string]any{"schema": map[string]any{"type": "string"}}
		}
		o["requestBody"] = map[string]any{"required": true, "content": content}
		hasBody = true
	}

	status := d.Status
	if status == 0 {
		status = http.StatusOK
	}
	success := map[string]any{"description": http.StatusText(status)}
	switch {
	case d.Binary:
		success["content"] = map[string]any{"application/octet-stream": map[string]any{
			"schema": map[string]any{"type": "string", "contentMediaType": "application/octet-stream"}}}
		success["description"] = "文件内容，Content-Type 为上传时识别的类型 · the file, with the content type detected at upload"
	case d.XLSX:
		success["content"] = map[string]any{xlsxType: map[string]any{
			"schema": map[string]any{"type": "string", "contentMediaType": xlsxType}}}
		success["description"] = "XLSX 工作簿（第一行为表头），以附件下载 · an XLSX workbook (the first row holds the headers), as an attachment"
	case d.Resp != nil:
		sch, err := g.schema(reflect.TypeOf(d.Resp), false)
		if err != nil {
			return nil, err
		}
		switch d.Shape {
		case shapeList:
			sch = map[string]any{"type": "object", "required": []string{"items"},
				"properties": map[string]any{"items": map[string]any{"type": "array", "items": sch}}}
		case shapePage:
			sch = map[string]any{"type": "object", "required": []string{"items", "next"},
				"properties": map[string]any{"items": map[string]any{"type": "array", "items": sch},
					"next": map[string]any{"type": "string", "description": "下一页游标，作为 after 传回；最后一页为空 · cursor of the next page (pass as after); empty on the last page"}}}
		}
		success["content"] = map[string]any{"application/json": map[string]any{"schema": sch}}
	}
	responses := map[string]any{fmt.Sprint(status): success}
	errRef := func(code int) {
		for _, e := range errorResponses {
			if e.status == code {
				responses[fmt.Sprint(code)] = map[string]any{"$ref": "#/components/responses/" + e.name}
			}
		}
	}
	hasPathParams := pathParamRE.MatchString(path)
	if hasBody || d.Query != nil || hasPathParams {
		errRef(http.StatusBadRequest)
	}
	if rt.Perm != access.Public {
		errRef(http.StatusUnauthorized)
		errRef(http.StatusForbidden)
	}
	if hasPathParams {
		errRef(http.StatusNotFound)
	}
	if method == http.MethodPut || (method == http.MethodPost && hasBody) {
		errRef(http.StatusConflict)
	}
	if d.Form != nil {
		errRef(http.StatusRequestEntityTooLarge)
	}
	o["responses"] = responses
	return o, nil
}

func (p param) schema() map[string]any {
	t := p.Type
	if t == "" {
		t = "string"
	}
	sch := map[string]any{"type": t}
	if t == "file" {
		sch = map[string]any{"type": "string", "contentMediaType": "application/octet-stream"}
	}
	if p.Format != "" {
		sch["format"] = p.Format
	}
	if p.Enum != nil {
		sch["enum"] = p.Enum
	}
	if p.Default != nil {
		sch["default"] = p.Default
	}
	if p.Min != 0 || p.Max != 0 {
		sch["minimum"], sch["maximum"] = p.Min, p.Max
	}
	return sch
}

// schemaGen turns Go types into JSON Schema (OpenAPI 3.1), naming each
// struct type once under components/schemas.
type schemaGen struct {
	defs  map[string]any
	names map[string]reflect.Type
}

var (
	timeType    = reflect.TypeFor[time.Time]()
	rawJSONType = reflect.TypeFor[json.RawMessage]()
	roleType    = reflect.TypeFor[access.Role]()
	kindType    = reflect.TypeFor[customers.ImportKind]()
	anyJSONType = reflect.TypeFor[anyJSON]()
	pointsType  = reflect.TypeFor[appraisal.Points]()
)

func schemaName(t reflect.Type) string {
	if n, ok := schemaNames[t]; ok {
		return n
	}
	r := []rune(t.Name())
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// schema returns the schema of t: a $ref for named structs, inline otherwise.
func (g *schemaGen) schema(t reflect.Type, request bool) (map[string]any, error) {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}, nil
	case t == rawJSONType:
		return map[string]any{"description": "JSON"}, nil
	case t == anyJSONType:
		return map[string]any{"type": "object", "description": "JSON"}, nil
	case t == pointsType:
		return map[string]any{"type": "number", "multipleOf": 0.01, "description": "分，最多两位小数 · points, at most two decimals"}, nil
	case t == roleType:
		return map[string]any{"type": "string", "enum": roleNames()}, nil
	case t == kindType:
		return map[string]any{"type": "string", "enum": importKinds()}, nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		inner, err := g.schema(t.Elem(), request)
		if err != nil {
			return nil, err
		}
		if typ, ok := inner["type"].(string); ok {
			out := map[string]any{}
			for k, v := range inner {
				out[k] = v
			}
			out["type"] = []string{typ, "null"}
			return out, nil
		}
		return map[string]any{"anyOf": []any{inner, map[string]any{"type": "null"}}}, nil
	case reflect.String:
		return map[string]any{"type": "string"}, nil
	case reflect.Bool:
		return map[string]any{"type": "boolean"}, nil
	case reflect.Int, reflect.Int32, reflect.Int64:
		sch := map[string]any{"type": "integer"}
		if t.Kind() == reflect.Int64 {
			sch["format"] = "int64"
		}
		return sch, nil
	case reflect.Float64:
		return map[string]any{"type": "number"}, nil
	case reflect.Slice:
		inner, err := g.schema(t.Elem(), request)
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "array", "items": inner}, nil
	case reflect.Map:
		inner, err := g.schema(t.Elem(), request)
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "object", "additionalProperties": inner}, nil
	case reflect.Interface:
		return map[string]any{}, nil
	case reflect.Struct:
		if t.Name() == "" {
			return nil, fmt.Errorf("anonymous struct types are not described; name the type")
		}
		name := schemaName(t)
		if prev, ok := g.names[name]; ok {
			if prev != t {
				return nil, fmt.Errorf("schema name %s used by %s and %s", name, prev, t)
			}
			return ref(name), nil
		}
		g.names[name] = t
		g.defs[name] = nil // reserve (recursive types)
		def, err := g.object(t, name, request)
		if err != nil {
			return nil, err
		}
		g.defs[name] = def
		return ref(name), nil
	}
	return nil, fmt.Errorf("type %s (%s) cannot be described", t, t.Kind())
}

type field struct {
	name      string
	t         reflect.Type
	omitEmpty bool
	owner     string // name of the Go type that declares the field
}

// jsonFields lists the JSON fields of struct t as encoding/json sees them:
// embedded structs without a tag are flattened, and a field at a shallower
// depth hides a deeper one of the same name.
func jsonFields(t reflect.Type) []field {
	var out []field
	seen := map[string]bool{}
	var embedded []reflect.Type
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				embedded = append(embedded, ft)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		seen[name] = true
		out = append(out, field{name: name, t: f.Type, omitEmpty: strings.Contains(opts, "omitempty"), owner: t.Name()})
	}
	for _, et := range embedded {
		for _, f := range jsonFields(et) {
			if !seen[f.name] {
				seen[f.name] = true
				out = append(out, f)
			}
		}
	}
	return out
}

func (g *schemaGen) object(t reflect.Type, name string, request bool) (map[string]any, error) {
	props := map[string]any{}
	var req []string
	fields := jsonFields(t)
	for _, f := range fields {
		sch, err := g.schema(f.t, request)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", t, f.name, err)
		}
		if dateFields[f.name] && f.t.Kind() != reflect.Struct {
			if typ := sch["type"]; typ == "string" || fmt.Sprint(typ) == "[string null]" {
				sch["format"] = "date"
			}
		}
		if e, ok := fieldEnums[f.owner+"."+f.name]; ok {
			sch["enum"] = e
		}
		if request && f.name == "version" {
			// null or absent is refused: an update must name its version.
			sch["type"] = "integer"
		}
		if d, ok := fieldDocs[f.owner+"."+f.name]; ok {
			sch["description"] = d
		} else if d, ok := fieldDocs[f.name]; ok {
			sch["description"] = d
		}
		props[f.name] = sch
		if !request && !f.omitEmpty {
			req = append(req, f.name)
		}
	}
	if request {
		for _, r := range requestFields[t] {
			if !slices.ContainsFunc(fields, func(f field) bool { return f.name == r }) {
				return nil, fmt.Errorf("%s: required field %q does not exist", t, r)
			}
			req = append(req, r)
		}
	}
	obj := map[string]any{"type": "object", "properties": props}
	if request {
		// Request bodies are decoded strictly.
		obj["additionalProperties"] = false
	}
	slices.Sort(req)
	if req != nil {
		obj["required"] = req
	}
	return obj, nil
}
