package awsapi

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
	"unicode/utf8"
)

// Namespaces of the Query-protocol services.
const (
	IAMNamespace = "https://iam.amazonaws.com/doc/2010-05-08/"
	STSNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"
)

// XMLAppender is implemented by results on hot paths that write their own
// XML (the content of <ActionResult>) instead of going through
// encoding/xml's reflection.
type XMLAppender interface {
	AppendXML(dst []byte) []byte
}

// AppendElement appends <name>escaped text</name>.
func AppendElement(dst []byte, name, text string) []byte {
	dst = append(dst, '<')
	dst = append(dst, name...)
	dst = append(dst, '>')
	dst = appendEscaped(dst, text)
	dst = append(dst, "</"...)
	dst = append(dst, name...)
	return append(dst, '>')
}

// xmlPlain marks the bytes appendEscaped copies as they are: printable
// ASCII but the five XML specials. It is a table, not a test of ranges,
// so the scan over a session token's random characters takes no branch
// that depends on them (those mispredict on every new token): a third of
// the time of a test of ranges (BenchmarkAppendEscaped), and faster than
// testing eight bytes at a time.
var xmlPlain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '<' && c != '>' && c != '&' && c != '"' && c != '\''
	}
	return t
}()

// appendEscaped escapes XML text exactly as xml.EscapeText does: the five
// specials and tab, newline and carriage return as references, invalid
// UTF-8 and characters XML does not allow as U+FFFD. Plain ASCII, nearly
// all of an answer, is copied in runs.
func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && xmlPlain[s[j]] {
			j++
		}
		dst = append(dst, s[i:j]...)
		if j == len(s) {
			break
		}
		i = j + 1
		switch c := s[j]; c {
		case '<':
			dst = append(dst, "&lt;"...)
		case '>':
			dst = append(dst, "&gt;"...)
		case '&':
			dst = append(dst, "&amp;"...)
		case '"':
			dst = append(dst, "&#34;"...)
		case '\'':
			dst = append(dst, "&#39;"...)
		case '\t':
			dst = append(dst, "&#x9;"...)
		case '\n':
			dst = append(dst, "&#xA;"...)
		case '\r':
			dst = append(dst, "&#xD;"...)
		default:
			if c < utf8.RuneSelf { // another control character
				dst = append(dst, "\uFFFD"...)
				continue
			}
			r, w := utf8.DecodeRuneInString(s[j:])
			i = j + w
			if r == utf8.RuneError && w == 1 || !xmlChar(r) {
				dst = append(dst, "\uFFFD"...)
				continue
			}
			dst = append(dst, s[j:i]...)
		}
	}
	return dst
}

// xmlChar reports whether XML allows r (its Char production), as
// encoding/xml checks it.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// WriteQueryResponse writes a successful Query-protocol response:
//
//	<ActionResponse xmlns=ns><ActionResult>result</ActionResult>
//	<ResponseMetadata><RequestId>id</RequestId></ResponseMetadata></ActionResponse>
//
// result is marshalled with encoding/xml as the *contents* of ActionResult;
// a nil result writes no Result element (AWS's shape for actions without
// output, such as DeleteUser). The document is built in scratch (which may
// be nil) and the buffer is returned, grown, for the caller to reuse: the
// response has been handed to w by then.
func WriteQueryResponse(w http.ResponseWriter, scratch []byte, ns, action string, result any, requestID string) []byte {
	buf := scratch[:0]
	buf = append(buf, xml.Header...)
	buf = append(buf, '<')
	buf = append(buf, action...)
	buf = append(buf, `Response xmlns="`...)
	buf = append(buf, ns...)
	buf = append(buf, `">`...)
	if f, ok := result.(XMLAppender); ok {
		buf = append(buf, '<')
		buf = append(buf, action...)
		buf = append(buf, "Result>"...)
		buf = f.AppendXML(buf)
		buf = append(buf, "</"...)
		buf = append(buf, action...)
		buf = append(buf, "Result>"...)
	} else if result != nil {
		var enc bytes.Buffer
		start := xml.StartElement{Name: xml.Name{Local: action + "Result"}}
		if err := xml.NewEncoder(&enc).EncodeElement(result, start); err != nil {
			WriteQueryError(w, ns, ErrInternalFailure.withStatus(http.StatusInternalServerError, internalMessage), requestID)
			return buf
		}
		buf = append(buf, enc.Bytes()...)
	}
	buf = append(buf, "<ResponseMetadata><RequestId>"...)
	buf = append(buf, requestID...)
	buf = append(buf, "</RequestId></ResponseMetadata></"...)
	buf = append(buf, action...)
	buf = append(buf, "Response>"...)
	setQueryHeaders(w.Header(), len(buf), requestID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf)
	return buf
}

// setQueryHeaders sets a Query response's headers. The keys are written in
// their canonical form directly: this runs on every IAM and STS answer,
// and Header.Set would canonicalize each of them again.
func setQueryHeaders(h http.Header, length int, requestID string) {
	// One array holds the four values; each slice is capped at its own
	// element, so an Add to one header cannot overwrite the next.
	v := [...]string{"text/xml", strconv.Itoa(length), requestID, requestID}
	vals := v[:]
	h["Content-Type"] = vals[0:1:1]
	h["Content-Length"] = vals[1:2:2]
	h["X-Amzn-Requestid"] = vals[2:3:3]
	h["X-Amz-Request-Id"] = vals[3:4:4]
}

type queryErrorBody struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

// WriteQueryError writes AWS's Query-protocol error shape
// ErrorResponse/Error/{Type,Code,Message} with the request id.
func WriteQueryError(w http.ResponseWriter, ns string, e *Error, requestID string) {
	body := queryErrorBody{Xmlns: ns, Type: "Sender", Code: e.Code, Message: e.Message, RequestID: requestID}
	if !e.Sender() {
		body.Type = "Receiver"
	}
	out, _ := xml.Marshal(body)
	setQueryHeaders(w.Header(), len(xml.Header)+len(out), requestID)
	w.WriteHeader(e.HTTPStatus())
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(out)
}
