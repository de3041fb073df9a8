package metrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

type fakeThrottles struct{ principal, account uint64 }

func (f *fakeThrottles) ThrottledBy() (uint64, uint64) { return f.principal, f.account }

func TestSTSQuota(t *testing.T) {
	m := newTest()
	q := &fakeThrottles{principal: 4, account: 1}
	if err := m.STSQuota(q); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP gatehouse_sts_throttled_total STS credential-issuing calls answered Throttling, by the quota that refused them.
# TYPE gatehouse_sts_throttled_total counter
gatehouse_sts_throttled_total{bucket="account"} 1
gatehouse_sts_throttled_total{bucket="principal"} 4
`
	if err := testutil.GatherAndCompare(m.reg, strings.NewReader(want), "gatehouse_sts_throttled_total"); err != nil {
		t.Fatal(err)
	}
	q.principal = 7
	if err := testutil.GatherAndCompare(m.reg, strings.NewReader(strings.Replace(want, "} 4", "} 7", 1)), "gatehouse_sts_throttled_total"); err != nil {
		t.Fatal(err)
	}
}
