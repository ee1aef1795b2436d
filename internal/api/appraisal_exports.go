package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/scorecards"
)

// Appraisal records (SPEC §8.4, seed 004 §4.7 and §4.12): the workbooks
// 员工月绩效考核记录表, 员工月/年绩效考核情况统计表 and 年度员工绩效考核情况统计表,
// the tables behind them (for the printable pages), the year-end score
// with the manager's review, the department view, and the purge of records
// older than two years.

func (s *Server) appraisalExportRoutes() []route {
	month := param{Name: "month", Format: "month", Zh: "考核月份 YYYY-MM，默认本月", En: "month YYYY-MM, default this month"}
	year := param{Name: "year", Type: "integer", Zh: "年份，默认今年", En: "year, default this year", Min: 2000, Max: 9999}
	const seeWho = "员工只看到本人的，客服经理、管理员、总经理看到全部。 A staff member sees their own; managers, admins and executives everyone's."
	return []route{
		{Pattern: "GET /api/v1/scorecards/export", Perm: access.AppraisalRead, Handle: s.exportMonthRecords,
			Doc: op{Tag: "appraisal-records", Zh: "导出员工月绩效考核记录表（XLSX，每人一页）", En: "Export the monthly appraisal records (XLSX, a sheet per person)", XLSX: true,
				Desc: "每人一个工作表：考核类别、考核项目、考核标准、数据来源、分值、得分、考评人、说明，合计、加分、申诉调整、最终得分和签字栏。分数为数值单元格（0.00 格式），存储值为考核表上的精确两位小数。不带 staff_id 时导出调用者可见的全部（员工为本人）。 " +
					"One sheet per person in the layout of the 客服专员绩效考核评分标准 with totals, bonus, appeal adjustments, the final score and signatures. Points are numeric cells (0.00 format) holding the card's exact two-decimal value. Without staff_id: everyone the caller may read (a staff member: their own). " + seeWho,
				Query: []param{month, {Name: "staff_id", Zh: "员工 id（可重复）", En: "staff id (repeatable)"}}}},
		{Pattern: "GET /api/v1/scorecards/statistics", Perm: access.AppraisalRead, Handle: s.monthAppraisalStatistics,
			Doc: op{Tag: "appraisal-records", Zh: "员工月绩效考核情况统计表", En: "The month's appraisal statistics", Resp: scorecards.MonthStatistics{},
				Desc:  "每人一行：部门、姓名、各类别得分、合计、加分、最终得分、排名（同分同名次）、状态。 One row per person: department, name, each category's score, total, bonus, final, rank (ties share a rank), status. " + seeWho,
				Query: []param{month}}},
		{Pattern: "GET /api/v1/scorecards/statistics/export", Perm: access.AppraisalRead, Handle: s.exportMonthAppraisalStatistics,
			Doc: op{Tag: "appraisal-records", Zh: "导出员工月/年绩效考核情况统计表（XLSX）", En: "Export the month's appraisal statistics (XLSX)", XLSX: true,
				Desc: seeWho, Query: []param{month}}},
		{Pattern: "GET /api/v1/scorecards/year", Perm: access.AppraisalRead, Handle: s.yearAppraisalStatistics,
			Doc: op{Tag: "appraisal-records", Zh: "年度员工绩效考核情况统计表", En: "The year's appraisal statistics", Resp: scorecards.YearStatistics{},
				Desc:  "每人十二个月的最终得分、月平均、年终考评（含嘉奖）、年终总分与“优秀员工”备注。 Per person the twelve monthly finals, their average, the year-end review (with its bonus), the weighted year-end score and the 优秀员工 note. " + seeWho,
				Query: []param{year}}},
		{Pattern: "GET /api/v1/scorecards/year/export", Perm: access.AppraisalRead, Handle: s.exportYearAppraisalStatistics,
			Doc: op{Tag: "appraisal-records", Zh: "导出年度员工绩效考核情况统计表（XLSX）", En: "Export the year's appraisal statistics (XLSX)", XLSX: true,
				Desc: seeWho, Query: []param{year}}},
		{Pattern: "GET /api/v1/scorecards/year-end", Perm: access.AppraisalRead, Handle: s.yearEnd,
			Doc: op{Tag: "appraisal-records", Zh: "年终考核：20% 周检月检 + 30% 月考核 + 50% 年终考评", En: "The year-end appraisal: 20% checks + 30% monthly + 50% year-end review", Resp: scorecards.YearEndCard{},
				Desc: "按员工考核方案的年终汇总规则（德·勤·能·绩）：各组成部分取平均后加权，精确计算、最后四舍五入一次；超过 100 分为“优秀员工”。缺少分数的部分列在 missing，此时没有 result。不带 staff_id 为本人。 " +
					"By the roll-up of the person's scheme (seed 004): each component's mean times its weight, exact, rounded once; above 100 → 优秀员工. Components without scores are listed in missing and there is no result yet. Without staff_id: the caller. " + seeWho,
				Query: []param{{Name: "staff_id", Zh: "员工 id，默认本人", En: "staff id, default the caller"}, year}}},
		{Pattern: "PUT /api/v1/scorecards/year-end", Perm: access.AppraisalManage, Handle: s.saveYearEndReview,
			Doc: op{Tag: "appraisal-records", Zh: "录入年终考评（客服经理）", En: "Enter the year-end review (managers)", Body: scorecards.YearEndReviewInput{}, Resp: scorecards.YearEndReview{},
				Desc: "score 0–100，低于 100 须填 reason；bonus 为嘉奖加分（方案规定 1–10），须填理由；checks 为纸质周检月检的平均分（系统中没有检查考核表时使用）。修改时带上 version。不能给自己录入。 " +
					"score 0–100 with a reason below 100; bonus is the commendation (1–10 by the scheme) with a reason; checks is the mean of paper weekly/monthly checks, used when no check card is on record. Send version to change an existing review. Nobody reviews themselves."}},
		{Pattern: "GET /api/v1/scorecards/departments", Perm: access.AppraisalRead, Handle: s.appraisalDepartments,
			Doc: op{Tag: "appraisal-records", Zh: "部门考核概览：各部门人员得分、平均分与分布", En: "The month by department: finals, average and distribution", Resp: scorecards.DepartmentView{},
				Desc: seeWho, Query: []param{month}}},
		{Pattern: "POST /api/v1/scorecards/purge", Perm: access.AppraisalManage, Handle: s.purgeScorecards,
			Doc: op{Tag: "appraisal-records", Zh: "清除两年以前的考核记录（仅系统管理员）", En: "Purge appraisal records older than two years (admins only)", Body: purgeInput{}, Resp: scorecards.PurgeCounts{},
				Desc: "删除 cutoff（YYYY-MM）之前各月的考核表及其评分、意见与申诉，以及 cutoff 所在年之前的年终考评；考核记录至少保存 2 年，cutoff 晚于两年前的当月会被拒绝。仅系统管理员，客服经理为 403。记入审计日志。 " +
					"Deletes the cards of months before cutoff (YYYY-MM) with their ratings, comments and appeals, and the year-end reviews of years before cutoff's; records are kept at least 2 years, so a cutoff later than this month two years ago is refused. Admins only (a manager gets 403). Audited with the counts."}},
	}
}

// purgeInput is the body of a purge.
type purgeInput struct {
	Cutoff string `json:"cutoff"` // YYYY-MM: periods before it are deleted
}

func (s *Server) yearParam(r *http.Request) (int, error) {
	v := strings.TrimSpace(r.URL.Query().Get("year"))
	if v == "" {
		return s.today().Year(), nil
	}
	y, err := strconv.Atoi(v)
	if err != nil || y < 2000 || y > 9999 {
		return 0, apperr.Invalid("year", "年份应为四位数字，如 2026 (a four-digit year)")
	}
	return y, nil
}

func (s *Server) exportMonthRecords(w http.ResponseWriter, r *http.Request) error {
	month := s.monthParam(r)
	var buf bytes.Buffer
	if err := s.Scorecards.ExportMonthRecords(r.Context(), &buf, month, r.URL.Query()["staff_id"]); err != nil {
		return err
	}
	return sendXLSX(w, fmt.Sprintf("appraisal-records-%s.xlsx", month), buf.Bytes())
}

func (s *Server) monthAppraisalStatistics(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Scorecards.MonthStatistics(r.Context(), s.monthParam(r))
	if err != nil {
		return err
	}
	return ok(w, st)
}

func (s *Server) exportMonthAppraisalStatistics(w http.ResponseWriter, r *http.Request) error {
	month := s.monthParam(r)
	var buf bytes.Buffer
	if err := s.Scorecards.ExportMonthStatistics(r.Context(), &buf, month); err != nil {
		return err
	}
	return sendXLSX(w, fmt.Sprintf("appraisal-statistics-%s.xlsx", month), buf.Bytes())
}

func (s *Server) yearAppraisalStatistics(w http.ResponseWriter, r *http.Request) error {
	y, err := s.yearParam(r)
	if err != nil {
		return err
	}
	st, err := s.Scorecards.YearStatistics(r.Context(), y)
	if err != nil {
		return err
	}
	return ok(w, st)
}

func (s *Server) exportYearAppraisalStatistics(w http.ResponseWriter, r *http.Request) error {
	y, err := s.yearParam(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.Scorecards.ExportYearStatistics(r.Context(), &buf, y); err != nil {
		return err
	}
	return sendXLSX(w, fmt.Sprintf("appraisal-year-%d.xlsx", y), buf.Bytes())
}

func (s *Server) yearEnd(w http.ResponseWriter, r *http.Request) error {
	y, err := s.yearParam(r)
	if err != nil {
		return err
	}
	ye, err := s.Scorecards.YearEnd(r.Context(), r.URL.Query().Get("staff_id"), y)
	if err != nil {
		return err
	}
	return ok(w, ye)
}

func (s *Server) saveYearEndReview(w http.ResponseWriter, r *http.Request) error {
	var in scorecards.YearEndReviewInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	rv, err := s.Scorecards.SaveYearEndReview(r.Context(), in)
	if err != nil {
		return err
	}
	return ok(w, rv)
}

func (s *Server) appraisalDepartments(w http.ResponseWriter, r *http.Request) error {
	v, err := s.Scorecards.Department(r.Context(), s.monthParam(r))
	if err != nil {
		return err
	}
	return ok(w, v)
}

func (s *Server) purgeScorecards(w http.ResponseWriter, r *http.Request) error {
	var in purgeInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Cutoff) == "" {
		return required("cutoff")
	}
	n, err := s.Scorecards.PurgeBefore(r.Context(), strings.TrimSpace(in.Cutoff))
	if err != nil {
		return err
	}
	return ok(w, n)
}
