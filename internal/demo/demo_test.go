package demo_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/auth"
	"kefu/internal/blob"
	"kefu/internal/calendar"
	"kefu/internal/comms"
	"kefu/internal/contracts"
	"kefu/internal/customers"
	"kefu/internal/demo"
	"kefu/internal/fieldwork"
	"kefu/internal/org"
	"kefu/internal/rates"
	"kefu/internal/scorecards"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/tabular"
	"kefu/internal/tickets"
	"kefu/internal/workcal"
)

func shanghai(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// deps builds the services on db with a fixed clock.
func deps(t *testing.T, db *store.DB) demo.Deps {
	loc := shanghai(t)
	now := func() time.Time { return time.Date(2026, 11, 20, 10, 30, 0, 0, loc) }
	blobs, err := blob.OpenDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	custSvc := customers.NewService(db, blobs, now, customers.Options{Location: loc, SpecialistReadAll: true})
	cal := workcal.NewService(db, now)
	if _, err := cal.SeedIfEmpty(context.Background()); err != nil {
		t.Fatal(err)
	}
	contractSvc := contracts.NewService(db, cal, now, contracts.Options{Location: loc})
	cards := scorecards.NewService(db, now, scorecards.Options{Location: loc, Rates: contracts.AppraisalRates{Contracts: contractSvc}})
	if _, err := cards.EnsureShipped(context.Background()); err != nil {
		t.Fatal(err)
	}
	return demo.Deps{
		Org:        org.NewService(db, now),
		Auth:       auth.NewService(db, now),
		Customers:  custSvc,
		Contracts:  contractSvc,
		Scorecards: cards,
		Comms:      comms.NewService(db, now, comms.Options{Location: loc, Owners: custSvc}),
		Tickets:    tickets.NewService(db, cal, now, tickets.Options{Location: loc}),
		Fieldwork:  fieldwork.NewService(db, cal, now, fieldwork.Options{Location: loc, Blobs: blobs}),
		Now:        now,
		Loc:        loc,
	}
}

func allCustomers(t *testing.T, ctx context.Context, svc *customers.Service, f customers.ListFilter) []customers.CustomerView {
	t.Helper()
	var out []customers.CustomerView
	f.Limit = 200
	for {
		page, err := svc.ListCustomers(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Items...)
		if page.Next == "" {
			return out
		}
		f.After = page.Next
	}
}

func TestLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := deps(t, db)
		ctx := access.With(context.Background(), access.System())
		sum, err := demo.Load(context.Background(), d)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if sum.Company == "" || sum.Password != demo.DefaultPassword {
			t.Errorf("company %q, password %q", sum.Company, sum.Password)
		}

		// Organisation.
		staff, err := d.Org.ListStaff(ctx, org.StaffFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(staff) != sum.Staff || len(sum.Logins) != sum.Staff {
			t.Errorf("staff: %d in db, summary %d, %d logins", len(staff), sum.Staff, len(sum.Logins))
		}
		byID := map[string]org.Staff{}
		active := 0
		for _, s := range staff {
			byID[s.ID] = s
			if s.Active {
				active++
			}
		}
		if active != sum.ActiveStaff {
			t.Errorf("active staff %d, summary %d", active, sum.ActiveStaff)
		}
		roleCount := map[access.Role]int{}
		for _, s := range staff {
			for _, r := range s.Roles {
				roleCount[r]++
			}
			if s.SupervisorID == nil && !slices.Contains(s.Roles, access.Executive) {
				t.Errorf("%s has no direct supervisor", s.Login)
			}
		}
		if roleCount[access.Executive] != 1 || roleCount[access.CSManager] != 1 || roleCount[access.CSSpecialist] != 3 ||
			roleCount[access.MaintSupervisor] != 3 || roleCount[access.Admin] != 1 || roleCount[access.Finance] != 1 {
			t.Errorf("roles: %v", roleCount)
		}
		depts, _ := d.Org.Departments(ctx)
		if len(depts) != sum.Departments {
			t.Errorf("departments %d, summary %d", len(depts), sum.Departments)
		}
		regions, err := d.Org.Regions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		groups, _ := d.Org.Groups(ctx)
		if len(regions) != 3 || len(groups) != 3 || sum.Regions != 3 || sum.MaintGroups != 3 {
			t.Fatalf("regions %d, groups %d", len(regions), len(groups))
		}
		groupByID := map[string]org.Group{}
		for _, g := range groups {
			groupByID[g.ID] = g
		}
		for _, r := range regions {
			if r.GroupID == nil || r.SpecialistID == nil {
				t.Errorf("region %s: group %v, specialist %v", r.Name, r.GroupID, r.SpecialistID)
				continue
			}
			g := groupByID[*r.GroupID]
			if g.SupervisorID == nil {
				t.Errorf("group %s has no supervisor", g.Name)
				continue
			}
			sup := byID[*g.SupervisorID]
			if !slices.Contains(sup.Roles, access.MaintSupervisor) || sup.GroupID == nil || *sup.GroupID != g.ID {
				t.Errorf("group %s supervisor %s: roles %v group %v", g.Name, sup.Login, sup.Roles, sup.GroupID)
			}
			if !slices.Contains(byID[*r.SpecialistID].Roles, access.CSSpecialist) {
				t.Errorf("region %s specialist is no cs_specialist", r.Name)
			}
			techs, _ := d.Org.ListStaff(ctx, org.StaffFilter{Role: access.Technician, GroupID: g.ID})
			if len(techs) < 2 || len(techs) > 3 {
				t.Errorf("group %s has %d technicians", g.Name, len(techs))
			}
			for _, tc := range techs {
				if tc.SupervisorID == nil || *tc.SupervisorID != sup.ID {
					t.Errorf("technician %s: supervisor is not the group's", tc.Login)
				}
			}
		}

		// Customer archive.
		custs := allCustomers(t, ctx, d.Customers, customers.ListFilter{})
		if len(custs) != sum.Customers || sum.Customers < 50 {
			t.Fatalf("customers %d, summary %d", len(custs), sum.Customers)
		}
		regionName := map[string]string{}
		for _, r := range regions {
			regionName[r.ID] = r.Name
		}
		var contacts, activeContacts, equipment, wgroups, lost int
		classes := map[string]int{}
		for _, c := range custs {
			classes[c.Class]++
			district := "朝阳区"
			if regionName[c.RegionID] == "中关村" {
				district = "海淀区"
			}
			if !strings.Contains(c.Address, district) {
				t.Errorf("%s (%s): address %q", c.Name, regionName[c.RegionID], c.Address)
			}
			if c.OwnerID == nil || c.SalesOwnerID == nil || c.PaperLocation == "" {
				t.Errorf("%s: owner %v, sales %v, paper %q", c.Name, c.OwnerID, c.SalesOwnerID, c.PaperLocation)
			}
			if c.Status == "lost" {
				lost++
			}
			cts, err := d.Customers.Contacts(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			contacts += len(cts)
			dm := 0
			for _, ct := range cts {
				if ct.Active {
					activeContacts++
					if ct.DecisionMaker {
						dm++
					}
				}
				if p, err := tabular.ParseMobile(ct.Phone); err != nil || p != ct.Phone {
					t.Errorf("%s: contact %s phone %q: %v", c.Name, ct.Name, ct.Phone, err)
				}
			}
			if dm != 1 || len(cts) < 2 {
				t.Errorf("%s: %d contacts, %d active decision makers", c.Name, len(cts), dm)
			}
			eq, err := d.Customers.EquipmentOf(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(eq) < 1 || len(eq) > 5 {
				t.Errorf("%s: %d units", c.Name, len(eq))
			}
			equipment += len(eq)
			gs, _, err := d.Customers.Groups(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			wgroups += len(gs)
			if (c.Status == "active") != (len(gs) == 1) {
				t.Errorf("%s (%s): %d WeChat groups", c.Name, c.Status, len(gs))
			}
		}
		if contacts != sum.Contacts || activeContacts != sum.ActiveContacts || equipment != sum.Equipment ||
			wgroups != sum.WeChatGroups || lost != sum.LostCustomers || lost != 2 {
			t.Errorf("counts: contacts %d/%d active %d/%d equipment %d/%d groups %d/%d lost %d/%d", contacts, sum.Contacts,
				activeContacts, sum.ActiveContacts, equipment, sum.Equipment, wgroups, sum.WeChatGroups, lost, sum.LostCustomers)
		}
		if classes["A"] < 6 || classes["B"] < 15 || classes["C"] < 15 || classes["D"] < 6 {
			t.Errorf("classes %v", classes)
		}

		orphans := allCustomers(t, ctx, d.Customers, customers.ListFilter{Orphan: true})
		if len(orphans) < 5 || len(orphans) != sum.OrphanCustomers {
			t.Errorf("orphan customers %d, summary %d", len(orphans), sum.OrphanCustomers)
		}
		for _, c := range orphans {
			if !c.Orphan {
				t.Errorf("%s listed as orphan but Orphan=false", c.Name)
			}
		}

		toRemove, err := d.Customers.MembersToRemove(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(toRemove) == 0 || len(toRemove) != sum.MembersToRemove {
			t.Errorf("members to remove %d, summary %d", len(toRemove), sum.MembersToRemove)
		}
		reasons := map[string]int{}
		for _, m := range toRemove {
			reasons[m.Reason]++
		}
		if reasons["联系人已离任"] == 0 || reasons["非客户联系人"] == 0 {
			t.Errorf("reasons of members to remove: %v", reasons)
		}

		late, err := d.Customers.Changes(ctx, customers.ChangeFilter{LateOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(late) == 0 || len(late) != sum.LateChanges {
			t.Errorf("late changes %d, summary %d", len(late), sum.LateChanges)
		}
		for _, ch := range late {
			if ch.LateDays < 2 || ch.LateDays > 5 || ch.RecordedBy == nil {
				t.Errorf("late change %q: %d days, recorded by %v", ch.Summary, ch.LateDays, ch.RecordedBy)
			}
		}

		// Logins.
		p, err := d.Auth.Login(context.Background(), "manager", demo.DefaultPassword)
		if err != nil {
			t.Fatalf("login manager: %v", err)
		}
		if !p.Has(access.CSManager) {
			t.Errorf("manager roles %v", p.Roles)
		}
		if _, err := d.Auth.Login(context.Background(), "admin", demo.DefaultPassword); err != nil {
			t.Errorf("login admin: %v", err)
		}
		for _, l := range sum.Logins {
			if !l.Active {
				if _, err := d.Auth.Login(context.Background(), l.Login, demo.DefaultPassword); err == nil {
					t.Errorf("%s left but can log in", l.Login)
				}
			}
		}

		// Field work: three projects, two dispatched with their plans, one
		// waiting on its coverage gap; a return, a completion, the repair.
		projects, err := d.Fieldwork.ListProjects(ctx, fieldwork.ProjectFilter{})
		if err != nil {
			t.Fatal(err)
		}
		pending := 0
		for _, p := range projects {
			if p.DispatchedAt == nil {
				pending++
				pd, err := d.Fieldwork.GetProject(ctx, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				if pd.CoverageOK || len(pd.Coverage.Missing) != 1 {
					t.Errorf("the pending project's coverage %+v: want the inspections missing", pd.Coverage)
				}
			}
		}
		if len(projects) != 3 || sum.Projects != 3 || pending != 1 {
			t.Errorf("projects %d (summary %d), %d pending: want 3 and 1", len(projects), sum.Projects, pending)
		}
		orders, err := d.Fieldwork.ListWorkOrders(ctx, fieldwork.WorkOrderFilter{})
		if err != nil {
			t.Fatal(err)
		}
		byStatus := map[string]int{}
		repairs := 0
		for _, w := range orders {
			byStatus[w.Status]++
			if w.TicketID != nil {
				repairs++
			}
		}
		if len(orders) != sum.WorkOrders || byStatus[fieldwork.StatusReturned] != 1 || byStatus[fieldwork.StatusCompleted] != 1 ||
			byStatus[fieldwork.StatusDispatched] < 2 || byStatus[fieldwork.StatusPlanned] < 2 || repairs != 1 {
			t.Errorf("work orders %d (summary %d) by status %v, %d repairs", len(orders), sum.WorkOrders, byStatus, repairs)
		}

		out := sum.String()
		for _, want := range []string{demo.CompanyName, demo.DefaultPassword, "| manager ", "| admin ", "立项 3"} {
			if !strings.Contains(out, want) {
				t.Errorf("String() lacks %q:\n%s", want, out)
			}
		}

		if _, err := demo.Load(context.Background(), d); !errors.Is(err, demo.ErrNotEmpty) {
			t.Errorf("second Load: %v, want ErrNotEmpty", err)
		}
	})
}

// TestDeterministic loads the demo twice and compares everything but ids
// and timestamps.
func TestDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo twice")
	}
	var prints [2]string
	for i := range prints {
		d := deps(t, storetest.SQLite(t))
		sum, err := demo.Load(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		prints[i] = sum.String() + fingerprint(t, d)
	}
	if prints[0] != prints[1] {
		t.Error("two loads differ")
	}
	if testing.Verbose() {
		t.Log("\n" + prints[0][:strings.Index(prints[0], "\n\n\n")])
	}
}

func fingerprint(t *testing.T, d demo.Deps) string {
	ctx := access.With(context.Background(), access.System())
	var b strings.Builder
	b.WriteString("\n\n\n")
	for _, c := range allCustomers(t, ctx, d.Customers, customers.ListFilter{}) {
		fmt.Fprintf(&b, "%s %s %s %s %s %s %s %s %s\n", c.Code, c.Name, c.Class, c.RegionName, c.OwnerName,
			c.SalesOwnerName, c.Address, c.Status, c.PaperLocation)
		cts, _ := d.Customers.Contacts(ctx, c.ID)
		for _, ct := range cts {
			fmt.Fprintf(&b, "  %s %s %s %s %s %v %v\n", ct.Name, ct.Title, ct.Phone, ct.Phone2, ct.WeChat, ct.DecisionMaker, ct.Active)
		}
		eq, _ := d.Customers.EquipmentOf(ctx, c.ID)
		for _, e := range eq {
			fmt.Fprintf(&b, "  %s %s %s %s %s %s\n", e.Kind, e.Brand, e.Model, e.Serial, e.Location, e.Params)
		}
		gs, members, _ := d.Customers.Groups(ctx, c.ID)
		for _, g := range gs {
			fmt.Fprintf(&b, "  %s %s %v\n", g.Name, g.ExternalID, *g.CreatedOn)
			for _, m := range members[g.ID] {
				fmt.Fprintf(&b, "    %s %s %v %v\n", m.DisplayName, m.Side, *m.JoinedOn, m.Valid)
			}
		}
	}
	return b.String()
}

// The demo's contracts tell the stories the pages need: renewals due and
// flagged, debts carried, a lost renewal, an EMC schedule, a quote waiting
// for its follow-up — and the month's rates are computable from them.
func TestLoadContracts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := deps(t, db)
		sum, err := demo.Load(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Contracts < sum.Customers-sum.LostCustomers || sum.Payments == 0 || sum.Needs != 3 || sum.RenewalContacts == 0 {
			t.Fatalf("summary %+v", sum)
		}
		mgr := access.With(context.Background(), access.System())
		desk, err := d.Contracts.RenewalDesk(mgr, contracts.RenewalFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var flagged, contacted, renewed int
		for _, it := range desk {
			if it.NoTimelyContact {
				flagged++
			}
			if it.RenewalContacts > 0 {
				contacted++
			}
			if it.Outcome == "renewed" {
				renewed++
			}
		}
		if flagged == 0 || contacted == 0 || renewed == 0 {
			t.Fatalf("renewal desk: %d items, flagged %d contacted %d renewed %d", len(desk), flagged, contacted, renewed)
		}
		expired, err := d.Contracts.ListContracts(mgr, contracts.ListFilter{Status: "expired", Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		lost := 0
		for _, c := range expired.Items {
			if c.Outcome == "lost" {
				lost++
			}
		}
		if lost != 1 {
			t.Fatalf("%d lost renewals among %d expired contracts", lost, len(expired.Items))
		}
		rec, err := d.Contracts.Receivables(mgr, contracts.ReceivableFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if rec.Totals["90_plus"]+rec.Totals["31_90"]+rec.Totals["1_30"] == 0 || rec.Totals["not_due"] == 0 {
			t.Fatalf("receivables totals %+v", rec.Totals)
		}
		needs, err := d.Contracts.ListNeeds(mgr, contracts.NeedFilter{FollowUpOverdue: true})
		if err != nil || len(needs) != 1 {
			t.Fatalf("overdue follow-ups %d %v", len(needs), err)
		}
		m, _ := rates.ParseMonth(d.Now().In(d.Loc).AddDate(0, -1, 0).Format("2006-01"))
		rep, err := d.Contracts.Rates(mgr, m, calendar.Date{})
		if err != nil || len(rep.Specialists) < 3 {
			t.Fatalf("rates %+v %v", rep, err)
		}
		var due int64
		for _, s := range rep.Specialists {
			due += s.Collection.Ratio.Den
		}
		if due == 0 {
			t.Fatal("nothing was due last month in the demo")
		}
	})
}

// The demo's service desk has traffic for the pages: a live queue for the
// 国贸 specialist, a breach event, unmatched records, tickets in several
// states with a callback due.
func TestLoadDesk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := deps(t, db)
		sum, err := demo.Load(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Communications < 50 || sum.Tickets != 4 {
			t.Fatalf("summary %+v", sum)
		}
		sys := access.With(context.Background(), access.System())
		q, err := d.Comms.Queue(sys, "")
		if err != nil || len(q) != 2 {
			t.Fatalf("queue %+v %v", q, err)
		}
		un, _ := d.Comms.List(sys, comms.Filter{Unmatched: true})
		if len(un.Items) != 1 {
			for _, it := range un.Items {
				t.Logf("unmatched %s %s %q", it.Channel, it.Counterpart, it.Conversation)
			}
			t.Fatalf("unmatched %d", len(un.Items))
		}
		var events int
		if err := db.R().NewRaw("SELECT COUNT(*) FROM events WHERE type = 'wechat_timeout' AND staff_id IS NOT NULL").Scan(context.Background(), &events); err != nil {
			t.Fatal(err)
		}
		if events == 0 {
			t.Fatal("no WeChat timeout in the demo")
		}
		list, err := d.Tickets.List(sys, tickets.Filter{})
		if err != nil || len(list) != 4 {
			t.Fatalf("tickets %d %v", len(list), err)
		}
		cbs, err := d.Tickets.Callbacks(sys, tickets.CallbackFilter{})
		if err != nil || len(cbs) == 0 {
			t.Fatalf("callbacks %d %v", len(cbs), err)
		}
	})
}

// TestLoadAppraisal: last month's appraisal is on record — every card
// computed and in the self-review but one, published with its appeal
// window open; the first specialist's 督办记录表 graded and a week of chat
// sampling with one failing day.
func TestLoadAppraisal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := deps(t, db)
		sum, err := demo.Load(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Scorecards < 4 || sum.Checks != 2 {
			t.Fatalf("summary: %d cards, %d checks", sum.Scorecards, sum.Checks)
		}
		sys := access.With(context.Background(), access.System())
		rows, err := d.Scorecards.List(sys, scorecards.ListFilter{Period: "2026-10"})
		if err != nil {
			t.Fatal(err)
		}
		states := map[string]int{}
		for _, r := range rows {
			if !r.Check {
				states[r.Status]++
			}
		}
		if states[scorecards.StatusPublished] != 1 || states[scorecards.StatusSelfReview] < 3 || states[scorecards.StatusDraft] != 0 {
			t.Errorf("last month's cards by state: %v", states)
		}
		var specialist string
		for _, r := range rows {
			if r.Check {
				if c, err := d.Scorecards.Checks(sys, r.StaffID, "2026-10"); err == nil && len(c) == 2 {
					specialist = r.StaffID
				}
			}
		}
		checks, err := d.Scorecards.Checks(sys, specialist, "2026-10")
		if err != nil || len(checks) != 2 {
			t.Fatalf("checks %v %v", checks, err)
		}
		for _, c := range checks {
			switch c.SchemeCode {
			case "chat_sampling":
				if c.Final.String() != "25.00" || !c.Complete {
					t.Errorf("chat sampling %s complete %v", c.Final, c.Complete)
				}
			case "supervision_checklist":
				if !c.Complete || c.Final >= c.Card.Max || c.Final < c.Card.Max*9/10 {
					t.Errorf("督办记录表 %s of %s complete %v", c.Final, c.Card.Max, c.Complete)
				}
			}
		}
	})
}
