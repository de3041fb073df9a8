package iam

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/store"
)

var (
	namePattern     = regexp.MustCompile(`^[\w+=,.@-]+$`)
	pathPattern     = regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`)
	policyPathRe    = regexp.MustCompile(`^((/[A-Za-z0-9\.,\+@=_-]+)*)/$`)
	tagKeyPattern   = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$`)
	tagValuePattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

// member turns a parameter name into the camel-cased member AWS names in
// ValidationError messages (UserName → userName).
func member(param string) string {
	return strings.ToLower(param[:1]) + param[1:]
}

// name reads a required entity name.
func name(p url.Values, param string, max int) (string, error) {
	v := p.Get(param)
	if v == "" {
		return "", awsapi.ValueNull.Of(member(param))
	}
	if utf8.RuneCountInString(v) > max {
		return "", awsapi.ValueTooLong.Of(v, member(param), max)
	}
	if !namePattern.MatchString(v) {
		return "", awsapi.ValueNotMatching.Of(v, member(param), `[\w+=,.@-]+`)
	}
	return v, nil
}

// optName reads an optional name ("" when absent).
func optName(p url.Values, param string, max int) (string, error) {
	if !p.Has(param) {
		return "", nil
	}
	return name(p, param, max)
}

// path reads an optional path (default "/").
func path(p url.Values, param string) (string, error) {
	v := p.Get(param)
	if v == "" {
		return "/", nil
	}
	if len(v) > 512 {
		return "", awsapi.ValueTooLong.Of(v, member(param), 512)
	}
	if !pathPattern.MatchString(v) {
		return "", awsapi.ValueNotMatching.Of(v, member(param), `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`)
	}
	return v, nil
}

func required(p url.Values, param string) (string, error) {
	v := p.Get(param)
	if v == "" {
		return "", awsapi.ValueNull.Of(member(param))
	}
	return v, nil
}

// page reads Marker and MaxItems.
func page(p url.Values) (after string, limit int, err error) {
	limit = 100
	if v := p.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return "", 0, awsapi.ValueTooLarge.Of(v, "maxItems", 1000)
		}
		limit = n
	}
	if m := p.Get("Marker"); m != "" {
		b, err := base64.RawURLEncoding.DecodeString(m)
		if err != nil {
			return "", 0, awsapi.InvalidMarker.Of()
		}
		after = string(b)
	}
	return after, limit, nil
}

func marker(lastName string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.ToLower(lastName)))
}

// document reads and validates a policy document parameter.
func document(p url.Values, param string, kind policy.Kind) (string, *policy.Document, error) {
	v, err := required(p, param)
	if err != nil {
		return "", nil, err
	}
	if len(v) > 131072 {
		return "", nil, awsapi.ValueTooLong.Of("…", member(param), 131072)
	}
	if !policy.CheckCharset(v) {
		return "", nil, awsapi.ValueNotMatching.Of(v, member(param), `[\u0009\u000A\u000D\u0020-\u00FF]+`)
	}
	d, err := policy.Validate(v, kind)
	if err != nil {
		return "", nil, awsapi.PolicyDocumentMalformed.Of(err.Error())
	}
	return v, d, nil
}

// tags reads Tags.member.N.Key/Value.
func tags(p url.Values) ([]store.Tag, error) {
	var out []store.Tag
	for i := 1; ; i++ {
		prefix := "Tags.member." + strconv.Itoa(i)
		if !p.Has(prefix + ".Key") {
			break
		}
		k, v := p.Get(prefix+".Key"), p.Get(prefix+".Value")
		if k == "" || utf8.RuneCountInString(k) > 128 || !tagKeyPattern.MatchString(k) {
			return nil, awsapi.ValueNotMatching.Of(k, "tags."+strconv.Itoa(i)+".member.key", `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`)
		}
		if utf8.RuneCountInString(v) > 256 || !tagValuePattern.MatchString(v) {
			return nil, awsapi.ValueNotMatching.Of(v, "tags."+strconv.Itoa(i)+".member.value", `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`)
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return nil, awsapi.TagKeyReserved.Of()
		}
		for _, t := range out {
			if strings.EqualFold(t.Key, k) {
				return nil, awsapi.TagKeysDuplicate.Of()
			}
		}
		out = append(out, store.Tag{Key: k, Value: v})
	}
	if len(out) > 50 {
		return nil, awsapi.QuotaExceeded.Of("TagsPerEntity", 50)
	}
	return out, nil
}

// mergeTags applies new tags over existing ones. IAM's tag keys are case
// insensitive: a new tag replaces the existing one whose key differs only in
// case, key and value (TagRole Test=1 then test=1 leaves one tag, "test").
func mergeTags(existing, add []store.Tag) ([]store.Tag, error) {
	out := append([]store.Tag(nil), existing...)
	for _, t := range add {
		replaced := false
		for i := range out {
			if strings.EqualFold(out[i].Key, t.Key) {
				out[i], replaced = t, true
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	if len(out) > 50 {
		return nil, awsapi.QuotaExceeded.Of("TagsPerEntity", 50)
	}
	return out, nil
}

// tagKeys reads TagKeys.member.N: at most 50 (the model's tagKeyListType),
// the whole list quoted as AWS quotes a list in a ValidationError.
func tagKeys(p url.Values) ([]string, error) {
	var keys []string
	for i := 1; ; i++ {
		k := "TagKeys.member." + strconv.Itoa(i)
		if !p.Has(k) {
			break
		}
		keys = append(keys, p.Get(k))
	}
	if len(keys) > 50 {
		return nil, awsapi.ValueTooLong.Of("["+strings.Join(keys, ", ")+"]", "tagKeys", 50)
	}
	return keys, nil
}

// removeTags drops the tags with the given keys, compared without case as
// IAM compares tag keys.
func removeTags(existing []store.Tag, keys []string) []store.Tag {
	var out []store.Tag
	for _, t := range existing {
		if !slices.ContainsFunc(keys, func(k string) bool { return strings.EqualFold(k, t.Key) }) {
			out = append(out, t)
		}
	}
	return out
}

// encodeDoc URL-encodes a policy document as AWS returns it (RFC 3986).
func encodeDoc(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return awsapi.Timestamp(t)
}

func noSuch(kind, n string) error {
	return awsapi.EntityNotFound.Of(kind, n)
}

// pageOf converts up to limit items (the store was asked for limit+1) and
// fills the page's IsTruncated and Marker from the last item returned.
func pageOf[T, X any](items []T, limit int, name func(T) string, conv func(T) X) ([]X, xPage) {
	var out []X
	var pg xPage
	for i, it := range items {
		if i == limit {
			pg.IsTruncated, pg.Marker = true, marker(name(items[i-1]))
			break
		}
		out = append(out, conv(it))
	}
	return out, pg
}

func userName(u *store.User) string   { return u.Name }
func groupName(g *store.Group) string { return g.Name }
func roleName(r *store.Role) string   { return r.Name }
func listUser(u *store.User) xUser    { return toXUser(u, false) }
func listRole(r *store.Role) xRole    { return toXRole(r, roleListed) }

// pageSlice pages an in-memory list whose items are ordered by key: the
// items after the marker's key, at most limit, and the page state.
func pageSlice[T any](items []T, p url.Values, key func(T) string) ([]T, xPage, error) {
	after, limit, err := page(p)
	if err != nil {
		return nil, xPage{}, err
	}
	var out []T
	var pg xPage
	for _, it := range items {
		k := strings.ToLower(key(it))
		if after != "" && k <= after {
			continue
		}
		if len(out) == limit {
			pg.IsTruncated, pg.Marker = true, marker(key(out[limit-1]))
			break
		}
		out = append(out, it)
	}
	return out, pg, nil
}

// conditionKeys are the request's IAM condition keys: aws:RequestTag/* and
// aws:TagKeys for tagging, iam:PolicyARN for attachments,
// iam:PermissionsBoundary when a boundary is set.
func conditionKeys(p url.Values) map[string][]string {
	keys := map[string][]string{}
	var tagKeys []string
	for i := 1; ; i++ {
		prefix := "Tags.member." + strconv.Itoa(i)
		if !p.Has(prefix + ".Key") {
			break
		}
		k := p.Get(prefix + ".Key")
		keys["aws:requesttag/"+strings.ToLower(k)] = []string{p.Get(prefix + ".Value")}
		tagKeys = append(tagKeys, k)
	}
	for i := 1; ; i++ {
		k := "TagKeys.member." + strconv.Itoa(i)
		if !p.Has(k) {
			break
		}
		tagKeys = append(tagKeys, p.Get(k))
	}
	if tagKeys != nil {
		keys["aws:tagkeys"] = tagKeys
	}
	if v := p.Get("PolicyArn"); v != "" {
		keys["iam:policyarn"] = []string{v}
	}
	if v := p.Get("PermissionsBoundary"); v != "" {
		keys["iam:permissionsboundary"] = []string{v}
	}
	return keys
}
