// Package sla derives the response clocks of the service desk (SPEC §5.1, §5.3)
// from communication records (沟通记录) and the breaches that the appraisal counts
// as events (SPEC §8.2):
//
//   - WeChat (微信消息需在3分钟内响应): a customer message in a WeChat group or private
//     chat must be answered by staff within 3 minutes;
//   - missed call (未接到需30分钟内回复): a missed call must be followed by a call back
//     within 30 minutes;
//   - online chat (在线客服, seed 002): a chat message must be answered within 60 s.
//
// [Derive] turns records into [Clock]s, [Breaches] turns breached clocks into
// [Event]s. Who is responsible for a breach (the owning specialist at the time,
// the duty roster) is the caller's decision: an Event carries the customer,
// conversation, channel and times it needs for that.
//
// # Rules and interpretations
//
// Clocks are derived in time order. Records at the same instant (the records
// have second precision) are taken customer-first: a customer message, then a
// staff message of the same second, so a reply within the same second answers
// it (0 s), and a call back in the same second as the missed call stops it.
// The benefit of the doubt goes to the staff.
//
// WeChat (channels wechat_group, wechat_private) and chat (channel chat):
//
//   - A conversation is the pair (channel, Conversation): a group and a private
//     chat never answer each other, even with equal ids.
//   - An inbound (Direction "in") message opens a clock unless one is already
//     running in the conversation; then it joins that clock (a burst of
//     messages counts once, from the first unanswered one; [Clock.Covered]
//     counts them).
//   - The next outbound (Direction "out") message in the same conversation stops
//     the clock, whoever sent it. A staff message with no unanswered customer
//     message before it does nothing. Messages in other conversations and other
//     channels (a phone call, an SMS) never stop it.
//   - A message with another Direction or without a Conversation is ignored.
//
// Missed calls (channel phone_missed), stopped by a call back (phone_out):
//
//   - A missed call opens a clock for its Conversation (the caller's number)
//     and, when set, its CustomerID. A missed call whose number or customer
//     belongs to a running missed-call clock joins the earliest such clock
//     (several missed calls before the call back: one clock, from the first),
//     and its number and customer are added to that clock.
//   - A call back is a phone_out record, whatever its Direction says, or a
//     phone_missed record with Direction "out" (an unanswered call-back attempt:
//     the staff did call back). It stops every running missed-call clock that
//     holds its number or its customer: a call back from the customer's other
//     number, or to it, counts.
//   - An answered inbound call (phone_in) from the same number does NOT stop the
//     clock: SPEC §5.1 asks for an outbound call after a missed call, and the
//     customer calling again proves nobody called them back. Neither do WeChat
//     messages, SMS or visits.
//   - A phone record with neither a number nor a customer is ignored.
//
// Every record:
//
//   - Records may come in any order. A record without an ID (it could not be
//     evidence) or without a time is ignored. Records with the same ID are one
//     record: the one that sorts first by (At, Channel, Direction,
//     Conversation, CustomerID, StaffID) is kept, so the choice does not depend
//     on the input order and importing the same records twice changes nothing.
//   - Records after asOf are ignored: Derive answers "what was known at asOf",
//     and a clock stopped by asOf stays the same for any later asOf. A zero
//     asOf means the time of the latest record (of those kept).
//
// Clocks and deadlines:
//
//   - A [Rule] with a nil Calendar runs on wall time (24x7). With a Calendar the
//     limit counts only the calendar's working time: a clock started outside
//     working time runs from the next working time ([Clock.RunsFrom]) and
//     pauses outside the windows (lunch break, nights, weekends, holidays;
//     a 调休 working Saturday is working time). An AllDay calendar is 24x7.
//   - The deadline is the first instant at which the limit has been used up
//     ([calendar.Calendar.AddWorkingDuration]); a reply at the deadline (3:00)
//     is on time, a reply one second later is late. A deadline used up exactly
//     at the end of a working window is that window end, as everywhere in the
//     platform.
//   - Late is wall time after the deadline (StoppedAt − Deadline, or asOf −
//     Deadline for a clock still unanswered), also on a business calendar.
//   - A clock still unanswered at asOf is "running" until its deadline and
//     "breached" after it (breached and still open); asOf == Deadline is still
//     running, since a reply at that instant would be on time.
//
// # Conventions
//
// The package is pure: no database, no I/O, no clock (the caller passes asOf),
// no global state. All returned times are UTC without a monotonic reading, and
// the output depends only on the set of records, never on their order.
package sla
