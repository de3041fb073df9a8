package policy

import "testing"

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		p, s string
		want bool
	}{
		{"*", "", true}, {"*", "anything", true}, {"a*c", "abbbc", true}, {"a*c", "abbb", false},
		{"a?c", "abc", true}, {"a?c", "ac", false}, {"*a*b*", "xxaxxbxx", true}, {"abc", "ABC", false},
		{"s3:Get*", "s3:GetObject", true}, {"home/${x}", "home/${x}", true}, {"a\x00b", "a*b", true}, {"a\x00b", "axb", false},
		{"a\x01", "a?", true}, {"a\x01", "ax", false}, {"**", "x", true}, {"", "", true}, {"", "a", false},
	} {
		if got := Glob(c.p, c.s); got != c.want {
			t.Errorf("Glob(%q, %q) = %v", c.p, c.s, got)
		}
	}
}

func TestMatchARN(t *testing.T) {
	for _, c := range []struct {
		p, s string
		want bool
	}{
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c", true},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket2/a", false},
		{"arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:role/x", true},
		{"arn:aws:iam::*", "arn:aws:iam::123456789012:role/x", false}, // five colons required
		{"arn:*:iam::123456789012:user/*", "arn:aws:iam::123456789012:user/a/b", true},
		{"arn:aws:s3:::*", "arn:aws:s3:::b", true},
		{"*", "anything", true},
		{"arn:aws:s3:::B", "arn:aws:s3:::b", false},
	} {
		if got := MatchARN(c.p, c.s); got != c.want {
			t.Errorf("MatchARN(%q, %q) = %v", c.p, c.s, got)
		}
	}
}

func BenchmarkGlob(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Glob("arn:aws:s3:::my-bucket/home/*/docs/*", "arn:aws:s3:::my-bucket/home/alice/docs/report.pdf")
	}
}
