// Package fieldwork is field work (SPEC §6): projects from contracts
// (立项), work orders dispatched to the regional maintenance groups (派工),
// their daily follow-up (工作跟进) and the acceptance of finished work
// against its evidence (验收).
//
// This file holds the acceptance rules of seed 000 附件一 (维修保养单据验收标准)
// as a pure function: the photos each type of work needs, the sheet, the
// same-day post to the customer's WeChat group, the upload within a week,
// the paper original by the 25th and the callback. 缺一不可: while any one is
// missing or late the specialist cannot accept the work, and the
// checklist says exactly which.
package fieldwork

import (
	"fmt"
	"strings"
	"time"
)

// Work order types (派工单类型).
const (
	TypeInspection   = "inspection"   // 巡检
	TypeSeasonal     = "seasonal"     // 换季保养
	TypeRepair       = "repair"       // 故障报修
	TypeConstruction = "construction" // 施工
	TypeOther        = "other"
)

// Types are the work order types.
var Types = []string{TypeInspection, TypeSeasonal, TypeRepair, TypeConstruction, TypeOther}

// Photo stages of a slot.
const (
	StageBefore = "before" // 维修/保养前
	StageDuring = "during" // 维修/保养中
	StageAfter  = "after"  // 维修/保养后
	StageParams = "params" // 运行参数
)

// Sheets (单据).
const (
	SheetAcceptance   = "acceptance_sheet"    // 验收单, signed by the customer
	SheetConstruction = "construction_record" // 施工记录单
)

// Slot is one photo a work order must show (照片位): a stage of a part of
// the equipment ("" part: the unit as a whole).
type Slot struct {
	Part  string `json:"part"`
	Stage string `json:"stage"`
}

// Key names the slot in the evidence ("冷凝器/before", "/params").
func (s Slot) Key() string { return s.Part + "/" + s.Stage }

// Slots are the photos a work order of typ needs (SPEC §6.4): an
// inspection the unit's operating parameters; seasonal maintenance each
// part before, during and after (parts: the parts the work order names,
// or the unit as a whole); a fault repair before, during and after and the
// operating parameters; construction before, during and after; other
// work none.
func Slots(typ string, parts []string) []Slot {
	stages := func(part string) []Slot {
		return []Slot{{part, StageBefore}, {part, StageDuring}, {part, StageAfter}}
	}
	switch typ {
	case TypeInspection:
		return []Slot{{"", StageParams}}
	case TypeSeasonal:
		if len(parts) == 0 {
			return stages("")
		}
		var out []Slot
		for _, p := range parts {
			out = append(out, stages(p)...)
		}
		return out
	case TypeRepair:
		return append(stages(""), Slot{"", StageParams})
	case TypeConstruction:
		return stages("")
	}
	return nil
}

// SheetOf is the sheet a work order of typ needs: the construction
// record (施工记录单) for repairs and construction, the customer-signed
// acceptance sheet (验收单) otherwise.
func SheetOf(typ string) string {
	if typ == TypeRepair || typ == TypeConstruction {
		return SheetConstruction
	}
	return SheetAcceptance
}

// Photo is an uploaded evidence photo as the rules see it.
type Photo struct {
	Slot       string    // Slot.Key()
	UploadedAt time.Time // on the platform
	// DateOK: the photo's EXIF time is on the work day; otherwise the
	// uploader must confirm the date and place watermark (水印).
	DateOK             bool
	WatermarkConfirmed bool
}

// Evidence is what is known of a work order when acceptance is asked.
type Evidence struct {
	Type  string
	Parts []string
	// CompletedAt is when the work was reported done (完工); zero while
	// it is not.
	CompletedAt time.Time
	Photos      []Photo
	// SheetUploadedAt: the sheet's photo on the platform; nil if none.
	SheetUploadedAt *time.Time
	// PostedToGroupAt: photos and sheet posted to the customer's WeChat
	// group with the standard message (发群); nil if not recorded.
	PostedToGroupAt *time.Time
	// PaperReceivedOn: the paper original handed to customer service
	// (原件交客服), a YYYY-MM-DD company day; "" if not yet.
	PaperReceivedOn string
	// Callback: done with a result and a satisfaction score (1–5).
	CallbackDone bool
	Satisfaction int
}

// Policy holds the deadlines of 附件一 §6(2).
type Policy struct {
	// UploadDays: photos and sheet on the platform within this many days
	// of completion (一周内上传平台), counted in calendar days to the end
	// of the last one.
	UploadDays int `json:"upload_days"`
	// PaperDay: the paper original is due by this day of the month (每月
	// 25日前): of the month of completion when the work was completed on
	// or before it, of the next month otherwise.
	PaperDay int `json:"paper_day"`
}

// DefaultPolicy is 附件一: a week to upload, originals by the 25th.
func DefaultPolicy() Policy { return Policy{UploadDays: 7, PaperDay: 25} }

// Requirement states of a checklist line.
const (
	Met     = "met"
	Missing = "missing"
	Late    = "late"
)

// Requirement is one line of the acceptance checklist.
type Requirement struct {
	Key    string `json:"key"`    // completed, photo:<slot>, sheet, group_post, upload_deadline, paper, callback
	Label  string `json:"label"`  // what is required, in Chinese
	State  string `json:"state"`  // met / missing / late
	Detail string `json:"detail"` // why it is not met ("" when met)
}

// PaperDue is the day the paper original of work completed on day is
// due (company days, YYYY-MM-DD).
func (p Policy) PaperDue(completed time.Time) time.Time {
	y, m, d := completed.Date()
	if d > p.PaperDay {
		m++
	}
	return time.Date(y, m, p.PaperDay, 0, 0, 0, 0, completed.Location())
}

// Checklist evaluates ev in the company zone loc as of now: one line per
// requirement, in a fixed order. Acceptance is allowed only when every
// line is met (Acceptable).
func Checklist(ev Evidence, p Policy, loc *time.Location, now time.Time) []Requirement {
	var out []Requirement
	add := func(key, label, state, detail string) {
		out = append(out, Requirement{Key: key, Label: label, State: state, Detail: detail})
	}
	done := !ev.CompletedAt.IsZero()
	day := func(t time.Time) string { return t.In(loc).Format(time.DateOnly) }
	completed := ev.CompletedAt.In(loc)
	if done {
		add("completed", "已完工", Met, "")
	} else {
		add("completed", "已完工", Missing, "维修组尚未报完工")
	}
	uploadBy := time.Date(completed.Year(), completed.Month(), completed.Day()+p.UploadDays+1, 0, 0, 0, 0, loc)
	uploadLate := func(at time.Time) bool { return done && !at.Before(uploadBy) }
	var lateUploads []string
	bySlot := map[string][]Photo{}
	for _, ph := range ev.Photos {
		bySlot[ph.Slot] = append(bySlot[ph.Slot], ph)
	}
	for _, s := range Slots(ev.Type, ev.Parts) {
		label := "照片：" + slotLabel(s)
		photos := bySlot[s.Key()]
		if len(photos) == 0 {
			add("photo:"+s.Key(), label, Missing, "未上传")
			continue
		}
		ok := false
		for _, ph := range photos {
			if ph.DateOK || ph.WatermarkConfirmed {
				ok = true
				break
			}
		}
		if !ok {
			add("photo:"+s.Key(), label, Missing, "照片时间不是施工当天或无拍摄时间，需上传人确认日期地点水印")
			continue
		}
		first := photos[0].UploadedAt
		for _, ph := range photos[1:] {
			if ph.UploadedAt.Before(first) {
				first = ph.UploadedAt
			}
		}
		if uploadLate(first) {
			lateUploads = append(lateUploads, slotLabel(s))
		}
		add("photo:"+s.Key(), label, Met, "")
	}
	sheet := SheetOf(ev.Type)
	sheetLabel := map[string]string{SheetAcceptance: "客户签字的验收单", SheetConstruction: "施工记录单"}[sheet]
	if ev.SheetUploadedAt == nil {
		add("sheet", sheetLabel, Missing, "未上传")
	} else {
		add("sheet", sheetLabel, Met, "")
		if uploadLate(*ev.SheetUploadedAt) {
			lateUploads = append(lateUploads, sheetLabel)
		}
	}
	switch {
	case ev.PostedToGroupAt == nil:
		add("group_post", "当日发客户服务微信群", Missing, "未登记发群")
	case done && day(*ev.PostedToGroupAt) != day(ev.CompletedAt):
		add("group_post", "当日发客户服务微信群", Late, fmt.Sprintf("完工 %s，发群 %s，不是当天", day(ev.CompletedAt), day(*ev.PostedToGroupAt)))
	default:
		add("group_post", "当日发客户服务微信群", Met, "")
	}
	uploadLabel := fmt.Sprintf("%d 天内上传平台", p.UploadDays)
	switch {
	case !done:
		add("upload_deadline", uploadLabel, Missing, "尚未完工")
	case len(lateUploads) > 0:
		add("upload_deadline", uploadLabel, Late, fmt.Sprintf("期限 %s，逾期上传：%s", day(uploadBy.Add(-time.Second)), strings.Join(lateUploads, "、")))
	default:
		add("upload_deadline", uploadLabel, Met, "")
	}
	paperLabel := fmt.Sprintf("原件于每月 %d 日前交客服中心", p.PaperDay)
	switch {
	case !done:
		add("paper", paperLabel, Missing, "尚未完工")
	case ev.PaperReceivedOn == "":
		due := p.PaperDue(completed).Format(time.DateOnly)
		add("paper", paperLabel, Missing, "原件未交（期限 "+due+"）")
	case ev.PaperReceivedOn > p.PaperDue(completed).Format(time.DateOnly):
		add("paper", paperLabel, Late, fmt.Sprintf("期限 %s，%s 才交", p.PaperDue(completed).Format(time.DateOnly), ev.PaperReceivedOn))
	default:
		add("paper", paperLabel, Met, "")
	}
	switch {
	case !ev.CallbackDone:
		add("callback", "回访（结果与满意度）", Missing, "未回访")
	case ev.Satisfaction < 1 || ev.Satisfaction > 5:
		add("callback", "回访（结果与满意度）", Missing, "回访未记录满意度")
	default:
		add("callback", "回访（结果与满意度）", Met, "")
	}
	return out
}

// Acceptable reports whether every line of a checklist is met, and the
// ones that are not.
func Acceptable(list []Requirement) (bool, []Requirement) {
	var not []Requirement
	for _, r := range list {
		if r.State != Met {
			not = append(not, r)
		}
	}
	return len(not) == 0, not
}

var stageLabels = map[string]string{StageBefore: "前", StageDuring: "中", StageAfter: "后", StageParams: "运行参数"}

func slotLabel(s Slot) string {
	part := s.Part
	if part == "" {
		part = "机组"
	}
	if s.Stage == StageParams {
		return part + "运行参数"
	}
	return part + " 施工" + stageLabels[s.Stage]
}
