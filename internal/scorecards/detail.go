package scorecards

import (
	"context"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/appraisal"
	"kefu/internal/events"
)

// Detail is a card as the self-review, the rater and the manager see it
// (SPEC §8.5): its lines, the items a rater scores with the rubric's level
// texts, the comments and appeals, the explicit adjustments of upheld
// appeals, the events behind the lines with their evidence, the events of
// the month the stored card does not count, and what the caller may do.
type Detail struct {
	Scorecard
	StaffName    string  `json:"staff_name"`
	SupervisorID *string `json:"supervisor_id"`
	SchemeName   string  `json:"scheme_name"`
	StatusName   string  `json:"status_name"`
	Check        bool    `json:"check"` // a check (检查考核), not the monthly card
	// Items are the items a rater scores (rubric, manual, checklist,
	// sample) with their levels, sub-items or days and the rating so far.
	Items    []RatedItem    `json:"items"`
	Comments []AppealRecord `json:"comments"`
	Appeals  []AppealRecord `json:"appeals"`
	// Adjustment is the sum of the upheld appeals' adjustments, included
	// in final: final = card.final (lines + bonus) + adjustment.
	Adjustment appraisal.Points `json:"adjustment"`
	// Events are the events the card's lines count, each with its evidence
	// (withdrawn ones too, if withdrawn after the card was frozen).
	Events []events.Event `json:"events"`
	// NotCounted are standing events of the month of the types the scheme
	// counts that the stored card does not: recorded since the last
	// computation (before approval the next one counts them) or after the
	// card was frozen (they reach the score as a carried line on the next
	// open card, 上期补记, or through an appeal decision).
	NotCounted []events.Event `json:"not_counted"`
	AppealOpen bool           `json:"appeal_open"` // an appeal may be filed now
	Actions    Actions        `json:"actions"`
}

// RatedItem is an item a rater scores, with the rating so far.
type RatedItem struct {
	Item        string              `json:"item"`
	Name        string              `json:"name"`
	Method      string              `json:"method"`
	Rater       string              `json:"rater"`      // as the scheme says: 直属上级 …
	RaterKind   RaterKind           `json:"rater_kind"` // who that is (RaterOf)
	Points      appraisal.Points    `json:"points"`
	Description string              `json:"description,omitempty"`
	Levels      []appraisal.Level   `json:"levels,omitempty"`
	SubItems    []appraisal.SubItem `json:"sub_items,omitempty"`
	Rating      *appraisal.Rating   `json:"rating"`
	RatedBy     *string             `json:"rated_by"`
	RatedAt     *time.Time          `json:"rated_at"`
	MayRate     bool                `json:"may_rate"` // the caller may rate it now
	// A sample item's rule and recorded days (聊天记录抽查), oldest first.
	Sample *appraisal.SampleRule `json:"sample,omitempty"`
	Days   []appraisal.SampleDay `json:"days,omitempty"`
}

// Actions is what the caller may do with the card now.
type Actions struct {
	Transitions []string `json:"transitions"` // states the caller may move the card to
	Rate        bool     `json:"rate"`
	Comment     bool     `json:"comment"`
	Appeal      bool     `json:"appeal"`
	Decide      bool     `json:"decide"` // decide the card's appeals
}

// mayReadCard: the staff member, their direct supervisor, managers and
// executives.
func mayReadCard(p *access.Principal, card *Scorecard, supervisor string) bool {
	return canRead(p, card.StaffID) || (p.Can(access.AppraisalRead) && p.StaffID != "" && supervisor == p.StaffID)
}

// CardDetail returns the card id with everything behind it.
func (s *Service) CardDetail(ctx context.Context, id string) (*Detail, error) {
	p := access.Caller(ctx)
	db := s.db.R()
	card := new(Scorecard)
	if err := db.NewSelect().Model(card).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "scorecard")
	}
	supervisor, err := supervisorOf(ctx, db, card.StaffID)
	if err != nil {
		return nil, err
	}
	d := &Detail{Scorecard: *card, StatusName: StatusName(card.Status), Items: []RatedItem{}, Comments: []AppealRecord{}, Appeals: []AppealRecord{},
		Events: []events.Event{}, NotCounted: []events.Event{}}
	if supervisor != "" {
		d.SupervisorID = &supervisor
	}
	if d.StaffName, err = staffName(ctx, db, card.StaffID); err != nil {
		return nil, err
	}
	rec := new(SchemeRecord)
	if err := db.NewSelect().Model(rec).Where("id = ?", card.SchemeID).Scan(ctx); err != nil {
		return nil, err
	}
	d.SchemeName = rec.Name
	sc, err := rec.Scheme()
	if err != nil {
		return nil, err
	}
	d.Check = isCheck(rec.Code, sc)
	// The staff member, their supervisor, managers and executives read
	// the card, and so does the 考评人 of one of its items (财务, 信息中心).
	rateable := rateableItems(p, sc, card.StaffID, supervisor)
	if !mayReadCard(p, card, supervisor) && len(rateable) == 0 {
		return nil, apperr.Forbidden("只能查看自己及直属下级的考核")
	}
	if err := s.detailItems(ctx, db, d, sc); err != nil {
		return nil, err
	}
	if err := detailAppeals(ctx, db, d); err != nil {
		return nil, err
	}
	if d.Adjustment, err = adjustmentOf(ctx, db, card.ID); err != nil {
		return nil, err
	}
	if err := s.detailEvents(ctx, db, d, sc); err != nil {
		return nil, err
	}
	now := s.now()
	d.AppealOpen = card.Status == StatusSelfReview || (card.Status == StatusPublished && card.AppealUntil != nil && now.Before(*card.AppealUntil))
	d.Actions = Actions{Transitions: []string{}}
	for _, to := range Statuses {
		mv := move{card.Status, to}
		if _, ok := moves[mv]; !ok || mayMove(p, card, supervisor, mv) != nil {
			continue
		}
		if moves[mv] == "finalize" && card.AppealUntil != nil && now.Before(*card.AppealUntil) {
			continue
		}
		d.Actions.Transitions = append(d.Actions.Transitions, to)
	}
	own := p.StaffID != "" && p.StaffID == card.StaffID
	if slices.Contains(recomputable, card.Status) {
		for i := range d.Items {
			d.Items[i].MayRate = rateable[d.Items[i].Item]
			d.Actions.Rate = d.Actions.Rate || d.Items[i].MayRate
		}
	}
	d.Actions.Comment = own && card.Status == StatusSelfReview
	d.Actions.Appeal = own && d.AppealOpen
	d.Actions.Decide = p.IsManagerial() && !own
	return d, nil
}

// detailItems lists the items a rater scores with their ratings (and a
// sample item's recorded days).
func (s *Service) detailItems(ctx context.Context, db bun.IDB, d *Detail, sc *appraisal.Scheme) error {
	var rows []struct {
		Item    string    `bun:"item_key"`
		RatedBy string    `bun:"rated_by"`
		RatedAt time.Time `bun:"rated_at"`
	}
	if err := db.NewRaw("SELECT item_key, rated_by, rated_at FROM scorecard_ratings WHERE scorecard_id = ?", d.ID).Scan(ctx, &rows); err != nil {
		return err
	}
	ratings, err := cardRatings(ctx, db, d.ID)
	if err != nil {
		return err
	}
	samples, err := cardSamples(ctx, db, d.ID)
	if err != nil {
		return err
	}
	for _, c := range sc.Categories {
		for _, it := range c.Items {
			if !ratedItem(&it) {
				continue
			}
			ri := RatedItem{Item: it.Key, Name: it.Name, Method: it.Method, Rater: it.Rater, RaterKind: RaterOf(it.Rater), Points: it.Points, Description: it.Description,
				Levels: it.Levels, SubItems: it.SubItems, Sample: it.Sample}
			if it.Method == appraisal.MethodSample {
				ri.Days = samples[it.Key]
				if ri.Days == nil {
					ri.Days = []appraisal.SampleDay{}
				}
			}
			if r, ok := ratings[it.Key]; ok {
				ri.Rating = &r
			}
			for _, row := range rows {
				if row.Item == it.Key {
					by, at := row.RatedBy, row.RatedAt
					ri.RatedBy, ri.RatedAt = &by, &at
				}
			}
			d.Items = append(d.Items, ri)
		}
	}
	return nil
}

// detailAppeals reads the card's comments and appeals, oldest first, with
// the names of who filed and decided them.
func detailAppeals(ctx context.Context, db bun.IDB, d *Detail) error {
	var all []AppealRecord
	if err := db.NewSelect().Model(&all).Where("scorecard_id = ?", d.ID).Order("filed_at", "id").Scan(ctx); err != nil {
		return err
	}
	names := map[string]string{}
	name := func(id string) (string, error) {
		if n, ok := names[id]; ok {
			return n, nil
		}
		n, err := staffName(ctx, db, id)
		names[id] = n
		return n, err
	}
	for _, a := range all {
		var err error
		if a.FiledByName, err = name(a.FiledBy); err != nil {
			return err
		}
		if a.DecidedBy != nil {
			if a.DecidedByName, err = name(*a.DecidedBy); err != nil {
				return err
			}
		}
		if a.Kind == KindComment {
			d.Comments = append(d.Comments, a)
		} else {
			d.Appeals = append(d.Appeals, a)
		}
	}
	return nil
}

// detailEvents splits the month's events of the staff member into those
// the card counts and those it does not.
func (s *Service) detailEvents(ctx context.Context, db bun.IDB, d *Detail, sc *appraisal.Scheme) error {
	start, end, err := s.bounds(d.Period)
	if err != nil {
		return err
	}
	onCard := map[string]bool{}
	for _, l := range d.Card.Lines {
		for _, ded := range l.Deductions {
			for _, id := range ded.EventIDs {
				onCard[id] = true
			}
		}
	}
	counts := map[string]bool{}
	for _, c := range sc.Categories {
		for _, it := range c.Items {
			for _, r := range it.Rules {
				if r.Event != "" {
					counts[r.Event] = true
				}
				for _, e := range r.Events {
					counts[e] = true
				}
			}
		}
	}
	// CardDetail has checked who reads the card (a 考评人 of one of its
	// items included): its events are read as the system.
	evs, err := events.List(access.With(ctx, access.System()), db, events.Filter{StaffID: d.StaffID, From: start, To: end, Withdrawn: true, Limit: 5000})
	if err != nil {
		return err
	}
	for _, e := range evs {
		switch {
		case onCard[e.ID]:
			d.Events = append(d.Events, e)
		case e.WithdrawnAt == nil && counts[e.Type]:
			d.NotCounted = append(d.NotCounted, e)
		}
	}
	return nil
}

// ListFilter selects cards.
type ListFilter struct {
	Period  string // YYYY-MM; "" for every period
	StaffID string
	Status  string
}

// ListRow is a card in a list (without its lines).
type ListRow struct {
	ID          string           `bun:"id" json:"id"`
	StaffID     string           `bun:"staff_id" json:"staff_id"`
	StaffName   string           `bun:"staff_name" json:"staff_name"`
	SchemeID    string           `bun:"scheme_id" json:"scheme_id"`
	SchemeName  string           `bun:"scheme_name" json:"scheme_name"`
	Check       bool             `bun:"-" json:"check"` // a check (检查考核), not the monthly card
	Period      string           `bun:"period" json:"period"`
	Status      string           `bun:"status" json:"status"`
	Total       appraisal.Points `bun:"total" json:"total"`
	Bonus       appraisal.Points `bun:"bonus" json:"bonus"`
	Final       appraisal.Points `bun:"final_score" json:"final"`
	Complete    bool             `bun:"complete" json:"complete"`
	PublishedAt *time.Time       `bun:"published_at" json:"published_at"`
	AppealUntil *time.Time       `bun:"appeal_until" json:"appeal_until"`
	Version     int64            `bun:"version" json:"version"`
	UpdatedAt   time.Time        `bun:"updated_at" json:"updated_at"`
}

// List returns the stored cards of f, newest period first, by staff
// login: a staff member sees their own and their direct reports'; managers,
// admins and executives everyone's. Asking for someone else's without
// that right is Forbidden.
func (s *Service) List(ctx context.Context, f ListFilter) ([]ListRow, error) {
	p := access.Caller(ctx)
	if !p.Can(access.AppraisalRead) {
		return nil, apperr.Forbidden("无权查看考核")
	}
	if f.Period != "" {
		if _, _, _, err := s.month(f.Period); err != nil {
			return nil, err
		}
	}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		return nil, apperr.Invalid("status", "未知状态 (unknown state)")
	}
	db := s.db.R()
	q := db.NewSelect().TableExpr("scorecards AS sc").
		ColumnExpr("sc.id, sc.staff_id, COALESCE(st.name, '') AS staff_name, sc.scheme_id, COALESCE(sch.name, '') AS scheme_name").
		ColumnExpr("sc.period, sc.status, sc.total, sc.bonus, sc.final_score, sc.complete, sc.published_at, sc.appeal_until, sc.version, sc.updated_at").
		Join("LEFT JOIN staff AS st ON st.id = sc.staff_id").
		Join("LEFT JOIN appraisal_schemes AS sch ON sch.id = sc.scheme_id")
	if !p.IsManagerial() && !p.Has(access.Executive) {
		if p.StaffID == "" {
			return nil, apperr.Forbidden("无权查看考核")
		}
		var visible []string
		if err := db.NewRaw("SELECT id FROM staff WHERE supervisor_id = ? ORDER BY id", p.StaffID).Scan(ctx, &visible); err != nil {
			return nil, err
		}
		visible = append(visible, p.StaffID)
		if f.StaffID != "" && !slices.Contains(visible, f.StaffID) {
			return nil, apperr.Forbidden("只能查看自己及直属下级的考核")
		}
		q = q.Where("sc.staff_id IN (?)", bun.In(visible))
	}
	if f.StaffID != "" {
		q = q.Where("sc.staff_id = ?", f.StaffID)
	}
	if f.Period != "" { // the month's cards and the weekly checks of its Mondays
		q = q.Where("sc.period >= ? AND sc.period < ?", f.Period, nextMonth(f.Period))
	}
	if f.Status != "" {
		q = q.Where("sc.status = ?", f.Status)
	}
	out := []ListRow{}
	if err := q.OrderExpr("sc.period DESC, st.login, sc.id").Limit(2000).Scan(ctx, &out); err != nil {
		return nil, err
	}
	docs, err := schemeDocs(ctx, db)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Check = isCheckCard(docs, &Scorecard{SchemeID: out[i].SchemeID})
	}
	return out, nil
}
