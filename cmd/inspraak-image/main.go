// Command inspraak-image builds Inspraak's container image without a
// container engine or a registry: from an empty base, with the static
// binary, the CA certificates and time zone data of this machine's Debian
// packages, a non-root user and its writable /data. The same inputs give
// the same image, to the byte (SOURCE_DATE_EPOCH fixes every time in it).
//
//	inspraak-image build -binary BIN -version V -revision R [-layout DIR] [-tarball FILE]
//	inspraak-image config IMAGE   # the image's config (JSON)
//	inspraak-image rootfs IMAGE   # its root filesystem as one tar, on stdout
//
// IMAGE is an OCI image layout directory or a `docker save` tarball, as
// build writes them. CI (.ci/image.sh) builds the image, starts it from
// its own root filesystem and writes the SBOM beside it.
package main

import (
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usageText = `usage:
  inspraak-image build -binary BIN -version V -revision R [-layout DIR] [-tarball FILE] [-tag NAME] [-max-bytes N]
      (SOURCE_DATE_EPOCH sets the image's times)
  inspraak-image config IMAGE
  inspraak-image rootfs IMAGE > rootfs.tar
IMAGE is an OCI image layout directory or a docker save tarball.
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return 2
	}
	var err error
	switch args[0] {
	case "build":
		err = build(args[1:], stdout, stderr)
	case "config", "rootfs":
		if len(args) != 2 {
			fmt.Fprint(stderr, usageText)
			return 2
		}
		var img v1.Image
		if img, err = openImage(args[1]); err != nil {
			break
		}
		if args[0] == "config" {
			var raw []byte
			if raw, err = img.RawConfigFile(); err == nil {
				_, err = fmt.Fprintf(stdout, "%s\n", raw)
			}
			break
		}
		rc := mutate.Extract(img)
		_, err = io.Copy(stdout, rc)
		if cerr := rc.Close(); err == nil {
			err = cerr
		}
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usageText)
		return 0
	default:
		fmt.Fprint(stderr, usageText)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "inspraak-image:", err)
		return 1
	}
	return 0
}

// newDpkg reads this machine's packages; tests give a fake machine.
var newDpkg = systemDpkg

func build(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.SetOutput(stderr)
	binary := fs.String("binary", "", "the static inspraak binary (required)")
	version := fs.String("version", "", "the version the binary was stamped with (required)")
	revision := fs.String("revision", "", "the commit the binary was built from (required)")
	source := fs.String("source", "https://github.com/inspraak/inspraak", "the source repository (publiccode.yml's url)")
	layoutDir := fs.String("layout", "", "write an OCI image layout to this directory")
	tarFile := fs.String("tarball", "", "write a docker save tarball (docker load, podman load) to this file")
	tag := fs.String("tag", "", "the tarball's name:tag (default inspraak:VERSION)")
	maxBytes := fs.Int64("max-bytes", 40_000_000, "refuse an image whose layers, unpacked, take this many bytes or more (0: no limit)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *binary == "" || *version == "" || *revision == "" || fs.NArg() != 0 {
		return errors.New("build needs -binary, -version and -revision, and nothing else\n" + usageText)
	}
	if *layoutDir == "" && *tarFile == "" {
		return errors.New("build writes the image with -layout DIR, -tarball FILE or both")
	}
	created, err := sourceDateEpoch(os.Getenv("SOURCE_DATE_EPOCH"))
	if err != nil {
		return err
	}
	ref, err := name.NewTag(orDefault(*tag, "inspraak:"+*version))
	if err != nil {
		return fmt.Errorf("tag: %w (give -tag)", err)
	}
	arch, err := checkBinary(*binary, *version, *revision)
	if err != nil {
		return err
	}
	bin, err := os.ReadFile(*binary)
	if err != nil {
		return err
	}
	deb, packages, err := debianFiles(newDpkg())
	if err != nil {
		return err
	}
	b, err := Build(Inputs{
		Binary: bin, Arch: arch, Version: *version, Revision: *revision, Source: *source,
		Created: created, Debian: deb, Packages: packages,
	})
	if err != nil {
		return err
	}
	digest, err := b.Image.Digest()
	if err != nil {
		return err
	}
	cfgName, err := b.Image.ConfigName()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "image     %s (manifest digest)\n", digest)
	fmt.Fprintf(stdout, "config    %s (the image ID docker and podman show)\n", cfgName)
	fmt.Fprintf(stdout, "size      %s unpacked, %s compressed (layers, config and manifest)\n", mb(b.Uncompressed), mb(b.Compressed))
	fmt.Fprintf(stdout, "binary    %s (%s, static, linux/%s)\n", mb(int64(len(bin))), *binary, arch)
	fmt.Fprintf(stdout, "debian    %s\n", strings.Join(packages, " "))
	if *maxBytes > 0 && b.Uncompressed >= *maxBytes {
		return fmt.Errorf("the image takes %s unpacked: the limit is under %s", mb(b.Uncompressed), mb(*maxBytes))
	}
	if *layoutDir != "" {
		if err := writeLayout(*layoutDir, b.Image, *version); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "layout    %s\n", *layoutDir)
	}
	if *tarFile != "" {
		if err := tarball.WriteToFile(*tarFile, ref, b.Image); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "tarball   %s (%s)\n", *tarFile, ref)
	}
	return nil
}

// sourceDateEpoch reads SOURCE_DATE_EPOCH (seconds since 1970, the
// reproducible-builds convention): the image's creation time and every
// file's modification time.
func sourceDateEpoch(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, errors.New("SOURCE_DATE_EPOCH is not set: give the commit's time, e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)")
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q is not a number of seconds", v)
	}
	return time.Unix(n, 0).UTC(), nil
}

// checkBinary refuses a binary the empty base cannot run, or one not
// built the way the image ships it, and returns its architecture.
func checkBinary(file, version, revision string) (string, error) {
	f, err := elf.Open(file)
	if err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return "", fmt.Errorf("%s is linked dynamically; the image has no C library: build it with CGO_ENABLED=0", file)
		}
	}
	arch := map[elf.Machine]string{elf.EM_X86_64: "amd64", elf.EM_AARCH64: "arm64", elf.EM_386: "386", elf.EM_ARM: "arm", elf.EM_RISCV: "riscv64", elf.EM_PPC64: "ppc64le", elf.EM_S390: "s390x"}[f.Machine]
	if arch == "" {
		return "", fmt.Errorf("%s: unknown machine %v", file, f.Machine)
	}
	info, err := buildinfo.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%s: not a Go binary with build information: %w", file, err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	var probs []string
	if settings["CGO_ENABLED"] != "0" {
		probs = append(probs, "CGO_ENABLED=0")
	}
	if settings["-trimpath"] != "true" {
		probs = append(probs, "-trimpath")
	}
	if !hasWord(settings["-tags"], ",", "nomsgpack") {
		probs = append(probs, "-tags nomsgpack")
	}
	// -trimpath leaves -ldflags out of the build information; what -s and
	// -w do shows in the file: no symbol table, no DWARF.
	for _, s := range f.Sections {
		if s.Name == ".symtab" || strings.HasPrefix(s.Name, ".debug_") || strings.HasPrefix(s.Name, ".zdebug_") {
			probs = append(probs, `-ldflags "-s -w"`)
			break
		}
	}
	if len(probs) > 0 {
		return "", fmt.Errorf("%s was not built as the image ships it; build it with %s", file, strings.Join(probs, ", "))
	}
	// The labels must say what the binary says. It can only be asked on
	// a machine of its own architecture.
	if arch == runtime.GOARCH && runtime.GOOS == "linux" {
		out, err := exec.Command(file, "version").Output()
		if err != nil {
			return "", fmt.Errorf("%s version: %w", file, err)
		}
		want := fmt.Sprintf("inspraak %s\ncommit %s\n", version, revision)
		if !strings.HasPrefix(string(out), want) {
			return "", fmt.Errorf("%s says %q, not %q: stamp it with -ldflags \"-X inspraak/internal/buildinfo.Version=%s -X inspraak/internal/buildinfo.Revision=%s\"",
				file, strings.Join(strings.SplitN(string(out), "\n", 3)[:2], " "), strings.TrimSpace(strings.ReplaceAll(want, "\n", " ")), version, revision)
		}
	}
	return arch, nil
}

func hasWord(s, sep, w string) bool {
	for _, f := range strings.Split(s, sep) {
		if strings.Trim(f, `"'`) == w {
			return true
		}
	}
	return false
}

// writeLayout writes the image as an OCI image layout, replacing an
// earlier layout in the same place but nothing else.
func writeLayout(dir string, img v1.Image, version string) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		if _, err := os.Stat(filepath.Join(dir, "oci-layout")); err != nil {
			return fmt.Errorf("%s exists and is not an OCI image layout: not writing into it", dir)
		}
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	return p.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": version}))
}

// openImage reads an image from an OCI image layout directory (with one
// image) or a docker save tarball (with one image).
func openImage(p string) (v1.Image, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return tarball.ImageFromPath(p, nil)
	}
	idx, err := layout.ImageIndexFromPath(p)
	if err != nil {
		return nil, err
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	if len(m.Manifests) != 1 {
		return nil, fmt.Errorf("%s holds %d images, not one", p, len(m.Manifests))
	}
	return idx.Image(m.Manifests[0].Digest)
}

func mb(n int64) string {
	return fmt.Sprintf("%.1f MB (%d bytes)", float64(n)/1e6, n)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
