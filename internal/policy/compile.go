package policy

import (
	"strings"

	"github.com/gatehouse/gatehouse/internal/arn"
)

// Policy is a compiled, immutable policy ready for evaluation. Compile once
// (on first use, cached by the entity's version) and evaluate many times.
type Policy struct {
	ID         string // names the policy in decisions, e.g. "arn:aws:iam::aws:policy/ReadOnlyAccess"
	statements []statement
	// usesKeys: some statement has a condition or a policy variable, so
	// evaluation reads the request's condition keys.
	usesKeys bool
	// public: some statement grants public access (public.go).
	public bool
}

// UsesKeys reports whether evaluating the policy reads condition keys; a
// caller may skip building them when no policy of a request does.
func (p *Policy) UsesKeys() bool { return p != nil && p.usesKeys }

type statement struct {
	sid   string
	index int
	deny  bool

	actions   []actionPattern
	notAction bool

	resources   []resourcePattern
	notResource bool
	anyResource bool // no Resource element (trust policies): the statement applies to any resource

	principals   []principalPattern
	notPrincipal bool
	hasPrincipal bool

	conditions []condition
}

// actionPattern is a lower-cased action pattern with its fast paths: an
// exact name, or a literal prefix followed by a single trailing '*'.
type actionPattern struct {
	pattern string
	exact   bool
	prefix  bool // pattern is literal + "*"; literal = pattern[:len-1]
}

func newActionPattern(a string) actionPattern {
	p := actionPattern{pattern: strings.ToLower(a)}
	wild := strings.IndexAny(p.pattern, "*?")
	switch {
	case wild < 0:
		p.exact = true
	case wild == len(p.pattern)-1 && p.pattern[wild] == '*':
		p.prefix = true
	}
	return p
}

func (p *actionPattern) match(action string) bool {
	switch {
	case p.exact:
		return p.pattern == action
	case p.prefix:
		return strings.HasPrefix(action, p.pattern[:len(p.pattern)-1])
	}
	return Glob(p.pattern, action)
}

type resourcePattern struct {
	raw      string
	template []segment
	// prefix is raw up to its first wildcard or policy variable: a
	// resource that does not start with it cannot match (most statements
	// of a request are ruled out by this compare).
	prefix string
}

// principalPattern is one entry of Principal / NotPrincipal.
type principalPattern struct {
	kind  string // "*", "account", "user", "role", "session", "service", "federated", "canonical", "arn"
	value string // account id, ARN, service name
	// bound: a user or role entry of a policy compiled with Bindings. It
	// names the entity whose unique id is id, whatever its ARN is now; an
	// empty id names no one.
	bound bool
	id    string
}

// Bindings ties the IAM user and role ARNs that a saved resource policy
// (trust policy, bucket policy) names as principals to the unique ids
// (AIDA…, AROA…) of the entities they named when the policy was written,
// as AWS does: a principal names that entity, not whoever holds the name
// later. A nil Bindings is a policy written before principals were bound:
// its users and roles match by ARN.
type Bindings map[string]string

// Compile validates nothing (documents are validated on write) and builds
// the evaluator from a parsed document. User and role principals match by
// ARN; resource policies saved with bindings use CompileBound.
func Compile(id string, d *Document) *Policy { return CompileBound(id, d, nil) }

// CompileBound is Compile for a resource policy whose user and role
// principals were bound to unique ids when it was written: each such
// principal matches only the caller whose entity id is the bound one, and
// one missing from b matches no one. A nil b compiles as Compile does.
func CompileBound(id string, d *Document, b Bindings) *Policy {
	p := &Policy{ID: id, statements: make([]statement, 0, len(d.Statements))}
	vars := d.Version == "2012-10-17"
	for i, s := range d.Statements {
		st := statement{sid: s.Sid, index: i, deny: s.Effect == "Deny"}
		acts := s.Action
		if s.NotAction != nil {
			acts, st.notAction = s.NotAction, true
		}
		for _, a := range acts {
			st.actions = append(st.actions, newActionPattern(a))
		}
		res := s.Resource
		if s.NotResource != nil {
			res, st.notResource = s.NotResource, true
		}
		st.anyResource = !s.HasResource
		for _, r := range res {
			rp := resourcePattern{raw: r, prefix: r}
			// (NUL and 0x01 are the stand-ins Glob reads as literal
			// '*' and '?': they end the literal prefix too.)
			if i := strings.IndexAny(r, "*?$\x00\x01"); i >= 0 {
				rp.prefix = r[:i]
			}
			if vars {
				rp.template = parseTemplate(r)
			}
			st.resources = append(st.resources, rp)
		}
		pr := s.Principal
		if s.NotPrincipal != nil {
			pr, st.notPrincipal = s.NotPrincipal, true
		}
		st.hasPrincipal = pr != nil
		for typ, vals := range pr {
			for _, v := range vals {
				pp := principalOf(typ, v)
				if b != nil && (pp.kind == "user" || pp.kind == "role") {
					pp.bound, pp.id = true, b[v]
				}
				st.principals = append(st.principals, pp)
			}
		}
		for opName, keys := range s.Condition {
			base, qual, ifExists := splitOperator(opName)
			def, ok := operators[base]
			if !ok {
				continue // rejected on write; ignore defensively
			}
			for key, vals := range keys {
				c := condition{kind: def.kind, negated: def.negated, ifExists: ifExists, qual: qual, key: strings.ToLower(key)}
				for _, v := range vals {
					c.values = append(c.values, prepareValue(def.kind, v, vars && def.variables))
				}
				st.conditions = append(st.conditions, c)
			}
		}
		if len(st.conditions) > 0 {
			p.usesKeys = true
		}
		for _, r := range st.resources {
			if r.template != nil {
				p.usesKeys = true
			}
		}
		p.statements = append(p.statements, st)
		p.public = p.public || st.public()
	}
	return p
}

// MustCompile parses and compiles a document, for tests and embedded policies.
func MustCompile(id, doc string) *Policy {
	d, err := Parse(doc)
	if err != nil {
		panic(err)
	}
	return Compile(id, d)
}

// ParseAndCompile parses and compiles a stored document.
func ParseAndCompile(id, doc string) (*Policy, error) { return ParseAndCompileBound(id, doc, nil) }

// ParseAndCompileBound parses and compiles a stored resource policy with
// the principal bindings saved beside it (see CompileBound).
func ParseAndCompileBound(id, doc string, b Bindings) (*Policy, error) {
	d, err := Parse(doc)
	if err != nil {
		return nil, err
	}
	return CompileBound(id, d, b), nil
}

func splitOperator(name string) (base string, q qualifier, ifExists bool) {
	if rest, ok := strings.CutPrefix(name, "ForAllValues:"); ok {
		name, q = rest, qualForAll
	} else if rest, ok := strings.CutPrefix(name, "ForAnyValue:"); ok {
		name, q = rest, qualForAny
	}
	if rest, ok := strings.CutSuffix(name, "IfExists"); ok {
		name, ifExists = rest, true
	}
	return name, q, ifExists
}

func principalOf(typ, v string) principalPattern {
	switch typ {
	case "Service":
		return principalPattern{kind: "service", value: v}
	case "Federated":
		return principalPattern{kind: "federated", value: v}
	case "CanonicalUser":
		return principalPattern{kind: "canonical", value: v}
	}
	if v == "*" {
		return principalPattern{kind: "*"}
	}
	if arn.IsAccountID(v) {
		return principalPattern{kind: "account", value: v}
	}
	a, err := arn.Parse(v)
	if err == nil && a.Partition == "aws" && a.Region == "" && arn.IsAccountID(a.Account) {
		typ, _, _ := a.IAMResource()
		switch {
		case a.Service == "iam" && a.Resource == "root":
			return principalPattern{kind: "account", value: a.Account}
		case a.Service == "iam" && typ == "user":
			return principalPattern{kind: "user", value: v}
		case a.Service == "iam" && typ == "role":
			return principalPattern{kind: "role", value: v}
		case a.Service == "sts":
			return principalPattern{kind: "session", value: v}
		}
	}
	return principalPattern{kind: "arn", value: v}
}
