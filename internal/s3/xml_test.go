package s3

import (
	"testing"
	"time"
)

func TestAppendISOTime(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2025, 1, 2, 3, 4, 5, 678_900_000, time.UTC),
		time.Date(999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2026, 11, 25, 8, 0, 0, 1_000_000, time.FixedZone("x", 3600)),
	} {
		if got, want := string(appendISOTime(nil, tm)), tm.UTC().Format("2006-01-02T15:04:05.000Z"); got != want {
			t.Errorf("appendISOTime(%v) = %s, want %s", tm, got, want)
		}
	}
}

func TestXMLBufEscapes(t *testing.T) {
	x := &xmlBuf{}
	x.elem("Key", `a&b<c>"d'é`)
	x.etag(`"abc"`)
	if got, want := string(x.b), `<Key>a&amp;b&lt;c&gt;&#34;d&#39;é</Key><ETag>&quot;abc&quot;</ETag>`; got != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
}
