package web

import (
	"fmt"
	"net/http"

	"kefu/internal/apperr"
	"kefu/internal/contracts"
	"kefu/internal/tabular"
)

// contractImport is the state of a contracts-domain import (合同导入 or
// 回款导入) on its page: the form posts to Action; after the upload the
// staged file's Key and Name ride in hidden fields to the apply step.
type contractImport struct {
	Action   string
	Template string
	Kind     contracts.ImportKind
	Key      string
	Name     string
	Report   *contracts.ImportReport
}

// runContractImport handles both steps of an import posted to imp.Action:
// "preview" stages the uploaded file and reports what would change (a dry
// run that keeps the bad rows aside); "apply" imports the staged file,
// skipping bad rows (mode=skip) or only when there are none (mode=reject).
// The error is the user's to see on the form.
func (s *Server) runContractImport(w http.ResponseWriter, r *http.Request, imp *contractImport) error {
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxUpload+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return apperr.Invalid("file", fmt.Sprintf("文件超过 %d MB 或上传不完整", s.MaxUpload>>20))
	}
	apply := r.PostFormValue("step") == "apply"
	opts := contracts.ImportOptions{Kind: imp.Kind, DryRun: !apply, SkipBad: !apply || r.PostFormValue("mode") != "reject"}
	imp.Key, imp.Name = r.PostFormValue("key"), r.PostFormValue("name")
	if imp.Key == "" || !apply {
		file, hdr, err := r.FormFile("file")
		if err != nil {
			return apperr.Invalid("file", "请选择要导入的文件")
		}
		defer file.Close()
		imp.Name = hdr.Filename
		if imp.Key, err = s.Contracts.StageImport(r.Context(), imp.Kind, file, s.MaxUpload); err != nil {
			return err
		}
		opts.DryRun, opts.SkipBad = true, true
	}
	rep, err := s.Contracts.Import(r.Context(), imp.Key, imp.Name, opts)
	if err != nil {
		return err
	}
	imp.Report = rep
	return nil
}

// importTemplateXLSX downloads the columns of kind with example rows.
func importTemplateXLSX(w http.ResponseWriter, kind contracts.ImportKind) error {
	headers, example, err := contracts.ImportTemplate(kind)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="kefu-%s-template.xlsx"`, kind))
	return tabular.WriteXLSX(w, headers, example)
}

// ---- 合同导入 -------------------------------------------------------------------

type contractImportPage struct {
	Page
	Import *contractImport
}

func newContractImport() *contractImport {
	return &contractImport{Action: "/contracts/import", Template: "/contracts/import/template", Kind: contracts.ImportContracts}
}

func (s *Server) contractImportForm(w http.ResponseWriter, r *http.Request) error {
	p := contractImportPage{Page: s.page(r, "import", "contract_import.title"), Import: newContractImport()}
	return s.render(w, http.StatusOK, "contract_import", "", &p)
}

func (s *Server) contractImportRun(w http.ResponseWriter, r *http.Request) error {
	p := contractImportPage{Page: s.page(r, "import", "contract_import.title"), Import: newContractImport()}
	p.FieldPrefixes = []string{"import.field."}
	if err := s.runContractImport(w, r, p.Import); err != nil {
		p.Import.Report = nil
		return s.formError(w, r, err, &p.Page, "contract_import", &p)
	}
	return s.render(w, http.StatusOK, "contract_import", "", &p)
}

func (s *Server) contractImportTemplate(w http.ResponseWriter, r *http.Request) error {
	return importTemplateXLSX(w, contracts.ImportContracts)
}

// ---- 回款导入 (on the finance page) ----------------------------------------------

func newPaymentImport() *contractImport {
	return &contractImport{Action: "/finance/import", Template: "/finance/import/template", Kind: contracts.ImportPayments}
}

func (s *Server) paymentImportRun(w http.ResponseWriter, r *http.Request) error {
	imp := newPaymentImport()
	ierr := s.runContractImport(w, r, imp)
	p, err := s.financeData(r)
	if err != nil {
		return err
	}
	if ierr != nil {
		p.FieldPrefixes = append([]string{"import.field."}, p.FieldPrefixes...)
		return s.formError(w, r, ierr, &p.Page, "finance", p)
	}
	p.Import = imp
	return s.render(w, http.StatusOK, "finance", "", p)
}

func (s *Server) paymentImportTemplate(w http.ResponseWriter, r *http.Request) error {
	return importTemplateXLSX(w, contracts.ImportPayments)
}
