// Package cors parses, validates and applies S3 bucket CORS configurations.
// It is pure: no I/O, no clock, no global state.
//
// Parse takes a PutBucketCors request body and either returns a *Config or an
// *Error carrying S3's code and message: "MalformedXML" for anything that is
// not a well-formed CORSConfiguration document of S3's schema (unknown or
// repeated elements, a rule without AllowedMethod or AllowedOrigin, no rule at
// all, a MaxAgeSeconds that is not a 32-bit integer), and "InvalidRequest" for
// a schema-valid document that breaks one of S3's rules (a method other than
// GET, PUT, POST, DELETE or HEAD; more than one '*' in an AllowedOrigin or an
// AllowedHeader; any '*' in an ExposeHeader; an ID longer than 255
// characters; more than MaxRules rules; more than MaxSize bytes). Element
// values are kept verbatim, neither trimmed nor normalised.
//
// Config.XML renders a configuration as GetBucketCors returns it. Whatever
// Parse accepts, Parse(c.XML()) accepts again and yields an equal Config
// (this is why Parse also refuses a document whose rendering would exceed
// MaxSize).
//
// Config.Preflight answers an OPTIONS request and Config.Actual a request
// carrying an Origin header; both return the response headers to add, or
// ok=false. The first matching rule wins. Origins are matched case-sensitively
// against AllowedOrigin patterns in which '*' stands for any run of
// characters, the empty one included; methods exactly; requested header names
// case-insensitively against AllowedHeader patterns. Deciding when a request
// is a CORS request, reading the request headers and writing the 403 error
// when nothing matches belong to the caller.
//
// A Config is safe for concurrent use by readers. Configs should come from
// Parse: the matching functions assume its validation held.
package cors

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

const (
	// MaxSize is the largest PutBucketCors body S3 accepts: "The document is
	// limited to 64 KB in size." A handler can read at most MaxSize+1 bytes
	// and hand them to Parse, which refuses anything longer.
	MaxSize = 64 << 10

	// MaxRules is the largest number of CORSRule elements in a configuration.
	MaxRules = 100

	// maxIDLength is the longest rule ID, in characters.
	maxIDLength = 255

	// namespace is S3's XML namespace.
	namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

	// CodeMalformedXML is the code of a malformed configuration (the other is InvalidRequest).
	CodeMalformedXML    = "MalformedXML"
	codeInvalidRequest  = "InvalidRequest"
	messageMalformedXML = "The XML you provided was not well-formed or did not validate against our published schema"

	// vary is the Vary header S3 sends with every CORS response.
	vary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
)

// Rule is one CORSRule. Slices keep the order of the document; a nil slice
// means the element was absent. MaxAgeSeconds is nil when absent.
type Rule struct {
	ID             string
	AllowedMethods []string
	AllowedOrigins []string
	AllowedHeaders []string
	ExposeHeaders  []string
	MaxAgeSeconds  *int
}

// Config is a bucket's CORS configuration: its rules in document order.
type Config struct {
	Rules []Rule
}

// Error is a PutBucketCors validation failure with S3's error code
// ("MalformedXML" or "InvalidRequest", both HTTP 400) and message.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func malformed() *Error { return &Error{Code: CodeMalformedXML, Message: messageMalformedXML} }

func invalid(message string) *Error { return &Error{Code: codeInvalidRequest, Message: message} }

func tooLarge() *Error {
	return invalid("The CORS configuration must not be larger than 64 KB.")
}

// Parse validates a PutBucketCors body and returns the configuration it
// describes. Every error is an *Error. The root element is CORSConfiguration
// in S3's namespace (http://s3.amazonaws.com/doc/2006-03-01/) or in none;
// its children are CORSRule elements, whose children are ID, AllowedHeader,
// AllowedMethod, AllowedOrigin, ExposeHeader and MaxAgeSeconds in any order.
// Comments, processing instructions and attributes are ignored; a DOCTYPE is
// refused.
func Parse(body []byte) (*Config, error) {
	if len(body) > MaxSize {
		return nil, tooLarge()
	}
	c, err := decode(body)
	if err != nil {
		return nil, err
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	// Keep the round trip closed: GetBucketCors's rendering must itself be
	// a body Parse accepts. It only exceeds the body's size for documents
	// within a few per cent of the limit or heavy with escaped characters.
	if len(c.XML()) > MaxSize {
		return nil, tooLarge()
	}
	return c, nil
}

// decode checks the document against S3's schema and collects the rules.
func decode(body []byte) (*Config, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	var c *Config
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, malformed()
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if c != nil || t.Name.Local != "CORSConfiguration" || (t.Name.Space != "" && t.Name.Space != namespace) {
				return nil, malformed()
			}
			if c, err = decodeConfig(d, t.Name.Space); err != nil {
				return nil, err
			}
		case xml.CharData:
			if !blank(t) {
				return nil, malformed()
			}
		case xml.Directive:
			return nil, malformed()
		case xml.Comment, xml.ProcInst:
		default:
			return nil, malformed()
		}
	}
	if c == nil {
		return nil, malformed()
	}
	return c, nil
}

func decodeConfig(d *xml.Decoder, space string) (*Config, error) {
	c := &Config{}
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, malformed()
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space != space || t.Name.Local != "CORSRule" {
				return nil, malformed()
			}
			r, err := decodeRule(d, space)
			if err != nil {
				return nil, err
			}
			c.Rules = append(c.Rules, r)
		case xml.EndElement:
			if len(c.Rules) == 0 {
				return nil, malformed()
			}
			return c, nil
		case xml.CharData:
			if !blank(t) {
				return nil, malformed()
			}
		case xml.Comment, xml.ProcInst:
		default:
			return nil, malformed()
		}
	}
}

func decodeRule(d *xml.Decoder, space string) (Rule, error) {
	var r Rule
	var haveID bool
	for {
		tok, err := d.Token()
		if err != nil {
			return Rule{}, malformed()
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space != space {
				return Rule{}, malformed()
			}
			v, err := leafText(d)
			if err != nil {
				return Rule{}, err
			}
			switch t.Name.Local {
			case "ID":
				if haveID {
					return Rule{}, malformed()
				}
				haveID, r.ID = true, v
			case "AllowedHeader":
				r.AllowedHeaders = append(r.AllowedHeaders, v)
			case "AllowedMethod":
				r.AllowedMethods = append(r.AllowedMethods, v)
			case "AllowedOrigin":
				r.AllowedOrigins = append(r.AllowedOrigins, v)
			case "ExposeHeader":
				r.ExposeHeaders = append(r.ExposeHeaders, v)
			case "MaxAgeSeconds":
				if r.MaxAgeSeconds != nil {
					return Rule{}, malformed()
				}
				// An xs:int: surrounding whitespace collapses, a sign is allowed.
				n, err := strconv.ParseInt(strings.Trim(v, " \t\r\n"), 10, 32)
				if err != nil {
					return Rule{}, malformed()
				}
				age := int(n)
				r.MaxAgeSeconds = &age
			default:
				return Rule{}, malformed()
			}
		case xml.EndElement:
			if len(r.AllowedMethods) == 0 || len(r.AllowedOrigins) == 0 {
				return Rule{}, malformed()
			}
			return r, nil
		case xml.CharData:
			if !blank(t) {
				return Rule{}, malformed()
			}
		case xml.Comment, xml.ProcInst:
		default:
			return Rule{}, malformed()
		}
	}
}

// leafText reads a text-only element's content up to its end tag.
func leafText(d *xml.Decoder) (string, error) {
	var b []byte
	for {
		tok, err := d.Token()
		if err != nil {
			return "", malformed()
		}
		switch t := tok.(type) {
		case xml.CharData:
			b = append(b, t...)
		case xml.EndElement:
			return string(b), nil
		case xml.Comment, xml.ProcInst:
		default:
			return "", malformed()
		}
	}
}

// blank reports whether b holds only XML whitespace.
func blank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// validate applies S3's rules beyond the schema, in document order.
func (c *Config) validate() error {
	if len(c.Rules) > MaxRules {
		return invalid("The number of CORS rules should not exceed allowed limit of 100 rules.")
	}
	for i := range c.Rules {
		r := &c.Rules[i]
		for _, m := range r.AllowedMethods {
			switch m {
			case http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodHead:
			default:
				return invalid("Found unsupported HTTP method in CORS config. Unsupported method is " + m)
			}
		}
		for _, o := range r.AllowedOrigins {
			if strings.Count(o, "*") > 1 {
				return invalid(`AllowedOrigin "` + o + `" can not have more than one wildcard.`)
			}
		}
		for _, h := range r.AllowedHeaders {
			if strings.Count(h, "*") > 1 {
				return invalid(`AllowedHeader "` + h + `" can not have more than one wildcard.`)
			}
		}
		for _, h := range r.ExposeHeaders {
			if strings.Contains(h, "*") {
				return invalid(`ExposeHeader "` + h + `" contains wildcard. We currently do not support wildcard for ExposeHeader.`)
			}
		}
		if utf8.RuneCountInString(r.ID) > maxIDLength {
			return invalid("ID length should not exceed allowed limit of 255")
		}
	}
	return nil
}

// XML renders the configuration as GetBucketCors returns it: an XML
// declaration, then CORSConfiguration in S3's namespace, each CORSRule with
// its elements in S3's order (ID, AllowedHeader*, AllowedMethod*,
// AllowedOrigin*, ExposeHeader*, MaxAgeSeconds). An empty ID is omitted.
func (c *Config) XML() []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<CORSConfiguration xmlns="` + namespace + `">`)
	if c != nil {
		for i := range c.Rules {
			r := &c.Rules[i]
			b.WriteString("<CORSRule>")
			if r.ID != "" {
				element(&b, "ID", r.ID)
			}
			for _, v := range r.AllowedHeaders {
				element(&b, "AllowedHeader", v)
			}
			for _, v := range r.AllowedMethods {
				element(&b, "AllowedMethod", v)
			}
			for _, v := range r.AllowedOrigins {
				element(&b, "AllowedOrigin", v)
			}
			for _, v := range r.ExposeHeaders {
				element(&b, "ExposeHeader", v)
			}
			if r.MaxAgeSeconds != nil {
				element(&b, "MaxAgeSeconds", strconv.Itoa(*r.MaxAgeSeconds))
			}
			b.WriteString("</CORSRule>")
		}
	}
	b.WriteString("</CORSConfiguration>")
	return b.Bytes()
}

func element(b *bytes.Buffer, name, value string) {
	b.WriteString("<" + name + ">")
	_ = xml.EscapeText(b, []byte(value)) // a bytes.Buffer does not fail
	b.WriteString("</" + name + ">")
}

// Preflight answers an OPTIONS request from origin (the Origin header) for
// method (Access-Control-Request-Method) with requestHeaders (the names in
// Access-Control-Request-Headers, see ParseRequestHeaders; they are trimmed
// and lower-cased here too, and empty names are dropped).
//
// The first rule matches whose AllowedOrigin matches origin, whose
// AllowedMethod holds method, and whose AllowedHeader patterns cover every
// requested name. The headers returned are Access-Control-Allow-Origin (the
// origin, or "*" when the AllowedOrigin that matched is exactly "*"),
// Access-Control-Allow-Methods (the rule's methods), Access-Control-Allow-Headers
// (the requested names, lower-cased, in request order; absent when none was
// requested), Access-Control-Expose-Headers and Access-Control-Max-Age when
// the rule sets them, Access-Control-Allow-Credentials: true unless the origin
// answered is "*", and Vary. Lists are joined with ", ".
//
// ok is false when no rule matches, or origin is empty; S3 then answers 403
// AccessForbidden "CORSResponse: This CORS request is not allowed. ..."
// without any Access-Control header. On a nil Config (no CORS configured)
// ok is false too; S3's message is then "CORSResponse: CORS is not enabled
// for this bucket.".
func (c *Config) Preflight(origin, method string, requestHeaders []string) (h http.Header, ok bool) {
	if c == nil || origin == "" {
		return nil, false
	}
	var names []string
	for _, n := range requestHeaders {
		if n = strings.ToLower(strings.Trim(n, " \t")); n != "" {
			names = append(names, n)
		}
	}
	for i := range c.Rules {
		r := &c.Rules[i]
		allowed, matched := r.matchOrigin(origin)
		if !matched || !r.allowsMethod(method) || !r.allowsHeaders(names) {
			continue
		}
		h := r.header(origin, allowed)
		if len(names) > 0 {
			h.Set("Access-Control-Allow-Headers", strings.Join(names, ", "))
		}
		return h, true
	}
	return nil, false
}

// Actual gives the CORS headers for a request that is not a preflight and
// carries an Origin header: those of the first rule whose AllowedOrigin
// matches origin and whose AllowedMethod holds method, as Preflight gives
// them but without Access-Control-Allow-Headers. S3 takes method from the
// request's Access-Control-Request-Method header when it carries one, and
// from the request line otherwise; request headers are not checked. ok is
// false when no rule matches or origin is empty, and then the response
// carries no CORS header (the request itself is served as usual).
func (c *Config) Actual(origin, method string) (h http.Header, ok bool) {
	if c == nil || origin == "" {
		return nil, false
	}
	for i := range c.Rules {
		r := &c.Rules[i]
		if allowed, matched := r.matchOrigin(origin); matched && r.allowsMethod(method) {
			return r.header(origin, allowed), true
		}
	}
	return nil, false
}

// header builds the response headers common to preflight and actual requests.
func (r *Rule) header(origin, allowed string) http.Header {
	h := make(http.Header, 7)
	if allowed == "*" {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Set("Access-Control-Allow-Methods", strings.Join(r.AllowedMethods, ", "))
	if len(r.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(r.ExposeHeaders, ", "))
	}
	if r.MaxAgeSeconds != nil {
		h.Set("Access-Control-Max-Age", strconv.Itoa(*r.MaxAgeSeconds))
	}
	h.Set("Vary", vary)
	return h
}

// matchOrigin returns the first AllowedOrigin that matches origin.
func (r *Rule) matchOrigin(origin string) (string, bool) {
	for _, o := range r.AllowedOrigins {
		if wildcard(o, origin) {
			return o, true
		}
	}
	return "", false
}

func (r *Rule) allowsMethod(method string) bool {
	for _, m := range r.AllowedMethods {
		if m == method {
			return true
		}
	}
	return false
}

// allowsHeaders reports whether every (lower-case) name matches an
// AllowedHeader, compared without regard to case.
func (r *Rule) allowsHeaders(names []string) bool {
	if len(names) == 0 {
		return true
	}
	if len(r.AllowedHeaders) == 0 {
		return false
	}
	patterns := make([]string, len(r.AllowedHeaders))
	for i, p := range r.AllowedHeaders {
		patterns[i] = strings.ToLower(p)
	}
next:
	for _, n := range names {
		for _, p := range patterns {
			if wildcard(p, n) {
				continue next
			}
		}
		return false
	}
	return true
}

// wildcard matches s against pattern, whose first '*' stands for any run of
// characters (the empty one included). Validation allows one '*' at most;
// any further '*' would be literal here.
func wildcard(pattern, s string) bool {
	i := strings.IndexByte(pattern, '*')
	if i < 0 {
		return pattern == s
	}
	prefix, suffix := pattern[:i], pattern[i+1:]
	return len(s) >= len(prefix)+len(suffix) && strings.HasPrefix(s, prefix) && strings.HasSuffix(s, suffix)
}

// ParseRequestHeaders splits an Access-Control-Request-Headers value
// ("a, B,c") into trimmed, lower-case names, dropping empty list elements.
// A request with the header repeated should pass the values joined by ",".
func ParseRequestHeaders(v string) []string {
	var names []string
	for n := range strings.SplitSeq(v, ",") {
		if n = strings.ToLower(strings.Trim(n, " \t")); n != "" {
			names = append(names, n)
		}
	}
	return names
}
