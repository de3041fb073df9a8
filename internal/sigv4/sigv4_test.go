package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Vectors A–C of the reference (shared/reference/sigv4.md §9), cross-checked
// against botocore.
var (
	vecTime   = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	vecAKID   = "AKIAEXAMPLEVECTOR001"
	vecSecret = "vectorSecret/0123456789+abcdefghijABCDEFGHIJ"
)

func usEast1(r string) bool { return r == "us-east-1" }

func sha256Hex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func vectorA() (*http.Request, string) {
	body := "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fdemo&RoleSessionName=alice&DurationSeconds=900"
	r, _ := http.NewRequest("POST", "https://sts.us-east-1.amazonaws.com/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	r.Header.Set("X-Amz-Date", "20250102T030405Z")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+vecAKID+"/20250102/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5482e39abdc134f37181b0ab7c09413b343306ff474a99f66c8e8bd2037947ee")
	return r, body
}

func TestVectorA_STSPost(t *testing.T) {
	r, body := vectorA()
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	c := Check{Secret: vecSecret, Now: vecTime, Service: "sts", Region: usEast1, PayloadHash: sha256Hex([]byte(body))}
	if got := sha256Hex([]byte(CanonicalRequest(r, a, c))); got != "5b3f8e6e1005667df5a0b816ac1c1f0f60cd36e04d30bc0e31c378094e9c94c2" {
		t.Fatalf("hash(canonical request) = %s\n%s", got, CanonicalRequest(r, a, c))
	}
	if err := NewVerifier(VerifierOptions{}).Verify(r, a, c); err != nil {
		t.Fatal(err)
	}
	c.PayloadHash = sha256Hex([]byte(body + "&x=1"))
	if err := NewVerifier(VerifierOptions{}).Verify(r, a, c); !errors.Is(err, ErrMismatch) {
		t.Fatalf("changed body: %v", err)
	}
}

func TestVectorB_S3Put(t *testing.T) {
	r, _ := http.NewRequest("PUT", "https://s3.us-east-1.amazonaws.com/bucket-1/photos/2025%20jan/a%2Bb%3Dc~d.txt?partNumber=1&uploadId=abc%2Fdef%3D%3D", strings.NewReader("Hello, SigV4!"))
	hash := "6a1943c258a64bf4b47cc56317b1ac4c42009cda0348c110604de19493c857e1"
	r.Header.Set("Content-Type", "text/plain")
	r.Header.Set("X-Amz-Meta-Note", "  two   spaces  here ")
	r.Header.Set("X-Amz-Content-Sha256", hash)
	r.Header.Set("X-Amz-Date", "20250102T030405Z")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+vecAKID+"/20250102/us-east-1/s3/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-note, Signature=feed8caaf4032090a63ced444d51e44224d332f40e2f2c188cf4656390fc3e07")
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	c := Check{Secret: vecSecret, Now: vecTime, Service: "s3", Region: usEast1, PayloadHash: a.PayloadHash, S3: true}
	if got := sha256Hex([]byte(CanonicalRequest(r, a, c))); got != "40b92ae0c329426e83d266d6f5de67196bd77dc3d5c9a6c2653058dafad92ad7" {
		t.Fatalf("hash(canonical request) = %s\n%s", got, CanonicalRequest(r, a, c))
	}
	if err := NewVerifier(VerifierOptions{}).Verify(r, a, c); err != nil {
		t.Fatal(err)
	}
}

func vectorC(t *testing.T) *http.Request {
	u := "https://s3.us-east-1.amazonaws.com/bucket-1/report.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAEXAMPLEVECTOR002%2F20250102%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20250102T030405Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLE%2FTOKEN%2BVALUE%3D%3D&X-Amz-Signature=a84199c7fa14622ca84110cbba2f58dd64e45400533bbd259680304bc1d9ca7f"
	r, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestVectorC_S3PresignedWithToken(t *testing.T) {
	r := vectorC(t)
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	if a.Mode != ModePresigned || a.SessionToken != "FQoGZXIvYXdzEXAMPLE/TOKEN+VALUE==" || a.Expires != time.Hour {
		t.Fatalf("parsed %+v", a)
	}
	c := Check{Secret: "tempSecretForVector3/abcdefghijklmnopqrstuv", Now: vecTime.Add(59 * time.Minute), Service: "s3", Region: usEast1, PayloadHash: UnsignedPayload, S3: true}
	v := NewVerifier(VerifierOptions{})
	if err := v.Verify(r, a, c); err != nil {
		t.Fatal(err)
	}
	// Past X-Amz-Date + X-Amz-Expires: expired, whatever the skew rule.
	c.Now = vecTime.Add(61 * time.Minute)
	if err := v.Verify(r, a, c); !errors.Is(err, ErrExpired) {
		t.Fatalf("expired presign: %v", err)
	}
}

func TestHeaderClockSkew(t *testing.T) {
	r, body := vectorA()
	a, _ := Parse(r)
	v := NewVerifier(VerifierOptions{})
	for _, d := range []time.Duration{16 * time.Minute, -16 * time.Minute} {
		c := Check{Secret: vecSecret, Now: vecTime.Add(d), Service: "sts", Region: usEast1, PayloadHash: sha256Hex([]byte(body))}
		var e *Error
		if err := v.Verify(r, a, c); !errors.Is(err, ErrSkew) || !errors.As(err, &e) || !e.RequestTime.Equal(vecTime) {
			t.Fatalf("skew %v: %v", d, err)
		}
	}
	c := Check{Secret: vecSecret, Now: vecTime.Add(14 * time.Minute), Service: "sts", Region: usEast1, PayloadHash: sha256Hex([]byte(body))}
	if err := v.Verify(r, a, c); err != nil {
		t.Fatalf("within 15 minutes: %v", err)
	}
}

func TestScopeChecks(t *testing.T) {
	r, body := vectorA()
	a, _ := Parse(r)
	v := NewVerifier(VerifierOptions{})
	base := Check{Secret: vecSecret, Now: vecTime, Service: "sts", Region: usEast1, PayloadHash: sha256Hex([]byte(body))}
	wrongService := base
	wrongService.Service = "iam"
	if err := v.Verify(r, a, wrongService); !errors.Is(err, ErrScope) {
		t.Fatalf("wrong service: %v", err)
	}
	wrongRegion := base
	wrongRegion.Region = func(s string) bool { return s == "eu-west-1" }
	if err := v.Verify(r, a, wrongRegion); !errors.Is(err, ErrScope) {
		t.Fatalf("wrong region: %v", err)
	}
	r.Header.Set("X-Amz-Date", "20250103T030405Z")
	a2, _ := Parse(r)
	later := base
	later.Now = vecTime.Add(24 * time.Hour)
	if err := v.Verify(r, a2, later); !errors.Is(err, ErrScope) {
		t.Fatalf("scope date != request date: %v", err)
	}
}

func TestHostMustBeSigned(t *testing.T) {
	r, body := vectorA()
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+vecAKID+"/20250102/us-east-1/sts/aws4_request, SignedHeaders=content-type;x-amz-date, Signature=5482e39abdc134f37181b0ab7c09413b343306ff474a99f66c8e8bd2037947ee")
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	c := Check{Secret: vecSecret, Now: vecTime, Service: "sts", Region: usEast1, PayloadHash: sha256Hex([]byte(body))}
	if err := NewVerifier(VerifierOptions{}).Verify(r, a, c); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("host unsigned: %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	sig := strings.Repeat("a", 64)
	cases := []struct {
		header string
		want   error
	}{
		{"AWS4-HMAC-SHA256", ErrIncomplete},
		{"AWS4-HMAC-SHA256 Credential=AKID/20250102/us-east-1/sts/aws4_request", ErrIncomplete},
		{"AWS4-HMAC-SHA256 Credential=AKID/20250102/us-east-1/sts/aws4_request, SignedHeaders=host", ErrIncomplete},
		{"AWS4-HMAC-SHA256 Credential=AKID/2025010/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=" + sig, ErrScope},
		{"AWS4-HMAC-SHA256 Credential=AKID/20250102/us-east-1/sts/aws5_request, SignedHeaders=host, Signature=" + sig, ErrScope},
		{"AWS4-HMAC-SHA256 Credential=AKID/20250102/us-east-1/sts/aws4_request, SignedHeaders=Host, Signature=" + sig, ErrIncomplete},
		{"AWS4-HMAC-SHA256 Credential=AKID/20250102/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=xyz", ErrIncomplete},
		{"AWS4-HMAC-SHA256 Credential=AKID/20250102/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=" + sig + ", Bogus=1", ErrIncomplete},
		{"AWS AKID:signature", ErrAlgorithm},
		{"AWS4-ECDSA-P256-SHA256 Credential=AKID/20250102/sts/aws4_request, SignedHeaders=host, Signature=" + sig, ErrAlgorithm},
	}
	for _, c := range cases {
		if _, err := ParseAuthorization(c.header); !errors.Is(err, c.want) {
			t.Errorf("ParseAuthorization(%q) = %v, want %v", c.header, err, c.want)
		}
	}
	// Separators without spaces are accepted.
	a, err := ParseAuthorization("AWS4-HMAC-SHA256 Credential=AKID/20250102/us-east-1/sts/aws4_request,SignedHeaders=host;x-amz-date,Signature=" + sig)
	if err != nil || a.AccessKeyID != "AKID" || len(a.SignedHeaders) != 2 {
		t.Fatalf("compact header: %+v %v", a, err)
	}
	// A header without any date.
	r, _ := http.NewRequest("GET", "http://x/", nil)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20250102/us-east-1/sts/aws4_request, SignedHeaders=host, Signature="+sig)
	if _, err := Parse(r); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("no date: %v", err)
	}
	r.Header.Del("Authorization")
	if _, err := Parse(r); !errors.Is(err, ErrNotSigned) {
		t.Fatalf("unsigned: %v", err)
	}
}

func TestPresignParams(t *testing.T) {
	base := vectorC(t).URL.Query()
	for _, c := range []struct {
		k, v string
		want error
	}{
		{"X-Amz-Expires", "604801", ErrPresign},
		{"X-Amz-Expires", "0", ErrPresign},
		{"X-Amz-Expires", "abc", ErrPresign},
		{"X-Amz-Algorithm", "AWS4-HMAC-SHA1", ErrPresign},
		{"X-Amz-Date", "2025-01-02", ErrPresign},
		{"X-Amz-Signature", "short", ErrPresign},
		{"X-Amz-Credential", "ASIA/2025/us-east-1/s3", ErrScope},
	} {
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		q.Set(c.k, c.v)
		if _, err := ParsePresignedQuery(q.Get, q.Has); !errors.Is(err, c.want) {
			t.Errorf("%s=%s: %v, want %v", c.k, c.v, err, c.want)
		}
	}
	q := url.Values{}
	for k, v := range base {
		q[k] = v
	}
	q.Del("X-Amz-Signature")
	if _, err := ParsePresignedQuery(q.Get, q.Has); !errors.Is(err, ErrPresign) {
		t.Errorf("missing signature: %v", err)
	}
}

func TestKeyCacheDoesNotReuseAcrossSecrets(t *testing.T) {
	v := NewVerifier(VerifierOptions{KeyCacheSize: 2})
	k1 := v.SigningKey("AKID", "secret-one", "20250102", "us-east-1", "sts")
	k2 := v.SigningKey("AKID", "secret-two", "20250102", "us-east-1", "sts")
	if k1 == k2 {
		t.Fatal("a changed secret reused the cached key")
	}
	if k1 != DeriveKey("secret-one", "20250102", "us-east-1", "sts") {
		t.Fatal("derived key differs")
	}
	for i := 0; i < 10; i++ { // eviction keeps working
		v.SigningKey("AKID", "s", "2025010"+string(rune('0'+i)), "us-east-1", "sts")
	}
	if len(v.keys) > 2 {
		t.Fatalf("cache grew to %d", len(v.keys))
	}
	want, _ := hex.DecodeString("58c8e87da4e9a12dd5a1e31ae8657920eac98487ab278977a271f84f2ea96804")
	if got := DeriveKey(vecSecret, "20250102", "us-east-1", "sts"); string(got[:]) != string(want) {
		t.Fatalf("kSigning for sts = %x", got)
	}
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20250102/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("0", 64))
	f.Add("AWS4-HMAC-SHA256 Credential=,,,")
	f.Add("")
	f.Fuzz(func(t *testing.T, h string) {
		a, err := ParseAuthorization(h)
		if err == nil {
			if a.AccessKeyID == "" || len(a.Signature) != 64 || len(a.SignedHeaders) == 0 {
				t.Fatalf("accepted an incomplete header: %+v", a)
			}
			// What parses re-parses from its parts to the same thing.
			again, err := ParseAuthorization(Algorithm + " Credential=" + a.AccessKeyID + "/" + a.Scope() + ", SignedHeaders=" + strings.Join(a.SignedHeaders, ";") + ", Signature=" + a.Signature)
			if err != nil || again.Scope() != a.Scope() || again.AccessKeyID != a.AccessKeyID {
				t.Fatalf("round trip of %q: %v", h, err)
			}
		}
	})
}

func FuzzParsePresigned(f *testing.F) {
	f.Add("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA%2F20250102%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20250102T030405Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=" + strings.Repeat("0", 64))
	f.Add("X-Amz-Algorithm=&&&=")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		a, err := ParsePresignedQuery(q.Get, q.Has)
		if err == nil && (a.Expires <= 0 || a.Expires > MaxPresignExpiry || a.AccessKeyID == "") {
			t.Fatalf("accepted bad presign: %+v", a)
		}
	})
}

func BenchmarkVerifySTSPost(b *testing.B) {
	r, body := vectorA()
	a, _ := Parse(r)
	c := Check{Secret: vecSecret, Now: vecTime, Service: "sts", Region: usEast1, PayloadHash: sha256Hex([]byte(body))}
	v := NewVerifier(VerifierOptions{})
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Verify(r, a, c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseAndVerifySTSPost(b *testing.B) {
	r, body := vectorA()
	c := Check{Secret: vecSecret, Now: vecTime, Service: "sts", Region: usEast1, PayloadHash: sha256Hex([]byte(body))}
	v := NewVerifier(VerifierOptions{})
	b.ReportAllocs()
	for b.Loop() {
		a, err := Parse(r)
		if err != nil {
			b.Fatal(err)
		}
		if err := v.Verify(r, a, c); err != nil {
			b.Fatal(err)
		}
	}
}

// A malformed Authorization header's words never repeat its parts: a
// part without "=" may be the request's signature (Signature 0a1b…), and
// the error's words reach the client, the audit trail and the logs.
func TestParseErrorsQuoteNoSignature(t *testing.T) {
	sig := "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"
	for _, h := range []string{
		"AWS4-HMAC-SHA256 Credential=AKID/20250102/us-east-1/sts/aws4_request, SignedHeaders=host, Signature " + sig,
		"AWS4-HMAC-SHA256 Credential=AKID/20250102/us-east-1/sts/aws4_request, SignedHeaders=host, " + sig,
		"AWS4-HMAC-SHA256 Credential=AKID/20250102/us-east-1/sts/aws4_request, SignedHeaders=host, Signature:" + sig,
	} {
		_, err := ParseAuthorization(h)
		if !errors.Is(err, ErrIncomplete) {
			t.Fatalf("ParseAuthorization(%q) = %v", h, err)
		}
		if strings.Contains(err.Error(), sig[:16]) {
			t.Errorf("the error quotes the signature: %v", err)
		}
	}
}
