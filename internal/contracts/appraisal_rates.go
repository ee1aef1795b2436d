package contracts

import (
	"context"

	"kefu/internal/access"
	"kefu/internal/appraisal"
	"kefu/internal/calendar"
	"kefu/internal/rates"
)

// AppraisalRates gives the appraisal (scorecards.Rates) the month's 续约率
// and 回款率 of every specialist (as of today: renewals signed by the time
// the card is computed count, SPEC §4), with the contracts and
// installments behind them as evidence and 回款率's amounts in words.
type AppraisalRates struct{ Contracts *Service }

// Keys are the rates it gives.
func (AppraisalRates) Keys() []string { return []string{"renewal", "collection"} }

// StaffRates is one specialist's rates of the month, computed for them alone.
func (a AppraisalRates) StaffRates(ctx context.Context, month, staffID string) (map[string]appraisal.Rate, error) {
	m, err := rates.ParseMonth(month)
	if err != nil {
		return nil, err
	}
	ren, col, err := a.Contracts.StaffRates(ctx, m, calendar.Date{}, staffID)
	if err != nil {
		return nil, err
	}
	return map[string]appraisal.Rate{"renewal": renewalRate(ren), "collection": collectionRate(col)}, nil
}

func renewalRate(r rates.Renewal) appraisal.Rate {
	out := appraisal.Rate{Num: r.Ratio.Num, Den: r.Ratio.Den}
	for _, row := range r.Rows {
		out.Evidence = append(out.Evidence, "contract:"+row.Contract.ID)
	}
	return out
}

func collectionRate(c rates.Collection) appraisal.Rate {
	out := appraisal.Rate{Num: c.Ratio.Num, Den: c.Ratio.Den, NumText: "¥" + FormatYuan(c.Ratio.Num), DenText: "¥" + FormatYuan(c.Ratio.Den)}
	for _, row := range c.Rows {
		out.Evidence = append(out.Evidence, "installment:"+row.Installment.ID)
	}
	return out
}

// MonthRates is every specialist's rates of the month.
func (a AppraisalRates) MonthRates(ctx context.Context, month string) (map[string]map[string]appraisal.Rate, error) {
	m, err := rates.ParseMonth(month)
	if err != nil {
		return nil, err
	}
	rep, err := a.Contracts.Rates(access.With(ctx, access.System()), m, calendar.Date{})
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]appraisal.Rate, len(rep.Specialists))
	for _, sp := range rep.Specialists {
		out[sp.SpecialistID] = map[string]appraisal.Rate{"renewal": renewalRate(sp.Renewal), "collection": collectionRate(sp.Collection)}
	}
	return out, nil
}
