package identity

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestValidBSN(t *testing.T) {
	for _, ok := range []string{"999993653", "111222333", "123456782"} {
		if !ValidBSN(ok) {
			t.Errorf("%s should pass the 11-test", ok)
		}
	}
	for _, bad := range []string{"", "123456789", "99999365", "9999936530", "00000000a", "000000000", "99999365x", " 99999365"} {
		if ValidBSN(bad) {
			t.Errorf("%q should fail", bad)
		}
	}
}

func FuzzValidBSNAgreesWithArithmetic(f *testing.F) {
	f.Add("999993653")
	f.Add("123456789")
	f.Fuzz(func(t *testing.T, s string) {
		got := ValidBSN(s)
		if len(s) != 9 {
			if got {
				t.Fatalf("%q accepted with length %d", s, len(s))
			}
			return
		}
		sum, zero := 0, true
		for i, c := range s {
			if c < '0' || c > '9' {
				if got {
					t.Fatalf("%q accepted with a non-digit", s)
				}
				return
			}
			d := int(c - '0')
			zero = zero && d == 0
			w := 9 - i
			if i == 8 {
				w = -1
			}
			sum += w * d
		}
		if want := !zero && sum%11 == 0; got != want {
			t.Fatalf("ValidBSN(%q) = %v, want %v", s, got, want)
		}
	})
}

func TestPseudonymsAreStableKeyedAndKindSeparated(t *testing.T) {
	k1, _ := NewKeyring(1, []byte("k1-0123456789abcdefghijklmnopqrstu"), nil)
	k1b, _ := NewKeyring(1, []byte("k1-0123456789abcdefghijklmnopqrstu"), nil)
	k2, _ := NewKeyring(2, []byte("k2-0123456789abcdefghijklmnopqrstu"), map[int][]byte{1: []byte("k1-0123456789abcdefghijklmnopqrstu")})
	a := k1.Current(KindBSN, "999993653")
	if a != k1b.Current(KindBSN, "999993653") {
		t.Error("same key, same input: pseudonym differs")
	}
	if a.Value == k1.Current(KindKVK, "999993653").Value {
		t.Error("a BSN and a KVK with the same digits share a pseudonym")
	}
	if strings.Contains(a.Value, "999993653") || len(a.Value) != 43 {
		t.Errorf("pseudonym %q", a.Value)
	}
	b := k2.Current(KindBSN, "999993653")
	if b.Value == a.Value || b.Version != 2 {
		t.Error("a new key must give a new pseudonym")
	}
	old, ok := k2.At(1, KindBSN, "999993653")
	if !ok || old != a {
		t.Error("the old key must still recognise the old pseudonym")
	}
	if _, err := NewKeyring(1, []byte("short"), nil); err == nil {
		t.Error("short key accepted")
	}
}

func TestLevelsOfAssurance(t *testing.T) {
	basis := Levels(DigiD)[0]
	midden := Levels(DigiD)[1]
	cases := []struct {
		m        Means
		got, min string
		want     bool
	}{
		{DigiD, midden, basis, true},
		{DigiD, basis, midden, false},
		{DigiD, midden, "", true},
		{DigiD, "urn:onbekend", "", false},
		{DigiD, "", "", false},
		{DigiD, Levels(EHerkenning)[4], basis, false}, // an eHerkenning level means nothing for DigiD
		{EHerkenning, Levels(EHerkenning)[3], Levels(EHerkenning)[2], true},
		{DigiD, midden, "urn:onbekend-minimum", false},
	}
	for _, c := range cases {
		if got := MeetsLoA(c.m, c.got, c.min); got != c.want {
			t.Errorf("MeetsLoA(%s, %q, %q) = %v", c.m, c.got, c.min, got)
		}
	}
}

func TestRolesDenyByDefault(t *testing.T) {
	table := map[string][]Role{"g-admin": {RoleAdmin}, "g-red": {RoleEditor}}
	if rs := RolesFromGroups(nil, table); len(rs) != 0 {
		t.Errorf("no groups gave %v", rs)
	}
	if rs := RolesFromGroups([]string{"unknown"}, table); len(rs) != 0 {
		t.Errorf("unknown group gave %v", rs)
	}
	rs := RolesFromGroups([]string{"g-admin", "g-red", "g-red"}, table)
	if JoinRoles(rs) != "editor,admin" {
		t.Errorf("roles = %v", rs)
	}
	if Can(nil, PermStaffArea) || Can([]Role{RoleModerator}, PermAuditRead) || !Can([]Role{RoleAdmin}, PermAuditRead) {
		t.Error("permission table wrong")
	}
	if Can([]Role{RoleAdmin}, Permission("not.granted.anywhere")) {
		t.Error("an unknown permission must be denied")
	}
	if got := SplitRoles("admin,bogus, editor"); len(got) != 2 {
		t.Errorf("SplitRoles kept unknown roles: %v", got)
	}
}

func TestClaimPathsWithDotsAndNesting(t *testing.T) {
	claims := map[string]any{
		"urn:etoegang:core:LegalSubjectID": "90001234",
		"address":                          map[string]any{"postal_code": "6591AB"},
		"kvk_num":                          float64(90001234),
		"groups":                           []any{"a", "b", 3},
	}
	if v, ok := LookupString(claims, ClaimPath{"urn:etoegang:core:LegalSubjectID"}); !ok || v != "90001234" {
		t.Error("dotted claim name")
	}
	if v, ok := LookupString(claims, ClaimPath{"address", "postal_code"}); !ok || v != "6591AB" {
		t.Error("nested claim")
	}
	if v, ok := LookupString(claims, ClaimPath{"kvk_num"}); !ok || v != "90001234" {
		t.Error("numeric claim")
	}
	if _, ok := LookupString(claims, ClaimPath{"address"}); ok {
		t.Error("an object is not a string")
	}
	if g := LookupStrings(claims, ClaimPath{"groups"}); len(g) != 2 {
		t.Errorf("groups = %v", g)
	}
}

// fakeBRP follows the Haal Centraal BRP Personen API's request and
// response shapes closely enough to test the client against.
type fakeBRP struct {
	people  map[string]map[string]any
	delay   time.Duration
	status  int
	lastReq map[string]any
}

func (f *fakeBRP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	if r.Method != http.MethodPost || r.URL.Path != "/personen" {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	if r.Header.Get("X-API-KEY") != "brp-sleutel" {
		problem(w, http.StatusUnauthorized, "Niet correct geauthenticeerd.", "authentication")
		return
	}
	if f.status != 0 {
		problem(w, f.status, "Er is een fout opgetreden.", "serverError")
		return
	}
	var req map[string]any
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req["type"] != "RaadpleegMetBurgerservicenummer" {
		problem(w, http.StatusBadRequest, "Een of meerdere parameters zijn niet correct.", "paramsValidation")
		return
	}
	f.lastReq = req
	out := []any{}
	for _, b := range req["burgerservicenummer"].([]any) {
		if p, ok := f.people[b.(string)]; ok {
			out = append(out, p)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "RaadpleegMetBurgerservicenummer", "personen": out})
}

func problem(w http.ResponseWriter, status int, title, code string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "https://example.org/problem", "title": title, "status": status, "code": code})
}

func TestBRPVerification(t *testing.T) {
	fake := &fakeBRP{people: map[string]map[string]any{
		"999993653": {"leeftijd": 42, "gemeenteVanInschrijving": map[string]any{"code": "0907", "omschrijving": "Voorbeeld"},
			"verblijfplaats": map[string]any{"verblijfadres": map[string]any{"postcode": "6591 AB"}}},
		"111222333": {"leeftijd": 17, "gemeenteVanInschrijving": map[string]any{"code": "0268", "omschrijving": "Elders"}},
	}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	wijken, err := ParseWijkTable(strings.NewReader("postcode;wijk\n6591;Centrum\n6591AB;Marktkwartier\n6592;Noord\n"))
	if err != nil {
		t.Fatal(err)
	}
	b := &BRP{URL: srv.URL, APIKey: "brp-sleutel", Gemeentecode: "0907", Wijken: wijken}
	ctx := context.Background()

	f, err := b.Verify(ctx, "999993653")
	if err != nil || !f.Resident || f.AgeBand != "30-44" || f.Wijk != "Marktkwartier" {
		t.Fatalf("resident: %+v %v", f, err)
	}
	fields := fake.lastReq["fields"].([]any)
	if len(fields) != 3 {
		t.Errorf("asked for %v; only three fields are needed", fields)
	}
	f, err = b.Verify(ctx, "111222333")
	if err != nil || f.Resident || f.AgeBand != "16-17" || f.Wijk != "" {
		t.Fatalf("non-resident: %+v %v", f, err)
	}
	f, err = b.Verify(ctx, "123456782")
	if err != nil || f.Resident {
		t.Fatalf("unknown person: %+v %v", f, err)
	}

	wrongKey := &BRP{URL: srv.URL, APIKey: "fout", Gemeentecode: "0907"}
	if _, err := wrongKey.Verify(ctx, "999993653"); !errors.Is(err, ErrBRP) || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong key: %v", err)
	}
	fake.status = http.StatusServiceUnavailable
	if _, err := b.Verify(ctx, "999993653"); !errors.Is(err, ErrBRP) {
		t.Errorf("server error: %v", err)
	}
	fake.status = 0
	fake.delay = 300 * time.Millisecond
	slow := &BRP{URL: srv.URL, APIKey: "brp-sleutel", Gemeentecode: "0907", Client: &http.Client{Timeout: 50 * time.Millisecond}}
	_, err = slow.Verify(ctx, "999993653")
	if !errors.Is(err, ErrBRP) {
		t.Errorf("timeout: %v", err)
	}
	if err != nil && strings.Contains(err.Error(), "999993653") {
		t.Errorf("error text carries the BSN: %v", err)
	}
}

func TestWijkTableRejectsNonsense(t *testing.T) {
	for _, bad := range []string{"abcd;X\n", "123;X\n", "6591;\n6591A;Y\n", "0591;X\n", "6591\n"} {
		if _, err := ParseWijkTable(strings.NewReader(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestAgeBands(t *testing.T) {
	cases := map[int]string{0: "0-15", 15: "0-15", 16: "16-17", 18: "18-29", 44: "30-44", 64: "45-64", 65: "65-74", 90: "75+"}
	for age, want := range cases {
		if got := AgeBand(age); got != want {
			t.Errorf("AgeBand(%d) = %s, want %s", age, got, want)
		}
	}
	if !AgeBandAtLeast("18-29", 18) || AgeBandAtLeast("16-17", 18) || !AgeBandAtLeast("16-17", 16) || AgeBandAtLeast("", 0) {
		t.Error("AgeBandAtLeast wrong")
	}
}

func TestRedactMasksLongNumbers(t *testing.T) {
	got := redact(errors.New("bsn 999993653 and kvk 90001234 and year 2026"))
	if strings.Contains(got, "999993653") || strings.Contains(got, "90001234") || !strings.Contains(got, "2026") {
		t.Errorf("redact = %q", got)
	}
}
