package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		head []byte
		want string
	}{
		{"pdf", []byte("%PDF-1.7\n..."), "application/pdf"},
		{"jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10}, "image/jpeg"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00"), "image/png"},
		{"gif", []byte("GIF89a..."), "image/gif"},
		{"webp", []byte("RIFF\x10\x00\x00\x00WEBPVP8 "), "image/webp"},
		{"xlsx", []byte("PK\x03\x04\x14\x00"), "application/zip"},
		{"chinese text", []byte("客户名称,地址\n示例大厦,朝阳区"), "text/plain; charset=utf-8"},
		{"text cut mid-rune", []byte("客户")[:4], "text/plain; charset=utf-8"},
		{"exe", []byte("MZ\x90\x00\x03\x00\x00\x00"), "application/octet-stream"},
		{"binary with nul", []byte("abc\x00def"), "application/octet-stream"},
		{"legacy xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, "application/octet-stream"},
		{"empty", nil, "application/octet-stream"},
	}
	for _, tt := range tests {
		if got := Sniff(tt.head); got != tt.want {
			t.Errorf("%s: Sniff = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestDiskPutOpen(t *testing.T) {
	ctx := context.Background()
	d, err := OpenDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	key, n, err := d.Put(ctx, strings.NewReader("hello 客服"), 1<<10)
	if err != nil || n != int64(len("hello 客服")) {
		t.Fatalf("Put = %q, %d, %v", key, n, err)
	}
	// Same content, same key: stored once.
	key2, _, err := d.Put(ctx, strings.NewReader("hello 客服"), 1<<10)
	if err != nil || key2 != key {
		t.Fatalf("second Put key = %q, %v; want %q", key2, err, key)
	}
	rc, err := d.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "hello 客服" {
		t.Fatalf("content = %q", b)
	}
	if _, _, err := d.Put(ctx, bytes.NewReader(make([]byte, 2049)), 2048); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversize Put error = %v, want ErrTooLarge", err)
	}
	for _, bad := range []string{"../../etc/passwd", "", "ab", strings.Repeat("g", 64), key[:63]} {
		if _, err := d.Open(ctx, bad); !errors.Is(err, ErrNotFound) {
			t.Errorf("Open(%q) error = %v, want ErrNotFound", bad, err)
		}
	}
}
