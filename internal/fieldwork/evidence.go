package fieldwork

// Acceptance evidence (SPEC §6.4, 附件一): the photos of each slot and the
// signed sheet of a work order, uploaded by the maintenance group or by
// customer service. Photos are inspected, not trusted: only a complete
// JPEG or PNG is taken, its EXIF shooting time is compared with the work
// day, and a photo without a usable time counts only once its uploader
// confirms the date and place watermark (确认水印).

import (
	"bytes"
	"cmp"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/blob"
	"kefu/internal/photo"
	"kefu/internal/store"
)

// Evidence file kinds.
const (
	KindPhoto = "photo" // a photo of a slot (照片位)
	KindSheet = "sheet" // the signed sheet (验收单 / 施工记录单), a photo or a scanned PDF
)

// ThumbSide is the long side of an evidence thumbnail.
const ThumbSide = 480

// FlagSet is a photo's date flags (photo.CheckDate), stored joined by
// commas, shown as a list.
type FlagSet []string

// Value stores the flags joined.
func (f FlagSet) Value() (driver.Value, error) { return strings.Join(f, ","), nil }

// Scan reads the joined flags.
func (f *FlagSet) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("fieldwork: flags: unexpected %T", src)
	}
	*f = FlagSet{}
	if s != "" {
		*f = strings.Split(s, ",")
	}
	return nil
}

// EvidenceFile is an uploaded photo or sheet of a work order.
type EvidenceFile struct {
	ID          string `bun:"id,pk" json:"id"`
	WorkOrderID string `bun:"work_order_id" json:"work_order_id"`
	Kind        string `bun:"kind" json:"kind"`
	// Slot is the photo's Slot.Key() ("" for a sheet).
	Slot        string     `bun:"slot" json:"slot"`
	Name        string     `bun:"name" json:"name"`
	ContentType string     `bun:"content_type" json:"content_type"`
	Size        int64      `bun:"size" json:"size"`
	SHA256      string     `bun:"sha256" json:"sha256"`
	ThumbKey    string     `bun:"thumb_key" json:"-"`
	Width       int        `bun:"width" json:"width"`
	Height      int        `bun:"height" json:"height"`
	TakenAt     *time.Time `bun:"taken_at" json:"taken_at"`
	GPSLat      *float64   `bun:"gps_lat" json:"gps_lat"`
	GPSLon      *float64   `bun:"gps_lon" json:"gps_lon"`
	// Flags are photo.CheckDate's findings at upload (exif_missing,
	// not_work_day).
	Flags                FlagSet    `bun:"flags,type:text" json:"flags"`
	WatermarkConfirmed   bool       `bun:"watermark_confirmed" json:"watermark_confirmed"`
	WatermarkConfirmedBy *string    `bun:"watermark_confirmed_by" json:"watermark_confirmed_by"`
	WatermarkConfirmedAt *time.Time `bun:"watermark_confirmed_at" json:"watermark_confirmed_at"`
	UploadedBy           *string    `bun:"uploaded_by" json:"uploaded_by"`
	UploadedAt           time.Time  `bun:"uploaded_at" json:"uploaded_at"`
	RemovedAt            *time.Time `bun:"removed_at" json:"removed_at"`
	RemovedBy            *string    `bun:"removed_by" json:"removed_by"`
	RemoveReason         string     `bun:"remove_reason" json:"remove_reason"`

	// SlotLabel names the slot in Chinese ("冷凝器 施工前").
	SlotLabel string `bun:"-" json:"slot_label"`
	// DateOK: the EXIF shooting time is on the work order's work day now.
	DateOK bool `bun:"-" json:"date_ok"`
	// Counts: a photo that counts for its slot (date ok or watermark
	// confirmed); a sheet always counts. Removed files never count.
	Counts bool `bun:"-" json:"counts"`

	bun.BaseModel `bun:"table:work_order_files,alias:f"`
}

// UploadInput describes an upload.
type UploadInput struct {
	Kind     string `json:"kind"` // photo / sheet
	Slot     string `json:"slot"` // a photo's Slot.Key(), one of Slots(type, parts)
	FileName string `json:"file_name"`
	// WatermarkConfirmed: the uploader confirms the photo shows the date
	// and place watermark (needed when its EXIF time is missing or not the
	// work day).
	WatermarkConfirmed bool `json:"watermark_confirmed"`
}

// workDay is the day the work was done, for the photos' dates: the
// completion day when completed, else the planned day, else today.
func (s *Service) workDay(w *WorkOrder) string {
	switch {
	case w.CompletedAt != nil:
		return w.CompletedAt.In(s.loc).Format(time.DateOnly)
	case w.PlannedOn != nil:
		return *w.PlannedOn
	}
	return s.now().In(s.loc).Format(time.DateOnly)
}

// mayHandleEvidence: the customer's specialist or a manager
// (asDispatcher), or the group's supervisor or an assigned technician
// (asField).
func mayHandleEvidence(p *access.Principal, w *WorkOrder, techs []string) error {
	if asDispatcher(p, w, techs) == nil || asField(p, w, techs) == nil {
		return nil
	}
	return apperr.Forbidden("只有该客户的客服专员、客服经理、项目组主管或派工的技术人员可以处理验收资料")
}

func evidenceOpen(w *WorkOrder) error {
	switch w.Status {
	case StatusAccepted:
		return apperr.Invalid("status", "派工单已验收，验收资料不能再更改")
	case StatusCancelled:
		return apperr.Invalid("status", "派工单已取消，不能再上传或更改验收资料")
	}
	return nil
}

// lockWorkOrder loads the work order and its technicians in tx, holding
// its row (PostgreSQL) so an upload and an acceptance do not interleave.
// The version is not bumped: evidence is not an edit of the order.
func lockWorkOrder(ctx context.Context, tx bun.IDB, id string) (*WorkOrder, []string, error) {
	if _, err := tx.NewRaw("UPDATE work_orders SET version = version WHERE id = ?", id).Exec(ctx); err != nil {
		return nil, nil, err
	}
	w, err := getWorkOrder(ctx, tx, id)
	if err != nil {
		return nil, nil, err
	}
	techs, err := technicianIDs(ctx, tx, id)
	if err != nil {
		return nil, nil, err
	}
	return w, techs, nil
}

// checkUpload checks that p may upload in to w.
func checkUpload(p *access.Principal, w *WorkOrder, techs []string, in UploadInput) error {
	if err := mayHandleEvidence(p, w, techs); err != nil {
		return err
	}
	if err := evidenceOpen(w); err != nil {
		return err
	}
	if in.Kind == KindPhoto && !slices.ContainsFunc(Slots(w.Type, w.Parts), func(s Slot) bool { return s.Key() == in.Slot }) {
		var keys []string
		for _, s := range Slots(w.Type, w.Parts) {
			keys = append(keys, slotLabel(s))
		}
		if len(keys) == 0 {
			return apperr.Invalid("slot", "该类型的派工单不需要验收照片")
		}
		return apperr.Invalid("slot", "照片位不在本派工单的要求中（应为："+strings.Join(keys, "、")+"）")
	}
	return nil
}

// UploadEvidence stores a photo of a slot or the signed sheet of a work
// order. The caller is the customer's specialist or a manager, or the
// group's supervisor or an assigned technician; the order must not be
// accepted or cancelled. A photo must be a complete JPEG or PNG (a sheet
// may also be a PDF scan) within the size limit; a shooting time in the
// future is refused; a missing shooting time or one on another day than
// the work day is kept with its flags and counts once the watermark is
// confirmed (here or with ConfirmWatermark).
func (s *Service) UploadEvidence(ctx context.Context, workOrderID string, in UploadInput, r io.Reader) (*EvidenceFile, error) {
	p := access.Caller(ctx)
	name, err := blob.CleanFileName(in.FileName)
	if err != nil {
		return nil, err
	}
	switch in.Kind {
	case KindPhoto:
	case KindSheet:
		in.Slot = ""
	default:
		return nil, apperr.Invalid("kind", "文件类别只能是照片（photo）或单据（sheet）")
	}
	if s.blobs == nil {
		return nil, errors.New("fieldwork: no blob store configured")
	}
	// Check before reading a byte, so a caller without the right spends
	// nothing; checked again in the transaction.
	w, err := getWorkOrder(ctx, s.db.R(), workOrderID)
	if err != nil {
		return nil, err
	}
	techs, err := technicianIDs(ctx, s.db.R(), workOrderID)
	if err != nil {
		return nil, err
	}
	if err := checkUpload(p, w, techs, in); err != nil {
		return nil, err
	}

	limit := s.maxPhotoBytes
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("fieldwork: read upload: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, apperr.TooLarge("file", "文件超过 "+mbText(limit)+" 的上限")
	}
	now := store.Time(s.now())
	f := &EvidenceFile{ID: store.NewID(), WorkOrderID: workOrderID, Kind: in.Kind, Slot: in.Slot, Name: name,
		Size: int64(len(data)), Flags: FlagSet{}, UploadedBy: optional(p.StaffID), UploadedAt: now}
	var thumb []byte
	if in.Kind == KindSheet && blob.Sniff(data[:min(len(data), 512)]) == "application/pdf" {
		f.ContentType = "application/pdf" // a scanned sheet: no EXIF, no thumbnail
	} else {
		ph, err := photo.Inspect(bytes.NewReader(data), limit)
		if err != nil {
			return nil, err
		}
		flags, err := photo.CheckDate(ph.Info, s.workDay(w), s.loc, now)
		if err != nil {
			return nil, err
		}
		taken, hasTaken := ph.TakenIn(s.loc)
		if photo.Refused(flags) {
			return nil, apperr.Invalid("file", "照片拍摄时间 "+taken.In(s.loc).Format("2006-01-02 15:04")+" 晚于现在，请检查相机时间后重拍")
		}
		for _, fl := range flags {
			f.Flags = append(f.Flags, string(fl))
		}
		if hasTaken {
			t := store.Time(taken)
			f.TakenAt = &t
		}
		if ph.HasGPS && !math.IsNaN(ph.Lat) && !math.IsNaN(ph.Long) {
			f.GPSLat, f.GPSLon = &ph.Lat, &ph.Long
		}
		f.ContentType = ph.Format
		f.Width, f.Height = ph.DisplaySize()
		th, err := ph.Thumbnail(ThumbSide)
		if err != nil {
			return nil, err
		}
		thumb = th.JPEG
	}
	if in.WatermarkConfirmed {
		f.WatermarkConfirmed, f.WatermarkConfirmedBy, f.WatermarkConfirmedAt = true, optional(p.StaffID), &now
	}

	// The bytes go to the blob store first (content-addressed: written to
	// a temporary file, synced, then renamed under its key), then the row
	// in a transaction. A file is never half-stored: if the transaction
	// fails, the blob is an orphan nobody refers to, which is harmless (the
	// same content uploaded again finds it under the same key).
	if f.SHA256, _, err = s.blobs.Put(ctx, bytes.NewReader(data), limit); err != nil {
		return nil, fmt.Errorf("fieldwork: store upload: %w", err)
	}
	if thumb != nil {
		if f.ThumbKey, _, err = s.blobs.Put(ctx, bytes.NewReader(thumb), int64(len(thumb))); err != nil {
			return nil, fmt.Errorf("fieldwork: store thumbnail: %w", err)
		}
	}
	err = s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		w, techs, err := lockWorkOrder(ctx, tx, workOrderID)
		if err != nil {
			return err
		}
		if err := checkUpload(p, w, techs, in); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(f).Exec(ctx); err != nil {
			return err
		}
		what := "单据"
		if f.Kind == KindPhoto {
			what = "照片（" + slotLabelOf(f.Slot) + "）"
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: "upload_evidence", Entity: "work_order", EntityID: workOrderID,
			Summary: "上传验收" + what + " " + name + " " + w.Number, After: f})
	})
	if err != nil {
		return nil, err
	}
	s.db.Changed("work_order", workOrderID)
	s.annotate(f, w)
	return f, nil
}

func mbText(n int64) string {
	return strconv.FormatFloat(math.Round(float64(n)*10/(1<<20))/10, 'f', -1, 64) + " MB"
}

// slotLabelOf names a slot key ("冷凝器/before").
func slotLabelOf(key string) string {
	i := strings.LastIndex(key, "/")
	if i < 0 {
		return key
	}
	return slotLabel(Slot{Part: key[:i], Stage: key[i+1:]})
}

// annotate fills the computed fields of f for work order w.
func (s *Service) annotate(f *EvidenceFile, w *WorkOrder) {
	if f.Kind == KindPhoto {
		f.SlotLabel = slotLabelOf(f.Slot)
	}
	f.DateOK = f.TakenAt != nil && f.TakenAt.In(s.loc).Format(time.DateOnly) == s.workDay(w)
	f.Counts = f.RemovedAt == nil && (f.Kind == KindSheet || f.DateOK || f.WatermarkConfirmed)
}

// files loads the work order's files not removed, in slot order, then by
// upload time.
func (s *Service) files(ctx context.Context, db bun.IDB, w *WorkOrder) ([]EvidenceFile, error) {
	out := []EvidenceFile{}
	if err := db.NewSelect().Model(&out).Where("work_order_id = ? AND removed_at IS NULL", w.ID).Scan(ctx); err != nil {
		return nil, err
	}
	order := map[string]int{}
	for i, sl := range Slots(w.Type, w.Parts) {
		order[sl.Key()] = i
	}
	rank := func(f EvidenceFile) int {
		if f.Kind == KindSheet {
			return len(order) + 1
		}
		if i, ok := order[f.Slot]; ok {
			return i
		}
		return len(order) // a slot no longer required (parts changed)
	}
	slices.SortStableFunc(out, func(a, b EvidenceFile) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), a.UploadedAt.Compare(b.UploadedAt), cmp.Compare(a.ID, b.ID))
	})
	for i := range out {
		s.annotate(&out[i], w)
	}
	return out, nil
}

// ListEvidence lists a work order's photos and sheets (not removed), for
// whoever may see the work order.
func (s *Service) ListEvidence(ctx context.Context, workOrderID string) ([]EvidenceFile, error) {
	d, err := s.GetWorkOrder(ctx, workOrderID)
	if err != nil {
		return nil, err
	}
	return s.files(ctx, s.db.R(), &d.WorkOrder)
}

// OpenEvidence returns the content of a file (or its JPEG thumbnail), its
// content type and a file name, for whoever may see the work order. A PDF
// sheet has no thumbnail (NotFound).
func (s *Service) OpenEvidence(ctx context.Context, fileID string, thumb bool) (rc io.ReadCloser, contentType, name string, err error) {
	f := new(EvidenceFile)
	if err := s.db.R().NewSelect().Model(f).Where("id = ?", fileID).Scan(ctx); err != nil {
		return nil, "", "", notFoundAs(err, apperr.NotFound("file"))
	}
	if _, err := s.GetWorkOrder(ctx, f.WorkOrderID); err != nil {
		if apperr.Is(err, apperr.KindNotFound) {
			return nil, "", "", apperr.NotFound("file")
		}
		return nil, "", "", err
	}
	if s.blobs == nil {
		return nil, "", "", errors.New("fieldwork: no blob store configured")
	}
	key, contentType, name := f.SHA256, f.ContentType, f.Name
	if thumb {
		if f.ThumbKey == "" {
			return nil, "", "", apperr.NotFound("thumbnail")
		}
		key, contentType = f.ThumbKey, photo.JPEG
		name = strings.TrimSuffix(name, filepath.Ext(name)) + "_缩略图.jpg"
	}
	rc, err = s.blobs.Open(ctx, key)
	if err != nil {
		return nil, "", "", fmt.Errorf("fieldwork: open evidence %s: %w", fileID, err)
	}
	return rc, contentType, name, nil
}

// changeFile runs fn on file id and its (locked) work order in one
// transaction, with an audit entry; refused once the order is accepted
// or cancelled, and on a removed file.
func (s *Service) changeFile(ctx context.Context, id, action string,
	allowed func(p *access.Principal, f *EvidenceFile, w *WorkOrder, techs []string) error,
	fn func(p *access.Principal, f *EvidenceFile, now time.Time) (string, error)) (*EvidenceFile, error) {
	p := access.Caller(ctx)
	now := store.Time(s.now())
	f := new(EvidenceFile)
	var w *WorkOrder
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(f).Where("id = ?", id).Scan(ctx); err != nil {
			return notFoundAs(err, apperr.NotFound("file"))
		}
		var techs []string
		var err error
		if w, techs, err = lockWorkOrder(ctx, tx, f.WorkOrderID); err != nil {
			return err
		}
		if err := allowed(p, f, w, techs); err != nil {
			return err
		}
		if err := evidenceOpen(w); err != nil {
			return err
		}
		if f.RemovedAt != nil {
			return apperr.Conflict("removed_at", "该文件已删除")
		}
		before := *f
		summary, err := fn(p, f, now)
		if err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model(f).Column("watermark_confirmed", "watermark_confirmed_by", "watermark_confirmed_at",
			"removed_at", "removed_by", "remove_reason").Where("id = ?", f.ID).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Change{Action: action, Entity: "work_order", EntityID: w.ID,
			Summary: summary + " " + f.Name + " " + w.Number, Before: &before, After: f})
	})
	if err != nil {
		return nil, err
	}
	s.db.Changed("work_order", w.ID)
	s.annotate(f, w)
	return f, nil
}

// ConfirmWatermark records that a photo shows its date and place
// watermark (确认水印), so a photo without an EXIF time on the work day
// counts: its uploader, the customer's specialist or a manager confirms.
func (s *Service) ConfirmWatermark(ctx context.Context, fileID string) (*EvidenceFile, error) {
	allowed := func(p *access.Principal, f *EvidenceFile, w *WorkOrder, _ []string) error {
		if (p.StaffID != "" && f.UploadedBy != nil && *f.UploadedBy == p.StaffID) || (p.Can(access.WorkDispatch) && owns(p, w.OwnerID)) {
			return nil
		}
		return apperr.Forbidden("只有上传人、该客户的客服专员或客服经理可以确认水印")
	}
	return s.changeFile(ctx, fileID, "confirm_watermark", allowed, func(p *access.Principal, f *EvidenceFile, now time.Time) (string, error) {
		if f.Kind != KindPhoto {
			return "", apperr.Invalid("kind", "只有照片需要确认水印")
		}
		if f.WatermarkConfirmed {
			return "", apperr.Conflict("watermark_confirmed", "已确认水印")
		}
		f.WatermarkConfirmed, f.WatermarkConfirmedBy, f.WatermarkConfirmedAt = true, optional(p.StaffID), &now
		return "确认照片日期地点水印", nil
	})
}

// RemoveEvidence marks a file removed (a wrong or unclear photo), with a
// reason; it is kept for the record but no longer counts. Whoever may
// upload may remove, until the order is accepted.
func (s *Service) RemoveEvidence(ctx context.Context, fileID, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return apperr.Invalid("reason", "请写明删除原因")
	}
	if len([]rune(reason)) > 500 {
		return apperr.Invalid("reason", "删除原因最多 500 字")
	}
	allowed := func(p *access.Principal, _ *EvidenceFile, w *WorkOrder, techs []string) error {
		return mayHandleEvidence(p, w, techs)
	}
	_, err := s.changeFile(ctx, fileID, "remove_evidence", allowed, func(p *access.Principal, f *EvidenceFile, now time.Time) (string, error) {
		f.RemovedAt, f.RemovedBy, f.RemoveReason = &now, optional(p.StaffID), reason
		return "删除验收资料（" + reason + "）", nil
	})
	return err
}
