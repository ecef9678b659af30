package identity

// Means is how someone logged in.
type Means string

// The three providers.
const (
	DigiD       Means = "digid"
	EHerkenning Means = "eherkenning"
	Staff       Means = "staff"
)

// Valid reports whether m is a known means.
func (m Means) Valid() bool { return m == DigiD || m == EHerkenning || m == Staff }

// Resident reports whether m is a means residents and businesses use.
func (m Means) Resident() bool { return m == DigiD || m == EHerkenning }

// Levels of assurance per means, low to high. The values are the SAML
// authentication context classes DigiD uses and the eToegang assurance
// classes of eHerkenning, which brokers pass on in the acr claim.
var levels = map[Means][]string{
	DigiD: {
		"urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport", // Basis
		"urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",    // Midden
		"urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard",                  // Substantieel
		"urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",               // Hoog
	},
	EHerkenning: {
		"urn:etoegang:core:assurance-class:loa1",
		"urn:etoegang:core:assurance-class:loa2",
		"urn:etoegang:core:assurance-class:loa2plus",
		"urn:etoegang:core:assurance-class:loa3",
		"urn:etoegang:core:assurance-class:loa4",
	},
}

// Levels returns the known levels of a means, low to high.
func Levels(m Means) []string { return levels[m] }

// LoARank returns 1 for the lowest known level of a means and higher for
// stronger ones. An unknown value ranks 0: below everything.
func LoARank(m Means, value string) int {
	for i, v := range levels[m] {
		if v == value {
			return i + 1
		}
	}
	return 0
}

// MeetsLoA reports whether got satisfies a minimum. An empty minimum is met
// by any known level; an unknown level meets nothing.
func MeetsLoA(m Means, got, min string) bool {
	r := LoARank(m, got)
	if r == 0 {
		return false
	}
	if min == "" {
		return true
	}
	return r >= LoARank(m, min) && LoARank(m, min) > 0
}
