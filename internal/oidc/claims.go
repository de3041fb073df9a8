package oidc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Sentinel errors of the claims.
var (
	// ErrClaims: a claim has the wrong type or shape (a registered claim
	// that is not a string, a time that is not an integer, ...).
	ErrClaims = errors.New("oidc: the token's claims are malformed")
	// ErrRejected is wrapped by every *RejectedError: a claim the token
	// states is not acceptable (missing, or not valid yet).
	ErrRejected = errors.New("oidc: a claim of the token is rejected")
	// ErrExpired is wrapped by *ExpiredError.
	ErrExpired = errors.New("oidc: the token has expired")
	// ErrAudience: no audience of the token is a client id of the provider.
	ErrAudience = errors.New("oidc: the token's audience is not a client id of the provider")
)

// RejectedError says which claim is rejected and why.
type RejectedError struct{ Claim, Reason string }

func (e *RejectedError) Error() string { return "oidc: claim " + e.Claim + " " + e.Reason }
func (e *RejectedError) Unwrap() error { return ErrRejected }

// ExpiredError is a token whose exp has passed (beyond Leeway).
type ExpiredError struct{ Now, Expiry int64 }

func (e *ExpiredError) Error() string {
	return fmt.Sprintf("oidc: token expired at %d (now %d)", e.Expiry, e.Now)
}
func (e *ExpiredError) Unwrap() error { return ErrExpired }

// Leeway is the clock skew the time claims are read with: AWS documents
// five minutes after exp, as the OpenID Connect Core standard allows.
const Leeway = 5 * time.Minute

// Limits of what the claims may hold.
const (
	maxPayloadLen = 16 << 10
	maxAudiences  = 100
	maxAMR        = 50
	// MaxSubjectLen is the longest sub accepted (the length limit of
	// SubjectFromWebIdentityToken).
	MaxSubjectLen = 255
	maxTags       = 50
)

// Claims the service reads. Times are seconds since the epoch; Has* say
// whether the token states them.
type Claims struct {
	Issuer          string
	Subject         string
	Audience        []string
	AuthorizedParty string // azp
	Expiry          int64
	NotBefore       int64
	IssuedAt        int64
	HasExpiry       bool
	HasNotBefore    bool
	HasIssuedAt     bool
	AMR             []string
	// Session tags from the https://aws.amazon.com/tags claim.
	PrincipalTags     []Tag
	TransitiveTagKeys []string
	// SourceIdentity is the https://aws.amazon.com/source_identity claim.
	SourceIdentity string
}

// Tag is a session tag stated by the token.
type Tag struct{ Key, Value string }

// The claims AWS reads session tags and a source identity from.
const (
	TagsClaim           = "https://aws.amazon.com/tags"
	SourceIdentityClaim = "https://aws.amazon.com/source_identity"
)

var (
	tagKeyRe   = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$`)
	tagValueRe = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	sourceIDRe = regexp.MustCompile(`^[\w+=,.@-]*$`)
)

// parseClaims reads a JSON claims set; unknown claims are ignored.
func parseClaims(payload []byte) (*Claims, error) {
	if len(payload) > maxPayloadLen {
		return nil, ErrClaims
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var raw map[string]json.RawMessage
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return nil, ErrClaims
	}
	if _, err := dec.Token(); err == nil {
		return nil, ErrClaims // trailing data
	}
	c := &Claims{}
	var err error
	str := func(name string, dst *string) {
		if v, ok := raw[name]; ok && err == nil {
			if json.Unmarshal(v, dst) != nil {
				err = ErrClaims
			}
		}
	}
	num := func(name string, dst *int64, has *bool) {
		if v, ok := raw[name]; ok && err == nil {
			*dst, err = integer(v)
			*has = err == nil
		}
	}
	str("iss", &c.Issuer)
	str("sub", &c.Subject)
	str("azp", &c.AuthorizedParty)
	num("exp", &c.Expiry, &c.HasExpiry)
	num("nbf", &c.NotBefore, &c.HasNotBefore)
	num("iat", &c.IssuedAt, &c.HasIssuedAt)
	if err != nil {
		return nil, err
	}
	if v, ok := raw["aud"]; ok {
		if c.Audience, err = stringOrList(v, maxAudiences); err != nil {
			return nil, err
		}
	}
	if v, ok := raw["amr"]; ok {
		if c.AMR, err = stringOrList(v, maxAMR); err != nil {
			return nil, err
		}
	}
	if v, ok := raw[TagsClaim]; ok {
		if err := c.parseTags(v); err != nil {
			return nil, err
		}
	}
	if v, ok := raw[SourceIdentityClaim]; ok {
		if json.Unmarshal(v, &c.SourceIdentity) != nil {
			return nil, ErrClaims
		}
		n := utf8.RuneCountInString(c.SourceIdentity)
		if n < 2 || n > 64 || !sourceIDRe.MatchString(c.SourceIdentity) || strings.HasPrefix(strings.ToLower(c.SourceIdentity), "aws:") {
			return nil, &RejectedError{SourceIdentityClaim, "is not a valid source identity"}
		}
	}
	return c, nil
}

// integer reads a JSON number that is an integer (AWS requires the time
// claims to be integers).
func integer(v json.RawMessage) (int64, error) {
	// v is one valid JSON value (the claims decoded): an integer is an
	// optional minus and digits, which ParseInt reads; a fraction, an
	// exponent, a quoted number or anything else is refused.
	t := bytes.TrimSpace(v)
	if len(t) == 0 || t[0] != '-' && (t[0] < '0' || t[0] > '9') {
		return 0, ErrClaims
	}
	i, err := strconv.ParseInt(string(t), 10, 64)
	if err != nil {
		return 0, ErrClaims
	}
	return i, nil
}

// stringOrList reads a string or an array of at most max strings.
func stringOrList(v json.RawMessage, max int) ([]string, error) {
	var one string
	if json.Unmarshal(v, &one) == nil {
		return []string{one}, nil
	}
	var many []string
	if json.Unmarshal(v, &many) != nil || len(many) > max {
		return nil, ErrClaims
	}
	return many, nil
}

// parseTags reads {"principal_tags": {"K": ["v"]}, "transitive_tag_keys":
// ["K"]} with the rules of session tags: at most 50, keys 1..128 and values
// 0..256 characters of the tag alphabet, no aws: keys, no two keys that
// differ only in case, transitive keys among the tags.
func (c *Claims) parseTags(v json.RawMessage) error {
	var t struct {
		PrincipalTags     map[string]json.RawMessage `json:"principal_tags"`
		TransitiveTagKeys []string                   `json:"transitive_tag_keys"`
	}
	if json.Unmarshal(v, &t) != nil {
		return ErrClaims
	}
	if len(t.PrincipalTags) > maxTags {
		return &RejectedError{TagsClaim, "has more than 50 principal tags"}
	}
	seen := map[string]bool{}
	for k, raw := range t.PrincipalTags {
		var vals []string
		if json.Unmarshal(raw, &vals) != nil || len(vals) != 1 {
			return &RejectedError{TagsClaim, "has a principal tag whose value is not a list of one string"}
		}
		val := vals[0]
		if n := utf8.RuneCountInString(k); n < 1 || n > 128 || !tagKeyRe.MatchString(k) || utf8.RuneCountInString(val) > 256 || !tagValueRe.MatchString(val) {
			return &RejectedError{TagsClaim, "has a principal tag that is not a valid session tag"}
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return &RejectedError{TagsClaim, "has a principal tag key in the aws: namespace"}
		}
		if seen[strings.ToLower(k)] {
			return &RejectedError{TagsClaim, "has principal tag keys that differ only in case"}
		}
		seen[strings.ToLower(k)] = true
		c.PrincipalTags = append(c.PrincipalTags, Tag{Key: k, Value: val})
	}
	sortTags(c.PrincipalTags)
	for _, k := range t.TransitiveTagKeys {
		if !seen[strings.ToLower(k)] {
			return &RejectedError{TagsClaim, "names a transitive tag key that is not a principal tag"}
		}
		c.TransitiveTagKeys = append(c.TransitiveTagKeys, k)
	}
	return nil
}

func sortTags(t []Tag) {
	for i := 1; i < len(t); i++ {
		for j := i; j > 0 && t[j].Key < t[j-1].Key; j-- {
			t[j], t[j-1] = t[j-1], t[j]
		}
	}
}

// Audience is how a token's audience matched a provider.
type Audience struct {
	// Value is the audience: azp when the token has one, else the first
	// aud value that is a client id. It is the PROVIDER:aud condition key
	// and the response's Audience.
	Value string
	// Original is aud when azp was the audience (PROVIDER:oaud).
	Original []string
}

// Check applies the rules of a verified token at now: exp is required and
// must not have passed (beyond Leeway); nbf and iat, when stated, must not
// be in the future (beyond Leeway); sub is required; the audience must be
// one of clientIDs.
func (c *Claims) Check(now time.Time, clientIDs []string) (Audience, error) {
	t := now.Unix()
	lee := int64(Leeway / time.Second)
	if !c.HasExpiry {
		return Audience{}, &RejectedError{"exp", "is missing"}
	}
	if t >= c.Expiry+lee {
		return Audience{}, &ExpiredError{Now: t, Expiry: c.Expiry}
	}
	if c.HasNotBefore && c.NotBefore > t+lee {
		return Audience{}, &RejectedError{"nbf", "is in the future"}
	}
	if c.HasIssuedAt && c.IssuedAt > t+lee {
		return Audience{}, &RejectedError{"iat", "is in the future"}
	}
	if c.Subject == "" {
		return Audience{}, &RejectedError{"sub", "is missing"}
	}
	if utf8.RuneCountInString(c.Subject) > MaxSubjectLen {
		return Audience{}, &RejectedError{"sub", "is longer than 255 characters"}
	}
	registered := func(v string) bool {
		for _, id := range clientIDs {
			if id == v {
				return true
			}
		}
		return false
	}
	if c.AuthorizedParty != "" {
		if !registered(c.AuthorizedParty) {
			return Audience{}, ErrAudience
		}
		return Audience{Value: c.AuthorizedParty, Original: c.Audience}, nil
	}
	for _, a := range c.Audience {
		if registered(a) {
			return Audience{Value: a}, nil
		}
	}
	return Audience{}, ErrAudience
}
