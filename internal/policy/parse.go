package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/gatehouse/gatehouse/internal/arn"
)

// ErrMalformed is wrapped by every validation error.
var ErrMalformed = errors.New("policy: malformed document")

// Error is a validation failure with AWS's message.
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return ErrMalformed }

func malformed(format string, args ...any) error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}

// Kind is the kind of policy a document is validated as.
type Kind int

// Policy kinds.
const (
	Identity Kind = iota // user, group, role inline or managed policy
	Resource             // resource-based policy such as a bucket policy
	Trust                // role trust policy
	Session              // STS session policy
)

// Document is a parsed policy.
type Document struct {
	Version    string
	ID         string
	Statements []Statement
}

// Statement is one statement with its elements normalized to lists.
type Statement struct {
	Sid          string
	Effect       string
	Principal    map[string][]string // "*" is stored as {"AWS": ["*"]} with AnyPrincipal set
	AnyPrincipal bool
	NotPrincipal map[string][]string
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	HasResource  bool
	Condition    map[string]map[string][]string
}

var sidPattern = regexp.MustCompile(`^[A-Za-z0-9]*$`)

// knownOperators are the condition operators AWS accepts (before the
// IfExists suffix and set qualifiers).
var knownOperators = map[string]bool{
	"StringEquals": true, "StringNotEquals": true, "StringEqualsIgnoreCase": true, "StringNotEqualsIgnoreCase": true,
	"StringLike": true, "StringNotLike": true, "NumericEquals": true, "NumericNotEquals": true, "NumericLessThan": true,
	"NumericLessThanEquals": true, "NumericGreaterThan": true, "NumericGreaterThanEquals": true, "DateEquals": true,
	"DateNotEquals": true, "DateLessThan": true, "DateLessThanEquals": true, "DateGreaterThan": true,
	"DateGreaterThanEquals": true, "Bool": true, "BinaryEquals": true, "IpAddress": true, "NotIpAddress": true,
	"ArnEquals": true, "ArnLike": true, "ArnNotEquals": true, "ArnNotLike": true, "Null": true,
}

// ValidOperator reports whether name is a condition operator AWS accepts.
func ValidOperator(name string) bool {
	name, _ = strings.CutPrefix(name, "ForAllValues:")
	name, _ = strings.CutPrefix(name, "ForAnyValue:")
	if base, ok := strings.CutSuffix(name, "IfExists"); ok {
		return base != "Null" && knownOperators[base]
	}
	return knownOperators[name]
}

// Parse parses a document's grammar without kind-specific rules.
func Parse(doc string) (*Document, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var top map[string]json.RawMessage
	if err := dec.Decode(&top); err != nil || dec.More() {
		return nil, malformed("Syntax errors in policy.")
	}
	d := &Document{}
	for k, v := range top {
		switch k {
		case "Version":
			if err := json.Unmarshal(v, &d.Version); err != nil {
				return nil, malformed("Syntax errors in policy.")
			}
			if d.Version != "2012-10-17" && d.Version != "2008-10-17" {
				return nil, malformed(msgSyntax)
			}
		case "Id":
			if err := json.Unmarshal(v, &d.ID); err != nil {
				return nil, malformed("Syntax errors in policy.")
			}
		case "Statement":
			var raws []json.RawMessage
			if t := bytes.TrimSpace(v); len(t) > 0 && t[0] == '[' {
				if err := json.Unmarshal(v, &raws); err != nil {
					return nil, malformed("Syntax errors in policy.")
				}
			} else {
				raws = []json.RawMessage{v}
			}
			for _, r := range raws {
				s, err := parseStatement(r)
				if err != nil {
					return nil, err
				}
				d.Statements = append(d.Statements, s)
			}
		default:
			return nil, malformed("Syntax errors in policy.")
		}
	}
	if _, ok := top["Statement"]; !ok {
		return nil, malformed("Syntax errors in policy.")
	}
	return d, nil
}

// stringList accepts a string or an array of strings.
func stringList(raw json.RawMessage) ([]string, error) {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, malformed("Syntax errors in policy.")
	}
	return many, nil
}

// valueList accepts condition values: strings, numbers, bools, or arrays of them.
func valueList(raw json.RawMessage) ([]string, error) {
	var many []json.RawMessage
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '[' {
		if err := json.Unmarshal(raw, &many); err != nil {
			return nil, malformed("Syntax errors in policy.")
		}
	} else {
		many = []json.RawMessage{raw}
	}
	out := make([]string, 0, len(many))
	for _, m := range many {
		var v any
		dec := json.NewDecoder(bytes.NewReader(m))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, malformed("Syntax errors in policy.")
		}
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case json.Number:
			out = append(out, x.String())
		case bool:
			out = append(out, fmt.Sprint(x))
		default:
			return nil, malformed("Syntax errors in policy.")
		}
	}
	return out, nil
}

func parsePrincipal(raw json.RawMessage) (map[string][]string, bool, error) {
	var star string
	if err := json.Unmarshal(raw, &star); err == nil {
		if star != "*" {
			return nil, false, malformed("Invalid principal in policy: %q", star)
		}
		return map[string][]string{"AWS": {"*"}}, true, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, false, malformed("Syntax errors in policy.")
	}
	out := map[string][]string{}
	for k, v := range m {
		switch k {
		case "AWS", "Service", "Federated", "CanonicalUser":
		default:
			return nil, false, malformed("Invalid principal in policy: %q", k)
		}
		vals, err := stringList(v)
		if err != nil {
			return nil, false, err
		}
		out[k] = vals
	}
	if len(out) == 0 {
		return nil, false, malformed("Invalid principal in policy")
	}
	return out, false, nil
}

func parseStatement(raw json.RawMessage) (Statement, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return Statement{}, malformed("Syntax errors in policy.")
	}
	var s Statement
	var err error
	for k, v := range m {
		switch k {
		case "Sid":
			if e := json.Unmarshal(v, &s.Sid); e != nil {
				return s, malformed("Syntax errors in policy.")
			}
		case "Effect":
			if e := json.Unmarshal(v, &s.Effect); e != nil {
				return s, malformed("Syntax errors in policy.")
			}
		case "Principal":
			s.Principal, s.AnyPrincipal, err = parsePrincipal(v)
		case "NotPrincipal":
			s.NotPrincipal, _, err = parsePrincipal(v)
		case "Action":
			s.Action, err = stringList(v)
		case "NotAction":
			s.NotAction, err = stringList(v)
		case "Resource":
			s.Resource, err = stringList(v)
			s.HasResource = true
		case "NotResource":
			s.NotResource, err = stringList(v)
			s.HasResource = true
		case "Condition":
			var ops map[string]map[string]json.RawMessage
			if e := json.Unmarshal(v, &ops); e != nil {
				return s, malformed("Syntax errors in policy.")
			}
			s.Condition = map[string]map[string][]string{}
			for op, keys := range ops {
				if !ValidOperator(op) {
					return s, malformed("Invalid Condition type : %s", op)
				}
				s.Condition[op] = map[string][]string{}
				for key, vals := range keys {
					list, e := valueList(vals)
					if e != nil {
						return s, e
					}
					s.Condition[op][key] = list
				}
			}
		default:
			return s, malformed("Syntax errors in policy.")
		}
		if err != nil {
			return s, err
		}
	}
	if s.Effect != "Allow" && s.Effect != "Deny" {
		return s, malformed("Syntax errors in policy.")
	}
	if s.Action != nil && s.NotAction != nil {
		return s, malformed("Syntax errors in policy.")
	}
	if s.Resource != nil && s.NotResource != nil {
		return s, malformed("Syntax errors in policy.")
	}
	return s, nil
}

// Validate parses doc and applies the rules of kind. Identity policies
// get IAM's full grammar (grammar.go); the other kinds keep the rules they
// share, with the versions AWS still accepts in trust, resource and
// session policies (2008-10-17, or none).
func Validate(doc string, kind Kind) (*Document, error) {
	d, err := Parse(doc)
	if err != nil {
		return nil, err
	}
	if kind == Identity {
		if err := checkIdentity(d); err != nil {
			return nil, err
		}
		return d, nil
	}
	for _, s := range d.Statements {
		if s.Action == nil && s.NotAction == nil {
			return nil, malformed(msgNoActions)
		}
	}
	if err := checkSids(d, kind); err != nil {
		return nil, err
	}
	for _, s := range d.Statements {
		for _, a := range actions(s) {
			if a != "*" && !strings.Contains(a, ":") {
				return nil, malformed(msgNoVendor)
			}
		}
		switch kind {
		case Session:
			if s.Principal != nil || s.NotPrincipal != nil {
				return nil, malformed("Policy document should not specify a principal.")
			}
			if !s.HasResource {
				return nil, malformed(msgNoResources)
			}
		case Resource:
			if s.Principal == nil && s.NotPrincipal == nil {
				return nil, malformed("Statement is missing required element: Principal")
			}
			if !s.HasResource {
				return nil, malformed(msgNoResources)
			}
		case Trust:
			if s.HasResource {
				return nil, malformed("Has prohibited field Resource")
			}
			if s.Principal == nil && s.NotPrincipal == nil {
				return nil, malformed("AssumeRole policy must contain a principal.")
			}
			for _, a := range actions(s) {
				la := strings.ToLower(a)
				if !strings.HasPrefix(la, "sts:assumerole") && la != "sts:tagsession" && la != "sts:setsourceidentity" && la != "sts:setcontext" && la != "sts:*" && la != "*" {
					return nil, malformed("AssumeRole policy may only specify STS AssumeRole actions.")
				}
			}
		}
		for _, r := range resources(s) {
			if r != "*" && !strings.HasPrefix(r, "arn:") {
				return nil, malformed("Resource %s must be in ARN format or \"*\".", r)
			}
		}
		for _, vals := range s.Principal {
			for _, p := range vals {
				if p == "*" || arn.IsAccountID(p) || strings.HasPrefix(p, "arn:") || !strings.Contains(p, ":") {
					continue
				}
				return nil, malformed("Invalid principal in policy: \"AWS\":\"%s\"", p)
			}
		}
	}
	return d, nil
}

// AWSPrincipals returns every value of "AWS" in Principal and NotPrincipal.
func (d *Document) AWSPrincipals() []string {
	var out []string
	for _, s := range d.Statements {
		out = append(out, s.Principal["AWS"]...)
		out = append(out, s.NotPrincipal["AWS"]...)
	}
	return out
}

// FederatedPrincipals returns every value of "Federated" in Principal and
// NotPrincipal.
func (d *Document) FederatedPrincipals() []string {
	var out []string
	for _, s := range d.Statements {
		out = append(out, s.Principal["Federated"]...)
		out = append(out, s.NotPrincipal["Federated"]...)
	}
	return out
}

// NonWhitespaceLen counts the characters of doc, leaving out whitespace
// outside JSON strings, as AWS's policy size limits do.
func NonWhitespaceLen(doc string) int {
	n := 0
	inString, escaped := false, false
	for _, c := range doc {
		switch {
		case inString:
			n++
			if escaped {
				escaped = false
			} else if c == '\\' {
				escaped = true
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
			n++
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		default:
			n++
		}
	}
	return n
}

// CheckCharset reports whether doc uses only TAB, LF, CR and U+0020–U+00FF,
// the characters IAM's API accepts in policy documents.
func CheckCharset(doc string) bool {
	for _, c := range doc {
		if c != '\t' && c != '\n' && c != '\r' && (c < 0x20 || c > 0xff) {
			return false
		}
	}
	return true
}
