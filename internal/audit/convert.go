package audit

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/token"
)

// Converter turns pipeline records into CloudTrail events.
type Converter struct {
	// Region is awsRegion of every event.
	Region string
	// NewID makes eventIDs (nil: random UUIDs).
	NewID func() string

	plans sync.Map // reflect.Type → *typePlan (responseElements)
	// Events come in bursts: the last second formatted as an eventTime, as
	// a session's creationDate, and the last response date rewritten.
	lastTime, lastCreation atomic.Pointer[formattedTime]
	lastDate               atomic.Pointer[[2]string]

	secretMu sync.Mutex
	secrets  map[string]bool // Secret's answers by parameter name (bounded)
}

type formattedTime struct {
	unix int64
	text string
}

// formatTime writes t in TimeFormat, reusing the last second's text.
func (c *Converter) formatTime(t time.Time) string {
	return cachedFormat(&c.lastTime, t)
}

func cachedFormat(last *atomic.Pointer[formattedTime], t time.Time) string {
	sec := t.Unix()
	if f := last.Load(); f != nil && f.unix == sec {
		return f.text
	}
	f := &formattedTime{unix: sec, text: t.UTC().Format(TimeFormat)}
	last.Store(f)
	return f.text
}

// responseDate rewrites an ISO 8601 time as CloudTrail writes dates in
// responseElements; other strings are returned unchanged. The last answer
// is kept (the expirations of sessions issued in one second are equal).
func (c *Converter) responseDate(s string) string {
	if d := c.lastDate.Load(); d != nil && d[0] == s {
		return d[1]
	}
	out := responseDate(s)
	c.lastDate.Store(&[2]string{s, out})
	return out
}

// Events returns the events of one request: one, or two for a call on
// another account's resource — the caller's (recipientAccountId: the
// caller's account, full userIdentity) and the owner's (userIdentity of
// type AWSAccount), sharing a sharedEventID, as CloudTrail delivers them.
func (c *Converter) Events(r *pipeline.Record) []*Event {
	e := new(Event)
	if owner := c.fill(e, r, false); owner != nil {
		return []*Event{e, owner}
	}
	return []*Event{e}
}

// AppendEvents appends r's events to dst as JSON lines and returns how
// many it wrote: the events Events returns, written without building
// their parameter maps (the trail's hot path; a test and a fuzz test keep
// the two equal).
func (c *Converter) AppendEvents(dst []byte, r *pipeline.Record) ([]byte, int) {
	var e Event
	owner := c.fill(&e, r, true)
	dst = append(e.AppendJSON(dst), '\n')
	if owner == nil {
		return dst, 1
	}
	return append(owner.AppendJSON(dst), '\n'), 2
}

// eventSources are the events' eventSource by service.
var eventSources = map[string]string{"iam": "iam.amazonaws.com", "sts": "sts.amazonaws.com", "s3": "s3.amazonaws.com"}

// fill makes r's event in e and returns the resource owner's copy of a
// cross-account call (nil for others). direct leaves requestParameters,
// responseElements and additionalEventData to be written from r by
// AppendJSON.
func (c *Converter) fill(e *Event, r *pipeline.Record, direct bool) *Event {
	newID := c.NewID
	if newID == nil {
		newID = newEventID
	}
	service := r.Service
	if service == "" {
		service = "s3"
	}
	source, ok := eventSources[service]
	if !ok {
		source = service + ".amazonaws.com"
	}
	*e = Event{
		EventVersion:    EventVersion,
		EventTime:       c.formatTime(r.Time.Add(r.Duration)),
		EventSource:     source,
		EventName:       r.Operation,
		AWSRegion:       c.Region,
		SourceIPAddress: r.SourceIP,
		UserAgent:       r.UserAgent,
		ErrorCode:       r.ErrorCode,
		ErrorMessage:    c.errorMessage(r),
		RequestID:       r.RequestID,
		EventID:         newID(),
		ReadOnly:        readOnly(service, r.Operation),
		EventType:       "AwsApiCall",
	}
	data := service == "s3" && IsDataEvent(r.Operation)
	e.ManagementEvent, e.EventCategory = !data, CategoryManagement
	if data {
		e.EventCategory = CategoryData
	}
	e.UserIdentity = c.userIdentity(r)
	switch {
	case direct:
		e.direct = directParts{r: r, conv: c, s3: service == "s3",
			response: service != "s3" && r.ErrorCode == "" && r.Result != nil && hasResponseElements(service, r.Operation)}
	case service == "s3":
		e.RequestParameters = s3Params(r)
		e.AdditionalEventData = s3Additional(r)
	default:
		e.RequestParameters = queryParams(r.Params)
		if r.ErrorCode == "" && r.Result != nil && hasResponseElements(service, r.Operation) {
			e.ResponseElements = c.responseElements(r.Result)
		}
	}
	owner := ownerAccount(r)
	p := r.Principal
	if owner == "" && r.Operation == "CreateBucket" && r.ErrorCode == "" && p != nil {
		owner = p.Account // the new bucket's owner is its creator
	}
	e.Resources = resources(nil, r, owner)
	if r.TLSVersion != "" {
		e.TLSDetails = &TLSDetails{TLSVersion: tlsVersion(r.TLSVersion), CipherSuite: cipherSuite(r.TLSCipher), ClientProvidedHostHeader: r.Host}
	}
	switch {
	case p == nil || p.Type == authz.TypeAnonymous:
		e.RecipientAccountID = owner
	case owner == "" || owner == p.Account:
		e.RecipientAccountID = p.Account
	default:
		e.RecipientAccountID = p.Account
		e.SharedEventID = newID()
		o := new(Event)
		*o = *e
		o.EventID = newID()
		o.RecipientAccountID = owner
		o.UserIdentity = UserIdentity{Type: TypeAWSAccount, PrincipalID: p.UserID, AccountID: p.Account}
		return o
	}
	return nil
}

// ownerAccount is the account owning what the request acted on when its
// checks name one (a bucket's owner, an assumed role's account).
func ownerAccount(r *pipeline.Record) string {
	for _, c := range r.Checks {
		if c.ResourceAccount != "" {
			return c.ResourceAccount
		}
	}
	return ""
}

// userIdentity is the caller as CloudTrail describes it.
func (c *Converter) userIdentity(r *pipeline.Record) UserIdentity {
	p := r.Principal
	if p == nil {
		// Authentication failed: the key the request claimed, if any.
		return UserIdentity{Type: TypeUnknown, AccessKeyID: r.AccessKeyID}
	}
	u := UserIdentity{PrincipalID: p.UserID, ARN: p.ARN, AccountID: p.Account, AccessKeyID: p.AccessKeyID}
	switch p.Type {
	case authz.TypeAnonymous:
		// A federation action's caller is the subject its verified token
		// or assertion names.
		switch s := r.Subject; {
		case s != nil && s.Type == authz.TypeWebIdentity:
			return UserIdentity{Type: TypeWebIdentityUser, PrincipalID: s.UserID, UserName: s.Subject, IdentityProvider: s.Issuer}
		case s != nil && s.Type == authz.TypeSAMLUser:
			return UserIdentity{Type: TypeSAMLUser, PrincipalID: s.UserID, UserName: s.Subject, IdentityProvider: s.Issuer}
		}
		return UserIdentity{Type: TypeAWSAccount, AccountID: AnonymousAccount}
	case authz.TypeRoot:
		u.Type = TypeRoot
	case authz.TypeUser:
		u.Type, u.UserName = TypeIAMUser, p.UserName
	case authz.TypeAssumedRole:
		u.Type = TypeAssumedRole
	case authz.TypeFederated:
		u.Type = TypeFederatedUser
	default:
		u.Type = TypeUnknown
	}
	if s := p.Session; s != nil {
		u.SessionContext = c.sessionContext(s)
	}
	return u
}

func (c *Converter) sessionContext(s *token.Session) *SessionContext {
	sc := &SessionContext{
		Attributes:     SessionAttributes{CreationDate: cachedFormat(&c.lastCreation, s.IssuedAt), MFAAuthenticated: "false"},
		SourceIdentity: s.SourceIdentity,
	}
	if s.MFA {
		sc.Attributes.MFAAuthenticated = "true"
	}
	switch s.Kind {
	case token.KindRole:
		sc.SessionIssuer = SessionIssuer{Type: "Role", PrincipalID: s.RoleID, ARN: s.RoleARN, AccountID: s.Account,
			UserName: s.RoleARN[strings.LastIndexByte(s.RoleARN, '/')+1:]}
	case token.KindFederated:
		// GetFederationToken: the user (or root) who federated.
		sc.SessionIssuer = SessionIssuer{Type: TypeIAMUser, PrincipalID: s.SourceUserID, ARN: s.SourceARN, AccountID: s.Account,
			UserName: s.SourceName}
		if s.SourceUserID == s.Account {
			sc.SessionIssuer.Type, sc.SessionIssuer.UserName = TypeRoot, ""
		}
	}
	return sc
}

// IsDataEvent reports whether an S3 operation is a data event in
// CloudTrail's sense: object-level calls and listings of a bucket's
// objects. Every other call is a management event.
func IsDataEvent(op string) bool {
	switch op {
	case "GetObject", "HeadObject", "PutObject", "CopyObject", "PostObject", "DeleteObject", "DeleteObjects",
		"GetObjectTagging", "PutObjectTagging", "DeleteObjectTagging", "GetObjectAcl", "PutObjectAcl", "GetObjectAttributes",
		"CreateMultipartUpload", "UploadPart", "UploadPartCopy", "CompleteMultipartUpload", "AbortMultipartUpload",
		"ListParts", "ListObjects", "ListObjectsV2", "ListObjectVersions", "ListMultipartUploads", "HeadBucket", "RestoreObject":
		return true
	}
	return false
}

// readOnly reports whether an operation changes nothing, as CloudTrail's
// readOnly field: reads, and STS calls that only issue credentials.
func readOnly(service, op string) bool {
	for _, p := range []string{"Get", "List", "Head", "Describe", "Generate", "Simulate", "Decode"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return (service == "sts" && strings.HasPrefix(op, "AssumeRole")) || op == "PreflightRequest"
}

// hasResponseElements reports whether CloudTrail writes an IAM or STS
// operation's response: for calls that make changes and for the STS calls
// that issue credentials; null for reads.
func hasResponseElements(service, op string) bool {
	if service == "sts" {
		return strings.HasPrefix(op, "AssumeRole") || op == "GetSessionToken" || op == "GetFederationToken"
	}
	return !readOnly(service, op)
}

// resources lists what the request acted on: the resources of its checks
// (IAM users, roles, groups, policies, MFA devices; S3 buckets and
// objects), and for S3 the addressed object and bucket even when no check
// was reached. DeleteObjects names its bucket only (CloudTrail does not
// log the deleted keys).
func resources(out []Resource, r *pipeline.Record, owner string) []Resource {
	add := func(arn, account, typ string) {
		for _, x := range out {
			if x.ARN == arn {
				return
			}
		}
		if len(out) < maxResources {
			out = append(out, Resource{ARN: arn, AccountID: account, Type: typ})
		}
	}
	if r.Service == "s3" || r.Service == "" {
		if r.Bucket != "" {
			if r.Key != "" && r.Operation != "DeleteObjects" {
				add("arn:aws:s3:::"+r.Bucket+"/"+r.Key, "", "AWS::S3::Object")
			}
			add("arn:aws:s3:::"+r.Bucket, owner, "AWS::S3::Bucket")
		}
		if r.Operation == "DeleteObjects" {
			return out
		}
	}
	for _, c := range r.Checks {
		if c.Resource == "*" {
			continue
		}
		if typ, account := resourceType(c.Resource); typ != "" {
			if c.ResourceAccount != "" && typ == "AWS::S3::Bucket" {
				account = c.ResourceAccount
			}
			add(c.Resource, account, typ)
		}
	}
	return out
}

// maxResources bounds an event's resource list.
const maxResources = 16

// resourceType names an ARN's CloudTrail resource type and its account
// ("" for ARNs that name no single resource, such as "*").
func resourceType(arn string) (typ, account string) {
	rest, ok := strings.CutPrefix(arn, "arn:")
	if !ok {
		return "", ""
	}
	var parts [4]string // partition, service, region, account
	for i := range parts {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return "", ""
		}
		parts[i], rest = rest[:j], rest[j+1:]
	}
	service, account, res := parts[1], parts[3], rest
	if len(account) != 12 {
		account = ""
	}
	kind, _, _ := strings.Cut(res, "/")
	switch service {
	case "s3":
		if strings.Contains(res, "/") {
			return "AWS::S3::Object", ""
		}
		if res == "" || strings.ContainsAny(res, "*?") {
			return "", ""
		}
		return "AWS::S3::Bucket", ""
	case "iam":
		switch kind {
		case "user":
			return "AWS::IAM::User", account
		case "role":
			return "AWS::IAM::Role", account
		case "group":
			return "AWS::IAM::Group", account
		case "policy":
			return "AWS::IAM::ManagedPolicy", account
		case "mfa":
			return "AWS::IAM::VirtualMFADevice", account
		case "instance-profile":
			return "AWS::IAM::InstanceProfile", account
		}
	case "sts":
		if kind == "assumed-role" {
			return "AWS::STS::AssumedRole", account
		}
	}
	return "", ""
}

// s3Additional is additionalEventData of an S3 event.
func s3Additional(r *pipeline.Record) map[string]any {
	m := make(map[string]any, 6)
	if r.SignatureVersion != "" {
		m["SignatureVersion"] = r.SignatureVersion
	}
	if r.TLSCipher != "" {
		m["CipherSuite"] = cipherSuite(r.TLSCipher)
	}
	m["bytesTransferredIn"] = r.BytesIn
	m["bytesTransferredOut"] = r.BytesOut
	switch r.Auth {
	case "header":
		m["AuthenticationMethod"] = "AuthHeader"
	case "query":
		m["AuthenticationMethod"] = "QueryString"
	}
	m["x-amz-id-2"] = r.RequestID
	return m
}

// tlsVersion writes Go's TLS version name as CloudTrail does (TLSv1.3).
func tlsVersion(v string) string {
	if rest, ok := strings.CutPrefix(v, "TLS "); ok {
		return "TLSv" + rest
	}
	return v
}

// cipherSuite writes a TLS 1.2 suite by its OpenSSL name, as CloudTrail
// does (ECDHE-RSA-AES128-GCM-SHA256); TLS 1.3 suites keep their IANA name.
func cipherSuite(name string) string {
	if s, ok := opensslNames[name]; ok {
		return s
	}
	return name
}

var opensslNames = map[string]string{
	"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256":         "ECDHE-RSA-AES128-GCM-SHA256",
	"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384":         "ECDHE-RSA-AES256-GCM-SHA384",
	"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256":       "ECDHE-ECDSA-AES128-GCM-SHA256",
	"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384":       "ECDHE-ECDSA-AES256-GCM-SHA384",
	"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256":   "ECDHE-RSA-CHACHA20-POLY1305",
	"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": "ECDHE-ECDSA-CHACHA20-POLY1305",
	"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA":            "ECDHE-RSA-AES128-SHA",
	"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA":            "ECDHE-RSA-AES256-SHA",
	"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA":          "ECDHE-ECDSA-AES128-SHA",
	"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA":          "ECDHE-ECDSA-AES256-SHA",
	"TLS_RSA_WITH_AES_128_GCM_SHA256":               "AES128-GCM-SHA256",
	"TLS_RSA_WITH_AES_256_GCM_SHA384":               "AES256-GCM-SHA384",
	"TLS_RSA_WITH_AES_128_CBC_SHA":                  "AES128-SHA",
	"TLS_RSA_WITH_AES_256_CBC_SHA":                  "AES256-SHA",
}

// responseDate rewrites an ISO 8601 time as CloudTrail writes dates in
// responseElements; other strings are returned unchanged.
func responseDate(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.UTC().Format(responseTimeFormat)
}
