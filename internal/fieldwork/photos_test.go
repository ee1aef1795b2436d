package fieldwork_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"sync"
	"testing"
)

// Test photos built in code (after internal/photo's tests): a small JPEG,
// with an EXIF block holding DateTimeOriginal, OffsetTimeOriginal and a
// GPS position, inserted as an APP1 segment.

type exifSpec struct {
	Taken  string // "2006:01:02 15:04:05"; "" for none
	Offset string // "+08:00"
	GPS    bool
	Lat    float64 // north
	Long   float64 // east
}

type tiffEntry struct {
	tag   uint16
	typ   uint16
	count uint32
	data  []byte
}

var le = binary.LittleEndian

func asciiEntry(tag uint16, s string) tiffEntry {
	b := append([]byte(s), 0)
	return tiffEntry{tag, 2, uint32(len(b)), b}
}

func dmsEntry(tag uint16, deg float64) tiffEntry {
	d := math.Floor(deg)
	m := math.Floor((deg - d) * 60)
	s := ((deg-d)*60 - m) * 60
	var b []byte
	for _, r := range [][2]uint32{{uint32(d), 1}, {uint32(m), 1}, {uint32(math.Round(s * 1000)), 1000}} {
		b = le.AppendUint32(b, r[0])
		b = le.AppendUint32(b, r[1])
	}
	return tiffEntry{tag, 5, 3, b}
}

func ifdSize(es []tiffEntry) int {
	n := 2 + 12*len(es) + 4
	for _, e := range es {
		if len(e.data) > 4 {
			n += (len(e.data) + 1) &^ 1
		}
	}
	return n
}

func appendIFD(b []byte, off int, es []tiffEntry) []byte {
	b = le.AppendUint16(b, uint16(len(es)))
	dataOff := off + 2 + 12*len(es) + 4
	var data []byte
	for _, e := range es {
		b = le.AppendUint16(b, e.tag)
		b = le.AppendUint16(b, e.typ)
		b = le.AppendUint32(b, e.count)
		if len(e.data) <= 4 {
			v := make([]byte, 4)
			copy(v, e.data)
			b = append(b, v...)
			continue
		}
		b = le.AppendUint32(b, uint32(dataOff+len(data)))
		data = append(data, e.data...)
		if len(data)%2 == 1 {
			data = append(data, 0)
		}
	}
	b = le.AppendUint32(b, 0)
	return append(b, data...)
}

func tiffEXIF(spec exifSpec) []byte {
	var exifIFD, gpsIFD, ifd0 []tiffEntry
	if spec.Taken != "" {
		exifIFD = append(exifIFD, asciiEntry(0x9003, spec.Taken))
	}
	if spec.Offset != "" {
		exifIFD = append(exifIFD, asciiEntry(0x9011, spec.Offset))
	}
	if spec.GPS {
		gpsIFD = []tiffEntry{asciiEntry(0x0001, "N"), dmsEntry(0x0002, spec.Lat), asciiEntry(0x0003, "E"), dmsEntry(0x0004, spec.Long)}
	}
	if len(exifIFD) > 0 {
		ifd0 = append(ifd0, tiffEntry{0x8769, 4, 1, make([]byte, 4)})
	}
	if len(gpsIFD) > 0 {
		ifd0 = append(ifd0, tiffEntry{0x8825, 4, 1, make([]byte, 4)})
	}
	exifOff := 8 + ifdSize(ifd0)
	gpsOff := exifOff
	if len(exifIFD) > 0 {
		gpsOff += ifdSize(exifIFD)
	}
	for i := range ifd0 {
		switch ifd0[i].tag {
		case 0x8769:
			ifd0[i].data = le.AppendUint32(nil, uint32(exifOff))
		case 0x8825:
			ifd0[i].data = le.AppendUint32(nil, uint32(gpsOff))
		}
	}
	b := []byte{'I', 'I', 42, 0, 8, 0, 0, 0}
	b = appendIFD(b, 8, ifd0)
	if len(exifIFD) > 0 {
		b = appendIFD(b, exifOff, exifIFD)
	}
	if len(gpsIFD) > 0 {
		b = appendIFD(b, gpsOff, gpsIFD)
	}
	return b
}

// plainJPEG is a w×h JPEG without EXIF.
func plainJPEG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetRGBA(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

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

func withEXIF(tb testing.TB, jpg []byte, spec exifSpec) []byte {
	tb.Helper()
	if !bytes.HasPrefix(jpg, []byte{0xFF, 0xD8}) {
		tb.Fatal("not a JPEG")
	}
	payload := append([]byte("Exif\x00\x00"), tiffEXIF(spec)...)
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(2+len(payload)))
	seg = append(seg, payload...)
	out := append([]byte{0xFF, 0xD8}, seg...)
	return append(out, jpg[2:]...)
}

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
