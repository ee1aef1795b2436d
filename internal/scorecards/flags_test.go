package scorecards_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/apperr"
	"kefu/internal/appraisal"
	"kefu/internal/events"
	"kefu/internal/scorecards"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestFlags(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// On 1 March a version with bonus lines (嘉奖加分 +1…+10) takes effect.
		f := newFixture(t, db, time.Date(2026, 3, 1, 9, 0, 0, 0, shanghai))
		ctx := context.Background()
		doc := edit(t, f.shippedSpecialistD, func(m map[string]any) {
			m["bonus"] = map[string]any{"min": 1, "max": 10, "label": "嘉奖加分"}
		})
		d, err := f.svc.DraftScheme(f.as(f.mgr), scorecards.SchemeDraft{BaseID: f.shippedSpecialist, Document: doc, EffectiveFrom: "2026-03-01"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ApproveScheme(f.as(f.gm), d.ID, d.RowVersion); err != nil {
			t.Fatal(err)
		}
		*f.now = time.Date(2026, 4, 2, 10, 0, 0, 0, shanghai)
		at := time.Date(2026, 3, 10, 15, 0, 0, 0, shanghai)

		// Who flags: the direct supervisor or a manager; never oneself.
		in := scorecards.FlagInput{StaffID: f.yi.ID, Type: "unregistered", OccurredAt: at, Reason: "电话报修未登记"}
		if _, err := f.svc.Flag(f.as(f.yi), in); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("flagging oneself: %v", err)
		}
		in.StaffID = f.jia.ID
		if _, err := f.svc.Flag(f.as(f.yi), in); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("flagging one's supervisor: %v", err)
		}
		in.StaffID = f.yi.ID
		unreg, err := f.svc.Flag(f.as(f.jia), in)
		if err != nil || unreg.Source != "flagged" || unreg.Quantity != 1 || *unreg.FlaggedBy != f.jia.ID {
			t.Fatalf("supervisor's flag: %+v %v", unreg, err)
		}
		for name, bad := range map[string]scorecards.FlagInput{
			"type":      {StaffID: f.jia.ID, Type: "wechat_timeout", OccurredAt: at, Reason: "x"},
			"reason":    {StaffID: f.jia.ID, Type: "unregistered", OccurredAt: at},
			"future":    {StaffID: f.jia.ID, Type: "unregistered", OccurredAt: at.AddDate(1, 0, 0), Reason: "x"},
			"points":    {StaffID: f.jia.ID, Type: "unregistered", OccurredAt: at, Reason: "x", Points: 2},
			"kind":      {StaffID: f.jia.ID, Type: "unregistered", OccurredAt: at, Reason: "x", Evidence: []events.Ref{{Kind: "email", ID: "1"}}},
			"evidence":  {StaffID: f.jia.ID, Type: "unregistered", OccurredAt: at, Reason: "x", Evidence: []events.Ref{{Kind: "ticket", ID: "nope"}}},
			"dispatch":  {StaffID: f.jia.ID, Type: "dispatch_error", OccurredAt: at, Reason: "地址错", Points: 3},
			"bonus 11":  {StaffID: f.jia.ID, Type: "bonus", OccurredAt: at, Reason: "表扬", Points: 11},
			"no points": {StaffID: f.jia.ID, Type: "bonus", OccurredAt: at, Reason: "表扬"},
		} {
			if _, err := f.svc.Flag(f.as(f.mgr), bad); !apperr.Is(err, apperr.KindInvalid) {
				t.Errorf("%s: %v, want invalid", name, err)
			}
		}
		if _, err := f.svc.Flag(f.as(f.mgr), scorecards.FlagInput{StaffID: "nope", Type: "unregistered", OccurredAt: at, Reason: "x"}); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("unknown staff: %v", err)
		}

		// A bonus and a dispatch error reach 甲's March card.
		bonus, err := f.svc.Flag(f.as(f.mgr), scorecards.FlagInput{StaffID: f.jia.ID, Type: "bonus", OccurredAt: at, Points: 5, Reason: "客户来信表扬"})
		if err != nil || bonus.Quantity != 5 {
			t.Fatalf("bonus: %+v %v", bonus, err)
		}
		if _, err := f.svc.Flag(f.as(f.mgr), scorecards.FlagInput{StaffID: f.jia.ID, Type: "dispatch_error", OccurredAt: at, Points: 2, Reason: "派单地址错误"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Compute(f.as(f.mgr), "2026-03", f.jia.ID); err != nil {
			t.Fatal(err)
		}
		card, err := f.svc.Card(f.as(f.mgr), f.jia.ID, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		if card.Bonus != appraisal.P(5) || card.Final != card.Total+appraisal.P(5) || len(card.Card.Bonuses) != 1 || card.Card.Bonuses[0].ID != bonus.ID {
			t.Errorf("card bonus %s final %s total %s lines %+v", card.Bonus, card.Final, card.Total, card.Card.Bonuses)
		}
		for _, l := range card.Card.Lines {
			if l.Item == "dispatch" && l.Score != appraisal.P(8) {
				t.Errorf("dispatch line %s: %s", l.Score, l.Detail)
			}
		}

		// Withdrawal: the flagger or a manager, with a reason; never the person flagged.
		if _, err := f.svc.Withdraw(f.as(f.jia), bonus.ID, "自己撤"); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("withdrawing one's own: %v", err)
		}
		if _, err := f.svc.Withdraw(f.as(f.yi), bonus.ID, "x"); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("someone else withdrawing: %v", err)
		}
		if _, err := f.svc.Withdraw(f.as(f.mgr), bonus.ID, " "); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("without reason: %v", err)
		}
		if _, err := f.svc.Withdraw(f.as(f.mgr), "nope", "x"); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("fake id: %v", err)
		}
		w, err := f.svc.Withdraw(f.as(f.mgr), bonus.ID, "表扬信核实有误")
		if err != nil || w.WithdrawnAt == nil || w.WithdrawReason != "表扬信核实有误" || *w.WithdrawnBy != f.mgr.ID {
			t.Fatalf("withdraw: %+v %v", w, err)
		}
		if _, err := f.svc.Withdraw(f.as(f.mgr), bonus.ID, "again"); !apperr.Is(err, apperr.KindConflict) {
			t.Errorf("withdrawing twice: %v", err)
		}
		if _, err := f.svc.Withdraw(f.as(f.jia), unreg.ID, "已补登记"); err != nil {
			t.Errorf("the flagger withdrawing: %v", err)
		}
		if _, err := f.svc.Compute(f.as(f.mgr), "2026-03", f.jia.ID); err != nil {
			t.Fatal(err)
		}
		if card, _ = f.svc.Card(f.as(f.mgr), f.jia.ID, "2026-03"); card.Bonus != 0 {
			t.Errorf("bonus after withdrawal: %s", card.Bonus)
		}

		// Computed events are not withdrawn by hand.
		staff := f.jia.ID
		if err := db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
			return events.Put(ctx, tx, []events.Computed{{Key: "c1", Type: "wechat_timeout", StaffID: &staff, OccurredAt: at, Quantity: 1}}, at)
		}); err != nil {
			t.Fatal(err)
		}
		var computedID string
		if err := db.R().NewRaw("SELECT id FROM events WHERE computed_key = 'c1'").Scan(ctx, &computedID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Withdraw(f.as(f.mgr), computedID, "x"); !apperr.Is(err, apperr.KindConflict) {
			t.Errorf("withdrawing a computed event: %v", err)
		}

		// The same record cannot prove two standing events of a type.
		ev := []events.Ref{{Kind: "customer", ID: customerFor(t, db, f)}}
		if _, err := f.svc.Flag(f.as(f.mgr), scorecards.FlagInput{StaffID: f.jia.ID, Type: "attitude_complaint", OccurredAt: at, Reason: "来电投诉态度", Evidence: ev}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Flag(f.as(f.mgr), scorecards.FlagInput{StaffID: f.jia.ID, Type: "attitude_complaint", OccurredAt: at, Reason: "重复", Evidence: ev}); !apperr.Is(err, apperr.KindConflict) {
			t.Errorf("the same evidence twice: %v", err)
		}

		// A month past rating takes no flag.
		if _, err := db.SQLDB().ExecContext(ctx, "UPDATE scorecards SET status = 'approval' WHERE staff_id = '"+f.jia.ID+"'"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Flag(f.as(f.mgr), scorecards.FlagInput{StaffID: f.jia.ID, Type: "penalty", OccurredAt: at, Reason: "违规"}); !apperr.Is(err, apperr.KindConflict) {
			t.Errorf("flag in a frozen month: %v", err)
		}
		// A bonus needs a scheme with bonus lines: 乙 in February had version 1.
		feb := time.Date(2026, 2, 10, 9, 0, 0, 0, shanghai)
		if _, err := f.svc.Flag(f.as(f.mgr), scorecards.FlagInput{StaffID: f.yi.ID, Type: "bonus", OccurredAt: feb, Points: 2, Reason: "表扬"}); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("bonus without bonus lines: %v", err)
		}
		if p, err := f.svc.Flag(f.as(f.mgr), scorecards.FlagInput{StaffID: f.yi.ID, Type: "penalty", OccurredAt: feb, Points: 0, Reason: "行政处罚：通报批评"}); err != nil || p.Quantity != 0 {
			t.Errorf("penalty: %+v %v", p, err)
		}
	})
}

// customerFor makes a customer to cite.
func customerFor(t *testing.T, db *store.DB, f *fixture) string {
	t.Helper()
	id, region := store.NewID(), store.NewID()
	now := store.Time(*f.now)
	err := db.Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewRaw("INSERT INTO regions (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)", region, "区", now, now).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewRaw("INSERT INTO customers (id, code, name, class, region_id, created_at, updated_at) VALUES (?, 'C1', ?, 'B', ?, ?, ?)",
			id, "投诉客户", region, now, now).Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}
