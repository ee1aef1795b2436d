package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"kefu/internal/access"
	"kefu/internal/calendar"
	"kefu/internal/org"
	"kefu/internal/store"
)

// The field-work part of the harness measures issue 5's target: the
// dispatch board (派工看板) with 100,000 work orders.

// FieldGroup is the maintenance group of one region, with its
// supervisor and technicians.
type FieldGroup struct {
	RegionID, GroupID, SupervisorID string
	Technicians                     []string
}

// FieldOrg is what SeedWorkOrders built around the work orders.
type FieldOrg struct {
	Groups []FieldGroup // one per region, in the order of Env.Regions
	// Seeded counts the work orders inserted so far (numbered BW-1 … BW-n).
	Seeded int
}

// fieldState keeps the field-work organisation per Env (Env lives in
// bench.go; this part of the harness keeps its state beside it).
var fieldState = struct {
	sync.Mutex
	m map[*Env]*FieldOrg
}{m: map[*Env]*FieldOrg{}}

// FieldOrg returns the maintenance groups SeedWorkOrders made, nil before.
func (e *Env) FieldOrg() *FieldOrg {
	fieldState.Lock()
	defer fieldState.Unlock()
	return fieldState.m[e]
}

// fieldOrg makes one maintenance group per region (once per Env): a
// supervisor (maint_supervisor) and 3 technicians in it, and the region
// pointed at it.
func (e *Env) fieldOrg(ctx context.Context) (*FieldOrg, error) {
	fieldState.Lock()
	defer fieldState.Unlock()
	if f := fieldState.m[e]; f != nil {
		return f, nil
	}
	a := e.App
	f := &FieldOrg{}
	for i, r := range e.Regions {
		sup, err := a.Org.CreateStaff(e.Sys, org.StaffInput{Login: fmt.Sprintf("bench.sup%02d", i), Name: fmt.Sprintf("组长%02d", i),
			Roles: []access.Role{access.MaintSupervisor}})
		if err != nil {
			return nil, fmt.Errorf("bench: supervisor: %w", err)
		}
		g, err := a.Org.SaveGroup(e.Sys, "", 0, org.UnitInput{Name: "维修" + r.Name + "组", Code: fmt.Sprintf("G%02d", i), SupervisorID: sup.ID})
		if err != nil {
			return nil, fmt.Errorf("bench: group: %w", err)
		}
		fg := FieldGroup{RegionID: r.ID, GroupID: g.ID, SupervisorID: sup.ID}
		for k := range 3 {
			t, err := a.Org.CreateStaff(e.Sys, org.StaffInput{Login: fmt.Sprintf("bench.tech%02d.%d", i, k), Name: fmt.Sprintf("技师%02d-%d", i, k),
				SupervisorID: sup.ID, GroupID: g.ID, Roles: []access.Role{access.Technician}})
			if err != nil {
				return nil, fmt.Errorf("bench: technician: %w", err)
			}
			fg.Technicians = append(fg.Technicians, t.ID)
		}
		in := org.UnitInput{Name: r.Name, Code: r.Code, GroupID: g.ID}
		if r.SpecialistID != nil {
			in.SpecialistID = *r.SpecialistID
		}
		nr, err := a.Org.SaveRegion(e.Sys, r.ID, r.Version, in)
		if err != nil {
			return nil, fmt.Errorf("bench: region group: %w", err)
		}
		e.Regions[i] = nr
		f.Groups = append(f.Groups, fg)
	}
	fieldState.m[e] = f
	return f, nil
}

// WorkOrderSpan is the number of planned days SeedWorkOrders spreads the
// work over: today ± WorkOrderSpan/2.
const WorkOrderSpan = 365

// fieldCustomer is a seeded customer as a work order needs it.
type fieldCustomer struct {
	id, owner, region, address string
}

var (
	fwTypes     = []string{"inspection", "inspection", "inspection", "inspection", "seasonal", "seasonal", "repair", "repair", "repair", "construction", "other"}
	fwEquipment = []string{"冷水机组", "冷却塔", "风机盘管", "新风机组", "多联机", "水泵", "分体空调", "机房精密空调"}
	fwParts     = `["压缩机","冷凝器","蒸发器","过滤网"]`
	fwContent   = map[string]string{
		"inspection":   "月度巡检：运行参数记录、异响检查、滤网清洁",
		"seasonal":     "换季保养：清洗换热器、检查制冷剂、紧固电气接线",
		"repair":       "故障报修：设备不制冷，现场检查处理",
		"construction": "施工：更换冷却塔填料",
		"other":        "其他：配合物业消防检查",
	}
)

// SeedWorkOrders adds n work orders (and first, once per Env, one
// maintenance group per region: see fieldOrg) with raw INSERTs in one
// transaction on the writer, like SeedContracts. Customers must be seeded
// first (Seed); the work goes to them in turn.
//
// Shape, relative to the company's today T:
//   - planned days uniform over T−182 … T+182 (WorkOrderSpan days), so a
//     week holds about 7n/365 (1,918 for 100,000);
//   - type mixed: inspection 36%, seasonal 18%, repair 27% (on past days
//     and today only: a repair is not planned months ahead; later ones
//     become inspections), construction and other 9% each;
//   - the region, owner and address are the customer's, as CreateWorkOrder
//     copies them (the owner is the region's specialist for 9 customers in
//     10, see Seed);
//   - dispatch is due at the end of the day 2 days before the planned day
//     (the default PlannedLeadDays), for a repair 30 minutes after it was
//     requested that day;
//   - past days: 78% accepted, 13% completed, 3% cancelled, 3% still
//     dispatched, 2.8% returned for correction, 0.2% never dispatched;
//     one dispatch in ten was late (after its due time);
//   - today and the next 14 days: dispatched or further as the day nears
//     (90% of those whose dispatch was due, 40% of the others), 2%
//     cancelled; later: 8% dispatched, 2% cancelled, the rest planned;
//   - a dispatched order (and every later state) has its region's group
//     and supervisor and 1 or 2 of the group's 3 technicians
//     (work_order_technicians); an undispatched one has none;
//   - numbers BW-<k>, unique across calls.
//
// On PostgreSQL the tables are analyzed afterwards, on SQLite the WAL is
// checkpointed (see Seed).
func (e *Env) SeedWorkOrders(ctx context.Context, n int) error {
	if n <= 0 {
		return nil
	}
	f, err := e.fieldOrg(ctx)
	if err != nil {
		return err
	}
	groupOf := map[string]*FieldGroup{}
	for i := range f.Groups {
		groupOf[f.Groups[i].RegionID] = &f.Groups[i]
	}
	db := e.App.DB().SQLDB()
	var custs []fieldCustomer
	rows, err := db.QueryContext(ctx, `SELECT id, COALESCE(owner_id, ''), COALESCE(region_id, ''), address FROM customers
		WHERE status = 'active' AND region_id IS NOT NULL ORDER BY code`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var c fieldCustomer
		if err := rows.Scan(&c.id, &c.owner, &c.region, &c.address); err != nil {
			rows.Close()
			return err
		}
		if groupOf[c.region] != nil {
			custs = append(custs, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(custs) == 0 {
		return errors.New("bench: seed customers before work orders")
	}

	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if e.Dialect == store.SQLite {
		restore, err := sqlitePragmas(ctx, conn, map[string]string{"synchronous": "OFF", "cache_size": "-262144"})
		if err != nil {
			return err
		}
		defer restore()
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	kw := e.newInserter(tx, "work_orders", "id", "number", "type", "customer_id", "owner_id", "region_id", "group_id", "supervisor_id",
		"site_address", "contact_name", "contact_phone", "equipment", "parts", "content", "planned_on", "deadline_on", "requested_at",
		"dispatch_due", "status", "dispatched_by", "dispatched_at", "completed_at", "completed_by", "accepted_at", "accepted_by",
		"cancel_reason", "created_by", "version", "created_at", "updated_at")
	kt := e.newInserter(tx, "work_order_technicians", "work_order_id", "staff_id")
	defer kw.close()
	defer kt.close()

	loc := e.App.Location()
	now := time.Now()
	today := calendar.DateOf(now, loc)
	first := today.AddDays(-WorkOrderSpan / 2)
	rng := rand.New(rand.NewPCG(uint64(f.Seeded)+17, 5))
	at := func(d calendar.Date, minute int) time.Time { return d.In(loc).Add(time.Duration(minute) * time.Minute) }
	for i := range n {
		k := f.Seeded + i + 1
		c := custs[(k*7919)%len(custs)]
		g := groupOf[c.region]
		day := first.AddDays(rng.IntN(WorkOrderSpan))
		typ := fwTypes[rng.IntN(len(fwTypes))]
		if typ == "repair" && day.After(today) {
			typ = "inspection"
		}
		var requested any
		var due time.Time
		created := at(day, -(7+rng.IntN(40))*24*60)
		if typ == "repair" {
			req := at(day, 8*60+rng.IntN(10*60))
			requested, due, created = e.dbTime(req), req.Add(30*time.Minute), req
		} else {
			due = at(day.AddDays(-1), 0).Add(-time.Second) // end of the day 2 days before
		}
		// The status the order has reached.
		status := "planned"
		switch past := day.Before(today); {
		case past:
			switch x := rng.IntN(1000); {
			case x < 780:
				status = "accepted"
			case x < 910:
				status = "completed"
			case x < 940:
				status = "cancelled"
			case x < 970:
				status = "dispatched"
			case x < 998:
				status = "returned"
			}
		case day.Sub(today) <= 14:
			p := 40
			if due.Before(now) {
				p = 90
			}
			switch x := rng.IntN(100); {
			case x < 2:
				status = "cancelled"
			case x < 2+p:
				status = "dispatched"
			}
		default:
			switch x := rng.IntN(100); {
			case x < 2:
				status = "cancelled"
			case x < 10:
				status = "dispatched"
			}
		}
		// When it was dispatched (one in ten late), completed, accepted.
		var group, supervisor, dispatchedBy, dispatchedAt, completedAt, completedBy, acceptedAt, acceptedBy any
		var techs []string
		owner := any(nil)
		if c.owner != "" {
			owner = c.owner
		}
		if status != "planned" && status != "cancelled" {
			var d time.Time
			if typ == "repair" {
				d = due.Add(-time.Duration(5+rng.IntN(24)) * time.Minute)
				if rng.IntN(10) == 0 {
					d = due.Add(time.Duration(1+rng.IntN(120)) * time.Minute)
				}
			} else {
				d = due.Add(-time.Duration(1+rng.IntN(5*24*60)) * time.Minute)
				if rng.IntN(10) == 0 {
					d = due.Add(time.Duration(1+rng.IntN(30*60)) * time.Minute)
				}
			}
			if d.Before(created) {
				created = d.Add(-time.Hour)
			}
			if d.After(now) {
				d = now.Add(-time.Minute)
			}
			group, supervisor, dispatchedBy, dispatchedAt = g.GroupID, g.SupervisorID, owner, e.dbTime(d)
			techs = append(techs, g.Technicians[rng.IntN(len(g.Technicians))])
			if rng.IntN(3) == 0 {
				if t := g.Technicians[rng.IntN(len(g.Technicians))]; t != techs[0] {
					techs = append(techs, t)
				}
			}
			if status == "completed" || status == "accepted" {
				done := at(day, 9*60+rng.IntN(9*60))
				if done.Before(d) {
					done = d.Add(2 * time.Hour)
				}
				if done.After(now) {
					done = now.Add(-time.Minute)
				}
				completedAt, completedBy = e.dbTime(done), g.SupervisorID
				if status == "accepted" {
					acceptedAt, acceptedBy = e.dbTime(done.Add(time.Duration(1+rng.IntN(72))*time.Hour)), owner
				}
			}
		}
		if created.After(now) {
			created = now
		}
		reason, parts := "", "[]"
		if status == "cancelled" {
			reason = "客户改期"
		}
		if typ == "seasonal" {
			parts = fwParts
		}
		ts, id := e.dbTime(created), store.NewID()
		if err := kw.add(id, fmt.Sprintf("BW-%d", k), typ, c.id, owner, c.region, group, supervisor,
			c.address, "物业值班室", fmt.Sprintf("010-6%07d", k%10_000_000), fwEquipment[rng.IntN(len(fwEquipment))], parts, fwContent[typ],
			day.String(), day.AddDays(7).String(), requested, e.dbTime(due), status, dispatchedBy, dispatchedAt, completedAt, completedBy,
			acceptedAt, acceptedBy, reason, e.ManagerID, 1, ts, ts); err != nil {
			return err
		}
		for _, t := range techs {
			if err := kt.add(id, t); err != nil {
				return err
			}
		}
		if i%1000 == 999 || i == n-1 {
			if err := kw.flush(ctx); err != nil {
				return err
			}
			if err := kt.flush(ctx); err != nil {
				return err
			}
		}
	}
	kw.close()
	kt.close()
	if err := tx.Commit(); err != nil {
		return err
	}
	fieldState.Lock()
	f.Seeded += n
	fieldState.Unlock()
	switch e.Dialect {
	case store.SQLite:
		_, err = conn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	case store.Postgres:
		_, err = conn.ExecContext(ctx, "ANALYZE work_orders, work_order_technicians, maint_groups, regions, staff")
	}
	return err
}

// AsStaff returns ctx acting as staff member id (as the web and the API
// would after authenticating).
func (e *Env) AsStaff(ctx context.Context, id string) (context.Context, error) {
	p, err := e.App.Auth.Principal(ctx, id)
	if err != nil {
		return nil, err
	}
	return access.With(ctx, p), nil
}

// TokenFor returns a new Bearer token acting as staff member id.
func (e *Env) TokenFor(ctx context.Context, id string) (string, error) {
	_, tok, err := e.App.Auth.CreateToken(e.Sys, id, "bench-"+id[len(id)-6:], nil)
	return tok, err
}
