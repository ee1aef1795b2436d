package web

import (
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/fieldwork"
	"kefu/internal/httpx"
)

// 验收 (SPEC §6.4, seed 000 附件一) on the work order page: the evidence
// photos by slot and the signed sheet (upload without JS as a multipart
// form, with JS by XMLHttpRequest per file with its progress), the
// acceptance checklist, the group post, the paper original, the callback
// and the acceptance refused while anything is missing; the standard
// group messages ready to copy. And the technician's page (我的工作):
// the work orders sent to them, each with its end-of-day report, 完工
// and its photos.

// maxUploadFiles bounds the files of one upload form posted without JS.
const maxUploadFiles = 20

// evidenceSlot is one card of the evidence: a photo slot or the sheet.
type evidenceSlot struct {
	Kind  string // photo / sheet
	Slot  string // the photo's slot key ("" for the sheet)
	Label string
	// State is the checklist line's state (met / missing / late).
	State string
	Files []fieldwork.EvidenceFile
}

// evidenceView is the evidence of one work order as a page shows it.
type evidenceView struct {
	WorkOrderID string
	Version     int64
	Status      string
	Slots       []evidenceSlot
	Checklist   []fieldwork.Requirement
	Messages    []fieldwork.GroupMessage
	// CanUpload: the order is open to evidence and the viewer may handle
	// it (the customer's specialist or a manager; the group's supervisor
	// or a technician sent).
	CanUpload bool
	// CanDispatch: the viewer is the customer's specialist or a manager
	// (paper original, callback, acceptance, any watermark).
	CanDispatch bool
	// Back is where a form on this evidence returns to.
	Back string
	// Unmet are the checklist keys an acceptance was refused for.
	Unmet map[string]bool
	me    string
}

// CanConfirm reports whether the viewer may confirm file f's watermark:
// its uploader, the customer's specialist or a manager.
func (e *evidenceView) CanConfirm(f fieldwork.EvidenceFile) bool {
	if !e.CanUpload || f.Kind != fieldwork.KindPhoto || f.WatermarkConfirmed || f.Counts {
		return false
	}
	return e.CanDispatch || (f.UploadedBy != nil && *f.UploadedBy == e.me)
}

// IsUnmet reports whether a refused acceptance named checklist line key.
func (e *evidenceView) IsUnmet(key string) bool { return e.Unmet[key] }

// Acceptable reports whether every line of the checklist is met.
func (e *evidenceView) Acceptable() bool {
	ok, _ := fieldwork.Acceptable(e.Checklist)
	return ok
}

// MetCount counts the lines met.
func (e *evidenceView) MetCount() int {
	n := 0
	for _, r := range e.Checklist {
		if r.State == fieldwork.Met {
			n++
		}
	}
	return n
}

// UnmetCount counts the lines not met.
func (e *evidenceView) UnmetCount() int { return len(e.Checklist) - e.MetCount() }

// Accept is what a photo slot's file input accepts.
func (sl evidenceSlot) Accept() string {
	if sl.Kind == fieldwork.KindSheet {
		return "image/jpeg,image/png,application/pdf"
	}
	return "image/jpeg,image/png"
}

// evidenceOpen: files may be added or changed.
func evidenceOpenStatus(status string) bool {
	return status == fieldwork.StatusDispatched || status == fieldwork.StatusCompleted
}

// showsEvidence: the page shows the evidence of a work order in status.
func showsEvidence(status string) bool {
	return evidenceOpenStatus(status) || status == fieldwork.StatusAccepted
}

// slotLabel names a photo slot in the page's language: 冷却塔 · 施工前.
func (p *Page) slotLabel(sl fieldwork.Slot) string {
	part := sl.Part
	if part == "" {
		part = p.T("evidence.unit")
	}
	return part + " · " + p.T("evidence.stage."+sl.Stage)
}

// evidenceOf builds the evidence of work order d for page p; checklist
// and messages only when full (the work order page).
func (s *Server) evidenceOf(ctx context.Context, p *Page, d *fieldwork.WorkOrderDetail, canDispatch, onSite, full bool, back string) (*evidenceView, error) {
	e := &evidenceView{WorkOrderID: d.ID, Version: d.Version, Status: d.Status, CanDispatch: canDispatch,
		CanUpload: evidenceOpenStatus(d.Status) && (canDispatch || onSite), Back: back, Unmet: map[string]bool{}}
	if p.User != nil {
		e.me = p.User.StaffID
	}
	files, err := s.Fieldwork.ListEvidence(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	list, err := s.Fieldwork.AcceptanceChecklist(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	state := map[string]string{}
	for _, r := range list {
		state[r.Key] = r.State
	}
	for _, sl := range fieldwork.Slots(d.Type, d.Parts) {
		es := evidenceSlot{Kind: fieldwork.KindPhoto, Slot: sl.Key(), Label: p.slotLabel(sl), State: state["photo:"+sl.Key()]}
		for _, f := range files {
			if f.Kind == fieldwork.KindPhoto && f.Slot == sl.Key() {
				es.Files = append(es.Files, f)
			}
		}
		e.Slots = append(e.Slots, es)
	}
	// Photos of a slot no longer required (the parts changed) stay visible.
	known := map[string]bool{}
	for _, sl := range e.Slots {
		known[sl.Slot] = true
	}
	for _, f := range files {
		if f.Kind == fieldwork.KindPhoto && !known[f.Slot] {
			i := slices.IndexFunc(e.Slots, func(x evidenceSlot) bool { return x.Kind == "other" })
			if i < 0 {
				e.Slots = append(e.Slots, evidenceSlot{Kind: "other", Label: p.T("evidence.other_slot"), State: fieldwork.Met})
				i = len(e.Slots) - 1
			}
			e.Slots[i].Files = append(e.Slots[i].Files, f)
		}
	}
	sheet := evidenceSlot{Kind: fieldwork.KindSheet, Label: p.T("evidence.sheet." + fieldwork.SheetOf(d.Type)), State: state["sheet"]}
	for _, f := range files {
		if f.Kind == fieldwork.KindSheet {
			sheet.Files = append(sheet.Files, f)
		}
	}
	e.Slots = append(e.Slots, sheet)
	if full {
		e.Checklist = list
		if evidenceOpenStatus(d.Status) {
			if e.Messages, err = s.Fieldwork.GroupMessages(ctx, d.ID); err != nil {
				return nil, err
			}
		}
	}
	return e, nil
}

// FlagText names a photo's date flag (exif_missing, not_work_day).
func (p *Page) FlagText(flag string) string {
	if l := p.T("evidence.flag." + flag); l != "evidence.flag."+flag {
		return l
	}
	return flag
}

// evidenceFlags are the flags a photo may carry (for the catalogue test).
var evidenceFlags = []string{"exif_missing", "not_work_day"}

// ---- the forms on the work order page -------------------------------------------------

// backOf is where an evidence form returns: the technician's page or
// the work order's page.
func backOf(v url.Values, workOrderID string) string {
	if b := v.Get("back"); b == "/my-work" {
		return b
	}
	return "/work-orders/" + url.PathEscape(workOrderID)
}

// afterEvidence answers a form about evidence: back with a message; on
// the technician's page an error comes back as the message too (the
// page has many forms), on the work order page with the form open.
func (s *Server) afterEvidence(w http.ResponseWriter, r *http.Request, workOrderID, back, open, msg string, err error, args ...any) error {
	if err == nil {
		s.flash(r.Context(), s.cat.translate(s.lang(r), msg, args...))
		return redirect(w, r, back)
	}
	if back == "/my-work" {
		if k := apperr.KindOf(err); k == apperr.KindTooLarge {
			err = apperr.Invalid("file", errMessage(err))
		}
		if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindConflict {
			return err
		}
		p, derr := s.myWorkData(r)
		if derr != nil {
			return derr
		}
		return s.formError(w, r, err, &p.Page, "my_work", p)
	}
	return s.afterWorkOrderAction(w, r, workOrderID, open, msg, err)
}

// wantsJSON: the upload came from the page's script (one file per
// request, answered as JSON for its progress list).
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// evidenceUpload takes the files of an upload form: kind, slot,
// watermark_confirmed and one or more files. Without JS every file of
// the form is uploaded and the errors listed per file; the page's script
// posts one file at a time and reads the answer as JSON.
func (s *Server) evidenceUpload(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	r.Body = http.MaxBytesReader(w, r.Body, (s.MaxUpload+1<<20)*maxUploadFiles)
	perr := r.ParseMultipartForm(32 << 20)
	if r.MultipartForm != nil {
		defer func() { _ = r.MultipartForm.RemoveAll() }()
	}
	var files []*multipart.FileHeader
	if perr == nil {
		files = r.MultipartForm.File["file"]
	}
	back := backOf(r.PostForm, id)
	fail := func(err error) error {
		if wantsJSON(r) {
			status, d := httpx.Detail(s.Log, r, err)
			httpx.WriteJSON(w, status, httpx.ErrorBody{Error: d})
			return nil
		}
		return s.afterEvidence(w, r, id, back, "upload-"+r.PostFormValue("kind")+r.PostFormValue("slot"), "", err)
	}
	switch {
	case perr != nil && strings.Contains(perr.Error(), "too large"):
		return fail(apperr.Invalid("file", "文件超过大小限制"))
	case len(files) == 0:
		return fail(apperr.Invalid("file", "请选择文件"))
	case len(files) > maxUploadFiles:
		return fail(apperr.Invalid("file", "一次最多上传 "+strconv.Itoa(maxUploadFiles)+" 个文件"))
	}
	in := fieldwork.UploadInput{Kind: r.PostFormValue("kind"), Slot: r.PostFormValue("slot"),
		WatermarkConfirmed: r.PostFormValue("watermark_confirmed") != ""}
	var failed []string
	var last *fieldwork.EvidenceFile
	for _, fh := range files {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		in.FileName = fh.Filename
		ef, err := s.Fieldwork.UploadEvidence(r.Context(), id, in, f)
		_ = f.Close()
		if err != nil {
			switch apperr.KindOf(err) {
			case apperr.KindInvalid, apperr.KindTooLarge, apperr.KindConflict:
			default:
				return fail(err)
			}
			if wantsJSON(r) {
				return fail(err)
			}
			failed = append(failed, fh.Filename+"："+errMessage(err))
			continue
		}
		last = ef
	}
	if wantsJSON(r) {
		httpx.WriteJSON(w, http.StatusCreated, last)
		return nil
	}
	if len(failed) > 0 {
		msg := strings.Join(failed, "；")
		if n := len(files) - len(failed); n > 0 {
			msg = s.cat.translate(s.lang(r), "evidence.uploaded", "N", n) + "；" + msg
		}
		return fail(apperr.Invalid("file", msg))
	}
	return s.afterEvidence(w, r, id, back, "", "evidence.uploaded", nil, "N", len(files))
}

// evidenceFile and evidenceThumbnail serve a file inline (a photo shows
// in the page); its type is the one the domain sniffed, never the
// client's.
func (s *Server) evidenceFile(w http.ResponseWriter, r *http.Request) error {
	return s.openEvidence(w, r, false)
}

func (s *Server) evidenceThumbnail(w http.ResponseWriter, r *http.Request) error {
	return s.openEvidence(w, r, true)
}

func (s *Server) openEvidence(w http.ResponseWriter, r *http.Request, thumb bool) error {
	rc, ctype, name, err := s.Fieldwork.OpenEvidence(r.Context(), r.PathValue("id"), thumb)
	if err != nil {
		return err
	}
	defer rc.Close()
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `inline; filename*=UTF-8''`+url.PathEscape(name))
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = io.Copy(w, rc)
	return err
}

func (s *Server) evidenceConfirm(w http.ResponseWriter, r *http.Request) error {
	v := postForm(r)
	woID := strings.TrimSpace(v.Get("work_order_id"))
	_, err := s.Fieldwork.ConfirmWatermark(r.Context(), r.PathValue("id"))
	if woID == "" {
		if err != nil {
			return err
		}
		return redirect(w, r, "/work-orders")
	}
	return s.afterEvidence(w, r, woID, backOf(v, woID), "", "evidence.confirmed", err)
}

func (s *Server) evidenceRemove(w http.ResponseWriter, r *http.Request) error {
	v := postForm(r)
	fid := r.PathValue("id")
	woID := strings.TrimSpace(v.Get("work_order_id"))
	err := s.Fieldwork.RemoveEvidence(r.Context(), fid, v.Get("reason"))
	if woID == "" {
		if err != nil {
			return err
		}
		return redirect(w, r, "/work-orders")
	}
	return s.afterEvidence(w, r, woID, backOf(v, woID), "remove-"+fid, "evidence.removed", err)
}

func (s *Server) workOrderGroupPost(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	v := postForm(r)
	_, err := s.Fieldwork.RecordGroupPost(r.Context(), id, version(r), v.Get("at"))
	return s.afterEvidence(w, r, id, backOf(v, id), "group_post", "accept.group_posted", err)
}

func (s *Server) workOrderPaper(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	_, err := s.Fieldwork.RecordPaperReceived(r.Context(), id, version(r), r.PostFormValue("on"))
	return s.afterWorkOrderAction(w, r, id, "paper", "accept.paper_recorded", err)
}

func (s *Server) workOrderCallback(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	v := postForm(r)
	sat, _ := strconv.Atoi(v.Get("satisfaction"))
	_, err := s.Fieldwork.RecordCallback(r.Context(), id, version(r), fieldwork.CallbackInput{At: v.Get("at"),
		Result: v.Get("result"), Satisfaction: sat})
	return s.afterWorkOrderAction(w, r, id, "callback", "accept.callback_recorded", err)
}

// workOrderAccept accepts the work; a refusal shows the page again with
// the lines not met marked and the message.
func (s *Server) workOrderAccept(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	_ = postForm(r)
	_, err := s.Fieldwork.Accept(r.Context(), id, version(r))
	unmet := fieldwork.UnmetOf(err)
	if unmet == nil {
		return s.afterWorkOrderAction(w, r, id, "accept", "accept.accepted", err)
	}
	p, derr := s.workOrderData(r, id)
	if derr != nil {
		return derr
	}
	p.Open, p.posted = "accept", r.PostForm
	if p.Ev != nil {
		for _, u := range unmet {
			p.Ev.Unmet[u.Key] = true
		}
	}
	return s.formError(w, r, err, &p.Page, "work_order", p)
}

// ---- 我的工作: the technician's page ------------------------------------------------------

// myWorkItem is one work order on the technician's page.
type myWorkItem struct {
	D  *fieldwork.WorkOrderDetail
	Ev *evidenceView
	// Today is the caller's report of today, if any (a new report
	// corrects it).
	Today *fieldwork.WorkReport
	// IsToday: planned for today.
	IsToday bool
}

type myWorkPage struct {
	Page
	enums
	Items []myWorkItem
	Today string
	Now   string
}

// ReportStatuses are the states of an end-of-day report.
func (enums) ReportStatuses() []string { return reportStatuses }

var reportStatuses = []string{fieldwork.ReportInProgress, fieldwork.ReportDone, fieldwork.ReportBlocked}

// myWorkOrders lists the open work orders sent to the caller: those they
// are a technician on, and for a supervisor those of their group that are
// out in the field; today's first.
func (s *Server) myWorkOrders(ctx context.Context, me *access.Principal, today string) ([]fieldwork.WorkOrderRow, error) {
	rows, err := s.Fieldwork.ListWorkOrders(ctx, fieldwork.WorkOrderFilter{TechnicianID: me.StaffID, Open: true, Limit: 200})
	if err != nil {
		return nil, err
	}
	if me.Has(access.MaintSupervisor) && !me.IsManagerial() {
		more, err := s.Fieldwork.ListWorkOrders(ctx, fieldwork.WorkOrderFilter{Open: true, Limit: 200,
			Statuses: []string{fieldwork.StatusDispatched, fieldwork.StatusCompleted}})
		if err != nil {
			return nil, err
		}
		for _, m := range more {
			if !slices.ContainsFunc(rows, func(r fieldwork.WorkOrderRow) bool { return r.ID == m.ID }) {
				rows = append(rows, m)
			}
		}
	}
	rows = slices.DeleteFunc(rows, func(r fieldwork.WorkOrderRow) bool {
		return r.Status != fieldwork.StatusDispatched && r.Status != fieldwork.StatusCompleted
	})
	slices.SortStableFunc(rows, func(a, b fieldwork.WorkOrderRow) int {
		at, bt := deref(a.PlannedOn) == today, deref(b.PlannedOn) == today
		switch {
		case at && !bt:
			return -1
		case bt && !at:
			return 1
		}
		return strings.Compare(deref(a.PlannedOn)+a.Number, deref(b.PlannedOn)+b.Number)
	})
	return rows, nil
}

func (s *Server) myWork(w http.ResponseWriter, r *http.Request) error {
	p, err := s.myWorkData(r)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "my_work", "", p)
}

// myWorkData builds the technician's page.
func (s *Server) myWorkData(r *http.Request) (*myWorkPage, error) {
	ctx := r.Context()
	me := access.From(ctx)
	p := &myWorkPage{Page: s.page(r, "mywork", "my_work.title"), Today: s.today(), Now: s.nowSecond()}
	p.FieldPrefixes = workFieldPrefixes
	rows, err := s.myWorkOrders(ctx, me, p.Today)
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		d, err := s.Fieldwork.GetWorkOrder(ctx, row.ID)
		if err != nil {
			if apperr.Is(err, apperr.KindNotFound) {
				continue
			}
			return nil, err
		}
		ev, err := s.evidenceOf(ctx, &p.Page, d, false, true, false, "/my-work")
		if err != nil {
			return nil, err
		}
		it := myWorkItem{D: d, Ev: ev, IsToday: deref(d.PlannedOn) == p.Today}
		reports, err := s.Fieldwork.Reports(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		for i := range reports {
			if reports[i].Day == p.Today && reports[i].StaffID == me.StaffID {
				it.Today = &reports[i]
			}
		}
		p.Items = append(p.Items, it)
	}
	return p, nil
}

// workOrderReport records the caller's end-of-day report (again the same
// day corrects it) and goes back to the technician's page.
func (s *Server) workOrderReport(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	v := postForm(r)
	_, err := s.Fieldwork.ReportDay(r.Context(), id, fieldwork.ReportInput{Status: v.Get("status"), Notes: v.Get("notes")})
	back := "/my-work"
	if v.Get("back") != "/my-work" {
		back = "/work-orders/" + url.PathEscape(id)
	}
	return s.afterEvidence(w, r, id, back, "report", "my_work.reported", err)
}

// ReportStatusText names a report's status.
func (p *Page) ReportStatusText(st string) string { return p.T("my_work.status." + st) }

// ReqStateText names a checklist line's state (met, missing, late).
func (p *Page) ReqStateText(st string) string { return p.T("accept.state." + st) }

// ReqStateClass is a checklist state's badge colour: green met, red
// missing, orange late.
func (p *Page) ReqStateClass(st string) string {
	switch st {
	case fieldwork.Met:
		return "bg-green text-green-fg"
	case fieldwork.Late:
		return "bg-orange text-orange-fg"
	}
	return "bg-red text-red-fg"
}

// reqStates are the states a checklist line may be in.
var reqStates = []string{fieldwork.Met, fieldwork.Missing, fieldwork.Late}

// Today is the company's today (the paper original's default day).
func (p *workOrderPage) Today() string { return p.srv.today() }
