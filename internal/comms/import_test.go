package comms_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"kefu/internal/apperr"
	"kefu/internal/blob"
	"kefu/internal/comms"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/tabular"
)

func csvOf(t *testing.T, rows [][]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func (e *env) importer(t *testing.T, db *store.DB) *comms.Service {
	t.Helper()
	blobs, err := blob.OpenDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	return comms.NewService(db, func() time.Time { return now }, comms.Options{Location: shanghai, Owners: e.cust, Blobs: blobs})
}

func run(t *testing.T, svc *comms.Service, ctx context.Context, name string, data []byte, opts comms.ImportOptions) *comms.ImportReport {
	t.Helper()
	key, err := svc.StageImport(ctx, bytes.NewReader(data), 10<<20)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := svc.Import(ctx, key, name, opts)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return rep
}

func TestImportPBXLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		svc := e.importer(t, db)
		// A PBX's own headers, mapped once for the source 总机话单.
		rows := [][]string{
			{"CallerNo", "CalledNo", "BeginTime", "Connected", "Secs", "Agent"},
			{"13800000001", "8001", "2026/3/5 9:00:05", "否", "0", ""},            // missed call from 王经理
			{"8001", "13800000001", "2026-03-05 09:20:00", "是", "95", "spec1"},   // call back by spec1 (login)
			{"01055550000", "8002", "2026-03-05 09:30:00", "是", "40", "spec2"},   // unknown number, answered
			{"13800000001", "8001", "2026-03-05 25:00", "否", "0", ""},            // bad time
			{"13800000001", "8001", "2026-03-05 09:40:00", "是", "10", "nobody"},  // unknown agent
			{"13800000001", "13900000000", "2026-03-05 09:41:00", "是", "10", ""}, // direction unknown
		}
		mapping := map[string]string{"CallerNo": "caller", "CalledNo": "callee", "BeginTime": "start", "Connected": "answered", "Secs": "duration", "Agent": "agent"}
		gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(csvOf(t, rows))
		if err != nil {
			t.Fatal(err)
		}
		rep := run(t, svc, e.info, "话单.csv", gbk, comms.ImportOptions{Kind: comms.FilePBX, Source: "总机话单", Mapping: mapping})
		if !rep.Rejected || len(rep.Errors) != 3 || rep.Created != 0 {
			t.Fatalf("reject: %+v", rep)
		}
		for i, w := range []struct {
			line int
			col  string
		}{{5, "BeginTime"}, {6, "Agent"}, {7, "CallerNo"}} {
			if rep.Errors[i].Line != w.line || rep.Errors[i].Column != w.col {
				t.Errorf("error %d = %+v, want line %d column %s", i, rep.Errors[i], w.line, w.col)
			}
		}
		dry := run(t, svc, e.info, "话单.csv", gbk, comms.ImportOptions{Kind: comms.FilePBX, Source: "总机话单", Mapping: mapping, DryRun: true, SkipBad: true})
		if dry.Created != 3 || dry.Applied {
			t.Fatalf("dry run: %+v", dry)
		}
		if p, _ := e.svc.List(e.mgr, comms.Filter{}); len(p.Items) != 0 {
			t.Fatalf("the dry run stored %d records", len(p.Items))
		}
		rep = run(t, svc, e.info, "话单.csv", gbk, comms.ImportOptions{Kind: comms.FilePBX, Source: "总机话单", Mapping: mapping, SkipBad: true})
		if !rep.Applied || rep.Created != 3 || rep.Unmatched != 1 {
			t.Fatalf("skip bad: %+v", rep)
		}
		p, _ := e.svc.List(e.mgr, comms.Filter{CustomerID: e.a.ID})
		if len(p.Items) != 2 || p.Items[0].Channel != "phone_out" || p.Items[1].Channel != "phone_missed" || p.Items[0].StaffName != "spec1" {
			t.Fatalf("records %+v", p.Items)
		}
		// The same file again, without naming the mapping: the source remembers it; nothing new.
		again := run(t, svc, e.info, "话单-再次.csv", gbk, comms.ImportOptions{Source: "总机话单", SkipBad: true})
		if again.Created != 0 || again.Unchanged != 3 || again.Kind != comms.FilePBX {
			t.Fatalf("again: %+v", again)
		}
		if _, err := svc.StageImport(e.spec1, bytes.NewReader(gbk), 1<<20); !apperr.Is(err, apperr.KindForbidden) {
			t.Fatalf("specialist stages a call log: %v", err)
		}
	})
}

func TestImportWeChatExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		svc := e.importer(t, db)
		rows := [][]string{
			{"群名称", "发送人", "时间", "内容"},
			{"国贸物业服务群", "王经理", "2026-03-05 09:00:00", "空调不制冷"},
			{"国贸物业服务群", "王经理", "2026-03-05 09:01:00", "在吗"},
			{"国贸物业服务群", "spec1", "2026-03-05 09:05:00", "马上安排师傅"}, // 5 minutes: late
		}
		var x bytes.Buffer
		if err := tabular.WriteXLSX(&x, rows[0], rows[1:]); err != nil {
			t.Fatal(err)
		}
		rep := run(t, svc, e.info, "群聊.xlsx", x.Bytes(), comms.ImportOptions{Kind: comms.FileWeChat})
		if !rep.Applied || rep.Created != 3 || rep.Unmatched != 0 {
			t.Fatalf("import: %+v", rep)
		}
		var n int
		if err := db.R().NewRaw("SELECT COUNT(*) FROM events WHERE type = 'wechat_timeout'").Scan(context.Background(), &n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("%d WeChat timeouts after the import, want 1", n)
		}
		if again := run(t, svc, e.info, "群聊.xlsx", x.Bytes(), comms.ImportOptions{Kind: comms.FileWeChat}); again.Unchanged != 3 || again.Created != 0 {
			t.Fatalf("again: %+v", again)
		}
	})
}
