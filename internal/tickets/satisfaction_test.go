package tickets_test

import (
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/tickets"
)

func TestSummariseSatisfaction(t *testing.T) {
	f := func(staff, name, region, class string, score int) tickets.SatisfactionFact {
		return tickets.SatisfactionFact{StaffID: staff, StaffName: name, Region: region, Class: class, Score: score}
	}
	facts := []tickets.SatisfactionFact{
		f("s1", "林雯", "国贸", "A", 5), f("s1", "林雯", "国贸", "B", 4), f("s1", "林雯", "望京", "B", 2),
		f("s2", "苏悦", "望京", "A", 5), f("s2", "苏悦", "望京", "A", 5), f("s2", "苏悦", "望京", "C", 3),
		f("s2", "苏悦", "望京", "C", 9), // out of range: ignored
	}
	s := tickets.SummariseSatisfaction("2026-03", facts)
	if s.Total.Count != 6 || s.Total.Sum != 24 || s.Total.Avg != "4.00" || s.Total.SatisfiedPercent != "66.67%" || s.Total.Scores != [5]int{0, 1, 1, 1, 3} {
		t.Fatalf("total %+v", s.Total)
	}
	if len(s.BySpecialist) != 2 || s.BySpecialist[0].Label != "林雯" && s.BySpecialist[0].Label != "苏悦" {
		t.Fatalf("by specialist %+v", s.BySpecialist)
	}
	by := map[string]tickets.SatisfactionGroup{}
	for _, g := range append(append(s.BySpecialist, s.ByRegion...), s.ByClass...) {
		by[g.Key] = g
	}
	// 林雯: (5+4+2)/3 = 3.666… → 3.67; 苏悦: (5+5+3)/3 = 4.33; 望京: (2+5+5+3)/4 = 3.75; class C: 3.00.
	for key, want := range map[string]string{"s1": "3.67", "s2": "4.33", "望京": "3.75", "国贸": "4.50", "A": "5.00", "B": "3.00", "C": "3.00"} {
		if by[key].Avg != want {
			t.Errorf("%s average %s, want %s", key, by[key].Avg, want)
		}
	}
	// Shuffled input, same table.
	rev := make([]tickets.SatisfactionFact, len(facts))
	for i := range facts {
		rev[len(facts)-1-i] = facts[i]
	}
	same := func(a, b tickets.SatisfactionGroup) bool {
		return a.Key == b.Key && a.Count == b.Count && a.Sum == b.Sum && a.Scores == b.Scores && a.Avg == b.Avg && a.SatisfiedPercent == b.SatisfiedPercent
	}
	if r := tickets.SummariseSatisfaction("2026-03", rev); !same(r.Total, s.Total) || len(r.ByRegion) != len(s.ByRegion) || !same(r.ByRegion[0], s.ByRegion[0]) {
		t.Fatal("order changes the table")
	}
	if empty := tickets.SummariseSatisfaction("2026-04", nil); empty.Total.Avg != "—" || empty.Total.SatisfiedPercent != "—" {
		t.Fatalf("empty %+v", empty.Total)
	}
}

func TestSatisfactionMonthFromCallbacks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		tk := e.move(e.asSpec1, e.ticket(e.asSpec1, repair(e.a)), "acknowledged", "in_progress", "resolved")
		d := e.detail(tk.ID)
		if len(d.Callbacks) != 1 {
			t.Fatalf("callbacks %+v", d.Callbacks)
		}
		cb := d.Callbacks[0]
		if _, err := e.svc.RecordCallback(e.asSpec1, cb.ID, cb.Version, tickets.CallbackInput{Result: "已修好", Satisfaction: 4}); err != nil {
			t.Fatal(err)
		}
		month := e.clock.Now().In(shanghai).Format("2006-01")
		s, err := e.svc.SatisfactionMonth(e.asMgr, month)
		if err != nil || s.Total.Count != 1 || s.Total.Avg != "4.00" || len(s.ByClass) != 1 || len(s.ByRegion) != 1 {
			t.Fatalf("summary %+v %v", s, err)
		}
		if _, err := e.svc.SatisfactionMonth(e.asMgr, "2026-3"); !apperr.Is(err, apperr.KindInvalid) {
			t.Fatalf("bad month: %v", err)
		}
		if _, err := e.svc.SatisfactionMonth(e.asTech, month); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("technician: %v", err)
		}
	})
}
