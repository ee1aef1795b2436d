package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"kefu/internal/app"
	"kefu/internal/apperr"
	"kefu/internal/org"
	"kefu/internal/scorecards"
)

// appraiseCmd computes the month's scorecards (kefu appraise) and prints
// them: a table of totals, with every line of the card when one staff
// member is asked for, or JSON.
func appraiseCmd(ctx context.Context, a *app.App, o cliOptions, out io.Writer) error {
	if o.format != "table" && o.format != "json" {
		return fmt.Errorf("-format must be table or json")
	}
	month := o.month
	if month == "" {
		month = a.Now().In(a.Location()).AddDate(0, -1, 0).Format("2006-01")
	}
	var staff []org.Staff
	if o.login != "" {
		st, err := a.Org.StaffByLogin(ctx, o.login)
		if err != nil {
			return fmt.Errorf("-staff %s: %w", o.login, err)
		}
		staff = []org.Staff{*st}
	} else {
		yes := true
		var err error
		if staff, err = a.Org.ListStaff(ctx, org.StaffFilter{Active: &yes}); err != nil {
			return err
		}
	}
	id := ""
	if o.login != "" {
		id = staff[0].ID
	}
	if _, err := a.Scorecards.Compute(ctx, month, id); err != nil {
		return err
	}
	type row struct {
		Login  string                 `json:"login"`
		Name   string                 `json:"name"`
		Card   *scorecards.Scorecard  `json:"card"`
		Checks []scorecards.CheckCard `json:"checks,omitempty"` // the month's 检查考核, as recorded (not computed)
	}
	var rows []row
	for _, st := range staff {
		c, err := a.Scorecards.Card(ctx, st.ID, month)
		if apperr.Is(err, apperr.KindNotFound) {
			continue // no scheme for the role
		}
		if err != nil {
			return err
		}
		checks, err := a.Scorecards.Checks(ctx, st.ID, month)
		if err != nil {
			return err
		}
		rows = append(rows, row{st.Login, st.Name, c, checks})
	}
	if o.format == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t\t\t\t\t\n", month)
	fmt.Fprintln(tw, "login\tname\tscheme\ttotal\tbonus\tfinal\tstatus")
	for _, r := range rows {
		status := r.Card.Status
		if !r.Card.Complete {
			status += " (待评)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Login, r.Name, r.Card.Card.Scheme, r.Card.Total, r.Card.Bonus, r.Card.Final, status)
	}
	if o.login != "" && len(rows) == 1 {
		fmt.Fprintln(tw, "\t\t\t\t\t\t")
		fmt.Fprintln(tw, "item\tname\tmax\tscore\tdetail\t\t")
		for _, l := range rows[0].Card.Card.Lines {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\t\n", l.Item, l.Name, l.Max, l.Score, l.Detail)
		}
		if len(rows[0].Checks) > 0 {
			fmt.Fprintln(tw, "\t\t\t\t\t\t")
			fmt.Fprintln(tw, "check\tname\tmax\tscore\tstatus\t\t")
			for _, c := range rows[0].Checks {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\t\n", c.Period, c.SchemeName, c.Card.Max, c.Final, c.Status)
			}
		}
	}
	return tw.Flush()
}
