package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/faketb"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden trails in testdata/flows")

var ctx = context.Background()

// flow is one user flow run against a server, keeping every secret it
// handles so that the trail and the log can be searched for them.
type flow struct {
	t    *testing.T
	env  *testenv.Env
	root aws.CredentialsProvider

	mu      sync.Mutex
	secrets map[string]string // secret → what it is
	// codes are short secrets (MFA codes): searched as whole words.
	codes []string
}

func newFlow(t *testing.T, opts ...testenv.Option) *flow {
	opts = append([]testenv.Option{func(c *config.Config) { c.LogLevel = "debug" }}, opts...)
	env := testenv.New(t, opts...)
	f := &flow{t: t, env: env, root: env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""), secrets: map[string]string{}}
	f.secret(testenv.RootSecretKey, "root secret key")
	return f
}

// secret remembers a secret the flow used.
func (f *flow) secret(s, what string) {
	if s == "" {
		f.t.Fatalf("empty secret: %s", what)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.secrets[s] = what
}

func (f *flow) code(c string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.codes = append(f.codes, c)
}

// config is an SDK configuration whose calls wait until the server has
// recorded them (so the trail's order is the calls' order) and whose
// request signatures are remembered as secrets.
func (f *flow) config(creds aws.CredentialsProvider) aws.Config {
	c := f.env.AWSConfig(creds)
	c.APIOptions = append(c.APIOptions, func(st *middleware.Stack) error {
		if err := st.Finalize.Add(middleware.FinalizeMiddlewareFunc("keepSignature", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if req, ok := in.Request.(*smithyhttp.Request); ok {
				if _, sig, ok := strings.Cut(req.Header.Get("Authorization"), "Signature="); ok {
					f.secret(sig, "request signature")
				}
				if tok := req.Header.Get("X-Amz-Security-Token"); tok != "" {
					f.secret(tok, "security token header")
				}
			}
			return next.HandleFinalize(ctx, in)
		}), middleware.After); err != nil {
			return err
		}
		return st.Deserialize.Add(middleware.DeserializeMiddlewareFunc("waitForRecord", func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleDeserialize(ctx, in)
			if resp, ok := out.RawResponse.(*smithyhttp.Response); ok {
				f.waitFor(resp.Response)
			}
			return out, md, err
		}), middleware.Before)
	})
	return c
}

// waitFor waits until the server has recorded the request resp answers.
func (f *flow) waitFor(resp *http.Response) {
	id := resp.Header.Get("x-amz-request-id")
	if id == "" {
		id = resp.Header.Get("x-amzn-RequestId")
	}
	if id == "" {
		f.t.Fatalf("response without a request id: %d", resp.StatusCode)
	}
	if f.env.Records.Find(func(r *pipeline.Record) bool { return r.RequestID == id }) == nil {
		f.t.Fatalf("request %s was never recorded", id)
	}
}

func (f *flow) iam(c aws.CredentialsProvider) *iam.Client { return iam.NewFromConfig(f.config(c)) }
func (f *flow) sts(c aws.CredentialsProvider) *sts.Client { return sts.NewFromConfig(f.config(c)) }
func (f *flow) s3(c aws.CredentialsProvider) *s3.Client {
	return s3.NewFromConfig(f.config(c), func(o *s3.Options) { o.UsePathStyle = true })
}

// do sends a raw request and waits for its record.
func (f *flow) do(req *http.Request) *http.Response {
	f.t.Helper()
	resp, err := f.env.HTTP().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	resp.Body.Close()
	resp.Body = nopBody{&body}
	f.waitFor(resp)
	return resp
}

type nopBody struct{ *bytes.Buffer }

func (nopBody) Close() error { return nil }

// user creates an IAM user of the account whose root is root, with an
// access key and an inline policy (when given), and returns its key.
func (f *flow) user(root aws.CredentialsProvider, name, policy string) aws.CredentialsProvider {
	f.t.Helper()
	c := f.iam(root)
	got(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))(f.t)
	if policy != "" {
		got(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String(name + "-policy"), PolicyDocument: aws.String(policy)}))(f.t)
	}
	k := got(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)}))(f.t).AccessKey
	f.secret(*k.SecretAccessKey, "secret key of "+name)
	return f.env.Credentials(*k.AccessKeyId, *k.SecretAccessKey, "")
}

// session returns the credentials of an AssumeRole or GetSessionToken
// answer, remembering their secrets.
func (f *flow) session(c *ststypes.Credentials) aws.CredentialsProvider {
	f.secret(*c.SecretAccessKey, "session secret key")
	f.secret(*c.SessionToken, "session token")
	return f.env.Credentials(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
}

// got returns a call's value, failing the test on its error:
// got(client.Call(...))(t).
func got[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// denied checks that err is an AWS error with code.
func denied(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("want %s, got %v", code, err)
	}
}

// trail stops the server (which flushes the trail) and reads every event.
func (f *flow) trail() []*audit.Event {
	f.t.Helper()
	f.env.Close()
	var events []*audit.Event
	res, err := audit.Search(filepath.Join(f.env.DataDir, "audit"), audit.Query{}, func(e *audit.Event) error {
		events = append(events, e)
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	if res.Skipped != 0 {
		f.t.Fatalf("%d lines of the trail are not events", res.Skipped)
	}
	return events
}

// check runs the checks every flow's trail must pass: each event has
// CloudTrail's shape, no secret the flow used is in the trail's files or
// in the server's log, and the trail equals the golden one.
func (f *flow) check(name string, events []*audit.Event) {
	f.t.Helper()
	for _, e := range events {
		checkShape(f.t, e)
	}
	f.checkNoSecrets()
	golden(f.t, name, events)
}

// checkNoSecrets searches the trail's raw bytes and the server's log for
// every secret the flow used.
func (f *flow) checkNoSecrets() {
	f.t.Helper()
	var trail []byte
	dir := filepath.Join(f.env.DataDir, "audit")
	entries, err := os.ReadDir(dir)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			f.t.Fatal(err)
		}
		trail = append(trail, b...)
	}
	if len(trail) == 0 {
		f.t.Fatal("empty trail")
	}
	logs := f.env.Logs()
	if len(logs) == 0 {
		f.t.Fatal("the server logged nothing (debug level)")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.secrets) < 3 {
		f.t.Fatalf("the flow kept only %d secrets", len(f.secrets))
	}
	noSecrets(f.t, trail, logs, f.secrets, f.codes)
}

// noSecrets fails t when trail or logs hold any of the secrets (also URL-
// or JSON-escaped) or, as a whole word, any of the codes.
func noSecrets(t testing.TB, trail []byte, logs string, secrets map[string]string, codes []string) {
	t.Helper()
	for s, what := range secrets {
		for _, form := range []string{s, url.QueryEscape(s), jsonEscaped(s)} {
			if bytes.Contains(trail, []byte(form)) {
				t.Errorf("the trail contains a %s", what)
			}
			if strings.Contains(logs, form) {
				t.Errorf("the server's log contains a %s", what)
			}
		}
	}
	for _, c := range codes {
		word := regexp.MustCompile(`\b` + regexp.QuoteMeta(c) + `\b`)
		if word.Match(trail) {
			t.Errorf("the trail contains MFA code %s", c)
		}
		if word.MatchString(logs) {
			t.Errorf("the server's log contains MFA code %s", c)
		}
	}
}

func jsonEscaped(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// Normalising a trail for its golden file: values that change from run to
// run are replaced by placeholders numbered in order of appearance, so
// that equal values stay equal (a session's key in AssumeRole's response
// and in the session's calls).
var volatile = []struct {
	re   *regexp.Regexp
	name string
}{
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`), "id"},
	{regexp.MustCompile(`\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{16,17}\b`), ""},
	{regexp.MustCompile(`\d{12,}`), "account"}, // runs of exactly 12 digits: see normalize
	{regexp.MustCompile(`127\.0\.0\.1:\d+`), "host"},
}

var (
	isoTime      = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z|\b\d{8}T\d{6}Z\b`)
	responseDate = regexp.MustCompile(`[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2} [AP]M`)
	userAgent    = regexp.MustCompile(`"userAgent": "[^"]*"`)
)

func normalize(events []*audit.Event) string {
	var b strings.Builder
	for i, e := range events {
		j, err := json.MarshalIndent(e, "", "  ")
		if err != nil {
			panic(err)
		}
		if i > 0 {
			b.WriteString("\n")
		}
		b.Write(j)
		b.WriteString("\n")
	}
	s := b.String()
	s = userAgent.ReplaceAllString(s, `"userAgent": "<sdk>"`)
	s = isoTime.ReplaceAllString(s, "<time>")
	s = responseDate.ReplaceAllString(s, "<date>")
	for _, v := range volatile {
		seen := map[string]string{}
		s = v.re.ReplaceAllStringFunc(s, func(m string) string {
			switch m {
			case testenv.AccountID, testenv.RootAccessKey:
				return m
			}
			if v.name == "account" && len(m) != 12 {
				return m
			}
			if p, ok := seen[m]; ok {
				return p
			}
			name := v.name
			if name == "" {
				name = m[:4]
			}
			n := 1
			for _, p := range seen {
				if strings.HasPrefix(p, "<"+name+"-") {
					n++
				}
			}
			seen[m] = fmt.Sprintf("<%s-%d>", name, n)
			return seen[m]
		})
	}
	return s
}

// golden compares the normalised trail with testdata/flows/NAME.json
// (go test ./internal/audit -run TestFlow -update rewrites them).
func golden(t *testing.T, name string, events []*audit.Event) {
	t.Helper()
	got := normalize(events)
	path := filepath.Join("testdata", "flows", name+".json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("trail differs from %s at line %d:\n got: %s\nwant: %s\n(run with -update after checking the change)", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("trail differs from %s in length: got %d lines, want %d", path, len(gl), len(wl))
	}
}

// CloudTrail's documented record fields (record contents, userIdentity
// element): an event may have no others.
var (
	recordFields = []string{"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress",
		"userAgent", "errorCode", "errorMessage", "requestParameters", "responseElements", "additionalEventData", "requestID", "eventID",
		"readOnly", "resources", "eventType", "apiVersion", "managementEvent", "recipientAccountId", "sharedEventID", "vpcEndpointId",
		"eventCategory", "tlsDetails", "sessionCredentialFromConsole", "edgeDeviceDetails"}
	identityFields = []string{"type", "principalId", "arn", "accountId", "accessKeyId", "userName", "sessionContext", "invokedBy",
		"identityProvider"}
	identityTypes = []string{"Root", "IAMUser", "AssumedRole", "FederatedUser", "AWSAccount", "Unknown", "WebIdentityUser", "SAMLUser"}
)

var (
	timeRE    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)
	uuidRE    = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	accountRE = regexp.MustCompile(`^\d{12}$`)
)

// checkShape checks one event field by field against CloudTrail's record
// contents and userIdentity documentation.
func checkShape(t testing.TB, e *audit.Event) {
	t.Helper()
	raw, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("%s %s: %s", e.EventSource, e.EventName, fmt.Sprintf(format, args...))
	}
	for k := range m {
		if !contains(recordFields, k) {
			fail("field %q is not a CloudTrail record field", k)
		}
	}
	for _, k := range []string{"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress",
		"userAgent", "requestParameters", "responseElements", "requestID", "eventID", "readOnly", "eventType", "managementEvent", "eventCategory"} {
		if _, ok := m[k]; !ok {
			fail("no %s", k)
		}
	}
	u := m["userIdentity"].(map[string]any)
	for k := range u {
		if !contains(identityFields, k) {
			fail("userIdentity.%s is not a CloudTrail field", k)
		}
	}
	switch {
	case e.EventVersion != "1.11":
		fail("eventVersion %q", e.EventVersion)
	case !timeRE.MatchString(e.EventTime):
		fail("eventTime %q", e.EventTime)
	case !contains([]string{"iam.amazonaws.com", "sts.amazonaws.com", "s3.amazonaws.com"}, e.EventSource):
		fail("eventSource %q", e.EventSource)
	case e.EventType != "AwsApiCall":
		fail("eventType %q", e.EventType)
	case !uuidRE.MatchString(e.EventID):
		fail("eventID %q", e.EventID)
	case e.AWSRegion != testenv.Region:
		fail("awsRegion %q", e.AWSRegion)
	case e.ManagementEvent != (e.EventCategory == "Management") || (e.EventCategory != "Management" && e.EventCategory != "Data"):
		fail("managementEvent %v with eventCategory %q", e.ManagementEvent, e.EventCategory)
	case e.EventCategory == "Data" && e.EventSource != "s3.amazonaws.com":
		fail("a data event of %s", e.EventSource)
	case (e.ErrorCode == "") != (e.ErrorMessage == ""):
		fail("errorCode %q with errorMessage %q", e.ErrorCode, e.ErrorMessage)
	case e.RecipientAccountID != "" && !accountRE.MatchString(e.RecipientAccountID):
		fail("recipientAccountId %q", e.RecipientAccountID)
	case e.SharedEventID != "" && !uuidRE.MatchString(e.SharedEventID):
		fail("sharedEventID %q", e.SharedEventID)
	}
	id := e.UserIdentity
	if !contains(identityTypes, id.Type) {
		fail("userIdentity.type %q", id.Type)
	}
	switch id.Type {
	case "Root", "IAMUser", "AssumedRole", "FederatedUser":
		if id.ARN == "" || !accountRE.MatchString(id.AccountID) || id.PrincipalID == "" || id.AccessKeyID == "" {
			fail("userIdentity %+v lacks arn, accountId, principalId or accessKeyId", id)
		}
		if (id.Type == "IAMUser") != (id.UserName != "") {
			fail("userIdentity.userName %q for %s", id.UserName, id.Type)
		}
		if strings.HasPrefix(id.AccessKeyID, "ASIA") != (id.SessionContext != nil) {
			fail("sessionContext %v with access key %s", id.SessionContext != nil, id.AccessKeyID)
		}
	case "WebIdentityUser", "SAMLUser":
		if id.PrincipalID == "" || id.UserName == "" || id.IdentityProvider == "" || id.ARN != "" || id.AccountID != "" ||
			id.AccessKeyID != "" || id.SessionContext != nil || !strings.HasPrefix(e.EventName, "AssumeRoleWith") {
			fail("federation caller %+v", id)
		}
	case "AWSAccount":
		if id.ARN != "" || id.AccessKeyID != "" || id.SessionContext != nil {
			fail("AWSAccount identity with more than principalId and accountId: %+v", id)
		}
		if id.AccountID != "anonymous" && (e.SharedEventID == "" || !accountRE.MatchString(id.AccountID) || id.AccountID == e.RecipientAccountID) {
			fail("AWSAccount identity outside a cross-account event's owner copy: %+v", id)
		}
	}
	if sc := id.SessionContext; sc != nil {
		if !timeRE.MatchString(sc.Attributes.CreationDate) || (sc.Attributes.MFAAuthenticated != "true" && sc.Attributes.MFAAuthenticated != "false") {
			fail("sessionContext.attributes %+v", sc.Attributes)
		}
		is := sc.SessionIssuer
		if id.Type == "AssumedRole" && (is.Type != "Role" || !strings.HasPrefix(is.PrincipalID, "AROA") || !strings.Contains(is.ARN, ":role/") ||
			is.AccountID != id.AccountID || !strings.HasSuffix(is.ARN, "/"+is.UserName)) {
			fail("sessionIssuer %+v", is)
		}
		// A federated user's issuer is the user (or root) who federated.
		if id.Type == "FederatedUser" && (is.Type != "IAMUser" && is.Type != "Root" || is.AccountID != id.AccountID ||
			!strings.HasPrefix(is.ARN, "arn:aws:iam::"+id.AccountID+":") || (is.Type == "IAMUser") != (is.UserName != "")) {
			fail("sessionIssuer %+v", is)
		}
		if id.Type != "AssumedRole" && id.Type != "FederatedUser" && is != (audit.SessionIssuer{}) {
			fail("sessionIssuer of a %s session: %+v", id.Type, is)
		}
	}
	for _, r := range e.Resources {
		if r.ARN == "" || !strings.HasPrefix(r.Type, "AWS::") || (r.AccountID != "" && !accountRE.MatchString(r.AccountID)) {
			fail("resource %+v", r)
		}
	}
	if e.EventSource == "s3.amazonaws.com" {
		ad := e.AdditionalEventData
		for _, k := range []string{"bytesTransferredIn", "bytesTransferredOut", "x-amz-id-2"} {
			if _, ok := ad[k]; !ok {
				fail("additionalEventData without %s", k)
			}
		}
		if id.Type != "AWSAccount" && id.Type != "Unknown" && (ad["SignatureVersion"] == nil || ad["AuthenticationMethod"] == nil && e.EventName != "PostObject") {
			fail("additionalEventData of a signed call: %v", ad)
		}
		if e.ResponseElements != nil {
			fail("S3 responseElements %v", e.ResponseElements)
		}
		if e.RequestParameters["Host"] == nil {
			fail("requestParameters without Host")
		}
	} else if e.AdditionalEventData != nil {
		fail("additionalEventData on %s", e.EventSource)
	}
	readOnly := strings.HasPrefix(e.EventName, "Get") || strings.HasPrefix(e.EventName, "List") || strings.HasPrefix(e.EventName, "Head") ||
		strings.HasPrefix(e.EventName, "AssumeRole")
	if e.ReadOnly != readOnly {
		fail("readOnly %v", e.ReadOnly)
	}
	if e.ResponseElements != nil && (e.ErrorCode != "" || (readOnly && e.EventSource != "sts.amazonaws.com")) {
		fail("responseElements on a failed or read-only call")
	}
	if e.TLSDetails != nil && (e.TLSDetails.TLSVersion == "" || e.TLSDetails.CipherSuite == "" || e.TLSDetails.ClientProvidedHostHeader == "") {
		fail("tlsDetails %+v", e.TLSDetails)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// find returns the events matching f, in order.
func find(events []*audit.Event, match func(*audit.Event) bool) []*audit.Event {
	var out []*audit.Event
	for _, e := range events {
		if match(e) {
			out = append(out, e)
		}
	}
	return out
}

// named returns the events of one call name (and error code: "" for
// success, "*" for any).
func named(events []*audit.Event, name, code string) []*audit.Event {
	return find(events, func(e *audit.Event) bool { return e.EventName == name && (code == "*" || e.ErrorCode == code) })
}

// one returns the single event matching, failing otherwise.
func one(t *testing.T, events []*audit.Event, name, code string) *audit.Event {
	t.Helper()
	got := named(events, name, code)
	if len(got) != 1 {
		var names []string
		for _, e := range events {
			names = append(names, e.EventName+"/"+e.ErrorCode)
		}
		sort.Strings(names)
		t.Fatalf("want one %s %q event, got %d among %v", name, code, len(got), names)
	}
	return got[0]
}

// search runs a query over the flow's trail.
func (f *flow) search(q audit.Query) ([]*audit.Event, *audit.Result) {
	f.t.Helper()
	var out []*audit.Event
	res, err := audit.Search(filepath.Join(f.env.DataDir, "audit"), q, func(e *audit.Event) error {
		out = append(out, e)
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out, res
}

// The flows' checks can fail: a leaked secret, code or malformed event is
// noticed.
func TestFlowChecksCanFail(t *testing.T) {
	secret := "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	cases := map[string]func(testing.TB){
		"secret in trail": func(tb testing.TB) {
			noSecrets(tb, []byte(`{"x":"`+secret+`"}`), "", map[string]string{secret: "secret key"}, nil)
		},
		"escaped secret in log": func(tb testing.TB) {
			noSecrets(tb, nil, "msg=x token="+url.QueryEscape(secret), map[string]string{secret: "secret key"}, nil)
		},
		"code in trail": func(tb testing.TB) {
			noSecrets(tb, []byte(`{"tokenCode":"493021"}`), "", nil, []string{"493021"})
		},
		"old version": func(tb testing.TB) {
			e := shapely()
			e.EventVersion = "1.08"
			checkShape(tb, e)
		},
		"session without issuer": func(tb testing.TB) {
			e := shapely()
			e.UserIdentity.AccessKeyID = "ASIAEXAMPLEEXAMPLE01"
			e.UserIdentity.Type = "AssumedRole"
			e.UserIdentity.SessionContext = &audit.SessionContext{Attributes: audit.SessionAttributes{CreationDate: "2026-01-01T00:00:00Z", MFAAuthenticated: "false"}}
			checkShape(tb, e)
		},
		"response of a read": func(tb testing.TB) {
			e := shapely()
			e.EventName = "GetUser"
			e.ReadOnly = true
			e.ResponseElements = map[string]any{"user": map[string]any{}}
			checkShape(tb, e)
		},
	}
	for name, fn := range cases {
		if r := faketb.Run(t, name, fn); !r.Failed() {
			t.Errorf("%s: the check passed", name)
		}
	}
	if r := faketb.Run(t, "good event", func(tb testing.TB) { checkShape(tb, shapely()) }); r.Failed() {
		t.Errorf("a good event fails the shape check: %v", r.Messages())
	}
	if r := faketb.Run(t, "clean", func(tb testing.TB) {
		noSecrets(tb, []byte(`{"accessKeyId":"AKIAEXAMPLE"}`), "msg=ok", map[string]string{secret: "secret key"}, []string{"493021"})
	}); r.Failed() {
		t.Errorf("a clean trail fails: %v", r.Messages())
	}
}

// shapely is an event that passes checkShape.
func shapely() *audit.Event {
	return &audit.Event{EventVersion: "1.11", EventTime: "2026-01-01T00:00:00Z", EventSource: "iam.amazonaws.com", EventName: "CreateUser",
		AWSRegion: testenv.Region, SourceIPAddress: "127.0.0.1", UserAgent: "test", RequestID: "r", EventID: "6f1c1c4e-9a57-4a5e-8b45-3b1f6f0c2a11",
		EventType: "AwsApiCall", ManagementEvent: true, EventCategory: "Management", RecipientAccountID: acct,
		UserIdentity: audit.UserIdentity{Type: "Root", PrincipalID: acct, ARN: "arn:aws:iam::" + acct + ":root", AccountID: acct, AccessKeyID: "AKIAEXAMPLE"}}
}
