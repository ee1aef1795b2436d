package fieldwork_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/internal/fieldwork"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func (e *env) deriveProgress() fieldwork.ProgressCounts {
	e.t.Helper()
	n, err := e.svc.DeriveProgressEvents(e.sys)
	if err != nil {
		e.t.Fatalf("derive progress events: %v", err)
	}
	return n
}

// standing are the keys of the events of typ not withdrawn.
func (e *env) standing(typ string) []string {
	e.t.Helper()
	var keys []string
	for k, r := range e.events(typ) {
		if r.Withdrawn == nil {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func TestFollowupMissing(t *testing.T) {
	type rec struct {
		clock time.Time
		in    fieldwork.FollowupInput
	}
	rem := func(atText string) fieldwork.FollowupInput {
		return fieldwork.FollowupInput{Day: "2026-03-09", Kind: fieldwork.FollowupReminder, At: atText}
	}
	fb := func(atText string) fieldwork.FollowupInput {
		return fieldwork.FollowupInput{Day: "2026-03-09", Kind: fieldwork.FollowupGroupFeedback, At: atText}
	}
	evening, nextMorning := at("2026-03-09", 18, 0), at("2026-03-10", 9, 30)
	for _, c := range []struct {
		name string
		recs []rec
		want []string // kinds missing on 2026-03-09
	}{
		{"nothing recorded", nil, []string{"group_feedback", "reminder"}},
		{"a reminder but no group feedback", []rec{{evening, rem("2026-03-09 08:00")}}, []string{"group_feedback"}},
		{"group feedback but no reminder", []rec{{evening, fb("2026-03-09 17:50")}}, []string{"reminder"}},
		{"both", []rec{{evening, rem("2026-03-09 08:00")}, {evening, fb("2026-03-09 17:50")}}, nil},
		{"reminded the evening before", []rec{{evening, rem("2026-03-08 19:00")}, {evening, fb("2026-03-09 17:50")}}, nil},
		{"posted to the group the next day", []rec{{evening, rem("2026-03-09 08:00")}, {nextMorning, fb("2026-03-10 09:00")}}, []string{"group_feedback"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				e.work("2026-03-09", "2026-03-09", e.tech1.ID)
				for _, r := range c.recs {
					e.clock.Set(r.clock)
					r.in.CustomerID = e.a.ID
					if _, err := e.svc.RecordFollowup(e.asSpec1, r.in); err != nil {
						t.Fatal(err)
					}
				}
				e.clock.Set(at("2026-03-10", 10, 0))
				n := e.deriveProgress()
				var want []string
				for _, k := range c.want {
					want = append(want, "followup_missing|"+e.a.ID+"|2026-03-09|"+k)
				}
				if got := e.standing("followup_missing"); !slices.Equal(got, want) || n.FollowupsMissing != len(want) {
					t.Fatalf("events %v (count %d), want %v", got, n.FollowupsMissing, want)
				}
				for _, ev := range e.events("followup_missing") {
					if ev.Quantity != 1 || ev.StaffID == nil || *ev.StaffID != e.spec1.ID {
						t.Errorf("event %+v: want 1 against spec1", ev)
					}
				}
			})
		})
	}
}

func TestFollowupMissingDaysAndCorrection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w := e.work("2026-03-09", "2026-03-10", e.tech1.ID)
		// On the 10th the 10th is still open (the day is not over): only the 9th counts.
		e.clock.Set(at("2026-03-10", 20, 0))
		e.deriveProgress()
		key := func(day, kind string) string { return "followup_missing|" + e.a.ID + "|" + day + "|" + kind }
		want := []string{key("2026-03-09", "group_feedback"), key("2026-03-09", "reminder")}
		if got := e.standing("followup_missing"); !slices.Equal(got, want) {
			t.Fatalf("on the 10th: %v, want %v", got, want)
		}
		// The 11th: both days; the 8th and 11th (no work) never.
		e.clock.Set(at("2026-03-11", 9, 0))
		n1 := e.deriveProgress()
		want = []string{key("2026-03-09", "group_feedback"), key("2026-03-09", "reminder"), key("2026-03-10", "group_feedback"), key("2026-03-10", "reminder")}
		if got := e.standing("followup_missing"); !slices.Equal(got, want) {
			t.Fatalf("on the 11th: %v, want %v", got, want)
		}
		// Deterministic: again, the same events, nothing added.
		before := e.events("followup_missing")
		if n2 := e.deriveProgress(); n2 != n1 || !maps.EqualFunc(before, e.events("followup_missing"), func(a, b eventRow) bool { return a.Quantity == b.Quantity }) {
			t.Fatalf("second run %+v vs %+v", n2, n1)
		}
		// The record is corrected: the reminder of the 9th was made but not
		// recorded. Its event is withdrawn, the others stand.
		if _, err := e.svc.RecordFollowup(e.asSpec1, fieldwork.FollowupInput{WorkOrderID: w.ID, Day: "2026-03-09", Kind: fieldwork.FollowupReminder,
			At: "2026-03-09 08:10", Note: "补登：当日已在群内提醒"}); err != nil {
			t.Fatal(err)
		}
		n := e.deriveProgress()
		if got := e.standing("followup_missing"); len(got) != 3 || slices.Contains(got, key("2026-03-09", "reminder")) || n.Withdrawn != 1 {
			t.Fatalf("after the correction: %v (withdrawn %d)", got, n.Withdrawn)
		}
		if ev := e.events("followup_missing")[key("2026-03-09", "reminder")]; ev.Withdrawn == nil {
			t.Fatalf("the corrected event is not withdrawn: %+v", ev)
		}
		// Work before the policy's TrackFrom makes no events.
		pol := fieldwork.DefaultProgressPolicy()
		pol.TrackFrom = "2026-03-10"
		if _, err := e.svc.SaveProgressPolicy(e.asMgr, pol); err != nil {
			t.Fatal(err)
		}
		e.deriveProgress()
		if got := e.standing("followup_missing"); !slices.Equal(got, []string{key("2026-03-10", "group_feedback"), key("2026-03-10", "reminder")}) {
			t.Fatalf("tracking from the 10th: %v", got)
		}
	})
}

func TestSummaryMissing(t *testing.T) {
	for _, c := range []struct {
		name     string
		submitAt time.Time // zero: never
		derive   time.Time
		want     bool
	}{
		{"not yet due", time.Time{}, at("2026-03-09", 19, 59), false},
		{"due and not submitted", time.Time{}, at("2026-03-09", 20, 1), true},
		{"submitted before the due time", at("2026-03-09", 19, 0), at("2026-03-10", 9, 0), false},
		{"submitted exactly at the due time", at("2026-03-09", 20, 0), at("2026-03-10", 9, 0), false},
		{"submitted after the due time", at("2026-03-09", 20, 30), at("2026-03-10", 9, 0), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				w := e.work("2026-03-09", "2026-03-09", e.tech1.ID)
				if !c.submitAt.IsZero() {
					e.clock.Set(c.submitAt)
					s, err := e.svc.SubmitDailySummary(e.asSpec1, "2026-03-09", 0, "")
					if err != nil {
						t.Fatal(err)
					}
					if s.Late != c.want || len(s.SubmittedLines) != 1 || s.SubmittedLines[0].WorkOrderID != w.ID {
						t.Fatalf("submitted: late %v lines %+v", s.Late, s.SubmittedLines)
					}
				}
				e.clock.Set(c.derive)
				n := e.deriveProgress()
				var want []string
				if c.want {
					want = []string{"summary_missing|" + e.spec1.ID + "|2026-03-09"}
				}
				if got := e.standing("summary_missing"); !slices.Equal(got, want) || n.SummariesMissing != len(want) {
					t.Fatalf("events %v, want %v", got, want)
				}
				// spec2 had no work, the 6th and 10th had none: never an event.
				for k := range e.events("summary_missing") {
					if strings.Contains(k, e.spec2.ID) || !strings.HasSuffix(k, "2026-03-09") {
						t.Errorf("unexpected %s", k)
					}
				}
			})
		})
	}
}

func TestProblemNotForwarded(t *testing.T) {
	// Recorded Thursday 2026-03-05 10:00 (startTime): due by the end of
	// Friday (1 working day).
	for _, c := range []struct {
		name      string
		forwardAt time.Time // zero: never
		derive    time.Time
		want      bool
	}{
		{"not yet due", time.Time{}, at("2026-03-06", 23, 0), false},
		{"never forwarded", time.Time{}, at("2026-03-09", 9, 0), true},
		{"forwarded on time", at("2026-03-06", 17, 0), at("2026-03-09", 9, 0), false},
		{"forwarded late", at("2026-03-09", 8, 30), at("2026-03-09", 9, 0), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				w := e.work("2026-03-09", "2026-03-09", e.tech1.ID)
				pb, err := e.svc.RecordProblem(e.asSpec1, fieldwork.ProblemInput{WorkOrderID: w.ID, Type: fieldwork.ProblemQuality,
					TechnicianID: e.tech1.ID, Description: "冷却塔漏水", Evidence: "客户群 03-05 照片"})
				if err != nil {
					t.Fatal(err)
				}
				if want := at("2026-03-07", 0, 0); !pb.ForwardDue.Equal(want) {
					t.Fatalf("forward due %v, want the end of Friday", pb.ForwardDue.In(shanghai))
				}
				if !c.forwardAt.IsZero() {
					e.clock.Set(c.forwardAt)
					if _, err := e.svc.ForwardProblem(e.asSpec1, pb.ID, pb.Version, fieldwork.ForwardInput{ToStaffID: e.sup.ID}); err != nil {
						t.Fatal(err)
					}
				}
				e.clock.Set(c.derive)
				e.deriveProgress()
				var want []string
				if c.want {
					want = []string{"problem_not_forwarded|" + pb.ID}
				}
				if got := e.standing("problem_not_forwarded"); !slices.Equal(got, want) {
					t.Fatalf("events %v, want %v", got, want)
				}
				if c.want {
					if ev := e.events("problem_not_forwarded")[want[0]]; ev.StaffID == nil || *ev.StaffID != e.spec1.ID || ev.Quantity != 1 {
						t.Errorf("event %+v: want 1 against spec1", ev)
					}
				}
			})
		})
	}
}
