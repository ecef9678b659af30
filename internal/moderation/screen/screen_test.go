package screen

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// want is an expected hit in a field named "body"; its End is Start plus the
// length of Match.
type want struct {
	kind  Kind
	start int
	match string
}

type screenCase struct {
	text string
	want []want
}

func checkScreen(t *testing.T, s *Screener, cases []screenCase) {
	t.Helper()
	for _, c := range cases {
		got := s.Screen(Field{Name: "body", Text: c.text})
		var exp []Hit
		for _, w := range c.want {
			exp = append(exp, Hit{Kind: w.kind, Field: "body", Start: w.start, End: w.start + len(w.match), Match: w.match})
		}
		if !reflect.DeepEqual(got, exp) {
			t.Errorf("Screen(%q)\n got  %+v\n want %+v", c.text, got, exp)
		}
	}
}

// none lists texts that must give no hit at all.
func none(texts ...string) []screenCase {
	cs := make([]screenCase, len(texts))
	for i, t := range texts {
		cs[i] = screenCase{text: t}
	}
	return cs
}

func TestBSN(t *testing.T) {
	s := New(nil)
	checkScreen(t, s, []screenCase{
		{"999993653", []want{{BSN, 0, "999993653"}}},
		{"Mijn BSN is 999990007.", []want{{BSN, 12, "999990007"}}},
		{"bsn:999990019", []want{{BSN, 4, "999990019"}}},
		{"(111222333)", []want{{BSN, 1, "111222333"}}},
		{"1234.56.782", []want{{BSN, 0, "1234.56.782"}}},
		{"nummer 123 456 782, graag", []want{{BSN, 7, "123 456 782"}}},
		{"123.456.782", []want{{BSN, 0, "123.456.782"}}},
		{"1234 56 782", []want{{BSN, 0, "1234 56 782"}}},
		{"a 012345672 b", []want{{BSN, 2, "012345672"}}},
		{"999993653\n999990007", []want{{BSN, 0, "999993653"}, {BSN, 10, "999990007"}}},
		{"huisnummer 12 999993653", []want{{BSN, 14, "999993653"}}},
		// "eur" inside a word is not an amount.
		{"monteur 111222333", []want{{BSN, 8, "111222333"}}},
		{"é111222333", nil},
	})
	checkScreen(t, s, none(
		"123456789",        // fails the 11-test
		"999993654",        // fails the 11-test
		"000000000",        // passes the sum, but all zeros
		"abc123456782",     // inside a word
		"123456782abc",     // inside a word
		"1999993653",       // inside a longer digit run
		"9999936530",       // inside a longer digit run
		"12345678",         // 8 digits (KvK-like)
		"123-456-782",      // dashes are not a BSN grouping
		"12 3456 782",      // not a BSN grouping
		"9 999 993 653",    // a larger number in thousands
		"999 993 653 1",    // a larger number in thousands
		"999.993.653.1",    // a larger number
		"1.999.993.653",    // a larger number
		"12-999993653",     // joined to a number before it
		"999993653-1",      // joined to a number after it
		"999993653.5",      // decimal
		"999993653,00",     // decimal
		"€ 111.222.333",    // amount
		"€111222333",       // amount
		"EUR 111 222 333",  // amount
		"111.222.333 euro", // amount
		"111.222.333,-",    // amount
		"een begroting van € 111.222.333 per jaar",
	))
}

func TestPhone(t *testing.T) {
	s := New(nil)
	var cases []screenCase
	for _, p := range []string{
		"06-12345678",
		"06 12345678",
		"06 1234 5678",
		"0612345678",
		"06 12 34 56 78",
		"06.12.34.56.78",
		"06 - 12345678",
		"+31 6 12345678",
		"+31612345678",
		"+31-6-12345678",
		"0031 6 12345678",
		"0031612345678",
		"+31 (0)6 12345678",
		"+31(0)20-1234567",
		"+31 20 123 4567",
		"+31 06 12345678",
		"010-1234567",
		"010-123 45 67",
		"020 123 4567",
		"(020) 123 45 67",
		"(06)12345678",
		"0575-123456",
		"088-1234567",
	} {
		cases = append(cases, screenCase{p, []want{{Phone, 0, p}}})
	}
	cases = append(cases,
		screenCase{"Bel me op 06-12345678.", []want{{Phone, 10, "06-12345678"}}},
		screenCase{"(0612345678)", []want{{Phone, 1, "0612345678"}}},
		screenCase{"tel:0612345678", []want{{Phone, 4, "0612345678"}}},
		screenCase{"06-12345678 of 020-1234567", []want{{Phone, 0, "06-12345678"}, {Phone, 15, "020-1234567"}}},
		screenCase{"06 12345678 999993653", []want{{Phone, 0, "06 12345678"}, {BSN, 12, "999993653"}}},
		screenCase{"06 1234 5678 90", []want{{Phone, 0, "06 1234 5678"}}},
	)
	checkScreen(t, s, cases)
	checkScreen(t, s, none(
		// Service numbers are not personal data.
		"0800-1234",
		"0800 1234567",
		"0800 123456",
		"0900 1234567",
		"0900-1234567",
		"0906 123456",
		"0909-123456",
		"+31 800 123456",
		// Wrong number of digits or not a number on its own.
		"061234567",
		"06123456789",
		"0612345678901",
		"06 1234567 89",
		"020 123 4 567",
		"06123 45678", // an area code has 2-4 digits
		"0 612345678",
		"x0612345678",
		"0612345678x",
		"12-0612345678",
		"06-12345678-9",
		"0012345678",
		"1234567890",
		"+32 470 12 34 56", // only Dutch numbers
		// Dates that start with a 0.
		"01-02-2026",
		"01-02-2026 12 mensen",
		"06-12-2026 14:30",
		"06.12.2026 14",
		"2026-06-12",
	))
}

func TestEmail(t *testing.T) {
	s := New(nil)
	checkScreen(t, s, []screenCase{
		{"jan.jansen@example.nl", []want{{Email, 0, "jan.jansen@example.nl"}}},
		{"Mail: Jan.Jansen+inspraak@Post.Example.NL.", []want{{Email, 6, "Jan.Jansen+inspraak@Post.Example.NL"}}},
		{"(info@example.nl)", []want{{Email, 1, "info@example.nl"}}},
		{"a_b-c@sub-domein.example.com, of", []want{{Email, 0, "a_b-c@sub-domein.example.com"}}},
		{"...jan@example.nl", []want{{Email, 3, "jan@example.nl"}}},
		{"jan@example.co.uk!", []want{{Email, 0, "jan@example.co.uk"}}},
	})
	checkScreen(t, s, none(
		"jan@example",
		"jan@example.n",
		"@example.nl",
		"jan@.example.nl",
		"jan@-example.nl",
		"jan@example.nl2",
		"jan at example dot nl",
	))
}

func TestIBAN(t *testing.T) {
	s := New(nil)
	checkScreen(t, s, []screenCase{
		{"NL91ABNA0417164300", []want{{IBAN, 0, "NL91ABNA0417164300"}}},
		{"NL91 ABNA 0417 1643 00", []want{{IBAN, 0, "NL91 ABNA 0417 1643 00"}}},
		{"nl91 abna 0417 1643 00", []want{{IBAN, 0, "nl91 abna 0417 1643 00"}}},
		{"IBAN: NL13TEST0123456789.", []want{{IBAN, 6, "NL13TEST0123456789"}}},
		{"rekening NL44 RABO 0123 4567 89, t.n.v. J. Jansen", []want{{IBAN, 9, "NL44 RABO 0123 4567 89"}}},
		{"NL91 ABNA 0417 1643 00 1234", []want{{IBAN, 0, "NL91 ABNA 0417 1643 00"}}},
		{"NO2812345678901", []want{{IBAN, 0, "NO2812345678901"}}},
		{"BE68 5390 0754 7034", []want{{IBAN, 0, "BE68 5390 0754 7034"}}},
		{"DE89370400440532013000", []want{{IBAN, 0, "DE89370400440532013000"}}},
	})
	checkScreen(t, s, none(
		"NL12 ABCD 1234 5678 90", // fails mod-97
		"NL12ABCD1234567890",     // fails mod-97
		"NL91ABNA0417164301",     // one digit off
		"NL26TEST012345678",      // passes mod-97, but an NL IBAN has 18 characters
		"XNL91ABNA0417164300",    // inside a word
		"NL91ABNA0417164300X",    // inside a word
		"NL91 ABNA 1417 164300",  // not grouped in fours
		"NL91  ABNA 1417 1643 00",
	))
	// mod-97 catches every digit changed into another digit and every letter
	// changed into another letter.
	valid := "NL91ABNA0417164300"
	for i := 0; i < len(valid); i++ {
		alphabet := "0123456789"
		if isASCIILetter(valid[i]) {
			alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		}
		for _, c := range alphabet {
			if byte(c) == valid[i] {
				continue
			}
			changed := valid[:i] + string(c) + valid[i+1:]
			if validIBAN(changed, "") {
				t.Errorf("%s passes mod-97", changed)
			}
			if hits := s.Screen(Field{"body", changed}); len(hits) > 0 {
				t.Errorf("Screen(%q) = %+v, want no hits", changed, hits)
			}
		}
	}
	// A badly grouped IBAN is no IBAN, but the digits can still read as a
	// phone number, which also puts the item in the queue.
	checkScreen(t, s, []screenCase{
		{"NL91 ABNA 0417 164300", []want{{Phone, 10, "0417 164300"}}},
		{"NL91  ABNA 0417 1643 00", []want{{Phone, 11, "0417 1643 00"}}},
	})
}

func TestWords(t *testing.T) {
	s := New([]string{"kut", "kanker*", "vuile rat", "idioot", "grosse"})
	checkScreen(t, s, []screenCase{
		{"Wat een KUT idee", []want{{Word, 8, "KUT"}}},
		{"'kut'", []want{{Word, 1, "kut"}}},
		{"kut-ding", []want{{Word, 0, "kut"}}},
		{"zo'n kut.", []want{{Word, 5, "kut"}}},
		{"kankerlijer!", []want{{Word, 0, "kankerlijer"}}},
		{"Kanker", []want{{Word, 0, "Kanker"}}},
		{"jij vuile  rat", []want{{Word, 4, "vuile  rat"}}},
		{"vuile\nrat", []want{{Word, 0, "vuile\nrat"}}},
		{"wat een idióót", []want{{Word, 8, "idióót"}}},
		{"IDIÓÓT", []want{{Word, 0, "IDIÓÓT"}}},
		{"idio\u0301o\u0301t!", []want{{Word, 0, "idio\u0301o\u0301t"}}},
		// A combining accent after the last letter belongs to the match.
		{"kut\u0301!", []want{{Word, 0, "kut\u0301"}}},
		{"ku\u00adt", []want{{Word, 0, "ku\u00adt"}}},
		{"ku\u200bt", []want{{Word, 0, "ku\u200bt"}}},
		{"Große", []want{{Word, 0, "Große"}}},
		{"kut kut", []want{{Word, 0, "kut"}, {Word, 4, "kut"}}},
	})
	checkScreen(t, s, none(
		"Kutcher",
		"kutoor",
		"de kutte",
		"kut2",
		"2kut",
		"vuile ratten",
		"vuile",
		"idiote",
		"kan ker",
		"kanke",
	))
	// With a prefix entry the longer words do match.
	checkScreen(t, New([]string{"kut*"}), []screenCase{
		{"Kutcher", []want{{Word, 0, "Kutcher"}}},
		{"kutoor kut", []want{{Word, 0, "kutoor"}, {Word, 7, "kut"}}},
	})
	checkScreen(t, New([]string{"vuile rat*"}), []screenCase{
		{"vuile ratten", []want{{Word, 0, "vuile ratten"}}},
	})
}

func TestDefaultWords(t *testing.T) {
	if n := len(DefaultWords); n < 20 || n > 30 {
		t.Errorf("DefaultWords has %d entries, want 20-30", n)
	}
	parsed, err := ParseWordList(strings.Join(DefaultWords, "\n"))
	if err != nil || !reflect.DeepEqual(parsed, DefaultWords) {
		t.Errorf("ParseWordList(DefaultWords) = %q, %v; want the list itself", parsed, err)
	}
	s := New(DefaultWords)
	checkScreen(t, s, []screenCase{
		{"Wat een kankerlijers", []want{{Word, 8, "kankerlijers"}}},
		{"TERING zeg", []want{{Word, 0, "TERING"}}},
		{"jij hoer", []want{{Word, 4, "hoer"}}},
		{"Klootzak!", []want{{Word, 0, "Klootzak"}}},
	})
	checkScreen(t, s, none(
		"Hoera, het park is open!",
		"Schone kleren voor de kledingbank",
		"De eikels vallen op de stoep",
	))
}

// TestOrdinaryNumbers checks numbers that occur in ideas about a
// neighbourhood and are not personal data.
func TestOrdinaryNumbers(t *testing.T) {
	s := New(DefaultWords)
	texts := []string{
		"2026", "in 1998", "Dorpsstraat 12", "nummer 12a", "133-2", "1234 AB", "1234AB",
		"€ 1.500.000", "2.500,00", "€ 2.500,00", "28-11-2026", "28 november 2026", "om 14:30",
		"14.30 uur", "KvK 12345678", "12345678", "1234567890", "15%", "99,5 %", "tel. nr. volgt",
		"week 48", "1 234 567", "0,5 km", "3e verdieping", "blok 12-14", "1e kwartaal 2026",
		"2026-2030", "20 tot 30 km/u", "06-12-2026", "ISBN 978-90-1234-567-8", "bus 15 en 300",
	}
	checkScreen(t, s, none(texts...))
	// And all of them in one text.
	checkScreen(t, s, none(strings.Join(texts, " ")))
	checkScreen(t, s, none(strings.Join(texts, "\n")))
}

func TestOverlapPreference(t *testing.T) {
	checkScreen(t, New([]string{"kanker*", "example"}), []screenCase{
		{"mail kankerlijer@example.nl", []want{{Email, 5, "kankerlijer@example.nl"}}},
	})
	// A personal-data hit wins even when the word is longer.
	checkScreen(t, New([]string{"bel 0612345678 nu"}), []screenCase{
		{"bel 0612345678 nu", []want{{Phone, 4, "0612345678"}}},
	})
	checkScreen(t, New([]string{"999993653"}), []screenCase{
		{"999993653", []want{{BSN, 0, "999993653"}}},
	})
	// Between words, the longer wins.
	checkScreen(t, New([]string{"vuile", "vuile rat"}), []screenCase{
		{"vuile rat", []want{{Word, 0, "vuile rat"}}},
	})
	// Between personal data, the longer wins.
	checkScreen(t, New(nil), []screenCase{
		{"0612345678@example.nl", []want{{Email, 0, "0612345678@example.nl"}}},
		{"999993653@example.nl", []want{{Email, 0, "999993653@example.nl"}}},
		// "0417 1643 00" alone would be a phone number.
		{"NL91 ABNA 0417 1643 00", []want{{IBAN, 0, "NL91 ABNA 0417 1643 00"}}},
	})
}

func TestScreenFields(t *testing.T) {
	s := New(DefaultWords)
	got := s.Screen(
		Field{"title", "Kut plan"},
		Field{"body", "Mail jan@example.nl of bel 06-12345678"},
		Field{"empty", ""},
	)
	exp := []Hit{
		{Word, "title", 0, 3, "Kut"},
		{Email, "body", 5, 19, "jan@example.nl"},
		{Phone, "body", 27, 38, "06-12345678"},
	}
	if !reflect.DeepEqual(got, exp) {
		t.Errorf("Screen = %+v\nwant %+v", got, exp)
	}
	if !AnyPersonalData(got) || AnyPersonalData(got[:1]) || AnyPersonalData(nil) {
		t.Error("AnyPersonalData is wrong")
	}
	if got := s.Screen(); got != nil {
		t.Errorf("Screen() = %v, want nil", got)
	}
	var nilScreener *Screener
	if got := nilScreener.Screen(Field{"body", "kut 0612345678"}); len(got) != 1 || got[0].Kind != Phone {
		t.Errorf("nil Screener: %+v, want the phone number only", got)
	}
}

func TestKindPersonalData(t *testing.T) {
	for k, want := range map[Kind]bool{BSN: true, Phone: true, Email: true, IBAN: true, Word: false, "": false} {
		if got := k.PersonalData(); got != want {
			t.Errorf("%q.PersonalData() = %v, want %v", k, got, want)
		}
	}
}

func TestHighlight(t *testing.T) {
	text := "Bel 06-12345678, kut!"
	hits := New([]string{"kut"}).Screen(Field{"body", text})
	segs := Highlight("body", text, hits)
	type seg struct {
		text string
		kind Kind
	}
	var got []seg
	for _, s := range segs {
		var k Kind
		if s.Hit != nil {
			k = s.Hit.Kind
			if s.Text != s.Hit.Match {
				t.Errorf("segment %q has hit %+v", s.Text, *s.Hit)
			}
		}
		got = append(got, seg{s.Text, k})
	}
	exp := []seg{{"Bel ", ""}, {"06-12345678", Phone}, {", ", ""}, {"kut", Word}, {"!", ""}}
	if !reflect.DeepEqual(got, exp) {
		t.Errorf("Highlight = %+v, want %+v", got, exp)
	}

	// Hits of other fields, hits that do not fit and overlapping hits are
	// left out; the text always comes back whole.
	odd := []Hit{
		{Kind: Word, Field: "title", Start: 0, End: 3},
		{Kind: Word, Field: "body", Start: 2, End: 5},
		{Kind: Word, Field: "body", Start: 4, End: 6},
		{Kind: Word, Field: "body", Start: 6, End: 6},
		{Kind: Word, Field: "body", Start: -1, End: 2},
		{Kind: Word, Field: "body", Start: 8, End: 99},
	}
	segs = Highlight("body", "abcdefgh", odd)
	var texts []string
	for _, s := range segs {
		if s.Hit != nil {
			texts = append(texts, "["+s.Text+"]")
		} else {
			texts = append(texts, s.Text)
		}
	}
	if j := strings.Join(texts, ""); j != "ab[cde]fgh" {
		t.Errorf("Highlight with odd hits = %q, want %q", j, "ab[cde]fgh")
	}
	if segs := Highlight("body", "", hits); segs != nil {
		t.Errorf("Highlight of empty text = %v, want nil", segs)
	}
}

func TestParseWordList(t *testing.T) {
	got, err := ParseWordList("# Scheldwoorden\n\n  Kanker*  \r\nKUT\n\tvuile   rat\nkut\n#kut2\nidioot's\nkut-ding\nrot\top\n")
	exp := []string{"kanker*", "kut", "vuile rat", "idioot's", "kut-ding", "rot op"}
	if err != nil || !reflect.DeepEqual(got, exp) {
		t.Errorf("ParseWordList = %q, %v; want %q", got, err, exp)
	}
	if got, err := ParseWordList(""); err != nil || got != nil {
		t.Errorf("empty list: %q, %v", got, err)
	}

	long := strings.Repeat("a", MaxWordLen)
	if got, err := ParseWordList(long); err != nil || len(got) != 1 {
		t.Errorf("entry of exactly %d characters: %q, %v", MaxWordLen, got, err)
	}
	if got, err := ParseWordList(strings.Repeat("é", MaxWordLen)); err != nil || len(got) != 1 {
		t.Errorf("entry of %d accented characters: %q, %v", MaxWordLen, got, err)
	}

	many := func(n int) string {
		var b strings.Builder
		b.WriteString("# lange lijst\n")
		for i := range n {
			fmt.Fprintf(&b, "woord%d\nwoord%d\n", i, i) // every entry twice
		}
		return b.String()
	}
	if got, err := ParseWordList(many(MaxWords)); err != nil || len(got) != MaxWords {
		t.Errorf("list of %d entries: %d entries, %v", MaxWords, len(got), err)
	}

	for _, c := range []struct {
		in   string
		line int
		msg  string
	}{
		{"kut\n\n" + long + "b", 3, "Regel 3: dit woord is te lang. Een woord mag niet meer dan 60 tekens hebben."},
		{"# lijst\nkut@", 2, `Regel 2: het teken "@" mag niet in een woord. Gebruik alleen letters, cijfers, spaties, - en '.`},
		{"kut.nl", 1, `Regel 1: het teken "." mag niet in een woord. Gebruik alleen letters, cijfers, spaties, - en '.`},
		{"a\nb\nku*t", 3, "Regel 3: een * mag alleen aan het eind van een woord staan."},
		{"kut**", 1, "Regel 1: een * mag alleen aan het eind van een woord staan."},
		{"ok\n*", 2, "Regel 2: alleen een * is geen woord. Zet de * achter een woord, zoals kanker*."},
		{"vuile\x01rat", 1, "Regel 1: in dit woord staat een teken dat u niet ziet. Haal het weg en gebruik alleen letters, cijfers, spaties, - en '."},
		{"k\u200but", 1, "Regel 1: in dit woord staat een teken dat u niet ziet. Haal het weg en gebruik alleen letters, cijfers, spaties, - en '."},
		{"ok\n-kut", 2, "Regel 2: een woord moet beginnen met een letter of een cijfer."},
		{"'t", 1, "Regel 1: een woord moet beginnen met een letter of een cijfer."},
		{many(MaxWords) + "één te veel\n", 2*MaxWords + 2, "Regel 4002: de lijst is te lang. Er mogen niet meer dan 2000 woorden in staan."},
	} {
		got, err := ParseWordList(c.in)
		le, ok := err.(*ListError)
		if !ok || got != nil || le.Line != c.line || le.Error() != c.msg {
			in := c.in
			if len(in) > 40 {
				in = in[:40] + "..."
			}
			t.Errorf("ParseWordList(%q) = %q, %v; want line %d: %q", in, got, err, c.line, c.msg)
		}
	}
}

// TestLargeInputs screens long and repetitive fields, the shapes that make
// careless matchers slow, and checks the results.
func TestLargeInputs(t *testing.T) {
	s := New(DefaultWords)
	count := func(text string, k Kind) int {
		n := 0
		for _, h := range s.Screen(Field{"body", text}) {
			if h.Kind == k {
				n++
			}
		}
		return n
	}
	for _, c := range []struct {
		text string
		kind Kind
		n    int
	}{
		{strings.Repeat("06-12345678 ", 1000), Phone, 1000},
		{strings.Repeat("999993653 ", 1000), BSN, 1000},
		{strings.Repeat("NL91ABNA0417164300 ", 500), IBAN, 500},
		{strings.Repeat("jan@example.nl ", 500), Email, 500},
		{strings.Repeat("kut ", 2500), Word, 2500},
		{strings.Repeat("kanker", 2000), Word, 1},
		{strings.Repeat("0", 10000), Phone, 0},
		{strings.Repeat("0 ", 5000), Phone, 0},
		// Groups of two are read until there are ten digits: 0606060606.
		{strings.Repeat("06 ", 3000), Phone, 600},
		{strings.Repeat("1.", 5000), BSN, 0},
		{strings.Repeat("NL91 ", 2000), IBAN, 0},
		{strings.Repeat("a", 10000) + "@", Email, 0},
		{strings.Repeat("a.", 5000) + "@example", Email, 0},
		{strings.Repeat("+31 ", 2500), Phone, 0},
		{strings.Repeat("\xff", 10000), Word, 0},
	} {
		if got := count(c.text, c.kind); got != c.n {
			t.Errorf("%q...: %d hits of kind %s, want %d", c.text[:20], got, c.kind, c.n)
		}
	}
}

func TestInvalidUTF8(t *testing.T) {
	text := "\xffkut\xc3 06-12345678\xe2\x82"
	checkScreen(t, New([]string{"kut"}), []screenCase{
		{text, []want{{Word, 1, "kut"}, {Phone, 6, "06-12345678"}}},
	})
}

func TestConcurrentUse(t *testing.T) {
	s := New(DefaultWords)
	text := "Kut plan, bel 06-12345678 of mail jan@example.nl, BSN 999993653, NL91 ABNA 0417 1643 00."
	want := s.Screen(Field{"body", text})
	if len(want) != 5 {
		t.Fatalf("got %d hits, want 5: %+v", len(want), want)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if got := s.Screen(Field{"body", text}); !reflect.DeepEqual(got, want) {
					t.Errorf("concurrent Screen = %+v", got)
					return
				}
			}
		})
	}
	wg.Wait()
}

func FuzzScreen(f *testing.F) {
	for _, seed := range []string{
		"",
		"Bel 06-12345678 of +31 (0)6 12345678, mail jan@example.nl.",
		"BSN 999993653 en 1234.56.782, rekening NL91 ABNA 0417 1643 00",
		"Wat een kankerlijer, vuile  rat! idióót",
		"€ 1.500.000 op 28-11-2026 om 14:30, 1234 AB",
		"0612345678@example.nl kut-ding (020) 123 45 67",
		"\xffkut\xc3 06-12345678\xe2\x82 ku\u00adt idio\u0301o\u0301t Große",
	} {
		f.Add(seed)
	}
	s := New(append([]string{"vuile rat", "idioot", "rat*", "o", "1"}, DefaultWords...))
	f.Fuzz(func(t *testing.T, text string) {
		hits := s.Screen(Field{"a", text}, Field{"b", text})
		var perField [2][]Hit
		for _, h := range hits {
			switch h.Field {
			case "a":
				if len(perField[1]) > 0 {
					t.Fatalf("hit of field a after field b: %+v", hits)
				}
				perField[0] = append(perField[0], h)
			case "b":
				perField[1] = append(perField[1], h)
			default:
				t.Fatalf("hit with field %q", h.Field)
			}
		}
		if !reflect.DeepEqual(perField[0], relabel(perField[1], "a")) {
			t.Fatalf("same text, different hits: %+v", hits)
		}
		end := 0
		for _, h := range perField[0] {
			if h.Start < 0 || h.Start >= h.End || h.End > len(text) {
				t.Fatalf("hit out of range: %+v (len %d)", h, len(text))
			}
			if h.Match != text[h.Start:h.End] {
				t.Fatalf("Match %q != text[%d:%d] %q", h.Match, h.Start, h.End, text[h.Start:h.End])
			}
			if h.Start < end {
				t.Fatalf("hits overlap or are out of order: %+v", perField[0])
			}
			end = h.End
			switch h.Kind {
			case BSN:
				if d := digitsOf(h.Match); !elevenTest([]byte(d)) {
					t.Fatalf("BSN hit %q fails the 11-test", h.Match)
				}
			case IBAN:
				if !validIBAN(h.Match, " ") {
					t.Fatalf("IBAN hit %q is not valid", h.Match)
				}
			case Phone:
				if d := digitsOf(h.Match); len(d) != 10 && !(len(d) >= 11 && (strings.HasPrefix(d, "31") || strings.HasPrefix(d, "0031"))) {
					t.Fatalf("phone hit %q has digits %q", h.Match, d)
				}
			case Email:
				if strings.Count(h.Match, "@") != 1 {
					t.Fatalf("e-mail hit %q", h.Match)
				}
			case Word:
			default:
				t.Fatalf("unknown kind in %+v", h)
			}
		}
		var b strings.Builder
		marked := 0
		for _, seg := range Highlight("a", text, hits) {
			if seg.Text == "" {
				t.Fatalf("empty segment")
			}
			if seg.Hit != nil {
				marked++
			}
			b.WriteString(seg.Text)
		}
		if b.String() != text {
			t.Fatalf("Highlight gives %q, want %q", b.String(), text)
		}
		if marked != len(perField[0]) {
			t.Fatalf("Highlight marks %d hits, want %d", marked, len(perField[0]))
		}
	})
}

func relabel(hits []Hit, field string) []Hit {
	var out []Hit
	for _, h := range hits {
		h.Field = field
		out = append(out, h)
	}
	return out
}

func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func BenchmarkScreen(b *testing.B) {
	s := New(DefaultWords)
	para := "Wij willen meer bomen in de Dorpsstraat 12a (1234 AB). Het kost € 1.500.000 en start op 28-11-2026 om 14:30. " +
		"Bel 06-12345678 of mail jan@example.nl. Wat een kankerzooi nu! "
	text := strings.Repeat(para, 10000/len(para)+1)[:10000]
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		s.Screen(Field{"body", text})
	}
}

func ExampleHighlight() {
	words, err := ParseWordList("# scheldwoorden\nkanker*\nvuile rat\n")
	if err != nil {
		fmt.Println(err)
		return
	}
	s := New(words)
	text := "Wat een kankerzooi, bel me op 06-12345678."
	hits := s.Screen(Field{Name: "body", Text: text})
	fmt.Println("personal data:", AnyPersonalData(hits))
	for _, seg := range Highlight("body", text, hits) {
		if seg.Hit != nil {
			fmt.Printf("[%s:%s]", seg.Hit.Kind, seg.Text)
		} else {
			fmt.Print(seg.Text)
		}
	}
	fmt.Println()
	// Output:
	// personal data: true
	// Wat een [word:kankerzooi], bel me op [phone:06-12345678].
}
