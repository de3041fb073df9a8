package awsapi

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
)

// WriteS3Error writes S3's REST-XML error shape
// Error/{Code,Message,<extra fields>,RequestId,HostId} with the
// x-amz-request-id and x-amz-id-2 headers. HEAD responses carry no body.
func WriteS3Error(w http.ResponseWriter, r *http.Request, e *Error, requestID string) {
	h := w.Header()
	h.Set("x-amz-request-id", requestID)
	h.Set("x-amz-id-2", requestID)
	if r.Method == http.MethodHead {
		w.WriteHeader(e.HTTPStatus())
		return
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	buf.WriteString("<Error><Code>")
	xml.EscapeText(&buf, []byte(e.Code))
	buf.WriteString("</Code><Message>")
	xml.EscapeText(&buf, []byte(e.Message))
	buf.WriteString("</Message>")
	for _, f := range e.Fields {
		buf.WriteString("<" + f.Name + ">")
		xml.EscapeText(&buf, []byte(f.Value))
		buf.WriteString("</" + f.Name + ">")
	}
	buf.WriteString("<RequestId>" + requestID + "</RequestId><HostId>" + requestID + "</HostId></Error>")
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(e.HTTPStatus())
	_, _ = w.Write(buf.Bytes())
}

// WriteS3ControlError writes S3 Control's error shape, which wraps S3's
// in ErrorResponse: ErrorResponse/{Error/{Code,Message},RequestId,HostId}.
func WriteS3ControlError(w http.ResponseWriter, e *Error, requestID string) {
	h := w.Header()
	h.Set("x-amz-request-id", requestID)
	h.Set("x-amz-id-2", requestID)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	buf.WriteString("<ErrorResponse><Error><Code>")
	xml.EscapeText(&buf, []byte(e.Code))
	buf.WriteString("</Code><Message>")
	xml.EscapeText(&buf, []byte(e.Message))
	buf.WriteString("</Message></Error><RequestId>" + requestID + "</RequestId><HostId>" + requestID + "</HostId></ErrorResponse>")
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(e.HTTPStatus())
	_, _ = w.Write(buf.Bytes())
}
