package scorecards

import (
	"context"
	"slices"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/appraisal"
)

// Reads the appraisal pages need besides Card and Preview: the scheme a
// card was computed with (its rubric levels for the rating form), whether
// the caller may rate a card, and the team's cards of a range of months
// (the scoreboard and its trend).

// CardScheme returns the scheme version a stored card was computed with,
// to whoever may read the card.
func (s *Service) CardScheme(ctx context.Context, cardID string) (*appraisal.Scheme, error) {
	card := new(Scorecard)
	if err := s.db.R().NewSelect().Model(card).Column("id", "staff_id", "scheme_id").Where("id = ?", cardID).Scan(ctx); err != nil {
		return nil, notFound(err, "scorecard")
	}
	if !canRead(access.Caller(ctx), card.StaffID) {
		return nil, apperr.Forbidden("只能查看自己的考核")
	}
	rec := new(SchemeRecord)
	if err := s.db.R().NewSelect().Model(rec).Where("id = ?", card.SchemeID).Scan(ctx); err != nil {
		return nil, notFound(err, "scheme")
	}
	return rec.Scheme()
}

// CardByID returns a stored card by id — a monthly card or a check — for
// those who read it: the staff member, their direct supervisor, managers,
// executives and the 考评人 of one of its items.
func (s *Service) CardByID(ctx context.Context, id string) (*Scorecard, error) {
	p := access.Caller(ctx)
	if !p.Can(access.AppraisalRead) {
		return nil, apperr.Forbidden("无权查看考核")
	}
	db := s.db.R()
	card := new(Scorecard)
	if err := db.NewSelect().Model(card).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "scorecard")
	}
	ok, err := readsCard(ctx, db, p, card)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, apperr.Forbidden("只能查看自己及直属下级的考核")
	}
	return card, nil
}

// RateableItems are the keys of the card's items the caller may rate
// now, as Rate decides: not their own card, the item's 考评人 (RaterOf),
// before approval. None: the caller rates nothing on the card.
func (s *Service) RateableItems(ctx context.Context, card *Scorecard) (map[string]bool, error) {
	p := access.Caller(ctx)
	if card == nil || !p.Can(access.AppraisalRead) || p.StaffID == "" || card.StaffID == p.StaffID || !recomputableStatus(card.Status) {
		return nil, nil
	}
	db := s.db.R()
	supervisor, err := supervisorOf(ctx, db, card.StaffID)
	if err != nil {
		return nil, err
	}
	rec := new(SchemeRecord)
	if err := db.NewSelect().Model(rec).Where("id = ?", card.SchemeID).Scan(ctx); err != nil {
		return nil, err
	}
	sc, err := rec.Scheme()
	if err != nil {
		return nil, err
	}
	return rateableItems(p, sc, card.StaffID, supervisor), nil
}

func recomputableStatus(status string) bool { return slices.Contains(recomputable, status) }

// BoardCard is a stored card with its staff member's name, for the
// team's scoreboard.
type BoardCard struct {
	Scorecard `bun:",extend"`
	StaffName string `bun:"staff_name" json:"staff_name"`
}

// BoardCards lists the stored monthly cards (no checks) of the periods
// from…to (YYYY-MM, inclusive), by period and staff name: managers and
// executives only.
func (s *Service) BoardCards(ctx context.Context, from, to string) ([]BoardCard, error) {
	p := access.Caller(ctx)
	if !p.Can(access.AppraisalRead) || !(p.IsManagerial() || p.Has(access.Executive)) {
		return nil, apperr.Forbidden("只有客服经理和总经理可以查看团队考核")
	}
	for _, m := range []string{from, to} {
		if _, _, _, err := s.month(m); err != nil {
			return nil, err
		}
	}
	db := s.db.R()
	var rows []BoardCard
	if err := db.NewRaw(`SELECT sc.*, COALESCE(st.name, '') AS staff_name FROM scorecards sc LEFT JOIN staff st ON st.id = sc.staff_id
		WHERE sc.period >= ? AND sc.period <= ? ORDER BY sc.period, st.login, sc.staff_id, sc.created_at`, from, to).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	docs, err := schemeDocs(ctx, db)
	if err != nil {
		return nil, err
	}
	out := []BoardCard{}
	for _, r := range rows {
		if !isCheckCard(docs, &r.Scorecard) { // the board shows the monthly appraisal
			out = append(out, r)
		}
	}
	return out, nil
}
