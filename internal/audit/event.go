package audit

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// EventVersion is the CloudTrail record format version written.
const EventVersion = "1.11"

// Identity types of userIdentity.type, as CloudTrail names them.
const (
	TypeRoot          = "Root"
	TypeIAMUser       = "IAMUser"
	TypeAssumedRole   = "AssumedRole"
	TypeFederatedUser = "FederatedUser"
	// TypeAWSAccount is another account's caller as the resource owner's
	// trail shows it, and an anonymous caller (accountId "anonymous").
	TypeAWSAccount = "AWSAccount"
	// TypeUnknown is a caller whose request failed authentication.
	TypeUnknown = "Unknown"
	// TypeWebIdentityUser and TypeSAMLUser are the callers of
	// AssumeRoleWithWebIdentity and AssumeRoleWithSAML: the subject their
	// token or assertion names, once verified.
	TypeWebIdentityUser = "WebIdentityUser"
	TypeSAMLUser        = "SAMLUser"
)

// AnonymousAccount is userIdentity.accountId of an anonymous request.
const AnonymousAccount = "anonymous"

// Event categories.
const (
	CategoryManagement = "Management"
	CategoryData       = "Data"
)

// TimeFormat is eventTime's and creationDate's format (UTC, seconds).
const TimeFormat = "2006-01-02T15:04:05Z"

// responseTimeFormat is how CloudTrail writes dates inside responseElements
// of IAM and STS events ("Oct 2, 2019, 11:12:29 PM").
const responseTimeFormat = "Jan 2, 2006, 3:04:05 PM"

// Event is one CloudTrail record. Field order and names are CloudTrail's;
// optional fields are omitted when they do not apply, as CloudTrail does.
// requestParameters and responseElements are written as null when the
// request had none (responseElements: every read-only call).
type Event struct {
	EventVersion    string       `json:"eventVersion"`
	UserIdentity    UserIdentity `json:"userIdentity"`
	EventTime       string       `json:"eventTime"`
	EventSource     string       `json:"eventSource"`
	EventName       string       `json:"eventName"`
	AWSRegion       string       `json:"awsRegion"`
	SourceIPAddress string       `json:"sourceIPAddress"`
	UserAgent       string       `json:"userAgent"`
	ErrorCode       string       `json:"errorCode,omitempty"`
	ErrorMessage    string       `json:"errorMessage,omitempty"`
	// RequestParameters and ResponseElements are JSON objects (decoded:
	// map[string]any).
	RequestParameters   map[string]any `json:"requestParameters"`
	ResponseElements    map[string]any `json:"responseElements"`
	AdditionalEventData map[string]any `json:"additionalEventData,omitempty"`
	RequestID           string         `json:"requestID"`
	EventID             string         `json:"eventID"`
	ReadOnly            bool           `json:"readOnly"`
	Resources           []Resource     `json:"resources,omitempty"`
	EventType           string         `json:"eventType"`
	ManagementEvent     bool           `json:"managementEvent"`
	RecipientAccountID  string         `json:"recipientAccountId,omitempty"`
	SharedEventID       string         `json:"sharedEventID,omitempty"`
	EventCategory       string         `json:"eventCategory"`
	TLSDetails          *TLSDetails    `json:"tlsDetails,omitempty"`

	// direct, when its record is set, has AppendJSON write
	// requestParameters, responseElements and additionalEventData from the
	// record instead of the maps above (which are then empty):
	// Converter.AppendEvents.
	direct directParts
}

// UserIdentity is who made the request.
type UserIdentity struct {
	Type string `json:"type"`
	// PrincipalID is written even when empty (anonymous callers), as
	// CloudTrail does.
	PrincipalID    string          `json:"principalId"`
	ARN            string          `json:"arn,omitempty"`
	AccountID      string          `json:"accountId,omitempty"`
	AccessKeyID    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
	// IdentityProvider is the provider that vouched for a WebIdentityUser
	// (the OIDC provider's name) or a SAMLUser (saml:namequalifier).
	IdentityProvider string `json:"identityProvider,omitempty"`
}

// SessionContext describes the session behind temporary credentials.
type SessionContext struct {
	// SessionIssuer is the role of a role session; empty ({}) for a
	// GetSessionToken session, as CloudTrail writes it.
	SessionIssuer       SessionIssuer     `json:"sessionIssuer"`
	WebIDFederationData struct{}          `json:"webIdFederationData"`
	Attributes          SessionAttributes `json:"attributes"`
	SourceIdentity      string            `json:"sourceIdentity,omitempty"`
}

// SessionIssuer is the role (or user) that issued a session.
type SessionIssuer struct {
	Type        string `json:"type,omitempty"`
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	UserName    string `json:"userName,omitempty"`
}

// SessionAttributes are the session's creation time and MFA sign-in.
type SessionAttributes struct {
	CreationDate     string `json:"creationDate"`
	MFAAuthenticated string `json:"mfaAuthenticated"` // "true" or "false"
}

// Resource is one resource the request acted on.
type Resource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type,omitempty"`
}

// TLSDetails are the connection's TLS facts.
type TLSDetails struct {
	TLSVersion               string `json:"tlsVersion"`
	CipherSuite              string `json:"cipherSuite"`
	ClientProvidedHostHeader string `json:"clientProvidedHostHeader"`
}

// Time is the event's time (zero when eventTime is not in TimeFormat).
func (e *Event) Time() time.Time {
	t, err := time.Parse(TimeFormat, e.EventTime)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Service is the short name of the event's source: iam, sts or s3.
func (e *Event) Service() string {
	s := e.EventSource
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i]
		}
	}
	return s
}

// IssuedAccessKey is the access key id of the temporary credentials the
// event issued (AssumeRole, GetSessionToken), or "".
func (e *Event) IssuedAccessKey() string {
	c, _ := e.ResponseElements["credentials"].(map[string]any)
	id, _ := c["accessKeyId"].(string)
	return id
}

// newEventID returns a random (version 4) UUID.
func newEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return formatUUID(b)
}

// idSource makes random UUIDs from random bytes read 4 KiB at a time; one
// goroutine uses it (the trail's).
type idSource struct {
	buf [4096]byte
	off int
}

func (s *idSource) next() string {
	if s.off == 0 || s.off+16 > len(s.buf) {
		_, _ = rand.Read(s.buf[:])
		s.off = 0
	}
	var b [16]byte
	copy(b[:], s.buf[s.off:])
	clear(s.buf[s.off : s.off+16])
	s.off += 16
	return formatUUID(b)
}

// formatUUID writes 16 random bytes as a version 4 UUID.
func formatUUID(b [16]byte) string {
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}
