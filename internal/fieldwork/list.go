package fieldwork

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// WorkOrderFilter narrows a list of work orders. From and To bound the
// planned day (both inclusive, YYYY-MM-DD).
type WorkOrderFilter struct {
	ID, ProjectID, CustomerID, OwnerID, RegionID, GroupID, TechnicianID string
	Statuses                                                            []string
	From, To                                                            string
	// Open: not accepted and not cancelled.
	Open  bool
	Limit int
}

// ListWorkOrders lists the work orders the caller may see, by planned
// day then number.
func (s *Service) ListWorkOrders(ctx context.Context, f WorkOrderFilter) ([]WorkOrderRow, error) {
	p := access.Caller(ctx)
	if !p.Can(access.WorkRead) {
		return nil, apperr.Forbidden("无权查看派工单")
	}
	for _, d := range []struct{ field, v string }{{"from", f.From}, {"to", f.To}} {
		if d.v == "" {
			continue
		}
		if _, err := calendar.ParseDate(d.v); err != nil {
			return nil, apperr.Invalid(d.field, "日期格式应为 YYYY-MM-DD")
		}
	}
	return s.listWorkOrdersAs(ctx, s.db.R(), p, f)
}

func (s *Service) listWorkOrders(ctx context.Context, db bun.IDB, f WorkOrderFilter) ([]WorkOrderRow, error) {
	return s.listWorkOrdersAs(ctx, db, nil, f)
}

// listWorkOrdersAs lists work orders; p non-nil limits them to what p may
// see.
func (s *Service) listWorkOrdersAs(ctx context.Context, db bun.IDB, p *access.Principal, f WorkOrderFilter) ([]WorkOrderRow, error) {
	var rows []WorkOrderRow
	q := db.NewSelect().Model(&rows).ColumnExpr("w.*").
		ColumnExpr("c.name AS customer_name, COALESCE(r.name, '') AS region_name, COALESCE(g.name, '') AS group_name").
		ColumnExpr("COALESCE(sv.name, '') AS supervisor_name, COALESCE(o.name, '') AS owner_name").
		Join("JOIN customers AS c ON c.id = w.customer_id").
		Join("LEFT JOIN regions AS r ON r.id = w.region_id").
		Join("LEFT JOIN maint_groups AS g ON g.id = w.group_id").
		Join("LEFT JOIN staff AS sv ON sv.id = w.supervisor_id").
		Join("LEFT JOIN staff AS o ON o.id = w.owner_id")
	eq := map[string]string{"w.id": f.ID, "w.project_id": f.ProjectID, "w.customer_id": f.CustomerID, "w.owner_id": f.OwnerID,
		"w.region_id": f.RegionID, "w.group_id": f.GroupID}
	for _, col := range []string{"w.id", "w.project_id", "w.customer_id", "w.owner_id", "w.region_id", "w.group_id"} {
		if v := eq[col]; v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	if f.TechnicianID != "" {
		q = q.Where("EXISTS (SELECT 1 FROM work_order_technicians t WHERE t.work_order_id = w.id AND t.staff_id = ?)", f.TechnicianID)
	}
	if len(f.Statuses) > 0 {
		q = q.Where("w.status IN (?)", bun.In(f.Statuses))
	}
	if f.Open {
		q = q.Where("w.status NOT IN ('accepted', 'cancelled')")
	}
	if f.From != "" {
		q = q.Where("w.planned_on >= ?", f.From)
	}
	if f.To != "" {
		q = q.Where("w.planned_on <= ?", f.To)
	}
	if p != nil {
		q = s.restrict(q, p)
	}
	if f.Limit <= 0 || f.Limit > 2000 {
		f.Limit = 2000
	}
	if err := q.OrderExpr("w.planned_on, w.number").Limit(int64(f.Limit)).Scan(ctx); err != nil {
		return nil, err
	}
	return rows, s.fillTechnicians(ctx, db, rows)
}

// restrict limits q to the work orders p may see (canSee, in SQL).
func (s *Service) restrict(q *bun.SelectQuery, p *access.Principal) *bun.SelectQuery {
	if p.IsManagerial() || p.Has(access.Executive) || (p.Has(access.CSSpecialist) && s.specialistReadAll) {
		return q
	}
	return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.WhereOr("w.supervisor_id = ?", p.StaffID).
			WhereOr("EXISTS (SELECT 1 FROM work_order_technicians t WHERE t.work_order_id = w.id AND t.staff_id = ?)", p.StaffID)
		if p.Has(access.CSSpecialist) {
			q = q.WhereOr("w.owner_id = ?", p.StaffID)
		}
		return q
	})
}

func (s *Service) fillTechnicians(ctx context.Context, db bun.IDB, rows []WorkOrderRow) error {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	techs, err := techniciansOf(ctx, db, ids)
	if err != nil {
		return err
	}
	for i := range rows {
		rows[i].Technicians = techs[rows[i].ID]
	}
	return nil
}

// techniciansOf are the technicians of the work orders ids, by name.
func techniciansOf(ctx context.Context, db bun.IDB, ids []string) (map[string][]Person, error) {
	out := make(map[string][]Person, len(ids))
	// Chunked: SQLite limits bound parameters.
	for start := 0; start < len(ids); start += 500 {
		end := min(start+500, len(ids))
		var part []struct {
			WorkOrderID string `bun:"work_order_id"`
			ID          string `bun:"id"`
			Name        string `bun:"name"`
		}
		if err := db.NewRaw(`SELECT t.work_order_id, s.id, s.name FROM work_order_technicians t JOIN staff s ON s.id = t.staff_id
			WHERE t.work_order_id IN (?) ORDER BY s.name, s.id`, bun.In(ids[start:end])).Scan(ctx, &part); err != nil {
			return nil, err
		}
		for _, t := range part {
			out[t.WorkOrderID] = append(out[t.WorkOrderID], Person{ID: t.ID, Name: t.Name})
		}
	}
	return out, nil
}

// BoardFilter chooses the dispatch board's days and region or group.
type BoardFilter struct {
	From, To          string // YYYY-MM-DD; From "" = today, To "" = From + 6 days
	RegionID, GroupID string
}

// Board is the dispatch board (派工看板): the work planned for each day of
// a span, by group; and the work not yet dispatched whose dispatch is due.
type Board struct {
	From    string         `json:"from"`
	To      string         `json:"to"`
	Days    []BoardDay     `json:"days"`
	Overdue []WorkOrderRow `json:"overdue"` // not dispatched, dispatch due before now
	// Truncated: the span holds more than BoardLimit orders; the board
	// shows the first (narrow it by region or group, or shorten it).
	Truncated bool `json:"truncated"`
}

// BoardLimit is the most work orders a board shows.
const BoardLimit = 10_000

// BoardDay is one day of the board.
type BoardDay struct {
	Day    string       `json:"day"`
	Groups []BoardGroup `json:"groups"`
}

// BoardGroup is one group's work of a day ("" = not yet dispatched to a
// group).
type BoardGroup struct {
	GroupID   string       `json:"group_id"`
	GroupName string       `json:"group_name"`
	Orders    []BoardOrder `json:"orders"`
}

// BoardOrder is a work order as the board shows it: what it is, whose,
// where it stands (the work order page has the rest). Narrow on purpose:
// a company's week is thousands of orders.
type BoardOrder struct {
	ID           string     `bun:"id" json:"id"`
	Number       string     `bun:"number" json:"number"`
	Type         string     `bun:"type" json:"type"`
	Status       string     `bun:"status" json:"status"`
	CustomerID   string     `bun:"customer_id" json:"customer_id"`
	CustomerName string     `bun:"customer_name" json:"customer_name"`
	OwnerID      *string    `bun:"owner_id" json:"owner_id"`
	RegionID     *string    `bun:"region_id" json:"region_id"`
	GroupID      *string    `bun:"group_id" json:"group_id"`
	GroupName    string     `bun:"group_name" json:"group_name"`
	PlannedOn    string     `bun:"planned_on" json:"planned_on"`
	DeadlineOn   *string    `bun:"deadline_on" json:"deadline_on"`
	DispatchDue  *time.Time `bun:"dispatch_due" json:"dispatch_due"`
	DispatchedAt *time.Time `bun:"dispatched_at" json:"dispatched_at"`
	Technicians  []Person   `bun:"-" json:"technicians"`
}

// DispatchBoard returns the board for the span (at most 31 days).
func (s *Service) DispatchBoard(ctx context.Context, f BoardFilter) (*Board, error) {
	p := access.Caller(ctx)
	if !p.Can(access.WorkRead) {
		return nil, apperr.Forbidden("无权查看派工看板")
	}
	from := calendar.DateOf(s.now(), s.loc)
	if f.From != "" {
		d, err := calendar.ParseDate(f.From)
		if err != nil {
			return nil, apperr.Invalid("from", "日期格式应为 YYYY-MM-DD")
		}
		from = d
	}
	to := from.AddDays(6)
	if f.To != "" {
		d, err := calendar.ParseDate(f.To)
		if err != nil {
			return nil, apperr.Invalid("to", "日期格式应为 YYYY-MM-DD")
		}
		to = d
	}
	if to.Before(from) || to.Sub(from) > 30 {
		return nil, apperr.Invalid("to", "看板最多显示 31 天，且结束日期不能早于开始日期")
	}
	rows, err := s.boardOrders(ctx, p, from.String(), to.String(), f)
	if err != nil {
		return nil, err
	}
	b := &Board{From: from.String(), To: to.String(), Truncated: len(rows) > BoardLimit}
	if b.Truncated {
		rows = rows[:BoardLimit]
	}
	byDay := map[string]int{}
	for d := from; !d.After(to); d = d.AddDays(1) {
		byDay[d.String()] = len(b.Days)
		b.Days = append(b.Days, BoardDay{Day: d.String()})
	}
	for _, r := range rows {
		day := &b.Days[byDay[r.PlannedOn]]
		gid := deref(r.GroupID)
		i := -1
		for k, g := range day.Groups {
			if g.GroupID == gid {
				i = k
			}
		}
		if i < 0 {
			day.Groups = append(day.Groups, BoardGroup{GroupID: gid, GroupName: r.GroupName})
			i = len(day.Groups) - 1
		}
		day.Groups[i].Orders = append(day.Groups[i].Orders, r)
	}
	for i := range b.Days {
		sortGroups(b.Days[i].Groups)
	}
	q := WorkOrderFilter{Statuses: []string{StatusPlanned, StatusReturned}, RegionID: f.RegionID, GroupID: f.GroupID, Limit: 200}
	over, err := s.overdueDispatch(ctx, p, q)
	if err != nil {
		return nil, err
	}
	b.Overdue = over
	return b, nil
}

// boardOrders are the work of the days from–to (BoardLimit+1 at most),
// by day and number, with their technicians: one narrow query for the
// orders, one for the technicians.
func (s *Service) boardOrders(ctx context.Context, p *access.Principal, from, to string, f BoardFilter) ([]BoardOrder, error) {
	db := s.db.R()
	var rows []BoardOrder
	q := db.NewSelect().TableExpr("work_orders AS w").
		ColumnExpr("w.id, w.number, w.type, w.status, w.customer_id, c.name AS customer_name, w.owner_id, w.region_id, w.group_id").
		ColumnExpr("COALESCE(g.name, '') AS group_name, w.planned_on, w.deadline_on, w.dispatch_due, w.dispatched_at").
		Join("JOIN customers AS c ON c.id = w.customer_id").
		Join("LEFT JOIN maint_groups AS g ON g.id = w.group_id").
		Where("w.planned_on >= ? AND w.planned_on <= ?", from, to).
		Where("w.status IN (?)", bun.In([]string{StatusPlanned, StatusDispatched, StatusReturned, StatusCompleted, StatusAccepted}))
	if f.RegionID != "" {
		q = q.Where("w.region_id = ?", f.RegionID)
	}
	if f.GroupID != "" {
		q = q.Where("w.group_id = ?", f.GroupID)
	}
	q = s.restrict(q, p)
	if err := q.OrderExpr("w.planned_on, w.number").Limit(BoardLimit+1).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	if len(rows) <= 500 {
		// A narrowed board: its own orders' technicians.
		ids := make([]string, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		techs, err := techniciansOf(ctx, db, ids)
		if err != nil {
			return nil, err
		}
		for i := range rows {
			rows[i].Technicians = techs[rows[i].ID]
		}
		return rows, nil
	}
	// A wide board: the technicians of every order planned in the span in
	// one query (a superset of the rows: cancelled orders and other
	// regions' too), rather than one query per 500 orders.
	var techs []struct {
		WorkOrderID string `bun:"work_order_id"`
		ID          string `bun:"id"`
		Name        string `bun:"name"`
	}
	if err := db.NewRaw(`SELECT t.work_order_id, s.id, s.name FROM work_orders w
		JOIN work_order_technicians t ON t.work_order_id = w.id JOIN staff s ON s.id = t.staff_id
		WHERE w.planned_on >= ? AND w.planned_on <= ? ORDER BY s.name, s.id`, from, to).Scan(ctx, &techs); err != nil {
		return nil, err
	}
	at := make(map[string]int, len(rows))
	for i, r := range rows {
		at[r.ID] = i
	}
	for _, t := range techs {
		if i, ok := at[t.WorkOrderID]; ok {
			rows[i].Technicians = append(rows[i].Technicians, Person{ID: t.ID, Name: t.Name})
		}
	}
	return rows, nil
}

// sortGroups puts groups by name, the undispatched ("" group) first.
func sortGroups(gs []BoardGroup) {
	slices.SortStableFunc(gs, func(a, b BoardGroup) int {
		if (a.GroupID == "") != (b.GroupID == "") {
			if a.GroupID == "" {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.GroupName, b.GroupName)
	})
}

// overdueDispatch lists undispatched work whose dispatch is already due.
func (s *Service) overdueDispatch(ctx context.Context, p *access.Principal, f WorkOrderFilter) ([]WorkOrderRow, error) {
	var rows []WorkOrderRow
	q := s.db.R().NewSelect().Model(&rows).ColumnExpr("w.*").
		ColumnExpr("c.name AS customer_name, COALESCE(o.name, '') AS owner_name").
		Join("JOIN customers AS c ON c.id = w.customer_id").
		Join("LEFT JOIN staff AS o ON o.id = w.owner_id").
		Where("w.dispatched_at IS NULL AND w.status IN (?) AND w.dispatch_due < ?", bun.In(f.Statuses), store.Time(s.now()))
	if f.RegionID != "" {
		q = q.Where("w.region_id = ?", f.RegionID)
	}
	if f.GroupID != "" {
		q = q.Where("w.region_id IN (SELECT id FROM regions WHERE group_id = ?)", f.GroupID)
	}
	q = s.restrict(q, p)
	if err := q.OrderExpr("w.dispatch_due, w.number").Limit(int64(f.Limit)).Scan(ctx); err != nil {
		return nil, err
	}
	return rows, nil
}
