package fieldwork

import (
	"slices"
	"strings"
	"testing"
	"time"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

func at(s string) time.Time {
	t, err := time.ParseInLocation(time.DateTime, s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

// complete is evidence that meets every requirement: work completed on
// Tuesday 2026-03-10 at 15:00, everything uploaded and posted that day,
// the original in on the 20th, the callback done.
func complete(typ string, parts ...string) Evidence {
	ev := Evidence{Type: typ, Parts: parts, CompletedAt: at("2026-03-10 15:00:00"),
		SheetUploadedAt: ptr(at("2026-03-10 16:00:00")), PostedToGroupAt: ptr(at("2026-03-10 16:05:00")),
		PaperReceivedOn: "2026-03-20", CallbackDone: true, Satisfaction: 5}
	for _, s := range Slots(typ, parts) {
		ev.Photos = append(ev.Photos, Photo{Slot: s.Key(), UploadedAt: at("2026-03-10 16:00:00"), DateOK: true})
	}
	return ev
}

func notMet(list []Requirement) []string {
	_, not := Acceptable(list)
	var keys []string
	for _, r := range not {
		keys = append(keys, r.Key+"="+r.State)
	}
	return keys
}

// SPEC §6.4: the photos and the sheet each type needs.
func TestSlotsAndSheets(t *testing.T) {
	keys := func(ss []Slot) string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Key())
		}
		return strings.Join(out, " ")
	}
	for _, c := range []struct {
		typ   string
		parts []string
		slots string
		sheet string
	}{
		{TypeInspection, nil, "/params", SheetAcceptance},
		{TypeInspection, []string{"冷凝器"}, "/params", SheetAcceptance},
		{TypeSeasonal, nil, "/before /during /after", SheetAcceptance},
		{TypeSeasonal, []string{"冷凝器", "蒸发器"}, "冷凝器/before 冷凝器/during 冷凝器/after 蒸发器/before 蒸发器/during 蒸发器/after", SheetAcceptance},
		{TypeRepair, nil, "/before /during /after /params", SheetConstruction},
		{TypeConstruction, nil, "/before /during /after", SheetConstruction},
		{TypeOther, nil, "", SheetAcceptance},
	} {
		if got := keys(Slots(c.typ, c.parts)); got != c.slots {
			t.Errorf("%s %v: slots %q, want %q", c.typ, c.parts, got, c.slots)
		}
		if got := SheetOf(c.typ); got != c.sheet {
			t.Errorf("%s: sheet %s, want %s", c.typ, got, c.sheet)
		}
	}
}

// Complete evidence is acceptable; each requirement missing or late alone
// refuses acceptance and is the one line the checklist names (缺一不可).
func TestEachMissingItemAloneRefuses(t *testing.T) {
	p := DefaultPolicy()
	now := at("2026-03-25 10:00:00")
	for _, typ := range []string{TypeInspection, TypeSeasonal, TypeRepair, TypeConstruction} {
		parts := []string(nil)
		if typ == TypeSeasonal {
			parts = []string{"冷凝器", "蒸发器"}
		}
		base := complete(typ, parts...)
		if got := notMet(Checklist(base, p, shanghai, now)); len(got) != 0 {
			t.Fatalf("%s: complete evidence refused: %v", typ, got)
		}
		type mutation struct {
			name string
			do   func(ev *Evidence)
			want []string
		}
		muts := []mutation{
			{"sheet not uploaded", func(ev *Evidence) { ev.SheetUploadedAt = nil }, []string{"sheet=missing"}},
			{"not posted to the group", func(ev *Evidence) { ev.PostedToGroupAt = nil }, []string{"group_post=missing"}},
			{"posted the next day", func(ev *Evidence) { ev.PostedToGroupAt = ptr(at("2026-03-11 00:00:00")) }, []string{"group_post=late"}},
			{"posted just before midnight", func(ev *Evidence) { ev.PostedToGroupAt = ptr(at("2026-03-10 23:59:59")) }, nil},
			{"sheet uploaded on the 7th day", func(ev *Evidence) { ev.SheetUploadedAt = ptr(at("2026-03-17 23:59:59")) }, nil},
			{"sheet uploaded on the 8th day", func(ev *Evidence) { ev.SheetUploadedAt = ptr(at("2026-03-18 00:00:00")) }, []string{"upload_deadline=late"}},
			{"paper original not in", func(ev *Evidence) { ev.PaperReceivedOn = "" }, []string{"paper=missing"}},
			{"paper original on the 25th", func(ev *Evidence) { ev.PaperReceivedOn = "2026-03-25" }, nil},
			{"paper original on the 26th", func(ev *Evidence) { ev.PaperReceivedOn = "2026-03-26" }, []string{"paper=late"}},
			{"no callback", func(ev *Evidence) { ev.CallbackDone = false }, []string{"callback=missing"}},
			{"callback without satisfaction", func(ev *Evidence) { ev.Satisfaction = 0 }, []string{"callback=missing"}},
		}
		for _, s := range Slots(typ, parts) {
			key := "photo:" + s.Key()
			muts = append(muts,
				mutation{"photo " + s.Key() + " missing", func(ev *Evidence) {
					ev.Photos = slices.DeleteFunc(slices.Clone(ev.Photos), func(ph Photo) bool { return ph.Slot == s.Key() })
				}, []string{key + "=missing"}},
				mutation{"photo " + s.Key() + " not of the work day", func(ev *Evidence) {
					ev.Photos = slices.Clone(ev.Photos)
					for i := range ev.Photos {
						if ev.Photos[i].Slot == s.Key() {
							ev.Photos[i].DateOK = false
						}
					}
				}, []string{key + "=missing"}},
				mutation{"photo " + s.Key() + " not of the work day, watermark confirmed", func(ev *Evidence) {
					ev.Photos = slices.Clone(ev.Photos)
					for i := range ev.Photos {
						if ev.Photos[i].Slot == s.Key() {
							ev.Photos[i].DateOK, ev.Photos[i].WatermarkConfirmed = false, true
						}
					}
				}, nil},
				mutation{"photo " + s.Key() + " uploaded on the 8th day", func(ev *Evidence) {
					ev.Photos = slices.Clone(ev.Photos)
					for i := range ev.Photos {
						if ev.Photos[i].Slot == s.Key() {
							ev.Photos[i].UploadedAt = at("2026-03-18 09:00:00")
						}
					}
				}, []string{"upload_deadline=late"}},
			)
		}
		for _, m := range muts {
			ev := base
			m.do(&ev)
			list := Checklist(ev, p, shanghai, now)
			got := notMet(list)
			if !slices.Equal(got, m.want) {
				t.Errorf("%s, %s: not met %v, want %v", typ, m.name, got, m.want)
			}
			ok, _ := Acceptable(list)
			if ok != (len(m.want) == 0) {
				t.Errorf("%s, %s: acceptable %v", typ, m.name, ok)
			}
			for _, r := range list {
				if r.State != Met && r.Detail == "" {
					t.Errorf("%s, %s: %s not met without a reason", typ, m.name, r.Key)
				}
			}
		}
	}
}

// Work not yet completed cannot be accepted, whatever else is in.
func TestNotCompleted(t *testing.T) {
	ev := complete(TypeRepair)
	ev.CompletedAt = time.Time{}
	got := notMet(Checklist(ev, DefaultPolicy(), shanghai, at("2026-03-12 10:00:00")))
	want := []string{"completed=missing", "upload_deadline=missing", "paper=missing"}
	if !slices.Equal(got, want) {
		t.Fatalf("not completed: %v, want %v", got, want)
	}
}

// The original is due the 25th of the month of completion, or of the next
// month when the work was completed after the 25th.
func TestPaperDue(t *testing.T) {
	p := DefaultPolicy()
	for _, c := range []struct{ completed, due string }{
		{"2026-03-10 15:00:00", "2026-03-25"},
		{"2026-03-25 23:00:00", "2026-03-25"},
		{"2026-03-26 08:00:00", "2026-04-25"},
		{"2026-12-28 08:00:00", "2027-01-25"},
	} {
		if got := p.PaperDue(at(c.completed)).Format(time.DateOnly); got != c.due {
			t.Errorf("completed %s: due %s, want %s", c.completed, got, c.due)
		}
	}
}

// Whatever the evidence, the checklist is acceptable only if every photo
// slot has a photo dated or confirmed, and the result does not depend on
// the order of the photos.
func FuzzChecklist(f *testing.F) {
	f.Add(uint8(2), uint16(0xffff), int64(3600), int64(7200), uint8(20), true, uint8(5))
	f.Add(uint8(1), uint16(0x0001), int64(-3600), int64(86400*9), uint8(27), false, uint8(0))
	f.Fuzz(func(t *testing.T, typ uint8, mask uint16, postOff, upOff int64, paperDay uint8, cb bool, sat uint8) {
		kind := Types[int(typ)%len(Types)]
		ev := complete(kind, "冷凝器", "蒸发器")
		var kept []Photo
		for i, ph := range ev.Photos {
			if mask&(1<<(i%16)) != 0 {
				ph.UploadedAt = ev.CompletedAt.Add(time.Duration(upOff%(86400*30)) * time.Second)
				ph.DateOK = mask&(1<<((i+5)%16)) != 0
				kept = append(kept, ph)
			}
		}
		ev.Photos = kept
		ev.PostedToGroupAt = ptr(ev.CompletedAt.Add(time.Duration(postOff%(86400*3)) * time.Second))
		ev.PaperReceivedOn = time.Date(2026, 3, 1+int(paperDay)%40, 0, 0, 0, 0, shanghai).Format(time.DateOnly)
		ev.CallbackDone, ev.Satisfaction = cb, int(sat)%7
		list := Checklist(ev, DefaultPolicy(), shanghai, at("2026-04-30 00:00:00"))
		ok, _ := Acceptable(list)
		have := map[string]bool{}
		for _, ph := range ev.Photos {
			if ph.DateOK || ph.WatermarkConfirmed {
				have[ph.Slot] = true
			}
		}
		for _, s := range Slots(kind, ev.Parts) {
			if !have[s.Key()] && ok {
				t.Fatalf("accepted without photo %s", s.Key())
			}
		}
		rev := ev
		rev.Photos = slices.Clone(ev.Photos)
		slices.Reverse(rev.Photos)
		if again := Checklist(rev, DefaultPolicy(), shanghai, at("2026-04-30 00:00:00")); !slices.Equal(again, list) {
			t.Fatalf("order of the photos changed the checklist")
		}
	})
}
