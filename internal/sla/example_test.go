package sla_test

import (
	"fmt"
	"time"

	"kefu/internal/sla"
)

func ExampleDerive() {
	t0 := time.Date(2025, 9, 25, 10, 0, 0, 0, time.UTC)
	recs := []sla.Record{
		{ID: "m1", Channel: sla.ChannelWeChatGroup, Direction: sla.DirectionIn, At: t0, Conversation: "grp-1", CustomerID: "c1"},
		{ID: "m2", Channel: sla.ChannelWeChatGroup, Direction: sla.DirectionIn, At: t0.Add(40 * time.Second), Conversation: "grp-1"},
		{ID: "m3", Channel: sla.ChannelWeChatGroup, Direction: sla.DirectionOut, At: t0.Add(3*time.Minute + 20*time.Second), Conversation: "grp-1", StaffID: "s7"},
		{ID: "k1", Channel: sla.ChannelPhoneMissed, Direction: sla.DirectionIn, At: t0, Conversation: "13800000001", CustomerID: "c2"},
		{ID: "k2", Channel: sla.ChannelPhoneOut, Direction: sla.DirectionOut, At: t0.Add(12 * time.Minute), Conversation: "01065550000", CustomerID: "c2", StaffID: "s7"},
	}
	clocks := sla.Derive(recs, sla.DefaultPolicy(), t0.Add(time.Hour))
	for _, c := range clocks {
		fmt.Println(c.Key, c.State, c.Late, c.Covered)
	}
	for _, e := range sla.Breaches(clocks) {
		fmt.Println(e.Type, e.OccurredAt.Format("15:04:05"), e.Quantity, e.Evidence, e.CustomerID, e.Responder)
	}
	// Output:
	// missed_call|13800000001|k1 met 0s 1
	// wechat_response|grp-1|m1 breached 20s 2
	// wechat_timeout 10:03:00 1 [m1 m3] c1 s7
}
