package identity

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
)

// Kind names the identifier a pseudonym is made from. It is part of the
// HMAC input, so a BSN and a KVK number with the same digits never collide.
type Kind string

// Identifier kinds.
const (
	KindBSN Kind = "nl-bsn"
	KindKVK Kind = "nl-kvk"
)

// Pseudonym is what Inspraak stores instead of an identifier.
type Pseudonym struct {
	Value   string
	Version int
}

// Keyring holds the pseudonym keys by version. The current version makes
// new pseudonyms; older ones let a returning participant be recognised and
// upgraded (see docs/architecture.md).
type Keyring struct {
	current int
	keys    map[int][]byte
}

// NewKeyring returns a keyring whose current key is key at version.
func NewKeyring(version int, key []byte, older map[int][]byte) (*Keyring, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("identity: pseudonym key must be at least 32 bytes")
	}
	k := &Keyring{current: version, keys: map[int][]byte{version: key}}
	for v, old := range older {
		if v == version {
			return nil, fmt.Errorf("identity: pseudonym key version %d given twice", v)
		}
		k.keys[v] = old
	}
	return k, nil
}

// Current returns the pseudonym of an identifier under the current key.
func (k *Keyring) Current(kind Kind, id string) Pseudonym {
	p, _ := k.At(k.current, kind, id)
	return p
}

// At returns the pseudonym under a given key version, if that key is known.
func (k *Keyring) At(version int, kind Kind, id string) (Pseudonym, bool) {
	key, ok := k.keys[version]
	if !ok {
		return Pseudonym{}, false
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(string(kind) + "|" + id))
	return Pseudonym{Value: base64.RawURLEncoding.EncodeToString(m.Sum(nil)), Version: version}, true
}

// Versions lists the known key versions other than the current one.
func (k *Keyring) Versions() []int {
	var vs []int
	for v := range k.keys {
		if v != k.current {
			vs = append(vs, v)
		}
	}
	return vs
}

// InstrumentID derives the id a participant has within one instrument:
// HMAC(key, purpose|instrument|pseudonym). Ballots and responses carry it
// instead of the pseudonym, so those tables do not link a person across
// instruments, while the unique index still allows one per person.
func InstrumentID(key []byte, purpose string, instrumentID int64, subject string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose + "|" + strconv.FormatInt(instrumentID, 10) + "|" + subject))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
