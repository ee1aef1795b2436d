package wecom_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"kefu/internal/wecom"
)

func TestPush(t *testing.T) {
	var got []map[string]any
	answer := `{"errcode":0,"errmsg":"ok"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || r.URL.Query().Get("key") != "k1" {
			t.Errorf("request %s %s %s", r.Method, r.URL, r.Header.Get("Content-Type"))
		}
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			t.Error(err)
		}
		got = append(got, m)
		_, _ = w.Write([]byte(answer))
	}))
	defer srv.Close()
	r := wecom.New(srv.URL+"/cgi-bin/webhook/send?key=k1", srv.Client())
	if err := r.Push(context.Background(), "微信消息即将超时", "13800000001"); err != nil {
		t.Fatal(err)
	}
	text := got[0]["text"].(map[string]any)
	if got[0]["msgtype"] != "text" || text["content"] != "微信消息即将超时" || text["mentioned_mobile_list"].([]any)[0] != "13800000001" {
		t.Fatalf("posted %v", got[0])
	}
	// A long text is cut at WeCom's limit on a character boundary.
	if err := r.Push(context.Background(), strings.Repeat("超时", 2000)); err != nil {
		t.Fatal(err)
	}
	c := got[1]["text"].(map[string]any)["content"].(string)
	if len(c) > 2048 || !utf8.ValidString(c) {
		t.Fatalf("long text: %d bytes, valid %v", len(c), utf8.ValidString(c))
	}
	// WeCom's errors come back as errors.
	answer = `{"errcode":93000,"errmsg":"invalid webhook url"}`
	if err := r.Push(context.Background(), "x"); err == nil || !strings.Contains(err.Error(), "93000") {
		t.Fatalf("errcode: %v", err)
	}
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", 502) }))
	defer bad.Close()
	if err := wecom.New(bad.URL, bad.Client()).Push(context.Background(), "x"); err == nil || !strings.Contains(err.Error(), "502") {
		t.Fatalf("HTTP error: %v", err)
	}
}
