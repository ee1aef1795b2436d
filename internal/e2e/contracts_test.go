package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kefu/internal/access"
	"kefu/internal/calendar"
	"kefu/internal/rates"
	"kefu/internal/tabular"
)

// TestPaymentRaisesCollectionRate is the flow: finance records a
// payment received on a contract with money due this month, and the
// 业务指标 page shows the owning specialist's collection rate (回款率) go
// up by exactly what the records say.
func TestPaymentRaisesCollectionRate(t *testing.T) {
	e := browserEnv(t)
	sys := access.With(context.Background(), access.System())
	a := e.app
	month := rates.MonthOf(calendar.DateOf(a.Now(), a.Location()))
	rateOf := func(id string) rates.Ratio {
		t.Helper()
		rep, err := a.Contracts.Rates(sys, month, calendar.Date{})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range rep.Specialists {
			if s.SpecialistID == id {
				return s.Collection.Ratio
			}
		}
		t.Fatalf("no rates for specialist %s", id)
		return rates.Ratio{}
	}
	// A row of this month's collection that is not yet fully collected.
	rep, err := a.Contracts.Rates(sys, month, calendar.Date{})
	if err != nil {
		t.Fatal(err)
	}
	var spec string
	var row rates.CollectionRow
	for _, s := range rep.Specialists {
		for _, r := range s.Collection.Rows {
			if s.SpecialistID != "" && r.Collected < r.OpenAtStart {
				spec, row = s.SpecialistID, r
				break
			}
		}
		if spec != "" {
			break
		}
	}
	if spec == "" {
		t.Fatal("the demo has no installment left to collect this month")
	}
	before := rateOf(spec)
	amount := row.OpenAtStart - row.Collected

	s := e.newSession(t, "xu.jing-payment")
	s.login("xu.jing", demoPassword)
	ratePath := "/rates?month=" + month.String()
	cell := fmt.Sprintf(`#rates tr[data-specialist-id=%q] td.collection-rate`, spec)
	s.mustOpen(ratePath)
	if got := s.text(cell); strings.TrimSpace(got) != before.Percent() {
		t.Fatalf("业务指标 shows collection rate %q for the specialist, the records say %s", got, before.Percent())
	}

	s.mustOpen("/finance")
	today := calendar.DateOf(a.Now(), a.Location()).String()
	s.within("fill in the payment form",
		chromedp.SetValue(chromedp.ID("contract"), row.Installment.ContractNumber),
		chromedp.SetValue(chromedp.CSS(`[data-testid=finance-payment-form] input[name=received_on]`), today),
		chromedp.SetValue(chromedp.CSS(`[data-testid=finance-payment-form] [data-testid=payment-amount]`), tabular.FormatFen(amount)),
		chromedp.SetValue(chromedp.CSS(`[data-testid=finance-payment-form] input[name=reference]`), "E2E-"+row.Installment.ID[:8]))
	resp := s.submit("record the payment", chromedp.Click(chromedp.CSS(`[data-testid=finance-payment-form] button[type=submit]`)))
	if resp.Status != 200 {
		t.Fatalf("record payment: HTTP %d; page says %.300q", resp.Status, s.text(".page-body"))
	}
	if alert := s.text(".alert-danger"); alert != "" {
		t.Fatalf("record payment refused: %q", alert)
	}

	after := rateOf(spec)
	if after.Num != before.Num+amount || after.Den != before.Den {
		t.Fatalf("records after the payment: %v, want %d/%d", after, before.Num+amount, before.Den)
	}
	s.mustOpen(ratePath)
	if got := s.text(cell); strings.TrimSpace(got) != after.Percent() || after.Percent() == before.Percent() {
		t.Fatalf("业务指标 shows %q after the payment, want %s (was %s)", got, after.Percent(), before.Percent())
	}
	// The payment is on the contract page, allocated to the installment.
	d, err := a.Contracts.GetContract(sys, row.Installment.ContractID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range d.Payments {
		if p.Reference == "E2E-"+row.Installment.ID[:8] && p.AmountFen == amount && p.Source == "manual" {
			found = true
		}
	}
	if !found {
		t.Fatalf("the payment is not on contract %s", d.Number)
	}
}
