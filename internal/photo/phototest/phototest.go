// Package phototest builds test photos in code for the tests of the
// packages that take photos (internal/photo, field work's acceptance
// evidence): EXIF blocks — a little-endian TIFF structure: IFD0 with
// Orientation and pointers to the Exif IFD, holding DateTimeOriginal and
// OffsetTimeOriginal, and the GPS IFD — inserted as an APP1 segment into a
// JPEG or an eXIf chunk into a PNG, and plain JPEGs.
package phototest

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"testing"
)

// EXIF blocks (a little-endian TIFF
// structure: IFD0 with Orientation and pointers to the Exif IFD, holding
// DateTimeOriginal and OffsetTimeOriginal, and the GPS IFD) inserted as an
// APP1 segment into a JPEG or an eXIf chunk into a PNG.

// EXIF describes the EXIF block to write; zero fields are left out.
type EXIF struct {
	Orientation int
	Taken       string // DateTimeOriginal, "2006:01:02 15:04:05"
	Offset      string // OffsetTimeOriginal, "+08:00"
	GPS         bool
	Lat, Long   float64 // decimal degrees, written as degrees/minutes/seconds
	LatRef      string  // "N" (default) or "S"
	LongRef     string  // "E" (default) or "W"
}

type tiffEntry struct {
	tag   uint16
	typ   uint16 // 2 ASCII, 3 SHORT, 4 LONG, 5 RATIONAL
	count uint32
	data  []byte // the value bytes; inline when ≤ 4
}

var le = binary.LittleEndian

func asciiEntry(tag uint16, s string) tiffEntry {
	b := append([]byte(s), 0)
	return tiffEntry{tag, 2, uint32(len(b)), b}
}

func shortEntry(tag uint16, v uint16) tiffEntry {
	return tiffEntry{tag, 3, 1, le.AppendUint16(nil, v)}
}

// dmsEntry writes decimal degrees as three rationals: d/1, m/1, s·1000/1000.
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

// appendIFD writes es at offset off (from the TIFF header), their long
// values right after the IFD, and no next IFD.
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

// TIFF returns the TIFF structure of spec.
func TIFF(spec EXIF) []byte {
	var exifIFD, gpsIFD []tiffEntry
	if spec.Taken != "" {
		exifIFD = append(exifIFD, asciiEntry(0x9003, spec.Taken))
	}
	if spec.Offset != "" {
		exifIFD = append(exifIFD, asciiEntry(0x9011, spec.Offset))
	}
	if spec.GPS {
		gpsIFD = []tiffEntry{
			asciiEntry(0x0001, cmp.Or(spec.LatRef, "N")), dmsEntry(0x0002, spec.Lat),
			asciiEntry(0x0003, cmp.Or(spec.LongRef, "E")), dmsEntry(0x0004, spec.Long),
		}
	}
	var ifd0 []tiffEntry
	if spec.Orientation != 0 {
		ifd0 = append(ifd0, shortEntry(0x0112, uint16(spec.Orientation)))
	}
	// Pointers are patched below, once the IFD0 size is known.
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

// WithEXIF inserts spec as an APP1 Exif segment right after the JPEG's SOI.
func WithEXIF(tb testing.TB, jpg []byte, spec EXIF) []byte {
	tb.Helper()
	if !bytes.HasPrefix(jpg, []byte{0xFF, 0xD8}) {
		tb.Fatal("not a JPEG")
	}
	payload := append([]byte("Exif\x00\x00"), TIFF(spec)...)
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(2+len(payload)))
	seg = append(seg, payload...)
	out := append([]byte{0xFF, 0xD8}, seg...)
	return append(out, jpg[2:]...)
}

// PNGChunk encodes one PNG chunk with its CRC.
func PNGChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// PNGWithEXIF inserts spec as an eXIf chunk right after the PNG's IHDR.
func PNGWithEXIF(tb testing.TB, p []byte, spec EXIF) []byte {
	tb.Helper()
	const ihdrEnd = 8 + 8 + 13 + 4
	out := append([]byte{}, p[:ihdrEnd]...)
	out = append(out, PNGChunk("eXIf", TIFF(spec))...)
	return append(out, p[ihdrEnd:]...)
}

// PNGHeaderOnly is a PNG signature and IHDR claiming w×h, and nothing else.
func PNGHeaderOnly(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8-bit RGB
	return append([]byte("\x89PNG\r\n\x1a\n"), PNGChunk("IHDR", ihdr)...)
}

// PlainJPEG is a w×h JPEG of gradients, without EXIF.
func PlainJPEG(tb testing.TB, w, h int) []byte {
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
