package photo

import (
	"time"

	"kefu/internal/apperr"
)

// Flag is a finding of CheckDate about a photo's shooting time.
type Flag string

const (
	// FlagEXIFMissing: the photo has no EXIF shooting time, so only its
	// date-and-place watermark (水印) can show when it was taken; the
	// uploader must confirm the watermark is there (确认水印).
	FlagEXIFMissing Flag = "exif_missing"
	// FlagNotWorkDay: the shooting day, in the company zone, is not the
	// work order's work day. The photo is kept and shown flagged.
	FlagNotWorkDay Flag = "not_work_day"
	// FlagFuture: the shooting time is later than now (beyond
	// FutureTolerance): a wrong camera clock or an edited file. The caller
	// must refuse the upload.
	FlagFuture Flag = "future"
)

// FutureTolerance is how far after now a shooting time may lie before it
// counts as future: phone clocks drift a little from the server's.
const FutureTolerance = 5 * time.Minute

// CheckDate compares a photo's EXIF shooting time with the work day
// (YYYY-MM-DD, a day in the company zone loc). A shooting time without an
// offset is company-local time. It returns the flags that apply, in the
// order missing, not_work_day, future (none for a photo taken on the work
// day, not in the future). Only a malformed workDay or a nil loc is an
// error (apperr.Invalid).
func CheckDate(info Info, workDay string, loc *time.Location, now time.Time) ([]Flag, error) {
	if loc == nil {
		return nil, apperr.Invalid("loc", "company time zone missing")
	}
	day, err := time.ParseInLocation(time.DateOnly, workDay, loc)
	if err != nil {
		return nil, &apperr.Error{Kind: apperr.KindInvalid, Field: "work_day", Message: "工作日期格式应为 YYYY-MM-DD", Err: err}
	}
	taken, ok := info.TakenIn(loc)
	if !ok {
		return []Flag{FlagEXIFMissing}, nil
	}
	var flags []Flag
	if taken.In(loc).Format(time.DateOnly) != day.Format(time.DateOnly) {
		flags = append(flags, FlagNotWorkDay)
	}
	if taken.After(now.Add(FutureTolerance)) {
		flags = append(flags, FlagFuture)
	}
	return flags, nil
}

// Refused reports whether flags include one that refuses the upload.
func Refused(flags []Flag) bool {
	for _, f := range flags {
		if f == FlagFuture {
			return true
		}
	}
	return false
}
