package customers

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/store"
	"kefu/internal/tabular"
)

// importer holds the lookups of one import run, inside its transaction.
type importer struct {
	ctx context.Context
	s   *Service
	tx  bun.Tx
	rec recording
	m   *tabular.Mapping

	regionID    map[string]string // name or code → id
	regionSpec  map[string]string // region id → specialist id
	staffID     map[string]string // login → id
	staffByName map[string][]string
	specialist  map[string]bool
	kind        ImportKind
	byCode      map[string]*Customer
	byRegion    map[string]*Customer   // region id + name; customer imports only
	byName      map[string][]*Customer // contact and equipment imports only
	// partial holds the stored customers loaded with matchColumns only, by
	// id; full fetches the rest of a row before a plan reads it.
	partial   map[string]*Customer
	contacts  map[string]map[string]*Contact   // customer id → name → contact
	equipment map[string]map[string]*Equipment // customer id → natural key → unit
	seen      map[string]int                   // natural key → line, for duplicates in the file

	// New rows and log entries are written in multi-row inserts by flush.
	newCustomers []*Customer
	newContacts  []*Contact
	newEquipment []*Equipment
	changes      []*ArchiveChange
	audits       []*audit.Entry
}

// log queues the history and audit entries of one change.
func (im *importer) log(ctx context.Context, customerID, entity, entityID, action, summary string, before, after any, ownerID *string) error {
	ch, entry, err := buildChange(ctx, im.rec, customerID, entity, entityID, action, summary, before, after, ownerID)
	if err != nil || ch == nil {
		return err
	}
	im.changes = append(im.changes, ch)
	im.audits = append(im.audits, entry)
	return nil
}

// flush writes the queued rows, parents first, 500 rows a statement.
func (im *importer) flush(ctx context.Context) error {
	if err := insertChunks(ctx, im.tx, im.newCustomers, customerConflict); err != nil {
		return err
	}
	if err := insertChunks(ctx, im.tx, im.newContacts, nil); err != nil {
		return err
	}
	if err := insertChunks(ctx, im.tx, im.newEquipment, nil); err != nil {
		return err
	}
	if err := insertChunks(ctx, im.tx, im.changes, nil); err != nil {
		return err
	}
	return audit.InsertAll(ctx, im.tx, im.audits)
}

func insertChunks[T any](ctx context.Context, tx bun.IDB, rows []T, mapErr func(error) error) error {
	for len(rows) > 0 {
		chunk := rows[:min(len(rows), 500)]
		if _, err := tx.NewInsert().Model(&chunk).Exec(ctx); err != nil {
			if mapErr != nil {
				return mapErr(err)
			}
			return err
		}
		rows = rows[len(chunk):]
	}
	return nil
}

// matchColumns are the customer columns an import needs for every stored
// customer: to match rows by code or by region and name, to keep generated
// codes unique, and to name the owner on the history of a contact or
// equipment row. Whole rows are read only for the customers a customer
// import matches (prefetch, full).
var matchColumns = []string{"id", "code", "name", "region_id", "owner_id"}

func newImporter(ctx context.Context, s *Service, tx bun.Tx, rec recording, m *tabular.Mapping, kind ImportKind, rows []tabular.Row) (*importer, error) {
	im := &importer{ctx: ctx, s: s, tx: tx, rec: rec, m: m, kind: kind, regionID: map[string]string{}, regionSpec: map[string]string{},
		staffID: map[string]string{}, staffByName: map[string][]string{}, specialist: map[string]bool{},
		contacts: map[string]map[string]*Contact{}, equipment: map[string]map[string]*Equipment{}, seen: map[string]int{}}
	var regions []struct {
		ID           string  `bun:"id"`
		Name         string  `bun:"name"`
		Code         string  `bun:"code"`
		SpecialistID *string `bun:"specialist_id"`
	}
	if err := tx.NewSelect().Table("regions").Column("id", "name", "code", "specialist_id").Scan(ctx, &regions); err != nil {
		return nil, err
	}
	for _, r := range regions {
		im.regionID[keyOf(r.Name)] = r.ID
		if r.Code != "" {
			im.regionID[keyOf(r.Code)] = r.ID
		}
		if r.SpecialistID != nil {
			im.regionSpec[r.ID] = *r.SpecialistID
		}
	}
	var staff []struct {
		ID    string `bun:"id"`
		Login string `bun:"login"`
		Name  string `bun:"name"`
	}
	if err := tx.NewSelect().Table("staff").Column("id", "login", "name").Scan(ctx, &staff); err != nil {
		return nil, err
	}
	for _, st := range staff {
		im.staffID[keyOf(st.Login)] = st.ID
		im.staffByName[keyOf(st.Name)] = append(im.staffByName[keyOf(st.Name)], st.ID)
	}
	var specs []string
	if err := tx.NewSelect().Table("staff_roles").Column("staff_id").Where("role = ?", string(access.CSSpecialist)).Scan(ctx, &specs); err != nil {
		return nil, err
	}
	for _, id := range specs {
		im.specialist[id] = true
	}
	all, err := loadMatchColumns(ctx, tx)
	if err != nil {
		return nil, err
	}
	im.byCode = make(map[string]*Customer, len(all))
	if kind == ImportCustomers {
		im.byRegion = make(map[string]*Customer, len(all))
	} else {
		im.byName = make(map[string][]*Customer, len(all))
	}
	im.partial = make(map[string]*Customer, len(all))
	for _, c := range all {
		im.index(c)
		im.partial[c.ID] = c
	}
	if kind == ImportCustomers {
		if err := im.prefetch(ctx, rows); err != nil {
			return nil, err
		}
	}
	return im, nil
}

func (im *importer) index(c *Customer) {
	im.byCode[c.Code] = c
	if im.byRegion != nil {
		im.byRegion[keyOf(c.RegionID, c.Name)] = c
	}
	if im.byName != nil {
		k := keyOf(c.Name)
		im.byName[k] = append(im.byName[k], c)
	}
}

// loadMatchColumns reads matchColumns of every customer. It scans plainly
// rather than through bun's model reflection: at 100,000 customers that
// halves the cost of this read, which every import and dry run pays.
func loadMatchColumns(ctx context.Context, tx bun.Tx) ([]*Customer, error) {
	rows, err := tx.QueryContext(ctx, "SELECT "+strings.Join(matchColumns, ", ")+" FROM customers")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []*Customer
	var block []Customer // allocated in blocks: one allocation per 1,024 customers
	for rows.Next() {
		if len(block) == 0 {
			block = make([]Customer, 1024)
		}
		c := &block[0]
		block = block[1:]
		if err := rows.Scan(&c.ID, &c.Code, &c.Name, &c.RegionID, &c.OwnerID); err != nil {
			return nil, err
		}
		all = append(all, c)
	}
	return all, rows.Err()
}

// prefetch reads the whole rows of the stored customers the rows of a
// customer import may match, in a few queries instead of one per row.
func (im *importer) prefetch(ctx context.Context, rows []tabular.Row) error {
	var ids []string
	want := func(c *Customer) {
		if c != nil && im.partial[c.ID] == c {
			ids = append(ids, c.ID)
		}
	}
	for _, row := range rows {
		if code := strings.ToUpper(im.m.Get(row, "code")); code != "" {
			want(im.byCode[code])
		}
		if regionID, ok := im.regionID[keyOf(im.m.Get(row, "region"))]; ok {
			want(im.byRegion[keyOf(regionID, im.m.Get(row, "name"))])
		}
	}
	slices.Sort(ids)
	return im.loadFull(ctx, slices.Compact(ids))
}

// full completes c if it was loaded with matchColumns only.
func (im *importer) full(ctx context.Context, c *Customer) error {
	if im.partial[c.ID] != c {
		return nil
	}
	return im.loadFull(ctx, []string{c.ID})
}

// loadFull reads whole rows into the partial customers of ids, in place:
// the indexes keep pointing at them.
func (im *importer) loadFull(ctx context.Context, ids []string) error {
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		var rows []*Customer
		if err := im.tx.NewSelect().Model(&rows).Where("id IN (?)", bun.In(chunk)).Scan(ctx); err != nil {
			return err
		}
		for _, r := range rows {
			if c := im.partial[r.ID]; c != nil {
				*c = *r
				delete(im.partial, r.ID)
			}
		}
	}
	return nil
}

// rowErrors collects the errors of one row against its columns.
type rowErrors struct {
	line int
	m    *tabular.Mapping
	errs tabular.Errors
}

func (re *rowErrors) add(key string, value, reason string) {
	re.errs = append(re.errs, tabular.CellError{Line: re.line, Column: re.m.Header(key), Value: value, Reason: reason})
}

// addErr records a domain validation error on the column that holds its field.
func (re *rowErrors) addErr(err error, fieldToKey map[string]string, row tabular.Row) {
	e, ok := apperr.As(err)
	if !ok {
		re.errs = append(re.errs, tabular.CellError{Line: re.line, Reason: err.Error()})
		return
	}
	key := e.Field
	if k, ok := fieldToKey[e.Field]; ok {
		key = k
	}
	value := ""
	if re.m.Has(key) {
		value = re.m.Get(row, key)
	}
	re.add(key, value, e.Message)
}

func (im *importer) staff(re *rowErrors, row tabular.Row, key string, mustBeSpecialist bool) (string, bool) {
	v := im.m.Get(row, key)
	if v == "" {
		return "", true
	}
	id, ok := im.staffID[keyOf(v)]
	if !ok {
		switch ids := im.staffByName[keyOf(v)]; len(ids) {
		case 0:
			re.add(key, v, "找不到该员工（请填写登录名或姓名）")
			return "", false
		case 1:
			id = ids[0]
		default:
			re.add(key, v, "有多名同名员工，请填写登录名")
			return "", false
		}
	}
	if mustBeSpecialist && !im.specialist[id] {
		re.add(key, v, "分管客服须为客服专员")
		return "", false
	}
	return id, true
}

func (im *importer) plan(kind ImportKind, row tabular.Row) (rowPlan, []tabular.CellError) {
	re := &rowErrors{line: row.Line, m: im.m}
	var p rowPlan
	switch kind {
	case ImportCustomers:
		p = im.planCustomer(re, row)
	case ImportContacts:
		p = im.planContact(re, row)
	case ImportEquipment:
		p = im.planEquipment(re, row)
	}
	p.line = row.Line
	return p, re.errs
}

var statusWords = map[string]string{"": "", "active": "active", "服务中": "active", "正常": "active", "在服": "active",
	"lost": "lost", "已流失": "lost", "流失": "lost", "停止服务": "lost"}

func (im *importer) planCustomer(re *rowErrors, row tabular.Row) rowPlan {
	get := func(k string) string { return im.m.Get(row, k) }
	regionID, ok := im.regionID[keyOf(get("region"))]
	if !ok {
		re.add("region", get("region"), "找不到该区域")
	}
	owner, _ := im.staff(re, row, "owner", true)
	sales, _ := im.staff(re, row, "sales_owner", false)
	status, ok2 := statusWords[strings.ToLower(get("status"))]
	if !ok2 {
		re.add("status", get("status"), "状态须为 服务中 或 已流失")
	}
	since := ""
	if v := get("since"); v != "" {
		d, err := tabular.ParseDate(v, time.UTC)
		if err != nil {
			re.add("since", v, "建档日期无法识别（例：2024-03-01）")
		} else {
			since = d.Format(time.DateOnly)
		}
	}
	if len(re.errs) > 0 {
		return rowPlan{}
	}
	code := strings.ToUpper(get("code"))
	var existing *Customer
	if code != "" {
		existing = im.byCode[code]
	}
	if existing == nil {
		existing = im.byRegion[keyOf(regionID, get("name"))]
		if existing != nil && code != "" && existing.Code != code {
			// A new code on a customer found by name would silently renumber it.
			re.add("code", code, "该客户已有编号 "+existing.Code+"，编号不一致")
			return rowPlan{}
		}
	}
	if existing != nil {
		if err := im.full(im.ctx, existing); err != nil {
			re.errs = append(re.errs, tabular.CellError{Line: re.line, Reason: err.Error()})
			return rowPlan{}
		}
	}
	in := CustomerInput{Code: code, Name: get("name"), Class: get("class"), RegionID: regionID, OwnerID: owner,
		SalesOwnerID: sales, Address: get("address"), Status: status, Notes: get("notes"), PaperLocation: get("paper_location"),
		Since: since}
	if existing != nil {
		// Columns absent from the file keep their stored values.
		keep := func(key string, dst *string, cur string) {
			if !im.m.Has(key) {
				*dst = cur
			}
		}
		keep("code", &in.Code, existing.Code)
		if in.Code == "" {
			in.Code = existing.Code
		}
		keep("owner", &in.OwnerID, deref(existing.OwnerID))
		if in.OwnerID == "" {
			// An empty owner cell means "the default" as for a new customer:
			// it keeps the current owner, so re-importing a file whose new
			// customers were given the region's specialist changes nothing.
			in.OwnerID = deref(existing.OwnerID)
		}
		keep("sales_owner", &in.SalesOwnerID, deref(existing.SalesOwnerID))
		keep("address", &in.Address, existing.Address)
		keep("notes", &in.Notes, existing.Notes)
		keep("paper_location", &in.PaperLocation, existing.PaperLocation)
		keep("since", &in.Since, deref(existing.Since))
		if in.Status == "" {
			in.Status = existing.Status
		}
		in.PaperReceivedBy, in.PaperReceivedOn = existing.PaperReceivedBy, deref(existing.PaperReceivedOn)
	} else if in.OwnerID == "" {
		in.OwnerID = im.regionSpec[regionID] // a new customer goes to the region's specialist
	}
	fields := map[string]string{"region_id": "region", "owner_id": "owner", "sales_owner_id": "sales_owner"}
	if err := in.normalise(); err != nil {
		re.addErr(err, fields, row)
		return rowPlan{}
	}
	nk := "customer\x00" + keyOf(in.RegionID, in.Name)
	if first, dup := im.seen[nk]; dup {
		re.add("name", in.Name, fmt.Sprintf("与第 %d 行重复", first))
		return rowPlan{}
	}
	ck := "customer-code\x00" + in.Code
	if first, dup := im.seen[ck]; dup && in.Code != "" {
		re.add("code", in.Code, fmt.Sprintf("与第 %d 行重复", first))
		return rowPlan{}
	}
	if other := im.byRegion[keyOf(in.RegionID, in.Name)]; existing != nil && other != nil && other != existing {
		re.add("name", in.Name, "同一区域内已有同名客户")
		return rowPlan{}
	}
	im.seen[nk] = row.Line
	if in.Code != "" {
		im.seen[ck] = row.Line
	}
	if existing == nil {
		if in.Code == "" {
			in.Code = newCode()
			for im.byCode[in.Code] != nil {
				in.Code = newCode()
			}
		} else if _, taken := im.byCode[in.Code]; taken {
			re.add("code", in.Code, "客户编号已被其他客户使用")
			return rowPlan{}
		}
		c := &Customer{ID: store.NewID(), Version: 1, CreatedAt: im.rec.at, UpdatedAt: im.rec.at}
		in.apply(c)
		im.index(c)
		return rowPlan{action: "create", summary: "新建客户 " + c.Name, apply: func(ctx context.Context) error {
			im.newCustomers = append(im.newCustomers, c)
			return im.log(ctx, c.ID, "customer", c.ID, "create", "导入新建客户 "+c.Name, nil, c, c.OwnerID)
		}}
	}
	after := *existing
	in.apply(&after)
	if sameCustomer(existing, &after) {
		return rowPlan{action: "unchanged", summary: existing.Name}
	}
	before := *existing
	after.Version, after.UpdatedAt = existing.Version+1, im.rec.at
	*existing = after
	return rowPlan{action: "update", summary: "更新客户 " + after.Name, apply: func(ctx context.Context) error {
		if err := updateAt(ctx, im.tx, &after, after.ID, before.Version, "code", "name", "class", "region_id", "owner_id",
			"sales_owner_id", "address", "status", "notes", "paper_location", "since", "version", "updated_at"); err != nil {
			return customerConflict(err)
		}
		return im.log(ctx, after.ID, "customer", after.ID, "update", "导入更新客户 "+after.Name, &before, &after, after.OwnerID)
	}}
}

func sameCustomer(a, b *Customer) bool {
	x, y := *a, *b
	x.Version, y.Version = 0, 0
	x.UpdatedAt = y.UpdatedAt
	return reflect.DeepEqual(x, y)
}

// customerOf resolves the customer a contact or equipment row belongs to.
func (im *importer) customerOf(re *rowErrors, row tabular.Row) *Customer {
	code, name := strings.ToUpper(im.m.Get(row, "customer_code")), im.m.Get(row, "customer")
	if code != "" {
		if c := im.byCode[code]; c != nil {
			return c
		}
		re.add("customer_code", code, "找不到该客户编号")
		return nil
	}
	switch cs := im.byName[keyOf(name)]; len(cs) {
	case 0:
		re.add("customer", name, "找不到该客户")
	case 1:
		return cs[0]
	default:
		re.add("customer", name, "多个区域有同名客户，请填写客户编号")
	}
	return nil
}

func (im *importer) loadContacts(ctx context.Context, customerID string) (map[string]*Contact, error) {
	if m, ok := im.contacts[customerID]; ok {
		return m, nil
	}
	var list []*Contact
	if err := im.tx.NewSelect().Model(&list).Where("customer_id = ?", customerID).Scan(ctx); err != nil {
		return nil, err
	}
	m := map[string]*Contact{}
	for _, c := range list {
		m[keyOf(c.Name)] = c
	}
	im.contacts[customerID] = m
	return m, nil
}

func (im *importer) planContact(re *rowErrors, row tabular.Row) rowPlan {
	get := func(k string) string { return im.m.Get(row, k) }
	c := im.customerOf(re, row)
	in := ContactInput{Name: get("name"), Title: get("title"), Phone: get("phone"), Phone2: get("phone2"), WeChat: get("wechat"), Email: get("email")}
	for _, k := range []string{"decision_maker", "active"} {
		if v := get(k); v != "" {
			b, err := tabular.ParseBool(v)
			if err != nil {
				re.add(k, v, "须为 是 或 否")
				continue
			}
			if k == "decision_maker" {
				in.DecisionMaker = b
			} else {
				in.Active = &b
			}
		}
	}
	if err := in.normalise(); err != nil {
		re.addErr(err, nil, row)
	}
	if c == nil || len(re.errs) > 0 {
		return rowPlan{}
	}
	existingMap, err := im.loadContacts(im.ctx, c.ID)
	if err != nil {
		re.errs = append(re.errs, tabular.CellError{Line: re.line, Reason: err.Error()})
		return rowPlan{}
	}
	nk := "contact\x00" + keyOf(c.ID, in.Name)
	if first, dup := im.seen[nk]; dup {
		re.add("name", in.Name, fmt.Sprintf("与第 %d 行重复", first))
		return rowPlan{}
	}
	im.seen[nk] = row.Line
	existing := existingMap[keyOf(in.Name)]
	customer := c
	if existing == nil {
		ct := &Contact{ID: store.NewID(), CustomerID: c.ID, Active: true, Version: 1, CreatedAt: im.rec.at, UpdatedAt: im.rec.at}
		in.apply(ct)
		existingMap[keyOf(ct.Name)] = ct
		return rowPlan{action: "create", summary: c.Name + " 新增联系人 " + ct.Name, apply: func(ctx context.Context) error {
			im.newContacts = append(im.newContacts, ct)
			return im.log(ctx, customer.ID, "contact", ct.ID, "create", "导入新增联系人 "+ct.Name, nil, ct, customer.OwnerID)
		}}
	}
	after := *existing
	keepIfAbsent := func(key string, dst *string, cur string) {
		if !im.m.Has(key) {
			*dst = cur
		}
	}
	keepIfAbsent("title", &in.Title, existing.Title)
	keepIfAbsent("phone", &in.Phone, existing.Phone)
	keepIfAbsent("phone2", &in.Phone2, existing.Phone2)
	keepIfAbsent("wechat", &in.WeChat, existing.WeChat)
	keepIfAbsent("email", &in.Email, existing.Email)
	if get("decision_maker") == "" { // an empty cell keeps the flag
		in.DecisionMaker = existing.DecisionMaker
	}
	in.Notes = existing.Notes
	in.apply(&after)
	if after == *existing {
		return rowPlan{action: "unchanged", summary: c.Name + " " + existing.Name}
	}
	before := *existing
	after.Version, after.UpdatedAt = existing.Version+1, im.rec.at
	*existing = after
	return rowPlan{action: "update", summary: c.Name + " 更新联系人 " + after.Name, apply: func(ctx context.Context) error {
		if err := updateAt(ctx, im.tx, &after, after.ID, before.Version, "name", "title", "phone", "phone2", "wechat", "email",
			"decision_maker", "active", "notes", "version", "updated_at"); err != nil {
			return err
		}
		return im.log(ctx, customer.ID, "contact", after.ID, "update", "导入更新联系人 "+after.Name, &before, &after, customer.OwnerID)
	}}
}

func equipmentKey(e *Equipment) string {
	if e.Serial != "" {
		return keyOf("serial", e.Serial)
	}
	return keyOf("unit", e.Kind, e.Model, e.Location)
}

func (im *importer) planEquipment(re *rowErrors, row tabular.Row) rowPlan {
	get := func(k string) string { return im.m.Get(row, k) }
	c := im.customerOf(re, row)
	in := EquipmentInput{Kind: get("kind"), Brand: get("brand"), Model: get("model"), Serial: get("serial"),
		Location: get("location"), Params: get("params")}
	if v := get("installed_on"); v != "" {
		t, err := tabular.ParseDate(v, im.s.loc)
		if err != nil {
			re.add("installed_on", v, "日期格式不正确")
		} else {
			in.InstalledOn = t.Format("2006-01-02")
		}
	}
	if err := in.normalise(); err != nil {
		re.addErr(err, nil, row)
	}
	if c == nil || len(re.errs) > 0 {
		return rowPlan{}
	}
	if _, ok := im.equipment[c.ID]; !ok {
		var list []*Equipment
		if err := im.tx.NewSelect().Model(&list).Where("customer_id = ?", c.ID).Scan(im.ctx); err != nil {
			re.errs = append(re.errs, tabular.CellError{Line: re.line, Reason: err.Error()})
			return rowPlan{}
		}
		m := map[string]*Equipment{}
		for _, e := range list {
			m[equipmentKey(e)] = e
		}
		im.equipment[c.ID] = m
	}
	probe := &Equipment{}
	in.apply(probe)
	ek := equipmentKey(probe)
	nk := "equipment\x00" + c.ID + "\x00" + ek
	if first, dup := im.seen[nk]; dup {
		re.add("kind", in.Kind, fmt.Sprintf("与第 %d 行重复", first))
		return rowPlan{}
	}
	im.seen[nk] = row.Line
	existing := im.equipment[c.ID][ek]
	customer := c
	if existing == nil {
		e := &Equipment{ID: store.NewID(), CustomerID: c.ID, Active: true, Version: 1, CreatedAt: im.rec.at, UpdatedAt: im.rec.at}
		in.apply(e)
		im.equipment[c.ID][ek] = e
		return rowPlan{action: "create", summary: c.Name + " 新增设备 " + e.Kind + " " + e.Model, apply: func(ctx context.Context) error {
			im.newEquipment = append(im.newEquipment, e)
			return im.log(ctx, customer.ID, "equipment", e.ID, "create", "导入新增设备 "+e.Kind+" "+e.Model, nil, e, customer.OwnerID)
		}}
	}
	in.Notes = existing.Notes
	for key, pair := range map[string][2]*string{"brand": {&in.Brand, &existing.Brand}, "params": {&in.Params, &existing.Params},
		"model": {&in.Model, &existing.Model}, "location": {&in.Location, &existing.Location}} {
		if !im.m.Has(key) {
			*pair[0] = *pair[1]
		}
	}
	if !im.m.Has("installed_on") {
		in.InstalledOn = deref(existing.InstalledOn)
	}
	after := *existing
	in.apply(&after)
	if reflect.DeepEqual(after, *existing) {
		return rowPlan{action: "unchanged", summary: c.Name + " " + existing.Kind}
	}
	before := *existing
	after.Version, after.UpdatedAt = existing.Version+1, im.rec.at
	*existing = after
	return rowPlan{action: "update", summary: c.Name + " 更新设备 " + after.Kind + " " + after.Model, apply: func(ctx context.Context) error {
		if err := updateAt(ctx, im.tx, &after, after.ID, before.Version, "kind", "brand", "model", "serial", "location", "params",
			"installed_on", "active", "notes", "version", "updated_at"); err != nil {
			return err
		}
		return im.log(ctx, customer.ID, "equipment", after.ID, "update", "导入更新设备 "+after.Kind, &before, &after, customer.OwnerID)
	}}
}
