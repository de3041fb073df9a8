package policy

import (
	"bytes"
	"encoding/base64"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// opKind is a base condition operator.
type opKind int

const (
	opStringEquals opKind = iota
	opStringNotEquals
	opStringEqualsIgnoreCase
	opStringNotEqualsIgnoreCase
	opStringLike
	opStringNotLike
	opNumericEquals
	opNumericNotEquals
	opNumericLessThan
	opNumericLessThanEquals
	opNumericGreaterThan
	opNumericGreaterThanEquals
	opDateEquals
	opDateNotEquals
	opDateLessThan
	opDateLessThanEquals
	opDateGreaterThan
	opDateGreaterThanEquals
	opBool
	opBinaryEquals
	opIPAddress
	opNotIPAddress
	opArnEquals
	opArnLike
	opArnNotEquals
	opArnNotLike
	opNull
)

// operators is the one table of condition operators: name → kind, whether it
// is negated, and whether policy variables are substituted in its values.
var operators = map[string]struct {
	kind      opKind
	negated   bool
	variables bool
}{
	"StringEquals": {opStringEquals, false, true}, "StringNotEquals": {opStringNotEquals, true, true},
	"StringEqualsIgnoreCase": {opStringEqualsIgnoreCase, false, true}, "StringNotEqualsIgnoreCase": {opStringNotEqualsIgnoreCase, true, true},
	"StringLike": {opStringLike, false, true}, "StringNotLike": {opStringNotLike, true, true},
	"NumericEquals": {opNumericEquals, false, false}, "NumericNotEquals": {opNumericNotEquals, true, false},
	"NumericLessThan": {opNumericLessThan, false, false}, "NumericLessThanEquals": {opNumericLessThanEquals, false, false},
	"NumericGreaterThan": {opNumericGreaterThan, false, false}, "NumericGreaterThanEquals": {opNumericGreaterThanEquals, false, false},
	"DateEquals": {opDateEquals, false, false}, "DateNotEquals": {opDateNotEquals, true, false},
	"DateLessThan": {opDateLessThan, false, false}, "DateLessThanEquals": {opDateLessThanEquals, false, false},
	"DateGreaterThan": {opDateGreaterThan, false, false}, "DateGreaterThanEquals": {opDateGreaterThanEquals, false, false},
	"Bool": {opBool, false, true}, "BinaryEquals": {opBinaryEquals, false, false},
	"IpAddress": {opIPAddress, false, false}, "NotIpAddress": {opNotIPAddress, true, false},
	"ArnEquals": {opArnEquals, false, true}, "ArnLike": {opArnLike, false, true},
	"ArnNotEquals": {opArnNotEquals, true, true}, "ArnNotLike": {opArnNotLike, true, true},
	"Null": {opNull, false, false},
}

type qualifier int

const (
	qualNone qualifier = iota
	qualForAll
	qualForAny
)

// condition is one compiled (operator, key, values) triple.
type condition struct {
	kind     opKind
	negated  bool
	ifExists bool
	qual     qualifier
	key      string  // lower-cased
	values   []value // policy values
}

// value is one policy value, pre-parsed for its operator.
type value struct {
	raw      string
	template []segment // non-nil when the value holds policy variables
	num      *big.Rat
	date     time.Time
	dateOK   bool
	prefix   netip.Prefix
	prefixOK bool
	bin      []byte
}

// eval evaluates the condition against the request.
func (c *condition) eval(req *Request) bool {
	reqVals, present := req.lookup(c.key)
	if c.kind == opNull {
		want := len(c.values) > 0 && strings.EqualFold(c.values[0].raw, "true")
		absent := !present || len(reqVals) == 0
		return absent == want
	}
	switch c.qual {
	case qualForAll:
		for _, rv := range reqVals {
			if !c.single(req, rv) {
				return false
			}
		}
		return true // also for an absent key or an empty set
	case qualForAny:
		for _, rv := range reqVals {
			if c.single(req, rv) {
				return true
			}
		}
		return false
	}
	if !present || len(reqVals) == 0 {
		return c.ifExists || c.negated
	}
	// A multi-valued key without a set qualifier: any value satisfying the
	// operator satisfies the condition.
	for _, rv := range reqVals {
		if c.single(req, rv) {
			return true
		}
	}
	return false
}

// single applies the operator to one request value: positive operators
// match if any policy value matches; negated ones if none does.
func (c *condition) single(req *Request, rv string) bool {
	for i := range c.values {
		if c.matchOne(req, &c.values[i], rv) {
			return !c.negated
		}
	}
	return c.negated
}

// matchOne applies the base (non-negated) comparison of one policy value.
func (c *condition) matchOne(req *Request, v *value, rv string) bool {
	pv := v.raw
	if v.template != nil {
		var ok bool
		if pv, ok = substitute(v.template, req); !ok {
			return false // an unresolvable variable matches nothing
		}
	}
	switch c.kind {
	case opStringEquals, opStringNotEquals:
		return pv == rv || (v.template != nil && unescape(pv) == rv)
	case opStringEqualsIgnoreCase, opStringNotEqualsIgnoreCase:
		return strings.EqualFold(unescape(pv), rv)
	case opStringLike, opStringNotLike:
		return Glob(pv, rv)
	case opNumericEquals, opNumericNotEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		if v.num == nil {
			return false
		}
		r, ok := new(big.Rat).SetString(strings.TrimSpace(rv))
		if !ok {
			return false
		}
		cmp := r.Cmp(v.num)
		switch c.kind {
		case opNumericLessThan:
			return cmp < 0
		case opNumericLessThanEquals:
			return cmp <= 0
		case opNumericGreaterThan:
			return cmp > 0
		case opNumericGreaterThanEquals:
			return cmp >= 0
		}
		return cmp == 0
	case opDateEquals, opDateNotEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		if !v.dateOK {
			return false
		}
		t, ok := parseDate(rv)
		if !ok {
			return false
		}
		switch c.kind {
		case opDateLessThan:
			return t.Before(v.date)
		case opDateLessThanEquals:
			return !t.After(v.date)
		case opDateGreaterThan:
			return t.After(v.date)
		case opDateGreaterThanEquals:
			return !t.Before(v.date)
		}
		return t.Equal(v.date)
	case opBool:
		return strings.EqualFold(unescape(pv), rv)
	case opBinaryEquals:
		return v.bin != nil && bytes.Equal(v.bin, []byte(rv))
	case opIPAddress, opNotIPAddress:
		if !v.prefixOK {
			return false
		}
		a, err := netip.ParseAddr(rv)
		return err == nil && v.prefix.Contains(a.Unmap())
	case opArnEquals, opArnLike, opArnNotEquals, opArnNotLike:
		return MatchARN(pv, rv)
	}
	return false
}

// prepare pre-parses a policy value for the operator.
func prepareValue(kind opKind, raw string, variables bool) value {
	v := value{raw: raw}
	if variables {
		v.template = parseTemplate(raw)
	}
	switch kind {
	case opNumericEquals, opNumericNotEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		if r, ok := new(big.Rat).SetString(strings.TrimSpace(raw)); ok {
			v.num = r
		}
	case opDateEquals, opDateNotEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		v.date, v.dateOK = parseDate(raw)
	case opIPAddress, opNotIPAddress:
		if p, err := netip.ParsePrefix(raw); err == nil {
			v.prefix, v.prefixOK = p.Masked(), true
		} else if a, err := netip.ParseAddr(raw); err == nil {
			a = a.Unmap()
			v.prefix, v.prefixOK = netip.PrefixFrom(a, a.BitLen()), true
		}
	case opBinaryEquals:
		if b, err := base64.StdEncoding.DecodeString(raw); err == nil {
			v.bin = b
		}
	}
	return v
}

// parseDate accepts ISO 8601 (date-time with zone, or date only) and epoch
// seconds.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
