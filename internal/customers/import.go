package customers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/blob"
	"kefu/internal/tabular"
)

// ImportKind names what a file holds.
type ImportKind string

const (
	ImportCustomers ImportKind = "customers"
	ImportContacts  ImportKind = "contacts"
	ImportEquipment ImportKind = "equipment"
)

// ImportKinds lists the kinds in display order.
var ImportKinds = []ImportKind{ImportCustomers, ImportContacts, ImportEquipment}

// ImportOptions control one import run.
type ImportOptions struct {
	Kind ImportKind
	// DryRun reports what would change and writes nothing.
	DryRun bool
	// SkipBad imports the good rows when some rows are bad; otherwise a
	// file with any bad row is rejected whole.
	SkipBad bool
	// Mapping optionally maps file headers to column keys (header → key).
	Mapping map[string]string
}

// ImportRow is what happens (or would happen) to one row.
type ImportRow struct {
	Line    int    `json:"line"`
	Action  string `json:"action"` // create, update, unchanged
	Summary string `json:"summary"`
}

// ImportReport is the outcome of an import or a dry run.
type ImportReport struct {
	Kind      ImportKind          `json:"kind"`
	Format    string              `json:"format"`
	Encoding  string              `json:"encoding"`
	Total     int                 `json:"total"`
	Created   int                 `json:"created"`
	Updated   int                 `json:"updated"`
	Unchanged int                 `json:"unchanged"`
	Errors    []tabular.CellError `json:"errors"`
	Rows      []ImportRow         `json:"rows"`
	Unknown   []string            `json:"unknown_columns,omitempty"`
	DryRun    bool                `json:"dry_run"`
	// Applied: the good rows were written. Rejected: bad rows and
	// "reject the file" chosen, so nothing was (or would be) written.
	Applied  bool `json:"applied"`
	Rejected bool `json:"rejected"`
}

// importColumns are the columns each kind understands, with the Chinese
// headers people use first.
var importColumns = map[ImportKind][]tabular.Column{
	ImportCustomers: {
		{Key: "code", Aliases: []string{"客户编号", "编号", "code"}},
		{Key: "name", Aliases: []string{"客户名称", "客户", "名称", "name"}, Required: true},
		{Key: "class", Aliases: []string{"客户等级", "等级", "分级", "class"}, Required: true},
		{Key: "region", Aliases: []string{"区域", "region"}, Required: true},
		{Key: "owner", Aliases: []string{"分管客服", "客服", "owner"}},
		{Key: "sales_owner", Aliases: []string{"销售负责人", "销售", "sales_owner"}},
		{Key: "address", Aliases: []string{"地址", "address"}},
		{Key: "status", Aliases: []string{"状态", "status"}},
		{Key: "notes", Aliases: []string{"备注", "notes"}},
		{Key: "paper_location", Aliases: []string{"纸质档案位置", "档案位置", "paper_location"}},
		{Key: "since", Aliases: []string{"建档日期", "合作开始日期", "since"}},
	},
	ImportContacts: {
		{Key: "customer_code", Aliases: []string{"客户编号", "customer_code"}},
		{Key: "customer", Aliases: []string{"客户名称", "客户", "customer"}},
		{Key: "name", Aliases: []string{"联系人", "姓名", "name"}, Required: true},
		{Key: "title", Aliases: []string{"职务", "title"}},
		{Key: "phone", Aliases: []string{"电话", "手机", "联系电话", "phone"}},
		{Key: "phone2", Aliases: []string{"备用电话", "phone2"}},
		{Key: "wechat", Aliases: []string{"微信", "微信号", "wechat"}},
		{Key: "email", Aliases: []string{"邮箱", "email"}},
		{Key: "decision_maker", Aliases: []string{"负责人", "决策人", "decision_maker"}},
		{Key: "active", Aliases: []string{"在任", "active"}},
	},
	ImportEquipment: {
		{Key: "customer_code", Aliases: []string{"客户编号", "customer_code"}},
		{Key: "customer", Aliases: []string{"客户名称", "客户", "customer"}},
		{Key: "kind", Aliases: []string{"设备类型", "类型", "kind"}, Required: true},
		{Key: "brand", Aliases: []string{"品牌", "brand"}},
		{Key: "model", Aliases: []string{"型号", "model"}},
		{Key: "serial", Aliases: []string{"序列号", "出厂编号", "serial"}},
		{Key: "location", Aliases: []string{"安装位置", "位置", "location"}},
		{Key: "params", Aliases: []string{"参数", "params"}},
		{Key: "installed_on", Aliases: []string{"安装日期", "installed_on"}},
	},
}

var importExamples = map[ImportKind][]string{
	ImportCustomers: {"", "示例大厦物业管理处", "B", "国贸", "客服登录名或姓名", "销售登录名或姓名", "北京市朝阳区示例路 1 号", "服务中", "", "档案柜 A-01"},
	ImportContacts:  {"KH-EXAMPLE", "示例大厦物业管理处", "王经理", "物业经理", "13800138000", "", "wang_wx", "", "是", "是"},
	ImportEquipment: {"KH-EXAMPLE", "示例大厦物业管理处", "冷水机组", "开利", "30XA-1002", "SN123456", "地下二层机房", "制冷量 1000kW", "2020-06-01"},
}

// ImportTemplate returns the headers and an example row of a kind.
func ImportTemplate(kind ImportKind) ([]string, [][]string, error) {
	cols, ok := importColumns[kind]
	if !ok {
		return nil, nil, apperr.NotFound("import kind")
	}
	headers := make([]string, len(cols))
	for i, c := range cols {
		headers[i] = c.Name()
	}
	return headers, [][]string{importExamples[kind]}, nil
}

// StageImport keeps an uploaded file in the blob store so the dry run and
// the real import read the same bytes. It returns the file's key.
func (s *Service) StageImport(ctx context.Context, r io.Reader, limit int64) (string, error) {
	if !access.Caller(ctx).Can(access.CustomerImport) {
		return "", apperr.Forbidden("没有导入权限")
	}
	key, _, err := s.blobs.Put(ctx, r, limit)
	if errors.Is(err, blob.ErrTooLarge) {
		return "", apperr.TooLarge("file", fmt.Sprintf("文件超过 %d MB", limit>>20))
	}
	return key, err
}

// Import reads the staged file key and imports it (or reports a dry run).
// Rows are matched to existing records by natural key — customers by code,
// else by region and name; contacts by customer and name; equipment by
// customer and serial, else by type, model and location — so importing the
// same file twice changes nothing the second time. Only the columns present
// in the file are written.
func (s *Service) Import(ctx context.Context, key, name string, opts ImportOptions) (*ImportReport, error) {
	p := access.Caller(ctx)
	if !p.Can(access.CustomerImport) {
		return nil, apperr.Forbidden("没有导入权限")
	}
	cols, ok := importColumns[opts.Kind]
	if !ok {
		return nil, apperr.Invalid("kind", "导入内容须为 customers、contacts 或 equipment")
	}
	rc, err := s.blobs.Open(ctx, key)
	if err != nil {
		return nil, apperr.Invalid("key", "暂存文件不存在，请重新上传")
	}
	defer rc.Close()
	tbl, err := tabular.Read(name, rc, tabular.Options{})
	if err != nil {
		return nil, apperr.Invalid("file", err.Error())
	}
	m, err := tbl.MapWith(cols, opts.Mapping)
	if err != nil {
		return nil, apperr.Invalid("file", err.Error())
	}
	if opts.Kind != ImportCustomers && !m.Has("customer_code") && !m.Has("customer") {
		return nil, apperr.Invalid("file", "缺少“客户编号”或“客户名称”列")
	}
	rep := &ImportReport{Kind: opts.Kind, Format: tbl.Format, Encoding: tbl.Encoding, Total: len(tbl.Rows), Unknown: m.Unknown, DryRun: opts.DryRun}
	rec, err := s.recording(p, Change{})
	if err != nil {
		return nil, err
	}
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		*rep = ImportReport{Kind: rep.Kind, Format: rep.Format, Encoding: rep.Encoding, Total: rep.Total, Unknown: rep.Unknown, DryRun: rep.DryRun}
		im, err := newImporter(ctx, s, tx, rec, m, opts.Kind, tbl.Rows)
		if err != nil {
			return err
		}
		var plans []rowPlan
		for _, row := range tbl.Rows {
			plan, errs := im.plan(opts.Kind, row)
			if len(errs) > 0 {
				rep.Errors = append(rep.Errors, errs...)
				continue
			}
			plans = append(plans, plan)
		}
		if len(rep.Errors) > 0 && !opts.SkipBad {
			rep.Rejected = true
		}
		for _, pl := range plans {
			rep.Rows = append(rep.Rows, ImportRow{Line: pl.line, Action: pl.action, Summary: pl.summary})
			switch pl.action {
			case "create":
				rep.Created++
			case "update":
				rep.Updated++
			default:
				rep.Unchanged++
			}
		}
		if opts.DryRun || rep.Rejected {
			return nil
		}
		for _, pl := range plans {
			if pl.apply == nil {
				continue
			}
			if err := pl.apply(ctx); err != nil {
				return fmt.Errorf("第 %d 行: %w", pl.line, err)
			}
		}
		if err := im.flush(ctx); err != nil {
			return err
		}
		rep.Applied = true
		return audit.Record(ctx, tx, rec.at, audit.Change{Action: "import", Entity: "import", EntityID: key,
			Summary: fmt.Sprintf("导入%s %s：新增 %d，更新 %d，无变化 %d，错误 %d", kindLabel[opts.Kind], name,
				rep.Created, rep.Updated, rep.Unchanged, len(rep.Errors))})
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

var kindLabel = map[ImportKind]string{ImportCustomers: "客户", ImportContacts: "联系人", ImportEquipment: "设备"}

// rowPlan is the decision for one good row and how to carry it out.
type rowPlan struct {
	line    int
	action  string
	summary string
	apply   func(ctx context.Context) error
}

// keyOf normalises a name for matching (trimmed, case-folded).
func keyOf(parts ...string) string {
	for i := range parts {
		parts[i] = strings.ToLower(strings.TrimSpace(parts[i]))
	}
	return strings.Join(parts, "\x00")
}
