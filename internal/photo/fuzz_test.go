package photo

import (
	"bytes"
	"testing"

	"kefu/internal/apperr"
)

// FuzzInspect: arbitrary bytes never panic Inspect or Thumbnail, and every
// refusal is a classified error (invalid or too large), never an internal one.
func FuzzInspect(f *testing.F) {
	jpg := smallJPEG(f)
	f.Add(jpg)
	f.Add(withEXIF(f, jpg, goodEXIF()))
	f.Add(withEXIF(f, jpg, exifSpec{Orientation: 6, Taken: "2026:03:14 10:20:30"}))
	f.Add(jpg[:len(jpg)/2])
	png := encodePNG(f, quadrants(16, 8))
	f.Add(png)
	f.Add(pngWithEXIF(f, png, goodEXIF()))
	f.Add([]byte("not an image"))
	f.Add([]byte("\x00\x00\x00\x18ftypheic"))
	f.Add(pngHeaderOnly(1, 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Inspect(bytes.NewReader(data), 1<<20)
		if err != nil {
			if k := apperr.KindOf(err); k != apperr.KindInvalid && k != apperr.KindTooLarge {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if p.Orientation < 1 || p.Orientation > 8 || p.Width <= 0 || p.Height <= 0 {
			t.Fatalf("info = %+v", p.Info)
		}
		th, err := p.Thumbnail(64)
		if err != nil {
			t.Fatal(err)
		}
		if th.Width < 1 || th.Height < 1 || th.Width > 64 || th.Height > 64 {
			t.Fatalf("thumbnail %dx%d", th.Width, th.Height)
		}
	})
}
