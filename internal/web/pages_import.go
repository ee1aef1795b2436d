package web

import (
	"fmt"
	"net/http"

	"kefu/internal/apperr"
	"kefu/internal/customers"
	"kefu/internal/tabular"
)

type importPage struct {
	Page
	Kinds   []customers.ImportKind
	Kind    string
	SkipBad bool
	Report  *customers.ImportReport
	Key     string
	Name    string
}

func (s *Server) importForm(w http.ResponseWriter, r *http.Request) error {
	p := importPage{Page: s.page(r, "import", "import.title"), Kinds: customers.ImportKinds, Kind: r.URL.Query().Get("kind"), SkipBad: true}
	return s.render(w, http.StatusOK, "import", "", &p)
}

// importRun handles both steps: "preview" stages the uploaded file and
// shows what would change (dry run); "apply" imports the staged file.
func (s *Server) importRun(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxUpload+1<<20)
	p := importPage{Page: s.page(r, "import", "import.title"), Kinds: customers.ImportKinds}
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return s.formError(w, r, apperr.Invalid("file", fmt.Sprintf("文件超过 %d MB 或上传不完整", s.MaxUpload>>20)), &p.Page, "import", &p)
	}
	p.Kind, p.SkipBad = r.PostFormValue("kind"), r.PostFormValue("mode") != "reject"
	opts := customers.ImportOptions{Kind: customers.ImportKind(p.Kind), SkipBad: p.SkipBad, DryRun: r.PostFormValue("step") != "apply"}
	p.Key, p.Name = r.PostFormValue("key"), r.PostFormValue("name")
	if p.Key == "" {
		file, hdr, err := r.FormFile("file")
		if err != nil {
			return s.formError(w, r, apperr.Invalid("file", "请选择要导入的文件"), &p.Page, "import", &p)
		}
		defer file.Close()
		p.Name = hdr.Filename
		if p.Key, err = s.Customers.StageImport(r.Context(), file, s.MaxUpload); err != nil {
			// Too large is the user's to fix like any bad file: the form
			// again with the field named, not an error page.
			if apperr.Is(err, apperr.KindTooLarge) {
				e, _ := apperr.As(err)
				err = apperr.Invalid("file", e.Message)
			}
			return s.formError(w, r, err, &p.Page, "import", &p)
		}
		opts.DryRun = true
	}
	rep, err := s.Customers.Import(r.Context(), p.Key, p.Name, opts)
	if err != nil {
		return s.formError(w, r, err, &p.Page, "import", &p)
	}
	p.Report = rep
	return s.render(w, http.StatusOK, "import", "", &p)
}

// importTemplate downloads an XLSX with the expected columns and an example row.
func (s *Server) importTemplate(w http.ResponseWriter, r *http.Request) error {
	kind := customers.ImportKind(r.PathValue("kind"))
	headers, example, err := customers.ImportTemplate(kind)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="kefu-%s-template.xlsx"`, kind))
	return tabular.WriteXLSX(w, headers, example)
}
