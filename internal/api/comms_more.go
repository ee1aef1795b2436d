package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/comms"
	"kefu/internal/customers"
)

// Communication file imports (PBX call logs, WeChat exports), the live
// queue, the no-contact report and the response targets.

// commImportResult is a communication import's report with the staged
// key for /apply.
type commImportResult struct {
	Key       string            `json:"key"`
	Name      string            `json:"name"`
	Kind      string            `json:"kind"`
	Source    string            `json:"source"`
	Headers   []string          `json:"headers"` // the file's headers in file order (blank ones left out)
	Total     int               `json:"total"`
	Created   int               `json:"created"`
	Unchanged int               `json:"unchanged"`
	Unmatched int               `json:"unmatched"`
	Errors    []importError     `json:"errors"`
	Mapping   map[string]string `json:"mapping"`
	DryRun    bool              `json:"dry_run"`
	Applied   bool              `json:"applied"`
	Rejected  bool              `json:"rejected"`
}

func commResultOf(key, name string, rep *comms.ImportReport) commImportResult {
	out := commImportResult{Key: key, Name: name, Kind: rep.Kind, Source: rep.Source, Headers: rep.Headers, Total: rep.Total, Created: rep.Created,
		Unchanged: rep.Unchanged, Unmatched: rep.Unmatched, Errors: []importError{}, Mapping: rep.Mapping, DryRun: rep.DryRun,
		Applied: rep.Applied, Rejected: rep.Rejected}
	for _, e := range rep.Errors {
		out.Errors = append(out.Errors, importError{Row: e.Line, Column: e.Column, Value: e.Value, Reason: e.Reason})
	}
	return out
}

func commImportOptions(kind, source, mode, mapping string) (comms.ImportOptions, error) {
	opts := comms.ImportOptions{Kind: strings.TrimSpace(kind), Source: source}
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

func (s *Server) importCommunications(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, s.MaxUpload); err != nil {
		return err
	}
	opts, err := commImportOptions(r.FormValue("kind"), r.FormValue("source"), r.FormValue("mode"), r.FormValue("mapping"))
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
	key, err := s.Comms.StageImport(r.Context(), file, s.MaxUpload)
	if err != nil {
		return err
	}
	rep, err := s.Comms.Import(r.Context(), key, name, opts)
	if err != nil {
		return err
	}
	return ok(w, commResultOf(key, name, rep))
}

// commImportApply applies a staged file with the options of its dry run.
type commImportApply struct {
	Kind    string            `json:"kind"`
	Source  string            `json:"source,omitempty"`
	Mode    string            `json:"mode,omitempty"`
	Name    string            `json:"name,omitempty"`
	Mapping map[string]string `json:"mapping,omitempty"`
}

func (s *Server) applyCommImport(w http.ResponseWriter, r *http.Request) error {
	var in commImportApply
	if err := decode(w, r, &in); err != nil {
		return err
	}
	opts, err := commImportOptions(in.Kind, in.Source, in.Mode, "")
	if err != nil {
		return err
	}
	opts.Mapping = in.Mapping
	name := in.Name
	if name == "" {
		name = "import.csv"
	}
	if name, err = customers.CleanFileName(name); err != nil {
		return err
	}
	key := r.PathValue("key")
	rep, err := s.Comms.Import(r.Context(), key, name, opts)
	if err != nil {
		return err
	}
	return ok(w, commResultOf(key, name, rep))
}

func (s *Server) queue(w http.ResponseWriter, r *http.Request) error {
	q, err := s.Comms.Queue(r.Context(), r.URL.Query().Get("staff_id"))
	if err != nil {
		return err
	}
	return ok(w, items(q))
}

func (s *Server) noContact(w http.ResponseWriter, r *http.Request) error {
	m, err := s.queryMonth(r)
	if err != nil {
		return err
	}
	list, err := s.Comms.NoContactMonth(r.Context(), m, ownerFilter(r))
	if err != nil {
		return err
	}
	return ok(w, items(list))
}

func (s *Server) commsPolicy(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Comms.Policy(r.Context())
	if err != nil {
		return err
	}
	return ok(w, p)
}

func (s *Server) saveCommsPolicy(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Comms.Policy(r.Context())
	if err != nil {
		return err
	}
	if err := decode(w, r, &p); err != nil {
		return err
	}
	if err := s.Comms.SavePolicy(r.Context(), p); err != nil {
		return err
	}
	return ok(w, p)
}

// reasonBody carries the reason of a flag or its withdrawal.
type reasonBody struct {
	Reason string `json:"reason"`
}

func (s *Server) flagUnregistered(w http.ResponseWriter, r *http.Request) error {
	var in reasonBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := s.Comms.FlagUnregistered(r.Context(), r.PathValue("id"), in.Reason); err != nil {
		return err
	}
	return noContent(w)
}

func (s *Server) unflagUnregistered(w http.ResponseWriter, r *http.Request) error {
	var in reasonBody
	if err := decodeOptional(w, r, &in); err != nil {
		return err
	}
	if in.Reason == "" {
		in.Reason = r.URL.Query().Get("reason")
	}
	if err := s.Comms.UnflagUnregistered(r.Context(), r.PathValue("id"), in.Reason); err != nil {
		return err
	}
	return noContent(w)
}

func (s *Server) commImportTemplate(w http.ResponseWriter, r *http.Request) error {
	kind := r.PathValue("kind")
	headers, err := comms.FileTemplate(kind)
	if err != nil {
		return err
	}
	return writeXLSX(w, fmt.Sprintf("kefu-%s-template.xlsx", kind), headers, comms.FileExamples(kind))
}
