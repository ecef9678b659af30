package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// dpkg reads installed Debian packages: their version, their files and
// the checksums the package shipped them with. Files are read under Root
// ("/" on the build machine) and each one is checked against its
// checksum, so the image holds the package's files as Debian built them,
// not whatever the machine changed or added.
type dpkg struct {
	Root string
	// Query runs dpkg-query with these arguments and returns its output.
	Query func(args ...string) ([]byte, error)
}

func systemDpkg() dpkg {
	return dpkg{Root: "/", Query: func(args ...string) ([]byte, error) {
		out, err := exec.Command("dpkg-query", args...).Output()
		if ee, ok := err.(*exec.ExitError); ok {
			return nil, fmt.Errorf("dpkg-query %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(ee.Stderr))
		}
		return out, err
	}}
}

// debPackage is one installed package.
type debPackage struct {
	Name, Version string
	Files         []string          // as dpkg -L lists them: /usr/share/zoneinfo/Europe/Amsterdam
	MD5           map[string]string // path as in Files -> md5 in hex
}

func (d dpkg) Package(name string) (*debPackage, error) {
	out, err := d.Query("-W", "-f=${Version}\t${db:Status-Status}", name)
	if err != nil {
		return nil, err
	}
	version, status, _ := strings.Cut(strings.TrimSpace(string(out)), "\t")
	if version == "" || status != "installed" {
		return nil, fmt.Errorf("Debian package %s is not installed (status %q); install it: apt-get install %s", name, status, name)
	}
	p := &debPackage{Name: name, Version: version, MD5: map[string]string{}}
	out, err = d.Query("-L", name)
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "/") && line != "/." {
			p.Files = append(p.Files, line)
		}
	}
	out, err = d.Query("--control-path", name, "md5sums")
	if err != nil {
		return nil, err
	}
	sums, err := os.ReadFile(strings.TrimSpace(string(out)))
	if err != nil {
		return nil, fmt.Errorf("%s: checksums: %w", name, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		sum, file, ok := strings.Cut(sc.Text(), "  ")
		if ok {
			p.MD5["/"+file] = sum
		}
	}
	if len(p.MD5) == 0 {
		return nil, fmt.Errorf("%s: no checksums", name)
	}
	return p, nil
}

// read returns a file of the package, refusing it unless it is a regular
// file whose checksum is the package's.
func (d dpkg) read(p *debPackage, file string) ([]byte, error) {
	want, ok := p.MD5[file]
	if !ok {
		return nil, fmt.Errorf("%s: %s has no checksum in the package", p.Name, file)
	}
	data, err := os.ReadFile(filepath.Join(d.Root, file))
	if err != nil {
		return nil, err
	}
	sum := md5.Sum(data)
	if hex.EncodeToString(sum[:]) != want {
		return nil, fmt.Errorf("%s: %s differs from the file the package installed (checksum); reinstall the package", p.Name, file)
	}
	return data, nil
}

const (
	caBundle    = "etc/ssl/certs/ca-certificates.crt"
	caSource    = "/usr/share/ca-certificates/mozilla/"
	zoneinfoDir = "/usr/share/zoneinfo"
)

// debianFiles gathers what the image takes from Debian: the CA bundle,
// the time zone data and both packages' copyright files, and names the
// packages with their versions.
func debianFiles(d dpkg) (entries []Entry, packages []string, err error) {
	ca, err := d.Package("ca-certificates")
	if err != nil {
		return nil, nil, err
	}
	tz, err := d.Package("tzdata")
	if err != nil {
		return nil, nil, err
	}
	bundle, n, err := caCertificates(d, ca)
	if err != nil {
		return nil, nil, err
	}
	if n == 0 {
		return nil, nil, fmt.Errorf("ca-certificates: no certificates under %s", caSource)
	}
	entries = append(entries, Entry{Path: caBundle, Type: tar.TypeReg, Mode: 0o644, Data: bundle})
	zones, err := zoneinfo(d, tz)
	if err != nil {
		return nil, nil, err
	}
	entries = append(entries, zones...)
	for _, p := range []*debPackage{ca, tz} {
		file := "/usr/share/doc/" + p.Name + "/copyright"
		data, err := d.read(p, file)
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, Entry{Path: file, Type: tar.TypeReg, Mode: 0o644, Data: data})
		packages = append(packages, p.Name+"="+p.Version)
	}
	return entries, packages, nil
}

// caCertificates makes the bundle update-ca-certificates makes from the
// package's own certificates (Mozilla's list, as Debian ships it), sorted
// by name. The machine's /etc/ssl/certs/ca-certificates.crt is not used:
// it may hold certificates the machine's administrator added (under
// /usr/local/share/ca-certificates), which no municipality should trust.
func caCertificates(d dpkg, p *debPackage) (bundle []byte, n int, err error) {
	var files []string
	for _, f := range p.Files {
		if strings.HasPrefix(f, caSource) && strings.HasSuffix(f, ".crt") {
			files = append(files, f)
		}
	}
	sort.Strings(files)
	var buf bytes.Buffer
	for _, f := range files {
		data, err := d.read(p, f)
		if err != nil {
			return nil, 0, err
		}
		block, rest := pem.Decode(data)
		if block == nil || block.Type != "CERTIFICATE" || len(bytes.TrimSpace(rest)) != 0 {
			return nil, 0, fmt.Errorf("%s is not one PEM certificate", f)
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return nil, 0, fmt.Errorf("%s: %w", f, err)
		}
		buf.Write(data)
		if !bytes.HasSuffix(data, []byte("\n")) {
			buf.WriteByte('\n')
		}
		n++
	}
	return buf.Bytes(), n, nil
}

// zoneinfo takes the package's /usr/share/zoneinfo without right/ (the
// same zones again with leap seconds, which Go does not read) and keeps
// its relative symbolic links (posix/Europe -> ../Europe, UTC -> Etc/UTC) as
// links. A link that leaves the tree or points at something left out
// (localtime -> /etc/localtime) is left out too: it would dangle.
func zoneinfo(d dpkg, p *debPackage) ([]Entry, error) {
	var entries []Entry
	kept := map[string]Entry{}
	for _, f := range p.Files {
		if f == zoneinfoDir || !strings.HasPrefix(f, zoneinfoDir+"/") || f == zoneinfoDir+"/right" || strings.HasPrefix(f, zoneinfoDir+"/right/") {
			continue
		}
		fi, err := os.Lstat(filepath.Join(d.Root, f))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Name, err)
		}
		var e Entry
		switch {
		case fi.IsDir():
			e = Entry{Path: f, Type: tar.TypeDir, Mode: 0o755}
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(filepath.Join(d.Root, f))
			if err != nil {
				return nil, err
			}
			e = Entry{Path: f, Type: tar.TypeSymlink, Mode: 0o777, Link: target}
		case fi.Mode().IsRegular():
			data, err := d.read(p, f)
			if err != nil {
				return nil, err
			}
			e = Entry{Path: f, Type: tar.TypeReg, Mode: 0o644, Data: data}
		default:
			return nil, fmt.Errorf("%s: %s is neither file, directory nor link", p.Name, f)
		}
		kept[f] = e
		entries = append(entries, e)
	}
	if _, ok := kept[zoneinfoDir+"/Europe/Amsterdam"]; !ok {
		return nil, fmt.Errorf("%s: no %s/Europe/Amsterdam", p.Name, zoneinfoDir)
	}
	out := entries[:0]
	for _, e := range entries {
		if e.Type == tar.TypeSymlink && !resolves(kept, e.Path) {
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

// resolves says whether the link at p ends, within a few hops, at a file
// or directory that is kept.
func resolves(kept map[string]Entry, p string) bool {
	for hops := 0; hops < 8; hops++ {
		e, ok := kept[p]
		if !ok {
			return false
		}
		if e.Type != tar.TypeSymlink {
			return true
		}
		if path.IsAbs(e.Link) {
			return false
		}
		p = path.Join(path.Dir(p), e.Link)
	}
	return false
}
