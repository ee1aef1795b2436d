package fieldwork

import (
	"time"

	"kefu/internal/calendar"
)

// DispatchPolicy holds the timeliness rules of dispatch (派单及时, SPEC §6.1
// and §6.2).
type DispatchPolicy struct {
	// ProjectWorkingDays: a project is created and its work dispatched
	// within this many working days of customer service receiving the
	// contract (接到立项合同后 1 个工作日内).
	ProjectWorkingDays int `json:"project_working_days"`
	// PlannedLeadDays: planned work (inspection, seasonal maintenance,
	// construction) is dispatched at least this many days before its
	// planned day.
	PlannedLeadDays int `json:"planned_lead_days"`
	// RepairMinutes: a fault repair is dispatched within this many minutes
	// of its ticket.
	RepairMinutes int `json:"repair_minutes"`
}

// DefaultDispatchPolicy is SPEC §6: 1 working day, 2 days ahead, 30 minutes.
func DefaultDispatchPolicy() DispatchPolicy {
	return DispatchPolicy{ProjectWorkingDays: 1, PlannedLeadDays: 2, RepairMinutes: 30}
}

// ProjectDue is when the work of a contract received on day received must
// be dispatched: the end of the ProjectWorkingDays-th working day after
// it (a contract received on Friday → the end of Monday; holidays
// skipped, 调休 Saturdays counted).
func (p DispatchPolicy) ProjectDue(cal *calendar.Calendar, received calendar.Date) time.Time {
	return cal.EndOfDay(cal.NthWorkingDayAfter(received, p.ProjectWorkingDays))
}

// PlannedDue is when planned work for day planned must be dispatched:
// the end of the day PlannedLeadDays before it (work planned for the
// 12th, 2 days ahead → dispatched by the end of the 10th).
func (p DispatchPolicy) PlannedDue(cal *calendar.Calendar, planned calendar.Date) time.Time {
	return cal.EndOfDay(planned.AddDays(-p.PlannedLeadDays))
}

// RepairDue is when a repair whose ticket came in at received must be
// dispatched (wall-clock minutes: a breakdown does not wait for office
// hours).
func (p DispatchPolicy) RepairDue(received time.Time) time.Time {
	return received.Add(time.Duration(p.RepairMinutes) * time.Minute)
}

// Lateness of a dispatch (派单逾期): the event's quantity. A project's
// deadline is in working days, so its lateness counts the working days
// begun after it (calendar.WorkingDaysOverdue); planned work and repairs
// count started 24-hour periods (calendar.DaysOverdue). 0 when on time;
// pass the current time for work not yet dispatched.
func ProjectDaysLate(cal *calendar.Calendar, due, dispatched time.Time) int {
	return cal.WorkingDaysOverdue(due, dispatched)
}

// DaysLate is the lateness of planned work or a repair in days.
func DaysLate(due, dispatched time.Time) int { return calendar.DaysOverdue(due, dispatched) }
