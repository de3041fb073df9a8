package policy

import (
	"net/netip"
	"strings"

	"github.com/gatehouse/gatehouse/internal/arn"
)

// Public analysis: whether a resource policy grants public access, as S3
// decides it for Block Public Access and GetBucketPolicyStatus ("The
// meaning of public", Amazon S3 User Guide).
//
// S3 starts from "public" and looks for reasons a grant is not: an Allow
// statement is non-public when its Principal names only fixed principals
// (an account, a user, a role, a session, a service: no "*", no wildcard
// inside an ARN), or when one of its conditions pins a fixed value on one
// of the keys that identify who may call (aws:SourceIp with a CIDR that is
// not overly broad, aws:SourceArn, aws:SourceVpc, aws:SourceVpce,
// aws:SourceOwner, aws:SourceAccount, aws:PrincipalOrgID,
// aws:PrincipalAccount, aws:PrincipalArn, aws:userid outside the pattern
// "AROLEID:*", s3:DataAccessPointArn, s3:DataAccessPointAccount). A
// condition pins only with a positive operator that must match the request
// (not a negated one, not …IfExists, not ForAllValues:, all of which let a
// request without the key through) and only with values free of wildcards
// and policy variables. Deny statements never make a policy public.
//
// The analysis reads the compiled statements (principal patterns and
// condition triples as evaluation sees them), never the JSON text.
// Anything it does not recognise as restricting counts as public: it errs
// toward "public", which Block Public Access then refuses or restricts.

// Public reports whether the policy grants public access (a nil policy
// grants nothing).
func (p *Policy) Public() bool { return p != nil && p.public }

// PublicStatements returns the statements that make the policy public, in
// order (none: the policy is not public).
func (p *Policy) PublicStatements() []StatementRef {
	if p == nil {
		return nil
	}
	var out []StatementRef
	for i := range p.statements {
		st := &p.statements[i]
		if st.public() {
			out = append(out, StatementRef{PolicyID: p.ID, Index: st.index, Sid: st.sid})
		}
	}
	return out
}

// public reports whether one statement grants public access.
func (st *statement) public() bool {
	if st.deny {
		return false
	}
	if !st.hasPrincipal {
		// A resource policy statement without a principal grants no one
		// (S3 refuses it on write); a trust-style "any principal" reading
		// would be public, so only an empty principal list is safe.
		return false
	}
	if !st.openPrincipal() {
		return false
	}
	for i := range st.conditions {
		if st.conditions[i].pins() {
			return false
		}
	}
	return true
}

// openPrincipal reports whether the Principal reaches callers that are not
// fixed: "*" in any form, a wildcard inside a value, or NotPrincipal (which
// grants everyone it does not list).
func (st *statement) openPrincipal() bool {
	if st.notPrincipal {
		return true
	}
	for i := range st.principals {
		pp := &st.principals[i]
		if pp.kind == "*" || strings.ContainsAny(pp.value, "*?") {
			return true
		}
	}
	return false
}

// fixedKey reports whether fixed values of a condition key (lower-case,
// as compiled) make a grant non-public.
func fixedKey(k string) bool {
	switch k {
	case "aws:sourceip", "aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceowner", "aws:sourceaccount",
		"aws:principalorgid", "aws:principalaccount", "aws:principalarn", "aws:userid",
		"s3:dataaccesspointarn", "s3:dataaccesspointaccount":
		return true
	}
	return false
}

// pins reports whether the condition limits its statement to fixed values
// of a key that identifies the caller.
func (c *condition) pins() bool {
	if !fixedKey(c.key) || c.negated || c.ifExists || c.qual == qualForAll || len(c.values) == 0 {
		return false
	}
	for i := range c.values {
		if !c.fixedValue(&c.values[i]) {
			return false
		}
	}
	return true
}

// fixedValue reports whether one policy value of the condition is fixed
// for its operator and key.
func (c *condition) fixedValue(v *value) bool {
	if v.template != nil || strings.Contains(v.raw, "${") {
		return false // a policy variable
	}
	if c.key == "aws:sourceip" {
		return c.kind == opIPAddress && v.prefixOK && !broadPrefix(v.prefix)
	}
	switch c.kind {
	case opStringEquals, opStringEqualsIgnoreCase, opStringLike, opArnEquals, opArnLike:
	default:
		return false
	}
	raw := v.raw
	switch c.key {
	case "aws:userid":
		// "AROLEID:*" names every session of one role: fixed.
		if id, ok := strings.CutSuffix(raw, ":*"); ok && id != "" && (c.kind == opStringLike || c.kind == opArnLike) {
			raw = id
		}
	case "s3:dataaccesspointarn":
		// A wildcard in the access point name is fixed as long as the
		// account is.
		if a, err := arn.Parse(raw); err == nil && arn.IsAccountID(a.Account) && !strings.ContainsAny(a.Partition+a.Service+a.Region, "*?") &&
			strings.HasPrefix(a.Resource, "accesspoint/") {
			return true
		}
	}
	return raw != "" && !strings.ContainsAny(raw, "*?")
}

// broadPrefix reports whether an aws:SourceIp CIDR is so broad that S3
// counts it as public: broader than /8 for IPv4 and /32 for IPv6.
func broadPrefix(p netip.Prefix) bool {
	addr, bits := p.Addr(), p.Bits()
	if addr.Is4In6() {
		if bits < 96 {
			return true
		}
		addr, bits = addr.Unmap(), bits-96
	}
	if addr.Is4() {
		return bits < 8
	}
	return bits < 32
}
