package app

import "kefu/internal/comms"

// ClockSweeper is the sweeper runClockSweeper runs every second, wired as
// it wires it (the WeCom robot of the configuration), for tests to run
// one sweep at a time on an injected clock.
func (a *App) ClockSweeper() *comms.Sweeper { return a.clockSweeper() }
