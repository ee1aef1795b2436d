package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"kefu/internal/contracts"
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

// sheetCells neutralises formulas in a row of a domain sheet like cells,
// but leaves plain numbers (-3 days, 1200.00) as they are.
func sheetCells(row []string) []string {
	out := make([]string, len(row))
	for i, v := range row {
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			out[i] = v
			continue
		}
		out[i] = cells(v)[0]
	}
	return out
}

// writeSheet sends a contracts sheet as an XLSX download named
// name-YYYY-MM-DD.xlsx, its money, counts and dates stored as numbers.
func (s *Server) writeSheet(w http.ResponseWriter, name string, sh *contracts.Sheet) error {
	return s.writeTypedTable(w, name+"-"+s.today(), sh.Headers, sh.Kinds, sh.Rows)
}

// writeTable sends a table of text cells as an XLSX download named
// name.xlsx, its cells made safe like sheetCells.
func (s *Server) writeTable(w http.ResponseWriter, name string, headers []string, table [][]string) error {
	return s.writeTypedTable(w, name, headers, nil, table)
}

// writeTypedTable is writeTable with each column stored as kinds says
// (tabular.WriteTypedXLSX); typed cells are numbers or dates, never
// formulas, and sheetCells leaves them as they are.
func (s *Server) writeTypedTable(w http.ResponseWriter, name string, headers []string, kinds []tabular.Kind, table [][]string) error {
	rows := make([][]string, len(table))
	for i, r := range table {
		rows[i] = sheetCells(r)
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.xlsx"`, name))
	return tabular.WriteTypedXLSX(w, headers, kinds, rows)
}

// receivablesExport downloads the ageing report (应收账龄表) with the
// page's filter.
func (s *Server) receivablesExport(w http.ResponseWriter, r *http.Request) error {
	sh, err := s.Contracts.ReceivablesSheet(r.Context(), receivableFilter(r))
	if err != nil {
		return err
	}
	return s.writeSheet(w, "receivables", sh)
}

// renewalsExport downloads the renewal desk (续约清单) with the page's
// filter.
func (s *Server) renewalsExport(w http.ResponseWriter, r *http.Request) error {
	sh, err := s.Contracts.RenewalSheet(r.Context(), renewalFilter(r))
	if err != nil {
		return err
	}
	return s.writeSheet(w, "renewals", sh)
}
