package scorecards

// Carry-over of late facts (上期补记, SPEC §8.4): after approval a card is
// frozen — its lines never change again — and a fact of its month that
// arrives late (a second WeChat timeout found afterwards, an event the
// records no longer support) reaches the score as a visible, signed line
// on the staff member's next open card, never as a silent change.
//
// Decisions:
//
//   - Where: whenever the lines of an open card (draft, self-review,
//     rating) of a main scheme are evaluated — Compute, Rate, Preview and
//     the evaluation on submitting for approval (evaluateOpen). Checks
//     (isCheck: the 督办记录表, the chat sampling, the weekly checks) carry
//     nothing and are never carried: they are not the monthly appraisal.
//     Only a monthly card takes a carry.
//   - Which earlier cards: the staff member's frozen cards (approval,
//     published, final) of the same scheme code in the previous
//     carryMonths (3) months — a bound on the cost, since every earlier
//     card is evaluated again on every computation; a fact older than
//     that is settled through an appeal. Of several cards of one month the
//     latest created counts, as in the exports.
//   - Who takes it: the earliest open card after the frozen one. A later
//     card carries a month X only when no card between X and it is still
//     open (that one takes the carry; otherwise it would count twice).
//   - How much: per item of X, the score of X's line evaluated from the
//     records as they stand now (its stored ratings and sample days, the
//     standing events of X's month, X's rates and bonuses) less the score
//     on the stored card, less what other cards of the staff member
//     already carried for the same month and item (their stored carried
//     lines, frozen or not; the card being computed is left out, so
//     computing it again gives the same card). A difference of zero carries nothing; a line that is
//     pending now (no data) is not compared.
//   - Appeals: an item of X with an upheld appeal is not carried — the
//     appeal decision (and its adjustment on X) already settled that item.
//   - Evidence: a carried line names the events counted now and not on X
//     (with what was carried since), and those no longer counted; its words
//     say so by event type ("新增 微信响应超时 1 次", "撤销 …"), or give the
//     old and new scores when only a quantity or a rate changed.
//   - The frozen card itself never changes; the audit entry of the
//     recomputation names the carry (carrySummary).
//   - Cost: every computation of an open card evaluates up to 3 frozen
//     cards again, and reading their months' events is most of it (a
//     month of 1,000,000 records: ~1,000 events a person and month). The
//     service remembers, per frozen card, the item scores of its last
//     evaluation with a fingerprint of every input (freshMemo): the
//     scheme version, the card's ratings and sample days, the month's
//     rates, and a summary of the staff member's events of the month —
//     how many, how many withdrawn, their quantities' sum and the latest
//     updated_at, withdrawn ones and bonus flags included (events are
//     never deleted, and every write of one sets updated_at or changes
//     the count, the withdrawn count or the sum). When the fingerprint
//     matches and no item differs from the stored card (less what was
//     carried), nothing is carried and the events are not read. Anything
//     else — a new fingerprint, or an item that does differ — takes the
//     full evaluation, so the carried lines and their evidence are always
//     those of the records as they stand. The rates are computed each
//     time (contracts change without touching the events).

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/appraisal"
	"kefu/internal/store"
)

// carryMonths is how many months back an open card looks for late facts.
const carryMonths = 3

// evaluateOpen is evaluateWithBonuses for an open card of period start
// (or one not stored yet) with the late facts of the staff member's
// earlier frozen cards carried onto it (上期补记).
func (s *Service) evaluateOpen(ctx context.Context, db bun.IDB, staffID string, start, end time.Time, in appraisal.Input) (appraisal.Card, error) {
	if !start.AddDate(0, 1, 0).Equal(end) {
		return evaluateWithBonuses(ctx, db, staffID, start, end, in) // not a month (a weekly check)
	}
	carried, err := s.carries(ctx, db, staffID, start.In(s.loc).Format("2006-01"), in.Scheme)
	if err != nil {
		return appraisal.Card{}, fmt.Errorf("上期补记: %w", err)
	}
	in.Carried = append(slices.Clone(in.Carried), carried...)
	return evaluateWithBonuses(ctx, db, staffID, start, end, in)
}

// carryKey is a carried month and item.
type carryKey struct{ from, item string }

// carriedSoFar is what other cards already carried for one month and item:
// the points and the events it accounted for.
type carriedSoFar struct {
	points    appraisal.Points
	added     map[string]bool
	withdrawn map[string]bool
}

// carries works out the carried lines of staffID's card of period under
// scheme sc (see the decisions above). Nothing is carried onto a card
// past approval, nor under a check scheme.
func (s *Service) carries(ctx context.Context, db bun.IDB, staffID, period string, sc *appraisal.Scheme) ([]appraisal.Carry, error) {
	if sc == nil || isCheck(sc.Key, sc) {
		return nil, nil
	}
	p, err := time.Parse("2006-01", period)
	if err != nil {
		return nil, err
	}
	from := p.AddDate(0, -carryMonths, 0).Format("2006-01")
	var schemeIDs []string
	if err := db.NewRaw("SELECT id FROM appraisal_schemes WHERE code = ?", sc.Key).Scan(ctx, &schemeIDs); err != nil {
		return nil, err
	}
	if len(schemeIDs) == 0 {
		return nil, nil
	}
	var cards []Scorecard
	if err := db.NewSelect().Model(&cards).Where("staff_id = ? AND scheme_id IN (?) AND period >= ?", staffID, bun.In(schemeIDs), from).
		Order("period", "created_at", "id").Scan(ctx); err != nil {
		return nil, err
	}
	// One card a month: the latest created.
	byPeriod := map[string]*Scorecard{}
	for i := range cards {
		byPeriod[cards[i].Period] = &cards[i]
	}
	if own := byPeriod[period]; own != nil && !slices.Contains(recomputable, own.Status) {
		return nil, nil
	}
	// What the other cards carried already, in the order they carried it.
	so := map[carryKey]*carriedSoFar{}
	for i := range cards {
		c := &cards[i]
		if c.Period == period || byPeriod[c.Period] != c {
			continue
		}
		for _, l := range c.Card.Carried {
			k := carryKey{l.From, l.Item}
			cs := so[k]
			if cs == nil {
				cs = &carriedSoFar{added: map[string]bool{}, withdrawn: map[string]bool{}}
				so[k] = cs
			}
			cs.points += l.Points
			for _, id := range l.Added {
				cs.added[id], cs.withdrawn[id] = true, false
			}
			for _, id := range l.Withdrawn {
				cs.withdrawn[id], cs.added[id] = true, false
			}
		}
	}
	var out []appraisal.Carry
	for back := carryMonths; back >= 1; back-- {
		x := p.AddDate(0, -back, 0).Format("2006-01")
		xc := byPeriod[x]
		if xc == nil || slices.Contains(recomputable, xc.Status) {
			continue
		}
		if openBetween(byPeriod, p, back) {
			continue // the earliest open card after x takes it
		}
		cs, err := s.carryFrom(ctx, db, xc, so)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	return out, nil
}

// openBetween reports whether a card of a month strictly between p−back
// and p is still open.
func openBetween(byPeriod map[string]*Scorecard, p time.Time, back int) bool {
	for m := back - 1; m >= 1; m-- {
		if c := byPeriod[p.AddDate(0, -m, 0).Format("2006-01")]; c != nil && slices.Contains(recomputable, c.Status) {
			return true
		}
	}
	return false
}

// freshMemo remembers, per frozen card id, the item scores of its last
// evaluation from the records and the fingerprint of the inputs it had.
type freshMemo struct {
	mu sync.Mutex
	m  map[string]freshScores
}

// freshScores are a frozen card's item scores evaluated from the records
// whose inputs had fingerprint fp.
type freshScores struct {
	fp    string
	items []freshItem
}

type freshItem struct {
	item    string
	score   appraisal.Points
	pending bool
}

// freshMemoMax bounds the memo (a few months of every staff member's
// cards); past it, it starts again empty.
const freshMemoMax = 5000

func (m *freshMemo) get(cardID, fp string) ([]freshItem, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.m[cardID]
	if !ok || f.fp != fp {
		return nil, false
	}
	return f.items, true
}

func (m *freshMemo) put(cardID, fp string, c appraisal.Card) {
	items := make([]freshItem, len(c.Lines))
	for i, l := range c.Lines {
		items[i] = freshItem{item: l.Item, score: l.Score, pending: l.Pending}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil || len(m.m) >= freshMemoMax {
		m.m = map[string]freshScores{}
	}
	m.m[cardID] = freshScores{fp: fp, items: items}
}

// freshFingerprint sums up every input of a frozen card's evaluation from
// the records (see Cost above). It is read before the events, so that a
// write between the two can only make the remembered fingerprint stale,
// never the remembered scores.
func freshFingerprint(ctx context.Context, db bun.IDB, rec *SchemeRecord, staffID string, start, end time.Time,
	ratings map[string]appraisal.Rating, samples map[string][]appraisal.SampleDay, rts map[string]appraisal.Rate) (string, error) {
	var ev struct {
		N         int64          `bun:"n"`
		Withdrawn int64          `bun:"withdrawn"`
		Quantity  int64          `bun:"quantity"`
		Updated   sql.NullString `bun:"updated"`
	}
	if err := db.NewRaw(`SELECT COUNT(*) AS n, COUNT(withdrawn_at) AS withdrawn, COALESCE(SUM(quantity), 0) AS quantity, MAX(updated_at) AS updated
		FROM events WHERE staff_id = ? AND occurred_at >= ? AND occurred_at < ?`, staffID, store.Time(start), store.Time(end)).Scan(ctx, &ev); err != nil {
		return "", err
	}
	inputs, err := json.Marshal([]any{ratings, samples, rts})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s|%d|%d|%d|%d|%v|%s", rec.ID, rec.RowVersion, ev.N, ev.Withdrawn, ev.Quantity, ev.Updated, inputs), nil
}

// carryFrom compares the frozen card xc with its evaluation from the
// records as they stand now, item by item, less what was carried so far.
func (s *Service) carryFrom(ctx context.Context, db bun.IDB, xc *Scorecard, so map[carryKey]*carriedSoFar) ([]appraisal.Carry, error) {
	rec := new(SchemeRecord)
	if err := db.NewSelect().Model(rec).Where("id = ?", xc.SchemeID).Scan(ctx); err != nil {
		return nil, err
	}
	sc, err := rec.Scheme()
	if err != nil {
		return nil, err
	}
	start, end, _, err := s.month(xc.Period)
	if err != nil {
		return nil, err
	}
	ratings, err := cardRatings(ctx, db, xc.ID)
	if err != nil {
		return nil, err
	}
	samples, err := cardSamples(ctx, db, xc.ID)
	if err != nil {
		return nil, err
	}
	rts, err := s.carryRates(ctx, xc.Period, xc.StaffID)
	if err != nil {
		return nil, err
	}
	var upheld []string
	if err := db.NewRaw("SELECT DISTINCT item_key FROM scorecard_appeals WHERE scorecard_id = ? AND kind = ? AND decision = ?",
		xc.ID, KindAppeal, DecisionUpheld).Scan(ctx, &upheld); err != nil {
		return nil, err
	}
	stored := map[string]*appraisal.Line{}
	for i := range xc.Card.Lines {
		stored[xc.Card.Lines[i].Item] = &xc.Card.Lines[i]
	}
	// deltaOf is what an item of X carries: its fresh score less the stored
	// one less what was carried so far (ok false: not compared).
	deltaOf := func(item string, score appraisal.Points, pending bool) (d appraisal.Points, ok bool) {
		st := stored[item]
		if st == nil || pending || st.Pending || slices.Contains(upheld, item) {
			return 0, false
		}
		d = score - st.Score
		if cs := so[carryKey{xc.Period, item}]; cs != nil {
			d -= cs.points
		}
		return d, true
	}
	fp, err := freshFingerprint(ctx, db, rec, xc.StaffID, start, end, ratings, samples, rts)
	if err != nil {
		return nil, err
	}
	if items, ok := s.fresh.get(xc.ID, fp); ok {
		same := true
		for _, it := range items {
			if d, ok := deltaOf(it.item, it.score, it.pending); ok && d != 0 {
				same = false // something to carry: evaluate in full, for the lines' evidence
				break
			}
		}
		if same {
			return nil, nil // as the evaluation below would find: every item as stored (and carried)
		}
	}
	evs, err := staffEvents(ctx, db, xc.StaffID, start, end)
	if err != nil {
		return nil, err
	}
	fresh, err := evaluateWithBonuses(ctx, db, xc.StaffID, start, end, appraisal.Input{Scheme: sc, Events: evs, Rates: rts, Ratings: ratings, Samples: samples})
	if err != nil {
		return nil, err
	}
	s.fresh.put(xc.ID, fp, fresh)
	type diff struct {
		carry    appraisal.Carry
		was, now appraisal.Points
	}
	var diffs []diff
	ids := map[string]bool{}
	for _, l := range fresh.Lines {
		delta, ok := deltaOf(l.Item, l.Score, l.Pending)
		if !ok {
			continue
		}
		st := stored[l.Item]
		cs := so[carryKey{xc.Period, l.Item}]
		effective := eventIDs(st)
		if cs != nil {
			for id, on := range cs.added {
				if on {
					effective[id] = true
				}
			}
			for id, on := range cs.withdrawn {
				if on {
					delete(effective, id)
				}
			}
		}
		if delta == 0 {
			continue
		}
		now := eventIDs(&l)
		var added, withdrawn []string
		for id := range now {
			if !effective[id] {
				added = append(added, id)
			}
		}
		for id := range effective {
			if !now[id] {
				withdrawn = append(withdrawn, id)
			}
		}
		slices.Sort(added)
		slices.Sort(withdrawn)
		for _, id := range append(slices.Clone(added), withdrawn...) {
			ids[id] = true
		}
		diffs = append(diffs, diff{carry: appraisal.Carry{From: xc.Period, Card: xc.ID, Item: l.Item, Name: l.Name, Points: delta,
			Added: added, Withdrawn: withdrawn}, was: st.Score, now: l.Score})
	}
	if len(diffs) == 0 {
		return nil, nil
	}
	types, err := eventTypes(ctx, db, ids)
	if err != nil {
		return nil, err
	}
	out := make([]appraisal.Carry, 0, len(diffs))
	for _, d := range diffs {
		var parts []string
		if w := countByType("新增", d.carry.Added, types); w != "" {
			parts = append(parts, w)
		}
		if w := countByType("撤销", d.carry.Withdrawn, types); w != "" {
			parts = append(parts, w)
		}
		if len(parts) == 0 {
			parts = append(parts, fmt.Sprintf("按现有记录重算：原 %s 分，现 %s 分", d.was, d.now))
		}
		d.carry.Change = strings.Join(parts, "，")
		out = append(out, d.carry)
	}
	return out, nil
}

// carryRatesKey keys the month rates of earlier months shared by one
// computation of everyone (withCarryRates).
type carryRatesKey struct{}

type carryRatesCache struct {
	mu       sync.Mutex
	byPeriod map[string]map[string]map[string]appraisal.Rate // period → staff → rate key
}

// withCarryRates lets the carry of one computation of everyone compute
// each earlier month's rates once (MonthRates) instead of once a person
// (StaffRates): with three frozen months, three rate computations instead
// of three a person.
func withCarryRates(ctx context.Context) context.Context {
	return context.WithValue(ctx, carryRatesKey{}, &carryRatesCache{byPeriod: map[string]map[string]map[string]appraisal.Rate{}})
}

// carryRates is staffID's rates of an earlier month: from the shared
// month rates within a computation of everyone, else computed alone.
func (s *Service) carryRates(ctx context.Context, period, staffID string) (map[string]appraisal.Rate, error) {
	c, ok := ctx.Value(carryRatesKey{}).(*carryRatesCache)
	if !ok || s.rates == nil {
		return s.staffRates(ctx, period, staffID)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	all, ok := c.byPeriod[period]
	if !ok {
		var err error
		if all, err = s.rates.MonthRates(access.With(ctx, access.System()), period); err != nil {
			return nil, err
		}
		c.byPeriod[period] = all
	}
	return s.ratesOf(all, staffID), nil
}

// eventIDs are the ids of the events behind a line's deductions.
func eventIDs(l *appraisal.Line) map[string]bool {
	out := map[string]bool{}
	for _, d := range l.Deductions {
		for _, id := range d.EventIDs {
			out[id] = true
		}
	}
	return out
}

// eventTypes reads the type of each event id (withdrawn ones included:
// events are never deleted).
func eventTypes(ctx context.Context, db bun.IDB, ids map[string]bool) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	slices.Sort(list)
	var rows []struct {
		ID   string `bun:"id"`
		Type string `bun:"type"`
	}
	if err := db.NewRaw("SELECT id, type FROM events WHERE id IN (?)", bun.In(list)).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = r.Type
	}
	return out, nil
}

// countByType words ids by event type: "新增 微信响应超时 1 次，派单逾期 2 次".
func countByType(verb string, ids []string, types map[string]string) string {
	if len(ids) == 0 {
		return ""
	}
	n := map[string]int{}
	for _, id := range ids {
		name := appraisal.KnownEventTypes[types[id]]
		if name == "" {
			name = "事件"
		}
		n[name]++
	}
	names := make([]string, 0, len(n))
	for name := range n {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Compare(a, b) })
	parts := make([]string, 0, len(names))
	for _, name := range names {
		parts = append(parts, fmt.Sprintf("%s %d 次", name, n[name]))
	}
	return verb + " " + strings.Join(parts, "，")
}

// carrySummary names the carried lines of c for an audit summary ("" with
// none): "，含上期补记 −1.00（上期补记：2026-03 …）".
func carrySummary(c appraisal.Card) string {
	if len(c.Carried) == 0 {
		return ""
	}
	texts := make([]string, 0, len(c.Carried))
	for _, l := range c.Carried {
		texts = append(texts, l.Text)
	}
	return "，含上期补记 " + appraisal.SignedText(c.Carry) + "（" + strings.Join(texts, "；") + "）"
}
