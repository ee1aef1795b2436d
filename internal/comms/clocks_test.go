package comms_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/comms"
	"kefu/internal/events"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

type eventRow struct {
	ID          string     `bun:"id"`
	Type        string     `bun:"type"`
	StaffID     *string    `bun:"staff_id"`
	Quantity    int64      `bun:"quantity"`
	ComputedKey string     `bun:"computed_key"`
	WithdrawnAt *time.Time `bun:"withdrawn_at"`
	Reason      string     `bun:"withdraw_reason"`
}

const nearTypes = "('wechat_timeout_near', 'missed_call_timeout_near', 'chat_timeout_near')"

// events are the events that are not near-breaches, by time.
func (e *env) events(t *testing.T) []eventRow {
	t.Helper()
	return e.eventsWhere(t, "type NOT IN "+nearTypes)
}

// nearEvents are the near-breach events, by time.
func (e *env) nearEvents(t *testing.T) []eventRow {
	t.Helper()
	return e.eventsWhere(t, "type IN "+nearTypes)
}

func (e *env) eventsWhere(t *testing.T, where string) []eventRow {
	t.Helper()
	var out []eventRow
	if err := e.db.R().NewRaw("SELECT id, type, staff_id, quantity, computed_key, withdrawn_at, withdraw_reason FROM events WHERE "+where+
		" ORDER BY occurred_at, computed_key").Scan(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func (e *env) clocks(t *testing.T) map[string]comms.StoredClock {
	t.Helper()
	var cs []comms.StoredClock
	if err := e.db.R().NewSelect().Model(&cs).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := map[string]comms.StoredClock{}
	for _, c := range cs {
		out[c.Conversation] = c
	}
	return out
}

// Ingesting records derives the response clocks of their conversations
// and the breach events, attributed to the owning specialist with the
// records as evidence; a backdated reply withdraws a breach; recomputing
// changes nothing.
func TestClocksFromRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // now 2026-03-05 10:00 Shanghai; 国贸物业 (group wxg-001, phone 13800000001) is spec1's
		in := func(ext, ch, dir, at, conv, cp string) comms.Input {
			return comms.Input{ExternalID: ext, Channel: ch, Direction: dir, OccurredAt: "2026-03-05 " + at, Conversation: conv, Counterpart: cp}
		}
		batch := []comms.Input{
			in("g1", "wechat_group", "in", "09:00:00", "wxg-001", ""),
			in("g2", "wechat_group", "in", "09:01:00", "wxg-001", ""),  // same burst
			in("g3", "wechat_group", "out", "09:03:00", "wxg-001", ""), // exactly 3:00 after the first: on time
			in("g4", "wechat_group", "in", "09:30:00", "wxg-001", ""),
			in("g5", "wechat_group", "out", "09:33:01", "wxg-001", ""),  // one second late
			in("p1", "phone_missed", "", "09:10:00", "", "13800000001"), // never called back: 20 min late at 10:00
		}
		if _, err := e.svc.Ingest(e.info, batch, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		evs := e.events(t)
		if len(evs) != 2 {
			t.Fatalf("events %+v", evs)
		}
		for _, ev := range evs {
			if ev.StaffID == nil || *ev.StaffID != e.spec1ID || ev.WithdrawnAt != nil {
				t.Fatalf("event %+v not spec1's", ev)
			}
		}
		byType := map[string]eventRow{}
		for _, ev := range evs {
			byType[ev.Type] = ev
		}
		// WeChat: 1 second late → 1 minute; missed call 09:10 → deadline 09:40, open at 10:00 → 20 minutes.
		if byType["wechat_timeout"].Quantity != 1 || byType["missed_call_timeout"].Quantity != 20 {
			t.Fatalf("quantities %+v", byType)
		}
		// The late reply's clock: g4 started it, g5 stopped it.
		if got, want := evidenceOf(t, db, byType["wechat_timeout"].ID), []string{"start:" + recordID(t, db, "g4"), "stop:" + recordID(t, db, "g5")}; !slices.Equal(got, want) {
			t.Fatalf("wechat breach evidence %v, want %v", got, want)
		}
		if got, want := evidenceOf(t, db, byType["missed_call_timeout"].ID), []string{"start:" + recordID(t, db, "p1")}; !slices.Equal(got, want) {
			t.Fatalf("missed-call breach evidence %v, want %v (never called back: no stop)", got, want)
		}
		// Near-breaches: the burst answered at 3:00 (on time, after 2:00),
		// and both breached clocks.
		near := e.nearEvents(t)
		if len(near) != 3 {
			t.Fatalf("near-breach events %+v, want 3", near)
		}
		for _, ev := range near {
			if ev.StaffID == nil || *ev.StaffID != e.spec1ID || ev.WithdrawnAt != nil || ev.Quantity != 1 {
				t.Fatalf("near-breach %+v", ev)
			}
		}
		// Re-deriving the day changes nothing.
		n, err := e.svc.Recompute(context.Background(), now.Add(-24*time.Hour), now.Add(time.Second))
		if err != nil || n.Clocks != 3 || n.Changed != 0 || n.Breaches != 2 || n.Near != 3 || n.Withdrawn != 0 {
			t.Fatalf("recompute %+v %v (want 3 clocks, none rewritten)", n, err)
		}
		// A stored clock that no longer says what the records say (edited
		// by hand here) is the one a recomputation rewrites.
		if _, err := db.SQLDB().Exec("UPDATE response_clocks SET late_s = 999, state = 'met' WHERE conversation = 'wxg-001' AND late_s = 1"); err != nil {
			t.Fatal(err)
		}
		n, err = e.svc.Recompute(context.Background(), now.Add(-24*time.Hour), now.Add(time.Second))
		if err != nil || n.Changed != 1 || n.Breaches != 2 {
			t.Fatalf("recompute after the edit %+v %v (want exactly one clock rewritten)", n, err)
		}
		var restored int
		if err := db.R().NewRaw("SELECT COUNT(*) FROM response_clocks WHERE conversation = 'wxg-001' AND late_s = 1 AND state = 'breached'").Scan(context.Background(), &restored); err != nil || restored != 1 {
			t.Fatalf("the edited clock was not restored: %d %v", restored, err)
		}
		if again := e.events(t); len(again) != 2 || again[0].ID != evs[0].ID || again[1].ID != evs[1].ID {
			t.Fatalf("events after recompute %+v", again)
		}
		// A call back recorded late but dated 09:35 (in time, after the
		// near moment 09:30) withdraws the missed-call breach, not its
		// near-breach.
		late := comms.Input{ExternalID: "p2", Channel: "phone_out", OccurredAt: "2026-03-05 09:35:00", Counterpart: "13800000001", StaffLogin: "spec1"}
		if _, err := e.svc.Ingest(e.info, []comms.Input{late}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		for _, ev := range e.events(t) {
			if ev.Type == "missed_call_timeout" && ev.WithdrawnAt == nil {
				t.Fatalf("the missed-call breach stands after the call back: %+v", ev)
			}
			if ev.Type == "wechat_timeout" && ev.WithdrawnAt != nil {
				t.Fatalf("the WeChat breach was withdrawn: %+v", ev)
			}
		}
		cl := e.clocks(t)
		if c := cl["13800000001"]; c.State != "met" || c.StopID == nil {
			t.Fatalf("missed-call clock %+v", c)
		}
		if again := e.nearEvents(t); len(again) != 3 || again[0].WithdrawnAt != nil || again[0].ID != near[0].ID {
			t.Fatalf("near-breaches after the call back %+v", again)
		}
		// Everything is stored as derived: a recomputation writes nothing
		// and withdraws nothing more.
		n, err = e.svc.Recompute(context.Background(), now.Add(-24*time.Hour), now.Add(time.Second))
		if err != nil || n.Clocks != 3 || n.Changed != 0 || n.Breaches != 1 || n.Near != 3 || n.Withdrawn != 0 {
			t.Fatalf("recompute after the call back %+v %v", n, err)
		}
	})
}

// A breach the system withdrew comes back when a recomputation finds it
// again, with its evidence; one a person withdrew stays withdrawn.
func TestRecomputeRestoresSystemWithdrawals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.lateReplyAndMissedCall(t)
		evs := e.events(t)
		if len(evs) != 2 {
			t.Fatalf("events %+v", evs)
		}
		byType := map[string]eventRow{}
		for _, ev := range evs {
			byType[ev.Type] = ev
		}
		exec := func(q string) {
			t.Helper()
			if _, err := db.SQLDB().Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		exec("UPDATE events SET withdrawn_at = created_at, withdraw_reason = 'system' WHERE id = '" + byType["wechat_timeout"].ID + "'")
		exec("UPDATE events SET withdrawn_at = created_at, withdrawn_by = '" + e.spec1ID + "', withdraw_reason = 'a person' WHERE id = '" + byType["missed_call_timeout"].ID + "'")
		if _, err := e.svc.Recompute(context.Background(), now.Add(-24*time.Hour), now.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		for _, ev := range e.events(t) {
			switch {
			case ev.Type == "wechat_timeout" && (ev.WithdrawnAt != nil || ev.ID != byType["wechat_timeout"].ID):
				t.Fatalf("the system's withdrawal stands: %+v", ev)
			case ev.Type == "missed_call_timeout" && ev.WithdrawnAt == nil:
				t.Fatalf("a person's withdrawal was undone: %+v", ev)
			}
		}
		if got := evidenceOf(t, db, byType["wechat_timeout"].ID); len(got) != 2 {
			t.Fatalf("evidence of the restored breach: %v", got)
		}
	})
}

// A window's recomputation takes an event whose key it did not find
// stored (it reads the window's events by date) for new; when the key is
// stored after all — here a breach dated years before the window — the
// event is updated in place, keeping its id, and its evidence is
// rewritten, while a new event written beside it in the same statement
// gets its own. Nothing is duplicated.
func TestRecomputeEventStoredOutsideWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.lateReplyAndMissedCall(t)
		before := map[string]eventRow{}
		for _, ev := range e.eventsWhere(t, "1 = 1") {
			before[ev.ComputedKey] = ev
		}
		byType := map[string]eventRow{}
		for _, ev := range before {
			byType[ev.Type] = ev
		}
		wechat, missed := byType["wechat_timeout"], byType["missed_call_timeout"]
		if wechat.ID == "" || missed.ID == "" || len(before) != 4 {
			t.Fatalf("events after the ingest: %+v", before)
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if err := db.Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error {
				_, err := tx.NewRaw(q, args...).Exec(ctx)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		// The WeChat breach is stored under a date the window does not
		// cover, with its evidence as rows written before evidence_refs
		// (migration 00030), one of them not the clock's; the
		// missed-call breach is gone.
		exec("UPDATE events SET occurred_at = ?, quantity = 99, evidence_refs = '' WHERE id = ?", store.Time(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)), wechat.ID)
		exec("INSERT INTO event_evidence (event_id, kind, ref_id, role) VALUES (?, 'communication', ?, 'start'), (?, 'communication', 'legacy', 'stop')",
			wechat.ID, recordID(t, db, "g1"), wechat.ID)
		exec("DELETE FROM events WHERE id = ?", missed.ID)
		if _, err := e.svc.Recompute(context.Background(), now.Add(-24*time.Hour), now.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		after := map[string]eventRow{}
		for _, ev := range e.eventsWhere(t, "1 = 1") {
			if _, dup := after[ev.ComputedKey]; dup {
				t.Fatalf("two events of key %s", ev.ComputedKey)
			}
			after[ev.ComputedKey] = ev
		}
		if len(after) != len(before) {
			t.Fatalf("%d events after, %d before", len(after), len(before))
		}
		if ev := after[wechat.ComputedKey]; ev.ID != wechat.ID || ev.Quantity != wechat.Quantity {
			t.Fatalf("the WeChat breach stored outside the window: %+v, was %+v", ev, wechat)
		}
		var at time.Time
		if err := db.R().NewRaw("SELECT occurred_at FROM events WHERE id = ?", wechat.ID).Scan(context.Background(), &at); err != nil || at.Year() != 2026 {
			t.Fatalf("its date: %v %v", at, err)
		}
		if ev := after[missed.ComputedKey]; ev.ID == "" || ev.ID == missed.ID {
			t.Fatalf("the missed-call breach written again: %+v", ev)
		}
		// The evidence is the clocks' again, on the rows; the old rows
		// are gone with the rewrite.
		if got, want := evidenceOf(t, db, wechat.ID), []string{"start:" + recordID(t, db, "g1"), "stop:" + recordID(t, db, "g2")}; !slices.Equal(got, want) {
			t.Fatalf("evidence of the wechat breach %v, want %v", got, want)
		}
		if got, want := evidenceOf(t, db, after[missed.ComputedKey].ID), []string{"start:" + recordID(t, db, "p1")}; !slices.Equal(got, want) {
			t.Fatalf("evidence of the missed-call breach %v, want %v", got, want)
		}
		var legacy int
		if err := db.R().NewRaw("SELECT COUNT(*) FROM event_evidence WHERE event_id = ?", wechat.ID).Scan(context.Background(), &legacy); err != nil || legacy != 0 {
			t.Fatalf("evidence rows left of the rewritten event: %d %v", legacy, err)
		}
	})
}

// A reply days after an unanswered message stops its clock: the
// re-derivation after an ingest reaches back to the clocks of the
// conversation still open, however old (within a month).
func TestLateReplyStopsAnOldClock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // now 2026-03-05 10:00 Shanghai
		ask := comms.Input{ExternalID: "q", Channel: "wechat_group", Direction: "in", OccurredAt: "2026-03-02 09:00:00", Conversation: "wxg-001"}
		if _, err := e.svc.Ingest(e.info, []comms.Input{ask}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		if c := e.clocks(t)["wxg-001"]; c.StopID != nil || c.State != "breached" {
			t.Fatalf("the unanswered clock: %+v", c)
		}
		reply := comms.Input{ExternalID: "a", Channel: "wechat_group", Direction: "out", OccurredAt: "2026-03-05 09:59:00", Conversation: "wxg-001", StaffLogin: "spec1"}
		if _, err := e.svc.Ingest(e.info, []comms.Input{reply}, comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		c := e.clocks(t)["wxg-001"]
		// 09:00:00 + 3 min → 09:03 on 03-02; answered 03-05 09:59: 3 days and 56 minutes late.
		if c.StopID == nil || c.State != "breached" || c.LateS != int64((3*24*time.Hour+56*time.Minute)/time.Second) {
			t.Fatalf("the old clock after the reply: %+v", c)
		}
		evs := e.events(t)
		if len(evs) != 1 || evs[0].Quantity != 3*24*60+56 {
			t.Fatalf("breach after the reply: %+v", evs)
		}
	})
}

// Online chat (channel chat) is stored and runs the 60-second clock:
// a reply exactly 60 s after the customer's message is in time, one a
// second later is a breach of one minute, the owning specialist's.
func TestChatRecordsAndTheirClock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // now 2026-03-05 10:00 Shanghai; 国贸物业 is spec1's
		chat := func(ext, dir, at, session string) comms.Input {
			in := comms.Input{ExternalID: ext, Channel: "chat", Direction: dir, OccurredAt: "2026-03-05 " + at, Conversation: session,
				CustomerID: e.a.ID, Summary: "在线客服 " + ext}
			if dir == "out" {
				in.StaffLogin = "spec1"
			}
			return in
		}
		res, err := e.svc.Ingest(e.info, []comms.Input{
			chat("c1", "in", "09:00:00", "s1"), chat("c2", "out", "09:01:00", "s1"), // exactly 60 s: met
			chat("c3", "in", "09:10:00", "s2"), chat("c4", "out", "09:11:01", "s2"), // 61 s: one second late
		}, comms.SourceAPI)
		if err != nil {
			t.Fatal(err)
		}
		r, err := e.svc.Get(e.mgr, res[0].ID)
		if err != nil || r.Channel != "chat" || r.CustomerID == nil || *r.CustomerID != e.a.ID {
			t.Fatalf("chat record %+v %v", r, err)
		}
		cl := e.clocks(t)
		met, late := cl["s1"], cl["s2"]
		if met.Kind != "chat_response" || met.State != "met" || met.StopID == nil || *met.StopID != res[1].ID ||
			!met.Deadline.Equal(time.Date(2026, 3, 5, 9, 1, 0, 0, shanghai)) {
			t.Fatalf("the chat answered in 60 s: %+v", met)
		}
		if late.Kind != "chat_response" || late.State != "breached" || late.LateS != 1 || late.StaffID == nil || *late.StaffID != e.spec1ID {
			t.Fatalf("the chat answered in 61 s: %+v", late)
		}
		evs := e.events(t)
		if len(evs) != 1 || evs[0].Type != "chat_timeout" || evs[0].Quantity != 1 || evs[0].StaffID == nil || *evs[0].StaffID != e.spec1ID ||
			evs[0].ComputedKey != late.Key {
			t.Fatalf("chat breach events %+v", evs)
		}
		// A person logs a chat too.
		if _, err := e.svc.Add(e.spec1, comms.Input{Channel: "chat", Direction: "out", OccurredAt: "2026-03-05 09:30:00", CustomerID: e.a.ID,
			Conversation: "s3", Summary: "在线答复"}); err != nil {
			t.Fatalf("typed chat: %v", err)
		}
	})
}

// evidenceOf is an event's evidence as "role:record id", in the order
// the lists show it (events.Evidence: by kind, then id); every ref must
// be a communication record.
func evidenceOf(t *testing.T, db *store.DB, eventID string) []string {
	t.Helper()
	refs, err := events.Evidence(context.Background(), db.R(), eventID)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(refs))
	for i, r := range refs {
		if r.Kind != "communication" {
			t.Fatalf("evidence of %s: %+v", eventID, refs)
		}
		out[i] = r.Role + ":" + r.ID
	}
	slices.Sort(out)
	return out
}

// recordID is the id of the communication record of an external id.
func recordID(t *testing.T, db *store.DB, externalID string) string {
	t.Helper()
	var id string
	if err := db.R().NewRaw("SELECT id FROM communications WHERE external_id = ?", externalID).Scan(context.Background(), &id); err != nil {
		t.Fatalf("record %s: %v", externalID, err)
	}
	return id
}

// lateReplyAndMissedCall ingests a WeChat message answered 10 minutes
// later (g1, g2: a breach of 7 minutes) and a missed call of 国贸物业's
// number never called back (p1), both at 09:00.
func (e *env) lateReplyAndMissedCall(t *testing.T) {
	t.Helper()
	batch := []comms.Input{
		{ExternalID: "g1", Channel: "wechat_group", Direction: "in", OccurredAt: "2026-03-05 09:00:00", Conversation: "wxg-001"},
		{ExternalID: "g2", Channel: "wechat_group", Direction: "out", OccurredAt: "2026-03-05 09:10:00", Conversation: "wxg-001", StaffLogin: "spec1"},
		{ExternalID: "p1", Channel: "phone_missed", OccurredAt: "2026-03-05 09:00:00", Counterpart: "13800000001"},
	}
	if _, err := e.svc.Ingest(e.info, batch, comms.SourceAPI); err != nil {
		t.Fatal(err)
	}
}
