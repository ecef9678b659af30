package budget

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
)

// The register file: the municipality's extract of the residents entitled
// to vote by letter, one row per person, read by ImportRegister (which
// keeps only the register token, the wijk and the code's lookup value) and
// again by WriteLetters and WriteMailMerge (which print the address and
// keep nothing). Both read it through registerFile, so the rows one
// refuses are exactly the rows the other leaves out.
//
// Format: CSV, UTF-8 (a byte-order mark is skipped; a file that is not
// UTF-8 is read as Windows-1252, what Excel writes in the Netherlands),
// separated by ';' or ',' (whichever the header row has more of), with a
// header row. Column names are matched without regard to case, spaces,
// dashes, underscores and dots:
//
//	bsn         bsn, burgerservicenummer, bsnnummer, burgerservicenr
//	name        naam, aanschrijfnaam, volledigenaam, tenaamstelling
//	            or, when none of these: voorletters (or voornamen),
//	            voorvoegsel (or tussenvoegsel) and geslachtsnaam (or
//	            achternaam), joined with spaces
//	street      adres, straatenhuisnummer, adresregel
//	            or, when none of these: straat (or straatnaam,
//	            openbareruimte), huisnummer, huisletter,
//	            huisnummertoevoeging (or toevoeging)
//	postcode    postcode
//	place       woonplaats, plaats, woonplaatsnaam, plaatsnaam
//
// Every column but bsn is needed for letters and so for the register:
// a row is a person we write to. Other columns are ignored.

// RegisterRow is one person of the register file. The BSN lives only in
// memory while the row is handled.
type RegisterRow struct {
	Line     int // the line in the file (the header is line 1)
	Number   int // the row's number among the data rows (1, 2, …): letter_no
	BSN      string
	Name     string
	Street   string
	Postcode string // "1234 AB"
	Place    string
}

// RefusedRow is a row of the register file that was not used.
type RefusedRow struct {
	Line int
	// Key is the message key of the reason; Hint the part of the row that
	// helps find it (the BSN's last three digits, never the BSN).
	Key  string
	Hint string
	// Detail is what a wijk reason names: the postcode without a wijk,
	// or the wijk without money.
	Detail string
}

// column indexes; -1 when the file has no such column.
type registerColumns struct {
	bsn, name, initials, prefix, surname    int
	street, streetName, number, letter, add int
	postcode, place                         int
}

var headerNames = map[string][]string{
	"bsn":        {"bsn", "burgerservicenummer", "bsnnummer", "burgerservicenr"},
	"name":       {"naam", "aanschrijfnaam", "volledigenaam", "tenaamstelling"},
	"initials":   {"voorletters", "voornamen"},
	"prefix":     {"voorvoegsel", "tussenvoegsel", "voorvoegselgeslachtsnaam"},
	"surname":    {"geslachtsnaam", "achternaam"},
	"street":     {"adres", "straatenhuisnummer", "adresregel"},
	"streetName": {"straat", "straatnaam", "openbareruimte", "openbareruimtenaam"},
	"number":     {"huisnummer"},
	"letter":     {"huisletter"},
	"add":        {"huisnummertoevoeging", "toevoeging"},
	"postcode":   {"postcode"},
	"place":      {"woonplaats", "plaats", "woonplaatsnaam", "plaatsnaam"},
}

func headerKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if r == ' ' || r == '-' || r == '_' || r == '.' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// registerFile reads the rows of a register file one at a time.
type registerFile struct {
	cr   *csv.Reader
	cols registerColumns
	line int
	n    int
	ansi bool
}

// maxRegisterLine bounds one line of the file, so a file without line
// breaks cannot make the reader hold it whole.
const maxRegisterLine = 64 << 10

// openRegister reads the header row. A file without the columns it needs
// is refused as a whole (Invalid, with the missing column named).
func openRegister(r io.Reader) (*registerFile, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	head, err := br.Peek(maxRegisterLine)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, apperror.Wrap(err, apperror.Invalid, "budget.register.unreadable")
	}
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	if len(bytes.TrimSpace(head)) == 0 {
		return nil, apperror.New(apperror.Invalid, "budget.register.empty")
	}
	sep := ','
	if bytes.Count(head, []byte{';'}) > bytes.Count(head, []byte{','}) {
		sep = ';'
	}
	f := &registerFile{}
	// A whole-file check for UTF-8 would hold the file; the header row and
	// then each field decide (see field).
	f.ansi = !utf8.Valid(head)
	f.cr = csv.NewReader(&lineLimit{r: br})
	f.cr.Comma = sep
	f.cr.FieldsPerRecord = -1
	f.cr.ReuseRecord = true
	f.cr.TrimLeadingSpace = true
	rec, err := f.cr.Read()
	f.line = 1
	if err != nil {
		return nil, apperror.Wrap(err, apperror.Invalid, "budget.register.unreadable")
	}
	c := registerColumns{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}
	idx := map[string]*int{"bsn": &c.bsn, "name": &c.name, "initials": &c.initials, "prefix": &c.prefix,
		"surname": &c.surname, "street": &c.street, "streetName": &c.streetName, "number": &c.number,
		"letter": &c.letter, "add": &c.add, "postcode": &c.postcode, "place": &c.place}
	for i, h := range rec {
		k := headerKey(f.field(h))
		for col, names := range headerNames {
			for _, n := range names {
				if k == n && *idx[col] < 0 {
					*idx[col] = i
				}
			}
		}
	}
	f.cols = c
	var missing []string
	if c.bsn < 0 {
		missing = append(missing, "bsn")
	}
	if c.name < 0 && c.surname < 0 {
		missing = append(missing, "naam")
	}
	if c.street < 0 && (c.streetName < 0 || c.number < 0) {
		missing = append(missing, "adres")
	}
	if c.postcode < 0 {
		missing = append(missing, "postcode")
	}
	if c.place < 0 {
		missing = append(missing, "woonplaats")
	}
	if len(missing) > 0 {
		return nil, apperror.New(apperror.Invalid, "budget.register.missing_columns", strings.Join(missing, ", "))
	}
	return f, nil
}

// next returns the next row, or a refused row, or io.EOF. Blank lines are
// skipped.
func (f *registerFile) next() (*RegisterRow, *RefusedRow, error) {
	for {
		rec, err := f.cr.Read()
		if err == io.EOF {
			return nil, nil, io.EOF
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				f.n++
				return nil, &RefusedRow{Line: pe.StartLine, Key: "budget.register.row_unreadable"}, nil
			}
			if errors.Is(err, errLineTooLong) {
				return nil, nil, apperror.Wrap(err, apperror.Invalid, "budget.register.line_too_long")
			}
			return nil, nil, err
		}
		// FieldPos only after a record was read: after a parse error
		// there may be no field to ask about (it panics).
		line, _ := f.cr.FieldPos(0)
		blank := true
		for _, v := range rec {
			if strings.TrimSpace(v) != "" {
				blank = false
				break
			}
		}
		if blank {
			continue
		}
		f.n++
		row, refused := f.row(rec, line)
		return row, refused, nil
	}
}

func (f *registerFile) get(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.Join(strings.Fields(f.field(rec[i])), " ")
}

// field decodes a field: UTF-8 as it is, otherwise Windows-1252.
func (f *registerFile) field(s string) string {
	if !f.ansi && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(cp1252ToRune(s[i]))
	}
	return b.String()
}

func (f *registerFile) row(rec []string, line int) (*RegisterRow, *RefusedRow) {
	c := f.cols
	refuse := func(key, hint string) (*RegisterRow, *RefusedRow) {
		return nil, &RefusedRow{Line: line, Key: key, Hint: hint}
	}
	bsn := f.get(rec, c.bsn)
	bsn = strings.NewReplacer(" ", "", ".", "", "-", "").Replace(bsn)
	if bsn == "" {
		return refuse("budget.register.no_bsn", "")
	}
	// Excel drops a leading zero when the column is not text. Adding it
	// back would be a guess the file cannot confirm; the message says how
	// to save the file so the zero stays.
	if len(bsn) == 8 && allDigits(bsn) {
		return refuse("budget.register.bsn_eight_digits", bsnHint(bsn))
	}
	if !identity.ValidBSN(bsn) {
		return refuse("budget.register.bad_bsn", bsnHint(bsn))
	}
	row := &RegisterRow{Line: line, Number: f.n, BSN: bsn}
	if c.name >= 0 {
		row.Name = f.get(rec, c.name)
	}
	if row.Name == "" {
		row.Name = strings.Join(strings.Fields(f.get(rec, c.initials)+" "+f.get(rec, c.prefix)+" "+f.get(rec, c.surname)), " ")
	}
	if c.street >= 0 {
		row.Street = f.get(rec, c.street)
	}
	if row.Street == "" && c.streetName >= 0 {
		nr := f.get(rec, c.number) + f.get(rec, c.letter)
		if add := f.get(rec, c.add); add != "" {
			nr += "-" + add
		}
		row.Street = strings.TrimSpace(f.get(rec, c.streetName) + " " + nr)
	}
	pc, ok := NormalisePostcode(f.get(rec, c.postcode))
	row.Postcode = pc
	row.Place = f.get(rec, c.place)
	hint := bsnHint(bsn)
	switch {
	case row.Name == "":
		return refuse("budget.register.no_name", hint)
	case row.Street == "":
		return refuse("budget.register.no_street", hint)
	case !ok:
		return refuse("budget.register.bad_postcode", hint)
	case row.Place == "":
		return refuse("budget.register.no_place", hint)
	case utf8.RuneCountInString(row.Name) > 200 || utf8.RuneCountInString(row.Street) > 200 || utf8.RuneCountInString(row.Place) > 100:
		return refuse("budget.register.too_long", hint)
	}
	return row, nil
}

// bsnHint shows the last three digits of a BSN: enough to find the row in
// the file, not enough to be a BSN.
func bsnHint(bsn string) string {
	var digits []rune
	for _, r := range bsn {
		if r >= '0' && r <= '9' {
			digits = append(digits, r)
		}
	}
	if len(digits) < 3 {
		return ""
	}
	return "…" + string(digits[len(digits)-3:])
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// NormalisePostcode writes a Dutch postcode as "1234 AB"; ok is false when
// it is not one.
func NormalisePostcode(s string) (string, bool) {
	var b []rune
	for _, r := range s {
		if !unicode.IsSpace(r) {
			b = append(b, unicode.ToUpper(r))
		}
	}
	if len(b) != 6 || b[0] == '0' {
		return s, false
	}
	for i, r := range b {
		if i < 4 && (r < '0' || r > '9') || i >= 4 && (r < 'A' || r > 'Z') {
			return s, false
		}
	}
	return string(b[:4]) + " " + string(b[4:]), true
}

var errLineTooLong = errors.New("budget: register line too long")

// lineLimit fails a read when a line runs past maxRegisterLine bytes.
type lineLimit struct {
	r   io.Reader
	run int
}

func (l *lineLimit) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for _, c := range p[:n] {
		if c == '\n' {
			l.run = 0
		} else if l.run++; l.run > maxRegisterLine {
			return 0, errLineTooLong
		}
	}
	return n, err
}

// cp1252High are the characters Windows-1252 puts at 0x80–0x9F.
var cp1252High = [32]rune{
	'€', 0xFFFD, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0xFFFD, 'Ž', 0xFFFD,
	0xFFFD, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0xFFFD, 'ž', 'Ÿ',
}

func cp1252ToRune(c byte) rune {
	if c >= 0x80 && c < 0xA0 {
		return cp1252High[c-0x80]
	}
	return rune(c)
}
