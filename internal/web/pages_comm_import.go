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
	// Headers are the staged file's headers (as the import reports them,
	// then carried by the forms); Mapping is the column mapping chosen in the
	// form (header → column key, skipColumn for 不导入), nil when none was
	// sent, so that the domain uses the source's remembered one.
	Headers []string
	Mapping map[string]string
}

// postedMapping reads the mapping form: the headers and, in the same
// order, the column each is read as.
func postedMapping(r *http.Request) (headers []string, mapping map[string]string) {
	headers, cols := r.PostForm["header"], r.PostForm["column"]
	if len(cols) == 0 || len(cols) != len(headers) {
		return headers, nil
	}
	mapping = make(map[string]string, len(headers))
	for i, h := range headers {
		c := strings.TrimSpace(cols[i])
		if c == "" {
			c = skipColumn
		}
		mapping[h] = c
	}
	return headers, mapping
}

// CommImportColumns are the column keys a kind of file is read into, in
// the template's order (comms.FileTemplate gives their headers): the
// choices of the mapping form, besides "不导入" (skip).
func CommImportColumns(kind string) []string { return slices.Clone(commFileColumns[kind]) }

// skipColumn is the mapping form's "不导入": the header is not read.
const skipColumn = "-"

// mappedColumn is one line of the mapping form: a header of the file and
// the column it is read as (skipColumn when none).
type mappedColumn struct{ Header, Key string }

type commImportPage struct {
	Page
	enums
	In      commImportForm
	Report  *comms.ImportReport
	Sources []string
}

// Columns are the keys of the kind's columns for the mapping's selects.
func (p *commImportPage) Columns() []string { return CommImportColumns(p.In.Kind) }

// Mapping is every header of the staged file with the column it was read
// as: the report's mapping (header → key, the remembered one when none
// was sent), else the mapping posted, else what the header names. Without
// the file's headers, the report's mapping in the order of the columns.
func (p *commImportPage) Mapping() []mappedColumn {
	used := p.In.Mapping
	if p.Report != nil {
		used = p.Report.Mapping
	}
	if len(p.In.Headers) == 0 {
		order := commFileColumns[p.In.Kind]
		out := make([]mappedColumn, 0, len(used))
		for h, k := range used {
			out = append(out, mappedColumn{Header: h, Key: k})
		}
		slices.SortFunc(out, func(a, b mappedColumn) int {
			return cmp.Or(cmp.Compare(rank(order, a.Key), rank(order, b.Key)), cmp.Compare(a.Header, b.Header))
		})
		return out
	}
	out := make([]mappedColumn, 0, len(p.In.Headers))
	for _, h := range p.In.Headers {
		k, ok := used[h]
		if !ok && p.Report == nil {
			k = p.guess(h)
		}
		if !slices.Contains(p.Columns(), k) {
			k = skipColumn
		}
		out = append(out, mappedColumn{Header: h, Key: k})
	}
	return out
}

// guess reads a header as the column it names (its key, its template
// header or its label), for the form shown when the file could not be
// mapped at all.
func (p *commImportPage) guess(h string) string {
	h = strings.TrimSpace(h)
	names, _ := comms.FileTemplate(p.In.Kind)
	for i, k := range p.Columns() {
		if strings.EqualFold(h, k) || i < len(names) && h == names[i] || h == p.Column(k) {
			return k
		}
	}
	return skipColumn
}

func rank(order []string, k string) int {
	if i := slices.Index(order, k); i >= 0 {
		return i
	}
	return len(order)
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
	in.Headers, in.Mapping = postedMapping(r)
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
		// A file whose columns could not be mapped stays staged, its
		// headers shown to be mapped by hand.
		if len(p.In.Headers) == 0 || apperr.KindOf(err) != apperr.KindInvalid {
			p.In.Key = ""
		}
		return s.formError(w, r, err, &p.Page, "comm_import", p)
	}
	p.Report = rep
	if rep.Applied {
		p.In.Key = ""
	}
	return s.render(w, http.StatusOK, "comm_import", "", p)
}

// runCommImport stages the upload and dry-runs it ("preview"), dry-runs
// the staged file named by in.Key again with the mapping chosen
// ("remap"), or applies it ("apply", with the same mapping, which the
// domain then remembers for the source).
func (s *Server) runCommImport(r *http.Request, in *commImportForm) (*comms.ImportReport, error) {
	ctx := r.Context()
	opts := comms.ImportOptions{Kind: in.Kind, Source: in.Source, Mapping: in.Mapping, DryRun: true, SkipBad: true}
	switch step := r.PostFormValue("step"); {
	case step == "apply" && in.Key != "":
		opts.DryRun, opts.SkipBad = false, in.Mode != "reject"
	case step == "remap" && in.Key != "":
	default:
		file, hdr, err := r.FormFile("file")
		if err != nil {
			return nil, apperr.Invalid("file", "请选择要导入的文件")
		}
		defer file.Close()
		in.Name, in.Headers, in.Mapping, opts.Mapping = hdr.Filename, nil, nil, nil
		if in.Key, err = s.Comms.StageImport(ctx, file, s.MaxUpload); err != nil {
			return nil, err
		}
	}
	rep, err := s.Comms.Import(ctx, in.Key, in.Name, opts)
	// The headers for the mapping form, as the import read them: also
	// when it could not map them (the report then comes with the error);
	// a file it cannot read has none, and the error says why.
	if rep != nil {
		in.Headers = rep.Headers
	}
	if err != nil {
		return nil, err
	}
	return rep, nil
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
