package sigv4

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm accepted.
const Algorithm = "AWS4-HMAC-SHA256"

// Sentinel errors. Match them with errors.Is.
var (
	// ErrNotSigned: the request carries no SigV4 credentials at all.
	ErrNotSigned = errors.New("sigv4: request is not signed")
	// ErrIncomplete: an Authorization header or presigned query is missing a part or is malformed.
	ErrIncomplete = errors.New("sigv4: incomplete signature")
	// ErrAlgorithm: a signing algorithm other than AWS4-HMAC-SHA256.
	ErrAlgorithm = errors.New("sigv4: unsupported algorithm")
	// ErrScope: the credential scope is malformed or names the wrong date, region or service.
	ErrScope = errors.New("sigv4: bad credential scope")
	// ErrRegion: the credential scope names a region the endpoint does not
	// accept (Error.Region is that region). It wraps ErrScope.
	ErrRegion = fmt.Errorf("%w: region not accepted", ErrScope)
	// ErrSkew: a header-signed request's time is more than 15 minutes from the server's.
	ErrSkew = errors.New("sigv4: request time too skewed")
	// ErrExpired: a presigned URL is past its expiry (or not yet valid).
	ErrExpired = errors.New("sigv4: request has expired")
	// ErrPresign: presigned query parameters are invalid (e.g. X-Amz-Expires out of range).
	ErrPresign = errors.New("sigv4: bad presigned query parameters")
	// ErrMismatch: the signature does not match.
	ErrMismatch = errors.New("sigv4: signature does not match")
)

// Error is a verification failure: one sentinel plus safe details.
type Error struct {
	Err    error  // one of the sentinels
	Detail string // human-readable detail, never secret
	// For ErrMismatch: what the server signed (AWS returns these in S3
	// errors to help debugging). Neither contains a secret.
	CanonicalRequest string
	StringToSign     string
	// For ErrSkew / ErrExpired: the request time and the server time.
	RequestTime, ServerTime time.Time
	// For ErrRegion: the region the credential scope names.
	Region string
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + ": " + e.Detail
}

func (e *Error) Unwrap() error { return e.Err }

func fail(sentinel error, detail string) *Error { return &Error{Err: sentinel, Detail: detail} }

// Mode says where the signature travelled.
type Mode int

// Signature modes.
const (
	ModeHeader    Mode = iota + 1 // Authorization header
	ModePresigned                 // query string (presigned URL)
)

// MaxPresignExpiry is the longest X-Amz-Expires AWS accepts (7 days).
const MaxPresignExpiry = 7 * 24 * time.Hour

// Auth is what a request claims about its signature, before verification.
type Auth struct {
	Mode          Mode
	AccessKeyID   string
	Date          string // scope date, yyyymmdd
	Region        string
	Service       string
	SignedHeaders []string // lower-case, as listed
	Signature     string   // 64 lower-case hex
	SessionToken  string   // X-Amz-Security-Token, "" if none
	AmzDate       string   // the request time as signed (yyyymmddThhmmssZ)
	Time          time.Time
	Expires       time.Duration // presigned only
	// PayloadHash is the x-amz-content-sha256 header (header mode) or
	// X-Amz-Content-Sha256 query value (presigned), "" if absent.
	PayloadHash string
}

// Scope returns the credential scope string date/region/service/aws4_request.
func (a *Auth) Scope() string {
	return a.Date + "/" + a.Region + "/" + a.Service + "/aws4_request"
}

const amzDateLayout = "20060102T150405Z"

// Parse extracts the claimed signature of r without checking it. A request
// with neither an Authorization header nor X-Amz-Algorithm in the query
// returns ErrNotSigned.
func Parse(r *http.Request) (*Auth, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		return parseHeader(r, h)
	}
	if strings.Contains(r.URL.RawQuery, "X-Amz-Algorithm=") || strings.Contains(r.URL.RawQuery, "X-Amz-Credential=") {
		return parsePresigned(r)
	}
	return nil, ErrNotSigned
}

// ParseAuthorization parses an Authorization header value.
func ParseAuthorization(h string) (*Auth, error) {
	alg, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok {
		if h == Algorithm {
			return nil, fail(ErrIncomplete, "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter.")
		}
		return nil, fail(ErrIncomplete, "Authorization header is malformed")
	}
	if alg != Algorithm {
		return nil, fail(ErrAlgorithm, "unsupported authorization type")
	}
	a := &Auth{Mode: ModeHeader}
	var cred, signed, sig string
	var haveCred, haveSigned, haveSig bool
	for more := true; more; {
		var part string
		part, rest, more = strings.Cut(rest, ",")
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			// Not quoted: the part may be the signature ("Signature 0a1b…").
			return nil, fail(ErrIncomplete, "Authorization header is malformed: a parameter is not of the form name=value")
		}
		switch k {
		case "Credential":
			cred, haveCred = v, true
		case "SignedHeaders":
			signed, haveSigned = v, true
		case "Signature":
			sig, haveSig = v, true
		default:
			return nil, fail(ErrIncomplete, "Authorization header has an unknown parameter: "+k)
		}
	}
	var missing []string
	if !haveCred {
		missing = append(missing, "Authorization header requires 'Credential' parameter.")
	}
	if !haveSig {
		missing = append(missing, "Authorization header requires 'Signature' parameter.")
	}
	if !haveSigned {
		missing = append(missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	if len(missing) > 0 {
		return nil, fail(ErrIncomplete, strings.Join(missing, " "))
	}
	if err := a.setCredential(cred); err != nil {
		return nil, err
	}
	if err := a.setSignedHeaders(signed); err != nil {
		return nil, err
	}
	if !isHex64(sig) {
		return nil, fail(ErrIncomplete, "Signature must be 64 hexadecimal characters")
	}
	a.Signature = sig
	return a, nil
}

func parseHeader(r *http.Request, h string) (*Auth, error) {
	a, err := ParseAuthorization(h)
	if err != nil {
		return nil, err
	}
	a.SessionToken = r.Header.Get("X-Amz-Security-Token")
	a.PayloadHash = r.Header.Get("X-Amz-Content-Sha256")
	if d := r.Header.Get("X-Amz-Date"); d != "" {
		t, err := parseAmzDate(d)
		if err != nil {
			return nil, fail(ErrIncomplete, "X-Amz-Date must be in ISO 8601 basic format (yyyyMMddTHHmmssZ)")
		}
		a.AmzDate, a.Time = d, t
	} else if d := r.Header.Get("Date"); d != "" {
		t, err := http.ParseTime(d)
		if err != nil {
			return nil, fail(ErrIncomplete, "Date header is not a valid HTTP date")
		}
		a.Time = t.UTC()
		a.AmzDate = a.Time.Format(amzDateLayout)
	} else {
		return nil, fail(ErrIncomplete, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	return a, nil
}

// ParsePresigned parses the SigV4 parameters of a presigned query.
func parsePresigned(r *http.Request) (*Auth, error) {
	q := r.URL.Query()
	return ParsePresignedQuery(q.Get, q.Has)
}

// ParsePresignedQuery parses presigned-URL parameters given accessors over
// the decoded query.
func ParsePresignedQuery(get func(string) string, has func(string) bool) (*Auth, error) {
	var missing []string
	for _, k := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"} {
		if !has(k) {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, fail(ErrPresign, "Query-string authentication version 4 requires the "+strings.Join(missing, ", ")+" parameters")
	}
	if get("X-Amz-Algorithm") != Algorithm {
		return nil, fail(ErrPresign, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
	}
	a := &Auth{Mode: ModePresigned}
	if err := a.setCredential(get("X-Amz-Credential")); err != nil {
		return nil, err
	}
	if err := a.setSignedHeaders(get("X-Amz-SignedHeaders")); err != nil {
		return nil, err
	}
	sig := get("X-Amz-Signature")
	if !isHex64(sig) {
		return nil, fail(ErrPresign, "X-Amz-Signature must be 64 hexadecimal characters")
	}
	a.Signature = sig
	d := get("X-Amz-Date")
	t, err := parseAmzDate(d)
	if err != nil {
		return nil, fail(ErrPresign, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	a.AmzDate, a.Time = d, t
	exp, err := strconv.ParseInt(get("X-Amz-Expires"), 10, 64)
	if err != nil || exp < 0 {
		return nil, fail(ErrPresign, "X-Amz-Expires should be a number")
	}
	if exp < 1 {
		return nil, fail(ErrPresign, "X-Amz-Expires must be non-negative")
	}
	if time.Duration(exp)*time.Second > MaxPresignExpiry {
		return nil, fail(ErrPresign, "X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	a.Expires = time.Duration(exp) * time.Second
	a.SessionToken = get("X-Amz-Security-Token")
	a.PayloadHash = get("X-Amz-Content-Sha256")
	return a, nil
}

// setCredential parses AKID/yyyymmdd/region/service/aws4_request.
func (a *Auth) setCredential(cred string) error {
	// Five parts: key/date/region/service/aws4_request (the last part
	// takes any further slash, and then is not "aws4_request").
	akid, rest, _ := strings.Cut(cred, "/")
	date, rest, _ := strings.Cut(rest, "/")
	region, rest, _ := strings.Cut(rest, "/")
	service, term, ok := strings.Cut(rest, "/")
	if !ok || akid == "" || term != "aws4_request" || len(date) != 8 || region == "" || service == "" {
		return fail(ErrScope, "Credential should be scoped to a valid region, service and date: '"+cred+"'")
	}
	for _, c := range date {
		if c < '0' || c > '9' {
			return fail(ErrScope, "Credential date is not yyyyMMdd: '"+date+"'")
		}
	}
	a.AccessKeyID, a.Date, a.Region, a.Service = akid, date, region, service
	return nil
}

func (a *Auth) setSignedHeaders(s string) error {
	if s == "" {
		return fail(ErrIncomplete, "SignedHeaders must not be empty")
	}
	a.SignedHeaders = strings.Split(s, ";")
	for _, h := range a.SignedHeaders {
		if h == "" || h != strings.ToLower(h) {
			return fail(ErrIncomplete, "SignedHeaders must be lower-case names separated by ';'")
		}
	}
	return nil
}

// parseAmzDate parses the ISO 8601 basic time of X-Amz-Date
// (yyyyMMddTHHmmssZ), as time.Parse(amzDateLayout, s) does, without its
// general layout machinery: it runs on every signed request.
func parseAmzDate(s string) (time.Time, error) {
	if len(s) != len(amzDateLayout) || s[8] != 'T' || s[15] != 'Z' {
		return time.Parse(amzDateLayout, s) // its error says what is wrong
	}
	var f [6]int
	for i, span := range [6][2]int{{0, 4}, {4, 6}, {6, 8}, {9, 11}, {11, 13}, {13, 15}} {
		for _, c := range []byte(s[span[0]:span[1]]) {
			if c < '0' || c > '9' {
				return time.Parse(amzDateLayout, s)
			}
			f[i] = f[i]*10 + int(c-'0')
		}
	}
	year, month, day, hour, minute, sec := f[0], f[1], f[2], f[3], f[4], f[5]
	if month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month), year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Parse(amzDateLayout, s) // out of range: time.Parse's error
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC), nil
}

// daysIn is the number of days of month in year.
func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// isHex64 reports whether s is 64 lower-case hex digits (a signature).
func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	// No early exit: a branch per character on random hex mispredicts
	// about every other character (ten times as slow).
	var bad byte
	for i := 0; i < len(s); i++ {
		bad |= lowerHex[s[i]]
	}
	return bad == 0
}

// lowerHex is 0 for the lower-case hex digits and 1 for every other byte.
var lowerHex = func() (t [256]byte) {
	for i := range t {
		c := byte(i)
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			t[i] = 1
		}
	}
	return t
}()
