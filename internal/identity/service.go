package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/oauth2"
	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/audit"
	"inspraak/internal/config"
	"inspraak/internal/store"
)

// Timeouts.
const (
	PendingLoginTTL     = 10 * time.Minute
	ResidentIdle        = 15 * time.Minute
	ResidentAbsolute    = 2 * time.Hour
	ResidentIdleWarning = 2 * time.Minute
	StaffIdle           = 60 * time.Minute
	StaffAbsolute       = 10 * time.Hour
	// touchEvery limits writes: last_seen_at moves at most this often.
	touchEvery = 30 * time.Second
)

// Service runs logins, sessions and staff roles.
type Service struct {
	db      *store.DB
	keys    *Keyring
	rps     map[Means]*RP
	cfgs    map[Means]*config.Provider
	audit   *audit.Log
	verify  Verifier
	log     *slog.Logger
	baseURL string
	now     func() time.Time
	// bindKey makes the values of the cookies that bind pending logins
	// to browsers (see LoginBinding).
	bindKey []byte
}

// Options configure the Service.
type Options struct {
	DB       *store.DB
	Config   *config.Config
	Audit    *audit.Log
	Verifier Verifier
	Log      *slog.Logger
	HTTP     *http.Client
	Now      func() time.Time
	OldKeys  map[int][]byte
}

// NewService builds the login service for the configured providers.
func NewService(o Options) (*Service, error) {
	keys, err := NewKeyring(o.Config.PseudonymKeyVersion, o.Config.PseudonymKey, o.OldKeys)
	if err != nil {
		return nil, err
	}
	if len(o.Config.SessionKey) == 0 {
		return nil, errors.New("identity: no session key to bind logins to browsers with")
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 15 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Verifier == nil {
		o.Verifier = NoVerification{}
	}
	s := &Service{db: o.DB, keys: keys, rps: map[Means]*RP{}, cfgs: map[Means]*config.Provider{},
		audit: o.Audit, verify: o.Verifier, log: o.Log, baseURL: o.Config.BaseURL.String(), now: o.Now,
		bindKey: bindingKey(o.Config.SessionKey)}
	for name, pc := range o.Config.Providers {
		m := Means(name)
		s.cfgs[m] = pc
		s.rps[m] = NewRP(pc, s.CallbackURL(m), o.HTTP)
	}
	return s, nil
}

// CallbackURL is the redirect URI registered at a provider.
func (s *Service) CallbackURL(m Means) string {
	if m == Staff {
		return s.baseURL + "/beheer/inloggen/terug"
	}
	return s.baseURL + "/inloggen/" + string(m) + "/terug"
}

// PostLogoutURL is where a provider sends the browser after logout.
func (s *Service) PostLogoutURL(m Means) string {
	if m == Staff {
		return s.baseURL + "/beheer/uitgelogd"
	}
	return s.baseURL + "/uitgelogd"
}

// BackChannelURL is the staff back-channel logout endpoint.
func (s *Service) BackChannelURL() string { return s.baseURL + "/beheer/uitloggen/backchannel" }

// DiscoverAll tries discovery for every non-development provider; the
// caller decides whether a failure stops the start (production) or not.
func (s *Service) DiscoverAll(ctx context.Context) error {
	var errs []error
	for m, rp := range s.rps {
		if s.cfgs[m].Dev {
			continue // served by this process: not listening yet
		}
		if err := rp.Discover(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Configured reports whether a means has a provider.
func (s *Service) Configured(m Means) bool { _, ok := s.rps[m]; return ok }

// Available reports whether a means can be used right now.
func (s *Service) Available(ctx context.Context, m Means) bool {
	rp, ok := s.rps[m]
	return ok && rp.Available(ctx)
}

func random(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("identity: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// BeginLogin stores a pending login and returns the provider's address
// and the state. The caller binds the login to the browser with a cookie
// valued LoginBinding(state). returnPath must already be a local path;
// minLoA is the level the page that sent the visitor here needs, or "".
func (s *Service) BeginLogin(ctx context.Context, m Means, returnPath, minLoA string) (target, state string, err error) {
	rp, ok := s.rps[m]
	if !ok {
		return "", "", apperror.New(apperror.NotFound, "login.error.not_configured")
	}
	now := s.now().UTC()
	pl := PendingLogin{
		State: random(32), Means: m, Verifier: oauth2.GenerateVerifier(), Nonce: random(32),
		ReturnPath: returnPath, MinLoA: minLoA, CreatedAt: now, ExpiresAt: now.Add(PendingLoginTTL),
	}
	u, err := rp.AuthURL(ctx, pl.State, pl.Nonce, pl.Verifier, minLoA)
	if err != nil {
		s.log.WarnContext(ctx, "login provider unavailable", "means", m, "error", err)
		return "", "", apperror.Wrap(err, apperror.Unavailable, "login.error.unavailable")
	}
	if err := s.db.WithContext(ctx).Create(&pl).Error; err != nil {
		return "", "", err
	}
	return u, pl.State, nil
}

// Completed is a finished login.
type Completed struct {
	Token      string // the new session's cookie value
	Kind       string
	ReturnPath string
	// NeedsName is true when a participant has not chosen a display name.
	NeedsName bool
	// Unverified is true when verification was wanted but did not answer.
	Unverified bool
}

// CompleteLogin handles the provider's callback: binding (the browser's
// cookie) must be LoginBinding(state), else nothing is touched; the state
// must match a pending login of this means (used once), the code is
// exchanged, the token verified, claims checked, and a new session made.
// Every failure is audited with its reason.
func (s *Service) CompleteLogin(ctx context.Context, m Means, q url.Values, binding string) (*Completed, error) {
	c, err := s.completeLogin(ctx, m, q, binding)
	if err != nil {
		reason := ReasonOf(err)
		if reason == "" {
			reason = "internal"
		}
		_ = s.audit.Record(ctx, audit.Event{ActorKind: audit.ActorAnonymous, Action: "login.failed", Target: string(m),
			Detail: map[string]any{"reason": reason}})
		s.log.InfoContext(ctx, "login failed", "means", m, "reason", reason, "error", redact(err))
	}
	return c, err
}

// redact keeps identifiers out of log lines: any run of 8 or more digits
// is masked (BSN and KVK numbers are 9 and 8 digits).
func redact(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	var b strings.Builder
	run := 0
	for i := 0; i < len(msg); i++ {
		if msg[i] >= '0' && msg[i] <= '9' {
			run++
			continue
		}
		flushDigits(&b, msg[i-run:i], run)
		run = 0
		b.WriteByte(msg[i])
	}
	flushDigits(&b, msg[len(msg)-run:], run)
	return b.String()
}

func flushDigits(b *strings.Builder, digits string, run int) {
	if run >= 8 {
		b.WriteString(strings.Repeat("*", run))
	} else {
		b.WriteString(digits)
	}
}

func (s *Service) completeLogin(ctx context.Context, m Means, q url.Values, binding string) (*Completed, error) {
	rp, ok := s.rps[m]
	if !ok {
		return nil, apperror.New(apperror.NotFound, "login.error.not_configured")
	}
	state := q.Get("state")
	if state == "" && q.Get("error") != "" {
		// A cancellation that names no login ends none.
		return nil, providerError(q)
	}
	// Not started in this browser: refused before the pending login is
	// looked at, so whoever learnt the state (it travels in URLs) can
	// neither finish it with a leaked code nor cancel it with ?error=.
	if state != "" && !s.boundTo(state, binding) {
		return nil, loginFailure(ReasonState, errors.New("login not started in this browser"))
	}
	pl, err := s.takePending(ctx, state)
	if q.Get("error") != "" {
		return nil, providerError(q)
	}
	if err != nil {
		return nil, err
	}
	if pl.Means != m {
		return nil, loginFailure(ReasonState, errors.New("state belongs to another provider"))
	}
	code := q.Get("code")
	if code == "" {
		return nil, loginFailure(ReasonProviderError, errors.New("callback without code"))
	}
	toks, err := rp.Exchange(ctx, code, pl.Verifier, pl.Nonce)
	if err != nil {
		return nil, err
	}
	if m == Staff {
		return s.completeStaff(ctx, rp, toks, pl)
	}
	return s.completeResident(ctx, m, toks, pl)
}

// takePending finds and deletes the pending login for state, in one step,
// so a state (and with it the code verifier) is used once at most.
func (s *Service) takePending(ctx context.Context, state string) (*PendingLogin, error) {
	if state == "" {
		return nil, loginFailure(ReasonState, errors.New("callback without state"))
	}
	var pl PendingLogin
	err := s.db.WithTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("state = ?", state).Take(&pl).Error; err != nil {
			return err
		}
		res := tx.Where("state = ?", state).Delete(&PendingLogin{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return gorm.ErrRecordNotFound
		}
		return nil
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, loginFailure(ReasonState, errors.New("unknown or used state"))
	}
	if err != nil {
		return nil, err
	}
	if s.now().After(pl.ExpiresAt) {
		return nil, loginFailure(ReasonState, errors.New("pending login expired"))
	}
	return &pl, nil
}

// loa reads and normalises the level of assurance claim.
func (s *Service) loa(m Means, claims map[string]any) string {
	cfg := s.cfgs[m]
	v, _ := LookupString(claims, cfg.LoAClaim)
	if mapped, ok := cfg.LoAMap[v]; ok {
		return mapped
	}
	return v
}

func (s *Service) completeResident(ctx context.Context, m Means, toks *Tokens, pl *PendingLogin) (*Completed, error) {
	cfg := s.cfgs[m]
	id, ok := LookupString(toks.Claims, cfg.IDClaim)
	if !ok {
		return nil, loginFailure(ReasonMissingClaim, fmt.Errorf("claim %s missing", ClaimPath(cfg.IDClaim)))
	}
	var kind Kind
	switch m {
	case DigiD:
		// Signicat-style sector prefixes: s00000000 is a BSN, s00000001 a
		// SOFI number, which is not accepted.
		if sector, rest, found := strings.Cut(id, ":"); found {
			if sector == "s00000001" {
				return nil, loginFailure(ReasonSOFI, errors.New("sector s00000001 (SOFI) refused"))
			}
			if sector != "s00000000" {
				return nil, loginFailure(ReasonInvalidBSN, errors.New("unknown sector"))
			}
			id = rest
		}
		if !ValidBSN(id) {
			return nil, loginFailure(ReasonInvalidBSN, errors.New("BSN fails the 11-test"))
		}
		kind = KindBSN
	case EHerkenning:
		if !ValidKVK(id) {
			return nil, loginFailure(ReasonInvalidKVK, errors.New("KVK number is not 8 digits"))
		}
		kind = KindKVK
	}
	loa := s.loa(m, toks.Claims)
	if LoARank(m, loa) == 0 {
		return nil, loginFailure(ReasonLoA, errors.New("unknown level of assurance"))
	}
	if pl.MinLoA != "" && !MeetsLoA(m, loa, pl.MinLoA) {
		return nil, loginFailure(ReasonLoA, errors.New("level of assurance too low"))
	}
	pseudo := s.keys.Current(kind, id)
	var older []string
	for _, v := range s.keys.Versions() {
		if o, ok := s.keys.At(v, kind, id); ok {
			older = append(older, o.Value)
		}
	}
	var facts *Facts
	unverified := false
	if m == DigiD {
		f, err := s.verify.Verify(ctx, id)
		if err != nil {
			unverified = true
			s.log.WarnContext(ctx, "verification service did not answer; login continues without facts", "error", redact(err))
		} else {
			facts = f
		}
	}
	id = "" // the identifier is not needed past this point

	now := s.now().UTC()
	token := random(32)
	var p Participant
	err := s.firstLoginTx(ctx, func(tx *gorm.DB) error {
		p = Participant{}
		err := tx.Where("subject = ?", pseudo.Value).Take(&p).Error
		if errors.Is(err, gorm.ErrRecordNotFound) && len(older) > 0 {
			// Known under an older key: upgrade the pseudonym in place, so
			// the person keeps their history.
			err = tx.Where("subject IN ?", older).Take(&p).Error
			if err == nil {
				p.Subject, p.KeyVersion = pseudo.Value, pseudo.Version
			}
		}
		if errors.Is(err, gorm.ErrRecordNotFound) {
			p = Participant{Subject: pseudo.Value, KeyVersion: pseudo.Version, Means: m, CreatedAt: now}
		} else if err != nil {
			return err
		}
		p.LoA, p.LastLoginAt = loa, now
		if facts != nil {
			p.Resident, p.AgeBand, p.Wijk, p.VerifiedAt = &facts.Resident, facts.AgeBand, facts.Wijk, &now
		}
		if err := tx.Save(&p).Error; err != nil {
			return err
		}
		sess := Session{ID: hashToken(token), Kind: KindResident, ParticipantID: &p.ID, Means: m, LoA: loa,
			ProviderSID: toks.SID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(ResidentAbsolute)}
		if err := tx.Create(&sess).Error; err != nil {
			return err
		}
		return s.audit.RecordTx(tx, audit.Event{ActorKind: audit.ActorResident, Actor: pseudo.Value, Action: "login",
			Target: string(m), Detail: map[string]any{"loa": loa}})
	})
	if err != nil {
		return nil, store.MapError(err)
	}
	return &Completed{Token: token, Kind: KindResident, ReturnPath: pl.ReturnPath, NeedsName: p.DisplayName == "", Unverified: unverified}, nil
}

func (s *Service) completeStaff(ctx context.Context, rp *RP, toks *Tokens, pl *PendingLogin) (*Completed, error) {
	cfg := s.cfgs[Staff]
	if toks.Subject == "" {
		return nil, loginFailure(ReasonMissingClaim, errors.New("sub missing"))
	}
	iss, _ := toks.Claims["iss"].(string)
	groups := LookupStrings(toks.Claims, cfg.GroupsClaim)
	table := map[string][]Role{}
	for g, rs := range cfg.RoleMap {
		for _, r := range rs {
			table[g] = append(table[g], Role(r))
		}
	}
	roles := RolesFromGroups(groups, table)
	name, _ := LookupString(toks.Claims, cfg.NameClaim)
	if utf8.RuneCountInString(name) > 100 {
		name = string([]rune(name)[:100])
	}
	email, _ := LookupString(toks.Claims, ClaimPath{"email"})
	if len(email) > 254 || !strings.Contains(email, "@") || strings.ContainsAny(email, " \r\n<>") {
		email = ""
	}
	now := s.now().UTC()
	token := random(32)
	err := s.firstLoginTx(ctx, func(tx *gorm.DB) error {
		var m StaffMember
		err := tx.Where("issuer = ? AND subject = ?", iss, toks.Subject).Take(&m).Error
		isNew := errors.Is(err, gorm.ErrRecordNotFound)
		if err != nil && !isNew {
			return err
		}
		before := m.Roles
		if isNew {
			m = StaffMember{Issuer: iss, Subject: toks.Subject, CreatedAt: now}
		}
		m.Name, m.Email, m.Roles, m.LastLoginAt = name, email, JoinRoles(roles), now
		if err := tx.Save(&m).Error; err != nil {
			return err
		}
		actor := m.Actor()
		if isNew || before != m.Roles {
			if err := s.audit.RecordTx(tx, audit.Event{ActorKind: audit.ActorSystem, Action: "staff.roles_changed", Target: actor,
				Detail: map[string]any{"from": before, "to": m.Roles}}); err != nil {
				return err
			}
		}
		sess := Session{ID: hashToken(token), Kind: KindStaff, StaffID: &m.ID, Means: Staff, LoA: s.loa(Staff, toks.Claims),
			ProviderSID: toks.SID, IDToken: toks.RawID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(StaffAbsolute)}
		if err := tx.Create(&sess).Error; err != nil {
			return err
		}
		return s.audit.RecordTx(tx, audit.Event{ActorKind: audit.ActorStaff, Actor: actor, Action: "login", Target: string(Staff),
			Detail: map[string]any{"roles": m.Roles}})
	})
	if err != nil {
		return nil, store.MapError(err)
	}
	return &Completed{Token: token, Kind: KindStaff, ReturnPath: pl.ReturnPath}, nil
}

// firstLoginTx runs the transaction that finds or adds the person logging
// in and starts their session. Two first logins of one person at once (two
// tabs, two instances) both find no row and both add one: the second
// insert fails on the unique subject. Run again, the transaction finds the
// row the other one added and logs in as that person, so both succeed.
func (s *Service) firstLoginTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		err = s.db.WithTx(ctx, fn)
		if !errors.Is(err, gorm.ErrDuplicatedKey) && !store.Collided(err) {
			return err
		}
	}
	return err
}

// ErrNoSession means the cookie names no live session.
var ErrNoSession = errors.New("identity: no session")

// Current is the logged-in person behind a request.
type Current struct {
	Session     Session
	Participant *Participant
	Staff       *StaffMember
	Roles       []Role
	// IdleDeadline is when the session ends without activity.
	IdleDeadline time.Time
}

// Can reports whether the current staff member holds p.
func (c *Current) Can(p Permission) bool { return c != nil && Can(c.Roles, p) }

// Load returns the live session of a kind for a cookie value, ending it
// when it is idle too long or past its absolute end, and marking activity.
func (s *Service) Load(ctx context.Context, kind, token string) (*Current, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrNoSession
	}
	var sess Session
	// One query per request: the session joined with its person.
	var err error
	if kind == KindStaff {
		err = s.db.WithContext(ctx).Where("sessions.id = ? AND sessions.kind = ?", hashToken(token), kind).
			Joins("Staff").Take(&sess).Error
	} else {
		err = s.loadResident(ctx, hashToken(token), &sess)
	}
	if err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) || errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNoSession
		}
		return nil, err
	}
	now := s.now().UTC()
	idle := ResidentIdle
	if kind == KindStaff {
		idle = StaffIdle
	}
	if !now.Before(sess.ExpiresAt) || !now.Before(sess.LastSeenAt.Add(idle)) {
		s.db.WithContext(ctx).Where("id = ?", sess.ID).Delete(&Session{})
		return nil, ErrNoSession
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		s.db.WithContext(ctx).Model(&Session{}).Where("id = ?", sess.ID).Update("last_seen_at", now)
		sess.LastSeenAt = now
	}
	c := &Current{Session: sess, Participant: sess.Participant, Staff: sess.Staff}
	if sess.Staff != nil {
		c.Roles = sess.Staff.RoleList()
	}
	c.setDeadline()
	return c, nil
}

// setDeadline is when the session ends without activity: the idle limit
// after the last activity, but never past the absolute end.
func (c *Current) setDeadline() {
	idle := ResidentIdle
	if c.Session.Kind == KindStaff {
		idle = StaffIdle
	}
	c.IdleDeadline = c.Session.LastSeenAt.Add(idle)
	if c.Session.ExpiresAt.Before(c.IdleDeadline) {
		c.IdleDeadline = c.Session.ExpiresAt
	}
}

// Extend marks activity now (the "Blijf ingelogd" button).
func (s *Service) Extend(ctx context.Context, kind, token string) (*Current, error) {
	c, err := s.Load(ctx, kind, token)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if err := s.db.WithContext(ctx).Model(&Session{}).Where("id = ?", c.Session.ID).Update("last_seen_at", now).Error; err != nil {
		return nil, err
	}
	c.Session.LastSeenAt = now
	c.setDeadline()
	return c, nil
}

// Logout ends the local session first and returns the provider's logout
// address (empty when the provider has none).
func (s *Service) Logout(ctx context.Context, kind, token string) (string, error) {
	c, err := s.Load(ctx, kind, token)
	if err != nil {
		return "", nil // already gone: nothing to end
	}
	if err := s.db.WithContext(ctx).Where("id = ?", c.Session.ID).Delete(&Session{}).Error; err != nil {
		return "", err
	}
	actorKind, actor := audit.ActorResident, ""
	if c.Participant != nil {
		actor = c.Participant.Subject
	}
	if c.Staff != nil {
		actorKind, actor = audit.ActorStaff, c.Staff.Actor()
	}
	_ = s.audit.Record(ctx, audit.Event{ActorKind: actorKind, Actor: actor, Action: "logout", Target: string(c.Session.Means)})
	rp, ok := s.rps[c.Session.Means]
	if !ok {
		return "", nil
	}
	return rp.EndSessionURL(ctx, c.Session.IDToken, s.PostLogoutURL(c.Session.Means)), nil
}

// CleanExpired removes ended sessions, stale pending logins and old
// logout-token records. It returns how many sessions it removed.
func (s *Service) CleanExpired(ctx context.Context) (int64, error) {
	now := s.now().UTC()
	res := s.db.WithContext(ctx).Where("expires_at <= ? OR (kind = ? AND last_seen_at <= ?) OR (kind = ? AND last_seen_at <= ?)",
		now, KindResident, now.Add(-ResidentIdle), KindStaff, now.Add(-StaffIdle)).Delete(&Session{})
	if res.Error != nil {
		return 0, res.Error
	}
	if err := s.db.WithContext(ctx).Where("expires_at <= ?", now).Delete(&PendingLogin{}).Error; err != nil {
		return res.RowsAffected, err
	}
	err := s.db.WithContext(ctx).Where("expires_at <= ?", now).Delete(&LogoutTokenSeen{}).Error
	return res.RowsAffected, err
}

// Display names.
const (
	MinDisplayName = 2
	MaxDisplayName = 40
)

// SetDisplayName sets the name a participant shows with their ideas and
// comments.
func (s *Service) SetDisplayName(ctx context.Context, participantID int64, name string) error {
	name = strings.Join(strings.Fields(name), " ")
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0:
		return apperror.Invalid.WithFields(map[string]string{"name": "name.error.required"})
	case n < MinDisplayName || n > MaxDisplayName:
		return apperror.Invalid.WithFields(map[string]string{"name": "name.error.length"})
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || r == '<' || r == '>' {
			return apperror.Invalid.WithFields(map[string]string{"name": "name.error.characters"})
		}
	}
	if ValidBSN(digitsOnly(name)) || len(digitsOnly(name)) >= 8 {
		// A display name is public: it must not carry a BSN or phone number.
		return apperror.Invalid.WithFields(map[string]string{"name": "name.error.number"})
	}
	return s.db.WithContext(ctx).Model(&Participant{}).Where("id = ?", participantID).Update("display_name", name).Error
}

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// StaffList returns every staff member who ever logged in, newest login first.
func (s *Service) StaffList(ctx context.Context) ([]StaffMember, error) {
	var out []StaffMember
	err := s.db.WithContext(ctx).Order("last_login_at DESC").Order("id").Find(&out).Error
	return out, err
}

// residentSessionSQL reads a resident's session and participant in one
// round trip. It is on every resident request, so it is written out and
// scanned by hand rather than built by gorm (a third of a vote's CPU went
// to building and scanning the joined query).
const residentSessionSQL = `SELECT s.id, s.kind, s.participant_id, s.means, s.loa, s.provider_sid,
  s.created_at, s.last_seen_at, s.expires_at,
  p.id, p.subject, p.key_version, p.means, p.loa, p.display_name, p.resident, p.age_band,
  p.wijk, p.verified_at, p.created_at, p.last_login_at
FROM sessions s JOIN participants p ON p.id = s.participant_id
WHERE s.id = ? AND s.kind = 'resident'`

func (s *Service) loadResident(ctx context.Context, id string, sess *Session) error {
	var (
		p        Participant
		pid      int64
		resident sql.NullBool
		verified sql.NullTime
	)
	err := s.db.WithContext(ctx).Raw(residentSessionSQL, id).Row().Scan(
		&sess.ID, &sess.Kind, &pid, &sess.Means, &sess.LoA, &sess.ProviderSID,
		&sess.CreatedAt, &sess.LastSeenAt, &sess.ExpiresAt,
		&p.ID, &p.Subject, &p.KeyVersion, &p.Means, &p.LoA, &p.DisplayName, &resident, &p.AgeBand,
		&p.Wijk, &verified, &p.CreatedAt, &p.LastLoginAt)
	if err != nil {
		return err
	}
	if resident.Valid {
		p.Resident = &resident.Bool
	}
	if verified.Valid {
		t := verified.Time
		p.VerifiedAt = &t
	}
	sess.ParticipantID = &pid
	sess.Participant = &p
	return nil
}
