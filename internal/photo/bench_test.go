package photo

import (
	"bytes"
	"testing"
)

// BenchmarkInspectThumbnail4000x3000 measures issue 5's target (thumbnail +
// EXIF for a 4000×3000 JPEG < 300 ms) on a generated photo-like JPEG
// (quality 90, with an EXIF block: time, offset, GPS, orientation 6), and
// its parts: the full decode, the EXIF read, the thumbnail from the decoded
// image (box reduce + CatmullRom + JPEG encode), and the whole path.
func BenchmarkInspectThumbnail4000x3000(b *testing.B) {
	spec := goodEXIF()
	spec.Orientation = 6
	data := withEXIF(b, realisticJPEG(b, 4000, 3000, 90), spec)
	b.ReportMetric(float64(len(data))/(1<<20), "MB")

	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			if _, err := decode(data, JPEG); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("exif", func(b *testing.B) {
		for b.Loop() {
			var in Info
			readEXIF(data, JPEG, &in)
			if !in.HasTaken() || !in.HasGPS {
				b.Fatal("no exif")
			}
		}
	})
	p, err := Inspect(bytes.NewReader(data), 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("thumbnail", func(b *testing.B) {
		for b.Loop() {
			if _, err := p.Thumbnail(DefaultThumbSide); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("total", func(b *testing.B) {
		for b.Loop() {
			p, err := Inspect(bytes.NewReader(data), 0)
			if err != nil {
				b.Fatal(err)
			}
			th, err := p.Thumbnail(DefaultThumbSide)
			if err != nil || th.Width != 360 || th.Height != 480 {
				b.Fatal(th.Width, th.Height, err)
			}
		}
	})
}
