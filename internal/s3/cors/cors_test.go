package cors

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

const ns = `xmlns="http://s3.amazonaws.com/doc/2006-03-01/"`

// doc wraps rule bodies in a namespaced CORSConfiguration.
func doc(rules ...string) string {
	var b strings.Builder
	b.WriteString(`<CORSConfiguration ` + ns + `>`)
	for _, r := range rules {
		b.WriteString("<CORSRule>" + r + "</CORSRule>")
	}
	b.WriteString("</CORSConfiguration>")
	return b.String()
}

const minimal = "<AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin>"

func intp(n int) *int { return &n }

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseValid(t *testing.T) {
	getAny := Rule{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"*"}}
	tests := []struct {
		name string
		body string
		want *Config
	}{
		{"namespaced minimal", doc(minimal), &Config{Rules: []Rule{getAny}}},
		{"no namespace", `<CORSConfiguration><CORSRule>` + minimal + `</CORSRule></CORSConfiguration>`,
			&Config{Rules: []Rule{getAny}}},
		{"namespace through a prefix",
			`<s3:CORSConfiguration xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"><s3:CORSRule><s3:AllowedMethod>GET</s3:AllowedMethod><s3:AllowedOrigin>*</s3:AllowedOrigin></s3:CORSRule></s3:CORSConfiguration>`,
			&Config{Rules: []Rule{getAny}}},
		{"declaration, comments, whitespace, attributes",
			"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c -->\n<CORSConfiguration " + ns + ` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
				"\n  <!-- rule -->\n  <CORSRule>\n    <AllowedMethod>GET</AllowedMethod>\n    <AllowedOrigin><!-- x -->*</AllowedOrigin>\n  </CORSRule>\n</CORSConfiguration>\n<!-- end -->\n",
			&Config{Rules: []Rule{getAny}}},
		{"every element, any order, values verbatim",
			doc(`<MaxAgeSeconds> 3000 </MaxAgeSeconds><ExposeHeader>ETag</ExposeHeader><AllowedOrigin>https://a.example</AllowedOrigin>` +
				`<AllowedHeader>X-Amz-*</AllowedHeader><ID>r1</ID><AllowedMethod>PUT</AllowedMethod><AllowedHeader>*</AllowedHeader>` +
				`<AllowedMethod>GET</AllowedMethod><AllowedOrigin> http://b.example:80 </AllowedOrigin><ExposeHeader>x-amz-request-id</ExposeHeader>`),
			&Config{Rules: []Rule{{
				ID:             "r1",
				AllowedMethods: []string{"PUT", "GET"},
				AllowedOrigins: []string{"https://a.example", " http://b.example:80 "},
				AllowedHeaders: []string{"X-Amz-*", "*"},
				ExposeHeaders:  []string{"ETag", "x-amz-request-id"},
				MaxAgeSeconds:  intp(3000),
			}}}},
		{"entities and CDATA",
			doc(`<AllowedMethod>GET</AllowedMethod><AllowedOrigin>https://a.example/?a=1&amp;b=&#34;2&#34;</AllowedOrigin><ID><![CDATA[<id>]]></ID>`),
			&Config{Rules: []Rule{{ID: "<id>", AllowedMethods: []string{"GET"}, AllowedOrigins: []string{`https://a.example/?a=1&b="2"`}}}}},
		{"empty origin, header and ID are kept",
			doc(`<ID></ID><AllowedMethod>GET</AllowedMethod><AllowedOrigin/><AllowedHeader></AllowedHeader>`),
			&Config{Rules: []Rule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{""}, AllowedHeaders: []string{""}}}}},
		{"MaxAgeSeconds zero, signed, negative",
			doc(minimal+`<MaxAgeSeconds>0</MaxAgeSeconds>`, minimal+`<MaxAgeSeconds>+7</MaxAgeSeconds>`, minimal+`<MaxAgeSeconds>-1</MaxAgeSeconds>`),
			&Config{Rules: []Rule{
				{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"*"}, MaxAgeSeconds: intp(0)},
				{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"*"}, MaxAgeSeconds: intp(7)},
				{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"*"}, MaxAgeSeconds: intp(-1)},
			}}},
		{"MaxAgeSeconds int32 max", doc(minimal + `<MaxAgeSeconds>2147483647</MaxAgeSeconds>`),
			&Config{Rules: []Rule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"*"}, MaxAgeSeconds: intp(2147483647)}}}},
		{"all five methods, one wildcard each",
			doc(`<AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedMethod>POST</AllowedMethod><AllowedMethod>DELETE</AllowedMethod><AllowedMethod>HEAD</AllowedMethod>` +
				`<AllowedOrigin>https://*.example.com</AllowedOrigin><AllowedHeader>x-amz-*</AllowedHeader>`),
			&Config{Rules: []Rule{{
				AllowedMethods: []string{"GET", "PUT", "POST", "DELETE", "HEAD"},
				AllowedOrigins: []string{"https://*.example.com"},
				AllowedHeaders: []string{"x-amz-*"},
			}}}},
		{"ID of 255 characters, multi-byte", doc(minimal + `<ID>` + strings.Repeat("é", 255) + `</ID>`),
			&Config{Rules: []Rule{{ID: strings.Repeat("é", 255), AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"*"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.body))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Parse:\n got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	rules := make([]string, MaxRules)
	for i := range rules {
		rules[i] = minimal
	}
	c, err := Parse([]byte(doc(rules...)))
	if err != nil || len(c.Rules) != MaxRules {
		t.Fatalf("100 rules: %v", err)
	}

	// A body of exactly MaxSize bytes (padded with whitespace) is accepted.
	body := doc(minimal)
	body += strings.Repeat(" ", MaxSize-len(body))
	if _, err := Parse([]byte(body)); err != nil {
		t.Fatalf("body of MaxSize bytes: %v", err)
	}
	if _, err := Parse([]byte(body + " ")); !isError(err, codeInvalidRequest, "The CORS configuration must not be larger than 64 KB.") {
		t.Fatalf("body of MaxSize+1 bytes: %v", err)
	}
}

func isError(err error, code, message string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code && e.Message == message
}

func TestParseErrors(t *testing.T) {
	const malformedXML = "MalformedXML"
	many := make([]string, MaxRules+1)
	for i := range many {
		many[i] = minimal
	}
	tests := []struct {
		name    string
		body    string
		code    string
		message string // "" means S3's MalformedXML message
	}{
		// Not well-formed, or not S3's schema.
		{"empty body", "", malformedXML, ""},
		{"whitespace only", " \n", malformedXML, ""},
		{"not XML", "CORS please", malformedXML, ""},
		{"JSON", `{"CORSRules":[{"AllowedMethods":["GET"],"AllowedOrigins":["*"]}]}`, malformedXML, ""},
		{"truncated", doc(minimal)[:40], malformedXML, ""},
		{"mismatched tags", `<CORSConfiguration><CORSRule>` + minimal + `</CORSConfiguration></CORSRule>`, malformedXML, ""},
		{"wrong root", `<CORSRules><CORSRule>` + minimal + `</CORSRule></CORSRules>`, malformedXML, ""},
		{"rule as root", `<CORSRule>` + minimal + `</CORSRule>`, malformedXML, ""},
		{"wrong namespace", `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01"><CORSRule>` + minimal + `</CORSRule></CORSConfiguration>`, malformedXML, ""},
		{"unbound prefix", `<x:CORSConfiguration><x:CORSRule>` + minimal + `</x:CORSRule></x:CORSConfiguration>`, malformedXML, ""},
		{"child in another namespace", `<CORSConfiguration ` + ns + `><CORSRule xmlns="urn:x">` + minimal + `</CORSRule></CORSConfiguration>`, malformedXML, ""},
		{"no rule", `<CORSConfiguration ` + ns + `/>`, malformedXML, ""},
		{"no rule, whitespace", "<CORSConfiguration>\n</CORSConfiguration>", malformedXML, ""},
		{"empty rule", doc(""), malformedXML, ""},
		{"rule without AllowedMethod", doc(`<AllowedOrigin>*</AllowedOrigin>`), malformedXML, ""},
		{"rule without AllowedOrigin", doc(`<AllowedMethod>GET</AllowedMethod>`), malformedXML, ""},
		{"second rule without AllowedOrigin", doc(minimal, `<AllowedMethod>GET</AllowedMethod><ID>x</ID>`), malformedXML, ""},
		{"unknown element in rule", doc(minimal + `<AllowedMethods>GET</AllowedMethods>`), malformedXML, ""},
		{"ExposedHeader (CloudFormation's spelling)", doc(minimal + `<ExposedHeader>ETag</ExposedHeader>`), malformedXML, ""},
		{"unknown element in root", `<CORSConfiguration><CORSRule>` + minimal + `</CORSRule><Rule/></CORSConfiguration>`, malformedXML, ""},
		{"text in root", `<CORSConfiguration>x<CORSRule>` + minimal + `</CORSRule></CORSConfiguration>`, malformedXML, ""},
		{"text in rule", doc(minimal + `x`), malformedXML, ""},
		{"element inside a value", doc(minimal + `<ID><b>x</b></ID>`), malformedXML, ""},
		{"two IDs", doc(minimal + `<ID>a</ID><ID>b</ID>`), malformedXML, ""},
		{"two MaxAgeSeconds", doc(minimal + `<MaxAgeSeconds>1</MaxAgeSeconds><MaxAgeSeconds>1</MaxAgeSeconds>`), malformedXML, ""},
		{"MaxAgeSeconds not a number", doc(minimal + `<MaxAgeSeconds>soon</MaxAgeSeconds>`), malformedXML, ""},
		{"MaxAgeSeconds decimal", doc(minimal + `<MaxAgeSeconds>1.5</MaxAgeSeconds>`), malformedXML, ""},
		{"MaxAgeSeconds empty", doc(minimal + `<MaxAgeSeconds/>`), malformedXML, ""},
		{"MaxAgeSeconds beyond int32", doc(minimal + `<MaxAgeSeconds>2147483648</MaxAgeSeconds>`), malformedXML, ""},
		{"second root", doc(minimal) + doc(minimal), malformedXML, ""},
		{"text after root", doc(minimal) + "x", malformedXML, ""},
		{"DOCTYPE", `<!DOCTYPE CORSConfiguration>` + doc(minimal), malformedXML, ""},
		{"undefined entity", doc(`<AllowedMethod>GET</AllowedMethod><AllowedOrigin>&origin;</AllowedOrigin>`), malformedXML, ""},
		{"invalid UTF-8", doc("<AllowedMethod>GET</AllowedMethod><AllowedOrigin>\xff</AllowedOrigin>"), malformedXML, ""},
		{"other encoding", `<?xml version="1.0" encoding="ISO-8859-1"?>` + doc(minimal), malformedXML, ""},

		// Schema-valid, refused by S3's rules.
		{"PATCH", doc(`<AllowedMethod>GET</AllowedMethod><AllowedMethod>PATCH</AllowedMethod><AllowedOrigin>*</AllowedOrigin>`),
			codeInvalidRequest, "Found unsupported HTTP method in CORS config. Unsupported method is PATCH"},
		{"OPTIONS", doc(`<AllowedMethod>OPTIONS</AllowedMethod><AllowedOrigin>*</AllowedOrigin>`),
			codeInvalidRequest, "Found unsupported HTTP method in CORS config. Unsupported method is OPTIONS"},
		{"lower-case method", doc(`<AllowedMethod>get</AllowedMethod><AllowedOrigin>*</AllowedOrigin>`),
			codeInvalidRequest, "Found unsupported HTTP method in CORS config. Unsupported method is get"},
		{"method with whitespace", doc(`<AllowedMethod> GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin>`),
			codeInvalidRequest, "Found unsupported HTTP method in CORS config. Unsupported method is  GET"},
		{"wildcard method", doc(`<AllowedMethod>*</AllowedMethod><AllowedOrigin>*</AllowedOrigin>`),
			codeInvalidRequest, "Found unsupported HTTP method in CORS config. Unsupported method is *"},
		{"empty method", doc(`<AllowedMethod/><AllowedOrigin>*</AllowedOrigin>`),
			codeInvalidRequest, "Found unsupported HTTP method in CORS config. Unsupported method is "},
		{"origin with two wildcards", doc(`<AllowedMethod>GET</AllowedMethod><AllowedOrigin>https://*.example.*</AllowedOrigin>`),
			codeInvalidRequest, `AllowedOrigin "https://*.example.*" can not have more than one wildcard.`},
		{"origin **", doc(`<AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin><AllowedOrigin>**</AllowedOrigin>`),
			codeInvalidRequest, `AllowedOrigin "**" can not have more than one wildcard.`},
		{"header with two wildcards", doc(minimal + `<AllowedHeader>x-amz-*</AllowedHeader><AllowedHeader>*-amz-*</AllowedHeader>`),
			codeInvalidRequest, `AllowedHeader "*-amz-*" can not have more than one wildcard.`},
		{"expose header wildcard", doc(minimal + `<ExposeHeader>ETag</ExposeHeader><ExposeHeader>x-amz-meta-*</ExposeHeader>`),
			codeInvalidRequest, `ExposeHeader "x-amz-meta-*" contains wildcard. We currently do not support wildcard for ExposeHeader.`},
		{"expose header *", doc(minimal + `<ExposeHeader>*</ExposeHeader>`),
			codeInvalidRequest, `ExposeHeader "*" contains wildcard. We currently do not support wildcard for ExposeHeader.`},
		{"ID of 256 characters", doc(minimal + `<ID>` + strings.Repeat("a", 256) + `</ID>`),
			codeInvalidRequest, "ID length should not exceed allowed limit of 255"},
		{"101 rules", doc(many...),
			codeInvalidRequest, "The number of CORS rules should not exceed allowed limit of 100 rules."},
		{"body over 64 KiB", doc(minimal + `<ID>x</ID>` + strings.Repeat("<!-- padding -->", MaxSize/16)),
			codeInvalidRequest, "The CORS configuration must not be larger than 64 KB."},
		{"rendering over 64 KiB", doc(`<AllowedMethod>GET</AllowedMethod><AllowedOrigin><![CDATA[` + strings.Repeat(`"`, 20000) + `]]></AllowedOrigin>`),
			codeInvalidRequest, "The CORS configuration must not be larger than 64 KB."},
		{"schema error before rule error", doc(`<AllowedMethod>PATCH</AllowedMethod><AllowedOrigin>*</AllowedOrigin>`, `<AllowedMethod>GET</AllowedMethod>`),
			malformedXML, ""},
		{"first rule error wins", doc(`<AllowedMethod>GET</AllowedMethod><AllowedOrigin>*.*.a</AllowedOrigin>`, `<AllowedMethod>PATCH</AllowedMethod><AllowedOrigin>*</AllowedOrigin>`),
			codeInvalidRequest, `AllowedOrigin "*.*.a" can not have more than one wildcard.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			message := tt.message
			if message == "" {
				message = "The XML you provided was not well-formed or did not validate against our published schema"
			}
			c, err := Parse([]byte(tt.body))
			if err == nil {
				t.Fatalf("Parse accepted it: %#v", c)
			}
			if c != nil {
				t.Errorf("Parse returned a config with its error")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			if e.Code != tt.code || e.Message != message {
				t.Fatalf("error = %q %q\nwant    %q %q", e.Code, e.Message, tt.code, message)
			}
			if e.Error() != tt.code+": "+message {
				t.Fatalf("Error() = %q", e.Error())
			}
		})
	}
}

func TestXMLGolden(t *testing.T) {
	c, err := Parse(readTestdata(t, "browser-upload.xml"))
	if err != nil {
		t.Fatal(err)
	}
	want := readTestdata(t, "browser-upload.golden.xml")
	if got := c.XML(); !bytes.Equal(got, want) {
		t.Fatalf("XML:\n got %s\nwant %s", got, want)
	}
}

func TestXMLEscapes(t *testing.T) {
	c := &Config{Rules: []Rule{{
		ID:             "a&b <c>",
		AllowedMethods: []string{"GET"},
		AllowedOrigins: []string{"https://x.example/\"q\"\n"},
		MaxAgeSeconds:  intp(-5),
	}, {
		// No ID: the element is left out.
		AllowedMethods: []string{"HEAD"},
		AllowedOrigins: []string{""},
	}}}
	want := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
		`<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><ID>a&amp;b &lt;c&gt;</ID>` +
		`<AllowedMethod>GET</AllowedMethod><AllowedOrigin>https://x.example/&#34;q&#34;&#xA;</AllowedOrigin>` +
		`<MaxAgeSeconds>-5</MaxAgeSeconds></CORSRule>` +
		`<CORSRule><AllowedMethod>HEAD</AllowedMethod><AllowedOrigin></AllowedOrigin></CORSRule></CORSConfiguration>`
	if got := string(c.XML()); got != want {
		t.Fatalf("XML:\n got %s\nwant %s", got, want)
	}
}

func TestRoundTrip(t *testing.T) {
	bodies := map[string][]byte{
		"browser-upload": readTestdata(t, "browser-upload.xml"),
		"no-namespace":   readTestdata(t, "no-namespace.xml"),
		"escapes": []byte(doc(`<ID>&lt;&amp;&gt;&#9;&#xD;&#xA;"'</ID><AllowedMethod>DELETE</AllowedMethod><AllowedOrigin>` +
			"a\r\nb</AllowedOrigin><AllowedOrigin/><AllowedHeader/><ExposeHeader> e </ExposeHeader><MaxAgeSeconds>-0</MaxAgeSeconds>")),
		"unicode": []byte(doc(`<ID>règle ✓</ID><AllowedMethod>HEAD</AllowedMethod><AllowedOrigin>https://例え.jp</AllowedOrigin>`)),
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			c, err := Parse(body)
			if err != nil {
				t.Fatal(err)
			}
			x := c.XML()
			c2, err := Parse(x)
			if err != nil {
				t.Fatalf("Parse(XML()): %v\n%s", err, x)
			}
			if !reflect.DeepEqual(c, c2) {
				t.Fatalf("round trip changed the config:\n got %#v\nwant %#v", c2, c)
			}
			if x2 := c2.XML(); !bytes.Equal(x, x2) {
				t.Fatalf("XML not stable:\n%s\n%s", x, x2)
			}
		})
	}
}

// preflightConfig is the configuration the matching tests run against. Its
// rules are ordered so that first-rule-wins is observable.
const preflightConfig = `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
<CORSRule><ID>exact</ID>
  <AllowedOrigin>https://app.example.net</AllowedOrigin>
  <AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod>
  <AllowedHeader>Authorization</AllowedHeader><AllowedHeader>x-amz-*</AllowedHeader><AllowedHeader>content-type</AllowedHeader>
  <ExposeHeader>ETag</ExposeHeader><ExposeHeader>x-amz-version-id</ExposeHeader>
  <MaxAgeSeconds>3000</MaxAgeSeconds>
</CORSRule>
<CORSRule><ID>subdomains</ID>
  <AllowedOrigin>https://*.example.com</AllowedOrigin>
  <AllowedMethod>POST</AllowedMethod><AllowedMethod>GET</AllowedMethod>
  <AllowedHeader>*</AllowedHeader>
</CORSRule>
<CORSRule><ID>suffix</ID>
  <AllowedOrigin>*.example.org</AllowedOrigin>
  <AllowedMethod>DELETE</AllowedMethod>
</CORSRule>
<CORSRule><ID>shadowed</ID>
  <AllowedOrigin>https://app.example.net</AllowedOrigin>
  <AllowedMethod>GET</AllowedMethod>
  <AllowedHeader>*</AllowedHeader>
  <MaxAgeSeconds>1</MaxAgeSeconds>
</CORSRule>
<CORSRule><ID>anyone</ID>
  <AllowedOrigin>*</AllowedOrigin>
  <AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod>
  <ExposeHeader>x-amz-request-id</ExposeHeader>
</CORSRule>
</CORSConfiguration>`

func mustParse(t testing.TB, body string) *Config {
	t.Helper()
	c, err := Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// hdr builds an expected header set; every CORS answer carries Vary.
func hdr(kv ...string) http.Header {
	h := http.Header{"Vary": {"Origin, Access-Control-Request-Headers, Access-Control-Request-Method"}}
	for i := 0; i < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

const (
	acao = "Access-Control-Allow-Origin"
	acac = "Access-Control-Allow-Credentials"
	acam = "Access-Control-Allow-Methods"
	acah = "Access-Control-Allow-Headers"
	aceh = "Access-Control-Expose-Headers"
	acma = "Access-Control-Max-Age"
)

func TestPreflight(t *testing.T) {
	c := mustParse(t, preflightConfig)
	exact := func(kv ...string) http.Header {
		return hdr(append([]string{acao, "https://app.example.net", acac, "true", acam, "GET, PUT",
			aceh, "ETag, x-amz-version-id", acma, "3000"}, kv...)...)
	}
	anyone := hdr(acao, "*", acam, "GET, HEAD", aceh, "x-amz-request-id")
	tests := []struct {
		name    string
		origin  string
		method  string
		headers []string
		want    http.Header // nil: no match
	}{
		{"exact origin, no headers", "https://app.example.net", "PUT", nil, exact()},
		{"exact origin, one header", "https://app.example.net", "PUT", []string{"Authorization"}, exact(acah, "authorization")},
		{"header wildcard x-amz-*", "https://app.example.net", "PUT",
			[]string{"x-amz-date", "X-Amz-Security-Token", "x-amz-content-sha256"},
			exact(acah, "x-amz-date, x-amz-security-token, x-amz-content-sha256")},
		{"multiple headers, requested order kept", "https://app.example.net", "GET",
			[]string{"content-type", "authorization", "x-amz-checksum-crc32"},
			exact(acah, "content-type, authorization, x-amz-checksum-crc32")},
		{"names trimmed, empties dropped", "https://app.example.net", "GET", []string{" Content-Type ", ""}, exact(acah, "content-type")},
		{"x-amz-* does not cover the bare prefix's neighbours", "https://app.example.net", "GET", []string{"x-amzdate"},
			// Not allowed by rule 1; rules 2-3 do not match the origin or method; rule 4 allows every header.
			hdr(acao, "https://app.example.net", acac, "true", acam, "GET", acah, "x-amzdate", acma, "1")},
		{"header not allowed by any rule", "https://app.example.net", "PUT", []string{"x-custom"}, nil},
		{"first rule wins over a later rule for the same origin", "https://app.example.net", "GET", []string{"authorization"},
			exact(acah, "authorization")},
		{"later rule when the first lacks the header", "https://app.example.net", "GET", []string{"x-custom"},
			hdr(acao, "https://app.example.net", acac, "true", acam, "GET", acah, "x-custom", acma, "1")},
		{"method not allowed", "https://app.example.net", "DELETE", nil, nil},
		{"method case-sensitive", "https://app.example.net", "put", nil, nil},
		{"empty method", "https://app.example.net", "", nil, nil},
		{"wildcard origin", "https://cdn.example.com", "POST", []string{"x-anything", "Authorization"},
			hdr(acao, "https://cdn.example.com", acac, "true", acam, "POST, GET", acah, "x-anything, authorization")},
		{"wildcard origin spans dots", "https://a.b.example.com", "POST", nil,
			hdr(acao, "https://a.b.example.com", acac, "true", acam, "POST, GET")},
		{"wildcard origin needs the prefix", "http://cdn.example.com", "POST", nil, nil},
		{"wildcard origin anchored at the end", "https://cdn.example.com.evil", "POST", nil, nil},
		{"wildcard origin with a trailing slash", "https://cdn.example.com/", "POST", nil, nil},
		{"leading wildcard matches empty", ".example.org", "DELETE", nil,
			hdr(acao, ".example.org", acac, "true", acam, "DELETE")},
		{"no AllowedHeader allows no requested header", "http://x.example.org", "DELETE", []string{"x-a"}, nil},
		{"origin match is case-sensitive", "https://APP.example.net", "PUT", nil, nil},
		{"any origin answers *", "http://random:1234", "HEAD", nil, anyone},
		{"any origin, credentials omitted, header refused", "http://random:1234", "GET", []string{"x-a"}, nil},
		{"exact origin falls through to * by method", "https://app.example.net", "HEAD", nil, anyone},
		{"empty origin", "", "GET", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, ok := c.Preflight(tt.origin, tt.method, tt.headers)
			if ok != (tt.want != nil) {
				t.Fatalf("ok = %v, headers %v", ok, h)
			}
			if !reflect.DeepEqual(h, tt.want) {
				t.Fatalf("headers:\n got %v\nwant %v", h, tt.want)
			}
		})
	}
}

func TestPreflightStarOriginBeside(t *testing.T) {
	// The AllowedOrigin that matched decides between echo and "*".
	c := mustParse(t, doc(`<AllowedMethod>GET</AllowedMethod><AllowedOrigin>https://a.example</AllowedOrigin><AllowedOrigin>*</AllowedOrigin>`))
	h, ok := c.Preflight("https://a.example", "GET", nil)
	if !ok || h.Get(acao) != "https://a.example" || h.Get(acac) != "true" {
		t.Fatalf("specific origin: %v %v", ok, h)
	}
	h, ok = c.Preflight("https://b.example", "GET", nil)
	if !ok || h.Get(acao) != "*" || h.Get(acac) != "" {
		t.Fatalf("other origin: %v %v", ok, h)
	}
}

func TestPreflightAllowedHeaderStar(t *testing.T) {
	c := mustParse(t, doc(`<AllowedMethod>PUT</AllowedMethod><AllowedOrigin>https://a.example</AllowedOrigin><AllowedHeader>*</AllowedHeader>`))
	h, ok := c.Preflight("https://a.example", "PUT", ParseRequestHeaders("Authorization,x-amz-date, Content-MD5 , amz-sdk-invocation-id"))
	if !ok {
		t.Fatal("no match")
	}
	if got, want := h.Get(acah), "authorization, x-amz-date, content-md5, amz-sdk-invocation-id"; got != want {
		t.Fatalf("Allow-Headers = %q, want %q", got, want)
	}
	if h.Get(acma) != "" || h.Get(aceh) != "" {
		t.Fatalf("unset Max-Age or Expose-Headers sent: %v", h)
	}
}

func TestWildcard(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"https://a.example", "https://a.example", true},
		{"https://a.example", "https://a.example/", false},
		{"*", "", true},
		{"*", "anything at all", true},
		{"https://*.example.com", "https://.example.com", true},
		{"https://*.example.com", "https://a.b.example.com", true},
		{"https://*.example.com", "https://example.com", false},
		{"prefix*", "prefix", true},
		{"prefix*", "bla.prefix", false},
		{"start*end", "startend", true},
		{"start*end", "0start12end", false},
		{"a*a", "a", false}, // prefix and suffix may not overlap
		{"a*a", "aa", true},
		{"ab*ba", "aba", false},
	}
	for _, tt := range tests {
		if got := wildcard(tt.pattern, tt.s); got != tt.want {
			t.Errorf("wildcard(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestActual(t *testing.T) {
	c := mustParse(t, preflightConfig)
	tests := []struct {
		name           string
		origin, method string
		want           http.Header
	}{
		{"exact origin, ETag exposed", "https://app.example.net", "PUT",
			hdr(acao, "https://app.example.net", acac, "true", acam, "GET, PUT", aceh, "ETag, x-amz-version-id", acma, "3000")},
		{"wildcard origin", "https://cdn.example.com", "POST", hdr(acao, "https://cdn.example.com", acac, "true", acam, "POST, GET")},
		{"any origin", "http://localhost:4566", "GET", hdr(acao, "*", acam, "GET, HEAD", aceh, "x-amz-request-id")},
		{"first rule by method", "https://app.example.net", "HEAD", hdr(acao, "*", acam, "GET, HEAD", aceh, "x-amz-request-id")},
		{"method not allowed anywhere", "https://cdn.example.com", "DELETE", nil},
		{"origin matches nothing", "https://x.example.org.evil", "DELETE", nil},
		{"no origin", "", "GET", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, ok := c.Actual(tt.origin, tt.method)
			if ok != (tt.want != nil) {
				t.Fatalf("ok = %v, headers %v", ok, h)
			}
			if !reflect.DeepEqual(h, tt.want) {
				t.Fatalf("headers:\n got %v\nwant %v", h, tt.want)
			}
			if h.Get(acah) != "" {
				t.Fatal("Allow-Headers on an actual request")
			}
		})
	}
}

func TestNilConfig(t *testing.T) {
	var c *Config
	if h, ok := c.Preflight("https://a.example", "GET", nil); ok || h != nil {
		t.Fatal("nil config matched a preflight")
	}
	if h, ok := c.Actual("https://a.example", "GET"); ok || h != nil {
		t.Fatal("nil config matched an actual request")
	}
}

func TestParseRequestHeaders(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{" , ,", nil},
		{"a, B,c", []string{"a", "b", "c"}},
		{"X-Amz-Date", []string{"x-amz-date"}},
		{"authorization,content-type,x-amz-content-sha256", []string{"authorization", "content-type", "x-amz-content-sha256"}},
		{"\tx-a ,, x-b\t", []string{"x-a", "x-b"}},
	}
	for _, tt := range tests {
		if got := ParseRequestHeaders(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseRequestHeaders(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"browser-upload.xml", "no-namespace.xml", "browser-upload.golden.xml"} {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte(preflightConfig))
	f.Add([]byte(doc(minimal)))
	f.Add([]byte(doc(minimal + `<ID>&lt;x&gt;</ID><MaxAgeSeconds>-3</MaxAgeSeconds><AllowedHeader/>`)))
	f.Add([]byte(doc(`<AllowedMethod>PATCH</AllowedMethod><AllowedOrigin>*.*</AllowedOrigin>`)))
	f.Add([]byte(`<s3:CORSConfiguration xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"><s3:CORSRule>` +
		`<s3:AllowedMethod>GET</s3:AllowedMethod><s3:AllowedOrigin><![CDATA[*]]></s3:AllowedOrigin></s3:CORSRule></s3:CORSConfiguration>`))
	f.Add([]byte("<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>\r\n</AllowedOrigin></CORSRule></CORSConfiguration>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := Parse(body)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || (e.Code != CodeMalformedXML && e.Code != codeInvalidRequest) || e.Message == "" {
				t.Fatalf("unexpected error %T %v", err, err)
			}
			if c != nil {
				t.Fatal("config returned with an error")
			}
			return
		}
		x := c.XML()
		c2, err := Parse(x)
		if err != nil {
			t.Fatalf("Parse(XML()) failed: %v\ninput %q\nXML   %q", err, body, x)
		}
		if !reflect.DeepEqual(c, c2) {
			t.Fatalf("round trip changed the config:\n got %#v\nwant %#v", c2, c)
		}
		if x2 := c2.XML(); !bytes.Equal(x, x2) {
			t.Fatalf("XML not stable:\n%q\n%q", x, x2)
		}
		// The matching functions must not panic on anything Parse accepts.
		// Each rule's first origin and method are tried (as literal values,
		// wildcards included), with its header patterns as requested names.
		for _, r := range c.Rules[:min(len(c.Rules), 10)] {
			names := ParseRequestHeaders(strings.Join(r.AllowedHeaders, ","))
			o, m := r.AllowedOrigins[0], r.AllowedMethods[0]
			h, ok := c.Preflight(o, m, append(names, "x-"+strconv.Itoa(len(o))))
			if ok != (h != nil) {
				t.Fatalf("Preflight ok=%v with headers %v", ok, h)
			}
			h, ok = c.Actual(o, m)
			if ok != (h != nil) || (o != "" && !ok) {
				t.Fatalf("Actual(%q, %q) = %v, %v: a rule's own origin and method must match", o, m, h, ok)
			}
		}
	})
}
