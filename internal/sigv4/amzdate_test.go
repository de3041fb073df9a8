package sigv4

import (
	"testing"
	"time"
)

// parseAmzDate must agree with time.Parse(amzDateLayout, …) on every input:
// the same time, and an error exactly when time.Parse fails.
func checkAmzDate(t *testing.T, s string) {
	t.Helper()
	got, gotErr := parseAmzDate(s)
	want, wantErr := time.Parse(amzDateLayout, s)
	if (gotErr == nil) != (wantErr == nil) || !got.Equal(want) || (gotErr == nil && got.Location() != time.UTC) {
		t.Fatalf("parseAmzDate(%q) = %v, %v; time.Parse = %v, %v", s, got, gotErr, want, wantErr)
	}
}

func TestParseAmzDate(t *testing.T) {
	for _, s := range []string{
		"20261130T060000Z", "20240229T235959Z", "20230229T000000Z", "20261131T000000Z", "20261301T000000Z",
		"20260001T000000Z", "20261100T000000Z", "20261130T240000Z", "20261130T236000Z", "20261130T235960Z",
		"20261130 060000Z", "20261130T060000", "20261130T060000z", "2026113OT060000Z", "+0261130T060000Z",
		"20261130T06000Z", "", "00000101T000000Z", "99991231T235959Z", "2026-11-30T06:00:00Z", "20261130T0600001",
	} {
		checkAmzDate(t, s)
	}
}

func FuzzParseAmzDate(f *testing.F) {
	f.Add("20261130T060000Z")
	f.Add("20240229T235959Z")
	f.Add("20261131T000000Z")
	f.Fuzz(checkAmzDate)
}
