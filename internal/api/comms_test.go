package api_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestCommunicationsAPI: a machine feed posts a batch (idempotent on the
// external id), a specialist logs a record, records are listed, matched;
// roles, ownership and bad input.
func TestCommunicationsAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		cust := e.newCustomer(t, unique("沟通客户")) // owned by lin.wen
		phone := fmt.Sprintf("139%08d", rand.IntN(100_000_000))
		contact := e.must(t, 201, "manager", "POST", "/api/v1/customers/"+cust["id"].(string)+"/contacts",
			map[string]any{"name": "王经理", "phone": phone}).obj(t)
		at := e.today().Add(-2 * time.Hour)
		x1, x2, x3 := unique("pbx-"), unique("pbx-"), unique("pbx-")
		vars := map[string]string{"cust": cust["id"].(string), "contact": contact["id"].(string), "x1": x1, "x2": x2, "x3": x3,
			"phone": phone, "t1": at.Format(time.RFC3339), "t2": at.Add(5 * time.Minute).Format("2006-01-02 15:04:05"),
			"future": e.today().Add(time.Hour).Format(time.RFC3339)}
		batch := `[{"external_id":"{{x1}}","channel":"phone_missed","occurred_at":"{{t1}}","counterpart":"{{phone}}"},
			{"external_id":"{{x2}}","channel":"phone_out","occurred_at":"{{t2}}","counterpart":"{{phone}}","staff_login":"lin.wen","duration_s":80},
			{"external_id":"{{x3}}","channel":"phone_in","occurred_at":"{{t2}}","counterpart":"010-55550000"}]`
		var first map[string]any
		e.run(t, vars, []scenario{
			{name: "anonymous is refused", method: "POST", path: "/api/v1/communications", body: batch, status: 401, code: "unauthorized"},
			{name: "a specialist cannot feed records", as: "lin.wen", method: "POST", path: "/api/v1/communications", body: batch, status: 403, code: "forbidden"},
			{name: "the information centre feeds a batch", as: "jiang.xin", method: "POST", path: "/api/v1/communications", body: batch, status: 201,
				check: func(t *testing.T, r response) {
					first = r.obj(t)
					if num(first["created"]) != 3 || num(first["unmatched"]) != 1 {
						t.Errorf("ingest %v", first)
					}
				}},
			{name: "the same batch again changes nothing", as: "jiang.xin", method: "POST", path: "/api/v1/communications", body: batch, status: 200,
				check: func(t *testing.T, r response) {
					if o := r.obj(t); num(o["created"]) != 0 || num(o["unchanged"]) != 3 {
						t.Errorf("again %v", o)
					}
				}},
			{name: "a known id with other content is a conflict", as: "jiang.xin", method: "POST", path: "/api/v1/communications",
				body: `{"external_id":"{{x1}}","channel":"phone_missed","occurred_at":"{{t1}}","counterpart":"010-12345678"}`, status: 409, code: "conflict", field: "external_id"},
			{name: "one bad record refuses the batch, naming it", as: "jiang.xin", method: "POST", path: "/api/v1/communications",
				body:   `[{"external_id":"ok-{{x1}}","channel":"sms","direction":"in","occurred_at":"{{t1}}"},{"external_id":"bad-{{x1}}","channel":"fax","occurred_at":"{{t1}}"}]`,
				status: 400, code: "invalid", field: "records[1].channel",
				same: []string{"/api/v1/communications?limit=500"}},
			{name: "a time in the future is refused", as: "jiang.xin", method: "POST", path: "/api/v1/communications",
				body: `{"external_id":"f-{{x1}}","channel":"sms","direction":"in","occurred_at":"{{future}}"}`, status: 400, code: "invalid", field: "occurred_at"},
			{name: "a record without an external id is refused", as: "jiang.xin", method: "POST", path: "/api/v1/communications",
				body: `{"channel":"sms","direction":"in","occurred_at":"{{t1}}"}`, status: 400, code: "invalid", field: "external_id",
				same: []string{"/api/v1/communications?limit=500"}},
			{name: "a batch with a record without an external id is refused, naming it", as: "jiang.xin", method: "POST", path: "/api/v1/communications",
				body:   `[{"external_id":"n-{{x1}}","channel":"sms","direction":"in","occurred_at":"{{t1}}"},{"external_id":"","channel":"sms","direction":"in","occurred_at":"{{t1}}"}]`,
				status: 400, code: "invalid", field: "records[1].external_id", same: []string{"/api/v1/communications?limit=500"},
				check: func(t *testing.T, r response) {
					if m := r.apiErr(t).Message; !strings.Contains(m, "index 1") {
						t.Errorf("message %q does not name the record", m)
					}
				}},
			{name: "one id twice in a batch with different content is refused, naming it", as: "jiang.xin", method: "POST", path: "/api/v1/communications",
				body:   `[{"external_id":"d-{{x1}}","channel":"sms","direction":"in","occurred_at":"{{t1}}","summary":"一"},{"external_id":"d-{{x1}}","channel":"sms","direction":"in","occurred_at":"{{t1}}","summary":"二"}]`,
				status: 400, code: "invalid", field: "records[1].external_id", same: []string{"/api/v1/communications?limit=500"},
				check: func(t *testing.T, r response) {
					var b struct {
						Errors []map[string]any `json:"errors"`
					}
					r.decode(t, &b)
					if len(b.Errors) != 1 || b.Errors[0]["code"] != "conflict" || !strings.Contains(b.Errors[0]["message"].(string), "d-"+x1) {
						t.Errorf("errors %v", b.Errors)
					}
				}},
			{name: "a bad body is refused", as: "jiang.xin", method: "POST", path: "/api/v1/communications", body: `[{"channel":`, status: 400, code: "invalid", field: "body"},
			{name: "the matched call is the contact's", as: "manager", method: "GET", path: "/api/v1/communications?customer_id={{cust}}", status: 200,
				check: func(t *testing.T, r response) {
					items := r.items(t)
					if len(items) != 2 || items[0]["contact_id"] != vars["contact"] || items[0]["channel"] != "phone_out" || items[0]["staff_name"] == "" {
						t.Errorf("customer's records %v", items)
					}
				}},
			{name: "the specialist logs a visit", as: "lin.wen", method: "POST", path: "/api/v1/communications/log",
				body: map[string]any{"channel": "visit", "direction": "out", "occurred_at": "{{t1}}", "customer_id": "{{cust}}", "summary": "上门回访", "tags": []string{"callback"}}, status: 201},
			{name: "another specialist cannot log for this customer", as: "su.yue", method: "POST", path: "/api/v1/communications/log",
				body: map[string]any{"channel": "visit", "direction": "out", "occurred_at": "{{t1}}", "customer_id": "{{cust}}"}, status: 403},
			{name: "a technician cannot read records", as: "ma.tao", method: "GET", path: "/api/v1/communications", status: 403},
			{name: "a bad channel filter names it", as: "manager", method: "GET", path: "/api/v1/communications?channel=fax", status: 400, code: "invalid", field: "channel"},
		})
		unmatched := ""
		for _, r := range first["results"].([]any) {
			if m := r.(map[string]any); m["matched"] == false {
				unmatched = m["id"].(string)
			}
		}
		vars["u"] = unmatched
		e.run(t, vars, []scenario{
			{name: "the unmatched call is listed", as: "manager", method: "GET", path: "/api/v1/communications?unmatched=true&limit=500", status: 200,
				check: func(t *testing.T, r response) {
					found := false
					for _, it := range r.items(t) {
						found = found || it["id"] == vars["u"]
					}
					if !found {
						t.Error("the unmatched record is not listed")
					}
				}},
			{name: "another specialist cannot match it to this customer", as: "su.yue", method: "POST", path: "/api/v1/communications/{{u}}/match",
				body: map[string]any{"customer_id": "{{cust}}"}, status: 403},
			{name: "the owner matches it", as: "lin.wen", method: "POST", path: "/api/v1/communications/{{u}}/match",
				body: map[string]any{"customer_id": "{{cust}}"}, status: 200},
			{name: "it cannot be matched twice", as: "manager", method: "POST", path: "/api/v1/communications/{{u}}/match",
				body: map[string]any{"customer_id": "{{cust}}"}, status: 409},
			{name: "one record", as: "lin.wen", method: "GET", path: "/api/v1/communications/{{u}}", status: 200},
		})

		// A missed call from a number nobody knows (after the customer's
		// last call back) breaches with no one responsible; matched to the
		// customer, its breach is lin.wen's.
		missed := e.must(t, 201, "jiang.xin", "POST", "/api/v1/communications", map[string]any{"external_id": unique("pbx-"),
			"channel": "phone_missed", "occurred_at": at.Add(10 * time.Minute).Format(time.RFC3339), "counterpart": fmt.Sprintf("136%08d", rand.IntN(100_000_000))}).obj(t)
		mid := missed["results"].([]any)[0].(map[string]any)["id"].(string)
		breaches := func(login string) []map[string]any {
			t.Helper()
			var out []map[string]any
			path := "/api/v1/events?type=missed_call_timeout&from=" + at.Format(time.DateOnly)
			if login != "" {
				path += "&staff_id=" + e.staff[login]
			}
			for _, ev := range e.must(t, 200, "manager", "GET", path, nil).items(t) {
				for _, ref := range ev["evidence"].([]any) {
					if ref.(map[string]any)["id"] == mid {
						out = append(out, ev)
					}
				}
			}
			return out
		}
		if b := breaches(""); len(b) != 1 || b[0]["staff_id"] != nil || b[0]["customer_id"] != nil {
			t.Fatalf("the unknown number's breach %v", b)
		}
		e.must(t, 200, "lin.wen", "POST", "/api/v1/communications/"+mid+"/match", map[string]any{"customer_id": cust["id"]})
		if b := breaches("lin.wen"); len(b) != 1 || b[0]["customer_id"] != cust["id"] || num(b[0]["quantity"]) < 60 {
			t.Fatalf("lin.wen's breach after matching %v", b)
		}
	})
}

// TestChatAPI: online chat records posted by a machine feed are stored
// and run the 60-second clock — an answer in 60 s is in time, one in 61 s
// a chat_timeout of one minute against the customer's owning specialist,
// with the two records as its evidence.
func TestChatAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		cust := e.newCustomer(t, unique("在线客服客户")) // owned by lin.wen
		at := e.today().Add(-3 * time.Hour).Truncate(time.Second)
		s1, s2 := unique("chat-"), unique("chat-")
		rec := func(ext, dir string, t time.Time, session string) map[string]any {
			m := map[string]any{"external_id": ext, "channel": "chat", "direction": dir, "occurred_at": t.Format(time.RFC3339),
				"conversation": session, "customer_id": cust["id"], "summary": "在线客服"}
			if dir == "out" {
				m["staff_login"] = "lin.wen"
			}
			return m
		}
		res := e.must(t, 201, "jiang.xin", "POST", "/api/v1/communications", []map[string]any{
			rec(s1+"-q", "in", at, s1), rec(s1+"-a", "out", at.Add(60*time.Second), s1),
			rec(s2+"-q", "in", at.Add(10*time.Minute), s2), rec(s2+"-a", "out", at.Add(11*time.Minute+time.Second), s2),
		}).obj(t)
		if num(res["created"]) != 4 || num(res["unmatched"]) != 0 {
			t.Fatalf("chat batch %v", res)
		}
		ids := map[string]string{}
		for _, r := range res["results"].([]any) {
			m := r.(map[string]any)
			ids[m["external_id"].(string)] = m["id"].(string)
		}
		got := e.must(t, 200, "manager", "GET", "/api/v1/communications?channel=chat&customer_id="+cust["id"].(string), nil).items(t)
		if len(got) != 4 || got[0]["channel"] != "chat" {
			t.Fatalf("chat records %v", got)
		}
		// The chat breaches of lin.wen citing our records: only the late one.
		day := at.Format(time.DateOnly)
		var mine []map[string]any
		for _, ev := range e.must(t, 200, "manager", "GET", "/api/v1/events?type=chat_timeout&staff_id="+e.staff["lin.wen"]+"&from="+day, nil).items(t) {
			for _, ref := range ev["evidence"].([]any) {
				id := ref.(map[string]any)["id"]
				if id == ids[s1+"-q"] || id == ids[s2+"-q"] {
					mine = append(mine, ev)
				}
			}
		}
		if len(mine) != 1 || num(mine[0]["quantity"]) != 1 || mine[0]["customer_id"] != cust["id"] || len(mine[0]["evidence"].([]any)) != 2 {
			t.Fatalf("chat breaches %v", mine)
		}
		ev := fmt.Sprint(mine[0]["evidence"])
		if !strings.Contains(ev, ids[s2+"-q"]) || !strings.Contains(ev, ids[s2+"-a"]) {
			t.Fatalf("the breach cites %s, want the late session's records", ev)
		}
	})
}

// TestCommunicationFilesAPI: attachments of a communication record —
// uploaded by the customer's owner (not another specialist, not the
// information centre), listed on the record and on its own, downloaded
// by whoever may read the record (not a technician); bad files refused
// with the field.
func TestCommunicationFilesAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		cust := e.newCustomer(t, unique("附件客户")) // owned by lin.wen
		rec := e.must(t, 201, "lin.wen", "POST", "/api/v1/communications/log", map[string]any{"channel": "wechat_private", "direction": "in",
			"occurred_at": e.today().Add(-time.Hour).Format(time.RFC3339), "customer_id": cust["id"], "summary": "客户发来故障照片"}).obj(t)
		png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
		vars := map[string]string{"id": rec["id"].(string)}
		var fileID string
		e.run(t, vars, []scenario{
			{name: "another specialist cannot attach", as: "su.yue", method: "POST", path: "/api/v1/communications/{{id}}/files",
				form: []part{file("file", "照片.png", png)}, status: 403},
			{name: "the information centre cannot attach", as: "jiang.xin", method: "POST", path: "/api/v1/communications/{{id}}/files",
				form: []part{file("file", "照片.png", png)}, status: 403},
			{name: "a file of a type not taken", as: "lin.wen", method: "POST", path: "/api/v1/communications/{{id}}/files",
				form: []part{file("file", "a.exe", []byte("\x7fELF\x02\x01\x01\x00binary"))}, status: 400, code: "invalid", field: "file",
				same: []string{"/api/v1/communications/{{id}}/files"}},
			{name: "no file part", as: "lin.wen", method: "POST", path: "/api/v1/communications/{{id}}/files",
				form: []part{field("name", "x")}, status: 400, code: "invalid", field: "file"},
			{name: "not multipart", as: "lin.wen", method: "POST", path: "/api/v1/communications/{{id}}/files", body: `{}`, status: 400, code: "invalid", field: "body"},
			{name: "the owner attaches a photo", as: "lin.wen", method: "POST", path: "/api/v1/communications/{{id}}/files",
				form: []part{file("file", "故障照片.png", png)}, status: 201, check: func(t *testing.T, r response) {
					o := r.obj(t)
					fileID, _ = o["id"].(string)
					if o["name"] != "故障照片.png" || o["content_type"] != "image/png" || o["communication_id"] != vars["id"] || num(o["size"]) != int64(len(png)) {
						t.Errorf("file %v", o)
					}
				}},
			{name: "an unknown record", as: "manager", method: "POST", path: "/api/v1/communications/nope/files",
				form: []part{file("file", "照片.png", png)}, status: 404},
		})
		vars["file"] = fileID
		e.run(t, vars, []scenario{
			{name: "the record lists its files", as: "lin.wen", method: "GET", path: "/api/v1/communications/{{id}}", status: 200,
				check: func(t *testing.T, r response) {
					fs, _ := r.obj(t)["files"].([]any)
					if len(fs) != 1 || fs[0].(map[string]any)["id"] != vars["file"] {
						t.Errorf("files on the record %v", fs)
					}
				}},
			{name: "the list shows them too", as: "manager", method: "GET", path: "/api/v1/communications?customer_id=" + cust["id"].(string), status: 200,
				check: func(t *testing.T, r response) {
					if it := r.items(t); len(it) != 1 || len(it[0]["files"].([]any)) != 1 {
						t.Errorf("list %v", it)
					}
				}},
			{name: "the files of a record", as: "lin.wen", method: "GET", path: "/api/v1/communications/{{id}}/files", status: 200,
				check: func(t *testing.T, r response) {
					if it := r.items(t); len(it) != 1 || it[0]["name"] != "故障照片.png" {
						t.Errorf("files %v", it)
					}
				}},
			// Reading follows the record: specialists read every record
			// here (KEFU_SPECIALIST_READ_ALL, the default).
			{name: "another specialist reads them as the record", as: "su.yue", method: "GET", path: "/api/v1/communications/{{id}}/files", status: 200},
			{name: "the manager downloads it", as: "manager", method: "GET", path: "/api/v1/communication-files/{{file}}", status: 200,
				check: func(t *testing.T, r response) {
					if !bytes.Equal(r.body, png) || r.header.Get("Content-Type") != "image/png" || !strings.Contains(r.header.Get("Content-Disposition"), "attachment") {
						t.Errorf("download %d bytes, %v", len(r.body), r.header)
					}
				}},
			{name: "a technician cannot download it", as: "ma.tao", method: "GET", path: "/api/v1/communication-files/{{file}}", status: 403},
			{name: "an unknown file", as: "manager", method: "GET", path: "/api/v1/communication-files/nope", status: 404},
			{name: "a customer's file is not a record's", as: "manager", method: "GET", path: "/api/v1/communication-files/{{file}}x", status: 404},
		})
	})
}
