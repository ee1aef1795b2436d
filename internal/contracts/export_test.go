package contracts_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"kefu/internal/contracts"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/tabular"
	"kefu/internal/tabular/tabulartest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden writes a sheet as the XLSX download does and compares every
// cell's stored type, value and number format (tabulartest.Dump: s:text,
// n:value [format] shown) with testdata/name.
func golden(t *testing.T, name string, sh *contracts.Sheet) {
	t.Helper()
	if len(sh.Kinds) != len(sh.Headers) {
		t.Fatalf("%s: %d kinds for %d columns", name, len(sh.Kinds), len(sh.Headers))
	}
	var buf bytes.Buffer
	if err := tabular.WriteTypedXLSX(&buf, sh.Headers, sh.Kinds, sh.Rows); err != nil {
		t.Fatal(err)
	}
	got := tabulartest.Dump(t, buf.Bytes())
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if got != string(want) {
		t.Fatalf("%s differs:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestExportsGolden(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // today 2026-03-05
		a := e.customer("国贸物业", e.r1, e.spec1)
		b := e.customer("望京写字楼", e.r2, e.spec2)
		if _, err := e.cust.AddContact(e.asMgr, a.ID, contactInput("王总", "13800000001", true)); err != nil {
			t.Fatal(err)
		}
		in := maint("HT-A", a, "2025-03-20", "2026-03-20")
		in.Installments = []contracts.InstallmentInput{
			{DueOn: "2025-10-01", AmountFen: 1_000_000}, {DueOn: "2026-01-04", AmountFen: 2_000_000},
			{DueOn: "2026-02-03", AmountFen: 3_000_000}, {DueOn: "2026-03-20", AmountFen: 6_000_000},
		}
		ka := e.contract(e.asMgr, in)
		e.contract(e.asMgr, maint("HT-B", b, "2025-04-01", "2026-03-31"))
		if _, err := e.svc.RecordPayment(e.asFin, contracts.PaymentInput{ContractID: ka.ID, ReceivedOn: "2026-03-01", AmountFen: 1_234_567}); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 2, 21, 14, 30, 0, 0, shanghai)
		if _, err := e.svc.LogContractContact(e.asSpec1, ka.ID, contracts.TagRenewal, contracts.CommunicationInput{Channel: "phone_out", Summary: "续签意向", OccurredAt: &at}); err != nil {
			t.Fatal(err)
		}
		rs, err := e.svc.ReceivablesSheet(e.asMgr, contracts.ReceivableFilter{})
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "receivables.golden.csv", rs)
		rn, err := e.svc.RenewalSheet(e.asMgr, contracts.RenewalFilter{})
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "renewals.golden.csv", rn)
	})
}
