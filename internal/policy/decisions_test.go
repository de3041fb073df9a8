package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// decisionCase is one entry of testdata/decisions/*.json (written by
// testdata/gen_cases.py); each cites the AWS documentation section whose
// behaviour it checks.
type decisionCase struct {
	Name      string `json:"name"`
	Doc       string `json:"doc"`
	Principal struct {
		Type     string `json:"type"`
		Account  string `json:"account"`
		ARN      string `json:"arn"`
		RoleARN  string `json:"roleArn"`
		Service  string `json:"service"`
		EntityID string `json:"entityId"`
		UserARN  string `json:"userArn"`
		// CanonicalID is the caller's account's S3 canonical user id.
		CanonicalID string `json:"canonicalId"`
	} `json:"principal"`
	// ACL, when present, is the S3 access control list of the check.
	ACL *struct {
		Object bool `json:"object"`
		Grants []struct {
			ID         string `json:"id"`
			URI        string `json:"uri"`
			Permission string `json:"permission"`
		} `json:"grants"`
		IgnorePublic bool   `json:"ignorePublic"`
		Exclusive    bool   `json:"exclusive"`
		Initiator    string `json:"initiator"`
	} `json:"acl"`
	Action         string              `json:"action"`
	Resource       string              `json:"resource"`
	Keys           map[string][]string `json:"keys"`
	Identity       []json.RawMessage   `json:"identity"`
	Boundary       json.RawMessage     `json:"boundary"`
	Session        *[]json.RawMessage  `json:"session"`
	ResourcePolicy json.RawMessage     `json:"resourcePolicy"`
	// Bindings, when present, are the principal bindings saved with the
	// resource policy (absent: a policy written before bindings).
	Bindings        Bindings `json:"bindings"`
	ResourceAccount string   `json:"resourceAccount"`
	Trust           bool     `json:"trust"`
	// RestrictResource: S3's RestrictPublicBuckets applies to the resource
	// policy (Input.RestrictResource).
	RestrictResource bool   `json:"restrictResource"`
	Want             string `json:"want"`
	// By, when present, is what decided: "identity0#1" (statement 1 of
	// the first identity policy), "resource#0", "boundary#2", "session#0";
	// or, for an implicit deny, the kind of policy that failed to allow
	// ("identity", "boundary", "session", "resource").
	By string `json:"by"`
}

func compileRaw(t *testing.T, id string, raw json.RawMessage, kind Kind) *Policy {
	return compileRawBound(t, id, raw, kind, nil)
}

func compileRawBound(t *testing.T, id string, raw json.RawMessage, kind Kind, b Bindings) *Policy {
	t.Helper()
	if kind == Identity {
		// Evaluation meets identity policies as stored, some written
		// before IAM's stricter write-time grammar (no Version, dates that
		// never match): they are checked with the rules identity and
		// session policies share. The write-time grammar has its own cases
		// in testdata/validation.
		kind = Session
	}
	d, err := Validate(string(raw), kind)
	if err != nil {
		t.Fatalf("%s: invalid test policy %s: %v", id, raw, err)
	}
	return CompileBound(id, d, b)
}

func TestDecisionCases(t *testing.T) {
	files, err := filepath.Glob("testdata/decisions/*.json")
	if err != nil || len(files) == 0 {
		t.Fatal("no decision cases")
	}
	total := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cases []decisionCase
		if err := json.Unmarshal(raw, &cases); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, c := range cases {
			total++
			t.Run(filepath.Base(f)+"/"+c.Name, func(t *testing.T) {
				if c.Doc == "" {
					t.Fatal("case cites no documentation")
				}
				in := &Input{ResourceAccount: c.ResourceAccount, Trust: c.Trust, RestrictResource: c.RestrictResource}
				for i, p := range c.Identity {
					in.Identity = append(in.Identity, compileRaw(t, "identity"+string(rune('0'+i)), p, Identity))
				}
				if len(c.Boundary) > 0 {
					in.Boundary = compileRaw(t, "boundary", c.Boundary, Identity)
				}
				if c.Session != nil {
					in.HasSession = true
					for _, p := range *c.Session {
						in.Session = append(in.Session, compileRaw(t, "session", p, Session))
					}
				}
				if len(c.ResourcePolicy) > 0 {
					kind := Resource
					if c.Trust {
						kind = Trust
					}
					in.Resource = compileRawBound(t, "resource", c.ResourcePolicy, kind, c.Bindings)
				}
				if a := c.ACL; a != nil {
					in.ACL = &ACL{Object: a.Object, IgnorePublic: a.IgnorePublic, Exclusive: a.Exclusive, Initiator: a.Initiator}
					for _, g := range a.Grants {
						in.ACL.Grants = append(in.ACL.Grants, ACLGrant{ID: g.ID, URI: g.URI, Permission: g.Permission})
					}
				}
				req := &Request{
					Principal: Principal{Type: c.Principal.Type, Account: c.Principal.Account, ARN: c.Principal.ARN, RoleARN: c.Principal.RoleARN, Service: c.Principal.Service,
						EntityID: c.Principal.EntityID, UserARN: c.Principal.UserARN, CanonicalID: c.Principal.CanonicalID},
					Action: c.Action, Resource: c.Resource, Keys: c.Keys,
				}
				got := Evaluate(in, req)
				if got.Effect.String() != c.Want {
					t.Fatalf("got %s (source %s, statement %+v %v), want %s — see %s", got.Effect, got.Source.Phrase(), got.Statement, got.HasStatement, c.Want, c.Doc)
				}
				checkDecider(t, c, got)
			})
		}
	}
	if total < 300 {
		t.Fatalf("only %d decision cases", total)
	}
}

// sourceNames are the policy kinds as the "by" field names them.
var sourceNames = map[Source]string{SourceIdentity: "identity", SourceResource: "resource", SourceBoundary: "boundary", SourceSession: "session", SourceACL: "acl"}

// checkDecider holds every decision to what it claims: an Allow or an
// explicit Deny names a statement of the policy kind that decided, and that
// statement exists in the case with the matching Effect; an implicit deny
// names the kind that failed to allow. A case's "by" pins it exactly.
func checkDecider(t *testing.T, c decisionCase, d Decision) {
	t.Helper()
	by := sourceNames[d.Source]
	if d.HasStatement {
		by = d.Statement.PolicyID + "#" + strconv.Itoa(d.Statement.Index)
		raw := c.ResourcePolicy
		switch {
		case strings.HasPrefix(d.Statement.PolicyID, "identity"):
			i, _ := strconv.Atoi(strings.TrimPrefix(d.Statement.PolicyID, "identity"))
			if i >= len(c.Identity) || d.Source != SourceIdentity {
				t.Fatalf("decided by %s (%s): no such identity policy", by, d.Source.Phrase())
			}
			raw = c.Identity[i]
		case d.Statement.PolicyID == "boundary" && d.Source == SourceBoundary:
			raw = c.Boundary
		case d.Statement.PolicyID == "session" && d.Source == SourceSession:
			raw = (*c.Session)[0]
		case d.Statement.PolicyID == "resource" && d.Source == SourceResource:
		default:
			t.Fatalf("decided by %s with source %q: inconsistent", by, d.Source.Phrase())
		}
		var doc struct {
			Statement json.RawMessage
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		var stmts []struct{ Effect string }
		if err := json.Unmarshal(doc.Statement, &stmts); err != nil {
			var one struct{ Effect string }
			if json.Unmarshal(doc.Statement, &one) != nil {
				t.Fatalf("statement list of %s: %v", by, err)
			}
			stmts = append(stmts, one)
		}
		if d.Statement.Index >= len(stmts) {
			t.Fatalf("decided by %s: the policy has %d statements", by, len(stmts))
		}
		want := map[Effect]string{Allow: "Allow", ExplicitDeny: "Deny"}[d.Effect]
		if stmts[d.Statement.Index].Effect != want {
			t.Fatalf("%s decided by %s, whose Effect is %s", d.Effect, by, stmts[d.Statement.Index].Effect)
		}
	} else if d.Effect == ExplicitDeny {
		t.Fatalf("an explicit deny without its statement")
	}
	if c.By != "" && c.By != by {
		t.Fatalf("decided by %q, want %q", by, c.By)
	}
}
