package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"kefu/internal/access"
	"kefu/internal/fieldwork"
)

// Progress of field work (工作跟进, SPEC §6.3, §6.5, §6.6): technicians'
// end-of-day reports and the missing ones, the specialist's reminders and
// group feedback, the daily summary, problems passed to the party
// concerned, the 25th's monthly summary and the monthly statistics.

func (s *Server) progressRoutes() []route {
	month := param{Name: "month", Zh: "月份 YYYY-MM（默认本月）", En: "month YYYY-MM (default this month)"}
	staff := param{Name: "staff_id", Zh: "客服专员 id（默认本人；经理、总经理可查看他人）", En: "specialist id (default the caller; managers and executives may read others')"}
	return []route{
		{Pattern: "GET /api/v1/fieldwork/progress-policy", Perm: access.WorkRead, Handle: s.progressPolicy,
			Doc: op{Tag: "fieldwork", Zh: "工作跟进规则（当日汇总截止、问题转交期限、月度汇总截止日）", En: "Progress rules (daily summary due hour, problem forwarding, monthly summary day)", Resp: fieldwork.ProgressPolicy{}}},
		{Pattern: "PUT /api/v1/fieldwork/progress-policy", Perm: access.WorkManage, Handle: s.saveProgressPolicy,
			Doc: op{Tag: "fieldwork", Zh: "修改工作跟进规则（客服经理）", En: "Change the progress rules (managers)", Body: fieldwork.ProgressPolicy{}, Resp: fieldwork.ProgressPolicy{},
				Desc: "省略的字段保持原值；track_from 之前的日子不产生考核事件。 Fields left out keep their values; days before track_from make no appraisal events."}},
		{Pattern: "POST /api/v1/fieldwork/derive-progress", Perm: access.WorkManage, Handle: s.deriveProgress,
			Doc: op{Tag: "fieldwork", Zh: "重新计算工作跟进考核事件（客服经理）", En: "Derive the progress appraisal events now (managers)", Resp: fieldwork.ProgressCounts{},
				Desc: "followup_missing（每客户每次缺提醒或缺群反馈）、summary_missing、problem_not_forwarded、monthly_summary_late（每天）。系统每 10 分钟自动运行。 " +
					"followup_missing (per customer per missing reminder or group feedback), summary_missing, problem_not_forwarded, monthly_summary_late (per day). Runs every 10 minutes on its own."}},

		{Pattern: "GET /api/v1/work-orders/{id}/reports", Perm: access.WorkRead, Handle: s.workReports,
			Doc: op{Tag: "fieldwork", Zh: "派工单的每日反馈", En: "A work order's end-of-day reports", Resp: fieldwork.WorkReport{}, Shape: shapeList}},
		{Pattern: "POST /api/v1/work-orders/{id}/reports", Perm: access.WorkField, Handle: s.reportDay,
			Doc: op{Tag: "fieldwork", Zh: "技术人员下班前反馈（同一天再次反馈即更正）", En: "A technician's end-of-day report (reporting the same day again corrects it)",
				Body: fieldwork.ReportInput{}, Resp: fieldwork.WorkReport{}, Status: http.StatusCreated,
				Desc: "status 为 in_progress、done 或 blocked；项目组主管可代技术人员反馈（technician_id）。 status is in_progress, done or blocked; the group's supervisor may report for a technician (technician_id)."}},
		{Pattern: "GET /api/v1/work-reports/missing", Perm: access.WorkRead, Handle: s.missingReports,
			Doc: op{Tag: "fieldwork", Zh: "某日未反馈的派工单与技术人员", En: "Work orders and technicians without an end-of-day report on a day", Resp: fieldwork.MissingReport{}, Shape: shapeList,
				Query: []param{{Name: "day", Format: "date", Zh: "日期（默认今天）", En: "day (default today)"}}}},
		{Pattern: "GET /api/v1/followups", Perm: access.WorkRead, Handle: s.listFollowups,
			Doc: op{Tag: "fieldwork", Zh: "施工提醒与微信群反馈记录", En: "Reminders and WeChat group feedback recorded", Resp: fieldwork.Followup{}, Shape: shapeList,
				Query: []param{{Name: "customer_id", Zh: "客户 id", En: "customer id"}, {Name: "from", Format: "date", Zh: "起（含）", En: "from (inclusive)"},
					{Name: "to", Format: "date", Zh: "止（含）", En: "to (inclusive)"}}}},
		{Pattern: "POST /api/v1/followups", Perm: access.WorkDispatch, Handle: s.recordFollowup,
			Doc: op{Tag: "fieldwork", Zh: "登记施工提醒或微信群反馈", En: "Record a reminder (施工提醒) or the customer-group feedback (微信群反馈)",
				Body: fieldwork.FollowupInput{}, Resp: fieldwork.Followup{}, Status: http.StatusCreated,
				Desc: "kind 为 reminder 或 group_feedback；day 为施工日；at 为实际时间（不带时区按公司时区）。 kind is reminder or group_feedback; day is the work day; at is when it was done (company time zone without a zone)."}},
		{Pattern: "GET /api/v1/daily-summaries/{day}", Perm: access.WorkRead, Handle: s.dailySummary,
			Doc: op{Tag: "fieldwork", Zh: "当日施工/维保汇总（由当天的派工单与反馈生成）", En: "The day's work summary, made from the day's work orders and reports",
				Resp: fieldwork.DailySummary{}, Query: []param{staff}}},
		{Pattern: "POST /api/v1/daily-summaries/{day}/submit", Perm: access.WorkDispatch, Handle: s.submitDailySummary,
			Doc: op{Tag: "fieldwork", Zh: "审核并提交当日汇总（客服专员）", En: "Review and submit the day's summary (the specialist)", Body: summarySubmit{}, Resp: fieldwork.DailySummary{}}},
		{Pattern: "GET /api/v1/problems", Perm: access.WorkRead, Handle: s.listProblems,
			Doc: op{Tag: "fieldwork", Zh: "问题列表（逾期、投诉、质量、验收、质保）", En: "Problems (overdue, complaint, quality, acceptance, warranty)", Resp: fieldwork.Problem{}, Shape: shapeList,
				Query: []param{{Name: "work_order_id", Zh: "派工单 id", En: "work order id"}, {Name: "customer_id", Zh: "客户 id", En: "customer id"},
					{Name: "type", Zh: "类型", En: "type", Enum: fieldwork.ProblemTypes}, {Name: "ids", Zh: "问题 id（逗号分隔，统计表单元格的明细）", En: "problem ids, comma-separated (a statistics cell's records)"},
					{Name: "unforwarded", Type: "boolean", Zh: "仅未转交", En: "only not yet forwarded"}}}},
		{Pattern: "POST /api/v1/problems", Perm: access.WorkDispatch, Handle: s.recordProblem,
			Doc: op{Tag: "fieldwork", Zh: "登记问题（须有见证性资料）", En: "Record a problem (with its evidence)", Body: fieldwork.ProblemInput{}, Resp: fieldwork.Problem{}, Status: http.StatusCreated,
				Desc: "须在登记后第 1 个工作日结束前转交当事人（可设置），否则计 problem_not_forwarded。 It must be passed to the party concerned by the end of the first working day after it was recorded (configurable), else problem_not_forwarded."}},
		{Pattern: "GET /api/v1/problems/{id}", Perm: access.WorkRead, Handle: s.getProblem,
			Doc: op{Tag: "fieldwork", Zh: "问题详情", En: "Get a problem", Resp: fieldwork.Problem{}}},
		{Pattern: "POST /api/v1/problems/{id}/forward", Perm: access.WorkDispatch, Handle: s.forwardProblem,
			Doc: op{Tag: "fieldwork", Zh: "转交当事人", En: "Pass a problem to the party concerned", Body: forwardInput{}, Resp: fieldwork.Problem{}}},
		{Pattern: "POST /api/v1/problems/{id}/resolve", Perm: access.WorkDispatch, Handle: s.resolveProblem,
			Doc: op{Tag: "fieldwork", Zh: "登记问题已解决", En: "Record a problem solved", Body: resolveInput{}, Resp: fieldwork.Problem{}}},
		{Pattern: "GET /api/v1/monthly-summaries/{month}", Perm: access.WorkRead, Handle: s.monthlySummary,
			Doc: op{Tag: "fieldwork", Zh: "月度维保汇总（25 日上报总经理）", En: "The month's maintenance summary (reported to the general manager by the 25th)",
				Resp: fieldwork.MonthlySummary{}, Query: []param{staff}}},
		{Pattern: "GET /api/v1/monthly-summaries/{month}/export", Perm: access.WorkRead, Handle: s.exportMonthlySummary,
			Doc: op{Tag: "fieldwork", Zh: "导出月度维保汇总（XLSX）", En: "Export the month's maintenance summary (XLSX)", XLSX: true, Query: []param{staff}}},
		{Pattern: "POST /api/v1/monthly-summaries/{month}/submit", Perm: access.WorkDispatch, Handle: s.submitMonthlySummary,
			Doc: op{Tag: "fieldwork", Zh: "上报月度维保汇总（客服专员）", En: "Submit the month's summary (the specialist)", Body: monthlySubmit{}, Resp: fieldwork.MonthlySummary{},
				Desc: "逾期提交按天计 monthly_summary_late。 Each day after the due date counts in monthly_summary_late."}},
		{Pattern: "GET /api/v1/fieldwork/statistics", Perm: access.WorkRead, Handle: s.monthlyStatistics,
			Doc: op{Tag: "fieldwork", Zh: "月度问题统计（按区域、项目组、技术人员；每格带问题 id）", En: "Monthly problem statistics by region, group and technician (each cell with its problem ids)",
				Resp: fieldwork.MonthlyStatistics{}, Query: []param{month}}},
		{Pattern: "GET /api/v1/fieldwork/statistics/export", Perm: access.WorkRead, Handle: s.exportMonthlyStatistics,
			Doc: op{Tag: "fieldwork", Zh: "导出月度问题统计（XLSX）", En: "Export the monthly problem statistics (XLSX)", XLSX: true, Query: []param{month}}},
	}
}

type summarySubmit struct {
	Version *int64 `json:"version"`
	Note    string `json:"note"`
}

type monthlySubmit struct {
	Version *int64 `json:"version"`
	To      string `json:"to"`
}

type forwardInput struct {
	Version *int64 `json:"version"`
	fieldwork.ForwardInput
}

type resolveInput struct {
	Version *int64 `json:"version"`
	fieldwork.ResolveInput
}

func (s *Server) progressPolicy(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.Fieldwork.ProgressPolicy(r.Context())
	if err != nil {
		return err
	}
	return ok(w, pol)
}

func (s *Server) saveProgressPolicy(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.Fieldwork.ProgressPolicy(r.Context())
	if err != nil {
		return err
	}
	if err := decode(w, r, &pol); err != nil {
		return err
	}
	if pol, err = s.Fieldwork.SaveProgressPolicy(r.Context(), pol); err != nil {
		return err
	}
	return ok(w, pol)
}

func (s *Server) deriveProgress(w http.ResponseWriter, r *http.Request) error {
	n, err := s.Fieldwork.DeriveProgressEvents(r.Context())
	if err != nil {
		return err
	}
	return ok(w, n)
}

func (s *Server) workReports(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.Fieldwork.Reports(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, items(rs))
}

func (s *Server) reportDay(w http.ResponseWriter, r *http.Request) error {
	var in fieldwork.ReportInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	rep, err := s.Fieldwork.ReportDay(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return created(w, rep)
}

func (s *Server) missingReports(w http.ResponseWriter, r *http.Request) error {
	day := r.URL.Query().Get("day")
	if day == "" {
		day = s.today().Format(time.DateOnly)
	}
	rows, err := s.Fieldwork.MissingReports(r.Context(), day)
	if err != nil {
		return err
	}
	return ok(w, items(rows))
}

func (s *Server) listFollowups(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	rows, err := s.Fieldwork.Followups(r.Context(), q.Get("customer_id"), q.Get("from"), q.Get("to"))
	if err != nil {
		return err
	}
	return ok(w, items(rows))
}

func (s *Server) recordFollowup(w http.ResponseWriter, r *http.Request) error {
	var in fieldwork.FollowupInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	f, err := s.Fieldwork.RecordFollowup(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, f)
}

// staffParam is the staff_id query parameter, the caller by default.
func staffParam(r *http.Request) string {
	if v := r.URL.Query().Get("staff_id"); v != "" {
		return v
	}
	return access.Caller(r.Context()).StaffID
}

func (s *Server) dailySummary(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Fieldwork.DailySummary(r.Context(), staffParam(r), r.PathValue("day"))
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (s *Server) submitDailySummary(w http.ResponseWriter, r *http.Request) error {
	var in summarySubmit
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	d, err := s.Fieldwork.SubmitDailySummary(r.Context(), r.PathValue("day"), v, in.Note)
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (s *Server) listProblems(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	typ, err := queryEnum(r, "type", fieldwork.ProblemTypes...)
	if err != nil {
		return err
	}
	unf, err := queryBool(r, "unforwarded")
	if err != nil {
		return err
	}
	f := fieldwork.ProblemFilter{WorkOrderID: q.Get("work_order_id"), CustomerID: q.Get("customer_id"), Type: typ,
		Unforwarded: unf != nil && *unf}
	if ids := q.Get("ids"); ids != "" {
		f.IDs = strings.Split(ids, ",")
	}
	rows, err := s.Fieldwork.ListProblems(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, items(rows))
}

func (s *Server) recordProblem(w http.ResponseWriter, r *http.Request) error {
	var in fieldwork.ProblemInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := s.Fieldwork.RecordProblem(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, p)
}

func (s *Server) getProblem(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Fieldwork.GetProblem(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, p)
}

func (s *Server) forwardProblem(w http.ResponseWriter, r *http.Request) error {
	var in forwardInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	p, err := s.Fieldwork.ForwardProblem(r.Context(), r.PathValue("id"), v, in.ForwardInput)
	if err != nil {
		return err
	}
	return ok(w, p)
}

func (s *Server) resolveProblem(w http.ResponseWriter, r *http.Request) error {
	var in resolveInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	p, err := s.Fieldwork.ResolveProblem(r.Context(), r.PathValue("id"), v, in.ResolveInput)
	if err != nil {
		return err
	}
	return ok(w, p)
}

func (s *Server) monthlySummary(w http.ResponseWriter, r *http.Request) error {
	m, err := s.Fieldwork.MonthlySummary(r.Context(), staffParam(r), r.PathValue("month"))
	if err != nil {
		return err
	}
	return ok(w, m)
}

func (s *Server) exportMonthlySummary(w http.ResponseWriter, r *http.Request) error {
	var buf bytes.Buffer
	month := r.PathValue("month")
	if err := s.Fieldwork.ExportMonthlySummary(r.Context(), &buf, staffParam(r), month); err != nil {
		return err
	}
	return sendXLSX(w, fmt.Sprintf("monthly-summary-%s.xlsx", month), buf.Bytes())
}

func (s *Server) submitMonthlySummary(w http.ResponseWriter, r *http.Request) error {
	var in monthlySubmit
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	m, err := s.Fieldwork.SubmitMonthlySummary(r.Context(), r.PathValue("month"), v, in.To)
	if err != nil {
		return err
	}
	return ok(w, m)
}

func (s *Server) monthlyStatistics(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Fieldwork.MonthlyStatistics(r.Context(), s.monthParam(r))
	if err != nil {
		return err
	}
	return ok(w, st)
}

func (s *Server) exportMonthlyStatistics(w http.ResponseWriter, r *http.Request) error {
	var buf bytes.Buffer
	month := s.monthParam(r)
	if err := s.Fieldwork.ExportMonthlyStatistics(r.Context(), &buf, month); err != nil {
		return err
	}
	return sendXLSX(w, fmt.Sprintf("problem-statistics-%s.xlsx", month), buf.Bytes())
}

// sendXLSX answers with a workbook written in full first (an error while
// writing it is still a JSON error, not half a file).
func sendXLSX(w http.ResponseWriter, name string, data []byte) error {
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	w.Header().Set("Cache-Control", "private, no-store")
	_, err := w.Write(data)
	return err
}
