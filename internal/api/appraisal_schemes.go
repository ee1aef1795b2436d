package api

import (
	"encoding/json"
	"net/http"

	"kefu/internal/access"
	"kefu/internal/scorecards"
)

// Appraisal schemes as data (考核方案, SPEC §8.1) and rater flags (SPEC §8.2):
// the manager drafts a new version, the executive approves it from a date;
// a version in use is never edited. Raters flag events with a reason and
// evidence and withdraw them with a reason.

func (s *Server) appraisalSchemeRoutes() []route {
	return []route{
		{Pattern: "GET /api/v1/appraisal/schemes", Perm: access.AppraisalRead, Handle: s.listSchemes,
			Doc: op{Tag: "schemes", Zh: "考核方案的各个版本", En: "Appraisal scheme versions", Resp: scorecards.SchemeListItem{}, Shape: shapeList,
				Desc: "按方案代码与版本排序；in_force 为今天适用的已批准版本。 By code and version; in_force marks the approved version that applies today."}},
		{Pattern: "GET /api/v1/appraisal/schemes/{id}", Perm: access.AppraisalRead, Handle: s.getScheme,
			Doc: op{Tag: "schemes", Zh: "考核方案的一个版本（文档及问题）", En: "One scheme version with its document and problems", Resp: scorecards.SchemeView{}}},
		{Pattern: "POST /api/v1/appraisal/schemes", Perm: access.AppraisalManage, Handle: s.draftScheme,
			Doc: op{Tag: "schemes", Zh: "起草考核方案的新版本（客服经理）", En: "Draft a new version of a scheme (managers)", Body: scorecards.SchemeDraft{},
				Resp: scorecards.SchemeRecord{}, Status: http.StatusCreated, Desc: schemeDraftDesc}},
		{Pattern: "POST /api/v1/appraisal/schemes/validate", Perm: access.AppraisalManage, Handle: s.validateScheme,
			Doc: op{Tag: "schemes", Zh: "校验考核方案（不保存）", En: "Validate a scheme document (dry run)", Body: schemeValidate{}, Resp: scorecards.SchemeCheck{},
				Desc: "返回将要保存的文档及全部问题（字段路径与说明）；id 为草稿 id 时按修改该草稿校验。 Returns the document as it would be stored and every problem with its field path; with id, checks an edit of that draft."}},
		{Pattern: "PUT /api/v1/appraisal/schemes/{id}", Perm: access.AppraisalManage, Handle: s.updateScheme,
			Doc: op{Tag: "schemes", Zh: "修改考核方案草稿（客服经理）", En: "Update a draft (managers)", Body: schemeUpdate{}, Resp: scorecards.SchemeRecord{},
				Desc: "只有草稿可以修改；已批准或停用的版本返回 409（请起草新版本）。document 省略时保留原文档。 Only drafts change; an approved or retired version is 409 (draft a new version). Without document the document stays."}},
		{Pattern: "POST /api/v1/appraisal/schemes/{id}/approve", Perm: access.AppraisalRead, Handle: s.approveScheme,
			Doc: op{Tag: "schemes", Zh: "批准考核方案草稿（总经理）", En: "Approve a draft (the executive)", Body: rowVersionBody{}, Resp: scorecards.SchemeRecord{},
				Desc: "只有总经理可以批准，且不能批准自己起草的；生效日期不能早于今天，也不能落在已按其他版本计算过考核表的月份。 " +
					"Only the executive approves, never their own draft; effective_from may not be before today nor in a month already computed with another version."}},
		{Pattern: "POST /api/v1/appraisal/schemes/{id}/retire", Perm: access.AppraisalRead, Handle: s.retireScheme,
			Doc: op{Tag: "schemes", Zh: "停用考核方案版本（作废草稿：客服经理；停用已批准版本：总经理）", En: "Retire a version (discard a draft: managers; retire an approved version: the executive)",
				Body: retireBody{}, Resp: scorecards.SchemeRecord{},
				Desc: "本月或以后已有考核表使用的已批准版本不能停用。 An approved version used by a card of this month or later cannot be retired."}},

		{Pattern: "POST /api/v1/events/flags", Perm: access.AppraisalRead, Handle: s.flagEvent,
			Doc: op{Tag: "events", Zh: "标记考核事件（直属上级或客服经理）", En: "Flag an appraisal event (the direct supervisor or a manager)",
				Body: scorecards.FlagInput{}, Resp: scorecards.FlaggedEvent{}, Status: http.StatusCreated, Desc: flagDesc}},
		{Pattern: "POST /api/v1/events/{id}/withdraw", Perm: access.AppraisalRead, Handle: s.withdrawEvent,
			Doc: op{Tag: "events", Zh: "撤销标记的考核事件（标记人或客服经理）", En: "Withdraw a flagged event (the flagger or a manager)",
				Body: reasonBody{}, Resp: scorecards.FlaggedEvent{},
				Desc: "须填写原因；被标记的员工本人不能撤销（请申诉）；系统计算的事件随记录重新计算，不能手工撤销（409）；由沟通记录或投诉工单产生的事件在原记录撤销（409）。 " +
					"A reason is required; the person flagged cannot withdraw (appeal instead); computed events follow the records (409); events made by a communication flag or a complaint are withdrawn there (409)."}},
	}
}

const schemeDraftDesc = "base_id（或 code）为要延续的方案；document 为方案 JSON 对象（省略时复制 base_id 的文档）；effective_from 为生效日期（月度方案须为某月 1 日，默认下月 1 日）。" +
	"版本号为该方案已有最大版本 + 1；文档中的 key、version、effective_from 由服务端填写。文档有问题时返回 400，message 列出全部问题，field 为第一处问题的路径。 " +
	"base_id (or code) names the scheme continued; document is the scheme JSON object (omitted: a copy of base_id's); effective_from is the day it takes effect " +
	"(a monthly scheme: the first of a month; default the first of next month). The version is the code's highest + 1; the server sets the document's key, " +
	"version and effective_from. A document with problems is 400 whose message lists them all and whose field is the first problem's path."

const flagDesc = "type：unregistered（相关事项未登记）、dispatch_error（派单内容有错误，points 为所扣分数，在方案规定范围内）、attitude_complaint（被客户投诉态度不佳）、" +
	"bonus（嘉奖加分，points 为加分，在方案加分范围内，如 1–10）、penalty（行政处罚，points 可选，不计入考核得分）。理由必填；evidence 为证明记录（kind + id）。不能标记自己；已提交审批的月份不能再标记（409）。 " +
	"type: unregistered, dispatch_error (points: the points deducted, within the scheme's range), attitude_complaint, bonus (points: the bonus, within the " +
	"scheme's bonus range such as 1–10) or penalty (points optional; not counted in the score). A reason is required; evidence lists the records that prove it " +
	"(kind + id). Nobody flags themself; a month whose card was submitted for approval takes no flag (409)."

// schemeValidate is the body of the dry run: a draft, or with id an edit
// of that draft.
type schemeValidate struct {
	ID string `json:"id,omitempty"`
	scorecards.SchemeDraft
}

// schemeUpdate is the body of a draft's update.
type schemeUpdate struct {
	RowVersion    int64           `json:"row_version"`
	Document      json.RawMessage `json:"document,omitempty"`
	EffectiveFrom string          `json:"effective_from,omitempty"`
}

// rowVersionBody names the row version a change was made against.
type rowVersionBody struct {
	RowVersion int64 `json:"row_version"`
}

// retireBody is the body of a retirement.
type retireBody struct {
	RowVersion int64  `json:"row_version"`
	Reason     string `json:"reason"`
}

func (s *Server) listSchemes(w http.ResponseWriter, r *http.Request) error {
	out, err := s.Scorecards.SchemeVersions(r.Context())
	if err != nil {
		return err
	}
	return ok(w, items(out))
}

func (s *Server) getScheme(w http.ResponseWriter, r *http.Request) error {
	v, err := s.Scorecards.SchemeVersion(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if v.Problems == nil {
		v.Problems = []scorecards.SchemeProblem{}
	}
	return ok(w, v)
}

func (s *Server) draftScheme(w http.ResponseWriter, r *http.Request) error {
	var in scorecards.SchemeDraft
	if err := decode(w, r, &in); err != nil {
		return err
	}
	rec, err := s.Scorecards.DraftScheme(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, rec)
}

func (s *Server) validateScheme(w http.ResponseWriter, r *http.Request) error {
	var in schemeValidate
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := s.Scorecards.ValidateScheme(r.Context(), in.ID, in.SchemeDraft)
	if err != nil {
		return err
	}
	return ok(w, out)
}

func (s *Server) updateScheme(w http.ResponseWriter, r *http.Request) error {
	var in schemeUpdate
	if err := decode(w, r, &in); err != nil {
		return err
	}
	rec, err := s.Scorecards.UpdateDraft(r.Context(), r.PathValue("id"), in.RowVersion,
		scorecards.SchemeDraft{Document: in.Document, EffectiveFrom: in.EffectiveFrom})
	if err != nil {
		return err
	}
	return ok(w, rec)
}

func (s *Server) approveScheme(w http.ResponseWriter, r *http.Request) error {
	var in rowVersionBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	rec, err := s.Scorecards.ApproveScheme(r.Context(), r.PathValue("id"), in.RowVersion)
	if err != nil {
		return err
	}
	return ok(w, rec)
}

func (s *Server) retireScheme(w http.ResponseWriter, r *http.Request) error {
	var in retireBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	rec, err := s.Scorecards.RetireScheme(r.Context(), r.PathValue("id"), in.RowVersion, in.Reason)
	if err != nil {
		return err
	}
	return ok(w, rec)
}

func (s *Server) flagEvent(w http.ResponseWriter, r *http.Request) error {
	var in scorecards.FlagInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	e, err := s.Scorecards.Flag(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, e)
}

func (s *Server) withdrawEvent(w http.ResponseWriter, r *http.Request) error {
	var in reasonBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	e, err := s.Scorecards.Withdraw(r.Context(), r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	return ok(w, e)
}
