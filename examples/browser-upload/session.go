package main

import (
	"crypto/rand"
	"crypto/subtle"
	"net/http"
	"sync"
	"time"
)

// The app's own users. A real app has its own user store and login; this
// demo knows two users whose password is "demo-" + their name.
var demoUsers = []string{"alice", "bob"}

// checkPassword reports whether password is user's demo password.
func checkPassword(user, password string) bool {
	for _, u := range demoUsers {
		if u == user {
			return subtle.ConstantTimeCompare([]byte(password), []byte("demo-"+u)) == 1
		}
	}
	return false
}

const (
	sessionCookie   = "upload_session"
	sessionLifetime = 8 * time.Hour
)

// sessions are the logged-in browsers: a random token in an HttpOnly cookie
// maps to a user, in memory (a restart logs everyone out).
type sessions struct {
	mu   sync.Mutex
	byID map[string]session
}

type session struct {
	user    string
	expires time.Time
}

func newSessions() *sessions { return &sessions{byID: map[string]session{}} }

// start creates a session for user and sets its cookie.
func (ss *sessions) start(w http.ResponseWriter, r *http.Request, user string) {
	id := rand.Text()
	now := time.Now()
	ss.mu.Lock()
	for k, s := range ss.byID { // drop expired sessions as we go
		if now.After(s.expires) {
			delete(ss.byID, k)
		}
	}
	ss.byID[id] = session{user: user, expires: now.Add(sessionLifetime)}
	ss.mu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    id,
		Path:     "/",
		MaxAge:   int(sessionLifetime / time.Second),
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
}

// user returns the user of r's session, if it has a live one.
func (ss *sessions) user(r *http.Request) (string, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", false
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.byID[c.Value]
	if !ok || time.Now().After(s.expires) {
		return "", false
	}
	return s.user, true
}

// end forgets r's session, if any, and clears its cookie.
func (ss *sessions) end(w http.ResponseWriter, r *http.Request) (user string, ok bool) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		ss.mu.Lock()
		var s session
		s, ok = ss.byID[c.Value]
		delete(ss.byID, c.Value)
		ss.mu.Unlock()
		user = s.user
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return user, ok
}
