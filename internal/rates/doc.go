// Package rates computes the two business rates of a customer-service
// specialist's (客服专员) monthly appraisal (绩效考核): the renewal rate 续约率 and
// the collection rate 回款率 of SPEC §4. In the default scheme (SPEC §8.3, 业务 30%)
// each is worth 15 points: points × rate.
//
// Every rate comes with the rows behind it, the numerator and the denominator,
// so that a scorecard line opens to its evidence (SPEC §8.5).
//
// # Terms
//
//   - 考核月 (appraisal month): a calendar [Month].
//   - 分管客服 (owning specialist): the staff member who owns a customer; owners
//     change over time, so [Owners] keeps the history and answers "who owned this
//     customer on that day". A rate is charged to the owner of the customer on the
//     day the thing fell due: the contract's end date (到期日) for renewal, the
//     installment's due date (应收日) for collection.
//   - 合同续签 / 续约合同 (renewal, successor contract): a contract whose RenewedFrom
//     names the expiring contract, not a draft, signed (签订) on or before the
//     day the scorecard is computed (asOf); a successor without a signed date
//     counts from the day it was entered (录入).
//   - 续约率 = expiring contracts that were renewed ÷ contracts ending (到期) in the
//     month. Drafts do not count; a terminated (终止) contract counts when it was
//     terminated on or after the month's first day, so that terminating a
//     contract that is due cannot take it out of the denominator.
//   - 付款计划 / 分期 (installment), 回款 (payment received), 分配 (allocation: the
//     part of a payment applied to one installment), 期初未收 (unpaid at the start
//     of the month), 逾期结转 (overdue, carried in from earlier months), 预收
//     (prepayment against an installment not yet due).
//   - 回款率 = money received in the month against installments due by the month's
//     end and unpaid at its start ÷ what those installments still owed at its start.
//   - 本月无到期合同 / nothing due: the denominator is zero; the item scores full.
//
// # Conventions
//
// The package is pure: no database, no I/O, no clock (the caller passes asOf),
// no global state. Money is int64 fen (分); no floating point is used anywhere.
// A rate is an exact [Ratio]; [Ratio.Percent] and [Ratio.Points] round half up.
// Results never depend on the order of the input slices: rows are sorted by a
// total order and ties are broken on every field.
package rates
