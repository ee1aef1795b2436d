package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/contracts"
	"kefu/internal/customers"
	"kefu/internal/tabular"
)

// Contract and payment imports, import templates and the XLSX exports of
// the ageing report and the renewal desk. The imports work like the
// customer import (imports.go): the file is staged, a dry run reports and
// returns the staged key, and /apply imports the same bytes.

// contractImportOptions validates mode and mapping for kind.
func contractImportOptions(kind contracts.ImportKind, mode, mapping string) (contracts.ImportOptions, error) {
	opts := contracts.ImportOptions{Kind: kind}
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

// contractResultOf is a contracts import report in the shape of the
// customer import's (updated is always 0: an existing contract or payment
// is left unchanged, a differing one is a row error).
func contractResultOf(key, name string, opts contracts.ImportOptions, rep *contracts.ImportReport) importResult {
	mode := "reject"
	if opts.SkipBad {
		mode = "skip"
	}
	out := importResult{Key: key, Name: name, Kind: string(rep.Kind), Mode: mode, Format: rep.Format, Encoding: rep.Encoding,
		Total: rep.Total, Created: rep.Created, Unchanged: rep.Unchanged,
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

// uploadContractImport stages the uploaded file and imports it (or dry
// runs it) as kind.
func (s *Server) uploadContractImport(w http.ResponseWriter, r *http.Request, kind contracts.ImportKind) error {
	if err := parseForm(w, r, s.MaxUpload); err != nil {
		return err
	}
	opts, err := contractImportOptions(kind, r.FormValue("mode"), r.FormValue("mapping"))
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
	key, err := s.Contracts.StageImport(r.Context(), kind, file, s.MaxUpload)
	if err != nil {
		return err
	}
	rep, err := s.Contracts.Import(r.Context(), key, name, opts)
	if err != nil {
		return err
	}
	return ok(w, contractResultOf(key, name, opts, rep))
}

func (s *Server) importContracts(w http.ResponseWriter, r *http.Request) error {
	return s.uploadContractImport(w, r, contracts.ImportContracts)
}

func (s *Server) importPayments(w http.ResponseWriter, r *http.Request) error {
	return s.uploadContractImport(w, r, contracts.ImportPayments)
}

// contractImportApply applies a staged contract or payment file: the
// options of its dry run again (the kind is in the path).
type contractImportApply struct {
	// Mode is reject (default) or skip.
	Mode string `json:"mode,omitempty"`
	// Name is the original file name (for the report and the audit log).
	Name    string            `json:"name,omitempty"`
	Mapping map[string]string `json:"mapping,omitempty"`
}

func (s *Server) applyStagedContractImport(w http.ResponseWriter, r *http.Request, kind contracts.ImportKind) error {
	var in contractImportApply
	if err := decode(w, r, &in); err != nil {
		return err
	}
	opts, err := contractImportOptions(kind, in.Mode, "")
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
	rep, err := s.Contracts.Import(r.Context(), key, name, opts)
	if err != nil {
		return err
	}
	return ok(w, contractResultOf(key, name, opts, rep))
}

func (s *Server) applyContractImport(w http.ResponseWriter, r *http.Request) error {
	return s.applyStagedContractImport(w, r, contracts.ImportContracts)
}

func (s *Server) applyPaymentImport(w http.ResponseWriter, r *http.Request) error {
	return s.applyStagedContractImport(w, r, contracts.ImportPayments)
}

// allImportKinds are the kinds of every import, customers' and contracts'.
func allImportKinds() []string {
	return append(importKinds(), string(contracts.ImportContracts), string(contracts.ImportPayments))
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// writeXLSX sends a workbook of text cells as a download named name.
func writeXLSX(w http.ResponseWriter, name string, headers []string, rows [][]string) error {
	return writeTypedXLSX(w, name, headers, nil, rows)
}

// writeTypedXLSX sends a workbook whose columns are stored as kinds says
// (money, counts and dates as numbers) as a download named name.
func writeTypedXLSX(w http.ResponseWriter, name string, headers []string, kinds []tabular.Kind, rows [][]string) error {
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	w.Header().Set("Cache-Control", "private, no-store")
	return tabular.WriteTypedXLSX(w, headers, kinds, rows)
}

// importTemplate serves the template of a customer import kind; the
// contract and payment templates have routes of their own, each behind
// the permission to import that kind.
func (s *Server) importTemplate(w http.ResponseWriter, r *http.Request) error {
	kind := customers.ImportKind(r.PathValue("kind"))
	if !slices.Contains(customers.ImportKinds, kind) {
		return apperr.NotFound("import kind")
	}
	headers, example, err := customers.ImportTemplate(kind)
	if err != nil {
		return err
	}
	return writeXLSX(w, fmt.Sprintf("kefu-%s-template.xlsx", kind), headers, example)
}

func (s *Server) contractImportTemplate(w http.ResponseWriter, r *http.Request) error {
	return s.writeContractTemplate(w, contracts.ImportContracts)
}

func (s *Server) paymentImportTemplate(w http.ResponseWriter, r *http.Request) error {
	return s.writeContractTemplate(w, contracts.ImportPayments)
}

func (s *Server) writeContractTemplate(w http.ResponseWriter, kind contracts.ImportKind) error {
	headers, example, err := contracts.ImportTemplate(kind)
	if err != nil {
		return err
	}
	return writeXLSX(w, fmt.Sprintf("kefu-%s-template.xlsx", kind), headers, example)
}

// Exports.

func (s *Server) exportReceivables(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	bucket, err := queryEnum(r, "bucket", contracts.Buckets...)
	if err != nil {
		return err
	}
	sh, err := s.Contracts.ReceivablesSheet(r.Context(), contracts.ReceivableFilter{OwnerID: ownerFilter(r), CustomerID: q.Get("customer_id"),
		ContractID: q.Get("contract_id"), Bucket: bucket})
	if err != nil {
		return err
	}
	return writeTypedXLSX(w, fmt.Sprintf("receivables-%s.xlsx", s.today().Format("2006-01-02")), sh.Headers, sh.Kinds, sh.Rows)
}

func (s *Server) exportRenewals(w http.ResponseWriter, r *http.Request) error {
	outcome, err := queryEnum(r, "outcome", renewalOutcomeNames...)
	if err != nil {
		return err
	}
	flagged, err := queryBool(r, "flagged")
	if err != nil {
		return err
	}
	sh, err := s.Contracts.RenewalSheet(r.Context(), contracts.RenewalFilter{OwnerID: ownerFilter(r), Outcome: outcome,
		Flagged: flagged != nil && *flagged})
	if err != nil {
		return err
	}
	return writeTypedXLSX(w, fmt.Sprintf("renewals-%s.xlsx", s.today().Format("2006-01-02")), sh.Headers, sh.Kinds, sh.Rows)
}
