package server

import (
	"bytes"
	"errors"
	"net/url"
)

// errBadForm: the form has a semicolon separator, a bad %-escape or more
// than maxFormParams pairs, which url.ParseQuery refuses too.
var errBadForm = errors.New("malformed form body")

// maxFormParams is url.ParseQuery's default limit on a form's pairs
// (counted as its '&'s plus one); the GODEBUG setting urlmaxqueryparams,
// which moves url.ParseQuery's, does not move this one.
const maxFormParams = 10000

// maxInlinePairs is how many pairs parseForm tracks without allocating:
// more than any STS call sends.
const maxInlinePairs = 16

// parseForm parses an application/x-www-form-urlencoded body exactly as
// url.ParseQuery does — the same values in the same order, and an error
// where it returns one — in a few allocations however many pairs there are:
// every decoded key and value is a substring of one string, and every
// value slice a window of one array. url.ParseQuery allocates a string
// and a slice per pair (FuzzParseForm holds the two together). A value
// kept beyond the request keeps the whole decoded body alive with it:
// whatever keeps one (a cache key, say) clones it.
func parseForm(body []byte) (url.Values, error) {
	if bytes.Count(body, []byte{'&'})+1 > maxFormParams {
		return nil, errBadForm
	}
	var inline [maxInlinePairs]span
	spans := inline[:0]
	dec := make([]byte, 0, len(body))
	for rest := body; len(rest) > 0; {
		pair := rest
		if i := bytes.IndexByte(rest, '&'); i >= 0 {
			pair, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		if len(pair) == 0 {
			continue
		}
		if bytes.IndexByte(pair, ';') >= 0 {
			return nil, errBadForm
		}
		key, value := pair, []byte(nil)
		if i := bytes.IndexByte(pair, '='); i >= 0 {
			key, value = pair[:i], pair[i+1:]
		}
		var s span
		var ok bool
		s.k0 = len(dec)
		if dec, ok = appendUnescaped(dec, key); !ok {
			return nil, errBadForm
		}
		s.k1 = len(dec)
		if dec, ok = appendUnescaped(dec, value); !ok {
			return nil, errBadForm
		}
		s.v1 = len(dec)
		spans = append(spans, s)
	}
	all := string(dec)
	values := make([]string, len(spans))
	form := make(url.Values, len(spans))
	for i, s := range spans {
		k := all[s.k0:s.k1]
		values[i] = all[s.k1:s.v1]
		if i < maxInlinePairs && repeated(all, spans[:i], k) || i >= maxInlinePairs && form[k] != nil {
			form[k] = append(form[k], values[i])
			continue
		}
		form[k] = values[i : i+1 : i+1]
	}
	return form, nil
}

// span is where a pair's key, [k0,k1), and value, [k1,v1), are in
// parseForm's decoded string.
type span struct{ k0, k1, v1 int }

// repeated reports whether key is one of the keys of before (a form's
// earlier pairs): for a few pairs, a compare of short strings costs less
// than a map lookup (parseForm asks the map past maxInlinePairs).
func repeated(all string, before []span, key string) bool {
	for _, s := range before {
		if s.k1-s.k0 == len(key) && all[s.k0:s.k1] == key {
			return true
		}
	}
	return false
}

// appendUnescaped appends s decoded as a query component ('+' is a space,
// %XX a byte) to dst; false for a '%' not followed by two hex digits.
func appendUnescaped(dst, s []byte) ([]byte, bool) {
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '%' && s[i] != '+' {
			i++
		}
		dst = append(dst, s[:i]...)
		if i == len(s) {
			break
		}
		if s[i] == '+' {
			dst = append(dst, ' ')
			s = s[i+1:]
			continue
		}
		if i+2 >= len(s) {
			return dst, false
		}
		hi, ok1 := unhex(s[i+1])
		lo, ok2 := unhex(s[i+2])
		if !ok1 || !ok2 {
			return dst, false
		}
		dst = append(dst, hi<<4|lo)
		s = s[i+3:]
	}
	return dst, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
