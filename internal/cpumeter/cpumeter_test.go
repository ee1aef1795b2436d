package cpumeter

import (
	"runtime"
	"testing"
	"time"
)

func TestOthers(t *testing.T) {
	for _, c := range []struct {
		elapsed, machine, process time.Duration
		cores                     int
		want                      float64
	}{
		{time.Second, 2 * time.Second, time.Second, 2, 50},
		{time.Second, time.Second, time.Second, 2, 0},
		{time.Second, time.Second, 2 * time.Second, 2, 0}, // ticks are coarse: never below 0
		{0, time.Second, 0, 2, 0},
		{time.Second, 0, 0, 2, 0}, // no /proc/stat
		{time.Second, time.Second, 0, 0, 0},
	} {
		if got := Others(c.elapsed, c.machine, c.process, c.cores); got != c.want {
			t.Errorf("Others(%v, %v, %v, %d) = %v, want %v", c.elapsed, c.machine, c.process, c.cores, got, c.want)
		}
	}
}

// TestProcessGrows: spinning uses CPU time the meter sees (on unix).
func TestProcessGrows(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" {
		t.Skip("no CPU time on this platform")
	}
	p0, m0 := Process(), Machine()
	x := 0
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; {
		x++
	}
	if p := Process() - p0; p <= 0 {
		t.Errorf("process CPU did not grow after spinning (%d loops)", x)
	}
	if runtime.GOOS == "linux" && Machine() < m0 {
		t.Errorf("machine CPU went backwards")
	}
}
