package fieldwork

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// ProjectInput creates or edits a project. Items nil takes the
// contract's scope as it stands (a project starts as the contract says);
// an empty, non-nil list is refused.
type ProjectInput struct {
	ContractID   string      `json:"contract_id"`
	VerifiedWith string      `json:"verified_with"` // region_head / tech_department
	VerifierName string      `json:"verifier_name"`
	VerifiedAt   string      `json:"verified_at"` // when the plan was verified (YYYY-MM-DD HH:MM[:SS]); "" = not yet
	VerifyResult string      `json:"verify_result"`
	VerifyNote   string      `json:"verify_note"`
	Items        []ItemInput `json:"items"`
}

// ItemInput is one project item.
type ItemInput struct {
	ServiceType string `json:"service_type"`
	Equipment   string `json:"equipment"`
	Frequency   string `json:"frequency"`
	Times       int    `json:"times"`
	Notes       string `json:"notes"`
}

var serviceTypes = []string{TypeInspection, TypeSeasonal, TypeRepair, TypeConstruction, TypeOther}

var frequencies = []string{"", "once", "weekly", "monthly", "quarterly", "half_yearly", "yearly", "seasonal", "on_demand"}

// contractFacts is what a project needs of its contract and customer.
type contractFacts struct {
	ID         string  `bun:"id"`
	Number     string  `bun:"number"`
	State      string  `bun:"state"`
	ReceivedOn *string `bun:"received_on"`
	StartOn    string  `bun:"start_on"`
	EndOn      string  `bun:"end_on"`
	Terminated *string `bun:"terminated_on"`
	CustomerID string  `bun:"customer_id"`
	Customer   string  `bun:"customer_name"`
	OwnerID    *string `bun:"owner_id"`
	RegionID   *string `bun:"region_id"`
	Address    string  `bun:"address"`
}

func loadContract(ctx context.Context, db bun.IDB, id string) (*contractFacts, []ScopeLine, error) {
	c := new(contractFacts)
	err := db.NewRaw(`SELECT k.id, k.number, k.state, k.received_on, k.start_on, k.end_on, k.terminated_on, k.customer_id,
		c.name AS customer_name, c.owner_id, c.region_id, c.address
		FROM contracts k JOIN customers c ON c.id = k.customer_id WHERE k.id = ?`, id).Scan(ctx, c)
	if err != nil {
		return nil, nil, notFoundAs(err, apperr.Invalid("contract_id", "合同不存在"))
	}
	var scope []ScopeLine
	if err := db.NewRaw(`SELECT id, service_type, equipment, frequency, times FROM contract_scope_items
		WHERE contract_id = ? ORDER BY seq`, id).Scan(ctx, &scope); err != nil {
		return nil, nil, err
	}
	return c, scope, nil
}

// owns reports whether p may work customer owner's records: managers
// always, specialists for the customers they own.
func owns(p *access.Principal, owner *string) bool {
	return p.IsManagerial() || (p.StaffID != "" && owner != nil && *owner == p.StaffID)
}

func (in *ProjectInput) normalise(loc *time.Location, now time.Time) (verifiedAt *time.Time, err error) {
	in.VerifierName = strings.TrimSpace(in.VerifierName)
	in.VerifyNote = strings.TrimSpace(in.VerifyNote)
	if !slices.Contains([]string{"", "region_head", "tech_department"}, in.VerifiedWith) {
		return nil, apperr.Invalid("verified_with", "核实对象只能是区域负责人（region_head）或技术部（tech_department）")
	}
	if !slices.Contains([]string{"", VerifyConfirmed, VerifyChanged, VerifyRejected}, in.VerifyResult) {
		return nil, apperr.Invalid("verify_result", "核实结果只能是 confirmed、changed 或 rejected")
	}
	if in.VerifiedAt != "" {
		t, err := parseTime(in.VerifiedAt, loc)
		if err != nil {
			return nil, apperr.Invalid("verified_at", "核实时间格式应为 YYYY-MM-DD HH:MM")
		}
		if t.After(now) {
			return nil, apperr.Invalid("verified_at", "核实时间不能晚于现在")
		}
		verifiedAt = &t
	}
	if in.VerifyResult != "" && (in.VerifiedWith == "" || verifiedAt == nil) {
		return nil, apperr.Invalid("verified_with", "登记核实结果时须写明与谁核实（区域负责人或技术部）及核实时间")
	}
	if in.Items != nil && len(in.Items) == 0 {
		return nil, apperr.Invalid("items", "立项内容不能为空")
	}
	for i := range in.Items {
		it := &in.Items[i]
		it.Equipment, it.Notes = strings.TrimSpace(it.Equipment), strings.TrimSpace(it.Notes)
		field := fmt.Sprintf("items[%d]", i)
		if !slices.Contains(serviceTypes, it.ServiceType) {
			return nil, apperr.Invalid(field+".service_type", "服务类型无效")
		}
		if !slices.Contains(frequencies, it.Frequency) {
			return nil, apperr.Invalid(field+".frequency", "频次无效")
		}
		if it.Times < 0 || it.Times > 366 {
			return nil, apperr.Invalid(field+".times", "次数须在 0–366 之间")
		}
		if it.Times == 0 {
			it.Times = 1
		}
	}
	return verifiedAt, nil
}

// parseTime reads a time a person typed, in the company zone.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q", s)
}

// CreateProject makes the project (立项) of a contract customer service
// received: its items start as the contract's scope unless given, and its
// dispatch is due within the policy's working days of the received date.
// A specialist makes projects for the customers they own.
func (s *Service) CreateProject(ctx context.Context, in ProjectInput) (*ProjectDetail, error) {
	p := access.Caller(ctx)
	if !p.Can(access.WorkDispatch) {
		return nil, apperr.Forbidden("无权立项")
	}
	now := store.Time(s.now())
	verifiedAt, err := in.normalise(s.loc, now)
	if err != nil {
		return nil, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	var id string
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		c, scope, err := loadContract(ctx, tx, in.ContractID)
		if err != nil {
			return err
		}
		if !owns(p, c.OwnerID) {
			return apperr.Forbidden("只能为自己分管的客户立项")
		}
		switch {
		case c.State == "draft":
			return apperr.Invalid("contract_id", "合同尚未生效（草稿），不能立项")
		case c.State == "terminated":
			return apperr.Invalid("contract_id", "合同已终止，不能立项")
		case c.ReceivedOn == nil || *c.ReceivedOn == "":
			return apperr.Invalid("contract_id", "合同未登记客服接到合同的日期（接到立项合同），请先在合同中填写")
		}
		received, err := calendar.ParseDate(*c.ReceivedOn)
		if err != nil {
			return apperr.Invalid("contract_id", "合同的接到日期无效")
		}
		st, err := readSettings(ctx, tx)
		if err != nil {
			return err
		}
		var exists int
		if err := tx.NewRaw("SELECT COUNT(*) FROM projects WHERE contract_id = ?", c.ID).Scan(ctx, &exists); err != nil {
			return err
		}
		if exists > 0 {
			return apperr.Conflict("contract_id", "该合同已立项")
		}
		pr := &Project{ID: store.NewID(), ContractID: c.ID, CustomerID: c.CustomerID, OwnerID: c.OwnerID, ReceivedOn: *c.ReceivedOn,
			DispatchDue: store.Time(st.Dispatch.ProjectDue(cal, received)), VerifiedWith: in.VerifiedWith, VerifierName: in.VerifierName,
			VerifiedAt: verifiedAt, VerifyResult: in.VerifyResult, VerifyNote: in.VerifyNote, CreatedBy: optional(p.StaffID),
			Version: 1, CreatedAt: now, UpdatedAt: now}
		if _, err := tx.NewInsert().Model(pr).Exec(ctx); err != nil {
			return err
		}
		items := in.Items
		if items == nil {
			for _, l := range ItemsFromScope(scope) {
				items = append(items, ItemInput{ServiceType: l.ServiceType, Equipment: l.Equipment, Frequency: l.Frequency, Times: max(l.Times, 1)})
			}
		}
		if err := replaceItems(ctx, tx, pr.ID, items); err != nil {
			return err
		}
		id = pr.ID
		return audit.Record(ctx, tx, now, audit.Change{Action: "create", Entity: "project", EntityID: pr.ID,
			Summary: "立项 合同 " + c.Number, After: pr})
	})
	if err != nil {
		return nil, err
	}
	s.db.Changed("project", id)
	return s.GetProject(ctx, id)
}

// replaceItems sets a project's items. Items already referenced by work
// orders keep their ids when an item of the same work is still listed, so
// the schedule recognises its visits.
func replaceItems(ctx context.Context, tx bun.IDB, projectID string, items []ItemInput) error {
	var old []ProjectItem
	if err := tx.NewSelect().Model(&old).Where("project_id = ?", projectID).Order("seq").Scan(ctx); err != nil {
		return err
	}
	reuse := map[string][]string{}
	for _, o := range old {
		k := o.line().key()
		reuse[k] = append(reuse[k], o.ID)
	}
	kept := map[string]bool{}
	for i, in := range items {
		it := &ProjectItem{ProjectID: projectID, Seq: i + 1, ServiceType: in.ServiceType, Equipment: in.Equipment,
			Frequency: in.Frequency, Times: max(in.Times, 1), Notes: in.Notes}
		k := it.line().key()
		if ids := reuse[k]; len(ids) > 0 {
			it.ID, reuse[k] = ids[0], ids[1:]
			kept[it.ID] = true
			if _, err := tx.NewUpdate().Model(it).WherePK().Exec(ctx); err != nil {
				return err
			}
			continue
		}
		it.ID = store.NewID()
		if _, err := tx.NewInsert().Model(it).Exec(ctx); err != nil {
			return err
		}
	}
	for _, o := range old {
		if kept[o.ID] {
			continue
		}
		// Work orders of a removed item keep their history; the item goes.
		if _, err := tx.NewRaw("UPDATE work_orders SET project_item_id = NULL WHERE project_item_id = ?", o.ID).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*ProjectItem)(nil)).Where("id = ?", o.ID).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// changeProject runs fn on project id at the expected version in one
// transaction, after the caller's right to it is checked, then saves the
// project with the next version and audits the change.
func (s *Service) changeProject(ctx context.Context, id string, version int64, action string,
	fn func(ctx context.Context, tx bun.Tx, p *access.Principal, pr *Project) (string, error)) error {
	p := access.Caller(ctx)
	if !p.Can(access.WorkDispatch) {
		return apperr.Forbidden("无权修改立项")
	}
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewRaw("UPDATE projects SET version = version WHERE id = ? AND version = ?", id, version).Exec(ctx)
		if err != nil {
			return err
		}
		pr := new(Project)
		if err := tx.NewSelect().Model(pr).Where("id = ?", id).Scan(ctx); err != nil {
			return notFoundAs(err, apperr.NotFound("project"))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleVersion()
		}
		if !owns(p, pr.OwnerID) {
			return apperr.Forbidden("只能处理自己分管客户的立项")
		}
		before := *pr
		summary, err := fn(ctx, tx, p, pr)
		if err != nil {
			return err
		}
		now := store.Time(s.now())
		pr.Version, pr.UpdatedAt = version+1, now
		if _, err := tx.NewUpdate().Model(pr).WherePK().Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: action, Entity: "project", EntityID: id, Summary: summary, Before: &before, After: pr})
	})
	if err == nil {
		s.db.Changed("project", id)
	}
	return err
}

// UpdateProject changes a project's verification and items. After
// dispatch, changed items re-plan the schedule (planned visits added or
// cancelled; dispatched and done work kept). Changing the items clears a
// coverage override (it was given for the old items).
func (s *Service) UpdateProject(ctx context.Context, id string, version int64, in ProjectInput) (*ProjectDetail, error) {
	now := store.Time(s.now())
	verifiedAt, err := in.normalise(s.loc, now)
	if err != nil {
		return nil, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	err = s.changeProject(ctx, id, version, "update", func(ctx context.Context, tx bun.Tx, p *access.Principal, pr *Project) (string, error) {
		pr.VerifiedWith, pr.VerifierName, pr.VerifiedAt, pr.VerifyResult, pr.VerifyNote =
			in.VerifiedWith, in.VerifierName, verifiedAt, in.VerifyResult, in.VerifyNote
		if in.Items != nil {
			if err := replaceItems(ctx, tx, pr.ID, in.Items); err != nil {
				return "", err
			}
			pr.CoverageOverrideBy, pr.CoverageOverrideAt, pr.CoverageOverrideReason = nil, nil, ""
			if pr.DispatchedAt != nil {
				if _, err := s.plan(ctx, tx, cal, pr, p, now); err != nil {
					return "", err
				}
			}
		}
		return "修改立项", nil
	})
	if err != nil {
		return nil, err
	}
	return s.GetProject(ctx, id)
}

// OverrideCoverage lets dispatch go ahead although the items do not cover
// the contract exactly: a manager's decision, with the reason kept.
func (s *Service) OverrideCoverage(ctx context.Context, id string, version int64, reason string) (*ProjectDetail, error) {
	reason = strings.TrimSpace(reason)
	if !access.Caller(ctx).IsManagerial() {
		return nil, apperr.Forbidden("只有客服经理可以放行立项与合同不一致")
	}
	if reason == "" {
		return nil, apperr.Invalid("reason", "请写明放行的理由")
	}
	err := s.changeProject(ctx, id, version, "override", func(ctx context.Context, tx bun.Tx, p *access.Principal, pr *Project) (string, error) {
		now := store.Time(s.now())
		pr.CoverageOverrideBy, pr.CoverageOverrideAt, pr.CoverageOverrideReason = optional(p.StaffID), &now, reason
		return "放行立项与合同的差异：" + reason, nil
	})
	if err != nil {
		return nil, err
	}
	return s.GetProject(ctx, id)
}

// DispatchProject hands a project to the maintenance group of the
// customer's region (立项派工) and plans its recurring work. It is refused
// until the plan is verified (核实方案) and the items cover the contract
// (or a manager overrode), and for a region without a maintenance group.
func (s *Service) DispatchProject(ctx context.Context, id string, version int64) (*ProjectDetail, error) {
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	err = s.changeProject(ctx, id, version, "dispatch", func(ctx context.Context, tx bun.Tx, p *access.Principal, pr *Project) (string, error) {
		if pr.DispatchedAt != nil {
			return "", apperr.Conflict("dispatched_at", "该立项已派工")
		}
		if pr.VerifyResult != VerifyConfirmed && pr.VerifyResult != VerifyChanged {
			return "", apperr.Invalid("verify_result", "派工前须与区域负责人或技术部核实方案并登记结果（方案无误或调整后确认）")
		}
		d, err := s.projectDetail(ctx, tx, pr)
		if err != nil {
			return "", err
		}
		if !d.CoverageOK {
			return "", apperr.Invalid("items", "立项内容与合同不一致（"+coverageText(d.Coverage)+"），请修正或由客服经理放行")
		}
		c, _, err := loadContract(ctx, tx, pr.ContractID)
		if err != nil {
			return "", err
		}
		if _, _, err := groupOf(ctx, tx, c.RegionID); err != nil {
			return "", err
		}
		now := store.Time(s.now())
		pr.DispatchedAt = &now
		n, err := s.plan(ctx, tx, cal, pr, p, now)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("立项派工，计划工单 %d 张", n), nil
	})
	if err != nil {
		return nil, err
	}
	return s.GetProject(ctx, id)
}

func coverageText(c Coverage) string {
	var parts []string
	for _, g := range c.Missing {
		parts = append(parts, fmt.Sprintf("缺少 %s×%d", lineText(g.Line), g.Times))
	}
	for _, g := range c.Extra {
		parts = append(parts, fmt.Sprintf("多出 %s×%d", lineText(g.Line), g.Times))
	}
	return strings.Join(parts, "；")
}

var typeLabels = map[string]string{TypeInspection: "巡检", TypeSeasonal: "换季保养", TypeRepair: "维修", TypeConstruction: "施工", TypeOther: "其他"}

var freqLabels = map[string]string{"once": "一次", "weekly": "每周", "monthly": "每月", "quarterly": "每季度", "half_yearly": "每半年",
	"yearly": "每年", "seasonal": "换季", "on_demand": "按需"}

func lineText(l ScopeLine) string {
	s := typeLabels[l.ServiceType]
	if l.Equipment != "" {
		s = l.Equipment + " " + s
	}
	if f := freqLabels[l.Frequency]; f != "" {
		s += "（" + f + "）"
	}
	return s
}

// groupOf is the maintenance group of a region and its supervisor; a
// region without a group cannot receive work.
func groupOf(ctx context.Context, db bun.IDB, regionID *string) (groupID string, supervisorID *string, err error) {
	if regionID == nil {
		return "", nil, apperr.Invalid("region_id", "客户未设置区域，无法派工到维修项目组")
	}
	var row struct {
		Name         string  `bun:"name"`
		GroupID      *string `bun:"group_id"`
		SupervisorID *string `bun:"supervisor_id"`
	}
	if err := db.NewRaw(`SELECT r.name, r.group_id, g.supervisor_id FROM regions r LEFT JOIN maint_groups g ON g.id = r.group_id
		WHERE r.id = ?`, *regionID).Scan(ctx, &row); err != nil {
		return "", nil, notFoundAs(err, apperr.Invalid("region_id", "区域不存在"))
	}
	if row.GroupID == nil {
		return "", nil, apperr.Invalid("region_id", "区域「"+row.Name+"」没有维修项目组，请先在组织设置中指定")
	}
	return *row.GroupID, row.SupervisorID, nil
}

// GetProject returns a project with its items, coverage and work orders.
func (s *Service) GetProject(ctx context.Context, id string) (*ProjectDetail, error) {
	p := access.Caller(ctx)
	if !p.Can(access.WorkRead) {
		return nil, apperr.Forbidden("无权查看立项")
	}
	pr := new(Project)
	if err := s.db.R().NewSelect().Model(pr).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFoundAs(err, apperr.NotFound("project"))
	}
	if p.OnlySpecialist() && !s.specialistReadAll && !owns(p, pr.OwnerID) {
		return nil, apperr.NotFound("project")
	}
	d, err := s.projectDetail(ctx, s.db.R(), pr)
	if err != nil {
		return nil, err
	}
	if d.WorkOrders, err = s.listWorkOrders(ctx, s.db.R(), WorkOrderFilter{ProjectID: id, Limit: 1000}); err != nil {
		return nil, err
	}
	return d, nil
}

func (s *Service) projectDetail(ctx context.Context, db bun.IDB, pr *Project) (*ProjectDetail, error) {
	c, scope, err := loadContract(ctx, db, pr.ContractID)
	if err != nil {
		return nil, err
	}
	d := &ProjectDetail{Project: *pr, ContractNumber: c.Number, ContractStart: c.StartOn, ContractEnd: c.EndOn, CustomerName: c.Customer,
		ContractScope: scope}
	if pr.OwnerID != nil {
		if err := db.NewRaw("SELECT name FROM staff WHERE id = ?", *pr.OwnerID).Scan(ctx, &d.OwnerName); err != nil {
			return nil, err
		}
	}
	if err := db.NewSelect().Model(&d.Items).Where("project_id = ?", pr.ID).Order("seq").Scan(ctx); err != nil {
		return nil, err
	}
	lines := make([]ScopeLine, len(d.Items))
	for i, it := range d.Items {
		lines[i] = it.line()
	}
	d.Coverage = Cover(scope, lines)
	d.CoverageOK = d.Coverage.OK() || pr.CoverageOverrideAt != nil
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	at := s.now()
	if pr.DispatchedAt != nil {
		at = *pr.DispatchedAt
	}
	d.DaysLate = ProjectDaysLate(cal, pr.DispatchDue, at)
	return d, nil
}

// ProjectFilter narrows ListProjects.
type ProjectFilter struct {
	OwnerID    string
	ContractID string
	// Pending: only projects not yet dispatched.
	Pending bool
	Limit   int
}

// ProjectRow is a project in a list.
type ProjectRow struct {
	Project        `bun:",extend"`
	ContractNumber string `bun:"contract_number" json:"contract_number"`
	CustomerName   string `bun:"customer_name" json:"customer_name"`
	OwnerName      string `bun:"owner_name" json:"owner_name"`
}

// ListProjects lists projects, newest received first; a specialist sees
// their own.
func (s *Service) ListProjects(ctx context.Context, f ProjectFilter) ([]ProjectRow, error) {
	p := access.Caller(ctx)
	if !p.Can(access.WorkRead) {
		return nil, apperr.Forbidden("无权查看立项")
	}
	if p.OnlySpecialist() && !s.specialistReadAll {
		f.OwnerID = p.StaffID
	}
	var rows []ProjectRow
	q := s.db.R().NewSelect().Model(&rows).
		ColumnExpr("p.*").ColumnExpr("k.number AS contract_number, c.name AS customer_name, COALESCE(o.name, '') AS owner_name").
		Join("JOIN contracts AS k ON k.id = p.contract_id").Join("JOIN customers AS c ON c.id = p.customer_id").
		Join("LEFT JOIN staff AS o ON o.id = p.owner_id")
	if f.OwnerID != "" {
		q = q.Where("p.owner_id = ?", f.OwnerID)
	}
	if f.ContractID != "" {
		q = q.Where("p.contract_id = ?", f.ContractID)
	}
	if f.Pending {
		q = q.Where("p.dispatched_at IS NULL")
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	if err := q.OrderExpr("p.received_on DESC, p.id").Limit(int64(f.Limit)).Scan(ctx); err != nil {
		return nil, err
	}
	return rows, nil
}
