package app_test

import (
	"net/url"
	"strings"
	"testing"

	"kefu/internal/app/apptest"
	"kefu/internal/contracts"
)

// The scanned contract is uploaded on the contract page, listed there and
// downloaded by whoever may read the contract; a quote's file likewise.
func TestContractFilesThroughThePages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		id := w.contract.ID
		pdf := "%PDF-1.4 扫描件"
		if st, _ := w.upload("/contracts/"+id+"/files", "spec2", url.Values{}, "x.pdf", pdf); st != 403 {
			t.Fatalf("spec2 uploads to spec's contract: HTTP %d", st)
		}
		if st, body := w.upload("/contracts/"+id+"/files", "spec", url.Values{}, "a.exe", "MZ\x90\x00"); st != 400 || !strings.Contains(body, "不支持的文件类型") {
			t.Fatalf("executable: HTTP %d %.200s", st, errorText(body))
		}
		if st, _ := w.upload("/contracts/"+id+"/files", "spec", url.Values{"category": {"扫描件"}}, "合同.pdf", pdf); st != 303 {
			t.Fatalf("upload: HTTP %d", st)
		}
		files, err := in.App.Contracts.Files(w.as("mgr"), "contract", id)
		if err != nil || len(files) != 1 {
			t.Fatalf("files %v %v", files, err)
		}
		if _, page := w.get("/contracts/"+id, "fin"); !strings.Contains(string(page), "/contract-files/"+files[0].ID) || !strings.Contains(string(page), "合同.pdf") {
			t.Fatal("the contract page does not list the file")
		}
		resp, b := w.get("/contract-files/"+files[0].ID, "exec")
		if resp.StatusCode != 200 || string(b) != pdf || resp.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("download: HTTP %d %q %s", resp.StatusCode, b, resp.Header.Get("Content-Type"))
		}
		if resp, _ := w.get("/contract-files/"+files[0].ID, "tech"); resp.StatusCode != 403 {
			t.Fatalf("technician downloads: HTTP %d", resp.StatusCode)
		}
		n, err := in.App.Contracts.CreateNeed(w.as("spec"), contracts.NeedInput{CustomerID: w.customer.ID, Title: "改造"})
		if err != nil {
			t.Fatal(err)
		}
		q, err := in.App.Contracts.AddQuote(w.as("spec"), n.ID, contracts.QuoteInput{Number: "Q-1", Lines: []contracts.QuoteLineInput{{Item: "x", Quantity: 1, UnitPriceFen: 100}}})
		if err != nil {
			t.Fatal(err)
		}
		if st, _ := w.upload("/quotes/"+q.ID+"/files", "spec", url.Values{"need_id": {n.ID}}, "报价单.pdf", pdf); st != 303 {
			t.Fatalf("quote upload: HTTP %d", st)
		}
		if _, page := w.get("/needs/"+n.ID, "spec"); !strings.Contains(string(page), "报价单.pdf") {
			t.Fatal("the need page does not list the quote file")
		}
	})
}
