package contracts_test

import (
	"testing"

	"kefu/internal/contracts"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestAgeingBucketBoundaries puts an open installment on each side of
// every bucket boundary (0/1, 30/31, 90/91 days overdue) and checks that
// the bucket a row shows, the bucket filter and the bucket totals agree.
func TestAgeingBucketBoundaries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // today 2026-03-05
		c := e.customer("国贸物业", e.r1, e.spec1)
		rows := []struct {
			due     string
			fen     int64
			overdue int
			bucket  string
		}{
			{"2026-03-06", 100, 0, "not_due"},    // due tomorrow
			{"2026-03-05", 200, 0, "not_due"},    // due today: not yet overdue
			{"2026-03-04", 400, 1, "1_30"},       // 1 day
			{"2026-02-03", 800, 30, "1_30"},      // 30 days
			{"2026-02-02", 1_600, 31, "31_90"},   // 31 days
			{"2025-12-05", 3_200, 90, "31_90"},   // 90 days
			{"2025-12-04", 6_400, 91, "90_plus"}, // 91 days
		}
		in := maint("HT-AGE", c, "2025-06-01", "2026-05-31")
		in.Installments, in.AmountFen = nil, 0
		for _, r := range rows {
			in.Installments = append(in.Installments, contracts.InstallmentInput{DueOn: r.due, AmountFen: r.fen})
			in.AmountFen += r.fen
		}
		e.contract(e.asMgr, in)

		all, err := e.svc.Receivables(e.asMgr, contracts.ReceivableFilter{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]contracts.ReceivableRow{}
		for _, r := range all.Rows {
			got[r.DueOn] = r
		}
		want := map[string]int64{}
		for _, w := range rows {
			r, ok := got[w.due]
			if !ok {
				t.Errorf("due %s: not in the report", w.due)
				continue
			}
			if r.Bucket != w.bucket || r.DaysOverdue != w.overdue {
				t.Errorf("due %s: bucket %s, %d days overdue; want %s, %d", w.due, r.Bucket, r.DaysOverdue, w.bucket, w.overdue)
			}
			want[w.bucket] += w.fen
		}
		for _, b := range contracts.Buckets {
			if all.Totals[b] != want[b] {
				t.Errorf("total of %s = %d, want %d", b, all.Totals[b], want[b])
			}
		}
		// The filter selects exactly the rows the report puts in the bucket.
		for _, b := range contracts.Buckets {
			page, err := e.svc.Receivables(e.asMgr, contracts.ReceivableFilter{Bucket: b})
			if err != nil {
				t.Fatal(err)
			}
			var sum int64
			for _, r := range page.Rows {
				if r.Bucket != b {
					t.Errorf("filter %s returns due %s in bucket %s", b, r.DueOn, r.Bucket)
				}
				sum += r.OpenFen
			}
			var n int
			for _, w := range rows {
				if w.bucket == b {
					n++
				}
			}
			if len(page.Rows) != n || sum != want[b] {
				t.Errorf("filter %s: %d rows summing %d, want %d rows summing %d", b, len(page.Rows), sum, n, want[b])
			}
		}
	})
}
