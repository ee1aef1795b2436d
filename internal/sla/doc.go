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
// [Event]s, and [NearBreaches] turns the clocks still unanswered at their
// near-breach moment (2 minutes into 3, answered or not since) into
// near-breach events (wechat_timeout_near, …): a clock that breaches keeps
// both, a clock answered at or before its near moment has neither. Who is responsible for a breach (the owning specialist at the time,
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
//   - An inbound (Direction "in") message joins the conversation's running
//     clock if that clock's deadline has not passed at the message's time (at
//     or before the deadline: a burst of messages counts once, from the first
//     unanswered one; [Clock.Covered] counts them). Otherwise it opens a clock
//     of its own: a customer who writes again after the limit was used up
//     with no reply makes a new request, with its own deadline, near-breach
//     and breach, while the breached clock stays open until a reply. A
//     message at 3:00 after the first joins its clock, one at 3:01 opens a
//     new one (see "deadline passed" below). Only the latest running clock
//     of a conversation can be joined: the earlier ones were past their
//     deadlines when it opened. This is the missed-call rule below: SPEC
//     §5.1 wants each customer message answered within 3 minutes, a burst
//     counting once; a message that comes after the burst is already late
//     is not part of it, and on its own clock it raises its own near-breach
//     notice and is attributed to whoever is responsible when it came.
//   - The next outbound (Direction "out") message in the same conversation stops
//     every running clock of the conversation, whoever sent it (a late reply
//     stops the breached clock and the one opened after it, which is met or
//     breached on its own deadline). A staff message with no unanswered
//     customer message before it does nothing. Messages in other
//     conversations and other channels (a phone call, an SMS) never stop it.
//   - A message with another Direction or without a Conversation is ignored.
//
// Missed calls (channel phone_missed), stopped by a call back (phone_out):
//
//   - A missed call joins the earliest running missed-call clock that holds
//     its number or its customer and whose deadline has not passed at the
//     call's time (at or before the deadline), and its number and customer
//     are added to that clock: several missed calls before the 30 minutes are
//     up are one clock, from the first. If no running clock qualifies, the
//     call opens a clock of its own for its Conversation (the caller's
//     number) and, when set, its CustomerID, with its own deadline. So a
//     customer who calls again after the deadline of an unanswered missed
//     call has passed gets a new 30-minute clock (its own near-breach and
//     breach), and the old clock stays running (breached) until a call back:
//     a clock never called back does not swallow the customer's later
//     calls. A second call 30:00 after the first joins it, one 30:01 after
//     opens a new clock.
//   - A call back is a phone_out record, whatever its Direction says, or a
//     phone_missed record with Direction "out" (an unanswered call-back attempt:
//     the staff did call back). It stops every running missed-call clock that
//     holds its number or its customer: a call back from the customer's other
//     number, or to it, counts, and one call back stops both a breached clock
//     and the newer clock opened after its deadline (each judged on its own
//     deadline).
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
//   - "The deadline has passed" at t (for a customer message or missed call
//     joining a running clock) means t is after the clock's deadline as
//     computed above, on the rule's calendar: the same instant at which a
//     reply becomes late and the clock becomes breached. A message or call at
//     the deadline itself still joins (the clock is not breached yet), one
//     second later opens a new clock. On a business calendar the deadline can
//     be days after the start: a missed call on Friday 17:20 with 10 minutes
//     of working time left is due on Monday 08:50, so calls on Saturday
//     (not working time) join it, and a call on Monday at 08:50:01 opens its
//     own clock.
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
