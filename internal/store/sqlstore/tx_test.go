package sqlstore

import (
	"strings"
	"testing"
	"unicode/utf8"
)

type dollar struct{ Dialect }

func (dollar) AbortsOnError() bool { return false }

func (dollar) Placeholder(n int) string { return "$" + string(rune('0'+n)) }

func TestRebindSkipsLiterals(t *testing.T) {
	got := Rebind(dollar{}, `SELECT '?', x FROM t WHERE a = ? AND b = '' AND c > ?`)
	if want := `SELECT '?', x FROM t WHERE a = $1 AND b = '' AND c > $2`; got != want {
		t.Fatalf("got %s", got)
	}
}

// prefixEnd bounds the strings with the prefix in binary order and stays
// valid UTF-8 for a valid prefix.
func TestPrefixEnd(t *testing.T) {
	for _, p := range []string{"a", "ab/", "¿", "é", "\U0010FFFF", "a\U0010FFFF", "\uD7FF"} {
		end, ok := prefixEnd(p)
		if p == "\U0010FFFF" {
			if ok {
				t.Errorf("%q: bound %q for a prefix with none", p, end)
			}
			continue
		}
		if !ok || !utf8.ValidString(end) || end <= p || strings.HasPrefix(end, p) {
			t.Errorf("%q: bound %q, %v", p, end, ok)
		}
		for _, s := range []string{p, p + "\x00", p + "zzz", p + "\U0010FFFF"} {
			if s >= end {
				t.Errorf("%q: %q is not below the bound %q", p, s, end)
			}
		}
	}
}
