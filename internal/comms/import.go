package comms

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/blob"
	"kefu/internal/store"
	"kefu/internal/tabular"
)

// File kinds a communication import understands.
const (
	FilePBX    = "pbx"    // 话单: a PBX call log
	FileWeChat = "wechat" // 聊天记录: a WeChat chat export
)

var fileColumns = map[string][]tabular.Column{
	FilePBX: {
		{Key: "caller", Aliases: []string{"主叫号码", "主叫", "来电号码", "caller"}, Required: true},
		{Key: "callee", Aliases: []string{"被叫号码", "被叫", "callee"}, Required: true},
		{Key: "start", Aliases: []string{"开始时间", "呼叫时间", "通话时间", "start"}, Required: true},
		{Key: "answered", Aliases: []string{"是否接通", "接通", "answered"}, Required: true},
		{Key: "duration", Aliases: []string{"通话时长", "时长", "时长(秒)", "duration"}},
		{Key: "agent", Aliases: []string{"坐席", "坐席工号", "客服", "agent"}},
		{Key: "direction", Aliases: []string{"呼叫方向", "方向", "direction"}},
		{Key: "id", Aliases: []string{"话单编号", "通话编号", "call_id"}},
	},
	FileWeChat: {
		{Key: "conversation", Aliases: []string{"会话", "群名称", "群名", "聊天对象", "conversation"}, Required: true},
		{Key: "sender", Aliases: []string{"发送人", "发送者", "sender"}, Required: true},
		{Key: "sender_kind", Aliases: []string{"发送人类型", "身份", "sender_kind"}},
		{Key: "time", Aliases: []string{"时间", "发送时间", "time"}, Required: true},
		{Key: "text", Aliases: []string{"内容", "消息内容", "text"}},
		{Key: "chat_kind", Aliases: []string{"会话类型", "chat_kind"}},
		{Key: "id", Aliases: []string{"消息编号", "msg_id"}},
	},
}

// FileTemplate returns the headers of a kind of file.
func FileTemplate(kind string) ([]string, error) {
	cols, ok := fileColumns[kind]
	if !ok {
		return nil, apperr.NotFound("import kind")
	}
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name()
	}
	return out, nil
}

// FileExamples are example rows for a kind's template.
func FileExamples(kind string) [][]string {
	switch kind {
	case FilePBX:
		return [][]string{
			{"13800138000", "8001", "2026-03-05 09:00:05", "否", "0", "", "呼入", ""},
			{"8001", "13800138000", "2026-03-05 09:12:40", "是", "95", "lin.wen", "呼出", ""},
		}
	case FileWeChat:
		return [][]string{
			{"示例大厦物业服务群", "王经理", "客户", "2026-03-05 09:00:00", "空调不制冷", "群聊", ""},
			{"示例大厦物业服务群", "林雯", "员工", "2026-03-05 09:01:30", "收到，马上安排师傅", "群聊", ""},
		}
	}
	return nil
}

// ImportOptions choose how a file is imported.
type ImportOptions struct {
	Kind string // FilePBX or FileWeChat
	// Source names where files of this layout come from (总机话单, 企业微信
	// 导出…): its column mapping is remembered and used again.
	Source  string
	Mapping map[string]string
	DryRun  bool
	SkipBad bool
}

// ImportReport is the outcome of a file import or dry run.
type ImportReport struct {
	Kind   string `json:"kind"`
	Source string `json:"source"`
	// Headers are the file's header row in file order, blank headers
	// left out (they cannot be mapped): the choices of a column mapping.
	Headers   []string            `json:"headers"`
	Total     int                 `json:"total"`
	Created   int                 `json:"created"`
	Unchanged int                 `json:"unchanged"`
	Unmatched int                 `json:"unmatched"`
	Errors    []tabular.CellError `json:"errors"`
	Mapping   map[string]string   `json:"mapping"` // file header → column key, as used
	DryRun    bool                `json:"dry_run"`
	Applied   bool                `json:"applied"`
	Rejected  bool                `json:"rejected"`
}

// StageImport keeps an uploaded file for the dry run and the import.
func (s *Service) StageImport(ctx context.Context, r io.Reader, limit int64) (string, error) {
	if !access.Caller(ctx).Can(access.CommIngest) {
		return "", apperr.Forbidden("没有导入沟通记录的权限")
	}
	if s.blobs == nil {
		return "", errors.New("comms: no blob store configured")
	}
	key, _, err := s.blobs.Put(ctx, r, limit)
	if errors.Is(err, blob.ErrTooLarge) {
		return "", apperr.TooLarge("file", fmt.Sprintf("文件超过 %d MB", limit>>20))
	}
	return key, err
}

const sourcePrefix = "comms.import_source:"

type savedSource struct {
	Kind    string            `json:"kind"`
	Mapping map[string]string `json:"mapping"`
}

// ImportSources lists the sources whose column mapping is remembered.
func (s *Service) ImportSources(ctx context.Context) ([]string, error) {
	if !access.Caller(ctx).Can(access.CommIngest) {
		return nil, apperr.Forbidden("没有导入沟通记录的权限")
	}
	var keys []string
	if err := s.db.R().NewSelect().Table("settings").Column("key").Where("key LIKE ?", sourcePrefix+"%").Order("key").Scan(ctx, &keys); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, strings.TrimPrefix(k, sourcePrefix))
	}
	return out, nil
}

// SourceMapping returns the column mapping remembered for a source.
func (s *Service) SourceMapping(ctx context.Context, source string) (kind string, mapping map[string]string, err error) {
	var sv savedSource
	if _, err := store.GetSetting(ctx, s.db.R(), sourcePrefix+source, &sv); err != nil {
		return "", nil, err
	}
	return sv.Kind, sv.Mapping, nil
}

// Import reads a staged PBX call log or WeChat export and stores its
// records through the same path as the API (idempotent: each row gets an
// external id derived from its content, so importing the file again
// changes nothing). Bad rows are reported with row, column and reason;
// the user chooses to skip them or reject the file. The mapping used is
// remembered for the source. When the file's columns cannot be mapped
// (a required column missing, two headers read as one column), the error
// comes with a report that names only the headers, rejected, so that a
// mapping can be chosen by hand.
func (s *Service) Import(ctx context.Context, key, name string, opts ImportOptions) (*ImportReport, error) {
	p := access.Caller(ctx)
	if !p.Can(access.CommIngest) {
		return nil, apperr.Forbidden("没有导入沟通记录的权限")
	}
	opts.Source = strings.TrimSpace(opts.Source)
	if opts.Source != "" && len([]rune(opts.Source)) > 50 {
		return nil, apperr.Invalid("source", "来源名称不能超过 50 个字")
	}
	if opts.Mapping == nil && opts.Source != "" {
		kind, m, err := s.SourceMapping(ctx, opts.Source)
		if err != nil {
			return nil, err
		}
		if opts.Kind == "" {
			opts.Kind = kind
		}
		if kind == opts.Kind {
			opts.Mapping = m
		}
	}
	cols, ok := fileColumns[opts.Kind]
	if !ok {
		return nil, apperr.Invalid("kind", "文件类型须为 pbx（话单）或 wechat（微信聊天记录）")
	}
	if s.blobs == nil {
		return nil, errors.New("comms: no blob store configured")
	}
	rc, err := s.blobs.Open(ctx, key)
	if err != nil {
		return nil, apperr.Invalid("key", "暂存文件不存在，请重新上传")
	}
	defer rc.Close()
	tbl, err := tabular.Read(name, rc, tabular.Options{MaxBytes: stagedSize(rc)})
	if err != nil {
		return nil, apperr.Invalid("file", err.Error())
	}
	headers := make([]string, 0, len(tbl.Headers))
	for _, h := range tbl.Headers {
		if strings.TrimSpace(h) != "" {
			headers = append(headers, h)
		}
	}
	rep := &ImportReport{Kind: opts.Kind, Source: opts.Source, Headers: headers, Total: len(tbl.Rows), Errors: []tabular.CellError{},
		Mapping: map[string]string{}, DryRun: opts.DryRun}
	m, err := tbl.MapWith(cols, opts.Mapping)
	if err != nil {
		rep.Rejected = true
		return rep, apperr.Invalid("file", err.Error())
	}
	rep.Mapping = m.Assigned()
	staff, err := s.staffNames(ctx)
	if err != nil {
		return nil, err
	}
	ins := make([]Input, 0, len(tbl.Rows))
	lines := make([]int, 0, len(tbl.Rows))
	for _, row := range tbl.Rows {
		var in Input
		var errs tabular.Errors
		if opts.Kind == FilePBX {
			in, errs = s.pbxRow(m, row, staff)
		} else {
			in, errs = s.wechatRow(m, row, staff)
		}
		if len(errs) > 0 {
			rep.Errors = append(rep.Errors, errs...)
			continue
		}
		ins = append(ins, in)
		lines = append(lines, row.Line)
	}
	if len(rep.Errors) > 0 && !opts.SkipBad {
		rep.Rejected = true
		return rep, nil
	}
	if len(ins) == 0 {
		return rep, nil
	}
	res, err := s.ingestWith(ctx, ins, SourceImport, opts.DryRun, nil)
	var be *BatchError
	if errors.As(err, &be) {
		// Rows that pass the file checks but not the records' (a time in
		// the future, a staff login that does not exist): by row.
		bad := map[int]bool{}
		for _, it := range be.Items {
			bad[it.Index] = true
			rep.Errors = append(rep.Errors, tabular.CellError{Line: lines[it.Index], Column: headerOf(m, it.Field), Reason: it.Message})
		}
		slices.SortStableFunc(rep.Errors, func(a, b tabular.CellError) int { return a.Line - b.Line })
		if !opts.SkipBad {
			rep.Rejected = true
			return rep, nil
		}
		var good []Input
		for i, in := range ins {
			if !bad[i] {
				good = append(good, in)
			}
		}
		if len(good) == 0 {
			return rep, nil
		}
		res, err = s.ingestWith(ctx, good, SourceImport, opts.DryRun, nil)
	}
	if err != nil {
		return nil, err
	}
	for _, r := range res {
		if r.Action == "created" {
			rep.Created++
		} else {
			rep.Unchanged++
		}
		if !r.Matched {
			rep.Unmatched++
		}
	}
	if opts.DryRun {
		return rep, nil
	}
	rep.Applied = true
	if opts.Source != "" {
		if err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
			if err := store.PutSetting(ctx, tx, sourcePrefix+opts.Source, savedSource{Kind: opts.Kind, Mapping: m.Assigned()}, s.now()); err != nil {
				return err
			}
			return audit.Record(ctx, tx, s.now(), audit.Change{Action: "import", Entity: "communication",
				Summary: fmt.Sprintf("导入%s %s（来源 %s）：新增 %d，无变化 %d，错误 %d", map[string]string{FilePBX: "话单", FileWeChat: "微信聊天记录"}[opts.Kind],
					name, opts.Source, rep.Created, rep.Unchanged, len(rep.Errors))})
		}); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// stagedSize is the limit to read a staged file with: its size when the
// store tells it (the file was bounded when it was staged, by the upload
// limit, which may be set above tabular's default), else 0 (tabular's
// default).
func stagedSize(rc io.Reader) int64 {
	if f, ok := rc.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := f.Stat(); err == nil && fi.Size() > tabular.DefaultMaxBytes {
			return fi.Size()
		}
	}
	return 0
}

// headerOf names the file column that feeds a record field.
func headerOf(m *tabular.Mapping, field string) string {
	for _, k := range map[string][]string{"occurred_at": {"start", "time"}, "staff_login": {"agent", "sender"}, "counterpart": {"caller", "callee"},
		"conversation": {"conversation"}, "summary": {"text"}, "duration_s": {"duration"}}[field] {
		if m.Has(k) {
			return m.Header(k)
		}
	}
	return ""
}

// staffNames maps logins and names of staff to logins.
func (s *Service) staffNames(ctx context.Context) (map[string]string, error) {
	var rows []struct {
		Login string `bun:"login"`
		Name  string `bun:"name"`
	}
	if err := s.db.R().NewRaw("SELECT login, name FROM staff ORDER BY login").Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.Login] = r.Login
		if _, dup := out[r.Name]; !dup {
			out[r.Name] = r.Login
		}
	}
	return out, nil
}

func rowID(kind string, parts ...string) string {
	h := sha256.Sum256([]byte(kind + "\x00" + strings.Join(parts, "\x00")))
	return kind + ":" + hex.EncodeToString(h[:12])
}

// isExtension tells an internal extension (short number) from an
// outside number.
func isExtension(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 6 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// pbxRow turns a call-log row into a record: who called whom, answered or
// not (an unanswered inbound call is a missed call, 未接来电), the agent.
func (s *Service) pbxRow(m *tabular.Mapping, row tabular.Row, staff map[string]string) (Input, tabular.Errors) {
	var errs tabular.Errors
	caller, callee := m.Get(row, "caller"), m.Get(row, "callee")
	at, err := tabular.ParseDateTime(m.Get(row, "start"), s.loc)
	errs.Add(row.Line, m.Header("start"), err)
	answered, err := tabular.ParseBool(m.Get(row, "answered"))
	errs.Add(row.Line, m.Header("answered"), err)
	var dur *int64
	if v := m.Get(row, "duration"); v != "" {
		n, err := tabular.ParseInt(v)
		errs.Add(row.Line, m.Header("duration"), err)
		dur = &n
	}
	dir := ""
	switch strings.ToLower(m.Get(row, "direction")) {
	case "呼入", "来电", "in", "inbound":
		dir = "in"
	case "呼出", "去电", "out", "outbound":
		dir = "out"
	case "":
		switch {
		case isExtension(callee) && !isExtension(caller):
			dir = "in"
		case isExtension(caller) && !isExtension(callee):
			dir = "out"
		default:
			errs = append(errs, tabular.CellError{Line: row.Line, Column: m.Header("caller"), Value: caller,
				Reason: "看不出呼入还是呼出：请提供“呼叫方向”列，或让一方是分机号"})
		}
	default:
		errs = append(errs, tabular.CellError{Line: row.Line, Column: m.Header("direction"), Value: m.Get(row, "direction"), Reason: "呼叫方向应为 呼入 或 呼出"})
	}
	in := Input{OccurredAt: at.Format(time.RFC3339), DurationS: dur}
	if agent := m.Get(row, "agent"); agent != "" {
		login, ok := staff[agent]
		if !ok {
			errs = append(errs, tabular.CellError{Line: row.Line, Column: m.Header("agent"), Value: agent, Reason: "坐席不是系统中的员工（登录名或姓名）"})
		}
		in.StaffLogin = login
	}
	switch {
	case dir == "in" && answered:
		in.Channel, in.Direction, in.Counterpart = "phone_in", "in", caller
	case dir == "in":
		in.Channel, in.Direction, in.Counterpart = "phone_missed", "in", caller
	case dir == "out":
		in.Channel, in.Direction, in.Counterpart = "phone_out", "out", callee
	}
	id := m.Get(row, "id")
	if id == "" {
		id = rowID(FilePBX, caller, callee, m.Get(row, "start"), m.Get(row, "answered"))
	} else {
		id = FilePBX + ":" + id
	}
	in.ExternalID = id
	return in, errs
}

// wechatRow turns a chat-export row into a record: a customer's message
// (in) or a staff member's (out) in a group or a private chat.
func (s *Service) wechatRow(m *tabular.Mapping, row tabular.Row, staff map[string]string) (Input, tabular.Errors) {
	var errs tabular.Errors
	at, err := tabular.ParseDateTime(m.Get(row, "time"), s.loc)
	errs.Add(row.Line, m.Header("time"), err)
	conv, sender := m.Get(row, "conversation"), m.Get(row, "sender")
	in := Input{Channel: "wechat_group", OccurredAt: at.Format(time.RFC3339), Conversation: conv, Summary: m.Get(row, "text")}
	switch strings.ToLower(m.Get(row, "chat_kind")) {
	case "", "群聊", "群", "group":
	case "单聊", "私聊", "private":
		in.Channel, in.Counterpart = "wechat_private", conv
	default:
		errs = append(errs, tabular.CellError{Line: row.Line, Column: m.Header("chat_kind"), Value: m.Get(row, "chat_kind"), Reason: "会话类型应为 群聊 或 单聊"})
	}
	login, isStaff := staff[sender]
	switch strings.ToLower(m.Get(row, "sender_kind")) {
	case "员工", "客服", "staff", "我方":
		if !isStaff {
			errs = append(errs, tabular.CellError{Line: row.Line, Column: m.Header("sender"), Value: sender, Reason: "发送人标为员工，但不是系统中的员工（登录名或姓名）"})
		}
		isStaff = true
	case "客户", "customer":
		isStaff = false
	case "":
	default:
		errs = append(errs, tabular.CellError{Line: row.Line, Column: m.Header("sender_kind"), Value: m.Get(row, "sender_kind"), Reason: "发送人类型应为 员工 或 客户"})
	}
	if isStaff {
		in.Direction, in.StaffLogin = "out", login
	} else {
		in.Direction = "in"
	}
	if utf8Len(in.Summary) > 4000 {
		in.Summary = string([]rune(in.Summary)[:4000])
	}
	id := m.Get(row, "id")
	if id == "" {
		id = rowID(FileWeChat, conv, sender, m.Get(row, "time"), m.Get(row, "text"))
	} else {
		id = FileWeChat + ":" + id
	}
	in.ExternalID = id
	return in, errs
}

func utf8Len(s string) int { return len([]rune(s)) }
