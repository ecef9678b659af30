package identity_test

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/audit"
	"inspraak/internal/config"
	"inspraak/internal/identity"
	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

func newKeyService(t *testing.T) (*identity.Service, *store.DB) {
	t.Helper()
	db := testdb.Open(t)
	base, _ := url.Parse("http://inspraak.test")
	cfg := &config.Config{BaseURL: base, SessionKey: []byte("session-0123456789-0123456789-01"),
		PseudonymKey: []byte("pseudo-0123456789-0123456789-012"), PseudonymKeyVersion: 1}
	s, err := identity.NewService(identity.Options{DB: db, Config: cfg, Audit: audit.New(db)})
	if err != nil {
		t.Fatal(err)
	}
	return s, db
}

func staffMember(t *testing.T, db *store.DB, name string, roles ...identity.Role) *identity.StaffMember {
	t.Helper()
	now := time.Now().UTC()
	m := &identity.StaffMember{Issuer: "https://idp.test", Subject: name, Name: name, Roles: identity.JoinRoles(roles), CreatedAt: now, LastLoginAt: now}
	if err := db.Create(m).Error; err != nil {
		t.Fatal(err)
	}
	return m
}

// failAudit makes every write to the audit log fail from now on.
func failAudit(t *testing.T, db *store.DB) {
	t.Helper()
	if err := db.Callback().Create().Before("gorm:create").Register("test:fail_audit", func(tx *gorm.DB) {
		if tx.Statement.Table == "audit_log" {
			_ = tx.AddError(errors.New("audit log unavailable"))
		}
	}); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, db *store.DB, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Table(table).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// An API key and its audit record are made together: an analyst's key is
// on record with its name; a key whose record cannot be written does not
// exist; only those who may analyse make one, only administrators end
// someone else's.
func TestAPIKeysAreOnRecordWithTheirChange(t *testing.T) {
	ctx := context.Background()
	s, db := newKeyService(t)
	analyst := staffMember(t, db, "Ana List", identity.RoleAnalyst)
	editor := staffMember(t, db, "Eddy Tor", identity.RoleEditor)
	admin := staffMember(t, db, "Ad Min", identity.RoleAdmin)

	key, err := s.NewAPIKey(ctx, analyst, "dashboard")
	if err != nil {
		t.Fatal(err)
	}
	if owner, err := s.APIKeyOwner(ctx, key); err != nil || owner.ID != analyst.ID {
		t.Fatalf("the new key's owner: %v %v", owner, err)
	}
	if n := count(t, db, "audit_log", "action = ? AND actor = ? AND detail LIKE ?", "api.token.create", analyst.Actor(), "%dashboard%"); n != 1 {
		t.Fatalf("%d records of the key made, want 1", n)
	}
	if _, err := s.NewAPIKey(ctx, editor, "x"); apperror.CodeOf(err) != apperror.Forbidden {
		t.Fatalf("an editor made a key: %v", err)
	}
	keys, err := s.APIKeys(ctx, analyst.ID)
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys: %v %v", keys, err)
	}
	if err := s.RevokeAnyAPIKey(ctx, editor, keys[0].ID); apperror.CodeOf(err) != apperror.Forbidden {
		t.Fatalf("an editor revoked someone's key: %v", err)
	}
	if err := s.RevokeAPIKey(ctx, admin, keys[0].ID); apperror.CodeOf(err) != apperror.NotFound {
		t.Fatalf("an administrator revoked another's key as their own: %v", err)
	}

	failAudit(t, db)
	if _, err := s.NewAPIKey(ctx, analyst, "zonder verslag"); err == nil {
		t.Fatal("a key was made while its audit record could not be written")
	}
	if n := count(t, db, "api_tokens", "staff_id = ?", analyst.ID); n != 1 {
		t.Fatalf("%d keys after the failed record, want the 1 from before", n)
	}
	if err := s.RevokeAnyAPIKey(ctx, admin, keys[0].ID); err == nil {
		t.Fatal("a key was revoked while its audit record could not be written")
	}
	if _, err := s.APIKeyOwner(ctx, key); err != nil {
		t.Fatalf("the key stopped although its revocation failed: %v", err)
	}
}
