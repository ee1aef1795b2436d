package sla

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Random record sets for the property tests, the fuzz target and the benchmark.

// genConfig shapes a random record set.
type genConfig struct {
	n       int           // records
	span    time.Duration // records fall in [base, base+span)
	convs   int           // WeChat conversations (groups and private chats) and chat sessions
	numbers int           // phone numbers
	dirty   bool          // duplicate ids, odd directions, missing conversations, other channels
}

// gen returns random records. Numbers 2k and 2k+1 belong to customer k, except
// every fifth pair, which is unmatched; dirty, a call record is sometimes
// unmatched even for a known number.
func gen(rng *rand.Rand, base time.Time, cfg genConfig) []Record {
	recs := make([]Record, 0, cfg.n)
	secs := int64(cfg.span / time.Second)
	prev := base
	for i := range cfg.n {
		r := Record{ID: fmt.Sprintf("r%d", i), StaffID: fmt.Sprintf("s%d", rng.IntN(100))}
		if cfg.dirty && i > 0 && rng.IntN(30) == 0 {
			r.At = prev // same second as the previous record
		} else {
			r.At = base.Add(time.Duration(rng.Int64N(secs)) * time.Second)
		}
		prev = r.At
		switch x := rng.IntN(100); {
		case x < 55: // WeChat
			c := rng.IntN(cfg.convs)
			r.Channel, r.Conversation = ChannelWeChatGroup, fmt.Sprintf("g%d", c)
			if c%4 == 0 {
				r.Channel, r.Conversation = ChannelWeChatPrivate, fmt.Sprintf("p%d", c)
			}
			r.Direction = pick(rng, DirectionIn, DirectionIn, DirectionOut)
			if r.Direction == DirectionIn {
				r.CustomerID = fmt.Sprintf("c%d", c/3)
			}
		case x < 70: // online chat
			c := rng.IntN(cfg.convs)
			r.Channel, r.Conversation = ChannelChat, fmt.Sprintf("s%d", c/2)
			r.Direction = pick(rng, DirectionIn, DirectionOut)
		default: // calls
			num := rng.IntN(cfg.numbers)
			r.Conversation = fmt.Sprintf("n%d", num)
			if num/2%5 != 0 && (!cfg.dirty || rng.IntN(8) != 0) {
				r.CustomerID = fmt.Sprintf("c%d", num/2)
			}
			r.Channel = pick(rng, ChannelPhoneMissed, ChannelPhoneMissed, ChannelPhoneOut, ChannelPhoneIn)
			r.Direction = map[string]string{ChannelPhoneMissed: DirectionIn, ChannelPhoneOut: DirectionOut, ChannelPhoneIn: DirectionIn}[r.Channel]
		}
		if cfg.dirty {
			switch rng.IntN(40) {
			case 0: // a duplicate id, an exact copy or another record
				if i > 0 {
					j := rng.IntN(len(recs))
					if rng.IntN(2) == 0 {
						r = recs[j]
					} else {
						r.ID = recs[j].ID
					}
				}
			case 1:
				r.Direction = pick(rng, "", "x", DirectionIn, DirectionOut)
			case 2:
				r.Conversation = ""
			case 3:
				r.Channel = pick(rng, "visit", "sms", "email", "other", "")
			case 4:
				r.Channel, r.Direction = ChannelPhoneMissed, DirectionOut // a call-back attempt
			case 5:
				r.ID = ""
			case 6:
				r.At = time.Time{}
			case 7:
				r.At = r.At.In(time.UTC)
			case 8: // a mismatched customer: one clock may cover several
				r.CustomerID = fmt.Sprintf("c%d", rng.IntN(cfg.numbers))
			}
		}
		recs = append(recs, r)
	}
	return recs
}

func pick[T any](rng *rand.Rand, vs ...T) T { return vs[rng.IntN(len(vs))] }

func shuffled[T any](rng *rand.Rand, s []T) []T {
	out := append([]T(nil), s...)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}
