package policy

import "strings"

// segment is a piece of a templated policy value: literal text, or a
// variable reference with an optional default.
type segment struct {
	text       string
	variable   string // lower-cased key; "" for literal text
	def        string
	hasDefault bool
}

// parseTemplate splits a value into literal text and ${…} references. It
// returns nil when the value has no variables (the common case).
func parseTemplate(s string) []segment {
	if !strings.Contains(s, "${") {
		return nil
	}
	var out []segment
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		if i > 0 {
			out = append(out, segment{text: s[:i]})
		}
		body := s[i+2 : i+j]
		switch body {
		case "*":
			out = append(out, segment{text: string(litStar)})
		case "?":
			out = append(out, segment{text: string(litQuestion)})
		case "$":
			out = append(out, segment{text: "$"})
		default:
			seg := segment{}
			name, def, hasDef := strings.Cut(body, ",")
			seg.variable = strings.ToLower(strings.TrimSpace(name))
			if hasDef {
				def = strings.TrimSpace(def)
				if len(def) >= 2 && def[0] == '\'' && def[len(def)-1] == '\'' {
					seg.def, seg.hasDefault = def[1:len(def)-1], true
				}
			}
			out = append(out, seg)
		}
		s = s[i+j+1:]
	}
	if s != "" {
		out = append(out, segment{text: s})
	}
	return out
}

// substitute resolves a template against the request. Substituted text is
// literal: '*' and '?' in it become the literal stand-ins, so they are not
// wildcards. ok is false when a variable has neither a value nor a default.
func substitute(t []segment, req *Request) (string, bool) {
	var b strings.Builder
	b.Grow(64)
	for _, seg := range t {
		if seg.variable == "" {
			b.WriteString(seg.text)
			continue
		}
		vals, present := req.lookup(seg.variable)
		var v string
		switch {
		case present && len(vals) == 1:
			v = vals[0]
		case seg.hasDefault:
			v = seg.def
		default:
			return "", false
		}
		for i := 0; i < len(v); i++ {
			switch v[i] {
			case '*':
				b.WriteByte(litStar)
			case '?':
				b.WriteByte(litQuestion)
			default:
				b.WriteByte(v[i])
			}
		}
	}
	return b.String(), true
}

// unescape turns literal stand-ins back into the characters they stand for,
// for exact comparisons.
func unescape(s string) string {
	if strings.IndexByte(s, litStar) < 0 && strings.IndexByte(s, litQuestion) < 0 {
		return s
	}
	return strings.NewReplacer(string(litStar), "*", string(litQuestion), "?").Replace(s)
}
