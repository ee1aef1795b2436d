package comms_test

import (
	"bytes"
	"slices"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/comms"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// The report of an import names the file's headers in file order,
// whatever happened to the rows: applied, dry run, a file rejected for
// its bad rows, a file whose columns cannot be mapped (the report comes
// with the error); blank headers are left out.
func TestImportReportHeaders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		svc := e.importer(t, db)
		good := []string{"13800000001", "8001", "2026-03-05 09:00:05", "否", "0"}
		bad := []string{"13800000001", "8001", "2026-03-05 25:00", "否", "0"}
		cases := []struct {
			name        string
			rows        [][]string
			opts        comms.ImportOptions
			wantHeaders []string
			wantErr     apperr.Kind // with the report
			wantApplied bool
			wantReject  bool
		}{
			{name: "applied", rows: [][]string{{"通话时长", "主叫号码", "被叫号码", "开始时间", "是否接通"}, {"0", good[0], good[1], good[2], good[3]}},
				opts: comms.ImportOptions{Kind: comms.FilePBX}, wantHeaders: []string{"通话时长", "主叫号码", "被叫号码", "开始时间", "是否接通"}, wantApplied: true},
			{name: "dry run", rows: [][]string{{"主叫号码", "被叫号码", "开始时间", "是否接通", "通话时长"}, good},
				opts: comms.ImportOptions{Kind: comms.FilePBX, DryRun: true}, wantHeaders: []string{"主叫号码", "被叫号码", "开始时间", "是否接通", "通话时长"}},
			{name: "rejected for a bad row", rows: [][]string{{"主叫号码", "被叫号码", "开始时间", "是否接通", "通话时长"}, good, bad},
				opts: comms.ImportOptions{Kind: comms.FilePBX}, wantHeaders: []string{"主叫号码", "被叫号码", "开始时间", "是否接通", "通话时长"}, wantReject: true},
			{name: "blank header left out", rows: [][]string{{"主叫号码", "", "被叫号码", "开始时间", "是否接通"}, {good[0], "x", good[1], "2026-03-05 09:30:05", good[3]}},
				opts: comms.ImportOptions{Kind: comms.FilePBX, DryRun: true}, wantHeaders: []string{"主叫号码", "被叫号码", "开始时间", "是否接通"}},
			{name: "columns not mapped", rows: [][]string{{"来电号", "分机", "时间", "接通"}, {good[0], good[1], good[2], good[3]}},
				opts: comms.ImportOptions{Kind: comms.FilePBX, DryRun: true}, wantHeaders: []string{"来电号", "分机", "时间", "接通"},
				wantErr: apperr.KindInvalid, wantReject: true},
		}
		for _, tc := range cases {
			key, err := svc.StageImport(e.info, bytes.NewReader(csvOf(t, tc.rows)), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := svc.Import(e.info, key, "话单.csv", tc.opts)
			if tc.wantErr != "" {
				if !apperr.Is(err, tc.wantErr) {
					t.Fatalf("%s: err %v, want %s", tc.name, err, tc.wantErr)
				}
			} else if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if rep == nil {
				t.Fatalf("%s: no report", tc.name)
			}
			if !slices.Equal(rep.Headers, tc.wantHeaders) || rep.Applied != tc.wantApplied || rep.Rejected != tc.wantReject {
				t.Fatalf("%s: headers %q applied %v rejected %v (%+v), want %q %v %v", tc.name, rep.Headers, rep.Applied, rep.Rejected, rep.Errors,
					tc.wantHeaders, tc.wantApplied, tc.wantReject)
			}
		}
	})
}
