package api

import (
	"net/http"

	"kefu/internal/httpx"
)

// attachmentForm is the multipart form of an attachment upload.
var attachmentForm = []param{
	{Name: "file", Type: "file", Required: true, Zh: "文件（不超过上传上限）", En: "the file (up to the upload limit)"},
	{Name: "category", Zh: "类别，如 扫描件、补充协议", En: "category, e.g. scan, supplement"},
}

func (s *Server) listContractFiles(kind string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		fs, err := s.Contracts.Files(r.Context(), kind, r.PathValue("id"))
		if err != nil {
			return err
		}
		return ok(w, items(fs))
	}
}

func (s *Server) uploadContractFile(kind string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(w, r, s.MaxUpload); err != nil {
			return err
		}
		file, name, err := formFile(r)
		if err != nil {
			return err
		}
		defer file.Close()
		f, err := s.Contracts.AttachFile(r.Context(), kind, r.PathValue("id"), name, r.FormValue("category"), file, s.MaxUpload)
		if err != nil {
			return err
		}
		return created(w, f)
	}
}

func (s *Server) downloadContractFile(w http.ResponseWriter, r *http.Request) error {
	f, rc, err := s.Contracts.OpenFile(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	return httpx.ServeAttachment(w, f.Name, f.ContentType, f.Size, rc)
}
