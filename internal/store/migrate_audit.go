package store

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3"
)

// Migration 00026 makes the audit log (审计日志) append-only in the
// database itself, not only by the convention that no code updates or
// deletes it: an UPDATE, DELETE (or, on PostgreSQL, TRUNCATE) of audit_log
// is refused by a trigger, whoever sends it. It is written in Go because
// the two databases spell triggers differently.
const auditAppendOnlyVersion = 26

// auditAppendOnlyMessage is the error both databases raise.
const auditAppendOnlyMessage = "audit_log is append-only (审计日志只可追加，不可修改或删除)"

var auditAppendOnlyDDL = map[Dialect]struct{ up, down []string }{
	SQLite: {
		up: []string{
			`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, '` + auditAppendOnlyMessage + `'); END`,
			`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, '` + auditAppendOnlyMessage + `'); END`,
		},
		down: []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`},
	},
	Postgres: {
		up: []string{
			`CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '` + auditAppendOnlyMessage + `' USING ERRCODE = 'insufficient_privilege';
END
$$`,
			`CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`,
			`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`,
		},
		down: []string{`DROP TRIGGER audit_log_no_truncate ON audit_log`, `DROP TRIGGER audit_log_no_change ON audit_log`, `DROP FUNCTION audit_log_append_only()`},
	},
}

// auditAppendOnlyMigration returns migration 00026 for the dialect.
func auditAppendOnlyMigration(d Dialect) *goose.Migration {
	run := func(stmts []string) *goose.GoFunc {
		return &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			for _, q := range stmts {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		}}
	}
	ddl := auditAppendOnlyDDL[d]
	return goose.NewGoMigration(auditAppendOnlyVersion, run(ddl.up), run(ddl.down))
}
