package policy

import (
	"encoding/json"
	"errors"
	"os"
	"testing"
)

// validationCase is one entry of testdata/validation/cases.json: a
// document, the kind it is validated as, and AWS's message for it ("" when
// AWS accepts it); source says where the message was confirmed.
type validationCase struct {
	Name   string          `json:"name"`
	Kind   string          `json:"kind"`
	Policy json.RawMessage `json:"policy"` // a JSON string is the document's text
	Want   string          `json:"want"`
	Source string          `json:"source"`
}

var kindNames = map[string]Kind{"identity": Identity, "resource": Resource, "trust": Trust, "session": Session}

func TestValidationCases(t *testing.T) {
	raw, err := os.ReadFile("testdata/validation/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []validationCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 80 {
		t.Fatalf("only %d validation cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Kind+"/"+c.Name, func(t *testing.T) {
			kind, ok := kindNames[c.Kind]
			if !ok || c.Source == "" {
				t.Fatalf("case without a kind or a source: %+v", c)
			}
			doc := string(c.Policy)
			var text string
			if json.Unmarshal(c.Policy, &text) == nil {
				doc = text
			}
			_, err := Validate(doc, kind)
			switch {
			case c.Want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.Want == "":
			case err == nil:
				t.Fatalf("accepted, want %q", c.Want)
			case !errors.Is(err, ErrMalformed) || err.Error() != c.Want:
				t.Fatalf("got %q, want %q (%s)", err, c.Want, c.Source)
			}
		})
	}
}

func TestNonWhitespaceLen(t *testing.T) {
	if n := NonWhitespaceLen("{ \"a b\" :\n\t1 }"); n != 9 {
		t.Fatalf("NonWhitespaceLen = %d, want 9", n)
	}
	if n := NonWhitespaceLen(`{"a\" b":1}`); n != 11 {
		t.Fatalf("escaped quote: %d", n)
	}
}

func TestCheckCharset(t *testing.T) {
	if !CheckCharset("{\"a\":\t\"é\"}\n") || CheckCharset("{\"a\":\"€\"}") || CheckCharset("\x01") {
		t.Fatal("charset")
	}
}

func FuzzValidate(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	f.Add(`{"Statement":{"Effect":"Allow","Principal":{"AWS":["1"]},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":1}}}}`)
	f.Fuzz(func(t *testing.T, doc string) {
		for _, k := range []Kind{Identity, Resource, Trust, Session} {
			d, err := Validate(doc, k)
			if err == nil && d == nil {
				t.Fatal("nil document without error")
			}
			if err != nil && !errors.Is(err, ErrMalformed) {
				t.Fatalf("error not wrapping ErrMalformed: %v", err)
			}
		}
	})
}
