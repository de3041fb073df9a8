package audit

import (
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/pipeline"
)

// directParts writes an event's requestParameters, responseElements and
// additionalEventData straight from its record, with the same content as
// the maps Converter.Events builds (queryParams, s3Params, s3Additional,
// responseElements) but without building them: the trail encodes every
// request, and the maps were most of its cost.
type directParts struct {
	r        *pipeline.Record
	conv     *Converter
	s3       bool
	response bool
}

func (d *directParts) appendJSON(dst []byte) []byte {
	dst = append(dst, `,"requestParameters":`...)
	if d.s3 {
		dst = d.conv.appendS3Params(dst, d.r)
	} else {
		dst = d.conv.appendQueryParams(dst, d.r.Params)
	}
	dst = append(dst, `,"responseElements":`...)
	if d.response {
		dst = d.conv.appendResponse(dst, d.r.Result)
	} else {
		dst = append(dst, "null"...)
	}
	if d.s3 {
		dst = append(dst, `,"additionalEventData":`...)
		dst = appendS3Additional(dst, d.r)
	}
	return dst
}

// skipParam reports whether a Query parameter is left out of
// requestParameters (the protocol's own, too long, or a secret).
func skipParam(k string, vs []string) bool {
	return k == "Action" || k == "Version" || len(k) > 256 || len(vs) == 0 || (len(k) >= 6 && strings.EqualFold(k[:6], "x-amz-"))
}

// appendQueryParams writes queryParams(v).
func (c *Converter) appendQueryParams(dst []byte, v url.Values) []byte {
	if len(v) == 0 {
		return append(dst, "null"...)
	}
	if len(v) > maxParams {
		return appendObject(dst, queryParams(v))
	}
	start := len(dst)
	dst = append(dst, '{')
	n := 0
	for k, vs := range v {
		if k == "" || k[0] < 'A' || k[0] > 'Z' || strings.IndexByte(k, '.') >= 0 {
			// Lists (dotted names) or a name that lower-casing could make
			// equal to another: build the tree.
			return appendObject(dst[:start], queryParams(v))
		}
		if skipParam(k, vs) || c.secret(k) {
			continue
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		at := len(dst) + 1
		dst = appendString(dst, k)
		dst[at] += 'a' - 'A' // lowerFirst: k[0] is an upper-case letter
		dst = append(dst, ':')
		dst = appendScalar(dst, k, vs[0])
	}
	if n == 0 {
		return append(dst[:start], "null"...)
	}
	return append(dst, '}')
}

// appendS3Params writes s3Params(r).
func (c *Converter) appendS3Params(dst []byte, r *pipeline.Record) []byte {
	if len(r.Params) > maxS3Params {
		return appendObject(dst, s3Params(r))
	}
	dst = append(dst, '{')
	n := 0
	field := func(k, v string) {
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = appendString(dst, k)
		dst = append(dst, ':')
		dst = appendString(dst, v)
	}
	for k, vs := range r.Params {
		if len(k) > 256 || c.secret(k) || (k == "bucketName" && r.Bucket != "") || (k == "Host" && r.Host != "") || (k == "key" && r.Key != "") {
			continue
		}
		v := ""
		if len(vs) > 0 {
			v = vs[0]
		}
		if len(v) > 4096 {
			v = v[:4096]
		}
		field(k, v)
	}
	if r.Bucket != "" {
		field("bucketName", r.Bucket)
	}
	if r.Host != "" {
		field("Host", r.Host)
	}
	if r.Key != "" {
		field("key", r.Key)
	}
	return append(dst, '}')
}

// appendS3Additional writes s3Additional(r).
func appendS3Additional(dst []byte, r *pipeline.Record) []byte {
	dst = append(dst, '{')
	if r.SignatureVersion != "" {
		dst = append(dst, `"SignatureVersion":`...)
		dst = appendString(dst, r.SignatureVersion)
		dst = append(dst, ',')
	}
	if r.TLSCipher != "" {
		dst = append(dst, `"CipherSuite":`...)
		dst = appendString(dst, cipherSuite(r.TLSCipher))
		dst = append(dst, ',')
	}
	dst = append(dst, `"bytesTransferredIn":`...)
	dst = strconv.AppendInt(dst, r.BytesIn, 10)
	dst = append(dst, `,"bytesTransferredOut":`...)
	dst = strconv.AppendInt(dst, r.BytesOut, 10)
	switch r.Auth {
	case "header":
		dst = append(dst, `,"AuthenticationMethod":"AuthHeader"`...)
	case "query":
		dst = append(dst, `,"AuthenticationMethod":"QueryString"`...)
	}
	dst = append(dst, `,"x-amz-id-2":`...)
	dst = appendString(dst, r.RequestID)
	return append(dst, '}')
}

// appendResponse writes responseElements(result).
func (c *Converter) appendResponse(dst []byte, result any) []byte {
	v := reflect.ValueOf(result)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return append(dst, "null"...)
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return append(dst, "null"...)
	}
	start := len(dst)
	dst, fields := c.appendStruct(dst, v, 0)
	if fields == 0 {
		return append(dst[:start], "null"...)
	}
	return dst
}

// appendStruct writes a struct as structValue does, returning how many
// fields it wrote (-1: omitted, dst unchanged).
func (c *Converter) appendStruct(dst []byte, v reflect.Value, depth int) ([]byte, int) {
	if depth > maxResponseDepth {
		return dst, -1
	}
	p := c.plan(v.Type())
	dst = append(dst, '{')
	n := 0
	for _, f := range p.fields {
		fv, err := v.FieldByIndexErr(f.index)
		if err != nil {
			continue // under a nil embedded pointer
		}
		if f.omitEmpty && fv.IsZero() {
			continue
		}
		mark := len(dst)
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, f.name)
		dst = append(dst, ':')
		var ok bool
		if dst, ok = c.appendElem(dst, fv, depth+1, f.date); !ok {
			dst = dst[:mark]
			continue
		}
		n++
	}
	return append(dst, '}'), n
}

// appendElem writes one element as value does; false: omitted (dst
// unchanged).
func (c *Converter) appendElem(dst []byte, v reflect.Value, depth int, date bool) ([]byte, bool) {
	if depth > maxResponseDepth {
		return dst, false
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return dst, false
		}
		return c.appendElem(dst, v.Elem(), depth, date)
	case reflect.Struct:
		out, n := c.appendStruct(dst, v, depth)
		return out, n >= 0
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return dst, false
		}
		dst = append(dst, '[')
		n := 0
		for i := 0; i < v.Len(); i++ {
			mark := len(dst)
			if n > 0 {
				dst = append(dst, ',')
			}
			var ok bool
			if dst, ok = c.appendElem(dst, v.Index(i), depth+1, false); !ok {
				dst = dst[:mark]
				continue
			}
			n++
		}
		return append(dst, ']'), true
	case reflect.String:
		s := v.String()
		if date {
			s = c.responseDate(s)
		}
		return appendString(dst, s), true
	case reflect.Bool:
		return strconv.AppendBool(dst, v.Bool()), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(dst, v.Int(), 10), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.AppendInt(dst, int64(v.Uint()), 10), true
	case reflect.Float32, reflect.Float64:
		return appendFloat(dst, v.Float()), true
	}
	return dst, false
}

// maxSecretCache bounds the parameter names whose Secret answer a
// Converter keeps (names come from clients).
const maxSecretCache = 1024

// secret is Secret(name), remembered for the names seen most.
func (c *Converter) secret(name string) bool {
	c.secretMu.Lock()
	v, ok := c.secrets[name]
	c.secretMu.Unlock()
	if ok {
		return v
	}
	v = Secret(name)
	c.secretMu.Lock()
	if c.secrets == nil {
		c.secrets = map[string]bool{}
	}
	if len(c.secrets) < maxSecretCache {
		c.secrets[name] = v
	}
	c.secretMu.Unlock()
	return v
}
