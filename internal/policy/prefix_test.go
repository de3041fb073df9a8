package policy

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestResourcePrefixAgreesWithMatchARN: the literal-prefix shortcut of a
// compiled Resource pattern never changes MatchARN's answer, for random
// patterns and ARNs over an alphabet of separators and wildcards.
func TestResourcePrefixAgreesWithMatchARN(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	const alphabet = "ab:*?/"
	gen := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 200000 {
		pat, arn := "arn:aws:s3:::"+gen(rng.IntN(8)), "arn:aws:s3:::"+strings.NewReplacer("*", "a", "?", "b").Replace(gen(rng.IntN(8)))
		if rng.IntN(4) == 0 {
			pat = gen(rng.IntN(10))
		}
		p := MustCompile("p", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":`+quote(pat)+`}]}`)
		rp := &p.statements[0].resources[0]
		if got, want := rp.match(&Request{Resource: arn}), MatchARN(pat, arn); got != want {
			t.Fatalf("pattern %q, ARN %q: compiled match %v, MatchARN %v", pat, arn, got, want)
		}
	}
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }
