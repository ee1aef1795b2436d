package appraisal

import (
	"embed"
	"io/fs"
	"slices"
)

//go:embed schemes/*.json
var shippedFS embed.FS

// DefaultKey is the key of the default scheme: 客服专员绩效考核评分标准 (SPEC §8.3).
const DefaultKey = "cs_specialist"

// Shipped returns the schemes shipped with kefu, parsed and validated, in
// file-name order. Each call returns fresh copies the caller may change.
// A shipped scheme that does not validate is a programming error: it panics
// (the package tests load every one).
func Shipped() []*Scheme {
	names, err := fs.Glob(shippedFS, "schemes/*.json")
	if err != nil {
		panic(err)
	}
	slices.Sort(names)
	out := make([]*Scheme, 0, len(names))
	for _, n := range names {
		b, err := shippedFS.ReadFile(n)
		if err != nil {
			panic(err)
		}
		s, err := ParseScheme(b)
		if err != nil {
			panic("appraisal: shipped scheme " + n + ": " + err.Error())
		}
		out = append(out, s)
	}
	return out
}

// ShippedByKey returns the shipped scheme with key k, or nil.
func ShippedByKey(k string) *Scheme {
	for _, s := range Shipped() {
		if s.Key == k {
			return s
		}
	}
	return nil
}

// Default returns the default scheme, 客服专员绩效考核评分标准 (SPEC §8.3).
func Default() *Scheme { return ShippedByKey(DefaultKey) }
