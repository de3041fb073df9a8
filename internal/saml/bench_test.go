package saml_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/saml"
)

func BenchmarkVerifyResponse(b *testing.B) {
	p := newIdP(b)
	b64 := build(b, p, claims(), true, true)
	e := expect(p)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := saml.VerifyResponse(b64, e); err != nil {
			b.Fatal(err)
		}
	}
}
