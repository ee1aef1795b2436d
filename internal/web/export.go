package web

import (
	"fmt"
	"net/http"
	"strings"

	"kefu/internal/customers"
	"kefu/internal/tabular"
)

// maxExportRows bounds one export; beyond it the user narrows the filter.
const maxExportRows = 100000

// customerExport downloads the filtered customer list as XLSX.
func (s *Server) customerExport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := customers.ListFilter{Query: q.Get("q"), RegionID: q.Get("region"), Class: q.Get("class"), OwnerID: q.Get("owner"),
		Status: q.Get("status"), Orphan: q.Get("orphan") == "1", Limit: 200}
	p := s.page(r, "customers", "customers.title")
	headers := []string{p.T("field.code"), p.T("field.name"), p.T("field.class"), p.T("field.region"), p.T("field.owner"),
		p.T("field.sales_owner"), p.T("customers.orphan"), p.T("field.status"), p.T("field.address"), p.T("field.paper_location")}
	var rows [][]string
	for {
		page, err := s.Customers.ListCustomers(r.Context(), f)
		if err != nil {
			return err
		}
		for _, c := range page.Items {
			orphan := ""
			if c.Orphan {
				orphan = p.T("common.yes")
			}
			rows = append(rows, cells(c.Code, c.Name, c.Class, c.RegionName, c.OwnerName, c.SalesOwnerName, orphan,
				p.T("status."+c.Status), c.Address, c.PaperLocation))
		}
		if page.Next == "" || len(rows) >= maxExportRows {
			break
		}
		f.After = page.Next
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="customers-%s.xlsx"`, s.today()))
	return tabular.WriteXLSX(w, headers, rows)
}

// cells makes values safe for a spreadsheet: a value that Excel would
// read as a formula (=, +, -, @ first) is prefixed with an apostrophe.
func cells(vs ...string) []string {
	for i, v := range vs {
		if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			vs[i] = "'" + v
		}
	}
	return vs
}
