package tabular

import (
	"strings"
)

const (
	reasonPhone  = "手机号/电话号码格式不正确"
	reasonMobile = "手机号格式不正确"
)

// ParsePhone normalises a Chinese phone number:
//
//   - mobile 1[3-9]xxxxxxxxx → "13812345678" (+86 / 0086 / 86, spaces,
//     dashes and dots removed);
//   - landline with area code → "010-12345678", "0755-1234567"; an extension
//     given as "转 801", "分机801", "ext 801", "x801", "#801" or a trailing
//     "-801" → "0755-1234567-801";
//   - 400/800 numbers → "400-123-4567" (extension allowed);
//   - other countries when written with "+" or "00" → "+85291234567".
//
// Anything else is a *CellError "手机号/电话号码格式不正确".
func ParsePhone(orig string) (string, error) {
	s := strings.ToLower(foldPhone(orig))
	if s == "" {
		return "", cellErr(orig, "电话号码不能为空")
	}
	if looksScientific(s) {
		return "", cellErr(orig, reasonScientific)
	}
	main, ext := s, ""
	for _, marker := range []string{"转", "分机", "ext.", "ext", "x", "#", ","} {
		if i := strings.Index(s, marker); i > 0 {
			main, ext = s[:i], strings.Trim(s[i+len(marker):], " -.:号")
			if !isDigits(ext) || len(ext) > 6 {
				return "", cellErr(orig, reasonPhone)
			}
			break
		}
	}
	main = strings.TrimSpace(main)
	intl := strings.HasPrefix(main, "+")
	groups := strings.FieldsFunc(strings.TrimPrefix(main, "+"), func(r rune) bool {
		return r == ' ' || r == '-' || r == '.' || r == '(' || r == ')'
	})
	digits := strings.Join(groups, "")
	if !isDigits(digits) {
		return "", cellErr(orig, reasonPhone)
	}
	if !intl && strings.HasPrefix(digits, "00") {
		intl, digits = true, digits[2:]
	}
	if intl {
		if !strings.HasPrefix(digits, "86") {
			if len(digits) < 8 || len(digits) > 15 || digits[0] == '0' || ext != "" {
				return "", cellErr(orig, reasonPhone)
			}
			return "+" + digits, nil
		}
		digits = digits[2:]
		if !isMobile(digits) && !strings.HasPrefix(digits, "0") {
			digits = "0" + digits // +86 10 12345678 → 010-12345678
		}
	} else if len(digits) == 13 && strings.HasPrefix(digits, "86") && isMobile(digits[2:]) {
		digits = digits[2:]
	}
	if isMobile(digits) {
		if ext != "" {
			return "", cellErr(orig, reasonPhone)
		}
		return digits, nil
	}
	if len(digits) == 10 && (strings.HasPrefix(digits, "400") || strings.HasPrefix(digits, "800")) {
		return withExt(digits[:3]+"-"+digits[3:6]+"-"+digits[6:], ext), nil
	}
	if n, ok := landline(digits); ok {
		return withExt(n, ext), nil
	}
	// "0755-1234567-801": the last dash group is an extension.
	if ext == "" && len(groups) >= 2 && !intl {
		last := groups[len(groups)-1]
		if len(last) <= 6 {
			if n, ok := landline(strings.Join(groups[:len(groups)-1], "")); ok {
				return withExt(n, last), nil
			}
		}
	}
	return "", cellErr(orig, reasonPhone)
}

// ParseMobile accepts only mainland mobile numbers and returns 11 digits.
func ParseMobile(orig string) (string, error) {
	p, err := ParsePhone(orig)
	if err != nil {
		if ce, ok := err.(*CellError); ok && ce.Reason == reasonPhone {
			return "", cellErr(orig, reasonMobile)
		}
		return "", err
	}
	if !isMobile(p) {
		return "", cellErr(orig, reasonMobile)
	}
	return p, nil
}

func isMobile(d string) bool {
	return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' && isDigits(d)
}

// landline splits 0 + area code + 7–8 digit subscriber number. Area codes
// 010 and 02x have three digits, all others four.
func landline(d string) (string, bool) {
	if len(d) < 10 || d[0] != '0' {
		return "", false
	}
	area := 4
	if d[1] == '1' || d[1] == '2' {
		area = 3
	}
	sub := d[area:]
	if len(sub) < 7 || len(sub) > 8 || sub[0] == '0' {
		return "", false
	}
	return d[:area] + "-" + sub, true
}

func withExt(n, ext string) string {
	if ext == "" {
		return n
	}
	return n + "-" + ext
}

// foldPhone is fold plus the many dash characters people paste.
func foldPhone(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u30FC', '\uFE63':
			return '-'
		}
		return r
	}, fold(s))
}
