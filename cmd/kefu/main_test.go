package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCLI(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "kefu.db")
	ctx := context.Background()
	runOK := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		t.Setenv("KEFU_DATA_DIR", dir)
		if err := run(ctx, append(args, "-db", db), &out, &errb); err != nil {
			t.Fatalf("kefu %v: %v\n%s", args, err, errb.String())
		}
		return out.String()
	}
	if out := runOK("migrate"); !strings.Contains(out, "database migrated to version") {
		t.Fatalf("migrate output %q", out)
	}
	runOK("user", "add", "-login", "zhang.san", "-name", "张三", "-roles", "cs_specialist,cs_manager", "-password", "Secret-2026")
	if out := runOK("user", "list"); !strings.Contains(out, "zhang.san") || !strings.Contains(out, "cs_manager") {
		t.Fatalf("user list = %q", out)
	}
	runOK("user", "passwd", "-login", "zhang.san", "-password", "Another-2026")
	runOK("user", "add", "-login", "li.si", "-name", "李四", "-roles", "cs_specialist", "-password", "Secret-2026")
	// A month without any record: the specialist scheme's rates score full
	// (nothing due), no deductions, the rated items wait (待评).
	if out := runOK("appraise", "-month", "2026-03", "-staff", "zhang.san"); !strings.Contains(out, "cs_specialist") ||
		!strings.Contains(out, "80.00") || !strings.Contains(out, "待评") || !strings.Contains(out, "renewal_rate") {
		t.Fatalf("appraise output %q", out)
	}
	if out := runOK("appraise", "-month", "2026-03", "-format", "json"); !strings.Contains(out, `"login": "zhang.san"`) || !strings.Contains(out, `"final": 80`) {
		t.Fatalf("appraise json %q", out)
	}
	out := runOK("token", "create", "-login", "zhang.san", "-name", "PBX", "-days", "30")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	tok := lines[len(lines)-1]
	if !strings.HasPrefix(tok, "kf_") {
		t.Fatalf("token create output %q", out)
	}
	if out := runOK("token", "list"); !strings.Contains(out, "PBX") {
		t.Fatalf("token list = %q", out)
	}
	var errb bytes.Buffer
	if err := run(ctx, []string{"user", "add", "-login", "x", "-name", "", "-roles", "nope", "-db", db}, &bytes.Buffer{}, &errb); err == nil {
		t.Fatal("user add with a bad login, name and role succeeded")
	}
	if err := run(ctx, []string{"frobnicate"}, &bytes.Buffer{}, &errb); err == nil {
		t.Fatal("unknown command accepted")
	}

	// serve: answers, then shuts down when the context ends.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- run(sctx, []string{"serve", "-addr", addr, "-db", db, "-demo=false"}, &bytes.Buffer{}, &bytes.Buffer{})
	}()
	var resp *http.Response
	for i := 0; i < 100; i++ {
		if resp, err = http.Get("http://" + addr + "/healthz"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("server never answered: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz = %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("token from the CLI: %v %v", resp, err)
	}
	resp.Body.Close()
	// A check of 李四 through the API, for `appraise` to list below.
	api := func(method, path, body string, out any) {
		t.Helper()
		req, _ := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 300 {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	var staff struct {
		Items []struct {
			ID    string `json:"id"`
			Login string `json:"login"`
		} `json:"items"`
	}
	api(http.MethodGet, "/api/v1/staff", "", &staff)
	var liID string
	for _, st := range staff.Items {
		if st.Login == "li.si" {
			liID = st.ID
		}
	}
	var check struct {
		ID      string `json:"id"`
		Version int64  `json:"version"`
	}
	api(http.MethodPost, "/api/v1/scorecards/checks", `{"staff_id":"`+liID+`","scheme":"chat_sampling","period":"2026-03"}`, &check)
	api(http.MethodPost, "/api/v1/scorecards/"+check.ID+"/samples",
		fmt.Sprintf(`{"version":%d,"item":"chat_records","date":"2026-03-02","checked":20,"failed":4}`, check.Version), &check)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v after shutdown", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}
	// appraise lists the person's checks of the month after the card.
	if out := runOK("appraise", "-month", "2026-03", "-staff", "li.si"); !strings.Contains(out, "聊天记录考核") || !strings.Contains(out, "25.00") {
		t.Fatalf("appraise with a check %q", out)
	}

	// token revoke takes the prefix as token list prints it; the list then
	// shows the token revoked, and demo refuses a database that has people.
	listed := strings.Fields(strings.Split(strings.TrimSpace(runOK("token", "list")), "\n")[1])
	if len(listed) < 5 || listed[len(listed)-1] != "false" || !strings.HasPrefix(tok, listed[1]+"_") {
		t.Fatalf("token list row %q for token %q", listed, tok)
	}
	if out := runOK("token", "revoke", "-id", listed[1]); !strings.Contains(out, "revoked") {
		t.Fatalf("token revoke output %q", out)
	}
	if row := strings.Fields(strings.Split(strings.TrimSpace(runOK("token", "list")), "\n")[1]); row[len(row)-1] != "true" {
		t.Fatalf("token list after revoke %q", row)
	}
	if err := run(ctx, []string{"token", "revoke", "-id", "kf_nosuchprefix", "-db", db}, &bytes.Buffer{}, &errb); err == nil {
		t.Fatal("revoking an unknown token succeeded")
	}
	if err := run(ctx, []string{"demo", "-db", db}, &bytes.Buffer{}, &errb); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("demo into a database with people: %v", err)
	}
}

// TestCLIDemo loads the demo company into a fresh database and prints its
// summary with the shared password.
func TestCLIDemo(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("KEFU_DATA_DIR", dir)
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"demo", "-db", filepath.Join(dir, "kefu.db")}, &out, &errb); err != nil {
		t.Fatalf("kefu demo: %v\n%s", err, errb.String())
	}
	for _, want := range []string{"（演示数据）", "所有账号的演示密码", "区域 3", "客户 "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo summary lacks %q:\n%s", want, out.String())
		}
	}
}

func TestFirstStartWithoutDemoCreatesAdmin(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("KEFU_DATA_DIR", dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-demo=false", "-db", filepath.Join(dir, "k.db")}, out, &bytes.Buffer{})
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "created login admin with password Kf-") {
		if time.Now().After(deadline) {
			t.Fatalf("first start output %q", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one poller.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
