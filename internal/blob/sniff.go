package blob

import (
	"bytes"
	"unicode/utf8"
)

// Sniff names the content type of a file from its first bytes (at least
// 12 for images; 512 is plenty). It knows the types kefu accepts as
// attachments and returns "application/octet-stream" for anything else,
// so a file's claimed name or type is never trusted.
func Sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return "image/gif"
	case len(head) >= 12 && bytes.Equal(head[:4], []byte("RIFF")) && bytes.Equal(head[8:12], []byte("WEBP")):
		return "image/webp"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "application/zip" // docx, xlsx and zip archives
	case len(head) > 0 && utf8.Valid(trimPartialRune(head)) && !bytes.ContainsAny(head, "\x00"):
		return "text/plain; charset=utf-8"
	}
	return "application/octet-stream"
}

// trimPartialRune drops an incomplete UTF-8 sequence cut off at the end of head.
func trimPartialRune(b []byte) []byte {
	for i := 0; i < 3 && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return b
		}
		b = b[:len(b)-1]
	}
	return b
}
