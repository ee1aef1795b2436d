package contracts_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/contracts"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestPolicyChangesTheRules saves a policy (设置 → 合同与应收规则) and
// checks that each setting changes what it governs: the renewal window's
// length, the days for the first renewal contact, the working days for a
// quote's follow-up and how early an installment is reminded. Each step
// saves a policy and then probes the effect, on a fresh world per case.
func TestPolicyChangesTheRules(t *testing.T) {
	// desk summarises the renewal desk as spec1 sees it.
	desk := func(t *testing.T, e *env) string {
		t.Helper()
		items, err := e.svc.RenewalDesk(e.asSpec1, contracts.RenewalFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range items {
			out = append(out, fmt.Sprintf("%s opened %s contact by %s flagged=%v", it.Number, it.WindowOpened, it.ContactDueBy, it.NoTimelyContact))
		}
		return strings.Join(out, "; ")
	}
	// remind runs the reminders and says how many of each were added.
	remind := func(t *testing.T, e *env) contracts.ReminderCounts {
		t.Helper()
		n, err := e.svc.RunReminders(e.sys)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	type step struct {
		policy func(*contracts.Policy) // nil: the defaults, nothing saved
		want   string
	}
	cases := []struct {
		name  string
		setup func(t *testing.T, e *env)
		probe func(t *testing.T, e *env) string
		steps []step
	}{
		{
			name: "renewal_contact_days moves the no-contact flag",
			setup: func(t *testing.T, e *env) {
				e.contract(e.asMgr, maint("HT-1", e.customer("国贸物业", e.r1, e.spec1), "2025-03-29", "2026-03-28")) // window opens 02-28
			},
			probe: desk,
			steps: []step{
				{nil, "HT-1 opened 2026-02-28 contact by 2026-03-06 flagged=false"},
				{func(p *contracts.Policy) { p.RenewalContactDays = 3 }, "HT-1 opened 2026-02-28 contact by 2026-03-02 flagged=true"},
				{func(p *contracts.Policy) { p.RenewalContactDays = 6 }, "HT-1 opened 2026-02-28 contact by 2026-03-05 flagged=false"},
				{func(p *contracts.Policy) { p.RenewalContactDays = 5 }, "HT-1 opened 2026-02-28 contact by 2026-03-04 flagged=true"},
			},
		},
		{
			name: "renewal_window_months opens the window earlier, on the desk and in the reminders",
			setup: func(t *testing.T, e *env) {
				e.contract(e.asMgr, maint("HT-2", e.customer("国贸物业", e.r1, e.spec1), "2025-04-21", "2026-04-20")) // 1 month: opens 03-20
			},
			probe: func(t *testing.T, e *env) string {
				return fmt.Sprintf("desk [%s] reminded %d", desk(t, e), remind(t, e).RenewalWindow)
			},
			steps: []step{
				{nil, "desk [] reminded 0"},
				{func(p *contracts.Policy) { p.RenewalWindowMonths = 2 }, "desk [HT-2 opened 2026-02-20 contact by 2026-02-26 flagged=true] reminded 1"},
				{func(p *contracts.Policy) { p.RenewalWindowMonths, p.RenewalContactDays = 2, 20 }, "desk [HT-2 opened 2026-02-20 contact by 2026-03-11 flagged=false] reminded 0"},
				{func(p *contracts.Policy) { p.RenewalWindowMonths = 1 }, "desk [] reminded 0"},
			},
		},
		{
			name: "quote_followup_working_days moves the follow-up deadline, its flag and its reminder",
			setup: func(t *testing.T, e *env) {
				n, err := e.svc.CreateNeed(e.asSpec1, contracts.NeedInput{CustomerID: e.customer("国贸物业", e.r1, e.spec1).ID, Title: "加装新风"})
				if err != nil {
					t.Fatal(err)
				}
				sent := time.Date(2026, 3, 2, 9, 0, 0, 0, shanghai) // Monday
				if _, err := e.svc.AddQuote(e.asSpec1, n.ID, contracts.QuoteInput{Number: "Q1", SentAt: &sent,
					Lines: []contracts.QuoteLineInput{{Item: "新风机", Quantity: 1, UnitPriceFen: 100}}}); err != nil {
					t.Fatal(err)
				}
			},
			probe: func(t *testing.T, e *env) string {
				list, err := e.svc.ListNeeds(e.asSpec1, contracts.NeedFilter{})
				if err != nil || len(list) != 1 || list[0].FollowUpDue == nil {
					t.Fatalf("needs %+v %v", list, err)
				}
				return fmt.Sprintf("due %s overdue=%v reminded %d", list[0].FollowUpDue.In(shanghai).Format("2006-01-02 15:04"),
					list[0].FollowUpOverdue, remind(t, e).QuoteFollowUp)
			},
			// Today is Thursday 03-05 10:00; the deadline is the end of the Nth working day after Monday.
			steps: []step{
				{func(p *contracts.Policy) { p.QuoteFollowupWorkingDays = 5 }, "due 2026-03-10 00:00 overdue=false reminded 0"},
				{func(p *contracts.Policy) { p.QuoteFollowupWorkingDays = 2 }, "due 2026-03-05 00:00 overdue=true reminded 1"},
			},
		},
		{
			name: "due_soon_days widens or narrows the installment-due reminder",
			setup: func(t *testing.T, e *env) {
				in := maint("HT-3", e.customer("国贸物业", e.r1, e.spec1), "2026-01-01", "2026-12-31")
				in.Installments = []contracts.InstallmentInput{{DueOn: "2026-03-10", AmountFen: 6_000_000}, {DueOn: "2026-03-20", AmountFen: 6_000_000}}
				e.contract(e.asMgr, in) // due in 5 and in 15 days
			},
			probe: func(t *testing.T, e *env) string { return fmt.Sprintf("reminded %d", remind(t, e).InstallmentDue) },
			steps: []step{
				{func(p *contracts.Policy) { p.DueSoonDays = 3 }, "reminded 0"},
				{func(p *contracts.Policy) { p.DueSoonDays = 5 }, "reminded 1"},
				{func(p *contracts.Policy) { p.DueSoonDays = 14 }, "reminded 0"},
				{func(p *contracts.Policy) { p.DueSoonDays = 15 }, "reminded 1"},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db) // today Thursday 2026-03-05 10:00
				tc.setup(t, e)
				for i, s := range tc.steps {
					if s.policy != nil {
						p := contracts.DefaultPolicy()
						s.policy(&p)
						if err := e.svc.SavePolicy(e.asMgr, p); err != nil {
							t.Fatalf("step %d: save %+v: %v", i, p, err)
						}
						if got, err := e.svc.Policy(e.asSpec1); err != nil || got != p {
							t.Fatalf("step %d: saved %+v, read back %+v %v", i, p, got, err)
						}
					}
					if got := tc.probe(t, e); got != s.want {
						t.Errorf("step %d:\n got %s\nwant %s", i, got, s.want)
					}
				}
			})
		})
	}
}

// TestPolicyOnlyManagersChange: a specialist's or finance's save is
// refused and changes nothing.
func TestPolicyOnlyManagersChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		p := contracts.DefaultPolicy()
		p.RenewalContactDays = 3
		for name, ctx := range map[string]any{"specialist": e.asSpec1, "finance": e.asFin, "executive": e.asExec} {
			if err := e.svc.SavePolicy(ctxOf(ctx), p); !apperr.Is(err, apperr.KindForbidden) {
				t.Errorf("%s saves the policy: %v", name, err)
			}
		}
		p.DueSoonDays = 0
		wantErr(t, e.svc.SavePolicy(e.asMgr, p), apperr.KindInvalid, "due_soon_days")
		if got, err := e.svc.Policy(e.asMgr); err != nil || got != contracts.DefaultPolicy() {
			t.Fatalf("policy after refused saves: %+v %v", got, err)
		}
	})
}
