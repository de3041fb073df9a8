package audit

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends e as one line of JSON (no trailing newline), without
// reflection: events are encoded on the trail's hot path. The output
// decodes to the same value as encoding/json's (a test keeps them equal).
func (e *Event) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"eventVersion":`...)
	dst = appendString(dst, e.EventVersion)
	dst = append(dst, `,"userIdentity":`...)
	dst = e.UserIdentity.appendJSON(dst)
	dst = appendField(dst, "eventTime", e.EventTime)
	dst = appendField(dst, "eventSource", e.EventSource)
	dst = appendField(dst, "eventName", e.EventName)
	dst = appendField(dst, "awsRegion", e.AWSRegion)
	dst = appendField(dst, "sourceIPAddress", e.SourceIPAddress)
	dst = appendField(dst, "userAgent", e.UserAgent)
	dst = appendOptional(dst, "errorCode", e.ErrorCode)
	dst = appendOptional(dst, "errorMessage", e.ErrorMessage)
	if e.direct.r != nil {
		dst = e.direct.appendJSON(dst)
	} else {
		dst = append(dst, `,"requestParameters":`...)
		dst = appendObject(dst, e.RequestParameters)
		dst = append(dst, `,"responseElements":`...)
		dst = appendObject(dst, e.ResponseElements)
	}
	if len(e.AdditionalEventData) > 0 {
		dst = append(dst, `,"additionalEventData":`...)
		dst = appendObject(dst, e.AdditionalEventData)
	}
	dst = appendField(dst, "requestID", e.RequestID)
	dst = appendField(dst, "eventID", e.EventID)
	dst = append(dst, `,"readOnly":`...)
	dst = strconv.AppendBool(dst, e.ReadOnly)
	if len(e.Resources) > 0 {
		dst = append(dst, `,"resources":[`...)
		for i, r := range e.Resources {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"ARN":`...)
			dst = appendString(dst, r.ARN)
			dst = appendOptional(dst, "accountId", r.AccountID)
			dst = appendOptional(dst, "type", r.Type)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	dst = appendField(dst, "eventType", e.EventType)
	dst = append(dst, `,"managementEvent":`...)
	dst = strconv.AppendBool(dst, e.ManagementEvent)
	dst = appendOptional(dst, "recipientAccountId", e.RecipientAccountID)
	dst = appendOptional(dst, "sharedEventID", e.SharedEventID)
	dst = appendField(dst, "eventCategory", e.EventCategory)
	if t := e.TLSDetails; t != nil {
		dst = append(dst, `,"tlsDetails":{"tlsVersion":`...)
		dst = appendString(dst, t.TLSVersion)
		dst = appendField(dst, "cipherSuite", t.CipherSuite)
		dst = appendField(dst, "clientProvidedHostHeader", t.ClientProvidedHostHeader)
		dst = append(dst, '}')
	}
	return append(dst, '}')
}

func (u *UserIdentity) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"type":`...)
	dst = appendString(dst, u.Type)
	dst = appendField(dst, "principalId", u.PrincipalID)
	dst = appendOptional(dst, "arn", u.ARN)
	dst = appendOptional(dst, "accountId", u.AccountID)
	dst = appendOptional(dst, "accessKeyId", u.AccessKeyID)
	dst = appendOptional(dst, "userName", u.UserName)
	if s := u.SessionContext; s != nil {
		i := &s.SessionIssuer
		dst = append(dst, `,"sessionContext":{"sessionIssuer":{`...)
		n := len(dst)
		dst = appendOptional(dst, "type", i.Type)
		dst = appendOptional(dst, "principalId", i.PrincipalID)
		dst = appendOptional(dst, "arn", i.ARN)
		dst = appendOptional(dst, "accountId", i.AccountID)
		dst = appendOptional(dst, "userName", i.UserName)
		if len(dst) > n {
			dst = slices.Delete(dst, n, n+1) // the first field's comma
		}
		dst = append(dst, `},"webIdFederationData":{},"attributes":{"creationDate":`...)
		dst = appendString(dst, s.Attributes.CreationDate)
		dst = appendField(dst, "mfaAuthenticated", s.Attributes.MFAAuthenticated)
		dst = append(dst, '}')
		dst = appendOptional(dst, "sourceIdentity", s.SourceIdentity)
		dst = append(dst, '}')
	}
	dst = appendOptional(dst, "identityProvider", u.IdentityProvider)
	return append(dst, '}')
}

// appendField appends ,"name":"value".
func appendField(dst []byte, name, value string) []byte {
	dst = append(dst, ',', '"')
	dst = append(dst, name...)
	dst = append(dst, '"', ':')
	return appendString(dst, value)
}

// appendOptional appends ,"name":"value" unless value is empty.
func appendOptional(dst []byte, name, value string) []byte {
	if value == "" {
		return dst
	}
	return appendField(dst, name, value)
}

// appendObject appends m with its keys sorted (null for nil).
func appendObject(dst []byte, m map[string]any) []byte {
	if m == nil {
		return append(dst, "null"...)
	}
	var small [16]string
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		dst = appendValue(dst, m[k])
	}
	return append(dst, '}')
}

// appendValue appends a value of a parameters tree: what the converter
// builds (string, bool, int, int64, maps, lists) and what encoding/json
// decodes (float64 too). Anything else goes through encoding/json.
func appendValue(dst []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...)
	case string:
		return appendString(dst, v)
	case bool:
		return strconv.AppendBool(dst, v)
	case int:
		return strconv.AppendInt(dst, int64(v), 10)
	case int64:
		return strconv.AppendInt(dst, v, 10)
	case float64:
		return appendFloat(dst, v)
	case map[string]any:
		return appendObject(dst, v)
	case []any:
		dst = append(dst, '[')
		for i, x := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendValue(dst, x)
		}
		return append(dst, ']')
	}
	b, err := json.Marshal(v)
	if err != nil {
		return append(dst, "null"...)
	}
	return append(dst, b...)
}

// appendFloat formats f as encoding/json does.
func appendFloat(dst []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return append(dst, "null"...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	n := len(dst)
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		if m := len(dst) - n; m >= 4 && dst[len(dst)-4] == 'e' && dst[len(dst)-3] == '-' && dst[len(dst)-2] == '0' {
			dst[len(dst)-2] = dst[len(dst)-1]
			dst = dst[:len(dst)-1]
		}
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// plainASCII marks the bytes a JSON string holds as they are: printable
// ASCII but the quote and the backslash.
var plainASCII = func() (t [256]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// plain8 reports whether none of the eight bytes in x needs escaping: no
// control character, quote, backslash or non-ASCII byte.
func plain8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	hasZero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	return (x&highs)|((x-ones*0x20)&^x&highs)|hasZero(x^(ones*'"'))|hasZero(x^(ones*'\\')) == 0
}

// appendString appends s as a JSON string: control characters, quotes
// and backslashes escaped, invalid UTF-8 replaced by U+FFFD, and U+2028
// and U+2029 escaped (as encoding/json does, without its HTML escaping).
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight bytes at a time while none needs escaping.
		for i+8 <= len(s) && plain8(uint64(s[i])|uint64(s[i+1])<<8|uint64(s[i+2])<<16|uint64(s[i+3])<<24|
			uint64(s[i+4])<<32|uint64(s[i+5])<<40|uint64(s[i+6])<<48|uint64(s[i+7])<<56) {
			i += 8
		}
		for i < len(s) && plainASCII[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		if b := s[i]; b < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
