package api

import (
	"net/http"
	"strings"
	"time"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/appraisal"
	"kefu/internal/scorecards"
)

// Scorecards (绩效考核, SPEC §8.4–8.5): the monthly cards computed from the
// records, their lifecycle — 自评, 上级评价, 经理审批, publication with the
// appeal window, final — and everything behind each number: the lines,
// the events and their evidence, the ratings, comments and appeals. Who
// may do what (the staff member, the direct supervisor, a manager, never
// on one's own card) is checked by the scorecards domain.

func (s *Server) scorecardRoutes() []route {
	month := param{Name: "month", Zh: "考核月份 YYYY-MM", En: "month as YYYY-MM"}
	staff := param{Name: "staff_id", Zh: "员工 id", En: "staff id"}
	return []route{
		{Pattern: "GET /api/v1/scorecards", Perm: access.AppraisalRead, Handle: s.listScorecards,
			Doc: op{Tag: "scorecards", Zh: "考核表列表（新月份在前）", En: "List scorecards (newest month first)", Resp: scorecards.ListRow{}, Shape: shapeList,
				Desc: "员工看到本人及直属下级的考核表，客服经理、管理员、总经理看到全部；查看无权查看的员工返回 403。 " +
					"A staff member sees their own cards and their direct reports'; managers, admins and executives see everyone's; asking for someone else's without that right is 403.",
				Query: []param{month, staff, {Name: "status", Zh: "状态", En: "state", Enum: scorecards.Statuses}}}},
		{Pattern: "POST /api/v1/scorecards/compute", Perm: access.AppraisalManage, Handle: s.computeScorecards,
			Doc: op{Tag: "scorecards", Zh: "计算当月考核表（客服经理）", En: "Compute the month's scorecards (managers)", Resp: scorecards.ComputeCounts{},
				Desc: "按记录重新计算：新的为草稿；草稿、自评、上级评价中的刷新计算项（评分保留）；已提交审批的不变（frozen）。 " +
					"From the records as they are: a new card is a draft; draft, self-review and rating cards are refreshed (ratings kept); cards submitted for approval stay as they are (frozen).",
				Query: []param{{Name: "month", Zh: "考核月份 YYYY-MM", En: "month as YYYY-MM", Required: true}, {Name: "staff_id", Zh: "只计算该员工", En: "only this staff member"}}}},
		{Pattern: "POST /api/v1/scorecards/open-self-review", Perm: access.AppraisalManage, Handle: s.openSelfReview,
			Doc: op{Tag: "scorecards", Zh: "开启当月员工自评（客服经理，当月全部草稿）", En: "Open the month's self-review (managers; every draft of the month)", Resp: openedCount{},
				Query: []param{{Name: "month", Zh: "考核月份 YYYY-MM", En: "month as YYYY-MM", Required: true}}}},
		{Pattern: "GET /api/v1/scorecards/preview", Perm: access.AppraisalRead, Handle: s.previewScorecard,
			Doc: op{Tag: "scorecards", Zh: "本月至今（按当前记录试算，不保存）", En: "My month so far (computed from the records now, not stored)", Resp: appraisal.Card{},
				Desc:  "month 默认本月，staff_id 默认本人；已给的评分计入。 month defaults to this month and staff_id to the caller; the ratings given so far count.",
				Query: []param{month, staff}}},
		{Pattern: "GET /api/v1/scorecards/checks", Perm: access.AppraisalRead, Handle: s.listChecks,
			Doc: op{Tag: "scorecards", Zh: "员工某月的检查考核（督办记录表、聊天记录抽查、周检）", En: "A staff member's checks of a month (督办记录表, chat sampling, weekly checks)", Resp: scorecards.CheckCard{}, Shape: shapeList,
				Desc:  "包括当月的月检与周一在当月的周检；查看权限同考核表。 The month's monthly checks and the weekly checks whose Monday is in it; read as the monthly card.",
				Query: []param{month, staff}}},
		{Pattern: "GET /api/v1/scorecards/check-options", Perm: access.AppraisalRead, Handle: s.checkOptions,
			Doc: op{Tag: "scorecards", Zh: "调用者可对该员工开启的检查方案", En: "The check schemes the caller may open for a staff member", Resp: scorecards.CheckOption{}, Shape: shapeList,
				Query: []param{{Name: "staff_id", Zh: "员工 id", En: "staff id", Required: true}, {Name: "day", Zh: "日期 YYYY-MM-DD，默认今天", En: "day as YYYY-MM-DD, default today"}}}},
		{Pattern: "POST /api/v1/scorecards/checks", Perm: access.AppraisalRead, Handle: s.openCheck,
			Doc: op{Tag: "scorecards", Zh: "开启检查考核（检查方案的考评人，不能检查自己）", En: "Open a check (a rater of the check scheme; never on oneself)",
				Body: scorecards.CheckInput{}, Resp: scorecards.Detail{}, Status: http.StatusCreated,
				Desc: "scheme 为检查方案（check: true）的代码；period 按方案周期：月检为 YYYY-MM，周检为该周周一 YYYY-MM-DD。同一方案同一期间只能开启一次（409）。 " +
					"scheme is the code of a check scheme (check: true); period follows the scheme: YYYY-MM for a monthly check, the week's Monday YYYY-MM-DD for a weekly one. One check per scheme and period (409)."}},
		{Pattern: "GET /api/v1/scorecards/settings", Perm: access.AppraisalRead, Handle: s.scorecardSettings,
			Doc: op{Tag: "scorecards", Zh: "考核流程设置（申诉期天数）", En: "Scorecard lifecycle settings (the appeal window)", Resp: scorecards.LifecyclePolicy{}}},
		{Pattern: "PUT /api/v1/scorecards/settings", Perm: access.AppraisalManage, Handle: s.saveScorecardSettings,
			Doc: op{Tag: "scorecards", Zh: "修改考核流程设置（客服经理）", En: "Change the scorecard lifecycle settings (managers)", Body: scorecards.LifecyclePolicy{}, Resp: scorecards.LifecyclePolicy{},
				Desc: "appeal_days 为发布后的申诉期（0–60 天，默认 5），用于之后发布的考核表。 appeal_days is the appeal window after publication (0–60 days, default 5), for cards published afterwards."}},
		{Pattern: "GET /api/v1/scorecards/{id}", Perm: access.AppraisalRead, Handle: s.getScorecard,
			Doc: op{Tag: "scorecards", Zh: "考核表详情：各项得分、扣分事件及证据、评分项与等级说明、自评意见与申诉、可办理的操作", En: "A scorecard with its lines, the events and evidence behind them, the rated items with their level texts, comments, appeals and what the caller may do",
				Resp: scorecards.Detail{}, Desc: "员工本人、直属上级、客服经理、管理员与总经理可查看。final = card.final（各项 + 加分）+ adjustment（申诉调整）。 " +
					"The staff member, their direct supervisor, managers, admins and executives may read it. final = card.final (lines + bonus) + adjustment (upheld appeals)."}},
		{Pattern: "POST /api/v1/scorecards/{id}/ratings", Perm: access.AppraisalRead, Handle: s.rateScorecard,
			Doc: op{Tag: "scorecards", Zh: "上级评价：给一项评分（直属上级或客服经理，不能给自己评分）", En: "Rate one item (the direct supervisor or a manager; never one's own card)",
				Body: scorecardRating{}, Resp: scorecards.Detail{},
				Desc: "rubric 项 points 须为等级之一；manual 项 0 ≤ points ≤ 满分，低于满分须写 reason；checklist 项用 grades（子项 → 符合/基本符合/一般符合/不符合）。提交审批后不能再评分。 " +
					"A rubric item's points must be one of its levels; a manual item's 0 ≤ points ≤ its points, with a reason below full; a checklist item takes grades (sub-item → 符合/基本符合/一般符合/不符合). No rating once submitted for approval."}},
		{Pattern: "POST /api/v1/scorecards/{id}/samples", Perm: access.AppraisalRead, Handle: s.recordSample,
			Doc: op{Tag: "scorecards", Zh: "记录抽查（聊天记录抽查：某日抽查条数与不合格条数；考评人，提交审批前）", En: "Record a sample day (chat sampling: records checked and failing that day; the item's rater, before approval)",
				Body: sampleRecord{}, Resp: scorecards.Detail{},
				Desc: "同一天再次记录即更正（留痕）。date 须在考核期间内且不晚于今天；0 ≤ failed ≤ checked；evidence 为不合格沟通记录的 id（不多于 failed）。 " +
					"Recording a day again corrects it (audited). date must be within the card's period and not in the future; 0 ≤ failed ≤ checked; evidence are the failing communication records' ids (no more than failed)."}},
		{Pattern: "POST /api/v1/scorecards/{id}/transitions", Perm: access.AppraisalRead, Handle: s.transitionScorecard,
			Doc: op{Tag: "scorecards", Zh: "办理考核流程（开启自评、提交自评、提交审批、审批发布、退回、定稿）", En: "Move a scorecard on (open, submit the self-review, submit for approval, approve and publish, return, finalize)",
				Body: scorecardTransition{}, Resp: scorecards.Detail{}, Desc: scorecardFlowNote}},
		{Pattern: "POST /api/v1/scorecards/{id}/comments", Perm: access.AppraisalRead, Handle: s.commentScorecard,
			Doc: op{Tag: "scorecards", Zh: "自评意见：对某一项填写意见（员工本人，自评阶段）", En: "Comment on a line (the staff member, during the self-review)",
				Body: scorecardComment{}, Resp: scorecards.AppealRecord{}, Status: http.StatusCreated}},
		{Pattern: "POST /api/v1/scorecards/{id}/appeals", Perm: access.AppraisalRead, Handle: s.appealScorecard,
			Doc: op{Tag: "scorecards", Zh: "申诉某一项（员工本人，自评阶段或发布后的申诉期内）", En: "Appeal a line (the staff member, during the self-review or the appeal window after publication)",
				Body: scorecardAppeal{}, Resp: scorecards.AppealRecord{}, Status: http.StatusCreated,
				Desc: "每项同时只能有一条待处理的申诉；申诉期已过返回 400。 One undecided appeal per line; after the window it is refused (400)."}},
		{Pattern: "POST /api/v1/scorecard-appeals/{id}/decision", Perm: access.AppraisalManage, Handle: s.decideScorecardAppeal,
			Doc: op{Tag: "scorecards", Zh: "处理申诉（客服经理，不能处理自己的）", En: "Decide an appeal (managers; never on their own card)",
				Body: appealDecision{}, Resp: scorecards.AppealRecord{},
				Desc: "成立（upheld）的申诉在考核表提交审批后可带调整分 adjustment（±，计入 final，作为单独的调整项，原各项不变）；审批前请修改评分或撤销事件后重新计算，adjustment 须为 0。 " +
					"An upheld appeal on a card submitted for approval or later may carry an adjustment (±, added to final as an explicit adjustment; the lines stay as they were); before that, fix the rating or the event and recompute (adjustment 0)."}},
	}
}

const scorecardFlowNote = "to 为目标状态：self_review（客服经理开启自评）、rating（员工本人提交自评，note 为总体意见；或客服经理从审批退回，note 必填为原因）、" +
	"approval（直属上级或客服经理提交审批，须各评分项均已评分，否则 400 列出未评项目；提交时按记录重新计算一次，之后冻结）、" +
	"published（客服经理审批发布，不能审批自己的；申诉期开始）、final（申诉期结束且申诉均已处理后由客服经理定稿；系统也会自动定稿）。顺序不对返回 400。 " +
	"to is the state to move to: self_review (a manager opens the self-review), rating (the staff member submits the self-review, note being their overall comment; " +
	"or a manager returns a card from approval, note being the required reason), approval (the direct supervisor or a manager submits a card with every rated item " +
	"rated, else 400 naming the items; it is computed once more from the records and frozen), published (a manager approves, never their own card; the appeal " +
	"window opens), final (a manager, after the window with every appeal decided; the system finalizes on its own too). A move out of order is 400."

type openedCount struct {
	Opened int `json:"opened"`
}

type scorecardRating struct {
	Version *int64            `json:"version"`
	Item    string            `json:"item"`
	Points  appraisal.Points  `json:"points"`
	Grades  map[string]string `json:"grades,omitempty"`
	Reason  string            `json:"reason"`
}

type sampleRecord struct {
	Version  *int64   `json:"version"`
	Item     string   `json:"item"`
	Date     string   `json:"date"`
	Checked  int64    `json:"checked"`
	Failed   int64    `json:"failed"`
	Evidence []string `json:"evidence,omitempty"`
	Note     string   `json:"note"`
}

type scorecardTransition struct {
	Version *int64 `json:"version"`
	To      string `json:"to"`
	Note    string `json:"note"`
}

type scorecardComment struct {
	Item string `json:"item"`
	Text string `json:"text"`
}

type scorecardAppeal struct {
	Item   string `json:"item"`
	Reason string `json:"reason"`
}

type appealDecision struct {
	Decision   string           `json:"decision"`
	Adjustment appraisal.Points `json:"adjustment"`
	Note       string           `json:"note"`
}

// thisMonth is the company's current month, YYYY-MM.
func (s *Server) thisMonth() string { return s.today().Format("2006-01") }

func (s *Server) listScorecards(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	rows, err := s.Scorecards.List(r.Context(), scorecards.ListFilter{Period: strings.TrimSpace(q.Get("month")), StaffID: q.Get("staff_id"), Status: q.Get("status")})
	if err != nil {
		return err
	}
	return ok(w, items(rows))
}

func (s *Server) computeScorecards(w http.ResponseWriter, r *http.Request) error {
	m := strings.TrimSpace(r.URL.Query().Get("month"))
	if m == "" {
		return required("month")
	}
	n, err := s.Scorecards.Compute(r.Context(), m, r.URL.Query().Get("staff_id"))
	if err != nil {
		return err
	}
	return ok(w, n)
}

func (s *Server) openSelfReview(w http.ResponseWriter, r *http.Request) error {
	m := strings.TrimSpace(r.URL.Query().Get("month"))
	if m == "" {
		return required("month")
	}
	n, err := s.Scorecards.OpenSelfReview(r.Context(), m)
	if err != nil {
		return err
	}
	return ok(w, openedCount{Opened: n})
}

func (s *Server) previewScorecard(w http.ResponseWriter, r *http.Request) error {
	m := strings.TrimSpace(r.URL.Query().Get("month"))
	if m == "" {
		m = s.thisMonth()
	}
	staffID := r.URL.Query().Get("staff_id")
	if staffID == "" {
		staffID = access.Caller(r.Context()).StaffID
	}
	c, err := s.Scorecards.Preview(r.Context(), staffID, m)
	if err != nil {
		return err
	}
	return ok(w, c)
}

func (s *Server) scorecardSettings(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.Scorecards.LifecyclePolicy(r.Context())
	if err != nil {
		return err
	}
	return ok(w, pol)
}

func (s *Server) saveScorecardSettings(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.Scorecards.LifecyclePolicy(r.Context())
	if err != nil {
		return err
	}
	if err := decode(w, r, &pol); err != nil {
		return err
	}
	if pol, err = s.Scorecards.SaveLifecyclePolicy(r.Context(), pol); err != nil {
		return err
	}
	return ok(w, pol)
}

func (s *Server) getScorecard(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Scorecards.CardDetail(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (s *Server) rateScorecard(w http.ResponseWriter, r *http.Request) error {
	var in scorecardRating
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	if strings.TrimSpace(in.Item) == "" {
		return required("item")
	}
	if _, err := s.Scorecards.Rate(r.Context(), r.PathValue("id"), v, in.Item, appraisal.Rating{Points: in.Points, Grades: in.Grades, Reason: strings.TrimSpace(in.Reason)}); err != nil {
		return err
	}
	return s.getScorecard(w, r)
}

func (s *Server) recordSample(w http.ResponseWriter, r *http.Request) error {
	var in sampleRecord
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	if strings.TrimSpace(in.Item) == "" {
		return required("item")
	}
	if _, err := s.Scorecards.RecordSample(r.Context(), r.PathValue("id"), v, scorecards.SampleInput{Item: in.Item, Date: in.Date,
		Checked: in.Checked, Failed: in.Failed, Evidence: in.Evidence, Note: in.Note}); err != nil {
		return err
	}
	return s.getScorecard(w, r)
}

func (s *Server) listChecks(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	month, staffID := strings.TrimSpace(q.Get("month")), strings.TrimSpace(q.Get("staff_id"))
	if month == "" {
		month = s.thisMonth()
	}
	if staffID == "" {
		staffID = access.Caller(r.Context()).StaffID
	}
	rows, err := s.Scorecards.Checks(r.Context(), staffID, month)
	if err != nil {
		return err
	}
	return ok(w, items(rows))
}

func (s *Server) checkOptions(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	staffID, day := strings.TrimSpace(q.Get("staff_id")), strings.TrimSpace(q.Get("day"))
	if staffID == "" {
		return required("staff_id")
	}
	if day == "" {
		day = s.today().Format(time.DateOnly)
	} else if _, err := time.Parse(time.DateOnly, day); err != nil {
		return apperr.Invalid("day", "日期格式应为 YYYY-MM-DD")
	}
	opts, err := s.Scorecards.CheckOptions(r.Context(), staffID, day)
	if err != nil {
		return err
	}
	return ok(w, items(opts))
}

func (s *Server) openCheck(w http.ResponseWriter, r *http.Request) error {
	var in scorecards.CheckInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	card, err := s.Scorecards.OpenCheck(r.Context(), in)
	if err != nil {
		return err
	}
	d, err := s.Scorecards.CardDetail(r.Context(), card.ID)
	if err != nil {
		return err
	}
	return created(w, d)
}

func (s *Server) transitionScorecard(w http.ResponseWriter, r *http.Request) error {
	var in scorecardTransition
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	if in.To == "" {
		return required("to")
	}
	if _, err := s.Scorecards.Transition(r.Context(), r.PathValue("id"), v, in.To, in.Note); err != nil {
		return err
	}
	return s.getScorecard(w, r)
}

func (s *Server) commentScorecard(w http.ResponseWriter, r *http.Request) error {
	var in scorecardComment
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Item) == "" {
		return required("item")
	}
	a, err := s.Scorecards.Comment(r.Context(), r.PathValue("id"), in.Item, in.Text)
	if err != nil {
		return err
	}
	return created(w, a)
}

func (s *Server) appealScorecard(w http.ResponseWriter, r *http.Request) error {
	var in scorecardAppeal
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Item) == "" {
		return required("item")
	}
	a, err := s.Scorecards.Appeal(r.Context(), r.PathValue("id"), in.Item, in.Reason)
	if err != nil {
		return err
	}
	return created(w, a)
}

func (s *Server) decideScorecardAppeal(w http.ResponseWriter, r *http.Request) error {
	var in appealDecision
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Decision == "" {
		return required("decision")
	}
	if in.Decision != scorecards.DecisionUpheld && in.Decision != scorecards.DecisionRejected {
		return apperr.Invalid("decision", "须为 upheld（成立）或 rejected（不成立） (upheld or rejected)")
	}
	a, err := s.Scorecards.DecideAppeal(r.Context(), r.PathValue("id"), in.Decision, in.Adjustment, in.Note)
	if err != nil {
		return err
	}
	return ok(w, a)
}
