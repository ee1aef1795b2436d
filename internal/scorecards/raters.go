package scorecards

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/appraisal"
)

// RaterKind is who a scheme item's 考评人 label names. A scheme is data
// written by the manager, so the label is free text; RaterOf reads it the
// way the seeds write it.
type RaterKind string

// Rater kinds.
const (
	// RaterSupervisor: 直属上级 / 直接上级 / 客服主管 — the staff member's
	// direct supervisor, or a manager (who stands above every supervisor of
	// the service centre). Also any label kefu does not recognise.
	RaterSupervisor RaterKind = "supervisor"
	// RaterManager: 客服经理 (and seed 004's 客户经理) — a manager.
	RaterManager RaterKind = "manager"
	// RaterExecutive: 总裁 / 总经理 — an executive (the 客服经理's items of
	// seed 003).
	RaterExecutive RaterKind = "executive"
	// RaterFinance: 财务 — a member of the finance department.
	RaterFinance RaterKind = "finance"
	// RaterInfoCenter: 信息中心 — a member of the information centre.
	RaterInfoCenter RaterKind = "info_center"
)

// RaterOf reads an item's rater label. Order matters: "财务经理" is
// finance's, "客服经理" the manager's.
func RaterOf(label string) RaterKind {
	l := strings.TrimSpace(label)
	switch {
	case strings.Contains(l, "总裁"), strings.Contains(l, "总经理"):
		return RaterExecutive
	case strings.Contains(l, "财务"):
		return RaterFinance
	case strings.Contains(l, "信息中心"):
		return RaterInfoCenter
	case strings.Contains(l, "经理"):
		return RaterManager
	default:
		return RaterSupervisor
	}
}

// raterWords names a kind in the messages.
var raterWords = map[RaterKind]string{
	RaterSupervisor: "直属上级或客服经理",
	RaterManager:    "客服经理",
	RaterExecutive:  "总经理",
	RaterFinance:    "财务",
	RaterInfoCenter: "信息中心",
}

// mayRateItem says whether p may rate item it of the card of staffID
// whose direct supervisor is supervisor: nil, or Forbidden naming the
// item's rater. Nobody rates their own card.
func mayRateItem(p *access.Principal, staffID, supervisor string, it *appraisal.Item) error {
	if p.StaffID == "" || p.StaffID == staffID {
		return apperr.Forbidden("不能给自己的考核评分")
	}
	kind := RaterOf(it.Rater)
	var ok bool
	switch kind {
	case RaterSupervisor:
		ok = p.IsManagerial() || supervisor == p.StaffID
	case RaterManager:
		ok = p.IsManagerial()
	case RaterExecutive:
		ok = p.Has(access.Executive)
	case RaterFinance:
		ok = p.Has(access.Finance)
	case RaterInfoCenter:
		ok = p.Has(access.InfoCenter)
	}
	if !ok {
		label := it.Rater
		if label == "" {
			label = "直属上级"
		}
		return apperr.Forbidden("「" + it.Name + "」的考评人是" + label + "：只有" + raterWords[kind] + "可以评分")
	}
	return nil
}

// ratedItem reports whether an item takes a rater's input on the card
// (rubric, manual, checklist and sample items).
func ratedItem(it *appraisal.Item) bool {
	switch it.Method {
	case appraisal.MethodRubric, appraisal.MethodManual, appraisal.MethodChecklist, appraisal.MethodSample:
		return true
	}
	return false
}

// itemOf is the scheme's item with key, or nil.
func itemOf(sc *appraisal.Scheme, key string) *appraisal.Item {
	for ci := range sc.Categories {
		for ii := range sc.Categories[ci].Items {
			if it := &sc.Categories[ci].Items[ii]; it.Key == key {
				return it
			}
		}
	}
	return nil
}

// rateableItems are the keys of the items of sc that p may rate on the
// card of staffID.
func rateableItems(p *access.Principal, sc *appraisal.Scheme, staffID, supervisor string) map[string]bool {
	out := map[string]bool{}
	for ci := range sc.Categories {
		for ii := range sc.Categories[ci].Items {
			it := &sc.Categories[ci].Items[ii]
			if ratedItem(it) && mayRateItem(p, staffID, supervisor, it) == nil {
				out[it.Key] = true
			}
		}
	}
	return out
}

// ratedCard is a card locked for a rater's input, with its scheme and the
// staff member's direct supervisor.
type ratedCard struct {
	*Scorecard
	rec        *SchemeRecord
	sc         *appraisal.Scheme
	supervisor string
}

// lockForRating locks the card at version for p's input (上级评价, a sample
// day) and loads its scheme and the staff member's supervisor: NotFound, a
// Conflict on a stale version, Forbidden on one's own card.
func lockForRating(ctx context.Context, tx bun.IDB, p *access.Principal, cardID string, version int64) (*ratedCard, error) {
	card, err := lockCard(ctx, tx, cardID, version)
	if err != nil {
		return nil, err
	}
	if card.StaffID == p.StaffID {
		return nil, apperr.Forbidden("不能给自己的考核评分")
	}
	rc := &ratedCard{Scorecard: card, rec: new(SchemeRecord)}
	if rc.supervisor, err = supervisorOf(ctx, tx, card.StaffID); err != nil {
		return nil, err
	}
	if err := tx.NewSelect().Model(rc.rec).Where("id = ?", card.SchemeID).Scan(ctx); err != nil {
		return nil, err
	}
	if rc.sc, err = rc.rec.Scheme(); err != nil {
		return nil, err
	}
	return rc, nil
}

// storeRated evaluates the card with the input just stored (Evaluate
// refuses what the scheme does not allow, and the transaction then stores
// nothing), saves it as rated by p and returns the card as it was.
func (s *Service) storeRated(ctx context.Context, tx bun.IDB, p *access.Principal, card *Scorecard, now time.Time) (Scorecard, error) {
	before := *card
	c, err := s.evaluate(ctx, tx, card)
	if err != nil {
		return before, err
	}
	card.setComputed(c)
	card.ComputedAt, card.UpdatedAt, card.Version = now, now, card.Version+1
	card.RatedBy, card.RatedAt = optional(p.StaffID), &now
	_, err = tx.NewUpdate().Model(card).WherePK().Exec(ctx)
	return before, err
}
