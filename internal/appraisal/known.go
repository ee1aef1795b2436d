package appraisal

// KnownEventTypes are the event types the platform produces (SPEC §8.2),
// with their names in words. A scheme may count only these.
var KnownEventTypes = map[string]string{
	"wechat_timeout":          "微信响应超时",
	"missed_call_timeout":     "未接来电回复超时",
	"chat_timeout":            "在线会话响应超时",
	"solution_overdue":        "解决方案超期",
	"callback_overdue":        "回访超期",
	"first_response_overdue":  "首次响应超期",
	"complaint_reply_overdue": "重大投诉未按时答复",
	"attitude_complaint":      "被客户投诉态度不佳",
	"unregistered":            "相关事项未登记",
	"registration_incomplete": "登记不全或不合格",
	"dispatch_overdue":        "派单逾期",
	"dispatch_error":          "派单内容有错误",
	"followup_missing":        "未进行施工提醒或微信群反馈",
	"summary_missing":         "施工进度/结果未汇总、未登记或未上报",
	"problem_not_forwarded":   "施工问题未及时反馈至当事人",
	"monthly_summary_late":    "月底未及时汇总上报",
	"no_contact_month":        "当月客户无沟通记录",
	"archive_late":            "客户档案未当日更新",
}

// KnownRates are the rates a rate item may use, with their names. The
// caller computes them (internal/rates for renewal and collection) and
// passes them in Input.Rates by key.
var KnownRates = map[string]string{
	"renewal":             "续约率",
	"collection":          "回款率",
	"callback":            "回访率",
	"company_sales":       "公司销售额完成率",
	"company_collection":  "公司回款额完成率",
	"dept_sales":          "部门销售额完成率",
	"dept_collection":     "部门回款额完成率",
	"satisfaction":        "客户满意度",
	"report_completion":   "日报/月报完成率",
	"key_staff_turnover":  "关键人员流失率",
	"onboarding_training": "新员工岗前培训完成率",
	"talent_development":  "人才培养完成率",
	"meeting_attendance":  "会议培训出勤率及作业完成率",
}

// NothingDue is what a line says of a rate with nothing due (Den <= 0, full
// points), by rate key: SPEC §4's "本月无到期合同" for 续约率 and its
// equivalent for 回款率; other rates say "本期无应计项".
var NothingDue = map[string]string{
	"renewal":    "本月无到期合同",
	"collection": "本月无应收款项",
}

// knownRoles are the roles of SPEC §1 a scheme may apply to.
var knownRoles = map[string]string{
	"executive":        "总经理/总裁",
	"cs_manager":       "客服经理",
	"cs_specialist":    "客服专员",
	"maint_supervisor": "维修主管/组长",
	"technician":       "维修/施工人员",
	"finance":          "财务",
	"info_center":      "信息中心",
	"admin":            "系统管理员",
}

// Grades of a checklist sub-item (seed 001 督办记录表) and their factor in tenths.
const (
	GradeFull   = "符合"   // 1.0 × the sub-item's points
	GradeMostly = "基本符合" // 0.8
	GradePartly = "一般符合" // 0.6
	GradeNone   = "不符合"  // 0
)

var gradeTenths = map[string]uint64{GradeFull: 10, GradeMostly: 8, GradePartly: 6, GradeNone: 0}

var methodNames = map[string]string{
	MethodRate: "比率", MethodDeduct: "扣分", MethodRubric: "等级评分", MethodChecklist: "检查表",
	MethodSample: "抽查", MethodManual: "人工评分",
}

var periodNames = map[string]string{PeriodMonthly: "月度", PeriodWeekly: "周", PeriodYearly: "年度"}
