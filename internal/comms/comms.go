// Package comms keeps the communication records (沟通记录, SPEC §5.1):
// every WeChat message, call, visit, e-mail or SMS with a customer, with
// its second-precise time, who on our side, the customer and contact it
// was matched to, and where it came from (typed in the UI, sent by a
// machine client through the API, imported from a PBX log or a WeChat
// export). Records with a machine's external id are idempotent: the same
// id with the same content is "unchanged", with other content it is
// refused. Records that match no customer are kept and listed for
// matching later, never dropped.
package comms

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"kefu/internal/apperr"
	"kefu/internal/blob"
	"kefu/internal/store"
	"kefu/internal/tabular"
)

// Channels of a record (SPEC §5.1); "chat" is online chat (在线客服).
var Channels = []string{"wechat_group", "wechat_private", "phone_in", "phone_out", "phone_missed", "chat", "visit", "email", "sms", "other"}

// Sources of a record.
const (
	SourceUI     = "ui"
	SourceAPI    = "api"
	SourceImport = "import"
)

// Service reads and writes communication records.
type Service struct {
	db                *store.DB
	now               func() time.Time
	loc               *time.Location
	specialistReadAll bool
	owners            OwnerHistory
	cals              Calendars
	blobs             blob.Store
	group             coalescer // small API requests written together (coalesce.go)
}

// Options configure the service.
type Options struct {
	Location          *time.Location
	SpecialistReadAll bool
	// Owners tells who owned a customer when (the responsible person of a
	// response clock); nil leaves clocks without one.
	Owners OwnerHistory
	// Blobs stages uploaded import files.
	Blobs blob.Store
	// Calendars gives the work calendar for targets that count working
	// time only.
	Calendars Calendars
}

// NewService returns the service.
func NewService(db *store.DB, now func() time.Time, opts Options) *Service {
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	return &Service{db: db, now: now, loc: loc, specialistReadAll: opts.SpecialistReadAll, owners: opts.Owners, cals: opts.Calendars, blobs: opts.Blobs}
}

// Record is one communication record.
type Record struct {
	ID           string     `bun:"id,pk" json:"id"`
	ExternalID   *string    `bun:"external_id" json:"external_id"`
	Channel      string     `bun:"channel" json:"channel"`
	Direction    string     `bun:"direction" json:"direction"` // in (from the customer) / out (from us)
	OccurredAt   time.Time  `bun:"occurred_at" json:"occurred_at"`
	StaffID      *string    `bun:"staff_id" json:"staff_id"`
	CustomerID   *string    `bun:"customer_id" json:"customer_id"`
	ContactID    *string    `bun:"contact_id" json:"contact_id"`
	Conversation string     `bun:"conversation" json:"conversation"`
	Counterpart  string     `bun:"counterpart" json:"counterpart"`
	Summary      string     `bun:"summary" json:"summary"`
	TicketID     *string    `bun:"ticket_id" json:"ticket_id"`
	ContractID   *string    `bun:"contract_id" json:"contract_id"`
	NeedID       *string    `bun:"need_id" json:"need_id"`
	CreatedBy    *string    `bun:"created_by" json:"created_by"`
	CreatedAt    time.Time  `bun:"created_at" json:"created_at"`
	Source       string     `bun:"source" json:"source"`
	DurationS    *int64     `bun:"duration_s" json:"duration_s"`
	ContentHash  string     `bun:"content_hash" json:"-"`
	Tags         []string   `bun:"-" json:"tags"`
	Files        []File     `bun:"-" json:"files"` // attachments, oldest first
	Unregistered *time.Time `bun:"unregistered_at" json:"unregistered_at"`
	UnregBy      *string    `bun:"unregistered_by" json:"unregistered_by"`
	UnregReason  string     `bun:"unregistered_reason" json:"unregistered_reason"`

	bun.BaseModel `bun:"table:communications"`
}

// Input is a record as a person or a machine sends it. OccurredAt is RFC
// 3339 ("2026-03-05T10:00:05+08:00"); a time without a zone
// ("2026-03-05 10:00:05") is read in the company's time zone. Seconds are
// kept, fractions dropped.
type Input struct {
	ExternalID   string   `json:"external_id"`
	Channel      string   `json:"channel"`
	Direction    string   `json:"direction"`
	OccurredAt   string   `json:"occurred_at"`
	CustomerID   string   `json:"customer_id"`
	ContactID    string   `json:"contact_id"`
	StaffID      string   `json:"staff_id"`
	StaffLogin   string   `json:"staff_login"`
	Counterpart  string   `json:"counterpart"`
	Conversation string   `json:"conversation"`
	DurationS    *int64   `json:"duration_s"`
	Summary      string   `json:"summary"`
	Tags         []string `json:"tags"`
}

// parseTime reads RFC 3339, or a zone-less time in loc.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Truncate(time.Second), nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("时间格式应为 2026-03-05T10:00:05+08:00 或 2026-03-05 10:00:05（按公司时区）")
}

// clean is a validated input, ready to match and store.
type clean struct {
	in  Input
	at  time.Time
	tag []string
}

// normalise checks what needs no database; field names are the input's.
func (in *Input) normalise(now time.Time, loc *time.Location) (clean, error) {
	for _, p := range []*string{&in.ExternalID, &in.Channel, &in.Direction, &in.CustomerID, &in.ContactID, &in.StaffID,
		&in.StaffLogin, &in.Counterpart, &in.Conversation, &in.Summary} {
		*p = strings.TrimSpace(*p)
	}
	c := clean{in: *in}
	if !slices.Contains(Channels, in.Channel) {
		return c, apperr.Invalid("channel", "沟通渠道须为 "+strings.Join(Channels, "、"))
	}
	switch in.Channel {
	case "phone_in", "phone_missed":
		if in.Direction == "" {
			in.Direction = "in"
		}
	case "phone_out":
		if in.Direction == "" {
			in.Direction = "out"
		}
	}
	if in.Direction != "in" && in.Direction != "out" {
		return c, apperr.Invalid("direction", "方向须为 in（客户发来）或 out（我方发出）")
	}
	if (in.Channel == "phone_in" || in.Channel == "phone_missed") && in.Direction != "in" ||
		in.Channel == "phone_out" && in.Direction != "out" {
		return c, apperr.Invalid("direction", "方向与渠道不符")
	}
	if in.OccurredAt == "" {
		return c, apperr.Invalid("occurred_at", "不能为空")
	}
	at, err := parseTime(in.OccurredAt, loc)
	if err != nil {
		return c, apperr.Invalid("occurred_at", err.Error())
	}
	if at.After(now.Add(time.Minute)) {
		return c, apperr.Invalid("occurred_at", "沟通时间不能晚于现在")
	}
	if at.Year() < 2000 {
		return c, apperr.Invalid("occurred_at", "沟通时间不能早于 2000 年")
	}
	c.at = store.Time(at)
	if strings.HasPrefix(in.Channel, "phone_") && in.Counterpart != "" {
		if p, err := tabular.ParsePhone(in.Counterpart); err == nil {
			in.Counterpart = p
		}
	}
	if in.Conversation == "" && (strings.HasPrefix(in.Channel, "phone_") || in.Channel == "sms") {
		in.Conversation = in.Counterpart
	}
	if in.DurationS != nil && (*in.DurationS < 0 || *in.DurationS > 24*3600) {
		return c, apperr.Invalid("duration_s", "通话时长须在 0 到 86400 秒之间")
	}
	for _, f := range []struct {
		field, v string
		max      int
	}{{"external_id", in.ExternalID, 200}, {"counterpart", in.Counterpart, 100}, {"conversation", in.Conversation, 200},
		{"summary", in.Summary, 4000}} {
		if utf8.RuneCountInString(f.v) > f.max {
			return c, apperr.Invalid(f.field, fmt.Sprintf("不能超过 %d 个字", f.max))
		}
	}
	seen := map[string]bool{}
	for _, t := range in.Tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || seen[t] {
			continue
		}
		if len(t) > 30 {
			return c, apperr.Invalid("tags", "标签不能超过 30 个字符")
		}
		seen[t] = true
		c.tag = append(c.tag, t)
	}
	slices.Sort(c.tag)
	c.in = *in
	return c, nil
}

// hash is the content fingerprint of a record as sent: the same external
// id must come with the same content.
func (c clean) hash() string {
	h := sha256.New()
	d := int64(-1)
	if c.in.DurationS != nil {
		d = *c.in.DurationS
	}
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%d\x00%s\x00%s",
		c.in.Channel, c.in.Direction, c.at.UTC().Format(time.RFC3339), c.in.CustomerID, c.in.ContactID,
		c.in.StaffID+"|"+c.in.StaffLogin, c.in.Counterpart, c.in.Conversation, d, c.in.Summary, strings.Join(c.tag, ","))
	return hex.EncodeToString(h.Sum(nil))[:32]
}
