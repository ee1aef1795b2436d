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
func (db *DB) Migrate(ctx context.Context, logger *slog.Logger) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	dialect := goose.DialectSQLite3
	if db.dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	p, err := goose.NewProvider(dialect, db.SQLDB(), sub, opts...)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
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

// MigrationVersion returns the highest applied migration version.
func (db *DB) MigrationVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.R().NewRaw("SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied = ?", true).Scan(ctx, &v)
	return v, err
}
