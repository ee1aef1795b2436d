package app

import (
	"context"

	"kefu/internal/access"
	"kefu/internal/appraisal"
	"kefu/internal/calendar"
	"kefu/internal/contracts"
	"kefu/internal/rates"
)

// contractRates gives the scorecards the month's 续约率 and 回款率 of every
// specialist from the contracts domain (as of today: renewals signed by
// the time the card is computed count, SPEC §4), with the contracts and
// installments behind them as evidence.
type contractRates struct{ c *contracts.Service }

func (contractRates) Keys() []string { return []string{"renewal", "collection"} }

func (a contractRates) MonthRates(ctx context.Context, month string) (map[string]map[string]appraisal.Rate, error) {
	m, err := rates.ParseMonth(month)
	if err != nil {
		return nil, err
	}
	rep, err := a.c.Rates(access.With(ctx, access.System()), m, calendar.Date{})
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]appraisal.Rate, len(rep.Specialists))
	for _, sp := range rep.Specialists {
		ren := appraisal.Rate{Num: sp.Renewal.Ratio.Num, Den: sp.Renewal.Ratio.Den}
		for _, r := range sp.Renewal.Rows {
			ren.Evidence = append(ren.Evidence, "contract:"+r.Contract.ID)
		}
		col := appraisal.Rate{Num: sp.Collection.Ratio.Num, Den: sp.Collection.Ratio.Den}
		for _, r := range sp.Collection.Rows {
			col.Evidence = append(col.Evidence, "installment:"+r.Installment.ID)
		}
		out[sp.SpecialistID] = map[string]appraisal.Rate{"renewal": ren, "collection": col}
	}
	return out, nil
}
