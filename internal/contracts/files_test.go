package contracts_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/contracts"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestContractAndQuoteFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := importEnv(t, db)
		c := e.customer("国贸物业", e.r1, e.spec1)
		k := e.contract(e.asMgr, maint("HT-1", c, "2026-01-01", "2026-12-31"))
		pdf := []byte("%PDF-1.4 scanned contract")
		f, err := e.svc.AttachFile(e.asSpec1, "contract", k.ID, "合同扫描件.pdf", "扫描件", bytes.NewReader(pdf), 1<<20)
		if err != nil || f.ContentType != "application/pdf" || f.Size != int64(len(pdf)) {
			t.Fatalf("attach %+v %v", f, err)
		}
		cases := []struct {
			name  string
			ctx   any
			file  string
			body  string
			kind  apperr.Kind
			field string
			limit int64
			owner string
			okind string
		}{
			{"another specialist", e.asSpec2, "x.pdf", "%PDF-1", apperr.KindForbidden, "", 1 << 20, k.ID, "contract"},
			{"path traversal", e.asSpec1, "../../etc/passwd", "%PDF-1", apperr.KindInvalid, "file", 1 << 20, k.ID, "contract"},
			{"executable", e.asSpec1, "a.exe", "MZ\x90\x00\x03\x00\x00\x00", apperr.KindInvalid, "file", 1 << 20, k.ID, "contract"},
			{"empty", e.asSpec1, "a.pdf", "", apperr.KindInvalid, "file", 1 << 20, k.ID, "contract"},
			{"too large", e.asSpec1, "a.pdf", "%PDF-" + strings.Repeat("x", 2000), apperr.KindTooLarge, "file", 1000, k.ID, "contract"},
			{"unknown contract", e.asSpec1, "a.pdf", "%PDF-1", apperr.KindNotFound, "", 1 << 20, "nope", "contract"},
			{"bad kind", e.asSpec1, "a.pdf", "%PDF-1", apperr.KindInvalid, "owner_kind", 1 << 20, k.ID, "customer"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.AttachFile(ctxOf(tc.ctx), tc.okind, tc.owner, tc.file, "", strings.NewReader(tc.body), tc.limit)
				wantErr(t, err, tc.kind, tc.field)
			})
		}
		list, err := e.svc.Files(e.asFin, "contract", k.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("files %+v %v", list, err)
		}
		got, rc, err := e.svc.OpenFile(e.asExec, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if got.Name != "合同扫描件.pdf" || !bytes.Equal(b, pdf) {
			t.Fatalf("opened %q %q", got.Name, b)
		}
		if _, _, err := e.svc.OpenFile(e.asSpec2, f.ID); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("spec2 opens spec1's contract file: %v", err)
		}
		// A quote's file.
		n, _ := e.svc.CreateNeed(e.asSpec1, contracts.NeedInput{CustomerID: c.ID, Title: "改造"})
		q, err := e.svc.AddQuote(e.asSpec1, n.ID, contracts.QuoteInput{Number: "Q-1", Lines: []contracts.QuoteLineInput{{Item: "x", Quantity: 1, UnitPriceFen: 100}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AttachFile(e.asSpec1, "quote", q.ID, "报价单.pdf", "", bytes.NewReader(pdf), 1<<20); err != nil {
			t.Fatal(err)
		}
		if qs, _ := e.svc.Files(e.asSpec1, "quote", q.ID); len(qs) != 1 {
			t.Fatalf("quote files %d", len(qs))
		}
	})
}
