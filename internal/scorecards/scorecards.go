// Package scorecards keeps the appraisal (绩效考核, SPEC §8) on record: the
// scheme versions (documents of internal/appraisal, approved by the
// executive, never edited once in use) and the monthly scorecards computed
// from the events, rates and ratings of the month with the pure
// appraisal.Evaluate. A card stores its computed lines with their
// explanations and event ids, so any number opens to its evidence.
package scorecards

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/appraisal"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// Rates gives the month's computed rates (续约率, 回款率, …) by staff id and
// rate key (the contracts domain, adapted in app). Keys lists the rates it
// computes: a staff member absent for a key had nothing due (the rate
// scores full, as internal/rates says), not "not computed".
type Rates interface {
	MonthRates(ctx context.Context, month string) (map[string]map[string]appraisal.Rate, error)
	// StaffRates is one staff member's rates of the month (their entry of
	// MonthRates, computed for them alone).
	StaffRates(ctx context.Context, month, staffID string) (map[string]appraisal.Rate, error)
	Keys() []string
}

// staffRates is staffID's rates of the month, each computed key present.
func (s *Service) staffRates(ctx context.Context, period, staffID string) (map[string]appraisal.Rate, error) {
	if s.rates == nil {
		return nil, nil
	}
	mine, err := s.rates.StaffRates(access.With(ctx, access.System()), period, staffID)
	if err != nil {
		return nil, err
	}
	return s.ratesOf(map[string]map[string]appraisal.Rate{staffID: mine}, staffID), nil
}

// ratesOf is staffID's rates of the month, each computed key present.
func (s *Service) ratesOf(all map[string]map[string]appraisal.Rate, staffID string) map[string]appraisal.Rate {
	if s.rates == nil {
		return nil
	}
	out := map[string]appraisal.Rate{}
	for _, k := range s.rates.Keys() {
		out[k] = appraisal.Rate{} // nothing due
	}
	for k, r := range all[staffID] {
		out[k] = r
	}
	return out
}

// Service keeps schemes and scorecards.
type Service struct {
	db    *store.DB
	now   func() time.Time
	loc   *time.Location
	rates Rates
	fresh freshMemo // the carry's evaluations of frozen cards (carry.go)
}

// Options configure the service.
type Options struct {
	Location *time.Location
	Rates    Rates
}

// NewService returns the service.
func NewService(db *store.DB, now func() time.Time, opts Options) *Service {
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	return &Service{db: db, now: now, loc: loc, rates: opts.Rates}
}

// SchemeRecord is a stored scheme version.
type SchemeRecord struct {
	ID            string     `bun:"id,pk" json:"id"`
	Code          string     `bun:"code" json:"code"`
	Version       int        `bun:"version" json:"version"`
	Name          string     `bun:"name" json:"name"`
	AppliesTo     string     `bun:"applies_to" json:"applies_to"`
	Period        string     `bun:"period" json:"period"`
	EffectiveFrom string     `bun:"effective_from" json:"effective_from"`
	Document      string     `bun:"document" json:"-"`
	Status        string     `bun:"status" json:"status"` // draft, approved, retired
	CreatedBy     *string    `bun:"created_by" json:"created_by"`
	CreatedAt     time.Time  `bun:"created_at" json:"created_at"`
	ApprovedBy    *string    `bun:"approved_by" json:"approved_by"`
	ApprovedAt    *time.Time `bun:"approved_at" json:"approved_at"`
	RowVersion    int64      `bun:"row_version" json:"row_version"`

	bun.BaseModel `bun:"table:appraisal_schemes"`
}

// Scheme decodes the record's document.
func (r *SchemeRecord) Scheme() (*appraisal.Scheme, error) {
	return appraisal.ParseScheme([]byte(r.Document))
}

// shippedFrom is when the shipped schemes take effect (any month a
// company records).
const shippedFrom = "2000-01-01"

// EnsureShipped stores the shipped schemes (internal/appraisal) as
// approved version 1 of their keys when no version of the key exists, and
// says how many it added. The app runs it at start.
func (s *Service) EnsureShipped(ctx context.Context) (int, error) {
	now := store.Time(s.now())
	n := 0
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		for _, sc := range appraisal.Shipped() {
			var have int
			if err := tx.NewRaw("SELECT COUNT(*) FROM appraisal_schemes WHERE code = ?", sc.Key).Scan(ctx, &have); err != nil {
				return err
			}
			if have > 0 {
				continue
			}
			doc, err := json.Marshal(sc)
			if err != nil {
				return err
			}
			from := sc.EffectiveFrom
			if from == "" {
				from = shippedFrom
			}
			rec := &SchemeRecord{ID: store.NewID(), Code: sc.Key, Version: max(sc.Version, 1), Name: sc.Name, AppliesTo: sc.Role, Period: sc.Period,
				EffectiveFrom: from, Document: string(doc), Status: "approved", CreatedAt: now, ApprovedAt: &now, RowVersion: 1}
			if _, err := tx.NewInsert().Model(rec).Exec(ctx); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// Schemes lists the stored scheme versions, by code and version.
func (s *Service) Schemes(ctx context.Context) ([]SchemeRecord, error) {
	if !access.Caller(ctx).Can(access.AppraisalRead) {
		return nil, apperr.Forbidden("无权查看考核方案")
	}
	var out []SchemeRecord
	err := s.db.R().NewSelect().Model(&out).Order("code", "version").Scan(ctx)
	return out, err
}

// schemeFor is the approved version of the scheme for role in force on
// day: the latest effective_from on or before it. The default scheme (客服
// 专员) is the specialists'; other roles take the shipped scheme of their
// role, when there is one. Check schemes are never a monthly card.
func schemeFor(ctx context.Context, db bun.IDB, role access.Role, day string) (*SchemeRecord, error) {
	var recs []SchemeRecord
	if err := db.NewSelect().Model(&recs).Where("applies_to = ? AND status = 'approved' AND effective_from <= ?", string(role), day).
		OrderExpr("CASE WHEN code = ? THEN 0 ELSE 1 END, effective_from DESC, version DESC", appraisal.DefaultKey).Scan(ctx); err != nil {
		return nil, err
	}
	for i := range recs {
		sc, err := recs[i].Scheme()
		if err != nil {
			return nil, fmt.Errorf("scheme %s v%d: %w", recs[i].Code, recs[i].Version, err)
		}
		if !isCheck(recs[i].Code, sc) { // a check is opened by a rater (checks.go)
			return &recs[i], nil
		}
	}
	return nil, nil
}

// Scorecard is one staff member's card for a period.
type Scorecard struct {
	ID          string           `bun:"id,pk" json:"id"`
	StaffID     string           `bun:"staff_id" json:"staff_id"`
	SchemeID    string           `bun:"scheme_id" json:"scheme_id"`
	Period      string           `bun:"period" json:"period"`
	Status      string           `bun:"status" json:"status"`
	Total       appraisal.Points `bun:"total" json:"total"`
	Bonus       appraisal.Points `bun:"bonus" json:"bonus"`
	Final       appraisal.Points `bun:"final_score" json:"final"`
	Complete    bool             `bun:"complete" json:"complete"`
	Card        appraisal.Card   `bun:"card,type:text" json:"card"`
	ComputedAt  time.Time        `bun:"computed_at" json:"computed_at"`
	SelfComment string           `bun:"self_comment" json:"self_comment"`
	SelfAt      *time.Time       `bun:"self_at" json:"self_at"`
	RatedBy     *string          `bun:"rated_by" json:"rated_by"`
	RatedAt     *time.Time       `bun:"rated_at" json:"rated_at"`
	ApprovedBy  *string          `bun:"approved_by" json:"approved_by"`
	ApprovedAt  *time.Time       `bun:"approved_at" json:"approved_at"`
	PublishedAt *time.Time       `bun:"published_at" json:"published_at"`
	AppealUntil *time.Time       `bun:"appeal_until" json:"appeal_until"`
	FinalizedAt *time.Time       `bun:"finalized_at" json:"finalized_at"`
	Version     int64            `bun:"version" json:"version"`
	CreatedAt   time.Time        `bun:"created_at" json:"created_at"`
	UpdatedAt   time.Time        `bun:"updated_at" json:"updated_at"`

	bun.BaseModel `bun:"table:scorecards"`
}

// Card states (SPEC §8.4): computed draft → 自评 → 上级评价 → 经理审批 →
// published (appeal window) → final.
const (
	StatusDraft      = "draft"
	StatusSelfReview = "self_review"
	StatusRating     = "rating"
	StatusApproval   = "approval"
	StatusPublished  = "published"
	StatusFinal      = "final"
)

// setComputed puts a computed card and its totals on the stored card.
func (c *Scorecard) setComputed(card appraisal.Card) {
	c.Card, c.Total, c.Bonus, c.Final, c.Complete = card, card.Total, card.Bonus, card.Final, card.Complete
}

// recomputable: before approval the computed lines follow the records.
var recomputable = []string{StatusDraft, StatusSelfReview, StatusRating}

// month is a period YYYY-MM and its bounds in the company zone.
func (s *Service) month(period string) (start, end time.Time, last string, err error) {
	t, err := time.ParseInLocation("2006-01", period, s.loc)
	if err != nil {
		return start, end, "", apperr.Invalid("month", "月份格式应为 YYYY-MM")
	}
	start, end = t, t.AddDate(0, 1, 0)
	return start, end, calendar.DateOf(end.Add(-time.Second), s.loc).String(), nil
}

// standing events of staff in [start, end).
func staffEvents(ctx context.Context, db bun.IDB, staffID string, start, end time.Time) ([]appraisal.Event, error) {
	var rows []struct {
		ID       string    `bun:"id"`
		Type     string    `bun:"type"`
		Customer *string   `bun:"customer_id"`
		At       time.Time `bun:"occurred_at"`
		Quantity int64     `bun:"quantity"`
		Source   string    `bun:"source"`
	}
	if err := db.NewRaw(`SELECT id, type, customer_id, occurred_at, quantity, source FROM events
		WHERE staff_id = ? AND withdrawn_at IS NULL AND occurred_at >= ? AND occurred_at < ? ORDER BY occurred_at, id`,
		staffID, store.Time(start), store.Time(end)).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := make([]appraisal.Event, 0, len(rows))
	for _, r := range rows {
		if _, known := appraisal.KnownEventTypes[r.Type]; !known {
			continue // events no scheme counts (e.g. callback_overdue of the desk's own follow-up)
		}
		e := appraisal.Event{ID: r.ID, Type: r.Type, StaffID: staffID, OccurredAt: r.At, Quantity: r.Quantity, Source: r.Source}
		if r.Customer != nil {
			e.CustomerID = *r.Customer
		}
		out = append(out, e)
	}
	return out, nil
}

func cardRatings(ctx context.Context, db bun.IDB, cardID string) (map[string]appraisal.Rating, error) {
	var rows []struct {
		Item  string `bun:"item_key"`
		Value string `bun:"value"`
	}
	if err := db.NewRaw("SELECT item_key, value FROM scorecard_ratings WHERE scorecard_id = ?", cardID).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := make(map[string]appraisal.Rating, len(rows))
	for _, r := range rows {
		var rt appraisal.Rating
		if err := json.Unmarshal([]byte(r.Value), &rt); err != nil {
			return nil, err
		}
		out[r.Item] = rt
	}
	return out, nil
}

// ComputeCounts says what a computation did.
type ComputeCounts struct {
	Computed int `json:"computed"` // cards created or refreshed
	Frozen   int `json:"frozen"`   // cards past approval, left as they are
	NoScheme int `json:"no_scheme"`
}

// staffMember is an active staff member with their roles.
type staffMember struct {
	ID    string `bun:"id"`
	Login string `bun:"login"`
	Name  string `bun:"name"`
	Roles []access.Role
}

// loadStaff reads the active staff (or the one given, active or not) with
// their roles.
func loadStaff(ctx context.Context, db bun.IDB, staffID string) ([]staffMember, error) {
	var staff []staffMember
	q := db.NewSelect().Table("staff").Column("id", "login", "name")
	if staffID != "" {
		q = q.Where("id = ?", staffID)
	} else {
		q = q.Where("active")
	}
	if err := q.Order("login").Scan(ctx, &staff); err != nil {
		return nil, err
	}
	var roles []struct {
		StaffID string `bun:"staff_id"`
		Role    string `bun:"role"`
	}
	if err := db.NewRaw("SELECT staff_id, role FROM staff_roles ORDER BY staff_id, role").Scan(ctx, &roles); err != nil {
		return nil, err
	}
	at := make(map[string]int, len(staff))
	for i, st := range staff {
		at[st.ID] = i
	}
	for _, r := range roles {
		if i, ok := at[r.StaffID]; ok {
			staff[i].Roles = append(staff[i].Roles, access.Role(r.Role))
		}
	}
	return staff, nil
}

// Compute computes the month's cards (period YYYY-MM) of every active
// staff member whose role has a scheme — or of the one staff member given
// — from the records as they are now: a new card starts as a draft; a
// draft, self-review or rating card is refreshed (its ratings kept); a
// card past approval is left unchanged (late facts reach it through an
// appeal, or as a carried line on the next open card: carry.go).
// Managers and the system run it.
func (s *Service) Compute(ctx context.Context, period, staffID string) (ComputeCounts, error) {
	var n ComputeCounts
	if !access.Caller(ctx).IsManagerial() {
		return n, apperr.Forbidden("只有客服经理可以计算考核")
	}
	start, end, last, err := s.month(period)
	if err != nil {
		return n, err
	}
	db := s.db.R()
	staff, err := loadStaff(ctx, db, staffID)
	if err != nil {
		return n, err
	}
	// One person's rates are computed for them alone; everyone's at once.
	var monthRates map[string]map[string]appraisal.Rate
	if s.rates != nil && staffID == "" {
		if monthRates, err = s.rates.MonthRates(ctx, period); err != nil {
			return n, err
		}
	}
	if staffID == "" {
		ctx = withCarryRates(ctx) // earlier months' rates once for everyone (carry.go)
	}
	now := store.Time(s.now())
	for _, st := range staff {
		rec, err := s.schemeOfStaff(ctx, db, st, last)
		if err != nil {
			return n, err
		}
		if rec == nil {
			n.NoScheme++
			continue
		}
		rts := s.ratesOf(monthRates, st.ID)
		if staffID != "" {
			if rts, err = s.staffRates(ctx, period, st.ID); err != nil {
				return n, err
			}
		}
		frozen, err := s.computeOne(ctx, rec, st.ID, period, start, end, rts, now)
		if err != nil {
			return n, err
		}
		if frozen {
			n.Frozen++
		} else {
			n.Computed++
		}
	}
	return n, nil
}

// schemeOfStaff picks the scheme of the first of the member's roles that
// has one (specialist before the others).
func (s *Service) schemeOfStaff(ctx context.Context, db bun.IDB, st staffMember, day string) (*SchemeRecord, error) {
	roles := slices.Clone(st.Roles)
	slices.SortStableFunc(roles, func(a, b access.Role) int {
		if a == access.CSSpecialist {
			return -1
		}
		if b == access.CSSpecialist {
			return 1
		}
		return 0
	})
	for _, r := range roles {
		rec, err := schemeFor(ctx, db, r, day)
		if err != nil || rec != nil {
			return rec, err
		}
	}
	return nil, nil
}

// computeOne evaluates and stores one card; frozen reports a card past
// approval left unchanged.
func (s *Service) computeOne(ctx context.Context, rec *SchemeRecord, staffID, period string, start, end time.Time,
	rates map[string]appraisal.Rate, now time.Time) (frozen bool, err error) {
	sc, err := rec.Scheme()
	if err != nil {
		return false, err
	}
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		card := new(Scorecard)
		err := tx.NewSelect().Model(card).Where("staff_id = ? AND period = ? AND scheme_id = ?", staffID, period, rec.ID).Scan(ctx)
		exists := err == nil
		if err != nil && !errors.Is(err, store.ErrNoRows) {
			return err
		}
		if exists && !slices.Contains(recomputable, card.Status) {
			frozen = true
			return nil
		}
		evs, err := staffEvents(ctx, tx, staffID, start, end)
		if err != nil {
			return err
		}
		ratings := map[string]appraisal.Rating{}
		var samples map[string][]appraisal.SampleDay
		if exists {
			if ratings, err = cardRatings(ctx, tx, card.ID); err != nil {
				return err
			}
			if samples, err = cardSamples(ctx, tx, card.ID); err != nil {
				return err
			}
		}
		c, err := s.evaluateOpen(ctx, tx, staffID, start, end, appraisal.Input{Scheme: sc, Events: evs, Rates: rates, Ratings: ratings, Samples: samples})
		if err != nil {
			return err
		}
		if !exists {
			card = &Scorecard{ID: store.NewID(), StaffID: staffID, SchemeID: rec.ID, Period: period, Status: StatusDraft, Version: 1, CreatedAt: now}
		}
		before := *card
		card.setComputed(c)
		card.ComputedAt, card.UpdatedAt = now, now
		if !exists {
			if _, err := tx.NewInsert().Model(card).Exec(ctx); err != nil {
				return err
			}
			return audit.Record(ctx, tx, now, audit.Change{Action: "create", Entity: "scorecard", EntityID: card.ID,
				Summary: "计算考核 " + period + " 得分 " + c.Final.String() + carrySummary(c), After: card})
		}
		if before.Final == card.Final && before.Total == card.Total {
			// The same score: refresh the lines quietly (evidence ids may
			// have grown); no audit entry for an unchanged score.
			_, err := tx.NewUpdate().Model(card).Column("card", "complete", "computed_at", "updated_at").WherePK().Exec(ctx)
			return err
		}
		card.Version++
		if _, err := tx.NewUpdate().Model(card).WherePK().Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "recompute", Entity: "scorecard", EntityID: card.ID,
			Summary: "重新计算考核 " + period + " 得分 " + before.Final.String() + " → " + c.Final.String() + carrySummary(c), Before: &before, After: card})
	})
	return frozen, err
}

// canRead: the staff member themself, managers and executives.
func canRead(p *access.Principal, staffID string) bool {
	return p.Can(access.AppraisalRead) && (p.StaffID == staffID || p.IsManagerial() || p.Has(access.Executive))
}

// Card returns a staff member's stored monthly card of a period (the
// scheme in force for them; never a check), or NotFound when none is
// computed yet.
func (s *Service) Card(ctx context.Context, staffID, period string) (*Scorecard, error) {
	p := access.Caller(ctx)
	if !p.Can(access.AppraisalRead) {
		return nil, apperr.Forbidden("只能查看自己的考核")
	}
	if _, _, _, err := s.month(period); err != nil {
		return nil, err
	}
	db := s.db.R()
	card, err := monthCard(ctx, db, staffID, period)
	if canRead(p, staffID) {
		return card, err
	}
	// The supervisor and the 考评人 of an item of the card read it too.
	if err == nil {
		var ok bool
		if ok, err = readsCard(ctx, db, p, card); err == nil && ok {
			return card, nil
		}
	}
	if err != nil && !apperr.Is(err, apperr.KindNotFound) {
		return nil, err
	}
	return nil, apperr.Forbidden("只能查看自己的考核")
}

// monthCard is the staff member's monthly appraisal card of period: not a
// check, the latest created when there are several; NotFound without one.
func monthCard(ctx context.Context, db bun.IDB, staffID, period string) (*Scorecard, error) {
	var cards []Scorecard
	if err := db.NewSelect().Model(&cards).Where("staff_id = ? AND period = ?", staffID, period).
		OrderExpr("created_at DESC, id DESC").Scan(ctx); err != nil {
		return nil, err
	}
	for i := range cards {
		rec := new(SchemeRecord)
		if err := db.NewSelect().Model(rec).Where("id = ?", cards[i].SchemeID).Scan(ctx); err != nil {
			return nil, err
		}
		sc, err := rec.Scheme()
		if err != nil {
			return nil, err
		}
		if !isCheck(rec.Code, sc) {
			return &cards[i], nil
		}
	}
	return nil, apperr.NotFound("scorecard")
}

// readsCard reports whether p reads card: as mayReadCard (the staff
// member, their direct supervisor, managers, executives) or as the 考评人
// of one of its items (财务, 信息中心).
func readsCard(ctx context.Context, db bun.IDB, p *access.Principal, card *Scorecard) (bool, error) {
	supervisor, err := supervisorOf(ctx, db, card.StaffID)
	if err != nil || mayReadCard(p, card, supervisor) {
		return err == nil, err
	}
	rec := new(SchemeRecord)
	if err := db.NewSelect().Model(rec).Where("id = ?", card.SchemeID).Scan(ctx); err != nil {
		return false, err
	}
	sc, err := rec.Scheme()
	if err != nil {
		return false, err
	}
	return len(rateableItems(p, sc, card.StaffID, supervisor)) > 0, nil
}

// Preview computes a staff member's card of a period as the records stand
// now, without storing it: "my month so far" (本月至今) with the
// provisional score (the ratings given so far included).
func (s *Service) Preview(ctx context.Context, staffID, period string) (*appraisal.Card, error) {
	p := access.Caller(ctx)
	if !canRead(p, staffID) {
		return nil, apperr.Forbidden("只能查看自己的考核")
	}
	start, end, last, err := s.month(period)
	if err != nil {
		return nil, err
	}
	db := s.db.R()
	staff, err := loadStaff(ctx, db, staffID)
	if err != nil {
		return nil, err
	}
	if len(staff) == 0 {
		return nil, apperr.NotFound("staff")
	}
	rec, err := s.schemeOfStaff(ctx, db, staff[0], last)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, apperr.NotFound("scheme")
	}
	sc, err := rec.Scheme()
	if err != nil {
		return nil, err
	}
	evs, err := staffEvents(ctx, db, staffID, start, end)
	if err != nil {
		return nil, err
	}
	rts, err := s.staffRates(ctx, period, staffID)
	if err != nil {
		return nil, err
	}
	// The ratings given so far on the stored card count in the preview.
	ratings := map[string]appraisal.Rating{}
	var samples map[string][]appraisal.SampleDay
	var cardID string
	err = db.NewRaw("SELECT id FROM scorecards WHERE staff_id = ? AND period = ? AND scheme_id = ?", staffID, period, rec.ID).Scan(ctx, &cardID)
	switch {
	case err == nil:
		if ratings, err = cardRatings(ctx, db, cardID); err != nil {
			return nil, err
		}
		if samples, err = cardSamples(ctx, db, cardID); err != nil {
			return nil, err
		}
	case !errors.Is(err, store.ErrNoRows):
		return nil, err
	}
	c, err := s.evaluateOpen(ctx, db, staffID, start, end, appraisal.Input{Scheme: sc, Events: evs, Rates: rts, Ratings: ratings, Samples: samples})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// Rate records a rater's rating of one item of a card (上级评价: a rubric
// level, a manual score with its reason, checklist grades) and refreshes
// the card. The item's 考评人 rates it (RaterOf: the direct supervisor or
// a manager for 直属上级, a manager for 客服经理, an executive for 总裁,
// finance for 财务, the information centre for 信息中心); nobody rates
// their own card; a card past approval is not rated.
func (s *Service) Rate(ctx context.Context, cardID string, version int64, item string, r appraisal.Rating) (*Scorecard, error) {
	p := access.Caller(ctx)
	if !p.Can(access.AppraisalRead) {
		return nil, apperr.Forbidden("无权评分")
	}
	now := store.Time(s.now())
	var out *Scorecard
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		card, err := lockForRating(ctx, tx, p, cardID, version)
		if err != nil {
			return err
		}
		// The item's 考评人 rates it (an unknown item is refused below by
		// Evaluate, with the scheme's message).
		if it := itemOf(card.sc, item); it != nil {
			if err := mayRateItem(p, card.StaffID, card.supervisor, it); err != nil {
				return err
			}
		} else if !p.IsManagerial() && card.supervisor != p.StaffID {
			return apperr.Forbidden("只有直属上级或客服经理可以评分")
		}
		if !slices.Contains(recomputable, card.Status) {
			return apperr.Invalid("status", "考核表已提交审批，不能再评分")
		}
		r.Rater = p.Name
		value, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if _, err := tx.NewRaw(`INSERT INTO scorecard_ratings (scorecard_id, item_key, value, reason, rated_by, rated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (scorecard_id, item_key) DO UPDATE SET value = EXCLUDED.value, reason = EXCLUDED.reason,
				rated_by = EXCLUDED.rated_by, rated_at = EXCLUDED.rated_at`, card.ID, item, string(value), r.Reason, p.StaffID, now).Exec(ctx); err != nil {
			return err
		}
		// Evaluate refuses a rating the scheme does not allow (an unknown
		// item, a level the rubric lacks, a manual score out of range).
		before, err := s.storeRated(ctx, tx, p, card.Scorecard, now)
		if err != nil {
			return err
		}
		out = card.Scorecard
		return audit.Record(ctx, tx, now, audit.Change{Action: "rate", Entity: "scorecard", EntityID: card.ID,
			Summary: "考核评分 " + item + " = " + r.Points.String() + "，合计 " + before.Final.String() + " → " + card.Final.String(),
			Before:  &before, After: card.Scorecard})
	})
	return out, err
}

func notFound(err error, what string) error {
	if errors.Is(err, store.ErrNoRows) {
		return apperr.NotFound(what)
	}
	return err
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
