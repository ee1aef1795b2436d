package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// GetSetting reads the JSON value stored under key in the settings table
// into v (which may hold defaults: fields the stored value lacks keep
// them). found is false, and v untouched, when nothing is stored.
func GetSetting(ctx context.Context, db bun.IDB, key string, v any) (found bool, err error) {
	var raw string
	err = db.NewSelect().Table("settings").Column("value").Where("key = ?", key).Scan(ctx, &raw)
	if errors.Is(err, ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return true, fmt.Errorf("store: setting %s: %w", key, err)
	}
	return true, nil
}

// PutSetting stores v as JSON under key, bumping its version.
func PutSetting(ctx context.Context, db bun.IDB, key string, v any, at time.Time) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: setting %s: %w", key, err)
	}
	_, err = db.NewRaw(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at, version = settings.version + 1`,
		key, string(b), Time(at)).Exec(ctx)
	return err
}
