package photo

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"

	"golang.org/x/image/draw"
	"golang.org/x/image/math/f64"
)

// DefaultThumbSide is the long side of a thumbnail when the caller passes none.
const DefaultThumbSide = 480

// Thumb is a JPEG thumbnail (缩略图), upright (EXIF orientation applied).
type Thumb struct {
	JPEG          []byte
	Width, Height int
}

// Thumbnail makes a JPEG of at most maxSide pixels on the long side
// (DefaultThumbSide when maxSide <= 0), turned upright by the EXIF
// orientation. It never enlarges a smaller photo.
//
// A large photo is first reduced by an integer factor with a box filter
// (each output pixel the mean of a k×k block: fast, and free of the aliasing
// of sampling a few pixels per output), then scaled to size and oriented in
// one golang.org/x/image/draw CatmullRom transform.
func (p *Photo) Thumbnail(maxSide int) (Thumb, error) {
	if maxSide <= 0 {
		maxSide = DefaultThumbSide
	}
	b := p.img.Bounds()
	dispW, dispH := b.Dx(), b.Dy()
	if p.Orientation >= 5 {
		dispW, dispH = dispH, dispW
	}
	dw, dh := fit(dispW, dispH, maxSide)

	// Reduce so the source is between one and two times the target size.
	src := p.img
	if k := min(dispW/dw, dispH/dh); k >= 2 {
		src = boxReduce(p.img, k)
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	sb := src.Bounds()
	draw.CatmullRom.Transform(dst, orient(p.Orientation, sb, dw, dh), src, sb, draw.Src, nil)

	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 80}); err != nil {
		return Thumb{}, fmt.Errorf("photo: thumbnail: %w", err)
	}
	return Thumb{JPEG: buf.Bytes(), Width: dw, Height: dh}, nil
}

// fit scales w×h down so the long side is at most side (never up).
func fit(w, h, side int) (int, int) {
	if w <= side && h <= side {
		return w, h
	}
	if w >= h {
		return side, max(1, (h*side+w/2)/w)
	}
	return max(1, (w*side+h/2)/h), side
}

// orient returns the source-to-destination transform that shows the source
// rectangle sb, stored with EXIF orientation o, upright in a dw×dh image.
func orient(o int, sb image.Rectangle, dw, dh int) f64.Aff3 {
	W, H := float64(sb.Dx()), float64(sb.Dy())
	x0, y0 := float64(sb.Min.X), float64(sb.Min.Y)
	// (u, v) = the upright position of stored pixel (x, y), in source
	// pixels: u = a·x + b·y + c, v = d·x + e·y + f (x, y relative to sb.Min).
	var a, b, c, d, e, f float64
	switch o {
	case 2: // mirrored horizontally
		a, c, e = -1, W, 1
	case 3: // turned 180°
		a, c, e, f = -1, W, -1, H
	case 4: // mirrored vertically
		a, e, f = 1, -1, H
	case 5: // transposed
		b, d = 1, 1
	case 6: // turned 90° clockwise to show
		b, c, d = -1, H, 1
	case 7: // transversed
		b, c, d, f = -1, H, -1, W
	case 8: // turned 90° counter-clockwise to show
		b, d, f = 1, -1, W
	default:
		a, e = 1, 1
	}
	uw, vh := W, H
	if o >= 5 && o <= 8 {
		uw, vh = H, W
	}
	sx, sy := float64(dw)/uw, float64(dh)/vh
	// Shift by -sb.Min first: u = a(x-x0) + b(y-y0) + c.
	return f64.Aff3{
		sx * a, sx * b, sx * (c - a*x0 - b*y0),
		sy * d, sy * e, sy * (f - d*x0 - e*y0),
	}
}

// boxReduce shrinks img by the integer factor k, each output pixel the mean
// of a k×k block (edge remainders dropped). YCbCr (every camera JPEG) takes
// a fast path on the planes; other images go through At.
func boxReduce(img image.Image, k int) image.Image {
	b := img.Bounds()
	ow, oh := b.Dx()/k, b.Dy()/k
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	if yc, ok := img.(*image.YCbCr); ok {
		boxReduceYCbCr(yc, k, out)
		return out
	}
	n := uint64(k) * uint64(k)
	for oy := 0; oy < oh; oy++ {
		for ox := 0; ox < ow; ox++ {
			var r, g, bl, a uint64
			for y := b.Min.Y + oy*k; y < b.Min.Y+oy*k+k; y++ {
				for x := b.Min.X + ox*k; x < b.Min.X+ox*k+k; x++ {
					cr, cg, cb, ca := img.At(x, y).RGBA()
					r, g, bl, a = r+uint64(cr), g+uint64(cg), bl+uint64(cb), a+uint64(ca)
				}
			}
			i := out.PixOffset(ox, oy)
			out.Pix[i+0] = uint8(r / n >> 8)
			out.Pix[i+1] = uint8(g / n >> 8)
			out.Pix[i+2] = uint8(bl / n >> 8)
			out.Pix[i+3] = uint8(a / n >> 8)
		}
	}
	return out
}

// boxReduceYCbCr averages luma over each k×k block and chroma over the
// chroma samples that cover it, then converts to RGB once per output pixel.
func boxReduceYCbCr(img *image.YCbCr, k int, out *image.RGBA) {
	b := img.Bounds()
	hs, vs := 1, 1 // chroma subsampling, horizontal and vertical
	switch img.SubsampleRatio {
	case image.YCbCrSubsampleRatio422:
		hs = 2
	case image.YCbCrSubsampleRatio420:
		hs, vs = 2, 2
	case image.YCbCrSubsampleRatio440:
		vs = 2
	case image.YCbCrSubsampleRatio411:
		hs = 4
	case image.YCbCrSubsampleRatio410:
		hs, vs = 4, 2
	}
	ow, oh := out.Rect.Dx(), out.Rect.Dy()
	sums := make([]uint32, ow) // luma sums of the current output row
	for oy := 0; oy < oh; oy++ {
		clear(sums)
		y0 := b.Min.Y + oy*k
		for y := y0; y < y0+k; y++ {
			row := img.Y[(y-b.Min.Y)*img.YStride:]
			for ox := 0; ox < ow; ox++ {
				var s uint32
				for _, v := range row[ox*k : ox*k+k] {
					s += uint32(v)
				}
				sums[ox] += s
			}
		}
		// Chroma rows covering luma rows y0 … y0+k-1 (COffset's rule).
		cy0, cy1 := y0/vs-b.Min.Y/vs, (y0+k-1)/vs-b.Min.Y/vs
		for ox := 0; ox < ow; ox++ {
			x0 := b.Min.X + ox*k
			cx0, cx1 := x0/hs-b.Min.X/hs, (x0+k-1)/hs-b.Min.X/hs
			var cb, cr, n uint32
			for cy := cy0; cy <= cy1; cy++ {
				i := cy * img.CStride
				for cx := cx0; cx <= cx1; cx++ {
					cb += uint32(img.Cb[i+cx])
					cr += uint32(img.Cr[i+cx])
				}
				n += uint32(cx1 - cx0 + 1)
			}
			yy := uint8(sums[ox] / uint32(k*k))
			r, g, bl := color.YCbCrToRGB(yy, uint8(cb/n), uint8(cr/n))
			i := out.PixOffset(ox, oy)
			out.Pix[i+0], out.Pix[i+1], out.Pix[i+2], out.Pix[i+3] = r, g, bl, 0xFF
		}
	}
}
