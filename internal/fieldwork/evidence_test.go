package fieldwork_test

import (
	"bytes"
	"context"
	"image/jpeg"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/fieldwork"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// dispatched is a work order of typ (with parts) for customer a, planned
// for Monday 2026-03-09 and dispatched to tech1 by spec1, at the clock's
// time.
func (e *env) dispatched(typ string, parts ...string) *fieldwork.WorkOrderDetail {
	e.t.Helper()
	w, err := e.svc.CreateWorkOrder(e.asSpec1, fieldwork.WorkOrderInput{Type: typ, CustomerID: e.a.ID, Equipment: "冷水机组 1#",
		Parts: parts, Content: "按合同保养", PlannedOn: "2026-03-09", ContactName: "李工", ContactPhone: "13900000001"})
	if err != nil {
		e.t.Fatal(err)
	}
	w, err = e.svc.DispatchWorkOrder(e.asSpec1, w.ID, w.Version, fieldwork.DispatchInput{TechnicianIDs: []string{e.tech1.ID}})
	if err != nil {
		e.t.Fatal(err)
	}
	return w
}

func (e *env) upload(ctx context.Context, id, kind, slot string, data []byte) *fieldwork.EvidenceFile {
	e.t.Helper()
	f, err := e.svc.UploadEvidence(ctx, id, fieldwork.UploadInput{Kind: kind, Slot: slot, FileName: "IMG_0001.jpg"}, bytes.NewReader(data))
	if err != nil {
		e.t.Fatalf("upload %s %s: %v", kind, slot, err)
	}
	return f
}

func readAll(t *testing.T, rc io.ReadCloser) []byte {
	t.Helper()
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func requirement(t *testing.T, list []fieldwork.Requirement, key string) fieldwork.Requirement {
	t.Helper()
	for _, r := range list {
		if r.Key == key {
			return r
		}
	}
	t.Fatalf("no requirement %s in %+v", key, list)
	return fieldwork.Requirement{}
}

func TestUploadEvidence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w := e.dispatched(fieldwork.TypeSeasonal, "冷凝器")
		e.clock.Set(time.Date(2026, 3, 9, 17, 0, 0, 0, shanghai))
		w, err := e.svc.CompleteWorkOrder(e.asTech1, w.ID, w.Version, "2026-03-09 16:00")
		if err != nil {
			t.Fatal(err)
		}
		spec := beijingCBD
		spec.Taken = "2026:03:09 10:00:00"
		good := withEXIF(t, plainJPEG(t, 640, 480), spec)
		f, err := e.svc.UploadEvidence(e.asTech1, w.ID, fieldwork.UploadInput{Kind: "photo", Slot: "冷凝器/before", FileName: " 保养前.JPG "},
			bytes.NewReader(good))
		if err != nil {
			t.Fatal(err)
		}
		if f.Name != "保养前.JPG" || f.ContentType != "image/jpeg" || f.Size != int64(len(good)) || f.Width != 640 || f.Height != 480 ||
			f.SlotLabel != "冷凝器 施工前" || len(f.Flags) != 0 || !f.DateOK || !f.Counts || f.WatermarkConfirmed {
			t.Fatalf("uploaded: %+v", f)
		}
		if f.TakenAt == nil || !f.TakenAt.Equal(time.Date(2026, 3, 9, 10, 0, 0, 0, shanghai)) {
			t.Errorf("taken at %v", f.TakenAt)
		}
		if f.GPSLat == nil || f.GPSLon == nil || math.Abs(*f.GPSLat-39.9087) > 1e-4 || math.Abs(*f.GPSLon-116.4605) > 1e-4 {
			t.Errorf("gps %v %v", f.GPSLat, f.GPSLon)
		}

		// The original comes back byte for byte; the thumbnail is a JPEG of 480 px.
		rc, ctype, name, err := e.svc.OpenEvidence(e.asSup, f.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if b := readAll(t, rc); !bytes.Equal(b, good) || ctype != "image/jpeg" || name != "保养前.JPG" {
			t.Errorf("original: %d bytes, %s, %s", len(b), ctype, name)
		}
		rc, ctype, name, err = e.svc.OpenEvidence(e.asTech1, f.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(readAll(t, rc)))
		if err != nil || cfg.Width != 480 || cfg.Height != 360 || ctype != "image/jpeg" || name != "保养前_缩略图.jpg" {
			t.Errorf("thumbnail %dx%d %s %s: %v", cfg.Width, cfg.Height, ctype, name, err)
		}
		// Visibility is the work order's.
		if _, _, _, err := e.svc.OpenEvidence(e.asTech2, f.ID, false); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("a technician not sent opening: %v, want not found", err)
		}
		if _, err := e.svc.ListEvidence(e.asSpec2, w.ID); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("another specialist listing: %v, want not found", err)
		}

		text := []byte("这不是照片，只是一段文字")
		for _, c := range []struct {
			name  string
			ctx   context.Context
			in    fieldwork.UploadInput
			r     io.Reader
			kind  apperr.Kind
			field string
			msg   string
		}{
			{"not an image", e.asTech1, fieldwork.UploadInput{Kind: "photo", Slot: "冷凝器/during", FileName: "a.jpg"}, bytes.NewReader(text),
				apperr.KindInvalid, "file", "不是图片"},
			{"corrupt jpeg", e.asTech1, fieldwork.UploadInput{Kind: "photo", Slot: "冷凝器/during", FileName: "a.jpg"}, bytes.NewReader(corruptJPEG(good)),
				apperr.KindInvalid, "file", ""},
			{"truncated jpeg", e.asTech1, fieldwork.UploadInput{Kind: "photo", Slot: "冷凝器/during", FileName: "a.jpg"}, bytes.NewReader(good[:len(good)/2]),
				apperr.KindInvalid, "file", ""},
			{"empty", e.asTech1, fieldwork.UploadInput{Kind: "photo", Slot: "冷凝器/during", FileName: "a.jpg"}, bytes.NewReader(nil),
				apperr.KindInvalid, "file", "为空"},
			{"30 MB", e.asTech1, fieldwork.UploadInput{Kind: "photo", Slot: "冷凝器/during", FileName: "a.jpg"},
				io.MultiReader(bytes.NewReader(good), io.LimitReader(zeros{}, 30<<20)), apperr.KindTooLarge, "file", "15 MB"},
			{"30 MB sheet", e.asTech1, fieldwork.UploadInput{Kind: "sheet", FileName: "a.pdf"},
				io.MultiReader(strings.NewReader("%PDF-1.4\n"), io.LimitReader(zeros{}, 30<<20)), apperr.KindTooLarge, "file", "15 MB"},
			{"taken in the future", e.asTech1, fieldwork.UploadInput{Kind: "photo", Slot: "冷凝器/during", FileName: "a.jpg"},
				bytes.NewReader(jpegTaken(t, "2026:03:10 09:00:00")), apperr.KindInvalid, "file", "晚于现在"},
			{"path traversal", e.asTech1, fieldwork.UploadInput{Kind: "photo", Slot: "冷凝器/during", FileName: "../../etc/passwd"}, bytes.NewReader(good),
				apperr.KindInvalid, "file", "路径"},
			{"windows path", e.asTech1, fieldwork.UploadInput{Kind: "photo", Slot: "冷凝器/during", FileName: `..\..\a.jpg`}, bytes.NewReader(good),
				apperr.KindInvalid, "file", "路径"},
			{"no name", e.asTech1, fieldwork.UploadInput{Kind: "photo", Slot: "冷凝器/during", FileName: " "}, bytes.NewReader(good),
				apperr.KindInvalid, "file", ""},
			{"slot of another type", e.asTech1, fieldwork.UploadInput{Kind: "photo", Slot: "/params", FileName: "a.jpg"}, bytes.NewReader(good),
				apperr.KindInvalid, "slot", "冷凝器 施工前"},
			{"part not on the order", e.asTech1, fieldwork.UploadInput{Kind: "photo", Slot: "压缩机/before", FileName: "a.jpg"}, bytes.NewReader(good),
				apperr.KindInvalid, "slot", ""},
			{"no slot", e.asTech1, fieldwork.UploadInput{Kind: "photo", FileName: "a.jpg"}, bytes.NewReader(good), apperr.KindInvalid, "slot", ""},
			{"unknown kind", e.asTech1, fieldwork.UploadInput{Kind: "video", FileName: "a.mp4"}, bytes.NewReader(good), apperr.KindInvalid, "kind", ""},
			{"text as a sheet", e.asTech1, fieldwork.UploadInput{Kind: "sheet", FileName: "a.txt"}, bytes.NewReader(text), apperr.KindInvalid, "file", ""},
			{"a technician not sent", e.asTech2, fieldwork.UploadInput{Kind: "photo", Slot: "冷凝器/during", FileName: "a.jpg"}, bytes.NewReader(good),
				apperr.KindForbidden, "", ""},
			{"another specialist", e.asSpec2, fieldwork.UploadInput{Kind: "photo", Slot: "冷凝器/during", FileName: "a.jpg"}, bytes.NewReader(good),
				apperr.KindForbidden, "", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				f, err := e.svc.UploadEvidence(c.ctx, w.ID, c.in, c.r)
				if err == nil {
					t.Fatalf("accepted: %+v", f)
				}
				ae, ok := apperr.As(err)
				if !ok || ae.Kind != c.kind || ae.Field != c.field || !strings.Contains(ae.Message, c.msg) {
					t.Fatalf("got %v, want %s on %q containing %q", err, c.kind, c.field, c.msg)
				}
			})
		}
		if files, err := e.svc.ListEvidence(e.asTech1, w.ID); err != nil || len(files) != 1 {
			t.Fatalf("after the refusals: %d files, %v; want the one good photo", len(files), err)
		}

		// No EXIF, or taken on another day: kept, flagged, not counted
		// until the watermark is confirmed.
		noEXIF := e.upload(e.asTech1, w.ID, "photo", "冷凝器/during", plainJPEG(t, 160, 120))
		otherDay := e.upload(e.asTech1, w.ID, "photo", "冷凝器/after", jpegTaken(t, "2026:03:08 10:00:00"))
		if !slices.Equal(noEXIF.Flags, fieldwork.FlagSet{"exif_missing"}) || noEXIF.TakenAt != nil || noEXIF.GPSLat != nil || noEXIF.Counts {
			t.Errorf("no EXIF: %+v", noEXIF)
		}
		if !slices.Equal(otherDay.Flags, fieldwork.FlagSet{"not_work_day"}) || otherDay.DateOK || otherDay.Counts {
			t.Errorf("another day: %+v", otherDay)
		}
		list, err := e.svc.AcceptanceChecklist(e.asSpec1, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"photo:冷凝器/during", "photo:冷凝器/after"} {
			if r := requirement(t, list, key); r.State != fieldwork.Missing || !strings.Contains(r.Detail, "水印") {
				t.Errorf("%s before the confirmation: %+v", key, r)
			}
		}
		for _, c := range []struct {
			name string
			ctx  context.Context
		}{{"another specialist", e.asSpec2}, {"a technician not sent", e.asTech2}, {"the supervisor, not the uploader", e.asSup}} {
			if _, err := e.svc.ConfirmWatermark(c.ctx, noEXIF.ID); !apperr.Is(err, apperr.KindForbidden) {
				t.Errorf("%s confirming: %v, want forbidden", c.name, err)
			}
		}
		if f, err := e.svc.ConfirmWatermark(e.asTech1, noEXIF.ID); err != nil || !f.Counts || !f.WatermarkConfirmed ||
			f.WatermarkConfirmedBy == nil || *f.WatermarkConfirmedBy != e.tech1.ID {
			t.Fatalf("the uploader confirming: %+v, %v", f, err)
		}
		if _, err := e.svc.ConfirmWatermark(e.asTech1, noEXIF.ID); !apperr.Is(err, apperr.KindConflict) {
			t.Errorf("confirming twice: %v, want conflict", err)
		}
		if f, err := e.svc.ConfirmWatermark(e.asSpec1, otherDay.ID); err != nil || !f.Counts {
			t.Fatalf("the customer's specialist confirming: %+v, %v", f, err)
		}
		// Confirmed at upload counts at once; a PDF scan is a sheet without thumbnail.
		confirmed, err := e.svc.UploadEvidence(e.asSup, w.ID, fieldwork.UploadInput{Kind: "photo", Slot: "冷凝器/after", FileName: "b.png",
			WatermarkConfirmed: true}, bytes.NewReader(plainJPEG(t, 100, 80)))
		if err != nil || !confirmed.Counts || confirmed.WatermarkConfirmedBy == nil || *confirmed.WatermarkConfirmedBy != e.sup.ID {
			t.Fatalf("confirmed at upload: %+v, %v", confirmed, err)
		}
		pdf := e.upload(e.asSpec1, w.ID, "sheet", "冷凝器/before", []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"))
		if pdf.ContentType != "application/pdf" || pdf.Slot != "" || !pdf.Counts {
			t.Errorf("pdf sheet: %+v", pdf)
		}
		if _, _, _, err := e.svc.OpenEvidence(e.asSpec1, pdf.ID, true); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("thumbnail of a pdf: %v, want not found", err)
		}
		if _, err := e.svc.ConfirmWatermark(e.asSpec1, pdf.ID); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("confirming a sheet's watermark: %v, want invalid", err)
		}
		list, err = e.svc.AcceptanceChecklist(e.asTech1, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"photo:冷凝器/before", "photo:冷凝器/during", "photo:冷凝器/after", "sheet"} {
			if r := requirement(t, list, key); r.State != fieldwork.Met {
				t.Errorf("%s: %+v", key, r)
			}
		}

		// Removed: kept for the record, no longer listed nor counted.
		if err := e.svc.RemoveEvidence(e.asTech1, f.ID, " "); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("removing without a reason: %v, want invalid", err)
		}
		if err := e.svc.RemoveEvidence(e.asTech2, f.ID, "照片模糊"); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("a technician not sent removing: %v, want forbidden", err)
		}
		if err := e.svc.RemoveEvidence(e.asSpec1, f.ID, "照片模糊"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RemoveEvidence(e.asSpec1, f.ID, "照片模糊"); !apperr.Is(err, apperr.KindConflict) {
			t.Errorf("removing twice: %v, want conflict", err)
		}
		files, err := e.svc.ListEvidence(e.asTech1, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		var slots []string
		for _, f := range files {
			slots = append(slots, f.Kind+":"+f.Slot)
		}
		if want := []string{"photo:冷凝器/during", "photo:冷凝器/after", "photo:冷凝器/after", "sheet:"}; !slices.Equal(slots, want) {
			t.Errorf("listed %v, want %v (slot order, the removed photo gone)", slots, want)
		}
		list, err = e.svc.AcceptanceChecklist(e.asSpec1, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r := requirement(t, list, "photo:冷凝器/before"); r.State != fieldwork.Missing {
			t.Errorf("the removed photo's slot: %+v, want missing", r)
		}
		// A removed file can still be opened (the record), by those who see the order.
		if rc, _, _, err := e.svc.OpenEvidence(e.asMgr, f.ID, false); err != nil {
			t.Errorf("opening a removed file: %v", err)
		} else {
			rc.Close()
		}

		// Every change is in the audit log.
		for action, want := range map[string]int{"upload_evidence": 5, "confirm_watermark": 2, "remove_evidence": 1} {
			entries, err := audit.List(context.Background(), db.R(), audit.Filter{Entity: "work_order", EntityID: w.ID, Action: action})
			if err != nil || len(entries) != want {
				t.Errorf("audit %s: %d entries, %v; want %d", action, len(entries), err, want)
			}
		}
	})
}

func TestUploadToCancelledOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w := e.dispatched(fieldwork.TypeInspection)
		f := e.upload(e.asTech1, w.ID, "photo", "/params", plainJPEG(t, 64, 48))
		w, err := e.svc.CancelWorkOrder(e.asSpec1, w.ID, w.Version, "客户取消")
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.UploadEvidence(e.asTech1, w.ID, fieldwork.UploadInput{Kind: "sheet", FileName: "a.jpg"}, bytes.NewReader(plainJPEG(t, 64, 48)))
		wantField(t, err, "status", "an upload to a cancelled order")
		err = e.svc.RemoveEvidence(e.asTech1, f.ID, "拍错了")
		wantField(t, err, "status", "removing from a cancelled order")
	})
}
