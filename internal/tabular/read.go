// Package tabular reads the spreadsheet files users upload for imports
// (customers, contacts, equipment, payments, PBX call logs, WeChat exports):
// XLSX, and CSV/TSV text in UTF-8 (with or without BOM), GBK/GB18030 or
// UTF-16. It knows nothing about the domain: it yields a header row and data
// rows with the row numbers a person sees in Excel, maps headers to keys
// (Table.Map) and parses typed cells with Chinese error messages (ParseMoneyFen,
// ParseDate, ParsePhone, ...).
//
// The package is pure: no database, no logging, no global state.
package tabular

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode"
)

// Defaults used when the corresponding Options field is zero.
const (
	DefaultMaxBytes = 20 << 20 // 20 MiB
	DefaultMaxRows  = 200_000
)

// Formats reported in Table.Format.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// Errors returned by Read. They are wrapped with details; test with errors.Is.
var (
	ErrUnsupportedFormat = errors.New("不是 XLSX 或 CSV 文件 (not an XLSX or CSV file)")
	ErrTooLarge          = errors.New("文件过大 (file too large)")
	ErrTooManyRows       = errors.New("行数过多 (too many rows)")
	ErrNoHeader          = errors.New("文件中没有表头行 (no header row found)")
	ErrEncoding          = errors.New("无法识别文件编码 (unrecognised text encoding)")
)

// Options control Read. The zero value is usable.
type Options struct {
	// MaxBytes limits the file size; 0 means DefaultMaxBytes. The uncompressed
	// size of an XLSX is limited to 16 × MaxBytes.
	MaxBytes int64
	// MaxRows limits the number of non-empty data rows (header excluded);
	// 0 means DefaultMaxRows.
	MaxRows int
	// Encoding forces the CSV text encoding: "utf-8" or "gbk"/"gb18030"
	// ("gb2312" is accepted too). Empty or "auto" detects it.
	Encoding string
	// Delimiter forces the CSV field delimiter; 0 detects it.
	Delimiter rune
	// Sheet names the XLSX worksheet to read; empty means the first visible one.
	Sheet string
	// HeaderRow is the row number (as shown in Excel, 1-based) of the header;
	// 0 means the first non-empty row. Use it for exports with a title line.
	HeaderRow int
}

func (o Options) maxBytes() int64 {
	if o.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return o.MaxBytes
}

func (o Options) maxRows() int {
	if o.MaxRows <= 0 {
		return DefaultMaxRows
	}
	return o.MaxRows
}

// Table is a file read by Read.
type Table struct {
	Format   string // FormatCSV or FormatXLSX
	Encoding string // CSV: "utf-8", "gb18030", "utf-16le" or "utf-16be"; XLSX: ""
	Sheet    string // XLSX: the worksheet read; CSV: ""
	Headers  []string
	// HeaderLine is the Excel row number of the header row.
	HeaderLine int
	Rows       []Row
}

// Row is a non-empty data row.
type Row struct {
	// Line is the row number a person sees in Excel (the header is usually 1).
	// Skipped empty rows still count, so numbers may have gaps.
	Line int
	// Cells are trimmed values, at least len(Headers) long (short rows are
	// padded with ""), longer when the row has cells beyond the last header.
	Cells []string
}

// Read reads an XLSX or CSV file. The format is detected from the content;
// name (the uploaded file name) is only a hint used in error messages.
func Read(name string, r io.Reader, opts Options) (*Table, error) {
	limit := opts.maxBytes()
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("读取文件失败 (read failed): %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: 文件超过大小限制 %s (file exceeds the %s limit)", ErrTooLarge, formatBytes(limit), formatBytes(limit))
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return readXLSX(data, opts)
	}
	if err := sniffBinary(name, data); err != nil {
		return nil, err
	}
	return readCSV(data, opts)
}

// sniffBinary rejects content that is clearly not CSV text.
func sniffBinary(name string, data []byte) error {
	ext := strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/")))
	var what string
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return fmt.Errorf("%w: 文件为空 (empty file)", ErrNoHeader)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		what = "检测到旧版 Excel 97-2003 (.xls) 或加密的 Excel 文件, 请在 Excel 中“另存为” .xlsx 或 CSV UTF-8 后重新上传"
	case bytes.HasPrefix(data, []byte("%PDF")):
		what = "检测到 PDF 文件"
	case bytes.HasPrefix(data, []byte("\x89PNG")),
		bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}),
		bytes.HasPrefix(data, []byte("GIF8")):
		what = "检测到图片文件"
	case bytes.HasPrefix(data, []byte("PK\x05\x06")), bytes.HasPrefix(data, []byte("PK\x07\x08")),
		bytes.HasPrefix(data, []byte("Rar!")),
		bytes.HasPrefix(data, []byte{0x1F, 0x8B}), bytes.HasPrefix(data, []byte("7z\xBC\xAF")):
		what = "检测到压缩包, 请解压后上传其中的 XLSX 或 CSV 文件"
	case looksLikeMarkup(data):
		what = "检测到 HTML/XML 格式的伪 Excel 文件 (常见于网页系统导出的 .xls), 请用 Excel 打开后“另存为” .xlsx"
	case hasUTF16BOM(data):
		return nil
	case bytes.IndexByte(head(data, 8192), 0) >= 0 || !mostlyText(head(data, 8192)):
		what = "文件内容不是文本"
	default:
		return nil
	}
	if ext != "" {
		what += fmt.Sprintf(" (扩展名 %s)", ext)
	}
	return fmt.Errorf("%w: %s", ErrUnsupportedFormat, what)
}

func head(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

func looksLikeMarkup(data []byte) bool {
	h := bytes.ToLower(bytes.TrimLeft(head(bytes.TrimPrefix(data, []byte(utf8BOM)), 512), " \t\r\n"))
	for _, p := range []string{"<!doctype", "<html", "<?xml", "<table", "<meta", "<head"} {
		if bytes.HasPrefix(h, []byte(p)) {
			return true
		}
	}
	return false
}

// mostlyText reports whether b has few control bytes other than whitespace.
func mostlyText(b []byte) bool {
	ctl := 0
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
			ctl++
		}
	}
	return ctl*100 <= len(b) // at most 1%
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d 字节 (bytes)", n)
	}
}

// trimCell trims spaces including full-width U+3000, NBSP, zero-width space
// and stray BOMs.
func trimCell(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\uFEFF' || r == '\u200B'
	})
}

// tableBuilder turns raw rows (with their Excel row numbers) into a Table:
// trims cells, skips empty rows, finds the header, enforces MaxRows.
type tableBuilder struct {
	t         *Table
	headerRow int
	maxRows   int
}

func newTableBuilder(format, encoding string, opts Options) *tableBuilder {
	return &tableBuilder{
		t:         &Table{Format: format, Encoding: encoding},
		headerRow: opts.HeaderRow,
		maxRows:   opts.maxRows(),
	}
}

// add consumes one raw row. cells may be reused by the caller afterwards.
func (b *tableBuilder) add(line int, cells []string) error {
	last := -1
	for i, c := range cells {
		if trimCell(c) != "" {
			last = i
		}
	}
	if b.t.Headers == nil {
		if b.headerRow > 0 && line < b.headerRow {
			return nil
		}
		if b.headerRow > 0 && (line > b.headerRow || last < 0) {
			return fmt.Errorf("%w: 指定的表头行第 %d 行为空", ErrNoHeader, b.headerRow)
		}
		if last < 0 {
			return nil
		}
		h := make([]string, last+1)
		for i := range h {
			h[i] = trimCell(cells[i])
		}
		b.t.Headers, b.t.HeaderLine = h, line
		return nil
	}
	if last < 0 {
		return nil
	}
	if len(b.t.Rows) >= b.maxRows {
		return fmt.Errorf("%w: 数据超过 %d 行上限 (more than %d data rows), 请拆分文件后分批导入", ErrTooManyRows, b.maxRows, b.maxRows)
	}
	n := max(last+1, len(b.t.Headers))
	row := Row{Line: line, Cells: make([]string, n)}
	for i := 0; i <= last; i++ {
		row.Cells[i] = trimCell(cells[i])
	}
	b.t.Rows = append(b.t.Rows, row)
	return nil
}

func (b *tableBuilder) finish() (*Table, error) {
	if b.t.Headers == nil {
		if b.headerRow > 0 {
			return nil, fmt.Errorf("%w: 第 %d 行为空或不存在", ErrNoHeader, b.headerRow)
		}
		return nil, fmt.Errorf("%w: 文件中没有数据 (no data)", ErrNoHeader)
	}
	return b.t, nil
}
