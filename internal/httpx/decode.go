package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"kefu/internal/apperr"
)

// MaxJSONBody bounds a JSON request body.
const MaxJSONBody = 4 << 20

// DecodeJSON decodes the request body into dst. Unknown fields, trailing
// data, wrong types and oversize bodies are Invalid/TooLarge errors that
// name the field where one is at fault.
func DecodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return apperr.Invalid("", "请求体须为 application/json")
		}
	}
	body := http.MaxBytesReader(w, r.Body, MaxJSONBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			return apperr.Invalid(jsonPath(reflect.TypeOf(dst), typ.Field), fmt.Sprintf("类型错误：应为 %s", typ.Type.String()))
		}
		return jsonError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
			return jsonError(err)
		}
		return apperr.Invalid("", "请求体只能包含一个 JSON 值")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &syn):
		return apperr.Invalid("", fmt.Sprintf("JSON 格式错误 (位置 %d)", syn.Offset))
	case errors.As(err, &typ):
		return apperr.Invalid(typ.Field, fmt.Sprintf("类型错误：应为 %s", typ.Type.String()))
	case errors.As(err, &tooBig):
		return apperr.TooLarge("", fmt.Sprintf("请求体超过 %d MB", MaxJSONBody>>20))
	case errors.Is(err, io.EOF):
		return apperr.Invalid("", "请求体为空")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Invalid("", "JSON 不完整")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Invalid(field, "未知字段")
	}
	return apperr.Invalid("", "JSON 无法解析: "+err.Error())
}

// jsonPath turns the decoder's field path into the path the client sent:
// encoding/json names a field promoted from an embedded struct with the
// struct's Go type ("ContactInput.decision_maker"), which means nothing to
// an API client; those elements are dropped ("decision_maker").
func jsonPath(t reflect.Type, path string) string {
	if path == "" {
		return ""
	}
	var out []string
	for _, part := range strings.Split(path, ".") {
		for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map) {
			t = t.Elem()
		}
		if t == nil || t.Kind() != reflect.Struct {
			out, t = append(out, part), nil
			continue
		}
		var next reflect.Type
		embedded := false
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if f.Anonymous && name == "" && ft.Kind() == reflect.Struct && ft.Name() == part {
				next, embedded = ft, true
				break
			}
			if name == "" {
				name = f.Name
			}
			if name == part {
				next = f.Type
				break
			}
		}
		if !embedded {
			out = append(out, part)
		}
		t = next
	}
	return strings.Join(out, ".")
}
