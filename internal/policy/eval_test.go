package policy

import (
	"fmt"
	"strings"
	"testing"
)

func FuzzParseEvaluate(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["a*"]},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`, "s3:GetObject", "arn:aws:s3:::b/alice/x")
	f.Add(`{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"NotAction":"iam:*","NotResource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2025"}}}}`, "iam:X", "*")
	f.Fuzz(func(t *testing.T, doc, action, resource string) {
		d, err := Parse(doc)
		if err != nil {
			return
		}
		p := Compile("fuzz", d)
		req := &Request{Principal: Principal{Type: PrincipalUser, Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/alice"},
			Action: action, Resource: resource}
		req.Set("aws:username", "al*ce")
		req.Set("aws:SourceIp", "10.1.2.3")
		req.Set("aws:CurrentTime", "2025-01-02T03:04:05Z")
		req.SetMulti("aws:TagKeys", []string{"a", "b"})
		for _, in := range []*Input{{Identity: []*Policy{p}}, {Resource: p, ResourceAccount: "444455556666"}, {Identity: []*Policy{p}, Boundary: p, Session: []*Policy{p}, HasSession: true}, {Resource: p, Trust: true}} {
			_ = Evaluate(in, req)
		}
	})
}

// typicalPolicies builds n policies of m statements each, two conditions in
// each statement, none of which allows the benchmark's action except the
// last statement of the last policy.
func typicalPolicies(n, m int) []*Policy {
	var out []*Policy
	for i := 0; i < n; i++ {
		var stmts []string
		for j := 0; j < m; j++ {
			action := fmt.Sprintf("s3:Put%dObject", j)
			if i == n-1 && j == m-1 {
				action = "s3:Get*"
			}
			stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Action":["%s","s3:List%d"],"Resource":"arn:aws:s3:::bucket-%d/home/${aws:username}/*",
				"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"Bool":{"aws:SecureTransport":"true"}}}`, action, j, i))
		}
		doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
		// The allowing policy names the bucket the request uses.
		if i == n-1 {
			doc = strings.ReplaceAll(doc, fmt.Sprintf("bucket-%d", i), "bucket")
		}
		out = append(out, MustCompile(fmt.Sprintf("p%d", i), doc))
	}
	return out
}

func benchRequest() *Request {
	req := &Request{Principal: Principal{Type: PrincipalUser, Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/alice"},
		Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/home/alice/report.pdf"}
	req.Set("aws:username", "alice")
	req.Set("aws:SourceIp", "10.1.2.3")
	req.Set("aws:SecureTransport", "true")
	return req
}

func benchmarkEvaluate(b *testing.B, n, m int) {
	in := &Input{Identity: typicalPolicies(n, m)}
	req := benchRequest()
	if d := Evaluate(in, req); d.Effect != Allow {
		b.Fatalf("benchmark request not allowed: %+v", d)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Evaluate(in, req)
	}
}

// BenchmarkEvaluateTypical: 3 policies × 10 statements, 2 conditions each.
func BenchmarkEvaluateTypical(b *testing.B) { benchmarkEvaluate(b, 3, 10) }

// BenchmarkEvaluate100Policies: the worst case of 100 policies × 10 statements.
func BenchmarkEvaluate100Policies(b *testing.B) { benchmarkEvaluate(b, 100, 10) }

func TestUsesKeys(t *testing.T) {
	plain := MustCompile("a", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	cond := MustCompile("b", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`)
	vars := MustCompile("c", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}"}]}`)
	if plain.UsesKeys() || !cond.UsesKeys() || !vars.UsesKeys() {
		t.Fatal("UsesKeys")
	}
	if (&Input{Identity: []*Policy{plain}}).UsesKeys() || !(&Input{Identity: []*Policy{plain}, Resource: cond}).UsesKeys() ||
		!(&Input{Session: []*Policy{vars}}).UsesKeys() {
		t.Fatal("Input.UsesKeys")
	}
}
