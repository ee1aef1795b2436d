package fieldwork

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// SummaryLine is one work order of a day's summary (当日施工/维保汇总).
type SummaryLine struct {
	WorkOrderID  string         `json:"work_order_id"`
	Number       string         `json:"number"`
	Type         string         `json:"type"`
	TypeLabel    string         `json:"type_label"`
	CustomerID   string         `json:"customer_id"`
	CustomerName string         `json:"customer_name"`
	GroupName    string         `json:"group_name"`
	Technicians  []Person       `json:"technicians"`
	Status       string         `json:"status"` // the work order's
	Reports      []LineReport   `json:"reports"`
	Missing      []Person       `json:"missing"` // not reported
	Problems     []ProblemBrief `json:"problems"`
}

// LineReport is an end-of-day report in a summary line.
type LineReport struct {
	StaffID    string    `json:"staff_id"`
	Name       string    `json:"name"`
	Status     string    `json:"status"`
	Notes      string    `json:"notes"`
	ReportedAt time.Time `json:"reported_at"`
}

// ProblemBrief is a problem open on a summary's day.
type ProblemBrief struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	Description string `json:"description"`
	Forwarded   bool   `json:"forwarded"`
	Resolved    bool   `json:"resolved"`
}

// DailySummaryRecord is a submitted daily summary.
type DailySummaryRecord struct {
	ID          string     `bun:"id,pk" json:"id"`
	StaffID     string     `bun:"staff_id" json:"staff_id"`
	Day         string     `bun:"day" json:"day"`
	Body        string     `bun:"body" json:"-"`
	Note        string     `bun:"note" json:"note"`
	DueAt       time.Time  `bun:"due_at" json:"due_at"`
	SubmittedAt *time.Time `bun:"submitted_at" json:"submitted_at"`
	SubmittedBy *string    `bun:"submitted_by" json:"submitted_by"`
	Version     int64      `bun:"version" json:"version"`
	CreatedAt   time.Time  `bun:"created_at" json:"created_at"`
	UpdatedAt   time.Time  `bun:"updated_at" json:"updated_at"`

	bun.BaseModel `bun:"table:daily_summaries"`
}

// DailySummary is a specialist's day: the lines generated from the
// records now, and the summary as submitted (if it was).
type DailySummary struct {
	StaffID string        `json:"staff_id"`
	Day     string        `json:"day"`
	DueAt   time.Time     `json:"due_at"`
	Lines   []SummaryLine `json:"lines"`
	// Submitted is the stored summary; SubmittedLines its lines as they
	// were submitted. Version is 0 until submitted.
	Submitted      *DailySummaryRecord `json:"submitted"`
	SubmittedLines []SummaryLine       `json:"submitted_lines"`
	Version        int64               `json:"version"`
	// Late: submitted after its due time, or due and not yet submitted.
	Late bool `json:"late"`
}

// DailySummary generates the summary of day (YYYY-MM-DD) of the
// specialist's customers' work: the specialist themself, or a manager.
func (s *Service) DailySummary(ctx context.Context, staffID, day string) (*DailySummary, error) {
	p := access.Caller(ctx)
	if !p.Can(access.WorkRead) || (staffID != p.StaffID && !p.IsManagerial() && !p.Has(access.Executive)) {
		return nil, apperr.Forbidden("只能查看自己的当日汇总")
	}
	d, err := calendar.ParseDate(day)
	if err != nil {
		return nil, apperr.Invalid("day", "日期格式应为 YYYY-MM-DD")
	}
	db := s.db.R()
	pol, err := readProgressPolicy(ctx, db)
	if err != nil {
		return nil, err
	}
	sum := &DailySummary{StaffID: staffID, Day: day, DueAt: pol.SummaryDue(d, s.loc)}
	if sum.Lines, err = s.summaryLines(ctx, db, staffID, d); err != nil {
		return nil, err
	}
	rec := new(DailySummaryRecord)
	switch err := db.NewSelect().Model(rec).Where("staff_id = ? AND day = ?", staffID, day).Scan(ctx); {
	case err == nil:
		sum.Submitted, sum.Version, sum.DueAt = rec, rec.Version, rec.DueAt
		if err := json.Unmarshal([]byte(rec.Body), &sum.SubmittedLines); err != nil {
			return nil, err
		}
	case !errors.Is(err, store.ErrNoRows):
		return nil, err
	}
	now := s.now()
	sum.Late = (rec.SubmittedAt != nil && rec.SubmittedAt.After(sum.DueAt)) ||
		(sum.Submitted == nil && len(sum.Lines) > 0 && now.After(sum.DueAt))
	return sum, nil
}

func (s *Service) summaryLines(ctx context.Context, db bun.IDB, staffID string, d calendar.Date) ([]SummaryLine, error) {
	day := d.String()
	spans, err := workOn(ctx, db, s.loc, day, "w.owner_id = ?", staffID)
	if err != nil {
		return nil, err
	}
	rows, err := s.rowsOf(ctx, db, spans)
	if err != nil {
		return nil, err
	}
	lines := []SummaryLine{}
	if len(rows) == 0 {
		return lines, nil
	}
	var reps []struct {
		WorkReport `bun:",extend"`
		Name       string `bun:"name"`
	}
	if err := db.NewRaw(`SELECT r.*, s.name FROM work_reports r JOIN staff s ON s.id = r.staff_id WHERE r.day = ? ORDER BY r.reported_at`, day).
		Scan(ctx, &reps); err != nil {
		return nil, err
	}
	start, end := store.Time(d.In(s.loc)), store.Time(d.AddDays(1).In(s.loc))
	for _, r := range rows {
		ln := SummaryLine{WorkOrderID: r.ID, Number: r.Number, Type: r.Type, TypeLabel: typeLabels[r.Type], CustomerID: r.CustomerID,
			CustomerName: r.CustomerName, GroupName: r.GroupName, Technicians: r.Technicians, Status: r.Status,
			Reports: []LineReport{}, Missing: []Person{}, Problems: []ProblemBrief{}}
		if ln.Technicians == nil {
			ln.Technicians = []Person{}
		}
		who := map[string]bool{}
		for _, rep := range reps {
			if rep.WorkOrderID == r.ID {
				who[rep.StaffID] = true
				ln.Reports = append(ln.Reports, LineReport{StaffID: rep.StaffID, Name: rep.Name, Status: rep.Status, Notes: rep.Notes,
					ReportedAt: rep.ReportedAt})
			}
		}
		if r.SupervisorID == nil || !who[*r.SupervisorID] {
			for _, t := range r.Technicians {
				if !who[t.ID] {
					ln.Missing = append(ln.Missing, t)
				}
			}
		}
		var probs []Problem
		if err := db.NewSelect().Model(&probs).Where("pb.work_order_id = ? AND pb.occurred_at < ?", r.ID, end).
			Where("pb.resolved_at IS NULL OR pb.resolved_at >= ?", start).Order("pb.occurred_at").Scan(ctx); err != nil {
			return nil, err
		}
		for _, pb := range probs {
			ln.Problems = append(ln.Problems, ProblemBrief{ID: pb.ID, Type: pb.Type, Description: pb.Description,
				Forwarded: pb.ForwardedAt != nil, Resolved: pb.ResolvedAt != nil})
		}
		lines = append(lines, ln)
	}
	return lines, nil
}

// SubmitDailySummary submits the caller's summary of day as generated now
// (version 0 the first time; again, with the stored version, to correct
// it — the first submission time stays, for the on-time rule).
func (s *Service) SubmitDailySummary(ctx context.Context, day string, version int64, note string) (*DailySummary, error) {
	p := access.Caller(ctx)
	if !p.Can(access.WorkDispatch) || p.StaffID == "" {
		return nil, apperr.Forbidden("只有客服专员可以提交当日汇总")
	}
	note = strings.TrimSpace(note)
	if len([]rune(note)) > 2000 {
		return nil, apperr.Invalid("note", "备注最多 2000 字")
	}
	d, err := calendar.ParseDate(day)
	if err != nil {
		return nil, apperr.Invalid("day", "日期格式应为 YYYY-MM-DD")
	}
	now := store.Time(s.now())
	if d.After(calendar.DateOf(now, s.loc)) {
		return nil, apperr.Invalid("day", "不能提交今天以后的汇总")
	}
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		pol, err := readProgressPolicy(ctx, tx)
		if err != nil {
			return err
		}
		lines, err := s.summaryLines(ctx, tx, p.StaffID, d)
		if err != nil {
			return err
		}
		body, err := json.Marshal(lines)
		if err != nil {
			return err
		}
		rec := new(DailySummaryRecord)
		err = tx.NewSelect().Model(rec).Where("staff_id = ? AND day = ?", p.StaffID, day).Scan(ctx)
		switch {
		case errors.Is(err, store.ErrNoRows):
			if version != 0 {
				return staleVersion()
			}
			rec = &DailySummaryRecord{ID: store.NewID(), StaffID: p.StaffID, Day: day, Body: string(body), Note: note,
				DueAt: pol.SummaryDue(d, s.loc), SubmittedAt: &now, SubmittedBy: optional(p.StaffID), Version: 1, CreatedAt: now, UpdatedAt: now}
			if _, err := tx.NewInsert().Model(rec).Exec(ctx); err != nil {
				return err
			}
			return audit.Record(ctx, tx, now, audit.Change{Action: "submit", Entity: "daily_summary", EntityID: rec.ID,
				Summary: "提交当日施工/维保汇总 " + day, After: rec})
		case err != nil:
			return err
		}
		if rec.Version != version {
			return staleVersion()
		}
		before := *rec
		rec.Body, rec.Note, rec.Version, rec.UpdatedAt = string(body), note, version+1, now
		if rec.SubmittedAt == nil {
			rec.SubmittedAt, rec.SubmittedBy = &now, optional(p.StaffID)
		}
		if _, err := tx.NewUpdate().Model(rec).Column("body", "note", "version", "updated_at", "submitted_at", "submitted_by").
			Where("id = ? AND version = ?", rec.ID, version).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "update", Entity: "daily_summary", EntityID: rec.ID,
			Summary: "更正当日施工/维保汇总 " + day, Before: &before, After: rec})
	})
	if err != nil {
		return nil, err
	}
	s.db.Changed("daily_summary", p.StaffID+"|"+day)
	return s.DailySummary(ctx, p.StaffID, day)
}
