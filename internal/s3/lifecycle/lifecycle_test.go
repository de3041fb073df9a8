package lifecycle

import (
	"errors"
	"testing"
	"time"
)

func doc(rules string) []byte {
	return []byte(`<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + rules + `</LifecycleConfiguration>`)
}

func TestParseRefusals(t *testing.T) {
	long := make([]byte, 256)
	for i := range long {
		long[i] = 'a'
	}
	cases := []struct {
		name, doc, code, msg string
	}{
		{"not xml", `<Lifecycle`, CodeMalformedXML, malformedMessage},
		{"no rules", ``, CodeMalformedXML, malformedMessage},
		{"bad status", `<Rule><Filter/><Status>On</Status><Expiration><Days>1</Days></Expiration></Rule>`, CodeMalformedXML, malformedMessage},
		{"no filter nor prefix", `<Rule><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`, CodeMalformedXML, malformedMessage},
		{"filter and prefix", `<Rule><Prefix/><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`, CodeMalformedXML, malformedMessage},
		{"two filter elements", `<Rule><Filter><Prefix>a</Prefix><ObjectSizeLessThan>5</ObjectSizeLessThan></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`, CodeMalformedXML, malformedMessage},
		{"days and date", `<Rule><Filter/><Status>Enabled</Status><Expiration><Days>1</Days><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule>`, CodeMalformedXML, malformedMessage},
		{"zero days", `<Rule><Filter/><Status>Enabled</Status><Expiration><Days>0</Days></Expiration></Rule>`, CodeInvalidArgument, "'Days' for Expiration action must be a positive integer"},
		{"date not midnight", `<Rule><Filter/><Status>Enabled</Status><Expiration><Date>2030-01-01T10:00:00Z</Date></Expiration></Rule>`, CodeInvalidArgument, "'Date' must be at midnight GMT"},
		{"no action", `<Rule><Filter/><Status>Enabled</Status></Rule>`, CodeInvalidRequest, "At least one action needs to be specified in a rule"},
		{"id too long", `<Rule><ID>` + string(long) + `</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`, CodeInvalidArgument, "ID length should not exceed allowed limit of 255"},
		{"duplicate id", `<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule><Rule><ID>a</ID><Filter/><Status>Enabled</Status><Expiration><Days>2</Days></Expiration></Rule>`, CodeInvalidArgument, "Rule ID must be unique. Found same ID for more than one rule"},
		{"noncurrent zero", `<Rule><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration></Rule>`, CodeInvalidArgument, "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer"},
		{"abort zero", `<Rule><Filter/><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`, CodeInvalidArgument, "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer"},
		{"abort with tags", `<Rule><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`, CodeInvalidRequest, "AbortIncompleteMultipartUpload cannot be specified with Tags."},
		{"marker with tags", `<Rule><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>`, CodeInvalidRequest, "ExpiredObjectDeleteMarker cannot be specified with tags."},
		{"bad class", `<Rule><Filter/><Status>Enabled</Status><Transition><Days>30</Days><StorageClass>COLD</StorageClass></Transition></Rule>`, CodeMalformedXML, malformedMessage},
		{"sizes inverted", `<Rule><Filter><And><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>5</ObjectSizeLessThan></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`, CodeInvalidRequest, "'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'."},
		{"sizes equal", `<Rule><Filter><And><ObjectSizeGreaterThan>5</ObjectSizeGreaterThan><ObjectSizeLessThan>5</ObjectSizeLessThan></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`, CodeInvalidRequest, "'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'."},
		{"less than zero", `<Rule><Filter><ObjectSizeLessThan>0</ObjectSizeLessThan></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`, CodeInvalidRequest, "'ObjectSizeLessThan' should be between 1 and 1099511627776000."},
		{"less than too big", `<Rule><Filter><ObjectSizeLessThan>1099511627776001</ObjectSizeLessThan></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`, CodeInvalidRequest, "'ObjectSizeLessThan' should be between 1 and 1099511627776000."},
		{"greater than negative", `<Rule><Filter><ObjectSizeGreaterThan>-1</ObjectSizeGreaterThan></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`, CodeInvalidRequest, "'ObjectSizeGreaterThan' should be between 0 and 1099511627776000."},
	}
	for _, tc := range cases {
		_, err := Parse(doc(tc.doc))
		var e *Error
		if !errors.As(err, &e) || e.Code != tc.code || e.Message != tc.msg {
			t.Errorf("%s: got %v, want %s: %s", tc.name, err, tc.code, tc.msg)
		}
	}
}

func TestParseRoundTrip(t *testing.T) {
	in := doc(`<Rule><ID>r</ID><Filter><And><Prefix>logs/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></And></Filter><Status>Enabled</Status><Expiration><Date>2030-01-01</Date></Expiration><Transition><Date>2029-01-01</Date><StorageClass>GLACIER</StorageClass></Transition><NoncurrentVersionExpiration><NoncurrentDays>3</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>`)
	c, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := Parse(c.XML())
	if err != nil {
		t.Fatalf("%v\n%s", err, c.XML())
	}
	if string(c.XML()) != string(c2.XML()) {
		t.Fatalf("round trip differs:\n%s\n%s", c.XML(), c2.XML())
	}
	if got := *c.Rules[0].Expiration.Date; got != "2030-01-01T00:00:00.000Z" {
		t.Fatalf("date reported as %q", got)
	}
}

func TestExpiryRounding(t *testing.T) {
	c, err := Parse(doc(`<Rule><ID>x</ID><Filter><Prefix>a/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`))
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 1, 1, 10, 30, 0, 0, time.UTC)
	at, id := c.CurrentExpiry(Object{Key: "a/b", Created: created})
	if want := time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC); !at.Equal(want) || id != "x" {
		t.Fatalf("expiry %v %q, want %v", at, id, want)
	}
	if at, _ := c.CurrentExpiry(Object{Key: "b/a", Created: created}); !at.IsZero() {
		t.Fatal("prefix not applied")
	}
}

func TestFilterMatches(t *testing.T) {
	c, err := Parse(doc(`<Rule><Filter><And><Prefix>p</Prefix><Tag><Key>k</Key><Value>v</Value></Tag><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>100</ObjectSizeLessThan></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Rules[0]
	ok := Object{Key: "p1", Size: 50, Tags: map[string]string{"k": "v"}}
	if !r.Matches(ok) {
		t.Fatal("should match")
	}
	for _, o := range []Object{{Key: "q", Size: 50, Tags: ok.Tags}, {Key: "p", Size: 10, Tags: ok.Tags}, {Key: "p", Size: 100, Tags: ok.Tags}, {Key: "p", Size: 50, Tags: map[string]string{"k": "w"}}} {
		if r.Matches(o) {
			t.Errorf("%+v should not match", o)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(doc(`<Rule><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`))
	f.Add(doc(`<Rule><Prefix>a</Prefix><Status>Disabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		// What is accepted renders to a document that is accepted alike.
		c2, err := Parse(c.XML())
		if err != nil {
			t.Fatalf("rendered document refused: %v\n%s", err, c.XML())
		}
		if string(c2.XML()) != string(c.XML()) {
			t.Fatalf("not stable:\n%s\n%s", c.XML(), c2.XML())
		}
	})
}
