package sigv4

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

// Vector E of the reference (shared/reference/sigv4.md §9).
const (
	postVecSecret   = "vectorSecret/0123456789+abcdefghijABCDEFGHIJ"
	postVecKSigning = "69cf5d2a1d09f8bbcaef93952aa5b614e51924512190e6ee9dc2e96d0be0731f"
	postVecPolicy   = `{"expiration":"2025-01-02T04:00:00.000Z","conditions":[{"bucket":"bucket-1"},["starts-with","$key","uploads/"],["content-length-range",1,1048576],{"x-amz-algorithm":"AWS4-HMAC-SHA256"},{"x-amz-credential":"AKIAEXAMPLEVECTOR001/20250102/us-east-1/s3/aws4_request"},{"x-amz-date":"20250102T030405Z"}]}`
	postVecSig      = "be1702ce0437ff37fb743be4edbeb315412e717face0a28343d7f1cf70728d80"
)

var postVecTime = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func postB64(doc string) string { return base64.StdEncoding.EncodeToString([]byte(doc)) }

func postVecKey(t *testing.T) [32]byte {
	t.Helper()
	k := DeriveKey(postVecSecret, "20250102", "us-east-1", "s3")
	if got := hex.EncodeToString(k[:]); got != postVecKSigning {
		t.Fatalf("s3 kSigning = %s, want %s", got, postVecKSigning)
	}
	return k
}

// wantPostErr fails unless err is an *Error wrapping sentinel with the
// given detail ("" = any detail).
func wantPostErr(t *testing.T, err, sentinel error, detail string) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("err = %v, want %v", err, sentinel)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %T, want *Error", err)
	}
	if detail != "" && e.Detail != detail {
		t.Fatalf("detail = %q\nwant     %q", e.Detail, detail)
	}
}

func postVecFields() map[string]string {
	return map[string]string{
		"bucket":           "bucket-1",
		"key":              "uploads/photo.jpg",
		"x-amz-algorithm":  "AWS4-HMAC-SHA256",
		"x-amz-credential": "AKIAEXAMPLEVECTOR001/20250102/us-east-1/s3/aws4_request",
		"x-amz-date":       "20250102T030405Z",
		"x-amz-signature":  postVecSig,
		"policy":           postB64(postVecPolicy),
	}
}

func TestPostVectorE(t *testing.T) {
	key := postVecKey(t)
	b64 := postB64(postVecPolicy)
	if err := VerifyPostSignature(key, b64, postVecSig); err != nil {
		t.Fatal(err)
	}
	p, err := ParsePostPolicy(b64)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2025, 1, 2, 4, 0, 0, 0, time.UTC); !p.Expiration.Equal(want) {
		t.Fatalf("expiration = %v", p.Expiration)
	}
	if len(p.Conditions) != 6 {
		t.Fatalf("conditions = %+v", p.Conditions)
	}
	if c := p.Conditions[1]; c != (PostCondition{Op: PostStartsWith, Field: "key", Value: "uploads/"}) {
		t.Fatalf("condition 1 = %+v", c)
	}
	if err := p.Check(postVecFields(), postVecTime); err != nil {
		t.Fatal(err)
	}
	if lo, hi, ok := p.LengthRange(); !ok || lo != 1 || hi != 1048576 {
		t.Fatalf("LengthRange = %d, %d, %v", lo, hi, ok)
	}
	akid, date, region, service, err := PostCredential(postVecFields()["x-amz-credential"])
	if err != nil || akid != "AKIAEXAMPLEVECTOR001" || date != "20250102" || region != "us-east-1" || service != "s3" {
		t.Fatalf("PostCredential = %q %q %q %q %v", akid, date, region, service, err)
	}
}

func TestPostSignatureTampering(t *testing.T) {
	key := postVecKey(t)
	b64 := postB64(postVecPolicy)
	// Every single-character change of the signature fails.
	for i := 0; i < len(postVecSig); i++ {
		b := []byte(postVecSig)
		if b[i] == '0' {
			b[i] = '1'
		} else {
			b[i] = '0'
		}
		wantPostErr(t, VerifyPostSignature(key, b64, string(b)), ErrMismatch, "")
	}
	// Every single-byte change of the policy fails.
	for i := 0; i < len(b64); i++ {
		b := []byte(b64)
		b[i] ^= 1
		wantPostErr(t, VerifyPostSignature(key, string(b), postVecSig), ErrMismatch, "")
	}
	for _, sig := range []string{"", postVecSig[:63], postVecSig + "0", strings.ToUpper(postVecSig)} {
		wantPostErr(t, VerifyPostSignature(key, b64, sig), ErrMismatch, "")
	}
	// A key for another service or date fails.
	for _, k := range [][32]byte{
		DeriveKey(postVecSecret, "20250102", "us-east-1", "sts"),
		DeriveKey(postVecSecret, "20250103", "us-east-1", "s3"),
		DeriveKey(postVecSecret+"x", "20250102", "us-east-1", "s3"),
	} {
		wantPostErr(t, VerifyPostSignature(k, b64, postVecSig), ErrMismatch, "")
	}
	var e *Error
	if errors.As(VerifyPostSignature(key, b64, strings.Repeat("0", 64)), &e); e == nil || e.StringToSign != b64 {
		t.Fatalf("mismatch error should carry the policy as StringToSign: %+v", e)
	}
	if strings.Contains(e.Error(), postVecKSigning) || strings.Contains(e.Error(), postVecSig) {
		t.Fatal("error leaks the key or the expected signature")
	}
}

func TestPostCredential(t *testing.T) {
	for _, bad := range []string{
		"",
		"AKID/20250102/us-east-1/s3",
		"AKID/20250102/us-east-1/s3/aws4_request/x",
		"/20250102/us-east-1/s3/aws4_request",
		"AKID/2025010/us-east-1/s3/aws4_request",
		"AKID/2025O102/us-east-1/s3/aws4_request",
		"AKID/20250102//s3/aws4_request",
		"AKID/20250102/us-east-1//aws4_request",
		"AKID/20250102/us-east-1/s3/aws4_requesx",
		strings.Repeat("A", 600) + "/20250102/us-east-1/s3/aws4_request",
	} {
		if _, _, _, _, err := PostCredential(bad); !errors.Is(err, ErrScope) {
			t.Errorf("PostCredential(%q) = %v, want ErrScope", bad, err)
		}
	}
}

// postPolicy parses a policy expiring in the future with the given
// conditions (JSON texts).
func postPolicy(t *testing.T, conds ...string) *PostPolicy {
	t.Helper()
	p, err := ParsePostPolicy(postB64(`{"expiration":"2030-01-01T00:00:00.000Z","conditions":[` + strings.Join(conds, ",") + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const failedPrefix = "Invalid according to Policy: Policy Condition failed: "

func TestPostConditionForms(t *testing.T) {
	cases := []struct {
		name   string
		cond   string
		fields map[string]string
		fail   string // "" = pass; else the rendered condition in the message
	}{
		{"object eq", `{"acl":"public-read"}`, map[string]string{"acl": "public-read"}, ""},
		{"object eq mismatch", `{"acl":"public-read"}`, map[string]string{"acl": "private"}, `["eq", "$acl", "public-read"]`},
		{"object eq case-sensitive value", `{"acl":"public-read"}`, map[string]string{"acl": "Public-Read"}, `["eq", "$acl", "public-read"]`},
		{"object eq absent", `{"acl":"public-read"}`, map[string]string{}, `["eq", "$acl", "public-read"]`},
		{"object eq empty absent", `{"success_action_redirect":""}`, map[string]string{}, ""},
		{"object eq trailing space", `{"acl":"public-read"}`, map[string]string{"acl": "public-read "}, `["eq", "$acl", "public-read"]`},
		{"eq", `["eq","$key","a/b.txt"]`, map[string]string{"key": "a/b.txt"}, ""},
		{"eq mismatch", `["eq","$key","x"]`, map[string]string{"key": "y"}, `["eq", "$key", "x"]`},
		{"eq prefix is not enough", `["eq","$key","x"]`, map[string]string{"key": "xy"}, `["eq", "$key", "x"]`},
		{"eq op case", `["EQ","$key","x"]`, map[string]string{"key": "x"}, ""},
		{"starts-with", `["starts-with","$key","user/eric/"]`, map[string]string{"key": "user/eric/a.txt"}, ""},
		{"starts-with equal", `["starts-with","$key","user/eric/"]`, map[string]string{"key": "user/eric/"}, ""},
		{"starts-with mismatch", `["starts-with","$key","user/eric/"]`, map[string]string{"key": "user/bob/a.txt"}, `["starts-with", "$key", "user/eric/"]`},
		{"starts-with case", `["starts-with","$key","user/"]`, map[string]string{"key": "User/a"}, `["starts-with", "$key", "user/"]`},
		{"starts-with empty", `["starts-with","$x-amz-meta-tag",""]`, map[string]string{"x-amz-meta-tag": "anything at all"}, ""},
		{"starts-with empty, empty value", `["starts-with","$x-amz-meta-tag",""]`, map[string]string{"x-amz-meta-tag": ""}, ""},
		{"starts-with empty, absent", `["starts-with","$success_action_redirect",""]`, map[string]string{}, ""},
		{"starts-with absent", `["starts-with","$key","u/"]`, map[string]string{}, `["starts-with", "$key", "u/"]`},
		{"content-type", `["starts-with","$Content-Type","image/"]`, map[string]string{"content-type": "image/png"}, ""},
		{"content-type list", `["starts-with","$Content-Type","image/"]`, map[string]string{"content-type": "image/jpg,image/png, image/gif"}, ""},
		{"content-type list one bad", `["starts-with","$Content-Type","image/"]`, map[string]string{"content-type": "image/jpg,text/html"}, `["starts-with", "$Content-Type", "image/"]`},
		{"content-type list empty element", `["starts-with","$Content-Type","image/"]`, map[string]string{"content-type": "image/jpg,"}, `["starts-with", "$Content-Type", "image/"]`},
		{"content-type list any", `["starts-with","$Content-Type",""]`, map[string]string{"content-type": "text/html,application/x"}, ""},
		{"comma only special for content-type", `["starts-with","$x-amz-meta-a","p"]`, map[string]string{"x-amz-meta-a": "p1,q2"}, ""},
		{"content-type eq is whole", `["eq","$Content-Type","image/png"]`, map[string]string{"content-type": "image/png,image/png"}, `["eq", "$Content-Type", "image/png"]`},
		{"quote in message", `["eq","$key","a\"b\\c"]`, map[string]string{"key": "x"}, `["eq", "$key", "a\"b\\c"]`},
		{"html not escaped", `["eq","$key","<a&b>"]`, map[string]string{"key": "x"}, `["eq", "$key", "<a&b>"]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := postPolicy(t, tc.cond)
			err := p.Check(tc.fields, postVecTime)
			if tc.fail == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantPostErr(t, err, ErrPostCondition, failedPrefix+tc.fail)
		})
	}
}

func TestPostConditionsAllMustPass(t *testing.T) {
	p := postPolicy(t, `["starts-with","$key","uploads/"]`, `["starts-with","$key","uploads/img/"]`, `{"acl":"private"}`)
	if err := p.Check(map[string]string{"key": "uploads/img/a", "acl": "private"}, postVecTime); err != nil {
		t.Fatal(err)
	}
	err := p.Check(map[string]string{"key": "uploads/doc/a", "acl": "private"}, postVecTime)
	wantPostErr(t, err, ErrPostCondition, failedPrefix+`["starts-with", "$key", "uploads/img/"]`)
	// The first failing condition in document order is reported.
	err = p.Check(map[string]string{"key": "other", "acl": "public-read"}, postVecTime)
	wantPostErr(t, err, ErrPostCondition, failedPrefix+`["starts-with", "$key", "uploads/"]`)
	// An object condition with several members is several conditions.
	p = postPolicy(t, `{"acl":"private","x-amz-meta-a":"1"}`)
	if len(p.Conditions) != 2 || p.Conditions[0].Field != "acl" || p.Conditions[1].Field != "x-amz-meta-a" {
		t.Fatalf("conditions = %+v", p.Conditions)
	}
	err = p.Check(map[string]string{"acl": "private", "x-amz-meta-a": "2"}, postVecTime)
	wantPostErr(t, err, ErrPostCondition, failedPrefix+`["eq", "$x-amz-meta-a", "1"]`)
}

func TestPostExtraFields(t *testing.T) {
	p := postPolicy(t, `["starts-with","$key","u/"]`)
	err := p.Check(map[string]string{"key": "u/a", "x-amz-meta-foo": "bar"}, postVecTime)
	wantPostErr(t, err, ErrPostCondition, "Invalid according to Policy: Extra input fields: x-amz-meta-foo")
	err = p.Check(map[string]string{"key": "u/a", "content-type": "text/plain", "acl": "private"}, postVecTime)
	wantPostErr(t, err, ErrPostCondition, "Invalid according to Policy: Extra input fields: acl, content-type")
	// content-length-range covers no field.
	p = postPolicy(t, `["starts-with","$key",""]`, `["content-length-range",0,10]`)
	err = p.Check(map[string]string{"key": "a", "content-length-range": "5"}, postVecTime)
	wantPostErr(t, err, ErrPostCondition, "Invalid according to Policy: Extra input fields: content-length-range")
	// A failed condition is reported before extra fields.
	p = postPolicy(t, `["eq","$key","a"]`)
	err = p.Check(map[string]string{"key": "b", "acl": "private"}, postVecTime)
	wantPostErr(t, err, ErrPostCondition, failedPrefix+`["eq", "$key", "a"]`)
	// Vector E's form without x-amz-date coverage.
	p = postPolicy(t, `{"bucket":"bucket-1"}`, `["starts-with","$key","uploads/"]`, `{"x-amz-algorithm":"AWS4-HMAC-SHA256"}`, `{"x-amz-credential":"AKIAEXAMPLEVECTOR001/20250102/us-east-1/s3/aws4_request"}`)
	err = p.Check(postVecFields(), postVecTime)
	wantPostErr(t, err, ErrPostCondition, "Invalid according to Policy: Extra input fields: x-amz-date")
}

func TestPostExemptFields(t *testing.T) {
	p := postPolicy(t, `["starts-with","$key","u/"]`)
	fields := map[string]string{
		"key":              "u/a",
		"x-amz-signature":  "0123",
		"file":             "data",
		"policy":           "eyJ9",
		"bucket":           "any-bucket", // implicit: set from the URL
		"x-ignore-submit":  "Upload",
		"X-Ignore-Flash":   "1",
		"Policy":           "eyJ9",
		"X-Amz-Signature":  "0123",
		"x-ignore-":        "",
		"x-ignore-meta-aa": "b",
	}
	if err := p.Check(fields, postVecTime); err != nil {
		t.Fatal(err)
	}
	// Near misses are not exempt.
	for _, f := range []string{"x-ignore", "x-ignorefoo", "files", "x-amz-signature2", "policies", "buckets", "x-amz-credential", "x-amz-date", "x-amz-algorithm", "x-amz-security-token"} {
		err := p.Check(map[string]string{"key": "u/a", f: "v"}, postVecTime)
		wantPostErr(t, err, ErrPostCondition, "Invalid according to Policy: Extra input fields: "+f)
	}
	// A bucket condition still applies to the bucket field.
	p = postPolicy(t, `{"bucket":"bucket-1"}`)
	wantPostErr(t, p.Check(map[string]string{"bucket": "bucket-2"}, postVecTime), ErrPostCondition, failedPrefix+`["eq", "$bucket", "bucket-1"]`)
}

func TestPostFieldNamesCaseInsensitive(t *testing.T) {
	p := postPolicy(t, `["starts-with","$Content-Type","image/"]`, `{"X-Amz-Meta-Foo":"bar"}`, `["eq","$KEY","k"]`)
	fields := map[string]string{"content-type": "image/png", "x-amz-meta-foo": "bar", "key": "k"}
	if err := p.Check(fields, postVecTime); err != nil {
		t.Fatal(err)
	}
	fields = map[string]string{"CONTENT-TYPE": "image/png", "X-amz-META-foo": "bar", "Key": "k"}
	if err := p.Check(fields, postVecTime); err != nil {
		t.Fatal(err)
	}
	// Values stay case-sensitive.
	fields = map[string]string{"content-type": "IMAGE/png", "x-amz-meta-foo": "bar", "key": "k"}
	wantPostErr(t, p.Check(fields, postVecTime), ErrPostCondition, failedPrefix+`["starts-with", "$Content-Type", "image/"]`)
	// A field given twice under different cases must pass with both values.
	fields = map[string]string{"content-type": "image/png", "x-amz-meta-foo": "bar", "key": "k", "KEY": "other"}
	wantPostErr(t, p.Check(fields, postVecTime), ErrPostCondition, failedPrefix+`["eq", "$KEY", "k"]`)
	// Only ASCII folds: the Kelvin sign is not "k".
	fields = map[string]string{"content-type": "image/png", "x-amz-meta-foo": "bar", "key": "k", "\u212aey": "k"}
	wantPostErr(t, p.Check(fields, postVecTime), ErrPostCondition, "Invalid according to Policy: Extra input fields: \u212aey")
}

func TestPostExpiration(t *testing.T) {
	p, err := ParsePostPolicy(postB64(postVecPolicy))
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Date(2025, 1, 2, 4, 0, 0, 0, time.UTC)
	for _, now := range []time.Time{exp.Add(-time.Hour), exp.Add(-time.Millisecond), exp, exp.In(time.FixedZone("x", 3600))} {
		if err := p.Check(postVecFields(), now); err != nil {
			t.Fatalf("at %v: %v", now, err)
		}
	}
	for _, now := range []time.Time{exp.Add(time.Millisecond), exp.Add(24 * time.Hour)} {
		err := p.Check(postVecFields(), now)
		wantPostErr(t, err, ErrPostExpired, "Invalid according to Policy: Policy expired.")
	}
	// Expiry wins over condition failures.
	err = p.Check(map[string]string{"key": "nope"}, exp.Add(time.Second))
	wantPostErr(t, err, ErrPostExpired, "Invalid according to Policy: Policy expired.")

	for doc, want := range map[string]time.Time{
		`{"expiration":"2025-01-02T04:00:00Z","conditions":[]}`:          exp,
		`{"expiration":"2025-01-02T04:00:00.5Z","conditions":[]}`:        exp.Add(500 * time.Millisecond),
		`{"expiration":"2025-01-02T05:00:00.000+01:00","conditions":[]}`: exp,
	} {
		p, err := ParsePostPolicy(postB64(doc))
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		if !p.Expiration.Equal(want) || p.Expiration.Location() != time.UTC {
			t.Fatalf("%s: expiration %v", doc, p.Expiration)
		}
	}
}

func TestPostLengthRange(t *testing.T) {
	for _, tc := range []struct {
		conds   []string
		lo, hi  int64
		present bool
	}{
		{[]string{`["content-length-range",1,1048576]`}, 1, 1048576, true},
		{[]string{`["content-length-range","10","20"]`}, 10, 20, true},
		{[]string{`["content-length-range",0,"5"]`}, 0, 5, true},
		{[]string{`["content-length-range",7,7]`}, 7, 7, true},
		{[]string{`["content-length-range",0,9223372036854775807]`}, 0, 9223372036854775807, true},
		{[]string{`["content-length-range",1,100]`, `["content-length-range",10,1000]`}, 10, 100, true},
		{[]string{`["starts-with","$key",""]`}, 0, 0, false},
		{nil, 0, 0, false},
	} {
		p := postPolicy(t, tc.conds...)
		lo, hi, ok := p.LengthRange()
		if lo != tc.lo || hi != tc.hi || ok != tc.present {
			t.Errorf("%v: LengthRange = %d, %d, %v", tc.conds, lo, hi, ok)
		}
		// Check ignores the range.
		if err := p.Check(nil, postVecTime); err != nil {
			t.Errorf("%v: Check = %v", tc.conds, err)
		}
	}
	if s := (PostCondition{Op: PostLengthRange, Min: 1, Max: 2}).String(); s != `["content-length-range", 1, 2]` {
		t.Errorf("String = %s", s)
	}
}

func TestPostMalformed(t *testing.T) {
	valid := `{"expiration":"2025-01-02T04:00:00.000Z","conditions":[]}`
	if _, err := ParsePostPolicy(postB64(valid)); err != nil {
		t.Fatal(err)
	}
	if _, err := ParsePostPolicy(strings.TrimRight(postB64(valid+" "), "=")); err != nil {
		t.Fatalf("unpadded base64: %v", err)
	}
	b64Cases := []string{
		"",
		"!!!!",
		"eyJ",
		postB64(valid)[:len(postB64(valid))-1] + "*",
		postB64(valid) + "AAAA====",
		base64.URLEncoding.EncodeToString([]byte(`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[{"a":"??>"}]}`)),
		postB64(valid[:40] + strings.Repeat(" ", MaxPostPolicySize) + valid[40:]), // too large
		strings.Repeat("A", 1<<20),
	}
	for _, b := range b64Cases {
		_, err := ParsePostPolicy(b)
		wantPostErr(t, err, ErrPostPolicy, "")
	}
	docs := []string{
		``,
		`null`,
		`[]`,
		`"x"`,
		`{`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[]`,
		valid + `x`,
		valid + `{}`,
		`{"conditions":[]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z"}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":null}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":{}}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":"x"}`,
		`{"expiration":20250102,"conditions":[]}`,
		`{"expiration":null,"conditions":[]}`,
		`{"expiration":"","conditions":[]}`,
		`{"expiration":"2025-01-02","conditions":[]}`,
		`{"expiration":"2025-01-02 04:00:00Z","conditions":[]}`,
		`{"expiration":"20250102T040000Z","conditions":[]}`,
		`{"expiration":"2025-13-02T04:00:00.000Z","conditions":[]}`,
		`{"expiration":"2025-01-02T04:00:00.000","conditions":[]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","expiration":"2099-01-02T04:00:00.000Z","conditions":[]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[],"conditions":[]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[1]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":["eq"]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[null]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[{}]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[{"acl":1}]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[{"acl":null}]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[{"acl":["x"]}]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[{"":"x"}]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[[]]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[[1,"$key","x"]]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[["eq","$key"]]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[["eq","$key","x","y"]]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[["eq","key","x"]]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[["eq","$","x"]]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[["eq","$key",1]]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[["starts-with","$key",null]]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[["ends-with","$key","x"]]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[["content-length-range",1]]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[["content-length-range",1,2,3]]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[["content-length-range",-1,2]]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[["content-length-range",5,2]]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[["content-length-range",1.5,2]]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[["content-length-range",1,1e3]]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[["content-length-range","1x",2]]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[["content-length-range","",2]]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[["content-length-range",1,9223372036854775808]]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[["content-length-range",null,2]]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[["content-length-range",true,2]]}`,
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[["eq","$key","x"],]}`,
		"{\"expiration\":\"2025-01-02T04:00:00.000Z\",\"conditions\":[[\"eq\",\"$key\",\"\xff\"]]}",
		`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[["eq","$key","\$x"]]}`,
	}
	for _, d := range docs {
		p, err := ParsePostPolicy(postB64(d))
		if !errors.Is(err, ErrPostPolicy) {
			t.Errorf("%s: got %+v, %v; want ErrPostPolicy", d, p, err)
			continue
		}
		var e *Error
		if !errors.As(err, &e) || !strings.HasPrefix(e.Detail, "Invalid Policy: ") {
			t.Errorf("%s: detail %v", d, err)
		}
	}
	// Unknown top-level members are ignored.
	if _, err := ParsePostPolicy(postB64(`{"expiration":"2025-01-02T04:00:00.000Z","conditions":[],"x":{"y":[1]}}`)); err != nil {
		t.Fatal(err)
	}
}

func FuzzParsePostPolicy(f *testing.F) {
	f.Add(postVecPolicy)
	f.Add(postB64(postVecPolicy))
	f.Add(`{"expiration":"2030-01-01T00:00:00Z","conditions":[["starts-with","$Content-Type","image/"],{"a":"b","c":"d"},["content-length-range","1",2]]}`)
	f.Add(`{"expiration":"2030-01-01T00:00:00Z","conditions":[["eq","$key","x"],["EQ","$KEY","\u0000"]]}`)
	f.Add(`{"expiration":"2030-01-01T00:00:00Z","conditions":[[]]}`)
	f.Add("")
	fields := map[string]string{"key": "x", "content-type": "image/a,image/b", "a": "b", "bucket": "b", "x-ignore-x": "1"}
	f.Fuzz(func(t *testing.T, s string) {
		for _, in := range []string{s, postB64(s)} {
			p, err := ParsePostPolicy(in)
			if err != nil {
				var e *Error
				if !errors.Is(err, ErrPostPolicy) || !errors.As(err, &e) {
					t.Fatalf("error %v is not an *Error wrapping ErrPostPolicy", err)
				}
				continue
			}
			for _, c := range p.Conditions {
				switch c.Op {
				case PostEq, PostStartsWith:
					if c.Field == "" {
						t.Fatalf("condition without a field: %+v", c)
					}
				case PostLengthRange:
					if c.Min < 0 || c.Max < c.Min {
						t.Fatalf("bad range %+v", c)
					}
				default:
					t.Fatalf("unknown op %+v", c)
				}
				_ = c.String()
			}
			for _, now := range []time.Time{p.Expiration.Add(-time.Second), p.Expiration.Add(time.Second)} {
				err := p.Check(fields, now)
				if err != nil && !errors.Is(err, ErrPostCondition) && !errors.Is(err, ErrPostExpired) {
					t.Fatalf("Check: %v", err)
				}
				if now.After(p.Expiration) && !errors.Is(err, ErrPostExpired) {
					t.Fatalf("expired policy passed: %v", err)
				}
			}
			p.LengthRange()
		}
	})
}

// A failed condition on a credential field (the session token an SDK puts
// in the policy, the signature) is quoted without its value: Detail is
// never secret, and it reaches the client, the audit trail and the logs.
func TestPostConditionQuotesNoCredential(t *testing.T) {
	const token = "IQoJb3JpZ2luX2VjEOLDSESSIONTOKEN"
	for _, tc := range []struct{ cond, want string }{
		{`{"x-amz-security-token":"` + token + `"}`, `["eq", "$x-amz-security-token", "***"]`},
		{`["starts-with","$X-Amz-Security-Token","` + token + `"]`, `["starts-with", "$X-Amz-Security-Token", "***"]`},
		{`["eq","$x-amz-signature","` + token + `"]`, `["eq", "$x-amz-signature", "***"]`},
	} {
		err := postPolicy(t, tc.cond).Check(map[string]string{"x-amz-security-token": "IQoJb3JpZ2luX2VjENEWTOKEN", "x-amz-signature": "s"}, postVecTime)
		wantPostErr(t, err, ErrPostCondition, failedPrefix+tc.want)
	}
}
