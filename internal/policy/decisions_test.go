package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
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
	} `json:"principal"`
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
	Want            string   `json:"want"`
}

func compileRaw(t *testing.T, id string, raw json.RawMessage, kind Kind) *Policy {
	return compileRawBound(t, id, raw, kind, nil)
}

func compileRawBound(t *testing.T, id string, raw json.RawMessage, kind Kind, b Bindings) *Policy {
	t.Helper()
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
				in := &Input{ResourceAccount: c.ResourceAccount, Trust: c.Trust}
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
				req := &Request{
					Principal: Principal{Type: c.Principal.Type, Account: c.Principal.Account, ARN: c.Principal.ARN, RoleARN: c.Principal.RoleARN, Service: c.Principal.Service,
						EntityID: c.Principal.EntityID},
					Action: c.Action, Resource: c.Resource, Keys: c.Keys,
				}
				got := Evaluate(in, req)
				if got.Effect.String() != c.Want {
					t.Fatalf("got %s (source %s, statement %+v %v), want %s — see %s", got.Effect, got.Source.Phrase(), got.Statement, got.HasStatement, c.Want, c.Doc)
				}
			})
		}
	}
	if total < 300 {
		t.Fatalf("only %d decision cases", total)
	}
}
