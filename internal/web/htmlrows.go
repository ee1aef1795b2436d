package web

import (
	"html/template"
	"net/url"
	"strconv"
	"strings"
)

// htmlWriter writes markup by hand for the few places where html/template
// is too slow: the live queue's rows, hundreds of them on a manager's
// page at every 5-second poll (the template found each field by name and
// called an escaper through reflection for each value). Raw writes the
// page's own markup; Text escapes a value, for element text and quoted
// attributes alike (template.HTMLEscapeString: & ' < > " and NUL).
type htmlWriter struct{ strings.Builder }

// Raw writes markup as it is.
func (w *htmlWriter) Raw(s ...string) {
	for _, x := range s {
		w.WriteString(x)
	}
}

// Text writes s escaped.
func (w *htmlWriter) Text(s string) { w.WriteString(template.HTMLEscapeString(s)) }

// PathSegment writes s as one escaped segment of a URL path (an id in
// /customers/{id}) inside a quoted attribute.
func (w *htmlWriter) PathSegment(s string) { w.Text(url.PathEscape(s)) }

// emptyRow writes a table's one row saying it is empty (msg escaped
// already), across cols columns.
func (w *htmlWriter) emptyRow(cols int, msg string) {
	w.Raw(`<tr><td colspan="`, strconv.Itoa(cols), `" class="text-center text-secondary py-3">`, msg, `</td></tr>`)
}

// HTML is what was written.
func (w *htmlWriter) HTML() template.HTML { return template.HTML(w.String()) }

// ticketStatusClass is the badge colour of a ticket status.
var ticketStatusClass = map[string]string{
	"new": "bg-yellow-lt", "acknowledged": "bg-azure-lt", "in_progress": "bg-blue-lt", "dispatched": "bg-purple-lt",
	"resolved": "bg-green-lt", "callback_done": "bg-teal-lt",
}

// ticketStatusBadge is a ticket's status as its badge; word is the
// status's name in the page's language. The template "ticket-status"
// draws it too.
func ticketStatusBadge(w *htmlWriter, status, word string) {
	class, ok := ticketStatusClass[status]
	if !ok {
		class = "bg-secondary-lt"
	}
	w.Raw(`<span class="badge `, class, `" data-status="`)
	w.Text(status)
	w.Raw(`">`)
	w.Text(word)
	w.Raw(`</span>`)
}

// ticketUrgencyBadge is a ticket's urgency: a red badge when urgent, grey
// words otherwise (the template "ticket-urgency" draws it too).
func ticketUrgencyBadge(w *htmlWriter, urgency, word string) {
	if urgency == "urgent" {
		w.Raw(`<span class="badge bg-red-lt" data-urgency="urgent">`)
	} else {
		w.Raw(`<span class="text-secondary" data-urgency="`)
		w.Text(urgency)
		w.Raw(`">`)
	}
	w.Text(word)
	w.Raw(`</span>`)
}

// badge turns one of the badge writers into a template function.
func badge(f func(*htmlWriter, string, string)) func(string, string) template.HTML {
	return func(value, word string) template.HTML {
		var w htmlWriter
		f(&w, value, word)
		return w.HTML()
	}
}
