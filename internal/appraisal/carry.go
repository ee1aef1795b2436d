package appraisal

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"kefu/internal/apperr"
)

// Carry is a late fact of an earlier period whose card is frozen (past
// approval), carried onto this card as a visible adjustment (上期补记)
// instead of changing the frozen card: the difference, for one item,
// between the earlier card as it was approved (less what later cards
// already carried) and the same card evaluated from the records as they
// stand now. The caller works it out (internal/scorecards); Evaluate only
// checks it, words it and adds it to the final score.
type Carry struct {
	From      string   `json:"from"`           // the earlier period, YYYY-MM
	Card      string   `json:"card,omitempty"` // id of the earlier card (the link)
	Item      string   `json:"item"`           // item key on the earlier card
	Name      string   `json:"name"`           // item name on the earlier card
	Points    Points   `json:"points"`         // signed: −1.00 for a late violation, +1.00 for a withdrawn one
	Change    string   `json:"change"`         // what changed, in words: 新增 响应超时 1 次
	Added     []string `json:"added,omitempty"`
	Withdrawn []string `json:"withdrawn,omitempty"`
}

// CarriedLine is a Carry on a card (上期补记), with its text in words:
// "上期补记：2026-03 客户服务效率与质量 新增 响应超时 1 次 −1.00".
type CarriedLine struct {
	From      string   `json:"from"`
	Card      string   `json:"card,omitempty"`
	Item      string   `json:"item"`
	Name      string   `json:"name"`
	Points    Points   `json:"points"`
	Change    string   `json:"change"`
	Text      string   `json:"text"`
	Added     []string `json:"added,omitempty"`     // ids of events counted now that the earlier card did not count
	Withdrawn []string `json:"withdrawn,omitempty"` // ids of events the earlier card counted that no longer stand
}

// SignedText formats an adjustment with its sign and two decimals:
// "+1.00", "−1.00" (a true minus sign, as the deductions).
func SignedText(p Points) string {
	if p < 0 {
		return "−" + (-p).String()
	}
	return "+" + p.String()
}

// carriedLines checks and words the carries, ordered by period and item.
// Floors and caps do not apply: a carried line is an adjustment, not an
// item of this card.
func carriedLines(in []Carry) ([]CarriedLine, Points, error) {
	if len(in) == 0 {
		return nil, 0, nil
	}
	cs := slices.Clone(in)
	for i, c := range cs {
		f := fmt.Sprintf("carried[%d]", i)
		if _, err := time.Parse("2006-01", c.From); err != nil || len(c.From) != len("2006-01") {
			return nil, 0, apperr.Invalid(f+".from", fmt.Sprintf("补记的期间格式应为 YYYY-MM：%q", c.From))
		}
		if strings.TrimSpace(c.Item) == "" {
			return nil, 0, apperr.Invalid(f+".item", "补记缺少考核项")
		}
		if c.Points == 0 {
			return nil, 0, apperr.Invalid(f+".points", "补记分值不能为 0")
		}
		if c.Points > maxPoints || -c.Points > maxPoints {
			return nil, 0, apperr.Invalid(f+".points", "补记分值超出范围（绝对值最多 1000000 分）")
		}
		if strings.TrimSpace(c.Change) == "" {
			return nil, 0, apperr.Invalid(f+".change", "补记须写明变化")
		}
	}
	slices.SortFunc(cs, func(a, b Carry) int { return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.Item, b.Item)) })
	out := make([]CarriedLine, 0, len(cs))
	var sum Points
	for i, c := range cs {
		if i > 0 && c.From == cs[i-1].From && c.Item == cs[i-1].Item {
			return nil, 0, apperr.Invalid("carried", fmt.Sprintf("%s “%s”的补记重复", c.From, c.Item))
		}
		name := c.Name
		if strings.TrimSpace(name) == "" {
			name = c.Item
		}
		out = append(out, CarriedLine{From: c.From, Card: c.Card, Item: c.Item, Name: name, Points: c.Points, Change: c.Change,
			Text:  fmt.Sprintf("上期补记：%s %s %s %s", c.From, name, c.Change, SignedText(c.Points)),
			Added: slices.Clone(c.Added), Withdrawn: slices.Clone(c.Withdrawn)})
		sum += c.Points
	}
	return out, sum, nil
}
