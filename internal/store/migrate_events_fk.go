package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"github.com/pressly/goose/v3"
)

// Migration 00032 drops the foreign keys of events (staff_id, customer_id,
// flagged_by, withdrawn_by). A month's first derivation writes some
// 200,000 computed events, and each paid two index lookups for its keys
// and, the constraint being able to fail half-way through a multi-row
// insert, a statement journal: about 0.9 s of the month's 10 on SQLite,
// on the one writer. The references hold without them: computed events
// take their person and customer from the records they are derived from,
// staff and customers are never deleted (they are deactivated), and the
// events entered by hand check theirs (scorecards.Flag: the person and
// the customer must exist; complaints and unregistered requests take
// theirs from rows that keep their foreign keys). response_clocks dropped
// its foreign keys for the same reason (00013).
//
// Written in Go like 00025: PostgreSQL drops the named constraints;
// SQLite cannot, and rebuilding events needs foreign_keys off (event
// evidence and complaints reference it), so its CREATE statement is
// edited in place — removing a FOREIGN KEY constraint is one of the
// changes SQLite's documentation allows that way. Down adds them back
// and is refused if a row would break one (foreign_key_check).
const eventsFKMigrationVersion = 32

// eventsFKs are the columns of events that referenced another table.
var eventsFKs = []struct{ column, table string }{
	{"staff_id", "staff"}, {"customer_id", "customers"}, {"flagged_by", "staff"}, {"withdrawn_by", "staff"},
}

// eventsReferenceRE finds a column's REFERENCES clause in events' CREATE
// statement (00008: "staff_id TEXT REFERENCES staff (id)").
var eventsReferenceRE = regexp.MustCompile(`(\n\s*(\w+)\s+TEXT)\s+REFERENCES\s+(\w+)\s*\(id\)`)

func eventsFKMigration(d Dialect) *goose.Migration {
	up := func(ctx context.Context, tx *sql.Tx) error {
		if d == Postgres {
			var drops []string
			for _, fk := range eventsFKs {
				// A column's REFERENCES is named <table>_<column>_fkey.
				drops = append(drops, "DROP CONSTRAINT events_"+fk.column+"_fkey")
			}
			_, err := tx.ExecContext(ctx, "ALTER TABLE events "+strings.Join(drops, ", "))
			return err
		}
		return rewriteSQLiteTable(ctx, tx, "events", func(ddl string) (string, error) {
			found := eventsReferenceRE.FindAllStringSubmatch(ddl, -1)
			if len(found) != len(eventsFKs) {
				return "", fmt.Errorf("store: events schema has %d REFERENCES clauses, want %d: %s", len(found), len(eventsFKs), ddl)
			}
			return eventsReferenceRE.ReplaceAllString(ddl, "$1"), nil
		})
	}
	down := func(ctx context.Context, tx *sql.Tx) error {
		if d == Postgres {
			var adds []string
			for _, fk := range eventsFKs {
				adds = append(adds, fmt.Sprintf("ADD CONSTRAINT events_%s_fkey FOREIGN KEY (%s) REFERENCES %s (id)", fk.column, fk.column, fk.table))
			}
			_, err := tx.ExecContext(ctx, "ALTER TABLE events "+strings.Join(adds, ", "))
			return err
		}
		if err := rewriteSQLiteTable(ctx, tx, "events", func(ddl string) (string, error) {
			for _, fk := range eventsFKs {
				col := regexp.MustCompile(`(\n\s*` + fk.column + `\s+TEXT)(\s*[,\n])`)
				if len(col.FindAllString(ddl, -1)) != 1 {
					return "", fmt.Errorf("store: events schema: no single column %s to reference %s: %s", fk.column, fk.table, ddl)
				}
				ddl = col.ReplaceAllString(ddl, "$1 REFERENCES "+fk.table+" (id)$2")
			}
			return ddl, nil
		}); err != nil {
			return err
		}
		var broken []string
		if err := eachRow(ctx, tx, "SELECT parent || ' ' || rowid FROM pragma_foreign_key_check('events')", func(s string) {
			broken = append(broken, s)
		}); err != nil {
			return err
		}
		if len(broken) > 0 {
			return fmt.Errorf("store: 00032 down: %d events reference a missing row (%s); their foreign keys cannot come back", len(broken), strings.Join(broken[:min(len(broken), 5)], ", "))
		}
		return nil
	}
	return goose.NewGoMigration(eventsFKMigrationVersion, &goose.GoFunc{RunTx: up}, &goose.GoFunc{RunTx: down})
}
