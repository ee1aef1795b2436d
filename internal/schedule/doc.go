// Package schedule plans recurring maintenance (维保计划): from a contract's
// period and the frequency of each scope line (服务内容: 巡检 inspection, 换季保养
// seasonal maintenance, 施工 construction, …) it lists the planned work orders
// (计划派工) of the contract period, and [Diff] says how to bring the stored plan in
// line after the contract changed: add what is new, keep what is there, cancel
// only what was not yet dispatched (未派工) — 已派工/已完成 work is never cancelled.
//
// # Keys
//
// Every [Occurrence] has a deterministic key: the scope line id, "|", the period
// label, and "#k" for the k-th visit of a period when Times > 1 (the first visit
// has no suffix, so raising Times from 1 to 2 only adds "#2"):
//
//	L123|2026-03       monthly, the service month beginning in March 2026
//	L123|2026-03#2     its second visit (Times = 2)
//	L123|2026-W09      weekly (ISO week of the visit's week start)
//	L123|2026Q2        quarterly
//	L123|2026H1        half-yearly (上半年 H1, 下半年 H2)
//	L123|2026          yearly
//	L123|2026-cooling  seasonal, before the cooling season (制冷季) starting in 2026
//	L123|2026-heating  seasonal, before the heating season (供暖季) starting in 2026
//	L123|once          once (一次性)
//
// The caller stores the key with the work order and upserts by it, so generating
// again with the same input changes nothing.
//
// # Rules
//
// Service periods (服务周期) are counted from the contract start (合同开始日), the
// way a contract's "每月一次" is read: a monthly line's k-th period begins k months
// after the start, on the start's day of the month, clamped to the month's last
// day (a contract from 01-31 plans 01-31, 02-28 (02-29 in a leap year), 03-31,
// 04-30, …; the day never drifts). Quarterly, half-yearly and yearly lines step 3,
// 6 and 12 months the same way; weekly lines step 7 days (the start's weekday).
// A contract from the 1st therefore plans on the 1st of every month, quarter,
// half-year or year, and its periods are calendar months, quarters, halves and
// years. The period label names the calendar month, quarter, half-year, year or
// ISO week in which the service period begins; steps of a whole period always
// land in different calendar periods, so labels never repeat.
//
// The first visit of a period is planned on the period's first day; with Times = n
// > 1 the n visits are spread evenly over the period: visit j (0-based) on day
// floor(j·len/n) of a period len days long (monthly, Times 2, from the 1st of a
// 30-day month: the 1st and the 16th).
//
// Partial periods: the first period always starts on the contract start (a
// contract starting mid-month plans its first visit on its first day). The last
// period is cut at the contract end (合同结束日, inclusive); visits planned after the
// end are dropped. A one-year contract from 2026-03-20 to 2027-03-19 thus has
// exactly 12 monthly, 4 quarterly, 2 half-yearly and 1 yearly visits, never one
// more for the stub at the end (2027-03-01..19 is the rest of the period that
// began on 2027-02-20). Weekly lines get 53: 365 days are 52 weeks and a day, and
// the 53rd week begins on the last day of the contract. A visit is planned exactly
// when its day lies within the contract.
//
// Seasonal (换季保养): before each cooling season (制冷季) and heating season (供暖季)
// whose first day falls within the contract period, one visit (or Times visits
// spread evenly) in the window [season start − LeadDays, season start], but not
// before the contract start. The seasons are configured per company ([Seasons]);
// [DefaultSeasons] is Beijing's: cooling from 05-15, heating from 11-15 (北京市
// 法定供暖期 starts 11-15), planned 15 days ahead (04-30 and 10-31), so a one-year
// contract has exactly two seasonal visits. A season start on 02-29 is refused.
//
// Once (一次性): one visit on the contract start plus [Options.OnceAfterDays] (0 by
// default; clamped to the contract end); Times = n spreads n visits from there to
// the contract end.
//
// Nothing is planned for frequency "" (not stated) and "on_demand" (按需), nor for
// service type "repair" (维修: repairs come from tickets, 故障报修) whatever its
// frequency. The service type is otherwise only copied to the occurrence; the
// frequency alone decides the dates. Times 0 means 1.
//
// Work calendar (工作日历): with [Options.Calendar] set, a visit whose day is not a
// working day (a weekend, a statutory holiday 法定节假日) moves to the next working
// day (调休上班 Saturdays count as working days) inside its window; when the window
// has no working day after it, to the previous working day inside the window; when
// the window has none at all, it stays. The window is the service period cut to the
// contract, so a visit never leaves its month (quarter, …) and never leaves the
// contract; a seasonal visit never moves past the season start. Moving forward
// is what a manager expects after a holiday (节后第一个工作日); moving back is the
// fallback that keeps the visit in its period. [Occurrence.Nominal] keeps the day
// before the move. With several visits in a short period, two visits may land on
// the same working day; their keys still differ.
//
// # Regeneration
//
// [Diff] compares the stored occurrences (key and status) with a fresh plan:
//
//   - add: planned keys with no stored row, or whose row was cancelled (已取消:
//     a contract shortened and then extended again plans that visit again);
//   - keep: planned keys with a live row (planned, dispatched, done); a kept row
//     that is still only planned may take the new date and window;
//   - cancel: stored rows still planned (未派工) whose key is no longer planned.
//
// Dispatched (已派工) and done (已完成) rows are never cancelled, whatever the plan
// says, and rows of an unknown status are treated like dispatched ones. Changing
// a line's frequency changes its labels, so its planned visits are cancelled and
// the new ones added; its done work stays. Added visits may be dated before today
// (a frequency changed mid-contract); whether to dispatch those is the caller's
// decision.
//
// # Conventions
//
// The package is pure: no database, no clock, no I/O, no global state. It uses
// [calendar.Date] for days and imports no domain package: the caller maps its
// contract and scope lines to [Contract] and [Line]. Output is sorted by planned
// day, then key, and depends only on the input. Bad input is reported with
// [apperr.Invalid] naming the field.
package schedule
