package customers

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/store"
)

// WeChatGroup is a customer's WeChat service group (客户服务微信群).
type WeChatGroup struct {
	ID         string    `bun:"id,pk" json:"id"`
	CustomerID string    `bun:"customer_id" json:"customer_id"`
	Name       string    `bun:"name" json:"name"`
	ExternalID string    `bun:"external_id" json:"external_id"` // id in the chat archive, for matching messages
	CreatedOn  *string   `bun:"created_on" json:"created_on"`
	Active     bool      `bun:"active" json:"active"`
	Version    int64     `bun:"version" json:"version"`
	CreatedAt  time.Time `bun:"created_at" json:"created_at"`
	UpdatedAt  time.Time `bun:"updated_at" json:"updated_at"`

	bun.BaseModel `bun:"table:wechat_groups"`
}

// Member is one person in a WeChat group: on the customer side linked to a
// contact, on our side linked to a staff member.
type Member struct {
	ID          string    `bun:"id,pk" json:"id"`
	GroupID     string    `bun:"group_id" json:"group_id"`
	DisplayName string    `bun:"display_name" json:"display_name"`
	Side        string    `bun:"side" json:"side"` // customer / staff
	ContactID   *string   `bun:"contact_id" json:"contact_id"`
	StaffID     *string   `bun:"staff_id" json:"staff_id"`
	JoinedOn    *string   `bun:"joined_on" json:"joined_on"`
	RemovedOn   *string   `bun:"removed_on" json:"removed_on"`
	CreatedAt   time.Time `bun:"created_at" json:"created_at"`

	bun.BaseModel `bun:"table:wechat_members"`
}

// MemberView is a member with its validity: a member still in the group
// whose contact left (or who is no contact at all), or a staff member who
// left, is invalid and must be removed (无效人员及时清退).
type MemberView struct {
	Member       `bun:",extend"`
	LinkedName   string `bun:"linked_name" json:"linked_name"`
	Valid        bool   `bun:"valid" json:"valid"`
	GroupName    string `bun:"group_name" json:"group_name"`
	CustomerID   string `bun:"customer_id" json:"customer_id"`
	CustomerName string `bun:"customer_name" json:"customer_name"`
	Reason       string `bun:"-" json:"reason,omitempty"`
}

// GroupInput sets a WeChat group.
type GroupInput struct {
	Name       string `json:"name"`
	ExternalID string `json:"external_id"`
	CreatedOn  string `json:"created_on"`
	Active     *bool  `json:"active"`
	Change
}

// MemberInput adds a member.
type MemberInput struct {
	DisplayName string `json:"display_name"`
	Side        string `json:"side"`
	ContactID   string `json:"contact_id"`
	StaffID     string `json:"staff_id"`
	JoinedOn    string `json:"joined_on"`
	Change
}

func (in *GroupInput) normalise() error {
	in.Name, in.ExternalID = strings.TrimSpace(in.Name), strings.TrimSpace(in.ExternalID)
	return firstErr([]error{text("name", in.Name, 1, 100), text("external_id", in.ExternalID, 0, 100), date("created_on", in.CreatedOn)})
}

// SaveGroup creates (id == "") or updates a customer's WeChat group.
func (s *Service) SaveGroup(ctx context.Context, customerID, id string, version int64, in GroupInput) (*WeChatGroup, error) {
	if err := in.normalise(); err != nil {
		return nil, err
	}
	var out *WeChatGroup
	err := s.edit(ctx, customerID, in.Change, func(ctx context.Context, tx bun.Tx, c *Customer, rec recording) error {
		g := &WeChatGroup{ID: store.NewID(), CustomerID: customerID, Active: true, Version: 1, CreatedAt: rec.at}
		var before *WeChatGroup
		if id != "" {
			before = new(WeChatGroup)
			if err := tx.NewSelect().Model(before).Where("id = ? AND customer_id = ?", id, customerID).Scan(ctx); err != nil {
				return notFound(err, "wechat group")
			}
			cp := *before
			g = &cp
			g.Version = version + 1
		}
		g.Name, g.ExternalID, g.CreatedOn, g.UpdatedAt = in.Name, in.ExternalID, optional(in.CreatedOn), rec.at
		if in.Active != nil {
			g.Active = *in.Active
		}
		out = g
		if before == nil {
			if _, err := tx.NewInsert().Model(g).Exec(ctx); err != nil {
				return err
			}
			return s.logChange(ctx, tx, rec, customerID, "wechat_group", g.ID, "create", "建立微信群 "+g.Name, nil, g, c.OwnerID)
		}
		if err := updateAt(ctx, tx, g, id, version, "name", "external_id", "created_on", "active", "version", "updated_at"); err != nil {
			return err
		}
		return s.logChange(ctx, tx, rec, customerID, "wechat_group", id, "update", "修改微信群 "+g.Name, before, g, c.OwnerID)
	})
	return out, err
}

// AddMember records a person joining a group.
func (s *Service) AddMember(ctx context.Context, groupID string, in MemberInput) (*Member, error) {
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	if err := firstErr([]error{text("display_name", in.DisplayName, 1, 64), date("joined_on", in.JoinedOn)}); err != nil {
		return nil, err
	}
	switch in.Side {
	case "customer":
		in.StaffID = ""
	case "staff":
		in.ContactID = ""
		if in.StaffID == "" {
			return nil, apperr.Invalid("staff_id", "我方成员须关联员工")
		}
	default:
		return nil, apperr.Invalid("side", "成员类型须为 customer 或 staff")
	}
	g := new(WeChatGroup)
	if err := s.db.R().NewSelect().Model(g).Where("id = ?", groupID).Scan(ctx); err != nil {
		return nil, notFound(err, "wechat group")
	}
	var out *Member
	err := s.edit(ctx, g.CustomerID, in.Change, func(ctx context.Context, tx bun.Tx, c *Customer, rec recording) error {
		if in.ContactID != "" {
			n, err := tx.NewSelect().Table("contacts").Where("id = ? AND customer_id = ?", in.ContactID, g.CustomerID).Count(ctx)
			if err != nil {
				return err
			}
			if n == 0 {
				return apperr.Invalid("contact_id", "联系人不属于该客户")
			}
		}
		if err := requireRow(ctx, tx, "staff", "staff_id", in.StaffID); err != nil {
			return err
		}
		m := &Member{ID: store.NewID(), GroupID: groupID, DisplayName: in.DisplayName, Side: in.Side,
			ContactID: optional(in.ContactID), StaffID: optional(in.StaffID), JoinedOn: optional(in.JoinedOn), CreatedAt: rec.at}
		if m.JoinedOn == nil {
			m.JoinedOn = &rec.knownOn
		}
		if _, err := tx.NewInsert().Model(m).Exec(ctx); err != nil {
			return err
		}
		out = m
		return s.logChange(ctx, tx, rec, g.CustomerID, "wechat_member", m.ID, "create", "微信群 "+g.Name+" 加入 "+m.DisplayName, nil, m, c.OwnerID)
	})
	return out, err
}

// RemoveMember records a member's removal (清退) on the day it happened.
func (s *Service) RemoveMember(ctx context.Context, memberID string, ch Change) error {
	var row struct {
		Member     `bun:",extend"`
		CustomerID string `bun:"customer_id"`
		GroupName  string `bun:"group_name"`
	}
	err := s.db.R().NewSelect().TableExpr("wechat_members AS m").ColumnExpr("m.*, g.customer_id, g.name AS group_name").
		Join("JOIN wechat_groups AS g ON g.id = m.group_id").Where("m.id = ?", memberID).Scan(ctx, &row)
	if err != nil {
		return notFound(err, "wechat member")
	}
	if row.RemovedOn != nil {
		return apperr.Conflict("removed_on", "该成员已移出")
	}
	return s.edit(ctx, row.CustomerID, ch, func(ctx context.Context, tx bun.Tx, c *Customer, rec recording) error {
		res, err := tx.NewUpdate().Table("wechat_members").Set("removed_on = ?", rec.knownOn).
			Where("id = ? AND removed_on IS NULL", memberID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Conflict("removed_on", "该成员已移出")
		}
		after := row.Member
		after.RemovedOn = &rec.knownOn
		return s.logChange(ctx, tx, rec, row.CustomerID, "wechat_member", memberID, "update",
			"微信群 "+row.GroupName+" 移出 "+row.DisplayName, &row.Member, &after, c.OwnerID)
	})
}

const memberView = `SELECT m.*, g.name AS group_name, g.customer_id, c.name AS customer_name,
	COALESCE(ct.name, st.name, '') AS linked_name,
	CASE WHEN (m.side = 'customer' AND ct.id IS NOT NULL AND ct.active = TRUE)
	       OR (m.side = 'staff' AND st.id IS NOT NULL AND st.active = TRUE) THEN TRUE ELSE FALSE END AS valid
	FROM wechat_members m
	JOIN wechat_groups g ON g.id = m.group_id
	JOIN customers c ON c.id = g.customer_id
	LEFT JOIN contacts ct ON ct.id = m.contact_id
	LEFT JOIN staff st ON st.id = m.staff_id`

// Groups lists a customer's groups with their current and past members.
func (s *Service) Groups(ctx context.Context, customerID string) ([]WeChatGroup, map[string][]MemberView, error) {
	if err := s.readable(ctx, customerID); err != nil {
		return nil, nil, err
	}
	var groups []WeChatGroup
	if err := s.db.R().NewSelect().Model(&groups).Where("customer_id = ?", customerID).OrderExpr("active DESC, name, id").Scan(ctx); err != nil {
		return nil, nil, err
	}
	var members []MemberView
	if err := s.db.R().NewRaw(memberView+" WHERE g.customer_id = ? ORDER BY m.removed_on IS NOT NULL, m.side, m.display_name, m.id", customerID).Scan(ctx, &members); err != nil {
		return nil, nil, err
	}
	by := map[string][]MemberView{}
	for _, m := range members {
		m.Reason = invalidReason(m)
		by[m.GroupID] = append(by[m.GroupID], m)
	}
	return groups, by, nil
}

func invalidReason(m MemberView) string {
	if m.Valid || m.RemovedOn != nil {
		return ""
	}
	switch {
	case m.Side == "customer" && m.ContactID == nil:
		return "非客户联系人"
	case m.Side == "customer":
		return "联系人已离任"
	default:
		return "员工已离职"
	}
}

// MembersToRemove lists members still in a group who are no longer valid
// (待清退), optionally for one owning specialist's customers.
func (s *Service) MembersToRemove(ctx context.Context, ownerID string) ([]MemberView, error) {
	p := access.Caller(ctx)
	if !p.Can(access.CustomerRead) {
		return nil, apperr.Forbidden("无权查看微信群成员")
	}
	q := memberView + ` WHERE m.removed_on IS NULL AND g.active = TRUE AND NOT (
		(m.side = 'customer' AND ct.id IS NOT NULL AND ct.active = TRUE)
		OR (m.side = 'staff' AND st.id IS NOT NULL AND st.active = TRUE))`
	args := []any{}
	if ownerID != "" {
		q += " AND c.owner_id = ?"
		args = append(args, ownerID)
	}
	if !s.specialistReadAll && p.OnlySpecialist() {
		q += " AND c.owner_id = ?"
		args = append(args, p.StaffID)
	}
	var out []MemberView
	if err := s.db.R().NewRaw(q+" ORDER BY c.name, g.name, m.display_name", args...).Scan(ctx, &out); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Reason = invalidReason(out[i])
	}
	return out, nil
}
