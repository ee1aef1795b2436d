package comms

import (
	"context"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/store"
)

// QueueItem is a running response clock on the live queue (待响应): an
// unanswered WeChat conversation, a missed call waiting for its call
// back, an online chat.
type QueueItem struct {
	Key          string     `bun:"key" json:"key"`
	Kind         string     `bun:"kind" json:"kind"`
	Channel      string     `bun:"channel" json:"channel"`   // of the record that started the clock
	StartID      string     `bun:"start_id" json:"start_id"` // that record
	Conversation string     `bun:"conversation" json:"conversation"`
	CustomerID   *string    `bun:"customer_id" json:"customer_id"`
	CustomerName string     `bun:"customer_name" json:"customer_name"`
	StaffID      *string    `bun:"staff_id" json:"staff_id"`
	StaffName    string     `bun:"staff_name" json:"staff_name"`
	StartedAt    time.Time  `bun:"started_at" json:"started_at"`
	NearAt       *time.Time `bun:"near_at" json:"near_at"`
	Deadline     time.Time  `bun:"deadline" json:"deadline"`
	State        string     `bun:"state" json:"state"`
	Summary      string     `bun:"summary" json:"summary"`
	// SecondsLeft until the deadline (negative once breached), as of the
	// time the queue was read.
	SecondsLeft int64 `bun:"-" json:"seconds_left"`
	Near        bool  `bun:"-" json:"near"`
}

// queueWindow is how far back the live queue reaches (by deadline).
const queueWindow = 7 * 24 * time.Hour

// Queue returns the open response clocks — running, or breached and still
// unanswered — soonest deadline first: a specialist's own (their
// customers' and unmatched ones), everyone's for a manager or with
// staffID "" ; staffID narrows a manager's view to one person.
func (s *Service) Queue(ctx context.Context, staffID string) ([]QueueItem, error) {
	p := access.Caller(ctx)
	if !p.Can(access.CommRead) {
		return nil, apperr.Forbidden("无权查看待响应队列")
	}
	// A specialist's queue is their own (and the unmatched), whatever the
	// read-all setting: it is their work list, not a report.
	if p.OnlySpecialist() {
		staffID = p.StaffID
	}
	now := store.Time(s.now())
	q := `SELECT k.key, k.kind, COALESCE(m.channel, '') AS channel, k.start_id, k.conversation, k.customer_id, COALESCE(cu.name, '') AS customer_name, k.staff_id,
		COALESCE(st.name, '') AS staff_name, k.started_at, k.near_at, k.deadline, k.state, COALESCE(m.summary, '') AS summary
		FROM response_clocks k
		LEFT JOIN customers cu ON cu.id = k.customer_id
		LEFT JOIN staff st ON st.id = k.staff_id
		LEFT JOIN communications m ON m.id = k.start_id
		WHERE k.stop_id IS NULL AND k.state IN ('running', 'breached') AND k.deadline >= ?`
	// The live queue is the last week's: older unanswered clocks are in
	// the breach events and reports, not on the work list.
	args := []any{now.Add(-queueWindow)}
	if staffID != "" {
		q += " AND (k.staff_id = ? OR k.staff_id IS NULL)"
		args = append(args, staffID)
	}
	out := []QueueItem{}
	if err := s.db.R().NewRaw(q+" ORDER BY k.deadline, k.key LIMIT 500", args...).Scan(ctx, &out); err != nil {
		return nil, err
	}
	for i := range out {
		it := &out[i]
		it.SecondsLeft = int64(it.Deadline.Sub(now) / time.Second)
		if it.SecondsLeft < 0 {
			it.State = "breached"
		}
		it.Near = it.State == "running" && it.NearAt != nil && !now.Before(*it.NearAt)
	}
	return out, nil
}
