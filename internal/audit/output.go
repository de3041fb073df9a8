package audit

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"
)

// Table writes events as an aligned table, one row each: time, account
// (recipientAccountId), service:event, caller, resource, result, source IP.
type Table struct {
	tw   *tabwriter.Writer
	rows int
}

// NewTable starts a table on w; Flush ends it.
func NewTable(w io.Writer) *Table {
	return &Table{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
}

// Add writes one event's row (the header before the first).
func (t *Table) Add(e *Event) error {
	if t.rows == 0 {
		if _, err := fmt.Fprintln(t.tw, "TIME\tACCOUNT\tEVENT\tCALLER\tRESOURCE\tRESULT\tSOURCE IP"); err != nil {
			return err
		}
	}
	t.rows++
	result := "OK"
	if e.ErrorCode != "" {
		result = e.ErrorCode
	}
	_, err := fmt.Fprintf(t.tw, "%s\t%s\t%s:%s\t%s\t%s\t%s\t%s\n", dash(e.EventTime), dash(e.RecipientAccountID), dash(e.Service()), dash(e.EventName),
		dash(Caller(e)), dash(resourceOf(e)), dash(result), dash(e.SourceIPAddress))
	return err
}

// Flush writes the table out.
func (t *Table) Flush() error { return t.tw.Flush() }

// Caller names an event's caller in one cell: its ARN (and the access key
// of a session), "account ID" for another account's caller, "anonymous",
// "WebIdentityUser ID" or "SAMLUser ID" for the subject of a federation
// action, or "unknown (KEY)" for a request that failed authentication.
func Caller(e *Event) string {
	u := &e.UserIdentity
	switch {
	case u.Type == TypeAWSAccount && u.AccountID == AnonymousAccount:
		return "anonymous"
	case u.Type == TypeAWSAccount:
		return "account " + u.AccountID + " (" + dash(u.PrincipalID) + ")"
	case u.Type == TypeWebIdentityUser || u.Type == TypeSAMLUser:
		return u.Type + " " + dash(u.PrincipalID)
	case u.Type == TypeUnknown || u.ARN == "":
		return "unknown (" + dash(u.AccessKeyID) + ")"
	case strings.HasPrefix(u.AccessKeyID, "ASIA"):
		return u.ARN + " (" + u.AccessKeyID + ")"
	}
	return u.ARN
}

// resourceOf is the event's first resource, or its bucket and key.
func resourceOf(e *Event) string {
	if len(e.Resources) > 0 {
		return e.Resources[0].ARN
	}
	b, _ := e.RequestParameters["bucketName"].(string)
	if b == "" {
		return ""
	}
	if k, _ := e.RequestParameters["key"].(string); k != "" {
		return b + "/" + k
	}
	return b
}

// dash is one cell of the table (or one value of the chain): "-" when
// empty, and never a control character, escape sequence or bidirectional
// override — values come from clients (an S3 key, an unknown Action) and
// are printed on an operator's terminal. Tabs and line ends become
// spaces; other control characters, bidirectional controls and invalid
// UTF-8 are shown escaped (\x1b, \u202e).
func dash(s string) string {
	if s == "" {
		return "-"
	}
	clean := true
	for _, r := range s {
		if r < 0x20 || r >= 0x7f && !printableRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && !printableRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// printableRune reports whether a rune at or above DEL may be written as
// it is: not DEL, not a C1 control, not a bidirectional control, and
// valid.
func printableRune(r rune) bool {
	return r != 0x7f && !(r >= 0x80 && r <= 0x9f) && r != utf8.RuneError && !unicode.Is(unicode.Bidi_Control, r)
}

// DescribeChain writes a session's provenance in words: who assumed it,
// with which key, when.
func DescribeChain(w io.Writer, chain []*Event) error {
	for i, e := range chain {
		issued := e.IssuedAccessKey()
		what := assumedARN(e)
		if what == "" {
			what = e.EventName + " session"
		}
		lead := "session"
		if i > 0 {
			lead = "  which was"
		}
		if _, err := fmt.Fprintf(w, "%s %s (%s) issued by %s at %s to %s\n", lead, dash(issued), dash(what), dash(e.EventName), dash(e.EventTime),
			dash(Caller(e))); err != nil {
			return err
		}
	}
	return nil
}
