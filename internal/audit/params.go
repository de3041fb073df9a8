package audit

import (
	"bytes"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/pipeline"
)

// Limits on what an event keeps of a request's parameters (which come from
// the client, untrusted): how many parameters are read, how deep a dotted
// name may nest, the largest list index, and the longest value kept.
const (
	maxParams      = 1000
	maxS3Params    = 100
	maxParamDepth  = 8
	maxParamIndex  = 1000
	maxParamLength = 128 << 10
)

// Secret reports whether a parameter or response element name holds a
// secret that is never written: secret access keys, session and security
// tokens, passwords, signatures, MFA codes and seeds, private keys,
// federation assertions. Names are compared without case or punctuation,
// at every depth of requestParameters and responseElements.
func Secret(name string) bool {
	var buf [64]byte
	n := buf[:0]
	if len(name) > len(buf) {
		n = make([]byte, 0, len(name))
	}
	n = appendNormalized(n, name)
	if slices.Contains(publicNames, string(n)) {
		return false
	}
	for _, s := range secretParts {
		if bytes.Contains(n, s) {
			return true
		}
	}
	for _, s := range secretNames {
		if string(n) == s {
			return true
		}
	}
	return false
}

// secretParts deny every name that contains them.
var secretParts = bytesOf(
	"secret",             // SecretAccessKey, accessKeySecret, client secrets
	"password",           // Password, NewPassword, OldPassword
	"sessiontoken",       // SessionToken
	"securitytoken",      // X-Amz-Security-Token
	"signature",          // X-Amz-Signature, Signature
	"tokencode",          // TokenCode (MFA)
	"authenticationcode", // AuthenticationCode1, AuthenticationCode2 (MFA)
	"seed",               // Base32StringSeed
	"qrcode",             // QRCodePNG
	"privatekey",         // PrivateKey
	"samlassertion",      // SAMLAssertion
	"webidentitytoken",   // WebIdentityToken
	"customerkey",        // x-amz-server-side-encryption-customer-key (SSE-C), and its copy-source form
)

func bytesOf(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, x := range s {
		out[i] = []byte(x)
	}
	return out
}

// publicNames are names that contain a secret part but hold none:
// AssumeRoleWithWebIdentity's SubjectFromWebIdentityToken is the token's
// sub claim, which CloudTrail writes.
var publicNames = []string{"subjectfromwebidentitytoken"}

// secretNames deny these names exactly: authentication parameters of
// presigned URLs that identify the signing key (AWS omits them too).
var secretNames = []string{"xamzcredential", "awsaccesskeyid", "policy64"}

// appendNormalized appends name lower-cased, without anything but letters
// and digits.
func appendNormalized(b []byte, name string) []byte {
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		}
	}
	return b
}

// lowerFirst writes a Query parameter or XML element name as CloudTrail
// does in IAM and STS events: its first letter lower-cased (RoleArn →
// roleArn, SAMLAssertion → sAMLAssertion).
func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

// numericParams and boolParams are Query parameters CloudTrail writes as
// JSON numbers and booleans.
var (
	numericParams = []string{"DurationSeconds", "MaxSessionDuration", "MaxItems", "MaxPasswordAge", "MinimumPasswordLength", "PasswordReusePrevention"}
	boolParams    = []string{"SetAsDefault", "PasswordResetRequired", "AllowUsersToChangePassword", "HardExpiry", "RequireSymbols",
		"RequireNumbers", "RequireUppercaseCharacters", "RequireLowercaseCharacters"}
)

// queryParams is requestParameters of an IAM or STS call: the Query
// protocol's parameters with CloudTrail's names — first letter lower-cased,
// lists (Name.member.N, Name.member.N.Field) as JSON arrays — without the
// protocol's own (Action, Version, X-Amz-*) and without secrets. nil when
// nothing is left.
func queryParams(v url.Values) map[string]any {
	if len(v) == 0 {
		return nil
	}
	keys := make([]string, 0, min(len(v), maxParams))
	for k := range v {
		if len(keys) == maxParams {
			break
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	root := &node{}
	for _, k := range keys {
		if skipParam(k, v[k]) {
			continue
		}
		segs := strings.Split(k, ".")
		if len(segs) > maxParamDepth || slices.ContainsFunc(segs, Secret) {
			continue
		}
		root.insert(segs, scalar(segs[0], v[k][0]))
	}
	m, _ := root.value().(map[string]any)
	if len(m) == 0 {
		return nil
	}
	return m
}

// appendScalar appends scalar(name, value) as JSON, without boxing it.
func appendScalar(dst []byte, name, value string) []byte {
	if len(value) > maxParamLength {
		value = value[:maxParamLength]
	}
	if slices.Contains(numericParams, name) {
		if n, err := strconv.ParseInt(value, 10, 64); err == nil {
			return strconv.AppendInt(dst, n, 10)
		}
	}
	if slices.Contains(boolParams, name) {
		if b, err := strconv.ParseBool(value); err == nil {
			return strconv.AppendBool(dst, b)
		}
	}
	return appendString(dst, value)
}

// scalar is a parameter's value as CloudTrail writes it.
func scalar(name, value string) any {
	if len(value) > maxParamLength {
		value = value[:maxParamLength]
	}
	if slices.Contains(numericParams, name) {
		if n, err := strconv.ParseInt(value, 10, 64); err == nil {
			return n
		}
	}
	if slices.Contains(boolParams, name) {
		if b, err := strconv.ParseBool(value); err == nil {
			return b
		}
	}
	return value
}

// node is a tree of dotted parameter names being built: an object (fields)
// or a list (items by 1-based index), or a leaf.
type node struct {
	fields map[string]*node
	items  map[int]*node
	leaf   any
	isLeaf bool
}

// insert places value at the dotted path segs; a path that conflicts with
// one already placed (a leaf where an object is, a bad index) is dropped.
func (n *node) insert(segs []string, value any) {
	if len(segs) == 0 {
		if n.fields == nil && n.items == nil && !n.isLeaf {
			n.leaf, n.isLeaf = value, true
		}
		return
	}
	if n.isLeaf {
		return
	}
	if len(segs) >= 2 && segs[1] == "member" && n.items == nil {
		if len(segs) < 3 {
			return
		}
		i, err := strconv.Atoi(segs[2])
		if err != nil || i < 1 || i > maxParamIndex {
			return
		}
		child := n.field(lowerFirst(segs[0]))
		if child == nil || child.isLeaf || child.fields != nil {
			return
		}
		if child.items == nil {
			child.items = map[int]*node{}
		}
		item := child.items[i]
		if item == nil {
			item = &node{}
			child.items[i] = item
		}
		item.insert(segs[3:], value)
		return
	}
	if n.items != nil {
		return
	}
	child := n.field(lowerFirst(segs[0]))
	if child != nil {
		child.insert(segs[1:], value)
	}
}

// field returns the object field name, creating it.
func (n *node) field(name string) *node {
	if n.fields == nil {
		n.fields = map[string]*node{}
	}
	c := n.fields[name]
	if c == nil {
		c = &node{}
		n.fields[name] = c
	}
	return c
}

// value is the JSON value of the tree: lists in index order.
func (n *node) value() any {
	switch {
	case n.isLeaf:
		return n.leaf
	case n.items != nil:
		idx := make([]int, 0, len(n.items))
		for i := range n.items {
			idx = append(idx, i)
		}
		slices.Sort(idx)
		out := make([]any, 0, len(idx))
		for _, i := range idx {
			if v := n.items[i].value(); v != nil {
				out = append(out, v)
			}
		}
		return out
	case n.fields != nil:
		m := make(map[string]any, len(n.fields))
		for k, c := range n.fields {
			if v := c.value(); v != nil {
				m[k] = v
			}
		}
		return m
	}
	return nil
}

// s3Params is requestParameters of an S3 call as CloudTrail writes it:
// bucketName, Host, key, and the URL query's parameters (subresources
// such as "tagging": "", listing options, presigned URL fields) without
// secrets or the signing key's credential.
func s3Params(r *pipeline.Record) map[string]any {
	m := make(map[string]any, 3+min(len(r.Params), maxS3Params))
	n := 0
	for k, vs := range r.Params {
		if n == maxS3Params {
			break
		}
		if len(k) > 256 || Secret(k) {
			continue
		}
		v := ""
		if len(vs) > 0 {
			v = vs[0]
		}
		if len(v) > 4096 {
			v = v[:4096]
		}
		m[k] = v
		n++
	}
	if r.Bucket != "" {
		m["bucketName"] = r.Bucket
	}
	if r.Host != "" {
		m["Host"] = r.Host
	}
	if r.Key != "" {
		m["key"] = r.Key
	}
	return m
}

// validationPrefix begins AWS's Query validation errors, which quote the
// value that failed: "1 validation error detected: Value 'V' at 'member'
// failed to satisfy constraint: …".
const validationPrefix = "1 validation error detected: Value '"

// minEchoed is the shortest secret parameter value looked for in an error
// message: shorter ones are no secret worth the message's words.
const minEchoed = 3

// errorMessage is a failed request's message as the trail keeps it: the
// message sent, without the values of the request's secret parameters —
// a validation error's quoted value when its member is a secret (a
// mistyped MFA code holds most of a valid one), and any secret
// parameter's value the message repeats, as "***".
func (c *Converter) errorMessage(r *pipeline.Record) string {
	msg := r.ErrorMessage
	if msg == "" {
		return ""
	}
	if rest, ok := strings.CutPrefix(msg, validationPrefix); ok {
		if end := strings.LastIndex(rest, "' failed to satisfy constraint"); end >= 0 {
			if at := strings.LastIndex(rest[:end], "' at '"); at >= 0 && Secret(rest[at+len("' at '"):end]) {
				msg = validationPrefix + "***" + rest[at:]
			}
		}
	}
	msg = maskConditions(msg)
	n := 0
	for k, vs := range r.Params {
		if n++; n > maxParams {
			break
		}
		if !c.secret(k) {
			continue
		}
		for _, v := range vs {
			if len(v) >= minEchoed && strings.Contains(msg, v) {
				msg = strings.ReplaceAll(msg, v, "***")
			}
		}
	}
	return msg
}

// maskConditions writes "***" for the value of every S3 POST policy
// condition on a secret form field that msg quotes: a form upload's
// failed condition is worded ["eq", "$x-amz-security-token", "VALUE"],
// its value JSON-quoted, and the form's fields are no request parameter.
func maskConditions(msg string) string {
	const field = `"$`
	for i := 0; ; {
		j := strings.Index(msg[i:], field)
		if j < 0 {
			return msg
		}
		i += j + len(field)
		end := strings.IndexByte(msg[i:], '"')
		if end < 0 {
			return msg
		}
		name := msg[i : i+end]
		i += end + 1
		rest, ok := strings.CutPrefix(msg[i:], `, "`)
		if !ok || !Secret(name) {
			continue
		}
		start := i + len(`, "`)
		stop := len(msg) // an unterminated value is masked to the end
		for k := 0; k < len(rest); k++ {
			if rest[k] == '\\' {
				k++
				continue
			}
			if rest[k] == '"' {
				stop = start + k
				break
			}
		}
		msg = msg[:start] + "***" + msg[stop:]
		i = start + len("***")
	}
}
