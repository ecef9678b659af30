package main

import (
	"archive/tar"
	"bytes"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// epoch is the commit time the tests' images are made at.
const epoch = "1796646786" // 2026-12-07T12:33:06Z

// file is one entry of an image's root filesystem.
type file struct {
	hdr  *tar.Header
	data []byte
}

// rootfs reads an image's root filesystem, all layers applied.
func rootfs(t *testing.T, img v1.Image) map[string]file {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	files := map[string]file{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files["/"+strings.TrimSuffix(path.Clean(h.Name), "/")] = file{h, data}
	}
	return files
}

// buildCommand runs `inspraak-image build` on the fake Debian machine and
// returns the image as read back from the tarball and from the layout.
func buildCommand(t *testing.T, deb *fakeDebian, bin string) (fromTarball, fromLayout v1.Image, out string) {
	t.Helper()
	old := newDpkg
	newDpkg = deb.dpkg
	t.Cleanup(func() { newDpkg = old })
	t.Setenv("SOURCE_DATE_EPOCH", epoch)
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run([]string{"build", "-binary", bin, "-version", "1.2.3", "-revision", "abc123",
		"-layout", filepath.Join(dir, "oci"), "-tarball", filepath.Join(dir, "image.tar")}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("build: %d\n%s%s", code, stdout.String(), stderr.String())
	}
	var err error
	if fromTarball, err = tarball.ImageFromPath(filepath.Join(dir, "image.tar"), nil); err != nil {
		t.Fatalf("the tarball does not load: %v", err)
	}
	if fromLayout, err = openImage(filepath.Join(dir, "oci")); err != nil {
		t.Fatalf("the layout does not load: %v", err)
	}
	return fromTarball, fromLayout, stdout.String()
}

// TestTheImageRunsInspraakAsNonroot builds the image as CI does and reads
// it back from the tarball docker load and podman load take: the config
// says who runs what, where and how, and the files are there, with owners
// and modes that let the user write /data and /tmp and nothing else.
func TestTheImageRunsInspraakAsNonroot(t *testing.T) {
	deb := newFakeDebian(t)
	bin := goBuild(t, "0", "-s -w -X main.version=1.2.3 -X main.revision=abc123", "-trimpath", "-tags=nomsgpack")
	img, fromLayout, out := buildCommand(t, deb, bin)
	for _, want := range []string{"image     sha256:", "unpacked", "compressed", "debian    ca-certificates=20230311+deb12u1 tzdata=2025b-0+deb12u2"} {
		if !strings.Contains(out, want) {
			t.Errorf("build printed no %q:\n%s", want, out)
		}
	}

	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	if c.User != "65532:65532" || strings.Join(c.Entrypoint, " ") != "/inspraak" || strings.Join(c.Cmd, " ") != "serve" ||
		c.WorkingDir != "/data" || c.StopSignal != "SIGTERM" {
		t.Errorf("user %q, entrypoint %q, cmd %q, workdir %q, stop signal %q", c.User, c.Entrypoint, c.Cmd, c.WorkingDir, c.StopSignal)
	}
	if _, ok := c.ExposedPorts["8080/tcp"]; !ok || len(c.ExposedPorts) != 1 {
		t.Errorf("ports %v, want 8080/tcp", c.ExposedPorts)
	}
	if !contains(c.Env, "INSPRAAK_ADDR=:8080") || !contains(c.Env, "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt") {
		t.Errorf("env %q", c.Env)
	}
	if cf.OS != "linux" || cf.Architecture != runtime.GOARCH || cf.Created.UTC().Format(time.RFC3339) != "2026-12-07T12:33:06Z" {
		t.Errorf("os %s, architecture %s, created %s", cf.OS, cf.Architecture, cf.Created)
	}
	wantLabels := map[string]string{
		"org.opencontainers.image.title":    "Inspraak",
		"org.opencontainers.image.version":  "1.2.3",
		"org.opencontainers.image.revision": "abc123",
		"org.opencontainers.image.source":   "https://github.com/inspraak/inspraak",
		"org.opencontainers.image.licenses": "EUPL-1.2",
		"org.opencontainers.image.created":  "2026-12-07T12:33:06Z",
		"inspraak.image.debian-packages":    "ca-certificates=20230311+deb12u1 tzdata=2025b-0+deb12u2",
	}
	m, err := fromLayout.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range wantLabels {
		if c.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, c.Labels[k], v)
		}
		if m.Annotations[k] != v {
			t.Errorf("annotation %s = %q, want %q", k, m.Annotations[k], v)
		}
	}
	if c.Labels["org.opencontainers.image.description"] == "" {
		t.Error("no description label")
	}

	// The tarball holds the very image of the layout: the same config,
	// the same layers.
	if a, b := configDigest(t, img), configDigest(t, fromLayout); a != b {
		t.Errorf("the tarball's config is %s, the layout's %s", a, b)
	}
	if a, b := diffIDs(t, img), diffIDs(t, fromLayout); a != b || strings.Count(a, "sha256:") != 3 {
		t.Errorf("the tarball's layers are %s, the layout's %s", a, b)
	}

	files := rootfs(t, img)
	binData, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		typ      byte
		mode     int64
		uid, gid int
	}{
		"/inspraak":                                {tar.TypeReg, 0o755, 0, 0},
		"/etc/passwd":                              {tar.TypeReg, 0o644, 0, 0},
		"/etc/group":                               {tar.TypeReg, 0o644, 0, 0},
		"/etc/ssl/certs/ca-certificates.crt":       {tar.TypeReg, 0o644, 0, 0},
		"/usr/share/zoneinfo/Europe/Amsterdam":     {tar.TypeReg, 0o644, 0, 0},
		"/usr/share/doc/tzdata/copyright":          {tar.TypeReg, 0o644, 0, 0},
		"/usr/share/doc/ca-certificates/copyright": {tar.TypeReg, 0o644, 0, 0},
		"/data": {tar.TypeDir, 0o750, 65532, 65532},
		"/tmp":  {tar.TypeDir, 0o1777, 0, 0},
		"/etc":  {tar.TypeDir, 0o755, 0, 0},
	}
	for _, p := range sortedKeys(want) {
		w := want[p]
		f, ok := files[p]
		if !ok {
			t.Errorf("no %s in the image", p)
			continue
		}
		if f.hdr.Typeflag != w.typ || f.hdr.Mode != w.mode || f.hdr.Uid != w.uid || f.hdr.Gid != w.gid {
			t.Errorf("%s: type %c mode %o owner %d:%d, want %c %o %d:%d", p, f.hdr.Typeflag, f.hdr.Mode, f.hdr.Uid, f.hdr.Gid, w.typ, w.mode, w.uid, w.gid)
		}
		if !f.hdr.ModTime.Equal(time.Unix(1796646786, 0)) {
			t.Errorf("%s: modified %s, not at SOURCE_DATE_EPOCH", p, f.hdr.ModTime)
		}
	}
	if !bytes.Equal(files["/inspraak"].data, binData) {
		t.Error("/inspraak is not the binary")
	}
	if !strings.Contains(string(files["/etc/passwd"].data), "\nnonroot:x:65532:65532:nonroot:/data:") ||
		!strings.Contains(string(files["/etc/group"].data), "\nnonroot:x:65532:") {
		t.Errorf("no nonroot user 65532:\n%s%s", files["/etc/passwd"].data, files["/etc/group"].data)
	}

	// The CA bundle: the package's two certificates, each whole, and not
	// the certificate the machine's administrator added.
	var n int
	for rest := files["/etc/ssl/certs/ca-certificates.crt"].data; ; n++ {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
	}
	if bundle := string(files["/etc/ssl/certs/ca-certificates.crt"].data); n != 2 || bundle != deb.certs[0]+deb.certs[1]+"\n" {
		t.Errorf("the bundle holds %d certificates, want the package's 2:\n%s", n, bundle)
	}

	// Time zones: no right/, no dangling link, relative links kept.
	for _, p := range []string{"/usr/share/zoneinfo/right", "/usr/share/zoneinfo/right/Europe/Amsterdam", "/usr/share/zoneinfo/localtime", "/usr/share/zoneinfo/posix/Leap"} {
		if _, ok := files[p]; ok {
			t.Errorf("%s is in the image", p)
		}
	}
	for p, target := range map[string]string{"/usr/share/zoneinfo/UTC": "Etc/UTC", "/usr/share/zoneinfo/posix/Europe": "../Europe"} {
		if f := files[p]; f.hdr == nil || f.hdr.Typeflag != tar.TypeSymlink || f.hdr.Linkname != target {
			t.Errorf("%s is not a link to %s", p, target)
		}
	}

	// Who can write what: the user (65532, group 65532, no other groups)
	// may write /data and /tmp, nothing else; every directory on the way
	// to its working directory is open to it.
	var writable []string
	for _, p := range sortedKeys(files) {
		h := files[p].hdr
		if h.Typeflag == tar.TypeSymlink {
			continue
		}
		if (h.Uid == 65532 && h.Mode&0o200 != 0) || (h.Gid == 65532 && h.Mode&0o020 != 0) || h.Mode&0o002 != 0 {
			writable = append(writable, p)
		}
	}
	if strings.Join(writable, " ") != "/data /tmp" {
		t.Errorf("the user can write %q, want /data and /tmp only", writable)
	}
}

func configDigest(t *testing.T, img v1.Image) v1.Hash {
	t.Helper()
	h, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func diffIDs(t *testing.T, img v1.Image) string {
	t.Helper()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range cf.RootFS.DiffIDs {
		ids = append(ids, h.String())
	}
	return strings.Join(ids, " ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestSameInputsSameDigest: the image is reproducible, and its digest
// does depend on what goes in (here the time, then the binary).
func TestSameInputsSameDigest(t *testing.T) {
	deb := newFakeDebian(t)
	entries, packages, err := debianFiles(deb.dpkg())
	if err != nil {
		t.Fatal(err)
	}
	in := Inputs{Binary: []byte("\x7fELF pretend"), Arch: "amd64", Version: "1.2.3", Revision: "abc123",
		Source: "https://github.com/inspraak/inspraak", Created: time.Unix(1796646786, 0), Debian: entries, Packages: packages}
	digest := func(in Inputs) v1.Hash {
		t.Helper()
		b, err := Build(in)
		if err != nil {
			t.Fatal(err)
		}
		h, err := b.Image.Digest()
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	first := digest(in)
	// The Debian files in another order, as another dpkg could list them.
	rev := append([]Entry(nil), in.Debian...)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	again := in
	again.Debian = rev
	if second := digest(again); second != first {
		t.Errorf("two builds of the same inputs: %s and %s", first, second)
	}
	later := in
	later.Created = in.Created.Add(time.Second)
	if d := digest(later); d == first {
		t.Error("another SOURCE_DATE_EPOCH gives the same digest")
	}
	other := in
	other.Binary = []byte("\x7fELF another")
	if d := digest(other); d == first {
		t.Error("another binary gives the same digest")
	}
}

// TestOnlyTheShippedBuildGoesIn: the image refuses a binary the empty
// base cannot run or that was not built as it ships, and one whose
// version is not the one the labels would claim.
func TestOnlyTheShippedBuildGoesIn(t *testing.T) {
	ok := goBuild(t, "0", "-s -w -X main.version=1.2.3 -X main.revision=abc123", "-trimpath", "-tags=nomsgpack")
	if arch, err := checkBinary(ok, "1.2.3", "abc123"); err != nil || arch != runtime.GOARCH {
		t.Fatalf("the shipped build is refused: %s %v", arch, err)
	}
	if _, err := checkBinary(ok, "1.2.4", "abc123"); err == nil || !strings.Contains(err.Error(), "inspraak 1.2.3 commit abc123") {
		t.Errorf("a binary of another version: %v", err)
	}
	for name, c := range map[string]struct {
		bin, want string
	}{
		"not stripped":  {goBuild(t, "0", "-X main.version=1.2.3 -X main.revision=abc123", "-trimpath", "-tags=nomsgpack"), `-ldflags "-s -w"`},
		"with msgpack":  {goBuild(t, "0", "-s -w -X main.version=1.2.3 -X main.revision=abc123", "-trimpath"), "-tags nomsgpack"},
		"paths kept":    {goBuild(t, "0", "-s -w -X main.version=1.2.3 -X main.revision=abc123", "-tags=nomsgpack"), "-trimpath"},
		"not a program": {writeTemp(t, "#!/bin/sh\n"+strings.Repeat("echo not an ELF file\n", 8)), "bad magic"},
	} {
		_, err := checkBinary(c.bin, "1.2.3", "abc123")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %s", name, err, c.want)
		}
	}
}

func writeTemp(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDebianFilesAreThePackages: a file changed since the package
// installed it, or a package not installed, stops the build.
func TestDebianFilesAreThePackages(t *testing.T) {
	deb := newFakeDebian(t)
	deb.write(t, "/usr/share/zoneinfo/Europe/Amsterdam", "TZif2 changed by hand")
	if _, _, err := debianFiles(deb.dpkg()); err == nil || !strings.Contains(err.Error(), "differs from the file the package installed") {
		t.Errorf("a changed file: %v", err)
	}
	deb = newFakeDebian(t)
	deb.status["tzdata"] = "config-files"
	if _, _, err := debianFiles(deb.dpkg()); err == nil || !strings.Contains(err.Error(), "tzdata is not installed") {
		t.Errorf("a removed package: %v", err)
	}
}

// TestDebianPackagesOfThisMachine reads the real packages where there are
// any (CI's machine is Debian): every certificate of the package is in
// the bundle, none the machine added, and Amsterdam's time zone is there.
func TestDebianPackagesOfThisMachine(t *testing.T) {
	d := systemDpkg()
	if _, err := d.Query("--version"); err != nil {
		t.Skip("no dpkg-query: not a Debian machine")
	}
	entries, packages, err := debianFiles(d)
	if err != nil {
		t.Fatal(err)
	}
	if len(packages) != 2 || !strings.HasPrefix(packages[0], "ca-certificates=") || !strings.HasPrefix(packages[1], "tzdata=") {
		t.Errorf("packages %q", packages)
	}
	ca, err := d.Package("ca-certificates")
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]Entry{}
	for _, e := range entries {
		byPath["/"+strings.TrimPrefix(e.Path, "/")] = e
	}
	bundle := string(byPath["/"+caBundle].Data)
	var pkgCerts int
	for _, f := range ca.Files {
		if strings.HasPrefix(f, caSource) && strings.HasSuffix(f, ".crt") {
			pkgCerts++
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(bundle, strings.TrimSpace(string(data))) {
				t.Errorf("%s is not in the bundle", f)
			}
		}
	}
	if got := strings.Count(bundle, "-----BEGIN CERTIFICATE-----"); got != pkgCerts || got < 100 {
		t.Errorf("the bundle holds %d certificates, the package %d", got, pkgCerts)
	}
	local, _ := filepath.Glob("/usr/local/share/ca-certificates/*.crt")
	for _, f := range local {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(bundle, strings.TrimSpace(string(data))) {
			t.Errorf("%s, added on this machine, is in the image's bundle", f)
		}
	}
	if e, ok := byPath["/usr/share/zoneinfo/Europe/Amsterdam"]; !ok || e.Type != tar.TypeReg && e.Type != tar.TypeSymlink {
		t.Error("no Europe/Amsterdam")
	}
	for p := range byPath {
		if strings.HasPrefix(p, "/usr/share/zoneinfo/right/") {
			t.Errorf("%s is in the image", p)
			break
		}
	}
}

// TestTheDockerfileMakesTheSameShape: the Dockerfile (for those with
// Docker) and this command (CI) make images of one shape, and both build
// the binary as .ci/image.sh does.
func TestTheDockerfileMakesTheSameShape(t *testing.T) {
	raw, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(raw), "\\\n", " ")
	// The final stage: from the last FROM on.
	var final []string
	var build string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "FROM ") {
			final = nil
		}
		if strings.HasPrefix(line, "RUN ") && strings.Contains(line, "go build") {
			build = strings.Join(strings.Fields(line), " ")
		}
		if line != "" && !strings.HasPrefix(line, "#") {
			final = append(final, strings.Join(strings.Fields(line), " "))
		}
	}
	instr := func(name string) string {
		var v string
		for _, l := range final {
			if strings.HasPrefix(l, name+" ") {
				v = strings.TrimPrefix(l, name+" ")
			}
		}
		return v
	}
	asJSON := func(list []string) string { return `["` + strings.Join(list, `", "`) + `"]` }
	for name, want := range map[string]string{
		"USER":        imageUser,
		"WORKDIR":     imageWorkingDir,
		"ENTRYPOINT":  asJSON(imageEntrypoint),
		"CMD":         asJSON(imageCmd),
		"EXPOSE":      strings.TrimSuffix(imagePort, "/tcp"),
		"STOPSIGNAL":  "SIGTERM",
		"HEALTHCHECK": `--interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["/inspraak", "healthcheck"]`,
	} {
		if got := instr(name); got != want {
			t.Errorf("Dockerfile: %s %s, the image: %s", name, got, want)
		}
	}
	env := " " + instr("ENV") + " "
	for _, kv := range imageEnv {
		if !strings.HasPrefix(kv, "PATH=") && !strings.Contains(env, " "+kv+" ") { // PATH: the base's
			t.Errorf("Dockerfile: ENV lacks %s", kv)
		}
	}
	label := instr("LABEL")
	for k := range labels(Inputs{}) {
		if k != debianLabel && !strings.Contains(label, k+"=") {
			t.Errorf("Dockerfile: no label %s", k)
		}
	}
	script, err := os.ReadFile("../../.ci/image.sh")
	if err != nil {
		t.Fatal(err)
	}
	shell := strings.Join(strings.Fields(strings.ReplaceAll(string(script), "\\\n", " ")), " ")
	for _, flag := range []string{`go build -trimpath -tags nomsgpack -ldflags "-s -w -X inspraak/internal/buildinfo.Version=`, " -X inspraak/internal/buildinfo.Revision="} {
		if !strings.Contains(build, flag) || !strings.Contains(build, "CGO_ENABLED=0 ") {
			t.Errorf("Dockerfile: the binary is not built with CGO_ENABLED=0 %s:\n%s", flag, build)
		}
		if !strings.Contains(shell, flag) {
			t.Errorf(".ci/image.sh: the binary is not built with %s", flag)
		}
	}
	if !strings.Contains(shell, "export CGO_ENABLED=0") {
		t.Error(".ci/image.sh does not build with CGO_ENABLED=0")
	}
}
