package demo

import (
	"context"
	"fmt"
	"time"

	"kefu/internal/access"
	"kefu/internal/contracts"
)

// Contract stories, by position of a customer among the active ones.
const (
	renewedEvery = 3  // every 3rd customer's current contract renews last year's
	debtorEvery  = 7  // every 7th leaves its due installments unpaid (欠款)
	partialEvery = 11 // every 11th paid half of each due installment
)

var classAmount = map[string][2]int64{"A": {200_000, 400_000}, "B": {100_000, 200_000}, "C": {50_000, 100_000}, "D": {20_000, 50_000}}

// loadContracts gives every active customer its maintenance contract (维保
// 合同) with scope and a two-installment schedule, some a renewed
// predecessor, payments recorded by finance for what fell due (except the
// debtors), renewal contacts for contracts in their window, one EMC
// contract with monthly owner fees, and three new needs with quotes.
func (l *loader) loadContracts() error {
	if l.d.Contracts == nil {
		return nil
	}
	fin, err := l.d.Auth.Principal(l.sys, l.staff["xu.jing"].ID)
	if err != nil {
		return err
	}
	finCtx := access.With(l.sys, fin)
	today := l.today
	n := 0
	for _, p := range l.plans {
		if p.lost {
			continue
		}
		n++
		r := p.reg
		// Ends spread from last month to eleven months ahead.
		end := today.AddDate(0, n%13-1, l.rng.IntN(28))
		start := end.AddDate(-1, 0, 1)
		rangeYuan := classAmount[p.class]
		amount := (rangeYuan[0] + l.rng.Int64N(rangeYuan[1]-rangeYuan[0]+1)) / 1000 * 1000 * 100
		var pred *contracts.Contract
		if n%renewedEvery == 0 {
			in := l.maintInput(fmt.Sprintf("HT-%s-%d", p.code, start.Year()-1), p, start.AddDate(-1, 0, 0), start.AddDate(0, 0, -1), amount)
			if pred, err = l.d.Contracts.CreateContract(r.ctx, in, true); err != nil {
				return fmt.Errorf("%s predecessor: %w", p.spec.name, err)
			}
			l.sum.Contracts++
			if err := l.payDue(finCtx, pred.ID, in, today, false, false); err != nil {
				return err
			}
		}
		in := l.maintInput(fmt.Sprintf("HT-%s-%d", p.code, start.Year()), p, start, end, amount)
		if pred != nil {
			in.RenewedFrom = pred.ID
		}
		k, err := l.d.Contracts.CreateContract(r.ctx, in, true)
		if err != nil {
			return fmt.Errorf("%s contract: %w", p.spec.name, err)
		}
		l.sum.Contracts++
		if err := l.payDue(finCtx, k.ID, in, today, n%debtorEvery == 0, n%partialEvery == 0); err != nil {
			return err
		}
		// In the renewal window (one month before the end): half of them
		// were contacted two days after it opened.
		opens := end.AddDate(0, -1, 0)
		if !opens.After(today) && !end.Before(today) && n%2 == 0 {
			at := opens.AddDate(0, 0, 2).Add(10*time.Hour + time.Duration(l.rng.IntN(300))*time.Minute)
			if at.After(l.d.Now()) {
				at = l.d.Now().Add(-time.Hour)
			}
			if _, err := l.d.Contracts.LogContractContact(r.ctx, k.ID, contracts.TagRenewal, contracts.CommunicationInput{
				Channel: "phone_out", Summary: "与客户负责人沟通续签，客户同意按原条件续签，待走合同流程", OccurredAt: &at}); err != nil {
				return fmt.Errorf("%s renewal contact: %w", p.spec.name, err)
			}
			l.sum.RenewalContacts++
		}
		// Ended last month: every other one was renewed, one was lost.
		if end.Before(today) {
			switch {
			case n%2 == 0:
				next := l.maintInput(fmt.Sprintf("HT-%s-%d", p.code, end.Year()+1), p, end.AddDate(0, 0, 1), end.AddDate(1, 0, 0), amount)
				next.RenewedFrom, next.SignedOn = k.ID, end.AddDate(0, 0, -3).Format(time.DateOnly)
				next.Installments = next.Installments[1:]
				next.ScheduleDiffers, next.ScheduleNote = true, "首期款随原合同尾款结算"
				if _, err := l.d.Contracts.CreateContract(r.ctx, next, true); err != nil {
					return fmt.Errorf("%s renewal: %w", p.spec.name, err)
				}
				l.sum.Contracts++
			case !l.lostOne:
				if _, err := l.d.Contracts.SetRenewalOutcome(r.ctx, k.ID, k.Version, "lost", "客户改由物业自有工程部维保"); err != nil {
					return fmt.Errorf("%s lost: %w", p.spec.name, err)
				}
				l.lostOne = true
			}
		}
	}
	if err := l.emcContract(finCtx); err != nil {
		return err
	}
	return l.needs()
}

// maintInput is a maintenance contract: monthly inspection and seasonal
// maintenance of the customer's equipment, paid half after signing and
// half after six months.
func (l *loader) maintInput(number string, p *plan, start, end time.Time, amount int64) contracts.ContractInput {
	half := amount / 2
	return contracts.ContractInput{
		Number: number, CustomerID: p.cust.ID, Kind: "maintenance", Title: p.spec.name + " 空调系统年度维保",
		SignedOn: start.AddDate(0, 0, -7).Format(time.DateOnly), ReceivedOn: start.AddDate(0, 0, -5).Format(time.DateOnly),
		StartOn: start.Format(time.DateOnly), EndOn: end.Format(time.DateOnly), AmountFen: amount,
		Scope: []contracts.ScopeItemInput{
			{Equipment: "中央空调系统", ServiceType: "inspection", Frequency: "monthly", Times: 1, Notes: "每月巡检一次"},
			{Equipment: "冷水机组、冷却塔", ServiceType: "seasonal", Frequency: "seasonal", Times: 1, Notes: "供冷、供暖季前各保养一次"},
			{Equipment: "全部设备", ServiceType: "repair", Frequency: "on_demand", Notes: "故障维修（不含材料）"},
		},
		Installments: []contracts.InstallmentInput{
			{DueOn: start.AddDate(0, 0, 10).Format(time.DateOnly), AmountFen: half},
			{DueOn: start.AddDate(0, 6, 0).Format(time.DateOnly), AmountFen: amount - half},
		},
	}
}

// payDue records finance's payments for the installments due before
// today: on time or up to three weeks late; debtors pay nothing, partial
// payers half.
func (l *loader) payDue(ctx context.Context, contractID string, in contracts.ContractInput, today time.Time, debtor, partial bool) error {
	for i, it := range in.Installments {
		due, _ := time.ParseInLocation(time.DateOnly, it.DueOn, l.d.Loc)
		if !due.Before(today) || debtor {
			continue
		}
		paid := due.AddDate(0, 0, l.rng.IntN(21))
		if !paid.Before(today) {
			paid = today.AddDate(0, 0, -1)
		}
		amount := it.AmountFen
		if partial {
			amount /= 2
		}
		if _, err := l.d.Contracts.RecordPayment(ctx, contracts.PaymentInput{ContractID: contractID, ReceivedOn: paid.Format(time.DateOnly),
			AmountFen: amount, Method: "transfer", Reference: fmt.Sprintf("%s-%d", in.Number, i+1)}); err != nil {
			return fmt.Errorf("payment %s: %w", in.Number, err)
		}
		l.sum.Payments++
	}
	return nil
}

// emcContract gives the first 中关村 customer an EMC contract (合同能源管理)
// with monthly owner fees of ¥8,000, paid up to two months ago.
func (l *loader) emcContract(fin context.Context) error {
	var p *plan
	for _, q := range l.plans {
		if !q.lost && q.reg.spec.name == "中关村" {
			p = q
			break
		}
	}
	if p == nil {
		return nil
	}
	start := time.Date(l.today.Year(), l.today.Month(), 1, 0, 0, 0, 0, l.d.Loc).AddDate(0, -6, 0)
	in := contracts.ContractInput{Number: "EMC-" + p.code, CustomerID: p.cust.ID, Kind: "emc", Title: "冷站节能改造（合同能源管理）",
		SignedOn: start.AddDate(0, 0, -20).Format(time.DateOnly), StartOn: start.Format(time.DateOnly),
		EndOn: start.AddDate(3, 0, -1).Format(time.DateOnly), EMCFeeFen: 800_000, EMCCycle: "monthly",
		Scope: []contracts.ScopeItemInput{{Equipment: "冷站群控系统", ServiceType: "inspection", Frequency: "monthly", Times: 1}}}
	k, err := l.d.Contracts.CreateContract(p.reg.ctx, in, true)
	if err != nil {
		return fmt.Errorf("EMC contract: %w", err)
	}
	l.sum.Contracts++
	for m := 0; m < 4; m++ {
		periodEnd := start.AddDate(0, m+1, -1)
		if _, err := l.d.Contracts.RecordPayment(fin, contracts.PaymentInput{ContractID: k.ID, ReceivedOn: periodEnd.AddDate(0, 0, 5).Format(time.DateOnly),
			AmountFen: 800_000, Reference: fmt.Sprintf("EMC-%s-%02d", p.code, m+1)}); err != nil {
			return fmt.Errorf("EMC fee: %w", err)
		}
		l.sum.Payments++
	}
	return nil
}

// needs records three new needs of existing customers (老客户新需求): one
// quoted a week ago and never followed up, one followed up, one won.
func (l *loader) needs() error {
	stories := []struct{ title, item string }{
		{"冷却塔填料更换", "冷却塔填料更换"}, {"机房加装精密空调", "精密空调 12.5kW"}, {"风机盘管清洗", "风机盘管清洗（每台）"},
	}
	i := 0
	for _, p := range l.plans {
		if p.lost || p.class != "A" || i >= len(stories) {
			continue
		}
		st := stories[i]
		ctx := p.reg.ctx
		nd, err := l.d.Contracts.CreateNeed(ctx, contracts.NeedInput{CustomerID: p.cust.ID, Title: st.title,
			Description: "客户在巡检时提出", RaisedOn: l.today.AddDate(0, 0, -12).Format(time.DateOnly)})
		if err != nil {
			return fmt.Errorf("need: %w", err)
		}
		sent := l.today.AddDate(0, 0, -10).Add(15 * time.Hour)
		q, err := l.d.Contracts.AddQuote(ctx, nd.ID, contracts.QuoteInput{Number: fmt.Sprintf("BJ-%s-%d", p.code, i+1),
			ValidUntil: l.today.AddDate(0, 1, 0).Format(time.DateOnly), SentAt: &sent,
			Lines: []contracts.QuoteLineInput{{Item: st.item, Quantity: int64(2 + i*4), Unit: "项", UnitPriceFen: int64(350_000 - i*100_000)}}})
		if err != nil {
			return fmt.Errorf("quote: %w", err)
		}
		switch i {
		case 1:
			if _, err := l.d.Contracts.LogFollowUp(ctx, nd.ID, contracts.CommunicationInput{Channel: "phone_out", Summary: "客户正在内部审批报价"}); err != nil {
				return err
			}
		case 2:
			start := l.today.AddDate(0, 0, 7)
			k, err := l.d.Contracts.CreateContract(ctx, contracts.ContractInput{Number: fmt.Sprintf("GC-%s-1", p.code), CustomerID: p.cust.ID,
				Kind: "project", Title: st.title, StartOn: start.Format(time.DateOnly), EndOn: start.AddDate(0, 1, 0).Format(time.DateOnly),
				AmountFen: q.TotalFen, Installments: []contracts.InstallmentInput{{DueOn: start.AddDate(0, 1, 0).Format(time.DateOnly), AmountFen: q.TotalFen}}}, true)
			if err != nil {
				return fmt.Errorf("won contract: %w", err)
			}
			l.sum.Contracts++
			if _, err := l.d.Contracts.CloseNeed(ctx, nd.ID, 2, "won", k.ID, ""); err != nil {
				return fmt.Errorf("close need: %w", err)
			}
		}
		l.sum.Needs++
		i++
	}
	return nil
}
