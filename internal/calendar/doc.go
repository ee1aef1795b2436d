// Package calendar is the company work calendar (工作日历): civil dates, working
// hours, PRC statutory holidays (法定节假日) and adjusted working weekends (调休上班),
// and the business-time arithmetic that SLA clocks and appraisal deadlines are built
// on (SPEC §2).
//
// The package is pure: it depends only on the standard library and lunar-go's
// holiday table, keeps no global state, does no I/O except reading what it is
// given, and never logs. A [Calendar] is immutable after [New] and safe for
// concurrent use.
//
// # Conventions
//
//   - Instants are [time.Time]; every time returned by a [Calendar] method is in the
//     calendar's Location, with no monotonic clock reading.
//   - Working time is a set of half-open intervals [window start, window end) on
//     working days. A window end instant itself is not working time.
//   - A deadline is an instant. A thing is on time when done <= deadline and
//     overdue when done > deadline (see [IsOverdue]); a reply exactly at the limit is
//     on time.
//   - The end of a day (a deadline given as a date: "the 25th") is the first instant
//     of the next day, i.e. next midnight in company time ([Calendar.EndOfDay]).
//     Because done == deadline is on time, something done at 23:59:59.999 on the
//     25th is on time and something done at 00:00:00.001 on the 26th is one day
//     overdue. Using next midnight (not 23:59:59) leaves no gap and makes overdue
//     days start at midnight.
//   - Wall-clock times that do not exist because of a DST jump are mapped to the
//     instant the clock jumps (02:30 on a spring-forward day means 03:00); wall-clock
//     times that occur twice mean their first occurrence.
package calendar
