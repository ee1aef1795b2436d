package httpx

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// ServeAttachment sends a stored file as a download: its sniffed content
// type, its size, its (UTF-8) name, never cached by shared caches.
func ServeAttachment(w http.ResponseWriter, name, contentType string, size int64, body io.Reader) error {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	w.Header().Set("Content-Disposition", `attachment; filename*=UTF-8''`+url.PathEscape(name))
	w.Header().Set("Cache-Control", "private, no-store")
	_, err := io.Copy(w, body)
	return err
}
