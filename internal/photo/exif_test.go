package photo

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"testing"

	"kefu/internal/photo/phototest"
)

// Test photos come from phototest; the aliases keep this package's tests short.
type exifSpec = phototest.EXIF

var (
	withEXIF      = phototest.WithEXIF
	pngWithEXIF   = phototest.PNGWithEXIF
	pngHeaderOnly = phototest.PNGHeaderOnly
)

// quadrants is a w×h image with red, green, blue and white quadrants
// (top-left, top-right, bottom-left, bottom-right).
func quadrants(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := quadColors[btoi(y >= h/2)*2+btoi(x >= w/2)]
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

var quadColors = [4]color.RGBA{{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}, {255, 255, 255, 255}}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func encodeJPEG(tb testing.TB, img image.Image, q int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func encodePNG(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// realisticJPEG encodes a w×h photo-like 4:2:0 image (gradients, blocks and
// per-pixel noise, so the entropy coder has real work) at quality q.
func realisticJPEG(tb testing.TB, w, h, q int) []byte {
	tb.Helper()
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	rng := rand.New(rand.NewPCG(1, 2))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := (x*200)/w + (y*40)/h + rng.IntN(24)
			if (x/97+y/131)%5 == 0 {
				v = 255 - v
			}
			img.Y[img.YOffset(x, y)] = uint8(min(max(v, 0), 255))
		}
	}
	for y := 0; y < (h+1)/2; y++ {
		for x := 0; x < (w+1)/2; x++ {
			i := y*img.CStride + x
			img.Cb[i] = uint8(100 + (x*60)/w + rng.IntN(8))
			img.Cr[i] = uint8(150 - (y*50)/h + rng.IntN(8))
		}
	}
	return encodeJPEG(tb, img, q)
}
