package contracts_test

import (
	"context"
	"strings"
	"testing"

	"kefu/internal/contracts"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// refuseInserts makes the database refuse (with an error raised by a
// trigger) every row inserted into table whose column equals value: a
// write that fails only when it reaches the database, after the import
// has checked the row.
func refuseInserts(t *testing.T, db *store.DB, table, column, value string) {
	t.Helper()
	var stmts []string
	switch db.Dialect() {
	case store.SQLite:
		stmts = []string{`CREATE TRIGGER refuse_` + table + ` BEFORE INSERT ON ` + table +
			` WHEN CAST(NEW.` + column + ` AS TEXT) = '` + value + `' BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`}
	case store.Postgres:
		stmts = []string{
			`CREATE FUNCTION refuse_` + table + `() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
				IF NEW.` + column + `::text = '` + value + `' THEN RAISE EXCEPTION 'refused by test trigger'; END IF;
				RETURN NEW; END $$`,
			`CREATE TRIGGER refuse_` + table + ` BEFORE INSERT ON ` + table + ` FOR EACH ROW EXECUTE FUNCTION refuse_` + table + `()`,
		}
	}
	for _, q := range stmts {
		if _, err := db.SQLDB().ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// With skip-bad-rows each row stands alone: a row the database refuses
// when it is written is reported on its line, leaves nothing behind, and
// the other rows land. Rejecting the file writes nothing.
func TestImportRowRefusedAtWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := importEnv(t, db)
		c := e.customer("国贸物业", e.r1, e.spec1)
		k := e.contract(e.asMgr, maint("HT-1", c, "2026-01-01", "2026-12-31"))
		refuseInserts(t, db, "payments", "reference", "BOOM")
		// Installments of ¥42.42 are refused: the contract row is written
		// before them and must go too.
		refuseInserts(t, db, "installments", "amount_fen", "4242")

		pays := csvBytes(t, [][]string{{"合同编号", "回款日期", "回款金额", "凭证号"},
			{"HT-1", "2026-01-20", "10,000.00", "B-1"},
			{"HT-1", "2026-01-21", "20,000.00", "BOOM"},
			{"HT-1", "2026-01-22", "30,000.00", "B-3"},
		})
		// Reject mode: the refused row rejects the file; nothing is written.
		rep := e.importFile("fin", contracts.ImportPayments, "回款.csv", pays, contracts.ImportOptions{})
		if !rep.Rejected || rep.Applied || len(rep.Errors) != 1 || rep.Errors[0].Line != 3 || rep.Errors[0].Column != "合同编号" ||
			!strings.Contains(rep.Errors[0].Reason, "写入失败") {
			t.Fatalf("reject: %+v", rep)
		}
		if d := e.detail(k.ID); len(d.Payments) != 0 || d.PaidFen != 0 || d.Installments[0].PaidFen != 0 {
			t.Fatalf("rejected file wrote: %+v", d.Payments)
		}
		// Skip mode: rows 2 and 4 land, with their allocations.
		rep = e.importFile("fin", contracts.ImportPayments, "回款.csv", pays, contracts.ImportOptions{SkipBad: true})
		if !rep.Applied || rep.Rejected || rep.Created != 2 || len(rep.Rows) != 2 || len(rep.Errors) != 1 || rep.Errors[0].Line != 3 {
			t.Fatalf("skip: %+v", rep)
		}
		d := e.detail(k.ID)
		if len(d.Payments) != 2 || d.PaidFen != 4_000_000 || d.Installments[0].PaidFen != 4_000_000 {
			t.Fatalf("after skip: paid %d, payments %+v, installments %+v", d.PaidFen, d.Payments, d.Installments)
		}
		for _, p := range d.Payments {
			if p.Reference == "BOOM" || len(p.Allocations) != 1 || p.Allocations[0].AmountFen != p.AmountFen {
				t.Fatalf("payment %+v", p)
			}
		}
		// Again: the two are unchanged, the refused one is refused again.
		rep = e.importFile("fin", contracts.ImportPayments, "回款.csv", pays, contracts.ImportOptions{SkipBad: true})
		if rep.Unchanged != 2 || rep.Created != 0 || len(rep.Errors) != 1 {
			t.Fatalf("again: %+v", rep)
		}

		head := []string{"合同编号", "客户名称", "合同类型", "开始日期", "结束日期", "合同金额", "付款日期", "付款金额"}
		cons := csvBytes(t, [][]string{head,
			{"HT-A", "国贸物业", "工程", "2026-01-01", "2026-12-31", "100", "2026-06-30", "100"},
			{"HT-BOOM", "国贸物业", "工程", "2026-01-01", "2026-12-31", "42.42", "2026-06-30", "42.42"},
			{"HT-C", "国贸物业", "工程", "2026-01-01", "2026-12-31", "300", "2026-06-30", "300"},
		})
		rep = e.importFile("mgr", contracts.ImportContracts, "合同.csv", cons, contracts.ImportOptions{})
		if !rep.Rejected || len(rep.Errors) != 1 || rep.Errors[0].Line != 3 || rep.Errors[0].Value != "HT-BOOM" {
			t.Fatalf("contracts reject: %+v", rep)
		}
		if page, _ := e.svc.ListContracts(e.asMgr, contracts.ListFilter{}); len(page.Items) != 1 {
			t.Fatalf("rejected contract file left %d contracts", len(page.Items))
		}
		rep = e.importFile("mgr", contracts.ImportContracts, "合同.csv", cons, contracts.ImportOptions{SkipBad: true})
		if !rep.Applied || rep.Created != 2 || len(rep.Errors) != 1 || rep.Errors[0].Line != 3 || rep.Errors[0].Column != "合同编号" {
			t.Fatalf("contracts skip: %+v", rep)
		}
		page, err := e.svc.ListContracts(e.asMgr, contracts.ListFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var numbers []string
		for _, v := range page.Items {
			numbers = append(numbers, v.Number)
		}
		if strings.Join(numbers, ",") != "HT-1,HT-A,HT-C" {
			t.Fatalf("contracts after skip: %v", numbers)
		}
		// Nothing of HT-BOOM is left (its contract row was written before
		// the refused installment).
		var n int
		if err := db.R().NewRaw("SELECT COUNT(*) FROM contracts WHERE number = 'HT-BOOM'").Scan(context.Background(), &n); err != nil || n != 0 {
			t.Fatalf("HT-BOOM rows: %d %v", n, err)
		}
	})
}
