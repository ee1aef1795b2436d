package tickets

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/events"
	"kefu/internal/store"
)

// EventRegistrationIncomplete (登记不全或不合格, seed 000 客户服务效率与质量:
// −1 each): a ticket still incomplete when its registration grace ended —
// RegistrationGraceWorkingDays working days after it was received. One per
// ticket, against its first-contact owner (首问责任人).
const EventRegistrationIncomplete = "registration_incomplete"

// registrationLookback bounds how far back completed tickets are read
// again: a ticket completed after its grace keeps its event, and one
// completed within it has its event withdrawn, for tickets received in
// the last registrationLookback; older events stand as they are.
const registrationLookback = 120 * 24 * time.Hour

// RegistrationCounts says what a derivation recorded.
type RegistrationCounts struct {
	Incomplete int `json:"incomplete"` // still incomplete after the grace
	// CompletedLate: completed, but only after the grace (the event stands).
	CompletedLate int `json:"completed_late"`
	Withdrawn     int `json:"withdrawn"`
}

// DeriveRegistrationEvents records registration_incomplete events from
// the records as of now: a ticket that was incomplete (登记不全) when its
// grace of RegistrationGraceWorkingDays working days after receipt ended
// — still incomplete now, or completed only later (it was registered
// incompletely all the same) — is an event against its first-contact
// owner, keyed by the ticket, occurring at the end of the grace, with the
// ticket as evidence. A ticket completed within the grace gives none, and
// an event of one is withdrawn. Whether a ticket was complete at the end
// of its grace is read from its saved versions (the audit log, written
// with each save at the real time). Managers or the system only.
func (s *Service) DeriveRegistrationEvents(ctx context.Context) (RegistrationCounts, error) {
	var n RegistrationCounts
	if !access.Caller(ctx).IsManagerial() {
		return n, apperr.Forbidden("只有系统任务或客服经理可以运行")
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return n, err
	}
	db := s.db.R()
	pol, err := loadPolicy(ctx, db)
	if err != nil {
		return n, err
	}
	grace := pol.RegistrationGraceWorkingDays
	now := store.Time(s.now())
	windowFrom := now.Add(-registrationLookback)
	type candidate struct {
		ID         string    `bun:"id"`
		Number     string    `bun:"number"`
		Staff      string    `bun:"first_owner_id"`
		Customer   *string   `bun:"customer_id"`
		ReceivedAt time.Time `bun:"received_at"`
		Incomplete bool      `bun:"incomplete"`
		Missing    string    `bun:"missing"`
	}
	var cands []candidate
	// Incomplete now (any age), and complete now but incomplete in some
	// saved version (received in the lookback, plus the longest grace).
	if err := db.NewRaw(`SELECT id, number, first_owner_id, customer_id, received_at, incomplete, missing FROM tickets
		WHERE incomplete
		UNION ALL
		SELECT t.id, t.number, t.first_owner_id, t.customer_id, t.received_at, t.incomplete, t.missing FROM tickets t
		WHERE NOT t.incomplete AND t.received_at >= ? AND EXISTS (SELECT 1 FROM audit_log a
			WHERE a.entity = 'ticket' AND a.entity_id = t.id AND a.after_json LIKE '%"incomplete":true%')
		ORDER BY id`, windowFrom.Add(-30*24*time.Hour)).Scan(ctx, &cands); err != nil {
		return n, err
	}
	var completed []string
	for _, c := range cands {
		if !c.Incomplete {
			completed = append(completed, c.ID)
		}
	}
	versions, err := savedVersions(ctx, db, completed)
	if err != nil {
		return n, err
	}
	var evs []events.Computed
	for _, c := range cands {
		due := store.Time(cal.WorkingDaysDeadline(c.ReceivedAt, grace))
		if !now.After(due) {
			continue
		}
		missing := c.Missing
		state := "至今未补全"
		if !c.Incomplete {
			v, ok := versionAt(versions[c.ID], due)
			if !ok || !v.Incomplete {
				continue // completed within the grace
			}
			missing = v.Missing
			state = "期限后才补全"
			n.CompletedLate++
		} else {
			n.Incomplete++
		}
		staff := c.Staff
		evs = append(evs, events.Computed{Key: EventRegistrationIncomplete + "|" + c.ID, Type: EventRegistrationIncomplete,
			Rule: EventRegistrationIncomplete, StaffID: &staff, CustomerID: c.Customer, OccurredAt: due, Quantity: 1,
			Detail: fmt.Sprintf("工单 %s 登记不全（缺：%s），受理后 %d 个工作日内（%s 前）未补全，%s", c.Number, missingLabels(missing), grace,
				due.In(s.loc).Format("2006-01-02 15:04"), state),
			Evidence: []events.Ref{{Kind: "ticket", ID: c.ID, Role: "registration"}}})
	}
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		keep := make(map[string]bool, len(evs))
		for _, e := range evs {
			keep[e.Key] = true
		}
		if err := events.Put(ctx, tx, evs, now); err != nil {
			return err
		}
		var err error
		// Only the lookback's events are re-judged: an older ticket
		// completed since is no longer read, and its event stands.
		n.Withdrawn, err = events.WithdrawStaleBetween(ctx, tx, []string{EventRegistrationIncomplete}, windowFrom, now.Add(24*time.Hour), keep, now,
			"重新计算后登记已在期限内补全（或期限已更正）")
		return err
	})
	return n, err
}

// savedVersion is a ticket's completeness as saved at a time.
type savedVersion struct {
	At         time.Time
	Incomplete bool
	Missing    string
}

// savedVersions reads the completeness of each saved version of the
// tickets from their audit entries, oldest first.
func savedVersions(ctx context.Context, db bun.IDB, ids []string) (map[string][]savedVersion, error) {
	out := map[string][]savedVersion{}
	for len(ids) > 0 {
		part := ids[:min(len(ids), 500)]
		ids = ids[len(part):]
		var rows []struct {
			EntityID string    `bun:"entity_id"`
			At       time.Time `bun:"at"`
			After    *string   `bun:"after_json"`
		}
		if err := db.NewRaw(`SELECT entity_id, at, after_json FROM audit_log WHERE entity = 'ticket' AND entity_id IN (?)
			ORDER BY entity_id, at, id`, bun.In(part)).Scan(ctx, &rows); err != nil {
			return nil, err
		}
		for _, r := range rows {
			if r.After == nil {
				continue
			}
			var t struct {
				Incomplete *bool    `json:"incomplete"`
				Missing    []string `json:"missing"`
			}
			if json.Unmarshal([]byte(*r.After), &t) != nil || t.Incomplete == nil {
				continue
			}
			out[r.EntityID] = append(out[r.EntityID], savedVersion{At: r.At, Incomplete: *t.Incomplete, Missing: strings.Join(t.Missing, ",")})
		}
	}
	return out, nil
}

// versionAt is the version in force at t: the last saved at or before t,
// or, for a ticket first saved after t (registered late), its first.
func versionAt(vs []savedVersion, t time.Time) (savedVersion, bool) {
	if len(vs) == 0 {
		return savedVersion{}, false
	}
	i := slices.IndexFunc(vs, func(v savedVersion) bool { return v.At.After(t) })
	switch i {
	case -1:
		return vs[len(vs)-1], true
	case 0:
		return vs[0], true
	}
	return vs[i-1], true
}

// missingLabels names the missing registration fields for people.
func missingLabels(missing string) string {
	if missing == "" {
		return "登记要素"
	}
	return strings.Join(strings.Split(missing, ","), "、")
}
