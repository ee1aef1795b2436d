package photo

import (
	"bytes"
	"math"
	"strings"
	"time"

	"github.com/bep/imagemeta"
)

// exifTags are the EXIF tags Inspect uses; the rest are skipped unread.
var exifTags = map[string]bool{
	"Orientation":        true,
	"DateTimeOriginal":   true,
	"OffsetTimeOriginal": true,
	"GPSLatitude":        true,
	"GPSLatitudeRef":     true,
	"GPSLongitude":       true,
	"GPSLongitudeRef":    true,
}

// readEXIF fills the EXIF facts of info. EXIF is optional and often damaged
// by editing apps: a tag that cannot be read is left out, never an error.
func readEXIF(data []byte, format string, info *Info) {
	info.Orientation = 1
	f := imagemeta.JPEG
	if format == PNG {
		f = imagemeta.PNG
	}
	tags := map[string]any{}
	_, _ = imagemeta.Decode(imagemeta.Options{
		R:           bytes.NewReader(data),
		ImageFormat: f,
		Sources:     imagemeta.EXIF,
		ShouldHandleTag: func(ti imagemeta.TagInfo) bool {
			// IFD1 describes the embedded thumbnail, not the photo.
			return exifTags[ti.Tag] && !strings.HasPrefix(ti.Namespace, "IFD1")
		},
		HandleTag: func(ti imagemeta.TagInfo) error {
			if _, seen := tags[ti.Tag]; !seen {
				tags[ti.Tag] = ti.Value
			}
			return nil
		},
	})

	if o, ok := toInt(tags["Orientation"]); ok && o >= 1 && o <= 8 {
		info.Orientation = o
	}
	if s, ok := tags["DateTimeOriginal"].(string); ok {
		off, _ := tags["OffsetTimeOriginal"].(string)
		info.Taken, info.TakenZoned = parseEXIFTime(s, off)
	}
	lat, okLat := gpsCoord(tags["GPSLatitude"], tags["GPSLatitudeRef"], "S", 90)
	long, okLong := gpsCoord(tags["GPSLongitude"], tags["GPSLongitudeRef"], "W", 180)
	// 0,0 is what a failed conversion or an unset receiver writes.
	if okLat && okLong && (lat != 0 || long != 0) {
		info.HasGPS, info.Lat, info.Long = true, lat, long
	}
}

// parseEXIFTime parses "2006:01:02 15:04:05" (some writers use dashes) and
// an optional offset "+08:00". Without a valid offset the wall clock is
// returned in UTC and zoned is false. Blank or invalid times give zero.
func parseEXIFTime(s, offset string) (t time.Time, zoned bool) {
	s = strings.TrimSpace(strings.TrimRight(s, "\x00"))
	if len(s) < 19 {
		return time.Time{}, false
	}
	s = s[:19]
	var err error
	for _, layout := range []string{"2006:01:02 15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err = time.Parse(layout, s); err == nil {
			break
		}
	}
	if err != nil || t.Year() < 1900 {
		return time.Time{}, false
	}
	if off, ok := parseOffset(offset); ok {
		wall := t
		return time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), 0, time.FixedZone("", off)), true
	}
	return t, false
}

// parseOffset parses an EXIF offset "+08:00" / "-05:30" into seconds east.
func parseOffset(s string) (int, bool) {
	s = strings.TrimSpace(strings.TrimRight(s, "\x00"))
	if len(s) < 6 {
		return 0, false
	}
	t, err := time.Parse("-07:00", s[:6])
	if err != nil {
		return 0, false
	}
	_, off := t.Zone()
	if off < -14*3600 || off > 14*3600 {
		return 0, false
	}
	return off, true
}

// gpsCoord validates a decimal-degree value from imagemeta and applies its
// reference (negRef is "S" or "W").
func gpsCoord(v, ref any, negRef string, limit float64) (float64, bool) {
	d, ok := v.(float64)
	if !ok || math.IsNaN(d) || math.IsInf(d, 0) || d < 0 || d > limit {
		return 0, false
	}
	if r, _ := ref.(string); strings.EqualFold(strings.TrimSpace(r), negRef) {
		d = -d
	}
	return d, true
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case uint16:
		return int(n), true
	case uint32:
		return int(n), true
	case int:
		return n, true
	case int64:
		return int(n), true
	}
	return 0, false
}
