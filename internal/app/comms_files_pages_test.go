package app_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kefu/internal/app/apptest"
	"kefu/internal/comms"
)

// postFiles posts a multipart form with fields and files (each part
// named "file", as the quick-log's multiple file input sends them).
func (w *contractWorld) postFiles(path, login string, fields url.Values, files ...[2]string) (*http.Response, string) {
	w.t.Helper()
	ups := make([]upFile, len(files))
	for i, f := range files {
		ups[i] = upFile{f[0], []byte(f[1])}
	}
	resp, body := w.sendMultipart(path, login, fields, ups...)
	return resp, html.UnescapeString(body)
}

// TestCommFilePages: files sent with the quick-log on the customer page
// and with a reply on the queue are stored with their record and linked
// where records are shown; a bad file keeps the form with the error and
// stores nothing; more files are added on the record's page; the
// download follows the record's readers.
func TestCommFilePages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		w := newContractWorld(t, in)
		cid := w.customer.ID
		at, _ := commsAt(in)
		png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + strings.Repeat("\x00", 64)
		form := url.Values{"channel": {"wechat_private"}, "direction": {"in"}, "occurred_at": {at}, "summary": {"王总发来漏水照片"}}

		// The forms send files.
		for _, path := range []string{"/customers/" + cid + "?tab=comms", "/communications"} {
			if _, body := w.do(http.MethodGet, path, "spec", nil); !strings.Contains(body, `enctype="multipart/form-data"`) ||
				!strings.Contains(body, `type="file" name="file" multiple`) {
				t.Errorf("%s: the quick-log sends no files", path)
			}
		}

		// A file of a type not taken: the form again, nothing stored.
		resp, body := w.postFiles("/customers/"+cid+"/communications", "spec", form, [2]string{"照片.png", png}, [2]string{"a.exe", "\x7fELF\x02\x01\x01\x00binary"})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "附件：") || !strings.Contains(body, "王总发来漏水照片") ||
			!strings.Contains(body, `data-testid="comm-log-form"`) {
			t.Fatalf("bad file: status %d, error %q", resp.StatusCode, errorText(body))
		}
		if page, _ := in.App.Comms.List(w.as("mgr"), comms.Filter{CustomerID: cid}); len(page.Items) != 0 {
			t.Fatalf("a refused quick-log stored %d records", len(page.Items))
		}

		resp, body = w.postFiles("/customers/"+cid+"/communications", "spec", form, [2]string{"漏水.png", png}, [2]string{"说明.txt", "三楼机房漏水"})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("quick-log with files: status %d: %s", resp.StatusCode, errorText(body))
		}
		page, err := in.App.Comms.List(w.as("mgr"), comms.Filter{CustomerID: cid})
		if err != nil || len(page.Items) != 1 || len(page.Items[0].Files) != 2 {
			t.Fatalf("stored: %v %+v", err, page)
		}
		rec := page.Items[0]
		for _, path := range []string{"/customers/" + cid + "?tab=comms", "/communications", "/communications/" + rec.ID} {
			_, body := w.do(http.MethodGet, path, "spec", nil)
			for _, f := range rec.Files {
				if !strings.Contains(body, `href="/communication-files/`+f.ID+`"`) || !strings.Contains(html.UnescapeString(body), f.Name) {
					t.Errorf("%s does not link %s", path, f.Name)
				}
			}
		}
		dl, got := w.get("/communication-files/"+rec.Files[1].ID, "spec")
		if dl.StatusCode != http.StatusOK || string(got) != "三楼机房漏水" || !strings.Contains(dl.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("download: %d %q %v", dl.StatusCode, got, dl.Header)
		}
		if dl, _ := w.get("/communication-files/"+rec.Files[1].ID, "tech"); dl.StatusCode != http.StatusForbidden {
			t.Errorf("a technician downloads: %d", dl.StatusCode)
		}

		// More files on the record's page: the owner may, another
		// specialist not.
		if _, body := w.do(http.MethodGet, "/communications/"+rec.ID, "spec", nil); !strings.Contains(body, `action="/communications/`+rec.ID+`/files"`) {
			t.Error("the record's page offers no upload")
		}
		if resp, _ := w.postFiles("/communications/"+rec.ID+"/files", "spec2", nil, [2]string{"x.png", png}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("spec2 adds a file to spec's record: %d", resp.StatusCode)
		}
		resp, _ = w.postFiles("/communications/"+rec.ID+"/files", "spec", nil, [2]string{"补充.png", png})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/communications/"+rec.ID {
			t.Fatalf("add a file: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if fs, err := in.App.Comms.Files(w.as("spec"), rec.ID); err != nil || len(fs) != 3 || fs[2].Name != "补充.png" {
			t.Fatalf("files after adding: %+v %v", fs, err)
		}

		// A reply from the queue with a screenshot.
		now := in.App.Now().Truncate(time.Second)
		if _, err := in.App.Comms.Ingest(infoCenter(t, in), []comms.Input{{ExternalID: "wx-f1", Channel: "wechat_private", Direction: "in",
			OccurredAt: now.Add(-time.Minute).Format(time.RFC3339), CustomerID: cid, Conversation: "wxid_wang", Counterpart: "wxid_wang", Summary: "在吗"}},
			comms.SourceAPI); err != nil {
			t.Fatal(err)
		}
		q, err := in.App.Comms.Queue(w.as("spec"), w.staff["spec"].ID)
		if err != nil || len(q) != 1 {
			t.Fatalf("queue %+v %v", q, err)
		}
		if _, body := w.do(http.MethodGet, "/queue", "spec", nil); !strings.Contains(body, `data-testid="queue-reply-files"`) {
			t.Error("the queue's reply sends no files")
		}
		resp, body = w.postFiles("/queue/reply", "spec", url.Values{"key": {q[0].Key}, "occurred_at": {now.In(in.App.Location()).Format("2006-01-02T15:04:05")},
			"summary": {"已发维修安排"}}, [2]string{"安排.png", png})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reply with a file: %d: %s", resp.StatusCode, errorText(body))
		}
		replies, err := in.App.Comms.List(w.as("spec"), comms.Filter{Conversation: "wxid_wang"})
		if err != nil || len(replies.Items) != 2 || replies.Items[0].Direction != "out" || len(replies.Items[0].Files) != 1 ||
			replies.Items[0].Files[0].Name != "安排.png" {
			t.Fatalf("the reply: %v %+v", err, replies.Items)
		}
	})
}
