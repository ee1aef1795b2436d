package customers_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/customers"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestContactPhones(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer("电话客户", e.r1, e.spec1)
		cases := []struct {
			phone, want string
		}{
			{"+86 138-0013-8000", "13800138000"},
			{"0086 13800138000", "13800138000"},
			{"138 0013 8000", "13800138000"},
			{"8613800138000", "13800138000"},
			{"010-65432100", "010-65432100"},
			{"(010) 6543 2100 转 801", "010-65432100-801"},
			{"400 123 4567", "400-123-4567"},
			{"", ""},
		}
		for i, tc := range cases {
			ct, err := e.svc.AddContact(e.asSpec1, c.ID, customers.ContactInput{Name: fmt.Sprintf("联系人%d", i), Phone: tc.phone, Phone2: tc.phone})
			if err != nil {
				t.Errorf("phone %q: %v", tc.phone, err)
				continue
			}
			stored, err := e.svc.Contact(e.asSpec1, ct.ID)
			ok(t, err)
			if stored.Phone != tc.want || stored.Phone2 != tc.want {
				t.Errorf("phone %q stored as %q / %q, want %q", tc.phone, stored.Phone, stored.Phone2, tc.want)
			}
		}

		before := e.snapshot()
		bad := []struct {
			in    customers.ContactInput
			field string
		}{
			{customers.ContactInput{Name: "甲", Phone: "12345"}, "phone"},
			{customers.ContactInput{Name: "甲", Phone: "138001380001"}, "phone"},
			{customers.ContactInput{Name: "甲", Phone: "abc"}, "phone"},
			{customers.ContactInput{Name: "甲", Phone: "1.38E+10"}, "phone"},
			{customers.ContactInput{Name: "甲", Phone2: "电话"}, "phone2"},
			{customers.ContactInput{Name: ""}, "name"},
			{customers.ContactInput{Name: strings.Repeat("名", 51)}, "name"},
			{customers.ContactInput{Name: "甲", Email: "no-at-sign"}, "email"},
			{customers.ContactInput{Name: "甲", WeChat: strings.Repeat("w", 65)}, "wechat"},
			{customers.ContactInput{Name: "甲", Change: customers.Change{KnownOn: "2026-13-01"}}, "known_on"},
		}
		for _, tc := range bad {
			_, err := e.svc.AddContact(e.asSpec1, c.ID, tc.in)
			wantErr(t, err, apperr.KindInvalid, tc.field)
		}
		// An update with a bad phone leaves the stored contact as it was.
		ct := e.contact(c, "改号的人", "13800138000")
		_, err := e.svc.UpdateContact(e.asSpec1, ct.ID, ct.Version, customers.ContactInput{Name: "改号的人", Phone: "13800"})
		wantErr(t, err, apperr.KindInvalid, "phone")
		stored, err := e.svc.Contact(e.asMgr, ct.ID)
		ok(t, err)
		if stored.Phone != "13800138000" || stored.Version != ct.Version {
			t.Errorf("after a refused update: %+v", stored)
		}
		before["contacts"]++
		before["archive_changes"]++
		before["audit_log"]++
		e.sameCounts(before, "invalid contacts")
	})
}

func TestContactLifecycle(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer("联系人客户", e.r1, e.spec1)
		other := e.customer("别家", e.r2, e.spec2)

		ct, err := e.svc.AddContact(e.asSpec1, c.ID, customers.ContactInput{Name: " 王经理 ", Title: "物业经理", Phone: "13800138000", DecisionMaker: true})
		ok(t, err)
		if ct.Name != "王经理" || !ct.Active || !ct.DecisionMaker || ct.Version != 1 || ct.CustomerID != c.ID {
			t.Fatalf("created contact %+v", ct)
		}
		e.clock.Advance(time.Minute)
		// Permissions: other specialist, technician cannot add or change.
		_, err = e.svc.AddContact(e.asSpec2, c.ID, customers.ContactInput{Name: "越权"})
		wantErr(t, err, apperr.KindForbidden, "")
		_, err = e.svc.AddContact(e.asTech, c.ID, customers.ContactInput{Name: "越权"})
		wantErr(t, err, apperr.KindForbidden, "")
		_, err = e.svc.UpdateContact(e.asSpec2, ct.ID, ct.Version, customers.ContactInput{Name: "越权"})
		wantErr(t, err, apperr.KindForbidden, "")
		_, err = e.svc.AddContact(e.asSpec1, store.NewID(), customers.ContactInput{Name: "无客户"})
		wantErr(t, err, apperr.KindNotFound, "")
		_, err = e.svc.UpdateContact(e.asSpec1, store.NewID(), 1, customers.ContactInput{Name: "无此人"})
		wantErr(t, err, apperr.KindNotFound, "")

		// The contact leaves (离任): deactivated, never deleted.
		in := contactInputOf(ct)
		in.Active = ptr(false)
		left, err := e.svc.UpdateContact(e.asSpec1, ct.ID, ct.Version, in)
		ok(t, err)
		if left.Active || left.Version != 2 {
			t.Fatalf("after leaving: %+v", left)
		}
		// Stale version.
		in2 := contactInputOf(ct)
		in2.Title = "总经理"
		_, err = e.svc.UpdateContact(e.asSpec1, ct.ID, ct.Version, in2)
		wantErr(t, err, apperr.KindConflict, "version")
		// An update that leaves Active out keeps it.
		in3 := contactInputOf(left)
		in3.Active = nil
		in3.Title = "前物业经理"
		kept, err := e.svc.UpdateContact(e.asSpec1, ct.ID, left.Version, in3)
		ok(t, err)
		if kept.Active {
			t.Errorf("Active nil reactivated the contact")
		}

		// A second, active contact sorts first; nothing was deleted.
		e.contact(c, "李工", "13900139000")
		list, err := e.svc.Contacts(e.asSpec1, c.ID)
		ok(t, err)
		if len(list) != 2 || list[0].Name != "李工" || list[1].Name != "王经理" || list[1].Active {
			t.Errorf("contacts: %+v", list)
		}
		// Another customer's contacts are separate.
		if l, _ := e.svc.Contacts(e.asMgr, other.ID); len(l) != 0 {
			t.Errorf("other customer has %d contacts", len(l))
		}

		h, err := e.svc.Changes(e.asMgr, customers.ChangeFilter{CustomerID: c.ID, Limit: 1000})
		ok(t, err)
		var contactChanges []customers.ArchiveChangeView
		for _, ch := range h {
			if ch.Entity == "contact" && ch.EntityID == ct.ID {
				contactChanges = append(contactChanges, ch)
			}
		}
		if len(contactChanges) != 3 {
			t.Fatalf("history of the contact: %d entries, want create, leave, title", len(contactChanges))
		}
		title, leave, create := contactChanges[0], contactChanges[1], contactChanges[2]
		if create.Action != "create" || leave.Action != "update" || title.Action != "update" {
			t.Errorf("actions %s %s %s", create.Action, leave.Action, title.Action)
		}
		if !strings.Contains(leave.Summary, "离任") {
			t.Errorf("leaving summary %q does not say 离任", leave.Summary)
		}
		wantDiff(t, "leave", leave, map[string][2]any{"active": {true, false}})
		wantDiff(t, "title", title, map[string][2]any{"title": {"物业经理", "前物业经理"}})
		fields := fieldsOf(create)
		for _, f := range []string{"name", "title", "phone", "decision_maker", "active"} {
			if !slices.Contains(fields, f) {
				t.Errorf("create diff lacks %s: %v", f, fields)
			}
		}
	})
}

func fieldsOf(ch customers.ArchiveChangeView) []string {
	var out []string
	for _, fc := range ch.Changes {
		out = append(out, fc.Field)
	}
	return out
}

func wantDiff(t *testing.T, what string, ch customers.ArchiveChangeView, want map[string][2]any) {
	t.Helper()
	if len(ch.Changes) != len(want) {
		t.Errorf("%s: diff %+v, want %v", what, ch.Changes, want)
		return
	}
	for _, fc := range ch.Changes {
		w, ok := want[fc.Field]
		if !ok || fmt.Sprint(fc.Before) != fmt.Sprint(w[0]) || fmt.Sprint(fc.After) != fmt.Sprint(w[1]) {
			t.Errorf("%s: %s %v → %v, want %v", what, fc.Field, fc.Before, fc.After, w)
		}
	}
}

// TestContactEditsProperty: for random sequences of contact edits — many of
// them no-ops, some spelling the same phone differently — the history has
// exactly one entry per edit that changed something, naming exactly the
// fields that changed, and none for the no-ops.
func TestContactEditsProperty(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for seed := uint64(1); seed <= 6; seed++ {
			t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, 99))
				c := e.customer(fmt.Sprintf("性质测试 %d", seed), e.r1, e.spec1)
				// Phones as typed → as stored.
				phones := [][2]string{{"13800138000", "13800138000"}, {"+86 138 0013 8000", "13800138000"},
					{"13900139000", "13900139000"}, {"139-0013-9000", "13900139000"}, {"", ""}, {"010-65432100", "010-65432100"}}
				type state struct {
					Title, Phone, WeChat, Notes string
					DM, Active                  bool
				}
				var contacts []*customers.Contact
				states := map[string]state{}
				for i := range 3 {
					ct := e.contact(c, fmt.Sprintf("人%d", i), "")
					contacts = append(contacts, ct)
					states[ct.ID] = state{Active: true}
				}
				wantEntries := map[string][][]string{} // contact id → changed fields per real change, in order
				noops, real := 0, 0
				for step := range 40 {
					e.clock.Advance(time.Second)
					i := rng.IntN(len(contacts))
					ct := contacts[i]
					cur := states[ct.ID]
					next := cur
					in := customers.ContactInput{Name: ct.Name, Title: cur.Title, WeChat: cur.WeChat, Notes: cur.Notes,
						DecisionMaker: cur.DM, Active: ptr(cur.Active)}
					// The stored phone may be typed in any of its spellings.
					for _, p := range phones {
						if p[1] == cur.Phone {
							in.Phone = p[0]
							if rng.IntN(2) == 0 {
								break
							}
						}
					}
					if rng.IntN(2) == 0 {
						in.Name = "  " + ct.Name + " " // trimmed: no change
					}
					for range rng.IntN(3) { // 0, 1 or 2 mutations (possibly to the same value)
						switch rng.IntN(6) {
						case 0:
							next.Title = []string{"", "经理", "主管"}[rng.IntN(3)]
							in.Title = next.Title
						case 1:
							p := phones[rng.IntN(len(phones))]
							next.Phone, in.Phone = p[1], p[0]
						case 2:
							next.WeChat = []string{"", "wx_a", "wx_b"}[rng.IntN(3)]
							in.WeChat = next.WeChat
						case 3:
							next.DM = rng.IntN(2) == 0
							in.DecisionMaker = next.DM
						case 4:
							next.Active = rng.IntN(2) == 0
							in.Active = ptr(next.Active)
						case 5:
							next.Notes = []string{"", "备注一", "备注二"}[rng.IntN(3)]
							in.Notes = next.Notes
						}
					}
					if rng.IntN(4) == 0 {
						in.Active = nil // absent: keeps the stored value
						next.Active = cur.Active
					}
					got, err := e.svc.UpdateContact(e.asSpec1, ct.ID, ct.Version, in)
					if err != nil {
						t.Fatalf("step %d: %v", step, err)
					}
					if got.Version != ct.Version+1 {
						t.Fatalf("step %d: version %d → %d", step, ct.Version, got.Version)
					}
					contacts[i] = got
					var changed []string
					for _, f := range []struct {
						name string
						a, b any
					}{{"active", cur.Active, next.Active}, {"decision_maker", cur.DM, next.DM}, {"notes", cur.Notes, next.Notes},
						{"phone", cur.Phone, next.Phone}, {"title", cur.Title, next.Title}, {"wechat", cur.WeChat, next.WeChat}} {
						if f.a != f.b {
							changed = append(changed, f.name)
						}
					}
					if len(changed) > 0 {
						wantEntries[ct.ID] = append(wantEntries[ct.ID], changed)
						real++
					} else {
						noops++
					}
					states[ct.ID] = next
				}

				if noops == 0 || real == 0 {
					t.Fatalf("degenerate sequence: %d no-ops, %d changes", noops, real)
				}
				h := e.history(c.ID)
				byContact := map[string][][]string{}
				creates := 0
				for i := len(h) - 1; i >= 0; i-- { // oldest first
					ch := h[i]
					if ch.Entity != "contact" {
						continue
					}
					if ch.Action == "create" {
						creates++
						continue
					}
					byContact[ch.EntityID] = append(byContact[ch.EntityID], fieldsOf(ch))
				}
				if creates != len(contacts) {
					t.Errorf("%d create entries, want %d", creates, len(contacts))
				}
				for _, ct := range contacts {
					want, got := wantEntries[ct.ID], byContact[ct.ID]
					if fmt.Sprint(want) != fmt.Sprint(got) {
						t.Errorf("contact %s:\n got %v\nwant %v", ct.Name, got, want)
					}
					stored, err := e.svc.Contact(e.asMgr, ct.ID)
					ok(t, err)
					st := states[ct.ID]
					if stored.Title != st.Title || stored.Phone != st.Phone || stored.WeChat != st.WeChat ||
						stored.Notes != st.Notes || stored.DecisionMaker != st.DM || stored.Active != st.Active {
						t.Errorf("contact %s stored %+v, model %+v", ct.Name, stored, st)
					}
				}
			})
		}
	})
}

func TestEquipment(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer("设备客户", e.r1, e.spec1)
		for _, tc := range []struct {
			in    customers.EquipmentInput
			field string
		}{
			{customers.EquipmentInput{}, "kind"},
			{customers.EquipmentInput{Kind: "  "}, "kind"},
			{customers.EquipmentInput{Kind: "冷水机组", InstalledOn: "2020-06-31"}, "installed_on"},
			{customers.EquipmentInput{Kind: "冷水机组", Model: strings.Repeat("M", 101)}, "model"},
			{customers.EquipmentInput{Kind: "冷水机组", Params: strings.Repeat("p", 2001)}, "params"},
		} {
			_, err := e.svc.AddEquipment(e.asSpec1, c.ID, tc.in)
			wantErr(t, err, apperr.KindInvalid, tc.field)
		}
		_, err := e.svc.AddEquipment(e.asTech, c.ID, customers.EquipmentInput{Kind: "冷水机组"})
		wantErr(t, err, apperr.KindForbidden, "")
		_, err = e.svc.AddEquipment(e.asSpec2, c.ID, customers.EquipmentInput{Kind: "冷水机组"})
		wantErr(t, err, apperr.KindForbidden, "")

		eq, err := e.svc.AddEquipment(e.asSpec1, c.ID, customers.EquipmentInput{Kind: "冷水机组", Brand: "开利", Model: "30XA", Serial: "SN1", InstalledOn: "2020-06-01"})
		ok(t, err)
		if !eq.Active || deref(eq.InstalledOn) != "2020-06-01" {
			t.Errorf("created %+v", eq)
		}
		in := customers.EquipmentInput{Kind: "冷水机组", Brand: "开利", Model: "30XA", Serial: "SN1", InstalledOn: "2020-06-01", Location: "B2 机房", Active: ptr(false)}
		u, err := e.svc.UpdateEquipment(e.asSpec1, eq.ID, eq.Version, in)
		ok(t, err)
		if u.Location != "B2 机房" || u.Active || u.Version != 2 {
			t.Errorf("updated %+v", u)
		}
		_, err = e.svc.UpdateEquipment(e.asSpec1, eq.ID, eq.Version, in)
		wantErr(t, err, apperr.KindConflict, "version")
		_, err = e.svc.UpdateEquipment(e.asTech, eq.ID, u.Version, in)
		wantErr(t, err, apperr.KindForbidden, "")
		list, err := e.svc.EquipmentOf(e.asTech, c.ID) // technicians read
		ok(t, err)
		if len(list) != 1 || list[0].Location != "B2 机房" {
			t.Errorf("equipment list %+v", list)
		}
		var eqChanges []customers.ArchiveChangeView
		for _, ch := range e.history(c.ID) {
			if ch.Entity == "equipment" {
				eqChanges = append(eqChanges, ch)
			}
		}
		if len(eqChanges) != 2 {
			t.Fatalf("equipment history: %d entries", len(eqChanges))
		}
		wantDiff(t, "equipment update", eqChanges[0], map[string][2]any{"location": {"", "B2 机房"}, "active": {true, false}})
	})
}
