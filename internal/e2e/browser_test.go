package e2e

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// phoneSeq makes every new mobile number of a test binary distinct.
var phoneSeq atomic.Int64

// newMobile returns a valid mainland mobile number no demo contact has.
func newMobile() string {
	n := (time.Now().UnixNano()/1000 + phoneSeq.Add(1)*7919) % 100000000
	return fmt.Sprintf("199%08d", n)
}

// customerRow is one row of the customer list as the page shows it.
type customerRow struct {
	Name  string `json:"name"`
	Href  string `json:"href"`
	Owner string `json:"owner"`
}

const customerRowsJS = `[...document.querySelectorAll('#customer-rows tr')].filter(tr => tr.cells.length >= 7).map(tr => {
	const a = tr.cells[1].querySelector('a');
	return {name: a ? a.textContent.trim() : '', href: a ? a.getAttribute('href') : '', owner: tr.cells[4].innerText.trim()};
})`

// contactRow is one row of a customer's contacts table.
type contactRow struct {
	Name   string `json:"name"`
	Title  string `json:"title"`
	Phone  string `json:"phone"`
	Active bool   `json:"active"`
	Edit   string `json:"edit"` // hx-get of the 编辑 button, "" without one
}

const contactRowsJS = `[...document.querySelectorAll('[data-testid=contacts] tbody tr')].filter(tr => tr.cells.length >= 7).map(tr => {
	const b = tr.querySelector('[data-testid=edit-contact]');
	return {name: tr.cells[0].innerText.trim(), title: tr.cells[1].innerText.trim(), phone: tr.cells[2].innerText.trim(),
		active: !tr.classList.contains('text-secondary'), edit: b ? b.getAttribute('hx-get') : ''};
})`

func (s *session) contacts() []contactRow {
	s.t.Helper()
	return eval[[]contactRow](s, contactRowsJS)
}

// firstEditableContact is the first active contact with a 编辑 button.
func (s *session) firstEditableContact() contactRow {
	s.t.Helper()
	for _, c := range s.contacts() {
		if c.Active && c.Edit != "" {
			return c
		}
	}
	s.fatalf("no active contact with an edit button (%s): %+v", `[data-testid=edit-contact]`, s.contacts())
	return contactRow{}
}

// contactByEdit finds the contact row whose 编辑 button loads edit.
func (s *session) contactByEdit(edit string) contactRow {
	s.t.Helper()
	for _, c := range s.contacts() {
		if c.Edit == edit {
			return c
		}
	}
	s.fatalf("contact %s is not in the contacts table: %+v", edit, s.contacts())
	return contactRow{}
}

// openContactEditor clicks 编辑 on the contact and waits until htmx has put
// the form into #contact-editor.
func (s *session) openContactEditor(c contactRow) {
	s.t.Helper()
	s.within("click 编辑 on contact "+c.Name+" and wait for the form in #contact-editor",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid=edit-contact][hx-get=%q]`, c.Edit))),
		chromedp.WaitVisible(chromedp.CSS(`#contact-editor [data-testid=contact-edit-form] input[name=phone]`)))
	if h := s.text(`#contact-editor [data-testid=contact-edit-form] h4`); !strings.Contains(h, c.Name) {
		s.fatalf("the edit form is for %q, want contact %q", h, c.Name)
	}
}

// fillContact replaces the phone (and the title when not empty) in the
// open contact form.
func (s *session) fillContact(phone, title string) {
	s.t.Helper()
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Clear(chromedp.CSS(`#contact-editor input[name=phone]`)),
		chromedp.SendKeys(chromedp.CSS(`#contact-editor input[name=phone]`), phone),
	}
	if title != "" {
		steps = append(steps,
			chromedp.Clear(chromedp.CSS(`#contact-editor input[name=title]`)),
			chromedp.SendKeys(chromedp.CSS(`#contact-editor input[name=title]`), title))
	}
	s.within("fill in the contact form", steps...)
}

// saveContact clicks 保存 in the contact form and returns the answer.
func (s *session) saveContact() *network.Response {
	s.t.Helper()
	return s.submit("click 保存 in the contact form",
		chromedp.Click(chromedp.CSS(`#contact-editor [data-testid=contact-edit-form] button[type=submit]`)))
}

// TestSpecialistEditsContact is the flow: a specialist finds one of
// her customers with the search box, corrects a contact's phone and title,
// and sees the change saved and in the history.
func TestSpecialistEditsContact(t *testing.T) {
	e := browserEnv(t)
	s := e.newSession(t, "lin.wen")
	s.login("lin.wen", demoPassword)
	if who := s.text(`[data-testid=whoami]`); !strings.Contains(who, "林雯") || !strings.Contains(who, "客服专员") {
		t.Errorf("whoami = %q, want 林雯 · 客服专员", who)
	}

	// The customer list: Chinese headers and rows.
	s.mustOpen("/customers")
	s.within("customer table", chromedp.WaitVisible(chromedp.CSS(`[data-testid=customer-table]`)))
	headers := s.texts(`[data-testid=customer-table] thead th`)
	for _, h := range []string{"客户编号", "名称", "客户等级", "区域", "分管客服", "销售负责人", "状态"} {
		if !slices.Contains(headers, h) {
			t.Errorf("customer table headers %q lack %q", headers, h)
		}
	}
	all := eval[[]customerRow](s, customerRowsJS)
	if len(all) < 20 {
		s.fatalf("customer list shows %d rows, want the demo's customers (≥ 20)", len(all))
	}
	var mine customerRow
	for _, r := range all {
		if r.Owner == "林雯" {
			mine = r
			break
		}
	}
	if mine.Href == "" {
		s.fatalf("no row of the customer list has 分管客服 林雯: %+v", all[:5])
	}

	// Search: htmx replaces the rows as she types.
	s.within("type in the search box",
		chromedp.SendKeys(chromedp.CSS(`input[name=q]`), mine.Name))
	s.waitJS(fmt.Sprintf("the list filters to %q (htmx swaps #customer-rows)", mine.Name), fmt.Sprintf(
		`(() => { const links = [...document.querySelectorAll('#customer-rows tr td:nth-child(2) a')];
		return links.length > 0 && links.length < %d && links.some(a => a.textContent.trim() === %q); })()`, len(all), mine.Name))
	filtered := eval[[]customerRow](s, customerRowsJS)
	t.Logf("search %q: %d of %d rows", mine.Name, len(filtered), len(all))
	if loc := eval[string](s, `location.search`); !strings.Contains(loc, "q=") {
		t.Errorf("after the search the address is %q, want the query pushed (hx-push-url)", loc)
	}

	// Her customer.
	resp := s.submit("open customer "+mine.Name, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#customer-rows a[href=%q]`, mine.Href))))
	if resp.Status != 200 {
		s.fatalf("customer page: HTTP %d", resp.Status)
	}
	if name := s.text(`[data-testid=customer-name]`); !strings.Contains(name, mine.Name) {
		t.Errorf("customer page shows %q, want %q", name, mine.Name)
	}
	s.within("open the 联系人 tab",
		chromedp.Click(chromedp.CSS(`a[href="#tab-contacts"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#tab-contacts [data-testid=contacts]`)))
	ct := s.firstEditableContact()
	s.openContactEditor(ct)

	phone, title := newMobile(), "工程部经理"
	if ct.Title == title {
		title = "设备主管"
	}
	s.fillContact(phone, title)
	resp = s.saveContact()
	if resp.Status != 200 {
		s.fatalf("save contact: HTTP %d; form error %q", resp.Status, s.text(`[data-testid=form-error]`))
	}
	if u, _ := url.Parse(resp.URL); u == nil || u.Path != mine.Href {
		t.Errorf("after 保存 the browser is at %s, want the customer page %s", resp.URL, mine.Href)
	}
	if flash := s.text(`.alert[role=status]`); !strings.Contains(flash, "已保存") {
		t.Errorf("flash after 保存 = %q, want 已保存", flash)
	}
	got := s.contactByEdit(ct.Edit)
	if !strings.Contains(got.Phone, phone) || got.Title != title {
		t.Errorf("contact after 保存: phone %q title %q, want %s and %s", got.Phone, got.Title, phone, title)
	}
	if n := eval[int](s, `document.querySelectorAll('#contact-editor [data-testid=contact-edit-form]').length`); n != 0 {
		t.Errorf("the edit form is still open after 保存")
	}

	// The change is in 变更记录.
	s.within("open the 变更记录 tab",
		chromedp.Click(chromedp.CSS(`a[href="#tab-history"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#tab-history table`)))
	if tab := s.text(`a[href="#tab-history"]`); tab != "变更记录" {
		t.Errorf("history tab label = %q, want 变更记录", tab)
	}
	history := s.texts(`#tab-history tbody tr`)
	found := false
	for _, row := range history {
		if strings.Contains(row, "修改联系人 "+ct.Name) && strings.Contains(row, phone) {
			found = true
			for _, want := range []string{"林雯", "电话", "职务", title} {
				if !strings.Contains(row, want) {
					t.Errorf("history row %q lacks %q", row, want)
				}
			}
			if ct.Phone != "" && !strings.Contains(row, ct.Phone) {
				t.Errorf("history row %q does not show the old phone %q", row, ct.Phone)
			}
		}
	}
	if !found {
		t.Errorf("变更记录 has no row 修改联系人 %s with %s; first rows: %q", ct.Name, phone, history[:min(3, len(history))])
	}
	// Values are shown in Chinese, not as the codes stored (a member's
	// side, a customer's status).
	for _, row := range history {
		if m := rawCodeRE.FindStringSubmatch(row); m != nil {
			t.Errorf("变更记录 shows the code %q untranslated (want 客户方/我方/服务中/已流失) in %q", m[1], strings.Join(strings.Fields(row), " "))
		}
	}
}

// rawCodeRE matches an enum code shown as a value in the history.
var rawCodeRE = regexp.MustCompile(`[：:→]\s*(customer|staff|active|lost)\b`)

// TestConcurrentContactEdit opens one contact's form in two browsers; the
// second save must be refused, and the first change kept.
func TestConcurrentContactEdit(t *testing.T) {
	e := browserEnv(t)
	a := e.newSession(t, "lin.wen")
	b := e.newSession(t, "manager")
	a.login("lin.wen", demoPassword)
	b.login("manager", demoPassword)

	// One of lin.wen's customers, from her home page.
	resp := a.submit("click 我分管的客户 on the home page", chromedp.Click(chromedp.CSS(`[data-testid=my-customers]`)))
	if resp.Status != 200 {
		a.fatalf("my customers: HTTP %d", resp.Status)
	}
	mine := eval[[]customerRow](a, customerRowsJS)
	if len(mine) < 2 {
		a.fatalf("我分管的客户 lists %d customers, want the 20 of 国贸", len(mine))
	}
	for _, r := range mine {
		if r.Owner != "林雯" {
			t.Errorf("我分管的客户 lists %s owned by %q", r.Name, r.Owner)
		}
	}
	cust := mine[len(mine)-1]

	a.mustOpen(cust.Href)
	ct := a.firstEditableContact()
	a.openContactEditor(ct)
	b.mustOpen(cust.Href)
	b.openContactEditor(b.contactByEdit(ct.Edit))

	first, second := newMobile(), newMobile()
	a.fillContact(first, "")
	if r := a.saveContact(); r.Status != 200 {
		a.fatalf("first save: HTTP %d; form error %q", r.Status, a.text(`[data-testid=form-error]`))
	}
	if flash := a.text(`.alert[role=status]`); !strings.Contains(flash, "已保存") {
		t.Errorf("first save: flash %q, want 已保存", flash)
	}

	b.fillContact(second, "")
	r := b.saveContact()
	if r.Status != 409 {
		t.Errorf("second save on a stale form: HTTP %d, want 409", r.Status)
	}
	if msg := b.text(`[data-testid=form-error]`); !strings.Contains(msg, "已被他人修改") {
		t.Errorf("second save: form-error %q, want it to contain 已被他人修改", msg)
	} else {
		t.Logf("conflict message: %q", msg)
	}

	// The first change is kept, the second is not applied.
	for _, s := range []*session{a, b} {
		s.mustOpen(cust.Href)
		got := s.contactByEdit(ct.Edit)
		if !strings.Contains(got.Phone, first) || strings.Contains(got.Phone, second) {
			t.Errorf("%s sees phone %q after the conflict, want %s (the first save)", s.name, got.Phone, first)
		}
	}
}

// roleCase is one demo person for the walk-through.
type roleCase struct {
	login, name, role string
	nav               []string // left navigation, in order
	pills             []string // the 设置 sub-navigation; nil without 设置
	forbidden         []string // pages the person must get a 403 for
}

// checkForbiddenPage checks the error page for a 403: in Chinese, with the
// reason and a way back, and without the page's content.
func (s *session) checkForbiddenPage(path string) {
	s.t.Helper()
	if lang := eval[string](s, `document.documentElement.lang`); lang != "zh-CN" {
		s.t.Errorf("%s: error page lang = %q, want zh-CN", path, lang)
	}
	if title := s.text(".page-title"); title != "出错了" {
		s.t.Errorf("%s: error page title = %q, want 出错了", path, title)
	}
	if st := s.text(".empty-title"); st != "403" {
		s.t.Errorf("%s: error page status = %q, want 403", path, st)
	}
	if msg := s.text(".empty-subtitle"); msg != "没有权限执行此操作" {
		s.t.Errorf("%s: error page message = %q, want 没有权限执行此操作", path, msg)
	}
	if home := s.text(".empty-action a"); home != "返回工作台" {
		s.t.Errorf("%s: error page link = %q, want 返回工作台", path, home)
	}
	if n := eval[int](s, `document.querySelectorAll('.page-body table, .page-body form').length`); n != 0 {
		s.t.Errorf("%s: the 403 page shows %d tables or forms of the page", path, n)
	}
}

// TestRoleWalkthrough logs in as each kind of person and opens every page
// the navigation offers them.
func TestRoleWalkthrough(t *testing.T) {
	e := browserEnv(t)
	base := []string{"工作台", "客户", "档案维护"}
	desk := slices.Concat(base, []string{"待响应", "沟通记录", "工单", "回访", "满意度调查"}) // comm.read
	sales := []string{"合同", "续约台", "应收账款", "新需求/报价", "业务指标"}                  // contract.read
	field := []string{"立项", "派工单", "派工看板"}                                    // work.read (现场工作)
	// 工作跟进: the maintenance side reads the follow-ups, problems and
	// statistics; 当日汇总 and 月度汇总 are the specialists' (and the
	// managers' and the general manager's).
	mine := []string{"我的工作"} // work.field (现场工作)
	fieldRead := slices.Concat(field, []string{"工作跟进", "问题", "问题统计"})
	field = slices.Concat(field, []string{"工作跟进", "当日汇总", "问题", "月度汇总", "问题统计"})
	// 绩效考核: everyone's own card; the team's for managers and executives.
	myCard := []string{"我的考核"}
	team := []string{"我的考核", "团队考核"}
	manager := slices.Concat(desk, sales, mine, field, team, []string{"孤儿客户", "导入", "设置"})
	admin := slices.Concat(desk, sales, mine, field, team, []string{"孤儿客户", "财务", "导入", "设置"})
	reader := slices.Concat(desk, sales, field, myCard, []string{"设置"})
	noImport := slices.Concat(base, mine, fieldRead, myCard, []string{"设置"})
	settings := []string{"员工", "组织与区域", "工作日历"}
	cases := []roleCase{
		{login: "manager", name: "沈雅琴", role: "客服经理", nav: manager, pills: slices.Concat(settings, []string{"审计日志", "合同规则", "工单与回访规则", "响应时限", "现场工作规则", "考核方案"}),
			forbidden: []string{"/admin/tokens", "/finance"}},
		{login: "lin.wen", name: "林雯", role: "客服专员", nav: reader, pills: settings,
			forbidden: []string{"/import", "/admin/audit", "/admin/tokens", "/finance", "/orphans", "/contracts/import", "/admin/contract-policy",
				"/communications/import", "/admin/response-policy", "/admin/fieldwork"}},
		{login: "du.gang", name: "杜刚", role: "维修主管", nav: noImport, pills: settings,
			forbidden: []string{"/import", "/customers/new", "/admin/audit", "/contracts", "/rates", "/receivables"}},
		// A technician opening the audit log directly gets the error page.
		{login: "ma.tao", name: "马涛", role: "维修人员", nav: slices.Concat(base, mine, fieldRead, myCard),
			forbidden: []string{"/admin/audit", "/admin/staff", "/import", "/customers/new", "/contracts", "/needs"}},
		{login: "xu.jing", name: "许静", role: "财务", nav: slices.Concat(base, sales, myCard, []string{"财务", "设置"}), pills: settings,
			forbidden: []string{"/import", "/admin/audit", "/orphans", "/contracts/new", "/contracts/import", "/work-orders", "/dispatch-board"}},
		{login: "gm", name: "韩志远", role: "总经理", nav: slices.Concat(desk, sales, field, team, []string{"设置"}), pills: slices.Concat(settings, []string{"考核方案"}),
			forbidden: []string{"/import", "/admin/tokens", "/finance", "/contracts/new", "/admin/response-policy"}},
		{login: "admin", name: "郑浩", role: "系统管理员", nav: admin, pills: slices.Concat(settings, []string{"API 令牌", "审计日志", "合同规则", "工单与回访规则", "响应时限", "现场工作规则", "考核方案"})},
	}
	// The people work at the same time, each in a browser context of
	// their own: it halves the time on a busy machine.
	for _, tc := range cases {
		t.Run(tc.login, func(t *testing.T) {
			t.Parallel()
			s := e.newSession(t, tc.login)
			s.login(tc.login, demoPassword)
			if who := s.text(`[data-testid=whoami]`); !strings.Contains(who, tc.name) || !strings.Contains(who, tc.role) {
				t.Errorf("whoami = %q, want %s · %s", who, tc.name, tc.role)
			}
			if title := s.text(`.page-title`); title != "工作台" {
				t.Errorf("home page title = %q, want 工作台", title)
			}
			if nav := s.texts(`#sidebar-menu .nav-link-title`); !slices.Equal(nav, tc.nav) {
				t.Errorf("left navigation = %q, want %q", nav, tc.nav)
			}
			if active := s.text(`#sidebar-menu .nav-item.active`); active != "工作台" {
				t.Errorf("active navigation item on the home page = %q, want 工作台", active)
			}
			s.checkPageText("/")

			// Every page of the navigation and of the sub-navigation.
			queue := eval[[]string](s, `[...document.querySelectorAll('#sidebar-menu a.nav-link')].map(a => a.getAttribute('href'))`)
			seen := map[string]bool{}
			for len(queue) > 0 {
				path := queue[0]
				queue = queue[1:]
				if seen[path] {
					continue
				}
				seen[path] = true
				if st := s.open(path); st != 200 {
					t.Errorf("%s: HTTP %d, want 200; page says %.200q", path, st, s.text(".page-body"))
					continue
				}
				s.checkPageText(path)
				queue = append(queue, eval[[]string](s,
					`[...document.querySelectorAll('.page-body .nav-pills a.nav-link')].map(a => a.getAttribute('href'))`)...)
				if path == "/admin/staff" {
					if pills := s.texts(`.page-body .nav-pills a.nav-link`); !slices.Equal(pills, tc.pills) {
						t.Errorf("设置 sub-navigation = %q, want %q", pills, tc.pills)
					}
				}
				// One record page behind each contracts list too.
				if sel, ok := map[string]string{"/contracts": `.page-body table a[href^="/contracts/"]:not([href$="/new"]):not([href*="/import"])`,
					"/needs": `.page-body table a[href^="/needs/"]:not([href^="/needs/new"])`, "/rates": `.page-body a.rate-evidence`,
					"/renewals": `.page-body table a[href^="/contracts/"]`}[path]; ok {
					if href := eval[string](s, fmt.Sprintf(`(document.querySelector(%q) || {}).getAttribute?.('href') || ""`, sel)); href != "" {
						queue = append(queue, href)
					} else {
						t.Errorf("%s shows no record link (%s)", path, sel)
					}
				}
				if path == "/customers" {
					// One customer page too: names, not ids, in every tab.
					rows := eval[[]customerRow](s, customerRowsJS)
					if len(rows) == 0 {
						t.Errorf("/customers shows no customers")
						continue
					}
					queue = append(queue, rows[0].Href)
				}
			}
			t.Logf("opened %d pages", len(seen))

			for _, path := range tc.forbidden {
				if st := s.open(path); st != 403 {
					t.Errorf("%s opens %s: HTTP %d, want 403", tc.login, path, st)
					continue
				}
				s.checkForbiddenPage(path)
			}
		})
	}

}

// TestLoginFailureAndLanguage checks the wrong-password message, the
// session cookie, and the language switch.
func TestLoginFailureAndLanguage(t *testing.T) {
	e := browserEnv(t)
	s := e.newSession(t, "song.kai")
	s.mustOpen("/login")
	if lang := eval[string](s, `document.documentElement.lang`); lang != "zh-CN" {
		t.Errorf("login page lang = %q, want zh-CN for a Chinese browser", lang)
	}
	if h := s.text(".card-body h2"); h != "登录" {
		t.Errorf("login page heading = %q, want 登录", h)
	}
	for _, tc := range []struct{ login, password string }{
		{"song.kai", "wrong-password-1"}, // a real login, wrong password
		{"no.such.person", demoPassword}, // no such login: the same message
	} {
		s.mustOpen("/login")
		s.within("fill in the login form",
			chromedp.SendKeys(chromedp.ID("login"), tc.login),
			chromedp.SendKeys(chromedp.ID("password"), tc.password))
		resp := s.submit("log in with a wrong password", chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)))
		if resp.Status != 401 {
			t.Errorf("login %s with a wrong password: HTTP %d, want 401", tc.login, resp.Status)
		}
		if msg := s.text(`[data-testid=form-error]`); msg != "登录名或密码错误" {
			t.Errorf("login %s: form-error %q, want 登录名或密码错误", tc.login, msg)
		}
		if v := eval[string](s, `document.getElementById('login').value`); v != tc.login {
			t.Errorf("after the failure the login field holds %q, want %q kept", v, tc.login)
		}
		if n := eval[int](s, `document.querySelectorAll('[data-testid=whoami]').length`); n != 0 {
			t.Errorf("a failed login shows the logged-in layout")
		}
	}

	// The right password works (and resets the failure count).
	s.login("song.kai", demoPassword)
	if who := s.text(`[data-testid=whoami]`); !strings.Contains(who, "宋凯") {
		t.Errorf("whoami = %q, want 宋凯", who)
	}
	// The session cookie stays Secure (CookieSecure=true): Chromium keeps it
	// on http://127.0.0.1, which it counts as a secure context.
	cookies, err := chromedp.Call(s.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{e.base + "/"}})
	if err != nil {
		s.fatalf("get cookies: %v", err)
	}
	var session *network.Cookie
	for _, c := range cookies.Cookies {
		if c.Name == "kefu_session" {
			session = c
		}
	}
	switch {
	case session == nil:
		t.Errorf("no kefu_session cookie after login")
	case !session.Secure || !session.HTTPOnly || session.SameSite != network.CookieSameSiteLax:
		t.Errorf("kefu_session cookie: Secure=%v HttpOnly=%v SameSite=%q, want Secure, HttpOnly, Lax",
			session.Secure, session.HTTPOnly, session.SameSite)
	}

	// English and back.
	if nav := s.texts(`#sidebar-menu .nav-link-title`); !slices.Contains(nav, "客户") {
		t.Errorf("navigation %q, want 客户", nav)
	}
	resp := s.submit("click English", chromedp.Click(chromedp.CSS(`header form[action="/lang"] button[value=en]`)))
	if resp.Status != 200 {
		t.Errorf("switch to English: HTTP %d", resp.Status)
	}
	if nav := s.texts(`#sidebar-menu .nav-link-title`); !slices.Contains(nav, "Customers") || slices.Contains(nav, "客户") {
		t.Errorf("navigation after English = %q, want Customers", nav)
	}
	if lang := eval[string](s, `document.documentElement.lang`); lang != "en" {
		t.Errorf("lang after English = %q, want en", lang)
	}
	if title := s.text(".page-title"); title != "Workbench" {
		t.Errorf("home title after English = %q, want Workbench", title)
	}
	resp = s.submit("click 中文", chromedp.Click(chromedp.CSS(`header form[action="/lang"] button[value=zh-CN]`)))
	if resp.Status != 200 {
		t.Errorf("switch back to Chinese: HTTP %d", resp.Status)
	}
	if nav := s.texts(`#sidebar-menu .nav-link-title`); !slices.Contains(nav, "客户") || slices.Contains(nav, "Customers") {
		t.Errorf("navigation after 中文 = %q, want 客户", nav)
	}
	if u, _ := url.Parse(resp.URL); u == nil || u.Path != "/" {
		t.Errorf("the language switch went to %s, want back to /", resp.URL)
	}
}

// TestScreenshots takes full-page screenshots of the main pages for a
// person to look at (KEFU_E2E_SHOTS=<dir> keeps them).
func TestScreenshots(t *testing.T) {
	e := browserEnv(t)
	s := e.newSession(t, "lin.wen")
	s.mustOpen("/login")
	s.within("login page", chromedp.WaitVisible(chromedp.ID("login")))
	shoot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(s.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			s.fatalf("screenshot %s: %v", name, err)
		}
		saveShot(t, name, png)
	}
	shoot("login.png")
	s.login("lin.wen", demoPassword)
	shoot("home.png")

	s.mustOpen("/customers")
	s.within("customer table", chromedp.WaitVisible(chromedp.CSS(`[data-testid=customer-table]`)))
	shoot("customers.png")

	rows := eval[[]customerRow](s, customerRowsJS)
	var mine customerRow
	for _, r := range rows {
		if r.Owner == "林雯" {
			mine = r
			break
		}
	}
	if mine.Href == "" {
		s.fatalf("no customer of 林雯 in the list")
	}
	s.mustOpen(mine.Href)
	s.within("customer page", chromedp.WaitVisible(chromedp.CSS(`[data-testid=customer-name]`)))
	shoot("customer.png")

	s.openContactEditor(s.firstEditableContact())
	shoot("customer-contact-edit.png")
}
