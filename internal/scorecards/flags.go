package scorecards

// Rater flags (SPEC §8.2): events a rater enters by hand with a reason
// and evidence, withdrawable with a reason.
//
// Decisions:
//
//   - Types: unregistered (相关事项未登记), dispatch_error (派单内容有错误),
//     attitude_complaint (被客户投诉态度不佳 — normally from a justified
//     complaint ticket, which flags it itself; by hand for one received
//     outside the platform), bonus (嘉奖加分) and penalty (行政处罚).
//   - Quantity: unregistered and attitude_complaint are one occurrence
//     each; dispatch_error's quantity is the points the flagger chose (whole
//     points within the rule's min–max of the scheme in force, seed 000
//     "每处扣1-2分"); bonus's quantity is the bonus in whole points (+1…+10,
//     the scheme's bonus range, seed 004 §4.9) — like dispatch_error, a
//     chosen number of whole points; penalty's quantity is the points of
//     the administrative penalty (0 allowed).
//   - bonus and penalty are not appraisal.KnownEventTypes: a bonus reaches
//     the card as an appraisal.Bonus line (Input.Bonuses, see
//     evaluateWithBonuses); a penalty is not a line of the card — seed 004
//     §4.10 deducts the item's points through its rules and adds the
//     penalty on top under 《行政奖罚标准工作规程》, so it is kept on record
//     (listed with the events) for that follow-up.
//   - A bonus needs a scheme in force with bonus lines (加分项); a scheme
//     without them ignores bonus flags, and a bonus outside a later
//     version's range counts clamped into it, so that a new version never
//     breaks the computation of a month.
//   - Who: the staff member's direct supervisor (直属上级) or a manager,
//     never oneself. Withdrawal: the flagger or a manager, never the person
//     flagged, with a reason. Flags made elsewhere (a communication flagged
//     unregistered, a justified complaint) are withdrawn where they were
//     made, so that the record and its event stay in step; computed events
//     follow the records and are not withdrawn by hand.
//   - A month whose card is past rating (submitted for approval) takes no
//     new flag and no withdrawal: late facts reach it through an appeal.
//   - The same record cannot prove two standing events of the same type
//     for the same person (no double counting with the platform's own
//     flags).

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/appraisal"
	"kefu/internal/audit"
	"kefu/internal/events"
	"kefu/internal/store"
)

// Flag types a rater enters.
const (
	FlagBonus             = "bonus"
	FlagPenalty           = "penalty"
	FlagDispatchError     = "dispatch_error"
	FlagUnregistered      = "unregistered"
	FlagAttitudeComplaint = "attitude_complaint"
)

// FlagTypes are the types of FlagInput, with their names.
var FlagTypes = map[string]string{
	FlagBonus:             "嘉奖加分",
	FlagPenalty:           "行政处罚",
	FlagDispatchError:     "派单内容有错误",
	FlagUnregistered:      "相关事项未登记",
	FlagAttitudeComplaint: "被客户投诉态度不佳",
}

// FlagTypeKeys lists FlagTypes in a fixed order.
var FlagTypeKeys = []string{FlagUnregistered, FlagDispatchError, FlagAttitudeComplaint, FlagBonus, FlagPenalty}

// flagRule marks the events this file writes.
const flagRule = "flag"

// evidenceTables are the records a flag may cite, by kind.
var evidenceTables = map[string]string{
	"communication":   "communications",
	"ticket":          "tickets",
	"callback":        "callbacks",
	"customer":        "customers",
	"contract":        "contracts",
	"work_order":      "work_orders",
	"work_order_file": "work_order_files",
	"project":         "projects",
	"problem":         "problems",
	"daily_summary":   "daily_summaries",
	"monthly_summary": "monthly_summaries",
	"attachment":      "attachments",
}

// EvidenceKinds lists the kinds of record a flag may cite.
func EvidenceKinds() []string { return sortedKeys(evidenceTables) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// FlagInput is a rater's flag.
type FlagInput struct {
	StaffID    string    `json:"staff_id"`
	Type       string    `json:"type"`
	OccurredAt time.Time `json:"occurred_at"`
	// Points: bonus +1…+10 and dispatch_error 1–2 (the scheme's range, whole
	// points); penalty: the penalty's points (optional); others: none.
	Points     int64        `json:"points,omitempty"`
	CustomerID string       `json:"customer_id,omitempty"`
	Reason     string       `json:"reason"`
	Evidence   []events.Ref `json:"evidence,omitempty"`
}

// FlaggedEvent is the event a flag wrote.
type FlaggedEvent struct {
	ID             string       `bun:"id,pk" json:"id"`
	Type           string       `bun:"type" json:"type"`
	StaffID        *string      `bun:"staff_id" json:"staff_id"`
	CustomerID     *string      `bun:"customer_id" json:"customer_id"`
	OccurredAt     time.Time    `bun:"occurred_at" json:"occurred_at"`
	Quantity       int64        `bun:"quantity" json:"quantity"`
	Rule           string       `bun:"rule" json:"rule"`
	Detail         string       `bun:"detail" json:"detail"`
	Source         string       `bun:"source" json:"source"`
	ComputedKey    *string      `bun:"computed_key" json:"-"`
	FlaggedBy      *string      `bun:"flagged_by" json:"flagged_by"`
	Reason         string       `bun:"reason" json:"reason"`
	WithdrawnAt    *time.Time   `bun:"withdrawn_at" json:"withdrawn_at"`
	WithdrawnBy    *string      `bun:"withdrawn_by" json:"withdrawn_by"`
	WithdrawReason string       `bun:"withdraw_reason" json:"withdraw_reason"`
	CreatedAt      time.Time    `bun:"created_at" json:"created_at"`
	UpdatedAt      time.Time    `bun:"updated_at" json:"updated_at"`
	Evidence       []events.Ref `bun:"-" json:"evidence"`

	bun.BaseModel `bun:"table:events"`
}

// checkFlagInput validates what needs no database.
func checkFlagInput(in *FlagInput, now time.Time) error {
	in.StaffID, in.Type, in.CustomerID, in.Reason = strings.TrimSpace(in.StaffID), strings.TrimSpace(in.Type), strings.TrimSpace(in.CustomerID), strings.TrimSpace(in.Reason)
	if _, ok := FlagTypes[in.Type]; !ok {
		return apperr.Invalid("type", "标记类型须为 "+strings.Join(FlagTypeKeys, "、"))
	}
	if in.StaffID == "" {
		return apperr.Invalid("staff_id", "请选择员工")
	}
	if in.OccurredAt.IsZero() {
		return apperr.Invalid("occurred_at", "请填写发生时间")
	}
	if in.OccurredAt.After(now.Add(5 * time.Minute)) {
		return apperr.Invalid("occurred_at", "发生时间不能晚于现在")
	}
	if in.Reason == "" || len([]rune(in.Reason)) > 1000 {
		return apperr.Invalid("reason", "请填写理由（不超过 1000 字）")
	}
	switch in.Type {
	case FlagBonus:
		if in.Points < 1 {
			return apperr.Invalid("points", "请填写加分分值（整数分，如 1 到 10）")
		}
	case FlagDispatchError:
		if in.Points < 1 {
			return apperr.Invalid("points", "请填写扣分分值（整数分，如 1 或 2）")
		}
	case FlagPenalty:
		if in.Points < 0 || in.Points > 100 {
			return apperr.Invalid("points", "处罚分值应在 0 到 100 之间")
		}
	default:
		if in.Points != 0 {
			return apperr.Invalid("points", FlagTypes[in.Type]+"按次计，不填写分值")
		}
	}
	if len(in.Evidence) > 20 {
		return apperr.Invalid("evidence", "证据最多 20 条")
	}
	for i := range in.Evidence {
		r := &in.Evidence[i]
		r.Kind, r.ID, r.Role = strings.TrimSpace(r.Kind), strings.TrimSpace(r.ID), strings.TrimSpace(r.Role)
		f := fmt.Sprintf("evidence[%d]", i)
		if _, ok := evidenceTables[r.Kind]; !ok {
			return apperr.Invalid(f+".kind", "证据类型须为 "+strings.Join(EvidenceKinds(), "、"))
		}
		if r.ID == "" {
			return apperr.Invalid(f+".id", "请填写证据记录的 id")
		}
		if r.Role == "" {
			r.Role = "flag"
		}
		if len(r.Role) > 40 {
			return apperr.Invalid(f+".role", "证据说明过长")
		}
	}
	return nil
}

// mayFlag: a manager, or the staff member's direct supervisor; never
// oneself.
func mayFlag(ctx context.Context, db bun.IDB, p *access.Principal, staffID string) error {
	if p.StaffID != "" && p.StaffID == staffID {
		return apperr.Forbidden("不能标记自己的考核事件")
	}
	var supervisor *string
	if err := db.NewRaw("SELECT supervisor_id FROM staff WHERE id = ?", staffID).Scan(ctx, &supervisor); err != nil {
		return notFound(err, "staff")
	}
	if !p.IsManagerial() && (supervisor == nil || p.StaffID == "" || *supervisor != p.StaffID) {
		return apperr.Forbidden("只有直属上级或客服经理可以标记考核事件")
	}
	return nil
}

// frozenMonth refuses a change to a month whose card is past rating.
func (s *Service) frozenMonth(ctx context.Context, db bun.IDB, staffID string, at time.Time) error {
	period := at.In(s.loc).Format("2006-01")
	var sts []string
	if err := db.NewRaw("SELECT status FROM scorecards WHERE staff_id = ? AND period = ?", staffID, period).Scan(ctx, &sts); err != nil {
		return err
	}
	for _, st := range sts {
		if !slices.Contains(recomputable, st) {
			return apperr.Conflict("occurred_at", fmt.Sprintf("%s 的考核表已提交审批，不能再标记或撤销事件；请通过申诉更正", period))
		}
	}
	return nil
}

// Flag records a rater's flag as a flagged event with its reason and
// evidence.
func (s *Service) Flag(ctx context.Context, in FlagInput) (*FlaggedEvent, error) {
	p := access.Caller(ctx)
	if !p.Can(access.AppraisalRead) {
		return nil, apperr.Forbidden("无权标记考核事件")
	}
	now := store.Time(s.now())
	if err := checkFlagInput(&in, now); err != nil {
		return nil, err
	}
	var out *FlaggedEvent
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := mayFlag(ctx, tx, p, in.StaffID); err != nil {
			return err
		}
		if in.CustomerID != "" {
			if err := exists(ctx, tx, "customers", in.CustomerID, "customer_id"); err != nil {
				return err
			}
		}
		for i, r := range in.Evidence {
			if err := exists(ctx, tx, evidenceTables[r.Kind], r.ID, fmt.Sprintf("evidence[%d].id", i)); err != nil {
				return err
			}
			var dup int
			if err := tx.NewRaw(`SELECT COUNT(*) FROM events e JOIN event_evidence v ON v.event_id = e.id
				WHERE e.type = ? AND e.staff_id = ? AND e.withdrawn_at IS NULL AND v.kind = ? AND v.ref_id = ?`,
				in.Type, in.StaffID, r.Kind, r.ID).Scan(ctx, &dup); err != nil {
				return err
			}
			if dup > 0 {
				return apperr.Conflict(fmt.Sprintf("evidence[%d].id", i), "该记录已是此员工一条有效“"+FlagTypes[in.Type]+"”事件的证据，不能重复标记")
			}
		}
		if err := s.frozenMonth(ctx, tx, in.StaffID, in.OccurredAt); err != nil {
			return err
		}
		qty := int64(1)
		detail := FlagTypes[in.Type]
		switch in.Type {
		case FlagBonus, FlagDispatchError:
			if err := s.checkFlagPoints(ctx, tx, in); err != nil {
				return err
			}
			qty = in.Points
			detail = fmt.Sprintf("%s %s%d 分", FlagTypes[in.Type], map[bool]string{true: "+", false: "−"}[in.Type == FlagBonus], in.Points)
		case FlagPenalty:
			qty = in.Points
			if in.Points > 0 {
				detail = fmt.Sprintf("%s %d 分", FlagTypes[in.Type], in.Points)
			}
		}
		staff := in.StaffID
		e := &FlaggedEvent{ID: store.NewID(), Type: in.Type, StaffID: &staff, CustomerID: optional(in.CustomerID), OccurredAt: store.Time(in.OccurredAt),
			Quantity: qty, Rule: flagRule, Detail: detail, Source: "flagged", FlaggedBy: optional(p.StaffID), Reason: in.Reason,
			CreatedAt: now, UpdatedAt: now, Evidence: in.Evidence}
		if e.Evidence == nil {
			e.Evidence = []events.Ref{}
		}
		if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
			return err
		}
		for _, r := range in.Evidence {
			if _, err := tx.NewRaw("INSERT INTO event_evidence (event_id, kind, ref_id, role) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
				e.ID, r.Kind, r.ID, r.Role).Exec(ctx); err != nil {
				return err
			}
		}
		out = e
		return audit.Record(ctx, tx, now, audit.Change{Action: "flag", Entity: "event", EntityID: e.ID,
			Summary: "标记考核事件 " + detail + "：" + in.Reason, After: e})
	})
	return out, err
}

func exists(ctx context.Context, db bun.IDB, table, id, field string) error {
	var n int
	if err := db.NewRaw("SELECT COUNT(*) FROM "+table+" WHERE id = ?", id).Scan(ctx, &n); err != nil {
		return err
	}
	if n == 0 {
		return apperr.Invalid(field, "找不到该记录："+id)
	}
	return nil
}

// checkFlagPoints checks a bonus or dispatch_error against the scheme in
// force for the staff member in the month of the flag.
func (s *Service) checkFlagPoints(ctx context.Context, db bun.IDB, in FlagInput) error {
	_, _, last, err := s.month(in.OccurredAt.In(s.loc).Format("2006-01"))
	if err != nil {
		return err
	}
	staff, err := loadStaff(ctx, db, in.StaffID)
	if err != nil {
		return err
	}
	if len(staff) == 0 {
		return apperr.NotFound("staff")
	}
	rec, err := s.schemeOfStaff(ctx, db, staff[0], last)
	if err != nil {
		return err
	}
	if rec == nil {
		return apperr.Invalid("staff_id", "该员工没有适用的考核方案")
	}
	sc, err := rec.Scheme()
	if err != nil {
		return err
	}
	pts := appraisal.P(in.Points)
	if in.Type == FlagBonus {
		b := sc.Bonus
		if b == nil {
			return apperr.Invalid("type", fmt.Sprintf("“%s”第 %d 版没有加分项，不能加分", sc.Name, rec.Version))
		}
		if pts < b.Min || pts > b.Max {
			return apperr.Invalid("points", fmt.Sprintf("每次加分应在 %s 到 %s 分之间", b.Min.Short(), b.Max.Short()))
		}
		return nil
	}
	for _, c := range sc.Categories {
		for _, it := range c.Items {
			for _, r := range it.Rules {
				if r.Per == appraisal.PerChoice && (r.Event == in.Type || slices.Contains(r.Events, in.Type)) && (pts < r.Min || pts > r.Max) {
					return apperr.Invalid("points", fmt.Sprintf("%s每处扣 %s 到 %s 分", FlagTypes[in.Type], r.Min.Short(), r.Max.Short()))
				}
			}
		}
	}
	return nil
}

// Withdraw withdraws a flagged event with a reason: the flagger or a
// manager, never the person flagged.
func (s *Service) Withdraw(ctx context.Context, eventID, reason string) (*FlaggedEvent, error) {
	p := access.Caller(ctx)
	if !p.Can(access.AppraisalRead) {
		return nil, apperr.Forbidden("无权撤销考核事件")
	}
	reason = strings.TrimSpace(reason)
	now := store.Time(s.now())
	var out *FlaggedEvent
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		e := new(FlaggedEvent)
		if err := tx.NewSelect().Model(e).Where("id = ?", eventID).Scan(ctx); err != nil {
			return notFound(err, "event")
		}
		if e.StaffID != nil && *e.StaffID == p.StaffID {
			return apperr.Forbidden("不能撤销自己的考核事件；如有异议请申诉")
		}
		if !p.IsManagerial() && !sameStaff(e.FlaggedBy, p.StaffID) {
			return apperr.Forbidden("只有标记人或客服经理可以撤销")
		}
		switch {
		case e.Source != "flagged":
			return apperr.Conflict("source", "系统计算的事件随记录重新计算，不能手工撤销；请更正相关记录")
		case e.WithdrawnAt != nil:
			return apperr.Conflict("withdrawn_at", "该事件已撤销")
		case e.Rule != flagRule && e.Type == FlagUnregistered:
			return apperr.Conflict("source", "该事件由沟通记录的“未登记”标记产生，请在沟通记录中撤销标记")
		case e.Rule != flagRule && e.Type == FlagAttitudeComplaint:
			return apperr.Conflict("source", "该事件由投诉工单的判定产生，请在投诉工单中重新判定")
		case e.Rule != flagRule:
			return apperr.Conflict("source", "该事件由其他记录产生，请在原记录中撤销")
		}
		if reason == "" || len([]rune(reason)) > 500 {
			return apperr.Invalid("reason", "请填写撤销原因（不超过 500 字）")
		}
		if e.StaffID != nil {
			if err := s.frozenMonth(ctx, tx, *e.StaffID, e.OccurredAt); err != nil {
				return err
			}
		}
		before := *e
		e.WithdrawnAt, e.WithdrawnBy, e.WithdrawReason, e.UpdatedAt = &now, optional(p.StaffID), reason, now
		if _, err := tx.NewUpdate().Model(e).Column("withdrawn_at", "withdrawn_by", "withdraw_reason", "updated_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		refs, err := events.Evidence(ctx, tx, e.ID)
		if err != nil {
			return err
		}
		e.Evidence = refs
		out = e
		return audit.Record(ctx, tx, now, audit.Change{Action: "withdraw", Entity: "event", EntityID: e.ID,
			Summary: "撤销考核事件 " + e.Detail + "：" + reason, Before: &before, After: e})
	})
	return out, err
}

// standingBonuses are the staff member's standing bonus flags in [start,
// end) as the card's bonus lines under sc: none when sc has no bonus lines;
// a bonus outside sc's range counts clamped into it.
func standingBonuses(ctx context.Context, db bun.IDB, sc *appraisal.Scheme, staffID string, start, end time.Time) ([]appraisal.Bonus, error) {
	if sc == nil || sc.Bonus == nil {
		return nil, nil
	}
	var rows []struct {
		ID       string `bun:"id"`
		Quantity int64  `bun:"quantity"`
		Reason   string `bun:"reason"`
	}
	if err := db.NewRaw(`SELECT id, quantity, reason FROM events WHERE staff_id = ? AND type = ? AND source = 'flagged'
		AND withdrawn_at IS NULL AND occurred_at >= ? AND occurred_at < ? ORDER BY occurred_at, id`,
		staffID, FlagBonus, store.Time(start), store.Time(end)).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := make([]appraisal.Bonus, 0, len(rows))
	for _, r := range rows {
		pts := min(max(appraisal.P(r.Quantity), sc.Bonus.Min), sc.Bonus.Max)
		b := appraisal.Bonus{ID: r.ID, Points: pts, Reason: r.Reason}
		refs, err := events.Evidence(ctx, db, r.ID)
		if err != nil {
			return nil, err
		}
		if len(refs) > 0 {
			b.Ref = refs[0].Kind + ":" + refs[0].ID
		}
		if strings.TrimSpace(b.Reason) == "" {
			b.Reason = FlagTypes[FlagBonus]
		}
		out = append(out, b)
	}
	return out, nil
}

// evaluateWithBonuses is appraisal.Evaluate with the staff member's
// standing bonus flags of [start, end) added to in.Bonuses.
func evaluateWithBonuses(ctx context.Context, db bun.IDB, staffID string, start, end time.Time, in appraisal.Input) (appraisal.Card, error) {
	bs, err := standingBonuses(ctx, db, in.Scheme, staffID, start, end)
	if err != nil {
		return appraisal.Card{}, err
	}
	in.Bonuses = append(in.Bonuses, bs...)
	return appraisal.Evaluate(in)
}

// Flags lists the rater flags (标记) of a staff member's month, standing
// and withdrawn: the staff member themself, their direct supervisor,
// managers and executives read them.
func (s *Service) Flags(ctx context.Context, staffID, period string) ([]FlaggedEvent, error) {
	p := access.Caller(ctx)
	start, end, _, err := s.month(period)
	if err != nil {
		return nil, err
	}
	db := s.db.R()
	if !canRead(p, staffID) {
		var supervisor *string
		if err := db.NewRaw("SELECT supervisor_id FROM staff WHERE id = ?", staffID).Scan(ctx, &supervisor); err != nil {
			return nil, notFound(err, "staff")
		}
		if !p.Can(access.AppraisalRead) || !sameStaff(supervisor, p.StaffID) {
			return nil, apperr.Forbidden("只能查看自己或下属的考核标记")
		}
	}
	var out []FlaggedEvent
	err = db.NewSelect().Model(&out).Where("staff_id = ? AND source = 'flagged' AND rule = ? AND occurred_at >= ? AND occurred_at < ?",
		staffID, flagRule, store.Time(start), store.Time(end)).Order("occurred_at", "id").Scan(ctx)
	return out, err
}
