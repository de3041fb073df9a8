package arch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// pkg is one package of the module as `go list` reports it.
type pkg struct {
	ImportPath     string
	Name           string
	Dir            string
	GoFiles        []string // non-test files of this build
	IgnoredGoFiles []string // files build constraints leave out of this build (test files among them)
	Imports        []string // of GoFiles only: test imports are not counted
	Module         *struct{ Path string }
	Error          *struct{ Err string }

	rel string // path relative to the module: "internal/s3"
}

// loadPackages lists every package of the module, with module-relative paths.
func loadPackages(t *testing.T) []*pkg {
	t.Helper()
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Name,Dir,GoFiles,IgnoredGoFiles,Imports,Module,Error", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	var pkgs []*pkg
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		p := new(pkg)
		if err := dec.Decode(p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		if p.Error != nil {
			t.Fatalf("go list: %s: %s", p.ImportPath, p.Error.Err)
		}
		if p.Module == nil {
			t.Fatalf("go list: %s is in no module", p.ImportPath)
		}
		p.rel = strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, p.Module.Path), "/")
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages in %s", len(pkgs), root)
	}
	return pkgs
}

// match reports whether the module-relative package path rel matches
// pattern: "x/..." is x and everything under it, "..." is every package,
// anything else is that one package.
func match(pattern, rel string) bool {
	if pattern == "..." {
		return true
	}
	if dir, ok := strings.CutSuffix(pattern, "/..."); ok {
		return rel == dir || strings.HasPrefix(rel, dir+"/")
	}
	return rel == pattern
}

func matchAny(patterns []string, rel string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return match(p, rel) })
}

// rule is one row of the import table. It covers the packages matched by
// from, minus except; a covered package must not import (outside its test
// files) any module package matched by forbid, and, when only is not nil,
// no module package outside only.
type rule struct {
	from   []string
	except []string
	forbid []string
	only   []string
	why    string
}

// The layering of docs/architecture.md ("Packages", "Imports flow one way"):
//
//	cmd → server → {iam, sts, s3} → pipeline → authz → {sigv4, sigv2, policy, token, store, gencache}
//
// with the concrete backends (store/sqlite, blob/fs, blob/s3blob) below the contracts and
// imported only by the composition root.
var (
	// pure packages: no state, no I/O, no other layer; they import each
	// other at most (policy → arn).
	pure     = []string{"internal/arn", "internal/checksum", "internal/mfa", "internal/oidc", "internal/policy", "internal/s3/cors", "internal/saml", "internal/sigv2", "internal/sigv4", "internal/token"}
	backends = []string{"internal/store/sqlite/...", "internal/blob/fs/...", "internal/blob/s3blob/..."}
	services = []string{"internal/iam/...", "internal/sts/...", "internal/s3"}
)

var rules = []rule{{
	from:   []string{"..."},
	except: []string{"internal/server", "cmd/..."},
	forbid: backends,
	why:    "concrete backends are imported only by the composition root, internal/server (and cmd); everything else uses the store and blob contracts",
}, {
	from: pure,
	only: pure,
	why:  "pure packages import no store, blob, server, service or other stateful package",
}, {
	from: []string{"internal/awsapi"},
	only: []string{"internal/authz", "internal/sigv4", "internal/sigv2", "internal/store"},
	why:  "internal/awsapi holds wire conventions and the one error table; it imports only the packages whose sentinels the table maps (authz, sigv4, sigv2, store)",
}, {
	from: []string{"internal/pipeline"},
	only: []string{"internal/authz", "internal/policy"},
	why:  "internal/pipeline drives requests through authz; it knows no service, store or protocol",
}, {
	from: []string{"internal/audit"},
	only: []string{"internal/pipeline", "internal/authz", "internal/token", "internal/policy"},
	why:  "internal/audit turns the pipeline's records into CloudTrail events; it knows the record and the principal (authz, token) and no service, store or server",
}, {
	from:   []string{"internal/...", "cmd/..."},
	except: []string{"internal/server", "cmd/gatehouse"},
	forbid: []string{"internal/audit"},
	why:    "the audit trail is built by the composition root (internal/server) and read by the audit command (cmd/gatehouse); services do not write audit events themselves",
}, {
	from:   []string{"internal/gencache", "internal/arn", "internal/quota"},
	forbid: []string{"..."},
	why:    "internal/gencache, internal/arn and internal/quota are leaves",
}, {
	from:   []string{"internal/datadir"},
	forbid: []string{"..."},
	why:    "internal/datadir (the data directory's lock) is a leaf",
}, {
	from: []string{"internal/backup"},
	only: []string{"internal/blob", "internal/keyring"},
	why:  "internal/backup works through the blob contract and small interfaces of its own; the server hands it the backends",
}, {
	from:   []string{"internal/authz/..."},
	forbid: []string{"internal/pipeline", "internal/awsapi"},
	why:    "internal/authz decides; the pipeline above it drives, and the edge (awsapi) words its errors",
}, {
	from:   []string{"internal/store", "internal/blob"},
	forbid: []string{"..."},
	why:    "the store and blob contracts are the bottom of the graph and import no other package of the module",
}, {
	from:   []string{"internal/..."},
	except: []string{"internal/server", "internal/testenv"},
	forbid: []string{"internal/server/..."},
	why:    "internal/server is the composition root: no domain service or library imports it (only cmd and internal/testenv start it)",
}, {
	from:   []string{"internal/authz/..."},
	forbid: services,
	why:    "internal/authz sits below the services (server → {iam, sts, s3} → authz)",
}, {
	from:   []string{"internal/keyring/..."},
	forbid: append([]string{"internal/authz/..."}, services...),
	why:    "internal/keyring builds on token and store (keyring → {token, store}), below authz and the services",
}, {
	from:   []string{"..."},
	forbid: []string{"cmd/...", "test/...", "bench/...", "examples/..."},
	why:    "commands, tests, benchmarks and examples are leaves: nothing imports them",
}, {
	from: []string{"internal/accesslog"},
	only: []string{"internal/pipeline"},
	why:  "internal/accesslog formats a request's record and nothing else: it reads no store, request or header (so it cannot log a secret the record does not carry)",
}, {
	from: []string{"internal/metrics"},
	only: []string{"internal/pipeline", "internal/policy", "internal/store", "internal/blob"},
	why:  "internal/metrics reads records and decorates the store and blob contracts; it knows no service, backend or protocol",
}, {
	from: []string{"internal/health"},
	only: []string{"internal/store", "internal/blob"},
	why:  "internal/health probes the store and blob contracts only",
}, {
	from:   []string{"..."},
	except: []string{"internal/server"},
	forbid: []string{"internal/accesslog", "internal/metrics", "internal/health"},
	why:    "observability is composed at the root: the access log, metrics and health are wired by internal/server over records and contracts, and no service reports to them directly",
}, {
	from:   []string{"..."},
	forbid: []string{"internal/testenv", "internal/store/storetest", "internal/blob/blobtest", "internal/blob/s3blob/s3blobtest", "internal/oidc/oidctest", "internal/saml/samltest"},
	why:    "test-support packages are imported by _test.go files only",
}}

// exception is an import that breaks a rule today, kept so the test passes
// while it is fixed. Each needs a TODO; an exception that no longer occurs
// fails the test so that it is removed.
type exception struct{ from, to, reason string }

var exceptions []exception

func TestImportDirections(t *testing.T) {
	for _, msg := range check(loadPackages(t), rules, exceptions) {
		t.Error(msg)
	}
}

// check applies the rules to the packages' imports and returns a message for
// each violation, stale pattern and unused exception.
func check(pkgs []*pkg, rules []rule, exceptions []exception) []string {
	var msgs []string
	// A pattern that matches nothing is a stale rule (a package moved or
	// was renamed), which would pass vacuously.
	for _, r := range rules {
		for _, pats := range [][]string{r.from, r.except, r.forbid, r.only} {
			for _, pat := range pats {
				if !slices.ContainsFunc(pkgs, func(p *pkg) bool { return match(pat, p.rel) }) {
					msgs = append(msgs, fmt.Sprintf("rule %q: pattern %q matches no package of the module", r.why, pat))
				}
			}
		}
	}
	used := map[exception]bool{}
	for _, p := range pkgs {
		for _, imp := range p.Imports {
			if imp != p.Module.Path && !strings.HasPrefix(imp, p.Module.Path+"/") {
				continue // standard library or another module
			}
			to := strings.TrimPrefix(strings.TrimPrefix(imp, p.Module.Path), "/")
			for _, r := range rules {
				if !matchAny(r.from, p.rel) || matchAny(r.except, p.rel) {
					continue
				}
				if !matchAny(r.forbid, to) && (r.only == nil || matchAny(r.only, to)) {
					continue
				}
				if i := slices.IndexFunc(exceptions, func(e exception) bool { return e.from == p.rel && e.to == to }); i >= 0 {
					used[exceptions[i]] = true
					continue
				}
				msgs = append(msgs, fmt.Sprintf("%s imports %s (%s), which it must not: %s", p.rel, to, importSite(p, imp), r.why))
			}
		}
	}
	for _, e := range exceptions {
		if !used[e] {
			msgs = append(msgs, fmt.Sprintf("exception %s → %s no longer breaks a rule; remove it from the table", e.from, e.to))
		}
	}
	return msgs
}

// TestCheck feeds check imports that break each kind of rule, so that the
// table cannot pass because the checker sees nothing.
func TestCheck(t *testing.T) {
	const mod = "example.com/m"
	var pkgs []*pkg
	add := func(rel string, imports ...string) {
		p := &pkg{ImportPath: mod + "/" + rel, Module: &struct{ Path string }{mod}, rel: rel}
		for _, i := range imports {
			p.Imports = append(p.Imports, mod+"/"+i)
		}
		pkgs = append(pkgs, p)
	}
	add("cmd/gatehouse", "internal/server", "internal/store/sqlite")
	add("internal/server", "internal/store/sqlite", "internal/blob/fs", "internal/s3", "internal/iam", "internal/sts", "internal/authz", "internal/keyring", "internal/config")
	add("internal/s3", "internal/server", "internal/blob/fs", "internal/s3/cors", "internal/store")
	add("internal/s3/cors")
	add("internal/iam", "internal/policy", "internal/iam/awsmanaged")
	add("internal/iam/awsmanaged")
	add("internal/sts", "internal/testenv")
	add("internal/policy", "internal/arn", "internal/store")
	add("internal/arn")
	add("internal/awsapi", "internal/arn")
	add("internal/authz", "internal/iam")
	add("internal/keyring", "internal/token", "internal/store")
	add("internal/token", "cmd/gatehouse")
	add("internal/store")
	add("internal/store/sqlite", "internal/store")
	add("internal/blob")
	add("internal/blob/fs", "internal/blob")
	add("internal/testenv", "internal/server", "fmt", "github.com/other/internal/server")
	rules := []rule{
		{from: []string{"..."}, except: []string{"internal/server", "cmd/..."}, forbid: []string{"internal/store/sqlite/...", "internal/blob/fs/..."}, why: "backends"},
		{from: []string{"internal/policy", "internal/arn", "internal/token"}, only: []string{"internal/policy", "internal/arn", "internal/token"}, why: "pure"},
		{from: []string{"internal/awsapi"}, forbid: []string{"..."}, why: "awsapi"},
		{from: []string{"internal/..."}, except: []string{"internal/server", "internal/testenv"}, forbid: []string{"internal/server"}, why: "root"},
		{from: []string{"internal/authz"}, forbid: []string{"internal/iam/..."}, why: "authz"},
		{from: []string{"..."}, forbid: []string{"cmd/..."}, why: "cmd"},
		{from: []string{"..."}, forbid: []string{"internal/testenv"}, why: "testenv"},
		{from: []string{"internal/gone"}, why: "stale"},
	}
	got := check(pkgs, rules, []exception{
		{from: "internal/keyring", to: "internal/store", reason: "no rule forbids it"},
	})
	want := []string{
		`rule "stale": pattern "internal/gone" matches no package of the module`,
		"internal/s3 imports internal/server (internal/s3), which it must not: root",
		"internal/s3 imports internal/blob/fs (internal/s3), which it must not: backends",
		"internal/sts imports internal/testenv (internal/sts), which it must not: testenv",
		"internal/policy imports internal/store (internal/policy), which it must not: pure",
		"internal/awsapi imports internal/arn (internal/awsapi), which it must not: awsapi",
		"internal/authz imports internal/iam (internal/authz), which it must not: authz",
		"internal/token imports cmd/gatehouse (internal/token), which it must not: pure",
		"internal/token imports cmd/gatehouse (internal/token), which it must not: cmd",
		"exception internal/keyring → internal/store no longer breaks a rule; remove it from the table",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("check found:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// importSite names the file and line of p's import of path.
func importSite(p *pkg, path string) string {
	fset := token.NewFileSet()
	for _, name := range p.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.ImportsOnly)
		if err != nil {
			continue
		}
		for _, s := range f.Imports {
			if v, _ := strconv.Unquote(s.Path.Value); v == path {
				pos := fset.Position(s.Pos())
				return fmt.Sprintf("%s:%d", filepath.Join(p.rel, name), pos.Line)
			}
		}
	}
	return p.rel
}

// TestPackageDocs checks that every package under internal/ and cmd/ has a
// doc comment in one of its non-test files, starting as `go doc` expects:
// "Package NAME ..." (or "Command NAME ..." for a main package).
func TestPackageDocs(t *testing.T) {
	var missing []string
	for _, p := range loadPackages(t) {
		if !match("internal/...", p.rel) && !match("cmd/...", p.rel) {
			continue
		}
		if !hasDoc(t, p) {
			missing = append(missing, p.rel)
		}
	}
	if len(missing) > 0 {
		t.Errorf("packages without a doc comment (// Package NAME ..., in a non-test file, directly above the package clause, stating the package's contract):\n\t%s", strings.Join(missing, "\n\t"))
	}
}

func hasDoc(t *testing.T, p *pkg) bool {
	want := "Package " + p.Name
	if p.Name == "main" {
		want = "Command " + filepath.Base(p.Dir)
	}
	fset := token.NewFileSet()
	for _, name := range slices.Concat(p.GoFiles, p.IgnoredGoFiles) {
		if strings.HasSuffix(name, "_test.go") || !strings.HasSuffix(name, ".go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			t.Errorf("%s: %v", filepath.Join(p.rel, name), err)
			continue
		}
		if startsWith(f.Doc, want) {
			return true
		}
	}
	return false
}

// startsWith reports whether the comment's text begins with the words of
// prefix followed by more words.
func startsWith(doc *ast.CommentGroup, prefix string) bool {
	if doc == nil {
		return false
	}
	rest, ok := strings.CutPrefix(doc.Text(), prefix)
	return ok && len(rest) > 1 && (rest[0] == ' ' || rest[0] == '\n') && strings.TrimSpace(rest) != ""
}

// TestHandlersNeverAuthorize: the services declare checks; only the
// pipeline decides them. No non-test file of iam, sts or s3 calls a method
// named Authorize or Decide (authz.Authorizer's), so a handler cannot
// authorize by itself.
func TestHandlersNeverAuthorize(t *testing.T) {
	for _, p := range loadPackages(t) {
		if !matchAny(services, p.rel) {
			continue
		}
		for _, f := range p.GoFiles {
			path := filepath.Join(p.Dir, f)
			file, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok && (sel.Sel.Name == "Authorize" || sel.Sel.Name == "Decide") {
					t.Errorf("%s/%s calls %s: handlers declare checks in resolve and the pipeline decides them", p.rel, f, sel.Sel.Name)
				}
				return true
			})
		}
	}
}

// Errors are built only from the table in awsapi: the Code constructors
// are unexported, and outside awsapi no code writes an awsapi.Error
// literal.
func TestErrorsComeFromTheTable(t *testing.T) {
	for _, p := range loadPackages(t) {
		if p.rel == "internal/awsapi" {
			continue
		}
		for _, f := range p.GoFiles {
			path := filepath.Join(p.Dir, f)
			file, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				if n, ok := n.(*ast.CompositeLit); ok {
					if sel, ok := n.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Error" {
						if id, ok := sel.X.(*ast.Ident); ok && id.Name == "awsapi" {
							t.Errorf("%s/%s builds an awsapi.Error literal: name a message of the table instead", p.rel, f)
						}
					}
				}
				return true
			})
		}
	}
}
