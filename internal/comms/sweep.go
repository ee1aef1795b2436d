package comms

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/notify"
	"kefu/internal/store"
)

// Sweeper turns running response clocks into notifications as time
// passes: near-breach (e.g. 2 minutes into a 3-minute WeChat clock) and
// breach, for the responsible specialist. A breach also re-derives the
// clock's conversation, so its event is recorded as soon as it happens
// and not only when the next record arrives. Run it every second; each
// run is one indexed query when nothing is due.
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
	var breached []string
	var earliest time.Time
	var notes []notify.Notification
	w.mu.Lock()
	for _, c := range due {
		if c.Deadline.Before(now) {
			breached = append(breached, c.Conversation)
			if earliest.IsZero() || c.StartedAt.Before(earliest) {
				earliest = c.StartedAt
			}
			if c.StaffID != nil {
				notes = append(notes, notify.Notification{RecipientID: *c.StaffID, Kind: "response_breach", SubjectKind: "clock", SubjectID: c.Key,
					Title: kindTitle(c.Kind) + "已超时", Body: fmt.Sprintf("%s 开始计时，期限 %s 已过。", c.StartedAt.In(s.loc).Format("01-02 15:04:05"),
						c.Deadline.In(s.loc).Format("15:04:05")), Link: "/queue", DedupKey: "response_breach|" + c.Key})
			}
			n.Breached++
			continue
		}
		if w.near[c.Key] || c.StaffID == nil {
			continue
		}
		w.near[c.Key] = true
		notes = append(notes, notify.Notification{RecipientID: *c.StaffID, Kind: "response_near", SubjectKind: "clock", SubjectID: c.Key,
			Title: kindTitle(c.Kind) + "即将超时", Body: fmt.Sprintf("请在 %s 前回复。", c.Deadline.In(s.loc).Format("15:04:05")),
			Link: "/queue", DedupKey: "response_near|" + c.Key})
		n.Near++
	}
	if len(w.near) > 10000 {
		w.near = map[string]bool{} // notices are deduplicated anyway
	}
	w.mu.Unlock()
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
	if len(breached) > 0 {
		if _, err := s.Recompute(ctx, earliest, now.Add(time.Second), breached...); err != nil {
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
