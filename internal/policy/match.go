package policy

import "strings"

// Literal stand-ins for '*' and '?' that came from policy variables: they
// match only themselves. Request values never contain these bytes.
const (
	litStar     = '\x00'
	litQuestion = '\x01'
)

// Glob reports whether s matches the AWS wildcard pattern p: '*' matches
// any run of characters (including none), '?' exactly one. It does not
// allocate.
func Glob(p, s string) bool {
	// Iterative matcher with single-star backtracking.
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch c := p[pi]; c {
			case '*':
				starP, starS = pi, si
				pi++
				continue
			case '?':
				pi++
				si++
				continue
			default:
				if lit(c) == s[si] {
					pi++
					si++
					continue
				}
			}
		}
		if starP >= 0 {
			starS++
			pi, si = starP+1, starS
			continue
		}
		return false
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func lit(c byte) byte {
	switch c {
	case litStar:
		return '*'
	case litQuestion:
		return '?'
	}
	return c
}

// MatchARN matches an ARN against an ARN pattern as AWS does for Resource
// and the Arn* operators: "*" matches everything; otherwise both split into
// six parts on ':', the first five compared one by one and the sixth (which
// keeps any further colons) as a whole, each with Glob.
func MatchARN(pattern, arn string) bool {
	if pattern == "*" {
		return true
	}
	for i := 0; i < 5; i++ {
		pj := strings.IndexByte(pattern, ':')
		aj := strings.IndexByte(arn, ':')
		if pj < 0 || aj < 0 {
			return false
		}
		if !Glob(pattern[:pj], arn[:aj]) {
			return false
		}
		pattern, arn = pattern[pj+1:], arn[aj+1:]
	}
	return Glob(pattern, arn)
}
