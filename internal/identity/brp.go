package identity

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
	"unicode"
)

// BRP asks the Haal Centraal BRP Personen API (POST /personen, query type
// RaadpleegMetBurgerservicenummer) for exactly three fields: age,
// municipality of registration and postcode. From them it derives the
// facts Inspraak keeps; the answer itself, and the BSN, are dropped.
type BRP struct {
	URL          string // base URL, e.g. https://brp.example/haalcentraal/api/brp
	APIKey       string
	Gemeentecode string
	Wijken       *WijkTable
	Client       *http.Client
}

// brpFields are the only fields requested (data minimisation).
var brpFields = []string{"leeftijd", "gemeenteVanInschrijving", "verblijfplaats.verblijfadres.postcode"}

type brpRequest struct {
	Type                string   `json:"type"`
	Fields              []string `json:"fields"`
	Burgerservicenummer []string `json:"burgerservicenummer"`
}

type brpResponse struct {
	Type     string `json:"type"`
	Personen []struct {
		Leeftijd                *int `json:"leeftijd"`
		GemeenteVanInschrijving *struct {
			Code string `json:"code"`
		} `json:"gemeenteVanInschrijving"`
		Verblijfplaats *struct {
			Verblijfadres *struct {
				Postcode string `json:"postcode"`
			} `json:"verblijfadres"`
		} `json:"verblijfplaats"`
	} `json:"personen"`
}

// brpProblem is the API's problem+json error body.
type brpProblem struct {
	Title  string `json:"title"`
	Status int    `json:"status"`
	Code   string `json:"code"`
}

// ErrBRP wraps every failure to get an answer from the BRP.
var ErrBRP = errors.New("identity: BRP verification failed")

// Verify looks the person up. A person the BRP does not know, or who lives
// elsewhere, is not a resident; that is an answer, not an error.
func (b *BRP) Verify(ctx context.Context, bsn string) (*Facts, error) {
	client := b.Client
	if client == nil {
		client = &http.Client{Timeout: 3 * time.Second}
	}
	body, _ := json.Marshal(brpRequest{Type: "RaadpleegMetBurgerservicenummer", Fields: brpFields, Burgerservicenummer: []string{bsn}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.URL+"/personen", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBRP, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if b.APIKey != "" {
		req.Header.Set("X-API-KEY", b.APIKey)
	}
	resp, err := client.Do(req)
	if err != nil {
		// The error text may contain the URL but never the body: no BSN.
		return nil, fmt.Errorf("%w: %v", ErrBRP, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBRP, err)
	}
	if resp.StatusCode != http.StatusOK {
		var p brpProblem
		_ = json.Unmarshal(raw, &p)
		return nil, fmt.Errorf("%w: status %d %s (%s)", ErrBRP, resp.StatusCode, p.Title, p.Code)
	}
	var r brpResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("%w: unreadable answer: %v", ErrBRP, err)
	}
	if len(r.Personen) == 0 {
		return &Facts{Resident: false}, nil
	}
	p := r.Personen[0]
	f := &Facts{}
	if p.GemeenteVanInschrijving != nil && p.GemeenteVanInschrijving.Code == b.Gemeentecode {
		f.Resident = true
	}
	if p.Leeftijd != nil {
		f.AgeBand = AgeBand(*p.Leeftijd)
	}
	if f.Resident && p.Verblijfplaats != nil && p.Verblijfplaats.Verblijfadres != nil && b.Wijken != nil {
		f.Wijk = b.Wijken.Lookup(p.Verblijfplaats.Verblijfadres.Postcode)
	}
	return f, nil
}

// AgeBands are the bands results are broken down by; the edges 16 and 18
// are the usual minimum ages for participation.
var AgeBands = []string{"0-15", "16-17", "18-29", "30-44", "45-64", "65-74", "75+"}

// AgeBand returns the band of an age.
func AgeBand(age int) string {
	switch {
	case age < 0:
		return ""
	case age < 16:
		return "0-15"
	case age < 18:
		return "16-17"
	case age < 30:
		return "18-29"
	case age < 45:
		return "30-44"
	case age < 65:
		return "45-64"
	case age < 75:
		return "65-74"
	}
	return "75+"
}

// AgeBandAtLeast reports whether everyone in band is at least min years
// old, so a minimum age can be checked from the band alone.
func AgeBandAtLeast(band string, min int) bool {
	var low int
	switch band {
	case "0-15":
		low = 0
	case "16-17":
		low = 16
	case "18-29":
		low = 18
	case "30-44":
		low = 30
	case "45-64":
		low = 45
	case "65-74":
		low = 65
	case "75+":
		low = 75
	default:
		return false
	}
	return low >= min
}

// WijkTable maps postcodes to wijken: a full postcode ("6591AB") wins over
// its four digits ("6591").
type WijkTable struct{ m map[string]string }

// LoadWijkTable reads "postcode;wijk" (or comma-separated) lines; a header
// line starting with "postcode" is skipped.
func LoadWijkTable(path string) (*WijkTable, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseWijkTable(f)
}

// ParseWijkTable reads a table from r.
func ParseWijkTable(r io.Reader) (*WijkTable, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	sep := ';'
	if !bytes.ContainsRune(b, ';') {
		sep = ','
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.Comma = sep
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	t := &WijkTable{m: map[string]string{}}
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("wijk table line %d: %w", line, err)
		}
		if len(rec) < 2 {
			return nil, fmt.Errorf("wijk table line %d: want postcode%cwijk", line, sep)
		}
		pc := normalisePostcode(rec[0])
		if line == 1 && strings.EqualFold(strings.TrimSpace(rec[0]), "postcode") {
			continue
		}
		if !validPostcodeKey(pc) {
			return nil, fmt.Errorf("wijk table line %d: %q is not a postcode (1234 or 1234AB)", line, rec[0])
		}
		t.m[pc] = strings.TrimSpace(rec[1])
	}
	return t, nil
}

// Lookup returns the wijk of a postcode, or "".
func (t *WijkTable) Lookup(postcode string) string {
	pc := normalisePostcode(postcode)
	if w, ok := t.m[pc]; ok {
		return w
	}
	if len(pc) >= 4 {
		return t.m[pc[:4]]
	}
	return ""
}

func normalisePostcode(s string) string {
	var b strings.Builder
	for _, r := range s {
		if !unicode.IsSpace(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

func validPostcodeKey(pc string) bool {
	if len(pc) != 4 && len(pc) != 6 {
		return false
	}
	for i, r := range pc {
		if i < 4 && (r < '0' || r > '9') {
			return false
		}
		if i >= 4 && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return pc[0] != '0'
}
