package customers_test

import (
	"slices"
	"strings"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/customers"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestWeChatGroups(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer("微信群客户", e.r1, e.spec1)
		for _, tc := range []struct {
			in    customers.GroupInput
			field string
		}{
			{customers.GroupInput{}, "name"},
			{customers.GroupInput{Name: strings.Repeat("群", 101)}, "name"},
			{customers.GroupInput{Name: "群", CreatedOn: "2026-3-1"}, "created_on"},
		} {
			_, err := e.svc.SaveGroup(e.asSpec1, c.ID, "", 0, tc.in)
			wantErr(t, err, apperr.KindInvalid, tc.field)
		}
		_, err := e.svc.SaveGroup(e.asSpec2, c.ID, "", 0, customers.GroupInput{Name: "越权群"})
		wantErr(t, err, apperr.KindForbidden, "")

		g, err := e.svc.SaveGroup(e.asSpec1, c.ID, "", 0, customers.GroupInput{Name: " 微信服务群 ", CreatedOn: "2025-12-01"})
		ok(t, err)
		if g.Name != "微信服务群" || !g.Active || g.Version != 1 || deref(g.CreatedOn) != "2025-12-01" {
			t.Errorf("created group %+v", g)
		}
		g2, err := e.svc.SaveGroup(e.asSpec1, c.ID, g.ID, g.Version, customers.GroupInput{Name: "微信服务群（新）", CreatedOn: "2025-12-01"})
		ok(t, err)
		if g2.ID != g.ID || g2.Version != 2 || g2.Name != "微信服务群（新）" {
			t.Errorf("updated group %+v", g2)
		}
		_, err = e.svc.SaveGroup(e.asSpec1, c.ID, g.ID, g.Version, customers.GroupInput{Name: "过期版本"})
		wantErr(t, err, apperr.KindConflict, "version")
		other := e.customer("另一客户", e.r1, e.spec1)
		_, err = e.svc.SaveGroup(e.asSpec1, other.ID, g.ID, g2.Version, customers.GroupInput{Name: "挪到别家"})
		wantErr(t, err, apperr.KindNotFound, "")
		groups, _, err := e.svc.Groups(e.asMgr, c.ID)
		ok(t, err)
		if len(groups) != 1 || groups[0].Name != "微信服务群（新）" {
			t.Errorf("groups %+v", groups)
		}
	})
}

func TestWeChatMembers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer("群成员客户", e.r1, e.spec1)
		c2 := e.customer("专员二的客户", e.r2, e.spec2)
		boss := e.contact(c, "王总", "13800138000")
		clerk := e.contact(c, "小李", "13900139000")
		foreign := e.contact(c2, "别家联系人", "")
		g, err := e.svc.SaveGroup(e.asSpec1, c.ID, "", 0, customers.GroupInput{Name: "服务群"})
		ok(t, err)
		g2, err := e.svc.SaveGroup(e.asSpec2, c2.ID, "", 0, customers.GroupInput{Name: "二号群"})
		ok(t, err)

		before := e.snapshot()
		for _, tc := range []struct {
			name  string
			in    customers.MemberInput
			kind  apperr.Kind
			field string
		}{
			{"no display name", customers.MemberInput{Side: "customer"}, apperr.KindInvalid, "display_name"},
			{"bad side", customers.MemberInput{DisplayName: "x", Side: "vendor"}, apperr.KindInvalid, "side"},
			{"empty side", customers.MemberInput{DisplayName: "x"}, apperr.KindInvalid, "side"},
			{"staff side without staff", customers.MemberInput{DisplayName: "x", Side: "staff"}, apperr.KindInvalid, "staff_id"},
			{"staff side unknown staff", customers.MemberInput{DisplayName: "x", Side: "staff", StaffID: store.NewID()}, apperr.KindInvalid, "staff_id"},
			{"contact of another customer", customers.MemberInput{DisplayName: "x", Side: "customer", ContactID: foreign.ID}, apperr.KindInvalid, "contact_id"},
			{"unknown contact", customers.MemberInput{DisplayName: "x", Side: "customer", ContactID: store.NewID()}, apperr.KindInvalid, "contact_id"},
			{"bad joined_on", customers.MemberInput{DisplayName: "x", Side: "customer", JoinedOn: "yesterday"}, apperr.KindInvalid, "joined_on"},
			{"known_on future", customers.MemberInput{DisplayName: "x", Side: "customer", Change: customers.Change{KnownOn: "2030-01-01"}}, apperr.KindInvalid, "known_on"},
		} {
			_, err := e.svc.AddMember(e.asSpec1, g.ID, tc.in)
			if ae, _ := apperr.As(err); ae == nil || ae.Kind != tc.kind || ae.Field != tc.field {
				t.Errorf("%s: %v, want %s %s", tc.name, err, tc.kind, tc.field)
			}
		}
		_, err = e.svc.AddMember(e.asSpec2, g.ID, customers.MemberInput{DisplayName: "x", Side: "customer"})
		wantErr(t, err, apperr.KindForbidden, "")
		_, err = e.svc.AddMember(e.asSpec1, store.NewID(), customers.MemberInput{DisplayName: "x", Side: "customer"})
		wantErr(t, err, apperr.KindNotFound, "")
		e.sameCounts(before, "refused members")

		add := func(gid string, in customers.MemberInput) *customers.Member {
			t.Helper()
			m, err := e.svc.AddMember(e.asMgr, gid, in)
			ok(t, err)
			return m
		}
		mBoss := add(g.ID, customers.MemberInput{DisplayName: "王总", Side: "customer", ContactID: boss.ID})
		mClerk := add(g.ID, customers.MemberInput{DisplayName: "小李", Side: "customer", ContactID: clerk.ID, JoinedOn: "2026-01-10"})
		mStranger := add(g.ID, customers.MemberInput{DisplayName: "陌生人", Side: "customer"})
		mSpec := add(g.ID, customers.MemberInput{DisplayName: "石专员", Side: "staff", StaffID: e.spec1.ID})
		mSales := add(g.ID, customers.MemberInput{DisplayName: "萨销售", Side: "staff", StaffID: e.sales.ID})
		// A staff-side member with a contact id keeps only the staff link, and vice versa.
		mixed := add(g.ID, customers.MemberInput{DisplayName: "混合", Side: "staff", StaffID: e.spec1.ID, ContactID: boss.ID})
		if mixed.ContactID != nil || deref(mixed.StaffID) != e.spec1.ID {
			t.Errorf("staff member kept contact %v", mixed.ContactID)
		}
		if deref(mBoss.JoinedOn) != e.clock.today() || deref(mClerk.JoinedOn) != "2026-01-10" {
			t.Errorf("joined on %v / %v", deref(mBoss.JoinedOn), deref(mClerk.JoinedOn))
		}
		// In another specialist's customer's group: a stranger.
		mOther := add(g2.ID, customers.MemberInput{DisplayName: "二号群陌生人", Side: "customer"})

		toRemove := func(owner string) map[string]string {
			t.Helper()
			l, err := e.svc.MembersToRemove(e.asMgr, owner)
			ok(t, err)
			out := map[string]string{}
			for _, m := range l {
				if m.Valid || m.RemovedOn != nil {
					t.Errorf("listed member %s valid %v removed %v", m.DisplayName, m.Valid, m.RemovedOn)
				}
				out[m.ID] = m.Reason
			}
			return out
		}
		want := map[string]string{mStranger.ID: "非客户联系人", mOther.ID: "非客户联系人"}
		if got := toRemove(""); !mapsEqual(got, want) {
			t.Errorf("to remove at start: %v, want %v", got, want)
		}
		if got := toRemove(e.spec2.ID); len(got) != 1 || got[mOther.ID] == "" {
			t.Errorf("to remove for spec2: %v", got)
		}

		// The clerk leaves the customer; the sales person leaves the company.
		in := contactInputOf(clerk)
		in.Active = ptr(false)
		_, err = e.svc.UpdateContact(e.asSpec1, clerk.ID, clerk.Version, in)
		ok(t, err)
		e.setActive(e.sales, false)
		want[mClerk.ID] = "联系人已离任"
		want[mSales.ID] = "员工已离职"
		if got := toRemove(""); !mapsEqual(got, want) {
			t.Errorf("to remove after departures: %v, want %v", got, want)
		}
		if got := toRemove(e.spec1.ID); len(got) != 3 {
			t.Errorf("to remove for spec1: %v", got)
		}

		// Groups shows validity on every member.
		_, members, err := e.svc.Groups(e.asSpec1, c.ID)
		ok(t, err)
		valid := map[string]bool{}
		for _, m := range members[g.ID] {
			valid[m.ID] = m.Valid
		}
		if !valid[mBoss.ID] || !valid[mSpec.ID] || valid[mClerk.ID] || valid[mStranger.ID] || valid[mSales.ID] || len(valid) != 6 {
			t.Errorf("validity in Groups: %v", valid)
		}

		// Removing (清退) takes a member off the list, once.
		e.clock.Advance(3600e9)
		ok(t, e.svc.RemoveMember(e.asSpec1, mClerk.ID, customers.Change{}))
		delete(want, mClerk.ID)
		if got := toRemove(""); !mapsEqual(got, want) {
			t.Errorf("after removing the clerk: %v, want %v", got, want)
		}
		wantErr(t, e.svc.RemoveMember(e.asSpec1, mClerk.ID, customers.Change{}), apperr.KindConflict, "removed_on")
		wantErr(t, e.svc.RemoveMember(e.asSpec1, store.NewID(), customers.Change{}), apperr.KindNotFound, "")
		// Another specialist may not remove members of this group.
		wantErr(t, e.svc.RemoveMember(e.asSpec2, mStranger.ID, customers.Change{}), apperr.KindForbidden, "")
		// Removal recorded late (known two days ago) is on the late list.
		ok(t, e.svc.RemoveMember(e.asSpec1, mStranger.ID, customers.Change{KnownOn: e.clock.daysAgo(2)}))
		delete(want, mStranger.ID)
		if got := toRemove(""); !mapsEqual(got, want) {
			t.Errorf("after removing the stranger: %v, want %v", got, want)
		}
		_, members, err = e.svc.Groups(e.asSpec1, c.ID)
		ok(t, err)
		for _, m := range members[g.ID] {
			switch m.ID {
			case mClerk.ID:
				if deref(m.RemovedOn) != e.clock.today() || m.Reason != "" {
					t.Errorf("clerk removed on %v reason %q", deref(m.RemovedOn), m.Reason)
				}
			case mStranger.ID:
				if deref(m.RemovedOn) != e.clock.daysAgo(2) {
					t.Errorf("stranger removed on %v", deref(m.RemovedOn))
				}
			}
		}
		late, err := e.svc.Changes(e.asMgr, customers.ChangeFilter{CustomerID: c.ID, LateOnly: true})
		ok(t, err)
		if len(late) != 1 || late[0].Entity != "wechat_member" || late[0].LateDays != 2 || deref(late[0].OwnerID) != e.spec1.ID {
			t.Errorf("late member removal: %+v", late)
		}
		removal := 0
		for _, ch := range e.history(c.ID) {
			if ch.Entity == "wechat_member" && ch.Action == "update" {
				removal++
				if !slices.Equal(fieldsOf(ch), []string{"removed_on"}) {
					t.Errorf("removal diff %v", fieldsOf(ch))
				}
			}
		}
		if removal != 2 {
			t.Errorf("%d removal entries, want 2", removal)
		}

		// An inactive group's members are no longer listed.
		cur, _, err := e.svc.Groups(e.asSpec2, c2.ID)
		ok(t, err)
		_, err = e.svc.SaveGroup(e.asSpec2, c2.ID, g2.ID, cur[0].Version, customers.GroupInput{Name: cur[0].Name, Active: ptr(false)})
		ok(t, err)
		delete(want, mOther.ID)
		if got := toRemove(""); !mapsEqual(got, want) {
			t.Errorf("after deactivating group 2: %v, want %v", got, want)
		}

		// With SpecialistReadAll off, a specialist sees only their own.
		e2 := customers.NewService(db, e.blobs, e.clock.Now, customers.Options{Location: shanghai})
		l, err := e2.MembersToRemove(e.asSpec2, "")
		ok(t, err)
		if len(l) != 0 {
			t.Errorf("spec2 sees %d members of other customers' groups", len(l))
		}
		l, err = e2.MembersToRemove(e.asSpec1, "")
		ok(t, err)
		if len(l) != len(want) {
			t.Errorf("spec1 sees %d members to remove, want %d", len(l), len(want))
		}
	})
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
