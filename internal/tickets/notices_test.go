package tickets_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/notify"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/tickets"
	"kefu/internal/wecom"
)

// robotServer is a local WeCom group robot: it keeps what was posted.
type robotServer struct {
	mu    sync.Mutex
	texts []string
	at    [][]string // the mobiles each text mentions
}

func newRobot(t *testing.T) (*robotServer, *wecom.Robot) {
	rs := &robotServer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			Text struct {
				Content string   `json:"content"`
				Mobiles []string `json:"mentioned_mobile_list"`
			} `json:"text"`
		}
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			t.Error(err)
		}
		rs.mu.Lock()
		rs.texts, rs.at = append(rs.texts, m.Text.Content), append(rs.at, m.Text.Mobiles)
		rs.mu.Unlock()
		_, _ = w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}))
	t.Cleanup(srv.Close)
	return rs, wecom.New(srv.URL+"/cgi-bin/webhook/send?key=k", srv.Client())
}

func (rs *robotServer) posted() []string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return slices.Clone(rs.texts)
}

// deadlineKinds are the kinds of a person's deadline notices, oldest first.
func (e *env) deadlineKinds(ctx context.Context) []string {
	e.t.Helper()
	list, err := notify.NewService(e.db, e.clock.Now).List(ctx, false, 200)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].Kind != "major_complaint" {
			out = append(out, list[i].Kind)
		}
	}
	return out
}

// The derivation tells the responsible person, in the app and in the
// team's WeCom group, once when a deadline comes near (24 hours before it)
// and once when it has passed: a ticket's promised solution deadline, then
// — resolved — nothing more about it, but its callback's. Running again,
// or after a restart (a new service), sends nothing twice.
func TestDeadlineNotices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // Thursday 2026-03-05 10:00
		if err := db.Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewRaw("UPDATE staff SET phone = '13800000001' WHERE id = ?", e.spec1.ID).Exec(ctx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		rs, robot := newRobot(t)
		svc := func() *tickets.Service { // a new one is a restart
			return tickets.NewService(db, e.cal, e.clock.Now, tickets.Options{Location: shanghai, Pusher: robot})
		}
		s := svc()
		in := repair(e.a)
		in.PromisedAt = "2026-03-06 12:00:00"
		tk := e.ticket(e.asSpec1, in)
		// Each step: the clock set, the service new (a restart) or not, a
		// derivation, the notices it sent.
		type step struct {
			name    string
			at      time.Time
			restart bool
			want    tickets.DeadlineNotices
		}
		run := func(steps []step) {
			t.Helper()
			for _, st := range steps {
				e.clock.Set(st.at)
				if st.restart {
					s = svc()
				}
				n, err := s.DeriveBreaches(e.sys)
				if err != nil || n.Notices != st.want {
					t.Fatalf("%s: %+v %v, want %+v", st.name, n.Notices, err, st.want)
				}
			}
		}
		steps := []step{
			{"26 hours before", time.Date(2026, 3, 5, 10, 0, 0, 0, shanghai), false, tickets.DeadlineNotices{}},
			{"24 hours and a second before", time.Date(2026, 3, 5, 11, 59, 59, 0, shanghai), false, tickets.DeadlineNotices{}},
			{"24 hours before: near", time.Date(2026, 3, 5, 12, 0, 0, 0, shanghai), false, tickets.DeadlineNotices{Near: 1}},
			{"near again", time.Date(2026, 3, 5, 18, 0, 0, 0, shanghai), false, tickets.DeadlineNotices{}},
			{"near after a restart", time.Date(2026, 3, 6, 9, 0, 0, 0, shanghai), true, tickets.DeadlineNotices{}},
			{"at the deadline", time.Date(2026, 3, 6, 12, 0, 0, 0, shanghai), false, tickets.DeadlineNotices{}},
			{"a second late: breach", time.Date(2026, 3, 6, 12, 0, 1, 0, shanghai), false, tickets.DeadlineNotices{Breach: 1}},
			{"breach again", time.Date(2026, 3, 6, 12, 10, 0, 0, shanghai), false, tickets.DeadlineNotices{}},
			{"breach after a restart", time.Date(2026, 3, 6, 12, 20, 0, 0, shanghai), true, tickets.DeadlineNotices{}},
		}
		run(steps)
		if got := e.deadlineKinds(e.asSpec1); !slices.Equal(got, []string{tickets.NoticeSolutionNear, tickets.NoticeSolutionLate}) {
			t.Fatalf("spec1's notices %v", got)
		}
		if got := e.deadlineKinds(e.asMgr); len(got) != 0 {
			t.Fatalf("the manager is told of a general ticket: %v", got)
		}
		texts := rs.posted()
		if len(texts) != 2 || !strings.Contains(texts[0], "石专员") || !strings.Contains(texts[0], tk.Number+" 即将超期") ||
			!strings.Contains(texts[0], "2026-03-06 12:00") || !strings.Contains(texts[1], tk.Number+" 已超期") ||
			!slices.Equal(rs.at[0], []string{"13800000001"}) {
			t.Fatalf("robot got %q %v", texts, rs.at)
		}

		// Solved: nothing more about the ticket; its callback (3 working
		// days: by the end of Wednesday 3-11) comes near and passes.
		e.clock.Set(time.Date(2026, 3, 6, 13, 0, 0, 0, shanghai))
		e.move(e.asSpec1, &e.detail(tk.ID).Ticket, "acknowledged", "in_progress", "resolved")
		cb := e.detail(tk.ID).Callbacks[0]
		if want := time.Date(2026, 3, 12, 0, 0, 0, 0, shanghai); !cb.DueAt.Equal(want) {
			t.Fatalf("callback due %v", cb.DueAt)
		}
		steps = []step{
			{"solved", time.Date(2026, 3, 6, 13, 10, 0, 0, shanghai), false, tickets.DeadlineNotices{}},
			{"before the callback's near time", time.Date(2026, 3, 10, 23, 59, 59, 0, shanghai), true, tickets.DeadlineNotices{}},
			{"callback near", time.Date(2026, 3, 11, 0, 0, 0, 0, shanghai), false, tickets.DeadlineNotices{Near: 1}},
			{"callback near again", time.Date(2026, 3, 11, 17, 0, 0, 0, shanghai), true, tickets.DeadlineNotices{}},
			{"callback overdue", time.Date(2026, 3, 12, 0, 0, 1, 0, shanghai), false, tickets.DeadlineNotices{Breach: 1}},
			{"callback overdue again", time.Date(2026, 3, 12, 9, 0, 0, 0, shanghai), true, tickets.DeadlineNotices{}},
		}
		run(steps)
		if got := e.deadlineKinds(e.asSpec1); !slices.Equal(got, []string{tickets.NoticeSolutionNear, tickets.NoticeSolutionLate,
			tickets.NoticeCallbackNear, tickets.NoticeCallbackLate}) {
			t.Fatalf("spec1's notices %v", got)
		}
		// Called back: nothing more, ever.
		d := e.detail(tk.ID)
		if _, err := s.RecordCallback(e.asSpec1, d.Callbacks[0].ID, d.Callbacks[0].Version, tickets.CallbackInput{Result: "客户满意", Satisfaction: 5}); err != nil {
			t.Fatal(err)
		}
		for _, at := range []time.Time{time.Date(2026, 3, 12, 10, 0, 0, 0, shanghai), time.Date(2026, 3, 20, 10, 0, 0, 0, shanghai)} {
			e.clock.Set(at)
			if n, err := s.DeriveBreaches(e.sys); err != nil || n.Notices != (tickets.DeadlineNotices{}) {
				t.Fatalf("after the callback, at %v: %+v %v", at, n.Notices, err)
			}
		}
		if got := rs.posted(); len(got) != 4 {
			t.Fatalf("robot got %d texts: %q", len(got), got)
		}
	})
}

// A major complaint's reply deadline is the manager's: the near and the
// breach notices go to the manager it went to; its solution deadline's go
// to the first-contact owner and to that manager. A reply ends the
// reply's notices; a pause (waiting on the customer) holds the
// solution's.
func TestDeadlineNoticesMajorComplaint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // Thursday 2026-03-05 10:00
		tk := e.ticket(e.asSpec1, complaint(e.b))
		if _, err := e.svc.SaveComplaint(e.asSpec1, tk.ID, tk.Version, tickets.ComplaintInput{Nature: "quality", Severity: "major"}); err != nil {
			t.Fatal(err)
		}
		d := e.detail(tk.ID)
		// Reply by the end of Friday; solve within 18 working hours: Monday 10:00.
		if !d.Complaint.ReplyDueAt.Equal(time.Date(2026, 3, 7, 0, 0, 0, 0, shanghai)) || !d.PromisedAt.Equal(time.Date(2026, 3, 9, 10, 0, 0, 0, shanghai)) {
			t.Fatalf("reply due %v, promised %v", d.Complaint.ReplyDueAt, d.PromisedAt)
		}
		steps := []struct {
			at   time.Time
			want tickets.DeadlineNotices
		}{
			{time.Date(2026, 3, 5, 23, 59, 0, 0, shanghai), tickets.DeadlineNotices{}},
			{time.Date(2026, 3, 6, 0, 0, 0, 0, shanghai), tickets.DeadlineNotices{Near: 1}},   // reply: the manager
			{time.Date(2026, 3, 7, 0, 0, 1, 0, shanghai), tickets.DeadlineNotices{Breach: 1}}, // reply: the manager
			{time.Date(2026, 3, 8, 10, 0, 0, 0, shanghai), tickets.DeadlineNotices{Near: 2}},  // solution: spec1 and the manager
		}
		for _, st := range steps {
			e.clock.Set(st.at)
			if n, err := e.svc.DeriveBreaches(e.sys); err != nil || n.Notices != st.want {
				t.Fatalf("at %v: %+v %v, want %+v", st.at, n.Notices, err, st.want)
			}
		}
		e.reply(tk.ID, "")
		// Waiting on the customer from Sunday 11:00 until Monday 11:00:
		// no breach while paused. Resumed, the deadline moves later by the
		// working time paused (Monday 08:30–11:00, 2.5 h) to 12:30: a new
		// deadline, announced again, near at once.
		e.clock.Set(time.Date(2026, 3, 8, 11, 0, 0, 0, shanghai))
		d = e.detail(tk.ID)
		if _, err := e.svc.Pause(e.asSpec1, tk.ID, d.Version, "等待客户提供现场照片"); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(time.Date(2026, 3, 9, 10, 0, 1, 0, shanghai))
		if n, err := e.svc.DeriveBreaches(e.sys); err != nil || n.Notices != (tickets.DeadlineNotices{}) {
			t.Fatalf("paused past the deadline: %+v %v", n.Notices, err)
		}
		e.clock.Set(time.Date(2026, 3, 9, 11, 0, 0, 0, shanghai))
		d = e.detail(tk.ID)
		if _, err := e.svc.Resume(e.asSpec1, tk.ID, d.Version); err != nil {
			t.Fatal(err)
		}
		d = e.detail(tk.ID)
		if want := time.Date(2026, 3, 9, 12, 30, 0, 0, shanghai); !d.PromisedAt.Equal(want) {
			t.Fatalf("promised after the pause %v, want %v", d.PromisedAt, want)
		}
		for _, st := range []struct {
			at   time.Time
			want tickets.DeadlineNotices
		}{
			{time.Date(2026, 3, 9, 11, 0, 0, 0, shanghai), tickets.DeadlineNotices{Near: 2}},
			{time.Date(2026, 3, 9, 12, 30, 1, 0, shanghai), tickets.DeadlineNotices{Breach: 2}},
			{time.Date(2026, 3, 9, 13, 0, 0, 0, shanghai), tickets.DeadlineNotices{}},
		} {
			e.clock.Set(st.at)
			if n, err := e.svc.DeriveBreaches(e.sys); err != nil || n.Notices != st.want {
				t.Fatalf("at %v: %+v %v, want %+v", st.at, n.Notices, err, st.want)
			}
		}
		if got, want := e.deadlineKinds(e.asMgr), []string{tickets.NoticeReplyNear, tickets.NoticeReplyLate, tickets.NoticeSolutionNear,
			tickets.NoticeSolutionNear, tickets.NoticeSolutionLate}; !slices.Equal(got, want) {
			t.Fatalf("the manager's notices %v, want %v", got, want)
		}
		if got, want := e.deadlineKinds(e.asSpec1), []string{tickets.NoticeSolutionNear, tickets.NoticeSolutionNear,
			tickets.NoticeSolutionLate}; !slices.Equal(got, want) {
			t.Fatalf("spec1's notices %v, want %v", got, want)
		}
		if got := e.deadlineKinds(e.asSpec2); len(got) != 0 {
			t.Fatalf("spec2 (the customer's owner, not responsible) got %v", got)
		}
	})
}
