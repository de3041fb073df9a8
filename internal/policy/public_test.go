package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// publicCase is one entry of testdata/public/*.json: a bucket policy and
// whether S3 counts it as public ("The meaning of public", Amazon S3 User
// Guide), with the statements (0-based) that make it so.
type publicCase struct {
	Name   string          `json:"name"`
	Doc    string          `json:"doc"`
	Policy json.RawMessage `json:"policy"`
	Public bool            `json:"public"`
	// Statements, when present, are the indexes of the public statements.
	Statements []int `json:"statements"`
}

func TestPublicCases(t *testing.T) {
	files, err := filepath.Glob("testdata/public/*.json")
	if err != nil || len(files) == 0 {
		t.Fatal("no public-policy cases")
	}
	total := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cases []publicCase
		if err := json.Unmarshal(raw, &cases); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, tc := range cases {
			total++
			t.Run(filepath.Base(f)+"/"+tc.Name, func(t *testing.T) {
				if tc.Doc == "" {
					t.Fatal("every case cites the documentation it checks")
				}
				d, err := Validate(string(tc.Policy), Resource)
				if err != nil {
					t.Fatalf("invalid test policy: %v", err)
				}
				p := Compile("bucket/test", d)
				if got := p.Public(); got != tc.Public {
					t.Fatalf("Public() = %v, want %v for %s", got, tc.Public, tc.Policy)
				}
				if p.Public() != (len(p.PublicStatements()) > 0) {
					t.Fatal("Public and PublicStatements disagree")
				}
				if tc.Statements != nil {
					var got []int
					for _, ref := range p.PublicStatements() {
						got = append(got, ref.Index)
					}
					if !slices.Equal(got, tc.Statements) {
						t.Fatalf("public statements %v, want %v", got, tc.Statements)
					}
				}
			})
		}
	}
	if total < 40 {
		t.Fatalf("only %d public-policy cases", total)
	}
}

func TestPublicNil(t *testing.T) {
	var p *Policy
	if p.Public() {
		t.Fatal("no policy is public")
	}
}
