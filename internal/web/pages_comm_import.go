package web

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/comms"
	"kefu/internal/tabular"
)

// 导入话单/聊天记录: a PBX call log or a WeChat chat export, in two steps
// like the other imports — the upload is staged and a dry run reports
// what would be created, left unchanged or stays unmatched, every bad
// cell with row, column and reason, and the column mapping used; the
// staged file's key rides in a hidden field to the apply step.

// CommFileKinds are the kinds of file a communication import reads.
func (enums) CommFileKinds() []string { return []string{comms.FilePBX, comms.FileWeChat} }

// ImportModes are what to do with bad rows: skip them, or reject the file.
func (enums) ImportModes() []string { return []string{"skip", "reject"} }

// commFileColumns are the columns of each kind of file in the template's
// order (their labels are comm_import.col.*), for showing the mapping.
var commFileColumns = map[string][]string{
	comms.FilePBX:    {"caller", "callee", "start", "answered", "duration", "agent", "direction", "id"},
	comms.FileWeChat: {"conversation", "sender", "sender_kind", "time", "text", "chat_kind", "id"},
}

// commImportForm is the import form as posted.
type commImportForm struct {
	Kind, Source, Mode string
	// Key and Name are the staged file after the dry run.
	Key, Name string
}

// mappedColumn is one line of the mapping used: a header of the file and
// the column it was read as.
type mappedColumn struct{ Header, Key string }

type commImportPage struct {
	Page
	enums
	In      commImportForm
	Report  *comms.ImportReport
	Sources []string
}

// Mapping is the report's mapping in the order of the kind's columns.
func (p *commImportPage) Mapping() []mappedColumn {
	if p.Report == nil {
		return nil
	}
	order := commFileColumns[p.Report.Kind]
	rank := func(k string) int {
		if i := slices.Index(order, k); i >= 0 {
			return i
		}
		return len(order)
	}
	out := make([]mappedColumn, 0, len(p.Report.Mapping))
	for h, k := range p.Report.Mapping {
		// The report documents header → key but gives key → header
		// (comms.Import inverts tabular's Assigned): read either way.
		if slices.Contains(order, h) && !slices.Contains(order, k) {
			h, k = k, h
		}
		out = append(out, mappedColumn{Header: h, Key: k})
	}
	slices.SortFunc(out, func(a, b mappedColumn) int {
		return cmp.Or(cmp.Compare(rank(a.Key), rank(b.Key)), cmp.Compare(a.Header, b.Header))
	})
	return out
}

// Column names a column of the file as a person reads it.
func (p *commImportPage) Column(key string) string {
	if l := p.T("comm_import.col." + key); l != "comm_import.col."+key {
		return l
	}
	return key
}

// sourceLister is what the page asks for the sources whose column mapping
// is remembered (the datalist of the source field).
type sourceLister interface {
	ImportSources(ctx context.Context) ([]string, error)
}

func (s *Server) commImportPage(r *http.Request, in commImportForm) (*commImportPage, error) {
	p := &commImportPage{Page: s.page(r, "comms", "comm_import.title"), In: in}
	p.FieldPrefixes = []string{"comm_import.field.", "import.field."}
	// The comms service lists the remembered sources once it can (see
	// sourceLister); until then the datalist offers none.
	if l, ok := any(s.Comms).(sourceLister); ok {
		var err error
		if p.Sources, err = l.ImportSources(r.Context()); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (s *Server) commImportForm(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	in := commImportForm{Kind: q.Get("kind"), Source: q.Get("source"), Mode: "skip"}
	if !slices.Contains(enums{}.CommFileKinds(), in.Kind) {
		in.Kind = comms.FilePBX
	}
	p, err := s.commImportPage(r, in)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "comm_import", "", p)
}

// commImportRun handles both steps: "preview" stages the uploaded file and
// reports what would happen (a dry run that sets the bad rows aside);
// "apply" imports the staged file, skipping bad rows (mode=skip) or only
// when there are none (mode=reject).
func (s *Server) commImportRun(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxUpload+1<<20)
	perr := r.ParseMultipartForm(8 << 20)
	f := r.PostFormValue
	in := commImportForm{Kind: f("kind"), Source: strings.TrimSpace(f("source")), Mode: f("mode"), Key: f("key"), Name: f("name")}
	if in.Mode != "reject" {
		in.Mode = "skip"
	}
	p, err := s.commImportPage(r, in)
	if err != nil {
		return err
	}
	if perr != nil {
		return s.formError(w, r, apperr.Invalid("file", fmt.Sprintf("文件超过 %d MB 或上传不完整", s.MaxUpload>>20)), &p.Page, "comm_import", p)
	}
	rep, err := s.runCommImport(r, &p.In)
	if err != nil {
		p.In.Key = ""
		return s.formError(w, r, err, &p.Page, "comm_import", p)
	}
	p.Report = rep
	if rep.Applied {
		p.In.Key = ""
	}
	return s.render(w, http.StatusOK, "comm_import", "", p)
}

// runCommImport stages the upload and dry-runs it, or applies the staged
// file named by in.Key.
func (s *Server) runCommImport(r *http.Request, in *commImportForm) (*comms.ImportReport, error) {
	ctx := r.Context()
	opts := comms.ImportOptions{Kind: in.Kind, Source: in.Source, DryRun: true, SkipBad: true}
	if r.PostFormValue("step") == "apply" && in.Key != "" {
		opts.DryRun, opts.SkipBad = false, in.Mode != "reject"
	} else {
		file, hdr, err := r.FormFile("file")
		if err != nil {
			return nil, apperr.Invalid("file", "请选择要导入的文件")
		}
		defer file.Close()
		in.Name = hdr.Filename
		if in.Key, err = s.Comms.StageImport(ctx, file, s.MaxUpload); err != nil {
			return nil, err
		}
	}
	return s.Comms.Import(ctx, in.Key, in.Name, opts)
}

// commImportTemplate downloads the columns of a kind of file.
func (s *Server) commImportTemplate(w http.ResponseWriter, r *http.Request) error {
	kind := r.PathValue("kind")
	headers, err := comms.FileTemplate(kind)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="kefu-%s-template.xlsx"`, kind))
	return tabular.WriteXLSX(w, headers, comms.FileExamples(kind))
}
