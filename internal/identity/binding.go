package identity

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// A pending login is bound to the browser that started it by a cookie
// whose value is LoginBinding(state): an HMAC under a key derived from the
// session key. The state travels in URLs (the provider's address bar, its
// logs, a Referer), so knowing it must not be enough: without the key
// nobody can make the value for a state, and the value for one state says
// nothing about another's. CompleteLogin checks it in constant time before
// it touches the pending login, for a code and for a cancellation alike.
// Nothing is stored for it: the state is 256 random bits, used once.

// bindingKey derives the binding key from the session key, so the key
// serves this purpose only.
func bindingKey(sessionKey []byte) []byte {
	m := hmac.New(sha256.New, sessionKey)
	m.Write([]byte("inspraak login binding key"))
	return m.Sum(nil)
}

// LoginBinding is the value of the cookie that binds the pending login
// with this state to the browser that started it.
func (s *Service) LoginBinding(state string) string {
	m := hmac.New(sha256.New, s.bindKey)
	m.Write([]byte("login-binding|" + state))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// boundTo reports whether binding is this state's value.
func (s *Service) boundTo(state, binding string) bool {
	return binding != "" && hmac.Equal([]byte(s.LoginBinding(state)), []byte(binding))
}
