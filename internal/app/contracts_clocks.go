package app

import (
	"context"
	"time"

	"kefu/internal/comms"
)

// contractClocks lets the contracts domain re-derive the response clocks
// of a customer after it logs a renewal, dunning or quote follow-up
// contact (contracts.ClockDeriver), backed by the comms service that owns
// the clocks.
type contractClocks struct{ c *comms.Service }

func (a contractClocks) RecomputeCustomer(ctx context.Context, customerID string, at time.Time) error {
	_, err := a.c.RecomputeCustomer(ctx, customerID, at)
	return err
}
