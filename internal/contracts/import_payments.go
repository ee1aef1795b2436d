package contracts

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/store"
	"kefu/internal/tabular"
)

// chunksParallel is chunks on up to runtime.NumCPU() goroutines (at most
// 4): read-only lookups of many keys use the reader pool's connections in
// parallel. fn must guard what it shares; the first error is returned.
func chunksParallel[T any](items []T, n int, fn func([]T) error) error {
	var parts [][]T
	for len(items) > 0 {
		k := min(n, len(items))
		parts = append(parts, items[:k])
		items = items[k:]
	}
	workers := min(runtime.NumCPU(), 4, len(parts))
	if workers <= 1 {
		for _, p := range parts {
			if err := fn(p); err != nil {
				return err
			}
		}
		return nil
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		next int
		errs error
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if next >= len(parts) || errs != nil {
					mu.Unlock()
					return
				}
				p := parts[next]
				next++
				mu.Unlock()
				if err := fn(p); err != nil {
					mu.Lock()
					if errs == nil {
						errs = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return errs
}

// chunks calls fn with successive slices of at most n items.
func chunks[T any](items []T, n int, fn func([]T) error) error {
	for len(items) > 0 {
		k := min(n, len(items))
		if err := fn(items[:k]); err != nil {
			return err
		}
		items = items[k:]
	}
	return nil
}

// importPayments plans a payment file in memory — contracts, installments
// and known payments are loaded once — and returns the writes as apply.
// Rows are taken in file order, so a payment's allocation sees the rows
// above it, exactly as if finance had typed them one by one.
func (s *Service) importPayments(ctx context.Context, tx bun.Tx, m *tabular.Mapping, rows []tabular.Row, rep *ImportReport, rowByRow bool) (func(context.Context) error, error) {
	type parsed struct {
		row tabular.Row
		in  PaymentInput
		seq int64
	}
	today := s.today().String()
	var good []parsed
	numbers := map[string]bool{}
	for _, row := range rows {
		var errs tabular.Errors
		pr := parsed{row: row}
		pr.in.ContractID = strings.ToUpper(strings.TrimSpace(m.Get(row, "contract")))
		pr.in.ReceivedOn = parseDay(m, row, "received_on", &errs)
		pr.in.AmountFen = parseFen(m, row, "amount", &errs)
		method, ok := methodNames[strings.ToLower(m.Get(row, "method"))]
		if !ok {
			errs = append(errs, tabular.CellError{Line: row.Line, Column: m.Header("method"), Value: m.Get(row, "method"), Reason: "付款方式应为 转账、现金、支票、承兑 或 其他"})
		}
		pr.in.Method = method
		pr.in.Reference, pr.in.CreditReason, pr.in.Notes = m.Get(row, "reference"), m.Get(row, "credit_reason"), m.Get(row, "notes")
		if v := m.Get(row, "installment"); v != "" {
			n, err := tabular.ParseInt(v)
			if err == nil && n <= 0 {
				err = fmt.Errorf("期次须为正整数")
			}
			errs.Add(row.Line, m.Header("installment"), err)
			pr.seq = n
		}
		switch {
		case pr.in.ContractID == "":
			errs = append(errs, tabular.CellError{Line: row.Line, Column: m.Header("contract"), Reason: "不能为空"})
		case m.Get(row, "received_on") == "":
			errs = append(errs, tabular.CellError{Line: row.Line, Column: m.Header("received_on"), Reason: "不能为空"})
		case len(errs) == 0 && pr.in.AmountFen <= 0:
			errs = append(errs, tabular.CellError{Line: row.Line, Column: m.Header("amount"), Value: m.Get(row, "amount"), Reason: "回款金额须大于 0"})
		}
		if len(errs) == 0 {
			if pr.in.ReceivedOn > today {
				errs = append(errs, tabular.CellError{Line: row.Line, Column: m.Header("received_on"), Value: m.Get(row, "received_on"), Reason: "回款日期不能晚于今天"})
			} else if err := firstErr(text("reference", pr.in.Reference, 0, 100), text("credit_reason", pr.in.CreditReason, 0, 500), text("notes", pr.in.Notes, 0, 500)); err != nil {
				errs = append(errs, cellError(m, row, err))
			}
		}
		if len(errs) > 0 {
			rep.Errors = append(rep.Errors, errs...)
			continue
		}
		numbers[pr.in.ContractID] = true
		good = append(good, pr)
	}

	// Load what the rows refer to.
	type contractRow struct {
		ID     string `bun:"id"`
		Number string `bun:"number"`
		State  string `bun:"state"`
	}
	byNumber := map[string]contractRow{}
	nums := make([]string, 0, len(numbers))
	for n := range numbers {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	if err := chunks(nums, 500, func(part []string) error {
		var cs []contractRow
		if err := tx.NewRaw("SELECT id, number, state FROM contracts WHERE number IN (?)", bun.In(part)).Scan(ctx, &cs); err != nil {
			return err
		}
		for _, c := range cs {
			byNumber[c.Number] = c
		}
		return nil
	}); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(byNumber))
	for _, c := range byNumber {
		ids = append(ids, c.ID)
	}
	slices.Sort(ids)
	if err := chunks(ids, 500, func(part []string) error { return lockContract(ctx, tx, part...) }); err != nil {
		return nil, err
	}
	insts := map[string][]*Installment{} // by contract, due order
	if err := chunks(ids, 500, func(part []string) error {
		var is []*Installment
		if err := tx.NewSelect().Model(&is).Where("contract_id IN (?)", bun.In(part)).Order("contract_id", "due_on", "seq").Scan(ctx); err != nil {
			return err
		}
		for _, it := range is {
			insts[it.ContractID] = append(insts[it.ContractID], it)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	known := map[string]bool{}
	var keys []string
	for _, pr := range good {
		if c, ok := byNumber[pr.in.ContractID]; ok {
			in := pr.in
			in.ContractID = c.ID
			keys = append(keys, *dedupKey(in, "import"))
		}
	}
	if err := chunks(keys, 500, func(part []string) error {
		var ks []string
		if err := tx.NewRaw("SELECT dedup_key FROM payments WHERE dedup_key IN (?)", bun.In(part)).Scan(ctx, &ks); err != nil {
			return err
		}
		for _, k := range ks {
			known[k] = true
		}
		return nil
	}); err != nil {
		return nil, err
	}

	// Plan each row in order.
	p := access.Caller(ctx)
	now := store.Time(s.now())
	var plans []*plannedPayment
	seen := map[string]int{} // dedup key → the first line of this file with it
	for _, pr := range good {
		row := pr.row
		c, ok := byNumber[pr.in.ContractID]
		if !ok {
			rep.Errors = append(rep.Errors, tabular.CellError{Line: row.Line, Column: m.Header("contract"), Value: m.Get(row, "contract"), Reason: "合同不存在"})
			continue
		}
		if c.State == "draft" {
			rep.Errors = append(rep.Errors, tabular.CellError{Line: row.Line, Column: m.Header("contract"), Value: c.Number, Reason: "合同仍是草稿，不能登记回款"})
			continue
		}
		in := pr.in
		in.ContractID = c.ID
		key := dedupKey(in, "import")
		// A second row of the file with the same contract, day, amount and
		// reference is the same payment: with a reference it is listed
		// twice; without one it may be a second payment that the
		// (contract, day, amount, reference) key cannot tell apart, so it
		// is refused rather than silently folded into the first.
		if first, ok := seen[*key]; ok {
			if in.Reference == "" {
				rep.Errors = append(rep.Errors, tabular.CellError{Line: row.Line, Column: m.Header("reference"), Value: "",
					Reason: fmt.Sprintf("与本文件第 %d 行重复（同一合同、日期、金额，均无凭证号）；如确为两笔回款，请分别填写凭证号", first)})
				continue
			}
			rep.Rows = append(rep.Rows, ImportRow{Line: row.Line, Action: "unchanged",
				Summary: fmt.Sprintf("%s %s %s 元 与本文件第 %d 行重复（凭证号相同），按一笔登记", c.Number, in.ReceivedOn, FormatYuan(in.AmountFen), first)})
			rep.Unchanged++
			continue
		}
		if known[*key] {
			seen[*key] = row.Line
			rep.Rows = append(rep.Rows, ImportRow{Line: row.Line, Action: "unchanged", Summary: fmt.Sprintf("%s %s %s 元 已登记", c.Number, in.ReceivedOn, FormatYuan(in.AmountFen))})
			rep.Unchanged++
			continue
		}
		open := make([]*Installment, 0, 4)
		var named *Installment
		for _, it := range insts[c.ID] {
			if pr.seq > 0 && int64(it.Seq) == pr.seq {
				named = it
			}
			if it.PaidFen < it.AmountFen {
				open = append(open, it)
			}
		}
		if pr.seq > 0 {
			switch {
			case named == nil:
				rep.Errors = append(rep.Errors, tabular.CellError{Line: row.Line, Column: m.Header("installment"), Value: m.Get(row, "installment"), Reason: "该合同没有这一期"})
				continue
			case named.PaidFen >= named.AmountFen:
				rep.Errors = append(rep.Errors, tabular.CellError{Line: row.Line, Column: m.Header("installment"), Value: m.Get(row, "installment"), Reason: "该期已付清"})
				continue
			}
			i := slices.Index(open, named)
			open = append([]*Installment{named}, slices.Delete(open, i, i+1)...)
		}
		pay := &Payment{ID: store.NewID(), ContractID: c.ID, ReceivedOn: in.ReceivedOn, AmountFen: in.AmountFen, Method: in.Method,
			Reference: in.Reference, Source: "import", DedupKey: key, Notes: in.Notes, RecordedAt: now}
		if p.StaffID != "" {
			id := p.StaffID
			pay.RecordedBy = &id
		}
		rest := in.AmountFen
		var mine []Allocation
		for _, it := range open {
			if rest == 0 {
				break
			}
			a := min(rest, it.AmountFen-it.PaidFen)
			mine = append(mine, Allocation{PaymentID: pay.ID, InstallmentID: it.ID, AmountFen: a})
			rest -= a
		}
		if rest > 0 {
			if in.CreditReason == "" {
				rep.Errors = append(rep.Errors, tabular.CellError{Line: row.Line, Column: m.Header("amount"), Value: m.Get(row, "amount"),
					Reason: fmt.Sprintf("回款金额超出合同 %s 未付金额 %s 元；如为预收或多付，请填写“多付原因”", c.Number, FormatYuan(in.AmountFen-rest))})
				continue
			}
			pay.CreditFen, pay.CreditReason = rest, in.CreditReason
		}
		// The row is good: commit its effect on the in-memory state.
		byID := map[string]*Installment{}
		for _, it := range open {
			byID[it.ID] = it
		}
		for _, a := range mine {
			byID[a.InstallmentID].PaidFen += a.AmountFen
		}
		known[*key], seen[*key] = true, row.Line
		pay.Allocations = mine
		e, err := audit.Build(ctx, now, audit.Change{Action: "create", Entity: "payment", EntityID: pay.ID,
			Summary: fmt.Sprintf("合同 %s 回款 %s 元（%s，导入）", c.Number, FormatYuan(pay.AmountFen), pay.ReceivedOn), After: pay})
		if err != nil {
			return nil, err
		}
		plans = append(plans, &plannedPayment{line: row.Line, number: c.Number, value: m.Get(row, "contract"), pay: pay, entry: e})
		rep.Rows = append(rep.Rows, ImportRow{Line: row.Line, Action: "create", Summary: fmt.Sprintf("%s %s %s 元", c.Number, in.ReceivedOn, FormatYuan(in.AmountFen))})
		rep.Created++
	}
	// All planned payments are written at once. Should the database refuse
	// one, the import runs again row by row (errRowRefused): each payment
	// in its own savepoint, the refused ones reported on their lines (the
	// others keep the allocations planned for them: a refused payment only
	// leaves its installments more open than planned, never overpaid). The
	// bulk write takes no savepoint: on SQLite one costs several times the
	// write itself.
	apply := func(ctx context.Context) error {
		if !rowByRow {
			err := writePayments(ctx, tx, plans)
			if err != nil && !store.IsRetryable(err) {
				s.log.InfoContext(ctx, "payment import: the database refused a row; writing row by row", "err", err)
				return fmt.Errorf("%w: %w", errRowRefused, err)
			}
			return err
		}
		refused := map[int]bool{}
		for _, pl := range plans {
			rowErr, err := inSavepoint(ctx, tx, func(ctx context.Context, sp bun.Tx) error {
				return writePayments(ctx, sp, []*plannedPayment{pl})
			})
			if err != nil {
				return err
			}
			if rowErr != nil {
				s.log.WarnContext(ctx, "payment import: row refused", "line", pl.line, "contract", pl.number, "err", rowErr)
				refused[pl.line] = true
				rep.Errors = append(rep.Errors, tabular.CellError{Line: pl.line, Column: m.Header("contract"), Value: pl.value, Reason: writeFailure(rowErr)})
			}
		}
		if len(refused) > 0 {
			rep.Rows = slices.DeleteFunc(rep.Rows, func(r ImportRow) bool { return r.Action == "create" && refused[r.Line] })
			rep.Created -= len(refused)
		}
		return nil
	}
	return apply, nil
}

// plannedPayment is one payment row of an import, planned in memory.
type plannedPayment struct {
	line          int
	number, value string // the contract's number, and as the file wrote it
	pay           *Payment
	entry         *audit.Entry
}

// writePayments writes planned payments, their allocations, the
// installments' paid amounts and the audit entries.
func writePayments(ctx context.Context, tx bun.IDB, plans []*plannedPayment) error {
	pays := make([]*Payment, len(plans))
	var allocs []Allocation
	entries := make([]*audit.Entry, len(plans))
	delta := map[string]int64{} // paid_fen added per installment
	for i, pl := range plans {
		pays[i], entries[i] = pl.pay, pl.entry
		allocs = append(allocs, pl.pay.Allocations...)
		for _, a := range pl.pay.Allocations {
			delta[a.InstallmentID] += a.AmountFen
		}
	}
	if err := chunks(pays, 300, func(part []*Payment) error {
		_, err := tx.NewInsert().Model(&part).Exec(ctx)
		return err
	}); err != nil {
		if store.IsUniqueViolation(err) {
			return apperr.Conflict("file", "回款已被他人同时登记，请重新导入")
		}
		return err
	}
	if err := chunks(allocs, 500, func(part []Allocation) error {
		_, err := tx.NewInsert().Model(&part).Exec(ctx)
		return err
	}); err != nil {
		return err
	}
	ids := make([]string, 0, len(delta))
	for id := range delta {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	// One statement per 200 installments: paid_fen + CASE id WHEN … END.
	if err := chunks(ids, 200, func(part []string) error {
		var q strings.Builder
		args := make([]any, 0, 3*len(part))
		q.WriteString("UPDATE installments SET paid_fen = paid_fen + CASE id")
		for _, id := range part {
			q.WriteString(" WHEN ? THEN ?")
			args = append(args, id, delta[id])
		}
		q.WriteString(" END WHERE id IN (?)")
		args = append(args, bun.In(part))
		_, err := tx.NewRaw(q.String(), args...).Exec(ctx)
		return err
	}); err != nil {
		return err
	}
	return audit.InsertAll(ctx, tx, entries)
}

// bunIn wraps a slice for an IN (?) placeholder.
func bunIn[T any](xs []T) any { return bun.In(xs) }
