package contracts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/blob"
	"kefu/internal/store"
	"kefu/internal/tabular"
)

// ImportKind names what a file holds.
type ImportKind string

// Import kinds.
const (
	ImportContracts ImportKind = "contracts"
	ImportPayments  ImportKind = "payments"
)

// ImportOptions choose how a file is imported.
type ImportOptions struct {
	Kind ImportKind
	// DryRun reports what would change and writes nothing.
	DryRun bool
	// SkipBad imports the good rows and reports the bad ones, each row (a
	// contract with its lines, a payment) standing alone: one the database
	// refuses when it is written is rolled back to its savepoint and
	// reported, and the others land. Without it the file is one
	// transaction: any bad row, found when reading or when writing, rejects
	// it whole.
	SkipBad bool
	// Mapping maps file headers to column keys where the automatic
	// matching of Chinese headers is not enough.
	Mapping map[string]string
}

// ImportRow is what happens (or would happen) to one good row.
type ImportRow struct {
	Line    int    `json:"line"`
	Action  string `json:"action"` // create, unchanged
	Summary string `json:"summary"`
}

// ImportReport is the outcome of an import or dry run.
type ImportReport struct {
	Kind      ImportKind          `json:"kind"`
	Format    string              `json:"format"`
	Encoding  string              `json:"encoding"`
	Total     int                 `json:"total"`
	Created   int                 `json:"created"`
	Unchanged int                 `json:"unchanged"`
	Errors    []tabular.CellError `json:"errors"`
	Rows      []ImportRow         `json:"rows"`
	Unknown   []string            `json:"unknown_columns,omitempty"`
	DryRun    bool                `json:"dry_run"`
	Applied   bool                `json:"applied"`
	Rejected  bool                `json:"rejected"`
}

var importColumns = map[ImportKind][]tabular.Column{
	ImportPayments: {
		{Key: "contract", Aliases: []string{"合同编号", "合同号", "contract"}, Required: true},
		{Key: "received_on", Aliases: []string{"回款日期", "到账日期", "日期", "received_on"}, Required: true},
		{Key: "amount", Aliases: []string{"回款金额", "金额", "amount"}, Required: true},
		{Key: "method", Aliases: []string{"付款方式", "方式", "method"}},
		{Key: "reference", Aliases: []string{"凭证号", "流水号", "银行流水号", "reference"}},
		{Key: "installment", Aliases: []string{"期次", "第几期", "installment"}},
		{Key: "credit_reason", Aliases: []string{"多付原因", "预收说明", "credit_reason"}},
		{Key: "notes", Aliases: []string{"备注", "notes"}},
	},
	ImportContracts: {
		{Key: "number", Aliases: []string{"合同编号", "合同号", "number"}, Required: true},
		{Key: "customer_code", Aliases: []string{"客户编号", "customer_code"}},
		{Key: "customer", Aliases: []string{"客户名称", "客户", "customer"}},
		{Key: "kind", Aliases: []string{"合同类型", "类型", "kind"}},
		{Key: "title", Aliases: []string{"合同名称", "标题", "title"}},
		{Key: "signed_on", Aliases: []string{"签订日期", "signed_on"}},
		{Key: "received_on", Aliases: []string{"接到日期", "客服接到日期", "received_on"}},
		{Key: "start_on", Aliases: []string{"开始日期", "起始日期", "start_on"}},
		{Key: "end_on", Aliases: []string{"结束日期", "到期日期", "end_on"}},
		{Key: "amount", Aliases: []string{"合同金额", "金额", "amount"}},
		{Key: "schedule_differs", Aliases: []string{"付款计划与合同金额不一致", "付款计划与金额不一致", "schedule_differs"}},
		{Key: "schedule_note", Aliases: []string{"不一致原因", "schedule_note"}},
		{Key: "state", Aliases: []string{"状态", "state"}},
		{Key: "renewed_from", Aliases: []string{"续签自", "原合同编号", "renewed_from"}},
		{Key: "emc_fee", Aliases: []string{"业主收费", "emc_fee"}},
		{Key: "emc_cycle", Aliases: []string{"收费周期", "emc_cycle"}},
		{Key: "notes", Aliases: []string{"备注", "notes"}},
		{Key: "service_type", Aliases: []string{"服务类型", "service_type"}},
		{Key: "equipment", Aliases: []string{"设备", "服务内容", "equipment"}},
		{Key: "frequency", Aliases: []string{"频次", "frequency"}},
		{Key: "times", Aliases: []string{"次数", "times"}},
		{Key: "due_on", Aliases: []string{"付款日期", "应付日期", "due_on"}},
		{Key: "due_amount", Aliases: []string{"付款金额", "应付金额", "due_amount"}},
	},
}

var importExamples = map[ImportKind][][]string{
	ImportPayments: {{"HT-2026-001", "2026-03-01", "60,000.00", "转账", "BANK-20260301-01", "1", "", ""}},
	ImportContracts: {
		{"HT-2026-001", "KH-EXAMPLE", "示例大厦物业管理处", "维保", "2026 年度空调维保", "2025-12-20", "2025-12-22", "2026-01-01", "2026-12-31",
			"120,000.00", "否", "", "生效", "", "", "", "", "巡检", "冷水机组 1#", "每月", "1", "2026-01-15", "60,000.00"},
		{"HT-2026-001", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "换季保养", "空调系统", "换季", "1", "2026-07-15", "60,000.00"},
	},
}

// ImportTemplate returns the headers and example rows of a kind.
func ImportTemplate(kind ImportKind) ([]string, [][]string, error) {
	cols, ok := importColumns[kind]
	if !ok {
		return nil, nil, apperr.NotFound("import kind")
	}
	headers := make([]string, len(cols))
	for i, c := range cols {
		headers[i] = c.Name()
	}
	return headers, importExamples[kind], nil
}

func importPerm(kind ImportKind) access.Permission {
	if kind == ImportPayments {
		return access.FinanceWrite
	}
	return access.ContractImport
}

// StageImport keeps an uploaded file in the blob store so the dry run and
// the real import read the same bytes. It returns the file's key.
func (s *Service) StageImport(ctx context.Context, kind ImportKind, r io.Reader, limit int64) (string, error) {
	if _, ok := importColumns[kind]; !ok {
		return "", apperr.Invalid("kind", "导入内容须为 contracts 或 payments")
	}
	if !access.Caller(ctx).Can(importPerm(kind)) {
		return "", apperr.Forbidden("没有导入权限")
	}
	if s.blobs == nil {
		return "", errors.New("contracts: no blob store configured")
	}
	key, _, err := s.blobs.Put(ctx, r, limit)
	if errors.Is(err, blob.ErrTooLarge) {
		return "", apperr.TooLarge("file", fmt.Sprintf("文件超过 %d MB", limit>>20))
	}
	return key, err
}

// errDryRun rolls back the transaction of a dry run or a rejected file.
var errDryRun = errors.New("dry run")

// Import reads the staged file key and imports it (or reports a dry run).
// Payments are matched on contract, day, amount and reference, contracts
// on their number, so importing the same file twice changes nothing. The
// file is read in one transaction and every row is written in its own
// savepoint, so a row the database refuses is reported on its line rather
// than aborting the file (PostgreSQL would otherwise refuse every statement
// after it); with SkipBad the other rows commit, without it the file is
// rejected whole. (Payments are written in bulk without savepoints; only
// when the database refuses one does the import run again row by row.) A dry run of contracts runs everything and rolls back;
// a dry run of payments plans every row (what it reports is what the
// import does unless the database refuses a write).
func (s *Service) Import(ctx context.Context, key, name string, opts ImportOptions) (*ImportReport, error) {
	cols, ok := importColumns[opts.Kind]
	if !ok {
		return nil, apperr.Invalid("kind", "导入内容须为 contracts 或 payments")
	}
	if !access.Caller(ctx).Can(importPerm(opts.Kind)) {
		return nil, apperr.Forbidden("没有导入权限")
	}
	if s.blobs == nil {
		return nil, errors.New("contracts: no blob store configured")
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
	if opts.Kind == ImportContracts && !m.Has("customer_code") && !m.Has("customer") {
		return nil, apperr.Invalid("file", "缺少“客户编号”或“客户名称”列")
	}
	var rep *ImportReport
	// Payments are written in bulk; when the database refuses a row the
	// import runs again, row by row.
	for rowByRow := false; ; rowByRow = true {
		err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
			rep = &ImportReport{Kind: opts.Kind, Format: tbl.Format, Encoding: tbl.Encoding, Total: len(tbl.Rows), Unknown: m.Unknown,
				DryRun: opts.DryRun, Errors: []tabular.CellError{}, Rows: []ImportRow{}}
			var apply func(context.Context) error
			var err error
			if opts.Kind == ImportPayments {
				apply, err = s.importPayments(ctx, tx, m, tbl.Rows, rep, rowByRow)
			} else {
				err = s.importContracts(ctx, tx, m, tbl.Rows, rep)
			}
			if err != nil {
				return err
			}
			reject := func() bool {
				slices.SortStableFunc(rep.Errors, func(a, b tabular.CellError) int { return a.Line - b.Line })
				rep.Rejected = len(rep.Errors) > 0 && !opts.SkipBad
				return rep.Rejected
			}
			if reject() || opts.DryRun {
				return errDryRun
			}
			if apply != nil {
				if err := apply(ctx); err != nil {
					return err
				}
				if reject() {
					return errDryRun
				}
			}
			rep.Applied = true
			label := map[ImportKind]string{ImportPayments: "回款", ImportContracts: "合同"}[opts.Kind]
			return audit.Record(ctx, tx, s.now(), audit.Change{Action: "import", Entity: "import", EntityID: key,
				Summary: fmt.Sprintf("导入%s %s：新增 %d，无变化 %d，错误 %d", label, name, rep.Created, rep.Unchanged, len(rep.Errors))})
		})
		if rowByRow || !errors.Is(err, errRowRefused) {
			break
		}
	}
	if err != nil && !errors.Is(err, errDryRun) {
		return nil, err
	}
	return rep, nil
}

// errRowRefused ends an import whose bulk write the database refused: it
// runs again, writing row by row.
var errRowRefused = errors.New("a row was refused")

// inSavepoint runs fn in a savepoint of tx. When fn fails, what it wrote
// is rolled back to the savepoint and its error is returned as rowErr: the
// transaction goes on. err is set when the transaction itself cannot go
// on — the savepoint could not be taken or rolled back, or fn hit an error
// Transact retries (the whole import then runs again).
func inSavepoint(ctx context.Context, tx bun.Tx, fn func(context.Context, bun.Tx) error) (rowErr, err error) {
	sp, err := tx.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	if rowErr = fn(ctx, sp); rowErr == nil {
		return nil, sp.Commit()
	}
	if store.IsRetryable(rowErr) {
		return nil, rowErr
	}
	if err := sp.Rollback(); err != nil {
		return nil, fmt.Errorf("rollback to savepoint: %w (after: %w)", err, rowErr)
	}
	return rowErr, nil
}

// writeFailure is the reason reported for a row the database refused.
func writeFailure(err error) string {
	switch ae, ok := apperr.As(err); {
	case ok:
		return ae.Message
	case store.IsUniqueViolation(err):
		return "与已有记录冲突（可能已被他人同时登记），请重新导入"
	}
	return "写入失败：" + err.Error()
}

// fieldColumn maps a domain field name to the import column key that
// feeds it, so domain errors point at the file's column.
func fieldColumn(field string) string {
	switch {
	case field == "amount_fen", field == "installments":
		return "amount"
	case field == "emc_fee_fen":
		return "emc_fee"
	case field == "customer_id":
		return "customer"
	case strings.HasPrefix(field, "scope["):
		_, rest, _ := strings.Cut(field, "].")
		return rest
	case strings.HasPrefix(field, "installments["):
		_, rest, _ := strings.Cut(field, "].")
		if rest == "amount_fen" {
			return "due_amount"
		}
		return rest
	}
	return field
}

// cellError turns a domain error into a row error on the right column.
func cellError(m *tabular.Mapping, row tabular.Row, err error) tabular.CellError {
	ae, ok := apperr.As(err)
	if !ok {
		return tabular.CellError{Line: row.Line, Reason: err.Error()}
	}
	col := fieldColumn(ae.Field)
	ce := tabular.CellError{Line: row.Line, Reason: ae.Message}
	if m.Has(col) {
		ce.Column, ce.Value = m.Header(col), m.Get(row, col)
	}
	return ce
}

// methodNames maps the payment methods people write to the stored values.
var methodNames = map[string]string{
	"": "transfer", "转账": "transfer", "银行转账": "transfer", "汇款": "transfer", "transfer": "transfer",
	"现金": "cash", "cash": "cash", "支票": "cheque", "cheque": "cheque",
	"承兑": "acceptance", "承兑汇票": "acceptance", "acceptance": "acceptance", "其他": "other", "other": "other",
}

// The days an import takes: one outside them is a typing error (2062 for
// 2026, an amount in a date column), not a contract or payment.
var (
	importDayMin = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	importDayMax = time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC)
)

// parseDay reads a date cell of a contract or payment file in three forms
// and no other — 2026-03-01, 2026/3/1 or an Excel date
// (tabular.ParseDateStrict) — between 2000 and 2099; anything else is an
// error on the row and column, with the reason.
func parseDay(m *tabular.Mapping, row tabular.Row, key string, errs *tabular.Errors) string {
	v := m.Get(row, key)
	if v == "" {
		return ""
	}
	t, err := tabular.ParseDateStrict(v, importDayMin, importDayMax)
	if err != nil {
		errs.Add(row.Line, m.Header(key), err)
		return ""
	}
	return t.Format(time.DateOnly)
}

func parseFen(m *tabular.Mapping, row tabular.Row, key string, errs *tabular.Errors) int64 {
	v := m.Get(row, key)
	if v == "" {
		return 0
	}
	fen, err := tabular.ParseMoneyFen(v)
	if err != nil {
		errs.Add(row.Line, m.Header(key), err)
	}
	return fen
}
