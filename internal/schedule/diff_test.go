package schedule

import (
	"slices"
	"testing"
)

// stored returns the rows a caller would have stored for plan: every occurrence
// planned, except those named in status.
func stored(plan []Occurrence, status map[string]Status) []Existing {
	out := make([]Existing, 0, len(plan))
	for _, o := range plan {
		s, ok := status[o.Key]
		if !ok {
			s = StatusPlanned
		}
		out = append(out, Existing{Key: o.Key, Status: s})
	}
	return out
}

func TestDiff(t *testing.T) {
	monthly := line(FreqMonthly, 1)
	quarterly := Line{ID: "Q", ServiceType: TypeInspection, Frequency: FreqQuarterly}
	seasonal := Line{ID: "S", ServiceType: TypeSeasonal, Frequency: FreqSeasonal}
	gen := func(start, end string, lines ...Line) []Occurrence {
		return mustGenerate(t, contract(t, start, end, lines...), Options{})
	}
	q1 := gen("2026-01-01", "2026-03-31", monthly, quarterly)
	year := gen("2026-01-01", "2026-12-31", monthly)
	tests := []struct {
		name      string
		existing  []Existing
		planned   []Occurrence
		add, keep []string
		cancel    []string
		keepDates []string // brief(keep), when the dates matter
	}{
		{
			name:     "unchanged plan: everything kept, whatever its status",
			existing: stored(q1, map[string]Status{"L1|2026-01": StatusDone, "Q|2026Q1": StatusDone, "L1|2026-02": StatusDispatched}),
			planned:  q1,
			keep:     []string{"L1|2026-01", "Q|2026Q1", "L1|2026-02", "L1|2026-03"},
		},
		{
			name:     "contract extended by three months: only the new months added",
			existing: stored(q1, map[string]Status{"L1|2026-01": StatusDone, "Q|2026Q1": StatusDone, "L1|2026-02": StatusDispatched}),
			planned:  gen("2026-01-01", "2026-06-30", monthly, quarterly),
			add:      []string{"L1|2026-04", "Q|2026Q2", "L1|2026-05", "L1|2026-06"}, // plan order: by day, then key
			keep:     []string{"L1|2026-01", "Q|2026Q1", "L1|2026-02", "L1|2026-03"},
		},
		{
			name: "contract shortened to March: the planned months after it cancelled, dispatched and done work never",
			existing: stored(year, map[string]Status{
				"L1|2026-01": StatusDone, "L1|2026-02": StatusDone, "L1|2026-03": StatusDispatched,
				"L1|2026-04": StatusDispatched, // dispatched before the change: the caller decides, Diff does not cancel
				"L1|2026-05": StatusDone,       // done ahead of time: stays done
				"L1|2026-09": StatusCancelled,  // already cancelled: not cancelled again
			}),
			planned: gen("2026-01-01", "2026-03-31", monthly),
			keep:    []string{"L1|2026-01", "L1|2026-02", "L1|2026-03"},
			cancel:  []string{"L1|2026-06", "L1|2026-07", "L1|2026-08", "L1|2026-10", "L1|2026-11", "L1|2026-12"}, // sorted by key
		},
		{
			name:     "contract shortened mid-month: the second visit after the new end cancelled",
			existing: stored(gen("2026-04-01", "2026-05-31", line(FreqMonthly, 2)), map[string]Status{"L1|2026-04": StatusDone}),
			planned:  gen("2026-04-01", "2026-05-10", line(FreqMonthly, 2)), // 05#2 was on 05-16
			keep:     []string{"L1|2026-04", "L1|2026-04#2", "L1|2026-05"},
			cancel:   []string{"L1|2026-05#2"},
		},
		{
			name:     "shortened, then extended again: the cancelled visits come back as added",
			existing: stored(gen("2026-01-01", "2026-04-30", monthly), map[string]Status{"L1|2026-01": StatusDone, "L1|2026-03": StatusCancelled, "L1|2026-04": StatusCancelled}),
			planned:  gen("2026-01-01", "2026-04-30", monthly),
			add:      []string{"L1|2026-03", "L1|2026-04"},
			keep:     []string{"L1|2026-01", "L1|2026-02"},
		},
		{
			name: "seasonal line removed: its planned visit cancelled, the done one kept out of both lists",
			existing: stored(gen("2026-04-01", "2026-12-31", quarterly, seasonal), map[string]Status{
				"S|2026-cooling": StatusDone, "Q|2026Q2": StatusDone}),
			planned: gen("2026-04-01", "2026-12-31", quarterly),
			keep:    []string{"Q|2026Q2", "Q|2026Q3", "Q|2026Q4"},
			cancel:  []string{"S|2026-heating"},
		},
		{
			name:     "all lines removed (scope now repair only): every planned row cancelled",
			existing: stored(q1, map[string]Status{"L1|2026-01": StatusDone, "L1|2026-02": StatusDispatched}),
			planned:  gen("2026-01-01", "2026-03-31", Line{ID: "L1", ServiceType: TypeRepair, Frequency: FreqMonthly}),
			cancel:   []string{"L1|2026-03", "Q|2026Q1"},
		},
		{
			name: "monthly changed to quarterly: the monthly rows still planned cancelled, the quarters added, the past ones too",
			existing: stored(gen("2026-01-01", "2026-06-30", monthly), map[string]Status{
				"L1|2026-01": StatusDone, "L1|2026-02": StatusDone, "L1|2026-03": StatusDispatched}),
			planned: gen("2026-01-01", "2026-06-30", line(FreqQuarterly, 1)),
			add:     []string{"L1|2026Q1", "L1|2026Q2"},
			cancel:  []string{"L1|2026-04", "L1|2026-05", "L1|2026-06"},
		},
		{
			name:     "times raised from 1 to 2: only the #2 visits added",
			existing: stored(gen("2026-01-01", "2026-02-28", monthly), map[string]Status{"L1|2026-01": StatusDone}),
			planned:  gen("2026-01-01", "2026-02-28", line(FreqMonthly, 2)),
			add:      []string{"L1|2026-01#2", "L1|2026-02#2"},
			keep:     []string{"L1|2026-01", "L1|2026-02"},
		},
		{
			name:     "times lowered from 2 to 1: the #2 visits still planned cancelled",
			existing: stored(gen("2026-01-01", "2026-02-28", line(FreqMonthly, 2)), map[string]Status{"L1|2026-01#2": StatusDone}),
			planned:  gen("2026-01-01", "2026-02-28", monthly),
			keep:     []string{"L1|2026-01", "L1|2026-02"},
			cancel:   []string{"L1|2026-02#2"},
		},
		{
			name:      "start moved within the month: same keys, kept with the new dates",
			existing:  stored(gen("2026-01-01", "2026-03-31", monthly), map[string]Status{"L1|2026-01": StatusDone}),
			planned:   gen("2026-01-10", "2026-03-31", monthly),
			keep:      []string{"L1|2026-01", "L1|2026-02", "L1|2026-03"},
			keepDates: []string{"L1|2026-01@2026-01-10", "L1|2026-02@2026-02-10", "L1|2026-03@2026-03-10"},
		},
		{
			name:      "work calendar switched on: same keys, kept with the moved dates",
			existing:  stored(gen("2026-01-01", "2026-03-31", monthly), nil),
			planned:   mustGenerate(t, contract(t, "2026-01-01", "2026-03-31", monthly), Options{Calendar: office(t)}),
			keep:      []string{"L1|2026-01", "L1|2026-02", "L1|2026-03"},
			keepDates: []string{"L1|2026-01@2026-01-04~2026-01-01", "L1|2026-02@2026-02-02~2026-02-01", "L1|2026-03@2026-03-02~2026-03-01"},
		},
		{
			name:     "start moved into the next month: the first month's label goes, the others stay",
			existing: stored(gen("2026-01-20", "2026-04-19", monthly), nil),
			planned:  gen("2026-02-05", "2026-04-19", monthly),
			add:      []string{"L1|2026-04"}, // the period from 04-05
			keep:     []string{"L1|2026-02", "L1|2026-03"},
			cancel:   []string{"L1|2026-01"},
		},
		{
			name: "duplicate rows for a key: kept or cancelled once; a done or dispatched duplicate stays",
			existing: []Existing{
				{"L1|2026-01", StatusDone}, {"L1|2026-01", StatusPlanned}, // live twice, planned: kept once
				{"L1|2026-02", StatusCancelled}, {"L1|2026-02", StatusPlanned}, // one live row: kept
				{"L1|2026-03", StatusCancelled}, {"L1|2026-03", StatusCancelled}, // none live: added once
				{"L1|2026-07", StatusPlanned}, {"L1|2026-07", StatusPlanned}, // not planned: cancelled once
				{"L1|2026-08", StatusDone}, {"L1|2026-08", StatusPlanned}, // not planned: the planned duplicate cancelled
				{"L1|2026-09", StatusDispatched}, {"L1|2026-09", StatusDone}, // not planned: nothing
			},
			planned: gen("2026-01-01", "2026-03-31", monthly),
			add:     []string{"L1|2026-03"},
			keep:    []string{"L1|2026-01", "L1|2026-02"},
			cancel:  []string{"L1|2026-07", "L1|2026-08"},
		},
		{
			name:     "a key planned twice counts once",
			existing: []Existing{{"L1|2026-01", StatusPlanned}},
			planned:  slices.Concat(gen("2026-01-01", "2026-02-28", monthly), gen("2026-01-01", "2026-02-28", monthly)),
			add:      []string{"L1|2026-02"},
			keep:     []string{"L1|2026-01"},
		},
		{
			name: "unknown statuses are live, like dispatched: kept when planned, never cancelled",
			existing: []Existing{
				{"L1|2026-01", Status("")}, {"L1|2026-02", Status("paused")},
				{"L1|2026-05", Status("")}, {"L1|2026-06", Status("on_hold")}, {"L1|2026-07", Status("PLANNED")},
			},
			planned: gen("2026-01-01", "2026-02-28", monthly),
			keep:    []string{"L1|2026-01", "L1|2026-02"},
		},
		{
			name: "nothing stored, nothing planned",
		},
		{
			name:    "nothing stored: everything added",
			planned: q1,
			add:     []string{"L1|2026-01", "Q|2026Q1", "L1|2026-02", "L1|2026-03"},
		},
		{
			name:     "nothing planned: only the planned rows cancelled",
			existing: stored(q1, map[string]Status{"L1|2026-01": StatusDone, "Q|2026Q1": StatusDispatched, "L1|2026-02": StatusCancelled}),
			cancel:   []string{"L1|2026-03"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			existing := slices.Clone(tt.existing)
			planned := slices.Clone(tt.planned)
			add, keep, cancel := Diff(existing, planned)
			if !slices.Equal(keys(add), nonNil(tt.add)) {
				t.Errorf("add    %v\nwant   %v", keys(add), tt.add)
			}
			if !slices.Equal(keys(keep), nonNil(tt.keep)) {
				t.Errorf("keep   %v\nwant   %v", keys(keep), tt.keep)
			}
			if !slices.Equal(existingKeys(cancel), nonNil(tt.cancel)) {
				t.Errorf("cancel %v\nwant   %v", existingKeys(cancel), tt.cancel)
			}
			if tt.keepDates != nil && !slices.Equal(brief(keep), tt.keepDates) {
				t.Errorf("kept   %v\nwant   %v", brief(keep), tt.keepDates)
			}
			checkDiff(t, tt.existing, tt.planned, add, keep, cancel)
			if !slices.Equal(existing, tt.existing) || !slices.Equal(planned, tt.planned) {
				t.Error("Diff changed its input")
			}
		})
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// checkDiff checks what Diff promises whatever the input: add and keep are the
// plan's distinct keys in plan order, split by whether a live row exists;
// cancel holds each key once, sorted, only rows with status planned and only
// keys not planned; dispatched and done rows are never cancelled.
func checkDiff(tb testing.TB, existing []Existing, planned []Occurrence, add, keep []Occurrence, cancel []Existing) {
	tb.Helper()
	live := map[string]bool{}
	for _, e := range existing {
		if e.Status != StatusCancelled {
			live[e.Key] = true
		}
	}
	inPlan := map[string]bool{}
	var wantAdd, wantKeep []string
	for _, o := range planned {
		if inPlan[o.Key] {
			continue
		}
		inPlan[o.Key] = true
		if live[o.Key] {
			wantKeep = append(wantKeep, o.Key)
		} else {
			wantAdd = append(wantAdd, o.Key)
		}
	}
	if !slices.Equal(keys(add), nonNil(wantAdd)) || !slices.Equal(keys(keep), nonNil(wantKeep)) {
		tb.Fatalf("add %v keep %v, want %v and %v", keys(add), keys(keep), wantAdd, wantKeep)
	}
	occurrences := make(map[Occurrence]bool, len(planned))
	for _, o := range planned {
		occurrences[o] = true
	}
	for i, o := range slices.Concat(add, keep) {
		if !occurrences[o] {
			tb.Fatalf("%d: %+v is not an occurrence of the plan", i, o)
		}
	}
	var wantCancel []string
	toCancel := map[string]bool{}
	for _, e := range existing {
		if e.Status == StatusPlanned && !inPlan[e.Key] && !toCancel[e.Key] {
			toCancel[e.Key] = true
			wantCancel = append(wantCancel, e.Key)
		}
	}
	slices.Sort(wantCancel)
	if !slices.Equal(existingKeys(cancel), nonNil(wantCancel)) {
		tb.Fatalf("cancel %v, want %v", existingKeys(cancel), wantCancel)
	}
	for _, e := range cancel {
		if e.Status != StatusPlanned {
			tb.Fatalf("cancel %v", e)
		}
	}
}
