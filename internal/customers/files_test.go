package customers_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/customers"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

var (
	pdfBytes  = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n")
	pngBytes  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"), make([]byte, 64)...)
	textBytes = []byte("纸质原件存放于档案柜 A-01。\nPaper originals: cabinet A-01.\n")
	jpegBytes = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00}, make([]byte, 600)...)
	exeBytes  = append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00"), make([]byte, 512)...)
	xlsBytes  = append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...)
)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestFiles(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer("档案客户", e.r1, e.spec1)
		const limit = 1 << 20

		good := []struct {
			name  string
			data  []byte
			ctype string
		}{
			{"维保合同.pdf", pdfBytes, "application/pdf"},
			{"现场照片.png", pngBytes, "image/png"},
			{"照片.jpg", jpegBytes, "image/jpeg"},
			{"说明.txt", textBytes, "text/plain; charset=utf-8"},
			// The content decides, not the name.
			{"看起来像图片.png", pdfBytes, "application/pdf"},
		}
		ids := map[string][]byte{}
		for _, g := range good {
			f, err := e.svc.AddFile(e.asSpec1, c.ID, g.name, "合同", bytes.NewReader(g.data), limit, customers.Change{})
			if err != nil {
				t.Errorf("%s: %v", g.name, err)
				continue
			}
			if f.Name != g.name || f.ContentType != g.ctype || f.Size != int64(len(g.data)) || f.SHA256 != sha(g.data) ||
				deref(f.UploadedBy) != e.spec1.ID || f.OwnerID != c.ID || f.Category != "合同" {
				t.Errorf("%s stored as %+v", g.name, f)
			}
			ids[f.ID] = g.data
			meta, rc, err := e.svc.OpenFile(e.asTech, f.ID) // anyone who reads the customer
			if err != nil {
				t.Errorf("open %s: %v", g.name, err)
				continue
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			ok(t, err)
			if !bytes.Equal(got, g.data) || meta.Name != g.name {
				t.Errorf("%s: read back %d bytes (name %q), want %d", g.name, len(got), meta.Name, len(g.data))
			}
		}
		// The PDF was uploaded twice (under two names): one blob.
		blobs := e.blobFiles()
		if len(blobs) != 4 {
			t.Errorf("blob store holds %d files, want 4 distinct contents: %v", len(blobs), blobs)
		}
		list, err := e.svc.Files(e.asSpec1, c.ID)
		ok(t, err)
		if len(list) != len(ids) {
			t.Errorf("Files lists %d, uploaded %d", len(list), len(ids))
		}
		pdfs := 0
		for _, f := range list {
			if f.SHA256 == sha(pdfBytes) {
				pdfs++
			}
		}
		if pdfs != 2 {
			t.Errorf("%d file records share the PDF's sha256, want 2", pdfs)
		}
		// Each upload is an archive change.
		uploads := 0
		for _, ch := range e.history(c.ID) {
			if ch.Entity == "file" && ch.Action == "create" {
				uploads++
			}
		}
		if uploads != len(ids) {
			t.Errorf("%d upload entries in the history, want %d", uploads, len(ids))
		}

		before := e.snapshot()
		blobsBefore := len(e.blobFiles())
		bad := []struct {
			name  string
			file  string
			data  []byte
			limit int64
			kind  apperr.Kind
		}{
			{"exe", "setup.exe", exeBytes, limit, apperr.KindInvalid},
			{"exe named pdf", "合同.pdf", exeBytes, limit, apperr.KindInvalid},
			{"legacy xls", "旧表.xls", xlsBytes, limit, apperr.KindInvalid},
			{"empty", "空.pdf", nil, limit, apperr.KindInvalid},
			{"binary junk", "x.bin", []byte{0, 1, 2, 3, 0, 0, 0xFE}, limit, apperr.KindInvalid},
			{"over the limit", "大.pdf", append(append([]byte{}, pdfBytes...), make([]byte, 4096)...), 4096, apperr.KindTooLarge},
			{"climbs up", "../../etc/passwd.pdf", pdfBytes, limit, apperr.KindInvalid},
			{"dot dot", "..", pdfBytes, limit, apperr.KindInvalid},
			{"absolute", "/etc/passwd.pdf", pdfBytes, limit, apperr.KindInvalid},
			{"slash", "a/b.pdf", pdfBytes, limit, apperr.KindInvalid},
			{"backslash", `a\b.pdf`, pdfBytes, limit, apperr.KindInvalid},
			{"windows climb", `..\..\boot.ini`, pdfBytes, limit, apperr.KindInvalid},
			{"blank name", "   ", pdfBytes, limit, apperr.KindInvalid},
			{"control character", "a\x00b.pdf", pdfBytes, limit, apperr.KindInvalid},
			{"newline", "a\nb.pdf", pdfBytes, limit, apperr.KindInvalid},
			{"name 121 chars", strings.Repeat("名", 117) + ".pdf", pdfBytes, limit, apperr.KindInvalid},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.AddFile(e.asSpec1, c.ID, tc.file, "", bytes.NewReader(tc.data), tc.limit, customers.Change{})
				wantErr(t, err, tc.kind, "file")
			})
		}
		e.sameCounts(before, "refused uploads")
		if n := len(e.blobFiles()); n != blobsBefore {
			t.Errorf("refused uploads left %d blobs (had %d)", n, blobsBefore)
		}
		// Exactly at the limit is fine.
		exact := append(append([]byte{}, pdfBytes...), bytes.Repeat([]byte("x"), 4096-len(pdfBytes))...)
		_, err = e.svc.AddFile(e.asSpec1, c.ID, "刚好.pdf", "", bytes.NewReader(exact), 4096, customers.Change{})
		ok(t, err)

		// Permissions.
		_, err = e.svc.AddFile(e.asSpec2, c.ID, "越权.pdf", "", bytes.NewReader(pdfBytes), limit, customers.Change{})
		wantErr(t, err, apperr.KindForbidden, "")
		_, err = e.svc.AddFile(e.asTech, c.ID, "越权.pdf", "", bytes.NewReader(pdfBytes), limit, customers.Change{})
		wantErr(t, err, apperr.KindForbidden, "")
		// A refused upload of new content stores no bytes.
		nBlobs := len(e.blobFiles())
		_, err = e.svc.AddFile(e.asSpec2, c.ID, "新内容.pdf", "", strings.NewReader("%PDF-1.7 never stored"), limit, customers.Change{})
		wantErr(t, err, apperr.KindForbidden, "")
		if n := len(e.blobFiles()); n != nBlobs {
			t.Errorf("forbidden upload stored a blob: %d → %d", nBlobs, n)
		}
		_, err = e.svc.AddFile(e.asSpec1, store.NewID(), "无客户.pdf", "", bytes.NewReader(pdfBytes), limit, customers.Change{})
		wantErr(t, err, apperr.KindNotFound, "")
		_, _, err = e.svc.OpenFile(e.asSpec1, store.NewID())
		wantErr(t, err, apperr.KindNotFound, "")
		e2 := customers.NewService(db, e.blobs, e.clock.Now, customers.Options{Location: shanghai})
		for id := range ids {
			_, _, err = e2.OpenFile(e.asSpec2, id)
			wantErr(t, err, apperr.KindForbidden, "")
			break
		}
	})
}

func TestCleanFileNameAllowsDotsInsideNames(t *testing.T) {
	for _, ok := range []string{"合同..v2.pdf", "a.b.c.txt", "..hidden"} {
		if _, err := customers.CleanFileName(ok); err != nil {
			t.Errorf("CleanFileName(%q) = %v, want accepted", ok, err)
		}
	}
	for _, bad := range []string{"..", "../x", `..\x`, "a/b", "", "."} {
		if _, err := customers.CleanFileName(bad); err == nil {
			t.Errorf("CleanFileName(%q) accepted", bad)
		}
	}
}
