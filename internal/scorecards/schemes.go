package scorecards

// Schemes as data (SPEC §8.1): the manager drafts a new version of a
// scheme (form view or raw JSON), the executive approves it, and it takes
// effect from a date. A version in use is never edited: only drafts are.
//
// Decisions:
//
//   - An invalid document is never stored: drafting or saving a draft with
//     problems is refused with apperr.Invalid whose field is the first
//     problem's path and whose message lists every problem
//     (appraisal.Scheme.Problems); ValidateScheme is the dry run that
//     returns them as a list.
//   - The record owns the document's key, version and effective_from: a
//     draft of code C gets version max(version of C)+1, and the document's
//     key/version/effective_from are set from the record, so the raw view
//     need not keep them in step (effective_from is a field of the draft
//     beside the document, never read from the document).
//   - All versions of a code apply to the same role.
//   - effective_from of a monthly scheme is the first day of a month (a
//     card is computed for a whole month with one version); empty means the
//     first day of next month. Approval refuses a date before today, and a
//     month for which a card has already been computed with another version
//     of the code (that card keeps its version).
//   - The executive approves, never the drafter; managers draft, edit and
//     discard drafts (retire a draft); only the executive retires an
//     approved version, and not while a card of this month or later uses it.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/appraisal"
	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// Scheme version states.
const (
	SchemeStatusDraft    = "draft"
	SchemeStatusApproved = "approved"
	SchemeStatusRetired  = "retired"
)

// maxDocument bounds a scheme document (bytes).
const maxDocument = 256 << 10

// SchemeProblem is one problem of a scheme document: its field path
// (categories[1].items[2].points) and a message in Chinese.
type SchemeProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// SchemeListItem is a scheme version as the list shows it.
type SchemeListItem struct {
	SchemeRecord
	// InForce: the approved version of its code that applies today.
	InForce bool `json:"in_force"`
	// Cards is how many scorecards were computed with this version.
	Cards int `json:"cards"`
}

// SchemeView is one scheme version with its document and problems.
type SchemeView struct {
	SchemeListItem
	Document json.RawMessage   `json:"document"`
	Problems []SchemeProblem   `json:"problems"`
	Scheme   *appraisal.Scheme `json:"-"` // nil when the stored document does not parse
	// What the caller may do with it now.
	CanEdit    bool `json:"can_edit"`
	CanApprove bool `json:"can_approve"`
	CanRetire  bool `json:"can_retire"`
}

// SchemeDraft is a new version (or a draft's new content): the scheme it
// continues (BaseID, or Code; with neither, the document's key), the
// document (JSON text; empty with BaseID copies the base's) and the day it
// takes effect (YYYY-MM-DD; empty: the first day of next month).
type SchemeDraft struct {
	BaseID        string          `json:"base_id,omitempty"`
	Code          string          `json:"code,omitempty"`
	Document      json.RawMessage `json:"document,omitempty"`
	EffectiveFrom string          `json:"effective_from,omitempty"`
}

// SchemeCheck is the result of a dry run: the document as it would be
// stored (key, version and effective_from set) and its problems.
type SchemeCheck struct {
	Code          string          `json:"code"`
	Version       int             `json:"version"`
	EffectiveFrom string          `json:"effective_from"`
	Valid         bool            `json:"valid"`
	Problems      []SchemeProblem `json:"problems"`
	Document      json.RawMessage `json:"document,omitempty"` // normalized, when valid
}

// today is the current day in the company zone.
func (s *Service) today() calendar.Date { return calendar.DateOf(s.now(), s.loc) }

// SchemeVersions lists every stored version by code and version, each
// with whether it is in force today and how many cards used it.
func (s *Service) SchemeVersions(ctx context.Context) ([]SchemeListItem, error) {
	if !access.Caller(ctx).Can(access.AppraisalRead) {
		return nil, apperr.Forbidden("无权查看考核方案")
	}
	db := s.db.R()
	var recs []SchemeRecord
	if err := db.NewSelect().Model(&recs).Order("code", "version").Scan(ctx); err != nil {
		return nil, err
	}
	cards, err := cardCounts(ctx, db)
	if err != nil {
		return nil, err
	}
	inForce := inForceIDs(recs, s.today().String())
	out := make([]SchemeListItem, len(recs))
	for i, r := range recs {
		out[i] = SchemeListItem{SchemeRecord: r, InForce: inForce[r.ID], Cards: cards[r.ID]}
	}
	return out, nil
}

func cardCounts(ctx context.Context, db bun.IDB) (map[string]int, error) {
	var rows []struct {
		SchemeID string `bun:"scheme_id"`
		N        int    `bun:"n"`
	}
	if err := db.NewRaw("SELECT scheme_id, COUNT(*) AS n FROM scorecards GROUP BY scheme_id").Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.SchemeID] = r.N
	}
	return out, nil
}

// inForceIDs: per code, the approved version with the latest
// effective_from on or before day (the higher version on a tie), as
// schemeFor picks it.
func inForceIDs(recs []SchemeRecord, day string) map[string]bool {
	best := map[string]*SchemeRecord{}
	for i := range recs {
		r := &recs[i]
		if r.Status != SchemeStatusApproved || r.EffectiveFrom > day {
			continue
		}
		b := best[r.Code]
		if b == nil || r.EffectiveFrom > b.EffectiveFrom || r.EffectiveFrom == b.EffectiveFrom && r.Version > b.Version {
			best[r.Code] = r
		}
	}
	out := map[string]bool{}
	for _, r := range best {
		out[r.ID] = true
	}
	return out
}

// SchemeVersion returns one version with its document (indented), the
// parsed scheme and its problems (none for a stored version, unless the
// validation rules changed since).
func (s *Service) SchemeVersion(ctx context.Context, id string) (*SchemeView, error) {
	p := access.Caller(ctx)
	if !p.Can(access.AppraisalRead) {
		return nil, apperr.Forbidden("无权查看考核方案")
	}
	db := s.db.R()
	rec, err := loadScheme(ctx, db, id)
	if err != nil {
		return nil, err
	}
	var recs []SchemeRecord
	if err := db.NewSelect().Model(&recs).Where("code = ?", rec.Code).Scan(ctx); err != nil {
		return nil, err
	}
	var cards int
	if err := db.NewRaw("SELECT COUNT(*) FROM scorecards WHERE scheme_id = ?", rec.ID).Scan(ctx, &cards); err != nil {
		return nil, err
	}
	v := &SchemeView{SchemeListItem: SchemeListItem{SchemeRecord: *rec, InForce: inForceIDs(recs, s.today().String())[rec.ID], Cards: cards}}
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(rec.Document), "", "  "); err == nil {
		v.Document = buf.Bytes()
	} else {
		v.Document, _ = json.Marshal(rec.Document) // not JSON: shown as a string
	}
	v.Scheme, v.Problems = checkDocument([]byte(rec.Document))
	v.CanEdit = rec.Status == SchemeStatusDraft && p.Can(access.AppraisalManage)
	v.CanApprove = rec.Status == SchemeStatusDraft && p.Has(access.Executive) && !sameStaff(rec.CreatedBy, p.StaffID) && len(v.Problems) == 0
	v.CanRetire = rec.Status == SchemeStatusDraft && p.Can(access.AppraisalManage) || rec.Status == SchemeStatusApproved && p.Has(access.Executive)
	return v, nil
}

func sameStaff(id *string, staffID string) bool { return id != nil && staffID != "" && *id == staffID }

func loadScheme(ctx context.Context, db bun.IDB, id string) (*SchemeRecord, error) {
	rec := new(SchemeRecord)
	if err := db.NewSelect().Model(rec).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "scheme")
	}
	return rec, nil
}

// checkDocument decodes a document strictly (unknown fields are problems)
// and lists its problems; the scheme is nil when it does not decode.
func checkDocument(doc []byte) (*appraisal.Scheme, []SchemeProblem) {
	sc, err := decodeScheme(doc)
	if err != nil {
		return nil, []SchemeProblem{problemOf(err)}
	}
	var out []SchemeProblem
	for _, pr := range sc.Problems() {
		out = append(out, SchemeProblem{Field: pr.Field, Message: pr.Message})
	}
	return sc, out
}

// decodeScheme decodes without validating; a decoding error is the one
// appraisal.ParseScheme reports (with its field and message in Chinese).
func decodeScheme(doc []byte) (*appraisal.Scheme, error) {
	if len(bytes.TrimSpace(doc)) == 0 {
		return nil, apperr.Invalid("document", "方案内容不能为空")
	}
	if len(doc) > maxDocument {
		return nil, apperr.Invalid("document", fmt.Sprintf("方案内容不能超过 %d KB", maxDocument>>10))
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	var sc appraisal.Scheme
	err := dec.Decode(&sc)
	if err == nil {
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = errors.New("trailing data")
		}
	}
	if err != nil {
		if _, perr := appraisal.ParseScheme(doc); perr != nil {
			return nil, perr
		}
		return nil, apperr.Invalid("document", "方案 JSON 无法解析："+err.Error())
	}
	return &sc, nil
}

func problemOf(err error) SchemeProblem {
	if e, ok := apperr.As(err); ok {
		f := e.Field
		if f == "" {
			f = "document"
		}
		return SchemeProblem{Field: f, Message: e.Message}
	}
	return SchemeProblem{Field: "document", Message: err.Error()}
}

// problemsError is apperr.Invalid with the first problem's field and every
// problem in the message.
func problemsError(ps []SchemeProblem) error {
	if len(ps) == 1 {
		return apperr.Invalid(ps[0].Field, ps[0].Message)
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Field + "：" + p.Message
	}
	return apperr.Invalid(ps[0].Field, fmt.Sprintf("方案有 %d 处问题：%s", len(ps), strings.Join(parts, "；")))
}

// prepared is a draft ready to store.
type prepared struct {
	code, from string
	version    int
	role       string
	scheme     *appraisal.Scheme
	doc        []byte // canonical JSON
	problems   []SchemeProblem
}

// prepare resolves the code and version of in, sets the document's key,
// version and effective_from from them, and lists every problem. keep is
// the draft being edited (its code and version stay).
func (s *Service) prepare(ctx context.Context, db bun.IDB, in SchemeDraft, keep *SchemeRecord) (*prepared, error) {
	out := &prepared{}
	doc := []byte(in.Document)
	given := len(bytes.TrimSpace(doc)) > 0 && string(bytes.TrimSpace(doc)) != "null"
	if keep != nil {
		out.code, out.version = keep.Code, keep.Version
		if !given {
			doc = []byte(keep.Document)
		}
	} else if in.BaseID != "" {
		base, err := loadScheme(ctx, db, in.BaseID)
		if err != nil {
			return nil, err
		}
		if in.Code != "" && in.Code != base.Code {
			return nil, apperr.Invalid("code", "code 与 base_id 所指方案不一致")
		}
		out.code = base.Code
		if !given {
			doc = []byte(base.Document)
		}
	} else {
		out.code = strings.TrimSpace(in.Code)
	}
	sc, ps := checkDocument(doc)
	if sc == nil {
		out.problems = ps
		return out, nil
	}
	if out.code == "" {
		out.code = sc.Key
	}
	if keep == nil {
		var maxV int
		if err := db.NewRaw("SELECT COALESCE(MAX(version), 0) FROM appraisal_schemes WHERE code = ?", out.code).Scan(ctx, &maxV); err != nil {
			return nil, err
		}
		out.version = maxV + 1
	}
	out.from = strings.TrimSpace(in.EffectiveFrom)
	if out.from == "" && keep != nil {
		out.from = keep.EffectiveFrom
	}
	if out.from == "" {
		t := s.today()
		out.from = calendar.NewDate(t.Year, t.Month+1, 1).String()
	}
	sc.Key, sc.Version, sc.EffectiveFrom = out.code, out.version, out.from
	for _, pr := range sc.Problems() {
		out.problems = append(out.problems, SchemeProblem{Field: pr.Field, Message: pr.Message})
	}
	out.problems = append(out.problems, s.recordProblems(ctx, db, sc, out)...)
	out.role = sc.Role
	if len(out.problems) > 0 {
		out.scheme = sc
		return out, nil
	}
	b, err := json.Marshal(sc)
	if err != nil {
		return nil, err
	}
	// The stored form is the round trip (empty lists as absent).
	norm, err := appraisal.ParseScheme(b)
	if err != nil {
		out.problems = append(out.problems, problemOf(err))
		return out, nil
	}
	if b, err = json.Marshal(norm); err != nil {
		return nil, err
	}
	out.scheme, out.doc = norm, b
	return out, nil
}

// recordProblems are the rules of stored versions beyond the document's
// own: the effective date and the role of the code.
func (s *Service) recordProblems(ctx context.Context, db bun.IDB, sc *appraisal.Scheme, pr *prepared) []SchemeProblem {
	var out []SchemeProblem
	d, err := calendar.ParseDate(pr.from)
	switch {
	case err != nil:
		out = append(out, SchemeProblem{Field: "effective_from", Message: fmt.Sprintf("生效日期格式应为 YYYY-MM-DD：%q", pr.from)})
	case sc.Period == appraisal.PeriodMonthly && d.Day != 1:
		out = append(out, SchemeProblem{Field: "effective_from", Message: fmt.Sprintf("月度方案须从某月 1 日起生效（现为 %s）", pr.from)})
	case d.Before(s.today()):
		out = append(out, SchemeProblem{Field: "effective_from", Message: fmt.Sprintf("生效日期 %s 早于今天 %s：新版本只能从今天或以后生效", pr.from, s.today())})
	}
	var role string
	err = db.NewRaw("SELECT applies_to FROM appraisal_schemes WHERE code = ? ORDER BY version LIMIT 1", pr.code).Scan(ctx, &role)
	if err == nil && role != "" && sc.Role != role {
		out = append(out, SchemeProblem{Field: "role", Message: fmt.Sprintf("方案 %s 的各版本须适用于同一角色 %q（现为 %q）", pr.code, role, sc.Role)})
	}
	return out
}

// ValidateScheme is the dry run of DraftScheme (or, with id, of
// UpdateDraft): the document as it would be stored and every problem.
// Nothing is written.
func (s *Service) ValidateScheme(ctx context.Context, id string, in SchemeDraft) (*SchemeCheck, error) {
	if !access.Caller(ctx).Can(access.AppraisalManage) {
		return nil, apperr.Forbidden("只有客服经理可以编辑考核方案")
	}
	db := s.db.R()
	var keep *SchemeRecord
	if id != "" {
		rec, err := loadScheme(ctx, db, id)
		if err != nil {
			return nil, err
		}
		keep = rec
	}
	pr, err := s.prepare(ctx, db, in, keep)
	if err != nil {
		return nil, err
	}
	out := &SchemeCheck{Code: pr.code, Version: pr.version, EffectiveFrom: pr.from, Valid: len(pr.problems) == 0, Problems: pr.problems, Document: pr.doc}
	if out.Problems == nil {
		out.Problems = []SchemeProblem{}
	}
	return out, nil
}

// DraftScheme stores a new version of a scheme as a draft (managers):
// version max+1 of its code. A document with problems is refused
// (apperr.Invalid listing them all).
func (s *Service) DraftScheme(ctx context.Context, in SchemeDraft) (*SchemeRecord, error) {
	p := access.Caller(ctx)
	if !p.Can(access.AppraisalManage) {
		return nil, apperr.Forbidden("只有客服经理可以起草考核方案")
	}
	now := store.Time(s.now())
	var out *SchemeRecord
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		pr, err := s.prepare(ctx, tx, in, nil)
		if err != nil {
			return err
		}
		if len(pr.problems) > 0 {
			return problemsError(pr.problems)
		}
		rec := &SchemeRecord{ID: store.NewID(), Code: pr.code, Version: pr.version, Name: pr.scheme.Name, AppliesTo: pr.role,
			Period: pr.scheme.Period, EffectiveFrom: pr.from, Document: string(pr.doc), Status: SchemeStatusDraft,
			CreatedBy: optional(p.StaffID), CreatedAt: now, RowVersion: 1}
		if _, err := tx.NewInsert().Model(rec).Exec(ctx); err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.Conflict("version", "同时有人起草了该方案的新版本，请重试")
			}
			return err
		}
		out = rec
		return audit.Record(ctx, tx, now, audit.Change{Action: "create", Entity: "appraisal_scheme", EntityID: rec.ID,
			Summary: fmt.Sprintf("起草考核方案 %s 第 %d 版（%s 起生效）", rec.Code, rec.Version, rec.EffectiveFrom), After: rec})
	})
	return out, err
}

// UpdateDraft replaces a draft's document and effective date (managers).
// Only drafts are edited: an approved or retired version never changes
// (draft a new version instead).
func (s *Service) UpdateDraft(ctx context.Context, id string, rowVersion int64, in SchemeDraft) (*SchemeRecord, error) {
	p := access.Caller(ctx)
	if !p.Can(access.AppraisalManage) {
		return nil, apperr.Forbidden("只有客服经理可以修改考核方案")
	}
	now := store.Time(s.now())
	var out *SchemeRecord
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		rec, err := s.lockScheme(ctx, tx, id, rowVersion)
		if err != nil {
			return err
		}
		if rec.Status != SchemeStatusDraft {
			return apperr.Conflict("status", fmt.Sprintf("方案 %s 第 %d 版已%s，不能修改；请起草新版本", rec.Code, rec.Version, statusName(rec.Status)))
		}
		if in.BaseID != "" || in.Code != "" && in.Code != rec.Code {
			return apperr.Invalid("code", "草稿的方案代码不能修改")
		}
		pr, err := s.prepare(ctx, tx, in, rec)
		if err != nil {
			return err
		}
		if len(pr.problems) > 0 {
			return problemsError(pr.problems)
		}
		before := *rec
		rec.Name, rec.AppliesTo, rec.Period, rec.EffectiveFrom, rec.Document = pr.scheme.Name, pr.role, pr.scheme.Period, pr.from, string(pr.doc)
		rec.RowVersion++
		if _, err := tx.NewUpdate().Model(rec).WherePK().Exec(ctx); err != nil {
			return err
		}
		out = rec
		return audit.Record(ctx, tx, now, audit.Change{Action: "update", Entity: "appraisal_scheme", EntityID: rec.ID,
			Summary: fmt.Sprintf("修改考核方案草稿 %s 第 %d 版", rec.Code, rec.Version), Before: &before, After: rec})
	})
	return out, err
}

// lockScheme loads a version for a change at rowVersion: NotFound first
// (fake ids), then Conflict on a stale row version.
func (s *Service) lockScheme(ctx context.Context, tx bun.IDB, id string, rowVersion int64) (*SchemeRecord, error) {
	res, err := tx.NewRaw("UPDATE appraisal_schemes SET row_version = row_version WHERE id = ? AND row_version = ?", id, rowVersion).Exec(ctx)
	if err != nil {
		return nil, err
	}
	rec, err := loadScheme(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, apperr.Conflict("row_version", "考核方案已被他人修改，请刷新后重试")
	}
	return rec, nil
}

func statusName(st string) string {
	switch st {
	case SchemeStatusApproved:
		return "批准"
	case SchemeStatusRetired:
		return "停用"
	}
	return "起草"
}

// ApproveScheme approves a draft (the executive, never its drafter): it
// takes effect from its effective_from, which may not be before today nor
// in a month already computed with another version of the code.
func (s *Service) ApproveScheme(ctx context.Context, id string, rowVersion int64) (*SchemeRecord, error) {
	p := access.Caller(ctx)
	if !p.Can(access.AppraisalRead) {
		return nil, apperr.Forbidden("无权审批考核方案")
	}
	now := store.Time(s.now())
	var out *SchemeRecord
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		rec, err := s.lockScheme(ctx, tx, id, rowVersion)
		if err != nil {
			return err
		}
		if !p.Has(access.Executive) {
			return apperr.Forbidden("只有总经理可以批准考核方案")
		}
		if sameStaff(rec.CreatedBy, p.StaffID) {
			return apperr.Forbidden("不能批准自己起草的考核方案")
		}
		if rec.Status != SchemeStatusDraft {
			return apperr.Conflict("status", fmt.Sprintf("方案 %s 第 %d 版已%s", rec.Code, rec.Version, statusName(rec.Status)))
		}
		sc, ps := checkDocument([]byte(rec.Document))
		if sc != nil {
			pr := &prepared{code: rec.Code, from: rec.EffectiveFrom, version: rec.Version}
			ps = append(ps, s.recordProblems(ctx, tx, sc, pr)...)
		}
		if len(ps) > 0 {
			return problemsError(ps)
		}
		var computed []string
		if err := tx.NewRaw(`SELECT DISTINCT c.period FROM scorecards c JOIN appraisal_schemes a ON a.id = c.scheme_id
			WHERE a.code = ? AND c.period >= ? ORDER BY c.period`, rec.Code, rec.EffectiveFrom[:7]).Scan(ctx, &computed); err != nil {
			return err
		}
		if len(computed) > 0 {
			return apperr.Conflict("effective_from", fmt.Sprintf("%s 的考核表已按本方案的其他版本计算，新版本不能从 %s 起生效；请改为以后的月份",
				strings.Join(computed, "、"), rec.EffectiveFrom))
		}
		before := *rec
		rec.Status, rec.ApprovedBy, rec.ApprovedAt = SchemeStatusApproved, optional(p.StaffID), &now
		rec.RowVersion++
		if _, err := tx.NewUpdate().Model(rec).WherePK().Exec(ctx); err != nil {
			return err
		}
		out = rec
		return audit.Record(ctx, tx, now, audit.Change{Action: "approve", Entity: "appraisal_scheme", EntityID: rec.ID,
			Summary: fmt.Sprintf("批准考核方案 %s 第 %d 版，%s 起生效", rec.Code, rec.Version, rec.EffectiveFrom), Before: &before, After: rec})
	})
	return out, err
}

// RetireScheme retires a version with a reason: a draft is discarded
// (managers or the executive); an approved version stops applying (the
// executive), refused while a card of this month or later uses it. A
// retired version stays on record with the cards computed with it.
func (s *Service) RetireScheme(ctx context.Context, id string, rowVersion int64, reason string) (*SchemeRecord, error) {
	p := access.Caller(ctx)
	if !p.Can(access.AppraisalRead) {
		return nil, apperr.Forbidden("无权停用考核方案")
	}
	reason = strings.TrimSpace(reason)
	now := store.Time(s.now())
	var out *SchemeRecord
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		rec, err := s.lockScheme(ctx, tx, id, rowVersion)
		if err != nil {
			return err
		}
		switch rec.Status {
		case SchemeStatusDraft:
			if !p.Can(access.AppraisalManage) && !p.Has(access.Executive) {
				return apperr.Forbidden("只有客服经理或总经理可以作废草稿")
			}
		case SchemeStatusApproved:
			if !p.Has(access.Executive) {
				return apperr.Forbidden("只有总经理可以停用已批准的考核方案")
			}
		default:
			return apperr.Conflict("status", "该版本已停用")
		}
		if reason == "" || len([]rune(reason)) > 500 {
			return apperr.Invalid("reason", "请填写停用原因（不超过 500 字）")
		}
		if rec.Status == SchemeStatusApproved {
			var n int
			month := s.today().String()[:7]
			if err := tx.NewRaw("SELECT COUNT(*) FROM scorecards WHERE scheme_id = ? AND period >= ?", rec.ID, month).Scan(ctx, &n); err != nil {
				return err
			}
			if n > 0 {
				return apperr.Conflict("status", fmt.Sprintf("本月或以后已有 %d 张考核表按此版本计算，不能停用；请起草新版本并从下月起生效", n))
			}
		}
		before := *rec
		rec.Status = SchemeStatusRetired
		rec.RowVersion++
		if _, err := tx.NewUpdate().Model(rec).WherePK().Exec(ctx); err != nil {
			return err
		}
		out = rec
		return audit.Record(ctx, tx, now, audit.Change{Action: "retire", Entity: "appraisal_scheme", EntityID: rec.ID,
			Summary: fmt.Sprintf("停用考核方案 %s 第 %d 版：%s", rec.Code, rec.Version, reason), Before: &before, After: rec})
	})
	return out, err
}
