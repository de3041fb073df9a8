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
	buf.WriteString(xml.Header)
	buf.WriteString("<" + action + "Response xmlns=\"" + ns + "\">")
	if result != nil {
		start := xml.StartElement{Name: xml.Name{Local: action + "Result"}}
		if err := xml.NewEncoder(&buf).EncodeElement(result, start); err != nil {
			WriteQueryError(w, ns, &Error{Code: "InternalFailure", Message: internalMessage, Status: 500}, requestID)
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
