package e2e

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/internal/access"
	"kefu/internal/customers"
	"kefu/internal/fieldwork"
)

// photoJPEG is a 160×120 JPEG whose EXIF says it was taken at taken
// ("2006:01:02 15:04:05") with offset ("+08:00").
func photoJPEG(t *testing.T, taken, offset string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 160, 120))
	for y := range 120 {
		for x := range 160 {
			img.SetRGBA(x, y, color.RGBA{uint8(x * 255 / 160), 90, uint8(y * 255 / 120), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	// TIFF header; IFD0 pointing at the Exif IFD; the Exif IFD with
	// DateTimeOriginal and OffsetTimeOriginal; their values.
	v1, v2 := append([]byte(taken), 0), append([]byte(offset), 0)
	if len(v1)%2 == 1 {
		v1 = append(v1, 0)
	}
	exifOff := 8 + 2 + 12 + 4
	dataOff := exifOff + 2 + 2*12 + 4
	b := []byte{'I', 'I', 42, 0, 8, 0, 0, 0}
	b = le.AppendUint16(b, 1)
	b = le.AppendUint16(b, 0x8769)
	b = le.AppendUint16(b, 4)
	b = le.AppendUint32(b, 1)
	b = le.AppendUint32(b, uint32(exifOff))
	b = le.AppendUint32(b, 0)
	b = le.AppendUint16(b, 2)
	for _, e := range []struct {
		tag      uint16
		n, where int
	}{{0x9003, len(taken) + 1, dataOff}, {0x9011, len(offset) + 1, dataOff + len(v1)}} {
		b = le.AppendUint16(b, e.tag)
		b = le.AppendUint16(b, 2)
		b = le.AppendUint32(b, uint32(e.n))
		b = le.AppendUint32(b, uint32(e.where))
	}
	b = le.AppendUint32(b, 0)
	b = append(append(b, v1...), v2...)
	payload := append([]byte("Exif\x00\x00"), b...)
	seg := binary.BigEndian.AppendUint16([]byte{0xFF, 0xE1}, uint16(2+len(payload)))
	jpg := buf.Bytes()
	return append(append(append([]byte{0xFF, 0xD8}, seg...), payload...), jpg[2:]...)
}

// TestAcceptanceChecklistTurnsGreen is acceptance in the browser (SPEC
// §6.4): a repair work order of 林雯's customer, dispatched to 马涛 and
// reported done. On its page 林雯 sees the checklist red, uploads a
// photo for each slot and the construction record sheet (the page's
// script: progress, a text file refused with the server's message),
// watches those lines turn green, is refused acceptance for what is
// still missing, records the group post, the paper original and the
// callback, sees every line green and accepts the work.
func TestAcceptanceChecklistTurnsGreen(t *testing.T) {
	e := browserEnv(t)
	a := e.app
	sys := access.With(context.Background(), access.System())
	lin, err := a.Org.StaffByLogin(sys, "lin.wen")
	if err != nil {
		t.Fatal(err)
	}
	ma, err := a.Org.StaffByLogin(sys, "ma.tao")
	if err != nil {
		t.Fatal(err)
	}
	asLin := access.With(context.Background(), &access.Principal{StaffID: lin.ID, Name: lin.Name, Roles: []access.Role{access.CSSpecialist}})
	asMa := access.With(context.Background(), &access.Principal{StaffID: ma.ID, Name: ma.Name, Roles: []access.Role{access.Technician}})
	page, err := a.Customers.ListCustomers(sys, customers.ListFilter{OwnerID: lin.ID, Status: "active", Limit: 50})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("lin.wen's customers: %d %v", len(page.Items), err)
	}
	now := a.Now().In(a.Location())
	content := fmt.Sprintf("E2E 验收 冷却塔风机异响 %d", time.Now().UnixNano())
	d, err := a.Fieldwork.CreateWorkOrder(asLin, fieldwork.WorkOrderInput{Type: fieldwork.TypeRepair, CustomerID: page.Items[0].ID,
		Equipment: "冷却塔", Content: content, PlannedOn: now.Format(time.DateOnly), ContactName: "物业李工"})
	if err != nil {
		t.Fatal(err)
	}
	if d, err = a.Fieldwork.DispatchWorkOrder(asLin, d.ID, d.Version, fieldwork.DispatchInput{TechnicianIDs: []string{ma.ID}}); err != nil {
		t.Fatal(err)
	}
	if d, err = a.Fieldwork.CompleteWorkOrder(asMa, d.ID, d.Version, ""); err != nil {
		t.Fatal(err)
	}
	id := d.ID

	// The photos: taken a minute ago on today's date; a text file. The
	// file names are ASCII: the browser's locale may not read others.
	dir := t.TempDir()
	shot := now.Add(-time.Minute)
	if shot.Day() != now.Day() {
		shot = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	}
	photo := photoJPEG(t, shot.Format("2006:01:02 15:04:05"), shot.Format("-07:00"))
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	s := e.newSession(t, "lin.wen")
	s.expectStatus(400) // the text file and the refused acceptance, on purpose
	s.login("lin.wen", demoPassword)
	s.mustOpen("/work-orders/" + id)
	s.checkPageText("/work-orders/" + id)

	state := func(key string) string {
		return eval[string](s, fmt.Sprintf(`(document.querySelector('[data-testid=checklist] [data-req-key=%q]') || {className: ""}).className.match(/req-(met|missing|late)/)?.[1] || ""`, key))
	}
	slots := []string{"/before", "/during", "/after", "/params"}
	keys := []string{"completed", "photo:/before", "photo:/during", "photo:/after", "photo:/params", "sheet", "group_post", "upload_deadline", "paper", "callback"}
	before := map[string]string{"completed": "met", "upload_deadline": "met"}
	for _, k := range keys {
		want := before[k]
		if want == "" {
			want = "missing"
		}
		if got := state(k); got != want {
			s.fatalf("before: checklist line %s is %q, want %q", k, got, want)
		}
	}

	// upload sets files on a slot's form and submits it; the script
	// sends them and refreshes the slots and the checklist.
	upload := func(card string, files ...string) string {
		form := card + ` form.evidence-upload`
		s.within("choose "+strings.Join(files, ", "), chromedp.SetUploadFiles(chromedp.CSS(form+` input[type=file]`), files, chromedp.NodeVisible))
		s.within("upload", chromedp.Click(chromedp.CSS(form+` button[type=submit]`)))
		s.waitJS("the upload to finish", fmt.Sprintf(`document.querySelector(%q).dataset.finished`, form))
		return s.text(form + ` .evidence-progress`)
	}
	card := func(slot string) string {
		return fmt.Sprintf(`[data-testid=evidence-slot][data-kind=photo][data-slot=%q]`, slot)
	}

	// A text file is refused with the server's message, per file.
	got := upload(card("/before"), write("notes.txt", []byte("这不是照片")), write("before.jpg", photo))
	if !strings.Contains(got, "文件不是图片") || !strings.Contains(got, "已上传") {
		s.fatalf("the progress list says %q, want the text file refused and the photo uploaded", got)
	}
	if n := eval[int](s, fmt.Sprintf(`document.querySelectorAll(%q).length`, card("/before")+` .evidence-progress [data-state=error]`)); n != 1 {
		s.fatalf("%d files refused, want 1", n)
	}
	for _, slot := range slots[1:] {
		upload(card(slot), write(strings.Trim(slot, "/")+".jpg", photo))
	}
	upload(`[data-testid=evidence-slot][data-kind=sheet]`, write("sheet.jpg", photo))
	for _, k := range []string{"photo:/before", "photo:/during", "photo:/after", "photo:/params", "sheet"} {
		if got := state(k); got != "met" {
			s.fatalf("after the uploads: checklist line %s is %q, want met", k, got)
		}
	}
	if n := eval[int](s, `document.querySelectorAll('[data-testid=evidence-thumb]').length`); n != 5 {
		s.fatalf("%d thumbnails, want 5", n)
	}
	if ok := eval[bool](s, `[...document.querySelectorAll('[data-testid=evidence-thumb]')].every(i => i.complete && i.naturalWidth > 0)`); !ok {
		s.waitJS("the thumbnails to load", `[...document.querySelectorAll('[data-testid=evidence-thumb]')].every(i => i.complete && i.naturalWidth > 0)`)
	}

	// Acceptance now is refused, the missing lines marked.
	if resp := s.submit("accept too early", chromedp.Click(chromedp.CSS(`[data-testid=accept-submit]`))); resp.Status != 400 {
		s.fatalf("early acceptance: HTTP %d, want 400", resp.Status)
	}
	if msg := s.text(`[data-testid=form-error]`); !strings.Contains(msg, "缺一不可") || !strings.Contains(msg, "回访") {
		s.fatalf("refusal message %q", msg)
	}
	unmet := s.texts(`[data-testid=checklist] .req-unmet .fw-medium`)
	if len(unmet) != 3 {
		s.fatalf("lines marked unmet: %q, want the group post, the paper original and the callback", unmet)
	}

	// The group post, the paper original and the callback.
	if resp := s.submit("record the group post", chromedp.Click(chromedp.CSS(`[data-testid=group-post-submit]`))); resp.Status != 200 {
		s.fatalf("group post: HTTP %d: %.300q", resp.Status, s.text(`[data-testid=form-error]`))
	}
	if got := state("group_post"); got != "met" {
		s.fatalf("group post line %q, want met", got)
	}
	if resp := s.submit("record the paper original", chromedp.Click(chromedp.CSS(`[data-testid=paper-submit]`))); resp.Status != 200 {
		s.fatalf("paper: HTTP %d: %.300q", resp.Status, s.text(`[data-testid=form-error]`))
	}
	if got := state("paper"); got != "met" {
		s.fatalf("paper line %q, want met", got)
	}
	s.within("fill in the callback",
		chromedp.SetValue(chromedp.CSS(`[data-testid=callback-satisfaction]`), "5"),
		chromedp.SetValue(chromedp.CSS(`[data-testid=callback-result]`), "客户确认风机运行正常"))
	if resp := s.submit("record the callback", chromedp.Click(chromedp.CSS(`[data-testid=callback-submit]`))); resp.Status != 200 {
		s.fatalf("callback: HTTP %d: %.300q", resp.Status, s.text(`[data-testid=form-error]`))
	}

	// Every line green.
	for _, k := range keys {
		if got := state(k); got != "met" {
			s.fatalf("after everything: checklist line %s is %q, want met", k, got)
		}
	}
	if n := eval[int](s, `document.querySelectorAll('[data-testid=checklist] .req-missing, [data-testid=checklist] .req-late').length`); n != 0 {
		s.fatalf("%d lines still not met", n)
	}
	s.checkPageText("/work-orders/" + id)

	// 验收.
	if resp := s.submit("accept", chromedp.Click(chromedp.CSS(`[data-testid=accept-submit]`))); resp.Status != 200 {
		s.fatalf("accept: HTTP %d: %.300q", resp.Status, s.text(`[data-testid=form-error]`))
	}
	if st := eval[string](s, `document.querySelector('[data-testid=work-order-number] [data-status]').dataset.status`); st != "accepted" {
		s.fatalf("status %q, want accepted", st)
	}
	if flash := s.text(`[role=status]`); !strings.Contains(flash, "验收通过") {
		s.fatalf("flash %q, want 验收通过", flash)
	}
	if n := eval[int](s, `document.querySelectorAll('form.evidence-upload, [data-testid=accept-form]').length`); n != 0 {
		s.fatalf("the accepted work order still offers %d upload or accept forms", n)
	}
	if w, err := a.Fieldwork.GetWorkOrder(asLin, id); err != nil || w.Status != fieldwork.StatusAccepted || w.Satisfaction != 5 {
		t.Fatalf("the work order after acceptance: %+v %v", w, err)
	}
}
