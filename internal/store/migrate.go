package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate applies every pending embedded migration. The SQL is portable
// (same files on SQLite and PostgreSQL): BIGINT/TEXT/BOOLEAN/TIMESTAMP only.
// The changes the two databases cannot make with the same text are Go
// migrations: 00025 (migrate_chat.go) and 00026 (migrate_audit.go).
func (db *DB) Migrate(ctx context.Context, logger *slog.Logger) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	for _, r := range results {
		if logger != nil {
			logger.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
		}
	}
	return nil
}

// MigrateTo applies the pending migrations up to and including version
// (tests of a migration start from the version before it).
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("store: migrate to %d: %w", version, err)
	}
	return nil
}

// MigrateDownTo rolls the applied migrations above version back.
func (db *DB) MigrateDownTo(ctx context.Context, version int64) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	if _, err := p.DownTo(ctx, version); err != nil {
		return fmt.Errorf("store: migrate down to %d: %w", version, err)
	}
	return nil
}

func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	if db.dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true), goose.WithGoMigrations(chatMigration(db.dialect), auditAppendOnlyMigration(db.dialect), eventsFKMigration(db.dialect))}
	p, err := goose.NewProvider(dialect, db.SQLDB(), sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	return p, nil
}

// MigrationVersion returns the highest applied migration version.
func (db *DB) MigrationVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.R().NewRaw("SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied = ?", true).Scan(ctx, &v)
	return v, err
}
