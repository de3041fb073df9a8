package awsapi

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
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

// appendEscaped escapes XML text like xml.EscapeText.
func appendEscaped(dst []byte, s string) []byte {
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		switch s[i] {
		case '<', '>', '&', '"', '\'', '\t', '\n', '\r':
			clean = false
		}
	}
	if clean {
		return append(dst, s...)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
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
			dst = append(dst, c)
		}
	}
	return dst
}

// WriteQueryResponse writes a successful Query-protocol response:
//
//	<ActionResponse xmlns=ns><ActionResult>result</ActionResult>
//	<ResponseMetadata><RequestId>id</RequestId></ResponseMetadata></ActionResponse>
//
// result is marshalled with encoding/xml as the *contents* of ActionResult;
// a nil result writes no Result element (AWS's shape for actions without
// output, such as DeleteUser).
func WriteQueryResponse(w http.ResponseWriter, ns, action string, result any, requestID string) {
	var buf bytes.Buffer
	buf.Grow(2048) // session tokens make STS responses about 1 KiB
	buf.WriteString(xml.Header)
	buf.WriteString("<" + action + "Response xmlns=\"" + ns + "\">")
	if f, ok := result.(XMLAppender); ok {
		buf.WriteString("<" + action + "Result>")
		buf.Write(f.AppendXML(buf.AvailableBuffer()))
		buf.WriteString("</" + action + "Result>")
	} else if result != nil {
		start := xml.StartElement{Name: xml.Name{Local: action + "Result"}}
		if err := xml.NewEncoder(&buf).EncodeElement(result, start); err != nil {
			WriteQueryError(w, ns, ErrInternalFailure.withStatus(http.StatusInternalServerError, internalMessage), requestID)
			return
		}
	}
	buf.WriteString("<ResponseMetadata><RequestId>" + requestID + "</RequestId></ResponseMetadata>")
	buf.WriteString("</" + action + "Response>")
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("x-amzn-RequestId", requestID)
	h.Set("x-amz-request-id", requestID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
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
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(len(xml.Header)+len(out)))
	h.Set("x-amzn-RequestId", requestID)
	h.Set("x-amz-request-id", requestID)
	w.WriteHeader(e.HTTPStatus())
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(out)
}
