package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"kefu/internal/apperr"
)

// DocumentTypes are the content types accepted as attachments (electronic
// archive files, scanned contracts, quotes), as named by Sniff.
var DocumentTypes = map[string]bool{
	"application/pdf": true, "image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true,
	"application/zip":           true, // docx/xlsx are zip containers
	"text/plain; charset=utf-8": true, // plain-text notes
}

// CleanFileName returns a safe display name: the base name only, no path
// separators or control characters, at most 120 characters. A name that
// tries to climb directories is refused.
func CleanFileName(name string) (string, error) {
	if name == ".." || strings.ContainsAny(name, "/\\") {
		return "", apperr.Invalid("file", "文件名不能包含路径")
	}
	name = strings.TrimSpace(filepath.Base(name))
	if name == "" || name == "." || !utf8.ValidString(name) {
		return "", apperr.Invalid("file", "文件名无效")
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return "", apperr.Invalid("file", "文件名包含控制字符")
		}
	}
	if utf8.RuneCountInString(name) > 120 {
		return "", apperr.Invalid("file", "文件名不能超过 120 个字")
	}
	return name, nil
}

// PutDocument sniffs r's content type from its bytes (never trusting the
// client), refuses empty files and types outside DocumentTypes, and
// stores it. It returns the key, size and content type.
func PutDocument(ctx context.Context, s Store, r io.Reader, limit int64) (key string, size int64, ctype string, err error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", 0, "", err
	}
	head = head[:n]
	if n == 0 {
		return "", 0, "", apperr.Invalid("file", "文件为空")
	}
	ctype = Sniff(head)
	if !DocumentTypes[ctype] {
		return "", 0, "", apperr.Invalid("file", fmt.Sprintf("不支持的文件类型 %s（支持 PDF、图片、Office 文档、文本）", ctype))
	}
	key, size, err = s.Put(ctx, io.MultiReader(strings.NewReader(string(head)), r), limit)
	if errors.Is(err, ErrTooLarge) {
		return "", 0, "", apperr.TooLarge("file", fmt.Sprintf("文件超过 %d MB", limit>>20))
	}
	return key, size, ctype, err
}
