package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DevKeysFileMode is the mode of the development keys file: the owner
// alone reads it.
const DevKeysFileMode = 0o600

// DevKeysFile is where development keeps the keys it generates for a
// database URL: beside a SQLite file, with .keys for its extension
// (./inspraak.db → ./inspraak.keys). It is "" for PostgreSQL and for an
// in-memory SQLite database, which have no place beside them; keys are
// then made up for each run.
func DevKeysFile(databaseURL string) string {
	if !strings.HasPrefix(databaseURL, "sqlite:") {
		return ""
	}
	path := strings.TrimPrefix(strings.TrimPrefix(databaseURL, "sqlite:"), "//")
	if path == "" || strings.Contains(path, ":memory:") || strings.Contains(path, "mode=memory") {
		return ""
	}
	if ext := filepath.Ext(path); ext != "" && ext != ".keys" {
		return strings.TrimSuffix(path, ext) + ".keys"
	}
	return path + ".keys"
}

// devKeys fills the development keys that were not set (names): from the
// keys file beside the database when it holds them, otherwise newly made
// and written there (mode 0600), so the next start uses the same ones.
// Without a file (PostgreSQL) they are made up for this run only.
func (c *Config) devKeys(names []string, probs *Problems) {
	file := DevKeysFile(c.DatabaseURL)
	if file == "" {
		for _, n := range names {
			c.setKey(n, randomKey())
			c.GeneratedKeys = append(c.GeneratedKeys, n)
		}
		return
	}
	// Two processes starting at once on a new database must end up with
	// the same keys: the file is created without replacing one that
	// appeared meanwhile, and then read again.
	for attempt := 0; ; attempt++ {
		kept, existed, err := readKeysFile(file)
		if err != nil {
			*probs = append(*probs, err.Error())
			return
		}
		var added []string
		for _, n := range names {
			v, ok := kept[n]
			if ok {
				if reason := weakness(v); reason != "" {
					*probs = append(*probs, fmt.Sprintf("%s in %s is too weak: %s (delete the line to generate a new one)", n, file, reason))
					continue
				}
			} else {
				v = string(randomKey())
				kept[n] = v
				added = append(added, n)
			}
			c.setKey(n, []byte(v))
		}
		if len(*probs) > 0 {
			return
		}
		c.KeysFile = file
		if len(added) == 0 {
			return
		}
		err = writeKeysFile(file, kept, existed)
		if errors.Is(err, fs.ErrExist) && attempt == 0 {
			continue
		}
		if err != nil {
			*probs = append(*probs, fmt.Sprintf("development keys file %s: %v", file, err))
		}
		return
	}
}

func (c *Config) setKey(name string, v []byte) {
	switch name {
	case "INSPRAAK_SESSION_KEY":
		c.SessionKey = v
	case "INSPRAAK_PSEUDONYM_KEY":
		c.PseudonymKey = v
	}
}

// readKeysFile reads NAME=value lines and says whether the file exists.
// A file that others may read is refused: it holds the key that links
// pseudonyms to BSNs.
func readKeysFile(file string) (map[string]string, bool, error) {
	kept := map[string]string{}
	st, err := os.Stat(file)
	if errors.Is(err, fs.ErrNotExist) {
		return kept, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("development keys file %s: %v", file, err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, true, fmt.Errorf("development keys file %s can be read by others (mode %04o); run chmod 600 %s", file, st.Mode().Perm(), file)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, true, fmt.Errorf("development keys file %s: %v", file, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, true, fmt.Errorf("development keys file %s: a line is not NAME=value", file)
		}
		kept[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return kept, true, nil
}

// writeKeysFile writes the keys through a temporary file put in place at
// once, so a reader never sees half a file. A new file never replaces one
// another process made meanwhile (fs.ErrExist).
func writeKeysFile(file string, kept map[string]string, replace bool) error {
	var b strings.Builder
	b.WriteString("# Inspraak development keys, made up on first start and kept so that a\n")
	b.WriteString("# restart keeps sessions and pseudonyms. Never use them in production.\n")
	for _, n := range []string{"INSPRAAK_SESSION_KEY", "INSPRAAK_PSEUDONYM_KEY"} {
		if v, ok := kept[n]; ok {
			b.WriteString(n + "=" + v + "\n")
		}
	}
	dir := filepath.Dir(file)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".inspraak-keys-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(DevKeysFileMode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.WriteString(b.String()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if replace {
		return os.Rename(tmp.Name(), file)
	}
	return os.Link(tmp.Name(), file)
}
