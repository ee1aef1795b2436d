//go:build !unix

package cpumeter

import "time"

// Process is not measured on this platform.
func Process() time.Duration { return 0 }

// Machine is not measured on this platform.
func Machine() time.Duration { return 0 }
