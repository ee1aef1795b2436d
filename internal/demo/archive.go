package demo

import (
	"context"
	"fmt"
	"time"

	"kefu/internal/customers"
)

// How many customers get each story.
const (
	nLost          = 2  // status lost (流失), no WeChat group
	nOrphans       = 8  // sales owner is the person who left (孤儿客户)
	nLeavers       = 10 // one contact left the customer (联系人离任)
	nLeaverDM      = 2  // … of which the decision maker, replaced by a new one
	nLeaverRemoved = 2  // … of which the leaver was already removed from the WeChat group
	nLateLeaves    = 4  // … of which the departure was recorded days after it became known
	nStray         = 3  // a WeChat member who is no contact at all
	migrationDays  = 45 // the old ledger was migrated this many days ago
)

// plan is one customer to build and what happens to it.
type plan struct {
	spec  customerSpec
	reg   *region
	code  string
	slot  int // position in the region's paper-archive cabinet
	class string
	lost  bool
	sales string // login of the sales owner

	leaver, leaverDM, leaverRemoved, lateLeave bool
	stray, latePhone, lateEquipment            bool

	// built
	cust      *customers.Customer
	contacts  []*contactRec
	group     *customers.WeChatGroup
	groupDate time.Time
}

type contactRec struct {
	c        *customers.Contact
	in       customers.ContactInput
	memberID string
}

// makePlans decides, with the seeded generator, each customer's class,
// sales owner and story.
func (l *loader) makePlans() {
	for _, r := range l.regions {
		for i, cs := range r.spec.customers {
			l.plans = append(l.plans, &plan{spec: cs, reg: r, slot: i + 1,
				code: fmt.Sprintf("%s-%03d", r.spec.code, i+1)})
		}
	}
	n := len(l.plans)
	// Classes: A 15 %, B 35 %, C 35 %, D 15 %.
	classes := make([]string, 0, n)
	for _, c := range []struct {
		class string
		pct   int
	}{{"A", 15}, {"B", 35}, {"C", 35}, {"D", 15}} {
		for range n * c.pct / 100 {
			classes = append(classes, c.class)
		}
	}
	for len(classes) < n {
		classes = append(classes, "C")
	}
	l.rng.Shuffle(len(classes), func(i, j int) { classes[i], classes[j] = classes[j], classes[i] })
	for i, p := range l.plans {
		p.class = classes[i]
	}
	for _, i := range l.rng.Perm(n)[:nLost] {
		l.plans[i].lost = true
	}
	var active []*plan
	for _, p := range l.plans {
		if !p.lost {
			active = append(active, p)
		}
	}
	left := ""
	for _, sp := range staffSpecs {
		if sp.left {
			left = sp.login
		}
	}
	for _, p := range l.plans {
		p.sales = "tang.ming"
		if l.rng.IntN(10) < 3 {
			p.sales = "xie.wei"
		}
	}
	for _, i := range l.rng.Perm(len(active))[:nOrphans] {
		active[i].sales = left
	}
	for k, i := range l.rng.Perm(len(active))[:nLeavers] {
		p := active[i]
		p.leaver = true
		p.leaverDM = k < nLeaverDM
		p.lateLeave = k >= nLeaverDM && k < nLeaverDM+nLateLeaves
		p.leaverRemoved = k >= nLeavers-nLeaverRemoved
	}
	perm := l.rng.Perm(len(active))
	for _, i := range perm[:nStray] {
		active[i].stray = true
	}
	active[perm[nStray]].latePhone = true
	active[perm[nStray+1]].lateEquipment = true
}

// tick returns the next back-dated recording time of the migration.
func (l *loader) tick() *time.Time {
	l.clock = l.clock.Add(10 * time.Second)
	t := l.clock
	return &t
}

// loadArchive migrates the customer archive: customers, contacts,
// equipment and WeChat groups, recorded by the system some weeks ago.
func (l *loader) loadArchive() error {
	l.makePlans()
	start := l.today.AddDate(0, 0, -migrationDays).Add(9 * time.Hour)
	strays := append([]string(nil), strayMembers...)
	l.rng.Shuffle(len(strays), func(i, j int) { strays[i], strays[j] = strays[j], strays[i] })
	for i, p := range l.plans {
		l.clock = start.Add(time.Duration(i) * 4 * time.Minute)
		if err := l.buildCustomer(p); err != nil {
			return fmt.Errorf("%s: %w", p.spec.name, err)
		}
		if p.lost {
			continue
		}
		if err := l.buildGroup(p); err != nil {
			return fmt.Errorf("%s wechat group: %w", p.spec.name, err)
		}
		if p.stray {
			name := strays[0]
			strays = strays[1:]
			joined := l.between(p.groupDate, l.clock).Format(time.DateOnly)
			if _, err := l.d.Customers.AddMember(l.sys, p.group.ID, customers.MemberInput{DisplayName: name,
				Side: "customer", JoinedOn: joined, Change: customers.Change{RecordedAt: l.tick()}}); err != nil {
				return fmt.Errorf("%s stray member: %w", p.spec.name, err)
			}
			l.sum.Members++
			l.sum.MembersToRemove++
		}
	}
	return nil
}

func (l *loader) buildCustomer(p *plan) error {
	r := p.reg
	in := customers.CustomerInput{
		Code: p.code, Name: p.spec.name, Class: p.class, RegionID: r.id, OwnerID: r.specialist.ID,
		SalesOwnerID:    l.staff[p.sales].ID,
		Address:         fmt.Sprintf("北京市%s%s%d号", r.spec.district, p.spec.street, 1+l.rng.IntN(98)),
		Notes:           classNotes[p.class],
		PaperLocation:   fmt.Sprintf("客服中心档案柜 %s-%02d", r.spec.cabinet, p.slot),
		PaperReceivedBy: r.specialist.Name,
		PaperReceivedOn: l.clock.AddDate(0, 0, -(30 + l.rng.IntN(700))).Format(time.DateOnly),
		Change:          customers.Change{RecordedAt: l.tick()},
	}
	if p.lost {
		in.Status = "lost"
		in.Notes = "维保合同到期未续约，已转其他单位维保。"
	}
	c, err := l.d.Customers.CreateCustomer(l.sys, in)
	if err != nil {
		return err
	}
	p.cust = c
	l.sum.Customers++
	if p.lost {
		l.sum.LostCustomers++
	}
	if p.sales != "" && staffLeft(p.sales) {
		l.sum.OrphanCustomers++
	}

	n := 2 + l.rng.IntN(3)
	if p.leaver && !p.leaverDM && n < 3 {
		n = 3 // two contacts stay after one leaves
	}
	titles := append([]string(nil), otherTitles...)
	l.rng.Shuffle(len(titles), func(i, j int) { titles[i], titles[j] = titles[j], titles[i] })
	for j := range n {
		ci := l.contactInput(p, j == 0, titles[j])
		ci.Change = customers.Change{RecordedAt: l.tick()}
		ct, err := l.d.Customers.AddContact(l.sys, c.ID, ci)
		if err != nil {
			return fmt.Errorf("contact %s: %w", ci.Name, err)
		}
		p.contacts = append(p.contacts, &contactRec{c: ct, in: ci})
		l.sum.Contacts++
		l.sum.ActiveContacts++
	}

	for _, ei := range l.equipment(p.spec.kind) {
		ei.Change = customers.Change{RecordedAt: l.tick()}
		if _, err := l.d.Customers.AddEquipment(l.sys, c.ID, ei); err != nil {
			return fmt.Errorf("equipment %s: %w", ei.Kind, err)
		}
		l.sum.Equipment++
	}
	return nil
}

func staffLeft(login string) bool {
	for _, sp := range staffSpecs {
		if sp.login == login {
			return sp.left
		}
	}
	return false
}

// contactInput invents one contact; the decision maker (负责人) gets the
// site's senior title.
func (l *loader) contactInput(p *plan, decision bool, title string) customers.ContactInput {
	name, wechat := l.person()
	in := customers.ContactInput{Name: name, Title: title, Phone: l.mobile(), DecisionMaker: decision}
	if decision {
		in.Title = l.pick(decisionTitles[p.spec.kind])
	}
	if l.rng.IntN(10) < 8 {
		in.WeChat = wechat
	}
	if l.rng.IntN(10) < 3 {
		in.Phone2 = l.landline()
	}
	return in
}

// equipment invents 1–4 units of the kinds a site of this kind has.
func (l *loader) equipment(kind string) []customers.EquipmentInput {
	kinds := siteEquipment[kind]
	n := min(1+l.rng.IntN(4), len(kinds))
	rest := append([]string(nil), kinds[1:]...)
	l.rng.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	chosen := append([]string{kinds[0]}, rest[:n-1]...)
	brand := mainBrands[l.rng.IntN(len(mainBrands))]
	var out []customers.EquipmentInput
	for _, k := range chosen {
		out = append(out, l.unit(k, brand))
	}
	return out
}

// unit invents one unit of kind k; mainBrand makes the site's chillers,
// heat pumps, fan coils and air handlers.
func (l *loader) unit(k, mainBrand string) customers.EquipmentInput {
	brand := mainBrand
	if list, ok := kindBrands[k]; ok {
		brand = l.pick(list)
	}
	year := 2008 + l.rng.IntN(15)
	installed := time.Date(year, time.Month(1+l.rng.IntN(12)), 1+l.rng.IntN(28), 0, 0, 0, 0, time.UTC)
	in := customers.EquipmentInput{
		Kind: k, Brand: brand, Model: l.pick(models[k][brand]),
		Serial:      fmt.Sprintf("%s%d-%s", serialPrefix[brand], year, l.digits(6)),
		Location:    l.pick(locations[k]),
		InstalledOn: installed.Format(time.DateOnly),
	}
	switch k {
	case eqChiller:
		capKW := []int{703, 1055, 1231, 1407, 1758, 2110}[l.rng.IntN(6)]
		in.Params = fmt.Sprintf("制冷量 %dkW; 输入功率 %dkW; 制冷剂 R134a; 共 %d 台", capKW, capKW*10/56, 1+l.rng.IntN(3))
	case eqHeatPump:
		capKW := []int{130, 260, 330, 650}[l.rng.IntN(4)]
		in.Params = fmt.Sprintf("制冷量 %dkW; 制热量 %dkW; 输入功率 %dkW; 共 %d 台", capKW, capKW*105/100, capKW*10/31, 1+l.rng.IntN(4))
	case eqTower:
		flow := []int{200, 300, 400, 600}[l.rng.IntN(4)]
		in.Params = fmt.Sprintf("循环水量 %dm³/h; 风机功率 %dkW; 共 %d 台", flow, flow/36, 1+l.rng.IntN(3))
	case eqFanCoil:
		in.Params = fmt.Sprintf("风量 %dm³/h; 共 %d 台", []int{680, 1020, 1360, 1700}[l.rng.IntN(4)], 40+l.rng.IntN(260))
	case eqPump:
		in.Params = fmt.Sprintf("流量 %dm³/h; 扬程 %dm; 功率 %dkW; 一用一备",
			[]int{120, 200, 280, 400}[l.rng.IntN(4)], []int{24, 28, 32, 36}[l.rng.IntN(4)], []int{15, 22, 30, 37, 45}[l.rng.IntN(5)])
	case eqBoiler:
		in.Params = fmt.Sprintf("额定热功率 %sMW; 燃料 天然气; 额定压力 1.0MPa; 共 %d 台",
			[]string{"0.7", "1.4", "2.8"}[l.rng.IntN(3)], 1+l.rng.IntN(3))
	case eqFreshAir:
		in.Params = fmt.Sprintf("风量 %dm³/h; 机外余压 %dPa; 共 %d 台",
			[]int{6000, 8000, 10000, 15000, 20000}[l.rng.IntN(5)], []int{250, 300, 350, 400}[l.rng.IntN(4)], 2+l.rng.IntN(10))
	}
	return in
}

// between returns a day from a up to b (both days included).
func (l *loader) between(a, b time.Time) time.Time {
	days := int(b.Sub(a).Hours() / 24)
	if days <= 0 {
		return a
	}
	return a.AddDate(0, 0, l.rng.IntN(days+1))
}

// buildGroup creates the customer's WeChat service group with its contacts,
// the owning specialist and the region's maintenance supervisor.
func (l *loader) buildGroup(p *plan) error {
	p.groupDate = l.clock.AddDate(0, 0, -(30 + l.rng.IntN(1500)))
	created := p.groupDate.Format(time.DateOnly)
	g, err := l.d.Customers.SaveGroup(l.sys, p.cust.ID, "", 0, customers.GroupInput{
		Name:       p.spec.short + "-" + companyShort + "服务群",
		ExternalID: fmt.Sprintf("%d@chatroom", 20000000000+l.rng.Int64N(30000000000)),
		CreatedOn:  created,
		Change:     customers.Change{RecordedAt: l.tick()},
	})
	if err != nil {
		return err
	}
	p.group = g
	l.sum.WeChatGroups++
	for _, s := range []struct{ st, label string }{{p.reg.specialist.ID, "客服-" + p.reg.specialist.Name},
		{p.reg.supervisor.ID, "维修-" + p.reg.supervisor.Name}} {
		if _, err := l.d.Customers.AddMember(l.sys, g.ID, customers.MemberInput{DisplayName: companyShort + s.label,
			Side: "staff", StaffID: s.st, JoinedOn: created, Change: customers.Change{RecordedAt: l.tick()}}); err != nil {
			return err
		}
		l.sum.Members++
	}
	for j, cr := range p.contacts {
		joined := created
		if j > 0 && l.rng.IntN(10) < 3 {
			joined = l.between(p.groupDate, l.clock).Format(time.DateOnly)
		}
		m, err := l.d.Customers.AddMember(l.sys, g.ID, customers.MemberInput{DisplayName: p.spec.short + "-" + cr.c.Name,
			Side: "customer", ContactID: cr.c.ID, JoinedOn: joined, Change: customers.Change{RecordedAt: l.tick()}})
		if err != nil {
			return err
		}
		cr.memberID = m.ID
		l.sum.Members++
	}
	return nil
}

// recentChanges records today, as the owning specialists, what changed
// lately: contacts who left (some recorded days after it became known,
// most still in their WeChat group), a new phone number and new equipment
// (both recorded late).
func (l *loader) recentChanges() error {
	for _, p := range l.plans {
		ctx := p.reg.ctx
		if p.leaver {
			if err := l.contactLeaves(ctx, p); err != nil {
				return fmt.Errorf("%s: %w", p.spec.name, err)
			}
		}
		if p.latePhone {
			if err := l.phoneChanges(ctx, p); err != nil {
				return fmt.Errorf("%s: %w", p.spec.name, err)
			}
		}
		if p.lateEquipment {
			ei := l.unit(eqPump, "")
			ei.Location, ei.InstalledOn = "地下二层冷冻机房", l.daysAgo(10)
			ei.Notes = "新增备用冷冻水泵，客户告知后补录"
			ei.Change = customers.Change{KnownOn: l.daysAgo(2 + l.rng.IntN(4))}
			if _, err := l.d.Customers.AddEquipment(ctx, p.cust.ID, ei); err != nil {
				return fmt.Errorf("%s late equipment: %w", p.spec.name, err)
			}
			l.sum.Equipment++
			l.sum.LateChanges++
		}
	}
	return nil
}

func (l *loader) contactLeaves(ctx context.Context, p *plan) error {
	cr := p.contacts[len(p.contacts)-1]
	if p.leaverDM {
		cr = p.contacts[0]
	}
	ch := customers.Change{}
	if p.lateLeave {
		ch.KnownOn = l.daysAgo(2 + l.rng.IntN(4))
		l.sum.LateChanges++
	}
	in := cr.in
	no := false
	in.Active, in.DecisionMaker, in.Notes, in.Change = &no, false, "已离职", ch
	c, err := l.d.Customers.UpdateContact(ctx, cr.c.ID, cr.c.Version, in)
	if err != nil {
		return fmt.Errorf("contact %s leaves: %w", cr.in.Name, err)
	}
	cr.c, cr.in = c, in
	l.sum.ActiveContacts--
	if p.leaverDM {
		ni := l.contactInput(p, true, "")
		ni.Notes = "接替" + cr.in.Name + "任负责人"
		ni.Change = ch
		nc, err := l.d.Customers.AddContact(ctx, p.cust.ID, ni)
		if err != nil {
			return fmt.Errorf("new decision maker: %w", err)
		}
		p.contacts = append(p.contacts, &contactRec{c: nc, in: ni})
		l.sum.Contacts++
		l.sum.ActiveContacts++
		if _, err := l.d.Customers.AddMember(ctx, p.group.ID, customers.MemberInput{DisplayName: p.spec.short + "-" + nc.Name,
			Side: "customer", ContactID: nc.ID, Change: ch}); err != nil {
			return fmt.Errorf("new decision maker joins group: %w", err)
		}
		l.sum.Members++
	}
	if p.leaverRemoved {
		if err := l.d.Customers.RemoveMember(ctx, cr.memberID, customers.Change{}); err != nil {
			return fmt.Errorf("remove %s from group: %w", cr.in.Name, err)
		}
		return nil
	}
	l.sum.MembersToRemove++ // still in the group: 待清退
	return nil
}

// phoneChanges records a contact's new mobile number, days late.
func (l *loader) phoneChanges(ctx context.Context, p *plan) error {
	for _, cr := range p.contacts {
		if !cr.c.Active {
			continue
		}
		in := cr.in
		in.Phone = l.mobile()
		in.Notes = "更换手机号"
		in.Change = customers.Change{KnownOn: l.daysAgo(2 + l.rng.IntN(4))}
		c, err := l.d.Customers.UpdateContact(ctx, cr.c.ID, cr.c.Version, in)
		if err != nil {
			return fmt.Errorf("contact %s new phone: %w", cr.in.Name, err)
		}
		cr.c, cr.in = c, in
		l.sum.LateChanges++
		return nil
	}
	return nil
}
