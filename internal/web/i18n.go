package web

import (
	"embed"
	"encoding/json"
	"fmt"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed i18n/*.json
var catalogueFS embed.FS

// Languages the UI speaks; the first is the default.
var Languages = []string{"zh-CN", "en"}

// catalogue holds one localizer per language.
type catalogue struct {
	loc map[string]*i18n.Localizer
}

func newCatalogue() (*catalogue, error) {
	b := i18n.NewBundle(language.SimplifiedChinese)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	c := &catalogue{loc: map[string]*i18n.Localizer{}}
	for _, lang := range Languages {
		if _, err := b.LoadMessageFileFS(catalogueFS, "i18n/"+lang+".json"); err != nil {
			return nil, fmt.Errorf("web: i18n %s: %w", lang, err)
		}
		c.loc[lang] = i18n.NewLocalizer(b, lang)
	}
	return c, nil
}

// translate returns the message id in lang, with {{.N}}-style data from
// args given as key, value pairs. A missing id shows the id itself (and a
// test makes sure none is missing).
func (c *catalogue) translate(lang, id string, args ...any) string {
	l, ok := c.loc[lang]
	if !ok {
		l = c.loc[Languages[0]]
	}
	var data map[string]any
	if len(args) > 0 {
		data = map[string]any{}
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
	}
	s, err := l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}
