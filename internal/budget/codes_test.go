package budget

import (
	"strings"
	"testing"

	"inspraak/internal/apperror"
)

var testCodeKey = CodeKey([]byte("0123456789abcdef0123456789abcdef"))

func TestLetterCodesAreStableReadableAndDistinct(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 20000; i++ {
		tok := "token-" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + itoa(i)
		c := LetterCode(testCodeKey, 7, tok)
		if len(c) != CodeLength {
			t.Fatalf("code %q has %d characters", c, len(c))
		}
		for _, r := range c {
			if !strings.ContainsRune(CodeAlphabet, r) {
				t.Fatalf("code %q has %q, outside the alphabet", c, r)
			}
		}
		if seen[c] {
			t.Fatalf("two tokens got code %q", c)
		}
		seen[c] = true
		if again := LetterCode(testCodeKey, 7, tok); again != c {
			t.Fatalf("the same token gave %q and then %q: a second print would not match", c, again)
		}
	}
	if LetterCode(testCodeKey, 7, "t") == LetterCode(testCodeKey, 8, "t") {
		t.Fatal("one person has the same code in two budgets")
	}
	if LetterCode(testCodeKey, 7, "t") == LetterCode(CodeKey([]byte("another key of thirty-two bytes!")), 7, "t") {
		t.Fatal("the code does not depend on the key")
	}
	// Every character of the alphabet is used, in every position.
	for pos := 0; pos < CodeLength; pos++ {
		used := map[byte]bool{}
		for c := range seen {
			used[c[pos]] = true
		}
		if len(used) != len(CodeAlphabet) {
			t.Fatalf("position %d uses %d of %d characters", pos, len(used), len(CodeAlphabet))
		}
	}
}

func itoa(i int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
		if i == 0 {
			return string(b)
		}
	}
}

func TestCodeKeyIsNotThePseudonymKey(t *testing.T) {
	pk := []byte("0123456789abcdef0123456789abcdef")
	if string(CodeKey(pk)) == string(pk) {
		t.Fatal("the code key equals the pseudonym key")
	}
	if string(CodeKey(pk)) == string(CodeKey([]byte("0123456789abcdef0123456789abcdeF"))) {
		t.Fatal("two pseudonym keys give one code key")
	}
}

func TestTypedCodesAreNormalised(t *testing.T) {
	code := LetterCode(testCodeKey, 3, "someone")
	shown := FormatCode(code)
	if len(shown) != 14 || shown[4] != '-' || shown[9] != '-' || strings.ReplaceAll(shown, "-", "") != code {
		t.Fatalf("shown as %q", shown)
	}
	for _, typed := range []string{
		shown,
		strings.ToLower(shown),
		" " + code[:4] + " " + code[4:8] + " " + code[8:] + " ",
		code[:4] + "–" + code[4:8] + "‐" + code[8:], // en dash and hyphen from a word processor
		code[:6] + "." + code[6:],
		strings.ToLower(code[:5]) + code[5:],
	} {
		got, err := NormaliseCode(typed)
		if err != nil || got != code {
			t.Errorf("%q → %q, %v; want %q", typed, got, err, code)
		}
		if CodeLookup(testCodeKey, got) != CodeLookup(testCodeKey, code) {
			t.Errorf("%q finds another row", typed)
		}
	}
}

func TestTypedCodesWithWrongCharactersAreRefusedClearly(t *testing.T) {
	for typed, key := range map[string]string{
		"":                "budget.code.empty",
		" - ":             "budget.code.empty",
		"ABCD-EFGH-JKL0":  "budget.code.look_alike",
		"ABCD-EFGH-JKLO":  "budget.code.look_alike",
		"abcd-efgh-jkl1":  "budget.code.look_alike",
		"ABCD-EFGH-JKLI":  "budget.code.look_alike",
		"ABCD-EFGH-JKL!":  "budget.code.bad_character",
		"ABCD-EFGH-JKLË":  "budget.code.bad_character",
		"ABCD-EFGH-JKL":   "budget.code.length",
		"ABCD-EFGH-JKLMN": "budget.code.length",
	} {
		_, err := NormaliseCode(typed)
		e, ok := apperror.As(err)
		if !ok || e.Code != apperror.Invalid || e.Key != key || e.Fields["code"] != key {
			t.Errorf("%q: %v, want %s on the code field", typed, err, key)
		}
	}
}

func TestCodeLookupDoesNotRevealTheCode(t *testing.T) {
	code := LetterCode(testCodeKey, 3, "someone")
	l := CodeLookup(testCodeKey, code)
	if strings.Contains(l, code) || l == CodeLookup(CodeKey([]byte("another key of thirty-two bytes!")), code) {
		t.Fatalf("lookup %q", l)
	}
}
