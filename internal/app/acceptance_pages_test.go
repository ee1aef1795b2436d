package app_test

import (
	"bytes"
	"encoding/binary"
	"html"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kefu/internal/app/apptest"
	"kefu/internal/fieldwork"
)

// Test photos built in code (after internal/fieldwork's photos_test.go):
// a small JPEG with an EXIF block holding DateTimeOriginal and
// OffsetTimeOriginal, inserted as an APP1 segment.

// testJPEG is a 160×120 JPEG; taken ("2006:01:02 15:04:05" with its
// offset "+08:00") adds the EXIF shooting time, "" none.
func testJPEG(t testing.TB, taken, offset string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 160, 120))
	for y := range 120 {
		for x := range 160 {
			img.SetRGBA(x, y, color.RGBA{uint8(x * 255 / 160), uint8(y * 255 / 120), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	jpg := buf.Bytes()
	if taken == "" {
		return jpg
	}
	le := binary.LittleEndian
	entry := func(b []byte, tag uint16, s string, off int) ([]byte, []byte) {
		v := append([]byte(s), 0)
		b = le.AppendUint16(b, tag)
		b = le.AppendUint16(b, 2)
		b = le.AppendUint32(b, uint32(len(v)))
		b = le.AppendUint32(b, uint32(off))
		return b, v
	}
	// TIFF header, IFD0 with one entry (the Exif IFD pointer), then the
	// Exif IFD with DateTimeOriginal and OffsetTimeOriginal, then their
	// values.
	b := []byte{'I', 'I', 42, 0, 8, 0, 0, 0}
	exifOff := 8 + 2 + 12 + 4
	b = le.AppendUint16(b, 1)
	b = le.AppendUint16(b, 0x8769)
	b = le.AppendUint16(b, 4)
	b = le.AppendUint32(b, 1)
	b = le.AppendUint32(b, uint32(exifOff))
	b = le.AppendUint32(b, 0)
	dataOff := exifOff + 2 + 2*12 + 4
	b = le.AppendUint16(b, 2)
	var v1, v2 []byte
	b, v1 = entry(b, 0x9003, taken, dataOff)
	b, v2 = entry(b, 0x9011, offset, dataOff+len(taken)+1+(len(taken)+1)%2)
	b = le.AppendUint32(b, 0)
	b = append(b, v1...)
	if len(v1)%2 == 1 {
		b = append(b, 0)
	}
	b = append(b, v2...)
	payload := append([]byte("Exif\x00\x00"), b...)
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(2+len(payload)))
	seg = append(seg, payload...)
	out := append([]byte{0xFF, 0xD8}, seg...)
	return append(out, jpg[2:]...)
}

// takenToday is a shooting time on today's company date, a minute ago
// (or at midnight in the first minute of the day), and its offset.
func takenToday(now time.Time) (string, string) {
	t := now.Add(-time.Minute)
	if t.Day() != now.Day() {
		t = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	}
	return t.Format("2006:01:02 15:04:05"), t.Format("-07:00")
}

// uploadFiles posts a multipart form with fields and files (all named
// "file") as login; accept is the Accept header ("" for a browser form).
func (w *fieldworkWorld) uploadFiles(path, login, accept string, fields url.Values, files ...upFile) (int, string, string) {
	w.t.Helper()
	body, ctype := multipartBody(w.t, fields, files...)
	req, err := http.NewRequest(http.MethodPost, w.in.URL+path, body)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+w.tokens[login])
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, html.UnescapeString(string(b)), resp.Header.Get("Location")
}

// reqState is the state of checklist line key on a work order page.
func reqState(body, key string) string {
	_, rest, ok := strings.Cut(body, `data-req-key="`+key+`" data-state="`)
	if !ok {
		return ""
	}
	st, _, _ := strings.Cut(rest, `"`)
	return st
}

// TestAcceptancePages walks acceptance on the pages: a repair work order
// dispatched to 田师傅, who finds it on 我的工作, reports his day (and
// corrects it), uploads photos through the forms (several at once; a
// non-image refused with its message; one without a shooting time
// counted once he confirms the watermark) and reports the work done; the
// specialist sees the checklist, is refused acceptance with the missing
// lines marked, records the sheet, the group post, the paper original
// and the callback, and accepts.
func TestAcceptancePages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newFieldworkWorld(t, in)
		a := in.App
		now := a.Now().In(a.Location())
		today := now.Format(time.DateOnly)
		d, err := a.Fieldwork.CreateWorkOrder(w.as("spec"), fieldwork.WorkOrderInput{Type: fieldwork.TypeRepair, CustomerID: w.customer.ID,
			Equipment: "冷却塔", Content: "冷却塔风机异响", PlannedOn: today, ContactName: "李工", ContactPhone: "13900000000"})
		if err != nil {
			t.Fatal(err)
		}
		if d, err = a.Fieldwork.DispatchWorkOrder(w.as("spec"), d.ID, d.Version, fieldwork.DispatchInput{TechnicianIDs: []string{w.staff["tech2"].ID}}); err != nil {
			t.Fatal(err)
		}
		id := d.ID
		wp := "/work-orders/" + id

		// 我的工作: the technician's open work, with the forms.
		if status, _ := w.do(http.MethodGet, "/my-work", "spec", nil); status != http.StatusForbidden {
			t.Errorf("a specialist opens 我的工作: status %d, want 403", status)
		}
		has(t, "the technician's navigation", w.page("/", "tech2"), `href="/my-work"`, "我的工作")
		hasNot(t, "the specialist's navigation", w.page("/", "spec"), `href="/my-work"`)
		body := w.page("/my-work", "tech2")
		item := section(body, `data-work-order-id="`+id+`"`, `data-testid="evidence-slots"`)
		has(t, "my work", item, d.Number, "冷却塔风机异响", "tel:13900000000", `data-testid="report-form"`, `data-testid="my-complete-form"`, `data-testid="my-work-today"`)
		has(t, "my work's photos", body, `data-slot="/before"`, `data-slot="/params"`, `data-kind="sheet"`, "施工记录单")
		hasNot(t, "another technician's work", w.page("/my-work", "tech"), id)
		has(t, "the supervisor's work", w.page("/my-work", "sup"), id)

		// The end-of-day report, then corrected.
		w.postBad(wp+"/reports", "tech2", url.Values{"back": {"/my-work"}, "status": {"blocked"}}, http.StatusBadRequest, "受阻时请写明原因")
		if loc := w.postOK(wp+"/reports", "tech2", url.Values{"back": {"/my-work"}, "status": {"in_progress"}, "notes": {"已拆风机"}}); loc != "/my-work" {
			t.Errorf("report: back to %q", loc)
		}
		has(t, "the reported day", w.page("/my-work", "tech2"), `data-testid="my-work-reported"`, "已拆风机", "更正今日反馈")
		w.postOK(wp+"/reports", "tech2", url.Values{"back": {"/my-work"}, "status": {"done"}, "notes": {"风机轴承已更换"}})
		reports, err := a.Fieldwork.Reports(w.as("tech2"), id)
		if err != nil || len(reports) != 1 || reports[0].Status != "done" || reports[0].Notes != "风机轴承已更换" {
			t.Errorf("reports after the correction: %+v %v", reports, err)
		}

		// The specialist's page: slots and the checklist, nothing yet.
		body = w.page(wp, "spec")
		has(t, "the work order's evidence", body, `data-testid="checklist"`, `data-testid="evidence-slots"`, "机组 · 施工前", "机组 · 运行参数",
			`data-testid="group-messages"`, "本次冷却塔产生故障的原因是", `data-copy="msg-repair"`, `data-testid="group-post-form"`)
		for key, want := range map[string]string{"completed": "missing", "photo:/before": "missing", "sheet": "missing", "group_post": "missing", "callback": "missing"} {
			if got := reqState(body, key); got != want {
				t.Errorf("checklist line %s: %q, want %q", key, got, want)
			}
		}
		hasNot(t, "the dispatched order's page", body, `data-testid="accept-form"`, `data-testid="paper-form"`)

		// Photos through the form: two at once in one slot, taken today.
		taken, off := takenToday(now)
		photo := testJPEG(t, taken, off)
		status, _, loc := w.uploadFiles(wp+"/evidence", "tech2", "", url.Values{"kind": {"photo"}, "slot": {"/before"}, "back": {"/my-work"}},
			upFile{"前1.jpg", photo}, upFile{"前2.jpg", photo})
		if status != http.StatusSeeOther || loc != "/my-work" {
			t.Fatalf("upload two photos: status %d to %q", status, loc)
		}
		has(t, "my work after the upload", w.page("/my-work", "tech2"), "前1.jpg", "前2.jpg")
		// A non-image is refused with the server's message, on the page.
		status, body, _ = w.uploadFiles(wp+"/evidence", "tech2", "", url.Values{"kind": {"photo"}, "slot": {"/during"}},
			upFile{"说明.txt", []byte("这不是照片")})
		if status != http.StatusBadRequest || !strings.Contains(errorText(body), "说明.txt") || !strings.Contains(errorText(body), "文件不是图片") {
			t.Errorf("a text file: status %d, error %q", status, errorText(body))
		}
		// The script's upload: one file, answered as JSON.
		status, body, _ = w.uploadFiles(wp+"/evidence", "tech2", "application/json", url.Values{"kind": {"photo"}, "slot": {"/during"}},
			upFile{"readme.txt", []byte("text")})
		if status != http.StatusBadRequest || !strings.Contains(body, `"message":"文件不是图片`) {
			t.Errorf("a text file by the script: status %d, %s", status, body)
		}
		status, body, _ = w.uploadFiles(wp+"/evidence", "tech2", "application/json", url.Values{"kind": {"photo"}, "slot": {"/during"}},
			upFile{"中.jpg", photo})
		if status != http.StatusCreated || !strings.Contains(body, `"counts":true`) {
			t.Errorf("a photo by the script: status %d, %s", status, body)
		}
		// A photo without a shooting time waits for the watermark.
		status, _, _ = w.uploadFiles(wp+"/evidence", "tech2", "", url.Values{"kind": {"photo"}, "slot": {"/after"}}, upFile{"后.jpg", testJPEG(t, "", "")})
		if status != http.StatusSeeOther {
			t.Fatalf("upload a photo without EXIF: status %d", status)
		}
		body = w.page(wp, "tech2")
		if got := reqState(body, "photo:/after"); got != "missing" {
			t.Errorf("a photo without a shooting time: line %q, want missing", got)
		}
		has(t, "the unconfirmed photo", body, "EXIF 无拍摄时间", `data-testid="confirm-watermark"`, `data-testid="evidence-thumb"`)
		files, err := a.Fieldwork.ListEvidence(w.as("tech2"), id)
		if err != nil || len(files) != 4 {
			t.Fatalf("evidence %d %v", len(files), err)
		}
		var after string
		for _, f := range files {
			if f.Slot == "/after" {
				after = f.ID
			}
		}
		w.postOK("/evidence/"+after+"/confirm-watermark", "tech2", url.Values{"work_order_id": {id}})
		body = w.page(wp, "tech2")
		if got := reqState(body, "photo:/after"); got != "met" {
			t.Errorf("the confirmed photo: line %q, want met", got)
		}
		has(t, "the confirmed photo", body, "已确认水印")
		// The thumbnail and the file are served inline as JPEG.
		resp, img := w.get("/evidence/"+after+"/thumbnail", "spec")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" || !bytes.HasPrefix(img, []byte{0xFF, 0xD8}) {
			t.Errorf("thumbnail: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if resp, _ := w.get("/evidence/"+after, "fin"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("finance opens a photo: status %d", resp.StatusCode)
		}
		// A wrong photo removed with a reason.
		w.postBad("/evidence/"+files[1].ID+"/remove", "tech2", url.Values{"work_order_id": {id}, "reason": {" "}}, http.StatusBadRequest, "删除原因")
		w.postOK("/evidence/"+files[1].ID+"/remove", "tech2", url.Values{"work_order_id": {id}, "reason": {"拍重了"}})
		hasNot(t, "the removed photo", w.page(wp, "tech2"), "前2.jpg")

		// Done: the 完工 button on 我的工作.
		if loc := w.postOK(wp+"/complete", "tech2", url.Values{"version": {"2"}, "back": {"/my-work"}}); loc != "/my-work" {
			t.Errorf("complete: back to %q", loc)
		}
		has(t, "my work after completion", w.page("/my-work", "tech2"), id, `data-testid="report-form"`)
		hasNot(t, "my work after completion", section(w.page("/my-work", "tech2"), `data-work-order-id="`+id+`"`, `data-testid="evidence-slots"`),
			`data-testid="my-complete-form"`)

		// Acceptance refused: the missing lines listed and marked.
		body = w.page(wp, "spec")
		has(t, "the completed order's page", body, `data-testid="accept-form"`, `data-testid="paper-form"`, `data-testid="callback-form"`)
		for key, want := range map[string]string{"completed": "met", "photo:/before": "met", "photo:/during": "met", "photo:/after": "met",
			"photo:/params": "missing", "sheet": "missing", "paper": "missing", "callback": "missing"} {
			if got := reqState(body, key); got != want {
				t.Errorf("checklist line %s: %q, want %q", key, got, want)
			}
		}
		status, body = w.do(http.MethodPost, wp+"/accept", "spec", url.Values{"version": {"3"}})
		body = html.UnescapeString(body)
		if status != http.StatusBadRequest || !strings.Contains(errorText(body), "缺一不可") || !strings.Contains(errorText(body), "施工记录单") {
			t.Errorf("refused acceptance: status %d, %q", status, errorText(body))
		}
		has(t, "the refusal", body, `data-req-key="sheet" data-state="missing"`, "req-unmet")
		if strings.Contains(section(body, `data-req-key="completed"`, "</li>"), "req-unmet") || !strings.Contains(section(body, `req-missing req-unmet" data-req-key="callback"`, "</li>"), "未回访") {
			t.Errorf("the refusal marks the wrong lines: %s", section(body, `data-testid="checklist"`, "</ul>"))
		}
		if status, _ := w.do(http.MethodPost, wp+"/accept", "tech2", url.Values{"version": {"3"}}); status != http.StatusForbidden {
			t.Errorf("a technician accepts: status %d", status)
		}

		// The rest: the parameters photo, the sheet, the group post, the
		// paper original and the callback.
		if st, _, _ := w.uploadFiles(wp+"/evidence", "spec", "", url.Values{"kind": {"photo"}, "slot": {"/params"}}, upFile{"参数.jpg", photo}); st != http.StatusSeeOther {
			t.Fatalf("parameters photo: %d", st)
		}
		if st, _, _ := w.uploadFiles(wp+"/evidence", "spec", "", url.Values{"kind": {"sheet"}}, upFile{"施工记录单.jpg", photo}); st != http.StatusSeeOther {
			t.Fatalf("sheet: %d", st)
		}
		w.postBad(wp+"/group-post", "tech2", url.Values{"version": {"3"}, "at": {now.Add(time.Hour).Format("2006-01-02T15:04:05")}}, http.StatusBadRequest, "晚于现在")
		w.postOK(wp+"/group-post", "tech2", url.Values{"version": {"3"}})
		w.postOK(wp+"/paper", "spec", url.Values{"version": {"4"}, "on": {today}})
		w.postBad(wp+"/callback", "spec", url.Values{"version": {"5"}, "result": {"满意"}, "satisfaction": {""}}, http.StatusBadRequest, "满意度")
		w.postOK(wp+"/callback", "spec", url.Values{"version": {"5"}, "result": {"客户确认风机运行正常"}, "satisfaction": {"5"}})
		body = w.page(wp, "spec")
		list := section(body, `data-testid="checklist"`, "</ul>")
		if strings.Contains(list, `data-state="missing"`) || strings.Contains(list, `data-state="late"`) {
			t.Errorf("the checklist is not all met: %s", list)
		}
		has(t, "the complete order", body, "核对项均已满足", "客户确认风机运行正常", "5 非常满意")

		w.postOK(wp+"/accept", "spec", url.Values{"version": {"6"}})
		body = w.page(wp, "spec")
		has(t, "the accepted order", body, `data-status="accepted"`, "验收时间")
		hasNot(t, "the accepted order", body, `data-testid="upload-form"`, `data-testid="accept-form"`, `data-testid="remove-form"`)
		hasNot(t, "my work after acceptance", w.page("/my-work", "tech2"), id)
	})
}
