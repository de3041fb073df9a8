package awsapi

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/errors.md from the message table")

// entry is one message of the table as the source declares it.
type entry struct {
	name, code, format, file string
	status                   int
}

// verbs counts a template's fmt verbs (%% is not one).
func verbs(format string) int {
	return len(regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z%]`).FindAllString(strings.ReplaceAll(format, "%%", ""), -1))
}

// tableEntries reads the message table from this package's source: every
// "Name = ErrCode.say(`...`)" declaration, with an optional
// ".sentWith(status)".
func tableEntries(t *testing.T) []entry {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*Code{}
	for _, c := range codes {
		byName[c.name] = c
	}
	var out []entry
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok || len(vs.Values) != len(vs.Names) {
				return true
			}
			for i, v := range vs.Values {
				e, ok := parseEntry(t, v)
				if !ok {
					continue
				}
				e.name, e.file = vs.Names[i].Name, f
				c := byName[strings.TrimPrefix(e.code, "Err")]
				if c == nil {
					t.Fatalf("%s: code %s is not in the table", e.name, e.code)
				}
				if e.status == 0 {
					e.status = c.status
				}
				out = append(out, e)
			}
			return true
		})
	}
	return out
}

func parseEntry(t *testing.T, v ast.Expr) (entry, bool) {
	var e entry
	call, ok := v.(*ast.CallExpr)
	if !ok {
		return e, false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return e, false
	}
	if sel.Sel.Name == "sentWith" {
		inner, ok := parseEntry(t, sel.X)
		if !ok {
			return e, false
		}
		inner.status = statusOf(t, call.Args[0])
		return inner, true
	}
	if sel.Sel.Name != "say" {
		return e, false
	}
	code, ok := sel.X.(*ast.Ident)
	lit, ok2 := call.Args[0].(*ast.BasicLit)
	if !ok || !ok2 {
		t.Fatalf("a message entry must be ErrCode.say(literal)")
	}
	format, err := strconv.Unquote(lit.Value)
	if err != nil {
		t.Fatal(err)
	}
	return entry{code: code.Name, format: format}, true
}

// statusOf evaluates http.StatusXxx or an integer literal.
func statusOf(t *testing.T, x ast.Expr) int {
	switch x := x.(type) {
	case *ast.BasicLit:
		n, _ := strconv.Atoi(x.Value)
		return n
	case *ast.SelectorExpr:
		for s := 100; s < 600; s++ {
			if "Status"+strings.ReplaceAll(strings.ReplaceAll(http.StatusText(s), " ", ""), "-", "") == x.Sel.Name {
				return s
			}
		}
	}
	t.Fatalf("cannot read the status %#v", x)
	return 0
}

// uses finds every "awsapi.Name.Of(args)" in the repository's Go code (and
// "Name.Of(args)" inside this package) with its argument count (-1 when the
// arguments are spread with ...).
func uses(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		local := file.Name.Name == "awsapi"
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Of" {
				return true
			}
			name := ""
			switch x := sel.X.(type) {
			case *ast.SelectorExpr:
				if pkg, ok := x.X.(*ast.Ident); ok && pkg.Name == "awsapi" {
					name = x.Sel.Name
				}
			case *ast.Ident:
				if local {
					name = x.Name
				}
			}
			if name == "" {
				return true
			}
			n2 := len(call.Args)
			if call.Ellipsis.IsValid() {
				n2 = -1
			}
			out[name] = append(out[name], fmt.Sprintf("%s:%d:%d", path, fset.Position(call.Pos()).Line, n2))
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Every message of the table is used, named once, and every use fills
// exactly its template's verbs; docs/errors.md lists the table as it is.
func TestMessageTable(t *testing.T) {
	entries := tableEntries(t)
	if len(entries) < 8 {
		t.Fatalf("read %d message entries; the parser lost the table", len(entries))
	}
	used := uses(t)
	seen := map[string]bool{}
	for _, e := range entries {
		if seen[e.name] {
			t.Errorf("message %s declared twice", e.name)
		}
		seen[e.name] = true
		sites := used[e.name]
		if len(sites) == 0 {
			t.Errorf("message %s (%s) is never sent", e.name, e.code)
		}
		want := verbs(e.format)
		for _, s := range sites {
			i := strings.LastIndexByte(s, ':')
			n, _ := strconv.Atoi(s[i+1:])
			if n >= 0 && n != want {
				t.Errorf("%s: %s takes %d values, given %d", s[:i], e.name, want, n)
			}
		}
	}
	for name, sites := range used {
		if !seen[name] {
			t.Errorf("%s is used (%s) but is not a message of the table", name, sites[0])
		}
	}
	for _, e := range entries {
		listed := false
		for _, s := range services {
			listed = listed || s.file == e.file
		}
		if !listed {
			t.Errorf("%s is declared in %s, which the catalog does not list", e.name, e.file)
		}
	}
	doc := catalog(entries)
	path := filepath.Join("..", "..", "docs", "errors.md")
	if *update {
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(path)
	if err != nil || string(have) != doc {
		t.Fatalf("docs/errors.md is not the table; run: go test ./internal/awsapi -run TestMessageTable -update")
	}
}

var services = []struct{ file, title string }{
	{"messages_auth.go", "Authentication"},
	{"message.go", "Every Query service (IAM, STS): validation"},
	{"messages_query.go", "The Query protocol front end (IAM, STS)"},
	{"messages_iam.go", "IAM"},
	{"messages_sts.go", "STS"},
	{"messages_saml.go", "SAML federation (IAM SAML providers, STS AssumeRoleWithSAML)"},
	{"messages_s3.go", "S3"},
	{"messages_s3_compat.go", "S3: refusals of what is not supported, and the newer object APIs"},
	{"messages_server.go", "Every protocol: the server's limits"},
}

// catalog renders the table as Markdown.
func catalog(entries []entry) string {
	var b strings.Builder
	b.WriteString("# Errors\n\n" +
		"Every error Gatehouse sends, generated from the message table in `internal/awsapi`\n" +
		"(`go test ./internal/awsapi -run TestMessageTable -update`; a test fails when this page and the table\n" +
		"differ). `%s` and `%d` are filled with the names and values of the request. Errors of authentication\n" +
		"and authorization (`AccessDenied`, `SignatureDoesNotMatch`, `InvalidClientTokenId`, ...) are worded in\n" +
		"`internal/awsapi/edge.go` and `docs/authorization.md`; any other failure is sent as the service's internal\n" +
		"error (`ServiceFailure`, `InternalFailure`, `InternalError`, 500) and never carries its cause.\n")
	for _, s := range services {
		var rows []entry
		for _, e := range entries {
			if e.file == s.file {
				rows = append(rows, e)
			}
		}
		if len(rows) == 0 {
			continue
		}
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].code < rows[j].code })
		fmt.Fprintf(&b, "\n## %s\n\n| Code | HTTP | Message |\n|---|---|---|\n", s.title)
		for _, e := range rows {
			msg := strings.ReplaceAll(strings.ReplaceAll(e.format, "|", `\|`), "\n", " ")
			if !strings.Contains(msg, "`") {
				msg = "`" + msg + "`"
			}
			fmt.Fprintf(&b, "| %s | %d | %s |\n", strings.TrimPrefix(e.code, "Err"), e.status, msg)
		}
	}
	return b.String()
}
