package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// fakeDebian is a Debian machine in a temporary directory: two installed
// packages, ca-certificates and tzdata, with their files and checksums,
// and a dpkg-query that answers for them.
type fakeDebian struct {
	root  string
	files map[string][]string // package -> files as dpkg -L lists them
	certs []string            // the PEM certificates, in file name order
	// status is what dpkg-query -W says of a package ("installed").
	status map[string]string
}

func newFakeDebian(t *testing.T) *fakeDebian {
	t.Helper()
	f := &fakeDebian{root: t.TempDir(), files: map[string][]string{},
		status: map[string]string{"ca-certificates": "installed", "tzdata": "installed"}}
	for i, name := range []string{"Alpha_Root_CA", "Beta_Root_CA"} {
		pemText := testCert(t, name)
		if i == 1 {
			// update-ca-certificates adds a missing final newline; so must we.
			pemText = strings.TrimSuffix(pemText, "\n")
		}
		f.certs = append(f.certs, pemText)
		f.add(t, "ca-certificates", "/usr/share/ca-certificates/mozilla/"+name+".crt", pemText)
	}
	f.add(t, "ca-certificates", "/usr/share/doc/ca-certificates/copyright", "MPL-2.0\n")
	f.add(t, "tzdata", "/usr/share/doc/tzdata/copyright", "public domain\n")
	f.add(t, "tzdata", "/usr/share/zoneinfo/Europe/Amsterdam", "TZif2 Amsterdam")
	f.add(t, "tzdata", "/usr/share/zoneinfo/Etc/UTC", "TZif2 UTC")
	f.add(t, "tzdata", "/usr/share/zoneinfo/right/Europe/Amsterdam", "TZif2 Amsterdam with leap seconds")
	f.link(t, "tzdata", "/usr/share/zoneinfo/UTC", "Etc/UTC")
	f.link(t, "tzdata", "/usr/share/zoneinfo/posix/Europe", "../Europe")
	f.link(t, "tzdata", "/usr/share/zoneinfo/posix/Leap", "../right/Europe/Amsterdam") // into what is left out
	f.link(t, "tzdata", "/usr/share/zoneinfo/localtime", "/etc/localtime")             // out of the tree
	// A certificate some administrator put on the machine: not the package's.
	f.write(t, "/usr/local/share/ca-certificates/local.crt", testCert(t, "Local_CA"))
	f.write(t, "/etc/ssl/certs/ca-certificates.crt", strings.Join(f.certs, "\n")+"\n"+testCert(t, "Local_CA"))
	return f
}

func (f *fakeDebian) write(t *testing.T, file, content string) {
	t.Helper()
	p := filepath.Join(f.root, file)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// add installs a regular file of a package, and its directories, as dpkg
// lists them.
func (f *fakeDebian) add(t *testing.T, pkg, file, content string) {
	t.Helper()
	f.write(t, file, content)
	f.list(pkg, file)
	sum := md5.Sum([]byte(content))
	sums := filepath.Join(f.root, "var/lib/dpkg/info", pkg+".md5sums")
	old, _ := os.ReadFile(sums)
	f.write(t, "/var/lib/dpkg/info/"+pkg+".md5sums", string(old)+hex.EncodeToString(sum[:])+"  "+strings.TrimPrefix(file, "/")+"\n")
}

func (f *fakeDebian) link(t *testing.T, pkg, file, target string) {
	t.Helper()
	p := filepath.Join(f.root, file)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
	f.list(pkg, file)
}

func (f *fakeDebian) list(pkg, file string) {
	for dir := filepath.Dir(file); dir != "/"; dir = filepath.Dir(dir) {
		f.files[pkg] = append(f.files[pkg], dir)
	}
	f.files[pkg] = append(f.files[pkg], file)
}

func (f *fakeDebian) dpkg() dpkg {
	return dpkg{Root: f.root, Query: func(args ...string) ([]byte, error) {
		pkg := args[len(args)-1]
		switch args[0] {
		case "-W":
			if f.status[pkg] == "" {
				return nil, fmt.Errorf("dpkg-query: no packages found matching %s", pkg)
			}
			return []byte(map[string]string{"ca-certificates": "20230311+deb12u1", "tzdata": "2025b-0+deb12u2"}[pkg] + "\t" + f.status[pkg]), nil
		case "-L":
			seen := map[string]bool{}
			out := "/.\n"
			for _, file := range f.files[pkg] {
				if !seen[file] {
					seen[file] = true
					out += file + "\n"
				}
			}
			return []byte(out), nil
		case "--control-path":
			return []byte(filepath.Join(f.root, "var/lib/dpkg/info", args[1]+".md5sums") + "\n"), nil
		}
		return nil, fmt.Errorf("dpkg-query %v: not faked", args)
	}}
}

// testCert makes a self-signed CA certificate in PEM.
func testCert(t *testing.T, cn string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(0, 0).AddDate(100, 0, 0),
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// goBuild builds a tiny static program that answers `version` the way
// inspraak does, with the go command's flags for this test; flags are
// "-trimpath", "-tags=nomsgpack" and so on, ldflags its -ldflags.
func goBuild(t *testing.T, cgo string, ldflags string, flags ...string) string {
	t.Helper()
	dir := t.TempDir()
	src := `package main

import (
	"fmt"
	"os"
)

var version, revision string

func main() {
	if len(os.Args) > 1 && os.Args[1] == "version" {
		fmt.Printf("inspraak %s\ncommit %s\nbuilt with go\n", version, revision)
	}
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module tiny\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "tiny")
	args := append([]string{"build", "-o", bin, "-ldflags", ldflags}, flags...)
	// go test puts its own Go first on the PATH.
	cmd := exec.Command("go", append(args, ".")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED="+cgo, "GOFLAGS=-buildvcs=false", "GOOS=linux")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
