package scorecards

// Checks (检查考核): the weekly or monthly inspections of seed 004 §4.5.2
// (周检、月检 on 100 points), the 督办记录表 checklist of seed 001 and the
// daily chat sampling of seed 002. A check is a card of a check scheme
// (appraisal.Scheme.Check) that a rater opens for a person and a period and
// grades — checklist grades through Rate, the days of a sample item through
// RecordSample. It goes through the same lifecycle as the monthly card; it
// is never the person's monthly appraisal (Card, the exports' monthly
// tables and the scoreboard leave it out), and the year-end roll-up counts
// it in its "checks" component.
//
// Decisions:
//
//   - Period: a monthly check scheme's card has the month (YYYY-MM); a
//     weekly one's the Monday of its week (YYYY-MM-DD), so a week belongs
//     to the month and year its Monday is in, and periods still sort and
//     range as text.
//   - Who opens a check: a 考评人 of one of the scheme's rated items (see
//     RaterOf); never for oneself. The scheme must apply to one of the
//     person's roles and be in force on the period's last day.
//   - A sample day is recorded once per card, item and day; recording it
//     again replaces it (a correction, audited with before and after).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/appraisal"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// shippedChecks are the keys of the shipped check schemes: a scheme of one
// of these keys stored before the document carried "check" is a check too.
var shippedChecks = sync.OnceValue(func() map[string]bool {
	out := map[string]bool{}
	for _, sc := range appraisal.Shipped() {
		if sc.Check {
			out[sc.Key] = true
		}
	}
	return out
})

// isCheck reports whether the scheme of code is a check scheme.
func isCheck(code string, sc *appraisal.Scheme) bool {
	return (sc != nil && sc.Check) || shippedChecks()[code]
}

// bounds is a card period's bounds in the company zone: a month
// (YYYY-MM) or a week given by its Monday (YYYY-MM-DD).
func (s *Service) bounds(period string) (start, end time.Time, err error) {
	if len(period) == len("2006-01") {
		start, end, _, err = s.month(period)
		return start, end, err
	}
	t, perr := time.ParseInLocation(time.DateOnly, period, s.loc)
	if perr != nil || t.Weekday() != time.Monday {
		return start, end, apperr.Invalid("period", "考核期间应为月份 YYYY-MM，或一周的周一 YYYY-MM-DD")
	}
	return t, t.AddDate(0, 0, 7), nil
}

// checkPeriod checks that period fits the scheme's period: a month for a
// monthly scheme, a Monday for a weekly one.
func (s *Service) checkPeriod(sc *appraisal.Scheme, period string) (start, end time.Time, err error) {
	start, end, err = s.bounds(period)
	if err != nil {
		return start, end, err
	}
	weekly := len(period) != len("2006-01")
	switch {
	case sc.Period == appraisal.PeriodWeekly && !weekly:
		return start, end, apperr.Invalid("period", "「"+sc.Name+"」每周检查一次：期间应为一周的周一 YYYY-MM-DD")
	case sc.Period != appraisal.PeriodWeekly && weekly:
		return start, end, apperr.Invalid("period", "「"+sc.Name+"」每月检查一次：期间应为月份 YYYY-MM")
	}
	return start, end, nil
}

// periodRates are the month's rates of staffID for a monthly period, none
// for a week (no rate item is computed by the week).
func (s *Service) periodRates(ctx context.Context, period, staffID string) (map[string]appraisal.Rate, error) {
	if len(period) != len("2006-01") {
		return nil, nil
	}
	return s.staffRates(ctx, period, staffID)
}

// cardSamples are the recorded sample days of a card by item, by day.
func cardSamples(ctx context.Context, db bun.IDB, cardID string) (map[string][]appraisal.SampleDay, error) {
	var rows []struct {
		Item     string `bun:"item_key"`
		Day      string `bun:"day"`
		Checked  int64  `bun:"checked"`
		Failed   int64  `bun:"failed"`
		Evidence string `bun:"evidence"`
	}
	if err := db.NewRaw("SELECT item_key, day, checked, failed, evidence FROM scorecard_samples WHERE scorecard_id = ? ORDER BY item_key, day",
		cardID).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := map[string][]appraisal.SampleDay{}
	for _, r := range rows {
		d := appraisal.SampleDay{Date: r.Day, Checked: r.Checked, Failed: r.Failed}
		if err := json.Unmarshal([]byte(r.Evidence), &d.Evidence); err != nil {
			return nil, fmt.Errorf("sample %s %s: %w", r.Item, r.Day, err)
		}
		out[r.Item] = append(out[r.Item], d)
	}
	return out, nil
}

// CheckInput opens a check.
type CheckInput struct {
	StaffID string `json:"staff_id"`
	Scheme  string `json:"scheme"` // the check scheme's code: supervision_checklist, chat_sampling, …
	Period  string `json:"period"` // YYYY-MM, or a week's Monday YYYY-MM-DD for a weekly scheme
}

// checkScheme is the approved version of the scheme code in force on day.
func checkScheme(ctx context.Context, db bun.IDB, code, day string) (*SchemeRecord, *appraisal.Scheme, error) {
	rec := new(SchemeRecord)
	err := db.NewSelect().Model(rec).Where("code = ? AND status = 'approved' AND effective_from <= ?", code, day).
		OrderExpr("effective_from DESC, version DESC").Limit(1).Scan(ctx)
	if errors.Is(err, store.ErrNoRows) {
		return nil, nil, apperr.Invalid("scheme", fmt.Sprintf("没有在 %s 生效的考核方案 %q", day, code))
	}
	if err != nil {
		return nil, nil, err
	}
	sc, err := rec.Scheme()
	if err != nil {
		return nil, nil, err
	}
	if !isCheck(rec.Code, sc) {
		return nil, nil, apperr.Invalid("scheme", "「"+rec.Name+"」是月度考核方案，不是检查考核")
	}
	return rec, sc, nil
}

// OpenCheck opens a check card of a person for a period under a check
// scheme, as a draft whose rated items wait for their 考评人. A second
// check of the same scheme and period is a conflict.
func (s *Service) OpenCheck(ctx context.Context, in CheckInput) (*Scorecard, error) {
	p := access.Caller(ctx)
	if !p.Can(access.AppraisalRead) {
		return nil, apperr.Forbidden("无权开启检查考核")
	}
	in.StaffID, in.Scheme, in.Period = strings.TrimSpace(in.StaffID), strings.TrimSpace(in.Scheme), strings.TrimSpace(in.Period)
	if in.StaffID == "" {
		return nil, apperr.Invalid("staff_id", "请选择被检查的员工")
	}
	if in.Scheme == "" {
		return nil, apperr.Invalid("scheme", "请选择检查方案")
	}
	start, end, err := s.bounds(in.Period)
	if err != nil {
		return nil, err
	}
	last := calendar.DateOf(end.Add(-time.Second), s.loc).String()
	now := store.Time(s.now())
	var out *Scorecard
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		rec, sc, err := checkScheme(ctx, tx, in.Scheme, last)
		if err != nil {
			return err
		}
		if _, _, err := s.checkPeriod(sc, in.Period); err != nil {
			return err
		}
		staff, err := loadStaff(ctx, tx, in.StaffID)
		if err != nil {
			return err
		}
		if len(staff) == 0 {
			return apperr.Invalid("staff_id", "没有这名员工")
		}
		if !slices.Contains(staff[0].Roles, access.Role(rec.AppliesTo)) {
			return apperr.Invalid("staff_id", "「"+rec.Name+"」不适用于"+staff[0].Name+"的岗位")
		}
		supervisor, err := supervisorOf(ctx, tx, in.StaffID)
		if err != nil {
			return err
		}
		if p.StaffID == in.StaffID {
			return apperr.Forbidden("不能检查自己")
		}
		if len(rateableItems(p, sc, in.StaffID, supervisor)) == 0 {
			return apperr.Forbidden("只有「" + rec.Name + "」的考评人可以开启这项检查")
		}
		var have int
		if err := tx.NewRaw("SELECT COUNT(*) FROM scorecards WHERE staff_id = ? AND period = ? AND scheme_id IN (SELECT id FROM appraisal_schemes WHERE code = ?)",
			in.StaffID, in.Period, rec.Code).Scan(ctx, &have); err != nil {
			return err
		}
		if have > 0 {
			return apperr.Conflict("period", fmt.Sprintf("%s 已有%s的「%s」", in.Period, staff[0].Name, rec.Name))
		}
		evs, err := staffEvents(ctx, tx, in.StaffID, start, end)
		if err != nil {
			return err
		}
		c, err := evaluateWithBonuses(ctx, tx, in.StaffID, start, end, appraisal.Input{Scheme: sc, Events: evs})
		if err != nil {
			return err
		}
		card := &Scorecard{ID: store.NewID(), StaffID: in.StaffID, SchemeID: rec.ID, Period: in.Period, Status: StatusDraft, Version: 1,
			ComputedAt: now, CreatedAt: now, UpdatedAt: now}
		card.setComputed(c)
		if _, err := tx.NewInsert().Model(card).Exec(ctx); err != nil {
			return err
		}
		out = card
		if err := audit.Record(ctx, tx, now, audit.Change{Action: "create", Entity: "scorecard", EntityID: card.ID,
			Summary: "开启检查考核「" + rec.Name + "」" + in.Period + "：" + staff[0].Name, After: card}); err != nil {
			return err
		}
		return notifyCard(ctx, tx, now, card, notice{to: []string{in.StaffID}, step: "check",
			title: "检查考核：" + rec.Name + " " + in.Period, body: p.Name + " 开启了对你的检查考核，结果可随时查看"})
	})
	return out, err
}

// CheckCard is a check card with its scheme's name, for the lists.
type CheckCard struct {
	Scorecard  `bun:",extend"`
	SchemeCode string `bun:"scheme_code" json:"scheme_code"`
	SchemeName string `bun:"scheme_name" json:"scheme_name"`
}

// Checks lists a person's check cards of a month (monthly checks of the
// month and weekly checks whose Monday is in it), by period and scheme.
// Readers: as the monthly card — the person, their supervisor, managers,
// executives.
func (s *Service) Checks(ctx context.Context, staffID, month string) ([]CheckCard, error) {
	p := access.Caller(ctx)
	if _, _, _, err := s.month(month); err != nil {
		return nil, err
	}
	db := s.db.R()
	supervisor, err := supervisorOf(ctx, db, staffID)
	if err != nil {
		return nil, err
	}
	if !mayReadCard(p, &Scorecard{StaffID: staffID}, supervisor) {
		return nil, apperr.Forbidden("只能查看自己及直属下级的考核")
	}
	var rows []CheckCard
	if err := db.NewRaw(`SELECT sc.*, a.code AS scheme_code, a.name AS scheme_name FROM scorecards sc JOIN appraisal_schemes a ON a.id = sc.scheme_id
		WHERE sc.staff_id = ? AND sc.period >= ? AND sc.period < ? ORDER BY sc.period, a.code, sc.created_at`,
		staffID, month, nextMonth(month)).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	docs, err := schemeDocs(ctx, db)
	if err != nil {
		return nil, err
	}
	out := []CheckCard{}
	for _, r := range rows {
		if isCheckCard(docs, &r.Scorecard) {
			out = append(out, r)
		}
	}
	return out, nil
}

// nextMonth is the month after month (YYYY-MM; month already checked).
func nextMonth(month string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return t.AddDate(0, 1, 0).Format("2006-01")
}

// CheckOption is a check scheme a rater may open for a person.
type CheckOption struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Period string `json:"period"` // monthly or weekly
}

// CheckOptions are the check schemes in force on day that apply to the
// person and whose items the caller rates: what the caller may open.
func (s *Service) CheckOptions(ctx context.Context, staffID, day string) ([]CheckOption, error) {
	p := access.Caller(ctx)
	out := []CheckOption{}
	if !p.Can(access.AppraisalRead) || p.StaffID == "" || p.StaffID == staffID {
		return out, nil
	}
	db := s.db.R()
	staff, err := loadStaff(ctx, db, staffID)
	if err != nil || len(staff) == 0 {
		return out, err
	}
	supervisor, err := supervisorOf(ctx, db, staffID)
	if err != nil {
		return nil, err
	}
	var codes []string
	if err := db.NewRaw("SELECT DISTINCT code FROM appraisal_schemes WHERE status = 'approved' AND effective_from <= ? ORDER BY code", day).
		Scan(ctx, &codes); err != nil {
		return nil, err
	}
	for _, code := range codes {
		rec, sc, err := checkScheme(ctx, db, code, day)
		if apperr.Is(err, apperr.KindInvalid) {
			continue // not a check
		}
		if err != nil {
			return nil, err
		}
		if slices.Contains(staff[0].Roles, access.Role(rec.AppliesTo)) && len(rateableItems(p, sc, staffID, supervisor)) > 0 {
			out = append(out, CheckOption{Code: rec.Code, Name: rec.Name, Period: sc.Period})
		}
	}
	return out, nil
}

// SampleInput is one day of a sample item.
type SampleInput struct {
	Item     string   `json:"item"`
	Date     string   `json:"date"`    // YYYY-MM-DD, within the card's period
	Checked  int64    `json:"checked"` // records checked that day (20)
	Failed   int64    `json:"failed"`  // of which failing
	Evidence []string `json:"evidence,omitempty"`
	Note     string   `json:"note,omitempty"`
}

// maxEvidence bounds a day's evidence ids.
const maxEvidence = 100

// RecordSample records (or corrects) one day of a sample item on a card —
// 聊天记录抽查: how many records were checked, how many failed, which — and
// refreshes the card. The item's 考评人 records it, before approval.
func (s *Service) RecordSample(ctx context.Context, cardID string, version int64, in SampleInput) (*Scorecard, error) {
	p := access.Caller(ctx)
	if !p.Can(access.AppraisalRead) {
		return nil, apperr.Forbidden("无权记录抽查")
	}
	in.Item, in.Date, in.Note = strings.TrimSpace(in.Item), strings.TrimSpace(in.Date), strings.TrimSpace(in.Note)
	now := store.Time(s.now())
	var out *Scorecard
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		rc, err := lockForRating(ctx, tx, p, cardID, version)
		if err != nil {
			return err
		}
		card := rc.Scorecard
		it := itemOf(rc.sc, in.Item)
		if it == nil || it.Method != appraisal.MethodSample {
			return apperr.Invalid("item", fmt.Sprintf("「%s」没有抽查项目 %q", rc.rec.Name, in.Item))
		}
		if err := mayRateItem(p, card.StaffID, rc.supervisor, it); err != nil {
			return err
		}
		if !slices.Contains(recomputable, card.Status) {
			return apperr.Invalid("status", "考核表已提交审批，不能再记录抽查")
		}
		if err := s.checkSample(card, it, &in); err != nil {
			return err
		}
		for i, id := range in.Evidence {
			if err := exists(ctx, tx, "communications", id, fmt.Sprintf("evidence[%d]", i)); err != nil {
				return err
			}
		}
		ev, err := json.Marshal(in.Evidence)
		if err != nil {
			return err
		}
		var before []appraisal.SampleDay
		if all, err := cardSamples(ctx, tx, card.ID); err != nil {
			return err
		} else {
			before = all[in.Item]
		}
		if _, err := tx.NewRaw(`INSERT INTO scorecard_samples (scorecard_id, item_key, day, checked, failed, evidence, note, recorded_by, recorded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (scorecard_id, item_key, day) DO UPDATE SET checked = EXCLUDED.checked, failed = EXCLUDED.failed,
				evidence = EXCLUDED.evidence, note = EXCLUDED.note, recorded_by = EXCLUDED.recorded_by, recorded_at = EXCLUDED.recorded_at`,
			card.ID, in.Item, in.Date, in.Checked, in.Failed, string(ev), in.Note, p.StaffID, now).Exec(ctx); err != nil {
			return err
		}
		prev, err := s.storeRated(ctx, tx, p, card, now)
		if err != nil {
			return err
		}
		out = card
		return audit.Record(ctx, tx, now, audit.Change{Action: "sample", Entity: "scorecard", EntityID: card.ID,
			Summary: fmt.Sprintf("抽查 %s %s：抽查 %d 条，不合格 %d 条，合计 %s → %s", it.Name, in.Date, in.Checked, in.Failed, prev.Final, card.Final),
			Before:  map[string]any{"samples": before, "final": prev.Final}, After: map[string]any{"sample": in, "final": card.Final}})
	})
	return out, err
}

// checkSample checks one day against the card's period and the item's rule.
func (s *Service) checkSample(card *Scorecard, it *appraisal.Item, in *SampleInput) error {
	start, end, err := s.bounds(card.Period)
	if err != nil {
		return err
	}
	day, err := time.ParseInLocation(time.DateOnly, in.Date, s.loc)
	if err != nil {
		return apperr.Invalid("date", "日期格式应为 YYYY-MM-DD")
	}
	if day.Before(start) || !day.Before(end) {
		return apperr.Invalid("date", fmt.Sprintf("%s 不在考核期间 %s 内", in.Date, card.Period))
	}
	if day.After(s.now()) {
		return apperr.Invalid("date", "不能记录未来日期的抽查")
	}
	switch {
	case in.Checked <= 0:
		return apperr.Invalid("checked", "抽查条数应大于 0")
	case in.Checked > 10*max(it.Sample.PerDay, 1):
		return apperr.Invalid("checked", fmt.Sprintf("抽查条数过多（每天应抽查 %d 条）", it.Sample.PerDay))
	case in.Failed < 0 || in.Failed > in.Checked:
		return apperr.Invalid("failed", fmt.Sprintf("不合格条数应在 0 与抽查条数 %d 之间", in.Checked))
	}
	ev := make([]string, 0, len(in.Evidence))
	for _, e := range in.Evidence {
		if e = strings.TrimSpace(e); e != "" && !slices.Contains(ev, e) {
			ev = append(ev, e)
		}
	}
	if len(ev) > maxEvidence {
		return apperr.Invalid("evidence", fmt.Sprintf("证据最多 %d 条", maxEvidence))
	}
	if int64(len(ev)) > in.Failed {
		return apperr.Invalid("evidence", fmt.Sprintf("证据 %d 条多于不合格条数 %d", len(ev), in.Failed))
	}
	in.Evidence = ev
	if len([]rune(in.Note)) > 500 {
		return apperr.Invalid("note", "说明不能超过 500 字")
	}
	return nil
}
