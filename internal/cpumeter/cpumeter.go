// Package cpumeter reads CPU time for the benchmarks: the process's own
// (it does not grow when other processes compete for the cores, as
// wall-clock ns/op does) and the whole machine's, so a benchmark can say
// how much of the machine its neighbours used meanwhile.
package cpumeter

import "time"

// Others is the share (0–100) of the machine's cores that other
// processes used over elapsed, given the machine's busy time and this
// process's CPU time over the same span and the number of cores.
func Others(elapsed, machine, process time.Duration, cores int) float64 {
	if elapsed <= 0 || cores <= 0 || machine <= 0 {
		return 0
	}
	return 100 * max(0, float64(machine-process)) / (float64(elapsed) * float64(cores))
}
