package budget

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/participation"
)

// Letter codes (docs/architecture.md, "Channels: letters, stand, paper").
//
// A code is 12 characters of CodeAlphabet (60 bits), shown as
// XXXX-XXXX-XXXX. It is derived, never stored: HMAC(code key, "code|"
// instrument id "|" token), so the same register upload gives the same
// codes again (letters can be printed twice) and the register table alone
// cannot produce them. The table keeps HMAC(code key, "lookup|" code) so a
// typed code finds its row.
//
// The code key is derived from the pseudonym key with a purpose label
// (CodeKey) rather than being a setting of its own. That is sound here:
// whoever holds the pseudonym key can already turn a BSN into the register
// token a code stands for, and a separate secret would live in the same
// place (the process's environment), so it would add an operator duty and
// no protection. The label keeps the derived key apart from every other
// use of the pseudonym key (pseudonyms, voter ids), whose inputs never
// equal it. Rotating
// the pseudonym key during a vote changes every token, and so every code:
// printed letters stop working (as DigiD voters would become new voters);
// operations must not rotate it while a budget is open.

// CodeAlphabet has no look-alikes: no 0/O, no 1/I.
const CodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// CodeLength is the number of characters of a code, without dashes.
const CodeLength = 12

// codeKeyLabel is the purpose the code key is derived for.
const codeKeyLabel = "inspraak/budget/letter-code-key/v1"

// CodeKey derives the key of letter codes from the pseudonym key.
func CodeKey(pseudonymKey []byte) []byte {
	m := hmac.New(sha256.New, pseudonymKey)
	m.Write([]byte(codeKeyLabel))
	return m.Sum(nil)
}

// LetterCode returns the code of one register token for one budget, in
// normal form (12 characters, no dashes).
func LetterCode(codeKey []byte, instrumentID int64, token string) string {
	m := hmac.New(sha256.New, codeKey)
	m.Write([]byte("code|" + strconv.FormatInt(instrumentID, 10) + "|" + token))
	v := binary.BigEndian.Uint64(m.Sum(nil)[:8])
	var b [CodeLength]byte
	for i := range b {
		b[i] = CodeAlphabet[v>>59] // the top 5 bits, then the next 5…
		v <<= 5
	}
	return string(b[:])
}

// FormatCode shows a normal-form code as XXXX-XXXX-XXXX.
func FormatCode(code string) string {
	if len(code) != CodeLength {
		return code
	}
	return code[0:4] + "-" + code[4:8] + "-" + code[8:12]
}

// CodeLookup is what budget_voters.code_lookup holds for a normal-form code.
func CodeLookup(codeKey []byte, code string) string {
	m := hmac.New(sha256.New, codeKey)
	m.Write([]byte("lookup|" + code))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// NormaliseCode turns what a resident typed into the normal form: letters
// are upper-cased, and spaces, dashes, dots and underscores (how people
// copy "XXXX-XXXX-XXXX") are dropped. It refuses, with a message that says
// why, a code with characters codes never have. 0, O, 1 and I in
// particular are refused, not mapped: none of them occurs in a code, so
// neither reading of a typed O (the letter or the digit) can be right, and
// guessing would turn a misread D or Q into a wrong code the resident
// cannot see.
func NormaliseCode(typed string) (string, error) {
	var b strings.Builder
	lookAlike := false
	other := false
	for _, r := range typed {
		switch {
		case r == ' ' || r == '-' || r == '.' || r == '_' || r == '\t' || r == '\u00a0' || r == '\u2010' || r == '\u2011' || r == '\u2013' || r == '\u2212':
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		switch {
		case r == '0' || r == 'O' || r == '1' || r == 'I':
			lookAlike = true
		case r < 128 && strings.IndexByte(CodeAlphabet, byte(r)) >= 0:
		default:
			other = true
		}
		b.WriteRune(r)
	}
	code := b.String()
	switch {
	case code == "":
		return "", apperror.New(apperror.Invalid, "budget.code.empty").WithField("code", "budget.code.empty")
	case lookAlike:
		return "", apperror.New(apperror.Invalid, "budget.code.look_alike").WithField("code", "budget.code.look_alike")
	case other:
		return "", apperror.New(apperror.Invalid, "budget.code.bad_character").WithField("code", "budget.code.bad_character")
	case len(code) != CodeLength:
		return "", apperror.New(apperror.Invalid, "budget.code.length").WithField("code", "budget.code.length")
	}
	return code, nil
}

// Redeem turns a typed letter code into the voter it stands for, for the
// code page (no DigiD). A code this budget does not know is refused with
// the same message whether or not it belongs to another budget; a code
// whose person is in the voter register already (voted by code, paper,
// stand or DigiD) is refused with budget.error.already_voted, without
// saying how. The code is "used" only when a ballot is cast under the
// returned voter (Cast registers the token in its transaction): redeeming
// twice before voting gives the same voter twice, and only one ballot can
// follow.
//
// Web must limit attempts (internal/ratelimit): per client address and
// per budget, so guessing 60-bit codes is hopeless and one address cannot
// try many codes.
func (s *Service) Redeem(ctx context.Context, instrumentID int64, typed string) (Voter, error) {
	code, err := NormaliseCode(typed)
	if err != nil {
		return Voter{}, err
	}
	db := s.ctxDB(ctx)
	in, ps, err := instrument.ForRules(db, instrumentID, false)
	if err != nil {
		return Voter{}, err
	}
	if in.Kind != instrument.KindBudget || !in.Published {
		return Voter{}, apperror.New(apperror.NotFound, "")
	}
	switch in.StateIn(ps, s.now()) {
	case instrument.StateUpcoming:
		return Voter{}, apperror.New(apperror.Closed, instrument.ReasonNotOpenYet)
	case instrument.StateClosed:
		return Voter{}, apperror.New(apperror.Closed, instrument.ReasonClosed)
	}
	var e Elector
	err = db.Where("instrument_id = ? AND code_lookup = ?", instrumentID, CodeLookup(s.codeKey(), code)).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Voter{}, apperror.New(apperror.Invalid, "budget.code.unknown").WithField("code", "budget.code.unknown")
	}
	if err != nil {
		return Voter{}, err
	}
	voted, err := participation.Registered(db, participation.Ballot, instrumentID, e.Voter)
	if err != nil {
		return Voter{}, err
	}
	if voted {
		return Voter{}, apperror.New(apperror.Conflict, "budget.error.already_voted")
	}
	return registerVoter(ChannelCode, e), nil
}

// registerVoter is the voter of a register row: the register is the
// municipality's list of who may vote, so the person counts as a verified
// resident of the row's wijk.
func registerVoter(ch Channel, e Elector) Voter {
	yes := true
	return Voter{Channel: ch, Token: e.Voter, Wijk: e.Wijk,
		Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: highestDigiD(), Resident: &yes}}
}

// highestDigiD is the highest DigiD level: a register row or a stand
// lookup rests on the municipality's own check of the person.
func highestDigiD() string {
	ls := identity.Levels(identity.DigiD)
	return ls[len(ls)-1]
}

// RedeemCode is Redeem for the code page that letters send residents to
// (CodePath), which does not know the budget: the code finds it. A code
// gives one budget (it is derived from the budget's id), so the lookup
// runs over every budget's register with the (instrument_id,
// code_lookup) index. It returns the budget's instrument id with the
// voter; an unknown code is refused as by Redeem.
func (s *Service) RedeemCode(ctx context.Context, typed string) (int64, Voter, error) {
	code, err := NormaliseCode(typed)
	if err != nil {
		return 0, Voter{}, err
	}
	db := s.ctxDB(ctx)
	var budgets []int64
	if err := db.Model(&Budget{}).Pluck("instrument_id", &budgets).Error; err != nil {
		return 0, Voter{}, err
	}
	var ids []int64
	if len(budgets) > 0 {
		err = db.Model(&Elector{}).Where("instrument_id IN ? AND code_lookup = ?", budgets, CodeLookup(s.codeKey(), code)).
			Limit(2).Pluck("instrument_id", &ids).Error
		if err != nil {
			return 0, Voter{}, err
		}
	}
	if len(ids) != 1 {
		return 0, Voter{}, apperror.New(apperror.Invalid, "budget.code.unknown").WithField("code", "budget.code.unknown")
	}
	v, err := s.Redeem(ctx, ids[0], code)
	return ids[0], v, err
}
