package policy

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestResourcePrefixAgreesWithMatchARN: the literal-prefix shortcut of a
// compiled Resource pattern never changes MatchARN's answer, for random
// patterns and ARNs over an alphabet of separators and wildcards.
func TestResourcePrefixAgreesWithMatchARN(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	const alphabet = "ab:*?/\x00\x01"
	gen := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 200000 {
		// Request values never hold NUL or 0x01 (policy variables' literal
		// stand-ins); object keys may hold '*' and '?'.
		pat, arn := "arn:aws:s3:::"+gen(rng.IntN(8)), "arn:aws:s3:::"+strings.NewReplacer("\x00", "*", "\x01", "?").Replace(gen(rng.IntN(8)))
		if rng.IntN(4) == 0 {
			pat = gen(rng.IntN(10))
		}
		p, err := ParseAndCompile("p", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":`+quote(pat)+`}]}`)
		if err != nil {
			continue // a pattern the parser refuses decides nothing
		}
		rp := &p.statements[0].resources[0]
		if got, want := rp.match(&Request{Resource: arn}), MatchARN(pat, arn); got != want {
			t.Fatalf("pattern %q, ARN %q: compiled match %v, MatchARN %v", pat, arn, got, want)
		}
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
