package scorecards

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/appraisal"
	"kefu/internal/audit"
	"kefu/internal/notify"
	"kefu/internal/store"
)

// The scorecard lifecycle (SPEC §8.4): computed draft → 员工自评 → 上级评价 →
// 经理审批 → published (frozen, appeal window) → final.
//
//   - draft → self_review: a manager (or the system) opens the card to the
//     staff member (OpenSelfReview opens a whole month).
//   - self_review → rating: the staff member submits the self-review, with
//     an optional overall comment; only they.
//   - rating → approval: the rater — the direct supervisor or a manager,
//     never the staff member — submits a complete card (every rubric,
//     manual and checklist item rated). The card is evaluated once more
//     from the records at that moment and is frozen from then on.
//   - approval → published: a manager approves (never their own card); the
//     appeal window opens for LifecyclePolicy.AppealDays days.
//   - approval → rating: a manager returns the card with a reason.
//   - published → final: after the window, with no appeal undecided, by a
//     manager or by FinalizeDue (the app's periodic job).
//
// Comments (自评意见) are filed during the self-review; appeals (申诉) during
// the self-review or the appeal window. A manager decides an appeal; an
// upheld appeal on a frozen card may carry an adjustment, added to the
// card's final score as an explicit, audited line — the frozen lines never
// change. Before approval an upheld appeal is put right at its source (the
// rating or the event) and the recomputation shows it, so it carries no
// adjustment. A late fact of a frozen month otherwise reaches the score as
// a carried line on the staff member's next open card (上期补记, carry.go).
// Every step is audited and notified in-app.

// Appeal record kinds and decisions.
const (
	KindComment = "comment"
	KindAppeal  = "appeal"

	DecisionUpheld   = "upheld"
	DecisionRejected = "rejected"
)

// Statuses lists the card states in order.
var Statuses = []string{StatusDraft, StatusSelfReview, StatusRating, StatusApproval, StatusPublished, StatusFinal}

var statusNames = map[string]string{
	StatusDraft: "已计算", StatusSelfReview: "员工自评", StatusRating: "上级评价",
	StatusApproval: "经理审批", StatusPublished: "已发布（申诉期）", StatusFinal: "已定稿",
}

// StatusName is a card state in words.
func StatusName(status string) string {
	if n, ok := statusNames[status]; ok {
		return n
	}
	return status
}

// move is one allowed transition.
type move struct{ from, to string }

var moves = map[move]string{
	{StatusDraft, StatusSelfReview}:   "open",
	{StatusSelfReview, StatusRating}:  "submit_self_review",
	{StatusRating, StatusApproval}:    "submit",
	{StatusApproval, StatusPublished}: "approve",
	{StatusApproval, StatusRating}:    "return",
	{StatusPublished, StatusFinal}:    "finalize",
}

// LifecyclePolicy is the lifecycle's setting.
type LifecyclePolicy struct {
	// AppealDays is the appeal window after publication (申诉期), in days.
	AppealDays int `json:"appeal_days"`
}

// DefaultAppealDays is the appeal window when none is set.
const DefaultAppealDays = 5

const lifecyclePolicyKey = "appraisal.lifecycle"

func loadLifecyclePolicy(ctx context.Context, db bun.IDB) (LifecyclePolicy, error) {
	pol := LifecyclePolicy{AppealDays: DefaultAppealDays}
	_, err := store.GetSetting(ctx, db, lifecyclePolicyKey, &pol)
	return pol, err
}

// LifecyclePolicy returns the lifecycle setting.
func (s *Service) LifecyclePolicy(ctx context.Context) (LifecyclePolicy, error) {
	if !access.Caller(ctx).Can(access.AppraisalRead) {
		return LifecyclePolicy{}, apperr.Forbidden("无权查看考核设置")
	}
	return loadLifecyclePolicy(ctx, s.db.R())
}

// SaveLifecyclePolicy changes the lifecycle setting (managers). A new
// window applies to cards published afterwards.
func (s *Service) SaveLifecyclePolicy(ctx context.Context, pol LifecyclePolicy) (LifecyclePolicy, error) {
	if !access.Caller(ctx).IsManagerial() {
		return LifecyclePolicy{}, apperr.Forbidden("只有客服经理可以修改考核设置")
	}
	if pol.AppealDays < 0 || pol.AppealDays > 60 {
		return LifecyclePolicy{}, apperr.Invalid("appeal_days", "申诉期须为 0–60 天 (0 to 60 days)")
	}
	now := store.Time(s.now())
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := loadLifecyclePolicy(ctx, tx)
		if err != nil {
			return err
		}
		if err := store.PutSetting(ctx, tx, lifecyclePolicyKey, pol, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "update", Entity: "setting", EntityID: lifecyclePolicyKey,
			Summary: "考核申诉期 " + strconv.Itoa(before.AppealDays) + " → " + strconv.Itoa(pol.AppealDays) + " 天", Before: before, After: pol})
	})
	return pol, err
}

// AppealRecord is a comment on a line (自评意见) or an appeal of it (申诉)
// with its decision.
type AppealRecord struct {
	ID            string           `bun:"id,pk" json:"id"`
	ScorecardID   string           `bun:"scorecard_id" json:"scorecard_id"`
	Item          string           `bun:"item_key" json:"item"`
	Kind          string           `bun:"kind" json:"kind"`
	Text          string           `bun:"text" json:"text"`
	FiledBy       string           `bun:"filed_by" json:"filed_by"`
	FiledByName   string           `bun:"-" json:"filed_by_name"`
	FiledAt       time.Time        `bun:"filed_at" json:"filed_at"`
	Decision      string           `bun:"decision" json:"decision"`
	Adjustment    appraisal.Points `bun:"adjustment" json:"adjustment"`
	DecidedBy     *string          `bun:"decided_by" json:"decided_by"`
	DecidedByName string           `bun:"-" json:"decided_by_name"`
	DecidedAt     *time.Time       `bun:"decided_at" json:"decided_at"`
	DecisionNote  string           `bun:"decision_note" json:"decision_note"`

	bun.BaseModel `bun:"table:scorecard_appeals"`
}

// lockCard locks the card (and checks the version when version > 0) and
// loads it: NotFound for an unknown id, Conflict for a stale version.
func lockCard(ctx context.Context, tx bun.IDB, cardID string, version int64) (*Scorecard, error) {
	q := "UPDATE scorecards SET version = version WHERE id = ?"
	args := []any{cardID}
	if version > 0 {
		q += " AND version = ?"
		args = append(args, version)
	}
	res, err := tx.NewRaw(q, args...).Exec(ctx)
	if err != nil {
		return nil, err
	}
	card := new(Scorecard)
	if err := tx.NewSelect().Model(card).Where("id = ?", cardID).Scan(ctx); err != nil {
		return nil, notFound(err, "scorecard")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, apperr.Conflict("version", "考核表已被他人修改，请刷新后重试")
	}
	return card, nil
}

// supervisorOf is the staff member's direct supervisor ("" for none).
func supervisorOf(ctx context.Context, db bun.IDB, staffID string) (string, error) {
	var sup *string
	if err := db.NewRaw("SELECT supervisor_id FROM staff WHERE id = ?", staffID).Scan(ctx, &sup); err != nil {
		return "", notFound(err, "staff")
	}
	if sup == nil {
		return "", nil
	}
	return *sup, nil
}

func staffName(ctx context.Context, db bun.IDB, id string) (string, error) {
	var name string
	err := db.NewRaw("SELECT name FROM staff WHERE id = ?", id).Scan(ctx, &name)
	if errors.Is(err, store.ErrNoRows) {
		return "", nil
	}
	return name, err
}

// managers are the active managers (客服经理) but except; without any, the
// active admins but except.
func managers(ctx context.Context, db bun.IDB, except string) ([]string, error) {
	for _, role := range []access.Role{access.CSManager, access.Admin} {
		var ids []string
		if err := db.NewRaw(`SELECT DISTINCT st.id FROM staff st JOIN staff_roles r ON r.staff_id = st.id
			WHERE r.role = ? AND st.active AND st.id <> ? ORDER BY st.id`, string(role), except).Scan(ctx, &ids); err != nil {
			return nil, err
		}
		if len(ids) > 0 {
			return ids, nil
		}
	}
	return nil, nil
}

// raters are who rates the card: the direct supervisor when there is an
// active one, the managers otherwise.
func raters(ctx context.Context, db bun.IDB, card *Scorecard) ([]string, error) {
	sup, err := supervisorOf(ctx, db, card.StaffID)
	if err != nil {
		return nil, err
	}
	if sup != "" && sup != card.StaffID {
		var active bool
		if err := db.NewRaw("SELECT active FROM staff WHERE id = ?", sup).Scan(ctx, &active); err != nil {
			return nil, err
		}
		if active {
			return []string{sup}, nil
		}
	}
	return managers(ctx, db, card.StaffID)
}

// isRater: the staff member's direct supervisor or a manager, never the
// staff member.
func isRater(p *access.Principal, card *Scorecard, supervisor string) bool {
	if p.StaffID == card.StaffID {
		return false
	}
	return p.IsManagerial() || (p.StaffID != "" && supervisor == p.StaffID)
}

// mayMove says whether p may make mv on card (who, not when): nil or
// Forbidden with the reason.
func mayMove(p *access.Principal, card *Scorecard, supervisor string, mv move) error {
	switch moves[mv] {
	case "open":
		if !p.IsManagerial() {
			return apperr.Forbidden("只有客服经理可以开启员工自评")
		}
	case "submit_self_review":
		if p.StaffID == "" || p.StaffID != card.StaffID {
			return apperr.Forbidden("只有员工本人可以提交自评")
		}
	case "submit":
		if p.StaffID == card.StaffID {
			return apperr.Forbidden("不能给自己的考核评分")
		}
		if !isRater(p, card, supervisor) {
			return apperr.Forbidden("只有直属上级或客服经理可以提交审批")
		}
	case "approve", "return", "finalize":
		if p.StaffID == card.StaffID {
			return apperr.Forbidden("不能审批自己的考核")
		}
		if !p.IsManagerial() {
			return apperr.Forbidden("只有客服经理可以审批考核")
		}
	default:
		return apperr.Invalid("to", "不能从「"+StatusName(mv.from)+"」转到「"+StatusName(mv.to)+"」")
	}
	return nil
}

// openAppeals counts the card's undecided appeals.
func openAppeals(ctx context.Context, db bun.IDB, cardID string) (int, error) {
	n, err := db.NewSelect().Table("scorecard_appeals").Where("scorecard_id = ? AND kind = ? AND decision = ''", cardID, KindAppeal).Count(ctx)
	return int(n), err
}

// evaluate computes card from the records as they are now with its
// stored ratings and sample days — and, for an open card, the late facts
// of earlier frozen cards (上期补记, carry.go).
func (s *Service) evaluate(ctx context.Context, tx bun.IDB, card *Scorecard) (appraisal.Card, error) {
	rec := new(SchemeRecord)
	if err := tx.NewSelect().Model(rec).Where("id = ?", card.SchemeID).Scan(ctx); err != nil {
		return appraisal.Card{}, err
	}
	sc, err := rec.Scheme()
	if err != nil {
		return appraisal.Card{}, err
	}
	ratings, err := cardRatings(ctx, tx, card.ID)
	if err != nil {
		return appraisal.Card{}, err
	}
	samples, err := cardSamples(ctx, tx, card.ID)
	if err != nil {
		return appraisal.Card{}, err
	}
	start, end, err := s.bounds(card.Period)
	if err != nil {
		return appraisal.Card{}, err
	}
	evs, err := staffEvents(ctx, tx, card.StaffID, start, end)
	if err != nil {
		return appraisal.Card{}, err
	}
	rts, err := s.periodRates(ctx, card.Period, card.StaffID)
	if err != nil {
		return appraisal.Card{}, err
	}
	return s.evaluateOpen(ctx, tx, card.StaffID, start, end, appraisal.Input{Scheme: sc, Events: evs, Rates: rts, Ratings: ratings, Samples: samples})
}

// adjustmentOf sums the card's upheld appeals' adjustments.
func adjustmentOf(ctx context.Context, db bun.IDB, cardID string) (appraisal.Points, error) {
	var sum int64
	err := db.NewRaw("SELECT COALESCE(SUM(adjustment), 0) FROM scorecard_appeals WHERE scorecard_id = ? AND decision = ?", cardID, DecisionUpheld).Scan(ctx, &sum)
	return appraisal.Points(sum), err
}

// notice is one in-app notification about a card.
type notice struct {
	to          []string
	step, title string
	body        string
}

func notifyCard(ctx context.Context, tx bun.IDB, now time.Time, card *Scorecard, n notice) error {
	for _, rcpt := range n.to {
		if rcpt == "" {
			continue
		}
		if _, err := notify.Add(ctx, tx, now, notify.Notification{RecipientID: rcpt, Kind: "scorecard_" + n.step,
			SubjectKind: "scorecard", SubjectID: card.ID, Title: n.title, Body: n.body, Link: "/scorecards/" + card.ID,
			DedupKey: "scorecard|" + card.ID + "|" + n.step + "|" + strconv.FormatInt(card.Version, 10) + "|" + rcpt}); err != nil {
			return err
		}
	}
	return nil
}

// Transition moves a card to the state to (see the lifecycle above); note
// is the staff member's overall comment when submitting the self-review,
// the reason when returning a card (required), optional otherwise. A move
// out of order, by the wrong person or with the card not ready is refused
// and changes nothing.
func (s *Service) Transition(ctx context.Context, cardID string, version int64, to, note string) (*Scorecard, error) {
	p := access.Caller(ctx)
	note = strings.TrimSpace(note)
	if !slices.Contains(Statuses, to) {
		return nil, apperr.Invalid("to", "未知状态，可选："+strings.Join(Statuses, "、")+" (unknown state)")
	}
	if utf8.RuneCountInString(note) > 2000 {
		return nil, apperr.Invalid("note", "意见最多 2000 字")
	}
	now := store.Time(s.now())
	var out *Scorecard
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		card, err := lockCard(ctx, tx, cardID, version)
		if err != nil {
			return err
		}
		if !p.Can(access.AppraisalRead) {
			return apperr.Forbidden("无权办理考核")
		}
		out = card
		return s.transition(ctx, tx, p, card, to, note, now)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// transition makes one move on the locked card.
func (s *Service) transition(ctx context.Context, tx bun.IDB, p *access.Principal, card *Scorecard, to, note string, now time.Time) error {
	mv := move{card.Status, to}
	step, ok := moves[mv]
	if !ok {
		return apperr.Invalid("to", "不能从「"+StatusName(card.Status)+"」转到「"+StatusName(to)+"」 (not allowed from "+card.Status+" to "+to+")")
	}
	supervisor, err := supervisorOf(ctx, tx, card.StaffID)
	if err != nil {
		return err
	}
	if err := mayMove(p, card, supervisor, mv); err != nil {
		return err
	}
	who, err := staffName(ctx, tx, card.StaffID)
	if err != nil {
		return err
	}
	before := *card
	var n notice
	subject := card.Period + " 绩效考核"
	switch step {
	case "open":
		n = notice{to: []string{card.StaffID}, title: subject + "待自评", body: "请查看各项得分及其依据，可对各项填写意见或申诉，然后提交自评。"}
	case "submit_self_review":
		card.SelfComment, card.SelfAt = note, &now
		rs, err := raters(ctx, tx, card)
		if err != nil {
			return err
		}
		n = notice{to: rs, title: who + " 已提交 " + subject + "自评，待评分", body: note}
	case "submit":
		c, err := s.evaluate(ctx, tx, card)
		if err != nil {
			return err
		}
		if !c.Complete {
			names := make([]string, 0, len(c.Pending))
			for _, l := range c.Lines {
				if l.Pending {
					names = append(names, l.Name+"（"+l.Item+"）")
				}
			}
			return apperr.Invalid("pending", "尚有未评项目："+strings.Join(names, "、")+" (items still to rate: "+strings.Join(c.Pending, ", ")+")")
		}
		card.setComputed(c)
		card.ComputedAt = now
		ms, err := managers(ctx, tx, card.StaffID)
		if err != nil {
			return err
		}
		n = notice{to: ms, title: who + " 的 " + subject + "待审批", body: "得分 " + c.Final.String()}
	case "approve":
		pol, err := loadLifecyclePolicy(ctx, tx)
		if err != nil {
			return err
		}
		until := now.AddDate(0, 0, pol.AppealDays)
		card.ApprovedBy, card.ApprovedAt, card.PublishedAt, card.AppealUntil = optional(p.StaffID), &now, &now, &until
		n = notice{to: []string{card.StaffID}, title: subject + "已发布：" + card.Final.String() + " 分",
			body: "如有异议，请于 " + until.In(s.loc).Format("2006-01-02 15:04") + " 前提出申诉。"}
	case "return":
		if note == "" {
			return apperr.Invalid("note", "退回须写明原因 (a reason is required)")
		}
		var rs []string
		if card.RatedBy != nil {
			rs = []string{*card.RatedBy}
		} else if rs, err = raters(ctx, tx, card); err != nil {
			return err
		}
		n = notice{to: rs, title: who + " 的 " + subject + "被退回重评", body: note}
	case "finalize":
		if card.AppealUntil != nil && now.Before(*card.AppealUntil) {
			return apperr.Invalid("to", "申诉期至 "+card.AppealUntil.In(s.loc).Format("2006-01-02 15:04")+" 结束，之后才能定稿 (the appeal window is still open)")
		}
		k, err := openAppeals(ctx, tx, card.ID)
		if err != nil {
			return err
		}
		if k > 0 {
			return apperr.Invalid("to", "还有 "+strconv.Itoa(k)+" 条申诉未处理，处理后才能定稿 (appeals undecided)")
		}
		card.FinalizedAt = &now
		n = notice{to: []string{card.StaffID}, title: subject + "已定稿：" + card.Final.String() + " 分"}
	}
	card.Status, card.UpdatedAt, card.Version = to, now, card.Version+1
	if _, err := tx.NewUpdate().Model(card).WherePK().Exec(ctx); err != nil {
		return err
	}
	summary := "考核 " + card.Period + " " + who + "：" + StatusName(before.Status) + " → " + StatusName(to)
	if step == "submit" && before.Final != card.Final {
		summary += "，得分 " + before.Final.String() + " → " + card.Final.String()
	}
	if note != "" {
		summary += "（" + note + "）"
	}
	if err := audit.Record(ctx, tx, now, audit.Change{Action: "transition", Entity: "scorecard", EntityID: card.ID,
		Summary: summary, Before: &before, After: card}); err != nil {
		return err
	}
	n.step = step
	return notifyCard(ctx, tx, now, card, n)
}

// OpenSelfReview opens every draft card of the period (YYYY-MM) to its
// staff member for the self-review (managers), and says how many.
func (s *Service) OpenSelfReview(ctx context.Context, period string) (int, error) {
	p := access.Caller(ctx)
	if !p.IsManagerial() {
		return 0, apperr.Forbidden("只有客服经理可以开启员工自评")
	}
	if _, _, _, err := s.month(period); err != nil {
		return 0, err
	}
	now := store.Time(s.now())
	n := 0
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		var ids []string
		if err := tx.NewRaw("SELECT id FROM scorecards WHERE period = ? AND status = ? ORDER BY id", period, StatusDraft).Scan(ctx, &ids); err != nil {
			return err
		}
		for _, id := range ids {
			card, err := lockCard(ctx, tx, id, 0)
			if err != nil {
				return err
			}
			if err := s.transition(ctx, tx, p, card, StatusSelfReview, "", now); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// FinalizeDue finalizes the published cards whose appeal window has
// passed with no appeal undecided, and says how many (the app runs it
// periodically as the system).
func (s *Service) FinalizeDue(ctx context.Context) (int, error) {
	p := access.Caller(ctx)
	if !p.IsManagerial() {
		return 0, apperr.Forbidden("只有客服经理可以定稿考核")
	}
	now := store.Time(s.now())
	var ids []string
	if err := s.db.R().NewRaw(`SELECT id FROM scorecards sc WHERE status = ? AND appeal_until IS NOT NULL AND appeal_until <= ?
		AND NOT EXISTS (SELECT 1 FROM scorecard_appeals a WHERE a.scorecard_id = sc.id AND a.kind = ? AND a.decision = '')
		ORDER BY id`, StatusPublished, now, KindAppeal).Scan(ctx, &ids); err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
			card, err := lockCard(ctx, tx, id, 0)
			if err != nil {
				return err
			}
			if card.Status != StatusPublished || card.StaffID == p.StaffID {
				return nil
			}
			return s.transition(ctx, tx, p, card, StatusFinal, "", now)
		})
		switch {
		case err == nil:
			n++
		case apperr.Is(err, apperr.KindInvalid):
			// an appeal filed meanwhile: the next run finalizes it
		default:
			return n, err
		}
	}
	return n, nil
}

// lineOf is the card's line of item, or nil.
func lineOf(card *Scorecard, item string) *appraisal.Line {
	for i := range card.Card.Lines {
		if card.Card.Lines[i].Item == item {
			return &card.Card.Lines[i]
		}
	}
	return nil
}

// file adds a comment or an appeal of the staff member on a line.
func (s *Service) file(ctx context.Context, cardID, kind, item, text string) (*AppealRecord, error) {
	p := access.Caller(ctx)
	item, text = strings.TrimSpace(item), strings.TrimSpace(text)
	field := "text"
	if kind == KindAppeal {
		field = "reason"
	}
	if text == "" {
		return nil, apperr.Invalid(field, "请填写内容 (required)")
	}
	if utf8.RuneCountInString(text) > 2000 {
		return nil, apperr.Invalid(field, "最多 2000 字 (at most 2000 characters)")
	}
	now := store.Time(s.now())
	var out *AppealRecord
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		card, err := lockCard(ctx, tx, cardID, 0)
		if err != nil {
			return err
		}
		if p.StaffID == "" || p.StaffID != card.StaffID {
			if kind == KindAppeal {
				return apperr.Forbidden("只有员工本人可以申诉")
			}
			return apperr.Forbidden("只有员工本人可以填写自评意见")
		}
		switch {
		case kind == KindComment && card.Status != StatusSelfReview:
			return apperr.Invalid("status", "只能在自评阶段填写意见，考核表当前为「"+StatusName(card.Status)+"」")
		case kind == KindAppeal && card.Status == StatusSelfReview:
		case kind == KindAppeal && card.Status == StatusPublished && card.AppealUntil != nil && now.Before(*card.AppealUntil):
		case kind == KindAppeal && (card.Status == StatusPublished || card.Status == StatusFinal):
			until := ""
			if card.AppealUntil != nil {
				until = "（截止 " + card.AppealUntil.In(s.loc).Format("2006-01-02 15:04") + "）"
			}
			return apperr.Invalid("status", "申诉期已过"+until+" (the appeal window has closed)")
		case kind == KindAppeal:
			return apperr.Invalid("status", "只能在自评阶段或发布后的申诉期内申诉，考核表当前为「"+StatusName(card.Status)+"」")
		}
		line := lineOf(card, item)
		if line == nil {
			return apperr.Invalid("item", "考核表没有该项目 (no such item on the card)")
		}
		if kind == KindAppeal {
			n, err := tx.NewSelect().Table("scorecard_appeals").
				Where("scorecard_id = ? AND item_key = ? AND kind = ? AND decision = ''", card.ID, item, KindAppeal).Count(ctx)
			if err != nil {
				return err
			}
			if n > 0 {
				return apperr.Invalid("item", "该项目已有待处理的申诉 (an appeal of this item is pending)")
			}
		}
		a := &AppealRecord{ID: store.NewID(), ScorecardID: card.ID, Item: item, Kind: kind, Text: text, FiledBy: p.StaffID, FiledByName: p.Name, FiledAt: now}
		if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
			return err
		}
		out = a
		what := "自评意见"
		if kind == KindAppeal {
			what = "申诉"
		}
		if err := audit.Record(ctx, tx, now, audit.Change{Action: kind, Entity: "scorecard", EntityID: card.ID,
			Summary: "考核 " + card.Period + " " + what + "「" + line.Name + "」：" + text, After: a}); err != nil {
			return err
		}
		if kind != KindAppeal {
			return nil
		}
		ms, err := managers(ctx, tx, card.StaffID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if _, err := notify.Add(ctx, tx, now, notify.Notification{RecipientID: m, Kind: "scorecard_appeal", SubjectKind: "scorecard", SubjectID: card.ID,
				Title: p.Name + " 对 " + card.Period + " 绩效考核「" + line.Name + "」提出申诉", Body: text, Link: "/scorecards/" + card.ID,
				DedupKey: "scorecard_appeal|" + a.ID + "|" + m}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Comment adds the staff member's comment on a line of their card during
// the self-review (自评意见).
func (s *Service) Comment(ctx context.Context, cardID, item, text string) (*AppealRecord, error) {
	return s.file(ctx, cardID, KindComment, item, text)
}

// Appeal files the staff member's appeal of a line of their card (申诉),
// during the self-review or within the appeal window after publication;
// one undecided appeal per line. The managers are notified.
func (s *Service) Appeal(ctx context.Context, cardID, item, reason string) (*AppealRecord, error) {
	return s.file(ctx, cardID, KindAppeal, item, reason)
}

// DecideAppeal records a manager's decision on an appeal (never on their
// own card): upheld or rejected, with a note. An upheld appeal on a frozen
// card (approval onwards) may carry an adjustment (±, at most the scheme
// total), added to the card's final score as an explicit line; the
// frozen lines stay as they were. Before approval the fix is made at the
// source (the rating, the event) and the adjustment must be 0. The staff
// member is notified.
func (s *Service) DecideAppeal(ctx context.Context, appealID, decision string, adjustment appraisal.Points, note string) (*AppealRecord, error) {
	p := access.Caller(ctx)
	note = strings.TrimSpace(note)
	now := store.Time(s.now())
	var out *AppealRecord
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		a := new(AppealRecord)
		if err := tx.NewSelect().Model(a).Where("id = ? AND kind = ?", appealID, KindAppeal).Scan(ctx); err != nil {
			return notFound(err, "appeal")
		}
		card, err := lockCard(ctx, tx, a.ScorecardID, 0)
		if err != nil {
			return err
		}
		if !p.IsManagerial() {
			return apperr.Forbidden("只有客服经理可以处理申诉")
		}
		if p.StaffID == card.StaffID {
			return apperr.Forbidden("不能处理自己的申诉")
		}
		if a.Decision != "" {
			return apperr.Conflict("decision", "该申诉已处理 (already decided)")
		}
		switch decision {
		case DecisionUpheld, DecisionRejected:
		default:
			return apperr.Invalid("decision", "处理结果须为 upheld（成立）或 rejected（不成立）")
		}
		if note == "" {
			return apperr.Invalid("note", "请填写处理意见 (required)")
		}
		if utf8.RuneCountInString(note) > 2000 {
			return apperr.Invalid("note", "最多 2000 字 (at most 2000 characters)")
		}
		frozen := !slices.Contains(recomputable, card.Status)
		switch {
		case adjustment == 0:
		case decision == DecisionRejected:
			return apperr.Invalid("adjustment", "申诉不成立时不调整分数 (no adjustment for a rejected appeal)")
		case !frozen:
			return apperr.Invalid("adjustment", "审批前请修改评分或撤销事件，重新计算即可体现；调整分只用于提交审批之后 (before approval, fix the rating or the event instead)")
		case adjustment > card.Card.Max || -adjustment > card.Card.Max:
			return apperr.Invalid("adjustment", "调整分不能超过方案总分 "+card.Card.Max.String())
		}
		before := *a
		a.Decision, a.Adjustment, a.DecidedBy, a.DecidedAt, a.DecisionNote = decision, adjustment, optional(p.StaffID), &now, note
		if _, err := tx.NewUpdate().Model(a).Column("decision", "adjustment", "decided_by", "decided_at", "decision_note").WherePK().Exec(ctx); err != nil {
			return err
		}
		line := lineOf(card, a.Item)
		name := a.Item
		if line != nil {
			name = line.Name
		}
		result := "不成立"
		if decision == DecisionUpheld {
			result = "成立"
		}
		summary := "考核 " + card.Period + " 申诉「" + name + "」" + result
		if adjustment != 0 {
			summary += "，调整 " + signed(adjustment)
		}
		if err := audit.Record(ctx, tx, now, audit.Change{Action: "decide_appeal", Entity: "scorecard_appeal", EntityID: a.ID,
			Summary: summary + "：" + note, Before: &before, After: a}); err != nil {
			return err
		}
		if adjustment != 0 {
			cb := *card
			card.Final += adjustment
			card.UpdatedAt, card.Version = now, card.Version+1
			if _, err := tx.NewUpdate().Model(card).Column("final_score", "updated_at", "version").WherePK().Exec(ctx); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, now, audit.Change{Action: "adjust", Entity: "scorecard", EntityID: card.ID,
				Summary: "考核 " + card.Period + " 申诉调整「" + name + "」" + signed(adjustment) + "，得分 " + cb.Final.String() + " → " + card.Final.String(),
				Before:  &cb, After: card}); err != nil {
				return err
			}
		}
		body := note
		if adjustment != 0 {
			body = "调整 " + signed(adjustment) + " 分，得分 " + card.Final.String() + "。" + note
		}
		if _, err := notify.Add(ctx, tx, now, notify.Notification{RecipientID: card.StaffID, Kind: "scorecard_appeal_decided", SubjectKind: "scorecard",
			SubjectID: card.ID, Title: card.Period + " 绩效考核申诉「" + name + "」" + result, Body: body, Link: "/scorecards/" + card.ID,
			DedupKey: "scorecard_appeal_decided|" + a.ID}); err != nil {
			return err
		}
		a.DecidedByName = p.Name
		out = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// signed formats an adjustment with its sign: "+2.00", "-1.50".
func signed(p appraisal.Points) string {
	if p > 0 {
		return "+" + p.String()
	}
	return p.String()
}
