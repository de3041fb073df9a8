package s3_test

import (
	"encoding/xml"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	s3svc "github.com/gatehouse/gatehouse/internal/s3"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// compatRow is one row of docs/s3-compatibility.md's tables.
type compatRow struct {
	op, method, path, status string
}

var compatRowRE = regexp.MustCompile("^\\| ([A-Za-z0-9]+) \\| `([A-Z]+) ([^`]+)` \\| (supported|partial|NotImplemented|n/a) \\|")

func compatRows(t *testing.T) []compatRow {
	t.Helper()
	page, err := os.ReadFile("../../docs/s3-compatibility.md")
	if err != nil {
		t.Fatal(err)
	}
	var rows []compatRow
	for _, line := range strings.Split(string(page), "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| Operation ") {
			continue
		}
		m := compatRowRE.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("a table row that does not parse: %s", line)
		}
		rows = append(rows, compatRow{op: m[1], method: m[2], path: m[3], status: m[4]})
	}
	return rows
}

// legacyOps are older operations sent as the same request as their
// successor, and answered as it.
var legacyOps = map[string]string{"GetBucketLifecycle": "GetBucketLifecycleConfiguration", "PutBucketLifecycle": "PutBucketLifecycleConfiguration",
	"GetBucketNotification": "GetBucketNotificationConfiguration", "PutBucketNotification": "PutBucketNotificationConfiguration"}

// TestCompatibilityTable keeps docs/s3-compatibility.md honest: every SDK
// operation is listed once; supported and partial rows are exactly the
// operations the router serves; every NotImplemented row's request is
// answered 501 naming the operation.
func TestCompatibilityTable(t *testing.T) {
	rows := compatRows(t)
	if len(rows) < 111 {
		t.Fatalf("read %d rows; botocore 1.43.11 models 111 operations", len(rows))
	}
	listed := map[string]compatRow{}
	for _, r := range rows {
		if _, dup := listed[r.op]; dup {
			t.Errorf("%s is listed twice", r.op)
		}
		listed[r.op] = r
	}
	client := reflect.TypeOf(&s3.Client{})
	for i := range client.NumMethod() {
		if name := client.Method(i).Name; name != "Options" {
			if _, ok := listed[name]; !ok {
				t.Errorf("the SDK's %s is not in the table", name)
			}
		}
	}
	served := map[string]bool{}
	for _, name := range s3svc.OperationNames() {
		served[name] = true
		switch name {
		case "PostObject", "PreflightRequest", "GetAccountPublicAccessBlock", "PutAccountPublicAccessBlock", "DeleteAccountPublicAccessBlock":
			continue // outside the model (the last three are S3 Control's); the page names them below the tables
		}
		if r, ok := listed[name]; !ok || (r.status != "supported" && r.status != "partial") {
			t.Errorf("the router serves %s, which the table does not list as supported or partial", name)
		}
	}
	env := testenv.New(t)
	mkBucket(t, env.S3, "compat")
	put(t, env.S3, "compat", "k", "v")
	for _, r := range rows {
		switch r.status {
		case "supported", "partial":
			if !served[r.op] && !served[legacyOps[r.op]] { // a legacy form is served as its successor
				t.Errorf("%s is listed as %s but the router does not serve it", r.op, r.status)
			}
		case "NotImplemented":
			if served[r.op] {
				t.Errorf("%s is listed as NotImplemented but the router serves it", r.op)
			}
			path := strings.NewReplacer("{Bucket}", "compat", "{Key+}", "k").Replace(r.path)
			res := rawDo(t, env, r.method, env.URL+path, nil, nil)
			name := r.op
			if legacyOps[name] != "" {
				name = legacyOps[name]
			}
			var got s3Err
			_ = xml.Unmarshal(res.body, &got)
			want := s3Err{Code: "NotImplemented", Message: name + " is not implemented by Gatehouse"}
			if r.method == http.MethodHead {
				want = s3Err{}
			}
			if res.status != 501 || got != want {
				t.Errorf("%s (%s %s): %d %+v, want 501 %+v", r.op, r.method, path, res.status, got, want)
			}
		}
	}
}
