package photo

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"kefu/internal/apperr"
)

func TestCheckDate(t *testing.T) {
	// Now: 2026-03-14 12:00 in Shanghai.
	now := time.Date(2026, 3, 14, 4, 0, 0, 0, time.UTC)
	zoned := func(s string, offHours int) Info {
		tm, err := time.ParseInLocation(time.DateTime, s, time.FixedZone("", offHours*3600))
		if err != nil {
			t.Fatal(err)
		}
		return Info{Taken: tm, TakenZoned: true}
	}
	wall := func(s string) Info {
		tm, err := time.Parse(time.DateTime, s)
		if err != nil {
			t.Fatal(err)
		}
		return Info{Taken: tm}
	}
	for _, tc := range []struct {
		name string
		info Info
		day  string
		want []Flag
	}{
		{"no exif", Info{}, "2026-03-14", []Flag{FlagEXIFMissing}},
		{"no exif, other day", Info{}, "2026-03-01", []Flag{FlagEXIFMissing}},
		{"work day, morning, local wall clock", wall("2026-03-14 08:00:00"), "2026-03-14", nil},
		{"work day, first second", wall("2026-03-14 00:00:00"), "2026-03-14", nil},
		{"day before, last second", wall("2026-03-13 23:59:59"), "2026-03-14", []Flag{FlagNotWorkDay}},
		{"work day with +08:00", zoned("2026-03-14 09:30:00", 8), "2026-03-14", nil},
		// 23:30 UTC on the 13th is 07:30 on the 14th in the company zone.
		{"offset moves it onto the work day", zoned("2026-03-13 23:30:00", 0), "2026-03-14", nil},
		// 01:00 at +09:00 is 00:00 at +08:00 on the 14th: still the work day.
		{"offset +09:00 just after midnight", zoned("2026-03-14 01:00:00", 9), "2026-03-14", nil},
		{"offset +09:00 before midnight here", zoned("2026-03-14 00:30:00", 9), "2026-03-14", []Flag{FlagNotWorkDay}},
		{"wall clock is not read as UTC", wall("2026-03-14 07:00:00"), "2026-03-14", nil},
		{"a week old", wall("2026-03-07 10:00:00"), "2026-03-14", []Flag{FlagNotWorkDay}},
		{"later today, within tolerance", wall("2026-03-14 12:04:59"), "2026-03-14", nil},
		{"exactly at the tolerance", wall("2026-03-14 12:05:00"), "2026-03-14", nil},
		{"later today, beyond tolerance", wall("2026-03-14 12:05:01"), "2026-03-14", []Flag{FlagFuture}},
		{"tomorrow", wall("2026-03-15 09:00:00"), "2026-03-14", []Flag{FlagNotWorkDay, FlagFuture}},
		{"future, zoned", zoned("2026-03-14 05:00:00", 0), "2026-03-14", []Flag{FlagFuture}},
		{"future work day too", wall("2026-03-16 09:00:00"), "2026-03-16", []Flag{FlagFuture}},
		{"camera clock reset to 2000", wall("2000-01-01 00:00:00"), "2026-03-14", []Flag{FlagNotWorkDay}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CheckDate(tc.info, tc.day, shanghai, now)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("flags = %v, want %v", got, tc.want)
			}
			if Refused(got) != slices.Contains(tc.want, FlagFuture) {
				t.Errorf("Refused(%v) = %v", got, Refused(got))
			}
		})
	}
}

func TestCheckDateBadInput(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		day   string
		loc   *time.Location
		field string
	}{
		{"2026/03/14", shanghai, "work_day"},
		{"", shanghai, "work_day"},
		{"2026-02-30", shanghai, "work_day"},
		{"2026-03-14", nil, "loc"},
	} {
		_, err := CheckDate(Info{}, tc.day, tc.loc, now)
		if e, ok := apperr.As(err); !ok || e.Kind != apperr.KindInvalid || e.Field != tc.field {
			t.Errorf("CheckDate(%q, %v) = %v", tc.day, tc.loc, err)
		}
	}
}

// TestFutureEXIFPhoto runs a photo whose EXIF date lies in the future from
// the bytes to the refusal.
func TestFutureEXIFPhoto(t *testing.T) {
	now := time.Date(2026, 3, 14, 12, 0, 0, 0, shanghai)
	data := withEXIF(t, smallJPEG(t), exifSpec{Taken: "2027:03:14 10:00:00", Offset: "+08:00"})
	p, err := Inspect(bytes.NewReader(data), 0)
	if err != nil {
		t.Fatal(err)
	}
	flags, err := CheckDate(p.Info, "2026-03-14", shanghai, now)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(flags, []Flag{FlagNotWorkDay, FlagFuture}) || !Refused(flags) {
		t.Errorf("flags = %v", flags)
	}
}

func TestTakenIn(t *testing.T) {
	in := Info{Taken: time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)}
	got, ok := in.TakenIn(shanghai)
	if !ok || !got.Equal(time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("wall clock in Shanghai = %v", got)
	}
	in.TakenZoned = true
	if got, _ := in.TakenIn(shanghai); !got.Equal(in.Taken) {
		t.Errorf("zoned = %v", got)
	}
	if _, ok := (Info{}).TakenIn(shanghai); ok {
		t.Error("no time reported as present")
	}
}
