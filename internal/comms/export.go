package comms

import (
	"context"
	"fmt"
	"strings"
)

// Sheet is a table for an XLSX export.
type Sheet struct {
	Headers []string
	Rows    [][]string
}

var channelNames = map[string]string{"wechat_group": "微信群", "wechat_private": "微信私聊", "phone_in": "来电", "phone_out": "去电",
	"phone_missed": "未接来电", "chat": "在线咨询", "visit": "来访/上门", "email": "邮件", "sms": "短信", "other": "其他"}

var sourceNames = map[string]string{SourceUI: "界面", SourceAPI: "接口", SourceImport: "导入"}

// RecordsSheet is the filtered communication records as a table (up to
// 100,000, newest first).
func (s *Service) RecordsSheet(ctx context.Context, f Filter) (*Sheet, error) {
	sh := &Sheet{Headers: []string{"时间", "渠道", "方向", "客户", "联系人", "号码/微信", "会话", "员工", "摘要", "标签", "时长(秒)", "来源", "外部编号"}}
	f.Limit, f.After = 500, ""
	for {
		page, err := s.List(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, v := range page.Items {
			dir := "客户→我方"
			if v.Direction == "out" {
				dir = "我方→客户"
			}
			dur := ""
			if v.DurationS != nil {
				dur = fmt.Sprint(*v.DurationS)
			}
			ext := ""
			if v.ExternalID != nil {
				ext = *v.ExternalID
			}
			sh.Rows = append(sh.Rows, []string{v.OccurredAt.In(s.loc).Format("2006-01-02 15:04:05"), channelNames[v.Channel], dir, v.CustomerName,
				v.ContactName, v.Counterpart, v.Conversation, v.StaffName, v.Summary, strings.Join(v.Tags, "、"), dur, sourceNames[v.Source], ext})
		}
		if page.Next == "" || len(sh.Rows) >= 100000 {
			break
		}
		f.After = page.Next
	}
	return sh, nil
}
