package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/comms"
	"kefu/internal/httpx"
)

// Communication records (SPEC §5.1). Machine clients (PBX, WeChat
// archive) post one record or a batch with external ids; people log a
// record with /communications/log.

// batchErrorBody is the 400 answer to a batch with bad records: the first
// one as the usual error, and every one in errors.
type batchErrorBody struct {
	Error  httpx.ErrorDetail `json:"error"`
	Errors []comms.ItemError `json:"errors"`
}

// ingestRecord is a record as a machine client posts it: comms.Input,
// documented with external_id required (comms refuses an API record
// without one; a person's /communications/log needs none).
type ingestRecord struct {
	comms.Input
}

// ingestResponse lists what happened to each record of a batch.
type ingestResponse struct {
	Created   int            `json:"created"`
	Unchanged int            `json:"unchanged"`
	Unmatched int            `json:"unmatched"`
	Results   []comms.Result `json:"results"`
}

func (s *Server) ingestCommunications(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, httpx.MaxJSONBody))
	if err != nil {
		return bodyField(apperr.TooLarge("", fmt.Sprintf("请求体超过 %d MB (the body exceeds %d MB)", httpx.MaxJSONBody>>20, httpx.MaxJSONBody>>20)))
	}
	body = bytes.TrimSpace(body)
	var ins []comms.Input
	single := len(body) > 0 && body[0] == '{'
	r.Body = io.NopCloser(bytes.NewReader(body))
	if single {
		var one comms.Input
		if err := decode(w, r, &one); err != nil {
			return err
		}
		ins = []comms.Input{one}
	} else if err := decode(w, r, &ins); err != nil {
		return err
	}
	res, err := s.Comms.Ingest(r.Context(), ins, comms.SourceAPI)
	var be *comms.BatchError
	if errors.As(err, &be) {
		first := be.Items[0]
		field := fmt.Sprintf("records[%d].%s", first.Index, first.Field)
		if single {
			field = first.Field
		}
		status, code := http.StatusBadRequest, "invalid"
		if single && first.Kind == apperr.KindConflict {
			status, code = http.StatusConflict, "conflict"
		}
		httpx.WriteJSON(w, status, batchErrorBody{Error: httpx.ErrorDetail{Code: code, Field: field, Message: first.Message}, Errors: be.Items})
		return nil
	}
	if err != nil {
		return err
	}
	out := ingestResponse{Results: res}
	for _, x := range res {
		switch x.Action {
		case "created":
			out.Created++
		default:
			out.Unchanged++
		}
		if !x.Matched {
			out.Unmatched++
		}
	}
	status := http.StatusOK
	if out.Created > 0 {
		status = http.StatusCreated
	}
	httpx.WriteJSON(w, status, out)
	return nil
}

func (s *Server) logCommunication(w http.ResponseWriter, r *http.Request) error {
	var in comms.Input
	if err := decode(w, r, &in); err != nil {
		return err
	}
	rec, err := s.Comms.Add(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, rec)
}

func queryTime(r *http.Request, name string) (time.Time, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, apperr.Invalid(name, "时间格式应为 RFC 3339，如 2026-03-05T00:00:00+08:00")
	}
	return t, nil
}

// commFilter reads the list's filters from the query.
func commFilter(r *http.Request) (comms.Filter, error) {
	q := r.URL.Query()
	channel, err := queryEnum(r, "channel", comms.Channels...)
	if err != nil {
		return comms.Filter{}, err
	}
	from, err := queryTime(r, "from")
	if err != nil {
		return comms.Filter{}, err
	}
	to, err := queryTime(r, "to")
	if err != nil {
		return comms.Filter{}, err
	}
	return comms.Filter{CustomerID: q.Get("customer_id"), StaffID: q.Get("staff_id"), Channel: channel,
		Conversation: q.Get("conversation"), Tag: q.Get("tag"), Unmatched: q.Get("unmatched") == "true", From: from, To: to,
		After: q.Get("after")}, nil
}

func (s *Server) exportCommunications(w http.ResponseWriter, r *http.Request) error {
	f, err := commFilter(r)
	if err != nil {
		return err
	}
	sh, err := s.Comms.RecordsSheet(r.Context(), f)
	if err != nil {
		return err
	}
	return writeXLSX(w, fmt.Sprintf("communications-%s.xlsx", s.today().Format("2006-01-02")), sh.Headers, sh.Rows)
}

func (s *Server) listCommunications(w http.ResponseWriter, r *http.Request) error {
	f, err := commFilter(r)
	if err != nil {
		return err
	}
	if f.Limit, err = queryInt(r, "limit", 100, 1, 500); err != nil {
		return err
	}
	pg, err := s.Comms.List(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, paged(pg.Items, pg.Next))
}

func (s *Server) getCommunication(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.Comms.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, rec)
}

type matchInput struct {
	CustomerID string `json:"customer_id"`
	ContactID  string `json:"contact_id"`
}

func (s *Server) matchCommunication(w http.ResponseWriter, r *http.Request) error {
	var in matchInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	rec, err := s.Comms.Match(r.Context(), r.PathValue("id"), in.CustomerID, in.ContactID)
	if err != nil {
		return err
	}
	return ok(w, rec)
}

// commFileForm is the multipart form of a record's attachment.
var commFileForm = []param{
	{Name: "file", Type: "file", Required: true, Zh: "文件（不超过上传上限）", En: "the file (up to the upload limit)"},
}

func (s *Server) listCommunicationFiles(w http.ResponseWriter, r *http.Request) error {
	fs, err := s.Comms.Files(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, items(fs))
}

func (s *Server) uploadCommunicationFile(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, s.MaxUpload); err != nil {
		return err
	}
	file, name, err := formFile(r)
	if err != nil {
		return err
	}
	defer file.Close()
	f, err := s.Comms.AttachFile(r.Context(), r.PathValue("id"), name, file, s.MaxUpload)
	if err != nil {
		return err
	}
	return created(w, f)
}

func (s *Server) downloadCommunicationFile(w http.ResponseWriter, r *http.Request) error {
	f, rc, err := s.Comms.OpenFile(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	return httpx.ServeAttachment(w, f.Name, f.ContentType, f.Size, rc)
}
