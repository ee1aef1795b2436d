package api

import (
	"net/http"
	"time"

	"kefu/internal/access"
	"kefu/internal/comms"
	"kefu/internal/customers"
	"kefu/internal/desk"
	"kefu/internal/events"
	"kefu/internal/tickets"
)

// Appraisal events (考核事件, SPEC §8.2): the list the appraisal and the
// staff read, with each event's evidence, and the detectors of
// no_contact_month, registration_incomplete and archive_late run on
// demand (the app runs them every 10 minutes).

func (s *Server) eventRoutes() []route {
	return []route{
		{Pattern: "GET /api/v1/events", Perm: access.Authenticated, Handle: s.listEvents,
			Doc: op{Tag: "events", Zh: "考核事件及其证据", En: "Appraisal events with their evidence", Resp: events.Event{}, Shape: shapeList,
				Desc: "按发生时间排序；默认只列有效事件。员工看到本人的事件，直属上级另看到直属下级的，客服经理、管理员、总经理看到全部；查看无权查看的员工返回 403。" +
					"响应时钟的超时（wechat_timeout、missed_call_timeout、chat_timeout）之外，临近超时也是事件（类型后加 _near，如 wechat_timeout_near，记在临近时刻，数量 1），供查证，考核方案不计分。 " +
					"Oldest first; standing events only unless withdrawn=true. A staff member sees their own events and their direct reports'; managers, admins and executives see everyone's; asking for someone else's without that right is 403. " +
					"Besides the response clocks' breaches (wechat_timeout, missed_call_timeout, chat_timeout), their near-breaches are events too (the type + _near, e.g. wechat_timeout_near, dated at the near moment, quantity 1): on record, never scored by an appraisal scheme.",
				Query: []param{
					{Name: "staff_id", Zh: "员工 id", En: "staff id"},
					{Name: "from", Format: "date", Zh: "发生日期起（含，公司时区）", En: "occurred on or after (company time zone)"},
					{Name: "to", Format: "date", Zh: "发生日期止（含）", En: "occurred on or before"},
					{Name: "type", Zh: "事件类型，如 no_contact_month", En: "event type such as no_contact_month"},
					{Name: "withdrawn", Type: "boolean", Zh: "包括已撤销的事件", En: "include withdrawn events"},
					qLimit(500, 5000),
				}}},
		{Pattern: "POST /api/v1/reports/no-contact/derive", Perm: access.DeskManage, Handle: s.deriveNoContact,
			Doc: op{Tag: "events", Zh: "重新计算当月客户无沟通记录考核事件（客服经理）", En: "Derive the no_contact_month events now (managers)", Resp: comms.NoContactCounts{},
				Desc: "按“月度未联系客户”的规则，对已结束的最近 months 个月（默认 3）每个整月为我方客户、整月无我方沟通记录的客户记一次 no_contact_month，记在月末的分管客服名下；补录了该月沟通记录的撤销。本月结束前不产生事件。 " +
					"By the no-contact report's rule, for each of the last `months` closed months (default 3): one no_contact_month per customer that was ours the whole month and had no contact from our side, against the owner at the month's end; withdrawn when a contact of that month is recorded later. The current month gives none until it ends.",
				Query: []param{{Name: "months", Type: "integer", Zh: "计算的已结束月数", En: "closed months to derive", Default: comms.DefaultNoContactMonths, Min: 1, Max: comms.MaxNoContactMonths}}}},
		{Pattern: "POST /api/v1/desk/derive", Perm: access.DeskManage, Handle: s.deriveDesk,
			Doc: op{Tag: "events", Zh: "重新计算某月的响应计时与工单考核事件（客服经理）", En: "Derive a month's response clocks and the tickets' events again (managers)", Resp: desk.Counts{},
				Desc: "按当前响应时限重新计算该月（公司时区）开始的全部响应计时及其超时、临近超时事件，同时重新计算工单的首次响应、解决期限、回访、重大投诉答复与登记不全事件（工单规则不按月，计算全部）。修改响应时限或工单规则、导入历史记录后使用；平时每次录入、每秒的巡检和每 10 分钟的任务已自动保持最新。不再成立的事件撤销并记录原因，人工撤销的不恢复。 " +
					"Derives again, with the current targets, every response clock started in the month (company time zone) with its breach and near-breach events and, alongside, the tickets' first-response, solution, callback, major-complaint reply and registration events (the ticket rules are not by month: all of them). For after a change of the response targets or the tickets policy, or an import of history; otherwise every ingest, the sweeper (every second) and the 10-minute run keep them current. Events that no longer hold are withdrawn with a reason; one a person withdrew stays withdrawn.",
				Query: []param{{Name: "month", Zh: "月份 YYYY-MM（默认本月）", En: "month YYYY-MM (default this month)"}}}},
		{Pattern: "POST /api/v1/tickets/derive-registration", Perm: access.DeskManage, Handle: s.deriveRegistration,
			Doc: op{Tag: "events", Zh: "重新计算登记不全考核事件（客服经理）", En: "Derive the registration_incomplete events now (managers)", Resp: tickets.RegistrationCounts{},
				Desc: "受理后 registration_grace_working_days 个工作日（工单规则，默认 1）结束时仍登记不全的工单，记在首问责任人名下，之后补全也保留；期限内补全的不记（已记的撤销）。 " +
					"A ticket still incomplete when registration_grace_working_days working days (the tickets policy, default 1) after receipt have ended is one event against its first-contact owner, standing even if completed later; completed within the grace it gives none (and an event of it is withdrawn)."}},
		{Pattern: "POST /api/v1/archive/late/derive", Perm: access.CustomerAssign, Handle: s.deriveArchiveLate,
			Doc: op{Tag: "events", Zh: "重新计算档案未当日更新考核事件（客服经理）", En: "Derive the archive_late events now (managers)", Resp: customers.ArchiveLateCounts{},
				Desc: "track_from 起每条晚于知悉日期记录的档案变更记一次 archive_late，记在记录人名下；系统（迁移、演示数据）记录的变更不计。 " +
					"From track_from on, each archive change recorded after the day it became known is one archive_late against whoever recorded it; changes the system recorded (migration, demo data) are not charged."}},
		{Pattern: "GET /api/v1/settings/archive-late", Perm: access.CustomerRead, Handle: s.archiveLatePolicy,
			Doc: op{Tag: "archive", Zh: "档案未当日更新考核规则", En: "The archive_late rule", Resp: customers.ArchiveLatePolicy{}}},
		{Pattern: "PUT /api/v1/settings/archive-late", Perm: access.CustomerAssign, Handle: s.saveArchiveLatePolicy,
			Doc: op{Tag: "archive", Zh: "修改档案未当日更新考核规则（客服经理）", En: "Change the archive_late rule (managers)", Body: customers.ArchiveLatePolicy{}, Resp: customers.ArchiveLatePolicy{},
				Desc: "track_from（YYYY-MM-DD，空为全部）之前记录的变更不产生考核事件。 Changes recorded before track_from (YYYY-MM-DD, empty for all) make no appraisal events."}},
	}
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) error {
	from, err := queryDate(r, "from")
	if err != nil {
		return err
	}
	to, err := queryDate(r, "to")
	if err != nil {
		return err
	}
	withdrawn, err := queryBool(r, "withdrawn")
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 500, 1, 5000)
	if err != nil {
		return err
	}
	f := events.Filter{StaffID: r.URL.Query().Get("staff_id"), Type: r.URL.Query().Get("type"), Withdrawn: withdrawn != nil && *withdrawn, Limit: limit}
	if from != "" {
		d, _ := time.ParseInLocation(time.DateOnly, from, s.Loc)
		f.From = d
	}
	if to != "" {
		d, _ := time.ParseInLocation(time.DateOnly, to, s.Loc)
		f.To = d.AddDate(0, 0, 1)
	}
	evs, err := events.List(r.Context(), s.DB.R(), f)
	if err != nil {
		return err
	}
	return ok(w, items(evs))
}

func (s *Server) deriveNoContact(w http.ResponseWriter, r *http.Request) error {
	months, err := queryInt(r, "months", comms.DefaultNoContactMonths, 1, comms.MaxNoContactMonths)
	if err != nil {
		return err
	}
	n, err := s.Comms.DeriveNoContactMonths(r.Context(), months)
	if err != nil {
		return err
	}
	return ok(w, n)
}

func (s *Server) deriveDesk(w http.ResponseWriter, r *http.Request) error {
	m, err := s.queryMonth(r)
	if err != nil {
		return err
	}
	from := time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, s.Loc)
	n, err := desk.Derive(r.Context(), s.Comms, s.Tickets, from, from.AddDate(0, 1, 0))
	if err != nil {
		return err
	}
	return ok(w, n)
}

func (s *Server) deriveRegistration(w http.ResponseWriter, r *http.Request) error {
	n, err := s.Tickets.DeriveRegistrationEvents(r.Context())
	if err != nil {
		return err
	}
	return ok(w, n)
}

func (s *Server) deriveArchiveLate(w http.ResponseWriter, r *http.Request) error {
	n, err := s.Customers.DeriveArchiveLate(r.Context())
	if err != nil {
		return err
	}
	return ok(w, n)
}

func (s *Server) archiveLatePolicy(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.Customers.ArchiveLatePolicy(r.Context())
	if err != nil {
		return err
	}
	return ok(w, pol)
}

func (s *Server) saveArchiveLatePolicy(w http.ResponseWriter, r *http.Request) error {
	var pol customers.ArchiveLatePolicy
	if err := decode(w, r, &pol); err != nil {
		return err
	}
	pol, err := s.Customers.SaveArchiveLatePolicy(r.Context(), pol)
	if err != nil {
		return err
	}
	return ok(w, pol)
}
