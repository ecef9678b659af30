package budget

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/i18n"
	"inspraak/internal/identity"
)

// LetterInfo is what every letter of one budget says besides the person's
// address and code.
type LetterInfo struct {
	Municipality string
	Title        string    // the budget's title
	URL          string    // where a code is typed, e.g. https://…/stemcode
	ClosesAt     time.Time // zero: no closing moment set
	Lang         string    // "nl" unless set
}

// Letter is one resident's letter: the address from the register file, the
// code computed again from the token, the wijk from the register.
type Letter struct {
	Row  *RegisterRow
	Code string // normal form
	Wijk string
}

var letterCatalog = sync.OnceValues(i18n.Load)

func (li LetterInfo) t(key string, args ...any) string {
	c, err := letterCatalog()
	if err != nil {
		return key
	}
	lang := li.Lang
	if lang == "" {
		lang = "nl"
	}
	return c.T(lang, key, args...)
}

// closes writes the closing moment as "1 maart 2027 om 17.00 uur".
func (li LetterInfo) closes() string {
	c, err := letterCatalog()
	if err != nil || li.ClosesAt.IsZero() {
		return ""
	}
	lang := li.Lang
	if lang == "" {
		lang = "nl"
	}
	at := li.ClosesAt.In(i18n.Location)
	return li.t("budget.letter.closes_at", c.Date(lang, at), at.Format("15.04"))
}

// Page layout in millimetres. The address block sits in the window of a
// Dutch window envelope (EA5/6 and C5/6 with the window on the left: 20 mm
// from the left, from 45 mm down, 90 × 40 mm); PostNL wants the postcode,
// two spaces and the place in capitals on the last line.
const (
	marginL     = 22.0
	textWidthMM = 166.0
	addressTop  = 52.0
	addressLine = 5.0
	bodySize    = 11.0
	bodyLine    = 5.6
)

// letterPage draws one letter on c.
func letterPage(c *pageContent, li LetterInfo, l Letter) {
	c.reset()
	c.text(marginL, 22, fontBold, 14, li.Municipality)

	row := l.Row
	y := addressTop
	for _, s := range []string{row.Name, row.Street, row.Postcode + "  " + strings.ToUpper(row.Place)} {
		parts := []string{s}
		if textWidth(fontRegular, bodySize, s) > 85*ptPer {
			parts = wrapText(fontRegular, bodySize, 85*ptPer, s)
		}
		for _, part := range parts {
			c.text(marginL, y, fontRegular, bodySize, part)
			y += addressLine
		}
	}

	y = 105
	for _, s := range wrapText(fontBold, 16, textWidthMM*ptPer, li.t("budget.letter.heading", li.Title)) {
		c.text(marginL, y, fontBold, 16, s)
		y += 7.5
	}
	y += 4
	para := func(font int, s string) {
		for _, part := range wrapText(font, bodySize, textWidthMM*ptPer, s) {
			c.text(marginL, y, font, bodySize, part)
			y += bodyLine
		}
		y += bodyLine * 0.6
	}
	para(fontRegular, li.t("budget.letter.greeting"))
	if l.Wijk != "" {
		para(fontRegular, li.t("budget.letter.intro_wijk", l.Wijk))
	} else {
		para(fontRegular, li.t("budget.letter.intro"))
	}
	para(fontBold, li.t("budget.letter.how"))
	y -= bodyLine * 0.6
	para(fontRegular, li.t("budget.letter.step1", li.URL))
	y -= bodyLine * 0.6
	para(fontRegular, li.t("budget.letter.step2"))
	y -= bodyLine * 0.6
	para(fontRegular, li.t("budget.letter.step3"))
	if cl := li.closes(); cl != "" {
		para(fontBold, li.t("budget.letter.until", cl))
	}

	// The code, large, in a box.
	y += 2
	c.rect(marginL, y, 120, 30, 1.2)
	c.text(marginL+6, y+9, fontBold, 12, li.t("budget.letter.code_label"))
	c.text(marginL+6, y+23, fontBold, 28, FormatCode(l.Code))
	y += 30 + 8

	para(fontRegular, li.t("budget.letter.other_ways"))
	para(fontRegular, li.t("budget.letter.personal"))

	c.text(marginL, 285, fontRegular, 8, li.t("budget.letter.number", row.Number))
}

// mailMergeHeader are the columns of the print shop's file.
var mailMergeHeader = []string{"naam", "straat", "postcode", "woonplaats", "code", "adres van de site", "sluitingsdatum", "wijk", "briefnummer"}

func mailMergeRecord(li LetterInfo, l Letter) []string {
	return []string{safeCell(l.Row.Name), safeCell(l.Row.Street), l.Row.Postcode, safeCell(l.Row.Place), FormatCode(l.Code),
		li.URL, li.closes(), safeCell(l.Wijk), strconv.Itoa(l.Row.Number)}
}

// safeCell keeps a spreadsheet from running a cell as a formula.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// newMailMerge starts the CSV: UTF-8 with a byte-order mark and ';', as
// Dutch spreadsheet programs open it.
func newMailMerge(w *csv.Writer) error {
	w.Comma = ';'
	return w.Write(mailMergeHeader)
}

// letterChunk is how many rows of the register file are looked up at once.
const letterChunk = 500

// LetterCounts says what a letters download wrote.
type LetterCounts struct {
	Letters int // letters written
	Skipped int // rows refused by the file reader or not in the register from this file
}

// WriteLetters reads the register file again (the addresses are never
// stored) and writes one A4 page per resident to w as it goes: the
// address in the envelope's window, a short text, the web address, the
// closing moment and the code. A letter is written for a row that this
// file put in the register (budget_voters.letter_no is the row's number):
// a row the import refused, or a person the register has from another
// file, gets none (so letters come out once per person even when a person
// is in the file twice). Memory stays the same whatever the number of
// rows: the PDF is streamed (pdf_stream.go), only a chunk of rows is held.
func (s *Service) WriteLetters(ctx context.Context, a identity.Actor, instrumentID int64, r io.Reader, w io.Writer) error {
	_, err := s.writeLetters(ctx, a, instrumentID, r, "pdf", func(li LetterInfo) (func(Letter) error, func() error) {
		p := newPDFStream(w, li.t("budget.letter.heading", li.Title))
		var c pageContent
		return func(l Letter) error {
				letterPage(&c, li, l)
				return p.page(&c)
			}, func() error {
				return p.close()
			}
	})
	return err
}

// WriteMailMerge writes the same letters as a CSV file for a print shop
// (UTF-8 with a byte-order mark, ';'): naam, straat, postcode, woonplaats,
// code, adres van de site, sluitingsdatum, wijk, briefnummer.
func (s *Service) WriteMailMerge(ctx context.Context, a identity.Actor, instrumentID int64, r io.Reader, w io.Writer) error {
	_, err := s.writeLetters(ctx, a, instrumentID, r, "csv", func(li LetterInfo) (func(Letter) error, func() error) {
		bw := bufio.NewWriterSize(w, 64<<10)
		_, _ = bw.WriteString("\ufeff")
		cw := csv.NewWriter(bw)
		started := false
		return func(l Letter) error {
				if !started {
					started = true
					if err := newMailMerge(cw); err != nil {
						return err
					}
				}
				return cw.Write(mailMergeRecord(li, l))
			}, func() error {
				if !started {
					if err := newMailMerge(cw); err != nil {
						return err
					}
				}
				cw.Flush()
				if err := cw.Error(); err != nil {
					return err
				}
				return bw.Flush()
			}
	})
	return err
}

// writeLetters drives both outputs: start gets the budget's letter text
// and returns how to write one letter and how to finish.
func (s *Service) writeLetters(ctx context.Context, a identity.Actor, instrumentID int64, r io.Reader, format string,
	start func(LetterInfo) (func(Letter) error, func() error)) (LetterCounts, error) {
	var counts LetterCounts
	if err := a.Require(identity.PermEdit); err != nil {
		return counts, err
	}
	db := s.ctxDB(ctx)
	b, err := channelBudget(db, instrumentID)
	if err != nil {
		return counts, err
	}
	keys, err := identity.NewKeyring(1, s.key, nil)
	if err != nil {
		return counts, err
	}
	f, err := openRegister(r)
	if err != nil {
		return counts, err
	}
	ch := s.channels()
	li := LetterInfo{Municipality: ch.Municipality, Title: b.Instrument.Title, URL: ch.CodeURL}
	if b.Instrument.ClosesAt != nil {
		li.ClosesAt = *b.Instrument.ClosesAt
	}
	codeKey := s.codeKey()
	emit, finish := start(li)

	rows := make([]*RegisterRow, 0, letterChunk)
	tokens := make([]string, 0, letterChunk)
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		var found []Elector
		if err := db.Where("instrument_id = ? AND voter IN ?", instrumentID, tokens).Find(&found).Error; err != nil {
			return err
		}
		byToken := make(map[string]*Elector, len(found))
		for i := range found {
			byToken[found[i].Voter] = &found[i]
		}
		for i, row := range rows {
			e := byToken[tokens[i]]
			if e == nil || e.LetterNo != row.Number {
				counts.Skipped++
				continue
			}
			if err := emit(Letter{Row: row, Code: LetterCode(codeKey, instrumentID, e.Voter), Wijk: e.Wijk}); err != nil {
				return err
			}
			counts.Letters++
		}
		rows, tokens = rows[:0], tokens[:0]
		return ctx.Err()
	}
	for {
		row, refused, err := f.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return counts, err
		}
		if refused != nil {
			counts.Skipped++
			continue
		}
		token, err := VoterToken(keys, s.key, instrumentID, row.BSN)
		if err != nil {
			return counts, err
		}
		row.BSN = "" // not needed past here
		rows, tokens = append(rows, row), append(tokens, token)
		if len(rows) == letterChunk {
			if err := flush(); err != nil {
				return counts, err
			}
		}
	}
	if err := flush(); err != nil {
		return counts, err
	}
	if err := finish(); err != nil {
		return counts, err
	}
	// Who printed codes, and how many: no names, no codes.
	err = db.Transaction(func(tx *gorm.DB) error {
		return a.Record(tx, "budget.letters.download", budgetTarget(instrumentID), map[string]any{
			"format": format, "letters": counts.Letters, "skipped": counts.Skipped})
	})
	return counts, err
}
