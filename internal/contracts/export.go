package contracts

import (
	"context"
	"fmt"
	"strings"

	"kefu/internal/tabular"
)

// Sheet is a table for an XLSX export: headers and rows of text, and how
// each column is stored (tabular.WriteTypedXLSX): money as numbers from
// the exact yuan text, counts as numbers, calendar dates as date cells.
type Sheet struct {
	Headers []string
	Kinds   []tabular.Kind
	Rows    [][]string
}

const (
	kText     = tabular.KindText
	kMoney    = tabular.KindMoney
	kCount    = tabular.KindCount
	kDate     = tabular.KindDate
	kDateTime = tabular.KindDateTime
)

// maxExportRows bounds one export; beyond it the user narrows the filter.
const maxExportRows = 100000

var bucketNames = map[string]string{"not_due": "未到期", "1_30": "逾期1–30天", "31_90": "逾期31–90天", "90_plus": "逾期90天以上"}

// yuan renders fen for a spreadsheet: plain yuan with two decimals, the
// exact decimal a money cell stores.
func yuan(fen int64) string { return strings.ReplaceAll(FormatYuan(fen), ",", "") }

// ReceivablesSheet is the ageing report (应收账龄表) as a table: one row
// per open installment, then the totals per bucket.
func (s *Service) ReceivablesSheet(ctx context.Context, f ReceivableFilter) (*Sheet, error) {
	sh := &Sheet{Headers: []string{"合同编号", "客户", "分管客服", "期次", "应收日期", "应收金额", "已收金额", "未收金额", "逾期天数", "账龄"},
		Kinds: []tabular.Kind{kText, kText, kText, kCount, kDate, kMoney, kMoney, kMoney, kCount, kText}}
	f.Limit, f.After = 500, ""
	var totals map[string]int64
	var asOf string
	var total int64
	for {
		r, err := s.Receivables(ctx, f)
		if err != nil {
			return nil, err
		}
		if f.After == "" {
			totals, asOf, total = r.Totals, r.AsOf, r.Total
		}
		for _, row := range r.Rows {
			sh.Rows = append(sh.Rows, []string{row.ContractNumber, row.CustomerName, row.OwnerName, fmt.Sprint(row.Seq), row.DueOn,
				yuan(row.AmountFen), yuan(row.PaidFen), yuan(row.OpenFen), fmt.Sprint(row.DaysOverdue), bucketNames[row.Bucket]})
		}
		if r.Next == "" || len(sh.Rows) >= maxExportRows {
			break
		}
		f.After = r.Next
	}
	sh.Rows = append(sh.Rows, []string{})
	for _, b := range Buckets {
		sh.Rows = append(sh.Rows, []string{"合计", bucketNames[b], "", "", "", "", "", yuan(totals[b])})
	}
	sh.Rows = append(sh.Rows, []string{"合计", "全部（截至 " + asOf + "）", "", "", "", "", "", yuan(total)})
	return sh, nil
}

var outcomeNames = map[string]string{"pending": "待定", "renewed": "已续签", "lost": "未续签"}

// RenewalSheet is the renewal desk (续约清单) as a table.
func (s *Service) RenewalSheet(ctx context.Context, f RenewalFilter) (*Sheet, error) {
	items, err := s.RenewalDesk(ctx, f)
	if err != nil {
		return nil, err
	}
	sh := &Sheet{Headers: []string{"合同编号", "客户", "分管客服", "到期日期", "剩余天数", "合同金额", "续约期开始", "首次联系截止", "客户负责人",
		"最近沟通", "续约联系次数", "未及时联系", "续约结果", "续签合同", "未续签原因"},
		Kinds: []tabular.Kind{kText, kText, kText, kDate, kCount, kMoney, kDate, kDate, kText, kDateTime, kCount, kText, kText, kText, kText}}
	for _, it := range items {
		var dms []string
		for _, d := range it.DecisionMakers {
			dms = append(dms, strings.TrimSpace(d.Name+" "+d.Phone))
		}
		last := ""
		if it.LastContactAt != nil {
			last = it.LastContactAt.In(s.loc).Format("2006-01-02 15:04")
		}
		flag := ""
		if it.NoTimelyContact {
			flag = "是"
		}
		sh.Rows = append(sh.Rows, []string{it.Number, it.CustomerName, it.OwnerName, it.EndOn, fmt.Sprint(it.DaysLeft), yuan(it.AmountFen), it.WindowOpened,
			it.ContactDueBy, strings.Join(dms, "、"), last, fmt.Sprint(it.RenewalContacts), flag, outcomeNames[it.Outcome],
			deref(it.SuccessorNumber), it.LostReason})
	}
	return sh, nil
}
