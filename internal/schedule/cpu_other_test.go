//go:build !unix

package schedule

import "time"

// processCPU is not measured on this platform.
func processCPU() time.Duration { return 0 }

func machineBusy() time.Duration { return 0 }
