package customers

import (
	"context"
	"database/sql"

	"kefu/internal/access"

	"github.com/uptrace/bun"
)

// edit runs fn in one transaction after checking that the caller may
// change customer customerID, with the recording (who, when, 知悉日期)
// every archive change carries.
func (s *Service) edit(ctx context.Context, customerID string, ch Change,
	fn func(ctx context.Context, tx bun.Tx, c *Customer, rec recording) error) error {
	p := access.Caller(ctx)
	rec, err := s.recording(p, ch)
	if err != nil {
		return err
	}
	return s.db.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		c, err := writable(ctx, tx, p, customerID)
		if err != nil {
			return err
		}
		return fn(ctx, tx, c, rec)
	})
}

// updateAt writes model's columns where id and version match; a stale
// version is a conflict.
func updateAt(ctx context.Context, tx bun.IDB, model any, id string, version int64, columns ...string) error {
	var res sql.Result
	res, err := tx.NewUpdate().Model(model).Column(columns...).Where("id = ? AND version = ?", id, version).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return staleVersion()
	}
	return nil
}

// readable checks the caller may read the customer.
func (s *Service) readable(ctx context.Context, customerID string) error {
	_, err := s.GetCustomer(ctx, customerID)
	return err
}
