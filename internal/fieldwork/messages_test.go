package fieldwork_test

import (
	"strings"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/fieldwork"
	"kefu/internal/schedule"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestStandardMessages(t *testing.T) {
	done := time.Date(2026, 3, 9, 16, 0, 0, 0, shanghai)
	base := fieldwork.MessageFacts{Customer: "国贸物业", Equipment: "冷水机组 1#", Content: "月度巡检", Technicians: []string{"田师傅", "谭师傅"},
		Day: "2026-03-09", CompletedAt: &done}
	facts := "客户：国贸物业\n日期：2026年3月9日\n设备：冷水机组 1#\n工作内容：月度巡检\n施工人员：田师傅、谭师傅\n完工时间：2026年3月9日 16:00"
	with := func(f func(*fieldwork.MessageFacts)) fieldwork.MessageFacts {
		m := base
		f(&m)
		return m
	}
	for _, c := range []struct {
		name  string
		facts fieldwork.MessageFacts
		want  []fieldwork.GroupMessage
	}{
		{"inspection: the two variants", with(func(m *fieldwork.MessageFacts) { m.Type = fieldwork.TypeInspection }), []fieldwork.GroupMessage{
			{Key: "inspection_normal", Title: "巡检完成（未发现异常）",
				Text: "尊敬的各位领导，本月对贵单位冷水机组 1#巡检工作已完成，在本次巡检中，未发现机组异常现象，各项参数正常，运行效果良好。\n" + facts},
			{Key: "inspection_fixed", Title: "巡检完成（发现隐患已处理）",
				Text: "尊敬的各位领导，本月对贵单位冷水机组 1#巡检工作已完成，在本次巡视中，发现机组有【请填写异常现象】现象，将导致机组出现【请填写可能导致的故障】故障，现经过维修调整，隐患已消除，机组运行正常，各项参数正常，运行效果良好。\n" + facts},
		}},
		{"seasonal maintenance with parts", with(func(m *fieldwork.MessageFacts) {
			m.Type, m.Equipment, m.Parts, m.Content, m.Mode = fieldwork.TypeSeasonal, "空调箱", []string{"过滤网", "表冷器"}, "", "制冷"
			m.Technicians = []string{"田师傅"}
		}), []fieldwork.GroupMessage{
			{Key: "seasonal", Title: "换季保养完成",
				Text: "尊敬的各位领导，我司已按合同约定对贵单位空调箱进行了换季保养工作，机组已切换至制冷模式，现将保养前后对比照片发布如下，请各位领导查阅。\n" +
					"客户：国贸物业\n日期：2026年3月9日\n设备：空调箱（保养部位：过滤网、表冷器）\n施工人员：田师傅\n完工时间：2026年3月9日 16:00"},
		}},
		{"seasonal maintenance, mode unknown", with(func(m *fieldwork.MessageFacts) { m.Type = fieldwork.TypeSeasonal }), []fieldwork.GroupMessage{
			{Key: "seasonal", Title: "换季保养完成",
				Text: "尊敬的各位领导，我司已按合同约定对贵单位冷水机组 1#进行了换季保养工作，机组已切换至【制冷/供暖】模式，现将保养前后对比照片发布如下，请各位领导查阅。\n" + facts},
		}},
		{"fault repair, not yet completed, no equipment", with(func(m *fieldwork.MessageFacts) {
			m.Type, m.Equipment, m.Content, m.CompletedAt, m.Technicians = fieldwork.TypeRepair, "", "3 号机组不制冷", nil, nil
		}), []fieldwork.GroupMessage{
			{Key: "repair", Title: "故障维修完成",
				Text: "尊敬的各位领导，本次机组产生故障的原因是【请填写故障原因】，现已维修完毕，各项参数显示正常，恢复正常运行，如后续再有其他故障，请及时在本群报修。\n" +
					"客户：国贸物业\n日期：2026年3月9日\n工作内容：3 号机组不制冷\n完工情况：未完工"},
		}},
		{"construction", with(func(m *fieldwork.MessageFacts) {
			m.Type, m.Content = fieldwork.TypeConstruction, "更换冷却塔填料"
		}), []fieldwork.GroupMessage{
			{Key: "construction", Title: "施工完成",
				Text: "尊敬的各位领导，我司已按合同约定完成贵单位冷水机组 1#的施工工作，现将施工前后对比照片及单据发布如下，请各位领导查阅。\n" +
					strings.Replace(facts, "月度巡检", "更换冷却塔填料", 1)},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := fieldwork.StandardMessages(c.facts, shanghai)
			if len(got) != len(c.want) {
				t.Fatalf("%d messages, want %d: %+v", len(got), len(c.want), got)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("message %d:\n got %+v\nwant %+v", i, got[i], c.want[i])
				}
			}
		})
	}
}

func TestSeasonMode(t *testing.T) {
	for day, want := range map[string]string{
		// Before each season, and up to 15 days (the lead) into it.
		"2026-03-09": "制冷", "2026-04-30": "制冷", "2026-05-15": "制冷", "2026-05-30": "制冷",
		"2026-05-31": "供暖", "2026-08-01": "供暖", "2026-10-31": "供暖", "2026-11-30": "供暖",
		"2026-12-01": "制冷", "2027-02-20": "制冷",
	} {
		d, _ := time.Parse(time.DateOnly, day)
		if got := fieldwork.SeasonMode(schedule.Seasons{}, d); got != want {
			t.Errorf("%s: %s, want %s", day, got, want)
		}
	}
}

func TestGroupMessagesOfAWorkOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		w := e.dispatched(fieldwork.TypeSeasonal, "冷凝器", "蒸发器")
		msgs, err := e.svc.GroupMessages(e.asTech1, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := "尊敬的各位领导，我司已按合同约定对贵单位冷水机组 1#进行了换季保养工作，机组已切换至制冷模式，现将保养前后对比照片发布如下，请各位领导查阅。\n" +
			"客户：国贸物业\n日期：2026年3月9日\n设备：冷水机组 1#（保养部位：冷凝器、蒸发器）\n工作内容：按合同保养\n施工人员：田师傅\n完工情况：未完工"
		if len(msgs) != 1 || msgs[0].Key != "seasonal" || msgs[0].Text != want {
			t.Fatalf("messages %+v\nwant text %q", msgs, want)
		}
		e.clock.Set(inMonth(3, 9, 17))
		if _, err := e.svc.CompleteWorkOrder(e.asTech1, w.ID, w.Version, "2026-03-09 16:20"); err != nil {
			t.Fatal(err)
		}
		if msgs, err = e.svc.GroupMessages(e.asSpec1, w.ID); err != nil || !strings.HasSuffix(msgs[0].Text, "完工时间：2026年3月9日 16:20") {
			t.Fatalf("after completion: %+v, %v", msgs, err)
		}
		if _, err := e.svc.GroupMessages(e.asTech2, w.ID); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("a technician not sent: %v, want not found", err)
		}
	})
}
