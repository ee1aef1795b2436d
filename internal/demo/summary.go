package demo

import (
	"fmt"
	"strings"
)

// String prints the summary with a table of the demo logins. The table is
// Markdown whose columns are padded to the same display width (a Chinese
// character is two columns), so it reads well on a console and can be
// pasted into the README as is.
func (s *Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s（演示数据）\n", s.Company)
	fmt.Fprintf(&b, "所有账号的演示密码：%s\n\n", s.Password)
	fmt.Fprintf(&b, "部门 %d · 员工 %d（在职 %d）· 维修组 %d · 区域 %d\n",
		s.Departments, s.Staff, s.ActiveStaff, s.MaintGroups, s.Regions)
	fmt.Fprintf(&b, "客户 %d（流失 %d，孤儿客户 %d）· 联系人 %d（在任 %d）· 设备 %d\n",
		s.Customers, s.LostCustomers, s.OrphanCustomers, s.Contacts, s.ActiveContacts, s.Equipment)
	fmt.Fprintf(&b, "微信服务群 %d（成员 %d，待清退 %d）· 档案未当日更新 %d 条\n",
		s.WeChatGroups, s.Members, s.MembersToRemove, s.LateChanges)
	if s.Contracts > 0 {
		fmt.Fprintf(&b, "合同 %d · 回款 %d 笔 · 续约联系 %d · 老客户新需求 %d\n", s.Contracts, s.Payments, s.RenewalContacts, s.Needs)
	}
	if s.Communications > 0 {
		fmt.Fprintf(&b, "沟通记录 %d 条 · 工单 %d\n", s.Communications, s.Tickets)
	}
	if s.Projects > 0 {
		fmt.Fprintf(&b, "立项 %d · 派工单 %d\n", s.Projects, s.WorkOrders)
	}
	if s.Scorecards > 0 {
		fmt.Fprintf(&b, "上月考核表 %d 张 · 检查考核 %d 项\n", s.Scorecards, s.Checks)
	}
	b.WriteString("\n")

	rows := [][]string{{"登录名", "姓名", "角色", "职务", "部门 / 维修组", "说明"}}
	for _, l := range s.Logins {
		note := l.Note
		if !l.Active && note == "" {
			note = "已离职"
		}
		rows = append(rows, []string{l.Login, l.Name, l.RoleText, l.Title, l.Unit, note})
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	line := func(cells []string) {
		b.WriteString("|")
		for i, c := range cells {
			b.WriteString(" " + c + strings.Repeat(" ", widths[i]-displayWidth(c)) + " |")
		}
		b.WriteString("\n")
	}
	line(rows[0])
	sep := make([]string, len(widths))
	for i, w := range widths {
		sep[i] = strings.Repeat("-", w)
	}
	line(sep)
	for _, r := range rows[1:] {
		line(r)
	}
	return b.String()
}

// displayWidth is the number of terminal columns s takes: East Asian wide
// and full-width characters take two.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		if wide(r) {
			w += 2
		} else {
			w++
		}
	}
	return w
}

func wide(r rune) bool {
	switch {
	case r < 0x1100:
		return false
	case r <= 0x115f, // Hangul Jamo
		r >= 0x2e80 && r <= 0x303e, // CJK radicals, punctuation
		r >= 0x3041 && r <= 0x33ff, // kana, CJK symbols
		r >= 0x3400 && r <= 0x4dbf, // CJK extension A
		r >= 0x4e00 && r <= 0x9fff, // CJK unified ideographs
		r >= 0xa000 && r <= 0xa4cf, // Yi
		r >= 0xac00 && r <= 0xd7a3, // Hangul syllables
		r >= 0xf900 && r <= 0xfaff, // CJK compatibility ideographs
		r >= 0xfe30 && r <= 0xfe4f, // CJK compatibility forms
		r >= 0xff00 && r <= 0xff60, // full-width forms
		r >= 0xffe0 && r <= 0xffe6,
		r >= 0x20000 && r <= 0x3fffd:
		return true
	}
	return false
}
