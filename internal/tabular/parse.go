package tabular

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// CellError is a problem with one cell. Parsers return it with Line and
// Column empty; fill them in with Errors.Add or CellError.At.
type CellError struct {
	Line   int    // Excel row number; 0 if unknown
	Column string // header text as in the file
	Value  string // the cell text
	Reason string // Chinese, for the user
}

// Error renders e.g. `第 5 行 “联系电话”: 手机号格式不正确 (value "123")`.
func (e *CellError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "第 %d 行", e.Line)
	}
	if e.Column != "" {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "“%s”", e.Column)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	if e.Value != "" {
		v := e.Value
		if utf8.RuneCountInString(v) > 60 {
			v = string([]rune(v)[:60]) + "…"
		}
		fmt.Fprintf(&b, " (value %q)", v)
	}
	return b.String()
}

// At returns a copy of e located at the given row and column.
func (e *CellError) At(line int, column string) *CellError {
	c := *e
	c.Line, c.Column = line, column
	return &c
}

func cellErr(value, reason string) *CellError {
	return &CellError{Value: value, Reason: reason}
}

// Errors collects cell errors of an import, in the order added.
type Errors []CellError

// Add records err (if not nil) for the given row and column. A *CellError
// keeps its Value and Reason; any other error becomes the Reason.
func (es *Errors) Add(line int, column string, err error) {
	if err == nil {
		return
	}
	var ce *CellError
	if errors.As(err, &ce) {
		c := *ce
		if line > 0 {
			c.Line = line
		}
		if column != "" {
			c.Column = column
		}
		*es = append(*es, c)
		return
	}
	*es = append(*es, CellError{Line: line, Column: column, Reason: err.Error()})
}

// Err returns es as an error, or nil when empty.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// Error lists the first 20 errors, one per line.
func (es Errors) Error() string {
	const show = 20
	var b strings.Builder
	for i := range es {
		if i == show {
			fmt.Fprintf(&b, "\n…… 共 %d 个错误 (%d errors)", len(es), len(es))
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(es[i].Error())
	}
	return b.String()
}

// fold converts full-width ASCII (０-９, Ａ-Ｚ, ，．－＋（）￥ …) to half-width,
// the ideographic space to a space, and trims.
func fold(s string) string {
	s = trimCell(s)
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '\uFF01' && r <= '\uFF5E':
			return r - 0xFEE0
		case r == '\u3000':
			return ' '
		case r == '\uFFE5':
			return '¥'
		case r == '\u2212': // minus sign
			return '-'
		}
		return r
	}, s)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func looksScientific(s string) bool {
	i := strings.IndexAny(s, "eE")
	return i > 0 && i < len(s)-1 && s[i-1] >= '0' && s[i-1] <= '9' &&
		strings.ContainsAny(s[i+1:i+2], "+-0123456789")
}

const reasonScientific = "单元格显示为科学计数法, 请在 Excel 中将该列设置为“文本”或“数值”格式后重新导出"

// ParseMoneyFen parses a non-negative amount of yuan into fen (1/100 yuan)
// without floating point. Accepted: "12345", "12,345.67", "¥12345.6",
// "￥1,234.50元", "RMB 100", full-width digits. More than two decimals are
// rejected unless the extra digits are zeros ("1.500" is fine, "1.005" not).
func ParseMoneyFen(s string) (int64, error) { return parseMoney(s, false) }

// ParseSignedMoneyFen is ParseMoneyFen that also accepts negative amounts:
// "-12.5", "¥-12.5", "-¥12.5" and accounting style "(12.50)".
func ParseSignedMoneyFen(s string) (int64, error) { return parseMoney(s, true) }

func parseMoney(orig string, allowNeg bool) (int64, error) {
	s := fold(orig)
	if s == "" {
		return 0, cellErr(orig, "金额不能为空")
	}
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, s[1:len(s)-1]
	}
	sign := func() {
		if !neg && (strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+")) {
			neg = s[0] == '-'
			s = strings.TrimSpace(s[1:])
		}
	}
	sign()
	for _, p := range []string{"¥", "RMB", "CNY", "人民币", "$"} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			s = strings.TrimSpace(s[len(p):])
			break
		}
	}
	sign()
	s = strings.TrimSpace(strings.TrimSuffix(s, "元"))
	if looksScientific(s) {
		return 0, cellErr(orig, reasonScientific)
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return 0, cellErr(orig, "金额格式不正确")
	}
	if strings.Contains(intPart, ",") {
		groups := strings.Split(intPart, ",")
		for i, g := range groups {
			if !isDigits(g) || (i == 0 && len(g) > 3) || (i > 0 && len(g) != 3) {
				return 0, cellErr(orig, "金额的千分位分隔符位置不正确")
			}
		}
		intPart = strings.Join(groups, "")
	}
	if (intPart != "" && !isDigits(intPart)) || (frac != "" && !isDigits(frac)) {
		return 0, cellErr(orig, "金额格式不正确")
	}
	if len(frac) > 2 {
		if strings.Trim(frac[2:], "0") != "" {
			return 0, cellErr(orig, "金额最多保留两位小数 (精确到分)")
		}
		frac = frac[:2]
	}
	frac += "00"[len(frac):]
	if len(strings.TrimLeft(intPart, "0")) > maxYuanDigits {
		return 0, cellErr(orig, "金额超出范围")
	}
	var yuan int64
	for i := 0; i < len(intPart); i++ {
		yuan = yuan*10 + int64(intPart[i]-'0')
	}
	fen := yuan*100 + int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	if neg && fen != 0 {
		if !allowNeg {
			return 0, cellErr(orig, "金额不能为负数")
		}
		fen = -fen
	}
	return fen, nil
}

// maxYuanDigits bounds amounts to under 10^15 yuan so fen never overflows.
const maxYuanDigits = 15

// FormatFen renders fen as yuan with two decimals: 123450 → "1234.50".
// ParseSignedMoneyFen(FormatFen(x)) == x for |x| < 10^17.
func FormatFen(fen int64) string {
	neg := fen < 0
	u := uint64(fen)
	if neg {
		u = -u
	}
	s := fmt.Sprintf("%d.%02d", u/100, u%100)
	if neg {
		return "-" + s
	}
	return s
}

// ParseInt parses an integer such as a quantity: "1,234", "１２", "-3".
func ParseInt(orig string) (int64, error) {
	s := fold(orig)
	if s == "" {
		return 0, cellErr(orig, "数值不能为空")
	}
	if looksScientific(s) {
		return 0, cellErr(orig, reasonScientific)
	}
	digits := strings.TrimLeft(s, "+-")
	if strings.Contains(digits, ",") {
		groups := strings.Split(digits, ",")
		for i, g := range groups {
			if !isDigits(g) || (i == 0 && len(g) > 3) || (i > 0 && len(g) != 3) {
				return 0, cellErr(orig, "数值的千分位分隔符位置不正确")
			}
		}
		s = s[:len(s)-len(digits)] + strings.Join(groups, "")
	}
	// Excel may show whole numbers as "12.0" or "12.00".
	if i := strings.IndexByte(s, '.'); i >= 0 && strings.Trim(s[i+1:], "0") == "" {
		s = s[:i]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, cellErr(orig, "数值超出范围")
		}
		return 0, cellErr(orig, "应为整数")
	}
	return n, nil
}

// ParseBool accepts 是/否, 对/错, 有/无, 真/假, Y/N, yes/no, true/false, 1/0,
// √/×, ✓/✗ (case-insensitive).
func ParseBool(orig string) (bool, error) {
	switch strings.ToLower(fold(orig)) {
	case "是", "对", "有", "真", "y", "yes", "true", "t", "1", "√", "✓", "✔", "on":
		return true, nil
	case "否", "错", "无", "假", "n", "no", "false", "f", "0", "×", "✗", "✘", "off":
		return false, nil
	case "":
		return false, cellErr(orig, "不能为空, 请填写 是 或 否")
	}
	return false, cellErr(orig, "应填写 是 或 否")
}
