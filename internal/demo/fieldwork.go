package demo

import (
	"fmt"
	"time"

	"kefu/internal/access"
	"kefu/internal/contracts"
	"kefu/internal/fieldwork"
)

// loadFieldwork gives each region a construction-and-inspection contract
// received yesterday (冷却塔改造 with three months of inspections) and
// its project (立项): verified with the region head and dispatched to the
// region's maintenance group in two regions, its next two weeks of planned
// visits sent to the group's technicians; in the third the project leaves
// out the inspections (a coverage gap for the manager to resolve). A
// technician returns one dispatch for correction (派单错误), one visit is
// done, and the desk's repair in progress gets its work order.
func (l *loader) loadFieldwork() error {
	if l.d.Fieldwork == nil || l.d.Contracts == nil {
		return nil
	}
	fw := l.d.Fieldwork
	today := l.today
	for i, r := range l.regions {
		var p *plan
		for _, q := range l.plans {
			if q.reg == r && !q.lost {
				p = q
				break
			}
		}
		if p == nil {
			continue
		}
		start, end := today, today.AddDate(0, 3, -1)
		k, err := l.d.Contracts.CreateContract(r.ctx, contracts.ContractInput{
			Number: fmt.Sprintf("GC-%s-%s", p.code, today.Format("0102")), CustomerID: p.cust.ID, Kind: "project", Title: p.spec.name + " 冷却塔改造工程",
			SignedOn: today.AddDate(0, 0, -3).Format(time.DateOnly), ReceivedOn: today.AddDate(0, 0, -1).Format(time.DateOnly),
			StartOn: start.Format(time.DateOnly), EndOn: end.Format(time.DateOnly), AmountFen: 18_000_000,
			Scope: []contracts.ScopeItemInput{
				{Equipment: "冷却塔 1#、2#", ServiceType: "construction", Frequency: "once", Times: 1, Notes: "更换填料、布水器"},
				{Equipment: "冷却塔 1#、2#", ServiceType: "inspection", Frequency: "monthly", Times: 1, Notes: "改造后三个月每月巡检"},
			},
			Installments: []contracts.InstallmentInput{{DueOn: end.Format(time.DateOnly), AmountFen: 18_000_000}},
		}, true)
		if err != nil {
			return fmt.Errorf("%s construction contract: %w", r.spec.name, err)
		}
		l.sum.Contracts++
		in := fieldwork.ProjectInput{ContractID: k.ID, VerifiedWith: "region_head", VerifierName: r.supervisor.Name,
			VerifiedAt: l.d.Now().Add(-2 * time.Hour).In(l.d.Loc).Format("2006-01-02 15:04"), VerifyResult: fieldwork.VerifyConfirmed,
			VerifyNote: "现场复核冷却塔型号与合同一致"}
		if i == len(l.regions)-1 {
			// The specialist forgot the inspections: the page shows the gap.
			in.Items = []fieldwork.ItemInput{{ServiceType: "construction", Equipment: "冷却塔 1#、2#", Frequency: "once", Times: 1}}
		}
		pr, err := fw.CreateProject(r.ctx, in)
		if err != nil {
			return fmt.Errorf("%s project: %w", r.spec.name, err)
		}
		l.sum.Projects++
		if i == len(l.regions)-1 {
			continue
		}
		if pr, err = fw.DispatchProject(r.ctx, pr.ID, pr.Version); err != nil {
			return fmt.Errorf("%s project dispatch: %w", r.spec.name, err)
		}
		l.sum.WorkOrders += len(pr.WorkOrders)
		techs := l.technicians(r)
		soon := today.AddDate(0, 0, 14).Format(time.DateOnly)
		for j, w := range pr.WorkOrders {
			if w.PlannedOn == nil || *w.PlannedOn > soon {
				continue
			}
			d, err := fw.DispatchWorkOrder(r.ctx, w.ID, w.Version, fieldwork.DispatchInput{TechnicianIDs: techs[:1+j%2]})
			if err != nil {
				return fmt.Errorf("%s dispatch %s: %w", r.spec.name, w.Number, err)
			}
			if i == 0 && w.Type == fieldwork.TypeConstruction {
				// The technician finds the wrong contact on the sheet.
				tech, err := l.d.Auth.Principal(l.sys, techs[0])
				if err != nil {
					return err
				}
				if _, err := fw.ReturnWorkOrder(access.With(l.sys, tech), d.ID, d.Version, fieldwork.ReturnInput{
					Fields: []string{"contact"}, Points: 1, Reason: "现场联系人已调岗，电话打不通"}); err != nil {
					return fmt.Errorf("%s return: %w", r.spec.name, err)
				}
			}
			if i == 1 && w.Type == fieldwork.TypeConstruction {
				// Done, reported by the technician.
				tech, err := l.d.Auth.Principal(l.sys, techs[0])
				if err != nil {
					return err
				}
				if _, err := fw.CompleteWorkOrder(access.With(l.sys, tech), d.ID, d.Version, ""); err != nil {
					return fmt.Errorf("%s complete: %w", r.spec.name, err)
				}
			}
		}
	}
	return l.repairWorkOrder()
}

// repairWorkOrder dispatches the desk's repair in progress to its group.
func (l *loader) repairWorkOrder() error {
	if l.repairInProgress == "" {
		return nil
	}
	t, err := l.d.Tickets.Get(l.sys, l.repairInProgress)
	if err != nil {
		return err
	}
	var r *region
	for _, p := range l.plans {
		if t.CustomerID != nil && p.cust.ID == *t.CustomerID {
			r = p.reg
		}
	}
	if r == nil {
		return nil
	}
	w, err := l.d.Fieldwork.CreateWorkOrder(r.ctx, fieldwork.WorkOrderInput{TicketID: t.ID, ContactName: "值班工程师", ContactPhone: "13800000000"})
	if err != nil {
		return fmt.Errorf("repair work order: %w", err)
	}
	l.sum.WorkOrders++
	if _, err := l.d.Fieldwork.DispatchWorkOrder(r.ctx, w.ID, w.Version, fieldwork.DispatchInput{TechnicianIDs: l.technicians(r)[:1]}); err != nil {
		return fmt.Errorf("repair dispatch: %w", err)
	}
	return nil
}

// technicians are the ids of the region's technicians (at least one: the
// supervisor when the region has none).
func (l *loader) technicians(r *region) []string {
	var out []string
	for _, sp := range staffSpecs {
		if sp.role == "technician" && sp.region == r.spec.name {
			out = append(out, l.staff[sp.login].ID)
		}
	}
	if len(out) == 0 {
		out = append(out, r.supervisor.ID)
	}
	return append(out, out...) // so that techs[:2] exists for one technician
}
