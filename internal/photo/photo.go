// Package photo inspects acceptance evidence photos (验收照片) for field work
// orders: it reads an upload within a size limit, refuses anything that is
// not a decodable JPEG or PNG, reads the EXIF shooting time (拍摄时间), GPS
// position and orientation, and makes a small JPEG thumbnail (缩略图).
// CheckDate compares the shooting time with the work day.
//
// It is a platform package: no database, no HTTP, no domain imports. The
// caller stores the original bytes and the thumbnail in the blob store.
//
// Cost: Inspect decodes the whole image (so a truncated or corrupt file is
// refused up front); for a 12-megapixel phone photo that is most of the work
// (see docs/benchmarks.md, "Issue 5"). Inspect and Thumbnail are pure CPU on
// bytes in memory, so a caller under load may run them in a background job.
package photo

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"strconv"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/blob"
)

// DefaultLimit is the upload size limit used when the caller passes none
// (issue 5: configurable, default 15 MB).
const DefaultLimit int64 = 15 << 20

// MaxPixels bounds width×height before a full decode, so a small file that
// claims a huge canvas (a decompression bomb) cannot take the memory of the
// process. 50 megapixels covers every ordinary phone photo mode.
const MaxPixels = 50_000_000

// Content types Inspect accepts.
const (
	JPEG = "image/jpeg"
	PNG  = "image/png"
)

// Info is what Inspect learnt about a photo.
type Info struct {
	Format string // JPEG or PNG (sniffed from the bytes, never from the name)
	Size   int64  // bytes read

	// Width and Height are the stored pixel size, before Orientation.
	Width, Height int
	// Orientation is the EXIF orientation, 1–8; 1 when absent or invalid.
	// 6 and 8 (a phone held upright) show the image turned by 90°.
	Orientation int

	// Taken is EXIF DateTimeOriginal (拍摄时间); zero when the photo has none.
	// When TakenZoned is true the camera also wrote OffsetTimeOriginal and
	// Taken is that instant in that fixed zone. Otherwise the camera wrote
	// only a wall clock: Taken holds it in UTC as a placeholder, and it means
	// company-local time (see TakenIn).
	Taken      time.Time
	TakenZoned bool

	// HasGPS reports an EXIF GPS position; Lat and Long are decimal degrees
	// (WGS-84 as phones write them; south and west negative).
	HasGPS    bool
	Lat, Long float64
}

// HasTaken reports whether the photo carries an EXIF shooting time.
func (i Info) HasTaken() bool { return !i.Taken.IsZero() }

// TakenIn returns the shooting time as an instant, reading a wall clock
// without offset as time in loc (the company zone). ok is false when the
// photo has no EXIF time.
func (i Info) TakenIn(loc *time.Location) (t time.Time, ok bool) {
	if i.Taken.IsZero() {
		return time.Time{}, false
	}
	if i.TakenZoned {
		return i.Taken, true
	}
	w := i.Taken
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc), true
}

// DisplaySize is the size as shown, after Orientation.
func (i Info) DisplaySize() (w, h int) {
	if i.Orientation >= 5 && i.Orientation <= 8 {
		return i.Height, i.Width
	}
	return i.Width, i.Height
}

// Photo is an inspected photo: its Info and the decoded image, kept for
// Thumbnail. Drop it once the thumbnail is made (a 12-megapixel photo holds
// about 18 MB decoded).
type Photo struct {
	Info
	img image.Image
}

// Inspect reads at most limit bytes of r (DefaultLimit when limit <= 0) and
// checks that they are a complete JPEG or PNG photo. It returns an
// apperr.TooLarge error over the limit and an apperr.Invalid error on field
// "file" for an empty file, a non-image, an image type kefu does not take
// (HEIC, WebP, GIF) or a corrupt or truncated image. Missing or damaged EXIF
// is not an error: the Info then has no shooting time (and CheckDate asks
// the uploader to confirm the watermark). Only a failing reader gives an
// unclassified error.
func Inspect(r io.Reader, limit int64) (*Photo, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("photo: read: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, apperr.TooLarge("file", "照片超过 "+sizeText(limit)+" 的上限")
	}
	return inspectBytes(data)
}

func inspectBytes(data []byte) (*Photo, error) {
	if len(data) == 0 {
		return nil, apperr.Invalid("file", "文件为空")
	}
	format, err := sniff(data)
	if err != nil {
		return nil, err
	}
	var cfg image.Config
	if format == JPEG {
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	} else {
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	}
	if err != nil {
		return nil, corrupt(err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, apperr.Invalid("file", "图片已损坏，无法读取")
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, apperr.Invalid("file", fmt.Sprintf("图片尺寸 %d×%d 过大（最多 %d 万像素）", cfg.Width, cfg.Height, MaxPixels/10_000))
	}
	img, err := decode(data, format)
	if err != nil {
		return nil, err
	}
	p := &Photo{Info: Info{Format: format, Size: int64(len(data)), Width: cfg.Width, Height: cfg.Height}, img: img}
	readEXIF(data, format, &p.Info)
	return p, nil
}

// decode decodes the whole image, so truncated and corrupt files are refused.
func decode(data []byte, format string) (image.Image, error) {
	var (
		img image.Image
		err error
	)
	if format == JPEG {
		img, err = jpeg.Decode(bytes.NewReader(data))
	} else {
		img, err = png.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return nil, corrupt(err)
	}
	return img, nil
}

func corrupt(cause error) error {
	msg := "图片已损坏，无法读取"
	if errors.Is(cause, io.ErrUnexpectedEOF) || errors.Is(cause, io.EOF) {
		msg = "图片不完整（文件被截断），请重新上传"
	}
	return &apperr.Error{Kind: apperr.KindInvalid, Field: "file", Message: msg, Err: cause}
}

// sniff names the format from the first bytes; the file name and the
// claimed content type are never trusted.
func sniff(data []byte) (string, error) {
	if isHEIF(data) {
		return "", apperr.Invalid("file", "不支持 HEIC/HEIF 照片：请在手机相机设置中选择“兼容性最佳”（JPEG）后重拍，或导出为 JPEG 再上传")
	}
	switch t := blob.Sniff(data[:min(len(data), 512)]); t {
	case JPEG, PNG:
		return t, nil
	case "image/gif", "image/webp":
		return "", apperr.Invalid("file", "只接受 JPEG 或 PNG 照片")
	}
	return "", apperr.Invalid("file", "文件不是图片（只接受 JPEG 或 PNG 照片）")
}

// isHEIF recognises an ISO-BMFF file whose brand is HEIC, HEIF or AVIF
// (iPhones' default photo format), which cannot be decoded in pure Go.
func isHEIF(data []byte) bool {
	if len(data) < 12 || string(data[4:8]) != "ftyp" {
		return false
	}
	switch string(data[8:12]) {
	case "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "avif", "avis":
		return true
	}
	return false
}

// sizeText names a byte limit for people: "15 MB", "1.5 MB", "200 KB".
func sizeText(n int64) string {
	if n >= 1<<20 {
		return strconv.FormatFloat(math.Round(float64(n)*10/(1<<20))/10, 'f', -1, 64) + " MB"
	}
	if n >= 1<<10 {
		return strconv.FormatInt(n>>10, 10) + " KB"
	}
	return strconv.FormatInt(n, 10) + " 字节"
}
