package awsapi

import (
	"testing"
	"time"
)

// TestTimestampMatchesFormat: Timestamp writes what Format writes, in and
// outside the years it formats by hand and in other zones.
func TestTimestampMatchesFormat(t *testing.T) {
	east := time.FixedZone("east", 9*3600)
	for _, tm := range []time.Time{
		time.Date(2026, 11, 30, 9, 23, 8, 999999999, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2026, 1, 1, 3, 4, 5, 0, east), // the day before in UTC
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC),
		{},
	} {
		if got, want := Timestamp(tm), tm.UTC().Format(TimestampFormat); got != want {
			t.Errorf("%v: Timestamp %q, Format %q", tm, got, want)
		}
	}
}

func FuzzTimestamp(f *testing.F) {
	f.Add(int64(1796030588), int64(0))
	f.Add(int64(-62135596800), int64(999))
	f.Fuzz(func(t *testing.T, sec, nsec int64) {
		tm := time.Unix(sec, nsec)
		if got, want := Timestamp(tm), tm.UTC().Format(TimestampFormat); got != want {
			t.Fatalf("%d.%d: Timestamp %q, Format %q", sec, nsec, got, want)
		}
	})
}

func BenchmarkTimestamp(b *testing.B) {
	tm := time.Date(2026, 11, 30, 9, 23, 8, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		_ = Timestamp(tm)
	}
}
