package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Query selects events of a trail. Empty fields select everything.
type Query struct {
	// Principal is an identity ARN (user, role session, root), an access
	// key id, a principal id (AIDA…, AROA…:session), an IAM user name or a
	// role ARN (every session of the role). An assumed-role session — its
	// ARN or its ASIA access key id — is followed back: the AssumeRole
	// event that issued its key is selected too, and so on back to
	// long-term credentials (Result.Chain).
	Principal string
	// Follow also selects what sessions did that Principal assumed (and
	// sessions those assumed).
	Follow bool
	// Action is an eventName, optionally with its service (sts:AssumeRole,
	// s3:GetObject); * matches any run of characters (s3:Get*).
	Action string
	// Resource matches a resource ARN or a request parameter (bucket
	// name, key, role ARN, user name) containing it.
	Resource string
	// Account selects one account's trail (recipientAccountId).
	Account string
	// Since and Until bound eventTime: Since ≤ eventTime < Until.
	Since, Until time.Time
	// Errors selects failed requests only (errorCode set).
	Errors bool
	// Limit stops after this many events (0: no limit).
	Limit int
}

// Result summarises a search.
type Result struct {
	// Chain is the provenance of a session principal: the events that
	// issued its credentials, the session's own first, back to the call
	// made with long-term credentials.
	Chain []*Event
	// Matched is how many events were selected; Skipped how many lines
	// could not be read as events (a torn last line while the server
	// writes, or damage).
	Matched, Skipped int
	// Files is how many trail files were read (each pass).
	Files int
}

// maxLine bounds one event's line when reading the trail.
const maxLine = 8 << 20

// maxChain bounds how far sessions are followed (AWS's role chains are
// far shorter).
const maxChain = 16

// ErrNoTrail is returned for a directory that holds no trail files.
var ErrNoTrail = errors.New("audit: no trail files")

// Search reads the trail in dir, oldest file first, and calls emit with
// every selected event in the order written.
func Search(dir string, q Query, emit func(*Event) error) (*Result, error) {
	files, err := listFiles(dir)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w in %s", ErrNoTrail, dir)
	}
	s := &searcher{dir: dir, files: files, q: q, res: &Result{}, keys: map[string]bool{}, chainIDs: map[string]bool{}}
	if err := s.resolvePrincipal(); err != nil {
		return nil, err
	}
	err = s.scan(func(e *Event) error {
		if !s.selected(e) {
			return nil
		}
		s.res.Matched++
		if err := emit(e); err != nil {
			return err
		}
		if q.Limit > 0 && s.res.Matched >= q.Limit {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return s.res, err
	}
	return s.res, nil
}

var errStop = errors.New("stop")

type searcher struct {
	dir   string
	files []trailFile
	q     Query
	res   *Result
	// keys are access keys whose every call is selected: a session's
	// keys, and with Follow the keys of sessions the principal assumed.
	keys map[string]bool
	// chainIDs are the eventIDs of the session's provenance.
	chainIDs map[string]bool
}

// IsSession reports whether a principal names an assumed-role session:
// an sts assumed-role ARN or a temporary (ASIA) access key id.
func IsSession(p string) bool {
	return isSessionKey(p) || (strings.HasPrefix(p, "arn:aws:sts::") && strings.Contains(p, ":assumed-role/"))
}

// isSessionKey reports whether s is a temporary access key id: ASIA and
// upper-case letters and digits, 20 characters.
func isSessionKey(s string) bool {
	if len(s) != 20 || !strings.HasPrefix(s, "ASIA") {
		return false
	}
	for i := 4; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// resolvePrincipal runs the passes that find a session's provenance and,
// with Follow, the sessions the principal assumed.
func (s *searcher) resolvePrincipal() error {
	p := s.q.Principal
	if p == "" {
		return nil
	}
	if IsSession(p) {
		if err := s.followBack(p); err != nil {
			return err
		}
	}
	if s.q.Follow {
		return s.followForward()
	}
	return nil
}

// followBack finds the events that issued a session's keys, and the
// events that issued the keys those were made with, until a call made
// with long-term credentials (or the trail's beginning).
func (s *searcher) followBack(p string) error {
	if isSessionKey(p) {
		s.keys[p] = true
	} else {
		// The session's keys: those its calls were signed with, and those
		// AssumeRole issued to it.
		err := s.scan(func(e *Event) error {
			if e.UserIdentity.ARN == p && e.UserIdentity.AccessKeyID != "" {
				s.keys[e.UserIdentity.AccessKeyID] = true
			}
			if id := e.IssuedAccessKey(); id != "" && assumedARN(e) == p {
				s.keys[id] = true
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	want := map[string]bool{}
	for k := range s.keys {
		want[k] = true
	}
	for depth := 0; depth < maxChain && len(want) > 0; depth++ {
		next := map[string]bool{}
		err := s.scan(func(e *Event) error {
			id := e.IssuedAccessKey()
			if id == "" || !want[id] || e.UserIdentity.Type == TypeAWSAccount || s.chainIDs[e.EventID] {
				return nil
			}
			s.res.Chain = append(s.res.Chain, e)
			s.chainIDs[e.EventID] = true
			if k := e.UserIdentity.AccessKeyID; strings.HasPrefix(k, "ASIA") {
				next[k] = true
			}
			return nil
		})
		if err != nil {
			return err
		}
		want = next
	}
	return nil
}

// followForward adds the keys of sessions the principal assumed, and of
// sessions those assumed.
func (s *searcher) followForward() error {
	for depth := 0; depth < maxChain; depth++ {
		added := false
		err := s.scan(func(e *Event) error {
			id := e.IssuedAccessKey()
			if id == "" || s.keys[id] || e.ErrorCode != "" || e.UserIdentity.Type == TypeAWSAccount {
				return nil
			}
			if s.principalMatches(e) || s.keys[e.UserIdentity.AccessKeyID] {
				s.keys[id] = true
				added = true
			}
			return nil
		})
		if err != nil {
			return err
		}
		if !added {
			return nil
		}
	}
	return nil
}

// assumedARN is the session ARN an AssumeRole event issued.
func assumedARN(e *Event) string {
	u, _ := e.ResponseElements["assumedRoleUser"].(map[string]any)
	arn, _ := u["arn"].(string)
	return arn
}

// principalMatches reports whether the event's caller is the principal.
func (s *searcher) principalMatches(e *Event) bool {
	p, u := s.q.Principal, &e.UserIdentity
	if p == "" {
		return true
	}
	if u.ARN == p || u.AccessKeyID == p || u.PrincipalID == p || (u.Type == TypeIAMUser && u.UserName == p) {
		return true
	}
	return u.SessionContext != nil && u.SessionContext.SessionIssuer.ARN == p
}

// selected applies the query to one event.
func (s *searcher) selected(e *Event) bool {
	if s.chainIDs[e.EventID] {
		return true // a session's provenance is always shown
	}
	q := &s.q
	if q.Principal != "" && !s.principalMatches(e) && !s.keys[e.UserIdentity.AccessKeyID] {
		return false
	}
	if q.Account != "" && e.RecipientAccountID != q.Account {
		return false
	}
	if q.Errors && e.ErrorCode == "" {
		return false
	}
	if q.Action != "" && !actionMatches(q.Action, e) {
		return false
	}
	if !q.Since.IsZero() || !q.Until.IsZero() {
		t := e.Time()
		if (!q.Since.IsZero() && t.Before(q.Since)) || (!q.Until.IsZero() && !t.Before(q.Until)) {
			return false
		}
	}
	if q.Resource != "" && !resourceMatches(q.Resource, e) {
		return false
	}
	return true
}

// actionMatches matches "Name" or "service:Name", with * wildcards.
func actionMatches(action string, e *Event) bool {
	name := action
	if svc, n, ok := strings.Cut(action, ":"); ok {
		if !strings.EqualFold(svc, e.Service()) {
			return false
		}
		name = n
	}
	if !strings.ContainsAny(name, "*?[") {
		return strings.EqualFold(name, e.EventName)
	}
	ok, err := path.Match(name, e.EventName)
	return err == nil && ok
}

// resourceMatches looks for r in the event's resource ARNs and in its
// request parameters' string values.
func resourceMatches(r string, e *Event) bool {
	for _, x := range e.Resources {
		if strings.Contains(x.ARN, r) {
			return true
		}
	}
	for _, v := range e.RequestParameters {
		if s, ok := v.(string); ok && strings.Contains(s, r) {
			return true
		}
	}
	return false
}

// scan calls fn with every event of the trail, in order.
func (s *searcher) scan(fn func(*Event) error) error {
	for _, f := range s.files {
		s.res.Files++
		err := readFile(filepath.Join(s.dir, f.name), func(line []byte) error {
			e, err := DecodeEvent(line)
			if err != nil {
				s.res.Skipped++
				return nil
			}
			return fn(e)
		})
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted by retention meanwhile
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// DecodeEvent reads one line of the trail.
func DecodeEvent(line []byte) (*Event, error) {
	var e Event
	if err := json.Unmarshal(line, &e); err != nil {
		return nil, err
	}
	if e.EventVersion == "" || e.EventName == "" && e.EventSource == "" {
		return nil, errors.New("audit: not an event")
	}
	return &e, nil
}

// readFile calls fn with each complete line of a file: nil for a line
// longer than maxLine (which is no event), and nothing for a last line
// without its newline (being written).
func readFile(name string, fn func([]byte) error) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	return readLines(f, fn)
}

func readLines(r io.Reader, fn func([]byte) error) error {
	return readLinesSize(r, 256<<10, maxLine, fn)
}

// readLinesSize is readLines reading size bytes at a time, with lines
// (newline included) of at most limit bytes; size must not exceed limit.
func readLinesSize(r io.Reader, size, limit int, fn func([]byte) error) error {
	br := bufio.NewReaderSize(r, size)
	var long []byte
	tooLong := false
	for {
		chunk, err := br.ReadSlice('\n')
		switch {
		case err == nil:
			line := chunk
			if len(long) > 0 || tooLong {
				if !tooLong && len(long)+len(chunk) <= limit {
					line = append(long, chunk...)
				} else {
					line = nil
				}
				long, tooLong = long[:0], false
			}
			if line != nil {
				line = line[:len(line)-1]
			}
			if ferr := fn(line); ferr != nil {
				return ferr
			}
		case errors.Is(err, bufio.ErrBufferFull):
			if !tooLong && len(long)+len(chunk) <= limit {
				long = append(long, chunk...)
			} else {
				tooLong, long = true, long[:0]
			}
		case errors.Is(err, io.EOF):
			return nil // an incomplete last line is being written
		default:
			return err
		}
	}
}
