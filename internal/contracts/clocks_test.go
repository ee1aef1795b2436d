package contracts_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/contracts"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/workcal"
)

// fakeClocks records what it is asked to re-derive and, with fail set,
// fails.
type fakeClocks struct {
	mu    sync.Mutex
	fail  bool
	calls []string // customer|at
}

func (f *fakeClocks) RecomputeCustomer(ctx context.Context, customerID string, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, customerID+"|"+at.UTC().Format(time.RFC3339))
	if f.fail {
		return errors.New("database is locked")
	}
	return nil
}

// Each contact logged through contracts asks for the customer's clocks to
// be re-derived at its time, after it is stored; a failure there is
// logged and the record kept; a refused contact asks nothing.
func TestContactRecordsReDeriveClocks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var logs bytes.Buffer
		fake := &fakeClocks{}
		e.svc = contracts.NewService(db, workcal.NewService(db, e.clock.Now), e.clock.Now, contracts.Options{Location: shanghai,
			Clocks: fake, Log: slog.New(slog.NewTextHandler(&logs, nil))})
		c := e.customer("国贸物业", e.r1, e.spec1)
		k := e.contract(e.asMgr, maint("HT-1", c, "2025-04-01", "2026-03-31"))
		n, err := e.svc.CreateNeed(e.asSpec1, contracts.NeedInput{CustomerID: c.ID, Title: "新增冷却塔清洗"})
		if err != nil {
			t.Fatal(err)
		}
		back := startTime.Add(-20 * time.Minute)
		want := func(at time.Time) string { return c.ID + "|" + at.UTC().Format(time.RFC3339) }
		cases := []struct {
			name     string
			fail     bool
			log      func() (*contracts.Communication, error)
			wantErr  apperr.Kind
			wantCall string // "" = no call
		}{
			{name: "renewal call", log: func() (*contracts.Communication, error) {
				return e.svc.LogContractContact(e.asSpec1, k.ID, contracts.TagRenewal, contracts.CommunicationInput{Channel: "phone_out", Summary: "续签意向"})
			}, wantCall: want(startTime)},
			{name: "backdated dunning call", log: func() (*contracts.Communication, error) {
				return e.svc.LogContractContact(e.asSpec1, k.ID, contracts.TagDunning, contracts.CommunicationInput{Channel: "phone_out", Summary: "催款", OccurredAt: &back})
			}, wantCall: want(back)},
			{name: "quote follow-up", log: func() (*contracts.Communication, error) {
				return e.svc.LogFollowUp(e.asSpec1, n.ID, contracts.CommunicationInput{Channel: "wechat_private", Summary: "报价已发"})
			}, wantCall: want(startTime)},
			{name: "refused", log: func() (*contracts.Communication, error) {
				return e.svc.LogContractContact(e.asSpec2, k.ID, contracts.TagRenewal, contracts.CommunicationInput{Channel: "phone_out", Summary: "x"})
			}, wantErr: apperr.KindForbidden},
			{name: "re-derivation fails", fail: true, log: func() (*contracts.Communication, error) {
				return e.svc.LogContractContact(e.asSpec1, k.ID, contracts.TagRenewal, contracts.CommunicationInput{Channel: "phone_out", Summary: "再次联系"})
			}, wantCall: want(startTime)},
		}
		for _, tc := range cases {
			fake.mu.Lock()
			fake.calls, fake.fail = nil, tc.fail
			fake.mu.Unlock()
			logs.Reset()
			cm, err := tc.log()
			if tc.wantErr != "" {
				if !apperr.Is(err, tc.wantErr) || len(fake.calls) != 0 {
					t.Fatalf("%s: err %v, calls %v", tc.name, err, fake.calls)
				}
				continue
			}
			if err != nil || cm == nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if len(fake.calls) != 1 || fake.calls[0] != tc.wantCall {
				t.Fatalf("%s: calls %v, want [%s]", tc.name, fake.calls, tc.wantCall)
			}
			// The record is stored, whatever the re-derivation did.
			var stored int
			if err := db.R().NewRaw("SELECT COUNT(*) FROM communications WHERE id = ?", cm.ID).Scan(context.Background(), &stored); err != nil || stored != 1 {
				t.Fatalf("%s: record stored %d times (%v)", tc.name, stored, err)
			}
			if logged := strings.Contains(logs.String(), cm.ID); logged != tc.fail {
				t.Fatalf("%s: logged %v, want %v: %s", tc.name, logged, tc.fail, logs.String())
			}
		}
	})
}
