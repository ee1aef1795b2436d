package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/customers"
)

// importResult is the report of an import or a dry run, with the key of
// the staged file (to apply a dry run later).
type importResult struct {
	Key            string        `json:"key"`
	Name           string        `json:"name"`
	Kind           string        `json:"kind"`
	Mode           string        `json:"mode"`
	Format         string        `json:"format"`
	Encoding       string        `json:"encoding"`
	Total          int           `json:"total"`
	Created        int           `json:"created"`
	Updated        int           `json:"updated"`
	Unchanged      int           `json:"unchanged"`
	Errors         []importError `json:"errors"`
	Rows           []importRow   `json:"rows"`
	UnknownColumns []string      `json:"unknown_columns"`
	DryRun         bool          `json:"dry_run"`
	// Applied: the good rows were written.
	Applied bool `json:"applied"`
	// Rejected: the file had bad rows and mode was reject, so nothing
	// was (or would be) written.
	Rejected bool `json:"rejected"`
}

// importError is one bad cell: the row as numbered in the spreadsheet,
// the column header as written in the file, the value and the reason.
type importError struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

// importRow is what happens (or would happen) to one good row.
type importRow struct {
	Row     int    `json:"row"`
	Action  string `json:"action"`
	Summary string `json:"summary"`
}

func resultOf(key, name string, opts customers.ImportOptions, rep *customers.ImportReport) importResult {
	mode := "reject"
	if opts.SkipBad {
		mode = "skip"
	}
	out := importResult{Key: key, Name: name, Kind: string(rep.Kind), Mode: mode, Format: rep.Format, Encoding: rep.Encoding,
		Total: rep.Total, Created: rep.Created, Updated: rep.Updated, Unchanged: rep.Unchanged,
		Errors: []importError{}, Rows: []importRow{}, UnknownColumns: rep.Unknown,
		DryRun: rep.DryRun, Applied: rep.Applied, Rejected: rep.Rejected}
	if out.UnknownColumns == nil {
		out.UnknownColumns = []string{}
	}
	for _, e := range rep.Errors {
		out.Errors = append(out.Errors, importError{Row: e.Line, Column: e.Column, Value: e.Value, Reason: e.Reason})
	}
	for _, row := range rep.Rows {
		out.Rows = append(out.Rows, importRow{Row: row.Line, Action: row.Action, Summary: row.Summary})
	}
	return out
}

// importOptions validates kind, mode and mapping.
func importOptions(kind, mode, mapping string) (customers.ImportOptions, error) {
	opts := customers.ImportOptions{Kind: customers.ImportKind(kind)}
	if kind == "" {
		return opts, required("kind")
	}
	if !slices.Contains(customers.ImportKinds, opts.Kind) {
		return opts, apperr.Invalid("kind", "导入内容须为 "+strings.Join(importKinds(), "、")+" (kind must be one of "+strings.Join(importKinds(), ", ")+")")
	}
	switch mode {
	case "", "reject":
	case "skip":
		opts.SkipBad = true
	default:
		return opts, apperr.Invalid("mode", "mode 须为 reject 或 skip (reject or skip)")
	}
	if mapping = strings.TrimSpace(mapping); mapping != "" {
		if err := json.Unmarshal([]byte(mapping), &opts.Mapping); err != nil {
			return opts, apperr.Invalid("mapping", "mapping 须为 JSON 对象 {\"表头\":\"列名\"} (a JSON object header → column key)")
		}
	}
	return opts, nil
}

func (s *Server) importFile(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, s.MaxUpload); err != nil {
		return err
	}
	opts, err := importOptions(r.FormValue("kind"), r.FormValue("mode"), r.FormValue("mapping"))
	if err != nil {
		return err
	}
	if opts.DryRun, err = formBool(r, "dry_run", false); err != nil {
		return err
	}
	file, name, err := formFile(r)
	if err != nil {
		return err
	}
	defer file.Close()
	if name, err = customers.CleanFileName(name); err != nil {
		return err
	}
	key, err := s.Customers.StageImport(r.Context(), file, s.MaxUpload)
	if err != nil {
		return err
	}
	rep, err := s.Customers.Import(r.Context(), key, name, opts)
	if err != nil {
		return err
	}
	return ok(w, resultOf(key, name, opts, rep))
}

// importApply applies a staged file: the options of its dry run again.
type importApply struct {
	Kind string `json:"kind"`
	// Mode is reject (default) or skip.
	Mode string `json:"mode,omitempty"`
	// Name is the original file name (for the report and the audit log).
	Name    string            `json:"name,omitempty"`
	Mapping map[string]string `json:"mapping,omitempty"`
}

func (s *Server) applyImport(w http.ResponseWriter, r *http.Request) error {
	var in importApply
	if err := decode(w, r, &in); err != nil {
		return err
	}
	opts, err := importOptions(in.Kind, in.Mode, "")
	if err != nil {
		return err
	}
	opts.Mapping = in.Mapping
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = "import"
	}
	if name, err = customers.CleanFileName(name); err != nil {
		return apperr.Invalid("name", "文件名无效 (invalid file name)")
	}
	key := r.PathValue("key")
	rep, err := s.Customers.Import(r.Context(), key, name, opts)
	if err != nil {
		return err
	}
	return ok(w, resultOf(key, name, opts, rep))
}
