package api

import (
	"io"
	"net/http"
	"net/url"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/fieldwork"
	"kefu/internal/httpx"
)

// Acceptance of field work (验收, SPEC §6.4, seed 000 附件一): evidence
// photos by slot and the signed sheet, the group post, the paper original,
// the callback, the checklist and the acceptance that is refused while
// anything is missing; the three standard group messages.

func (s *Server) acceptRoutes() []route {
	return []route{
		{Pattern: "GET /api/v1/work-orders/{id}/evidence", Perm: access.WorkRead, Handle: s.listEvidence,
			Doc: op{Tag: "fieldwork", Zh: "派工单的验收照片与单据", En: "A work order's evidence photos and sheets", Resp: fieldwork.EvidenceFile{}, Shape: shapeList}},
		{Pattern: "POST /api/v1/work-orders/{id}/evidence", Perm: access.WorkRead, Handle: s.uploadEvidence,
			Doc: op{Tag: "fieldwork", Zh: "上传验收照片或单据（分管客服、项目组主管或派工技术人员）", En: "Upload an evidence photo or the sheet (the specialist, the group's supervisor or a technician sent)",
				Form: []param{
					{Name: "file", Type: "file", Required: true, Zh: "照片（JPEG/PNG，默认不超过 15 MB）；单据也可为 PDF 扫描件", En: "the photo (JPEG/PNG, 15 MB by default); a sheet may also be a PDF scan"},
					{Name: "kind", Required: true, Zh: "photo 照片或 sheet 单据（验收单/施工记录单）", En: "photo or sheet (acceptance sheet / construction record)", Enum: []string{fieldwork.KindPhoto, fieldwork.KindSheet}},
					{Name: "slot", Zh: "照片位置，如 /before、冷却塔/after、/params（见派工单的 slots）", En: "the photo's slot such as /before, 冷却塔/after, /params"},
					{Name: "watermark_confirmed", Type: "boolean", Zh: "上传人确认照片带日期地点水印（EXIF 无拍摄时间或不是施工当天时必需）", En: "the uploader confirms the date and place watermark (needed when EXIF has no shooting time or another day)"},
				},
				Resp: fieldwork.EvidenceFile{}, Status: http.StatusCreated,
				Desc: "非图片、损坏、超限、EXIF 时间在未来、已验收或已取消的派工单均拒绝；文件名中的路径被去掉。 " +
					"Refused: not an image, corrupt, over the limit, an EXIF time in the future, an accepted or cancelled work order; paths in file names are dropped."}},
		{Pattern: "GET /api/v1/evidence/{id}", Perm: access.WorkRead, Handle: s.evidenceFile,
			Doc: op{Tag: "fieldwork", Zh: "下载验收照片或单据原件", En: "Download an evidence file", Binary: true}},
		{Pattern: "GET /api/v1/evidence/{id}/thumbnail", Perm: access.WorkRead, Handle: s.evidenceThumbnail,
			Doc: op{Tag: "fieldwork", Zh: "验收照片缩略图（JPEG，长边 480）", En: "An evidence photo's thumbnail (JPEG, 480 px on the long side)", Binary: true}},
		{Pattern: "POST /api/v1/evidence/{id}/confirm-watermark", Perm: access.WorkRead, Handle: s.confirmWatermark,
			Doc: op{Tag: "fieldwork", Zh: "确认照片带日期地点水印", En: "Confirm a photo's date and place watermark", Resp: fieldwork.EvidenceFile{}}},
		{Pattern: "POST /api/v1/evidence/{id}/remove", Perm: access.WorkRead, Handle: s.removeEvidence,
			Doc: op{Tag: "fieldwork", Zh: "撤下照片或单据（验收前，须写原因；记录保留）", En: "Remove an evidence file (before acceptance, with a reason; the record is kept)", Body: reasonInput{}, Status: http.StatusNoContent}},
		{Pattern: "POST /api/v1/work-orders/{id}/group-post", Perm: access.WorkRead, Handle: s.groupPost,
			Doc: op{Tag: "fieldwork", Zh: "登记照片和单据已发客户服务微信群", En: "Record the photos and sheet posted to the customer's WeChat group", Body: groupPostInput{}, Resp: fieldwork.WorkOrderDetail{}}},
		{Pattern: "POST /api/v1/work-orders/{id}/paper", Perm: access.WorkDispatch, Handle: s.paperReceived,
			Doc: op{Tag: "fieldwork", Zh: "登记单据原件已交客服中心", En: "Record the paper original handed to customer service", Body: paperInput{}, Resp: fieldwork.WorkOrderDetail{}}},
		{Pattern: "POST /api/v1/work-orders/{id}/callback", Perm: access.WorkDispatch, Handle: s.workCallback,
			Doc: op{Tag: "fieldwork", Zh: "验收前回访（结果与满意度 1–5）", En: "The callback before acceptance (result and satisfaction 1–5)", Body: workCallbackInput{}, Resp: fieldwork.WorkOrderDetail{}}},
		{Pattern: "GET /api/v1/work-orders/{id}/checklist", Perm: access.WorkRead, Handle: s.checklist,
			Doc: op{Tag: "fieldwork", Zh: "验收核对表（每项 met / missing / late）", En: "The acceptance checklist (each line met, missing or late)", Resp: fieldwork.Requirement{}, Shape: shapeList}},
		{Pattern: "POST /api/v1/work-orders/{id}/accept", Perm: access.WorkDispatch, Handle: s.acceptWorkOrder,
			Doc: op{Tag: "fieldwork", Zh: "验收（缺一不可：有未满足项时拒绝并列出）", En: "Accept the work (refused, listing what is missing, while any requirement is unmet)",
				Body: versionInput{}, Resp: fieldwork.WorkOrderDetail{},
				Desc: "拒绝时返回 400，error.field 为 checklist，另有 unmet 列出未满足的核对项。 A refusal is 400 with error.field checklist and an unmet list of the requirements not met."}},
		{Pattern: "GET /api/v1/work-orders/{id}/messages", Perm: access.WorkRead, Handle: s.groupMessages,
			Doc: op{Tag: "fieldwork", Zh: "发群标准话术（附件一 §5，按派工单填好）", En: "The standard group messages of 附件一 §5, filled from the work order", Resp: fieldwork.GroupMessage{}, Shape: shapeList}},
	}
}

// groupPostInput: when the photos and sheet went to the group (default now).
type groupPostInput struct {
	Version       *int64 `json:"version"`
	GroupPostedAt string `json:"group_posted_at"`
}

// paperInput: the day the original was received (YYYY-MM-DD, default
// today).
type paperInput struct {
	Version         *int64 `json:"version"`
	PaperReceivedOn string `json:"paper_received_on"`
}

type workCallbackInput struct {
	Version *int64 `json:"version"`
	fieldwork.CallbackInput
}

// acceptRefusal is a refused acceptance: the error and the lines unmet.
type acceptRefusal struct {
	Error httpx.ErrorDetail       `json:"error"`
	Unmet []fieldwork.Requirement `json:"unmet"`
}

func (s *Server) listEvidence(w http.ResponseWriter, r *http.Request) error {
	fs, err := s.Fieldwork.ListEvidence(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, items(fs))
}

func (s *Server) uploadEvidence(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, s.MaxUpload); err != nil {
		return err
	}
	file, name, err := formFile(r)
	if err != nil {
		return err
	}
	defer file.Close()
	confirmed, err := formBool(r, "watermark_confirmed", false)
	if err != nil {
		return err
	}
	f, err := s.Fieldwork.UploadEvidence(r.Context(), r.PathValue("id"), fieldwork.UploadInput{Kind: r.FormValue("kind"),
		Slot: r.FormValue("slot"), FileName: name, WatermarkConfirmed: confirmed}, file)
	if err != nil {
		return err
	}
	return created(w, f)
}

func (s *Server) evidenceFile(w http.ResponseWriter, r *http.Request) error {
	return s.openEvidence(w, r, false)
}

func (s *Server) evidenceThumbnail(w http.ResponseWriter, r *http.Request) error {
	return s.openEvidence(w, r, true)
}

// openEvidence serves an evidence file inline (photos show in pages); its
// type is one the domain sniffed (JPEG, PNG or PDF), never the client's.
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

func (s *Server) confirmWatermark(w http.ResponseWriter, r *http.Request) error {
	f, err := s.Fieldwork.ConfirmWatermark(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, f)
}

func (s *Server) removeEvidence(w http.ResponseWriter, r *http.Request) error {
	var in reasonInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := s.Fieldwork.RemoveEvidence(r.Context(), r.PathValue("id"), in.Reason); err != nil {
		return err
	}
	return noContent(w)
}

func (s *Server) groupPost(w http.ResponseWriter, r *http.Request) error {
	var in groupPostInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	d, err := s.Fieldwork.RecordGroupPost(r.Context(), r.PathValue("id"), v, in.GroupPostedAt)
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (s *Server) paperReceived(w http.ResponseWriter, r *http.Request) error {
	var in paperInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	d, err := s.Fieldwork.RecordPaperReceived(r.Context(), r.PathValue("id"), v, in.PaperReceivedOn)
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (s *Server) workCallback(w http.ResponseWriter, r *http.Request) error {
	var in workCallbackInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	d, err := s.Fieldwork.RecordCallback(r.Context(), r.PathValue("id"), v, in.CallbackInput)
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (s *Server) checklist(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Fieldwork.AcceptanceChecklist(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, items(list))
}

func (s *Server) acceptWorkOrder(w http.ResponseWriter, r *http.Request) error {
	var in versionInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := needVersion(in.Version)
	if err != nil {
		return err
	}
	d, err := s.Fieldwork.Accept(r.Context(), r.PathValue("id"), v)
	if e, isApp := apperr.As(err); isApp && fieldwork.UnmetOf(err) != nil {
		unmet := fieldwork.UnmetOf(err)
		httpx.WriteJSON(w, http.StatusBadRequest, acceptRefusal{Error: httpx.ErrorDetail{Code: string(e.Kind), Field: e.Field, Message: e.Message}, Unmet: unmet})
		return nil
	}
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (s *Server) groupMessages(w http.ResponseWriter, r *http.Request) error {
	ms, err := s.Fieldwork.GroupMessages(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, items(ms))
}
