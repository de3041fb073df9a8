package sigv4

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// S3 POST object (browser form upload) verification. The flow is
//
//	policy, err := sigv4.ParsePostPolicy(form["policy"])
//	akid, date, region, service, err := sigv4.PostCredential(form["x-amz-credential"])
//	key := verifier.SigningKey(akid, secret, date, region, service)
//	err = sigv4.VerifyPostSignature(key, form["policy"], form["x-amz-signature"])
//	err = policy.Check(fields, now)          // fields["bucket"] set from the URL
//	min, max, ok := policy.LengthRange()     // checked while streaming the file
//
// No canonical request is involved: the signature covers the base64 policy
// string exactly as sent, and the policy's conditions cover the other form
// fields.

// Sentinel errors of POST object verification. Match them with errors.Is.
var (
	// ErrPostPolicy: the policy form field is not a valid POST policy
	// (bad base64, bad JSON, missing or malformed expiration or conditions,
	// too large).
	ErrPostPolicy = errors.New("sigv4: invalid POST policy")
	// ErrPostExpired: the POST policy's expiration is in the past.
	ErrPostExpired = errors.New("sigv4: POST policy expired")
	// ErrPostCondition: a form field fails a policy condition, or a form
	// field is not covered by any condition.
	ErrPostCondition = errors.New("sigv4: POST policy condition failed")
)

// MaxPostPolicySize bounds the decoded policy document. AWS does not
// document a limit; real policies are a few hundred bytes.
const MaxPostPolicySize = 20 << 10

// maxPostCredential bounds the x-amz-credential form value.
const maxPostCredential = 512

// PostOp is the operator of a POST policy condition.
type PostOp string

// POST policy condition operators. {"field":"v"} is parsed as PostEq.
const (
	PostEq          PostOp = "eq"
	PostStartsWith  PostOp = "starts-with"
	PostLengthRange PostOp = "content-length-range"
)

// PostCondition is one condition of a POST policy.
type PostCondition struct {
	Op PostOp
	// Field is the form field name as written in the policy, without the
	// leading "$" ("" for content-length-range). It matches form field
	// names ASCII-case-insensitively.
	Field string
	// Value is the exact value (PostEq) or the prefix (PostStartsWith);
	// values compare case-sensitively.
	Value string
	// Min and Max are the inclusive bounds of PostLengthRange.
	Min, Max int64
}

// String renders c the way S3 quotes a failed condition, e.g.
// ["starts-with", "$key", "uploads/"]. Object-form conditions render as eq.
func (c PostCondition) String() string {
	var b strings.Builder
	b.WriteByte('[')
	b.WriteString(jsonQuote(string(c.Op)))
	if c.Op == PostLengthRange {
		b.WriteString(", ")
		b.WriteString(strconv.FormatInt(c.Min, 10))
		b.WriteString(", ")
		b.WriteString(strconv.FormatInt(c.Max, 10))
	} else {
		b.WriteString(", ")
		b.WriteString(jsonQuote("$" + c.Field))
		b.WriteString(", ")
		b.WriteString(jsonQuote(c.Value))
	}
	b.WriteByte(']')
	return b.String()
}

// PostPolicy is a decoded S3 POST policy.
type PostPolicy struct {
	Expiration time.Time
	// Conditions in document order.
	Conditions []PostCondition
}

// ParsePostPolicy decodes the base64 policy form field: a UTF-8 JSON
// document with "expiration" (ISO 8601, e.g. 2025-01-02T04:00:00.000Z) and
// "conditions". Any malformation returns an *Error wrapping ErrPostPolicy.
// It does not check the signature; call VerifyPostSignature on the same
// string.
func ParsePostPolicy(b64 string) (*PostPolicy, error) {
	if b64 == "" {
		return nil, fail(ErrPostPolicy, "Invalid Policy: Policy is empty.")
	}
	if len(b64) > base64.StdEncoding.EncodedLen(MaxPostPolicySize) {
		return nil, fail(ErrPostPolicy, "Invalid Policy: Policy is too large.")
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		// Tolerate a policy sent without padding.
		raw, err = base64.RawStdEncoding.DecodeString(b64)
	}
	if err != nil {
		return nil, fail(ErrPostPolicy, "Invalid Policy: Policy is not valid base64.")
	}
	if len(raw) > MaxPostPolicySize {
		return nil, fail(ErrPostPolicy, "Invalid Policy: Policy is too large.")
	}
	if !utf8.Valid(raw) {
		// encoding/json would silently replace invalid bytes with U+FFFD.
		return nil, fail(ErrPostPolicy, "Invalid Policy: Policy is not valid UTF-8.")
	}
	return parsePolicyJSON(raw)
}

func invalidJSON() *Error { return fail(ErrPostPolicy, "Invalid Policy: Invalid JSON.") }

func parsePolicyJSON(raw []byte) (*PostPolicy, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, invalidJSON()
	}
	var (
		exp, conds         json.RawMessage
		haveExp, haveConds bool
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, invalidJSON()
		}
		name, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, invalidJSON()
		}
		switch name {
		case "expiration":
			if haveExp {
				return nil, fail(ErrPostPolicy, "Invalid Policy: Duplicate 'expiration'.")
			}
			exp, haveExp = v, true
		case "conditions":
			if haveConds {
				return nil, fail(ErrPostPolicy, "Invalid Policy: Duplicate 'conditions'.")
			}
			conds, haveConds = v, true
		}
		// Other members are ignored; they grant nothing.
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, invalidJSON()
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, invalidJSON() // trailing data
	}
	if !haveExp {
		return nil, fail(ErrPostPolicy, "Invalid Policy: Policy missing expiration.")
	}
	if !haveConds {
		return nil, fail(ErrPostPolicy, "Invalid Policy: Policy missing conditions.")
	}
	p := &PostPolicy{}
	expStr, ok := jsonString(exp)
	if !ok {
		return nil, fail(ErrPostPolicy, "Invalid Policy: 'expiration' must be a string.")
	}
	t, err := time.Parse(time.RFC3339Nano, expStr)
	if err != nil {
		return nil, fail(ErrPostPolicy, "Invalid Policy: Invalid 'expiration' value: '"+expStr+"'")
	}
	p.Expiration = t.UTC()
	if bytes.Equal(bytes.TrimSpace(conds), []byte("null")) {
		return nil, fail(ErrPostPolicy, "Invalid Policy: 'conditions' must be an array.")
	}
	var list []json.RawMessage
	if err := json.Unmarshal(conds, &list); err != nil {
		return nil, fail(ErrPostPolicy, "Invalid Policy: 'conditions' must be an array.")
	}
	for _, c := range list {
		var err error
		switch c = bytes.TrimSpace(c); {
		case len(c) > 0 && c[0] == '{':
			p.Conditions, err = appendSimpleConditions(p.Conditions, c)
		case len(c) > 0 && c[0] == '[':
			p.Conditions, err = appendListCondition(p.Conditions, c)
		default:
			err = fail(ErrPostPolicy, "Invalid Policy: Invalid Condition: "+string(c))
		}
		if err != nil {
			return nil, err
		}
	}
	return p, nil
}

// appendSimpleConditions parses {"field":"value", …}, each member an exact
// match, in document order.
func appendSimpleConditions(dst []PostCondition, raw []byte) ([]PostCondition, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // '{'
		return nil, invalidJSON()
	}
	n := 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, invalidJSON()
		}
		name, _ := tok.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, invalidJSON()
		}
		s, ok := v.(string)
		if !ok || name == "" {
			return nil, fail(ErrPostPolicy, "Invalid Policy: Invalid Simple-Condition: value must be a string.")
		}
		dst = append(dst, PostCondition{Op: PostEq, Field: name, Value: s})
		n++
	}
	if n == 0 {
		return nil, fail(ErrPostPolicy, "Invalid Policy: Invalid Simple-Condition: empty condition.")
	}
	return dst, nil
}

// appendListCondition parses ["eq"|"starts-with", "$field", "value"] or
// ["content-length-range", min, max].
func appendListCondition(dst []PostCondition, raw []byte) ([]PostCondition, error) {
	var args []json.RawMessage
	if err := json.Unmarshal(raw, &args); err != nil {
		return nil, invalidJSON()
	}
	if len(args) == 0 {
		return nil, fail(ErrPostPolicy, "Invalid Policy: Invalid Condition: empty condition.")
	}
	op, ok := jsonString(args[0])
	if !ok {
		return nil, fail(ErrPostPolicy, "Invalid Policy: Invalid Condition: operation must be a string.")
	}
	switch PostOp(asciiLower(op)) {
	case PostEq, PostStartsWith:
		if len(args) != 3 {
			return nil, fail(ErrPostPolicy, "Invalid Policy: Invalid '"+op+"' condition: expected 3 elements.")
		}
		field, ok1 := jsonString(args[1])
		value, ok2 := jsonString(args[2])
		if !ok1 || !ok2 {
			return nil, fail(ErrPostPolicy, "Invalid Policy: Invalid '"+op+"' condition: field and value must be strings.")
		}
		if len(field) < 2 || field[0] != '$' {
			return nil, fail(ErrPostPolicy, "Invalid Policy: Invalid '"+op+"' condition: field must be '$' followed by a form field name.")
		}
		return append(dst, PostCondition{Op: PostOp(asciiLower(op)), Field: field[1:], Value: value}), nil
	case PostLengthRange:
		if len(args) != 3 {
			return nil, fail(ErrPostPolicy, "Invalid Policy: Invalid content-length-range: expected 3 elements.")
		}
		lo, ok1 := policyInt(args[1])
		hi, ok2 := policyInt(args[2])
		if !ok1 || !ok2 || lo < 0 || hi < lo {
			return nil, fail(ErrPostPolicy, "Invalid Policy: Invalid content-length-range: bounds must be integers with 0 <= min <= max.")
		}
		return append(dst, PostCondition{Op: PostLengthRange, Min: lo, Max: hi}), nil
	default:
		return nil, fail(ErrPostPolicy, "Invalid Policy: Invalid Condition: unknown operation '"+op+"'.")
	}
}

// jsonString decodes a JSON string; null and other types are rejected
// (json.Unmarshal would silently leave the target empty for null).
func jsonString(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// policyInt reads a JSON integer or a string holding one.
func policyInt(raw json.RawMessage) (int64, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return 0, false
	}
	var s string
	switch x := v.(type) {
	case json.Number:
		s = string(x)
	case string:
		s = x
	default:
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// PostCredential parses the form's x-amz-credential value
// AKID/yyyymmdd/region/service/aws4_request. A malformed value returns an
// *Error wrapping ErrScope.
func PostCredential(v string) (akid, date, region, service string, err error) {
	if len(v) > maxPostCredential {
		return "", "", "", "", fail(ErrScope, "Credential is too long")
	}
	var a Auth
	if err := a.setCredential(v); err != nil {
		return "", "", "", "", err
	}
	return a.AccessKeyID, a.Date, a.Region, a.Service, nil
}

// VerifyPostSignature checks that signature (the x-amz-signature form
// field) is hex(HMAC-SHA256(key, policyB64)), where key is the s3 signing
// key of the credential's scope and policyB64 is the policy form field
// exactly as sent. The comparison is constant-time; a mismatch returns an
// *Error wrapping ErrMismatch whose StringToSign is the policy.
func VerifyPostSignature(key [32]byte, policyB64, signature string) error {
	m := hmac.New(sha256.New, key[:])
	m.Write(unsafeBytes(policyB64))
	var sum [32]byte
	m.Sum(sum[:0])
	var want [64]byte
	hex.Encode(want[:], sum[:])
	if subtle.ConstantTimeCompare(want[:], unsafeBytes(signature)) != 1 {
		return &Error{Err: ErrMismatch, Detail: "The request signature we calculated does not match the signature you provided.", StringToSign: policyB64}
	}
	return nil
}

// postExempt reports whether a form field needs no condition: the
// signature, the file, the policy itself, x-ignore-* fields, and the
// bucket, which comes from the URL.
func postExempt(lower string) bool {
	switch lower {
	case "x-amz-signature", "file", "policy", "bucket":
		return true
	}
	return strings.HasPrefix(lower, "x-ignore-")
}

// Check applies every condition to the form fields at time now. fields maps
// form field names (compared ASCII-case-insensitively) to values as sent;
// the caller sets "bucket" from the URL. Failures return an *Error whose
// Detail is S3's AccessDenied message:
//
//   - ErrPostExpired, "Invalid according to Policy: Policy expired."
//   - ErrPostCondition, "Invalid according to Policy: Policy Condition
//     failed: ["eq", "$key", "x"]" (the first failing condition; a
//     condition on an absent field sees "")
//   - ErrPostCondition, "Invalid according to Policy: Extra input fields:
//     <field>" for fields no condition names (comma-separated, sorted).
//
// x-amz-signature, file, policy, bucket and x-ignore-* need no condition.
// content-length-range is not checked here; see LengthRange.
func (p *PostPolicy) Check(fields map[string]string, now time.Time) error {
	if now.After(p.Expiration) {
		return &Error{Err: ErrPostExpired, Detail: "Invalid according to Policy: Policy expired.", ServerTime: now}
	}
	for _, c := range p.Conditions {
		if c.Op == PostLengthRange {
			continue
		}
		field := asciiLower(c.Field)
		found := false
		for k, v := range fields {
			if asciiLower(k) != field {
				continue
			}
			found = true
			if !c.match(field, v) {
				return conditionFailed(c, field)
			}
		}
		if !found && !c.match(field, "") {
			return conditionFailed(c, field)
		}
	}
	var extra []string
	for k := range fields {
		lk := asciiLower(k)
		if postExempt(lk) || p.covers(lk) {
			continue
		}
		extra = append(extra, k)
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return fail(ErrPostCondition, "Invalid according to Policy: Extra input fields: "+strings.Join(extra, ", "))
	}
	return nil
}

// conditionFailed is the error of a failed condition, quoting it as S3
// does — but for the value of a condition on a credential field (the
// session token an SDK writes into the policy, the signature), which is
// written "***": an error's Detail is never secret. field is lower-cased.
func conditionFailed(c PostCondition, field string) *Error {
	if field == "x-amz-security-token" || field == "x-amz-signature" {
		c.Value = "***"
	}
	return fail(ErrPostCondition, "Invalid according to Policy: Policy Condition failed: "+c.String())
}

// match applies an eq or starts-with condition to one value; field is the
// lower-cased field name.
func (c PostCondition) match(field, v string) bool {
	switch c.Op {
	case PostEq:
		return v == c.Value
	case PostStartsWith:
		if c.Value == "" {
			return true
		}
		if field == "content-type" {
			// A Content-Type list passes only if every element does.
			for elem := range strings.SplitSeq(v, ",") {
				if !strings.HasPrefix(strings.Trim(elem, " \t"), c.Value) {
					return false
				}
			}
			return true
		}
		return strings.HasPrefix(v, c.Value)
	}
	return false
}

// covers reports whether an eq or starts-with condition names the
// lower-cased field.
func (p *PostPolicy) covers(lower string) bool {
	for _, c := range p.Conditions {
		if c.Op != PostLengthRange && asciiLower(c.Field) == lower {
			return true
		}
	}
	return false
}

// LengthRange returns the inclusive bounds of the file size set by the
// content-length-range condition, ok=false when there is none. Several
// ranges intersect (min > max then admits no size).
func (p *PostPolicy) LengthRange() (min, max int64, ok bool) {
	for _, c := range p.Conditions {
		if c.Op != PostLengthRange {
			continue
		}
		if !ok {
			min, max, ok = c.Min, c.Max, true
			continue
		}
		if c.Min > min {
			min = c.Min
		}
		if c.Max < max {
			max = c.Max
		}
	}
	return min, max, ok
}

// asciiLower lower-cases ASCII letters only, so that no Unicode folding
// (e.g. the Kelvin sign to "k") can make two field names equal.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// jsonQuote quotes s as a JSON string without HTML escaping.
func jsonQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&15])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
