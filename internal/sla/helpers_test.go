package sla

import (
	"fmt"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // tests must not depend on the machine's zoneinfo

	"kefu/internal/calendar"
)

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

// at parses "2006-01-02 15:04[:05]" in Asia/Shanghai (test tables only).
func at(s string) time.Time {
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, shanghai); err == nil {
			return t
		}
	}
	panic("bad time " + s)
}

// day is the Thursday most tables use: 2025-09-25.
const day = "2025-09-25 "

// Record shorthands. A WeChat conversation is a group unless its id starts
// with "p" (private chat); chat sessions use chatIn/chatOut.
func wxChannel(conv string) string {
	if strings.HasPrefix(conv, "p") {
		return ChannelWeChatPrivate
	}
	return ChannelWeChatGroup
}

func in(id, t, conv string) Record {
	return Record{ID: id, Channel: wxChannel(conv), Direction: DirectionIn, At: at(t), Conversation: conv, CustomerID: "c-" + conv}
}

func out(id, t, conv string) Record {
	return Record{ID: id, Channel: wxChannel(conv), Direction: DirectionOut, At: at(t), Conversation: conv, StaffID: "s1"}
}

func chatIn(id, t, conv string) Record {
	return Record{ID: id, Channel: ChannelChat, Direction: DirectionIn, At: at(t), Conversation: conv}
}

func chatOut(id, t, conv string) Record {
	return Record{ID: id, Channel: ChannelChat, Direction: DirectionOut, At: at(t), Conversation: conv, StaffID: "s2"}
}

func missed(id, t, num, cust string) Record {
	return Record{ID: id, Channel: ChannelPhoneMissed, Direction: DirectionIn, At: at(t), Conversation: num, CustomerID: cust}
}

func callBack(id, t, num, cust string) Record {
	return Record{ID: id, Channel: ChannelPhoneOut, Direction: DirectionOut, At: at(t), Conversation: num, CustomerID: cust, StaffID: "s3"}
}

func answered(id, t, num, cust string) Record {
	return Record{ID: id, Channel: ChannelPhoneIn, Direction: DirectionIn, At: at(t), Conversation: num, CustomerID: cust, StaffID: "s3"}
}

// summary is a clock in one line: "kind start-stop xCovered state[+late]".
func summary(c Clock) string {
	s := fmt.Sprintf("%s %s-%s x%d %s", c.Kind, c.StartID, c.StopID, c.Covered, c.State)
	if c.Late > 0 {
		s += "+" + c.Late.String()
	}
	if c.Near {
		s += " near"
	}
	return s
}

func summaries(cs []Clock) []string {
	var out []string
	for _, c := range cs {
		out = append(out, summary(c))
	}
	return out
}

// Calendars. office has the company day with a lunch break, 08:30–12:00 and
// 13:00–17:30 in Asia/Shanghai, with the 2025 National Day holiday (10-01 to
// 10-08) and its two 调休 working weekend days (Sunday 09-28, Saturday 10-11).
func office(tb testing.TB) *calendar.Calendar {
	tb.Helper()
	var ov []calendar.Holiday
	for d := 1; d <= 8; d++ {
		ov = append(ov, calendar.Holiday{Date: calendar.NewDate(2025, 10, d), Kind: calendar.KindHoliday, Name: "国庆中秋"})
	}
	ov = append(ov,
		calendar.Holiday{Date: calendar.NewDate(2025, 9, 28), Kind: calendar.KindWorkday, Name: "国庆调休"},
		calendar.Holiday{Date: calendar.NewDate(2025, 10, 11), Kind: calendar.KindWorkday, Name: "国庆调休"})
	c, err := calendar.New(calendar.Config{Location: shanghai,
		Windows: []calendar.Window{{Start: 510, End: 720}, {Start: 780, End: 1050}}, Overrides: ov})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func allDay(tb testing.TB) *calendar.Calendar {
	tb.Helper()
	c, err := calendar.New(calendar.Config{Location: shanghai, AllDay: true})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// onCalendar returns the default policy with every rule on c.
func onCalendar(c *calendar.Calendar) Policy {
	p := DefaultPolicy()
	p.WeChat.Calendar, p.MissedCall.Calendar, p.Chat.Calendar = c, c, c
	return p
}

func reversed[T any](s []T) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

func rotated[T any](s []T, k int) []T {
	if len(s) == 0 {
		return nil
	}
	k %= len(s)
	return append(append([]T(nil), s[k:]...), s[:k]...)
}

func fmtT(t time.Time) string {
	if t.IsZero() {
		return "zero"
	}
	return t.In(shanghai).Format("2006-01-02 15:04:05 Mon")
}
