package surveys_test

import (
	"context"
	"testing"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/blob"
	"kefu/internal/comms"
	"kefu/internal/customers"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/surveys"
	"kefu/internal/tickets"
	"kefu/internal/workcal"
)

var shanghai = storetest.Shanghai

// clock is the tests' settable clock.
type clock = storetest.Clock

// The consumers' interfaces backed by the real services, as app wires
// them (app's adapters are unexported; these do the same).

type scopeAdapter struct{ c *customers.Service }

func (a scopeAdapter) SurveyCustomers(ctx context.Context, sc surveys.Scope) ([]surveys.Customer, error) {
	f := customers.ListFilter{Class: sc.Class, RegionID: sc.RegionID, OwnerID: sc.OwnerID, Status: "active", Limit: 200}
	var out []surveys.Customer
	for {
		page, err := a.c.ListCustomers(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, c := range page.Items {
			owner := ""
			if c.OwnerID != nil {
				owner = *c.OwnerID
			}
			out = append(out, surveys.Customer{ID: c.ID, OwnerID: owner, RegionID: c.RegionID, Class: c.Class})
		}
		if page.Next == "" {
			return out, nil
		}
		f.After = page.Next
	}
}

type commsAdapter struct{ c *comms.Service }

func (a commsAdapter) RecordSurveyContact(ctx context.Context, c surveys.Contact) (string, error) {
	ch := map[string]string{"phone": "phone_out", "wechat": "wechat_private", "visit": "visit", "questionnaire": "other"}[c.Channel]
	r, err := a.c.Add(ctx, comms.Input{Channel: ch, Direction: "out", OccurredAt: c.At.Format(time.RFC3339), CustomerID: c.CustomerID,
		Summary: c.Summary, Tags: []string{"satisfaction"}})
	if err != nil {
		return "", err
	}
	return r.ID, nil
}

type scoresAdapter struct{ s *surveys.Service }

func (a scoresAdapter) SurveySatisfaction(ctx context.Context, from, to time.Time) ([]tickets.SatisfactionFact, error) {
	fs, err := a.s.ScoreFacts(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]tickets.SatisfactionFact, len(fs))
	for i, f := range fs {
		out[i] = tickets.SatisfactionFact{StaffID: f.StaffID, StaffName: f.StaffName, Region: f.Region, Class: f.Class, Score: f.Score}
	}
	return out, nil
}

// env is one test's world: a manager, two specialists, a technician; two
// regions; customers a (B, 国贸, spec1), b (A, 望京, spec2), c (A, 国贸,
// spec1), d (C, 望京, nobody) and lost (B, 国贸, spec1, lost).
type env struct {
	t       *testing.T
	db      *store.DB
	clock   *clock
	org     *org.Service
	cust    *customers.Service
	comms   *comms.Service
	svc     *surveys.Service
	tickets *tickets.Service

	mgr, spec1, spec2, tech *org.Staff
	r1, r2                  *org.Region
	a, b, c, d, lost        *customers.Customer

	sys, asMgr, asSpec1, asSpec2, asTech, anon context.Context
}

// startTime: Thursday 2026-03-05 10:00 in Shanghai.
var startTime = time.Date(2026, 3, 5, 10, 0, 0, 0, shanghai)

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	clk := storetest.NewClock(startTime)
	blobs, err := blob.OpenDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	cal := workcal.NewService(db, clk.Now)
	if _, err := cal.SeedIfEmpty(context.Background()); err != nil {
		t.Fatal(err)
	}
	e := &env{
		t: t, db: db, clock: clk,
		org:   org.NewService(db, clk.Now),
		cust:  customers.NewService(db, blobs, clk.Now, customers.Options{Location: shanghai, SpecialistReadAll: true}),
		comms: comms.NewService(db, clk.Now, comms.Options{Location: shanghai}),
		sys:   access.With(context.Background(), access.System()),
		anon:  context.Background(),
	}
	e.svc = surveys.NewService(db, scopeAdapter{e.cust}, commsAdapter{e.comms}, clk.Now, surveys.Options{Location: shanghai})
	e.tickets = tickets.NewService(db, cal, clk.Now, tickets.Options{Location: shanghai, Surveys: scoresAdapter{e.svc}})
	e.mgr = e.staff("mgr", "孟经理", access.CSManager)
	e.spec1 = e.staff("spec1", "石专员", access.CSSpecialist)
	e.spec2 = e.staff("spec2", "苏专员", access.CSSpecialist)
	e.tech = e.staff("tech", "田师傅", access.Technician)
	e.asMgr, e.asSpec1, e.asSpec2, e.asTech = e.as(e.mgr), e.as(e.spec1), e.as(e.spec2), e.as(e.tech)
	e.r1 = e.region("国贸", "GM", e.spec1.ID)
	e.r2 = e.region("望京", "WJ", e.spec2.ID)
	e.a = e.customer("国贸物业", "B", e.r1, e.spec1, "")
	e.b = e.customer("望京写字楼", "A", e.r2, e.spec2, "")
	e.c = e.customer("国贸三期", "A", e.r1, e.spec1, "")
	e.d = e.customer("望京医院", "C", e.r2, nil, "")
	e.lost = e.customer("已流失大厦", "B", e.r1, e.spec1, "lost")
	return e
}

func (e *env) staff(login, name string, roles ...access.Role) *org.Staff {
	e.t.Helper()
	st, err := e.org.CreateStaff(e.sys, org.StaffInput{Login: login, Name: name, Roles: roles})
	if err != nil {
		e.t.Fatalf("create staff %s: %v", login, err)
	}
	return st
}

func (e *env) region(name, code, specialist string) *org.Region {
	e.t.Helper()
	r, err := e.org.SaveRegion(e.sys, "", 0, org.UnitInput{Name: name, Code: code, SpecialistID: specialist})
	if err != nil {
		e.t.Fatalf("save region %s: %v", name, err)
	}
	return r
}

func (e *env) as(st *org.Staff) context.Context {
	return access.With(context.Background(), &access.Principal{StaffID: st.ID, Login: st.Login, Name: st.Name, Roles: st.Roles})
}

func (e *env) customer(name, class string, region *org.Region, owner *org.Staff, status string) *customers.Customer {
	e.t.Helper()
	in := customers.CustomerInput{Name: name, Class: class, RegionID: region.ID, Address: "北京市朝阳区" + name, Status: status}
	if owner != nil {
		in.OwnerID = owner.ID
	}
	c, err := e.cust.CreateCustomer(e.asMgr, in)
	if err != nil {
		e.t.Fatalf("create customer %s: %v", name, err)
	}
	return c
}

// plan is a valid draft input due on 2026-03-20, default questions.
func plan(title string) surveys.PlanInput {
	return surveys.PlanInput{Title: title, Period: "2026Q1", DueOn: "2026-03-20", Method: surveys.MethodPhone}
}

// issued creates and issues a plan with in.
func (e *env) issued(in surveys.PlanInput) *surveys.PlanDetail {
	e.t.Helper()
	d, err := e.svc.CreatePlan(e.asMgr, in)
	if err != nil {
		e.t.Fatalf("create plan: %v", err)
	}
	d, err = e.svc.IssuePlan(e.asMgr, d.ID, d.Version)
	if err != nil {
		e.t.Fatalf("issue plan: %v", err)
	}
	return d
}

// taskOf returns the plan's task of customer c.
func (e *env) taskOf(planID string, c *customers.Customer) *surveys.TaskDetail {
	e.t.Helper()
	ts, err := e.svc.Tasks(e.asMgr, surveys.TaskFilter{PlanID: planID})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, t := range ts {
		if t.CustomerID == c.ID {
			d, err := e.svc.Task(e.asMgr, t.ID)
			if err != nil {
				e.t.Fatal(err)
			}
			return d
		}
	}
	e.t.Fatalf("no task for %s", c.Name)
	return nil
}

// answers scores every score question with score (text: remark).
func answers(d *surveys.TaskDetail, score int, remark string) []surveys.AnswerInput {
	var out []surveys.AnswerInput
	for _, q := range d.Questions {
		if q.Kind == surveys.KindScore {
			out = append(out, surveys.AnswerInput{QuestionID: q.ID, Score: score})
		} else {
			out = append(out, surveys.AnswerInput{QuestionID: q.ID, Text: remark})
		}
	}
	return out
}

// wantErr fails unless err has kind k and, when field is set, that field.
func wantErr(t *testing.T, err error, k apperr.Kind, field string) {
	t.Helper()
	if !apperr.Is(err, k) {
		t.Fatalf("err = %v, want kind %s", err, k)
	}
	if field != "" {
		ae, _ := apperr.As(err)
		if ae.Field != field {
			t.Fatalf("err field = %q (%v), want %q", ae.Field, err, field)
		}
	}
}
