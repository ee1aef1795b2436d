package tabular

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// Encodings reported in Table.Encoding for CSV files.
const (
	EncodingUTF8    = "utf-8"
	EncodingGB18030 = "gb18030" // superset of GBK and GB2312
	EncodingUTF16LE = "utf-16le"
	EncodingUTF16BE = "utf-16be"
)

const utf8BOM = "\xEF\xBB\xBF"

func hasUTF16BOM(b []byte) bool {
	return bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF})
}

func readCSV(data []byte, opts Options) (*Table, error) {
	text, enc, err := decodeText(data, opts.Encoding)
	if err != nil {
		return nil, err
	}
	// Excel's "sep=;" hint line: Excel hides it, so it does not count as a row.
	delim := opts.Delimiter
	if d, rest, ok := sepLine(text); ok {
		text = rest
		if delim == 0 {
			delim = d
		}
	}
	if delim == 0 {
		delim = detectDelimiter(text)
	}
	if delim == '\r' || delim == '\n' || delim == '"' || !utf8.ValidRune(delim) || delim == utf8.RuneError {
		return nil, fmt.Errorf("无效的分隔符 (invalid delimiter) %q", delim)
	}

	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = delim
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	// With a whitespace delimiter TrimLeadingSpace would swallow empty cells.
	cr.TrimLeadingSpace = delim != '\t' && delim != ' '

	b := newTableBuilder(FormatCSV, enc, opts)
	embedded := 0 // newlines inside quoted cells seen so far: Excel shows such a record as one row
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("CSV 格式错误 (malformed CSV): %w", err)
		}
		start, _ := cr.FieldPos(0)
		if err := b.add(start-embedded, rec); err != nil {
			return nil, err
		}
		for _, f := range rec {
			embedded += strings.Count(f, "\n")
		}
	}
	return b.finish()
}

// decodeText converts data to UTF-8 text. forced is Options.Encoding.
func decodeText(data []byte, forced string) (string, string, error) {
	switch strings.ToLower(strings.TrimSpace(forced)) {
	case "", "auto":
	case "utf-8", "utf8":
		data = bytes.TrimPrefix(data, []byte(utf8BOM))
		if !utf8.Valid(data) {
			return "", "", fmt.Errorf("%w: 文件不是有效的 UTF-8 编码, 请尝试选择 GBK 编码", ErrEncoding)
		}
		return string(data), EncodingUTF8, nil
	case "gbk", "gb2312", "gb18030", "cp936":
		return decodeWith(simplifiedchinese.GB18030, data, EncodingGB18030, false)
	case "utf-16", "utf16", "utf-16le", "utf-16be":
		return decodeUTF16(data, forced)
	default:
		return "", "", fmt.Errorf("%w: 不支持的编码 %q (supported: utf-8, gbk, utf-16)", ErrEncoding, forced)
	}

	switch {
	case hasUTF16BOM(data):
		return decodeUTF16(data, "")
	case utf8.Valid(data):
		return string(bytes.TrimPrefix(data, []byte(utf8BOM))), EncodingUTF8, nil
	default:
		return decodeWith(simplifiedchinese.GB18030, data, EncodingGB18030, true)
	}
}

func decodeUTF16(data []byte, forced string) (string, string, error) {
	endian, name := unicode.LittleEndian, EncodingUTF16LE
	if bytes.HasPrefix(data, []byte{0xFE, 0xFF}) || strings.EqualFold(forced, "utf-16be") {
		endian, name = unicode.BigEndian, EncodingUTF16BE
	}
	return decodeWith(unicode.UTF16(endian, unicode.UseBOM), data, name, true)
}

// decodeWith decodes data; when strict, replacement characters in the output
// (bytes invalid in that encoding) make it fail instead of importing garbage.
func decodeWith(enc encoding.Encoding, data []byte, name string, strict bool) (string, string, error) {
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return "", "", fmt.Errorf("%w: %v", ErrEncoding, err)
	}
	out = bytes.TrimPrefix(out, []byte(utf8BOM))
	if strict && bytes.ContainsRune(out, utf8.RuneError) {
		return "", "", fmt.Errorf("%w: 既不是 UTF-8 也不是 GBK, 请在 Excel 中“另存为” CSV UTF-8 后重新上传", ErrEncoding)
	}
	return string(out), name, nil
}

// sepLine recognises Excel's optional first line "sep=X".
func sepLine(text string) (rune, string, bool) {
	line, rest, ok := strings.Cut(text, "\n")
	if !ok {
		return 0, "", false
	}
	line = strings.TrimRight(line, "\r")
	if !strings.HasPrefix(strings.ToLower(line), "sep=") {
		return 0, "", false
	}
	d, size := utf8.DecodeRuneInString(line[4:])
	if size == 0 || 4+size != len(line) {
		return 0, "", false
	}
	return d, rest, true
}

// detectDelimiter picks comma, tab or semicolon, whichever occurs most often
// outside quotes in the first non-empty line (comma wins ties).
func detectDelimiter(text string) rune {
	var line string
	for text != "" {
		line, text, _ = strings.Cut(text, "\n")
		if strings.TrimSpace(line) != "" {
			break
		}
	}
	counts := map[rune]int{}
	quoted := false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && (r == ',' || r == '\t' || r == ';'):
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{'\t', ';'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}
