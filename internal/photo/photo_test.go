package photo

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"kefu/internal/apperr"
)

var shanghai = time.FixedZone("CST", 8*3600)

func goodEXIF() exifSpec {
	return exifSpec{
		Orientation: 1, Taken: "2026:03:14 10:20:30", Offset: "+08:00",
		GPS: true, Lat: 31.2304, LatRef: "N", Long: 121.4737, LongRef: "E",
	}
}

func smallJPEG(t testing.TB) []byte { return encodeJPEG(t, quadrants(64, 48), 90) }

func TestInspectJPEGWithEXIF(t *testing.T) {
	data := withEXIF(t, smallJPEG(t), goodEXIF())
	p, err := Inspect(bytes.NewReader(data), 0)
	if err != nil {
		t.Fatal(err)
	}
	in := p.Info
	if in.Format != JPEG || in.Width != 64 || in.Height != 48 || in.Size != int64(len(data)) || in.Orientation != 1 {
		t.Errorf("info = %+v", in)
	}
	want := time.Date(2026, 3, 14, 10, 20, 30, 0, shanghai)
	if !in.TakenZoned || !in.Taken.Equal(want) {
		t.Errorf("taken = %v zoned %v, want %v", in.Taken, in.TakenZoned, want)
	}
	if _, off := in.Taken.Zone(); off != 8*3600 {
		t.Errorf("offset = %d", off)
	}
	if !in.HasGPS || math.Abs(in.Lat-31.2304) > 1e-5 || math.Abs(in.Long-121.4737) > 1e-5 {
		t.Errorf("gps = %v %v %v", in.HasGPS, in.Lat, in.Long)
	}
}

func TestInspectEXIFVariants(t *testing.T) {
	for _, tc := range []struct {
		name     string
		spec     exifSpec
		orient   int
		taken    string // wall clock, "" for none
		zoned    bool
		gps      bool
		lat, lon float64
	}{
		{"no offset: wall clock kept", exifSpec{Taken: "2026:03:14 23:59:59"}, 1, "2026-03-14 23:59:59", false, false, 0, 0},
		{"south west", exifSpec{Taken: "2026:01:02 03:04:05", Offset: "-05:00", GPS: true, Lat: 33.5, LatRef: "S", Long: 70.25, LongRef: "W"}, 1, "2026-01-02 03:04:05", true, true, -33.5, -70.25},
		{"orientation 6", exifSpec{Orientation: 6}, 6, "", false, false, 0, 0},
		{"orientation 8", exifSpec{Orientation: 8}, 8, "", false, false, 0, 0},
		{"invalid orientation", exifSpec{Orientation: 9}, 1, "", false, false, 0, 0},
		{"blank time", exifSpec{Taken: "    :  :     :  :  "}, 1, "", false, false, 0, 0},
		{"zero time", exifSpec{Taken: "0000:00:00 00:00:00"}, 1, "", false, false, 0, 0},
		{"bad offset ignored", exifSpec{Taken: "2026:03:14 10:00:00", Offset: "local"}, 1, "2026-03-14 10:00:00", false, false, 0, 0},
		{"gps at 0,0 is no gps", exifSpec{GPS: true, LatRef: "N", LongRef: "E"}, 1, "", false, false, 0, 0},
		{"latitude over 90", exifSpec{GPS: true, Lat: 91, LatRef: "N", Long: 10, LongRef: "E"}, 1, "", false, false, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Inspect(bytes.NewReader(withEXIF(t, smallJPEG(t), tc.spec)), 0)
			if err != nil {
				t.Fatal(err)
			}
			in := p.Info
			if in.Orientation != tc.orient {
				t.Errorf("orientation = %d, want %d", in.Orientation, tc.orient)
			}
			got := ""
			if in.HasTaken() {
				got = in.Taken.Format(time.DateTime)
			}
			if got != tc.taken || in.TakenZoned != tc.zoned {
				t.Errorf("taken = %q zoned %v, want %q %v", got, in.TakenZoned, tc.taken, tc.zoned)
			}
			if in.HasGPS != tc.gps || math.Abs(in.Lat-tc.lat) > 1e-5 || math.Abs(in.Long-tc.lon) > 1e-5 {
				t.Errorf("gps = %v %v %v, want %v %v %v", in.HasGPS, in.Lat, in.Long, tc.gps, tc.lat, tc.lon)
			}
		})
	}
}

func TestInspectWithoutEXIF(t *testing.T) {
	p, err := Inspect(bytes.NewReader(smallJPEG(t)), 0)
	if err != nil {
		t.Fatal(err)
	}
	if p.HasTaken() || p.HasGPS || p.Orientation != 1 {
		t.Errorf("info = %+v", p.Info)
	}
	flags, err := CheckDate(p.Info, "2026-03-14", shanghai, time.Now())
	if err != nil || len(flags) != 1 || flags[0] != FlagEXIFMissing {
		t.Errorf("flags = %v, %v", flags, err)
	}
}

func TestInspectPNG(t *testing.T) {
	data := encodePNG(t, quadrants(30, 20))
	p, err := Inspect(bytes.NewReader(data), 0)
	if err != nil {
		t.Fatal(err)
	}
	if p.Format != PNG || p.Width != 30 || p.Height != 20 || p.HasTaken() {
		t.Errorf("info = %+v", p.Info)
	}
	// PNG may carry EXIF in an eXIf chunk (screenshots rarely do).
	p, err = Inspect(bytes.NewReader(pngWithEXIF(t, data, exifSpec{Orientation: 3, Taken: "2026:03:14 10:20:30"})), 0)
	if err != nil {
		t.Fatal(err)
	}
	if p.Orientation != 3 || p.Taken.Format(time.DateTime) != "2026-03-14 10:20:30" {
		t.Errorf("png exif info = %+v", p.Info)
	}
}

func TestInspectRefuses(t *testing.T) {
	good := smallJPEG(t)
	gif := []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	for _, tc := range []struct {
		name  string
		data  []byte
		limit int64
		kind  apperr.Kind
		msg   string // part of the message
	}{
		{"empty", nil, 0, apperr.KindInvalid, "为空"},
		{"text named .jpg", []byte("这不是照片，只是一段文字 named photo.jpg"), 0, apperr.KindInvalid, "不是图片"},
		{"pdf", []byte("%PDF-1.7\n..."), 0, apperr.KindInvalid, "不是图片"},
		{"zeros", make([]byte, 100), 0, apperr.KindInvalid, "不是图片"},
		{"heic", append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), make([]byte, 64)...), 0, apperr.KindInvalid, "HEIC"},
		{"gif", gif, 0, apperr.KindInvalid, "只接受 JPEG 或 PNG"},
		{"truncated jpeg", good[:len(good)/2], 0, apperr.KindInvalid, "不完整"},
		{"jpeg header only", good[:200], 0, apperr.KindInvalid, ""},
		{"corrupt jpeg body", corruptMiddle(good), 0, apperr.KindInvalid, ""},
		{"truncated png", encodePNG(t, quadrants(30, 20))[:60], 0, apperr.KindInvalid, ""},
		{"bomb: huge canvas claimed", pngHeaderOnly(20000, 20000), 0, apperr.KindInvalid, "过大"},
		{"over the limit", good, int64(len(good) - 1), apperr.KindTooLarge, "上限"},
		{"over a 1 KB limit", realisticJPEG(t, 200, 150, 90), 1024, apperr.KindTooLarge, "1 KB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Inspect(bytes.NewReader(tc.data), tc.limit)
			if err == nil {
				t.Fatalf("accepted: %+v", p.Info)
			}
			e, ok := apperr.As(err)
			if !ok || e.Kind != tc.kind || e.Field != "file" || !strings.Contains(e.Message, tc.msg) {
				t.Errorf("err = %v, want %s on file containing %q", err, tc.kind, tc.msg)
			}
		})
	}
}

// corruptMiddle overwrites part of the entropy-coded data with marker bytes.
func corruptMiddle(b []byte) []byte {
	c := append([]byte{}, b...)
	for i := len(c) / 2; i < len(c)/2+40; i += 2 {
		c[i], c[i+1] = 0xFF, 0xC4
	}
	return c
}

func TestInspectLimit(t *testing.T) {
	good := smallJPEG(t)
	if _, err := Inspect(bytes.NewReader(good), int64(len(good))); err != nil {
		t.Errorf("exactly at the limit: %v", err)
	}
	// The reader is not drained past limit+1: a 30 MB upload costs 15 MB.
	r := &countingReader{n: 30 << 20}
	_, err := Inspect(r, DefaultLimit)
	if !apperr.Is(err, apperr.KindTooLarge) || !strings.Contains(err.Error(), "15 MB") {
		t.Errorf("30 MB: %v", err)
	}
	if r.read > DefaultLimit+1 {
		t.Errorf("read %d bytes", r.read)
	}
}

type countingReader struct{ n, read int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	if r.read >= r.n {
		return 0, errors.New("eof")
	}
	k := min(int64(len(p)), r.n-r.read)
	clear(p[:k])
	r.read += k
	return int(k), nil
}

func TestInspectReadError(t *testing.T) {
	boom := errors.New("connection reset")
	_, err := Inspect(iotest.ErrReader(boom), 0)
	if !errors.Is(err, boom) || apperr.KindOf(err) != "" {
		t.Errorf("err = %v", err)
	}
}

func TestSizeText(t *testing.T) {
	for n, want := range map[int64]string{15 << 20: "15 MB", 3 << 19: "1.5 MB", 200 << 10: "200 KB", 100: "100 字节"} {
		if got := sizeText(n); got != want {
			t.Errorf("sizeText(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestThumbnailOrientation checks every EXIF orientation on a JPEG with
// red, green, blue and white quadrants, through the box-reduce path (large
// source) and the direct path (small source).
func TestThumbnailOrientation(t *testing.T) {
	// want[o] are the upright quadrants TL, TR, BL, BR as indexes into quadColors.
	want := map[int][4]int{
		1: {0, 1, 2, 3}, 2: {1, 0, 3, 2}, 3: {3, 2, 1, 0}, 4: {2, 3, 0, 1},
		5: {0, 2, 1, 3}, 6: {2, 0, 3, 1}, 7: {3, 1, 2, 0}, 8: {1, 3, 0, 2},
	}
	for _, size := range []struct {
		name       string
		w, h, side int
		tw, th     int // thumbnail size for orientation 1
	}{
		{"reduced", 800, 400, 100, 100, 50},
		{"direct", 80, 40, 480, 80, 40},
	} {
		jpg := encodeJPEG(t, quadrants(size.w, size.h), 95)
		for o := 1; o <= 8; o++ {
			p, err := Inspect(bytes.NewReader(withEXIF(t, jpg, exifSpec{Orientation: o})), 0)
			if err != nil {
				t.Fatal(err)
			}
			th, err := p.Thumbnail(size.side)
			if err != nil {
				t.Fatal(err)
			}
			img, err := jpeg.Decode(bytes.NewReader(th.JPEG))
			if err != nil {
				t.Fatal(err)
			}
			tw, tht := size.tw, size.th
			if o >= 5 {
				tw, tht = tht, tw
			}
			if b := img.Bounds(); th.Width != tw || th.Height != tht || b.Dx() != tw || b.Dy() != tht {
				t.Errorf("%s o=%d: size %dx%d (%v), want %dx%d", size.name, o, th.Width, th.Height, b, tw, tht)
				continue
			}
			if w, h := p.DisplaySize(); (w > h) != (tw > tht) {
				t.Errorf("%s o=%d: DisplaySize %dx%d", size.name, o, w, h)
			}
			pts := [4]image.Point{{tw / 4, tht / 4}, {3 * tw / 4, tht / 4}, {tw / 4, 3 * tht / 4}, {3 * tw / 4, 3 * tht / 4}}
			for q, pt := range pts {
				if got := nearestQuad(img.At(pt.X, pt.Y)); got != want[o][q] {
					t.Errorf("%s o=%d: quadrant %d is colour %d, want %d", size.name, o, q, got, want[o][q])
				}
			}
		}
	}
}

func nearestQuad(c color.Color) int {
	r, g, b, _ := c.RGBA()
	best, bestD := -1, math.MaxFloat64
	for i, q := range quadColors {
		dr, dg, db := float64(r>>8)-float64(q.R), float64(g>>8)-float64(q.G), float64(b>>8)-float64(q.B)
		if d := dr*dr + dg*dg + db*db; d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

func TestThumbnailSizes(t *testing.T) {
	for _, tc := range []struct {
		w, h, side, tw, th int
	}{
		{4000, 3000, 480, 480, 360},
		{3000, 4000, 480, 360, 480},
		{1000, 10, 480, 480, 5},
		{10000, 3, 480, 480, 1},
		{300, 200, 480, 300, 200}, // never enlarged
		{480, 480, 480, 480, 480},
	} {
		if tw, th := fit(tc.w, tc.h, tc.side); tw != tc.tw || th != tc.th {
			t.Errorf("fit(%d, %d, %d) = %d, %d; want %d, %d", tc.w, tc.h, tc.side, tw, th, tc.tw, tc.th)
		}
	}
	// A PNG (not YCbCr) through the generic box reduce, default side.
	p, err := Inspect(bytes.NewReader(encodePNG(t, quadrants(1200, 900))), 0)
	if err != nil {
		t.Fatal(err)
	}
	th, err := p.Thumbnail(0)
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(th.JPEG))
	if err != nil || img.Bounds().Dx() != DefaultThumbSide || img.Bounds().Dy() != 360 {
		t.Fatalf("png thumbnail: %v %v", img.Bounds(), err)
	}
	if got := nearestQuad(img.At(DefaultThumbSide*3/4, 90)); got != 1 {
		t.Errorf("png thumbnail top-right colour %d", got)
	}
}
