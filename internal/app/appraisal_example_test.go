package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/app"
	"kefu/internal/app/apptest"
	"kefu/internal/appraisal"
	"kefu/internal/comms"
	"kefu/internal/contracts"
	"kefu/internal/customers"
	"kefu/internal/events"
	"kefu/internal/fieldwork"
	"kefu/internal/org"
	"kefu/internal/scorecards"
	"kefu/internal/store/storetest"
)

// The worked example ("Done when"), from the records rather than
// from events: testdata/appraisal_month/month.json is specialist 甲's March
// 2026 — staff, customers, contracts and a timeline of what happened
// (communication records, work orders, follow-ups, summaries, payments,
// renewals) — replayed through the real services with the app clock set
// to each step's time. The app's detectors then derive the month's
// events, the manager computes and rates the card, and it must read
// 81.00 line by line, identically on SQLite and PostgreSQL (the
// normalised card and its events are compared with card.golden.json;
// KEFU_UPDATE_GOLDEN=1 rewrites it).

const appraisalDir = "testdata/appraisal_month"

type monthFixture struct {
	Month     string `json:"month"`
	SetupAt   string `json:"setup_at"`
	ComputeAt string `json:"compute_at"`
	Staff     []struct {
		Login      string `json:"login"`
		Name       string `json:"name"`
		Role       string `json:"role"`
		Supervisor string `json:"supervisor"`
		Group      bool   `json:"group"`
	} `json:"staff"`
	Group struct {
		Name       string `json:"name"`
		Supervisor string `json:"supervisor"`
	} `json:"group"`
	Region struct {
		Name string `json:"name"`
		Code string `json:"code"`
	} `json:"region"`
	Customers []struct {
		Key         string `json:"key"`
		Code        string `json:"code"`
		Name        string `json:"name"`
		Class       string `json:"class"`
		Address     string `json:"address"`
		WeChatGroup string `json:"wechat_group"`
	} `json:"customers"`
	Contracts []fixtureContract `json:"contracts"`
	Timeline  []fixtureStep     `json:"timeline"`
	Ratings   []struct {
		Item   string `json:"item"`
		Points int64  `json:"points"`
	} `json:"ratings"`
}

type fixtureContract struct {
	Number       string `json:"number"`
	Customer     string `json:"customer"`
	Renews       string `json:"renews"`
	SignedOn     string `json:"signed_on"`
	StartOn      string `json:"start_on"`
	EndOn        string `json:"end_on"`
	AmountYuan   int64  `json:"amount_yuan"`
	Installments []struct {
		DueOn      string `json:"due_on"`
		AmountYuan int64  `json:"amount_yuan"`
	} `json:"installments"`
}

type fixtureStep struct {
	At string `json:"at"`
	As string `json:"as"`
	Do string `json:"do"`
	// work_order
	Key        string `json:"key"`
	Customer   string `json:"customer"`
	Type       string `json:"type"`
	PlannedOn  string `json:"planned_on"`
	DeadlineOn string `json:"deadline_on"`
	Content    string `json:"content"`
	// dispatch, complete, followup
	WorkOrder   string   `json:"work_order"`
	Technicians []string `json:"technicians"`
	Kind        string   `json:"kind"`
	// comm
	Channel     string `json:"channel"`
	Direction   string `json:"direction"`
	Staff       string `json:"staff"`
	Counterpart string `json:"counterpart"`
	Summary     string `json:"summary"`
	// daily_summary, monthly_summary
	Day   string `json:"day"`
	Month string `json:"month"`
	// payment
	Contract         string `json:"contract"`
	InstallmentDueOn string `json:"installment_due_on"`
	AmountYuan       int64  `json:"amount_yuan"`
	Reference        string `json:"reference"`
	// contract (a renewal signed in the month)
	fixtureContract
}

// testClock is the app clock the test moves along the timeline.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) set(t *testing.T, to time.Time) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if to.Before(c.t) {
		t.Fatalf("timeline goes back: %s after %s", to, c.t)
	}
	c.t = to
}

func TestAppraisalWorkedExampleFromRecords(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(appraisalDir, "month.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fx monthFixture
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join(appraisalDir, "card.golden.json")
	got := map[string][]byte{}
	t.Run("sqlite", func(t *testing.T) { got["sqlite"] = appraisalMonth(t, &fx, "") })
	if dsn := os.Getenv(storetest.EnvPG); dsn != "" {
		t.Run("postgres", func(t *testing.T) { got["postgres"] = appraisalMonth(t, &fx, dsn) })
	}
	if os.Getenv("KEFU_UPDATE_GOLDEN") != "" && got["sqlite"] != nil {
		if err := os.WriteFile(golden, got["sqlite"], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	for db, g := range got {
		if g != nil && !bytes.Equal(g, want) {
			_ = os.WriteFile(filepath.Join(t.TempDir(), db+".json"), g, 0o644)
			t.Errorf("%s: the normalised card differs from %s:\n%s", db, golden, g)
		}
	}
}

// appraisalMonth replays the fixture on a fresh app and checks the card;
// it returns the card and its events, normalised (ids → names).
func appraisalMonth(t *testing.T, fx *monthFixture, dsn string) []byte {
	clock := &testClock{}
	in := apptest.New(t, dsn, app.WithClock(clock.now))
	a := in.App
	loc := a.Location()
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation(time.DateTime, s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	bg := context.Background()
	sys := access.With(bg, access.System())
	clock.set(t, at(fx.SetupAt))

	// Staff, the maintenance group and its region.
	staff := map[string]*org.Staff{}
	as := func(login string) context.Context {
		st := staff[login]
		if st == nil {
			t.Fatalf("no staff %q", login)
		}
		return access.With(bg, &access.Principal{StaffID: st.ID, Login: st.Login, Name: st.Name, Roles: st.Roles})
	}
	var group *org.Group
	for _, pass := range []bool{false, true} {
		if pass {
			var err error
			if group, err = a.Org.SaveGroup(sys, "", 0, org.UnitInput{Name: fx.Group.Name, SupervisorID: staff[fx.Group.Supervisor].ID}); err != nil {
				t.Fatal(err)
			}
		}
		for _, s := range fx.Staff {
			if s.Group != pass {
				continue
			}
			si := org.StaffInput{Login: s.Login, Name: s.Name, Roles: []access.Role{access.Role(s.Role)}}
			if s.Supervisor != "" {
				si.SupervisorID = staff[s.Supervisor].ID
			}
			if s.Group {
				si.GroupID = group.ID
			}
			st, err := a.Org.CreateStaff(sys, si)
			if err != nil {
				t.Fatalf("staff %s: %v", s.Login, err)
			}
			staff[s.Login] = st
		}
	}
	jia := staff["jia"]
	region, err := a.Org.SaveRegion(sys, "", 0, org.UnitInput{Name: fx.Region.Name, Code: fx.Region.Code, GroupID: group.ID})
	if err != nil {
		t.Fatal(err)
	}

	// 甲's customers, taken on before the month (so the whole month is theirs).
	custs := map[string]*customers.Customer{}
	wechat := map[string]string{}
	for _, c := range fx.Customers {
		cu, err := a.Customers.CreateCustomer(sys, customers.CustomerInput{Code: c.Code, Name: c.Name, Class: c.Class, RegionID: region.ID,
			OwnerID: jia.ID, Address: c.Address})
		if err != nil {
			t.Fatalf("customer %s: %v", c.Name, err)
		}
		custs[c.Key], wechat[c.Key] = cu, c.WeChatGroup
	}

	// Contracts: the ones running into the month, then renewals as they are signed.
	contractIDs := map[string]string{}
	addContract := func(ctx context.Context, c fixtureContract) {
		t.Helper()
		ci := contracts.ContractInput{Number: c.Number, CustomerID: custs[c.Customer].ID, Kind: "maintenance", Title: "中央空调维保",
			SignedOn: c.SignedOn, StartOn: c.StartOn, EndOn: c.EndOn, AmountFen: c.AmountYuan * 100,
			Scope: []contracts.ScopeItemInput{{Equipment: "中央空调系统", ServiceType: "inspection", Frequency: "monthly"}}}
		if c.Renews != "" {
			ci.RenewedFrom = contractIDs[c.Renews]
		}
		for _, it := range c.Installments {
			ci.Installments = append(ci.Installments, contracts.InstallmentInput{DueOn: it.DueOn, AmountFen: it.AmountYuan * 100})
		}
		k, err := a.Contracts.CreateContract(ctx, ci, true)
		if err != nil {
			t.Fatalf("contract %s: %v", c.Number, err)
		}
		contractIDs[c.Number] = k.ID
	}
	for _, c := range fx.Contracts {
		addContract(sys, c)
	}

	// The month, step by step.
	orders := map[string]string{}
	version := func(key string) int64 {
		t.Helper()
		w, err := a.Fieldwork.GetWorkOrder(sys, orders[key])
		if err != nil {
			t.Fatal(err)
		}
		return w.Version
	}
	for i, s := range fx.Timeline {
		now := at(s.At)
		clock.set(t, now)
		var err error
		switch s.Do {
		case "work_order":
			var w *fieldwork.WorkOrderDetail
			w, err = a.Fieldwork.CreateWorkOrder(as(s.As), fieldwork.WorkOrderInput{Type: s.Type, CustomerID: custs[s.Customer].ID,
				PlannedOn: s.PlannedOn, DeadlineOn: s.DeadlineOn, Content: s.Content})
			if err == nil {
				orders[s.Key] = w.ID
			}
		case "dispatch":
			var techs []string
			for _, l := range s.Technicians {
				techs = append(techs, staff[l].ID)
			}
			_, err = a.Fieldwork.DispatchWorkOrder(as(s.As), orders[s.WorkOrder], version(s.WorkOrder), fieldwork.DispatchInput{TechnicianIDs: techs})
		case "complete":
			_, err = a.Fieldwork.CompleteWorkOrder(as(s.As), orders[s.WorkOrder], version(s.WorkOrder), "")
		case "followup":
			_, err = a.Fieldwork.RecordFollowup(as(s.As), fieldwork.FollowupInput{WorkOrderID: orders[s.WorkOrder], Kind: s.Kind})
		case "daily_summary":
			_, err = a.Fieldwork.SubmitDailySummary(as(s.As), s.Day, 0, "")
		case "monthly_summary":
			_, err = a.Fieldwork.SubmitMonthlySummary(as(s.As), s.Month, 0, "")
		case "comm":
			// As the WeChat archive and the PBX log deliver them.
			ci := comms.Input{Channel: s.Channel, Direction: s.Direction, OccurredAt: now.Format(time.RFC3339),
				CustomerID: custs[s.Customer].ID, StaffLogin: s.Staff, Counterpart: s.Counterpart, Summary: s.Summary}
			if strings.HasPrefix(s.Channel, "wechat_") {
				ci.Conversation = wechat[s.Customer]
			}
			_, err = a.Comms.Ingest(sys, []comms.Input{ci}, comms.SourceImport)
		case "contract":
			c := s.fixtureContract // customer and amount are the step's own fields
			c.Customer, c.AmountYuan = s.Customer, s.AmountYuan
			addContract(as(s.As), c)
		case "payment":
			var k *contracts.ContractDetail
			if k, err = a.Contracts.GetContract(sys, contractIDs[s.Contract]); err != nil {
				break
			}
			inst := ""
			for _, it := range k.Installments {
				if it.DueOn == s.InstallmentDueOn {
					inst = it.ID
				}
			}
			_, err = a.Contracts.RecordPayment(as(s.As), contracts.PaymentInput{ContractID: k.ID, InstallmentID: inst,
				ReceivedOn: now.Format(time.DateOnly), AmountFen: s.AmountYuan * 100, Reference: s.Reference})
		default:
			t.Fatalf("step %d: unknown action %q", i, s.Do)
		}
		if err != nil {
			t.Fatalf("step %d (%s %s): %v", i, s.At, s.Do, err)
		}
	}

	// After the month: the detectors the app runs every 10 minutes (and the
	// response clocks re-derived over the month, as the sweeper keeps them).
	clock.set(t, at(fx.ComputeAt))
	first := at(fx.Month + "-01 00:00:00")
	next := first.AddDate(0, 1, 0)
	if _, err := a.Comms.Recompute(sys, first, next); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Comms.NewSweeper(nil).Sweep(sys); err != nil {
		t.Fatal(err)
	}
	bc, err := a.Tickets.DeriveBreaches(sys)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := a.Tickets.DeriveRegistrationEvents(sys)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := a.Comms.DeriveNoContactEvents(sys)
	if err != nil {
		t.Fatal(err)
	}
	al, err := a.Customers.DeriveArchiveLate(sys)
	if err != nil {
		t.Fatal(err)
	}
	fw, err := a.Fieldwork.DeriveEvents(sys)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := a.Fieldwork.DeriveProgressEvents(sys)
	if err != nil {
		t.Fatal(err)
	}
	if bc.Solution+bc.Callback+bc.Reply+bc.FirstResponse != 0 || rc.Incomplete+rc.CompletedLate != 0 {
		t.Errorf("ticket events %+v %+v, want none (no tickets this month)", bc, rc)
	}
	if nc.Events != 1 || al.Late != 0 {
		t.Errorf("no-contact %+v, archive-late %+v: want one customer without contact and nothing late in the archive", nc, al)
	}
	if fw.WorkOrdersLate != 1 || fw.ProjectsLate+fw.DispatchErrors != 0 {
		t.Errorf("dispatch events %+v: want one work order late", fw)
	}
	if pg != (fieldwork.ProgressCounts{SummariesMissing: 1}) {
		t.Errorf("progress events %+v: want one daily summary missing", pg)
	}

	// The manager computes the card and rates 其它 and the attitude rubric.
	mgr := as("mgr")
	if n, err := a.Scorecards.Compute(mgr, fx.Month, jia.ID); err != nil || n.Computed != 1 {
		t.Fatalf("compute: %+v %v", n, err)
	}
	card, err := a.Scorecards.Card(mgr, jia.ID, fx.Month)
	if err != nil {
		t.Fatal(err)
	}
	if card.Complete || card.Status != scorecards.StatusDraft {
		t.Errorf("before the ratings: complete %v, status %s", card.Complete, card.Status)
	}
	for _, r := range fx.Ratings {
		if card, err = a.Scorecards.Rate(mgr, card.ID, card.Version, r.Item, appraisal.Rating{Points: appraisal.P(r.Points)}); err != nil {
			t.Fatalf("rate %s: %v", r.Item, err)
		}
	}
	if card, err = a.Scorecards.Card(as("jia"), jia.ID, fx.Month); err != nil {
		t.Fatal(err)
	}

	// Line by line.
	type want struct {
		score string
		texts []string // the deductions' explanations
	}
	wants := map[string]want{
		"renewal_rate":    {score: "10.00"},
		"collection_rate": {score: "12.00"},
		"dispatch":        {score: "8.00", texts: []string{"派单逾期每天扣2分：1 天 = −2"}},
		"service":         {score: "8.00", texts: []string{"响应超时每次扣1分：2 次 = −2", "当月客户无沟通记录每客户扣5分：1 个客户 = −5"}},
		"followup":        {score: "14.00", texts: []string{"施工进度/结果未汇总、未登记或未上报每次扣1分：1 次 = −1"}},
		"archive":         {score: "10.00"},
		"other":           {score: "5.00"},
		"initiative":      {score: "3.00"},
		"enthusiasm":      {score: "3.00"},
		"execution":       {score: "2.00"},
		"dedication":      {score: "3.00"},
		"responsibility":  {score: "3.00"},
	}
	c := card.Card
	if len(c.Lines) != len(wants) {
		t.Errorf("%d lines, want %d", len(c.Lines), len(wants))
	}
	for _, l := range c.Lines {
		w, ok := wants[l.Item]
		if !ok {
			t.Errorf("unexpected line %s (%s)", l.Item, l.Name)
			continue
		}
		if l.Score.String() != w.score || l.Pending {
			t.Errorf("%s (%s): %s pending %v, want %s — %s", l.Item, l.Name, l.Score, l.Pending, w.score, l.Detail)
		}
		var texts []string
		for _, d := range l.Deductions {
			texts = append(texts, d.Text)
		}
		if !slices.Equal(texts, w.texts) {
			t.Errorf("%s deductions %q, want %q", l.Item, texts, w.texts)
		}
	}
	subtotals := map[string]string{}
	for _, cat := range c.Categories {
		subtotals[cat.Key] = cat.Score.String()
	}
	if want := map[string]string{"business": "22.00", "kpi": "45.00", "attitude": "14.00"}; !mapsEqual(subtotals, want) {
		t.Errorf("category subtotals %v, want %v", subtotals, want)
	}
	if card.Total.String() != "81.00" || card.Final.String() != "81.00" || !card.Complete || len(c.Pending) != 0 || len(c.Unused) != 0 {
		t.Errorf("total %s final %s complete %v pending %v unused %v, want 81.00 complete", card.Total, card.Final, card.Complete, c.Pending, c.Unused)
	}

	// Every deduction opens to standing events of 甲 with their evidence,
	// and the evidence is on record.
	evs, err := events.List(mgr, a.DB().R(), events.Filter{StaffID: jia.ID, From: first, To: next})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]events.Event{}
	for _, e := range evs {
		byID[e.ID] = e
	}
	tables := map[string]string{"customer": "customers", "communication": "communications", "work_order": "work_orders",
		"daily_summary": "daily_summaries", "contract": "contracts", "project": "projects", "ticket": "tickets"}
	for _, l := range c.Lines {
		for _, d := range l.Deductions {
			if int64(len(d.EventIDs)) != d.Count && l.Item != "dispatch" {
				t.Errorf("%s: %q has %d events", l.Item, d.Text, len(d.EventIDs))
			}
			for _, id := range d.EventIDs {
				e, ok := byID[id]
				if !ok {
					t.Errorf("%s: event %s of %q is not a standing event of 甲", l.Item, id, d.Text)
					continue
				}
				if len(e.Evidence) == 0 || e.Detail == "" {
					t.Errorf("event %s (%s) has no evidence or detail", id, e.Type)
				}
				for _, r := range e.Evidence {
					var n int
					if err := a.DB().R().NewRaw("SELECT COUNT(*) FROM "+tables[r.Kind]+" WHERE id = ?", r.ID).Scan(bg, &n); err != nil || n != 1 {
						t.Errorf("event %s: evidence %s %s not on record (%v)", e.Type, r.Kind, r.ID, err)
					}
				}
			}
		}
	}
	// The two late replies were near-breaches first: events on record
	// that the card above neither counts nor lists as unused.
	near := 0
	for _, e := range evs {
		if e.Type == "wechat_timeout_near" {
			near++
		}
	}
	if len(evs) != 7 || near != 2 {
		t.Errorf("%d standing events of 甲 in the month (%d near-breaches), want 7 (2 timeouts and their 2 near-breaches, 1 no-contact, 1 late dispatch, 1 summary)",
			len(evs), near)
	}

	return normalisedCard(t, a, card, evs)
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// normalisedCard renders the card and its events with every record id
// replaced by a name that does not depend on the database (contract and
// work order numbers, customer names, the kind and time of a record).
func normalisedCard(t *testing.T, a *app.App, card *scorecards.Scorecard, evs []events.Event) []byte {
	t.Helper()
	ctx := context.Background()
	db := a.DB().R()
	loc := a.Location()
	names := map[string]string{}
	var rows []struct {
		ID   string `bun:"id"`
		Name string `bun:"name"`
	}
	for _, q := range []string{
		"SELECT id, number AS name FROM contracts",
		"SELECT i.id, k.number || ' ' || i.due_on AS name FROM installments i JOIN contracts k ON k.id = i.contract_id",
		"SELECT id, name FROM customers",
		"SELECT id, number AS name FROM work_orders",
		"SELECT id, login AS name FROM staff",
		"SELECT id, 'daily summary ' || day AS name FROM daily_summaries",
	} {
		rows = rows[:0]
		if err := db.NewRaw(q).Scan(ctx, &rows); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for _, r := range rows {
			names[r.ID] = r.Name
		}
	}
	var recs []struct {
		ID      string    `bun:"id"`
		Channel string    `bun:"channel"`
		At      time.Time `bun:"occurred_at"`
	}
	if err := db.NewRaw("SELECT id, channel, occurred_at FROM communications").Scan(ctx, &recs); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		names[r.ID] = r.Channel + " " + r.At.In(loc).Format(time.DateTime)
	}
	for _, e := range evs {
		names[e.ID] = e.Type + " " + e.OccurredAt.In(loc).Format(time.DateTime)
	}
	type ev struct {
		Type       string       `json:"type"`
		Rule       string       `json:"rule"`
		Staff      string       `json:"staff"`
		Customer   string       `json:"customer,omitempty"`
		OccurredAt string       `json:"occurred_at"`
		Quantity   int64        `json:"quantity"`
		Detail     string       `json:"detail"`
		Evidence   []events.Ref `json:"evidence"`
	}
	out := struct {
		Period string         `json:"period"`
		Staff  string         `json:"staff"`
		Status string         `json:"status"`
		Card   appraisal.Card `json:"card"`
		Events []ev           `json:"events"`
	}{Period: card.Period, Staff: names[card.StaffID], Status: card.Status, Card: card.Card}
	for _, e := range evs {
		x := ev{Type: e.Type, Rule: e.Rule, Customer: e.CustomerName, OccurredAt: e.OccurredAt.In(loc).Format(time.DateTime),
			Quantity: e.Quantity, Detail: e.Detail, Evidence: e.Evidence}
		if e.StaffID != nil {
			x.Staff = names[*e.StaffID]
		}
		x.Evidence = slices.Clone(e.Evidence)
		for i := range x.Evidence {
			x.Evidence[i].ID = names[x.Evidence[i].ID]
		}
		slices.SortFunc(x.Evidence, func(a, b events.Ref) int {
			return strings.Compare(a.Kind+"|"+a.ID+"|"+a.Role, b.Kind+"|"+b.ID+"|"+b.Role)
		})
		out.Events = append(out.Events, x)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	ids := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	b = ids.ReplaceAllFunc(b, func(id []byte) []byte {
		if n, ok := names[string(id)]; ok {
			return []byte(n)
		}
		t.Errorf("normalised card: unknown id %s", id)
		return []byte("?")
	})
	return append(b, '\n')
}
