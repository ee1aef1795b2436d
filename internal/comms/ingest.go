package comms

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"kefu/internal/access"
	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/sla"
	"kefu/internal/store"
)

// Result is what happened to one record of a batch.
type Result struct {
	Index      int    `json:"index"`
	ExternalID string `json:"external_id,omitempty"`
	ID         string `json:"id,omitempty"`
	Action     string `json:"action"` // created / unchanged
	Matched    bool   `json:"matched"`
}

// ItemError is a bad record of a batch: its position, its external id, the
// field and the reason.
type ItemError struct {
	Kind       apperr.Kind `json:"code"`
	Index      int         `json:"index"`
	ExternalID string      `json:"external_id,omitempty"`
	Field      string      `json:"field"`
	Message    string      `json:"message"`
}

// BatchError reports every bad record of a batch; nothing of the batch
// was stored.
type BatchError struct{ Items []ItemError }

func (e *BatchError) Error() string {
	var b strings.Builder
	for i, it := range e.Items {
		if i == 5 {
			fmt.Fprintf(&b, "; … %d in all", len(e.Items))
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "[%d] %s: %s", it.Index, it.Field, it.Message)
	}
	return b.String()
}

// Add records one communication record typed by a person (UI quick-log):
// the staff member is the caller unless a manager names another, and a
// specialist records only for the customers they own.
func (s *Service) Add(ctx context.Context, in Input) (*Record, error) {
	return s.AddWithFiles(ctx, in, nil, 0)
}

// AddWithFiles is Add with files (each up to limit bytes) attached to the
// new record in the same transaction: the record is checked first (a
// refused one stores no bytes), the files are stored in the blob store,
// and the record and its attachments are written together.
func (s *Service) AddWithFiles(ctx context.Context, in Input, ups []Upload, limit int64) (*Record, error) {
	p := access.Caller(ctx)
	if !p.Can(access.CommWrite) {
		return nil, apperr.Forbidden("无权登记沟通记录")
	}
	if in.StaffID == "" && in.StaffLogin == "" {
		in.StaffID = p.StaffID
	} else if !p.IsManagerial() && in.StaffID != p.StaffID {
		return nil, apperr.Forbidden("只能登记本人的沟通记录")
	}
	var after func(context.Context, bun.Tx, []Result) error
	if len(ups) > 0 {
		if len(ups) > MaxFilesPerUpload {
			return nil, apperr.Invalid("file", fmt.Sprintf("一次最多上传 %d 个文件", MaxFilesPerUpload))
		}
		if _, err := s.ingestWith(ctx, []Input{in}, SourceUI, true, nil); err != nil {
			return nil, addError(err)
		}
		files, err := s.putUploads(ctx, ups, limit)
		if err != nil {
			return nil, err
		}
		after = func(ctx context.Context, tx bun.Tx, res []Result) error {
			if res[0].Action != "created" {
				return apperr.Conflict("external_id", "该外部编号的记录已存在，附件请在该记录上上传")
			}
			return insertFiles(ctx, tx, res[0].ID, files, store.Time(s.now()))
		}
	}
	res, err := s.ingestWith(ctx, []Input{in}, SourceUI, false, after)
	if err != nil {
		return nil, addError(err)
	}
	return s.Get(ctx, res[0].ID)
}

// addError is a one-record batch's error as the error of the record.
func addError(err error) error {
	var be *BatchError
	if errors.As(err, &be) && len(be.Items) == 1 {
		it := be.Items[0]
		switch {
		case it.Kind == apperr.KindForbidden:
			return apperr.Forbidden(it.Message)
		case it.Kind == apperr.KindConflict:
			return apperr.Conflict(it.Field, it.Message)
		}
		return apperr.Invalid(it.Field, it.Message)
	}
	return err
}

// Ingest stores a batch from a machine client or an import (CommIngest):
// all or nothing. Each record with an external id already stored is
// "unchanged" when its content is the same and a conflict when it
// differs. A machine client's records (SourceAPI) must each carry an
// external id.
func (s *Service) Ingest(ctx context.Context, ins []Input, source string) ([]Result, error) {
	if !access.Caller(ctx).Can(access.CommIngest) {
		return nil, apperr.Forbidden("无权导入沟通记录")
	}
	if source != SourceAPI && source != SourceImport {
		source = SourceAPI
	}
	if len(ins) > maxBatch {
		return nil, apperr.Invalid("records", fmt.Sprintf("一次最多 %d 条", maxBatch))
	}
	if source == SourceAPI && len(ins) > 0 && len(ins) <= coalesceMax {
		return s.ingestGrouped(ctx, ins, source)
	}
	return s.ingest(ctx, ins, source)
}

// maxBatch bounds one batch sent to the API.
const maxBatch = 10000

// errDryRun rolls back a dry run.
var errDryRun = errors.New("dry run")

func (s *Service) ingest(ctx context.Context, ins []Input, source string) ([]Result, error) {
	return s.ingestWith(ctx, ins, source, false, nil)
}

// ingestWith stores a batch, or with dry only reports what it would do.
// after, when set, runs in the transaction once the records are written
// (before their clocks are derived), with the results.
func (s *Service) ingestWith(ctx context.Context, ins []Input, source string, dry bool, after func(context.Context, bun.Tx, []Result) error) ([]Result, error) {
	if len(ins) == 0 {
		return nil, apperr.Invalid("records", "没有沟通记录")
	}
	p := access.Caller(ctx)
	now := s.now()
	var bad []ItemError
	fail := func(i int, in Input, err error) {
		ae, ok := apperr.As(err)
		if !ok {
			bad = append(bad, ItemError{Kind: apperr.KindInvalid, Index: i, ExternalID: in.ExternalID, Message: err.Error()})
			return
		}
		bad = append(bad, ItemError{Kind: ae.Kind, Index: i, ExternalID: in.ExternalID, Field: ae.Field, Message: ae.Message})
	}
	cs := make([]clean, len(ins))
	ok := make([]bool, len(ins))
	for i := range ins {
		// A machine client retries: without its id a retry would store
		// the record twice. People (SourceUI) and file imports (ids
		// derived from the rows' content) have their own idempotency.
		if source == SourceAPI && strings.TrimSpace(ins[i].ExternalID) == "" {
			fail(i, ins[i], apperr.Invalid("external_id", fmt.Sprintf("第 %d 条记录（index %d）缺少外部编号：接口提交的每条记录须带 external_id，重试时据此去重", i+1, i)))
			continue
		}
		c, err := ins[i].normalise(now, s.loc)
		if err != nil {
			fail(i, ins[i], err)
			continue
		}
		cs[i], ok[i] = c, true
	}
	var results []Result
	err := s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		results = make([]Result, len(ins))
		m, err := newMatcher(ctx, tx, s.loc, cs, ok)
		if err != nil {
			return err
		}
		batchIDs := map[string]int{} // external id → index in this batch
		var rows []*Record
		var tags []tagRow
		var entries []any
		for i := range cs {
			if !ok[i] {
				continue
			}
			c := cs[i]
			h := c.hash()
			if id := c.in.ExternalID; id != "" {
				if prev, dup := batchIDs[id]; dup {
					if cs[prev].hash() != h {
						fail(i, c.in, apperr.Conflict("external_id", fmt.Sprintf("外部编号 %s 在本批中出现两次且内容不同", id)))
					} else {
						results[i] = Result{Index: i, ExternalID: id, ID: results[prev].ID, Action: "unchanged", Matched: results[prev].Matched}
					}
					continue
				}
				batchIDs[id] = i
				if old, found := m.external[id]; found {
					if old.hash != h {
						fail(i, c.in, apperr.Conflict("external_id", fmt.Sprintf("外部编号 %s 已存在且内容不同", id)))
						continue
					}
					results[i] = Result{Index: i, ExternalID: id, ID: old.id, Action: "unchanged", Matched: old.matched}
					continue
				}
			}
			// Whoever is not managerial types records only for the
			// customers they own; machine feeds record for anyone.
			r, err := m.resolve(c, p, !p.IsManagerial() && source == SourceUI)
			if err != nil {
				fail(i, c.in, err)
				continue
			}
			r.ID, r.Source, r.ContentHash, r.CreatedAt = store.NewID(), source, h, store.Time(now)
			if p.StaffID != "" {
				by := p.StaffID
				r.CreatedBy = &by
			}
			if c.in.ExternalID != "" {
				ext := c.in.ExternalID
				r.ExternalID = &ext
			}
			r.Tags = c.tag
			for _, t := range c.tag {
				tags = append(tags, tagRow{CommunicationID: r.ID, Tag: t})
			}
			rows = append(rows, r)
			results[i] = Result{Index: i, ExternalID: c.in.ExternalID, ID: r.ID, Action: "created", Matched: r.CustomerID != nil}
			if source == SourceUI {
				entries = append(entries, r)
			}
		}
		if len(bad) > 0 {
			return &BatchError{Items: bad}
		}
		if dry {
			return errDryRun
		}
		if err := insertChunks(ctx, tx, rows); err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.Conflict("external_id", "外部编号已被同时提交，请重试")
			}
			return err
		}
		for len(tags) > 0 {
			n := min(len(tags), 500)
			part := tags[:n]
			if _, err := tx.NewInsert().Model(&part).Exec(ctx); err != nil {
				return err
			}
			tags = tags[n:]
		}
		// Typed records are audited one by one; a machine batch as one
		// entry (the records themselves are the trail).
		if source == SourceUI {
			for _, e := range entries {
				r := e.(*Record)
				if err := audit.Record(ctx, tx, now, audit.Change{Action: "create", Entity: "communication", EntityID: r.ID,
					Summary: "沟通记录：" + r.Summary, After: r}); err != nil {
					return err
				}
			}
		} else if len(rows) > 0 {
			if err := audit.Record(ctx, tx, now, audit.Change{Action: "import", Entity: "communication",
				Summary: fmt.Sprintf("导入沟通记录 %d 条（来源 %s）", len(rows), source)}); err != nil {
				return err
			}
		}
		if after != nil {
			if err := after(ctx, tx, results); err != nil {
				return err
			}
		}
		// The response clocks of the conversations the new records touch,
		// in the same transaction: a record and its clocks commit together.
		var convs []string
		var earliest time.Time
		seenConv := map[string]bool{}
		for _, r := range rows {
			if c := r.Conversation; c != "" && !seenConv[c] {
				seenConv[c] = true
				convs = append(convs, c)
			}
			// A call with the customer but no number (a survey call, a
			// call back typed without the number) stops the customer's
			// missed-call clocks: "" reads the records without a
			// conversation, and every record of their customers.
			if r.Conversation == "" && r.CustomerID != nil && (r.Channel == sla.ChannelPhoneOut || r.Channel == sla.ChannelPhoneMissed) && !seenConv[""] {
				seenConv[""] = true
				convs = append(convs, "")
			}
			if earliest.IsZero() || r.OccurredAt.Before(earliest) {
				earliest = r.OccurredAt
			}
		}
		if len(convs) > 0 {
			custs := map[string]bool{}
			for _, r := range rows {
				if r.CustomerID != nil {
					custs[*r.CustomerID] = true
				}
			}
			from, err := openSince(ctx, tx, slices.Collect(mapKeys(custs)), convs, earliest.Add(-lookback))
			if err != nil {
				return err
			}
			inTx := func(ctx context.Context, fn func(context.Context, bun.IDB) error) error { return fn(ctx, tx) }
			if _, err := s.recompute(ctx, tx, inTx, false, from, now.Add(time.Second), convs...); err != nil {
				return fmt.Errorf("comms: response clocks: %w", err)
			}
		}
		return nil
	})
	if dry && errors.Is(err, errDryRun) {
		return results, nil
	}
	if err != nil {
		var be *BatchError
		if errors.As(err, &be) {
			slices.SortStableFunc(be.Items, func(a, b ItemError) int { return a.Index - b.Index })
		}
		return nil, err
	}
	return results, nil
}

// openSince is where the re-derivation after an ingest starts: from, or
// earlier when the touched conversations or customers have a clock still
// open from before it (a reply two days after an unanswered message
// stops that clock) — at most openReach back.
func openSince(ctx context.Context, tx bun.IDB, custs, convs []string, from time.Time) (time.Time, error) {
	oldest := from
	look := func(col string, vals []string) error {
		var at []time.Time
		if err := tx.NewSelect().Table("response_clocks").Column("started_at").
			Where(col+" IN (?) AND started_at >= ? AND started_at < ? AND stop_id IS NULL", bun.In(vals), store.Time(from.Add(-openReach)), store.Time(from)).
			Order("started_at").Limit(1).Scan(ctx, &at); err != nil {
			return err
		}
		if len(at) == 1 && at[0].Before(oldest) {
			oldest = at[0]
		}
		return nil
	}
	// Each through its index (conversation; open clocks by customer).
	if err := look("conversation", convs); err != nil {
		return from, err
	}
	if len(custs) > 0 {
		if err := look("customer_id", custs); err != nil {
			return from, err
		}
	}
	return oldest, nil
}

// openReach bounds how far back an ingest looks for open clocks to stop.
const openReach = 31 * 24 * time.Hour

type tagRow struct {
	CommunicationID string `bun:"communication_id,pk"`
	Tag             string `bun:"tag,pk"`

	bun.BaseModel `bun:"table:communication_tags"`
}

func insertChunks(ctx context.Context, tx bun.IDB, rows []*Record) error {
	for len(rows) > 0 {
		n := min(len(rows), 300)
		part := rows[:n]
		if _, err := tx.NewInsert().Model(&part).Exec(ctx); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}
