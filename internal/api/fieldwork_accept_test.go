package api_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"strings"
	"testing"
)

// testJPEG is a small real JPEG (no EXIF: the uploader confirms the
// watermark).
func testJPEG(t *testing.T, shade uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{shade, uint8(x * 4), uint8(y * 5), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestAcceptanceAPI: a repair done by the technician sent is refused
// acceptance while evidence is missing (the refusal lists what), bad
// uploads (not an image, another slot, 30 MB, a path in the name, a
// technician not sent) are refused without a trace, and once the four photos, the
// construction record, the group post, the paper original and the
// callback are in, the specialist accepts; nothing is uploaded after.
func TestAcceptanceAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		cust := e.newCustomer(t, unique("API 验收客户"))
		today := e.today().Format("2006-01-02")
		w := e.must(t, http.StatusCreated, "lin.wen", http.MethodPost, "/api/v1/work-orders", map[string]any{
			"type": "repair", "customer_id": cust["id"], "content": "冷却泵异响", "planned_on": today}).obj(t)
		id := w["id"].(string)
		e.must(t, http.StatusOK, "lin.wen", http.MethodPost, "/api/v1/work-orders/"+id+"/dispatch",
			map[string]any{"version": 1, "technician_ids": []string{e.staff["ma.tao"]}})
		e.must(t, http.StatusOK, "ma.tao", http.MethodPost, "/api/v1/work-orders/"+id+"/complete", map[string]any{"version": 2})
		vars := map[string]string{"order": id, "today": today}
		wp := "/api/v1/work-orders/{{order}}"
		photo := func(slot string, shade uint8) []part {
			return []part{field("kind", "photo"), field("slot", slot), field("watermark_confirmed", "true"),
				file("file", "IMG_"+slot[1:]+".jpg", testJPEG(t, shade))}
		}
		rows := []scenario{
			{name: "acceptance with nothing in is refused, listing what is missing", as: "lin.wen", method: "POST", path: wp + "/accept",
				body: `{"version":3}`, status: 400, code: "invalid", field: "checklist", same: []string{wp},
				check: func(t *testing.T, r response) {
					var body struct {
						Unmet []map[string]any `json:"unmet"`
					}
					r.decode(t, &body)
					keys := map[string]bool{}
					for _, u := range body.Unmet {
						keys[u["key"].(string)] = true
					}
					for _, k := range []string{"photo:/before", "photo:/during", "photo:/after", "photo:/params", "sheet", "group_post", "paper", "callback"} {
						if !keys[k] {
							t.Errorf("unmet %v lacks %s", keys, k)
						}
					}
				}},
			{name: "a text file is not a photo", as: "ma.tao", method: "POST", path: wp + "/evidence",
				form: []part{field("kind", "photo"), field("slot", "/before"), file("file", "note.jpg", []byte("不是图片"))}, status: 400, code: "invalid", field: "file",
				same: []string{wp + "/evidence"}},
			{name: "a slot the repair does not have", as: "ma.tao", method: "POST", path: wp + "/evidence",
				form: []part{field("kind", "photo"), field("slot", "冷却塔/before"), file("file", "a.jpg", testJPEG(t, 1))}, status: 400, code: "invalid", field: "slot",
				same: []string{wp + "/evidence"}},
			{name: "a 30 MB upload", as: "ma.tao", method: "POST", path: wp + "/evidence",
				form:   []part{field("kind", "photo"), field("slot", "/before"), file("file", "big.jpg", append(testJPEG(t, 2), make([]byte, 30<<20)...))},
				status: 413, code: "too_large", field: "file", same: []string{wp + "/evidence"}},
			{name: "a technician not sent cannot upload", as: "song.kai", method: "POST", path: wp + "/evidence", form: photo("/before", 3), status: 403, code: "forbidden",
				same: []string{wp + "/evidence"}},
			{name: "a path in the file name is refused", as: "ma.tao", method: "POST", path: wp + "/evidence",
				form:   []part{field("kind", "photo"), field("slot", "/before"), field("watermark_confirmed", "true"), file("file", "../../etc/passwd.jpg", testJPEG(t, 10))},
				status: 400, code: "invalid", field: "file", same: []string{wp + "/evidence"}},
			{name: "before, by the technician", as: "ma.tao", method: "POST", path: wp + "/evidence", form: photo("/before", 10),
				status: 201, check: func(t *testing.T, r response) {
					d := r.obj(t)
					if d["name"] != "IMG_before.jpg" || d["counts"] != true || d["slot"] != "/before" {
						t.Fatalf("stored %v", d)
					}
					vars["photo"] = d["id"].(string)
				}},
			{name: "during", as: "ma.tao", method: "POST", path: wp + "/evidence", form: photo("/during", 20), status: 201},
			{name: "after", as: "lin.wen", method: "POST", path: wp + "/evidence", form: photo("/after", 30), status: 201},
			{name: "the operating parameters", as: "lin.wen", method: "POST", path: wp + "/evidence", form: photo("/params", 40), status: 201},
			{name: "the construction record", as: "lin.wen", method: "POST", path: wp + "/evidence",
				form: []part{field("kind", "sheet"), field("watermark_confirmed", "true"), file("file", "施工记录单.jpg", testJPEG(t, 50))}, status: 201},
			{name: "the thumbnail is a JPEG", as: "ma.tao", method: "GET", path: "/api/v1/evidence/{{photo}}/thumbnail", status: 200,
				check: func(t *testing.T, r response) {
					if !bytes.HasPrefix(r.body, []byte{0xFF, 0xD8}) {
						t.Fatal("not a JPEG")
					}
				}},
			{name: "posted to the group", as: "lin.wen", method: "POST", path: wp + "/group-post", body: `{"version":3}`, status: 200},
			{name: "a paper date in the future", as: "lin.wen", method: "POST", path: wp + "/paper", body: `{"version":4,"paper_received_on":"2099-01-01"}`, status: 400, code: "invalid",
				field: "paper_received_on", same: []string{wp}},
			{name: "the paper original", as: "lin.wen", method: "POST", path: wp + "/paper", body: `{"version":4,"paper_received_on":"{{today}}"}`, status: 200},
			{name: "a satisfaction of 6", as: "lin.wen", method: "POST", path: wp + "/callback", body: `{"version":5,"result":"已修复","satisfaction":6}`,
				status: 400, code: "invalid", field: "satisfaction", same: []string{wp}},
			{name: "the callback", as: "lin.wen", method: "POST", path: wp + "/callback", body: `{"version":5,"result":"客户确认已修复，运行正常","satisfaction":5}`, status: 200},
			{name: "every line of the checklist is met", as: "lin.wen", method: "GET", path: wp + "/checklist", status: 200,
				check: func(t *testing.T, r response) {
					for _, it := range r.items(t) {
						if it["state"] != "met" {
							t.Errorf("%v not met", it)
						}
					}
				}},
			{name: "the repair's standard group message names the customer", as: "lin.wen", method: "GET", path: wp + "/messages", status: 200,
				check: func(t *testing.T, r response) {
					items := r.items(t)
					if len(items) != 1 || !strings.Contains(items[0]["text"].(string), cust["name"].(string)) {
						t.Fatalf("messages %v", items)
					}
				}},
			{name: "another specialist cannot accept it", as: "su.yue", method: "POST", path: wp + "/accept", body: `{"version":6}`, status: 403, code: "forbidden", same: []string{wp}},
			{name: "the specialist accepts", as: "lin.wen", method: "POST", path: wp + "/accept", body: `{"version":6}`, status: 200,
				check: func(t *testing.T, r response) {
					if d := r.obj(t); d["status"] != "accepted" || d["accepted_at"] == nil {
						t.Fatalf("accepted %v", d)
					}
				}},
			{name: "nothing is uploaded to accepted work", as: "ma.tao", method: "POST", path: wp + "/evidence", form: photo("/after", 60), status: 400, code: "invalid", field: "status",
				same: []string{wp + "/evidence"}},
		}
		e.run(t, vars, rows)
	})
}
