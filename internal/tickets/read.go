package tickets

import (
	"context"
	"strings"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/store"
)

// View is a ticket with the names a person reads.
type View struct {
	Ticket         `bun:",extend"`
	CustomerName   string  `bun:"customer_name" json:"customer_name"`
	FirstOwnerName string  `bun:"first_owner_name" json:"first_owner_name"`
	AssigneeName   string  `bun:"assignee_name" json:"assignee_name"`
	OwnerID        *string `bun:"owner_id" json:"owner_id"` // the customer's owning specialist
}

const viewSelect = `SELECT t.*, COALESCE(cu.name, '') AS customer_name, COALESCE(fo.name, '') AS first_owner_name,
	COALESCE(asg.name, '') AS assignee_name, cu.owner_id
FROM tickets t
	LEFT JOIN customers cu ON cu.id = t.customer_id
	LEFT JOIN staff fo ON fo.id = t.first_owner_id
	LEFT JOIN staff asg ON asg.id = t.assignee_id`

// LinkedCommunication is a communication record linked to a ticket.
type LinkedCommunication struct {
	ID         string    `bun:"id" json:"id"`
	Channel    string    `bun:"channel" json:"channel"`
	Direction  string    `bun:"direction" json:"direction"`
	OccurredAt time.Time `bun:"occurred_at" json:"occurred_at"`
	Summary    string    `bun:"summary" json:"summary"`
}

// Detail is a ticket with its history.
type Detail struct {
	View
	Transitions    []Transition          `json:"transitions"`
	Escalations    []Escalation          `json:"escalations"`
	Complaint      *Complaint            `json:"complaint"`
	Callbacks      []Callback            `json:"callbacks"`
	Communications []LinkedCommunication `json:"communications"`
	// AllowedNext lists the states the ticket may move to now.
	AllowedNext []string `json:"allowed_next"`
	// CanWork tells whether the caller may change the ticket.
	CanWork bool `json:"can_work"`
}

// Get returns a ticket the caller may read with its transitions,
// escalations, complaint, callbacks and linked communication records.
func (s *Service) Get(ctx context.Context, id string) (*Detail, error) {
	p := access.Caller(ctx)
	db := s.db.R()
	d := new(Detail)
	if err := db.NewRaw(viewSelect+" WHERE t.id = ?", id).Scan(ctx, &d.View); err != nil {
		return nil, notFoundAs(err, apperr.NotFound("ticket"))
	}
	d.expand()
	if !s.canRead(p, &d.Ticket, d.OwnerID) {
		return nil, apperr.Forbidden("无权查看该工单")
	}
	if err := db.NewSelect().Model(&d.Transitions).ColumnExpr("tt.*").ColumnExpr("COALESCE(st.name, '') AS by_name").
		Join("LEFT JOIN staff AS st ON st.id = tt.by_id").Where("tt.ticket_id = ?", id).
		OrderExpr("tt.at, tt.recorded_at, tt.id").Scan(ctx); err != nil {
		return nil, err
	}
	if err := db.NewSelect().Model(&d.Escalations).Where("ticket_id = ?", id).OrderExpr("at, id").Scan(ctx); err != nil {
		return nil, err
	}
	if err := db.NewSelect().Model(&d.Callbacks).Where("ticket_id = ?", id).OrderExpr("created_at, id").Scan(ctx); err != nil {
		return nil, err
	}
	if err := db.NewSelect().Table("communications").Column("id", "channel", "direction", "occurred_at", "summary").
		Where("ticket_id = ?", id).OrderExpr("occurred_at, id").Scan(ctx, &d.Communications); err != nil {
		return nil, err
	}
	if d.Type == TypeComplaint {
		c, err := getComplaint(ctx, db, id)
		if err != nil && !apperr.Is(err, apperr.KindNotFound) {
			return nil, err
		}
		d.Complaint = c
	}
	d.AllowedNext = AllowedNext(d.Type, d.Status)
	d.CanWork = CanWork(p, &d.Ticket, d.OwnerID)
	if d.Communications == nil {
		d.Communications = []LinkedCommunication{}
	}
	if d.Transitions == nil {
		d.Transitions = []Transition{}
	}
	if d.Escalations == nil {
		d.Escalations = []Escalation{}
	}
	if d.Callbacks == nil {
		d.Callbacks = []Callback{}
	}
	return d, nil
}

// Filter selects tickets.
type Filter struct {
	Status     string
	Type       string
	CustomerID string
	// StaffID: tickets this person is first-contact owner or assignee of,
	// or whose customer they own.
	StaffID    string
	Open       bool // not resolved, called back or closed
	Incomplete bool // 登记不全 only
	Query      string
	From, To   time.Time // received_at in [From, To)
	Limit      int
	Offset     int
}

// List returns the tickets the caller may read, urgent and earliest
// deadline first for open lists, newest first otherwise.
func (s *Service) List(ctx context.Context, f Filter) ([]View, error) {
	p := access.Caller(ctx)
	if !p.Can(access.CommRead) {
		return nil, apperr.Forbidden("无权查看工单")
	}
	var where []string
	var args []any
	add := func(c string, a ...any) { where = append(where, c); args = append(args, a...) }
	if p.OnlySpecialist() && !s.specialistReadAll {
		add("(cu.owner_id = ? OR t.first_owner_id = ? OR t.assignee_id = ?)", p.StaffID, p.StaffID, p.StaffID)
	}
	if f.StaffID != "" {
		// Three indexed lookups rather than a scan of every ticket (IN
		// keeps each id once; UNION ALL spares sorting the three lists).
		add(`t.id IN (SELECT id FROM tickets WHERE first_owner_id = ? UNION ALL SELECT id FROM tickets WHERE assignee_id = ?
			UNION ALL SELECT t2.id FROM tickets t2 JOIN customers c2 ON c2.id = t2.customer_id WHERE c2.owner_id = ?)`, f.StaffID, f.StaffID, f.StaffID)
	}
	if f.Status != "" {
		add("t.status = ?", f.Status)
	}
	if f.Type != "" {
		add("t.type = ?", f.Type)
	}
	if f.CustomerID != "" {
		add("t.customer_id = ?", f.CustomerID)
	}
	if f.Open {
		add("t.status NOT IN ('resolved', 'callback_done', 'closed')")
	}
	if f.Incomplete {
		add("t.incomplete")
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		pat := store.ContainsPattern(q)
		add(`(t.number LIKE ? ESCAPE '\' OR t.description LIKE ? ESCAPE '\' OR cu.name LIKE ? ESCAPE '\' OR t.caller LIKE ? ESCAPE '\')`,
			pat, pat, pat, pat)
	}
	if !f.From.IsZero() {
		add("t.received_at >= ?", store.Time(f.From))
	}
	if !f.To.IsZero() {
		add("t.received_at < ?", store.Time(f.To))
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	q := viewSelect
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Open {
		q += " ORDER BY CASE WHEN t.urgency = 'urgent' THEN 0 ELSE 1 END, CASE WHEN t.promised_at IS NULL THEN 1 ELSE 0 END, t.promised_at, t.received_at, t.id"
	} else {
		q += " ORDER BY t.received_at DESC, t.id DESC"
	}
	q += " LIMIT ? OFFSET ?"
	var out []View
	if err := s.db.R().NewRaw(q, append(args, limit, max(f.Offset, 0))...).Scan(ctx, &out); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].expand()
	}
	if out == nil {
		out = []View{}
	}
	return out, nil
}
