package comms

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/notify"
	"kefu/internal/store"
)

// Sweeper turns running response clocks into notifications as time
// passes: near-breach (e.g. 2 minutes into a 3-minute WeChat clock) and
// breach, for the responsible specialist. Both also re-derive the clock's
// conversation, so the near-breach or breach event is recorded as soon as
// it happens and not only when the next record arrives. Run it every
// second; each run is one indexed query when nothing is due.
type Sweeper struct {
	s        *Service
	pusher   Pusher
	mu       sync.Mutex
	near     map[string]bool // clocks already notified as near, in this process
	lastNear time.Time       // near times up to here are handled
}

// Pusher sends a notice to the team's group chat (a WeCom group robot);
// the one interface of notify, which the ticket deadlines use too.
type Pusher = notify.Pusher

// NewSweeper returns a sweeper for the service; pusher (may be nil) also
// gets each notice, mentioning the responsible person's mobile.
func (s *Service) NewSweeper(pusher Pusher) *Sweeper {
	return &Sweeper{s: s, pusher: pusher, near: map[string]bool{}}
}

// SweepCounts says what a sweep did.
type SweepCounts struct {
	Near     int `json:"near"`
	Breached int `json:"breached"`
}

// Sweep handles every running clock whose near-breach time or deadline
// has come.
func (w *Sweeper) Sweep(ctx context.Context) (SweepCounts, error) {
	var n SweepCounts
	s := w.s
	now := store.Time(s.now())
	// Breaches: running clocks past their deadline. Near-breaches: clocks
	// whose near time came since the last sweep (so near clocks waiting
	// for their deadline never crowd out new ones).
	var due []StoredClock
	if err := s.db.R().NewSelect().Model(&due).
		Where("state = 'running' AND deadline < ?", now).
		Order("deadline").Limit(1000).Scan(ctx); err != nil {
		return n, err
	}
	w.mu.Lock()
	since := w.lastNear
	w.mu.Unlock()
	if since.IsZero() {
		since = now.Add(-10 * time.Minute)
	}
	var near []StoredClock
	if err := s.db.R().NewSelect().Model(&near).
		Where("state = 'running' AND near_at > ? AND near_at <= ? AND deadline >= ?", since, now, now).
		Order("near_at").Limit(1000).Scan(ctx); err != nil {
		return n, err
	}
	due = append(due, near...)
	w.mu.Lock()
	if len(near) < 1000 {
		w.lastNear = now
	} else {
		w.lastNear = near[len(near)-1].NearAt.Add(-time.Nanosecond) // the rest next time
	}
	w.mu.Unlock()
	// The conversations whose clocks breached or became near, re-derived
	// below so that their events exist now.
	var touched []string
	var earliest time.Time
	touch := func(c StoredClock) {
		touched = append(touched, c.Conversation)
		if earliest.IsZero() || c.StartedAt.Before(earliest) {
			earliest = c.StartedAt
		}
	}
	// The clocks to notify, breached or near.
	type notice struct {
		c      StoredClock
		breach bool
	}
	var toNotify []notice
	w.mu.Lock()
	for _, c := range due {
		if c.Deadline.Before(now) {
			touch(c)
			if c.StaffID != nil {
				toNotify = append(toNotify, notice{c, true})
			}
			n.Breached++
			continue
		}
		if w.near[c.Key] {
			continue
		}
		w.near[c.Key] = true
		touch(c)
		if c.StaffID == nil {
			continue
		}
		toNotify = append(toNotify, notice{c, false})
		n.Near++
	}
	if len(w.near) > 10000 {
		w.near = map[string]bool{} // notices are deduplicated anyway
	}
	w.mu.Unlock()
	var notes []notify.Notification
	if len(toNotify) > 0 {
		// Each notice names the customer and the conversation (group,
		// chat or number) to answer.
		var ids []string
		for _, d := range toNotify {
			if d.c.CustomerID != nil {
				ids = append(ids, *d.c.CustomerID)
			}
		}
		names := map[string]string{}
		if len(ids) > 0 {
			var rows []struct {
				ID   string `bun:"id"`
				Name string `bun:"name"`
			}
			if err := s.db.R().NewRaw("SELECT id, name FROM customers WHERE id IN (?)", bun.In(ids)).Scan(ctx, &rows); err != nil {
				return n, err
			}
			for _, r := range rows {
				names[r.ID] = r.Name
			}
		}
		for _, d := range toNotify {
			c := d.c
			whom := "未匹配客户"
			if c.CustomerID != nil && names[*c.CustomerID] != "" {
				whom = names[*c.CustomerID]
			}
			whom += "（" + c.Conversation + "）"
			if d.breach {
				notes = append(notes, notify.Notification{RecipientID: *c.StaffID, Kind: "response_breach", SubjectKind: "clock", SubjectID: c.Key,
					Title: kindTitle(c.Kind) + "已超时", Body: fmt.Sprintf("%s：%s 开始计时，期限 %s 已过。", whom, c.StartedAt.In(s.loc).Format("01-02 15:04:05"),
						c.Deadline.In(s.loc).Format("15:04:05")), Link: "/queue", DedupKey: "response_breach|" + c.Key})
				continue
			}
			notes = append(notes, notify.Notification{RecipientID: *c.StaffID, Kind: "response_near", SubjectKind: "clock", SubjectID: c.Key,
				Title: kindTitle(c.Kind) + "即将超时", Body: fmt.Sprintf("%s：请在 %s 前回复。", whom, c.Deadline.In(s.loc).Format("15:04:05")),
				Link: "/queue", DedupKey: "response_near|" + c.Key})
		}
	}
	var fresh []notify.Notification
	if len(notes) > 0 {
		if err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
			fresh = fresh[:0]
			for _, nt := range notes {
				added, err := notify.Add(ctx, tx, now, nt)
				if err != nil {
					return err
				}
				if added {
					fresh = append(fresh, nt)
				}
			}
			return nil
		}); err != nil {
			return n, err
		}
	}
	var pushErr error
	if w.pusher != nil {
		for _, nt := range fresh {
			var who struct {
				Name  string `bun:"name"`
				Phone string `bun:"phone"`
			}
			_ = s.db.R().NewSelect().Table("staff").Column("name", "phone").Where("id = ?", nt.RecipientID).Scan(ctx, &who)
			var mention []string
			if who.Phone != "" {
				mention = []string{who.Phone}
			}
			if err := w.pusher.Push(ctx, fmt.Sprintf("【kefu】%s：%s。%s", who.Name, nt.Title, nt.Body), mention...); err != nil && pushErr == nil {
				pushErr = fmt.Errorf("comms: group robot: %w", err)
			}
		}
	}
	if len(touched) > 0 {
		slices.Sort(touched)
		if _, err := s.Recompute(ctx, earliest, now.Add(time.Second), slices.Compact(touched)...); err != nil {
			return n, err
		}
	}
	return n, pushErr
}

func kindTitle(kind string) string {
	switch kind {
	case "wechat_response":
		return "微信消息"
	case "missed_call":
		return "未接来电回拨"
	case "chat_response":
		return "在线咨询"
	}
	return kind
}
