package fieldwork

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/store"
)

// Problem types (SPEC §6.3, §6.5).
const (
	ProblemOverdue    = "overdue"    // 进度逾期
	ProblemComplaint  = "complaint"  // 客户投诉
	ProblemQuality    = "quality"    // 质量问题
	ProblemAcceptance = "acceptance" // 验收问题
	ProblemWarranty   = "warranty"   // 质保问题
)

// ProblemTypes are the problem types in the order of the statistics.
var ProblemTypes = []string{ProblemOverdue, ProblemComplaint, ProblemQuality, ProblemAcceptance, ProblemWarranty}

// ProblemTypeLabels name the problem types (逾期、投诉、质量、验收、质保).
var ProblemTypeLabels = map[string]string{ProblemOverdue: "逾期", ProblemComplaint: "投诉", ProblemQuality: "质量",
	ProblemAcceptance: "验收", ProblemWarranty: "质保"}

// Problem is a problem of the field work (问题), with what proves it,
// against a work order / group / technician, to be passed to the party
// concerned (当事人) by ForwardDue. StaffID is the accountable specialist
// (the customer's).
type Problem struct {
	ID                 string     `bun:"id,pk" json:"id"`
	WorkOrderID        *string    `bun:"work_order_id" json:"work_order_id"`
	CustomerID         string     `bun:"customer_id" json:"customer_id"`
	Type               string     `bun:"type" json:"type"`
	RegionID           *string    `bun:"region_id" json:"region_id"`
	GroupID            *string    `bun:"group_id" json:"group_id"`
	TechnicianID       *string    `bun:"technician_id" json:"technician_id"`
	Description        string     `bun:"description" json:"description"`
	Evidence           string     `bun:"evidence" json:"evidence"`
	OccurredAt         time.Time  `bun:"occurred_at" json:"occurred_at"`
	RecordedBy         *string    `bun:"recorded_by" json:"recorded_by"`
	RecordedAt         time.Time  `bun:"recorded_at" json:"recorded_at"`
	ForwardDue         time.Time  `bun:"forward_due" json:"forward_due"`
	ForwardedToStaffID *string    `bun:"forwarded_to_staff_id" json:"forwarded_to_staff_id"`
	ForwardedToParty   string     `bun:"forwarded_to_party" json:"forwarded_to_party"`
	ForwardedAt        *time.Time `bun:"forwarded_at" json:"forwarded_at"`
	ForwardedBy        *string    `bun:"forwarded_by" json:"forwarded_by"`
	ForwardNote        string     `bun:"forward_note" json:"forward_note"`
	ResolvedAt         *time.Time `bun:"resolved_at" json:"resolved_at"`
	ResolvedBy         *string    `bun:"resolved_by" json:"resolved_by"`
	Resolution         string     `bun:"resolution" json:"resolution"`
	StaffID            *string    `bun:"staff_id" json:"staff_id"`
	Version            int64      `bun:"version" json:"version"`
	CreatedAt          time.Time  `bun:"created_at" json:"created_at"`
	UpdatedAt          time.Time  `bun:"updated_at" json:"updated_at"`

	// CustomerName and WorkOrderNumber name the problem's customer and
	// work order (read with it, never written).
	CustomerName    string `bun:"customer_name,scanonly" json:"customer_name"`
	WorkOrderNumber string `bun:"work_order_number,scanonly" json:"work_order_number"`

	bun.BaseModel `bun:"table:problems,alias:pb"`
}

// ForwardedLate reports whether the problem was (or, not yet passed on
// at now, is) late.
func (pb *Problem) ForwardedLate(now time.Time) bool {
	if pb.ForwardedAt != nil {
		return pb.ForwardedAt.After(pb.ForwardDue)
	}
	return now.After(pb.ForwardDue)
}

// ProblemInput records a problem. The customer, region and group follow
// from the work order when one is given; the technician must be one sent.
type ProblemInput struct {
	WorkOrderID  string `json:"work_order_id"`
	CustomerID   string `json:"customer_id"`
	Type         string `json:"type"`
	TechnicianID string `json:"technician_id"`
	Description  string `json:"description"`
	Evidence     string `json:"evidence"`    // what proves it: a reference or a note (有见证性的资料)
	OccurredAt   string `json:"occurred_at"` // "" = now
}

// RecordProblem records a problem: the customer's specialist or a
// manager. It must be passed on by the end of the policy's working days
// after it was recorded.
func (s *Service) RecordProblem(ctx context.Context, in ProblemInput) (*Problem, error) {
	p := access.Caller(ctx)
	if !p.Can(access.WorkDispatch) {
		return nil, apperr.Forbidden("无权登记问题")
	}
	if !slices.Contains(ProblemTypes, in.Type) {
		return nil, apperr.Invalid("type", "问题类型只能是 逾期、投诉、质量、验收 或 质保")
	}
	in.Description, in.Evidence = strings.TrimSpace(in.Description), strings.TrimSpace(in.Evidence)
	if in.Description == "" {
		return nil, apperr.Invalid("description", "请描述问题")
	}
	if in.Evidence == "" {
		return nil, apperr.Invalid("evidence", "请提供有见证性的资料（照片、聊天记录、工单等）")
	}
	if len([]rune(in.Description)) > 2000 || len([]rune(in.Evidence)) > 2000 {
		return nil, apperr.Invalid("description", "问题描述和见证资料各最多 2000 字")
	}
	now := store.Time(s.now())
	occurred, _, err := s.atAndDay(in.OccurredAt, "", now)
	if err != nil {
		return nil, apperr.Invalid("occurred_at", "发生时间格式应为 YYYY-MM-DD HH:MM，且不能晚于现在")
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	pb := &Problem{ID: store.NewID(), Type: in.Type, Description: in.Description, Evidence: in.Evidence, OccurredAt: occurred,
		RecordedBy: optional(p.StaffID), RecordedAt: now, Version: 1, CreatedAt: now, UpdatedAt: now}
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		pol, err := readProgressPolicy(ctx, tx)
		if err != nil {
			return err
		}
		pb.ForwardDue = pol.ForwardDue(cal, now)
		var techs []string
		if in.WorkOrderID != "" {
			w, err := getWorkOrder(ctx, tx, in.WorkOrderID)
			if err != nil {
				return notFoundAs(err, apperr.Invalid("work_order_id", "派工单不存在"))
			}
			if in.CustomerID != "" && in.CustomerID != w.CustomerID {
				return apperr.Invalid("work_order_id", "派工单不属于该客户")
			}
			if techs, err = technicianIDs(ctx, tx, w.ID); err != nil {
				return err
			}
			in.CustomerID, pb.WorkOrderID, pb.RegionID, pb.GroupID = w.CustomerID, &w.ID, w.RegionID, w.GroupID
		}
		if in.CustomerID == "" {
			return apperr.Invalid("customer_id", "请选择客户或派工单")
		}
		c, err := loadCustomer(ctx, tx, in.CustomerID)
		if err != nil {
			return err
		}
		if !owns(p, c.OwnerID) {
			return apperr.Forbidden("只能登记自己分管客户的问题")
		}
		pb.CustomerID, pb.StaffID = c.ID, c.OwnerID
		if pb.RegionID == nil {
			pb.RegionID = c.RegionID
		}
		if pb.GroupID == nil && c.RegionID != nil {
			if g, _, err := groupOf(ctx, tx, c.RegionID); err == nil {
				pb.GroupID = &g
			}
		}
		if in.TechnicianID != "" {
			if pb.WorkOrderID != nil && !slices.Contains(techs, in.TechnicianID) {
				return apperr.Invalid("technician_id", "该技术人员未被派往此派工单")
			}
			var one int
			if err := tx.NewRaw("SELECT 1 FROM staff WHERE id = ?", in.TechnicianID).Scan(ctx, &one); err != nil {
				return notFoundAs(err, apperr.Invalid("technician_id", "技术人员不存在"))
			}
			pb.TechnicianID = &in.TechnicianID
		}
		if _, err := tx.NewInsert().Model(pb).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "create", Entity: "problem", EntityID: pb.ID,
			Summary: "登记" + ProblemTypeLabels[pb.Type] + "问题：" + c.Name, After: pb})
	})
	if err != nil {
		return nil, err
	}
	s.db.Changed("problem", pb.ID)
	return pb, nil
}

// ForwardInput passes a problem to the party concerned (当事人): a staff
// member, or a party named in words (e.g. 维修一组 组长, 设备厂家), or both.
type ForwardInput struct {
	ToStaffID string `json:"to_staff_id"`
	ToParty   string `json:"to_party"`
	Note      string `json:"note"`
	At        string `json:"at"` // "" = now
}

// ForwardProblem records that the problem was passed on (the customer's
// specialist or a manager).
func (s *Service) ForwardProblem(ctx context.Context, id string, version int64, in ForwardInput) (*Problem, error) {
	in.ToParty, in.Note = strings.TrimSpace(in.ToParty), strings.TrimSpace(in.Note)
	if in.ToStaffID == "" && in.ToParty == "" {
		return nil, apperr.Invalid("to_party", "请选择或填写当事人")
	}
	now := store.Time(s.now())
	at, _, err := s.atAndDay(in.At, "", now)
	if err != nil {
		return nil, apperr.Invalid("at", "转交时间格式应为 YYYY-MM-DD HH:MM，且不能晚于现在")
	}
	return s.changeProblem(ctx, id, version, "forward", func(ctx context.Context, tx bun.Tx, p *access.Principal, pb *Problem) (string, error) {
		if pb.ForwardedAt != nil {
			return "", apperr.Invalid("forwarded_at", "问题已转交")
		}
		if at.Before(pb.OccurredAt) {
			return "", apperr.Invalid("at", "转交时间不能早于问题发生时间")
		}
		if in.ToStaffID != "" {
			var name string
			if err := tx.NewRaw("SELECT name FROM staff WHERE id = ?", in.ToStaffID).Scan(ctx, &name); err != nil {
				return "", notFoundAs(err, apperr.Invalid("to_staff_id", "人员不存在"))
			}
			if in.ToParty == "" {
				in.ToParty = name
			}
		}
		pb.ForwardedToStaffID, pb.ForwardedToParty, pb.ForwardedAt, pb.ForwardedBy, pb.ForwardNote =
			optional(in.ToStaffID), in.ToParty, &at, optional(p.StaffID), in.Note
		return "问题转交 " + in.ToParty, nil
	})
}

// ResolveInput closes a problem with what was done.
type ResolveInput struct {
	Resolution string `json:"resolution"`
	At         string `json:"at"` // "" = now
}

// ResolveProblem records the problem solved (the customer's specialist or
// a manager).
func (s *Service) ResolveProblem(ctx context.Context, id string, version int64, in ResolveInput) (*Problem, error) {
	in.Resolution = strings.TrimSpace(in.Resolution)
	if in.Resolution == "" {
		return nil, apperr.Invalid("resolution", "请写明处理结果")
	}
	now := store.Time(s.now())
	at, _, err := s.atAndDay(in.At, "", now)
	if err != nil {
		return nil, apperr.Invalid("at", "处理时间格式应为 YYYY-MM-DD HH:MM，且不能晚于现在")
	}
	return s.changeProblem(ctx, id, version, "resolve", func(ctx context.Context, tx bun.Tx, p *access.Principal, pb *Problem) (string, error) {
		if pb.ResolvedAt != nil {
			return "", apperr.Invalid("resolved_at", "问题已处理")
		}
		if at.Before(pb.OccurredAt) {
			return "", apperr.Invalid("at", "处理时间不能早于问题发生时间")
		}
		pb.ResolvedAt, pb.ResolvedBy, pb.Resolution = &at, optional(p.StaffID), in.Resolution
		return "问题已处理", nil
	})
}

func (s *Service) changeProblem(ctx context.Context, id string, version int64, action string,
	fn func(ctx context.Context, tx bun.Tx, p *access.Principal, pb *Problem) (string, error)) (*Problem, error) {
	p := access.Caller(ctx)
	if !p.Can(access.WorkDispatch) {
		return nil, apperr.Forbidden("无权处理问题")
	}
	var pb *Problem
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewRaw("UPDATE problems SET version = version WHERE id = ? AND version = ?", id, version).Exec(ctx)
		if err != nil {
			return err
		}
		pb = new(Problem)
		if err := tx.NewSelect().Model(pb).Where("id = ?", id).Scan(ctx); err != nil {
			return notFoundAs(err, apperr.NotFound("problem"))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleVersion()
		}
		var owner *string
		if err := tx.NewRaw("SELECT owner_id FROM customers WHERE id = ?", pb.CustomerID).Scan(ctx, &owner); err != nil {
			return err
		}
		if !owns(p, owner) && !owns(p, pb.StaffID) {
			return apperr.Forbidden("只能处理自己分管客户的问题")
		}
		before := *pb
		summary, err := fn(ctx, tx, p, pb)
		if err != nil {
			return err
		}
		now := store.Time(s.now())
		pb.Version, pb.UpdatedAt = version+1, now
		if _, err := tx.NewUpdate().Model(pb).ExcludeColumn("id", "created_at").Where("id = ?", id).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: action, Entity: "problem", EntityID: id, Summary: summary,
			Before: &before, After: pb})
	})
	if err != nil {
		return nil, err
	}
	s.db.Changed("problem", id)
	return pb, nil
}

// GetProblem returns a problem the caller may see.
func (s *Service) GetProblem(ctx context.Context, id string) (*Problem, error) {
	p := access.Caller(ctx)
	if !p.Can(access.WorkRead) {
		return nil, apperr.Forbidden("无权查看")
	}
	pbs, err := listProblems(ctx, s.db.R(), ProblemFilter{IDs: []string{id}})
	if err != nil {
		return nil, err
	}
	if len(pbs) == 0 {
		return nil, apperr.NotFound("problem")
	}
	pb := &pbs[0]
	if !s.canSeeProblem(p, pb) {
		return nil, apperr.NotFound("problem")
	}
	return pb, nil
}

// ProblemFilter narrows ListProblems; From/To bound the occurrence time.
type ProblemFilter struct {
	WorkOrderID, CustomerID, StaffID, Type string
	IDs                                    []string
	From, To                               *time.Time
	Unforwarded                            bool
}

// ListProblems lists the problems the caller may see, oldest first.
func (s *Service) ListProblems(ctx context.Context, f ProblemFilter) ([]Problem, error) {
	p := access.Caller(ctx)
	if !p.Can(access.WorkRead) {
		return nil, apperr.Forbidden("无权查看")
	}
	all, err := listProblems(ctx, s.db.R(), f)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, pb := range all {
		if s.canSeeProblem(p, &pb) {
			out = append(out, pb)
		}
	}
	return out, nil
}

func listProblems(ctx context.Context, db bun.IDB, f ProblemFilter) ([]Problem, error) {
	var out []Problem
	q := db.NewSelect().Model(&out).ColumnExpr("pb.*").
		ColumnExpr("c.name AS customer_name, COALESCE(w.number, '') AS work_order_number").
		Join("JOIN customers AS c ON c.id = pb.customer_id").
		Join("LEFT JOIN work_orders AS w ON w.id = pb.work_order_id")
	for col, v := range map[string]string{"work_order_id": f.WorkOrderID, "customer_id": f.CustomerID, "staff_id": f.StaffID, "type": f.Type} {
		if v != "" {
			q = q.Where("pb."+col+" = ?", v)
		}
	}
	if len(f.IDs) > 0 {
		q = q.Where("pb.id IN (?)", bun.In(f.IDs))
	}
	if f.From != nil {
		q = q.Where("pb.occurred_at >= ?", store.Time(*f.From))
	}
	if f.To != nil {
		q = q.Where("pb.occurred_at < ?", store.Time(*f.To))
	}
	if f.Unforwarded {
		q = q.Where("pb.forwarded_at IS NULL")
	}
	err := q.Order("pb.occurred_at", "pb.id").Limit(5000).Scan(ctx)
	return out, err
}

// canSeeProblem: managers, executives, specialists (their own, or all by
// setting); the group's supervisor and the technician concerned.
func (s *Service) canSeeProblem(p *access.Principal, pb *Problem) bool {
	if p.IsManagerial() || p.Has(access.Executive) {
		return true
	}
	if p.Has(access.CSSpecialist) && (s.specialistReadAll || owns(p, pb.StaffID)) {
		return true
	}
	if pb.TechnicianID != nil && *pb.TechnicianID == p.StaffID {
		return true
	}
	return pb.ForwardedToStaffID != nil && *pb.ForwardedToStaffID == p.StaffID
}
