package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/internal/access"
	"kefu/internal/customers"
)

// TestWorkOrderDispatchOnTheBoard is field work in the browser: 林雯
// (specialist of 国贸) makes a work order for one of her customers without
// a contract, dispatches it to 马涛 on the work order page, and finds it
// on the dispatch board on its planned day under 国贸维修项目组.
func TestWorkOrderDispatchOnTheBoard(t *testing.T) {
	e := browserEnv(t)
	a := e.app
	sys := access.With(context.Background(), access.System())
	lin, err := a.Org.StaffByLogin(sys, "lin.wen")
	if err != nil {
		t.Fatal(err)
	}
	page, err := a.Customers.ListCustomers(sys, customers.ListFilter{OwnerID: lin.ID, Status: "active", Limit: 50})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("lin.wen's customers: %d %v", len(page.Items), err)
	}
	cust := page.Items[0]
	planned := a.Now().In(a.Location()).AddDate(0, 0, 2).Format(time.DateOnly)
	content := fmt.Sprintf("E2E 冷却塔风机异响 %d", time.Now().UnixNano())

	s := e.newSession(t, "lin.wen")
	s.login("lin.wen", demoPassword)
	if nav := s.texts(`#sidebar-menu .nav-link-title`); !strings.Contains(strings.Join(nav, " "), "立项 派工单 派工看板") {
		s.fatalf("navigation %q lacks the field-work entries", nav)
	}

	// The new work order from the list.
	s.mustOpen("/work-orders")
	s.checkPageText("/work-orders")
	if resp := s.submit("open the new work order form", chromedp.Click(chromedp.CSS(`[data-testid=work-order-new]`))); resp.Status != 200 {
		s.fatalf("new work order form: HTTP %d", resp.Status)
	}
	s.within("fill in the work order",
		chromedp.SetValue(chromedp.CSS(`[data-testid=work-order-customer]`), cust.ID),
		chromedp.SetValue(chromedp.CSS(`[data-testid=work-order-type]`), "repair"),
		chromedp.SetValue(chromedp.CSS(`[data-testid=work-order-planned]`), planned),
		chromedp.SetValue(chromedp.CSS(`[data-testid=work-order-form] input[name=contact_name]`), "物业李工"),
		chromedp.SetValue(chromedp.CSS(`[data-testid=work-order-content]`), content))
	if resp := s.submit("save the work order", chromedp.Click(chromedp.CSS(`[data-testid=work-order-save]`))); resp.Status != 200 {
		s.fatalf("save the work order: HTTP %d: %.300q", resp.Status, s.text(".page-body"))
	}
	number := s.text(`[data-testid=work-order-number] .mono`)
	if !strings.HasPrefix(number, "PG-") {
		s.fatalf("work order number %q", number)
	}
	if flash := s.text(`[role=status]`); !strings.Contains(flash, number) {
		s.fatalf("flash %q, want the number %s", flash, number)
	}
	if got := s.text(`[data-testid=work-order-planned-on]`); got != planned {
		s.fatalf("planned day %q, want %s", got, planned)
	}
	id := eval[string](s, `location.pathname.split('/').pop()`)
	s.checkPageText("/work-orders/" + id)

	// Dispatch it to 马涛.
	s.within("tick 马涛", chromedp.Click(chromedp.CSS(`[data-testid="tech-ma.tao"]`)))
	if resp := s.submit("dispatch", chromedp.Click(chromedp.CSS(`[data-testid=dispatch-submit]`))); resp.Status != 200 {
		s.fatalf("dispatch: HTTP %d: %.300q", resp.Status, s.text(".page-body"))
	}
	if got := s.text(`[data-testid=work-order-technicians]`); got != "马涛" {
		s.fatalf("technicians %q, want 马涛", got)
	}
	if got := s.text(`[data-testid=work-order-group]`); got != "国贸维修项目组" {
		s.fatalf("group %q, want 国贸维修项目组", got)
	}
	if st := eval[string](s, `document.querySelector('[data-testid=work-order-number] [data-status]').dataset.status`); st != "dispatched" {
		s.fatalf("status %q, want dispatched", st)
	}
	if n := eval[int](s, `document.querySelectorAll('[data-testid=dispatch-form]').length`); n != 0 {
		s.fatalf("the dispatched work order still offers the dispatch form")
	}

	// On the board, on its day, under the group.
	s.mustOpen("/dispatch-board")
	s.checkPageText("/dispatch-board")
	sel := fmt.Sprintf(`section[data-day=%q] [data-group="国贸维修项目组"] a[data-work-order-id=%q]`, planned, id)
	card := s.text(sel)
	if !strings.Contains(card, number) || !strings.Contains(card, "马涛") || !strings.Contains(card, "已派工") {
		s.fatalf("board card %q (%s), want %s with 马涛, 已派工", card, sel, number)
	}
	if resp := s.submit("open it from the board", chromedp.Click(chromedp.CSS(sel))); resp.Status != 200 {
		s.fatalf("open from the board: HTTP %d", resp.Status)
	}
	if got := s.text(`[data-testid=work-order-number] .mono`); got != number {
		s.fatalf("the board opened %q, want %s", got, number)
	}
	// The next week's board, and back.
	s.mustOpen("/dispatch-board")
	if resp := s.submit("next week", chromedp.Click(chromedp.CSS(`[data-testid=board-next]`))); resp.Status != 200 {
		s.fatalf("next week: HTTP %d", resp.Status)
	}
	if n := eval[int](s, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)); n != 0 {
		s.fatalf("next week's board shows the work order of %s", planned)
	}
}
