package fieldwork

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/xuri/excelize/v2"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// OrderCounts are a month's work orders: Planned counts every one not
// cancelled; Done those completed or accepted; Open those not done.
type OrderCounts struct {
	Planned   int `json:"planned"`
	Done      int `json:"done"`
	Accepted  int `json:"accepted"`
	Open      int `json:"open"`
	Cancelled int `json:"cancelled"`
}

// OrderBrief names a work order in a summary.
type OrderBrief struct {
	ID           string     `json:"id"`
	Number       string     `json:"number"`
	Type         string     `json:"type"`
	CustomerName string     `json:"customer_name"`
	PlannedOn    string     `json:"planned_on"`
	Status       string     `json:"status"`
	CompletedAt  *time.Time `json:"completed_at"`
}

// StatCell is a count with the problems behind it.
type StatCell struct {
	Count      int      `json:"count"`
	ProblemIDs []string `json:"problem_ids"`
}

func (c *StatCell) add(id string) {
	c.Count++
	c.ProblemIDs = append(c.ProblemIDs, id)
}

// MonthlySummaryRecord is a submitted monthly summary (25日汇总上报).
type MonthlySummaryRecord struct {
	ID          string     `bun:"id,pk" json:"id"`
	StaffID     string     `bun:"staff_id" json:"staff_id"`
	Month       string     `bun:"month" json:"month"`
	DueOn       string     `bun:"due_on" json:"due_on"`
	Body        string     `bun:"body" json:"-"`
	Note        string     `bun:"note" json:"note"`
	SubmittedAt *time.Time `bun:"submitted_at" json:"submitted_at"`
	SubmittedBy *string    `bun:"submitted_by" json:"submitted_by"`
	SubmittedTo string     `bun:"submitted_to" json:"submitted_to"`
	Version     int64      `bun:"version" json:"version"`
	CreatedAt   time.Time  `bun:"created_at" json:"created_at"`
	UpdatedAt   time.Time  `bun:"updated_at" json:"updated_at"`

	bun.BaseModel `bun:"table:monthly_summaries"`
}

// MonthlySummary is a specialist's month of maintenance (SPEC §6.6):
// the work orders planned in it, done, accepted and open, the problems by
// type, and the paper originals not yet handed in.
type MonthlySummary struct {
	StaffID   string `json:"staff_id"`
	StaffName string `json:"staff_name"`
	Month     string `json:"month"`
	DueOn     string `json:"due_on"`

	Orders           OrderCounts          `json:"orders"`
	Problems         map[string]*StatCell `json:"problems"` // by type
	OpenOrders       []OrderBrief         `json:"open_orders"`
	PaperOutstanding []OrderBrief         `json:"paper_outstanding"` // done, original not received

	Submitted *MonthlySummaryRecord `json:"submitted"`
	Version   int64                 `json:"version"` // 0 until submitted
	DaysLate  int                   `json:"days_late"`
}

func monthBounds(month string, loc *time.Location) (time.Time, time.Time, error) {
	t, err := time.ParseInLocation("2006-01", month, loc)
	if err != nil || len(month) != 7 {
		return t, t, apperr.Invalid("month", "月份格式应为 YYYY-MM")
	}
	return store.Time(t), store.Time(t.AddDate(0, 1, 0)), nil
}

// MonthlySummary generates the specialist's summary of month (YYYY-MM):
// the specialist themself, a manager or an executive.
func (s *Service) MonthlySummary(ctx context.Context, staffID, month string) (*MonthlySummary, error) {
	p := access.Caller(ctx)
	if !p.Can(access.WorkRead) || (staffID != p.StaffID && !p.IsManagerial() && !p.Has(access.Executive)) {
		return nil, apperr.Forbidden("只能查看自己的月度汇总")
	}
	db := s.db.R()
	sum, err := s.monthlySummary(ctx, db, staffID, month)
	if err != nil {
		return nil, err
	}
	rec := new(MonthlySummaryRecord)
	switch err := db.NewSelect().Model(rec).Where("staff_id = ? AND month = ?", staffID, month).Scan(ctx); {
	case err == nil:
		sum.Submitted, sum.Version, sum.DueOn = rec, rec.Version, rec.DueOn
	case !errors.Is(err, store.ErrNoRows):
		return nil, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	due, _ := calendar.ParseDate(sum.DueOn)
	done := s.now()
	if sum.Submitted != nil && sum.Submitted.SubmittedAt != nil {
		done = *sum.Submitted.SubmittedAt
	}
	sum.DaysLate = calendar.DaysOverdue(cal.EndOfDay(due), done)
	return sum, nil
}

func (s *Service) monthlySummary(ctx context.Context, db bun.IDB, staffID, month string) (*MonthlySummary, error) {
	start, end, err := monthBounds(month, s.loc)
	if err != nil {
		return nil, err
	}
	pol, err := readProgressPolicy(ctx, db)
	if err != nil {
		return nil, err
	}
	dueOn, err := pol.MonthlyDueOn(month)
	if err != nil {
		return nil, err
	}
	sum := &MonthlySummary{StaffID: staffID, Month: month, DueOn: dueOn.String(), Problems: map[string]*StatCell{},
		OpenOrders: []OrderBrief{}, PaperOutstanding: []OrderBrief{}}
	if err := db.NewRaw("SELECT name FROM staff WHERE id = ?", staffID).Scan(ctx, &sum.StaffName); err != nil {
		return nil, notFoundAs(err, apperr.NotFound("staff"))
	}
	for _, t := range ProblemTypes {
		sum.Problems[t] = &StatCell{ProblemIDs: []string{}}
	}
	var orders []struct {
		OrderBrief
		PlannedOn *string `bun:"planned_on"`
		Paper     *string `bun:"paper_received_on"`
	}
	if err := db.NewRaw(`SELECT w.id, w.number, w.type, c.name AS customer_name, w.planned_on, w.status, w.completed_at, w.paper_received_on
		FROM work_orders w JOIN customers c ON c.id = w.customer_id
		WHERE w.owner_id = ? AND (w.planned_on LIKE ? OR (w.planned_on IS NULL AND w.created_at >= ? AND w.created_at < ?))
		ORDER BY w.planned_on, w.number`, staffID, month+"-%", start, end).Scan(ctx, &orders); err != nil {
		return nil, err
	}
	for _, o := range orders {
		b := o.OrderBrief
		b.PlannedOn = deref(o.PlannedOn)
		switch o.Status {
		case StatusCancelled:
			sum.Orders.Cancelled++
			continue
		case StatusAccepted:
			sum.Orders.Accepted++
			sum.Orders.Done++
		case StatusCompleted:
			sum.Orders.Done++
		default:
			sum.Orders.Open++
			sum.OpenOrders = append(sum.OpenOrders, b)
		}
		sum.Orders.Planned++
	}
	// Originals outstanding: any of the specialist's work done by the end
	// of the month whose paper has not come in (not only this month's).
	var paper []struct {
		OrderBrief
		PlannedOn *string `bun:"planned_on"`
	}
	if err := db.NewRaw(`SELECT w.id, w.number, w.type, c.name AS customer_name, w.planned_on, w.status, w.completed_at
		FROM work_orders w JOIN customers c ON c.id = w.customer_id
		WHERE w.owner_id = ? AND w.status IN ('completed', 'accepted') AND w.paper_received_on IS NULL AND w.completed_at < ?
		ORDER BY w.completed_at, w.number`, staffID, end).Scan(ctx, &paper); err != nil {
		return nil, err
	}
	for _, o := range paper {
		b := o.OrderBrief
		b.PlannedOn = deref(o.PlannedOn)
		sum.PaperOutstanding = append(sum.PaperOutstanding, b)
	}
	probs, err := listProblems(ctx, db, ProblemFilter{StaffID: staffID, From: &start, To: &end})
	if err != nil {
		return nil, err
	}
	for _, pb := range probs {
		sum.Problems[pb.Type].add(pb.ID)
	}
	return sum, nil
}

// SubmitMonthlySummary reports the caller's month to to ("" = 总经理):
// the summary as generated now is kept. Version 0 the first time; again
// with the stored version to correct it (the first submission time stays).
func (s *Service) SubmitMonthlySummary(ctx context.Context, month string, version int64, to string) (*MonthlySummary, error) {
	p := access.Caller(ctx)
	if !p.Can(access.WorkDispatch) || p.StaffID == "" {
		return nil, apperr.Forbidden("只有客服专员可以上报月度汇总")
	}
	if to = strings.TrimSpace(to); to == "" {
		to = "总经理"
	}
	if len([]rune(to)) > 100 {
		return nil, apperr.Invalid("to", "上报对象最多 100 字")
	}
	now := store.Time(s.now())
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		start, _, err := monthBounds(month, s.loc)
		if err != nil {
			return err
		}
		if start.After(now) {
			return apperr.Invalid("month", "不能上报以后月份的汇总")
		}
		sum, err := s.monthlySummary(ctx, tx, p.StaffID, month)
		if err != nil {
			return err
		}
		body, err := json.Marshal(sum)
		if err != nil {
			return err
		}
		rec := new(MonthlySummaryRecord)
		err = tx.NewSelect().Model(rec).Where("staff_id = ? AND month = ?", p.StaffID, month).Scan(ctx)
		switch {
		case errors.Is(err, store.ErrNoRows):
			if version != 0 {
				return staleVersion()
			}
			rec = &MonthlySummaryRecord{ID: store.NewID(), StaffID: p.StaffID, Month: month, DueOn: sum.DueOn, Body: string(body),
				SubmittedAt: &now, SubmittedBy: optional(p.StaffID), SubmittedTo: to, Version: 1, CreatedAt: now, UpdatedAt: now}
			if _, err := tx.NewInsert().Model(rec).Exec(ctx); err != nil {
				return err
			}
			return audit.Record(ctx, tx, now, audit.Change{Action: "submit", Entity: "monthly_summary", EntityID: rec.ID,
				Summary: fmt.Sprintf("上报 %s 月度维修保养汇总（%s）", month, to), After: rec})
		case err != nil:
			return err
		}
		if rec.Version != version {
			return staleVersion()
		}
		before := *rec
		rec.Body, rec.SubmittedTo, rec.Version, rec.UpdatedAt = string(body), to, version+1, now
		if rec.SubmittedAt == nil {
			rec.SubmittedAt, rec.SubmittedBy = &now, optional(p.StaffID)
		}
		if _, err := tx.NewUpdate().Model(rec).Column("body", "submitted_to", "version", "updated_at", "submitted_at", "submitted_by").
			Where("id = ? AND version = ?", rec.ID, version).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "update", Entity: "monthly_summary", EntityID: rec.ID,
			Summary: "更正 " + month + " 月度维修保养汇总", Before: &before, After: rec})
	})
	if err != nil {
		return nil, err
	}
	s.db.Changed("monthly_summary", p.StaffID+"|"+month)
	return s.MonthlySummary(ctx, p.StaffID, month)
}

// StatRow is one region, group or technician of the monthly statistics:
// a cell per problem type, each with the problems behind it.
type StatRow struct {
	ID    string               `json:"id"` // "" = not given
	Name  string               `json:"name"`
	Cells map[string]*StatCell `json:"cells"`
	Total StatCell             `json:"total"`
}

func newStatRow(id, name string) *StatRow {
	r := &StatRow{ID: id, Name: name, Cells: map[string]*StatCell{}, Total: StatCell{ProblemIDs: []string{}}}
	for _, t := range ProblemTypes {
		r.Cells[t] = &StatCell{ProblemIDs: []string{}}
	}
	return r
}

func (r *StatRow) add(typ, id string) {
	r.Cells[typ].add(id)
	r.Total.add(id)
}

// MonthlyStatistics are a month's problems (SPEC §6.5: 逾期、投诉、质量、验收、
// 质保) by region, maintenance group and technician — the data of the
// maintenance staff's own appraisal. Each count opens to its problems.
type MonthlyStatistics struct {
	Month        string    `json:"month"`
	Types        []string  `json:"types"`
	ByRegion     []StatRow `json:"by_region"`
	ByGroup      []StatRow `json:"by_group"`
	ByTechnician []StatRow `json:"by_technician"`
	Total        StatRow   `json:"total"`
}

const unassigned = "（未指定）"

// MonthlyStatistics counts the problems that occurred in month (YYYY-MM):
// everyone in field work reads it (technicians included: the counts are
// the data of their own appraisal).
func (s *Service) MonthlyStatistics(ctx context.Context, month string) (*MonthlyStatistics, error) {
	p := access.Caller(ctx)
	if !p.Can(access.WorkRead) {
		return nil, apperr.Forbidden("无权查看月度统计")
	}
	start, end, err := monthBounds(month, s.loc)
	if err != nil {
		return nil, err
	}
	var probs []struct {
		ID, Type                  string
		RegionID, GroupID, TechID *string
		Region, Group, Tech       *string
	}
	if err := s.db.R().NewRaw(`SELECT pb.id, pb.type, pb.region_id, pb.group_id, pb.technician_id AS tech_id,
			r.name AS region, g.name AS "group", st.name AS tech
		FROM problems pb LEFT JOIN regions r ON r.id = pb.region_id LEFT JOIN maint_groups g ON g.id = pb.group_id
			LEFT JOIN staff st ON st.id = pb.technician_id
		WHERE pb.occurred_at >= ? AND pb.occurred_at < ? ORDER BY pb.occurred_at, pb.id`, start, end).Scan(ctx, &probs); err != nil {
		return nil, err
	}
	st := &MonthlyStatistics{Month: month, Types: ProblemTypes, Total: *newStatRow("", "合计")}
	regions, groups, techs := map[string]*StatRow{}, map[string]*StatRow{}, map[string]*StatRow{}
	row := func(m map[string]*StatRow, id, name *string) *StatRow {
		k, n := deref(id), deref(name)
		if k == "" {
			n = unassigned
		}
		if m[k] == nil {
			m[k] = newStatRow(k, n)
		}
		return m[k]
	}
	for _, pb := range probs {
		row(regions, pb.RegionID, pb.Region).add(pb.Type, pb.ID)
		row(groups, pb.GroupID, pb.Group).add(pb.Type, pb.ID)
		row(techs, pb.TechID, pb.Tech).add(pb.Type, pb.ID)
		st.Total.add(pb.Type, pb.ID)
	}
	st.ByRegion, st.ByGroup, st.ByTechnician = statRows(regions), statRows(groups), statRows(techs)
	return st, nil
}

// statRows orders rows by name, the unassigned last.
func statRows(m map[string]*StatRow) []StatRow {
	out := make([]StatRow, 0, len(m))
	for _, r := range m {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b StatRow) int {
		if (a.ID == "") != (b.ID == "") {
			if a.ID == "" {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return out
}

var statusLabels = map[string]string{StatusPlanned: "计划", StatusDispatched: "已派工", StatusReturned: "退回更正", StatusCompleted: "已完工",
	StatusAccepted: "已验收", StatusCancelled: "已取消"}

// ExportMonthlySummary writes the specialist's monthly summary as XLSX:
// sheet 月度汇总 (the counts), 未完成派工单 and 未交原件.
func (s *Service) ExportMonthlySummary(ctx context.Context, w io.Writer, staffID, month string) error {
	sum, err := s.MonthlySummary(ctx, staffID, month)
	if err != nil {
		return err
	}
	submitted, to := "未上报", ""
	if sum.Submitted != nil && sum.Submitted.SubmittedAt != nil {
		submitted, to = sum.Submitted.SubmittedAt.In(s.loc).Format("2006-01-02 15:04"), sum.Submitted.SubmittedTo
	}
	head := [][]string{
		{"项目", "数值"},
		{"客服专员", sum.StaffName},
		{"月份", sum.Month},
		{"上报截止日", sum.DueOn},
		{"上报时间", submitted},
		{"上报对象", to},
		{"逾期天数", fmt.Sprint(sum.DaysLate)},
		{"计划派工单", fmt.Sprint(sum.Orders.Planned)},
		{"已完工", fmt.Sprint(sum.Orders.Done)},
		{"已验收", fmt.Sprint(sum.Orders.Accepted)},
		{"未完成", fmt.Sprint(sum.Orders.Open)},
		{"已取消", fmt.Sprint(sum.Orders.Cancelled)},
	}
	for _, t := range ProblemTypes {
		head = append(head, []string{ProblemTypeLabels[t] + "问题", fmt.Sprint(sum.Problems[t].Count)})
	}
	head = append(head, []string{"未交原件", fmt.Sprint(len(sum.PaperOutstanding))})
	brief := func(list []OrderBrief) [][]string {
		rows := [][]string{{"派工单号", "类型", "客户", "计划日期", "状态", "完工时间"}}
		for _, o := range list {
			done := ""
			if o.CompletedAt != nil {
				done = o.CompletedAt.In(s.loc).Format("2006-01-02 15:04")
			}
			rows = append(rows, []string{o.Number, typeLabels[o.Type], o.CustomerName, o.PlannedOn, statusLabels[o.Status], done})
		}
		return rows
	}
	return writeSheets(w, []sheet{{"月度汇总", head}, {"未完成派工单", brief(sum.OpenOrders)}, {"未交原件", brief(sum.PaperOutstanding)}})
}

// ExportMonthlyStatistics writes the month's problem statistics as XLSX:
// one sheet per dimension (按区域, 按项目组, 按技术人员), a column per type,
// the total last.
func (s *Service) ExportMonthlyStatistics(ctx context.Context, w io.Writer, month string) error {
	st, err := s.MonthlyStatistics(ctx, month)
	if err != nil {
		return err
	}
	table := func(first string, rows []StatRow) [][]string {
		head := []string{first}
		for _, t := range ProblemTypes {
			head = append(head, ProblemTypeLabels[t])
		}
		out := [][]string{append(head, "合计")}
		for _, r := range append(slices.Clone(rows), st.Total) {
			line := []string{r.Name}
			for _, t := range ProblemTypes {
				line = append(line, fmt.Sprint(r.Cells[t].Count))
			}
			out = append(out, append(line, fmt.Sprint(r.Total.Count)))
		}
		return out
	}
	return writeSheets(w, []sheet{{"按区域", table("区域", st.ByRegion)}, {"按项目组", table("项目组", st.ByGroup)},
		{"按技术人员", table("技术人员", st.ByTechnician)}})
}

type sheet struct {
	name string
	rows [][]string // the first is the header
}

// writeSheets writes a workbook of text cells with bold headers.
func writeSheets(w io.Writer, sheets []sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sh.name); err != nil {
			return err
		}
		for r, cells := range sh.rows {
			for c, v := range cells {
				cell, err := excelize.CoordinatesToCellName(c+1, r+1)
				if err != nil {
					return err
				}
				if err := f.SetCellStr(sh.name, cell, v); err != nil {
					return err
				}
			}
		}
		if len(sh.rows) > 0 && len(sh.rows[0]) > 0 {
			last, _ := excelize.CoordinatesToCellName(len(sh.rows[0]), 1)
			if err := f.SetCellStyle(sh.name, "A1", last, bold); err != nil {
				return err
			}
			col, _ := excelize.ColumnNumberToName(len(sh.rows[0]))
			if err := f.SetColWidth(sh.name, "A", col, 16); err != nil {
				return err
			}
		}
	}
	return f.Write(w)
}
