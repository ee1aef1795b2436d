package schedule

import (
	"slices"
	"strings"
)

// Status is the state of a stored occurrence (its work order).
type Status string

// Statuses of a stored occurrence.
const (
	StatusPlanned    Status = "planned"    // 计划中, not yet dispatched (未派工)
	StatusDispatched Status = "dispatched" // 已派工
	StatusDone       Status = "done"       // 已完成
	StatusCancelled  Status = "cancelled"  // 已取消
)

// Existing is a stored occurrence: its key and status.
type Existing struct {
	Key    string
	Status Status
}

// Diff compares the stored occurrences with a fresh plan (from [Generate]):
//
//   - add: planned occurrences with no stored row, or only cancelled rows (the
//     caller inserts them, or sets the cancelled row back to planned);
//   - keep: planned occurrences with a live stored row (planned, dispatched,
//     done, or an unknown status); the caller may move a row that is still
//     planned to the occurrence's new date and window;
//   - cancel: stored rows with status planned whose key is not planned any more,
//     sorted by key, one per key.
//
// Dispatched and done rows are never cancelled; neither are rows of an unknown
// status. add and keep keep the plan's order; a key planned twice counts once.
// Diff of a plan against rows stored from the same plan adds and cancels
// nothing.
func Diff(existing []Existing, planned []Occurrence) (add, keep []Occurrence, cancel []Existing) {
	live := make(map[string]bool, len(existing))
	for _, e := range existing {
		if e.Status != StatusCancelled {
			live[e.Key] = true
		}
	}
	inPlan := make(map[string]bool, len(planned))
	for _, o := range planned {
		if inPlan[o.Key] {
			continue
		}
		inPlan[o.Key] = true
		if live[o.Key] {
			keep = append(keep, o)
		} else {
			add = append(add, o)
		}
	}
	cancelled := map[string]bool{}
	for _, e := range existing {
		if e.Status == StatusPlanned && !inPlan[e.Key] && !cancelled[e.Key] {
			cancelled[e.Key] = true
			cancel = append(cancel, e)
		}
	}
	slices.SortFunc(cancel, func(a, b Existing) int { return strings.Compare(a.Key, b.Key) })
	return add, keep, cancel
}
