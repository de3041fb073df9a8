package policy

import (
	"fmt"
	"strings"
)

// IAM's grammar for identity policies (managed policies, their versions,
// inline policies, permissions boundaries), stricter than the grammar the
// other kinds share: IAM checks a document in stages and answers with the
// first stage that fails, so the order below is part of the behaviour.
//
//  1. syntax (Parse): JSON, elements, types; an empty Statement list;
//  2. Version: only 2012-10-17 ("Policy document must be version
//     2012-10-17 or greater.");
//  3. "legacy parsing": Date condition values that are not dates, and
//     resources whose fields do not split as an ARN's;
//  4. statement ids;
//  5. every statement has actions, then resources (an empty list is none);
//  6. the first resource that is not an ARN of this partition;
//  7. action names: a vendor, one colon, a vendor without wildcards or
//     other characters than letters, digits, '-' and '.'.
//
// The messages were confirmed against AWS's answers quoted in public bug
// reports where such reports exist; the others are the wording of moto's
// policy validator, whose cases were recorded against AWS (the comments
// say which).

const (
	msgSyntax         = "Syntax errors in policy."
	msgVersion        = "Policy document must be version 2012-10-17 or greater."
	msgLegacy         = "The policy failed legacy parsing"
	msgNoActions      = "Policy statement must contain actions."
	msgNoResources    = "Policy statement must contain resources."
	msgNoVendor       = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	msgOneColon       = "Actions/Condition can contain only one colon."
	msgVendorWildcard = "Action vendors (e.g., aws, ec2, etc.) must not contain wildcards"
)

// checkIdentity applies stages 2 to 7 to a parsed identity policy.
func checkIdentity(d *Document) error {
	if len(d.Statements) == 0 {
		// "Statement": [] — moto's AWS-recorded case answers with the
		// syntax message.
		return malformed(msgSyntax)
	}
	if d.Version != "2012-10-17" {
		return malformed(msgVersion)
	}
	for _, s := range d.Statements {
		if s.Principal != nil || s.NotPrincipal != nil {
			return malformed("Policy document should not specify a principal.")
		}
	}
	for _, s := range d.Statements {
		if !datesParse(s) {
			return malformed(msgLegacy)
		}
	}
	// A resource that is not an ARN is reported after the actions and
	// resources are known to be there; a statement whose resources split
	// badly fails legacy parsing first, unless an earlier resource was
	// already not an ARN.
	var resourceErr string
	for _, s := range d.Statements {
		for _, r := range resources(s) {
			if resourceErr == "" {
				resourceErr = resourceFormat(r)
			}
		}
		if resourceErr != "" {
			continue
		}
		for _, r := range resources(s) {
			if !legacyResource(r) {
				return malformed(msgLegacy)
			}
		}
	}
	if err := checkSids(d, Identity); err != nil {
		return err
	}
	for _, s := range d.Statements {
		if len(s.Action) == 0 && len(s.NotAction) == 0 {
			return malformed(msgNoActions)
		}
	}
	for _, s := range d.Statements {
		if len(s.Resource) == 0 && len(s.NotResource) == 0 {
			return malformed(msgNoResources)
		}
	}
	if resourceErr != "" {
		return malformed("%s", resourceErr)
	}
	for _, s := range d.Statements {
		for _, a := range actions(s) {
			if msg := actionFormat(a); msg != "" {
				return malformed("%s", msg)
			}
		}
	}
	return nil
}

func actions(s Statement) []string { return append(append([]string{}, s.Action...), s.NotAction...) }
func resources(s Statement) []string {
	return append(append([]string{}, s.Resource...), s.NotResource...)
}

// checkSids: statement ids alpha-numeric (except in resource policies) and
// unique in the document.
func checkSids(d *Document, kind Kind) error {
	sids := map[string]bool{}
	for _, s := range d.Statements {
		if s.Sid == "" {
			continue
		}
		if kind != Resource && !sidPattern.MatchString(s.Sid) {
			return malformed("Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*")
		}
		if sids[s.Sid] {
			return malformed("Statement IDs (SID) in a single policy must be unique.")
		}
		sids[s.Sid] = true
	}
	return nil
}

// datesParse reports whether every value of the statement's Date
// operators is a date evaluation understands (parseDate: ISO 8601 or epoch
// seconds). IAM refuses the others as failing legacy parsing (public
// reports and moto's AWS-recorded cases: "sdfdsf", "234-13").
func datesParse(s Statement) bool {
	for op, keys := range s.Condition {
		base, _, _ := splitOperator(op)
		if !strings.HasPrefix(base, "Date") {
			continue
		}
		for _, vals := range keys {
			for _, v := range vals {
				if _, ok := parseDate(v); !ok {
					return false
				}
			}
		}
	}
	return true
}

// resourceFormat is IAM's complaint about a resource that is not an ARN of
// the aws partition, or "" when it is one.
func resourceFormat(r string) string {
	if r == "*" {
		return ""
	}
	head, rest, ok := strings.Cut(r, ":")
	if !ok {
		return fmt.Sprintf("Resource %s must be in ARN format or \"*\".", r)
	}
	partition, rest, qualified := strings.Cut(rest, ":")
	// "*" is accepted: 135 statements of AWS's own managed policies use
	// arn:*:service:… .
	if partition != "aws" && partition != "*" {
		return partitionError(partition, rest)
	}
	if !qualified {
		// moto's AWS-recorded case for "arn:aws".
		return "Resource vendor must be fully qualified and cannot contain regexes."
	}
	if head != "arn" {
		// AWS reads the first field of a resource without looking at it;
		// Gatehouse asks for "arn" there, as an ARN has it.
		return fmt.Sprintf("Resource %s must be in ARN format or \"*\".", r)
	}
	service, rest, _ := strings.Cut(rest, ":")
	region, rest, _ := strings.Cut(rest, ":")
	account, _, _ := strings.Cut(rest, ":")
	switch {
	case service == "iam" && region != "":
		// Confirmed: "IAM resource <arn> cannot contain region
		// information." (cloud-gov/terraform-provision#1838).
		return fmt.Sprintf("IAM resource %s cannot contain region information.", r)
	case service == "s3" && region != "" && account == "":
		// A bucket or object ARN has neither region nor account; access
		// points and jobs have both. Wording from moto's AWS-recorded case
		// (not found in a public AWS answer).
		return fmt.Sprintf("Resource %s can not contain region information.", r)
	}
	return ""
}

// partitionError words an unknown partition as IAM does, the resource
// rebuilt from its fields with "*" for the missing ones: confirmed by
// `Partition "${ARN_PARTITION}" is not valid for resource
// "arn:${ARN_PARTITION}:s3:::XYZ-ABC-DEFG".` (cloudera-labs/cloudera.exe#112);
// the rebuilding of short resources follows moto's AWS-recorded cases.
func partitionError(partition, rest string) string {
	fields := strings.Split(rest, ":")
	field := func(i int) string {
		if i < len(fields) && (fields[i] != "" || len(fields) > 1) {
			return fields[i]
		}
		return "*"
	}
	last := "*"
	if len(fields) > 3 {
		last = strings.Join(fields[3:], ":")
	}
	return fmt.Sprintf("Partition \"%s\" is not valid for resource \"arn:%s:%s:%s:%s:%s\".", partition, partition, field(0), field(1), field(2), last)
}

// legacyResource reports whether a resource splits as IAM's legacy parser
// needs: an ARN with an empty field has all six fields, and a service.
func legacyResource(r string) bool {
	if r == "*" {
		return true
	}
	if strings.Contains(r, "::") && strings.Count(r, ":") < 5 {
		return false
	}
	fields := strings.SplitN(r, ":", 4)
	return len(fields) < 3 || fields[2] != ""
}

// actionFormat is IAM's complaint about an action name, or "".
func actionFormat(a string) string {
	if a == "*" {
		return ""
	}
	parts := strings.Split(a, ":")
	switch {
	case len(parts) == 1:
		return msgNoVendor
	case len(parts) > 2:
		// Confirmed: garnaat/kappa#111 (CreatePolicy).
		return msgOneColon
	}
	vendor := parts[0]
	if vendor == "" {
		return msgNoVendor
	}
	if strings.ContainsAny(vendor, "*?") {
		// Confirmed: AWS's answer to "*:Untag*" quoted in
		// boogy/iam-policy-validator#172.
		return msgVendorWildcard
	}
	for _, c := range vendor {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			// moto's AWS-recorded case for "a a:ListBucket"; no public
			// AWS answer found.
			return fmt.Sprintf("Vendor %s is not valid", vendor)
		}
	}
	return ""
}
