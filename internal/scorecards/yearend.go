package scorecards

// The year-end score (年终考评, seed 004 §4.6 and §4.9), the department
// views of a month and the purge of old records (§4.12: kept 2 years).
//
// Decisions:
//
//   - The roll-up that applies to a person's year is the roll-up of the
//     scheme of their latest card of the year that has one; else that of the
//     approved scheme with a roll-up for one of their roles in force at the
//     year's end (the shipped 德·勤·能·绩 for specialists). None: no year-end
//     score (the statistics leave it blank, YearEnd says why).
//   - Components by key: "monthly" is the finals of the year's monthly
//     appraisal cards (bonus included, so above 100 is possible); "checks"
//     is the year's check cards (checks.go) each as a percentage of its
//     scheme total (rounded half up once), or — when no check card is on
//     record — the checks mean the manager entered with the review (paper
//     周检/月检); "year_end" is the manager's review score plus its bonus. A
//     component without scores leaves the year-end score open (Missing),
//     as appraisal.RollUp refuses to weigh nothing.
//   - The review is stored (year_end_reviews, migration 00022): the
//     managers enter it, never for themselves, 0–100 with a reason below
//     100; the bonus is within the scheme's bonus rule (1–10) with a reason.
//   - Provisional: a year-end score from cards not yet published (or not
//     complete) is marked provisional.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/appraisal"
	"kefu/internal/audit"
	"kefu/internal/store"
)

// Components of a roll-up filled from the records.
const (
	ComponentChecks  = "checks"
	ComponentMonthly = "monthly"
	ComponentYearEnd = "year_end"
)

// PeriodScore is one card's score in a year-end roll-up.
type PeriodScore struct {
	Period   string           `json:"period"`
	CardID   string           `json:"card_id"`
	Scheme   string           `json:"scheme"`
	Max      appraisal.Points `json:"max"`
	Final    appraisal.Points `json:"final"`
	Score    appraisal.Points `json:"score"` // what the roll-up counts: the final, or for a check its percentage of the total
	Status   string           `json:"status"`
	Complete bool             `json:"complete"`
}

// YearEndReview is the manager's year-end review (年终考评) of a person.
type YearEndReview struct {
	StaffID string            `bun:"staff_id" json:"staff_id"`
	Year    int               `bun:"year" json:"year"`
	Score   appraisal.Points  `bun:"score" json:"score"`
	Bonus   appraisal.Points  `bun:"bonus" json:"bonus"`
	Checks  *appraisal.Points `bun:"-" json:"checks"`
	Reason  string            `bun:"reason" json:"reason"`
	// checks is Checks as stored (a nullable integer of hundredths; bun
	// would write a *Points through its JSON form).
	ChecksH *int64    `bun:"checks" json:"-"`
	RatedBy string    `bun:"rated_by" json:"rated_by"`
	RatedAt time.Time `bun:"rated_at" json:"rated_at"`
	Version int64     `bun:"version" json:"version"`

	bun.BaseModel `bun:"table:year_end_reviews"`
}

// YearEndCard is a person's year-end appraisal (员工年终绩效考核记录).
type YearEndCard struct {
	StaffID     string                  `json:"staff_id"`
	Login       string                  `json:"login"`
	Name        string                  `json:"name"`
	Department  string                  `json:"department"`
	Year        int                     `json:"year"`
	Scheme      string                  `json:"scheme"` // the scheme whose roll-up applies; empty: none
	Monthly     []PeriodScore           `json:"monthly"`
	Checks      []PeriodScore           `json:"checks"`
	Review      *YearEndReview          `json:"review"`
	MonthlyMean *appraisal.Points       `json:"monthly_mean"` // the monthly finals' mean, rounded half up
	Bonus       appraisal.Points        `json:"bonus"`        // the year's bonus lines on the monthly cards (in their finals)
	Missing     []string                `json:"missing"`      // components without scores: no year-end score yet
	Result      *appraisal.RollUpResult `json:"result"`       // the weighted score, when every component has scores
	Provisional bool                    `json:"provisional"`  // counts cards not yet published or not complete
	Note        string                  `json:"note"`         // why there is no score, or the 优秀员工 note
}

// YearEnd returns staffID's year-end appraisal of year.
func (s *Service) YearEnd(ctx context.Context, staffID string, year int) (*YearEndCard, error) {
	p := access.Caller(ctx)
	if staffID == "" {
		staffID = p.StaffID
	}
	if !canRead(p, staffID) {
		return nil, apperr.Forbidden("只能查看自己的考核")
	}
	if err := checkYear(year); err != nil {
		return nil, err
	}
	db := s.db.R()
	yd, err := s.loadYear(ctx, db, year)
	if err != nil {
		return nil, err
	}
	person := yd.people[staffID]
	if person == nil {
		return nil, apperr.NotFound("staff")
	}
	return yd.yearEnd(person, year), nil
}

func checkYear(year int) error {
	if year < 2000 || year > 9999 {
		return apperr.Invalid("year", "年份应为四位数字，如 2026")
	}
	return nil
}

// yearData is what the year's views read.
type yearData struct {
	people  map[string]*exportPerson
	schemes map[string]*schemeDoc
	cards   []Scorecard
	reviews map[string]*YearEndReview
}

func (s *Service) loadYear(ctx context.Context, db bun.IDB, year int) (*yearData, error) {
	var yd yearData
	var err error
	if yd.people, err = exportPeople(ctx, db); err != nil {
		return nil, err
	}
	if yd.schemes, err = schemeDocs(ctx, db); err != nil {
		return nil, err
	}
	y := strconv.Itoa(year)
	if yd.cards, err = cardsBetween(ctx, db, y+"-01", y+"-12"); err != nil {
		return nil, err
	}
	var reviews []*YearEndReview
	if err := db.NewSelect().Model(&reviews).Where("year = ?", year).Scan(ctx); err != nil {
		return nil, err
	}
	yd.reviews = make(map[string]*YearEndReview, len(reviews))
	for _, r := range reviews {
		if r.ChecksH != nil {
			v := appraisal.Points(*r.ChecksH)
			r.Checks = &v
		}
		yd.reviews[r.StaffID] = r
	}
	return &yd, nil
}

// rollUpFor picks the scheme whose roll-up applies to person's year (see
// the package decisions above).
func (yd *yearData) rollUpFor(person *exportPerson, year int) *schemeDoc {
	for i := len(yd.cards) - 1; i >= 0; i-- {
		c := &yd.cards[i]
		if c.StaffID != person.ID {
			continue
		}
		if sc := yd.schemes[c.SchemeID]; sc != nil && sc.doc.RollUp != nil {
			return sc
		}
	}
	end := strconv.Itoa(year) + "-12-31"
	var best *schemeDoc
	for _, sc := range yd.schemes {
		r := sc.rec
		if sc.doc.RollUp == nil || r.Status != "approved" || r.EffectiveFrom > end || !slices.Contains(person.Roles, access.Role(r.AppliesTo)) {
			continue
		}
		if best == nil || r.EffectiveFrom > best.rec.EffectiveFrom ||
			r.EffectiveFrom == best.rec.EffectiveFrom && (r.Code < best.rec.Code || r.Code == best.rec.Code && r.Version > best.rec.Version) {
			best = sc
		}
	}
	return best
}

// published states: the card's score stands.
var publishedStates = []string{StatusPublished, StatusFinal}

// yearEnd computes person's year-end card from the loaded year.
func (yd *yearData) yearEnd(person *exportPerson, year int) *YearEndCard {
	out := &YearEndCard{StaffID: person.ID, Login: person.Login, Name: person.Name, Department: person.department(), Year: year,
		Monthly: []PeriodScore{}, Checks: []PeriodScore{}, Missing: []string{}, Review: yd.reviews[person.ID]}
	var mine []Scorecard
	for _, c := range yd.cards {
		if c.StaffID == person.ID {
			mine = append(mine, c)
		}
	}
	monthly := monthCards(mine, yd.schemes)[person.ID]
	periods := make([]string, 0, len(monthly))
	for p := range monthly {
		periods = append(periods, p)
	}
	slices.Sort(periods)
	provisional := false
	score := func(c *Scorecard, s appraisal.Points) PeriodScore {
		ps := PeriodScore{Period: c.Period, CardID: c.ID, Max: c.Card.Max, Final: c.Final, Score: s, Status: c.Status, Complete: c.Complete}
		if sc := yd.schemes[c.SchemeID]; sc != nil {
			ps.Scheme = sc.rec.Name
		}
		if !c.Complete || !slices.Contains(publishedStates, c.Status) {
			provisional = true
		}
		return ps
	}
	var monthlyScores, checkScores []appraisal.Points
	for _, p := range periods {
		c := monthly[p]
		out.Monthly = append(out.Monthly, score(c, c.Final))
		out.Bonus += c.Bonus
		monthlyScores = append(monthlyScores, c.Final)
	}
	if len(monthlyScores) > 0 {
		m := meanHalfUp(monthlyScores)
		out.MonthlyMean = &m
	}
	for i := range mine {
		c := &mine[i]
		if !isCheckCard(yd.schemes, c) {
			continue
		}
		pct := percentOf(c.Final, c.Card.Max)
		out.Checks = append(out.Checks, score(c, pct))
		checkScores = append(checkScores, pct)
	}
	sc := yd.rollUpFor(person, year)
	if sc == nil {
		out.Note = "没有适用的年终汇总规则（考核方案未规定年终考评）"
		return out
	}
	out.Scheme = sc.rec.Name
	if len(checkScores) == 0 && out.Review != nil && out.Review.Checks != nil {
		checkScores = []appraisal.Points{*out.Review.Checks}
	}
	scores := map[string][]appraisal.Points{}
	for _, comp := range sc.doc.RollUp.Components {
		var ss []appraisal.Points
		switch comp.Key {
		case ComponentMonthly:
			ss = monthlyScores
		case ComponentChecks:
			ss = checkScores
		case ComponentYearEnd:
			if out.Review != nil {
				ss = []appraisal.Points{out.Review.Score + out.Review.Bonus}
			}
		}
		if len(ss) == 0 {
			out.Missing = append(out.Missing, comp.Name)
			continue
		}
		scores[comp.Key] = ss
	}
	out.Provisional = provisional
	if len(out.Missing) > 0 {
		out.Note = "尚缺" + strings.Join(out.Missing, "、") + "的分数，暂不能汇总年终总分"
		return out
	}
	res, err := sc.doc.RollUp.RollUp(scores)
	if err != nil {
		out.Note = err.Error()
		return out
	}
	out.Result = &res
	out.Note = res.Note
	return out
}

// meanHalfUp is the mean of ps rounded half up to the hundredth (away from
// zero), from the exact integer sum.
func meanHalfUp(ps []appraisal.Points) appraisal.Points {
	var sum int64
	for _, p := range ps {
		sum += int64(p)
	}
	return divHalfUp(sum, int64(len(ps)))
}

// divHalfUp is num/den rounded half up away from zero, den > 0.
func divHalfUp(num, den int64) appraisal.Points {
	if num < 0 {
		return -divHalfUp(-num, den)
	}
	return appraisal.Points((2*num + den) / (2 * den))
}

// percentOf is final as a percentage of max (a check on 26 points scores on
// 100), rounded half up once; max <= 0 gives final.
func percentOf(final, max appraisal.Points) appraisal.Points {
	if max <= 0 || max == appraisal.P(100) {
		return final
	}
	return divHalfUp(int64(final)*10000, int64(max))
}

// YearEndReviewInput is the manager's year-end review of a person.
type YearEndReviewInput struct {
	StaffID string            `json:"staff_id"`
	Year    int               `json:"year"`
	Score   appraisal.Points  `json:"score"`            // 0–100
	Bonus   appraisal.Points  `json:"bonus"`            // commendation 嘉奖 within the scheme's bonus rule (1–10); 0: none
	Checks  *appraisal.Points `json:"checks,omitempty"` // the mean of paper 周检/月检, when no check card is on record
	Reason  string            `json:"reason"`           // required below 100 and with a bonus
	Version *int64            `json:"version,omitempty"`
}

// SaveYearEndReview records (or corrects) the year-end review of a person:
// managers only, never their own; audited.
func (s *Service) SaveYearEndReview(ctx context.Context, in YearEndReviewInput) (*YearEndReview, error) {
	p := access.Caller(ctx)
	if !p.IsManagerial() {
		return nil, apperr.Forbidden("只有客服经理可以录入年终考评")
	}
	if in.StaffID == "" {
		return nil, apperr.Invalid("staff_id", "请选择员工")
	}
	if in.StaffID == p.StaffID {
		return nil, apperr.Forbidden("不能给自己录入年终考评")
	}
	if err := checkYear(in.Year); err != nil {
		return nil, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Score < 0 || in.Score > appraisal.P(100) {
		return nil, apperr.Invalid("score", "年终考评分应在 0–100 之间")
	}
	if in.Score < appraisal.P(100) && in.Reason == "" {
		return nil, apperr.Invalid("reason", "低于满分须注明理由")
	}
	db := s.db.R()
	yd, err := s.loadYear(ctx, db, in.Year)
	if err != nil {
		return nil, err
	}
	person := yd.people[in.StaffID]
	if person == nil {
		return nil, apperr.NotFound("staff")
	}
	sc := yd.rollUpFor(person, in.Year)
	if sc == nil {
		return nil, apperr.Invalid("staff_id", "该员工的考核方案没有年终汇总规则")
	}
	bonusMax := appraisal.Points(0)
	if b := sc.doc.Bonus; b != nil {
		bonusMax = b.Max
		if in.Bonus != 0 && in.Bonus < b.Min {
			return nil, apperr.Invalid("bonus", fmt.Sprintf("嘉奖加分应为 %s–%s 分", b.Min.Short(), b.Max.Short()))
		}
	}
	if in.Bonus < 0 || in.Bonus > bonusMax {
		if bonusMax == 0 {
			return nil, apperr.Invalid("bonus", "本方案没有加分")
		}
		return nil, apperr.Invalid("bonus", "嘉奖加分最多 "+bonusMax.Short()+" 分")
	}
	if in.Bonus > 0 && in.Reason == "" {
		return nil, apperr.Invalid("reason", "加分须注明理由")
	}
	if in.Checks != nil && (*in.Checks < 0 || *in.Checks > appraisal.P(100)+bonusMax) {
		return nil, apperr.Invalid("checks", "周检月检平均分应在 0–"+(appraisal.P(100)+bonusMax).Short()+" 之间")
	}
	now := store.Time(s.now())
	out := &YearEndReview{StaffID: in.StaffID, Year: in.Year, Score: in.Score, Bonus: in.Bonus, Checks: in.Checks, Reason: in.Reason,
		RatedBy: p.StaffID, RatedAt: now, Version: 1}
	if in.Checks != nil {
		v := int64(*in.Checks)
		out.ChecksH = &v
	}
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		before := new(YearEndReview)
		err := tx.NewSelect().Model(before).Where("staff_id = ? AND year = ?", in.StaffID, in.Year).Scan(ctx)
		switch {
		case errors.Is(err, store.ErrNoRows):
			if in.Version != nil && *in.Version != 0 {
				return apperr.Conflict("version", "年终考评已被他人修改，请刷新后重试")
			}
			if _, err := tx.NewInsert().Model(out).Exec(ctx); err != nil {
				return err
			}
			return audit.Record(ctx, tx, now, audit.Change{Action: "create", Entity: "year_end_review", EntityID: in.StaffID + "/" + strconv.Itoa(in.Year),
				Summary: fmt.Sprintf("年终考评 %d %s：%s 分，加分 %s", in.Year, person.Name, in.Score, in.Bonus), After: out})
		case err != nil:
			return err
		}
		if before.ChecksH != nil {
			v := appraisal.Points(*before.ChecksH)
			before.Checks = &v
		}
		if in.Version != nil && *in.Version != before.Version {
			return apperr.Conflict("version", "年终考评已被他人修改，请刷新后重试")
		}
		out.Version = before.Version + 1
		if _, err := tx.NewUpdate().Model(out).Where("staff_id = ? AND year = ?", in.StaffID, in.Year).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "update", Entity: "year_end_review", EntityID: in.StaffID + "/" + strconv.Itoa(in.Year),
			Summary: fmt.Sprintf("修改年终考评 %d %s：%s → %s 分，加分 %s → %s", in.Year, person.Name, before.Score, in.Score, before.Bonus, in.Bonus),
			Before:  before, After: out})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// --- 年度员工绩效考核情况统计表 --------------------------------------------------

// YearRow is one person's line of the year's statistics.
type YearRow struct {
	StaffID     string              `json:"staff_id"`
	Login       string              `json:"login"`
	Name        string              `json:"name"`
	Department  string              `json:"department"`
	Months      []*appraisal.Points `json:"months"` // the twelve monthly finals, January first; null: no card
	Average     *appraisal.Points   `json:"average"`
	Review      *appraisal.Points   `json:"review"`   // the year-end review with its bonus
	YearEnd     *appraisal.Points   `json:"year_end"` // the weighted year-end score
	Excellent   bool                `json:"excellent"`
	Provisional bool                `json:"provisional"`
	Note        string              `json:"note"`
}

// YearStatistics is 年度员工绩效考核情况统计表.
type YearStatistics struct {
	Year int       `json:"year"`
	Rows []YearRow `json:"rows"`
}

// YearStatistics returns the year's table: everyone with a monthly card in
// the year (or a review) for managers and executives, the caller's own line
// otherwise.
func (s *Service) YearStatistics(ctx context.Context, year int) (*YearStatistics, error) {
	p := access.Caller(ctx)
	if !p.Can(access.AppraisalRead) {
		return nil, apperr.Forbidden("无权查看考核")
	}
	if err := checkYear(year); err != nil {
		return nil, err
	}
	yd, err := s.loadYear(ctx, s.db.R(), year)
	if err != nil {
		return nil, err
	}
	all := readsEveryone(p)
	var ids []string
	add := func(id string) {
		if (all || id == p.StaffID) && yd.people[id] != nil && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	for id := range monthCards(yd.cards, yd.schemes) {
		add(id)
	}
	for id := range yd.reviews {
		add(id)
	}
	sortPeople(ids, yd.people)
	out := &YearStatistics{Year: year, Rows: []YearRow{}}
	for _, id := range ids {
		ye := yd.yearEnd(yd.people[id], year)
		r := YearRow{StaffID: id, Login: ye.Login, Name: ye.Name, Department: ye.Department, Average: ye.MonthlyMean, Provisional: ye.Provisional,
			Months: make([]*appraisal.Points, 12)}
		for _, m := range ye.Monthly {
			n, _ := strconv.Atoi(m.Period[5:])
			v := m.Final
			r.Months[n-1] = &v
		}
		if ye.Review != nil {
			v := ye.Review.Score + ye.Review.Bonus
			r.Review = &v
		}
		if ye.Result != nil {
			v := ye.Result.Score
			r.YearEnd, r.Excellent = &v, ye.Result.Excellent
		}
		r.Note = ye.Note
		if ye.Provisional && ye.Result != nil {
			r.Note = strings.TrimPrefix(r.Note+"；含未公布或未评完的月度考核，为暂定分", "；")
		}
		out.Rows = append(out.Rows, r)
	}
	return out, nil
}

// --- department views ---------------------------------------------------------

// DepartmentPerson is one person's month in a department view.
type DepartmentPerson struct {
	StaffID  string           `json:"staff_id"`
	Login    string           `json:"login"`
	Name     string           `json:"name"`
	Final    appraisal.Points `json:"final"`
	Complete bool             `json:"complete"`
	Status   string           `json:"status"`
	CardID   string           `json:"card_id"`
}

// Band is one band of a score distribution.
type Band struct {
	Label string `json:"label"`
	Count int    `json:"count"`
}

// DepartmentStats is one department's month.
type DepartmentStats struct {
	ID           string             `json:"id"`
	Name         string             `json:"name"`
	People       []DepartmentPerson `json:"people"` // by final score, highest first
	Count        int                `json:"count"`
	Incomplete   int                `json:"incomplete"` // cards still awaiting ratings (their finals are provisional)
	Average      appraisal.Points   `json:"average"`    // mean final, rounded half up once
	Distribution []Band             `json:"distribution"`
}

// DepartmentView is the month's appraisal by department.
type DepartmentView struct {
	Period      string            `json:"period"`
	Departments []DepartmentStats `json:"departments"`
}

// scoreBands are the distribution bands, highest first (lower bound in
// hundredths).
var scoreBands = []struct {
	label string
	min   appraisal.Points
}{{"90 分及以上", appraisal.P(90)}, {"80–90 分", appraisal.P(80)}, {"70–80 分", appraisal.P(70)}, {"60–70 分", appraisal.P(60)}, {"60 分以下", -1 << 40}}

// Department returns the month's monthly cards by department: each
// department's people and finals, the average and the distribution.
// Managers and executives see every department; others their own card.
func (s *Service) Department(ctx context.Context, period string) (*DepartmentView, error) {
	st, err := s.MonthStatistics(ctx, period)
	if err != nil {
		return nil, err
	}
	people, err := exportPeople(ctx, s.db.R())
	if err != nil {
		return nil, err
	}
	out := &DepartmentView{Period: period, Departments: []DepartmentStats{}}
	at := map[string]int{}
	for _, r := range st.Rows {
		deptID := ""
		if p := people[r.StaffID]; p != nil {
			deptID = p.DeptID
		}
		i, ok := at[r.Department]
		if !ok {
			i = len(out.Departments)
			at[r.Department] = i
			d := DepartmentStats{ID: deptID, Name: r.Department, People: []DepartmentPerson{}}
			for _, b := range scoreBands {
				d.Distribution = append(d.Distribution, Band{Label: b.label})
			}
			out.Departments = append(out.Departments, d)
		}
		d := &out.Departments[i]
		d.People = append(d.People, DepartmentPerson{StaffID: r.StaffID, Login: r.Login, Name: r.Name, Final: r.Final, Complete: r.Complete, Status: r.Status, CardID: r.CardID})
		d.Count++
		if !r.Complete {
			d.Incomplete++
		}
		for bi, b := range scoreBands {
			if r.Final >= b.min {
				d.Distribution[bi].Count++
				break
			}
		}
	}
	for i := range out.Departments {
		d := &out.Departments[i]
		finals := make([]appraisal.Points, len(d.People))
		for j, p := range d.People {
			finals[j] = p.Final
		}
		d.Average = meanHalfUp(finals)
		slices.SortStableFunc(d.People, func(a, b DepartmentPerson) int { return int(b.Final - a.Final) })
	}
	return out, nil
}

// --- purge --------------------------------------------------------------------

// KeepYears is how long appraisal records are kept at least (seed 004
// §4.12: 员工月绩效考核记录表、统计表 保存期限为2年).
const KeepYears = 2

// PurgeCounts says what a purge deleted.
type PurgeCounts struct {
	Cutoff  string `json:"cutoff"`
	Cards   int64  `json:"cards"`
	Ratings int64  `json:"ratings"`
	Samples int64  `json:"samples"` // days of check samples
	Appeals int64  `json:"appeals"`
	Reviews int64  `json:"reviews"`
}

// PurgeBefore deletes the appraisal records of periods before cutoff
// (YYYY-MM): the cards with their ratings, comments and appeals, and the
// year-end reviews of years that ended before it. Only an administrator
// purges, as an explicit action, and never records younger than KeepYears:
// cutoff must start at least 2 years before today. Audited with the counts.
func (s *Service) PurgeBefore(ctx context.Context, cutoff string) (*PurgeCounts, error) {
	p := access.Caller(ctx)
	if !p.Has(access.Admin) {
		return nil, apperr.Forbidden("只有系统管理员可以清除考核记录")
	}
	start, err := time.ParseInLocation("2006-01", cutoff, s.loc)
	if err != nil {
		return nil, apperr.Invalid("cutoff", "截止月份格式应为 YYYY-MM")
	}
	now := s.now()
	if start.AddDate(KeepYears, 0, 0).After(now) {
		latest := time.Date(now.In(s.loc).Year()-KeepYears, now.In(s.loc).Month(), 1, 0, 0, 0, 0, s.loc)
		return nil, apperr.Invalid("cutoff", fmt.Sprintf("考核记录至少保存 %d 年：截止月份最晚为 %s", KeepYears, latest.Format("2006-01")))
	}
	out := &PurgeCounts{Cutoff: cutoff}
	at := store.Time(now)
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		old := "SELECT id FROM scorecards WHERE period < ?"
		steps := []struct {
			n   *int64
			sql string
			arg any
		}{
			{&out.Ratings, "DELETE FROM scorecard_ratings WHERE scorecard_id IN (" + old + ")", cutoff},
			{&out.Samples, "DELETE FROM scorecard_samples WHERE scorecard_id IN (" + old + ")", cutoff},
			{&out.Appeals, "DELETE FROM scorecard_appeals WHERE scorecard_id IN (" + old + ")", cutoff},
			{&out.Cards, "DELETE FROM scorecards WHERE period < ?", cutoff},
			{&out.Reviews, "DELETE FROM year_end_reviews WHERE year < ?", start.Year()},
		}
		for _, st := range steps {
			res, err := tx.NewRaw(st.sql, st.arg).Exec(ctx)
			if err != nil {
				return err
			}
			*st.n, _ = res.RowsAffected()
		}
		return audit.Record(ctx, tx, at, audit.Change{Action: "purge", Entity: "scorecard", EntityID: cutoff,
			Summary: fmt.Sprintf("清除 %s 之前的考核记录：考核表 %d 张、评分 %d 条、抽查 %d 天、意见与申诉 %d 条、年终考评 %d 条",
				cutoff, out.Cards, out.Ratings, out.Samples, out.Appeals, out.Reviews), After: out})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
