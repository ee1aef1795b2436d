package comms_test

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/comms"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// A tiny PNG (the header is what the sniffer reads) and a text note.
var (
	pngBytes  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, 64)...)
	noteBytes = []byte("客户发来的维修清单\n1. 冷却塔\n")
)

// blobCount is how many files the blob store holds.
func (e *env) blobCount(t *testing.T) int {
	t.Helper()
	n := 0
	if err := filepath.WalkDir(e.blobDir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// Records carry attachments: sent with a typed record (in its
// transaction) or added later by whoever may write for the record; they
// are listed on the record and read by whoever may read it. A refused
// record stores no bytes and no rows.
func TestRecordFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // 国贸物业 (a) is spec1's, 望京写字楼 (b) spec2's
		const limit = 1 << 20
		up := func(name string, b []byte) comms.Upload { return comms.Upload{Name: name, Body: bytes.NewReader(b)} }
		visit := func(customer string) comms.Input {
			return comms.Input{Channel: "wechat_private", Direction: "in", OccurredAt: "2026-03-05 09:00:00", CustomerID: customer,
				Conversation: "wang_wx", Summary: "客户发来截图"}
		}
		rec, err := e.svc.AddWithFiles(e.spec1, visit(e.a.ID), []comms.Upload{up("截图.png", pngBytes), up("../清单.txt", noteBytes)}, limit)
		if err == nil || !apperr.Is(err, apperr.KindInvalid) || e.blobCount(t) != 0 {
			t.Fatalf("a name with a path: %v, %d blobs", err, e.blobCount(t))
		}
		rec, err = e.svc.AddWithFiles(e.spec1, visit(e.a.ID), []comms.Upload{up("截图.png", pngBytes), up("清单.txt", noteBytes)}, limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Files) != 2 || rec.Files[0].Name != "截图.png" || rec.Files[0].ContentType != "image/png" || rec.Files[1].Name != "清单.txt" ||
			rec.Files[1].Size != int64(len(noteBytes)) || rec.Files[0].OwnerID != rec.ID || rec.Files[0].UploadedBy == nil || *rec.Files[0].UploadedBy != e.spec1ID {
			t.Fatalf("files of the logged record %+v", rec.Files)
		}
		f, rc, err := e.svc.OpenFile(e.mgr, rec.Files[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name != "清单.txt" || !bytes.Equal(got, noteBytes) {
			t.Fatalf("opened %+v %q", f, got)
		}
		page, err := e.svc.List(e.spec1, comms.Filter{CustomerID: e.a.ID})
		if err != nil || len(page.Items) != 1 || len(page.Items[0].Files) != 2 {
			t.Fatalf("the list shows %+v %v", page, err)
		}

		blobs := e.blobCount(t)
		// A record spec1 may not log, a file of a type not taken, too many
		// files: refused, and nothing stored.
		_, err = e.svc.AddWithFiles(e.spec1, visit(e.b.ID), []comms.Upload{up("x.png", pngBytes)}, limit)
		wantField(t, err, apperr.KindForbidden, "")
		_, err = e.svc.AddWithFiles(e.spec1, visit(e.a.ID), []comms.Upload{up("a.exe", []byte("\x7fELF\x02\x01\x01\x00binary"))}, limit)
		wantField(t, err, apperr.KindInvalid, "file")
		_, err = e.svc.AddWithFiles(e.spec1, visit(e.a.ID), []comms.Upload{up("big.txt", bytes.Repeat([]byte("a"), 2048))}, 1024)
		wantField(t, err, apperr.KindTooLarge, "file")
		many := make([]comms.Upload, comms.MaxFilesPerUpload+1)
		for i := range many {
			many[i] = up("n.txt", noteBytes)
		}
		_, err = e.svc.AddWithFiles(e.spec1, visit(e.a.ID), many, limit)
		wantField(t, err, apperr.KindInvalid, "file")
		if p, _ := e.svc.List(e.mgr, comms.Filter{}); len(p.Items) != 1 {
			t.Fatalf("%d records after the refused ones", len(p.Items))
		}
		if n := e.blobCount(t); n != blobs {
			t.Fatalf("a refused record left %d blobs (had %d)", n, blobs)
		}

		// Files added later: the owner and managers may, others not.
		if _, err := e.svc.AttachFile(e.spec2, rec.ID, "x.png", bytes.NewReader(pngBytes), limit); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("spec2 attaches to spec1's record: %v", err)
		}
		if _, err := e.svc.AttachFile(e.info, rec.ID, "x.png", bytes.NewReader(pngBytes), limit); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("the information centre attaches: %v", err)
		}
		if _, err := e.svc.AttachFile(e.mgr, rec.ID, "回复.png", bytes.NewReader(pngBytes), limit); err != nil {
			t.Fatal(err)
		}
		fs, err := e.svc.Files(e.spec1, rec.ID)
		if err != nil || len(fs) != 3 || fs[2].Name != "回复.png" {
			t.Fatalf("files %+v %v", fs, err)
		}
		// Reading follows the record.
		if _, err := e.svc.Files(e.spec2, rec.ID); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("spec2 lists spec1's files: %v", err)
		}
		if _, _, err := e.svc.OpenFile(e.spec2, fs[0].ID); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("spec2 opens spec1's file: %v", err)
		}
		if _, _, err := e.svc.OpenFile(e.tech, fs[0].ID); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("a technician opens a file: %v", err)
		}
		if _, _, err := e.svc.OpenFile(e.mgr, "nope"); !apperr.Is(err, apperr.KindNotFound) {
			t.Fatalf("an unknown file: %v", err)
		}
		// A record matching no customer: the staff member it names may
		// attach, another specialist not.
		res, err := e.svc.Ingest(e.info, []comms.Input{{ExternalID: "u1", Channel: "phone_in", OccurredAt: "2026-03-05 09:30:00",
			Counterpart: "13900000009", StaffLogin: "spec1"}}, comms.SourceAPI)
		if err != nil || res[0].Matched {
			t.Fatalf("unmatched record %+v %v", res, err)
		}
		if _, err := e.svc.AttachFile(e.spec2, res[0].ID, "x.png", bytes.NewReader(pngBytes), limit); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("spec2 attaches to spec1's unmatched call: %v", err)
		}
		if f, err := e.svc.AttachFile(e.spec1, res[0].ID, "来电.txt", strings.NewReader("来电记录"), limit); err != nil || f.OwnerID != res[0].ID {
			t.Fatalf("spec1 attaches to their unmatched call: %+v %v", f, err)
		}
		var audited int
		if err := db.R().NewRaw("SELECT COUNT(*) FROM audit_log WHERE action = 'attach' AND entity = 'communication'").Scan(context.Background(), &audited); err != nil || audited != 4 {
			t.Fatalf("%d attachments audited, want 4: %v", audited, err)
		}
	})
}
