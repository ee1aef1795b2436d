package customers

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"kefu/internal/apperr"
	"kefu/internal/store"
)

func text(field, s string, min, max int) error {
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	switch {
	case n < min:
		return apperr.Invalid(field, "不能为空")
	case n > max:
		return apperr.Invalid(field, fmt.Sprintf("不能超过 %d 个字", max))
	}
	return nil
}

func date(field, s string) error {
	if s == "" {
		return nil
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return apperr.Invalid(field, "日期格式应为 YYYY-MM-DD")
	}
	return nil
}

func firstErr(errs []error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }

func optional(s string) *string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	return &s
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func notFound(err error, what string) error {
	if errors.Is(err, store.ErrNoRows) {
		return apperr.NotFound(what)
	}
	return err
}

func staleVersion() error {
	return apperr.Conflict("version", "记录已被他人修改，请刷新后重试")
}

func requireRow(ctx context.Context, db bun.IDB, table, field, id string) error {
	if id == "" {
		return nil
	}
	n, err := db.NewSelect().Table(table).Where("id = ?", id).Count(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.Invalid(field, "引用的记录不存在")
	}
	return nil
}

const codeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// newCode returns a customer number like KH-7Q2M9XK4TB for customers
// entered without one. Ten symbols from 32 give 2^50 codes, so collisions
// stay negligible even across millions of customers (six symbols collided
// at around 40,000).
func newCode() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return "KH-" + string(b)
}
