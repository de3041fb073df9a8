package policy

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// EntityPrincipal reports whether v, a value of "AWS" in Principal or
// NotPrincipal, names an IAM user or role: the principals that Bindings
// bind and CompileBound matches by unique id.
func EntityPrincipal(v string) bool {
	k := principalOf("AWS", v).kind
	return k == "user" || k == "role"
}

// ReplacePrincipals returns doc with every "AWS" principal value (in
// Principal and NotPrincipal) found in repl replaced by repl's value, and
// everything else — layout, other elements, the same ARN in a Resource or
// a Condition — left as written. It shows a saved policy the way AWS does:
// a bound principal whose entity was deleted appears as its unique id. A
// document that does not parse is returned unchanged.
func ReplacePrincipals(doc string, repl map[string]string) string {
	if len(repl) == 0 {
		return doc
	}
	type edit struct {
		start, end int
		with       string
	}
	// frame is one open object or array; path holds the keys leading to
	// the value being read, with "" for each container level.
	type frame struct {
		array   bool
		wantKey bool
	}
	var (
		stack []frame
		path  []string
		edits []edit
		prev  int // end of the previous token
	)
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	// valueDone: a value of the innermost container was read.
	valueDone := func() {
		if n := len(stack); n > 0 && !stack[n-1].array {
			stack[n-1].wantKey = true
			path = path[:len(path)-1]
		}
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) && len(stack) == 0 {
			break
		}
		if err != nil {
			return doc
		}
		end := int(dec.InputOffset())
		n := len(stack)
		switch t := tok.(type) {
		case string:
			if n > 0 && !stack[n-1].array && stack[n-1].wantKey { // a key
				stack[n-1].wantKey = false
				path = append(path, t)
				break
			}
			if with, ok := repl[t]; ok && principalPath(path) {
				start := prev + strings.IndexByte(doc[prev:end], '"')
				edits = append(edits, edit{start, end, with})
			}
			valueDone()
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{wantKey: true})
				path = append(path, "")
			case '[':
				stack = append(stack, frame{array: true})
				path = append(path, "")
			case '}', ']':
				stack, path = stack[:n-1], path[:len(path)-1]
				valueDone()
			}
		default:
			valueDone()
		}
		prev = end
		if len(stack) == 0 {
			break // the document is one value; Parse ignores what may follow
		}
	}
	if len(edits) == 0 {
		return doc
	}
	var b strings.Builder
	last := 0
	for _, e := range edits {
		q, _ := json.Marshal(e.with)
		b.WriteString(doc[last:e.start])
		b.Write(q)
		last = e.end
	}
	b.WriteString(doc[last:])
	return b.String()
}

// principalPath reports whether the keys leading to a value (array levels
// as "") are Statement → Principal or NotPrincipal → AWS.
func principalPath(path []string) bool {
	var keys []string
	for _, k := range path {
		if k != "" {
			keys = append(keys, k)
		}
	}
	return len(keys) == 3 && keys[0] == "Statement" && (keys[1] == "Principal" || keys[1] == "NotPrincipal") && keys[2] == "AWS"
}
