package token

import (
	"encoding/binary"
	"errors"
	"time"
)

// The session plaintext is a compact binary record: every field in a fixed
// order, strings and lists length-prefixed with uvarints, times as Unix
// nanoseconds (zero for the zero time). It is versioned by the token's
// version byte; decoding rejects trailing or missing bytes. The context
// keys of federated sessions (AssumeRoleWithWebIdentity, AssumeRoleWithSAML)
// come last and only when set, so tokens sealed before they existed still
// open.

var errCodec = errors.New("token: bad session encoding")

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendStrings(b []byte, list []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(list)))
	for _, s := range list {
		b = appendString(b, s)
	}
	return b
}

func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return binary.AppendVarint(b, 0)
	}
	return binary.AppendVarint(b, t.UnixNano())
}

// encodeSession appends the binary form of s.
func encodeSession(b []byte, s *Session) []byte {
	b = appendString(b, s.Kind)
	b = appendString(b, s.AccessKeyID)
	b = appendString(b, s.SecretAccessKey)
	b = appendString(b, s.Account)
	b = appendTime(b, s.IssuedAt)
	b = appendTime(b, s.Expires)
	b = appendString(b, s.RoleARN)
	b = appendString(b, s.RoleID)
	b = appendString(b, s.SessionName)
	b = appendString(b, s.SourceARN)
	b = appendString(b, s.SourceUserID)
	b = appendString(b, s.SourceName)
	b = appendString(b, s.SessionPolicy)
	b = appendStrings(b, s.PolicyARNs)
	b = appendTags(b, s.Tags)
	b = appendStrings(b, s.TransitiveTagKeys)
	b = appendString(b, s.SourceIdentity)
	if s.MFA {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = appendTime(b, s.MFAAuthTime)
	b = binary.AppendUvarint(b, uint64(s.ChainDepth))
	b = appendString(b, s.CallerARN)
	// Context keys come last and only when present, so tokens sealed
	// before they existed still decode.
	if len(s.ContextKeys) > 0 {
		b = binary.AppendUvarint(b, uint64(len(s.ContextKeys)))
		for _, k := range s.ContextKeys {
			b = appendString(b, k.Key)
			b = appendStrings(b, k.Values)
		}
	}
	return b
}

func appendTags(b []byte, tags []Tag) []byte {
	b = binary.AppendUvarint(b, uint64(len(tags)))
	for _, t := range tags {
		b = appendString(b, t.Key)
		b = appendString(b, t.Value)
	}
	return b
}

// decoder reads the binary form, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCodec
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.err = errCodec
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) strings() []string {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.err = errCodec
		return nil
	}
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for i := uint64(0); i < n && d.err == nil; i++ {
		out = append(out, d.string())
	}
	return out
}

func (d *decoder) tags() []Tag {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.err = errCodec
		return nil
	}
	var out []Tag
	for i := uint64(0); i < n && d.err == nil; i++ {
		out = append(out, Tag{Key: d.string(), Value: d.string()})
	}
	return out
}

func (d *decoder) time() time.Time {
	if d.err != nil {
		return time.Time{}
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errCodec
		return time.Time{}
	}
	d.b = d.b[n:]
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(0, v).UTC()
}

func (d *decoder) byte() byte {
	if d.err != nil || len(d.b) == 0 {
		d.err = errCodec
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// decodeSession parses the binary form.
func decodeSession(b []byte) (*Session, error) {
	d := &decoder{b: b}
	s := &Session{}
	s.Kind = d.string()
	s.AccessKeyID = d.string()
	s.SecretAccessKey = d.string()
	s.Account = d.string()
	s.IssuedAt = d.time()
	s.Expires = d.time()
	s.RoleARN = d.string()
	s.RoleID = d.string()
	s.SessionName = d.string()
	s.SourceARN = d.string()
	s.SourceUserID = d.string()
	s.SourceName = d.string()
	s.SessionPolicy = d.string()
	s.PolicyARNs = d.strings()
	s.Tags = d.tags()
	s.TransitiveTagKeys = d.strings()
	s.SourceIdentity = d.string()
	switch d.byte() {
	case 0:
	case 1:
		s.MFA = true
	default:
		d.err = errCodec
	}
	s.MFAAuthTime = d.time()
	s.ChainDepth = int(d.uvarint())
	s.CallerARN = d.string()
	if d.err == nil && len(d.b) > 0 {
		if n := d.uvarint(); d.err == nil && n > 0 && n <= uint64(len(d.b)) {
			for i := uint64(0); i < n && d.err == nil; i++ {
				s.ContextKeys = append(s.ContextKeys, ContextKey{Key: d.string(), Values: d.strings()})
			}
		} else {
			d.err = errCodec
		}
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, errCodec
	}
	return s, nil
}
