package app_test

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"kefu/internal/customers"
)

// archiveState is what the customer page forms change, to compare.
type archiveState struct {
	Equipment []customers.Equipment
	Groups    []customers.WeChatGroup
	Members   map[string][]customers.MemberView
	Files     []customers.File
}

func (w *platformWorld) archive(customerID string) archiveState {
	w.t.Helper()
	a, ctx := w.in.App, w.sys()
	var s archiveState
	var err error
	if s.Equipment, err = a.Customers.EquipmentOf(ctx, customerID); err != nil {
		w.t.Fatal(err)
	}
	if s.Groups, s.Members, err = a.Customers.Groups(ctx, customerID); err != nil {
		w.t.Fatal(err)
	}
	if s.Files, err = a.Customers.Files(ctx, customerID); err != nil {
		w.t.Fatal(err)
	}
	return s
}

// fingerprint is the state in a comparable form.
func (s archiveState) fingerprint() string {
	var b strings.Builder
	for _, e := range s.Equipment {
		b.WriteString(e.ID + "/" + itoa(e.Version) + "/" + e.Model + ";")
	}
	for _, g := range s.Groups {
		b.WriteString(g.ID + "/" + itoa(g.Version) + "/" + g.Name + ";")
		for _, m := range s.Members[g.ID] {
			b.WriteString(m.ID + "/" + deref(m.RemovedOn) + ";")
		}
	}
	for _, f := range s.Files {
		b.WriteString(f.ID + ";")
	}
	return b.String()
}

func memberID(t *testing.T, s archiveState, name string) string {
	t.Helper()
	for _, ms := range s.Members {
		for _, m := range ms {
			if m.DisplayName == name {
				return m.ID
			}
		}
	}
	t.Fatalf("no member %s", name)
	return ""
}

// TestCustomerArchiveForms works the customer page's forms as the owning
// specialist: equipment added and edited (a stale version refused), a
// WeChat group created and renamed, members added, listed to remove
// when no longer valid and removed, files uploaded (a path in the name,
// an oversized, empty or foreign file refused with a clear message).
// Each stored effect is checked and the page shows names, never ids. A
// specialist who does not own the customer may change none of it.
func TestCustomerArchiveForms(t *testing.T) {
	eachPlatform(t, func(t *testing.T, w *platformWorld) {
		a, ctx := w.in.App, w.sys()
		cid := w.customer.ID
		today := a.Now().In(a.Location()).Format(time.DateOnly)
		spec2 := w.staff["spec2"]
		back := func(tab string) string { return "/customers/" + cid + "?tab=" + tab }

		// Equipment: add, refuse bad input, edit, refuse a stale version.
		eq := url.Values{"kind": {"冷水机组"}, "brand": {"开利"}, "model": {"30XA"}, "serial": {"SN-001"}, "location": {"B2 机房"},
			"params": {"制冷量 1000kW"}, "known_on": {today}}
		if status, to, body := w.post("spec", "/customers/"+cid+"/equipment", eq); status != http.StatusSeeOther || to != back("equipment") {
			t.Fatalf("add equipment: status %d to %q: %s", status, to, errorText(body))
		}
		st := w.archive(cid)
		if len(st.Equipment) != 1 || st.Equipment[0].Serial != "SN-001" || st.Equipment[0].Params != "制冷量 1000kW" || !st.Equipment[0].Active {
			t.Fatalf("stored equipment %+v", st.Equipment)
		}
		eid := st.Equipment[0].ID
		_, page := w.get("spec", back("equipment"))
		if !strings.Contains(page, `<tr><td>冷水机组</td><td>开利</td><td>30XA</td><td class="mono">SN-001</td><td>B2 机房</td>`) {
			t.Errorf("the equipment tab lacks the unit:\n%s", rowOf(page, "SN-001"))
		}
		for _, tc := range []struct {
			name, field, value, want string
		}{
			{"no kind", "kind", " ", "设备类型：不能为空"},
			{"bad install date", "installed_on", "2026-13-01", "安装日期：日期格式应为 YYYY-MM-DD"},
			{"overlong model", "model", strings.Repeat("型", 101), "型号：不能超过 100 个字"},
		} {
			bad := url.Values{}
			for k, v := range eq {
				bad[k] = v
			}
			bad.Set(tc.field, tc.value)
			status, _, body := w.post("spec", "/customers/"+cid+"/equipment", bad)
			if status != http.StatusBadRequest || !strings.Contains(errorText(body), tc.want) {
				t.Errorf("%s: status %d %q, want 400 with %q", tc.name, status, errorText(body), tc.want)
			}
		}
		// The page offers the unit's edit form with its stored values.
		for _, want := range []string{`action="/equipment/` + eid + `"`, `name="version" value="1"`, `name="model" value="30XA"`,
			`name="active_present" value="1"`, `name="active" checked`} {
			if !strings.Contains(rowOf(page, `action="/equipment/`+eid+`"`), want) {
				t.Errorf("the equipment edit form lacks %s", want)
			}
		}
		// Unchecking 有效 retires the unit.
		edit := url.Values{"version": {"1"}, "customer_id": {cid}, "kind": {"冷水机组"}, "brand": {"开利"}, "model": {"30XB"}, "serial": {"SN-001"},
			"location": {"B2 机房"}, "params": {"制冷量 1000kW"}, "installed_on": {"2020-06-01"}, "notes": {"年检合格"},
			"active_present": {"1"}, "known_on": {today}}
		if status, to, body := w.post("spec", "/equipment/"+eid, edit); status != http.StatusSeeOther || to != back("equipment") {
			t.Fatalf("edit equipment: status %d to %q: %s", status, to, errorText(body))
		}
		edit.Set("model", "30XC")
		status, _, body := w.post("spec", "/equipment/"+eid, edit)
		if status != http.StatusConflict || !strings.Contains(errorText(body), "记录已被他人修改") {
			t.Errorf("stale equipment edit: status %d %q, want 409", status, errorText(body))
		}
		st = w.archive(cid)
		if e := st.Equipment[0]; e.Model != "30XB" || e.Active || e.Version != 2 || deref(e.InstalledOn) != "2020-06-01" || e.Notes != "年检合格" {
			t.Errorf("after the edits: model %s active %v version %d, want 30XB retired at version 2", e.Model, e.Active, e.Version)
		}
		_, page = w.get("spec", back("history"))
		if !strings.Contains(page, "修改设备 冷水机组 30XB") || !strings.Contains(page, "型号</span>：30XA → 30XB") {
			t.Error("the history lacks the equipment change with before and after")
		}

		// WeChat group: create, refuse a nameless one, rename.
		if status, to, body := w.post("spec", "/customers/"+cid+"/groups", url.Values{"name": {"甲大厦服务群"}, "created_on": {"2026-01-05"}}); status != http.StatusSeeOther || to != back("wechat") {
			t.Fatalf("create group: status %d to %q: %s", status, to, errorText(body))
		}
		if status, _, body := w.post("spec", "/customers/"+cid+"/groups", url.Values{"name": {" "}}); status != http.StatusBadRequest ||
			!strings.Contains(errorText(body), "名称：不能为空") {
			t.Errorf("nameless group: status %d %q", status, errorText(body))
		}
		st = w.archive(cid)
		if len(st.Groups) != 1 || st.Groups[0].Name != "甲大厦服务群" || deref(st.Groups[0].CreatedOn) != "2026-01-05" {
			t.Fatalf("stored groups %+v", st.Groups)
		}
		gid := st.Groups[0].ID
		if _, page := w.get("spec", back("wechat")); !strings.Contains(page, `name="group_id" value="`+gid+`"`) || !strings.Contains(page, `value="甲大厦服务群"`) {
			t.Error("the WeChat tab offers no edit form for the group")
		}
		if status, _, body := w.post("spec", "/customers/"+cid+"/groups", url.Values{"group_id": {gid}, "version": {"1"}, "name": {"甲大厦客服群"},
			"created_on": {"2026-01-05"}, "active": {"1"}}); status != http.StatusSeeOther {
			t.Fatalf("rename group: status %d: %s", status, errorText(body))
		}
		// Unticking 在用 stops the group; ticking it again serves it again.
		for i, active := range []bool{false, true} {
			form := url.Values{"group_id": {gid}, "version": {strconv.Itoa(2 + i)}, "name": {"甲大厦客服群"}, "created_on": {"2026-01-05"}}
			if active {
				form.Set("active", "1")
			}
			if status, _, body := w.post("spec", "/customers/"+cid+"/groups", form); status != http.StatusSeeOther {
				t.Fatalf("group active=%v: status %d: %s", active, status, errorText(body))
			}
			st = w.archive(cid)
			_, page := w.get("spec", back("wechat"))
			if st.Groups[0].Active != active || st.Groups[0].Name != "甲大厦客服群" || strings.Contains(page, "已停用") == active {
				t.Errorf("after saving active=%v: stored %+v, page shows 已停用: %v", active, st.Groups[0], strings.Contains(page, "已停用"))
			}
		}

		// Members: a contact, a stranger, one of ours; bad ones refused.
		other, err := a.Customers.CreateCustomer(ctx, customers.CustomerInput{Name: "乙大厦", Class: "B", RegionID: w.region.ID, OwnerID: w.staff["spec"].ID})
		if err != nil {
			t.Fatal(err)
		}
		foreign, err := a.Customers.AddContact(ctx, other.ID, customers.ContactInput{Name: "乙经理"})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []url.Values{
			{"display_name": {"王总-物业"}, "side": {"customer"}, "contact_id": {w.contact.ID}},
			{"display_name": {"路人甲"}, "side": {"customer"}},
			{"display_name": {"小赵"}, "side": {"staff"}, "staff_id": {spec2.ID}},
		} {
			m.Set("customer_id", cid)
			if status, to, body := w.post("spec", "/groups/"+gid+"/members", m); status != http.StatusSeeOther || to != back("wechat") {
				t.Fatalf("add member %s: status %d to %q: %s", m.Get("display_name"), status, to, errorText(body))
			}
		}
		for _, tc := range []struct {
			name string
			form url.Values
			want string
		}{
			{"staff side without staff", url.Values{"display_name": {"X"}, "side": {"staff"}}, "员工：我方成员须关联员工"},
			{"another customer's contact", url.Values{"display_name": {"X"}, "side": {"customer"}, "contact_id": {foreign.ID}}, "联系人：联系人不属于该客户"},
			{"no display name", url.Values{"display_name": {" "}, "side": {"customer"}}, "群昵称：不能为空"},
		} {
			tc.form.Set("customer_id", cid)
			status, _, body := w.post("spec", "/groups/"+gid+"/members", tc.form)
			if status != http.StatusBadRequest || !strings.Contains(errorText(body), tc.want) {
				t.Errorf("%s: status %d %q, want 400 with %q", tc.name, status, errorText(body), tc.want)
			}
		}
		st = w.archive(cid)
		if len(st.Members[gid]) != 3 || st.Groups[0].Name != "甲大厦客服群" || st.Groups[0].Version != 4 {
			t.Fatalf("stored: group %+v, %d members, want the renamed group with 3", st.Groups[0], len(st.Members[gid]))
		}
		_, page = w.get("spec", back("wechat"))
		for _, re := range []string{
			`<h4>甲大厦客服群 <span class="text-secondary small">建群 2026-01-05</span></h4>`,
			`<td>王总-物业</td><td>客户方</td><td>王总</td><td>` + today + `</td>\s*<td><span class="badge bg-green-lt">有效</span>`,
			`<td>小赵</td><td>我方</td><td>赵客服</td><td>` + today + `</td>\s*<td><span class="badge bg-green-lt">有效</span>`,
			`<td>路人甲</td><td>客户方</td><td></td><td>` + today + `</td>\s*<td><span class="badge bg-red-lt">非客户联系人</span>`,
		} {
			if !regexp.MustCompile(re).MatchString(page) {
				t.Errorf("the WeChat tab lacks %s", re)
			}
		}

		// A specialist who does not own the customer changes nothing and
		// is offered no form.
		before := st.fingerprint()
		wang := memberID(t, st, "王总-物业")
		for _, tc := range []struct {
			path string
			form url.Values
		}{
			{"/customers/" + cid + "/equipment", eq},
			{"/equipment/" + eid, url.Values{"version": {"2"}, "customer_id": {cid}, "kind": {"风机盘管"}}},
			{"/customers/" + cid + "/groups", url.Values{"name": {"另一个群"}}},
			{"/customers/" + cid + "/groups", url.Values{"group_id": {gid}, "version": {"4"}, "name": {"改名"}}},
			{"/groups/" + gid + "/members", url.Values{"customer_id": {cid}, "display_name": {"X"}, "side": {"customer"}}},
			{"/members/" + wang + "/remove", url.Values{"customer_id": {cid}}},
			{"/members/" + wang + "/remove", url.Values{}},
		} {
			if status, _, body := w.post("spec2", tc.path, tc.form); status != http.StatusForbidden {
				t.Errorf("non-owner posts %s: status %d, want 403: %s", tc.path, status, errorText(body))
			}
		}
		if status, _, _ := w.upload("spec2", "/customers/"+cid+"/files", nil, "x.txt", []byte("hello")); status != http.StatusForbidden {
			t.Errorf("non-owner uploads a file: status %d, want 403", status)
		}
		if after := w.archive(cid).fingerprint(); after != before {
			t.Errorf("the non-owner's posts changed the archive:\n%s\n%s", before, after)
		}
		status, page = w.get("spec2", "/customers/"+cid)
		if status != http.StatusOK || !strings.Contains(page, "王总-物业") {
			t.Fatalf("non-owner reads the customer: status %d", status)
		}
		for _, form := range []string{`action="/customers/` + cid + `/equipment"`, `action="/equipment/`, `action="/groups/`, `/remove"`, `action="/customers/` + cid + `/files"`,
			`action="/customers/` + cid + `/groups"`} {
			if strings.Contains(page, form) {
				t.Errorf("the non-owner's page offers %s", form)
			}
		}

		// Members to remove (无效人员清退): the stranger at once; the contact
		// once they leave their post; our colleague once they leave us.
		toRemove := func(login string) string {
			t.Helper()
			status, page := w.get(login, "/archive/members")
			if status != http.StatusOK {
				t.Fatalf("members to remove as %s: status %d", login, status)
			}
			return page
		}
		if page := toRemove("mgr"); !strings.Contains(page, "路人甲") || !strings.Contains(page, "非客户联系人") || strings.Contains(page, "王总-物业") ||
			strings.Contains(page, "小赵") {
			t.Error("members to remove: want the stranger only")
		}
		ct, _ := a.Customers.Contact(ctx, w.contact.ID)
		no := false
		if _, err := a.Customers.UpdateContact(ctx, ct.ID, ct.Version, customers.ContactInput{Name: ct.Name, Phone: ct.Phone, Active: &no}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Org.SetActive(ctx, spec2.ID, spec2.Version, false, today); err != nil {
			t.Fatal(err)
		}
		page = toRemove("spec")
		for _, re := range []string{
			`<a href="/customers/` + cid + `\?tab=wechat">甲大厦</a></td><td>甲大厦客服群</td><td>王总-物业</td><td>客户方</td><td><span[^>]*>联系人已离任</span>`,
			`<td>小赵</td><td>我方</td><td><span[^>]*>员工已离职</span>`,
			`<td>路人甲</td><td>客户方</td><td><span[^>]*>非客户联系人</span>`,
		} {
			if !regexp.MustCompile(re).MatchString(page) {
				t.Errorf("members to remove lacks %s", re)
			}
		}
		// Remove from the list page (back to it) and from the customer page.
		stranger := memberID(t, st, "路人甲")
		if status, to, body := w.post("spec", "/members/"+stranger+"/remove", url.Values{}); status != http.StatusSeeOther || to != "/archive/members" {
			t.Fatalf("remove from the list: status %d to %q: %s", status, to, errorText(body))
		}
		if status, to, body := w.post("spec", "/members/"+wang+"/remove", url.Values{"customer_id": {cid}}); status != http.StatusSeeOther || to != back("wechat") {
			t.Fatalf("remove from the customer page: status %d to %q: %s", status, to, errorText(body))
		}
		if page := toRemove("spec"); strings.Contains(page, "路人甲") || strings.Contains(page, "王总-物业") || !strings.Contains(page, "小赵") {
			t.Error("members to remove still lists the removed members, or lost the one left")
		}
		if status, _, body := w.post("spec", "/members/"+stranger+"/remove", url.Values{"customer_id": {cid}}); status != http.StatusConflict ||
			!strings.Contains(errorText(body), "该成员已移出") {
			t.Errorf("remove twice: status %d %q, want 409", status, errorText(body))
		}
		st = w.archive(cid)
		for _, m := range st.Members[gid] {
			if removed := deref(m.RemovedOn); (m.DisplayName == "小赵") != (removed == "") || (removed != "" && removed != today) {
				t.Errorf("member %s removed on %q", m.DisplayName, removed)
			}
		}
		_, page = w.get("spec", back("wechat"))
		if !regexp.MustCompile(`(?s)<tr class="text-secondary">\s*<td>路人甲</td>.*?已移出 ` + today).MatchString(page) {
			t.Errorf("the WeChat tab does not show the stranger removed:\n%s", rowOf(page, "路人甲"))
		}

		// Files: a document is stored and served back; bad ones refused.
		pdf := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
		if status, to, body := w.upload("spec", "/customers/"+cid+"/files", url.Values{"category": {"合同扫描件"}}, "维保合同.pdf", pdf); status != http.StatusSeeOther ||
			to != back("files") {
			t.Fatalf("upload: status %d to %q: %s", status, to, errorText(body))
		}
		files := w.archive(cid).Files
		if len(files) != 1 || files[0].Name != "维保合同.pdf" || files[0].Category != "合同扫描件" || files[0].ContentType != "application/pdf" ||
			files[0].Size != int64(len(pdf)) {
			t.Fatalf("stored files %+v", files)
		}
		_, page = w.get("spec", back("files"))
		if !strings.Contains(page, `<a href="/files/`+files[0].ID+`">维保合同.pdf</a></td><td>合同扫描件</td>`) {
			t.Errorf("the files tab lacks the file:\n%s", rowOf(page, "维保合同.pdf"))
		}
		req, _ := http.NewRequest(http.MethodGet, w.in.URL+"/files/"+files[0].ID, nil)
		if status, _, got := w.send("mgr", req); status != http.StatusOK || got != string(pdf) {
			t.Errorf("download: status %d, %d bytes, want the upload back", status, len(got))
		}
		for _, tc := range []struct {
			name, file string
			content    []byte
			want       string
		}{
			{"backslash path", `..\..\kefu.db`, []byte("text"), "文件：文件名不能包含路径"},
			{"over the limit", "大文件.txt", bytes.Repeat([]byte("客服档案\n"), (3<<20)/26), "文件：文件超过 1 MB"},
			{"empty", "空.txt", nil, "文件：文件为空"},
			{"program", "setup.pdf", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), "文件：不支持的文件类型"},
			{"no file", "", nil, "文件：请选择文件"},
		} {
			status, _, body := w.upload("spec", "/customers/"+cid+"/files", url.Values{"category": {"x"}}, tc.file, tc.content)
			if status != http.StatusBadRequest || !strings.Contains(errorText(body), tc.want) {
				t.Errorf("%s: status %d %q, want 400 with %q", tc.name, status, errorText(body), tc.want)
			}
		}
		// A slash path is cut to its last element before anything sees it:
		// the file is kept under that name, nowhere else.
		if status, _, body := w.upload("spec", "/customers/"+cid+"/files", nil, "../../etc/说明.txt", []byte("仅供参考")); status != http.StatusSeeOther {
			t.Fatalf("slash path: status %d: %s", status, errorText(body))
		}
		files = w.archive(cid).Files
		var names []string
		for _, f := range files {
			names = append(names, f.Name)
		}
		if strings.Join(names, ",") != "说明.txt,维保合同.pdf" {
			t.Errorf("stored files %v, want 说明.txt and 维保合同.pdf only", names)
		}

		// The page shows names, never ids, in what a person reads.
		_, page = w.get("mgr", "/customers/"+cid+"?tab=history")
		for what, id := range map[string]string{"contact": w.contact.ID, "staff": spec2.ID, "owner": w.staff["spec"].ID, "region": w.region.ID,
			"group": gid, "customer": cid} {
			if regexp.MustCompile(`>[^<>]*` + regexp.QuoteMeta(id)).MatchString(page) {
				t.Errorf("the customer page shows the %s id %s as text", what, id)
			}
		}
		if !strings.Contains(page, "联系人</span>：王总") || !strings.Contains(page, "员工</span>：赵客服") {
			t.Error("the history does not name the member's contact and staff")
		}
	})
}
