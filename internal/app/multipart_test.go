package app_test

import (
	"bytes"
	"mime/multipart"
	"net/url"
	"testing"
)

type upFile struct {
	name string
	data []byte
}

// multipartBody builds a multipart form of fields and files (each part
// named "file", as the upload forms and the multiple file inputs send
// them) and returns it with its Content-Type.
func multipartBody(t testing.TB, fields url.Values, files ...upFile) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		fw, err := mw.CreateFormFile("file", f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}
