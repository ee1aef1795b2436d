package fieldwork_test

import (
	"sync"
	"testing"

	"kefu/internal/photo/phototest"
)

// Test photos come from internal/photo/phototest: a small JPEG with an
// EXIF block holding DateTimeOriginal, OffsetTimeOriginal and a GPS
// position.

type exifSpec = phototest.EXIF

var (
	withEXIF  = phototest.WithEXIF
	plainJPEG = phototest.PlainJPEG
)

// beijingCBD is where the test photos are taken.
var beijingCBD = exifSpec{Offset: "+08:00", GPS: true, Lat: 39.9087, Long: 116.4605}

// jpegTaken is a small (160×120, so quick to thumbnail) JPEG taken at
// taken ("2006:01:02 15:04:05", Beijing time) in Beijing's CBD.
func jpegTaken(tb testing.TB, taken string) []byte {
	tb.Helper()
	if b, ok := takenCache.Load(taken); ok {
		return b.([]byte)
	}
	spec := beijingCBD
	spec.Taken = taken
	b := withEXIF(tb, plainJPEG(tb, 160, 120), spec)
	takenCache.Store(taken, b)
	return b
}

// takenCache keeps the photos made by jpegTaken (callers do not modify them).
var takenCache sync.Map

// corruptJPEG overwrites part of the entropy-coded data with marker bytes.
func corruptJPEG(b []byte) []byte {
	c := append([]byte{}, b...)
	for i := len(c) / 2; i < len(c)/2+40; i += 2 {
		c[i], c[i+1] = 0xFF, 0xC4
	}
	return c
}

// zeros reads zero bytes forever.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
