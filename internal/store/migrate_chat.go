package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/pressly/goose/v3"
)

// Migration 00025 lets communications.channel take 'chat' (online chat,
// 在线客服), which comms and sla have accepted since the service desk
// (SPEC §5.1: online chat answered within 60 s) but 00006's CHECK did not.
//
// It is written in Go, because the two databases change a CHECK
// constraint in different ways and a .sql file is the same text on both:
//
//   - PostgreSQL drops the column's constraint and adds the wider one.
//   - SQLite cannot alter a constraint, and rebuilding communications (the
//     12-step ALTER TABLE procedure) needs foreign_keys off, which cannot
//     change inside goose's transaction, while a dozen tables reference the
//     table. A CHECK that only accepts more values is the case SQLite's
//     documentation allows to be edited in place (lang_altertable.html,
//     "Making Other Kinds Of Table Schema Changes"): the table's CREATE
//     statement in sqlite_schema is rewritten under writable_schema, the
//     schema version is bumped so that every connection reloads it, and
//     integrity_check confirms the table. No row is touched.
//
// Down narrows the constraint back and is refused while chat records exist.
const chatMigrationVersion = 25

// The channel CHECK as 00006_contracts.sql wrote it, and with chat.
const (
	channelCheckOld = `CHECK (channel IN ('wechat_group', 'wechat_private', 'phone_in', 'phone_out', 'phone_missed', 'visit', 'email', 'sms', 'other'))`
	channelCheckNew = `CHECK (channel IN ('wechat_group', 'wechat_private', 'phone_in', 'phone_out', 'phone_missed', 'chat', 'visit', 'email', 'sms', 'other'))`
)

// chatMigration returns migration 00025 for the dialect.
func chatMigration(d Dialect) *goose.Migration {
	up := func(ctx context.Context, tx *sql.Tx) error {
		return setChannelCheck(ctx, tx, d, channelCheckOld, channelCheckNew)
	}
	down := func(ctx context.Context, tx *sql.Tx) error {
		var n int64
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM communications WHERE channel = 'chat'").Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("store: 00025 down: %d communication records are online chat (channel 'chat'); the narrower CHECK would refuse them", n)
		}
		return setChannelCheck(ctx, tx, d, channelCheckNew, channelCheckOld)
	}
	return goose.NewGoMigration(chatMigrationVersion, &goose.GoFunc{RunTx: up}, &goose.GoFunc{RunTx: down})
}

// setChannelCheck replaces the channel CHECK of communications from one
// text to the other.
func setChannelCheck(ctx context.Context, tx *sql.Tx, d Dialect, from, to string) error {
	if d == Postgres {
		// An inline column CHECK is named <table>_<column>_check.
		_, err := tx.ExecContext(ctx, "ALTER TABLE communications DROP CONSTRAINT communications_channel_check, ADD CONSTRAINT communications_channel_check "+to)
		return err
	}
	return rewriteSQLiteTable(ctx, tx, "communications", func(ddl string) (string, error) {
		if n := strings.Count(ddl, from); n != 1 {
			return "", fmt.Errorf("store: communications schema has %d copies of the channel CHECK %q, want 1: %s", n, from, ddl)
		}
		return strings.Replace(ddl, from, to, 1), nil
	})
}

// rewriteSQLiteTable edits a SQLite table's CREATE statement in place, for
// the changes SQLite's documentation allows that way (lang_altertable.html,
// "Making Other Kinds Of Table Schema Changes": removing CHECK, FOREIGN
// KEY or NOT NULL constraints, a CHECK that accepts more): edit returns
// the new statement; it is written under writable_schema, the schema
// version is bumped so that every connection reloads it, and
// integrity_check confirms the table. No row is touched.
func rewriteSQLiteTable(ctx context.Context, tx *sql.Tx, table string, edit func(ddl string) (string, error)) error {
	var ddl string
	if err := tx.QueryRowContext(ctx, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", table).Scan(&ddl); err != nil {
		return fmt.Errorf("store: %s schema: %w", table, err)
	}
	next, err := edit(ddl)
	if err != nil {
		return err
	}
	var version int64
	if err := tx.QueryRowContext(ctx, "PRAGMA schema_version").Scan(&version); err != nil {
		return err
	}
	// A pragma outlives the transaction on the connection: whatever
	// happens, the writer does not keep a writable schema.
	defer func() { _, _ = tx.ExecContext(ctx, "PRAGMA writable_schema = OFF") }()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"PRAGMA writable_schema = ON", nil},
		{"UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?", []any{next, table}},
		// PRAGMA takes no bound parameters.
		{fmt.Sprintf("PRAGMA schema_version = %d", version+1), nil},
		{"PRAGMA writable_schema = OFF", nil},
	} {
		if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
			return fmt.Errorf("store: %s: %w", q.sql, err)
		}
	}
	// The table and its indexes only: the rest was not touched.
	var problems []string
	if err := eachRow(ctx, tx, fmt.Sprintf("PRAGMA integrity_check(%s)", table), func(s string) {
		if s != "ok" {
			problems = append(problems, s)
		}
	}); err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("store: %s after editing its schema: %s", table, strings.Join(problems, "; "))
	}
	return nil
}

// eachRow calls fn with the first column of each row of q.
func eachRow(ctx context.Context, tx *sql.Tx, q string, fn func(string)) error {
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		fn(s)
	}
	return rows.Err()
}
