package s3

import "testing"

// Every operation names an IAM action and either declares its checks or
// is the documented exception (the CORS preflight); no operation can
// forget to authorize.
func TestOperationTableDeclaresChecks(t *testing.T) {
	seen := map[string]bool{}
	for _, op := range operations {
		if seen[op.name] {
			t.Errorf("%s is listed twice", op.name)
		}
		seen[op.name] = true
		if op.handle == nil {
			t.Errorf("%s has no handler", op.name)
		}
		switch {
		case op.noCheck != "":
			if op != opPreflight {
				t.Errorf("%s claims to need no check: only the CORS preflight may", op.name)
			}
		case op.action == "":
			t.Errorf("%s declares no action", op.name)
		case op.resolve == nil && op.level == levelService && op.action != "s3:ListAllMyBuckets":
			t.Errorf("%s: a service-level operation without resolve would be checked on \"*\"", op.name)
		}
	}
}
