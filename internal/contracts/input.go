package contracts

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/calendar"
)

// ContractInput is what a caller sets on a contract. Scope and
// installments replace the contract's lists as a whole.
type ContractInput struct {
	Number          string             `json:"number"`
	CustomerID      string             `json:"customer_id"`
	Kind            string             `json:"kind"`
	Title           string             `json:"title"`
	SignedOn        string             `json:"signed_on"`
	ReceivedOn      string             `json:"received_on"`
	StartOn         string             `json:"start_on"`
	EndOn           string             `json:"end_on"`
	AmountFen       int64              `json:"amount_fen"`
	ScheduleDiffers bool               `json:"schedule_differs"`
	ScheduleNote    string             `json:"schedule_note"`
	RenewedFrom     string             `json:"renewed_from"`
	EMCFeeFen       int64              `json:"emc_fee_fen"`
	EMCCycle        string             `json:"emc_cycle"`
	Notes           string             `json:"notes"`
	Scope           []ScopeItemInput   `json:"scope"`
	Installments    []InstallmentInput `json:"installments"`
}

// ScopeItemInput is one scope line.
type ScopeItemInput struct {
	EquipmentID string `json:"equipment_id"`
	Equipment   string `json:"equipment"`
	ServiceType string `json:"service_type"`
	Frequency   string `json:"frequency"`
	Times       int    `json:"times"`
	Notes       string `json:"notes"`
}

// InstallmentInput is one installment of the schedule. ID names an
// existing installment to keep (its invoices and payments stay attached);
// without it the installment is new.
type InstallmentInput struct {
	ID         string `json:"id,omitempty"`
	DueOn      string `json:"due_on"`
	AmountFen  int64  `json:"amount_fen"`
	Kind       string `json:"kind"`
	PeriodFrom string `json:"period_from"`
	PeriodTo   string `json:"period_to"`
	Notes      string `json:"notes"`
}

func text(field, s string, min, max int) error {
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	switch {
	case n < min:
		return apperr.Invalid(field, "不能为空")
	case n > max:
		return apperr.Invalid(field, fmt.Sprintf("不能超过 %d 个字", max))
	}
	return nil
}

// day checks an optional YYYY-MM-DD date.
func day(field, s string, required bool) error {
	if s == "" {
		if required {
			return apperr.Invalid(field, "不能为空")
		}
		return nil
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return apperr.Invalid(field, "日期格式应为 YYYY-MM-DD")
	}
	return nil
}

func optional(s string) *string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	return &s
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// normalise trims the input, fills what can be derived (an EMC schedule
// from the owner fee) and checks everything that needs no database.
func (in *ContractInput) normalise() error {
	in.Number = strings.ToUpper(strings.TrimSpace(in.Number))
	in.Kind = strings.TrimSpace(in.Kind)
	in.Title = strings.TrimSpace(in.Title)
	in.Notes = strings.TrimSpace(in.Notes)
	in.ScheduleNote = strings.TrimSpace(in.ScheduleNote)
	for _, p := range []*string{&in.SignedOn, &in.ReceivedOn, &in.StartOn, &in.EndOn, &in.RenewedFrom, &in.CustomerID, &in.EMCCycle} {
		*p = strings.TrimSpace(*p)
	}
	if err := firstErr(
		text("number", in.Number, 1, 50), text("title", in.Title, 0, 200), text("notes", in.Notes, 0, 2000),
		text("schedule_note", in.ScheduleNote, 0, 500),
		day("signed_on", in.SignedOn, false), day("received_on", in.ReceivedOn, false),
		day("start_on", in.StartOn, true), day("end_on", in.EndOn, true),
	); err != nil {
		return err
	}
	if in.CustomerID == "" {
		return apperr.Invalid("customer_id", "请选择客户")
	}
	if !slices.Contains(Kinds, in.Kind) {
		return apperr.Invalid("kind", "合同类型须为 maintenance、project、emc 或 other")
	}
	if in.EndOn <= in.StartOn {
		return apperr.Invalid("end_on", "结束日期须晚于开始日期")
	}
	if in.AmountFen < 0 {
		return apperr.Invalid("amount_fen", "金额不能为负")
	}
	if in.EMCFeeFen < 0 {
		return apperr.Invalid("emc_fee_fen", "金额不能为负")
	}
	if !slices.Contains(EMCCycles, in.EMCCycle) {
		return apperr.Invalid("emc_cycle", "收费周期须为 monthly 或 quarterly")
	}
	if (in.EMCFeeFen > 0) != (in.EMCCycle != "") {
		return apperr.Invalid("emc_cycle", "业主收费须同时填写金额和周期")
	}
	if in.EMCCycle != "" && in.Kind != "emc" {
		return apperr.Invalid("emc_cycle", "只有 EMC 合同有业主收费")
	}
	if in.ScheduleDiffers && in.ScheduleNote == "" {
		return apperr.Invalid("schedule_note", "付款计划与合同金额不一致时须说明原因")
	}
	if err := in.normaliseScope(); err != nil {
		return err
	}
	if in.EMCCycle != "" && len(in.Installments) == 0 {
		in.Installments = EMCSchedule(in.StartOn, in.EndOn, in.EMCFeeFen, in.EMCCycle)
		if in.AmountFen == 0 {
			in.AmountFen = sumInstallments(in.Installments)
		}
	}
	return in.normaliseSchedule()
}

func (in *ContractInput) normaliseScope() error {
	for i := range in.Scope {
		it := &in.Scope[i]
		f := func(name string) string { return fmt.Sprintf("scope[%d].%s", i, name) }
		it.EquipmentID, it.Equipment = strings.TrimSpace(it.EquipmentID), strings.TrimSpace(it.Equipment)
		it.ServiceType, it.Frequency = strings.TrimSpace(it.ServiceType), strings.TrimSpace(it.Frequency)
		it.Notes = strings.TrimSpace(it.Notes)
		if !slices.Contains(ServiceTypes, it.ServiceType) {
			return apperr.Invalid(f("service_type"), "服务类型须为 inspection、seasonal、repair、construction 或 other")
		}
		if !slices.Contains(Frequencies, it.Frequency) {
			return apperr.Invalid(f("frequency"), "频次无效")
		}
		if it.Times < 0 || it.Times > 1000 {
			return apperr.Invalid(f("times"), "次数须在 0 到 1000 之间")
		}
		if it.Times == 0 && it.Frequency != "" && it.Frequency != "on_demand" {
			it.Times = 1
		}
		if err := firstErr(text(f("equipment"), it.Equipment, 0, 200), text(f("notes"), it.Notes, 0, 500)); err != nil {
			return err
		}
		if it.Equipment == "" && it.EquipmentID == "" && it.Notes == "" {
			return apperr.Invalid(f("equipment"), "请填写设备或服务内容")
		}
	}
	if in.Kind == "maintenance" && len(in.Scope) == 0 {
		return apperr.Invalid("scope", "维保合同须填写服务内容")
	}
	return nil
}

func (in *ContractInput) normaliseSchedule() error {
	for i := range in.Installments {
		it := &in.Installments[i]
		f := func(name string) string { return fmt.Sprintf("installments[%d].%s", i, name) }
		it.DueOn, it.Kind = strings.TrimSpace(it.DueOn), strings.TrimSpace(it.Kind)
		it.PeriodFrom, it.PeriodTo, it.Notes = strings.TrimSpace(it.PeriodFrom), strings.TrimSpace(it.PeriodTo), strings.TrimSpace(it.Notes)
		if it.Kind == "" {
			it.Kind = "regular"
		}
		if err := firstErr(day(f("due_on"), it.DueOn, true), day(f("period_from"), it.PeriodFrom, false),
			day(f("period_to"), it.PeriodTo, false), text(f("notes"), it.Notes, 0, 200)); err != nil {
			return err
		}
		if it.Kind != "regular" && it.Kind != "emc_fee" {
			return apperr.Invalid(f("kind"), "分期类型须为 regular 或 emc_fee")
		}
		if it.AmountFen <= 0 {
			return apperr.Invalid(f("amount_fen"), "分期金额须大于 0")
		}
		if it.DueOn > in.EndOn {
			return apperr.Invalid(f("due_on"), "付款日期不能晚于合同结束日期 "+in.EndOn)
		}
		if it.PeriodFrom != "" && it.PeriodTo != "" && it.PeriodTo < it.PeriodFrom {
			return apperr.Invalid(f("period_to"), "收费期间结束不能早于开始")
		}
	}
	slices.SortStableFunc(in.Installments, func(a, b InstallmentInput) int { return strings.Compare(a.DueOn, b.DueOn) })
	if sum := sumInstallments(in.Installments); len(in.Installments) > 0 && sum != in.AmountFen && !in.ScheduleDiffers {
		return apperr.Invalid("installments", fmt.Sprintf("各期金额合计 %s 元与合同金额 %s 元不一致（如确需不一致，请勾选并说明原因）",
			FormatYuan(sum), FormatYuan(in.AmountFen)))
	}
	return nil
}

func sumInstallments(is []InstallmentInput) int64 {
	var sum int64
	for _, it := range is {
		sum += it.AmountFen
	}
	return sum
}

// FormatYuan renders fen as yuan with two decimals and thousands
// separators: 123456789 → "1,234,567.89".
func FormatYuan(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	whole, cents := fen/100, fen%100
	s := fmt.Sprint(whole)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := fmt.Sprintf("%s.%02d", b.String(), cents)
	if neg {
		return "-" + out
	}
	return out
}

// EMCSchedule generates the owner-fee installments (业主收费) of an EMC
// contract: one per month or quarter from start to end, each due on the
// last day of its period.
//
// Periods run from the start's day of the month to the day before it
// comes round again (01-15..02-14, 02-15..03-14, …). A contract that starts
// on the last day of a month is anchored to month ends instead: its
// periods end on the last day of each month or quarter, the first one
// taking in the start day (01-31..02-28, 03-01..03-31, …), so a contract
// from one month end to another has no stub.
//
// A last period that the contract's end cuts short (a genuine stub) is
// charged pro rata by days: fee × its days ÷ the days of the full period,
// rounded half up to the fen and at least one fen. Every other period is
// charged the full fee.
func EMCSchedule(startOn, endOn string, feeFen int64, cycle string) []InstallmentInput {
	start, err1 := calendar.ParseDate(startOn)
	end, err2 := calendar.ParseDate(endOn)
	if err1 != nil || err2 != nil || feeFen <= 0 {
		return nil
	}
	months := 1
	if cycle == "quarterly" {
		months = 3
	}
	monthEnd := start.AddDays(1).Day == 1
	// periodEnd is the last day of the n-th full period (n from 1).
	periodEnd := func(n int) calendar.Date {
		if monthEnd {
			return lastOfMonth(start.Year, start.Month, months*n)
		}
		return addMonths(start, months*n).AddDays(-1)
	}
	var out []InstallmentInput
	for from, n := start, 1; !from.After(end) && n <= 1200; n++ {
		to, fee := periodEnd(n), feeFen
		if to.After(end) {
			full, days := to.Sub(from)+1, end.Sub(from)+1
			fee = max((feeFen*int64(days)*2+int64(full))/(2*int64(full)), 1)
			to = end
		}
		out = append(out, InstallmentInput{DueOn: to.String(), AmountFen: fee, Kind: "emc_fee",
			PeriodFrom: from.String(), PeriodTo: to.String()})
		from = to.AddDays(1)
	}
	return out
}

// lastOfMonth returns the last day of the month n months after year-month.
func lastOfMonth(year int, month time.Month, n int) calendar.Date {
	return calendar.NewDate(year, month+time.Month(n)+1, 1).AddDays(-1)
}

// addMonths adds n months to d, clamping the day to the month's length
// (2026-01-31 + 1 month = 2026-02-28).
func addMonths(d calendar.Date, n int) calendar.Date {
	y, m := d.Year, int(d.Month)-1+n
	y += m / 12
	m %= 12
	first := calendar.NewDate(y, time.Month(m+1), 1)
	last := calendar.NewDate(y, time.Month(m+2), 1).AddDays(-1)
	if d.Day > last.Day {
		return last
	}
	return calendar.NewDate(first.Year, first.Month, d.Day)
}
