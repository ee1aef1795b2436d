package contracts

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/store"
	"kefu/internal/tabular"
)

var kindNames = map[string]string{
	"维保": "maintenance", "维保合同": "maintenance", "maintenance": "maintenance",
	"工程": "project", "工程合同": "project", "project": "project",
	"emc": "emc", "合同能源管理": "emc", "其他": "other", "other": "other",
}

var serviceTypeNames = map[string]string{
	"巡检": "inspection", "inspection": "inspection", "换季保养": "seasonal", "保养": "seasonal", "seasonal": "seasonal",
	"维修": "repair", "repair": "repair", "施工": "construction", "construction": "construction", "其他": "other", "other": "other",
}

var frequencyNames = map[string]string{
	"": "", "一次": "once", "once": "once", "每周": "weekly", "weekly": "weekly", "每月": "monthly", "monthly": "monthly",
	"每季度": "quarterly", "quarterly": "quarterly", "每半年": "half_yearly", "half_yearly": "half_yearly",
	"每年": "yearly", "yearly": "yearly", "换季": "seasonal", "seasonal": "seasonal", "按需": "on_demand", "on_demand": "on_demand",
}

var cycleNames = map[string]string{"": "", "每月": "monthly", "monthly": "monthly", "每季度": "quarterly", "quarterly": "quarterly"}

// contractGroup is the rows of one contract number: the first carries
// the contract, every row may carry a scope line and an installment.
type contractGroup struct {
	number    string
	rows      []tabular.Row
	scopeRows []tabular.Row
	instRows  []tabular.Row
}

// headerKeys are the columns that describe the contract itself; on the
// rows after a contract's first they must be empty or the same.
var headerKeys = []string{"customer_code", "customer", "kind", "title", "signed_on", "received_on", "start_on", "end_on", "amount",
	"schedule_differs", "schedule_note", "state", "renewed_from", "emc_fee", "emc_cycle", "notes"}

// importContracts creates the contracts of a file, one row group per
// contract number. An existing number with the same customer, period and
// amount is unchanged; with different ones it is an error (change an
// existing contract on its page, where its money is visible).
func (s *Service) importContracts(ctx context.Context, tx bun.Tx, m *tabular.Mapping, rows []tabular.Row, rep *ImportReport) error {
	var groups []*contractGroup
	byNumber := map[string]*contractGroup{}
	for _, row := range rows {
		n := strings.ToUpper(strings.TrimSpace(m.Get(row, "number")))
		if n == "" {
			rep.Errors = append(rep.Errors, tabular.CellError{Line: row.Line, Column: m.Header("number"), Reason: "不能为空"})
			continue
		}
		g := byNumber[n]
		if g == nil {
			g = &contractGroup{number: n}
			byNumber[n] = g
			groups = append(groups, g)
		}
		g.rows = append(g.rows, row)
	}
	p := access.Caller(ctx)
	for _, g := range groups {
		first := g.rows[0]
		errs := tabular.Errors{}
		for _, row := range g.rows[1:] {
			for _, k := range headerKeys {
				if v := m.Get(row, k); v != "" && v != m.Get(first, k) {
					errs = append(errs, tabular.CellError{Line: row.Line, Column: m.Header(k), Value: v,
						Reason: fmt.Sprintf("与第 %d 行同一合同的内容不一致", first.Line)})
				}
			}
		}
		in, activate := s.contractInputOf(ctx, tx, m, g, &errs)
		if len(errs) > 0 {
			rep.Errors = append(rep.Errors, errs...)
			continue
		}
		existing, err := getContractByNumber(ctx, tx, g.number)
		if err != nil {
			return err
		}
		if existing != nil {
			if existing.CustomerID == in.CustomerID && existing.StartOn == in.StartOn && existing.EndOn == in.EndOn && existing.AmountFen == in.AmountFen {
				rep.Rows = append(rep.Rows, ImportRow{Line: first.Line, Action: "unchanged", Summary: "合同 " + g.number + " 已存在"})
				rep.Unchanged++
			} else {
				rep.Errors = append(rep.Errors, tabular.CellError{Line: first.Line, Column: m.Header("number"), Value: g.number,
					Reason: "合同编号已存在且客户、期间或金额不同；请在合同页面修改"})
			}
			continue
		}
		if err := in.normalise(); err != nil {
			rep.Errors = append(rep.Errors, groupError(m, g, err))
			continue
		}
		// Each contract with its scope and schedule is written in its own
		// savepoint: one the database refuses leaves nothing behind.
		var c *Contract
		rowErr, err := inSavepoint(ctx, tx, func(ctx context.Context, sp bun.Tx) error {
			var err error
			c, err = s.insertContract(ctx, sp, p, in, activate)
			return err
		})
		if err != nil {
			return err
		}
		if rowErr != nil {
			if _, ok := apperr.As(rowErr); ok {
				rep.Errors = append(rep.Errors, groupError(m, g, rowErr))
			} else {
				s.log.WarnContext(ctx, "contract import: row refused", "line", first.Line, "number", g.number, "err", rowErr)
				rep.Errors = append(rep.Errors, tabular.CellError{Line: first.Line, Column: m.Header("number"), Value: g.number, Reason: writeFailure(rowErr)})
			}
			continue
		}
		rep.Rows = append(rep.Rows, ImportRow{Line: first.Line, Action: "create",
			Summary: fmt.Sprintf("新建合同 %s（%d 项服务内容，%d 期付款）", c.Number, len(in.Scope), len(in.Installments))})
		rep.Created++
	}
	return nil
}

// groupError places a domain error of a contract on the row it came from.
func groupError(m *tabular.Mapping, g *contractGroup, err error) tabular.CellError {
	row := g.rows[0]
	if ae, ok := apperr.As(err); ok {
		if i, ok := listIndex(ae.Field, "scope["); ok && i < len(g.scopeRows) {
			row = g.scopeRows[i]
		}
		if i, ok := listIndex(ae.Field, "installments["); ok && i < len(g.instRows) {
			row = g.instRows[i]
		}
	}
	return cellError(m, row, err)
}

func listIndex(field, prefix string) (int, bool) {
	rest, ok := strings.CutPrefix(field, prefix)
	if !ok {
		return 0, false
	}
	n, _, _ := strings.Cut(rest, "]")
	i, err := strconv.Atoi(n)
	return i, err == nil
}

func getContractByNumber(ctx context.Context, db bun.IDB, number string) (*Contract, error) {
	c := new(Contract)
	err := db.NewSelect().Model(c).Where("number = ?", number).Scan(ctx)
	if errors.Is(err, store.ErrNoRows) {
		return nil, nil
	}
	return c, err
}

// contractInputOf builds the input of one contract group, collecting
// cell errors.
func (s *Service) contractInputOf(ctx context.Context, tx bun.IDB, m *tabular.Mapping, g *contractGroup, errs *tabular.Errors) (ContractInput, bool) {
	first := g.rows[0]
	get := func(k string) string { return m.Get(first, k) }
	bad := func(row tabular.Row, k, reason string) {
		*errs = append(*errs, tabular.CellError{Line: row.Line, Column: m.Header(k), Value: m.Get(row, k), Reason: reason})
	}
	in := ContractInput{Number: g.number, Title: get("title"), Notes: get("notes")}
	var ok bool
	if in.Kind, ok = kindNames[strings.ToLower(get("kind"))]; !ok {
		if get("kind") == "" {
			in.Kind = "maintenance"
		} else {
			bad(first, "kind", "合同类型应为 维保、工程、EMC 或 其他")
		}
	}
	activate := true
	switch get("state") {
	case "", "生效", "执行中", "active":
	case "草稿", "draft":
		activate = false
	default:
		bad(first, "state", "状态应为 生效 或 草稿")
	}
	in.SignedOn = parseDay(m, first, "signed_on", errs)
	in.ReceivedOn = parseDay(m, first, "received_on", errs)
	in.StartOn = parseDay(m, first, "start_on", errs)
	in.EndOn = parseDay(m, first, "end_on", errs)
	if get("start_on") == "" {
		bad(first, "start_on", "不能为空")
	}
	if get("end_on") == "" {
		bad(first, "end_on", "不能为空")
	}
	in.AmountFen = parseFen(m, first, "amount", errs)
	// 付款计划与合同金额不一致 (是/否) and 不一致原因, as on the form.
	var differsErr error
	if v := get("schedule_differs"); v != "" {
		in.ScheduleDiffers, differsErr = tabular.ParseBool(v)
		errs.Add(first.Line, m.Header("schedule_differs"), differsErr)
	}
	if in.ScheduleNote = get("schedule_note"); in.ScheduleNote != "" && !in.ScheduleDiffers && differsErr == nil {
		bad(first, "schedule_differs", "填写了不一致原因，“付款计划与合同金额不一致”须为 是")
	}
	in.EMCFeeFen = parseFen(m, first, "emc_fee", errs)
	if in.EMCCycle, ok = cycleNames[get("emc_cycle")]; !ok {
		bad(first, "emc_cycle", "收费周期应为 每月 或 每季度")
	}
	// The customer: by code, else by name (unique across regions).
	code, name := strings.ToUpper(get("customer_code")), get("customer")
	var ids []string
	var err error
	switch {
	case code != "":
		err = tx.NewRaw("SELECT id FROM customers WHERE code = ?", code).Scan(ctx, &ids)
	case name != "":
		err = tx.NewRaw("SELECT id FROM customers WHERE name = ?", name).Scan(ctx, &ids)
	default:
		bad(first, "customer", "须填写客户编号或客户名称")
	}
	switch {
	case err != nil:
		*errs = append(*errs, tabular.CellError{Line: first.Line, Reason: err.Error()})
	case (code != "" || name != "") && len(ids) == 0:
		k := "customer"
		if code != "" {
			k = "customer_code"
		}
		bad(first, k, "客户不存在")
	case len(ids) > 1:
		bad(first, "customer", "多个区域有同名客户，请填写客户编号")
	case len(ids) == 1:
		in.CustomerID = ids[0]
	}
	if pred := strings.ToUpper(get("renewed_from")); pred != "" {
		prev, err := getContractByNumber(ctx, tx, pred)
		switch {
		case err != nil:
			*errs = append(*errs, tabular.CellError{Line: first.Line, Reason: err.Error()})
		case prev == nil:
			bad(first, "renewed_from", "被续签的合同不存在")
		default:
			in.RenewedFrom = prev.ID
		}
	}
	for _, row := range g.rows {
		if m.Get(row, "service_type") != "" || m.Get(row, "equipment") != "" {
			st, ok := serviceTypeNames[strings.ToLower(m.Get(row, "service_type"))]
			if !ok {
				bad(row, "service_type", "服务类型应为 巡检、换季保养、维修、施工 或 其他")
			}
			fr, ok := frequencyNames[m.Get(row, "frequency")]
			if !ok {
				bad(row, "frequency", "频次应为 一次、每周、每月、每季度、每半年、每年、换季 或 按需")
			}
			var times int64
			if v := m.Get(row, "times"); v != "" {
				var err error
				if times, err = tabular.ParseInt(v); err != nil {
					errs.Add(row.Line, m.Header("times"), err)
				}
			}
			in.Scope = append(in.Scope, ScopeItemInput{ServiceType: st, Equipment: m.Get(row, "equipment"), Frequency: fr, Times: int(times)})
			g.scopeRows = append(g.scopeRows, row)
		}
		if m.Get(row, "due_on") != "" || m.Get(row, "due_amount") != "" {
			if m.Get(row, "due_on") == "" {
				bad(row, "due_on", "不能为空")
			}
			in.Installments = append(in.Installments, InstallmentInput{DueOn: parseDay(m, row, "due_on", errs),
				AmountFen: parseFen(m, row, "due_amount", errs)})
			g.instRows = append(g.instRows, row)
		}
	}
	return in, activate
}
