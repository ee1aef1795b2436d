package fieldwork

// The standard WeChat group messages of 附件一 §5 (客服部验收标准): with the
// photos and the sheet, the group receives a short statement in the
// company's words. The platform fills them with the work order's facts,
// ready to copy; what only the people on site know (the anomaly found,
// the cause of the fault) is left as a marked blank 【…】 to fill in.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"kefu/internal/schedule"
)

// GroupMessage is one message ready to paste into the customer's group.
type GroupMessage struct {
	Key   string `json:"key"`
	Title string `json:"title"`
	Text  string `json:"text"`
}

// MessageFacts are the facts of a work order a message states.
type MessageFacts struct {
	Type        string
	Customer    string
	Equipment   string
	Parts       []string
	Content     string
	Technicians []string
	// Day is the work day (YYYY-MM-DD): the completion day, else the
	// planned day.
	Day string
	// CompletedAt is the completion; nil while not completed.
	CompletedAt *time.Time
	// Mode is the mode a seasonal maintenance switched the unit to
	// (制冷 / 供暖); "" leaves a blank.
	Mode string
}

// Blanks left for the sender to fill.
const (
	blankAnomaly = "【请填写异常现象】"
	blankFault   = "【请填写可能导致的故障】"
	blankCause   = "【请填写故障原因】"
	blankMode    = "【制冷/供暖】"
)

// StandardMessages are the group messages of 附件一 §5 for the facts f:
// an inspection the two variants (nothing found; something found and
// fixed), seasonal maintenance the mode switch with before/after photos,
// a fault repair the cause and the recovery; construction and other work
// a statement in the same words. Each is the standard sentence followed
// by the work order's facts (customer, date, equipment and parts,
// content, technicians, completion), in the company zone loc.
func StandardMessages(f MessageFacts, loc *time.Location) []GroupMessage {
	unit := strings.TrimSpace(f.Equipment)
	if unit == "" {
		unit = "机组"
	}
	var out []GroupMessage
	add := func(key, title, sentence string) {
		out = append(out, GroupMessage{Key: key, Title: title, Text: sentence + "\n" + factLines(f, loc)})
	}
	switch f.Type {
	case TypeInspection:
		add("inspection_normal", "巡检完成（未发现异常）",
			fmt.Sprintf("尊敬的各位领导，本月对贵单位%s巡检工作已完成，在本次巡检中，未发现机组异常现象，各项参数正常，运行效果良好。", unit))
		add("inspection_fixed", "巡检完成（发现隐患已处理）",
			fmt.Sprintf("尊敬的各位领导，本月对贵单位%s巡检工作已完成，在本次巡视中，发现机组有%s现象，将导致机组出现%s故障，现经过维修调整，隐患已消除，机组运行正常，各项参数正常，运行效果良好。",
				unit, blankAnomaly, blankFault))
	case TypeSeasonal:
		mode := f.Mode
		if mode == "" {
			mode = blankMode
		}
		add("seasonal", "换季保养完成",
			fmt.Sprintf("尊敬的各位领导，我司已按合同约定对贵单位%s进行了换季保养工作，机组已切换至%s模式，现将保养前后对比照片发布如下，请各位领导查阅。", unit, mode))
	case TypeRepair:
		add("repair", "故障维修完成",
			fmt.Sprintf("尊敬的各位领导，本次%s产生故障的原因是%s，现已维修完毕，各项参数显示正常，恢复正常运行，如后续再有其他故障，请及时在本群报修。", unit, blankCause))
	default:
		what := "施工"
		if f.Type != TypeConstruction {
			what = "服务"
		}
		add(f.Type, what+"完成",
			fmt.Sprintf("尊敬的各位领导，我司已按合同约定完成贵单位%s的%s工作，现将%s前后对比照片及单据发布如下，请各位领导查阅。", unit, what, what))
	}
	return out
}

func factLines(f MessageFacts, loc *time.Location) string {
	var b strings.Builder
	line := func(label, v string) {
		if v = strings.TrimSpace(v); v != "" {
			b.WriteString(label + "：" + v + "\n")
		}
	}
	line("客户", f.Customer)
	if d, err := time.Parse(time.DateOnly, f.Day); err == nil {
		line("日期", chineseDate(d))
	}
	equipment := strings.TrimSpace(f.Equipment)
	if len(f.Parts) > 0 {
		equipment = strings.TrimSpace(equipment + "（保养部位：" + strings.Join(f.Parts, "、") + "）")
	}
	line("设备", equipment)
	line("工作内容", f.Content)
	line("施工人员", strings.Join(f.Technicians, "、"))
	if f.CompletedAt != nil {
		t := f.CompletedAt.In(loc)
		line("完工时间", chineseDate(t)+" "+t.Format("15:04"))
	} else {
		line("完工情况", "未完工")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func chineseDate(t time.Time) string {
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// SeasonMode is the mode seasonal maintenance on day switches the units
// to (换季): that of the next season to start, counting a season as still
// to start until LeadDays after its first day (a visit a little late is
// still its changeover) — 制冷 or 供暖. The schedule plans seasonal visits
// the same way, before each season; the sender can still edit the text.
func SeasonMode(seasons schedule.Seasons, day time.Time) string {
	if seasons == (schedule.Seasons{}) {
		seasons = schedule.DefaultSeasons()
	}
	from := time.Date(day.Year(), day.Month(), day.Day()-seasons.LeadDays, 0, 0, 0, 0, time.UTC)
	next := func(md schedule.MonthDay) time.Time {
		t := time.Date(from.Year(), md.Month, md.Day, 0, 0, 0, 0, time.UTC)
		if t.Before(from) {
			t = t.AddDate(1, 0, 0)
		}
		return t
	}
	if next(seasons.Heating).Before(next(seasons.Cooling)) {
		return "供暖"
	}
	return "制冷"
}

// GroupMessages are the standard group messages of a work order, filled
// with its facts, for whoever may see it.
func (s *Service) GroupMessages(ctx context.Context, id string) ([]GroupMessage, error) {
	d, err := s.GetWorkOrder(ctx, id)
	if err != nil {
		return nil, err
	}
	f := MessageFacts{Type: d.Type, Customer: d.CustomerName, Equipment: d.Equipment, Parts: d.Parts, Content: d.Content,
		Day: s.workDay(&d.WorkOrder), CompletedAt: d.CompletedAt}
	for _, t := range d.Technicians {
		f.Technicians = append(f.Technicians, t.Name)
	}
	if d.Type == TypeSeasonal {
		st, err := s.Settings(ctx)
		if err != nil {
			return nil, err
		}
		if day, err := time.ParseInLocation(time.DateOnly, f.Day, s.loc); err == nil {
			f.Mode = SeasonMode(st.Seasons, day)
		}
	}
	return StandardMessages(f, s.loc), nil
}
