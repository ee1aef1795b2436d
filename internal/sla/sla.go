package sla

import (
	"strings"
	"time"

	"kefu/internal/calendar"
)

// Channels of a communication record (SPEC §5.1) that the clocks read; other
// channels (visit, email, sms, other, phone_in) neither open nor stop a clock.
const (
	ChannelWeChatGroup   = "wechat_group"
	ChannelWeChatPrivate = "wechat_private"
	ChannelChat          = "chat"
	ChannelPhoneIn       = "phone_in"
	ChannelPhoneOut      = "phone_out"
	ChannelPhoneMissed   = "phone_missed"
)

// Directions of a record.
const (
	DirectionIn  = "in"  // from the customer
	DirectionOut = "out" // from staff
)

// Kinds of clock, one per [Policy] rule.
const (
	KindWeChat     = "wechat_response"
	KindMissedCall = "missed_call"
	KindChat       = "chat_response"
)

// States of a clock.
const (
	StateRunning  = "running"  // not answered yet, deadline not passed (as of asOf)
	StateMet      = "met"      // answered on time
	StateBreached = "breached" // answered late, or still unanswered after the deadline
)

// Event types of a breach (SPEC §8.2). The default scheme (SPEC §8.3) counts
// wechat_timeout and missed_call_timeout as its response_timeout item.
const (
	EventWeChatTimeout     = "wechat_timeout"
	EventMissedCallTimeout = "missed_call_timeout"
	EventChatTimeout       = "chat_timeout"
)

// Event types of a near-breach (SPEC §5.3: breaches and near-breaches are
// events): the clock was still unanswered at its near-breach moment (2
// minutes into 3). They are the record of the notice the responsible
// person got; no shipped scheme counts them (they are not among
// appraisal.KnownEventTypes, so a scheme cannot).
const (
	EventWeChatNear     = EventWeChatTimeout + NearSuffix
	EventMissedCallNear = EventMissedCallTimeout + NearSuffix
	EventChatNear       = EventChatTimeout + NearSuffix
)

// NearSuffix ends the type of a near-breach event, after its breach's
// type; NearKeySuffix ends its key, after its clock's Key.
const (
	NearSuffix    = "_near"
	NearKeySuffix = "|near"
)

// Record is a communication record (沟通记录) as the clocks need it.
type Record struct {
	ID           string    // communication record id (evidence); "" records are ignored
	Channel      string    // wechat_group, wechat_private, phone_in, phone_out, phone_missed, chat, visit, email, sms, other
	Direction    string    // "in" (from the customer) or "out" (from staff)
	At           time.Time // occurred_at, second precision
	Conversation string    // WeChat group/chat id, chat session id; for phone: the customer's number (counterpart)
	CustomerID   string    // "" when unmatched
	StaffID      string    // for out: who replied / called back
}

// Rule is one response target.
type Rule struct {
	// Kind names the rule for people; Derive ignores it and takes the kind
	// from the Policy field the rule is in.
	Kind string
	// Limit is the response time; Limit <= 0 disables the rule.
	Limit time.Duration
	// NearAt is the near-breach threshold, measured like Limit from the start
	// (e.g. 2 min into 3). Outside (0, Limit) there is none.
	NearAt time.Duration
	// Calendar is nil for 24x7 wall time; otherwise Limit and NearAt count only
	// this calendar's working time.
	Calendar *calendar.Calendar
}

// Policy holds the three response rules; a zero Limit disables a rule.
type Policy struct {
	WeChat, MissedCall, Chat Rule
}

// DefaultPolicy returns the seeds' targets on 24x7 wall time (SPEC §5.1:
// "default 24x7 for both"): WeChat 3 min (near at 2 min), missed call 30 min
// (near at 20 min), online chat 60 s (near at 40 s).
func DefaultPolicy() Policy {
	return Policy{
		WeChat:     Rule{Kind: KindWeChat, Limit: 3 * time.Minute, NearAt: 2 * time.Minute},
		MissedCall: Rule{Kind: KindMissedCall, Limit: 30 * time.Minute, NearAt: 20 * time.Minute},
		Chat:       Rule{Kind: KindChat, Limit: 60 * time.Second, NearAt: 40 * time.Second},
	}
}

// Clock is one response clock: the customer's first unanswered message or
// missed call, the staff response that stopped it, and the verdict as of the
// time Derive was asked about.
type Clock struct {
	// Key is a deterministic id, "kind|conversation|start record id": the same
	// records give the same key on every derivation (use it to upsert).
	Key          string
	Kind         string // KindWeChat, KindMissedCall or KindChat
	Channel      string // channel of the start record
	Conversation string // the start record's Conversation (for calls: the caller's number, "" if unknown)
	CustomerID   string // the first customer known among the covered records ("" when none is matched)

	StartID string // record that started the clock (evidence)
	StopID  string // record that stopped it; "" while not stopped
	Covered int    // customer messages / missed calls the clock covers (a burst counts once), >= 1

	StartedAt time.Time // the start record's time
	RunsFrom  time.Time // when the clock starts counting: StartedAt, or the next working time on a business calendar
	Deadline  time.Time // a stop at or before it is on time
	NearAt    time.Time // when it becomes near-breach; zero when the rule has no near threshold
	StoppedAt time.Time // zero while running

	State string        // StateRunning, StateMet or StateBreached
	Near  bool          // running (not yet breached) and past NearAt as of asOf
	Late  time.Duration // wall time after the deadline: StoppedAt − Deadline, or asOf − Deadline while open; 0 when not late

	Responder string // StaffID of the stopping record
}

// Running reports whether the clock has not been stopped (as of asOf); a
// running clock may already be breached.
func (c Clock) Running() bool { return c.StopID == "" }

// Event is a breach or a near-breach as an appraisal event (SPEC §8.2). The
// caller decides who is responsible (the customer's owner or the person on
// duty at StartedAt) and stores it with source "computed".
type Event struct {
	// Key is stable across recomputations: the clock's Key for a breach,
	// the clock's Key + NearKeySuffix for a near-breach ([Event.ClockKey]).
	Key        string
	Type       string    // EventWeChatTimeout, EventMissedCallTimeout, EventChatTimeout, or one of them + NearSuffix
	OccurredAt time.Time // the deadline (the moment the breach happened), or the near-breach moment
	Quantity   int64     // minutes late, rounded up, >= 1 (grows while the clock is open); 1 for a near-breach
	Evidence   []string  // record ids: the start, and the stop when there is one
	CustomerID string    // "" when unmatched

	Channel      string        // channel of the start record
	Conversation string        // WeChat group/chat id, chat session, caller's number
	StartedAt    time.Time     // the start record's time
	StoppedAt    time.Time     // zero while still unanswered
	Open         bool          // still unanswered as of asOf: Quantity will grow
	Late         time.Duration // exact lateness behind Quantity (0 for a near-breach)
	Responder    string        // who finally answered ("" while open)
}

// Near reports whether e is a near-breach.
func (e Event) Near() bool { return strings.HasSuffix(e.Type, NearSuffix) }

// ClockKey is the Key of e's clock.
func (e Event) ClockKey() string {
	if e.Near() {
		return strings.TrimSuffix(e.Key, NearKeySuffix)
	}
	return e.Key
}
