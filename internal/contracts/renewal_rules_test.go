package contracts_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/contracts"
	"kefu/internal/rates"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// renewalRatio is spec's renewal ratio of month m as of today.
func (e *env) renewalRatio(ctx context.Context, m, staffID string) rates.Ratio {
	e.t.Helper()
	month, err := rates.ParseMonth(m)
	if err != nil {
		e.t.Fatal(err)
	}
	rep, err := e.svc.Rates(ctx, month, calendar.Date{})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, sr := range rep.Specialists {
		if sr.SpecialistID == staffID {
			return sr.Renewal.Ratio
		}
	}
	e.t.Fatalf("no rates for %s", staffID)
	return rates.Ratio{}
}

// A renewal that shows as renewed on the desk counts in 续约率: a successor
// that is not a draft must have its signed date, and one stored without it
// (before the rule) counts from the day it was entered.
func TestRenewalNeedsSignedDate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.clock.Set(time.Date(2026, 3, 20, 9, 0, 0, 0, shanghai))
		c := e.customer("国贸物业", e.r1, e.spec1)
		old := e.contract(e.asMgr, maint("HT-OLD", c, "2025-04-01", "2026-03-31"))
		in := maint("HT-NEW", c, "2026-04-01", "2027-03-31")
		in.RenewedFrom, in.SignedOn = old.ID, ""

		// Active without a signed date: refused on the field.
		_, err := e.svc.CreateContract(e.asSpec1, in, true)
		wantErr(t, err, apperr.KindInvalid, "signed_on")
		// A draft may wait for it; activating it may not.
		draft, err := e.svc.CreateContract(e.asSpec1, in, false)
		if err != nil {
			t.Fatalf("draft renewal without a signed date: %v", err)
		}
		_, err = e.svc.SetState(e.asSpec1, draft.ID, draft.Version, "active", "", "")
		wantErr(t, err, apperr.KindInvalid, "signed_on")
		if d := e.detail(old.ID); d.Status != "active" {
			t.Fatalf("predecessor of a draft renewal: %s", d.Status)
		}
		in.SignedOn = "2026-03-18"
		k, err := e.svc.UpdateContract(e.asSpec1, draft.ID, draft.Version, in)
		if err != nil {
			t.Fatal(err)
		}
		if k, err = e.svc.SetState(e.asSpec1, k.ID, k.Version, "active", "", ""); err != nil {
			t.Fatalf("activate signed renewal: %v", err)
		}
		// Clearing the date of an active renewal is refused.
		in.SignedOn = ""
		_, err = e.svc.UpdateContract(e.asSpec1, k.ID, k.Version, in)
		wantErr(t, err, apperr.KindInvalid, "signed_on")

		// The desk and the rate agree.
		if d := e.detail(old.ID); d.Status != "renewed" {
			t.Fatalf("predecessor status %s", d.Status)
		}
		if got := e.renewalRatio(e.asMgr, "2026-03", e.spec1.ID); got != (rates.Ratio{Num: 1, Den: 1}) {
			t.Fatalf("renewal rate %v, want 1/1", got)
		}

		// A renewal stored without a signed date (records from before the
		// rule) shows as renewed and counts from the day it was entered.
		old2 := e.contract(e.asMgr, maint("HT-OLD2", c, "2025-03-01", "2026-03-30"))
		legacy := e.contract(e.asMgr, maint("HT-LEGACY", c, "2026-03-31", "2027-03-30"))
		if err := db.Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewRaw("UPDATE contracts SET signed_on = NULL, renewed_from = ? WHERE id = ?", old2.ID, legacy.ID).Exec(ctx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if d := e.detail(old2.ID); d.Status != "renewed" {
			t.Fatalf("legacy predecessor status %s", d.Status)
		}
		if got := e.renewalRatio(e.asMgr, "2026-03", e.spec1.ID); got != (rates.Ratio{Num: 2, Den: 2}) {
			t.Fatalf("renewal rate with a legacy renewal %v, want 2/2", got)
		}
		// As of the day before it was entered it had not happened yet (HT-NEW,
		// signed 3-18, had).
		rep, err := e.svc.Rates(e.asMgr, rates.Month{Year: 2026, Month: time.March}, calendar.NewDate(2026, 3, 19))
		if err != nil {
			t.Fatal(err)
		}
		for _, sr := range rep.Specialists {
			if sr.SpecialistID == e.spec1.ID && sr.Renewal.Ratio != (rates.Ratio{Num: 1, Den: 2}) {
				t.Fatalf("as of 3-19: %v", sr.Renewal.Ratio)
			}
		}
	})
}

// A specialist cannot take a contract out of the renewal rate by
// terminating it once it is due: an ended contract is terminated by a
// manager only, a termination is not dated before the current month, and
// one dated in the end month (or later) still counts.
func TestTerminationKeepsRenewalDenominator(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.clock.Set(time.Date(2026, 3, 20, 9, 0, 0, 0, shanghai))
		c := e.customer("国贸物业", e.r1, e.spec1)
		ended := e.contract(e.asMgr, maint("HT-ENDED", c, "2025-03-11", "2026-03-10")) // ended 3-10
		due := e.contract(e.asMgr, maint("HT-DUE", c, "2025-03-26", "2026-03-25"))     // ends 3-25
		early := e.contract(e.asMgr, maint("HT-EARLY", c, "2025-04-01", "2026-03-31")) // ends 3-31
		moved := e.contract(e.asMgr, maint("HT-MOVED", c, "2025-03-06", "2026-03-05")) // ended 3-05
		if got := e.renewalRatio(e.asMgr, "2026-03", e.spec1.ID); got != (rates.Ratio{Num: 0, Den: 4}) {
			t.Fatalf("before: %v", got)
		}
		cases := []struct {
			name  string
			ctx   context.Context
			k     *contracts.Contract
			on    string
			kind  apperr.Kind
			field string
		}{
			{"specialist terminates an ended contract", e.asSpec1, ended, "2026-03-09", apperr.KindForbidden, ""},
			{"specialist backdates before the month", e.asSpec1, due, "2026-02-27", apperr.KindInvalid, "terminated_on"},
			{"specialist terminates a due contract today", e.asSpec1, due, "", "", ""},
			{"manager terminates an ended contract in its month", e.asMgr, ended, "2026-03-09", "", ""},
			{"manager backdates before the month", e.asMgr, early, "2026-02-15", "", ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				v := e.detail(tc.k.ID).Version
				_, err := e.svc.SetState(tc.ctx, tc.k.ID, v, "terminated", tc.on, "客户不再续约")
				if tc.kind != "" {
					wantErr(t, err, tc.kind, tc.field)
					if d := e.detail(tc.k.ID); d.State != "active" {
						t.Fatalf("refused termination changed the state to %s", d.State)
					}
				} else if err != nil {
					t.Fatal(err)
				}
			})
		}
		// HT-ENDED and HT-DUE were terminated in March: they stay; HT-EARLY
		// was ended early (by a manager, before March): it goes.
		if got := e.renewalRatio(e.asMgr, "2026-03", e.spec1.ID); got != (rates.Ratio{Num: 0, Den: 3}) {
			t.Fatalf("after terminations: %v, want 0/3", got)
		}
		// Moving an ended contract's end date out of the month: manager only.
		in := maint("HT-MOVED", c, "2025-03-06", "2026-03-05")
		in.EndOn = "2026-04-30"
		_, err := e.svc.UpdateContract(e.asSpec1, moved.ID, moved.Version, in)
		wantErr(t, err, apperr.KindForbidden, "")
		in.Title = "改标题不改日期"
		in.EndOn = "2026-03-05"
		if _, err := e.svc.UpdateContract(e.asSpec1, moved.ID, moved.Version, in); err != nil {
			t.Fatalf("specialist edits an ended contract without moving its end: %v", err)
		}
	})
}
