package sts

import (
	"regexp"
	"testing"
)

// wordsAnd must accept exactly what the regular expression it replaces
// accepts.
var wordsAndCases = []struct {
	m  wordsAnd
	re *regexp.Regexp
}{
	{sessionNameRe, regexp.MustCompile(`^[\w+=,.@-]*$`)},
	{externalIDRe, regexp.MustCompile(`^[\w+=,.@:/-]*$`)},
	{serialRe, regexp.MustCompile(`^[\w+=/:,.@-]*$`)},
}

func checkWordsAnd(t *testing.T, v string) {
	t.Helper()
	for _, c := range wordsAndCases {
		if got, want := c.m.MatchString(v), c.re.MatchString(v); got != want {
			t.Fatalf("%q against %s: %v, the regular expression says %v", v, c.re, got, want)
		}
	}
}

func TestWordsAndMatchesItsRegexp(t *testing.T) {
	for _, v := range []string{"", "bench", "a_b-c.d@e,f=g+h", "a:b", "a/b", "a b", "é", "a\x00", "a\n", "[x]", "a*b", "ALL_09", "a~b", "a%b", "a\\b", "a'b"} {
		checkWordsAnd(t, v)
	}
	for c := 0; c < 256; c++ {
		checkWordsAnd(t, string([]byte{'x', byte(c)}))
	}
}

func FuzzWordsAnd(f *testing.F) {
	f.Add("bench")
	f.Add("a:b/c")
	f.Fuzz(checkWordsAnd)
}
