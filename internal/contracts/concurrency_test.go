package contracts_test

import (
	"fmt"
	"sync"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/contracts"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// Money written at the same moment on one contract never pays or invoices
// an installment beyond its amount: the writes are serialised on the
// contract's row (PostgreSQL runs them truly in parallel).
func TestConcurrentMoneyWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer("国贸物业", e.r1, e.spec1)
		k := e.contract(e.asMgr, maint("HT-1", c, "2026-01-01", "2026-12-31"))
		const n = 6
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.svc.RecordPayment(e.asFin, contracts.PaymentInput{ContractID: k.ID, ReceivedOn: "2026-03-01",
					AmountFen: 12_000_000, Reference: fmt.Sprintf("P-%d", i), CreditReason: "测试并发"})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("payment %d: %v", i, err)
			}
		}
		d := e.detail(k.ID)
		var credit int64
		for _, p := range d.Payments {
			credit += p.CreditFen
		}
		for _, it := range d.Installments {
			if it.PaidFen != it.AmountFen {
				t.Fatalf("installment %d paid %d of %d", it.Seq, it.PaidFen, it.AmountFen)
			}
		}
		if credit != (n-1)*12_000_000 {
			t.Fatalf("credit %d, want %d", credit, (n-1)*12_000_000)
		}

		first := d.Installments[0]
		ok := 0
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.svc.RecordInvoice(e.asFin, contracts.InvoiceInput{InstallmentID: first.ID, Number: fmt.Sprintf("F-%d", i),
					IssuedOn: "2026-01-10", AmountFen: first.AmountFen})
			}()
		}
		wg.Wait()
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !apperr.Is(err, apperr.KindInvalid):
				t.Fatalf("invoice: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d invoices of the full amount succeeded", ok)
		}
	})
}
