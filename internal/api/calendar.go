package api

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/workcal"
)

// maxHolidayCSV bounds an imported holidays file.
const maxHolidayCSV = 1 << 20

func (s *Server) calendarSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Calendar.Settings(r.Context(), s.Loc.String())
	if err != nil {
		return err
	}
	return ok(w, st)
}

// settingsInput is the body of a settings change (the same fields).
type settingsInput workcal.Settings

func (s *Server) saveCalendarSettings(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.Calendar.Settings(r.Context(), s.Loc.String())
	if err != nil {
		return err
	}
	in := settingsInput(cur)
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := s.Calendar.SaveSettings(r.Context(), workcal.Settings(in)); err != nil {
		return err
	}
	return s.calendarSettings(w, r)
}

func (s *Server) listHolidays(w http.ResponseWriter, r *http.Request) error {
	year, err := queryInt(r, "year", s.today().Year(), 1900, 9999)
	if err != nil {
		return err
	}
	hs, err := s.Calendar.Holidays(r.Context(), year)
	if err != nil {
		return err
	}
	return ok(w, items(hs))
}

type holidayInput struct {
	Name string `json:"name"`
	// Kind is holiday (放假) or workday (调休上班).
	Kind string `json:"kind"`
}

func (s *Server) putHoliday(w http.ResponseWriter, r *http.Request) error {
	day := r.PathValue("day")
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return apperr.Invalid("day", "日期格式应为 YYYY-MM-DD (date as YYYY-MM-DD)")
	}
	var in holidayInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := s.Calendar.Put(r.Context(), day, in.Name, in.Kind); err != nil {
		return err
	}
	hs, err := s.Calendar.Holidays(r.Context(), d.Year())
	if err != nil {
		return err
	}
	for _, h := range hs {
		if h.Day == day {
			return ok(w, h)
		}
	}
	return apperr.NotFound("holiday")
}

func (s *Server) deleteHoliday(w http.ResponseWriter, r *http.Request) error {
	day := r.PathValue("day")
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return apperr.Invalid("day", "日期格式应为 YYYY-MM-DD (date as YYYY-MM-DD)")
	}
	if err := s.Calendar.Delete(r.Context(), day); err != nil {
		return err
	}
	return noContent(w)
}

type holidayImportResult struct {
	// Imported is the number of days added or changed.
	Imported int `json:"imported"`
}

// importHolidays takes the CSV as a multipart file or as the body itself.
func (s *Server) importHolidays(w http.ResponseWriter, r *http.Request) error {
	var src io.Reader
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case mt == "multipart/form-data":
		if err := parseForm(w, r, maxHolidayCSV); err != nil {
			return err
		}
		f, _, err := formFile(r)
		if err != nil {
			return err
		}
		defer f.Close()
		src = io.LimitReader(f, maxHolidayCSV+1)
	case mt == "text/csv" || mt == "text/plain":
		src = http.MaxBytesReader(w, r.Body, maxHolidayCSV)
	default:
		return apperr.Invalid("body", "请求体须为 multipart/form-data 或 text/csv (multipart/form-data or text/csv)")
	}
	data, err := io.ReadAll(src)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) || len(data) > maxHolidayCSV {
		return apperr.TooLarge("file", "文件超过 1 MB (the file exceeds 1 MB)")
	}
	if err != nil {
		return err
	}
	n, err := s.Calendar.Import(r.Context(), bytes.NewReader(data))
	if err != nil {
		return err
	}
	return ok(w, holidayImportResult{Imported: n})
}
