package audit

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/token"
)

// sameJSON reports whether a and b decode to equal values.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("invalid JSON %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

// The hand-written encoder writes what encoding/json writes.
func TestAppendJSONIsEncodingJSON(t *testing.T) {
	sess := &token.Session{Kind: token.KindRole, AccessKeyID: "ASIAEXAMPLE", Account: "111122223333", IssuedAt: time.Unix(1700000000, 0),
		RoleARN: "arn:aws:iam::111122223333:role/path/R", RoleID: "AROAEXAMPLE", SessionName: "s", SourceIdentity: "alice", MFA: true}
	c := &Converter{Region: "us-east-1"}
	for _, r := range []*pipeline.Record{
		{Service: "sts", Operation: "AssumeRole", Time: time.Unix(1700000000, 0), RequestID: "r1",
			Principal: &authz.Principal{Type: authz.TypeAssumedRole, Account: "111122223333", ARN: "arn:aws:sts::111122223333:assumed-role/R/s",
				UserID: "AROAEXAMPLE:s", AccessKeyID: "ASIAEXAMPLE", Session: sess},
			Params:     url.Values{"RoleArn": {"arn:aws:iam::222233334444:role/X"}, "Tags.member.1.Key": {"k\u2028"}, "Tags.member.1.Value": {"v\"\\\x01<>&"}, "DurationSeconds": {"900"}},
			Checks:     []pipeline.CheckRecord{{Action: "sts:AssumeRole", Resource: "arn:aws:iam::222233334444:role/X", ResourceAccount: "222233334444"}},
			TLSVersion: "TLS 1.2", TLSCipher: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", Host: "h"},
		{Service: "s3", Operation: "GetObject", Bucket: "b", Key: "k/\xff", Principal: authz.Anonymous(), ErrorCode: "AccessDenied", ErrorMessage: "Access Denied",
			BytesOut: 243, Params: url.Values{"versionId": {"1e-7"}}},
		{Service: "iam", Operation: "CreateUser", AccessKeyID: "AKIAFORGED"},
	} {
		for _, e := range c.Events(r) {
			want, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			got := e.AppendJSON(nil)
			if !sameJSON(t, got, want) {
				t.Errorf("AppendJSON:\n%s\nencoding/json:\n%s", got, want)
			}
			back, err := DecodeEvent(got)
			if err != nil {
				t.Fatal(err)
			}
			if again := back.AppendJSON(nil); !sameJSON(t, again, got) {
				t.Errorf("decoded and encoded again:\n%s\nwas\n%s", again, got)
			}
		}
	}
}

func TestAppendStringEscapes(t *testing.T) {
	for _, s := range []string{"", "plain", "quote\" back\\slash", "\x00\x1f\t\n\r", "\u2028\u2029", "bad \xff\xfe utf8", "é日本", "<script>&"} {
		want, _ := json.Marshal(s)
		got := appendString(nil, s)
		if !sameJSON(t, got, want) {
			t.Errorf("%q: got %s want %s", s, got, want)
		}
	}
	for _, f := range []float64{0, 1, -2.5, 1e-7, 1e21, 123456789, 3600} {
		want, _ := json.Marshal(f)
		if got := appendFloat(nil, f); string(got) != string(want) {
			t.Errorf("%v: got %s want %s", f, got, want)
		}
	}
}

// A call on another account's resource is two events: the caller's, and
// the owner's naming the caller as AWSAccount, sharing sharedEventID.
func TestCrossAccountCopies(t *testing.T) {
	n := 0
	c := &Converter{Region: "us-east-1", NewID: func() string { n++; return "id-" + string(rune('0'+n)) }}
	r := &pipeline.Record{Service: "s3", Operation: "GetObject", Bucket: "b", Key: "k", RequestID: "r",
		Principal: &authz.Principal{Type: authz.TypeUser, Account: "222233334444", ARN: "arn:aws:iam::222233334444:user/u", UserID: "AIDAU", UserName: "u", AccessKeyID: "AKIAU"},
		Checks:    []pipeline.CheckRecord{{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", ResourceAccount: "111122223333"}}}
	ev := c.Events(r)
	if len(ev) != 2 {
		t.Fatalf("%d events", len(ev))
	}
	caller, owner := ev[0], ev[1]
	if caller.RecipientAccountID != "222233334444" || caller.UserIdentity.UserName != "u" || owner.RecipientAccountID != "111122223333" ||
		owner.UserIdentity != (UserIdentity{Type: TypeAWSAccount, PrincipalID: "AIDAU", AccountID: "222233334444"}) ||
		caller.SharedEventID == "" || caller.SharedEventID != owner.SharedEventID || caller.EventID == owner.EventID {
		t.Fatalf("copies:\n%+v\n%+v", caller, owner)
	}
	if b := caller.Resources[1]; b.Type != "AWS::S3::Bucket" || b.AccountID != "111122223333" {
		t.Fatalf("bucket resource %+v", b)
	}
	// The same account: one event.
	r.Checks[0].ResourceAccount = "222233334444"
	if ev := c.Events(r); len(ev) != 1 || ev[0].SharedEventID != "" {
		t.Fatalf("same-account call: %d events", len(ev))
	}
}

func TestTLSDetails(t *testing.T) {
	c := &Converter{}
	e := c.Events(&pipeline.Record{Service: "s3", Operation: "ListBuckets", Host: "s3.example:8700", TLSVersion: "TLS 1.3", TLSCipher: "TLS_AES_128_GCM_SHA256",
		Principal: authz.Anonymous()})[0]
	if *e.TLSDetails != (TLSDetails{TLSVersion: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ClientProvidedHostHeader: "s3.example:8700"}) ||
		e.AdditionalEventData["CipherSuite"] != "TLS_AES_128_GCM_SHA256" {
		t.Fatalf("tls: %+v %v", e.TLSDetails, e.AdditionalEventData)
	}
	if cipherSuite("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384") != "ECDHE-ECDSA-AES256-GCM-SHA384" {
		t.Fatal("OpenSSL name")
	}
}

// Query parameters become CloudTrail's requestParameters: names with the
// first letter lower-cased, lists as arrays in index order, numbers and
// booleans typed, the protocol's own and every secret gone.
func TestQueryParams(t *testing.T) {
	v := url.Values{
		"Action": {"AssumeRole"}, "Version": {"2011-06-15"}, "X-Amz-Signature": {"sig"}, "X-Amz-Credential": {"AKIA/x"},
		"RoleArn": {"arn:aws:iam::1:role/r"}, "DurationSeconds": {"900"}, "SetAsDefault": {"true"},
		"Tags.member.2.Key": {"b"}, "Tags.member.2.Value": {"2"}, "Tags.member.1.Key": {"a"}, "Tags.member.1.Value": {"1"},
		"TransitiveTagKeys.member.1": {"a"}, "PolicyArns.member.1.arn": {"arn:aws:iam::aws:policy/P"},
		"TokenCode": {"123456"}, "SerialNumber": {"arn:aws:iam::1:mfa/d"}, "Password": {"pw"}, "NewPassword": {"pw2"},
		"AuthenticationCode1": {"1"}, "SAMLAssertion": {"x"}, "Tags.member.3.SecretValue": {"s"},
		"Tags.member.0.Key": {"zero"}, "Tags.member.99999.Key": {"far"}, "Tags.member.x.Key": {"nan"},
		"RoleArn.member.1": {"conflict"},
	}
	got, _ := json.Marshal(queryParams(v))
	want := `{"durationSeconds":900,"policyArns":[{"arn":"arn:aws:iam::aws:policy/P"}],"roleArn":"arn:aws:iam::1:role/r","serialNumber":"arn:aws:iam::1:mfa/d",` +
		`"setAsDefault":true,"tags":[{"key":"a","value":"1"},{"key":"b","value":"2"}],"transitiveTagKeys":["a"]}`
	if string(got) != want {
		t.Fatalf("requestParameters:\n got %s\nwant %s", got, want)
	}
	if queryParams(url.Values{"Action": {"GetCallerIdentity"}}) != nil {
		t.Fatal("no parameters must be null")
	}
}

func TestSecretNames(t *testing.T) {
	for _, n := range []string{"SecretAccessKey", "secretAccessKey", "SessionToken", "X-Amz-Security-Token", "x-amz-security-token", "X-Amz-Signature",
		"Signature", "Password", "NewPassword", "OldPassword", "TokenCode", "AuthenticationCode1", "AuthenticationCode2", "Base32StringSeed",
		"QRCodePNG", "PrivateKey", "SAMLAssertion", "WebIdentityToken", "X-Amz-Credential", "AWSAccessKeyId", "x-amz-signature"} {
		if !Secret(n) {
			t.Errorf("%s is not a secret", n)
		}
	}
	for _, n := range []string{"AccessKeyId", "RoleArn", "ExternalId", "SerialNumber", "Policy", "credentials", "UserName", "X-Amz-Date", "X-Amz-Expires", "uploadId",
		"SubjectFromWebIdentityToken"} {
		if Secret(n) {
			t.Errorf("%s is a secret", n)
		}
	}
}

// Response elements: names from XML tags with the first letter
// lower-cased, A>member lists under A, dates in CloudTrail's format,
// secrets and raw bytes gone.
func TestResponseElements(t *testing.T) {
	type cred struct {
		AccessKeyId     string `xml:"AccessKeyId"`
		SecretAccessKey string `xml:"SecretAccessKey"`
		SessionToken    string `xml:"SessionToken"`
		Expiration      string `xml:"Expiration"`
	}
	type tag struct {
		Key   string `xml:"Key"`
		Value string `xml:"Value"`
	}
	type result struct {
		Credentials *cred  `xml:"Credentials"`
		Tags        []tag  `xml:"Tags>member,omitempty"`
		Empty       string `xml:"Empty,omitempty"`
		Size        *int   `xml:"PackedPolicySize,omitempty"`
		Seed        string `xml:"Base32StringSeed"`
		PNG         []byte `xml:"Png"`
		CreateDate  string `xml:"CreateDate"`
		hidden      string
	}
	size := 6
	r := &result{Credentials: &cred{AccessKeyId: "ASIA1", SecretAccessKey: "s", SessionToken: "t", Expiration: "2026-01-02T03:04:05Z"},
		Tags: []tag{{"a", "1"}}, Size: &size, Seed: "seed", PNG: []byte{1}, CreateDate: "2026-01-02T15:04:05Z", hidden: "h"}
	c := &Converter{}
	got, _ := json.Marshal(c.responseElements(r))
	want := `{"createDate":"Jan 2, 2026, 3:04:05 PM","credentials":{"accessKeyId":"ASIA1","expiration":"Jan 2, 2026, 3:04:05 AM"},` +
		`"packedPolicySize":6,"tags":[{"key":"a","value":"1"}]}`
	if string(got) != want {
		t.Fatalf("responseElements:\n got %s\nwant %s", got, want)
	}
	if c.responseElements(nil) != nil || c.responseElements((*result)(nil)) != nil || c.responseElements("x") != nil {
		t.Fatal("non-structs must give null")
	}
}

func TestReadOnlyAndCategory(t *testing.T) {
	for _, tc := range []struct {
		svc, op  string
		readOnly bool
		data     bool
	}{
		{"iam", "CreateUser", false, false}, {"iam", "ListUsers", true, false}, {"sts", "AssumeRole", true, false},
		{"sts", "GetSessionToken", true, false}, {"s3", "GetObject", true, true}, {"s3", "PutObject", false, true},
		{"s3", "ListBuckets", true, false}, {"s3", "ListObjectsV2", true, true}, {"s3", "PutBucketPolicy", false, false},
		{"s3", "DeleteObjects", false, true}, {"s3", "HeadBucket", true, true},
	} {
		e := (&Converter{}).Events(&pipeline.Record{Service: tc.svc, Operation: tc.op})[0]
		if e.ReadOnly != tc.readOnly || (e.EventCategory == CategoryData) != tc.data || e.ManagementEvent == tc.data {
			t.Errorf("%s %s: readOnly %v, category %s", tc.svc, tc.op, e.ReadOnly, e.EventCategory)
		}
	}
}

func TestS3Params(t *testing.T) {
	r := &pipeline.Record{Service: "s3", Operation: "GetObject", Bucket: "b", Key: "a/b", Host: "b.s3.localhost:8700",
		Params: url.Values{"X-Amz-Signature": {"s"}, "X-Amz-Security-Token": {"t"}, "X-Amz-Credential": {"AKIA/x"}, "X-Amz-Date": {"20260101T000000Z"},
			"response-content-type": {"text/plain"}, "tagging": {""}, "key": {"spoofed"}, "Signature": {"v2"}, "AWSAccessKeyId": {"AKIA"}}}
	got, _ := json.Marshal(s3Params(r))
	want := `{"Host":"b.s3.localhost:8700","X-Amz-Date":"20260101T000000Z","bucketName":"b","key":"a/b","response-content-type":"text/plain","tagging":""}`
	if string(got) != want {
		t.Fatalf("S3 requestParameters:\n got %s\nwant %s", got, want)
	}
	if !strings.Contains(string((&Converter{}).Events(r)[0].AppendJSON(nil)), `"x-amz-id-2"`) {
		t.Fatal("no x-amz-id-2")
	}
}

// sameEvents checks that AppendEvents writes what Events builds.
func sameEvents(t *testing.T, c *Converter, r *pipeline.Record) {
	t.Helper()
	var want []byte
	for _, e := range c.Events(r) {
		want = append(e.AppendJSON(want), '\n')
	}
	got, n := c.AppendEvents(nil, r)
	gl, wl := strings.Split(strings.TrimSpace(string(got)), "\n"), strings.Split(strings.TrimSpace(string(want)), "\n")
	if len(gl) != len(wl) || n != len(wl) {
		t.Fatalf("AppendEvents wrote %d events (said %d), Events %d", len(gl), n, len(wl))
	}
	for i := range gl {
		if !sameJSON(t, []byte(gl[i]), []byte(wl[i])) {
			t.Fatalf("AppendEvents:\n%s\nEvents:\n%s", gl[i], wl[i])
		}
	}
}

func TestAppendEventsIsEvents(t *testing.T) {
	c := &Converter{Region: "us-east-1", NewID: func() string { return "fixed-id" }}
	assume, get := benchRecords()
	type inner struct {
		When  string   `xml:"CreateDate"`
		Names []string `xml:"Names>member"`
		F     float32  `xml:"F"`
		U     uint16   `xml:"U"`
		Deep  *inner   `xml:"Deep,omitempty"`
	}
	type odd struct {
		Nothing *inner   `xml:"Nothing"`
		Empty   struct{} `xml:"Empty"`
		List    []*inner `xml:"List>member"`
		Map     map[string]string
		Raw     []byte `xml:"Raw"`
		Inner   inner  `xml:"Inner"`
	}
	deep := &inner{}
	for i := 0; i < 12; i++ {
		deep = &inner{When: "2026-01-01T00:00:00Z", Deep: deep}
	}
	records := []*pipeline.Record{assume, get,
		{Service: "iam", Operation: "CreateThing", Result: &odd{List: []*inner{nil, {Names: []string{"a"}, F: 1.5, U: 7}}, Map: map[string]string{"a": "b"},
			Raw: []byte{1}, Inner: inner{When: "not a date", Deep: deep}}},
		{Service: "iam", Operation: "CreateThing", Result: &struct{ Secret string }{"s"}},
		{Service: "iam", Operation: "ListThings", Result: &odd{}},
		{Service: "iam", Operation: "CreateUser", Params: url.Values{"UserName": {"u"}, "Tags.member.1.Key": {"k"}, "Tags.member.1.Value": {"v"}}},
		{Service: "iam", Operation: "CreateUser", Params: url.Values{"userName": {"lower"}, "UserName": {"upper"}}},
		{Service: "iam", Operation: "CreateUser", Params: url.Values{"Action": {"CreateUser"}, "Password": {"p"}}},
		{Service: "sts", Operation: "GetSessionToken", Params: url.Values{"DurationSeconds": {"x900"}, "SetAsDefault": {"1"}, "Empty": {}}},
		{Service: "s3", Operation: "ListObjectsV2", Bucket: "b", Host: "h", Params: url.Values{"list-type": {"2"}, "key": {"k"}, "bucketName": {"spoof"},
			"Host": {"h2"}, "X-Amz-Signature": {"s"}, "prefix": {strings.Repeat("p", 5000)}}, TLSCipher: "TLS_RSA_WITH_AES_128_CBC_SHA", SignatureVersion: "SigV2", Auth: "query"},
		{Service: "s3", Operation: "PostObject", Bucket: "b", Auth: "post", BytesIn: 100},
	}
	many := url.Values{}
	for i := 0; i < maxS3Params+1; i++ {
		many.Set("p"+strings.Repeat("x", i%3)+string(rune('a'+i%26))+string(rune('a'+i/26)), "v")
	}
	for _, r := range records {
		sameEvents(t, c, r)
	}
	// Past the limit, both keep maxS3Params parameters (which ones is up
	// to map order).
	r := &pipeline.Record{Service: "s3", Operation: "GetObject", Params: many}
	got, _ := c.AppendEvents(nil, r)
	e, err := DecodeEvent(got[:len(got)-1])
	if err != nil || len(e.RequestParameters) != maxS3Params || len(c.Events(r)[0].RequestParameters) != maxS3Params {
		t.Fatalf("past the limit: %d parameters (%v)", len(e.RequestParameters), err)
	}
}

// A result field nested by its tag (Parent>Child) is a secret when any of
// its names is: its value is not written under the parent's name.
func TestResponseElementsNestedSecret(t *testing.T) {
	type result struct {
		Password string `xml:"LoginProfile>Password"`
		Name     string `xml:"LoginProfile>UserName"`
	}
	c := &Converter{}
	got, _ := json.Marshal(c.responseElements(&result{Password: "hunter2hunter2", Name: "bob"}))
	if strings.Contains(string(got), "hunter2") {
		t.Fatalf("responseElements %s", got)
	}
	line, _ := c.AppendEvents(nil, &pipeline.Record{Service: "iam", Operation: "CreateLoginProfile", Result: &result{Password: "hunter2hunter2"}})
	if strings.Contains(string(line), "hunter2") {
		t.Fatalf("event %s", line)
	}
}

// errorMessage leaves out a validation error's quoted value when its
// member is a secret, and any secret parameter's value the message
// repeats — whatever the value holds.
func TestErrorMessageRedaction(t *testing.T) {
	c := &Converter{}
	for _, tc := range []struct {
		params    url.Values
		msg, want string
	}{
		{url.Values{"TokenCode": {"12345"}}, "1 validation error detected: Value '12345' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6",
			"1 validation error detected: Value '***' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6"},
		// A value quoting the message's own words cannot move the member.
		{url.Values{"TokenCode": {"1' at 'roleArn' failed to satisfy constraint: x"}}, "1 validation error detected: Value '1' at 'roleArn' failed to satisfy constraint: x' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*",
			"1 validation error detected: Value '***' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*"},
		// Short values of secrets are not hunted; those of other members are kept.
		{url.Values{"TokenCode": {"1"}}, "1 validation error detected: Value '1' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6",
			"1 validation error detected: Value '***' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6"},
		{url.Values{"RoleSessionName": {"a"}}, "1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
			"1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"},
		// Any message that repeats a secret parameter's value.
		{url.Values{"NewPassword": {"correct horse"}, "UserName": {"bob"}}, "Password correct horse does not meet the policy for bob",
			"Password *** does not meet the policy for bob"},
		{url.Values{"X-Amz-Security-Token": {"FQoGZXIvYXdzEJr"}}, `Policy Condition failed: ["eq", "$x-amz-security-token", "FQoGZXIvYXdzEJr"]`,
			`Policy Condition failed: ["eq", "$x-amz-security-token", "***"]`},
		// A form upload's failed policy condition quotes the policy's
		// value, whatever the form sent (not among the URL's parameters).
		{nil, `Invalid according to Policy: Policy Condition failed: ["eq", "$X-Amz-Security-Token", "IQoJb3JpZ2lu\"X\\2VjE"]`,
			`Invalid according to Policy: Policy Condition failed: ["eq", "$X-Amz-Security-Token", "***"]`},
		{nil, `Invalid according to Policy: Policy Condition failed: ["starts-with", "$x-amz-signature", "0a1b"]`,
			`Invalid according to Policy: Policy Condition failed: ["starts-with", "$x-amz-signature", "***"]`},
		{nil, `Invalid according to Policy: Policy Condition failed: ["eq", "$key", "user/eric/"]`,
			`Invalid according to Policy: Policy Condition failed: ["eq", "$key", "user/eric/"]`},
		{nil, `["eq", "$x-amz-security-token", "unterminated`, `["eq", "$x-amz-security-token", "***`},
		{nil, `"$x-amz-security-token`, `"$x-amz-security-token`},
		{nil, "", ""},
	} {
		r := &pipeline.Record{Service: "sts", Operation: "AssumeRole", Params: tc.params, ErrorCode: "ValidationError", ErrorMessage: tc.msg}
		if tc.msg == "" {
			r.ErrorCode = ""
		}
		if got := c.Events(r)[0].ErrorMessage; got != tc.want {
			t.Errorf("errorMessage\n got %q\nwant %q", got, tc.want)
		}
	}
}

// Fields of an embedded result struct are the result's own, as
// encoding/xml promotes them (AssumeRoleWithWebIdentity's result embeds
// AssumeRole's): the issued credentials are in responseElements.
func TestResponseElementsEmbedded(t *testing.T) {
	type creds struct {
		AccessKeyId     string `xml:"AccessKeyId"`
		SecretAccessKey string `xml:"SecretAccessKey"`
	}
	type base struct {
		Credentials creds `xml:"Credentials"`
	}
	type result struct {
		base
		*creds
		Subject string `xml:"SubjectFromWebIdentityToken"`
	}
	c := &Converter{NewID: func() string { return "id" }}
	r := &result{base: base{Credentials: creds{AccessKeyId: "ASIAEXAMPLE", SecretAccessKey: "s3cr3t"}}, Subject: "sub"}
	want := `{"credentials":{"accessKeyId":"ASIAEXAMPLE"},"subjectFromWebIdentityToken":"sub"}`
	if got, _ := json.Marshal(c.responseElements(r)); string(got) != want {
		t.Fatalf("responseElements\n got %s\nwant %s", got, want)
	}
	sameEvents(t, c, &pipeline.Record{Service: "sts", Operation: "AssumeRoleWithWebIdentity", Result: r})
}
